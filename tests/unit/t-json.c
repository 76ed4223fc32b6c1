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
	/* Sequences of the right shape that are no UTF-8 all the same. */
	ok(!parses("{\"a\":\"\xc0\xaf\"}", 10), "an overlong '/' is refused");
	ok(!parses("[\"\xe0\x80\xaf\"]", 10), "a 3-byte overlong form is refused");
	ok(!parses("[\"x\xed\xa0\x80\"]", 10), "a UTF-16 surrogate is refused");
	ok(!parses("[\"\xf4\x90\x80\x80\"]", 10), "a code point past U+10FFFF is refused");
	ok(!parses("[\"\xf5\x80\x80\x80\"]", 10), "an F5 lead byte is refused");
	o = json_parse_capped("[\"\xc0\xaf\"]", 6, 10, &err);
	ok(o == NULL && err != NULL && strcmp(err, "invalid UTF-8") == 0,
	    "the error says why");
	ok(parses("[\"\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9 \xf4\x8f\xbf\xbf\"]", 10),
	    "valid 4-, 3- and 2-byte characters, U+10FFFF included, parse");
	ok(json_utf8_valid("\xed\x9f\xbf", 3) && !json_utf8_valid("\xed\xa0", 2),
	    "U+D7FF is valid, a cut sequence is not");
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
