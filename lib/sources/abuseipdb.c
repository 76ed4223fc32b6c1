/*
 * lib/sources/abuseipdb.c -- AbuseIPDB API v2 "check" for IP addresses.
 * Secret slot ABUSE_IPDB_KEY, sent as the Key header.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

#include "source.h"
#include "xmalloc.h"

static int
abuse_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	char		*ip;

	if (in->kind != IND_IPV4 && in->kind != IND_IPV6) {
		(void)snprintf(err, errsz, "AbuseIPDB looks up IP addresses "
		    "only");
		return -1;
	}
	ip = src_escape(in->data);
	rq->url = src_url(in->base, "/check?ipAddress=%s&maxAgeInDays=90"
	    "&verbose", ip);
	free(ip);
	src_headers(in, rq, "ABUSE_IPDB_KEY", "Key", NULL);
	return 0;
}

static void
abuse_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*d;

	(void)in;
	if (json_object_object_get_ex(body, "data", &d))
		out->data = json_object_get(d);
	else {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("answer without \"data\"");
	}
}

const struct src_def src_abuseipdb = {
	.builtin = "abuseipdb",
	.base = "https://api.abuseipdb.com/api/v2",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.build = abuse_build,
	.parse = abuse_parse,
};
