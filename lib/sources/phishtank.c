/*
 * lib/sources/phishtank.c -- PhishTank (Cisco Talos): the online-valid
 * dump (http://data.phishtank.com/data/online-valid.json.gz, or with an
 * application key .../data/<key>/online-valid.json.gz), a gzipped JSON
 * array of verified, online phishing URLs, loaded by the background
 * task into the phishtank table.  Lookups are local only: a URL
 * exactly, a domain (and its subdomains) or an IP address by the host
 * of the listed URLs.  A hit is malicious (phishing) with the target
 * brand as a tag; a miss is NOT_FOUND.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "feed.h"
#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define PT_FEED	"http://data.phishtank.com/data/online-valid.json.gz"

/* A string or number member as text, or NULL. */
static const char *
member(json_object *o, const char *k)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int))
		return json_object_get_string(v);
	return NULL;
}

/*
 * The "details" array as JSON text PostgreSQL's jsonb takes: objects of
 * scalar members only (what PhishTank sends), no NUL in strings (jsonb
 * refuses \u0000, and json-c would also pass NaN through); anything
 * else is dropped rather than failing the whole COPY.
 */
static char *
pt_details(json_object *in)
{
	json_object	*out, *e, *o, *v;
	const char	*sv;
	char		*txt;
	size_t		 i;

	out = json_object_new_array();
	if (in != NULL && json_object_is_type(in, json_type_array))
		for (i = 0; i < json_object_array_length(in) && i < 50; i++) {
			e = json_object_array_get_idx(in, i);
			if (!json_object_is_type(e, json_type_object))
				continue;
			o = json_object_new_object();
			json_object_object_foreach(e, k, val) {
				if (json_object_is_type(val, json_type_string)) {
					sv = json_object_get_string(val);
					if (strlen(sv) != (size_t)
					    json_object_get_string_len(val))
						continue;
					v = json_object_new_string(sv);
				} else if (json_object_is_type(val,
				    json_type_int))
					v = json_object_new_int64(
					    json_object_get_int64(val));
				else if (json_object_is_type(val,
				    json_type_boolean))
					v = json_object_new_boolean(
					    json_object_get_boolean(val));
				else
					continue;
				(void)jadd(o, k, v);
			}
			(void)jappend(out, o);
		}
	txt = xstrdup(json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return txt;
}

static int
pt_json(struct feed *f, json_object *rec, const char *key)
{
	const char	*id, *url, *detail, *sub, *ver, *target;
	char		 ts1[FEED_TS_LEN], ts2[FEED_TS_LEN], *details;
	json_object	*d = NULL;

	(void)key;
	if ((id = member(rec, "phish_id")) == NULL ||
	    !feed_id_ok(id, strlen(id)) ||
	    (url = member(rec, "url")) == NULL || *url == '\0' ||
	    (sub = member(rec, "submission_time")) == NULL ||
	    feed_ts(sub, strlen(sub), ts1) == -1)
		return FEED_BAD;
	/* Unverified entries carry no verification time. */
	if ((ver = member(rec, "verification_time")) == NULL ||
	    feed_ts(ver, strlen(ver), ts2) == -1)
		(void)memcpy(ts2, ts1, sizeof(ts2));
	if ((detail = member(rec, "phish_detail_url")) == NULL)
		detail = "";
	if ((target = member(rec, "target")) == NULL)
		target = "Other";
	feed_col_str(f, id);
	feed_col_str(f, detail);
	feed_col_str(f, url);
	feed_col_str(f, ts1);
	feed_col_str(f, ts2);
	feed_col_str(f, target);
	(void)json_object_object_get_ex(rec, "details", &d);
	details = pt_details(d);
	feed_col_str(f, details);
	free(details);
	return feed_row(f);
}

const struct feed_fmt feed_phishtank = {
	.name = "PhishTank",
	.table = "phishtank",
	.refreshes = "phishtank_refreshes",
	.columns = "phish_id, phish_detail_url, url, submission_time, "
	    "verification_time, target, details",
	.json_depth = 1,
	.json = pt_json,
};

static int
pt_task(const struct src_task *t, struct src_task_out *out)
{
	const char	*key, *url;
	char		*k, *u = NULL;
	int		 rc;

	url = conf_feed_url("phishtank");
	if (url == NULL && (key = feed_task_secret(t, "PHISHTANK_KEY")) !=
	    NULL) {
		k = src_escape(key);
		xasprintf(&u, "http://data.phishtank.com/data/%s/"
		    "online-valid.json.gz", k);
		freezero_str(k);
		url = u;
	}
	rc = feed_load(t, &feed_phishtank, url != NULL ? url : PT_FEED,
	    NULL, out);
	if (u != NULL)
		freezero_str(u);
	return rc;
}

#define PT_COLS	"phish_id, phish_detail_url, url, submission_time, " \
	"verification_time, target, details"

static void
pt_run(const struct src_in *in, struct src_out *out)
{
	const char	*p[3];
	char		*lo, *hi, lim[16];

	(void)snprintf(lim, sizeof(lim), "%lld",
	    src_config_int(in, "maxResults", 100, 1, 1000));
	if (in->kind == IND_URL) {
		p[0] = in->data;
		p[1] = lim;
		feed_answer(in, "SELECT coalesce(json_agg(t), '[]') FROM "
		    "(SELECT " PT_COLS " FROM phishtank WHERE url = $1 "
		    "ORDER BY phish_id DESC LIMIT $2::int) t", 2, p, out);
		return;
	}
	if (feed_host_params(in, &lo, &hi) == -1) {
		out->error = "UNSUPPORTED_INDICATOR";
		return;
	}
	p[0] = lo;
	p[1] = hi;
	p[2] = lim;
	/* The range first (see urlhaus.c). */
	feed_answer(in, "WITH m AS MATERIALIZED (SELECT " PT_COLS
	    " FROM phishtank WHERE feed_rhost(url) COLLATE \"C\" >= $1 "
	    "AND feed_rhost(url) COLLATE \"C\" < $2) "
	    "SELECT coalesce(json_agg(t), '[]') FROM "
	    "(SELECT * FROM m ORDER BY phish_id DESC LIMIT $3::int) t",
	    3, p, out);
	free(lo);
	free(hi);
}

static json_object *
pt_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *e, *d, *x;
	const char	*first = NULL, *last = NULL, *s;
	size_t		 i, n, j;

	if (!json_object_is_type(data, json_type_array) ||
	    (n = json_object_array_length(data)) == 0)
		return NULL;
	/* PhishTank lists verified phish only. */
	v = src_verdict_new(in->kind == IND_URL ? SRC_MALICIOUS :
	    SRC_SUSPICIOUS, in->kind == IND_URL ? 100 : 75);
	src_verdict_tag(v, "phishing");
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(data, i);
		if ((s = jget_str(e, "target")) != NULL &&
		    strcmp(s, "Other") != 0)
			src_verdict_tag(v, s);
		if ((s = jget_str(e, "submission_time")) != NULL &&
		    (first == NULL || strcmp(s, first) < 0))
			first = s;
		if ((s = jget_str(e, "verification_time")) != NULL &&
		    (last == NULL || strcmp(s, last) > 0))
			last = s;
		if (in->kind != IND_URL && i < 20)
			src_verdict_related(v, "URL", jget_str(e, "url"));
		if (json_object_object_get_ex(e, "details", &d) &&
		    json_object_is_type(d, json_type_array))
			for (j = 0; j < json_object_array_length(d) &&
			    j < 5; j++) {
				x = json_object_array_get_idx(d, j);
				if ((s = jget_str(x, "ip_address")) != NULL)
					src_verdict_related(v,
					    strchr(s, ':') ? "IPV6" : "IPV4", s);
			}
	}
	src_verdict_seen(v, first, last);
	return v;
}

const struct src_def src_phishtank = {
	.builtin = "phishtank",
	.base = "http://data.phishtank.com",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN) |
	    KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.run = pt_run,
	.verdict = pt_verdict,
	.task = pt_task,
};
