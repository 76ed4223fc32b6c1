#!/usr/bin/python3
"""API-token authentication, roles and the audit trail."""
import re
from iocaggtest import (TOKEN, need_stack, get, ok, is_error, psql, ctl,
                        done)

need_stack()
KINDS = ["DOMAIN", "IPV4", "IPV6", "URL", "EMAIL", "SHA1", "SHA256",
         "SHA512", "MD5", "TLSH", "SSDEEP"]

r = get("/api/v1/indicatorKinds")
ok(r.status == 200 and r.json() == KINDS,
   "indicatorKinds lists the 11 kinds in order", r)
r = get("/api/v1/indicatorKinds?details=true")
j = r.json() or []
ok(r.status == 200 and [k.get("kind") for k in j] == KINDS
   and all(k.get("example") and k.get("description") for k in j),
   "details=true gives kind, description and example", r)
is_error(get("/api/v1/indicatorKinds?details=maybe"), 400, "bad_request",
         "a bad boolean is 400")

# Missing or bad credentials: 401 JSON, never a handler.
r = get("/api/v1/indicatorKinds", auth=False)
is_error(r, 401, "unauthorized", "no Authorization header is 401 JSON")
ok(r.headers.get("WWW-Authenticate", "").startswith("Token"),
   "401 names the Token scheme")
tid, secret = TOKEN.split("_", 1)
wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
for name, hdr in [
        ("unknown scheme", "Foo " + TOKEN),
        ("empty token", "Token "),
        ("no separator", "Token " + tid + secret),
        ("wrong secret", "Token %s_%s" % (tid, wrong)),
        ("unknown id", "Token zzzzzzzzzzzz_" + secret),
        ("short secret", "Token %s_%s" % (tid, secret[:10])),
        ("SQL in id", "Token ' OR '1'='1_" + secret)]:
    r = get("/api/v1/indicatorKinds", auth=False,
            headers={"Authorization": hdr})
    is_error(r, 401, "unauthorized", "%s is 401" % name)
r = get("/api/v1/indicatorKinds", auth=False,
        headers={"Authorization": "token " + TOKEN})
ok(r.status == 200, "the scheme name is case-insensitive", r)

# Only a hash of the secret is stored.
stored = psql("SELECT token FROM api_tokens WHERE id = '%s'" % tid)
ok(stored.startswith("sha256$") and secret not in stored,
   "the token secret is stored only as a hash")

# A second user, without roles: authenticated but not an admin.
res = ctl("user", "add", "-n", "Analyst", "analyst@example.org")
ok(res.returncode == 0 and "password:" in res.stdout,
   "iocaggctl user add prints a generated password", res)
res = ctl("token", "add", "analyst@example.org", "tests")
ok(res.returncode == 0 and re.fullmatch(r"[0-9a-z]{12}_[A-Za-z0-9]{32}",
                                        res.stdout.strip()),
   "iocaggctl token add prints <id>_<secret> once", res)
analyst = res.stdout.strip()
res = ctl("token", "add", "analyst@example.org", "tests")
ok(res.returncode != 0 and "already" in res.stderr,
   "a repeated note is refused, not silently broken", res)
res = ctl("token", "add", "nobody@example.org", "x")
ok(res.returncode != 0, "a token for an unknown user is refused")
res = ctl("user", "add", "analyst@example.org")
ok(res.returncode != 0, "a duplicate user is refused")

r = get("/api/v1/indicatorKinds", token=analyst)
ok(r.status == 200, "a user without roles may list the kinds", r)
r = get("/api/v1/users", token=analyst)
is_error(r, 403, "forbidden", "a user without the admin role gets 403 JSON")
r = get("/api/v1/users/me", token=analyst)
j = r.json() or {}
ok(r.status == 200 and j.get("email") == "analyst@example.org"
   and "password" not in j, "users/me shows the caller, no password", r)

r = get("/api/v1/users")
j = r.json() or []
emails = [u.get("user", {}).get("email") for u in j]
ok(r.status == 200 and "admin@localhost" in emails
   and "analyst@example.org" in emails,
   "the admin lists users as {user, numLogs}", r)
ok(all(isinstance(u.get("numLogs"), int) for u in j), "numLogs is a number")
ok(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?",
                    u["user"]["createdAt"]) for u in j),
   "timestamps are ISO-8601 without a zone")
admin_id = [u["user"]["id"] for u in j if u["user"]["email"] == "admin@localhost"][0]
r = get("/api/v1/users/" + admin_id)
ok(r.status == 200 and r.json().get("roles") == ["admin"],
   "one user by id, with roles", r)
is_error(get("/api/v1/users/zzzzzzzzzzzz"), 404, "not_found",
         "an unknown user id is 404")
is_error(get("/api/v1/users/a'b"), 404, "not_found", "a malformed id is 404")
is_error(get("/api/v1/users?limit=0"), 400, "bad_request",
         "limit=0 is 400")
r = get("/api/v1/users?limit=1&offset=1")
ok(r.status == 200 and len(r.json()) == 1, "limit/offset page the list", r)

# Audit trail: one user_logs row per authenticated request.
# (with the analyst's own token: other tests use the admin's meanwhile)
uid = psql("SELECT user_id FROM api_tokens WHERE id = '%s'" % analyst.split("_")[0])
before = int(psql("SELECT count(*) FROM user_logs WHERE user_id = '%s'" % uid))
get("/api/v1/indicatorKinds?x=1", token=analyst)
rows = psql("SELECT method || ' ' || uri || ' ' || length(trace_id) FROM user_logs "
            "WHERE user_id = '%s' ORDER BY created_at DESC, id DESC LIMIT 1" % uid)
after = int(psql("SELECT count(*) FROM user_logs WHERE user_id = '%s'" % uid))
ok(after == before + 1, "an authenticated request writes one user_logs row")
ok(rows.startswith("GET /indicatorKinds?x=1 "), "the row records method and uri", rows)
before = after
get("/api/v1/indicatorKinds", auth=False,
    headers={"Authorization": "Token %s_%s" % (analyst.split("_")[0], "A" * 32)})
after = int(psql("SELECT count(*) FROM user_logs WHERE user_id = '%s'" % uid))
ok(after == before, "a refused request writes no user_logs row")

# Expired tokens and disabled users are refused.
aid = analyst.split("_")[0]
psql("UPDATE api_tokens SET expires_at = (now() AT TIME ZONE 'utc') - interval '1 minute' WHERE id = '%s'" % aid)
is_error(get("/api/v1/indicatorKinds", token=analyst), 401, "unauthorized",
         "an expired token is 401")
psql("UPDATE api_tokens SET expires_at = NULL WHERE id = '%s'" % aid)
psql("UPDATE users SET enabled = false WHERE email = 'analyst@example.org'")
is_error(get("/api/v1/indicatorKinds", token=analyst), 401, "unauthorized",
         "a disabled user's token is 401")

# Migrations: applied once, a second run changes nothing.
res = ctl("migrate")
ok(res.returncode == 0 and "0 migrations applied" in res.stdout,
   "iocaggctl migrate twice applies nothing", res)
SEEDED = ("urlhaus malwarebazaar megatron threatfox asn-cymru shodan internetdb "
          "phishtank openphish alienvault-otx google-safe-browsing-update "
          "google-safe-browsing-lookup virustotal haveibeenpwned dns abuseipdb "
          "urlscan-io-search urlscan-io-submit internet-archive "
          "simple-get-request-python certificate-transparency").split()
ok(psql("SELECT count(*) FROM sources WHERE slug IN (%s)"
        % ",".join("'%s'" % x for x in SEEDED)) == "21", "the 21 sources are seeded")
ok(psql("SELECT count(*) FROM providers WHERE created_user_id = "
        "(SELECT id FROM users WHERE email = 'system@iocagg.invalid') "
        "AND slug NOT LIKE 'prov-%' AND slug NOT LIKE 'pv-%' "
        "AND created_at = (SELECT min(created_at) FROM providers)") == "11",
   "the 11 providers are seeded")

done()
