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

/* Shodan tags that mean the host itself does harm. */
static const char *const bad_tags[] = {
	"malware", "c2", "compromised", "doublepulsar", NULL
};
/* Shodan tags worth a second look, not proof of harm. */
static const char *const odd_tags[] = {
	"scanner", "tor", "proxy", NULL
};

#define MAX_VULN_TAGS	20
#define MAX_RELATED	50

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

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

static json_object *
str_array(json_object *o, const char *key)
{
	json_object	*a;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

/*
 * Verdict: a harmful Shodan tag (malware, c2, compromised,
 * doublepulsar) is malicious; known CVEs or a scanner/tor/proxy tag is
 * suspicious; anything else is unknown (open ports alone say nothing).
 */
static json_object *
idb_verdict(const struct src_in *in, json_object *data)
{
	json_object	*tags, *vulns, *hosts, *v, *e;
	const char	*verdict = SRC_UNKNOWN, *s;
	size_t		 i, n, nvulns = 0;
	int		 bad = 0, odd = 0, score = 0;

	tags = str_array(data, "tags");
	vulns = str_array(data, "vulns");
	hosts = str_array(data, "hostnames");
	n = tags != NULL ? json_object_array_length(tags) : 0;
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(tags, i));
		if (s == NULL)
			continue;
		bad |= in_list(s, bad_tags);
		odd |= in_list(s, odd_tags);
	}
	if (vulns != NULL)
		nvulns = json_object_array_length(vulns);
	if (bad) {
		verdict = SRC_MALICIOUS;
		score = 85 + (nvulns > 0 ? 10 : 0);
	} else if (nvulns > 0 || odd) {
		verdict = SRC_SUSPICIOUS;
		score = 30 + 5 * (int)(nvulns > 8 ? 8 : nvulns);
		if (odd && score < 40)
			score = 40;
	}
	v = src_verdict_new(verdict, score);
	for (i = 0; i < n; i++)
		if ((s = json_object_get_string(json_object_array_get_idx(tags,
		    i))) != NULL)
			src_verdict_tag(v, s);
	for (i = 0; i < nvulns && i < MAX_VULN_TAGS; i++)
		if ((s = json_object_get_string(json_object_array_get_idx(
		    vulns, i))) != NULL)
			src_verdict_tag(v, s);
	n = hosts != NULL ? json_object_array_length(hosts) : 0;
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
