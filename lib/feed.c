/*
 * lib/feed.c -- see feed.h.
 *
 * The pipeline of one load, all on the calling thread:
 *
 *   libcurl (multi handle) --write callback--> a small buffer
 *   libarchive read callback: drives curl until that buffer has data
 *   archive_read_data() --decompressed bytes--> feed_bytes()
 *   feed_bytes(): CSV / line / JSON splitter --> the format's callback
 *   callback: feed_col()... feed_row() --> COPY text in a 256 KB buffer
 *   buffer --> PQputCopyData() into <table>_new_<random>
 *
 * libarchive pulls and libcurl pushes; driving the multi handle from
 * the read callback joins them without a thread and without holding
 * more than what one curl_multi_perform() delivered.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <curl/curl.h>
#include <libpq-fe.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "feed.h"
#include "json.h"
#include "log.h"
#include "xmalloc.h"

#define COPY_FLUSH	(256 * 1024)	/* COPY data per PQputCopyData */
#define REC_MAX		(1024 * 1024)	/* longest record (CSV, JSON) */
#define LINE_LEN_MAX	(64 * 1024)	/* longest line (line feeds) */
#define CSV_FIELDS	64
#define KEY_MAX		64
#define HDR_MAX		(16 * 1024)	/* response headers kept */
#define DEF_MAX_BYTES	(1024LL * 1024 * 1024)	/* download cap */

enum mode { M_UNKNOWN, M_LINE, M_CSV, M_JSON };
enum cst { C_REC, C_FIELD, C_UNQ, C_QUO, C_QQ, C_COMMENT };

struct feed {
	const struct feed_fmt	*fmt;
	enum mode		 mode;
	/* the record being read */
	char			*rec;
	size_t			 reclen, reccap;
	int			 recbad;
	/* CSV */
	enum cst		 cst;
	size_t			 fstart[CSV_FIELDS];
	size_t			 nf;
	/* JSON */
	int			 depth, in_str, esc, capturing, keystr;
	int			 top;		/* first structural byte */
	char			 key[KEY_MAX];
	size_t			 keylen;
	char			 lastkey[KEY_MAX];
	json_tokener		*tok;
	/* the row being written */
	char			*row;
	size_t			 rowlen, rowcap;
	int			 ncol, rowbad;
	/* output */
	char			*out;
	size_t			 outlen, outcap;
	PGconn			*conn;		/* NULL: collect in "out" */
	int			 collect;
	long long		 rows, skipped, inbytes, maxbytes;
	char			 err[256];
};

/* ---------------------------------------------------------------------
 * Rows: COPY text format.
 */

static void
grow(char **buf, size_t *cap, size_t need)
{
	size_t	 n;

	if (need <= *cap)
		return;
	n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	*buf = xrealloc(*buf, n);
	*cap = n;
}

/* Valid UTF-8 without NUL (PostgreSQL text refuses both). */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL &&
	    json_utf8_valid((const char *)s, n);
}

void
feed_col(struct feed *f, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;
	char			*p;

	grow(&f->row, &f->rowcap, f->rowlen + 2 * n + 2);
	p = f->row + f->rowlen;
	if (f->ncol++ > 0)
		*p++ = '\t';
	/* Plain printable ASCII, nearly every value: copied as it is. */
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] >= 0x7f || u[i] == '\\')
			break;
	if (i == n) {
		memcpy(p, s, n);
		f->rowlen = (size_t)(p + n - f->row);
		return;
	}
	if (!utf8_ok(u, n))
		f->rowbad = 1;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			*p++ = '\\';
			*p++ = '\\';
			break;
		case '\t':
			*p++ = '\\';
			*p++ = 't';
			break;
		case '\n':
			*p++ = '\\';
			*p++ = 'n';
			break;
		case '\r':
			*p++ = '\\';
			*p++ = 'r';
			break;
		default:
			*p++ = s[i];
		}
	}
	f->rowlen = (size_t)(p - f->row);
}

void
feed_col_str(struct feed *f, const char *s)
{
	if (s == NULL)
		feed_col_null(f);
	else
		feed_col(f, s, strlen(s));
}

void
feed_col_null(struct feed *f)
{
	grow(&f->row, &f->rowcap, f->rowlen + 4);
	if (f->ncol++ > 0)
		f->row[f->rowlen++] = '\t';
	f->row[f->rowlen++] = '\\';
	f->row[f->rowlen++] = 'N';
}

static int
out_flush(struct feed *f)
{
	if (f->conn == NULL || f->outlen == 0)
		return 0;
	if (PQputCopyData(f->conn, f->out, (int)f->outlen) != 1) {
		(void)snprintf(f->err, sizeof(f->err), "COPY: %s",
		    PQerrorMessage(f->conn));
		return -1;
	}
	f->outlen = 0;
	return 0;
}

int
feed_row(struct feed *f)
{
	int	 bad = f->rowbad;

	if (!bad) {
		grow(&f->out, &f->outcap, f->outlen + f->rowlen + 1);
		memcpy(f->out + f->outlen, f->row, f->rowlen);
		f->outlen += f->rowlen;
		f->out[f->outlen++] = '\n';
	}
	f->rowlen = 0;
	f->ncol = 0;
	f->rowbad = 0;
	return bad ? FEED_BAD : FEED_ROW;
}

/* After a record callback. */
static int
record_done(struct feed *f, int rc)
{
	if (f->ncol > 0) {		/* a row left unfinished: dropped */
		f->rowlen = 0;
		f->ncol = 0;
		f->rowbad = 0;
		if (rc == FEED_ROW)
			rc = FEED_BAD;
	}
	if (rc == FEED_ROW)
		f->rows++;
	else if (rc == FEED_BAD)
		f->skipped++;
	if (f->outlen >= COPY_FLUSH && !f->collect)
		return out_flush(f);
	return 0;
}

/* ---------------------------------------------------------------------
 * Splitters.  Each returns -1 with f->err set on a fatal error.
 */

static int
rec_add(struct feed *f, char c)
{
	if (f->reclen + 1 >= REC_MAX) {
		(void)snprintf(f->err, sizeof(f->err),
		    "a record is longer than %d bytes (corrupt file?)",
		    REC_MAX);
		return -1;
	}
	if (f->reclen + 2 > f->reccap)
		grow(&f->rec, &f->reccap, f->reclen + 2);
	f->rec[f->reclen++] = c;
	return 0;
}

static int
rec_span(struct feed *f, const char *s, size_t n)
{
	if (f->reclen + n + 1 >= REC_MAX) {
		(void)snprintf(f->err, sizeof(f->err),
		    "a record is longer than %d bytes (corrupt file?)",
		    REC_MAX);
		return -1;
	}
	grow(&f->rec, &f->reccap, f->reclen + n + 2);
	memcpy(f->rec + f->reclen, s, n);
	f->reclen += n;
	return 0;
}

static int
line_end(struct feed *f)
{
	char	*s = f->rec;
	size_t	 n = f->reclen;
	int	 rc;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	f->reclen = 0;
	if (f->recbad) {
		f->recbad = 0;
		f->skipped++;
		return 0;
	}
	if (n == 0 || *s == '#')
		return 0;
	rc = f->fmt->line(f, s, n);
	return record_done(f, rc);
}

static int
lines(struct feed *f, const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (line_end(f) == -1)
				return -1;
		} else if (f->reclen + 1 >= LINE_LEN_MAX)
			f->recbad = 1;
		else {
			if (f->reclen + 2 > f->reccap)
				grow(&f->rec, &f->reccap, f->reclen + 2);
			f->rec[f->reclen++] = p[i];
		}
	}
	return 0;
}

static int
csv_field_end(struct feed *f)
{
	if (f->nf == CSV_FIELDS) {
		f->recbad = 1;
		return 0;
	}
	if (rec_add(f, '\0') == -1)
		return -1;
	f->nf++;
	if (f->nf < CSV_FIELDS)
		f->fstart[f->nf] = f->reclen;
	return 0;
}

static int
csv_record_end(struct feed *f)
{
	char	*fv[CSV_FIELDS];
	size_t	 lv[CSV_FIELDS], i;
	int	 rc;

	if (csv_field_end(f) == -1)
		return -1;
	for (i = 0; i < f->nf; i++) {
		fv[i] = f->rec + f->fstart[i];
		lv[i] = (i + 1 < f->nf ? f->fstart[i + 1] : f->reclen) -
		    f->fstart[i] - 1;
	}
	if (f->recbad)
		rc = FEED_BAD;
	else
		rc = f->fmt->csv(f, fv, lv, f->nf);
	f->reclen = 0;
	f->nf = 0;
	f->fstart[0] = 0;
	f->recbad = 0;
	f->cst = C_REC;
	return record_done(f, rc);
}

static int
csv(struct feed *f, const char *p, size_t n)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = p[i];
		switch (f->cst) {
		case C_REC:
			if (c == '#') {
				f->cst = C_COMMENT;
				break;
			}
			/* Blank lines are nothing (a field's leading blanks
			 * are dropped anyway). */
			if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
				break;
			f->cst = C_FIELD;
			/* FALLTHROUGH */
		case C_FIELD:
			if (c == ' ' || c == '\t' || c == '\r')
				break;
			if (c == '"')
				f->cst = C_QUO;
			else if (c == ',') {
				if (csv_field_end(f) == -1)
					return -1;
			} else if (c == '\n') {
				if (csv_record_end(f) == -1)
					return -1;
			} else {
				if (rec_add(f, c) == -1)
					return -1;
				f->cst = C_UNQ;
			}
			break;
		case C_UNQ:
			if (c != ',' && c != '\n' && c != '\r') {
				/* The rest of the value at once. */
				size_t	 j = i;

				while (j < n && p[j] != ',' && p[j] != '\n' &&
				    p[j] != '\r')
					j++;
				if (rec_span(f, p + i, j - i) == -1)
					return -1;
				i = j - 1;
			} else if (c == ',') {
				if (csv_field_end(f) == -1)
					return -1;
				f->cst = C_FIELD;
			} else if (c == '\n') {
				if (csv_record_end(f) == -1)
					return -1;
			} else if (c != '\r' && rec_add(f, c) == -1)
				return -1;
			break;
		case C_QUO:
			if (c == '"')
				f->cst = C_QQ;
			else {
				const char	*q = memchr(p + i, '"', n - i);
				size_t		 j = q != NULL ?
				    (size_t)(q - p) : n;

				if (rec_span(f, p + i, j - i) == -1)
					return -1;
				i = j - 1;
			}
			break;
		case C_QQ:
			if (c == '"') {
				if (rec_add(f, c) == -1)
					return -1;
				f->cst = C_QUO;
			} else if (c == ',') {
				if (csv_field_end(f) == -1)
					return -1;
				f->cst = C_FIELD;
			} else if (c == '\n') {
				if (csv_record_end(f) == -1)
					return -1;
			} else if (c != '\r' && c != ' ' && c != '\t') {
				/* Text after a closing quote. */
				f->recbad = 1;
				if (rec_add(f, c) == -1)
					return -1;
				f->cst = C_UNQ;
			}
			break;
		case C_COMMENT:
			if (c == '\n')
				f->cst = C_REC;
			break;
		}
	}
	return 0;
}

static int
json_record_end(struct feed *f)
{
	json_object		*o;
	enum json_tokener_error	 je;
	int			 rc;

	json_tokener_reset(f->tok);
	o = json_tokener_parse_ex(f->tok, f->rec, (int)f->reclen);
	je = json_tokener_get_error(f->tok);
	f->reclen = 0;
	if (o == NULL || je != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return record_done(f, FEED_BAD);
	}
	rc = f->fmt->json(f, o, f->lastkey[0] != '\0' ? f->lastkey : NULL);
	json_object_put(o);
	return record_done(f, rc);
}

/*
 * The JSON splitter follows strings and nesting only; each record (an
 * object at depth fmt->json_depth) is copied out and parsed by json-c.
 * Anything but structure and strings outside the records is refused,
 * so an HTML error page or a truncated file is an error, not an empty
 * feed.
 */
static int
json(struct feed *f, const char *p, size_t n)
{
	size_t	 i;
	char	 c;
	int	 rd = f->fmt->json_depth;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (f->capturing) {
			if (rec_add(f, c) == -1)
				return -1;
			if (f->in_str) {
				if (f->esc)
					f->esc = 0;
				else if (c == '\\')
					f->esc = 1;
				else if (c == '"')
					f->in_str = 0;
				continue;
			}
			if (c == '"')
				f->in_str = 1;
			else if (c == '{' || c == '[')
				f->depth++;
			else if (c == '}' || c == ']') {
				if (--f->depth == rd) {
					f->capturing = 0;
					if (rec_add(f, '\0') == -1)
						return -1;
					f->reclen--;
					if (json_record_end(f) == -1)
						return -1;
				}
			}
			continue;
		}
		if (f->in_str) {
			if (f->esc)
				f->esc = 0;
			else if (c == '\\')
				f->esc = 1;
			else if (c == '"') {
				f->in_str = 0;
				if (f->keystr) {
					memcpy(f->lastkey, f->key, f->keylen);
					f->lastkey[f->keylen] = '\0';
				}
				continue;
			}
			if (f->keystr && !f->esc && f->keylen + 1 < KEY_MAX)
				f->key[f->keylen++] = c;
			continue;
		}
		switch (c) {
		case ' ': case '\t': case '\r': case '\n': case ',': case ':':
			continue;
		case '"':
			if (f->depth == 0)
				goto bad;
			f->in_str = 1;
			f->keystr = 1;
			f->keylen = 0;
			continue;
		case '{':
		case '[':
			if (f->depth == 0 && f->top)
				goto bad;	/* a second document */
			f->top = 1;
			if (c == '{' && f->depth == rd) {
				f->capturing = 1;
				f->reclen = 0;
				f->depth++;
				if (rec_add(f, c) == -1)
					return -1;
				continue;
			}
			f->depth++;
			continue;
		case '}':
		case ']':
			if (f->depth == 0)
				goto bad;
			f->depth--;
			continue;
		default:
			/* Scalars outside records: "query_status" answers. */
			if (f->depth > 0 && f->depth < rd &&
			    (isalnum((unsigned char)c) || c == '-' || c == '.'))
				continue;
			goto bad;
		}
	}
	return 0;
bad:
	(void)snprintf(f->err, sizeof(f->err),
	    "not a %s JSON feed (unexpected '%c')", f->fmt->name,
	    isprint((unsigned char)c) ? c : '?');
	return -1;
}

/* Decompressed bytes of the feed. */
static int
feed_bytes(struct feed *f, const char *p, size_t n)
{
	size_t	 i;

	f->inbytes += (long long)n;
	if (f->maxbytes > 0 && f->inbytes > f->maxbytes) {
		(void)snprintf(f->err, sizeof(f->err),
		    "feed larger than %lld bytes", f->maxbytes);
		return -1;
	}
	if (f->mode == M_UNKNOWN) {
		/* JSON's blanks, which every splitter skips before a
		 * record: a body handed over in pieces decides the same. */
		for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t' ||
		    p[i] == '\r' || p[i] == '\n'); i++)
			;
		if (i == n)
			return 0;
		if ((p[i] == '[' || p[i] == '{') && f->fmt->json != NULL)
			f->mode = M_JSON;
		else if (f->fmt->csv != NULL)
			f->mode = M_CSV;
		else if (f->fmt->line != NULL)
			f->mode = M_LINE;
		else {
			(void)snprintf(f->err, sizeof(f->err),
			    "not a %s feed", f->fmt->name);
			return -1;
		}
		if (f->mode == M_JSON && f->tok == NULL)
			f->tok = json_tokener_new_ex(64);
	}
	switch (f->mode) {
	case M_LINE:
		return lines(f, p, n);
	case M_CSV:
		return csv(f, p, n);
	case M_JSON:
		return json(f, p, n);
	default:
		return 0;
	}
}

/* End of input: the last record, and the checks of a whole feed. */
static int
feed_finish(struct feed *f)
{
	switch (f->mode) {
	case M_LINE:
		if (f->reclen > 0 && line_end(f) == -1)
			return -1;
		break;
	case M_CSV:
		if (f->cst == C_QUO) {
			(void)snprintf(f->err, sizeof(f->err),
			    "the feed ends inside a quoted field");
			return -1;
		}
		if (f->cst != C_REC && f->cst != C_COMMENT &&
		    csv_record_end(f) == -1)
			return -1;
		break;
	case M_JSON:
		if (f->depth != 0 || f->in_str || !f->top) {
			(void)snprintf(f->err, sizeof(f->err),
			    "the JSON feed is truncated");
			return -1;
		}
		break;
	default:
		break;
	}
	if (f->rows == 0) {
		(void)snprintf(f->err, sizeof(f->err),
		    "no valid record in the %s feed (%lld malformed)",
		    f->fmt->name, f->skipped);
		return -1;
	}
	/* A feed that is mostly garbage is refused as a whole. */
	if (f->skipped > f->rows) {
		(void)snprintf(f->err, sizeof(f->err),
		    "%lld of %lld records of the %s feed are malformed",
		    f->skipped, f->skipped + f->rows, f->fmt->name);
		return -1;
	}
	return 0;
}

static void
feed_init(struct feed *f, const struct feed_fmt *fmt)
{
	memset(f, 0, sizeof(*f));
	f->fmt = fmt;
	f->cst = C_REC;
}

static void
feed_free(struct feed *f)
{
	free(f->rec);
	free(f->row);
	free(f->out);
	if (f->tok != NULL)
		json_tokener_free(f->tok);
}

long long
feed_parse_buffer(const struct feed_fmt *fmt, const char *buf, size_t len,
    size_t chunk, char **copy, size_t *copylen, long long *skipped,
    char *err, size_t errsz)
{
	struct feed	 f;
	long long	 rows = -1;
	size_t		 off, n;
	int		 rc = 0;

	feed_init(&f, fmt);
	f.collect = 1;
	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	for (off = 0; off < len && rc == 0; off += n) {
		n = len - off < chunk ? len - off : chunk;
		rc = feed_bytes(&f, buf + off, n);
	}
	if (rc == 0 && feed_finish(&f) == 0)
		rows = f.rows;
	else
		(void)strlcpy(err, f.err, errsz);
	if (skipped != NULL)
		*skipped = f.skipped;
	if (copy != NULL) {
		grow(&f.out, &f.outcap, f.outlen + 1);
		f.out[f.outlen] = '\0';
		*copy = f.out;
		*copylen = f.outlen;
		f.out = NULL;
	}
	feed_free(&f);
	return rows;
}

/* ---------------------------------------------------------------------
 * Values.
 */

static int
digits(const char *p, int k)
{
	int	 v = 0, i;

	for (i = 0; i < k; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int
mdays(int y, int m)
{
	static const int	 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static void
put2(char *o, int v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

int
feed_ts(const char *s, size_t n, char out[FEED_TS_LEN])
{
	char		 b[64];
	const char	*p;
	struct tm	 tm, chk;
	time_t		 t;
	long		 off = 0;
	int		 y, mo, d, h, mi, se, oh, om, neg;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n < 19 || n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	if (b[4] != '-' || b[7] != '-' || (b[10] != ' ' && b[10] != 'T') ||
	    b[13] != ':' || b[16] != ':')
		return -1;
	if ((y = digits(b, 4)) < 1970 || (mo = digits(b + 5, 2)) < 1 ||
	    mo > 12 || (d = digits(b + 8, 2)) < 1 || d > 31 ||
	    (h = digits(b + 11, 2)) < 0 || h > 23 ||
	    (mi = digits(b + 14, 2)) < 0 || mi > 59 ||
	    (se = digits(b + 17, 2)) < 0 || se > 60)
		return -1;
	p = b + 19;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if (*p == 'Z' && p[1] == '\0')
		p++;
	else if (strcmp(p, " UTC") == 0 || strcmp(p, " (UTC)") == 0)
		p += strlen(p);
	else if (*p == '+' || *p == '-') {
		neg = *p == '-';
		if ((oh = digits(p + 1, 2)) < 0 || oh > 23)
			return -1;
		if (p[3] == ':')
			om = digits(p + 4, 2), p += 6;
		else if (p[3] == '\0')
			om = 0, p += 3;
		else
			om = digits(p + 3, 2), p += 5;
		if (om < 0 || om > 59)
			return -1;
		off = (oh * 3600L + om * 60L) * (neg ? -1 : 1);
	}
	if (*p != '\0')
		return -1;
	if (off == 0) {
		/* UTC already, the common case: no calendar arithmetic. */
		if (d > mdays(y, mo))
			return -1;
		put2(out, y / 100);
		put2(out + 2, y % 100);
		out[4] = '-';
		put2(out + 5, mo);
		out[7] = '-';
		put2(out + 8, d);
		out[10] = ' ';
		put2(out + 11, h);
		out[13] = ':';
		put2(out + 14, mi);
		out[16] = ':';
		put2(out + 17, se == 60 ? 59 : se);
		out[19] = '\0';
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se == 60 ? 59 : se;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* 31 February and the like do not survive the round trip. */
	if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != d ||
	    chk.tm_mon != mo - 1)
		return -1;
	t -= off;
	if (gmtime_r(&t, &chk) == NULL ||
	    strftime(out, FEED_TS_LEN, "%Y-%m-%d %H:%M:%S", &chk) == 0)
		return -1;
	return 0;
}

int
feed_id_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 18)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

const char *
feed_url(const char *builtin, const char *def)
{
	const char	*u = conf_feed_url(builtin);

	return u != NULL ? u : def;
}

const char *
feed_task_secret(const struct src_task *t, const char *name)
{
	size_t	 i;

	for (i = 0; i < t->nsecrets; i++)
		if (strcmp(t->secrets[i].name, name) == 0 &&
		    t->secrets[i].value != NULL && *t->secrets[i].value != '\0')
			return t->secrets[i].value;
	return NULL;
}

void
feed_rhost_range(const char *host, char **lo, char **hi)
{
	size_t	 n = strlen(host), i;
	char	*r;

	r = xmalloc(n + 2);
	for (i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)host[n - 1 - i]);
	r[n] = '.';
	r[n + 1] = '\0';
	*lo = r;
	*hi = xstrdup(r);
	(*hi)[n] = '.' + 1;
}

/* A per-source config value (config_values [{"name","value"}]). */
static long long
task_config_int(const struct src_task *t, const char *key, long long def)
{
	size_t		 i, n;
	json_object	*e, *k, *v;
	const char	*errstr;
	long long	 x;

	if (t->config == NULL || !json_object_is_type(t->config,
	    json_type_array))
		return def;
	n = json_object_array_length(t->config);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(t->config, i);
		if ((!json_object_object_get_ex(e, "name", &k) &&
		    !json_object_object_get_ex(e, "key", &k)) ||
		    !json_object_is_type(k, json_type_string) ||
		    strcmp(json_object_get_string(k), key) != 0 ||
		    !json_object_object_get_ex(e, "value", &v))
			continue;
		if (json_object_is_type(v, json_type_int))
			return json_object_get_int64(v);
		x = strtonum(json_object_get_string(v), 0, LLONG_MAX, &errstr);
		return errstr == NULL ? x : def;
	}
	return def;
}

/* ---------------------------------------------------------------------
 * The download.
 */

struct dl {
	const struct src_task	*t;
	CURLM			*multi;
	CURL			*easy;
	char			*buf;
	size_t			 len, cap;
	int			 running, started, finished;
	long long		 bytes, max;
	char			*hdr;
	size_t			 hdrlen;
	char			 err[256];
};

static long long
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
dl_write(char *p, size_t sz, size_t nm, void *arg)
{
	struct dl	*d = arg;
	size_t		 n = sz * nm;
	long		 code = 0;

	if (!d->started) {
		(void)curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299) {
			(void)snprintf(d->err, sizeof(d->err),
			    "the feed download answered HTTP %ld", code);
			return 0;
		}
		d->started = 1;
	}
	d->bytes += (long long)n;
	if (d->max > 0 && d->bytes > d->max) {
		(void)snprintf(d->err, sizeof(d->err),
		    "feed download larger than %lld bytes", d->max);
		return 0;
	}
	if (d->t->stop != NULL && *d->t->stop) {
		(void)snprintf(d->err, sizeof(d->err), "stopped");
		return 0;
	}
	grow(&d->buf, &d->cap, d->len + n);
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	return n;
}

/* Response headers as "name: value" lines, the last response only. */
static size_t
dl_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct dl	*d = arg;
	size_t		 n = sz * nm, m = n;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		d->hdrlen = 0;
		return n;
	}
	while (m > 0 && (p[m - 1] == '\n' || p[m - 1] == '\r'))
		m--;
	if (m == 0 || d->hdrlen + m + 2 > HDR_MAX)
		return n;
	d->hdr = xrealloc(d->hdr, d->hdrlen + m + 2);
	memcpy(d->hdr + d->hdrlen, p, m);
	d->hdrlen += m;
	d->hdr[d->hdrlen++] = '\n';
	d->hdr[d->hdrlen] = '\0';
	return n;
}

static la_ssize_t
dl_read(struct archive *a, void *arg, const void **out)
{
	struct dl	*d = arg;
	CURLMsg		*msg;
	int		 left;
	long long	 now;

	d->len = 0;
	for (;;) {
		if (d->len > 0) {
			*out = d->buf;
			return (la_ssize_t)d->len;
		}
		if (d->err[0] != '\0') {
			archive_set_error(a, EIO, "%s", d->err);
			return -1;
		}
		if (d->finished)
			return 0;
		if (d->t->stop != NULL && *d->t->stop) {
			(void)snprintf(d->err, sizeof(d->err), "stopped");
			continue;
		}
		now = mono_ms();
		if (d->t->deadline > 0 && now >= d->t->deadline) {
			(void)snprintf(d->err, sizeof(d->err),
			    "the feed load ran past its deadline");
			continue;
		}
		(void)curl_multi_perform(d->multi, &d->running);
		while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			d->finished = 1;
			if (msg->data.result != CURLE_OK && d->err[0] == '\0')
				(void)snprintf(d->err, sizeof(d->err),
				    "feed download: %s",
				    curl_easy_strerror(msg->data.result));
			else if (msg->data.result == CURLE_OK && !d->started &&
			    d->err[0] == '\0') {
				long code = 0;

				(void)curl_easy_getinfo(d->easy,
				    CURLINFO_RESPONSE_CODE, &code);
				if (code < 200 || code > 299)
					(void)snprintf(d->err, sizeof(d->err),
					    "the feed download answered "
					    "HTTP %ld", code);
			}
		}
		if (d->len == 0 && !d->finished && d->err[0] == '\0')
			(void)curl_multi_poll(d->multi, NULL, 0, 200, NULL);
	}
}

static int
dl_start(struct dl *d, const struct src_task *t, const char *url,
    const char *auth_key, struct curl_slist **hdrs)
{
	char	*h;

	memset(d, 0, sizeof(*d));
	d->t = t;
	d->max = task_config_int(t, "maxBytes", DEF_MAX_BYTES);
	if ((d->multi = curl_multi_init()) == NULL ||
	    (d->easy = curl_easy_init()) == NULL)
		return -1;
	(void)curl_easy_setopt(d->easy, CURLOPT_URL, url);
	(void)curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(d->easy, CURLOPT_REDIR_PROTOCOLS_STR,
	    "http,https");
	(void)curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(d->easy, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
	/* A stalled download: under 1 byte/s for 60 s. */
	(void)curl_easy_setopt(d->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	(void)curl_easy_setopt(d->easy, CURLOPT_LOW_SPEED_TIME, 60L);
	(void)curl_easy_setopt(d->easy, CURLOPT_USERAGENT,
	    conf_str("user_agent"));
	/* Only the configured proxy: never one from the environment. */
	(void)curl_easy_setopt(d->easy, CURLOPT_PROXY,
	    conf_str("upstream_proxy"));
	/* Transfer compression; a .gz/.zip file is libarchive's. */
	(void)curl_easy_setopt(d->easy, CURLOPT_ACCEPT_ENCODING, "");
	if (d->max > 0)
		(void)curl_easy_setopt(d->easy, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)d->max);
	if (auth_key != NULL) {
		/* A key never follows a redirect to another host. */
		xasprintf(&h, "Auth-Key: %s", auth_key);
		*hdrs = curl_slist_append(*hdrs, h);
		freezero_str(h);
		(void)curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 0L);
	} else {
		/* Feed files move to CDNs. */
		(void)curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 1L);
		(void)curl_easy_setopt(d->easy, CURLOPT_MAXREDIRS, 5L);
	}
	if (*hdrs != NULL)
		(void)curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, *hdrs);
	(void)curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, dl_write);
	(void)curl_easy_setopt(d->easy, CURLOPT_WRITEDATA, d);
	(void)curl_easy_setopt(d->easy, CURLOPT_HEADERFUNCTION, dl_header);
	(void)curl_easy_setopt(d->easy, CURLOPT_HEADERDATA, d);
	if (curl_multi_add_handle(d->multi, d->easy) != CURLM_OK)
		return -1;
	d->running = 1;
	return 0;
}

static void
dl_free(struct dl *d)
{
	if (d->easy != NULL) {
		if (d->multi != NULL)
			(void)curl_multi_remove_handle(d->multi, d->easy);
		curl_easy_cleanup(d->easy);
	}
	if (d->multi != NULL)
		curl_multi_cleanup(d->multi);
	free(d->buf);
	free(d->hdr);
}

/* ---------------------------------------------------------------------
 * The load.
 */

static char *
task_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
task_err(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = xstrdup("feed load failed");
	va_end(ap);
	return s;
}

/* Stream the archive's first member through the parser. */
static int
pump(struct feed *f, struct dl *d)
{
	struct archive		*a;
	struct archive_entry	*ent;
	char			 buf[64 * 1024];
	la_ssize_t		 n;
	int			 r, rc = -1;

	if ((a = archive_read_new()) == NULL) {
		(void)snprintf(f->err, sizeof(f->err), "out of memory");
		return -1;
	}
	/* In-library decompressors only (no external programs). */
	(void)archive_read_support_filter_gzip(a);
	(void)archive_read_support_filter_bzip2(a);
	(void)archive_read_support_filter_xz(a);
	(void)archive_read_support_filter_zstd(a);
	(void)archive_read_support_format_zip_streamable(a);
	(void)archive_read_support_format_raw(a);
	if (archive_read_open(a, d, NULL, dl_read, NULL) != ARCHIVE_OK ||
	    (r = archive_read_next_header(a, &ent)) == ARCHIVE_FATAL) {
		(void)snprintf(f->err, sizeof(f->err), "%s",
		    d->err[0] != '\0' ? d->err : archive_error_string(a) ?
		    archive_error_string(a) : "unreadable feed");
		goto out;
	}
	if (r == ARCHIVE_EOF) {
		(void)snprintf(f->err, sizeof(f->err), "%s",
		    d->err[0] != '\0' ? d->err : "the feed download is empty");
		goto out;
	}
	for (;;) {
		n = archive_read_data(a, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			(void)snprintf(f->err, sizeof(f->err), "%s",
			    d->err[0] != '\0' ? d->err :
			    archive_error_string(a) != NULL ?
			    archive_error_string(a) : "corrupt feed file");
			goto out;
		}
		if (feed_bytes(f, buf, (size_t)n) == -1)
			goto out;
	}
	if (d->err[0] != '\0') {
		(void)snprintf(f->err, sizeof(f->err), "%s", d->err);
		goto out;
	}
	rc = feed_finish(f);
out:
	archive_read_free(a);
	return rc;
}

static int
sql_ok(PGresult *pr, struct feed *f, const char *what)
{
	ExecStatusType	 st = PQresultStatus(pr);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 0;
	(void)snprintf(f->err, sizeof(f->err), "%s: %s", what,
	    PQresultErrorField(pr, PG_DIAG_MESSAGE_PRIMARY) ?
	    PQresultErrorField(pr, PG_DIAG_MESSAGE_PRIMARY) : "failed");
	return -1;
}

int
feed_load(const struct src_task *t, const struct feed_fmt *fmt,
    const char *url, const char *auth_key, struct src_task_out *out)
{
	struct feed		 f;
	struct dl		 d;
	struct curl_slist	*hdrs = NULL;
	PGconn			*c;
	PGresult		*pr;
	char			*newt = NULL, *qt = NULL, *sql = NULL;
	char			 tmo[32], rows[32], bytes[32], skip[32];
	const char		*p[5];
	long long		 left, dropped = 0;
	long long		 t_start = mono_ms(), t_copy = 0, t_end;
	curl_off_t		 wire = 0;
	int			 incopy = 0, rc = -1;

	feed_init(&f, fmt);
	memset(&d, 0, sizeof(d));
	out->rows = 0;
	out->bytes = 0;
	f.maxbytes = 2 * task_config_int(t, "maxBytes", DEF_MAX_BYTES);
	if (db_begin(t->db) != DB_OK || (c = db_conn(t->db)) == NULL) {
		out->error = task_err("%s: the database is unavailable",
		    fmt->name);
		return -1;
	}
	f.conn = c;
	/* The load may take as long as its deadline allows. */
	left = t->deadline > 0 ? t->deadline - mono_ms() : 0;
	(void)snprintf(tmo, sizeof(tmo), "%lld",
	    left > 0 ? left + 5000 : 0LL);
	p[0] = tmo;
	pr = PQexecParams(c, "SELECT set_config('statement_timeout', $1, true),"
	    " set_config('idle_in_transaction_session_timeout', '0', true)",
	    1, NULL, p, NULL, NULL, 0);
	if (sql_ok(pr, &f, "statement_timeout") == -1) {
		PQclear(pr);
		goto fail;
	}
	PQclear(pr);
	p[0] = fmt->table;
	pr = PQexecParams(c, "SELECT feed_prepare($1)", 1, NULL, p, NULL,
	    NULL, 0);
	if (sql_ok(pr, &f, "feed_prepare") == -1 || PQntuples(pr) != 1) {
		PQclear(pr);
		goto fail;
	}
	newt = xstrdup(PQgetvalue(pr, 0, 0));
	PQclear(pr);
	if ((qt = PQescapeIdentifier(c, newt, strlen(newt))) == NULL) {
		(void)snprintf(f.err, sizeof(f.err), "identifier");
		goto fail;
	}
	/* FREEZE: the table was created by this transaction. */
	xasprintf(&sql, "COPY %s (%s) FROM STDIN WITH (FREEZE)", qt,
	    fmt->columns);
	pr = PQexec(c, sql);
	if (PQresultStatus(pr) != PGRES_COPY_IN) {
		(void)sql_ok(pr, &f, "COPY");
		PQclear(pr);
		goto fail;
	}
	PQclear(pr);
	incopy = 1;

	if (dl_start(&d, t, url, auth_key, &hdrs) == -1) {
		(void)snprintf(f.err, sizeof(f.err), "cannot start a download");
		goto fail;
	}
	if (pump(&f, &d) == -1 || out_flush(&f) == -1)
		goto fail;
	(void)curl_easy_getinfo(d.easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
	out->bytes = (long long)wire;
	incopy = 0;
	if (PQputCopyEnd(c, NULL) != 1) {
		(void)snprintf(f.err, sizeof(f.err), "COPY: %s",
		    PQerrorMessage(c));
		goto fail;
	}
	pr = PQgetResult(c);
	if (sql_ok(pr, &f, "COPY") == -1) {
		PQclear(pr);
		while ((pr = PQgetResult(c)) != NULL)
			PQclear(pr);
		goto fail;
	}
	PQclear(pr);
	while ((pr = PQgetResult(c)) != NULL)
		PQclear(pr);

	if (t->stop != NULL && *t->stop) {
		(void)snprintf(f.err, sizeof(f.err), "stopped");
		goto fail;
	}
	t_copy = mono_ms();
	p[0] = fmt->table;
	p[1] = newt;
	pr = PQexecParams(c, "SELECT feed_swap($1, $2)", 2, NULL, p, NULL,
	    NULL, 0);
	if (sql_ok(pr, &f, "feed_swap") == -1) {
		PQclear(pr);
		goto fail;
	}
	dropped = strtoll(PQgetvalue(pr, 0, 0), NULL, 10);
	PQclear(pr);
	out->rows = f.rows - dropped;
	(void)snprintf(rows, sizeof(rows), "%lld", out->rows);
	(void)snprintf(bytes, sizeof(bytes), "%lld", out->bytes);
	(void)snprintf(skip, sizeof(skip), "%lld", f.skipped);
	free(sql);
	/* A constant table name from the format, never data. */
	xasprintf(&sql, "INSERT INTO %s (response_headers, rows, bytes, "
	    "skipped) VALUES ($1, $2, $3, $4)", fmt->refreshes);
	p[0] = d.hdr != NULL ? d.hdr : "";
	p[1] = rows;
	p[2] = bytes;
	p[3] = skip;
	pr = PQexecParams(c, sql, 4, NULL, p, NULL, NULL, 0);
	if (sql_ok(pr, &f, "refresh record") == -1) {
		PQclear(pr);
		goto fail;
	}
	PQclear(pr);
	if (db_commit(t->db) != DB_OK) {
		(void)snprintf(f.err, sizeof(f.err), "COMMIT failed");
		goto done;
	}
	t_end = mono_ms();
	log_info("%s feed: %lld rows loaded (%lld bytes, %lld malformed, "
	    "%lld duplicates; download and COPY %lld ms, indexes and swap "
	    "%lld ms)", fmt->name, out->rows, out->bytes, f.skipped, dropped,
	    t_copy - t_start, t_end - t_copy);
	rc = 0;
	goto done;

fail:
	if (incopy && PQputCopyEnd(c, "feed load aborted") == 1) {
		while ((pr = PQgetResult(c)) != NULL)
			PQclear(pr);
	}
	db_rollback(t->db);
done:
	if (rc == -1)
		out->rows = 0;
	if (rc == -1 && t->stop != NULL && *t->stop)
		out->error = xstrdup("stopped");	/* the scheduler's word */
	else if (rc == -1) {
		out->error = task_err("%s: %s", fmt->name,
		    f.err[0] != '\0' ? f.err : "feed load failed");
		if (out->bytes == 0)
			out->bytes = d.bytes;
		out->rows = 0;
	}
	dl_free(&d);
	curl_slist_free_all(hdrs);
	if (qt != NULL)
		PQfreemem(qt);
	free(newt);
	free(sql);
	feed_free(&f);
	return rc;
}

/* ---------------------------------------------------------------------
 * Local lookups.
 */

void
feed_answer(const struct src_in *in, const char *sql, int n,
    const char *const *params, struct src_out *out)
{
	PGresult	*pr;
	enum dbres	 res;
	json_object	*j = NULL;

	pr = in->db != NULL ? db_query(in->db, sql, n, params, &res) : NULL;
	if (pr == NULL || res != DB_OK || PQntuples(pr) != 1 ||
	    (j = json_tokener_parse(PQgetvalue(pr, 0, 0))) == NULL ||
	    !json_object_is_type(j, json_type_array)) {
		json_object_put(j);
		PQclear(pr);
		out->error = "DATABASE_ERROR";
		out->message = xstrdup("the feed table cannot be read");
		return;
	}
	PQclear(pr);
	if (json_object_array_length(j) == 0) {
		json_object_put(j);
		out->error = "NOT_FOUND";
		return;
	}
	out->data = j;
}

int
feed_host_params(const struct src_in *in, char **lo, char **hi)
{
	switch (in->kind) {
	case IND_DOMAIN:
		feed_rhost_range(in->data, lo, hi);
		return 0;
	case IND_IPV4:
	case IND_IPV6:
		feed_rhost_range(in->data, lo, hi);
		/* An address is its host exactly: the range of one value. */
		free(*hi);
		xasprintf(hi, "%s\x01", *lo);
		return 0;
	default:
		*lo = *hi = NULL;
		return -1;
	}
}
