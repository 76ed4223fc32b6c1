#!/usr/bin/python3
"""tests/integ/t0700-runner.py -- iocagg-python-runner(8) over gRPC.

Starts runners/python/iocagg-python-runner itself on a Unix socket in a
temporary directory (no dev stack needed) and talks to it with Debian's
python3-grpcio, from stubs generated here with grpc_tools.protoc.
Covers every RPC and its validation, health, the result types, and the
isolation: deadlines, crashes, memory, output size, files, processes,
secrets, concurrency and compile-once.  Skips (TAP plan "1..0 # SKIP")
only when python3-grpcio or python3-grpc-tools is missing."""

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import http.server

_n = 0
_failed = 0


def ok(cond, name, diag=None):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", _n, name))
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("#   " + line)
    sys.stdout.flush()


def skip(name, why):
    global _n
    _n += 1
    print("ok %d - %s # SKIP %s" % (_n, name, why))


def landlock_abi():
    """The kernel's Landlock ABI; below 1 the workers open no file."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return libc.syscall(444, None, 0, 1)
    except (OSError, AttributeError):
        return -1


LANDLOCK = landlock_abi() >= 1
NOLL = "no Landlock: workers import preloaded modules only"


def done():
    print("1..%d" % _n)
    sys.exit(1 if _failed else 0)


try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    print("1..0 # SKIP python3-grpcio or python3-grpc-tools not installed")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
BUILDDIR = os.environ.get("top_builddir") or SRCDIR
RUNNER = os.path.join(BUILDDIR, "runners", "python", "iocagg-python-runner")

tmp = tempfile.mkdtemp(prefix="t0700-")
proc = None
httpd = None


def cleanup():
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()
    if httpd is not None:
        httpd.shutdown()
    subprocess.call(["rm", "-rf", tmp])


atexit.register(cleanup)        # also when the test dies half-way
os.chmod(tmp, 0o711)            # workers (nobody) reach their scratch dir
stubs = os.path.join(tmp, "stubs")
os.mkdir(stubs)
rc = protoc.main(["protoc", "-I" + os.path.join(SRCDIR, "proto"),
                  "--python_out=" + stubs, "--grpc_python_out=" + stubs,
                  "runner.proto", "health.proto"])
if rc != 0:
    print("Bail out! grpc_tools.protoc failed (%d)" % rc)
    sys.exit(1)
sys.path.insert(0, stubs)
import runner_pb2 as R          # noqa: E402
import runner_pb2_grpc as RG    # noqa: E402
import health_pb2 as H          # noqa: E402
import health_pb2_grpc as HG    # noqa: E402

# The suite's own secrets: the runner reads this file, user code must not.
KEY = os.path.join(tmp, "secret.key")
with open(KEY, "w") as f:
    f.write("TOPSECRET-KEY\n")
os.chmod(KEY, 0o600)
CONF = os.path.join(tmp, "iocagg.conf")
with open(CONF, "w") as f:
    f.write("database_url = host=/nonexistent password=dbpassword\n"
            "secret_key_file = %s\nsource_timeout = 5\n" % KEY)
os.chmod(CONF, 0o640)
SCRATCH = os.path.join(tmp, "scratch")
os.mkdir(SCRATCH)
os.chmod(SCRATCH, 0o711)
SOCK = os.path.join(tmp, "python.sock")
LOG = os.path.join(tmp, "runner.log")

env = {k: v for k, v in os.environ.items() if not k.startswith("IOCAGG_")}
env.update({"IOCAGG_RUNNER_WORKERS": "4",
            "IOCAGG_RUNNER_SCRATCH_DIR": SCRATCH,
            "IOCAGG_RUNNER_TIMEOUT_MAX": "20000"})


# A local HTTP server for iocagg.http_get/http_post.
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _send(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._send(200 if self.path != "/missing" else 404,
                   ("GET %s %s" % (self.path,
                    self.headers.get("X-Test", "-"))).encode())

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self._send(201, b"POST " + self.rfile.read(n))


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
HTTP = "http://127.0.0.1:%d" % httpd.server_address[1]

if not os.access(RUNNER, os.X_OK):
    ok(False, "the runner is built", RUNNER)
    done()

logf = open(LOG, "w")
proc = subprocess.Popen([RUNNER, "-d", "-f", CONF, "-s", "unix:" + SOCK],
                        stdout=logf, stderr=subprocess.STDOUT, env=env)




def runlog():
    with open(LOG) as f:
        return f.read()


chan = grpc.insecure_channel(
    "unix:" + SOCK,
    options=[("grpc.max_receive_message_length", 64 << 20)])
runner = RG.RunnerStub(chan)
health = HG.HealthStub(chan)

t0 = time.time()
up = False
while time.time() - t0 < 15 and proc.poll() is None:
    try:
        r = health.Check(H.HealthCheckRequest(service=""), timeout=1)
        up = r.status == H.HealthCheckResponse.SERVING
        break
    except grpc.RpcError:
        time.sleep(0.1)
ok(up, "the runner starts and reports SERVING", runlog())
if not up:
    done()
ok(oct(os.stat(SOCK).st_mode & 0o777) == "0o660", "the socket is 0660")


def call(method, req, timeout=30):
    """(status name, reply or details, seconds)"""
    t = time.time()
    try:
        r = method(req, timeout=timeout)
        return "OK", r, time.time() - t
    except grpc.RpcError as e:
        return e.code().name, e.details() or "", time.time() - t


def ind(data="198.51.100.7", kind="IPV4"):
    return R.Indicator(data=data, kind=kind)


def fetch(source, timeout_ms=0, secrets=None, config=None, data="1.2.3.4",
          kind="IPV4", timeout=30):
    return call(runner.FetchData, R.FetchDataRequest(
        source=source, indicator=ind(data, kind), timeout_ms=timeout_ms,
        secrets=secrets or {}, config=config or {}), timeout)


def update(source, code):
    return call(runner.Update, R.UpdateRequest(source=source,
                                               source_code=code))


def load(source, code):
    st, r, _ = update(source, code)
    ok(st == "OK", "Update %s" % source, "%s %s" % (st, r))


def data(res):
    st, r, _ = res
    return json.loads(r.data) if st == "OK" else None


# --- Health ---------------------------------------------------------
st, r, _ = call(health.Check, H.HealthCheckRequest(service="runner.Runner"))
ok(st == "OK" and r.status == H.HealthCheckResponse.SERVING,
   "Health.Check(runner.Runner) is SERVING", (st, r))
st, r, _ = call(health.Check, H.HealthCheckRequest(service="nope"))
ok(st == "NOT_FOUND", "Health.Check of an unknown service is NOT_FOUND", st)

stream = health.Watch(H.HealthCheckRequest(service=""), timeout=1.5)
first = None
code = None
try:
    for msg in stream:
        if first is None:
            first = msg.status
        else:
            code = "SECOND"
            break
except grpc.RpcError as e:
    code = e.code().name
ok(first == H.HealthCheckResponse.SERVING,
   "Health.Watch sends SERVING first", first)
ok(code == "DEADLINE_EXCEEDED", "Health.Watch then waits (no more messages)",
   code)
stream = health.Watch(H.HealthCheckRequest(service="nope"), timeout=1)
try:
    first = next(iter(stream)).status
except grpc.RpcError as e:
    first = e.code().name
ok(first == H.HealthCheckResponse.SERVICE_UNKNOWN,
   "Health.Watch of an unknown service is SERVICE_UNKNOWN", first)

# --- Unknown methods ------------------------------------------------
for path in ("/runner.Runner/Nope", "/foo.Bar/Baz"):
    m = chan.unary_unary(path, request_serializer=lambda b: b,
                         response_deserializer=lambda b: b)
    st, r, _ = call(m, b"")
    ok(st == "UNIMPLEMENTED", "%s is UNIMPLEMENTED" % path, (st, r))

# --- Validation -----------------------------------------------------
bad = [
    ("FetchData without indicator", runner.FetchData,
     R.FetchDataRequest(source="s")),
    ("FetchData with empty data", runner.FetchData,
     R.FetchDataRequest(source="s", indicator=ind(data=""))),
    ("FetchData with empty kind", runner.FetchData,
     R.FetchDataRequest(source="s", indicator=ind(kind=""))),
    ("FetchData with empty source", runner.FetchData,
     R.FetchDataRequest(source="", indicator=ind())),
    ("FetchData with negative timeout_ms", runner.FetchData,
     R.FetchDataRequest(source="s", indicator=ind(), timeout_ms=-1)),
    ("BackgroundTask with empty source", runner.BackgroundTask,
     R.BackgroundTaskRequest(source="")),
    ("Update with empty source", runner.Update,
     R.UpdateRequest(source="", source_code="x = 1")),
    ("Update with empty code", runner.Update,
     R.UpdateRequest(source="s", source_code="")),
    ("Init with an empty code", runner.Init, R.InitRequest(updates=[
        R.UpdateRequest(source="a", source_code="x = 1"),
        R.UpdateRequest(source="b", source_code="")])),
    ("Init with an empty source", runner.Init, R.InitRequest(updates=[
        R.UpdateRequest(source="", source_code="x = 1")])),
]
for name, method, req in bad:
    st, r, _ = call(method, req)
    ok(st == "INVALID_ARGUMENT", name + " is INVALID_ARGUMENT", (st, r))
st, r, _ = call(runner.Init, bad[8][2])
ok("updates[1]" in r, "Init names the bad update", r)
st, r, _ = call(runner.Delete, R.DeleteRequest(source=""))
ok(st == "OK", "Delete is not validated", (st, r))

# --- NOT_FOUND --------------------------------------------------------
st, r, _ = fetch("no-such-source")
ok(st == "NOT_FOUND" and "no-such-source" in r,
   "FetchData of an unknown source is NOT_FOUND", (st, r))
st, r, _ = call(runner.BackgroundTask,
                R.BackgroundTaskRequest(source="no-such-source"))
ok(st == "NOT_FOUND", "BackgroundTask of an unknown source is NOT_FOUND",
   (st, r))

# --- Code errors at Update ------------------------------------------
st, r, _ = update("syntax", "def fetch_data(d, k:\n    return d\n")
ok(st == "INVALID_ARGUMENT" and "SyntaxError" in r,
   "a syntax error is INVALID_ARGUMENT", (st, r))
st, r, _ = update("toplevel", "x = 1 / 0\n")
ok(st == "INVALID_ARGUMENT" and "ZeroDivisionError" in r,
   "an exception at module level is INVALID_ARGUMENT", (st, r))
st, r, _ = fetch("syntax")
ok(st == "NOT_FOUND", "refused code is not stored", (st, r))

# --- Results --------------------------------------------------------
load("str", "def fetch_data(data, kind):\n    return 'hi ' + data + ' ' + kind\n")
st, r, _ = fetch("str", data="example.org", kind="DOMAIN")
ok(st == "OK" and r.data == '"hi example.org DOMAIN"',
   "a str result is a JSON string", (st, r))
load("dict", "def fetch_data(data, kind):\n"
     "    return {'data': data, 'n': [1, 2.5, None, True], 'u': '\\u00e9'}\n")
ok(data(fetch("dict")) == {"data": "1.2.3.4", "n": [1, 2.5, None, True],
                           "u": "\u00e9"}, "a dict result is a JSON object")
load("list", "def fetch_data(data, kind):\n    return [data, kind, {}]\n")
ok(data(fetch("list")) == ["1.2.3.4", "IPV4", {}],
   "a list result is a JSON array")
load("none", "def fetch_data(data, kind):\n    pass\n")
st, r, _ = fetch("none")
ok(st == "INTERNAL" and "NoneType" in r, "a None result is INTERNAL",
   (st, r))
load("nan", "def fetch_data(data, kind):\n    return [float('nan')]\n")
st, r, _ = fetch("nan")
ok(st == "INTERNAL", "a result that is not JSON is INTERNAL", (st, r))
load("nofn", "x = 1\n")
st, r, _ = fetch("nofn")
ok(st == "INTERNAL" and "fetch_data" in r,
   "a source without fetch_data is INTERNAL", (st, r))
load("raise", "def fetch_data(data, kind):\n"
     "    raise ValueError('boom for ' + data)\n")
st, r, _ = fetch("raise")
ok(st == "INTERNAL" and "ValueError: boom for 1.2.3.4" in r and
   "line 2" in r, "an exception is INTERNAL with its message", (st, r))

# --- BackgroundTask --------------------------------------------------
load("task", "import iocagg\ndef fetch_data(d, k):\n    return d\n"
     "def background_task():\n    iocagg.log('task ran')\n")
st, r, _ = call(runner.BackgroundTask, R.BackgroundTaskRequest(source="task"))
ok(st == "OK", "BackgroundTask runs background_task()", (st, r))
st, r, _ = call(runner.BackgroundTask, R.BackgroundTaskRequest(source="str"))
ok(st == "OK", "BackgroundTask without background_task() is OK", (st, r))
load("taskerr", "def background_task():\n    raise RuntimeError('no feed')\n")
st, r, _ = call(runner.BackgroundTask,
                R.BackgroundTaskRequest(source="taskerr"))
ok(st == "INTERNAL" and "no feed" in r, "a failing task is INTERNAL",
   (st, r))

# --- Host API: secrets, config, log, HTTP ----------------------------
load("api", "import iocagg\n"
     "def fetch_data(data, kind):\n"
     "    iocagg.log('hello from user code ' + data)\n"
     "    return {'secret': iocagg.secret('key'),\n"
     "            'other': iocagg.secret('nope'),\n"
     "            'config': iocagg.config('region')}\n")
ok(data(fetch("api", secrets={"key": "s3cr3t"}, config={"region": "eu"})) ==
   {"secret": "s3cr3t", "other": None, "config": "eu"},
   "secret() and config() read the call's maps")
ok(data(fetch("api")) == {"secret": None, "other": None, "config": None},
   "a call without secrets sees none (nothing is kept)")
time.sleep(0.2)
ok("source 'api': 'hello from user code 1.2.3.4'" in runlog(),
   "log() writes to the runner's log with the source id")
ok("s3cr3t" not in runlog(), "secrets are not logged")

load("http", "import iocagg\n"
     "def fetch_data(data, kind):\n"
     "    a = iocagg.http_get(data + '/x?q=1', headers={'X-Test': 'yes'})\n"
     "    b = iocagg.http_post(data + '/p', 'body!', ['X-Test: 1'])\n"
     "    c = iocagg.http_get(data + '/missing')\n"
     "    try:\n"
     "        iocagg.http_get('file:///etc/passwd')\n"
     "        d = 'read'\n"
     "    except iocagg.Error as e:\n"
     "        d = 'refused'\n"
     "    return [a, b, c, d]\n")
ok(data(fetch("http", data=HTTP, kind="URL")) ==
   [[200, "GET /x?q=1 yes"], [201, "POST body!"], [404, "GET /missing -"],
    "refused"], "http_get/http_post work, other protocols do not")

# --- Compiled once per worker ----------------------------------------
load("once", "imports = 0\nimports += 1\ncalls = 0\n"
     "def fetch_data(data, kind):\n"
     "    global calls\n    calls += 1\n"
     "    return {'imports': imports, 'calls': calls}\n")
res = [data(fetch("once")) for _ in range(4)]
ok([x["imports"] for x in res] == [1, 1, 1, 1],
   "the module body runs once (a counter at import stays 1)", res)
ok([x["calls"] for x in res] == [2, 3, 4, 5] or
   [x["calls"] for x in res] == [1, 2, 3, 4],
   "the same compiled module serves the calls", res)
load("once", "def fetch_data(data, kind):\n    return 'v2'\n")
st, r, _ = fetch("once")
ok(st == "OK" and r.data == '"v2"', "Update replaces the code", (st, r))

# --- Isolation: deadline -----------------------------------------------
load("loop", "def fetch_data(data, kind):\n    while True:\n        pass\n")
st, r, secs = fetch("loop", timeout_ms=1000)
ok(st == "DEADLINE_EXCEEDED", "an infinite loop is DEADLINE_EXCEEDED",
   (st, r))
ok(secs < 2.5, "... within the deadline (%.2f s for 1 s)" % secs)
st, r, _ = fetch("str")
ok(st == "OK", "the runner still serves after a timeout", (st, r))
st, r, secs = fetch("loop", timeout=1.0)
ok(st == "DEADLINE_EXCEEDED" and secs < 2,
   "the client's gRPC deadline also bounds the call", (st, r, secs))
load("sleepy", "import time\ndef fetch_data(data, kind):\n"
     "    time.sleep(30)\n")
st, r, secs = fetch("sleepy")
ok(st == "DEADLINE_EXCEEDED" and 4 <= secs < 7,
   "without timeout_ms the default (source_timeout) applies",
   (st, r, secs))

# --- Isolation: crashes and resources --------------------------------
crashers = [
    ("memory", "def fetch_data(d, k):\n    x = bytearray(4 << 30)\n"
     "    return 'no'\n", ("RESOURCE_EXHAUSTED", "INTERNAL")),
    ("sysexit", "import sys\ndef fetch_data(d, k):\n    sys.exit(3)\n",
     ("INTERNAL",)),
    ("osexit", "import os\ndef fetch_data(d, k):\n    os._exit(1)\n",
     ("INTERNAL",)),
    ("segv", "import ctypes\ndef fetch_data(d, k):\n"
     "    return ctypes.string_at(0)\n" if LANDLOCK else
     "import faulthandler\ndef fetch_data(d, k):\n"
     "    faulthandler._sigsegv()\n", ("INTERNAL",)),
    ("abort", "import os\ndef fetch_data(d, k):\n    os.abort()\n",
     ("INTERNAL",)),
    ("bigout", "def fetch_data(d, k):\n    return 'x' * (100 << 20)\n",
     ("RESOURCE_EXHAUSTED",)),
    ("bigdict", "def fetch_data(d, k):\n"
     "    return {'k%d' % i: 'v' * 1000 for i in range(20000)}\n",
     ("RESOURCE_EXHAUSTED",)),
]
for name, code, want in crashers:
    load(name, code)
    st, r, _ = fetch(name)
    ok(st in want, "%s is %s" % (name, " or ".join(want)), (st, r))
    st, r, _ = fetch("str")
    ok(st == "OK", "the runner still serves after %s" % name, (st, r))
st, r, _ = fetch("segv")
ok(st == "INTERNAL" and "signal 11" in r,
   "a segfault is reported with its signal", (st, r))
st, r, _ = fetch("sysexit")
ok("SystemExit" in r, "sys.exit() is reported as SystemExit", r)

# --- Isolation: files and processes ----------------------------------
files = [("/etc/passwd", "/etc/passwd"), ("the configuration", CONF),
         ("the secret key", KEY), ("/proc/1/environ", "/proc/1/environ"),
         ("/etc/shadow", "/etc/shadow")]
for name, path in files:
    load("file", "def fetch_data(d, k):\n    return open(%r).read()\n" % path)
    st, r, _ = fetch("file")
    ok(st == "INTERNAL" and "Error" in r and "TOPSECRET" not in r and
       "dbpassword" not in r, "reading %s fails" % name, (st, r))
load("ls", "import os\ndef fetch_data(d, k):\n    return os.listdir(%r)\n"
     % tmp)
st, r, _ = fetch("ls")
ok(st == "INTERNAL", "listing the runner's directory fails", (st, r))
if LANDLOCK:
    load("scratch", "import os\ndef fetch_data(d, k):\n"
         "    with open('t.txt', 'w') as f:\n        f.write('ok')\n"
         "    return [open('t.txt').read(), os.getcwd().startswith(%r)]\n"
         % SCRATCH)
    ok(data(fetch("scratch")) == ["ok", True],
       "the private scratch directory is writable")
else:
    skip("the private scratch directory is writable", NOLL)
load("env", "import os\ndef fetch_data(d, k):\n"
     "    return sorted(os.environ)\n")
env_seen = data(fetch("env")) or ["?"]
ok(not [k for k in env_seen if k.startswith("IOCAGG")],
   "user code sees none of the runner's environment", env_seen)
load("system", "import os\ndef fetch_data(d, k):\n"
     "    return str(os.system('id'))\n")
st, r, _ = fetch("system")
ok(st == "OK" and json.loads(r.data) != "0", "os.system('id') fails", (st, r))
if LANDLOCK:
    load("subproc", "import subprocess\ndef fetch_data(d, k):\n"
         "    return subprocess.run(['id'], capture_output=True)"
         ".stdout.decode()\n")
    st, r, _ = fetch("subproc")
    ok(st == "INTERNAL" and "uid=" not in r, "subprocess.run(['id']) fails",
       (st, r))
else:
    skip("subprocess.run(['id']) fails", NOLL)
load("fork", "import os\ndef fetch_data(d, k):\n    return os.fork()\n")
st, r, _ = fetch("fork")
ok(st == "INTERNAL" and "PermissionError" in r, "os.fork() fails", (st, r))
load("kill", "import os\ndef fetch_data(d, k):\n"
     "    os.kill(%d, 9)\n" % proc.pid)
st, r, _ = fetch("kill")
ok(st == "INTERNAL" and proc.poll() is None,
   "user code cannot signal the runner", (st, r))
if LANDLOCK:
    load("unix", "import socket\ndef fetch_data(d, k):\n"
         "    s = socket.socket(socket.AF_UNIX)\n    s.connect(%r)\n" % SOCK)
    st, r, _ = fetch("unix")
    ok(st == "INTERNAL", "user code cannot open a Unix socket", (st, r))
else:
    skip("user code cannot open a Unix socket", NOLL)

# --- Isolation: secrets between sources ------------------------------
load("victim", "import iocagg, builtins\n"
     "def fetch_data(d, k):\n"
     "    builtins.stolen = iocagg.secret('token')\n"
     "    return 'ok'\n")
load("thief", "import iocagg, builtins\n"
     "def fetch_data(d, k):\n"
     "    return [iocagg.secret('token'), getattr(builtins, 'stolen', None)]\n")
st, r, _ = fetch("victim", secrets={"token": "victim-secret"})
ok(st == "OK", "victim called with its secret", (st, r))
ok(data(fetch("thief")) == [None, None],
   "another source sees neither the secret nor the victim's state")

# --- Concurrency -------------------------------------------------------
load("slow1", "import time\ndef fetch_data(d, k):\n    time.sleep(1)\n"
     "    return 'one'\n")
load("slow2", "import time\ndef fetch_data(d, k):\n    time.sleep(1)\n"
     "    return 'two'\n")
results = {}


def run(name):
    results[name] = fetch(name)


t = time.time()
threads = [threading.Thread(target=run, args=(n,)) for n in ("slow1", "slow2")]
for th in threads:
    th.start()
for th in threads:
    th.join()
secs = time.time() - t
ok(results["slow1"][0] == "OK" and results["slow2"][0] == "OK" and
   secs < 1.8, "two slow sources run concurrently (%.2f s)" % secs,
   results)

# --- Delete and Init ------------------------------------------------
st, r, _ = call(runner.Delete, R.DeleteRequest(source="str"))
ok(st == "OK", "Delete", (st, r))
st, r, _ = fetch("str")
ok(st == "NOT_FOUND", "a deleted source is NOT_FOUND", (st, r))
st, r, _ = call(runner.Init, R.InitRequest(updates=[
    R.UpdateRequest(source="i1", source_code="def fetch_data(d, k):\n"
                    "    return 'i1'\n"),
    R.UpdateRequest(source="i2", source_code="def fetch_data(d, k):\n"
                    "    return 'i2'\n")]))
ok(st == "OK", "Init", (st, r))
ok(data(fetch("i1")) == "i1" and data(fetch("i2")) == "i2",
   "Init loads its sources")
st, r, _ = fetch("dict")
ok(st == "NOT_FOUND", "Init replaces the whole set", (st, r))
st, r, _ = call(runner.Init, R.InitRequest(updates=[
    R.UpdateRequest(source="i3", source_code="def fetch_data(d, k:\n")]))
ok(st == "OK", "Init does not run the code", (st, r))
st, r, _ = fetch("i3")
ok(st == "INTERNAL" and "SyntaxError" in r,
   "code that does not load is INTERNAL at the call", (st, r))

# --- Shutdown ------------------------------------------------------------
chan.close()
proc.send_signal(signal.SIGTERM)
try:
    code = proc.wait(timeout=15)
except subprocess.TimeoutExpired:
    code = None
ok(code == 0, "SIGTERM stops the runner cleanly", (code, runlog()[-2000:]))
ok(not os.path.exists(SOCK), "the socket is removed")
time.sleep(0.3)
left = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if SOCK.encode() in f.read():
                    left.append(pid)
        except OSError:
            pass
ok(left == [], "no worker process is left", left)
ok(os.listdir(SCRATCH) == [], "the scratch directories are removed",
   os.listdir(SCRATCH))
done()
