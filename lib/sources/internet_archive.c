/*
 * lib/sources/internet_archive.c -- the Wayback Machine's CDX server for
 * URLs and domains (a domain is its root page).  Two calls, so a run()
 * source: GET /cdx/search/cdx?url=...&output=json&limit=N (the N
 * oldest captures, oldest first), then, when there are more than N,
 * ...&limit=-1&fastLatest=true (the newest capture).  No key.
 *
 * CDX answers JSON rows, the first being the field names:
 *   [["timestamp","original",...], ["20020120142510","http://...",...]]
 * "data" is {"url", "captures": [{field: value..., "snapshot"}],
 * "first", "last", "truncated"}, with "snapshot" the Wayback URL of the
 * capture.  No capture at all is NOT_FOUND.
 *
 * Config value "max_results" (1..1000, default 10): captures kept.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define FIELDS	"timestamp,original,mimetype,statuscode,digest,length"

/* One CDX query; 0 with its rows in "*rows" (owned), -1 with "out" set. */
static int
cdx(const struct src_in *in, const char *target, const char *extra,
    json_object **rows, struct src_out *out)
{
	struct src_req	 rq;
	char		*t, *body = NULL;
	size_t		 len;

	*rows = NULL;
	memset(&rq, 0, sizeof(rq));
	t = src_escape(target);
	rq.url = src_url(in->base, "/cdx/search/cdx?url=%s&output=json"
	    "&fl=" FIELDS "%s", t, extra);
	free(t);
	src_headers(in, &rq, NULL, NULL, NULL);
	if (src_http(in, &rq, 1, &body, &len, rows, out) == -1) {
		free(body);
		return -1;
	}
	free(body);
	/* An empty answer, or [] : no capture. */
	if (*rows == NULL)
		*rows = json_object_new_array();
	if (!json_object_is_type(*rows, json_type_array)) {
		json_object_put(*rows);
		*rows = NULL;
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("the CDX answer is not a list of rows");
		return -1;
	}
	return 0;
}

/* CDX "YYYYMMDDhhmmss" as ISO 8601 UTC, or NULL. */
static json_object *
cdx_time(const char *ts)
{
	char	 buf[32];

	if (ts == NULL || strlen(ts) != 14 || strspn(ts, "0123456789") != 14)
		return NULL;
	(void)snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ",
	    ts, ts + 4, ts + 6, ts + 8, ts + 10, ts + 12);
	return json_object_new_string(buf);
}

/* Row "i" of "rows" as an object keyed by the header row, or NULL. */
static json_object *
capture(json_object *rows, size_t i)
{
	json_object	*hdr, *row, *o, *c;
	const char	*k, *ts, *orig;
	char		*snap;
	size_t		 j, n;

	hdr = json_object_array_get_idx(rows, 0);
	row = json_object_array_get_idx(rows, i);
	if (!json_object_is_type(hdr, json_type_array) ||
	    !json_object_is_type(row, json_type_array))
		return NULL;
	n = json_object_array_length(hdr);
	if (json_object_array_length(row) < n)
		return NULL;
	o = json_object_new_object();
	for (j = 0; j < n; j++) {
		if ((k = json_object_get_string(json_object_array_get_idx(hdr,
		    j))) == NULL)
			continue;
		c = json_object_array_get_idx(row, j);
		(void)jadd_nullable(o, k, json_object_get(c));
	}
	ts = jget_str(o, "timestamp");
	orig = jget_str(o, "original");
	if (ts == NULL || orig == NULL) {
		json_object_put(o);
		return NULL;
	}
	(void)jadd_nullable(o, "time", cdx_time(ts));
	xasprintf(&snap, "https://web.archive.org/web/%s/%s", ts, orig);
	(void)jadd(o, "snapshot", json_object_new_string(snap));
	free(snap);
	return o;
}

static void
ia_run(const struct src_in *in, struct src_out *out)
{
	json_object	*rows = NULL, *tail = NULL, *caps, *data, *c, *last;
	long long	 max;
	size_t		 i, n;
	char		 extra[64];

	if (in->kind != IND_URL && in->kind != IND_DOMAIN) {
		out->error = "UNSUPPORTED_INDICATOR";
		out->message = xstrdup("the Wayback Machine looks up URLs and "
		    "domains only");
		return;
	}
	max = src_config_int(in, "max_results", 10, 1, 1000);
	/* One more than kept: tells whether there are more. */
	(void)snprintf(extra, sizeof(extra), "&limit=%lld", max + 1);
	if (cdx(in, in->data, extra, &rows, out) == -1)
		return;
	n = json_object_array_length(rows);
	if (n < 2) {
		json_object_put(rows);
		out->error = "NOT_FOUND";
		return;
	}
	caps = json_object_new_array();
	for (i = 1; i < n && (long long)i <= max; i++)
		if ((c = capture(rows, i)) != NULL)
			(void)jappend(caps, c);
	if (json_object_array_length(caps) == 0) {
		json_object_put(caps);
		json_object_put(rows);
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("CDX rows without timestamp and "
		    "original");
		return;
	}
	last = NULL;
	if ((long long)n - 1 > max) {
		/* More captures than kept: ask for the newest one. */
		if (cdx(in, in->data, "&limit=-1&fastLatest=true", &tail,
		    out) == -1) {
			json_object_put(caps);
			json_object_put(rows);
			return;
		}
		if (json_object_array_length(tail) >= 2)
			last = capture(tail, json_object_array_length(tail) -
			    1);
		json_object_put(tail);
	}
	if (last == NULL)
		last = json_object_get(json_object_array_get_idx(caps,
		    json_object_array_length(caps) - 1));
	data = json_object_new_object();
	(void)jadd(data, "url", json_object_new_string(in->data));
	(void)jadd(data, "first", json_object_get(
	    json_object_array_get_idx(caps, 0)));
	(void)jadd(data, "last", last);
	(void)jadd(data, "truncated", json_object_new_boolean(
	    (long long)n - 1 > max));
	(void)jadd(data, "captures", caps);
	json_object_put(rows);
	out->data = data;
}

/*
 * Being archived is no judgement: unknown, score 0, tag "archived";
 * first/last seen are the oldest and newest captures.
 */
static json_object *
ia_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *f, *l;

	(void)in;
	v = src_verdict_new(SRC_UNKNOWN, 0);
	src_verdict_tag(v, "archived");
	f = l = NULL;
	(void)json_object_object_get_ex(data, "first", &f);
	(void)json_object_object_get_ex(data, "last", &l);
	src_verdict_seen(v, jget_str(f, "time"), jget_str(l, "time"));
	return v;
}

const struct src_def src_internet_archive = {
	.builtin = "internet_archive",
	.base = "https://web.archive.org",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN),
	.run = ia_run,
	.verdict = ia_verdict,
};
