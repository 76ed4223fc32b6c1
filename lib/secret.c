/*
 * lib/secret.c -- see secret.h.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "log.h"
#include "secret.h"
#include "xmalloc.h"

#define KEYLEN	crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG	crypto_aead_xchacha20poly1305_ietf_ABYTES

static unsigned char	*key;	/* sodium_malloc'd, locked, or NULL */
/* Lookup threads load the key concurrently: one at a time, and "key"
 * is published only once filled and protected. */
static pthread_mutex_t	 key_mu = PTHREAD_MUTEX_INITIALIZER;

int
key_open(const char *path, const char *credential)
{
	const char	*dir;
	char		 p[4096];
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1)
		return fd;
	/* Under systemd, LoadCredential= hands the key over instead: the
	 * file itself can then stay readable by root only. */
	saved = errno;
	if ((dir = secure_getenv("CREDENTIALS_DIRECTORY")) != NULL &&
	    snprintf(p, sizeof(p), "%s/%s", dir, credential) <
	    (int)sizeof(p) && (fd = open(p, O_RDONLY | O_CLOEXEC)) != -1)
		return fd;
	errno = saved;
	return -1;
}

static int	secret_key_load_locked(char *, size_t);

int
secret_key_load(char *err, size_t errsz)
{
	int	 rc;

	(void)pthread_mutex_lock(&key_mu);
	rc = secret_key_load_locked(err, errsz);
	(void)pthread_mutex_unlock(&key_mu);
	return rc;
}

static int
secret_key_load_locked(char *err, size_t errsz)
{
	unsigned char	*k;
	const char	*path = conf_str("secret_key_file");
	unsigned char	 buf[2 * KEYLEN + 2];
	ssize_t		 n;
	size_t		 len;
	int		 fd;

	if (key != NULL)
		return 0;
	if (sodium_init() < 0) {
		(void)snprintf(err, errsz, "libsodium failed to start");
		return -1;
	}
	if ((fd = key_open(path, "secret.key")) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	if (n < 0) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	len = (size_t)n;
	if ((k = sodium_malloc(KEYLEN)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	/* 32 raw bytes, or 64 hex digits with an optional newline. */
	if (len == KEYLEN)
		memcpy(k, buf, KEYLEN);
	else if ((len == 2 * KEYLEN || (len == 2 * KEYLEN + 1 &&
	    buf[len - 1] == '\n')) && sodium_hex2bin(k, KEYLEN,
	    (const char *)buf, 2 * KEYLEN, NULL, NULL, NULL) == 0)
		;
	else {
		sodium_memzero(buf, sizeof(buf));
		sodium_free(k);
		(void)snprintf(err, errsz, "%s: not a 32-byte key (32 raw "
		    "bytes or 64 hex digits)", path);
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	(void)sodium_mprotect_readonly(k);
	key = k;
	return 0;
}

int
secret_key_generate(const char *path, char *err, size_t errsz)
{
	unsigned char	 k[KEYLEN];
	char		 hex[2 * KEYLEN + 2];
	int		 fd, rc = 0;

	if (sodium_init() < 0) {
		(void)snprintf(err, errsz, "libsodium failed to start");
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(k, sizeof(k));
	(void)sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	hex[2 * KEYLEN] = '\n';
	if (write(fd, hex, 2 * KEYLEN + 1) != 2 * KEYLEN + 1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (close(fd) == -1 && rc == 0) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	sodium_memzero(k, sizeof(k));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

char *
secret_encrypt_hex(const char *plain)
{
	unsigned char	*blob;
	unsigned long long clen;
	size_t		 plen = strlen(plain), blen;
	char		*out;

	if (key == NULL)
		return NULL;
	blen = NONCE + plen + TAG;
	blob = xmalloc(blen);
	randombytes_buf(blob, NONCE);
	(void)crypto_aead_xchacha20poly1305_ietf_encrypt(blob + NONCE, &clen,
	    (const unsigned char *)plain, plen, NULL, 0, NULL, blob, key);
	out = xmalloc(2 + 2 * blen + 1);
	out[0] = '\\';
	out[1] = 'x';
	(void)sodium_bin2hex(out + 2, 2 * blen + 1, blob, blen);
	free(blob);
	return out;
}

char *
secret_decrypt_hex(const char *bytea)
{
	unsigned char	*blob;
	unsigned long long plen;
	size_t		 hlen, blen;
	char		*plain = NULL;

	if (key == NULL || bytea == NULL || strncmp(bytea, "\\x", 2) != 0)
		return NULL;
	hlen = strlen(bytea + 2);
	if (hlen % 2 != 0 || hlen / 2 < NONCE + TAG)
		return NULL;
	blen = hlen / 2;
	blob = xmalloc(blen);
	if (sodium_hex2bin(blob, blen, bytea + 2, hlen, NULL, NULL,
	    NULL) != 0)
		goto out;
	plain = xmalloc(blen - NONCE - TAG + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain,
	    &plen, NULL, blob + NONCE, blen - NONCE, NULL, 0, blob,
	    key) != 0) {
		free(plain);
		plain = NULL;
		log_warnx("a secret failed to decrypt (wrong key or altered)");
		goto out;
	}
	plain[plen] = '\0';
out:
	sodium_memzero(blob, blen);
	free(blob);
	return plain;
}
