/*
 * fcgi/apitokens.c -- iocagg-apitokens: the /api/v1/apiTokens route
 * group, the caller's own API tokens.  See iocagg-apitokens(8) for the
 * routes, methods and roles.
 *
 * A token is "<id>_<secret>": the id is the api_tokens row, the secret
 * 32 random alphanumerics shown once (at creation or regeneration) and
 * stored only as token_hash().  Every route is scoped to the caller: a
 * token of another user is 404, as if it did not exist.  Expired tokens
 * and disabled users are refused by lib/auth.c.
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

#define NOTE_MAX_LEN	200	/* api_tokens_note_check */

static void	tokens_list(struct req *);
static void	tokens_create(struct req *);
static void	tokens_update(struct req *);
static void	tokens_delete(struct req *);
static void	tokens_regenerate(struct req *);

/* Any authenticated user manages their own tokens: role NULL. */
static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/apiTokens", tokens_list, NULL, 0 },
	{ METHOD_POST, "/api/v1/apiTokens", tokens_create, NULL, 0 },
	{ METHOD_PATCH, "/api/v1/apiTokens/:id", tokens_update, NULL, 0 },
	{ METHOD_DELETE, "/api/v1/apiTokens/:id", tokens_delete, NULL, 0 },
	{ METHOD_POST, "/api/v1/apiTokens/:id/regenerate", tokens_regenerate,
	    NULL, 0 },
};

/* Every statement this program runs. */
enum stmt {
	STMT_LIST,
	STMT_CREATE,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_REGENERATE,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST: the caller's, newest first; never the hash. */
	"SELECT id, created_at, updated_at, note, expires_at, last_used_at "
	"FROM api_tokens WHERE user_id = $1 "
	"ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
	/* STMT_CREATE: a repeated note is a unique violation (409). */
	"INSERT INTO api_tokens (id, note, token, expires_at, user_id) "
	"VALUES ($1, $2, $3, $4::timestamp, $5) RETURNING id",
	/* STMT_UPDATE: absent keeps, null clears expires_at ($4). */
	"UPDATE api_tokens SET note = COALESCE($3, note), "
	"expires_at = CASE WHEN $4::bool THEN $5::timestamp "
	"ELSE expires_at END WHERE id = $1 AND user_id = $2 RETURNING id",
	/* STMT_DELETE */
	"DELETE FROM api_tokens WHERE id = $1 AND user_id = $2 RETURNING id",
	/* STMT_REGENERATE */
	"UPDATE api_tokens SET token = $3 WHERE id = $1 AND user_id = $2 "
	"RETURNING id",
};

/* The body of POST and PATCH. */
enum { F_NOTE, F_EXPIRES, F__MAX };

static const struct field fields[F__MAX] = {
	{ "note", F_STR, 1, 0, 1, NOTE_MAX_LEN, NULL },
	{ "expiresAt", F_TIME, 0, 1, 0, 0, NULL },
};

/*
 * The body as validated fields; 0, or -1 with the error answered and
 * nothing left to free.
 */
static int
read_body(struct req *r, struct fval *v, int partial)
{
	json_object	*o;
	const char	*s;

	if ((o = rest_object(r)) == NULL)
		return -1;
	if (rest_fields(r, o, fields, F__MAX, v, partial) == -1) {
		json_object_put(o);
		return -1;
	}
	json_object_put(o);
	/* api_tokens_note_check: btrim(note) <> ''. */
	if ((s = v[F_NOTE].text) != NULL && s[strspn(s, " ")] == '\0') {
		http_error(r, 422, "invalid_field", "'note' must not be "
		    "blank");
		rest_fields_free(v, F__MAX);
		return -1;
	}
	return 0;
}

/*
 * GET /api/v1/apiTokens[?limit=N&offset=M] -- the caller's tokens,
 * newest first, without secrets.  Any authenticated user.  200; 400
 * bad paging; 503.
 */
static void
tokens_list(struct req *r)
{
	char		 lb[24], ob[24];
	const char	*p[3];

	if (rest_paging(r, 1000, lb, ob) == -1)
		return;
	p[0] = r->user->id;
	p[1] = lb;
	p[2] = ob;
	rest_rows(r, stmts[STMT_LIST], 3, p);
}

/*
 * POST /api/v1/apiTokens {note, expiresAt?} -- a new token of the
 * caller.  Any authenticated user.  201 {id, token}: the credential is
 * "<id>_<token>", shown this once.  409 repeated note; 422; 503.
 */
static void
tokens_create(struct req *r)
{
	struct fval	 v[F__MAX];
	json_object	*o;
	PGresult	*pr;
	enum dbres	 res;
	char		 id[NANOID_LEN + 1], secret[TOKEN_SECRET_LEN + 1];
	char		 hash[TOKEN_HASH_LEN + 1];
	const char	*p[5];

	if (read_body(r, v, 0) == -1)
		return;
	nanoid(id);
	random_alnum(secret, TOKEN_SECRET_LEN);
	token_hash(secret, hash);
	p[0] = id;
	p[1] = v[F_NOTE].text;
	p[2] = hash;
	p[3] = v[F_EXPIRES].text;
	p[4] = r->user->id;
	pr = rest_write1(r, stmts[STMT_CREATE], 5, p, &res);
	if (res != DB_OK)
		rest_write_error(r, res, "token",
		    "you already have a token with this note");
	else {
		o = json_object_new_object();
		if (jadd(o, "id", json_object_new_string(id)) == -1 ||
		    jadd(o, "token", json_object_new_string(secret)) == -1)
			http_error(r, 500, "internal", "out of memory");
		else
			http_json(r, 201, o);
		json_object_put(o);
	}
	PQclear(pr);
	explicit_bzero(secret, sizeof(secret));
	rest_fields_free(v, F__MAX);
}

/*
 * PATCH /api/v1/apiTokens/:id {note?, expiresAt?} -- absent keeps,
 * null clears the expiry.  Any authenticated user, own tokens only.
 * 204; 404; 409 repeated note; 422; 503.
 */
static void
tokens_update(struct req *r)
{
	struct fval	 v[F__MAX];
	PGresult	*pr;
	enum dbres	 res;
	const char	*id, *p[5];

	if ((id = rest_id(r, 0, "token")) == NULL)
		return;
	if (read_body(r, v, 1) == -1)
		return;
	p[0] = id;
	p[1] = r->user->id;
	p[2] = v[F_NOTE].text;
	p[3] = v[F_EXPIRES].present ? "true" : "false";
	p[4] = v[F_EXPIRES].text;
	pr = rest_write1(r, stmts[STMT_UPDATE], 5, p, &res);
	if (res == DB_OK)
		http_empty(r, 204);
	else
		rest_write_error(r, res, "token",
		    "you already have a token with this note");
	PQclear(pr);
	rest_fields_free(v, F__MAX);
}

/*
 * DELETE /api/v1/apiTokens/:id -- the credential stops working at
 * once.  Any authenticated user, own tokens only.  204; 404; 503.
 */
static void
tokens_delete(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*id, *p[2];

	if ((id = rest_id(r, 0, "token")) == NULL)
		return;
	p[0] = id;
	p[1] = r->user->id;
	pr = rest_write1(r, stmts[STMT_DELETE], 2, p, &res);
	if (res == DB_OK)
		http_empty(r, 204);
	else
		rest_db_error(r, res, "token");
	PQclear(pr);
}

/*
 * POST /api/v1/apiTokens/:id/regenerate -- a new secret for the token;
 * the old one stops working.  Any authenticated user, own tokens only.
 * 200 text/plain, the new secret; 404; 503.
 */
static void
tokens_regenerate(struct req *r)
{
	PGresult	*pr;
	enum dbres	 res;
	char		 secret[TOKEN_SECRET_LEN + 1];
	char		 hash[TOKEN_HASH_LEN + 1];
	const char	*id, *p[3];

	if ((id = rest_id(r, 0, "token")) == NULL)
		return;
	random_alnum(secret, TOKEN_SECRET_LEN);
	token_hash(secret, hash);
	p[0] = id;
	p[1] = r->user->id;
	p[2] = hash;
	pr = rest_write1(r, stmts[STMT_REGENERATE], 3, p, &res);
	if (res == DB_OK)
		http_text(r, 200, "text/plain; charset=utf-8", secret);
	else
		rest_db_error(r, res, "token");
	PQclear(pr);
	explicit_bzero(secret, sizeof(secret));
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-apitokens", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
