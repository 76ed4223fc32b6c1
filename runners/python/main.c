/*
 * runners/python/main.c -- iocagg-python-runner(8): serves the Runner
 * gRPC service for sources written in Python.  The engine is py.c; the
 * rest is the shared core in runners/common/.
 */
#include "config.h"

#include "engine.h"
#include "core.h"

int
main(int argc, char *argv[])
{
	return runner_main(argc, argv, &engine_python);
}
