#!/usr/bin/python3
"""The small route groups: /config (runtime settings, typed and checked,
applied all or nothing), /stats (counters and hourly charts),
/notifications (missing and expired secrets) and /favicon (a site's
icon through libcurl, cached a day)."""
import atexit
import http.server
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from iocaggtest import (URL, TOKEN, need_stack, get, request, ok, is_error,
                        psql, ctl, make_source, lookup, by_source,
                        error_kinds, letters, done)

need_stack()
tag = letters(6)

# The dev stack points the runner settings at its own runners; this test
# starts from the defaults.  Put the stack's values back at the end,
# whatever happens: the tests after this one use the runners.
RUNNER_KEYS = ["python_runner_grpc_address", "javascript_runner_grpc_address",
               "javascript_runner_enabled"]
_saved = [tuple(line.split("|", 1)) for line in psql(
    "SELECT key || '|' || value FROM server_config WHERE key IN (%s)" %
    ",".join("'%s'" % k for k in RUNNER_KEYS)).splitlines() if line]


def _restore_runners():
    psql("DELETE FROM server_config WHERE key IN (%s)" %
         ",".join("'%s'" % k for k in RUNNER_KEYS))
    for k, v in _saved:
        psql("INSERT INTO server_config (key, value, last_modified_user_id) "
             "SELECT '%s', '%s', id FROM users WHERE email = "
             "'system@iocagg.invalid'" % (k, v.replace("'", "''")))


atexit.register(_restore_runners)
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$")
ID = re.compile(r"^[0-9a-z]{12}$")
KEYS = ["javascript_source_template", "python_source_template",
        "proxy_enabled", "proxy_type", "proxy_value", "sse_keep_alive",
        "sse_number_concurrent_source_fetching",
        "javascript_runner_grpc_address", "javascript_runner_enabled",
        "python_runner_grpc_address", "python_runner_enabled",
        "signup_rate_limit"]
# t0510-checks, which may run at the same time, sets
# python_runner_enabled for a moment with SQL: leave it alone but for
# the runner test below.
# t0650-auth sets signup_rate_limit for a moment: leave it alone too.
MINE = [k for k in KEYS if k not in ("python_runner_enabled",
                                     "signup_rate_limit")]
FIELDS = ["id", "createdAt", "updatedAt", "value", "defaultValue",
          "friendlyName", "description", "kind", "category",
          "lastModifiedUserId"]
OTHERS = "key NOT IN ('python_runner_enabled', 'signup_rate_limit')"


def user(role):
    email = "cfg-%s-%s@example.org" % (role or "none", tag)
    args = ["user", "add"] + (["-r", role] if role else []) + [email]
    ctl(*args)
    tok = ctl("token", "add", email, "t0640").stdout.strip()
    uid = psql("SELECT id FROM users WHERE email = '%s'" % email)
    return tok, uid


def put(body, token=None):
    return request("PUT", "/api/v1/config", body=body, token=token)


def config():
    return get("/api/v1/config").json() or {}


def rows(*keys):
    return int(psql("SELECT count(*) FROM server_config WHERE key IN (%s)" %
                    ",".join("'%s'" % k for k in keys)))


def snapshot():
    return psql("SELECT string_agg(key || '=' || md5(value), ',' "
                "ORDER BY key) FROM server_config WHERE " + OTHERS)


admin_id = psql("SELECT u.id FROM users u JOIN api_tokens t ON "
                "t.user_id = u.id WHERE t.id = '%s'" % TOKEN.split("_")[0])
viewer, viewer_id = user("sources_view")
editor, editor_id = user("config_edit")

# --- GET /config -----------------------------------------------------------

# Start from the defaults: every override removed.
r = put([{"key": k} for k in MINE])
ok(r.status == 204 and rows(*MINE) == 0, "PUT without values removes every "
   "override (204)", r)
r = get("/api/v1/config", token=viewer)
c = r.json() or {}
ok(r.status == 200 and list(c) == KEYS,
   "GET /config: any user; the reference's 11 snake_case keys in its "
   "order, then signup_rate_limit",
   list(c))
ok(all(list(c[k]) == FIELDS for k in KEYS),
   "each entry is {id, createdAt, updatedAt, value, defaultValue, "
   "friendlyName, description, kind, category, lastModifiedUserId}")
ok(all(c[k]["id"] is None and c[k]["createdAt"] is None and
       c[k]["updatedAt"] is None and c[k]["value"] is None and
       c[k]["lastModifiedUserId"] is None for k in MINE),
   "with no overrides, id, timestamps, value and user are null")
kinds = {k: c[k]["kind"] for k in KEYS}
ok(kinds == {"javascript_source_template": "CODE",
             "python_source_template": "CODE", "proxy_enabled": "BOOLEAN",
             "proxy_type": "STRING", "proxy_value": "STRING",
             "sse_keep_alive": "NUMBER",
             "sse_number_concurrent_source_fetching": "NUMBER",
             "javascript_runner_grpc_address": "STRING",
             "javascript_runner_enabled": "BOOLEAN",
             "python_runner_grpc_address": "STRING",
             "python_runner_enabled": "BOOLEAN",
             "signup_rate_limit": "NUMBER"}, "the kinds", kinds)
ok([c[k]["category"] for k in KEYS] == ["CODE", "CODE", "PROXY", "PROXY",
   "PROXY", "SSE", "SSE", "RUNNERS", "RUNNERS", "RUNNERS", "RUNNERS",
   "SECURITY"],
   "the categories")
defaults = {k: c[k]["defaultValue"] for k in KEYS}
ok(defaults["proxy_enabled"] is False and
   defaults["python_runner_enabled"] is True and
   defaults["javascript_runner_enabled"] is False and
   defaults["sse_keep_alive"] == 30000 and
   defaults["sse_number_concurrent_source_fetching"] == 10 and
   defaults["proxy_type"] == "http" and
   defaults["proxy_value"] == "http://localhost:8080",
   "defaults are typed: booleans, numbers, strings", defaults)
ok(defaults["python_runner_grpc_address"] == "unix:/run/iocagg/python.sock"
   and defaults["javascript_runner_grpc_address"] ==
   "unix:/run/iocagg/javascript.sock", "runner addresses default to unix "
   "sockets", defaults)
py = defaults["python_source_template"]
js = defaults["javascript_source_template"]
ok("def fetch_data(data, kind):" in py and "def background_task():" in py,
   "the Python template has fetch_data(data, kind) and background_task()")
ok("function fetch_data(data, kind) {" in js,
   "the JavaScript template has function fetch_data(data, kind)")
try:
    compile(py, "template.py", "exec")
    compiled = True
except SyntaxError as e:
    compiled = e
ok(compiled is True, "the Python template compiles", compiled)
ok(all(isinstance(c[k]["friendlyName"], str) and c[k]["friendlyName"] and
       isinstance(c[k]["description"], str) and c[k]["description"]
       for k in KEYS), "every key has a friendly name and a description")
ok(get("/api/v1/config", auth=False).status == 401,
   "GET /config needs credentials")

# --- PUT /config: overrides ------------------------------------------------

r = put([{"key": "proxy_enabled", "value": True}])
c = config()
e = c.get("proxy_enabled", {})
ok(r.status == 204 and e.get("value") is True and
   e.get("defaultValue") is False, "PUT sets an override (204), reflected "
   "typed in GET", (r, e))
ok(ID.match(e.get("id") or "") and TS.match(e.get("createdAt") or "") and
   TS.match(e.get("updatedAt") or "") and
   e.get("lastModifiedUserId") == admin_id,
   "the override has an id, timestamps and the caller as last modifier", e)
ok(psql("SELECT value FROM server_config WHERE key = 'proxy_enabled'") ==
   "true", "stored as the text 'true'")
time.sleep(0.01)
r = put([{"key": "proxy_enabled", "value": "false"},
         {"key": "sse_keep_alive", "value": 45000},
         {"key": "python_source_template",
          "value": "def fetch_data(data, kind):\n    return data\n"}],
        token=editor)
c = config()
ok(r.status == 204 and c["proxy_enabled"]["value"] is False and
   c["sse_keep_alive"]["value"] == 45000 and
   c["python_source_template"]["value"].startswith("def fetch_data"),
   "config_edit may PUT; several entries apply together; \"false\" is "
   "taken as false", (r, c.get("sse_keep_alive")))
ok(c["proxy_enabled"]["id"] == e.get("id") and
   c["proxy_enabled"]["lastModifiedUserId"] == editor_id and
   c["proxy_enabled"]["updatedAt"] >= e["updatedAt"],
   "an update keeps the row id and records the new modifier",
   c["proxy_enabled"])
r = put([{"key": "sse_number_concurrent_source_fetching", "value": "25"},
         {"key": "proxy_type", "value": "socks5h"},
         {"key": "proxy_value", "value": "socks5h://proxy.example:1080"},
         {"key": "python_runner_grpc_address", "value": "unix:/tmp/py.sock"},
         {"key": "javascript_runner_grpc_address",
          "value": "runner_js.example:50051"}])
c = config()
ok(r.status == 204 and
   c["sse_number_concurrent_source_fetching"]["value"] == 25 and
   c["proxy_type"]["value"] == "socks5h" and
   c["python_runner_grpc_address"]["value"] == "unix:/tmp/py.sock" and
   c["javascript_runner_grpc_address"]["value"] ==
   "runner_js.example:50051",
   "numbers given as decimal strings, proxy settings and runner "
   "addresses (unix:/path, host:port) are accepted", r)
r = put([{"key": "javascript_runner_grpc_address", "value": "[::1]:50051"}])
ok(r.status == 204, "an [IPv6]:port runner address is accepted", r)
r = put([])
ok(r.status == 204, "an empty array changes nothing (204)", r)

# Removing overrides.
r = put([{"key": "proxy_type"}, {"key": "proxy_value", "value": None}])
c = config()
ok(r.status == 204 and rows("proxy_type", "proxy_value") == 0 and
   c["proxy_type"]["value"] is None and c["proxy_type"]["id"] is None and
   c["proxy_value"]["value"] is None,
   "an absent or null value removes the override (back to the default)", r)
r = put([{"key": "proxy_type"}])
ok(r.status == 204, "removing a missing override is 204", r)

# --- PUT /config: refused --------------------------------------------------

before = snapshot()
BAD = [
    ("proxy_enabled", "yes", "BOOLEAN: 'yes'"),
    ("proxy_enabled", 1, "BOOLEAN: 1"),
    ("python_runner_enabled", "TRUE", "BOOLEAN: 'TRUE'"),
    ("sse_keep_alive", 1.5, "NUMBER: 1.5"),
    ("sse_keep_alive", "abc", "NUMBER: 'abc'"),
    ("sse_keep_alive", "-5", "NUMBER: '-5'"),
    ("sse_keep_alive", 999, "NUMBER: below its range"),
    ("sse_keep_alive", 10 ** 12, "NUMBER: above its range"),
    ("sse_number_concurrent_source_fetching", 0, "NUMBER: 0 fetches"),
    ("sse_number_concurrent_source_fetching", True, "NUMBER: true"),
    ("proxy_type", "gopher", "STRING: unknown proxy type"),
    ("proxy_type", 5, "STRING: a number"),
    ("proxy_value", "not a url", "STRING: not a proxy URL"),
    ("proxy_value", "ftp://x:21", "STRING: a proxy URL of another scheme"),
    ("proxy_value", "http://" + "a" * 2100, "STRING: over its length cap"),
    ("python_runner_grpc_address", "http://runner:50051",
     "runner address: a URL"),
    ("python_runner_grpc_address", "unix:relative.sock",
     "runner address: a relative unix path"),
    ("python_runner_grpc_address", "runner:99999", "runner address: port"),
    ("python_runner_grpc_address", "runner", "runner address: no port"),
    ("python_runner_grpc_address", "unix:/" + "s" * 120,
     "runner address: a unix path too long for a socket"),
    ("javascript_runner_grpc_address", "a b:1", "runner address: a blank"),
    ("python_source_template", 5, "CODE: a number"),
    ("python_source_template", "x" * 70000, "CODE: over 64 KiB"),
    ("python_source_template", "a\u0000b", "CODE: a NUL byte"),
    ("javascript_source_template", ["x"], "CODE: an array"),
]
for key, value, what in BAD:
    r = put([{"key": key, "value": value}])
    j = r.json() or {}
    is_error(r, 422, "invalid_field", "422 for %s" % what)
    if r.status == 422 and key not in j.get("error", {}).get("message", ""):
        ok(False, "the message names the key %s" % key, r)
ok(before == snapshot(), "nothing was written by the refused values")

r = put([{"key": "proxy_type", "value": "socks5"},
         {"key": "no_such_key_%s" % tag, "value": "x"}])
is_error(r, 422, "invalid_field", "an unknown key is 422 (not ignored)")
ok("no_such_key_%s" % tag in (r.json() or {}).get("error", {})
   .get("message", ""), "the message names the unknown key", r)
ok(rows("proxy_type") == 0 and
   psql("SELECT count(*) FROM server_config WHERE key LIKE 'no_such_key%'")
   == "0", "nothing written: neither the good entry nor the unknown key")
r = put([{"key": "proxy_type", "value": "socks5"},
         {"key": "sse_keep_alive", "value": "soon"}])
is_error(r, 422, "invalid_field", "one bad value among good entries is 422")
ok(rows("proxy_type") == 0 and
   psql("SELECT value FROM server_config WHERE key = 'sse_keep_alive'") ==
   "45000", "nothing written: the whole array or nothing")
r = put([{"key": "proxy_type", "value": "socks5"},
         {"key": "proxy_type", "value": "http"}])
is_error(r, 422, "invalid_field", "a key given twice is 422")
r = put([{"key": "proxy_type", "value": "socks5", "extra": 1}])
is_error(r, 422, "invalid_field", "an unknown member of an entry is 422")
r = put([{"value": "socks5"}])
is_error(r, 422, "invalid_field", "an entry without a key is 422")
r = put([{"key": 5, "value": "socks5"}])
is_error(r, 422, "invalid_field", "a non-string key is 422")
r = put(["proxy_type"])
is_error(r, 422, "invalid_field", "an entry that is not an object is 422")
r = put({"key": "proxy_type", "value": "socks5"})
is_error(r, 422, "invalid_field", "a body that is not an array is 422")
r = put([{"key": "proxy_type"}] * 65)
is_error(r, 422, "invalid_field", "more than 64 entries is 422")
r = request("PUT", "/api/v1/config",
            body=b'[{"key": "proxy_type", "value": "socks5"}]')
is_error(r, 415, "unsupported_media_type",
         "415 without Content-Type: application/json")
r = request("PUT", "/api/v1/config", body=b'[{"key": ',
            headers={"Content-Type": "application/json"})
is_error(r, 400, "malformed_json", "400 for malformed JSON")
r = request("PUT", "/api/v1/config", body=b"",
            headers={"Content-Type": "application/json"})
is_error(r, 400, "bad_request", "400 for an empty body")
r = put([{"key": "proxy_type", "value": "socks5"}], token=viewer)
is_error(r, 403, "forbidden", "403 for a user without config_edit")
ok(rows("proxy_type") == 0, "and nothing was written")
r = request("POST", "/api/v1/config", body=[])
is_error(r, 405, "method_not_allowed", "POST /config is 405")

# --- The runner switches reach lookups -------------------------------------

py_src = make_source(kind="python", builtin=None,
                     source_code="def fetch_data(data, kind):\n"
                                 "    return data\n")
d = "runner-%s.example.com" % tag
# t0510-checks flips the same switch with SQL: a try in which the row
# vanished under us is tried again.
for attempt in range(5):
    try:
        r = put([{"key": "python_runner_enabled", "value": False}])
        res = by_source(lookup(d, "DOMAIN", ids=[py_src])).get(py_src, {})
        still = psql("SELECT value FROM server_config WHERE "
                     "key = 'python_runner_enabled'") == "false"
    finally:
        r2 = put([{"key": "python_runner_enabled"}])
    if {"kind": "RUNNER_DISABLED", "content": "PYTHON"} in \
            res.get("errors", []) or still:
        break
    time.sleep(0.2)
ok(r.status == 204 and {"kind": "RUNNER_DISABLED", "content": "PYTHON"}
   in res.get("errors", []), "python_runner_enabled=false: a Python "
   "source reports RUNNER_DISABLED", res)
ok(r2.status == 204, "the runner switch is restored (override removed)", r2)
for attempt in range(5):
    res = by_source(lookup(d, "DOMAIN", ids=[py_src])).get(py_src, {})
    if "RUNNER_DISABLED" not in error_kinds(res) or \
            rows("python_runner_enabled") == 0:
        break
    time.sleep(0.2)
ok("RUNNER_DISABLED" not in error_kinds(res),
   "back to the default: no RUNNER_DISABLED", res)
js_src = make_source(kind="javascript", builtin=None,
                     source_code="function fetch_data(data, kind) "
                                 "{ return data; }")
res = by_source(lookup(d, "DOMAIN", ids=[js_src])).get(js_src, {})
ok({"kind": "RUNNER_DISABLED", "content": "JAVA_SCRIPT"} in
   res.get("errors", []), "javascript_runner_enabled defaults to false: "
   "RUNNER_DISABLED", res)
try:
    r = put([{"key": "javascript_runner_enabled", "value": "true"}])
    res = by_source(lookup(d, "DOMAIN", ids=[js_src])).get(js_src, {})
    ok(r.status == 204 and "RUNNER_DISABLED" not in error_kinds(res),
       "javascript_runner_enabled=true: no RUNNER_DISABLED", res)
finally:
    put([{"key": "javascript_runner_enabled"}])

# --- Stats -----------------------------------------------------------------


def stats(path, token=None):
    r = get("/api/v1/stats/count" + path, token=token)
    return r, r.json()


def hour_z(t):
    return time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(t))


r, cnt0 = stats("", token=viewer)
COUNTS = ["history", "historyLast24hrs", "providers", "enabledProviders",
          "sources", "enabledSources", "ignoreLists", "enabledIgnoreLists",
          "users", "enabledUsers"]
ok(r.status == 200 and isinstance(cnt0, dict) and list(cnt0) == COUNTS and
   all(isinstance(cnt0[k], int) for k in COUNTS),
   "GET /stats/count: any user; the 10 counters", cnt0)
ok(0 < cnt0["sources"] <= int(psql("SELECT count(*) FROM sources")),
   "sources counts the sources table (others may add some meanwhile)")
ok(cnt0["enabledUsers"] <= cnt0["users"] and
   cnt0["enabledProviders"] <= cnt0["providers"],
   "enabled counts are within the totals")

now = time.time()
r, req0 = stats("/requests")
ok(r.status == 200 and isinstance(req0, list) and len(req0) == 25,
   "GET /stats/count/requests: 25 hourly buckets", r)
ok(all(list(b) == ["uncachedCount", "cachedCount", "timeWindow"]
       for b in req0), "each bucket is {uncachedCount, cachedCount, "
   "timeWindow}")
wins = [b["timeWindow"] for b in req0]
ok(wins[-1] in (hour_z(now), hour_z(now + 5)) and
   wins[0] in (hour_z(now - 24 * 3600), hour_z(now + 5 - 24 * 3600)) and
   wins == sorted(wins) and
   all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:00:00Z$", w) for w in wins),
   "from the current UTC hour - 24 h to the current hour, zoned (Z)",
   (wins[0], wins[-1]))
groups = {}
for g in ("sources", "providers", "kinds"):
    r, groups[g] = stats("/requests/" + g)
    ok(r.status == 200 and isinstance(groups[g], list) and
       len(groups[g]) == 25 and
       all(list(b) == ["timeWindow", "data"] and
           isinstance(b["data"], list) for b in groups[g]) and
       [b["timeWindow"] for b in groups[g]] == wins,
       "GET /stats/count/requests/%s: 25 buckets {timeWindow, data}" % g, r)
ok(all(e["count"] > 0 for g in groups.values() for b in g
       for e in b["data"]), "zero counts are left out")

# A provider-linked, cache-enabled source, looked up twice.
prov_id, prov_name = psql("SELECT id || '|' || name FROM providers "
                          "WHERE slug = 'cymru'").split("|")
cs = make_source(cache_enabled=True, cache_interval=3600,
                 provider_id=prov_id)
cs_name = psql("SELECT name FROM sources WHERE id = '%s'" % cs)
d = "stats-%s.example.com" % tag
first = by_source(lookup(d, "DOMAIN", ids=[cs])).get(cs, {})
second = by_source(lookup(d, "DOMAIN", ids=[cs])).get(cs, {})
ok(first.get("cache", {}).get("action") == "SAVED_TO_CACHE" and
   second.get("cache", {}).get("action") == "FROM_CACHE",
   "setup: the second lookup is answered FROM_CACHE", (first, second))
time.sleep(0.5)   # history rows are written after the answer
r, cnt1 = stats("")
ok(cnt1["history"] >= cnt0["history"] + 2 and
   cnt1["historyLast24hrs"] >= cnt0["historyLast24hrs"] + 2,
   "history and historyLast24hrs grow with lookups", (cnt0, cnt1))
r, req1 = stats("/requests")


def total(buckets, k):
    return sum(b[k] for b in buckets)


ok(total(req1, "cachedCount") >= total(req0, "cachedCount") + 1,
   "cachedCount counts the FROM_CACHE lookup",
   (total(req0, "cachedCount"), total(req1, "cachedCount")))
ok(total(req1, "uncachedCount") >= total(req0, "uncachedCount") + 1,
   "uncachedCount counts the SAVED_TO_CACHE lookup")
ok(req1[-1]["cachedCount"] >= 1 and req1[-1]["uncachedCount"] >= 1,
   "both in the current hour's bucket", req1[-1])


def entry(g, eid):
    for e in (stats("/requests/" + g)[1] or [{}])[-1].get("data", []):
        if e["id"] == eid:
            return e
    return None


e = entry("sources", cs)
ok(e == {"id": cs, "name": cs_name, "count": 2},
   "by source: {id, name, count} of the current hour", e)
e = entry("providers", prov_id)
ok(e is not None and e["name"] == prov_name and e["count"] >= 2,
   "by provider, through the source's provider", e)
e = entry("kinds", "DOMAIN")
ok(e is not None and e["name"] == "DOMAIN" and e["count"] >= 2,
   "by kind: id and name are the kind", e)
prev = [x for x in groups["kinds"][-1]["data"] if x["id"] == "DOMAIN"]
ok(e is not None and e["count"] >= (prev[0]["count"] if prev else 0) + 2,
   "the kind's count grew by the two lookups")
ok(get("/api/v1/stats/count", auth=False).status == 401,
   "stats need credentials")

# --- Notifications ---------------------------------------------------------


def notes(token=None):
    r = get("/api/v1/notifications", token=token)
    return r, r.json()


def note(kind, nid):
    for n in notes()[1] or []:
        if n["kind"] == kind and n["content"]["id"] == nid:
            return n
    return None


SYS = "(SELECT id FROM users WHERE email = 'system@iocagg.invalid')"
ns = make_source()
ns_name, ns_slug = psql("SELECT name || '|' || slug FROM sources WHERE "
                        "id = '%s'" % ns).split("|")
psql("INSERT INTO source_secrets (name, required, source_id, "
     "created_user_id) VALUES ('A_%s', true, '%s', %s), "
     "('B_%s', true, '%s', %s), ('C_%s', false, '%s', %s)"
     % (tag, ns, SYS, tag, ns, SYS, tag, ns, SYS))
r, lst = notes(token=viewer)
ok(r.status == 200 and isinstance(lst, list) and
   all(set(n) == {"kind", "content"} for n in lst),
   "GET /notifications: any user; [{kind, content}]", r)
n = note("MISSING_REQUIRED_SOURCE_SECRET", ns)
ok(n == {"kind": "MISSING_REQUIRED_SOURCE_SECRET",
         "content": {"id": ns, "name": ns_name, "slug": ns_slug,
                     "numMissingSecrets": 2}},
   "a source with 2 empty required slots (and an empty optional one)", n)
sec = psql("INSERT INTO secrets (name, value, created_user_id) VALUES "
           "('S_%s', decode(repeat('00', 40), 'hex'), %s) RETURNING id"
           % (tag, SYS))
psql("UPDATE source_secrets SET secret_id = '%s' WHERE source_id = '%s' "
     "AND name = 'A_%s'" % (sec, ns, tag))
n = note("MISSING_REQUIRED_SOURCE_SECRET", ns)
ok(n is not None and n["content"]["numMissingSecrets"] == 1,
   "filling one slot leaves 1 missing", n)
psql("UPDATE source_secrets SET secret_id = '%s' WHERE source_id = '%s'"
     % (sec, ns))
ok(note("MISSING_REQUIRED_SOURCE_SECRET", ns) is None,
   "no notification once every required slot has a secret")
ok(note("EXPIRED_SECRET", sec) is None, "a secret without expiry is fine")
psql("UPDATE secrets SET expires_at = (now() AT TIME ZONE 'utc') + "
     "interval '1 day' WHERE id = '%s'" % sec)
ok(note("EXPIRED_SECRET", sec) is None, "a secret expiring later is fine")
psql("UPDATE secrets SET expires_at = '2020-01-02 03:04:05.678' WHERE "
     "id = '%s'" % sec)
n = note("EXPIRED_SECRET", sec)
ok(n == {"kind": "EXPIRED_SECRET",
         "content": {"id": sec, "name": "S_%s" % tag,
                     "expiresAt": "2020-01-02T03:04:05.678"}},
   "an expired secret linked to a source: EXPIRED_SECRET {id, name, "
   "expiresAt}", n)
lone = psql("INSERT INTO secrets (name, value, created_user_id, expires_at) "
            "VALUES ('L_%s', decode(repeat('00', 40), 'hex'), %s, "
            "'2020-01-01') RETURNING id" % (tag, SYS))
ok(note("EXPIRED_SECRET", lone) is None,
   "an expired secret no source uses is not reported")
psql("DELETE FROM sources WHERE id = '%s'; DELETE FROM secrets WHERE id IN "
     "('%s', '%s')" % (ns, sec, lone))
ok(get("/api/v1/notifications", auth=False).status == 401,
   "notifications need credentials")

# --- Favicon ---------------------------------------------------------------

ICON = (b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00" +
        bytes(random.randrange(256) for _ in range(1100)))


class Site(http.server.BaseHTTPRequestHandler):
    """/favicon.ico as the server's "mode" says; counts every request."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, ctype, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        s = self.server
        s.hits += 1
        s.paths.append(self.path)
        s.agents.append(self.headers.get("User-Agent"))
        if self.path == "/secret.txt":   # what an SSRF would be after
            return self.send(200, "text/plain", b"internal secret")
        if self.path != "/favicon.ico":
            return self.send(404, "text/plain", b"no")
        m = s.mode
        if m == "good":
            self.send(200, "image/x-icon", ICON)
        elif m == "svg":
            self.send(200, "image/SVG+xml; charset=utf-8", b"<svg/>")
        elif m == "html":
            self.send(200, "text/html", b"<html>not an icon</html>")
        elif m == "missing":
            self.send(404, "text/html", b"<html>404</html>")
        elif m == "empty":
            self.send(200, "image/x-icon", b"")
        elif m == "slow":
            time.sleep(8)
            self.send(200, "image/x-icon", ICON)
        elif m == "huge":
            self.send(200, "image/x-icon", b"\x00" * (300 * 1024))
        elif m == "chunked":
            # No Content-Length: only the running count can stop it.
            self.send_response(200)
            self.send_header("Content-Type", "image/x-icon")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"\x01" * 16384
            try:
                for _ in range(40):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif m == "redirect":
            self.send(302, "text/plain", b"", [("Location", s.target)])
        elif m == "loop":
            self.send(302, "text/plain", b"",
                      [("Location", "/favicon.ico")])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients that hang up (the size cap) are expected


def site(mode, target=None):
    """A site on a random loopback address (cache keys never repeat)."""
    addr = "127.%d.%d.%d" % (random.randrange(1, 255),
                             random.randrange(1, 255),
                             random.randrange(2, 255))
    s = Server((addr, 0), Site)
    s.mode, s.hits, s.paths, s.agents = mode, 0, [], []
    s.target = target
    s.base = "http://%s:%d" % (addr, s.server_address[1])
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s


def favicon(url, token=None, auth=True, timeout=30):
    """GET /favicon, keeping the bytes as bytes."""
    path = "/api/v1/favicon"
    if url is not None:
        path += "?" + urllib.parse.urlencode({"url": url})
    h = {"User-Agent": "iocagg-tests"}
    if auth:
        h["Authorization"] = "Token " + (token or TOKEN)
    rq = urllib.request.Request(URL + path, headers=h)
    try:
        with urllib.request.urlopen(rq, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def ferr(res, status, code, name):
    st, h, body = res
    try:
        j = json.loads(body)
    except ValueError:
        j = None
    return ok(st == status and isinstance(j, dict) and
              j.get("error", {}).get("code") == code and
              h.get("Content-Type", "").startswith("application/json"),
              name, (st, body[:200]))


good = site("good")
st, h, body = favicon(good.base + "/some/page?q=1#frag", token=viewer)
ok(st == 200 and body == ICON, "200 with the icon's bytes, unchanged", st)
ok(h.get("Content-Type") == "image/x-icon",
   "the upstream image type is kept", h.get("Content-Type"))
ok(h.get("Cache-Control") == "public, max-age=86400, immutable" and
   len(h.get_all("Cache-Control")) == 1,
   "Cache-Control: public, max-age=86400, immutable (only)",
   h.get_all("Cache-Control"))
ok(good.paths == ["/favicon.ico"] and good.hits == 1,
   "the site was asked for /favicon.ico once", good.paths)
ok((good.agents[0] or "").startswith("iocagg/"),
   "with the configured User-Agent", good.agents)
st2, h2, body2 = favicon(good.base + "/other")
ok(st2 == 200 and body2 == ICON and good.hits == 1 and
   h2.get("Content-Type") == "image/x-icon" and
   h2.get("Cache-Control") == "public, max-age=86400, immutable",
   "a second request is served from the cache: no upstream call",
   (st2, good.hits))
st, h, body = favicon(good.base.replace("http://", "HTTP://") + "/x")
ok(st == 200 and good.hits == 1, "the scheme's case does not matter")

svg = site("svg")
st, h, body = favicon(svg.base)
ok(st == 200 and h.get("Content-Type") == "image/svg+xml" and
   "sandbox" in ",".join(h.get_all("Content-Security-Policy") or []),
   "an image type is lowercased, without parameters; icons are sandboxed",
   (st, h.get("Content-Type")))
html = site("html")
st, h, body = favicon(html.base)
ok(st == 200 and h.get("Content-Type") == "application/octet-stream" and
   body == b"<html>not an icon</html>",
   "a non-image type is answered as application/octet-stream",
   h.get("Content-Type"))

red = site("redirect", target=site("good").base + "/favicon.ico")
st, h, body = favicon(red.base)
ok(st == 200 and body == ICON, "a redirect (at most 3) is followed", st)
# Not an open proxy: a redirect elsewhere than /favicon.ico gives nothing.
good2 = site("good")
red2 = site("redirect", target=good2.base + "/favicon.ico?x=1")
st, h, body = favicon(red2.base)
ok(st in (200, 204), "a redirect to /favicon.ico with a query still works", st)
red3 = site("redirect", target=site("html").base + "/secret.txt")
st, h, body = favicon(red3.base)
ok(st == 204 and body == b"", "a redirect to another path returns no body", (st, body[:40]))
res = favicon("http://169.254.169.254")
ok(res[0] in (502, 504), "link-local addresses (cloud metadata) are refused", res[0])
res = favicon("http://10.255.255.1")
ok(res[0] in (502, 504), "private addresses are refused", res[0])
loop = site("loop")
res = favicon(loop.base)
ferr(res, 502, "bad_gateway", "more than 3 redirects: 502")
ok(loop.hits == 4, "the site was asked 4 times (3 redirects)", loop.hits)

missing = site("missing")
st, h, body = favicon(missing.base)
ok(st == 204 and body == b"", "204 when the site answers 404", st)
st, h, body = favicon(missing.base)
ok(st == 204 and missing.hits == 1,
   "and that answer is cached too (for an hour)", missing.hits)
empty = site("empty")
st, h, body = favicon(empty.base)
ok(st == 204, "204 for an empty icon", st)

slow = site("slow")
t0 = time.time()
res = favicon(slow.base)
took = time.time() - t0
ferr(res, 504, "gateway_timeout", "a site that does not answer in 5 s: 504")
ok(4.5 <= took < 8, "after about 5 seconds (%.1f s)" % took)
huge = site("huge")
ferr(favicon(huge.base), 502, "bad_gateway",
     "an icon over 256 KiB (Content-Length): 502")
chunked = site("chunked")
ferr(favicon(chunked.base), 502, "bad_gateway",
     "an icon over 256 KiB (chunked, no length): 502")
st, h, body = favicon(huge.base)
ok(st == 502 and huge.hits == 2, "errors are not cached", huge.hits)

down = site("good")
down_url = down.base
down.shutdown()
down.server_close()
ferr(favicon(down_url), 502, "bad_gateway", "a site that is down: 502")

ferr(favicon(None), 400, "bad_request", "400 without url")
for bad in ("", "invalid", "example.com", "ftp://example.com/",
            "javascript:alert(1)", "http://", "file:///etc/passwd",
            "http://" + "a" * 2100 + ".example/"):
    ferr(favicon(bad), 400, "bad_request", "400 for url %r" % bad[:40])
st, h, body = favicon(good.base, auth=False)
ok(st == 401, "favicon needs credentials", st)

done()
