/*
 * tests/unit/t-json.c -- lib/json.c: capped, strict parsing.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "tap.h"

static int
parses(const char *s, int depth)
{
	const char	*err;
	json_object	*o;

	o = json_parse_capped(s, strlen(s), depth, &err);
	json_object_put(o);
	return err == NULL;
}

int
main(void)
{
	const char	*err;
	json_object	*o;
	char		 deep[200];
	int		 i;

	ok(parses("{\"a\":[1,2,{\"b\":null}]}", 10), "an object parses");
	ok(parses("  [1]  \n", 10), "blanks around are fine");
	ok(!parses("{\"a\":1} x", 10), "trailing data is refused");
	ok(!parses("{\"a\":1", 10), "a truncated document is refused");
	ok(!parses("{'a':1}", 10), "single quotes are refused (strict)");
	ok(!parses("[1,]", 10), "a trailing comma is refused (strict)");
	ok(!parses("\"\xff\xfe\"", 10), "invalid UTF-8 is refused");
	ok(!parses("", 10), "an empty document is refused");
	o = json_parse_capped("[1,\0]", 5, 10, &err);
	ok(o == NULL && err != NULL, "an embedded NUL is refused");
	for (i = 0; i < 50; i++)
		deep[i] = '[';
	for (i = 0; i < 50; i++)
		deep[50 + i] = ']';
	deep[100] = '\0';
	ok(!parses(deep, 32), "nesting deeper than the cap is refused");
	ok(parses(deep, 64), "the same nesting under a higher cap parses");
	o = json_parse_capped("null", 4, 10, &err);
	ok(o == NULL && err == NULL, "null parses as NULL without error");

	o = json_object_new_object();
	ok(jadd(o, "k", json_object_new_string("v")) == 0, "jadd adds");
	ok(jadd(o, "n", NULL) == -1, "jadd refuses NULL");
	ok(jadd_nullable(o, "z", NULL) == 0, "jadd_nullable stores null");
	is_str(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "{\"k\":\"v\",\"z\":null}", "the object serializes");
	is_str(jget_str(o, "k"), "v", "jget_str reads a string");
	ok(jget_str(o, "z") == NULL, "jget_str on null is NULL");
	json_object_put(o);
	return tap_done();
}
