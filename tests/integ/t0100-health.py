#!/usr/bin/python3
"""GET /api/v1/health through NGINX: public, reports its dependencies."""
from iocaggtest import URL, need_stack, get, request, ok, is_error, done

need_stack()

r = get("/api/v1/health", auth=False)
ok(r.status == 200, "health answers 200 without credentials", r)
j = r.json() or {}
ok(j.get("status") == "ok", "status is ok", r)
ok(j.get("database") == "ok", "database reported ok", r)
ok(j.get("redis") == "ok", "redis reported ok", r)
ok(r.headers.get("Content-Type", "").startswith("application/json"),
   "health is JSON")
ok(len(r.headers.get("X-Request-Id", "")) >= 12, "a request id is returned")
ok(r.headers.get("Cache-Control") == "no-store", "API answers are no-store")
ok(r.headers.get("X-Frame-Options") == "DENY", "security headers are set")
ok("default-src 'self'" in r.headers.get("Content-Security-Policy", ""),
   "a content security policy is set")

r = request("HEAD", "/api/v1/health", auth=False)
ok(r.status == 200 and r.body == "", "HEAD answers without a body", r)

r = request("POST", "/api/v1/health", auth=False, body={})
is_error(r, 405, "method_not_allowed", "POST /health is 405 JSON")
ok("GET" in r.headers.get("Allow", ""), "405 lists the allowed methods")

r = get("/", auth=False)
ok(r.status == 200 and "iocagg" in r.body, "the UI is served statically")

done()
