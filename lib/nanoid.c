/*
 * lib/nanoid.c -- see nanoid.h.  Ids use the 36 characters [0-9a-z] so
 * that they survive case-folding file systems, URLs and humans reading
 * them aloud; 12 of them give about 62 bits, plenty for row ids.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "log.h"
#include "nanoid.h"

static const char	 id_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyz";
static const char	 alnum_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static pthread_once_t	 rnd_once = PTHREAD_ONCE_INIT;

static void
rnd_init(void)
{
	if (sodium_init() < 0)
		fatalx("sodium_init failed");
}

/*
 * Draw "n" characters uniformly from "alphabet" (of "alen" characters)
 * into "out" and terminate it.  randombytes_uniform() rejects the biased
 * tail itself, so no character is more likely than another.
 */
static void
rnd_string(char *out, size_t n, const char *alphabet, size_t alen)
{
	size_t	 i;

	/* sodium_init() is idempotent, but once is enough. */
	(void)pthread_once(&rnd_once, rnd_init);
	for (i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform((uint32_t)alen)];
	out[n] = '\0';
}

/*
 * Write a new random id of NANOID_LEN characters of [0-9a-z] and a NUL
 * into "out".
 */
void
nanoid(char out[NANOID_LEN + 1])
{
	rnd_string(out, NANOID_LEN, id_alphabet, sizeof(id_alphabet) - 1);
}

/*
 * Return 1 if "s" is exactly NANOID_LEN characters of the id alphabet,
 * 0 otherwise (NULL included).  Ids arrive in URLs, so this is the gate
 * before they reach a query.
 */
int
nanoid_valid(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < NANOID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return s[NANOID_LEN] == '\0';
}

/*
 * Write "n" random characters of [A-Za-z0-9] and a NUL into "out", which
 * must hold n + 1 bytes.  Used for API-token secrets and passwords:
 * each character carries log2(62), about 5.95 bits.
 */
void
random_alnum(char *out, size_t n)
{
	rnd_string(out, n, alnum_alphabet, sizeof(alnum_alphabet) - 1);
}
