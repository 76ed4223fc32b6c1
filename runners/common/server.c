/*
 * runners/common/server.c -- the gRPC server of a runner, on the gRPC C
 * core with protobuf-c messages in byte buffers.
 *
 * One thread (the main one, server_run()) drives one completion queue.
 * Every call is a struct rcall with a reference count: one reference
 * for each batch in flight, plus one "answer" reference held by
 * whoever must send the status (this file, a pool job or the list of
 * health watchers).  rcall_finish() sends the status and gives the
 * answer reference up; it may be called from the pool thread
 * (grpc_call_start_batch() is thread-safe).
 *
 * Methods: runner.Runner/{FetchData,BackgroundTask,Update,Delete,Init}
 * are validated here (INVALID_ARGUMENT) and handed to the pool;
 * grpc.health.v1.Health/{Check,Watch} are answered here; anything else
 * is UNIMPLEMENTED.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

#include "compat.h"
#include "extern.h"
#include "log.h"
#include "proto/health.pb-c.h"
#include "proto/runner.pb-c.h"
#include "xmalloc.h"

/* Largest request accepted: Init carries every source's code. */
#define REQUEST_MAX	(64 * 1024 * 1024)
/* Longest source id accepted. */
#define SOURCE_MAX	256
/* Calls requested from the server ahead of time. */
#define PENDING_CALLS	8

#define HEALTH_SERVING \
	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
#define HEALTH_UNKNOWN \
	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN

enum meth {
	M_FETCH,
	M_TASK,
	M_UPDATE,
	M_DELETE,
	M_INIT,
	M_HCHECK,
	M_HWATCH,
	M__MAX,
	M_UNKNOWN = M__MAX
};

/* Method paths, indexed by enum meth. */
static const char *const meth_path[] = {
	"/runner.Runner/FetchData",
	"/runner.Runner/BackgroundTask",
	"/runner.Runner/Update",
	"/runner.Runner/Delete",
	"/runner.Runner/Init",
	"/grpc.health.v1.Health/Check",
	"/grpc.health.v1.Health/Watch",
};
_Static_assert(nitems(meth_path) == M__MAX, "meth_path[] and enum meth");

struct rtag {
	void		(*fn)(struct rcall *, int);
	struct rcall	*c;
};

struct rcall {
	grpc_call		*call;
	grpc_call_details	 details;
	grpc_metadata_array	 md;
	enum meth		 meth;
	long long		 deadline; /* the client's (runner_now_ms) */
	grpc_byte_buffer	*recv_bb;
	grpc_byte_buffer	*send_bb;
	int			 cancelled; /* set by RECV_CLOSE_ON_SERVER */
	atomic_int		 closed;	/* the call is over */
	atomic_int		 refs;
	atomic_int		 finished; /* rcall_finish() was called */
	int			 watching;	/* on the watchers list */
	struct rtag		 t_new, t_recv, t_send, t_close;
	LIST_ENTRY(rcall)	 wentry;
};

static grpc_server		*srv;
static grpc_completion_queue	*cq;
static atomic_int		 stopping;
static struct rtag		 t_shutdown;
static char			 sockpath[PATH_MAX];
/* Health.Watch calls, touched by the completion-queue thread only. */
static LIST_HEAD(, rcall)	 watchers = LIST_HEAD_INITIALIZER(watchers);

static void	on_new(struct rcall *, int);
static void	on_recv(struct rcall *, int);
static void	on_send(struct rcall *, int);
static void	on_close(struct rcall *, int);

static void
rcall_unref(struct rcall *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	if (c->call != NULL)
		grpc_call_unref(c->call);
	if (c->recv_bb != NULL)
		grpc_byte_buffer_destroy(c->recv_bb);
	if (c->send_bb != NULL)
		grpc_byte_buffer_destroy(c->send_bb);
	grpc_call_details_destroy(&c->details);
	grpc_metadata_array_destroy(&c->md);
	free(c);
}

/* Start a batch that holds a reference until "t" completes. */
static int
start(struct rcall *c, const grpc_op *ops, size_t n, struct rtag *t)
{
	grpc_call_error	 e;

	atomic_fetch_add(&c->refs, 1);
	if ((e = grpc_call_start_batch(c->call, ops, n, t, NULL)) !=
	    GRPC_CALL_OK) {
		log_warnx("grpc_call_start_batch: error %d", (int)e);
		rcall_unref(c);
		return -1;
	}
	return 0;
}

/* Ask the server for one more call. */
static void
request_call(void)
{
	struct rcall	*c;

	c = xcalloc(1, sizeof(*c));
	atomic_init(&c->refs, 1);
	grpc_call_details_init(&c->details);
	grpc_metadata_array_init(&c->md);
	c->t_new.fn = on_new;
	c->t_recv.fn = on_recv;
	c->t_send.fn = on_send;
	c->t_close.fn = on_close;
	c->t_new.c = c->t_recv.c = c->t_send.c = c->t_close.c = c;
	if (grpc_server_request_call(srv, &c->call, &c->details, &c->md, cq,
	    cq, &c->t_new) != GRPC_CALL_OK) {
		log_warnx("grpc_server_request_call failed");
		rcall_unref(c);
	}
}

/* Pack "m" into a byte buffer; NULL if it is too large. */
static grpc_byte_buffer *
pack(const ProtobufCMessage *m)
{
	grpc_byte_buffer	*bb;
	grpc_slice		 s;
	size_t			 n;

	n = protobuf_c_message_get_packed_size(m);
	s = grpc_slice_malloc(n);
	(void)protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
	bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	return bb;
}

/*
 * Answer call "c" with "status" (a grpc_status_code) and "msg" (NULL
 * for none), and with "reply" when status is OK.  Gives up the answer
 * reference: "c" must not be used afterwards.  Thread-safe; a call is
 * answered once, later answers are ignored.
 */
void
rcall_finish(struct rcall *c, int status, const char *msg,
    const ProtobufCMessage *reply)
{
	grpc_op		 ops[3];
	grpc_slice	 details;
	size_t		 n = 0;

	if (atomic_exchange(&c->finished, 1)) {
		log_warnx("call answered twice");
		return;
	}
	memset(ops, 0, sizeof(ops));
	ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (status == GRPC_STATUS_OK && reply != NULL) {
		c->send_bb = pack(reply);
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = c->send_bb;
	}
	details = grpc_slice_from_copied_string(msg != NULL ? msg : "");
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = (grpc_status_code)status;
	ops[n++].data.send_status_from_server.status_details =
	    msg != NULL ? &details : NULL;
	(void)start(c, ops, n, &c->t_send);
	grpc_slice_unref(details);	/* not retained past start_batch */
	if (status != GRPC_STATUS_OK)
		log_debug("%s: status %d: %s", meth_path[c->meth < M__MAX ?
		    c->meth : 0], status, msg != NULL ? log_quote(msg) : "");
	rcall_unref(c);
}

/* Has the client gone (cancelled, deadline, disconnected)? */
int
rcall_cancelled(const struct rcall *c)
{
	return atomic_load(&c->closed) && c->cancelled;
}

/* gRPC's deadline of the call as a runner_now_ms() time. */
static long long
call_deadline(gpr_timespec dl)
{
	gpr_timespec	 d;
	long long	 ms;

	if (gpr_time_cmp(dl, gpr_inf_future(dl.clock_type)) == 0)
		return LLONG_MAX;
	d = gpr_time_sub(dl, gpr_now(dl.clock_type));
	ms = (long long)d.tv_sec * 1000 + d.tv_nsec / 1000000;
	return runner_now_ms() + ms;
}

/*
 * The deadline of a job: "timeout" ms (0: the default), never beyond
 * the configured maximum nor the client's own deadline.
 */
static long long
job_deadline(struct rcall *c, long long timeout)
{
	long long	 now = runner_now_ms(), d;

	if (timeout <= 0)
		timeout = rset.timeout_def;
	if (timeout > rset.timeout_max)
		timeout = rset.timeout_max;
	d = now + timeout;
	return c->deadline < d ? c->deadline : d;
}

static void
on_new(struct rcall *c, int ok)
{
	grpc_op		 op;
	size_t		 i, len;
	const char	*path;

	if (!ok) {			/* the server is shutting down */
		rcall_unref(c);
		return;
	}
	if (!atomic_load(&stopping))
		request_call();

	path = (const char *)GRPC_SLICE_START_PTR(c->details.method);
	len = GRPC_SLICE_LENGTH(c->details.method);
	c->meth = M_UNKNOWN;
	for (i = 0; i < M__MAX; i++)
		if (strlen(meth_path[i]) == len &&
		    memcmp(meth_path[i], path, len) == 0)
			c->meth = (enum meth)i;
	c->deadline = call_deadline(c->details.deadline);

	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	op.data.recv_close_on_server.cancelled = &c->cancelled;
	if (start(c, &op, 1, &c->t_close) == -1) {
		rcall_unref(c);
		return;
	}
	if (c->meth == M_UNKNOWN) {
		char	 msg[300];

		(void)snprintf(msg, sizeof(msg), "unknown method %.*s",
		    (int)(len > 200 ? 200 : len), path);
		text_clean(msg);
		rcall_finish(c, GRPC_STATUS_UNIMPLEMENTED, msg, NULL);
		return;
	}
	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &c->recv_bb;
	if (start(c, &op, 1, &c->t_recv) == -1)
		rcall_finish(c, GRPC_STATUS_INTERNAL, "cannot read", NULL);
}

static void
on_send(struct rcall *c, int ok)
{
	(void)ok;
	if (c->send_bb != NULL) {
		grpc_byte_buffer_destroy(c->send_bb);
		c->send_bb = NULL;
	}
	rcall_unref(c);
}

static void
on_close(struct rcall *c, int ok)
{
	(void)ok;
	atomic_store(&c->closed, 1);
	if (c->watching) {
		c->watching = 0;
		LIST_REMOVE(c, wentry);
		rcall_unref(c);		/* the watcher's reference */
	}
	rcall_unref(c);
}

/* Health: is "service" one this runner serves? */
static int
health_known(const char *service)
{
	return strcmp(service, "") == 0 ||
	    strcmp(service, "runner.Runner") == 0;
}

static void
health(struct rcall *c, const uint8_t *p, size_t len)
{
	Grpc__Health__V1__HealthCheckRequest	*req;
	Grpc__Health__V1__HealthCheckResponse	 rep =
	    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
	grpc_op					 ops[2];
	int					 known;

	if ((req = grpc__health__v1__health_check_request__unpack(NULL, len,
	    p)) == NULL) {
		rcall_finish(c, GRPC_STATUS_INVALID_ARGUMENT,
		    "cannot parse the request", NULL);
		return;
	}
	known = health_known(req->service);
	grpc__health__v1__health_check_request__free_unpacked(req, NULL);

	if (c->meth == M_HCHECK) {
		if (!known) {
			rcall_finish(c, GRPC_STATUS_NOT_FOUND,
			    "unknown service", NULL);
			return;
		}
		rep.status = HEALTH_SERVING;
		rcall_finish(c, GRPC_STATUS_OK, NULL, &rep.base);
		return;
	}

	/*
	 * Watch: the current status now, then nothing until the client
	 * goes or the server stops; the status never changes while the
	 * runner serves.
	 */
	rep.status = known ? HEALTH_SERVING : HEALTH_UNKNOWN;
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	c->send_bb = pack(&rep.base);
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = c->send_bb;
	atomic_store(&c->finished, 1);
	if (atomic_load(&c->closed)) {
		rcall_unref(c);
		return;
	}
	c->watching = 1;
	LIST_INSERT_HEAD(&watchers, c, wentry);
	(void)start(c, ops, 2, &c->t_send);
}

/* Fail validation of call "c": INVALID_ARGUMENT with "msg". */
static void
invalid(struct rcall *c, ProtobufCMessage *req, const char *msg)
{
	if (req != NULL)
		protobuf_c_message_free_unpacked(req, NULL);
	rcall_finish(c, GRPC_STATUS_INVALID_ARGUMENT, msg, NULL);
}

/* A source id: non-empty and short.  NULL, or what is wrong. */
static const char *
source_check(const char *s)
{
	if (s[0] == '\0')
		return "source must not be empty";
	if (strlen(s) > SOURCE_MAX)
		return "source is too long";
	return NULL;
}

/*
 * Unpack and validate a Runner request, then hand it to the pool.
 * Validation as the reference runner: FetchData needs an indicator
 * with data and kind, and a source; BackgroundTask a source; Update a
 * source and code; Init the same for each of its updates; Delete
 * nothing.
 */
static void
runner_call(struct rcall *c, const uint8_t *p, size_t len)
{
	Runner__FetchDataRequest	*f;
	Runner__BackgroundTaskRequest	*t;
	Runner__UpdateRequest		*u;
	Runner__DeleteRequest		*d;
	Runner__InitRequest		*in;
	ProtobufCMessage		*req = NULL;
	struct job			*j;
	const char			*why;
	char				 msg[128];
	size_t				 i;

	j = xcalloc(1, sizeof(*j));
	j->call = c;
	switch (c->meth) {
	case M_FETCH:
		f = runner__fetch_data_request__unpack(NULL, len, p);
		if ((req = (ProtobufCMessage *)f) == NULL)
			break;
		j->type = JOB_FETCH;
		j->source = f->source;
		if (f->indicator == NULL) {
			why = "indicator is required";
			goto bad;
		}
		if (f->indicator->data[0] == '\0') {
			why = "indicator.data must not be empty";
			goto bad;
		}
		if (f->indicator->kind[0] == '\0') {
			why = "indicator.kind must not be empty";
			goto bad;
		}
		if ((why = source_check(f->source)) != NULL)
			goto bad;
		if (f->timeout_ms < 0) {
			why = "timeout_ms must not be negative";
			goto bad;
		}
		j->deadline = job_deadline(c, f->timeout_ms);
		break;
	case M_TASK:
		t = runner__background_task_request__unpack(NULL, len, p);
		if ((req = (ProtobufCMessage *)t) == NULL)
			break;
		j->type = JOB_TASK;
		j->source = t->source;
		if ((why = source_check(t->source)) != NULL)
			goto bad;
		if (t->timeout_ms < 0) {
			why = "timeout_ms must not be negative";
			goto bad;
		}
		j->deadline = job_deadline(c, t->timeout_ms);
		break;
	case M_UPDATE:
		u = runner__update_request__unpack(NULL, len, p);
		if ((req = (ProtobufCMessage *)u) == NULL)
			break;
		j->type = JOB_UPDATE;
		j->source = u->source;
		j->code = u->source_code;
		if ((why = source_check(u->source)) != NULL)
			goto bad;
		if (u->source_code[0] == '\0') {
			why = "source_code must not be empty";
			goto bad;
		}
		j->deadline = job_deadline(c, 0);
		break;
	case M_DELETE:
		d = runner__delete_request__unpack(NULL, len, p);
		if ((req = (ProtobufCMessage *)d) == NULL)
			break;
		j->type = JOB_DELETE;
		j->source = d->source;
		j->deadline = job_deadline(c, 0);
		break;
	case M_INIT:
		in = runner__init_request__unpack(NULL, len, p);
		if ((req = (ProtobufCMessage *)in) == NULL)
			break;
		j->type = JOB_INIT;
		for (i = 0; i < in->n_updates; i++) {
			if ((why = source_check(in->updates[i]->source)) ==
			    NULL && in->updates[i]->source_code[0] == '\0')
				why = "source_code must not be empty";
			if (why != NULL) {
				(void)snprintf(msg, sizeof(msg),
				    "updates[%zu]: %s", i, why);
				why = msg;
				goto bad;
			}
		}
		j->deadline = job_deadline(c, 0);
		break;
	default:
		break;
	}
	if (req == NULL) {
		free(j);
		invalid(c, NULL, "cannot parse the request");
		return;
	}
	j->req = req;
	pool_submit(j);
	return;
bad:
	free(j);
	invalid(c, req, why);
}

static void
on_recv(struct rcall *c, int ok)
{
	grpc_byte_buffer_reader	 rd;
	grpc_byte_buffer	*bb = c->recv_bb;
	grpc_slice		 s;

	c->recv_bb = NULL;
	if (!ok || bb == NULL) {
		if (bb != NULL)
			grpc_byte_buffer_destroy(bb);
		rcall_finish(c, GRPC_STATUS_INVALID_ARGUMENT,
		    "no request message", NULL);
		rcall_unref(c);
		return;
	}
	if (!grpc_byte_buffer_reader_init(&rd, bb)) {
		grpc_byte_buffer_destroy(bb);
		rcall_finish(c, GRPC_STATUS_INTERNAL, "cannot read the "
		    "request", NULL);
		rcall_unref(c);
		return;
	}
	s = grpc_byte_buffer_reader_readall(&rd);
	grpc_byte_buffer_reader_destroy(&rd);
	grpc_byte_buffer_destroy(bb);

	if (atomic_load(&stopping))
		rcall_finish(c, GRPC_STATUS_UNAVAILABLE, "the runner is "
		    "shutting down", NULL);
	else if (c->meth == M_HCHECK || c->meth == M_HWATCH)
		health(c, GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s));
	else
		runner_call(c, GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s));
	/* The request may hold secrets. */
	explicit_bzero(GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s));
	grpc_slice_unref(s);
	rcall_unref(c);
}

/*
 * grpc_init(), then listen on "address" (unix:PATH or host:port).
 * 0, or -1 after logging why.
 */
int
server_start(const char *address)
{
	grpc_server_credentials	*creds;
	grpc_arg		 args[2];
	grpc_channel_args	 ca;
	const char		*p;
	int			 i;

	grpc_init();
	cq = grpc_completion_queue_create_for_next(NULL);
	memset(args, 0, sizeof(args));
	args[0].type = GRPC_ARG_INTEGER;
	args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	args[0].value.integer = REQUEST_MAX;
	args[1].type = GRPC_ARG_INTEGER;
	args[1].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
	args[1].value.integer = -1;
	ca.num_args = 2;
	ca.args = args;
	srv = grpc_server_create(&ca, NULL);
	grpc_server_register_completion_queue(srv, cq, NULL);

	if (strncmp(address, "unix:", 5) == 0) {
		p = address + 5;
		if (strncmp(p, "//", 2) == 0)
			p += 2;
		(void)strlcpy(sockpath, p, sizeof(sockpath));
	}
	creds = grpc_insecure_server_credentials_create();
	i = grpc_server_add_http2_port(srv, address, creds);
	grpc_server_credentials_release(creds);
	if (i == 0) {
		log_warnx("cannot listen on %s", address);
		sockpath[0] = '\0';
		grpc_server_destroy(srv);
		grpc_completion_queue_shutdown(cq);
		while (grpc_completion_queue_next(cq,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
		    GRPC_QUEUE_SHUTDOWN)
			continue;
		grpc_completion_queue_destroy(cq);
		grpc_shutdown();
		return -1;
	}
	/* Clients of the same group may connect (as the FastCGI sockets). */
	if (sockpath[0] != '\0' && chmod(sockpath, 0660) == -1)
		log_warn("chmod %s", sockpath);
	grpc_server_start(srv);
	for (i = 0; i < PENDING_CALLS; i++)
		request_call();
	return 0;
}

/* Drive the completion queue until the server has shut down. */
void
server_run(void)
{
	grpc_event	 ev;
	struct rtag	*t;

	for (;;) {
		ev = grpc_completion_queue_next(cq,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		t = ev.tag;
		if (t == &t_shutdown) {
			grpc_completion_queue_shutdown(cq);
			continue;
		}
		t->fn(t->c, ev.success);
	}
}

/*
 * Stop accepting calls and cancel the ones still open (health
 * watchers); server_run() returns once everything has drained.  Called
 * once, by the pool thread after it answered its jobs (or by
 * runner_main() if the pool could not start).
 */
void
server_stop(void)
{
	atomic_store(&stopping, 1);
	grpc_server_shutdown_and_notify(srv, cq, &t_shutdown);
	grpc_server_cancel_all_calls(srv);
}

/* After server_run() returned: free everything, remove the socket. */
void
server_destroy(void)
{
	grpc_server_destroy(srv);
	grpc_completion_queue_destroy(cq);
	grpc_shutdown();
	if (sockpath[0] != '\0')
		(void)unlink(sockpath);
}
