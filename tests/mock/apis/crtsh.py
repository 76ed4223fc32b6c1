"""tests/mock/apis/crtsh.py -- crt.sh, the Certificate Transparency log
search (https://crt.sh/?q=...&output=json).  No key.

Mock base URL: http://127.0.0.1:N/crtsh

* q=%.{domain}&output=json: a JSON array of certificate entries
  {"issuer_ca_id", "issuer_name", "common_name", "name_value" (names,
  newline separated), "id", "entry_timestamp", "not_before",
  "not_after", "serial_number", "result_count"}; 2 to 8 entries, some
  covering the same names.  A "clean"/"benign" domain or one holding
  "notfound" has none: [].  exclude=expired keeps the entries not yet
  expired (the newest one of each domain).  Without output=json the answer is HTML.
* Behaviour words work in q.
"""

import hashlib
import time

import upstream

PREFIX = "/crtsh/"


API = upstream.KeyedApi("crtsh", "error", {
    429: "Too Many Requests",
    503: "Service Unavailable",
})
ISSUERS = [(295815, "C=US, O=Let's Encrypt, CN=R3"),
           (183267, "C=US, O=Let's Encrypt, CN=R10"),
           (1191, "C=GB, ST=Greater Manchester, L=Salford, "
            "O=Sectigo Limited, CN=Sectigo RSA Domain Validation Secure "
            "Server CA"),
           (157938, "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 "
            "2020 CA1")]
SUBS = ["www", "mail", "api", "dev", "vpn", "*", "shop", "cdn"]


def stamp(ts, ms=False):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    return s + ".123" if ms else s


def entries(dom, h):
    n = 2 + h % 7
    out = []
    for i in range(n):
        subs = sorted({SUBS[(h >> (3 * i + j)) % len(SUBS)]
                       for j in range(1 + (h >> i) % 3)})
        names = ["%s.%s" % (s, dom) for s in subs]
        if (h >> i) % 2:
            names.append(dom)
        names = sorted(set(names))
        ca, issuer = ISSUERS[(h >> (2 * i)) % len(ISSUERS)]
        nb = upstream.BASE_DATE - 86400 * 90 * (n - 1 - i) - (h >> i) % 86400
        # The newest certificate is still valid (until 2100).
        na = nb + 86400 * 90 if i < n - 1 else 4102444800
        serial = hashlib.sha1(("%s/%d" % (dom, i)).encode()).hexdigest()
        out.append({"issuer_ca_id": ca, "issuer_name": issuer,
                    "common_name": names[0], "name_value": "\n".join(names),
                    "id": 9000000000 + (h >> i) % 1000000000 + i,
                    "entry_timestamp": stamp(nb + 600, ms=True),
                    "not_before": stamp(nb), "not_after": stamp(na),
                    "serial_number": serial[:32], "result_count": len(names)
                    })
    out.reverse()                       # newest first, as crt.sh does
    return out


def handle(req, rest):
    q = req.first(req.query, "q", "")
    done, _ = req.behave(API, [q])
    if done:
        return
    if req.first(req.query, "output") != "json":
        return req.send_raw(200, b"<!DOCTYPE html><html><head><title>"
                            b"crt.sh</title></head><body>mock</body></html>",
                            ctype="text/html; charset=UTF-8")
    dom = q[2:].lower().rstrip(".") if q.startswith("%.") else q.lower()
    if not dom or not upstream.DOMAIN_RE.match(dom):
        return req.send_json(200, [])
    score, h = upstream.verdict(dom)
    if upstream.is_clean(dom) or upstream.is_notfound(dom):
        return req.send_json(200, [])
    res = entries(dom, h)
    if req.first(req.query, "exclude") == "expired":
        now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        res = [e for e in res if e["not_after"] > now]
    req.send_json(200, res)
