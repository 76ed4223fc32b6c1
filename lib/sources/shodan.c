/*
 * lib/sources/shodan.c -- the Shodan REST API: GET /shodan/host/{ip}
 * for IP addresses and GET /dns/domain/{domain} for domains (the
 * reference sent /<data>?query=..., which is no Shodan endpoint).
 * Secret slot SHODAN_API_KEY.  Shodan wants the key in the query
 * string: the framework never logs URLs, and nothing here puts the URL
 * or the key in an error message.
 *
 * Config values: "minify" (0/1, default 0): host answers without the
 * service banners; "history" (0/1, default 0): historical banners too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
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
#define MAX_RELATED	100

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Array "key" of "o", or NULL. */
static json_object *
array_of(json_object *o, const char *key)
{
	json_object	*a;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

json_object *
shodan_tags_verdict(json_object *host)
{
	json_object	*tags, *vulns, *v;
	const char	*verdict = SRC_UNKNOWN, *s;
	size_t		 i, n = 0, nvulns = 0;
	int		 bad = 0, odd = 0, score = 0;

	if ((tags = array_of(host, "tags")) != NULL)
		n = json_object_array_length(tags);
	for (i = 0; i < n; i++)
		if ((s = json_object_get_string(json_object_array_get_idx(tags,
		    i))) != NULL) {
			bad |= in_list(s, bad_tags);
			odd |= in_list(s, odd_tags);
		}
	if ((vulns = array_of(host, "vulns")) != NULL)
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
	return v;
}

static int
shodan_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	const char	*key = src_secret(in, "SHODAN_API_KEY");
	char		*v, *k;

	if (in->kind != IND_IPV4 && in->kind != IND_IPV6 &&
	    in->kind != IND_DOMAIN) {
		(void)snprintf(err, errsz, "Shodan looks up IP addresses and "
		    "domains only");
		return -1;
	}
	v = src_escape(in->data);
	k = src_escape(key != NULL ? key : "");
	if (in->kind == IND_DOMAIN)
		rq->url = src_url(in->base, "/dns/domain/%s?key=%s", v, k);
	else
		rq->url = src_url(in->base, "/shodan/host/%s?key=%s%s%s", v,
		    k, src_config_int(in, "minify", 0, 0, 1) ?
		    "&minify=true" : "",
		    src_config_int(in, "history", 0, 0, 1) ?
		    "&history=true" : "");
	freezero_str(k);
	free(v);
	src_headers(in, rq, NULL, NULL, NULL);
	return 0;
}

static void
shodan_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*v;
	const char	*want = in->kind == IND_DOMAIN ? "domain" : "ip_str";
	char		*cut;

	if (json_object_is_type(body, json_type_object) &&
	    json_object_object_get_ex(body, want, &v)) {
		out->data = json_object_get(body);
		return;
	}
	out->error = "RESPONSE_ERROR";
	/* Shodan's own words, e.g. {"error": "..."}; they never hold the
	 * key. */
	if (json_object_is_type(body, json_type_object) &&
	    json_object_object_get_ex(body, "error", &v) &&
	    json_object_is_type(v, json_type_string)) {
		/* Cut on a character: the message is sent and stored. */
		cut = src_utf8_trunc(json_object_get_string(v), 200);
		xasprintf(&out->message, "Shodan: %s", cut);
		free(cut);
	} else
		xasprintf(&out->message, "answer without \"%s\"", want);
}

/* A related indicator once ("seen" is a set of "kind:data"). */
static void
related_once(json_object *v, json_object *seen, const char *kind,
    const char *data)
{
	char	*k;

	if (data == NULL || *data == '\0' ||
	    json_object_object_length(seen) >= MAX_RELATED)
		return;
	xasprintf(&k, "%s:%s", kind, data);
	if (!json_object_object_get_ex(seen, k, NULL)) {
		json_object_object_add(seen, k, NULL);
		src_verdict_related(v, kind, data);
	}
	free(k);
}

static void
related_strings(json_object *v, json_object *seen, json_object *o,
    const char *key, const char *kind, const char *self)
{
	json_object	*a;
	const char	*s;
	size_t		 i, n;

	if ((a = array_of(o, key)) == NULL)
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(a, i));
		if (s != NULL && strcmp(s, self) != 0)
			related_once(v, seen, kind, s);
	}
}

/* Earliest and latest "key" (ISO 8601 strings) over array "a". */
static void
span(json_object *a, const char *key, const char **first, const char **last)
{
	json_object	*e, *t;
	const char	*s;
	size_t		 i, n;

	*first = *last = NULL;
	if (a == NULL || !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_object_get_ex(e, key, &t) ||
		    !json_object_is_type(t, json_type_string))
			continue;
		s = json_object_get_string(t);
		if (*first == NULL || strcmp(s, *first) < 0)
			*first = s;
		if (*last == NULL || strcmp(s, *last) > 0)
			*last = s;
	}
}

/*
 * Host: like InternetDB, a harmful tag is malicious, CVEs or a
 * scanner/tor/proxy tag suspicious, else unknown; first/last seen from
 * the banners' timestamps and last_update; related: hostnames and
 * domains.  Domain: unknown (Shodan's DNS data is no judgement); related:
 * the subdomains and the A/AAAA/CNAME/MX/NS record values.
 */
static json_object *
host_verdict(const struct src_in *in, json_object *data)
{
	json_object	*banners = NULL, *v, *seen;
	const char	*s, *first, *last;

	v = shodan_tags_verdict(data);
	(void)json_object_object_get_ex(data, "data", &banners);
	span(banners, "timestamp", &first, &last);
	s = jget_str(data, "last_update");
	if (s != NULL && (last == NULL || strcmp(s, last) > 0))
		last = s;
	if (first != NULL || last != NULL)
		src_verdict_seen(v, first, last);
	seen = json_object_new_object();
	related_strings(v, seen, data, "hostnames", "DOMAIN", in->data);
	related_strings(v, seen, data, "domains", "DOMAIN", in->data);
	json_object_put(seen);
	return v;
}

static json_object *
domain_verdict(const struct src_in *in, json_object *data)
{
	json_object	*a, *e, *t, *seen, *v;
	const char	*s, *type, *first, *last;
	char		*name;
	size_t		 i, n;

	v = src_verdict_new(SRC_UNKNOWN, 0);
	if (json_object_object_get_ex(data, "tags", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++)
			if ((s = json_object_get_string(
			    json_object_array_get_idx(a, i))) != NULL)
				src_verdict_tag(v, s);
	}
	seen = json_object_new_object();
	if (json_object_object_get_ex(data, "subdomains", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			s = json_object_get_string(json_object_array_get_idx(a,
			    i));
			if (s == NULL || *s == '\0')
				continue;
			xasprintf(&name, "%s.%s", s, in->data);
			related_once(v, seen, "DOMAIN", name);
			free(name);
		}
	}
	a = NULL;
	if (json_object_object_get_ex(data, "data", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(a, i);
			if (!json_object_object_get_ex(e, "type", &t) ||
			    (type = json_object_get_string(t)) == NULL ||
			    !json_object_object_get_ex(e, "value", &t) ||
			    (s = json_object_get_string(t)) == NULL)
				continue;
			if (strcmp(type, "A") == 0)
				related_once(v, seen, "IPV4", s);
			else if (strcmp(type, "AAAA") == 0)
				related_once(v, seen, "IPV6", s);
			else if (strcmp(type, "CNAME") == 0 ||
			    strcmp(type, "MX") == 0 || strcmp(type, "NS") == 0)
				related_once(v, seen, "DOMAIN", s);
		}
	}
	json_object_put(seen);
	span(a, "last_seen", &first, &last);
	if (first != NULL || last != NULL)
		src_verdict_seen(v, first, last);
	return v;
}

static json_object *
shodan_verdict(const struct src_in *in, json_object *data)
{
	return in->kind == IND_DOMAIN ? domain_verdict(in, data) :
	    host_verdict(in, data);
}

const struct src_def src_shodan = {
	.builtin = "shodan",
	.base = "https://api.shodan.io",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6) | KIND_BIT(IND_DOMAIN),
	.build = shodan_build,
	.parse = shodan_parse,
	.verdict = shodan_verdict,
};
