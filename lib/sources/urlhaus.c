/*
 * lib/sources/urlhaus.c -- the URLhaus lookup API v1 (abuse.ch):
 * POST url/ for URLs, host/ for domains and IPs, payload/ for MD5 and
 * SHA256.  abuse.ch answers 200 with "query_status": "ok" carries data,
 * "no_results" is NOT_FOUND, anything else RESPONSE_ERROR.  Secret slot
 * URLHAUS_KEY (optional here), sent as Auth-Key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

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

const struct src_def src_urlhaus = {
	.builtin = "urlhaus",
	.base = "https://urlhaus-api.abuse.ch/v1",
	.kinds = KIND_BIT(IND_URL) | KIND_BIT(IND_DOMAIN) | KIND_BIT(IND_IPV4) |
	    KIND_BIT(IND_IPV6) | KIND_BIT(IND_MD5) | KIND_BIT(IND_SHA256),
	.build = uh_build,
	.parse = uh_parse,
};
