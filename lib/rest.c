/*
 * lib/rest.c -- see rest.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "http.h"
#include "indicator.h"
#include "json.h"
#include "nanoid.h"
#include "rest.h"
#include "xmalloc.h"

#define ARRAY_MAX	256

char *
rest_text_array(char *const *v, size_t n)
{
	size_t		 i, cap = 3;
	char		*o, *p;
	const char	*s;

	for (i = 0; i < n; i++)
		cap += 2 * strlen(v[i]) + 3;
	o = p = xmalloc(cap);
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (s = v[i]; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return o;
}

static int
enum_has(const char *choices, const char *v)
{
	size_t		 n = strlen(v);
	const char	*p = choices;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, v, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, '|')) != NULL)
			p++;
	}
	return 0;
}

static int
is_role(const char *s)
{
	size_t	 i;

	for (i = 0; i < auth_nroles; i++)
		if (strcmp(auth_roles[i], s) == 0)
			return 1;
	return 0;
}

static int
is_time(const char *s)
{
	struct tm	 tm;
	time_t		 t;
	int		 day, mon;
	size_t	 n = strlen(s), i;
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";

	if (n < 19 || n > 26)
		return 0;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	if (n > 19 && (s[19] != '.' || n == 20))
		return 0;
	for (i = 20; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	/* A real calendar date: 2031-02-30 is refused here, not by SQL. */
	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	day = tm.tm_mday;
	mon = tm.tm_mon;
	t = timegm(&tm);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_mday != day ||
	    tm.tm_mon != mon)
		return 0;
	return 1;
}

static int
url_ok(const char *s)
{
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * Check one array field; fills "v->text" with the array literal.
 */
static int
check_array(struct req *r, const struct field *f, json_object *a,
    struct fval *v)
{
	char		**items;
	const char	*s;
	json_object	*e;
	size_t		 i, j, n, len;
	int		 rc = -1;

	n = json_object_array_length(a);
	if (n > ARRAY_MAX) {
		http_error(r, 422, "invalid_field", "'%s' has more than %d "
		    "items", f->name, ARRAY_MAX);
		return -1;
	}
	items = xcalloc(n, sizeof(char *));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string)) {
			http_error(r, 422, "invalid_field", "'%s' must hold "
			    "strings", f->name);
			goto out;
		}
		s = json_object_get_string(e);
		len = strlen(s);
		switch (f->type) {
		case F_KINDS:
			if (ind_kind_parse(s) == IND_INVALID ||
			    strcmp(ind_kind_name(ind_kind_parse(s)), s) != 0) {
				http_error(r, 422, "invalid_field", "'%s': "
				    "'%s' is not an indicator kind", f->name,
				    s);
				goto out;
			}
			break;
		case F_IDS:
			if (!nanoid_valid(s)) {
				http_error(r, 422, "invalid_field", "'%s': "
				    "'%s' is not an id", f->name, s);
				goto out;
			}
			break;
		case F_ROLES:
			if (!is_role(s)) {
				http_error(r, 422, "invalid_field", "'%s': "
				    "'%s' is not a role", f->name, s);
				goto out;
			}
			break;
		default:
			if ((long long)len < f->min || (long long)len >
			    f->max) {
				http_error(r, 422, "invalid_field", "'%s' "
				    "items must have %lld to %lld characters",
				    f->name, f->min, f->max);
				goto out;
			}
			break;
		}
		/* Arrays are sets: duplicates are dropped. */
		for (j = 0; j < i; j++)
			if (items[j] != NULL && strcmp(items[j], s) == 0)
				break;
		items[i] = j < i ? NULL : xstrdup(s);
	}
	for (i = j = 0; i < n; i++)
		if (items[i] != NULL)
			items[j++] = items[i];
	v->text = rest_text_array(items, j);
	n = j;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return rc;
}

int
rest_fields(struct req *r, json_object *body, const struct field *f,
    size_t n, struct fval *vals, int partial)
{
	struct json_object_iterator	 it, end;
	json_object			*v;
	const char			*k, *s;
	size_t				 i, len;
	int64_t				 iv;

	memset(vals, 0, n * sizeof(*vals));
	it = json_object_iter_begin(body);
	end = json_object_iter_end(body);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		k = json_object_iter_peek_name(&it);
		for (i = 0; i < n; i++)
			if (strcmp(f[i].name, k) == 0)
				break;
		if (i == n) {
			http_error(r, 422, "invalid_field", "unknown field "
			    "'%.64s'", k);
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		if (!json_object_object_get_ex(body, f[i].name, &v)) {
			if (f[i].required && !partial) {
				http_error(r, 422, "invalid_field", "'%s' is "
				    "required", f[i].name);
				goto fail;
			}
			continue;
		}
		vals[i].present = 1;
		vals[i].j = v;
		if (v == NULL) {
			if (!f[i].nullable) {
				http_error(r, 422, "invalid_field", "'%s' "
				    "cannot be null", f[i].name);
				goto fail;
			}
			vals[i].null = 1;
			continue;
		}
		switch (f[i].type) {
		case F_STR:
		case F_URL:
		case F_ID:
		case F_ENUM:
		case F_TIME:
			if (!json_object_is_type(v, json_type_string)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be a string", f[i].name);
				goto fail;
			}
			s = json_object_get_string(v);
			len = strlen(s);
			if ((size_t)json_object_get_string_len(v) != len) {
				http_error(r, 422, "invalid_field", "'%s' "
				    "contains a NUL byte", f[i].name);
				goto fail;
			}
			if (f[i].type == F_STR && ((long long)len < f[i].min ||
			    (long long)len > f[i].max)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "have %lld to %lld characters", f[i].name,
				    f[i].min, f[i].max);
				goto fail;
			}
			if (f[i].type == F_URL && (!url_ok(s) ||
			    (long long)len > f[i].max)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be an http(s) URL of at most %lld "
				    "characters", f[i].name, f[i].max);
				goto fail;
			}
			if (f[i].type == F_ID && !nanoid_valid(s)) {
				http_error(r, 422, "invalid_field", "'%s' is "
				    "not an id", f[i].name);
				goto fail;
			}
			if (f[i].type == F_ENUM && !enum_has(f[i].choices,
			    s)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be one of %s", f[i].name, f[i].choices);
				goto fail;
			}
			if (f[i].type == F_TIME && !is_time(s)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be YYYY-MM-DDTHH:MM:SS (UTC)", f[i].name);
				goto fail;
			}
			vals[i].text = xstrdup(s);
			break;
		case F_BOOL:
			if (!json_object_is_type(v, json_type_boolean)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be true or false", f[i].name);
				goto fail;
			}
			vals[i].i = json_object_get_boolean(v);
			vals[i].text = xstrdup(vals[i].i ? "true" : "false");
			break;
		case F_INT:
			if (!json_object_is_type(v, json_type_int)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be an integer", f[i].name);
				goto fail;
			}
			iv = json_object_get_int64(v);
			if (iv < f[i].min || iv > f[i].max) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be between %lld and %lld", f[i].name,
				    f[i].min, f[i].max);
				goto fail;
			}
			vals[i].i = iv;
			xasprintf(&vals[i].text, "%lld", (long long)iv);
			break;
		case F_STRS:
		case F_KINDS:
		case F_IDS:
		case F_ROLES:
			if (!json_object_is_type(v, json_type_array)) {
				http_error(r, 422, "invalid_field", "'%s' must "
				    "be an array", f[i].name);
				goto fail;
			}
			if (check_array(r, &f[i], v, &vals[i]) == -1)
				goto fail;
			break;
		case F_JSON:
			vals[i].text = xstrdup(json_object_to_json_string_ext(
			    v, JSON_C_TO_STRING_PLAIN));
			if ((long long)strlen(vals[i].text) > f[i].max) {
				http_error(r, 422, "invalid_field", "'%s' is "
				    "larger than %lld bytes", f[i].name,
				    f[i].max);
				goto fail;
			}
			break;
		}
	}
	return 0;
fail:
	rest_fields_free(vals, n);
	return -1;
}

void
rest_fields_free(struct fval *vals, size_t n)
{
	size_t	 i;

	/* Values may be secrets: wipe before freeing. */
	for (i = 0; i < n; i++) {
		freezero_str(vals[i].text);
		vals[i].text = NULL;
	}
}

json_object *
rest_object(struct req *r)
{
	json_object	*o;

	if ((o = req_json(r)) == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		http_error(r, 422, "invalid_field", "the body must be a JSON "
		    "object");
		return NULL;
	}
	return o;
}

char *
rest_id_array(struct req *r, size_t max)
{
	static const struct field f = { "ids", F_IDS, 1, 0, 0, 0, NULL };
	json_object	*a;
	struct fval	 v;

	if ((a = req_json(r)) == NULL)
		return NULL;
	if (!json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		http_error(r, 422, "invalid_field", "the body must be an "
		    "array of ids");
		return NULL;
	}
	if (json_object_array_length(a) > max) {
		json_object_put(a);
		http_error(r, 422, "invalid_field", "at most %zu ids", max);
		return NULL;
	}
	memset(&v, 0, sizeof(v));
	if (check_array(r, &f, a, &v) == -1) {
		json_object_put(a);
		return NULL;
	}
	json_object_put(a);
	return v.text;
}

const char *
rest_id(struct req *r, size_t i, const char *what)
{
	const char	*id = req_arg(r, i);

	if (id == NULL || !nanoid_valid(id)) {
		http_error(r, 404, "not_found", "no such %s", what);
		return NULL;
	}
	return id;
}

int
rest_paging(struct req *r, long long def, char *limit, char *offset)
{
	long long	 l, o;

	if (req_query_int(r, "limit", 1, 1000, def, &l) == -1 ||
	    req_query_int(r, "offset", 0, 1000000000, 0, &o) == -1)
		return -1;
	(void)snprintf(limit, 24, "%lld", l);
	(void)snprintf(offset, 24, "%lld", o);
	return 0;
}

void
rest_db_error(struct req *r, enum dbres res, const char *what)
{
	switch (res) {
	case DB_CONFLICT:
		http_error(r, 409, "conflict", "a %s with this name, slug or "
		    "key already exists", what);
		break;
	case DB_INVALID:
		http_error(r, 422, "invalid_field", "the %s was refused by a "
		    "constraint (a linked id may not exist)", what);
		break;
	case DB_NOTFOUND:
		http_error(r, 404, "not_found", "no such %s", what);
		break;
	case DB_OK:
		http_error(r, 500, "internal", "unexpected success");
		break;
	default:
		http_header(r, "Retry-After", "5");
		http_error(r, 503, "unavailable", "the database is "
		    "unavailable; try again later");
		break;
	}
}

void
rest_send(struct req *r, PGresult *pr)
{
	json_object	*a;

	if ((a = db_rows_json(pr)) == NULL)
		http_error(r, 500, "internal", "out of memory");
	else {
		http_json(r, 200, a);
		json_object_put(a);
	}
}

void
rest_rows(struct req *r, const char *sql, int n, const char *const *p)
{
	PGresult	*pr;
	enum dbres	 res;

	pr = db_query(r->db, sql, n, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "resource");
	else
		rest_send(r, pr);
	PQclear(pr);
}

void
rest_row(struct req *r, const char *sql, int n, const char *const *p,
    const char *what)
{
	PGresult	*pr;
	json_object	*o;
	enum dbres	 res;

	pr = db_query(r->db, sql, n, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, what);
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such %s", what);
	else if ((o = db_row_json(pr, 0)) == NULL)
		http_error(r, 500, "internal", "out of memory");
	else {
		http_json(r, 200, o);
		json_object_put(o);
	}
	PQclear(pr);
}

void
rest_created(struct req *r, int status, PGresult *pr)
{
	json_object	*o;

	if (PQntuples(pr) == 0 || (o = db_row_json(pr, 0)) == NULL) {
		http_error(r, 500, "internal", "no row returned");
		return;
	}
	http_json(r, status, o);
	json_object_put(o);
}

PGresult *
rest_write1(struct req *r, const char *sql, int n, const char *const *p,
    enum dbres *res)
{
	PGresult	*pr;

	if ((*res = db_begin(r->db)) != DB_OK)
		return NULL;
	pr = db_exec(r->db, sql, n, p, res);
	if (*res == DB_OK && PQntuples(pr) == 0)
		*res = DB_NOTFOUND;
	if (*res != DB_OK) {
		db_rollback(r->db);
		return pr;
	}
	if ((*res = db_commit(r->db)) != DB_OK)
		db_rollback(r->db);
	return pr;
}

void
rest_text(struct req *r, const char *sql, int n, const char *const *p,
    const char *what)
{
	PGresult	*pr;
	enum dbres	 res;

	pr = db_query(r->db, sql, n, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, what);
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no %s has this slug", what);
	else
		http_text(r, 200, "text/plain; charset=utf-8",
		    PQgetvalue(pr, 0, 0));
	PQclear(pr);
}

void
rest_write_error(struct req *r, enum dbres res, const char *what,
    const char *msg)
{
	if (res == DB_CONFLICT)
		http_error(r, 409, "conflict", "%s", msg);
	else
		rest_db_error(r, res, what);
}
