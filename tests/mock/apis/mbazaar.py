"""tests/mock/apis/mbazaar.py -- MalwareBazaar (abuse.ch) API v1,
https://mb-api.abuse.ch/api/v1/ -> /mbazaar/api/v1/.

POST form query=get_info&hash=<md5|sha1|sha256>, key header Auth-Key
(optional; "bad" gets 401 {"query_status": "unknown_auth_key"}).  A hash
is known when its score (upstream.verdict) is 1 or more, so most are;
score 0 (and values holding "notfound") give "hash_not_found".  An
invalid hash gives "illegal_hash", a missing one "no_hash_provided", an
unknown query "unknown_query" -- all HTTP 200, as abuse.ch does.
Behaviour words (status429, slow300, garbage...) come from the hash or
from a key made of words only.
"""

import hashlib
import time

import upstream

PREFIX = "/mbazaar/api/v1/"


API = upstream.KeyedApi("malwarebazaar", "query_status", {
    401: "unknown_auth_key",
    403: "user_blacklisted",
    404: "unknown_query",
    429: "rate_limited",
    503: "service_unavailable",
})
FAMILIES = ["AgentTesla", "Formbook", "RedLineStealer", "Mirai", "QakBot",
            "AsyncRAT", "Emotet", "SnakeKeylogger", "Loki", "Remcos"]
TYPES = [("exe", "application/x-dosexec"), ("elf", "application/x-executable"),
         ("dll", "application/x-dosexec"), ("zip", "application/zip"),
         ("doc", "application/msword")]


def sample(value, score, h):
    v = value.lower()
    md5 = v if len(v) == 32 else hashlib.md5(v.encode()).hexdigest()
    sha1 = v if len(v) == 40 else hashlib.sha1(v.encode()).hexdigest()
    sha256 = v if len(v) == 64 else hashlib.sha256(v.encode()).hexdigest()
    fam = FAMILIES[h % len(FAMILIES)]
    ext, mime = TYPES[(h >> 4) % len(TYPES)]
    first = upstream.BASE_DATE - 86400 * (h % 700)
    return {
        "sha256_hash": sha256,
        "sha3_384_hash": hashlib.sha3_384(sha256.encode()).hexdigest(),
        "sha1_hash": sha1,
        "md5_hash": md5,
        "first_seen": time.strftime("%Y-%m-%d %H:%M:%S",
                                    time.gmtime(first)),
        "last_seen": time.strftime("%Y-%m-%d %H:%M:%S",
                                   time.gmtime(first + 3600 * (h % 500)))
        if score >= 5 else None,
        "file_name": "%s_%s.%s" % (fam.lower(), sha256[:8], ext),
        "file_size": 20000 + h % 2000000,
        "file_type_mime": mime,
        "file_type": ext,
        "reporter": upstream.REPORTERS[h % len(upstream.REPORTERS)],
        "origin_country": upstream.COUNTRIES[(h >> 3) % 10],
        "anonymous": 0,
        "signature": fam,
        "imphash": hashlib.md5(("imp" + sha256).encode()).hexdigest(),
        "tlsh": "T1" + hashlib.sha256(("tlsh" + sha256).encode())
        .hexdigest()[:70].upper(),
        "telfhash": None,
        "gimphash": None,
        "ssdeep": "%d:%s:%s" % (768 * (1 + h % 8), sha256[:20], sha256[20:40]),
        "dhash_icon": None,
        "comment": None,
        "archive_pw": None,
        "delivery_method": ["email_attachment", "web_download",
                            "other"][h % 3],
        "intelligence": {
            "clamav": ["Win.Trojan.%s-%d" % (fam, h % 9999)]
            if score >= 3 else None,
            "downloads": str(10 + h % 900),
            "uploads": str(1 + h % 5),
            "mail": None,
        },
        "file_information": [],
        "ole_information": [],
        "yara_rules": [{
            "rule_name": "%s_mock" % fam.lower(),
            "author": "mock",
            "description": "Detects %s (mock rule)" % fam,
            "reference": None,
        }] if score >= 5 else None,
        "vendor_intel": {},
        "tags": [fam, ext] + (["signed"] if h % 7 == 0 else []),
        "code_sign": [],
    }


def handle(req, rest):
    # The key is optional: only a wrong one is refused.
    if upstream.abusech_start(req, API, rest, need_key=False):
        return
    query = req.first(req.form, "query", "")
    if query != "get_info":
        return req.send_json(200, {"query_status": "unknown_query"
                                   if query else "no_query"})
    value = req.first(req.form, "hash", "")
    if not value:
        return req.send_json(200, {"query_status": "no_hash_provided"})
    if not (upstream.HEX_RE.match(value) and len(value) in (32, 40, 64)):
        return req.send_json(200, {"query_status": "illegal_hash"})
    score, h = upstream.verdict(value.lower())
    if score == 0 or upstream.is_notfound(value):
        return req.send_json(200, {"query_status": "hash_not_found"})
    req.send_json(200, {"query_status": "ok",
                        "data": [sample(value, score, h)]})
