#!/usr/bin/python3
"""tests/integ/t0660-openapi.py -- the OpenAPI document of
htdocs/api-docs/openapi.json against the code and the running stack:

  * the document is OpenAPI 3.1.x JSON whose operations all have
    responses, an x-iocagg-role, their path parameters and resolvable
    references;
  * route coverage both ways: every (method, path) of every route
    table in fcgi/*.c is documented, and every documented operation is
    in a route table (groups still a placeholder are skipped);
  * the role of each operation is the role of its route;
  * the RBAC matrix through NGINX, with an id that names nothing and a
    minimal body: no credentials, a user without roles, a user with
    exactly the route's role, and the admin;
  * /api/v1/docs serves the viewer and the document without
    credentials."""

import glob
import http.client
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iocaggtest import (URL, TOKEN, ctl, done, letters,  # noqa: E402
                        need_stack, ok)

need_stack()

SRC = os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PREFIX = "/api/v1"
UNKNOWN = "zzzzzzzzzzzz"        # a valid id that names nothing
VERBS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


# --- The route tables --------------------------------------------------------

def strip_comments(text):
    """C source without comments; string literals kept as they are."""
    return re.sub(r'"(?:\\.|[^"\\])*"|/\*.*?\*/|//[^\n]*',
                  lambda m: m.group(0) if m.group(0)[0] == '"' else " ",
                  text, flags=re.S)


def defines(text):
    """The object-like "#define NAME value" lines of a file."""
    return {m.group(1): m.group(2).strip() for m in re.finditer(
        r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+([^\n]+)$", text,
        re.M)}


with open(os.path.join(SRC, "lib", "auth.h")) as fh:
    AUTH_H = strip_comments(fh.read())
ROLE_NAMES = {k: json.loads(v) for k, v in defines(AUTH_H).items()
              if k.startswith("ROLE_") and v.startswith('"')}


def resolve(tok, defs, depth=0):
    """A token through the file's and auth.h's macros."""
    tok = tok.strip()
    while tok.startswith("(") and tok.endswith(")"):
        tok = tok[1:-1].strip()
    if depth < 10 and tok in defs:
        return resolve(defs[tok], defs, depth + 1)
    return tok


def c_string(expr, defs):
    """Adjacent string literals, and macros naming them, concatenated."""
    out = ""
    for m in re.finditer(r'"((?:\\.|[^"\\])*)"|([A-Za-z_]\w*)', expr):
        if m.group(1) is not None:
            out += m.group(1)
        else:
            out += c_string(resolve(m.group(2), defs), defs)
    return out


def split_fields(entry):
    """The comma-separated fields of one initializer, quote-aware."""
    fields, cur, depth, instr, i = [], "", 0, False, 0
    while i < len(entry):
        c = entry[i]
        cur += c
        if instr:
            if c == "\\":
                cur += entry[i + 1]
                i += 1
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            fields.append(cur[:-1].strip())
            cur = ""
        i += 1
    if cur.strip():
        fields.append(cur.strip())
    return fields


def routes_of(path):
    """The entries of the route table of one fcgi/*.c, or None."""
    with open(path) as fh:
        text = strip_comments(fh.read())
    defs = dict(defines(AUTH_H))
    defs.update(defines(text))
    m = re.search(r"static\s+const\s+struct\s+route\s+\w+\s*\[\s*\]\s*="
                  r"\s*\{(.*?)\}\s*;", text, re.S)
    if m is None:
        return None
    out = []
    for e in re.finditer(r"\{([^{}]*)\}", m.group(1)):
        f = split_fields(e.group(1))
        if len(f) < 4:
            continue
        methods = {resolve(t, defs) for t in f[0].split("|")}
        verbs = [v for v in VERBS if "METHOD_" + v in methods]
        if "METHOD_HEAD" in methods and "METHOD_GET" not in methods:
            verbs.append("HEAD")
        role_tok = resolve(f[3], defs)
        if role_tok in ("NULL", "0"):
            role = None
        elif role_tok.startswith('"'):
            role = c_string(role_tok, defs)
        else:
            role = ROLE_NAMES.get(role_tok, "?" + role_tok)
        flags = {resolve(t, defs) for t in f[4].split("|")} \
            if len(f) > 4 else set()
        out.append({"verbs": verbs, "pattern": c_string(f[1], defs),
                    "role": role, "public": "ROUTE_PUBLIC" in flags,
                    "stream": "ROUTE_STREAM" in flags})
    return out


def doc_path(pattern):
    """"/api/v1/users/:id" -> "/users/{id}"."""
    p = pattern[len(PREFIX):] if pattern.startswith(PREFIX) else pattern
    return re.sub(r":(\w+)", r"{\1}", p) or "/"


def group_of(path):
    """"/users/{id}" -> "users": the route group, by its first segment."""
    return path.strip("/").split("/")[0]


code_ops = {}           # (METHOD, path) -> route
skipped_groups = set()
live_groups = set()
for f in sorted(glob.glob(os.path.join(SRC, "fcgi", "*.c"))):
    rel = os.path.relpath(f, SRC)
    rs = routes_of(f)
    if not rs:
        ok(False, "%s: a route table is found" % rel)
        continue
    if len(rs) == 1 and rs[0]["pattern"].endswith("/-"):
        skipped_groups.add(group_of(doc_path(rs[0]["pattern"])))
        print("# %s: a placeholder, skipped" % rel)
        continue
    for r in rs:
        p = doc_path(r["pattern"])
        live_groups.add(group_of(p))
        for v in r["verbs"]:
            # The first route of a table that matches wins.
            code_ops.setdefault((v, p), dict(r, file=rel))
ok(len(code_ops) > 0, "the route tables of fcgi/*.c are read (%d "
   "operations; %d placeholder groups skipped)" % (len(code_ops),
                                                   len(skipped_groups)))


# --- The document ------------------------------------------------------------

DOC_FILE = os.path.join(SRC, "htdocs", "api-docs", "openapi.json")
try:
    with open(DOC_FILE) as fh:
        doc = json.load(fh)
    ok(isinstance(doc, dict), "openapi.json is valid JSON")
except (OSError, ValueError) as e:
    ok(False, "openapi.json is valid JSON", e)
    done()

ok(re.fullmatch(r"3\.1\.\d+", str(doc.get("openapi", ""))) is not None,
   "the document is OpenAPI 3.1.x", doc.get("openapi"))
info = doc.get("info", {})
ok(info.get("title") == "iocagg REST API" and info.get("version"),
   "info has the title and a version", info.get("title"))
ok([s.get("url") for s in doc.get("servers", [])] == [PREFIX],
   "the one server is /api/v1", doc.get("servers"))
sch = doc.get("components", {}).get("securitySchemes", {})
ok(sch.get("token", {}).get("type") == "apiKey"
   and sch["token"].get("in") == "header"
   and sch["token"].get("name") == "Authorization"
   and sch.get("bearer", {}).get("type") == "http"
   and sch["bearer"].get("scheme") == "bearer"
   and sch.get("basic", {}).get("type") == "http"
   and sch["basic"].get("scheme") == "basic",
   "security schemes token, bearer and basic", sch)
want = ["Provider", "Source", "CreateSource", "IgnoreList",
        "IgnoreListEntry", "Secret", "SourceSecret", "Request",
        "SourceRequest", "User", "UserLog", "ApiToken", "LookupResult",
        "SourceError", "ServerConfigEntry", "Error"]
have = doc.get("components", {}).get("schemas", {})
ok(all(n in have for n in want), "the component schemas are there",
   [n for n in want if n not in have])
err = have.get("Error", {}).get("properties", {}).get("error", {})
ok(sorted(err.get("required", [])) == ["code", "message"],
   "Error is {error: {code, message}}", err)


def lookup_ref(ref):
    t = doc
    for part in ref[2:].split("/"):
        t = t[part.replace("~1", "/").replace("~0", "~")]
    return t


bad_refs = []


def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "$ref" and isinstance(v, str):
                try:
                    if not v.startswith("#/"):
                        raise KeyError(v)
                    lookup_ref(v)
                except (KeyError, TypeError, IndexError):
                    bad_refs.append(v)
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)


walk(doc)
ok(not bad_refs, "every $ref resolves", sorted(set(bad_refs)))

known_roles = set(ROLE_NAMES.values())
tag_names = [t.get("name") for t in doc.get("tags", [])]
doc_ops = {}            # (METHOD, path) -> operation
problems = []
for path, item in doc.get("paths", {}).items():
    for m, o in item.items():
        if m.upper() not in VERBS + ["HEAD"]:
            continue
        doc_ops[(m.upper(), path)] = o
        name = "%s %s" % (m.upper(), path)
        if not isinstance(o.get("responses"), dict) or not o["responses"]:
            problems.append(name + ": no responses")
        if "x-iocagg-role" not in o:
            problems.append(name + ": no x-iocagg-role")
        elif o["x-iocagg-role"] not in known_roles | {None, "public"}:
            problems.append(name + ": unknown role %r" % o["x-iocagg-role"])
        params = []
        for prm in item.get("parameters", []) + o.get("parameters", []):
            try:
                params.append(lookup_ref(prm["$ref"]) if "$ref" in prm
                              else prm)
            except (KeyError, TypeError):
                problems.append(name + ": a dangling parameter")
        declared = sorted(x.get("name") for x in params
                          if x.get("in") == "path" and x.get("required"))
        if declared != sorted(re.findall(r"\{(\w+)\}", path)):
            problems.append(name + ": path parameters %r" % declared)
        for code in o.get("responses", {}):
            if not re.fullmatch(r"[1-5]\d\d|default", code):
                problems.append(name + ": response key %r" % code)
        tags = o.get("tags") or []
        if len(tags) != 1 or tags[0] not in tag_names:
            problems.append(name + ": tags %r" % tags)
        if o.get("x-iocagg-role") == "public":
            if o.get("security") != []:
                problems.append(name + ": public but has security")
        elif "security" in o and not o["security"]:
            problems.append(name + ": not public but no security")
ok(not problems, "every operation has responses, x-iocagg-role, its "
   "path parameters and one declared tag (%d operations)" % len(doc_ops),
   "\n".join(problems))


# --- Coverage both ways, and the roles ---------------------------------------

def role_of(route):
    return "public" if route["public"] else route["role"]


by_file = {}
for key, r in code_ops.items():
    by_file.setdefault(r["file"], []).append(key)
for rel, keys in sorted(by_file.items()):
    missing = ["%s %s" % k for k in sorted(keys) if k not in doc_ops]
    ok(not missing, "%s: every route is documented" % rel,
       "\n".join(missing))
    wrong = ["%s %s: code %r, document %r" % (
        k + (role_of(code_ops[k]), doc_ops[k].get("x-iocagg-role")))
        for k in sorted(keys) if k in doc_ops
        and doc_ops[k].get("x-iocagg-role") != role_of(code_ops[k])]
    ok(not wrong, "%s: the document gives each route's role" % rel,
       "\n".join(wrong))

extra, waiting = [], []
for k in sorted(doc_ops):
    if k in code_ops:
        continue
    g = group_of(k[1])
    (waiting if g in skipped_groups and g not in live_groups
     else extra).append("%s %s" % k)
ok(not extra, "every documented operation is in a route table",
   "\n".join(extra))
if waiting:
    print("# %d documented operations of placeholder groups not "
          "checked" % len(waiting))


# --- The RBAC matrix ---------------------------------------------------------

base = urllib.parse.urlsplit(URL)


def call(method, path, auth=None, body=None, stream=False):
    """(status, headers, text) of one request; redirects are not
    followed, and of an event stream only the head is read."""
    conn = http.client.HTTPConnection(base.hostname, base.port or 80,
                                      timeout=60)
    h = {"User-Agent": "iocagg-tests", "Accept": "*/*"}
    data = None
    if auth:
        h["Authorization"] = "Token " + auth
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = "" if stream and r.status == 200 else \
            r.read().decode("utf-8", "replace")
        return r.status, r.headers, text
    except OSError as e:
        return 0, {}, str(e)
    finally:
        conn.close()


def body_for(method, path):
    """{} or, for the routes that take an array (PUT replaces), []."""
    if method not in ("POST", "PUT", "PATCH"):
        return None
    o = doc_ops.get((method, path), {})
    s = o.get("requestBody", {}).get("content", {}).get(
        "application/json", {}).get("schema")
    for _ in range(10):
        if not (isinstance(s, dict) and "$ref" in s):
            break
        s = lookup_ref(s["$ref"])
    if isinstance(s, dict) and s.get("type") == "array":
        return []
    if isinstance(s, dict):
        return {}
    return [] if method == "PUT" else {}


def asked_for_credentials(st, hdrs):
    """The 401 of route_dispatch(), which names the scheme."""
    return st == 401 and "realm" in (hdrs.get("WWW-Authenticate") or "")


def user_with(roles):
    email = "rbac-%s-%s@example.org" % (
        "-".join(roles).replace("_", "") or "none", letters(6))
    args = ["user", "add"]
    for r in roles:
        args += ["-r", r]
    res = ctl(*(args + [email]))
    tok = ctl("token", "add", email, "rbac")
    ok(res.returncode == 0 and tok.returncode == 0,
       "a user with the roles %s and a token" % (roles or "(none)"),
       res.stderr + tok.stderr)
    return tok.stdout.strip()


route_roles = sorted({r["role"] for r in code_ops.values()
                      if r["role"] is not None and not r["public"]})
nobody = user_with([])
holder = {role: user_with([role]) for role in route_roles}

for (method, path), r in sorted(code_ops.items()):
    name = "%s %s" % (method, path)
    url = PREFIX + re.sub(r"\{\w+\}", UNKNOWN, path)
    body = body_for(method, path)
    role = role_of(r)
    st, hd, text = call(method, url, None, body, r["stream"])
    if role == "public":
        # Authentication is never consulted: only (a) means something.
        ok(st not in (0, 403) and not asked_for_credentials(st, hd),
           "%s is public: no credentials needed (%d)" % (name, st),
           text[:300])
        continue
    ok(st == 401, "%s without credentials: 401" % name,
       "%d %s" % (st, text[:300]))
    st, hd, text = call(method, url, nobody, body, r["stream"])
    if role is None:
        ok(st not in (0, 401, 403), "%s is for any user: a user without "
           "roles is let in (%d)" % (name, st), text[:300])
    else:
        ok(st == 403, "%s needs %s: a user without roles gets 403" % (
            name, role), "%d %s" % (st, text[:300]))
        st, hd, text = call(method, url, holder[role], body, r["stream"])
        ok(st not in (0, 401, 403), "%s: a user with only %s is let in "
           "(%d)" % (name, role, st), text[:300])
    st, hd, text = call(method, url, TOKEN, body, r["stream"])
    ok(st not in (0, 401, 403), "%s: the admin is let in (%d)" % (name, st),
       text[:300])


# --- The documentation routes ------------------------------------------------

st, hd, text = call("GET", PREFIX + "/docs")
ok(st == 200 and (hd.get("Content-Type") or "").startswith("text/html")
   and "<html" in text and "/api/v1/docs/docs.js" in text,
   "GET /api/v1/docs: the HTML viewer, without credentials", st)
ok(not re.search(r"<script(?![^>]*\ssrc=)", text, re.I)
   and not re.search(r"<[^>]*\son[a-z]+\s*=", text, re.I),
   "the viewer has no inline script or event handler (CSP)")
st, hd, text = call("GET", PREFIX + "/docs/openapi.json")
try:
    served = json.loads(text)
except ValueError:
    served = None
ok(st == 200 and (hd.get("Content-Type") or "").startswith(
    "application/json") and served == doc,
   "GET /api/v1/docs/openapi.json: this document, without credentials",
   st)
for f, ct in (("docs.js", "text/javascript"), ("docs.css", "text/css")):
    st, hd, text = call("GET", PREFIX + "/docs/" + f)
    ok(st == 200 and (hd.get("Content-Type") or "").startswith(ct)
       and len(text) > 0, "GET /api/v1/docs/%s: %s" % (f, ct), st)
st, hd, text = call("GET", PREFIX + "/docs/nothing.txt")
try:
    code = json.loads(text)["error"]["code"]
except (ValueError, KeyError, TypeError):
    code = None
ok(st == 404 and code == "not_found", "another file under /docs: 404 JSON",
   st)

done()
