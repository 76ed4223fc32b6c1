/*
 * runners/common/core.c -- runner_main(): options, settings, start-up
 * order and shutdown of a runner (iocagg-python-runner(8)).
 *
 * Start-up order matters:
 *  1. the zygote is forked before the configuration is read and before
 *     any thread exists (zygote.c explains why);
 *  2. the configuration is read and the zygote gets the settings; it
 *     loads the interpreter and reports ready;
 *  3. signals are blocked (every later thread, gRPC's included,
 *     inherits the mask; the pool thread takes them from a signalfd);
 *  4. grpc_init(), the server binds its address (server.c);
 *  5. the pool thread starts (pool.c), READY=1 goes to the service
 *     manager (Type=notify), and the main thread runs the completion
 *     queue until SIGTERM or SIGINT stop the server.
 *
 * Settings.  Every runner setting is a key of iocagg.conf(5) (lib/conf.c,
 * which also applies IOCAGG_<KEY> from the environment and checks the
 * ranges): the runner reads them through conf_*() only.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "compat.h"
#include "conf.h"
#include "engine.h"
#include "extern.h"
#include "log.h"
#include "core.h"

struct rset		 rset;
const struct engine	*reng;

long long
runner_now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
usage(void)
{
	(void)fprintf(stderr,
	    "usage: %s [-dn] [-f file] [-s address]\n",
	    program_invocation_short_name);
	exit(1);
}

/* A text setting; empty means "def". */
static const char *
rconf_str(const char *key, const char *def)
{
	const char	*v = conf_str(key);

	return *v != '\0' ? v : def;
}

static int
copy_setting(char *dst, size_t dstsz, const char *key, const char *v,
    char *err, size_t errsz)
{
	if (strlcpy(dst, v, dstsz) >= dstsz) {
		(void)snprintf(err, errsz, "%s: value is too long", key);
		return -1;
	}
	return 0;
}

/*
 * Read iocagg.conf ("file", or the default) and the runner settings
 * into "s".  "addr" (-s) wins over the configured address.  Returns 0,
 * or -1 with a message in "err".
 */
static int
settings_load(const char *file, const char *addr, struct rset *s,
    char *err, size_t errsz)
{
	char		 key[64], def[1024], path[1100];
	const char	*v;

	if (conf_load(file, err, errsz) == -1)
		return -1;
	if (!s->debug)
		log_set_level(conf_str("log_level"));

	(void)snprintf(key, sizeof(key), "%s_runner_address", reng->name);
	(void)snprintf(def, sizeof(def), "unix:%s/%s.sock",
	    conf_str("run_dir"), reng->name);
	v = addr != NULL && *addr != '\0' ? addr : rconf_str(key, def);
	if (*v == '/') {
		(void)snprintf(path, sizeof(path), "unix:%s", v);
		v = path;
	}
	if (copy_setting(s->address, sizeof(s->address), key, v, err,
	    errsz) == -1)
		return -1;
	if (copy_setting(s->user, sizeof(s->user), "runner_user",
	    rconf_str("runner_user", "nobody"), err, errsz) == -1 ||
	    copy_setting(s->scratch, sizeof(s->scratch), "runner_scratch_dir",
	    rconf_str("runner_scratch_dir", "/tmp"), err, errsz) == -1 ||
	    copy_setting(s->proxy, sizeof(s->proxy), "upstream_proxy",
	    conf_str("upstream_proxy"), err, errsz) == -1 ||
	    copy_setting(s->user_agent, sizeof(s->user_agent), "user_agent",
	    conf_str("user_agent"), err, errsz) == -1)
		return -1;
	if (s->scratch[0] != '/') {
		(void)snprintf(err, errsz, "runner_scratch_dir: '%s' is not "
		    "an absolute path", s->scratch);
		return -1;
	}
	/* lib/conf.c checked the ranges. */
	s->workers = conf_int("runner_workers");
	s->memory_max = conf_int("runner_memory_max");
	s->cpu_max = conf_int("runner_cpu_max");
	s->file_max = conf_int("runner_file_max");
	s->timeout_max = conf_int("runner_timeout_max");
	s->output_max = conf_int("runner_output_max");
	s->timeout_def = conf_int("source_timeout") * 1000;
	if (s->timeout_def > s->timeout_max)
		s->timeout_def = s->timeout_max;
	s->http_max = conf_int("upstream_response_max");
	return 0;
}

int
runner_main(int argc, char *argv[], const struct engine *e)
{
	const char	*file = NULL, *addr = NULL;
	char		 err[1024];
	sigset_t	 mask;
	pid_t		 zpid;
	int		 ch, nflag = 0, zfd, rc = 1;

	reng = e;
	memset(&rset, 0, sizeof(rset));
	while ((ch = getopt(argc, argv, "df:ns:")) != -1) {
		switch (ch) {
		case 'd':
			rset.debug = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			nflag = 1;
			break;
		case 's':
			addr = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(program_invocation_short_name, rset.debug);

	if (nflag) {
		if (settings_load(file, addr, &rset, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			return 1;
		}
		(void)printf("configuration OK: %s runner on %s, %lld "
		    "workers\n", e->name, rset.address, rset.workers);
		return 0;
	}

	/* 1. Before the configuration and before any thread. */
	zpid = zygote_fork(e, &zfd);

	/* 2. */
	if (settings_load(file, addr, &rset, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	if (zygote_configure(zfd, &rset) == -1) {
		log_warnx("the worker process manager failed to start");
		goto out;
	}

	/* 3. */
	(void)signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0) {
		log_warnx("cannot block signals");
		goto out;
	}

	/* 4. */
	if (server_start(rset.address) == -1)
		goto out;

	/* 5. */
	if (pool_start(zfd, zpid) == -1) {
		server_stop();
		server_run();
		server_destroy();
		goto out;
	}
	zfd = -1;		/* the pool owns it */
	log_info("%s runner serving on %s (%lld workers)", e->name,
	    rset.address, rset.workers);
	(void)sd_notifyf(0, "READY=1\nSTATUS=Serving on %s", rset.address);
	server_run();
	(void)sd_notify(0, "STOPPING=1");
	rc = pool_join();
	server_destroy();
	log_info("stopped");
out:
	if (zfd != -1) {
		(void)close(zfd);	/* the zygote cleans up and exits */
		(void)waitpid(zpid, NULL, 0);
	}
	return rc;
}
