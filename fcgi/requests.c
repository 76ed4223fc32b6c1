/*
 * fcgi/requests.c -- iocagg-requests: the /api/v1/requests route group,
 * lookups (JSON and event stream) and their history.  See
 * iocagg-fcgi(8) for routes, methods and roles.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "indicator.h"
#include "json.h"
#include "log.h"
#include "lookup.h"
#include "nanoid.h"
#include "rest.h"
#include "xmalloc.h"

#define ROLE_CREATE	ROLE_REQUEST_CREATE
#define ROLE_VIEW	ROLE_REQUEST_VIEW
#define DATA_MAX	2048	/* longest indicator accepted, bytes */
#define IDS_MAX		256	/* source ids per lookup */

static void	req_execute(struct req *);
static void	req_execute_sse(struct req *);
static void	req_list(struct req *);
static void	req_get(struct req *);
static void	req_history(struct req *);

static const struct route routes[] = {
	{ METHOD_GET | METHOD_POST, "/api/v1/requests/execute", req_execute,
	    ROLE_CREATE, 0 },
	{ METHOD_GET | METHOD_POST, "/api/v1/requests/execute/sse",
	    req_execute_sse, ROLE_CREATE, ROUTE_STREAM },
	{ METHOD_GET, "/api/v1/requests", req_list, ROLE_VIEW, 0 },
	{ METHOD_GET, "/api/v1/requests/:id", req_get, ROLE_VIEW, 0 },
	{ METHOD_GET, "/api/v1/requests/:id/history", req_history,
	    ROLE_VIEW, 0 },
};

enum stmt {
	STMT_LIST,
	STMT_LIST_AFTER,
	STMT_GET,
	STMT_HISTORY,
	STMT_VERDICTS,
	STMT__MAX
};

#define REQUEST_COLS "id, created_at, updated_at, data, kind, trace_id, " \
	"user_id"

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST: newest first, offset paging; $3 a substring of the
	 * indicator (any case) or NULL, $4 a kind or NULL. */
	"SELECT " REQUEST_COLS " FROM requests WHERE ($3::text IS NULL OR "
	"strpos(lower(data), lower($3::text)) > 0) AND ($4::text IS NULL OR "
	"kind::text = $4::text) ORDER BY created_at DESC, id DESC "
	"LIMIT $1 OFFSET $2",
	/* STMT_LIST_AFTER: keyset paging from a cursor; $4, $5 as above. */
	"SELECT " REQUEST_COLS " FROM requests WHERE (created_at, id) < "
	"($1::timestamp, $2) AND ($4::text IS NULL OR "
	"strpos(lower(data), lower($4::text)) > 0) AND ($5::text IS NULL OR "
	"kind::text = $5::text) ORDER BY created_at DESC, id DESC LIMIT $3",
	/* STMT_GET */
	"SELECT " REQUEST_COLS " FROM requests WHERE id = $1",
	/* STMT_HISTORY */
	"SELECT id, created_at, updated_at, started_at, ended_at, errors, "
	"data, verdict, cache_action, cache_expires_at, cache_cached_at, "
	"cache_key, request_id, source_id, source_name, source_slug, "
	"source_url, source_favicon FROM source_requests WHERE request_id = $1 "
	"ORDER BY started_at DESC, source_name",
	/* STMT_VERDICTS: what the summary is made of. */
	"SELECT source_id, source_name, errors, verdict FROM source_requests "
	"WHERE request_id = $1 AND verdict IS NOT NULL ORDER BY source_name, "
	"source_id",
};

/* A lookup request, from the query string or a JSON body. */
struct exec {
	char		*data;		/* normalized */
	enum ind_kind	 kind;
	char		*ids[IDS_MAX];
	size_t		 nids;
	int		 force, ignore_errors;
};

static void
exec_free(struct exec *e)
{
	size_t	 i;

	free(e->data);
	for (i = 0; i < e->nids; i++)
		free(e->ids[i]);
}

/* Add the comma-separated ids of "list"; 400 on a malformed one. */
static int
add_ids(struct req *r, struct exec *e, const char *list)
{
	char	*copy, *p, *id;

	copy = xstrdup(list);
	for (p = copy; (id = strsep(&p, ",")) != NULL; ) {
		if (*id == '\0')
			continue;
		if (!nanoid_valid(id)) {
			http_error(r, 400, "unknown_source", "unknown source "
			    "id %s", log_quote(id));
			free(copy);
			return -1;
		}
		if (e->nids == IDS_MAX) {
			http_error(r, 400, "bad_request", "at most %d source "
			    "ids", IDS_MAX);
			free(copy);
			return -1;
		}
		e->ids[e->nids++] = xstrdup(id);
	}
	free(copy);
	return 0;
}

/*
 * Validate data and kind: 400 for an empty, oversized or unknown kind,
 * 422 for data that breaks the kind's rule.  No kind: detect it.
 */
static int
check_indicator(struct req *r, struct exec *e, const char *data,
    const char *kind)
{
	const char	*why = NULL;
	char		 names[160];
	int		 k;

	if (data == NULL || *data == '\0') {
		http_error(r, 400, "bad_request", "'data' is required");
		return -1;
	}
	if (strlen(data) > DATA_MAX) {
		http_error(r, 400, "bad_request", "'data' is longer than %d "
		    "bytes", DATA_MAX);
		return -1;
	}
	if (kind == NULL || *kind == '\0') {
		if ((e->kind = ind_detect(data)) == IND_INVALID) {
			http_error(r, 422, "invalid_indicator", "the kind of "
			    "'data' could not be detected; give 'kind'");
			return -1;
		}
	} else if ((e->kind = ind_kind_parse(kind)) == IND_INVALID) {
		names[0] = '\0';
		for (k = 0; k < IND__MAX; k++) {
			(void)strlcat(names, k ? ", " : "", sizeof(names));
			(void)strlcat(names, ind_kind_name(k), sizeof(names));
		}
		http_error(r, 400, "invalid_kind", "unknown kind %s; valid "
		    "kinds: %s", log_quote(kind), names);
		return -1;
	}
	if (ind_normalize(e->kind, data, &e->data, &why) == -1) {
		http_error(r, 422, "invalid_indicator", "'data' %s (rule of "
		    "kind %s)", why != NULL ? why : "is invalid",
		    ind_kind_name(e->kind));
		return -1;
	}
	return 0;
}

static int
parse_query(struct req *r, struct exec *e)
{
	const char	*v;
	size_t		 i, n;

	if (req_query_bool(r, "force", 0, &e->force) == -1 ||
	    req_query_bool(r, "ignoreErrors", 0, &e->ignore_errors) == -1)
		return -1;
	if (req_query(r, "ignore_errors") != NULL &&
	    req_query_bool(r, "ignore_errors", 0, &e->ignore_errors) == -1)
		return -1;
	n = req_query_count(r, "sourceIds");
	for (i = 0; i < n; i++)
		if (add_ids(r, e, req_query_nth(r, "sourceIds", i)) == -1)
			return -1;
	n = req_query_count(r, "source_ids");
	for (i = 0; i < n; i++)
		if (add_ids(r, e, req_query_nth(r, "source_ids", i)) == -1)
			return -1;
	n = req_query_count(r, "sourceIds[]");
	for (i = 0; i < n; i++)
		if (add_ids(r, e, req_query_nth(r, "sourceIds[]", i)) == -1)
			return -1;
	v = req_query(r, "data");
	return check_indicator(r, e, v, req_query(r, "kind"));
}

static int
body_bool(struct req *r, json_object *o, const char *k, int *out)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		http_error(r, 422, "invalid_field", "'%s' must be a boolean",
		    k);
		return -1;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

static int
parse_body(struct req *r, struct exec *e)
{
	json_object	*o, *v, *id;
	const char	*data = NULL, *kind = NULL, *key;
	size_t		 i, n, k;
	int		 rc = -1;
	static const char *const idkeys[] = { "sourceIds", "source_ids" };

	if ((o = req_json(r)) == NULL)
		return -1;
	if (!json_object_is_type(o, json_type_object)) {
		http_error(r, 422, "invalid_field", "the body must be a JSON "
		    "object");
		goto out;
	}
	if (json_object_object_get_ex(o, "data", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			http_error(r, 422, "invalid_field", "'data' must be a "
			    "string");
			goto out;
		}
		data = json_object_get_string(v);
	}
	if (json_object_object_get_ex(o, "kind", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_string)) {
			http_error(r, 422, "invalid_field", "'kind' must be a "
			    "string");
			goto out;
		}
		kind = json_object_get_string(v);
	}
	for (k = 0; k < nitems(idkeys); k++) {
		key = idkeys[k];
		if (!json_object_object_get_ex(o, key, &v) || v == NULL)
			continue;
		if (!json_object_is_type(v, json_type_array)) {
			http_error(r, 422, "invalid_field", "'%s' must be an "
			    "array of ids", key);
			goto out;
		}
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			id = json_object_array_get_idx(v, i);
			if (!json_object_is_type(id, json_type_string)) {
				http_error(r, 422, "invalid_field", "'%s' "
				    "must hold strings", key);
				goto out;
			}
			if (add_ids(r, e, json_object_get_string(id)) == -1)
				goto out;
		}
	}
	if (body_bool(r, o, "force", &e->force) == -1 ||
	    body_bool(r, o, "ignoreErrors", &e->ignore_errors) == -1)
		goto out;
	rc = check_indicator(r, e, data, kind);
out:
	json_object_put(o);
	return rc;
}

static int
parse_exec(struct req *r, struct exec *e)
{
	memset(e, 0, sizeof(*e));
	if (r->method == METHOD_POST)
		return parse_body(r, e);
	return parse_query(r, e);
}

/* Run the lookup; on failure answer the error and return NULL. */
static struct lookup *
run(struct req *r, struct exec *e, struct lk_opts *o)
{
	struct lookup	*lk;
	char		 err[128];

	o->data = e->data;
	o->kind = e->kind;
	o->source_ids = e->ids;
	o->nsource_ids = e->nids;
	o->force = e->force;
	o->user_id = r->user->id;
	o->trace_id = r->id;
	o->watch_fd = r->fcgi != NULL ? r->fcgi->ipcFd : -1;
	switch (lookup_run(r->db, r->kv, o, &lk, err, sizeof(err))) {
	case LK_OK:
	case LK_ABORTED:
		return lk;
	case LK_UNKNOWN_SOURCE:
		http_error(r, 400, "unknown_source", "unknown source id %s",
		    log_quote(err));
		return NULL;
	case LK_UNAVAILABLE:
	default:
		http_header(r, "Retry-After", "5");
		http_error(r, 503, "unavailable", "the database is "
		    "unavailable; try again later");
		return NULL;
	}
}

/*
 * GET|POST /api/v1/requests/execute -- every source's result as one
 * JSON array, once all are final (or the deadline passed).  Role
 * request_create.  200; 400 bad parameters or unknown source; 422
 * invalid indicator; 503 database down.
 */
static void
req_execute(struct req *r)
{
	struct exec	 e;
	struct lk_opts	 o;
	struct lookup	*lk;
	json_object	*a;
	size_t		 i;

	if (parse_exec(r, &e) == -1) {
		exec_free(&e);
		return;
	}
	memset(&o, 0, sizeof(o));
	if ((lk = run(r, &e, &o)) == NULL) {
		exec_free(&e);
		return;
	}
	a = json_object_new_array();
	for (i = 0; i < lookup_count(lk); i++)
		if (!e.ignore_errors || !lookup_failed(lk, i))
			(void)jappend(a, lookup_result_json(lk, i));
	http_header(r, "X-Request-Id-Lookup", "%s", lookup_id(lk));
	http_json(r, 200, a);
	json_object_put(a);
	/* The reply is complete; history does not delay it. */
	if (r->fcgi != NULL)
		FCGX_FFlush(r->fcgi->out);
	lookup_save(r->db, lk);
	lookup_free(lk);
	exec_free(&e);
}

struct sse {
	struct req	*r;
	int		 ignore_errors;
};

/* One event; -1 when the client is gone. */
static int
sse_event(struct req *r, const char *event, const char *id,
    json_object *data)
{
	const char	*txt;
	char		 head[128];
	int		 n;

	txt = json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	n = snprintf(head, sizeof(head), "event: %s\nid: %s\ndata: ", event,
	    id);
	if (http_write(r, head, (size_t)n) == -1 ||
	    http_write(r, txt, strlen(txt)) == -1 ||
	    http_write(r, "\n\n", 2) == -1)
		return -1;
	return http_flush(r);
}

static int
sse_start(struct lookup *lk, void *arg)
{
	struct sse	*s = arg;
	json_object	*a;
	int		 rc;

	http_stream_begin(s->r, 200, "text/event-stream; charset=utf-8");
	a = lookup_start_json(lk);
	rc = sse_event(s->r, "fetching_start", lookup_id(lk), a);
	json_object_put(a);
	return rc;
}

static int
sse_result(struct lookup *lk, size_t i, void *arg)
{
	struct sse	*s = arg;
	json_object	*o;
	int		 rc;

	if (lookup_failed(lk, i)) {
		if (s->ignore_errors)
			return 0;
		o = lookup_errors_json(lk, i);
		rc = sse_event(s->r, "fetching_error", lookup_source_id(lk, i),
		    o);
	} else {
		o = lookup_result_json(lk, i);
		json_object_object_del(o, "errors");
		rc = sse_event(s->r, "fetching_data", lookup_source_id(lk, i),
		    o);
	}
	json_object_put(o);
	return rc;
}

static int
sse_idle(struct lookup *lk, void *arg)
{
	struct sse	*s = arg;

	(void)lk;
	if (http_write(s->r, ": keep-alive\n\n", 14) == -1)
		return -1;
	return http_flush(s->r);
}

/*
 * GET|POST /api/v1/requests/execute/sse -- the same lookup as an event
 * stream: fetching_start (id: the request id; the candidates), then one
 * fetching_data or fetching_error per source as it finishes (id: the
 * source id), then done; ": keep-alive" comments while waiting.  Bad
 * parameters are answered as JSON errors before the stream starts.
 */
static void
req_execute_sse(struct req *r)
{
	struct exec	 e;
	struct lk_opts	 o;
	struct sse	 s;
	struct lookup	*lk;
	json_object	*d;
	size_t		 i, nerr = 0;

	if (parse_exec(r, &e) == -1) {
		exec_free(&e);
		return;
	}
	memset(&o, 0, sizeof(o));
	s.r = r;
	s.ignore_errors = e.ignore_errors;
	o.on_start = sse_start;
	o.on_result = sse_result;
	o.on_idle = sse_idle;
	o.arg = &s;
	if ((lk = run(r, &e, &o)) == NULL) {
		exec_free(&e);
		return;
	}
	if (!r->broken) {
		for (i = 0; i < lookup_count(lk); i++)
			nerr += lookup_failed(lk, i) ? 1 : 0;
		d = json_object_new_object();
		(void)jadd(d, "requestId", json_object_new_string(
		    lookup_id(lk)));
		(void)jadd(d, "sources", json_object_new_int64(
		    (int64_t)lookup_count(lk)));
		(void)jadd(d, "errors", json_object_new_int64((int64_t)nerr));
		(void)jadd(d, "summary", lookup_summary_json(lk));
		(void)sse_event(r, "done", lookup_id(lk), d);
		json_object_put(d);
	}
	lookup_save(r->db, lk);
	lookup_free(lk);
	exec_free(&e);
}

/*
 * GET /api/v1/requests[?limit=N][&offset=M | &cursor=C][&q=S][&kind=K]
 * -- lookups of every user, newest first; "q" keeps the indicators
 * containing S (any case, at most 256 bytes), "kind" those of kind K.
 * Role request_view.  The X-Next-Cursor header carries the cursor of the
 * next page when the page is full.  400 invalid_kind, 422 q too long.
 */
static void
req_list(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	long long	 limit, offset;
	const char	*cursor, *p[5], *q, *kind;
	char		 lb[24], ob[24], *c = NULL, *bar, *last_c, *last_i;
	int		 n;

	if (req_query_int(r, "limit", 1, 1000, 100, &limit) == -1 ||
	    req_query_int(r, "offset", 0, 100000000, 0, &offset) == -1)
		return;
	if ((q = req_query(r, "q")) != NULL && *q == '\0')
		q = NULL;
	if (q != NULL && strlen(q) > 256) {
		http_error(r, 422, "invalid_field", "'q' is longer than 256 "
		    "bytes");
		return;
	}
	if ((kind = req_query(r, "kind")) != NULL && *kind == '\0')
		kind = NULL;
	if (kind != NULL) {
		if (ind_kind_parse(kind) == IND_INVALID) {
			http_error(r, 400, "invalid_kind", "unknown indicator "
			    "kind");
			return;
		}
		kind = ind_kind_name(ind_kind_parse(kind));
	}
	(void)snprintf(lb, sizeof(lb), "%lld", limit);
	(void)snprintf(ob, sizeof(ob), "%lld", offset);
	if ((cursor = req_query(r, "cursor")) != NULL) {
		/* "<created_at>_<id>" as given in X-Next-Cursor. */
		c = xstrdup(cursor);
		if ((bar = strrchr(c, '_')) == NULL || !nanoid_valid(bar + 1) ||
		    bar - c < 19 || bar - c > 26 ||
		    strspn(c, "0123456789-:.T") != (size_t)(bar - c)) {
			free(c);
			http_error(r, 400, "bad_request", "malformed cursor");
			return;
		}
		*bar = '\0';
		p[0] = c;
		p[1] = bar + 1;
		p[2] = lb;
		p[3] = q;
		p[4] = kind;
		pr = db_query(r->db, stmts[STMT_LIST_AFTER], 5, p, &res);
		free(c);
	} else {
		p[0] = lb;
		p[1] = ob;
		p[2] = q;
		p[3] = kind;
		pr = db_query(r->db, stmts[STMT_LIST], 4, p, &res);
	}
	if (res == DB_INVALID) {
		PQclear(pr);
		http_error(r, 400, "bad_request", "malformed cursor");
		return;
	}
	if (res == DB_OK && (n = PQntuples(pr)) == limit) {
		last_c = PQgetvalue(pr, n - 1, 1);
		last_i = PQgetvalue(pr, n - 1, 0);
		xasprintf(&c, "%s_%s", last_c, last_i);
		if (strlen(c) > 10 && c[10] == ' ')
			c[10] = 'T';
		http_header(r, "X-Next-Cursor", "%s", c);
		free(c);
	}
	if (res != DB_OK)
		rest_db_error(r, res, "request");
	else
		rest_send(r, pr);
	PQclear(pr);
}

/*
 * GET /api/v1/requests/:id -- one lookup, with the summary of its
 * sources' verdicts (from the history rows).  Role request_view.  200;
 * 404.
 */
static void
req_get(struct req *r)
{
	PGresult	*pr, *pv;
	enum dbres	 res;
	const char	*p[1];
	json_object	*o, *rows;

	if ((p[0] = rest_id(r, 0, "request")) == NULL)
		return;
	pr = db_query(r->db, stmts[STMT_GET], 1, p, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "request");
		PQclear(pr);
		return;
	}
	if (PQntuples(pr) == 0) {
		http_error(r, 404, "not_found", "no such request");
		PQclear(pr);
		return;
	}
	pv = db_query(r->db, stmts[STMT_VERDICTS], 1, p, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "request");
		PQclear(pv);
		PQclear(pr);
		return;
	}
	o = db_row_json(pr, 0);
	rows = db_rows_json(pv);
	if (o == NULL || rows == NULL) {
		json_object_put(o);
		json_object_put(rows);
		http_error(r, 500, "internal", "out of memory");
	} else {
		(void)jadd(o, "summary", lookup_summary_rows(rows));
		http_json(r, 200, o);
		json_object_put(o);
		json_object_put(rows);
	}
	PQclear(pv);
	PQclear(pr);
}

/*
 * GET /api/v1/requests/:id/history -- every source's stored result of
 * one lookup, newest first.  Role request_view.  200; 404.
 */
static void
req_history(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1];

	if ((p[0] = rest_id(r, 0, "request")) == NULL)
		return;
	pr = db_query(r->db, stmts[STMT_GET], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "request");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such request");
	else
		rest_rows(r, stmts[STMT_HISTORY], 1, p);
	PQclear(pr);
}

int
main(int argc, char *argv[])
{
	/* Lookups wait on sources and stream: many threads per worker. */
	static const struct fcgi_prog prog = {
		"iocagg-requests", routes, nitems(routes), 1, 128
	};

	return fcgi_main(argc, argv, &prog);
}
