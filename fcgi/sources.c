/*
 * fcgi/sources.c -- iocagg-sources: the /api/v1/sources route group:
 * sources, their ignore-list links, their secret slots and the lookups
 * that touched them.  See iocagg-sources(8) for routes, bodies, answers
 * and roles.
 *
 * Runner rule.  A PYTHON or JAVA_SCRIPT source's code lives in the
 * database and, in memory only, in the runner of its kind.  The
 * database is the source of truth; a runner is a cache of it.
 *
 *  - Create and update: the row is written, then (still inside the
 *    transaction) runner_update() is called with the stored code, then
 *    the transaction is committed.  A runner that refuses the code rolls
 *    the write back (422 naming sourceCode): neither side changes.  A
 *    runner that cannot be reached does not block the write: it is
 *    committed and the answer says "X-Runner-Sync: pending" (and
 *    "runnerSync": "pending" in the body of a POST).  A runner that took
 *    the change gives "X-Runner-Sync: ok".  Every PATCH of such a source
 *    re-sends its code, so "PATCH {}" retries a pending sync.
 *  - Delete: the row is deleted, runner_delete() is called, then the
 *    transaction is committed whatever the runner said: a missing
 *    runner never blocks a delete (the reference answered 500 and kept
 *    the row).  The answer carries the same header.
 *  - If the commit itself fails after a runner took a change, the
 *    runner is told the opposite (the old code, or a delete), so it is
 *    not left ahead of the database.
 *  - Reconciliation of "pending": a runner's Init carries every source
 *    of its kind that has code, and replaces the runner's whole set
 *    (the runners' contract, see iocagg-sources(8)); it delivers pending
 *    creates and updates and drops the code of deleted sources.  Until
 *    then stale code of a deleted source can never run: lookups only
 *    call a runner for ids that exist in the database, and ids are never
 *    reused.  Every pending sync is also logged (warning) with the id.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/status.h>
#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "indicator.h"
#include "json.h"
#include "log.h"
#include "nanoid.h"
#include "rest.h"
#include "runner.h"
#include "slug.h"
#include "source.h"
#include "srcsecrets.h"
#include "xmalloc.h"

#define ROLE_VIEW	ROLE_SOURCES_VIEW
#define ROLE_EDIT	ROLE_SOURCES_EDIT
#define SLOTS_MAX	256	/* secret slots per source */
#define LISTS_MAX	256	/* ignore lists per source */
#define CODE_MAX	1048576	/* bytes of source code */
#define JSON_MAX	65536	/* bytes of config / configValues */
#define INT32_MAX_LL	2147483647LL

static void	src_list(struct req *);
static void	src_create(struct req *);
static void	src_by_slug(struct req *);
static void	src_get(struct req *);
static void	src_update(struct req *);
static void	src_delete(struct req *);
static void	src_lists_get(struct req *);
static void	src_lists_put(struct req *);
static void	src_secrets_get(struct req *);
static void	src_secrets_put(struct req *);
static void	src_requests(struct req *);
static void	src_tasks(struct req *);
static void	src_test(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/sources", src_list, ROLE_VIEW, 0 },
	{ METHOD_POST, "/api/v1/sources", src_create, ROLE_EDIT, 0 },
	/* Runs unsaved code: who may save code may run it. */
	{ METHOD_POST, "/api/v1/sources/test", src_test, ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/sources/slugs/:slug", src_by_slug, ROLE_VIEW,
	    0 },
	{ METHOD_GET, "/api/v1/sources/:id", src_get, ROLE_VIEW, 0 },
	{ METHOD_PATCH, "/api/v1/sources/:id", src_update, ROLE_EDIT, 0 },
	{ METHOD_DELETE, "/api/v1/sources/:id", src_delete, ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/sources/:id/ignoreLists", src_lists_get,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/sources/:id/ignoreLists", src_lists_put,
	    ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/sources/:id/secrets", src_secrets_get,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/sources/:id/secrets", src_secrets_put,
	    ROLE_EDIT, 0 },
	/* Lookup history shows every user's indicators: request_view. */
	{ METHOD_GET, "/api/v1/sources/:id/requests", src_requests,
	    ROLE_REQUEST_VIEW, 0 },
	/* Background task runs (iocagg-schedulerd). */
	{ METHOD_GET, "/api/v1/sources/:id/tasks", src_tasks, ROLE_VIEW, 0 },
};

/*
 * The fields of CreateSource/UpdateSource, in the order of the columns
 * of STMT_INSERT, STMT_OLD and STMT_UPDATE (the slug follows the name).
 */
enum fl {
	FL_NAME,
	FL_DESCRIPTION,
	FL_URL,
	FL_FAVICON,
	FL_TAGS,
	FL_ENABLED,
	FL_SUPPORTED,
	FL_DISABLED,
	FL_TASK_ENABLED,
	FL_TASK_INTERVAL,
	FL_CONFIG,
	FL_CONFIG_VALUES,
	FL_LIMIT_ENABLED,
	FL_LIMIT_COUNT,
	FL_LIMIT_INTERVAL,
	FL_CACHE_ENABLED,
	FL_CACHE_INTERVAL,
	FL_PROVIDER_ID,
	FL_KIND,
	FL_SOURCE_CODE,
	FL_BUILTIN,
	FL_TIMEOUT,
	FL__MAX
};

/* Required on POST as in the reference's CreateSource. */
static const struct field src_fields[FL__MAX] = {
	{ "name", F_STR, 1, 0, 1, 100, NULL },
	{ "description", F_STR, 1, 0, 0, 5000, NULL },
	{ "url", F_URL, 1, 0, 0, 2048, NULL },
	{ "favicon", F_STR, 0, 1, 0, 1048576, NULL },
	{ "tags", F_STRS, 1, 0, 1, 100, NULL },
	{ "enabled", F_BOOL, 1, 0, 0, 0, NULL },
	{ "supportedIndicators", F_KINDS, 1, 0, 0, 0, NULL },
	{ "disabledIndicators", F_KINDS, 1, 0, 0, 0, NULL },
	{ "taskEnabled", F_BOOL, 1, 0, 0, 0, NULL },
	{ "taskInterval", F_INT, 0, 1, 1, INT32_MAX_LL, NULL },
	{ "config", F_JSON, 1, 0, 0, JSON_MAX, NULL },
	{ "configValues", F_JSON, 1, 0, 0, JSON_MAX, NULL },
	{ "limitEnabled", F_BOOL, 1, 0, 0, 0, NULL },
	{ "limitCount", F_INT, 0, 1, 1, INT32_MAX_LL, NULL },
	{ "limitInterval", F_INT, 0, 1, 1, INT32_MAX_LL, NULL },
	{ "cacheEnabled", F_BOOL, 1, 0, 0, 0, NULL },
	{ "cacheInterval", F_INT, 0, 1, 1, INT32_MAX_LL, NULL },
	{ "providerId", F_ID, 0, 1, 0, 0, NULL },
	{ "kind", F_ENUM, 1, 0, 0, 0, "SYSTEM|PYTHON|JAVA_SCRIPT" },
	{ "sourceCode", F_STR, 0, 1, 1, CODE_MAX, NULL },
	{ "builtin", F_STR, 0, 1, 1, 63, NULL },
	{ "timeout", F_INT, 0, 1, 1, 600, NULL },
};

/* One element of the PUT /sources/:id/secrets body. */
enum sl {
	SL_SECRET_ID,
	SL_NAME,
	SL_DESCRIPTION,
	SL_REQUIRED,
	SL__MAX
};

static const struct field slot_fields[SL__MAX] = {
	{ "secretId", F_ID, 0, 1, 0, 0, NULL },
	{ "name", F_STR, 1, 0, 1, 100, NULL },
	{ "description", F_STR, 0, 1, 0, 5000, NULL },
	{ "required", F_BOOL, 1, 0, 0, 0, NULL },
};

/* The body of POST /sources/test. */
enum tf {
	TF_KIND,
	TF_CODE,
	TF_DATA,
	TF_INDICATOR_KIND,
	TF_CONFIG_VALUES,
	TF_TIMEOUT,
	TF__MAX
};

static const struct field test_fields[TF__MAX] = {
	{ "kind", F_ENUM, 1, 0, 0, 0, "PYTHON|JAVA_SCRIPT" },
	{ "code", F_STR, 1, 0, 1, CODE_MAX, NULL },
	{ "data", F_STR, 1, 0, 1, IND_DATA_MAX, NULL },
	{ "indicatorKind", F_ENUM, 1, 0, 0, 0,
	    "DOMAIN|IPV4|IPV6|URL|EMAIL|SHA1|SHA256|SHA512|MD5|TLSH|SSDEEP" },
	{ "configValues", F_JSON, 0, 1, 0, JSON_MAX, NULL },
	{ "timeout", F_INT, 0, 1, 1, 600, NULL },
};

enum stmt {
	STMT_LIST,
	STMT_GET,
	STMT_BY_SLUG,
	STMT_EXISTS,
	STMT_LOCK,
	STMT_PROVIDER,
	STMT_INSERT,
	STMT_OLD,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_LISTS,
	STMT_LISTS_UNKNOWN,
	STMT_LISTS_UNLINK,
	STMT_LISTS_LINK,
	STMT_SLOTS,
	STMT_SECRETS_UNKNOWN,
	STMT_SLOTS_DROP,
	STMT_SLOTS_UPSERT,
	STMT_REQUESTS,
	STMT_RUNNER_ON,
	STMT_TASKS,
	STMT__MAX
};

#define SOURCE_COLS \
	"s.id, s.created_at, s.updated_at, s.name, s.slug, s.description, " \
	"s.url, s.favicon, array_to_json(s.tags) AS tags, s.enabled, " \
	"array_to_json(s.supported_indicators) AS supported_indicators, " \
	"array_to_json(s.disabled_indicators) AS disabled_indicators, " \
	"s.task_enabled, s.task_interval, s.config, s.config_values, " \
	"s.limit_enabled, s.limit_count, s.limit_interval, s.cache_enabled, " \
	"s.cache_interval, s.provider_id, CASE s.kind " \
	"WHEN 'system' THEN 'SYSTEM' WHEN 'python' THEN 'PYTHON' " \
	"ELSE 'JAVA_SCRIPT' END AS kind, s.source_code, s.created_user_id, " \
	"s.updated_user_id, s.builtin, s.timeout, (SELECT " \
	"json_build_object('startedAt', " TASK_TS("t.started_at") ", " \
	"'endedAt', " TASK_TS("t.ended_at") ", 'status', t.status, " \
	"'error', t.error, 'rows', t.rows_loaded) FROM task_runs t " \
	"WHERE t.source_id = s.id ORDER BY t.started_at DESC, t.id DESC " \
	"LIMIT 1) AS last_task"

/* A timestamp inside JSON as db_row_json() writes one. */
#define TASK_TS(col) \
	"to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')"

/* The writable columns, in enum fl order, with the slug after name. */
#define WRITE_COLS \
	"name, slug, description, url, favicon, tags, enabled, " \
	"supported_indicators, disabled_indicators, task_enabled, " \
	"task_interval, config, config_values, limit_enabled, limit_count, " \
	"limit_interval, cache_enabled, cache_interval, provider_id, kind, " \
	"source_code, builtin, timeout"

#define LIST_COLS \
	"l.id, l.created_at, l.updated_at, l.name, l.slug, l.description, " \
	"l.enabled, l.global, l.created_user_id, l.updated_user_id"

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST */
	"SELECT " SOURCE_COLS " FROM sources s ORDER BY s.name, s.id "
	"LIMIT $1 OFFSET $2",
	/* STMT_GET */
	"SELECT " SOURCE_COLS " FROM sources s WHERE s.id = $1",
	/* STMT_BY_SLUG */
	"SELECT id FROM sources WHERE slug = $1",
	/* STMT_EXISTS */
	"SELECT 1 FROM sources WHERE id = $1",
	/* STMT_LOCK: the source, locked for a replace of its links. */
	"SELECT 1 FROM sources WHERE id = $1 FOR UPDATE",
	/* STMT_PROVIDER */
	"SELECT 1 FROM providers WHERE id = $1",
	/* STMT_INSERT: $1..$23 WRITE_COLS, $24 the caller. */
	"INSERT INTO sources (" WRITE_COLS ", created_user_id) VALUES ($1, "
	"$2, $3, $4, $5, $6::text[], $7::bool, $8::text[], $9::text[], "
	"$10::bool, $11::int, $12::jsonb, $13::jsonb, $14::bool, $15::int, "
	"$16::int, $17::bool, $18::int, $19, $20::source_kind, $21, $22, "
	"$23::int, $24) RETURNING id, slug",
	/* STMT_OLD: the current values as SQL text, locked. */
	"SELECT name, slug, description, url, favicon, tags, enabled, "
	"supported_indicators, disabled_indicators, task_enabled, "
	"task_interval, config, config_values, limit_enabled, limit_count, "
	"limit_interval, cache_enabled, cache_interval, provider_id, "
	"kind::text AS kind, source_code, builtin, timeout FROM sources "
	"WHERE id = $1 FOR UPDATE",
	/* STMT_UPDATE: $1 id, $2..$24 WRITE_COLS, $25 the caller. */
	"UPDATE sources SET name = $2, slug = $3, description = $4, "
	"url = $5, favicon = $6, tags = $7::text[], enabled = $8::bool, "
	"supported_indicators = $9::text[], disabled_indicators = "
	"$10::text[], task_enabled = $11::bool, task_interval = $12::int, "
	"config = $13::jsonb, config_values = $14::jsonb, limit_enabled = "
	"$15::bool, limit_count = $16::int, limit_interval = $17::int, "
	"cache_enabled = $18::bool, cache_interval = $19::int, provider_id = "
	"$20, kind = $21::source_kind, source_code = $22, builtin = $23, "
	"timeout = $24::int, updated_user_id = $25 WHERE id = $1",
	/* STMT_DELETE */
	"DELETE FROM sources WHERE id = $1",
	/* STMT_LISTS: the lists linked to the source (not the global ones
	 * that apply anyway). */
	"SELECT " LIST_COLS " FROM ignore_lists l JOIN source_ignore_lists x "
	"ON x.ignore_list_id = l.id WHERE x.source_id = $1 ORDER BY l.name",
	/* STMT_LISTS_UNKNOWN: the first id of $1 that is no list. */
	"SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS (SELECT 1 "
	"FROM ignore_lists l WHERE l.id = x) LIMIT 1",
	/* STMT_LISTS_UNLINK */
	"DELETE FROM source_ignore_lists WHERE source_id = $1 AND "
	"NOT (ignore_list_id = ANY($2::text[]))",
	/* STMT_LISTS_LINK */
	"INSERT INTO source_ignore_lists (ignore_list_id, source_id, user_id) "
	"SELECT x, $1, $3 FROM unnest($2::text[]) AS x "
	"ON CONFLICT (ignore_list_id, source_id) DO NOTHING",
	/* STMT_SLOTS */
	"SELECT id, created_at, updated_at, secret_id, name, description, "
	"required, created_user_id, updated_user_id FROM source_secrets "
	"WHERE source_id = $1 ORDER BY name",
	/* STMT_SECRETS_UNKNOWN: the first id of $1 that is no secret. */
	"SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS (SELECT 1 "
	"FROM secrets s WHERE s.id = x) LIMIT 1",
	/* STMT_SLOTS_DROP: the slots whose names are not kept. */
	"DELETE FROM source_secrets WHERE source_id = $1 AND "
	"NOT (name = ANY($2::text[]))",
	/* STMT_SLOTS_UPSERT: a kept slot keeps its id. */
	"INSERT INTO source_secrets (source_id, name, description, required, "
	"secret_id, created_user_id) VALUES ($1, $2, $3, $4::bool, $5, $6) "
	"ON CONFLICT (source_id, name) DO UPDATE SET description = "
	"EXCLUDED.description, required = EXCLUDED.required, secret_id = "
	"EXCLUDED.secret_id, updated_user_id = EXCLUDED.created_user_id",
	/* STMT_REQUESTS: a lookup evaluates a source at most once. */
	"SELECT r.id, r.created_at, r.updated_at, r.data, r.kind, "
	"r.trace_id, r.user_id FROM requests r JOIN source_requests sr ON "
	"sr.request_id = r.id WHERE sr.source_id = $1 ORDER BY "
	"sr.started_at DESC, r.id DESC LIMIT $2 OFFSET $3",
	/* STMT_RUNNER_ON: the *_runner_enabled override, if any. */
	"SELECT value FROM server_config WHERE key = $1",
	/* STMT_TASKS: the source's background task runs, newest first. */
	"SELECT id, task, started_at, ended_at, status, error, "
	"rows_loaded AS rows, bytes, host, pid FROM task_runs "
	"WHERE source_id = $1 ORDER BY started_at DESC, id DESC "
	"LIMIT $2 OFFSET $3",
};

/* --- Small helpers ------------------------------------------------ */

/* Database spelling of a wire kind, and back. */
static const char *
kind_db(const char *wire)
{
	if (strcmp(wire, "PYTHON") == 0)
		return "python";
	if (strcmp(wire, "JAVA_SCRIPT") == 0)
		return "javascript";
	return "system";
}

static const char *
kind_wire(const char *db)
{
	if (strcmp(db, "python") == 0)
		return "PYTHON";
	if (strcmp(db, "javascript") == 0)
		return "JAVA_SCRIPT";
	return "SYSTEM";
}

/* Is a source of this (database) kind run by a runner? */
static int
code_kind(const char *db)
{
	return strcmp(db, "system") != 0;
}

/*
 * Does source "id" exist?  1, 0, or -1 after answering 503.  "lock"
 * takes the row lock (inside a transaction).
 */
static int
source_exists(struct req *r, const char *id, int lock)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { id };
	int		 n;

	pr = db_exec(r->db, stmts[lock ? STMT_LOCK : STMT_EXISTS], 1, p,
	    &res);
	if (res != DB_OK) {
		PQclear(pr);
		rest_db_error(r, res, "source");
		return -1;
	}
	n = PQntuples(pr) > 0;
	PQclear(pr);
	return n;
}

/* The first id of array literal "arr" that "st" does not know, or NULL
 * (xmalloc'd); "*res" is the statement's result. */
static char *
first_unknown(struct req *r, enum stmt st, const char *arr,
    enum dbres *res)
{
	PGresult	*pr;
	const char	*p[1] = { arr };
	char		*id = NULL;

	pr = db_exec(r->db, stmts[st], 1, p, res);
	if (*res == DB_OK && PQntuples(pr) > 0)
		id = xstrdup(PQgetvalue(pr, 0, 0));
	PQclear(pr);
	return id;
}

/* "a, b, c": the built-in sources, for error messages. */
static void
builtin_names(char *buf, size_t sz)
{
	const struct src_def *const	*reg;
	size_t				 i, n;

	buf[0] = '\0';
	reg = src_registry(&n);
	for (i = 0; i < n; i++) {
		if (i > 0)
			(void)strlcat(buf, ", ", sz);
		(void)strlcat(buf, reg[i]->builtin, sz);
	}
}

/* --- Runner synchronisation ----------------------------------------- */

enum sync {
	SYNC_NONE,		/* no runner involved (SYSTEM) */
	SYNC_OK,		/* every runner concerned has the change */
	SYNC_PENDING,		/* some runner was not reached */
};

/* Fold one runner answer into "s"; log what stays pending. */
static void
sync_note(enum sync *s, enum runner_res rr, const char *what,
    const char *kind, const char *id, const char *err)
{
	if (rr == RUNNER_OK) {
		if (*s == SYNC_NONE)
			*s = SYNC_OK;
		return;
	}
	*s = SYNC_PENDING;
	log_warnx("source %s: %s runner %s pending (%s); its next Init "
	    "reconciles it", id, kind, what, log_quote(err));
}

static const char *
sync_name(enum sync s)
{
	return s == SYNC_OK ? "ok" : "pending";
}

static void
sync_header(struct req *r, enum sync s)
{
	if (s != SYNC_NONE)
		http_header(r, "X-Runner-Sync", "%s", sync_name(s));
}

/* Best-effort undo of runner changes when the commit failed. */
static void
runner_undo_update(struct db *db, const char *kind, const char *id,
    const char *old_kind, const char *old_code)
{
	char	 err[256];

	if (old_kind != NULL && code_kind(old_kind) && old_code != NULL &&
	    strcmp(old_kind, kind) == 0)
		(void)runner_update(db, kind, id, old_code, err, sizeof(err));
	else
		(void)runner_delete(db, kind, id, err, sizeof(err));
}

/* --- Source bodies ---------------------------------------------------- */

/* config and configValues must be JSON arrays. */
static int
check_arrays(struct req *r, const struct fval *v)
{
	static const enum fl	 f[] = { FL_CONFIG, FL_CONFIG_VALUES };
	size_t			 i;

	for (i = 0; i < nitems(f); i++)
		if (v[f[i]].present && !v[f[i]].null &&
		    !json_object_is_type(v[f[i]].j, json_type_array)) {
			http_error(r, 422, "invalid_field", "'%s' must be a "
			    "JSON array", src_fields[f[i]].name);
			return -1;
		}
	return 0;
}

/*
 * Check the source as it will be stored ("v", database spellings)
 * against what the body said ("in"): a SYSTEM source names a built-in
 * (checked when "check_builtin": on creation, or when the kind or the
 * builtin changes, so that seeded sources whose built-in is not written
 * yet can still be edited); a PYTHON/JAVA_SCRIPT source carries code;
 * neither takes the other's field.
 */
static int
check_kind(struct req *r, const char **v, const struct fval *in,
    int check_builtin)
{
	char	 names[256];

	if (!code_kind(v[FL_KIND])) {
		if (in[FL_SOURCE_CODE].present && !in[FL_SOURCE_CODE].null) {
			http_error(r, 422, "invalid_field", "'sourceCode' is "
			    "only for PYTHON and JAVA_SCRIPT sources");
			return -1;
		}
		if (!check_builtin)
			return 0;
		builtin_names(names, sizeof(names));
		if (v[FL_BUILTIN] == NULL) {
			http_error(r, 422, "invalid_field", "'builtin' is "
			    "required for a SYSTEM source: one of %s", names);
			return -1;
		}
		if (src_find(v[FL_BUILTIN]) == NULL) {
			http_error(r, 422, "invalid_field", "'builtin': no "
			    "built-in source %s; one of %s",
			    log_quote(v[FL_BUILTIN]), names);
			return -1;
		}
		return 0;
	}
	if (in[FL_BUILTIN].present && !in[FL_BUILTIN].null) {
		http_error(r, 422, "invalid_field", "'builtin' is only for "
		    "SYSTEM sources");
		return -1;
	}
	if (v[FL_SOURCE_CODE] == NULL) {
		http_error(r, 422, "invalid_field", "'sourceCode' is required "
		    "for a %s source", kind_wire(v[FL_KIND]));
		return -1;
	}
	return 0;
}

/* 422 naming providerId if it names no provider; 0 or -1. */
static int
check_provider(struct req *r, const char *provider_id)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { provider_id };
	int		 n;

	if (provider_id == NULL)
		return 0;
	pr = db_exec(r->db, stmts[STMT_PROVIDER], 1, p, &res);
	n = res == DB_OK ? PQntuples(pr) : 0;
	PQclear(pr);
	if (res != DB_OK) {
		rest_db_error(r, res, "source");
		return -1;
	}
	if (n == 0) {
		http_error(r, 422, "invalid_field", "'providerId': no such "
		    "provider %s", provider_id);
		return -1;
	}
	return 0;
}

/* A failed INSERT/UPDATE of a source. */
static void
write_error(struct req *r, enum dbres res, const char *name,
    const char *slug)
{
	if (res == DB_CONFLICT)
		http_error(r, 409, "conflict", "a source named %s or with the "
		    "slug %s already exists", log_quote(name), slug);
	else
		rest_db_error(r, res, "source");
}

/* The slug of "name": 422 naming the field when it is empty. */
static char *
make_slug(struct req *r, const char *name)
{
	char	*slug;

	slug = slugify(name);
	if (*slug == '\0') {
		free(slug);
		http_error(r, 422, "invalid_field", "'name' must contain at "
		    "least one ASCII letter (it makes the slug)");
		return NULL;
	}
	return slug;
}

/* --- Routes ----------------------------------------------------------- */

/*
 * GET /api/v1/sources[?limit=N&offset=M] -- every source, by name.
 * Role sources_view.  200; 400 bad paging; 503.
 */
static void
src_list(struct req *r)
{
	char		 lb[24], ob[24];
	const char	*p[2] = { lb, ob };

	if (rest_paging(r, 1000, lb, ob) == -1)
		return;
	rest_rows(r, stmts[STMT_LIST], 2, p);
}

/*
 * POST /api/v1/sources -- CreateSource.  Role sources_edit.  201
 * {id, slug[, runnerSync]}; 400; 409 name or slug taken; 422.
 */
static void
src_create(struct req *r)
{
	json_object	*body, *o;
	struct fval	 in[FL__MAX];
	const char	*v[FL__MAX], *p[FL__MAX + 2];
	PGresult	*pr = NULL;
	enum dbres	 res;
	enum runner_res	 rr = RUNNER_UNREACHABLE;
	enum sync	 sync = SYNC_NONE;
	char		*slug = NULL, *id = NULL, err[1024] = "";
	size_t		 i, k;

	if ((body = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, body, src_fields, FL__MAX, in, 0) == -1) {
		json_object_put(body);
		return;
	}
	if (check_arrays(r, in) == -1)
		goto out;
	for (i = 0; i < FL__MAX; i++)
		v[i] = in[i].text;
	v[FL_KIND] = kind_db(in[FL_KIND].text);
	if (check_kind(r, v, in, 1) == -1 ||
	    (slug = make_slug(r, v[FL_NAME])) == NULL)
		goto out;
	for (i = k = 0; i < FL__MAX; i++) {
		p[k++] = v[i];
		if (i == FL_NAME)
			p[k++] = slug;
	}
	p[k++] = r->user->id;

	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "source");
		goto out;
	}
	if (check_provider(r, v[FL_PROVIDER_ID]) == -1)
		goto rollback;
	pr = db_exec(r->db, stmts[STMT_INSERT], (int)k, p, &res);
	if (res != DB_OK || PQntuples(pr) != 1) {
		write_error(r, res == DB_OK ? DB_FAIL : res, v[FL_NAME], slug);
		goto rollback;
	}
	id = xstrdup(PQgetvalue(pr, 0, 0));
	if (code_kind(v[FL_KIND])) {
		rr = runner_update(r->db, v[FL_KIND], id, v[FL_SOURCE_CODE], err,
		    sizeof(err));
		if (rr == RUNNER_REFUSED) {
			http_error(r, 422, "invalid_field", "'sourceCode' was "
			    "refused by the %s runner: %s",
			    kind_wire(v[FL_KIND]), err);
			goto rollback;
		}
	}
	if ((res = db_commit(r->db)) != DB_OK) {
		if (rr == RUNNER_OK)
			runner_undo_update(r->db, v[FL_KIND], id, NULL, NULL);
		rest_db_error(r, res, "source");
		goto out;
	}
	if (code_kind(v[FL_KIND]))
		sync_note(&sync, rr, "update", v[FL_KIND], id, err);
	o = json_object_new_object();
	(void)jadd(o, "id", json_object_new_string(id));
	(void)jadd(o, "slug", json_object_new_string(PQgetvalue(pr, 0, 1)));
	if (sync != SYNC_NONE)
		(void)jadd(o, "runnerSync", json_object_new_string(
		    sync_name(sync)));
	sync_header(r, sync);
	http_json(r, 201, o);
	json_object_put(o);
	goto out;
rollback:
	db_rollback(r->db);
out:
	PQclear(pr);
	free(id);
	free(slug);
	rest_fields_free(in, FL__MAX);
	json_object_put(body);
}

/*
 * GET /api/v1/sources/slugs/:slug -- the id of the source with this
 * slug, as text/plain (as the reference).  Role sources_view.  200; 404.
 */
static void
src_by_slug(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*slug = req_arg(r, 0), *p[1] = { slug };
	char		*s;

	s = slugify(slug);
	if (slug == NULL || *s == '\0' || strcmp(s, slug) != 0) {
		free(s);
		http_error(r, 404, "not_found", "no such source");
		return;
	}
	free(s);
	pr = db_query(r->db, stmts[STMT_BY_SLUG], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "source");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such source");
	else
		http_text(r, 200, "text/plain; charset=utf-8",
		    PQgetvalue(pr, 0, 0));
	PQclear(pr);
}

/*
 * GET /api/v1/sources/:id -- one source.  Role sources_view.  200; 404.
 */
static void
src_get(struct req *r)
{
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "source")) == NULL)
		return;
	p[0] = id;
	rest_row(r, stmts[STMT_GET], 1, p, "source");
}

/*
 * PATCH /api/v1/sources/:id -- UpdateSource: an absent field keeps its
 * value, null clears a nullable one; a new name makes a new slug.  Role
 * sources_edit.  204; 400; 404; 409; 422.
 */
static void
src_update(struct req *r)
{
	json_object	*body;
	struct fval	 in[FL__MAX];
	const char	*id, *v[FL__MAX], *p[FL__MAX + 3];
	PGresult	*old = NULL;
	enum dbres	 res;
	enum runner_res	 rd = RUNNER_UNREACHABLE, ru = RUNNER_UNREACHABLE;
	enum sync	 sync = SYNC_NONE;
	char		*slug = NULL, *old_kind = NULL, *old_code = NULL;
	char		 err[1024] = "", derr[1024] = "";
	int		 kind_changed, builtin_changed;
	int		 did_delete = 0, did_update = 0;
	size_t		 i, k;

	if ((id = rest_id(r, 0, "source")) == NULL)
		return;
	if ((body = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, body, src_fields, FL__MAX, in, 1) == -1) {
		json_object_put(body);
		return;
	}
	if (check_arrays(r, in) == -1)
		goto out;

	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "source");
		goto out;
	}
	p[0] = id;
	old = db_exec(r->db, stmts[STMT_OLD], 1, p, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "source");
		goto rollback;
	}
	if (PQntuples(old) == 0) {
		http_error(r, 404, "not_found", "no such source");
		goto rollback;
	}
	/* Merge: the body over the stored row (column fl + 1 after the
	 * slug, which is column 1). */
	for (i = 0; i < FL__MAX; i++) {
		k = i == FL_NAME ? 0 : i + 1;
		if (in[i].present)
			v[i] = in[i].null ? NULL : in[i].text;
		else
			v[i] = PQgetisnull(old, 0, (int)k) ? NULL :
			    PQgetvalue(old, 0, (int)k);
	}
	old_kind = xstrdup(PQgetvalue(old, 0, FL_KIND + 1));
	if (!PQgetisnull(old, 0, FL_SOURCE_CODE + 1))
		old_code = xstrdup(PQgetvalue(old, 0, FL_SOURCE_CODE + 1));
	if (in[FL_KIND].present)
		v[FL_KIND] = kind_db(in[FL_KIND].text);
	kind_changed = strcmp(old_kind, v[FL_KIND]) != 0;
	/* What only the other family of kinds uses goes with a change of
	 * kind, unless the body sets it. */
	if (code_kind(v[FL_KIND]) && !in[FL_BUILTIN].present)
		v[FL_BUILTIN] = NULL;
	if (!code_kind(v[FL_KIND]) && !in[FL_SOURCE_CODE].present)
		v[FL_SOURCE_CODE] = NULL;
	builtin_changed = in[FL_BUILTIN].present &&
	    (PQgetisnull(old, 0, FL_BUILTIN + 1) || in[FL_BUILTIN].null ||
	    strcmp(in[FL_BUILTIN].text, PQgetvalue(old, 0, FL_BUILTIN + 1)) !=
	    0);
	if (check_kind(r, v, in, kind_changed || builtin_changed) == -1)
		goto rollback;
	if (in[FL_NAME].present) {
		if ((slug = make_slug(r, v[FL_NAME])) == NULL)
			goto rollback;
	} else
		slug = xstrdup(PQgetvalue(old, 0, 1));
	if (in[FL_PROVIDER_ID].present &&
	    check_provider(r, v[FL_PROVIDER_ID]) == -1)
		goto rollback;

	k = 0;
	p[k++] = id;
	for (i = 0; i < FL__MAX; i++) {
		p[k++] = v[i];
		if (i == FL_NAME)
			p[k++] = slug;
	}
	p[k++] = r->user->id;
	if ((res = db_cmd(r->db, stmts[STMT_UPDATE], (int)k, p)) != DB_OK) {
		write_error(r, res, v[FL_NAME], slug);
		goto rollback;
	}

	/* The old kind's runner forgets a source that changed kind; the
	 * new kind's runner gets the code (again: PATCH {} retries). */
	if (code_kind(old_kind) && kind_changed) {
		rd = runner_delete(r->db, old_kind, id, derr, sizeof(derr));
		did_delete = 1;
	}
	if (code_kind(v[FL_KIND])) {
		ru = runner_update(r->db, v[FL_KIND], id, v[FL_SOURCE_CODE], err,
		    sizeof(err));
		did_update = 1;
		if (ru == RUNNER_REFUSED) {
			if (rd == RUNNER_OK)
				(void)runner_update(r->db, old_kind, id, old_code,
				    derr, sizeof(derr));
			http_error(r, 422, "invalid_field", "'sourceCode' was "
			    "refused by the %s runner: %s",
			    kind_wire(v[FL_KIND]), err);
			goto rollback;
		}
	}
	if ((res = db_commit(r->db)) != DB_OK) {
		if (ru == RUNNER_OK)
			runner_undo_update(r->db, v[FL_KIND], id, old_kind,
			    old_code);
		if (rd == RUNNER_OK && old_code != NULL)
			(void)runner_update(r->db, old_kind, id, old_code, derr,
			    sizeof(derr));
		rest_db_error(r, res, "source");
		goto out;
	}
	if (did_delete)
		sync_note(&sync, rd, "delete", old_kind, id, derr);
	if (did_update)
		sync_note(&sync, ru, "update", v[FL_KIND], id, err);
	sync_header(r, sync);
	http_empty(r, 204);
	goto out;
rollback:
	db_rollback(r->db);
out:
	PQclear(old);
	free(slug);
	free(old_kind);
	freezero_str(old_code);
	rest_fields_free(in, FL__MAX);
	json_object_put(body);
}

/*
 * DELETE /api/v1/sources/:id -- delete a source, its secret slots and
 * ignore-list links; its lookups keep their history.  The runner is
 * told before the commit, but cannot block it (see the runner rule at
 * the top).  Role sources_edit.  204; 404.
 */
static void
src_delete(struct req *r)
{
	PGresult	*old = NULL;
	enum dbres	 res;
	enum runner_res	 rd = RUNNER_UNREACHABLE;
	enum sync	 sync = SYNC_NONE;
	const char	*id, *p[1], *kind, *code;
	char		 err[256] = "";

	if ((id = rest_id(r, 0, "source")) == NULL)
		return;
	p[0] = id;
	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "source");
		return;
	}
	old = db_exec(r->db, stmts[STMT_OLD], 1, p, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "source");
		goto rollback;
	}
	if (PQntuples(old) == 0) {
		http_error(r, 404, "not_found", "no such source");
		goto rollback;
	}
	kind = PQgetvalue(old, 0, FL_KIND + 1);
	code = PQgetisnull(old, 0, FL_SOURCE_CODE + 1) ? NULL :
	    PQgetvalue(old, 0, FL_SOURCE_CODE + 1);
	if ((res = db_cmd(r->db, stmts[STMT_DELETE], 1, p)) != DB_OK) {
		rest_db_error(r, res, "source");
		goto rollback;
	}
	if (code_kind(kind))
		rd = runner_delete(r->db, kind, id, err, sizeof(err));
	if ((res = db_commit(r->db)) != DB_OK) {
		if (rd == RUNNER_OK && code != NULL)
			(void)runner_update(r->db, kind, id, code, err,
			    sizeof(err));
		rest_db_error(r, res, "source");
		PQclear(old);
		return;
	}
	if (code_kind(kind))
		sync_note(&sync, rd, "delete", kind, id, err);
	sync_header(r, sync);
	http_empty(r, 204);
	PQclear(old);
	return;
rollback:
	db_rollback(r->db);
	PQclear(old);
}

/* The rows of "st" for source :id, or 404 when there is no source. */
static void
source_rows(struct req *r, enum stmt st, int paged)
{
	const char	*id, *p[3];
	char		 lb[24], ob[24];
	int		 n;

	if ((id = rest_id(r, 0, "source")) == NULL)
		return;
	if (paged && rest_paging(r, 1000, lb, ob) == -1)
		return;
	if ((n = source_exists(r, id, 0)) == -1)
		return;
	if (n == 0) {
		http_error(r, 404, "not_found", "no such source");
		return;
	}
	p[0] = id;
	p[1] = lb;
	p[2] = ob;
	rest_rows(r, stmts[st], paged ? 3 : 1, p);
}

/*
 * GET /api/v1/sources/:id/ignoreLists -- the lists linked to the source
 * (global lists apply to every source and are not listed).  Role
 * sources_view.  200; 404.
 */
static void
src_lists_get(struct req *r)
{
	source_rows(r, STMT_LISTS, 0);
}

/*
 * PUT /api/v1/sources/:id/ignoreLists -- ["listId", ...] becomes the
 * set of linked lists, in one transaction.  Role sources_edit.  204;
 * 404; 422 (an unknown list: nothing changes).
 */
static void
src_lists_put(struct req *r)
{
	enum dbres	 res;
	const char	*id, *p[3];
	char		*ids, *bad = NULL;
	int		 n;

	if ((id = rest_id(r, 0, "source")) == NULL)
		return;
	if ((ids = rest_id_array(r, LISTS_MAX)) == NULL)
		return;
	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "source");
		free(ids);
		return;
	}
	if ((n = source_exists(r, id, 1)) == -1)
		goto rollback;
	if (n == 0) {
		http_error(r, 404, "not_found", "no such source");
		goto rollback;
	}
	bad = first_unknown(r, STMT_LISTS_UNKNOWN, ids, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "source");
		goto rollback;
	}
	if (bad != NULL) {
		http_error(r, 422, "invalid_field", "no such ignore list %s",
		    bad);
		goto rollback;
	}
	p[0] = id;
	p[1] = ids;
	p[2] = r->user->id;
	if ((res = db_cmd(r->db, stmts[STMT_LISTS_UNLINK], 2, p)) != DB_OK ||
	    (res = db_cmd(r->db, stmts[STMT_LISTS_LINK], 3, p)) != DB_OK) {
		rest_db_error(r, res, "ignore list link");
		goto rollback;
	}
	if ((res = db_commit(r->db)) != DB_OK)
		rest_db_error(r, res, "source");
	else
		http_empty(r, 204);
	free(ids);
	return;
rollback:
	db_rollback(r->db);
	free(bad);
	free(ids);
}

/*
 * GET /api/v1/sources/:id/secrets -- the source's secret slots, by
 * name.  Role sources_view.  200; 404.
 */
static void
src_secrets_get(struct req *r)
{
	source_rows(r, STMT_SLOTS, 0);
}

/* A slot name: 1 to 100 of [A-Z0-9_]. */
static int
slot_name_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= 100 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/*
 * PUT /api/v1/sources/:id/secrets -- [{secretId?, name, description?,
 * required}] becomes the set of slots, in one transaction; a slot whose
 * name stays keeps its id.  Role sources_edit.  204; 404; 409 duplicate
 * name; 422 bad slot or unknown secretId (nothing changes).
 */
static void
src_secrets_put(struct req *r)
{
	json_object	*a, *e;
	struct fval	(*in)[SL__MAX] = NULL;
	enum dbres	 res;
	const char	*id, *p[6];
	char		**names = NULL, **sids = NULL, *narr = NULL;
	char		*sarr = NULL, *bad = NULL;
	size_t		 i, j, n, nsids = 0, nparsed = 0;
	int		 found;

	if ((id = rest_id(r, 0, "source")) == NULL)
		return;
	if ((a = req_json(r)) == NULL)
		return;
	if (!json_object_is_type(a, json_type_array)) {
		http_error(r, 422, "invalid_field", "the body must be an "
		    "array of secret slots");
		goto out;
	}
	if ((n = json_object_array_length(a)) > SLOTS_MAX) {
		http_error(r, 422, "invalid_field", "at most %d secret slots",
		    SLOTS_MAX);
		goto out;
	}
	in = xcalloc(n + 1, sizeof(*in));
	names = xcalloc(n + 1, sizeof(char *));
	sids = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_object)) {
			http_error(r, 422, "invalid_field", "secret slot %zu "
			    "must be an object", i);
			goto out;
		}
		if (rest_fields(r, e, slot_fields, SL__MAX, in[i], 0) == -1)
			goto out;
		nparsed++;
		names[i] = in[i][SL_NAME].text;
		if (!slot_name_ok(names[i])) {
			http_error(r, 422, "invalid_field", "'name' must be 1 "
			    "to 100 characters of A-Z, 0-9 and _: %s",
			    log_quote(names[i]));
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(names[j], names[i]) == 0) {
				http_error(r, 409, "conflict", "secret slot "
				    "%s is named twice", names[i]);
				goto out;
			}
		if (in[i][SL_SECRET_ID].text != NULL)
			sids[nsids++] = in[i][SL_SECRET_ID].text;
	}
	/*
	 * Linking a secret hands its value to whatever URL the source
	 * calls: that is using the secret, so it takes secrets_edit too,
	 * not sources_edit alone.
	 */
	if (nsids > 0 && !user_has_role(r->user, ROLE_SECRETS_EDIT)) {
		http_error(r, 403, "forbidden", "linking a secret to a source "
		    "also requires the '%s' role", ROLE_SECRETS_EDIT);
		goto out;
	}
	narr = rest_text_array(names, n);
	sarr = rest_text_array(sids, nsids);

	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "source");
		goto out;
	}
	if ((found = source_exists(r, id, 1)) == -1)
		goto rollback;
	if (found == 0) {
		http_error(r, 404, "not_found", "no such source");
		goto rollback;
	}
	bad = first_unknown(r, STMT_SECRETS_UNKNOWN, sarr, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "source");
		goto rollback;
	}
	if (bad != NULL) {
		http_error(r, 422, "invalid_field", "'secretId': no such "
		    "secret %s", bad);
		goto rollback;
	}
	p[0] = id;
	p[1] = narr;
	if ((res = db_cmd(r->db, stmts[STMT_SLOTS_DROP], 2, p)) != DB_OK) {
		rest_db_error(r, res, "secret slot");
		goto rollback;
	}
	for (i = 0; i < n; i++) {
		p[1] = in[i][SL_NAME].text;
		p[2] = in[i][SL_DESCRIPTION].text;
		p[3] = in[i][SL_REQUIRED].text;
		p[4] = in[i][SL_SECRET_ID].text;
		p[5] = r->user->id;
		if ((res = db_cmd(r->db, stmts[STMT_SLOTS_UPSERT], 6, p)) !=
		    DB_OK) {
			rest_db_error(r, res, "secret slot");
			goto rollback;
		}
	}
	if ((res = db_commit(r->db)) != DB_OK)
		rest_db_error(r, res, "source");
	else
		http_empty(r, 204);
	goto out;
rollback:
	db_rollback(r->db);
out:
	for (i = 0; i < nparsed; i++)
		rest_fields_free(in[i], SL__MAX);
	free(in);
	free(names);
	free(sids);
	free(narr);
	free(sarr);
	free(bad);
	json_object_put(a);
}

/*
 * GET /api/v1/sources/:id/requests[?limit=N&offset=M] -- the lookups
 * that evaluated this source, newest first.  Role request_view.  200;
 * 400 bad paging; 404.
 */
static void
src_requests(struct req *r)
{
	source_rows(r, STMT_REQUESTS, 1);
}

/*
 * GET /api/v1/sources/:id/tasks -- the source's background task runs
 * (iocagg-schedulerd(8)), newest first; paged.  Role sources_view.
 * 200; 404.
 */
static void
src_tasks(struct req *r)
{
	source_rows(r, STMT_TASKS, 1);
}

/* --- Testing code that is not saved --------------------------------- */

#define TEST_DEPTH	128	/* nesting accepted in a runner's answer */
#define TEST_MARGIN_MS	5000	/* beyond the timeout, for the thread */

/* The request's thread waits for the runner call's thread. */
struct test_wait {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 done;
};

/* Called on the runner call's thread when the call is over. */
static void
test_wake(void *arg)
{
	struct test_wait	*w = arg;

	(void)pthread_mutex_lock(&w->mu);
	w->done = 1;
	(void)pthread_cond_signal(&w->cv);
	(void)pthread_mutex_unlock(&w->mu);
}

/* UTC "YYYY-MM-DDTHH:MM:SS.mmm" of now, as the lookups' timings. */
static void
test_stamp(char *buf, size_t sz)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 day[32];

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(buf, sz, "%.19s.%03d", day,
	    (int)(ts.tv_nsec / 1000000));
}

/*
 * Is the runner of (database) kind "kind" enabled?  The server_config
 * override, else the lookups' defaults (Python on, JavaScript off).
 * 1, 0, or -1 after answering 503.
 */
static int
test_runner_on(struct req *r, const char *kind)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1];
	int		 on;

	p[0] = strcmp(kind, "python") == 0 ? "python_runner_enabled" :
	    "javascript_runner_enabled";
	on = strcmp(kind, "python") == 0;
	pr = db_query(r->db, stmts[STMT_RUNNER_ON], 1, p, &res);
	if (res != DB_OK) {
		PQclear(pr);
		rest_db_error(r, res, "server config");
		return -1;
	}
	if (PQntuples(pr) > 0 && !PQgetisnull(pr, 0, 0))
		on = strcmp(PQgetvalue(pr, 0, 0), "true") == 0;
	PQclear(pr);
	return on;
}

static void
test_error(json_object *errs, const char *kind, json_object *content)
{
	json_object	*e;

	e = json_object_new_object();
	(void)jadd(e, "kind", json_object_new_string(kind));
	if (content != NULL)
		(void)jadd(e, "content", content);
	(void)jappend(errs, e);
}

/*
 * Run "code" on the runner of "kind" under the throwaway id "id":
 * Update then FetchData, within "timeout_ms".  Its data in "*data" (or
 * NULL), what went wrong in "errs", as a lookup reports a source.
 */
static void
test_run(struct req *r, const char *kind, const char *id, const char *code,
    const char *ind, const char *ikind, json_object *cfgv,
    long long timeout_ms, json_object **out, json_object *errs)
{
	struct runner_fetch_args a;
	struct runner_fetch	*f;
	struct runner_kv	*cfg;
	struct test_wait	 w;
	struct timespec		 until;
	const char		*msg, *data, *jerr, *wire = kind_wire(kind);
	char			*addr, buf[1200];
	size_t			 ncfg, len;
	int			 st = GRPC_STATUS_UNKNOWN, in_update, done;

	*out = NULL;
	addr = runner_address(r->db, kind);
	/* As a lookup sends a saved source's configValues. */
	cfg = src_config_kv(cfgv, &ncfg);
	(void)pthread_mutex_init(&w.mu, NULL);
	(void)pthread_cond_init(&w.cv, NULL);
	w.done = 0;
	memset(&a, 0, sizeof(a));
	a.address = addr;
	a.source_id = id;
	a.data = ind;
	a.kind = ikind;
	a.timeout_ms = timeout_ms;
	a.config = cfg;
	a.nconfig = ncfg;
	a.code = code;
	a.wake = test_wake;
	a.wake_arg = &w;
	f = runner_fetch_start(&a);
	free(cfg);
	free(addr);
	if (f == NULL) {
		test_error(errs, "INTERNAL_SERVER_ERROR",
		    json_object_new_string("cannot start the runner call"));
		goto out;
	}
	/* The call's deadline ends it; the margin only guards a stuck
	 * thread, which is then left to end alone. */
	(void)clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (timeout_ms + TEST_MARGIN_MS) / 1000;
	(void)pthread_mutex_lock(&w.mu);
	while (!w.done)
		if (pthread_cond_timedwait(&w.cv, &w.mu, &until) != 0)
			break;
	done = w.done;
	(void)pthread_mutex_unlock(&w.mu);
	if (!done) {
		runner_fetch_release(f);
		test_error(errs, "TIMEOUT",
		    json_object_new_string("no answer in time"));
		goto out;
	}
	st = runner_fetch_result(f, &msg, &data, &len, &in_update);
	switch (st) {
	case GRPC_STATUS_OK:
		if ((*out = json_parse_capped(data, len, TEST_DEPTH, &jerr)) ==
		    NULL && jerr != NULL) {
			(void)snprintf(buf, sizeof(buf), "the %s runner "
			    "answered text that is not JSON: %s", wire, jerr);
			test_error(errs, "INTERNAL_SERVER_ERROR",
			    json_object_new_string(buf));
		}
		break;
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		test_error(errs, "TIMEOUT",
		    json_object_new_string("no answer in time"));
		break;
	case GRPC_STATUS_UNAVAILABLE:
		(void)snprintf(buf, sizeof(buf), "the %s runner is "
		    "unreachable", wire);
		test_error(errs, "INTERNAL_SERVER_ERROR",
		    json_object_new_string(buf));
		break;
	default:
		if (in_update)
			(void)snprintf(buf, sizeof(buf), "the %s runner "
			    "refused the code: %s", wire, msg);
		else
			(void)snprintf(buf, sizeof(buf), "%s", *msg ? msg :
			    "the runner call failed");
		test_error(errs, "INTERNAL_SERVER_ERROR",
		    json_object_new_string(buf));
		break;
	}
	runner_fetch_release(f);
out:
	/* No wake after runner_fetch_release(): "w" can go. */
	(void)pthread_cond_destroy(&w.cv);
	(void)pthread_mutex_destroy(&w.mu);
	/* The Update may have landed even when a later step failed. */
	if (f != NULL && st != GRPC_STATUS_UNAVAILABLE)
		(void)runner_delete(r->db, kind, id, buf, sizeof(buf));
}

/*
 * POST /api/v1/sources/test -- {kind, code, data, indicatorKind,
 * configValues?, timeout?}: run code that is not saved as a lookup of
 * "data" would run a source with it, on the runner of its kind under a
 * throwaway id ("test-" and a fresh id: never a source's), with Update,
 * FetchData and then Delete.  Nothing is written.  The answer is the
 * lookup's view of that source: {data, errors, timing: {startedAt,
 * endedAt}, elapsedMs}, where errors say why the code failed (an
 * exception, refused code, a timeout, a disabled or unreachable
 * runner).  Role sources_edit.  200; 400; 422 bad body or indicator.
 */
static void
src_test(struct req *r)
{
	json_object	*body, *o, *t, *errs, *data = NULL;
	struct fval	 in[TF__MAX];
	enum ind_kind	 ik;
	const char	*kind, *why = NULL;
	char		*norm = NULL, id[NANOID_LEN + 6], rid[NANOID_LEN + 1];
	char		 t0[32], t1[32];
	long long	 timeout_ms, start;
	int		 on;

	if ((body = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, body, test_fields, TF__MAX, in, 0) == -1) {
		json_object_put(body);
		return;
	}
	if (in[TF_CONFIG_VALUES].present && !in[TF_CONFIG_VALUES].null &&
	    !json_object_is_type(in[TF_CONFIG_VALUES].j, json_type_array)) {
		http_error(r, 422, "invalid_field", "'configValues' must be a "
		    "JSON array");
		goto out;
	}
	ik = ind_kind_parse(in[TF_INDICATOR_KIND].text);
	if (ind_normalize(ik, in[TF_DATA].text, &norm, &why) == -1) {
		http_error(r, 422, "invalid_field", "'data' %s (kind %s)",
		    why != NULL ? why : "is invalid", ind_kind_name(ik));
		goto out;
	}
	kind = kind_db(in[TF_KIND].text);
	if ((on = test_runner_on(r, kind)) == -1)
		goto out;
	timeout_ms = 1000 * (in[TF_TIMEOUT].text != NULL ? in[TF_TIMEOUT].i :
	    conf_int("source_timeout"));

	errs = json_object_new_array();
	test_stamp(t0, sizeof(t0));
	start = src_now_ms();
	if (!on)
		test_error(errs, "RUNNER_DISABLED",
		    json_object_new_string(kind_wire(kind)));
	else {
		nanoid(rid);
		(void)snprintf(id, sizeof(id), "test-%s", rid);
		test_run(r, kind, id, in[TF_CODE].text, norm,
		    ind_kind_name(ik), in[TF_CONFIG_VALUES].null ? NULL :
		    in[TF_CONFIG_VALUES].j, timeout_ms, &data, errs);
	}
	test_stamp(t1, sizeof(t1));

	o = json_object_new_object();
	(void)jadd_nullable(o, "data", data);
	(void)jadd(o, "errors", errs);
	t = json_object_new_object();
	(void)jadd(t, "startedAt", json_object_new_string(t0));
	(void)jadd(t, "endedAt", json_object_new_string(t1));
	(void)jadd(o, "timing", t);
	(void)jadd(o, "elapsedMs", json_object_new_int64(src_now_ms() -
	    start));
	http_json(r, 200, o);
	json_object_put(o);
out:
	free(norm);
	rest_fields_free(in, TF__MAX);
	json_object_put(body);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-sources", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
