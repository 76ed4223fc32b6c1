/*
 * tests/unit/t-sources-web.c -- the web API sources (docs/sources-web.md):
 * the request each builds per kind and config value, how their answers
 * read, and the verdicts they give.  The HTTP side runs against the
 * mock in tests/integ/t1010-sources-web.py.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "source.h"
#include "tap.h"
#include "srctest.h"

static struct src_secret	 secs[] = {
	{ "SHODAN_API_KEY", "sh key&x" },
	{ "HIBP_API_KEY", "hibp-key" },
	{ "OTX_API_KEY", "otx-key" },
};

static void
in_init(struct src_in *in, enum ind_kind k, const char *data,
    json_object *config)
{
	memset(in, 0, sizeof(*in));
	in->data = data;
	in->kind = k;
	in->base = "http://mock/x/";
	in->secrets = secs;
	in->nsecrets = 3;
	in->config = config;
}

/* The URL "builtin" builds, or NULL when it refuses (rq filled). */
static char *
built(const char *builtin, enum ind_kind k, const char *data,
    const char *config, struct src_req *rq)
{
	struct src_in	 in;
	json_object	*cfg = config != NULL ? json_tokener_parse(config) :
			    NULL;
	char		 err[128];
	const struct src_def *d = src_find(builtin);
	int		 rc;

	in_init(&in, k, data, cfg);
	memset(rq, 0, sizeof(*rq));
	rc = d == NULL || d->build == NULL ? -1 :
	    d->build(&in, rq, err, sizeof(err));
	json_object_put(cfg);
	return rc == -1 ? NULL : rq->url;
}

/* parse() of "builtin" on "json"; returns out (data owned by caller). */
static struct src_out
parsed(const char *builtin, enum ind_kind k, const char *data,
    const char *config, const char *json)
{
	struct src_in	 in;
	struct src_out	 out;
	json_object	*body = json_tokener_parse(json);
	json_object	*cfg = config != NULL ? json_tokener_parse(config) :
			    NULL;

	in_init(&in, k, data, cfg);
	memset(&out, 0, sizeof(out));
	src_find(builtin)->parse(&in, body, &out);
	json_object_put(body);
	json_object_put(cfg);
	return out;
}

static json_object *
verdict_of(const char *builtin, enum ind_kind k, const char *d,
    json_object *data)
{
	struct src_in	 in;

	in_init(&in, k, d, NULL);
	return src_find(builtin)->verdict(&in, data);
}

static json_object *
verdict_json(const char *builtin, enum ind_kind k, const char *d,
    const char *json)
{
	json_object	*o = json_tokener_parse(json), *v;

	v = verdict_of(builtin, k, d, o);
	json_object_put(o);
	return v;
}

static void
t_registered(void)
{
	static const char *const names[] = { "alienvault_otx",
	    "certificate_transparency", "haveibeenpwned", "internet_archive",
	    "internetdb", "shodan" };
	const struct src_def *d;
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		d = src_find(names[i]);
		ok(d != NULL && d->verdict != NULL &&
		    ((d->build != NULL && d->parse != NULL) || d->run != NULL),
		    "%s is registered with a verdict", names[i]);
	}
	d = src_find("alienvault_otx");
	ok(d->run != NULL && (d->kinds & KIND_BIT(IND_SHA1)) &&
	    !(d->kinds & KIND_BIT(IND_EMAIL)), "OTX: run(), hashes, no e-mail");
	d = src_find("internet_archive");
	ok(d->run != NULL && (d->kinds & KIND_BIT(IND_DOMAIN)) &&
	    (d->kinds & KIND_BIT(IND_URL)) && !(d->kinds & KIND_BIT(IND_IPV4)),
	    "Wayback: run(), URLs and domains");
}

static void
t_internetdb(void)
{
	struct src_req	 rq;
	struct src_out	 out;
	json_object	*v;

	is_str(built("internetdb", IND_IPV4, "1.2.3.4", NULL, &rq),
	    "http://mock/x/1.2.3.4", "InternetDB: GET /{ip}");
	ok(has_header(rq.headers, "Accept: application/json") &&
	    !header_prefix(rq.headers, "key") &&
	    strstr(rq.url, "key") == NULL, "InternetDB sends no key");
	rq_free(&rq);
	is_str(built("internetdb", IND_IPV6, "2001:db8::1", NULL, &rq),
	    "http://mock/x/2001%3Adb8%3A%3A1", "InternetDB: IPv6 escaped");
	rq_free(&rq);
	ok(built("internetdb", IND_DOMAIN, "a.example", NULL, &rq) == NULL,
	    "InternetDB refuses a domain");
	rq_free(&rq);

	out = parsed("internetdb", IND_IPV4, "1.2.3.4", NULL,
	    "{\"detail\": \"x\"}");
	is_str(out.error, "RESPONSE_ERROR", "InternetDB: a body without ip "
	    "and ports is RESPONSE_ERROR");
	free(out.message);

	v = verdict_json("internetdb", IND_IPV4, "1.2.3.4",
	    "{\"ip\":\"1.2.3.4\",\"ports\":[22],\"tags\":[\"compromised\","
	    "\"cloud\"],\"vulns\":[\"CVE-2021-44228\"],\"cpes\":[],"
	    "\"hostnames\":[\"h.example\",\"1.2.3.4\"]}");
	is_str(vstr(v, "verdict"), SRC_MALICIOUS, "InternetDB: a compromised "
	    "tag is malicious");
	ok(vint(v, "score") >= 85, "... with a high score");
	ok(vhas(v, "tags", NULL, "compromised") &&
	    vhas(v, "tags", NULL, "CVE-2021-44228"), "... tags: Shodan "
	    "tags and CVEs");
	ok(vhas(v, "related", "DOMAIN", "h.example") && vlen(v, "related") ==
	    1, "... related: the hostnames, not the address itself");
	json_object_put(v);
	v = verdict_json("internetdb", IND_IPV4, "1.2.3.4",
	    "{\"ip\":\"1.2.3.4\",\"ports\":[443],\"tags\":[],\"vulns\":"
	    "[\"CVE-1\",\"CVE-2\"],\"cpes\":[],\"hostnames\":[]}");
	ok(strcmp(vstr(v, "verdict"), SRC_SUSPICIOUS) == 0 &&
	    vint(v, "score") == 40, "InternetDB: CVEs alone are suspicious "
	    "(30 + 5 per CVE)");
	json_object_put(v);
	v = verdict_json("internetdb", IND_IPV4, "1.2.3.4",
	    "{\"ip\":\"1.2.3.4\",\"ports\":[443],\"tags\":[\"cdn\"],"
	    "\"vulns\":[],\"cpes\":[],\"hostnames\":[]}");
	ok(strcmp(vstr(v, "verdict"), SRC_UNKNOWN) == 0 &&
	    vint(v, "score") == 0, "InternetDB: open ports alone are unknown");
	json_object_put(v);
}

static void
t_shodan(void)
{
	struct src_req	 rq;
	struct src_out	 out;
	json_object	*v;

	is_str(built("shodan", IND_IPV4, "1.2.3.4", NULL, &rq),
	    "http://mock/x/shodan/host/1.2.3.4?key=sh%20key%26x",
	    "Shodan: host endpoint, the key escaped in the query");
	rq_free(&rq);
	is_str(built("shodan", IND_DOMAIN, "example.com", NULL, &rq),
	    "http://mock/x/dns/domain/example.com?key=sh%20key%26x",
	    "Shodan: dns/domain for a domain (not the reference's path)");
	rq_free(&rq);
	is_str(built("shodan", IND_IPV4, "1.2.3.4",
	    "[{\"name\":\"minify\",\"value\":1},{\"name\":\"history\","
	    "\"value\":\"1\"}]", &rq),
	    "http://mock/x/shodan/host/1.2.3.4?key=sh%20key%26x&minify=true"
	    "&history=true", "Shodan: minify and history config values");
	rq_free(&rq);
	ok(built("shodan", IND_URL, "http://a.example/", NULL, &rq) == NULL,
	    "Shodan refuses a URL");
	rq_free(&rq);

	out = parsed("shodan", IND_IPV4, "1.2.3.4", NULL,
	    "{\"error\": \"Daily limit\"}");
	ok(strcmp(out.error, "RESPONSE_ERROR") == 0 && out.message != NULL &&
	    strstr(out.message, "Daily limit") != NULL &&
	    strstr(out.message, "sh key") == NULL,
	    "Shodan: a 2xx error body is RESPONSE_ERROR with Shodan's words");
	free(out.message);
	out = parsed("shodan", IND_DOMAIN, "example.com", NULL,
	    "{\"ip_str\": \"1.2.3.4\"}");
	is_str(out.error, "RESPONSE_ERROR", "Shodan: a domain answer needs "
	    "\"domain\"");
	free(out.message);

	v = verdict_json("shodan", IND_IPV4, "1.2.3.4",
	    "{\"ip_str\":\"1.2.3.4\",\"tags\":[\"scanner\"],\"last_update\":"
	    "\"2024-02-01T10:00:00.123456\",\"hostnames\":[\"a.example\"],"
	    "\"domains\":[\"example\",\"a.example\"],\"data\":[{\"timestamp\":"
	    "\"2024-01-01T00:00:00.000000\"},{\"timestamp\":"
	    "\"2023-12-01T00:00:00.000000\"}]}");
	ok(strcmp(vstr(v, "verdict"), SRC_SUSPICIOUS) == 0 &&
	    vint(v, "score") == 40, "Shodan: a scanner tag is suspicious");
	is_str(vstr(v, "firstSeen"), "2023-12-01T00:00:00Z",
	    "Shodan: firstSeen is the oldest banner");
	is_str(vstr(v, "lastSeen"), "2024-02-01T10:00:00Z",
	    "Shodan: lastSeen is last_update");
	ok(vlen(v, "related") == 2 && vhas(v, "related", "DOMAIN",
	    "a.example") && vhas(v, "related", "DOMAIN", "example"),
	    "Shodan: related hostnames and domains, once each");
	json_object_put(v);
	v = verdict_json("shodan", IND_DOMAIN, "example.com",
	    "{\"domain\":\"example.com\",\"tags\":[\"ipv6\"],\"subdomains\":"
	    "[\"www\",\"mail\"],\"data\":[{\"subdomain\":\"\",\"type\":\"A\","
	    "\"value\":\"198.51.100.1\",\"last_seen\":\"2024-01-02T00:00:00\"},"
	    "{\"subdomain\":\"\",\"type\":\"AAAA\",\"value\":\"2001:db8::1\","
	    "\"last_seen\":\"2024-01-01T00:00:00\"},{\"subdomain\":\"\","
	    "\"type\":\"TXT\",\"value\":\"v=spf1 -all\",\"last_seen\":"
	    "\"2024-01-03T00:00:00\"}],\"more\":false}");
	ok(strcmp(vstr(v, "verdict"), SRC_UNKNOWN) == 0 &&
	    vhas(v, "tags", NULL, "ipv6"), "Shodan domain: unknown, its tags");
	ok(vhas(v, "related", "DOMAIN", "www.example.com") &&
	    vhas(v, "related", "IPV4", "198.51.100.1") &&
	    vhas(v, "related", "IPV6", "2001:db8::1") &&
	    vlen(v, "related") == 4, "Shodan domain: related subdomains and "
	    "A/AAAA values, not TXT");
	is_str(vstr(v, "lastSeen"), "2024-01-03T00:00:00Z",
	    "Shodan domain: lastSeen from the records");
	json_object_put(v);
}

static void
t_hibp(void)
{
	struct src_req	 rq;
	struct src_out	 out;
	json_object	*v;

	is_str(built("haveibeenpwned", IND_EMAIL, "a.b+c@example.com", NULL,
	    &rq), "http://mock/x/breachedaccount/a.b%2Bc%40example.com"
	    "?truncateResponse=false", "HIBP: breachedaccount, escaped, "
	    "untruncated");
	ok(has_header(rq.headers, "hibp-api-key: hibp-key"),
	    "HIBP: the key as hibp-api-key");
	rq_free(&rq);
	is_str(built("haveibeenpwned", IND_EMAIL, "a@example.com",
	    "[{\"name\":\"include_unverified\",\"value\":0}]", &rq),
	    "http://mock/x/breachedaccount/a%40example.com?truncateResponse="
	    "false&includeUnverified=false", "HIBP: include_unverified 0");
	rq_free(&rq);
	ok(built("haveibeenpwned", IND_DOMAIN, "example.com", NULL, &rq) ==
	    NULL, "HIBP refuses a domain");
	rq_free(&rq);

	out = parsed("haveibeenpwned", IND_EMAIL, "a@example.com", NULL, "[]");
	ok(strcmp(out.error, "NOT_FOUND") == 0 && out.data == NULL,
	    "HIBP: no breach is NOT_FOUND");
	free(out.message);
	out = parsed("haveibeenpwned", IND_EMAIL, "a@example.com", NULL,
	    "{\"statusCode\": 200}");
	is_str(out.error, "RESPONSE_ERROR", "HIBP: not a list is "
	    "RESPONSE_ERROR");
	free(out.message);

	v = verdict_json("haveibeenpwned", IND_EMAIL, "a@example.com",
	    "[{\"Name\":\"Shop\",\"Domain\":\"shop.example\",\"BreachDate\":"
	    "\"2019-03-14\",\"DataClasses\":[\"Email addresses\","
	    "\"Passwords\"],\"IsStealerLog\":false},{\"Name\":\"Logs\","
	    "\"Domain\":\"\",\"BreachDate\":\"2024-01-15\",\"DataClasses\":"
	    "[\"Email addresses\"],\"IsStealerLog\":true,\"IsSpamList\":"
	    "false}]");
	ok(strcmp(vstr(v, "verdict"), SRC_SUSPICIOUS) == 0 &&
	    vint(v, "score") == 70, "HIBP: 2 breaches, passwords, stealer "
	    "log: suspicious, 20 + 20 + 30");
	ok(vhas(v, "tags", NULL, "Shop") && vhas(v, "tags", NULL,
	    "passwords-exposed") && vhas(v, "tags", NULL, "stealer-log"),
	    "HIBP: tags");
	is_str(vstr(v, "firstSeen"), "2019-03-14T00:00:00Z",
	    "HIBP: firstSeen is the oldest breach");
	is_str(vstr(v, "lastSeen"), "2024-01-15T00:00:00Z",
	    "HIBP: lastSeen is the newest breach");
	ok(vlen(v, "related") == 1 && vhas(v, "related", "DOMAIN",
	    "shop.example"), "HIBP: related breached sites");
	json_object_put(v);
}

static void
t_crtsh(void)
{
	struct src_req	 rq;
	struct src_out	 out;
	json_object	*v, *x;
	const char	*certs =
	    "[{\"id\":3,\"issuer_name\":\"C=US, O=Let's Encrypt, CN=R3\","
	    "\"name_value\":\"www.example.com\\nexample.com\","
	    "\"entry_timestamp\":\"2024-01-02T00:00:00.5\",\"not_before\":"
	    "\"2024-01-01T00:00:00\"},"
	    "{\"id\":2,\"issuer_name\":\"C=US, O=\\\"Example, Inc.\\\", "
	    "CN=CA\",\"name_value\":\"*.Example.com\\nWWW.example.com\","
	    "\"entry_timestamp\":\"2023-01-02T00:00:00\",\"not_before\":"
	    "\"2022-12-31T00:00:00\"},"
	    "{\"id\":1,\"issuer_name\":\"C=US, O=Let's Encrypt, CN=R3\","
	    "\"name_value\":\"api.example.com\\nmail@example.com\","
	    "\"entry_timestamp\":\"2023-06-01T00:00:00\",\"not_before\":"
	    "\"2023-06-01T00:00:00\"}]";

	is_str(built("certificate_transparency", IND_DOMAIN, "example.com",
	    NULL, &rq), "http://mock/x/?q=%25.example.com&output=json"
	    "&deduplicate=Y", "crt.sh: q=%.domain as JSON");
	rq_free(&rq);
	is_str(built("certificate_transparency", IND_DOMAIN, "example.com",
	    "[{\"name\":\"exclude_expired\",\"value\":1}]", &rq),
	    "http://mock/x/?q=%25.example.com&output=json&deduplicate=Y"
	    "&exclude=expired", "crt.sh: exclude_expired");
	rq_free(&rq);
	ok(built("certificate_transparency", IND_IPV4, "1.2.3.4", NULL,
	    &rq) == NULL, "crt.sh refuses an IP address");
	rq_free(&rq);

	out = parsed("certificate_transparency", IND_DOMAIN, "example.com",
	    NULL, "[]");
	is_str(out.error, "NOT_FOUND", "crt.sh: no certificate is NOT_FOUND");
	out = parsed("certificate_transparency", IND_DOMAIN, "example.com",
	    NULL, certs);
	ok(out.error == NULL && vint(out.data, "total") == 3 &&
	    vlen(out.data, "certificates") == 3, "crt.sh: summary of 3 "
	    "certificates");
	ok(vlen(out.data, "names") == 5 && vhas(out.data, "names", NULL,
	    "www.example.com") && vhas(out.data, "names", NULL,
	    "*.example.com"), "crt.sh: names lower-cased, de-duplicated");
	is_str(vstr(out.data, "first_seen"), "2022-12-31T00:00:00",
	    "crt.sh: first_seen is the oldest not_before");
	is_str(vstr(out.data, "last_seen"), "2024-01-02T00:00:00.5",
	    "crt.sh: last_seen is the newest log entry");
	v = verdict_of("certificate_transparency", IND_DOMAIN, "example.com",
	    out.data);
	ok(strcmp(vstr(v, "verdict"), SRC_UNKNOWN) == 0 &&
	    vint(v, "score") == 0, "crt.sh: unknown, score 0");
	ok(vhas(v, "tags", NULL, "Let's Encrypt") && vhas(v, "tags", NULL,
	    "Example, Inc.") && vlen(v, "tags") == 2, "crt.sh: tags are the "
	    "issuers' organizations");
	ok(vhas(v, "related", "DOMAIN", "www.example.com") &&
	    vhas(v, "related", "DOMAIN", "api.example.com") &&
	    vlen(v, "related") == 2, "crt.sh: related names, without "
	    "wildcards, e-mails or the domain itself");
	json_object_put(v);
	json_object_put(out.data);

	out = parsed("certificate_transparency", IND_DOMAIN, "example.com",
	    "[{\"name\":\"max_results\",\"value\":2}]", certs);
	x = NULL;
	(void)json_object_object_get_ex(out.data, "truncated", &x);
	ok(vlen(out.data, "certificates") == 2 && vlen(out.data, "names") ==
	    2 && json_object_get_boolean(x) && vint(out.data, "total") == 3,
	    "crt.sh: max_results caps certificates and names");
	json_object_put(out.data);
}

static void
t_otx_verdict(void)
{
	json_object	*v;

	v = verdict_json("alienvault_otx", IND_URL, "http://a.b.example/x",
	    "{\"pulse_info\":{\"count\":3,\"pulses\":[{\"tags\":[\"mirai\"],"
	    "\"malware_families\":[{\"display_name\":\"Mirai\"}],\"created\":"
	    "\"2023-01-01T00:00:00.000000\",\"modified\":"
	    "\"2023-02-01T00:00:00.000000\"},{\"tags\":[\"botnet\"],"
	    "\"created\":\"2022-01-01T00:00:00.000000\",\"modified\":"
	    "\"2022-02-01T00:00:00.000000\"}]},\"domain\":\"b.example\","
	    "\"hostname\":\"a.b.example\",\"validation\":[]}");
	ok(strcmp(vstr(v, "verdict"), SRC_MALICIOUS) == 0 &&
	    vint(v, "score") == 70, "OTX: 3 pulses is malicious, 25 + 15 x 3");
	ok(vhas(v, "tags", NULL, "mirai") && vhas(v, "tags", NULL, "botnet"),
	    "OTX: pulse tags (and families, case-insensitively once)");
	is_str(vstr(v, "firstSeen"), "2022-01-01T00:00:00Z",
	    "OTX: firstSeen is the oldest pulse");
	is_str(vstr(v, "lastSeen"), "2023-02-01T00:00:00Z",
	    "OTX: lastSeen is the last modified pulse");
	ok(vhas(v, "related", "DOMAIN", "b.example") &&
	    vhas(v, "related", "DOMAIN", "a.b.example"),
	    "OTX: a URL's domain and host name are related");
	json_object_put(v);
	v = verdict_json("alienvault_otx", IND_IPV4, "1.2.3.4",
	    "{\"pulse_info\":{\"count\":1,\"pulses\":[]},\"validation\":[],"
	    "\"reputation_details\":{\"threat_score\":90,\"activities\":"
	    "[{\"name\":\"Malicious Host\"}]}}");
	ok(strcmp(vstr(v, "verdict"), SRC_SUSPICIOUS) == 0 &&
	    vint(v, "score") == 90 && vhas(v, "tags", NULL, "Malicious Host"),
	    "OTX: 1 pulse is suspicious; a higher threat_score wins");
	json_object_put(v);
	v = verdict_json("alienvault_otx", IND_DOMAIN, "example.com",
	    "{\"pulse_info\":{\"count\":0,\"pulses\":[]},\"validation\":"
	    "[{\"source\":\"whitelist\"}]}");
	is_str(vstr(v, "verdict"), SRC_BENIGN, "OTX: no pulse and a "
	    "whitelist validation is benign");
	json_object_put(v);
	v = verdict_json("alienvault_otx", IND_DOMAIN, "example.com",
	    "{\"pulse_info\":{\"count\":0,\"pulses\":[]},\"validation\":[]}");
	is_str(vstr(v, "verdict"), SRC_UNKNOWN, "OTX: nothing at all is "
	    "unknown");
	json_object_put(v);
}

static void
t_archive_verdict(void)
{
	json_object	*v;

	v = verdict_json("internet_archive", IND_URL, "http://a.example/",
	    "{\"url\":\"http://a.example/\",\"first\":{\"time\":"
	    "\"2001-02-03T04:05:06Z\"},\"last\":{\"time\":"
	    "\"2023-01-01T00:00:00Z\"},\"captures\":[]}");
	ok(strcmp(vstr(v, "verdict"), SRC_UNKNOWN) == 0 &&
	    vhas(v, "tags", NULL, "archived"), "Wayback: unknown, archived");
	is_str(vstr(v, "firstSeen"), "2001-02-03T04:05:06Z",
	    "Wayback: firstSeen is the first capture");
	is_str(vstr(v, "lastSeen"), "2023-01-01T00:00:00Z",
	    "Wayback: lastSeen is the last capture");
	json_object_put(v);
}

int
main(void)
{
	t_registered();
	t_internetdb();
	t_shodan();
	t_hibp();
	t_crtsh();
	t_otx_verdict();
	t_archive_verdict();
	return tap_done();
}
