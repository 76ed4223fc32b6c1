"""tests/mock/apis/urlscan.py -- urlscan.io API v1,
https://urlscan.io/api/v1/ -> /urlscan/api/v1/.

Key header API-Key: "bad" gets 401 {"message": "API key supplied but not
found in database!", "status": 401}; a key made of behaviour words
misbehaves.  Search accepts no key; Submit needs one.

* GET search/?q=...&size=N: domain:<d>, page.url:"<u>", task.url:"<u>"
  (joined with OR).  A value holding "notfound" (or scoring 0 with
  "clean"/"benign") has no scan: {"results": [], "total": 0, ...}.
  Others get 1 to 5 scans; verdicts.overall says malicious when the
  value scores 5 or more (upstream.verdict).
* POST scan/ {"url", "visibility"}: a new uuid.  Its result becomes
  ready after 2 s, or after N ms when the URL holds "ready<N>"; never
  when it holds "neverready".  A URL that is not http(s) gets 400.
* GET result/<uuid>/: 404 {"message": "Scan is not finished yet"} until
  ready, then the scan's result.  An unknown uuid is 404 too.

Behaviour words come from the query, the submitted URL or the key.
"""

import re
import threading
import time
import uuid as uuidlib
from urllib.parse import urlsplit

import upstream

PREFIX = "/urlscan/api/v1/"
READY_DEFAULT_MS = 2000
READY_RE = re.compile(r"ready(\d+)", re.I)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}$")

SCANS = {}
LOCK = threading.Lock()


class UrlscanApi(upstream.Api):
    name = "urlscan"

    def e401(self):
        return {"message": "API key supplied but not found in database!",
                "status": 401}

    def e403(self):
        return {"message": "Forbidden", "status": 403}

    def e404(self, what=""):
        return {"message": "Not Found", "status": 404}

    def e429(self):
        return {"message": "Rate limit for search exceeded. Please try "
                "again later.", "status": 429}

    def e503(self):
        return {"message": "Service Unavailable", "status": 503}


API = UrlscanApi()


def uid(seed):
    return str(uuidlib.UUID(int=upstream.h64(seed) << 64 |
                            upstream.h64(seed + "/2"), version=4))


def page_of(url, h):
    p = urlsplit(url if "://" in url else "http://" + url)
    host = (p.hostname or "example.com").lower()
    apex = ".".join(host.split(".")[-2:])
    return {
        "country": upstream.COUNTRIES[h % 10],
        "server": ["nginx", "Apache", "cloudflare", "LiteSpeed"][h % 4],
        "ip": "198.51.100.%d" % (1 + h % 254) if h % 3 else
        "2001:db8:5ca::%x" % (h % 65535),
        "mimeType": "text/html",
        "title": "Mock page %s" % host,
        "url": url if "://" in url else "http://%s/" % host,
        "domain": host,
        "apexDomain": apex,
        "asn": "AS%d" % (64496 + h % 15),
        "asnname": upstream.AS_OWNERS[h % len(upstream.AS_OWNERS)],
        "status": "200",
        "tlsValidDays": 90, "tlsAgeDays": h % 90,
    }


def verdicts(score, h):
    malicious = score >= 5
    s = 0 if score == 0 else (50 + score * 5 if malicious else score * 5)
    return {"overall": {"score": s, "categories":
                        ["phishing"] if malicious else [],
                        "brands": [], "tags": [],
                        "malicious": malicious, "hasVerdicts": score > 0}}


def search_result(value, score, h, i):
    id_ = uid("%s/%d" % (value, i))
    t = upstream.BASE_DATE + (h >> i) % 20000000
    url = value if "/" in value else "http://%s/" % value
    return {
        "task": {"visibility": "public", "method": "api",
                 "domain": page_of(url, h)["domain"],
                 "apexDomain": page_of(url, h)["apexDomain"],
                 "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                       time.gmtime(t)),
                 "uuid": id_, "url": url,
                 "tags": ["phishing"] if score >= 5 else []},
        "stats": {"uniqIPs": 1 + h % 9, "uniqCountries": 1 + h % 3,
                  "dataLength": 10000 + h % 900000,
                  "encodedDataLength": 5000 + h % 400000,
                  "requests": 1 + h % 80},
        "page": page_of(url, h),
        "_id": id_,
        "_score": None,
        "sort": [t * 1000, id_],
        "result": "https://urlscan.io/api/v1/result/%s/" % id_,
        "screenshot": "https://urlscan.io/screenshots/%s.png" % id_,
        "verdicts": verdicts(score, h),
    }


QUERY_RE = re.compile(r'(domain|page\.url|task\.url):("((?:[^"\\]|\\.)*)"|'
                      r'(\S+))')


def search(req):
    q = req.first(req.query, "q", "")
    m = QUERY_RE.search(q)
    if not q or not m:
        return req.send_json(400, {"message": "Invalid query",
                                   "description": "The query could not be "
                                   "parsed", "status": 400})
    value = m.group(3) if m.group(3) is not None else m.group(4)
    value = re.sub(r"\\(.)", r"\1", value)
    try:
        size = max(1, min(10000, int(req.first(req.query, "size", "100"))))
    except ValueError:
        size = 100
    score, h = upstream.verdict(value)
    if upstream.is_notfound(value) or score == 0:
        n = 0
    else:
        n = min(size, 1 + h % 5)
    res = [search_result(value, score, h, i) for i in range(n)]
    req.send_json(200, {"results": res, "total": n, "took": 3 + h % 40,
                        "has_more": False})


def submit(req, body):
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url:
        return req.send_json(400, {"message": "Missing URL properties",
                                   "description": "The URL supplied was "
                                   "not OK, please specify it including "
                                   "the protocol, host and path",
                                   "status": 400})
    p = urlsplit(url)
    if p.scheme not in ("http", "https") or not p.hostname:
        return req.send_json(400, {"message": "Missing URL properties",
                                   "description": "The URL supplied was "
                                   "not OK, please specify it including "
                                   "the protocol, host and path",
                                   "status": 400})
    m = READY_RE.search(url)
    delay = int(m.group(1)) if m else READY_DEFAULT_MS
    never = "neverready" in url.lower()
    id_ = str(uuidlib.uuid4())
    with LOCK:
        if len(SCANS) > 10000:
            SCANS.clear()
        SCANS[id_] = (url, None if never else time.monotonic() +
                      delay / 1000.0, body.get("visibility", "public"))
    req.send_json(200, {
        "message": "Submission successful", "uuid": id_,
        "result": "https://urlscan.io/result/%s/" % id_,
        "api": "https://urlscan.io/api/v1/result/%s/" % id_,
        "visibility": body.get("visibility", "public"),
        "options": {"useragent": "Mozilla/5.0 (mock)"},
        "url": url, "country": "de"})


def result(req, id_):
    with LOCK:
        scan = SCANS.get(id_)
    if scan is None or not UUID_RE.match(id_):
        return req.send_json(404, {"message": "Scan not found",
                                   "description": "The scan does not exist",
                                   "status": 404})
    url, ready, vis = scan
    if ready is None or time.monotonic() < ready:
        return req.send_json(404, {"message": "Scan is not finished yet",
                                   "description": "The scan has not "
                                   "finished yet, please try again later",
                                   "status": 404})
    score, h = upstream.verdict(url)
    page = page_of(url, h)
    req.send_json(200, {
        "data": {"requests": [{"request": {"url": url}}], "cookies": [],
                 "console": [], "links": [], "timing": {}, "globals": []},
        "stats": {"uniqIPs": 1 + h % 9, "requests": 1 + h % 80,
                  "secureRequests": h % 40},
        "meta": {"processors": {}},
        "task": {"uuid": id_, "time": time.strftime(
            "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "url": url,
            "visibility": vis, "method": "api", "source": "mock",
            "tags": [],
            "reportURL": "https://urlscan.io/result/%s/" % id_,
            "screenshotURL": "https://urlscan.io/screenshots/%s.png" % id_,
            "domURL": "https://urlscan.io/dom/%s/" % id_},
        "page": page,
        "lists": {"ips": [page["ip"]], "countries": [page["country"]],
                  "asns": [page["asn"][2:]], "domains": [page["domain"]],
                  "servers": [page["server"]], "urls": [url],
                  "linkDomains": [], "certificates": [], "hashes": []},
        "verdicts": verdicts(score, h),
    })


def handle(req, rest):
    key = req.headers.get("API-Key")
    body = req.json_body() if req.command == "POST" else None
    values = req.query_values()
    if isinstance(body, dict) and isinstance(body.get("url"), str):
        values.append(body["url"])
    done, _ = req.behave(API, values, [key])
    if done:
        return
    if key == "bad":
        return req.send_json(401, API.e401())
    path = rest.strip("/")
    if path == "search" and req.command in ("GET", "HEAD"):
        return search(req)
    if path == "scan" and req.command == "POST":
        if not key:
            return req.send_json(401, {"message": "Missing API key",
                                       "status": 401})
        return submit(req, body)
    if path.startswith("result/") and req.command in ("GET", "HEAD"):
        return result(req, path[len("result/"):])
    req.send_json(404, API.e404())
