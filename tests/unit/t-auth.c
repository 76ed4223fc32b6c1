/*
 * tests/unit/t-auth.c -- lib/auth.c: token hashing and parsing,
 * password hashing, roles.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "tap.h"

int
main(void)
{
	char		 h[TOKEN_HASH_LEN + 1], id[16], ph[crypto_pwhash_STRBYTES];
	const char	*sec;
	char		*roles[2] = { "request_view", "admin" };
	struct user	 u;

	token_hash("abc", h);
	is_str(h, "sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "token_hash is sha256$ of the secret");
	ok(token_verify(h, "abc"), "the right secret verifies");
	ok(!token_verify(h, "abd"), "a wrong secret does not");
	ok(!token_verify("sha256$00", "abc"), "a short stored hash fails");
	ok(!token_verify(NULL, "abc"), "a NULL stored hash fails");

	ok(token_split("abcdefghijkl_0123456789abcdefghijABCDEFGHIJKL", id,
	    sizeof(id), &sec) == 0 && strcmp(id, "abcdefghijkl") == 0 &&
	    strcmp(sec, "0123456789abcdefghijABCDEFGHIJKL") == 0,
	    "a well-formed credential splits into id and secret");
	ok(token_split("abcdefghijkl_0123456789abcdefghijABCDEFGHIJKLM", id,
	    sizeof(id), &sec) == -1, "a 33-character secret is refused");
	ok(token_split("abcdefghijkl_0123456789abcdefghijABCDEFGHIJK", id,
	    sizeof(id), &sec) == -1, "a 31-character secret is refused");
	ok(token_split("abcdefghijklm_0123456789abcdefghijABCDEFGHIJKL", id,
	    sizeof(id), &sec) == -1, "a 13-character id is refused");
	ok(token_split("noseparator", id, sizeof(id), &sec) == -1,
	    "no separator is refused");
	ok(token_split("_0123456789abcdefghijABCDEFGHIJKL", id, sizeof(id),
	    &sec) == -1, "an empty id is refused");
	ok(token_split("ABCDEFGHIJKL_0123456789abcdefghijABCDEFGHIJKL", id,
	    sizeof(id), &sec) == -1, "an id outside the alphabet is refused");

	ok(password_hash("correct horse", ph, sizeof(ph)) == 0 &&
	    strncmp(ph, "$argon2id$", 10) == 0, "passwords hash to argon2id");
	ok(password_verify(ph, "correct horse"), "the password verifies");
	ok(!password_verify(ph, "correct horsE"), "a wrong one does not");
	ok(!password_verify(NULL, "x"), "no stored hash never verifies");
	ok(password_hash("x", ph, 10) == -1, "a short buffer is refused");

	memset(&u, 0, sizeof(u));
	ok(!user_has_role(&u, "request_view"), "no roles, no access");
	u.roles = roles;
	u.nroles = 1;
	ok(user_has_role(&u, "request_view"), "a held role is granted");
	ok(!user_has_role(&u, "request_create"), "another role is not");
	u.nroles = 2;
	ok(user_has_role(&u, "request_create"), "admin implies every role");
	ok(!user_has_role(NULL, "x"), "no user, no role");
	return tap_done();
}
