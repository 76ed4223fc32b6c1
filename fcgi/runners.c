/*
 * fcgi/runners.c -- iocagg-runners: the /api/v1/runners route group,
 * the status of the Python and JavaScript runners as an event stream.
 * See iocagg-runners(8).
 *
 * One request thread serves one stream.  It watches both runners with
 * grpc.health.v1.Health/Watch (service ""), one call each on the
 * process's channel to the runner's address (lib/runner.c), driven by
 * a completion queue of the request's own, and sends an event each
 * time a runner's status changes:
 *
 *	id: PYTHON			(or JAVA_SCRIPT)
 *	data: SERVING			(NOT_SERVING, UNKNOWN, UNREACHABLE)
 *
 * A watch that ends (the runner stopped, or could not be reached) is
 * UNREACHABLE and is started again after a backoff (250 ms doubling to
 * 5 s, back to 250 ms once a status arrives), with the address read
 * again from server_config, for as long as the client stays.
 * ": keep-alive" comments go out after sse_keepalive seconds of
 * silence.  The client's connection is polled between events; without
 * one (CGI mode) the stream ends once both runners have a status.
 */
#include "config.h"

#include <sys/socket.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/slice.h>
#include <grpc/status.h>
#include <grpc/support/time.h>

#include "compat.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "proto/health.pb-c.h"
#include "runner.h"
#include "xmalloc.h"

#define BACKOFF_MIN_MS	250
#define BACKOFF_MAX_MS	5000
#define POLL_MS		250	/* how often the client is looked at */

#define HS_SERVING \
	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
#define HS_NOT_SERVING \
	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING

static void	status_sse(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/runners/status/sse", status_sse, NULL,
	    ROUTE_STREAM },
};

enum tagkind {
	T_SEND,			/* request sent */
	T_RECV,			/* a status message (or the end) */
	T_STATUS,		/* the call is over */
};

struct watch;

struct wtag {
	struct watch	*w;
	enum tagkind	 kind;
};

struct watch {
	const char		*kind;		/* "python" */
	const char		*wire;		/* "PYTHON" */
	grpc_call		*call;		/* NULL: not watching */
	int			 pending;	/* batches in flight */
	int			 ended;		/* status received */
	grpc_byte_buffer	*send_bb, *recv_bb;
	grpc_metadata_array	 md_init, md_trail;
	grpc_status_code	 status;
	grpc_slice		 details;
	const char		*last;		/* last status sent */
	long long		 retry_at;	/* next watch, monotonic ms */
	long long		 backoff;
	struct wtag		 t_send, t_recv, t_status;
};

static long long
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Has the client closed its connection? */
static int
client_gone(struct req *r)
{
	struct pollfd	 pfd;
	char		 c;

	if (r->broken)
		return 1;
	if (r->fcgi == NULL)
		return 0;
	pfd.fd = r->fcgi->ipcFd;
	pfd.events = POLLIN | POLLRDHUP;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR | POLLRDHUP))
		return 1;
	return recv(pfd.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* When the stream last sent something (for the keep-alives). */
static __thread long long	 last_sent;

/* One event, if the status changed; -1 when the client is gone. */
static int
send_status(struct req *r, struct watch *w, const char *status)
{
	char	 buf[128];
	int	 n;

	if (w->last != NULL && strcmp(w->last, status) == 0)
		return 0;
	w->last = status;
	n = snprintf(buf, sizeof(buf), "id: %s\ndata: %s\n\n", w->wire,
	    status);
	last_sent = mono_ms();
	if (http_write(r, buf, (size_t)n) == -1)
		return -1;
	return http_flush(r);
}

static const char *
status_name(int st)
{
	switch (st) {
	case HS_SERVING:
		return "SERVING";
	case HS_NOT_SERVING:
		return "NOT_SERVING";
	default:		/* UNKNOWN, SERVICE_UNKNOWN */
		return "UNKNOWN";
	}
}

/* Ask for the next status message. */
static int
watch_recv(struct watch *w)
{
	grpc_op	 op;

	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &w->recv_bb;
	if (grpc_call_start_batch(w->call, &op, 1, &w->t_recv, NULL) !=
	    GRPC_CALL_OK)
		return -1;
	w->pending++;
	return 0;
}

/* Free what a finished call leaves; it may be watched again. */
static void
watch_clear(struct watch *w)
{
	if (w->call != NULL)
		grpc_call_unref(w->call);
	w->call = NULL;
	if (w->send_bb != NULL)
		grpc_byte_buffer_destroy(w->send_bb);
	if (w->recv_bb != NULL)
		grpc_byte_buffer_destroy(w->recv_bb);
	w->send_bb = w->recv_bb = NULL;
	grpc_metadata_array_destroy(&w->md_init);
	grpc_metadata_array_destroy(&w->md_trail);
	grpc_metadata_array_init(&w->md_init);
	grpc_metadata_array_init(&w->md_trail);
	grpc_slice_unref(w->details);
	w->details = grpc_empty_slice();
	w->ended = 0;
}

/*
 * Start Health/Watch("") on the runner's current address.  On failure
 * the runner is UNREACHABLE until the next try.
 */
static int
watch_start(struct req *r, struct watch *w, grpc_completion_queue *cq)
{
	Grpc__Health__V1__HealthCheckRequest	 hr =
	    GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	grpc_channel	*ch;
	grpc_op		 ops[3];
	grpc_slice	 s;
	char		*addr;
	size_t		 len;

	addr = runner_address(r->db, w->kind);
	ch = runner_channel(addr);
	free(addr);
	if (ch == NULL)
		return -1;
	w->call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS,
	    cq, grpc_slice_from_static_string(
	    "/grpc.health.v1.Health/Watch"), NULL,
	    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	if (w->call == NULL)
		return -1;
	hr.service = (char *)"";
	len = grpc__health__v1__health_check_request__get_packed_size(&hr);
	s = grpc_slice_malloc(len);
	(void)grpc__health__v1__health_check_request__pack(&hr,
	    GRPC_SLICE_START_PTR(s));
	w->send_bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);

	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = w->send_bb;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	if (grpc_call_start_batch(w->call, ops, 3, &w->t_send, NULL) !=
	    GRPC_CALL_OK)
		goto fail;
	w->pending++;
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[0].data.recv_status_on_client.trailing_metadata = &w->md_trail;
	ops[0].data.recv_status_on_client.status = &w->status;
	ops[0].data.recv_status_on_client.status_details = &w->details;
	if (grpc_call_start_batch(w->call, ops, 1, &w->t_status, NULL) !=
	    GRPC_CALL_OK)
		goto fail;
	w->pending++;
	/* The metadata and the first status, then one status at a time
	 * (watch_recv()). */
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[0].data.recv_initial_metadata.recv_initial_metadata =
	    &w->md_init;
	ops[1].op = GRPC_OP_RECV_MESSAGE;
	ops[1].data.recv_message.recv_message = &w->recv_bb;
	if (grpc_call_start_batch(w->call, ops, 2, &w->t_recv, NULL) !=
	    GRPC_CALL_OK)
		goto fail;
	w->pending++;
	return 0;
fail:
	/* What was started ends with the cancel; then it is cleared. */
	grpc_call_cancel(w->call, NULL);
	w->ended = 1;
	return w->pending > 0 ? 0 : -1;
}

/* A status message arrived: send it; -1 when the client is gone. */
static int
got_message(struct req *r, struct watch *w)
{
	Grpc__Health__V1__HealthCheckResponse	*hr = NULL;
	grpc_byte_buffer_reader			 rd;
	grpc_slice				 s;
	int					 rc = 0;

	if (grpc_byte_buffer_reader_init(&rd, w->recv_bb)) {
		s = grpc_byte_buffer_reader_readall(&rd);
		grpc_byte_buffer_reader_destroy(&rd);
		hr = grpc__health__v1__health_check_response__unpack(NULL,
		    GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
		grpc_slice_unref(s);
	}
	grpc_byte_buffer_destroy(w->recv_bb);
	w->recv_bb = NULL;
	if (hr != NULL) {
		rc = send_status(r, w, status_name(hr->status));
		grpc__health__v1__health_check_response__free_unpacked(hr,
		    NULL);
		w->backoff = BACKOFF_MIN_MS;
	}
	return rc;
}

/* A batch of watch "w" completed; -1 when the client is gone. */
static int
watch_event(struct req *r, struct wtag *t, int success)
{
	struct watch	*w = t->w;
	int		 rc = 0;

	w->pending--;
	switch (t->kind) {
	case T_SEND:
		break;
	case T_RECV:
		/* No message: the stream is over, its status follows. */
		if (!success || w->ended || w->recv_bb == NULL)
			break;
		rc = got_message(r, w);
		if (watch_recv(w) == -1)
			grpc_call_cancel(w->call, NULL);
		break;
	case T_STATUS:
		w->ended = 1;
		log_debug("%s runner watch ended: status %d", w->wire,
		    (int)w->status);
		rc = send_status(r, w, "UNREACHABLE");
		break;
	}
	if (w->ended && w->pending == 0) {
		watch_clear(w);
		w->retry_at = mono_ms() + w->backoff;
		w->backoff = w->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    w->backoff * 2;
	}
	return rc;
}

/* Watch both runners until the client goes or the worker stops. */
static void
watch_loop(struct req *r, struct watch *ws, size_t nw,
    grpc_completion_queue *cq)
{
	grpc_event	 ev;
	sigset_t	 pend;
	long long	 now, keep, wait;
	size_t		 i, known;

	keep = 1000 * conf_int("sse_keepalive");
	last_sent = mono_ms();
	for (;;) {
		now = mono_ms();
		for (i = 0; i < nw; i++) {
			if (ws[i].call != NULL || now < ws[i].retry_at)
				continue;
			if (watch_start(r, &ws[i], cq) == -1) {
				watch_clear(&ws[i]);
				if (send_status(r, &ws[i], "UNREACHABLE") == -1)
					return;
				ws[i].retry_at = now + ws[i].backoff;
			}
		}
		/* CGI mode: one status of each, then the end. */
		for (known = i = 0; i < nw; i++)
			known += ws[i].last != NULL;
		if (r->fcgi == NULL && known == nw)
			return;
		if (client_gone(r) || fcgi_stopping())
			return;
		(void)sigpending(&pend);
		if (sigismember(&pend, SIGTERM) || sigismember(&pend, SIGINT))
			return;
		if (now - last_sent >= keep) {
			if (http_write(r, ": keep-alive\n\n", 14) == -1 ||
			    http_flush(r) == -1)
				return;
			last_sent = now;
		}
		wait = POLL_MS;
		for (i = 0; i < nw; i++)
			if (ws[i].call == NULL && ws[i].retry_at - now < wait)
				wait = ws[i].retry_at - now;
		if (wait < 1)
			wait = 1;
		ev = grpc_completion_queue_next(cq, gpr_time_add(
		    gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(wait,
		    GPR_TIMESPAN)), NULL);
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (watch_event(r, ev.tag, ev.success) == -1)
			return;
	}
}

/*
 * GET /api/v1/runners/status/sse -- an event per change of a runner's
 * status, for both runners.  Any authenticated user.  200
 * text/event-stream.
 */
static void
status_sse(struct req *r)
{
	struct watch		 ws[2];
	grpc_completion_queue	*cq;
	sigset_t		 old;
	size_t			 i;

	memset(ws, 0, sizeof(ws));
	ws[0].kind = "python";
	ws[1].kind = "javascript";
	for (i = 0; i < nitems(ws); i++) {
		ws[i].wire = runner_wire(ws[i].kind);
		ws[i].backoff = BACKOFF_MIN_MS;
		ws[i].details = grpc_empty_slice();
		ws[i].t_send.w = ws[i].t_recv.w = ws[i].t_status.w = &ws[i];
		ws[i].t_send.kind = T_SEND;
		ws[i].t_recv.kind = T_RECV;
		ws[i].t_status.kind = T_STATUS;
	}
	http_stream_begin(r, 200, "text/event-stream; charset=utf-8");

	/* gRPC's threads, started from here, must take no signal. */
	runner_grpc_init();
	runner_sigs_block(&old);
	cq = grpc_completion_queue_create_for_next(NULL);
	watch_loop(r, ws, nitems(ws), cq);

	/* Cancel what still runs and wait for its batches. */
	for (i = 0; i < nitems(ws); i++)
		if (ws[i].call != NULL)
			grpc_call_cancel(ws[i].call, NULL);
	for (;;) {
		size_t	 busy = 0;
		grpc_event ev;

		for (i = 0; i < nitems(ws); i++)
			busy += ws[i].call != NULL ? (size_t)ws[i].pending : 0;
		if (busy == 0)
			break;
		ev = grpc_completion_queue_next(cq,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_OP_COMPLETE)
			((struct wtag *)ev.tag)->w->pending--;
	}
	for (i = 0; i < nitems(ws); i++)
		if (ws[i].call != NULL)
			watch_clear(&ws[i]);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(
	    GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		continue;
	grpc_completion_queue_destroy(cq);
	runner_sigs_restore(&old);
}

int
main(int argc, char *argv[])
{
	/* Each stream holds a request thread while its client stays. */
	static const struct fcgi_prog prog = {
		"iocagg-runners", routes, nitems(routes), 1, 64
	};

	return fcgi_main(argc, argv, &prog);
}
