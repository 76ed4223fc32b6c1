/*
 * lib/sources/gsb_url.h -- URL canonicalization and the host-suffix /
 * path-prefix expressions of the Safe Browsing v4 protocol, for the
 * Update API source (lib/sources/google_safe_browsing_update.c).
 */
#ifndef IOCAGG_GSB_URL_H
#define IOCAGG_GSB_URL_H

#include <stddef.h>

#define GSB_MAX_EXPR	30	/* 5 hosts x 6 paths */

/*
 * The canonical form of "url" ("scheme://host/path[?query]"), xmalloc'd,
 * or NULL when it has no host.
 */
char	*gsb_canonicalize(const char *url);

/*
 * The expressions to hash for "url" ("host/path[?query]", without the
 * scheme), in the order of the protocol: every host suffix, each with
 * every path prefix.  Fills "out" (xmalloc'd strings) and returns their
 * number, 0 when the URL cannot be canonicalized.
 */
size_t	 gsb_expressions(const char *url, char *out[GSB_MAX_EXPR]);

#endif
