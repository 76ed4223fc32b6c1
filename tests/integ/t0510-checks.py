#!/usr/bin/python3
"""Per-source checks before any call, and the outcome of each call:
pre-checks, ignore lists, upstream failures, timeouts."""
import time
from iocaggtest import (need_stack, ok, psql, make_source, lookup, by_source,
                        error_kinds, mock_count, letters, done)

need_stack()
system = psql("SELECT id FROM users WHERE email = 'system@iocagg.invalid'")


def one(data, kind, sid, **kw):
    r = lookup(data, kind, ids=[sid], **kw)
    return by_source(r).get(sid, {"errors": [], "status": r.status})


# Pre-checks, each without any call upstream.
tag = letters(6)
s_ok = make_source()
s_unsup = make_source(kinds=("IPV4",))
s_off = make_source(enabled=False)
prov = psql("INSERT INTO providers (name, slug, description, url, enabled, created_user_id)"
            " VALUES ('Prov %s', 'prov-%s', '', 'https://p.example', false, '%s') RETURNING id"
            % (tag, tag, system))
s_prov = make_source(provider_id=prov)
s_dis = make_source(disabled_indicators=["DOMAIN"])
s_sec = make_source()
psql("INSERT INTO source_secrets (name, required, source_id, created_user_id) "
     "VALUES ('NEEDED_KEY', true, '%s', '%s')" % (s_sec, system))
before = mock_count("precheck-" + tag)
for sid, kinds, name in [
        (s_unsup, ["UNSUPPORTED_INDICATOR"], "a kind the source lacks"),
        (s_off, ["SOURCE_DISABLED"], "a disabled source"),
        (s_prov, ["PROVIDER_DISABLED"], "a disabled provider"),
        (s_dis, ["DISABLED_INDICATOR"], "a kind disabled on the source"),
        (s_sec, ["MISSING_SECRET"], "a required slot with no secret")]:
    res = one("precheck-%s.example.com" % tag, "DOMAIN", sid)
    ok(error_kinds(res) == kinds, "%s gives %s" % (name, kinds[0]), res)
ok(mock_count("precheck-" + tag) == before, "no pre-check failure called the upstream")
res = one("precheck-%s.example.com" % tag, "DOMAIN", s_prov)
ok(res["errors"][0].get("content") == prov, "PROVIDER_DISABLED names the provider")
res = one("precheck-%s.example.com" % tag, "DOMAIN", s_sec)
ok(res["errors"][0].get("content") == ["NEEDED_KEY"],
   "MISSING_SECRET names the slot", res)
s_many = make_source(kinds=("IPV4",), enabled=False, disabled_indicators=["DOMAIN"])
res = one("x.example.com", "DOMAIN", s_many)
ok(error_kinds(res) == ["UNSUPPORTED_INDICATOR", "SOURCE_DISABLED", "DISABLED_INDICATOR"],
   "several pre-check errors are reported together, in order", res)
res = one("ok-%s.example.com" % tag, "DOMAIN", s_ok)
ok(res["errors"] == [] and res["data"]["indicator"] == "ok-%s.example.com" % tag,
   "a healthy source answers", res)

# Runner sources.
py = make_source(kind="python", builtin=None, source_code="def fetch_data(d, k):\n    return d\n")
psql("INSERT INTO server_config (key, value, last_modified_user_id) VALUES "
     "('python_runner_enabled', 'false', '%s') ON CONFLICT (key) DO UPDATE SET value = 'false'" % system)
res = one("a.example.com", "DOMAIN", py)
ok(error_kinds(res) == ["RUNNER_DISABLED"] and res["errors"][0]["content"] == "PYTHON",
   "a Python source with its runner disabled is RUNNER_DISABLED", res)
psql("DELETE FROM server_config WHERE key = 'python_runner_enabled'")

# Ignore lists: global, source, provider; exact, CIDR, suffix; enabled.
def ignore_list(glob=True, enabled=True, entries=()):
    name = "List " + letters()
    lid = psql("INSERT INTO ignore_lists (name, slug, description, enabled, global, created_user_id)"
               " VALUES ('%s', '%s', '', %s, %s, '%s') RETURNING id"
               % (name, name.lower().replace(" ", "-"), enabled, glob, system))
    for data, kind in entries:
        psql("INSERT INTO ignore_list_entries (data, indicator_kind, ignore_list_id, created_user_id)"
             " VALUES ('%s', '%s', '%s', '%s')" % (data, kind, lid, system))
    return lid, name


s_ip = make_source(kinds=("IPV4", "IPV6", "URL", "EMAIL", "DOMAIN"))
g, gname = ignore_list(entries=[("exact-%s.example.com" % tag, "DOMAIN"),
                                ("10.%d.0.0/16" % (len(tag) + 40), "IPV4"),
                                ("2001:db8:%x::/48" % (len(tag) + 40), "IPV6"),
                                ("*.suffix-%s.example.org" % tag, "DOMAIN")])
res = one("exact-%s.example.com" % tag, "DOMAIN", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"] and res["errors"][0]["content"] == [gname],
   "an exact entry of a global list matches, naming the list", res)
res = one("10.%d.7.9" % (len(tag) + 40), "IPV4", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "a CIDR entry matches an IPv4 inside it", res)
res = one("10.%d.7.9" % (len(tag) + 41), "IPV4", s_ip)
ok(res["errors"] == [], "an IPv4 outside the CIDR is not ignored", res)
res = one("2001:db8:%x::1" % (len(tag) + 40), "IPV6", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "a CIDR entry matches an IPv6 inside it", res)
res = one("a.b.suffix-%s.example.org" % tag, "DOMAIN", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "*.suffix matches a deeper domain", res)
res = one("suffix-%s.example.org" % tag, "DOMAIN", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "*.suffix matches the domain itself", res)
res = one("http://www.suffix-%s.example.org/x?y=1" % tag, "URL", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "*.suffix matches a URL on the domain", res)
res = one("who@mail.suffix-%s.example.org" % tag, "EMAIL", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "*.suffix matches an e-mail on the domain", res)
res = one("http://10.%d.1.1/x" % (len(tag) + 40), "URL", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "a CIDR entry matches a URL on an IP", res)
res = one("notsuffix-%s.example.org" % tag, "DOMAIN", s_ip)
ok(res["errors"] == [], "a suffix match respects label boundaries", res)
res = one("sub.exact-%s.example.com" % tag, "DOMAIN", s_ip)
ok(res["errors"] == [], "a plain domain entry does not match its subdomains", res)
res = one("https://exact-%s.example.com/path" % tag, "URL", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "a plain domain entry matches a URL on that host", res)

lid, lname = ignore_list(glob=False, entries=[("linked-%s.example.com" % tag, "DOMAIN")])
res = one("linked-%s.example.com" % tag, "DOMAIN", s_ip)
ok(res["errors"] == [], "a non-global list not linked to the source does not apply", res)
psql("INSERT INTO source_ignore_lists (ignore_list_id, source_id, user_id) VALUES ('%s', '%s', '%s')"
     % (lid, s_ip, system))
res = one("linked-%s.example.com" % tag, "DOMAIN", s_ip)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "a list linked to the source applies", res)

pid = psql("INSERT INTO providers (name, slug, description, url, created_user_id) VALUES "
           "('Pv %s', 'pv-%s', '', 'https://p.example', '%s') RETURNING id" % (tag, tag, system))
s_pv = make_source(provider_id=pid)
plid, _ = ignore_list(glob=False, entries=[("prov-%s.example.com" % tag, "DOMAIN")])
res = one("prov-%s.example.com" % tag, "DOMAIN", s_pv)
ok(res["errors"] == [], "the provider's list does not apply before it is linked", res)
psql("INSERT INTO provider_ignore_lists (ignore_list_id, source_provider_id, user_id) VALUES "
     "('%s', '%s', '%s')" % (plid, pid, system))
res = one("prov-%s.example.com" % tag, "DOMAIN", s_pv)
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"], "a list linked to the provider applies", res)
psql("UPDATE ignore_lists SET enabled = false WHERE id = '%s'" % plid)
res = one("prov-%s.example.com" % tag, "DOMAIN", s_pv)
ok(res["errors"] == [], "a disabled list does not apply", res)

# Upstream failures cost only that source.
from iocaggtest import MOCK
for word, kind, name in [
        ("status404", "NOT_FOUND", "an upstream 404"),
        ("status401", "UNAUTHORIZED", "an upstream 401"),
        ("status403", "UNAUTHORIZED", "an upstream 403"),
        ("status500", "RESPONSE_ERROR", "an upstream 500"),
        ("garbage", "RESPONSE_ERROR", "an answer that is not JSON"),
        ("empty", "RESPONSE_ERROR", "an empty answer"),
        ("huge", "RESPONSE_ERROR", "a 50 MB answer"),
        ("reset", "REQUEST_ERROR", "a connection reset"),
        ("truncated", "REQUEST_ERROR", "a truncated answer"),
        ("hang", "TIMEOUT", "a hanging upstream (timeout 1 s)")]:
    s_t1 = make_source(timeout=1, url=MOCK + "/generic/{data}?w=" + word)
    t0 = time.monotonic()
    r = lookup("fail-%s.example.com" % letters(4), "DOMAIN", ids=[s_t1, s_ok])
    took = time.monotonic() - t0
    res = by_source(r)
    ok(r.status == 200 and error_kinds(res.get(s_t1, {})) == [kind]
       and res.get(s_ok, {}).get("errors") == [],
       "%s gives %s, the other source still answers" % (name, kind), res.get(s_t1))
ok(took < 3, "the hung source cost its own timeout only (%.1fs)" % took)

# An upstream 429 pauses the source for its Retry-After.
s_429 = make_source(url=MOCK + "/generic/{data}?w=status429")
res = one("first-%s.example.com" % tag, "DOMAIN", s_429)
ok(error_kinds(res) == ["RATE_LIMITED"] and res["errors"][0]["content"] == {"retryAfter": 7},
   "an upstream 429 is RATE_LIMITED with its Retry-After", res)
before = mock_count("other-" + tag)
res = one("other-%s.example.com" % tag, "DOMAIN", s_429)
ok(error_kinds(res) == ["RATE_LIMITED"] and 0 < res["errors"][0]["content"]["retryAfter"] <= 7,
   "the source stays paused without calling the upstream", res)
ok(mock_count("other-" + tag) == before, "no call was made while paused")

done()
