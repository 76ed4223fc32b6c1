#!/usr/bin/python3
"""tests/bench/runners.py -- "tools/bench runners": what a call through a
runner costs.

    runners.py --python unix:PATH --javascript unix:PATH --srcdir DIR
               --duk-call PROGRAM [--calls N] [--seconds S]

For each runner, with a trivial source (fetch_data returns a two-key
object), over the runner's gRPC socket with Debian's python3-grpcio:

  * warm call: the median of N sequential FetchData calls once the
    source's worker is up, against the same function called in-process
    (Python: /usr/bin/python3 -c with timeit, fetch_data() plus
    json.dumps() of its result, as the worker does; JavaScript:
    tests/bench/duk-call, the runner's Duktape, fetch_data() plus
    JSON encoding in one heap -- and, as the worker does for every
    call, in a new heap);
  * throughput: calls per second of 16 concurrent callers for S seconds,
    all on one source (one worker serves them one at a time) and spread
    over four sources (four workers).

Figures go to stdout; the last lines are "RESULT name value" for
tools/bench's summary."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    sys.exit("runners.py: python3-grpcio and python3-grpc-tools are needed")

ap = argparse.ArgumentParser()
ap.add_argument("--python", required=True)
ap.add_argument("--javascript", required=True)
ap.add_argument("--srcdir", required=True)
ap.add_argument("--duk-call", required=True)
ap.add_argument("--calls", type=int, default=2000)
ap.add_argument("--seconds", type=float, default=5)
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="bench-runners-")
try:
    if protoc.main(["protoc", "-I" + os.path.join(args.srcdir, "proto"),
                    "--python_out=" + tmp, "--grpc_python_out=" + tmp,
                    "runner.proto"]) != 0:
        sys.exit("runners.py: grpc_tools.protoc failed")
    sys.path.insert(0, tmp)
    import runner_pb2 as R          # noqa: E402
    import runner_pb2_grpc as RG    # noqa: E402
finally:
    shutil.rmtree(tmp, ignore_errors=True)

PY_CODE = ("def fetch_data(data, kind):\n"
           "    return {'data': data, 'kind': kind}\n")
JS_CODE = ("function fetch_data(data, kind) {\n"
           "\treturn { data: data, kind: kind };\n}\n")
DATA = "bench.example.com"
NSRC = 4
CALLERS = 16
RESULTS = []


def result(name, value):
    RESULTS.append("RESULT %s %s" % (name, value))


def stub_for(address):
    ch = grpc.insecure_channel(address, options=[
        ("grpc.max_receive_message_length", 64 << 20)])
    return RG.RunnerStub(ch)


def fetch(stub, source):
    return stub.FetchData(R.FetchDataRequest(
        indicator=R.Indicator(data=DATA, kind="DOMAIN"), source=source,
        timeout_ms=10000), timeout=15)


def inproc_python(n):
    """Microseconds of fetch_data() + json.dumps() in one interpreter."""
    prog = ("import json, timeit\n"
            "exec(%r)\n"
            "n = %d\n"
            "t = timeit.timeit(lambda: json.dumps(fetch_data(%r, 'DOMAIN')),"
            " number=n)\n"
            "print('%%.3f' %% (t / n * 1e6))\n" % (PY_CODE, n, DATA))
    out = subprocess.run(["/usr/bin/python3", "-c", prog], check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip())


def inproc_js(n):
    out = subprocess.run([args.duk_call, str(n)], check=True,
                         capture_output=True, text=True).stdout
    kv = dict(x.split("=") for x in out.split())
    return float(kv["warm_us"]), float(kv["fresh_us"])


def throughput(stub, sources, seconds):
    """Calls per second of CALLERS threads over "sources"."""
    counts = [0] * CALLERS
    errors = [0] * CALLERS
    stop = time.monotonic() + seconds

    def caller(i):
        src = sources[i % len(sources)]
        while time.monotonic() < stop:
            try:
                fetch(stub, src)
                counts[i] += 1
            except grpc.RpcError:
                errors[i] += 1
    t0 = time.monotonic()
    ts = [threading.Thread(target=caller, args=(i,)) for i in range(CALLERS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    took = time.monotonic() - t0
    return sum(counts) / took, sum(errors)


def bench(name, wire, address, code, inproc):
    stub = stub_for(address)
    tag = "bench-%s-%d" % (name, os.getpid())
    sources = ["%s-%d" % (tag, i) for i in range(NSRC)]
    for s in sources:
        stub.Update(R.UpdateRequest(source=s, source_code=code), timeout=30)
    for s in sources:                       # every worker up and warm
        for _ in range(50):
            fetch(stub, s)
    times = []
    for _ in range(args.calls):
        t = time.perf_counter()
        r = fetch(stub, sources[0])
        times.append((time.perf_counter() - t) * 1e6)
    assert DATA in r.data, r.data
    med = statistics.median(times)
    p90 = sorted(times)[int(len(times) * 0.9)]
    seq = 1e6 / statistics.mean(times)
    one, e1 = throughput(stub, sources[:1], args.seconds)
    four, e4 = throughput(stub, sources, args.seconds)
    for s in sources:
        stub.Delete(R.DeleteRequest(source=s), timeout=30)

    if name == "python":
        ip = inproc
        ip_text = "%.2f us (fetch_data + json.dumps, /usr/bin/python3)" % ip
    else:
        ip, fresh = inproc
        ip_text = ("%.2f us (fetch_data + JSON encoding in one heap; "
                   "%.1f us in a new heap per call, as the worker "
                   "does)" % (ip, fresh))
    ratio = med / ip
    print("%s runner (%s): warm FetchData median %.0f us (p90 %.0f us, "
          "%d sequential calls: %.0f calls/s)" % (wire, address, med, p90,
                                                  args.calls, seq))
    print("  in-process: %s" % ip_text)
    print("  overhead ratio: gRPC call / in-process call = %.0f" % ratio)
    if name == "javascript":
        print("  against the worker's own per-call work (new heap): %.1f"
              % (med / fresh))
    print("  16 concurrent callers, %.0f s: one source %.0f calls/s "
          "(%.2fx the sequential rate), %d sources %.0f calls/s (%.2fx)%s"
          % (args.seconds, one, one / seq, NSRC, four, four / seq,
             "; %d errors" % (e1 + e4) if e1 + e4 else ""))
    result("%s_warm_us" % name, "%.0f" % med)
    result("%s_inproc_us" % name, "%.2f" % ip)
    result("%s_ratio" % name, "%.0f" % ratio)
    result("%s_seq_cps" % name, "%.0f" % seq)
    result("%s_c16_one_cps" % name, "%.0f" % one)
    result("%s_c16_four_cps" % name, "%.0f" % four)


bench("python", "PYTHON", args.python, PY_CODE, inproc_python(200000))
bench("javascript", "JAVA_SCRIPT", args.javascript, JS_CODE,
      inproc_js(100000))
print("\n".join(RESULTS))
