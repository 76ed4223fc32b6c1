/*
 * lib/compat.c -- strtonum(3), strlcpy(3) and strlcat(3) for glibc 2.36,
 * written from their OpenBSD manual pages.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

#ifndef HAVE_STRTONUM
/*
 * Convert "s" to a long long in [minval, maxval].  On failure return 0
 * and set "*errstrp" to "invalid", "too small" or "too large".
 */
long long
strtonum(const char *s, long long minval, long long maxval,
    const char **errstrp)
{
	long long	 ll = 0;
	char		*ep;
	int		 error = 0;
	const char	*errstr = NULL;

	if (minval > maxval || s == NULL || *s == '\0')
		error = 1;
	else {
		errno = 0;
		ll = strtoll(s, &ep, 10);
		if (ep == s || *ep != '\0')
			error = 1;
		else if ((ll == LLONG_MIN && errno == ERANGE) || ll < minval)
			error = 2;
		else if ((ll == LLONG_MAX && errno == ERANGE) || ll > maxval)
			error = 3;
	}
	switch (error) {
	case 1:
		errstr = "invalid";
		break;
	case 2:
		errstr = "too small";
		break;
	case 3:
		errstr = "too large";
		break;
	}
	if (errstrp != NULL)
		*errstrp = errstr;
	return error ? 0 : ll;
}
#endif

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t	 len = strlen(src);

	if (dsize > 0) {
		size_t n = len < dsize - 1 ? len : dsize - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
#endif

#ifndef HAVE_STRLCAT
size_t
strlcat(char *dst, const char *src, size_t dsize)
{
	size_t	 dlen = strnlen(dst, dsize);

	if (dlen == dsize)
		return dsize + strlen(src);
	return dlen + strlcpy(dst + dlen, src, dsize - dlen);
}
#endif
