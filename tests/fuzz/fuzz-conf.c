/*
 * tests/fuzz/fuzz-conf.c -- libFuzzer target for the configuration
 * parser.  Invariants: no crash; after a successful parse every integer
 * key reads back within its bounds.  Build: tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct conf_key	*k;
	char			 err[512];
	unsigned		 n, i;
	long long		 v;

	if (conf_load_buffer((const char *)data, size, err, sizeof(err)) != 0)
		return 0;
	k = conf_keys(&n);
	for (i = 0; i < n; i++) {
		if (k[i].type != CONF_INT)
			continue;
		v = conf_int(k[i].name);
		if (v < k[i].min || v > k[i].max)
			abort();
	}
	return 0;
}
