#!/usr/bin/python3
"""Cache, rate limits and single flight, through Redis (the stack's
configuration) and through PostgreSQL (the same binary run without
Redis), and the lookup deadline."""
import json
import threading
import time
from iocaggtest import (MOCK, need_stack, ok, psql, make_source, lookup,
                        by_source, error_kinds, mock_count, letters, cgi, done)

need_stack()
tag = letters(6)


def one(data, sid, **kw):
    r = lookup(data, "DOMAIN", ids=[sid], **kw)
    return by_source(r).get(sid, {})


# Cache (Redis).
s_c = make_source(cache_enabled=True, cache_interval=3600)
d = "cache-%s.example.com" % tag
first = one(d, s_c)
ok(first.get("cache", {}).get("action") == "SAVED_TO_CACHE", "a miss is SAVED_TO_CACHE", first)
ok(first["cache"]["cacheKey"] == "%s:DOMAIN:%s" % (s_c, d), "the key is source:KIND:data")
calls = mock_count(d)
second = one(d, s_c)
ok(second.get("cache", {}).get("action") == "FROM_CACHE"
   and second["cache"]["cachedAt"] == first["cache"]["cachedAt"]
   and second["data"] == first["data"], "a hit is FROM_CACHE with the same data", second)
ok(mock_count(d) == calls, "a hit makes no upstream call")
forced = one(d, s_c, force=True)
ok(forced.get("cache", {}).get("action") == "SAVED_TO_CACHE" and mock_count(d) == calls + 1,
   "force=true bypasses and refreshes the cache", forced)
s_c5 = make_source(cache_enabled=True, cache_interval=3600,
                   url=MOCK + "/generic/{data}?w=status500")
err = one("e-%s.example.com" % tag, s_c5)
again = one("e-%s.example.com" % tag, s_c5)
ok(error_kinds(again) == ["RESPONSE_ERROR"] and "cache" not in again,
   "errors are never cached")
rows = psql("SELECT count(*) FROM source_requests WHERE source_id = '%s' AND cache_action = 'FROM_CACHE'" % s_c)
ok(rows == "1", "FROM_CACHE is stored in the history for the stats")

# Rate limit (Redis): 2 per 60 s.
s_rl = make_source(limit_enabled=True, limit_count=2, limit_interval=60)
got = [error_kinds(one("rl-%d-%s.example.com" % (i, tag), s_rl)) for i in range(3)]
ok(got[0] == [] and got[1] == [] and got[2] == ["RATE_LIMITED"],
   "the third call in the window is RATE_LIMITED", got)
res = one("rl-x-%s.example.com" % tag, s_rl)
ok(0 < res["errors"][0]["content"]["retryAfter"] <= 60, "with the seconds until the window ends", res)

# Single flight: two identical slow lookups, one upstream call.
s_sf = make_source()
d = "slow700-sf-%s.example.com" % tag
out = []
threads = [threading.Thread(target=lambda: out.append(one(d, s_sf))) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ok(len(out) == 3 and all(o.get("errors") == [] and o["data"]["indicator"] == d for o in out),
   "three identical lookups in flight all get the data", out)
ok(mock_count(d) == 1, "and the upstream was called once (%d)" % mock_count(d))

# The same through PostgreSQL: no Redis.
nored = {"IOCAGG_REDIS_URL": ""}
s_pc = make_source(cache_enabled=True, cache_interval=3600)
q = "data=pg-%s.example.com&kind=DOMAIN&sourceIds=%s" % (tag, s_pc)
st, out1 = cgi("/api/v1/requests/execute", q, nored)
st2, out2 = cgi("/api/v1/requests/execute", q, nored)
b1 = json.loads(out1.split("\n\n", 1)[1])
b2 = json.loads(out2.split("\n\n", 1)[1])
ok(st == 200 and b1[0]["cache"]["action"] == "SAVED_TO_CACHE"
   and b2[0]["cache"]["action"] == "FROM_CACHE", "without Redis the cache lives in PostgreSQL",
   (out1[:300], out2[:300]))
ok(psql("SELECT count(*) FROM cache_entries WHERE key = '%s:DOMAIN:pg-%s.example.com'" % (s_pc, tag)) == "1",
   "the entry is a cache_entries row")
s_prl = make_source(limit_enabled=True, limit_count=1, limit_interval=60)
q = "data=pgrl-%s.example.com&kind=DOMAIN&sourceIds=%s" % (tag, s_prl)
_, a = cgi("/api/v1/requests/execute", q, nored)
_, b = cgi("/api/v1/requests/execute", q + "&force=true", nored)
ok('"RATE_LIMITED"' not in a and '"RATE_LIMITED"' in b,
   "without Redis the rate limit is counted in PostgreSQL", b[:400])

# The lookup deadline: finished results return, the rest is TIMEOUT.
s_fast = make_source()
s_hang = make_source(timeout=600, url=MOCK + "/generic/{data}?w=hang")
q = "data=dl-%s.example.com&kind=DOMAIN&sourceIds=%s,%s" % (tag, s_fast, s_hang)
t0 = time.monotonic()
st, out = cgi("/api/v1/requests/execute", q, {"IOCAGG_LOOKUP_DEADLINE": "2"})
took = time.monotonic() - t0
body = {x["source"]["id"]: x for x in json.loads(out.split("\n\n", 1)[1])}
ok(st == 200 and body[s_fast]["errors"] == [] and error_kinds(body[s_hang]) == ["TIMEOUT"],
   "at the deadline finished sources keep their data, the rest is TIMEOUT", out[:500])
ok(1.5 < took < 6, "the deadline is kept (%.1fs for 2s)" % took)

done()
