/*
 * tests/fuzz/fuzz-jwt.c -- libFuzzer target for session tokens: the
 * input is tried as a compact JWT against a fixed key.  Invariants: no
 * crash; only a token whose signature matches can ever verify, and a
 * token we sign ourselves always does.  Build: tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object	*c, *claims;
	const char	*why;
	char		*s, *tok, hex[4097];
	size_t		 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	c = jwt_verify(s, key, sizeof(key) - 1, "iocagg", &why);
	if (c != NULL && why != NULL)
		abort();
	json_object_put(c);

	/* A token we sign always verifies (the input, hex-encoded, as its
	 * subject: claims are UTF-8 JSON). */
	for (i = 0; i < size && i < 2048; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", data[i]);
	hex[2 * i] = '\0';
	claims = json_object_new_object();
	json_object_object_add(claims, "iss", json_object_new_string("iocagg"));
	json_object_object_add(claims, "sub", json_object_new_string(hex));
	json_object_object_add(claims, "exp",
	    json_object_new_int64((int64_t)time(NULL) + 60));
	tok = jwt_sign(claims, key, sizeof(key) - 1);
	c = jwt_verify(tok, key, sizeof(key) - 1, "iocagg", &why);
	if (strlen(tok) <= 8192 && c == NULL)
		abort();
	json_object_put(c);
	json_object_put(claims);
	free(tok);
	free(s);
	return 0;
}
