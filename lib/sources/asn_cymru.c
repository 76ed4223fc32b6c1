/*
 * lib/sources/asn_cymru.c -- Team Cymru's IP-to-ASN mapping over DNS
 * (https://www.team-cymru.com/ip-asn-mapping), through c-ares and the
 * servers of "dns_resolvers":
 *
 *   1.2.3.4   TXT 4.3.2.1.origin.asn.cymru.com    (nibbles + origin6.
 *             for IPv6)  "13335 | 1.2.3.0/24 | AU | apnic | 2011-08-11"
 *   AS13335   TXT AS13335.asn.cymru.com
 *             "13335 | US | arin | 2010-07-14 | CLOUDFLARENET, US"
 *
 * data: {asn, ip, bgp_prefix, asn_country, asn_registry, allocated,
 * asn_name} -- the fields of the reference's whois answer, so results
 * read the same; "asns" lists every origin AS when several announce the
 * prefix.  No origin row is NOT_FOUND.  The verdict is "unknown" with
 * the AS number, country and registry as tags.
 */
#include "config.h"

#include <arpa/nameser.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>

#include "source.h"
#include "sources/dnsq.h"
#include "xmalloc.h"

#define FIELDS_MAX	8

/* The first TXT string of an answer (xmalloc'd), or NULL. */
static char *
first_txt(const struct dnsq *q)
{
	struct ares_txt_ext	*txt;
	char			*s = NULL;

	if (q->status != ARES_SUCCESS ||
	    ares_parse_txt_reply_ext(q->abuf, q->alen, &txt) != ARES_SUCCESS)
		return NULL;
	if (txt != NULL)
		s = xstrndup((const char *)txt->txt, txt->length);
	ares_free_data(txt);
	return s;
}

/* Split "a | b | c" into trimmed fields, in place; the count. */
static size_t
split_bars(char *s, char *f[], size_t max)
{
	char	*p, *e;
	size_t	 n = 0;

	while (s != NULL && n < max) {
		p = strsep(&s, "|");
		while (isspace((unsigned char)*p))
			p++;
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		f[n++] = p;
	}
	return n;
}

static int
fail(struct src_out *out, int status)
{
	out->error = dnsq_error_kind(status);
	if (strcmp(out->error, "NOT_FOUND") != 0)
		out->message = xstrdup(status == ARES_ETIMEOUT ? "no DNS "
		    "answer in time" : dnsq_strerror(status));
	return -1;
}

static void
cymru_run(const struct src_in *in, struct src_out *out)
{
	struct dnsq	 q;
	char		 name[128], err[256], *origin, *asinfo = NULL, *f[FIELDS_MAX];
	char		*g[FIELDS_MAX], *first, *sp, *asn, *w;
	json_object	*d, *asns;
	size_t		 n, m = 0;

	if (dnsq_reverse(in->data, "origin.asn.cymru.com",
	    "origin6.asn.cymru.com", name, sizeof(name)) == -1) {
		out->error = "UNSUPPORTED_INDICATOR";
		out->message = xstrdup("ASN Cymru looks up IP addresses only");
		return;
	}
	q.name = name;
	q.type = ns_t_txt;
	if (dnsq_run(&q, 1, in->deadline, err, sizeof(err)) == -1) {
		out->error = "INTERNAL_SERVER_ERROR";
		out->message = xstrdup(err);
		return;
	}
	if ((origin = first_txt(&q)) == NULL) {
		(void)fail(out, q.status == ARES_SUCCESS ? ARES_ENODATA :
		    q.status);
		dnsq_free(&q, 1);
		return;
	}
	dnsq_free(&q, 1);
	/* "AS [AS...] | prefix | CC | registry | allocated" */
	if ((n = split_bars(origin, f, FIELDS_MAX)) < 5 || *f[0] == '\0') {
		free(origin);
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("unexpected origin record");
		return;
	}
	asns = json_object_new_array();
	first = NULL;
	for (sp = f[0]; (w = strsep(&sp, " ")) != NULL;) {
		if (*w == '\0')
			continue;
		if (first == NULL)
			first = w;
		(void)json_object_array_add(asns, json_object_new_string(w));
	}
	if (first == NULL) {
		json_object_put(asns);
		free(origin);
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("unexpected origin record");
		return;
	}
	/* The AS name: "AS | CC | registry | allocated | name". */
	xasprintf(&asn, "AS%s.asn.cymru.com", first);
	q.name = asn;
	q.type = ns_t_txt;
	if (dnsq_run(&q, 1, in->deadline, err, sizeof(err)) == 0 &&
	    (asinfo = first_txt(&q)) != NULL)
		m = split_bars(asinfo, g, FIELDS_MAX);
	dnsq_free(&q, 1);
	free(asn);

	d = json_object_new_object();
	(void)json_object_object_add(d, "asn", json_object_new_string(first));
	(void)json_object_object_add(d, "ip", json_object_new_string(in->data));
	(void)json_object_object_add(d, "bgp_prefix",
	    json_object_new_string(f[1]));
	(void)json_object_object_add(d, "asn_country",
	    json_object_new_string(f[2]));
	(void)json_object_object_add(d, "asn_registry",
	    json_object_new_string(f[3]));
	(void)json_object_object_add(d, "allocated",
	    json_object_new_string(f[4]));
	(void)json_object_object_add(d, "asn_name", m >= 5 ?
	    json_object_new_string(g[4]) : NULL);
	(void)json_object_object_add(d, "asns", asns);
	out->data = d;
	free(origin);
	free(asinfo);
}

static json_object *
cymru_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *f;
	char		*t;

	(void)in;
	v = src_verdict_new(SRC_UNKNOWN, 0);
	if (json_object_object_get_ex(data, "asn", &f) &&
	    json_object_is_type(f, json_type_string)) {
		xasprintf(&t, "AS%s", json_object_get_string(f));
		src_verdict_tag(v, t);
		free(t);
	}
	if (json_object_object_get_ex(data, "asn_country", &f) &&
	    json_object_is_type(f, json_type_string) &&
	    *json_object_get_string(f) != '\0')
		src_verdict_tag(v, json_object_get_string(f));
	if (json_object_object_get_ex(data, "asn_registry", &f) &&
	    json_object_is_type(f, json_type_string) &&
	    *json_object_get_string(f) != '\0')
		src_verdict_tag(v, json_object_get_string(f));
	return v;
}

const struct src_def src_asn_cymru = {
	.builtin = "asn_cymru",
	.base = "",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.run = cymru_run,
	.verdict = cymru_verdict,
};
