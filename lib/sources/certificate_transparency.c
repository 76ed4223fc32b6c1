/*
 * lib/sources/certificate_transparency.c -- crt.sh, the Certificate
 * Transparency log search: GET /?q=%.{domain}&output=json for domains,
 * every logged certificate for a name under the domain.  No key.
 *
 * crt.sh answers an array of certificate entries, one per (certificate,
 * issuer), each with the names it covers in "name_value" (newline
 * separated).  "data" is a summary of it:
 *   {"query", "total", "names": [...], "certificates": [...],
 *    "truncated", "first_seen", "last_seen"}
 * with the names de-duplicated and lower-cased, and at most max_results
 * certificates and names kept.  An empty array is NOT_FOUND.
 *
 * Config values: "max_results" (1..10000, default 100); "exclude_expired"
 * (0/1, default 0): only certificates still valid.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define MAX_ISSUER_TAGS	10

static int
ct_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	char	*d;

	if (in->kind != IND_DOMAIN) {
		(void)snprintf(err, errsz, "crt.sh looks up domains only");
		return -1;
	}
	d = src_escape(in->data);
	/* "%25." is the percent sign of crt.sh's LIKE pattern "%.". */
	rq->url = src_url(in->base, "/?q=%%25.%s&output=json&deduplicate=Y%s",
	    d, src_config_int(in, "exclude_expired", 0, 0, 1) ?
	    "&exclude=expired" : "");
	free(d);
	src_headers(in, rq, NULL, NULL, NULL);
	return 0;
}

/* Keep the earliest / latest ISO 8601 string of "o"'s "key". */
static void
minmax(json_object *o, const char *key, char **lo, char **hi)
{
	const char	*s = jget_str(o, key);

	if (s == NULL || *s == '\0')
		return;
	if (lo != NULL && (*lo == NULL || strcmp(s, *lo) < 0)) {
		free(*lo);
		*lo = xstrdup(s);
	}
	if (hi != NULL && (*hi == NULL || strcmp(s, *hi) > 0)) {
		free(*hi);
		*hi = xstrdup(s);
	}
}

static void
ct_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	json_object	*data, *names, *certs, *set, *e;
	const char	*nv, *p, *q;
	char		*name, *first = NULL, *last = NULL, *query;
	size_t		 i, n, len, j;
	long long	 max;
	int		 truncated = 0;

	if (!json_object_is_type(body, json_type_array)) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("answer is not a list of certificates");
		return;
	}
	if ((n = json_object_array_length(body)) == 0) {
		out->error = "NOT_FOUND";
		return;
	}
	max = src_config_int(in, "max_results", 100, 1, 10000);
	names = json_object_new_array();
	certs = json_object_new_array();
	set = json_object_new_object();
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(body, i);
		if (!json_object_is_type(e, json_type_object))
			continue;
		minmax(e, "not_before", &first, NULL);
		minmax(e, "entry_timestamp", &first, &last);
		if ((long long)json_object_array_length(certs) < max)
			(void)jappend(certs, json_object_get(e));
		else
			truncated = 1;
		if ((nv = jget_str(e, "name_value")) == NULL)
			continue;
		for (p = nv; *p != '\0'; p = *q != '\0' ? q + 1 : q) {
			q = p + strcspn(p, "\n");
			len = (size_t)(q - p);
			while (len > 0 && isspace((unsigned char)p[len - 1]))
				len--;
			if (len == 0)
				continue;
			name = xstrndup(p, len);
			for (j = 0; j < len; j++)
				name[j] = (char)tolower((unsigned char)name[j]);
			if (!json_object_object_get_ex(set, name, NULL)) {
				if ((long long)json_object_array_length(names) <
				    max) {
					json_object_object_add(set, name, NULL);
					(void)jappend(names,
					    json_object_new_string(name));
				} else
					truncated = 1;
			}
			free(name);
		}
	}
	json_object_put(set);
	data = json_object_new_object();
	xasprintf(&query, "%%.%s", in->data);
	(void)jadd(data, "query", json_object_new_string(query));
	free(query);
	(void)jadd(data, "total", json_object_new_int64((int64_t)n));
	(void)jadd(data, "names", names);
	(void)jadd(data, "certificates", certs);
	(void)jadd(data, "truncated", json_object_new_boolean(truncated));
	(void)jadd_nullable(data, "first_seen", jstr_or_null(first));
	(void)jadd_nullable(data, "last_seen", jstr_or_null(last));
	free(first);
	free(last);
	out->data = data;
}

/* The organization ("O=") of an issuer DN, xmalloc'd, or NULL. */
static char *
issuer_org(const char *dn)
{
	const char	*p;
	size_t		 len;

	for (p = dn; p != NULL && *p != '\0'; ) {
		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, ",");
		if (strncmp(p, "O=", 2) == 0 && len > 2) {
			if (p[2] == '"')	/* O="Example, Inc." */
				return xstrndup(p + 3, strcspn(p + 3, "\""));
			return xstrndup(p + 2, len - 2);
		}
		p += len;
	}
	return NULL;
}

/*
 * Logged certificates are no judgement: unknown, score 0.  Tags: the
 * issuing CAs' organizations; seen: earliest not_before/entry and the
 * latest log entry; related: the names found, without a leading "*."
 * and other than the domain itself.
 */
static json_object *
ct_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *a, *set;
	const char	*s;
	char		*org;
	size_t		 i, n;

	v = src_verdict_new(SRC_UNKNOWN, 0);
	set = json_object_new_object();
	if (json_object_object_get_ex(data, "certificates", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n && json_object_object_length(set) <
		    MAX_ISSUER_TAGS; i++) {
			s = jget_str(json_object_array_get_idx(a, i),
			    "issuer_name");
			if (s == NULL || (org = issuer_org(s)) == NULL)
				continue;
			if (!json_object_object_get_ex(set, org, NULL)) {
				json_object_object_add(set, org, NULL);
				src_verdict_tag(v, org);
			}
			free(org);
		}
	}
	json_object_put(set);
	src_verdict_seen(v, jget_str(data, "first_seen"),
	    jget_str(data, "last_seen"));
	set = json_object_new_object();
	if (json_object_object_get_ex(data, "names", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			if ((s = json_object_get_string(
			    json_object_array_get_idx(a, i))) == NULL)
				continue;
			if (strncmp(s, "*.", 2) == 0)
				s += 2;
			/* crt.sh also lists e-mail names and odd entries. */
			if (*s == '\0' || strcmp(s, in->data) == 0 ||
			    strchr(s, '@') != NULL || strchr(s, ' ') != NULL ||
			    json_object_object_get_ex(set, s, NULL))
				continue;
			json_object_object_add(set, s, NULL);
			src_verdict_related(v, "DOMAIN", s);
		}
	}
	json_object_put(set);
	return v;
}

const struct src_def src_certificate_transparency = {
	.builtin = "certificate_transparency",
	.base = "https://crt.sh",
	.kinds = KIND_BIT(IND_DOMAIN),
	.build = ct_build,
	.parse = ct_parse,
	.verdict = ct_verdict,
};
