/*
 * tests/unit/t-source.c -- the built-in source framework: URL helpers,
 * the requests and answers of the framework's own sources (VirusTotal,
 * AbuseIPDB, http_json; the others have their own tests), config
 * values, verdicts (helpers, each source's mapping, lifting, the
 * summary), redaction of secrets, the key/value pairs of a runner call
 * (lib/srcsecrets.h), the abuse.ch query_status errors, and src_http()
 * against a one-shot HTTP server on a thread of this process.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lookup.h"
#include "source.h"
#include "srcsecrets.h"
#include "tap.h"
#include "srctest.h"
#include "xmalloc.h"

static struct src_secret	 secs[] = {
	{ "VIRUSTOTAL_KEY", "vt-key" },
	{ "ABUSE_IPDB_KEY", "ab-key" },
	{ "URLHAUS_KEY", "uh-key" },
};

static char *
built(const char *builtin, enum ind_kind k, const char *data,
    struct src_req *rq)
{
	struct src_in	 in;
	char		 err[128];
	const struct src_def *d = src_find(builtin);

	memset(&in, 0, sizeof(in));
	memset(rq, 0, sizeof(*rq));
	in.data = data;
	in.kind = k;
	in.base = "http://mock/x/";
	in.source_url = "http://api.example/q/{data}?k={kind}";
	in.secrets = secs;
	in.nsecrets = 3;
	if (d == NULL || d->build == NULL ||
	    d->build(&in, rq, err, sizeof(err)) == -1)
		return NULL;
	return rq->url;
}

/* The verdict "builtin" gives "json" (kind "k", data "d"). */
static json_object *
verdict_of(const char *builtin, enum ind_kind k, const char *d,
    const char *json)
{
	struct src_in	 in;
	json_object	*o = json_tokener_parse(json), *v;

	memset(&in, 0, sizeof(in));
	in.kind = k;
	in.data = d;
	v = src_find(builtin)->verdict(&in, o);
	json_object_put(o);
	return v;
}

/* --- a one-shot HTTP server for src_http() ------------------------------ */

struct srv {
	int		 fd;
	int		 port;
	const char	*answer;	/* the whole response */
	char		 request[4096];	/* what came */
};

static void *
srv_thread(void *arg)
{
	struct srv	*sv = arg;
	size_t		 got = 0;
	ssize_t		 n;
	int		 c;

	if ((c = accept(sv->fd, NULL, NULL)) == -1)
		return NULL;
	while (got < sizeof(sv->request) - 1 && (n = read(c, sv->request +
	    got, sizeof(sv->request) - 1 - got)) > 0) {
		got += (size_t)n;
		sv->request[got] = '\0';
		if (strstr(sv->request, "\r\n\r\n") != NULL)
			break;
	}
	if (sv->answer != NULL)
		(void)write(c, sv->answer, strlen(sv->answer));
	(void)close(c);
	return NULL;
}

static void
srv_start(struct srv *sv, pthread_t *t, const char *answer)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);

	memset(sv, 0, sizeof(*sv));
	sv->answer = answer;
	sv->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)bind(sv->fd, (struct sockaddr *)&sa, sizeof(sa));
	(void)listen(sv->fd, 1);
	(void)getsockname(sv->fd, (struct sockaddr *)&sa, &len);
	sv->port = ntohs(sa.sin_port);
	(void)pthread_create(t, NULL, srv_thread, sv);
}

/* src_http() of GET /path on a server answering "answer". */
static int
http_once(const char *answer, int want_json, const char *key,
    struct src_out *out, json_object **json, char **body, struct srv *sv)
{
	struct src_in	 in;
	struct src_req	 rq;
	struct src_secret sec[1];
	pthread_t	 t;
	size_t		 len;
	int		 rc;

	srv_start(sv, &t, answer);
	memset(&in, 0, sizeof(in));
	memset(&rq, 0, sizeof(rq));
	memset(out, 0, sizeof(*out));
	sec[0].name = "K";
	sec[0].value = key;
	in.secrets = sec;
	in.nsecrets = 1;
	in.deadline = src_now_ms() + 3000;
	xasprintf(&rq.url, "http://127.0.0.1:%d/path?key=%s", sv->port, key);
	rq.headers = curl_slist_append(NULL, "Accept: application/json");
	rc = src_http(&in, &rq, want_json, body, &len, json, out);
	(void)pthread_join(t, NULL);
	(void)close(sv->fd);
	return rc;
}

static struct src_out
parsed(const char *builtin, const char *json)
{
	struct src_out	 out;
	struct src_in	 in;
	json_object	*o = json_tokener_parse(json);

	memset(&out, 0, sizeof(out));
	memset(&in, 0, sizeof(in));
	src_find(builtin)->parse(&in, o, &out);
	json_object_put(o);
	return out;
}

static void
test_config(void)
{
	struct src_in	 in;
	struct src_req	 rq;
	char		 err[64];

	memset(&in, 0, sizeof(in));
	is_int(src_config_int(&in, "n", 7, 1, 10), 7, "config: none is the default");
	is_str(src_config_str(&in, "s", "d"), "d", "config: none is the default string");
	in.config = json_tokener_parse("[{\"name\":\"n\",\"value\":5},"
	    "{\"name\":\"s\",\"value\":\"text\"},{\"key\":\"k\",\"value\":\"42\"},"
	    "{\"name\":\"big\",\"value\":500},{\"name\":\"b\",\"value\":true},"
	    "\"junk\",{\"name\":\"bad\",\"value\":\"12x\"}]");
	is_int(src_config_int(&in, "n", 7, 1, 10), 5, "config: an integer by name");
	is_int(src_config_int(&in, "k", 7, 1, 100), 42, "config: a decimal string by \"key\"");
	is_int(src_config_int(&in, "big", 7, 1, 100), 7, "config: out of range is the default");
	is_int(src_config_int(&in, "b", 7, 1, 100), 7, "config: a boolean is not an integer");
	is_int(src_config_int(&in, "bad", 7, 1, 100), 7, "config: a malformed number is the default");
	is_str(src_config_str(&in, "s", "d"), "text", "config: a string");
	is_str(src_config_str(&in, "n", "d"), "d", "config: a number is not a string");
	is_str(src_config_str(&in, "nosuch", "d"), "d", "config: an absent key");
	json_object_put(in.config);
	in.config = json_tokener_parse("{\"maxAgeInDays\":30}");
	is_int(src_config_int(&in, "maxAgeInDays", 90, 1, 365), 30,
	    "config: a plain object is read too");
	in.data = "1.2.3.4";
	in.kind = IND_IPV4;
	in.base = "http://m";
	memset(&rq, 0, sizeof(rq));
	(void)src_find("abuseipdb")->build(&in, &rq, err, sizeof(err));
	ok(rq.url != NULL && strstr(rq.url, "maxAgeInDays=30&") != NULL,
	    "AbuseIPDB: maxAgeInDays from the source's config values");
	rq_free(&rq);
	json_object_put(in.config);
}

static void
test_verdict_helpers(void)
{
	json_object	*v, *d;
	char		 buf[32];
	int		 i;

	v = src_verdict_new("evil", 150);
	ok(strcmp(vstr(v, "verdict"), "unknown") == 0 && vint(v, "score") == 100 &&
	    vlen(v, "tags") == 0 && vlen(v, "related") == 0,
	    "verdict: an unknown word is unknown, the score is capped, empty lists");
	json_object_put(v);
	v = src_verdict_new(SRC_MALICIOUS, -3);
	ok(strcmp(vstr(v, "verdict"), "malicious") == 0 && vint(v, "score") == 0,
	    "verdict: a negative score is 0");
	src_verdict_tag(v, "Botnet");
	src_verdict_tag(v, "botnet");
	src_verdict_tag(v, "");
	src_verdict_tag(v, NULL);
	src_verdict_tag(v, "bad\ntag");
	is_int((long long)vlen(v, "tags"), 1, "tags: case-insensitive duplicates, empty and control characters dropped");
	for (i = 0; i < 100; i++) {
		(void)snprintf(buf, sizeof(buf), "t%d", i);
		src_verdict_tag(v, buf);
	}
	is_int((long long)vlen(v, "tags"), 64, "tags: at most 64");
	src_verdict_related(v, "IPV4", "1.2.3.4");
	src_verdict_related(v, "IPV4", "1.2.3.4");
	src_verdict_related(v, "DOMAIN", "1.2.3.4");
	src_verdict_related(v, "IPV4", NULL);
	ok(vlen(v, "related") == 2 && vhas(v, "related", "DOMAIN", "1.2.3.4"),
	    "related: {kind, data}, duplicates dropped");
	src_verdict_seen(v, "1700000000", "2023-11-14T22:13:20.5+01:00");
	is_str(vstr(v, "firstSeen"), "2023-11-14T22:13:20Z", "seen: epoch seconds");
	is_str(vstr(v, "lastSeen"), "2023-11-14T21:13:20Z", "seen: an offset is applied");
	json_object_put(v);
	v = src_verdict_new(SRC_BENIGN, 0);
	src_verdict_seen(v, "1700000000000", "2023-11-14 22:13:20 UTC");
	is_str(vstr(v, "firstSeen"), "2023-11-14T22:13:20Z", "seen: epoch milliseconds");
	is_str(vstr(v, "lastSeen"), "2023-11-14T22:13:20Z", "seen: a space and UTC");
	json_object_put(v);
	v = src_verdict_new(SRC_BENIGN, 0);
	src_verdict_seen(v, NULL, "last tuesday");
	ok(vstr(v, "firstSeen") == NULL && strcmp(vstr(v, "lastSeen"),
	    "last tuesday") == 0, "seen: absent is omitted, unparsable kept as given");
	json_object_put(v);
	ok(src_date_iso("2024-13-01", buf, sizeof(buf)) == -1 &&
	    src_date_iso("2024-01-01T25:00:00Z", buf, sizeof(buf)) == -1 &&
	    src_date_iso("2024-01-01T10:00:00+05", buf, sizeof(buf)) == -1 &&
	    src_date_iso("soon", buf, sizeof(buf)) == -1, "dates: malformed ones fail");
	ok(src_date_iso("2024-01-01", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "2024-01-01T00:00:00Z") == 0, "dates: a date alone is midnight UTC");

	d = json_tokener_parse("{\"x\":1,\"verdict\":{\"verdict\":\"suspicious\","
	    "\"score\":55,\"tags\":[\"a\",3,\"b\"],\"firstSeen\":\"2024-01-02T03:04:05Z\","
	    "\"related\":[{\"kind\":\"IPV4\",\"data\":\"1.1.1.1\"},{\"kind\":\"X\"},7]}}");
	v = src_verdict_lift(d);
	ok(v != NULL && strcmp(vstr(v, "verdict"), "suspicious") == 0 &&
	    vint(v, "score") == 55 && vlen(v, "tags") == 2 && vlen(v, "related") == 1 &&
	    strcmp(vstr(v, "firstSeen"), "2024-01-02T03:04:05Z") == 0,
	    "lift: a well-formed verdict keeps its valid parts");
	json_object_put(v);
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"malicious\"}}");
	v = src_verdict_lift(d);
	ok(v != NULL && vint(v, "score") == 90, "lift: no score is the band's middle (malicious 90)");
	json_object_put(v);
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"bad\",\"score\":5}}");
	ok(src_verdict_lift(d) == NULL, "lift: an unknown word is refused");
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"benign\",\"score\":101}}");
	ok(src_verdict_lift(d) == NULL, "lift: a score over 100 is refused");
	json_object_put(d);
	/* The double is range-checked before it becomes an integer: no
	 * truncation into the range, no undefined conversion. */
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"malicious\",\"score\":100.5}}");
	ok(src_verdict_lift(d) == NULL, "lift: a score of 100.5 is over 100");
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"benign\",\"score\":-0.5}}");
	ok(src_verdict_lift(d) == NULL, "lift: a score of -0.5 is under 0");
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"malicious\",\"score\":1e300}}");
	ok(src_verdict_lift(d) == NULL, "lift: a score of 1e300 is refused");
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"malicious\",\"score\":-1e300}}");
	ok(src_verdict_lift(d) == NULL, "lift: a score of -1e300 is refused");
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":{\"verdict\":\"suspicious\",\"score\":55.9}}");
	v = src_verdict_lift(d);
	ok(v != NULL && vint(v, "score") == 55, "lift: a fractional score in range is cut to 55");
	json_object_put(v);
	json_object_put(d);
	d = json_tokener_parse("{\"verdict\":\"malicious\"}");
	ok(src_verdict_lift(d) == NULL, "lift: a bare string is refused");
	json_object_put(d);
	d = json_tokener_parse("[1,2]");
	ok(src_verdict_lift(d) == NULL && src_verdict_lift(NULL) == NULL,
	    "lift: not an object, no verdict");
	json_object_put(d);
	ok(src_verdict_rank("malicious") > src_verdict_rank("suspicious") &&
	    src_verdict_rank("suspicious") > src_verdict_rank("benign") &&
	    src_verdict_rank("benign") > src_verdict_rank("unknown") &&
	    src_verdict_rank("x") == -1, "rank: malicious > suspicious > benign > unknown");
}

/* Cutting upstream text on a UTF-8 character boundary. */
static void
test_utf8_trunc(void)
{
	struct src_out	 out;
	char		*c, json[512];
	size_t		 n;

	c = src_utf8_trunc("a\xc3\xa9", 2);
	is_str(c, "a", "utf8 cut: a 2-byte character is not halved");
	free(c);
	c = src_utf8_trunc("\xe2\x82\xac\xe2\x82\xac", 5);
	is_str(c, "\xe2\x82\xac", "utf8 cut: nor a 3-byte one");
	free(c);
	c = src_utf8_trunc("ab\xf0\x9f\x98\x80", 5);
	is_str(c, "ab", "utf8 cut: nor a 4-byte one");
	free(c);
	c = src_utf8_trunc("ab\xf0\x9f\x98\x80", 6);
	is_str(c, "ab\xf0\x9f\x98\x80", "utf8 cut: a whole text is kept");
	free(c);
	c = src_utf8_trunc("abc", 0);
	is_str(c, "", "utf8 cut: to nothing");
	free(c);
	ok(src_utf8_trunc(NULL, 5) == NULL, "utf8 cut: NULL stays NULL");

	/* Shodan's error text: 199 bytes, then a 2-byte character that
	 * straddles the 200-byte cut. */
	n = (size_t)snprintf(json, sizeof(json), "{\"error\":\"");
	memset(json + n, 'x', 199);
	n += 199;
	(void)snprintf(json + n, sizeof(json) - n, "\xc3\xa9 and more\"}");
	out = parsed("shodan", json);
	ok(out.data == NULL && out.error != NULL && out.message != NULL &&
	    strlen(out.message) == strlen("Shodan: ") + 199 &&
	    out.message[strlen(out.message) - 1] == 'x',
	    "shodan: its error text is cut before a split character");
	free(out.message);
}

static void
test_source_verdicts(void)
{
	json_object	*v;

	v = verdict_of("virustotal", IND_DOMAIN, "evil.example",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":5,\"suspicious\":1,"
	    "\"harmless\":50,\"undetected\":30},\"tags\":[\"phishing\"],"
	    "\"categories\":{\"A\":\"malware\",\"B\":\"Malware\"},"
	    "\"last_analysis_date\":1700000000,"
	    "\"last_dns_records\":[{\"type\":\"A\",\"value\":\"198.51.100.7\"},"
	    "{\"type\":\"AAAA\",\"value\":\"2001:db8::7\"},{\"type\":\"TXT\",\"value\":\"v=spf1\"},"
	    "{\"type\":\"NS\",\"value\":\"ns1.example\"}]}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "malicious") == 0 &&
	    vint(v, "score") == 80, "VT: 5 engines: malicious, score 80");
	ok(vhas(v, "tags", NULL, "phishing") && vhas(v, "tags", NULL, "malware") &&
	    vlen(v, "tags") == 2, "VT: tags and categories, deduplicated");
	ok(vhas(v, "related", "IPV4", "198.51.100.7") &&
	    vhas(v, "related", "IPV6", "2001:db8::7") &&
	    vhas(v, "related", "DOMAIN", "ns1.example") && vlen(v, "related") == 3,
	    "VT: a domain's DNS records are related (TXT is not)");
	is_str(vstr(v, "lastSeen"), "2023-11-14T22:13:20Z", "VT: lastSeen from the last analysis");
	json_object_put(v);
	v = verdict_of("virustotal", IND_IPV4, "1.2.3.4",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":1,\"suspicious\":2,"
	    "\"harmless\":50,\"undetected\":30}}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "suspicious") == 0 &&
	    vint(v, "score") == 55, "VT: 1 malicious 2 suspicious: suspicious, 55");
	json_object_put(v);
	v = verdict_of("virustotal", IND_IPV4, "1.2.3.4",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":0,\"suspicious\":0,"
	    "\"harmless\":50,\"undetected\":30}}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "benign") == 0 &&
	    vint(v, "score") == 0, "VT: nothing flagged: benign, 0");
	json_object_put(v);
	v = verdict_of("virustotal", IND_IPV4, "1.2.3.4",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":0,\"timeout\":3}}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "unknown") == 0,
	    "VT: no engine answered: unknown");
	json_object_put(v);
	v = verdict_of("virustotal", IND_SHA256,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":40},"
	    "\"md5\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
	    "\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	    "\"first_submission_date\":1600000000,\"last_submission_date\":1700000000}}");
	ok(v != NULL && vint(v, "score") == 100 &&
	    vhas(v, "related", "MD5", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb") &&
	    vlen(v, "related") == 1, "VT: a file's other hashes are related, not itself");
	is_str(vstr(v, "firstSeen"), "2020-09-13T12:26:40Z", "VT: firstSeen is the first submission");
	is_str(vstr(v, "lastSeen"), "2023-11-14T22:13:20Z", "VT: lastSeen the last submission");
	json_object_put(v);
	v = verdict_of("virustotal", IND_DOMAIN, "a.example",
	    "{\"attributes\":{\"last_analysis_stats\":{\"harmless\":1}},"
	    "\"relationships\":{\"resolutions\":{\"data\":[{\"attributes\":"
	    "{\"ip_address\":\"192.0.2.9\",\"host_name\":\"a.example\"}}]}}}");
	ok(vhas(v, "related", "IPV4", "192.0.2.9"), "VT: resolutions are related");
	json_object_put(v);
	ok(verdict_of("virustotal", IND_DOMAIN, "a", "{\"id\":\"x\"}") == NULL,
	    "VT: no attributes, no verdict");
	/* Counts near INT64_MAX are capped before any sum or product. */
	v = verdict_of("virustotal", IND_IPV4, "1.2.3.4",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":9223372036854775807,"
	    "\"suspicious\":9223372036854775807}}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "malicious") == 0 &&
	    vint(v, "score") == 100, "VT: huge malicious count: malicious, 100");
	json_object_put(v);
	v = verdict_of("virustotal", IND_IPV4, "1.2.3.4",
	    "{\"attributes\":{\"last_analysis_stats\":{\"malicious\":2,"
	    "\"suspicious\":9223372036854775807}}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "suspicious") == 0 &&
	    vint(v, "score") == 69, "VT: huge suspicious count: suspicious, 69");
	json_object_put(v);
	v = verdict_of("virustotal", IND_IPV4, "1.2.3.4",
	    "{\"attributes\":{\"last_analysis_stats\":{\"harmless\":9223372036854775807,"
	    "\"undetected\":9223372036854775807}}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "benign") == 0,
	    "VT: huge harmless and undetected counts: benign");
	json_object_put(v);

	v = verdict_of("abuseipdb", IND_IPV4, "203.0.113.5",
	    "{\"ipAddress\":\"203.0.113.5\",\"isPublic\":true,\"abuseConfidenceScore\":87,"
	    "\"usageType\":\"Data Center/Web Hosting/Transit\",\"isp\":\"Example Hosting\","
	    "\"isTor\":true,\"hostnames\":[\"h.example\"],"
	    "\"lastReportedAt\":\"2024-05-01T10:00:00+00:00\",\"reports\":["
	    "{\"reportedAt\":\"2024-05-01T10:00:00+00:00\",\"categories\":[18,22]},"
	    "{\"reportedAt\":\"2024-04-01T10:00:00+00:00\",\"categories\":[14,99]}]}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "malicious") == 0 &&
	    vint(v, "score") == 87, "AbuseIPDB: confidence 87: malicious, 87");
	ok(vhas(v, "tags", NULL, "Data Center/Web Hosting/Transit") &&
	    vhas(v, "tags", NULL, "Example Hosting") && vhas(v, "tags", NULL, "tor") &&
	    vhas(v, "tags", NULL, "Brute-Force") && vhas(v, "tags", NULL, "SSH") &&
	    vhas(v, "tags", NULL, "Port Scan") && vlen(v, "tags") == 6,
	    "AbuseIPDB: usage type, ISP, tor and category names as tags");
	is_str(vstr(v, "firstSeen"), "2024-04-01T10:00:00Z", "AbuseIPDB: firstSeen the oldest report");
	is_str(vstr(v, "lastSeen"), "2024-05-01T10:00:00Z", "AbuseIPDB: lastSeen lastReportedAt");
	ok(vhas(v, "related", "DOMAIN", "h.example"), "AbuseIPDB: host names are related");
	json_object_put(v);
	v = verdict_of("abuseipdb", IND_IPV4, "1.2.3.4",
	    "{\"isPublic\":true,\"abuseConfidenceScore\":45}");
	ok(strcmp(vstr(v, "verdict"), "suspicious") == 0, "AbuseIPDB: 45 is suspicious");
	json_object_put(v);
	v = verdict_of("abuseipdb", IND_IPV4, "1.2.3.4",
	    "{\"isPublic\":true,\"abuseConfidenceScore\":90,\"isWhitelisted\":true}");
	ok(strcmp(vstr(v, "verdict"), "benign") == 0 && vhas(v, "tags", NULL, "whitelisted"),
	    "AbuseIPDB: a whitelisted address is benign");
	json_object_put(v);
	v = verdict_of("abuseipdb", IND_IPV4, "10.0.0.1",
	    "{\"isPublic\":false,\"abuseConfidenceScore\":0}");
	ok(strcmp(vstr(v, "verdict"), "unknown") == 0, "AbuseIPDB: a private address is unknown");
	json_object_put(v);
	v = verdict_of("abuseipdb", IND_IPV4, "1.2.3.4",
	    "{\"isPublic\":true,\"abuseConfidenceScore\":0}");
	ok(strcmp(vstr(v, "verdict"), "benign") == 0 && vint(v, "score") == 0,
	    "AbuseIPDB: 0 is benign");
	json_object_put(v);

	v = verdict_of("http_json", IND_DOMAIN, "a.example",
	    "{\"verdict\":{\"verdict\":\"benign\",\"score\":3}}");
	ok(v != NULL && strcmp(vstr(v, "verdict"), "benign") == 0,
	    "http_json: a verdict in the answer is lifted");
	json_object_put(v);
	ok(verdict_of("http_json", IND_DOMAIN, "a.example", "{\"score\":3}") == NULL,
	    "http_json: otherwise no verdict");
}

static void
test_summary(void)
{
	json_object	*rows, *s, *x;

	rows = json_tokener_parse("["
	    "{\"sourceId\":\"a\",\"sourceName\":\"A\",\"errors\":[],"
	    "\"verdict\":{\"verdict\":\"benign\",\"score\":10}},"
	    "{\"sourceId\":\"b\",\"sourceName\":\"B\",\"errors\":[],"
	    "\"verdict\":{\"verdict\":\"suspicious\",\"score\":60}},"
	    "{\"sourceId\":\"c\",\"sourceName\":\"C\","
	    "\"verdict\":{\"verdict\":\"malicious\",\"score\":40}},"
	    "{\"sourceId\":\"d\",\"sourceName\":\"D\",\"errors\":[{\"kind\":\"TIMEOUT\"}],"
	    "\"verdict\":{\"verdict\":\"malicious\",\"score\":99}},"
	    "{\"sourceId\":\"e\",\"sourceName\":\"E\",\"verdict\":null}]");
	s = lookup_summary_rows(rows);
	is_str(vstr(s, "verdict"), "malicious", "summary: the worst verdict");
	is_int(vint(s, "score"), 60, "summary: the highest score (a failed source does not count)");
	(void)json_object_object_get_ex(s, "sources", &x);
	ok(vlen(x, "malicious") == 1 && vlen(x, "suspicious") == 1 &&
	    vlen(x, "benign") == 1 && vlen(x, "unknown") == 0,
	    "summary: the sources per verdict");
	json_object_put(s);
	json_object_put(rows);
	s = lookup_summary_rows(NULL);
	ok(strcmp(vstr(s, "verdict"), "unknown") == 0 && json_object_object_get_ex(s,
	    "score", &x) && x == NULL, "summary: no verdict at all: unknown, score null");
	json_object_put(s);
}

static void
test_redact(void)
{
	struct src_in	 in;
	struct src_secret sec[2] = { { "A", "s3cr3t/+" }, { "B", "" } };
	char		*m;

	memset(&in, 0, sizeof(in));
	in.secrets = sec;
	in.nsecrets = 2;
	m = src_redact(&in, "GET http://h/x?key=s3cr3t%2F%2B&k2=s3cr3t/+ failed: s3cr3t/+");
	is_str(m, "GET http://h/x?key=***&k2=*** failed: ***",
	    "redact: every occurrence, plain and percent-encoded");
	free(m);
	m = src_redact(&in, "nothing secret");
	is_str(m, "nothing secret", "redact: other text is unchanged (an empty secret redacts nothing)");
	free(m);
	ok(src_redact(&in, NULL) == NULL, "redact: NULL stays NULL");
}

/* What a runner call takes of a source: config values, secrets. */
static void
test_runner_kv(void)
{
	json_object		*cfg;
	struct runner_kv	*kv;
	size_t			 n;

	cfg = json_tokener_parse("[{\"name\":\"a\",\"value\":\"x\"},"
	    "{\"key\":\"b\",\"value\":5},{\"name\":\"c\"},7,"
	    "{\"value\":1},{\"name\":\"d\",\"value\":{\"k\":[1]}}]");
	kv = src_config_kv(cfg, &n);
	ok(n == 3 && strcmp(kv[0].key, "a") == 0 &&
	    strcmp(kv[0].value, "x") == 0 && strcmp(kv[1].key, "b") == 0 &&
	    strcmp(kv[1].value, "5") == 0 && strcmp(kv[2].key, "d") == 0 &&
	    strcmp(kv[2].value, "{\"k\":[1]}") == 0,
	    "config values: name or key, other JSON as its text, the rest "
	    "skipped");
	free(kv);
	json_object_put(cfg);
	ok(src_config_kv(NULL, &n) == NULL && n == 0,
	    "config values: none without an array");
	kv = src_secrets_kv(secs, 2);
	ok(kv != NULL && strcmp(kv[1].key, "ABUSE_IPDB_KEY") == 0 &&
	    strcmp(kv[1].value, "ab-key") == 0, "secrets as a runner's pairs");
	free(kv);
	ok(src_secrets_kv(secs, 0) == NULL, "no secrets, no pairs");
	cfg = json_tokener_parse("[]");
	ok(src_secrets_decrypt(cfg, NULL, &n) == NULL && n == 0,
	    "no linked secrets: nothing to decrypt");
	json_object_put(cfg);
}

/* The error of an abuse.ch "query_status" that is not a usable "ok". */
static void
test_abusech(void)
{
	struct src_out	 out;

	memset(&out, 0, sizeof(out));
	src_abusech_error("no_result", "no_result no_results", NULL, &out);
	ok(strcmp(out.error, "NOT_FOUND") == 0 && out.message == NULL,
	    "abuse.ch: the first not-found word is NOT_FOUND");
	memset(&out, 0, sizeof(out));
	src_abusech_error("no_results", "no_result no_results", NULL, &out);
	is_str(out.error, "NOT_FOUND", "abuse.ch: so is the last");
	memset(&out, 0, sizeof(out));
	src_abusech_error("user_blacklisted", "hash_not_found",
	    "unknown_auth_key user_blacklisted", &out);
	is_str(out.error, "UNAUTHORIZED", "abuse.ch: a refused key is "
	    "UNAUTHORIZED");
	memset(&out, 0, sizeof(out));
	src_abusech_error("no_res", "no_result no_results", NULL, &out);
	ok(strcmp(out.error, "RESPONSE_ERROR") == 0 && out.message != NULL &&
	    strcmp(out.message, "query_status no_res") == 0,
	    "abuse.ch: a prefix of a word is no match: RESPONSE_ERROR");
	free(out.message);
	memset(&out, 0, sizeof(out));
	src_abusech_error(NULL, "no_results", "unknown_auth_key", &out);
	is_str(out.message, "query_status missing", "abuse.ch: no "
	    "query_status is RESPONSE_ERROR \"query_status missing\"");
	free(out.message);
}

static void
test_http(void)
{
	struct src_out	 out;
	struct srv	 sv;
	json_object	*j;
	char		*body;
	int		 rc;

	rc = http_once("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 7\r\nConnection: close\r\n\r\n{\"a\":1}", 1, "K3Y",
	    &out, &j, &body, &sv);
	ok(rc == 0 && j != NULL && json_object_object_length(j) == 1 &&
	    strcmp(body, "{\"a\":1}") == 0, "src_http: 200 JSON is parsed, the body kept");
	ok(strstr(sv.request, "User-Agent: iocagg/") != NULL &&
	    strstr(sv.request, "Accept: application/json") != NULL,
	    "src_http: the user agent and the source's headers are sent");
	json_object_put(j);
	free(body);
	rc = http_once("HTTP/1.1 429 Too Many\r\nRetry-After: 42\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n", 1, "K3Y",
	    &out, &j, &body, &sv);
	ok(rc == -1 && strcmp(out.error, "RATE_LIMITED") == 0 &&
	    out.retry_after == 42, "src_http: 429 is RATE_LIMITED with Retry-After");
	free(out.message);
	rc = http_once("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", 1, "K3Y", &out, &j, &body, &sv);
	ok(rc == -1 && strcmp(out.error, "NOT_FOUND") == 0, "src_http: 404 is NOT_FOUND");
	free(out.message);
	rc = http_once("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", 1, "K3Y", &out, &j, &body, &sv);
	ok(rc == -1 && strcmp(out.error, "UNAUTHORIZED") == 0, "src_http: 403 is UNAUTHORIZED");
	free(out.message);
	rc = http_once("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n", 1, "K3Y", &out, &j,
	    &body, &sv);
	ok(rc == -1 && strcmp(out.error, "RESPONSE_ERROR") == 0 &&
	    strcmp(out.message, "HTTP 302") == 0, "src_http: a redirect is not followed");
	free(out.message);
	rc = http_once("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Connection: close\r\n\r\n<html", 1, "K3Y", &out, &j, &body, &sv);
	ok(rc == -1 && strcmp(out.error, "RESPONSE_ERROR") == 0,
	    "src_http: a body that is not JSON is a RESPONSE_ERROR");
	free(out.message);
	rc = http_once("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Connection: close\r\n\r\n<html", 0, "K3Y", &out, NULL, &body, &sv);
	ok(rc == 0 && strcmp(body, "<html") == 0, "src_http: raw bodies when JSON is not wanted");
	free(body);
	rc = http_once("HTTP/1.1 500 Oops K3Y\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", 1, "K3Y", &out, &j, &body, &sv);
	ok(rc == -1 && strcmp(out.error, "RESPONSE_ERROR") == 0 &&
	    strstr(out.message, "K3Y") == NULL, "src_http: 500 is a RESPONSE_ERROR, no secret in it");
	free(out.message);
	rc = http_once(NULL, 1, "K3Y", &out, &j, &body, &sv);
	ok(rc == -1 && strcmp(out.error, "REQUEST_ERROR") == 0,
	    "src_http: a connection closed without an answer is a REQUEST_ERROR");
	free(out.message);
	{
		struct src_in	 in;
		struct src_req	 rq;

		memset(&in, 0, sizeof(in));
		memset(&rq, 0, sizeof(rq));
		memset(&out, 0, sizeof(out));
		in.deadline = src_now_ms() - 1;
		rq.url = xstrdup("http://127.0.0.1:1/");
		rc = src_http(&in, &rq, 1, NULL, NULL, &j, &out);
		ok(rc == -1 && strcmp(out.error, "TIMEOUT") == 0 && rq.url == NULL,
		    "src_http: a passed deadline is a TIMEOUT, the request consumed");
		free(out.message);
	}
}

int
main(void)
{
	struct src_req	 rq;
	struct src_out	 out;
	char		*s, **hosts, *ip;
	size_t		 n, i;

	s = src_escape("a b/c?d=é");
	is_str(s, "a%20b%2Fc%3Fd%3D%C3%A9", "src_escape percent-encodes");
	free(s);
	s = src_url("http://h/base/", "/%s", "x");
	is_str(s, "http://h/base/x", "src_url joins with one slash");
	free(s);
	s = src_url("http://h/base", "%s", "x");
	is_str(s, "http://h/base/x", "src_url adds a missing slash");
	free(s);
	s = src_b64url("http://example.com/");
	is_str(s, "aHR0cDovL2V4YW1wbGUuY29tLw", "VirusTotal URL id: unpadded url-safe base64");
	free(s);

	ok(src_find("virustotal") && src_find("abuseipdb") &&
	    src_find("urlhaus") && src_find("http_json"), "all four are registered");
	ok(src_find("nosuch") == NULL && src_find(NULL) == NULL, "unknown names are not");

	is_str(built("virustotal", IND_IPV4, "1.2.3.4", &rq),
	    "http://mock/x/ip_addresses/1.2.3.4", "VT: IPs under ip_addresses");
	ok(has_header(rq.headers, "x-apikey: vt-key"), "VT: the key is sent as x-apikey");
	rq_free(&rq);
	is_str(built("virustotal", IND_DOMAIN, "a.com", &rq),
	    "http://mock/x/domains/a.com", "VT: domains");
	rq_free(&rq);
	is_str(built("virustotal", IND_URL, "http://example.com/", &rq),
	    "http://mock/x/urls/aHR0cDovL2V4YW1wbGUuY29tLw",
	    "VT: URLs by their id, not raw (reference quirk fixed)");
	rq_free(&rq);
	is_str(built("virustotal", IND_SHA256, "ab", &rq), "http://mock/x/files/ab",
	    "VT: hashes under files");
	rq_free(&rq);
	ok(built("virustotal", IND_EMAIL, "a@b.c", &rq) == NULL, "VT: no e-mail lookup");
	rq_free(&rq);

	is_str(built("abuseipdb", IND_IPV6, "2001:db8::1", &rq),
	    "http://mock/x/check?ipAddress=2001%3Adb8%3A%3A1&maxAgeInDays=90&verbose",
	    "AbuseIPDB: check with the address encoded");
	ok(has_header(rq.headers, "Key: ab-key"), "AbuseIPDB: the Key header");
	rq_free(&rq);
	ok(built("abuseipdb", IND_DOMAIN, "a.com", &rq) == NULL, "AbuseIPDB: IPs only");
	rq_free(&rq);

	is_str(built("http_json", IND_DOMAIN, "a b.com", &rq),
	    "http://api.example/q/a%20b.com?k=DOMAIN", "http_json: {data} and {kind}");
	rq_free(&rq);

	out = parsed("virustotal", "{\"data\":{\"id\":\"x\"}}");
	ok(out.error == NULL && json_object_object_length(out.data) == 1,
	    "VT: the data member is the result");
	json_object_put(out.data);
	out = parsed("abuseipdb", "{\"nodata\":1}");
	is_str(out.error, "RESPONSE_ERROR", "AbuseIPDB: an answer without data is an error");
	free(out.message);

	ok(lookup_match_keys("A.B.Example.com", IND_DOMAIN, &hosts, &n, &ip) == 0 &&
	    n == 4 && strcmp(hosts[0], "a.b.example.com") == 0 &&
	    strcmp(hosts[3], "com") == 0 && ip == NULL,
	    "match keys: the host and every parent");
	for (i = 0; i < n; i++)
		free(hosts[i]);
	free(hosts);
	ok(lookup_match_keys("http://[2001:db8::1]:8080/x", IND_URL, &hosts, &n, &ip) == 0 &&
	    n == 0 && ip != NULL && strcmp(ip, "2001:db8::1") == 0,
	    "match keys: a URL on an IPv6 address");
	free(ip);
	ok(lookup_match_keys("x@mail.example.org", IND_EMAIL, &hosts, &n, &ip) == 0 &&
	    n == 3 && strcmp(hosts[0], "mail.example.org") == 0,
	    "match keys: an e-mail's domain");
	for (i = 0; i < n; i++)
		free(hosts[i]);
	free(hosts);
	ok(lookup_match_keys("d41d8cd98f00b204e9800998ecf8427e", IND_MD5, &hosts, &n, &ip) == 0 &&
	    n == 0 && ip == NULL, "match keys: a hash has none");

	test_config();
	test_utf8_trunc();
	test_verdict_helpers();
	test_source_verdicts();
	test_summary();
	test_redact();
	test_runner_kv();
	test_abusech();
	test_http();
	return tap_done();
}
