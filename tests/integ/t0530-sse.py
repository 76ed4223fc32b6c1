#!/usr/bin/python3
"""The event stream through NGINX: events in order, each the moment its
source is done, keep-alives, and a client that leaves cancels the work."""
import json
import socket
import time
import urllib.parse
from iocaggtest import (URL, TOKEN, MOCK, need_stack, ok, is_error, get,
                        make_source, letters, cgi, mock_stats, psql, done)

need_stack()
tag = letters(6)
host, port = URL.split("//")[1].split(":")


def stream(query, read_until=None, timeout=20):
    """Open the SSE stream on a raw socket; return [(t, event, id, data)]
    and the socket (still open if read_until stopped early)."""
    s = socket.create_connection((host, int(port)), timeout=timeout)
    s.sendall(("GET /api/v1/requests/execute/sse?%s HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Token %s\r\nAccept: text/event-stream\r\n"
               "Connection: close\r\n\r\n" % (query, TOKEN)).encode())
    t0 = time.monotonic()
    buf = b""
    events, head = [], None
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        if head is None and b"\r\n\r\n" in buf:
            head, buf = buf.split(b"\r\n\r\n", 1)
        while head is not None and b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            ev = {"t": time.monotonic() - t0}
            for line in block.decode().split("\n"):
                if line.startswith(":"):
                    ev["comment"] = line
                elif ": " in line:
                    k, v = line.split(": ", 1)
                    # strip chunked-encoding sizes NGINX may interleave
                    ev[k.split("\r\n")[-1]] = v
            events.append(ev)
            if read_until and read_until(ev):
                return head, events, s
    s.close()
    return head, events, None


fast = make_source()
slow = make_source(url=MOCK + "/generic/{data}?delay_ms=800")
bad = make_source(kinds=("IPV4",))
q = "data=sse-%s.example.com&kind=DOMAIN&sourceIds=%s,%s,%s" % (tag, fast, slow, bad)
head, evs, _ = stream(q)
ok(head is not None and b"200" in head.split(b"\r\n")[0] and
   b"text/event-stream" in head, "200 text/event-stream", head)
names = [e.get("event") for e in evs if "event" in e]
ok(names[0] == "fetching_start" and names[-1] == "done" and len(names) == 5,
   "fetching_start, one event per source, done", names)
start = json.loads(evs[0]["data"])
ok(sorted(x["source"]["id"] for x in start) == sorted([fast, slow, bad])
   and all("hasSourceCode" in x for x in start), "fetching_start lists the candidates")
rid = evs[0].get("id")
ok(psql("SELECT count(*) FROM requests WHERE id = '%s'" % rid) == "1",
   "the fetching_start id is the request id")
by = {e.get("id"): e for e in evs if e.get("event") in ("fetching_data", "fetching_error")}
ok(by[bad]["event"] == "fetching_error" and json.loads(by[bad]["data"]) == [{"kind": "UNSUPPORTED_INDICATOR"}],
   "a failed source is fetching_error with its errors")
ok(by[fast]["event"] == "fetching_data" and json.loads(by[fast]["data"])["data"]["indicator"] ==
   "sse-%s.example.com" % tag, "a source with data is fetching_data")
ok(by[fast]["t"] < 0.6 and by[slow]["t"] >= 0.75,
   "each event arrives as its source finishes (fast %.2fs, slow %.2fs)" % (by[fast]["t"], by[slow]["t"]))
done_ev = json.loads(evs[-1]["data"])
summ = done_ev.pop("summary", None)
ok(done_ev == {"requestId": rid, "sources": 3, "errors": 1},
   "done sums up", done_ev)
ok(isinstance(summ, dict) and summ.get("verdict") in
   ("malicious", "suspicious", "benign", "unknown", None),
   "done carries the lookup's summary", summ)
time.sleep(0.3)
ok(psql("SELECT count(*) FROM source_requests WHERE request_id = '%s'" % rid) == "3",
   "the stream's history is stored")

# ignoreErrors: no fetching_error events.
_, evs, _ = stream(q + "&ignoreErrors=true")
ok("fetching_error" not in [e.get("event") for e in evs], "ignoreErrors drops error events")

# The SSE route validates like the JSON one (a reference quirk).
is_error(get("/api/v1/requests/execute/sse?data=1.2.3&kind=IPV4"), 422,
         "invalid_indicator", "an invalid indicator is 422 before streaming")
is_error(get("/api/v1/requests/execute/sse?data=x&kind=BAD"), 400,
         "invalid_kind", "an unknown kind is 400 before streaming")

# Keep-alive comments while a source is slow.
slow2 = make_source(url=MOCK + "/generic/{data}?delay_ms=2500")
st, out = cgi("/api/v1/requests/execute/sse", "data=ka-%s.example.com&kind=DOMAIN&sourceIds=%s" % (tag, slow2),
              {"IOCAGG_SSE_KEEPALIVE": "1"})
ok(st == 200 and out.count(": keep-alive") >= 1 and "event: done" in out,
   "keep-alive comments are sent while waiting", out[-300:])

# A client that goes away cancels the calls it no longer needs.
hung = make_source(url=MOCK + "/generic/{data}?w=hang", timeout=600)
before = mock_stats().get("inflight", 0)
head, evs, sock = stream("data=gone-%s.example.com&kind=DOMAIN&sourceIds=%s" % (tag, hung),
                         read_until=lambda e: e.get("event") == "fetching_start")
rid = evs[0].get("id")
time.sleep(0.5)
during = mock_stats().get("inflight", 0)
sock.close()
deadline = time.monotonic() + 5
after = during
while time.monotonic() < deadline:
    after = mock_stats().get("inflight", 0)
    if after <= before:
        break
    time.sleep(0.1)
ok(during > before and after <= before,
   "closing the stream stops the upstream call (%d -> %d -> %d)" % (before, during, after))
deadline = time.monotonic() + 5
row = ""
while time.monotonic() < deadline and not row:
    row = psql("SELECT errors::text FROM source_requests WHERE request_id = '%s'" % rid)
    time.sleep(0.1)
ok("TIMEOUT" in row and "client" in row, "the cancelled source is recorded", row)

done()
