#!/usr/bin/python3
"""Sources: CRUD of SYSTEM and PYTHON sources, bad input, slugs, secret
slots, ignore-list links, the lookups that touched a source, roles, the
runner-sync rule, and lookups through sources made with the API."""
import re
from iocaggtest import (need_stack, get, request, ok, is_error, psql, ctl,
                        lookup, by_source, error_kinds, done, letters,
                        make_source, MOCK)

need_stack()
S = "/api/v1/sources"
JSON = {"Content-Type": "application/json"}
# (PostgreSQL drops trailing zeros: .980 prints as .98, 0.000 as nothing)
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$")
RUN = letters()   # marks the rows of this run
created = []      # source ids to delete at the end
lists = []        # ignore-list ids to delete at the end


def post(body, token=None):
    return request("POST", S, body=body, token=token)


def patch(sid, body, token=None):
    return request("PATCH", "%s/%s" % (S, sid), body=body, token=token)


def delete(sid, token=None):
    return request("DELETE", "%s/%s" % (S, sid), token=token)


def put(path, body, token=None):
    return request("PUT", path, body=body, token=token)


def system_body(**over):
    """A complete CreateSource for the mock's generic endpoint."""
    b = {
        "name": "Src " + letters(),
        "description": "made by t0620 " + RUN,
        "url": MOCK + "/generic/{data}",
        "tags": ["test", "t0620"],
        "enabled": True,
        "supportedIndicators": ["DOMAIN", "IPV4"],
        "disabledIndicators": [],
        "taskEnabled": False,
        "config": [{"key": "a"}],
        "configValues": [],
        "limitEnabled": True,
        "limitCount": 50,
        "limitInterval": 60,
        "cacheEnabled": False,
        "kind": "SYSTEM",
        "builtin": "http_json",
        "timeout": 5,
    }
    b.update(over)
    return {k: v for k, v in b.items() if v is not Ellipsis}


PY_CODE = "def fetch_data(indicator_data, indicator_kind):\n    return 'x'\n"


def python_body(**over):
    b = system_body(kind="PYTHON", builtin=Ellipsis, sourceCode=PY_CODE,
                    url="https://example.org/py")
    b.update(over)
    return {k: v for k, v in b.items() if v is not Ellipsis}


def make(body, token=None):
    r = post(body, token=token)
    j = r.json() or {}
    if r.status == 201 and "id" in j:
        created.append(j["id"])
    return r, j


def invalid(resp, field, name):
    """422 invalid_field whose message names "field"."""
    j = resp.json() or {}
    msg = (j.get("error") or {}).get("message", "")
    return ok(resp.status == 422 and j["error"].get("code") == "invalid_field"
              and ("'%s'" % field) in msg, name, resp)


def user(roles):
    email = "src-%s@example.org" % letters()
    args = ["user", "add"]
    for role in roles:
        args += ["-r", role]
    ctl(*(args + [email]))
    return ctl("token", "add", email, "t0620").stdout.strip()


def domain():
    return letters() + ".example"


# --- SYSTEM source: create, read, list, slug ------------------------------

body = system_body()
r, j = make(body)
sid = j.get("id", "")
ok(r.status == 201 and re.fullmatch(r"[0-9a-z]{12}", sid or "") and
   j.get("slug") == body["name"].lower().replace(" ", "-"),
   "POST a SYSTEM source: 201 {id, slug}", r)
ok("runnerSync" not in j and r.headers.get("X-Runner-Sync") is None,
   "a SYSTEM source involves no runner")
r = get("%s/%s" % (S, sid))
s = r.json() or {}
ok(r.status == 200 and s.get("name") == body["name"] and
   s.get("kind") == "SYSTEM" and s.get("builtin") == "http_json" and
   s.get("timeout") == 5 and s.get("url") == body["url"], "GET it back", r)
ok(s.get("limitEnabled") is True and s.get("limitCount") == 50 and
   s.get("limitInterval") == 60, "limitEnabled is stored on create (quirk fixed)", s)
ok(s.get("config") == [{"key": "a"}] and s.get("configValues") == [] and
   s.get("tags") == ["test", "t0620"] and
   s.get("supportedIndicators") == ["DOMAIN", "IPV4"], "arrays round-trip", s)
ok(TS.match(s.get("createdAt", "")) and s.get("sourceCode") is None and
   s.get("providerId") is None and s.get("updatedUserId") is None and
   re.fullmatch(r"[0-9a-z]{12}", s.get("createdUserId") or ""),
   "timestamps, nulls and the creating user", s)
want = {"id", "createdAt", "updatedAt", "name", "slug", "description", "url",
        "favicon", "tags", "enabled", "supportedIndicators",
        "disabledIndicators", "taskEnabled", "taskInterval", "config",
        "configValues", "limitEnabled", "limitCount", "limitInterval",
        "cacheEnabled", "cacheInterval", "providerId", "kind", "sourceCode",
        "createdUserId", "updatedUserId", "builtin", "timeout", "lastTask"}
ok(set(s) == want, "the Source shape plus builtin, timeout and lastTask",
   sorted(s))
ok(psql("SELECT kind::text || ' ' || limit_enabled FROM sources WHERE id = '%s'"
        % sid) == "system true", "stored as kind system")

r = get(S)
a = r.json() or []
ok(r.status == 200 and sid in [x["id"] for x in a], "the list has it", r)
ids = [x["id"] for x in a]
order = psql("SELECT string_agg(id, ',' ORDER BY name, id) FROM sources "
             "WHERE id = ANY('{%s}')" % ",".join(ids))
ok(order == ",".join(ids), "the list is ordered by name")
r2 = get(S + "?limit=2&offset=1")
ok(r2.status == 200 and [x["id"] for x in r2.json()] == ids[1:3],
   "limit and offset page the list", r2)
is_error(get(S + "?limit=0"), 400, "bad_request", "limit 0 is 400")

r = get("%s/slugs/%s" % (S, j["slug"]))
ok(r.status == 200 and r.body == sid, "GET /sources/slugs/:slug gives the id", r)
is_error(get("%s/slugs/%s" % (S, letters(20))), 404, "not_found",
         "unknown slug is 404")
is_error(get("%s/slugs/Bad_Slug" % S), 404, "not_found", "malformed slug is 404")

# --- Lookups through the API-made source ---------------------------------

d = domain()
r = lookup(d, "DOMAIN", ids=[sid])
res = by_source(r).get(sid, {})
ok(r.status == 200 and res.get("errors") == [] and
   (res.get("data") or {}).get("indicator") == d and
   res["data"].get("source") == "generic",
   "a lookup uses the source made through the API (mock data back)", r)

# --- PATCH ---------------------------------------------------------------

new = "Renamed " + letters()
r = patch(sid, {"name": new})
ok(r.status == 204 and r.body == "", "PATCH rename is 204", r)
s = get("%s/%s" % (S, sid)).json() or {}
ok(s.get("name") == new and s.get("slug") == new.lower().replace(" ", "-"),
   "the slug is recomputed on rename", s)
ok(s.get("description") == body["description"] and s.get("timeout") == 5 and
   s.get("limitCount") == 50, "absent fields are unchanged", s)
ok(get("%s/slugs/%s" % (S, s.get("slug"))).body == sid and
   get("%s/slugs/%s" % (S, j["slug"])).status == 404,
   "the new slug resolves, the old one no longer")
ok(s.get("updatedUserId") == s.get("createdUserId"), "updatedUserId is the caller", s)
r = patch(sid, {"timeout": None, "limitCount": None, "favicon": "data:x",
                "disabledIndicators": ["IPV4"]})
s = get("%s/%s" % (S, sid)).json() or {}
ok(r.status == 204 and s.get("timeout") is None and s.get("limitCount") is None
   and s.get("favicon") == "data:x" and s.get("disabledIndicators") == ["IPV4"],
   "null clears nullable columns; values set others", s)
invalid(patch(sid, {"name": None}), "name", "PATCH name null is 422")
invalid(patch(sid, {"enabled": None}), "enabled", "PATCH enabled null is 422")
invalid(patch(sid, {"name": "1234"}), "name", "a name without letters (empty slug) is 422")
invalid(patch(sid, {"builtin": "nosuch"}), "builtin", "PATCH to an unknown builtin is 422")
invalid(patch(sid, {"kind": "PYTHON"}), "sourceCode",
        "PATCH SYSTEM to PYTHON without code is 422")
invalid(patch(sid, {"bogus": 1}), "bogus", "PATCH with an unknown field is 422")
is_error(request("PATCH", "%s/%s" % (S, sid), body=b"{nope", headers=JSON), 400,
         "malformed_json", "PATCH malformed JSON is 400")
r = patch(sid, {})
ok(r.status == 204 and r.headers.get("X-Runner-Sync") is None,
   "an empty PATCH of a SYSTEM source is 204, no runner header", r)

# A source whose built-in is not written yet (as some seeded ones) can
# still be edited; only a change of builtin is checked.
nid = make_source(builtin="notyet", description="made by t0620 " + RUN)
created.append(nid)
r = patch(nid, {"enabled": False, "builtin": "notyet", "kind": "SYSTEM"})
ok(r.status == 204, "PATCH a source with an unknown stored builtin it keeps", r)
invalid(patch(nid, {"builtin": "stillnot"}), "builtin",
        "PATCH to another unknown builtin is 422")

# A second source, for conflicts.
body2 = system_body()
r, j2 = make(body2)
sid2 = j2.get("id", "")
ok(r.status == 201, "a second SYSTEM source", r)
is_error(post(system_body(name=body2["name"])), 409, "conflict",
         "a duplicate name is 409")
is_error(post(system_body(name=body2["name"].upper())), 409, "conflict",
         "a duplicate slug is 409")
is_error(patch(sid, {"name": body2["name"]}), 409, "conflict",
         "renaming onto another source's name is 409")

# --- Bad input on POST ---------------------------------------------------

is_error(request("POST", S, body=b'{"name": ', headers=JSON), 400, "malformed_json",
         "malformed JSON is 400")
is_error(request("POST", S, body=b'{"name": "a"}',
                 headers={"Content-Type": "text/plain"}), 415,
         "unsupported_media_type", "a non-JSON body is 415")
ok(post([1, 2]).status == 422, "a body that is not an object is 422")
for field, value in [("name", 5), ("enabled", "yes"), ("tags", "a"),
                     ("tags", [1]), ("config", {}), ("configValues", "x"),
                     ("limitCount", "5"), ("timeout", 1.5),
                     ("supportedIndicators", ["FOO"]),
                     ("disabledIndicators", "DOMAIN"), ("providerId", "x")]:
    invalid(post(system_body(**{field: value})), field,
            "wrong type or value for %s is 422 naming it" % field)
invalid(post(system_body(colour="red")), "colour", "an unknown field is 422 naming it")
for field in ("name", "url", "kind", "tags", "enabled", "supportedIndicators",
              "config", "limitEnabled"):
    invalid(post(system_body(**{field: Ellipsis})), field,
            "missing required %s is 422 naming it" % field)
invalid(post(system_body(kind="RUBY")), "kind", "an unknown kind is 422")
invalid(post(system_body(kind="system")), "kind", "kinds are upper case on the wire")
invalid(post(system_body(url="ftp://example.org/")), "url", "a non-http(s) url is 422")
invalid(post(system_body(url="not a url")), "url", "a malformed url is 422")
for field in ("taskInterval", "limitInterval", "limitCount", "cacheInterval"):
    invalid(post(system_body(**{field: 0})), field, "%s 0 is 422" % field)
invalid(post(system_body(timeout=0)), "timeout", "timeout 0 is 422")
invalid(post(system_body(timeout=601)), "timeout", "timeout 601 is 422")
invalid(post(system_body(builtin="nosuch")), "builtin", "an unknown builtin is 422")
invalid(post(system_body(builtin=Ellipsis)), "builtin", "SYSTEM without builtin is 422")
invalid(post(system_body(sourceCode="print(1)")), "sourceCode",
        "SYSTEM with sourceCode is 422")
invalid(post(python_body(sourceCode=Ellipsis)), "sourceCode",
        "PYTHON without sourceCode is 422")
invalid(post(python_body(sourceCode="")), "sourceCode",
        "PYTHON with empty sourceCode is 422")
invalid(post(python_body(builtin="http_json")), "builtin",
        "PYTHON with builtin is 422")
invalid(post(system_body(providerId="zzzzzzzzzzzz")), "providerId",
        "an unknown providerId is 422")
invalid(post(system_body(name="%%% 42")), "name", "a name without letters is 422")
invalid(post(system_body(name="x" * 101)), "name", "a 101-character name is 422")
ok(psql("SELECT count(*) FROM sources WHERE description = 'made by t0620 %s' "
        "AND NOT (id = ANY('{%s,%s,%s}'))" % (RUN, sid, sid2, nid)) == "0",
   "no refused POST left a row")

# --- 404 ------------------------------------------------------------------

for path in ("zzzzzzzzzzzz", "x'y", "ABCDEFGHIJKL", "short"):
    is_error(get("%s/%s" % (S, path)), 404, "not_found", "GET %s is 404" % path)
is_error(patch("zzzzzzzzzzzz", {"name": "x"}), 404, "not_found",
         "PATCH an unknown id is 404")
is_error(patch("NOT-AN-ID", {"name": "x"}), 404, "not_found",
         "PATCH a malformed id is 404")
is_error(delete("zzzzzzzzzzzz"), 404, "not_found", "DELETE an unknown id is 404")
is_error(delete("bad.id"), 404, "not_found", "DELETE a malformed id is 404")
for sub in ("secrets", "ignoreLists", "requests"):
    is_error(get("%s/zzzzzzzzzzzz/%s" % (S, sub)), 404, "not_found",
             "GET %s of an unknown source is 404" % sub)
is_error(put(S + "/zzzzzzzzzzzz/secrets", []), 404, "not_found",
         "PUT secrets of an unknown source is 404")
is_error(put(S + "/zzzzzzzzzzzz/ignoreLists", []), 404, "not_found",
         "PUT ignoreLists of an unknown source is 404")

# --- PYTHON and JAVA_SCRIPT sources and the runner rule --------------------
# The stack runs both runners (tools/devstack): a change reaches the
# runner before the commit (X-Runner-Sync: ok), code the runner refuses
# is 422, and a runner that cannot be reached leaves the change pending.

pbody = python_body()
r, pj = make(pbody)
pid = pj.get("id", "")
ok(r.status == 201 and pj.get("runnerSync") == "ok" and
   r.headers.get("X-Runner-Sync") == "ok",
   "POST a PYTHON source: 201, the runner took the code", r)
s = get("%s/%s" % (S, pid)).json() or {}
ok(s.get("kind") == "PYTHON" and s.get("sourceCode") == PY_CODE and
   s.get("builtin") is None, "GET the PYTHON source (code kept)", s)
ok(psql("SELECT kind::text FROM sources WHERE id = '%s'" % pid) == "python",
   "stored as kind python")
r = patch(pid, {"sourceCode": PY_CODE + "# v2\n"})
ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "ok",
   "PATCH the code: 204, runner sync ok", r)
r = patch(pid, {})
ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "ok",
   "PATCH {} re-sends the code", r)
invalid(patch(pid, {"sourceCode": None}), "sourceCode",
        "clearing a PYTHON source's code is 422")
invalid(patch(pid, {"sourceCode": "def fetch_data(d, k):\n  return (\n"}),
        "sourceCode", "PATCH with code the Python runner refuses is 422")
ok(psql("SELECT source_code FROM sources WHERE id = '%s'" % pid) ==
   (PY_CODE + "# v2").strip(), "and the stored code is unchanged")
r = lookup(domain(), "DOMAIN", ids=[pid])
res = by_source(r).get(pid, {})
ok(r.status == 200 and res.get("errors") == [] and res.get("data") == "x",
   "a lookup runs the source in its runner", res)
bad_js = "async function fetchData(d, k) {}"
r, jj = make(python_body(kind="JAVA_SCRIPT", sourceCode=bad_js))
invalid(r, "sourceCode", "POST JAVA_SCRIPT code the runner refuses "
        "(async function) is 422")
ok("JAVA_SCRIPT" in (r.json() or {}).get("error", {}).get("message", "") and
   psql("SELECT count(*) FROM sources WHERE source_code = '%s'" % bad_js) ==
   "0", "the message names the runner, and nothing was stored", r)

r, jj = make(python_body(kind="JAVA_SCRIPT",
                         sourceCode="function fetch_data(d, k) "
                                    "{ return d; }"))
jid = jj.get("id", "")
ok(r.status == 201 and jj.get("runnerSync") == "ok" and
   psql("SELECT kind::text FROM sources WHERE id = '%s'" % jid) == "javascript" and
   (get("%s/%s" % (S, jid)).json() or {}).get("kind") == "JAVA_SCRIPT",
   "JAVA_SCRIPT on the wire is javascript in the database", r)

# Changing kind: JAVA_SCRIPT -> SYSTEM drops the code and tells the runner.
invalid(patch(jid, {"kind": "SYSTEM"}), "builtin",
        "PATCH to SYSTEM without builtin is 422")
r = patch(jid, {"kind": "SYSTEM", "builtin": "http_json",
                "url": MOCK + "/generic/{data}"})
ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "ok" and
   psql("SELECT kind::text || ' ' || builtin || ' ' || (source_code IS NULL) "
        "FROM sources WHERE id = '%s'" % jid) == "system http_json true",
   "PATCH JAVA_SCRIPT -> SYSTEM: code cleared, old runner told", r)
r = patch(jid, {"kind": "PYTHON", "sourceCode": PY_CODE})
ok(r.status == 204 and psql("SELECT kind::text || ' ' || (builtin IS NULL) "
                            "FROM sources WHERE id = '%s'" % jid) == "python true",
   "PATCH SYSTEM -> PYTHON: builtin cleared", r)

r = delete(pid)
ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "ok" and
   psql("SELECT count(*) FROM sources WHERE id = '%s'" % pid) == "0",
   "DELETE a PYTHON source: 204, the runner was told", r)
is_error(get("%s/%s" % (S, pid)), 404, "not_found", "the deleted source is gone")
is_error(delete(pid), 404, "not_found", "a second DELETE is 404")

# A runner that cannot be reached: the Python runner's address is a
# socket nobody listens on, for a moment.
ADDR = "python_runner_grpc_address"
old_addr = psql("SELECT value FROM server_config WHERE key = '%s'" % ADDR)
psql("INSERT INTO server_config (key, value, last_modified_user_id) "
     "SELECT '%s', 'unix:/nonexistent/t0620-%s.sock', id FROM users WHERE "
     "email = 'system@iocagg.invalid' ON CONFLICT (key) DO UPDATE SET "
     "value = EXCLUDED.value" % (ADDR, RUN))
try:
    r, pj = make(python_body())
    qid = pj.get("id", "")
    ok(r.status == 201 and pj.get("runnerSync") == "pending" and
       r.headers.get("X-Runner-Sync") == "pending",
       "POST with the runner unreachable: 201, committed, sync pending", r)
    r = patch(qid, {})
    ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "pending",
       "PATCH {} retries, still pending", r)
    r = lookup(domain(), "DOMAIN", ids=[qid])
    res = by_source(r).get(qid, {})
    ok(r.status == 200 and res.get("errors") == [
        {"kind": "INTERNAL_SERVER_ERROR",
         "content": "the PYTHON runner is unreachable"}],
       "a lookup reports the unreachable runner", res)
    r = delete(qid)
    ok(r.status == 204 and r.headers.get("X-Runner-Sync") == "pending" and
       psql("SELECT count(*) FROM sources WHERE id = '%s'" % qid) == "0",
       "DELETE: not blocked by the missing runner, pending", r)
finally:
    if old_addr:
        psql("UPDATE server_config SET value = '%s' WHERE key = '%s'" %
             (old_addr, ADDR))
    else:
        psql("DELETE FROM server_config WHERE key = '%s'" % ADDR)

# --- Secret slots ---------------------------------------------------------

SEC = S + "/%s/secrets" % sid
r = get(SEC)
ok(r.status == 200 and r.json() == [], "a new source has no slots", r)
r = put(SEC, [{"name": "ZED_KEY", "required": False, "description": "z"},
              {"name": "API_KEY", "required": False}])
ok(r.status == 204 and r.body == "", "PUT two slots is 204", r)
a = get(SEC).json() or []
ok([x["name"] for x in a] == ["API_KEY", "ZED_KEY"] and
   a[1]["description"] == "z" and a[0]["description"] is None and
   a[0]["secretId"] is None and a[0]["required"] is False,
   "GET lists them by name, with their fields", a)
ok(set(a[0]) == {"id", "createdAt", "updatedAt", "secretId", "name",
                 "description", "required", "createdUserId", "updatedUserId"},
   "the SourceSecret shape", a)
keep = {x["name"]: x["id"] for x in a}
secname = "T0620_" + letters().upper()
res = ctl("secret", "set", secname, stdin="secret-value")
secid = psql("SELECT id FROM secrets WHERE name = '%s'" % secname)
ok(res.returncode == 0 and re.fullmatch(r"[0-9a-z]{12}", secid),
   "a secret to link", res)
r = put(SEC, [{"name": "API_KEY", "required": True, "secretId": secid},
              {"name": "NEW_KEY", "required": False}])
a = get(SEC).json() or []
ok(r.status == 204 and [x["name"] for x in a] == ["API_KEY", "NEW_KEY"] and
   a[0]["secretId"] == secid and a[0]["required"] is True and
   a[0]["id"] == keep["API_KEY"],
   "PUT replaces the set: a kept name keeps its id, others go", a)
before = a
is_error(put(SEC, [{"name": "DUP", "required": True},
                   {"name": "DUP", "required": False}]), 409, "conflict",
         "duplicate slot names are 409")
invalid(put(SEC, [{"name": "OK_KEY", "required": True, "secretId": "zzzzzzzzzzzz"}]),
        "secretId", "an unknown secretId is 422")
invalid(put(SEC, [{"name": "api-key", "required": True}]), "name",
        "a slot name outside [A-Z0-9_] is 422")
invalid(put(SEC, [{"name": "A" * 101, "required": True}]), "name",
        "a 101-character slot name is 422")
invalid(put(SEC, [{"name": "", "required": True}]), "name",
        "an empty slot name is 422")
invalid(put(SEC, [{"name": "NO_REQUIRED"}]), "required",
        "a slot without required is 422")
invalid(put(SEC, [{"name": "X", "required": "yes"}]), "required",
        "a non-boolean required is 422")
invalid(put(SEC, [{"name": "X", "required": True, "colour": 1}]), "colour",
        "an unknown slot field is 422")
invalid(put(SEC, [{"name": "X", "required": True, "secretId": "x"}]), "secretId",
        "a malformed secretId is 422")
ok(put(SEC, {"name": "X"}).status == 422, "a body that is not an array is 422")
ok(put(SEC, ["X"]).status == 422, "a slot that is not an object is 422")
is_error(request("PUT", SEC, body=b"[{", headers=JSON), 400, "malformed_json",
         "malformed JSON slots are 400")
ok(get(SEC).json() == before, "refused PUTs changed nothing")

# A required slot without a secret: MISSING_SECRET naming the slot.
ok(put(SEC, [{"name": "API_KEY", "required": True, "secretId": secid},
             {"name": "NEEDED_KEY", "required": True}]).status == 204,
   "PUT a required slot without a secret")
r = lookup(domain(), "DOMAIN", ids=[sid])
res = by_source(r).get(sid, {})
miss = [e for e in res.get("errors", []) if e["kind"] == "MISSING_SECRET"]
ok(miss and miss[0].get("content") == ["NEEDED_KEY"] and res.get("data") is None,
   "a required slot without a secret gives MISSING_SECRET naming it", res)
ok(put(SEC, [{"name": "API_KEY", "required": True, "secretId": secid}]).status == 204,
   "PUT the slots back to one linked slot")
editor = user(["sources_view", "sources_edit"])
r = put(SEC, [{"name": "API_KEY", "required": True, "secretId": secid}],
        token=editor)
is_error(r, 403, "forbidden",
         "linking a secret takes secrets_edit too (no exfiltration by URL)")
r = put(SEC, [{"name": "API_KEY", "required": True}], token=editor)
ok(r.status == 204, "sources_edit alone may still shape empty slots", r)
ok(put(SEC, [{"name": "API_KEY", "required": True, "secretId": secid}]).status == 204,
   "the admin links it again")
d = domain()
r = lookup(d, "DOMAIN", ids=[sid])
res = by_source(r).get(sid, {})
ok(res.get("errors") == [] and (res.get("data") or {}).get("indicator") == d,
   "with the secret linked the lookup answers again", res)
ok(put(SEC, []).status == 204 and get(SEC).json() == [], "PUT [] removes every slot")

# --- Ignore lists -----------------------------------------------------------


def make_list(entry=None):
    name = "Tlist " + letters()
    lid = psql("INSERT INTO ignore_lists (name, slug, created_user_id) "
               "SELECT '%s', '%s', id FROM users WHERE email = "
               "'system@iocagg.invalid' RETURNING id"
               % (name, name.lower().replace(" ", "-")))
    lists.append(lid)
    if entry:
        psql("INSERT INTO ignore_list_entries (data, indicator_kind, "
             "ignore_list_id, created_user_id) SELECT '%s', 'DOMAIN', '%s', id "
             "FROM users WHERE email = 'system@iocagg.invalid'" % (entry, lid))
    return lid


IGN = S + "/%s/ignoreLists" % sid
ignored = domain()
l1, l2 = make_list(ignored), make_list()
r = get(IGN)
ok(r.status == 200 and r.json() == [], "no linked lists at first", r)
r = put(IGN, [l1, l2])
a = get(IGN).json() or []
ok(r.status == 204 and sorted(x["id"] for x in a) == sorted([l1, l2]),
   "PUT links two lists", a)
ok(a and set(a[0]) == {"id", "createdAt", "updatedAt", "name", "slug",
                       "description", "enabled", "global", "createdUserId",
                       "updatedUserId"}, "the IgnoreList shape", a)
invalid_resp = put(IGN, [l1, "zzzzzzzzzzzz"])
ok(invalid_resp.status == 422 and "zzzzzzzzzzzz" in invalid_resp.body,
   "an unknown list is 422 naming it", invalid_resp)
ok(sorted(x["id"] for x in get(IGN).json()) == sorted([l1, l2]),
   "... and the transaction rolled back (links unchanged)")
ok(put(IGN, ["bad id"]).status == 422, "a malformed list id is 422")
ok(put(IGN, {"a": 1}).status == 422, "a body that is not an array is 422")
r = lookup(ignored, "DOMAIN", ids=[sid])
ok("WITHIN_IGNORE_LIST" in error_kinds(by_source(r).get(sid, {"errors": []})),
   "a linked list with the indicator gives WITHIN_IGNORE_LIST", r)
r = put(IGN, [l2])
ok(r.status == 204 and [x["id"] for x in get(IGN).json()] == [l2],
   "PUT replaces the set", r)
ok(put(IGN, []).status == 204 and get(IGN).json() == [], "PUT [] unlinks all")

# --- Requests that touched the source --------------------------------------

REQ = S + "/%s/requests" % sid
r = get(REQ)
a = r.json() or []
n_req = int(psql("SELECT count(*) FROM source_requests WHERE source_id = '%s'"
                 % sid))
ok(r.status == 200 and len(a) == n_req and n_req >= 3,
   "GET requests lists every lookup that touched the source", (r, n_req))
ok(a and set(a[0]) == {"id", "createdAt", "updatedAt", "data", "kind",
                       "traceId", "userId"}, "the Request shape", a)
ok([x["createdAt"] for x in a] == sorted((x["createdAt"] for x in a),
                                          reverse=True), "newest first")
ok([x["id"] for x in get(REQ + "?limit=1&offset=1").json()] ==
   [x["id"] for x in a][1:2], "paged with limit and offset")

# --- Roles --------------------------------------------------------------------

viewer = user(["sources_view"])
nobody = user([])
editor = user(["sources_edit"])
ok(get(S, token=viewer).status == 200 and
   get("%s/%s" % (S, sid), token=viewer).status == 200 and
   get(SEC, token=viewer).status == 200 and get(IGN, token=viewer).status == 200,
   "sources_view reads sources, slots and links")
slug_now = (get("%s/%s" % (S, sid)).json() or {}).get("slug", "")
ok(get("%s/slugs/%s" % (S, slug_now), token=viewer).status == 200,
   "sources_view resolves slugs")
is_error(post(system_body(), token=viewer), 403, "forbidden",
         "sources_view cannot POST")
is_error(patch(sid, {"enabled": False}, token=viewer), 403, "forbidden",
         "sources_view cannot PATCH")
is_error(delete(sid, token=viewer), 403, "forbidden", "sources_view cannot DELETE")
is_error(put(SEC, [], token=viewer), 403, "forbidden",
         "sources_view cannot PUT slots")
is_error(put(IGN, [], token=viewer), 403, "forbidden",
         "sources_view cannot PUT links")
is_error(get(REQ, token=viewer), 403, "forbidden",
         "a source's lookup history needs request_view")
is_error(get(S, token=nobody), 403, "forbidden", "no role: 403 on the list")
is_error(get("%s/%s" % (S, sid), token=nobody), 403, "forbidden",
         "no role: 403 on one source")
is_error(get(SEC, token=nobody), 403, "forbidden", "no role: 403 on slots")
is_error(get(S, auth=False), 401, "unauthorized", "no token: 401")
r, ej = make(system_body(), token=editor)
ok(r.status == 201, "sources_edit may create", r)
ok(delete(ej.get("id", ""), token=editor).status == 204, "sources_edit may delete")
is_error(request("PUT", "%s/%s" % (S, sid)), 405, "method_not_allowed",
         "PUT on a source is 405")

# --- Delete cascades ---------------------------------------------------------

ok(put(SEC, [{"name": "API_KEY", "required": True}]).status == 204 and
   put(IGN, [l1]).status == 204, "slots and links before the delete")
r = delete(sid)
ok(r.status == 204 and r.headers.get("X-Runner-Sync") is None,
   "DELETE a SYSTEM source is 204, no runner header", r)
ok(psql("SELECT (SELECT count(*) FROM source_secrets WHERE source_id = '%s') + "
        "(SELECT count(*) FROM source_ignore_lists WHERE source_id = '%s')"
        % (sid, sid)) == "0" and
   psql("SELECT count(*) FROM source_requests WHERE source_id IS NULL AND "
        "request_id = ANY('{%s}')" % ",".join(x["id"] for x in a)) == str(len(a)),
   "slots and links go with it; its lookups keep their history")

# --- Cleanup ---------------------------------------------------------------
for x in created:
    delete(x)
if lists:
    psql("DELETE FROM ignore_lists WHERE id IN (%s)" %
         ",".join("'%s'" % x for x in lists))
psql("DELETE FROM secrets WHERE name = '%s'" % secname)
done()
