/*
 * fcgi/config.c -- iocagg-config: the /api/v1/config route group, the
 * runtime settings of the server_config table.  See iocagg-config(8).
 *
 * The eleven keys, their kinds, defaults and rules live in keys[]
 * below: a missing row means the default.  Values are stored as text
 * in a canonical form ("true"/"false", decimal integers) and answered
 * typed.  Unlike the reference, an unknown key is refused, every value
 * is checked against its kind and key before anything is written, and
 * a PUT applies its whole array or nothing.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "rest.h"
#include "runner.h"
#include "xmalloc.h"

#define ENTRIES_MAX	64		/* entries in one PUT */
#define CODE_MAX	65536		/* bytes of a CODE value */
#define STRING_MAX	2048		/* bytes of a STRING value */
#define SUN_PATH_MAX	107		/* a unix socket path, bytes */

static void	config_get(struct req *);
static void	config_put(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/config", config_get, NULL, 0 },
	{ METHOD_PUT, "/api/v1/config", config_put, ROLE_CONFIG_EDIT, 0 },
};

enum kind {
	K_STRING,
	K_NUMBER,
	K_BOOLEAN,
	K_CODE,
	K__MAX
};

static const char *const kind_names[K__MAX] = {
	"STRING", "NUMBER", "BOOLEAN", "CODE",
};

/* Checks beyond the kind. */
enum rule {
	R_NONE,
	R_PROXY_TYPE,		/* one of proxy_types */
	R_PROXY_URL,		/* scheme://host[:port] of a proxy */
	R_RUNNER,		/* unix:/path or host:port */
};

struct key {
	const char	*name;		/* snake_case, the JSON key */
	enum kind	 kind;
	const char	*category;	/* CODE, PROXY, SSE, RUNNERS, SECURITY */
	const char	*def;		/* default, as stored text */
	long long	 min, max;	/* NUMBER: value; others: length */
	enum rule	 rule;
	const char	*friendly;	/* friendlyName */
	const char	*description;
};

#define PYTHON_TEMPLATE \
"# A Python source for iocagg.\n" \
"#\n" \
"# fetch_data(data, kind) is called for every lookup of this source.\n" \
"# \"data\" is the indicator, already validated and normalized, and\n" \
"# \"kind\" its kind: DOMAIN, IPV4, IPV6, URL, EMAIL, SHA1, SHA256,\n" \
"# SHA512, MD5, TLSH or SSDEEP.  Return a str, a dict or a list: it\n" \
"# becomes the \"data\" of this source's result.  An exception is\n" \
"# reported as this source's error; it does not affect other sources.\n" \
"\n" \
"import json\n" \
"import urllib.request\n" \
"\n" \
"\n" \
"def fetch_data(data, kind):\n" \
"    if kind not in (\"DOMAIN\", \"IPV4\", \"IPV6\"):\n" \
"        return {\"supported\": False}\n" \
"    url = \"https://example.com/api/lookup/\" + data\n" \
"    with urllib.request.urlopen(url, timeout=10) as response:\n" \
"        return json.loads(response.read().decode(\"utf-8\"))\n" \
"\n" \
"\n" \
"# Optional: called every task interval when the source's background\n" \
"# task is enabled, e.g. to refresh a local copy of a feed.\n" \
"def background_task():\n" \
"    pass\n"

#define JAVASCRIPT_TEMPLATE \
"// A JavaScript source for iocagg.\n" \
"//\n" \
"// fetch_data(data, kind) is called for every lookup of this source.\n" \
"// \"data\" is the indicator, already validated and normalized, and\n" \
"// \"kind\" its kind: DOMAIN, IPV4, IPV6, URL, EMAIL, SHA1, SHA256,\n" \
"// SHA512, MD5, TLSH or SSDEEP.  Return a string, an object or an\n" \
"// array: it becomes the \"data\" of this source's result.  A thrown\n" \
"// error is reported as this source's error; it does not affect\n" \
"// other sources.\n" \
"function fetch_data(data, kind) {\n" \
"\tif (kind !== \"DOMAIN\" && kind !== \"URL\")\n" \
"\t\treturn { supported: false };\n" \
"\treturn { indicator: data, kind: kind, length: data.length };\n" \
"}\n"

/* The reference's 11 keys, in the reference's order. */
static const struct key keys[] = {
	{ "javascript_source_template", K_CODE, "CODE", JAVASCRIPT_TEMPLATE,
	    0, CODE_MAX, R_NONE, "JavaScript source template",
	    "The code a new JavaScript source starts from." },
	{ "python_source_template", K_CODE, "CODE", PYTHON_TEMPLATE,
	    0, CODE_MAX, R_NONE, "Python source template",
	    "The code a new Python source starts from." },
	{ "proxy_enabled", K_BOOLEAN, "PROXY", "false", 0, 0, R_NONE,
	    "Proxy enabled",
	    "Whether user code should reach the Internet through the proxy "
	    "below, for the runners.  Built-in sources use upstream_proxy "
	    "of iocagg.conf." },
	{ "proxy_type", K_STRING, "PROXY", "http", 1, 16, R_PROXY_TYPE,
	    "Proxy type",
	    "The proxy protocol: http, https, socks4, socks4a, socks5 or "
	    "socks5h." },
	{ "proxy_value", K_STRING, "PROXY", "http://localhost:8080", 1,
	    STRING_MAX, R_PROXY_URL, "Proxy address",
	    "The proxy, as scheme://host:port." },
	{ "sse_keep_alive", K_NUMBER, "SSE", "30000", 1000, 300000, R_NONE,
	    "Event stream keep-alive",
	    "Milliseconds between keep-alive comments of the web "
	    "interface's event streams (1000 to 300000).  The server's own "
	    "streams use sse_keepalive of iocagg.conf." },
	{ "sse_number_concurrent_source_fetching", K_NUMBER, "SSE", "10", 1,
	    1000, R_NONE, "Concurrent source fetches",
	    "How many sources one lookup may query at the same time (1 to "
	    "1000).  Kept for the reference's clients: the lookup engine "
	    "queries every candidate source at once." },
	{ "javascript_runner_grpc_address", K_STRING, "RUNNERS",
	    RUNNER_JAVASCRIPT_ADDRESS_DEF, 1, 255, R_RUNNER,
	    "JavaScript runner address",
	    "The gRPC address of the JavaScript runner: unix:/path of a "
	    "socket, or host:port." },
	{ "javascript_runner_enabled", K_BOOLEAN, "RUNNERS", "false", 0, 0,
	    R_NONE, "JavaScript runner enabled",
	    "Whether JavaScript sources run; when false their lookups report "
	    "RUNNER_DISABLED." },
	{ "python_runner_grpc_address", K_STRING, "RUNNERS",
	    RUNNER_PYTHON_ADDRESS_DEF, 1, 255, R_RUNNER,
	    "Python runner address",
	    "The gRPC address of the Python runner: unix:/path of a socket, "
	    "or host:port." },
	{ "python_runner_enabled", K_BOOLEAN, "RUNNERS", "true", 0, 0, R_NONE,
	    "Python runner enabled",
	    "Whether Python sources run; when false their lookups report "
	    "RUNNER_DISABLED." },
	{ "signup_rate_limit", K_NUMBER, "SECURITY", "10", 1, 100000, R_NONE,
	    "Sign-ups per address and hour",
	    "How many local accounts one client address may create in an "
	    "hour (1 to 100000); more get 429 with Retry-After." },
};

static const char *const proxy_types[] = {
	"http", "https", "socks4", "socks4a", "socks5", "socks5h",
};

enum stmt {
	STMT_GET,
	STMT_UPSERT,
	STMT_DELETE,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_GET: the overrides of known keys ($1 text[]). */
	"SELECT id, created_at, updated_at, key, value, last_modified_user_id"
	" FROM server_config WHERE key = ANY($1::text[])",
	/* STMT_UPSERT: $1 key, $2 value, $3 user. */
	"INSERT INTO server_config (key, value, last_modified_user_id)"
	" VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET"
	" value = EXCLUDED.value,"
	" last_modified_user_id = EXCLUDED.last_modified_user_id",
	/* STMT_DELETE: back to the default. */
	"DELETE FROM server_config WHERE key = $1",
};

_Static_assert(nitems(stmts) == STMT__MAX, "one statement per enum stmt");
_Static_assert(nitems(kind_names) == K__MAX, "one name per enum kind");

static const struct key *
key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Printable ASCII without blanks: addresses and proxy URLs. */
static int
graph_only(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isgraph((unsigned char)*s))
			return 0;
	return 1;
}

/* "unix:/abs/path" or "host:port" (host a name, IPv4 or [IPv6]). */
static int
runner_address_ok(const char *s)
{
	const char	*colon, *errstr, *h;
	size_t		 hlen;

	if (!graph_only(s))
		return 0;
	if (strncmp(s, "unix:", 5) == 0)
		return s[5] == '/' && s[6] != '\0' &&
		    strlen(s + 5) <= SUN_PATH_MAX;
	if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return 0;
	if (strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    colon[1] == '\0' || strlen(colon + 1) > 5)
		return 0;
	(void)strtonum(colon + 1, 1, 65535, &errstr);
	if (errstr != NULL)
		return 0;
	h = s;
	hlen = (size_t)(colon - s);
	if (h[0] == '[')
		return hlen > 2 && h[hlen - 1] == ']' &&
		    strspn(h + 1, "0123456789abcdefABCDEF:.") == hlen - 2;
	if (hlen > 253)
		return 0;
	/* Container names may hold "_". */
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_") == hlen && h[0] != '-' && h[0] != '.';
}

static int
proxy_type_ok(const char *s)
{
	size_t	 i;

	for (i = 0; i < nitems(proxy_types); i++)
		if (strcmp(proxy_types[i], s) == 0)
			return 1;
	return 0;
}

/* "<proxy type>://host[:port][/]". */
static int
proxy_url_ok(const char *s)
{
	const char	*sep;
	char		 scheme[16];
	size_t		 n;

	if (!graph_only(s) || (sep = strstr(s, "://")) == NULL)
		return 0;
	n = (size_t)(sep - s);
	if (n == 0 || n >= sizeof(scheme))
		return 0;
	memcpy(scheme, s, n);
	scheme[n] = '\0';
	/* No "user:password@": every user may read the config, so a
	 * credential would leak (a proxy needing one is configured in
	 * iocagg.conf's upstream_proxy, readable by root only). */
	if (strchr(sep + 3, '@') != NULL)
		return 0;
	return proxy_type_ok(scheme) && sep[3] != '\0' && sep[3] != '/' &&
	    sep[3] != ':';
}

/*
 * Check "v", the value given for "k", and turn it into its stored
 * text ("*out", caller frees).  Booleans and numbers are also taken
 * as the strings "true"/"false" and decimal digits, which is what the
 * reference's clients send.  On failure "why" says what is wrong.
 */
static int
value_parse(const struct key *k, json_object *v, char **out, char *why,
    size_t whysz)
{
	const char	*s, *errstr;
	long long	 n;
	size_t		 len;

	*out = NULL;
	switch (k->kind) {
	case K_BOOLEAN:
		if (json_object_is_type(v, json_type_boolean)) {
			*out = xstrdup(json_object_get_boolean(v) ? "true" :
			    "false");
			return 0;
		}
		if (json_object_is_type(v, json_type_string) &&
		    (strcmp(json_object_get_string(v), "true") == 0 ||
		    strcmp(json_object_get_string(v), "false") == 0)) {
			*out = xstrdup(json_object_get_string(v));
			return 0;
		}
		(void)snprintf(why, whysz, "must be true or false");
		return -1;
	case K_NUMBER:
		if (json_object_is_type(v, json_type_int)) {
			n = (long long)json_object_get_int64(v);
			if (n < k->min || n > k->max)
				goto range;
		} else if (json_object_is_type(v, json_type_string)) {
			s = json_object_get_string(v);
			if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
				goto notint;
			n = strtonum(s, k->min, k->max, &errstr);
			if (errstr != NULL)
				goto range;
		} else
			goto notint;
		xasprintf(out, "%lld", n);
		return 0;
	case K_STRING:
	case K_CODE:
		if (!json_object_is_type(v, json_type_string)) {
			(void)snprintf(why, whysz, "must be a string");
			return -1;
		}
		s = json_object_get_string(v);
		len = strlen(s);
		if ((size_t)json_object_get_string_len(v) != len) {
			(void)snprintf(why, whysz, "contains a NUL byte");
			return -1;
		}
		if ((long long)len < k->min || (long long)len > k->max) {
			(void)snprintf(why, whysz, "must have %lld to %lld "
			    "characters", k->min, k->max);
			return -1;
		}
		switch (k->rule) {
		case R_PROXY_TYPE:
			if (!proxy_type_ok(s)) {
				(void)snprintf(why, whysz, "must be http, "
				    "https, socks4, socks4a, socks5 or "
				    "socks5h");
				return -1;
			}
			break;
		case R_PROXY_URL:
			if (!proxy_url_ok(s)) {
				(void)snprintf(why, whysz, "must be a proxy "
				    "URL such as http://proxy:3128 (http, "
				    "https, socks4, socks4a, socks5 or "
				    "socks5h), without credentials");
				return -1;
			}
			break;
		case R_RUNNER:
			if (!runner_address_ok(s)) {
				(void)snprintf(why, whysz, "must be "
				    "unix:/path/of/socket or host:port");
				return -1;
			}
			break;
		case R_NONE:
			break;
		}
		*out = xstrdup(s);
		return 0;
	case K__MAX:
		break;
	}
	(void)snprintf(why, whysz, "has an unknown kind");
	return -1;
notint:
	(void)snprintf(why, whysz, "must be an integer");
	return -1;
range:
	(void)snprintf(why, whysz, "must be between %lld and %lld", k->min,
	    k->max);
	return -1;
}

/*
 * The typed JSON of stored text "s" of key "k".  Text that does not
 * parse (only a hand-edited row can hold it) is answered as a string,
 * so the operator sees it.
 */
static json_object *
value_json(const struct key *k, const char *s)
{
	const char	*errstr;
	long long	 n;

	switch (k->kind) {
	case K_BOOLEAN:
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
			return json_object_new_boolean(*s == 't');
		break;
	case K_NUMBER:
		if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
			n = strtonum(s, 0, 1000000000, &errstr);
			if (errstr == NULL)
				return json_object_new_int64(n);
		}
		break;
	default:
		return json_object_new_string(s);
	}
	log_warnx("server_config %s holds an invalid value", k->name);
	return json_object_new_string(s);
}

/* Member "col" of row object "row" (NULL: JSON null), a new reference. */
static json_object *
row_member(json_object *row, const char *col)
{
	json_object	*v;

	if (row == NULL || !json_object_object_get_ex(row, col, &v))
		return NULL;
	return json_object_get(v);
}

/*
 * GET /api/v1/config -- every key, in the reference's order, as
 * {id, createdAt, updatedAt, value, defaultValue, friendlyName,
 * description, kind, category, lastModifiedUserId}; the override's
 * members are null when the key has its default.  Any authenticated
 * user.  200; 503.
 */
static void
config_get(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	json_object	*out = NULL, *o, *row;
	char		*names[nitems(keys)], *arr;
	const char	*p[1], *v;
	size_t		 i;
	int		 j, n;

	for (i = 0; i < nitems(keys); i++)
		names[i] = (char *)(uintptr_t)keys[i].name;
	arr = rest_text_array(names, nitems(keys));
	p[0] = arr;
	pr = db_query(r->db, stmts[STMT_GET], 1, p, &res);
	free(arr);
	if (res != DB_OK) {
		rest_db_error(r, res, "config");
		goto out;
	}
	n = PQntuples(pr);
	out = json_object_new_object();
	for (i = 0; i < nitems(keys); i++) {
		row = NULL;
		v = NULL;
		for (j = 0; j < n; j++)
			if (strcmp(db_val(pr, j, "key"), keys[i].name) == 0) {
				row = db_row_json(pr, j);
				v = db_val(pr, j, "value");
				break;
			}
		o = json_object_new_object();
		(void)jadd_nullable(o, "id", row_member(row, "id"));
		(void)jadd_nullable(o, "createdAt", row_member(row,
		    "createdAt"));
		(void)jadd_nullable(o, "updatedAt", row_member(row,
		    "updatedAt"));
		(void)jadd_nullable(o, "value", v != NULL ?
		    value_json(&keys[i], v) : NULL);
		(void)jadd(o, "defaultValue", value_json(&keys[i],
		    keys[i].def));
		(void)jadd(o, "friendlyName", json_object_new_string(
		    keys[i].friendly));
		(void)jadd(o, "description", json_object_new_string(
		    keys[i].description));
		(void)jadd(o, "kind", json_object_new_string(
		    kind_names[keys[i].kind]));
		(void)jadd(o, "category", json_object_new_string(
		    keys[i].category));
		(void)jadd_nullable(o, "lastModifiedUserId", row_member(row,
		    "lastModifiedUserId"));
		json_object_put(row);
		(void)jadd(out, keys[i].name, o);
	}
	http_json(r, 200, out);
out:
	json_object_put(out);
	PQclear(pr);
}

/* One checked entry of a PUT. */
struct entry {
	const struct key *k;
	char		*text;		/* stored text; NULL: delete */
};

/*
 * Check entry "i" of the body into "e"; 422 naming the problem.
 */
static int
entry_parse(struct req *r, json_object *o, size_t i, struct entry *e)
{
	struct json_object_iterator	 it, end;
	json_object			*kv, *vv;
	const char			*name;
	char				 why[160];

	if (!json_object_is_type(o, json_type_object)) {
		http_error(r, 422, "invalid_field", "entry %zu must be an "
		    "object {\"key\": ..., \"value\": ...}", i);
		return -1;
	}
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		if (strcmp(name, "key") != 0 && strcmp(name, "value") != 0) {
			http_error(r, 422, "invalid_field", "entry %zu: "
			    "unknown field '%.64s'", i, name);
			return -1;
		}
	}
	if (!json_object_object_get_ex(o, "key", &kv) ||
	    !json_object_is_type(kv, json_type_string)) {
		http_error(r, 422, "invalid_field", "entry %zu: 'key' is "
		    "required and must be a string", i);
		return -1;
	}
	name = json_object_get_string(kv);
	if ((e->k = key_find(name)) == NULL) {
		http_error(r, 422, "invalid_field", "unknown config key "
		    "'%.100s'", name);
		return -1;
	}
	e->text = NULL;
	if (!json_object_object_get_ex(o, "value", &vv) || vv == NULL)
		return 0;
	if (value_parse(e->k, vv, &e->text, why, sizeof(why)) == -1) {
		http_error(r, 422, "invalid_field", "'value' of %s (%s) %s",
		    e->k->name, kind_names[e->k->kind], why);
		return -1;
	}
	return 0;
}

/*
 * PUT /api/v1/config -- [{key, value?}]: a value sets the override
 * (the caller becomes lastModifiedUserId), an absent or null value
 * removes it.  Every entry is checked first, then all are written in
 * one transaction.  Role config_edit.  204; 400/415 bad body; 422
 * unknown key, bad value, duplicate key; 503.
 */
static void
config_put(struct req *r)
{
	json_object	*a;
	struct entry	 e[ENTRIES_MAX];
	size_t		 i, j, n = 0;
	const char	*p[3];
	enum dbres	 res = DB_OK;

	if ((a = req_json(r)) == NULL)
		return;
	if (!json_object_is_type(a, json_type_array)) {
		http_error(r, 422, "invalid_field", "the body must be an "
		    "array of {\"key\": ..., \"value\": ...}");
		goto out;
	}
	if (json_object_array_length(a) > ENTRIES_MAX) {
		http_error(r, 422, "invalid_field", "at most %d entries",
		    ENTRIES_MAX);
		goto out;
	}
	for (i = 0; i < json_object_array_length(a); i++) {
		if (entry_parse(r, json_object_array_get_idx(a, i), i,
		    &e[n]) == -1)
			goto out;
		n++;
		for (j = 0; j + 1 < n; j++)
			if (e[j].k == e[n - 1].k) {
				http_error(r, 422, "invalid_field", "config "
				    "key '%s' is given twice", e[j].k->name);
				goto out;
			}
	}

	if (n > 0 && (res = db_begin(r->db)) == DB_OK) {
		for (i = 0; i < n && res == DB_OK; i++) {
			p[0] = e[i].k->name;
			p[1] = e[i].text;
			p[2] = r->user->id;
			res = db_cmd(r->db, stmts[e[i].text != NULL ?
			    STMT_UPSERT : STMT_DELETE], e[i].text != NULL ?
			    3 : 1, p);
		}
		if (res == DB_OK)
			res = db_commit(r->db);
		else
			db_rollback(r->db);
	}
	if (res != DB_OK)
		rest_db_error(r, res, "config key");
	else
		http_empty(r, 204);
out:
	for (i = 0; i < n; i++)
		free(e[i].text);
	json_object_put(a);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-config", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
