/*
 * lib/sources/virustotal.c -- VirusTotal API v3.
 * IPs: /ip_addresses/{ip}; domains: /domains/{d}; URLs: /urls/{id} with
 * id = unpadded URL-safe base64 of the URL (VirusTotal's URL
 * identifier; the reference sent the raw URL); hashes: /files/{hash}.
 * Secret slot VIRUSTOTAL_KEY, sent as x-apikey.
 *
 * Verdict (docs/verdicts.md) from attributes.last_analysis_stats, with
 * m engines saying malicious and s suspicious: m >= 3 malicious (score
 * 70 + 5 per engine over 3, at most 100); m >= 1 or s >= 1 suspicious
 * (30 + 15 m + 5 s, at most 69); some engine answered harmless or
 * undetected: benign (0); no analysis: unknown.  Tags: attributes.tags
 * and the categories' values.  firstSeen/lastSeen: first/last
 * submission dates (lastSeen falls back on the last analysis).
 * Related: DNS records of a domain, resolutions when the answer
 * includes that relationship, a file's other hashes, a URL's final URL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define VT_STAT_MAX	1000000	/* cap of one last_analysis_stats count */

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

static long long
vt_stat(json_object *stats, const char *k)
{
	json_object	*v;
	int64_t		 n;

	if (!json_object_object_get_ex(stats, k, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	n = json_object_get_int64(v);
	/* No scan has that many engines; the cap keeps the sums and
	 * products of vt_verdict() far from overflowing. */
	return n < 0 ? 0 : n > VT_STAT_MAX ? VT_STAT_MAX : n;
}

static const char *
num_or_str(json_object *o, const char *k)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, k, &v))
		return NULL;
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* A DNS record's value as a related indicator. */
static void
dns_related(json_object *v, json_object *rec)
{
	const char	*type = jget_str(rec, "type"), *val = jget_str(rec,
			    "value");

	if (type == NULL || val == NULL)
		return;
	if (strcasecmp(type, "A") == 0)
		src_verdict_related(v, ind_kind_name(IND_IPV4), val);
	else if (strcasecmp(type, "AAAA") == 0)
		src_verdict_related(v, ind_kind_name(IND_IPV6), val);
	else if (strcasecmp(type, "CNAME") == 0 ||
	    strcasecmp(type, "NS") == 0 || strcasecmp(type, "MX") == 0)
		src_verdict_related(v, ind_kind_name(IND_DOMAIN), val);
}

static void
hash_related(json_object *v, json_object *attrs, const char *field,
    enum ind_kind kind, const char *queried)
{
	const char	*h = jget_str(attrs, field);

	if (h != NULL && strcasecmp(h, queried) != 0)
		src_verdict_related(v, ind_kind_name(kind), h);
}

static json_object *
vt_verdict(const struct src_in *in, json_object *data)
{
	json_object	*attrs, *stats, *v, *a, *e, *x;
	const char	*w, *last;
	long long	 m, su, rest, score;
	size_t		 i, n;

	if (!json_object_object_get_ex(data, "attributes", &attrs) ||
	    !json_object_is_type(attrs, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(attrs, "last_analysis_stats",
	    &stats) || !json_object_is_type(stats, json_type_object))
		return src_verdict_new(SRC_UNKNOWN, 0);
	m = vt_stat(stats, "malicious");
	su = vt_stat(stats, "suspicious");
	rest = vt_stat(stats, "harmless") + vt_stat(stats, "undetected");
	if (m >= 3) {
		w = SRC_MALICIOUS;
		score = 70 + 5 * (m - 3);
		if (score > 100)
			score = 100;
	} else if (m >= 1 || su >= 1) {
		w = SRC_SUSPICIOUS;
		score = 30 + 15 * m + 5 * su;
		if (score > 69)
			score = 69;
	} else if (rest > 0) {
		w = SRC_BENIGN;
		score = 0;
	} else {
		w = SRC_UNKNOWN;
		score = 0;
	}
	v = src_verdict_new(w, (int)score);

	src_verdict_tags(v, attrs, "tags");
	if (json_object_object_get_ex(attrs, "categories", &a) &&
	    json_object_is_type(a, json_type_object)) {
		json_object_object_foreach(a, k, cat) {
			(void)k;
			if (json_object_is_type(cat, json_type_string))
				src_verdict_tag(v, json_object_get_string(cat));
		}
	}

	if ((last = num_or_str(attrs, "last_submission_date")) == NULL)
		last = num_or_str(attrs, "last_analysis_date");
	src_verdict_seen(v, num_or_str(attrs, "first_submission_date"), last);

	if (json_object_object_get_ex(attrs, "last_dns_records", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++)
			dns_related(v, json_object_array_get_idx(a, i));
	}
	/* With ?relationships=resolutions (or a later call adding it). */
	if (json_object_object_get_ex(data, "relationships", &x) &&
	    json_object_object_get_ex(x, "resolutions", &x) &&
	    json_object_object_get_ex(x, "data", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(a, i);
			if (!json_object_object_get_ex(e, "attributes", &x))
				continue;
			if (in->kind == IND_DOMAIN && jget_str(x,
			    "ip_address") != NULL)
				src_verdict_related(v, ind_kind_name(strchr(
				    jget_str(x, "ip_address"), ':') != NULL ?
				    IND_IPV6 : IND_IPV4), jget_str(x,
				    "ip_address"));
			else if (jget_str(x, "host_name") != NULL)
				src_verdict_related(v, ind_kind_name(
				    IND_DOMAIN), jget_str(x, "host_name"));
		}
	}
	if (in->kind == IND_MD5 || in->kind == IND_SHA1 ||
	    in->kind == IND_SHA256) {
		hash_related(v, attrs, "md5", IND_MD5, in->data);
		hash_related(v, attrs, "sha1", IND_SHA1, in->data);
		hash_related(v, attrs, "sha256", IND_SHA256, in->data);
	}
	if (in->kind == IND_URL && (w = jget_str(attrs, "last_final_url")) !=
	    NULL && strcmp(w, in->data) != 0)
		src_verdict_related(v, ind_kind_name(IND_URL), w);
	return v;
}

const struct src_def src_virustotal = {
	.builtin = "virustotal",
	.base = "https://www.virustotal.com/api/v3",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6) | KIND_BIT(IND_DOMAIN) |
	    KIND_BIT(IND_URL) | KIND_BIT(IND_MD5) | KIND_BIT(IND_SHA1) |
	    KIND_BIT(IND_SHA256),
	.build = vt_build,
	.parse = vt_parse,
	.verdict = vt_verdict,
};
