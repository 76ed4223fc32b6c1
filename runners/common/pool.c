/*
 * runners/common/pool.c -- the worker pool: one thread that owns the
 * sources' code, the workers and every job between its validation
 * (server.c) and its answer.
 *
 * Sources.  The code of each source lives here, in memory only; the
 * server re-sends Init when the runner (re)starts.  Update checks the
 * code on a fresh worker first (a syntax error, or an exception at
 * module level, is INVALID_ARGUMENT and nothing changes); Init
 * replaces the whole set without running anything; Delete forgets one
 * source.  Each change of a source's code gets a new generation.
 *
 * Workers.  A worker is bound to one source and one generation for its
 * whole life: it loads (compiles and runs the module once) when it
 * starts, then serves calls of that source only, one at a time, so no
 * source can see another's secrets or state, and the code is compiled
 * once per worker, not per call.  A call goes to an idle worker of its
 * source, else to a new one (up to rset.workers processes; the least
 * recently used idle worker of another source makes room), else waits.
 * Calls of different sources run concurrently.
 *
 * Deadlines.  Every job has one (server.c).  A job still waiting when
 * it passes gets DEADLINE_EXCEEDED; a running one also costs its worker
 * (SIGKILL through its pidfd).  A worker that dies takes its call with
 * it (INTERNAL, or RESOURCE_EXHAUSTED for the CPU limit) and is
 * replaced when the next call needs one.  Results larger than
 * rset.output_max are RESOURCE_EXHAUSTED.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/status.h>

#include "compat.h"
#include "engine.h"
#include "extern.h"
#include "log.h"
#include "proto/runner.pb-c.h"
#include "proto/worker.pb-c.h"
#include "xmalloc.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif

/* Longest time poll(2) sleeps: queued calls are checked this often. */
#define TICK_MS		1000

enum wstate {
	W_SPAWNING,		/* asked the zygote for it */
	W_LOADING,		/* sent LOAD, waits for its RESULT */
	W_IDLE,			/* loaded, no job */
	W_BUSY,			/* running w->job */
	W_DEAD,			/* killed or ended; awaits ZM_EXITED */
};

struct worker {
	uint32_t		 id;	/* the zygote knows it by this */
	pid_t			 pid;
	int			 fd;	/* socket, non-blocking; -1 */
	int			 pidfd;		/* -1 */
	enum wstate		 state;
	char			*source; /* the source it is bound to */
	unsigned long long	 gen;	/* of that source's code */
	struct job		*job;	/* being loaded for or run */
	unsigned char		*in;	/* read, not parsed yet */
	size_t			 inlen, incap;
	unsigned char		*out;	/* frame being written */
	size_t			 outlen, outoff;
	long long		 last_used;	/* runner_now_ms() */
	long long		 cpu_ms;	/* as last reported */
	int			 nlogs;	/* log lines of this job */
	int			 retire; /* kill it when its job ends */
	int			 doomed; /* kill it once it exists */
	int			 killed_cpu;	/* ended by RLIMIT_CPU */
	TAILQ_ENTRY(worker)	 entry;
};

/* A source's code; "code" NULL marks a deleted source (tombstone). */
struct src {
	char			*id;
	char			*code;
	unsigned long long	 gen;
	unsigned long long	 seq;	/* job that last changed it */
	TAILQ_ENTRY(src)	 entry;
};

TAILQ_HEAD(jobq, job);

static struct {
	pthread_t		 thr;
	pthread_mutex_t		 mtx;	/* inbox and stopped */
	struct jobq		 inbox;	/* from pool_submit() */
	int			 stopped;
	unsigned long long	 seq;	/* last job's arrival number */
	int			 evfd;	/* wakes the pool thread */
	int			 sigfd;
	int			 zfd;	/* zygote control socket */
	pid_t			 zpid;
	int			 failed;	/* the zygote died */
	struct jobq		 queue;	/* waiting for a worker */
	TAILQ_HEAD(, worker)	 workers;
	TAILQ_HEAD(, src)	 srcs;
	unsigned long long	 gen;
	unsigned long long	 init_seq; /* arrival of the last Init */
	uint32_t		 nextid;
	int			 updates;	/* Update jobs in flight */
} P;

static const char *const job_names[] = {
	"FetchData", "BackgroundTask", "Update", "Delete", "Init",
};

/* "source <id>", quoted for the log, in a buffer of the caller. */
static const char *
srcq(const char *id, char *buf, size_t sz)
{
	(void)snprintf(buf, sz, "source %s", log_quote(id));
	return buf;
}

/* Release a job: wipe its secrets, free its request. */
void
job_free(struct job *j)
{
	Runner__FetchDataRequest	*f;
	Runner__BackgroundTaskRequest	*t;
	size_t				 i;

	if (j == NULL)
		return;
	if (j->req != NULL && j->type == JOB_FETCH) {
		f = (Runner__FetchDataRequest *)j->req;
		for (i = 0; i < f->n_secrets; i++)
			explicit_bzero(f->secrets[i]->value,
			    strlen(f->secrets[i]->value));
	} else if (j->req != NULL && j->type == JOB_TASK) {
		t = (Runner__BackgroundTaskRequest *)j->req;
		for (i = 0; i < t->n_secrets; i++)
			explicit_bzero(t->secrets[i]->value,
			    strlen(t->secrets[i]->value));
	}
	if (j->req != NULL)
		protobuf_c_message_free_unpacked(j->req, NULL);
	free(j);
}

/* Answer job "j" and release it.  "msg" may be NULL. */
static void
job_done(struct job *j, int status, const char *msg,
    const ProtobufCMessage *reply)
{
	Runner__Empty	 empty = RUNNER__EMPTY__INIT;
	char		 buf[ERR_TEXT_MAX + 1];

	if (j->type == JOB_UPDATE)
		P.updates--;
	if (msg != NULL) {
		(void)strlcpy(buf, msg, sizeof(buf));
		text_clean(buf);
		msg = buf;
	}
	if (status == GRPC_STATUS_OK && reply == NULL)
		reply = &empty.base;
	rcall_finish(j->call, status, msg, reply);
	j->call = NULL;
	job_free(j);
}

static void
job_donef(struct job *j, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
job_donef(struct job *j, int status, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[ERR_TEXT_MAX + 256];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_done(j, status, msg, NULL);
}

/* --- Sources -------------------------------------------------------- */

static struct src *
src_find(const char *id, int tombstones)
{
	struct src	*s;

	TAILQ_FOREACH(s, &P.srcs, entry)
		if (strcmp(s->id, id) == 0)
			return tombstones || s->code != NULL ? s : NULL;
	return NULL;
}

static void
src_free(struct src *s)
{
	TAILQ_REMOVE(&P.srcs, s, entry);
	free(s->id);
	free(s->code);
	free(s);
}

/* Tombstones only matter while an Update is in flight. */
static void
src_gc(void)
{
	struct src	*s, *n;

	if (P.updates > 0)
		return;
	for (s = TAILQ_FIRST(&P.srcs); s != NULL; s = n) {
		n = TAILQ_NEXT(s, entry);
		if (s->code == NULL)
			src_free(s);
	}
}

/* --- Workers -------------------------------------------------------- */

static int
nlive(void)
{
	struct worker	*w;
	int		 n = 0;

	TAILQ_FOREACH(w, &P.workers, entry)
		if (w->state != W_DEAD)
			n++;
	return n;
}

/* Kill "w" (or have it killed as soon as the zygote made it). */
static void
worker_kill(struct worker *w)
{
	if (w->state == W_DEAD)
		return;
	if (w->state == W_SPAWNING) {
		w->doomed = 1;
		return;
	}
	if (syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0) == -1 &&
	    errno != ESRCH)
		log_warn("pidfd_send_signal %d", (int)w->pid);
	if (w->fd != -1)
		(void)close(w->fd);
	(void)close(w->pidfd);
	w->fd = w->pidfd = -1;
	if (w->out != NULL)
		explicit_bzero(w->out, w->outlen);
	free(w->out);
	w->out = NULL;
	w->outlen = w->outoff = 0;
	w->state = W_DEAD;
}

/* Retire the workers of source "id": now if idle, else after the job. */
static void
retire_source(const char *id, const struct worker *except)
{
	struct worker	*w;

	TAILQ_FOREACH(w, &P.workers, entry) {
		if (w == except || strcmp(w->source, id) != 0)
			continue;
		if (w->state == W_IDLE)
			worker_kill(w);
		else
			w->retire = 1;
	}
}

static void
worker_free(struct worker *w)
{
	TAILQ_REMOVE(&P.workers, w, entry);
	free(w->source);
	free(w->in);
	free(w->out);
	free(w);
}

/* Queue one frame for "w"; the poll loop writes it. */
static int
worker_queue(struct worker *w, const ProtobufCMessage *m)
{
	size_t	 len;

	if (w->out != NULL) {
		log_warnx("worker %d: a frame is already queued", (int)w->pid);
		return -1;
	}
	if ((w->out = wire_pack(m, &len)) == NULL)
		return -1;
	w->outlen = len;
	w->outoff = 0;
	return 0;
}

static int
worker_load(struct worker *w, const char *code)
{
	Worker__Job	 wj = WORKER__JOB__INIT;

	wj.type = WORKER__JOB__TYPE__LOAD;
	wj.source = w->source;
	wj.code = (char *)(uintptr_t)code;
	wj.deadline_ms = w->job->deadline;
	return worker_queue(w, &wj.base);
}

/* Copy the secrets and config maps of "j" into worker job "wj". */
#define COPY_MAP(dst, n_dst, src, n_src, type, init) do {		\
	size_t	 i_;						\
	(n_dst) = (n_src);						\
	(dst) = xcalloc((n_src) == 0 ? 1 : (n_src), sizeof(*(dst)));	\
	ents_ = xcalloc((n_src) == 0 ? 1 : (n_src), sizeof(type));	\
	for (i_ = 0; i_ < (n_src); i_++) {				\
		type	*e_ = (type *)ents_ + i_;			\
		type	 z_ = init;					\
		*e_ = z_;						\
		e_->key = (src)[i_]->key;				\
		e_->value = (src)[i_]->value;				\
		(dst)[i_] = e_;						\
	}								\
} while (0)

/* Send call job "j" to idle worker "w". */
static int
worker_run(struct worker *w, struct job *j)
{
	Worker__Job			 wj = WORKER__JOB__INIT;
	Runner__FetchDataRequest	*f;
	Runner__BackgroundTaskRequest	*t;
	void				*ents_, *sec_ents = NULL, *cfg_ents;
	int				 rc;

	wj.source = w->source;
	wj.deadline_ms = j->deadline;
	if (j->type == JOB_FETCH) {
		f = (Runner__FetchDataRequest *)j->req;
		wj.type = WORKER__JOB__TYPE__FETCH;
		wj.data = f->indicator->data;
		wj.kind = f->indicator->kind;
		COPY_MAP(wj.secrets, wj.n_secrets, f->secrets, f->n_secrets,
		    Worker__Job__SecretsEntry,
		    WORKER__JOB__SECRETS_ENTRY__INIT);
		sec_ents = ents_;
		COPY_MAP(wj.config, wj.n_config, f->config, f->n_config,
		    Worker__Job__ConfigEntry, WORKER__JOB__CONFIG_ENTRY__INIT);
		cfg_ents = ents_;
	} else {
		t = (Runner__BackgroundTaskRequest *)j->req;
		wj.type = WORKER__JOB__TYPE__TASK;
		COPY_MAP(wj.secrets, wj.n_secrets, t->secrets, t->n_secrets,
		    Worker__Job__SecretsEntry,
		    WORKER__JOB__SECRETS_ENTRY__INIT);
		sec_ents = ents_;
		COPY_MAP(wj.config, wj.n_config, t->config, t->n_config,
		    Worker__Job__ConfigEntry, WORKER__JOB__CONFIG_ENTRY__INIT);
		cfg_ents = ents_;
	}
	rc = worker_queue(w, &wj.base);
	free(wj.secrets);
	free(wj.config);
	free(sec_ents);
	free(cfg_ents);
	if (rc == -1)
		return -1;
	w->job = j;
	j->w = w;
	w->state = W_BUSY;
	w->nlogs = 0;
	return 0;
}

/* Ask the zygote for a worker of "j"'s source; "j" waits on it. */
static void
worker_spawn(struct job *j)
{
	struct worker	*w;
	struct zreq	 req;

	w = xcalloc(1, sizeof(*w));
	w->id = ++P.nextid;
	w->fd = w->pidfd = -1;
	w->state = W_SPAWNING;
	w->source = xstrdup(j->source);
	w->job = j;
	j->w = w;
	TAILQ_INSERT_TAIL(&P.workers, w, entry);
	req.id = w->id;
	if (send(P.zfd, &req, sizeof(req), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(req))
		log_warn("send to the worker process manager");
	/* If it is gone, pool_loop() notices on its socket. */
}

/*
 * Room for one more worker: below rset.workers, or after killing the
 * least recently used idle worker.  1 if there is room.
 */
static int
make_room(void)
{
	struct worker	*w, *lru = NULL;

	if (nlive() < rset.workers)
		return 1;
	TAILQ_FOREACH(w, &P.workers, entry)
		if (w->state == W_IDLE &&
		    (lru == NULL || w->last_used < lru->last_used))
			lru = w;
	if (lru == NULL)
		return 0;
	worker_kill(lru);
	return 1;
}

/* Hand queued jobs to workers, in arrival order where possible. */
static void
dispatch(void)
{
	struct job	*j, *n;
	struct worker	*w;
	struct src	*s;
	char		 q[300];

	for (j = TAILQ_FIRST(&P.queue); j != NULL; j = n) {
		n = TAILQ_NEXT(j, entry);
		if (j->type == JOB_UPDATE) {
			if (!make_room())
				continue;
			TAILQ_REMOVE(&P.queue, j, entry);
			worker_spawn(j);
			continue;
		}
		if ((s = src_find(j->source, 0)) == NULL) {
			TAILQ_REMOVE(&P.queue, j, entry);
			job_donef(j, GRPC_STATUS_NOT_FOUND, "source %s not "
			    "found", j->source);
			continue;
		}
		TAILQ_FOREACH(w, &P.workers, entry)
			if (w->state == W_IDLE && w->gen == s->gen &&
			    !w->retire && strcmp(w->source, s->id) == 0)
				break;
		if (w != NULL) {
			TAILQ_REMOVE(&P.queue, j, entry);
			if (worker_run(w, j) == -1) {
				log_warnx("%s: cannot queue a job",
				    srcq(s->id, q, sizeof(q)));
				worker_kill(w);
				job_done(j, GRPC_STATUS_RESOURCE_EXHAUSTED,
				    "out of memory", NULL);
			}
			continue;
		}
		if (make_room()) {
			TAILQ_REMOVE(&P.queue, j, entry);
			worker_spawn(j);
		}
	}
}

/* --- Jobs arriving ------------------------------------------------- */

/* Update succeeded on worker "w": store the code unless superseded. */
static void
update_commit(struct worker *w, struct job *j)
{
	struct src	*s;

	s = src_find(j->source, 1);
	if (P.init_seq > j->seq || (s != NULL && s->seq > j->seq)) {
		/* A later Update, Delete or Init won: keep its result. */
		worker_kill(w);
	} else {
		if (s == NULL) {
			s = xcalloc(1, sizeof(*s));
			s->id = xstrdup(j->source);
			TAILQ_INSERT_TAIL(&P.srcs, s, entry);
		}
		free(s->code);
		s->code = xstrdup(j->code);
		s->gen = ++P.gen;
		s->seq = j->seq;
		retire_source(s->id, w);
		w->gen = s->gen;
		w->state = W_IDLE;
		w->last_used = runner_now_ms();
	}
	w->job = NULL;
	j->w = NULL;
	job_done(j, GRPC_STATUS_OK, NULL, NULL);
	src_gc();
}

static void
do_delete(struct job *j)
{
	struct src	*s;

	if ((s = src_find(j->source, 1)) == NULL && P.updates > 0) {
		s = xcalloc(1, sizeof(*s));
		s->id = xstrdup(j->source);
		TAILQ_INSERT_TAIL(&P.srcs, s, entry);
	}
	if (s != NULL) {
		free(s->code);
		s->code = NULL;
		s->seq = j->seq;
		retire_source(j->source, NULL);
	}
	src_gc();
	job_done(j, GRPC_STATUS_OK, NULL, NULL);
}

/*
 * Init: the given sources become the whole set.  Code that did not
 * change keeps its generation, so its warm workers stay.
 */
static void
do_init(struct job *j)
{
	Runner__InitRequest	*in = (Runner__InitRequest *)j->req;
	TAILQ_HEAD(, src)	 old;
	struct src		*s, *o, *n;
	struct worker		*w;
	size_t			 i;

	TAILQ_INIT(&old);
	TAILQ_CONCAT(&old, &P.srcs, entry);
	P.init_seq = j->seq;
	for (i = 0; i < in->n_updates; i++) {
		const char	*id = in->updates[i]->source;
		const char	*code = in->updates[i]->source_code;

		if ((s = src_find(id, 1)) == NULL) {
			s = xcalloc(1, sizeof(*s));
			s->id = xstrdup(id);
			TAILQ_INSERT_TAIL(&P.srcs, s, entry);
		}
		free(s->code);
		s->code = xstrdup(code);
		s->seq = j->seq;
		s->gen = 0;
		TAILQ_FOREACH(o, &old, entry)
			if (strcmp(o->id, id) == 0 && o->code != NULL &&
			    strcmp(o->code, code) == 0)
				s->gen = o->gen;
		if (s->gen == 0)
			s->gen = ++P.gen;
	}
	for (o = TAILQ_FIRST(&old); o != NULL; o = n) {
		n = TAILQ_NEXT(o, entry);
		free(o->id);
		free(o->code);
		free(o);
	}
	TAILQ_FOREACH(w, &P.workers, entry) {
		if (w->state == W_DEAD || w->state == W_SPAWNING ||
		    (w->job != NULL && w->job->type == JOB_UPDATE))
			continue;
		s = src_find(w->source, 0);
		if (s == NULL || s->gen != w->gen) {
			if (w->state == W_IDLE)
				worker_kill(w);
			else
				w->retire = 1;
		}
	}
	log_info("Init: %zu sources", in->n_updates);
	job_done(j, GRPC_STATUS_OK, NULL, NULL);
}

/* A job from the completion-queue thread, in the pool thread. */
static void
job_arrive(struct job *j)
{
	struct src	*s;

	switch (j->type) {
	case JOB_DELETE:
		do_delete(j);
		return;
	case JOB_INIT:
		do_init(j);
		return;
	case JOB_UPDATE:
		P.updates++;
		if ((s = src_find(j->source, 0)) != NULL &&
		    strcmp(s->code, j->code) == 0) {
			s->seq = j->seq;	/* same code: no check */
			job_done(j, GRPC_STATUS_OK, NULL, NULL);
			return;
		}
		break;
	default:
		break;
	}
	TAILQ_INSERT_TAIL(&P.queue, j, entry);
}

/*
 * Hand job "j" (validated, with its call's answer reference) to the
 * pool, which answers it.  Called by the completion-queue thread.
 */
void
pool_submit(struct job *j)
{
	uint64_t	 one = 1;
	int		 stopped;

	(void)pthread_mutex_lock(&P.mtx);
	if (!(stopped = P.stopped)) {
		j->seq = ++P.seq;
		TAILQ_INSERT_TAIL(&P.inbox, j, entry);
	}
	(void)pthread_mutex_unlock(&P.mtx);
	if (stopped) {
		rcall_finish(j->call, GRPC_STATUS_UNAVAILABLE,
		    "the runner is shutting down", NULL);
		j->call = NULL;
		job_free(j);
		return;
	}
	if (write(P.evfd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("eventfd");
}

/* --- Results -------------------------------------------------------- */

/* The RESULT "m" of call job "j" (FetchData, BackgroundTask). */
static void
call_result(struct job *j, const Worker__Msg *m, const char *q)
{
	Runner__FetchDataReply	 rep = RUNNER__FETCH_DATA_REPLY__INIT;
	const char		*fn = j->type == JOB_FETCH ? "fetch_data" :
				    "background_task";

	switch (m->res) {
	case ENG_OK:
		if (j->type != JOB_FETCH) {
			job_done(j, GRPC_STATUS_OK, NULL, NULL);
			break;
		}
		if (!utf8_valid(m->json)) {
			job_donef(j, GRPC_STATUS_INTERNAL, "%s: the result "
			    "is not valid UTF-8", fn);
			break;
		}
		rep.data = m->json;
		job_done(j, GRPC_STATUS_OK, NULL, &rep.base);
		break;
	case ENG_NO_FUNCTION:
		/* background_task() is optional: then there is none. */
		if (j->type == JOB_TASK)
			job_done(j, GRPC_STATUS_OK, NULL, NULL);
		else
			job_donef(j, GRPC_STATUS_INTERNAL, "%s", m->text);
		break;
	case ENG_USER_ERROR:
	case ENG_BAD_RESULT:
	case RES_SANDBOX:
		job_donef(j, GRPC_STATUS_INTERNAL, "%s", m->text);
		break;
	case ENG_TIMEOUT:
		job_donef(j, GRPC_STATUS_DEADLINE_EXCEEDED, "%s", m->text);
		break;
	case ENG_NOMEM:
		job_donef(j, GRPC_STATUS_RESOURCE_EXHAUSTED, "%s: out of "
		    "memory%s%s", fn, m->text[0] != '\0' ? ": " : "",
		    m->text);
		break;
	case RES_TOO_BIG:
		job_donef(j, GRPC_STATUS_RESOURCE_EXHAUSTED, "%s: the result "
		    "is larger than %lld bytes", fn, rset.output_max);
		break;
	default:
		log_warnx("%s: unknown result %d", q, m->res);
		job_donef(j, GRPC_STATUS_INTERNAL, "%s: unknown result", fn);
		break;
	}
}

/* One message "m" from worker "w". */
static void
worker_msg(struct worker *w, const Worker__Msg *m)
{
	struct job	*j = w->job;
	struct src	*s;
	char		 q[300];

	(void)srcq(w->source, q, sizeof(q));
	if (m->type == WORKER__MSG__TYPE__LOG) {
		if (j != NULL && w->nlogs++ <= LOG_LINES_MAX)
			log_info("%s: %s", q, log_quote(m->text));
		return;
	}
	w->cpu_ms = m->cpu_ms;
	if (j == NULL || (w->state != W_LOADING && w->state != W_BUSY)) {
		log_warnx("%s: worker %d sent an unexpected result", q,
		    (int)w->pid);
		worker_kill(w);
		return;
	}
	w->job = NULL;
	j->w = NULL;

	if (w->state == W_LOADING) {
		if (m->res == ENG_OK && j->type == JOB_UPDATE) {
			update_commit(w, j);
			return;
		}
		if (m->res == ENG_OK) {
			if ((s = src_find(w->source, 0)) == NULL) {
				worker_kill(w);
				job_donef(j, GRPC_STATUS_NOT_FOUND, "source %s "
				    "not found", j->source);
				return;
			}
			if (worker_run(w, j) == -1) {
				worker_kill(w);
				job_done(j, GRPC_STATUS_RESOURCE_EXHAUSTED,
				    "out of memory", NULL);
			}
			return;
		}
		worker_kill(w);
		if (m->res == RES_SANDBOX) {
			log_warnx("%s: %s", q, log_quote(m->text));
			job_donef(j, GRPC_STATUS_INTERNAL, "%s", m->text);
		} else if (m->res == ENG_NOMEM)
			job_donef(j, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of "
			    "memory while loading the code");
		else if (j->type == JOB_UPDATE)
			job_donef(j, GRPC_STATUS_INVALID_ARGUMENT, "%s",
			    m->text);
		else
			job_donef(j, GRPC_STATUS_INTERNAL, "the code does not "
			    "load: %s", m->text);
		return;
	}

	log_debug("%s: %s done (%d)", q, job_names[j->type], m->res);
	call_result(j, m, q);
	w->state = W_IDLE;
	w->last_used = runner_now_ms();
	/* After MemoryError, or near the CPU limit, start afresh. */
	if (w->retire || m->res == ENG_NOMEM ||
	    w->cpu_ms > rset.cpu_max * 1000 / 2)
		worker_kill(w);
}

/* Parse every complete frame in w->in. */
static void
worker_parse(struct worker *w)
{
	Worker__Msg	*m;
	size_t		 body, off = 0;
	int		 rc;
	char		 q[300];

	while (w->state != W_DEAD && (rc = wire_frame(w->in + off,
	    w->inlen - off, (size_t)rset.output_max + 65536, &body)) != 0) {
		if (rc == -1) {
			struct job	*j = w->job;

			log_warnx("%s: worker %d sent an oversized frame",
			    srcq(w->source, q, sizeof(q)), (int)w->pid);
			worker_kill(w);
			if (j != NULL) {
				w->job = NULL;
				j->w = NULL;
				job_donef(j, GRPC_STATUS_RESOURCE_EXHAUSTED,
				    "the result is larger than %lld bytes",
				    rset.output_max);
			}
			return;
		}
		m = worker__msg__unpack(NULL, body, w->in + off + 4);
		off += 4 + body;
		if (m == NULL) {
			log_warnx("%s: worker %d sent garbage",
			    srcq(w->source, q, sizeof(q)), (int)w->pid);
			worker_kill(w);
			break;
		}
		worker_msg(w, m);
		worker__msg__free_unpacked(m, NULL);
	}
	if (w->state == W_DEAD) {
		w->inlen = 0;
		return;
	}
	memmove(w->in, w->in + off, w->inlen - off);
	w->inlen -= off;
	if (w->inlen == 0 && w->incap > 1024 * 1024) {
		/* Do not keep a large result's buffer for an idle worker. */
		free(w->in);
		w->in = NULL;
		w->incap = 0;
	}
}

static void
worker_input(struct worker *w)
{
	ssize_t	 r;
	size_t	 max = (size_t)rset.output_max + 65536 + 4;

	for (;;) {
		if (w->incap - w->inlen < 65536) {
			w->incap = w->incap == 0 ? 131072 : w->incap * 2;
			if (w->incap > max + 65536)
				w->incap = max + 65536;
			w->in = xrealloc(w->in, w->incap);
		}
		if (w->inlen == w->incap)
			break;		/* worker_parse() will complain */
		r = read(w->fd, w->in + w->inlen, w->incap - w->inlen);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			break;
		if (r <= 0) {
			/* Ended: ZM_EXITED will say how; stop reading. */
			worker_parse(w);
			if (w->fd != -1) {
				(void)close(w->fd);
				w->fd = -1;
			}
			return;
		}
		w->inlen += (size_t)r;
		if (w->inlen >= w->incap)
			break;
	}
	worker_parse(w);
}

static void
worker_output(struct worker *w)
{
	ssize_t	 r;

	while (w->out != NULL && w->outoff < w->outlen) {
		r = write(w->fd, w->out + w->outoff, w->outlen - w->outoff);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r == -1) {
			/* It died; ZM_EXITED follows. */
			worker_kill(w);
			return;
		}
		w->outoff += (size_t)r;
	}
	if (w->out != NULL) {
		explicit_bzero(w->out, w->outlen);	/* it held secrets */
		free(w->out);
		w->out = NULL;
		w->outlen = w->outoff = 0;
	}
}

/* How a worker ended, for the call it took with it. */
static void
exit_text(int st, char *buf, size_t sz)
{
	if (WIFSIGNALED(st))
		(void)snprintf(buf, sz, "the worker process was killed by "
		    "signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st))
		(void)snprintf(buf, sz, "the worker process exited with "
		    "status %d", WEXITSTATUS(st));
	else
		(void)snprintf(buf, sz, "the worker process ended");
}

/* One message from the zygote. */
static int
zygote_input(void)
{
	struct zmsg	 m;
	struct worker	*w;
	struct job	*j;
	struct src	*s;
	char		 q[300], why[200];
	int		 fds[2], nfds, i;
	ssize_t		 n;

	n = fd_recv(P.zfd, &m, sizeof(m), fds, 2, &nfds);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n != (ssize_t)sizeof(m)) {
		for (i = 0; i < nfds; i++)
			(void)close(fds[i]);
		return -1;
	}
	switch (m.type) {
	case ZM_SPAWNED:
		TAILQ_FOREACH(w, &P.workers, entry)
			if (w->id == m.id && w->state == W_SPAWNING)
				break;
		if (w == NULL || nfds != 2) {
			for (i = 0; i < nfds; i++)
				(void)close(fds[i]);
			break;
		}
		w->pid = m.pid;
		w->fd = fds[0];
		w->pidfd = fds[1];
		(void)fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
		w->state = W_LOADING;
		j = w->job;
		if (w->doomed || j == NULL) {
			worker_kill(w);
			break;
		}
		if (j->type == JOB_UPDATE) {
			w->gen = 0;
			if (worker_load(w, j->code) == 0)
				break;
		} else if ((s = src_find(j->source, 0)) == NULL) {
			w->job = NULL;
			j->w = NULL;
			worker_kill(w);
			job_donef(j, GRPC_STATUS_NOT_FOUND, "source %s not "
			    "found", j->source);
			break;
		} else {
			w->gen = s->gen;
			if (worker_load(w, s->code) == 0)
				break;
		}
		w->job = NULL;
		j->w = NULL;
		worker_kill(w);
		job_done(j, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory",
		    NULL);
		break;
	case ZM_FAILED:
		TAILQ_FOREACH(w, &P.workers, entry)
			if (w->id == m.id && w->state == W_SPAWNING)
				break;
		if (w == NULL)
			break;
		if ((j = w->job) != NULL)
			job_done(j, GRPC_STATUS_INTERNAL, "cannot start a "
			    "worker process", NULL);
		worker_free(w);
		break;
	case ZM_EXITED:
		TAILQ_FOREACH(w, &P.workers, entry)
			if (w->pid == m.pid && w->state != W_SPAWNING)
				break;
		if (w == NULL)
			break;
		exit_text(m.status, why, sizeof(why));
		if ((j = w->job) != NULL) {
			log_warnx("%s: %s: %s", srcq(w->source, q, sizeof(q)),
			    job_names[j->type], why);
			if (WIFSIGNALED(m.status) &&
			    WTERMSIG(m.status) == SIGXCPU)
				job_donef(j, GRPC_STATUS_RESOURCE_EXHAUSTED,
				    "%s: CPU time limit", why);
			else
				job_donef(j, GRPC_STATUS_INTERNAL, "%s", why);
		} else
			log_debug("%s: worker %d: %s", srcq(w->source, q,
			    sizeof(q)), (int)w->pid, why);
		worker_kill(w);
		worker_free(w);
		break;
	default:
		for (i = 0; i < nfds; i++)
			(void)close(fds[i]);
		break;
	}
	return 0;
}

/* Deadlines and cancelled calls; returns ms until the next deadline. */
static long long
check_deadlines(void)
{
	struct job	*j, *n;
	struct worker	*w;
	long long	 now = runner_now_ms(), next = now + TICK_MS;
	char		 q[300];

	for (j = TAILQ_FIRST(&P.queue); j != NULL; j = n) {
		n = TAILQ_NEXT(j, entry);
		if (j->deadline <= now || rcall_cancelled(j->call)) {
			TAILQ_REMOVE(&P.queue, j, entry);
			job_donef(j, GRPC_STATUS_DEADLINE_EXCEEDED, "source "
			    "%s: the deadline passed while waiting for a "
			    "worker", j->source);
		} else if (j->deadline < next)
			next = j->deadline;
	}
	TAILQ_FOREACH(w, &P.workers, entry) {
		if ((j = w->job) == NULL)
			continue;
		if (j->deadline <= now) {
			log_warnx("%s: %s: deadline exceeded, worker %d "
			    "killed", srcq(w->source, q, sizeof(q)),
			    job_names[j->type], (int)w->pid);
			w->job = NULL;
			j->w = NULL;
			worker_kill(w);
			job_donef(j, GRPC_STATUS_DEADLINE_EXCEEDED, "source "
			    "%s: the deadline passed", j->source);
		} else if (j->deadline < next)
			next = j->deadline;
	}
	return next - now;
}

/*
 * Reap the zygote, which exits once its socket is closed; one that
 * does not within 5 s is killed (its workers die with it:
 * PR_SET_PDEATHSIG).
 */
static void
zygote_wait(pid_t pid)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		(void)nanosleep(&ts, NULL);
	}
	log_warnx("the worker process manager did not stop: killed");
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
}

/* Shut down: answer everything UNAVAILABLE, stop the zygote. */
static void
pool_stop(void)
{
	struct jobq	 inbox;
	struct job	*j;
	struct worker	*w;

	TAILQ_INIT(&inbox);
	(void)pthread_mutex_lock(&P.mtx);
	P.stopped = 1;
	TAILQ_CONCAT(&inbox, &P.inbox, entry);
	(void)pthread_mutex_unlock(&P.mtx);
	TAILQ_CONCAT(&P.queue, &inbox, entry);
	while ((j = TAILQ_FIRST(&P.queue)) != NULL) {
		TAILQ_REMOVE(&P.queue, j, entry);
		job_done(j, GRPC_STATUS_UNAVAILABLE, "the runner is shutting "
		    "down", NULL);
	}
	while ((w = TAILQ_FIRST(&P.workers)) != NULL) {
		if ((j = w->job) != NULL)
			job_done(j, GRPC_STATUS_UNAVAILABLE, "the runner is "
			    "shutting down", NULL);
		worker_kill(w);
		worker_free(w);
	}
	while (TAILQ_FIRST(&P.srcs) != NULL)
		src_free(TAILQ_FIRST(&P.srcs));
	(void)close(P.zfd);		/* the zygote kills what is left */
	zygote_wait(P.zpid);
	server_stop();
}

static void *
pool_loop(void *arg)
{
	struct pollfd		*pfd = NULL;
	struct worker		**pw = NULL, *w;
	struct signalfd_siginfo	 si;
	struct jobq		 in;
	struct job		*j;
	uint64_t		 v;
	size_t			 cap = 0, n, i;
	long long		 wait;

	(void)arg;
	for (;;) {
		wait = check_deadlines();
		dispatch();

		n = 3;
		TAILQ_FOREACH(w, &P.workers, entry)
			n++;
		if (n > cap) {
			cap = n;
			pfd = xreallocarray(pfd, cap, sizeof(*pfd));
			pw = xreallocarray(pw, cap, sizeof(*pw));
		}
		pfd[0].fd = P.evfd;
		pfd[1].fd = P.sigfd;
		pfd[2].fd = P.zfd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		n = 3;
		TAILQ_FOREACH(w, &P.workers, entry) {
			if (w->fd == -1)
				continue;
			pfd[n].fd = w->fd;
			pfd[n].events = POLLIN;
			if (w->out != NULL)
				pfd[n].events |= POLLOUT;
			pw[n++] = w;
		}
		if (wait < 0)
			wait = 0;
		if (poll(pfd, n, (int)(wait > TICK_MS ? TICK_MS : wait)) ==
		    -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			break;
		}

		/* Worker I/O first: it never frees a worker. */
		for (i = 3; i < n; i++) {
			w = pw[i];
			if (w->fd == -1 || pfd[i].revents == 0)
				continue;
			if (pfd[i].revents & POLLOUT)
				worker_output(w);
			if (w->fd != -1 && (pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				worker_input(w);
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR) &&
		    zygote_input() == -1) {
			log_crit("the worker process manager ended");
			P.failed = 1;
			break;
		}
		if (pfd[1].revents & POLLIN &&
		    read(P.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				log_info("signal %d: shutting down",
				    (int)si.ssi_signo);
				break;
			}
			log_info("signal %d ignored", (int)si.ssi_signo);
		}
		if (pfd[0].revents & POLLIN) {
			(void)read(P.evfd, &v, sizeof(v));
			TAILQ_INIT(&in);
			(void)pthread_mutex_lock(&P.mtx);
			TAILQ_CONCAT(&in, &P.inbox, entry);
			(void)pthread_mutex_unlock(&P.mtx);
			while ((j = TAILQ_FIRST(&in)) != NULL) {
				TAILQ_REMOVE(&in, j, entry);
				job_arrive(j);
			}
		}
	}
	free(pfd);
	free(pw);
	pool_stop();
	return NULL;
}

/*
 * Start the pool thread with the zygote's control socket "zfd" (now
 * owned by the pool) and pid.  Signals must already be blocked.
 * 0, or -1 after logging why.
 */
int
pool_start(int zfd, pid_t zpid)
{
	sigset_t	 mask;
	int		 e;

	memset(&P, 0, sizeof(P));
	(void)pthread_mutex_init(&P.mtx, NULL);
	TAILQ_INIT(&P.inbox);
	TAILQ_INIT(&P.queue);
	TAILQ_INIT(&P.workers);
	TAILQ_INIT(&P.srcs);
	P.zfd = zfd;
	P.zpid = zpid;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if ((P.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (P.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) ==
	    -1) {
		log_warn("eventfd/signalfd");
		return -1;
	}
	(void)fcntl(zfd, F_SETFL, fcntl(zfd, F_GETFL) | O_NONBLOCK);
	if ((e = pthread_create(&P.thr, NULL, pool_loop, NULL)) != 0) {
		errno = e;
		log_warn("pthread_create");
		return -1;
	}
	return 0;
}

/* Wait for the pool thread; 0, or 1 if the runner failed. */
int
pool_join(void)
{
	(void)pthread_join(P.thr, NULL);
	return P.failed;
}
