/*
 * lib/runner.h -- the seam between the management API and the Python
 * and JavaScript runners (gRPC, their own issue).  Creating, updating or
 * deleting a user-code source tells its runner; until the runners land
 * these calls report "no runner" and the callers keep the database and
 * the runner from disagreeing silently (see fcgi/sources.c).
 */
#ifndef IOCAGG_RUNNER_H
#define IOCAGG_RUNNER_H

enum runner_res {
	RUNNER_OK,		/* the runner has the change */
	RUNNER_UNREACHABLE,	/* no runner answered */
	RUNNER_REFUSED,		/* the runner refused (e.g. code error) */
};

/* "kind" is the sources.kind text: "python" or "javascript". */
enum runner_res	 runner_update(const char *kind, const char *source_id,
		    const char *code, char *err, size_t errsz);
enum runner_res	 runner_delete(const char *kind, const char *source_id,
		    char *err, size_t errsz);

#endif
