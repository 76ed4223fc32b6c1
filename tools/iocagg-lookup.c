/*
 * tools/iocagg-lookup.c -- "iocagg lookup": one indicator, or one per
 * line of standard input, through POST /api/v1/requests/execute/sse.
 *
 * The event stream is parsed as it arrives, in libcurl's write callback
 * (sse_feed()), and every lookup is a transfer of one multi handle: a
 * single lookup and a batch of them share the same loop (run()).  What
 * each event does depends on the output:
 *
 *	a terminal	 a live table, one row per source, redrawn in place
 *			 with ANSI escapes, then the data of each source
 *	anything else	 one JSON object per line and per source result
 *
 * "--json" asks the plain execute route instead and prints its array.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "compat.h"
#include "indicator.h"
#include "json.h"
#include "xmalloc.h"

#include "iocagg-extern.h"

#define SOURCES_MAX	256		/* -s options, as the server allows */
#define JOBS_MAX	64		/* -j */
#define JOBS_DEFAULT	4
#define EVENT_MAX	(64L << 20)	/* bytes of one event */
#define ERROR_BODY_MAX	(1L << 20)	/* bytes of an error answer */
#define EVENT_DEPTH	512		/* JSON nesting of an event */
#define TICK_MS		100		/* redraw of the live table */
#define STALL_SECS	330L		/* silence before giving up (the
					   server's keep-alive is <= 300) */
#define JSON_SECS	660L		/* --json: lookup_deadline <= 600 */

/* What "iocagg lookup" was asked. */
struct lkopts {
	enum ind_kind	  kind;		/* -k, or IND_INVALID: detect */
	char		**ids;		/* -s, resolved to ids */
	size_t		  nids;
	int		  force;	/* --force */
	int		  ignore_errors; /* --ignore-errors */
	int		  json;		/* --json */
	long		  jobs;		/* -j */
	int		  live;		/* draw the live table */
};

/* One lookup and its transfer. */
struct lookup {
	const struct lkopts	*o;
	struct lookup		*next;		/* the running ones, in run() */
	char			*data;		/* normalized indicator */
	enum ind_kind		 kind;
	char			*reqid;		/* the lookup's id */
	struct row		*rows;		/* one per source */
	size_t			 nrows;
	int			 started;	/* fetching_start seen */
	int			 done;		/* done seen */
	long long		 t0;		/* monotonic ms at start */
	CURL			*easy;
	struct curl_slist	*hdrs;
	char			 errbuf[CURL_ERROR_SIZE];
	long			 status;	/* HTTP status, once known */
	struct sb		 body;		/* an error answer */
	struct sb		 line;		/* the line being read */
	struct sb		 ev;		/* event name */
	struct sb		 evid;		/* event id */
	struct sb		 evdata;	/* event data */
	int			 hasdata;	/* a data line was read */
	int			 bad;		/* a malformed event */
	/* The live table. */
	struct row_layout	 layout;
	size_t			 drawn;		/* lines on the screen */
	int			 laid;		/* layout chosen */
	int			 dirty;		/* changed since drawn */
	long long		 drawn_at;	/* monotonic ms of the draw */
	int			 append;	/* too tall: rows as they end */
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
lk_free(struct lookup *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nrows; i++)
		row_free(&l->rows[i]);
	free(l->rows);
	free(l->data);
	free(l->reqid);
	if (l->easy != NULL)
		curl_easy_cleanup(l->easy);
	curl_slist_free_all(l->hdrs);
	sb_free(&l->body);
	sb_free(&l->line);
	sb_free(&l->ev);
	sb_free(&l->evid);
	sb_free(&l->evdata);
	free(l);
}

/* The row of source "id", added at the end if fetching_start had none. */
static struct row *
lk_row(struct lookup *l, const char *id)
{
	struct row	*r;
	size_t		 i;

	for (i = 0; i < l->nrows; i++)
		if (strcmp(l->rows[i].id, id) == 0)
			return &l->rows[i];
	l->rows = xreallocarray(l->rows, l->nrows + 1, sizeof(*l->rows));
	r = &l->rows[l->nrows++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	r->name = xstrdup(id);
	r->ms = -1;
	r->cache = "";
	return r;
}

/* ----------------------------------------------------------------- */
/* Output.                                                           */

/*
 * Print one JSON line for a source result: "source", "event", the
 * indicator, its kind and the lookup's id, then the members of "extra"
 * (borrowed).
 */
static void
emit_line(struct lookup *l, struct row *r, const char *event,
    json_object *extra, const char *extrakey)
{
	json_object	*o;

	o = json_object_new_object();
	if (r->source != NULL)
		json_object_object_add(o, "source",
		    json_object_get(r->source));
	else {
		(void)jadd(o, "source", json_object_new_object());
		(void)jadd(json_object_object_get(o, "source"), "id",
		    json_object_new_string(r->id));
	}
	(void)jadd(o, "event", json_object_new_string(event));
	(void)jadd(o, "indicator", json_object_new_string(l->data));
	(void)jadd(o, "kind", json_object_new_string(ind_kind_name(l->kind)));
	(void)jadd_nullable(o, "requestId", jstr_or_null(l->reqid));
	if (extrakey != NULL)
		json_object_object_add(o, extrakey, json_object_get(extra));
	else if (extra != NULL) {
		json_object_object_foreach(extra, k, v) {
			if (strcmp(k, "source") != 0)
				json_object_object_add(o, k,
				    json_object_get(v));
		}
	}
	out_json(stdout, o, 0);
	fflush(stdout);
	json_object_put(o);
}

/*
 * Print one JSON line for a lookup that failed as a whole: "event" is
 * "error" and "error" the server's error object, or one made of "code"
 * and "msg".
 */
static void
emit_error(const char *data, json_object *err, const char *code,
    const char *msg)
{
	json_object	*o, *e;

	o = json_object_new_object();
	(void)jadd(o, "indicator", json_object_new_string(data));
	(void)jadd(o, "event", json_object_new_string("error"));
	if (err != NULL)
		json_object_object_add(o, "error", json_object_get(err));
	else {
		e = json_object_new_object();
		(void)jadd(e, "code", json_object_new_string(code));
		(void)jadd(e, "message", json_object_new_string(msg));
		(void)jadd(o, "error", e);
	}
	out_json(stdout, o, 0);
	fflush(stdout);
	json_object_put(o);
}

/* The glyph of the spinner now. */
static const char *
spinner(void)
{
	static const char *const utf8[] = { "\xe2\xa0\x8b", "\xe2\xa0\x99",
	    "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
	    "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f" };
	static const char *const ascii[] = { "|", "/", "-", "\\" };
	long long	 t = now_ms() / TICK_MS;

	return out_utf8 ? utf8[t % (long long)nitems(utf8)] :
	    ascii[t % (long long)nitems(ascii)];
}

/* The terminal's size, or 0 for what is unknown. */
static void
term_size(size_t *rows, size_t *cols)
{
	struct winsize	 ws;

	*rows = *cols = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* The title line: the indicator, its kind and the lookup's id. */
static void
title(struct sb *b, const struct lookup *l)
{
	sb_add(b, out_sgr(C_BOLD));
	sb_cell(b, l->data, 0, 0);
	sb_add(b, out_sgr(C_RESET));
	sb_addf(b, " (%s)", ind_kind_name(l->kind));
	if (l->reqid != NULL) {
		sb_add(b, "  lookup ");
		sb_cell(b, l->reqid, 0, 0);
	}
	if (!l->started)
		sb_addf(b, "  %s connecting", spinner());
}

/* The footer: counts by state. */
static void
footer(struct sb *b, const struct lookup *l)
{
	size_t		 n[ROW__MAX], i;

	memset(n, 0, sizeof(n));
	for (i = 0; i < l->nrows; i++)
		n[l->rows[i].state]++;
	sb_addf(b, "%zu source%s: %zu ok, %zu not found, %s%zu failed%s, "
	    "%zu skipped", l->nrows, l->nrows == 1 ? "" : "s", n[ROW_OK],
	    n[ROW_MISS], n[ROW_ERR] ? out_sgr(C_RED) : "", n[ROW_ERR],
	    n[ROW_ERR] ? out_sgr(C_RESET) : "", n[ROW_SKIP]);
	if (n[ROW_WAIT] > 0)
		sb_addf(b, ", %s %zu waiting", spinner(), n[ROW_WAIT]);
}

/* Add one line to the screen buffer: clear to its end, then newline. */
static void
screen_line(struct sb *scr, struct sb *line)
{
	sb_add(scr, "\r");
	if (line->s != NULL)
		sb_add(scr, line->s);
	sb_add(scr, "\033[K\n");
	sb_free(line);
}

/*
 * Draw the live table over the previous one: a title, a header, one
 * row per source and a footer, each line cleared to its end.  A table
 * taller than the terminal cannot be redrawn in place: its rows are
 * then printed once, as they end, above a footer that is redrawn.
 */
static void
draw(struct lookup *l)
{
	struct sb	 scr = { NULL, 0, 0 }, line = { NULL, 0, 0 };
	size_t		 rows, cols, i;

	term_size(&rows, &cols);
	l->dirty = 0;
	l->drawn_at = now_ms();
	if (l->drawn > 0)
		sb_addf(&scr, "\r\033[%zuA", l->drawn);
	if (!l->started) {
		title(&line, l);
		screen_line(&scr, &line);
		l->drawn = 1;
		goto out;
	}
	if (!l->laid) {
		/* The first table: choose how to draw it. */
		row_layout(&l->layout, l->rows, l->nrows, cols);
		l->append = rows > 0 && l->nrows + 3 >= rows;
		if (l->append) {
			title(&line, l);
			screen_line(&scr, &line);
			row_header(&line, &l->layout);
			screen_line(&scr, &line);
		}
		l->laid = 1;
	}
	if (l->append) {
		for (i = 0; i < l->nrows; i++)
			if (l->rows[i].state != ROW_WAIT &&
			    !l->rows[i].shown) {
				row_format(&line, &l->rows[i], &l->layout, "");
				screen_line(&scr, &line);
				l->rows[i].shown = 1;
			}
		footer(&line, l);
		screen_line(&scr, &line);
		l->drawn = 1;
		goto out;
	}
	/* Columns grow as results come, within the terminal. */
	row_layout(&l->layout, l->rows, l->nrows, cols);
	title(&line, l);
	screen_line(&scr, &line);
	row_header(&line, &l->layout);
	screen_line(&scr, &line);
	for (i = 0; i < l->nrows; i++) {
		row_format(&line, &l->rows[i], &l->layout, spinner());
		screen_line(&scr, &line);
	}
	footer(&line, l);
	screen_line(&scr, &line);
	/* Rows may have left (--ignore-errors): clear what was below. */
	if (l->drawn > l->nrows + 3)
		sb_add(&scr, "\033[J");
	l->drawn = l->nrows + 3;
out:
	if (scr.s != NULL)
		fputs(scr.s, stdout);
	fflush(stdout);
	sb_free(&scr);
}

/* After the live table: the data of each source that has some. */
static void
details(const struct lookup *l)
{
	const struct row	*r;
	json_object		*d;
	size_t			 i;

	for (i = 0; i < l->nrows; i++) {
		r = &l->rows[i];
		d = jpath(r->result, "data");
		if (r->state != ROW_OK || d == NULL)
			continue;
		printf("\n%s", out_sgr(C_BOLD));
		out_text(stdout, r->name);
		printf("%s %s", out_sgr(C_RESET), out_sgr(C_DIM));
		out_text(stdout, jstr(r->source, "url") ? jstr(r->source,
		    "url") : r->id);
		printf("%s\n", out_sgr(C_RESET));
		out_json(stdout, d, 1);
	}
	fflush(stdout);
}

/* ----------------------------------------------------------------- */
/* Events.                                                           */

/* fetching_start: the sources asked, in the server's order. */
static void
ev_start(struct lookup *l, const char *id, json_object *d)
{
	json_object	*s;
	struct row	*r;
	const char	*sid;
	size_t		 i, n;

	free(l->reqid);
	l->reqid = id[0] != '\0' ? xstrdup(id) : NULL;
	l->started = 1;
	n = json_object_is_type(d, json_type_array) ?
	    json_object_array_length(d) : 0;
	for (i = 0; i < n; i++) {
		s = jpath(json_object_array_get_idx(d, i), "source");
		if ((sid = jstr(s, "id")) == NULL)
			continue;
		r = lk_row(l, sid);
		free(r->name);
		r->name = xstrdup(jstr(s, "name") ? jstr(s, "name") : sid);
		json_object_put(r->source);
		r->source = json_object_get(s);
	}
}

/* fetching_data and fetching_error: one source's result. */
static void
ev_result(struct lookup *l, const char *id, json_object *d, int error)
{
	struct row	*r;
	json_object	*s;

	if (id[0] == '\0')
		return;
	r = lk_row(l, id);
	if (!error) {
		if ((s = jpath(d, "source")) != NULL && r->source == NULL)
			r->source = json_object_get(s);
		json_object_put(r->result);
		r->result = json_object_get(d);
		row_result(r, NULL, jpath(d, "data"),
		    jstr(jpath(d, "cache"), "action"),
		    jstr(jpath(d, "timing"), "startedAt"),
		    jstr(jpath(d, "timing"), "endedAt"));
	} else
		row_result(r, d, NULL, NULL, NULL, NULL);
	if (r->ms < 0 && r->state != ROW_SKIP)
		r->ms = now_ms() - l->t0;
	if (!l->o->live)
		emit_line(l, r, error ? "fetching_error" : "fetching_data",
		    d, error ? "errors" : NULL);
}

static void
ev_data(struct lookup *l, const char *id, json_object *d)
{
	ev_result(l, id, d, 0);
}

static void
ev_error(struct lookup *l, const char *id, json_object *d)
{
	ev_result(l, id, d, 1);
}

/*
 * done: the end.  The rows still waiting are the sources whose errors
 * --ignore-errors left out, which leave the table; without it there
 * should be none.
 */
static void
ev_done(struct lookup *l, const char *id, json_object *d)
{
	size_t	 i, n = 0;

	(void)id;
	l->done = 1;
	if (l->reqid == NULL && jstr(d, "requestId") != NULL)
		l->reqid = xstrdup(jstr(d, "requestId"));
	for (i = 0; i < l->nrows; i++) {
		if (l->rows[i].state == ROW_WAIT && l->o->ignore_errors) {
			row_free(&l->rows[i]);
			continue;
		}
		if (l->rows[i].state == ROW_WAIT) {
			l->rows[i].state = ROW_ERR;
			(void)strlcpy(l->rows[i].status, "error: no result",
			    sizeof(l->rows[i].status));
		}
		l->rows[n++] = l->rows[i];
	}
	l->nrows = n;
}

/* What each event of the stream does; others are ignored. */
static const struct {
	const char	*name;
	void		(*fn)(struct lookup *, const char *, json_object *);
} events[] = {
	{ "fetching_start", ev_start },
	{ "fetching_data", ev_data },
	{ "fetching_error", ev_error },
	{ "done", ev_done },
};

/* One whole event: its name, id and data. */
static void
sse_event(struct lookup *l)
{
	json_object	*d = NULL;
	const char	*name = l->ev.s ? l->ev.s : "message";
	const char	*id = l->evid.s ? l->evid.s : "";
	const char	*err;
	size_t		 i;

	if (l->hasdata && (d = json_parse_capped(l->evdata.s ?
	    l->evdata.s : "", l->evdata.len, EVENT_DEPTH, &err)) == NULL &&
	    err != NULL) {
		warnmsg("a malformed '%s' event: %s", name, err);
		l->bad = 1;
		return;
	}
	for (i = 0; i < nitems(events); i++)
		if (strcmp(events[i].name, name) == 0) {
			events[i].fn(l, id, d);
			l->dirty = 1;
			break;
		}
	json_object_put(d);
}

/* One line of the stream (without its end). */
static void
sse_line(struct lookup *l, char *s, size_t n)
{
	char	*v;
	size_t	 k;

	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	if (n == 0) {
		if (l->ev.s != NULL || l->hasdata)
			sse_event(l);
		sb_free(&l->ev);
		sb_free(&l->evid);
		sb_free(&l->evdata);
		l->hasdata = 0;
		return;
	}
	if (s[0] == ':')
		return;
	k = strcspn(s, ":");
	v = s + k;
	if (*v == ':')
		*v++ = '\0';
	if (*v == ' ')
		v++;
	if (strcmp(s, "event") == 0) {
		sb_free(&l->ev);
		sb_add(&l->ev, v);
	} else if (strcmp(s, "id") == 0) {
		sb_free(&l->evid);
		sb_add(&l->evid, v);
	} else if (strcmp(s, "data") == 0) {
		if (l->hasdata)
			sb_add(&l->evdata, "\n");
		sb_add(&l->evdata, v);
		l->hasdata = 1;
	}
}

/*
 * libcurl's write callback: parse the event stream as it comes, or keep
 * an error answer.  Returns "n", or 0 to stop a stream too large.
 */
static size_t
sse_feed(char *p, size_t sz, size_t n, void *arg)
{
	struct lookup	*l = arg;
	char		*nl;
	size_t		 left = n, k;

	(void)sz;
	if (l->status == 0)
		curl_easy_getinfo(l->easy, CURLINFO_RESPONSE_CODE, &l->status);
	if (l->status != 200) {
		if (l->body.len + n <= (size_t)ERROR_BODY_MAX)
			sb_addn(&l->body, p, n);
		return n;
	}
	while (left > 0) {
		if ((nl = memchr(p, '\n', left)) == NULL) {
			sb_addn(&l->line, p, left);
			break;
		}
		k = (size_t)(nl - p);
		sb_addn(&l->line, p, k);
		sb_add(&l->line, "");
		sse_line(l, l->line.s, l->line.len);
		l->line.len = 0;
		p += k + 1;
		left -= k + 1;
	}
	if (l->line.len + l->evdata.len > (size_t)EVENT_MAX) {
		warnmsg("an event of more than %ld bytes", EVENT_MAX);
		return 0;
	}
	return n;
}

/* ----------------------------------------------------------------- */
/* Transfers.                                                        */

/*
 * A lookup of "data", already normalized, of "kind", with its transfer
 * set up; NULL on failure.  Caller frees with lk_free().
 */
static struct lookup *
lk_new(struct api *a, const struct lkopts *o, const char *data,
    enum ind_kind kind)
{
	struct lookup	*l;
	json_object	*b, *ids;
	size_t		 i;

	l = xcalloc(1, sizeof(*l));
	l->o = o;
	l->data = xstrdup(data);
	l->kind = kind;
	l->t0 = now_ms();
	b = json_object_new_object();
	(void)jadd(b, "data", json_object_new_string(data));
	(void)jadd(b, "kind", json_object_new_string(ind_kind_name(kind)));
	if (o->nids > 0) {
		ids = json_object_new_array();
		for (i = 0; i < o->nids; i++)
			(void)jappend(ids, json_object_new_string(o->ids[i]));
		(void)jadd(b, "sourceIds", ids);
	}
	if (o->force)
		(void)jadd(b, "force", json_object_new_boolean(1));
	if (o->ignore_errors)
		(void)jadd(b, "ignoreErrors", json_object_new_boolean(1));
	l->easy = api_easy(a, "POST", "/requests/execute/sse",
	    json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN),
	    &l->hdrs, l->errbuf);
	json_object_put(b);
	if (l->easy == NULL) {
		warnmsg("cannot set up the request");
		lk_free(l);
		return NULL;
	}
	curl_easy_setopt(l->easy, CURLOPT_WRITEFUNCTION, sse_feed);
	curl_easy_setopt(l->easy, CURLOPT_WRITEDATA, l);
	curl_easy_setopt(l->easy, CURLOPT_PRIVATE, l);
	curl_easy_setopt(l->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(l->easy, CURLOPT_LOW_SPEED_TIME, STALL_SECS);
	return l;
}

/*
 * The end of a lookup's transfer with result "cc": report what went
 * wrong and return the lookup's exit status.
 */
static enum ex
lk_end(struct api *a, struct lookup *l, CURLcode cc)
{
	json_object	*e;
	const char	*err;
	size_t		 i;
	int		 failed = 0;
	enum ex		 rc;

	if (l->status == 0)
		curl_easy_getinfo(l->easy, CURLINFO_RESPONSE_CODE, &l->status);
	if (cc != CURLE_OK) {
		rc = api_curl_error(a, cc, l->errbuf);
		if (!l->o->live)
			emit_error(l->data, NULL, rc == EX_CONN ?
			    "unreachable" : "transfer", l->errbuf[0] ?
			    l->errbuf : curl_easy_strerror(cc));
		return rc;
	}
	if (l->status != 200) {
		rc = api_status_error(l->status, l->body.s, l->body.len);
		if (!l->o->live) {
			e = l->body.len > 0 ? json_parse_capped(l->body.s,
			    l->body.len, 16, &err) : NULL;
			emit_error(l->data, jpath(e, "error"), "http",
			    "the server answered an error");
			json_object_put(e);
		}
		return rc;
	}
	if (l->line.len > 0)
		sse_line(l, l->line.s, l->line.len);
	if (!l->done || l->bad) {
		if (!l->bad)
			warnmsg("%s: the stream ended before the lookup was "
			    "done", l->data);
		if (!l->o->live)
			emit_error(l->data, NULL, "incomplete", "the stream "
			    "ended before the lookup was done");
		return EX_FAIL;
	}
	for (i = 0; i < l->nrows; i++)
		if (row_failed(&l->rows[i]))
			failed = 1;
	return failed && !l->o->ignore_errors ? EX_FAIL : EX_OK;
}

/*
 * Read the next indicator of standard input into *data and *kind
 * (caller frees *data): 1, 0 at the end, or -1 for a line that is not
 * an indicator, which is reported.
 */
static int
next_line(const struct lkopts *o, char **buf, size_t *cap,
    unsigned long *lineno, char **data, enum ind_kind *kind)
{
	ssize_t		 n;
	char		*s, *e;
	const char	*why = NULL;

	for (;;) {
		if ((n = getline(buf, cap, stdin)) == -1)
			return 0;
		(*lineno)++;
		s = *buf;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' ||
		    e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s != '\0' && *s != '#')
			break;
	}
	*kind = o->kind != IND_INVALID ? o->kind : ind_detect(s);
	if (strlen(s) > IND_DATA_MAX) {
		why = "is too long";
	} else if (*kind == IND_INVALID) {
		why = "is no kind of indicator: give one with -k";
	} else if (ind_normalize(*kind, s, data, &why) == 0)
		return 1;
	warnmsg("line %lu: '%.64s' %s", *lineno, s, why);
	emit_error(s, NULL, "invalid_indicator", why);
	return -1;
}

/*
 * Run lookups until all are done: the one in "single", or one per line
 * of standard input, "o->jobs" at a time.  Returns the worst exit
 * status of them all.
 */
static enum ex
run(struct api *a, const struct lkopts *o, struct lookup *single)
{
	CURLM		*m;
	CURLMsg		*msg;
	struct lookup	*l, *head = NULL, **pp;
	char		*buf = NULL, *data;
	size_t		 cap = 0;
	unsigned long	 lineno = 0;
	enum ind_kind	 kind;
	enum ex		 rc = EX_OK, r;
	long		 active = 0;
	int		 running, left, eof = single != NULL, stop = 0;
	CURLMcode	 mc;

	if ((m = curl_multi_init()) == NULL) {
		warnmsg("cannot initialize libcurl");
		lk_free(single);
		return EX_FAIL;
	}
	if (single != NULL) {
		curl_multi_add_handle(m, single->easy);
		head = single;
		active++;
		if (o->live)
			draw(single);
	}
	for (;;) {
		while (!eof && !stop && active < o->jobs) {
			switch (next_line(o, &buf, &cap, &lineno, &data,
			    &kind)) {
			case 0:
				eof = 1;
				continue;
			case -1:
				rc = rc > EX_FAIL ? rc : EX_FAIL;
				continue;
			default:
				break;
			}
			l = lk_new(a, o, data, kind);
			free(data);
			if (l == NULL) {
				rc = rc > EX_FAIL ? rc : EX_FAIL;
				continue;
			}
			curl_multi_add_handle(m, l->easy);
			l->next = head;
			head = l;
			active++;
		}
		if ((mc = curl_multi_perform(m, &running)) != CURLM_OK) {
			warnmsg("libcurl: %s", curl_multi_strerror(mc));
			rc = EX_FAIL;
			break;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&l);
			curl_multi_remove_handle(m, msg->easy_handle);
			for (pp = &head; *pp != l; pp = &(*pp)->next)
				continue;
			*pp = l->next;
			active--;
			if (o->live && l->started)
				draw(l);
			else if (o->live && l->drawn > 0)
				printf("\r\033[K");
			r = lk_end(a, l, msg->data.result);
			if (o->live && r == EX_OK)
				details(l);
			if (r > rc)
				rc = r;
			/* No point in going on without the server. */
			if (r == EX_CONN || r == EX_AUTH)
				stop = 1;
			lk_free(l);
		}
		if (active == 0 && (eof || stop))
			break;
		if (stop)
			break;
		curl_multi_poll(m, NULL, 0, TICK_MS, NULL);
		if (single != NULL && o->live && active > 0 &&
		    (single->dirty || now_ms() - single->drawn_at >= TICK_MS))
			draw(single);
	}
	/* After a stop: the others' results would not count. */
	while ((l = head) != NULL) {
		head = l->next;
		curl_multi_remove_handle(m, l->easy);
		lk_free(l);
	}
	free(buf);
	curl_multi_cleanup(m);
	return rc;
}

/* --json: the execute route's array, and 1 when a source failed. */
static enum ex
lookup_json(struct api *a, const struct lkopts *o, const char *data,
    enum ind_kind kind)
{
	json_object	*b, *ids, *res = NULL;
	struct row	 r;
	size_t		 i, n;
	enum ex		 rc;

	b = json_object_new_object();
	(void)jadd(b, "data", json_object_new_string(data));
	(void)jadd(b, "kind", json_object_new_string(ind_kind_name(kind)));
	if (o->nids > 0) {
		ids = json_object_new_array();
		for (i = 0; i < o->nids; i++)
			(void)jappend(ids, json_object_new_string(o->ids[i]));
		(void)jadd(b, "sourceIds", ids);
	}
	if (o->force)
		(void)jadd(b, "force", json_object_new_boolean(1));
	if (o->ignore_errors)
		(void)jadd(b, "ignoreErrors", json_object_new_boolean(1));
	a->timeout = JSON_SECS;
	rc = api_call(a, "POST", "/requests/execute", b, &res);
	json_object_put(b);
	if (rc != EX_OK)
		return rc;
	if (!json_object_is_type(res, json_type_array)) {
		warnmsg("the server's answer is not an array");
		json_object_put(res);
		return EX_FAIL;
	}
	out_json(stdout, res, isatty(STDOUT_FILENO));
	n = json_object_array_length(res);
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		row_result(&r, jpath(json_object_array_get_idx(res, i),
		    "errors"), NULL, NULL, NULL, NULL);
		if (row_failed(&r) && !o->ignore_errors)
			rc = EX_FAIL;
	}
	json_object_put(res);
	return rc;
}

/*
 * iocagg lookup [-h] [--force] [--ignore-errors] [--json] [-k kind]
 *     [-s source] data
 * iocagg lookup [-h] [--force] [--ignore-errors] [-j jobs] [-k kind]
 *     [-s source] -
 */
enum ex
cmd_lookup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'F' },
		{ "ignore-errors", no_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lkopts	 o;
	struct api	 a;
	struct lookup	*l;
	char		*srcs[SOURCES_MAX], *data = NULL;
	const char	*errstr, *why = NULL;
	size_t		 nsrcs = 0, i;
	int		 ch, jobs_set = 0;
	enum ex		 rc;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	o.kind = IND_INVALID;
	o.jobs = JOBS_DEFAULT;
	optind = 0;		/* glibc: start over, main() used getopt */
	while ((ch = getopt_long(argc, argv, "hj:k:s:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'F':
			o.force = 1;
			break;
		case 'I':
			o.ignore_errors = 1;
			break;
		case 'J':
			o.json = 1;
			break;
		case 'j':
			o.jobs = strtonum(optarg, 1, JOBS_MAX, &errstr);
			if (errstr != NULL) {
				warnmsg("-j %s: %s (1 to %d)", optarg, errstr,
				    JOBS_MAX);
				usage_cmd("lookup", EX_USAGE);
			}
			jobs_set = 1;
			break;
		case 'k':
			if ((o.kind = ind_kind_parse(optarg)) == IND_INVALID) {
				warnmsg("-k %s: not a kind of indicator",
				    optarg);
				usage_cmd("lookup", EX_USAGE);
			}
			break;
		case 's':
			if (nsrcs == SOURCES_MAX) {
				warnmsg("at most %d sources", SOURCES_MAX);
				usage_cmd("lookup", EX_USAGE);
			}
			srcs[nsrcs++] = optarg;
			break;
		case 'h':
			usage_cmd("lookup", EX_OK);
		default:
			usage_cmd("lookup", EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || argv[0][0] == '\0')
		usage_cmd("lookup", EX_USAGE);
	if (strcmp(argv[0], "-") == 0 ? o.json : jobs_set) {
		warnmsg("%s only goes with %s", o.json ? "--json" : "-j",
		    o.json ? "one indicator" : "'-'");
		usage_cmd("lookup", EX_USAGE);
	}
	if (strcmp(argv[0], "-") != 0) {
		if (strlen(argv[0]) > IND_DATA_MAX)
			why = "is too long";
		else if (o.kind == IND_INVALID &&
		    (o.kind = ind_detect(argv[0])) == IND_INVALID)
			why = "is no kind of indicator: give one with -k";
		else
			(void)ind_normalize(o.kind, argv[0], &data, &why);
		if (data == NULL) {
			warnmsg("'%.64s' %s", argv[0], why);
			return EX_FAIL;
		}
	}
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	o.ids = xcalloc(nsrcs > 0 ? nsrcs : 1, sizeof(char *));
	for (i = 0; i < nsrcs; i++) {
		if ((rc = api_resolve(&a, "sources", srcs[i], &o.ids[i])) !=
		    EX_OK)
			goto out;
		o.nids++;
	}
	if (o.json) {
		rc = lookup_json(&a, &o, data, o.kind);
		goto out;
	}
	o.live = data != NULL && isatty(STDOUT_FILENO) &&
	    (getenv("TERM") == NULL || strcmp(getenv("TERM"), "dumb") != 0);
	if (data == NULL) {
		rc = run(&a, &o, NULL);
		goto out;
	}
	if ((l = lk_new(&a, &o, data, o.kind)) == NULL) {
		rc = EX_FAIL;
		goto out;
	}
	rc = run(&a, &o, l);
out:
	for (i = 0; i < o.nids; i++)
		free(o.ids[i]);
	free(o.ids);
	free(data);
	api_close(&a);
	return rc;
}
