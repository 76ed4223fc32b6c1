/*
 * fcgi/stats.c -- iocagg-stats: the /api/v1/stats route group, the
 * counters and hourly charts of the dashboard.  See iocagg-stats(8).
 *
 * Every answer is one SQL statement.  The charts have 25 hourly
 * buckets, from the current hour (UTC) minus 24 hours to the current
 * hour, made by generate_series so that empty hours are present too.
 * Timestamps are stored as UTC without a zone, so "now" is taken as
 * (now() AT TIME ZONE 'utc') and the session time zone never matters.
 */
#include "config.h"

#include "compat.h"
#include "db.h"
#include "http.h"
#include "rest.h"

static void	stats_count(struct req *);
static void	stats_requests(struct req *);
static void	stats_sources(struct req *);
static void	stats_providers(struct req *);
static void	stats_kinds(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/stats/count", stats_count, NULL, 0 },
	{ METHOD_GET, "/api/v1/stats/count/requests", stats_requests, NULL,
	    0 },
	{ METHOD_GET, "/api/v1/stats/count/requests/sources", stats_sources,
	    NULL, 0 },
	{ METHOD_GET, "/api/v1/stats/count/requests/providers",
	    stats_providers, NULL, 0 },
	{ METHOD_GET, "/api/v1/stats/count/requests/kinds", stats_kinds,
	    NULL, 0 },
};

enum stmt {
	STMT_COUNT,
	STMT_REQUESTS,
	STMT_SOURCES,
	STMT_PROVIDERS,
	STMT_KINDS,
	STMT__MAX
};

#define NOW_UTC		"(now() AT TIME ZONE 'utc')"
/* The 25 hourly buckets, as w(t). */
#define BUCKETS \
	"generate_series(date_trunc('hour', " NOW_UTC ") - interval " \
	"'24 hours', date_trunc('hour', " NOW_UTC "), interval '1 hour')"
/* A bucket's start as a zoned UTC timestamp, as the reference sends. */
#define WINDOW \
	"to_char(w.t, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS time_window"
/* The first instant counted. */
#define SINCE \
	"date_trunc('hour', " NOW_UTC ") - interval '24 hours'"

/*
 * The charts by source, provider and kind: "c" yields (t, id, name,
 * count) rows with t the bucket; each bucket becomes {timeWindow,
 * data: [{id, name, count}]} with empty groups left out.
 */
#define GROUPED(c) \
	"WITH c AS (" c "), w AS (SELECT " BUCKETS " AS t)" \
	" SELECT " WINDOW ", COALESCE(json_agg(json_build_object('id'," \
	" c.id, 'name', c.name, 'count', c.count) ORDER BY c.name, c.id)" \
	" FILTER (WHERE c.t IS NOT NULL), '[]') AS data" \
	" FROM w LEFT JOIN c ON c.t = w.t GROUP BY w.t ORDER BY w.t"

static const char *const stmts[STMT__MAX] = {
	/* STMT_COUNT */
	"SELECT (SELECT count(*) FROM requests) AS history,"
	" (SELECT count(*) FROM requests WHERE created_at > " NOW_UTC
	" - interval '24 hours') AS history_last24hrs,"
	" (SELECT count(*) FROM providers) AS providers,"
	" (SELECT count(*) FROM providers WHERE enabled) AS"
	" enabled_providers,"
	" (SELECT count(*) FROM sources) AS sources,"
	" (SELECT count(*) FROM sources WHERE enabled) AS enabled_sources,"
	" (SELECT count(*) FROM ignore_lists) AS ignore_lists,"
	" (SELECT count(*) FROM ignore_lists WHERE enabled) AS"
	" enabled_ignore_lists,"
	" (SELECT count(*) FROM users) AS users,"
	" (SELECT count(*) FROM users WHERE enabled) AS enabled_users",
	/* STMT_REQUESTS: distinct lookups per hour, split on whether a
	 * source answered from the cache (a lookup with both kinds of
	 * source counts in both). */
	"SELECT count(DISTINCT sr.request_id) FILTER (WHERE"
	" sr.cache_action IS DISTINCT FROM 'FROM_CACHE') AS uncached_count,"
	" count(DISTINCT sr.request_id) FILTER (WHERE"
	" sr.cache_action = 'FROM_CACHE') AS cached_count, " WINDOW
	" FROM " BUCKETS " AS w(t) LEFT JOIN source_requests sr"
	" ON sr.created_at >= w.t AND sr.created_at < w.t + interval '1 hour'"
	" GROUP BY w.t ORDER BY w.t",
	/* STMT_SOURCES: a deleted source (source_id NULL) is counted
	 * under the name it had, with a null id. */
	GROUPED("SELECT date_trunc('hour', sr.created_at) AS t,"
	    " sr.source_id AS id, COALESCE(s.name, sr.source_name) AS name,"
	    " count(DISTINCT sr.request_id) AS count FROM source_requests sr"
	    " LEFT JOIN sources s ON s.id = sr.source_id"
	    " WHERE sr.created_at >= " SINCE " GROUP BY 1, 2, 3"),
	/* STMT_PROVIDERS: through the sources' current provider. */
	GROUPED("SELECT date_trunc('hour', sr.created_at) AS t, p.id,"
	    " p.name, count(DISTINCT sr.request_id) AS count"
	    " FROM source_requests sr JOIN sources s ON s.id = sr.source_id"
	    " JOIN providers p ON p.id = s.provider_id"
	    " WHERE sr.created_at >= " SINCE " GROUP BY 1, 2, 3"),
	/* STMT_KINDS: lookups per indicator kind; id and name are the
	 * kind. */
	GROUPED("SELECT date_trunc('hour', created_at) AS t, kind AS id,"
	    " kind AS name, count(*) AS count FROM requests"
	    " WHERE created_at >= " SINCE " GROUP BY 1, 2, 3"),
};

_Static_assert(nitems(stmts) == STMT__MAX, "one statement per enum stmt");

/*
 * GET /api/v1/stats/count -- {history, historyLast24hrs, providers,
 * enabledProviders, sources, enabledSources, ignoreLists,
 * enabledIgnoreLists, users, enabledUsers}.  Any authenticated user.
 * 200; 503.
 */
static void
stats_count(struct req *r)
{
	rest_row(r, stmts[STMT_COUNT], 0, NULL, "count");
}

/*
 * GET /api/v1/stats/count/requests -- 25 hourly buckets, oldest first,
 * of {uncachedCount, cachedCount, timeWindow}.  Any authenticated
 * user.  200; 503.
 */
static void
stats_requests(struct req *r)
{
	rest_rows(r, stmts[STMT_REQUESTS], 0, NULL);
}

/*
 * GET /api/v1/stats/count/requests/sources -- 25 hourly buckets of
 * {timeWindow, data: [{id, name, count}]}, the distinct lookups of each
 * source.  Any authenticated user.  200; 503.
 */
static void
stats_sources(struct req *r)
{
	rest_rows(r, stmts[STMT_SOURCES], 0, NULL);
}

/*
 * GET /api/v1/stats/count/requests/providers -- the same by provider.
 */
static void
stats_providers(struct req *r)
{
	rest_rows(r, stmts[STMT_PROVIDERS], 0, NULL);
}

/*
 * GET /api/v1/stats/count/requests/kinds -- the same by indicator kind,
 * over the lookups themselves.
 */
static void
stats_kinds(struct req *r)
{
	rest_rows(r, stmts[STMT_KINDS], 0, NULL);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-stats", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
