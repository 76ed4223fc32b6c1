#!/usr/bin/python3
# tests/t-manroutes.py -- the manual pages against the programs:
#  1. every route (method and path) of the OpenAPI document,
#     htdocs/api-docs/openapi.json, is described in a manual page, as an
#     ".It Cm METHOD Pa /api/v1/..." item, path parameters written
#     "Ns Ar name";
#  2. every option in the usage a built program prints (run with -h:
#     help, or an invalid option, to each of them) appears in the
#     SYNOPSIS of its page: man/<program>.[1-8], or iocagg-fcgi(8) for a
#     FastCGI program without a page of its own;
#  3. groff renders every page without a warning.
# The programs: fcgi/iocagg-*, tools/iocagg, tools/iocaggctl, the
# runners and daemons/iocagg-*, those that are built.
import glob
import json
import os
import re
import subprocess
import sys

top_srcdir = os.environ.get("top_srcdir") or \
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
top_builddir = os.environ.get("top_builddir") or top_srcdir

n = 0
failed = 0


def t(ok, name, diag=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if not ok:
        failed += 1
        for line in (diag or "").splitlines():
            print("# " + line)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MACRO = re.compile(r"^[A-Z][a-z]{1,2}$")


def tokens(line):
    """The arguments of an mdoc macro line, quotes honoured."""
    out = []
    for m in re.finditer(r'"((?:[^"]|"")*)"|(\S+)', line):
        out.append(m.group(1) if m.group(1) is not None else m.group(2))
    return out


def norm(path):
    """A route path with each parameter as {}."""
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def man_routes(page):
    """(method, path) of every route item of a page."""
    routes = set()
    with open(page, encoding="utf-8") as f:
        for line in f:
            if not line.startswith(".It Cm "):
                continue
            tok = tokens(line[len(".It"):])
            methods, path, i = [], None, 0
            # "Cm GET Ns | Ns Cm POST Pa /api/v1/..."
            while i < len(tok):
                if tok[i] == "Cm" and i + 1 < len(tok) and \
                        tok[i + 1] in METHODS:
                    methods.append(tok[i + 1])
                    i += 2
                elif tok[i] in ("Ns", "|"):
                    i += 1
                else:
                    break
            if not methods or i >= len(tok) or tok[i] != "Pa":
                continue
            path = ""
            while i < len(tok):
                if tok[i] in ("Op", "Oo", "Ql", "Li"):
                    break		# the query string
                if tok[i] in ("Pa", "Ns"):
                    i += 1
                    continue
                if tok[i] == "Ar" and i + 1 < len(tok):
                    path += "{}"
                    i += 2
                    continue
                path += tok[i]
                i += 1
            path = path.split("?", 1)[0]
            for m in methods:
                routes.add((m, norm(path)))
    return routes


def synopsis_options(page):
    """Short option letters and long option names in a page's SYNOPSIS."""
    letters, longs = set(), set()
    insyn = False
    with open(page, encoding="utf-8") as f:
        for line in f:
            if line.startswith(".Sh "):
                insyn = line.strip() == ".Sh SYNOPSIS"
                continue
            if not insyn or not line.startswith("."):
                continue
            tok = tokens(line[1:])
            i = 0
            while i < len(tok):
                if tok[i] != "Fl":
                    i += 1
                    continue
                i += 1
                while i < len(tok) and not MACRO.match(tok[i]):
                    fl = tok[i]
                    if fl.startswith("\\-") or fl.startswith("-"):
                        longs.add(fl.lstrip("\\-"))
                    elif fl not in ("|", "...", ","):
                        letters.update(fl)
                    i += 1
    return letters, longs


def usage_options(text):
    """Options of a usage text: the lines from "usage:" on."""
    letters, longs = set(), set()
    lines = text.splitlines()
    start = next((k for k, l in enumerate(lines)
                  if l.lstrip().lower().startswith("usage:")), None)
    if start is None:
        return None
    prog = None
    for l in lines[start:]:
        s = l.strip()
        if s.lower().startswith("usage:"):
            s = s[6:].strip()
            prog = s.split()[0] if s else None
        elif not prog or not s.startswith(prog + " ") and s != prog:
            break	# the end of the synopsis lines
        for m in re.finditer(r"(?<![\w-])--([A-Za-z][\w-]*)", s):
            longs.add(m.group(1))
        for m in re.finditer(r"(?<![\w-])-([A-Za-z0-9]+)", s):
            letters.update(m.group(1))
    return letters, longs


def programs():
    pats = ["fcgi/iocagg-*", "tools/iocagg", "tools/iocaggctl",
            "runners/*/iocagg-*", "daemons/iocagg-*"]
    for p in pats:
        for f in sorted(glob.glob(os.path.join(top_builddir, p))):
            if os.path.isfile(f) and os.access(f, os.X_OK) and \
                    "." not in os.path.basename(f):
                yield f


# 1. Routes.
spec_path = os.path.join(top_srcdir, "htdocs", "api-docs", "openapi.json")
with open(spec_path, encoding="utf-8") as f:
    spec = json.load(f)
base = (spec.get("servers") or [{"url": ""}])[0]["url"].rstrip("/")
pages = sorted(glob.glob(os.path.join(top_srcdir, "man", "*.[1-8]")))
documented = {}
for page in pages:
    for r in man_routes(page):
        documented.setdefault(r, []).append(os.path.basename(page))
spec_routes = []
for path, item in spec.get("paths", {}).items():
    for method in item:
        if method.upper() in METHODS:
            spec_routes.append((method.upper(), base + path))
t(len(spec_routes) > 0, "routes found in openapi.json (%d)" % len(spec_routes))
t(len(documented) > 0, "routes found in the manual pages (%d)" % len(documented))
for method, path in sorted(spec_routes, key=lambda r: (r[1], r[0])):
    where = documented.get((method, norm(path)))
    t(where is not None, "%s %s is in a manual page%s" %
      (method, path, " (%s)" % ", ".join(where) if where else ""))

# 2. Options.
env = dict(os.environ, IOCAGG_CONF="/nonexistent/iocagg.conf")
progs = list(programs())
t(len(progs) > 0, "built programs found (%d)" % len(progs))
for prog in progs:
    name = os.path.basename(prog)
    page = None
    for sec in "18":
        cand = os.path.join(top_srcdir, "man", "%s.%s" % (name, sec))
        if os.path.exists(cand):
            page = cand
            break
    if page is None and "/fcgi/" in prog:
        page = os.path.join(top_srcdir, "man", "iocagg-fcgi.8")
    if page is None or not os.path.exists(page):
        t(False, "%s has a manual page" % name)
        continue
    try:
        r = subprocess.run([prog, "-h"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=10)
        out = r.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        out = ""
    opts = usage_options(out)
    t(opts is not None, "%s -h prints a usage" % name, out[:500])
    if opts is None:
        continue
    letters, longs = synopsis_options(page)
    missing = sorted("-" + c for c in opts[0] - letters) + \
        sorted("--" + o for o in opts[1] - longs)
    t(not missing, "%s: every option of its usage is in the SYNOPSIS of %s"
      % (name, os.path.basename(page)),
      "missing: " + " ".join(missing))

# 3. groff renders every page without a warning (what lintian's
# groff-message reports; mandoc -Tlint, in t-mandoc.sh, is laxer about
# some macro layouts and escapes).
try:
    for page in pages:
        r = subprocess.run(["groff", "-mandoc", "-Tutf8", "-ww", "-z", page],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        msg = r.stdout.decode("utf-8", "replace").strip()
        t(r.returncode == 0 and not msg, "groff -ww %s is quiet" %
          os.path.basename(page), msg)
except FileNotFoundError:
    print("# groff not installed: pages not rendered")

print("1..%d" % n)
sys.exit(1 if failed else 0)
