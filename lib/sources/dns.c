/*
 * lib/sources/dns.c -- DNS records of an indicator, through c-ares
 * (lib/sources/dnsq.c) and the servers of "dns_resolvers".
 *
 *   DOMAIN, and the host of a URL: A, AAAA, MX, NS, TXT, SOA, CAA and
 *   the SRV records of a few well-known services (config value
 *   "srv_services", comma-separated, e.g. "_sip._tcp,_ldap._tcp"; empty
 *   asks none), all at once; CNAME from the A/AAAA answers.
 *   IPV4, IPV6, and a URL whose host is an address: the PTR records.
 *
 * data: {"name": asked name, "records": {"A": [...], "MX": [{"priority",
 * "host"}], ..., "PTR": [...]}}.  A name that does not exist (every
 * query NXDOMAIN or empty) is NOT_FOUND; a name some types answered is
 * a success with those types.  The verdict is always "unknown" (DNS says
 * nothing of intent); "related" lists the addresses and names found.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <curl/curl.h>

#include "compat.h"
#include "source.h"
#include "sources/dnsq.h"
#include "xmalloc.h"

#define SRV_DEFAULT	"_sip._tcp,_sips._tcp,_xmpp-server._tcp," \
			"_xmpp-client._tcp,_ldap._tcp,_kerberos._tcp"
#define SRV_MAX		16

static json_object *
records_array(json_object *recs, const char *type)
{
	json_object	*a;

	if (json_object_object_get_ex(recs, type, &a))
		return a;
	a = json_object_new_array();
	(void)json_object_object_add(recs, type, a);
	return a;
}

static void
add_str(json_object *recs, const char *type, const char *s)
{
	(void)json_object_array_add(records_array(recs, type),
	    json_object_new_string(s));
}

static void
parse_addr(const struct dnsq *q, json_object *recs)
{
	struct hostent	*he = NULL;
	char		 buf[INET6_ADDRSTRLEN];
	const char	*type = q->type == ns_t_a ? "A" : "AAAA";
	int		 rc, af = q->type == ns_t_a ? AF_INET : AF_INET6, i;

	rc = q->type == ns_t_a ?
	    ares_parse_a_reply(q->abuf, q->alen, &he, NULL, NULL) :
	    ares_parse_aaaa_reply(q->abuf, q->alen, &he, NULL, NULL);
	if (rc != ARES_SUCCESS || he == NULL)
		return;
	for (i = 0; he->h_addr_list[i] != NULL; i++)
		if (inet_ntop(af, he->h_addr_list[i], buf, sizeof(buf)) !=
		    NULL)
			add_str(recs, type, buf);
	/* A CNAME chain: h_name is where it ends. */
	if (he->h_aliases != NULL && he->h_aliases[0] != NULL &&
	    !json_object_object_get_ex(recs, "CNAME", NULL))
		add_str(recs, "CNAME", he->h_name);
	ares_free_hostent(he);
}

static void
parse_one(const struct dnsq *q, const char *service, json_object *recs)
{
	struct ares_mx_reply	*mx, *m;
	struct ares_txt_ext	*txt, *t;
	struct ares_soa_reply	*soa;
	struct ares_caa_reply	*caa, *c;
	struct ares_srv_reply	*srv, *s;
	struct hostent		*he = NULL;
	json_object		*o, *last = NULL;
	char			*joined;
	size_t			 len;
	int			 i;

	switch (q->type) {
	case ns_t_a:
	case ns_t_aaaa:
		parse_addr(q, recs);
		break;
	case ns_t_mx:
		if (ares_parse_mx_reply(q->abuf, q->alen, &mx) != ARES_SUCCESS)
			break;
		for (m = mx; m != NULL; m = m->next) {
			o = json_object_new_object();
			(void)json_object_object_add(o, "priority",
			    json_object_new_int(m->priority));
			(void)json_object_object_add(o, "host",
			    json_object_new_string(m->host));
			(void)json_object_array_add(records_array(recs, "MX"),
			    o);
		}
		ares_free_data(mx);
		break;
	case ns_t_ns:
		if (ares_parse_ns_reply(q->abuf, q->alen, &he) != ARES_SUCCESS)
			break;
		for (i = 0; he->h_aliases != NULL && he->h_aliases[i] != NULL;
		    i++)
			add_str(recs, "NS", he->h_aliases[i]);
		ares_free_hostent(he);
		break;
	case ns_t_txt:
		if (ares_parse_txt_reply_ext(q->abuf, q->alen, &txt) !=
		    ARES_SUCCESS)
			break;
		/* One record may come in several strings: join them. */
		for (t = txt; t != NULL; t = t->next) {
			if (t->record_start || last == NULL) {
				last = json_object_new_string_len(
				    (const char *)t->txt, (int)t->length);
				(void)json_object_array_add(records_array(recs,
				    "TXT"), last);
				continue;
			}
			len = strlen(json_object_get_string(last));
			joined = xmalloc(len + t->length + 1);
			memcpy(joined, json_object_get_string(last), len);
			memcpy(joined + len, t->txt, t->length);
			joined[len + t->length] = '\0';
			(void)json_object_set_string_len(last, joined,
			    (int)(len + t->length));
			free(joined);
		}
		ares_free_data(txt);
		break;
	case ns_t_soa:
		if (ares_parse_soa_reply(q->abuf, q->alen, &soa) !=
		    ARES_SUCCESS)
			break;
		o = json_object_new_object();
		(void)json_object_object_add(o, "mname",
		    json_object_new_string(soa->nsname));
		(void)json_object_object_add(o, "rname",
		    json_object_new_string(soa->hostmaster));
		(void)json_object_object_add(o, "serial",
		    json_object_new_int64(soa->serial));
		(void)json_object_object_add(o, "refresh",
		    json_object_new_int64(soa->refresh));
		(void)json_object_object_add(o, "retry",
		    json_object_new_int64(soa->retry));
		(void)json_object_object_add(o, "expire",
		    json_object_new_int64(soa->expire));
		(void)json_object_object_add(o, "minimum",
		    json_object_new_int64(soa->minttl));
		(void)json_object_object_add(recs, "SOA", o);
		ares_free_data(soa);
		break;
	case ns_t_caa:
		if (ares_parse_caa_reply(q->abuf, q->alen, &caa) !=
		    ARES_SUCCESS)
			break;
		for (c = caa; c != NULL; c = c->next) {
			o = json_object_new_object();
			(void)json_object_object_add(o, "critical",
			    json_object_new_int(c->critical));
			(void)json_object_object_add(o, "tag",
			    json_object_new_string_len((const char *)
			    c->property, (int)c->plength));
			(void)json_object_object_add(o, "value",
			    json_object_new_string_len((const char *)c->value,
			    (int)c->length));
			(void)json_object_array_add(records_array(recs, "CAA"),
			    o);
		}
		ares_free_data(caa);
		break;
	case ns_t_srv:
		if (ares_parse_srv_reply(q->abuf, q->alen, &srv) !=
		    ARES_SUCCESS)
			break;
		for (s = srv; s != NULL; s = s->next) {
			o = json_object_new_object();
			(void)json_object_object_add(o, "name",
			    json_object_new_string(service));
			(void)json_object_object_add(o, "priority",
			    json_object_new_int(s->priority));
			(void)json_object_object_add(o, "weight",
			    json_object_new_int(s->weight));
			(void)json_object_object_add(o, "port",
			    json_object_new_int(s->port));
			(void)json_object_object_add(o, "target",
			    json_object_new_string(s->host));
			(void)json_object_array_add(records_array(recs, "SRV"),
			    o);
		}
		ares_free_data(srv);
		break;
	case ns_t_ptr:
		if (ares_parse_ptr_reply(q->abuf, q->alen, NULL, 0, AF_INET,
		    &he) != ARES_SUCCESS)
			break;
		/* c-ares lists every PTR name in h_aliases, the first
		 * also as h_name. */
		add_str(recs, "PTR", he->h_name);
		for (i = 0; he->h_aliases != NULL && he->h_aliases[i] != NULL;
		    i++)
			if (strcmp(he->h_aliases[i], he->h_name) != 0)
				add_str(recs, "PTR", he->h_aliases[i]);
		ares_free_hostent(he);
		break;
	}
}

/* The host of a URL (xmalloc'd, IPv6 without brackets), or NULL. */
static char *
url_host(const char *url)
{
	CURLU	*u;
	char	*h = NULL, *r = NULL;
	size_t	 len;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		len = strlen(h);
		if (len > 2 && h[0] == '[' && h[len - 1] == ']')
			r = xstrndup(h + 1, len - 2);
		else
			r = xstrdup(h);
		curl_free(h);
	}
	curl_url_cleanup(u);
	return r;
}

static void
dns_run(const struct src_in *in, struct src_out *out)
{
	static const int	 fwd[] = { ns_t_a, ns_t_aaaa, ns_t_mx, ns_t_ns,
	    ns_t_txt, ns_t_soa, ns_t_caa };
	struct dnsq		 q[nitems(fwd) + SRV_MAX];
	char			*srvname[SRV_MAX], *host = NULL, *list, *p, *w;
	const char		*name, *services, *kind = NULL;
	char			 rev[128], err[256];
	json_object		*recs;
	size_t			 n = 0, nsrv = 0, i;
	int			 reverse = 0, answered = 0, timeouts = 0;
	int			 last = ARES_ENOTFOUND;
	unsigned char		 a[16];

	memset(srvname, 0, sizeof(srvname));
	if (in->kind == IND_URL) {
		if ((host = url_host(in->data)) == NULL) {
			out->error = "UNSUPPORTED_INDICATOR";
			out->message = xstrdup("the URL has no host");
			return;
		}
		name = host;
	} else
		name = in->data;
	if (inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1) {
		reverse = 1;
		if (dnsq_reverse(name, "in-addr.arpa", "ip6.arpa", rev,
		    sizeof(rev)) == -1) {
			free(host);
			out->error = "UNSUPPORTED_INDICATOR";
			out->message = xstrdup("not an address");
			return;
		}
		q[n].name = rev;
		q[n++].type = ns_t_ptr;
	} else {
		for (i = 0; i < nitems(fwd); i++) {
			q[n].name = name;
			q[n++].type = fwd[i];
		}
		services = src_config_str(in, "srv_services", SRV_DEFAULT);
		list = xstrdup(services);
		for (p = list; (w = strsep(&p, ", ")) != NULL &&
		    nsrv < SRV_MAX;) {
			if (*w != '_')
				continue;
			xasprintf(&srvname[nsrv], "%s.%s", w, name);
			q[n].name = srvname[nsrv++];
			q[n++].type = ns_t_srv;
		}
		free(list);
	}

	if (dnsq_run(q, n, in->deadline, err, sizeof(err)) == -1) {
		out->error = "INTERNAL_SERVER_ERROR";
		out->message = xstrdup(err);
		goto done;
	}
	recs = json_object_new_object();
	for (i = 0; i < n; i++) {
		if (q[i].status == ARES_SUCCESS) {
			answered++;
			parse_one(&q[i], q[i].type == ns_t_srv ?
			    q[i].name : NULL, recs);
		} else if (q[i].status == ARES_ETIMEOUT)
			timeouts++;
		else if (q[i].status != ARES_ENOTFOUND &&
		    q[i].status != ARES_ENODATA)
			last = q[i].status;
	}
	if (json_object_object_length(recs) == 0) {
		json_object_put(recs);
		if (answered == 0 && timeouts > 0)
			kind = "TIMEOUT";
		else if (last != ARES_ENOTFOUND)
			kind = dnsq_error_kind(last);
		else
			kind = "NOT_FOUND";
		out->error = kind;
		if (strcmp(kind, "NOT_FOUND") != 0)
			out->message = xstrdup(timeouts > 0 ? "no DNS answer "
			    "in time" : dnsq_strerror(last));
		goto done;
	}
	out->data = json_object_new_object();
	(void)json_object_object_add(out->data, "name",
	    json_object_new_string(reverse ? rev : name));
	(void)json_object_object_add(out->data, "records", recs);
done:
	dnsq_free(q, n);
	for (i = 0; i < nsrv; i++)
		free(srvname[i]);
	free(host);
}

/* The related indicators of the records; verdict "unknown". */
static json_object *
dns_verdict(const struct src_in *in, json_object *data)
{
	static const struct {
		const char	*type, *kind, *field;
	} map[] = {
		{ "A", "IPV4", NULL }, { "AAAA", "IPV6", NULL },
		{ "CNAME", "DOMAIN", NULL }, { "NS", "DOMAIN", NULL },
		{ "PTR", "DOMAIN", NULL }, { "MX", "DOMAIN", "host" },
		{ "SRV", "DOMAIN", "target" },
	};
	json_object	*v, *recs, *a, *e, *f;
	size_t		 i, j, len;

	(void)in;
	v = src_verdict_new(SRC_UNKNOWN, 0);
	if (!json_object_object_get_ex(data, "records", &recs))
		return v;
	for (i = 0; i < nitems(map); i++) {
		if (!json_object_object_get_ex(recs, map[i].type, &a) ||
		    !json_object_is_type(a, json_type_array))
			continue;
		len = json_object_array_length(a);
		for (j = 0; j < len; j++) {
			e = json_object_array_get_idx(a, j);
			if (map[i].field != NULL &&
			    json_object_object_get_ex(e, map[i].field, &f))
				e = f;
			if (json_object_is_type(e, json_type_string))
				src_verdict_related(v, map[i].kind,
				    json_object_get_string(e));
		}
	}
	return v;
}

const struct src_def src_dns = {
	.builtin = "dns",
	.base = "",
	.kinds = KIND_BIT(IND_DOMAIN) | KIND_BIT(IND_IPV4) |
	    KIND_BIT(IND_IPV6) | KIND_BIT(IND_URL),
	.run = dns_run,
	.verdict = dns_verdict,
};
