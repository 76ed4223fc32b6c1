/*
 * lib/runner.c -- see runner.h.  The gRPC C core with protobuf-c
 * messages in byte buffers, as the runners' own server
 * (runners/common/server.c).
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/status.h>
#include <grpc/support/time.h>
#include <libpq-fe.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "proto/runner.pb-c.h"
#include "runner.h"
#include "xmalloc.h"

#define INIT_TIMEOUT_MS		60000	/* Init carries every source */
#define FETCH_STACK		(2 * 1024 * 1024) /* a FetchData thread */
#define READY_WAIT_MS		400	/* a channel reconnecting, at most */
#define STOP_POLL_MS		100	/* how often a stop flag is read */
#define TASK_GRACE_MS		2000	/* a task's deadline beyond timeout_ms */

static const char *const stmt_address =
	"SELECT value FROM server_config WHERE key = $1";
static const char *const stmt_init =
	"SELECT id, source_code FROM sources WHERE kind = $1::source_kind"
	" AND source_code IS NOT NULL ORDER BY id";

/* What each runner kind (sources.kind) is called where. */
static const struct {
	const char	*kind, *wire, *address_key, *address_def;
} kinds[] = {
	{ "python", "PYTHON", "python_runner_grpc_address",
	    RUNNER_PYTHON_ADDRESS_DEF },
	{ "javascript", "JAVA_SCRIPT", "javascript_runner_grpc_address",
	    RUNNER_JAVASCRIPT_ADDRESS_DEF },
};

static int
kind_index(const char *kind)
{
	size_t	 i;

	for (i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return (int)i;
	return -1;
}

const char *
runner_wire(const char *kind)
{
	int	 i = kind_index(kind);

	return i == -1 ? NULL : kinds[i].wire;
}

const char *
runner_address_key(const char *kind)
{
	int	 i = kind_index(kind);

	return i == -1 ? NULL : kinds[i].address_key;
}

const char *
runner_default_address(const char *kind)
{
	int	 i = kind_index(kind);

	return i == -1 ? NULL : kinds[i].address_def;
}

/* The last address read of each kind: the fallback when the database
 * cannot be read (as when an undo follows a failed commit). */
static pthread_mutex_t	 addr_mu = PTHREAD_MUTEX_INITIALIZER;
static char		*addr_last[2];

char *
runner_address(struct db *db, const char *kind)
{
	PGresult	*pr;
	enum dbres	 res = DB_FAIL;
	const char	*p[1], *def;
	char		*a = NULL, **last;

	if ((def = runner_default_address(kind)) == NULL)
		return xstrdup("");
	last = &addr_last[strcmp(kind, "python") == 0 ? 0 : 1];
	p[0] = runner_address_key(kind);
	if (db != NULL) {
		pr = db_exec(db, stmt_address, 1, p, &res);
		if (res == DB_OK)
			a = xstrdup(PQntuples(pr) > 0 &&
			    *PQgetvalue(pr, 0, 0) != '\0' ?
			    PQgetvalue(pr, 0, 0) : def);
		PQclear(pr);
	}
	(void)pthread_mutex_lock(&addr_mu);
	if (a != NULL) {
		free(*last);
		*last = xstrdup(a);
	} else {
		a = xstrdup(*last != NULL ? *last : def);
		log_warnx("%s: cannot read it; using %s", p[0], a);
	}
	(void)pthread_mutex_unlock(&addr_mu);
	return a;
}

/* --- gRPC ----------------------------------------------------------------- */

static long long
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


void
runner_sigs_block(sigset_t *old)
{
	sigset_t	 all;

	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, old);
}

void
runner_sigs_restore(const sigset_t *old)
{
	(void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

static pthread_once_t	 grpc_once = PTHREAD_ONCE_INIT;

static void
grpc_once_init(void)
{
	grpc_init();
}

void
runner_grpc_init(void)
{
	sigset_t	 old;

	/* The threads grpc_init() starts inherit the blocked mask. */
	runner_sigs_block(&old);
	(void)pthread_once(&grpc_once, grpc_once_init);
	runner_sigs_restore(&old);
}

struct chan {
	char		*address;
	grpc_channel	*ch;
	struct chan	*next;
};

static pthread_mutex_t	 chan_mu = PTHREAD_MUTEX_INITIALIZER;
static struct chan	*chans;

struct grpc_channel *
runner_channel(const char *address)
{
	grpc_channel_credentials *creds;
	grpc_channel_args	 ca;
	grpc_arg		 args[5];
	struct chan		*c;
	grpc_channel		*ch = NULL;
	sigset_t		 old;

	runner_grpc_init();
	(void)pthread_mutex_lock(&chan_mu);
	for (c = chans; c != NULL; c = c->next)
		if (strcmp(c->address, address) == 0) {
			ch = c->ch;
			break;
		}
	if (ch == NULL) {
		memset(args, 0, sizeof(args));
		args[0].type = GRPC_ARG_INTEGER;
		args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
		args[0].value.integer = RUNNER_RECV_MAX;
		args[1].type = GRPC_ARG_INTEGER;
		args[1].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
		args[1].value.integer = -1;
		/* A restarted runner is found again within 250 ms. */
		args[2].type = GRPC_ARG_INTEGER;
		args[2].key = (char *)GRPC_ARG_MIN_RECONNECT_BACKOFF_MS;
		args[2].value.integer = 100;
		args[3].type = GRPC_ARG_INTEGER;
		args[3].key = (char *)GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS;
		args[3].value.integer = 100;
		args[4].type = GRPC_ARG_INTEGER;
		args[4].key = (char *)GRPC_ARG_MAX_RECONNECT_BACKOFF_MS;
		args[4].value.integer = 250;
		ca.num_args = nitems(args);
		ca.args = args;
		runner_sigs_block(&old);
		creds = grpc_insecure_credentials_create();
		ch = grpc_channel_create(address, creds, &ca);
		grpc_channel_credentials_release(creds);
		runner_sigs_restore(&old);
		if (ch != NULL) {
			c = xcalloc(1, sizeof(*c));
			c->address = xstrdup(address);
			c->ch = ch;
			c->next = chans;
			chans = c;
		}
	}
	(void)pthread_mutex_unlock(&chan_mu);
	return ch;
}

/* Printable text from a status message, in "msg". */
static void
copy_msg(char *msg, size_t msgsz, const void *p, size_t len)
{
	size_t	 i, n;

	if (msgsz == 0)
		return;
	n = len < msgsz - 1 ? len : msgsz - 1;
	memcpy(msg, p, n);
	msg[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = ' ';
}

/* Zero the bytes of a byte buffer we made (the request may hold
 * secrets) and destroy it. */
static void
bb_wipe_destroy(grpc_byte_buffer *bb)
{
	size_t	 i;

	if (bb == NULL)
		return;
	if (bb->type == GRPC_BB_RAW)
		for (i = 0; i < bb->data.raw.slice_buffer.count; i++) {
			grpc_slice *s = &bb->data.raw.slice_buffer.slices[i];

			explicit_bzero(GRPC_SLICE_START_PTR(*s),
			    GRPC_SLICE_LENGTH(*s));
		}
	grpc_byte_buffer_destroy(bb);
}

/*
 * One attempt of a unary call on "cq", until "dl" (a GPR_CLOCK_MONOTONIC
 * time).  Returns the status; "msg", "*rep" and "*replen" as
 * runner_unary().
 */
static grpc_status_code
unary_once(grpc_channel *ch, grpc_completion_queue *cq, const char *method,
    const void *req, size_t reqlen, gpr_timespec dl, volatile int *stop,
    void **rep, size_t *replen, char *msg, size_t msgsz)
{
	grpc_call		*call;
	grpc_op			 ops[6];
	grpc_metadata_array	 md_init, md_trail;
	grpc_byte_buffer	*send_bb, *recv_bb = NULL;
	grpc_byte_buffer_reader	 rd;
	grpc_slice		 s, details = grpc_empty_slice();
	grpc_status_code	 status = GRPC_STATUS_UNKNOWN;
	grpc_event		 ev;
	int			 cancelled = 0;

	call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
	    grpc_slice_from_static_string(method), NULL, dl, NULL);
	s = grpc_slice_from_copied_buffer(req, reqlen);
	send_bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	grpc_metadata_array_init(&md_init);
	grpc_metadata_array_init(&md_trail);
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send_bb;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md_init;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv_bb;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &md_trail;
	ops[5].data.recv_status_on_client.status = &status;
	ops[5].data.recv_status_on_client.status_details = &details;
	if (call == NULL || grpc_call_start_batch(call, ops, nitems(ops),
	    &ops[0], NULL) != GRPC_CALL_OK) {
		status = GRPC_STATUS_INTERNAL;
		(void)snprintf(msg, msgsz, "cannot start the call");
	} else {
		/*
		 * The deadline ends the call whatever the runner does; a
		 * "stop" flag is looked at every STOP_POLL_MS and cancels
		 * it (the runner sees the client gone).
		 */
		for (;;) {
			ev = grpc_completion_queue_next(cq, stop == NULL ?
			    gpr_inf_future(GPR_CLOCK_REALTIME) :
			    gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
			    gpr_time_from_millis(STOP_POLL_MS, GPR_TIMESPAN)),
			    NULL);
			if (ev.type == GRPC_OP_COMPLETE)
				break;
			if (stop != NULL && *stop && !cancelled) {
				(void)grpc_call_cancel_with_status(call,
				    GRPC_STATUS_CANCELLED, "stopped", NULL);
				cancelled = 1;
			}
		}
		copy_msg(msg, msgsz, GRPC_SLICE_START_PTR(details),
		    GRPC_SLICE_LENGTH(details));
		if (status == GRPC_STATUS_OK && recv_bb != NULL &&
		    grpc_byte_buffer_reader_init(&rd, recv_bb)) {
			s = grpc_byte_buffer_reader_readall(&rd);
			grpc_byte_buffer_reader_destroy(&rd);
			*replen = GRPC_SLICE_LENGTH(s);
			if (*replen > 0) {
				*rep = xmalloc(*replen);
				memcpy(*rep, GRPC_SLICE_START_PTR(s), *replen);
			}
			grpc_slice_unref(s);
		} else if (status == GRPC_STATUS_OK && recv_bb == NULL) {
			status = GRPC_STATUS_INTERNAL;
			(void)snprintf(msg, msgsz, "the runner answered no "
			    "message");
		}
	}
	bb_wipe_destroy(send_bb);
	if (recv_bb != NULL)
		grpc_byte_buffer_destroy(recv_bb);
	grpc_metadata_array_destroy(&md_init);
	grpc_metadata_array_destroy(&md_trail);
	grpc_slice_unref(details);
	if (call != NULL)
		grpc_call_unref(call);
	return status;
}

/*
 * Wait until "ch" is connected, at most "ms" milliseconds, asking it to
 * connect.  1 when it is.
 */
static int
wait_ready(grpc_channel *ch, grpc_completion_queue *cq, long long ms)
{
	grpc_connectivity_state	 st;
	gpr_timespec		 until;
	grpc_event		 ev;

	until = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis(ms, GPR_TIMESPAN));
	for (;;) {
		st = grpc_channel_check_connectivity_state(ch, 1);
		if (st == GRPC_CHANNEL_READY)
			return 1;
		if (st == GRPC_CHANNEL_SHUTDOWN ||
		    gpr_time_cmp(gpr_now(GPR_CLOCK_MONOTONIC), until) >= 0)
			return 0;
		grpc_channel_watch_connectivity_state(ch, st, until, cq, &st);
		do
			ev = grpc_completion_queue_next(cq,
			    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		while (ev.type != GRPC_OP_COMPLETE);
		if (!ev.success)	/* "until" passed */
			return grpc_channel_check_connectivity_state(ch, 0) ==
			    GRPC_CHANNEL_READY;
	}
}

/* runner_unary(), cancelled when "*stop" becomes non-zero. */
static int
unary(const char *address, const char *method, const void *req,
    size_t reqlen, long long timeout_ms, volatile int *stop, void **rep,
    size_t *replen, char *msg, size_t msgsz)
{
	grpc_channel		*ch;
	grpc_completion_queue	*cq;
	grpc_status_code	 status;
	gpr_timespec		 dl;
	sigset_t		 old;
	long long		 start = mono_ms(), left;

	*rep = NULL;
	*replen = 0;
	if (msgsz > 0)
		msg[0] = '\0';
	if ((ch = runner_channel(address)) == NULL) {
		(void)snprintf(msg, msgsz, "cannot make a channel to %s",
		    address);
		return GRPC_STATUS_UNAVAILABLE;
	}
	if (timeout_ms < 1)
		timeout_ms = 1;

	runner_sigs_block(&old);
	cq = grpc_completion_queue_create_for_next(NULL);
	dl = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
	status = unary_once(ch, cq, method, req, reqlen, dl, stop, rep,
	    replen, msg, msgsz);
	/*
	 * A call fails at once while the channel waits to connect again
	 * (reconnect backoff), as after the runner restarted: give the
	 * channel a moment, then try once more if it connected.
	 */
	left = timeout_ms - (mono_ms() - start);
	if (status == GRPC_STATUS_UNAVAILABLE && left > 50 &&
	    (stop == NULL || !*stop) &&
	    wait_ready(ch, cq, left < READY_WAIT_MS ? left : READY_WAIT_MS))
		status = unary_once(ch, cq, method, req, reqlen, dl, stop, rep,
		    replen, msg, msgsz);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(
	    GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		continue;
	grpc_completion_queue_destroy(cq);
	runner_sigs_restore(&old);
	return (int)status;
}

int
runner_unary(const char *address, const char *method, const void *req,
    size_t reqlen, long long timeout_ms, void **rep, size_t *replen,
    char *msg, size_t msgsz)
{
	return unary(address, method, req, reqlen, timeout_ms, NULL, rep,
	    replen, msg, msgsz);
}

/* --- Lifecycle ------------------------------------------------------------ */

/* Pack "m" (xmalloc'd). */
static uint8_t *
pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t	*buf;

	*len = protobuf_c_message_get_packed_size(m);
	buf = xmalloc(*len > 0 ? *len : 1);
	(void)protobuf_c_message_pack(m, buf);
	return buf;
}

static const char *
status_name(int st)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
		"PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
		"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	return st >= 0 && (size_t)st < nitems(names) ? names[st] : "?";
}

/*
 * One lifecycle call to the runner of "kind": OK, INVALID_ARGUMENT
 * (the code was refused) or anything else (not reached).
 */
static enum runner_res
lifecycle(struct db *db, const char *kind, const char *method,
    const ProtobufCMessage *m, long long timeout_ms, char *err,
    size_t errsz)
{
	uint8_t		*buf;
	void		*rep;
	char		*addr, msg[1024];
	size_t		 len, replen;
	int		 st;

	if (runner_wire(kind) == NULL) {
		(void)snprintf(err, errsz, "no runner runs %s sources", kind);
		return RUNNER_REFUSED;
	}
	addr = runner_address(db, kind);
	buf = pack(m, &len);
	st = runner_unary(addr, method, buf, len, timeout_ms, &rep, &replen,
	    msg, sizeof(msg));
	explicit_bzero(buf, len);
	free(buf);
	free(rep);
	if (st == GRPC_STATUS_OK) {
		free(addr);
		return RUNNER_OK;
	}
	if (st == GRPC_STATUS_INVALID_ARGUMENT) {
		(void)snprintf(err, errsz, "%s", msg);
		free(addr);
		return RUNNER_REFUSED;
	}
	(void)snprintf(err, errsz, "the %s runner at %s: %s%s%s",
	    runner_wire(kind), addr, status_name(st), *msg ? ": " : "", msg);
	free(addr);
	return RUNNER_UNREACHABLE;
}

/* A lifecycle call's deadline: what the runner may spend loading code. */
static long long
lifecycle_timeout(void)
{
	return (conf_int("source_timeout") + 5) * 1000;
}

enum runner_res
runner_update(struct db *db, const char *kind, const char *source_id,
    const char *code, char *err, size_t errsz)
{
	Runner__UpdateRequest	 u = RUNNER__UPDATE_REQUEST__INIT;

	if (code == NULL || *code == '\0') {
		(void)snprintf(err, errsz, "the source has no code");
		return RUNNER_REFUSED;
	}
	u.source = (char *)(uintptr_t)source_id;
	u.source_code = (char *)(uintptr_t)code;
	return lifecycle(db, kind, "/runner.Runner/Update", &u.base,
	    lifecycle_timeout(), err, errsz);
}

enum runner_res
runner_delete(struct db *db, const char *kind, const char *source_id,
    char *err, size_t errsz)
{
	Runner__DeleteRequest	 d = RUNNER__DELETE_REQUEST__INIT;

	d.source = (char *)(uintptr_t)source_id;
	return lifecycle(db, kind, "/runner.Runner/Delete", &d.base,
	    lifecycle_timeout(), err, errsz);
}

enum runner_res
runner_init(struct db *db, const char *kind, size_t *n, char *err,
    size_t errsz)
{
	Runner__InitRequest	  in = RUNNER__INIT_REQUEST__INIT;
	Runner__UpdateRequest	 *u = NULL, **up = NULL;
	PGresult		 *pr;
	enum dbres		  res;
	enum runner_res		  rr;
	const char		 *p[1] = { kind };
	size_t			  i, rows;

	*n = 0;
	pr = db_exec(db, stmt_init, 1, p, &res);
	if (res != DB_OK) {
		PQclear(pr);
		(void)snprintf(err, errsz, "cannot read the %s sources",
		    kind);
		return RUNNER_UNREACHABLE;
	}
	rows = (size_t)PQntuples(pr);
	if (rows > 0) {
		u = xcalloc(rows, sizeof(*u));
		up = xcalloc(rows, sizeof(*up));
	}
	for (i = 0; i < rows; i++) {
		runner__update_request__init(&u[i]);
		u[i].source = PQgetvalue(pr, (int)i, 0);
		u[i].source_code = PQgetvalue(pr, (int)i, 1);
		up[i] = &u[i];
	}
	in.n_updates = rows;
	in.updates = up;
	rr = lifecycle(db, kind, "/runner.Runner/Init", &in.base,
	    INIT_TIMEOUT_MS, err, errsz);
	if (rr == RUNNER_OK)
		*n = rows;
	free(up);
	free(u);
	PQclear(pr);
	return rr;
}

/* --- Asynchronous FetchData ---------------------------------------------- */

struct runner_fetch {
	pthread_mutex_t	 mu;
	int		 refs;		/* the caller's and the thread's */
	int		 released;	/* the caller gave it up */
	atomic_int	 done;
	char		*address;
	uint8_t		*update;	/* packed UpdateRequest, or NULL */
	size_t		 updatelen;
	uint8_t		*fetch;		/* packed FetchDataRequest */
	size_t		 fetchlen;
	long long	 timeout_ms;
	long long	 start_ms;
	void		(*wake)(void *);
	void		*wake_arg;

	int		 status;
	int		 in_update;
	char		 msg[1024];
	char		*data;		/* the reply's JSON text */
	size_t		 datalen;
};

static void
fetch_unref(struct runner_fetch *f)
{
	int	 last;

	(void)pthread_mutex_lock(&f->mu);
	last = --f->refs == 0;
	(void)pthread_mutex_unlock(&f->mu);
	if (!last)
		return;
	(void)pthread_mutex_destroy(&f->mu);
	free(f->address);
	if (f->update != NULL) {
		explicit_bzero(f->update, f->updatelen);
		free(f->update);
	}
	explicit_bzero(f->fetch, f->fetchlen);
	free(f->fetch);
	free(f->data);
	free(f);
}

static void *
fetch_thread(void *arg)
{
	struct runner_fetch	*f = arg;
	Runner__FetchDataReply	*r;
	void			*rep = NULL;
	size_t			 replen = 0;
	long long		 left;
	int			 st = GRPC_STATUS_OK;

	if (f->update != NULL) {
		st = runner_unary(f->address, "/runner.Runner/Update",
		    f->update, f->updatelen, f->timeout_ms, &rep, &replen,
		    f->msg, sizeof(f->msg));
		free(rep);
		rep = NULL;
		f->in_update = st != GRPC_STATUS_OK;
	}
	if (st == GRPC_STATUS_OK) {
		/* Update and FetchData share the source's timeout. */
		left = f->timeout_ms - (mono_ms() - f->start_ms);
		if (left < 1) {
			st = GRPC_STATUS_DEADLINE_EXCEEDED;
			(void)snprintf(f->msg, sizeof(f->msg), "loading the "
			    "code took the whole timeout");
		} else
			st = runner_unary(f->address,
			    "/runner.Runner/FetchData", f->fetch, f->fetchlen,
			    left, &rep, &replen, f->msg, sizeof(f->msg));
	}
	if (st == GRPC_STATUS_OK) {
		r = runner__fetch_data_reply__unpack(NULL, replen, rep);
		if (r == NULL) {
			st = GRPC_STATUS_INTERNAL;
			(void)snprintf(f->msg, sizeof(f->msg), "the runner's "
			    "answer cannot be read");
		} else {
			f->datalen = strlen(r->data);
			f->data = xstrdup(r->data);
			runner__fetch_data_reply__free_unpacked(r, NULL);
		}
	}
	free(rep);
	f->status = st;

	(void)pthread_mutex_lock(&f->mu);
	atomic_store(&f->done, 1);
	if (!f->released && f->wake != NULL)
		f->wake(f->wake_arg);
	(void)pthread_mutex_unlock(&f->mu);
	fetch_unref(f);
	return NULL;
}

struct runner_fetch *
runner_fetch_start(const struct runner_fetch_args *a)
{
	Runner__FetchDataRequest		 req =
	    RUNNER__FETCH_DATA_REQUEST__INIT;
	Runner__Indicator			 ind = RUNNER__INDICATOR__INIT;
	Runner__UpdateRequest			 u = RUNNER__UPDATE_REQUEST__INIT;
	Runner__FetchDataRequest__SecretsEntry	*se = NULL, **sp = NULL;
	Runner__FetchDataRequest__ConfigEntry	*ce = NULL, **cp = NULL;
	struct runner_fetch			*f;
	pthread_attr_t				 attr;
	pthread_t				 tid;
	sigset_t				 old;
	size_t					 i;
	int					 rc;

	f = xcalloc(1, sizeof(*f));
	(void)pthread_mutex_init(&f->mu, NULL);
	f->refs = 2;
	f->address = xstrdup(a->address);
	f->timeout_ms = a->timeout_ms > 0 ? a->timeout_ms : 1;
	f->start_ms = mono_ms();
	f->wake = a->wake;
	f->wake_arg = a->wake_arg;

	ind.data = (char *)(uintptr_t)a->data;
	ind.kind = (char *)(uintptr_t)a->kind;
	req.indicator = &ind;
	req.source = (char *)(uintptr_t)a->source_id;
	req.timeout_ms = f->timeout_ms;
	if (a->nsecrets > 0) {
		se = xcalloc(a->nsecrets, sizeof(*se));
		sp = xcalloc(a->nsecrets, sizeof(*sp));
		for (i = 0; i < a->nsecrets; i++) {
			runner__fetch_data_request__secrets_entry__init(&se[i]);
			se[i].key = (char *)(uintptr_t)a->secrets[i].key;
			se[i].value = (char *)(uintptr_t)a->secrets[i].value;
			sp[i] = &se[i];
		}
	}
	if (a->nconfig > 0) {
		ce = xcalloc(a->nconfig, sizeof(*ce));
		cp = xcalloc(a->nconfig, sizeof(*cp));
		for (i = 0; i < a->nconfig; i++) {
			runner__fetch_data_request__config_entry__init(&ce[i]);
			ce[i].key = (char *)(uintptr_t)a->config[i].key;
			ce[i].value = (char *)(uintptr_t)a->config[i].value;
			cp[i] = &ce[i];
		}
	}
	req.n_secrets = a->nsecrets;
	req.secrets = sp;
	req.n_config = a->nconfig;
	req.config = cp;
	f->fetch = pack(&req.base, &f->fetchlen);
	free(se);
	free(sp);
	free(ce);
	free(cp);
	if (a->code != NULL) {
		u.source = (char *)(uintptr_t)a->source_id;
		u.source_code = (char *)(uintptr_t)a->code;
		f->update = pack(&u.base, &f->updatelen);
	}

	/* The thread, and the gRPC threads it may start, block signals. */
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_attr_setstacksize(&attr, FETCH_STACK);
	runner_grpc_init();
	runner_sigs_block(&old);
	rc = pthread_create(&tid, &attr, fetch_thread, f);
	runner_sigs_restore(&old);
	(void)pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_warnx("cannot start a runner call thread: %s",
		    strerror(rc));
		f->refs = 1;
		fetch_unref(f);
		return NULL;
	}
	return f;
}

int
runner_fetch_done(struct runner_fetch *f)
{
	return atomic_load(&f->done);
}

int
runner_fetch_result(struct runner_fetch *f, const char **msg,
    const char **data, size_t *datalen, int *in_update)
{
	*msg = f->msg;
	*data = f->data;
	*datalen = f->datalen;
	*in_update = f->in_update;
	return f->status;
}

void
runner_fetch_release(struct runner_fetch *f)
{
	if (f == NULL)
		return;
	(void)pthread_mutex_lock(&f->mu);
	f->released = 1;
	(void)pthread_mutex_unlock(&f->mu);
	fetch_unref(f);
}

/* --- BackgroundTask ------------------------------------------------------ */

int
runner_task(const struct runner_task_args *a, char *msg, size_t msgsz)
{
	Runner__BackgroundTaskRequest			 req =
	    RUNNER__BACKGROUND_TASK_REQUEST__INIT;
	Runner__BackgroundTaskRequest__SecretsEntry	*se = NULL, **sp = NULL;
	Runner__BackgroundTaskRequest__ConfigEntry	*ce = NULL, **cp = NULL;
	uint8_t						*buf;
	void						*rep = NULL;
	size_t						 i, len, replen = 0;
	long long					 t;
	int						 st;

	t = a->timeout_ms > 0 ? a->timeout_ms : 1;
	req.source = (char *)(uintptr_t)a->source_id;
	req.timeout_ms = t;
	if (a->nsecrets > 0) {
		se = xcalloc(a->nsecrets, sizeof(*se));
		sp = xcalloc(a->nsecrets, sizeof(*sp));
		for (i = 0; i < a->nsecrets; i++) {
			runner__background_task_request__secrets_entry__init(
			    &se[i]);
			se[i].key = (char *)(uintptr_t)a->secrets[i].key;
			se[i].value = (char *)(uintptr_t)a->secrets[i].value;
			sp[i] = &se[i];
		}
	}
	if (a->nconfig > 0) {
		ce = xcalloc(a->nconfig, sizeof(*ce));
		cp = xcalloc(a->nconfig, sizeof(*cp));
		for (i = 0; i < a->nconfig; i++) {
			runner__background_task_request__config_entry__init(
			    &ce[i]);
			ce[i].key = (char *)(uintptr_t)a->config[i].key;
			ce[i].value = (char *)(uintptr_t)a->config[i].value;
			cp[i] = &ce[i];
		}
	}
	req.n_secrets = a->nsecrets;
	req.secrets = sp;
	req.n_config = a->nconfig;
	req.config = cp;
	buf = pack(&req.base, &len);
	free(se);
	free(sp);
	free(ce);
	free(cp);
	/* The runner's own timeout answers first, with its message. */
	st = unary(a->address, "/runner.Runner/BackgroundTask", buf, len,
	    t + TASK_GRACE_MS, a->stop, &rep, &replen, msg, msgsz);
	explicit_bzero(buf, len);
	free(buf);
	free(rep);
	if (st != GRPC_STATUS_OK && a->stop != NULL && *a->stop) {
		(void)snprintf(msg, msgsz, "stopped");
		return GRPC_STATUS_CANCELLED;
	}
	return st;
}

const char *
runner_status_name(int st)
{
	return status_name(st);
}
