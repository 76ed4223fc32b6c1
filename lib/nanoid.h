/*
 * lib/nanoid.h -- short random identifiers and random alphanumeric
 * secrets, both drawn from libsodium's CSPRNG.
 */
#ifndef IOCAGG_NANOID_H
#define IOCAGG_NANOID_H

#include <stddef.h>

#define NANOID_LEN	12	/* characters, without the NUL */

void	 nanoid(char out[NANOID_LEN + 1]);
int	 nanoid_valid(const char *);
void	 random_alnum(char *out, size_t n);

#endif
