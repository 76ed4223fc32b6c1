#!/usr/bin/python3
"""tests/integ/t0710-runner-lookups.py -- PYTHON and JAVA_SCRIPT sources
through the whole stack: made with the REST API, handed to the runners
that tools/devstack starts, looked up next to a built-in source.

Covers the data of both kinds (with a secret and a config value), calls
running at the same time, TIMEOUT, an exception, RUNNER_DISABLED, a
stopped runner (the others still answer), a restarted one (iocaggctl
runners sync, and the NOT_FOUND -> Update retry of the lookup engine),
an update and a delete reaching the runner, and the event stream
/api/v1/runners/status/sse.  It stops and restarts the stack's Python
runner: tests/local.mk runs it apart from the tests that need it."""

import atexit
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iocaggtest import (URL, TOKEN, MOCK, by_source, ctl, done,  # noqa: E402
                        error_kinds, get, letters, lookup, make_source,
                        need_stack, ok, psql, request)

need_stack()
STATE = os.environ["IOCAGG_TEST_STATE"]
DEVSTACK = os.environ.get("IOCAGG_TEST_DEVSTACK") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
    "devstack")
PYPID = os.path.join(STATE, "iocagg-python-runner.pid")
S = "/api/v1/sources"
tag = letters(6)
created = []

PY_CODE = '''import iocagg
import time


def fetch_data(data, kind):
    if data.startswith("sleep-"):
        time.sleep(%(sleep)s)
    if data.startswith("boom-"):
        raise ValueError("boom on " + data)
    return {"lang": "python", "data": data, "kind": kind,
            "secret": iocagg.secret("T0710_SLOT"),
            "greeting": iocagg.config("greeting"), "v": %(v)d}
'''
JS_CODE = '''function fetch_data(data, kind) {
	return { lang: "javascript", data: data, kind: kind,
	    greeting: config("greeting") };
}
'''


def body(kind, code, timeout=3):
    return {
        "name": "T0710 %s %s" % (kind.lower(), letters()),
        "description": "made by t0710",
        "url": "https://example.org/t0710",
        "tags": ["t0710"],
        "enabled": True,
        "supportedIndicators": ["DOMAIN", "IPV4"],
        "disabledIndicators": [],
        "taskEnabled": False,
        "config": [{"name": "greeting", "type": "STRING"}],
        "configValues": [{"name": "greeting", "value": "hello " + kind}],
        "limitEnabled": False,
        "cacheEnabled": False,
        "kind": kind,
        "sourceCode": code,
        "timeout": timeout,
    }


def create(b):
    r = request("POST", S, body=b)
    j = r.json() or {}
    if r.status == 201 and "id" in j:
        created.append(j["id"])
    return r, j.get("id", "")


def one(data, ids, **kw):
    t = time.monotonic()
    r = lookup(data, "DOMAIN", ids=ids, **kw)
    return r, by_source(r), time.monotonic() - t


def py_running():
    try:
        with open(PYPID) as f:
            os.kill(int(f.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def py_stop():
    """SIGTERM the stack's Python runner and wait for it to go."""
    with open(PYPID) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.05)
    return False


def py_start():
    return subprocess.run([DEVSTACK, "runners-start"], capture_output=True,
                          text=True, timeout=60)


def config_put(entries):
    return request("PUT", "/api/v1/config", body=entries)


def cleanup():
    # Whatever happened: the runner runs and knows the code, JavaScript
    # is on, our sources are gone.
    if not py_running():
        py_start()
    config_put([{"key": "javascript_runner_enabled", "value": True}])
    for sid in created:
        request("DELETE", "%s/%s" % (S, sid))
    ctl("runners", "sync")


atexit.register(cleanup)


class Events:
    """The runners' event stream, read on a thread: (id, data) pairs."""

    def __init__(self):
        u = urllib.parse.urlsplit(URL)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.conn.request("GET", "/api/v1/runners/status/sse", headers={
            "Authorization": "Token " + TOKEN, "Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        self.events = []
        self.comments = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        ev = {}
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith(":"):
                    self.comments += 1
                elif line == "":
                    if ev:
                        with self.lock:
                            self.events.append((ev.get("id"),
                                                ev.get("data")))
                    ev = {}
                elif ":" in line:
                    k, v = line.split(":", 1)
                    ev[k] = v[1:] if v.startswith(" ") else v
        except Exception:       # closed under us at the end
            pass

    def status(self):
        """The last status of each runner."""
        with self.lock:
            return {i: d for i, d in self.events}

    def wait(self, want, secs=10):
        """Until the last statuses include "want" (a dict)."""
        t = time.monotonic()
        while time.monotonic() - t < secs:
            st = self.status()
            if all(st.get(k) in (v if isinstance(v, tuple) else (v,))
                   for k, v in want.items()):
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.conn.close()


# --- Sources made with the API --------------------------------------------

value = "t0710-secret-" + letters(16)
r = request("POST", "/api/v1/secrets", body={"name": "T0710_" + tag.upper(),
                                             "value": value})
secid = (r.json() or {}).get("id", "")
ok(r.status == 201, "a secret for the Python source", r)

r, py = create(body("PYTHON", PY_CODE % {"sleep": 10, "v": 1}, timeout=2))
ok(r.status == 201 and r.headers.get("X-Runner-Sync") == "ok" and
   (r.json() or {}).get("runnerSync") == "ok",
   "POST a PYTHON source: 201, the runner has it (X-Runner-Sync: ok)", r)
r = request("PUT", "%s/%s/secrets" % (S, py),
            body=[{"name": "T0710_SLOT", "required": True,
                   "secretId": secid}])
ok(r.status == 204, "its slot T0710_SLOT is linked to the secret", r)
r, js = create(body("JAVA_SCRIPT", JS_CODE))
ok(r.status == 201 and r.headers.get("X-Runner-Sync") == "ok",
   "POST a JAVA_SCRIPT source: 201, X-Runner-Sync: ok", r)
builtin = make_source()

# --- Acceptance: both kinds next to a built-in ------------------------------

d = "ok-%s.example.com" % tag
r, res, took = one(d, [py, js, builtin])
p, j, b = res.get(py, {}), res.get(js, {}), res.get(builtin, {})
ok(r.status == 200 and len(res) == 3, "one lookup, three results", r)
ok(p.get("errors") == [] and p.get("data") == {
    "lang": "python", "data": d, "kind": "DOMAIN", "secret": value,
    "greeting": "hello PYTHON", "v": 1},
   "the Python source's dict is its data, with its secret and config", p)
ok(j.get("errors") == [] and j.get("data") == {
    "lang": "javascript", "data": d, "kind": "DOMAIN",
    "greeting": "hello JAVA_SCRIPT"},
   "the JavaScript source's object is its data", j)
ok(b.get("errors") == [] and (b.get("data") or {}).get("indicator") == d,
   "the built-in source answers alongside", b)
hist = psql("SELECT count(*) FROM source_requests sr JOIN requests rq ON "
            "rq.id = sr.request_id WHERE rq.data = '%s' AND sr.source_id IN "
            "('%s', '%s') AND sr.errors = '[]'::jsonb" % (d, py, js))
ok(hist == "2", "both results are in the history", hist)

# The calls run at the same time: two 1 s Python sources and a 1 s
# built-in take about 1 s.
slow_code = ("import time\ndef fetch_data(d, k):\n    time.sleep(1)\n"
             "    return d\n")
r1, slow1 = create(body("PYTHON", slow_code))
r2, slow2 = create(body("PYTHON", slow_code))
slow_b = make_source(url=MOCK + "/generic/{data}?delay_ms=1000")
one("warm-%s.example.com" % tag, [slow1, slow2])     # workers started
r, res, took = one("par-%s.example.com" % tag, [slow1, slow2, slow_b])
ok(r.status == 200 and all(res.get(s, {}).get("errors") == []
                           for s in (slow1, slow2, slow_b)) and
   res[slow1]["data"] == "par-%s.example.com" % tag,
   "two slow Python sources and a slow built-in all answer", r)
ok(took < 1.8, "in %.2f s, not 3 s: the runner calls run concurrently "
   "with each other and with the HTTP transfer" % took)

# --- Errors of a call -------------------------------------------------------

r, res, took = one("sleep-%s.example.com" % tag, [py, js, builtin])
ok(error_kinds(res.get(py, {})) == ["TIMEOUT"],
   "a Python source that sleeps past its 2 s timeout is TIMEOUT",
   res.get(py))
ok(res.get(js, {}).get("errors") == [] and
   res.get(builtin, {}).get("errors") == [],
   "the other sources answer meanwhile", res)
ok(1.5 <= took < 5, "the lookup ends with the source's timeout (%.2f s)"
   % took)

r, res, took = one("boom-%s.example.com" % tag, [py, js])
e = (res.get(py, {}).get("errors") or [{}])[0]
ok(e.get("kind") == "INTERNAL_SERVER_ERROR" and
   "ValueError" in str(e.get("content")) and
   "boom on boom-%s" % tag in str(e.get("content")),
   "an exception is INTERNAL_SERVER_ERROR with its message", e)
ok(res.get(js, {}).get("errors") == [], "the JavaScript source still "
   "answers", res.get(js))

# --- RUNNER_DISABLED --------------------------------------------------------

r = config_put([{"key": "javascript_runner_enabled", "value": False}])
r2, res, took = one(d, [py, js])
ok(r.status == 204 and res.get(js, {}).get("errors") == [
    {"kind": "RUNNER_DISABLED", "content": "JAVA_SCRIPT"}],
   "javascript_runner_enabled=false: RUNNER_DISABLED", res.get(js))
ok(res.get(py, {}).get("errors") == [], "the Python source still answers")
r = config_put([{"key": "javascript_runner_enabled", "value": True}])
r2, res, took = one(d, [js])
ok(r.status == 204 and res.get(js, {}).get("errors") == [],
   "switched on again, the JavaScript source answers", res.get(js))

# --- The status stream, a stopped runner, a restarted one -------------------

ev = Events()
ok(ev.resp.status == 200 and (ev.resp.getheader("Content-Type") or "")
   .startswith("text/event-stream"), "GET /runners/status/sse is an "
   "event stream", ev.resp.status)
ok(ev.wait({"PYTHON": "SERVING", "JAVA_SCRIPT": "SERVING"}),
   "it says SERVING for both runners", ev.events)

ok(py_stop(), "the Python runner is stopped (SIGTERM to its pid)")
ok(ev.wait({"PYTHON": ("NOT_SERVING", "UNREACHABLE")}, 5),
   "the stream says the Python runner is gone", ev.events)
r, res, took = one("down-%s.example.com" % tag, [py, js, builtin])
e = (res.get(py, {}).get("errors") or [{}])[0]
ok(e == {"kind": "INTERNAL_SERVER_ERROR",
         "content": "the PYTHON runner is unreachable"},
   "with its runner down the Python source errors", res.get(py))
ok(res.get(js, {}).get("errors") == [] and
   res.get(builtin, {}).get("errors") == [],
   "and the other sources answer", res)
ok(took < 1.5, "quickly (%.2f s)" % took)
ok(ev.status().get("JAVA_SCRIPT") == "SERVING",
   "the JavaScript runner stays SERVING", ev.events)

p = py_start()
ok(p.returncode == 0 and py_running(), "the Python runner is started "
   "again", p.stderr)
ok(ev.wait({"PYTHON": "SERVING"}, 10), "the stream says SERVING again",
   ev.events)
p = ctl("runners", "sync")
ok(p.returncode == 0 and "python runner" in p.stdout and
   "javascript runner" in p.stdout, "iocaggctl runners sync hands both "
   "runners their code", p)
t0 = time.monotonic()
while True:
    r, res, took = one("back-%s.example.com" % tag, [py])
    if res.get(py, {}).get("errors") == [] or time.monotonic() - t0 > 5:
        break
    time.sleep(0.2)
ok(res.get(py, {}).get("errors") == [] and
   res[py]["data"]["data"] == "back-%s.example.com" % tag,
   "the Python source answers again", res.get(py))

# A restart without sync: the lookup gives the runner the code
# (NOT_FOUND -> Update -> FetchData).
ok(py_stop() and py_start().returncode == 0, "the Python runner is "
   "restarted, without sync")
ok(ev.wait({"PYTHON": "SERVING"}, 10), "SERVING", ev.events)
t0 = time.monotonic()
while True:
    r, res, took = one("again-%s.example.com" % tag, [py])
    if res.get(py, {}).get("errors") == [] or time.monotonic() - t0 > 5:
        break
    time.sleep(0.2)
ok(res.get(py, {}).get("errors") == [] and
   res[py]["data"]["secret"] == value,
   "the runner lacked the code: the lookup sent it and got the data",
   res.get(py))
# A source the runner was never told about (written with SQL).
sql_py = make_source(kind="python", builtin=None,
                     source_code="def fetch_data(d, k):\n"
                                 "    return ['sql', d]\n")
created.append(sql_py)
r, res, took = one(d, [sql_py])
ok(res.get(sql_py, {}).get("errors") == [] and
   res[sql_py].get("data") == ["sql", d],
   "a source written behind the runner's back answers (its code is "
   "sent on NOT_FOUND)", res.get(sql_py))
ev.close()

# --- Update and delete reach the runner -------------------------------------

r = request("PATCH", "%s/%s" % (S, py),
            body={"sourceCode": PY_CODE % {"sleep": 10, "v": 2}})
ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "ok",
   "PATCH the code: 204, X-Runner-Sync: ok", r)
r, res, took = one(d, [py])
ok((res.get(py, {}).get("data") or {}).get("v") == 2,
   "the lookup answers with the new code", res.get(py))
r = request("PATCH", "%s/%s" % (S, js),
            body={"sourceCode": "function fetch_data( {"})
ok(r.status == 422 and "'sourceCode'" in r.body and
   "JAVA_SCRIPT" in r.body, "code the runner refuses is 422", r)
r, res, took = one(d, [js])
ok((res.get(js, {}).get("data") or {}).get("lang") == "javascript",
   "and the runner keeps the old code", res.get(js))

# Delete: the runner forgets the source (asked directly over gRPC).
try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    grpc = None
r = request("DELETE", "%s/%s" % (S, js))
ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "ok",
   "DELETE the JavaScript source: 204, X-Runner-Sync: ok", r)
if grpc is None:
    ok(True, "the runner forgets the deleted source # SKIP "
       "python3-grpcio is not installed")
else:
    tmp = tempfile.mkdtemp(prefix="t0710-")
    src = os.environ.get("top_srcdir") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    protoc.main(["protoc", "-I" + os.path.join(src, "proto"),
                 "--python_out=" + tmp, "--grpc_python_out=" + tmp,
                 "runner.proto"])
    sys.path.insert(0, tmp)
    import runner_pb2 as R          # noqa: E402
    import runner_pb2_grpc as RG    # noqa: E402
    addr = psql("SELECT value FROM server_config WHERE "
                "key = 'javascript_runner_grpc_address'")
    stub = RG.RunnerStub(grpc.insecure_channel(addr))

    def fetch(sid):
        try:
            stub.FetchData(R.FetchDataRequest(
                indicator=R.Indicator(data=d, kind="DOMAIN"), source=sid),
                timeout=10)
            return "OK"
        except grpc.RpcError as e:
            return e.code().name
    ok(fetch(js) == "NOT_FOUND", "the JavaScript runner no longer knows "
       "the deleted source")
    subprocess.call(["rm", "-rf", tmp])
created.remove(js)

done()
