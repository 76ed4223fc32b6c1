/*
 * lib/auth.c -- see auth.h.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "nanoid.h"
#include "xmalloc.h"

const char *const auth_roles[] = {
	ROLE_ADMIN, ROLE_REQUEST_CREATE, ROLE_REQUEST_VIEW,
	ROLE_SOURCES_VIEW, ROLE_SOURCES_EDIT, ROLE_SECRETS_VIEW,
	ROLE_SECRETS_EDIT, ROLE_USERS_VIEW, ROLE_USERS_EDIT, ROLE_CONFIG_EDIT,
};
const size_t auth_nroles = sizeof(auth_roles) / sizeof(auth_roles[0]);

/* Every statement this module runs. */
enum stmt {
	STMT_TOKEN_GET,
	STMT_TOKEN_USED,
	STMT_TOKEN_USED_LOG,
	STMT_USER_BY_ID,
	STMT_USER_BY_EMAIL,
	STMT_LOG,
	STMT_BASIC_FAILS,
	STMT_BASIC_FAILED,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_TOKEN_GET */
	"SELECT t.token, (t.expires_at IS NOT NULL AND t.expires_at <= "
	"(now() AT TIME ZONE 'utc')) AS expired, u.id, u.email, u.name, "
	"u.enabled, array_to_json(u.roles) AS roles "
	"FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
	/* STMT_TOKEN_USED */
	"UPDATE api_tokens SET last_used_at = (now() AT TIME ZONE 'utc') "
	"WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < "
	"(now() AT TIME ZONE 'utc') - interval '1 minute')",
	/* STMT_TOKEN_USED_LOG: one round trip for both writes. */
	/* last_used_at moves once a minute at most: a write per request
	 * would cost more than the audit row itself. */
	"WITH t AS (UPDATE api_tokens SET last_used_at = "
	"(now() AT TIME ZONE 'utc') WHERE id = $1 AND (last_used_at IS NULL "
	"OR last_used_at < (now() AT TIME ZONE 'utc') - interval '1 minute')) "
	"INSERT INTO user_logs (user_id, ip_address, user_agent, uri, "
	"method, trace_id) VALUES ($2, $3, $4, $5, $6, $7)",
	/* STMT_USER_BY_ID */
	"SELECT id, email, name, enabled, array_to_json(roles) AS roles "
	"FROM users WHERE id = $1",
	/* STMT_USER_BY_EMAIL: local accounts only (Basic). */
	"SELECT id, email, name, enabled, array_to_json(roles) AS roles, "
	"password FROM users WHERE lower(email) = lower($1) AND "
	"provider = 'local' AND password IS NOT NULL",
	/* STMT_LOG */
	"INSERT INTO user_logs (user_id, ip_address, user_agent, uri, "
	"method, trace_id) VALUES ($1, $2, $3, $4, $5, $6)",
	/* STMT_BASIC_FAILS: the login throttle of iocagg-auth(8), shared. */
	"SELECT (SELECT count(*) FROM login_attempts WHERE NOT success AND "
	"lower(email) = lower($1) AND created_at > (now() AT TIME ZONE "
	"'utc') - interval '15 minutes') >= 5 OR (SELECT count(*) FROM "
	"login_attempts WHERE NOT success AND ip_address = $2 AND "
	"created_at > (now() AT TIME ZONE 'utc') - interval '15 minutes') "
	">= 20",
	/* STMT_BASIC_FAILED */
	"INSERT INTO login_attempts (email, ip_address, success) "
	"VALUES ($1, $2, false)",
};

void
user_free(struct user *u)
{
	size_t	 i;

	if (u == NULL)
		return;
	free(u->id);
	free(u->email);
	free(u->name);
	for (i = 0; i < u->nroles; i++)
		free(u->roles[i]);
	free(u->roles);
	free(u);
}

int
user_has_role(const struct user *u, const char *role)
{
	size_t	 i;

	if (u == NULL)
		return 0;
	for (i = 0; i < u->nroles; i++)
		if (strcmp(u->roles[i], ROLE_ADMIN) == 0 ||
		    strcmp(u->roles[i], role) == 0)
			return 1;
	return 0;
}

void
token_hash(const char *secret, char *out)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	memcpy(out, "sha256$", 7);
	(void)sodium_bin2hex(out + 7, 65, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

int
token_verify(const char *stored, const char *secret)
{
	char	 h[TOKEN_HASH_LEN + 1];
	int	 ok;

	if (stored == NULL || strlen(stored) != TOKEN_HASH_LEN)
		return 0;
	token_hash(secret, h);
	ok = sodium_memcmp(h, stored, TOKEN_HASH_LEN) == 0;
	sodium_memzero(h, sizeof(h));
	return ok;
}

int
token_split(const char *cred, char *id, size_t idsz, const char **secret)
{
	const char	*us;
	size_t		 n;

	if ((us = strchr(cred, '_')) == NULL)
		return -1;
	n = (size_t)(us - cred);
	if (n == 0 || n >= idsz)
		return -1;
	memcpy(id, cred, n);
	id[n] = '\0';
	if (!nanoid_valid(id))
		return -1;
	*secret = us + 1;
	if (strlen(*secret) != TOKEN_SECRET_LEN)
		return -1;
	return 0;
}

int
password_hash(const char *pw, char *out, size_t outsz)
{
	if (outsz < crypto_pwhash_STRBYTES || sodium_init() < 0)
		return -1;
	/* The reference's argon2id cost: 19 MiB, 2 passes. */
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), 2, 19 * 1024 * 1024,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

int
password_verify(const char *stored, const char *pw)
{
	if (stored == NULL || pw == NULL || sodium_init() < 0)
		return 0;
	return crypto_pwhash_str_verify(stored, pw, strlen(pw)) == 0;
}

/*
 * Build the user from a row of STMT_TOKEN_GET.
 */
static struct user *
user_from_row(PGresult *pr)
{
	struct user	*u;
	json_object	*roles, *e;
	const char	*err, *s;
	size_t		 i, n;

	u = xcalloc(1, sizeof(*u));
	u->id = xstrdup(db_val(pr, 0, "id"));
	u->email = xstrdup((s = db_val(pr, 0, "email")) ? s : "");
	u->name = xstrdup((s = db_val(pr, 0, "name")) ? s : "");
	u->enabled = (s = db_val(pr, 0, "enabled")) != NULL && *s == 't';
	s = db_val(pr, 0, "roles");
	if (s != NULL && (roles = json_parse_capped(s, strlen(s), 4,
	    &err)) != NULL) {
		if (json_object_is_type(roles, json_type_array)) {
			n = json_object_array_length(roles);
			u->roles = xcalloc(n, sizeof(char *));
			for (i = 0; i < n; i++) {
				e = json_object_array_get_idx(roles, i);
				if (json_object_is_type(e, json_type_string))
					u->roles[u->nroles++] = xstrdup(
					    json_object_get_string(e));
			}
		}
		json_object_put(roles);
	}
	return u;
}

/*
 * Write the audit row (and mark the token used) in one statement.
 * A failure here is logged, not fatal: the request still runs.
 */
static void
auth_audit(struct req *r, const char *tokid)
{
	const char	*p[7], *addr, *port, *uri;
	char		 ip[128];

	if (!conf_bool("user_logs")) {
		if (tokid != NULL) {
			p[0] = tokid;
			(void)db_cmd(r->db, stmts[STMT_TOKEN_USED], 1, p);
		}
		return;
	}
	addr = req_env(r, "REMOTE_ADDR");
	port = req_env(r, "REMOTE_PORT");
	if (addr != NULL && port != NULL)
		(void)snprintf(ip, sizeof(ip), "%s:%s", addr, port);
	else
		(void)strlcpy(ip, addr != NULL ? addr : "-", sizeof(ip));
	uri = req_env(r, "REQUEST_URI");
	if (uri == NULL)
		uri = r->path;
	if (strncmp(uri, "/api/v1", 7) == 0)
		uri += 7;
	p[0] = tokid;
	p[1] = r->user->id;
	p[2] = ip;
	p[3] = req_env(r, "HTTP_USER_AGENT");
	if (p[3] == NULL)
		p[3] = "";
	p[4] = uri;
	p[5] = r->method_name;
	p[6] = r->id;
	if (tokid != NULL)
		(void)db_cmd(r->db, stmts[STMT_TOKEN_USED_LOG], 7, p);
	else
		(void)db_cmd(r->db, stmts[STMT_LOG], 6, p + 1);
}

static enum auth_res
auth_token(struct req *r, const char *cred)
{
	char		 id[NANOID_LEN + 1];
	const char	*secret, *p[1], *exp;
	PGresult	*pr;
	enum dbres	 res;
	enum auth_res	 rc = AUTH_DENIED;

	if (token_split(cred, id, sizeof(id), &secret) == -1)
		return AUTH_DENIED;
	p[0] = id;
	pr = db_query(r->db, stmts[STMT_TOKEN_GET], 1, p, &res);
	if (res == DB_UNAVAILABLE) {
		rc = AUTH_UNAVAILABLE;
		goto out;
	}
	if (res != DB_OK) {
		rc = AUTH_UNAVAILABLE;
		goto out;
	}
	if (PQntuples(pr) != 1 ||
	    !token_verify(db_val(pr, 0, "token"), secret))
		goto out;
	exp = db_val(pr, 0, "expired");
	if (exp != NULL && *exp == 't') {
		log_info("expired API token %s refused", id);
		goto out;
	}
	r->user = user_from_row(pr);
	if (!r->user->enabled) {
		log_info("disabled user %s refused", r->user->id);
		user_free(r->user);
		r->user = NULL;
		goto out;
	}
	auth_audit(r, id);
	rc = AUTH_OK;
out:
	PQclear(pr);
	return rc;
}

struct user *
auth_user_by_id(struct db *db, const char *id, enum auth_res *rc)
{
	const char	*p[1] = { id };
	PGresult	*pr;
	enum dbres	 res;
	struct user	*u = NULL;

	*rc = AUTH_DENIED;
	if (id == NULL || !nanoid_valid(id))
		return NULL;
	pr = db_query(db, stmts[STMT_USER_BY_ID], 1, p, &res);
	if (res != DB_OK)
		*rc = AUTH_UNAVAILABLE;
	else if (PQntuples(pr) == 1) {
		u = user_from_row(pr);
		if (!u->enabled) {
			user_free(u);
			u = NULL;
		} else
			*rc = AUTH_OK;
	}
	PQclear(pr);
	return u;
}

/* "Bearer <JWT>": a browser session; the user comes from the database. */
static enum auth_res
auth_bearer(struct req *r, const char *tok)
{
	const unsigned char	*key;
	const char		*why;
	json_object		*c;
	size_t			 klen;
	enum auth_res		 rc;

	if ((key = jwt_key(&klen)) == NULL)
		return AUTH_DENIED;
	if ((c = jwt_verify(tok, key, klen, conf_str("jwt_issuer"),
	    &why)) == NULL) {
		log_debug("session token refused: %s", why);
		return AUTH_DENIED;
	}
	r->user = auth_user_by_id(r->db, jget_str(c, "sub"), &rc);
	json_object_put(c);
	if (rc == AUTH_OK)
		auth_audit(r, NULL);
	return rc;
}

static char	dummy_buf[crypto_pwhash_STRBYTES];

static void
dummy_init(void)
{
	char	 pw[33];

	random_alnum(pw, 32);
	if (password_hash(pw, dummy_buf, sizeof(dummy_buf)) == -1)
		dummy_buf[0] = '\0';
	sodium_memzero(pw, sizeof(pw));
}

/*
 * A valid argon2id hash of a random password, made once per process:
 * what an unknown address is verified against.
 */
const char *
password_dummy_hash(void)
{
	static pthread_once_t	 once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, dummy_init);
	return dummy_buf[0] != '\0' ? dummy_buf : NULL;
}

/* "Basic base64(email:password)", as the reference: local accounts. */
static enum auth_res
auth_basic(struct req *r, const char *b64)
{
	unsigned char	 buf[1100];
	char		*colon;
	const char	*p[1], *bp[2], *ip;
	size_t		 n;
	PGresult	*pr;
	enum dbres	 res;
	enum auth_res	 rc = AUTH_DENIED;
	int		 limited, ok;

	if (strlen(b64) > 1400 || sodium_base642bin(buf, sizeof(buf) - 1,
	    b64, strlen(b64), NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return AUTH_DENIED;
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL ||
	    (colon = strchr((char *)buf, ':')) == NULL)
		goto out;
	*colon = '\0';
	/* The same throttle as password logins: no unlimited guessing. */
	ip = req_env(r, "REMOTE_ADDR");
	bp[0] = (char *)buf;
	bp[1] = ip != NULL ? ip : "-";
	pr = db_query(r->db, stmts[STMT_BASIC_FAILS], 2, bp, &res);
	if (res != DB_OK) {
		PQclear(pr);
		rc = AUTH_UNAVAILABLE;
		goto out;
	}
	limited = PQntuples(pr) == 1 && *PQgetvalue(pr, 0, 0) == 't';
	PQclear(pr);
	if (limited) {
		log_info("basic authentication throttled");
		goto out;
	}
	p[0] = (char *)buf;
	pr = db_query(r->db, stmts[STMT_USER_BY_EMAIL], 1, p, &res);
	if (res != DB_OK)
		rc = AUTH_UNAVAILABLE;
	else {
		/* An unknown address costs a hash too: no timing oracle. */
		ok = password_verify(PQntuples(pr) == 1 ?
		    db_val(pr, 0, "password") : password_dummy_hash(), colon + 1) &&
		    PQntuples(pr) == 1;
		if (ok) {
			r->user = user_from_row(pr);
			if (r->user->enabled) {
				auth_audit(r, NULL);
				rc = AUTH_OK;
			} else {
				user_free(r->user);
				r->user = NULL;
			}
		} else
			(void)db_cmd(r->db, stmts[STMT_BASIC_FAILED], 2, bp);
	}
	PQclear(pr);
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

enum auth_res
auth_request(struct req *r)
{
	const char	*h, *cred;
	size_t		 n;

	if ((h = req_env(r, "HTTP_AUTHORIZATION")) == NULL)
		return AUTH_DENIED;
	n = strcspn(h, " ");
	if (h[n] != ' ')
		return AUTH_DENIED;
	cred = h + n + strspn(h + n, " ");
	if (n == 5 && strncasecmp(h, "Token", 5) == 0)
		return auth_token(r, cred);
	if (n == 6 && strncasecmp(h, "Bearer", 6) == 0)
		return auth_bearer(r, cred);
	if (n == 5 && strncasecmp(h, "Basic", 5) == 0)
		return auth_basic(r, cred);
	return AUTH_DENIED;
}
