/*
 * lib/secret.h -- secrets at rest: XChaCha20-Poly1305 (libsodium) with a
 * 32-byte key read from secret_key_file.  The database only ever holds
 * nonce || ciphertext || tag; the key never reaches it.
 */
#ifndef IOCAGG_SECRET_H
#define IOCAGG_SECRET_H

#include <stddef.h>

/*
 * Open a key file: "path", or else "credential" in the systemd
 * credentials directory ($CREDENTIALS_DIRECTORY, LoadCredential=).
 */
int	 key_open(const char *path, const char *credential);
/* Load the key from the configured file (once per process); 0 or -1. */
int	 secret_key_load(char *err, size_t errsz);
/* Write a new random key to "path" (mode 0600, must not exist). */
int	 secret_key_generate(const char *path, char *err, size_t errsz);
/*
 * Encrypt "plain" into a PostgreSQL bytea text literal "\x<hex>"
 * (xmalloc'd); NULL if no key is loaded.
 */
char	*secret_encrypt_hex(const char *plain);
/*
 * Decrypt a bytea value as PostgreSQL prints it ("\x<hex>").  Returns
 * the plaintext (free with freezero_str) or NULL when the value was not
 * encrypted with this key or was tampered with.
 */
char	*secret_decrypt_hex(const char *bytea);

#endif
