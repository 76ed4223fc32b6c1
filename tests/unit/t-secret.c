/*
 * tests/unit/t-secret.c -- lib/secret.c: key files, encryption round
 * trip, tampering, a wrong key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "secret.h"
#include "tap.h"
#include "xmalloc.h"

int
main(void)
{
	char	 dir[] = "/tmp/t-secret.XXXXXX", path[256], err[512];
	char	*enc, *enc2, *dec;

	if (mkdtemp(dir) == NULL)
		return 1;
	(void)conf_load("/dev/null", err, sizeof(err));
	snprintf(path, sizeof(path), "%s/key", dir);
	ok(secret_key_generate(path, err, sizeof(err)) == 0, "a key is generated");
	ok(secret_key_generate(path, err, sizeof(err)) == -1,
	    "an existing key file is never overwritten");
	ok(secret_encrypt_hex("x") == NULL, "nothing is encrypted without a key");
	(void)conf_set("secret_key_file", path, err, sizeof(err));
	ok(secret_key_load(err, sizeof(err)) == 0, "the key loads");

	enc = secret_encrypt_hex("hunter2-api-key");
	ok(enc != NULL && strncmp(enc, "\\x", 2) == 0 &&
	    strstr(enc, "hunter2") == NULL, "ciphertext is bytea hex, no plaintext");
	ok(strlen(enc) == 2 + 2 * (24 + 15 + 16),
	    "nonce (24) + ciphertext + tag (16)");
	enc2 = secret_encrypt_hex("hunter2-api-key");
	ok(strcmp(enc, enc2) != 0, "a fresh nonce every time");
	dec = secret_decrypt_hex(enc);
	is_str(dec, "hunter2-api-key", "decryption gives the plaintext back");
	freezero_str(dec);
	enc[strlen(enc) - 3] = enc[strlen(enc) - 3] == '0' ? '1' : '0';
	ok(secret_decrypt_hex(enc) == NULL, "a tampered ciphertext is refused");
	ok(secret_decrypt_hex("\\x00") == NULL, "a short value is refused");
	ok(secret_decrypt_hex("plain") == NULL, "a non-hex value is refused");
	ok(secret_decrypt_hex(NULL) == NULL, "NULL is refused");
	dec = secret_encrypt_hex("");
	ok(dec != NULL, "an empty value encrypts");
	free(dec);

	free(enc);
	free(enc2);
	snprintf(path, sizeof(path), "%s/key", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
