/*
 * lib/sources/google_safe_browsing_lookup.c -- Google Safe Browsing
 * Lookup API v4, URLs: POST threatMatches:find?key=<GSB_API_KEY> with
 * {"client": {"clientId", "clientVersion"}, "threatInfo":
 * {"threatTypes", "platformTypes", "threatEntryTypes": ["URL"],
 * "threatEntries": [{"url"}]}}.  The answer is {"matches": [...]} for a
 * listed URL and {} for any other: both are data.
 *
 * Config values: "client_id" (default "iocagg"), "threat_types" and
 * "platform_types" (comma-separated; defaults GSB_THREAT_TYPES and
 * ANY_PLATFORM).  Verdict: malicious (100) with the threat types as
 * tags when something matched, else unknown (0): Safe Browsing not
 * listing a URL does not make it safe.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define GSB_THREAT_TYPES	"MALWARE,SOCIAL_ENGINEERING,UNWANTED_SOFTWARE," \
				"POTENTIALLY_HARMFUL_APPLICATION"

/* A comma-separated list as a JSON array of strings. */
static json_object *
csv_array(const char *csv)
{
	json_object	*a = json_object_new_array();
	const char	*p = csv, *e;
	size_t		 n;

	while (*p != '\0') {
		e = p + strcspn(p, ",");
		while (p < e && *p == ' ')
			p++;
		n = (size_t)(e - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0)
			(void)jappend(a, json_object_new_string_len(p, (int)n));
		p = *e == ',' ? e + 1 : e;
	}
	return a;
}

static int
gsbl_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	json_object	*b, *c, *ti, *ents, *e, *types;
	const char	*key;
	char		*k;

	if (in->kind != IND_URL) {
		(void)snprintf(err, errsz, "Safe Browsing looks up URLs only");
		return -1;
	}
	b = json_object_new_object();
	c = json_object_new_object();
	(void)jadd(c, "clientId", json_object_new_string(src_config_str(in,
	    "client_id", "iocagg")));
	(void)jadd(c, "clientVersion", json_object_new_string(
	    PACKAGE_VERSION));
	(void)jadd(b, "client", c);
	ti = json_object_new_object();
	(void)jadd(ti, "threatTypes", csv_array(src_config_str(in,
	    "threat_types", GSB_THREAT_TYPES)));
	(void)jadd(ti, "platformTypes", csv_array(src_config_str(in,
	    "platform_types", "ANY_PLATFORM")));
	types = json_object_new_array();
	(void)jappend(types, json_object_new_string("URL"));
	(void)jadd(ti, "threatEntryTypes", types);
	ents = json_object_new_array();
	e = json_object_new_object();
	(void)jadd(e, "url", json_object_new_string(in->data));
	(void)jappend(ents, e);
	(void)jadd(ti, "threatEntries", ents);
	(void)jadd(b, "threatInfo", ti);
	rq->body = xstrdup(json_object_to_json_string_ext(b,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(b);
	rq->post = 1;
	/* The key travels in the URL, as Google wants; the framework never
	 * logs it unredacted. */
	if ((key = src_secret(in, "GSB_API_KEY")) != NULL) {
		k = src_escape(key);
		rq->url = src_url(in->base, "/threatMatches:find?key=%s", k);
		freezero_str(k);
	} else
		rq->url = src_url(in->base, "/threatMatches:find");
	rq->headers = curl_slist_append(rq->headers,
	    "Content-Type: application/json");
	src_headers(in, rq, NULL, NULL, NULL);
	return 0;
}

static void
gsbl_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*m;

	(void)in;
	if (!json_object_is_type(body, json_type_object) ||
	    (json_object_object_get_ex(body, "matches", &m) &&
	    !json_object_is_type(m, json_type_array))) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("not a threatMatches answer");
		return;
	}
	out->data = json_object_get(body);
}

static json_object *
gsbl_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *m, *e;
	const char	*t;
	size_t		 i, n;

	(void)in;
	if (!json_object_object_get_ex(data, "matches", &m) ||
	    (n = json_object_array_length(m)) == 0)
		return src_verdict_new(SRC_UNKNOWN, 0);
	v = src_verdict_new(SRC_MALICIOUS, 100);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(m, i);
		if ((t = jget_str(e, "threatType")) != NULL)
			src_verdict_tag(v, t);
	}
	return v;
}

const struct src_def src_google_safe_browsing_lookup = {
	.builtin = "google_safe_browsing_lookup",
	.base = "https://safebrowsing.googleapis.com/v4",
	.kinds = KIND_BIT(IND_URL),
	.build = gsbl_build,
	.parse = gsbl_parse,
	.verdict = gsbl_verdict,
};
