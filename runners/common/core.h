/*
 * runners/common/core.h -- the runner core, shared by
 * iocagg-python-runner and iocagg-js-runner.  A runner's main.c is
 *
 *	int
 *	main(int argc, char *argv[])
 *	{
 *		return runner_main(argc, argv, &engine_python);
 *	}
 *
 * and everything else (options, gRPC server, worker processes, limits,
 * sandbox, the host API given to user code) lives in runners/common/.
 * See iocagg-python-runner(8).
 */
#ifndef IOCAGG_RUNNER_CORE_H
#define IOCAGG_RUNNER_CORE_H

struct engine;

/*
 * Parse the options "-dn -f file -s address", then serve gRPC with
 * "eng" until SIGTERM or SIGINT.  Returns the process exit status.
 */
int		 runner_main(int argc, char *argv[],
		    const struct engine *eng);

/*
 * Now on CLOCK_MONOTONIC in milliseconds: the clock of every
 * "deadline_ms" the core passes to an engine (engine.h).  An engine
 * that checks time itself returns ENG_TIMEOUT once
 * runner_now_ms() >= deadline_ms.
 */
long long	 runner_now_ms(void);

#endif
