/*
 * runners/common/extern.h -- internal interfaces of the runner core,
 * grouped by source file.  The public entry point is core.h, the
 * language engines implement engine.h.
 *
 * Processes (see iocagg-python-runner(8)):
 *	core	the gRPC server (server.c, a completion-queue thread) and
 *		the worker pool (pool.c, one thread); never runs user code
 *		and never loads an interpreter.
 *	zygote	forked by runner_main() before anything else: loads the
 *		interpreter once, then forks workers on request (zygote.c).
 *	worker	one sandboxed process bound to one source for its whole
 *		life: limits, privileges, Landlock, seccomp (sandbox.c),
 *		then jobs from the core (worker.c).
 */
#ifndef IOCAGG_RUNNER_EXTERN_H
#define IOCAGG_RUNNER_EXTERN_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

struct engine;
struct rcall;
struct worker;

/* Settings, fixed at start-up (iocagg.conf and the environment). */
struct rset {
	char		 address[1024]; /* unix:PATH or host:port */
	char		 user[64];	/* workers' user if root */
	char		 scratch[512];	/* parent of scratch dirs */
	char		 proxy[1024];	/* user code's proxy, or "" */
	char		 user_agent[256]; /* of user code's HTTP */
	long long	 workers;	/* most worker processes at once */
	long long	 memory_max;	/* RLIMIT_AS of a worker, bytes */
	long long	 cpu_max;	/* RLIMIT_CPU of a worker, seconds */
	long long	 file_max;	/* RLIMIT_FSIZE of a worker, bytes */
	long long	 timeout_def;	/* ms of a call without one */
	long long	 timeout_max;	/* ms any call may take at most */
	long long	 output_max;	/* largest result, bytes */
	long long	 http_max;	/* largest HTTP answer read */
	int		 debug;		/* -d: workers keep stderr */
};

/* Worker results beyond enum eng_res. */
#define RES_TOO_BIG	100	/* result larger than output_max */
#define RES_SANDBOX	101	/* the worker could not start */

/* Largest frame a worker accepts (code, secrets, config). */
#define JOB_MAX		(64 * 1024 * 1024)
/* Log lines (and bytes per line) one call may write. */
#define LOG_LINES_MAX	100
#define LOG_LINE_MAX	2048
/* Longest error text passed on in a gRPC status. */
#define ERR_TEXT_MAX	4096

/* core.c */
extern struct rset	 rset;
extern const struct engine *reng;
long long		 runner_now_ms(void);

/* wire.c: 4-byte big-endian length + protobuf-c message. */
unsigned char		*wire_pack(const ProtobufCMessage *, size_t *);
int			 wire_send(int, const ProtobufCMessage *);
unsigned char		*wire_read(int, size_t, size_t *);
int			 wire_frame(const unsigned char *, size_t, size_t,
			    size_t *);
int			 fd_send(int, const void *, size_t, const int *,
			    int);
ssize_t			 fd_recv(int, void *, size_t, int *, int, int *);
void			 text_clean(char *);
int			 utf8_valid(const char *);

/* zygote.c: the core's side of the zygote protocol (SOCK_SEQPACKET). */
enum zmsg_type {
	ZM_READY,		/* status 0: the zygote serves; -1: failed */
	ZM_SPAWNED,		/* worker "id" is "pid"; + socket, pidfd */
	ZM_FAILED,		/* worker "id" could not be forked */
	ZM_EXITED,		/* "pid" ended with wait(2) "status" */
};
struct zmsg {
	uint32_t	 type;		/* enum zmsg_type */
	uint32_t	 id;		/* the core's worker id */
	int32_t		 pid;
	int32_t		 status;
};
struct zreq {
	uint32_t	 id;		/* spawn a worker known as "id" */
};
pid_t			 zygote_fork(const struct engine *, int *);
int			 zygote_configure(int, const struct rset *);

/* sandbox.c */
int			 sandbox_enter(const char *, char *, size_t);
void			 sandbox_report(void);

/* worker.c */
void			 worker_preload(void);
void			 worker_main(int) __attribute__((noreturn));

/* server.c */
int			 server_start(const char *);
void			 server_run(void);
void			 server_stop(void);
void			 server_destroy(void);
void			 rcall_finish(struct rcall *, int, const char *,
			    const ProtobufCMessage *);
int			 rcall_cancelled(const struct rcall *);
const char		*rcall_peer(const struct rcall *);

/* pool.c */
enum job_type {
	JOB_FETCH,		/* Runner.FetchData */
	JOB_TASK,		/* Runner.BackgroundTask */
	JOB_UPDATE,		/* Runner.Update: check on a fresh worker */
	JOB_DELETE,		/* Runner.Delete */
	JOB_INIT,		/* Runner.Init */
};

/* One RPC on its way through the pool; see pool_submit(). */
struct job {
	enum job_type	 type;
	struct rcall	*call;		/* answered exactly once */
	ProtobufCMessage *req;		/* the unpacked request (owned) */
	const char	*source;	/* in "req" */
	const char	*code;		/* in "req": JOB_UPDATE */
	long long	 deadline;	/* runner_now_ms() time */
	unsigned long long seq;		/* arrival order (pool.c) */
	struct worker	*w;		/* its worker, if any */
	int		 loaded;	/* the worker holds its code */
	TAILQ_ENTRY(job) entry;
};

int			 pool_start(int, pid_t);
void			 pool_submit(struct job *);
int			 pool_join(void);
void			 job_free(struct job *);

#endif
