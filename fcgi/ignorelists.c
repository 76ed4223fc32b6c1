/*
 * fcgi/ignorelists.c -- iocagg-ignorelists: the /api/v1/ignoreLists
 * route group: lists of indicators never sent to sources, their
 * entries, and the providers and sources they are linked to.  See
 * iocagg-ignorelists(8) for the routes, bodies, answers and roles.
 *
 * An entry matches exactly (its data is the normalized indicator), or,
 * for IPV4 and IPV6, as a CIDR network ("10.0.0.0/8"), or, for DOMAIN,
 * as a wildcard ("*.example.com": the domain and every name under it).
 * The columns "suffix" and "net" that serve the last two are generated
 * by PostgreSQL (sql/0005-lookup.sql); entries are checked here first,
 * so that a bad one is a 422 naming it rather than a refused row.
 *
 * Fixed reference quirks: "global" is honoured on create; POST answers
 * 201; PUT replaces answer 204, refuse an unknown id with 422, and keep
 * the links that stay as they were.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "indicator.h"
#include "rest.h"
#include "slug.h"
#include "xmalloc.h"

#define ROLE_VIEW	ROLE_SOURCES_VIEW
#define ROLE_EDIT	ROLE_SOURCES_EDIT
#define NAME_MAX_CHARS	100	/* ignore_lists_name_check */
#define DESC_MAX_CHARS	5000	/* ignore_lists_description_check */
#define ENTRY_DATA_MAX	2048	/* ignore_list_entries_data_check */
#define ENTRIES_MAX	100000	/* entries in one PUT or POST */
#define LINKS_MAX	256	/* ids in one PUT */

static void	il_list(struct req *);
static void	il_create(struct req *);
static void	il_global(struct req *);
static void	il_by_slug(struct req *);
static void	il_get(struct req *);
static void	il_patch(struct req *);
static void	il_delete(struct req *);
static void	il_entries(struct req *);
static void	il_set_entries(struct req *);
static void	il_add_entries(struct req *);
static void	il_delete_entry(struct req *);
static void	il_providers(struct req *);
static void	il_set_providers(struct req *);
static void	il_sources(struct req *);
static void	il_set_sources(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/ignoreLists", il_list, ROLE_VIEW, 0 },
	{ METHOD_POST, "/api/v1/ignoreLists", il_create, ROLE_EDIT, 0 },
	/* Before the ":id" routes: neither word is an id. */
	{ METHOD_GET, "/api/v1/ignoreLists/global", il_global, ROLE_VIEW, 0 },
	{ METHOD_GET, "/api/v1/ignoreLists/slugs/:slug", il_by_slug,
	    ROLE_VIEW, 0 },
	{ METHOD_GET, "/api/v1/ignoreLists/:id", il_get, ROLE_VIEW, 0 },
	{ METHOD_PATCH, "/api/v1/ignoreLists/:id", il_patch, ROLE_EDIT, 0 },
	{ METHOD_DELETE, "/api/v1/ignoreLists/:id", il_delete, ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/ignoreLists/:id/entries", il_entries,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/ignoreLists/:id/entries", il_set_entries,
	    ROLE_EDIT, ROUTE_BULK },
	{ METHOD_POST, "/api/v1/ignoreLists/:id/entries", il_add_entries,
	    ROLE_EDIT, ROUTE_BULK },
	{ METHOD_DELETE, "/api/v1/ignoreLists/:id/entries/:entryId",
	    il_delete_entry, ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/ignoreLists/:id/providers", il_providers,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/ignoreLists/:id/providers", il_set_providers,
	    ROLE_EDIT, 0 },
	{ METHOD_GET, "/api/v1/ignoreLists/:id/sources", il_sources,
	    ROLE_VIEW, 0 },
	{ METHOD_PUT, "/api/v1/ignoreLists/:id/sources", il_set_sources,
	    ROLE_EDIT, 0 },
};

/* Every statement this program runs. */
enum stmt {
	STMT_LIST,
	STMT_GLOBAL,
	STMT_INSERT,
	STMT_BY_SLUG,
	STMT_GET,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_EXISTS,
	STMT_LOCK,
	STMT_ENTRIES,
	STMT_CLEAR_ENTRIES,
	STMT_PUT_ENTRIES,
	STMT_ADD_ENTRIES,
	STMT_EXISTING_ENTRY,
	STMT_DELETE_ENTRY,
	STMT_PROVIDERS,
	STMT_MISSING_PROVIDER,
	STMT_UNLINK_PROVIDERS,
	STMT_LINK_PROVIDERS,
	STMT_SOURCES,
	STMT_MISSING_SOURCE,
	STMT_UNLINK_SOURCES,
	STMT_LINK_SOURCES,
	STMT__MAX
};

#define IGNORE_LIST_COLS \
	"l.id, l.created_at, l.updated_at, l.name, l.slug, l.description, " \
	"l.enabled, l.global, l.created_user_id, l.updated_user_id"

#define ENTRY_COLS \
	"e.id, e.created_at, e.updated_at, e.data, e.indicator_kind, " \
	"e.ignore_list_id, e.created_user_id, e.updated_user_id"

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

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST: $1 limit, $2 offset. */
	"SELECT " IGNORE_LIST_COLS " FROM ignore_lists l "
	"ORDER BY l.name, l.id LIMIT $1 OFFSET $2",
	/* STMT_GLOBAL */
	"SELECT " IGNORE_LIST_COLS " FROM ignore_lists l WHERE l.global "
	"ORDER BY l.name, l.id LIMIT $1 OFFSET $2",
	/* STMT_INSERT: $1 name, $2 slug, $3 description, $4 enabled,
	 * $5 global, $6 caller. */
	"INSERT INTO ignore_lists (name, slug, description, enabled, global, "
	"created_user_id) VALUES ($1, $2, COALESCE($3, ''), "
	"COALESCE($4::bool, true), COALESCE($5::bool, false), $6) "
	"RETURNING id, slug",
	/* STMT_BY_SLUG */
	"SELECT id FROM ignore_lists WHERE slug = $1",
	/* STMT_GET */
	"SELECT " IGNORE_LIST_COLS " FROM ignore_lists l WHERE l.id = $1",
	/* STMT_UPDATE: $1 id, $2 name, $3 slug, $4 description,
	 * $5 enabled, $6 global, $7 caller. */
	"UPDATE ignore_lists SET name = COALESCE($2, name), "
	"slug = COALESCE($3, slug), description = COALESCE($4, description), "
	"enabled = COALESCE($5::bool, enabled), "
	"global = COALESCE($6::bool, global), updated_user_id = $7 "
	"WHERE id = $1 RETURNING id",
	/* STMT_DELETE: entries and links cascade. */
	"DELETE FROM ignore_lists WHERE id = $1 RETURNING id",
	/* STMT_EXISTS */
	"SELECT 1 FROM ignore_lists WHERE id = $1",
	/* STMT_LOCK: one change of a list's entries or links at a time. */
	"SELECT 1 FROM ignore_lists WHERE id = $1 FOR NO KEY UPDATE",
	/* STMT_ENTRIES: $1 list, $2 limit, $3 offset; byte order, so that
	 * pages do not depend on the database's collation. */
	"SELECT " ENTRY_COLS " FROM ignore_list_entries e "
	"WHERE e.ignore_list_id = $1 ORDER BY e.indicator_kind, "
	"e.data COLLATE \"C\", e.id LIMIT $2 OFFSET $3",
	/* STMT_CLEAR_ENTRIES */
	"DELETE FROM ignore_list_entries WHERE ignore_list_id = $1",
	/* STMT_PUT_ENTRIES: every entry in one statement; "suffix" and
	 * "net" are generated.  $1 data[], $2 kinds[], $3 list, $4 caller. */
	"INSERT INTO ignore_list_entries (data, indicator_kind, "
	"ignore_list_id, created_user_id) SELECT u.d, u.k, $3, $4 "
	"FROM unnest($1::text[], $2::text[]) AS u(d, k)",
	/* STMT_ADD_ENTRIES: the same, answering the new rows. */
	"INSERT INTO ignore_list_entries AS e (data, indicator_kind, "
	"ignore_list_id, created_user_id) SELECT u.d, u.k, $3, $4 "
	"FROM unnest($1::text[], $2::text[]) AS u(d, k) "
	"RETURNING " ENTRY_COLS,
	/* STMT_EXISTING_ENTRY: the first of $1/$2 already in list $3. */
	"SELECT u.d, u.k FROM unnest($1::text[], $2::text[]) AS u(d, k) "
	"JOIN ignore_list_entries e ON e.data = u.d AND "
	"e.indicator_kind = u.k AND e.ignore_list_id = $3 LIMIT 1",
	/* STMT_DELETE_ENTRY: $1 list, $2 entry. */
	"DELETE FROM ignore_list_entries WHERE ignore_list_id = $1 "
	"AND id = $2 RETURNING id",
	/* STMT_PROVIDERS: $1 list, $2 limit, $3 offset. */
	"SELECT " PROVIDER_COLS " FROM providers p "
	"JOIN provider_ignore_lists pl ON pl.source_provider_id = p.id "
	"WHERE pl.ignore_list_id = $1 ORDER BY p.enabled DESC, p.name, p.id "
	"LIMIT $2 OFFSET $3",
	/* STMT_MISSING_PROVIDER: the first id of $1 that is no provider. */
	"SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS "
	"(SELECT 1 FROM providers p WHERE p.id = x) LIMIT 1",
	/* STMT_UNLINK_PROVIDERS: $1 list, $2 ids kept. */
	"DELETE FROM provider_ignore_lists WHERE ignore_list_id = $1 "
	"AND NOT (source_provider_id = ANY($2::text[]))",
	/* STMT_LINK_PROVIDERS: $1 list, $2 caller, $3 ids. */
	"INSERT INTO provider_ignore_lists (ignore_list_id, "
	"source_provider_id, user_id) SELECT $1, x, $2 "
	"FROM unnest($3::text[]) AS x ON CONFLICT "
	"(ignore_list_id, source_provider_id) DO NOTHING",
	/* STMT_SOURCES: $1 list, $2 limit, $3 offset. */
	"SELECT " SOURCE_COLS " FROM sources s "
	"JOIN source_ignore_lists sl ON sl.source_id = s.id "
	"WHERE sl.ignore_list_id = $1 ORDER BY s.name, s.id "
	"LIMIT $2 OFFSET $3",
	/* STMT_MISSING_SOURCE */
	"SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS "
	"(SELECT 1 FROM sources s WHERE s.id = x) LIMIT 1",
	/* STMT_UNLINK_SOURCES: $1 list, $2 ids kept. */
	"DELETE FROM source_ignore_lists WHERE ignore_list_id = $1 "
	"AND NOT (source_id = ANY($2::text[]))",
	/* STMT_LINK_SOURCES: $1 list, $2 caller, $3 ids. */
	"INSERT INTO source_ignore_lists (ignore_list_id, source_id, "
	"user_id) SELECT $1, x, $2 FROM unnest($3::text[]) AS x "
	"ON CONFLICT (ignore_list_id, source_id) DO NOTHING",
};

/* The body of POST (required fields) and PATCH (none required). */
enum { F_NAME, F_DESC, F_ENABLED, F_GLOBAL, F__MAX };
static const struct field fields[F__MAX] = {
	{ "name", F_STR, 1, 0, 1, NAME_MAX_CHARS * 4, NULL },
	{ "description", F_STR, 0, 0, 0, DESC_MAX_CHARS * 4, NULL },
	{ "enabled", F_BOOL, 0, 0, 0, 0, NULL },
	{ "global", F_BOOL, 0, 0, 0, 0, NULL },
};

/* One checked entry of a PUT or POST body. */
struct entry {
	char		*data;		/* as stored */
	enum ind_kind	 kind;
	size_t		 idx;		/* position in the body */
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
 * What rest_fields() cannot check: lengths in characters and a name
 * that gives a slug.  Sets *slug (xmalloc'd) when a name is given.  0,
 * or -1 after a 422.
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
		rest_db_error(r, res, "ignore list");
		return -1;
	}
	n = PQntuples(pr);
	PQclear(pr);
	if (n == 0) {
		http_error(r, 404, "not_found", "no such ignore list");
		return 0;
	}
	return 1;
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
 * Send the rows of a statement whose last two parameters are limit and
 * offset, after "id" if not NULL; when "id" is given, 404 if no list
 * has it.
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

/* ----------------------------------------------------------------- */
/* Entries.                                                          */

/*
 * "in" as a CIDR network of "kind" (IPV4 or IPV6): the address as
 * ind_normalize() would write it for IPv4 and any form inet_pton()
 * reads for IPv6, "/" and a prefix length of 0-32 or 0-128 without a
 * leading zero.  Stored as given, lowercased, without the blanks
 * around it.  0 and *out, or -1 and *why.
 */
static int
norm_cidr(enum ind_kind kind, const char *in, char **out, const char **why)
{
	struct in6_addr	 a6;
	const char	*b, *e;
	char		*s, *slash, *pfx, *norm = NULL;
	size_t		 len, i;
	long		 bits, max = kind == IND_IPV4 ? 32 : 128;

	*why = kind == IND_IPV4 ? "is not a valid IPv4 network "
	    "a.b.c.d/n, n from 0 to 32" : "is not a valid IPv6 network "
	    "x:x::/n, n from 0 to 128";
	for (b = in; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
		continue;
	for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t' ||
	    e[-1] == '\n' || e[-1] == '\r'); e--)
		continue;
	len = e - b;
	if (len == 0 || len > INET6_ADDRSTRLEN + 4)
		return -1;
	s = xstrndup(b, len);
	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 'a' - 'A';
	if ((slash = strchr(s, '/')) == NULL || strrchr(s, '/') != slash)
		goto bad;
	pfx = slash + 1;
	len = strlen(pfx);
	if (len == 0 || len > 3 || strspn(pfx, "0123456789") != len ||
	    (pfx[0] == '0' && len > 1))
		goto bad;
	bits = strtol(pfx, NULL, 10);
	if (bits > max)
		goto bad;
	*slash = '\0';
	if (kind == IND_IPV4) {
		if (ind_normalize(IND_IPV4, s, &norm, NULL) == -1 ||
		    strcmp(norm, s) != 0)
			goto bad;
	} else if (inet_pton(AF_INET6, s, &a6) != 1)
		goto bad;
	free(norm);
	*slash = '/';
	*why = NULL;
	*out = s;
	return 0;
bad:
	free(norm);
	free(s);
	return -1;
}

/*
 * "in" as an entry of "kind": a CIDR network for IPV4/IPV6 when it
 * holds a "/", "*." and a normalized domain for a DOMAIN wildcard, the
 * normalized indicator otherwise.  0 and *out (xmalloc'd), or -1 and
 * *why.
 */
static int
entry_norm(enum ind_kind kind, const char *in, char **out, const char **why)
{
	const char	*b;
	char		*d;

	if ((kind == IND_IPV4 || kind == IND_IPV6) &&
	    strchr(in, '/') != NULL)
		return norm_cidr(kind, in, out, why);
	for (b = in; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
		continue;
	if (kind == IND_DOMAIN && b[0] == '*' && b[1] == '.') {
		if (ind_normalize(IND_DOMAIN, b + 2, &d, why) == -1) {
			*why = "is not a valid wildcard: *. and a domain "
			    "name, as in *.example.com";
			return -1;
		}
		xasprintf(out, "*.%s", d);
		free(d);
		return 0;
	}
	return ind_normalize(kind, in, out, why);
}

static void
entries_free(struct entry *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].data);
	free(v);
}

/* The names of the kinds, "DOMAIN, IPV4, ...", for messages. */
static const char *
kind_names(char *names, size_t sz)
{
	int	 k;

	names[0] = '\0';
	for (k = 0; k < IND__MAX; k++) {
		(void)strlcat(names, k ? ", " : "", sz);
		(void)strlcat(names, ind_kind_name(k), sz);
	}
	return names;
}

/*
 * Check element "i" of the body, an object {data, indicatorKind}, into
 * "e".  0, or -1 after a 422 naming the entry and the field.
 */
static int
parse_entry(struct req *r, json_object *o, size_t i, struct entry *e)
{
	struct json_object_iterator	 it, end;
	json_object			*d, *k;
	const char			*key, *why = NULL;
	char				 names[160];
	int				 kind;

	if (!json_object_is_type(o, json_type_object)) {
		http_error(r, 422, "invalid_field", "entry %zu must be an "
		    "object {\"data\": ..., \"indicatorKind\": ...}", i);
		return -1;
	}
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		if (strcmp(key, "data") != 0 &&
		    strcmp(key, "indicatorKind") != 0) {
			http_error(r, 422, "invalid_field", "entry %zu: "
			    "unknown field '%.64s'", i, key);
			return -1;
		}
	}
	if (!json_object_object_get_ex(o, "indicatorKind", &k) ||
	    !json_object_object_get_ex(o, "data", &d)) {
		http_error(r, 422, "invalid_field", "entry %zu: '%s' is "
		    "required", i, json_object_object_get_ex(o, "data", NULL) ?
		    "indicatorKind" : "data");
		return -1;
	}
	if (!json_object_is_type(k, json_type_string) ||
	    (kind = ind_kind_parse(json_object_get_string(k))) ==
	    IND_INVALID || strcmp(ind_kind_name(kind),
	    json_object_get_string(k)) != 0) {
		http_error(r, 422, "invalid_field", "entry %zu: "
		    "'indicatorKind' must be one of %s", i,
		    kind_names(names, sizeof(names)));
		return -1;
	}
	if (!json_object_is_type(d, json_type_string)) {
		http_error(r, 422, "invalid_field", "entry %zu: 'data' must "
		    "be a string", i);
		return -1;
	}
	if ((size_t)json_object_get_string_len(d) !=
	    strlen(json_object_get_string(d))) {
		http_error(r, 422, "invalid_field", "entry %zu: 'data' "
		    "contains a NUL byte", i);
		return -1;
	}
	if (entry_norm(kind, json_object_get_string(d), &e->data, &why) ==
	    -1) {
		e->data = NULL;
		http_error(r, 422, "invalid_field", "entry %zu: 'data' %s "
		    "(kind %s)", i, why != NULL ? why : "is invalid",
		    ind_kind_name(kind));
		return -1;
	}
	if (strlen(e->data) > ENTRY_DATA_MAX) {
		http_error(r, 422, "invalid_field", "entry %zu: 'data' is "
		    "longer than %d bytes", i, ENTRY_DATA_MAX);
		return -1;
	}
	e->kind = kind;
	e->idx = i;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->data, y->data);
}

static int
idx_cmp(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * The body of PUT or POST .../entries: an array of {data,
 * indicatorKind} (or, with "one", a single such object), each checked
 * and normalized, no two the same.  Returns the entries in body order
 * and their count in *np, or NULL after answering 400/409/413/415/422.
 */
static struct entry *
parse_entries(struct req *r, int one, size_t *np, int *single)
{
	json_object	*body;
	struct entry	*v;
	size_t		 i, n;

	*single = 0;
	if ((body = req_json(r)) == NULL)
		return NULL;
	if (one && json_object_is_type(body, json_type_object))
		*single = 1;
	else if (!json_object_is_type(body, json_type_array)) {
		json_object_put(body);
		http_error(r, 422, "invalid_field", "the body must be an "
		    "array of {\"data\": ..., \"indicatorKind\": ...}%s",
		    one ? " or one such object" : "");
		return NULL;
	}
	n = *single ? 1 : json_object_array_length(body);
	if (n > ENTRIES_MAX) {
		json_object_put(body);
		http_error(r, 422, "invalid_field", "at most %d entries",
		    ENTRIES_MAX);
		return NULL;
	}
	v = xcalloc(n > 0 ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		if (parse_entry(r, *single ? body :
		    json_object_array_get_idx(body, i), i, &v[i]) == -1) {
			json_object_put(body);
			entries_free(v, i + 1);
			return NULL;
		}
	json_object_put(body);

	/* The same (kind, data) twice: 409 naming both, nothing written. */
	qsort(v, n, sizeof(*v), entry_cmp);
	for (i = 1; i < n; i++)
		if (entry_cmp(&v[i - 1], &v[i]) == 0) {
			http_error(r, 409, "conflict", "entries %zu and %zu "
			    "are the same %s entry '%.128s'",
			    v[i - 1].idx < v[i].idx ? v[i - 1].idx : v[i].idx,
			    v[i - 1].idx < v[i].idx ? v[i].idx : v[i - 1].idx,
			    ind_kind_name(v[i].kind), v[i].data);
			entries_free(v, n);
			return NULL;
		}
	qsort(v, n, sizeof(*v), idx_cmp);
	*np = n;
	return v;
}

/* The data and kinds of "v" as two PostgreSQL text[] literals. */
static void
entry_arrays(const struct entry *v, size_t n, char **data, char **kinds)
{
	char	**d, **k;
	size_t	  i;

	d = xcalloc(n > 0 ? n : 1, sizeof(char *));
	k = xcalloc(n > 0 ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		d[i] = v[i].data;
		k[i] = (char *)ind_kind_name(v[i].kind);
	}
	*data = rest_text_array(d, n);
	*kinds = rest_text_array(k, n);
	free(d);
	free(k);
}

/*
 * GET /api/v1/ignoreLists/:id/entries[?limit&offset] -- its entries by
 * kind, then data.  Role sources_view.  200; 404.
 */
static void
il_entries(struct req *r)
{
	const char	*id;

	if ((id = rest_id(r, 0, "ignore list")) == NULL)
		return;
	send_page(r, STMT_ENTRIES, id);
}

/*
 * Write the entries of the body to list :id in one transaction: all of
 * them instead of the old ones ("replace"), or in addition to them.
 */
static void
write_entries(struct req *r, int replace)
{
	struct entry	*v;
	PGresult	*pr = NULL;
	enum dbres	 res;
	json_object	*a;
	char		*data = NULL, *kinds = NULL;
	const char	*id, *p[4];
	size_t		 n;
	int		 single;

	if ((id = rest_id(r, 0, "ignore list")) == NULL)
		return;
	if ((v = parse_entries(r, !replace, &n, &single)) == NULL)
		return;
	entry_arrays(v, n, &data, &kinds);
	entries_free(v, n);
	p[0] = data;
	p[1] = kinds;
	p[2] = id;
	p[3] = r->user->id;
	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "ignore list");
		goto out;
	}
	if (found(r, STMT_LOCK, id) != 1)
		goto fail;
	if (replace) {
		if ((res = db_cmd(r->db, stmts[STMT_CLEAR_ENTRIES], 1,
		    &p[2])) != DB_OK ||
		    (res = db_cmd(r->db, stmts[STMT_PUT_ENTRIES], 4, p)) !=
		    DB_OK)
			goto dbfail;
	} else {
		pr = db_query(r->db, stmts[STMT_EXISTING_ENTRY], 3, p, &res);
		if (res != DB_OK)
			goto dbfail;
		if (PQntuples(pr) > 0) {
			http_error(r, 409, "conflict", "the list already has "
			    "the %s entry '%.128s'", PQgetvalue(pr, 0, 1),
			    PQgetvalue(pr, 0, 0));
			goto fail;
		}
		PQclear(pr);
		pr = db_exec(r->db, stmts[STMT_ADD_ENTRIES], 4, p, &res);
		if (res != DB_OK)
			goto dbfail;
	}
	if ((res = db_commit(r->db)) != DB_OK) {
		rest_db_error(r, res, "ignore list entry");
		goto out;
	}
	if (replace)
		http_empty(r, 204);
	else if (single)
		rest_created(r, 201, pr);
	else if ((a = db_rows_json(pr)) == NULL)
		http_error(r, 500, "internal", "out of memory");
	else {
		http_json(r, 201, a);
		json_object_put(a);
	}
	goto out;
dbfail:
	rest_db_error(r, res, "ignore list entry");
fail:
	db_rollback(r->db);
out:
	PQclear(pr);
	free(data);
	free(kinds);
}

/*
 * PUT /api/v1/ignoreLists/:id/entries -- [{data, indicatorKind}, ...],
 * at most 100000: the list's entries from now on, written in one
 * transaction.  Role sources_edit.  204; 404; 409 the same entry twice;
 * 422 a bad entry (named by its position, from 0).
 */
static void
il_set_entries(struct req *r)
{
	write_entries(r, 1);
}

/*
 * POST /api/v1/ignoreLists/:id/entries -- {data, indicatorKind} or an
 * array of them: add them to the list.  Role sources_edit.  201 with
 * the new entry (or the array of them); 404; 409 an entry the list
 * already has; 422.
 */
static void
il_add_entries(struct req *r)
{
	write_entries(r, 0);
}

/*
 * DELETE /api/v1/ignoreLists/:id/entries/:entryId -- one entry.  Role
 * sources_edit.  204; 404.
 */
static void
il_delete_entry(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[2];

	if ((p[0] = rest_id(r, 0, "ignore list")) == NULL ||
	    (p[1] = rest_id(r, 1, "ignore list entry")) == NULL)
		return;
	pr = db_exec(r->db, stmts[STMT_DELETE_ENTRY], 2, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "ignore list entry");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such ignore list entry");
	else
		http_empty(r, 204);
	PQclear(pr);
}

/* ----------------------------------------------------------------- */
/* Lists.                                                            */

/*
 * GET /api/v1/ignoreLists[?limit&offset] -- every list, by name.  Role
 * sources_view.
 */
static void
il_list(struct req *r)
{
	send_page(r, STMT_LIST, NULL);
}

/*
 * GET /api/v1/ignoreLists/global[?limit&offset] -- the global lists,
 * by name.  Role sources_view.
 */
static void
il_global(struct req *r)
{
	send_page(r, STMT_GLOBAL, NULL);
}

/*
 * POST /api/v1/ignoreLists -- {name, description?, enabled?, global?}.
 * Role sources_edit.  201 {id, slug}; 409 name or slug taken; 422.
 */
static void
il_create(struct req *r)
{
	json_object	*o;
	struct fval	 v[F__MAX];
	PGresult	*pr;
	enum dbres	 res;
	char		*slug;
	const char	*p[6];

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
	p[3] = v[F_ENABLED].text;
	p[4] = v[F_GLOBAL].text;
	p[5] = r->user->id;
	pr = db_exec(r->db, stmts[STMT_INSERT], 6, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "ignore list");
	else
		rest_created(r, 201, pr);
	PQclear(pr);
	free(slug);
out:
	rest_fields_free(v, F__MAX);
	json_object_put(o);
}

/*
 * GET /api/v1/ignoreLists/slugs/:slug -- the id of the list with that
 * slug, as text/plain.  Role sources_view.  200; 404.
 */
static void
il_by_slug(struct req *r)
{
	const char	*p[1] = { req_arg(r, 0) };

	rest_text(r, stmts[STMT_BY_SLUG], 1, p, "ignore list");
}

/*
 * GET /api/v1/ignoreLists/:id -- one list.  Role sources_view.  200;
 * 404.
 */
static void
il_get(struct req *r)
{
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "ignore list")) == NULL)
		return;
	p[0] = id;
	rest_row(r, stmts[STMT_GET], 1, p, "ignore list");
}

/*
 * PATCH /api/v1/ignoreLists/:id -- {name?, description?, enabled?,
 * global?}; a new name gives a new slug.  Role sources_edit.  204; 404;
 * 409; 422.
 */
static void
il_patch(struct req *r)
{
	json_object	*o;
	struct fval	 v[F__MAX];
	PGresult	*pr;
	enum dbres	 res;
	char		*slug = NULL;
	const char	*id, *p[7];

	if ((id = rest_id(r, 0, "ignore list")) == NULL)
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
	p[4] = v[F_ENABLED].text;
	p[5] = v[F_GLOBAL].text;
	p[6] = r->user->id;
	pr = db_exec(r->db, stmts[STMT_UPDATE], 7, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "ignore list");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such ignore list");
	else
		http_empty(r, 204);
	PQclear(pr);
	free(slug);
out:
	rest_fields_free(v, F__MAX);
	json_object_put(o);
}

/*
 * DELETE /api/v1/ignoreLists/:id -- with its entries and links.  Role
 * sources_edit.  204; 404.
 */
static void
il_delete(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "ignore list")) == NULL)
		return;
	p[0] = id;
	pr = db_exec(r->db, stmts[STMT_DELETE], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "ignore list");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such ignore list");
	else
		http_empty(r, 204);
	PQclear(pr);
}

/* ----------------------------------------------------------------- */
/* Links to providers and sources.                                   */

/*
 * Replace the list's links with the ids of the body, in one
 * transaction: lock the list (404), refuse an unknown id (422), drop
 * the links not listed, add the new ones.
 */
static void
replace_links(struct req *r, int sources)
{
	enum dbres	 res;
	char		*ids;
	const char	*id, *p[3];
	const char	*what = sources ? "source" : "provider";

	if ((id = rest_id(r, 0, "ignore list")) == NULL)
		return;
	if ((ids = rest_id_array(r, LINKS_MAX)) == NULL)
		return;
	if ((res = db_begin(r->db)) != DB_OK) {
		rest_db_error(r, res, "ignore list");
		free(ids);
		return;
	}
	if (found(r, STMT_LOCK, id) != 1 ||
	    missing(r, sources ? STMT_MISSING_SOURCE : STMT_MISSING_PROVIDER,
	    ids, what) != 0)
		goto fail;
	p[0] = id;
	p[1] = ids;
	if ((res = db_cmd(r->db, stmts[sources ? STMT_UNLINK_SOURCES :
	    STMT_UNLINK_PROVIDERS], 2, p)) != DB_OK)
		goto dbfail;
	p[1] = r->user->id;
	p[2] = ids;
	if ((res = db_cmd(r->db, stmts[sources ? STMT_LINK_SOURCES :
	    STMT_LINK_PROVIDERS], 3, p)) != DB_OK)
		goto dbfail;
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
 * GET /api/v1/ignoreLists/:id/providers[?limit&offset] -- the providers
 * it is linked to, enabled ones first, then by name.  Role
 * sources_view.  200; 404.
 */
static void
il_providers(struct req *r)
{
	const char	*id;

	if ((id = rest_id(r, 0, "ignore list")) != NULL)
		send_page(r, STMT_PROVIDERS, id);
}

/*
 * PUT /api/v1/ignoreLists/:id/providers -- ["providerId", ...]: the
 * list applies to these providers' sources.  Role sources_edit.  204;
 * 404; 422 unknown provider id.
 */
static void
il_set_providers(struct req *r)
{
	replace_links(r, 0);
}

/*
 * GET /api/v1/ignoreLists/:id/sources[?limit&offset] -- the sources it
 * is linked to, by name.  Role sources_view.  200; 404.
 */
static void
il_sources(struct req *r)
{
	const char	*id;

	if ((id = rest_id(r, 0, "ignore list")) != NULL)
		send_page(r, STMT_SOURCES, id);
}

/*
 * PUT /api/v1/ignoreLists/:id/sources -- ["sourceId", ...]: the list
 * applies to these sources.  Role sources_edit.  204; 404; 422 unknown
 * source id.
 */
static void
il_set_sources(struct req *r)
{
	replace_links(r, 1);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-ignorelists", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
