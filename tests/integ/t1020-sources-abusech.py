#!/usr/bin/python3
"""The abuse.ch, Google Safe Browsing and urlscan.io sources
(docs/sources-abusech.md) against the mock upstream
(tests/mock/apis/{mbazaar,megatron,gsb,urlscan}.py): for each, a hit
with its data and verdict, a miss, a bad key, a 429 with Retry-After, a
malformed answer and an answer slower than the source's timeout; the
Megatron and Safe Browsing Update tasks through `iocagg-schedulerd -1`
and lookups answered from what they stored; urlscan.io Submit answering
its scan's result, or "pending" with the result URL, without holding up
the other sources of the lookup."""
import hashlib
import os
import re
import subprocess
import time
from iocaggtest import (need_mock, ok, psql, lookup, by_source, error_kinds,
                        letters, done, seeded, test_source, verdict, failed,
                        rate_limited, timed_out, source_result as one)

need_mock()

tag = letters(6)
TOP = os.environ.get("top_builddir", ".")


def h64(value):
    """The mock's hash (upstream.h64)."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big")


def task_once(sid):
    """Run the source's task once through the scheduler."""
    return subprocess.run([os.path.join(TOP, "daemons", "iocagg-schedulerd"),
                           "-f", os.environ["IOCAGG_CONF"], "-1", sid],
                          capture_output=True, text=True, timeout=120)


def scheduler_idle(sid):
    """Wait (at most 20 s) for a run of the stack's scheduler to end."""
    for _ in range(200):
        if psql("SELECT count(*) FROM task_schedule WHERE source_id = '%s' "
                "AND last_started_at IS NOT NULL AND (last_ended_at IS NULL "
                "OR last_ended_at < last_started_at)" % sid) == "0":
            return
        time.sleep(0.1)


def keyed(builtin, kinds, slot, words, **kw):
    """A source whose key is made of behaviour words."""
    return test_source(builtin, kinds, slot=slot, key=words, **kw)


# --- Seeds --------------------------------------------------------------
mb = seeded("malwarebazaar")
ok(psql("SELECT required FROM source_secrets WHERE source_id = '%s' AND "
        "name = 'MALWAREBAZAAR_KEY'" % mb) == "f",
   "MalwareBazaar: seeded with an optional MALWAREBAZAAR_KEY slot")
ok(psql("SELECT string_agg(enabled::text, ',') FROM sources WHERE slug IN "
        "('malwarebazaar', 'urlscan-io-search')") == "true,true",
   "the sources whose secrets are optional are enabled")
ok(psql("SELECT task_enabled || '/' || task_interval FROM sources WHERE "
        "builtin = 'google_safe_browsing_update'") == "true/1800",
   "Safe Browsing Update: its task is seeded, every 30 minutes")

# --- MalwareBazaar --------------------------------------------------------
hit = next(x for x in (hashlib.sha256(("%s%d" % (tag, i)).encode())
                       .hexdigest() for i in range(100)) if h64(x) % 10)
miss = next(x for x in (hashlib.sha256(("m%s%d" % (tag, i)).encode())
                        .hexdigest() for i in range(200)) if h64(x) % 10 == 0)
res = one(hit, "SHA256", mb)
d, v = res.get("data") or {}, verdict(res)
ok(res["errors"] == [] and d.get("sha256_hash") == hit and d.get("signature"),
   "MalwareBazaar hit: the sample's get_info record", res)
ok(v.get("verdict") == "malicious" and v.get("score") == 100 and
   d["signature"] in v.get("tags", []) and
   {"kind": "MD5", "data": d["md5_hash"]} in v.get("related", []) and
   v.get("firstSeen", "").startswith(d["first_seen"][:10]),
   "MalwareBazaar hit: malicious, its signature a tag, its other hashes "
   "related, firstSeen", v)
md5 = next(x for x in (hashlib.md5(("%s%d" % (tag, i)).encode()).hexdigest()
                       for i in range(100)) if h64(x) % 10)
res = one(md5, "MD5", mb)
ok(res["errors"] == [] and res["data"]["md5_hash"] == md5,
   "MalwareBazaar hit by MD5", res)
failed(one(miss, "SHA256", mb), "NOT_FOUND",
       "MalwareBazaar miss: hash_not_found is NOT_FOUND")
t = keyed("malwarebazaar", ("SHA256",), "MALWAREBAZAAR_KEY", "bad")
failed(one(hit, "SHA256", t), "UNAUTHORIZED",
       "MalwareBazaar: a bad Auth-Key is UNAUTHORIZED")
t = keyed("malwarebazaar", ("SHA256",), "MALWAREBAZAAR_KEY", "garbage")
failed(one(hit, "SHA256", t), "RESPONSE_ERROR",
       "MalwareBazaar: a malformed answer is RESPONSE_ERROR")
t = keyed("malwarebazaar", ("SHA256",), "MALWAREBAZAAR_KEY", "slow3000",
          timeout=1)
timed_out(one(hit, "SHA256", t),
          "MalwareBazaar: an answer slower than the 1 s timeout is TIMEOUT")
t = keyed("malwarebazaar", ("SHA256", "DOMAIN"), "MALWAREBAZAAR_KEY",
          "status429")
rate_limited(one(hit, "SHA256", t),
             "MalwareBazaar: a 429 is RATE_LIMITED with its Retry-After")
failed(one("x%s.example.com" % tag, "DOMAIN", t), "UNSUPPORTED_INDICATOR",
       "MalwareBazaar: a domain is UNSUPPORTED_INDICATOR")

# --- Megatron -------------------------------------------------------------
mt = seeded("megatron")
api = test_source("megatron", ("IPV4", "IPV6"), slot="MEGATRON_KEY",
                  key="k-" + tag, config={"mode": "api"})
res = one("203.0.113.%d" % (1 + len(tag)), "IPV4", api)
d, v = res.get("data") or {}, verdict(res)
e = (d.get("entries") or [{}])[0]
ok(res["errors"] == [] and d.get("origin") == "api" and
   e.get("ip_address") == "203.0.113.%d" % (1 + len(tag)),
   "Megatron API hit: search_ip's entry", res)
ok(v.get("verdict") == "malicious" and v.get("score") ==
   e.get("confidence_level") and e.get("malware") in v.get("tags", []),
   "Megatron hit: malicious, score its confidence level, malware a tag", v)
failed(one("192.0.2.%d" % (1 + len(tag)), "IPV4", api), "NOT_FOUND",
       "Megatron API miss: no_results is NOT_FOUND")
res = one("2001:db8:bad::5", "IPV6", api)
ok(res["errors"] == [] and res["data"]["entries"][0]["ip_address"] ==
   "2001:db8:bad::5", "Megatron API hit for an IPv6 address", res)
t = keyed("megatron", ("IPV4",), "MEGATRON_KEY", "bad",
          config={"mode": "api"})
failed(one("203.0.113.9", "IPV4", t), "UNAUTHORIZED",
       "Megatron: a bad Auth-Key is UNAUTHORIZED")
t = keyed("megatron", ("IPV4",), "MEGATRON_KEY", "garbage",
          config={"mode": "api"})
failed(one("203.0.113.9", "IPV4", t), "RESPONSE_ERROR",
       "Megatron: a malformed answer is RESPONSE_ERROR")
t = keyed("megatron", ("IPV4",), "MEGATRON_KEY", "slow3000", timeout=1,
          config={"mode": "api"})
timed_out(one("203.0.113.9", "IPV4", t),
          "Megatron: an answer slower than the 1 s timeout is TIMEOUT")
t = keyed("megatron", ("IPV4", "DOMAIN"), "MEGATRON_KEY", "status429",
          config={"mode": "api"})
rate_limited(one("203.0.113.9", "IPV4", t),
             "Megatron: a 429 is RATE_LIMITED with its Retry-After")
failed(one("x%s.example.com" % tag, "DOMAIN", t), "UNSUPPORTED_INDICATOR",
       "Megatron: a domain is UNSUPPORTED_INDICATOR")

# The task: the whole list into the local table, then local answers.
scheduler_idle(mt)
before = psql("SELECT count(*) FROM megatron_refreshes")
r = task_once(mt)
ok(r.returncode == 0, "Megatron task: iocagg-schedulerd -1 runs it", r)
n = int(psql("SELECT count(*) FROM megatron"))
ok(n >= 160 and int(psql("SELECT count(*) FROM megatron_refreshes")) >
   int(before), "Megatron task: %d addresses stored, the refresh recorded"
   % n)
ok(psql("SELECT count(*) FROM megatron WHERE ip = '203.0.113.77' AND "
        "last_seen IS NOT NULL AND entry ->> 'malware' IS NOT NULL") == "1",
   "Megatron task: an entry with its dates and the upstream record")
local = test_source("megatron", ("IPV4", "IPV6"), slot="MEGATRON_KEY",
                    key="status500", config={"mode": "local"})
res = one("203.0.113.77", "IPV4", local)
ok(res["errors"] == [] and res["data"]["origin"] == "local" and
   res["data"]["refreshedAt"] and
   res["data"]["entries"][0]["ip_address"] == "203.0.113.77" and
   verdict(res).get("verdict") == "malicious",
   "Megatron local hit: answered from the table (its API would fail)", res)
failed(one("192.0.2.77", "IPV4", local), "NOT_FOUND",
       "Megatron local miss is NOT_FOUND")
res = one("203.0.113.78", "IPV4", mt)
ok(res["errors"] == [] and res["data"]["origin"] == "local",
   "Megatron (seeded, mode auto): the table answers once loaded", res)
t = keyed("megatron", ("IPV4",), "MEGATRON_KEY", "bad")
r = task_once(t)
ok(r.returncode != 0 and int(psql("SELECT count(*) FROM megatron")) == n,
   "Megatron task: a failed download leaves the table as it was", r)

# --- Google Safe Browsing Lookup ------------------------------------------
gl = seeded("google_safe_browsing_lookup")
url = "http://www.malicious-%s.example.com/path/x.html" % tag
res = one(url, "URL", gl)
d, v = res.get("data") or {}, verdict(res)
m = (d.get("matches") or [{}])[0]
ok(res["errors"] == [] and m.get("threat", {}).get("url") == url and
   m.get("threatType") in ("MALWARE", "SOCIAL_ENGINEERING"),
   "Safe Browsing Lookup hit: threatMatches:find's match", res)
ok(v.get("verdict") == "malicious" and v.get("score") == 100 and
   v.get("tags") == [m.get("threatType")],
   "Safe Browsing Lookup hit: malicious, the threat type a tag", v)
res = one("http://clean-%s.example.com/" % tag, "URL", gl)
ok(res["errors"] == [] and res["data"] == {} and
   verdict(res).get("verdict") == "unknown",
   "Safe Browsing Lookup miss: {} and an unknown verdict", res)
t = keyed("google_safe_browsing_lookup", ("URL", "DOMAIN"), "GSB_API_KEY",
          "bad", timeout=1)
res = one(url, "URL", t)
ok(error_kinds(res) == ["RESPONSE_ERROR"] and "400" in
   str(res["errors"][0].get("content")),
   "Safe Browsing Lookup: a bad key is Google's 400 (RESPONSE_ERROR)", res)
failed(one("http://garbage-%s.example.com/" % tag, "URL", gl),
       "RESPONSE_ERROR", "Safe Browsing Lookup: a malformed answer is "
       "RESPONSE_ERROR")
timed_out(one("http://slow3000-%s.example.com/" % tag, "URL", t),
          "Safe Browsing Lookup: an answer slower than the 1 s timeout is "
          "TIMEOUT")
rate_limited(one("http://status429-%s.example.com/" % tag, "URL", t),
             "Safe Browsing Lookup: a 429 is RATE_LIMITED with its "
             "Retry-After")
failed(one("x%s.example.com" % tag, "DOMAIN", t), "UNSUPPORTED_INDICATOR",
       "Safe Browsing Lookup: a domain is UNSUPPORTED_INDICATOR")

# --- Google Safe Browsing Update ------------------------------------------
gu = seeded("google_safe_browsing_update")
scheduler_idle(gu)
psql("DELETE FROM gsb_lists")
failed(one("http://malicious.example.com/", "URL", gu), "NOT_FOUND",
       "Safe Browsing Update: an empty store is NOT_FOUND")
r = task_once(gu)
ok(r.returncode == 0 and psql(
   "SELECT count(*) FROM gsb_lists WHERE state IS NOT NULL") == "4" and
   int(psql("SELECT count(*) FROM gsb_prefixes")) > 200,
   "Safe Browsing Update task: a full update of the four lists", r)
res = one("http://WWW.Malicious-7.Example.com:8080/a/../b?q=1#frag", "URL",
          gu)
d, v = res.get("data") or {}, verdict(res)
m = (d.get("matches") or [{}])[0]
ok(res["errors"] == [] and d.get("url") ==
   "http://www.malicious-7.example.com/b?q=1" and
   d.get("prefixMatches") == 1 and
   m.get("expression") == "malicious-7.example.com/" and
   m.get("hash") == hashlib.sha256(b"malicious-7.example.com/").hexdigest(),
   "Safe Browsing Update hit: a local prefix confirmed by fullHashes:find "
   "(canonical URL, host-suffix expression)", res)
ok(v.get("verdict") == "malicious" and v.get("tags") ==
   [m.get("threatType")], "Safe Browsing Update hit: malicious", v)
res = one("http://malicious-0.example.com/", "URL", gu)
ok(res["errors"] == [] and res["data"]["prefixMatches"] == 1,
   "Safe Browsing Update: the first list has malicious-0.example.com", res)
res = one("http://www.example.org/malicious/page.html", "URL", gu)
ok(res["errors"] == [] and [x["expression"] for x in res["data"]["matches"]]
   == ["www.example.org/malicious/"], "Safe Browsing Update hit on a path "
   "prefix expression", res)
res = one("http://malicious-full.example.com/", "URL", gu)
ok(res["errors"] == [] and len(res["data"]["matches"]) == 1,
   "Safe Browsing Update hit on a 32-byte full hash", res)
res = one("http://clean-%s.example.com/" % tag, "URL", gu)
ok(res["errors"] == [] and res["data"]["prefixMatches"] == 0 and
   res["data"]["matches"] == [] and verdict(res).get("verdict") == "unknown",
   "Safe Browsing Update miss: no local prefix, nothing sent", res)
res = one("http://decoy.example.com/", "URL", gu)
ok(res["errors"] == [] and res["data"]["prefixMatches"] == 1 and
   res["data"]["matches"] == [] and verdict(res).get("verdict") == "unknown",
   "Safe Browsing Update: a prefix without a full hash is no match", res)
st = psql("SELECT string_agg(state, ',' ORDER BY threat_type) FROM gsb_lists")
r = task_once(gu)
ok(r.returncode == 0 and psql("SELECT string_agg(state, ',' ORDER BY "
                              "threat_type) FROM gsb_lists") == st,
   "Safe Browsing Update task: nothing asked before minimumWaitDuration", r)
psql("UPDATE gsb_lists SET wait_until = NULL")
r = task_once(gu)
ok(r.returncode == 0 and psql("SELECT string_agg(state, ',' ORDER BY "
                              "threat_type) FROM gsb_lists") != st,
   "Safe Browsing Update task: a partial update, its checksum verified", r)
res = one("http://malicious-new.example.com/", "URL", gu)
ok(res["errors"] == [] and len(res["data"]["matches"]) == 1,
   "Safe Browsing Update: an added prefix matches", res)
res = one("http://malicious-0.example.com/", "URL", gu)
ok(res["errors"] == [] and res["data"]["prefixMatches"] == 0,
   "Safe Browsing Update: a removed prefix is gone", res)
count = psql("SELECT count(*) FROM gsb_prefixes")
psql("UPDATE gsb_lists SET wait_until = NULL")
t = keyed("google_safe_browsing_update", ("URL",), "GSB_API_KEY",
          "badchecksum")
r = task_once(t)
ok(r.returncode != 0 and psql("SELECT count(*) FROM gsb_prefixes") == count,
   "Safe Browsing Update task: a checksum mismatch fails and keeps the "
   "prefixes", r)
res = one("http://malicious-new.example.com/", "URL", gu)
ok(res["errors"] == [] and len(res["data"]["matches"]) == 1,
   "Safe Browsing Update: lookups still answer after the failed update", res)
psql("UPDATE gsb_lists SET wait_until = NULL")
r = task_once(gu)
ok(r.returncode == 0 and psql("SELECT count(*) FROM gsb_lists WHERE state "
                              "IS NULL") == "0",
   "Safe Browsing Update task: the next run recovers with a full update", r)
t = keyed("google_safe_browsing_update", ("URL",), "GSB_API_KEY", "bad")
res = one("http://malicious.example.com/", "URL", t)
ok(error_kinds(res) == ["RESPONSE_ERROR"] and "400" in
   str(res["errors"][0].get("content")),
   "Safe Browsing Update: a bad key is Google's 400 (RESPONSE_ERROR)", res)
t = keyed("google_safe_browsing_update", ("URL",), "GSB_API_KEY", "garbage")
failed(one("http://malicious.example.com/", "URL", t), "RESPONSE_ERROR",
       "Safe Browsing Update: a malformed fullHashes answer is "
       "RESPONSE_ERROR")
t = keyed("google_safe_browsing_update", ("URL",), "GSB_API_KEY", "slow3000",
          timeout=1)
timed_out(one("http://malicious.example.com/", "URL", t),
          "Safe Browsing Update: a fullHashes answer slower than the 1 s "
          "timeout is TIMEOUT")
t = keyed("google_safe_browsing_update", ("URL", "IPV4"), "GSB_API_KEY",
          "status429")
rate_limited(one("http://malicious.example.com/", "URL", t),
             "Safe Browsing Update: a 429 is RATE_LIMITED with its "
             "Retry-After")
failed(one("203.0.113.1", "IPV4", t), "UNSUPPORTED_INDICATOR",
       "Safe Browsing Update: an IP address is UNSUPPORTED_INDICATOR")

# --- urlscan.io Search ----------------------------------------------------
us = seeded("urlscan_io_search")
res = one("malicious-%s.example.com" % tag, "DOMAIN", us)
d, v = res.get("data") or {}, verdict(res)
r0 = (d.get("results") or [{}])[0]
ok(res["errors"] == [] and d.get("total", 0) >= 1 and
   r0.get("page", {}).get("domain") == "malicious-%s.example.com" % tag,
   "urlscan.io Search hit: the scans of the domain", res)
ok(v.get("verdict") == "malicious" and v.get("score", 0) >= 75 and
   {"kind": "DOMAIN", "data": "malicious-%s.example.com" % tag} in
   v.get("related", []) and v.get("firstSeen"),
   "urlscan.io Search hit: malicious, the page's domain related", v)
res = one("http://malicious-%s.example.com/a?b=c" % tag, "URL", us)
ok(res["errors"] == [] and res["data"]["results"][0]["task"]["url"] ==
   "http://malicious-%s.example.com/a?b=c" % tag,
   "urlscan.io Search hit for a URL (a quoted page.url query)", res)
failed(one("notfound-%s.example.com" % tag, "DOMAIN", us), "NOT_FOUND",
       "urlscan.io Search miss: no scan is NOT_FOUND")
t = keyed("urlscan_io_search", ("DOMAIN", "IPV4"), "URLSCAN_IO_KEY", "bad",
          timeout=1)
failed(one("x%s.example.com" % tag, "DOMAIN", t), "UNAUTHORIZED",
       "urlscan.io Search: a bad API-Key is UNAUTHORIZED")
failed(one("garbage-%s.example.com" % tag, "DOMAIN", us), "RESPONSE_ERROR",
       "urlscan.io Search: a malformed answer is RESPONSE_ERROR")
timed_out(one("slow3000-%s.example.com" % tag, "DOMAIN", t),
          "urlscan.io Search: an answer slower than the 1 s timeout is "
          "TIMEOUT")
rate_limited(one("status429-%s.example.com" % tag, "DOMAIN", t),
             "urlscan.io Search: a 429 is RATE_LIMITED with its Retry-After")
failed(one("203.0.113.1", "IPV4", t), "UNSUPPORTED_INDICATOR",
       "urlscan.io Search: an IP address is UNSUPPORTED_INDICATOR")

# --- urlscan.io Submit ----------------------------------------------------
fast = {"poll_delay_ms": 200, "poll_interval_ms": 200}
sub = test_source("urlscan_io_submit", ("URL", "DOMAIN"),
                  slot="URLSCAN_IO_KEY", key="k-" + tag, timeout=5,
                  config=fast)
u = "http://malicious-%s.example.com/ready600" % tag
res = one(u, "URL", sub)
d, v = res.get("data") or {}, verdict(res)
ok(res["errors"] == [] and d.get("status") == "done" and
   re.fullmatch(r"[0-9a-f-]{36}", d.get("uuid", "")) and
   d.get("task", {}).get("url") == u and
   d.get("result") == "https://urlscan.io/result/%s/" % d.get("uuid") and
   0.6 <= res["_took"] < 4,
   "urlscan.io Submit: a scan ready within the deadline gives its result "
   "(%.1fs)" % res["_took"], res)
ok(v.get("verdict") == "malicious" and "phishing" in v.get("tags", []),
   "urlscan.io Submit: the result's verdict", v)
slow = test_source("urlscan_io_submit", ("URL",), slot="URLSCAN_IO_KEY",
                   key="k-" + tag, timeout=3, config=fast)
lk = test_source("google_safe_browsing_lookup", ("URL",),
                 slot="GSB_API_KEY", key="k-" + tag)
u = "http://neverready-%s.example.com/x" % tag
t0 = time.monotonic()
r = lookup(u, "URL", ids=[slow, lk], force=True)
took = time.monotonic() - t0
res, other = by_source(r).get(slow, {}), by_source(r).get(lk, {})
d = res.get("data") or {}
ok(res.get("errors") == [] and d.get("status") == "pending" and
   d.get("result") == "https://urlscan.io/result/%s/" % d.get("uuid") and
   d.get("api", "").endswith("/result/%s/" % d.get("uuid")) and
   verdict(res).get("verdict") == "unknown" and 2 <= took < 5,
   "urlscan.io Submit: a scan not ready by the deadline is pending, with "
   "the result URL (%.1fs)" % took, res)


def ms(ts):
    return time.mktime(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) + \
        int(ts[20:23]) / 1000.0


ok(other.get("errors") == [] and other.get("timing") and res.get("timing")
   and ms(other["timing"]["endedAt"]) - ms(other["timing"]["startedAt"]) < 1.5
   and ms(res["timing"]["endedAt"]) - ms(other["timing"]["endedAt"]) > 1,
   "urlscan.io Submit: its polling does not hold up the other source of "
   "the lookup", [other.get("timing"), res.get("timing")])
t = keyed("urlscan_io_submit", ("URL",), "URLSCAN_IO_KEY", "bad", timeout=1)
failed(one(u, "URL", t), "UNAUTHORIZED",
       "urlscan.io Submit: a bad API-Key is UNAUTHORIZED")
failed(one("http://garbage-%s.example.com/" % tag, "URL", sub),
       "RESPONSE_ERROR", "urlscan.io Submit: a malformed answer is "
       "RESPONSE_ERROR")
timed_out(one("http://slow3000-%s.example.com/" % tag, "URL", t),
          "urlscan.io Submit: a submission slower than the 1 s timeout is "
          "TIMEOUT")
rate_limited(one("http://status429-%s.example.com/" % tag, "URL", sub),
             "urlscan.io Submit: a 429 is RATE_LIMITED with its Retry-After")
failed(one("x%s.example.com" % tag, "DOMAIN", sub), "UNSUPPORTED_INDICATOR",
       "urlscan.io Submit: a domain is UNSUPPORTED_INDICATOR")

done()
