/*
 * lib/xmalloc.h -- allocation wrappers that log and abort(3) on exhaustion.
 * A FastCGI program out of memory cannot answer the next request
 * correctly anyway; the service manager restarts it.
 */
#ifndef IOCAGG_XMALLOC_H
#define IOCAGG_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 freezero_str(char *);

#endif
