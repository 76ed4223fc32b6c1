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
#include "source.h"
#include "srcsecrets.h"
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
	unsigned	 supported, disabled;	/* KIND_BIT()s */
	json_object	*missing, *ignored, *secrets;
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
	char		*cached_doc;		/* prefetched from the cache */
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
	STMT_BEGIN,
	STMT_REQUEST,
	STMT_REQUEST_DROP,
	STMT_HISTORY,
	STMT_HISTORY_GONE,
	STMT_CODE,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_CANDIDATES: everything the pre-checks need that does not
	 * depend on the indicator, for every source, ordered by name, and
	 * the snapshot it was read in (see load_candidates()).  One row at
	 * least: with no source, s.id is NULL. */
	"SELECT g.snap, g.py_enabled, g.js_enabled, g.py_address, g.js_address,"
	" s.id, s.name, s.slug, s.url, s.favicon, s.kind::text AS kind,"
	" s.builtin, s.enabled, array_to_json(s.supported_indicators) AS"
	" supported, array_to_json(s.disabled_indicators) AS disabled,"
	" s.cache_enabled, s.cache_interval, s.limit_enabled, s.limit_count,"
	" s.limit_interval, s.timeout, s.source_code IS NOT NULL AS has_code,"
	" s.config_values,"
	" s.provider_id, p.enabled AS provider_enabled,"
	" (SELECT json_agg(ss.name ORDER BY ss.name) FROM source_secrets ss"
	"  WHERE ss.source_id = s.id AND ss.required AND ss.secret_id IS NULL)"
	"  AS missing,"
	" (SELECT json_agg(json_build_object('name', ss.name, 'value',"
	"  encode(sec.value, 'hex'))) FROM source_secrets ss JOIN secrets sec"
	"  ON sec.id = ss.secret_id WHERE ss.source_id = s.id) AS secrets"
	" FROM (SELECT pg_current_snapshot()::text AS snap,"
	" (SELECT value FROM server_config WHERE key = 'python_runner_enabled')"
	"  AS py_enabled,"
	" (SELECT value FROM server_config WHERE"
	"  key = 'javascript_runner_enabled') AS js_enabled,"
	" (SELECT value FROM server_config WHERE"
	"  key = 'python_runner_grpc_address') AS py_address,"
	" (SELECT value FROM server_config WHERE"
	"  key = 'javascript_runner_grpc_address') AS js_address) g"
	" LEFT JOIN (sources s LEFT JOIN providers p ON p.id = s.provider_id)"
	" ON true ORDER BY s.name",
	/* STMT_BEGIN: what depends on the indicator, whether the kept
	 * candidates are still current, and the requests row, in one round
	 * trip (lookup_begin() in sql/0011-perf.sql: a function, so that its
	 * plan is made once per connection).  $1 kind, $2 data, $3 hosts, $4
	 * domain suffixes, $5 IP address (NULL if none), $6 the snapshot the
	 * candidates were read in (NULL: none kept), $7 the source ids (NULL:
	 * all), $8 request id, $9 trace id, $10 user id. */
	"SELECT stale, lists, recorded FROM lookup_begin($1, $2, $3::text[],"
	" $4::text[], $5::inet, $6::pg_snapshot, $7::text[], $8, $9, $10)",
	/* STMT_REQUEST: when STMT_BEGIN did not write it (see there). */
	"INSERT INTO requests (id, data, kind, trace_id, user_id)"
	" VALUES ($1, $2, $3, $4, $5)",
	/* STMT_REQUEST_DROP: STMT_BEGIN wrote it, an id is unknown after all. */
	"DELETE FROM requests WHERE id = $1",
	/* STMT_HISTORY: the rows of one or more lookups in one statement
	 * (see lookup_save()); each row names its request.  As jsonb the text
	 * is parsed once, the data columns are not parsed again. */
	"INSERT INTO source_requests (id, started_at, ended_at, errors, data,"
	" verdict, cache_action, cache_expires_at, cache_cached_at, cache_key,"
	" request_id, source_id, source_name, source_slug, source_url,"
	" source_favicon) SELECT r.id, r.started_at, r.ended_at, r.errors, r.data,"
	" r.verdict, r.cache_action, r.cache_expires_at, r.cache_cached_at,"
	" r.cache_key, r.request_id, r.source_id, r.source_name, r.source_slug,"
	" r.source_url, r.source_favicon FROM jsonb_to_recordset($1::jsonb) AS r("
	"id text, started_at timestamp, ended_at timestamp, errors jsonb, data jsonb,"
	" verdict jsonb, cache_action text, cache_expires_at timestamp,"
	" cache_cached_at timestamp, cache_key text, request_id text,"
	" source_id text, source_name text, source_slug text, source_url text,"
	" source_favicon text)",
	/* STMT_HISTORY_GONE: the same for one lookup whose rows broke the
	 * foreign key: a source deleted since it was asked gets no source
	 * id, as ON DELETE SET NULL would have left its row. */
	"INSERT INTO source_requests (id, started_at, ended_at, errors, data,"
	" verdict, cache_action, cache_expires_at, cache_cached_at, cache_key,"
	" request_id, source_id, source_name, source_slug, source_url,"
	" source_favicon) SELECT r.id, r.started_at, r.ended_at, r.errors, r.data,"
	" r.verdict, r.cache_action, r.cache_expires_at, r.cache_cached_at,"
	" r.cache_key, r.request_id, (SELECT s.id FROM sources s WHERE"
	" s.id = r.source_id), r.source_name, r.source_slug,"
	" r.source_url, r.source_favicon FROM jsonb_to_recordset($1::jsonb) AS r("
	"id text, started_at timestamp, ended_at timestamp, errors jsonb, data jsonb,"
	" verdict jsonb, cache_action text, cache_expires_at timestamp,"
	" cache_cached_at timestamp, cache_key text, request_id text,"
	" source_id text, source_name text, source_slug text, source_url text,"
	" source_favicon text)",
	/* STMT_CODE: the code a runner lacks. */
	"SELECT source_code FROM sources WHERE id = $1",
};

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

/*
 * The candidates, kept per process.  What the pre-checks need of every
 * source does not depend on the indicator; it changes when someone edits
 * a source, a provider, a secret or a runner setting, which is rare next
 * to lookups.  So it is read once, with the snapshot it was read in, and
 * kept; each lookup's one statement (STMT_BEGIN), which finds the
 * ignore lists that hold the indicator, also says, in its own snapshot,
 * whether a change committed since (sql/0011-perf.sql), and only then is
 * it read again.  A lookup sees every change committed before it began,
 * as when everything was read per lookup.  The copy is also reread when
 * it is older than CAND_MAX_AGE_MS whatever the table says.
 *
 * The secrets stay as they are stored (encrypted, hex); they are
 * decrypted per call, as before.  A kept copy is shared by the threads
 * of the process (which has one database) and never changed; the last
 * holder frees it.
 */
#define CAND_MAX_AGE_MS	60000

struct cand {
	char		*id, *name, *slug, *url, *favicon, *builtin;
	char		*kind, *provider_id;
	int		 enabled, provider_enabled;	/* -1: no provider */
	int		 cache_enabled, limit_enabled, has_code;
	long long	 cache_interval, limit_count, limit_interval;
	const char	*timeout;			/* NULL: the default */
	/* The kinds (KIND_BIT()s) named in supported_indicators and in
	 * disabled_indicators: parsed once, not per lookup. */
	unsigned	 supported, disabled;
	/* JSON texts, NULL for SQL NULL. */
	char		*missing, *secrets, *config_values;
	const struct src_def *def;			/* src_find(builtin) */
};

struct cand_set {
	int		 refs;		/* under cand_mu */
	long long	 loaded;	/* monotonic ms */
	char		*snap;		/* pg_snapshot text */
	int		 py_enabled, js_enabled;
	char		*py_address, *js_address;	/* NULL: default */
	struct cand	*c;
	size_t		 n;
	PGresult	*pr;		/* every string above points in it */
};

static pthread_mutex_t	 cand_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cand_set	*cand_cur;

static void
cand_unref(struct cand_set *cs)
{
	int	 last;

	if (cs == NULL)
		return;
	(void)pthread_mutex_lock(&cand_mu);
	last = --cs->refs == 0;
	(void)pthread_mutex_unlock(&cand_mu);
	if (!last)
		return;
	free(cs->c);
	PQclear(cs->pr);
	free(cs);
}

/* The kept candidates (a reference), or NULL. */
static struct cand_set *
cand_get(void)
{
	struct cand_set	*cs;

	(void)pthread_mutex_lock(&cand_mu);
	if ((cs = cand_cur) != NULL)
		cs->refs++;
	(void)pthread_mutex_unlock(&cand_mu);
	return cs;
}

static json_object *
json_text(const char *s)
{
	const char	*err;

	if (s == NULL)
		return NULL;
	return json_parse_capped(s, strlen(s), 8, &err);
}

/* The kinds a JSON array of kind names (array_to_json()) names. */
static unsigned
kind_bits(const char *text)
{
	json_object	*a;
	unsigned	 bits = 0;
	int		 k;

	if ((a = json_text(text)) == NULL)
		return 0;
	for (k = 0; k < IND__MAX; k++)
		if (jarray_has(a, ind_kind_name(k)))
			bits |= KIND_BIT(k);
	json_object_put(a);
	return bits;
}

/* Read the candidates; NULL when the database is unavailable. */
static struct cand_set *
cand_load(struct db *db)
{
	struct cand_set	*cs;
	struct cand	*c;
	PGresult	*pr;
	enum dbres	 res;
	const char	*v;
	int		 i, n;

	pr = db_query(db, stmts[STMT_CANDIDATES], 0, NULL, &res);
	if (res != DB_OK || (n = PQntuples(pr)) < 1 ||
	    db_val(pr, 0, "snap") == NULL) {
		PQclear(pr);
		return NULL;
	}
	cs = xcalloc(1, sizeof(*cs));
	cs->refs = 1;
	cs->loaded = src_now_ms();
	cs->pr = pr;
	cs->snap = (char *)(uintptr_t)db_val(pr, 0, "snap");
	cs->py_enabled = 1;	/* the reference's defaults */
	cs->js_enabled = 0;
	if ((v = db_val(pr, 0, "py_enabled")) != NULL)
		cs->py_enabled = strcmp(v, "true") == 0;
	if ((v = db_val(pr, 0, "js_enabled")) != NULL)
		cs->js_enabled = strcmp(v, "true") == 0;
	if ((v = db_val(pr, 0, "py_address")) != NULL && *v != '\0')
		cs->py_address = (char *)(uintptr_t)v;
	if ((v = db_val(pr, 0, "js_address")) != NULL && *v != '\0')
		cs->js_address = (char *)(uintptr_t)v;
	cs->c = xcalloc((size_t)n, sizeof(*cs->c));
	for (i = 0; i < n; i++) {
		if (db_val(pr, i, "id") == NULL)
			continue;	/* no source at all */
		c = &cs->c[cs->n++];
#define COL(f, name)	c->f = (char *)(uintptr_t)db_val(pr, i, name)
		COL(id, "id");
		COL(name, "name");
		COL(slug, "slug");
		COL(url, "url");
		COL(favicon, "favicon");
		COL(builtin, "builtin");
		COL(kind, "kind");
		COL(provider_id, "provider_id");
		COL(missing, "missing");
		COL(secrets, "secrets");
		COL(config_values, "config_values");
#undef COL
		c->enabled = *db_val(pr, i, "enabled") == 't';
		v = db_val(pr, i, "provider_enabled");
		c->provider_enabled = v == NULL ? -1 : *v == 't';
		c->cache_enabled = *db_val(pr, i, "cache_enabled") == 't';
		c->limit_enabled = *db_val(pr, i, "limit_enabled") == 't';
		c->has_code = *db_val(pr, i, "has_code") == 't';
		c->cache_interval = ll_or(db_val(pr, i, "cache_interval"), 0);
		c->limit_count = ll_or(db_val(pr, i, "limit_count"), 0);
		c->limit_interval = ll_or(db_val(pr, i, "limit_interval"), 0);
		c->timeout = db_val(pr, i, "timeout");
		c->supported = kind_bits(db_val(pr, i, "supported"));
		c->disabled = kind_bits(db_val(pr, i, "disabled"));
		c->def = src_find(c->builtin);
	}
	return cs;
}

/* Keep "cs" (the caller keeps its reference too). */
static void
cand_keep(struct cand_set *cs)
{
	struct cand_set	*old;

	(void)pthread_mutex_lock(&cand_mu);
	old = cand_cur;
	cs->refs++;
	cand_cur = cs;
	(void)pthread_mutex_unlock(&cand_mu);
	cand_unref(old);
}

/*
 * The names of the ignore lists in "lists" (STMT_BEGIN, by name)
 * that apply to "c": global, or linked to it or to its provider.  NULL
 * when none, as json_agg() gives.
 */
static json_object *
ignored_for(json_object *lists, const struct cand *c)
{
	json_object	*out = NULL, *l, *v;
	size_t		 i, n;

	if (lists == NULL || !json_object_is_type(lists, json_type_array))
		return NULL;
	n = json_object_array_length(lists);
	for (i = 0; i < n; i++) {
		l = json_object_array_get_idx(lists, i);
		if (!(json_object_object_get_ex(l, "global", &v) &&
		    json_object_get_boolean(v)) &&
		    !(json_object_object_get_ex(l, "sources", &v) &&
		    jarray_has(v, c->id)) &&
		    !(c->provider_id != NULL &&
		    json_object_object_get_ex(l, "providers", &v) &&
		    jarray_has(v, c->provider_id)))
			continue;
		if (out == NULL)
			out = json_object_new_array();
		(void)jappend(out, json_object_new_string(jget_str(l,
		    "name") != NULL ? jget_str(l, "name") : ""));
	}
	return out;
}

/* STMT_BEGIN recorded the request, but the lookup does not happen. */
static void
drop_request(struct lookup *lk)
{
	const char	*p[1];

	p[0] = lk->id;
	if (db_cmd(lk->db, stmts[STMT_REQUEST_DROP], 1, p) != DB_OK)
		log_warnx("request %s: recorded, but the lookup did not run",
		    lk->id);
}

/*
 * Load the candidate sources and record the request (lk->id).  Returns
 * LK_OK, LK_UNKNOWN_SOURCE (with the first unknown id in "err"; nothing
 * recorded) or LK_UNAVAILABLE.
 */
static enum lk_status
load_candidates(struct lookup *lk, char *err, size_t errsz)
{
	const struct lk_opts *o = lk->o;
	const char	*p[10];
	char		*ids = NULL, *hostsa = NULL, *exacta, *ip = NULL, **hosts;
	size_t		 nhosts, i, j, n;
	PGresult	*pr;
	enum dbres	 res;
	struct cand_set	*cs, *fresh;
	const struct cand *c;
	struct lk_src	*s;
	json_object	*lists;
	long long	 timeout = conf_int("source_timeout");
	int		 stale, recorded;

	(void)lookup_match_keys(o->data, o->kind, &hosts, &nhosts, &ip);
	/* A plain DOMAIN entry is the host itself; "*.x" entries match
	 * the host or any parent domain. */
	hostsa = rest_text_array(hosts, nhosts);
	exacta = rest_text_array(hosts, nhosts > 0 ? 1 : 0);
	if (o->nsource_ids > 0)
		ids = rest_text_array(o->source_ids, o->nsource_ids);
	cs = cand_get();
	if (cs != NULL && src_now_ms() - cs->loaded > CAND_MAX_AGE_MS) {
		cand_unref(cs);
		cs = NULL;
	}
	p[0] = ind_kind_name(o->kind);
	p[1] = o->data;
	p[2] = exacta;
	p[3] = hostsa;
	p[4] = ip;
	p[5] = cs != NULL ? cs->snap : NULL;
	p[6] = ids;
	p[7] = lk->id;
	p[8] = o->trace_id;
	p[9] = o->user_id;
	/*
	 * It writes, yet may be sent again after a lost connection (the
	 * server restarted): the request id is fixed, so a repeat can
	 * only fail on the primary key (a 503), never write a second row.
	 */
	pr = db_query(lk->db, stmts[STMT_BEGIN], 10, p, &res);
	for (i = 0; i < nhosts; i++)
		free(hosts[i]);
	free(hosts);
	free(hostsa);
	free(exacta);
	free(ids);
	free(ip);
	if (res != DB_OK || PQntuples(pr) != 1) {
		PQclear(pr);
		cand_unref(cs);
		(void)snprintf(err, errsz, "cannot record the request");
		return LK_UNAVAILABLE;
	}
	stale = *PQgetvalue(pr, 0, 0) == 't';
	lists = json_text(db_val(pr, 0, "lists"));
	recorded = *PQgetvalue(pr, 0, 2) == 't';
	PQclear(pr);
	if (stale || cs == NULL) {
		if ((fresh = cand_load(lk->db)) == NULL) {
			json_object_put(lists);
			cand_unref(cs);
			if (recorded)
				drop_request(lk);
			return LK_UNAVAILABLE;
		}
		cand_unref(cs);
		cs = fresh;
		cand_keep(cs);
	}

	/* Every requested id must exist. */
	for (i = 0; i < o->nsource_ids; i++) {
		for (j = 0; j < cs->n; j++)
			if (strcmp(cs->c[j].id, o->source_ids[i]) == 0)
				break;
		if (j == cs->n) {
			(void)snprintf(err, errsz, "%s", o->source_ids[i]);
			json_object_put(lists);
			cand_unref(cs);
			if (recorded)
				drop_request(lk);
			return LK_UNKNOWN_SOURCE;
		}
	}
	/* The function found an id unknown that the (newer) copy knows:
	 * a source made in between.  Record the request now. */
	if (!recorded) {
		p[0] = lk->id;
		p[1] = o->data;
		p[2] = ind_kind_name(o->kind);
		p[3] = o->trace_id;
		p[4] = o->user_id;
		if (db_cmd(lk->db, stmts[STMT_REQUEST], 5, p) != DB_OK) {
			json_object_put(lists);
			cand_unref(cs);
			(void)snprintf(err, errsz, "cannot record the request");
			return LK_UNAVAILABLE;
		}
	}
	lk->py_enabled = cs->py_enabled;
	lk->js_enabled = cs->js_enabled;
	lk->py_address = xstrdup(cs->py_address != NULL ? cs->py_address :
	    runner_default_address("python"));
	lk->js_address = xstrdup(cs->js_address != NULL ? cs->js_address :
	    runner_default_address("javascript"));
	lk->s = xcalloc(cs->n > 0 ? cs->n : 1, sizeof(*lk->s));
	for (n = 0, j = 0; j < cs->n; j++) {
		c = &cs->c[j];
		/* No ids: every source; else the ones asked for (once). */
		if (o->nsource_ids > 0) {
			for (i = 0; i < o->nsource_ids; i++)
				if (strcmp(c->id, o->source_ids[i]) == 0)
					break;
			if (i == o->nsource_ids)
				continue;
		}
		s = &lk->s[n++];
		s->id = xstrdup(c->id);
		s->name = xstrdup(c->name);
		s->slug = xstrdup(c->slug);
		s->url = xstrdup(c->url);
		s->favicon = strdup_or_null(c->favicon);
		s->builtin = strdup_or_null(c->builtin);
		s->kind = xstrdup(c->kind);
		s->provider_id = strdup_or_null(c->provider_id);
		s->enabled = c->enabled;
		s->provider_enabled = c->provider_enabled;
		s->cache_enabled = c->cache_enabled;
		s->limit_enabled = c->limit_enabled;
		s->has_code = c->has_code;
		s->cache_interval = c->cache_interval;
		s->limit_count = c->limit_count;
		s->limit_interval = c->limit_interval;
		s->timeout_ms = 1000 * ll_or(c->timeout, timeout);
		s->supported = c->supported;
		s->disabled = c->disabled;
		s->missing = json_text(c->missing);
		s->ignored = ignored_for(lists, c);
		s->secrets = json_text(c->secrets);
		s->config_values = json_text(c->config_values);
		s->def = c->def;
	}
	lk->n = n;
	json_object_put(lists);
	cand_unref(cs);
	return LK_OK;
}

/*
 * The pre-checks: errors without any outbound call.
 */
static void
precheck(struct lookup *lk, struct lk_src *s)
{
	int		 runner_on;

	if (!(s->supported & KIND_BIT(lk->o->kind)) ||
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
	if (s->disabled & KIND_BIT(lk->o->kind))
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
	lk->last_sent = src_now_ms();
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

/*
 * Decrypt the secrets linked to this source's slots, once.  One that
 * cannot be decrypted is not logged: that would be a line a lookup.
 */
static void
load_secrets(struct lk_src *s)
{
	if (s->sec_loaded)
		return;
	s->sec_loaded = 1;
	s->sec = src_secrets_decrypt(s->secrets, NULL, &s->nsec);
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
 * Start the FetchData call of runner source "s" ("code": send it with
 * Update first); on failure "s" is done.
 */
static void
start_runner(struct lookup *lk, struct lk_src *s, CURLM *multi,
    const char *code)
{
	struct runner_fetch_args a;
	struct runner_kv	*sec, *cfg;
	long long		 now = src_now_ms(), left, t;
	size_t			 ncfg;

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
	sec = src_secrets_kv(s->sec, s->nsec);
	cfg = src_config_kv(s->config_values, &ncfg);
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
	long long	 now = src_now_ms();
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
	left = lk->deadline - src_now_ms();
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
 * Ask the cache for every source that may answer from it, in one round
 * trip (MGET with Redis) instead of one per source; route_source() then
 * uses what came back.
 */
static void
prefetch_cache(struct lookup *lk)
{
	struct lk_src	*s;
	const char	**keys;
	char		**docs;
	size_t		 i, n = 0;

	if (lk->o->force)
		return;
	keys = xcalloc(lk->n + 1, sizeof(*keys));
	docs = xcalloc(lk->n + 1, sizeof(*docs));
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		if (s->st != ST_NEW || !s->cache_enabled)
			continue;
		make_cache_key(lk, s);
		keys[n++] = s->cache_key;
	}
	if (n > 0)
		store_get_many(lk->db, lk->kv, keys, n, docs);
	for (i = 0, n = 0; i < lk->n; i++) {
		s = &lk->s[i];
		if (s->st != ST_NEW || !s->cache_enabled)
			continue;
		s->cached_doc = docs[n++];
	}
	free(keys);
	free(docs);
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
	s->t_start = src_now_ms();
	if (s->cache_key == NULL)
		make_cache_key(lk, s);
	doc = s->cached_doc;
	s->cached_doc = NULL;
	if (doc != NULL) {
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
		s->next_poll = src_now_ms() + FOLLOW_POLL_MS;
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
	s->next_poll = src_now_ms() + FOLLOW_POLL_MS;
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
	lk->deadline = src_now_ms() + 1000 * conf_int("lookup_deadline");
	keep = 1000 * conf_int("sse_keepalive");

	nanoid(lk->id);
	if ((rc = load_candidates(lk, err, errsz)) != LK_OK) {
		lookup_free(lk);
		return rc;
	}
	*out = lk;

	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		utc_stamp(s->started, sizeof(s->started), 0);
		precheck(lk, s);
		if (s->errors != NULL)
			finish(lk, s);
	}
	lk->last_sent = src_now_ms();
	if (o->on_start != NULL && o->on_start(lk, o->arg) == -1)
		lk->aborted = 1;
	for (i = 0; i < lk->n && !lk->aborted; i++)
		(void)emit(lk, &lk->s[i]);
	if (!lk->aborted)
		prefetch_cache(lk);
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
		now = src_now_ms();
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
		now = src_now_ms();
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

/*
 * History rows are written by group commit.  Each lookup queues its
 * rows and waits until they are written; whichever waiting thread finds
 * no writer at work becomes the writer and writes everything queued so
 * far in one statement, so concurrent lookups share one INSERT (and one
 * transaction: the foreign-key locks on the same sources rows are taken
 * once, not by a transaction each).  Nobody returns before its own rows
 * are in (or have failed), exactly as with a statement per lookup: a
 * worker that is told to stop finishes its requests, and with them
 * every queued row, before it exits; a crash loses what a crash lost
 * before, the rows of the lookups being answered at that moment.
 */
struct hist {
	struct hist	*next;
	char		*rows;		/* "{..},{..}": the rows, no brackets */
	const char	*id;		/* the lookup's id (for the log) */
	int		 done;
};

#define HIST_BATCH_MAX	64	/* lookups in one statement */

static pthread_mutex_t	 hist_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 hist_cv = PTHREAD_COND_INITIALIZER;
static struct hist	*hist_head, **hist_tail = &hist_head;
static int		 hist_writing;

static enum dbres
hist_insert(struct db *db, enum stmt st, struct hist *first, size_t n)
{
	struct hist	*h;
	const char	*p[1];
	char		*buf;
	size_t		 len = 2, off = 0, i, l;
	enum dbres	 res;

	for (h = first, i = 0; i < n; h = h->next, i++)
		len += strlen(h->rows) + 1;
	buf = xmalloc(len + 1);
	buf[off++] = '[';
	for (h = first, i = 0; i < n; h = h->next, i++) {
		if (i > 0)
			buf[off++] = ',';
		l = strlen(h->rows);
		memcpy(buf + off, h->rows, l);
		off += l;
	}
	buf[off++] = ']';
	buf[off] = '\0';
	p[0] = buf;
	res = db_cmd(db, stmts[st], 1, p);
	free(buf);
	return res;
}

/*
 * Write "batch" ("n" lookups).  When the statement fails, each lookup is
 * written alone, so that a bad row costs only its own lookup, and one
 * that broke the foreign key (a source deleted during the lookup) once
 * more without the ids of sources that are gone.
 */
static void
hist_write(struct db *db, struct hist *batch, size_t n)
{
	struct hist	*h;
	enum dbres	 res, r;
	size_t		 i;

	res = hist_insert(db, STMT_HISTORY, batch, n);
	if (res == DB_OK)
		return;
	for (h = batch, i = 0; i < n; h = h->next, i++) {
		r = res;
		if (n > 1 && r != DB_UNAVAILABLE)
			r = hist_insert(db, STMT_HISTORY, h, 1);
		if (r == DB_INVALID)
			r = hist_insert(db, STMT_HISTORY_GONE, h, 1);
		if (r != DB_OK)
			log_warnx("lookup %s: the history rows were not "
			    "written", h->id);
	}
}

/*
 * "n" history row ids, NANOID_LEN characters of nanoid()'s alphabet
 * each, from one draw of the CSPRNG: nanoid() asks libsodium once per
 * character, which is a getrandom() system call each time, 240 per
 * lookup of 20 sources.  Bytes >= 252 are drawn again so every
 * character stays uniform (252 = 7 * 36).
 */
static void
history_ids(char (*ids)[NANOID_LEN + 1], size_t n)
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char	 buf[256];
	size_t		 i, k, have = 0, used = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < NANOID_LEN; ) {
			if (used == have) {
				randombytes_buf(buf, sizeof(buf));
				have = sizeof(buf);
				used = 0;
			}
			if (buf[used] < 252)
				ids[i][k++] = alphabet[buf[used] % 36];
			used++;
		}
		ids[i][NANOID_LEN] = '\0';
	}
	sodium_memzero(buf, sizeof(buf));
}

void
lookup_save(struct db *db, struct lookup *lk)
{
	json_object	*a, *r;
	const struct lk_src *s;
	struct hist	 me, *batch, *h, *next;
	const char	*txt;
	char		(*ids)[NANOID_LEN + 1];
	size_t		 i, n, len;

	if (lk == NULL || lk->n == 0)
		return;
	/* Ids made here: cheaper than nanoid() in plpgsql per row. */
	ids = xcalloc(lk->n, sizeof(*ids));
	history_ids(ids, lk->n);
	a = json_object_new_array();
	for (i = 0; i < lk->n; i++) {
		s = &lk->s[i];
		r = json_object_new_object();
		(void)jadd(r, "id", json_object_new_string(ids[i]));
		(void)jadd(r, "request_id", json_object_new_string(lk->id));
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
	/* The array's text without its brackets, to be spliced. */
	txt = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	len = strlen(txt);
	memset(&me, 0, sizeof(me));
	me.rows = xstrndup(txt + 1, len >= 2 ? len - 2 : 0);
	me.id = lk->id;
	json_object_put(a);
	free(ids);

	(void)pthread_mutex_lock(&hist_mu);
	*hist_tail = &me;
	hist_tail = &me.next;
	while (!me.done) {
		if (hist_writing) {
			(void)pthread_cond_wait(&hist_cv, &hist_mu);
			continue;
		}
		/* Take up to HIST_BATCH_MAX queued lookups, oldest first. */
		hist_writing = 1;
		batch = hist_head;
		for (n = 0, h = batch; h != NULL && n < HIST_BATCH_MAX;
		    h = h->next)
			n++;
		hist_head = h;
		if (hist_head == NULL)
			hist_tail = &hist_head;
		(void)pthread_mutex_unlock(&hist_mu);
		hist_write(db, batch, n);
		(void)pthread_mutex_lock(&hist_mu);
		/* Once "done" is set its owner may return: read on first. */
		for (h = batch; n-- > 0; h = next) {
			next = h->next;
			h->done = 1;
		}
		hist_writing = 0;
		(void)pthread_cond_broadcast(&hist_cv);
	}
	(void)pthread_mutex_unlock(&hist_mu);
	free(me.rows);
}

void
lookup_free(struct lookup *lk)
{
	struct lk_src	*s;
	size_t		 i;

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
		free(s->cached_doc);
		src_body_free(&s->b);
		curl_slist_free_all(s->hdrs);
		src_secrets_free(s->sec, s->nsec);
	}
	free(lk->s);
	free(lk->py_address);
	free(lk->js_address);
	free(lk);
}
