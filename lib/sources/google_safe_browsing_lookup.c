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

static int
gsbl_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	json_object	*b, *ti, *tt, *pt, *ents, *e, *types;

	if (in->kind != IND_URL) {
		(void)snprintf(err, errsz, "Safe Browsing looks up URLs only");
		return -1;
	}
	b = json_object_new_object();
	(void)jadd(b, "client", gsb_client(in));
	ti = json_object_new_object();
	tt = json_object_new_array();
	gsb_csv_append(tt, src_config_str(in, "threat_types",
	    GSB_THREAT_TYPES));
	(void)jadd(ti, "threatTypes", tt);
	pt = json_object_new_array();
	gsb_csv_append(pt, src_config_str(in, "platform_types",
	    "ANY_PLATFORM"));
	(void)jadd(ti, "platformTypes", pt);
	types = json_object_new_array();
	(void)jappend(types, json_object_new_string("URL"));
	(void)jadd(ti, "threatEntryTypes", types);
	ents = json_object_new_array();
	e = json_object_new_object();
	(void)jadd(e, "url", json_object_new_string(in->data));
	(void)jappend(ents, e);
	(void)jadd(ti, "threatEntries", ents);
	(void)jadd(b, "threatInfo", ti);
	gsb_request(in, rq, "threatMatches:find", b);
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

const struct src_def src_google_safe_browsing_lookup = {
	.builtin = "google_safe_browsing_lookup",
	.base = "https://safebrowsing.googleapis.com/v4",
	.kinds = KIND_BIT(IND_URL),
	.build = gsbl_build,
	.parse = gsbl_parse,
	.verdict = gsb_verdict,
};
