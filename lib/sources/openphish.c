/*
 * lib/sources/openphish.c -- the OpenPhish community feed
 * (https://openphish.com/feed.txt, one phishing URL a line), loaded by
 * the background task into the openphish table and answered from it:
 * a URL exactly, a domain with its subdomains and an IP address by the
 * host of the listed URLs.  A listed URL is malicious (phishing); a
 * miss is NOT_FOUND.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "source.h"
#include "xmalloc.h"

#define OP_FEED		"https://openphish.com/feed.txt"
#define OP_URL_MAX	2048	/* openphish_url_check */

static int
op_line(struct feed *f, const char *s, size_t n)
{
	if (n > OP_URL_MAX || (strncmp(s, "http://", 7) != 0 &&
	    strncmp(s, "https://", 8) != 0))
		return FEED_BAD;
	feed_col(f, s, n);
	return feed_row(f);
}

const struct feed_fmt feed_openphish = {
	.name = "OpenPhish",
	.table = "openphish",
	.refreshes = "openphish_refreshes",
	.columns = "url",
	.line = op_line,
};

static int
op_task(const struct src_task *t, struct src_task_out *out)
{
	return feed_load(t, &feed_openphish, feed_url("openphish", OP_FEED),
	    NULL, out);
}

static void
op_run(const struct src_in *in, struct src_out *out)
{
	const char	*p[3];
	char		*lo, *hi, lim[16];

	(void)snprintf(lim, sizeof(lim), "%lld",
	    src_config_int(in, "maxResults", 100, 1, 1000));
	if (in->kind == IND_URL) {
		p[0] = in->data;
		p[1] = lim;
		feed_answer(in, "SELECT coalesce(json_agg(t), '[]') FROM "
		    "(SELECT url, created_at AS loaded_at FROM openphish "
		    "WHERE url = $1 LIMIT $2::int) t", 2, p, out);
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
	feed_answer(in, "WITH m AS MATERIALIZED (SELECT url, created_at "
	    "AS loaded_at FROM openphish "
	    "WHERE feed_rhost(url) COLLATE \"C\" >= $1 "
	    "AND feed_rhost(url) COLLATE \"C\" < $2) "
	    "SELECT coalesce(json_agg(t), '[]') FROM "
	    "(SELECT * FROM m ORDER BY url LIMIT $3::int) t", 3, p, out);
	free(lo);
	free(hi);
}

static json_object *
op_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *e, *u;
	size_t		 i, n;

	if (!json_object_is_type(data, json_type_array) ||
	    (n = json_object_array_length(data)) == 0)
		return NULL;
	/* Listed by OpenPhish: phishing.  A host match says the host
	 * served phishing, not that every URL on it does. */
	v = src_verdict_new(in->kind == IND_URL ? SRC_MALICIOUS :
	    SRC_SUSPICIOUS, in->kind == IND_URL ? 90 : 70);
	src_verdict_tag(v, "phishing");
	for (i = 0; i < n && i < 20; i++) {
		e = json_object_array_get_idx(data, i);
		if (in->kind != IND_URL &&
		    json_object_object_get_ex(e, "url", &u))
			src_verdict_related(v, "URL", json_object_get_string(u));
	}
	return v;
}

const struct src_def src_openphish = {
	.builtin = "openphish",
	.base = "https://openphish.com",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN) |
	    KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.run = op_run,
	.verdict = op_verdict,
	.task = op_task,
};
