/*
 * lib/runner.c -- see runner.h.  XXX no runner exists yet: every call
 * is RUNNER_UNREACHABLE.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "runner.h"

enum runner_res
runner_update(const char *kind, const char *source_id, const char *code,
    char *err, size_t errsz)
{
	(void)source_id;
	(void)code;
	(void)snprintf(err, errsz, "no %s runner is reachable", kind);
	return RUNNER_UNREACHABLE;
}

enum runner_res
runner_delete(const char *kind, const char *source_id, char *err,
    size_t errsz)
{
	(void)source_id;
	(void)snprintf(err, errsz, "no %s runner is reachable", kind);
	return RUNNER_UNREACHABLE;
}
