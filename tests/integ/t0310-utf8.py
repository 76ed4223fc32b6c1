#!/usr/bin/python3
"""tests/integ/t0310-utf8.py -- text that is not strict UTF-8 (overlong
forms, UTF-16 surrogates, code points past U+10FFFF) is refused where
JSON comes in (lib/json.c, json_parse_capped()), before PostgreSQL sees
it: a request body is a 400 malformed_json with nothing written, an
upstream answer a RESPONSE_ERROR whose history row is stored all the
same.  Valid 2-, 3- and 4-byte characters still go through."""

import http.server
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iocaggtest import (by_source, done, error_kinds, get,  # noqa: E402
                        is_error, letters, lookup, make_source, need_stack,
                        ok, psql, request)

need_stack()
tag = letters(6)
P = "/api/v1/providers"
JSON = {"Content-Type": "application/json"}

# Byte sequences of UTF-8's shape that are no UTF-8.
BAD = {
    "an overlong '/'": b"\xc0\xaf",
    "a 3-byte overlong form": b"\xe0\x80\xaf",
    "a UTF-16 surrogate": b"\xed\xa0\x80",
    "a code point past U+10FFFF": b"\xf4\x90\x80\x80",
}


def count(name_prefix):
    return psql("SELECT count(*) FROM providers WHERE name LIKE '%s%%'"
                % name_prefix)


# --- Request bodies --------------------------------------------------------
prefix = "Utf8 %s" % tag
for what, seq in BAD.items():
    body = (b'{"url":"https://utf8.example","name":"' + prefix.encode() +
            b" " + seq + b'"}')
    r = request("POST", P, body=body, headers=JSON)
    is_error(r, 400, "malformed_json",
             "POST %s with %s in a string: 400 malformed_json" % (P, what))
ok(count(prefix) == "0", "no provider row was written", count(prefix))

# The same byte outside a string is refused as well.
r = request("POST", P, body=b'{"url":"https://utf8.example","name":"' +
            prefix.encode() + b'"}\xc0\xaf', headers=JSON)
is_error(r, 400, "malformed_json", "an overlong form after the document: 400")

# Valid characters of every length pass and come back unchanged.
name = prefix + " \u00e9\u20ac\U0001F600"
r = request("POST", P, body=('{"url":"https://utf8.example","name":"%s"}'
                            % name).encode("utf-8"), headers=JSON)
ok(r.status == 201, "valid 2-, 3- and 4-byte UTF-8 is accepted: 201", r)
pid = r.json().get("id") if r.status == 201 else None
g = get("%s/%s" % (P, pid)) if pid else None
ok(g is not None and g.status == 200 and g.json().get("name") == name,
   "and reads back unchanged", g)
if pid:
    request("DELETE", "%s/%s" % (P, pid))


# --- Upstream answers ------------------------------------------------------
# A stand-in upstream on a free local port: its JSON answer holds an
# overlong form and a surrogate in a tag, or valid text.
class Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        seq = b"\xc0\xaf\xed\xa0\x80" if "/bad/" in self.path \
            else "\u00e9\U0001F600".encode("utf-8")
        body = (b'{"verdict":{"verdict":"malicious","score":90,'
                b'"tags":["x' + seq + b'"]}}')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % srv.server_address[1]
made = []
try:
    bad = make_source(url=base + "/bad/{data}")
    good = make_source(url=base + "/good/{data}")
    made += [bad, good]
    r = lookup("utf8-%s.example.com" % tag, "DOMAIN", ids=[bad, good],
               force=True)
    res = by_source(r)
    ok(r.status == 200 and bad in res and good in res,
       "a lookup through both sources answers 200", r)
    rb, rg = res.get(bad, {}), res.get(good, {})
    ok(error_kinds(rb) == ["RESPONSE_ERROR"] and rb.get("data") is None
       and not rb.get("verdict"),
       "an answer with an overlong form and a surrogate: RESPONSE_ERROR",
       rb)
    ok(not error_kinds(rg) and (rg.get("verdict") or {}).get("tags") ==
       ["x\u00e9\U0001F600"],
       "a valid answer is read, its tag kept whole", rg)
    rid = r.headers.get("X-Request-Id-Lookup")
    n = "0"
    for _ in range(50):
        n = psql("SELECT count(*) FROM source_requests WHERE request_id = "
                 "'%s'" % rid)
        if n == "2":
            break
        time.sleep(0.1)
    ok(n == "2", "both history rows are stored", n)
    ok(psql("SELECT errors->0->>'kind' FROM source_requests WHERE "
            "request_id = '%s' AND source_id = '%s'" % (rid, bad)) ==
       "RESPONSE_ERROR", "the refused answer's row holds its error")
finally:
    srv.shutdown()
    for sid in made:
        psql("DELETE FROM sources WHERE id = '%s'" % sid)
done()
