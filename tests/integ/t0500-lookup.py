#!/usr/bin/python3
"""Lookups: routes, parameters, bad input, result shape, history."""
import json
import re
import urllib.parse
from iocaggtest import (need_stack, get, request, ok, is_error, psql, ctl,
                        make_source, lookup, by_source, error_kinds, done,
                        letters)

need_stack()
KINDS = "DOMAIN, IPV4, IPV6, URL, EMAIL, SHA1, SHA256, SHA512, MD5, TLSH, SSDEEP"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")

# Shape of a lookup over the seeded catalogue.
n_before = int(psql("SELECT count(*) FROM sources"))
r = lookup("8.8.8.8", "IPV4")
n_after = int(psql("SELECT count(*) FROM sources"))
res = r.json() or []
ok(r.status == 200 and isinstance(res, list), "execute answers a JSON array", r)
# (other tests add and remove sources meanwhile)
ok(min(n_before, n_after) <= len(res) <= max(n_before, n_after),
   "one result per source (%d)" % len(res))
shape = all(set(x) >= {"source", "timing", "errors", "data"} and
            set(x["source"]) >= {"id", "name", "slug", "url"} and
            TS.match(x["timing"]["startedAt"]) and
            TS.match(x["timing"]["endedAt"]) for x in res)
ok(shape, "each result has source, timing (UTC ms), errors and data")
vt = [x for x in res if x["source"]["slug"] == "virustotal"][0]
ok(vt["errors"] == [] and vt["data"]["type"] == "ip_address",
   "VirusTotal answers with its data (secret sent as x-apikey)", vt)
abuse = [x for x in res if x["source"]["slug"] == "abuseipdb"][0]
ok(abuse["errors"] == [] and abuse["data"]["ipAddress"] == "8.8.8.8",
   "AbuseIPDB answers with its data", abuse)
uh = [x for x in res if x["source"]["slug"] == "urlhaus"][0]
ok(uh["errors"] == [] or error_kinds(uh) == ["NOT_FOUND"],
   "URLhaus answers data or NOT_FOUND", uh)
dns = [x for x in res if x["source"]["slug"] == "dns"][0]
ok(dns["errors"] == [] and (dns["data"] or {}).get("records", {}).get("PTR"),
   "the DNS source answers the address's PTR (mock DNS)", dns)
mb = [x for x in res if x["source"]["slug"] == "malwarebazaar"][0]
ok(error_kinds(mb) == ["UNSUPPORTED_INDICATOR"],
   "a source without the kind is UNSUPPORTED_INDICATOR")

# POST with a JSON body, kind detection, normalization.  (Other tests
# look things up meanwhile: this one's row is found by its own text.)
path = "/" + letters(10)
r = request("POST", "/api/v1/requests/execute",
            body={"data": "hxxp://Evil[.]Example.COM" + path,
                  "sourceIds": [vt["source"]["id"]]})
j = r.json() or []
ok(r.status == 200 and len(j) == 1 and j[0]["data"]["type"] == "url",
   "POST with JSON, kind auto-detected as URL from defanged data", r)
rid = psql("SELECT string_agg(data || ' ' || kind, ',') FROM requests "
           "WHERE lower(data) LIKE '%%' || lower('%s')" % path)
ok(rid == "http://evil.example.com%s URL" % path,
   "the stored indicator is normalized", rid)

# Source selection.
ids = [vt["source"]["id"], abuse["source"]["id"]]
r = get("/api/v1/requests/execute?data=1.1.1.1&kind=IPV4&sourceIds=%s&sourceIds=%s" % tuple(ids))
ok(r.status == 200 and sorted(by_source(r)) == sorted(ids), "sourceIds repeated", r)
r = lookup("1.1.1.1", "IPV4", ids=ids)
ok(sorted(by_source(r)) == sorted(ids), "sourceIds comma-separated")
r = get("/api/v1/requests/execute?data=1.1.1.1&kind=IPV4&source_ids=" + ids[0])
ok(list(by_source(r)) == [ids[0]], "source_ids (the clients' spelling) is honoured")
is_error(lookup("1.1.1.1", "IPV4", ids=["zzzzzzzzzzzz"]), 400, "unknown_source",
         "an unknown source id is 400")
is_error(lookup("1.1.1.1", "IPV4", ids=["x'y"]), 400, "unknown_source",
         "a malformed source id is 400")
r = lookup("1.1.1.1", "IPV4", ids=ids, ignoreErrors=True)
ok(r.status == 200, "ignoreErrors accepted")
r = lookup("8.8.8.8", "IPV4", ignoreErrors=True)
ok(all(x["errors"] == [] for x in r.json()), "ignoreErrors drops failed sources")

# Bad input.
r = lookup("1.1.1.1", "IPV5")
is_error(r, 400, "invalid_kind", "an unknown kind is 400")
ok(KINDS in (r.json() or {}).get("error", {}).get("message", ""),
   "the 400 lists the valid kinds", r)
r = lookup("1.2.3", "IPV4")
is_error(r, 422, "invalid_indicator", "data breaking the kind's rule is 422")
ok("IPv4" in r.json()["error"]["message"], "the 422 names the rule", r)
is_error(lookup("", "DOMAIN"), 400, "bad_request", "empty data is 400")
is_error(get("/api/v1/requests/execute?kind=DOMAIN"), 400, "bad_request",
         "missing data is 400")
is_error(lookup("a" * 2049 + ".com", "DOMAIN"), 400, "bad_request",
         "data over 2048 bytes is 400")
is_error(lookup("zzzz", None), 422, "invalid_indicator",
         "undetectable data without a kind is 422")
is_error(lookup("1.1.1.1", "IPV4", force="maybe"), 400, "bad_request",
         "a bad boolean is 400")
r = request("POST", "/api/v1/requests/execute", body=b"{nope",
            headers={"Content-Type": "application/json"})
is_error(r, 400, "malformed_json", "a malformed JSON body is 400")
r = request("POST", "/api/v1/requests/execute", body={"data": 5})
is_error(r, 422, "invalid_field", "a non-string data is 422")
r = request("POST", "/api/v1/requests/execute", body={"data": "a.com", "sourceIds": "x"})
is_error(r, 422, "invalid_field", "sourceIds must be an array")
r = request("POST", "/api/v1/requests/execute", body=b"data=a.com",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
is_error(r, 415, "unsupported_media_type", "a non-JSON body is 415")
is_error(lookup("a.com", "DOMAIN", token="x"), 401, "unauthorized", "no valid token is 401")

# Roles: a user without request_create / request_view.
email = "noroles-%s@example.org" % letters(5)
ctl("user", "add", email)
plain = ctl("token", "add", email, "t").stdout.strip()
is_error(lookup("a.com", "DOMAIN", token=plain), 403, "forbidden",
         "executing needs request_create")
is_error(get("/api/v1/requests", token=plain), 403, "forbidden",
         "history needs request_view")
psql("UPDATE users SET roles = '{request_create}' WHERE email = '%s'" % email)
ok(lookup("a.com", "DOMAIN", token=plain, sourceIds=ids[0]).status == 200,
   "request_create may execute")
is_error(get("/api/v1/requests", token=plain), 403, "forbidden",
         "request_create alone may not read history")
psql("UPDATE users SET roles = '{request_view}' WHERE email = '%s'" % email)
ok(get("/api/v1/requests", token=plain).status == 200, "request_view reads history")

# History: one requests row, one source_requests row per source.
r = lookup("9.9.9.9", "IPV4", ids=ids)
req_id = r.headers.get("X-Request-Id-Lookup")
ok(req_id is not None and len(req_id) == 12, "the lookup id is returned", r.headers)
r = get("/api/v1/requests/" + req_id)
j = r.json() or {}
ok(r.status == 200 and j.get("data") == "9.9.9.9" and j.get("kind") == "IPV4"
   and j.get("userId"), "GET /requests/{id}", r)
r = get("/api/v1/requests/%s/history" % req_id)
h = r.json() or []
ok(r.status == 200 and sorted(x["sourceId"] for x in h) == sorted(ids),
   "GET /requests/{id}/history has one row per source", r)
ok(all(set(x) >= {"startedAt", "endedAt", "errors", "data", "cacheAction",
                  "sourceName", "sourceSlug", "sourceUrl"} for x in h),
   "history rows carry timing, errors, data, cache and the source snapshot")
is_error(get("/api/v1/requests/zzzzzzzzzzzz"), 404, "not_found", "an unknown request is 404")
is_error(get("/api/v1/requests/zzzzzzzzzzzz/history"), 404, "not_found",
         "the history of an unknown request is 404")

# Paging: newest first, limit/offset and cursor.
r = get("/api/v1/requests?limit=3")
page = r.json() or []
keys = [(x["createdAt"], x["id"]) for x in page]
ok(r.status == 200 and len(page) == 3 and keys == sorted(keys, reverse=True),
   "the list is newest first", r)
cur = r.headers.get("X-Next-Cursor")
ok(cur is not None, "a full page carries X-Next-Cursor")
r2 = get("/api/v1/requests?limit=3&cursor=" + urllib.parse.quote(cur or ""))
page2 = r2.json() or []
ok(r2.status == 200 and len(page2) >= 1 and not set(x["id"] for x in page2) & set(x["id"] for x in page),
   "the cursor gives the next page, no overlap", r2)
r3 = get("/api/v1/requests?limit=3&offset=3")
k3 = [(x["createdAt"], x["id"]) for x in (r3.json() or [])]
ok(r3.status == 200 and len(k3) == 3 and k3 == sorted(k3, reverse=True),
   "offset paging gives a page, newest first", r3)
k2 = [(x["createdAt"], x["id"]) for x in page2]
ok(all(a > b for a in keys for b in k2), "the cursor page is older than the first")
is_error(get("/api/v1/requests?cursor=garbage"), 400, "bad_request", "a bad cursor is 400")
is_error(get("/api/v1/requests?limit=5000"), 400, "bad_request", "limit over 1000 is 400")

# Search: q (part of the indicator, any case) and kind, with both pagings.
stem = "srch-" + letters(10)
vt_id = vt["source"]["id"]
for n in range(3):
    lookup("%s-%d.example.com" % (stem, n), "DOMAIN", ids=[vt_id])
lookup("http://%s-url.example.com/" % stem, "URL", ids=[vt_id])
r = get("/api/v1/requests?q=" + stem.upper())
found = r.json() or []
ok(r.status == 200 and len(found) == 4 and all(stem in x["data"] for x in found),
   "q finds the indicators containing it, in any case", r)
r = get("/api/v1/requests?kind=DOMAIN&q=" + stem)
ok(sorted(x["data"] for x in (r.json() or [])) ==
   ["%s-%d.example.com" % (stem, n) for n in range(3)],
   "kind narrows the search", r)
r = get("/api/v1/requests?limit=2&q=" + stem)
cur = r.headers.get("X-Next-Cursor")
r2 = get("/api/v1/requests?limit=2&q=%s&cursor=%s" % (stem, urllib.parse.quote(cur or "")))
ok(len(r.json() or []) == 2 and len(r2.json() or []) == 2 and
   not {x["id"] for x in r.json()} & {x["id"] for x in r2.json()},
   "search pages with the cursor too", (r, r2))
r = get("/api/v1/requests?limit=2&offset=2&q=" + stem)
ok([x["id"] for x in (r.json() or [])] == [x["id"] for x in (r2.json() or [])],
   "and with offset", r)
ok(get("/api/v1/requests?q=%25_%5C" + stem).json() == [],
   "q is text, not a pattern: %, _ and \\ match themselves")
is_error(get("/api/v1/requests?kind=IPV5"), 400, "invalid_kind", "an unknown kind is 400")
is_error(get("/api/v1/requests?q=" + "a" * 257), 422, "invalid_field",
         "a q over 256 bytes is 422")

done()
