/*
 * lib/sources/threatfox.c -- ThreatFox (abuse.ch): the local IOC export
 * and the API.
 *
 * The background task loads the IOC export (JSON,
 * https://threatfox.abuse.ch/export/json/recent/, an object of
 * {"<ioc id>": [ {...} ]}; the CSV export, plain or zipped, is read too)
 * into the threatfox table.  A lookup reads that table first: URLs,
 * domains and hashes exactly, an IP address as the host of its
 * "ip:port" IOCs, a domain or IP also as the host of listed URLs.  On a
 * miss, when the secret slot THREATFOX_KEY holds a key, the API answers
 * (POST https://threatfox-api.abuse.ch/api/v1/ with Auth-Key:
 * {"query": "search_hash", "hash"} for MD5/SHA256, {"query":
 * "search_ioc", "search_term"} for the rest; "ok" carries data,
 * "no_result" is NOT_FOUND, any other query_status RESPONSE_ERROR).
 * Without a key a local miss is NOT_FOUND.  The export holds recent
 * IOCs; the API knows them all.
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

#define TF_FEED	"https://threatfox.abuse.ch/export/json/recent/"

static int
blank(const char *s)
{
	return s == NULL || *s == '\0' || strcmp(s, "None") == 0 ||
	    strcmp(s, "null") == 0;
}

/* One IOC; every value a NUL-terminated string or NULL. */
static int
tf_emit(struct feed *f, const char *id, const char *ioc, const char *type,
    const char *threat, const char *malware, const char *printable,
    const char *conf, const char *first, const char *last,
    const char *ref, const char *tags, const char *reporter)
{
	char	 t1[FEED_TS_LEN], t2[FEED_TS_LEN];
	int	 haslast;

	if (id == NULL || !feed_id_ok(id, strlen(id)) || blank(ioc) ||
	    blank(type) || first == NULL ||
	    feed_ts(first, strlen(first), t1) == -1 || conf == NULL ||
	    !feed_id_ok(conf, strlen(conf)) || strlen(conf) > 3)
		return FEED_BAD;
	haslast = !blank(last);
	if (haslast && feed_ts(last, strlen(last), t2) == -1)
		return FEED_BAD;
	feed_col_str(f, id);
	feed_col_str(f, ioc);
	feed_col_str(f, type);
	feed_col_str(f, blank(threat) ? "" : threat);
	feed_col_str(f, blank(malware) ? "" : malware);
	feed_col_str(f, blank(printable) ? "" : printable);
	feed_col_str(f, conf);
	feed_col_str(f, t1);
	feed_col_str(f, haslast ? t2 : NULL);
	feed_col_str(f, blank(ref) ? NULL : ref);
	feed_col_str(f, blank(tags) ? NULL : tags);
	feed_col_str(f, blank(reporter) ? NULL : reporter);
	return feed_row(f);
}

/*
 * CSV: first_seen_utc, ioc_id, ioc_value, ioc_type, threat_type,
 * fk_malware, malware_alias, malware_printable, last_seen_utc,
 * confidence_level, reference, tags, anonymous, reporter.
 */
static int
tf_csv(struct feed *f, char *const *v, const size_t *len, size_t n)
{
	(void)len;
	if (n >= 2 && strcmp(v[1], "ioc_id") == 0)
		return FEED_IGNORE;
	if (n < 14)
		return FEED_BAD;
	return tf_emit(f, v[1], v[2], v[3], v[4], v[5], v[7], v[9], v[0],
	    v[8], v[10], v[11], v[13]);
}

static const char *
sval(json_object *o, const char *k)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int))
		return json_object_get_string(v);
	return NULL;
}

static int
tf_json(struct feed *f, json_object *rec, const char *key)
{
	json_object	*t;
	char		*tags = NULL;
	const char	*ts;
	size_t		 i;
	int		 rc;

	/* Tags: a "a,b" string, or an array in some exports. */
	if (json_object_object_get_ex(rec, "tags", &t) &&
	    json_object_is_type(t, json_type_array)) {
		for (i = 0; i < json_object_array_length(t); i++) {
			const char *s = json_object_get_string(
			    json_object_array_get_idx(t, i));
			char *n;

			if (s == NULL)
				continue;
			xasprintf(&n, "%s%s%s", tags ? tags : "",
			    tags ? "," : "", s);
			free(tags);
			tags = n;
		}
		ts = tags;
	} else
		ts = sval(rec, "tags");
	rc = tf_emit(f, sval(rec, "id") ? sval(rec, "id") : key,
	    sval(rec, "ioc_value") ? sval(rec, "ioc_value") : sval(rec, "ioc"),
	    sval(rec, "ioc_type"), sval(rec, "threat_type"),
	    sval(rec, "malware"), sval(rec, "malware_printable"),
	    sval(rec, "confidence_level"),
	    sval(rec, "first_seen_utc") ? sval(rec, "first_seen_utc") :
	    sval(rec, "first_seen"),
	    sval(rec, "last_seen_utc") ? sval(rec, "last_seen_utc") :
	    sval(rec, "last_seen"),
	    sval(rec, "reference"), ts, sval(rec, "reporter"));
	free(tags);
	return rc;
}

const struct feed_fmt feed_threatfox = {
	.name = "ThreatFox",
	.table = "threatfox",
	.refreshes = "threatfox_refreshes",
	.columns = "id, ioc, ioc_type, threat_type, malware, "
	    "malware_printable, confidence_level, first_seen, last_seen, "
	    "reference, tags, reporter",
	.json_depth = 2,
	.json = tf_json,
	.csv = tf_csv,
};

static int
tf_task(const struct src_task *t, struct src_task_out *out)
{
	return feed_load(t, &feed_threatfox, feed_url("threatfox", TF_FEED),
	    feed_task_secret(t, "THREATFOX_KEY"), out);
}

/* The matches first (see urlhaus.c), then the newest of them. */
#define TF_SEL	"WITH m AS MATERIALIZED (SELECT id, ioc, " \
	"ioc_type, threat_type, malware, malware_printable, " \
	"confidence_level, first_seen, last_seen, reference, tags, reporter " \
	"FROM threatfox WHERE "
#define TF_END	") SELECT coalesce(json_agg(t), '[]') FROM " \
	"(SELECT * FROM m ORDER BY id DESC LIMIT $4::int) t"

/* The local export; 0 when it answered (hit or failure), -1 on a miss. */
static int
tf_local(const struct src_in *in, struct src_out *out)
{
	const char	*p[4];
	char		*lo = NULL, *hi = NULL, lim[16];

	(void)snprintf(lim, sizeof(lim), "%lld",
	    src_config_int(in, "maxResults", 100, 1, 1000));
	p[0] = in->data;
	p[1] = NULL;
	p[2] = NULL;
	p[3] = lim;
	switch (in->kind) {
	case IND_URL:
		feed_answer(in, TF_SEL "ioc_type = 'url' AND ioc = $1 AND "
		    "$2::text IS NULL AND $3::text IS NULL" TF_END, 4, p, out);
		break;
	case IND_DOMAIN:
		(void)feed_host_params(in, &lo, &hi);
		p[1] = lo;
		p[2] = hi;
		feed_answer(in, TF_SEL "(ioc_type = 'domain' AND "
		    "lower(ioc) = lower($1)) OR (ioc_type = 'url' AND "
		    "feed_rhost(ioc) COLLATE \"C\" >= $2 AND "
		    "feed_rhost(ioc) COLLATE \"C\" < $3)" TF_END, 4, p, out);
		break;
	case IND_IPV4:
	case IND_IPV6:
		(void)feed_host_params(in, &lo, &hi);
		p[1] = lo;
		p[2] = hi;
		feed_answer(in, TF_SEL "(ioc_type = 'ip:port' AND "
		    "feed_ioc_host(ioc, ioc_type) = lower($1)) OR "
		    "(ioc_type = 'url' AND "
		    "feed_rhost(ioc) COLLATE \"C\" >= $2 AND "
		    "feed_rhost(ioc) COLLATE \"C\" < $3)" TF_END, 4, p, out);
		break;
	case IND_MD5:
	case IND_SHA1:
	case IND_SHA256:
		feed_answer(in, TF_SEL "(ioc = $1 OR ioc = lower($1)) AND "
		    "$2::text IS NULL AND $3::text IS NULL" TF_END, 4, p, out);
		break;
	default:
		return -1;
	}
	free(lo);
	free(hi);
	if (out->error != NULL && strcmp(out->error, "NOT_FOUND") == 0) {
		out->error = NULL;
		return -1;
	}
	return 0;
}

static void
tf_api(const struct src_in *in, const char *key, struct src_out *out)
{
	struct src_req	 rq;
	json_object	*body, *j = NULL;
	const char	*qs;
	char		*raw = NULL, *h;
	size_t		 len = 0;

	memset(&rq, 0, sizeof(rq));
	body = json_object_new_object();
	if (in->kind == IND_MD5 || in->kind == IND_SHA256) {
		(void)jadd(body, "query", json_object_new_string("search_hash"));
		(void)jadd(body, "hash", json_object_new_string(in->data));
	} else {
		(void)jadd(body, "query", json_object_new_string("search_ioc"));
		(void)jadd(body, "search_term",
		    json_object_new_string(in->data));
		(void)jadd(body, "exact_match", json_object_new_boolean(1));
	}
	rq.url = src_url(in->base, "/");
	rq.post = 1;
	rq.body = xstrdup(json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(body);
	rq.headers = curl_slist_append(rq.headers,
	    "Content-Type: application/json");
	rq.headers = curl_slist_append(rq.headers, "Accept: application/json");
	xasprintf(&h, "Auth-Key: %s", key);
	rq.headers = curl_slist_append(rq.headers, h);
	freezero_str(h);
	if (src_http(in, &rq, 1, &raw, &len, &j, out) == 0) {
		qs = jget_str(j, "query_status");
		if (qs != NULL && strcmp(qs, "ok") == 0)
			out->data = json_object_get(j);
		else if (qs != NULL && (strcmp(qs, "no_result") == 0 ||
		    strcmp(qs, "no_results") == 0))
			out->error = "NOT_FOUND";
		else {
			out->error = "RESPONSE_ERROR";
			xasprintf(&out->message, "query_status %s",
			    qs != NULL ? qs : "missing");
		}
	}
	json_object_put(j);
	free(raw);
}

static void
tf_run(const struct src_in *in, struct src_out *out)
{
	const char	*key;

	if (tf_local(in, out) == 0)
		return;
	if ((key = src_secret(in, "THREATFOX_KEY")) == NULL) {
		out->error = "NOT_FOUND";
		return;
	}
	tf_api(in, key, out);
}

/* Tags and dates of one IOC (a table row or an API "data" entry). */
static void
tf_one(json_object *v, json_object *e, const char **first, const char **last)
{
	json_object	*t;
	const char	*s;
	char		*dup, *p, *tok;
	size_t		 i;

	src_verdict_tag(v, jget_str(e, "malware_printable"));
	src_verdict_tag(v, jget_str(e, "threat_type"));
	if (json_object_object_get_ex(e, "tags", &t) && t != NULL) {
		if (json_object_is_type(t, json_type_array))
			for (i = 0; i < json_object_array_length(t); i++)
				src_verdict_tag(v, json_object_get_string(
				    json_object_array_get_idx(t, i)));
		else if (json_object_is_type(t, json_type_string)) {
			dup = p = xstrdup(json_object_get_string(t));
			while ((tok = strsep(&p, ",")) != NULL)
				if (*tok != '\0')
					src_verdict_tag(v, tok);
			free(dup);
		}
	}
	if ((s = jget_str(e, "first_seen")) != NULL &&
	    (*first == NULL || strcmp(s, *first) < 0))
		*first = s;
	if ((s = jget_str(e, "last_seen")) != NULL &&
	    (*last == NULL || strcmp(s, *last) > 0))
		*last = s;
}

static json_object *
tf_verdict(const struct src_in *in, json_object *data)
{
	json_object	*rows = data, *v, *e, *c;
	const char	*first = NULL, *last = NULL, *type;
	size_t		 i, n;
	int		 score = 0, x;

	if (json_object_is_type(data, json_type_object) &&
	    !json_object_object_get_ex(data, "data", &rows))
		return NULL;
	if (!json_object_is_type(rows, json_type_array) ||
	    (n = json_object_array_length(rows)) == 0)
		return NULL;
	/* The reporters' confidence; below 50 it is only suspicious. */
	for (i = 0; i < n; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(rows,
		    i), "confidence_level", &c) &&
		    (x = json_object_get_int(c)) > score)
			score = x;
	v = src_verdict_new(score >= 50 ? SRC_MALICIOUS : SRC_SUSPICIOUS,
	    score);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(rows, i);
		tf_one(v, e, &first, &last);
		type = jget_str(e, "ioc_type");
		if (i < 20 && in->kind != IND_URL && type != NULL &&
		    strcmp(type, "url") == 0)
			src_verdict_related(v, "URL", jget_str(e, "ioc"));
	}
	src_verdict_seen(v, first, last);
	return v;
}

const struct src_def src_threatfox = {
	.builtin = "threatfox",
	.base = "https://threatfox-api.abuse.ch/api/v1",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN) |
	    KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6) | KIND_BIT(IND_MD5) |
	    KIND_BIT(IND_SHA1) | KIND_BIT(IND_SHA256),
	.run = tf_run,
	.verdict = tf_verdict,
	.task = tf_task,
};
