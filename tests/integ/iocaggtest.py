"""tests/integ/iocaggtest.py -- a small TAP library for the black-box
tests.  They talk HTTP to the stack "tools/devstack test" started (its
URL and admin token arrive in IOCAGG_TEST_URL and IOCAGG_TEST_TOKEN) and
skip (a "1..0 # SKIP" plan) when there is none.  Standard library only: these run
under Debian's /usr/bin/python3."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

URL = os.environ.get("IOCAGG_TEST_URL")
TOKEN = os.environ.get("IOCAGG_TEST_TOKEN")

_n = 0
_failed = 0


def need_stack():
    if not URL or not TOKEN:
        print("1..0 # SKIP no test stack (run tools/devstack test)")
        sys.exit(0)   # the TAP plan says SKIP; 77 is not TAP


def need_mock():
    """need_stack(), and a stack whose sources call the mock upstream."""
    need_stack()
    if not os.environ.get("IOCAGG_TEST_MOCK"):
        print("1..0 # SKIP the stack runs without the mock upstream")
        sys.exit(0)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:200])


def request(method, path, token=None, body=None, headers=None,
            auth=True, timeout=20):
    """One HTTP request; never raises for an HTTP status."""
    h = {"User-Agent": "iocagg-tests"}
    if auth:
        h["Authorization"] = "Token " + (TOKEN if token is None else token)
    if headers:
        h.update(headers)
    data = None
    if body is not None:
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        else:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(URL + path, data=data, method=method,
                                 headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read().decode("utf-8", "replace"))


def get(path, **kw):
    return request("GET", path, **kw)


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
    return cond


def is_error(resp, status, code, name):
    """The response is the suite's one JSON error shape."""
    j = resp.json()
    good = (resp.status == status and isinstance(j, dict)
            and isinstance(j.get("error"), dict)
            and j["error"].get("code") == code
            and isinstance(j["error"].get("message"), str)
            and resp.headers.get("Content-Type", "").startswith("application/json"))
    return ok(good, name, resp)


def psql(sql):
    """Run SQL against the test database (for setup and checks)."""
    state = os.environ["IOCAGG_TEST_STATE"]
    conf = {}
    with open(os.path.join(state, "iocagg.conf")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                conf[k.strip()] = v.strip().strip('"')
    return subprocess.run(["psql", "-Atq", "-v", "ON_ERROR_STOP=1",
                           "-d", conf["database_url"], "-c", sql],
                          check=True, capture_output=True,
                          text=True).stdout.strip()


def ctl(*args, stdin=None):
    """Run iocaggctl from the build tree against the test stack."""
    top = os.environ.get("top_builddir", ".")
    env = dict(os.environ)
    env["IOCAGG_CONF"] = os.path.join(os.environ["IOCAGG_TEST_STATE"], "iocagg.conf")
    return subprocess.run([os.path.join(top, "tools", "iocaggctl")] + list(args),
                          input=stdin, capture_output=True, text=True, env=env)


def role_user(roles, note="test"):
    """A new user with "roles" (iocaggctl user add) and an API token of
    its own: (email, token).  "note" names the token and starts the
    e-mail address."""
    email = "%s-%s@example.org" % (note, letters())
    args = ["user", "add"]
    for role in roles:
        args += ["-r", role]
    ctl(*(args + [email]))
    return email, ctl("token", "add", email, note).stdout.strip()


def done():
    print("1..%d" % _n)
    sys.exit(1 if _failed else 0)


# --- Lookup helpers -------------------------------------------------------

MOCK = os.environ.get("IOCAGG_TEST_MOCK")


def letters(n=8):
    """A random lowercase word: slugs allow letters only."""
    import random
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz")
                   for _ in range(n))


def sql_lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "ARRAY[%s]::text[]" % ",".join(sql_lit(x) for x in v) \
            if v else "'{}'::text[]"
    return "'" + str(v).replace("'", "''") + "'"


def make_source(kinds=("DOMAIN",), url=None, builtin="http_json", **cols):
    """Insert a source row (the management API is its own issue) and
    return its id.  url defaults to the mock's generic endpoint."""
    name = "Test " + letters()
    row = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "description": "",
        "url": url or (MOCK + "/generic/{data}"),
        "supported_indicators": list(kinds),
        "kind": "system",
        "builtin": builtin,
    }
    row.update(cols)
    keys = ", ".join(row.keys())
    vals = ", ".join(sql_lit(v) for v in row.values())
    return psql("INSERT INTO sources (%s, created_user_id) SELECT %s, id "
                "FROM users WHERE email = 'system@iocagg.invalid' "
                "RETURNING id" % (keys, vals))


def lookup(data, kind=None, ids=None, token=None, timeout=40, **params):
    import urllib.parse
    q = {"data": data}
    if kind:
        q["kind"] = kind
    if ids:
        q["sourceIds"] = ",".join(ids)
    q.update({k: ("true" if v is True else v) for k, v in params.items()})
    return get("/api/v1/requests/execute?" + urllib.parse.urlencode(q),
               token=token, timeout=timeout)


def by_source(resp):
    return {r["source"]["id"]: r for r in (resp.json() or [])}


def error_kinds(result):
    return [e["kind"] for e in result.get("errors", [])]


def mock_stats():
    with urllib.request.urlopen(MOCK + "/_stats", timeout=5) as r:
        return json.loads(r.read())


def mock_count(fragment):
    """Calls the mock received on paths containing "fragment"."""
    return sum(n for p, n in mock_stats()["paths"].items() if fragment in p)


def cgi(path, query="", env=None, method="GET", token=None):
    """Run iocagg-requests as a CGI program against the test database,
    with extra configuration in "env" (e.g. no Redis); returns
    (status, headers+body text)."""
    top = os.environ.get("top_builddir", ".")
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
         "IOCAGG_CONF": os.path.join(os.environ["IOCAGG_TEST_STATE"], "iocagg.conf"),
         "REQUEST_METHOD": method, "DOCUMENT_URI": path,
         "QUERY_STRING": query,
         "HTTP_AUTHORIZATION": "Token " + (token or TOKEN)}
    e.update(env or {})
    p = subprocess.run([os.path.join(top, "fcgi", "iocagg-requests")],
                       env=e, capture_output=True, text=True, timeout=120)
    out = p.stdout
    status = 0
    if out.startswith("Status: "):
        status = int(out[8:11])
    return status, out


def sse_events(query, timeout=60):
    """The events of one SSE lookup (GET /requests/execute/sse?"query"):
    [(event, id, data)]."""
    import http.client
    import urllib.parse
    u = urllib.parse.urlparse(URL)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    c.request("GET", "/api/v1/requests/execute/sse?" + query,
              headers={"Authorization": "Token " + TOKEN})
    text = c.getresponse().read().decode()
    c.close()
    evs = []
    for block in text.split("\n\n"):
        ev = {}
        for line in block.split("\n"):
            if ":" in line and not line.startswith(":"):
                k, v = line.split(":", 1)
                ev[k] = v[1:] if v.startswith(" ") else v
        if "event" in ev:
            evs.append((ev["event"], ev.get("id"), json.loads(ev["data"])))
    return evs


# --- Built-in sources against the mock upstream ----------------------------

_made_sources, _made_secrets = [], []


def seeded(builtin):
    """The id of the seeded source of "builtin"."""
    return psql("SELECT id FROM sources WHERE builtin = '%s' AND kind = "
                "'system' ORDER BY created_at LIMIT 1" % builtin)


def drop_made():
    """Delete the sources and secrets test_source() made (at exit too)."""
    if _made_sources:
        psql("DELETE FROM sources WHERE id IN (%s)" %
             ",".join("'%s'" % x for x in _made_sources))
    if _made_secrets:
        psql("DELETE FROM secrets WHERE id IN (%s)" %
             ",".join("'%s'" % x for x in _made_secrets if x))
    del _made_sources[:], _made_secrets[:]


def test_source(builtin, kinds, slot=None, key=None, config=None, **cols):
    """A source row of its own for "builtin": its own pauses, timeout,
    config values ({name: value}) and (when "slot") its own secret "key"
    in that slot.  Deleted by drop_made(), at the latest at exit."""
    if not _made_sources and not _made_secrets:
        import atexit
        atexit.register(drop_made)
    if config is not None:
        cols["config_values"] = json.dumps([{"name": k, "value": v}
                                            for k, v in config.items()])
    sid = make_source(kinds=kinds, builtin=builtin, **cols)
    _made_sources.append(sid)
    if slot is not None:
        name = "%s_%s" % (os.path.basename(sys.argv[0]).split("-")[0].upper(),
                          letters(12).upper())
        r = ctl("secret", "set", name, stdin=key + "\n")
        sec = r.stdout.split()[-1] if r.returncode == 0 else None
        ok(sec is not None, "secret %s stored" % name, r.stderr)
        _made_secrets.append(sec)
        psql("INSERT INTO source_secrets (name, required, secret_id, "
             "source_id, created_user_id) SELECT '%s', true, '%s', '%s', id "
             "FROM users WHERE email = 'system@iocagg.invalid'"
             % (slot, sec, sid))
    return sid


def source_result(data, kind, sid, timeout=40):
    """The result of source "sid" in a forced lookup of "data", with the
    time it took ("_took") and the lookup's id ("_lookup")."""
    import time
    t0 = time.monotonic()
    r = lookup(data, kind, ids=[sid], force=True, timeout=timeout)
    took = time.monotonic() - t0
    res = by_source(r).get(sid, {"errors": [{"kind": "HTTP %d" % r.status}],
                                 "data": None})
    res["_took"] = took
    res["_lookup"] = r.headers.get("X-Request-Id-Lookup")
    return res


def verdict(res):
    return res.get("verdict") or {}


def failed(res, kind, name):
    """"res" failed with exactly "kind", no data and no verdict."""
    return ok(error_kinds(res) == [kind] and res.get("data") is None and
              not res.get("verdict"), name, res)


def rate_limited(res, name):
    """"res" is RATE_LIMITED with the mock's Retry-After (7 s)."""
    return ok(error_kinds(res) == ["RATE_LIMITED"] and
              res["errors"][0].get("content") == {"retryAfter": 7},
              name, res)


def timed_out(res, name):
    """"res" is a TIMEOUT that came before the lookup's own deadline."""
    ok(error_kinds(res) == ["TIMEOUT"] and res["_took"] < 4,
       "%s (%.1fs)" % (name, res["_took"]), res)
