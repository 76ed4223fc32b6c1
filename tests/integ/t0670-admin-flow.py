#!/usr/bin/python3
"""The administrator's path, through the REST API only: a provider, a
source linked to it with a secret slot, a secret filling it, an ignore
list — and a lookup that sees all of them."""
import json
import threading
import http.server
from iocaggtest import (need_stack, request, get, ok, letters, lookup,
                        by_source, error_kinds, done)

need_stack()
tag = letters(6)

# A tiny upstream that shows which key it was sent.
seen = []


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        seen.append(self.headers.get("Authorization"))
        body = json.dumps({"path": self.path, "auth": bool(self.headers.get("Authorization"))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
up = "http://127.0.0.1:%d" % srv.server_address[1]

r = request("POST", "/api/v1/providers", body={
    "name": "Flow provider " + tag, "description": "admin flow",
    "url": "https://provider.example", "tags": ["flow"], "enabled": True})
ok(r.status == 201, "the admin creates a provider", r)
pid = (r.json() or {}).get("id")

r = request("POST", "/api/v1/sources", body={
    "name": "Flow source " + tag, "description": "admin flow",
    "url": up + "/q/{data}", "tags": [], "enabled": True,
    "supportedIndicators": ["DOMAIN"], "disabledIndicators": [],
    "taskEnabled": False, "config": [], "configValues": [],
    "limitEnabled": False, "cacheEnabled": False, "kind": "SYSTEM",
    "builtin": "http_json", "providerId": pid})
ok(r.status == 201, "a source linked to it", r)
sid = (r.json() or {}).get("id")

r = request("PUT", "/api/v1/sources/%s/secrets" % sid,
            body=[{"name": "API_KEY", "description": "key", "required": True}])
ok(r.status in (201, 204), "with a required secret slot", r)
res = by_source(lookup("before-%s.example.com" % tag, "DOMAIN", ids=[sid])).get(sid, {})
ok(error_kinds(res) == ["MISSING_SECRET"] and res["errors"][0]["content"] == ["API_KEY"],
   "an empty required slot stops the lookup with MISSING_SECRET", res)
r = get("/api/v1/notifications")
ok(any(n.get("content", {}).get("id") == sid for n in (r.json() or [])),
   "and is listed in the notifications", r)

r = request("POST", "/api/v1/secrets", body={"name": "FLOW_KEY_" + tag.upper(),
                                              "value": "s3cr3t-" + tag})
ok(r.status == 201, "a secret", r)
secid = (r.json() or {}).get("id")
r = request("PUT", "/api/v1/sources/%s/secrets" % sid,
            body=[{"name": "API_KEY", "description": "key", "required": True,
                   "secretId": secid}])
ok(r.status in (201, 204), "fills the slot", r)

d = "seen-%s.example.com" % tag
res = by_source(lookup(d, "DOMAIN", ids=[sid])).get(sid, {})
ok(res.get("errors") == [] and res["data"]["path"] == "/q/" + d,
   "the lookup calls the source", res)
ok(seen and seen[-1] == "Bearer s3cr3t-" + tag, "with the secret as its key", seen[-1:])

r = request("POST", "/api/v1/ignoreLists", body={
    "name": "Flow list " + tag, "description": "", "enabled": True, "global": False})
ok(r.status == 201, "an ignore list", r)
lid = (r.json() or {}).get("id")
r = request("PUT", "/api/v1/ignoreLists/%s/entries" % lid,
            body=[{"data": "*.quiet-%s.example.com" % tag, "indicatorKind": "DOMAIN"}])
ok(r.status in (201, 204), "with a wildcard entry", r)
r = request("PUT", "/api/v1/providers/%s/ignoreLists" % pid, body=[lid])
ok(r.status in (201, 204), "linked to the provider", r)
res = by_source(lookup("a.quiet-%s.example.com" % tag, "DOMAIN", ids=[sid])).get(sid, {})
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"] and res["errors"][0]["content"] == ["Flow list " + tag],
   "the lookup honours the provider's list", res)

r = request("PATCH", "/api/v1/providers/%s" % pid, body={"enabled": False})
res = by_source(lookup("x-%s.example.com" % tag, "DOMAIN", ids=[sid])).get(sid, {})
ok(error_kinds(res) == ["PROVIDER_DISABLED"], "disabling the provider stops its source", res)

for path in ("/api/v1/sources/" + sid, "/api/v1/providers/" + pid,
             "/api/v1/ignoreLists/" + lid, "/api/v1/secrets/" + secid):
    r = request("DELETE", path)
    ok(r.status == 204, "DELETE %s" % path.split("/")[3], r)
srv.shutdown()
done()
