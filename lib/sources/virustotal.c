/*
 * lib/sources/virustotal.c -- VirusTotal API v3.
 * IPs: /ip_addresses/{ip}; domains: /domains/{d}; URLs: /urls/{id} with
 * id = unpadded URL-safe base64 of the URL (VirusTotal's URL
 * identifier; the reference sent the raw URL); hashes: /files/{hash}.
 * Secret slot VIRUSTOTAL_KEY, sent as x-apikey.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

#include "source.h"
#include "xmalloc.h"

static int
vt_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	const char	*path;
	char		*id;

	switch (in->kind) {
	case IND_IPV4:
	case IND_IPV6:
		path = "ip_addresses";
		break;
	case IND_DOMAIN:
		path = "domains";
		break;
	case IND_URL:
		path = "urls";
		break;
	case IND_MD5:
	case IND_SHA1:
	case IND_SHA256:
		path = "files";
		break;
	default:
		(void)snprintf(err, errsz, "VirusTotal has no %s lookup",
		    ind_kind_name(in->kind));
		return -1;
	}
	id = in->kind == IND_URL ? src_b64url(in->data) :
	    src_escape(in->data);
	rq->url = src_url(in->base, "/%s/%s", path, id);
	free(id);
	src_headers(in, rq, "VIRUSTOTAL_KEY", "x-apikey", NULL);
	return 0;
}

static void
vt_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*d;

	(void)in;
	/* The useful part is "data"; keep the whole answer otherwise. */
	if (json_object_object_get_ex(body, "data", &d))
		out->data = json_object_get(d);
	else
		out->data = json_object_get(body);
}

const struct src_def src_virustotal = {
	.builtin = "virustotal",
	.base = "https://www.virustotal.com/api/v3",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6) | KIND_BIT(IND_DOMAIN) |
	    KIND_BIT(IND_URL) | KIND_BIT(IND_MD5) | KIND_BIT(IND_SHA1) |
	    KIND_BIT(IND_SHA256),
	.build = vt_build,
	.parse = vt_parse,
};
