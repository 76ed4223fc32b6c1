/*
 * tests/unit/t-compat.c -- strtonum(3) and strlcpy(3) from lib/compat.c.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "compat.h"
#include "tap.h"

int
main(void)
{
	const char	*e;
	char		 buf[8];

	is_int(strtonum("42", 0, 100, &e), 42, "strtonum parses 42");
	ok(e == NULL, "no error for 42");
	(void)strtonum("101", 0, 100, &e);
	is_str(e, "too large", "101 > 100 is too large");
	(void)strtonum("-1", 0, 100, &e);
	is_str(e, "too small", "-1 < 0 is too small");
	(void)strtonum("12abc", 0, 100, &e);
	is_str(e, "invalid", "trailing garbage is invalid");
	(void)strtonum("", 0, 100, &e);
	is_str(e, "invalid", "empty is invalid");
	(void)strtonum("99999999999999999999", 0, LLONG_MAX, &e);
	is_str(e, "too large", "overflow is too large");
	(void)strtonum(" 5", 0, 10, &e);
	ok(e == NULL || strcmp(e, "invalid") == 0, "leading blank handled");
	is_int((long long)strlcpy(buf, "abcdefghij", sizeof(buf)), 10,
	    "strlcpy returns the source length");
	is_str(buf, "abcdefg", "strlcpy truncates and terminates");
	return tap_done();
}
