/*
 * lib/feed.h -- downloaded threat feeds: the shared loader behind the
 * background tasks of the feed sources (URLhaus, PhishTank, OpenPhish,
 * ThreatFox).
 *
 * A feed is streamed: libcurl hands the body to libarchive (plain text,
 * gzip, bzip2, xz, zstd or the first member of a zip, recognised by
 * their content), whose output goes through an incremental parser (CSV,
 * lines, or a JSON array/object whose records are parsed one by one by
 * json-c) that writes PostgreSQL COPY rows.  Nothing holds the whole
 * file.  The rows go into a new table made LIKE the live one, inside one
 * transaction that ends with feed_swap() (sql/0007-feeds.sql): lookups
 * see the previous feed until the commit, and a failed, stopped or
 * killed load leaves it intact.
 */
#ifndef IOCAGG_FEED_H
#define IOCAGG_FEED_H

#include <stddef.h>

#include <json-c/json.h>

#include "source.h"

struct feed;

/* What a record callback says of its record. */
#define FEED_ROW	0	/* a row was written (feed_row()) */
#define FEED_BAD	(-1)	/* malformed: skipped and counted */
#define FEED_IGNORE	1	/* not data (a header line): skipped */

/*
 * One feed format.  The loader picks the callback by the content: a
 * body whose first non-blank byte is '[' or '{' goes to "json" when
 * set, otherwise to "csv" when set, otherwise to "line".  Lines and CSV
 * records starting with '#' are comments.
 */
struct feed_fmt {
	const char	*name;		/* messages: "URLhaus" */
	const char	*table;		/* live table: "url_haus" */
	const char	*refreshes;	/* "url_haus_refreshes" */
	const char	*columns;	/* COPY column list, in row order */
	int		 json_depth;	/* nesting of the JSON records:
					 * 1 for [ {...} ], 2 for
					 * {"key": [ {...} ]} */
	int	(*line)(struct feed *, const char *s, size_t n);
	int	(*csv)(struct feed *, char *const *f, const size_t *len,
		    size_t n);
	/* "key": the innermost object key around the record, or NULL. */
	int	(*json)(struct feed *, json_object *rec, const char *key);
};

/* The formats, defined with their sources in lib/sources/. */
extern const struct feed_fmt	feed_urlhaus;
extern const struct feed_fmt	feed_phishtank;
extern const struct feed_fmt	feed_openphish;
extern const struct feed_fmt	feed_threatfox;

/*
 * Download "url" and replace the feed table with its records.  Uses the
 * task's database connection, stop flag and deadline, the configured
 * proxy and user agent; "auth_key", when not NULL, is sent as an
 * Auth-Key header (abuse.ch) and turns off redirects.  Fills
 * out->rows/bytes; returns 0, or -1 with out->error set and the
 * previous feed intact.
 */
int		 feed_load(const struct src_task *, const struct feed_fmt *,
		    const char *url, const char *auth_key,
		    struct src_task_out *out);
/*
 * Parse "len" bytes of a whole (already decompressed) feed without a
 * database, handed to the parser "chunk" bytes at a time (0: at once),
 * into the NUL-terminated COPY text of its rows in *copy (xmalloc'd;
 * "copy" NULL: dropped): unit tests and fuzzing.  Returns the rows, -1
 * with "err" set when the feed is refused as a whole; *skipped gets the
 * malformed records.
 */
long long	 feed_parse_buffer(const struct feed_fmt *, const char *buf,
		    size_t len, size_t chunk, char **copy, size_t *copylen,
		    long long *skipped, char *err, size_t errsz);

/* The row being written: one call per column, in fmt->columns order. */
void		 feed_col(struct feed *, const char *s, size_t n);
void		 feed_col_str(struct feed *, const char *s);	/* NULL: \N */
void		 feed_col_null(struct feed *);
/* The row is complete; returns FEED_ROW, or FEED_BAD when a column was
 * not valid UTF-8 (the row is dropped). */
int		 feed_row(struct feed *);

/*
 * A feed timestamp ("2024-01-31 10:44:22", "2024-01-31T10:44:22+02:00",
 * "... UTC", fractions ignored) as "YYYY-MM-DD HH:MM:SS" in UTC into
 * "out"; -1 when it is not a valid date and time.
 */
#define FEED_TS_LEN	20
int		 feed_ts(const char *s, size_t n, char out[FEED_TS_LEN]);
/* "s" is 1 to 18 decimal digits. */
int		 feed_id_ok(const char *s, size_t n);
/* The configured feed_url_<builtin> (iocagg.conf(5)), else "def". */
const char	*feed_url(const char *builtin, const char *def);

/*
 * For the sources' run(): the value of secret "name" of a task, or NULL.
 */
const char	*feed_task_secret(const struct src_task *, const char *name);

/*
 * Local lookups.  The bounds of the feed_rhost() range of a domain (its
 * host and every name under it) or the exact value for an IP address:
 * lo = reverse("." + host), hi = lo with its last byte ('.') raised;
 * xmalloc'd.
 */
void		 feed_rhost_range(const char *host, char **lo, char **hi);
/*
 * For DOMAIN, IPV4 and IPV6 indicators: the range above (an address
 * matches its host exactly); -1 for other kinds.
 */
int		 feed_host_params(const struct src_in *, char **lo, char **hi);
/*
 * Run "sql", which returns one row with one column: the matching feed
 * rows as a JSON array (json_agg, snake_case as stored).  An empty
 * array is NOT_FOUND, a database failure DATABASE_ERROR.
 */
void		 feed_answer(const struct src_in *, const char *sql, int n,
		    const char *const *params, struct src_out *out);

#endif
