#!/usr/bin/python3
"""iocagg(1), the command line: usage and exit statuses, login and its
configuration file, lookups (event stream piped as JSON lines, the live
table under a pseudo-terminal, --json, batches from standard input),
history, sources, ignore lists and tokens, against the test stack.

The usage checks need no stack and always run; the rest skips without
one.  Every run uses a private XDG_CONFIG_HOME."""
import codecs
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import time
from iocaggtest import (URL, TOKEN, MOCK, ok, done, request, get, lookup,
                        by_source, make_source, letters, ctl)

TOP = os.environ.get("top_builddir", ".")
SRC = os.environ.get("top_srcdir", TOP)
BIN = os.path.join(TOP, "tools", "iocagg")
tag = letters(6)
home = tempfile.mkdtemp(prefix="iocagg-cli-")
xdg = os.path.join(home, "xdg")


def env(**kw):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("IOCAGG_") and k not in ("NO_COLOR",)}
    e.update(HOME=home, XDG_CONFIG_HOME=xdg, LC_ALL="C.UTF-8", TERM="xterm")
    for k, v in kw.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def cli(*args, stdin=None, timeout=60, **kw):
    """Run iocagg with stdin/stdout/stderr as pipes."""
    return subprocess.run([BIN] + list(args), input=stdin, text=True,
                          capture_output=True, env=env(**kw),
                          timeout=timeout)


def lines_of(p):
    """The JSON lines of a piped lookup, or None if one is not JSON."""
    try:
        return [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    except ValueError:
        return None


class Screen:
    """Just enough of a terminal for the live table: printable text,
    CR, LF, cursor up and down (CSI A, B), erase to the end of the line
    (CSI K) and of the screen (CSI J);
    other CSI sequences (colours) are dropped.  Lines never scroll off."""

    def __init__(self):
        self.lines = [""]
        self.y = self.x = 0
        self.pending = ""
        self.dec = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data):
        s = self.pending + self.dec.decode(data)
        self.pending = ""
        i = 0
        while i < len(s):
            c = s[i]
            if c == "\x1b":
                m = re.match(r"\x1b\[([0-9;?]*)([A-Za-z])", s[i:])
                if not m:
                    if len(s) - i < 16:
                        self.pending = s[i:]
                        return
                    i += 1
                    continue
                n = int(m.group(1)) if m.group(1).isdigit() else 1
                cmd = m.group(2)
                if cmd == "A":
                    self.y = max(0, self.y - n)
                elif cmd == "B":
                    self.y += n
                elif cmd == "K":
                    self._line()
                    self.lines[self.y] = self.lines[self.y][:self.x]
                elif cmd == "J":
                    self._line()
                    self.lines[self.y] = self.lines[self.y][:self.x]
                    del self.lines[self.y + 1:]
                i += len(m.group(0))
                continue
            if c == "\r":
                self.x = 0
            elif c == "\n":
                self.y += 1
                self.x = 0
            elif c >= " ":
                self._line()
                ln = self.lines[self.y].ljust(self.x)
                self.lines[self.y] = ln[:self.x] + c + ln[self.x + 1:]
                self.x += 1
            i += 1

    def _line(self):
        while len(self.lines) <= self.y:
            self.lines.append("")

    def text(self):
        return "\n".join(l.rstrip() for l in self.lines)


def run_pty(args, rows=60, cols=160, timeout=30, inputs=(), **kw):
    """Run iocagg on a pseudo-terminal of rows x cols; returns (exit
    status, raw output, [(seconds, screen text)] after each read).
    "inputs" are (prompt, text) pairs: text is typed once prompt shows."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    p = subprocess.Popen([BIN] + list(args), stdin=slave, stdout=slave,
                         stderr=slave, env=env(**kw), close_fds=True,
                         start_new_session=True)
    os.close(slave)
    scr, raw, snaps = Screen(), b"", []
    t0 = time.monotonic()
    todo = list(inputs)
    while time.monotonic() - t0 < timeout:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            raw += chunk
            scr.feed(chunk)
            snaps.append((time.monotonic() - t0, scr.text()))
            if todo and todo[0][0].encode() in raw:
                time.sleep(0.1)
                os.write(master, todo.pop(0)[1].encode())
        elif p.poll() is not None:
            break
    try:
        rc = p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
    os.close(master)
    return rc, raw.decode("utf-8", "replace"), snaps


# --- Usage: no stack needed -------------------------------------------

if not ok(os.access(BIN, os.X_OK), "the built iocagg is at " + BIN):
    done()

p = cli("--version")
ok(p.returncode == 0 and p.stdout.startswith("iocagg "), "--version", p)
p = cli("--help")
usage = [l.replace("usage:", "").strip() for l in p.stdout.splitlines()
         if l.startswith("usage:") or l.startswith("      ")]
ok(p.returncode == 0 and len(usage) == 16, "--help lists every usage line", p)

helps = [["-h"], ["login", "-h"], ["lookup", "-h"], ["lookup", "--help"],
         ["history", "-h"], ["history", "show", "-h"], ["sources", "-h"],
         ["sources", "ls", "-h"], ["sources", "show", "-h"],
         ["sources", "enable", "-h"], ["sources", "disable", "-h"],
         ["ignore", "-h"], ["ignore", "ls", "-h"], ["ignore", "add", "-h"],
         ["ignore", "rm", "-h"], ["tokens", "-h"], ["tokens", "ls", "-h"],
         ["tokens", "add", "-h"], ["tokens", "rm", "-h"]]
bad = []
for a in helps:
    p = cli(*a)
    if p.returncode != 0 or not p.stdout.startswith("usage: iocagg") or p.stderr:
        bad.append((a, p))
ok(not bad, "-h exits 0 with the usage on stdout, for %d commands" % len(helps), bad)
p = cli("sources", "show", "-h")
ok(p.stdout.strip() == "usage: iocagg sources show [-h] source",
   "a subcommand's -h shows its own usage", p.stdout)

usage_errors = [[], ["frobnicate"], ["sources"], ["sources", "frob"],
                ["lookup"], ["lookup", "a", "b"], ["lookup", "-k", "NOPE", "x"],
                ["lookup", "--json", "-"], ["lookup", "-j", "2", "1.2.3.4"],
                ["lookup", "-j", "0", "-"], ["lookup", "--bogus", "x"],
                ["history", "-n", "0"], ["history", "-n", "x"],
                ["history", "show"], ["sources", "show"],
                ["sources", "enable", "a", "b"], ["ignore", "add", "list"],
                ["ignore", "add", "-k", "NOPE", "l", "e"], ["ignore", "rm", "l"],
                ["tokens", "add"], ["tokens", "add", "-e", "soon", "n"],
                ["tokens", "rm"], ["login", "extra"], ["-x"]]
bad = []
for a in usage_errors:
    p = cli(*a)
    if p.returncode != 2 or "usage:" not in p.stderr:
        bad.append((a, p))
ok(not bad, "usage errors exit 2 with the usage on stderr (%d cases)" % len(usage_errors), bad)

mandoc = shutil.which(os.environ.get("MANDOC") or "mandoc")
page = os.path.join(SRC, "man", "iocagg.1")
if mandoc and os.path.exists(page):
    m = subprocess.run([mandoc, "-Tlint", "-W", "warning", page],
                       capture_output=True, text=True)
    ok(m.returncode == 0, "mandoc -Tlint -W warning man/iocagg.1", m.stdout + m.stderr)
    out = subprocess.run([mandoc, "-Tascii", "-O", "width=250", page],
                         capture_output=True, text=True).stdout
    out = re.sub(".\b", "", out)
    syn = re.search(r"\nSYNOPSIS\n(.*?)\n(?=\S)", out, re.S).group(1)
    syn = [" ".join(l.split()) for l in syn.splitlines() if l.strip()]
    ok(syn == usage, "the SYNOPSIS of iocagg(1) is the usage", (syn, usage))
else:
    ok(True, "# SKIP mandoc or man/iocagg.1 missing")
    ok(True, "# SKIP mandoc or man/iocagg.1 missing")

if not URL or not TOKEN:
    ok(True, "# SKIP no test stack (run tools/devstack test)")
    done()

cfg = os.path.join(xdg, "iocagg", "config")

# --- login -------------------------------------------------------------

p = cli("sources", "ls")
ok(p.returncode == 3 and "login" in p.stderr, "without a token: exit 3", p)
p = cli("login", "-u", URL, stdin=TOKEN + "\n")
ok(p.returncode == 0, "login with the token on stdin", p)
st = os.stat(cfg) if os.path.exists(cfg) else None
ok(st is not None and (st.st_mode & 0o777) == 0o600, "the config file has mode 0600",
   oct(st.st_mode) if st else "missing")
ok((os.stat(os.path.dirname(cfg)).st_mode & 0o777) == 0o700 if st else False,
   "its folder has mode 0700")
text = open(cfg).read() if st else ""
ok("url = %s\n" % URL in text and "token = %s\n" % TOKEN in text,
   "it holds the URL and the token", text)
p = cli("login", "-u", URL, stdin="zzzzzzzzzzzz_nottherightsecret\n")
ok(p.returncode == 3, "login with a bad token exits 3", p)
ok(open(cfg).read() == text, "and leaves the file alone")
p = cli("login", "-u", "http://127.0.0.1:1", stdin=TOKEN + "\n")
ok(p.returncode == 4 and "cannot reach" in p.stderr, "login to a closed port exits 4", p)
p = cli("login", "-u", "ftp://example.com", stdin=TOKEN + "\n")
ok(p.returncode == 2, "login to a URL that is not http(s) exits 2", p)
p = cli("sources", "ls", IOCAGG_URL="http://127.0.0.1:1")
ok(p.returncode == 4, "IOCAGG_URL overrides the file (closed port: exit 4)", p)
p = cli("sources", "ls", IOCAGG_URL="http://unresolvable.invalid")
ok(p.returncode == 4, "a name that does not resolve exits 4", p)
p = cli("sources", "ls", IOCAGG_TOKEN="zzzzzzzzzzzz_nottherightsecret")
ok(p.returncode == 3, "IOCAGG_TOKEN overrides the file (bad token: exit 3)", p)
p = cli("sources", "ls", IOCAGG_URL=URL + "/api/v1/")
ok(p.returncode == 0, "a URL ending in /api/v1/ works", p)

# Interactive: the URL is echoed, the token is not.
os.unlink(cfg)
rc, raw, _ = run_pty(["login"], inputs=[("Server URL", URL + "\n"),
                                        ("API token", TOKEN + "\n")])
ok(rc == 0 and os.path.exists(cfg) and TOKEN not in raw and URL in raw,
   "login on a terminal: prompts, the token is not echoed", raw)

# A user without the role of a route: 403 is exit 3 as well.
viewer = "cli-%s@example.org" % tag
ctl("user", "add", "-r", "request_view", viewer)
vtok = ctl("token", "add", viewer, "cli").stdout.strip().split()[-1]
p = cli("sources", "ls", IOCAGG_TOKEN=vtok)
ok(p.returncode == 3 and "403" in p.stderr, "a missing role (403) exits 3", p)

# --- lookup, piped -----------------------------------------------------

fast = make_source()
slow = make_source(url=MOCK + "/generic/{data}?delay_ms=800")
ipv4 = make_source(kinds=("IPV4",))
broken = make_source(url="http://127.0.0.1:1/{data}")
fslug = get("/api/v1/sources/%s" % fast).json()["slug"]
data = "cli-%s.example.com" % tag

p = cli("lookup", "-s", fast, "-s", slow, "-s", ipv4, data)
ls = lines_of(p)
ok(p.returncode == 0 and ls is not None and len(ls) == 3,
   "piped: one JSON line per source, exit 0", p)
ls = ls or []
ids = sorted(l["source"]["id"] for l in ls)
ok(ids == sorted([fast, slow, ipv4]), "the lines have the sources' ids", ids)
ev = {l["source"]["id"]: l for l in ls}
ok(ev.get(ipv4, {}).get("event") == "fetching_error" and
   ev[ipv4].get("errors") == [{"kind": "UNSUPPORTED_INDICATOR"}],
   "a skipped source is a fetching_error line with its errors", ev.get(ipv4))
ok(ev.get(fast, {}).get("event") == "fetching_data" and
   ev[fast].get("data", {}).get("indicator") == data and "timing" in ev[fast],
   "a source with data is a fetching_data line", ev.get(fast))
ok(all(l.get("indicator") == data and l.get("kind") == "DOMAIN" for l in ls) and
   len({l.get("requestId") for l in ls}) == 1 and ls[0].get("requestId"),
   "every line has the indicator, its kind and the lookup id")
ok(ls and ls[-1]["source"]["id"] == slow, "lines come as sources finish (slow last)",
   [l["source"]["id"] for l in ls])
rid = ls[0]["requestId"] if ls else ""

# Every source: the same ids as the server's own execute answer (other
# tests add and delete sources meanwhile: compare with the answers
# before and after).
d2 = "cli-all-%s.example.com" % tag
s1 = set(by_source(lookup(d2 + ".x", kind="DOMAIN")))
p = cli("lookup", d2)
s2 = set(by_source(lookup(d2 + ".y", kind="DOMAIN")))
got = {l["source"]["id"] for l in (lines_of(p) or [])}
ok(got and (s1 & s2) <= got <= (s1 | s2),
   "without -s: one line per source, as /requests/execute answers (%d)" % len(got),
   {"differs": sorted(got ^ s1), "exit": p.returncode,
    "stderr": p.stderr[-600:]})

p = cli("lookup", "-s", fslug, data)
ls = lines_of(p) or []
ok(p.returncode == 0 and [l["source"]["id"] for l in ls] == [fast],
   "-s takes a slug", p)
p = cli("lookup", "-s", "no-such-slug-" + tag, data)
ok(p.returncode == 1 and "slug" in p.stderr, "an unknown slug exits 1", p)
p = cli("lookup", "-k", "domain", "-s", fast, "cli-k-%s[.]example[.]com" % tag)
ls = lines_of(p) or []
ok(p.returncode == 0 and ls and ls[0]["kind"] == "DOMAIN" and
   ls[0]["indicator"] == "cli-k-%s.example.com" % tag,
   "-k (any case) is sent, and the indicator is refanged", p)
p = cli("lookup", "-k", "IPV4", "-s", fast, data)
ok(p.returncode == 1 and p.stdout == "" and "IPv4" in p.stderr,
   "data that is not of the -k kind exits 1 before any call", p)
p = cli("lookup", "-s", ipv4, "203.0.113.%d" % (len(tag) + 7))
ls = lines_of(p) or []
ok(p.returncode == 0 and ls and ls[0]["kind"] == "IPV4" and
   ls[0]["event"] == "fetching_data", "the kind is detected without -k", p)
p = cli("lookup", "not an indicator")
ok(p.returncode == 1 and "-k" in p.stderr, "an undetectable indicator exits 1", p)

p = cli("lookup", "-s", fast, "-s", broken, data)
ls = lines_of(p) or []
ok(p.returncode == 1 and len(ls) == 2 and
   {l["source"]["id"]: l["event"] for l in ls}.get(broken) == "fetching_error",
   "a source that fails: its error line, and exit 1", p)
p = cli("lookup", "--ignore-errors", "-s", fast, "-s", broken, data)
ls = lines_of(p) or []
ok(p.returncode == 0 and [l["source"]["id"] for l in ls] == [fast],
   "--ignore-errors drops it and exits 0", p)
p = cli("lookup", "--force", "-s", fast, data)
ok(p.returncode == 0 and len(lines_of(p) or []) == 1, "--force is accepted", p)
p = cli("lookup", "-s", fast, data, IOCAGG_URL="http://127.0.0.1:1")
ok(p.returncode == 4, "lookup against a closed port exits 4", p)
p = cli("lookup", "-s", fast, data, IOCAGG_TOKEN="zzzzzzzzzzzz_nottherightsecret")
ok(p.returncode == 3, "lookup with a bad token exits 3", p)

# --json: one array, from the execute route.
p = cli("lookup", "--json", "-s", fast, "-s", ipv4, data)
try:
    arr = json.loads(p.stdout)
except ValueError:
    arr = None
ok(p.returncode == 0 and isinstance(arr, list) and
   sorted(r["source"]["id"] for r in arr) == sorted([fast, ipv4]) and
   p.stdout.count("\n") == 1, "--json prints one JSON array (one line when piped)", p)
p = cli("lookup", "--json", "-s", broken, data)
ok(p.returncode == 1, "--json exits 1 when a source fails", p)

# Batches from standard input.
batch = ["b1-%s.example.com" % tag, "", "# a comment", "  b2-%s.example.com  " % tag,
         "not an indicator!", "b3-%s.example.com" % tag, "b4-%s.example.com" % tag]
p = cli("lookup", "-j", "2", "-s", fast, "-s", ipv4, "-", stdin="\n".join(batch) + "\n")
ls = lines_of(p) or []
src = [l for l in ls if l.get("event") in ("fetching_data", "fetching_error")]
errs = [l for l in ls if l.get("event") == "error"]
want = {"b%d-%s.example.com" % (i, tag) for i in (1, 2, 3, 4)}
per = {}
for l in src:
    per.setdefault(l["indicator"], []).append(l["source"]["id"])
ok(set(per) == want and all(sorted(v) == sorted([fast, ipv4]) for v in per.values()),
   "lookup -: each indicator with each source", per)
ok(len(errs) == 1 and errs[0]["indicator"] == "not an indicator!" and
   errs[0]["error"]["code"] == "invalid_indicator", "a bad line is an error line", errs)
ok(p.returncode == 1, "and makes the exit status 1", p.returncode)
p = cli("lookup", "-s", fast, "-", stdin="\n".join(sorted(want)) + "\n")
ok(p.returncode == 0 and len(lines_of(p) or []) == 4, "lookup - of good lines exits 0", p)
slow_batch = ["s%d-%s.example.com" % (i, tag) for i in range(4)]
t0 = time.monotonic()
p = cli("lookup", "-j", "4", "-s", slow, "-", stdin="\n".join(slow_batch) + "\n")
el = time.monotonic() - t0
ok(p.returncode == 0 and len(lines_of(p) or []) == 4 and el < 2.5,
   "-j 4 runs 4 slow lookups at once (%.1fs)" % el, p)
p = cli("lookup", "-", stdin="1.2.3.4\n", IOCAGG_URL="http://127.0.0.1:1")
ok(p.returncode == 4, "lookup - against a closed port exits 4", p)

# --- the live table ----------------------------------------------------

d3 = "cli-tty-%s.example.com" % tag
rc, raw, snaps = run_pty(["lookup", "-s", fast, "-s", slow, "-s", ipv4, d3])
names = {s: get("/api/v1/sources/%s" % s).json()["name"]
         for s in (fast, slow, ipv4, broken)}
final = snaps[-1][1] if snaps else ""


def row(screen, sid):
    for l in screen.splitlines():
        if l.startswith(names[sid] + " "):
            return l
    return ""


ok(rc == 0 and "SOURCE" in final and "STATUS" in final, "a table on a terminal", raw[-2000:])
mid = [s for t, s in snaps if "waiting" in row(s, slow) and row(s, fast)]
ok(mid and all(row(mid[0], s) for s in (fast, slow, ipv4)),
   "every source has a row while one still waits", mid[:1])
mid = [s for t, s in snaps if "waiting" in row(s, slow) and " ok " in row(s, fast) + " "]
ok(mid and "skipped" in row(mid[0], ipv4),
   "finished rows fill in while another waits", snaps[:3])
ok(" ok " in row(final, fast) and " ok " in row(final, slow) and
   "skipped" in row(final, ipv4), "the final screen has every source's status", final)
ok(re.search(r"\d+ ms", row(final, slow)) and "waiting" not in final,
   "with the time of each, and nothing waiting", final)
ok(final.count(names[fast]) >= 2 and '"indicator": "%s"' % d3 in final,
   "then the data of each source, as JSON", final[-800:])
ok("\x1b[32m" in raw, "colours on a terminal")
rc, raw, snaps = run_pty(["lookup", "-s", fast, d3], NO_COLOR="1")
ok(rc == 0 and not re.search(r"\x1b\[[0-9;]*m", raw), "NO_COLOR: no colours", raw[:300])
# Taller than the terminal: rows are printed once, as they end.
rc, raw, snaps = run_pty(["lookup", "-s", fast, "-s", slow, "-s", ipv4, d3], rows=5)
final = snaps[-1][1] if snaps else ""
ok(rc == 0 and all(len(re.findall(r"^%s +(ok|skipped)\b" % re.escape(names[s]), final, re.M)) == 1
                   for s in (fast, slow, ipv4)),
   "on a short terminal every row is printed once", final)
rc, raw, snaps = run_pty(["lookup", "-s", fast, "-s", broken, d3])
final = snaps[-1][1] if snaps else ""
ok(rc == 1 and "error" in final, "a failed source on the terminal: exit 1", final)
rc, raw, snaps = run_pty(["lookup", "--ignore-errors", "-s", fast, "-s", broken, d3])
final = snaps[-1][1] if snaps else ""
ok(rc == 0 and " ok " in row(final, fast) + " " and names[broken] not in final
   and "waiting" not in final, "--ignore-errors on the terminal: no row for the error", final)

# --- history -----------------------------------------------------------

p = cli("history", "-n", "1000")
ok(p.returncode == 0 and rid and rid in p.stdout and p.stdout.startswith("ID"),
   "history lists the lookup", p.stdout[:300])
p = cli("history", "-n", "1")
ok(p.returncode == 0 and len(p.stdout.strip().splitlines()) == 2, "history -n 1: one row", p)
deadline = time.monotonic() + 10
while True:
    p = cli("history", "show", rid)
    if all(names[s] in p.stdout for s in (fast, slow, ipv4)) or time.monotonic() > deadline:
        break
    time.sleep(0.3)
ok(p.returncode == 0 and data in p.stdout and "DOMAIN" in p.stdout,
   "history show: the lookup", p)
ok(all(names[s] in p.stdout for s in (fast, slow, ipv4)) and
   "skipped" in row(p.stdout, ipv4) and "ok" in row(p.stdout, fast),
   "history show: each source's stored result", p.stdout)
p = cli("history", "show", "zzzzzzzzzzzz")
ok(p.returncode == 1 and "404" in p.stderr, "history show of no lookup exits 1", p)

# --- sources -----------------------------------------------------------

mine = make_source()
mslug = get("/api/v1/sources/%s" % mine).json()["slug"]
p = cli("sources", "ls")
ok(p.returncode == 0 and any(l.split()[:3] == [mine, mslug, "yes"]
                             for l in p.stdout.splitlines()), "sources ls", p.stdout[:300])
p = cli("sources", "ls", "-q")
ok(p.returncode == 0 and mslug in p.stdout.split(), "sources ls -q: slugs", p)
p = cli("sources", "show", mslug)
try:
    shown = json.loads(p.stdout)
except ValueError:
    shown = {}
ok(p.returncode == 0 and shown.get("id") == mine, "sources show by slug", p)
p = cli("sources", "show", mine)
ok(p.returncode == 0 and json.loads(p.stdout).get("slug") == mslug, "sources show by id", p)
p = cli("sources", "disable", mslug)
ok(p.returncode == 0 and get("/api/v1/sources/%s" % mine).json()["enabled"] is False,
   "sources disable", p)
ls = lines_of(cli("lookup", "-s", mine, data)) or []
ok(ls and ls[0].get("errors") == [{"kind": "SOURCE_DISABLED"}],
   "a disabled source is skipped", ls)
p = cli("sources", "enable", mine)
ok(p.returncode == 0 and get("/api/v1/sources/%s" % mine).json()["enabled"] is True,
   "sources enable (by id)", p)
p = cli("sources", "show", "no-such-source-" + tag)
ok(p.returncode == 1, "sources show of no source exits 1", p)
p = cli("sources", "show", "Not A Slug")
ok(p.returncode == 2, "sources show of a malformed name exits 2", p)

# --- ignore lists ------------------------------------------------------

r = request("POST", "/api/v1/ignoreLists", body={"name": "CLI list " + tag})
lid, lslug = r.json()["id"], r.json()["slug"]
ipdom = make_source(kinds=("IPV4", "DOMAIN"))
request("PUT", "/api/v1/ignoreLists/%s/sources" % lid, body=[ipdom])
p = cli("ignore", "ls")
ok(p.returncode == 0 and any(l.split()[:2] == [lid, lslug] for l in p.stdout.splitlines()),
   "ignore ls lists the list", p.stdout[:300])
entries = ["10.%d.0.0/16" % (len(tag) + 40), "*.%s.example.org" % tag,
           "exact-%s.example.net" % tag, "2001:db8:abcd::/48"]
p = cli("ignore", "add", lslug, *entries)
added = [l.split() for l in p.stdout.splitlines()[1:]]
ok(p.returncode == 0 and len(added) == 4, "ignore add: four entries", p)
kinds = {a[2]: a[1] for a in added if len(a) == 3}
ok(kinds == {entries[0]: "IPV4", entries[1]: "DOMAIN", entries[2]: "DOMAIN",
             entries[3]: "IPV6"}, "their kinds: CIDR, *.suffix, exact", kinds)
p = cli("ignore", "ls", lid)
ok(p.returncode == 0 and all(e in p.stdout for e in entries), "ignore ls LIST (by id)", p)
p = cli("ignore", "ls", "-q", lslug)
eids = p.stdout.split()
ok(p.returncode == 0 and len(eids) == 4, "ignore ls -q LIST: the entry ids", p)
for what, ind in (("CIDR", "10.%d.2.3" % (len(tag) + 40)),
                  ("*.suffix", "deep.sub.%s.example.org" % tag),
                  ("exact", "exact-%s.example.net" % tag)):
    ls = lines_of(cli("lookup", "-s", ipdom, ind)) or []
    ok(ls and ls[0].get("errors", [{}])[0].get("kind") == "WITHIN_IGNORE_LIST",
       "the %s entry is honoured" % what, ls)
p = cli("ignore", "add", "-k", "DOMAIN", lslug, "Not A Domain!")
ok(p.returncode == 1 and "422" in p.stderr, "a bad entry: the server's 422, exit 1", p)
p = cli("ignore", "add", lslug, entries[2])
ok(p.returncode == 1 and "409" in p.stderr, "a duplicate entry: 409, exit 1", p)
gone = [a[0] for a in added if len(a) == 3 and a[2] == entries[2]]
p = cli("ignore", "rm", lslug, gone[0] if gone else "x")
ok(p.returncode == 0, "ignore rm", p)
p = cli("ignore", "ls", lslug)
ok(entries[2] not in p.stdout and entries[0] in p.stdout, "the entry is gone", p.stdout)
ls = lines_of(cli("lookup", "-s", ipdom, entries[2])) or []
ok(ls and ls[0].get("event") == "fetching_data", "and no longer ignored", ls)
p = cli("ignore", "rm", lslug, gone[0] if gone else "x")
ok(p.returncode == 1 and "404" in p.stderr, "ignore rm of no entry exits 1", p)
p = cli("ignore", "ls", "no-such-list-" + tag)
ok(p.returncode == 1, "ignore ls of no list exits 1", p)

# --- tokens ------------------------------------------------------------

note = "cli token " + tag
p = cli("tokens", "add", "-e", "30d", note)
newtok = p.stdout.strip()
ok(p.returncode == 0 and re.fullmatch(r"[0-9a-z]{12}_[A-Za-z0-9]{32}", newtok),
   "tokens add prints <id>_<secret>", p)
tid = newtok.split("_")[0]
p = cli("tokens", "ls", IOCAGG_TOKEN=newtok)
row_ = [l for l in p.stdout.splitlines() if l.startswith(tid)]
ok(p.returncode == 0 and row_ and note in row_[0], "the new token works; tokens ls lists it", p)
ok(row_ and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row_[0].split(None, 3)[3] if len(row_[0].split(None, 3)) > 3 else ""),
   "with its expiry", row_)
p = cli("tokens", "add", "-e", "2031-01-02", note + " dated")
ok(p.returncode == 0, "tokens add -e YYYY-MM-DD", p)
dated = p.stdout.strip().split("_")[0]
p = cli("tokens", "add", note)
ok(p.returncode == 1 and "409" in p.stderr, "a repeated note: 409, exit 1", p)
p = cli("tokens", "rm", tid)
ok(p.returncode == 0, "tokens rm", p)
p = cli("tokens", "ls", IOCAGG_TOKEN=newtok)
ok(p.returncode == 3, "the deleted token is refused: exit 3", p)
p = cli("tokens", "rm", tid)
ok(p.returncode == 1 and "404" in p.stderr, "tokens rm of no token exits 1", p)
cli("tokens", "rm", dated)

shutil.rmtree(home, ignore_errors=True)
done()
