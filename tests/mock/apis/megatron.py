"""tests/mock/apis/megatron.py -- Megatron (abuse.ch),
https://megatron.abuse.ch/api/ -> /megatron/api/.

Megatron publishes no API documentation; this mock follows the shape
iocagg assumes (docs/sources-abusech.md), that of the other abuse.ch
APIs.  POST form, key header Auth-Key (missing or "bad": 401
{"query_status": "unknown_auth_key"}):

* query=get_entries -> {"query_status": "ok", "data": [entry, ...]}, the
  whole list;
* query=search_ip&ip_address=<ip> -> {"query_status": "ok", "data":
  [entry]} for a listed address, {"query_status": "no_results"} for
  another, {"query_status": "invalid_ip_address"} for a bad value.

The list is fixed: 203.0.113.0/25, 2001:db8:bad::/123 (the first 32
addresses) and the addresses of 198.51.100.0/24 whose hash scores 7 or
more.  Behaviour words come from the form values or a key made of words
only (an IP address cannot hold one).
"""

import ipaddress
import time

import upstream

PREFIX = "/megatron/api/"

MALWARE = ["Mirai", "Gafgyt", "Mozi", "Cobalt Strike", "QakBot", "Emotet"]
THREATS = ["botnet_cc", "payload_delivery", "scanner"]


API = upstream.KeyedApi("megatron", "query_status", {
    401: "unknown_auth_key",
    403: "forbidden",
    404: "no_results",
    429: "rate_limited",
})


def listed():
    out = [ipaddress.ip_address("203.0.113.%d" % i) for i in range(128)]
    out += [ipaddress.ip_address("2001:db8:bad::%x" % i) for i in range(32)]
    for i in range(256):
        ip = "198.51.100.%d" % i
        if upstream.h64(ip) % 10 >= 7:
            out.append(ipaddress.ip_address(ip))
    return out


LISTED = listed()
LISTED_SET = set(LISTED)


def entry(ip):
    s = str(ip)
    h = upstream.h64(s)
    first = upstream.BASE_DATE + h % 20000000
    return {
        "ip_address": s,
        "port": [80, 443, 8080, 23, 2323][h % 5],
        "first_seen": time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                    time.gmtime(first)),
        "last_seen": time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                   time.gmtime(first + 3600 * (1 + h % 300))),
        "malware": MALWARE[h % len(MALWARE)],
        "threat": THREATS[(h >> 3) % len(THREATS)],
        "confidence_level": 50 + (h >> 5) % 51,
        "as_number": 64496 + h % 15,
        "as_name": upstream.AS_OWNERS[h % len(upstream.AS_OWNERS)],
        "country": upstream.COUNTRIES[(h >> 7) % 10],
        "tags": [MALWARE[h % len(MALWARE)].lower().replace(" ", "-"),
                 "megatron"],
        "reference": "https://megatron.abuse.ch/ip/%s/" % s,
        "reporter": "abuse_ch",
    }


def handle(req, rest):
    if upstream.abusech_start(req, API, rest):
        return
    query = req.first(req.form, "query", "")
    if query == "get_entries":
        return req.send_json(200, {"query_status": "ok",
                                   "data": [entry(ip) for ip in LISTED]})
    if query == "search_ip":
        ip = upstream.parse_ip(req.first(req.form, "ip_address", ""))
        if ip is None:
            return req.send_json(200, {"query_status": "invalid_ip_address"})
        if ip not in LISTED_SET:
            return req.send_json(200, {"query_status": "no_results"})
        return req.send_json(200, {"query_status": "ok",
                                   "data": [entry(ip)]})
    req.send_json(200, {"query_status": "unknown_query" if query
                        else "no_query"})
