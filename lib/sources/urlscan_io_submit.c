/*
 * lib/sources/urlscan_io_submit.c -- urlscan.io Scan API, URLs: POST
 * scan/ with {"url", "visibility"} and the API-Key header (secret slot
 * URLSCAN_IO_KEY), then poll result/<uuid>/, which is 404 until the
 * scan is over.  The polls run on the source's own thread (run hook),
 * so the other sources of the lookup are not held up; they sleep
 * between attempts but never past the deadline.
 *
 * data, scan over: {"status": "done", "uuid", "result" (the report's
 * page), "task", "page", "stats", "verdicts", "lists"} (the parts of
 * the result worth keeping; the request log is left out).  Scan not
 * over by the deadline: {"status": "pending", "uuid", "result", "api"}
 * with the URLs to look at later; its verdict is unknown.
 *
 * Config values: "visibility" (public, unlisted, private; default
 * private), "poll_delay_ms" (first wait, default 10000, as urlscan.io
 * asks), "poll_interval_ms" (between polls, default 2000).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define POLL_RESERVE_MS	300	/* kept to answer "pending" in time */

static const char *const kept[] = {
	"task", "page", "stats", "verdicts", "lists",
};

static void
sleep_ms(long long ms)
{
	struct timespec	 ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
}

/* A urlscan.io uuid: 36 characters of hex digits and dashes. */
static int
uuid_ok(const char *u)
{
	return u != NULL && strlen(u) == 36 &&
	    strspn(u, "0123456789abcdefABCDEF-") == 36;
}

static void
clear_error(struct src_out *out)
{
	out->error = NULL;
	free(out->message);
	out->message = NULL;
	out->retry_after = 0;
}

static json_object *
pending(const char *uuid, const char *result, const char *api)
{
	json_object	*o = json_object_new_object();

	(void)jadd(o, "status", json_object_new_string("pending"));
	(void)jadd(o, "uuid", json_object_new_string(uuid));
	(void)jadd(o, "result", json_object_new_string(result));
	(void)jadd(o, "api", json_object_new_string(api));
	return o;
}

static json_object *
done(const char *uuid, const char *result, json_object *body)
{
	json_object	*o = json_object_new_object(), *x;
	size_t		 i;

	(void)jadd(o, "status", json_object_new_string("done"));
	(void)jadd(o, "uuid", json_object_new_string(uuid));
	(void)jadd(o, "result", json_object_new_string(result));
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (json_object_object_get_ex(body, kept[i], &x))
			(void)jadd(o, kept[i], json_object_get(x));
	return o;
}

static void
usub_run(const struct src_in *in, struct src_out *out)
{
	struct src_req	 rq;
	struct src_in	 poll;
	json_object	*b, *body = NULL, *res = NULL;
	const char	*uuid, *result;
	char		*api, *human;
	long long	 wait, every, now;

	if (in->kind != IND_URL) {
		out->error = "UNSUPPORTED_INDICATOR";
		return;
	}
	memset(&rq, 0, sizeof(rq));
	b = json_object_new_object();
	(void)jadd(b, "url", json_object_new_string(in->data));
	(void)jadd(b, "visibility", json_object_new_string(src_config_str(in,
	    "visibility", "private")));
	rq.body = xstrdup(json_object_to_json_string_ext(b,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(b);
	rq.post = 1;
	rq.url = src_url(in->base, "/scan/");
	rq.headers = curl_slist_append(rq.headers,
	    "Content-Type: application/json");
	src_headers(in, &rq, "URLSCAN_IO_KEY", "API-Key", NULL);
	if (src_http(in, &rq, 1, NULL, NULL, &body, out) == -1)
		return;
	uuid = jget_str(body, "uuid");
	if (!uuid_ok(uuid)) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("the submission answer has no uuid");
		json_object_put(body);
		return;
	}
	/* Poll through the configured base, not the answer's "api" URL:
	 * the key must go nowhere else. */
	api = src_url(in->base, "/result/%s/", uuid);
	result = jget_str(body, "result");
	if (result != NULL && strncmp(result, "https://", 8) == 0)
		human = xstrdup(result);
	else
		xasprintf(&human, "https://urlscan.io/result/%s/", uuid);

	wait = src_config_int(in, "poll_delay_ms", 10000, 0, 600000);
	every = src_config_int(in, "poll_interval_ms", 2000, 100, 600000);
	poll = *in;
	poll.deadline = in->deadline - POLL_RESERVE_MS;
	for (;; wait = every) {
		now = src_now_ms();
		if (now + wait >= poll.deadline)
			break;
		sleep_ms(wait);
		memset(&rq, 0, sizeof(rq));
		rq.url = xstrdup(api);
		src_headers(in, &rq, "URLSCAN_IO_KEY", "API-Key", NULL);
		if (src_http(&poll, &rq, 1, NULL, NULL, &res, out) == 0) {
			out->data = done(uuid, human, res);
			json_object_put(res);
			goto out;
		}
		/* 404: not over yet.  A poll cut by the deadline is not an
		 * error either: the scan is pending. */
		if (out->error != NULL && (strcmp(out->error, "NOT_FOUND") == 0 ||
		    strcmp(out->error, "TIMEOUT") == 0)) {
			clear_error(out);
			continue;
		}
		goto out;
	}
	out->data = pending(uuid, human, api);
out:
	free(api);
	free(human);
	json_object_put(body);
}

static json_object *
usub_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *ov, *x, *a;
	const char	*st = jget_str(data, "status"), *s;
	struct in6_addr	 ip6;
	int		 score = 0, malicious = 0, hasv = 0;
	size_t		 i, n;

	(void)in;
	if (st == NULL || strcmp(st, "done") != 0 ||
	    !json_object_object_get_ex(data, "verdicts", &x) ||
	    !json_object_object_get_ex(x, "overall", &ov))
		return src_verdict_new(SRC_UNKNOWN, 0);
	if (json_object_object_get_ex(ov, "score", &x))
		score = json_object_get_int(x);
	if (json_object_object_get_ex(ov, "malicious", &x))
		malicious = json_object_get_boolean(x);
	if (json_object_object_get_ex(ov, "hasVerdicts", &x))
		hasv = json_object_get_boolean(x);
	if (score < 0)
		score = 0;
	if (malicious)
		v = src_verdict_new(SRC_MALICIOUS, score < 75 ? 75 : score);
	else if (score > 0)
		v = src_verdict_new(SRC_SUSPICIOUS, score);
	else
		v = src_verdict_new(hasv ? SRC_BENIGN : SRC_UNKNOWN, 0);
	if (json_object_object_get_ex(ov, "categories", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++)
			src_verdict_tag(v, json_object_get_string(
			    json_object_array_get_idx(a, i)));
	}
	if (json_object_object_get_ex(data, "task", &x))
		src_verdict_seen(v, jget_str(x, "time"), jget_str(x, "time"));
	if (json_object_object_get_ex(data, "page", &x)) {
		if ((s = jget_str(x, "ip")) != NULL)
			src_verdict_related(v, inet_pton(AF_INET6, s, &ip6) ==
			    1 ? "IPV6" : "IPV4", s);
		if ((s = jget_str(x, "domain")) != NULL)
			src_verdict_related(v, "DOMAIN", s);
	}
	return v;
}

const struct src_def src_urlscan_io_submit = {
	.builtin = "urlscan_io_submit",
	.base = "https://urlscan.io/api/v1",
	.kinds = KIND_BIT(IND_URL),
	.run = usub_run,
	.verdict = usub_verdict,
};
