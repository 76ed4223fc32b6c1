/*
 * lib/sources/framework.c -- the behaviour every built-in source shares
 * (see source.h): one HTTP exchange with the common options and status
 * mapping, used both by the lookup engine's transfers and by src_http()
 * for run() and task() hooks; per-source config values; the normalized
 * verdict; redaction of secrets from messages.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "compat.h"
#include "conf.h"
#include "json.h"
#include "log.h"
#include "source.h"
#include "xmalloc.h"

#define JSON_DEPTH	128	/* nesting accepted in upstream answers */
#define TAGS_MAX	64	/* tags kept in a verdict */
#define TAG_LEN_MAX	128	/* bytes of one tag */
#define RELATED_MAX	100	/* related indicators kept in a verdict */
#define RELATED_LEN_MAX	2048	/* bytes of one related indicator */

/* --- HTTP ---------------------------------------------------------------- */

static long long
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
src_now_ms(void)
{
	return mono_ms();
}

/* Is "w" one of the space-separated words of "list" (NULL: none)? */
static int
in_words(const char *w, const char *list)
{
	size_t	 n = strlen(w), k;

	while (list != NULL && *list != '\0') {
		k = strcspn(list, " ");
		if (k == n && strncmp(list, w, n) == 0)
			return 1;
		list += k;
		list += strspn(list, " ");
	}
	return 0;
}

void
src_abusech_error(const char *qs, const char *notfound, const char *refused,
    struct src_out *out)
{
	if (qs != NULL && in_words(qs, notfound))
		out->error = "NOT_FOUND";
	else if (qs != NULL && in_words(qs, refused))
		out->error = "UNAUTHORIZED";
	else {
		out->error = "RESPONSE_ERROR";
		xasprintf(&out->message, "query_status %s",
		    qs != NULL ? qs : "missing");
	}
}

void
src_task_in(const struct src_task *t, enum ind_kind kind, struct src_in *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->data = "";
	in->base = t->base;
	in->source_url = t->source_url;
	in->secrets = t->secrets;
	in->nsecrets = t->nsecrets;
	in->config = t->config;
	in->deadline = t->deadline;
	in->db = t->db;
}

size_t
src_body_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct src_body	*b = arg;
	size_t		 n = size * nmemb, max;

	max = (size_t)conf_int("upstream_response_max");
	if (b->len + n > max) {
		b->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if (b->cap > max + 1)
			b->cap = max + 1;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, ptr, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

void
src_body_free(struct src_body *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

void
src_curl_setup(void *easy, const struct src_req *rq, long long timeout_ms,
    struct src_body *sink)
{
	CURL		*e = easy;
	const char	*proxy = conf_str("upstream_proxy");

	if (timeout_ms < 1)
		timeout_ms = 1;
	(void)curl_easy_setopt(e, CURLOPT_URL, rq->url);
	(void)curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* No redirects: the API key headers would follow them to any
	 * host.  A redirect is a RESPONSE_ERROR ("HTTP 302"). */
	(void)curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(timeout_ms < 5000 ? timeout_ms : 5000));
	(void)curl_easy_setopt(e, CURLOPT_USERAGENT, conf_str("user_agent"));
	/* Only the configured proxy: never one from the environment
	 * ("" disables the environment's). */
	(void)curl_easy_setopt(e, CURLOPT_PROXY, proxy);
	(void)curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	(void)curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)conf_int("upstream_response_max"));
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, rq->headers);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, src_body_write);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, sink);
	if (rq->post)
		(void)curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS,
		    rq->body != NULL ? rq->body : "");
}

/* Seconds from a Retry-After header: delta-seconds or an HTTP date. */
static long long
retry_after(CURL *easy)
{
	struct curl_header	*h;
	const char		*errstr;
	long long		 v;
	time_t			 t;

	if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1,
	    &h) != CURLHE_OK)
		return 0;
	v = strtonum(h->value, 0, 86400, &errstr);
	if (errstr == NULL)
		return v;
	if ((t = curl_getdate(h->value, NULL)) != -1 && t > time(NULL))
		return (long long)(t - time(NULL));
	return 0;
}

static void
set_error(struct src_out *out, const char *kind, const char *msg)
{
	out->error = kind;
	free(out->message);
	out->message = msg != NULL ? xstrdup(msg) : NULL;
}

int
src_http_map(void *easy, int cc, const struct src_body *b, int want_json,
    json_object **json, struct src_out *out)
{
	json_object	*j;
	const char	*jerr;
	long		 status = 0;
	char		 msg[128];

	if (json != NULL)
		*json = NULL;
	(void)curl_easy_getinfo((CURL *)easy, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		set_error(out, "TIMEOUT", "no answer in time");
	else if (b->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		(void)snprintf(msg, sizeof(msg), "the answer is larger than "
		    "%lld bytes", conf_int("upstream_response_max"));
		set_error(out, "RESPONSE_ERROR", msg);
	} else if (cc != CURLE_OK)
		set_error(out, "REQUEST_ERROR",
		    curl_easy_strerror((CURLcode)cc));
	else if (status == 404)
		set_error(out, "NOT_FOUND", NULL);
	else if (status == 401 || status == 403)
		set_error(out, "UNAUTHORIZED", NULL);
	else if (status == 429) {
		set_error(out, "RATE_LIMITED", NULL);
		out->retry_after = retry_after(easy);
	} else if (status < 200 || status > 299) {
		(void)snprintf(msg, sizeof(msg), "HTTP %ld", status);
		set_error(out, "RESPONSE_ERROR", msg);
	} else if (!want_json)
		return 0;
	else if (b->len == 0)
		set_error(out, "RESPONSE_ERROR", "empty answer");
	else if ((j = json_parse_capped(b->buf, b->len, JSON_DEPTH,
	    &jerr)) == NULL && jerr != NULL)
		set_error(out, "RESPONSE_ERROR", "the answer is not JSON");
	else {
		if (json != NULL)
			*json = j;
		else
			json_object_put(j);
		return 0;
	}
	return -1;
}

int
src_http(const struct src_in *in, struct src_req *rq, int want_json,
    char **body, size_t *len, json_object **json, struct src_out *out)
{
	struct src_body	 b;
	CURL		*easy;
	CURLcode	 cc;
	long long	 left;
	char		*m;
	int		 rc = -1;

	if (body != NULL)
		*body = NULL;
	if (len != NULL)
		*len = 0;
	if (json != NULL)
		*json = NULL;
	memset(&b, 0, sizeof(b));
	left = in->deadline > 0 ? in->deadline - mono_ms() : 30000;
	if (left <= 0)
		set_error(out, "TIMEOUT", "no time left for the request");
	else if (rq->url == NULL)
		set_error(out, "INTERNAL_SERVER_ERROR", "no URL");
	else if ((easy = curl_easy_init()) == NULL)
		set_error(out, "INTERNAL_SERVER_ERROR", "out of memory");
	else {
		src_curl_setup(easy, rq, left, &b);
		if ((m = src_redact(in, rq->url)) != NULL) {
			log_debug("source %s: %s", rq->post ? "POST" : "GET",
			    m);
			free(m);
		}
		cc = curl_easy_perform(easy);
		rc = src_http_map(easy, cc, &b, want_json, json, out);
		curl_easy_cleanup(easy);
	}
	if (out->message != NULL) {
		m = src_redact(in, out->message);
		free(out->message);
		out->message = m;
	}
	if (rc == 0) {
		if (b.buf == NULL)
			b.buf = xstrdup("");
		if (body != NULL) {
			*body = b.buf;
			b.buf = NULL;
		}
		if (len != NULL)
			*len = b.len;
	}
	src_body_free(&b);
	free(rq->url);
	if (rq->body != NULL)
		freezero_str(rq->body);
	curl_slist_free_all(rq->headers);
	memset(rq, 0, sizeof(*rq));
	return rc;
}

/* --- Redaction ----------------------------------------------------------- */

/* Replace every "needle" in the xmalloc'd "*s" by "***". */
static void
replace_all(char **s, const char *needle)
{
	size_t	 nl = strlen(needle), n = 0;
	char	*p, *out, *o;

	if (nl == 0)
		return;
	for (p = strstr(*s, needle); p != NULL; p = strstr(p + nl, needle))
		n++;
	if (n == 0)
		return;
	out = o = xmalloc(strlen(*s) + n * 3 + 1);
	for (p = *s; ; ) {
		char	*hit = strstr(p, needle);

		if (hit == NULL) {
			(void)strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, "***", 3);
		o += 3;
		p = hit + nl;
	}
	freezero_str(*s);
	*s = out;
}

char *
src_redact(const struct src_in *in, const char *text)
{
	char	*s, *enc;
	size_t	 i;

	if (text == NULL)
		return NULL;
	s = xstrdup(text);
	if (in == NULL)
		return s;
	/* Longest first would matter only for secrets containing each
	 * other; each is also redacted as it appears percent-encoded. */
	for (i = 0; i < in->nsecrets; i++) {
		if (in->secrets[i].value == NULL ||
		    in->secrets[i].value[0] == '\0')
			continue;
		replace_all(&s, in->secrets[i].value);
		enc = src_escape(in->secrets[i].value);
		replace_all(&s, enc);
		freezero_str(enc);
	}
	return s;
}

/* --- Config values ------------------------------------------------------- */

/*
 * The value of "key": config_values is an array of {"name" (or "key"),
 * "value"} objects (the API's shape); a plain object of key/value pairs
 * is read too.
 */
static json_object *
config_get(const struct src_in *in, const char *key)
{
	json_object	*e, *v;
	const char	*k;
	size_t		 i, n;

	if (in == NULL || in->config == NULL || key == NULL)
		return NULL;
	if (json_object_is_type(in->config, json_type_object))
		return json_object_object_get_ex(in->config, key, &v) ? v :
		    NULL;
	if (!json_object_is_type(in->config, json_type_array))
		return NULL;
	n = json_object_array_length(in->config);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(in->config, i);
		if (!json_object_is_type(e, json_type_object))
			continue;
		if ((k = jget_str(e, "name")) == NULL &&
		    (k = jget_str(e, "key")) == NULL)
			continue;
		if (strcmp(k, key) == 0 &&
		    json_object_object_get_ex(e, "value", &v))
			return v;
	}
	return NULL;
}

const char *
src_config_str(const struct src_in *in, const char *key, const char *def)
{
	json_object	*v = config_get(in, key);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}

long long
src_config_int(const struct src_in *in, const char *key, long long def,
    long long min, long long max)
{
	json_object	*v = config_get(in, key);
	const char	*errstr;
	long long	 n;

	if (v == NULL)
		return def;
	if (json_object_is_type(v, json_type_int))
		n = json_object_get_int64(v);
	else if (json_object_is_type(v, json_type_string)) {
		n = strtonum(json_object_get_string(v), min, max, &errstr);
		if (errstr != NULL)
			return def;
	} else
		return def;
	return n < min || n > max ? def : n;
}

/* --- Verdicts ------------------------------------------------------------ */

static const char *
verdict_word(const char *v)
{
	static const char *const words[] = { SRC_MALICIOUS, SRC_SUSPICIOUS,
	    SRC_BENIGN, SRC_UNKNOWN };
	size_t	 i;

	for (i = 0; v != NULL && i < nitems(words); i++)
		if (strcmp(v, words[i]) == 0)
			return words[i];
	return NULL;
}

int
src_verdict_rank(const char *v)
{
	if (v == NULL)
		return -1;
	if (strcmp(v, SRC_MALICIOUS) == 0)
		return 3;
	if (strcmp(v, SRC_SUSPICIOUS) == 0)
		return 2;
	if (strcmp(v, SRC_BENIGN) == 0)
		return 1;
	if (strcmp(v, SRC_UNKNOWN) == 0)
		return 0;
	return -1;
}

json_object *
src_verdict_new(const char *verdict, int score)
{
	json_object	*v;
	const char	*w;

	if ((w = verdict_word(verdict)) == NULL)
		w = SRC_UNKNOWN;
	if (score < 0)
		score = 0;
	if (score > 100)
		score = 100;
	v = json_object_new_object();
	(void)jadd(v, "verdict", json_object_new_string(w));
	(void)jadd(v, "score", json_object_new_int(score));
	(void)jadd(v, "tags", json_object_new_array());
	(void)jadd(v, "related", json_object_new_array());
	return v;
}

/* Is "s" printable UTF-8 text without control characters? */
static int
clean_text(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

void
src_verdict_tag(json_object *v, const char *tag)
{
	json_object	*a;
	size_t		 i, n;

	if (v == NULL || tag == NULL || !clean_text(tag, TAG_LEN_MAX))
		return;
	if (!json_object_object_get_ex(v, "tags", &a)) {
		a = json_object_new_array();
		(void)jadd(v, "tags", a);
	}
	n = json_object_array_length(a);
	if (n >= TAGS_MAX)
		return;
	for (i = 0; i < n; i++)
		if (strcasecmp(json_object_get_string(
		    json_object_array_get_idx(a, i)), tag) == 0)
			return;
	(void)jappend(a, json_object_new_string(tag));
}

void
src_verdict_tags(json_object *v, json_object *o, const char *key)
{
	json_object	*a, *e;
	size_t		 i, n;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (json_object_is_type(e, json_type_string))
			src_verdict_tag(v, json_object_get_string(e));
	}
}

/* Days from 1970-01-01 of a proleptic Gregorian date. */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long	 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/*
 * "s" as seconds since the epoch: digits (seconds, or milliseconds
 * when 13 long), ISO 8601 / RFC 3339 with "T" or a space, optional
 * fraction and "Z" or +hh:mm / +hhmm offset (or " UTC"), or a date
 * alone.  -1 when it does not parse.
 */
static long long
parse_date(const char *s)
{
	int		 y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	long long	 t;
	const char	*p;
	char		*end;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	if (strspn(s, "0123456789") == strlen(s) && strlen(s) <= 13) {
		t = strtoll(s, &end, 10);
		return strlen(s) == 13 ? t / 1000 : t;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			p += 1 + n;
		}
		if (*p == '.' || *p == ',')
			for (p++; isdigit((unsigned char)*p); p++)
				continue;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || h < 0 || mi < 0 || sec < 0)
		return -1;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec;
	while (*p == ' ')
		p++;
	if (*p == '\0' || strcmp(p, "Z") == 0 || strcmp(p, "z") == 0 ||
	    strcmp(p, "UTC") == 0 || strcmp(p, "GMT") == 0)
		return t;
	if ((*p == '+' || *p == '-') &&
	    ((sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5) ||
	    (sscanf(p + 1, "%2d%2d%n", &oh, &om, &n) == 2 && n == 4)) &&
	    p[1 + n] == '\0' && oh <= 23 && om <= 59)
		return *p == '+' ? t - (oh * 3600 + om * 60) :
		    t + (oh * 3600 + om * 60);
	return -1;
}

int
src_date_iso(const char *in, char *buf, size_t sz)
{
	struct tm	 tm;
	long long	 t;
	time_t		 tt;

	if (in == NULL || (t = parse_date(in)) < 0)
		return -1;
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL)
		return -1;
	return strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ? -1 : 0;
}

static void
seen_one(json_object *v, const char *key, const char *val)
{
	char	 buf[32];

	if (val == NULL || *val == '\0')
		return;
	if (src_date_iso(val, buf, sizeof(buf)) == 0)
		(void)jadd(v, key, json_object_new_string(buf));
	else if (clean_text(val, 64))
		(void)jadd(v, key, json_object_new_string(val));
}

void
src_verdict_seen(json_object *v, const char *first, const char *last)
{
	if (v == NULL)
		return;
	seen_one(v, "firstSeen", first);
	seen_one(v, "lastSeen", last);
}

void
src_verdict_related(json_object *v, const char *kind, const char *data)
{
	json_object	*a, *e;
	size_t		 i, n;

	if (v == NULL || kind == NULL || data == NULL ||
	    !clean_text(kind, 32) || !clean_text(data, RELATED_LEN_MAX))
		return;
	if (!json_object_object_get_ex(v, "related", &a)) {
		a = json_object_new_array();
		(void)jadd(v, "related", a);
	}
	n = json_object_array_length(a);
	if (n >= RELATED_MAX)
		return;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (strcmp(jget_str(e, "kind"), kind) == 0 &&
		    strcmp(jget_str(e, "data"), data) == 0)
			return;
	}
	e = json_object_new_object();
	(void)jadd(e, "kind", json_object_new_string(kind));
	(void)jadd(e, "data", json_object_new_string(data));
	(void)jappend(a, e);
}

/* "v" of a JSON value as a string for a date: numbers as their text. */
static const char *
date_text(json_object *v)
{
	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int))
		return json_object_get_string(v);
	return NULL;
}

json_object *
src_verdict_lift(json_object *data)
{
	json_object	*in, *v, *a, *e, *x;
	const char	*w, *k, *d;
	int64_t		 score;
	double		 dscore;
	size_t		 i, n;

	if (data == NULL || !json_object_is_type(data, json_type_object) ||
	    !json_object_object_get_ex(data, "verdict", &in) ||
	    !json_object_is_type(in, json_type_object))
		return NULL;
	if ((w = verdict_word(jget_str(in, "verdict"))) == NULL)
		return NULL;
	score = -1;
	if (json_object_object_get_ex(in, "score", &x) && x != NULL) {
		if (!json_object_is_type(x, json_type_int) &&
		    !json_object_is_type(x, json_type_double))
			return NULL;
		/* Range first: converting a double outside int64_t's
		 * range (1e300, NaN) to an integer is undefined. */
		dscore = json_object_get_double(x);
		if (!(dscore >= 0 && dscore <= 100))
			return NULL;
		score = (int64_t)dscore;
	}
	if (score < 0)		/* no score: the middle of its band */
		score = strcmp(w, SRC_MALICIOUS) == 0 ? 90 :
		    strcmp(w, SRC_SUSPICIOUS) == 0 ? 50 : 0;
	v = src_verdict_new(w, (int)score);
	src_verdict_tags(v, in, "tags");
	d = date_text(json_object_object_get_ex(in, "firstSeen", &x) ? x :
	    NULL);
	src_verdict_seen(v, d, date_text(json_object_object_get_ex(in,
	    "lastSeen", &x) ? x : NULL));
	if (json_object_object_get_ex(in, "related", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(a, i);
			if (!json_object_is_type(e, json_type_object))
				continue;
			k = jget_str(e, "kind");
			d = jget_str(e, "data");
			src_verdict_related(v, k, d);
		}
	}
	return v;
}

char *
src_utf8_trunc(const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL)
		return NULL;
	if ((n = strlen(s)) > max) {
		/* Back off over continuation bytes to a character start:
		 * cutting there drops the character instead of halving
		 * it. */
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}
