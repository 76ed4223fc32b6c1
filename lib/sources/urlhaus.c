/*
 * lib/sources/urlhaus.c -- URLhaus (abuse.ch): the local feed and the
 * lookup API v1.
 *
 * The background task loads the CSV dump (https://urlhaus.abuse.ch/
 * downloads/csv/, a zip; plain CSV works too) into the url_haus table.
 * A URL, domain or IP address is first looked up there (a URL exactly,
 * a domain with its subdomains and an address by the host of the
 * listed URLs); the answer is then the array of matching rows.  On a
 * miss, and for MD5/SHA256 payloads, the API answers when the secret
 * slot URLHAUS_KEY holds a key (sent as Auth-Key): POST url/, host/ or
 * payload/; "query_status": "ok" carries data, "no_results" is
 * NOT_FOUND, anything else RESPONSE_ERROR.  Without a key a feed miss
 * is NOT_FOUND.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "feed.h"
#include "json.h"
#include "source.h"
#include "xmalloc.h"

static int
uh_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	const char	*path, *field, *key;
	char		*v, *hdr;

	switch (in->kind) {
	case IND_URL:
		path = "url/";
		field = "url";
		break;
	case IND_DOMAIN:
	case IND_IPV4:
	case IND_IPV6:
		path = "host/";
		field = "host";
		break;
	case IND_MD5:
		path = "payload/";
		field = "md5_hash";
		break;
	case IND_SHA256:
		path = "payload/";
		field = "sha256_hash";
		break;
	default:
		(void)snprintf(err, errsz, "URLhaus has no %s lookup",
		    ind_kind_name(in->kind));
		return -1;
	}
	rq->url = src_url(in->base, "/%s", path);
	rq->post = 1;
	v = src_escape(in->data);
	xasprintf(&rq->body, "%s=%s", field, v);
	free(v);
	rq->headers = curl_slist_append(rq->headers,
	    "Content-Type: application/x-www-form-urlencoded");
	if ((key = src_secret(in, "URLHAUS_KEY")) != NULL) {
		xasprintf(&hdr, "Auth-Key: %s", key);
		rq->headers = curl_slist_append(rq->headers, hdr);
		freezero_str(hdr);
	}
	return 0;
}

static void
uh_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	const char	*qs = jget_str(body, "query_status");

	(void)in;
	if (qs != NULL && strcmp(qs, "ok") == 0)
		out->data = json_object_get(body);
	else if (qs != NULL && strcmp(qs, "no_results") == 0)
		out->error = "NOT_FOUND";
	else {
		out->error = "RESPONSE_ERROR";
		xasprintf(&out->message, "query_status %s",
		    qs != NULL ? qs : "missing");
	}
}

/* ---------------------------------------------------------------------
 * The feed: id,dateadded,url,url_status,last_online,threat,tags,
 * urlhaus_link,reporter (the header is a comment line).
 */

#define UH_FEED	"https://urlhaus.abuse.ch/downloads/csv/"

static int
uh_csv(struct feed *f, char *const *v, const size_t *len, size_t n)
{
	char	 added[FEED_TS_LEN], online[FEED_TS_LEN];
	int	 has_online;

	if (n == 9 && strcmp(v[0], "id") == 0)
		return FEED_IGNORE;		/* an uncommented header */
	if (n != 9 || !feed_id_ok(v[0], len[0]) ||
	    feed_ts(v[1], len[1], added) == -1 || len[2] == 0 ||
	    len[3] == 0 || len[7] == 0)
		return FEED_BAD;
	has_online = len[4] > 0;
	if (has_online && feed_ts(v[4], len[4], online) == -1)
		return FEED_BAD;
	feed_col(f, v[0], len[0]);
	feed_col_str(f, added);
	feed_col(f, v[2], len[2]);
	feed_col(f, v[3], len[3]);
	feed_col_str(f, has_online ? online : NULL);
	feed_col(f, v[5], len[5]);
	if (len[6] > 0 && strcmp(v[6], "None") != 0)
		feed_col(f, v[6], len[6]);
	else
		feed_col_null(f);
	feed_col(f, v[7], len[7]);
	feed_col(f, v[8], len[8]);
	return feed_row(f);
}

const struct feed_fmt feed_urlhaus = {
	.name = "URLhaus",
	.table = "url_haus",
	.refreshes = "url_haus_refreshes",
	.columns = "id, dateadded, url, url_status, last_online, threat, "
	    "tags, urlhaus_link, reporter",
	.csv = uh_csv,
};

static int
uh_task(const struct src_task *t, struct src_task_out *out)
{
	return feed_load(t, &feed_urlhaus, feed_url("urlhaus", UH_FEED),
	    feed_task_secret(t, "URLHAUS_KEY"), out);
}

/*
 * The host range is MATERIALIZED first: with ORDER BY id LIMIT and
 * parameters, a generic plan would walk the primary key backwards and
 * test every row of the feed for a domain with few URLs.
 */
#define UH_COLS	"id, dateadded, url, url_status, last_online, threat, tags, " \
	"urlhaus_link, reporter"

/* The local feed; 0 when it answered (hit or failure), -1 on a miss. */
static int
uh_local(const struct src_in *in, struct src_out *out)
{
	const char	*p[3];
	char		*lo, *hi, lim[16];

	(void)snprintf(lim, sizeof(lim), "%lld",
	    src_config_int(in, "maxResults", 100, 1, 1000));
	if (in->kind == IND_URL) {
		p[0] = in->data;
		p[1] = lim;
		feed_answer(in, "SELECT coalesce(json_agg(t), '[]') FROM "
		    "(SELECT " UH_COLS " FROM url_haus WHERE url = $1 "
		    "ORDER BY id DESC LIMIT $2::int) t", 2, p, out);
	} else if (feed_host_params(in, &lo, &hi) == 0) {
		p[0] = lo;
		p[1] = hi;
		p[2] = lim;
		feed_answer(in, "WITH m AS MATERIALIZED (SELECT " UH_COLS
		    " FROM url_haus WHERE feed_rhost(url) COLLATE \"C\" >= $1 "
		    "AND feed_rhost(url) COLLATE \"C\" < $2) "
		    "SELECT coalesce(json_agg(t), '[]') FROM "
		    "(SELECT * FROM m ORDER BY id DESC LIMIT $3::int) t",
		    3, p, out);
		free(lo);
		free(hi);
	} else
		return -1;
	if (out->error != NULL && strcmp(out->error, "NOT_FOUND") == 0) {
		out->error = NULL;
		return -1;
	}
	return 0;
}

static void
uh_run(const struct src_in *in, struct src_out *out)
{
	struct src_req	 rq;
	json_object	*j = NULL;
	char		*body = NULL, err[256];
	size_t		 len = 0;
	int		 local = in->kind == IND_URL ||
	    in->kind == IND_DOMAIN || in->kind == IND_IPV4 ||
	    in->kind == IND_IPV6;

	if (local && uh_local(in, out) == 0)
		return;
	if (local && src_secret(in, "URLHAUS_KEY") == NULL) {
		out->error = "NOT_FOUND";
		return;
	}
	memset(&rq, 0, sizeof(rq));
	if (uh_build(in, &rq, err, sizeof(err)) == -1) {
		free(rq.url);
		free(rq.body);
		curl_slist_free_all(rq.headers);
		out->error = "UNSUPPORTED_INDICATOR";
		out->message = xstrdup(err);
		return;
	}
	if (src_http(in, &rq, 1, &body, &len, &j, out) == 0)
		uh_parse(in, j, out);
	json_object_put(j);
	free(body);
}

/* Tags of a feed row ("a,b,c") or of an API answer (an array). */
static void
uh_tags(json_object *v, json_object *o)
{
	json_object	*t;
	char		*s, *p, *tok;
	size_t		 i;

	if (!json_object_object_get_ex(o, "tags", &t) || t == NULL)
		return;
	if (json_object_is_type(t, json_type_array)) {
		for (i = 0; i < json_object_array_length(t); i++)
			src_verdict_tag(v, json_object_get_string(
			    json_object_array_get_idx(t, i)));
		return;
	}
	if (!json_object_is_type(t, json_type_string))
		return;
	s = p = xstrdup(json_object_get_string(t));
	while ((tok = strsep(&p, ",")) != NULL)
		if (*tok != '\0')
			src_verdict_tag(v, tok);
	free(s);
}

static int
is_online(json_object *o)
{
	const char	*s = jget_str(o, "url_status");

	return s != NULL && strcmp(s, "online") == 0;
}

static json_object *
uh_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *e, *a;
	const char	*first = NULL, *last = NULL, *s;
	size_t		 i, n;
	int		 online = 0, exact = in->kind == IND_URL;

	if (json_object_is_type(data, json_type_array)) {
		/* Rows of the local feed. */
		if ((n = json_object_array_length(data)) == 0)
			return NULL;
		for (i = 0; i < n; i++)
			online |= is_online(json_object_array_get_idx(data, i));
		v = exact ? src_verdict_new(SRC_MALICIOUS, online ? 100 : 80) :
		    src_verdict_new(online ? SRC_MALICIOUS : SRC_SUSPICIOUS,
		    online ? 80 : 60);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(data, i);
			src_verdict_tag(v, jget_str(e, "threat"));
			uh_tags(v, e);
			if ((s = jget_str(e, "dateadded")) != NULL &&
			    (first == NULL || strcmp(s, first) < 0))
				first = s;
			if ((s = jget_str(e, "last_online")) != NULL &&
			    (last == NULL || strcmp(s, last) > 0))
				last = s;
			if (!exact && i < 20)
				src_verdict_related(v, "URL",
				    jget_str(e, "url"));
		}
		src_verdict_seen(v, first, last);
		return v;
	}
	if (!json_object_is_type(data, json_type_object))
		return NULL;
	switch (in->kind) {
	case IND_URL:
		v = src_verdict_new(SRC_MALICIOUS, is_online(data) ? 100 : 80);
		src_verdict_tag(v, jget_str(data, "threat"));
		uh_tags(v, data);
		src_verdict_seen(v, jget_str(data, "date_added"),
		    jget_str(data, "last_online"));
		if (json_object_object_get_ex(data, "payloads", &a) &&
		    json_object_is_type(a, json_type_array))
			for (i = 0; i < json_object_array_length(a) && i < 20;
			    i++)
				src_verdict_related(v, "SHA256", jget_str(
				    json_object_array_get_idx(a, i),
				    "response_sha256"));
		return v;
	case IND_MD5:
	case IND_SHA256:
		v = src_verdict_new(SRC_MALICIOUS, 100);
		src_verdict_tag(v, jget_str(data, "signature"));
		src_verdict_tag(v, jget_str(data, "file_type"));
		src_verdict_seen(v, jget_str(data, "firstseen"),
		    jget_str(data, "lastseen"));
		return v;
	default:
		if (!json_object_object_get_ex(data, "urls", &a) ||
		    !json_object_is_type(a, json_type_array))
			return src_verdict_new(SRC_SUSPICIOUS, 50);
		n = json_object_array_length(a);
		for (i = 0; i < n; i++)
			online |= is_online(json_object_array_get_idx(a, i));
		v = src_verdict_new(online ? SRC_MALICIOUS : SRC_SUSPICIOUS,
		    online ? 80 : 60);
		for (i = 0; i < n && i < 20; i++) {
			e = json_object_array_get_idx(a, i);
			src_verdict_tag(v, jget_str(e, "threat"));
			uh_tags(v, e);
			src_verdict_related(v, "URL", jget_str(e, "url"));
		}
		src_verdict_seen(v, jget_str(data, "firstseen"), NULL);
		return v;
	}
}

const struct src_def src_urlhaus = {
	.builtin = "urlhaus",
	.base = "https://urlhaus-api.abuse.ch/v1",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN) | KIND_BIT(IND_IPV4) |
	    KIND_BIT(IND_IPV6) | KIND_BIT(IND_MD5) | KIND_BIT(IND_SHA256),
	.run = uh_run,
	.verdict = uh_verdict,
	.task = uh_task,
};
