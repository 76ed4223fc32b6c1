#!/usr/bin/python3
"""Many lookups at once: 200 concurrent lookups against a source that
takes 1 s finish in about 1 s, and other routes stay fast meanwhile.
(Throughput and fan-out ratios live in tools/devstack bench.)"""
import threading
import time
from iocaggtest import (MOCK, need_stack, ok, get, make_source, lookup,
                        by_source, letters, done)

need_stack()
tag = letters(6)
slow = make_source(url=MOCK + "/generic/{data}?delay_ms=1000")
N = 200
results = [None] * N


def worker(i):
    r = lookup("c%d-%s.example.com" % (i, tag), "DOMAIN", ids=[slow], timeout=30)
    results[i] = (r.status, by_source(r).get(slow, {}).get("errors"))


threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
t0 = time.monotonic()
for t in threads:
    t.start()
time.sleep(0.3)
h0 = time.monotonic()
hr = get("/api/v1/health", auth=False)
health_took = time.monotonic() - h0
for t in threads:
    t.join()
took = time.monotonic() - t0
good = sum(1 for r in results if r == (200, []))
ok(good == N, "all %d concurrent lookups succeeded (%d)" % (N, good),
   [r for r in results if r != (200, [])][:5])
ok(took < 3.0, "200 lookups of a 1 s source took %.2fs (sequential: 200 s)" % took)
ok(hr.status == 200 and health_took < 0.5,
   "/health answered in %.3fs during the load" % health_took)

# One lookup over several slow sources runs them at the same time.
srcs = [make_source(url=MOCK + "/generic/{data}?delay_ms=300") for _ in range(10)]
t0 = time.monotonic()
r = lookup("fan-%s.example.com" % tag, "DOMAIN", ids=srcs)
took = time.monotonic() - t0
ok(r.status == 200 and all(x["errors"] == [] for x in r.json()),
   "ten 300 ms sources all answer")
ok(took < 1.0, "in %.2fs, not 3 s: the calls ran at once" % took)

done()
