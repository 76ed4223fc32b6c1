"""tests/mock/apis/internetdb.py -- Shodan InternetDB, GET /{ip}
(https://internetdb.shodan.io/{ip}): no key.

Mock base URL: http://127.0.0.1:N/internetdb

* A known address answers {"cpes", "hostnames", "ip", "ports", "tags",
  "vulns"}; an address of 192.0.2.0/24 or 2001:db8:c1ea::/48 (or holding
  "notfound") is 404 {"detail": "No information available"}.
* Score 7-9 (203.0.113.0/24 often) carries the "compromised" tag, score
  5-6 "scanner"; score 5 and more carries CVEs in "vulns".
* An IP address cannot hold a behaviour word, so 198.18.0.N (RFC 2544)
  maps N to one: see upstream.IP_WORDS.
"""

from urllib.parse import unquote

import upstream

PREFIX = "/internetdb/"


API = upstream.KeyedApi("internetdb", "detail", {
    401: "Unauthorized",
    403: "Forbidden",
    404: "No information available",
    429: "Rate limit exceeded",
    503: "Service temporarily unavailable",
})
PORTS = [21, 22, 23, 25, 53, 80, 110, 443, 445, 993, 3306, 3389, 5432,
         8080, 8443]
CPES = ["cpe:/a:openbsd:openssh", "cpe:/a:nginx:nginx",
        "cpe:/a:apache:http_server", "cpe:/o:linux:linux_kernel",
        "cpe:/a:mysql:mysql"]
CVES = ["CVE-2021-44228", "CVE-2023-38408", "CVE-2021-41773",
        "CVE-2022-22965", "CVE-2019-0708", "CVE-2017-0144"]


def record(ip, score, h):
    ports = sorted({PORTS[(h >> (4 * i)) % len(PORTS)] for i in range(
        1 + h % 4)})
    tags = []
    if score >= 7:
        tags.append("compromised")
    elif score >= 5:
        tags.append("scanner")
    if (h >> 6) % 3 == 0:
        tags.append("cloud")
    vulns = sorted(CVES[(h >> (3 * i)) % len(CVES)] for i in
                   range(score - 4)) if score >= 5 else []
    return {
        "cpes": [CPES[(h >> (5 * i)) % len(CPES)] for i in range(
            1 + (h >> 9) % 2)],
        "hostnames": ["host-%d.example-isp.net" % ((h >> 11) % 1000)],
        "ip": ip,
        "ports": ports,
        "tags": tags,
        "vulns": sorted(set(vulns)),
    }


def handle(req, rest):
    value = unquote(rest.strip("/"))
    word = upstream.ip_word(value)
    done, _ = req.behave(API, [value] + ([word] if word else []))
    if done:
        return
    if req.command not in ("GET", "HEAD"):
        return req.send_json(405, {"detail": "Method Not Allowed"})
    ip = upstream.parse_ip(value)
    if ip is None:
        return req.send_json(400, {"detail": "Invalid IP address"})
    score, h = upstream.verdict(str(ip), ip)
    if upstream.is_clean(value, ip) or upstream.is_notfound(value):
        return req.send_json(404, API.e404())
    req.send_json(200, record(str(ip), score, h))
