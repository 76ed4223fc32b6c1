/*
 * lib/lookup.c -- see lookup.h.  The order of the pre-checks follows
 * the reference: UNSUPPORTED_INDICATOR, SOURCE_DISABLED,
 * PROVIDER_DISABLED, RUNNER_DISABLED, DISABLED_INDICATOR,
 * WITHIN_IGNORE_LIST, MISSING_SECRET; several can be reported together.
 * A source that passes asks the cache, then its pause (an upstream 429),
 * then its rate limit, then claims the single flight, and only then
 * calls out.
 *
 * Calling out: a built-in source is a transfer on the thread's libcurl
 * multi handle; a PYTHON or JAVA_SCRIPT source is a FetchData call to
 * its runner on a thread of its own (runner_fetch_start()), with the
 * source's timeout as gRPC deadline and timeout_ms, its decrypted
 * secrets and its config values.  The call's thread wakes the multi
 * handle when it is over (curl_multi_wakeup()), so runner calls run at
 * the same time as the transfers and as each other, and their results
 * go out as soon as they land.  A runner that lacks the source's code
 * (NOT_FOUND: restarted, or the source was written while it was down)
 * gets the code with Update and the call is tried once more.
 *
 * A built-in source with a run() hook (DNS, whois, local feed tables,
 * several calls) runs on a thread of its own in the same way
 * (start_run()), with copies of what it reads, so it may block until
 * its deadline; one that outlives the lookup is abandoned and frees its
 * own state.  Transfers, run() and runner results share one mapping to
 * data or errors (take_out(): a 429 pauses the source for its
 * Retry-After) and have the source's secrets redacted from their
 * messages.  A success gets its normalized verdict (the source's verdict
 * hook, or the one a runner's answer carries), which is cached, stored
 * and summed up with the result; see docs/verdicts.md.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <grpc/status.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "kv.h"
#include "log.h"
#include "lookup.h"
#include "nanoid.h"
#include "rest.h"
#include "runner.h"
#include "secret.h"
#include "source.h"
#include "store.h"
#include "xmalloc.h"

#define CACHE_KEY_MAX	1900	/* longer keys are hashed */
#define FLIGHT_TTL_MS	15000	/* how long a shared result is kept */
#define FOLLOW_POLL_MS	50	/* how often a waiting lookup looks */
#define JSON_DEPTH	128	/* nesting accepted in upstream answers */
#define RUN_STACK	(2 * 1024 * 1024) /* a run() source's thread */

enum lk_state {
	ST_NEW,			/* not yet decided */
	ST_CALLING,		/* transfer running */
	ST_WAITING,		/* another lookup is calling; wait for it */
	ST_DONE,		/* result final */
};

struct lk_src {
	char		*id, *name, *slug, *url, *favicon, *builtin;
	char		*kind, *provider_id;
	int		 enabled;
	int		 provider_enabled;	/* -1: no provider */
	int		 cache_enabled, limit_enabled, has_code;
	long long	 cache_interval, limit_count, limit_interval;
	long long	 timeout_ms;
	json_object	*supported, *disabled, *missing, *ignored, *secrets;
	json_object	*config_values;
	const struct src_def *def;

	enum lk_state	 st;
	int		 emitted;
	json_object	*errors;		/* array of {kind, content} */
	json_object	*data;			/* NULL: JSON null */
	json_object	*verdict;		/* normalized, or NULL */
	const char	*cache_action;		/* NULL, FROM_/SAVED_TO_CACHE */
	char		 cached_at[32], expires_at[32];
	char		*cache_key;
	char		 started[32], ended[32];
	long long	 t_start;		/* monotonic ms */

	CURL		*easy;
	struct curl_slist *hdrs;
	struct src_body	 b;			/* the answer */
	struct run_call	*run;			/* run() in flight */
	struct src_secret *sec;
	size_t		 nsec;
	int		 sec_loaded;
	struct runner_fetch *rf;		/* runner call in flight */
	int		 rf_retried;		/* code re-sent after NOT_FOUND */
	long long	 rf_start;		/* monotonic ms of the first */
	int		 claimed;
	long long	 next_poll;
};

/*
 * A run() source's call, shared by the lookup and the call's thread:
 * everything the thread reads is copied here, and the last of the two
 * to let go frees it, so a thread that outlives its lookup (deadline,
 * client gone) finishes on its own copies.
 */
struct run_call {
	pthread_mutex_t	 mu;
	int		 refs;		/* the lookup's and the thread's */
	int		 done;		/* "out" is final */
	int		 released;	/* the lookup let go */
	const struct src_def *def;
	struct src_in	 in;		/* points at the copies below */
	char		*data, *base, *source_url;
	struct src_secret *sec;
	size_t		 nsec;
	json_object	*config;
	struct src_out	 out;
	CURLM		*multi;		/* woken when done */
};

struct lookup {
	char		 id[NANOID_LEN + 1];
	struct lk_src	*s;
	size_t		 n;
	const struct lk_opts *o;
	struct db	*db;
	struct kv	*kv;
	long long	 deadline;		/* monotonic ms */
	int		 py_enabled, js_enabled;
	char		*py_address, *js_address;
	int		 aborted;
	long long	 last_sent;
};

enum stmt {
	STMT_CANDIDATES,
	STMT_REQUEST,
	STMT_HISTORY,
	STMT_CODE,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_CANDIDATES: everything the pre-checks need, in one query.
	 * $1 kind, $2 data, $3 source ids (NULL: all), $4 hosts, $5 domain
	 * suffixes, $6 IP address (NULL if none). */
	"WITH hits AS ("
	" SELECT DISTINCT e.ignore_list_id FROM ignore_list_entries e"
	" WHERE (e.indicator_kind = $1 AND e.data = $2)"
	" OR (e.indicator_kind = 'DOMAIN' AND e.data = ANY($4::text[]))"
	" OR (e.suffix = ANY($5::text[]))"
	" OR ($6::inet IS NOT NULL AND e.net >>= $6::inet)),"
	" lists AS (SELECT l.id, l.name, l.global FROM ignore_lists l"
	" JOIN hits h ON h.ignore_list_id = l.id WHERE l.enabled)"
	" SELECT s.id, s.name, s.slug, s.url, s.favicon, s.kind::text AS kind,"
	" s.builtin, s.enabled, array_to_json(s.supported_indicators) AS"
	" supported, array_to_json(s.disabled_indicators) AS disabled,"
	" s.cache_enabled, s.cache_interval, s.limit_enabled, s.limit_count,"
	" s.limit_interval, s.timeout, s.source_code IS NOT NULL AS has_code,"
	" s.config_values,"
	" s.provider_id, p.enabled AS provider_enabled,"
	" (SELECT json_agg(ss.name ORDER BY ss.name) FROM source_secrets ss"
	"  WHERE ss.source_id = s.id AND ss.required AND ss.secret_id IS NULL)"
	"  AS missing,"
	" (SELECT json_agg(l.name ORDER BY l.name) FROM lists l WHERE l.global"
	"  OR EXISTS (SELECT 1 FROM source_ignore_lists x WHERE"
	"  x.source_id = s.id AND x.ignore_list_id = l.id)"
	"  OR EXISTS (SELECT 1 FROM provider_ignore_lists y WHERE"
	"  y.source_provider_id = s.provider_id AND y.ignore_list_id = l.id))"
	"  AS ignored,"
	" (SELECT json_agg(json_build_object('name', ss.name, 'value',"
	"  encode(sec.value, 'hex'))) FROM source_secrets ss JOIN secrets sec"
	"  ON sec.id = ss.secret_id WHERE ss.source_id = s.id) AS secrets,"
	" (SELECT value FROM server_config WHERE key = 'python_runner_enabled')"
	"  AS py_enabled,"
	" (SELECT value FROM server_config WHERE"
	"  key = 'javascript_runner_enabled') AS js_enabled,"
	" (SELECT value FROM server_config WHERE"
	"  key = 'python_runner_grpc_address') AS py_address,"
	" (SELECT value FROM server_config WHERE"
	"  key = 'javascript_runner_grpc_address') AS js_address"
	" FROM sources s LEFT JOIN providers p ON p.id = s.provider_id"
	" WHERE $3::text[] IS NULL OR s.id = ANY($3::text[])"
	" ORDER BY s.name",
	/* STMT_REQUEST */
	"INSERT INTO requests (id, data, kind, trace_id, user_id)"
	" VALUES ($1, $2, $3, $4, $5)",
	/* STMT_HISTORY: every source's row in one statement. */
	"INSERT INTO source_requests (id, started_at, ended_at, errors, data,"
	" verdict, cache_action, cache_expires_at, cache_cached_at, cache_key,"
	" request_id, source_id, source_name, source_slug, source_url,"
	" source_favicon) SELECT r.id, r.started_at, r.ended_at, r.errors, r.data,"
	" r.verdict, r.cache_action, r.cache_expires_at, r.cache_cached_at,"
	" r.cache_key, $1, r.source_id, r.source_name, r.source_slug, r.source_url,"
	" r.source_favicon FROM json_to_recordset($2::json) AS r("
	"id text, started_at timestamp, ended_at timestamp, errors jsonb, data jsonb,"
	" verdict jsonb, cache_action text, cache_expires_at timestamp,"
	" cache_cached_at timestamp, cache_key text, source_id text,"
	" source_name text, source_slug text, source_url text,"
	" source_favicon text)",
	/* STMT_CODE: the code a runner lacks. */
	"SELECT source_code FROM sources WHERE id = $1",
};

static long long
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* UTC "YYYY-MM-DDTHH:MM:SS.mmm", "off_ms" from now. */
static void
utc_stamp(char *buf, size_t sz, long long off_ms)
{
	struct timespec	 ts;
	struct tm	 tm;
	time_t		 t;
	long long	 ms;
	char		 day[32];

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + off_ms;
	t = (time_t)(ms / 1000);
	(void)gmtime_r(&t, &tm);
	(void)strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(buf, sz, "%.19s.%03d", day, (int)(ms % 1000));
}

int
lookup_match_keys(const char *data, enum ind_kind kind, char ***hosts,
    size_t *nhosts, char **ip)
{
	char	*host = NULL, *h, *p;
	CURLU	*u;
	size_t	 n = 0;

	*hosts = NULL;
	*nhosts = 0;
	*ip = NULL;
	switch (kind) {
	case IND_IPV4:
	case IND_IPV6:
		*ip = xstrdup(data);
		return 0;
	case IND_DOMAIN:
		host = xstrdup(data);
		break;
	case IND_EMAIL:
		if ((p = strrchr(data, '@')) != NULL)
			host = xstrdup(p + 1);
		break;
	case IND_URL:
		if ((u = curl_url()) == NULL)
			return -1;
		if (curl_url_set(u, CURLUPART_URL, data,
		    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
			host = xstrdup(h);
			curl_free(h);
		}
		curl_url_cleanup(u);
		break;
	default:
		return 0;
	}
	if (host == NULL)
		return 0;
	for (p = host; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	/* A URL on an IP address is matched by network too. */
	if (host[0] == '[') {
		host[strcspn(host, "]")] = '\0';
		*ip = xstrdup(host + 1);
		free(host);
		return 0;
	}
	if (strspn(host, "0123456789.") == strlen(host)) {
		*ip = host;
		return 0;
	}
	/* "a.b.example.com": itself, then every parent domain. */
	for (p = host; p != NULL; p = strchr(p, '.') ? strchr(p, '.') + 1 :
	    NULL) {
		*hosts = xreallocarray(*hosts, n + 1, sizeof(char *));
		(*hosts)[n++] = xstrdup(p);
	}
	*nhosts = n;
	free(host);
	return 0;
}

static int
jarray_has(json_object *a, const char *s)
{
	size_t	 i, n;

	if (a == NULL || !json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(a, i)), s) == 0)
			return 1;
	return 0;
}

static void
add_error(struct lk_src *s, const char *kind, json_object *content)
{
	json_object	*e;

	if (s->errors == NULL)
		s->errors = json_object_new_array();
	e = json_object_new_object();
	(void)jadd(e, "kind", json_object_new_string(kind));
	if (content != NULL)
		(void)jadd(e, "content", content);
	(void)jappend(s->errors, e);
}

/* An error with a message, the source's secrets redacted from it. */
static void
add_error_msg(struct lk_src *s, const char *kind, const char *msg)
{
	struct src_in	 in;
	char		*m;

	if (msg == NULL) {
		add_error(s, kind, NULL);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.secrets = s->sec;
	in.nsecrets = s->nsec;
	m = src_redact(&in, msg);
	add_error(s, kind, json_object_new_string(m));
	free(m);
}

static char *
strdup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static long long
ll_or(const char *s, long long def)
{
	const char	*errstr;
	long long	 v;

	if (s == NULL)
		return def;
	v = strtonum(s, 0, 1000000000, &errstr);
	return errstr != NULL ? def : v;
}

static json_object *
json_col(PGresult *pr, int row, const char *col)
{
	const char	*s = db_val(pr, row, col), *err;

	if (s == NULL)
		return NULL;
	return json_parse_capped(s, strlen(s), 8, &err);
}

/*
 * Load the candidate sources.  Returns LK_OK, LK_UNKNOWN_SOURCE (with
 * the first unknown id in "err") or LK_UNAVAILABLE.
 */
static enum lk_status
load_candidates(struct lookup *lk, char *err, size_t errsz)
{
	const struct lk_opts *o = lk->o;
	const char	*p[6], *v;
	char		*ids = NULL, *hostsa = NULL, *exacta, *ip = NULL, **hosts;
	size_t		 nhosts, i, j;
	PGresult	*pr;
	enum dbres	 res;
	enum lk_status	 rc = LK_OK;
	struct lk_src	*s;
	int		 n;

	(void)lookup_match_keys(o->data, o->kind, &hosts, &nhosts, &ip);
	if (o->nsource_ids > 0)
		ids = rest_text_array(o->source_ids, o->nsource_ids);
	/* A plain DOMAIN entry is the host itself; "*.x" entries match
	 * the host or any parent domain. */
	hostsa = rest_text_array(hosts, nhosts);
	exacta = rest_text_array(hosts, nhosts > 0 ? 1 : 0);
	p[0] = ind_kind_name(o->kind);
	p[1] = o->data;
	p[2] = ids;
	p[3] = exacta;
	p[4] = hostsa;
	p[5] = ip;
	pr = db_query(lk->db, stmts[STMT_CANDIDATES], 6, p, &res);
	for (i = 0; i < nhosts; i++)
		free(hosts[i]);
	free(hosts);
	free(hostsa);
	free(exacta);
	free(ids);
	free(ip);
	if (res != DB_OK) {
		PQclear(pr);
		return LK_UNAVAILABLE;
	}

	n = PQntuples(pr);
	/* Every requested id must exist. */
	for (i = 0; i < o->nsource_ids; i++) {
		for (j = 0; j < (size_t)n; j++)
			if (strcmp(PQgetvalue(pr, (int)j, 0),
			    o->source_ids[i]) == 0)
				break;
		if (j == (size_t)n) {
			(void)snprintf(err, errsz, "%s", o->source_ids[i]);
			rc = LK_UNKNOWN_SOURCE;
			goto out;
		}
	}
	lk->py_enabled = 1;	/* the reference's defaults */
	lk->js_enabled = 0;
	if (n > 0) {
		if ((v = db_val(pr, 0, "py_enabled")) != NULL)
			lk->py_enabled = strcmp(v, "true") == 0;
		if ((v = db_val(pr, 0, "js_enabled")) != NULL)
			lk->js_enabled = strcmp(v, "true") == 0;
		if ((v = db_val(pr, 0, "py_address")) != NULL && *v != '\0')
			lk->py_address = xstrdup(v);
		if ((v = db_val(pr, 0, "js_address")) != NULL && *v != '\0')
			lk->js_address = xstrdup(v);
	}
	if (lk->py_address == NULL)
		lk->py_address = xstrdup(runner_default_address("python"));
	if (lk->js_address == NULL)
		lk->js_address = xstrdup(runner_default_address("javascript"));
	lk->s = xcalloc((size_t)n, sizeof(*lk->s));
	lk->n = (size_t)n;
	for (i = 0; i < (size_t)n; i++) {
		s = &lk->s[i];
		s->id = xstrdup(db_val(pr, (int)i, "id"));
		s->name = xstrdup(db_val(pr, (int)i, "name"));
		s->slug = xstrdup(db_val(pr, (int)i, "slug"));
		s->url = xstrdup(db_val(pr, (int)i, "url"));
		s->favicon = strdup_or_null(db_val(pr, (int)i, "favicon"));
		s->builtin = strdup_or_null(db_val(pr, (int)i, "builtin"));
		s->kind = xstrdup(db_val(pr, (int)i, "kind"));
		s->provider_id = strdup_or_null(db_val(pr, (int)i,
		    "provider_id"));
		s->enabled = *db_val(pr, (int)i, "enabled") == 't';
		v = db_val(pr, (int)i, "provider_enabled");
		s->provider_enabled = v == NULL ? -1 : *v == 't';
		s->cache_enabled = *db_val(pr, (int)i, "cache_enabled") == 't';
		s->limit_enabled = *db_val(pr, (int)i, "limit_enabled") == 't';
		s->has_code = *db_val(pr, (int)i, "has_code") == 't';
		s->cache_interval = ll_or(db_val(pr, (int)i,
		    "cache_interval"), 0);
		s->limit_count = ll_or(db_val(pr, (int)i, "limit_count"), 0);
		s->limit_interval = ll_or(db_val(pr, (int)i,
		    "limit_interval"), 0);
		s->timeout_ms = 1000 * ll_or(db_val(pr, (int)i, "timeout"),
		    conf_int("source_timeout"));
		s->supported = json_col(pr, (int)i, "supported");
		s->disabled = json_col(pr, (int)i, "disabled");
		s->missing = json_col(pr, (int)i, "missing");
		s->ignored = json_col(pr, (int)i, "ignored");
		s->secrets = json_col(pr, (int)i, "secrets");
		s->config_values = json_col(pr, (int)i, "config_values");
		s->def = src_find(s->builtin);
	}
out:
	PQclear(pr);
	return rc;
}

/*
 * The pre-checks: errors without any outbound call.
 */
static void
precheck(struct lookup *lk, struct lk_src *s)
{
	const char	*kn = ind_kind_name(lk->o->kind);
	int		 runner_on;

	if (!jarray_has(s->supported, kn) ||
	    (s->def != NULL && !(s->def->kinds & KIND_BIT(lk->o->kind))))
		add_error(s, "UNSUPPORTED_INDICATOR", NULL);
	if (!s->enabled)
		add_error(s, "SOURCE_DISABLED", NULL);
	if (s->provider_enabled == 0)
		add_error(s, "PROVIDER_DISABLED",
		    json_object_new_string(s->provider_id));
	if (strcmp(s->kind, "system") != 0) {
		runner_on = strcmp(s->kind, "python") == 0 ? lk->py_enabled :
		    lk->js_enabled;
		if (!runner_on)
			add_error(s, "RUNNER_DISABLED", json_object_new_string(
			    strcmp(s->kind, "python") == 0 ? "PYTHON" :
			    "JAVA_SCRIPT"));
	}
	if (jarray_has(s->disabled, kn))
		add_error(s, "DISABLED_INDICATOR", NULL);
	if (s->ignored != NULL && json_object_array_length(s->ignored) > 0)
		add_error(s, "WITHIN_IGNORE_LIST", json_object_get(s->ignored));
	if (s->missing != NULL && json_object_array_length(s->missing) > 0)
		add_error(s, "MISSING_SECRET", json_object_get(s->missing));
	if (s->errors == NULL) {
		if (strcmp(s->kind, "system") == 0 && s->def == NULL)
			add_error(s, "MISSING_SOURCE_CODE", NULL);
		else if (strcmp(s->kind, "system") != 0 && !s->has_code)
			add_error(s, "MISSING_SOURCE_CODE", NULL);
	}
}

static void
finish(struct lookup *lk, struct lk_src *s)
{
	(void)lk;
	s->st = ST_DONE;
	utc_stamp(s->ended, sizeof(s->ended), 0);
}

static int
emit(struct lookup *lk, struct lk_src *s)
{
	if (s->emitted || s->st != ST_DONE)
		return 0;
	s->emitted = 1;
	lk->last_sent = mono_ms();
	if (lk->o->on_result != NULL &&
	    lk->o->on_result(lk, (size_t)(s - lk->s), lk->o->arg) == -1) {
		lk->aborted = 1;
		return -1;
	}
	return 0;
}

static void
make_cache_key(struct lookup *lk, struct lk_src *s)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 hex[2 * sizeof(h) + 1];

	xasprintf(&s->cache_key, "%s:%s:%s", s->id,
	    ind_kind_name(lk->o->kind), lk->o->data);
	if (strlen(s->cache_key) > CACHE_KEY_MAX) {
		crypto_hash_sha256(h, (const unsigned char *)lk->o->data,
		    strlen(lk->o->data));
		(void)sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		free(s->cache_key);
		xasprintf(&s->cache_key, "%s:%s:sha256:%s", s->id,
		    ind_kind_name(lk->o->kind), hex);
	}
}

/* Read a stored {data, errors, cachedAt, expiresAt} document. */
static int
apply_stored(struct lk_src *s, const char *text, int from_cache)
{
	json_object	*o, *v;
	const char	*err, *c, *e;

	if ((o = json_parse_capped(text, strlen(text), JSON_DEPTH + 4,
	    &err)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "errors", &v) &&
	    json_object_array_length(v) > 0)
		s->errors = json_object_get(v);
	if (json_object_object_get_ex(o, "data", &v))
		s->data = json_object_get(v);
	if (json_object_object_get_ex(o, "verdict", &v) &&
	    json_object_is_type(v, json_type_object))
		s->verdict = json_object_get(v);
	if (from_cache) {
		c = jget_str(o, "cachedAt");
		e = jget_str(o, "expiresAt");
		s->cache_action = "FROM_CACHE";
		(void)strlcpy(s->cached_at, c ? c : "", sizeof(s->cached_at));
		(void)strlcpy(s->expires_at, e ? e : "",
		    sizeof(s->expires_at));
	}
	json_object_put(o);
	return 0;
}

static char *
stored_doc(struct lk_src *s, int with_times)
{
	json_object	*o;
	char		*txt;

	o = json_object_new_object();
	(void)jadd_nullable(o, "data", json_object_get(s->data));
	if (s->verdict != NULL)
		(void)jadd(o, "verdict", json_object_get(s->verdict));
	(void)jadd(o, "errors", s->errors != NULL ?
	    json_object_get(s->errors) : json_object_new_array());
	if (with_times) {
		(void)jadd(o, "cachedAt", json_object_new_string(s->cached_at));
		(void)jadd(o, "expiresAt",
		    json_object_new_string(s->expires_at));
	}
	txt = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return txt;
}

/* Decrypt the secrets linked to this source's slots. */
static void
load_secrets(struct lk_src *s)
{
	char		 err[256], *hex;
	json_object	*e;
	const char	*name, *val;
	size_t		 i, n;

	if (s->sec_loaded)
		return;
	s->sec_loaded = 1;
	if (s->secrets == NULL || !json_object_is_type(s->secrets,
	    json_type_array))
		return;
	if (secret_key_load(err, sizeof(err)) == -1) {
		log_warnx("secrets unavailable: %s", err);
		return;
	}
	n = json_object_array_length(s->secrets);
	s->sec = xcalloc(n, sizeof(*s->sec));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(s->secrets, i);
		name = jget_str(e, "name");
		val = jget_str(e, "value");
		if (name == NULL || val == NULL)
			continue;
		xasprintf(&hex, "\\x%s", val);
		s->sec[s->nsec].value = secret_decrypt_hex(hex);
		free(hex);
		if (s->sec[s->nsec].value == NULL)
			continue;
		s->sec[s->nsec].name = name;
		s->nsec++;
	}
}

static void
src_in_fill(struct lookup *lk, struct lk_src *s, struct src_in *in)
{
	const char	*over;

	memset(in, 0, sizeof(*in));
	in->data = lk->o->data;
	in->kind = lk->o->kind;
	over = conf_source_url(s->def->builtin);
	in->base = over != NULL ? over : s->def->base;
	in->source_url = s->url;
	in->secrets = s->sec;
	in->nsecrets = s->nsec;
	in->config = s->config_values;
	in->deadline = lk->deadline;
	in->db = lk->db;
}

static void	conclude(struct lookup *, struct lk_src *);

/* --- Runner sources ------------------------------------------------------ */

/* Called on the runner call's thread when it is over. */
static void
wake_multi(void *arg)
{
	(void)curl_multi_wakeup(arg);
}

/*
 * The source's config values as key/value pairs: each element of the
 * configValues array that is an object with a "name" (or "key") and a
 * "value"; a value that is not a string is sent as its JSON text.
 * Borrowed from s->config_values.
 */
static struct runner_kv *
config_pairs(struct lk_src *s, size_t *n)
{
	struct runner_kv	*kv = NULL;
	json_object		*e, *v;
	const char		*k;
	size_t			 i, len;

	*n = 0;
	if (s->config_values == NULL ||
	    !json_object_is_type(s->config_values, json_type_array))
		return NULL;
	len = json_object_array_length(s->config_values);
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(s->config_values, i);
		if (!json_object_is_type(e, json_type_object))
			continue;
		if ((k = jget_str(e, "name")) == NULL &&
		    (k = jget_str(e, "key")) == NULL)
			continue;
		if (!json_object_object_get_ex(e, "value", &v) || v == NULL)
			continue;
		kv = xreallocarray(kv, *n + 1, sizeof(*kv));
		kv[*n].key = k;
		kv[*n].value = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		(*n)++;
	}
	return kv;
}

/*
 * Start the FetchData call of runner source "s" ("code": send it with
 * Update first); on failure "s" is done.
 */
static void
start_runner(struct lookup *lk, struct lk_src *s, CURLM *multi,
    const char *code)
{
	struct runner_fetch_args a;
	struct runner_kv	*sec = NULL, *cfg;
	long long		 now = mono_ms(), left, t;
	size_t			 i, ncfg;

	load_secrets(s);
	if (s->rf_start == 0)
		s->rf_start = now;
	/* The source's timeout runs from its first call. */
	t = s->timeout_ms - (now - s->rf_start);
	left = lk->deadline - now;
	if (t > left)
		t = left;
	if (t < 1)
		t = 1;
	if (s->nsec > 0)
		sec = xcalloc(s->nsec, sizeof(*sec));
	for (i = 0; i < s->nsec; i++) {
		sec[i].key = s->sec[i].name;
		sec[i].value = s->sec[i].value;
	}
	cfg = config_pairs(s, &ncfg);
	memset(&a, 0, sizeof(a));
	a.address = strcmp(s->kind, "python") == 0 ? lk->py_address :
	    lk->js_address;
	a.source_id = s->id;
	a.data = lk->o->data;
	a.kind = ind_kind_name(lk->o->kind);
	a.timeout_ms = t;
	a.secrets = sec;
	a.nsecrets = s->nsec;
	a.config = cfg;
	a.nconfig = ncfg;
	a.code = code;
	a.wake = wake_multi;
	a.wake_arg = multi;
	s->rf = runner_fetch_start(&a);
	free(sec);
	free(cfg);
	if (s->rf == NULL) {
		add_error_msg(s, "INTERNAL_SERVER_ERROR", "cannot start the "
		    "runner call");
		conclude(lk, s);
		return;
	}
	s->st = ST_CALLING;
}

/* The code of source "s" from the database (xmalloc'd), or NULL. */
static char *
source_code(struct lookup *lk, struct lk_src *s)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { s->id };
	char		*code = NULL;

	pr = db_query(lk->db, stmts[STMT_CODE], 1, p, &res);
	if (res == DB_OK && PQntuples(pr) > 0 && !PQgetisnull(pr, 0, 0))
		code = xstrdup(PQgetvalue(pr, 0, 0));
	PQclear(pr);
	return code;
}

/*
 * The runner call of "s" is over: map it to data or errors.  Returns 1
 * when the call was started again (NOT_FOUND: the runner gets the
 * code first), 0 when "s" is done.
 */
static int
end_runner(struct lookup *lk, struct lk_src *s, CURLM *multi)
{
	const char	*msg, *data, *jerr, *wire;
	json_object	*j;
	char		 buf[1200], *code;
	size_t		 len;
	int		 st, in_update;

	st = runner_fetch_result(s->rf, &msg, &data, &len, &in_update);
	wire = runner_wire(s->kind);
	switch (st) {
	case GRPC_STATUS_OK:
		if ((j = json_parse_capped(data, len, JSON_DEPTH, &jerr)) ==
		    NULL && jerr != NULL) {
			(void)snprintf(buf, sizeof(buf), "the %s runner "
			    "answered text that is not JSON: %s", wire, jerr);
			add_error_msg(s, "INTERNAL_SERVER_ERROR", buf);
		} else
			s->data = j;
		break;
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		add_error_msg(s, "TIMEOUT", "no answer in time");
		break;
	case GRPC_STATUS_UNAVAILABLE:
		(void)snprintf(buf, sizeof(buf), "the %s runner is "
		    "unreachable", wire);
		add_error_msg(s, "INTERNAL_SERVER_ERROR", buf);
		break;
	case GRPC_STATUS_NOT_FOUND:
		if (!s->rf_retried && !in_update &&
		    (code = source_code(lk, s)) != NULL) {
			log_info("source %s: the %s runner lacks its code; "
			    "sending it", s->id, wire);
			runner_fetch_release(s->rf);
			s->rf = NULL;
			s->rf_retried = 1;
			start_runner(lk, s, multi, code);
			freezero_str(code);
			return s->st == ST_CALLING;
		}
		(void)snprintf(buf, sizeof(buf), "the %s runner does not "
		    "know the source: %s", wire, msg);
		add_error_msg(s, "INTERNAL_SERVER_ERROR", buf);
		break;
	default:
		if (in_update)
			(void)snprintf(buf, sizeof(buf), "the %s runner "
			    "refused the source's code: %s", wire, msg);
		else
			(void)snprintf(buf, sizeof(buf), "%s", *msg ? msg :
			    "the runner call failed");
		add_error_msg(s, "INTERNAL_SERVER_ERROR", buf);
		break;
	}
	runner_fetch_release(s->rf);
	s->rf = NULL;
	conclude(lk, s);
	return 0;
}

/* --- Results -------------------------------------------------------------- */

/*
 * "out" (from parse(), run() or the HTTP status mapping) becomes the
 * result of "s": data, or an error; an upstream 429 pauses the source
 * for its Retry-After.  Takes out->data and out->message.
 */
static void
take_out(struct lookup *lk, struct lk_src *s, struct src_out *out)
{
	json_object	*c;

	if (out->error == NULL) {
		s->data = out->data;
		out->data = NULL;
	} else if (strcmp(out->error, "RATE_LIMITED") == 0) {
		if (out->retry_after > 0)
			store_pause(lk->db, lk->kv, s->id, out->retry_after);
		c = json_object_new_object();
		(void)jadd(c, "retryAfter", json_object_new_int64(
		    out->retry_after > 0 ? out->retry_after : 0));
		add_error(s, "RATE_LIMITED", c);
	} else
		add_error_msg(s, out->error, out->message);
	json_object_put(out->data);
	out->data = NULL;
	free(out->message);
	out->message = NULL;
}

/*
 * The normalized verdict of a successful result: the source's verdict
 * hook, or for runner sources the verdict their answer carries.
 */
static void
make_verdict(struct lookup *lk, struct lk_src *s)
{
	struct src_in	 in;
	json_object	*v = NULL, *sc;

	if (s->errors != NULL || s->data == NULL || s->verdict != NULL)
		return;
	if (s->def != NULL && s->def->verdict != NULL) {
		src_in_fill(lk, s, &in);
		v = s->def->verdict(&in, s->data);
	} else if (s->def == NULL)
		v = src_verdict_lift(s->data);
	/* The history's check constraint wants this much: a bad verdict
	 * must not cost every row of the lookup. */
	if (v != NULL && (!json_object_is_type(v, json_type_object) ||
	    src_verdict_rank(jget_str(v, "verdict")) < 0 ||
	    !json_object_object_get_ex(v, "score", &sc) ||
	    !json_object_is_type(sc, json_type_int) ||
	    json_object_get_int64(sc) < 0 || json_object_get_int64(sc) > 100)) {
		log_warnx("source %s: malformed verdict dropped", s->id);
		json_object_put(v);
		v = NULL;
	}
	s->verdict = v;
}

/* --- run() sources ------------------------------------------------------- */

static void
run_unref(struct run_call *rc)
{
	size_t	 i;
	int	 last;

	(void)pthread_mutex_lock(&rc->mu);
	last = --rc->refs == 0;
	(void)pthread_mutex_unlock(&rc->mu);
	if (!last)
		return;
	free(rc->data);
	free(rc->base);
	free(rc->source_url);
	for (i = 0; i < rc->nsec; i++) {
		free((char *)(uintptr_t)rc->sec[i].name);
		freezero_str((char *)(uintptr_t)rc->sec[i].value);
	}
	free(rc->sec);
	json_object_put(rc->config);
	json_object_put(rc->out.data);
	free(rc->out.message);
	(void)pthread_mutex_destroy(&rc->mu);
	free(rc);
}

static void *
run_thread(void *arg)
{
	struct run_call	*rc = arg;
	struct src_out	 out;

	memset(&out, 0, sizeof(out));
	rc->def->run(&rc->in, &out);
	(void)pthread_mutex_lock(&rc->mu);
	rc->out = out;
	rc->done = 1;
	if (!rc->released)
		(void)curl_multi_wakeup(rc->multi);
	(void)pthread_mutex_unlock(&rc->mu);
	run_unref(rc);
	return NULL;
}

static int
run_done(struct run_call *rc)
{
	int	 d;

	(void)pthread_mutex_lock(&rc->mu);
	d = rc->done;
	(void)pthread_mutex_unlock(&rc->mu);
	return d;
}

/* The lookup lets go of the call, finished or not. */
static void
run_release(struct run_call *rc)
{
	if (rc == NULL)
		return;
	(void)pthread_mutex_lock(&rc->mu);
	rc->released = 1;
	(void)pthread_mutex_unlock(&rc->mu);
	run_unref(rc);
}

/*
 * Start run() of "s" on a thread of its own, with copies of what it
 * reads, its deadline the sooner of the source's timeout and the
 * lookup's; on failure "s" is done.
 */
static void
start_run(struct lookup *lk, struct lk_src *s, CURLM *multi)
{
	struct run_call	*rc;
	struct src_in	 in;
	pthread_attr_t	 attr;
	pthread_t	 tid;
	sigset_t	 all, old;
	long long	 now = mono_ms();
	size_t		 i;
	int		 err;

	load_secrets(s);
	src_in_fill(lk, s, &in);
	rc = xcalloc(1, sizeof(*rc));
	(void)pthread_mutex_init(&rc->mu, NULL);
	rc->refs = 2;
	rc->def = s->def;
	rc->multi = multi;
	rc->data = xstrdup(in.data);
	rc->base = xstrdup(in.base != NULL ? in.base : "");
	rc->source_url = strdup_or_null(in.source_url);
	if (s->nsec > 0)
		rc->sec = xcalloc(s->nsec, sizeof(*rc->sec));
	for (i = 0; i < s->nsec; i++) {
		rc->sec[i].name = xstrdup(s->sec[i].name);
		rc->sec[i].value = xstrdup(s->sec[i].value);
	}
	rc->nsec = s->nsec;
	if (s->config_values != NULL &&
	    json_object_deep_copy(s->config_values, &rc->config, NULL) != 0)
		rc->config = NULL;
	rc->in.data = rc->data;
	rc->in.kind = in.kind;
	rc->in.base = rc->base;
	rc->in.source_url = rc->source_url;
	rc->in.secrets = rc->sec;
	rc->in.nsecrets = rc->nsec;
	rc->in.config = rc->config;
	rc->in.deadline = now + (s->timeout_ms < lk->deadline - now ?
	    s->timeout_ms : lk->deadline - now);
	rc->in.db = lk->db;

	/* The thread takes no signals: they stay with the workers. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_attr_setstacksize(&attr, RUN_STACK);
	err = pthread_create(&tid, &attr, run_thread, rc);
	(void)pthread_attr_destroy(&attr);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		log_warnx("source %s: cannot start its thread: %s", s->id,
		    strerror(err));
		rc->refs = 1;
		run_unref(rc);
		add_error_msg(s, "INTERNAL_SERVER_ERROR", "cannot start the "
		    "source");
		conclude(lk, s);
		return;
	}
	s->run = rc;
	s->st = ST_CALLING;
}

/* run() of "s" is over: its result, cached and shared. */
static void
end_run(struct lookup *lk, struct lk_src *s)
{
	struct src_out	 out;

	(void)pthread_mutex_lock(&s->run->mu);
	out = s->run->out;
	memset(&s->run->out, 0, sizeof(s->run->out));
	(void)pthread_mutex_unlock(&s->run->mu);
	run_release(s->run);
	s->run = NULL;
	take_out(lk, s, &out);
	conclude(lk, s);
}

/* --- HTTP sources -------------------------------------------------------- */

/*
 * Start the transfer of "s" on "multi"; on failure "s" is done.
 */
static void
start_call(struct lookup *lk, struct lk_src *s, CURLM *multi)
{
	struct src_in	 in;
	struct src_req	 rq;
	char		 err[256], *u;
	long long	 left, t;

	if (s->def == NULL) {
		start_runner(lk, s, multi, NULL);
		return;
	}
	if (s->def->run != NULL) {
		start_run(lk, s, multi);
		return;
	}
	load_secrets(s);
	src_in_fill(lk, s, &in);
	memset(&rq, 0, sizeof(rq));
	if (s->def->build(&in, &rq, err, sizeof(err)) == -1) {
		add_error_msg(s, "UNSUPPORTED_INDICATOR", err);
		finish(lk, s);
		free(rq.url);
		free(rq.body);
		curl_slist_free_all(rq.headers);
		return;
	}
	if ((s->easy = curl_easy_init()) == NULL) {
		add_error_msg(s, "INTERNAL_SERVER_ERROR", "out of memory");
		finish(lk, s);
		free(rq.url);
		free(rq.body);
		curl_slist_free_all(rq.headers);
		return;
	}
	left = lk->deadline - mono_ms();
	t = s->timeout_ms < left ? s->timeout_ms : left;
	s->hdrs = rq.headers;
	src_curl_setup(s->easy, &rq, t, &s->b);
	(void)curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	/* The URL may carry a key: only its redacted form is logged. */
	u = src_redact(&in, rq.url);
	log_debug("source %s: %s %s", s->id, rq.post ? "POST" : "GET", u);
	free(u);
	free(rq.url);
	free(rq.body);
	if (curl_multi_add_handle(multi, s->easy) != CURLM_OK) {
		add_error_msg(s, "INTERNAL_SERVER_ERROR", "cannot start");
		finish(lk, s);
		return;
	}
	s->st = ST_CALLING;
}

/*
 * A transfer ended: map it to data or errors, cache, share, release.
 */
static void
end_call(struct lookup *lk, struct lk_src *s, CURLcode cc)
{
	struct src_in	 in;
	struct src_out	 out;
	json_object	*body;

	memset(&out, 0, sizeof(out));
	if (src_http_map(s->easy, cc, &s->b, 1, &body, &out) == 0) {
		src_in_fill(lk, s, &in);
		s->def->parse(&in, body, &out);
		json_object_put(body);
	}
	take_out(lk, s, &out);
	conclude(lk, s);
}

/*
 * "s" has its result: it is final, cached when it succeeded and the
 * source caches, and shared with the lookups waiting on the same call.
 */
static void
conclude(struct lookup *lk, struct lk_src *s)
{
	long long	 ttl;
	char		*doc;

	finish(lk, s);
	make_verdict(lk, s);
	if (s->errors == NULL && s->cache_enabled && s->cache_interval > 0) {
		ttl = s->cache_interval * 1000;
		utc_stamp(s->cached_at, sizeof(s->cached_at), 0);
		utc_stamp(s->expires_at, sizeof(s->expires_at), ttl);
		doc = stored_doc(s, 1);
		if (store_put(lk->db, lk->kv, s->cache_key, doc, ttl) == 0)
			s->cache_action = "SAVED_TO_CACHE";
		free(doc);
	}
	if (s->claimed) {
		/* Lookups waiting on us read this, then we let go. */
		doc = stored_doc(s, 0);
		{
			char	*fk;

			xasprintf(&fk, "flight:%s", s->cache_key);
			(void)store_put(lk->db, lk->kv, fk, doc,
			    FLIGHT_TTL_MS);
			free(fk);
		}
		free(doc);
		store_release(lk->db, lk->kv, s->cache_key);
		s->claimed = 0;
	}
}

/*
 * Decide what "s" does after the pre-checks: cache, pause, rate limit,
 * single flight, call.
 */
static void
route_source(struct lookup *lk, struct lk_src *s, CURLM *multi)
{
	char		*doc;
	json_object	*c;
	long long	 wait;

	utc_stamp(s->started, sizeof(s->started), 0);
	s->t_start = mono_ms();
	make_cache_key(lk, s);
	if (s->cache_enabled && !lk->o->force &&
	    (doc = store_get(lk->db, lk->kv, s->cache_key)) != NULL) {
		if (apply_stored(s, doc, 1) == 0) {
			free(doc);
			finish(lk, s);
			make_verdict(lk, s);	/* stored before verdicts */
			return;
		}
		free(doc);
	}
	if ((wait = store_paused(lk->db, lk->kv, s->id)) > 0 ||
	    (s->limit_enabled && (wait = store_rate_hit(lk->db, lk->kv, s->id,
	    s->limit_count, s->limit_interval)) > 0)) {
		c = json_object_new_object();
		(void)jadd(c, "retryAfter", json_object_new_int64(wait));
		add_error(s, "RATE_LIMITED", c);
		finish(lk, s);
		return;
	}
	if (store_claim(lk->db, lk->kv, s->cache_key, s->timeout_ms +
	    5000) == 1) {
		s->claimed = 1;
		start_call(lk, s, multi);
	} else {
		s->st = ST_WAITING;
		s->next_poll = mono_ms() + FOLLOW_POLL_MS;
	}
}

/* A waiting source looks for the result of the lookup it waits on. */
static void
poll_follower(struct lookup *lk, struct lk_src *s, CURLM *multi)
{
	char	*fk, *doc;

	xasprintf(&fk, "flight:%s", s->cache_key);
	doc = store_get(lk->db, lk->kv, fk);
	free(fk);
	if (doc != NULL && apply_stored(s, doc, 0) == 0) {
		free(doc);
		finish(lk, s);
		make_verdict(lk, s);
		return;
	}
	free(doc);
	/* The other caller gave up or died: call ourselves. */
	if (store_claim(lk->db, lk->kv, s->cache_key, s->timeout_ms +
	    5000) == 1) {
		s->claimed = 1;
		start_call(lk, s, multi);
		return;
	}
	s->next_poll = mono_ms() + FOLLOW_POLL_MS;
}

/* Has the client closed its connection? */
static int
client_gone(int fd)
{
	struct pollfd	 pfd;
	char		 c;
	ssize_t		 n;

	if (fd < 0)
		return 0;
	pfd.fd = fd;
	pfd.events = POLLIN | POLLRDHUP;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR | POLLRDHUP))
		return 1;
	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0;
}

static CURLM *
thread_multi(void)
{
	static __thread CURLM	*multi;

	/* One per thread, kept: its connection cache is reused. */
	if (multi == NULL && (multi = curl_multi_init()) != NULL)
		(void)curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 64L);
	return multi;
}

static void
drop_easy(CURLM *multi, struct lk_src *s)
{
	if (s->easy == NULL)
		return;
	(void)curl_multi_remove_handle(multi, s->easy);
	curl_easy_cleanup(s->easy);
	s->easy = NULL;
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
}

enum lk_status
lookup_run(struct db *db, struct kv *kv, const struct lk_opts *o,
    struct lookup **out, char *err, size_t errsz)
{
	struct lookup	*lk;
	struct lk_src	*s;
	CURLM		*multi;
	CURLMsg		*m;
	enum lk_status	 rc;
	const char	*p[5];
	long long	 now, wait, keep;
	size_t		 i, busy;
	int		 running, left;

	*out = NULL;
	if ((multi = thread_multi()) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return LK_UNAVAILABLE;
	}
	lk = xcalloc(1, sizeof(*lk));
	lk->o = o;
	lk->db = db;
	lk->kv = kv;
	lk->deadline = mono_ms() + 1000 * conf_int("lookup_deadline");
	keep = 1000 * conf_int("sse_keepalive");

	if ((rc = load_candidates(lk, err, errsz)) != LK_OK) {
		lookup_free(lk);
		return rc;
	}
	nanoid(lk->id);
	p[0] = lk->id;
	p[1] = o->data;
	p[2] = ind_kind_name(o->kind);
	p[3] = o->trace_id;
	p[4] = o->user_id;
	if (db_cmd(db, stmts[STMT_REQUEST], 5, p) != DB_OK) {
		lookup_free(lk);
		(void)snprintf(err, errsz, "cannot record the request");
		return LK_UNAVAILABLE;
	}
	*out = lk;

	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		utc_stamp(s->started, sizeof(s->started), 0);
		precheck(lk, s);
		if (s->errors != NULL)
			finish(lk, s);
	}
	lk->last_sent = mono_ms();
	if (o->on_start != NULL && o->on_start(lk, o->arg) == -1)
		lk->aborted = 1;
	for (i = 0; i < lk->n && !lk->aborted; i++)
		(void)emit(lk, &lk->s[i]);
	for (i = 0; i < lk->n && !lk->aborted; i++) {
		s = &lk->s[i];
		if (s->st != ST_NEW)
			continue;
		route_source(lk, s, multi);
		(void)emit(lk, s);
	}

	/* The fan-out: every transfer at once, results as they land. */
	for (;;) {
		busy = 0;
		for (i = 0; i < lk->n; i++)
			if (lk->s[i].st == ST_CALLING ||
			    lk->s[i].st == ST_WAITING)
				busy++;
		if (busy == 0 || lk->aborted)
			break;
		now = mono_ms();
		if (now >= lk->deadline)
			break;
		(void)curl_multi_perform(multi, &running);
		while ((m = curl_multi_info_read(multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			(void)curl_easy_getinfo(m->easy_handle,
			    CURLINFO_PRIVATE, (char **)&s);
			end_call(lk, s, m->data.result);
			drop_easy(multi, s);
			(void)emit(lk, s);
		}
		/* Runner calls that ended (their thread woke us). */
		for (i = 0; i < lk->n && !lk->aborted; i++) {
			s = &lk->s[i];
			if (s->rf != NULL && runner_fetch_done(s->rf) &&
			    end_runner(lk, s, multi) == 0)
				(void)emit(lk, s);
			else if (s->run != NULL && run_done(s->run)) {
				end_run(lk, s);
				(void)emit(lk, s);
			}
		}
		now = mono_ms();
		wait = lk->deadline - now;
		for (i = 0; i < lk->n; i++) {
			s = &lk->s[i];
			if (s->st != ST_WAITING)
				continue;
			if (now >= s->next_poll) {
				poll_follower(lk, s, multi);
				(void)emit(lk, s);
			}
			if (s->st == ST_WAITING && s->next_poll - now < wait)
				wait = s->next_poll - now;
		}
		if (now - lk->last_sent >= keep) {
			lk->last_sent = now;
			if (o->on_idle != NULL && o->on_idle(lk, o->arg) == -1)
				lk->aborted = 1;
		}
		/* The last transfer may just have ended: do not sleep. */
		for (busy = 0, i = 0; i < lk->n; i++)
			if (lk->s[i].st == ST_CALLING ||
			    lk->s[i].st == ST_WAITING)
				busy++;
		if (busy == 0)
			continue;
		if (client_gone(o->watch_fd)) {
			log_info("client went away, lookup %s cancelled",
			    lk->id);
			lk->aborted = 1;
		}
		if (wait > keep - (now - lk->last_sent))
			wait = keep - (now - lk->last_sent);
		if (wait > 250)
			wait = 250;	/* re-check the client often */
		if (wait < 0)
			wait = 0;
		(void)curl_multi_poll(multi, NULL, 0, (int)wait, NULL);
	}

	/* Whatever is still running ran out of time (or was cancelled). */
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		if (s->st == ST_DONE)
			continue;
		drop_easy(multi, s);
		runner_fetch_release(s->rf);	/* its thread ends alone */
		s->rf = NULL;
		run_release(s->run);		/* so does this one */
		s->run = NULL;
		if (s->claimed) {
			store_release(db, kv, s->cache_key);
			s->claimed = 0;
		}
		add_error_msg(s, "TIMEOUT", lk->aborted ? "the lookup was "
		    "cancelled: the client went away" : "the lookup deadline "
		    "passed");
		finish(lk, s);
		if (!lk->aborted)
			(void)emit(lk, s);
	}
	return lk->aborted ? LK_ABORTED : LK_OK;
}

/* The "source" object of a result. */
static json_object *
source_json(const struct lk_src *s)
{
	json_object	*o = json_object_new_object();

	(void)jadd(o, "id", json_object_new_string(s->id));
	(void)jadd(o, "name", json_object_new_string(s->name));
	(void)jadd(o, "slug", json_object_new_string(s->slug));
	(void)jadd(o, "url", json_object_new_string(s->url));
	if (s->favicon != NULL)
		(void)jadd(o, "favicon", json_object_new_string(s->favicon));
	return o;
}

json_object *
lookup_result_json(const struct lookup *lk, size_t i)
{
	const struct lk_src *s = &lk->s[i];
	json_object	*o, *c, *t;

	o = json_object_new_object();
	(void)jadd(o, "source", source_json(s));
	if (s->cache_action != NULL) {
		c = json_object_new_object();
		(void)jadd(c, "action", json_object_new_string(
		    s->cache_action));
		(void)jadd(c, "cachedAt", json_object_new_string(
		    s->cached_at));
		(void)jadd(c, "expiresAt", json_object_new_string(
		    s->expires_at));
		(void)jadd(c, "cacheKey", json_object_new_string(
		    s->cache_key));
		(void)jadd(o, "cache", c);
	}
	t = json_object_new_object();
	(void)jadd(t, "startedAt", json_object_new_string(s->started));
	(void)jadd(t, "endedAt", json_object_new_string(s->ended));
	(void)jadd(o, "timing", t);
	(void)jadd(o, "errors", lookup_errors_json(lk, i));
	(void)jadd_nullable(o, "data", json_object_get(s->data));
	if (s->verdict != NULL)
		(void)jadd(o, "verdict", json_object_get(s->verdict));
	return o;
}

json_object *
lookup_errors_json(const struct lookup *lk, size_t i)
{
	return lk->s[i].errors != NULL ? json_object_get(lk->s[i].errors) :
	    json_object_new_array();
}

json_object *
lookup_start_json(const struct lookup *lk)
{
	json_object	*a, *o;
	const struct lk_src *s;
	size_t		 i;

	a = json_object_new_array();
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		o = json_object_new_object();
		(void)jadd(o, "source", source_json(s));
		(void)jadd(o, "hasSourceCode", json_object_new_boolean(
		    strcmp(s->kind, "system") == 0 ? s->def != NULL :
		    s->has_code));
		(void)jappend(a, o);
	}
	return a;
}

const char *
lookup_id(const struct lookup *lk)
{
	return lk->id;
}

size_t
lookup_count(const struct lookup *lk)
{
	return lk->n;
}

int
lookup_failed(const struct lookup *lk, size_t i)
{
	return lk->s[i].errors != NULL &&
	    json_object_array_length(lk->s[i].errors) > 0;
}

const char *
lookup_source_id(const struct lookup *lk, size_t i)
{
	return lk->s[i].id;
}

/* --- Summary ------------------------------------------------------------- */

struct summary {
	json_object	*lists[4];	/* by src_verdict_rank() */
	int		 worst;		/* -1: no verdict yet */
	int		 score;
};

static void
summary_init(struct summary *sm)
{
	size_t	 i;

	for (i = 0; i < nitems(sm->lists); i++)
		sm->lists[i] = json_object_new_array();
	sm->worst = -1;
	sm->score = -1;
}

static void
summary_add(struct summary *sm, const char *id, const char *name,
    json_object *v)
{
	json_object	*e, *sc;
	int		 rank, score;

	if (v == NULL || (rank = src_verdict_rank(jget_str(v, "verdict"))) <
	    0)
		return;
	e = json_object_new_object();
	(void)jadd(e, "id", json_object_new_string(id != NULL ? id : ""));
	(void)jadd(e, "name", json_object_new_string(name != NULL ? name :
	    ""));
	(void)jappend(sm->lists[rank], e);
	if (rank > sm->worst)
		sm->worst = rank;
	if (json_object_object_get_ex(v, "score", &sc) &&
	    json_object_is_type(sc, json_type_int) &&
	    (score = json_object_get_int(sc)) > sm->score)
		sm->score = score;
}

static json_object *
summary_json(struct summary *sm)
{
	static const char *const words[] = { SRC_UNKNOWN, SRC_BENIGN,
	    SRC_SUSPICIOUS, SRC_MALICIOUS };
	json_object	*o, *by;
	int		 i;

	o = json_object_new_object();
	(void)jadd(o, "verdict", json_object_new_string(sm->worst < 0 ?
	    SRC_UNKNOWN : words[sm->worst]));
	(void)jadd_nullable(o, "score", sm->score < 0 ? NULL :
	    json_object_new_int(sm->score));
	by = json_object_new_object();
	for (i = 3; i >= 0; i--)
		(void)jadd(by, words[i], sm->lists[i]);
	(void)jadd(o, "sources", by);
	return o;
}

json_object *
lookup_summary_json(const struct lookup *lk)
{
	struct summary	 sm;
	const struct lk_src *s;
	size_t		 i;

	summary_init(&sm);
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		if (s->errors == NULL)
			summary_add(&sm, s->id, s->name, s->verdict);
	}
	return summary_json(&sm);
}

json_object *
lookup_summary_rows(json_object *rows)
{
	struct summary	 sm;
	json_object	*r, *v, *e;
	size_t		 i, n;

	summary_init(&sm);
	n = rows != NULL && json_object_is_type(rows, json_type_array) ?
	    json_object_array_length(rows) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(rows, i);
		/* A row with errors said nothing. */
		if (json_object_object_get_ex(r, "errors", &e) &&
		    json_object_is_type(e, json_type_array) &&
		    json_object_array_length(e) > 0)
			continue;
		if (json_object_object_get_ex(r, "verdict", &v))
			summary_add(&sm, jget_str(r, "sourceId"),
			    jget_str(r, "sourceName"), v);
	}
	return summary_json(&sm);
}

void
lookup_save(struct db *db, struct lookup *lk)
{
	json_object	*a, *r;
	const struct lk_src *s;
	const char	*p[2];
	char		 id[NANOID_LEN + 1];
	size_t		 i;

	if (lk == NULL || lk->n == 0)
		return;
	a = json_object_new_array();
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		r = json_object_new_object();
		/* Ids made here: cheaper than nanoid() in plpgsql per row. */
		nanoid(id);
		(void)jadd(r, "id", json_object_new_string(id));
		(void)jadd(r, "started_at", json_object_new_string(
		    s->started));
		(void)jadd(r, "ended_at", json_object_new_string(
		    s->ended[0] ? s->ended : s->started));
		(void)jadd(r, "errors", lookup_errors_json(lk, i));
		(void)jadd_nullable(r, "data", json_object_get(s->data));
		(void)jadd_nullable(r, "verdict", json_object_get(s->verdict));
		if (s->cache_action != NULL) {
			(void)jadd(r, "cache_action", json_object_new_string(
			    s->cache_action));
			(void)jadd(r, "cache_expires_at",
			    json_object_new_string(s->expires_at));
			(void)jadd(r, "cache_cached_at",
			    json_object_new_string(s->cached_at));
			(void)jadd(r, "cache_key", json_object_new_string(
			    s->cache_key));
		}
		(void)jadd(r, "source_id", json_object_new_string(s->id));
		(void)jadd(r, "source_name", json_object_new_string(s->name));
		(void)jadd(r, "source_slug", json_object_new_string(s->slug));
		(void)jadd(r, "source_url", json_object_new_string(s->url));
		(void)jadd_nullable(r, "source_favicon",
		    jstr_or_null(s->favicon));
		(void)jappend(a, r);
	}
	p[0] = lk->id;
	p[1] = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	if (db_cmd(db, stmts[STMT_HISTORY], 2, p) != DB_OK)
		log_warnx("lookup %s: the history rows were not written",
		    lk->id);
	json_object_put(a);
}

void
lookup_free(struct lookup *lk)
{
	struct lk_src	*s;
	size_t		 i, j;

	if (lk == NULL)
		return;
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		free(s->id);
		free(s->name);
		free(s->slug);
		free(s->url);
		free(s->favicon);
		free(s->builtin);
		free(s->kind);
		free(s->provider_id);
		json_object_put(s->supported);
		json_object_put(s->disabled);
		json_object_put(s->missing);
		json_object_put(s->ignored);
		json_object_put(s->secrets);
		json_object_put(s->config_values);
		runner_fetch_release(s->rf);
		run_release(s->run);
		json_object_put(s->errors);
		json_object_put(s->data);
		json_object_put(s->verdict);
		free(s->cache_key);
		src_body_free(&s->b);
		curl_slist_free_all(s->hdrs);
		for (j = 0; j < s->nsec; j++)
			freezero_str((char *)(uintptr_t)s->sec[j].value);
		free(s->sec);
	}
	free(lk->s);
	free(lk->py_address);
	free(lk->js_address);
	free(lk);
}
