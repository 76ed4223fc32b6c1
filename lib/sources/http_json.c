/*
 * lib/sources/http_json.c -- a generic JSON-over-HTTP source: GET the
 * source's own URL with "{data}" and "{kind}" replaced by the
 * (percent-encoded) indicator and its kind; a 2xx JSON answer is the
 * data.  Lets an administrator add a simple API without writing code;
 * an optional secret slot API_KEY is sent as "Authorization: Bearer".
 * No verdict of its own: only when the answer is an object carrying a
 * "verdict" object in the normalized shape is that lifted (validated,
 * see src_verdict_lift() and docs/verdicts.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "source.h"
#include "xmalloc.h"

/* Replace every "{data}" and "{kind}" in "tpl". */
static char *
expand(const char *tpl, const char *data, const char *kind)
{
	char	*out, *p;
	size_t	 cap;

	cap = strlen(tpl) + 1;
	for (p = strstr(tpl, "{data}"); p != NULL; p = strstr(p + 1, "{data}"))
		cap += strlen(data);
	for (p = strstr(tpl, "{kind}"); p != NULL; p = strstr(p + 1, "{kind}"))
		cap += strlen(kind);
	out = p = xmalloc(cap);
	while (*tpl != '\0') {
		if (strncmp(tpl, "{data}", 6) == 0) {
			p = stpcpy(p, data);
			tpl += 6;
		} else if (strncmp(tpl, "{kind}", 6) == 0) {
			p = stpcpy(p, kind);
			tpl += 6;
		} else
			*p++ = *tpl++;
	}
	*p = '\0';
	return out;
}

static int
hj_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	char		*d;

	if (in->source_url == NULL || strstr(in->source_url, "{data}") ==
	    NULL) {
		(void)snprintf(err, errsz, "the source URL has no {data}");
		return -1;
	}
	d = src_escape(in->data);
	rq->url = expand(in->source_url, d, ind_kind_name(in->kind));
	free(d);
	src_headers(in, rq, "API_KEY", "Authorization", "Bearer ");
	return 0;
}

static void
hj_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	(void)in;
	out->data = json_object_get(body);
}

static json_object *
hj_verdict(const struct src_in *in, json_object *data)
{
	(void)in;
	return src_verdict_lift(data);
}

const struct src_def src_http_json = {
	.builtin = "http_json",
	.base = "",
	.kinds = (1u << IND__MAX) - 1,
	.build = hj_build,
	.parse = hj_parse,
	.verdict = hj_verdict,
};
