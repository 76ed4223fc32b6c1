/*
 * lib/sources/haveibeenpwned.c -- Have I Been Pwned API v3, GET
 * /breachedaccount/{account}?truncateResponse=false for e-mail
 * addresses.  Secret slot HIBP_API_KEY, sent as hibp-api-key; HIBP
 * refuses requests without a User-Agent, which the framework always
 * sends.
 *
 * An account in no breach is HIBP's 404, which the framework reports
 * as NOT_FOUND: "nothing known" is NOT_FOUND for every source, and a
 * breach-free address is no evidence that it is benign.
 *
 * Config value "include_unverified" (0/1, default 1): also breaches HIBP
 * has not verified (HIBP's own default).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define MAX_NAME_TAGS	20
#define MAX_RELATED	50

static int
hibp_build(const struct src_in *in, struct src_req *rq, char *err,
    size_t errsz)
{
	char	*acct;

	if (in->kind != IND_EMAIL) {
		(void)snprintf(err, errsz, "Have I Been Pwned looks up e-mail "
		    "addresses only");
		return -1;
	}
	acct = src_escape(in->data);
	rq->url = src_url(in->base, "/breachedaccount/%s?truncateResponse="
	    "false%s", acct, src_config_int(in, "include_unverified", 1, 0,
	    1) ? "" : "&includeUnverified=false");
	free(acct);
	src_headers(in, rq, "HIBP_API_KEY", "hibp-api-key", NULL);
	return 0;
}

static void
hibp_parse(const struct src_in *in, json_object *body, struct src_out *out)
{
	(void)in;
	if (!json_object_is_type(body, json_type_array)) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("answer is not a list of breaches");
		return;
	}
	if (json_object_array_length(body) == 0) {
		out->error = "NOT_FOUND";
		return;
	}
	out->data = json_object_get(body);
}

static int
jbool(json_object *o, const char *k)
{
	json_object	*v;

	return json_object_object_get_ex(o, k, &v) &&
	    json_object_get_boolean(v);
}

static int
has_class(json_object *breach, const char *cls)
{
	json_object	*a;
	const char	*s;
	size_t		 i, n;

	if (!json_object_object_get_ex(breach, "DataClasses", &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if ((s = json_object_get_string(json_object_array_get_idx(a,
		    i))) != NULL && strcmp(s, cls) == 0)
			return 1;
	return 0;
}

/*
 * An address in breaches is exposed, not malicious: suspicious, with a
 * score of 10 per breach, +20 when passwords leaked, +30 when it shows
 * up in stealer logs or malware data, at most 100.  Tags: the breach
 * names and "passwords-exposed", "stealer-log", "spam-list"; seen: the
 * earliest and latest BreachDate; related: the breached sites' domains.
 */
static json_object *
hibp_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *b, *seen;
	const char	*s, *first = NULL, *last = NULL;
	size_t		 i, n;
	int		 pw = 0, stealer = 0, spam = 0, score;

	(void)in;
	if (!json_object_is_type(data, json_type_array))
		return NULL;
	n = json_object_array_length(data);
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(data, i);
		pw |= has_class(b, "Passwords");
		stealer |= jbool(b, "IsStealerLog") || jbool(b, "IsMalware");
		spam |= jbool(b, "IsSpamList");
		if ((s = jget_str(b, "BreachDate")) != NULL) {
			if (first == NULL || strcmp(s, first) < 0)
				first = s;
			if (last == NULL || strcmp(s, last) > 0)
				last = s;
		}
	}
	score = 10 * (int)(n > 10 ? 10 : n) + (pw ? 20 : 0) +
	    (stealer ? 30 : 0);
	v = src_verdict_new(SRC_SUSPICIOUS, score > 100 ? 100 : score);
	if (pw)
		src_verdict_tag(v, "passwords-exposed");
	if (stealer)
		src_verdict_tag(v, "stealer-log");
	if (spam)
		src_verdict_tag(v, "spam-list");
	for (i = 0; i < n && i < MAX_NAME_TAGS; i++)
		if ((s = jget_str(json_object_array_get_idx(data, i),
		    "Name")) != NULL)
			src_verdict_tag(v, s);
	if (first != NULL)
		src_verdict_seen(v, first, last);
	seen = json_object_new_object();
	for (i = 0; i < n && json_object_object_length(seen) < MAX_RELATED;
	    i++) {
		s = jget_str(json_object_array_get_idx(data, i), "Domain");
		if (s == NULL || *s == '\0' ||
		    json_object_object_get_ex(seen, s, NULL))
			continue;
		json_object_object_add(seen, s, NULL);
		src_verdict_related(v, "DOMAIN", s);
	}
	json_object_put(seen);
	return v;
}

const struct src_def src_haveibeenpwned = {
	.builtin = "haveibeenpwned",
	.base = "https://haveibeenpwned.com/api/v3",
	.kinds = KIND_BIT(IND_EMAIL),
	.build = hibp_build,
	.parse = hibp_parse,
	.verdict = hibp_verdict,
};
