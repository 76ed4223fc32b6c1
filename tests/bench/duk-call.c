/*
 * tests/bench/duk-call.c -- for "tools/bench runners": the in-process
 * cost of a trivial JavaScript source's call, with the Duktape the
 * JavaScript runner is built with (runners/js/libduktape.a, configured
 * as the runner's).
 *
 *	duk-call N	prints "warm_us=W fresh_us=F"
 *
 * warm: fetch_data() called N times in one heap, each result encoded
 * as JSON; fresh: what the runner's worker does for every call (a new
 * heap, the script compiled and run, the call, the encoding, the heap
 * destroyed), N / 10 times.  Microseconds per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duktape.h"

/* The runner's configured Duktape calls this; no deadline here. */
int	iocagg_duk_timeout_check(void *);

int
iocagg_duk_timeout_check(void *udata)
{
	(void)udata;
	return 0;
}

static const char code[] =
    "function fetch_data(data, kind) {\n"
    "\treturn { data: data, kind: kind };\n"
    "}\n";

static double
now_us(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
fail(duk_context *ctx, const char *what)
{
	fprintf(stderr, "duk-call: %s: %s\n", what, duk_safe_to_string(ctx,
	    -1));
	exit(1);
}

static duk_context *
load(void)
{
	duk_context	*ctx;

	if ((ctx = duk_create_heap_default()) == NULL) {
		fprintf(stderr, "duk-call: no heap\n");
		exit(1);
	}
	duk_push_string(ctx, "source.js");
	if (duk_pcompile_string_filename(ctx, 0, code) != 0)
		fail(ctx, "compile");
	if (duk_pcall(ctx, 0) != 0)
		fail(ctx, "run");
	duk_pop(ctx);
	return ctx;
}

static size_t
one_call(duk_context *ctx)
{
	size_t	 n;

	(void)duk_get_global_string(ctx, "fetch_data");
	duk_push_string(ctx, "bench.example.com");
	duk_push_string(ctx, "DOMAIN");
	if (duk_pcall(ctx, 2) != 0)
		fail(ctx, "fetch_data");
	n = strlen(duk_json_encode(ctx, -1));
	duk_pop(ctx);
	return n;
}

int
main(int argc, char *argv[])
{
	duk_context	*ctx;
	double		 t0, warm, fresh;
	size_t		 bytes = 0;
	long		 i, n;

	n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	if (n < 10)
		n = 10;
	ctx = load();
	for (i = 0; i < 1000; i++)
		bytes += one_call(ctx);
	t0 = now_us();
	for (i = 0; i < n; i++)
		bytes += one_call(ctx);
	warm = (now_us() - t0) / (double)n;
	duk_destroy_heap(ctx);

	t0 = now_us();
	for (i = 0; i < n / 10; i++) {
		ctx = load();
		bytes += one_call(ctx);
		duk_destroy_heap(ctx);
	}
	fresh = (now_us() - t0) / (double)(n / 10);
	printf("warm_us=%.3f fresh_us=%.3f bytes=%zu\n", warm, fresh, bytes);
	return 0;
}
