#!/usr/bin/python3
"""The web API sources (docs/sources-web.md) against the mock upstream
(tests/mock/apis/{otx,crtsh,hibp,archive,internetdb,shodan}.py): for each,
a hit with its data and verdict, a miss, a bad key (or, for the sources
without one, an upstream refusal), a 429 with Retry-After, a malformed
answer, an answer slower than the source's timeout, and a kind it does
not answer."""
import json
import os
from iocaggtest import (need_mock, ok, psql, get, letters, done, mock_count,
                        seeded, test_source, verdict, failed, rate_limited,
                        timed_out, drop_made, source_result as one)

need_mock()

system = psql("SELECT id FROM users WHERE email = 'system@iocagg.invalid'")
tag = letters(6)


def related(res, kind=None):
    return [x["data"] for x in verdict(res).get("related", [])
            if kind is None or x["kind"] == kind]


def unsupported(data, kind, sid, name):
    failed(one(data, kind, sid), "UNSUPPORTED_INDICATOR", name)


# --- InternetDB: no key -------------------------------------------------
s = seeded("internetdb")
ok(psql("SELECT count(*) FROM source_secrets WHERE source_id = '%s'" % s)
   == "0"
   and psql("SELECT enabled FROM sources WHERE id = '%s'" % s) == "t",
   "InternetDB: seeded enabled, without a key slot (it takes none)")
res = one("203.0.113.%d" % (7 + len(tag)), "IPV4", s)
d, v = res.get("data") or {}, verdict(res)
ok(res["errors"] == [] and d.get("ip") == "203.0.113.%d" % (7 + len(tag))
   and isinstance(d.get("ports"), list) and d["ports"],
   "InternetDB hit: the host's ports, tags and CVEs", res)
want = "malicious" if "compromised" in d.get("tags", []) else "suspicious"
ok(v.get("verdict") == want and 0 < v.get("score", 0) <= 100,
   "InternetDB hit: verdict %s from its tags and CVEs" % want, v)
ok(set(d.get("vulns", [])) <= set(v.get("tags", [])) and d.get("vulns"),
   "InternetDB hit: the CVEs are tags", v)
ok(sorted(related(res, "DOMAIN")) == sorted(d.get("hostnames", [])),
   "InternetDB hit: related are its hostnames", v)
h = get("/api/v1/requests/%s/history" % res["_lookup"]).json() or []
ok(len(h) == 1 and h[0].get("verdict") == res.get("verdict"),
   "InternetDB hit: the history keeps the verdict", h)
failed(one("192.0.2.%d" % (10 + len(tag)), "IPV4", s), "NOT_FOUND",
       "InternetDB miss: an unknown address is NOT_FOUND")
failed(one("198.18.0.5", "IPV4", s), "UNAUTHORIZED",
       "InternetDB: an upstream 401 is UNAUTHORIZED (it has no key)")
failed(one("198.18.0.3", "IPV4", s), "RESPONSE_ERROR",
       "InternetDB: a malformed answer is RESPONSE_ERROR")
t = test_source("internetdb", ("IPV4", "IPV6"), timeout=1)
timed_out(one("198.18.0.4", "IPV4", t),
          "InternetDB: an answer slower than the 1 s timeout is TIMEOUT")
rate_limited(one("198.18.0.1", "IPV4", t),
             "InternetDB: a 429 is RATE_LIMITED with its Retry-After")
unsupported("a%s.example.com" % tag, "DOMAIN", t,
            "InternetDB: a domain is UNSUPPORTED_INDICATOR")

# --- Shodan: key in the query string ------------------------------------
s = seeded("shodan")
ok(psql("SELECT count(*) FROM source_secrets WHERE source_id = '%s' AND "
        "name = 'SHODAN_API_KEY' AND required" % s) == "1",
   "Shodan: seeded with its required SHODAN_API_KEY slot")
ip = "203.0.113.%d" % (20 + len(tag))
res = one(ip, "IPV4", s)
d, v = res.get("data") or {}, verdict(res)
ok(res["errors"] == [] and d.get("ip_str") == ip and d.get("data"),
   "Shodan host hit: the host with its banners", res)
want = "malicious" if "compromised" in d.get("tags", []) else "suspicious"
ok(v.get("verdict") == want and set(d.get("vulns", [])) <= set(v["tags"]),
   "Shodan host hit: verdict %s, CVEs as tags" % want, v)
ok(set(d.get("hostnames", [])) <= set(related(res, "DOMAIN")) and
   v.get("lastSeen", "").startswith(d.get("last_update", "?")[:19]),
   "Shodan host hit: related hostnames, lastSeen is last_update", v)
dom = "malicious-%s.example.com" % tag
res = one(dom, "DOMAIN", s)
d, v = res.get("data") or {}, verdict(res)
ok(res["errors"] == [] and d.get("domain") == dom and d.get("subdomains"),
   "Shodan domain hit: dns/domain's records and subdomains", res)
ok(v.get("verdict") == "unknown" and
   {"%s.%s" % (x, dom) for x in d["subdomains"]} <= set(related(res, "DOMAIN"))
   and {x["value"] for x in d["data"] if x["type"] == "A"} <=
   set(related(res, "IPV4")),
   "Shodan domain hit: unknown; related subdomains and addresses", v)
failed(one("192.0.2.%d" % (30 + len(tag)), "IPV4", s), "NOT_FOUND",
       "Shodan miss: an unknown address is NOT_FOUND")
failed(one("198.18.0.3", "IPV4", s), "RESPONSE_ERROR",
       "Shodan: a malformed answer is RESPONSE_ERROR")
# A key the mock refuses (made of behaviour words), unique to this run.
bad_key = "status401,slow%d" % (1 + sum(map(ord, tag)) % 97)
b = test_source("shodan", ("IPV4", "DOMAIN"), "SHODAN_API_KEY", bad_key)
res = one("203.0.113.1", "IPV4", b)
failed(res, "UNAUTHORIZED", "Shodan: a bad key is UNAUTHORIZED")
ok(bad_key not in json.dumps(res) and "slow" not in json.dumps(res),
   "Shodan: the key is not in the result")
logdir = os.path.join(os.environ["IOCAGG_TEST_STATE"], "log")
log = "".join(open(os.path.join(logdir, f), errors="replace").read()
              for f in os.listdir(logdir) if f.startswith("iocagg-"))
ok(bad_key not in log, "Shodan: the key is not in the log")
t = test_source("shodan", ("IPV4", "DOMAIN"), "SHODAN_API_KEY", "k-" + tag,
                timeout=1)
timed_out(one("slow3000-%s.example.com" % tag, "DOMAIN", t),
          "Shodan: an answer slower than the 1 s timeout is TIMEOUT")
rate_limited(one("198.18.0.1", "IPV4", t),
             "Shodan: a 429 is RATE_LIMITED with its Retry-After")
unsupported("http://a%s.example.com/" % tag, "URL", t,
            "Shodan: a URL is UNSUPPORTED_INDICATOR")

# --- AlienVault OTX: optional key ---------------------------------------
s = seeded("alienvault_otx")
ok(psql("SELECT enabled FROM sources WHERE id = '%s'" % s) == "t" and
   psql("SELECT count(*) FROM source_secrets WHERE source_id = '%s' AND "
        "name = 'OTX_API_KEY' AND NOT required" % s) == "1",
   "OTX: seeded enabled, its OTX_API_KEY slot optional")
dom = "malicious-%s.example.com" % tag
res = one(dom, "DOMAIN", s)
d, v = res.get("data") or {}, verdict(res)
count = (d.get("pulse_info") or {}).get("count", 0)
ok(res["errors"] == [] and d.get("indicator") == dom and count >= 2,
   "OTX hit: the general section with its pulses", res)
want = "malicious" if count >= 3 else "suspicious"
ptags = {t for p in d["pulse_info"]["pulses"] for t in p["tags"]}
ok(v.get("verdict") == want and
   {x.lower() for x in ptags} <= {x.lower() for x in v.get("tags", [])},
   "OTX hit: %d pulses give %s, their tags" % (count, want), v)
ok(v.get("firstSeen", "9")[:10] == min(p["created"] for p in
   d["pulse_info"]["pulses"])[:10],
   "OTX hit: firstSeen is the oldest pulse", v)
ip = "203.0.113.%d" % (40 + len(tag))
res = one(ip, "IPV4", s)
d = res.get("data") or {}
ok(res["errors"] == [] and d.get("indicator") == ip and
   isinstance(d.get("reputation_details"), dict),
   "OTX IP hit: general and reputation sections", res)
res = one("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b%03d"
          % (len(tag)), "SHA256", s)
ok(res["errors"] == [] and (res.get("data") or {}).get("type") == "sha256"
   and verdict(res).get("verdict"), "OTX file hit: a SHA-256", res)
res = one("clean-%s.example.com" % tag, "DOMAIN", s)
ok(res["errors"] == [] and res["data"]["pulse_info"]["count"] == 0 and
   verdict(res).get("verdict") == "benign",
   "OTX miss: no pulse and whitelisted is benign", res)
failed(one("notfound-%s.example.com" % tag, "DOMAIN", s), "NOT_FOUND",
       "OTX: an indicator OTX refuses to know is NOT_FOUND")
failed(one("garbage-%s.example.com" % tag, "DOMAIN", s), "RESPONSE_ERROR",
       "OTX: a malformed answer is RESPONSE_ERROR")
n = test_source("alienvault_otx", ("DOMAIN",))
res = one(dom, "DOMAIN", n)
ok(res["errors"] == [] and res["data"]["pulse_info"]["count"] == count,
   "OTX: answers without a key too", res)
b = test_source("alienvault_otx", ("DOMAIN",), "OTX_API_KEY", "bad")
failed(one(dom, "DOMAIN", b), "UNAUTHORIZED",
       "OTX: a bad key is UNAUTHORIZED")
t = test_source("alienvault_otx", ("DOMAIN", "IPV4"), timeout=1)
timed_out(one("slow3000-%s.example.com" % tag, "DOMAIN", t),
          "OTX: an answer slower than the 1 s timeout is TIMEOUT")
rate_limited(one("status429-%s.example.com" % tag, "DOMAIN", t),
             "OTX: a 429 is RATE_LIMITED with its Retry-After")
unsupported("a-%s@example.com" % tag, "EMAIL", t,
            "OTX: an e-mail is UNSUPPORTED_INDICATOR")

# --- crt.sh: no key -----------------------------------------------------
s = seeded("certificate_transparency")
ok(psql("SELECT enabled FROM sources WHERE id = '%s'" % s) == "t",
   "crt.sh: seeded enabled")
dom = "malicious-%s.example.com" % tag
res = one(dom, "DOMAIN", s)
d, v = res.get("data") or {}, verdict(res)
ok(res["errors"] == [] and d.get("query") == "%." + dom and
   d.get("total", 0) >= 2 and len(d.get("certificates", [])) == d["total"],
   "crt.sh hit: a summary of the logged certificates", res)
ok(len(d.get("names", [])) == len(set(d.get("names", []))) and
   all(x.endswith(dom) for x in d.get("names", [])),
   "crt.sh hit: names de-duplicated", d.get("names"))
want = {x[2:] if x.startswith("*.") else x for x in d.get("names", [])} - {dom}
ok(v.get("verdict") == "unknown" and set(related(res, "DOMAIN")) == want,
   "crt.sh hit: unknown; related are the names", v)
ok(v.get("firstSeen") and v.get("lastSeen") and
   v["firstSeen"] <= v["lastSeen"], "crt.sh hit: first and last seen", v)
failed(one("clean-%s.example.com" % tag, "DOMAIN", s), "NOT_FOUND",
       "crt.sh miss: no certificate is NOT_FOUND")
failed(one("status403-%s.example.com" % tag, "DOMAIN", s), "UNAUTHORIZED",
       "crt.sh: an upstream 403 is UNAUTHORIZED (it has no key)")
failed(one("garbage-%s.example.com" % tag, "DOMAIN", s), "RESPONSE_ERROR",
       "crt.sh: a malformed answer is RESPONSE_ERROR")
c = test_source("certificate_transparency", ("DOMAIN",),
                config_values='[{"name": "max_results", "value": 1}]')
res = one(dom, "DOMAIN", c)
d = res.get("data") or {}
ok(res["errors"] == [] and len(d.get("certificates", [])) == 1 and
   d.get("truncated") is True and d.get("total", 0) >= 2,
   "crt.sh: the max_results config value caps the answer", res)
t = test_source("certificate_transparency", ("DOMAIN", "IPV4"), timeout=1)
timed_out(one("slow3000-%s.example.com" % tag, "DOMAIN", t),
          "crt.sh: an answer slower than the 1 s timeout is TIMEOUT")
rate_limited(one("status429-%s.example.com" % tag, "DOMAIN", t),
             "crt.sh: a 429 is RATE_LIMITED with its Retry-After")
unsupported("203.0.113.1", "IPV4", t,
            "crt.sh: an IP address is UNSUPPORTED_INDICATOR")

# --- Have I Been Pwned: required key ------------------------------------
s = seeded("haveibeenpwned")
ok(psql("SELECT count(*) FROM source_secrets WHERE source_id = '%s' AND "
        "name = 'HIBP_API_KEY' AND required" % s) == "1",
   "HIBP: seeded with its required HIBP_API_KEY slot")
mail = "malicious-%s@example.com" % tag
res = one(mail, "EMAIL", s)
d, v = res.get("data") or [], verdict(res)
ok(res["errors"] == [] and isinstance(d, list) and d and
   all("DataClasses" in x and "BreachDate" in x for x in d),
   "HIBP hit: the breaches, untruncated", res)
ok(v.get("verdict") == "suspicious" and {x["Name"] for x in d} <=
   set(v.get("tags", [])) and v.get("firstSeen", "")[:10] ==
   min(x["BreachDate"] for x in d), "HIBP hit: suspicious, breach names "
   "as tags, firstSeen the oldest breach", v)
failed(one("clean-%s@example.com" % tag, "EMAIL", s), "NOT_FOUND",
       "HIBP miss: an address in no breach is NOT_FOUND")
failed(one("garbage-%s@example.com" % tag, "EMAIL", s), "RESPONSE_ERROR",
       "HIBP: a malformed answer is RESPONSE_ERROR")
b = test_source("haveibeenpwned", ("EMAIL",), "HIBP_API_KEY", "bad")
failed(one(mail, "EMAIL", b), "UNAUTHORIZED",
       "HIBP: a bad key is UNAUTHORIZED")
m = test_source("haveibeenpwned", ("EMAIL",))
psql("INSERT INTO source_secrets (name, required, source_id, created_user_id)"
     " VALUES ('HIBP_API_KEY', true, '%s', '%s')" % (m, system))
quiet = "nokey-%s@example.com" % tag
failed(one(quiet, "EMAIL", m), "MISSING_SECRET",
       "HIBP: no key at all is MISSING_SECRET")
ok(mock_count(quiet.replace("@", "%40")) + mock_count(quiet) == 0,
   "HIBP: ... without a call")
t = test_source("haveibeenpwned", ("EMAIL", "DOMAIN"), "HIBP_API_KEY",
                "k-" + tag, timeout=1)
timed_out(one("slow3000-%s@example.com" % tag, "EMAIL", t),
          "HIBP: an answer slower than the 1 s timeout is TIMEOUT")
rate_limited(one("status429-%s@example.com" % tag, "EMAIL", t),
             "HIBP: a 429 is RATE_LIMITED with its Retry-After")
unsupported("a%s.example.com" % tag, "DOMAIN", t,
            "HIBP: a domain is UNSUPPORTED_INDICATOR")

# --- Internet Archive: no key, two calls --------------------------------
s = seeded("internet_archive")
ok(psql("SELECT supported_indicators::text FROM sources WHERE id = '%s'" % s)
   == "{URL,DOMAIN}", "Wayback: seeded for URLs and domains")
url = "http://malicious-%s.example.com/page" % tag
calls = mock_count("/archive/cdx/")
res = one(url, "URL", s)
calls = mock_count("/archive/cdx/") - calls
d, v = res.get("data") or {}, verdict(res)
caps = d.get("captures") or []
ok(res["errors"] == [] and d.get("url") == url and 1 <= len(caps) <= 10 and
   all(x["snapshot"].startswith("https://web.archive.org/web/") for x in caps),
   "Wayback URL hit: the oldest captures with their snapshot URLs", res)
ok(d.get("first") == caps[0] and d["last"]["time"] >= caps[-1]["time"] and
   v.get("firstSeen") == d["first"]["time"] and
   v.get("lastSeen") == d["last"]["time"],
   "Wayback URL hit: firstSeen/lastSeen are the first and last capture", v)
ok(calls == (2 if d.get("truncated") else 1) and (not d.get("truncated") or
   d["last"]["time"] > caps[-1]["time"]),
   "Wayback URL hit: the newest capture asked apart only when there are "
   "more than kept (%d calls)" % calls, d.get("truncated"))
ok(v.get("verdict") == "unknown" and "archived" in v.get("tags", []),
   "Wayback URL hit: unknown, archived", v)
res = one("malicious-%s.example.com" % tag, "DOMAIN", s)
ok(res["errors"] == [] and res["data"]["first"]["original"].startswith(
   "http://malicious-%s.example.com" % tag), "Wayback domain hit", res)
failed(one("http://clean-%s.example.com/" % tag, "URL", s), "NOT_FOUND",
       "Wayback miss: no capture is NOT_FOUND")
failed(one("http://status403-%s.example.com/" % tag, "URL", s),
       "UNAUTHORIZED", "Wayback: an upstream 403 is UNAUTHORIZED (no key)")
failed(one("http://garbage-%s.example.com/" % tag, "URL", s),
       "RESPONSE_ERROR", "Wayback: a malformed answer is RESPONSE_ERROR")
t = test_source("internet_archive", ("URL", "IPV4"), timeout=1)
timed_out(one("http://slow3000-%s.example.com/" % tag, "URL", t),
          "Wayback: an answer slower than the 1 s timeout is TIMEOUT")
rate_limited(one("http://status429-%s.example.com/" % tag, "URL", t),
             "Wayback: a 429 is RATE_LIMITED with its Retry-After")
unsupported("203.0.113.1", "IPV4", t,
            "Wayback: an IP address is UNSUPPORTED_INDICATOR")

drop_made()
done()
