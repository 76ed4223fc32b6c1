"""tests/mock/apis/shodan.py -- the Shodan REST API
(https://api.shodan.io): GET /shodan/host/{ip}?key=... and
GET /dns/domain/{domain}?key=...

Mock base URL: http://127.0.0.1:N/shodan

* The key is the "key" query parameter: missing or "bad" is 401
  {"error": "Invalid API key"}.  A key made of behaviour words works as
  in ../README.md; 198.18.0.N maps N to a word as in internetdb.py.
* host: an address of 192.0.2.0/24 or 2001:db8:c1ea::/48, or a value
  holding "notfound", is 404
  {"error": "No information available for that IP."}.  Otherwise the
  host with its banners ("data"), "ports", "hostnames", "domains",
  "tags" ("compromised" at score 7-9, "scanner" at 5-6) and "vulns"
  (score 5 and more).  minify=true drops the banners.
* dns/domain: an invalid name is 400; "notfound" is 404
  {"error": "No information available for that domain."}; else
  {"domain", "tags", "data": [records], "subdomains", "more": false}.
"""

import time
from urllib.parse import unquote

import upstream

PREFIX = "/shodan/"


class ShodanApi(upstream.KeyedApi):
    def e404(self, what="IP"):
        return {"error": "No information available for that %s." % what}


API = ShodanApi("shodan", "error", {
    401: "Invalid API key",
    403: "Access denied (403 Forbidden)",
    429: "Rate limit reached (1 request/ second).",
    503: "Service temporarily unavailable",
})
SERVICES = [(22, "tcp", "OpenSSH", "8.9p1"), (53, "udp", None, None),
            (80, "tcp", "nginx", "1.24.0"), (443, "tcp", "nginx", "1.24.0"),
            (3306, "tcp", "MySQL", "8.0.35"), (8080, "tcp", "Apache httpd",
                                               "2.4.57")]
CVES = ["CVE-2021-44228", "CVE-2023-38408", "CVE-2021-41773",
        "CVE-2022-22965", "CVE-2019-0708", "CVE-2017-0144"]
SUBS = ["www", "mail", "api", "dev", "vpn", "cdn", "shop"]


def stamp(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000", time.gmtime(ts))


def host(ip, score, h, minify):
    ipn = int(ip) if ip.version == 4 else 0
    ident = str(ip)
    cc = upstream.COUNTRIES[h % len(upstream.COUNTRIES)]
    org = upstream.AS_OWNERS[(h >> 4) % len(upstream.AS_OWNERS)]
    asn = "AS%d" % (64496 + (h >> 12) % 15)
    name = "host-%d.example-isp.net" % ((h >> 11) % 1000)
    svcs = [SERVICES[(h >> (3 * i)) % len(SERVICES)] for i in
            range(1 + h % 3)]
    svcs = sorted(set(svcs))
    tags = ["compromised"] if score >= 7 else ["scanner"] if score >= 5 \
        else []
    vulns = sorted({CVES[(h >> (3 * i)) % len(CVES)] for i in
                    range(score - 4)}) if score >= 5 else []
    last = upstream.BASE_DATE + h % 20000000
    banners = []
    for i, (port, transport, product, version) in enumerate(svcs):
        b = {"_shodan": {"id": "%08x-mock-%d" % (h & 0xffffffff, i),
                         "module": "mock-%d" % port, "ptr": True,
                         "options": {}, "crawler": "%040x" % (h >> 1)},
             "hash": (h >> i) % 2000000000 - 1000000000,
             "ip": ipn, "ip_str": ident, "port": port,
             "transport": transport, "hostnames": [name],
             "domains": ["example-isp.net"], "org": org, "isp": org,
             "asn": asn, "os": None,
             "location": {"country_code": cc, "country_name":
                          upstream.COUNTRY_NAMES[cc], "city": None,
                          "latitude": 0.0, "longitude": 0.0},
             "timestamp": stamp(last - 86400 * (i + 1) * 7),
             "data": "mock banner for port %d\n" % port}
        if product:
            b["product"] = product
            b["version"] = version
        banners.append(b)
    out = {"region_code": None, "ip": ipn, "postal_code": None,
           "country_code": cc, "city": None, "dma_code": None,
           "last_update": stamp(last), "latitude": 0.0, "tags": tags,
           "area_code": None,
           "country_name": upstream.COUNTRY_NAMES[cc],
           "hostnames": [name], "org": org, "asn": asn, "isp": org,
           "longitude": 0.0, "country_code3": None,
           "domains": ["example-isp.net"], "ip_str": ident, "os": None,
           "ports": sorted({s[0] for s in svcs})}
    if vulns:
        out["vulns"] = vulns
    if not minify:
        out["data"] = banners
    return out


def domain(dom, score, h):
    subs = [SUBS[(h >> (3 * i)) % len(SUBS)] for i in range(2 + h % 4)]
    subs = sorted(set(subs))
    seen = stamp(upstream.BASE_DATE + h % 20000000)
    recs = [{"subdomain": "", "type": "A", "value": "198.51.100.%d" %
             (h % 254 + 1), "last_seen": seen},
            {"subdomain": "", "type": "AAAA", "value": "2001:db8:%x::1" %
             (h % 4096), "last_seen": seen},
            {"subdomain": "", "type": "MX", "value": "mail.%s" % dom,
             "last_seen": seen},
            {"subdomain": "", "type": "NS", "value": "ns1.example-dns.net",
             "last_seen": seen}]
    for i, s in enumerate(subs):
        recs.append({"subdomain": s, "type": "A", "value":
                     "198.51.100.%d" % ((h >> (i + 1)) % 254 + 1),
                     "last_seen": stamp(upstream.BASE_DATE +
                                        (h >> i) % 20000000)})
    return {"domain": dom, "tags": ["ipv6"], "data": recs,
            "subdomains": subs, "more": False}


def handle(req, rest):
    segs = rest.split("/")
    key = req.first(req.query, "key")
    value = unquote(segs[-1]) if segs else ""
    word = upstream.ip_word(value)
    done, _ = req.behave(API, [value] + ([word] if word else []), [key])
    if done:
        return
    if not key or key == "bad":
        return req.send_json(401, API.e401())
    if req.command not in ("GET", "HEAD"):
        return req.send_json(405, {"error": "Method not allowed"})
    if len(segs) == 3 and segs[:2] == ["shodan", "host"]:
        ip = upstream.parse_ip(value)
        if ip is None:
            return req.send_json(400, {"error": "Invalid IP"})
        score, h = upstream.verdict(str(ip), ip)
        if upstream.is_clean(value, ip) or upstream.is_notfound(value):
            return req.send_json(404, API.e404("IP"))
        minify = req.first(req.query, "minify", "false") == "true"
        return req.send_json(200, host(ip, score, h, minify))
    if len(segs) == 3 and segs[:2] == ["dns", "domain"]:
        dom = value.lower().rstrip(".")
        if not upstream.DOMAIN_RE.match(dom) or "." not in dom:
            return req.send_json(400, {"error": "Invalid domain"})
        if upstream.is_notfound(dom):
            return req.send_json(404, API.e404("domain"))
        score, h = upstream.verdict(dom)
        return req.send_json(200, domain(dom, score, h))
    req.send_json(404, {"error": "No such method"})
