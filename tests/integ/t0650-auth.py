#!/usr/bin/python3
"""The /api/v1/auth group: login methods, sign-up (and the first-admin
rule on a throwaway database), password login and its rate limits,
session tokens (good and forged), Basic authentication, and the OpenID
Connect flow end to end against tests/mock/oidc.py."""
import atexit
import base64
import hashlib
import hmac
import json
import os
import re
import stat
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from iocaggtest import (URL, need_stack, request, get, ok, is_error, psql,
                        ctl, letters, done)

need_stack()
TOP = os.environ.get("top_builddir", ".")
SRC = os.environ.get("top_srcdir", TOP)
STATE = os.environ["IOCAGG_TEST_STATE"]
CONF = os.path.join(STATE, "iocagg.conf")
AUTH = os.path.join(TOP, "fcgi", "iocagg-auth")
JSON_CT = {"Content-Type": "application/json"}


def conf_value(key):
    with open(CONF) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                if k.strip() == key:
                    return v.strip().strip('"')
    return None


DBURL = conf_value("database_url")
ISSUER = conf_value("jwt_issuer") or "iocagg"
with open(conf_value("jwt_secret_file"), "rb") as f:
    JWT_KEY = f.read(128).rstrip(b"\r\n")


def post(path, body, headers=None, **kw):
    h = dict(JSON_CT)
    h.update(headers or {})
    return request("POST", path, body=body, auth=False, headers=h, **kw)


def email():
    return "%s@%s.example.org" % (letters(), letters(5))


def sq(s):
    return "'" + s.replace("'", "''") + "'"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def claims_of(tok):
    return json.loads(unb64u(tok.split(".")[1]))


def hs256(header, claims, key=JWT_KEY):
    h = b64u(json.dumps(header).encode())
    c = b64u(json.dumps(claims).encode())
    mac = hmac.new(key, ("%s.%s" % (h, c)).encode(), hashlib.sha256)
    return "%s.%s.%s" % (h, c, b64u(mac.digest()))


def bearer(tok):
    return get("/api/v1/users/me", auth=False,
               headers={"Authorization": "Bearer " + tok})


class CGI:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self):
        return "<CGI %d %r %r>" % (self.status, self.headers,
                                   self.body[:300])


def cgi(path, query="", method="GET", body=None, env=None, cookie=None,
        ip="127.0.0.1"):
    """Run iocagg-auth once as a CGI program against the test database
    (or another, through "env")."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
         "IOCAGG_CONF": CONF, "REQUEST_METHOD": method,
         "DOCUMENT_URI": path, "QUERY_STRING": query,
         "REMOTE_ADDR": ip, "REMOTE_PORT": "40000",
         "HTTP_USER_AGENT": "iocagg-tests/cgi"}
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        e["CONTENT_TYPE"] = "application/json"
        e["CONTENT_LENGTH"] = str(len(data))
    if cookie:
        e["HTTP_COOKIE"] = cookie
    e.update(env or {})
    p = subprocess.run([AUTH], env=e, input=data, capture_output=True,
                       timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    head, _, rest = out.partition("\r\n\r\n")
    headers = {}
    for line in head.split("\r\n"):
        k, _, v = line.partition(": ")
        headers.setdefault(k.lower(), v)
    status = int(headers.get("status", "0")[:3] or 0)
    return CGI(status, headers, rest)


def cgi_error(resp, status, code, name):
    j = resp.json()
    return ok(resp.status == status and isinstance(j, dict)
              and j.get("error", {}).get("code") == code
              and isinstance(j["error"].get("message"), str), name, resp)


# Earlier runs from this address must not trip the per-address limit.
psql("DELETE FROM login_attempts WHERE ip_address = '127.0.0.1'")

# --- GET /auth ---------------------------------------------------------
r = get("/api/v1/auth", auth=False)
ok(r.status == 200 and r.json() == [
    {"enabled": False, "kind": {"kind": "openId",
                                "content": {"name": "google"}}},
    {"enabled": False, "kind": {"kind": "openId",
                                "content": {"name": "microsoft"}}},
    {"enabled": True, "kind": {"kind": "password"}}],
   "GET /auth without credentials: google, microsoft off, password on", r)

# --- Sign-up -----------------------------------------------------------
e1 = email()
r = post("/api/v1/auth/signup", {"name": "Sig Nup", "email": e1,
                                 "password": "correct horse"})
j = r.json() or {}
ok(r.status == 201 and set(j) == {"id", "enabled"}
   and j.get("enabled") is False and re.fullmatch(r"[0-9a-z]{12}",
                                                  j.get("id", "")),
   "signup without a Referer: 201 {id, enabled: false}", r)
uid1 = j.get("id", "")
row = psql("SELECT provider, enabled, verified, roles, name, "
           "password LIKE '$argon2id$%%' FROM users WHERE id = %s"
           % sq(uid1))
ok(row == "local|f|f|{}|Sig Nup|t",
   "the new account is local, disabled, role-less, argon2id", row)
log = psql("SELECT method || ' ' || uri || ' ' || user_agent FROM "
           "user_logs WHERE user_id = %s" % sq(uid1))
ok(log == "POST /auth/signup iocagg-tests",
   "signup writes a user_logs row with the real method", log)
r = post("/api/v1/auth/signup", {"name": "Again", "email": e1.upper(),
                                 "password": "correct horse"})
is_error(r, 409, "conflict", "signup with a taken address (any case): 409")
n = psql("SELECT count(*) FROM users WHERE lower(email) = lower(%s)"
         % sq(e1))
ok(n == "1", "the refused signup created nothing", n)

for name, body in [
        ("no @", {"name": "A", "email": "nobody.example.org",
                  "password": "12345678"}),
        ("one label", {"name": "A", "email": "a@localhost",
                       "password": "12345678"}),
        ("blank in address", {"name": "A", "email": "a b@example.org",
                              "password": "12345678"}),
        ("two @", {"name": "A", "email": "a@@example.org",
                   "password": "12345678"}),
        ("short password", {"name": "A", "email": email(),
                            "password": "1234567"}),
        ("1025-byte password", {"name": "A", "email": email(),
                                "password": "x" * 1025}),
        ("empty name", {"name": "", "email": email(),
                        "password": "12345678"}),
        ("blank name", {"name": "   ", "email": email(),
                        "password": "12345678"}),
        ("101-character name", {"name": "n" * 101, "email": email(),
                                "password": "12345678"}),
        ("control character in name", {"name": "a\u0007b",
                                       "email": email(),
                                       "password": "12345678"}),
        ("missing password", {"name": "A", "email": email()}),
        ("unknown field", {"name": "A", "email": email(),
                           "password": "12345678", "roles": ["admin"]}),
        ("number as name", {"name": 5, "email": email(),
                            "password": "12345678"})]:
    is_error(post("/api/v1/auth/signup", body), 422, "invalid_field",
             "signup: %s is 422" % name)
r = post("/api/v1/auth/signup", {"name": "\u00e9" * 100, "email": email(),
                                 "password": "12345678"})
ok(r.status == 201, "a 100-character (200-byte) name is accepted", r)
is_error(request("POST", "/api/v1/auth/signup", auth=False,
                 body=b'{"name":"a"}', headers={"Content-Type":
                                                "text/plain"}),
         415, "unsupported_media_type", "signup needs a JSON body: 415")
is_error(post("/api/v1/auth/signup", b'{"name":'), 400, "malformed_json",
         "malformed JSON: 400")

# --- Sign-up throttle (signup_rate_limit, per client address an hour) ----
NOW = "(now() AT TIME ZONE 'utc')"
recent = int(psql("SELECT count(*) FROM signups WHERE ip_address = "
                  "'127.0.0.1' AND created_at > %s - interval '1 hour'"
                  % NOW))
ok(recent >= 2, "each account created is counted for its address", recent)
r = request("PUT", "/api/v1/config", body=[{"key": "signup_rate_limit",
                                            "value": recent + 1}])
ok(r.status in (200, 204), "the limit is a runtime setting", r)
atexit.register(lambda: psql("DELETE FROM server_config WHERE key = "
                             "'signup_rate_limit'"))
r = post("/api/v1/auth/signup", {"name": "Last One", "email": email(),
                                 "password": "12345678"})
ok(r.status == 201, "sign-ups up to the limit pass", r)
e2 = email()
r = post("/api/v1/auth/signup", {"name": "One Too Many", "email": e2,
                                 "password": "12345678"})
is_error(r, 429, "rate_limited", "the next sign-up from the address is 429")
ra = r.headers.get("Retry-After", "")
ok(ra.isdigit() and 1 <= int(ra) <= 3600, "with Retry-After in seconds", ra)
# (Other tests create users meanwhile: look for this one only.)
ok(psql("SELECT count(*) FROM users WHERE lower(email) = lower(%s)"
        % sq(e2)) == "0" and
   psql("SELECT count(*) FROM user_logs l JOIN users u ON u.id = "
        "l.user_id WHERE lower(u.email) = lower(%s)" % sq(e2)) == "0",
   "a throttled sign-up creates nothing")
r = request("PUT", "/api/v1/config", body=[{"key": "signup_rate_limit"}])
ok(r.status in (200, 204), "back to the default limit", r)
psql("DELETE FROM server_config WHERE key = 'signup_rate_limit'")

# --- Login -------------------------------------------------------------
r = post("/api/v1/auth/login", {"email": e1, "password": "correct horse"})
is_error(r, 401, "account_disabled",
         "the right password of a disabled account: 401 account_disabled")
r = post("/api/v1/auth/login", {"email": e1, "password": "wrong horse"})
is_error(r, 401, "invalid_credentials", "a wrong password: 401")
wrong_msg = (r.json() or {}).get("error", {}).get("message")
r = post("/api/v1/auth/login", {"email": email(), "password": "whatever1"})
is_error(r, 401, "invalid_credentials", "an unknown address: 401")
ok((r.json() or {}).get("error", {}).get("message") == wrong_msg,
   "unknown address and wrong password give the same message")
is_error(post("/api/v1/auth/login", {"email": e1}), 422, "invalid_field",
         "login without a password: 422")

psql("UPDATE users SET enabled = true, roles = '{users_view}' WHERE id = %s"
     % sq(uid1))
t0 = time.time()
r = post("/api/v1/auth/login", {"email": e1.upper(),
                                "password": "correct horse"})
now = int(t0)
j = r.json() or {}
ok(r.status == 200 and set(j) == {"jwtToken"},
   "login of an enabled account (address in any case): 200 {jwtToken}", r)
tok = j.get("jwtToken", "x.e30.x")
c = claims_of(tok)
hdr = json.loads(unb64u(tok.split(".")[0]))
ok(hdr.get("alg") == "HS256", "the session token is HS256", hdr)
ok(c.get("iss") == ISSUER and c.get("sub") == uid1
   and c.get("email") == e1 and c.get("name") == "Sig Nup"
   and c.get("roles") == ["users_view"] and c.get("provider") == "local"
   and c.get("nbf") == c.get("iat")
   and abs(c.get("iat", 0) - now) <= 5
   and c.get("exp", 0) - c.get("iat", 0) == 3600,
   "claims: iss, sub, iat, nbf, exp = iat + jwt_lifetime, email, name, "
   "roles, provider", c)
r = bearer(tok)
ok(r.status == 200 and (r.json() or {}).get("id") == uid1,
   "the token works as Authorization: Bearer on /users/me", r)
r = get("/api/v1/users", auth=False,
        headers={"Authorization": "Bearer " + tok})
ok(r.status == 200, "its roles come from the database (users_view)", r)
log = psql("SELECT count(*) FROM user_logs WHERE user_id = %s AND "
           "method = 'POST' AND uri = '/auth/login'" % sq(uid1))
ok(log == "1", "login writes a user_logs row with method POST", log)
att = psql("SELECT success FROM login_attempts WHERE lower(email) = "
           "lower(%s) ORDER BY created_at DESC LIMIT 1" % sq(e1))
ok(att == "t", "the successful attempt is recorded", att)

# Forged and stale session tokens.
h, p, s = tok.split(".")
forged = json.loads(unb64u(p))
forged["roles"] = ["admin"]
r = bearer("%s.%s.%s" % (h, b64u(json.dumps(forged).encode()), s))
is_error(r, 401, "unauthorized", "a tampered token: 401")
none = "%s.%s." % (b64u(b'{"alg":"none","typ":"JWT"}'), p)
is_error(bearer(none), 401, "unauthorized", "an alg:none token: 401")
base = {"iss": ISSUER, "sub": uid1, "iat": now, "nbf": now,
        "exp": now + 600}
ok(bearer(hs256({"alg": "HS256", "typ": "JWT"}, base)).status == 200,
   "control: a token made with the session key is accepted")
is_error(bearer(hs256({"alg": "HS256"}, dict(base, iat=now - 7200,
                                             nbf=now - 7200,
                                             exp=now - 60))),
         401, "unauthorized", "an expired token: 401")
is_error(bearer(hs256({"alg": "HS256"}, dict(base, iss="someone-else"))),
         401, "unauthorized", "a token of another issuer: 401")
is_error(bearer(hs256({"alg": "HS256"}, {k: v for k, v in base.items()
                                         if k != "exp"})),
         401, "unauthorized", "a token without exp: 401")
is_error(bearer(hs256({"alg": "HS256"}, base, key=b"k" * 64)), 401,
         "unauthorized", "a token signed with another key: 401")
psql("UPDATE users SET enabled = false WHERE id = %s" % sq(uid1))
is_error(bearer(tok), 401, "unauthorized",
         "a valid token of an account disabled since: 401")
psql("UPDATE users SET enabled = true WHERE id = %s" % sq(uid1))

# Basic authentication of a local account.
basic = base64.b64encode(("%s:correct horse" % e1).encode()).decode()
r = get("/api/v1/users/me", auth=False,
        headers={"Authorization": "Basic " + basic})
ok(r.status == 200 and (r.json() or {}).get("id") == uid1,
   "Basic email:password works for a local account", r)
basic = base64.b64encode(("%s:wrong horse" % e1).encode()).decode()
r = get("/api/v1/users/me", auth=False,
        headers={"Authorization": "Basic " + basic})
is_error(r, 401, "unauthorized", "Basic with a wrong password: 401")
n = psql("SELECT count(*) FROM login_attempts WHERE lower(email) = lower(%s) "
         "AND NOT success" % sq(e1))
ok(int(n) >= 1, "a failed Basic login counts in the login throttle", n)

# Unknown addresses take as long as wrong passwords (a dummy hash).
def best(body, n=3):
    t = []
    for _ in range(n):
        t0 = time.time()
        post("/api/v1/auth/login", body)
        t.append(time.time() - t0)
    return min(t)


t_wrong = best({"email": e1, "password": "wrong horse 2"}, 2)
t_unknown = best({"email": email(), "password": "wrong horse 2"}, 3)
# (same argon2id cost; only scheduling noise of the parallel tests
# separates them, hence the loose bound)
ok(t_unknown >= 0.3 * t_wrong,
   "an unknown address costs a hash too (%.3fs vs %.3fs)"
   % (t_unknown, t_wrong))

# An OpenID account has no password: 401, never a crash.
oe = email()
psql("INSERT INTO users (provider, auth_id, enabled, email, name) VALUES "
     "('google', %s, true, %s, 'G User')" % (sq("g-" + letters(12)), sq(oe)))
is_error(post("/api/v1/auth/login", {"email": oe, "password": "anything1"}),
         401, "invalid_credentials", "password login of an OpenID account: "
         "401")

# Rate limit: 5 failures for one address, then 429 even for the right
# password.
re_ = email()
res = ctl("user", "add", "-n", "Limited", "-p", "-", re_,
          stdin="right password\n")
ok(res.returncode == 0, "a local account for the rate limit", res)
codes = [post("/api/v1/auth/login", {"email": re_, "password": "bad pw %d"
                                     % i}).status for i in range(5)]
ok(codes == [401] * 5, "5 failed logins are 401", codes)
r = post("/api/v1/auth/login", {"email": re_, "password": "right password"})
is_error(r, 429, "rate_limited", "the 6th attempt is 429, even with the "
         "right password")
ra = r.headers.get("Retry-After", "")
ok(ra.isdigit() and 1 <= int(ra) <= 900, "429 has Retry-After (%s)" % ra)
r = post("/api/v1/auth/login", {"email": re_.upper(),
                                "password": "right password"})
ok(r.status == 429, "the limit ignores the address's case", r)
n = psql("SELECT count(*) FROM login_attempts WHERE lower(email) = "
         "lower(%s)" % sq(re_))
ok(n == "5", "refused attempts are not recorded (no endless lockout)", n)
psql("UPDATE login_attempts SET created_at = created_at - "
     "interval '16 minutes' WHERE lower(email) = lower(%s)" % sq(re_))
r = post("/api/v1/auth/login", {"email": re_, "password": "right password"})
ok(r.status == 200, "15 minutes later the account may log in again", r)

# Per client address: 20 failures (any addresses), then 429.
ip = "198.51.100.%d" % (int(time.time() * 1000) % 250 + 1)
psql("DELETE FROM login_attempts WHERE ip_address = %s" % sq(ip))
codes = [cgi("/api/v1/auth/login", method="POST", ip=ip,
              body={"email": email(), "password": "nope nope"}).status
         for _ in range(20)]
ok(codes == [401] * 20, "20 failures from one address are 401", codes)
r = cgi("/api/v1/auth/login", method="POST", ip=ip,
        body={"email": e1, "password": "correct horse"})
cgi_error(r, 429, "rate_limited", "the 21st attempt from that address: 429")
# (e1's own failures so far, Basic ones included, must not count here)
psql("DELETE FROM login_attempts WHERE lower(email) = lower(%s)" % sq(e1))
r = cgi("/api/v1/auth/login", method="POST", ip="198.51.100.251",
        body={"email": e1, "password": "correct horse"})
ok(r.status == 200, "another address is not limited", r)
psql("DELETE FROM login_attempts WHERE ip_address = %s" % sq(ip))

# Parallel guesses cannot all pass the check before any is recorded.
ip = "198.51.100.%d" % (int(time.time() * 1000) % 250 + 1)
pe = email()
psql("DELETE FROM login_attempts WHERE ip_address = %s" % sq(ip))
burst = [None] * 12


def guess(i):
    burst[i] = cgi("/api/v1/auth/login", method="POST", ip=ip,
                   body={"email": pe, "password": "guess %d" % i}).status


threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ok(sorted(burst) == [401] * 5 + [429] * 7,
   "12 parallel guesses for one address: 5 are checked, 7 refused",
   burst)
psql("DELETE FROM login_attempts WHERE ip_address = %s" % sq(ip))

# --- First account: an enabled admin (throwaway database) ---------------
dbname = "iocagg_t0650_" + letters(8)
admin_url = re.sub(r"dbname=\S+", "dbname=postgres", DBURL)
new_url = re.sub(r"dbname=\S+", "dbname=" + dbname, DBURL)
subprocess.run(["psql", "-Atq", "-v", "ON_ERROR_STOP=1", "-d", admin_url,
                "-c", "CREATE DATABASE " + dbname], check=True,
               capture_output=True)


@atexit.register
def drop_fresh():
    subprocess.run(["psql", "-Atq", "-d", admin_url, "-c",
                    "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname],
                   capture_output=True)


env = dict(os.environ, IOCAGG_CONF=CONF, IOCAGG_DATABASE_URL=new_url)
m = subprocess.run([os.path.join(TOP, "tools", "iocaggctl"), "migrate"],
                   env=env, capture_output=True, text=True)
ok(m.returncode == 0, "iocaggctl migrate on a fresh database", m)
fresh = {"IOCAGG_DATABASE_URL": new_url}
results = [None] * 4


def signup(i):
    results[i] = cgi("/api/v1/auth/signup", method="POST", env=fresh,
                     body={"name": "Racer %d" % i,
                           "email": "racer%d@example.org" % i,
                           "password": "racer password"})


threads = [threading.Thread(target=signup, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ok(all(x.status == 201 for x in results),
   "4 concurrent signups on a fresh database: 201", results)
first = [(x.json() or {}).get("id") for x in results
         if (x.json() or {}).get("enabled")]
ok(len(first) == 1, "exactly one of them is enabled", results)
rows = subprocess.run(
    ["psql", "-Atq", "-d", new_url, "-c",
     "SELECT id, enabled, roles FROM users WHERE email LIKE 'racer%' "
     "ORDER BY enabled DESC"], capture_output=True, text=True).stdout
rows = rows.split()
ok(len(rows) == 4 and rows[0] == "%s|t|{admin}" % (first or ["?"])[0]
   and all(x.endswith("|f|{}") for x in rows[1:]),
   "the first is an enabled admin, the others disabled without roles",
   rows)
r = cgi("/api/v1/auth/signup", method="POST", env=fresh,
        body={"name": "Later", "email": "later@example.org",
              "password": "later password"})
j = r.json() or {}
ok(r.status == 201 and j.get("enabled") is False,
   "a later signup is disabled", r)
win = [i for i in range(4) if (results[i].json() or {}).get("enabled")]
em = "racer%d@example.org" % (win[0] if win else 0)
r = cgi("/api/v1/auth/login", method="POST", env=fresh,
        body={"email": em, "password": "racer password"})
j = r.json() or {}
ok(r.status == 200 and claims_of(j.get("jwtToken", "x.e30.x")).get(
    "roles") == ["admin"], "the first admin logs in with role admin", r)

# --- OpenID Connect against tests/mock/oidc.py -------------------------
mock = subprocess.Popen(["/usr/bin/python3",
                         os.path.join(SRC, "tests", "mock", "oidc.py"),
                         "--port", "0"], stdout=subprocess.PIPE, text=True)
tmp = tempfile.TemporaryDirectory()
try:
    line = mock.stdout.readline()
    port = int(line.strip().split("=")[1])
    iss = "http://127.0.0.1:%d" % port
    cb = URL + "/api/v1/auth/openid/%s/redirect"
    ofile = os.path.join(tmp.name, "openid.conf")
    with open(ofile, "w") as f:
        f.write("# name issuer client_id client_secret redirect_uri\n"
                "mock   %s iocagg-test mock-secret %s\n"
                "\n"
                "other  %s iocagg-test mock-secret %s\n"
                "broken line\n"
                "local  %s iocagg-test mock-secret %s\n"
                "plain  http://192.0.2.1 iocagg-test mock-secret %s\n"
                "wrongsecret %s iocagg-test bad-secret %s\n"
                % (iss, cb % "mock", iss, cb % "other", iss, cb % "local",
                   cb % "plain", iss, cb % "wrongsecret"))
    os.chmod(ofile, stat.S_IRUSR | stat.S_IWUSR)
    OENV = {"IOCAGG_OPENID_FILE": ofile}

    r = cgi("/api/v1/auth", env=OENV)
    names = [(m["kind"].get("content", {}).get("name"), m["enabled"])
             for m in (r.json() or [])]
    ok(r.status == 200 and names == [
        ("google", False), ("microsoft", False), ("mock", True),
        ("other", True), ("wrongsecret", True), (None, True)],
       "GET /auth lists the providers of the file (bad lines, 'local' "
       "and plain http skipped)", r)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def provider_redirect(loc):
        """What the mock's authorize endpoint answers: the callback."""
        try:
            opener.open(loc, timeout=10)
        except urllib.error.HTTPError as e:
            if e.code == 302:
                return e.headers["Location"]
            raise
        raise AssertionError("no redirect from " + loc)

    def start(provider="mock", nxt=None, hint=None, env=OENV):
        q = {}
        if nxt is not None:
            q["next"] = nxt
        if hint is not None:
            q["login_hint"] = hint
        return cgi("/api/v1/auth/openid/" + provider,
                   urllib.parse.urlencode(q), env=env)

    def login(provider="mock", nxt=None, cb_provider=None, cookie=True,
              env=OENV, **knobs):
        """The whole dance; returns (callback answer, start answer,
        callback query)."""
        s = start(provider, nxt, env=env)
        loc = s.headers.get("location", "")
        if knobs:
            loc += "&" + urllib.parse.urlencode(knobs)
        back = provider_redirect(loc)
        query = urllib.parse.urlsplit(back).query
        ck = s.headers.get("set-cookie", "").split(";")[0] if cookie \
            else None
        return (cgi("/api/v1/auth/openid/%s/redirect"
                    % (cb_provider or provider), query, env=env,
                    cookie=ck), s, query)

    # Starting a login.
    s = start("mock", "/requests?tab=history", hint="a@example.org")
    loc = s.headers.get("location", "")
    u = urllib.parse.urlsplit(loc)
    q = urllib.parse.parse_qs(u.query)
    ok(s.status == 302 and loc.startswith(iss + "/authorize?"),
       "start: 302 to the discovered authorization endpoint", s)
    ok(q.get("response_type") == ["code"]
       and q.get("client_id") == ["iocagg-test"]
       and q.get("redirect_uri") == [cb % "mock"]
       and q.get("scope") == ["openid email profile"]
       and q.get("login_hint") == ["a@example.org"]
       and re.fullmatch(r"[0-9a-z]{12}\.[A-Za-z0-9]{43}",
                        q.get("state", [""])[0])
       and re.fullmatch(r"[A-Za-z0-9]{43}", q.get("nonce", [""])[0]),
       "the authorization URL has code, client, redirect_uri, scope, "
       "state and nonce", loc)
    ok("scope=openid%20email%20profile" in loc
       and "redirect_uri=http%3A%2F%2F127.0.0.1" in loc,
       "its values are percent-encoded", loc)
    lrid = q.get("state", ["?"])[0][:12]
    ck = s.headers.get("set-cookie", "")
    ok(ck.startswith("iocagg_oidc=%s;" % lrid) and "HttpOnly" in ck
       and "SameSite=Lax" in ck and "Path=/api/v1/auth/openid/" in ck,
       "a HttpOnly SameSite=Lax cookie binds the login to the browser", ck)
    row = psql("SELECT provider, nonce, browser_state, ip_address, "
               "user_agent FROM login_requests WHERE id = %s" % sq(lrid))
    ok(row == "mock|%s|/requests?tab=history|127.0.0.1|iocagg-tests/cgi"
       % q.get("nonce", ["?"])[0], "login_requests holds the nonce, next, "
       "address and user agent", row)

    cgi_error(start("nosuch"), 404, "not_found", "unknown provider: 404")
    cgi_error(start("local"), 404, "not_found", "'local' is no provider")
    cgi_error(start("google"), 404, "not_found",
              "an unconfigured preset: 404")
    cgi_error(cgi("/api/v1/auth/openid/mock", "", env={}), 404, "not_found",
              "without openid_file every provider is 404")
    for bad in ("//evil.example/", "https://evil.example/", "/a#b",
                "/\\evil", "relative"):
        cgi_error(start("mock", bad), 400, "bad_request",
                  "next=%s: 400" % bad)
    n0 = psql("SELECT count(*) FROM login_requests")
    r = cgi("/api/v1/auth/openid/mock", method="HEAD", env=OENV)
    ok(r.status == 405 and r.headers.get("allow") == "GET"
       and psql("SELECT count(*) FROM login_requests") == n0,
       "HEAD does not start a login: 405", r)

    # A first login creates a disabled account.
    ue = email()
    r, s, query = login(login_hint=ue, name="Open Id")
    ok(r.status == 302 and r.headers.get("location") ==
       "/auth?disabled=true", "a new OpenID account is disabled: 302 to "
       "/auth?disabled=true", r)
    row = psql("SELECT id, provider, auth_id, enabled, roles, name, "
               "verified, given_name, family_name, locale, password IS NULL "
               "FROM users WHERE email = %s" % sq(ue))
    sub = "mock-" + hashlib.sha256(ue.encode()).hexdigest()[:20]
    ouid = row.split("|")[0]
    ok(row.split("|")[1:] == ["mock", sub, "f", "{}", "Open Id", "t",
                              "Given", "Family", "en", "t"],
       "the account: provider mock, auth_id = sub, no roles", row)
    log = psql("SELECT method || ' ' || uri FROM user_logs WHERE user_id = "
               "%s" % sq(ouid))
    ok(log == "GET /auth/openid/mock/redirect",
       "the callback writes a user_logs row, without the code", log)
    ok(r.headers.get("set-cookie", "").startswith("iocagg_oidc=;"),
       "the callback clears the cookie", r)
    r2 = cgi("/api/v1/auth/openid/mock/redirect", query, env=OENV,
             cookie=s.headers.get("set-cookie", "").split(";")[0])
    cgi_error(r2, 401, "unauthorized", "a replayed state: 401")
    is_error(post("/api/v1/auth/login", {"email": ue,
                                         "password": "whatever1"}),
             401, "invalid_credentials", "the OpenID account has no "
             "password login")

    # Enabled: the session token lands in the fragment of "next".
    psql("UPDATE users SET enabled = true, roles = '{request_view}' "
         "WHERE id = %s" % sq(ouid))
    r, s, query = login(nxt="/requests?tab=1", login_hint=ue)
    loc = r.headers.get("location", "")
    ok(r.status == 302 and loc.startswith("/requests?tab=1#token="),
       "an enabled account: 302 to <next>#token=<jwt>", r)
    otok = loc.partition("#token=")[2]
    c = claims_of(otok) if otok.count(".") == 2 else {}
    ok(c.get("sub") == ouid and c.get("provider") == "mock"
       and c.get("email") == ue and c.get("roles") == ["request_view"]
       and c.get("iss") == ISSUER, "its claims: sub, provider, roles", c)
    r = bearer(otok)
    ok(r.status == 200 and (r.json() or {}).get("id") == ouid,
       "the OpenID session token works as Bearer", r)
    r, s, query = login(login_hint=ue)
    ok(r.status == 302 and r.headers.get("location", "").startswith(
        "/#token="), "without next: 302 to /#token=...", r)

    # Locations longer than a header line of http_header() still arrive
    # whole: a long next, a long name in the token, a long login_hint.
    long_next = "/requests?q=" + "x" * 700
    psql("UPDATE users SET name = %s WHERE id = %s" % (sq("N" * 100),
                                                       sq(ouid)))
    r, s, query = login(nxt=long_next, login_hint=ue, name="N" * 100)
    loc = r.headers.get("location", "")
    otok = loc.partition("#token=")[2]
    ok(r.status == 302 and loc.startswith(long_next + "#token=")
       and len(loc) > 1000 and bearer(otok).status == 200
       and r.headers.get("set-cookie", "").startswith("iocagg_oidc=;"),
       "a 1000-byte Location arrives whole, with the other headers", r)
    s = start(hint="h" * 300 + "@example.org")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(
        s.headers.get("location", "")).query)
    ok(s.status == 302 and q.get("login_hint") == ["h" * 300 +
                                                   "@example.org"]
       and len(q.get("nonce", [""])[0]) == 43
       and s.headers.get("set-cookie", "").startswith("iocagg_oidc="),
       "a long authorization URL arrives whole", s)

    # The state: bound to the browser, one use, 10 minutes, one provider.
    s = start()
    back = provider_redirect(s.headers.get("location", "") + "&" +
                             urllib.parse.urlencode({"login_hint": ue}))
    query = urllib.parse.urlsplit(back).query
    good_ck = s.headers.get("set-cookie", "").split(";")[0]
    cgi_error(cgi("/api/v1/auth/openid/mock/redirect", query, env=OENV),
              401, "unauthorized", "no cookie: 401")
    cgi_error(cgi("/api/v1/auth/openid/mock/redirect", query, env=OENV,
                  cookie="iocagg_oidc=zzzzzzzzzzzz"), 401, "unauthorized",
              "another browser's cookie: 401")
    r = cgi("/api/v1/auth/openid/mock/redirect", query, env=OENV,
            cookie="theme=dark; " + good_ck)
    ok(r.status == 302 and "#token=" in r.headers.get("location", ""),
       "refused attempts did not use the state up", r)

    st = dict(urllib.parse.parse_qsl(query))["state"]
    tampered = st[:-1] + ("A" if st[-1] != "A" else "B")
    q2 = query.replace(urllib.parse.quote(st, safe=""), tampered)
    cgi_error(cgi("/api/v1/auth/openid/mock/redirect", q2, env=OENV,
                  cookie=good_ck), 401, "unauthorized",
              "a tampered state: 401")

    r, s, query = login(cb_provider="other", login_hint=ue)
    cgi_error(r, 401, "unauthorized", "a state of another provider: 401")

    s = start()
    st = urllib.parse.parse_qs(urllib.parse.urlsplit(
        s.headers.get("location", "")).query).get("state", ["?"])[0]
    psql("UPDATE login_requests SET created_at = created_at - "
         "interval '11 minutes' WHERE id = %s" % sq(st[:12]))
    back = provider_redirect(s.headers.get("location", ""))
    r = cgi("/api/v1/auth/openid/mock/redirect",
            urllib.parse.urlsplit(back).query, env=OENV,
            cookie=s.headers.get("set-cookie", "").split(";")[0])
    cgi_error(r, 401, "unauthorized", "a state older than 10 minutes: 401")

    r, s, query = login(error="access_denied")
    cgi_error(r, 401, "unauthorized", "the provider's error=access_denied: "
              "401")
    cgi_error(cgi("/api/v1/auth/openid/mock/redirect", "state=x", env=OENV),
              400, "bad_request", "no code: 400")
    r, s, query = login(provider="wrongsecret", login_hint=ue)
    cgi_error(r, 401, "unauthorized", "the token endpoint refuses the "
              "client secret: 401")

    # Bad id_tokens.
    for bad, what in [("signature", "signed by another key"),
                      ("kid", "with an unknown key id"),
                      ("nonce", "with another nonce"),
                      ("no_nonce", "without a nonce"),
                      ("aud", "for another audience"),
                      ("azp", "with another azp"),
                      ("iss", "of another issuer"),
                      ("expired", "expired"),
                      ("nbf", "not yet valid"),
                      ("alg_none", "with alg none"),
                      ("hs256", "HS256 keyed with the public key"),
                      ("no_email", "without an e-mail address")]:
        r, s, query = login(login_hint=ue, bad=bad)
        cgi_error(r, 401, "unauthorized", "an id_token %s: 401" % what)
    n = psql("SELECT count(*) FROM users WHERE provider = 'mock' AND "
             "lower(email) = lower(%s)" % sq(ue))
    ok(n == "1", "no refused login created an account", n)

    # An administrator's account for a verified address is linked.
    le = email()
    luid = psql("INSERT INTO users (provider, enabled, email, name, roles) "
                "VALUES ('mock', true, %s, 'Pre Made', '{request_create}') "
                "RETURNING id" % sq(le))
    r, s, query = login(login_hint=le, sub="linked-" + letters())
    loc = r.headers.get("location", "")
    c = claims_of(loc.partition("#token=")[2]) if "#token=" in loc else {}
    ok(r.status == 302 and c.get("sub") == luid
       and c.get("roles") == ["request_create"],
       "a pre-made account of the provider is linked on a verified "
       "address", r)
    r, s, query = login(login_hint=le, sub="intruder-" + letters(),
                        email_verified="false")
    cgi_error(r, 409, "conflict", "another subject with that address: 409")
    # The first-admin rule holds for OpenID accounts too: on the fresh
    # database, once no admin is enabled, the next new account is one.
    subprocess.run(["psql", "-Atq", "-d", new_url, "-c",
                    "UPDATE users SET enabled = false WHERE 'admin' = "
                    "ANY (roles)"], check=True, capture_output=True)
    fenv = dict(OENV, IOCAGG_DATABASE_URL=new_url)
    r, s, query = login(env=fenv, login_hint="first@example.org")
    loc = r.headers.get("location", "")
    c = claims_of(loc.partition("#token=")[2]) if "#token=" in loc else {}
    ok(r.status == 302 and c.get("roles") == ["admin"]
       and c.get("provider") == "mock",
       "without an enabled admin, a new OpenID account is an enabled "
       "admin", r)
    r, s, query = login(env=fenv, login_hint="second@example.org")
    ok(r.status == 302 and r.headers.get("location") ==
       "/auth?disabled=true", "the next new OpenID account is disabled", r)
    calls = json.loads(urllib.request.urlopen(iss + "/_calls",
                                              timeout=5).read())
    ok(calls.get("jwks", 0) >= 1 and calls.get("discovery", 0) >= 1,
       "discovery and JWKS were fetched from the provider", calls)
finally:
    mock.terminate()
    mock.wait(timeout=10)
    tmp.cleanup()

done()
