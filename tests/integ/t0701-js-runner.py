#!/usr/bin/python3
"""tests/integ/t0701-js-runner.py -- iocagg-js-runner(8) over gRPC with
Debian's python3-grpcio: every RPC, health, an unknown method, and the
failure modes of user JavaScript (deadline, exception, memory), with the
runner still serving after each.  (t0700 covers the shared core in
depth through the Python runner.)"""
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    print("1..0 # SKIP python3-grpcio or python3-grpc-tools not installed")
    sys.exit(0)

n = failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    failed += 0 if cond else 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond and diag is not None:
        print("#   " + str(diag).replace("\n", "\n#   "))
    sys.stdout.flush()


SRC = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), "..", "..")
BUILD = os.environ.get("top_builddir") or SRC
RUNNER = os.path.join(BUILD, "runners", "js", "iocagg-js-runner")
tmp = tempfile.mkdtemp(prefix="t0701-")
os.chmod(tmp, 0o711)
stubs = os.path.join(tmp, "stubs")
os.mkdir(stubs)
protoc.main(["protoc", "-I" + os.path.join(SRC, "proto"), "--python_out=" + stubs,
             "--grpc_python_out=" + stubs, "runner.proto", "health.proto"])
sys.path.insert(0, stubs)
import runner_pb2 as R          # noqa: E402
import runner_pb2_grpc as RG    # noqa: E402
import health_pb2 as H          # noqa: E402
import health_pb2_grpc as HG    # noqa: E402

conf = os.path.join(tmp, "iocagg.conf")
with open(conf, "w") as f:
    f.write("database_url = host=/nonexistent\nsource_timeout = 5\n")
scratch = os.path.join(tmp, "scratch")
os.mkdir(scratch)
os.chmod(scratch, 0o711)
sock = os.path.join(tmp, "js.sock")
env = {k: v for k, v in os.environ.items() if not k.startswith("IOCAGG_")}
env.update({"IOCAGG_RUNNER_WORKERS": "2", "IOCAGG_RUNNER_SCRATCH_DIR": scratch})
log = open(os.path.join(tmp, "runner.log"), "w")
proc = subprocess.Popen([RUNNER, "-f", conf, "-s", "unix:" + sock],
                        stdout=log, stderr=subprocess.STDOUT, env=env)
chan = grpc.insecure_channel("unix:" + sock)
runner, health = RG.RunnerStub(chan), HG.HealthStub(chan)


def call(method, req, timeout=20):
    try:
        return "OK", method(req, timeout=timeout)
    except grpc.RpcError as e:
        return e.code().name, e.details() or ""


def fetch(src, data="a.example.com", kind="DOMAIN", timeout_ms=3000, secrets=None):
    return call(runner.FetchData, R.FetchDataRequest(
        source=src, indicator=R.Indicator(data=data, kind=kind),
        timeout_ms=timeout_ms, secrets=secrets or {}))


try:
    up = False
    for _ in range(150):
        st, r = call(health.Check, H.HealthCheckRequest(service=""), 1)
        if st == "OK":
            up = r.status == H.HealthCheckResponse.SERVING
            break
        time.sleep(0.1)
    ok(up, "the JavaScript runner starts and reports SERVING")
    st, r = call(health.Check, H.HealthCheckRequest(service="runner.Runner"))
    ok(st == "OK" and r.status == H.HealthCheckResponse.SERVING, "Health/Check runner.Runner")
    w = health.Watch(H.HealthCheckRequest(service=""), timeout=5)
    ok(next(w).status == H.HealthCheckResponse.SERVING, "Health/Watch streams SERVING")
    w.cancel()
    try:
        chan.unary_unary("/runner.Runner/Nope")(b"", timeout=5)
        code = "OK"
    except grpc.RpcError as e:
        code = e.code().name
    ok(code == "UNIMPLEMENTED", "an unknown method is UNIMPLEMENTED", code)

    ok(call(runner.Init, R.InitRequest(updates=[R.UpdateRequest(
        source="jsobj", source_code="function fetch_data(d, k) { return {d: d, k: k}; }")]))[0] == "OK",
       "Init with one source")
    st, r = fetch("jsobj")
    ok(st == "OK" and json.loads(r.data) == {"d": "a.example.com", "k": "DOMAIN"},
       "FetchData: an object comes back as JSON", (st, r))
    ok(call(runner.Update, R.UpdateRequest(source="jsstr",
        source_code="function fetch_data(d) { return 'seen ' + d + ' ' + secret('K'); }\n"
                    "function background_task() { log('tick'); }"))[0] == "OK", "Update")
    st, r = fetch("jsstr", secrets={"K": "v1"})
    ok(st == "OK" and json.loads(r.data) == "seen a.example.com v1",
       "a string result, and the call's own secret", (st, r))
    st, r = fetch("jsstr")
    ok(st == "OK" and json.loads(r.data) == "seen a.example.com null",
       "another call does not see that secret", (st, r))
    ok(call(runner.BackgroundTask, R.BackgroundTaskRequest(source="jsstr"))[0] == "OK",
       "BackgroundTask")
    st, r = call(runner.Update, R.UpdateRequest(source="bad", source_code="function ("))
    ok(st == "INVALID_ARGUMENT", "code that does not compile is INVALID_ARGUMENT", (st, r))
    ok(call(runner.Update, R.UpdateRequest(source="", source_code="x"))[0] == "INVALID_ARGUMENT",
       "Update without a source is INVALID_ARGUMENT")
    ok(fetch("")[0] == "INVALID_ARGUMENT", "FetchData without a source is INVALID_ARGUMENT")
    ok(fetch("nosuch")[0] == "NOT_FOUND", "an unknown source is NOT_FOUND")

    call(runner.Update, R.UpdateRequest(source="loop", source_code="function fetch_data() { while (true) {} }"))
    t = time.time()
    st, r = fetch("loop", timeout_ms=1000)
    took = time.time() - t
    ok(st == "DEADLINE_EXCEEDED" and took < 4, "an endless loop is DEADLINE_EXCEEDED (%.1fs)" % took, (st, r))
    ok(fetch("jsobj")[0] == "OK", "the runner still serves after the loop")
    call(runner.Update, R.UpdateRequest(source="boom", source_code="function fetch_data() { throw new Error('boom!'); }"))
    st, r = fetch("boom")
    ok(st == "INTERNAL" and "boom!" in r, "an exception is INTERNAL with its message", (st, r))
    call(runner.Update, R.UpdateRequest(source="mem", source_code=
         "function fetch_data() { var s = 'x'; while (true) { s = s + s; } }"))
    st, r = fetch("mem", timeout_ms=10000)
    ok(st in ("RESOURCE_EXHAUSTED", "INTERNAL"), "a memory bomb is RESOURCE_EXHAUSTED", (st, r))
    ok(fetch("jsobj")[0] == "OK", "the runner still serves after the memory bomb")
    ok(call(runner.Delete, R.DeleteRequest(source="jsobj"))[0] == "OK", "Delete")
    ok(fetch("jsobj")[0] == "NOT_FOUND", "a deleted source is forgotten")
finally:
    proc.kill()
    proc.wait()
    subprocess.call(["rm", "-rf", tmp])
print("1..%d" % n)
sys.exit(1 if failed else 0)
