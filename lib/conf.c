/*
 * lib/conf.c -- see conf.h and iocagg.conf(5).  The key table below is
 * the one place a new setting is declared; conf/iocagg.conf documents
 * each key line by line and tests/unit/t-conf.c checks that both agree.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "conf.h"
#include "xmalloc.h"

extern char **environ;

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR	"/usr/share/iocagg"
#endif

#define CONF_LINE_MAX	4096

static const struct conf_key keys[] = {
	{ "database_url", CONF_STR,
	    "host=/run/postgresql dbname=iocagg", 0, 0, 1,
	    "libpq connection string of the PostgreSQL database", NULL },
	{ "database_connect_timeout", CONF_INT, "3", 1, 60, 0,
	    "seconds to wait for a PostgreSQL connection", NULL },
	{ "database_statement_timeout", CONF_INT, "15000", 100, 3600000, 0,
	    "milliseconds any one SQL statement may run", NULL },
	{ "redis_url", CONF_STR, "", 0, 0, 1,
	    "Redis address: unix:/path, redis://host:port or host:port; "
	    "empty: Redis is not used", NULL },
	{ "redis_timeout", CONF_INT, "1000", 10, 60000, 0,
	    "milliseconds to wait for Redis", NULL },
	{ "run_dir", CONF_STR, "/run/iocagg", 0, 0, 0,
	    "directory of the FastCGI and runner sockets", NULL },
	{ "sql_dir", CONF_STR, PKGDATADIR "/sql", 0, 0, 0,
	    "directory of the numbered SQL migrations", NULL },
	{ "log_level", CONF_ENUM, "info", 0, 0, 0,
	    "debug, info, warning or err", "debug|info|warning|err" },
	{ "workers", CONF_INT, "4", 1, 256, 0,
	    "worker processes of each FastCGI program", NULL },
	{ "threads", CONF_INT, "0", 0, 1024, 0,
	    "request threads per worker; 0: the program's own default", NULL },
	{ "database_pool", CONF_INT, "4", 1, 256, 0,
	    "PostgreSQL connections per worker process", NULL },
	{ "secret_key_file", CONF_STR, SYSCONFDIR "/iocagg/secret.key", 0, 0, 0,
	    "file holding the 32-byte key that encrypts secrets", NULL },
	{ "jwt_secret_file", CONF_STR, SYSCONFDIR "/iocagg/jwt.key", 0, 0, 0,
	    "file holding the HS256 key of browser sessions", NULL },
	{ "jwt_issuer", CONF_STR, "iocagg", 0, 0, 0,
	    "iss claim of session tokens, checked on every request", NULL },
	{ "jwt_lifetime", CONF_INT, "3600", 60, 604800, 0,
	    "seconds a session token is valid", NULL },
	{ "openid_file", CONF_STR, "", 0, 0, 0,
	    "OpenID Connect providers file; empty: OpenID login is off", NULL },
	{ "lookup_deadline", CONF_INT, "30", 1, 600, 0,
	    "seconds one lookup may take before the rest is TIMEOUT", NULL },
	{ "source_timeout", CONF_INT, "10", 1, 600, 0,
	    "seconds a source may take when it sets no timeout", NULL },
	{ "sse_keepalive", CONF_INT, "15", 1, 300, 0,
	    "seconds between keep-alive comments on event streams", NULL },
	{ "upstream_proxy", CONF_STR, "", 0, 0, 1,
	    "proxy for calls to sources (curl syntax); empty: none", NULL },
	{ "upstream_response_max", CONF_INT, "5242880", 1024, 1073741824, 0,
	    "largest answer read from a source, in bytes", NULL },
	{ "user_agent", CONF_STR, "iocagg/" PACKAGE_VERSION, 0, 0, 0,
	    "User-Agent sent to sources", NULL },
	{ "dns_resolvers", CONF_STR, "", 0, 0, 0,
	    "DNS servers of the DNS and ASN Cymru sources, comma-separated "
	    "host or host:port ([v6]:port); empty: those of "
	    "/etc/resolv.conf", NULL },
	{ "body_max", CONF_INT, "1048576", 1024, 268435456, 0,
	    "largest request body accepted, in bytes (413 above)", NULL },
	{ "bulk_body_max", CONF_INT, "16777216", 1024, 268435456, 0,
	    "largest body of a bulk upload (ignore-list entries)", NULL },
	{ "query_max", CONF_INT, "8192", 256, 1048576, 0,
	    "longest query string accepted, in bytes (414 above)", NULL },
	{ "json_depth_max", CONF_INT, "32", 2, 1000, 0,
	    "deepest JSON nesting accepted in a request body", NULL },
	{ "user_logs", CONF_BOOL, "yes", 0, 0, 0,
	    "write a user_logs row for every authenticated request", NULL },
	/* The runners, iocagg-python-runner(8) and iocagg-js-runner(8). */
	{ "python_runner_address", CONF_STR, "", 0, 0, 0,
	    "where the Python runner listens: unix:/path or host:port; "
	    "empty: unix:<run_dir>/python.sock", NULL },
	{ "javascript_runner_address", CONF_STR, "", 0, 0, 0,
	    "where the JavaScript runner listens: unix:/path or host:port; "
	    "empty: unix:<run_dir>/javascript.sock", NULL },
	{ "runner_workers", CONF_INT, "4", 1, 256, 0,
	    "worker processes of a runner at once", NULL },
	{ "runner_memory_max", CONF_INT, "536870912", 67108864, 68719476736LL,
	    0, "RLIMIT_AS of a runner worker, in bytes", NULL },
	{ "runner_cpu_max", CONF_INT, "300", 1, 86400, 0,
	    "RLIMIT_CPU of a runner worker over its life, in seconds", NULL },
	{ "runner_file_max", CONF_INT, "16777216", 0, 1073741824, 0,
	    "RLIMIT_FSIZE of a runner worker, in bytes", NULL },
	{ "runner_timeout_max", CONF_INT, "60000", 100, 3600000, 0,
	    "longest deadline of any runner call, in milliseconds", NULL },
	{ "runner_output_max", CONF_INT, "10485760", 1024, 268435456, 0,
	    "largest result of a runner call, in bytes", NULL },
	{ "runner_user", CONF_STR, "nobody", 0, 0, 0,
	    "the user runner workers run as when the runner runs as root",
	    NULL },
	{ "runner_scratch_dir", CONF_STR, "/tmp", 0, 0, 0,
	    "where runner workers get their scratch directories", NULL },
};

static char	*vals[nitems(keys)];
static char	*loaded_path;

/*
 * Base URLs of the built-in sources may be overridden one by one with
 * "source_url_<name> = URL" (tests point them at a local mock), and the
 * download URLs of their feeds with "feed_url_<name> = URL".
 */
#define DYN_PREFIX	"source_url_"
#define DYN_FEED	"feed_url_"
#define DYN_MAX		64
static struct {
	char	*key;
	char	*val;
}		 dyn[DYN_MAX];
static size_t	 ndyn;

static int
dyn_name_ok(const char *k)
{
	size_t	 plen = strlen(DYN_PREFIX);

	if (strncmp(k, DYN_FEED, strlen(DYN_FEED)) == 0)
		plen = strlen(DYN_FEED);
	else if (strncmp(k, DYN_PREFIX, plen) != 0)
		return 0;
	return k[plen] != '\0' &&
	    strspn(k + plen, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
	    strlen(k + plen);
}

static int
dyn_set(const char *k, const char *v, char *err, size_t errsz)
{
	size_t	 i;

	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
		(void)snprintf(err, errsz, "%s: '%s' is not an http(s) URL",
		    k, v);
		return -1;
	}
	for (i = 0; i < ndyn; i++)
		if (strcmp(dyn[i].key, k) == 0) {
			free(dyn[i].val);
			dyn[i].val = xstrdup(v);
			return 0;
		}
	if (ndyn == DYN_MAX) {
		(void)snprintf(err, errsz, "too many %s keys", DYN_PREFIX);
		return -1;
	}
	dyn[ndyn].key = xstrdup(k);
	dyn[ndyn].val = xstrdup(v);
	ndyn++;
	return 0;
}

/* The value of dynamic key "<prefix><name>", or NULL. */
static const char *
dyn_get(const char *prefix, const char *name)
{
	char	 k[128];
	size_t	 i;

	(void)snprintf(k, sizeof(k), "%s%s", prefix, name);
	for (i = 0; i < ndyn; i++)
		if (strcmp(dyn[i].key, k) == 0)
			return dyn[i].val;
	return NULL;
}

const char *
conf_source_url(const char *name)
{
	return dyn_get(DYN_PREFIX, name);
}

const char *
conf_feed_url(const char *name)
{
	return dyn_get(DYN_FEED, name);
}

static int
key_index(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Is "value" one of the '|'-separated "choices"? */
static int
enum_ok(const char *choices, const char *value)
{
	size_t	 n = strlen(value);
	const char *p = choices;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, value, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, '|')) != NULL)
			p++;
	}
	return 0;
}

/*
 * Check "value" against the key's type; returns 0 or -1 with a message.
 */
static int
check_value(const struct conf_key *k, const char *value, char *err,
    size_t errsz)
{
	const char	*errstr;

	switch (k->type) {
	case CONF_INT:
		(void)strtonum(value, k->min, k->max, &errstr);
		if (errstr != NULL) {
			(void)snprintf(err, errsz, "%s: value '%s' is %s "
			    "(expected an integer in [%lld, %lld])",
			    k->name, value, errstr, k->min, k->max);
			return -1;
		}
		break;
	case CONF_BOOL:
		if (strcmp(value, "yes") && strcmp(value, "no") &&
		    strcmp(value, "true") && strcmp(value, "false") &&
		    strcmp(value, "1") && strcmp(value, "0")) {
			(void)snprintf(err, errsz, "%s: value '%s' is not "
			    "yes or no", k->name, value);
			return -1;
		}
		break;
	case CONF_ENUM:
		if (!enum_ok(k->choices, value)) {
			(void)snprintf(err, errsz, "%s: value '%s' is not one "
			    "of %s", k->name, value, k->choices);
			return -1;
		}
		break;
	case CONF_STR:
		break;
	}
	return 0;
}

int
conf_set(const char *key, const char *value, char *err, size_t errsz)
{
	int	 i;

	if ((i = key_index(key)) == -1) {
		if (dyn_name_ok(key))
			return dyn_set(key, value, err, errsz);
		(void)snprintf(err, errsz, "unknown key '%s'", key);
		return -1;
	}
	if (check_value(&keys[i], value, err, errsz) == -1)
		return -1;
	free(vals[i]);
	vals[i] = xstrdup(value);
	return 0;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Parse one file.  A value may be wrapped in double quotes to keep
 * leading or trailing blanks; nothing else is special inside it.
 */
static int
parse_file(FILE *f, const char *path, char *err, size_t errsz)
{
	char	 line[CONF_LINE_MAX + 2], msg[512], *p, *eq, *k, *v;
	size_t	 len, lineno = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > CONF_LINE_MAX && line[len - 1] != '\n') {
			(void)snprintf(err, errsz, "%s:%zu: line too long",
			    path, lineno);
			return -1;
		}
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			(void)snprintf(err, errsz, "%s:%zu: expected "
			    "'key = value'", path, lineno);
			return -1;
		}
		*eq = '\0';
		k = trim(p);
		v = trim(eq + 1);
		len = strlen(v);
		if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
			v[len - 1] = '\0';
			v++;
		}
		if (conf_set(k, v, msg, sizeof(msg)) == -1) {
			(void)snprintf(err, errsz, "%s:%zu: %s", path,
			    lineno, msg);
			return -1;
		}
	}
	if (ferror(f)) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
conf_reset(void)
{
	size_t	 i;

	for (i = 0; i < nitems(keys); i++) {
		free(vals[i]);
		vals[i] = xstrdup(keys[i].def);
	}
	for (i = 0; i < ndyn; i++) {
		free(dyn[i].key);
		free(dyn[i].val);
	}
	ndyn = 0;
}

int
conf_load(const char *path, char *err, size_t errsz)
{
	char		 envname[128], msg[512], *up;
	const char	*env, *p = path;
	FILE		*f;
	size_t		 i;
	int		 named = path != NULL;

	conf_reset();
	if (p == NULL && (p = secure_getenv("IOCAGG_CONF")) != NULL &&
	    *p != '\0')
		named = 1;
	if (p == NULL || *p == '\0')
		p = SYSCONFDIR "/iocagg/iocagg.conf";

	free(loaded_path);
	loaded_path = NULL;
	if ((f = fopen(p, "re")) == NULL) {
		if (named || errno != ENOENT) {
			(void)snprintf(err, errsz, "%s: %s", p,
			    strerror(errno));
			return -1;
		}
	} else {
		loaded_path = xstrdup(p);
		if (parse_file(f, p, err, errsz) == -1) {
			(void)fclose(f);
			return -1;
		}
		(void)fclose(f);
	}

	/* The environment wins over the file. */
	for (i = 0; environ[i] != NULL; i++) {
		char	 dk[128], *eqp;
		size_t	 j;

		if ((strncmp(environ[i], "IOCAGG_SOURCE_URL_", 18) != 0 &&
		    strncmp(environ[i], "IOCAGG_FEED_URL_", 16) != 0) ||
		    (eqp = strchr(environ[i], '=')) == NULL ||
		    (size_t)(eqp - environ[i]) - 7 >= sizeof(dk))
			continue;
		for (j = 0; environ[i] + 7 + j < eqp; j++)
			dk[j] = (char)tolower((unsigned char)environ[i][7 + j]);
		dk[j] = '\0';
		if (conf_set(dk, eqp + 1, msg, sizeof(msg)) == -1) {
			(void)snprintf(err, errsz, "environment: %s", msg);
			return -1;
		}
	}
	for (i = 0; i < nitems(keys); i++) {
		(void)snprintf(envname, sizeof(envname), "IOCAGG_%s",
		    keys[i].name);
		for (up = envname; *up != '\0'; up++)
			*up = (char)toupper((unsigned char)*up);
		if ((env = secure_getenv(envname)) == NULL)
			continue;
		if (conf_set(keys[i].name, env, msg, sizeof(msg)) == -1) {
			(void)snprintf(err, errsz, "environment %s: %s",
			    envname, msg);
			return -1;
		}
	}
	return 0;
}

int
conf_load_buffer(const char *buf, size_t len, char *err, size_t errsz)
{
	FILE	*f;
	int	 rc;

	conf_reset();
	if (len == 0)
		return 0;
	if ((f = fmemopen((void *)(uintptr_t)buf, len, "r")) == NULL) {
		(void)snprintf(err, errsz, "fmemopen: %s", strerror(errno));
		return -1;
	}
	rc = parse_file(f, "(buffer)", err, errsz);
	(void)fclose(f);
	return rc;
}

const char *
conf_path(void)
{
	return loaded_path;
}

const char *
conf_str(const char *key)
{
	int	 i;

	if ((i = key_index(key)) == -1)
		return NULL;
	return vals[i] != NULL ? vals[i] : keys[i].def;
}

long long
conf_int(const char *key)
{
	const char	*s, *errstr;
	long long	 v;
	int		 i;

	if ((i = key_index(key)) == -1 || keys[i].type != CONF_INT)
		return 0;
	s = conf_str(key);
	v = strtonum(s, keys[i].min, keys[i].max, &errstr);
	if (errstr != NULL)	/* only possible for a bad default */
		v = strtonum(keys[i].def, keys[i].min, keys[i].max, NULL);
	return v;
}

int
conf_bool(const char *key)
{
	const char	*s = conf_str(key);

	if (s == NULL)
		return 0;
	return strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0;
}

const struct conf_key *
conf_keys(unsigned *n)
{
	*n = nitems(keys);
	return keys;
}

void
conf_dump(void)
{
	size_t	 i;

	printf("# configuration file: %s\n",
	    loaded_path ? loaded_path : "(none, defaults)");
	for (i = 0; i < nitems(keys); i++)
		printf("%s = %s\n", keys[i].name,
		    keys[i].secret && *conf_str(keys[i].name) != '\0' ?
		    "(set, hidden)" : conf_str(keys[i].name));
	for (i = 0; i < ndyn; i++)
		printf("%s = %s\n", dyn[i].key, dyn[i].val);
}
