/*
 * runners/js/main.c -- iocagg-js-runner(8): serves the Runner gRPC
 * service for sources written in JavaScript.  The engine is duk.c
 * (Duktape, built by duk-build.mk); the rest is the shared core in
 * runners/common/.
 */
#include "config.h"

#include "engine.h"
#include "core.h"

int
main(int argc, char *argv[])
{
	return runner_main(argc, argv, &engine_js);
}
