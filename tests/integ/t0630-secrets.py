#!/usr/bin/python3
"""Secrets (iocagg-secrets), the caller's API tokens (iocagg-apitokens),
user management (iocagg-users) and "iocaggctl key rotate"."""
import os
import re
import subprocess
import tempfile
import time
from iocaggtest import (TOKEN, URL, need_stack, request, get, ok, is_error,
                        psql, ctl, letters, done)

need_stack()
STATE = os.environ["IOCAGG_TEST_STATE"]
TOP = os.environ.get("top_builddir", ".")


def conf_value(key):
    with open(os.path.join(STATE, "iocagg.conf")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                if k.strip() == key:
                    return v.strip().strip('"')
    return None


DBURL = conf_value("database_url")
KEYFILE = conf_value("secret_key_file")


def user(*roles, admin=False):
    """A new local user with "roles"; returns (id, credential)."""
    email = "%s@t0630.example.org" % letters(10)
    args = ["user", "add"] + (["-a"] if admin else [])
    for r in roles:
        args += ["-r", r]
    res = ctl(*(args + [email]))
    if res.returncode != 0:
        raise SystemExit("cannot create %s: %s" % (email, res.stderr))
    uid = re.search(r"with id ([0-9a-z]{12})", res.stdout).group(1)
    res = ctl("token", "add", email, "t0630")
    return uid, res.stdout.strip()


def post(path, body, token=None, **kw):
    return request("POST", path, token=token, body=body, **kw)


def patch(path, body, token=None, **kw):
    return request("PATCH", path, token=token, body=body, **kw)


def delete(path, token=None):
    return request("DELETE", path, token=token)


def names_field(resp, field):
    """A 422 invalid_field whose message names "field"."""
    j = resp.json() or {}
    return (resp.status == 422
            and j.get("error", {}).get("code") == "invalid_field"
            and ("'%s'" % field) in j.get("error", {}).get("message", ""))


# --- Secrets ---------------------------------------------------------------

ED_ID, EDITOR = user("secrets_edit")
VW_ID, VIEWER = user("secrets_view")
NO_ID, NOBODY = user()
BOTH_ID, BOTH = user("secrets_view", "secrets_edit")

name = "T0630_" + letters(8).upper()
value = "s3cr3t-" + letters(24) + "-päss✓"
r = post("/api/v1/secrets", {"name": name, "value": value,
                             "description": "for tests",
                             "expiresAt": "2031-05-06T07:08:09"},
         token=EDITOR)
sid = (r.json() or {}).get("id", "")
ok(r.status == 201 and re.fullmatch(r"[0-9a-z]{12}", sid)
   and list(r.json().keys()) == ["id"], "POST /secrets is 201 {id}", r)

r = get("/api/v1/secrets", token=VIEWER)
mine = [s for s in (r.json() or []) if s.get("id") == sid]
ok(r.status == 200 and len(mine) == 1, "the viewer lists the secret", r)
m = mine[0] if mine else {}
ok(set(m.keys()) == {"id", "createdAt", "updatedAt", "name", "description",
                     "expiresAt", "createdUserId", "updatedUserId",
                     "numSources"},
   "a listed secret has the Secret shape and no value", m)
ok(m.get("name") == name and m.get("description") == "for tests"
   and m.get("expiresAt") == "2031-05-06T07:08:09"
   and m.get("createdUserId") == ED_ID and m.get("updatedUserId") is None
   and m.get("numSources") == 0, "its metadata is stored", m)
ok(value not in r.body, "the list never holds a value")

r = get("/api/v1/secrets/%s/value" % sid, token=VIEWER)
ok(r.status == 200 and r.body == value, "the value round-trips through /value",
   r)
ok(r.headers.get("Content-Type", "").startswith("text/plain"),
   "/value is text/plain", r.headers.get("Content-Type"))
ok(r.headers.get("Cache-Control") == "no-store", "/value is never cached",
   r.headers.get("Cache-Control"))

# Plaintext nowhere: the table, a dump of the database, the logs.
hexval = value.encode().hex()
rows = psql("SELECT encode(value, 'hex') FROM secrets")
ok(hexval not in rows and value not in rows,
   "the secrets table holds no plaintext")
ok(psql("SELECT count(*) FROM secrets WHERE position(convert_to(%s, 'UTF8') "
        "IN value) > 0" % ("'" + value.replace("'", "''") + "'")) == "0",
   "no value column contains the plaintext bytes")
ok(psql("SELECT octet_length(value) FROM secrets WHERE id = '%s'" % sid)
   == str(24 + len(value.encode()) + 16),
   "the stored value is nonce, ciphertext and tag")
dump = subprocess.run(["pg_dump", "-d", DBURL], capture_output=True)
ok(dump.returncode == 0 and len(dump.stdout) > 10000,
   "pg_dump of the database runs", dump.stderr[-500:])
ok(value.encode() not in dump.stdout and hexval.encode() not in dump.stdout,
   "the plaintext is not in a pg_dump of the database")


def logs_without(secret):
    bad = []
    for d, _, files in os.walk(os.path.join(STATE, "log")):
        for f in files:
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    if secret.encode() in fh.read():
                        bad.append(f)
            except OSError:
                pass
    return bad


# Roles.
is_error(post("/api/v1/secrets", {"name": name + "X", "value": "v"},
              token=VIEWER), 403, "forbidden", "secrets_view cannot create")
is_error(patch("/api/v1/secrets/" + sid, {"value": "v"}, token=VIEWER), 403,
         "forbidden", "secrets_view cannot change")
is_error(delete("/api/v1/secrets/" + sid, token=VIEWER), 403, "forbidden",
         "secrets_view cannot delete")
is_error(get("/api/v1/secrets", token=NOBODY), 403, "forbidden",
         "no role: the list is 403")
is_error(get("/api/v1/secrets/%s/value" % sid, token=NOBODY), 403,
         "forbidden", "no role: the value is 403")
is_error(get("/api/v1/secrets/%s/value" % sid, token=EDITOR), 403,
         "forbidden", "secrets_edit alone cannot read a value")
is_error(get("/api/v1/secrets", auth=False), 401, "unauthorized",
         "no credentials: 401")

# Bad input.
r = post("/api/v1/secrets", b'{"name": "x", "value": "y"}', token=EDITOR)
is_error(r, 415, "unsupported_media_type", "a body that is not JSON is 415")
r = post("/api/v1/secrets", b'{"name": ', token=EDITOR,
         headers={"Content-Type": "application/json"})
is_error(r, 400, "malformed_json", "malformed JSON is 400")
ok(names_field(post("/api/v1/secrets", {"name": name + "Y"}, token=EDITOR),
               "value"), "a missing value is 422 naming it")
ok(names_field(post("/api/v1/secrets", {"value": "v"}, token=EDITOR),
               "name"), "a missing name is 422 naming it")
ok(names_field(post("/api/v1/secrets", {"name": "x" * 101, "value": "v"},
                    token=EDITOR), "name"), "a long name is 422")
ok(names_field(post("/api/v1/secrets", {"name": "   ", "value": "v"},
                    token=EDITOR), "name"), "a blank name is 422")
ok(names_field(post("/api/v1/secrets", {"name": name + "Y", "value": ""},
                    token=EDITOR), "value"), "an empty value is 422")
ok(names_field(post("/api/v1/secrets", {"name": name + "Y", "value": 7},
                    token=EDITOR), "value"), "a number as value is 422")
ok(names_field(post("/api/v1/secrets", {"name": name + "Y", "value": "v",
                                        "expiresAt": "tomorrow"},
                    token=EDITOR), "expiresAt"), "a malformed expiry is 422")
ok(names_field(post("/api/v1/secrets", {"name": name + "Y", "value": "v",
                                        "expiresAt": "2031-02-30T00:00:00"},
                    token=EDITOR), "expiresAt"), "an impossible date is 422")
ok(names_field(post("/api/v1/secrets", {"name": name + "Y", "value": "v",
                                        "colour": "red"},
                    token=EDITOR), "colour"), "an unknown field is 422")
is_error(post("/api/v1/secrets", {"name": name, "value": "other"},
              token=EDITOR), 409, "conflict", "a duplicate name is 409")
is_error(patch("/api/v1/secrets/zzzzzzzzzzzz", {"value": "v"}, token=EDITOR),
         404, "not_found", "PATCH of an unknown secret is 404")
is_error(patch("/api/v1/secrets/NOT-AN-ID", {"value": "v"}, token=EDITOR),
         404, "not_found", "PATCH of a malformed id is 404")
is_error(delete("/api/v1/secrets/zzzzzzzzzzzz", token=EDITOR), 404,
         "not_found", "DELETE of an unknown secret is 404")
is_error(get("/api/v1/secrets/zzzzzzzzzzzz/value", token=VIEWER), 404,
         "not_found", "the value of an unknown secret is 404")
ok(names_field(patch("/api/v1/secrets/" + sid, {"name": None}, token=EDITOR),
               "name"), "a null name is 422")

# PATCH honours every field; null clears description and expiresAt.
other = "T0630_" + letters(8).upper()
r = post("/api/v1/secrets", {"name": other, "value": "o-" + letters(20)},
         token=BOTH)
oid = (r.json() or {}).get("id")
ok(r.status == 201, "a second secret", r)
is_error(patch("/api/v1/secrets/" + sid, {"name": other}, token=EDITOR), 409,
         "conflict", "renaming onto another secret is 409")
value2 = "n3w-" + letters(24)
renamed = name + "_R"
r = patch("/api/v1/secrets/" + sid, {"name": renamed, "value": value2,
                                     "description": "changed",
                                     "expiresAt": "2032-01-01T00:00:00"},
          token=BOTH)
ok(r.status == 204 and r.body == "", "PATCH of every field is 204", r)
m = [s for s in get("/api/v1/secrets", token=BOTH).json()
     if s["id"] == sid][0]
ok(m["name"] == renamed and m["description"] == "changed"
   and m["expiresAt"] == "2032-01-01T00:00:00"
   and m["updatedUserId"] == BOTH_ID,
   "name, description, expiresAt and updatedUserId follow", m)
r = get("/api/v1/secrets/%s/value" % sid, token=BOTH)
ok(r.status == 200 and r.body == value2, "the new value is served", r)
r = patch("/api/v1/secrets/" + sid, {"description": None, "expiresAt": None},
          token=EDITOR)
m = [s for s in get("/api/v1/secrets", token=BOTH).json()
     if s["id"] == sid][0]
ok(r.status == 204 and m["description"] is None and m["expiresAt"] is None
   and m["name"] == renamed, "null clears description and expiresAt", m)
r = patch("/api/v1/secrets/" + sid, {}, token=EDITOR)
ok(r.status == 204 and get("/api/v1/secrets/%s/value" % sid,
                           token=BOTH).body == value2,
   "an empty PATCH keeps the value", r)

# numSources counts linked slots; deleting empties them.
slot = "T0630_SLOT_" + letters(6).upper()
psql("INSERT INTO source_secrets (name, source_id, secret_id, "
     "created_user_id) SELECT '%s', s.id, '%s', s.created_user_id FROM "
     "sources s ORDER BY s.created_at, s.id LIMIT 1" % (slot, sid))
m = [s for s in get("/api/v1/secrets", token=BOTH).json()
     if s["id"] == sid][0]
ok(m["numSources"] == 1, "numSources counts the linked slot", m)
r = delete("/api/v1/secrets/" + sid, token=EDITOR)
ok(r.status == 204, "DELETE is 204", r)
ok(psql("SELECT count(*) FROM source_secrets WHERE name = '%s' AND "
        "secret_id IS NULL" % slot) == "1", "the linked slot is emptied")
psql("DELETE FROM source_secrets WHERE name = '%s'" % slot)
is_error(get("/api/v1/secrets/%s/value" % sid, token=BOTH), 404, "not_found",
         "a deleted secret's value is 404")
is_error(delete("/api/v1/secrets/" + sid, token=EDITOR), 404, "not_found",
         "deleting twice is 404")
ok(all(s["id"] != sid for s in get("/api/v1/secrets", token=BOTH).json()),
   "a deleted secret is no longer listed")
r = get("/api/v1/secrets?limit=1&offset=0", token=BOTH)
ok(r.status == 200 and len(r.json()) == 1, "the list pages", r)
is_error(get("/api/v1/secrets?limit=0", token=BOTH), 400, "bad_request",
         "limit=0 is 400")
delete("/api/v1/secrets/" + oid, token=EDITOR)

bad = logs_without(value) + logs_without(value2)
ok(not bad, "no log file holds a value", bad)

# --- API tokens ----------------------------------------------------------

A_ID, A = user()
B_ID, B = user()
note = "laptop " + letters(6)
r = post("/api/v1/apiTokens", {"note": note}, token=A)
j = r.json() or {}
tid, secret = j.get("id", ""), j.get("token", "")
ok(r.status == 201 and re.fullmatch(r"[0-9a-z]{12}", tid)
   and re.fullmatch(r"[A-Za-z0-9]{32}", secret),
   "POST /apiTokens is 201 {id, token}", r)
cred = "%s_%s" % (tid, secret)
r = get("/api/v1/users/me", token=cred)
ok(r.status == 200 and (r.json() or {}).get("id") == A_ID,
   "the new credential authenticates its owner", r)
stored = psql("SELECT token FROM api_tokens WHERE id = '%s'" % tid)
ok(stored.startswith("sha256$") and secret not in stored,
   "only a hash of the secret is stored")
r = get("/api/v1/apiTokens", token=A)
lst = r.json() or []
ok(r.status == 200 and [t["id"] for t in lst][:1] == [tid]
   and len(lst) == 2, "the caller's tokens, newest first", r)
ok(all("token" not in t for t in lst) and secret not in r.body,
   "listed tokens carry no secret", lst)
ok(set(lst[0].keys()) >= {"id", "createdAt", "updatedAt", "note",
                          "expiresAt"} and lst[0]["note"] == note,
   "a listed token has the ApiToken shape", lst[0])
ok(all(t["id"] != tid for t in get("/api/v1/apiTokens", token=B).json()),
   "another user does not see it")

is_error(post("/api/v1/apiTokens", {"note": note}, token=A), 409, "conflict",
         "a repeated note is 409")
ok(names_field(post("/api/v1/apiTokens", {}, token=A), "note"),
   "a missing note is 422")
ok(names_field(post("/api/v1/apiTokens", {"note": "  "}, token=A), "note"),
   "a blank note is 422")
ok(names_field(post("/api/v1/apiTokens", {"note": "n" * 201}, token=A),
               "note"), "a note of 201 characters is 422")
ok(names_field(post("/api/v1/apiTokens", {"note": "x", "expiresAt": 5},
                    token=A), "expiresAt"), "a numeric expiry is 422")
ok(names_field(post("/api/v1/apiTokens", {"note": "x", "userId": B_ID},
                    token=A), "userId"), "no token for another user")

# Expiry: in the past is refused by authentication; null clears it.
r = patch("/api/v1/apiTokens/" + tid, {"expiresAt": "2001-01-01T00:00:00"},
          token=A)
ok(r.status == 204, "PATCH expiresAt is 204", r)
is_error(get("/api/v1/users/me", token=cred), 401, "unauthorized",
         "an expired token is 401")
r = patch("/api/v1/apiTokens/" + tid, {"expiresAt": None, "note": note + "!"},
          token=A)
ok(r.status == 204 and get("/api/v1/users/me", token=cred).status == 200,
   "expiresAt null clears the expiry", r)
t = [t for t in get("/api/v1/apiTokens", token=A).json() if t["id"] == tid]
ok(t and t[0]["note"] == note + "!" and t[0]["expiresAt"] is None,
   "the note follows", t)
r = post("/api/v1/apiTokens", {"note": "old " + letters(5),
                               "expiresAt": "2020-01-01T00:00:00"}, token=A)
j = r.json() or {}
ok(r.status == 201, "a token may be created already expired", r)
is_error(get("/api/v1/users/me", token="%s_%s" % (j.get("id"),
                                                 j.get("token"))),
         401, "unauthorized", "a token created with a past expiry is 401")
r = post("/api/v1/apiTokens", {"note": "soon " + letters(5),
                               "expiresAt": "2999-01-01T00:00:00"}, token=A)
j = r.json() or {}
ok(r.status == 201 and get("/api/v1/users/me", token="%s_%s" % (
    j.get("id"), j.get("token"))).status == 200,
   "a token with a future expiry works", r)

# Another user's token is 404 everywhere.
is_error(patch("/api/v1/apiTokens/" + tid, {"note": "mine"}, token=B), 404,
         "not_found", "PATCH of another user's token is 404")
is_error(delete("/api/v1/apiTokens/" + tid, token=B), 404, "not_found",
         "DELETE of another user's token is 404")
is_error(post("/api/v1/apiTokens/%s/regenerate" % tid, None, token=B), 404,
         "not_found", "regenerating another user's token is 404")
ok(get("/api/v1/users/me", token=cred).status == 200,
   "...and the token still works")
is_error(patch("/api/v1/apiTokens/zzzzzzzzzzzz", {"note": "x"}, token=A),
         404, "not_found", "PATCH of an unknown token is 404")

# Regeneration invalidates the old secret.
r = post("/api/v1/apiTokens/%s/regenerate" % tid, None, token=A)
ok(r.status == 200 and re.fullmatch(r"[A-Za-z0-9]{32}", r.body)
   and r.headers.get("Content-Type", "").startswith("text/plain"),
   "regenerate is 200 text/plain with a new secret", r)
new = "%s_%s" % (tid, r.body)
is_error(get("/api/v1/users/me", token=cred), 401, "unauthorized",
         "the old secret is 401 after regeneration")
ok(get("/api/v1/users/me", token=new).status == 200, "the new secret works")

# Deletion.
r = delete("/api/v1/apiTokens/" + tid, token=A)
ok(r.status == 204, "DELETE is 204", r)
is_error(get("/api/v1/users/me", token=new), 401, "unauthorized",
         "a deleted token is 401")
is_error(delete("/api/v1/apiTokens/" + tid, token=A), 404, "not_found",
         "deleting twice is 404")
is_error(get("/api/v1/apiTokens", auth=False), 401, "unauthorized",
         "the token routes need credentials")

# --- Users -----------------------------------------------------------------

E_ID, E = user("users_view", "users_edit")
W_ID, W = user("users_view")
X_ID, X = user()
Z_ID, Z = user(admin=True)
S_ID, S = user("sources_view")
R_ID, R = user("request_view")

r = get("/api/v1/users/" + X_ID, token=W)
j = r.json() or {}
ok(r.status == 200 and set(j.keys()) == {
    "id", "createdAt", "updatedAt", "authId", "provider", "enabled", "email",
    "verified", "name", "givenName", "familyName", "locale", "picture",
    "roles", "lastModifiedUserId"} and j["picture"] is None,
   "users_view reads a user: the User shape, no password", r)
ok(get("/api/v1/users", token=W).status == 200, "users_view lists users")
is_error(get("/api/v1/users", token=X), 403, "forbidden",
         "no role: the user list is 403")
is_error(get("/api/v1/users/" + W_ID, token=X), 403, "forbidden",
         "no role: another user is 403")
ok(get("/api/v1/users/me", token=X).status == 200,
   "any user reads users/me")
psql("UPDATE users SET picture = '\\x00ff7f'::bytea WHERE id = '%s'" % X_ID)
ok(get("/api/v1/users/" + X_ID, token=W).json().get("picture") == [0, 255, 127],
   "picture is a JSON array of bytes")

is_error(patch("/api/v1/users/" + X_ID, {"enabled": False}, token=W), 403,
         "forbidden", "PATCH needs users_edit")
r = patch("/api/v1/users/" + X_ID, {"roles": ["request_view", "request_view",
                                             "sources_view"]}, token=E)
j = get("/api/v1/users/" + X_ID, token=W).json()
ok(r.status == 204 and sorted(j["roles"]) == ["request_view", "sources_view"]
   and j["lastModifiedUserId"] == E_ID,
   "PATCH roles: a set, lastModifiedUserId is the caller", (r, j))
ok(get("/api/v1/users/%s/sources" % S_ID, token=X).status == 200,
   "the new role takes effect at once")
r = patch("/api/v1/users/" + X_ID, {"enabled": False}, token=E)
ok(r.status == 204, "PATCH enabled false is 204", r)
is_error(get("/api/v1/users/me", token=X), 401, "unauthorized",
         "a disabled user's token is 401")
r = patch("/api/v1/users/" + X_ID, {"enabled": True, "roles": []}, token=E)
j = get("/api/v1/users/" + X_ID, token=W).json()
ok(r.status == 204 and j["enabled"] is True and j["roles"] == []
   and get("/api/v1/users/me", token=X).status == 200,
   "enabled again, roles cleared", j)
r = patch("/api/v1/users/" + X_ID, {}, token=E)
ok(r.status == 204, "an empty PATCH is 204", r)

is_error(patch("/api/v1/users/zzzzzzzzzzzz", {"enabled": True}, token=E), 404,
         "not_found", "PATCH of an unknown user is 404")
is_error(patch("/api/v1/users/zzzzzzzzzzzz", {}, token=E), 404,
         "not_found", "an empty PATCH of an unknown user is 404")
is_error(patch("/api/v1/users/a'b", {"enabled": True}, token=E), 404,
         "not_found", "PATCH of a malformed id is 404")
r = patch("/api/v1/users/" + X_ID, {"roles": ["request_view", "superuser"]},
          token=E)
ok(names_field(r, "roles") and "superuser" in r.body,
   "an unknown role is 422 naming it", r)
ok(names_field(patch("/api/v1/users/" + X_ID, {"roles": "admin"}, token=E),
               "roles"), "roles must be an array")
ok(names_field(patch("/api/v1/users/" + X_ID, {"enabled": "no"}, token=E),
               "enabled"), "enabled must be a boolean")
ok(names_field(patch("/api/v1/users/" + X_ID, {"enabled": None}, token=E),
               "enabled"), "enabled cannot be null")
ok(names_field(patch("/api/v1/users/" + X_ID, {"email": "a@b.c"}, token=E),
               "email"), "other fields are refused")

# Self-lockout, and the admin role is for admins to give.
ok(names_field(patch("/api/v1/users/" + E_ID, {"enabled": False}, token=E),
               "enabled"), "a user cannot disable themselves")
ok(names_field(patch("/api/v1/users/" + Z_ID, {"roles": ["users_edit"]},
                     token=Z), "roles"),
   "an admin cannot drop their own admin role")
ok(names_field(patch("/api/v1/users/" + Z_ID, {"enabled": False}, token=Z),
               "enabled"), "an admin cannot disable themselves")
r = patch("/api/v1/users/" + Z_ID, {"roles": ["admin", "users_view"]},
          token=Z)
ok(r.status == 204 and sorted(get("/api/v1/users/" + Z_ID, token=W)
                              .json()["roles"]) == ["admin", "users_view"],
   "an admin may change their other roles", r)
is_error(patch("/api/v1/users/" + X_ID, {"roles": ["admin"]}, token=E), 403,
         "forbidden", "users_edit cannot grant admin")
is_error(patch("/api/v1/users/" + Z_ID, {"enabled": False}, token=E), 403,
         "forbidden", "users_edit cannot disable an admin")
ok(get("/api/v1/users/me", token=Z).status == 200, "...who still works")

# The audit trail, newest first.
for i in range(3):
    time.sleep(0.01)    # distinct timestamps (milliseconds)
    get("/api/v1/indicatorKinds?n=%d" % i, token=X)
r = get("/api/v1/users/%s/logs" % X_ID, token=W)
logs = r.json() or []
stamps = [l["createdAt"] for l in logs]
ok(r.status == 200 and len(logs) >= 4 and stamps == sorted(stamps,
                                                           reverse=True),
   "logs are listed newest first", stamps)
ok(set(logs[0].keys()) == {"id", "createdAt", "updatedAt", "userId",
                           "ipAddress", "userAgent", "uri", "method",
                           "traceId"} and all(l["userId"] == X_ID
                                              for l in logs),
   "a log has the DbUserLog shape", logs[:1])
ok([l["uri"] for l in logs if l["uri"].startswith("/indicatorKinds")][:3]
   == ["/indicatorKinds?n=2", "/indicatorKinds?n=1", "/indicatorKinds?n=0"],
   "the latest calls come first", [l["uri"] for l in logs])
r = get("/api/v1/users/%s/logs?limit=2&offset=1" % X_ID, token=W)
ok(r.status == 200 and len(r.json()) == 2, "logs are paged", r)
is_error(get("/api/v1/users/%s/logs" % X_ID, token=X), 403, "forbidden",
         "logs need users_view")
is_error(get("/api/v1/users/zzzzzzzzzzzz/logs", token=W), 404, "not_found",
         "logs of an unknown user are 404")

# Another user's tokens.
r = get("/api/v1/users/%s/apiTokens" % X_ID, token=W)
ok(r.status == 200 and len(r.json()) == 1 and "token" not in r.json()[0]
   and r.json()[0]["note"] == "t0630", "users_view lists a user's tokens", r)
is_error(delete("/api/v1/users/%s/apiTokens" % X_ID, token=W), 403,
         "forbidden", "revoking needs users_edit")
is_error(delete("/api/v1/users/%s/apiTokens" % Z_ID, token=E), 403,
         "forbidden", "users_edit cannot revoke an admin's tokens")
r = delete("/api/v1/users/%s/apiTokens" % X_ID, token=E)
ok(r.status == 204, "DELETE /users/:id/apiTokens is 204", r)
is_error(get("/api/v1/users/me", token=X), 401, "unauthorized",
         "a revoked token is 401")
is_error(delete("/api/v1/users/%s/apiTokens" % X_ID, token=E), 404,
         "not_found", "nothing left to revoke is 404")
is_error(delete("/api/v1/users/zzzzzzzzzzzz/apiTokens", token=E), 404,
         "not_found", "revoking for an unknown user is 404")
ok(get("/api/v1/users/%s/apiTokens" % X_ID, token=W).json() == [],
   "the user has no token left")

# What a user created or asked.
system = psql("SELECT id FROM users WHERE email = 'system@iocagg.invalid'")
for what, n in (("ignoreLists", 1), ("providers", 11), ("sources", 21)):
    r = get("/api/v1/users/%s/%s" % (system, what), token=S)
    lst = r.json() or []
    ok(r.status == 200 and len(lst) >= n
       and all(x["createdUserId"] == system for x in lst),
       "users/:id/%s lists what the user created" % what, r)
    r = get("/api/v1/users/%s/%s" % (X_ID, what), token=S)
    ok(r.status == 200 and r.json() == [], "%s: none for a new user" % what,
       r)
    is_error(get("/api/v1/users/%s/%s" % (system, what), token=W), 403,
             "forbidden", "%s needs sources_view" % what)
    is_error(get("/api/v1/users/zzzzzzzzzzzz/%s" % what, token=S), 404,
             "not_found", "%s of an unknown user is 404" % what)
r = get("/api/v1/users/%s/sources" % system, token=S)
src = r.json()[0] if r.status == 200 and r.json() else {}
ok(src.get("kind") in ("SYSTEM", "PYTHON", "JAVA_SCRIPT")
   and isinstance(src.get("supportedIndicators"), list)
   and "sourceCode" in src, "sources have the Source shape", src)
r = get("/api/v1/users/%s/providers" % system, token=S)
ok(all(isinstance(p.get("numSources"), int) for p in r.json()),
   "providers carry numSources", r)
for d, k in (("2020-01-01 00:00:00", "DOMAIN"), ("2021-01-01 00:00:00",
                                                 "IPV4")):
    psql("INSERT INTO requests (created_at, data, kind, trace_id, user_id) "
         "VALUES ('%s', 'example.org', '%s', 't0630', '%s')" % (d, k, X_ID))
r = get("/api/v1/users/%s/requests" % X_ID, token=R)
ok(r.status == 200 and [x["kind"] for x in r.json()] == ["IPV4", "DOMAIN"]
   and all(x["userId"] == X_ID for x in r.json()),
   "users/:id/requests lists the user's lookups newest first", r)
is_error(get("/api/v1/users/%s/requests" % X_ID, token=W), 403, "forbidden",
         "requests need request_view")

# --- iocaggctl key rotate ---------------------------------------------------
# On a scratch database of its own: the running stack keeps its key, so
# the lookups of the tests running meanwhile never see a rotated value.

scratch = "iocagg_t0630_" + letters(8)
SCRATCH = re.sub(r"dbname=\S+", "dbname=" + scratch, DBURL)
tmp = tempfile.mkdtemp(prefix="t0630-")
newkey = os.path.join(tmp, "new.key")


def sq(sql):
    return subprocess.run(["psql", "-Atq", "-v", "ON_ERROR_STOP=1", "-d",
                           SCRATCH, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def sctl(*args, keyfile=None, stdin=None):
    env = dict(os.environ)
    env["IOCAGG_CONF"] = os.path.join(STATE, "iocagg.conf")
    env["IOCAGG_DATABASE_URL"] = SCRATCH
    if keyfile:
        env["IOCAGG_SECRET_KEY_FILE"] = keyfile
    return subprocess.run([os.path.join(TOP, "tools", "iocaggctl")]
                          + list(args), input=stdin, capture_output=True,
                          text=True, env=env)


def value_cgi(sec_id, cred, keyfile=None):
    """GET /api/v1/secrets/:id/value from iocagg-secrets run as CGI
    on the scratch database."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "IOCAGG_CONF": os.path.join(STATE, "iocagg.conf"),
           "IOCAGG_DATABASE_URL": SCRATCH,
           "REQUEST_METHOD": "GET",
           "DOCUMENT_URI": "/api/v1/secrets/%s/value" % sec_id,
           "REQUEST_URI": "/api/v1/secrets/%s/value" % sec_id,
           "QUERY_STRING": "", "HTTP_USER_AGENT": "t0630",
           "HTTP_AUTHORIZATION": "Token " + cred}
    if keyfile:
        env["IOCAGG_SECRET_KEY_FILE"] = keyfile
    p = subprocess.run([os.path.join(TOP, "fcgi", "iocagg-secrets")],
                       env=env, capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode("utf-8", "replace")
    status = int(out[8:11]) if out.startswith("Status: ") else 0
    body = out.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in out else ""
    return status, body


def values():
    return dict(l.split("|") for l in sq(
        "SELECT id, encode(value, 'hex') FROM secrets").splitlines())


try:
    psql("CREATE DATABASE %s" % scratch)
    res = sctl("migrate")
    ok(res.returncode == 0, "a scratch database is migrated", res)
    plain = {}
    for i, v in enumerate(["rot-" + letters(20), "ünïcødé " + letters(8),
                           "x" * 3000]):
        res = sctl("secret", "set", "ROT_%d" % i, stdin=v + "\n")
        plain[re.search(r"with id ([0-9a-z]{12})", res.stdout).group(1)] = v
    sctl("user", "add", "-a", "rot@t0630.example.org")
    scred = sctl("token", "add", "rot@t0630.example.org", "t").stdout.strip()
    ok(all(value_cgi(i, scred) == (200, v) for i, v in plain.items()),
       "the scratch secrets read back with the current key")
    before = values()

    res = sctl("key", "generate", newkey)
    ok(res.returncode == 0, "a new key is generated", res)
    res = sctl("key", "rotate", newkey)
    ok(res.returncode == 0 and "3 secrets re-encrypted" in res.stdout
       and "secret_key_file = " + newkey in res.stdout,
       "key rotate re-encrypts and says where to point secret_key_file", res)
    mid = values()
    ok(set(mid) == set(before) and all(mid[i] != before[i] for i in before),
       "every secrets.value changed")
    ok(all(value_cgi(i, scred, keyfile=newkey) == (200, v)
           for i, v in plain.items()),
       "every value decrypts with the new key")
    ok(all(value_cgi(i, scred)[0] == 503 for i in plain),
       "the old key no longer opens them (503)")
    res = sctl("key", "rotate", newkey)
    ok(res.returncode == 0 and res.stdout.startswith("0 secrets re-encrypted")
       and "(3 already were)" in res.stdout and values() == mid,
       "a second run with the same keys changes nothing", res)

    # One bad value: nothing is rotated.
    sq("INSERT INTO secrets (name, value, created_user_id) SELECT 'ROT_BAD', "
       "gen_random_bytes(60), id FROM users WHERE email = "
       "'system@iocagg.invalid'")
    res = sctl("key", "rotate", KEYFILE, keyfile=newkey)
    after = values()
    ok(res.returncode == 1 and "ROT_BAD" in res.stderr
       and all(after[i] == mid[i] for i in mid),
       "a value that does not decrypt stops the rotation, nothing changed",
       res)
    sq("DELETE FROM secrets WHERE name = 'ROT_BAD'")

    res = sctl("key", "rotate", KEYFILE, keyfile=newkey)
    back = values()
    ok(res.returncode == 0 and "3 secrets re-encrypted" in res.stdout
       and all(back[i] not in (before[i], mid[i]) for i in before),
       "rotating back to the old key re-encrypts again", res)
    ok(all(value_cgi(i, scred) == (200, v) for i, v in plain.items()),
       "old -> new -> old: every plaintext round-trips through /value")

    res = sctl("key", "rotate", KEYFILE)
    ok(res.returncode == 1 and "current key" in res.stderr,
       "rotating to the current key is refused", res)
    res = sctl("key", "rotate", os.path.join(tmp, "missing.key"))
    ok(res.returncode == 1, "a missing new key file is an error", res)
    with open(os.path.join(tmp, "short.key"), "w") as f:
        f.write("abcd\n")
    res = sctl("key", "rotate", os.path.join(tmp, "short.key"))
    ok(res.returncode == 1 and "not a 32-byte key" in res.stderr,
       "a malformed new key is an error", res)
    res = sctl("key", "rotate")
    ok(res.returncode == 2 and "key rotate newkeyfile" in res.stderr,
       "key rotate without a file is a usage error", res)
    ok(values() == back, "the refused runs changed nothing")
finally:
    subprocess.run(["psql", "-Atq", "-d", DBURL, "-c",
                    "DROP DATABASE IF EXISTS %s" % scratch],
                   capture_output=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)

done()
