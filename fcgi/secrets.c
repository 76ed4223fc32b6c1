/*
 * fcgi/secrets.c -- iocagg-secrets: the /api/v1/secrets route group,
 * global secrets (API keys) that sources read through their slots.
 * See iocagg-secrets(8) for the routes, methods and roles.
 *
 * A value arrives once, in a POST or PATCH body, is encrypted here with
 * the key of secret_key_file (lib/secret.h) and only the ciphertext
 * reaches the database.  It leaves again only through
 * GET /api/v1/secrets/:id/value (role secrets_view), never in a list,
 * an error message or a log line; the copies this program held are
 * wiped once the request is answered.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "rest.h"
#include "secret.h"
#include "xmalloc.h"

#define NAME_MAX_LEN	100	/* secrets_name_check */
#define VALUE_MAX_LEN	16384	/* bytes of plaintext */
#define DESC_MAX_LEN	5000	/* secrets_description_check */

static void	secrets_list(struct req *);
static void	secrets_create(struct req *);
static void	secrets_update(struct req *);
static void	secrets_delete(struct req *);
static void	secrets_value(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/secrets", secrets_list, ROLE_SECRETS_VIEW,
	    0 },
	{ METHOD_POST, "/api/v1/secrets", secrets_create, ROLE_SECRETS_EDIT,
	    0 },
	{ METHOD_PATCH, "/api/v1/secrets/:id", secrets_update,
	    ROLE_SECRETS_EDIT, 0 },
	{ METHOD_DELETE, "/api/v1/secrets/:id", secrets_delete,
	    ROLE_SECRETS_EDIT, 0 },
	{ METHOD_GET, "/api/v1/secrets/:id/value", secrets_value,
	    ROLE_SECRETS_VIEW, 0 },
};

/* Every statement this program runs. */
enum stmt {
	STMT_LIST,
	STMT_CREATE,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_VALUE,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST: metadata only, never the value. */
	"SELECT s.id, s.created_at, s.updated_at, s.name, s.description, "
	"s.expires_at, s.created_user_id, s.updated_user_id, "
	"(SELECT count(*) FROM source_secrets ss WHERE ss.secret_id = s.id) "
	"AS num_sources FROM secrets s ORDER BY s.name, s.id "
	"LIMIT $1 OFFSET $2",
	/* STMT_CREATE: $2 is the ciphertext as "\x<hex>". */
	"INSERT INTO secrets (name, value, description, expires_at, "
	"created_user_id) VALUES ($1, $2::bytea, $3, $4::timestamp, $5) "
	"RETURNING id",
	/* STMT_UPDATE: absent keeps, null clears ($4, $6 say "present"). */
	"UPDATE secrets SET name = COALESCE($2, name), "
	"value = COALESCE($3::bytea, value), "
	"description = CASE WHEN $4::bool THEN $5 ELSE description END, "
	"expires_at = CASE WHEN $6::bool THEN $7::timestamp "
	"ELSE expires_at END, updated_user_id = $8 WHERE id = $1 "
	"RETURNING id",
	/* STMT_DELETE: linked slots become empty (ON DELETE SET NULL). */
	"DELETE FROM secrets WHERE id = $1 RETURNING id",
	/* STMT_VALUE */
	"SELECT value FROM secrets WHERE id = $1",
};

/* The body of POST and PATCH. */
enum { F_NAME, F_VALUE, F_DESC, F_EXPIRES, F__MAX };

static const struct field fields[F__MAX] = {
	{ "name", F_STR, 1, 0, 1, NAME_MAX_LEN, NULL },
	{ "value", F_STR, 1, 0, 1, VALUE_MAX_LEN, NULL },
	{ "description", F_STR, 0, 1, 0, DESC_MAX_LEN, NULL },
	{ "expiresAt", F_TIME, 0, 1, 0, 0, NULL },
};

/* Wipe a string this program no longer needs (the value, the body). */
static void
wipe(char *s, size_t len)
{
	if (s != NULL)
		explicit_bzero(s, len);
}

/* Release the body and every copy of the value. */
static void
body_done(struct req *r, json_object *o, struct fval *v)
{
	json_object	*j;

	if (v[F_VALUE].text != NULL)
		wipe(v[F_VALUE].text, strlen(v[F_VALUE].text));
	rest_fields_free(v, F__MAX);
	if (o != NULL && json_object_object_get_ex(o, "value", &j) &&
	    json_object_is_type(j, json_type_string))
		wipe((char *)(uintptr_t)json_object_get_string(j),
		    (size_t)json_object_get_string_len(j));
	json_object_put(o);
	wipe(r->body, r->bodysz);
}

/*
 * Validate the body; on success "*bodyp" holds it, to be released with
 * body_done().  PATCH ("partial") requires nothing.  On failure the
 * error is answered and nothing is left to release.
 */
static int
read_body(struct req *r, json_object **bodyp, struct fval *v, int partial)
{
	json_object	*o;
	const char	*s;

	*bodyp = NULL;
	memset(v, 0, F__MAX * sizeof(*v));
	if ((o = rest_object(r)) == NULL) {
		wipe(r->body, r->bodysz);
		return -1;
	}
	if (rest_fields(r, o, fields, F__MAX, v, partial) == -1) {
		body_done(r, o, v);
		return -1;
	}
	/* secrets_name_check: btrim(name) <> ''. */
	if ((s = v[F_NAME].text) != NULL && s[strspn(s, " ")] == '\0') {
		http_error(r, 422, "invalid_field", "'name' must not be "
		    "blank");
		body_done(r, o, v);
		return -1;
	}
	*bodyp = o;
	return 0;
}

/* The key, loaded once per process; 503 (answered) when it cannot be. */
static int
need_key(struct req *r)
{
	char	 err[512];

	if (secret_key_load(err, sizeof(err)) == 0)
		return 0;
	log_warnx("secret key unavailable: %s", err);
	http_error(r, 503, "unavailable", "the secret key is not "
	    "available (secret_key_file); secrets cannot be stored or read");
	return -1;
}

/* The ciphertext of the value, or NULL (503 answered). */
static char *
encrypt_value(struct req *r, const char *plain)
{
	char	*enc;

	if (need_key(r) == -1)
		return NULL;
	if ((enc = secret_encrypt_hex(plain)) == NULL)
		http_error(r, 503, "unavailable", "the secret key is not "
		    "available");
	return enc;
}

/*
 * GET /api/v1/secrets[?limit=N&offset=M] -- every secret's metadata,
 * by name, with numSources, the number of slots linked to it; never a
 * value.  Role secrets_view.  200; 400 bad paging; 503.
 */
static void
secrets_list(struct req *r)
{
	char		 lb[24], ob[24];
	const char	*p[2] = { lb, ob };

	if (rest_paging(r, 1000, lb, ob) == -1)
		return;
	rest_rows(r, stmts[STMT_LIST], 2, p);
}

/*
 * POST /api/v1/secrets {name, value, description?, expiresAt?} --
 * store a new secret, its value encrypted.  Role secrets_edit.
 * 201 {id}; 409 duplicate name; 422 bad field; 503 no key or database.
 */
static void
secrets_create(struct req *r)
{
	struct fval	 v[F__MAX];
	json_object	*o;
	PGresult	*pr;
	enum dbres	 res;
	char		*enc;
	const char	*p[5];

	if (read_body(r, &o, v, 0) == -1)
		return;
	if ((enc = encrypt_value(r, v[F_VALUE].text)) == NULL) {
		body_done(r, o, v);
		return;
	}
	p[0] = v[F_NAME].text;
	p[1] = enc;
	p[2] = v[F_DESC].text;
	p[3] = v[F_EXPIRES].text;
	p[4] = r->user->id;
	pr = rest_write1(r, stmts[STMT_CREATE], 5, p, &res);
	if (res == DB_OK)
		rest_created(r, 201, pr);
	else
		rest_write_error(r, res, "secret",
		    "a secret with this name already exists");
	PQclear(pr);
	free(enc);
	body_done(r, o, v);
}

/*
 * PATCH /api/v1/secrets/:id {name?, value?, description?, expiresAt?}
 * -- absent keeps, null clears description and expiresAt.  Role
 * secrets_edit.  204; 404; 409 duplicate name; 422; 503.
 */
static void
secrets_update(struct req *r)
{
	struct fval	 v[F__MAX];
	json_object	*o;
	PGresult	*pr;
	enum dbres	 res;
	char		*enc = NULL;
	const char	*id, *p[8];

	if ((id = rest_id(r, 0, "secret")) == NULL)
		return;
	if (read_body(r, &o, v, 1) == -1)
		return;
	if (v[F_VALUE].text != NULL &&
	    (enc = encrypt_value(r, v[F_VALUE].text)) == NULL) {
		body_done(r, o, v);
		return;
	}
	p[0] = id;
	p[1] = v[F_NAME].text;
	p[2] = enc;
	p[3] = v[F_DESC].present ? "true" : "false";
	p[4] = v[F_DESC].text;
	p[5] = v[F_EXPIRES].present ? "true" : "false";
	p[6] = v[F_EXPIRES].text;
	p[7] = r->user->id;
	pr = rest_write1(r, stmts[STMT_UPDATE], 8, p, &res);
	if (res == DB_OK)
		http_empty(r, 204);
	else
		rest_write_error(r, res, "secret",
		    "a secret with this name already exists");
	PQclear(pr);
	free(enc);
	body_done(r, o, v);
}

/*
 * DELETE /api/v1/secrets/:id -- the slots linked to it become empty.
 * Role secrets_edit.  204; 404; 503.
 */
static void
secrets_delete(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "secret")) == NULL)
		return;
	p[0] = id;
	pr = rest_write1(r, stmts[STMT_DELETE], 1, p, &res);
	if (res == DB_OK)
		http_empty(r, 204);
	else
		rest_db_error(r, res, "secret");
	PQclear(pr);
}

/*
 * GET /api/v1/secrets/:id/value -- the decrypted value as text/plain,
 * with Cache-Control: no-store like every answer.  Role secrets_view.
 * 200; 404; 503 no key, a value the key cannot open, or database down.
 */
static void
secrets_value(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	char		*plain;
	const char	*id, *p[1];

	if ((id = rest_id(r, 0, "secret")) == NULL)
		return;
	p[0] = id;
	pr = db_query(r->db, stmts[STMT_VALUE], 1, p, &res);
	if (res != DB_OK)
		rest_db_error(r, res, "secret");
	else if (PQntuples(pr) == 0)
		http_error(r, 404, "not_found", "no such secret");
	else if (need_key(r) == 0) {
		plain = secret_decrypt_hex(PQgetvalue(pr, 0, 0));
		if (plain == NULL) {
			log_warnx("secret %s does not decrypt with the "
			    "configured key", id);
			http_error(r, 503, "unavailable", "the secret cannot "
			    "be decrypted with the configured key");
		} else {
			http_text(r, 200, "text/plain; charset=utf-8", plain);
			freezero_str(plain);
		}
	}
	PQclear(pr);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-secrets", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
