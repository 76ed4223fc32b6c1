/*
 * tools/iocagg-extern.h -- what the files of iocagg(1) share.
 *
 *	iocagg.c	 main(), the command table, login, history, sources,
 *			 ignore lists and tokens
 *	iocagg-api.c	 the configuration file and the REST client (libcurl)
 *	iocagg-lookup.c	 lookups: the event stream, the live table, batches
 *	iocagg-out.c	 output helpers: escaping, tables, result rows
 */
#ifndef IOCAGG_CLI_EXTERN_H
#define IOCAGG_CLI_EXTERN_H

#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>
#include <json-c/json.h>

/* The exit statuses of iocagg(1); worse ones have larger numbers. */
enum ex {
	EX_OK = 0,		/* success */
	EX_FAIL = 1,		/* a source failed, or another error */
	EX_USAGE = 2,		/* a usage error */
	EX_AUTH = 3,		/* 401 or 403, or no credentials */
	EX_CONN = 4		/* the server cannot be reached */
};

#define DEFAULT_URL	"http://127.0.0.1:8080"
#define API_PREFIX	"/api/v1"

/* A connection to the REST API. */
struct api {
	char	*url;		/* base URL, no trailing slash nor API_PREFIX */
	char	*token;		/* "<id>_<secret>", wiped when closed */
	CURL	*curl;		/* reused between calls: keep-alive */
	long	 timeout;	/* seconds a call may take */
};

/* The answer to one call. */
struct resp {
	long	 status;	/* HTTP status */
	char	*body;		/* NUL-terminated; caller frees */
	size_t	 len;		/* bytes of body */
};

/* A growable string. */
struct sb {
	char	*s;		/* NUL-terminated, or NULL while empty */
	size_t	 len;		/* bytes before the NUL */
	size_t	 cap;		/* bytes allocated */
};

/* What one source answered, as the live table and history show it. */
enum row_state {
	ROW_WAIT,		/* no result yet */
	ROW_OK,			/* data, or an empty answer */
	ROW_SKIP,		/* not asked: a pre-check refused it */
	ROW_MISS,		/* the source knows nothing (NOT_FOUND) */
	ROW_ERR,		/* the call failed */
	ROW__MAX
};

/* Colours of the terminal output. */
enum color {
	C_RESET,
	C_BOLD,
	C_DIM,
	C_RED,
	C_GREEN,
	C_YELLOW,
	C_CYAN,
	C__MAX
};

/* The widths of the columns of rows of results. */
struct row_layout {
	size_t	 name;		/* SOURCE */
	size_t	 status;	/* STATUS */
	size_t	 verdict;	/* VERDICT */
};

struct row {
	char		*id;		/* source id */
	char		*name;		/* source name */
	json_object	*source;	/* the source object of the events */
	json_object	*result;	/* fetching_data's object, or NULL */
	enum row_state	 state;
	char		 status[64];	/* "ok", "error: timeout", ... */
	char		 verdict[64];	/* "3/70 malicious", "data", ... */
	long long	 ms;		/* elapsed, or -1 */
	const char	*cache;		/* "cached", "saved" or "" */
	int		 shown;		/* printed, when rows are appended */
};

/* iocagg.c */
void		 warnmsg(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 usage_cmd(const char *, enum ex)
		    __attribute__((noreturn));

/* iocagg-api.c */
int		 cfg_path(char **);
int		 cfg_read(const char *, char **, char **);
enum ex		 cfg_write(const char *, const char *);
int		 url_normalize(const char *, char **);
enum ex		 api_open(struct api *, const char *, const char *);
void		 api_close(struct api *);
enum ex		 api_do(struct api *, const char *, const char *,
		    json_object *, struct resp *);
enum ex		 api_call(struct api *, const char *, const char *,
		    json_object *, json_object **);
enum ex		 api_status_error(long, const char *, size_t);
enum ex		 api_curl_error(const struct api *, CURLcode, const char *);
enum ex		 api_resolve(struct api *, const char *, const char *,
		    char **);
CURL		*api_easy(struct api *, const char *, const char *,
		    const char *, struct curl_slist **, char *);
char		*path_escape(const char *);

/* iocagg-lookup.c */
enum ex		 cmd_lookup(int, char **);

/* iocagg-out.c */
extern int	 out_color;
extern int	 out_utf8;
void		 out_init(void);
const char	*out_sgr(enum color);
void		 sb_add(struct sb *, const char *);
void		 sb_addn(struct sb *, const char *, size_t);
void		 sb_addf(struct sb *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 sb_cell(struct sb *, const char *, size_t, int);
void		 sb_free(struct sb *);
size_t		 text_cols(const char *);
void		 out_text(FILE *, const char *);
void		 out_json(FILE *, json_object *, int);
const char	*jstr(json_object *, const char *);
json_object	*jpath(json_object *, const char *);
long long	 ts_ms(const char *);
const char	*ts_short(const char *, char *, size_t);
void		 row_free(struct row *);
void		 row_result(struct row *, json_object *, json_object *,
		    const char *, const char *, const char *);
void		 row_layout(struct row_layout *, const struct row *, size_t,
		    size_t);
void		 row_format(struct sb *, const struct row *,
		    const struct row_layout *, const char *);
void		 row_header(struct sb *, const struct row_layout *);
enum color	 row_color(enum row_state);
int		 row_failed(const struct row *);

struct table;
struct table	*table_new(size_t, ...);
void		 table_add(struct table *, ...);
void		 table_print(struct table *, FILE *);

#endif
