/*
 * tests/fuzz/fuzz-request.c -- libFuzzer target for what a client
 * controls before any handler runs: the query string parser, the
 * percent-decoder and the route matcher.  Invariants: no crash, every
 * decoded key and value is a C string with no embedded NUL, and at most
 * REQ_QUERY_MAX parameters are kept.  Build: tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "http.h"

static const char *const patterns[] = {
	"/api/v1/users", "/api/v1/users/:id", "/api/v1/users/:id/logs",
	"/api/v1/sources/:id/secrets/:slot",
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	char		*s, err[256], *args[ROUTE_ARGS_MAX];
	size_t		 i, nargs;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	memset(&r, 0, sizeof(r));
	if (http_parse_query(&r, s, err, sizeof(err)) == 0) {
		if (r.nquery > REQ_QUERY_MAX)
			abort();
		for (i = 0; i < r.nquery; i++)
			if (r.query[i].key[0] == '\0')
				abort();
	}
	req_clear(&r);

	for (i = 0; i < nitems(patterns); i++)
		if (route_match(patterns[i], s, args, &nargs))
			while (nargs > 0)
				free(args[--nargs]);

	(void)http_urldecode(s, 1);
	free(s);
	return 0;
}
