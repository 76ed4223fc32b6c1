/*
 * tests/unit/t-slug.c -- slugify() against the reference examples and
 * the edge cases callers depend on (empty results, digits, UTF-8).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "slug.h"
#include "tap.h"
#include "xmalloc.h"

static const struct {
	const char	*in;
	const char	*want;
} cases[] = {
	/* The reference system's examples. */
	{ "Hello, World", "hello-world" },
	{ "!)(|}{:\\/Hello__World?|};'098 wow^*", "hello-world-wow" },
	{ "Google Safe Browsing - Update", "google-safe-browsing-update" },
	{ "Shodan.io", "shodan-io" },
	{ "123", "" },
	/* Separators collapse and never lead nor trail. */
	{ "", "" },
	{ "---", "" },
	{ "   ", "" },
	{ "a", "a" },
	{ "ABC", "abc" },
	{ "  leading and trailing  ", "leading-and-trailing" },
	{ "a--b", "a-b" },
	{ "a - b", "a-b" },
	{ "-a-", "a" },
	{ "a_b", "a-b" },
	{ "a\tb\nc", "a-b-c" },
	/* Digits are separators, so they are dropped. */
	{ "abc123def", "abc-def" },
	{ "Feed 2", "feed" },
	{ "2nd Feed", "nd-feed" },
	{ "AlienVault OTX v2", "alienvault-otx-v" },
	{ "0xDEADBEEF", "xdeadbeef" },
	/* Non-ASCII bytes separate words too. */
	{ "\xc3\x9cn\xc3\xaf" "code N\xc3\xa4me", "n-code-n-me" },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "" },
	{ "caf\xc3\xa9 bar", "caf-bar" },
	{ "MiXeD CaSe", "mixed-case" },
	{ "URLhaus (abuse.ch)", "urlhaus-abuse-ch" },
	{ "Z", "z" },
	{ "az AZ", "az-az" },
	{ "@[`{", "" },
};

int
main(void)
{
	size_t	 i, bad;
	char	*s, *big;

	for (i = 0; i < nitems(cases); i++) {
		s = slugify(cases[i].in);
		is_str(s, cases[i].want, cases[i].in);
		free(s);
	}

	s = slugify(NULL);
	is_str(s, "", "NULL gives the empty string");
	free(s);

	/* A long name: the result is bounded by the input length. */
	big = xmalloc(10001);
	for (i = 0; i < 10000; i++)
		big[i] = i % 2 ? '.' : 'X';
	big[10000] = '\0';
	s = slugify(big);
	is_int(strlen(s), 9999, "long alternating name");
	ok(s[0] == 'x' && s[1] == '-' && s[9998] == 'x', "long name shape");
	free(s);
	free(big);

	/* Slugs are fixed points: slugifying a slug keeps it. */
	for (i = 0, bad = 0; i < nitems(cases); i++) {
		char *t;

		s = slugify(cases[i].in);
		t = slugify(s);
		if (strcmp(s, t) != 0)
			bad++;
		free(s);
		free(t);
	}
	is_int(bad, 0, "slugify is idempotent on every case");
	return tap_done();
}
