#!/usr/bin/python3
"""iocagg-schedulerd: sd_notify (READY, STATUS, WATCHDOG, STOPPING) on a
test NOTIFY_SOCKET, -n and -1, a PYTHON source's background task run
every interval and recorded, interval changes and disabling picked up
without a restart, several schedulers on one database running each due
run exactly once, kill -9 and SIGTERM in the middle of a run, and
GET /sources/{id}/tasks with its role checks.

The stack's own scheduler (tools/devstack up starts one) is just one
more instance here: the test never assumes which instance runs a task,
it reads task_runs (host, pid) and acts on that process."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from iocaggtest import (need_stack, get, request, ok, is_error, psql, done,
                        letters, make_source, role_user)

need_stack()
S = "/api/v1/sources"
TOP = os.environ.get("top_builddir", ".")
BIN = os.path.join(TOP, "daemons", "iocagg-schedulerd")
CONF = os.environ.get("IOCAGG_CONF") or os.path.join(
    os.environ["IOCAGG_TEST_STATE"], "iocagg.conf")
STATE = os.environ["IOCAGG_TEST_STATE"]
STACK_PIDFILE = os.path.join(STATE, "iocagg-schedulerd.pid")
DEVSTACK = os.environ.get("IOCAGG_TEST_DEVSTACK")
RUN = letters()
TMP = tempfile.mkdtemp(prefix="t0900.")
HOST = socket.gethostname()
created = []      # source ids to delete at the end
procs = []        # the schedulers this test started
stack_killed = [False]


def start(*args, env=None, name="sched"):
    """Start a scheduler of our own with the stack's configuration."""
    e = dict(os.environ)
    e["IOCAGG_CONF"] = CONF
    for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        e.pop(k, None)
    if env:
        e.update(env)
    log = open(os.path.join(TMP, "%s-%d.log" % (name, len(procs))), "ab")
    p = subprocess.Popen([BIN, "-f", CONF] + list(args), env=e,
                         stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    p.logname = log.name
    procs.append(p)
    return p


def stack_pid():
    try:
        with open(STACK_PIDFILE) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def alive(pid):
    # A child of ours: reap it.
    for p in procs:
        if p.pid == pid:
            return p.poll() is None
    # Another process may stay a zombie until it is reaped: dead too.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def signal_scheduler(pid, sig):
    """Send "sig" to a scheduler we know: ours, or the stack's."""
    mine = [p.pid for p in procs if p.poll() is None]
    if pid in mine:
        os.kill(pid, sig)
        return True
    if pid is not None and pid == stack_pid():
        os.kill(pid, sig)
        stack_killed[0] = pid
        return True
    return False


def post(body):
    return request("POST", S, body=body)


def patch(sid, body):
    return request("PATCH", "%s/%s" % (S, sid), body=body)


def py_source(code, interval, task_enabled=True):
    body = {
        "name": "Sched " + letters(),
        "description": "made by t0900 " + RUN,
        "url": "https://example.org/sched",
        "tags": ["test", "t0900"],
        "enabled": True,
        "supportedIndicators": ["DOMAIN"],
        "disabledIndicators": [],
        "taskEnabled": task_enabled,
        "taskInterval": interval,
        "config": [],
        "configValues": [],
        "limitEnabled": False,
        "cacheEnabled": False,
        "kind": "PYTHON",
        "sourceCode": code,
    }
    r = post(body)
    j = r.json() or {}
    if r.status == 201 and "id" in j:
        created.append(j["id"])
        return j["id"]
    ok(False, "create a PYTHON source with a task", r)
    return None


def task_code(sleep=0.0, ret="'ok'"):
    return ("import time\n\n\n"
            "def fetch_data(indicator_data, indicator_kind):\n"
            "    return 'x'\n\n\n"
            "def background_task():\n"
            "    time.sleep(%s)\n"
            "    return %s\n" % (sleep, ret))


def runs(sid):
    """The source's runs, oldest first: dicts with epoch seconds."""
    out = psql("SELECT id, status, coalesce(error, ''), coalesce(host, ''),"
               " coalesce(pid, 0), extract(epoch FROM started_at),"
               " coalesce(extract(epoch FROM ended_at), 0)"
               " FROM task_runs WHERE source_id = '%s'"
               " ORDER BY started_at, id" % sid)
    rows = []
    for line in out.splitlines():
        i, st, err, host, pid, s, e = line.split("|")
        rows.append({"id": i, "status": st, "error": err, "host": host,
                     "pid": int(pid), "start": float(s),
                     "end": float(e) if float(e) else None})
    return rows


def wait_for(cond, timeout, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def overlaps(rs):
    """Pairs of runs of one source that ran at the same time."""
    bad = []
    for a, b in zip(rs, rs[1:]):
        if a["end"] is None or b["start"] < a["end"] - 0.0005:
            if a["status"] != "ABANDONED":
                bad.append((a["id"], b["id"]))
    return bad


def lateness(rs, interval):
    """How late each run started after it was due: one interval after
    the previous start, or when the previous run ended if it took
    longer.  Negative: early (a run twice for one due time)."""
    return [round(b["start"] - max(a["start"] + interval, a["end"] or 0), 3)
            for a, b in zip(rs, rs[1:])]


def restart_stack():
    """Start the stack's scheduler again if this test stopped it."""
    if stack_killed[0] and DEVSTACK:
        wait_for(lambda: not alive(stack_killed[0]), 10)
        subprocess.run([DEVSTACK, "scheduler-start"], capture_output=True)
        stack_killed[0] = False


def notify_socket():
    path = os.path.join(TMP, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    return s, path


def collect(sock, seconds, until=None):
    msgs = []
    end = time.time() + seconds
    while time.time() < end:
        try:
            m = sock.recv(4096).decode()
        except socket.timeout:
            continue
        msgs.extend(m.split("\n"))
        if until and any(x.startswith(until) for x in msgs):
            break
    return msgs


try:
    # --- Options ---------------------------------------------------------
    r = subprocess.run([BIN, "-n", "-f", CONF], capture_output=True,
                       text=True)
    ok(r.returncode == 0 and "configuration OK" in r.stderr,
       "-n checks the configuration", r)
    bad = os.path.join(TMP, "bad.conf")
    with open(bad, "w") as f:
        f.write("no_such_key = 1\n")
    r = subprocess.run([BIN, "-n", "-f", bad], capture_output=True, text=True)
    ok(r.returncode == 1 and "no_such_key" in r.stderr,
       "-n refuses an unknown key", r)
    r = subprocess.run([BIN, "-x"], capture_output=True, text=True)
    ok(r.returncode == 2 and "usage:" in r.stderr, "a bad option is 2", r)
    r = subprocess.run([BIN, "-f", CONF, "-1", "zzzzzzzzzzzz"],
                       capture_output=True, text=True, timeout=30)
    ok(r.returncode == 1 and "no such source" in r.stderr,
       "-1 with an unknown id fails", r)

    # --- sd_notify ---------------------------------------------------------
    nsock, npath = notify_socket()
    # Its own copy of the configuration, to break it under SIGHUP.
    nconf = os.path.join(TMP, "notify.conf")
    with open(CONF) as f:
        conf_text = f.read()
    with open(nconf, "w") as f:
        f.write(conf_text)
    n = start("-f", nconf, env={"NOTIFY_SOCKET": npath,
                                "WATCHDOG_USEC": "1000000"}, name="notify")
    msgs = collect(nsock, 15, until="READY=1")
    ok("READY=1" in msgs, "READY=1 once connected", msgs)
    msgs += collect(nsock, 2.5)
    st = [m for m in msgs if m.startswith("STATUS=")]
    ok(st and any("source(s) with a task" in m or "no source has a task" in m
                  for m in st), "STATUS= says what it does", st)
    ok(msgs.count("WATCHDOG=1") >= 3,
       "WATCHDOG=1 at least every half WATCHDOG_USEC (1 s)",
       msgs.count("WATCHDOG=1"))

    # SIGHUP: reload (RELOADING=1, then READY=1); a broken file is refused.
    n.send_signal(signal.SIGHUP)
    msgs = collect(nsock, 10, until="READY=1")
    ok("RELOADING=1" in msgs and "READY=1" in msgs,
       "SIGHUP reloads: RELOADING=1, READY=1", msgs)
    with open(nconf, "w") as f:
        f.write(conf_text + "\nno_such_key = 1\n")
    n.send_signal(signal.SIGHUP)
    ok(wait_for(lambda: b"keeping the current one" in
                open(n.logname, "rb").read(), 10) and n.poll() is None,
       "a broken file is refused under SIGHUP; it keeps running")
    with open(nconf, "w") as f:
        f.write(conf_text)

    # --- -1: one run in the foreground, recorded ---------------------------
    once = py_source(task_code(0, "'once'"), 3600, task_enabled=False)
    r = subprocess.run([BIN, "-f", CONF, "-1", once], capture_output=True,
                       text=True, timeout=60)
    rs = runs(once)
    ok(r.returncode == 0 and "OK" in r.stdout, "-1 runs a task: exit 0", r)
    ok(len(rs) == 1 and rs[0]["status"] == "OK" and rs[0]["end"] and
       rs[0]["host"] == HOST and rs[0]["pid"] > 0,
       "-1 records the run, its host and pid", rs)
    failing = py_source(task_code(0, "1 / 0"), 3600, task_enabled=False)
    r = subprocess.run([BIN, "-f", CONF, "-1", failing], capture_output=True,
                       text=True, timeout=60)
    rs = runs(failing)
    ok(r.returncode == 1 and len(rs) == 1 and rs[0]["status"] == "ERROR" and
       "ZeroDivisionError" in rs[0]["error"],
       "-1 of a failing task: exit 1, ERROR with the runner's message",
       (r, rs))

    # Config values reach background_task(), as they reach fetch_data().
    body_cfg = task_code(0, "1 / 0").replace(
        "    time.sleep(0)\n    return 1 / 0\n",
        "    import iocagg\n"
        "    raise ValueError('greeting=%s' % iocagg.config('greeting'))\n")
    cfg = py_source(body_cfg, 3600, task_enabled=False)
    patch(cfg, {"configValues": [{"name": "greeting", "value": "hello"}]})
    r = subprocess.run([BIN, "-f", CONF, "-1", cfg], capture_output=True,
                       text=True, timeout=60)
    rs = runs(cfg)
    ok(r.returncode == 1 and rs and "greeting=hello" in rs[-1]["error"],
       "the task sees the source's config values", rs)

    # A runner that lacks the code (source written behind the API's
    # back): NOT_FOUND, the code is sent with Update, the task runs.
    behind = make_source(kind="python", builtin=None,
                         source_code=task_code(0, "'behind'"),
                         task_enabled=False,
                         description="made by t0900 " + RUN)
    created.append(behind)
    r = subprocess.run([BIN, "-f", CONF, "-1", behind], capture_output=True,
                       text=True, timeout=60)
    rs = runs(behind)
    ok(r.returncode == 0 and len(rs) == 1 and rs[0]["status"] == "OK",
       "a runner without the code gets it (Update) and runs the task",
       (r, rs))

    # --- SIGTERM in the middle of a -1 run ---------------------------------
    slow = py_source(task_code(30), 3600, task_enabled=False)
    p = subprocess.Popen([BIN, "-f", CONF, "-1", slow],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    ok(wait_for(lambda: [x for x in runs(slow) if x["status"] == "RUNNING"],
                20), "the slow task is RUNNING")
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    rs = runs(slow)
    ok(p.returncode == 1 and time.time() - t0 < 5,
       "SIGTERM stops a run at once (exit 1)", (p.returncode, err))
    ok(len(rs) == 1 and rs[0]["status"] == "ERROR" and
       rs[0]["error"] == "stopped", "the run is recorded ERROR \"stopped\"",
       rs)

    # --- A task every interval ---------------------------------------------
    # Our scheduler "n" runs, and the stack's if there is one.
    sid = py_source(task_code(0), 2)
    time.sleep(7.5)
    rs = runs(sid)
    done_runs = [x for x in rs if x["status"] == "OK"]
    ok(3 <= len(done_runs) <= 5, "interval 2 s: 3 to 5 runs in 7.5 s",
       rs)
    late = lateness(rs, 2)
    ok(late and all(-0.05 <= x <= 1.5 for x in late),
       "each run starts when due (one interval after the last)", late)
    ok(not overlaps(rs), "runs never overlap", rs)

    # The history through the API, newest first, and lastTask.
    r = get("%s/%s/tasks" % (S, sid))
    a = r.json() or []
    ok(r.status == 200 and len(a) >= len(rs) and
       [x["id"] for x in a[-len(rs):]] == [x["id"] for x in reversed(rs)],
       "GET /sources/{id}/tasks lists the runs newest first", (r, rs))
    ok(a and set(a[0]) == {"id", "task", "startedAt", "endedAt", "status",
                           "error", "rows", "bytes", "host", "pid"},
       "a run's fields", a[:1])
    r = get("%s/%s/tasks?limit=1&offset=1" % (S, sid))
    ok(r.status == 200 and len(r.json() or []) == 1 and
       r.json()[0]["id"] == a[1]["id"], "paging", r)
    is_error(get("%s/%s/tasks?limit=x" % (S, sid)), 400, "bad_request",
             "a bad limit is 400")
    r = get("%s/%s" % (S, sid))
    lt = (r.json() or {}).get("lastTask")
    ok(isinstance(lt, dict) and lt.get("startedAt") == a[0]["startedAt"] and
       lt.get("status") == a[0]["status"] and
       set(lt) == {"startedAt", "endedAt", "status", "error", "rows"},
       "the source's lastTask is its newest run", lt)
    r = get("%s/%s" % (S, once))
    ok((r.json() or {}).get("lastTask", {}).get("status") == "OK",
       "lastTask of the -1 source", r)
    r = get("%s?limit=1000" % S)
    lts = {x["id"]: x.get("lastTask", "missing") for x in (r.json() or [])}
    ok(r.status == 200 and "missing" not in lts.values() and
       isinstance(lts.get(sid), dict),
       "GET /sources carries lastTask for every source", r)

    # Roles.
    tv = role_user(["sources_view"], "t0900")[1]
    tn = role_user(["request_view"], "t0900")[1]
    ok(get("%s/%s/tasks" % (S, sid), token=tv).status == 200,
       "sources_view may read the runs")
    is_error(get("%s/%s/tasks" % (S, sid), token=tn), 403, "forbidden",
             "without sources_view: 403")
    is_error(get("%s/%s/tasks" % (S, sid), auth=False), 401, "unauthorized",
             "without a token: 401")
    is_error(get("%s/zzzzzzzzzzzz/tasks" % S), 404, "not_found",
             "an unknown source: 404")
    is_error(get("%s/not-an-id/tasks" % S), 404, "not_found",
             "a malformed id: 404")

    # --- The interval changes, without a restart ---------------------------
    r = patch(sid, {"taskInterval": 4})
    ok(r.status in (200, 204), "PATCH taskInterval 4", r)
    tchange = time.time()
    time.sleep(10)
    rs = [x for x in runs(sid) if x["start"] > tchange + 0.5]
    late = lateness(rs, 4)
    ok(len(rs) >= 2 and all(-0.05 <= x <= 1.5 for x in late),
       "the new interval is used at once", (late, rs))

    # --- Disabled, without a restart ---------------------------------------
    r = patch(sid, {"taskEnabled": False})
    ok(r.status in (200, 204), "PATCH taskEnabled false", r)
    time.sleep(1.5)    # a run that had started ends
    before = len(runs(sid))
    time.sleep(6)
    ok(len(runs(sid)) == before, "a disabled task does not run", runs(sid))
    r = patch(sid, {"taskEnabled": True, "enabled": False})
    time.sleep(6)
    ok(len(runs(sid)) == before, "nor one of a disabled source", runs(sid))

    # --- Several schedulers, one database ----------------------------------
    b = start(name="b")
    c = start(name="c")
    time.sleep(1)
    many = py_source(task_code(0.3), 1)
    t0 = time.time()
    time.sleep(12)
    rs = [x for x in runs(many) if x["status"] != "RUNNING"]
    late = lateness(rs, 1)
    ok(len(rs) >= 6, "3 schedulers or more: the task ran (%d runs in 12 s)"
       % len(rs), rs)
    ok(not overlaps(rs), "never two runs at once", rs)
    ok(late and min(late) >= -0.05,
       "each due run ran once (none before it was due)", late)
    ok(late and max(late) <= 1.5, "no due run skipped (each within 1.5 s "
       "of its due time)", late)
    ok(all(x["status"] == "OK" for x in rs), "all OK", rs)
    pids = sorted(set(x["pid"] for x in rs))
    print("# run by %d scheduler process(es): %s" % (len(pids), pids))
    patch(many, {"taskEnabled": False})

    # --- kill -9 in the middle of a run ------------------------------------
    sleepy = py_source(task_code(6), 3600)
    first = wait_for(lambda: [x for x in runs(sleepy)
                              if x["status"] == "RUNNING"], 20)
    ok(first, "the sleeping task started", runs(sleepy))
    victim = first[0]["pid"] if first else None
    ok(victim and first[0]["host"] == HOST and
       signal_scheduler(victim, signal.SIGKILL),
       "kill -9 the scheduler running it (pid %s)" % victim)
    restart_stack()
    took = wait_for(lambda: [x for x in runs(sleepy)
                             if x["id"] != first[0]["id"]], 25)
    rs = runs(sleepy)
    ok(rs and rs[0]["status"] == "ABANDONED" and rs[0]["end"] and
       "stopped before the run ended" in rs[0]["error"],
       "its run becomes ABANDONED", rs)
    ok(took and took[0]["pid"] != victim,
       "another scheduler runs the task again", rs)
    ok(not [x for x in rs[1:] if x["status"] == "ABANDONED"],
       "only the killed run is abandoned", rs)

    # --- SIGTERM in the middle of a daemon's run ----------------------------
    cur = wait_for(lambda: [x for x in runs(sleepy)
                            if x["status"] == "RUNNING"], 15)
    ok(cur, "the task runs again", runs(sleepy))
    termd = cur[0]["pid"] if cur else None
    t0 = time.time()
    ok(termd and signal_scheduler(termd, signal.SIGTERM),
       "SIGTERM the scheduler running it (pid %s)" % termd)
    ok(wait_for(lambda: not alive(termd), 10) and time.time() - t0 < 8,
       "it stops while its task runs, at once")
    rs = [x for x in runs(sleepy) if x["id"] == (cur[0]["id"] if cur else "")]
    ok(rs and rs[0]["status"] == "ERROR" and rs[0]["error"] == "stopped",
       "that run is ERROR \"stopped\"", rs)
    again = wait_for(lambda: [x for x in runs(sleepy)
                              if x["start"] > t0 and x["pid"] != termd], 15)
    ok(again, "and is due at once for the others", runs(sleepy))
    restart_stack()
    for p in procs:
        if p.pid == termd:
            ok(p.returncode == 0, "a clean stop exits 0", p.returncode)
    patch(sleepy, {"taskEnabled": False})

    # --- STOPPING=1 --------------------------------------------------------
    if n.poll() is None:
        n.send_signal(signal.SIGTERM)
        msgs = collect(nsock, 10, until="STOPPING=1")
        ok("STOPPING=1" in msgs, "STOPPING=1 on SIGTERM", msgs)
        try:
            n.wait(10)
        except subprocess.TimeoutExpired:
            pass
        ok(n.returncode == 0, "and exits 0", n.returncode)
    else:
        print("# the notify instance was the one stopped above")
finally:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    restart_stack()
    for sid_ in created:
        request("DELETE", "%s/%s" % (S, sid_))
    shutil.rmtree(TMP, ignore_errors=True)
done()
