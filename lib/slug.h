/*
 * lib/slug.h -- turn a display name into a URL-safe slug.
 */
#ifndef IOCAGG_SLUG_H
#define IOCAGG_SLUG_H

char	*slugify(const char *);

#endif
