/*
 * lib/auth.h -- who is calling.  route_dispatch() calls auth_request()
 * for every route not marked ROUTE_PUBLIC, then checks the route's
 * role with user_has_role().
 *
 * API tokens are "Authorization: Token <id>_<secret>": the id is the
 * api_tokens row, the secret (32 random alphanumerics, about 190 bits)
 * is stored only as "sha256$<hex>".  A slow password hash buys nothing
 * for a secret that long and would cost every request tens of
 * milliseconds; passwords, which humans choose, use argon2id.
 */
#ifndef IOCAGG_AUTH_H
#define IOCAGG_AUTH_H

#include <stddef.h>

struct req;
struct db;

/*
 * Roles.  A user holds any set of them; "admin" implies every other.
 * Routes name the one they need in their route table; see iocagg(7).
 */
#define ROLE_ADMIN		"admin"		/* everything */
#define ROLE_REQUEST_CREATE	"request_create" /* run lookups */
#define ROLE_REQUEST_VIEW	"request_view"	/* read lookup history */
#define ROLE_SOURCES_VIEW	"sources_view"	/* read sources, providers,
						 * ignore lists */
#define ROLE_SOURCES_EDIT	"sources_edit"	/* change them */
#define ROLE_SECRETS_VIEW	"secrets_view"	/* read secret values */
#define ROLE_SECRETS_EDIT	"secrets_edit"	/* create/change secrets */
#define ROLE_USERS_VIEW		"users_view"	/* read users and logs */
#define ROLE_USERS_EDIT		"users_edit"	/* enable users, set roles */
#define ROLE_CONFIG_EDIT	"config_edit"	/* change server config */

/* Every role, for validation of role lists. */
extern const char *const auth_roles[];
extern const size_t auth_nroles;
#define TOKEN_SECRET_LEN	32
#define TOKEN_HASH_LEN		(7 + 64)	/* "sha256$" + hex */
#define PASSWORD_MIN		8
#define PASSWORD_MAX		1024

enum auth_res {
	AUTH_OK,		/* r->user is set */
	AUTH_DENIED,		/* 401 */
	AUTH_UNAVAILABLE,	/* the database is down: 503 */
};

struct user {
	char	*id;
	char	*email;
	char	*name;
	char	**roles;
	size_t	 nroles;
	int	 enabled;
};

enum auth_res	 auth_request(struct req *);
/* Load an enabled user by id (for JWT "sub"); NULL if none. */
struct user	*auth_user_by_id(struct db *, const char *id,
		    enum auth_res *);
int		 user_has_role(const struct user *, const char *);
void		 user_free(struct user *);

/* "sha256$<hex>" of a token secret into "out" (TOKEN_HASH_LEN + 1). */
void		 token_hash(const char *secret, char *out);
/* Constant-time check of a secret against a stored hash; 1 on match. */
int		 token_verify(const char *stored, const char *secret);
/* Split "<id>_<secret>"; returns -1 on a malformed credential. */
int		 token_split(const char *cred, char *id, size_t idsz,
		    const char **secret);

/* argon2id PHC string into "out" (crypto_pwhash_STRBYTES); 0 or -1. */
int		 password_hash(const char *pw, char *out, size_t outsz);
/* An argon2id hash of a random password, made once per process: what
 * an unknown address is verified against, so that it costs as long. */
const char	*password_dummy_hash(void);
/* 1 when "pw" matches the stored PHC string, 0 otherwise. */
int		 password_verify(const char *stored, const char *pw);

#endif
