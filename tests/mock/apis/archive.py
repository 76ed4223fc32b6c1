"""tests/mock/apis/archive.py -- the Wayback Machine's CDX server
(https://web.archive.org/cdx/search/cdx) and availability API
(https://archive.org/wayback/available).  No key.

Mock base URL: http://127.0.0.1:N/archive

* GET /cdx/search/cdx?url=...&output=json[&fl=a,b][&limit=N]
  [&fastLatest=true]: rows of captures, oldest first, the first row being
  the field names (urlkey, timestamp, original, mimetype, statuscode,
  digest, length, or those of "fl").  limit=N keeps the first N, -N the
  last N.  A "clean"/"benign" value or one holding "notfound" has no
  capture: [].
  Without output=json: space-separated text lines.
* GET /wayback/available?url=...: {"url", "archived_snapshots":
  {"closest": {"status", "available", "url", "timestamp"}}} (the newest
  capture), or {"archived_snapshots": {}}.
* Behaviour words work in url.
"""

import base64
import hashlib
import time
from urllib.parse import urlsplit

import upstream

PREFIX = "/archive/"


API = upstream.KeyedApi("archive", "error", {
    429: "Too Many Requests",
})
FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode",
          "digest", "length"]


def surt(url):
    p = urlsplit(url if "://" in url else "http://" + url)
    host = (p.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    return ",".join(reversed(host.split("."))) + ")" + (p.path or "/")


def captures(url, h):
    n = 3 + h % 40
    start = upstream.BASE_DATE - 86400 * (365 * 3 + h % 3000)
    original = url if "://" in url else "http://%s/" % url
    rows = []
    ts = start
    for i in range(n):
        ts += 86400 * (1 + (h >> i) % 60) if i else 0
        digest = base64.b32encode(hashlib.sha1(
            ("%s/%d" % (url, i)).encode()).digest()).decode()
        rows.append({"urlkey": surt(url),
                     "timestamp": time.strftime("%Y%m%d%H%M%S",
                                                time.gmtime(ts)),
                     "original": original,
                     "mimetype": "text/html",
                     "statuscode": "200" if (h >> i) % 7 else "301",
                     "digest": digest,
                     "length": str(1000 + (h >> i) % 50000)})
    return rows


def lookup(url):
    if not url:
        return None
    score, h = upstream.verdict(url.lower())
    if upstream.is_clean(url) or upstream.is_notfound(url):
        return []
    return captures(url, h)


def cdx(req):
    url = req.first(req.query, "url", "")
    rows = lookup(url) or []
    limit = req.first(req.query, "limit")
    if limit:
        try:
            n = int(limit)
        except ValueError:
            return req.send_raw(400, b"Bad limit\n", ctype="text/plain")
        rows = rows[:n] if n >= 0 else rows[n:]
    fl = req.first(req.query, "fl")
    fields = fl.split(",") if fl else FIELDS
    if any(f not in FIELDS for f in fields):
        return req.send_raw(400, b"org.archive.util.io.RuntimeIOException:"
                            b" Unknown field\n", ctype="text/plain")
    if req.first(req.query, "output") == "json":
        if not rows:
            return req.send_json(200, [])
        return req.send_json(200, [fields] + [[r[f] for f in fields]
                                              for r in rows])
    text = "".join(" ".join(r[f] for f in fields) + "\n" for r in rows)
    req.send_raw(200, text.encode(), ctype="text/plain")


def available(req):
    url = req.first(req.query, "url", "")
    rows = lookup(url) or []
    out = {"url": url, "archived_snapshots": {}}
    if rows:
        r = rows[-1]
        out["archived_snapshots"] = {"closest": {
            "status": r["statuscode"], "available": True,
            "url": "http://web.archive.org/web/%s/%s" % (r["timestamp"],
                                                         r["original"]),
            "timestamp": r["timestamp"]}}
    req.send_json(200, out)


def handle(req, rest):
    url = req.first(req.query, "url", "")
    done, _ = req.behave(API, [url])
    if done:
        return
    if req.command not in ("GET", "HEAD"):
        return req.send_raw(405, b"Method Not Allowed\n", ctype="text/plain")
    path = rest.strip("/")
    if path == "cdx/search/cdx":
        return cdx(req)
    if path == "wayback/available":
        return available(req)
    req.send_raw(404, b"Not Found\n", ctype="text/plain")
