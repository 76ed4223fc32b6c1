/*
 * lib/compat.h -- functions glibc lacks, and small portable macros.
 */
#ifndef IOCAGG_COMPAT_H
#define IOCAGG_COMPAT_H

#include <stddef.h>

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef HAVE_STRTONUM
long long	 strtonum(const char *, long long, long long, const char **);
#endif
#ifndef HAVE_STRLCPY
size_t		 strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t		 strlcat(char *, const char *, size_t);
#endif

#endif
