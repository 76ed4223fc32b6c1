/*
 * runners/common/zygote.c -- the process that makes workers.
 *
 * runner_main() forks the zygote first thing: before the configuration
 * is read (so no database URL or other secret of iocagg.conf is ever in
 * a worker's memory), before gRPC starts its threads (fork(2) and
 * threads do not mix) and with an emptied environment.  The zygote
 * receives the settings, loads the interpreter once (engine init),
 * and then forks one worker per request of the core, so a new worker
 * costs a fork, not an interpreter start-up.  It never runs user code.
 *
 * For each worker the zygote makes a scratch directory, a socketpair
 * and, after fork(2), a pidfd; it hands the core its end of the socket
 * and the pidfd (SCM_RIGHTS), reaps the worker when it ends, removes
 * its directory and reports the wait status (ZM_EXITED).  The new
 * worker sets its limits, drops privileges, enters the sandbox and
 * serves jobs (worker.c).  When the core closes its socket the zygote
 * kills the remaining workers, cleans up and exits.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "engine.h"
#include "extern.h"
#include "log.h"
#include "proto/worker.pb-c.h"
#include "xmalloc.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif

/* Worker file descriptor: its socket to the core. */
#define WORKER_FD	3

struct zkid {
	pid_t		 pid;
	char		*dir;		/* scratch directory */
};

static struct zkid	*kids;
static size_t		 nkids, kidcap;
static char		 zbase[PATH_MAX]; /* parent of scratch dirs */
static uid_t		 wuid;
static gid_t		 wgid;
static int		 wdrop;	/* root: run workers as rset.user */
static pid_t		 zpid;

static void	zygote_main(int, const struct engine *)
		    __attribute__((noreturn));

/*
 * Fork the zygote.  Returns its pid and sets *fdp to the core's end of
 * the control socket; the child never returns.  Call it before
 * anything starts a thread or reads a secret.
 */
pid_t
zygote_fork(const struct engine *e, int *fdp)
{
	int	 sv[2];
	pid_t	 pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		(void)close(sv[0]);
		zygote_main(sv[1], e);
	default:
		break;
	}
	(void)close(sv[1]);
	*fdp = sv[0];
	return pid;
}

/*
 * The core's side of the start-up: send the settings, wait until the
 * zygote has loaded the interpreter.  0, or -1 if it failed (it
 * logged why).
 */
int
zygote_configure(int fd, const struct rset *s)
{
	struct zmsg	 m;
	ssize_t		 n;

	if (send(fd, s, sizeof(*s), MSG_NOSIGNAL) != (ssize_t)sizeof(*s))
		return -1;
	do
		n = recv(fd, &m, sizeof(m), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(m) || m.type != ZM_READY || m.status != 0)
		return -1;
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)f;
	if (type == FTW_DNR)
		(void)chmod(path, 0700);	/* the next pass gets it */
	else if (type == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

/* rm -rf "dir", never following symbolic links the worker made. */
static void
rmtree(const char *dir)
{
	int	 i;

	for (i = 0; i < 3 && access(dir, F_OK) == 0; i++)
		(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void
zsend(int fd, enum zmsg_type type, uint32_t id, pid_t pid, int status,
    const int *fds, int nfds)
{
	struct zmsg	 m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.id = id;
	m.pid = pid;
	m.status = status;
	/* EPIPE: the core is shutting down and no longer listens. */
	if (fd_send(fd, &m, sizeof(m), fds, nfds) == -1 && errno != EPIPE &&
	    errno != ECONNRESET)
		log_warn("zygote: send to the core");
}

/*
 * Tell the core a worker could not start, as the answer to its first
 * job, then end.  Used before the sandbox is complete.
 */
static void __attribute__((noreturn))
worker_fail(int fd, const char *what)
{
	Worker__Msg	 m = WORKER__MSG__INIT;
	char		 buf[512];

	(void)snprintf(buf, sizeof(buf), "worker start-up: %s", what);
	log_warnx("%s", buf);
	m.type = WORKER__MSG__TYPE__RESULT;
	m.res = RES_SANDBOX;
	m.text = buf;
	(void)wire_send(fd, &m.base);
	_exit(1);
}

/* The limits of a worker (setrlimit(2)); see iocagg-python-runner(8). */
static int
worker_limits(char *err, size_t errsz)
{
	const struct {
		int	 res;
		rlim_t	 soft;
		rlim_t	 hard;
		const char *name;
	} lim[] = {
		{ RLIMIT_AS, (rlim_t)rset.memory_max, (rlim_t)rset.memory_max,
		    "RLIMIT_AS" },
		{ RLIMIT_CPU, (rlim_t)rset.cpu_max, (rlim_t)rset.cpu_max + 5,
		    "RLIMIT_CPU" },
		{ RLIMIT_FSIZE, (rlim_t)rset.file_max, (rlim_t)rset.file_max,
		    "RLIMIT_FSIZE" },
		{ RLIMIT_CORE, 0, 0, "RLIMIT_CORE" },
		{ RLIMIT_NOFILE, 256, 256, "RLIMIT_NOFILE" },
		{ RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK" },
		{ RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE" },
	};
	struct rlimit	 rl;
	size_t		 i;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		rl.rlim_cur = lim[i].soft;
		rl.rlim_max = lim[i].hard;
		if (setrlimit(lim[i].res, &rl) == -1) {
			(void)snprintf(err, errsz, "%s: %s", lim[i].name,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * The new worker, in the child of fork(2): descriptors, signals,
 * directory, limits, user, sandbox, then jobs.  Never returns.
 */
static void __attribute__((noreturn))
worker_child(int sock, const char *dir)
{
	sigset_t	 none;
	char		 err[512];
	int		 fd, nul;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != zpid)
		_exit(1);
	(void)setsid();
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGXFSZ, SIG_IGN);		/* EFBIG instead */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGTERM, SIG_DFL);

	/* Descriptors: /dev/null on 0 and 1, the socket on 3. */
	if ((fd = fcntl(sock, F_DUPFD, 10)) == -1 ||
	    (nul = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(nul, 0) == -1 || dup2(nul, 1) == -1 ||
	    dup2(fd, WORKER_FD) == -1)
		_exit(1);
	(void)close_range(WORKER_FD + 1, ~0U, 0);

	if (chdir(dir) == -1) {
		(void)snprintf(err, sizeof(err), "chdir to the scratch "
		    "directory: %s", strerror(errno));
		worker_fail(WORKER_FD, err);
	}
	if (worker_limits(err, sizeof(err)) == -1)
		worker_fail(WORKER_FD, err);
	if (wdrop) {
		if (setgroups(0, NULL) == -1 ||
		    setresgid(wgid, wgid, wgid) == -1 ||
		    setresuid(wuid, wuid, wuid) == -1) {
			(void)snprintf(err, sizeof(err), "cannot become %s: "
			    "%s", rset.user, strerror(errno));
			worker_fail(WORKER_FD, err);
		}
		if (setuid(0) != -1)
			worker_fail(WORKER_FD, "privileges were not dropped");
	}
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (sandbox_enter(dir, err, sizeof(err)) == -1)
		worker_fail(WORKER_FD, err);

	/* From here on, stderr is the user's: not the runner's log. */
	if (!rset.debug)
		(void)dup2(0, 2);
	worker_main(WORKER_FD);
}

/* Fork worker "id" for the core on "fd". */
static void
spawn(int fd, int sfd, uint32_t id)
{
	char	 dir[PATH_MAX];
	int	 sv[2] = { -1, -1 }, fds[2], pidfd;
	pid_t	 pid;

	if (snprintf(dir, sizeof(dir), "%s/w%u.XXXXXX", zbase, id) >=
	    (int)sizeof(dir) || mkdtemp(dir) == NULL) {
		log_warn("zygote: scratch directory in %s", zbase);
		zsend(fd, ZM_FAILED, id, 0, errno, NULL, 0);
		return;
	}
	if ((wdrop && chown(dir, wuid, wgid) == -1) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("zygote: worker set-up");
		goto fail;
	}
	if (nkids == kidcap) {
		kidcap = kidcap == 0 ? 16 : kidcap * 2;
		kids = xreallocarray(kids, kidcap, sizeof(*kids));
	}
	switch ((pid = fork())) {
	case -1:
		log_warn("zygote: fork");
		goto fail;
	case 0:
		(void)close(sv[0]);
		(void)close(fd);
		(void)close(sfd);
		worker_child(sv[1], dir);
	default:
		break;
	}
	(void)close(sv[1]);
	kids[nkids].pid = pid;
	kids[nkids].dir = xstrdup(dir);
	nkids++;
	/* A pidfd cannot hit a recycled pid: we have not reaped it. */
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1) {
		log_warn("zygote: pidfd_open");
		(void)kill(pid, SIGKILL);
		(void)close(sv[0]);
		zsend(fd, ZM_FAILED, id, 0, errno, NULL, 0);
		return;
	}
	fds[0] = sv[0];
	fds[1] = pidfd;
	zsend(fd, ZM_SPAWNED, id, pid, 0, fds, 2);
	(void)close(sv[0]);
	(void)close(pidfd);
	return;
fail:
	if (sv[0] != -1) {
		(void)close(sv[0]);
		(void)close(sv[1]);
	}
	rmtree(dir);
	zsend(fd, ZM_FAILED, id, 0, errno, NULL, 0);
}

/* Reap every ended worker; tell the core unless "fd" is -1. */
static void
reap(int fd, int block)
{
	size_t	 i;
	pid_t	 pid;
	int	 st;

	while ((pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		for (i = 0; i < nkids; i++)
			if (kids[i].pid == pid)
				break;
		if (i == nkids)
			continue;
		rmtree(kids[i].dir);
		free(kids[i].dir);
		kids[i] = kids[--nkids];
		if (fd != -1)
			zsend(fd, ZM_EXITED, 0, pid, st, NULL, 0);
	}
}

static void
zygote_main(int fd, const struct engine *e)
{
	struct pollfd		 pfd[2];
	struct signalfd_siginfo	 si;
	struct passwd		*pw;
	struct zreq		 req;
	sigset_t		 mask;
	ssize_t			 n;
	size_t			 i;
	int			 sfd, ready = -1;

	zpid = getpid();
	(void)signal(SIGINT, SIG_IGN);		/* the core decides */
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)clearenv();
	(void)setenv("PATH", "/usr/bin:/bin", 1);
	(void)setenv("LANG", "C.UTF-8", 1);

	do
		n = recv(fd, &rset, sizeof(rset), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(rset))
		_exit(0);		/* the core ended (-n, bad config) */
	rset.address[sizeof(rset.address) - 1] = '\0';
	rset.user[sizeof(rset.user) - 1] = '\0';
	rset.scratch[sizeof(rset.scratch) - 1] = '\0';
	rset.proxy[sizeof(rset.proxy) - 1] = '\0';
	rset.user_agent[sizeof(rset.user_agent) - 1] = '\0';
	if (rset.debug)
		log_init(NULL, 1);

	if (geteuid() == 0) {
		if ((pw = getpwnam(rset.user)) == NULL || pw->pw_uid == 0) {
			log_warnx("runner_user '%s' is %s", rset.user,
			    pw == NULL ? "unknown" : "root");
			goto out;
		}
		wuid = pw->pw_uid;
		wgid = pw->pw_gid;
		wdrop = 1;
	}
	if (snprintf(zbase, sizeof(zbase), "%s/iocagg-%s-runner.XXXXXX",
	    rset.scratch, e->name) >= (int)sizeof(zbase) ||
	    mkdtemp(zbase) == NULL) {
		log_warn("scratch directory in %s", rset.scratch);
		zbase[0] = '\0';
		goto out;
	}
	if (chmod(zbase, 0711) == -1) {
		log_warn("chmod %s", zbase);
		goto out;
	}
	sandbox_report();
	worker_preload();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("curl_global_init failed");
		goto out;
	}
	if (e->init() == -1) {
		log_warnx("the %s engine failed to start", e->name);
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		log_warn("zygote: signalfd");
		goto out;
	}
	ready = 0;
	zsend(fd, ZM_READY, 0, 0, 0, NULL, 0);

	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("zygote: poll");
			break;
		}
		if (pfd[1].revents & POLLIN) {
			while (read(sfd, &si, sizeof(si)) > 0)
				continue;
			reap(fd, 0);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			do
				n = recv(fd, &req, sizeof(req), 0);
			while (n == -1 && errno == EINTR);
			if (n <= 0)
				break;		/* the core is gone */
			if (n == (ssize_t)sizeof(req))
				spawn(fd, sfd, req.id);
		}
	}
out:
	if (ready == -1)
		zsend(fd, ZM_READY, 0, 0, -1, NULL, 0);
	for (i = 0; i < nkids; i++)
		(void)kill(kids[i].pid, SIGKILL);
	while (nkids > 0 && errno != ECHILD)
		reap(-1, 1);
	if (zbase[0] != '\0')
		rmtree(zbase);
	_exit(0);
}
