/*
 * tests/unit/t-source.c -- the built-in source framework: URL helpers,
 * each source's request for each kind, and how answers read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lookup.h"
#include "source.h"
#include "tap.h"

static struct src_secret	 secs[] = {
	{ "VIRUSTOTAL_KEY", "vt-key" },
	{ "ABUSE_IPDB_KEY", "ab-key" },
	{ "URLHAUS_KEY", "uh-key" },
};

static int
has_header(struct curl_slist *h, const char *want)
{
	for (; h != NULL; h = h->next)
		if (strcmp(h->data, want) == 0)
			return 1;
	return 0;
}

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
	if (d == NULL || d->build(&in, rq, err, sizeof(err)) == -1)
		return NULL;
	return rq->url;
}

static void
rq_free(struct src_req *rq)
{
	free(rq->url);
	free(rq->body);
	curl_slist_free_all(rq->headers);
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

	is_str(built("urlhaus", IND_URL, "http://e.com/a", &rq), "http://mock/x/url/",
	    "URLhaus: url/ for URLs");
	ok(rq.post && strcmp(rq.body, "url=http%3A%2F%2Fe.com%2Fa") == 0 &&
	    has_header(rq.headers, "Auth-Key: uh-key"),
	    "URLhaus: a POSTed form with the Auth-Key");
	rq_free(&rq);
	is_str(built("urlhaus", IND_DOMAIN, "e.com", &rq), "http://mock/x/host/",
	    "URLhaus: host/ for domains");
	rq_free(&rq);
	built("urlhaus", IND_SHA256, "ab", &rq);
	ok(rq.body != NULL && strcmp(rq.body, "sha256_hash=ab") == 0, "URLhaus: payload/ by sha256");
	rq_free(&rq);

	is_str(built("http_json", IND_DOMAIN, "a b.com", &rq),
	    "http://api.example/q/a%20b.com?k=DOMAIN", "http_json: {data} and {kind}");
	rq_free(&rq);

	out = parsed("urlhaus", "{\"query_status\":\"no_results\"}");
	is_str(out.error, "NOT_FOUND", "URLhaus: no_results is NOT_FOUND");
	free(out.message);
	out = parsed("urlhaus", "{\"query_status\":\"invalid_url\"}");
	is_str(out.error, "RESPONSE_ERROR", "URLhaus: another status is RESPONSE_ERROR");
	free(out.message);
	out = parsed("urlhaus", "{\"query_status\":\"ok\",\"id\":\"1\"}");
	ok(out.error == NULL && out.data != NULL, "URLhaus: ok carries data");
	json_object_put(out.data);
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
	return tap_done();
}
