/*
 * tests/unit/t-nanoid.c -- nanoid(), nanoid_valid() and random_alnum():
 * shape, alphabet, uniqueness and the validator's rejects.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "nanoid.h"
#include "tap.h"

#define NIDS	10000

static const char	 id_chars[] = "0123456789abcdefghijklmnopqrstuvwxyz";
static const char	 alnum_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_nanoid(void)
{
	static char	 ids[NIDS][NANOID_LEN + 1];
	int		 seen[256] = { 0 };
	size_t		 i, j, badlen = 0, badchar = 0, invalid = 0;
	size_t		 dups = 0, missing = 0;
	char		 buf[NANOID_LEN + 2];

	is_int(NANOID_LEN, 12, "NANOID_LEN is 12");

	/* The NUL lands at out[NANOID_LEN] and nothing is written past. */
	memset(buf, '#', sizeof(buf));
	nanoid(buf);
	ok(buf[NANOID_LEN] == '\0' && buf[NANOID_LEN + 1] == '#',
	    "nanoid writes exactly NANOID_LEN + 1 bytes");

	for (i = 0; i < NIDS; i++) {
		nanoid(ids[i]);
		if (strlen(ids[i]) != NANOID_LEN)
			badlen++;
		if (strspn(ids[i], id_chars) != NANOID_LEN)
			badchar++;
		if (!nanoid_valid(ids[i]))
			invalid++;
		for (j = 0; j < NANOID_LEN; j++)
			seen[(unsigned char)ids[i][j]]++;
	}
	is_int(badlen, 0, "10000 ids are all 12 characters long");
	is_int(badchar, 0, "10000 ids use only [0-9a-z]");
	is_int(invalid, 0, "nanoid_valid accepts every generated id");

	qsort(ids, NIDS, sizeof(ids[0]), cmp);
	for (i = 1; i < NIDS; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			dups++;
	is_int(dups, 0, "10000 ids are unique");

	/* 120000 draws miss one of 36 characters with probability ~0. */
	for (i = 0; i < sizeof(id_chars) - 1; i++)
		if (seen[(unsigned char)id_chars[i]] == 0)
			missing++;
	is_int(missing, 0, "every character of the alphabet occurs");
	/* Each character is expected 120000 / 36 = 3333 times. */
	for (i = 0, j = 0; i < sizeof(id_chars) - 1; i++)
		if (seen[(unsigned char)id_chars[i]] < 2800 ||
		    seen[(unsigned char)id_chars[i]] > 3900)
			j++;
	is_int(j, 0, "characters are roughly uniform");
}

static void
test_valid(void)
{
	static const struct {
		const char	*s;
		int		 want;
	} cases[] = {
		{ "000000000000", 1 },
		{ "zzzzzzzzzzzz", 1 },
		{ "abc123xyz789", 1 },
		{ "0123456789ab", 1 },
		{ "", 0 },
		{ "abc", 0 },
		{ "abc123xyz78", 0 },		/* 11 */
		{ "abc123xyz7890", 0 },		/* 13 */
		{ "ABC123XYZ789", 0 },
		{ "abc123xyz78A", 0 },
		{ "abc-23xyz789", 0 },
		{ "abc_23xyz789", 0 },
		{ "abc 23xyz789", 0 },
		{ " abc123xyz78", 0 },
		{ "abc123xyz78 ", 0 },
		{ "abc123xyz78\n", 0 },
		{ "abc123xyz78.", 0 },
		{ "abc123xyz78/", 0 },
		{ "abc123xyz78:", 0 },
		{ "abc123xyz78`", 0 },
		{ "abc123xyz78{", 0 },
		{ "abc123xyz7\xc3\xa9", 0 },
		{ "../../etc/pa", 0 },
		{ "abc123xyz789abc123xyz789", 0 },
	};
	size_t	 i;

	ok(!nanoid_valid(NULL), "nanoid_valid(NULL) is 0");
	for (i = 0; i < nitems(cases); i++)
		is_int(nanoid_valid(cases[i].s), cases[i].want, cases[i].s);
}

static void
test_alnum(void)
{
	static const size_t	 lens[] = { 0, 1, 2, 16, 32, 43, 64, 200 };
	int			 seen[256] = { 0 };
	char			 buf[256], prev[65];
	size_t			 i, n, bad = 0, missing = 0, same = 0;

	for (i = 0; i < nitems(lens); i++) {
		n = lens[i];
		memset(buf, '#', sizeof(buf));
		random_alnum(buf, n);
		ok(strlen(buf) == n && buf[n + 1] == '#' &&
		    strspn(buf, alnum_chars) == n,
		    "random_alnum(%zu): length, NUL, alphabet", n);
	}

	prev[0] = '\0';
	for (i = 0; i < 200; i++) {
		random_alnum(buf, 64);
		if (strlen(buf) != 64 || strspn(buf, alnum_chars) != 64)
			bad++;
		if (strcmp(buf, prev) == 0)
			same++;
		memcpy(prev, buf, sizeof(prev));
		for (n = 0; n < 64; n++)
			seen[(unsigned char)buf[n]]++;
	}
	is_int(bad, 0, "200 secrets of 64 are all [A-Za-z0-9]");
	is_int(same, 0, "consecutive secrets differ");
	for (i = 0; i < sizeof(alnum_chars) - 1; i++)
		if (seen[(unsigned char)alnum_chars[i]] == 0)
			missing++;
	is_int(missing, 0, "all 62 characters occur in 12800 draws");
}

int
main(void)
{
	test_nanoid();
	test_valid();
	test_alnum();
	return tap_done();
}
