/*
 * tests/fuzz/fuzz-json.c -- libFuzzer target for request bodies:
 * json_parse_capped() with the default depth cap.  Invariants: success
 * and an error message are exclusive, and what parses serializes and
 * parses again to the same text.  Build: tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object	*o, *o2;
	const char	*err, *err2, *txt;
	char		*copy;

	o = json_parse_capped((const char *)data, size, 32, &err);
	if (o != NULL && err != NULL)
		abort();
	if (o == NULL)
		return 0;
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	copy = strdup(txt);
	o2 = json_parse_capped(copy, strlen(copy), 64, &err2);
	if (err2 != NULL || strcmp(json_object_to_json_string_ext(o2,
	    JSON_C_TO_STRING_PLAIN), copy) != 0)
		abort();
	json_object_put(o2);
	json_object_put(o);
	free(copy);
	return 0;
}
