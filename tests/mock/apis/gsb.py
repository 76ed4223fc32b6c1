"""tests/mock/apis/gsb.py -- Google Safe Browsing API v4,
https://safebrowsing.googleapis.com/v4/ -> /gsb/v4/.

The key is the "key" query parameter.  A missing key or the key "bad"
gets Google's 400 INVALID_ARGUMENT / API_KEY_INVALID body; a key made of
behaviour words (status429, slow300, garbage...) misbehaves, as do the
URLs of a threatMatches:find request.  The key "badchecksum" makes
threatListUpdates:fetch send a wrong checksum.

* POST threatMatches:find (Lookup API): a URL containing "malicious"
  matches; its threat type is MALWARE or SOCIAL_ENGINEERING by its hash.
  Other URLs get {}.
* POST threatListUpdates:fetch (Update API, RAW only): two versions of
  a fixed list of expressions (below), split between MALWARE and
  SOCIAL_ENGINEERING on ANY_PLATFORM; every other list is empty.  No
  state: FULL_UPDATE of version 1.  Version 1 state: PARTIAL_UPDATE to
  version 2 (removes "malicious-0.example.com/", adds
  "malicious-new.example.com/").  Version 2 state: an empty partial
  update.  The state is opaque base64; the checksum is the SHA-256 of
  the sorted prefixes, as the API computes it.  The prefixes are 4
  bytes, except one 32-byte full hash.  "decoy.example.com/" has its
  prefix in the list but no full hash, as a prefix collision would.
* POST fullHashes:find: the full hashes of listed expressions (of the
  latest version) whose prefix was asked.
"""

import base64
import hashlib

import upstream

PREFIX = "/gsb/v4/"

THREATS = ["MALWARE", "SOCIAL_ENGINEERING"]
BASE_V1 = (["malicious.example.com/", "malicious.example.net/",
            "malicious-0.example.com/", "www.example.org/malicious/",
            "malicious-full.example.com/"] +
           ["malicious-%d.example.com/" % i for i in range(1, 200)])
V2_ADD = ["malicious-new.example.com/"]
V2_DEL = ["malicious-0.example.com/"]
DECOYS = ["decoy.example.com/"]
FULL_HASH = {"malicious-full.example.com/"}


class GsbApi(upstream.Api):
    name = "gsb"

    def e401(self):
        return {"error": {"code": 401, "message": "Request is missing "
                          "required authentication credential.",
                          "status": "UNAUTHENTICATED"}}

    def e403(self):
        return {"error": {"code": 403, "message": "The caller does not "
                          "have permission", "status": "PERMISSION_DENIED"}}

    def e404(self, what=""):
        return {"error": {"code": 404, "message": "Requested entity was "
                          "not found.", "status": "NOT_FOUND"}}

    def e429(self):
        return {"error": {"code": 429, "message": "Resource has been "
                          "exhausted (e.g. check quota).",
                          "status": "RESOURCE_EXHAUSTED"}}

    def e503(self):
        return {"error": {"code": 503, "message": "The service is "
                          "currently unavailable.", "status": "UNAVAILABLE"}}


API = GsbApi()
BAD_KEY = {"error": {
    "code": 400, "message": "API key not valid. Please pass a valid API key.",
    "status": "INVALID_ARGUMENT",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                 "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                 "metadata": {"service": "safebrowsing.googleapis.com"}}]}}


def sha(expr):
    return hashlib.sha256(expr.encode()).digest()


def threat_of(expr):
    return THREATS[upstream.h64(expr) % 2]


def version(n):
    exprs = list(BASE_V1)
    if n >= 2:
        exprs = [e for e in exprs if e not in V2_DEL] + V2_ADD
    return exprs


def prefixes(n, threat):
    """The sorted prefixes of list "threat" at version n."""
    out = set()
    for e in version(n):
        if threat_of(e) == threat:
            out.add(sha(e) if e in FULL_HASH else sha(e)[:4])
    for e in DECOYS:
        if threat_of(e) == threat:
            out.add(sha(e)[:4])
    return sorted(out)


def b64(b):
    return base64.b64encode(b).decode()


def state_of(n, tt, pt):
    return b64(("iocagg-mock:%s:%s:v%d" % (tt, pt, n)).encode())


def parse_state(s, tt, pt):
    for n in (1, 2):
        if s == state_of(n, tt, pt):
            return n
    return 0


def raw_addition(items):
    """RAW additions, one per prefix size."""
    out = []
    for size in sorted({len(p) for p in items}):
        same = [p for p in items if len(p) == size]
        if same:
            out.append({"compressionType": "RAW", "rawHashes": {
                "prefixSize": size, "rawHashes": b64(b"".join(same))}})
    return out


def list_update(r, bad_sum):
    tt = r.get("threatType", "")
    pt = r.get("platformType", "")
    et = r.get("threatEntryType", "URL")
    have = parse_state(r.get("state", ""), tt, pt)
    listed = tt in THREATS and pt in ("ANY_PLATFORM",) and et == "URL"
    new = prefixes(2 if have else 1, tt) if listed else []
    resp = {"threatType": tt, "threatEntryType": et, "platformType": pt,
            "newClientState": state_of(2 if have else 1, tt, pt)}
    if have == 0:
        resp["responseType"] = "FULL_UPDATE"
        resp["additions"] = raw_addition(new)
    else:
        resp["responseType"] = "PARTIAL_UPDATE"
        old = prefixes(have, tt) if listed else []
        gone = [i for i, p in enumerate(old) if p not in set(new)]
        add = [p for p in new if p not in set(old)]
        if gone:
            resp["removals"] = [{"compressionType": "RAW",
                                 "rawIndices": {"indices": gone}}]
        if add:
            resp["additions"] = raw_addition(add)
    digest = hashlib.sha256(b"".join(new)).digest()
    if bad_sum:
        digest = hashlib.sha256(b"wrong").digest()
    resp["checksum"] = {"sha256": b64(digest)}
    return resp


def handle(req, rest):
    key = req.first(req.query, "key")
    body = req.json_body()
    values = []
    if isinstance(body, dict):
        for e in (body.get("threatInfo") or {}).get("threatEntries") or []:
            if isinstance(e, dict) and isinstance(e.get("url"), str):
                values.append(e["url"])
    done, _ = req.behave(API, values, [key])
    if done:
        return
    if not key or key == "bad":
        return req.send_json(400, BAD_KEY)
    if req.command != "POST":
        return req.send_json(405, {"error": {
            "code": 405, "message": "Method not allowed",
            "status": "INVALID_ARGUMENT"}})
    if not isinstance(body, dict):
        return req.send_json(400, {"error": {
            "code": 400, "message": "Invalid JSON payload received.",
            "status": "INVALID_ARGUMENT"}})
    if rest == "threatMatches:find":
        return threat_matches(req, body)
    if rest == "threatListUpdates:fetch":
        ups = [list_update(r, key == "badchecksum")
               for r in body.get("listUpdateRequests") or []
               if isinstance(r, dict)]
        return req.send_json(200, {"listUpdateResponses": ups,
                                   "minimumWaitDuration": "300.000s"})
    if rest == "fullHashes:find":
        return full_hashes(req, body)
    req.send_json(404, API.e404())


def threat_matches(req, body):
    info = body.get("threatInfo") or {}
    types = info.get("threatTypes") or []
    matches = []
    for e in info.get("threatEntries") or []:
        url = e.get("url", "") if isinstance(e, dict) else ""
        if "malicious" not in url.lower():
            continue
        t = threat_of(url)
        if types and t not in types:
            continue
        matches.append({"threatType": t, "platformType": "ANY_PLATFORM",
                        "threatEntryType": "URL", "threat": {"url": url},
                        "cacheDuration": "300s"})
    req.send_json(200, {"matches": matches} if matches else {})


def full_hashes(req, body):
    info = body.get("threatInfo") or {}
    asked = set()
    for e in info.get("threatEntries") or []:
        try:
            asked.add(base64.b64decode(e.get("hash", "")))
        except (ValueError, AttributeError):
            pass
    matches = []
    for expr in version(2):
        full = sha(expr)
        if any(full.startswith(p) for p in asked if p):
            matches.append({
                "threatType": threat_of(expr),
                "platformType": "ANY_PLATFORM",
                "threatEntryType": "URL",
                "threat": {"hash": b64(full)},
                "threatEntryMetadata": {"entries": []},
                "cacheDuration": "300.000s"})
    req.send_json(200, {"matches": matches, "minimumWaitDuration": "0s",
                        "negativeCacheDuration": "300.000s"})
