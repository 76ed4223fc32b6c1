/*
 * lib/store.c -- see store.h.  Redis keys live under "iocagg:"; the
 * PostgreSQL tables are cache_entries, inflight, rate_limit_hits and
 * source_pauses (sql/0003, sql/0005).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "db.h"
#include "kv.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define NOW_UTC	"(now() AT TIME ZONE 'utc')"

enum stmt {
	STMT_GET,
	STMT_PUT,
	STMT_CLAIM,
	STMT_RELEASE,
	STMT_RATE,
	STMT_RATE_PURGE,
	STMT_PAUSED,
	STMT_PAUSE,
	STMT_PURGE,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_GET */
	"SELECT value::text FROM cache_entries WHERE key = $1 AND "
	"expires_at > " NOW_UTC,
	/* STMT_PUT */
	"INSERT INTO cache_entries (key, value, cached_at, expires_at) "
	"VALUES ($1, $2::jsonb, " NOW_UTC ", " NOW_UTC " + $3::bigint * "
	"interval '1 millisecond') ON CONFLICT (key) DO UPDATE SET "
	"value = EXCLUDED.value, cached_at = EXCLUDED.cached_at, "
	"expires_at = EXCLUDED.expires_at",
	/* STMT_CLAIM: take the key if free or expired. */
	"INSERT INTO inflight (key, expires_at) VALUES ($1, " NOW_UTC
	" + $2::bigint * interval '1 millisecond') ON CONFLICT (key) DO "
	"UPDATE SET expires_at = EXCLUDED.expires_at WHERE "
	"inflight.expires_at <= " NOW_UTC " RETURNING 1",
	/* STMT_RELEASE */
	"DELETE FROM inflight WHERE key = $1",
	/* STMT_RATE: fixed windows aligned on the epoch. */
	"INSERT INTO rate_limit_hits AS h (source_id, window_start, count) "
	"VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2::int)"
	" * $2::int) AT TIME ZONE 'utc', 1) ON CONFLICT (source_id, "
	"window_start) DO UPDATE SET count = h.count + 1 RETURNING count, "
	"ceil(extract(epoch FROM (h.window_start + $2::int * "
	"interval '1 second') - " NOW_UTC "))::bigint AS wait",
	/* STMT_RATE_PURGE */
	"DELETE FROM rate_limit_hits WHERE window_start < " NOW_UTC
	" - interval '1 day'",
	/* STMT_PAUSED */
	"SELECT ceil(extract(epoch FROM until - " NOW_UTC "))::bigint "
	"FROM source_pauses WHERE source_id = $1 AND until > " NOW_UTC,
	/* STMT_PAUSE */
	"INSERT INTO source_pauses (source_id, until) VALUES ($1, " NOW_UTC
	" + $2::int * interval '1 second') ON CONFLICT (source_id) DO "
	"UPDATE SET until = greatest(source_pauses.until, EXCLUDED.until)",
	/* STMT_PURGE: expired cache rows and stale claims. */
	"WITH a AS (DELETE FROM cache_entries WHERE expires_at <= " NOW_UTC
	") DELETE FROM inflight WHERE expires_at <= " NOW_UTC,
};

/* True about one time in 128: when to sweep expired rows. */
static int
randombytes_uniform_small(void)
{
	return (int)randombytes_uniform(128);
}

static redisReply *
rcmd(struct kv *kv, int argc, const char **argv)
{
	return kv_cmd(kv, argc, argv, NULL);
}

static char *
rkey(const char *kind, const char *key)
{
	char	*k;

	xasprintf(&k, "iocagg:%s:%s", kind, key);
	return k;
}

char *
store_get(struct db *db, struct kv *kv, const char *key)
{
	const char	*argv[2], *p[1];
	redisReply	*rep;
	PGresult	*pr;
	enum dbres	 res;
	char		*k, *out = NULL;

	if (kv != NULL) {
		k = rkey("v", key);
		argv[0] = "GET";
		argv[1] = k;
		if ((rep = rcmd(kv, 2, argv)) != NULL) {
			if (rep->type == REDIS_REPLY_STRING)
				out = xstrndup(rep->str, rep->len);
			freeReplyObject(rep);
		}
		free(k);
		return out;
	}
	p[0] = key;
	pr = db_exec(db, stmts[STMT_GET], 1, p, &res);
	if (res == DB_OK && PQntuples(pr) == 1)
		out = xstrdup(PQgetvalue(pr, 0, 0));
	PQclear(pr);
	return out;
}

void
store_get_many(struct db *db, struct kv *kv, const char *const *keys,
    size_t n, char **out)
{
	const char	**argv;
	char		**k;
	redisReply	*rep, *e;
	size_t		 i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0)
		return;
	if (kv == NULL) {
		for (i = 0; i < n; i++)
			out[i] = store_get(db, kv, keys[i]);
		return;
	}
	argv = xcalloc(n + 1, sizeof(*argv));
	k = xcalloc(n, sizeof(*k));
	argv[0] = "MGET";
	for (i = 0; i < n; i++)
		argv[i + 1] = k[i] = rkey("v", keys[i]);
	if ((rep = rcmd(kv, (int)n + 1, argv)) != NULL) {
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements == n)
			for (i = 0; i < n; i++) {
				e = rep->element[i];
				if (e != NULL && e->type == REDIS_REPLY_STRING)
					out[i] = xstrndup(e->str, e->len);
			}
		freeReplyObject(rep);
	}
	for (i = 0; i < n; i++)
		free(k[i]);
	free(k);
	free(argv);
}

int
store_put(struct db *db, struct kv *kv, const char *key, const char *json,
    long long ttl_ms)
{
	const char	*argv[5], *p[3];
	char		 ms[24], *k;
	redisReply	*rep;
	enum dbres	 res;

	if (ttl_ms <= 0)
		return 0;
	(void)snprintf(ms, sizeof(ms), "%lld", ttl_ms);
	if (kv != NULL) {
		k = rkey("v", key);
		argv[0] = "SET";
		argv[1] = k;
		argv[2] = json;
		argv[3] = "PX";
		argv[4] = ms;
		rep = rcmd(kv, 5, argv);
		free(k);
		if (rep == NULL)
			return -1;
		freeReplyObject(rep);
		return 0;
	}
	p[0] = key;
	p[1] = json;
	p[2] = ms;
	res = db_cmd(db, stmts[STMT_PUT], 3, p);
	/* Now and then, sweep what has expired. */
	if (res == DB_OK && randombytes_uniform_small() == 0)
		(void)db_cmd(db, stmts[STMT_PURGE], 0, NULL);
	return res == DB_OK ? 0 : -1;
}

int
store_claim(struct db *db, struct kv *kv, const char *key, long long ttl_ms)
{
	const char	*argv[6], *p[2];
	char		 ms[24], *k;
	redisReply	*rep;
	PGresult	*pr;
	enum dbres	 res;
	int		 got = 1;

	(void)snprintf(ms, sizeof(ms), "%lld", ttl_ms);
	if (kv != NULL) {
		k = rkey("claim", key);
		argv[0] = "SET";
		argv[1] = k;
		argv[2] = "1";
		argv[3] = "NX";
		argv[4] = "PX";
		argv[5] = ms;
		if ((rep = rcmd(kv, 6, argv)) != NULL) {
			got = rep->type != REDIS_REPLY_NIL;
			freeReplyObject(rep);
		}
		free(k);
		return got;
	}
	p[0] = key;
	p[1] = ms;
	pr = db_exec(db, stmts[STMT_CLAIM], 2, p, &res);
	if (res == DB_OK)
		got = PQntuples(pr) == 1;
	PQclear(pr);
	return got;
}

void
store_release(struct db *db, struct kv *kv, const char *key)
{
	const char	*argv[2], *p[1];
	redisReply	*rep;
	char		*k;

	if (kv != NULL) {
		k = rkey("claim", key);
		argv[0] = "DEL";
		argv[1] = k;
		if ((rep = rcmd(kv, 2, argv)) != NULL)
			freeReplyObject(rep);
		free(k);
		return;
	}
	p[0] = key;
	(void)db_cmd(db, stmts[STMT_RELEASE], 1, p);
}

long long
store_rate_hit(struct db *db, struct kv *kv, const char *id,
    long long limit, long long interval)
{
	const char	*argv[3], *p[2];
	char		 win[64], iv[24], ms[24], *k;
	redisReply	*rep;
	PGresult	*pr;
	enum dbres	 res;
	long long	 count = 0, wait = 0, w;
	time_t		 now = time(NULL);

	if (limit <= 0 || interval <= 0)
		return 0;
	if (kv != NULL) {
		w = (long long)now / interval;
		(void)snprintf(win, sizeof(win), "%s:%lld:%lld", id, interval,
		    w);
		k = rkey("rl", win);
		argv[0] = "INCR";
		argv[1] = k;
		if ((rep = rcmd(kv, 2, argv)) != NULL) {
			if (rep->type == REDIS_REPLY_INTEGER)
				count = rep->integer;
			freeReplyObject(rep);
			if (count == 1) {
				(void)snprintf(ms, sizeof(ms), "%lld",
				    (interval + 1) * 1000);
				argv[0] = "PEXPIRE";
				argv[2] = ms;
				if ((rep = rcmd(kv, 3, argv)) != NULL)
					freeReplyObject(rep);
			}
		}
		free(k);
		wait = (w + 1) * interval - (long long)now;
	} else {
		(void)snprintf(iv, sizeof(iv), "%lld", interval);
		p[0] = id;
		p[1] = iv;
		pr = db_exec(db, stmts[STMT_RATE], 2, p, &res);
		if (res == DB_OK && PQntuples(pr) == 1) {
			count = strtoll(PQgetvalue(pr, 0, 0), NULL, 10);
			wait = strtoll(PQgetvalue(pr, 0, 1), NULL, 10);
		}
		PQclear(pr);
		if (count == 1 && randombytes_uniform_small() == 0)
			(void)db_cmd(db, stmts[STMT_RATE_PURGE], 0, NULL);
	}
	if (count <= limit)
		return 0;
	return wait < 1 ? 1 : wait;
}

long long
store_paused(struct db *db, struct kv *kv, const char *id)
{
	const char	*argv[2], *p[1];
	redisReply	*rep;
	PGresult	*pr;
	enum dbres	 res;
	char		*k;
	long long	 left = 0;

	if (kv != NULL) {
		k = rkey("pause", id);
		argv[0] = "PTTL";
		argv[1] = k;
		if ((rep = rcmd(kv, 2, argv)) != NULL) {
			if (rep->type == REDIS_REPLY_INTEGER &&
			    rep->integer > 0)
				left = (rep->integer + 999) / 1000;
			freeReplyObject(rep);
		}
		free(k);
		return left;
	}
	p[0] = id;
	pr = db_exec(db, stmts[STMT_PAUSED], 1, p, &res);
	if (res == DB_OK && PQntuples(pr) == 1)
		left = strtoll(PQgetvalue(pr, 0, 0), NULL, 10);
	PQclear(pr);
	return left;
}

void
store_pause(struct db *db, struct kv *kv, const char *id, long long seconds)
{
	const char	*argv[5], *p[2];
	char		 s[24], *k;
	redisReply	*rep;

	if (seconds <= 0)
		return;
	if (seconds > 86400)
		seconds = 86400;
	(void)snprintf(s, sizeof(s), "%lld", seconds);
	if (kv != NULL) {
		k = rkey("pause", id);
		argv[0] = "SET";
		argv[1] = k;
		argv[2] = "1";
		argv[3] = "EX";
		argv[4] = s;
		if ((rep = rcmd(kv, 5, argv)) != NULL)
			freeReplyObject(rep);
		free(k);
		return;
	}
	p[0] = id;
	p[1] = s;
	(void)db_cmd(db, stmts[STMT_PAUSE], 2, p);
}
