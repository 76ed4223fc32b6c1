/*
 * tests/fuzz/fuzz-feed.c -- libFuzzer target for the feed parsers of
 * lib/feed.h: the CSV, line and JSON splitters and the record callbacks
 * of the URLhaus, PhishTank, OpenPhish and ThreatFox formats, without a
 * database.  The first input byte picks the format, the second seeds the
 * chunk sizes; the rest is a decompressed feed body.
 *
 * The body is parsed three ways: whole (feed_parse_buffer() with chunk
 * 0), in chunks of varying sizes from 1 byte up (the splitter's own
 * entry points, as the download loop calls them with whatever libcurl
 * and libarchive hand over; this is why the file includes lib/feed.c,
 * whose splitter is static), and, for bodies up to 4 KB, one byte at a
 * time through feed_parse_buffer().
 *
 * Invariants: no crash, sanitizer report or leak; the three parses
 * agree on the outcome, the error text, the rows, the malformed count
 * and the COPY text; a refused feed has a message; an accepted one has
 * rows and no more malformed records than rows; the COPY text has one
 * line per row, each with exactly as many tab-separated columns as the
 * format's column list (else PostgreSQL's COPY fails the whole load)
 * and only valid UTF-8 without NUL.  Build: tests/fuzz/run.sh feed.
 */
#include "../../lib/feed.c"

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct feed_fmt *const fmts[] = {
	&feed_urlhaus, &feed_phishtank, &feed_openphish, &feed_threatfox,
};

struct result {
	long long	 rows, skipped;
	char		*copy;
	size_t		 copylen;
	char		 err[256];
};

static void
fail(const struct feed_fmt *fmt, const char *what, const struct result *a,
    const struct result *b)
{
	fprintf(stderr, "fuzz-feed: %s: %s\n", fmt->name, what);
	fprintf(stderr, "  A: rows %lld skipped %lld err \"%s\" copy %zu "
	    "bytes\n", a->rows, a->skipped, a->err, a->copylen);
	if (b != NULL)
		fprintf(stderr, "  B: rows %lld skipped %lld err \"%s\" copy "
		    "%zu bytes\n", b->rows, b->skipped, b->err, b->copylen);
	abort();
}

/* The same as feed_parse_buffer(), with chunk sizes from "seed". */
static void
parse_chunked(const struct feed_fmt *fmt, const char *buf, size_t len,
    unsigned seed, struct result *r)
{
	struct feed	 f;
	size_t		 off, n;
	uint32_t	 x = seed * 2654435761u + (uint32_t)len + 1;
	int		 rc = 0;

	feed_init(&f, fmt);
	f.collect = 1;
	for (off = 0; off < len && rc == 0; off += n) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* Mostly small chunks, now and then a large one. */
		n = 1 + (x >> 8) % ((size_t)1 << (x % 11));
		if (n > len - off)
			n = len - off;
		rc = feed_bytes(&f, buf + off, n);
	}
	memset(r, 0, sizeof(*r));
	r->rows = -1;
	if (rc == 0 && feed_finish(&f) == 0)
		r->rows = f.rows;
	else
		(void)strlcpy(r->err, f.err, sizeof(r->err));
	r->skipped = f.skipped;
	grow(&f.out, &f.outcap, f.outlen + 1);
	f.out[f.outlen] = '\0';
	r->copy = f.out;
	r->copylen = f.outlen;
	f.out = NULL;
	feed_free(&f);
}

static void
parse_buffer(const struct feed_fmt *fmt, const char *buf, size_t len,
    size_t chunk, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->rows = feed_parse_buffer(fmt, buf, len, chunk, &r->copy,
	    &r->copylen, &r->skipped, r->err, sizeof(r->err));
	if (r->rows >= 0)
		r->err[0] = '\0';	/* not set on success */
}

static void
same(const struct feed_fmt *fmt, const struct result *a,
    const struct result *b)
{
	if (a->rows != b->rows || a->skipped != b->skipped ||
	    strcmp(a->err, b->err) != 0 || a->copylen != b->copylen ||
	    memcmp(a->copy, b->copy, a->copylen) != 0)
		fail(fmt, "the chunking changed the result", a, b);
}

static void
check(const struct feed_fmt *fmt, const struct result *r)
{
	const char	*p, *e, *nl;
	size_t		 ncols = 1, tabs;
	long long	 lines = 0;

	for (p = fmt->columns; *p != '\0'; p++)
		if (*p == ',')
			ncols++;
	if (r->rows < 0 && r->err[0] == '\0')
		fail(fmt, "refused without a message", r, NULL);
	if (r->rows == 0)
		fail(fmt, "accepted without a row", r, NULL);
	if (r->rows > 0 && r->skipped > r->rows)
		fail(fmt, "accepted with more malformed records than rows",
		    r, NULL);
	if (strlen(r->copy) != r->copylen)
		fail(fmt, "NUL in the COPY text", r, NULL);
	if (!utf8_ok((const unsigned char *)r->copy, r->copylen))
		fail(fmt, "COPY text is not UTF-8", r, NULL);
	for (p = r->copy, e = r->copy + r->copylen; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			fail(fmt, "COPY text without a final newline", r, NULL);
		for (tabs = 0; p < nl; p++)
			if (*p == '\t')
				tabs++;
		if (tabs + 1 != ncols) {
			fprintf(stderr, "row %lld: %zu columns, want %zu\n",
			    lines + 1, tabs + 1, ncols);
			fail(fmt, "a row has the wrong number of columns", r,
			    NULL);
		}
		lines++;
	}
	/* Rows are counted whether the text is kept or not. */
	if (r->rows > 0 && lines != r->rows)
		fail(fmt, "rows and COPY lines differ", r, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct feed_fmt	*fmt;
	struct result		 whole, chunked, bytes;
	const char		*buf;
	size_t			 len;

	if (size < 2)
		return 0;
	fmt = fmts[data[0] % (sizeof(fmts) / sizeof(fmts[0]))];
	buf = (const char *)data + 2;
	len = size - 2;

	parse_buffer(fmt, buf, len, 0, &whole);
	check(fmt, &whole);
	parse_chunked(fmt, buf, len, data[1], &chunked);
	same(fmt, &whole, &chunked);
	free(chunked.copy);
	if (len <= 4096) {
		parse_buffer(fmt, buf, len, 1, &bytes);
		same(fmt, &whole, &bytes);
		free(bytes.copy);
	}
	free(whole.copy);
	return 0;
}
