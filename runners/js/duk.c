/*
 * runners/js/duk.c -- engine_js, the JavaScript engine of
 * iocagg-js-runner: Duktape 2.7, compiled into the program from the
 * configured copy of the amalgamation that runners/js/duk-build.mk
 * generates (Debian's shared libduktape has no execution-timeout hook).
 *
 * load() checks, in a scratch heap, that a source's code compiles, and
 * keeps its text.  Each fetch() and task() runs in a heap of its own,
 * created for the call and destroyed after it, so nothing of one call
 * (globals, changed prototypes, memory) reaches the next:
 *  - the heap's allocator counts the heap's bytes and refuses beyond a
 *    cap (IOCAGG_JS_HEAP_MAX, 64 MiB by default); Duktape then throws
 *    a RangeError, which the call reports as ENG_NOMEM, unless the
 *    script catches it; a heap that stays full is given up at once
 *    (heap_refuse());
 *  - Duktape's executor calls iocagg_duk_timeout_check() every 256k
 *    bytecode instructions; once the call's deadline has passed it
 *    returns true, and keeps doing so, so the script gets RangeErrors
 *    until it has unwound completely: ENG_TIMEOUT;
 *  - the fatal handler (an error outside any protected call, or an
 *    internal failure) longjmps back to the call, which then frees the
 *    heap's blocks itself: Duktape's state is no longer usable.
 * User code sees the standard built-ins and the host functions below,
 * nothing else: no require(), no print(), no file or process access.
 * None of this is a security boundary: the worker process, its seccomp
 * filter and its limits are (runners/common).
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duktape.h"

#include "compat.h"
#include "engine.h"
#include "log.h"
#include "xmalloc.h"

/* Built against /usr/include/duktape.h, the engine would have no time
 * limit at all: refuse to compile rather than run without one. */
#if !defined(DUK_USE_EXEC_TIMEOUT_CHECK) || !defined(DUK_USE_INTERRUPT_COUNTER)
#error "duktape.h is not the configured copy of runners/js/duk-build.mk"
#endif

#define JS_HEAP_MAX_DEFAULT	(64LL * 1024 * 1024)
#define JS_HEAP_MAX_MIN		(1LL * 1024 * 1024)
#define JS_HEAP_MAX_MAX		(1LL << 40)
#define JS_ERR_MAX		8192	/* bytes of an error message */
#define JS_HEADERS_MAX		64	/* request headers per HTTP call */
#define JS_THRASH_MAX		4	/* refusals in a row GC did not help */
#define JS_FILENAME		"source.js"	/* in stack traces */

/*
 * A block of a heap: the header links every live block, so that after a
 * fatal error the blocks can be freed without Duktape, and records the
 * size for the byte count.  The union keeps the payload aligned.
 */
union blk {
	struct {
		union blk	*prev, *next;
		size_t		 size;	/* payload bytes */
	}		 h;
	max_align_t	 align;
};

/* One Duktape heap and the state of the call it serves (its udata). */
struct jsheap {
	jmp_buf		 fatal_jb;	/* where the fatal handler returns */
	int		 fatal_armed;	/* fatal_jb is valid */
	char		 fatal_msg[128];
	union blk	*blocks;	/* every live block */
	size_t		 used;		/* bytes held, headers included */
	size_t		 max;		/* the cap of "used" */
	int		 refused;	/* the cap refused an allocation */
	size_t		 low;		/* least "used" since a refusal */
	int		 thrash;	/* refusals GC did not help, in a row */
	char		*pending;	/* host data on its way into the heap */
	long long	 deadline_ms;	/* CLOCK_MONOTONIC milliseconds */
	int		 timed_out;	/* the deadline passed: sticky */
	const struct eng_host *host;	/* NULL in a scratch heap */
	duk_context	*ctx;
	char		*out;		/* the call's JSON, xmalloc'd */
	char		*msg;		/* the call's error, xmalloc'd */
};

/* A loaded source: its id and code, both xmalloc'd. */
struct jssrc {
	char		*id;
	char		*code;
	size_t		 len;
};

/* What js_run() does and how far it got (for mapping an error). */
enum step {
	STEP_SETUP,
	STEP_EVAL,
	STEP_LOOKUP,
	STEP_CALL,
	STEP_RESULT,
};

struct jscall {
	const struct jssrc *src;
	const char	*fn, *alt;	/* the function's names */
	const char	*data, *kind;	/* fetch_data()'s arguments */
	int		 nargs;		/* 2 for fetch_data, 0 for a task */
	int		 want_result;	/* encode the result as JSON */
	enum step	 step;
	enum eng_res	 res;		/* when js_run() returns normally */
	const char	*why;		/* message for ENG_BAD_RESULT */
};

static struct jssrc	*srcs;		/* the loaded sources */
static size_t		 nsrcs, srcs_cap;
static long long	 heap_max = JS_HEAP_MAX_DEFAULT;

int	iocagg_duk_timeout_check(void *);

static long long
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return LLONG_MAX;	/* no clock: treat as late */
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Called by Duktape's executor (DUK_USE_EXEC_TIMEOUT_CHECK in the
 * generated duk_config.h) with the heap's udata.  Returns non-zero once
 * the call's deadline has passed, and from then on always, as Duktape
 * requires until the error has bubbled out.
 */
int
iocagg_duk_timeout_check(void *udata)
{
	struct jsheap	*h = udata;

	if (h == NULL)
		return 0;
	if (!h->timed_out && now_ms() >= h->deadline_ms)
		h->timed_out = 1;
	return h->timed_out;
}

/*
 * The cap refused an allocation.  Duktape then collects garbage, in an
 * emergency compacting every object, and tries again, which works as
 * long as the collection freed enough.  Near the cap it frees a few
 * bytes, or nothing: every compaction fails in turn, and a script that
 * keeps allocating makes Duktape compact the whole heap per allocation
 * for minutes.  So when JS_THRASH_MAX refusals in a row each come with
 * less than an eighth of the cap freed since the one before, the heap
 * is given up: like a fatal error, this longjmps back to the call,
 * which frees the heap's blocks and reports ENG_NOMEM.
 */
static void
heap_refuse(struct jsheap *h)
{
	h->refused = 1;
	if (h->low >= h->max - h->max / 8) {
		if (++h->thrash >= JS_THRASH_MAX && h->fatal_armed) {
			strlcpy(h->fatal_msg, "out of memory",
			    sizeof(h->fatal_msg));
			h->fatal_armed = 0;
			longjmp(h->fatal_jb, 1);
		}
	} else
		h->thrash = 0;
	h->low = h->used;
}

/* Would the heap, less "freed" bytes, have room for a block of "size"? */
static int
heap_room(const struct jsheap *h, size_t freed, size_t size)
{
	size_t	 used = h->used - freed;

	return size <= h->max - sizeof(union blk) &&
	    used <= h->max - sizeof(union blk) - size;
}

/* A new block of "size" bytes for the heap, or NULL. */
static void *
heap_block(struct jsheap *h, size_t size)
{
	union blk	*b;

	if ((b = malloc(sizeof(*b) + size)) == NULL) {
		heap_refuse(h);
		return NULL;
	}
	b->h.size = size;
	b->h.prev = NULL;
	b->h.next = h->blocks;
	if (h->blocks != NULL)
		h->blocks->h.prev = b;
	h->blocks = b;
	h->used += sizeof(*b) + size;
	return b + 1;
}

/*
 * The heap's allocator.  Every block counts its header, and a request
 * that would take the heap beyond h->max is refused (NULL), which
 * Duktape turns into a collection and then a RangeError.  The heap may
 * hold secrets, so freed and moved blocks are wiped.
 */
static void *
heap_alloc(void *udata, duk_size_t size)
{
	struct jsheap	*h = udata;

	if (!heap_room(h, 0, size)) {
		heap_refuse(h);
		return NULL;
	}
	return heap_block(h, size);
}

static void
heap_free(void *udata, void *ptr)
{
	struct jsheap	*h = udata;
	union blk	*b;

	if (ptr == NULL)
		return;
	b = (union blk *)ptr - 1;
	if (b->h.prev != NULL)
		b->h.prev->h.next = b->h.next;
	else
		h->blocks = b->h.next;
	if (b->h.next != NULL)
		b->h.next->h.prev = b->h.prev;
	h->used -= sizeof(*b) + b->h.size;
	if (h->used < h->low)
		h->low = h->used;
	explicit_bzero(b, sizeof(*b) + b->h.size);
	free(b);
}

static void *
heap_realloc(void *udata, void *ptr, duk_size_t size)
{
	struct jsheap	*h = udata;
	union blk	*old;
	void		*p;

	if (ptr == NULL)
		return heap_alloc(udata, size);
	if (size == 0) {
		heap_free(udata, ptr);
		return NULL;
	}
	/* A block shrinks in place, unless it would waste half of it. */
	old = (union blk *)ptr - 1;
	if (size <= old->h.size && size >= old->h.size / 2)
		return ptr;
	/* Allocate, copy and wipe: the cap applies to the new total. */
	if (!heap_room(h, sizeof(*old) + old->h.size, size)) {
		heap_refuse(h);
		return NULL;
	}
	if ((p = heap_block(h, size)) == NULL)
		return NULL;
	memcpy(p, ptr, size < old->h.size ? size : old->h.size);
	heap_free(udata, ptr);
	return p;
}

/* After a fatal error: free what Duktape cannot free any more. */
static void
heap_free_all(struct jsheap *h)
{
	while (h->blocks != NULL)
		heap_free(h, h->blocks + 1);
}

static void __attribute__((noreturn))
heap_fatal(void *udata, const char *msg)
{
	struct jsheap	*h = udata;

	if (h == NULL || !h->fatal_armed) {
		log_crit("javascript: fatal error: %s", log_quote(msg));
		abort();
	}
	strlcpy(h->fatal_msg, msg != NULL ? msg : "unknown",
	    sizeof(h->fatal_msg));
	h->fatal_armed = 0;
	longjmp(h->fatal_jb, 1);
}

/*
 * Decode one character of Duktape's internal text, p with n > 0 bytes
 * left: set *cp and return the bytes used.  A surrogate pair encoded as
 * two 3-byte sequences (CESU-8, what "\ud83d\ude00" gives) becomes one
 * code point; a lone surrogate, NUL, an overlong, invalid or truncated
 * sequence becomes U+FFFD.
 */
static size_t
utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t	 c, lo;
	size_t		 need, i;

	*cp = 0xfffd;
	if (p[0] < 0x80) {
		if (p[0] != 0)
			*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 1;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		need = 2;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		c = p[0] & 0x07;
	} else
		return 1;
	if (n < need + 1)
		return 1;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 1;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((need == 2 && c < 0x800) ||
	    (need == 3 && (c < 0x10000 || c > 0x10ffff)))
		return 1;
	if (c >= 0xd800 && c <= 0xdbff && n >= 6 && p[3] == 0xed &&
	    (p[4] & 0xf0) == 0xb0 && (p[5] & 0xc0) == 0x80) {
		lo = 0xd000 | ((uint32_t)(p[4] & 0x3f) << 6) | (p[5] & 0x3f);
		*cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		return 6;
	}
	if (c < 0xd800 || c > 0xdfff)
		*cp = c;
	return need + 1;
}

static size_t
utf8_put(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = 0xc0 | (c >> 6);
		o[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		o[0] = 0xe0 | (c >> 12);
		o[1] = 0x80 | ((c >> 6) & 0x3f);
		o[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (c >> 18);
	o[1] = 0x80 | ((c >> 12) & 0x3f);
	o[2] = 0x80 | ((c >> 6) & 0x3f);
	o[3] = 0x80 | (c & 0x3f);
	return 4;
}

/*
 * Copy Duktape text s (len bytes) into a NUL-terminated string of valid
 * UTF-8, cut at a character boundary to at most max bytes.  The caller
 * frees the result.  JSON from Duktape stays valid JSON: everything
 * replaced is inside a string literal.
 */
static char *
utf8_dup(const char *s, size_t len, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned char		 tmp[4];
	char			*out;
	size_t			 i, n, k, olen = 0;
	uint32_t		 c;

	for (i = 0; i < len; i += n) {
		n = utf8_next(p + i, len - i, &c);
		k = utf8_put(tmp, c);
		if (olen + k > max)
			break;
		olen += k;
	}
	out = xmalloc(olen + 1);
	olen = 0;
	for (i = 0; i < len; i += n) {
		n = utf8_next(p + i, len - i, &c);
		k = utf8_put(tmp, c);
		if (olen + k > max)
			break;
		memcpy(out + olen, tmp, k);
		olen += k;
	}
	out[olen] = '\0';
	return out;
}

/*
 * Tidy a Duktape stack trace in place: drop the frames of Duktape's own
 * C code ("at [anon] (duk_bi_json.c:1759) internal") and the
 * "preventsyield" notes, which tell a source's author nothing.
 */
static void
trace_tidy(char *s)
{
	char	*line, *end, *o = s;
	size_t	 len;

	for (line = s; *line != '\0'; line = end) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line);
		len = end - line;
		if (*end == '\n')
			end++;
		if (strncmp(line, "    at ", 7) == 0 && len > 9 &&
		    strncmp(line + len - 9, " internal", 9) == 0)
			continue;
		if (len > 14 &&
		    strncmp(line + len - 14, " preventsyield", 14) == 0)
			len -= 14;
		if (o != s)
			*o++ = '\n';
		memmove(o, line, len);
		o += len;
	}
	*o = '\0';
}

static struct jssrc *
src_find(const char *id)
{
	size_t	 i;

	for (i = 0; i < nsrcs; i++)
		if (strcmp(srcs[i].id, id) == 0)
			return &srcs[i];
	return NULL;
}

/*
 * A new heap state for a call ending at deadline_ms (CLOCK_MONOTONIC);
 * the caller releases it with heap_done().
 */
static struct jsheap *
heap_new(const struct eng_host *host, long long deadline_ms)
{
	struct jsheap	*h;

	h = xcalloc(1, sizeof(*h));
	h->max = (size_t)heap_max;
	h->deadline_ms = deadline_ms;
	h->host = host;
	return h;
}

/* Destroy the heap if it still exists, then the state. */
static void
heap_done(struct jsheap *h)
{
	if (h->ctx != NULL) {
		h->fatal_armed = 1;
		if (setjmp(h->fatal_jb) == 0)
			duk_destroy_heap(h->ctx);
		else
			heap_free_all(h);
		h->fatal_armed = 0;
		h->ctx = NULL;
	}
	free(h->pending);
	free(h->out);
	free(h->msg);
	free(h);
}

/* The heap state of a Duktape context, from inside a host function. */
static struct jsheap *
heap_of(duk_context *ctx)
{
	duk_memory_functions	 mf;

	duk_get_memory_functions(ctx, &mf);
	return mf.udata;
}

/* A host function may not start work after the deadline. */
static void
host_check_deadline(duk_context *ctx)
{
	if (iocagg_duk_timeout_check(heap_of(ctx)))
		(void)duk_range_error(ctx, "execution timeout");
}

/* A string argument without NUL bytes, or a TypeError. */
static const char *
host_require_cstring(duk_context *ctx, duk_idx_t idx, const char *what)
{
	const char	*s;
	duk_size_t	 len;

	if (!duk_is_string(ctx, idx) || duk_is_symbol(ctx, idx))
		(void)duk_type_error(ctx, "%s must be a string", what);
	s = duk_get_lstring(ctx, idx, &len);
	if (strlen(s) != len)
		(void)duk_type_error(ctx, "%s contains a NUL byte", what);
	return s;
}

struct lstr {
	const char	*s;
	size_t		 len;
};

static duk_ret_t
push_lstring(duk_context *ctx, void *udata)
{
	struct lstr	*l = udata;

	duk_push_lstring(ctx, l->s, l->len);
	return 1;
}

/* Throw a TypeError unless name (len bytes) is an HTTP token. */
static void
host_check_name(duk_context *ctx, const char *name, size_t len)
{
	size_t	 i;

	if (len == 0)
		(void)duk_type_error(ctx, "empty header name");
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] <= ' ' ||
		    (unsigned char)name[i] >= 0x7f ||
		    strchr("\"(),/:;<=>?@[\\]{}", name[i]) != NULL)
			(void)duk_type_error(ctx, "bad header name");
}

/* Throw a TypeError for a header value with CR, LF or NUL. */
static void
host_check_value(duk_context *ctx, const char *val, size_t len)
{
	if (strlen(val) != len || strpbrk(val, "\r\n") != NULL)
		(void)duk_type_error(ctx, "a header value holds a line break "
		    "or a NUL byte");
}

/*
 * The request headers of http_get()/http_post() from the value at idx:
 * undefined or null for none, an object {"Name": "value", ...} or, as
 * the Python runner also takes, an array of "Name: value" strings.
 * Pushes the "Name: value" strings and a buffer holding the
 * NULL-terminated array of pointers to them, valid while they are on
 * the stack, and returns the array.  A name that is not an HTTP token
 * or a value with CR, LF or NUL (header injection) is a TypeError.
 */
static const char *const *
host_headers(duk_context *ctx, duk_idx_t idx)
{
	const char	**v;
	const char	*name, *val, *colon;
	duk_idx_t	 first;
	duk_size_t	 len, vlen;
	size_t		 n = 0, i, alen;

	if (duk_is_null_or_undefined(ctx, idx))
		return NULL;
	if (!duk_is_object(ctx, idx) || duk_is_callable(ctx, idx))
		(void)duk_type_error(ctx, "headers must be an object or an "
		    "array");
	first = duk_get_top(ctx);
	if (duk_is_array(ctx, idx)) {
		alen = duk_get_length(ctx, idx);
		if (alen > JS_HEADERS_MAX)
			(void)duk_range_error(ctx, "more than %d headers",
			    JS_HEADERS_MAX);
		for (i = 0; i < alen; i++) {
			(void)duk_get_prop_index(ctx, idx, (duk_uarridx_t)i);
			if (!duk_is_string(ctx, -1) || duk_is_symbol(ctx, -1))
				(void)duk_type_error(ctx, "a header must be a "
				    "\"Name: value\" string");
			name = duk_get_lstring(ctx, -1, &len);
			if ((colon = memchr(name, ':', len)) == NULL)
				(void)duk_type_error(ctx, "a header must be a "
				    "\"Name: value\" string");
			host_check_name(ctx, name, colon - name);
			host_check_value(ctx, colon + 1,
			    len - (colon + 1 - name));
		}
		n = alen;
	} else {
		duk_enum(ctx, idx, DUK_ENUM_OWN_PROPERTIES_ONLY);
		while (duk_next(ctx, -1, 1)) {
			/* stack: ... enum key value */
			if (++n > JS_HEADERS_MAX)
				(void)duk_range_error(ctx, "more than %d "
				    "headers", JS_HEADERS_MAX);
			name = duk_get_lstring(ctx, -2, &len);
			host_check_name(ctx, name, len);
			val = duk_to_lstring(ctx, -1, &vlen);
			host_check_value(ctx, val, vlen);
			duk_push_sprintf(ctx, "%s: %s", name, val);
			/* ... enum key value line -> ... line enum */
			duk_insert(ctx, -4);
			duk_pop_2(ctx);
		}
		duk_pop(ctx);
	}
	v = duk_push_fixed_buffer(ctx, (n + 1) * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = duk_get_string(ctx, first + (duk_idx_t)i);
	v[n] = NULL;
	return v;
}

/*
 * The HTTP call of http_get(url[, headers]) and http_post(url, body[,
 * headers]): returns {status, body} or throws the host's error.
 */
static duk_ret_t
host_http(duk_context *ctx, const char *method, int has_body)
{
	struct jsheap		*h = heap_of(ctx);
	const char *const	*hdrs;
	const char		*url, *body = NULL, *err = NULL;
	char			*resp = NULL;
	struct lstr		 l;
	long			 status = 0;
	size_t			 len = 0;
	duk_int_t		 rc;

	if (h->host == NULL || h->host->http == NULL)
		return duk_error(ctx, DUK_ERR_ERROR, "HTTP is not available");
	url = host_require_cstring(ctx, 0, "url");
	if (has_body) {
		if (duk_is_object(ctx, 1) && !duk_is_callable(ctx, 1) &&
		    !duk_is_buffer_data(ctx, 1))
			duk_json_encode(ctx, 1);
		body = host_require_cstring(ctx, 1, "body");
	}
	hdrs = host_headers(ctx, has_body ? 2 : 1);
	host_check_deadline(ctx);
	if (h->host->http(h->host->ctx, method, url, body, hdrs, &status,
	    &resp, &len, &err) == -1)
		return duk_error(ctx, DUK_ERR_ERROR, "%s: %s",
		    has_body ? "http_post" : "http_get",
		    err != NULL ? err : "failed");
	/* The body is ours until it is in the heap, which may refuse it
	 * or be given up (h->pending is freed with h then). */
	h->pending = resp;
	l.s = resp != NULL ? resp : "";
	l.len = resp != NULL ? len : 0;
	rc = duk_safe_call(ctx, push_lstring, &l, 0, 1);
	h->pending = NULL;
	free(resp);
	if (rc != DUK_EXEC_SUCCESS)
		return duk_throw(ctx);
	duk_push_object(ctx);
	duk_push_number(ctx, (duk_double_t)status);
	duk_put_prop_string(ctx, -2, "status");
	duk_pull(ctx, -2);
	duk_put_prop_string(ctx, -2, "body");
	return 1;
}

static duk_ret_t
host_http_get(duk_context *ctx)
{
	duk_set_top(ctx, 2);
	return host_http(ctx, "GET", 0);
}

static duk_ret_t
host_http_post(duk_context *ctx)
{
	duk_set_top(ctx, 3);
	return host_http(ctx, "POST", 1);
}

/* secret(name) and config(name): the value, or null when unset. */
static duk_ret_t
host_lookup(duk_context *ctx, int is_secret)
{
	struct jsheap	*h = heap_of(ctx);
	const char	*(*fn)(void *, const char *);
	const char	*name, *v;

	fn = h->host == NULL ? NULL :
	    is_secret ? h->host->secret : h->host->config;
	if (fn == NULL)
		return duk_error(ctx, DUK_ERR_ERROR, "%s() is not available",
		    is_secret ? "secret" : "config");
	duk_set_top(ctx, 1);
	name = host_require_cstring(ctx, 0, "name");
	if ((v = fn(h->host->ctx, name)) == NULL)
		duk_push_null(ctx);
	else
		duk_push_string(ctx, v);
	return 1;
}

static duk_ret_t
host_secret(duk_context *ctx)
{
	return host_lookup(ctx, 1);
}

static duk_ret_t
host_config(duk_context *ctx)
{
	return host_lookup(ctx, 0);
}

/* log(msg, ...): the arguments as strings, joined by blanks. */
static duk_ret_t
host_log(duk_context *ctx)
{
	struct jsheap	*h = heap_of(ctx);
	duk_idx_t	 i, n = duk_get_top(ctx);

	if (h->host == NULL || h->host->log == NULL)
		return 0;
	for (i = 0; i < n; i++)
		(void)duk_to_string(ctx, i);
	duk_push_string(ctx, " ");
	duk_insert(ctx, 0);
	duk_join(ctx, n);
	h->host->log(h->host->ctx, duk_get_string(ctx, -1));
	return 0;
}

static const duk_function_list_entry host_funcs[] = {
	{ "http_get", host_http_get, DUK_VARARGS },
	{ "http_post", host_http_post, DUK_VARARGS },
	{ "secret", host_secret, DUK_VARARGS },
	{ "config", host_config, DUK_VARARGS },
	{ "log", host_log, DUK_VARARGS },
	{ NULL, NULL, 0 },
};

/* Duktape's own object, less what user code has no use for: the call
 * stack (act), finalizers (fin), the heap's internals (info, gc,
 * compact).  Duktape.enc/dec (base64, hex) stay. */
static const char *const duktape_hidden[] = {
	"act", "fin", "info", "gc", "compact",
};

/*
 * Inside duk_safe_call(): set up the globals, evaluate the source,
 * call its function and leave the result as JSON text on the stack.
 * Any error thrown here ends the safe call; c->step tells where.
 */
static duk_ret_t
js_run(duk_context *ctx, void *udata)
{
	struct jscall	*c = udata;
	size_t		 i;
	duk_int_t	 t;

	c->step = STEP_SETUP;
	duk_push_global_object(ctx);
	duk_put_function_list(ctx, -1, host_funcs);
	if (duk_get_prop_string(ctx, -1, "Duktape"))
		for (i = 0; i < nitems(duktape_hidden); i++)
			duk_del_prop_string(ctx, -1, duktape_hidden[i]);
	duk_pop_2(ctx);

	c->step = STEP_EVAL;
	duk_push_string(ctx, JS_FILENAME);
	duk_compile_lstring_filename(ctx, 0, c->src->code, c->src->len);
	duk_call(ctx, 0);
	duk_pop(ctx);

	c->step = STEP_LOOKUP;
	if (!duk_get_global_string(ctx, c->fn) || !duk_is_callable(ctx, -1)) {
		duk_pop(ctx);
		if (c->alt == NULL || !duk_get_global_string(ctx, c->alt) ||
		    !duk_is_callable(ctx, -1)) {
			c->res = ENG_NO_FUNCTION;
			return 0;
		}
	}

	c->step = STEP_CALL;
	if (c->nargs == 2) {
		duk_push_string(ctx, c->data != NULL ? c->data : "");
		duk_push_string(ctx, c->kind != NULL ? c->kind : "");
	}
	duk_call(ctx, c->nargs);
	if (!c->want_result) {
		c->res = ENG_OK;
		return 0;
	}

	c->step = STEP_RESULT;
	c->res = ENG_BAD_RESULT;
	t = duk_get_type(ctx, -1);
	if (t == DUK_TYPE_UNDEFINED) {
		/* "return;" is null, as JSON.stringify([undefined]) has it */
		duk_push_string(ctx, "null");
		c->res = ENG_OK;
		return 1;
	}
	if (duk_is_symbol(ctx, -1) || duk_is_callable(ctx, -1) ||
	    (t != DUK_TYPE_NULL && t != DUK_TYPE_BOOLEAN &&
	    t != DUK_TYPE_NUMBER && t != DUK_TYPE_STRING &&
	    t != DUK_TYPE_OBJECT)) {
		c->why = "the result is not a string, an object, an array, "
		    "a number, a boolean or null";
		return 0;
	}
	(void)duk_json_encode(ctx, -1);
	if (!duk_is_string(ctx, -1)) {
		c->why = "the result has no JSON form";
		return 0;
	}
	c->res = ENG_OK;
	return 1;
}

/*
 * Inside duk_safe_call(): the thrown value on the stack as text: an
 * error's stack trace, which starts with "Name: message"; another
 * object as JSON, if it has a JSON form; anything else as a string.
 */
static duk_ret_t
js_describe(duk_context *ctx, void *udata)
{
	(void)udata;
	if (duk_is_error(ctx, -1)) {
		(void)duk_get_prop_string(ctx, -1, "stack");
		if (duk_is_string(ctx, -1))
			return 1;
		duk_pop(ctx);
	} else if (duk_is_object(ctx, -1) && !duk_is_callable(ctx, -1)) {
		duk_dup_top(ctx);
		(void)duk_json_encode(ctx, -1);
		if (duk_is_string(ctx, -1))
			return 1;
		duk_pop(ctx);
	}
	(void)duk_safe_to_string(ctx, -1);
	return 1;
}

/* How a call that did not finish normally ends, and h->msg. */
static enum eng_res
js_failed(struct jsheap *h, const struct jscall *c, int fatal)
{
	const char	*s;
	char		*m;
	duk_size_t	 len;

	if (h->timed_out || now_ms() >= h->deadline_ms) {
		xasprintf(&h->msg, "execution timeout: %s() ran past its "
		    "deadline", c->fn);
		return ENG_TIMEOUT;
	}
	if (h->refused) {
		xasprintf(&h->msg, "the JavaScript heap reached its limit "
		    "of %zu bytes", h->max);
		return ENG_NOMEM;
	}
	if (fatal) {
		xasprintf(&h->msg, "JavaScript engine error: %s",
		    h->fatal_msg);
		return ENG_USER_ERROR;
	}
	if (duk_safe_call(h->ctx, js_describe, NULL, 1, 1) ==
	    DUK_EXEC_SUCCESS && (s = duk_get_lstring(h->ctx, -1, &len)) !=
	    NULL)
		trace_tidy(h->msg = utf8_dup(s, len, JS_ERR_MAX));
	else
		h->msg = xstrdup("error (no description)");
	if (c->step == STEP_RESULT) {
		m = h->msg;
		xasprintf(&h->msg, "%s() returned a value that cannot be "
		    "encoded as JSON: %s", c->fn, m);
		free(m);
		return ENG_BAD_RESULT;
	}
	return ENG_USER_ERROR;
}

/* After js_run() returned normally: h->out or h->msg from c. */
static enum eng_res
js_result(struct jsheap *h, const struct jscall *c)
{
	const char	*s;
	duk_size_t	 len;

	switch (c->res) {
	case ENG_OK:
		if (c->want_result) {
			s = duk_get_lstring(h->ctx, -1, &len);
			h->out = utf8_dup(s, len, SIZE_MAX - 1);
		}
		break;
	case ENG_NO_FUNCTION:
		xasprintf(&h->msg, "the source defines no function %s() "
		    "(nor %s())", c->fn, c->alt);
		break;
	default:
		xasprintf(&h->msg, "%s() returned a bad value: %s", c->fn,
		    c->why);
		break;
	}
	return c->res;
}

/*
 * Run c in a new heap of state h, which receives the outcome: the
 * result in h->out or the error in h->msg.  The fatal handler comes
 * back to the setjmp() here; after that only *h and *c are used, which
 * live outside this frame.
 */
static enum eng_res
js_exec(struct jsheap *h, struct jscall *c)
{
	enum eng_res	 res;

	if (setjmp(h->fatal_jb) != 0) {
		heap_free_all(h);
		h->ctx = NULL;
		return js_failed(h, c, 1);
	}
	h->fatal_armed = 1;
	h->ctx = duk_create_heap(heap_alloc, heap_realloc, heap_free, h,
	    heap_fatal);
	if (h->ctx == NULL) {
		h->fatal_armed = 0;
		h->refused = 1;
		return js_failed(h, c, 1);
	}
	if (duk_safe_call(h->ctx, js_run, c, 0, 1) != DUK_EXEC_SUCCESS)
		res = js_failed(h, c, 0);
	else
		res = js_result(h, c);
	h->fatal_armed = 0;
	return res;
}

/*
 * Compile code (len bytes) in a new heap of state h; 0, or -1 with *err
 * (xmalloc'd).  The fatal handler comes back to the setjmp() here.
 */
static int
js_compile(struct jsheap *h, const char *code, size_t len, char **err)
{
	const char	*m;
	duk_size_t	 mlen;
	int		 rc = 0;

	if (setjmp(h->fatal_jb) != 0) {
		heap_free_all(h);
		h->ctx = NULL;
		xasprintf(err, "JavaScript engine error: %s", h->fatal_msg);
		return -1;
	}
	h->fatal_armed = 1;
	h->ctx = duk_create_heap(heap_alloc, heap_realloc, heap_free, h,
	    heap_fatal);
	if (h->ctx == NULL) {
		h->fatal_armed = 0;
		*err = xstrdup("out of memory creating a JavaScript heap");
		return -1;
	}
	duk_push_string(h->ctx, JS_FILENAME);
	if (duk_pcompile_lstring_filename(h->ctx, 0, code, len) != 0) {
		m = duk_safe_to_lstring(h->ctx, -1, &mlen);
		*err = utf8_dup(m, mlen, JS_ERR_MAX);
		rc = -1;
	}
	h->fatal_armed = 0;
	return rc;
}

/* fetch() and task(): call c's function of a loaded source. */
static enum eng_res
js_call(const char *source_id, struct jscall *c,
    const struct eng_host *host, long long deadline_ms, char **json,
    char **err)
{
	struct jsheap	*h;
	enum eng_res	 res;

	if (source_id == NULL || (c->src = src_find(source_id)) == NULL) {
		xasprintf(err, "source %s is not loaded",
		    source_id != NULL ? source_id : "(null)");
		return ENG_NO_FUNCTION;
	}
	h = heap_new(host, deadline_ms);
	res = js_exec(h, c);
	if (res == ENG_OK && json != NULL) {
		*json = h->out;
		h->out = NULL;
	} else if (res != ENG_OK) {
		*err = h->msg;
		h->msg = NULL;
	}
	heap_done(h);
	return res;
}

/*
 * Once per worker, before the sandbox: the heap cap from
 * IOCAGG_JS_HEAP_MAX (bytes, 1 MiB to 1 TiB; 64 MiB when unset), and
 * the time zone, which Date reads later through localtime_r() and which
 * needs a file the sandbox may not open.  -1 for a bad variable.
 */
static int
js_init(void)
{
	const char	*s, *errstr;
	long long	 v;

	tzset();
	heap_max = JS_HEAP_MAX_DEFAULT;
	if ((s = getenv("IOCAGG_JS_HEAP_MAX")) == NULL || *s == '\0')
		return 0;
	v = strtonum(s, JS_HEAP_MAX_MIN, JS_HEAP_MAX_MAX, &errstr);
	if (errstr != NULL) {
		log_warnx("IOCAGG_JS_HEAP_MAX is %s: %s", errstr,
		    log_quote(s));
		return -1;
	}
	if ((unsigned long long)v > SIZE_MAX / 2)
		v = (long long)(SIZE_MAX / 2);
	heap_max = v;
	return 0;
}

/*
 * Check that "code" compiles, in a scratch heap under the same cap, and
 * keep it for source_id in place of any older version.  0, or -1 with
 * *err (xmalloc'd): Duktape's SyntaxError, with its line.
 */
static int
js_load(const char *source_id, const char *code, char **err)
{
	struct jsheap	*h;
	struct jssrc	*s;
	size_t		 len;
	int		 rc;

	if (source_id == NULL || *source_id == '\0' || code == NULL) {
		*err = xstrdup("no source id or no code");
		return -1;
	}
	len = strlen(code);
	h = heap_new(NULL, LLONG_MAX);
	rc = js_compile(h, code, len, err);
	heap_done(h);
	if (rc == -1)
		return -1;

	if ((s = src_find(source_id)) == NULL) {
		if (nsrcs == srcs_cap) {
			srcs_cap = srcs_cap == 0 ? 16 : srcs_cap * 2;
			srcs = xreallocarray(srcs, srcs_cap, sizeof(*srcs));
		}
		s = &srcs[nsrcs++];
		s->id = xstrdup(source_id);
	} else
		free(s->code);
	s->code = xstrdup(code);
	s->len = len;
	return 0;
}

/* Forget a source; an unknown id is fine. */
static void
js_unload(const char *source_id)
{
	struct jssrc	*s;

	if (source_id == NULL || (s = src_find(source_id)) == NULL)
		return;
	free(s->id);
	free(s->code);
	*s = srcs[--nsrcs];
}

/*
 * fetch_data(data, kind), or fetchData(data, kind) as the reference's
 * template names it, of a loaded source, in a fresh heap, until
 * deadline_ms (CLOCK_MONOTONIC milliseconds).  See engine.h.
 */
static enum eng_res
js_fetch(const char *source_id, const char *data, const char *kind,
    const struct eng_host *host, long long deadline_ms, char **json,
    char **err)
{
	struct jscall	 c;

	memset(&c, 0, sizeof(c));
	c.fn = "fetch_data";
	c.alt = "fetchData";
	c.data = data;
	c.kind = kind;
	c.nargs = 2;
	c.want_result = 1;
	return js_call(source_id, &c, host, deadline_ms, json, err);
}

/* background_task() (or backgroundTask()), its result ignored. */
static enum eng_res
js_task(const char *source_id, const struct eng_host *host,
    long long deadline_ms, char **err)
{
	struct jscall	 c;

	memset(&c, 0, sizeof(c));
	c.fn = "background_task";
	c.alt = "backgroundTask";
	return js_call(source_id, &c, host, deadline_ms, NULL, err);
}

const struct engine engine_js = {
	.name = "javascript",
	.init = js_init,
	.load = js_load,
	.unload = js_unload,
	.fetch = js_fetch,
	.task = js_task,
};
