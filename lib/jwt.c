/*
 * lib/jwt.c -- see jwt.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "conf.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "secret.h"
#include "xmalloc.h"

#define B64V	sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define JWT_MAX	8192

static char *
b64(const unsigned char *p, size_t n)
{
	size_t	 cap = sodium_base64_encoded_len(n, B64V);
	char	*o = xmalloc(cap);

	(void)sodium_bin2base64(o, cap, p, n, B64V);
	return o;
}

/* Decode into an xmalloc'd, NUL-terminated buffer; NULL on bad input. */
static unsigned char *
unb64(const char *s, size_t slen, size_t *n)
{
	unsigned char	*o = xmalloc(slen + 1);

	if (sodium_base642bin(o, slen, s, slen, NULL, n, NULL, B64V) != 0) {
		free(o);
		return NULL;
	}
	o[*n] = '\0';
	return o;
}

static void
hs256(const unsigned char *key, size_t keylen, const char *msg, size_t n,
    unsigned char out[32])
{
	unsigned int	 len = 32;

	(void)HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
	    n, out, &len);
}

char *
jwt_sign(json_object *claims, const unsigned char *key, size_t keylen)
{
	static const char	 hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	unsigned char		 mac[32];
	const char		*c;
	char			*h, *p, *msg, *sig, *tok;

	c = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN);
	h = b64((const unsigned char *)hdr, strlen(hdr));
	p = b64((const unsigned char *)c, strlen(c));
	xasprintf(&msg, "%s.%s", h, p);
	hs256(key, keylen, msg, strlen(msg), mac);
	sig = b64(mac, sizeof(mac));
	xasprintf(&tok, "%s.%s", msg, sig);
	free(h);
	free(p);
	free(msg);
	free(sig);
	return tok;
}

json_object *
jwt_verify(const char *token, const unsigned char *key, size_t keylen,
    const char *issuer, const char **why)
{
	const char	*d1, *d2, *err, *alg, *iss;
	unsigned char	 mac[32], *hdr = NULL, *pay = NULL, *sig = NULL;
	size_t		 n, siglen;
	json_object	*h = NULL, *c = NULL, *v;
	time_t		 now = time(NULL);
	int64_t		 t;

	*why = "malformed token";
	if (token == NULL || strlen(token) > JWT_MAX ||
	    (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return NULL;
	if ((hdr = unb64(token, (size_t)(d1 - token), &n)) == NULL ||
	    (h = json_parse_capped((char *)hdr, n, 4, &err)) == NULL ||
	    (alg = jget_str(h, "alg")) == NULL) {
		goto fail;
	}
	if (strcmp(alg, "HS256") != 0) {
		*why = "algorithm not accepted";
		goto fail;
	}
	if ((sig = unb64(d2 + 1, strlen(d2 + 1), &siglen)) == NULL ||
	    siglen != sizeof(mac))
		goto fail;
	hs256(key, keylen, token, (size_t)(d2 - token), mac);
	if (sodium_memcmp(mac, sig, sizeof(mac)) != 0) {
		*why = "bad signature";
		goto fail;
	}
	if ((pay = unb64(d1 + 1, (size_t)(d2 - d1 - 1), &n)) == NULL ||
	    (c = json_parse_capped((char *)pay, n, 8, &err)) == NULL ||
	    !json_object_is_type(c, json_type_object))
		goto fail;
	if (!json_object_object_get_ex(c, "exp", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (t = json_object_get_int64(v)) <= (int64_t)now) {
		*why = "expired";
		goto fail;
	}
	if (json_object_object_get_ex(c, "nbf", &v) &&
	    (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) > (int64_t)now + 5)) {
		*why = "not yet valid";
		goto fail;
	}
	if (issuer != NULL && ((iss = jget_str(c, "iss")) == NULL ||
	    strcmp(iss, issuer) != 0)) {
		*why = "wrong issuer";
		goto fail;
	}
	*why = NULL;
	json_object_put(h);
	free(hdr);
	free(pay);
	free(sig);
	return c;
fail:
	json_object_put(h);
	json_object_put(c);
	free(hdr);
	free(pay);
	free(sig);
	return NULL;
}

static const unsigned char *jwt_key_locked(unsigned char *, size_t,
		    size_t *, size_t *);

const unsigned char *
jwt_key(size_t *len)
{
	static unsigned char	 key[128];
	static size_t		 klen;
	static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
	const unsigned char	*k;

	/* Request threads call this concurrently. */
	(void)pthread_mutex_lock(&mu);
	k = jwt_key_locked(key, sizeof(key), &klen, len);
	(void)pthread_mutex_unlock(&mu);
	return k;
}

static const unsigned char *
jwt_key_locked(unsigned char *key, size_t keysz, size_t *klenp, size_t *len)
{
	size_t			 klen = *klenp;
	const char		*path = conf_str("jwt_secret_file");
	ssize_t			 n;
	int			 fd;

	if (klen > 0) {
		*len = klen;
		return key;
	}
	if (path == NULL || *path == '\0' ||
	    (fd = key_open(path, "jwt.key")) == -1) {
		log_warnx("jwt_secret_file %s: %s", path ? path : "",
		    strerror(errno));
		return NULL;
	}
	n = read(fd, key, keysz);
	(void)close(fd);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		n--;
	if (n < 32) {
		log_warnx("jwt_secret_file %s: needs at least 32 bytes", path);
		return NULL;
	}
	*klenp = (size_t)n;
	*len = *klenp;
	return key;
}
