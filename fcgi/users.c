/*
 * fcgi/users.c -- iocagg-users: the /api/v1/users route group: users,
 * their roles and enabled state, their audit trail, and what they
 * created.  See iocagg-fcgi(8) for the routes, methods and roles.
 *
 * Only an admin may touch the admin role: a users_edit user cannot
 * make anyone an admin, nor change, disable or revoke the tokens of an
 * admin.  Nobody can disable themselves or drop their own admin role,
 * so the last admin cannot lock everyone out by mistake.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "nanoid.h"
#include "rest.h"

static void	users_list(struct req *);
static void	users_me(struct req *);
static void	users_get(struct req *);
static void	users_update(struct req *);
static void	users_logs(struct req *);
static void	users_tokens(struct req *);
static void	users_tokens_delete(struct req *);
static void	users_ignorelists(struct req *);
static void	users_providers(struct req *);
static void	users_sources(struct req *);
static void	users_requests(struct req *);

/* "/me" comes before "/:id". */
static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/users", users_list, ROLE_USERS_VIEW, 0 },
	{ METHOD_GET, "/api/v1/users/me", users_me, NULL, 0 },
	{ METHOD_GET, "/api/v1/users/:id", users_get, ROLE_USERS_VIEW, 0 },
	{ METHOD_PATCH, "/api/v1/users/:id", users_update, ROLE_USERS_EDIT,
	    0 },
	{ METHOD_GET, "/api/v1/users/:id/logs", users_logs, ROLE_USERS_VIEW,
	    0 },
	{ METHOD_GET, "/api/v1/users/:id/apiTokens", users_tokens,
	    ROLE_USERS_VIEW, 0 },
	{ METHOD_DELETE, "/api/v1/users/:id/apiTokens", users_tokens_delete,
	    ROLE_USERS_EDIT, 0 },
	{ METHOD_GET, "/api/v1/users/:id/ignoreLists", users_ignorelists,
	    ROLE_SOURCES_VIEW, 0 },
	{ METHOD_GET, "/api/v1/users/:id/providers", users_providers,
	    ROLE_SOURCES_VIEW, 0 },
	{ METHOD_GET, "/api/v1/users/:id/sources", users_sources,
	    ROLE_SOURCES_VIEW, 0 },
	{ METHOD_GET, "/api/v1/users/:id/requests", users_requests,
	    ROLE_REQUEST_VIEW, 0 },
};

/* Every statement this program runs. */
enum stmt {
	STMT_USER_LIST,
	STMT_USER_GET,
	STMT_USER_EXISTS,
	STMT_USER_LOCK,
	STMT_USER_UPDATE,
	STMT_LOGS,
	STMT_TOKENS,
	STMT_TOKENS_DELETE,
	STMT_IGNORELISTS,
	STMT_PROVIDERS,
	STMT_SOURCES,
	STMT_REQUESTS,
	STMT_ADMIN_LOCK,
	STMT_OTHER_ADMINS,
	STMT__MAX
};

/* The User shape; "picture" (bytea) is turned into an array of bytes. */
#define USER_COLS \
	"u.id, u.created_at, u.updated_at, u.auth_id, u.provider, " \
	"u.enabled, u.email, u.verified, u.name, u.given_name, " \
	"u.family_name, u.locale, u.picture, " \
	"array_to_json(u.roles) AS roles, u.last_modified_user_id"

#define PAGE	" LIMIT $2 OFFSET $3"

static const char *const stmts[STMT__MAX] = {
	/* STMT_USER_LIST */
	"SELECT " USER_COLS ", (SELECT count(*) FROM user_logs l "
	"WHERE l.user_id = u.id) AS num_logs FROM users u "
	"ORDER BY u.created_at, u.id LIMIT $1 OFFSET $2",
	/* STMT_USER_GET */
	"SELECT " USER_COLS " FROM users u WHERE u.id = $1",
	/* STMT_USER_EXISTS */
	"SELECT 1 FROM users WHERE id = $1",
	/* STMT_USER_LOCK: the row, held until the change commits. */
	"SELECT 'admin' = ANY(roles) AS admin FROM users WHERE id = $1 "
	"FOR UPDATE",
	/* STMT_USER_UPDATE: absent ($2, $3 NULL) keeps. */
	"UPDATE users SET enabled = COALESCE($2::bool, enabled), "
	"roles = COALESCE($3::text[], roles), last_modified_user_id = $4 "
	"WHERE id = $1",
	/* STMT_LOGS: newest first. */
	"SELECT id, created_at, updated_at, user_id, ip_address, user_agent, "
	"uri, method, trace_id FROM user_logs WHERE user_id = $1 "
	"ORDER BY created_at DESC, id DESC" PAGE,
	/* STMT_TOKENS: newest first, never the hash. */
	"SELECT id, created_at, updated_at, note, expires_at, last_used_at "
	"FROM api_tokens WHERE user_id = $1 "
	"ORDER BY created_at DESC, id DESC" PAGE,
	/* STMT_TOKENS_DELETE */
	"DELETE FROM api_tokens WHERE user_id = $1 RETURNING id",
	/* STMT_IGNORELISTS: created by the user. */
	"SELECT id, created_at, updated_at, name, slug, description, "
	"enabled, global, created_user_id, updated_user_id "
	"FROM ignore_lists WHERE created_user_id = $1 ORDER BY name, id"
	PAGE,
	/* STMT_PROVIDERS: created by the user. */
	"SELECT p.id, p.created_at, p.updated_at, p.name, p.slug, "
	"p.description, p.url, p.favicon, array_to_json(p.tags) AS tags, "
	"p.enabled, (SELECT count(*) FROM sources s WHERE s.provider_id = "
	"p.id) AS num_sources, p.created_user_id, p.updated_user_id "
	"FROM providers p WHERE p.created_user_id = $1 "
	"ORDER BY p.enabled DESC, p.name, p.id" PAGE,
	/* STMT_SOURCES: created by the user. */
	"SELECT s.id, s.created_at, s.updated_at, s.name, s.slug, "
	"s.description, s.url, s.favicon, array_to_json(s.tags) AS tags, "
	"s.enabled, array_to_json(s.supported_indicators) AS "
	"supported_indicators, array_to_json(s.disabled_indicators) AS "
	"disabled_indicators, s.task_enabled, s.task_interval, s.config, "
	"s.config_values, s.limit_enabled, s.limit_count, s.limit_interval, "
	"s.cache_enabled, s.cache_interval, s.provider_id, "
	"CASE s.kind WHEN 'javascript' THEN 'JAVA_SCRIPT' "
	"ELSE upper(s.kind::text) END AS kind, s.source_code, "
	"s.created_user_id, s.updated_user_id FROM sources s "
	"WHERE s.created_user_id = $1 ORDER BY s.name, s.id" PAGE,
	/* STMT_REQUESTS: made by the user, newest first. */
	"SELECT id, created_at, updated_at, data, kind, trace_id, user_id "
	"FROM requests WHERE user_id = $1 "
	"ORDER BY created_at DESC, id DESC" PAGE,
	/* STMT_ADMIN_LOCK: changes of the set of admins, and the sign-up
	 * that makes the first admin (iocagg-auth), one at a time. */
	"SELECT pg_advisory_xact_lock(7597970432826196737)",
	/* STMT_OTHER_ADMINS: enabled admins other than $1. */
	"SELECT count(*) FROM users WHERE enabled AND 'admin' = ANY(roles) "
	"AND id <> $1",
};

/* The body of PATCH /api/v1/users/:id. */
enum { F_ENABLED, F_ROLES_, F__MAX };

static const struct field fields[F__MAX] = {
	{ "enabled", F_BOOL, 0, 0, 0, 0, NULL },
	{ "roles", F_ROLES, 0, 0, 0, 0, NULL },
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Replace the "picture" member of user object "u", a bytea as
 * PostgreSQL prints it ("\x<hex>"), by a JSON array of its bytes, as
 * the reference sends it; null stays null.  0, or -1 out of memory.
 */
static int
picture_json(json_object *u)
{
	json_object	*pic, *a;
	const char	*s;
	size_t		 i, n;
	int		 hi, lo;

	if (!json_object_object_get_ex(u, "picture", &pic) || pic == NULL)
		return 0;
	s = json_object_get_string(pic);
	if ((a = json_object_new_array()) == NULL)
		return -1;
	if (strncmp(s, "\\x", 2) == 0) {
		s += 2;
		n = strlen(s) / 2;
		for (i = 0; i < n; i++) {
			hi = hexval(s[2 * i]);
			lo = hexval(s[2 * i + 1]);
			if (hi == -1 || lo == -1)
				break;
			if (jappend(a, json_object_new_int(hi * 16 + lo)) ==
			    -1) {
				json_object_put(a);
				return -1;
			}
		}
	}
	/* Replaces (and frees) the string in place. */
	return json_object_object_add(u, "picture", a) == 0 ? 0 : -1;
}

/*
 * GET /api/v1/users[?limit=N&offset=M] -- [{user, numLogs}], oldest
 * first.  Role users_view.  200; 400 on bad paging; 503 database down.
 */
static void
users_list(struct req *r)
{
	PGresult	*pr;
	json_object	*a = NULL, *o, *u, *n;
	enum dbres	 res;
	char		 lb[24], ob[24];
	const char	*p[2] = { lb, ob };
	size_t		 i, len;

	if (rest_paging(r, 1000, lb, ob) == -1)
		return;
	pr = db_query(r->db, stmts[STMT_USER_LIST], 2, p, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, "user");
		goto out;
	}
	if ((a = db_rows_json(pr)) == NULL)
		goto oom;
	/* Nest as the reference does: {user: {...}, numLogs}. */
	len = json_object_array_length(a);
	for (i = 0; i < len; i++) {
		u = json_object_array_get_idx(a, i);
		if (picture_json(u) == -1)
			goto oom;
		n = NULL;
		if (json_object_object_get_ex(u, "numLogs", &n))
			n = json_object_get(n);
		json_object_object_del(u, "numLogs");
		o = json_object_new_object();
		if (jadd(o, "user", json_object_get(u)) == -1 ||
		    jadd_nullable(o, "numLogs", n) == -1 ||
		    json_object_array_put_idx(a, i, o) != 0) {
			json_object_put(o);
			goto oom;
		}
	}
	http_json(r, 200, a);
	goto out;
oom:
	http_error(r, 500, "internal", "out of memory");
out:
	json_object_put(a);
	PQclear(pr);
}

static void
user_send(struct req *r, const char *id)
{
	PGresult	*pr;
	json_object	*o;
	enum dbres	 res;
	const char	*p[1] = { id };

	if (!nanoid_valid(id)) {
		http_error(r, 404, "not_found", "no such user");
		return;
	}
	pr = db_query(r->db, stmts[STMT_USER_GET], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "user");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such user");
	else if ((o = db_row_json(pr, 0)) == NULL)
		http_error(r, 500, "internal", "out of memory");
	else {
		if (picture_json(o) == -1)
			http_error(r, 500, "internal", "out of memory");
		else
			http_json(r, 200, o);
		json_object_put(o);
	}
	PQclear(pr);
}

/*
 * GET /api/v1/users/me -- the calling user.  Any authenticated user.
 */
static void
users_me(struct req *r)
{
	user_send(r, r->user->id);
}

/*
 * GET /api/v1/users/:id -- one user.  Role users_view.  200; 404.
 */
static void
users_get(struct req *r)
{
	user_send(r, req_arg(r, 0));
}

/* Whether the caller holds the admin role itself (not only implied). */
static int
caller_is_admin(const struct req *r)
{
	size_t	 i;

	for (i = 0; i < r->user->nroles; i++)
		if (strcmp(r->user->roles[i], ROLE_ADMIN) == 0)
			return 1;
	return 0;
}

/* Whether the validated "roles" array holds the admin role. */
static int
roles_have_admin(json_object *a)
{
	size_t	 i, n;

	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a,
		    i)), ROLE_ADMIN) == 0)
			return 1;
	return 0;
}

/*
 * Start a change of user "id": begin, lock the row.  Returns 1 when
 * the user holds the admin role, 0 when not, -1 when the error is
 * answered and the transaction is over (404, 403, 503).
 */
static int
lock_user(struct req *r, const char *id)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { id }, *v;
	int		 admin;

	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "user");
		return -1;
	}
	/* Two admins demoting each other at once must not both win. */
	if ((res = db_cmd(r->db, stmts[STMT_ADMIN_LOCK], 0, NULL)) !=
	    DB_OK) {
		db_rollback(r->db);
		rest_db_error(r, res, "user");
		return -1;
	}
	pr = db_exec(r->db, stmts[STMT_USER_LOCK], 1, p, &res);
	if (res == DB_OK && PQntuples(pr) == 0)
		res = DB_NOTFOUND;
	if (res != DB_OK) {
		PQclear(pr);
		db_rollback(r->db);
		rest_db_error(r, res, "user");
		return -1;
	}
	admin = (v = db_val(pr, 0, "admin")) != NULL && *v == 't';
	PQclear(pr);
	if (admin && !caller_is_admin(r)) {
		db_rollback(r->db);
		http_error(r, 403, "forbidden", "only an admin may change an "
		    "admin");
		return -1;
	}
	return admin;
}

/* Enabled admins other than "id"; -1 if unknown (treated as none). */
static long long
other_admins(struct req *r, const char *id)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { id };
	long long	 n = 0;

	pr = db_exec(r->db, stmts[STMT_OTHER_ADMINS], 1, p, &res);
	if (res == DB_OK && PQntuples(pr) == 1)
		n = strtoll(PQgetvalue(pr, 0, 0), NULL, 10);
	PQclear(pr);
	return n;
}

/*
 * PATCH /api/v1/users/:id {enabled?, roles?} -- absent keeps; roles
 * are known role names, a set.  The caller becomes lastModifiedUserId.
 * Role users_edit.  204; 403 the admin role without being admin; 404;
 * 422 bad field, disabling oneself or dropping one's own admin role;
 * 503.
 */
static void
users_update(struct req *r)
{
	struct fval	 v[F__MAX];
	json_object	*o;
	enum dbres	 res;
	const char	*id, *p[4];
	int		 admin, self;

	if ((id = rest_id(r, 0, "user")) == NULL)
		return;
	if ((o = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, o, fields, F__MAX, v, 1) == -1) {
		json_object_put(o);
		return;
	}
	self = strcmp(id, r->user->id) == 0;
	if (self && v[F_ENABLED].present && !v[F_ENABLED].i) {
		http_error(r, 422, "invalid_field", "'enabled': you cannot "
		    "disable yourself");
		goto out;
	}
	if ((admin = lock_user(r, id)) == -1)
		goto out;
	if (v[F_ROLES_].present && admin &&
	    !roles_have_admin(v[F_ROLES_].j)) {
		if (self) {
			db_rollback(r->db);
			http_error(r, 422, "invalid_field", "'roles': you "
			    "cannot remove your own admin role");
			goto out;
		}
	}
	if (v[F_ROLES_].present && !admin &&
	    roles_have_admin(v[F_ROLES_].j) && !caller_is_admin(r)) {
		db_rollback(r->db);
		http_error(r, 403, "forbidden", "only an admin may grant the "
		    "admin role");
		goto out;
	}
	/* The last enabled admin stays: else the next sign-up would
	 * become an admin (iocagg-auth). */
	if (admin && ((v[F_ENABLED].present && !v[F_ENABLED].i) ||
	    (v[F_ROLES_].present && !roles_have_admin(v[F_ROLES_].j))) &&
	    other_admins(r, id) == 0) {
		db_rollback(r->db);
		http_error(r, 422, "invalid_field", "this is the last enabled "
		    "admin");
		goto out;
	}
	/* Nothing to change: the user exists, that is all. */
	if (!v[F_ENABLED].present && !v[F_ROLES_].present) {
		db_rollback(r->db);
		http_empty(r, 204);
		goto out;
	}
	p[0] = id;
	p[1] = v[F_ENABLED].text;
	p[2] = v[F_ROLES_].text;
	p[3] = r->user->id;
	if ((res = db_cmd(r->db, stmts[STMT_USER_UPDATE], 4, p)) != DB_OK ||
	    (res = db_commit(r->db)) != DB_OK) {
		db_rollback(r->db);
		rest_db_error(r, res, "user");
		goto out;
	}
	http_empty(r, 204);
out:
	rest_fields_free(v, F__MAX);
	json_object_put(o);
}

/*
 * A list of what user :id has or made, newest first or by name as the
 * statement says, paged; 404 when there is no such user.
 */
static void
user_rows(struct req *r, enum stmt st)
{
	PGresult	*pr;
	enum dbres	 res;
	char		 lb[24], ob[24];
	const char	*id, *p[3];

	if ((id = rest_id(r, 0, "user")) == NULL ||
	    rest_paging(r, 1000, lb, ob) == -1)
		return;
	p[0] = id;
	p[1] = lb;
	p[2] = ob;
	pr = db_query(r->db, stmts[STMT_USER_EXISTS], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "user");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such user");
	else
		rest_rows(r, stmts[st], 3, p);
	PQclear(pr);
}

/*
 * GET /api/v1/users/:id/logs -- the user's audit trail, newest first.
 * Role users_view.  200; 400 bad paging; 404.
 */
static void
users_logs(struct req *r)
{
	user_rows(r, STMT_LOGS);
}

/*
 * GET /api/v1/users/:id/apiTokens -- the user's tokens, newest first,
 * without secrets.  Role users_view.  200; 400; 404.
 */
static void
users_tokens(struct req *r)
{
	user_rows(r, STMT_TOKENS);
}

/*
 * DELETE /api/v1/users/:id/apiTokens -- revoke every token of the
 * user.  Role users_edit; an admin's tokens need the admin role.  204
 * when at least one was deleted; 403; 404 no such user or no token.
 */
static void
users_tokens_delete(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "user")) == NULL)
		return;
	if (lock_user(r, id) == -1)
		return;
	p[0] = id;
	pr = db_exec(r->db, stmts[STMT_TOKENS_DELETE], 1, p, &res);
	if (res == DB_OK && PQntuples(pr) == 0)
		res = DB_NOTFOUND;
	if (res == DB_OK)
		res = db_commit(r->db);
	if (res != DB_OK) {
		db_rollback(r->db);
		if (res == DB_NOTFOUND)
			http_error(r, 404, "not_found", "the user has no API "
			    "token");
		else
			rest_db_error(r, res, "token");
	} else
		http_empty(r, 204);
	PQclear(pr);
}

/*
 * GET /api/v1/users/:id/ignoreLists -- the ignore lists the user
 * created, by name.  Role sources_view.  200; 400; 404.
 */
static void
users_ignorelists(struct req *r)
{
	user_rows(r, STMT_IGNORELISTS);
}

/*
 * GET /api/v1/users/:id/providers -- the providers the user created,
 * enabled first, then by name, with numSources.  Role sources_view.
 */
static void
users_providers(struct req *r)
{
	user_rows(r, STMT_PROVIDERS);
}

/*
 * GET /api/v1/users/:id/sources -- the sources the user created, by
 * name.  Role sources_view.  200; 400; 404.
 */
static void
users_sources(struct req *r)
{
	user_rows(r, STMT_SOURCES);
}

/*
 * GET /api/v1/users/:id/requests -- the lookups the user made, newest
 * first.  Role request_view.  200; 400; 404.
 */
static void
users_requests(struct req *r)
{
	user_rows(r, STMT_REQUESTS);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-users", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
