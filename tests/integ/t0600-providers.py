#!/usr/bin/python3
"""The /api/v1/providers route group: CRUD, slugs, bad input, roles,
the PUT replaces of a provider's sources and ignore lists, and a lookup
that honours an ignore list linked to a provider through this API."""
import json
from iocaggtest import (need_stack, ok, is_error, request, get, psql, ctl,
                        letters, make_source, lookup, by_source, error_kinds,
                        done)

need_stack()
P = "/api/v1/providers"
PROVIDER_KEYS = {"id", "createdAt", "updatedAt", "name", "slug",
                 "description", "url", "favicon", "tags", "enabled",
                 "numSources", "createdUserId", "updatedUserId"}
SOURCE_KEYS = {"id", "createdAt", "updatedAt", "name", "slug", "description",
               "url", "favicon", "tags", "enabled", "supportedIndicators",
               "disabledIndicators", "taskEnabled", "taskInterval", "config",
               "configValues", "limitEnabled", "limitCount", "limitInterval",
               "cacheEnabled", "cacheInterval", "providerId", "kind",
               "sourceCode", "createdUserId", "updatedUserId"}
FAVICON = "data:image/png;base64,iVBORw0KGgo="


def post(path, body, **kw):
    return request("POST", path, body=body, **kw)


def patch(path, body, **kw):
    return request("PATCH", path, body=body, **kw)


def put(path, body, **kw):
    return request("PUT", path, body=body, **kw)


def delete(path, **kw):
    return request("DELETE", path, **kw)


def user(*roles):
    email = "prov-%s@example.org" % letters(8)
    args = ["user", "add"]
    for r in roles:
        args += ["-r", r]
    ctl(*(args + [email]))
    tok = ctl("token", "add", email, "t").stdout.strip()
    uid = psql("SELECT id FROM users WHERE email = '%s'" % email)
    return tok, uid


me = get("/api/v1/users/me").json()["id"]
tag = letters(6)

# --- Create and read -------------------------------------------------
name1 = "Prov %s One" % tag
r = post(P, {"name": name1, "url": "https://one.example"})
ok(r.status == 201 and set(r.json()) == {"id", "slug"}
   and r.json()["slug"] == "prov-%s-one" % tag,
   "POST with name and url only answers 201 {id, slug}", r)
p1 = r.json()["id"]
r = get(P + "/" + p1)
j = r.json()
ok(r.status == 200 and set(j) == PROVIDER_KEYS, "GET /providers/:id has the Provider shape", r)
ok(j["name"] == name1 and j["description"] == "" and j["tags"] == []
   and j["enabled"] is True and j["favicon"] is None and j["numSources"] == 0,
   "description, tags, enabled and favicon default (reference quirk fixed)", j)
ok(j["createdUserId"] == me and j["updatedUserId"] is None,
   "createdUserId is the caller", j)

name2 = "Prov %s Two" % tag
r = post(P, {"name": name2, "description": "the second", "url": "http://two.example/x",
             "favicon": FAVICON, "tags": ["a", "b", "a"], "enabled": False})
ok(r.status == 201, "POST with every field answers 201", r)
p2 = r.json()["id"]
j = get(P + "/" + p2).json()
ok(j["description"] == "the second" and j["url"] == "http://two.example/x"
   and j["favicon"] == FAVICON and j["tags"] == ["a", "b"] and j["enabled"] is False,
   "every field is stored (tags as a set)", j)

r = get(P)
lst = r.json()
ok(r.status == 200 and isinstance(lst, list) and all(set(x) == PROVIDER_KEYS for x in lst),
   "GET /providers lists Provider objects", r)
en = [x["enabled"] for x in lst]
ok(en == sorted(en, reverse=True), "enabled providers come first", en)
ids = [x["id"] for x in lst]
ok(p1 in ids and p2 in ids and ids.index(p1) < ids.index(p2),
   "both new providers are listed, the disabled one after", ids)
names = [x["name"] for x in lst if x["enabled"] and x["name"].startswith("Prov %s" % tag)]
ok(names == sorted(names), "enabled providers are ordered by name")
r = get(P + "?limit=1")
ok(r.status == 200 and len(r.json()) == 1, "limit=1 gives one provider", r)
for _ in range(3):   # other tests may add providers meanwhile
    two = [x["id"] for x in get(P + "?limit=2").json()]
    r = get(P + "?limit=1&offset=1")
    if r.status == 200 and [x["id"] for x in r.json()] == two[1:]:
        break
ok(r.status == 200 and [x["id"] for x in r.json()] == two[1:], "offset pages the list", r)
r = get(P + "?offset=100000")
ok(r.status == 200 and r.json() == [], "an offset past the end gives []", r)
is_error(get(P + "?limit=0"), 400, "bad_request", "limit=0 is 400")
is_error(get(P + "?limit=1001"), 400, "bad_request", "limit=1001 is 400")
is_error(get(P + "?offset=x"), 400, "bad_request", "a non-numeric offset is 400")

# Slugs.
r = get(P + "/slugs/prov-%s-one" % tag)
ok(r.status == 200 and r.body == p1 and r.headers.get("Content-Type", "").startswith("text/plain"),
   "GET /providers/slugs/:slug answers the id as text/plain", r)
is_error(get(P + "/slugs/no-such-%s" % tag), 404, "not_found", "an unknown slug is 404")

# --- Bad input ---------------------------------------------------------
def bad(body, status, code, what, field=None, method="POST", path=P):
    r = request(method, path, body=body)
    good = is_error(r, status, code, what)
    if good and field is not None:
        msg = r.json()["error"]["message"]
        ok(field in msg, "  ... and the message names '%s'" % field, msg)


JSON = {"Content-Type": "application/json"}
r = request("POST", P, body=b'{"name": "x", ', headers=JSON)
is_error(r, 400, "malformed_json", "malformed JSON is 400")
r = request("POST", P, body=b'name=x', headers={"Content-Type": "application/x-www-form-urlencoded"})
is_error(r, 415, "unsupported_media_type", "a form body is 415")
bad(["x"], 422, "invalid_field", "an array body is 422")
bad({"name": 12, "url": "https://x.example"}, 422, "invalid_field", "a numeric name is 422", "name")
bad({"name": "Prov %s x" % tag, "url": "https://x.example", "enabled": "yes"}, 422,
    "invalid_field", "a string enabled is 422", "enabled")
bad({"name": "Prov %s x" % tag, "url": "https://x.example", "tags": "a"}, 422,
    "invalid_field", "a string tags is 422", "tags")
bad({"name": "Prov %s x" % tag, "url": "https://x.example", "tags": [1]}, 422,
    "invalid_field", "numeric tags are 422", "tags")
bad({"name": "Prov %s x" % tag, "url": "https://x.example", "colour": "red"}, 422,
    "invalid_field", "an unknown field is 422", "colour")
bad({"url": "https://x.example"}, 422, "invalid_field", "a missing name is 422", "name")
bad({"name": "Prov %s x" % tag}, 422, "invalid_field", "a missing url is 422", "url")
bad({"name": "P" * 101, "url": "https://x.example"}, 422, "invalid_field",
    "a 101-character name is 422", "name")
bad({"name": "\u00e9" * 101, "url": "https://x.example"}, 422, "invalid_field",
    "a 101-character non-ASCII name is 422", "name")
r = post(P, {"name": "Prov %s \u00e9" % tag + "\u00e9" * 80, "url": "https://x.example"})
ok(r.status == 201, "a non-ASCII name of 100 characters is accepted", r)
if r.status == 201:
    delete(P + "/" + r.json()["id"])
bad({"name": "Prov %s x" % tag, "url": "https://x.example", "description": "d" * 5001},
    422, "invalid_field", "a 5001-character description is 422", "description")
bad({"name": "Prov %s x" % tag, "url": "ftp://x.example"}, 422, "invalid_field",
    "a non-http URL is 422", "url")
bad({"name": "Prov %s x" % tag, "url": "https://x.example/" + "a" * 2048}, 422,
    "invalid_field", "a URL over 2048 characters is 422", "url")
bad({"name": "Prov %s x" % tag, "url": "https://x .example"}, 422, "invalid_field",
    "a URL with a blank is 422", "url")
bad({"name": "1234 !!", "url": "https://x.example"}, 422, "invalid_field",
    "a name without letters (empty slug) is 422", "name")
bad({"name": "Prov %s x" % tag, "url": "https://x.example", "favicon": "https://x/f.ico"},
    422, "invalid_field", "a favicon that is no data: URL is 422", "favicon")
bad({"name": name1, "url": "https://x.example"}, 409, "conflict", "a duplicate name is 409")
bad({"name": "prov %s ONE!" % tag, "url": "https://x.example"}, 409, "conflict",
    "a name giving a taken slug is 409")
ok(psql("SELECT count(*) FROM providers WHERE name LIKE 'Prov %s x%%'" % tag) == "0",
   "nothing was written by the refused bodies")

# --- PATCH -----------------------------------------------------------
editor, editor_id = user("sources_edit", "sources_view")
r = patch(P + "/" + p1, {"name": "Prov %s Renamed" % tag}, token=editor)
ok(r.status == 204 and r.body == "", "PATCH a new name answers 204", r)
j = get(P + "/" + p1).json()
ok(j["name"] == "Prov %s Renamed" % tag and j["slug"] == "prov-%s-renamed" % tag,
   "renaming recomputes the slug", j)
ok(j["url"] == "https://one.example" and j["description"] == "" and j["enabled"] is True,
   "fields not in the PATCH are unchanged", j)
ok(j["updatedUserId"] == editor_id and j["createdUserId"] == me,
   "updatedUserId is the caller of the PATCH", j)
ok(get(P + "/slugs/prov-%s-renamed" % tag).body == p1, "the new slug finds the provider")
is_error(get(P + "/slugs/prov-%s-one" % tag), 404, "not_found", "the old slug is gone")

r = patch(P + "/" + p2, {"favicon": None, "tags": [], "enabled": True,
                         "description": "", "url": "https://two.example"})
ok(r.status == 204, "PATCH several fields answers 204", r)
j = get(P + "/" + p2).json()
ok(j["favicon"] is None and j["tags"] == [] and j["enabled"] is True
   and j["description"] == "" and j["url"] == "https://two.example"
   and j["name"] == name2, "a null favicon clears it; the rest is as sent", j)
r = patch(P + "/" + p2, {"favicon": FAVICON})
ok(r.status == 204 and get(P + "/" + p2).json()["favicon"] == FAVICON, "PATCH sets a favicon again", r)
r = patch(P + "/" + p2, {})
ok(r.status == 204 and get(P + "/" + p2).json()["favicon"] == FAVICON,
   "an empty PATCH changes nothing", r)
bad({"name": None}, 422, "invalid_field", "PATCH a null name is 422", "name",
    method="PATCH", path=P + "/" + p2)
bad({"url": None}, 422, "invalid_field", "PATCH a null url is 422", "url",
    method="PATCH", path=P + "/" + p2)
bad({"enabled": 1}, 422, "invalid_field", "PATCH a numeric enabled is 422", "enabled",
    method="PATCH", path=P + "/" + p2)
bad({"slug": "x"}, 422, "invalid_field", "PATCH an unknown field (slug) is 422", "slug",
    method="PATCH", path=P + "/" + p2)
bad({"name": "Prov %s Renamed" % tag}, 409, "conflict", "PATCH to a taken name is 409",
    method="PATCH", path=P + "/" + p2)
ok(get(P + "/" + p2).json()["name"] == name2, "the refused rename left the name alone")
is_error(patch(P + "/zzzzzzzzzzzz", {"name": "x y"}), 404, "not_found",
         "PATCH an unknown id is 404")
is_error(get(P + "/zzzzzzzzzzzz"), 404, "not_found", "GET an unknown id is 404")
is_error(get(P + "/NOT-AN-ID"), 404, "not_found", "GET a malformed id is 404")
is_error(delete(P + "/short"), 404, "not_found", "DELETE a malformed id is 404")

# --- Sources of a provider -----------------------------------------------
s1, s2, s3 = make_source(), make_source(), make_source()
SP = P + "/" + p1 + "/sources"
r = put(SP, [s1, s2])
ok(r.status == 204, "PUT /providers/:id/sources answers 204", r)
r = get(SP)
got = r.json()
ok(r.status == 200 and sorted(x["id"] for x in got) == sorted([s1, s2]),
   "GET /providers/:id/sources lists exactly the sources put", r)
ok(all(set(x) == SOURCE_KEYS for x in got) and all(x["providerId"] == p1 for x in got)
   and got[0]["kind"] == "SYSTEM",
   "the sources have the Source shape", got[0] if got else r)
ok([x["name"] for x in got] == sorted(x["name"] for x in got), "sources are ordered by name")
ok(get(P + "/" + p1).json()["numSources"] == 2, "numSources counts them")
r = put(SP, [s2, s3])
ok(r.status == 204 and sorted(x["id"] for x in get(SP).json()) == sorted([s2, s3]),
   "a second PUT replaces the set", r)
ok(psql("SELECT provider_id IS NULL FROM sources WHERE id = '%s'" % s1) == "t",
   "a source left out loses its provider")
ok(psql("SELECT updated_user_id FROM sources WHERE id = '%s'" % s3) == me,
   "a linked source records who linked it")
r = put(P + "/" + p2 + "/sources", [s3])
ok(r.status == 204 and [x["id"] for x in get(SP).json()] == [s2]
   and psql("SELECT provider_id FROM sources WHERE id = '%s'" % s3) == p2,
   "a source put on another provider moves there", r)
r = put(SP, [s1, "zzzzzzzzzzzz"])
is_error(r, 422, "invalid_field", "PUT an unknown source id is 422")
ok("zzzzzzzzzzzz" in (r.json() or {}).get("error", {}).get("message", ""),
   "  ... naming the id", r)
ok([x["id"] for x in get(SP).json()] == [s2]
   and psql("SELECT provider_id IS NULL FROM sources WHERE id = '%s'" % s1) == "t",
   "the refused PUT changed nothing (rollback)")
is_error(put(SP, ["bad id"]), 422, "invalid_field", "PUT a malformed id is 422")
is_error(put(SP, {"ids": [s1]}), 422, "invalid_field", "PUT an object is 422")
is_error(put(SP, [1]), 422, "invalid_field", "PUT a number is 422")
is_error(request("PUT", SP, body=b"[", headers=JSON), 400, "malformed_json",
         "PUT malformed JSON is 400")
is_error(put(P + "/zzzzzzzzzzzz/sources", [s1]), 404, "not_found",
         "PUT sources of an unknown provider is 404")
is_error(get(P + "/zzzzzzzzzzzz/sources"), 404, "not_found",
         "GET sources of an unknown provider is 404")
r = put(SP, [])
ok(r.status == 204 and get(SP).json() == [], "PUT [] leaves the provider without sources", r)

# --- Ignore lists of a provider ------------------------------------------
lists = []
for i in range(3):
    r = post("/api/v1/ignoreLists", {"name": "Plist %s %s" % (tag, "abc"[i])})
    lists.append(r.json()["id"])
LP = P + "/" + p1 + "/ignoreLists"
r = put(LP, lists[:2])
ok(r.status == 204, "PUT /providers/:id/ignoreLists answers 204", r)
r = get(LP)
ok(r.status == 200 and [x["id"] for x in r.json()] == lists[:2]
   and set(r.json()[0]) == {"id", "createdAt", "updatedAt", "name", "slug", "description",
                            "enabled", "global", "createdUserId", "updatedUserId"},
   "GET /providers/:id/ignoreLists lists them as IgnoreList objects, by name", r)
link_b = psql("SELECT id FROM provider_ignore_lists WHERE ignore_list_id = '%s'" % lists[1])
r = put(LP, lists[1:])
ok(r.status == 204 and [x["id"] for x in get(LP).json()] == lists[1:],
   "a second PUT replaces the set", r)
ok(psql("SELECT id FROM provider_ignore_lists WHERE ignore_list_id = '%s'" % lists[1]) == link_b,
   "a link kept by the replace is left as it was")
ok(psql("SELECT user_id FROM provider_ignore_lists WHERE ignore_list_id = '%s'" % lists[2]) == me,
   "a new link records who made it")
r = put(LP, [lists[0], "zzzzzzzzzzzz"])
is_error(r, 422, "invalid_field", "PUT an unknown ignore list id is 422")
ok([x["id"] for x in get(LP).json()] == lists[1:], "the refused PUT changed nothing (rollback)")
is_error(put(P + "/zzzzzzzzzzzz/ignoreLists", []), 404, "not_found",
         "PUT ignore lists of an unknown provider is 404")
is_error(get(P + "/zzzzzzzzzzzz/ignoreLists"), 404, "not_found",
         "GET ignore lists of an unknown provider is 404")

# --- Roles ---------------------------------------------------------------
viewer, _ = user("sources_view")
nobody, _ = user()
for path in (P, P + "/" + p1, SP, LP, P + "/slugs/prov-%s-renamed" % tag):
    name = path.replace(p1, ":id").replace("prov-%s-renamed" % tag, ":slug")
    ok(get(path, token=viewer).status == 200, "sources_view may GET " + name)
    is_error(get(path, token=nobody), 403, "forbidden", "no role: GET %s is 403" % name)
is_error(post(P, {"name": "Prov %s v" % tag, "url": "https://v.example"}, token=viewer),
         403, "forbidden", "sources_view may not POST")
is_error(patch(P + "/" + p1, {"enabled": False}, token=viewer), 403, "forbidden",
         "sources_view may not PATCH")
is_error(delete(P + "/" + p1, token=viewer), 403, "forbidden", "sources_view may not DELETE")
is_error(put(SP, [s1], token=viewer), 403, "forbidden", "sources_view may not PUT sources")
is_error(put(LP, [], token=viewer), 403, "forbidden", "sources_view may not PUT ignore lists")
ok(get(P + "/" + p1).json()["enabled"] is True and get(SP).json() == [],
   "the refused writes changed nothing")
r = post(P, {"name": "Prov %s Editor" % tag, "url": "https://e.example"}, token=editor)
ok(r.status == 201, "sources_edit may POST", r)
p3 = r.json().get("id") if r.status == 201 else None
ok(p3 is not None and get(P + "/" + p3).json()["createdUserId"] == editor_id,
   "createdUserId is the editor")

# --- A lookup honours a list linked through this API ----------------------
src = make_source(kinds=("DOMAIN",))
plist = lists[0]
r = put("/api/v1/ignoreLists/%s/entries" % plist,
        [{"data": "blocked-%s.example.com" % tag, "indicatorKind": "DOMAIN"}])
ok(r.status == 204, "entries for the provider's list", r)
put(SP, [src])
put(LP, [plist])
res = by_source(lookup("blocked-%s.example.com" % tag, "DOMAIN", ids=[src])).get(src, {})
ok(error_kinds(res) == ["WITHIN_IGNORE_LIST"]
   and res["errors"][0].get("content") == ["Plist %s a" % tag],
   "a list linked to the provider of the source ignores the indicator", res)
res = by_source(lookup("free-%s.example.com" % tag, "DOMAIN", ids=[src])).get(src, {})
ok(res.get("errors") == [], "other indicators still reach the source", res)
put(SP, [])
res = by_source(lookup("blocked-%s.example.com" % tag, "DOMAIN", ids=[src])).get(src, {})
ok(res.get("errors") == [], "unlinking the source from the provider lifts it", res)
put(SP, [src])
put(LP, [])
res = by_source(lookup("blocked-%s.example.com" % tag, "DOMAIN", ids=[src])).get(src, {})
ok(res.get("errors") == [], "unlinking the list from the provider lifts it", res)

# --- DELETE ----------------------------------------------------------------
put(LP, [plist])
r = delete(P + "/" + p1)
ok(r.status == 204 and r.body == "", "DELETE answers 204", r)
is_error(get(P + "/" + p1), 404, "not_found", "the deleted provider is gone")
ok(psql("SELECT provider_id IS NULL FROM sources WHERE id = '%s'" % src) == "t",
   "its sources stay, without a provider")
ok(psql("SELECT count(*) FROM provider_ignore_lists WHERE source_provider_id = '%s'" % p1) == "0"
   and get("/api/v1/ignoreLists/" + plist).status == 200,
   "its ignore-list links go, the lists stay")
is_error(delete(P + "/" + p1), 404, "not_found", "DELETE it again is 404")
for pid in (p2, p3):
    if pid:
        delete(P + "/" + pid)
for lid in lists:
    delete("/api/v1/ignoreLists/" + lid)
done()
