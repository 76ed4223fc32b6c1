#!/usr/bin/python3
"""The /api/v1/ignoreLists route group: CRUD, slugs, bad input, roles,
entries (exact, CIDR and wildcard; checked, normalized, replaced in one
transaction), the links to providers and sources, and lookups that
honour lists made through this API."""
import random
from iocaggtest import (need_stack, ok, is_error, request, get, psql, ctl,
                        letters, make_source, lookup, by_source, error_kinds,
                        done)

need_stack()
L = "/api/v1/ignoreLists"
LIST_KEYS = {"id", "createdAt", "updatedAt", "name", "slug", "description",
             "enabled", "global", "createdUserId", "updatedUserId"}
ENTRY_KEYS = {"id", "createdAt", "updatedAt", "data", "indicatorKind",
              "ignoreListId", "createdUserId", "updatedUserId"}
JSON = {"Content-Type": "application/json"}


def post(path, body, **kw):
    return request("POST", path, body=body, **kw)


def patch(path, body, **kw):
    return request("PATCH", path, body=body, **kw)


def put(path, body, **kw):
    return request("PUT", path, body=body, **kw)


def delete(path, **kw):
    return request("DELETE", path, **kw)


def user(*roles):
    email = "ilist-%s@example.org" % letters(8)
    args = ["user", "add"]
    for r in roles:
        args += ["-r", r]
    ctl(*(args + [email]))
    tok = ctl("token", "add", email, "t").stdout.strip()
    uid = psql("SELECT id FROM users WHERE email = '%s'" % email)
    return tok, uid


def msg(r):
    j = r.json()
    return j["error"]["message"] if isinstance(j, dict) and "error" in j else ""


def bad(body, status, code, what, needle=None, method="POST", path=L):
    r = request(method, path, body=body)
    if is_error(r, status, code, what) and needle is not None:
        ok(needle in msg(r), "  ... and the message names %s" % needle, msg(r))
    return r


me = get("/api/v1/users/me").json()["id"]
tag = letters(6)

# --- Create and read -------------------------------------------------
n1 = "List %s One" % tag
r = post(L, {"name": n1})
ok(r.status == 201 and set(r.json()) == {"id", "slug"} and r.json()["slug"] == "list-%s-one" % tag,
   "POST {name} answers 201 {id, slug}", r)
l1 = r.json()["id"]
r = get(L + "/" + l1)
j = r.json()
ok(r.status == 200 and set(j) == LIST_KEYS, "GET /ignoreLists/:id has the IgnoreList shape", r)
ok(j["description"] == "" and j["enabled"] is True and j["global"] is False
   and j["createdUserId"] == me and j["updatedUserId"] is None,
   "description, enabled and global default; createdUserId is the caller", j)
n2 = "List %s Two" % tag
r = post(L, {"name": n2, "description": "second", "enabled": False, "global": True})
ok(r.status == 201, "POST with every field answers 201", r)
l2 = r.json()["id"]
j = get(L + "/" + l2).json()
ok(j["global"] is True and j["enabled"] is False and j["description"] == "second",
   "global is honoured on create (reference quirk fixed)", j)
r = get(L)
ids = [x["id"] for x in r.json()]
ok(r.status == 200 and l1 in ids and l2 in ids and all(set(x) == LIST_KEYS for x in r.json()),
   "GET /ignoreLists lists both", r)
ok(ids.index(l1) < ids.index(l2), "lists are ordered by name")
r = get(L + "/global")
gids = [x["id"] for x in r.json()]
ok(r.status == 200 and l2 in gids and l1 not in gids and all(x["global"] for x in r.json()),
   "GET /ignoreLists/global lists only global lists", r)
ok(len(get(L + "?limit=1").json()) == 1, "limit pages the list")
is_error(get(L + "?limit=-1"), 400, "bad_request", "a negative limit is 400")
r = get(L + "/slugs/list-%s-one" % tag)
ok(r.status == 200 and r.body == l1 and r.headers.get("Content-Type", "").startswith("text/plain"),
   "GET /ignoreLists/slugs/:slug answers the id as text/plain", r)
is_error(get(L + "/slugs/nope-%s" % tag), 404, "not_found", "an unknown slug is 404")
is_error(get(L + "/zzzzzzzzzzzz"), 404, "not_found", "an unknown id is 404")
is_error(get(L + "/x"), 404, "not_found", "a malformed id is 404")

# --- Bad input on the lists -------------------------------------------
is_error(request("POST", L, body=b'{"name":', headers=JSON), 400, "malformed_json",
         "malformed JSON is 400")
bad({"name": True}, 422, "invalid_field", "a boolean name is 422", "'name'")
bad({"name": "List %s x" % tag, "global": "yes"}, 422, "invalid_field",
    "a string global is 422", "'global'")
bad({"name": "List %s x" % tag, "enabled": None}, 422, "invalid_field",
    "a null enabled is 422", "'enabled'")
bad({"name": "List %s x" % tag, "entries": []}, 422, "invalid_field",
    "an unknown field is 422", "'entries'")
bad({"description": "x"}, 422, "invalid_field", "a missing name is 422", "'name'")
bad({"name": "L" * 101}, 422, "invalid_field", "a 101-character name is 422", "'name'")
bad({"name": "List %s x" % tag, "description": "d" * 5001}, 422, "invalid_field",
    "a 5001-character description is 422", "'description'")
bad({"name": "   "}, 422, "invalid_field", "a blank name is 422", "'name'")
bad({"name": n1}, 409, "conflict", "a duplicate name is 409")
bad({"name": "list %s one." % tag}, 409, "conflict", "a name giving a taken slug is 409")
ok(psql("SELECT count(*) FROM ignore_lists WHERE name LIKE 'List %s x%%'" % tag) == "0",
   "nothing was written by the refused bodies")

# --- PATCH -------------------------------------------------------------
editor, editor_id = user("sources_view", "sources_edit")
r = patch(L + "/" + l1, {"name": "List %s Renamed" % tag, "global": True}, token=editor)
ok(r.status == 204, "PATCH answers 204", r)
j = get(L + "/" + l1).json()
ok(j["slug"] == "list-%s-renamed" % tag and j["global"] is True and j["enabled"] is True
   and j["updatedUserId"] == editor_id,
   "renaming recomputes the slug; other fields stay; updatedUserId is the caller", j)
ok(get(L + "/slugs/list-%s-renamed" % tag).body == l1, "the new slug finds the list")
is_error(get(L + "/slugs/list-%s-one" % tag), 404, "not_found", "the old slug is gone")
r = patch(L + "/" + l1, {"global": False})
ok(r.status == 204 and l1 not in [x["id"] for x in get(L + "/global").json()],
   "PATCH global false takes it out of /global", r)
bad({"name": n2}, 409, "conflict", "PATCH to a taken name is 409", method="PATCH",
    path=L + "/" + l1)
bad({"name": None}, 422, "invalid_field", "PATCH a null name is 422", "'name'",
    method="PATCH", path=L + "/" + l1)
bad({"slug": "a"}, 422, "invalid_field", "PATCH an unknown field is 422", "'slug'",
    method="PATCH", path=L + "/" + l1)
is_error(patch(L + "/zzzzzzzzzzzz", {"enabled": True}), 404, "not_found",
         "PATCH an unknown id is 404")

# --- Entries -------------------------------------------------------------
E = L + "/" + l1 + "/entries"
sha = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
given = [
    ("Example.COM.", "DOMAIN", "example.com"),
    ("evil[.]example", "DOMAIN", "evil.example"),
    ("*.Wild.EXAMPLE.org", "DOMAIN", "*.wild.example.org"),
    ("  10.1.2.3 ", "IPV4", "10.1.2.3"),
    ("10.0.0.0/8", "IPV4", "10.0.0.0/8"),
    ("192.0.2.77/32", "IPV4", "192.0.2.77/32"),
    ("2001:DB8::/32", "IPV6", "2001:db8::/32"),
    ("2001:0DB8:0::1", "IPV6", "2001:db8::1"),
    ("HTTP://Example.com/Path?Q=1", "URL", "http://example.com/Path?Q=1"),
    ("User@Example.COM", "EMAIL", "User@example.com"),
    (sha, "SHA256", sha.lower()),
]
r = put(E, [{"data": d, "indicatorKind": k} for d, k, _ in given])
ok(r.status == 204 and r.body == "", "PUT entries answers 204", r)
r = get(E)
got = r.json()
ok(r.status == 200 and len(got) == len(given) and all(set(x) == ENTRY_KEYS for x in got),
   "GET entries lists them as IgnoreListEntry objects", r)
ok(sorted((x["indicatorKind"], x["data"]) for x in got) == sorted((k, n) for _, k, n in given),
   "exact entries are normalized, CIDR lowercased, wildcards normalized", got)
ok(all(x["ignoreListId"] == l1 and x["createdUserId"] == me for x in got),
   "entries belong to the list and record their creator")
ok([(x["indicatorKind"], x["data"]) for x in got]
   == sorted((x["indicatorKind"], x["data"]) for x in got), "entries are ordered by kind, data")
gen = psql("SELECT coalesce(suffix, '-') || ' ' || coalesce(host(net) || '/' || masklen(net), '-') "
           "FROM ignore_list_entries WHERE ignore_list_id = '%s' AND (suffix IS NOT NULL "
           "OR net IS NOT NULL)" % l1)
ok(sorted(gen.split("\n")) == ["- 10.0.0.0/8", "- 192.0.2.77/32", "- 2001:db8::/32",
                                "wild.example.org -"],
   "the generated suffix and net columns are filled", gen)
ok(len(get(E + "?limit=2&offset=1").json()) == 2, "entries page with limit and offset")
old = sorted(x["id"] for x in got)


def unchanged(what):
    ok(sorted(x["id"] for x in get(E).json()) == old, what + ": nothing written")


bads = [
    ("10.0.0.0/33", "IPV4", "a prefix over 32"),
    ("10.0.0.0/08", "IPV4", "a prefix with a leading zero"),
    ("10.0.0.0/", "IPV4", "an empty prefix"),
    ("10.0.0.0/8/8", "IPV4", "two prefixes"),
    ("10.0.0/8", "IPV4", "a three-part network"),
    ("010.0.0.0/8", "IPV4", "an address with a leading zero"),
    ("10.0.0.0/-1", "IPV4", "a negative prefix"),
    ("2001:db8::/129", "IPV6", "an IPv6 prefix over 128"),
    ("2001:db8::g/32", "IPV6", "a bad IPv6 network"),
    ("10.0.0.0/8", "IPV6", "an IPv4 network as IPV6"),
    ("2001:db8::/32", "IPV4", "an IPv6 network as IPV4"),
    ("10.0.0.0/8", "DOMAIN", "a network as DOMAIN"),
    ("*.com", "DOMAIN", "a wildcard over a single label"),
    ("*.", "DOMAIN", "a bare wildcard"),
    ("*.*.example.com", "DOMAIN", "a double wildcard"),
    ("a*.example.com", "DOMAIN", "a wildcard inside a label"),
    ("*.example.com", "URL", "a wildcard as URL"),
    ("example..com", "DOMAIN", "an empty label"),
    ("300.1.1.1", "IPV4", "an out-of-range IPv4"),
    ("abc", "MD5", "a bad MD5"),
    ("", "DOMAIN", "empty data"),
    ("http://e.com/" + "a" * 2100, "URL", "data over 2048 bytes"),
]
for i, (d, k, what) in enumerate(bads):
    body = [{"data": "ok-%d.example.com" % i, "indicatorKind": "DOMAIN"},
            {"data": d, "indicatorKind": k}]
    r = put(E, body)
    if is_error(r, 422, "invalid_field", "PUT entries: %s is 422" % what):
        ok("entry 1" in msg(r) and "'data'" in msg(r), "  ... naming entry 1 and 'data'", msg(r))
unchanged("the refused PUTs")
for body, what, needle in [
        ([{"data": "a.example.com", "indicatorKind": "domain"}], "a lowercase kind", "'indicatorKind'"),
        ([{"data": "a.example.com", "indicatorKind": "FQDN"}], "an unknown kind", "'indicatorKind'"),
        ([{"data": 12, "indicatorKind": "DOMAIN"}], "numeric data", "'data'"),
        ([{"data": None, "indicatorKind": "DOMAIN"}], "null data", "'data'"),
        ([{"indicatorKind": "DOMAIN"}], "missing data", "'data'"),
        ([{"data": "a.example.com"}], "a missing kind", "'indicatorKind'"),
        ([{"data": "a.example.com", "indicatorKind": "DOMAIN", "note": "x"}], "an unknown field", "'note'"),
        (["a.example.com"], "a string entry", "entry 0"),
        ({"data": "a.example.com", "indicatorKind": "DOMAIN"}, "an object body", "array")]:
    bad(body, 422, "invalid_field", "PUT entries: %s is 422" % what, needle, method="PUT", path=E)
is_error(request("PUT", E, body=b'[{"data": "a.example.com"', headers=JSON), 400,
         "malformed_json", "PUT entries: malformed JSON is 400")
r = put(E, [{"data": "dup.example.com", "indicatorKind": "DOMAIN"},
            {"data": "10.9.9.9", "indicatorKind": "IPV4"},
            {"data": "DUP.example.com.", "indicatorKind": "DOMAIN"}])
if is_error(r, 409, "conflict", "PUT entries: the same entry twice (after normalization) is 409"):
    ok("entries 0 and 2" in msg(r), "  ... naming both", msg(r))
unchanged("the refused duplicate")
r = put(E, [{"data": "same.example", "indicatorKind": "DOMAIN"},
            {"data": "same.example", "indicatorKind": "URL"}])
ok(r.status == 422, "the same data under another kind is checked for that kind", r)
r = request("PUT", E, body=b"[" + b",".join([b"{}"] * 100001) + b"]", headers=JSON)
if is_error(r, 422, "invalid_field", "PUT more than 100000 entries is 422"):
    ok("100000" in msg(r), "  ... saying the limit", msg(r))
unchanged("the oversized PUT")
is_error(put(L + "/zzzzzzzzzzzz/entries", []), 404, "not_found",
         "PUT entries of an unknown list is 404")
is_error(get(L + "/zzzzzzzzzzzz/entries"), 404, "not_found",
         "GET entries of an unknown list is 404")

# Many entries in one PUT (one statement), then paging through them.
many = [{"data": "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255), "indicatorKind": "IPV4"}
        for i in range(15000)]
r = put(E, many)
ok(r.status == 204, "PUT 15000 entries answers 204", r)
ok(psql("SELECT count(*) FROM ignore_list_entries WHERE ignore_list_id = '%s'" % l1) == "15000",
   "all 15000 are stored, the old ones gone")
r = get(E + "?limit=1000&offset=14500")
ok(r.status == 200 and len(r.json()) == 500, "the last page has the rest", r)
r = put(E, [])
ok(r.status == 204 and get(E).json() == [], "PUT [] empties the list", r)

# POST appends, DELETE removes one.
r = post(E, {"data": "Added.example.com", "indicatorKind": "DOMAIN"})
ok(r.status == 201 and isinstance(r.json(), dict) and set(r.json()) == ENTRY_KEYS
   and r.json()["data"] == "added.example.com",
   "POST one entry answers 201 with the entry", r)
e1 = r.json()["id"] if r.status == 201 else "zzzzzzzzzzzz"
r = post(E, [{"data": "172.16.0.0/12", "indicatorKind": "IPV4"},
             {"data": "*.more.example.com", "indicatorKind": "DOMAIN"}])
ok(r.status == 201 and isinstance(r.json(), list) and len(r.json()) == 2,
   "POST an array of entries answers 201 with them", r)
ok(len(get(E).json()) == 3, "the entries were added to the one there")
r = post(E, [{"data": "new.example.com", "indicatorKind": "DOMAIN"},
             {"data": "added.EXAMPLE.com", "indicatorKind": "DOMAIN"}])
if is_error(r, 409, "conflict", "POST an entry the list has is 409"):
    ok("added.example.com" in msg(r), "  ... naming it", msg(r))
ok(len(get(E).json()) == 3, "the refused POST wrote nothing")
bad([{"data": "x", "indicatorKind": "IPV4"}], 422, "invalid_field", "POST a bad entry is 422",
    "entry 0", path=E)
is_error(post(L + "/zzzzzzzzzzzz/entries", []), 404, "not_found",
         "POST entries to an unknown list is 404")
r = delete(E + "/" + e1)
ok(r.status == 204 and len(get(E).json()) == 2, "DELETE an entry answers 204", r)
is_error(delete(E + "/" + e1), 404, "not_found", "DELETE it again is 404")
is_error(delete(E + "/bad"), 404, "not_found", "DELETE a malformed entry id is 404")
other = get(E).json()[0]["id"]
is_error(delete(L + "/" + l2 + "/entries/" + other), 404, "not_found",
         "DELETE an entry through another list is 404")

# --- Links to providers and sources -------------------------------------
pv = [post("/api/v1/providers", {"name": "Ilp %s %s" % (tag, c), "url": "https://p.example"}).json()["id"]
      for c in "ab"]
LP = L + "/" + l1 + "/providers"
r = put(LP, pv)
ok(r.status == 204, "PUT /ignoreLists/:id/providers answers 204", r)
r = get(LP)
ok(r.status == 200 and [x["id"] for x in r.json()] == pv and "numSources" in r.json()[0],
   "GET /ignoreLists/:id/providers lists them as Provider objects", r)
r = put(LP, [pv[1]])
ok(r.status == 204 and [x["id"] for x in get(LP).json()] == [pv[1]], "a second PUT replaces", r)
r = put(LP, [pv[0], "zzzzzzzzzzzz"])
if is_error(r, 422, "invalid_field", "PUT an unknown provider id is 422"):
    ok("zzzzzzzzzzzz" in msg(r), "  ... naming it", msg(r))
ok([x["id"] for x in get(LP).json()] == [pv[1]], "the refused PUT changed nothing (rollback)")
is_error(put(LP, "x"), 422, "invalid_field", "PUT a string is 422")
is_error(put(L + "/zzzzzzzzzzzz/providers", []), 404, "not_found",
         "PUT providers of an unknown list is 404")
srcs = [make_source(), make_source()]
LS = L + "/" + l1 + "/sources"
r = put(LS, srcs)
ok(r.status == 204 and sorted(x["id"] for x in get(LS).json()) == sorted(srcs),
   "PUT /ignoreLists/:id/sources links the sources", r)
ok("supportedIndicators" in get(LS).json()[0], "GET sources lists Source objects")
r = put(LS, [srcs[0], "zzzzzzzzzzzz"])
is_error(r, 422, "invalid_field", "PUT an unknown source id is 422")
ok(sorted(x["id"] for x in get(LS).json()) == sorted(srcs), "the refused PUT changed nothing")
r = put(LS, [srcs[1]])
ok(r.status == 204 and [x["id"] for x in get(LS).json()] == [srcs[1]], "a second PUT replaces", r)
is_error(get(L + "/zzzzzzzzzzzz/sources"), 404, "not_found",
         "GET sources of an unknown list is 404")

# --- Roles -----------------------------------------------------------------
viewer, _ = user("sources_view")
nobody, _ = user()
for path, name in [(L, "/ignoreLists"), (L + "/global", "/ignoreLists/global"),
                   (L + "/" + l1, "/ignoreLists/:id"), (E, "/ignoreLists/:id/entries"),
                   (LP, "/ignoreLists/:id/providers"), (LS, "/ignoreLists/:id/sources"),
                   (L + "/slugs/list-%s-renamed" % tag, "/ignoreLists/slugs/:slug")]:
    ok(get(path, token=viewer).status == 200, "sources_view may GET " + name)
    is_error(get(path, token=nobody), 403, "forbidden", "no role: GET %s is 403" % name)
for method, path, body, name in [
        ("POST", L, {"name": "List %s v" % tag}, "POST a list"),
        ("PATCH", L + "/" + l1, {"enabled": False}, "PATCH a list"),
        ("DELETE", L + "/" + l1, None, "DELETE a list"),
        ("PUT", E, [], "PUT entries"),
        ("POST", E, {"data": "v.example.com", "indicatorKind": "DOMAIN"}, "POST entries"),
        ("DELETE", E + "/" + other, None, "DELETE an entry"),
        ("PUT", LP, [], "PUT providers"),
        ("PUT", LS, [], "PUT sources")]:
    is_error(request(method, path, body=body, token=viewer), 403, "forbidden",
             "sources_view may not " + name)
ok(len(get(E).json()) == 2 and len(get(LP).json()) == 1 and len(get(LS).json()) == 1
   and get(L + "/" + l1).json()["enabled"] is True, "the refused writes changed nothing")

# --- Lookups honour lists made through this API -----------------------------
src = make_source(kinds=("DOMAIN", "IPV4", "URL"))
net = "100.%d.%d" % (random.randint(64, 127), random.randint(0, 255))
r = post(L, {"name": "List %s Global" % tag, "global": True})
g = r.json()["id"]
r = put(L + "/" + g + "/entries", [
    {"data": "exact-%s.example.com" % tag, "indicatorKind": "DOMAIN"},
    {"data": "*.wild-%s.example.com" % tag, "indicatorKind": "DOMAIN"},
    {"data": net + ".0/24", "indicatorKind": "IPV4"}])
ok(r.status == 204, "a global list with an exact, a wildcard and a CIDR entry", r)


def one(data, kind, sid=src):
    return by_source(lookup(data, kind, ids=[sid])).get(sid, {})


for data, kind, what in [
        ("exact-%s.example.com" % tag, "DOMAIN", "an exact entry"),
        ("a.b.wild-%s.example.com" % tag, "DOMAIN", "a wildcard entry (subdomain)"),
        ("wild-%s.example.com" % tag, "DOMAIN", "a wildcard entry (the domain)"),
        ("https://x.wild-%s.example.com/p" % tag, "URL", "a wildcard entry (a URL)"),
        (net + ".77", "IPV4", "a CIDR entry")]:
    res = one(data, kind)
    ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"]
       and res["errors"][0].get("content") == ["List %s Global" % tag],
       "a global list made through the API ignores %s" % what, res)
res = one("other-%s.example.com" % tag, "DOMAIN")
ok(res.get("errors") == [], "an indicator not in the list reaches the source", res)
patch(L + "/" + g, {"enabled": False})
res = one("exact-%s.example.com" % tag, "DOMAIN")
ok(res.get("errors") == [], "a disabled list no longer applies", res)
patch(L + "/" + g, {"enabled": True, "global": False})
res = one("exact-%s.example.com" % tag, "DOMAIN")
ok(res.get("errors") == [], "a list no longer global does not apply", res)
r = put(L + "/" + g + "/sources", [src])
res = one("exact-%s.example.com" % tag, "DOMAIN")
ok(r.status == 204 and error_kinds(res) == ["WITHIN_IGNORE_LIST"],
   "a list linked to the source through the API applies", res)
r = delete(L + "/" + g)
res = one("exact-%s.example.com" % tag, "DOMAIN")
ok(r.status == 204 and res.get("errors") == [], "a deleted list no longer applies", res)

# --- DELETE ----------------------------------------------------------------
r = delete(L + "/" + l1)
ok(r.status == 204 and r.body == "", "DELETE a list answers 204", r)
is_error(get(L + "/" + l1), 404, "not_found", "the deleted list is gone")
ok(psql("SELECT (SELECT count(*) FROM ignore_list_entries WHERE ignore_list_id = '%s') + "
        "(SELECT count(*) FROM provider_ignore_lists WHERE ignore_list_id = '%s') + "
        "(SELECT count(*) FROM source_ignore_lists WHERE ignore_list_id = '%s')" % (l1, l1, l1)) == "0",
   "its entries and links went with it")
ok(get("/api/v1/providers/" + pv[1]).status == 200, "the linked providers stay")
is_error(delete(L + "/" + l1), 404, "not_found", "DELETE it again is 404")
delete(L + "/" + l2)
for p in pv:
    delete("/api/v1/providers/" + p)
done()
