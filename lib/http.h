/*
 * lib/http.h -- FastCGI (or CGI) requests, the route table, and the
 * one way to answer: http_json(), http_error(), http_text(),
 * http_empty().
 *
 * A program in fcgi/ is a route table plus handlers; fcgi_main() does
 * the rest: options, configuration, the listening socket (systemd
 * socket activation on fd 3, spawn-fcgi's fd 0, or "-s PATH"),
 * pre-forked workers, SIGTERM, and for each request the 404/405/413/
 * 401/403 answers before any handler runs.
 */
#ifndef IOCAGG_HTTP_H
#define IOCAGG_HTTP_H

#include <stddef.h>

#include <json-c/json.h>

struct db;
struct kv;
struct user;
struct FCGX_Request;

enum method {
	METHOD_GET	= 1 << 0,
	METHOD_HEAD	= 1 << 1,
	METHOD_POST	= 1 << 2,
	METHOD_PUT	= 1 << 3,
	METHOD_PATCH	= 1 << 4,
	METHOD_DELETE	= 1 << 5,
	METHOD_OPTIONS	= 1 << 6,
};

#define ROUTE_ARGS_MAX	4	/* ":name" captures per pattern */
#define REQ_QUERY_MAX	64	/* query parameters per request */

struct qparam {
	char	*key;		/* percent-decoded */
	char	*val;		/* percent-decoded, never NULL */
};

struct req;
typedef void	(*route_fn)(struct req *);

/* Route flags. */
#define ROUTE_PUBLIC	0x01	/* no authentication */
#define ROUTE_STREAM	0x02	/* handler streams (SSE); no body buffering */
#define ROUTE_BULK	0x04	/* bulk upload: bulk_body_max, not body_max */

struct route {
	unsigned	 methods;	/* METHOD_* mask */
	const char	*pattern;	/* "/api/v1/users/:id/logs" */
	route_fn	 fn;
	const char	*role;		/* role required, NULL: any user */
	unsigned	 flags;		/* ROUTE_* */
};

struct req {
	struct FCGX_Request *fcgi;	/* NULL in CGI mode */
	enum method	 method;
	const char	*method_name;	/* as received */
	char		*path;		/* decoded path, no query */
	char		*args[ROUTE_ARGS_MAX]; /* ":name" captures */
	size_t		 nargs;
	struct qparam	 query[REQ_QUERY_MAX];
	size_t		 nquery;
	char		*body;		/* NUL-terminated copy, or NULL */
	size_t		 bodysz;
	char		 id[40];	/* request id for logs and audit */
	struct user	*user;		/* set once authenticated */
	struct db	*db;		/* the worker's database handle */
	struct kv	*kv;		/* Redis handle, NULL if not used */
	const struct route *route;	/* matched route */
	int		 status;	/* status sent, 0 before */
	int		 head;		/* HEAD: send no body */
	int		 broken;	/* the client went away */
	char		 xhdr[8192];	/* extra header lines */
	size_t		 xhdrlen;
};

/* Request data.  Every string returned lives as long as the request. */
const char	*req_env(struct req *, const char *);
const char	*req_arg(struct req *, size_t);
const char	*req_query(struct req *, const char *);
size_t		 req_query_count(struct req *, const char *);
const char	*req_query_nth(struct req *, const char *, size_t);
/* Integer query parameter in [min, max]; absent gives "def".  On a bad
 * value answers 400 itself and returns -1. */
int		 req_query_int(struct req *, const char *, long long,
		    long long, long long, long long *);
/* Boolean query parameter ("true"/"false"/"1"/"0"); 400 on garbage. */
int		 req_query_bool(struct req *, const char *, int, int *);
/* The body as JSON: answers 415/400/413 itself and returns NULL. */
json_object	*req_json(struct req *);

/* Answers.  Each sends status, headers and body in one go. */
void		 http_json(struct req *, int status, json_object *);
void		 http_error(struct req *, int status, const char *code,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
void		 http_text(struct req *, int status, const char *ctype,
		    const char *body);
void		 http_empty(struct req *, int status);
/* Queue an extra response header; call before answering. */
void		 http_header(struct req *, const char *name,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Streaming (SSE): headers first, then writes and flushes. */
void		 http_stream_begin(struct req *, int status,
		    const char *ctype);
int		 http_write(struct req *, const void *, size_t);
int		 http_flush(struct req *);

/* Helpers exposed for tests and fuzzing. */
int		 http_urldecode(char *s, int plus_is_space);
int		 http_parse_query(struct req *, const char *qs, char *err,
		    size_t errsz);
int		 route_match(const char *pattern, const char *path,
		    char **args, size_t *nargs);
void		 req_clear(struct req *);

/* Program hooks for fcgi_main(). */
struct fcgi_prog {
	const char		*name;		/* "iocagg-health" */
	const struct route	*routes;
	size_t			 nroutes;
	int			 need_db;	/* open a database handle */
	int			 threads;	/* request threads per worker;
						 * 0 or 1: one */
};

int		 fcgi_main(int, char *[], const struct fcgi_prog *);
/* Has the worker been told to stop?  Long streams end when it has. */
int		 fcgi_stopping(void);
/* Dispatch one parsed request (also used by tests in CGI mode). */
void		 route_dispatch(struct req *, const struct fcgi_prog *);

#endif
