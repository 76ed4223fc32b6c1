/*
 * lib/jwt.h -- HS256 JSON Web Tokens for browser sessions.
 *
 * Hand-written on OpenSSL's HMAC and libsodium's base64: Debian's
 * libjwt 1.10 checks neither exp/nbf nor the algorithm for us, and the
 * job is small enough to do exactly.  Only "alg": "HS256" is accepted
 * (never "none", never RS256 with the secret as a public key).
 */
#ifndef IOCAGG_JWT_H
#define IOCAGG_JWT_H

#include <stddef.h>

#include <json-c/json.h>

/* Sign "claims" (borrowed) into a compact JWT (xmalloc'd). */
char		*jwt_sign(json_object *claims, const unsigned char *key,
		    size_t keylen);
/*
 * Verify "token": header alg HS256, signature, exp (required), nbf, and
 * iss equal to "issuer" when given.  Returns the claims (caller puts)
 * or NULL with "*why" set.
 */
json_object	*jwt_verify(const char *token, const unsigned char *key,
		    size_t keylen, const char *issuer, const char **why);
/* The session key from jwt_secret_file (loaded once); NULL if none. */
const unsigned char *jwt_key(size_t *len);

#endif
