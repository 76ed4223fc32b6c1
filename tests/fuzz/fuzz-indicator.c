/*
 * tests/fuzz/fuzz-indicator.c -- libFuzzer target for the indicator
 * parser and slugify().  Besides crashes and sanitizer reports it checks
 * the invariants the rest of iocagg relies on:
 *
 *  - a normalized value normalizes to itself (deduplication);
 *  - a normalized value is short, trimmed and free of control bytes;
 *  - a failure leaves *out alone and always gives a reason;
 *  - ind_detect() returns the first kind, in its order, that accepts
 *    the input, and IND_INVALID only when none does;
 *  - a slug is [a-z] words joined by single hyphens and a fixed point;
 *  - a kind name parses back to a kind of the same name.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined; see
 * docs/fuzzing.md.  With -DIOCAGG_FUZZ_MAIN it is instead a plain
 * program that runs each file named on its command line once, so that a
 * corpus can be replayed without clang.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "indicator.h"
#include "slug.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Must match the order documented for ind_detect(). */
static const enum ind_kind detect_order[] = {
	IND_MD5, IND_SHA1, IND_SHA256, IND_SHA512, IND_TLSH, IND_SSDEEP,
	IND_IPV4, IND_IPV6, IND_URL, IND_EMAIL, IND_DOMAIN
};

static void __attribute__((noreturn))
fail(const char *what, int kind, const char *in, const char *out)
{
	fprintf(stderr, "invariant broken: %s (kind %d)\n", what, kind);
	fprintf(stderr, "  in:  '%s'\n", in);
	if (out != NULL)
		fprintf(stderr, "  out: '%s'\n", out);
	abort();
}

/*
 * A normalized value of any kind holds no control byte, does not start
 * or end with white space and fits the storage limit.  Only IPv6 can
 * grow (canonical text may be longer than a terse input), and then to
 * at most INET6_ADDRSTRLEN.
 */
static void
check_output(int kind, const char *in, const char *out)
{
	size_t	 i, len = strlen(out);

	if (len == 0)
		fail("empty output", kind, in, out);
	if (len > IND_DATA_MAX)
		fail("output longer than IND_DATA_MAX", kind, in, out);
	if (kind != IND_IPV6 && len > strlen(in))
		fail("output longer than input", kind, in, out);
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			fail("control byte in output", kind, in, out);
	if (out[0] == ' ' || out[len - 1] == ' ')
		fail("untrimmed output", kind, in, out);
}

static void
check_slug(const char *in)
{
	char	*slug, *again;
	size_t	 i, len;

	slug = slugify(in);
	len = strlen(slug);
	if (len > strlen(in))
		fail("slug longer than name", -1, in, slug);
	for (i = 0; i < len; i++) {
		if (slug[i] == '-') {
			if (i == 0 || i == len - 1 || slug[i + 1] == '-')
				fail("misplaced hyphen in slug", -1, in, slug);
		} else if (slug[i] < 'a' || slug[i] > 'z')
			fail("bad character in slug", -1, in, slug);
	}
	again = slugify(slug);
	if (strcmp(slug, again) != 0)
		fail("slug is not a fixed point", -1, in, again);
	free(again);
	free(slug);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 sentinel[] = "sentinel";
	const char	*why;
	char		*in, *out, *again;
	int		 accepted[IND__MAX];
	size_t		 i;
	int		 k, rc;
	enum ind_kind	 detected, first;

	/* A little past the limit is enough to exercise "too long". */
	if (size > IND_DATA_MAX + 64)
		return 0;
	in = xmalloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';

	for (k = 0; k < IND__MAX; k++) {
		out = sentinel;
		why = NULL;
		rc = ind_normalize((enum ind_kind)k, in, &out, &why);
		accepted[k] = rc == 0;
		if (rc != 0) {
			if (rc != -1)
				fail("return value not 0 or -1", k, in, NULL);
			if (out != sentinel)
				fail("*out touched on failure", k, in, NULL);
			if (why == NULL || why[0] == '\0')
				fail("failure without a reason", k, in, NULL);
			continue;
		}
		if (out == NULL || out == sentinel)
			fail("success without output", k, in, NULL);
		check_output(k, in, out);

		again = NULL;
		why = NULL;
		if (ind_normalize((enum ind_kind)k, out, &again, &why) != 0)
			fail(why != NULL ? why : "normalized value rejected",
			    k, in, out);
		if (strcmp(out, again) != 0)
			fail("normalization is not idempotent", k, out, again);
		free(again);

		/* A valid value is always detected as some kind. */
		if (ind_detect(out) == IND_INVALID)
			fail("normalized value not detected", k, in, out);
		free(out);
	}

	first = IND_INVALID;
	for (i = 0; i < nitems(detect_order); i++)
		if (accepted[detect_order[i]]) {
			first = detect_order[i];
			break;
		}
	detected = ind_detect(in);
	if (detected != first)
		fail("ind_detect disagrees with ind_normalize", detected, in,
		    NULL);

	/* Kind names round-trip, whatever the case of the input. */
	if ((k = ind_kind_parse(in)) != IND_INVALID &&
	    (ind_kind_name(k) == NULL || strcasecmp(ind_kind_name(k), in) != 0))
		fail("kind name does not round-trip", k, in, NULL);

	check_slug(in);
	free(in);
	return 0;
}

#ifdef IOCAGG_FUZZ_MAIN
/*
 * Replay the files named on the command line, as libFuzzer would.
 */
int
main(int argc, char *argv[])
{
	FILE	*fp;
	uint8_t	*buf;
	size_t	 n;
	int	 i;

	buf = xmalloc(IND_DATA_MAX + 65);
	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, IND_DATA_MAX + 65, fp);
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, n);
	}
	free(buf);
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
#endif
