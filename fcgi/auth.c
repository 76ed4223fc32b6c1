/*
 * fcgi/auth.c -- iocagg-auth: the /api/v1/auth route group.  The login
 * methods, local sign-up, password login (rate limited through the
 * login_attempts table) and the OpenID Connect authorization-code flow
 * with discovery, RS256 id_token verification against the provider's
 * JWKS (OpenSSL 3) and a nonce check.  Every route is public.  See
 * iocagg-auth(8) for routes, statuses and the providers file.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <sodium.h>

#include "auth.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "nanoid.h"
#include "rest.h"
#include "xmalloc.h"

/* Password login rate limits: failures within the window. */
#define LOGIN_WINDOW	900	/* seconds */
#define LOGIN_MAX_EMAIL	5	/* failures per e-mail address */
#define LOGIN_MAX_IP	20	/* failures per client address */

/* OpenID Connect. */
#define OIDC_MAX	32		/* providers in the file */
#define OIDC_LINE_MAX	4096
#define OIDC_STATE_AGE	600		/* seconds a login may take */
#define OIDC_SECRET_LEN	43		/* state and nonce, ~256 bits */
#define OIDC_BODY_MAX	(1024 * 1024)	/* largest provider answer */
#define OIDC_CONNECT_MS	5000L
#define OIDC_TIMEOUT_MS	10000L
#define OIDC_DISCO_TTL	3600		/* discovery and JWKS cache */
#define OIDC_JWKS_MIN	10		/* seconds between forced re-reads */
#define OIDC_LEEWAY	60		/* clock skew for exp/nbf/iat */
#define OIDC_TOKEN_MAX	16384		/* longest id_token */
#define OIDC_COOKIE	"iocagg_oidc"
#define NEXT_MAX	1024
#define UA_MAX		512

static void	auth_methods(struct req *);
static void	auth_signup(struct req *);
static void	auth_login(struct req *);
static void	oidc_start(struct req *);
static void	oidc_callback(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/auth", auth_methods, NULL, ROUTE_PUBLIC },
	{ METHOD_POST, "/api/v1/auth/signup", auth_signup, NULL,
	    ROUTE_PUBLIC },
	{ METHOD_POST, "/api/v1/auth/login", auth_login, NULL, ROUTE_PUBLIC },
	{ METHOD_GET, "/api/v1/auth/openid/:provider", oidc_start, NULL,
	    ROUTE_PUBLIC },
	{ METHOD_GET, "/api/v1/auth/openid/:provider/redirect", oidc_callback,
	    NULL, ROUTE_PUBLIC },
};

enum stmt {
	STMT_LOCK,
	STMT_LOCAL_EXISTS,
	STMT_SIGNUP,
	STMT_LOG,
	STMT_LOGIN_USER,
	STMT_RATE_LOCK,
	STMT_RATE,
	STMT_ATTEMPT,
	STMT_ATTEMPT_OK,
	STMT_LR_INSERT,
	STMT_LR_TAKE,
	STMT_OIDC_BY_SUB,
	STMT_OIDC_UPDATE,
	STMT_OIDC_LINK,
	STMT_OIDC_INSERT,
	STMT_SIGNUP_RATE,
	STMT_SIGNUP_LOG,
	STMT__MAX
};

#define USER_OUT "id, email, name, enabled, array_to_json(roles) AS roles"
/* "No enabled admin yet": the first account becomes one. */
#define FIRST_ADMIN "(SELECT NOT EXISTS (SELECT 1 FROM users WHERE " \
	"enabled AND 'admin' = ANY (roles)) AS first) a"
#define NOW_UTC "(now() AT TIME ZONE 'utc')"

static const char *const stmts[STMT__MAX] = {
	/* STMT_LOCK: serializes account creation (first-admin rule). */
	"SELECT pg_advisory_xact_lock(7597970432826196737)",
	/* STMT_LOCAL_EXISTS */
	"SELECT 1 FROM users WHERE provider = 'local' AND "
	"lower(email) = lower($1)",
	/* STMT_SIGNUP: $1 email, $2 name, $3 password hash. */
	"INSERT INTO users (provider, enabled, email, verified, name, roles, "
	"password) SELECT 'local', a.first, $1, false, $2, CASE WHEN a.first "
	"THEN '{admin}'::text[] ELSE '{}'::text[] END, $3 FROM " FIRST_ADMIN
	" RETURNING id, enabled",
	/* STMT_LOG */
	"INSERT INTO user_logs (user_id, ip_address, user_agent, uri, "
	"method, trace_id) VALUES ($1, $2, $3, $4, $5, $6)",
	/* STMT_LOGIN_USER: local accounts; the exact spelling first. */
	"SELECT " USER_OUT ", password FROM users WHERE provider = 'local' "
	"AND lower(email) = lower($1) ORDER BY (email = $1) DESC, "
	"created_at LIMIT 1",
	/*
	 * STMT_RATE_LOCK: the check and the record of an attempt run one
	 * at a time per address and per client address, so parallel
	 * guesses cannot all pass the check.  Always in this order.
	 */
	"SELECT pg_advisory_xact_lock(1952805748, hashtext(lower($1))), "
	"pg_advisory_xact_lock(1952805749, hashtext($2))",
	/*
	 * STMT_RATE: one row with the seconds until the caller may try
	 * again, or none.  The N-th newest failure in the window leaving
	 * it lifts the limit.  $1 email, $2 ip, $3/$4 the limits minus
	 * one, $5 window seconds.
	 */
	"SELECT greatest(1, ceil(extract(epoch FROM t + $5::int * "
	"interval '1 second' - " NOW_UTC ")))::int AS retry FROM (SELECT "
	"greatest((SELECT created_at FROM login_attempts WHERE "
	"lower(email) = lower($1) AND NOT success AND created_at > " NOW_UTC
	" - $5::int * interval '1 second' ORDER BY created_at DESC OFFSET "
	"$3::int LIMIT 1), (SELECT created_at FROM login_attempts WHERE "
	"ip_address = $2 AND NOT success AND created_at > " NOW_UTC " - "
	"$5::int * interval '1 second' ORDER BY created_at DESC OFFSET "
	"$4::int LIMIT 1)) AS t) x WHERE t IS NOT NULL",
	/*
	 * STMT_ATTEMPT: an attempt, a failure until it succeeds; also
	 * forgets this client address's day-old attempts.
	 */
	"WITH old AS (DELETE FROM login_attempts WHERE ip_address = $2 AND "
	"created_at < " NOW_UTC " - interval '1 day') "
	"INSERT INTO login_attempts (email, ip_address, success) "
	"VALUES ($1, $2, false) RETURNING id",
	/* STMT_ATTEMPT_OK */
	"UPDATE login_attempts SET success = true WHERE id = $1",
	/* STMT_LR_INSERT: also forgets hour-old handshakes. */
	"WITH old AS (DELETE FROM login_requests WHERE created_at < "
	NOW_UTC " - interval '1 hour') "
	"INSERT INTO login_requests (id, nonce, state_nonce, provider, "
	"ip_address, user_agent, browser_state, redirect_uri) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	/* STMT_LR_TAKE: one use. */
	"DELETE FROM login_requests WHERE id = $1 AND state_nonce = $2 "
	"RETURNING provider, nonce, browser_state, redirect_uri, "
	"created_at > " NOW_UTC " - $3::int * interval '1 second' AS fresh",
	/* STMT_OIDC_BY_SUB */
	"SELECT id, provider FROM users WHERE auth_id = $1",
	/*
	 * STMT_OIDC_UPDATE: the profile as the provider says now; the
	 * e-mail address only if no other account of it holds it.
	 * $1 id, $2 email, $3 verified, $4 name, $5 given, $6 family,
	 * $7 locale.
	 */
	"UPDATE users SET email = CASE WHEN EXISTS (SELECT 1 FROM users o "
	"WHERE o.provider = users.provider AND o.email = $2 AND "
	"o.id <> users.id) THEN email ELSE $2 END, verified = $3, name = $4, "
	"given_name = $5, family_name = $6, locale = $7 WHERE id = $1 "
	"RETURNING " USER_OUT,
	/*
	 * STMT_OIDC_LINK: an account an administrator created for this
	 * provider and (verified) address, not yet bound to a subject.
	 * $1 provider, $2 email, $3 auth_id, $4 verified, $5 name,
	 * $6 given, $7 family, $8 locale.
	 */
	"UPDATE users SET auth_id = $3, verified = $4, name = $5, "
	"given_name = $6, family_name = $7, locale = $8 WHERE id = (SELECT "
	"id FROM users WHERE provider = $1 AND lower(email) = lower($2) AND "
	"auth_id IS NULL ORDER BY created_at LIMIT 1) RETURNING " USER_OUT,
	/* STMT_OIDC_INSERT: same parameters as STMT_OIDC_LINK. */
	"INSERT INTO users (auth_id, provider, enabled, email, verified, "
	"name, given_name, family_name, locale, roles) SELECT $3, $1, "
	"a.first, $2, $4, $5, $6, $7, $8, CASE WHEN a.first THEN "
	"'{admin}'::text[] ELSE '{}'::text[] END FROM " FIRST_ADMIN
	" RETURNING " USER_OUT,
	/*
	 * STMT_SIGNUP_RATE: one row with the seconds until client address
	 * $1 may sign up again, or none: at most signup_rate_limit
	 * (server_config, default 10) accounts an hour.
	 */
	"WITH lim AS (SELECT coalesce((SELECT value FROM server_config WHERE "
	"key = 'signup_rate_limit' AND value ~ '^[0-9]{1,6}$')::int, 10) AS n), "
	"recent AS (SELECT created_at FROM signups, lim WHERE ip_address = $1 "
	"AND created_at > " NOW_UTC " - interval '1 hour' ORDER BY created_at "
	"DESC LIMIT (SELECT n FROM lim)) SELECT greatest(1, ceil(extract(epoch "
	"FROM min(created_at) + interval '1 hour' - " NOW_UTC ")))::int AS "
	"retry FROM recent HAVING count(*) >= (SELECT n FROM lim)",
	/* STMT_SIGNUP_LOG: also forgets day-old sign-ups. */
	"WITH old AS (DELETE FROM signups WHERE created_at < " NOW_UTC
	" - interval '1 day') INSERT INTO signups (ip_address) VALUES ($1)"
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

/* The client address without port (rate limits, handshakes). */
static const char *
client_ip(struct req *r)
{
	const char	*a = req_env(r, "REMOTE_ADDR");

	return a != NULL && *a != '\0' ? a : "-";
}

/* The User-Agent as printable ASCII, capped: stored in the database. */
static void
client_ua(struct req *r, char *out, size_t outsz)
{
	const char	*ua = req_env(r, "HTTP_USER_AGENT");
	size_t		 i;

	if (ua == NULL)
		ua = "";
	for (i = 0; ua[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (unsigned char)ua[i] >= 0x20 &&
		    (unsigned char)ua[i] < 0x7f ? ua[i] : '?';
	out[i] = '\0';
}

/* Characters (UTF-8 code points) of "s". */
static size_t
utf8_len(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * A copy of untrusted text fit for a profile column: control
 * characters become blanks, blanks are trimmed, at most "max"
 * characters.  NULL when nothing is left.
 */
static char *
clean_text(const char *s, size_t max)
{
	char	*o, *p;
	size_t	 n = 0, i, start;

	if (s == NULL)
		return NULL;
	o = xstrdup(s);
	for (p = o; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (start = 0; o[start] == ' '; start++)
		continue;
	memmove(o, o + start, strlen(o + start) + 1);
	for (i = 0; o[i] != '\0'; i++) {
		if (((unsigned char)o[i] & 0xc0) != 0x80 && n++ == max) {
			o[i] = '\0';
			break;
		}
	}
	for (i = strlen(o); i > 0 && o[i - 1] == ' '; i--)
		o[i - 1] = '\0';
	if (*o == '\0') {
		free(o);
		return NULL;
	}
	return o;
}

/*
 * The shape of an e-mail address: one "@", a local part of 1 to 64
 * bytes without blanks, quotes or brackets, and a domain of at least
 * two dot-separated labels of letters, digits and hyphens (UTF-8
 * letters allowed).
 */
static int
email_ok(const char *s)
{
	const char	*at, *p, *label;
	size_t		 llen, dlen, n;
	int		 labels = 0;

	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	llen = (size_t)(at - s);
	dlen = strlen(at + 1);
	if (llen == 0 || llen > 64 || dlen == 0 || dlen > 255 ||
	    llen + 1 + dlen > 320)
		return 0;
	if (s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr("\"(),:;<>[\\]", *p) != NULL)
			return 0;
		if (p[0] == '.' && p[1] == '.')
			return 0;
	}
	for (label = at + 1;; label = p + 1) {
		n = strcspn(label, ".");
		if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return 0;
		for (p = label; p < label + n; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    (unsigned char)*p < 0x80)
				return 0;
		labels++;
		p = label + n;
		if (*p == '\0')
			break;
	}
	return labels >= 2;
}

/* Is this a URL we call or send browsers to: https, or http on the
 * loopback interface (tests, a local provider). */
static int
url_allowed(const char *u)
{
	static const char *const loop[] = { "127.0.0.1", "localhost",
	    "[::1]" };
	const char	*h, *p;
	size_t		 i, n;

	if (u == NULL || strlen(u) > 2048)
		return 0;
	for (p = u; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	if (strncmp(u, "https://", 8) == 0)
		return u[8] != '\0' && u[8] != '/';
	if (strncmp(u, "http://", 7) != 0)
		return 0;
	h = u + 7;
	for (i = 0; i < nitems(loop); i++) {
		n = strlen(loop[i]);
		if (strncmp(h, loop[i], n) == 0 &&
		    (h[n] == '\0' || h[n] == ':' || h[n] == '/'))
			return 1;
	}
	return 0;
}

/* "k=v" with "v" percent-encoded, appended to "*q" with "&". */
static void
qappend(char **q, const char *k, const char *v)
{
	char	*e, *n;

	if ((e = curl_easy_escape(NULL, v, 0)) == NULL)
		fatalx("out of memory");
	xasprintf(&n, "%s%s%s=%s", *q != NULL ? *q : "",
	    *q != NULL && **q != '\0' ? "&" : "", k, e);
	curl_free(e);
	free(*q);
	*q = n;
}

/*
 * Answer 302 to "loc".  A location too long for http_header() (a
 * session token in it, a long authorization URL) is written as raw
 * header lines through http_write(), with the same fixed headers
 * send_head() writes.
 */
static void
redirect(struct req *r, const char *loc)
{
	char	 head[256];
	int	 n;

	if (strlen(loc) < 480 && r->xhdrlen + strlen(loc) + 16 <
	    sizeof(r->xhdr)) {
		http_header(r, "Location", "%s", loc);
		http_empty(r, 302);
		return;
	}
	n = snprintf(head, sizeof(head), "Status: 302 Found\r\n"
	    "X-Request-Id: %s\r\nCache-Control: no-store\r\n"
	    "Content-Length: 0\r\n", r->id);
	(void)http_write(r, head, (size_t)n);
	(void)http_write(r, r->xhdr, r->xhdrlen);
	(void)http_write(r, "Location: ", 10);
	(void)http_write(r, loc, strlen(loc));
	(void)http_write(r, "\r\n\r\n", 4);
	r->status = 302;
}

/*
 * The audit row of a login, sign-up or OpenID callback: the real
 * method, the path relative to /api/v1 without the query (an OpenID
 * code never lands in the log).  Written whatever "user_logs" says:
 * these are the events an audit needs most.
 */
static enum dbres
audit(struct req *r, const char *uid)
{
	const char	*p[6], *addr, *port, *uri = r->path;
	char		 ip[128], ua[UA_MAX + 1];

	addr = req_env(r, "REMOTE_ADDR");
	port = req_env(r, "REMOTE_PORT");
	if (addr != NULL && port != NULL)
		(void)snprintf(ip, sizeof(ip), "%s:%s", addr, port);
	else
		(void)strlcpy(ip, addr != NULL ? addr : "-", sizeof(ip));
	client_ua(r, ua, sizeof(ua));
	if (strncmp(uri, "/api/v1/", 8) == 0)
		uri += 7;
	p[0] = uid;
	p[1] = ip;
	p[2] = ua;
	p[3] = uri;
	p[4] = r->method_name;
	p[5] = r->id;
	return db_cmd(r->db, stmts[STMT_LOG], 6, p);
}

static void
unavailable(struct req *r)
{
	http_header(r, "Retry-After", "5");
	http_error(r, 503, "unavailable", "the database is unavailable; try "
	    "again later");
}

/*
 * A session token for the user of row "row" of "pr" (columns of
 * USER_OUT): iss, sub, iat, nbf, exp, email, name, roles, provider.
 * NULL when no session key is configured.
 */
static char *
session_token(PGresult *pr, int row, const char *provider)
{
	const unsigned char	*key;
	const char		*s, *err;
	json_object		*c, *roles = NULL;
	size_t			 klen;
	int64_t			 now = (int64_t)time(NULL);
	char			*tok;

	if ((key = jwt_key(&klen)) == NULL)
		return NULL;
	s = db_val(pr, row, "roles");
	if (s != NULL)
		roles = json_parse_capped(s, strlen(s), 4, &err);
	if (roles == NULL || !json_object_is_type(roles, json_type_array)) {
		json_object_put(roles);
		roles = json_object_new_array();
	}
	c = json_object_new_object();
	(void)jadd(c, "iss", json_object_new_string(conf_str("jwt_issuer")));
	(void)jadd(c, "sub", json_object_new_string(db_val(pr, row, "id")));
	(void)jadd(c, "iat", json_object_new_int64(now));
	(void)jadd(c, "nbf", json_object_new_int64(now));
	(void)jadd(c, "exp", json_object_new_int64(now +
	    conf_int("jwt_lifetime")));
	(void)jadd(c, "email", jstr_or_null(db_val(pr, row, "email")));
	(void)jadd(c, "name", jstr_or_null(db_val(pr, row, "name")));
	(void)jadd(c, "roles", roles);
	(void)jadd(c, "provider", json_object_new_string(provider));
	tok = jwt_sign(c, key, klen);
	json_object_put(c);
	return tok;
}

/* ------------------------------------------------------------------ */
/* The OpenID providers file                                            */
/* ------------------------------------------------------------------ */

struct oidc {
	char	*name;
	char	*issuer;
	char	*client_id;
	char	*client_secret;
	char	*redirect_uri;
};

static const struct {
	const char	*name;
	const char	*issuer;
} presets[] = {
	{ "google", "https://accounts.google.com" },
	{ "microsoft", "https://login.microsoftonline.com/common/v2.0" },
};

static void
oidc_clear(struct oidc *o)
{
	free(o->name);
	free(o->issuer);
	free(o->client_id);
	if (o->client_secret != NULL)
		freezero_str(o->client_secret);
	free(o->redirect_uri);
	memset(o, 0, sizeof(*o));
}

static int
name_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s,
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") == n &&
	    strcmp(s, "local") != 0;
}

/*
 * Parse one line "name issuer client_id client_secret redirect_uri";
 * 0, or -1 with "*why" set.
 */
static int
oidc_parse(char *line, struct oidc *o, const char **why)
{
	char		*f[6], *save = NULL, *t;
	const char	*iss;
	size_t		 n = 0, i, len;

	for (t = strtok_r(line, " \t\r\n", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == nitems(f)) {
			*why = "more than 5 fields";
			return -1;
		}
		f[n++] = t;
	}
	if (n != 5) {
		*why = "expected: name issuer client_id client_secret "
		    "redirect_uri";
		return -1;
	}
	if (!name_ok(f[0])) {
		*why = "the name must be 1 to 32 of a-z, 0-9, _ and -, and "
		    "not 'local'";
		return -1;
	}
	iss = f[1];
	if (strcmp(iss, "-") == 0) {
		for (i = 0; i < nitems(presets); i++)
			if (strcmp(presets[i].name, f[0]) == 0)
				break;
		if (i == nitems(presets)) {
			*why = "'-' as the issuer is for google and microsoft "
			    "only";
			return -1;
		}
		iss = presets[i].issuer;
	}
	if (!url_allowed(iss) || !url_allowed(f[4])) {
		*why = "the issuer and redirect_uri must be https URLs "
		    "(http on the loopback interface only)";
		return -1;
	}
	memset(o, 0, sizeof(*o));
	o->name = xstrdup(f[0]);
	o->issuer = xstrdup(iss);
	len = strlen(o->issuer);
	while (len > 8 && o->issuer[len - 1] == '/')
		o->issuer[--len] = '\0';
	o->client_id = xstrdup(f[2]);
	o->client_secret = xstrdup(f[3]);
	o->redirect_uri = xstrdup(f[4]);
	return 0;
}

/*
 * Read the providers file into "out" (at most OIDC_MAX); "want" only
 * that provider when not NULL.  Returns how many were read.  A bad
 * line is logged and skipped; no file (or none configured) is none.
 */
static size_t
oidc_load(struct oidc *out, size_t max, const char *want)
{
	const char	*path = conf_str("openid_file"), *why;
	char		 line[OIDC_LINE_MAX + 2], *p;
	FILE		*f;
	struct stat	 st;
	size_t		 n = 0, lineno = 0, len, i;

	if (path == NULL || *path == '\0')
		return 0;
	if ((f = fopen(path, "re")) == NULL) {
		log_warn("openid_file %s", path);
		return 0;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & S_IROTH))
		log_warnx("openid_file %s is readable by everyone; it holds "
		    "client secrets", path);
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > OIDC_LINE_MAX && line[len - 1] != '\n') {
			log_warnx("%s:%zu: line too long", path, lineno);
			while (len > 0 && line[len - 1] != '\n' &&
			    fgets(line, sizeof(line), f) != NULL)
				len = strlen(line);
			continue;
		}
		p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		if (oidc_parse(p, &out[n], &why) == -1) {
			log_warnx("%s:%zu: %s", path, lineno, why);
			continue;
		}
		for (i = 0; i < n; i++)
			if (strcmp(out[i].name, out[n].name) == 0)
				break;
		if (i < n) {
			log_warnx("%s:%zu: provider %s is listed twice", path,
			    lineno, out[n].name);
			oidc_clear(&out[n]);
			continue;
		}
		if (want != NULL && strcmp(out[n].name, want) != 0) {
			oidc_clear(&out[n]);
			continue;
		}
		n++;
	}
	(void)fclose(f);
	return n;
}

/* The provider named "name" into "o"; 0, or -1 when unknown. */
static int
oidc_find(const char *name, struct oidc *o)
{
	if (name == NULL || !name_ok(name))
		return -1;
	return oidc_load(o, 1, name) == 1 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* HTTP calls to the provider                                           */
/* ------------------------------------------------------------------ */

struct fetchbuf {
	char	*p;
	size_t	 len;
};

static size_t
fetch_write(char *d, size_t sz, size_t nm, void *arg)
{
	struct fetchbuf	*b = arg;
	size_t		 n = sz * nm;

	if (n > OIDC_BODY_MAX - b->len)
		return 0;	/* too large: curl aborts */
	b->p = xrealloc(b->p, b->len + n + 1);
	memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/*
 * GET "url" (POST the form "form" when not NULL) and parse the answer
 * as a JSON object whatever its status ("*status").  NULL with "*why"
 * on a transport failure or a body that is no JSON object.
 */
static json_object *
fetch_json(const char *url, const char *form, long *status,
    const char **why)
{
	CURL			*c;
	CURLcode		 cc;
	struct curl_slist	*h = NULL;
	struct fetchbuf		 b = { NULL, 0 };
	json_object		*o = NULL;
	const char		*err, *proxy = conf_str("upstream_proxy");

	*status = 0;
	if (!url_allowed(url)) {
		*why = "the provider's URL is not https";
		return NULL;
	}
	if ((c = curl_easy_init()) == NULL) {
		*why = "curl_easy_init failed";
		return NULL;
	}
	h = curl_slist_append(h, "Accept: application/json");
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, OIDC_CONNECT_MS);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, OIDC_TIMEOUT_MS);
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, conf_str("user_agent"));
	(void)curl_easy_setopt(c, CURLOPT_PROXY, proxy != NULL ? proxy : "");
	(void)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)OIDC_BODY_MAX);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (form != NULL)
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		log_warnx("OpenID provider %s: %s", log_quote(url),
		    curl_easy_strerror(cc));
		*why = "the OpenID provider could not be reached";
		goto out;
	}
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (b.p == NULL || (o = json_parse_capped(b.p, b.len, 16,
	    &err)) == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
		log_warnx("OpenID provider %s: status %ld, no JSON object",
		    log_quote(url), *status);
		*why = "the OpenID provider gave no JSON answer";
	}
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(b.p);
	return o;
}

/*
 * Discovery documents and key sets, cached per process and issuer.
 * The lock is never held over a network call.
 */
struct disco {
	char	*key;		/* the configured issuer */
	char	*issuer;	/* as discovered */
	char	*authz;
	char	*token;
	char	*jwks_uri;
	time_t	 at;
	char	*jwks;		/* JSON text */
	time_t	 jwks_at;
};

static struct disco	 cache[OIDC_MAX];
static pthread_mutex_t	 cache_mu = PTHREAD_MUTEX_INITIALIZER;

static void
disco_clear(struct disco *d)
{
	free(d->key);
	free(d->issuer);
	free(d->authz);
	free(d->token);
	free(d->jwks_uri);
	free(d->jwks);
	memset(d, 0, sizeof(*d));
}

static char *
dupnull(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
disco_copy(struct disco *to, const struct disco *from)
{
	to->key = dupnull(from->key);
	to->issuer = dupnull(from->issuer);
	to->authz = dupnull(from->authz);
	to->token = dupnull(from->token);
	to->jwks_uri = dupnull(from->jwks_uri);
	to->at = from->at;
	to->jwks = dupnull(from->jwks);
	to->jwks_at = from->jwks_at;
}

/* The cache slot of "key" (the lock held); NULL if none is free. */
static struct disco *
cache_slot(const char *key, int create)
{
	size_t	 i, oldest = 0;

	for (i = 0; i < nitems(cache); i++)
		if (cache[i].key != NULL && strcmp(cache[i].key, key) == 0)
			return &cache[i];
	if (!create)
		return NULL;
	for (i = 0; i < nitems(cache); i++) {
		if (cache[i].key == NULL)
			return &cache[i];
		if (cache[i].at < cache[oldest].at)
			oldest = i;
	}
	disco_clear(&cache[oldest]);
	return &cache[oldest];
}

/* The discovered issuer is the configured one (or Microsoft's
 * multi-tenant template). */
static int
issuer_matches(const char *cfg, const char *found)
{
	size_t	 n = strlen(found);

	if (strstr(found, "{tenantid}") != NULL)
		return 1;
	while (n > 8 && found[n - 1] == '/')
		n--;
	return strlen(cfg) == n && strncmp(cfg, found, n) == 0;
}

/*
 * The discovery document of issuer "iss" into "out" (copies, to be
 * disco_clear()ed).  0, or -1 with "*why".
 */
static int
disco_get(const char *iss, struct disco *out, const char **why)
{
	struct disco	*d, fresh;
	json_object	*o;
	char		*url;
	const char	*v[4];
	long		 status;
	time_t		 now = time(NULL);
	size_t		 i;

	memset(out, 0, sizeof(*out));
	(void)pthread_mutex_lock(&cache_mu);
	if ((d = cache_slot(iss, 0)) != NULL && d->issuer != NULL &&
	    now - d->at < OIDC_DISCO_TTL && now >= d->at) {
		disco_copy(out, d);
		(void)pthread_mutex_unlock(&cache_mu);
		return 0;
	}
	(void)pthread_mutex_unlock(&cache_mu);

	xasprintf(&url, "%s/.well-known/openid-configuration", iss);
	o = fetch_json(url, NULL, &status, why);
	free(url);
	if (o == NULL)
		return -1;
	v[0] = jget_str(o, "issuer");
	v[1] = jget_str(o, "authorization_endpoint");
	v[2] = jget_str(o, "token_endpoint");
	v[3] = jget_str(o, "jwks_uri");
	for (i = 0; i < nitems(v); i++)
		if (!url_allowed(v[i]))
			break;
	if (status != 200 || i < nitems(v)) {
		log_warnx("OpenID discovery of %s: status %ld, incomplete or "
		    "not https", log_quote(iss), status);
		*why = "the OpenID provider's discovery document is unusable";
		json_object_put(o);
		return -1;
	}
	if (!issuer_matches(iss, v[0])) {
		log_warnx("OpenID discovery of %s names issuer %s",
		    log_quote(iss), log_quote(v[0]));
		*why = "the OpenID provider names another issuer";
		json_object_put(o);
		return -1;
	}
	memset(&fresh, 0, sizeof(fresh));
	fresh.key = xstrdup(iss);
	fresh.issuer = xstrdup(v[0]);
	fresh.authz = xstrdup(v[1]);
	fresh.token = xstrdup(v[2]);
	fresh.jwks_uri = xstrdup(v[3]);
	fresh.at = now;
	json_object_put(o);

	(void)pthread_mutex_lock(&cache_mu);
	d = cache_slot(iss, 1);
	/* Keep a key set fetched from the same place. */
	if (d->jwks != NULL && d->jwks_uri != NULL &&
	    strcmp(d->jwks_uri, fresh.jwks_uri) == 0) {
		fresh.jwks = d->jwks;
		fresh.jwks_at = d->jwks_at;
		d->jwks = NULL;
	}
	disco_clear(d);
	*d = fresh;
	disco_copy(out, d);
	(void)pthread_mutex_unlock(&cache_mu);
	return 0;
}

/*
 * The key set of "d" as JSON text (xmalloc'd): cached unless stale,
 * or unless "force" (a key id we do not know) and the copy is older
 * than OIDC_JWKS_MIN seconds.
 */
static char *
jwks_get(const struct disco *d, int force, const char **why)
{
	struct disco	*c;
	json_object	*o;
	char		*text = NULL;
	long		 status;
	time_t		 now = time(NULL), age;

	(void)pthread_mutex_lock(&cache_mu);
	if ((c = cache_slot(d->key, 0)) != NULL && c->jwks != NULL) {
		age = now - c->jwks_at;
		if (age >= 0 && ((!force && age < OIDC_DISCO_TTL) ||
		    (force && age < OIDC_JWKS_MIN)))
			text = xstrdup(c->jwks);
	}
	(void)pthread_mutex_unlock(&cache_mu);
	if (text != NULL)
		return text;

	if ((o = fetch_json(d->jwks_uri, NULL, &status, why)) == NULL)
		return NULL;
	if (status != 200 || !json_object_object_get_ex(o, "keys", NULL)) {
		log_warnx("OpenID key set %s: status %ld, no keys",
		    log_quote(d->jwks_uri), status);
		*why = "the OpenID provider's key set is unusable";
		json_object_put(o);
		return NULL;
	}
	text = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	(void)pthread_mutex_lock(&cache_mu);
	if ((c = cache_slot(d->key, 0)) != NULL) {
		free(c->jwks);
		c->jwks = xstrdup(text);
		c->jwks_at = now;
	}
	(void)pthread_mutex_unlock(&cache_mu);
	return text;
}

/* ------------------------------------------------------------------ */
/* id_token verification                                                */
/* ------------------------------------------------------------------ */

/* base64url (padding tolerated) into an xmalloc'd buffer. */
static unsigned char *
b64url_dec(const char *s, size_t slen, size_t *n)
{
	unsigned char	*o = xmalloc(slen + 1);

	if (sodium_base642bin(o, slen + 1, s, slen, "=", n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		free(o);
		return NULL;
	}
	o[*n] = '\0';
	return o;
}

/* The RSA public key of JWK "k", 2048 bits or more; NULL otherwise. */
static EVP_PKEY *
jwk_rsa(json_object *k)
{
	const char	*ns = jget_str(k, "n"), *es = jget_str(k, "e");
	unsigned char	*nb = NULL, *eb = NULL;
	size_t		 nl, el;
	BIGNUM		*n = NULL, *e = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pk = NULL;

	if (ns == NULL || es == NULL || strlen(ns) > 2048 || strlen(es) > 16 ||
	    (nb = b64url_dec(ns, strlen(ns), &nl)) == NULL ||
	    (eb = b64url_dec(es, strlen(es), &el)) == NULL ||
	    nl == 0 || el == 0)
		goto out;
	if ((n = BN_bin2bn(nb, (int)nl, NULL)) == NULL ||
	    (e = BN_bin2bn(eb, (int)el, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	if (EVP_PKEY_get_bits(pk) < 2048) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(nb);
	free(eb);
	return pk;
}

static int
rs256_verify(EVP_PKEY *pk, const char *msg, size_t mlen,
    const unsigned char *sig, size_t slen)
{
	EVP_MD_CTX	*md;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestVerify(md, sig, slen, (const unsigned char *)msg,
	    mlen) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/*
 * Check the signature of "tok" against the RSA keys of "jwks_text":
 * 1 verified, 0 not, -1 when no key carries the token's key id (the
 * caller re-reads the key set once).
 */
static int
sig_check(const char *tok, size_t msglen, const char *kid,
    const unsigned char *sig, size_t slen, const char *jwks_text)
{
	json_object	*set, *keys, *k;
	const char	*err, *s;
	EVP_PKEY	*pk;
	size_t		 i, n;
	int		 rc = 0, candidates = 0;

	if ((set = json_parse_capped(jwks_text, strlen(jwks_text), 16,
	    &err)) == NULL)
		return 0;
	if (!json_object_object_get_ex(set, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		goto out;
	n = json_object_array_length(keys);
	for (i = 0; i < n && rc == 0; i++) {
		k = json_object_array_get_idx(keys, i);
		if ((s = jget_str(k, "kty")) == NULL || strcmp(s, "RSA") != 0)
			continue;
		if ((s = jget_str(k, "use")) != NULL && strcmp(s, "sig") != 0)
			continue;
		if ((s = jget_str(k, "alg")) != NULL && strcmp(s, "RS256") != 0)
			continue;
		if (kid != NULL && ((s = jget_str(k, "kid")) == NULL ||
		    strcmp(s, kid) != 0))
			continue;
		candidates++;
		if ((pk = jwk_rsa(k)) == NULL)
			continue;
		if (rs256_verify(pk, tok, msglen, sig, slen))
			rc = 1;
		EVP_PKEY_free(pk);
	}
	if (rc == 0 && candidates == 0)
		rc = -1;
out:
	json_object_put(set);
	return rc;
}

/* A numeric claim (integer or not) as seconds; 0 if absent. */
static int
claim_time(json_object *c, const char *k, int64_t *t)
{
	json_object	*v;

	if (!json_object_object_get_ex(c, k, &v))
		return 0;
	if (json_object_is_type(v, json_type_int))
		*t = json_object_get_int64(v);
	else if (json_object_is_type(v, json_type_double))
		*t = (int64_t)json_object_get_double(v);
	else
		return -1;
	return 1;
}

/* "aud" is "client_id" or an array holding it; "azp", if any, too. */
static int
aud_ok(json_object *c, const char *client_id)
{
	json_object	*v, *e;
	const char	*azp;
	size_t		 i, n;
	int		 found = 0;

	if (!json_object_object_get_ex(c, "aud", &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		found = strcmp(json_object_get_string(v), client_id) == 0;
	else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string) &&
			    strcmp(json_object_get_string(e), client_id) == 0)
				found = 1;
		}
	}
	if ((azp = jget_str(c, "azp")) != NULL && strcmp(azp, client_id) != 0)
		return 0;
	return found;
}

/* "iss" is the discovered issuer ("{tenantid}" filled from "tid"). */
static int
iss_ok(json_object *c, const char *expected)
{
	const char	*iss = jget_str(c, "iss"), *tid, *t;
	char		*want;
	int		 ok;
	size_t		 n;

	if (iss == NULL)
		return 0;
	if ((t = strstr(expected, "{tenantid}")) == NULL) {
		if (strcmp(iss, expected) == 0)
			return 1;
		/* Google's tokens may name it without the scheme. */
		return strcmp(expected, "https://accounts.google.com") == 0 &&
		    strcmp(iss, "accounts.google.com") == 0;
	}
	tid = jget_str(c, "tid");
	if (tid == NULL || (n = strlen(tid)) == 0 || n > 64 ||
	    strspn(tid, "0123456789abcdefABCDEF-") != n)
		return 0;
	xasprintf(&want, "%.*s%s%s", (int)(t - expected), expected, tid,
	    t + 10);
	ok = strcmp(iss, want) == 0;
	free(want);
	return ok;
}

/*
 * Verify id_token "tok": RS256 only, signed by a key of the provider's
 * set, iss, aud (and azp), exp, nbf, iat, and the nonce of the login
 * request.  Returns the claims, or NULL with "*why".
 */
static json_object *
idtoken_verify(const char *tok, const struct disco *d,
    const char *client_id, const char *nonce, const char **why)
{
	const char	*d1, *d2, *alg, *kid, *err, *s;
	unsigned char	*hdr = NULL, *pay = NULL, *sig = NULL;
	size_t		 n, slen;
	json_object	*h = NULL, *c = NULL;
	char		*set = NULL;
	int64_t		 t, now = (int64_t)time(NULL);
	int		 rc, r2;

	*why = "malformed id_token";
	if (strlen(tok) > OIDC_TOKEN_MAX || (d1 = strchr(tok, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return NULL;
	if ((hdr = b64url_dec(tok, (size_t)(d1 - tok), &n)) == NULL ||
	    (h = json_parse_capped((char *)hdr, n, 4, &err)) == NULL ||
	    !json_object_is_type(h, json_type_object))
		goto fail;
	if ((alg = jget_str(h, "alg")) == NULL || strcmp(alg, "RS256") != 0) {
		*why = "the id_token is not signed with RS256";
		goto fail;
	}
	kid = jget_str(h, "kid");
	if ((sig = b64url_dec(d2 + 1, strlen(d2 + 1), &slen)) == NULL ||
	    slen == 0)
		goto fail;
	if ((set = jwks_get(d, 0, why)) == NULL)
		goto fail;
	rc = sig_check(tok, (size_t)(d2 - tok), kid, sig, slen, set);
	if (rc == -1) {
		/* An unknown key id: the provider may have rotated. */
		free(set);
		if ((set = jwks_get(d, 1, why)) == NULL)
			goto fail;
		rc = sig_check(tok, (size_t)(d2 - tok), kid, sig, slen, set);
	}
	if (rc != 1) {
		*why = rc == -1 ? "no key of the provider matches the "
		    "id_token" : "bad id_token signature";
		goto fail;
	}
	*why = "malformed id_token claims";
	if ((pay = b64url_dec(d1 + 1, (size_t)(d2 - d1 - 1), &n)) == NULL ||
	    (c = json_parse_capped((char *)pay, n, 8, &err)) == NULL ||
	    !json_object_is_type(c, json_type_object))
		goto fail;
	if (!iss_ok(c, d->issuer)) {
		*why = "the id_token names another issuer";
		goto fail;
	}
	if (!aud_ok(c, client_id)) {
		*why = "the id_token is meant for another client";
		goto fail;
	}
	if (claim_time(c, "exp", &t) != 1 || t + OIDC_LEEWAY <= now) {
		*why = "the id_token has expired";
		goto fail;
	}
	if ((r2 = claim_time(c, "nbf", &t)) == -1 ||
	    (r2 == 1 && t > now + OIDC_LEEWAY)) {
		*why = "the id_token is not valid yet";
		goto fail;
	}
	if ((r2 = claim_time(c, "iat", &t)) != 1 || t > now + OIDC_LEEWAY) {
		*why = "the id_token has no or a future iat";
		goto fail;
	}
	if ((s = jget_str(c, "nonce")) == NULL || strlen(s) != strlen(nonce) ||
	    sodium_memcmp(s, nonce, strlen(nonce)) != 0) {
		*why = "the id_token's nonce is not this login's";
		goto fail;
	}
	*why = NULL;
	json_object_put(h);
	free(hdr);
	free(pay);
	free(sig);
	free(set);
	return c;
fail:
	json_object_put(h);
	json_object_put(c);
	free(hdr);
	free(pay);
	free(sig);
	free(set);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* GET /api/v1/auth                                                     */
/* ------------------------------------------------------------------ */

static json_object *
method_json(int enabled, const char *openid)
{
	json_object	*m, *k, *c;

	m = json_object_new_object();
	k = json_object_new_object();
	(void)jadd(m, "enabled", json_object_new_boolean(enabled));
	if (openid != NULL) {
		c = json_object_new_object();
		(void)jadd(c, "name", json_object_new_string(openid));
		(void)jadd(k, "kind", json_object_new_string("openId"));
		(void)jadd(k, "content", c);
	} else
		(void)jadd(k, "kind", json_object_new_string("password"));
	(void)jadd(m, "kind", k);
	return m;
}

/*
 * GET /api/v1/auth -- the login methods: google and microsoft first
 * (enabled when configured, as the reference's clients expect), the
 * other providers of the file, then password.  Public.  200.
 */
static void
auth_methods(struct req *r)
{
	struct oidc	*o;
	json_object	*a;
	size_t		 n, i, j;

	o = xcalloc(OIDC_MAX, sizeof(*o));
	n = oidc_load(o, OIDC_MAX, NULL);
	a = json_object_new_array();
	for (i = 0; i < nitems(presets); i++) {
		for (j = 0; j < n; j++)
			if (strcmp(o[j].name, presets[i].name) == 0)
				break;
		(void)jappend(a, method_json(j < n, presets[i].name));
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < nitems(presets); i++)
			if (strcmp(o[j].name, presets[i].name) == 0)
				break;
		if (i == nitems(presets))
			(void)jappend(a, method_json(1, o[j].name));
	}
	(void)jappend(a, method_json(1, NULL));
	http_json(r, 200, a);
	json_object_put(a);
	for (j = 0; j < n; j++)
		oidc_clear(&o[j]);
	free(o);
}

/* ------------------------------------------------------------------ */
/* POST /api/v1/auth/signup                                             */
/* ------------------------------------------------------------------ */

enum { SU_NAME, SU_EMAIL, SU_PASSWORD };

static const struct field signup_fields[] = {
	{ "name", F_STR, 1, 0, 1, 400, NULL },
	{ "email", F_STR, 1, 0, 3, 320, NULL },
	{ "password", F_STR, 1, 0, PASSWORD_MIN, PASSWORD_MAX, NULL },
};

/*
 * POST /api/v1/auth/signup {name, email, password} -- a local account.
 * The first account of a database without an enabled admin becomes an
 * enabled admin; later ones are disabled and have no roles until an
 * administrator enables them.  No Referer is needed.  Public.  201
 * {id, enabled}; 409 when a local account has this address; 429 with
 * Retry-After once the client address created signup_rate_limit
 * accounts in the last hour; 400/415/422 bad body; 503.
 */
static void
auth_signup(struct req *r)
{
	struct fval	 v[nitems(signup_fields)];
	json_object	*body, *o;
	char		 hash[crypto_pwhash_STRBYTES], *name = NULL;
	const char	*p[3], *ip[1], *s;
	PGresult	*pr = NULL;
	enum dbres	 res;

	memset(hash, 0, sizeof(hash));
	if ((body = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, body, signup_fields, nitems(signup_fields), v,
	    0) == -1)
		goto out;
	for (s = v[SU_NAME].text; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			break;
	if (*s != '\0' || utf8_len(v[SU_NAME].text) > 100 ||
	    (name = clean_text(v[SU_NAME].text, 100)) == NULL) {
		http_error(r, 422, "invalid_field", "'name' must have 1 to "
		    "100 characters, not only blanks, and no control "
		    "characters");
		goto out;
	}
	if (!email_ok(v[SU_EMAIL].text)) {
		http_error(r, 422, "invalid_field", "'email' is not an e-mail "
		    "address");
		goto out;
	}
	/* The slow hash before the transaction: the lock stays short. */
	if (password_hash(v[SU_PASSWORD].text, hash, sizeof(hash)) == -1) {
		http_error(r, 500, "internal", "password hashing failed");
		goto out;
	}
	if (db_begin(r->db) != DB_OK) {
		unavailable(r);
		goto out;
	}
	p[0] = v[SU_EMAIL].text;
	if ((res = db_cmd(r->db, stmts[STMT_LOCK], 0, NULL)) != DB_OK)
		goto dberr;
	/* The throttle: under the lock, so parallel sign-ups count. */
	ip[0] = client_ip(r);
	pr = db_exec(r->db, stmts[STMT_SIGNUP_RATE], 1, ip, &res);
	if (res != DB_OK)
		goto dberr;
	if (PQntuples(pr) > 0) {
		db_rollback(r->db);
		log_info("signup: throttled (%s)", ip[0]);
		http_header(r, "Retry-After", "%s", PQgetvalue(pr, 0, 0));
		http_error(r, 429, "rate_limited", "too many accounts created "
		    "from this address; try again later");
		goto out;
	}
	PQclear(pr);
	pr = db_exec(r->db, stmts[STMT_LOCAL_EXISTS], 1, p, &res);
	if (res != DB_OK)
		goto dberr;
	if (PQntuples(pr) > 0) {
		db_rollback(r->db);
		http_error(r, 409, "conflict", "an account with this e-mail "
		    "address exists");
		goto out;
	}
	PQclear(pr);
	if ((res = db_cmd(r->db, stmts[STMT_SIGNUP_LOG], 1, ip)) != DB_OK) {
		pr = NULL;
		goto dberr;
	}
	p[1] = name;
	p[2] = hash;
	pr = db_exec(r->db, stmts[STMT_SIGNUP], 3, p, &res);
	if (res != DB_OK || PQntuples(pr) != 1)
		goto dberr;
	if ((res = audit(r, db_val(pr, 0, "id"))) != DB_OK)
		goto dberr;
	if ((res = db_commit(r->db)) != DB_OK) {
		db_rollback(r->db);
		rest_db_error(r, res, "user");
		goto out;
	}
	log_info("signup: user %s created (%s)", db_val(pr, 0, "id"),
	    *db_val(pr, 0, "enabled") == 't' ? "enabled admin, the first "
	    "account" : "disabled");
	o = json_object_new_object();
	(void)jadd(o, "id", json_object_new_string(db_val(pr, 0, "id")));
	(void)jadd(o, "enabled", json_object_new_boolean(
	    *db_val(pr, 0, "enabled") == 't'));
	http_json(r, 201, o);
	json_object_put(o);
	goto out;
dberr:
	db_rollback(r->db);
	if (res == DB_CONFLICT)
		http_error(r, 409, "conflict", "an account with this e-mail "
		    "address exists");
	else
		rest_db_error(r, res == DB_OK ? DB_FAIL : res, "user");
out:
	PQclear(pr);
	sodium_memzero(hash, sizeof(hash));
	free(name);
	rest_fields_free(v, nitems(signup_fields));
	json_object_put(body);
}

/* ------------------------------------------------------------------ */
/* POST /api/v1/auth/login                                              */
/* ------------------------------------------------------------------ */

static const struct field login_fields[] = {
	{ "email", F_STR, 1, 0, 1, 320, NULL },
	{ "password", F_STR, 1, 0, 1, PASSWORD_MAX, NULL },
};

/*
 * Check the limits and record the attempt as a failure, atomically.
 * Returns 0 with the row id in "id", or -1 after answering (429, 503).
 */
static int
attempt_begin(struct req *r, const char *email, char *id, size_t idsz)
{
	char		 lim1[16], lim2[16], win[16];
	const char	*p[5], *retry;
	PGresult	*pr = NULL;
	enum dbres	 res;

	(void)snprintf(lim1, sizeof(lim1), "%d", LOGIN_MAX_EMAIL - 1);
	(void)snprintf(lim2, sizeof(lim2), "%d", LOGIN_MAX_IP - 1);
	(void)snprintf(win, sizeof(win), "%d", LOGIN_WINDOW);
	p[0] = email;
	p[1] = client_ip(r);
	p[2] = lim1;
	p[3] = lim2;
	p[4] = win;
	if (db_begin(r->db) != DB_OK)
		goto fail;
	if (db_cmd(r->db, stmts[STMT_RATE_LOCK], 2, p) != DB_OK)
		goto fail;
	pr = db_exec(r->db, stmts[STMT_RATE], 5, p, &res);
	if (res != DB_OK)
		goto fail;
	if (PQntuples(pr) == 1 && (retry = db_val(pr, 0, "retry")) != NULL) {
		db_rollback(r->db);
		log_info("login for %s from %s rate limited",
		    log_quote(email), client_ip(r));
		http_header(r, "Retry-After", "%s", retry);
		http_error(r, 429, "rate_limited", "too many failed logins; "
		    "try again in %s seconds", retry);
		PQclear(pr);
		return -1;
	}
	PQclear(pr);
	pr = db_exec(r->db, stmts[STMT_ATTEMPT], 2, p, &res);
	if (res != DB_OK || PQntuples(pr) != 1 || db_commit(r->db) != DB_OK)
		goto fail;
	(void)strlcpy(id, db_val(pr, 0, "id"), idsz);
	PQclear(pr);
	return 0;
fail:
	db_rollback(r->db);
	PQclear(pr);
	unavailable(r);
	return -1;
}

/*
 * POST /api/v1/auth/login {email, password} -- a session token for a
 * local account.  Public.  200 {jwtToken}; 401 invalid_credentials
 * (unknown address, wrong password, an account without a password),
 * 401 account_disabled; 429 rate_limited with Retry-After after 5
 * failures for the address or 20 for the client address within 15
 * minutes; 400/415/422 bad body; 503.
 */
static void
auth_login(struct req *r)
{
	struct fval	 v[nitems(login_fields)];
	json_object	*body, *o;
	const char	*p[1], *stored;
	char		 aid[64], *tok = NULL;
	PGresult	*pr = NULL;
	enum dbres	 res;
	int		 found, good;

	if ((body = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, body, login_fields, nitems(login_fields), v,
	    0) == -1)
		goto out;

	/* The limits first: a blocked caller costs no password hash. */
	if (attempt_begin(r, v[0].text, aid, sizeof(aid)) == -1)
		goto out;
	p[0] = v[0].text;
	pr = db_query(r->db, stmts[STMT_LOGIN_USER], 1, p, &res);
	if (res != DB_OK) {
		unavailable(r);
		goto out;
	}
	found = PQntuples(pr) == 1 && db_val(pr, 0, "password") != NULL;
	stored = found ? db_val(pr, 0, "password") :
	    password_dummy_hash();
	/* Always one argon2id verification: unknown and wrong take as
	 * long. */
	good = password_verify(stored, v[1].text) && found;
	if (!good) {
		http_error(r, 401, "invalid_credentials", "invalid e-mail "
		    "address or password");
		goto out;
	}
	if (*db_val(pr, 0, "enabled") != 't') {
		http_error(r, 401, "account_disabled", "your account is "
		    "disabled; an administrator must enable it");
		goto out;
	}
	if ((tok = session_token(pr, 0, "local")) == NULL) {
		http_header(r, "Retry-After", "60");
		http_error(r, 503, "unavailable", "sessions are not "
		    "configured (jwt_secret_file)");
		goto out;
	}
	p[0] = aid;
	if (db_cmd(r->db, stmts[STMT_ATTEMPT_OK], 1, p) != DB_OK)
		log_warnx("login attempt %s not marked successful", aid);
	if (audit(r, db_val(pr, 0, "id")) != DB_OK)
		log_warnx("login of %s not written to user_logs",
		    db_val(pr, 0, "id"));
	o = json_object_new_object();
	(void)jadd(o, "jwtToken", json_object_new_string(tok));
	http_json(r, 200, o);
	json_object_put(o);
out:
	free(tok);
	PQclear(pr);
	rest_fields_free(v, nitems(login_fields));
	json_object_put(body);
}

/* ------------------------------------------------------------------ */
/* OpenID Connect                                                       */
/* ------------------------------------------------------------------ */

/* "next" is a path of this site: "/..." and nothing that leaves it. */
static int
next_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > NEXT_MAX || s[0] != '/' || s[1] == '/' ||
	    s[1] == '\\')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '\\' || s[i] == '#')
			return 0;
	return 1;
}

/* HEAD would run a handshake step for nothing: GET only. */
static int
get_only(struct req *r)
{
	if (!r->head)
		return 0;
	http_header(r, "Allow", "GET");
	http_error(r, 405, "method_not_allowed", "method HEAD is not allowed "
	    "here; allowed: GET");
	return -1;
}

/*
 * GET /api/v1/auth/openid/:provider?next=/path[&login_hint=...] -- start
 * a login: a login_requests row with fresh state and nonce, a cookie
 * binding it to this browser, and 302 to the provider's authorization
 * endpoint.  Public.  302; 400 bad next; 404 unknown provider; 503
 * provider or database unreachable.
 */
static void
oidc_start(struct req *r)
{
	struct oidc	 o;
	struct disco	 d;
	const char	*next, *hint, *why, *p[8];
	char		 id[NANOID_LEN + 1], secret[OIDC_SECRET_LEN + 1];
	char		 nonce[OIDC_SECRET_LEN + 1], state[64];
	char		 ua[UA_MAX + 1], *q = NULL, *loc = NULL;
	enum dbres	 res;

	memset(&d, 0, sizeof(d));
	if (get_only(r) == -1)
		return;
	if (oidc_find(req_arg(r, 0), &o) == -1) {
		http_error(r, 404, "not_found", "no OpenID provider %s",
		    log_quote(req_arg(r, 0)));
		return;
	}
	if ((next = req_query(r, "next")) == NULL || *next == '\0')
		next = "/";
	if (!next_ok(next)) {
		http_error(r, 400, "bad_request", "'next' must be a path of "
		    "this site (\"/...\", printable ASCII, no '#')");
		goto out;
	}
	hint = req_query(r, "login_hint");
	if (hint != NULL && (strlen(hint) > 320 || *hint == '\0'))
		hint = NULL;
	if (disco_get(o.issuer, &d, &why) == -1) {
		http_header(r, "Retry-After", "30");
		http_error(r, 503, "unavailable", "%s", why);
		goto out;
	}
	nanoid(id);
	random_alnum(secret, OIDC_SECRET_LEN);
	random_alnum(nonce, OIDC_SECRET_LEN);
	(void)snprintf(state, sizeof(state), "%s.%s", id, secret);
	client_ua(r, ua, sizeof(ua));
	p[0] = id;
	p[1] = nonce;
	p[2] = secret;
	p[3] = o.name;
	p[4] = client_ip(r);
	p[5] = ua;
	p[6] = next;
	p[7] = o.redirect_uri;
	if ((res = db_cmd(r->db, stmts[STMT_LR_INSERT], 8, p)) != DB_OK) {
		rest_db_error(r, res, "login request");
		goto out;
	}
	qappend(&q, "response_type", "code");
	qappend(&q, "client_id", o.client_id);
	qappend(&q, "redirect_uri", o.redirect_uri);
	qappend(&q, "scope", "openid email profile");
	qappend(&q, "state", state);
	qappend(&q, "nonce", nonce);
	if (hint != NULL)
		qappend(&q, "login_hint", hint);
	xasprintf(&loc, "%s%c%s", d.authz, strchr(d.authz, '?') != NULL ?
	    '&' : '?', q);
	http_header(r, "Set-Cookie", OIDC_COOKIE "=%s; Path=/api/v1/auth/"
	    "openid/; Max-Age=%d; HttpOnly; SameSite=Lax%s", id,
	    OIDC_STATE_AGE, strncmp(o.redirect_uri, "https:", 6) == 0 ?
	    "; Secure" : "");
	redirect(r, loc);
out:
	free(q);
	free(loc);
	disco_clear(&d);
	oidc_clear(&o);
}

/* The value of cookie "name" (copied into "out"), or NULL. */
static const char *
cookie(struct req *r, const char *name, char *out, size_t outsz)
{
	const char	*h = req_env(r, "HTTP_COOKIE"), *p, *v;
	size_t		 n = strlen(name), vl;

	for (p = h; p != NULL && *p != '\0'; ) {
		p += strspn(p, " ;");
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			v = p + n + 1;
			vl = strcspn(v, ";");
			while (vl > 0 && v[vl - 1] == ' ')
				vl--;
			if (vl >= outsz)
				return NULL;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		p += strcspn(p, ";");
	}
	return NULL;
}

/* The profile an id_token describes. */
struct profile {
	const char	*sub;
	char		*email;
	char		*name;
	char		*given;
	char		*family;
	char		*locale;
	int		 verified;
};

static void
profile_free(struct profile *pf)
{
	free(pf->email);
	free(pf->name);
	free(pf->given);
	free(pf->family);
	free(pf->locale);
}

static int
profile_read(json_object *c, const char *provider, struct profile *pf,
    const char **why)
{
	json_object	*v;
	const char	*s, *g, *f;
	char		*tmp;

	memset(pf, 0, sizeof(*pf));
	pf->sub = jget_str(c, strcmp(provider, "microsoft") == 0 ? "oid" :
	    "sub");
	if (pf->sub == NULL || *pf->sub == '\0' || strlen(pf->sub) > 255) {
		*why = "the id_token names no subject";
		return -1;
	}
	s = jget_str(c, "email");
	if ((s == NULL || strchr(s, '@') == NULL) &&
	    (s = jget_str(c, "preferred_username")) != NULL &&
	    strchr(s, '@') == NULL)
		s = NULL;
	if (s == NULL || strlen(s) < 3 || strlen(s) > 320 ||
	    strchr(s, '@') == NULL) {
		*why = "the provider gave no e-mail address";
		return -1;
	}
	pf->email = clean_text(s, 320);
	if (json_object_object_get_ex(c, "email_verified", &v))
		pf->verified = (json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v)) ||
		    (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), "true") == 0);
	g = jget_str(c, "given_name");
	f = jget_str(c, "family_name");
	pf->given = clean_text(g, 100);
	pf->family = clean_text(f, 100);
	pf->locale = clean_text(jget_str(c, "locale"), 35);
	if ((pf->name = clean_text(jget_str(c, "name"), 100)) == NULL &&
	    (g != NULL || f != NULL)) {
		xasprintf(&tmp, "%s %s", g != NULL ? g : "", f != NULL ? f :
		    "");
		pf->name = clean_text(tmp, 100);
		free(tmp);
	}
	if (pf->name == NULL)
		pf->name = clean_text(pf->email, 100);
	if (pf->email == NULL || pf->name == NULL) {
		*why = "the provider gave no usable e-mail address";
		return -1;
	}
	return 0;
}

/*
 * Create or update the account of "pf" in one transaction with the
 * account-creation lock.  Returns the USER_OUT row, or NULL after
 * answering (409, 503).
 */
static PGresult *
oidc_upsert(struct req *r, const char *provider, const struct profile *pf)
{
	PGresult	*pr = NULL;
	const char	*p[8];
	char		*id = NULL;
	enum dbres	 res;

	if (db_begin(r->db) != DB_OK) {
		unavailable(r);
		return NULL;
	}
	if ((res = db_cmd(r->db, stmts[STMT_LOCK], 0, NULL)) != DB_OK)
		goto fail;
	p[0] = pf->sub;
	pr = db_exec(r->db, stmts[STMT_OIDC_BY_SUB], 1, p, &res);
	if (res != DB_OK)
		goto fail;
	if (PQntuples(pr) == 1) {
		if (strcmp(db_val(pr, 0, "provider"), provider) != 0) {
			db_rollback(r->db);
			PQclear(pr);
			http_error(r, 409, "conflict", "this OpenID subject "
			    "belongs to an account of another provider");
			return NULL;
		}
		id = xstrdup(db_val(pr, 0, "id"));
		PQclear(pr);
		p[0] = id;
		p[1] = pf->email;
		p[2] = pf->verified ? "true" : "false";
		p[3] = pf->name;
		p[4] = pf->given;
		p[5] = pf->family;
		p[6] = pf->locale;
		pr = db_exec(r->db, stmts[STMT_OIDC_UPDATE], 7, p, &res);
		free(id);
		if (res != DB_OK || PQntuples(pr) != 1)
			goto fail;
	} else {
		PQclear(pr);
		pr = NULL;
		p[0] = provider;
		p[1] = pf->email;
		p[2] = pf->sub;
		p[3] = pf->verified ? "true" : "false";
		p[4] = pf->name;
		p[5] = pf->given;
		p[6] = pf->family;
		p[7] = pf->locale;
		if (pf->verified) {
			pr = db_exec(r->db, stmts[STMT_OIDC_LINK], 8, p, &res);
			if (res != DB_OK)
				goto fail;
			if (PQntuples(pr) != 1) {
				PQclear(pr);
				pr = NULL;
			}
		}
		if (pr == NULL) {
			pr = db_exec(r->db, stmts[STMT_OIDC_INSERT], 8, p,
			    &res);
			if (res != DB_OK || PQntuples(pr) != 1)
				goto fail;
			log_info("OpenID: user %s created for %s (%s)",
			    db_val(pr, 0, "id"), provider,
			    *db_val(pr, 0, "enabled") == 't' ? "enabled "
			    "admin, the first account" : "disabled");
		}
	}
	if ((res = audit(r, db_val(pr, 0, "id"))) != DB_OK)
		goto fail;
	if ((res = db_commit(r->db)) != DB_OK)
		goto fail;
	return pr;
fail:
	db_rollback(r->db);
	PQclear(pr);
	if (res == DB_CONFLICT)
		http_error(r, 409, "conflict", "an account of this provider "
		    "with this e-mail address belongs to another subject");
	else
		rest_db_error(r, res == DB_OK ? DB_FAIL : res, "user");
	return NULL;
}

/*
 * GET /api/v1/auth/openid/:provider/redirect?state&code -- the
 * provider's callback.  The state is used once, within 10 minutes, by
 * the browser that started the login (cookie) and for the same
 * provider; the code is exchanged at the token endpoint; the id_token
 * is verified (RS256 against the JWKS, iss, aud, exp, nbf, iat,
 * nonce); the account is created (disabled, no roles, unless it is the
 * first) or updated.  Public.  302 to "<next>#token=<jwt>", or to
 * "/auth?disabled=true"; 400 no state or code; 401 any verification
 * failure; 404 unknown provider; 409 account conflict; 503.
 */
static void
oidc_callback(struct req *r)
{
	struct oidc	 o;
	struct disco	 d;
	struct profile	 pf;
	const char	*state, *code, *err, *why, *p[3], *dot, *s;
	char		 id[NANOID_LEN + 1], ck[NANOID_LEN + 2], age[16];
	char		*form = NULL, *loc = NULL, *tok = NULL, *nonce = NULL;
	char		*next = NULL;
	json_object	*t = NULL, *claims = NULL;
	PGresult	*pr = NULL;
	enum dbres	 res;
	long		 status;

	memset(&d, 0, sizeof(d));
	memset(&pf, 0, sizeof(pf));
	if (get_only(r) == -1)
		return;
	if (oidc_find(req_arg(r, 0), &o) == -1) {
		http_error(r, 404, "not_found", "no OpenID provider %s",
		    log_quote(req_arg(r, 0)));
		return;
	}
	if ((err = req_query(r, "error")) != NULL) {
		http_error(r, 401, "unauthorized", "the OpenID provider "
		    "refused the login: %s", log_quote(err));
		goto out;
	}
	state = req_query(r, "state");
	code = req_query(r, "code");
	if (state == NULL || code == NULL || *code == '\0' ||
	    strlen(code) > 4096) {
		http_error(r, 400, "bad_request", "'state' and 'code' are "
		    "required");
		goto out;
	}
	if ((dot = strchr(state, '.')) == NULL ||
	    (size_t)(dot - state) != NANOID_LEN ||
	    strlen(dot + 1) != OIDC_SECRET_LEN) {
		http_error(r, 401, "unauthorized", "unknown or expired login "
		    "state");
		goto out;
	}
	memcpy(id, state, NANOID_LEN);
	id[NANOID_LEN] = '\0';
	/* Login CSRF: the state must come back to the browser it left. */
	if (!nanoid_valid(id) || cookie(r, OIDC_COOKIE, ck, sizeof(ck)) ==
	    NULL || strlen(ck) != NANOID_LEN ||
	    sodium_memcmp(ck, id, NANOID_LEN) != 0) {
		http_error(r, 401, "unauthorized", "this login was not started "
		    "in this browser");
		goto out;
	}
	http_header(r, "Set-Cookie", OIDC_COOKIE "=; Path=/api/v1/auth/"
	    "openid/; Max-Age=0; HttpOnly; SameSite=Lax");
	(void)snprintf(age, sizeof(age), "%d", OIDC_STATE_AGE);
	p[0] = id;
	p[1] = dot + 1;
	p[2] = age;
	pr = db_exec(r->db, stmts[STMT_LR_TAKE], 3, p, &res);
	if (res != DB_OK) {
		unavailable(r);
		goto out;
	}
	if (PQntuples(pr) != 1 || strcmp(db_val(pr, 0, "provider"),
	    o.name) != 0 || *db_val(pr, 0, "fresh") != 't') {
		http_error(r, 401, "unauthorized", "unknown, used or expired "
		    "login state");
		goto out;
	}
	nonce = xstrdup(db_val(pr, 0, "nonce"));
	next = xstrdup((s = db_val(pr, 0, "browser_state")) != NULL &&
	    next_ok(s) ? s : "/");
	PQclear(pr);
	pr = NULL;

	if (disco_get(o.issuer, &d, &why) == -1) {
		http_header(r, "Retry-After", "30");
		http_error(r, 503, "unavailable", "%s", why);
		goto out;
	}
	qappend(&form, "grant_type", "authorization_code");
	qappend(&form, "code", code);
	qappend(&form, "redirect_uri", o.redirect_uri);
	qappend(&form, "client_id", o.client_id);
	qappend(&form, "client_secret", o.client_secret);
	if ((t = fetch_json(d.token, form, &status, &why)) == NULL) {
		http_header(r, "Retry-After", "30");
		http_error(r, 503, "unavailable", "%s", why);
		goto out;
	}
	if (status != 200 || (s = jget_str(t, "id_token")) == NULL) {
		err = jget_str(t, "error");
		log_info("OpenID %s: token endpoint status %ld: %s", o.name,
		    status, err != NULL ? log_quote(err) : "no id_token");
		http_error(r, 401, "unauthorized", "the OpenID provider did "
		    "not accept the code");
		goto out;
	}
	if ((claims = idtoken_verify(s, &d, o.client_id, nonce,
	    &why)) == NULL) {
		log_info("OpenID %s: id_token refused: %s", o.name, why);
		http_error(r, 401, "unauthorized", "%s", why);
		goto out;
	}
	if (profile_read(claims, o.name, &pf, &why) == -1) {
		http_error(r, 401, "unauthorized", "%s", why);
		goto out;
	}
	if ((pr = oidc_upsert(r, o.name, &pf)) == NULL)
		goto out;
	if (*db_val(pr, 0, "enabled") != 't') {
		redirect(r, "/auth?disabled=true");
		goto out;
	}
	if ((tok = session_token(pr, 0, o.name)) == NULL) {
		http_header(r, "Retry-After", "60");
		http_error(r, 503, "unavailable", "sessions are not "
		    "configured (jwt_secret_file)");
		goto out;
	}
	xasprintf(&loc, "%s#token=%s", next, tok);
	redirect(r, loc);
out:
	json_object_put(t);
	json_object_put(claims);
	PQclear(pr);
	profile_free(&pf);
	disco_clear(&d);
	oidc_clear(&o);
	free(form);
	free(loc);
	free(tok);
	free(nonce);
	free(next);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-auth", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
