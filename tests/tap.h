/*
 * tests/tap.h -- a tiny TAP emitter for the C unit tests.  Each test
 * program includes this once, calls ok()/is_str()/is_int() and ends with
 * "return tap_done();".  The plan is printed at the end ("1..N").
 */
#ifndef IOCAGG_TAP_H
#define IOCAGG_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	tap_n, tap_fail;

static int __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list	 ap;

	tap_n++;
	if (!cond)
		tap_fail++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return cond;
}

static int __attribute__((unused))
is_str(const char *got, const char *want, const char *name)
{
	int	 c = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!ok(c, "%s", name))
		printf("#   got: '%s'\n#  want: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
	return c;
}

static int __attribute__((unused))
is_int(long long got, long long want, const char *name)
{
	int	 c = got == want;

	if (!ok(c, "%s", name))
		printf("#   got: %lld\n#  want: %lld\n", got, want);
	return c;
}

static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail == 0 ? 0 : 1;
}

#endif
