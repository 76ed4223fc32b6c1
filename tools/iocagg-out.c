/*
 * tools/iocagg-out.c -- the output of iocagg(1): colours, escaping of
 * what the server sends before it reaches a terminal, column tables,
 * and the rows of results that the live table and "history show" print.
 *
 * Every string that comes from the server (names, messages, data) goes
 * through sb_cell() or out_text(), which replace control characters, so
 * that a source cannot move the cursor or change the terminal.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "compat.h"
#include "xmalloc.h"

#include "iocagg-extern.h"

#define TABLE_CELL_MAX	48	/* widest column of a list but the last */
#define TABLE_COLS_MAX	8	/* columns of a list */

int	out_color;		/* colours on standard output */
int	out_utf8;		/* the locale's charset is UTF-8 */

/* SGR sequences, indexed by enum color. */
static const char *const sgr[C__MAX] = {
	"\033[0m",	/* C_RESET */
	"\033[1m",	/* C_BOLD */
	"\033[2m",	/* C_DIM */
	"\033[31m",	/* C_RED */
	"\033[32m",	/* C_GREEN */
	"\033[33m",	/* C_YELLOW */
	"\033[36m",	/* C_CYAN */
};
_Static_assert(nitems(sgr) == C__MAX, "a colour without its sequence");

/*
 * Decide on colours: standard output is a terminal that is not "dumb",
 * and NO_COLOR (https://no-color.org) is unset or empty.
 */
void
out_init(void)
{
	const char	*nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (setlocale(LC_CTYPE, "") != NULL)
		out_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	out_color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

/* The escape sequence of colour "c", or "" without colours. */
const char *
out_sgr(enum color c)
{
	return out_color ? sgr[c] : "";
}

/* Append "n" bytes of "s" to "b", which stays NUL-terminated. */
void
sb_addn(struct sb *b, const char *s, size_t n)
{
	size_t	 cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append the string "s" to "b". */
void
sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* Append a printf(3)-formatted string to "b". */
void
sb_addf(struct sb *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		abort();
	sb_addn(b, s, (size_t)n);
	free(s);
}

/* Free what "b" holds and make it empty again. */
void
sb_free(struct sb *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Whether the bytes at "p" are a control character, and how many. */
static size_t
ctrl_len(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 1;
	/* C1 controls, U+0080 to U+009F, in UTF-8. */
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

/*
 * The columns "s" takes on a terminal: one per character.
 * XXX East Asian wide characters take two; names rarely have them.
 */
size_t
text_cols(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Append "s" with its control characters replaced by '?', in "width"
 * columns: cut with an ellipsis when longer, padded with blanks (on
 * the left when "right") when shorter.  A width of 0 means as is.
 */
void
sb_cell(struct sb *b, const char *s, size_t width, int right)
{
	const unsigned char	*p = (const unsigned char *)(s ? s : "");
	size_t			 cols, keep, used = 0, n;
	struct sb		 t = { NULL, 0, 0 };

	cols = text_cols((const char *)p);
	keep = width > 0 && cols > width ? width - 1 : cols;
	while (*p != '\0') {
		if ((*p & 0xc0) != 0x80) {
			if (used == keep)
				break;
			used++;
			if ((n = ctrl_len(p)) > 0) {
				sb_add(&t, "?");
				p += n;
				continue;
			}
		}
		sb_addn(&t, (const char *)p++, 1);
	}
	if (keep < cols)
		sb_add(&t, out_utf8 ? "\xe2\x80\xa6" : "~");
	for (n = cols; right && n < width; n++)
		sb_add(b, " ");
	if (t.s != NULL)
		sb_add(b, t.s);
	for (n = cols; !right && n < width; n++)
		sb_add(b, " ");
	sb_free(&t);
}

/* Write "s" to "f" with its control characters replaced. */
void
out_text(FILE *f, const char *s)
{
	struct sb	 b = { NULL, 0, 0 };

	sb_cell(&b, s, 0, 0);
	if (b.s != NULL)
		fputs(b.s, f);
	sb_free(&b);
}

/* Write "o" as JSON and a newline: one line, or indented when "pretty". */
void
out_json(FILE *f, json_object *o, int pretty)
{
	int	 fl = JSON_C_TO_STRING_NOSLASHESCAPE;

	fl |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
	    JSON_C_TO_STRING_PLAIN;
	fputs(json_object_to_json_string_ext(o, fl), f);
	fputc('\n', f);
}

/* The string member "k" of object "o", or NULL. */
const char *
jstr(json_object *o, const char *k)
{
	json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The member at the dotted path "path" ("a.b.c") of "o", or NULL. */
json_object *
jpath(json_object *o, const char *path)
{
	char		 key[128];
	const char	*p = path, *dot;
	size_t		 n;

	while (o != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key) || !json_object_is_type(o,
		    json_type_object))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += n + (dot != NULL);
	}
	return o;
}

/* Milliseconds since the epoch of an API timestamp, or -1. */
long long
ts_ms(const char *s)
{
	struct tm	 tm;
	const char	*e;
	long long	 ms = 0;
	int		 i;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*e == '.') {
		for (i = 0, e++; i < 3; i++)
			ms = ms * 10 + (*e >= '0' && *e <= '9' ? *e++ - '0' :
			    0);
	}
	return (long long)timegm(&tm) * 1000 + ms;
}

/* "2025-01-31 12:34:56" for an API timestamp, in "buf"; "-" for NULL. */
const char *
ts_short(const char *s, char *buf, size_t sz)
{
	if (s == NULL)
		return "-";
	(void)strlcpy(buf, s, sz);
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
	if (strlen(buf) > 19)
		buf[19] = '\0';
	return buf;
}

/* ----------------------------------------------------------------- */
/* Rows of results.                                                  */

/* What each error kind of a source means for its row. */
static const struct {
	const char	*kind;
	enum row_state	 state;
	const char	*text;
} errkinds[] = {
	{ "UNSUPPORTED_INDICATOR", ROW_SKIP, "unsupported kind" },
	{ "SOURCE_DISABLED", ROW_SKIP, "source disabled" },
	{ "PROVIDER_DISABLED", ROW_SKIP, "provider disabled" },
	{ "RUNNER_DISABLED", ROW_SKIP, "runner disabled" },
	{ "DISABLED_INDICATOR", ROW_SKIP, "kind disabled" },
	{ "WITHIN_IGNORE_LIST", ROW_SKIP, "ignore list" },
	{ "MISSING_SECRET", ROW_SKIP, "missing secret" },
	{ "MISSING_SOURCE_CODE", ROW_SKIP, "no source code" },
	{ "NOT_FOUND", ROW_MISS, "not found" },
	{ "TIMEOUT", ROW_ERR, "timeout" },
	{ "UNAUTHORIZED", ROW_ERR, "unauthorized" },
	{ "RATE_LIMITED", ROW_ERR, "rate limited" },
	{ "RESPONSE_ERROR", ROW_ERR, "bad answer" },
	{ "REQUEST_ERROR", ROW_ERR, "request failed" },
	{ "INTERNAL_SERVER_ERROR", ROW_ERR, "server error" },
};

/* The colour of a row's status, by enum row_state. */
static const enum color state_color[ROW__MAX] = {
	C_YELLOW,	/* ROW_WAIT */
	C_GREEN,	/* ROW_OK */
	C_DIM,		/* ROW_SKIP */
	C_RESET,	/* ROW_MISS */
	C_RED,		/* ROW_ERR */
};
_Static_assert(nitems(state_color) == ROW__MAX, "a state without colour");

/* The colour of the status of a row in state "st". */
enum color
row_color(enum row_state st)
{
	return state_color[st];
}

/* A row whose source failed: what makes a lookup exit 1. */
int
row_failed(const struct row *r)
{
	return r->state == ROW_ERR;
}

/* Release what a row holds; the struct itself is the caller's. */
void
row_free(struct row *r)
{
	free(r->id);
	free(r->name);
	json_object_put(r->source);
	json_object_put(r->result);
	memset(r, 0, sizeof(*r));
}

/*
 * A short text for the content of an error: a string, the strings of
 * an array, or {"retryAfter": N}.
 */
static void
error_content(json_object *c, char *buf, size_t sz)
{
	json_object	*v;
	size_t		 i, n;

	buf[0] = '\0';
	if (c == NULL)
		return;
	if (json_object_is_type(c, json_type_string))
		(void)strlcpy(buf, json_object_get_string(c), sz);
	else if (json_object_is_type(c, json_type_array)) {
		n = json_object_array_length(c);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(c, i);
			if (i > 0)
				(void)strlcat(buf, ", ", sz);
			(void)strlcat(buf, json_object_get_string(v), sz);
		}
	} else if ((v = jpath(c, "retryAfter")) != NULL)
		snprintf(buf, sz, "retry after %d s", json_object_get_int(v));
	else
		(void)strlcpy(buf, json_object_to_json_string_ext(c,
		    JSON_C_TO_STRING_PLAIN), sz);
}

/* Whether "o" is JSON null, an empty object, array or string. */
static int
is_empty(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return 1;
	case json_type_object:
		return json_object_object_length(o) == 0;
	case json_type_array:
		return json_object_array_length(o) == 0;
	case json_type_string:
		return json_object_get_string_len(o) == 0;
	default:
		return 0;
	}
}

/*
 * The verdict of a source's data, when it has a known shape: the
 * VirusTotal engines' stats, the AbuseIPDB score, the URLhaus status;
 * else "data" or "no data".
 */
static void
verdict(json_object *data, char *buf, size_t sz)
{
	json_object	*st, *v;
	const char	*s;
	long long	 mal, total = 0;

	if (is_empty(data)) {
		(void)strlcpy(buf, "no data", sz);
		return;
	}
	if ((st = jpath(data, "attributes.last_analysis_stats")) != NULL &&
	    json_object_is_type(st, json_type_object)) {
		json_object_object_foreach(st, k, n) {
			(void)k;
			total += json_object_get_int64(n);
		}
		mal = json_object_get_int64(jpath(st, "malicious"));
		snprintf(buf, sz, "%lld/%lld malicious", mal, total);
		if ((v = jpath(st, "suspicious")) != NULL &&
		    json_object_get_int64(v) > 0)
			snprintf(buf + strlen(buf), sz - strlen(buf),
			    ", %lld suspicious", (long long)
			    json_object_get_int64(v));
		return;
	}
	if ((v = jpath(data, "abuseConfidenceScore")) != NULL &&
	    json_object_is_type(v, json_type_int)) {
		snprintf(buf, sz, "abuse score %d%%", json_object_get_int(v));
		return;
	}
	if ((s = jstr(data, "query_status")) != NULL) {
		if (strcmp(s, "ok") == 0)
			snprintf(buf, sz, "listed%s%s", jstr(data, "threat") ?
			    ": " : "", jstr(data, "threat") ?
			    jstr(data, "threat") : "");
		else
			(void)strlcpy(buf, s, sz);
		return;
	}
	(void)strlcpy(buf, "data", sz);
}

/*
 * Fill "r" with a final result: its "errors" (an array, may be NULL)
 * or its "data", the cache action and the times.  Borrows everything.
 */
void
row_result(struct row *r, json_object *errors, json_object *data,
    const char *cache, const char *started, const char *ended)
{
	json_object	*e;
	const char	*kind;
	char		 content[64];
	size_t		 i, n;
	long long	 a, b;

	n = errors != NULL && json_object_is_type(errors, json_type_array) ?
	    json_object_array_length(errors) : 0;
	if (n > 0) {
		e = json_object_array_get_idx(errors, 0);
		kind = jstr(e, "kind") ? jstr(e, "kind") : "ERROR";
		r->state = ROW_ERR;
		snprintf(r->status, sizeof(r->status), "error: %s", kind);
		for (i = 0; i < nitems(errkinds); i++)
			if (strcmp(errkinds[i].kind, kind) == 0) {
				r->state = errkinds[i].state;
				snprintf(r->status, sizeof(r->status), "%s%s",
				    r->state == ROW_SKIP ? "skipped: " :
				    r->state == ROW_ERR ? "error: " : "",
				    errkinds[i].text);
				break;
			}
		if (n > 1)
			snprintf(r->status + strlen(r->status),
			    sizeof(r->status) - strlen(r->status), " +%zu",
			    n - 1);
		error_content(jpath(e, "content"), content, sizeof(content));
		(void)strlcpy(r->verdict, r->state == ROW_MISS ? "no data" :
		    content, sizeof(r->verdict));
	} else {
		r->state = ROW_OK;
		(void)strlcpy(r->status, "ok", sizeof(r->status));
		verdict(data, r->verdict, sizeof(r->verdict));
		/* The server's normalized verdict (docs/verdicts.md) first,
		 * then what the raw data says. */
		if ((e = jpath(r->result, "verdict")) != NULL &&
		    jstr(e, "verdict") != NULL) {
			char	 raw[sizeof(r->verdict)];

			(void)strlcpy(raw, r->verdict, sizeof(raw));
			(void)snprintf(r->verdict, sizeof(r->verdict), "%s %d",
			    jstr(e, "verdict"), json_object_get_int(jpath(e,
			    "score")));
			if (strcmp(raw, "data") != 0) {
				(void)strlcat(r->verdict, ": ",
				    sizeof(r->verdict));
				(void)strlcat(r->verdict, raw,
				    sizeof(r->verdict));
			}
		}
	}
	r->cache = cache == NULL ? "" : strcmp(cache, "FROM_CACHE") == 0 ?
	    "cached" : strcmp(cache, "SAVED_TO_CACHE") == 0 ? "saved" : "";
	a = ts_ms(started);
	b = ts_ms(ended);
	if (a >= 0 && b >= a && r->state != ROW_SKIP)
		r->ms = b - a;
}

/* The widths of the columns of rows, fitted to "cols" (0: any). */
void
row_layout(struct row_layout *l, const struct row *rows, size_t n,
    size_t cols)
{
	size_t	 i, w, fixed;

	l->name = 6;
	for (i = 0; i < n; i++)
		if ((w = text_cols(rows[i].name ? rows[i].name : "")) >
		    l->name)
			l->name = w;
	if (l->name > 32)
		l->name = 32;
	l->status = 26;
	l->verdict = 24;
	for (i = 0; i < n; i++) {
		if ((w = text_cols(rows[i].status)) > l->status)
			l->status = w < 40 ? w : 40;
		if ((w = text_cols(rows[i].verdict)) > l->verdict)
			l->verdict = w < 40 ? w : 40;
	}
	/* Two blanks between columns, TIME 8 and CACHE 6. */
	fixed = 2 + 8 + 2 + 6 + 2 + 2;
	if (cols == 0)
		return;
	cols--;
	while (l->name + l->status + l->verdict + fixed > cols) {
		if (l->verdict > 16)
			l->verdict--;
		else if (l->name > 16)
			l->name--;
		else if (l->status > 16)
			l->status--;
		else if (l->verdict > 8)
			l->verdict--;
		else
			break;
	}
}

/* The header of the rows. */
void
row_header(struct sb *b, const struct row_layout *l)
{
	sb_add(b, out_sgr(C_BOLD));
	sb_cell(b, "SOURCE", l->name, 0);
	sb_add(b, "  ");
	sb_cell(b, "STATUS", l->status, 0);
	sb_add(b, "  ");
	sb_cell(b, "VERDICT", l->verdict, 0);
	sb_add(b, "  ");
	sb_cell(b, "TIME", 8, 1);
	sb_add(b, "  CACHE");
	sb_add(b, out_sgr(C_RESET));
}

/*
 * One row, without a newline; "spin" is the glyph of a waiting row.
 */
void
row_format(struct sb *b, const struct row *r, const struct row_layout *l,
    const char *spin)
{
	char	 t[32], w[64];

	sb_cell(b, r->name ? r->name : r->id, l->name, 0);
	sb_add(b, "  ");
	sb_add(b, out_sgr(row_color(r->state)));
	if (r->state == ROW_WAIT) {
		snprintf(w, sizeof(w), "%s waiting", spin);
		sb_cell(b, w, l->status, 0);
	} else
		sb_cell(b, r->status, l->status, 0);
	sb_add(b, out_sgr(C_RESET));
	sb_add(b, "  ");
	sb_cell(b, r->verdict, l->verdict, 0);
	sb_add(b, "  ");
	if (r->ms >= 0)
		snprintf(t, sizeof(t), "%lld ms", r->ms);
	else
		t[0] = '\0';
	sb_cell(b, t, 8, 1);
	if (r->cache != NULL && r->cache[0] != '\0') {
		sb_add(b, "  ");
		sb_add(b, out_sgr(C_CYAN));
		sb_add(b, r->cache);
		sb_add(b, out_sgr(C_RESET));
	}
	while (b->len > 0 && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
}

/* ----------------------------------------------------------------- */
/* Column tables.                                                    */

struct table {
	size_t	  ncols;	/* columns */
	size_t	  nrows;	/* rows, the header included */
	char	**cells;	/* nrows * ncols strings */
};

/*
 * A new table with "ncols" columns, whose header is the "ncols" strings
 * that follow.  Caller prints it with table_print(), which frees it.
 */
struct table *
table_new(size_t ncols, ...)
{
	struct table	*t;
	va_list		 ap;
	size_t		 i;

	t = xcalloc(1, sizeof(*t));
	t->ncols = ncols;
	t->cells = xcalloc(ncols, sizeof(char *));
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		t->cells[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	t->nrows = 1;
	return t;
}

/* Add a row of t->ncols strings (NULL prints as "-"). */
void
table_add(struct table *t, ...)
{
	va_list		 ap;
	const char	*s;
	size_t		 i;

	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
	    sizeof(char *));
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		s = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncols + i] = xstrdup(s ? s : "-");
	}
	va_end(ap);
	t->nrows++;
}

/* Print "t" with aligned columns, the header in bold, and free it. */
void
table_print(struct table *t, FILE *f)
{
	struct sb	 b = { NULL, 0, 0 };
	size_t		 w[TABLE_COLS_MAX], i, j, n;

	for (j = 0; j < t->ncols && j < TABLE_COLS_MAX; j++) {
		w[j] = 0;
		for (i = 0; i < t->nrows; i++)
			if ((n = text_cols(t->cells[i * t->ncols + j])) > w[j])
				w[j] = n;
		if (w[j] > TABLE_CELL_MAX)
			w[j] = TABLE_CELL_MAX;
	}
	for (i = 0; i < t->nrows; i++) {
		if (i == 0)
			sb_add(&b, out_sgr(C_BOLD));
		for (j = 0; j < t->ncols && j < TABLE_COLS_MAX; j++) {
			if (j > 0)
				sb_add(&b, "  ");
			sb_cell(&b, t->cells[i * t->ncols + j],
			    j + 1 == t->ncols ? 0 : w[j], 0);
		}
		if (i == 0)
			sb_add(&b, out_sgr(C_RESET));
		while (b.len > 0 && b.s[b.len - 1] == ' ')
			b.s[--b.len] = '\0';
		sb_add(&b, "\n");
	}
	if (b.s != NULL)
		fputs(b.s, f);
	sb_free(&b);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
