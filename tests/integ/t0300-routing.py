#!/usr/bin/python3
"""Route dispatch and input limits, answered before any handler runs."""
from iocaggtest import need_stack, get, request, ok, is_error, done

need_stack()

is_error(get("/api/v1/nope"), 404, "not_found", "an unknown group is 404 JSON")
is_error(get("/api/v1/nope", auth=False), 404, "not_found",
         "an unknown group is 404 even without credentials")
is_error(get("/api/v1/health/extra", auth=False), 404, "not_found",
         "an unknown path inside a group is 404 JSON")
is_error(get("/api/v1/users/a/b/c"), 404, "not_found",
         "a deeper unknown path is 404 JSON")
is_error(request("DELETE", "/api/v1/indicatorKinds"), 405,
         "method_not_allowed", "DELETE on a GET route is 405 JSON")
is_error(request("OPTIONS", "/api/v1/users"), 405, "method_not_allowed",
         "OPTIONS is 405 JSON")
r = get("/api/v1/indicatorKinds/")
ok(r.status == 200, "a trailing slash is tolerated", r)
is_error(get("/api/v1/indicatorKinds?%zz=1"), 400, "bad_request",
         "malformed percent-encoding is 400")
is_error(get("/api/v1/indicatorKinds?a=%00"), 400, "bad_request",
         "an encoded NUL is 400")
is_error(get("/api/v1/users?limit=abc"), 400, "bad_request",
         "a non-numeric limit is 400")
is_error(get("/api/v1/indicatorKinds?" + "a=1&" * 70), 400, "bad_request",
         "too many query parameters is 400")
is_error(get("/api/v1/indicatorKinds?q=" + "x" * 9000), 414, "uri_too_long",
         "a query string over query_max is 414 JSON")
is_error(get("/api/v1/indicatorKinds?q=" + "x" * 40000), 414, "uri_too_long",
         "a request line over NGINX's limit is 414 JSON")
r = request("POST", "/api/v1/users", body=b"x" * (2 * 1024 * 1024),
            headers={"Content-Type": "application/json"})
is_error(r, 413, "payload_too_large", "an oversized body is 413 JSON")
r = request("GET", "/api/v1/users", body=b"x" * (2 * 1024 * 1024),
            headers={"Content-Type": "application/json"})
is_error(r, 413, "payload_too_large", "413 comes before authentication")

done()
