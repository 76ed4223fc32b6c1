/*
 * daemons/iocagg-schedulerd.c -- runs the sources' background tasks
 * (feed downloads, the background_task() of Python and JavaScript
 * sources) every sources.task_interval seconds.  See
 * iocagg-schedulerd(8).
 *
 * Any number of schedulers, on any number of hosts, share one database
 * and never run one source's task twice at the same time:
 *
 *  - task_schedule (sql/0006-scheduler.sql) holds each source's due
 *    time.  A run is claimed in one transaction: the schedule row is
 *    locked with FOR UPDATE SKIP LOCKED, then a session advisory lock
 *    on the source is taken on the run's own connection, a RUNNING
 *    task_runs row is written and the row's due time moved on.  The
 *    advisory lock is held until the run's row is final and committed,
 *    so whoever can take it knows that no run of that source is alive.
 *  - A scheduler that dies (kill -9, a crashed host) loses its
 *    connections, and PostgreSQL drops its locks.  Every scheduler
 *    looks for RUNNING rows every SWEEP_MS; one whose source lock it
 *    can take was abandoned: it becomes ABANDONED and the task is due
 *    at once.
 *  - Due times are on the database's clock (lib/schedule.c), so hosts
 *    whose clocks disagree schedule alike.
 *
 * The main thread listens for source changes (LISTEN iocagg_sources,
 * with a re-scan every RESCAN_MS as safety net), talks to systemd
 * (sd_notify: READY, STATUS, WATCHDOG, STOPPING) and starts one thread
 * per run, at most "-j" at a time.  A run's thread has two connections
 * of its own: one holding the lock, one (struct db) for the task.
 * Signals are only taken by the main thread: SIGTERM sets the stop
 * flag every running task sees; SIGHUP reloads the configuration once
 * no task runs.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <grpc/status.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <systemd/sd-daemon.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "runner.h"
#include "schedule.h"
#include "source.h"
#include "srcsecrets.h"
#include "xmalloc.h"

#define PROG		"iocagg-schedulerd"
#define CHANNEL		"iocagg_sources"
#define LOCK_CLASS	"1768910689"	/* advisory lock class: "ioca" */
#define RESCAN_MS	60000		/* re-read the sources anyway */
#define SWEEP_MS	5000		/* look for abandoned runs */
#define BUSY_RETRY_MS	1000		/* a claim lost to another scheduler */
#define DB_RETRY_MS	2000		/* the database is unreachable */
#define TASK_DEADLINE_S	3600		/* a built-in task's time limit */
#define JOBS_DEF	4
#define ERR_MAX		1024		/* bytes of a run's error kept */

/* Milliseconds since the epoch of the database's clock, and back. */
#define NOW_MS		"(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
#define NOW_TS		"(clock_timestamp() AT TIME ZONE 'utc')"
#define MS(col)		"(extract(epoch FROM " col ") * 1000)::bigint"
#define TS(par)		"(to_timestamp(" par "::bigint / 1000.0) AT TIME ZONE 'utc')"

/*
 * A source whose task may run: enabled, task enabled with an interval,
 * its provider (if any) enabled, something to run (a built-in, whose
 * task hook is checked in C, or code), and for runner kinds the
 * runner switched on (python_runner_enabled defaults to true,
 * javascript_runner_enabled to false, as in lookups).
 */
#define ELIGIBLE \
	"(s.enabled AND s.task_enabled AND s.task_interval IS NOT NULL" \
	" AND (p.id IS NULL OR p.enabled)" \
	" AND ((s.kind = 'system' AND s.builtin IS NOT NULL)" \
	" OR (s.kind = 'python' AND s.source_code IS NOT NULL AND" \
	" coalesce((SELECT value FROM server_config WHERE" \
	" key = 'python_runner_enabled'), 'true') = 'true')" \
	" OR (s.kind = 'javascript' AND s.source_code IS NOT NULL AND" \
	" coalesce((SELECT value FROM server_config WHERE" \
	" key = 'javascript_runner_enabled'), 'false') = 'true')))"

static const char *const sql_scan =
	"SELECT s.id, s.slug, s.kind::text AS kind, s.builtin,"
	" s.task_interval, ts.source_id IS NOT NULL AS has_schedule,"
	" ts.interval, ts.failures, ts.last_status,"
	" " MS("ts.next_due_at") " AS next_ms,"
	" " MS("ts.last_started_at") " AS started_ms,"
	" " MS("ts.last_ended_at") " AS ended_ms,"
	" " NOW_MS " AS now_ms"
	" FROM sources s LEFT JOIN providers p ON p.id = s.provider_id"
	" LEFT JOIN task_schedule ts ON ts.source_id = s.id"
	" WHERE " ELIGIBLE " ORDER BY s.id";
static const char *const sql_schedule_new =
	"INSERT INTO task_schedule (source_id, interval, next_due_at)"
	" SELECT id, $2::int, " NOW_TS " FROM sources WHERE id = $1"
	" ON CONFLICT (source_id) DO NOTHING";
static const char *const sql_exists =
	"SELECT 1 FROM sources WHERE id = $1";
/* Another scheduler may have done it: only if still different. */
static const char *const sql_schedule_interval =
	"UPDATE task_schedule SET interval = $2::int, next_due_at = "
	TS("$3") " WHERE source_id = $1 AND interval IS DISTINCT FROM $2::int";
static const char *const sql_claim =
	"SELECT s.slug, s.kind::text AS kind, s.builtin, s.url,"
	" s.config_values::text AS config_values, s.task_interval,"
	" " ELIGIBLE " AS eligible,"
	" ts.next_due_at <= " NOW_TS " AS due,"
	" " MS("ts.next_due_at") " AS next_ms, ts.failures,"
	" " NOW_MS " AS now_ms,"
	" (SELECT json_agg(json_build_object('name', ss.name, 'value',"
	"  encode(sec.value, 'hex'))) FROM source_secrets ss JOIN secrets sec"
	"  ON sec.id = ss.secret_id WHERE ss.source_id = s.id) AS secrets"
	" FROM task_schedule ts JOIN sources s ON s.id = ts.source_id"
	" LEFT JOIN providers p ON p.id = s.provider_id"
	" WHERE ts.source_id = $1 FOR UPDATE OF ts SKIP LOCKED";
static const char *const sql_trylock =
	"SELECT pg_try_advisory_lock(" LOCK_CLASS ", hashtext($1))";
static const char *const sql_unlock =
	"SELECT pg_advisory_unlock(" LOCK_CLASS ", hashtext($1))";
static const char *const sql_abandon =
	"UPDATE task_runs SET status = 'ABANDONED', ended_at ="
	" greatest(started_at, " NOW_TS "), error = 'its scheduler (' ||"
	" coalesce(host, '?') || ' pid ' || coalesce(pid::text, '?') ||"
	" ') stopped before the run ended'"
	" WHERE source_id = $1 AND status = 'RUNNING' RETURNING id";
static const char *const sql_run_new =
	"INSERT INTO task_runs (source_id, task, started_at, status, host,"
	" pid) VALUES ($1, $2, " NOW_TS ", 'RUNNING', $3, $4::int)"
	" RETURNING id, " MS("started_at") " AS started_ms";
static const char *const sql_schedule_start =
	"UPDATE task_schedule SET interval = $2::int, next_due_at = "
	TS("$3") ", last_started_at = " TS("$4") ", failures = $5::int"
	" WHERE source_id = $1";
static const char *const sql_run_end =
	"UPDATE task_runs SET status = $2, error = $3, rows_loaded ="
	" $4::bigint, bytes = $5::bigint, ended_at = greatest(started_at, "
	NOW_TS ") WHERE id = $1 AND status = 'RUNNING'"
	" RETURNING " MS("ended_at") " AS ended_ms, " NOW_MS " AS now_ms";
static const char *const sql_schedule_end =
	"UPDATE task_schedule SET next_due_at = " TS("$2") ","
	" last_ended_at = " TS("$3") ", last_status = $4, failures = $5::int"
	" WHERE source_id = $1";
static const char *const sql_running =
	"SELECT DISTINCT source_id FROM task_runs"
	" WHERE status = 'RUNNING' AND source_id IS NOT NULL";
static const char *const sql_schedule_row =
	"SELECT s.task_interval, ts.failures, " MS("ts.last_started_at")
	" AS started_ms, " NOW_MS " AS now_ms FROM task_schedule ts"
	" JOIN sources s ON s.id = ts.source_id WHERE ts.source_id = $1"
	" FOR UPDATE OF ts";
static const char *const sql_notify =
	"SELECT pg_notify('" CHANNEL "', $1)";
static const char *const sql_code =
	"SELECT source_code FROM sources WHERE id = $1";

/* --- State --------------------------------------------------------------- */

static volatile sig_atomic_t	 got_term, got_hup;
static volatile int		 stop_tasks;	/* every task's "stop" */
static int			 wake_pipe[2] = { -1, -1 };
static const char		*conf_file;
static char			 hostname[256];

/* A source with a task, as the last scan saw it. */
struct src {
	char		*id;
	char		*slug;
	long long	 due;		/* monotonic ms when to try a claim */
	int		 running;	/* a job works on it */
	int		 seen;		/* in the last scan */
	struct src	*next;
};

enum claim {
	CL_RAN,			/* claimed and run (ok says how it went) */
	CL_NOTDUE,		/* not due yet: wait_ms */
	CL_BUSY,		/* claimed or running elsewhere */
	CL_GONE,		/* no longer has a task to run */
	CL_DBDOWN,		/* the database could not be reached */
};

struct result {
	enum claim	 claim;
	int		 ok;
	long long	 wait_ms;	/* until due again, on the DB clock */
	char		 msg[ERR_MAX];
};

/* One run's thread. */
struct job {
	pthread_t	 tid;
	char		*id;
	int		 force;		/* -1: run whatever the schedule says */
	atomic_int	 done;
	struct result	 res;
	struct job	*next;
};

static void
wake(char c)
{
	int	 saved = errno;

	/* A full pipe already holds a wake-up: nothing is lost. */
	if (wake_pipe[1] != -1 && write(wake_pipe[1], &c, 1) == -1)
		errno = saved;
	errno = saved;
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else {
		got_term = 1;
		stop_tasks = 1;
	}
	wake('s');
}

/* --- PostgreSQL ---------------------------------------------------------- */

/* Server notices (e.g. the shutdown of a restarting server) go to the
 * debug log, not raw to standard error. */
static void
pq_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgres: %s", msg);
}

/* A connection of our own (locks, LISTEN), set up as lib/db.c does. */
static PGconn *
pq_open(void)
{
	const char	*kw[4], *vals[4];
	char		 timeout[16], setup[128];
	PGconn		*c;
	PGresult	*pr;

	(void)snprintf(timeout, sizeof(timeout), "%lld",
	    conf_int("database_connect_timeout"));
	kw[0] = "connect_timeout";
	vals[0] = timeout;
	kw[1] = "dbname";
	vals[1] = conf_str("database_url");
	kw[2] = "application_name";
	vals[2] = PROG;
	kw[3] = vals[3] = NULL;
	c = PQconnectdbParams(kw, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		log_debug("database unavailable: %s", c != NULL ?
		    PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	(void)PQsetNoticeProcessor(c, pq_notice, NULL);
	(void)snprintf(setup, sizeof(setup), "SET statement_timeout = %lld; "
	    "SET TIME ZONE 'UTC'", conf_int("database_statement_timeout"));
	pr = PQexec(c, setup);
	if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
		log_warnx("database session setup: %s", PQerrorMessage(c));
		PQclear(pr);
		PQfinish(c);
		return NULL;
	}
	PQclear(pr);
	return c;
}

/* Run "sql"; NULL (logged) unless it succeeded. */
static PGresult *
pq(PGconn *c, const char *sql, int n, const char *const *p)
{
	PGresult	*pr;

	pr = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(pr) == PGRES_TUPLES_OK ||
	    PQresultStatus(pr) == PGRES_COMMAND_OK)
		return pr;
	log_warnx("statement failed (%.50s...): %s", sql,
	    PQstatus(c) != CONNECTION_OK ? "connection lost" :
	    PQresultErrorMessage(pr));
	PQclear(pr);
	return NULL;
}

static int
pq_cmd(PGconn *c, const char *sql, int n, const char *const *p)
{
	PGresult	*pr;

	if ((pr = pq(c, sql, n, p)) == NULL)
		return -1;
	PQclear(pr);
	return 0;
}

static const char *
val(PGresult *pr, int row, const char *col)
{
	int	 f;

	if ((f = PQfnumber(pr, col)) < 0 || PQgetisnull(pr, row, f))
		return NULL;
	return PQgetvalue(pr, row, f);
}

static long long
val_ll(PGresult *pr, int row, const char *col, long long def)
{
	const char	*v = val(pr, row, col);

	return v != NULL ? strtoll(v, NULL, 10) : def;
}

static int
val_bool(PGresult *pr, int row, const char *col)
{
	const char	*v = val(pr, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

static enum sched_outcome
outcome_of(const char *last_status)
{
	if (last_status == NULL)
		return SCHED_NEVER;
	if (strcmp(last_status, "OK") == 0)
		return SCHED_OK;
	if (strcmp(last_status, "ERROR") == 0)
		return SCHED_FAILED;
	return SCHED_ABANDONED;
}

static const char *
outcome_name(enum sched_outcome o)
{
	switch (o) {
	case SCHED_OK:
		return "OK";
	case SCHED_FAILED:
		return "ERROR";
	case SCHED_ABANDONED:
		return "ABANDONED";
	default:
		return NULL;
	}
}

/* A task's interval in ms; a source without one (only under -1) as if
 * it ran hourly. */
static long long
interval_ms(PGresult *pr, int row, const char *col)
{
	return val_ll(pr, row, col, 3600) * 1000;
}

/* --- Does a source have a task? ------------------------------------------ */

static int
has_task(const char *kind, const char *builtin)
{
	const struct src_def	*d;

	if (kind == NULL)
		return 0;
	if (strcmp(kind, "system") == 0)
		return builtin != NULL && (d = src_find(builtin)) != NULL &&
		    d->task != NULL;
	return runner_wire(kind) != NULL;
}

/* --- Running one task ---------------------------------------------------- */

struct taskin {
	const char	*id;
	const char	*slug;
	const char	*kind;
	const char	*builtin;
	const char	*url;
	json_object	*config;	/* config_values, or NULL */
	json_object	*secjson;	/* the encrypted secrets, or NULL */
	struct src_secret *sec;		/* names borrowed from secjson */
	size_t		 nsec;
};

/* Decrypt the secrets linked to the source's slots (as lookups do). */
static void
secrets_load(struct taskin *t, const char *json)
{
	if (json == NULL || (t->secjson = json_tokener_parse(json)) == NULL)
		return;
	t->sec = src_secrets_decrypt(t->secjson, t->id, &t->nsec);
}

static void
secrets_free(struct taskin *t)
{
	src_secrets_free(t->sec, t->nsec);
	t->sec = NULL;
	t->nsec = 0;
	json_object_put(t->secjson);
	t->secjson = NULL;
}

/* A built-in source's task; 0 or -1 with out->error. */
static int
run_builtin(const struct taskin *t, struct src_task_out *out)
{
	const struct src_def	*d = src_find(t->builtin);
	const char		*over;
	struct src_task		 st;
	int			 rc;

	if (d == NULL || d->task == NULL) {
		out->error = xstrdup("the source has no background task");
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.source_id = t->id;
	over = conf_source_url(d->builtin);
	st.base = over != NULL ? over : d->base;
	st.source_url = t->url;
	st.secrets = t->sec;
	st.nsecrets = t->nsec;
	st.config = t->config;
	st.db = db_open_pool(conf_str("database_url"), 1);
	st.deadline = src_now_ms() + TASK_DEADLINE_S * 1000LL;
	st.stop = &stop_tasks;
	rc = d->task(&st, out);
	db_close(st.db);
	if (rc == -1 && out->error == NULL)
		out->error = xstrdup("the task failed");
	return rc;
}

/* A PYTHON or JAVA_SCRIPT source's task over gRPC; 0 or -1. */
static int
run_runner(const struct taskin *t, struct src_task_out *out)
{
	struct runner_task_args	 a;
	struct runner_kv	*sec = NULL, *cfg;
	struct db		*db;
	PGresult		*pr;
	enum dbres		 res;
	enum runner_res		 rr;
	const char		*p[1] = { t->id };
	char			 msg[ERR_MAX], err[ERR_MAX], *addr, *code;
	size_t			 ncfg;
	int			 st;

	db = db_open_pool(conf_str("database_url"), 1);
	addr = runner_address(db, t->kind);
	sec = src_secrets_kv(t->sec, t->nsec);
	cfg = src_config_kv(t->config, &ncfg);
	memset(&a, 0, sizeof(a));
	a.address = addr;
	a.source_id = t->id;
	a.timeout_ms = conf_int("runner_timeout_max");
	a.secrets = sec;
	a.nsecrets = t->nsec;
	a.config = cfg;
	a.nconfig = ncfg;
	a.stop = &stop_tasks;
	st = runner_task(&a, msg, sizeof(msg));
	if (st == GRPC_STATUS_NOT_FOUND) {
		/* The runner lost the code (restarted): give it, once. */
		code = NULL;
		pr = db_query(db, sql_code, 1, p, &res);
		if (res == DB_OK && PQntuples(pr) > 0 &&
		    !PQgetisnull(pr, 0, 0))
			code = xstrdup(PQgetvalue(pr, 0, 0));
		PQclear(pr);
		if (code == NULL)
			(void)snprintf(msg, sizeof(msg), "the source has no "
			    "code");
		else {
			log_info("source %s: the %s runner has no code; "
			    "sending it", t->id, runner_wire(t->kind));
			rr = runner_update(db, t->kind, t->id, code, err,
			    sizeof(err));
			freezero_str(code);
			if (rr == RUNNER_OK)
				st = runner_task(&a, msg, sizeof(msg));
			else
				(void)snprintf(msg, sizeof(msg), "%s", err);
		}
	}
	free(cfg);
	free(sec);
	free(addr);
	db_close(db);
	if (st == GRPC_STATUS_OK)
		return 0;
	if (st == GRPC_STATUS_CANCELLED && stop_tasks)
		out->error = xstrdup("stopped");
	else if (st == GRPC_STATUS_DEADLINE_EXCEEDED)
		xasprintf(&out->error, "timed out%s%s", *msg ? ": " : "",
		    msg);
	else
		xasprintf(&out->error, "the %s runner: %s%s%s",
		    runner_wire(t->kind), runner_status_name(st),
		    *msg ? ": " : "", msg);
	return -1;
}

/* Printable, bounded error text for task_runs.error. */
static void
clean_error(char *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == ERR_MAX - 1) {
			s[i] = '\0';
			break;
		}
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	}
}

/*
 * Claim, run and record the task of source "id"; the result in "r".
 * With "force" (-1), the due time and the source's switches do not
 * matter, only that nobody else runs it.
 */
static void
run_task(const char *id, int force, struct result *r)
{
	PGconn			*c;
	PGresult		*pr = NULL, *pr2;
	struct taskin		 t;
	struct src_task_out	 out;
	struct sched_last	 last;
	enum sched_outcome	 oc;
	const char		*p[6];
	char			 b[4][24], *rid = NULL, *slug = NULL;
	long long		 ivl, started, now, next, ended, t0;
	int			 failures, rc, locked = 0, stopped;

	memset(r, 0, sizeof(*r));
	memset(&t, 0, sizeof(t));
	memset(&out, 0, sizeof(out));
	if ((c = pq_open()) == NULL) {
		r->claim = CL_DBDOWN;
		(void)snprintf(r->msg, sizeof(r->msg), "the database is "
		    "unavailable");
		return;
	}
	p[0] = id;
	p[1] = NULL;
	if (force && pq_cmd(c, sql_schedule_new, 2, p) == -1)
		goto dbfail;
	if (pq_cmd(c, "BEGIN", 0, NULL) == -1 ||
	    (pr = pq(c, sql_claim, 1, p)) == NULL)
		goto dbfail;
	if (PQntuples(pr) == 0) {
		/* Locked by another scheduler's claim, or no such row. */
		if (force && (pr2 = pq(c, sql_exists, 1, p)) != NULL) {
			rc = PQntuples(pr2);
			PQclear(pr2);
			if (rc == 0) {
				r->claim = CL_GONE;
				goto out;
			}
		}
		r->claim = CL_BUSY;
		(void)snprintf(r->msg, sizeof(r->msg), "claimed elsewhere, "
		    "or no schedule");
		goto out;
	}
	t.id = id;
	t.slug = val(pr, 0, "slug");
	t.kind = val(pr, 0, "kind");
	t.builtin = val(pr, 0, "builtin");
	t.url = val(pr, 0, "url");
	if (!has_task(t.kind, t.builtin) ||
	    (!force && !val_bool(pr, 0, "eligible"))) {
		r->claim = CL_GONE;
		(void)snprintf(r->msg, sizeof(r->msg), "the source has no "
		    "background task to run");
		goto out;
	}
	now = val_ll(pr, 0, "now_ms", 0);
	if (!force && !val_bool(pr, 0, "due")) {
		r->claim = CL_NOTDUE;
		r->wait_ms = sched_wait(val_ll(pr, 0, "next_ms", now), now,
		    RESCAN_MS);
		goto out;
	}
	if ((pr2 = pq(c, sql_trylock, 1, p)) == NULL)
		goto dbfail;
	locked = PQntuples(pr2) == 1 && strcmp(PQgetvalue(pr2, 0, 0),
	    "t") == 0;
	PQclear(pr2);
	if (!locked) {
		r->claim = CL_BUSY;
		(void)snprintf(r->msg, sizeof(r->msg), "running elsewhere");
		goto out;
	}

	/* Ours.  Runs left RUNNING cannot be alive: we hold the lock. */
	failures = (int)val_ll(pr, 0, "failures", 0);
	if ((pr2 = pq(c, sql_abandon, 1, p)) == NULL)
		goto dbfail;
	if (PQntuples(pr2) > 0) {
		log_warnx("source %s: %d run(s) abandoned by a scheduler "
		    "that went away", id, PQntuples(pr2));
		failures = sched_failures(failures, SCHED_ABANDONED);
	}
	PQclear(pr2);
	(void)snprintf(b[0], sizeof(b[0]), "%d", (int)getpid());
	p[1] = t.slug;
	p[2] = hostname;
	p[3] = b[0];
	if ((pr2 = pq(c, sql_run_new, 4, p)) == NULL)
		goto dbfail;
	rid = xstrdup(PQgetvalue(pr2, 0, 0));
	started = strtoll(PQgetvalue(pr2, 0, 1), NULL, 10);
	PQclear(pr2);
	/* Due again one interval on, should this run never report. */
	ivl = interval_ms(pr, 0, "task_interval");
	last.outcome = SCHED_OK;
	last.started = started;
	last.ended = 0;
	last.failures = 0;
	next = sched_next(ivl, &last, started);
	(void)snprintf(b[1], sizeof(b[1]), "%lld", next);
	(void)snprintf(b[2], sizeof(b[2]), "%lld", started);
	(void)snprintf(b[3], sizeof(b[3]), "%d", failures);
	p[1] = val(pr, 0, "task_interval");
	p[2] = b[1];
	p[3] = b[2];
	p[4] = b[3];
	if (pq_cmd(c, sql_schedule_start, 5, p) == -1 ||
	    pq_cmd(c, "COMMIT", 0, NULL) == -1)
		goto dbfail;

	/* The run, without a transaction open on the lock's connection. */
	slug = xstrdup(t.slug != NULL ? t.slug : id);
	t.slug = slug;
	t.config = json_tokener_parse(val(pr, 0, "config_values") != NULL ?
	    val(pr, 0, "config_values") : "[]");
	secrets_load(&t, val(pr, 0, "secrets"));
	log_info("source %s (%s): task started (run %s)", id, slug, rid);
	t0 = src_now_ms();
	if (strcmp(t.kind, "system") == 0)
		rc = run_builtin(&t, &out);
	else
		rc = run_runner(&t, &out);
	secrets_free(&t);
	json_object_put(t.config);
	t.config = NULL;
	if (rc != 0 && out.error == NULL)
		out.error = xstrdup("the task failed");
	clean_error(out.error);
	/* Whatever a task says when it gives up on "stop", the run was
	 * stopped; one that finished anyway succeeded. */
	stopped = rc != 0 && stop_tasks;
	if (stopped) {
		free(out.error);
		out.error = xstrdup("stopped");
	}
	if (rc == 0)
		oc = SCHED_OK;
	else if (stopped)
		oc = SCHED_ABANDONED;	/* did not finish: due at once */
	else
		oc = SCHED_FAILED;

	/* Record it.  The lock's connection may have died meanwhile. */
	if (PQstatus(c) != CONNECTION_OK) {
		log_warnx("source %s: lost the database during the run; "
		    "recording it on a new connection", id);
		PQfinish(c);
		locked = 0;
		if ((c = pq_open()) == NULL) {
			r->claim = CL_DBDOWN;
			(void)snprintf(r->msg, sizeof(r->msg), "cannot record "
			    "run %s: the database is unavailable", rid);
			goto out;
		}
	}
	(void)snprintf(b[0], sizeof(b[0]), "%lld", out.rows);
	(void)snprintf(b[1], sizeof(b[1]), "%lld", out.bytes);
	p[0] = rid;
	p[1] = rc == 0 ? "OK" : "ERROR";
	p[2] = out.error;
	p[3] = strcmp(t.kind, "system") == 0 ? b[0] : NULL;
	p[4] = strcmp(t.kind, "system") == 0 ? b[1] : NULL;
	if (pq_cmd(c, "BEGIN", 0, NULL) == -1 ||
	    (pr2 = pq(c, sql_run_end, 5, p)) == NULL)
		goto dbfail;
	if (PQntuples(pr2) == 0) {
		/* Marked ABANDONED while we had lost our lock. */
		PQclear(pr2);
		(void)pq_cmd(c, "ROLLBACK", 0, NULL);
		r->claim = CL_RAN;
		r->ok = 0;
		(void)snprintf(r->msg, sizeof(r->msg), "run %s was taken "
		    "over by another scheduler", rid);
		goto out;
	}
	ended = strtoll(PQgetvalue(pr2, 0, 0), NULL, 10);
	now = strtoll(PQgetvalue(pr2, 0, 1), NULL, 10);
	PQclear(pr2);
	p[0] = id;
	if ((pr2 = pq(c, sql_schedule_row, 1, p)) == NULL)
		goto dbfail;
	if (PQntuples(pr2) == 1) {
		ivl = interval_ms(pr2, 0, "task_interval");
		last.outcome = oc;
		last.started = started;
		last.ended = ended;
		/* Being told to stop is no fault of the task's. */
		last.failures = (int)val_ll(pr2, 0, "failures", 0);
		if (!stopped)
			last.failures = sched_failures(last.failures, oc);
		next = sched_next(ivl, &last, now);
		(void)snprintf(b[0], sizeof(b[0]), "%lld", next);
		(void)snprintf(b[1], sizeof(b[1]), "%lld", ended);
		(void)snprintf(b[2], sizeof(b[2]), "%d", last.failures);
		p[1] = b[0];
		p[2] = b[1];
		p[3] = outcome_name(oc);
		p[4] = b[2];
		if (pq_cmd(c, sql_schedule_end, 5, p) == -1) {
			PQclear(pr2);
			goto dbfail;
		}
		/* We are going away and it is due at once: tell the others
		 * (on commit) rather than let them find out at a re-scan. */
		if (stopped && pq_cmd(c, sql_notify, 1, p) == -1) {
			PQclear(pr2);
			goto dbfail;
		}
		r->wait_ms = sched_wait(next, now, RESCAN_MS);
	}
	PQclear(pr2);
	if (pq_cmd(c, "COMMIT", 0, NULL) == -1)
		goto dbfail;
	r->claim = CL_RAN;
	r->ok = rc == 0;
	if (rc == 0 && strcmp(t.kind, "system") == 0)
		(void)snprintf(r->msg, sizeof(r->msg), "%lld rows, %lld bytes "
		    "in %lld ms", out.rows, out.bytes, src_now_ms() - t0);
	else if (rc == 0)
		(void)snprintf(r->msg, sizeof(r->msg), "done in %lld ms",
		    src_now_ms() - t0);
	else
		(void)snprintf(r->msg, sizeof(r->msg), "%s", out.error);
	/* Slugs are [a-z-]: only the error needs quoting. */
	if (rc == 0)
		log_info("source %s (%s): task done (run %s): %s", id, slug,
		    rid, r->msg);
	else
		log_warnx("source %s (%s): task failed (run %s): %s", id,
		    slug, rid, log_quote(out.error));
	goto out;

dbfail:
	r->claim = CL_DBDOWN;
	(void)snprintf(r->msg, sizeof(r->msg), "database error%s%s",
	    rid != NULL ? " during run " : "", rid != NULL ? rid : "");
out:
	secrets_free(&t);
	json_object_put(t.config);
	PQclear(pr);
	if (c != NULL && PQstatus(c) == CONNECTION_OK) {
		if (PQtransactionStatus(c) != PQTRANS_IDLE)
			(void)pq_cmd(c, "ROLLBACK", 0, NULL);
		if (locked) {
			p[0] = id;
			(void)pq_cmd(c, sql_unlock, 1, p);
		}
	}
	/* Closing the connection drops any lock left, whatever happened. */
	PQfinish(c);
	free(out.error);
	free(rid);
	free(slug);
}

static void *
job_thread(void *arg)
{
	struct job	*j = arg;

	run_task(j->id, j->force, &j->res);
	atomic_store(&j->done, 1);
	wake('j');
	return NULL;
}

/* Start a job's thread with every signal blocked (the main thread takes
 * them).  -1 if no thread could be made. */
static int
job_start(struct job *j)
{
	sigset_t	 all, old;
	int		 rc;

	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&j->tid, NULL, job_thread, j);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("cannot start a task thread: %s", strerror(rc));
		return -1;
	}
	return 0;
}

/* --- The scheduler ------------------------------------------------------- */

static struct src	*srcs;
static struct job	*jobs;
static int		 njobs, maxjobs = JOBS_DEF;
static PGconn		*ctl;		/* LISTEN, scans, sweeps */
static int		 need_scan = 1;
static long long	 next_scan, next_sweep;

static struct src *
src_get(const char *id)
{
	struct src	*s;

	for (s = srcs; s != NULL; s = s->next)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

static void
ctl_close(void)
{
	if (ctl != NULL)
		log_warnx("lost the database connection; reconnecting");
	PQfinish(ctl);
	ctl = NULL;
}

static int
ctl_open(void)
{
	if ((ctl = pq_open()) == NULL)
		return -1;
	if (pq_cmd(ctl, "LISTEN " CHANNEL, 0, NULL) == -1) {
		PQfinish(ctl);
		ctl = NULL;
		return -1;
	}
	if (PQsetnonblocking(ctl, 0) == -1)
		log_debug("PQsetnonblocking failed");
	need_scan = 1;
	next_sweep = 0;
	log_info("connected to the database");
	return 0;
}

/*
 * Read every source that has a task, give new ones a schedule and
 * re-time those whose interval changed; set each one's local due time.
 */
static int
scan(void)
{
	PGresult		*pr;
	struct src		*s, **sp;
	struct sched_last	 last;
	const char		*id, *p[3], *iv;
	char			 b[24];
	long long		 now_db, now = src_now_ms(), ivl, next;
	int			 i, n;

	if ((pr = pq(ctl, sql_scan, 0, NULL)) == NULL)
		return -1;
	for (s = srcs; s != NULL; s = s->next)
		s->seen = 0;
	n = PQntuples(pr);
	for (i = 0; i < n; i++) {
		id = val(pr, i, "id");
		if (!has_task(val(pr, i, "kind"), val(pr, i, "builtin")))
			continue;
		now_db = val_ll(pr, i, "now_ms", 0);
		iv = val(pr, i, "task_interval");
		ivl = interval_ms(pr, i, "task_interval");
		next = val_ll(pr, i, "next_ms", now_db);
		p[0] = id;
		p[1] = iv;
		if (!val_bool(pr, i, "has_schedule")) {
			if (pq_cmd(ctl, sql_schedule_new, 2, p) == -1)
				continue;
			next = now_db;
		} else if (val(pr, i, "interval") == NULL ||
		    strcmp(val(pr, i, "interval"), iv) != 0) {
			last.outcome = outcome_of(val(pr, i, "last_status"));
			last.started = val_ll(pr, i, "started_ms", 0);
			last.ended = val_ll(pr, i, "ended_ms", 0);
			last.failures = (int)val_ll(pr, i, "failures", 0);
			next = sched_next(ivl, &last, now_db);
			(void)snprintf(b, sizeof(b), "%lld", next);
			p[2] = b;
			if (pq_cmd(ctl, sql_schedule_interval, 3, p) == -1)
				continue;
			log_info("source %s: interval now %s s", id, iv);
		}
		if ((s = src_get(id)) == NULL) {
			s = xcalloc(1, sizeof(*s));
			s->id = xstrdup(id);
			s->next = srcs;
			srcs = s;
			log_info("source %s (%s): scheduled every %s s", id,
			    log_quote(val(pr, i, "slug")), iv);
		}
		free(s->slug);
		s->slug = xstrdup(val(pr, i, "slug"));
		s->seen = 1;
		if (!s->running)
			s->due = now + sched_wait(next, now_db, RESCAN_MS);
	}
	PQclear(pr);
	/* Sources that lost their task; a running job finishes. */
	for (sp = &srcs; (s = *sp) != NULL;) {
		if (!s->seen && !s->running) {
			log_info("source %s: no longer scheduled", s->id);
			*sp = s->next;
			free(s->id);
			free(s->slug);
			free(s);
		} else
			sp = &s->next;
	}
	need_scan = 0;
	next_scan = src_now_ms() + RESCAN_MS;
	return 0;
}

/*
 * Runs left RUNNING by a scheduler that is gone: whoever can take the
 * source's lock knows no run of it is alive.
 */
static int
sweep(void)
{
	PGresult		*pr, *pr2;
	struct src		*s;
	struct sched_last	 last;
	const char		*id, *p[5];
	char			 b[3][24];
	long long		 now;
	int			 i, n, got, changed = 0;

	next_sweep = src_now_ms() + SWEEP_MS;
	if ((pr = pq(ctl, sql_running, 0, NULL)) == NULL)
		return PQstatus(ctl) == CONNECTION_OK ? 0 : -1;
	n = PQntuples(pr);
	for (i = 0; i < n; i++) {
		id = PQgetvalue(pr, i, 0);
		if ((s = src_get(id)) != NULL && s->running)
			continue;
		p[0] = id;
		if ((pr2 = pq(ctl, sql_trylock, 1, p)) == NULL)
			break;
		got = strcmp(PQgetvalue(pr2, 0, 0), "t") == 0;
		PQclear(pr2);
		if (!got)
			continue;	/* alive, elsewhere */
		if (pq_cmd(ctl, "BEGIN", 0, NULL) == -1 ||
		    (pr2 = pq(ctl, sql_abandon, 1, p)) == NULL)
			goto unlock;
		if (PQntuples(pr2) > 0) {
			log_warnx("source %s: run %s abandoned by a scheduler "
			    "that went away; due again", id,
			    PQgetvalue(pr2, 0, 0));
			PQclear(pr2);
			if ((pr2 = pq(ctl, sql_schedule_row, 1, p)) == NULL)
				goto unlock;
			if (PQntuples(pr2) == 1) {
				now = val_ll(pr2, 0, "now_ms", 0);
				last.outcome = SCHED_ABANDONED;
				last.started = val_ll(pr2, 0, "started_ms", 0);
				last.ended = now;
				last.failures = sched_failures((int)val_ll(pr2,
				    0, "failures", 0), SCHED_ABANDONED);
				(void)snprintf(b[0], sizeof(b[0]), "%lld",
				    sched_next(interval_ms(pr2, 0,
				    "task_interval"), &last, now));
				(void)snprintf(b[1], sizeof(b[1]), "%lld", now);
				(void)snprintf(b[2], sizeof(b[2]), "%d",
				    last.failures);
				p[1] = b[0];
				p[2] = b[1];
				p[3] = "ABANDONED";
				p[4] = b[2];
				if (pq_cmd(ctl, sql_schedule_end, 5, p) == -1) {
					PQclear(pr2);
					goto unlock;
				}
			}
			changed = 1;
		}
		PQclear(pr2);
		(void)pq_cmd(ctl, "COMMIT", 0, NULL);
unlock:
		if (PQtransactionStatus(ctl) != PQTRANS_IDLE)
			(void)pq_cmd(ctl, "ROLLBACK", 0, NULL);
		(void)pq_cmd(ctl, sql_unlock, 1, p);
	}
	PQclear(pr);
	if (changed)
		need_scan = 1;
	return PQstatus(ctl) == CONNECTION_OK ? 0 : -1;
}

/* Start the runs that are due, as many as "-j" allows. */
static void
start_due(void)
{
	struct src	*s;
	struct job	*j;
	long long	 now = src_now_ms();

	for (s = srcs; s != NULL && njobs < maxjobs; s = s->next) {
		if (s->running || s->due > now)
			continue;
		j = xcalloc(1, sizeof(*j));
		j->id = xstrdup(s->id);
		if (job_start(j) == -1) {
			free(j->id);
			free(j);
			s->due = now + BUSY_RETRY_MS;
			continue;
		}
		s->running = 1;
		j->next = jobs;
		jobs = j;
		njobs++;
	}
}

/* Collect finished jobs and re-time their sources. */
static void
reap(void)
{
	struct job	**jp, *j;
	struct src	*s;
	long long	 now = src_now_ms();

	for (jp = &jobs; (j = *jp) != NULL;) {
		if (!atomic_load(&j->done)) {
			jp = &j->next;
			continue;
		}
		(void)pthread_join(j->tid, NULL);
		*jp = j->next;
		njobs--;
		if ((s = src_get(j->id)) != NULL) {
			s->running = 0;
			switch (j->res.claim) {
			case CL_RAN:
				s->due = now + j->res.wait_ms;
				break;
			case CL_NOTDUE:
				/* Due within the millisecond the clocks
				 * round away: not again at once. */
				s->due = now + (j->res.wait_ms > 20 ?
				    j->res.wait_ms : 20);
				break;
			case CL_BUSY:
				log_debug("source %s: %s", j->id, j->res.msg);
				s->due = now + BUSY_RETRY_MS;
				break;
			case CL_GONE:
				need_scan = 1;
				s->due = now + RESCAN_MS;
				break;
			case CL_DBDOWN:
				log_warnx("source %s: %s", j->id, j->res.msg);
				s->due = now + DB_RETRY_MS;
				break;
			}
		}
		free(j->id);
		free(j);
	}
}

/* STATUS= for systemctl status: what runs, what comes next. */
static void
notify_status(void)
{
	static char	 lastmsg[512];
	struct src	*s;
	char		 msg[512], run[384];
	long long	 now = src_now_ms(), soonest = -1;
	int		 n = 0;

	run[0] = '\0';
	for (s = srcs; s != NULL; s = s->next) {
		n++;
		if (s->running) {
			if (run[0] != '\0')
				(void)strlcat(run, ", ", sizeof(run));
			(void)strlcat(run, s->slug != NULL ? s->slug : s->id,
			    sizeof(run));
		} else if (soonest == -1 || s->due < soonest)
			soonest = s->due;
	}
	if (ctl == NULL)
		(void)snprintf(msg, sizeof(msg), "waiting for the database; "
		    "%d task(s) running", njobs);
	else if (run[0] != '\0')
		(void)snprintf(msg, sizeof(msg), "%d source(s) with a task; "
		    "running: %s", n, run);
	else if (soonest != -1)
		(void)snprintf(msg, sizeof(msg), "%d source(s) with a task; "
		    "idle, next in %lld s", n, soonest > now ?
		    (soonest - now + 999) / 1000 : 0);
	else
		(void)snprintf(msg, sizeof(msg), "no source has a task; idle");
	if (strcmp(msg, lastmsg) == 0)
		return;
	(void)strlcpy(lastmsg, msg, sizeof(lastmsg));
	(void)sd_notifyf(0, "STATUS=%s", msg);
	log_debug("status: %s", msg);
}

/*
 * SIGHUP: check the file with a fresh "-n" of ourselves first, so a
 * broken file never replaces a working configuration.
 */
static void
reload(void)
{
	posix_spawnattr_t	 attr;
	sigset_t		 none;
	char			*argv[5], err[512];
	pid_t			 pid;
	int			 status, i = 0;

	argv[i++] = (char *)(uintptr_t)PROG;
	argv[i++] = (char *)(uintptr_t)"-n";
	if (conf_file != NULL) {
		argv[i++] = (char *)(uintptr_t)"-f";
		argv[i++] = (char *)(uintptr_t)conf_file;
	}
	argv[i] = NULL;
	(void)posix_spawnattr_init(&attr);
	(void)sigemptyset(&none);
	(void)posix_spawnattr_setsigmask(&attr, &none);
	(void)posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if (posix_spawn(&pid, "/proc/self/exe", NULL, &attr, argv,
	    environ) != 0) {
		(void)posix_spawnattr_destroy(&attr);
		log_warn("reload: cannot check the configuration");
		return;
	}
	(void)posix_spawnattr_destroy(&attr);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		continue;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("reload: the configuration has errors; keeping the "
		    "current one");
		return;
	}
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld",
	    src_now_ms() * 1000);
	if (conf_load(conf_file, err, sizeof(err)) == -1)
		fatalx("reload: %s", err);
	log_set_level(conf_str("log_level"));
	PQfinish(ctl);
	ctl = NULL;
	(void)ctl_open();
	need_scan = 1;
	log_info("configuration reloaded");
	(void)sd_notify(0, "READY=1");
}

static void
drain_wake(void)
{
	char	 buf[64];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		continue;
}

static void
setup_signals(void)
{
	struct sigaction	 sa;
	int			 i;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	for (i = 0; i < 2; i++)
		(void)fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
}

static int
serve(void)
{
	struct pollfd	 pfd[2];
	PGnotify	*nt;
	uint64_t	 wd_usec = 0;
	long long	 now, t, wd_every = -1, wd_next = 0, db_next = 0;
	int		 ready = 0, reload_pending = 0, nfd, scan_ok = 0;

	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0)
		wd_every = (long long)(wd_usec / 2000);
	(void)sd_notify(0, "STATUS=connecting to the database");
	while (!got_term) {
		now = src_now_ms();
		if (wd_every >= 0 && now >= wd_next) {
			(void)sd_notify(0, "WATCHDOG=1");
			wd_next = now + wd_every;
		}
		if (got_hup) {
			got_hup = 0;
			reload_pending = 1;
			log_info("SIGHUP: reloading once no task runs");
		}
		if (reload_pending && njobs == 0) {
			reload_pending = 0;
			reload();
		}
		if (ctl == NULL && now >= db_next && ctl_open() == -1) {
			db_next = now + DB_RETRY_MS;
			(void)sd_notify(0, "STATUS=waiting for the database");
		}
		if (ctl != NULL && (need_scan || now >= next_scan)) {
			if (scan() == 0)
				scan_ok = 1;
			else if (PQstatus(ctl) != CONNECTION_OK)
				ctl_close();
			else {
				/* A schema without 0006 (iocaggctl migrate)?
				 * Try again a little later. */
				if (PQtransactionStatus(ctl) != PQTRANS_IDLE)
					(void)pq_cmd(ctl, "ROLLBACK", 0, NULL);
				next_scan = now + DB_RETRY_MS;
				need_scan = 0;
				scan_ok = 0;
			}
		}
		if (ctl != NULL && now >= next_sweep && sweep() == -1)
			ctl_close();
		if (ctl != NULL && !ready && scan_ok) {
			ready = 1;
			(void)sd_notify(0, "READY=1");
			log_info("ready");
		}
		if (ctl != NULL && !reload_pending)
			start_due();
		notify_status();

		/* Sleep until something is due or happens. */
		now = src_now_ms();
		t = ctl != NULL ? next_sweep : db_next;
		if (ctl != NULL && next_scan < t)
			t = next_scan;
		{
			struct src *s;

			for (s = srcs; s != NULL; s = s->next)
				if (!s->running && njobs < maxjobs &&
				    s->due < t)
					t = s->due;
		}
		if (wd_every >= 0 && wd_next < t)
			t = wd_next;
		t -= now;
		if (t < 0)
			t = 0;
		if (t > INT_MAX)
			t = INT_MAX;
		pfd[0].fd = wake_pipe[0];
		pfd[0].events = POLLIN;
		nfd = 1;
		if (ctl != NULL) {
			pfd[1].fd = PQsocket(ctl);
			pfd[1].events = POLLIN;
			nfd = 2;
		}
		if (poll(pfd, (nfds_t)nfd, (int)t) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents & POLLIN)
			drain_wake();
		reap();
		if (ctl != NULL && nfd == 2 && pfd[1].revents != 0) {
			if (PQconsumeInput(ctl) == 0) {
				ctl_close();
				continue;
			}
			while ((nt = PQnotifies(ctl)) != NULL) {
				log_debug("notified: source %s changed",
				    *nt->extra ? nt->extra : "(any)");
				need_scan = 1;
				PQfreemem(nt);
			}
		}
	}

	/* SIGTERM: every running task saw stop_tasks; wait for them. */
	(void)sd_notifyf(0, "STOPPING=1\nSTATUS=stopping: %d task(s) to "
	    "finish", njobs);
	log_info("stopping; %d task(s) running", njobs);
	while (njobs > 0) {
		struct pollfd	 p1;

		p1.fd = wake_pipe[0];
		p1.events = POLLIN;
		now = src_now_ms();
		if (wd_every >= 0 && now >= wd_next) {
			(void)sd_notify(0, "WATCHDOG=1");
			wd_next = now + wd_every;
		}
		(void)poll(&p1, 1, wd_every >= 0 ? (int)wd_every : 1000);
		drain_wake();
		reap();
	}
	PQfinish(ctl);
	ctl = NULL;
	log_info("stopped");
	return 0;
}

/* -1 SOURCE_ID: one run in the foreground. */
static int
run_once(const char *id)
{
	struct job	 j;

	struct timespec	 ts = { 0, 200 * 1000 * 1000 };
	int		 tries;

	/* A claim lost to another scheduler's claim transaction (a few
	 * milliseconds) is tried again; one lost to a running task not. */
	for (tries = 0; tries < 5; tries++) {
		memset(&j, 0, sizeof(j));
		j.id = (char *)(uintptr_t)id;
		j.force = 1;
		if (job_start(&j) == -1)
			return 1;
		/* The handler still runs while we wait: SIGTERM stops the
		 * task. */
		(void)pthread_join(j.tid, NULL);
		if (j.res.claim != CL_BUSY || strcmp(j.res.msg,
		    "running elsewhere") == 0 || got_term)
			break;
		(void)nanosleep(&ts, NULL);
	}
	switch (j.res.claim) {
	case CL_RAN:
		if (j.res.ok) {
			printf("source %s: OK: %s\n", id, j.res.msg);
			return 0;
		}
		fprintf(stderr, "%s: source %s: %s\n", PROG, id, j.res.msg);
		return 1;
	case CL_BUSY:
		fprintf(stderr, "%s: source %s: its task is running "
		    "elsewhere\n", PROG, id);
		return 1;
	case CL_GONE:
		fprintf(stderr, "%s: source %s: no such source, or it has no "
		    "background task\n", PROG, id);
		return 1;
	default:
		fprintf(stderr, "%s: source %s: %s\n", PROG, id, j.res.msg);
		return 1;
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-dn] [-1 source_id] [-f file] "
	    "[-j jobs]\n", PROG);
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*once = NULL, *errstr;
	char		 err[512];
	int		 ch, debug = 0, check = 0, rc;

	while ((ch = getopt(argc, argv, "1:df:j:n")) != -1) {
		switch (ch) {
		case '1':
			once = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			conf_file = optarg;
			break;
		case 'j':
			maxjobs = (int)strtonum(optarg, 1, 256, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "%s: -j %s: %s\n", PROG,
				    optarg, errstr);
				usage();
			}
			break;
		case 'n':
			check = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (once != NULL && (*once == '\0' || strlen(once) > 64))
		usage();

	log_init(PROG, debug);
	if (conf_load(conf_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return 1;
	}
	if (!debug)
		log_set_level(conf_str("log_level"));
	if (check) {
		fprintf(stderr, "%s: configuration OK\n", PROG);
		return 0;
	}
	if (gethostname(hostname, sizeof(hostname)) == -1)
		(void)strlcpy(hostname, "?", sizeof(hostname));
	hostname[sizeof(hostname) - 1] = '\0';
	setup_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");

	if (once != NULL)
		rc = run_once(once);
	else
		rc = serve();
	curl_global_cleanup();
	return rc;
}
