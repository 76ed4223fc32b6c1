/*
 * fcgi/providers.c -- iocagg-providers: the /api/v1/providers route
 * group, the organisations that operate sources, their sources and the
 * ignore lists linked to them.  See iocagg-providers(8) for the routes,
 * bodies, answers and roles.
 *
 * Fixed reference quirks: POST takes "tags", "enabled" and "description"
 * as optional (the reference needed the first two and failed with 500
 * without them), and answers 201; PATCH can clear the favicon with null;
 * PUT replaces answer 204, refuse an unknown id with 422 instead of
 * linking part of the list, and keep the links that stay as they were.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "rest.h"
#include "slug.h"
#include "xmalloc.h"

#define ROLE_VIEW	ROLE_SOURCES_VIEW
#define ROLE_EDIT	ROLE_SOURCES_EDIT
#define NAME_MAX_CHARS	100	/* providers_name_check */
#define DESC_MAX_CHARS	5000	/* providers_description_check */
#define URL_MAX		2048	/* providers_url_check */
#define FAVICON_MAX	1048576	/* bytes of a data: URL */
#define LINKS_MAX	256	/* ids in one PUT */

static void	prov_list(struct req *);
static void	prov_create(struct req *);
static void	prov_by_slug(struct req *);
static void	prov_get(struct req *);
static void	prov_patch(struct req *);
static void	prov_delete(struct req *);
static void	prov_sources(struct req *);
static void	prov_set_sources(struct req *);
static void	prov_lists(struct req *);
static void	prov_set_lists(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/providers", prov_list, ROLE_VIEW, 0 },
	{ METHOD_POST, "/api/v1/providers", prov_create, ROLE_EDIT, 0 },
	/* Before the ":id" routes: "slugs" is not an id. */
	{ METHOD_GET, "/api/v1/providers/slugs/:slug", prov_by_slug,
	    ROLE_VIEW, 0 },
	{ METHOD_GET, "/api/v1/providers/:id", prov_get, ROLE_VIEW, 0 },
	{ METHOD_PATCH, "/api/v1/providers/:id", prov_patch, ROLE_EDIT, 0 },
	{ METHOD_DELETE, "/api/v1/providers/:id", prov_delete, ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/providers/:id/sources", prov_sources,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/providers/:id/sources", prov_set_sources,
	    ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/providers/:id/ignoreLists", prov_lists,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/providers/:id/ignoreLists", prov_set_lists,
	    ROLE_EDIT, 0 },
};

/* Every statement this program runs. */
enum stmt {
	STMT_LIST,
	STMT_INSERT,
	STMT_BY_SLUG,
	STMT_GET,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_EXISTS,
	STMT_LOCK,
	STMT_SOURCES,
	STMT_MISSING_SOURCE,
	STMT_UNLINK_SOURCES,
	STMT_LINK_SOURCES,
	STMT_LISTS,
	STMT_MISSING_LIST,
	STMT_UNLINK_LISTS,
	STMT_LINK_LISTS,
	STMT__MAX
};

#define PROVIDER_COLS \
	"p.id, p.created_at, p.updated_at, p.name, p.slug, p.description, " \
	"p.url, p.favicon, array_to_json(p.tags) AS tags, p.enabled, " \
	"(SELECT count(*) FROM sources c WHERE c.provider_id = p.id) " \
	"AS num_sources, p.created_user_id, p.updated_user_id"

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
	"s.updated_user_id"

#define IGNORE_LIST_COLS \
	"l.id, l.created_at, l.updated_at, l.name, l.slug, l.description, " \
	"l.enabled, l.global, l.created_user_id, l.updated_user_id"

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST: $1 limit, $2 offset. */
	"SELECT " PROVIDER_COLS " FROM providers p "
	"ORDER BY p.enabled DESC, p.name, p.id LIMIT $1 OFFSET $2",
	/* STMT_INSERT: $1 name, $2 slug, $3 description, $4 url,
	 * $5 favicon, $6 tags, $7 enabled, $8 caller. */
	"INSERT INTO providers (name, slug, description, url, favicon, tags, "
	"enabled, created_user_id) VALUES ($1, $2, COALESCE($3, ''), $4, $5, "
	"COALESCE($6::text[], '{}'), COALESCE($7::bool, true), $8) "
	"RETURNING id, slug",
	/* STMT_BY_SLUG */
	"SELECT id FROM providers WHERE slug = $1",
	/* STMT_GET */
	"SELECT " PROVIDER_COLS " FROM providers p WHERE p.id = $1",
	/* STMT_UPDATE: $1 id, $2 name, $3 slug, $4 description, $5 url,
	 * $6 favicon given, $7 favicon, $8 tags, $9 enabled, $10 caller. */
	"UPDATE providers SET name = COALESCE($2, name), "
	"slug = COALESCE($3, slug), description = COALESCE($4, description), "
	"url = COALESCE($5, url), "
	"favicon = CASE WHEN $6::bool THEN $7 ELSE favicon END, "
	"tags = COALESCE($8::text[], tags), "
	"enabled = COALESCE($9::bool, enabled), updated_user_id = $10 "
	"WHERE id = $1 RETURNING id",
	/* STMT_DELETE: its sources keep going, with provider_id NULL. */
	"DELETE FROM providers WHERE id = $1 RETURNING id",
	/* STMT_EXISTS */
	"SELECT 1 FROM providers WHERE id = $1",
	/* STMT_LOCK: one replace of a provider's links at a time. */
	"SELECT 1 FROM providers WHERE id = $1 FOR NO KEY UPDATE",
	/* STMT_SOURCES: $1 provider, $2 limit, $3 offset. */
	"SELECT " SOURCE_COLS " FROM sources s WHERE s.provider_id = $1 "
	"ORDER BY s.name, s.id LIMIT $2 OFFSET $3",
	/* STMT_MISSING_SOURCE: the first id of $1 that is no source. */
	"SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS "
	"(SELECT 1 FROM sources s WHERE s.id = x) LIMIT 1",
	/* STMT_UNLINK_SOURCES: $1 provider, $2 caller, $3 ids kept. */
	"UPDATE sources SET provider_id = NULL, updated_user_id = $2 "
	"WHERE provider_id = $1 AND NOT (id = ANY($3::text[]))",
	/* STMT_LINK_SOURCES: taken from other providers if need be. */
	"UPDATE sources SET provider_id = $1, updated_user_id = $2 "
	"WHERE id = ANY($3::text[]) AND provider_id IS DISTINCT FROM $1",
	/* STMT_LISTS: $1 provider, $2 limit, $3 offset. */
	"SELECT " IGNORE_LIST_COLS " FROM ignore_lists l "
	"JOIN provider_ignore_lists pl ON pl.ignore_list_id = l.id "
	"WHERE pl.source_provider_id = $1 ORDER BY l.name, l.id "
	"LIMIT $2 OFFSET $3",
	/* STMT_MISSING_LIST */
	"SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS "
	"(SELECT 1 FROM ignore_lists l WHERE l.id = x) LIMIT 1",
	/* STMT_UNLINK_LISTS: $1 provider, $2 ids kept. */
	"DELETE FROM provider_ignore_lists WHERE source_provider_id = $1 "
	"AND NOT (ignore_list_id = ANY($2::text[]))",
	/* STMT_LINK_LISTS: $1 provider, $2 caller, $3 ids. */
	"INSERT INTO provider_ignore_lists (ignore_list_id, "
	"source_provider_id, user_id) SELECT x, $1, $2 "
	"FROM unnest($3::text[]) AS x ON CONFLICT "
	"(ignore_list_id, source_provider_id) DO NOTHING",
};

/* The body of POST (required fields) and PATCH (none required). */
enum { F_NAME, F_DESC, F_URLF, F_FAVICON, F_TAGS, F_ENABLED, F__MAX };
static const struct field fields[F__MAX] = {
	{ "name", F_STR, 1, 0, 1, NAME_MAX_CHARS * 4, NULL },
	{ "description", F_STR, 0, 0, 0, DESC_MAX_CHARS * 4, NULL },
	{ "url", F_URL, 1, 0, 0, URL_MAX, NULL },
	{ "favicon", F_STR, 0, 1, 1, FAVICON_MAX, NULL },
	{ "tags", F_STRS, 0, 0, 1, 100, NULL },
	{ "enabled", F_BOOL, 0, 0, 0, 0, NULL },
};

/* Characters (UTF-8 code points) of "s", as PostgreSQL counts them. */
static size_t
chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * What rest_fields() cannot check: lengths in characters, a name that
 * gives a slug, a favicon that is a data: URL.  Sets *slug (xmalloc'd)
 * when a name is given.  0, or -1 after a 422.
 */
static int
check_body(struct req *r, struct fval *v, char **slug)
{
	*slug = NULL;
	if (v[F_NAME].text != NULL) {
		if (chars(v[F_NAME].text) > NAME_MAX_CHARS) {
			http_error(r, 422, "invalid_field", "'name' must have 1 "
			    "to %d characters", NAME_MAX_CHARS);
			return -1;
		}
		*slug = slugify(v[F_NAME].text);
		if (**slug == '\0') {
			free(*slug);
			*slug = NULL;
			http_error(r, 422, "invalid_field", "'name' must hold "
			    "at least one letter a-z: its slug is empty");
			return -1;
		}
	}
	if (v[F_DESC].text != NULL && chars(v[F_DESC].text) >
	    DESC_MAX_CHARS) {
		http_error(r, 422, "invalid_field", "'description' must have "
		    "at most %d characters", DESC_MAX_CHARS);
		return -1;
	}
	if (v[F_FAVICON].text != NULL &&
	    strncmp(v[F_FAVICON].text, "data:", 5) != 0) {
		http_error(r, 422, "invalid_field", "'favicon' must be a "
		    "data: URL (data:image/png;base64,...)");
		return -1;
	}
	return 0;
}

/*
 * Run the one-parameter statement "st" with "id": 1 when it gave a
 * row, 0 when it gave none (404 answered), -1 on failure (answered).
 */
static int
found(struct req *r, enum stmt st, const char *id)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { id };
	int		 n;

	pr = db_query(r->db, stmts[st], 1, p, &res);
	if (res != DB_OK) {
		PQclear(pr);
		rest_db_error(r, res, "provider");
		return -1;
	}
	n = PQntuples(pr);
	PQclear(pr);
	if (n == 0) {
		http_error(r, 404, "not_found", "no such provider");
		return 0;
	}
	return 1;
}

/*
 * Send the rows of a statement whose last two parameters are limit and
 * offset, after "id" if not NULL; when "id" is given, 404 if no
 * provider has it.
 */
static void
send_page(struct req *r, enum stmt st, const char *id)
{
	char		 lb[24], ob[24];
	const char	*p[3];
	int		 n = 0;

	if (rest_paging(r, 1000, lb, ob) == -1)
		return;
	if (id != NULL) {
		if (found(r, STMT_EXISTS, id) != 1)
			return;
		p[n++] = id;
	}
	p[n++] = lb;
	p[n++] = ob;
	rest_rows(r, stmts[st], n, p);
}

/*
 * The first id of the array literal "ids" that "st" finds missing: 1
 * after a 422 naming it, 0 when every id exists, -1 after a failure.
 */
static int
missing(struct req *r, enum stmt st, const char *ids, const char *what)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[1] = { ids };
	int		 rc = 0;

	pr = db_query(r->db, stmts[st], 1, p, &res);
	if (res != DB_OK) {
		rest_db_error(r, res, what);
		rc = -1;
	} else if (PQntuples(pr) > 0) {
		http_error(r, 422, "invalid_field", "unknown %s id '%s'",
		    what, PQgetvalue(pr, 0, 0));
		rc = 1;
	}
	PQclear(pr);
	return rc;
}

/*
 * GET /api/v1/providers[?limit=N&offset=M] -- every provider with its
 * numSources, enabled ones first, then by name.  Role sources_view.
 */
static void
prov_list(struct req *r)
{
	send_page(r, STMT_LIST, NULL);
}

/*
 * POST /api/v1/providers -- {name, description?, url, favicon?, tags?,
 * enabled?}.  Role sources_edit.  201 {id, slug}; 409 name or slug
 * taken; 422 invalid field.
 */
static void
prov_create(struct req *r)
{
	json_object	*o;
	struct fval	 v[F__MAX];
	PGresult	*pr;
	enum dbres	 res;
	char		*slug;
	const char	*p[8];

	if ((o = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, o, fields, F__MAX, v, 0) == -1) {
		json_object_put(o);
		return;
	}
	if (check_body(r, v, &slug) == -1)
		goto out;
	p[0] = v[F_NAME].text;
	p[1] = slug;
	p[2] = v[F_DESC].text;
	p[3] = v[F_URLF].text;
	p[4] = v[F_FAVICON].text;
	p[5] = v[F_TAGS].text;
	p[6] = v[F_ENABLED].text;
	p[7] = r->user->id;
	pr = db_exec(r->db, stmts[STMT_INSERT], 8, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "provider");
	else
		rest_created(r, 201, pr);
	PQclear(pr);
	free(slug);
out:
	rest_fields_free(v, F__MAX);
	json_object_put(o);
}

/*
 * GET /api/v1/providers/slugs/:slug -- the id of the provider with
 * that slug, as text/plain.  Role sources_view.  200; 404.
 */
static void
prov_by_slug(struct req *r)
{
	const char	*p[1] = { req_arg(r, 0) };

	rest_text(r, stmts[STMT_BY_SLUG], 1, p, "provider");
}

/*
 * GET /api/v1/providers/:id -- one provider.  Role sources_view.
 * 200; 404.
 */
static void
prov_get(struct req *r)
{
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "provider")) == NULL)
		return;
	p[0] = id;
	rest_row(r, stmts[STMT_GET], 1, p, "provider");
}

/*
 * PATCH /api/v1/providers/:id -- change the fields given; a new name
 * gives a new slug, a null favicon clears it.  Role sources_edit.  204;
 * 404; 409; 422.
 */
static void
prov_patch(struct req *r)
{
	json_object	*o;
	struct fval	 v[F__MAX];
	PGresult	*pr;
	enum dbres	 res;
	char		*slug = NULL;
	const char	*id, *p[10];

	if ((id = rest_id(r, 0, "provider")) == NULL)
		return;
	if ((o = rest_object(r)) == NULL)
		return;
	if (rest_fields(r, o, fields, F__MAX, v, 1) == -1) {
		json_object_put(o);
		return;
	}
	if (check_body(r, v, &slug) == -1)
		goto out;
	p[0] = id;
	p[1] = v[F_NAME].text;
	p[2] = slug;
	p[3] = v[F_DESC].text;
	p[4] = v[F_URLF].text;
	p[5] = v[F_FAVICON].present ? "true" : "false";
	p[6] = v[F_FAVICON].text;
	p[7] = v[F_TAGS].text;
	p[8] = v[F_ENABLED].text;
	p[9] = r->user->id;
	pr = db_exec(r->db, stmts[STMT_UPDATE], 10, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "provider");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such provider");
	else
		http_empty(r, 204);
	PQclear(pr);
	free(slug);
out:
	rest_fields_free(v, F__MAX);
	json_object_put(o);
}

/*
 * DELETE /api/v1/providers/:id -- its sources stay, without a
 * provider; its ignore-list links go.  Role sources_edit.  204; 404.
 */
static void
prov_delete(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "provider")) == NULL)
		return;
	p[0] = id;
	pr = db_exec(r->db, stmts[STMT_DELETE], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "provider");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such provider");
	else
		http_empty(r, 204);
	PQclear(pr);
}

/* GET of a provider's sources or lists: 404 for an unknown provider. */
static void
children(struct req *r, enum stmt st)
{
	const char	*id;

	if ((id = rest_id(r, 0, "provider")) == NULL)
		return;
	send_page(r, st, id);
}

/*
 * GET /api/v1/providers/:id/sources[?limit&offset] -- its sources by
 * name.  Role sources_view.  200; 404.
 */
static void
prov_sources(struct req *r)
{
	children(r, STMT_SOURCES);
}

/*
 * GET /api/v1/providers/:id/ignoreLists[?limit&offset] -- the ignore
 * lists linked to it, by name.  Role sources_view.  200; 404.
 */
static void
prov_lists(struct req *r)
{
	children(r, STMT_LISTS);
}

/*
 * Replace a provider's links with the ids of the body, in one
 * transaction: lock the provider (404), refuse an unknown id (422),
 * drop the links not listed, add the new ones.
 */
static void
replace(struct req *r, int sources)
{
	enum dbres	 res;
	char		*ids;
	const char	*id, *p[3];
	const char	*what = sources ? "source" : "ignore list";

	if ((id = rest_id(r, 0, "provider")) == NULL)
		return;
	if ((ids = rest_id_array(r, LINKS_MAX)) == NULL)
		return;
	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "provider");
		free(ids);
		return;
	}
	if (found(r, STMT_LOCK, id) != 1 ||
	    missing(r, sources ? STMT_MISSING_SOURCE : STMT_MISSING_LIST,
	    ids, what) != 0)
		goto fail;
	p[0] = id;
	if (sources) {
		p[1] = r->user->id;
		p[2] = ids;
		if ((res = db_cmd(r->db, stmts[STMT_UNLINK_SOURCES], 3,
		    p)) != DB_OK ||
		    (res = db_cmd(r->db, stmts[STMT_LINK_SOURCES], 3,
		    p)) != DB_OK)
			goto dbfail;
	} else {
		p[1] = ids;
		if ((res = db_cmd(r->db, stmts[STMT_UNLINK_LISTS], 2,
		    p)) != DB_OK)
			goto dbfail;
		p[1] = r->user->id;
		p[2] = ids;
		if ((res = db_cmd(r->db, stmts[STMT_LINK_LISTS], 3,
		    p)) != DB_OK)
			goto dbfail;
	}
	if ((res = db_commit(r->db)) != DB_OK) {
		rest_db_error(r, res, what);
		free(ids);
		return;
	}
	http_empty(r, 204);
	free(ids);
	return;
dbfail:
	rest_db_error(r, res, what);
fail:
	db_rollback(r->db);
	free(ids);
}

/*
 * PUT /api/v1/providers/:id/sources -- ["sourceId", ...]: these and
 * only these sources belong to the provider (taken from another one if
 * need be).  Role sources_edit.  204; 404; 422 unknown source id.
 */
static void
prov_set_sources(struct req *r)
{
	replace(r, 1);
}

/*
 * PUT /api/v1/providers/:id/ignoreLists -- ["ignoreListId", ...]: these
 * and only these lists apply to the provider's sources.  Role
 * sources_edit.  204; 404; 422 unknown list id.
 */
static void
prov_set_lists(struct req *r)
{
	replace(r, 0);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-providers", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
