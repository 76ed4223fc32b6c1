/*
 * tests/fuzz/fuzz-sources.c -- libFuzzer target for the built-in
 * sources' answer readers.  The first two bytes of the input pick a
 * source of src_registry() and one of the indicator kinds it answers
 * (each with a fixed, plausible normalized value) and whether the
 * source sees per-source settings; the rest is parsed as JSON the way
 * the framework parses an upstream answer (inputs that are not JSON
 * are skipped).  A build/parse source gets it as a 2xx answer through
 * parse(), and its verdict hook what parse() made of it; a run()
 * source's verdict hook gets the JSON itself as data, since a cached
 * or shared result reaches it without the run.  The JSON is read by
 * json_parse_capped() with the framework's depth cap, as
 * src_http_map() reads answers (strict, valid UTF-8, "null" is a NULL
 * body).
 *
 * Invariants: no crash, sanitizer report or leak; parse() sets data or
 * an error, never both, and an error is a kind word; the data, the
 * message and the verdict are valid UTF-8 (they are stored in
 * PostgreSQL and sent as JSON); a verdict is NULL
 * or an object with "verdict" one of malicious, suspicious, benign,
 * unknown, an integer "score" in 0..100, at most 64 clean tags and 100
 * related indicators ({"kind", "data"} strings) and string dates.
 * Build: tests/fuzz/run.sh sources.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "indicator.h"
#include "json.h"
#include "source.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define JSON_DEPTH	128	/* as lib/sources/framework.c parses answers */

/* A normalized indicator of each kind. */
static const char *const sample[IND__MAX] = {
	[IND_DOMAIN] = "example.com",
	[IND_IPV4] = "192.0.2.1",
	[IND_IPV6] = "2001:db8::1",
	[IND_URL] = "http://example.com/path/file.php?q=1",
	[IND_EMAIL] = "user@example.com",
	[IND_SHA1] = "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	[IND_SHA256] = "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855",
	[IND_SHA512] = "cf83e1357eefb8bdf1542850d66d8007"
	    "d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f"
	    "63b931bd47417a81a538327af927da3e",
	[IND_MD5] = "d41d8cd98f00b204e9800998ecf8427e",
	[IND_TLSH] = "T1A0C08C2F4B8D1C16A55C0D6F9B9E7B0B1B2A0F8C1E3D4A5B6C7D8E"
	    "9F0A1B2C3D4E5F6",
	[IND_SSDEEP] = "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
};

/* Settings with small limits, so that capping code runs too. */
static const char config_text[] = "[{\"name\":\"max_results\",\"value\":2},"
    "{\"name\":\"maxResults\",\"value\":\"3\"},"
    "{\"name\":\"size\",\"value\":1},"
    "{\"name\":\"reputation\",\"value\":0},"
    "{\"name\":\"include_unverified\",\"value\":0}]";

static const char *const error_kinds[] = {
	"NOT_FOUND", "UNAUTHORIZED", "RATE_LIMITED", "RESPONSE_ERROR",
	"REQUEST_ERROR", "TIMEOUT", "UNSUPPORTED_INDICATOR", "DATABASE_ERROR",
	"INTERNAL_SERVER_ERROR",
};

static void
fail(const struct src_def *d, const char *what, json_object *o)
{
	fprintf(stderr, "fuzz-sources: %s: %s%s%s\n", d->builtin, what,
	    o != NULL ? ": " : "", o != NULL ?
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "");
	abort();
}

/* Valid UTF-8: no overlong form, surrogate or code point past U+10FFFF. */
static int
utf8n(const char *str, size_t n)
{
	const unsigned char	*s = (const unsigned char *)str,
				*e = s + n;
	unsigned long		 cp;
	size_t			 k, j;

	while (s < e) {
		if (*s == '\0')
			return 0;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			k = 1, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			k = 2, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			k = 3, cp = *s & 0x07;
		else
			return 0;
		for (j = 1; j <= k; j++) {
			if (s + j >= e || (s[j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += k + 1;
	}
	return 1;
}

static int
utf8(const char *s)
{
	return utf8n(s, strlen(s));
}

static void
check_utf8(const struct src_def *d, const char *what, json_object *o)
{
	const char	*t;

	if (o == NULL)
		return;
	t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (t == NULL || !utf8(t)) {
		fprintf(stderr, "fuzz-sources: %s: %s is not UTF-8\n",
		    d->builtin, what);
		abort();
	}
}

static int
clean(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
str_member(json_object *o, const char *key, size_t max)
{
	json_object	*x;

	return json_object_object_get_ex(o, key, &x) &&
	    json_object_is_type(x, json_type_string) &&
	    clean(json_object_get_string(x), max);
}

static void
check_verdict(const struct src_def *d, json_object *v)
{
	json_object	*x, *e;
	const char	*w;
	int64_t		 score;
	size_t		 i, n;

	if (v == NULL)
		return;
	if (!json_object_is_type(v, json_type_object))
		fail(d, "verdict is not an object", v);
	if (!json_object_object_get_ex(v, "verdict", &x) ||
	    !json_object_is_type(x, json_type_string))
		fail(d, "no verdict word", v);
	w = json_object_get_string(x);
	if (strcmp(w, SRC_MALICIOUS) != 0 && strcmp(w, SRC_SUSPICIOUS) != 0 &&
	    strcmp(w, SRC_BENIGN) != 0 && strcmp(w, SRC_UNKNOWN) != 0)
		fail(d, "bad verdict word", v);
	if (!json_object_object_get_ex(v, "score", &x) ||
	    !json_object_is_type(x, json_type_int))
		fail(d, "no integer score", v);
	score = json_object_get_int64(x);
	if (score < 0 || score > 100)
		fail(d, "score out of 0..100", v);
	if (json_object_object_get_ex(v, "tags", &x)) {
		if (!json_object_is_type(x, json_type_array) ||
		    (n = json_object_array_length(x)) > 64)
			fail(d, "bad tags", v);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(x, i);
			if (!json_object_is_type(e, json_type_string) ||
			    !clean(json_object_get_string(e), 128))
				fail(d, "bad tag", v);
		}
	}
	if (json_object_object_get_ex(v, "related", &x)) {
		if (!json_object_is_type(x, json_type_array) ||
		    (n = json_object_array_length(x)) > 100)
			fail(d, "bad related", v);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(x, i);
			if (!json_object_is_type(e, json_type_object) ||
			    !str_member(e, "kind", 32) ||
			    !str_member(e, "data", 2048))
				fail(d, "bad related indicator", v);
		}
	}
	if ((json_object_object_get_ex(v, "firstSeen", &x) &&
	    !json_object_is_type(x, json_type_string)) ||
	    (json_object_object_get_ex(v, "lastSeen", &x) &&
	    !json_object_is_type(x, json_type_string)))
		fail(d, "a date is not a string", v);
	/* What the lookup stores must serialize, as UTF-8. */
	check_utf8(d, "the verdict", v);
}

static void
check_error(const struct src_def *d, const struct src_out *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(error_kinds) / sizeof(error_kinds[0]); i++)
		if (strcmp(out->error, error_kinds[i]) == 0)
			return;
	fprintf(stderr, "fuzz-sources: %s: unknown error kind \"%s\"\n",
	    d->builtin, out->error);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_object		*config;
	const struct src_def *const	*reg, *d;
	struct src_in			 in;
	struct src_out			 out;
	json_object			*body, *v;
	const char			*err;
	size_t				 nreg, nk, pick;
	int				 k;

	if (size < 2)
		return 0;
	if (config == NULL)
		config = json_tokener_parse(config_text);
	reg = src_registry(&nreg);
	d = reg[data[0] % nreg];
	if (d->kinds == 0 || (d->parse == NULL && d->verdict == NULL))
		return 0;

	/* The kind: the (data[1] & 0x7f)-th of those it answers, round. */
	for (nk = 0, k = 0; k < IND__MAX; k++)
		if (d->kinds & KIND_BIT(k))
			nk++;
	pick = (data[1] & 0x7f) % nk;
	for (k = 0; k < IND__MAX; k++)
		if ((d->kinds & KIND_BIT(k)) && pick-- == 0)
			break;

	/* The answer, parsed as the framework does (an empty one is an
	 * error there too). */
	if (size == 2)
		return 0;
	body = json_parse_capped((const char *)data + 2, size - 2,
	    JSON_DEPTH, &err);
	if (err != NULL)
		return 0;
	/*
	 * json-c checks only the shape of UTF-8 sequences: overlong forms,
	 * surrogates and code points past U+10FFFF get through (a finding
	 * of docs/fuzzing.md).  Keep to what PostgreSQL takes, so that the
	 * UTF-8 checks below blame the sources only.
	 */
	if (!utf8n((const char *)data + 2, size - 2)) {
		json_object_put(body);
		return 0;
	}

	memset(&in, 0, sizeof(in));
	in.data = sample[k];
	in.kind = (enum ind_kind)k;
	in.base = d->base;
	in.source_url = d->base;
	in.config = (data[1] & 0x80) ? config : NULL;
	in.deadline = src_now_ms() + 1000;

	if (d->parse != NULL) {
		memset(&out, 0, sizeof(out));
		d->parse(&in, body, &out);
		if (out.error != NULL && out.data != NULL)
			fail(d, "parse() gave both data and an error",
			    out.data);
		if (out.error != NULL)
			check_error(d, &out);
		if (out.message != NULL && !utf8(out.message)) {
			fprintf(stderr, "fuzz-sources: %s: message is not "
			    "UTF-8: %s\n", d->builtin, out.message);
			abort();
		}
		check_utf8(d, "the data", out.data);
		if (out.error == NULL && out.data != NULL &&
		    d->verdict != NULL) {
			v = d->verdict(&in, out.data);
			check_verdict(d, v);
			json_object_put(v);
		}
		json_object_put(out.data);
		free(out.message);
	} else if (body != NULL) {
		/* A run() source: its verdict sees any shape of data. */
		v = d->verdict(&in, body);
		check_verdict(d, v);
		json_object_put(v);
	}
	json_object_put(body);
	return 0;
}
