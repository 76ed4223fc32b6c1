#!/usr/bin/python3
"""PostgreSQL going away and coming back, without restarting our
programs: /health answers 503 quickly, then 200 again."""
import os
import subprocess
import time
from iocaggtest import need_stack, get, ok, is_error, done

need_stack()
DEVSTACK = os.environ["IOCAGG_TEST_DEVSTACK"]
STATE = os.environ["IOCAGG_TEST_STATE"]


def pids():
    out = {}
    for f in sorted(os.listdir(STATE)):
        if f.startswith("iocagg-") and f.endswith(".pid"):
            with open(os.path.join(STATE, f)) as fh:
                out[f] = fh.read().strip()
    return out


before = pids()
ok(get("/api/v1/health", auth=False).status == 200, "healthy at the start")
subprocess.run([DEVSTACK, "pg-stop"], check=True)
try:
    t0 = time.monotonic()
    r = get("/api/v1/health", auth=False)
    took = time.monotonic() - t0
    ok(r.status == 503 and (r.json() or {}).get("database") == "unavailable",
       "health is 503 JSON while PostgreSQL is down", r)
    ok(took < 5, "the 503 comes quickly (%.2fs)" % took)
    ok(r.headers.get("Retry-After") == "5", "503 carries Retry-After")
    r = get("/api/v1/indicatorKinds")
    is_error(r, 503, "unavailable", "authenticated routes answer 503, not 500")
finally:
    subprocess.run([DEVSTACK, "pg-start"], check=True)

deadline = time.monotonic() + 10
status = None
while time.monotonic() < deadline:
    status = get("/api/v1/health", auth=False).status
    if status == 200:
        break
    time.sleep(0.2)
ok(status == 200, "health is 200 again once PostgreSQL is back")
r = get("/api/v1/indicatorKinds")
ok(r.status == 200, "authenticated routes work again", r)
ok(pids() == before, "no program of ours was restarted")

done()
