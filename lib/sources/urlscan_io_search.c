/*
 * lib/sources/urlscan_io_search.c -- urlscan.io Search API: GET
 * search/?q=<query>&size=<n> over the scans already made.  A DOMAIN is
 * asked as domain:<d>, a URL as page.url:"<u>" OR task.url:"<u>" (a
 * quoted phrase of the Elasticsearch query syntax, so only '"' and '\'
 * need escaping).  Secret slot URLSCAN_IO_KEY (optional), sent as
 * API-Key.  No result is NOT_FOUND.
 *
 * Config value "size": results asked (1..100, default 20).  Verdict:
 * from the results' "verdicts.overall" when present: malicious when one
 * is, with the highest overall score (clamped to 0..100, at least 75);
 * suspicious when a score is above 0; unknown otherwise.  Tags: the
 * scans' tags; firstSeen/lastSeen: the oldest and newest scan;
 * related: the pages' IP addresses and domains.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

/* "s" inside an Elasticsearch quoted phrase. */
static char *
phrase(const char *s)
{
	char	*o, *p;

	o = p = xmalloc(2 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return o;
}

static int
us_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	char	*q, *ph, *eq;

	switch (in->kind) {
	case IND_DOMAIN:
		xasprintf(&q, "domain:%s", in->data);
		break;
	case IND_URL:
		ph = phrase(in->data);
		xasprintf(&q, "page.url:\"%s\" OR task.url:\"%s\"", ph, ph);
		free(ph);
		break;
	default:
		(void)snprintf(err, errsz, "urlscan.io search looks up URLs "
		    "and domains only");
		return -1;
	}
	eq = src_escape(q);
	rq->url = src_url(in->base, "/search/?q=%s&size=%lld", eq,
	    src_config_int(in, "size", 20, 1, 100));
	free(eq);
	free(q);
	src_headers(in, rq, "URLSCAN_IO_KEY", "API-Key", NULL);
	return 0;
}

static void
us_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*r;

	(void)in;
	if (!json_object_object_get_ex(body, "results", &r) ||
	    !json_object_is_type(r, json_type_array)) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("answer without \"results\"");
	} else if (json_object_array_length(r) == 0)
		out->error = "NOT_FOUND";
	else
		out->data = json_object_get(body);
}

static json_object *
path_get(json_object *o, const char *a, const char *b)
{
	json_object	*x, *y;

	if (json_object_object_get_ex(o, a, &x) &&
	    json_object_object_get_ex(x, b, &y))
		return y;
	return NULL;
}

static json_object *
us_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *res, *r, *ov, *x;
	const char	*t, *first = NULL, *last = NULL, *s;
	struct in6_addr	 a;
	int		 malicious = 0, have = 0, score = 0, sc;
	size_t		 i, n;

	(void)in;
	if (!json_object_object_get_ex(data, "results", &res))
		return NULL;
	v = src_verdict_new(SRC_UNKNOWN, 0);
	n = json_object_array_length(res);
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(res, i);
		if ((ov = path_get(r, "verdicts", "overall")) != NULL) {
			have = 1;
			if (json_object_object_get_ex(ov, "malicious", &x) &&
			    json_object_get_boolean(x))
				malicious = 1;
			if (json_object_object_get_ex(ov, "score", &x)) {
				sc = json_object_get_int(x);
				if (sc > score)
					score = sc > 100 ? 100 : sc;
			}
		}
		if (json_object_object_get_ex(r, "task", &x))
			src_verdict_tags(v, x, "tags");
		if ((x = path_get(r, "task", "time")) != NULL &&
		    (t = json_object_get_string(x)) != NULL) {
			if (first == NULL || strcmp(t, first) < 0)
				first = t;
			if (last == NULL || strcmp(t, last) > 0)
				last = t;
		}
		if ((x = path_get(r, "page", "ip")) != NULL &&
		    (s = json_object_get_string(x)) != NULL)
			src_verdict_related(v, inet_pton(AF_INET6, s, &a) == 1 ?
			    "IPV6" : "IPV4", s);
		if ((x = path_get(r, "page", "domain")) != NULL &&
		    (s = json_object_get_string(x)) != NULL)
			src_verdict_related(v, "DOMAIN", s);
	}
	src_verdict_seen(v, first, last);
	if (have && malicious) {
		(void)json_object_object_add(v, "verdict",
		    json_object_new_string(SRC_MALICIOUS));
		score = score < 75 ? 75 : score;
	} else if (have && score > 0)
		(void)json_object_object_add(v, "verdict",
		    json_object_new_string(SRC_SUSPICIOUS));
	(void)json_object_object_add(v, "score", json_object_new_int(score));
	return v;
}

const struct src_def src_urlscan_io_search = {
	.builtin = "urlscan_io_search",
	.base = "https://urlscan.io/api/v1",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN),
	.build = us_build,
	.parse = us_parse,
	.verdict = us_verdict,
};
