/*
 * runners/common/sandbox.c -- the last step of a worker's start-up,
 * after its limits and its user are set and before it reads its first
 * job: Landlock for the file system, then a seccomp filter for the
 * system calls.  Both are inherited by every thread and cannot be
 * lifted.  The interpreter is already loaded (in the zygote).
 *
 * File system (Landlock, Linux 5.13+): read-only access to /usr (the
 * interpreter's library and shared objects), the TLS trust store and
 * the few files of /etc the resolver reads; read-write access to the
 * worker's own scratch directory and /dev/null; nothing else -- not
 * /etc/passwd, not the suite's configuration or keys, not /proc, not
 * the other workers' directories.  Where the kernel has no Landlock,
 * the filter below refuses every open(2) instead (EACCES), so only
 * modules the engine preloaded can be imported; the warning is logged.
 *
 * System calls (seccomp, default allow, this deny list): no program
 * can be started (execve), no process created (fork, vfork, clone
 * without CLONE_THREAD; clone3 reports ENOSYS so that threads use
 * clone), no other process touched (ptrace, process_vm_*, kill and
 * friends except to the worker itself, pidfd_*), no privilege or
 * namespace change, no kernel-facing interfaces (bpf, perf, modules,
 * keyrings, io_uring, userfaultfd, mount).  Sockets: only AF_INET,
 * AF_INET6 and NETLINK_ROUTE (libcurl and the resolver); no AF_UNIX,
 * so the local sockets of PostgreSQL, Redis, NGINX or the runner
 * itself are out of reach (an unconnected socketpair(2) is allowed:
 * asyncio wants one).  Threads stay allowed: libcurl resolves
 * host names on a thread.  Calls of another architecture (int 0x80)
 * kill the process (libseccomp's default for a foreign arch).
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>

#include <seccomp.h>

#include "extern.h"
#include "log.h"

/* The Landlock ABI, from <linux/landlock.h> (stable kernel ABI). */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif
#define LL_CREATE_RULESET_VERSION	(1U << 0)
#define LL_RULE_PATH_BENEATH		1
#define LL_FS_EXECUTE			(1ULL << 0)
#define LL_FS_WRITE_FILE		(1ULL << 1)
#define LL_FS_READ_FILE			(1ULL << 2)
#define LL_FS_READ_DIR			(1ULL << 3)
#define LL_FS_REMOVE_DIR		(1ULL << 4)
#define LL_FS_REMOVE_FILE		(1ULL << 5)
#define LL_FS_MAKE_CHAR			(1ULL << 6)
#define LL_FS_MAKE_DIR			(1ULL << 7)
#define LL_FS_MAKE_REG			(1ULL << 8)
#define LL_FS_MAKE_SOCK			(1ULL << 9)
#define LL_FS_MAKE_FIFO			(1ULL << 10)
#define LL_FS_MAKE_BLOCK		(1ULL << 11)
#define LL_FS_MAKE_SYM			(1ULL << 12)
#define LL_FS_REFER			(1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE			(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV			(1ULL << 15)	/* ABI 5 */
#define LL_SCOPE_ABSTRACT_UNIX		(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL			(1ULL << 1)	/* ABI 6 */

struct ll_ruleset_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;	/* ABI 4 */
	uint64_t	 scoped;		/* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t	 allowed_access;
	int32_t		 parent_fd;
} __attribute__((packed));

#define LL_READ		(LL_FS_READ_FILE | LL_FS_READ_DIR)

/*
 * What a worker may read besides its scratch directory.  A missing
 * path is skipped.  /lib and /lib64 are symbolic links into /usr on
 * Debian, and Landlock rules follow the link target.
 */
static const struct {
	const char	*path;
	uint64_t	 access;
} ll_paths[] = {
	{ "/usr",			LL_READ },
	{ "/lib",			LL_READ },
	{ "/lib64",			LL_READ },
	{ "/etc/ssl",			LL_READ },
	{ "/etc/ca-certificates",	LL_READ },
	{ "/etc/ld.so.cache",		LL_FS_READ_FILE },
	{ "/etc/localtime",		LL_FS_READ_FILE },
	{ "/etc/resolv.conf",		LL_FS_READ_FILE },
	{ "/etc/hosts",			LL_FS_READ_FILE },
	{ "/etc/host.conf",		LL_FS_READ_FILE },
	{ "/etc/nsswitch.conf",		LL_FS_READ_FILE },
	{ "/etc/gai.conf",		LL_FS_READ_FILE },
	{ "/dev/null",		LL_FS_READ_FILE | LL_FS_WRITE_FILE },
	{ "/dev/urandom",		LL_FS_READ_FILE },
	{ "/dev/zero",			LL_FS_READ_FILE },
};

static int
ll_add(int rfd, const char *path, uint64_t access, uint64_t handled)
{
	struct ll_path_beneath_attr	 pb;
	int				 fd, rc;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	pb.allowed_access = access & handled;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, rfd, LL_RULE_PATH_BENEATH,
	    &pb, 0);
	(void)close(fd);
	return rc == -1 ? -1 : 0;
}

/*
 * Confine the file system view to ll_paths[] and "scratch".  Returns 1
 * when Landlock is in force, 0 when the kernel has none, -1 on error
 * (with a message in "err").
 */
static int
landlock_enter(const char *scratch, char *err, size_t errsz)
{
	struct ll_ruleset_attr	 ra;
	size_t			 i, rasz;
	uint64_t		 scratch_access;
	int			 abi, rfd;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;

	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = LL_FS_EXECUTE | LL_FS_WRITE_FILE |
	    LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_REMOVE_DIR |
	    LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR |
	    LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO |
	    LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM;
	if (abi >= 2)
		ra.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		ra.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		ra.handled_access_fs |= LL_FS_IOCTL_DEV;
	rasz = sizeof(ra.handled_access_fs);
	if (abi >= 6) {
		/* No signal to, no abstract socket of, anything outside. */
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		rasz = sizeof(ra);
	}
	if ((rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, rasz,
	    0)) == -1) {
		(void)snprintf(err, errsz, "landlock_create_ruleset: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(ll_paths) / sizeof(ll_paths[0]); i++)
		if (ll_add(rfd, ll_paths[i].path, ll_paths[i].access,
		    ra.handled_access_fs) == -1) {
			(void)snprintf(err, errsz, "landlock %s: %s",
			    ll_paths[i].path, strerror(errno));
			goto fail;
		}
	scratch_access = LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_WRITE_FILE |
	    LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR |
	    LL_FS_MAKE_REG | LL_FS_REFER | LL_FS_TRUNCATE;
	if (ll_add(rfd, scratch, scratch_access, ra.handled_access_fs) ==
	    -1) {
		(void)snprintf(err, errsz, "landlock %s: %s", scratch,
		    strerror(errno));
		goto fail;
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		(void)snprintf(err, errsz, "landlock_restrict_self: %s",
		    strerror(errno));
		goto fail;
	}
	(void)close(rfd);
	return 1;
fail:
	(void)close(rfd);
	return -1;
}

/* System calls refused with EPERM, whatever their arguments. */
static const char *const denied[] = {
	"execve", "execveat", "fork", "vfork", "ptrace",
	"process_vm_readv", "process_vm_writev", "kcmp",
	"pidfd_open", "pidfd_getfd", "pidfd_send_signal", "tkill",
	"mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
	"mount_setattr", "move_mount", "open_tree", "fsopen", "fsconfig",
	"fsmount", "fspick",
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl",
	"bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key",
	"request_key", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "iopl", "ioperm", "syslog", "vhangup",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"sethostname", "setdomainname", "mknod", "mknodat",
	"name_to_handle_at", "open_by_handle_at", "fanotify_init",
	"lookup_dcookie", "personality",
	"setuid", "setgid", "setreuid", "setregid", "setresuid",
	"setresgid", "setgroups", "setfsuid", "setfsgid", "capset",
};

/* With no Landlock: every way to open a file by name. */
static const char *const opens[] = {
	"open", "openat", "openat2", "creat",
};

static int
deny(scmp_filter_ctx ctx, const char *name, int err)
{
	int	 nr;

	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return 0;		/* not on this architecture */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

static int
seccomp_enter(int strict_files, char *err, size_t errsz)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	pid_t		 self = getpid();
	int		 af, rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		(void)snprintf(err, errsz, "seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (deny(ctx, denied[i], EPERM) < 0)
			goto out;
	if (strict_files)
		for (i = 0; i < sizeof(opens) / sizeof(opens[0]); i++)
			if (deny(ctx, opens[i], EACCES) < 0)
				goto out;

	/* Threads only: a clone without CLONE_THREAD is a new process. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0) < 0)
		goto out;

	/* Signals only to this process (abort(3), raise(3)). */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(rt_sigqueueinfo), 1,
	    SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(rt_tgsigqueueinfo), 1,
	    SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self)) < 0)
		goto out;

	/* Socket families: IPv4, IPv6 and NETLINK_ROUTE only. */
	for (af = 0; af < AF_MAX; af++) {
		if (af == AF_INET || af == AF_INET6)
			continue;
		if (af == AF_NETLINK) {
			if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT),
			    SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ,
			    (scmp_datum_t)af), SCMP_A2(SCMP_CMP_NE,
			    NETLINK_ROUTE)) < 0)
				goto out;
			continue;
		}
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT),
		    SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ,
		    (scmp_datum_t)af)) < 0)
			goto out;
	}
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT),
	    SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GE, AF_MAX)) < 0)
		goto out;

	/* seccomp_load() sets no_new_privs (SCMP_FLTATR_CTL_NNP). */
	if (seccomp_load(ctx) < 0)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		(void)snprintf(err, errsz, "cannot install the seccomp "
		    "filter");
	seccomp_release(ctx);
	return rc;
}

/*
 * Enter the sandbox; called once by a new worker, after its limits and
 * privileges are set.  Returns 0, or -1 with a message in "err".
 */
int
sandbox_enter(const char *scratch, char *err, size_t errsz)
{
	int	 ll;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		(void)snprintf(err, errsz, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	if ((ll = landlock_enter(scratch, err, errsz)) == -1)
		return -1;
	return seccomp_enter(ll == 0, err, errsz);
}

/*
 * Once, in the zygote: say which file-system confinement workers get.
 */
void
sandbox_report(void)
{
	int	 abi;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
	if (abi >= 1)
		log_debug("workers are confined by Landlock ABI %d", abi);
	else
		log_warnx("the kernel has no Landlock: workers may open no "
		    "file at all (only preloaded modules can be imported, "
		    "/etc/hosts is not read)");
}
