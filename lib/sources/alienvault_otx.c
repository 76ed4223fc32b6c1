/*
 * lib/sources/alienvault_otx.c -- AlienVault OTX DirectConnect API v1,
 * GET /indicators/{type}/{value}/general, and for IP addresses also
 * .../reputation (two calls, so a run() source).  Types: IPv4, IPv6,
 * domain (a name with one dot, "example.com") or hostname (any deeper
 * name), url, file (MD5, SHA-1, SHA-256).  Secret slot OTX_API_KEY,
 * optional (OTX answers these sections without a key too), sent as
 * X-OTX-API-KEY.
 *
 * "data" is the general section as OTX sends it; for IP addresses the
 * reputation section's "reputation" object is added as
 * "reputation_details" (null when OTX has none).  An indicator OTX
 * knows nothing about is a general section with pulse_info.count 0,
 * not an error.
 *
 * Config value "reputation" (0/1, default 1): ask the reputation
 * section of IP addresses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define MAX_TAGS	25

/* OTX's indicator type for the path, or NULL. */
static const char *
otx_type(const struct src_in *in)
{
	switch (in->kind) {
	case IND_IPV4:
		return "IPv4";
	case IND_IPV6:
		return "IPv6";
	case IND_DOMAIN:
		/* OTX keeps registered domains and host names apart. */
		return strchr(in->data, '.') == strrchr(in->data, '.') ?
		    "domain" : "hostname";
	case IND_URL:
		return "url";
	case IND_MD5:
	case IND_SHA1:
	case IND_SHA256:
		return "file";
	default:
		return NULL;
	}
}

/* GET one section; 0 with its JSON in "*j" (owned), -1 with "out" set. */
static int
section(const struct src_in *in, const char *type, const char *name,
    json_object **j, struct src_out *out)
{
	struct src_req	 rq;
	char		*v, *body = NULL;
	size_t		 len;
	int		 rc;

	*j = NULL;
	memset(&rq, 0, sizeof(rq));
	v = src_escape(in->data);
	rq.url = src_url(in->base, "/indicators/%s/%s/%s", type, v, name);
	free(v);
	src_headers(in, &rq, "OTX_API_KEY", "X-OTX-API-KEY", NULL);
	rc = src_http(in, &rq, 1, &body, &len, j, out);
	free(body);
	if (rc == 0 && !json_object_is_type(*j, json_type_object)) {
		json_object_put(*j);
		*j = NULL;
		out->error = "RESPONSE_ERROR";
		xasprintf(&out->message, "the %s section is not an object",
		    name);
		return -1;
	}
	return rc;
}

static void
otx_run(const struct src_in *in, struct src_out *out)
{
	json_object	*gen, *rep, *r;
	struct src_out	 rout;
	const char	*type;

	if ((type = otx_type(in)) == NULL) {
		out->error = "UNSUPPORTED_INDICATOR";
		xasprintf(&out->message, "AlienVault OTX has no %s lookup",
		    ind_kind_name(in->kind));
		return;
	}
	if (section(in, type, "general", &gen, out) == -1)
		return;
	if (!json_object_object_get_ex(gen, "pulse_info", &r) ||
	    !json_object_is_type(r, json_type_object)) {
		json_object_put(gen);
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("general section without pulse_info");
		return;
	}
	if ((in->kind == IND_IPV4 || in->kind == IND_IPV6) &&
	    src_config_int(in, "reputation", 1, 0, 1)) {
		memset(&rout, 0, sizeof(rout));
		if (section(in, type, "reputation", &rep, &rout) == 0) {
			r = NULL;
			(void)json_object_object_get_ex(rep, "reputation", &r);
			(void)jadd_nullable(gen, "reputation_details",
			    json_object_get(r));
			json_object_put(rep);
		} else if (strcmp(rout.error, "NOT_FOUND") == 0) {
			/* No reputation section for this address. */
			(void)jadd_nullable(gen, "reputation_details", NULL);
			free(rout.message);
		} else {
			/* The lookup is only as good as both answers. */
			json_object_put(gen);
			*out = rout;
			return;
		}
	}
	out->data = gen;
}

/* Add the strings of array "key" of "o" as tags, up to MAX_TAGS. */
static void
tags_from(json_object *v, json_object *set, json_object *o, const char *key,
    const char *field)
{
	json_object	*a, *e;
	const char	*s;
	size_t		 i, n;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n && json_object_object_length(set) < MAX_TAGS; i++) {
		e = json_object_array_get_idx(a, i);
		s = field != NULL ? jget_str(e, field) :
		    json_object_get_string(e);
		if (s == NULL || *s == '\0' ||
		    json_object_object_get_ex(set, s, NULL))
			continue;
		json_object_object_add(set, s, NULL);
		src_verdict_tag(v, s);
	}
}

static size_t
array_len(json_object *o, const char *key)
{
	json_object	*a;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	return json_object_array_length(a);
}

/*
 * Pulses are community threat reports: 3 or more pulses is malicious,
 * 1 or 2 suspicious; score 25 + 15 per pulse, at most 100 (OTX's
 * reputation threat_score, when higher, wins).  No pulse but an entry
 * in "validation" (whitelists, top sites) or "false_positive" is benign,
 * score 0; else unknown.  Tags: pulse tags, malware families and
 * adversaries; seen: earliest pulse "created", latest "modified" (or
 * the reputation's first_seen/last_seen); related: the domain and host
 * name of a URL.
 */
static json_object *
otx_verdict(const struct src_in *in, json_object *data)
{
	json_object	*pi = NULL, *pulses, *p, *v, *set, *rep = NULL, *t;
	const char	*s, *first = NULL, *last = NULL, *verdict;
	long long	 count = 0, threat = 0;
	size_t		 i, n = 0;
	int		 score;

	if (json_object_object_get_ex(data, "pulse_info", &pi) &&
	    json_object_object_get_ex(pi, "count", &t))
		count = json_object_get_int64(t);
	pulses = NULL;
	if (json_object_object_get_ex(pi, "pulses", &pulses) &&
	    json_object_is_type(pulses, json_type_array))
		n = json_object_array_length(pulses);
	if (count < (long long)n)
		count = (long long)n;
	if (json_object_object_get_ex(data, "reputation_details", &rep) &&
	    json_object_is_type(rep, json_type_object) &&
	    json_object_object_get_ex(rep, "threat_score", &t))
		threat = json_object_get_int64(t);
	if (count >= 3) {
		verdict = SRC_MALICIOUS;
		score = count >= 5 ? 100 : 25 + 15 * (int)count;
	} else if (count > 0) {
		verdict = SRC_SUSPICIOUS;
		score = 25 + 15 * (int)count;
	} else if (array_len(data, "validation") > 0 ||
	    array_len(data, "false_positive") > 0) {
		verdict = SRC_BENIGN;
		score = 0;
	} else {
		verdict = SRC_UNKNOWN;
		score = 0;
	}
	if (threat > score && threat <= 100 && count > 0)
		score = (int)threat;
	v = src_verdict_new(verdict, score);
	set = json_object_new_object();
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(pulses, i);
		tags_from(v, set, p, "tags", NULL);
		tags_from(v, set, p, "malware_families", "display_name");
		if ((s = jget_str(p, "adversary")) != NULL && *s != '\0' &&
		    !json_object_object_get_ex(set, s, NULL) &&
		    json_object_object_length(set) < MAX_TAGS) {
			json_object_object_add(set, s, NULL);
			src_verdict_tag(v, s);
		}
		if ((s = jget_str(p, "created")) != NULL &&
		    (first == NULL || strcmp(s, first) < 0))
			first = s;
		if ((s = jget_str(p, "modified")) != NULL &&
		    (last == NULL || strcmp(s, last) > 0))
			last = s;
	}
	if (rep != NULL)
		tags_from(v, set, rep, "activities", "name");
	json_object_put(set);
	if (first == NULL && rep != NULL)
		first = jget_str(rep, "first_seen");
	if (last == NULL && rep != NULL)
		last = jget_str(rep, "last_seen");
	if (first != NULL || last != NULL)
		src_verdict_seen(v, first, last);
	if (in->kind == IND_URL) {
		if ((s = jget_str(data, "domain")) != NULL && *s != '\0')
			src_verdict_related(v, "DOMAIN", s);
		if ((s = jget_str(data, "hostname")) != NULL && *s != '\0' &&
		    (jget_str(data, "domain") == NULL ||
		    strcmp(s, jget_str(data, "domain")) != 0))
			src_verdict_related(v, "DOMAIN", s);
	}
	return v;
}

const struct src_def src_alienvault_otx = {
	.builtin = "alienvault_otx",
	.base = "https://otx.alienvault.com/api/v1",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6) |
	    KIND_BIT(IND_DOMAIN) | KIND_BIT(IND_URL) | KIND_BIT(IND_MD5) |
	    KIND_BIT(IND_SHA1) | KIND_BIT(IND_SHA256),
	.run = otx_run,
	.verdict = otx_verdict,
};
