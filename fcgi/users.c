/*
 * fcgi/users.c -- iocagg-users: the /api/v1/users route group.
 * See iocagg-fcgi(8) for the routes, methods and roles.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "nanoid.h"

static void	users_list(struct req *);
static void	users_me(struct req *);
static void	users_get(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/users", users_list, ROLE_ADMIN, 0 },
	{ METHOD_GET, "/api/v1/users/me", users_me, NULL, 0 },
	{ METHOD_GET, "/api/v1/users/:id", users_get, ROLE_ADMIN, 0 },
};

/* Every statement this program runs. */
enum stmt {
	STMT_USER_LIST,
	STMT_USER_GET,
	STMT__MAX
};

#define USER_COLS \
	"u.id, u.created_at, u.updated_at, u.auth_id, u.provider, " \
	"u.enabled, u.email, u.verified, u.name, u.given_name, " \
	"u.family_name, u.locale, array_to_json(u.roles) AS roles, " \
	"u.last_modified_user_id"

static const char *const stmts[STMT__MAX] = {
	/* STMT_USER_LIST */
	"SELECT " USER_COLS ", (SELECT count(*) FROM user_logs l "
	"WHERE l.user_id = u.id) AS num_logs FROM users u "
	"ORDER BY u.created_at, u.id LIMIT $1 OFFSET $2",
	/* STMT_USER_GET */
	"SELECT " USER_COLS " FROM users u WHERE u.id = $1",
};

/*
 * GET /api/v1/users[?limit=N&offset=M] -- [{user, numLogs}], oldest
 * first.  Role admin.  200; 400 on bad paging; 503 database down.
 */
static void
users_list(struct req *r)
{
	PGresult	*pr;
	json_object	*a = NULL, *o, *u, *n;
	enum dbres	 res;
	long long	 limit, offset;
	char		 lb[24], ob[24];
	const char	*p[2] = { lb, ob };
	size_t		 i, len;

	if (req_query_int(r, "limit", 1, 1000, 1000, &limit) == -1 ||
	    req_query_int(r, "offset", 0, 1000000000, 0, &offset) == -1)
		return;
	(void)snprintf(lb, sizeof(lb), "%lld", limit);
	(void)snprintf(ob, sizeof(ob), "%lld", offset);
	pr = db_query(r->db, stmts[STMT_USER_LIST], 2, p, &res);
	if (res != DB_OK) {
		http_error(r, 503, "unavailable", "the database is "
		    "unavailable");
		goto out;
	}
	if ((a = db_rows_json(pr)) == NULL)
		goto oom;
	/* Nest as the reference does: {user: {...}, numLogs}. */
	len = json_object_array_length(a);
	for (i = 0; i < len; i++) {
		u = json_object_array_get_idx(a, i);
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
		http_error(r, 503, "unavailable", "the database is "
		    "unavailable");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such user");
	else if ((o = db_row_json(pr, 0)) == NULL)
		http_error(r, 500, "internal", "out of memory");
	else {
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
 * GET /api/v1/users/:id -- one user.  Role admin.  200; 404.
 */
static void
users_get(struct req *r)
{
	user_send(r, req_arg(r, 0));
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-users", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
