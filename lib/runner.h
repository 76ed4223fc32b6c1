/*
 * lib/runner.h -- the gRPC client of the Python and JavaScript runners
 * (iocagg-python-runner(8), iocagg-js-runner(8); proto/runner.proto).
 *
 *  - Lifecycle, for the management API and iocaggctl: runner_update(),
 *    runner_delete() and runner_init() tell the runner of a kind about
 *    source code (see the runner rule in fcgi/sources.c).
 *  - Lookups (lib/lookup.c): runner_fetch_start() runs one FetchData,
 *    optionally preceded by an Update, on a thread of its own and calls
 *    back when it is over, so calls run concurrently with each other
 *    and with the lookup's HTTP transfers.
 *  - fcgi/runners.c streams the runners' health through
 *    runner_channel().
 *  - iocagg-schedulerd(8) runs background tasks with runner_task().
 *
 * A runner's address is the server_config override of
 * python_runner_grpc_address or javascript_runner_grpc_address, or the
 * default below (the defaults of fcgi/config.c).  Each process keeps
 * one channel per address, shared by its threads.  gRPC's core is
 * initialised on first use, which in a FastCGI program is in a worker
 * process: gRPC runs threads of its own and must not cross a fork().
 * Every gRPC entry point is called with the signals blocked, so that
 * gRPC's threads never take a signal meant for the program.
 *
 * "kind" is the sources.kind text everywhere: "python" or
 * "javascript".
 */
#ifndef IOCAGG_RUNNER_H
#define IOCAGG_RUNNER_H

#include <signal.h>
#include <stddef.h>

struct db;
struct grpc_channel;

/* The defaults of the server_config keys (as fcgi/config.c has them). */
#define RUNNER_PYTHON_ADDRESS_DEF	"unix:/run/iocagg/python.sock"
#define RUNNER_JAVASCRIPT_ADDRESS_DEF	"unix:/run/iocagg/javascript.sock"

/* Largest message accepted from a runner (runner_output_max is 10 MB). */
#define RUNNER_RECV_MAX		(64 * 1024 * 1024)

enum runner_res {
	RUNNER_OK,		/* the runner has the change */
	RUNNER_UNREACHABLE,	/* no runner answered */
	RUNNER_REFUSED,		/* the runner refused (e.g. code error) */
};

/* "PYTHON" or "JAVA_SCRIPT" for a runner kind, else NULL. */
const char	*runner_wire(const char *kind);
/* The server_config key of the kind's address, or NULL. */
const char	*runner_address_key(const char *kind);
/* The default address of a runner kind, or NULL. */
const char	*runner_default_address(const char *kind);
/* The kind's address: its server_config override or the default
 * (xmalloc'd; the default when the database cannot be read). */
char		*runner_address(struct db *, const char *kind);

/* Lifecycle; "err" says why on anything but RUNNER_OK. */
enum runner_res	 runner_update(struct db *, const char *kind,
		    const char *source_id, const char *code, char *err,
		    size_t errsz);
enum runner_res	 runner_delete(struct db *, const char *kind,
		    const char *source_id, char *err, size_t errsz);
/* Init: replace the runner's whole set by every source of "kind" that
 * has code; "*n" is how many were sent. */
enum runner_res	 runner_init(struct db *, const char *kind, size_t *n,
		    char *err, size_t errsz);

/* --- Lower level ------------------------------------------------------- */

/* grpc_init(), once per process. */
void		 runner_grpc_init(void);
/* The process's channel to "address", made on first use and kept;
 * NULL if it cannot be made.  Thread-safe. */
struct grpc_channel *runner_channel(const char *address);
/*
 * One unary call of "method" ("/runner.Runner/Update") with the packed
 * request "req", within "timeout_ms".  Returns the gRPC status code;
 * on GRPC_STATUS_OK "*rep" is the packed reply (malloc'd, "*replen"
 * bytes, or NULL for an empty one).  "msg" gets the status message.
 */
int		 runner_unary(const char *address, const char *method,
		    const void *req, size_t reqlen, long long timeout_ms,
		    void **rep, size_t *replen, char *msg, size_t msgsz);

/* Block every signal in this thread ("old" keeps the mask), and back:
 * around gRPC calls made outside runner.c. */
void		 runner_sigs_block(sigset_t *old);
void		 runner_sigs_restore(const sigset_t *old);

/* --- Asynchronous FetchData -------------------------------------------- */

struct runner_kv {
	const char	*key;
	const char	*value;
};

struct runner_fetch_args {
	const char		*address;
	const char		*source_id;
	const char		*data;		/* the indicator */
	const char		*kind;		/* its upper-case kind */
	long long		 timeout_ms;	/* deadline and timeout_ms */
	const struct runner_kv	*secrets;
	size_t			 nsecrets;
	const struct runner_kv	*config;
	size_t			 nconfig;
	const char		*code;		/* non-NULL: Update first */
	void			(*wake)(void *); /* called when done */
	void			*wake_arg;
};

struct runner_fetch;

/* Start the call on a thread of its own (everything is copied); NULL
 * when no thread could be started. */
struct runner_fetch *runner_fetch_start(const struct runner_fetch_args *);
/* Has it finished? */
int		 runner_fetch_done(struct runner_fetch *);
/*
 * Once done: the gRPC status, its message, the reply's JSON text (on
 * OK) and whether the status is the Update's (only with "code").
 * Strings live as long as the handle.
 */
int		 runner_fetch_result(struct runner_fetch *, const char **msg,
		    const char **data, size_t *datalen, int *in_update);
/* Give the handle up, finished or not: "wake" is never called after
 * this returns, and the thread frees what is left. */
void		 runner_fetch_release(struct runner_fetch *);

/* --- BackgroundTask ------------------------------------------------------ */

struct runner_task_args {
	const char		*address;
	const char		*source_id;
	long long		 timeout_ms;	/* the runner's timeout_ms; the
						 * deadline is a little later */
	const struct runner_kv	*secrets;
	size_t			 nsecrets;
	const struct runner_kv	*config;
	size_t			 nconfig;
	volatile int		*stop;		/* non-zero: cancel, or NULL */
};

/*
 * One blocking BackgroundTask call (iocagg-schedulerd(8)).  Returns the
 * gRPC status with its message in "msg"; GRPC_STATUS_CANCELLED with
 * "stopped" when "*stop" ended it.  NOT_FOUND means the runner does
 * not have the code: send it with runner_update() and call again.
 */
int		 runner_task(const struct runner_task_args *, char *msg,
		    size_t msgsz);
/* A gRPC status code's name ("NOT_FOUND"), "?" if unknown. */
const char	*runner_status_name(int status);

#endif
