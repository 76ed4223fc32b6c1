/*
 * lib/http.c -- see http.h.  The request life cycle is:
 *
 *	fcgi_main() -> worker loop -> req_setup() -> route_dispatch()
 *	    -> [404 | 405 | 414 | 400 | 413 | 401 | 403] or the handler
 *	    -> req_clear()
 *
 * Nothing in a handler writes to the FastCGI stream directly: every
 * byte goes through http_json(), http_error(), http_text(),
 * http_empty() or, for event streams, http_write().
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <json-c/json.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "auth.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "kv.h"
#include "log.h"
#include "nanoid.h"
#include "xmalloc.h"

static volatile sig_atomic_t	 quit;

static const struct {
	enum method	 m;
	const char	*name;
} methods[] = {
	{ METHOD_GET, "GET" },
	{ METHOD_HEAD, "HEAD" },
	{ METHOD_POST, "POST" },
	{ METHOD_PUT, "PUT" },
	{ METHOD_PATCH, "PATCH" },
	{ METHOD_DELETE, "DELETE" },
	{ METHOD_OPTIONS, "OPTIONS" },
};

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/*
 * Low-level I/O: the FastCGI streams, or stdio in CGI mode.
 */
const char *
req_env(struct req *r, const char *k)
{
	if (r->fcgi != NULL)
		return FCGX_GetParam(k, r->fcgi->envp);
	return getenv(k);
}

static int
out_write(struct req *r, const void *buf, size_t len)
{
	if (r->broken)
		return -1;
	if (len == 0)
		return 0;
	if (r->fcgi != NULL) {
		if (len > INT_MAX ||
		    FCGX_PutStr(buf, (int)len, r->fcgi->out) != (int)len) {
			r->broken = 1;
			return -1;
		}
		return 0;
	}
	if (fwrite(buf, 1, len, stdout) != len) {
		r->broken = 1;
		return -1;
	}
	return 0;
}

static size_t
in_read(struct req *r, char *buf, size_t len)
{
	int	 n;

	if (r->fcgi != NULL) {
		n = FCGX_GetStr(buf, len > INT_MAX ? INT_MAX : (int)len,
		    r->fcgi->in);
		return n < 0 ? 0 : (size_t)n;
	}
	return fread(buf, 1, len, stdin);
}

int
http_flush(struct req *r)
{
	if (r->broken)
		return -1;
	if (r->fcgi != NULL) {
		if (FCGX_FFlush(r->fcgi->out) == -1 ||
		    FCGX_GetError(r->fcgi->out) != 0) {
			r->broken = 1;
			return -1;
		}
		return 0;
	}
	if (fflush(stdout) == EOF) {
		r->broken = 1;
		return -1;
	}
	return 0;
}

void
http_header(struct req *r, const char *name, const char *fmt, ...)
{
	char	 val[4096];
	va_list	 ap;
	int	 n;
	size_t	 i;

	va_start(ap, fmt);
	(void)vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	/* Header values never carry line breaks from anywhere. */
	for (i = 0; val[i] != '\0'; i++)
		if (val[i] == '\r' || val[i] == '\n')
			val[i] = ' ';
	n = snprintf(r->xhdr + r->xhdrlen, sizeof(r->xhdr) - r->xhdrlen,
	    "%s: %s\r\n", name, val);
	if (n > 0 && (size_t)n < sizeof(r->xhdr) - r->xhdrlen)
		r->xhdrlen += (size_t)n;
	else
		r->xhdr[r->xhdrlen] = '\0';
}

static void
send_head(struct req *r, int status, const char *ctype, long long clen)
{
	char	 buf[512];
	int	 n;

	if (r->status != 0) {
		log_warnx("%s: response already started (%d), dropping %d",
		    r->path, r->status, status);
		return;
	}
	r->status = status;
	n = snprintf(buf, sizeof(buf),
	    "Status: %d %s\r\n"
	    "X-Request-Id: %s\r\n"
	    "Cache-Control: no-store\r\n",
	    status, reason(status), r->id);
	(void)out_write(r, buf, (size_t)n);
	if (ctype != NULL) {
		n = snprintf(buf, sizeof(buf), "Content-Type: %s\r\n", ctype);
		(void)out_write(r, buf, (size_t)n);
	}
	if (clen >= 0) {
		n = snprintf(buf, sizeof(buf), "Content-Length: %lld\r\n",
		    clen);
		(void)out_write(r, buf, (size_t)n);
	}
	(void)out_write(r, r->xhdr, r->xhdrlen);
	(void)out_write(r, "\r\n", 2);
}

void
http_text(struct req *r, int status, const char *ctype, const char *body)
{
	size_t	 len = body == NULL ? 0 : strlen(body);

	send_head(r, status, ctype, (long long)len);
	if (!r->head)
		(void)out_write(r, body, len);
}

void
http_json(struct req *r, int status, json_object *o)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL) {
		http_error(r, 500, "internal", "out of memory");
		return;
	}
	send_head(r, status, "application/json", (long long)len);
	if (!r->head)
		(void)out_write(r, s, len);
}

void
http_empty(struct req *r, int status)
{
	send_head(r, status, NULL, status == 204 || status == 304 ? -1 : 0);
}

void
http_error(struct req *r, int status, const char *code, const char *fmt,
    ...)
{
	json_object	*o, *e;
	char		 msg[1024];
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (status >= 500)
		log_warnx("%s %s: %d %s: %s", r->method_name ?
		    r->method_name : "-", r->path ? log_quote(r->path) : "-",
		    status, code, msg);
	else
		log_debug("%s: %d %s: %s", r->path ? log_quote(r->path) :
		    "-", status, code, msg);

	o = json_object_new_object();
	e = json_object_new_object();
	if (o == NULL || e == NULL ||
	    jadd(e, "code", json_object_new_string(code)) == -1 ||
	    jadd(e, "message", json_object_new_string(msg)) == -1 ||
	    jadd(o, "error", e) == -1) {
		if (o == NULL)
			json_object_put(e);
		json_object_put(o);
		/* Last resort: a fixed body that needs no allocation. */
		send_head(r, status, "application/json", -1);
		(void)out_write(r, "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"out of memory\"}}", 55);
		return;
	}
	http_json(r, status, o);
	json_object_put(o);
}

void
http_stream_begin(struct req *r, int status, const char *ctype)
{
	http_header(r, "X-Accel-Buffering", "no");
	send_head(r, status, ctype, -1);
	(void)http_flush(r);
}

int
http_write(struct req *r, const void *buf, size_t len)
{
	return out_write(r, buf, len);
}

/*
 * Decode %XX (and "+" as a blank when asked) in place.  Returns -1 on a
 * malformed escape or a decoded NUL byte.
 */
int
http_urldecode(char *s, int plus_is_space)
{
	char	*o = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]))
				return -1;
			hi = isdigit((unsigned char)s[1]) ? s[1] - '0' :
			    (tolower((unsigned char)s[1]) - 'a' + 10);
			lo = isdigit((unsigned char)s[2]) ? s[2] - '0' :
			    (tolower((unsigned char)s[2]) - 'a' + 10);
			if (hi == 0 && lo == 0)
				return -1;
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else if (*s == '+' && plus_is_space)
			*o++ = ' ';
		else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

int
http_parse_query(struct req *r, const char *qs, char *err, size_t errsz)
{
	char	*copy, *p, *pair, *eq, *k, *v;

	if (qs == NULL || *qs == '\0')
		return 0;
	copy = xstrdup(qs);
	for (p = copy; (pair = strsep(&p, "&")) != NULL; ) {
		if (*pair == '\0')
			continue;
		if (r->nquery == REQ_QUERY_MAX) {
			(void)snprintf(err, errsz, "more than %d query "
			    "parameters", REQ_QUERY_MAX);
			goto fail;
		}
		if ((eq = strchr(pair, '=')) != NULL)
			*eq = '\0';
		k = xstrdup(pair);
		v = xstrdup(eq != NULL ? eq + 1 : "");
		r->query[r->nquery].key = k;
		r->query[r->nquery].val = v;
		r->nquery++;
		if (http_urldecode(k, 1) == -1 || http_urldecode(v, 1) == -1) {
			(void)snprintf(err, errsz, "malformed percent-encoding "
			    "in query parameter");
			goto fail;
		}
		if (*k == '\0') {
			(void)snprintf(err, errsz, "empty query parameter "
			    "name");
			goto fail;
		}
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

const char *
req_query_nth(struct req *r, const char *key, size_t nth)
{
	size_t	 i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].key, key) == 0 && nth-- == 0)
			return r->query[i].val;
	return NULL;
}

const char *
req_query(struct req *r, const char *key)
{
	return req_query_nth(r, key, 0);
}

size_t
req_query_count(struct req *r, const char *key)
{
	size_t	 i, n = 0;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].key, key) == 0)
			n++;
	return n;
}

int
req_query_int(struct req *r, const char *key, long long min, long long max,
    long long def, long long *out)
{
	const char	*s, *errstr;
	long long	 v;

	if ((s = req_query(r, key)) == NULL) {
		*out = def;
		return 0;
	}
	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL) {
		http_error(r, 400, "bad_request", "query parameter '%s' is "
		    "%s (expected an integer in [%lld, %lld])", key, errstr,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
req_query_bool(struct req *r, const char *key, int def, int *out)
{
	const char	*s;

	if ((s = req_query(r, key)) == NULL) {
		*out = def;
		return 0;
	}
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || *s == '\0')
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else {
		http_error(r, 400, "bad_request", "query parameter '%s' must "
		    "be true or false", key);
		return -1;
	}
	return 0;
}

const char *
req_arg(struct req *r, size_t i)
{
	return i < r->nargs ? r->args[i] : NULL;
}

json_object *
req_json(struct req *r)
{
	const char	*ct, *err;
	json_object	*o;

	ct = req_env(r, "CONTENT_TYPE");
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		http_error(r, 415, "unsupported_media_type",
		    "expected a body with Content-Type: application/json");
		return NULL;
	}
	if (r->body == NULL || r->bodysz == 0) {
		http_error(r, 400, "bad_request", "the request body is empty");
		return NULL;
	}
	o = json_parse_capped(r->body, r->bodysz,
	    (int)conf_int("json_depth_max"), &err);
	if (o == NULL) {
		http_error(r, 400, "malformed_json", "malformed JSON body: %s",
		    err != NULL ? err : "null is not accepted");
		return NULL;
	}
	return o;
}

/*
 * Match "path" against "pattern"; ":name" segments capture one
 * non-empty segment each.  Returns 1 on a match (captures stored in
 * "args", caller frees), 0 otherwise.
 */
int
route_match(const char *pattern, const char *path, char **args,
    size_t *nargs)
{
	const char	*p = pattern, *s = path, *pe, *se;
	size_t		 n = 0, i;

	for (;;) {
		if (*p != '/' || *s != '/')
			break;
		p++;
		s++;
		pe = p + strcspn(p, "/");
		se = s + strcspn(s, "/");
		if (*p == ':') {
			if (se == s || n == ROUTE_ARGS_MAX)
				goto nomatch;
			args[n++] = xstrndup(s, (size_t)(se - s));
		} else if ((size_t)(pe - p) != (size_t)(se - s) ||
		    strncmp(p, s, (size_t)(pe - p)) != 0)
			goto nomatch;
		p = pe;
		s = se;
		if (*p == '\0' && *s == '\0') {
			*nargs = n;
			return 1;
		}
		/* One trailing slash on the path is tolerated. */
		if (*p == '\0' && s[0] == '/' && s[1] == '\0') {
			*nargs = n;
			return 1;
		}
	}
nomatch:
	for (i = 0; i < n; i++)
		free(args[i]);
	return 0;
}

void
req_clear(struct req *r)
{
	size_t	 i;

	free(r->path);
	for (i = 0; i < r->nargs; i++)
		free(r->args[i]);
	for (i = 0; i < r->nquery; i++) {
		free(r->query[i].key);
		free(r->query[i].val);
	}
	/* Bodies carry passwords and secret values: wipe them. */
	if (r->body != NULL)
		sodium_memzero(r->body, r->bodysz);
	free(r->body);
	user_free(r->user);
	log_set_reqid(NULL);
	memset(r, 0, sizeof(*r));
}

/*
 * Fill the parts of "r" every request has: method, path, id.
 * Returns -1 if the method is unknown (answered 405 by the caller).
 */
static void
req_setup(struct req *r)
{
	const char	*m, *path, *id;
	size_t		 i;

	id = req_env(r, "REQUEST_ID");
	if (id != NULL && *id != '\0' && strlen(id) < sizeof(r->id) &&
	    strspn(id, "0123456789abcdefABCDEF-") == strlen(id))
		(void)strlcpy(r->id, id, sizeof(r->id));
	else
		nanoid(r->id);
	log_set_reqid(r->id);

	m = req_env(r, "REQUEST_METHOD");
	r->method_name = m != NULL ? m : "GET";
	r->method = 0;
	for (i = 0; i < nitems(methods); i++)
		if (strcmp(r->method_name, methods[i].name) == 0)
			r->method = methods[i].m;
	if (r->method == METHOD_HEAD)
		r->head = 1;

	/* nginx's $document_uri: decoded, dot segments and // resolved. */
	if ((path = req_env(r, "DOCUMENT_URI")) == NULL &&
	    (path = req_env(r, "PATH_INFO")) == NULL)
		path = "/";
	r->path = xstrdup(path);
}

/*
 * Check the length CONTENT_LENGTH announces against body_max (or
 * bulk_body_max): 400/413 answered here, before authentication, and
 * nothing read yet.  Returns the length, or -1.
 */
static long long
req_body_length(struct req *r)
{
	const char	*cl, *errstr;
	long long	 len, max;

	max = r->route != NULL && (r->route->flags & ROUTE_BULK) ?
	    conf_int("bulk_body_max") : conf_int("body_max");
	if ((cl = req_env(r, "CONTENT_LENGTH")) == NULL || *cl == '\0')
		return 0;
	len = strtonum(cl, 0, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		http_error(r, 400, "bad_request", "invalid Content-Length");
		return -1;
	}
	if (len > max) {
		http_error(r, 413, "payload_too_large", "the request body "
		    "is %lld bytes; at most %lld are accepted", len, max);
		return -1;
	}
	return len;
}

/*
 * Read "len" bytes of body.  Called after authentication, so that no
 * anonymous client makes a worker hold a large body.  400 if it ends
 * early.
 */
static int
req_read_body(struct req *r, long long len)
{
	size_t		 got = 0, n;

	if (len == 0)
		return 0;
	r->body = xmalloc((size_t)len + 1);
	while (got < (size_t)len) {
		if ((n = in_read(r, r->body + got, (size_t)len - got)) == 0)
			break;
		got += n;
	}
	r->bodysz = got;
	if (got != (size_t)len) {
		http_error(r, 400, "bad_request", "the request body ended "
		    "early");
		return -1;
	}
	r->body[len] = '\0';
	return 0;
}

void
route_dispatch(struct req *r, const struct fcgi_prog *prog)
{
	const struct route	*rt, *match = NULL;
	const char		*qs;
	char			 allow[128], err[256];
	unsigned		 allowed = 0;
	size_t			 i, j;
	long long		 bodylen;

	req_setup(r);

	for (i = 0; i < prog->nroutes; i++) {
		rt = &prog->routes[i];
		if (!route_match(rt->pattern, r->path, r->args, &r->nargs))
			continue;
		allowed |= rt->methods;
		if (rt->methods & METHOD_GET)
			allowed |= METHOD_HEAD;
		if ((rt->methods & r->method) ||
		    (r->method == METHOD_HEAD && (rt->methods & METHOD_GET))) {
			match = rt;
			break;
		}
		for (j = 0; j < r->nargs; j++)
			free(r->args[j]);
		r->nargs = 0;
	}
	if (match == NULL && allowed == 0) {
		http_error(r, 404, "not_found", "no such resource: %s",
		    log_quote(r->path));
		return;
	}
	if (match == NULL) {
		allow[0] = '\0';
		for (i = 0; i < nitems(methods); i++)
			if (allowed & methods[i].m) {
				if (allow[0] != '\0')
					(void)strlcat(allow, ", ",
					    sizeof(allow));
				(void)strlcat(allow, methods[i].name,
				    sizeof(allow));
			}
		http_header(r, "Allow", "%s", allow);
		http_error(r, 405, "method_not_allowed", "method %s is not "
		    "allowed here; allowed: %s", log_quote(r->method_name),
		    allow);
		return;
	}
	r->route = match;

	qs = req_env(r, "QUERY_STRING");
	if (qs != NULL && strlen(qs) > (size_t)conf_int("query_max")) {
		http_error(r, 414, "uri_too_long", "the query string is "
		    "longer than %lld bytes", conf_int("query_max"));
		return;
	}
	if (http_parse_query(r, qs, err, sizeof(err)) == -1) {
		http_error(r, 400, "bad_request", "%s", err);
		return;
	}
	if ((bodylen = req_body_length(r)) == -1)
		return;

	if (!(match->flags & ROUTE_PUBLIC)) {
		switch (auth_request(r)) {
		case AUTH_OK:
			break;
		case AUTH_UNAVAILABLE:
			http_header(r, "Retry-After", "5");
			http_error(r, 503, "unavailable", "the database is "
			    "unavailable; try again later");
			return;
		case AUTH_DENIED:
		default:
			http_header(r, "WWW-Authenticate",
			    "Token realm=\"iocagg\"");
			http_error(r, 401, "unauthorized", "missing, invalid, "
			    "expired or disabled credentials");
			return;
		}
		if (match->role != NULL && !user_has_role(r->user,
		    match->role)) {
			http_error(r, 403, "forbidden", "this requires the "
			    "'%s' role", match->role);
			return;
		}
	}
	if (req_read_body(r, bodylen) == -1)
		return;

	match->fn(r);
	if (r->status == 0)
		http_error(r, 500, "internal", "the handler gave no answer");
}

/*
 * Signals.  SIGTERM is installed without SA_RESTART on purpose: the
 * blocking accept in FCGX_Accept_r() must return EINTR so the worker
 * can leave its loop (FCGI_FAIL_ACCEPT_ON_INTR).
 */
static void
on_term(int sig)
{
	(void)sig;
	quit = 1;
	FCGX_ShutdownPending();
}

static void
install_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	sa.sa_flags = 0;	/* no SA_RESTART: see above */
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

/* Shared by the request threads of one worker process. */
struct pool {
	int			 fd;		/* listening socket */
	const struct fcgi_prog	*prog;
	struct db		*db;
	pthread_mutex_t		 accept_mu;	/* one accept() at a time */
};

/*
 * One request thread: accept, dispatch, finish, until shutdown.  Each
 * thread has its own Redis handle; the database pool is shared.
 */
static void *
serve_thread(void *arg)
{
	struct pool	*p = arg;
	FCGX_Request	 fr;
	struct req	 r;
	struct kv	*kv;
	int		 rc;

	if (FCGX_InitRequest(&fr, p->fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_warnx("FCGX_InitRequest failed");
		return NULL;
	}
	kv = kv_open();
	memset(&r, 0, sizeof(r));
	while (!quit) {
		(void)pthread_mutex_lock(&p->accept_mu);
		rc = quit ? -1 : FCGX_Accept_r(&fr);
		(void)pthread_mutex_unlock(&p->accept_mu);
		if (rc < 0)
			break;
		r.fcgi = &fr;
		r.db = p->db;
		r.kv = kv;
		route_dispatch(&r, p->prog);
		FCGX_Finish_r(&fr);
		req_clear(&r);
	}
	FCGX_Free(&fr, 1);
	kv_close(kv);
	return NULL;
}

static void
worker_loop(int fd, const struct fcgi_prog *prog)
{
	struct pool	 p;
	pthread_t	*tids;
	sigset_t	 set;
	long long	 n;
	int		 i, sig;

	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.prog = prog;
	(void)pthread_mutex_init(&p.accept_mu, NULL);
	p.db = prog->need_db ? db_open() : NULL;

	if ((n = conf_int("threads")) == 0)
		n = prog->threads > 0 ? prog->threads : 1;
	if (n == 1) {
		serve_thread(&p);
		db_close(p.db);
		return;
	}

	/*
	 * Several threads: they run with SIGTERM blocked, this thread
	 * waits for it, then closes the listening socket for reading so
	 * every accept() returns; requests in progress finish first.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
	tids = xcalloc((size_t)n, sizeof(pthread_t));
	for (i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, serve_thread, &p) != 0)
			fatalx("cannot start request thread %d", i);
	while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		continue;
	quit = 1;
	FCGX_ShutdownPending();
	(void)shutdown(fd, SHUT_RD);
	for (i = 0; i < n; i++)
		(void)pthread_join(tids[i], NULL);
	free(tids);
	db_close(p.db);
}

static void
cgi_once(const struct fcgi_prog *prog)
{
	struct req	 r;

	memset(&r, 0, sizeof(r));
	r.db = prog->need_db ? db_open() : NULL;
	r.kv = kv_open();
	route_dispatch(&r, prog);
	(void)fflush(stdout);
	db_close(r.db);
	kv_close(r.kv);
	req_clear(&r);
}

static pid_t
spawn_worker(int fd, const struct fcgi_prog *prog)
{
	pid_t	 pid;

	switch ((pid = fork())) {
	case -1:
		log_warn("fork");
		return -1;
	case 0:
		worker_loop(fd, prog);
		_exit(0);
	default:
		return pid;
	}
}

/*
 * The parent of "n" workers: restart a worker that dies, forward
 * SIGTERM to all of them and wait for them to finish their request.
 */
static void
supervise(int fd, const struct fcgi_prog *prog, int n)
{
	pid_t		*pids;
	pid_t		 pid;
	int		 i, alive, status;
	time_t		 last_respawn = 0;

	pids = xcalloc((size_t)n, sizeof(pid_t));
	for (i = 0; i < n; i++)
		pids[i] = spawn_worker(fd, prog);
	(void)sd_notifyf(0, "READY=1\nSTATUS=serving with %d workers", n);
	log_info("serving with %d workers", n);

	while (!quit) {
		pid = waitpid(-1, &status, 0);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = -1;
			if (quit)
				break;
			log_warnx("worker %d exited (status %d), restarting",
			    (int)pid, status);
			/* A worker that dies at once must not spin us. */
			if (time(NULL) - last_respawn < 1)
				(void)sleep(1);
			last_respawn = time(NULL);
			pids[i] = spawn_worker(fd, prog);
		}
	}

	(void)sd_notify(0, "STOPPING=1");
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			(void)kill(pids[i], SIGTERM);
	do {
		alive = 0;
		for (i = 0; i < n; i++) {
			if (pids[i] <= 0)
				continue;
			if (waitpid(pids[i], &status, 0) == pids[i] ||
			    errno == ECHILD)
				pids[i] = -1;
			else
				alive = 1;
		}
	} while (alive);
	free(pids);
}

int
fcgi_stopping(void)
{
	return quit != 0;
}

static void __attribute__((noreturn))
usage(const char *name)
{
	fprintf(stderr, "usage: %s [-dn] [-f file] [-s socket] "
	    "[-w workers]\n", name);
	exit(2);
}

int
fcgi_main(int argc, char *argv[], const struct fcgi_prog *prog)
{
	const char	*file = NULL, *sock = NULL, *errstr;
	char		 err[512];
	int		 ch, debug = 0, check = 0, fd = -1, n, workers = 0;
	struct stat	 st;

	while ((ch = getopt(argc, argv, "df:ns:w:")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 's':
			sock = optarg;
			break;
		case 'w':
			workers = (int)strtonum(optarg, 1, 256, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "%s: -w %s: %s\n", prog->name,
				    optarg, errstr);
				usage(prog->name);
			}
			break;
		default:
			usage(prog->name);
		}
	}
	if (optind != argc)
		usage(prog->name);

	log_init(prog->name, debug);
	if (conf_load(file, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog->name, err);
		return 1;
	}
	if (!debug)
		log_set_level(conf_str("log_level"));
	if (check) {
		fprintf(stderr, "%s: configuration OK\n", prog->name);
		return 0;
	}
	if (workers == 0)
		workers = (int)conf_int("workers");
	install_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");

	if ((n = sd_listen_fds(1)) > 1)
		fatalx("expected one socket from the service manager, got %d",
		    n);
	if (n == 1)
		fd = SD_LISTEN_FDS_START;
	else if (sock != NULL) {
		if (lstat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)unlink(sock);
		if ((fd = FCGX_OpenSocket(sock, 128)) == -1)
			fatal("%s: cannot listen", sock);
		/* A unix socket: access is governed by the run directory
		 * and group.  "host:port" and ":port" are TCP. */
		if (strchr(sock, ':') == NULL && chmod(sock, 0660) == -1)
			fatal("chmod %s", sock);
	} else if (!FCGX_IsCGI())
		fd = 0;		/* spawn-fcgi and friends */

	if (fd == -1) {
		cgi_once(prog);
		return 0;
	}
	if (workers == 1) {
		(void)sd_notify(0, "READY=1\nSTATUS=serving with 1 worker");
		worker_loop(fd, prog);
		(void)sd_notify(0, "STOPPING=1");
	} else
		supervise(fd, prog, workers);
	if (sock != NULL && strchr(sock, ':') == NULL)
		(void)unlink(sock);
	log_info("stopped");
	return 0;
}
