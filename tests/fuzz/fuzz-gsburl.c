/*
 * tests/fuzz/fuzz-gsburl.c -- libFuzzer target for the Safe Browsing URL
 * canonicalization and lookup expressions (lib/sources/gsb_url.h).  The
 * input, NUL-terminated, is a URL as a user or a feed may give it.
 *
 * Invariants: no crash, sanitizer report or leak; a canonical URL is
 * "scheme://host/path[?query]" with a lower-case scheme, a non-empty
 * host and no byte <= 0x20, >= 0x7f or '#'; canonicalizing it again
 * gives it back (idempotence); gsb_expressions() gives 0 exactly when
 * there is no canonical form, else at most GSB_MAX_EXPR (5 hosts x 6
 * paths) distinct expressions, the first the canonical URL without its
 * scheme, each a host suffix (the host itself, or whole trailing labels
 * of a host name) followed by a path prefix of the canonical one, with
 * at most 5 distinct hosts and 6 distinct paths, and for a host name of
 * two or more labels its last two labels among them (the registrable
 * part that lists block).  Build: tests/fuzz/run.sh gsburl.
 *
 * Built with -DGSBURL_SKIP_KNOWN, the checks that the findings of
 * docs/fuzzing.md still break are left out for hosts that show them (a
 * ':' or '[' in the host, more than 127 dots), so that a campaign can look
 * for other faults: FUZZ_CFLAGS=-DGSBURL_SKIP_KNOWN tests/fuzz/run.sh.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/gsb_url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *url, const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-gsburl: %s: \"%s\"%s%s%s\n", what, url,
	    detail != NULL ? " -> \"" : "", detail != NULL ? detail : "",
	    detail != NULL ? "\"" : "");
	abort();
}

static int
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '#')
			return 0;
	return 1;
}

/* Is "h" a whole-label suffix of "host" (or "host" itself)? */
static int
host_suffix(const char *host, size_t hostn, const char *h, size_t hn)
{
	if (hn == 0 || hn > hostn || memcmp(host + hostn - hn, h, hn) != 0)
		return 0;
	return hn == hostn || host[hostn - hn - 1] == '.';
}

static int
seen(char *const *v, size_t n, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strlen(v[i]) == len && memcmp(v[i], s, len) == 0)
			return 1;
	return 0;
}

static void
check_expressions(const char *url, const char *canon)
{
	char		*ex[GSB_MAX_EXPR], *hosts[GSB_MAX_EXPR],
			*paths[GSB_MAX_EXPR], *slash, *tail, *full, *two;
	const char	*host, *path, *e;
	size_t		 n, i, hostn, hl, nh = 0, np = 0, dots;
	struct in_addr	 a;
	int		 name;

	n = gsb_expressions(url, ex);
	if (canon == NULL) {
		if (n != 0)
			fail(url, "expressions without a canonical form", NULL);
		return;
	}
	if (n == 0 || n > GSB_MAX_EXPR)
		fail(url, "expression count", canon);
	host = strstr(canon, "://") + 3;
	path = strchr(host, '/');
	hostn = (size_t)(path - host);
	if (strcmp(ex[0], host) != 0)
		fail(url, "first expression is not the canonical URL", ex[0]);

	for (i = 0; i < n; i++) {
		e = ex[i];
		if (!clean(e) || (slash = strchr(e, '/')) == NULL)
			fail(url, "malformed expression", e);
		hl = (size_t)(slash - e);
		if (!host_suffix(host, hostn, e, hl))
			fail(url, "expression host is not a host suffix", e);
		/* The path part: the canonical path (with or without the
		 * query) or a prefix of it ending in '/'. */
		tail = slash;
		if (strncmp(path, tail, strlen(tail)) != 0 ||
		    (strcmp(tail, path) != 0 && tail[strlen(tail) - 1] !=
		    '/' && strchr(path, '?') == NULL))
			fail(url, "expression path is not a path prefix", e);
		if (seen(ex, i, e, strlen(e)))
			fail(url, "duplicate expression", e);
		if (!seen(hosts, nh, e, hl)) {
			hosts[nh] = strndup(e, hl);
			nh++;
		}
		if (!seen(paths, np, tail, strlen(tail)))
			paths[np++] = tail;
	}
	if (nh > 5 || np > 6)
		fail(url, "more than 5 hosts or 6 paths", canon);

	/* A host name's last two labels are looked up. */
	full = strndup(host, hostn);
	name = full[0] != '[' && inet_pton(AF_INET, full, &a) != 1;
	for (dots = 0, i = 0; i < hostn; i++)
		if (full[i] == '.')
			dots++;
#ifdef GSBURL_SKIP_KNOWN
	if (dots > 127)
		name = 0;
#endif
	if (name && dots >= 1) {
		two = full + hostn;
		for (i = 0; two > full; two--)
			if (two[-1] == '.' && ++i == 2)
				break;
		if (!seen(hosts, nh, two, strlen(two)))
			fail(url, "the last two labels are not looked up",
			    two);
	}
	free(full);
	for (i = 0; i < nh; i++)
		free(hosts[i]);
	for (i = 0; i < n; i++)
		free(ex[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*url, *c, *c2;
	const char	*p, *q;

	if ((url = malloc(size + 1)) == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';

	c = gsb_canonicalize(url);
	if (c != NULL) {
		if ((p = strstr(c, "://")) == NULL || p == c ||
		    p[3] == '/' || p[3] == '\0' || strchr(p + 3, '/') == NULL)
			fail(url, "not scheme://host/path", c);
		for (q = c; q < p; q++)
			if (*q >= 'A' && *q <= 'Z')
				fail(url, "upper-case scheme", c);
		if (!clean(c))
			fail(url, "control byte, space or '#' in the output", c);
		c2 = gsb_canonicalize(c);
#ifdef GSBURL_SKIP_KNOWN
		if (strcspn(p + 3, ":[/") == strcspn(p + 3, "/"))
#endif
		if (c2 == NULL || strcmp(c, c2) != 0)
			fail(c, "not idempotent", c2 != NULL ? c2 : "(null)");
		free(c2);
	}
	check_expressions(url, c);
	free(c);
	free(url);
	return 0;
}
