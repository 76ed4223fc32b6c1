/*
 * lib/sources/abuseipdb.c -- AbuseIPDB API v2 "check" for IP addresses.
 * Secret slot ABUSE_IPDB_KEY, sent as the Key header.  Config values
 * (sources.config_values): maxAgeInDays (1..365, default 90).
 *
 * Verdict (docs/verdicts.md): the score is abuseConfidenceScore; 70 or
 * more malicious, 30 or more suspicious, else benign; a whitelisted
 * address is benign, a non-public one unknown.  Tags: usage type, ISP,
 * "tor", "whitelisted" and the names of the reported categories.
 * lastSeen: lastReportedAt; firstSeen: the oldest report listed.
 * Related: the address's host names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

/* https://www.abuseipdb.com/categories */
static const char *const categories[] = {
	NULL, "DNS Compromise", "DNS Poisoning", "Fraud Orders",
	"DDoS Attack", "FTP Brute-Force", "Ping of Death", "Phishing",
	"Fraud VoIP", "Open Proxy", "Web Spam", "Email Spam", "Blog Spam",
	"VPN IP", "Port Scan", "Hacking", "SQL Injection", "Spoofing",
	"Brute-Force", "Bad Web Bot", "Exploited Host", "Web App Attack",
	"SSH", "IoT Targeted",
};

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
	rq->url = src_url(in->base, "/check?ipAddress=%s&maxAgeInDays=%lld"
	    "&verbose", ip, src_config_int(in, "maxAgeInDays", 90, 1, 365));
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

static int
jbool(json_object *o, const char *k)
{
	json_object	*v;

	return json_object_object_get_ex(o, k, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

static json_object *
abuse_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *x, *reps, *r, *cats;
	const char	*w, *first = NULL, *at;
	long long	 score, c;
	size_t		 i, j, n, nc;

	(void)in;
	if (!json_object_object_get_ex(data, "abuseConfidenceScore", &x) ||
	    !json_object_is_type(x, json_type_int))
		return NULL;
	score = json_object_get_int64(x);
	if (score < 0)
		score = 0;
	if (score > 100)
		score = 100;
	if (json_object_object_get_ex(data, "isPublic", &x) &&
	    json_object_is_type(x, json_type_boolean) &&
	    !json_object_get_boolean(x))
		w = SRC_UNKNOWN;
	else if (jbool(data, "isWhitelisted"))
		w = SRC_BENIGN;
	else if (score >= 70)
		w = SRC_MALICIOUS;
	else if (score >= 30)
		w = SRC_SUSPICIOUS;
	else
		w = SRC_BENIGN;
	v = src_verdict_new(w, (int)score);
	src_verdict_tag(v, jget_str(data, "usageType"));
	src_verdict_tag(v, jget_str(data, "isp"));
	if (jbool(data, "isTor"))
		src_verdict_tag(v, "tor");
	if (jbool(data, "isWhitelisted"))
		src_verdict_tag(v, "whitelisted");
	if (json_object_object_get_ex(data, "reports", &reps) &&
	    json_object_is_type(reps, json_type_array)) {
		n = json_object_array_length(reps);
		for (i = 0; i < n; i++) {
			r = json_object_array_get_idx(reps, i);
			/* Newest first: the last one listed is the oldest. */
			if ((at = jget_str(r, "reportedAt")) != NULL)
				first = at;
			if (!json_object_object_get_ex(r, "categories",
			    &cats) || !json_object_is_type(cats,
			    json_type_array))
				continue;
			nc = json_object_array_length(cats);
			for (j = 0; j < nc; j++) {
				c = json_object_get_int64(
				    json_object_array_get_idx(cats, j));
				if (c > 0 && c < (long long)(sizeof(categories) /
				    sizeof(categories[0])))
					src_verdict_tag(v, categories[c]);
			}
		}
	}
	src_verdict_seen(v, first, jget_str(data, "lastReportedAt"));
	if (json_object_object_get_ex(data, "hostnames", &x) &&
	    json_object_is_type(x, json_type_array)) {
		n = json_object_array_length(x);
		for (i = 0; i < n; i++) {
			r = json_object_array_get_idx(x, i);
			if (json_object_is_type(r, json_type_string))
				src_verdict_related(v, ind_kind_name(
				    IND_DOMAIN), json_object_get_string(r));
		}
	}
	return v;
}

const struct src_def src_abuseipdb = {
	.builtin = "abuseipdb",
	.base = "https://api.abuseipdb.com/api/v2",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.build = abuse_build,
	.parse = abuse_parse,
	.verdict = abuse_verdict,
};
