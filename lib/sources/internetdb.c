/*
 * lib/sources/internetdb.c -- Shodan InternetDB, GET /{ip}: the open
 * ports, CPEs, hostnames, tags and known CVEs of an IP address from
 * Shodan's weekly scan snapshot.  No key (the reference sent the Shodan
 * key along; InternetDB takes none).  An address Shodan knows nothing
 * about is a 404 {"detail": "No information available"}: NOT_FOUND.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "source.h"
#include "xmalloc.h"

#define MAX_RELATED	50

static int
idb_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	char	*ip;

	if (in->kind != IND_IPV4 && in->kind != IND_IPV6) {
		(void)snprintf(err, errsz, "InternetDB looks up IP addresses "
		    "only");
		return -1;
	}
	ip = src_escape(in->data);
	rq->url = src_url(in->base, "/%s", ip);
	free(ip);
	src_headers(in, rq, NULL, NULL, NULL);
	return 0;
}

static void
idb_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*v;

	(void)in;
	if (!json_object_is_type(body, json_type_object) ||
	    !json_object_object_get_ex(body, "ip", &v) ||
	    !json_object_object_get_ex(body, "ports", &v)) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("answer without \"ip\" and \"ports\"");
		return;
	}
	out->data = json_object_get(body);
}

/*
 * Verdict: Shodan's tags and CVEs (shodan_tags_verdict: a harmful tag
 * is malicious, known CVEs or a scanner/tor/proxy tag suspicious,
 * anything else unknown; open ports alone say nothing); related: the
 * hostnames.
 */
static json_object *
idb_verdict(const struct src_in *in, json_object *data)
{
	json_object	*hosts, *v, *e;
	const char	*s;
	size_t		 i, n = 0;

	v = shodan_tags_verdict(data);
	if (json_object_object_get_ex(data, "hostnames", &hosts) &&
	    json_object_is_type(hosts, json_type_array))
		n = json_object_array_length(hosts);
	for (i = 0; i < n && i < MAX_RELATED; i++) {
		e = json_object_array_get_idx(hosts, i);
		if ((s = json_object_get_string(e)) != NULL && *s != '\0' &&
		    strcmp(s, in->data) != 0)
			src_verdict_related(v, "DOMAIN", s);
	}
	return v;
}

const struct src_def src_internetdb = {
	.builtin = "internetdb",
	.base = "https://internetdb.shodan.io",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.build = idb_build,
	.parse = idb_parse,
	.verdict = idb_verdict,
};
