"""tests/mock/apis/otx.py -- AlienVault OTX DirectConnect API v1
(https://otx.alienvault.com/api/v1): GET
/indicators/{IPv4|IPv6|domain|hostname|url|file}/{value}/{section} with
the sections "general" (every type) and "reputation" (IPv4, IPv6).

Mock base URL: http://127.0.0.1:N/otx/api/v1

* The key (X-OTX-API-KEY) is optional, as on OTX; the key "bad" is 403
  {"detail": "Invalid API key"}.  Behaviour words work in the value and
  in a key made of words; 198.18.0.N maps N to a word as in
  internetdb.py.
* general: pulse_info.count is 0 below score 5, score - 3 (2..6) from 5
  up, with that many pulses (tags, malware_families, created/modified).
  A "clean"/"benign" value (or a clean network) has a "validation"
  entry (whitelisted).  A value holding "notfound" is 404
  {"detail": "Not found."}; an invalid value 400.
* reputation: {"reputation": null} below score 5, else an object with
  threat_score, activities, first_seen and last_seen.
"""

import hashlib
import time
from urllib.parse import unquote, urlsplit

import upstream

PREFIX = "/otx/api/v1/"


API = upstream.KeyedApi("otx", "detail", {
    401: "Authentication credentials were not provided.",
    403: "Invalid API key",
    404: "Not found.",
    429: "Request was throttled. Expected available in 7 seconds.",
    503: "Service temporarily unavailable.",
})
TYPES = {"IPv4": "IPv4", "IPv6": "IPv6", "domain": "Domain",
         "hostname": "Hostname", "url": "URL", "file": None}
FAMILIES = ["Mirai", "Emotet", "AgentTesla", "QakBot", "Cobalt Strike"]
TAGS = ["botnet", "phishing", "c2", "malware", "scanning", "ransomware"]
SECTIONS = {"IPv4": ["general", "geo", "reputation", "url_list",
                     "passive_dns", "malware", "nids_list", "http_scans"],
            "IPv6": ["general", "geo", "reputation", "url_list",
                     "passive_dns"],
            "domain": ["general", "geo", "url_list", "passive_dns",
                       "malware", "whois", "http_scans"],
            "hostname": ["general", "geo", "url_list", "passive_dns",
                         "malware", "http_scans"],
            "url": ["general", "url_list", "http_scans", "screenshot"],
            "file": ["general", "analysis"]}


def stamp(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000", time.gmtime(ts))


def file_type(value):
    return {32: ("FileHash-MD5", "md5"), 40: ("FileHash-SHA1", "sha1"),
            64: ("FileHash-SHA256", "sha256")}.get(len(value))


def pulse(value, kind, h, i):
    pid = hashlib.sha1(("%s/%d" % (value, i)).encode()).hexdigest()[:24]
    created = upstream.BASE_DATE - 86400 * ((h >> i) % 700) - 3600 * i
    fam = FAMILIES[(h >> (2 * i)) % len(FAMILIES)]
    return {
        "id": pid, "name": "Mock campaign %s #%d" % (fam, i + 1),
        "description": "Indicators seen in a mock %s campaign." % fam,
        "modified": stamp(created + 86400 * (1 + (h >> i) % 30)),
        "created": stamp(created),
        "tags": [TAGS[(h >> (3 * i)) % len(TAGS)],
                 TAGS[(h >> (3 * i + 1)) % len(TAGS)]],
        "references": ["https://blog.example.org/report-%d" % i],
        "public": 1, "adversary": "", "targeted_countries": [],
        "malware_families": [{"id": fam, "display_name": fam,
                              "target": None}],
        "attack_ids": [{"id": "T1071", "name": "Application Layer "
                        "Protocol", "display_name": "T1071 - Application "
                        "Layer Protocol"}],
        "industries": [], "TLP": "white", "cloned_from": None,
        "export_count": (h >> i) % 50, "upvotes_count": 0,
        "downvotes_count": 0, "votes_count": 0, "locked": False,
        "pulse_source": "web", "validator_count": 0, "comment_count": 0,
        "follower_count": 0, "vote": 0,
        "author": {"username": "mock-analyst", "id": "1000",
                   "avatar_url": "", "is_subscribed": False,
                   "is_following": False},
        "indicator_type_counts": {kind: 1 + (h >> i) % 20},
        "indicator_count": 1 + (h >> i) % 20,
        "is_author": False, "is_subscribing": None,
        "subscriber_count": 10 + (h >> i) % 900, "modified_text": "",
        "is_modified": True, "groups": [], "in_group": False,
        "threat_hunter_scannable": True, "threat_hunter_has_agents": 1,
        "related_indicator_type": kind, "related_indicator_is_active": 1}


def general(typ, value, score, h, ip):
    title = TYPES[typ] or file_type(value)[0]
    count = score - 3 if score >= 5 else 0
    pulses = [pulse(value, title, h, i) for i in range(count)]
    clean = score == 0 and ("clean" in value.lower() or "benign" in
                            value.lower() or (ip is not None and any(
                                ip in n for n in upstream.CLEAN_NETS
                                if n.version == ip.version)))
    validation = [{"source": "whitelist", "message":
                   "Whitelisted indicator %s" % value,
                   "name": "Whitelisted indicator"}] if clean else []
    fams = sorted({p["malware_families"][0]["display_name"]
                   for p in pulses})
    out = {
        "sections": SECTIONS[typ],
        "indicator": value,
        "type": typ if typ != "file" else file_type(value)[1],
        "type_title": title,
        "base_indicator": {"id": h % 4000000000, "indicator": value,
                           "type": title, "title": "", "description": "",
                           "content": "", "access_type": "public",
                           "access_reason": ""} if count else {},
        "pulse_info": {"count": count, "pulses": pulses,
                       "references": [p["references"][0]
                                      for p in pulses],
                       "related": {
                           "alienvault": {"adversary": [],
                                          "malware_families": [],
                                          "industries": []},
                           "other": {"adversary": [],
                                     "malware_families": fams,
                                     "industries": []}}},
        "false_positive": [],
        "validation": validation,
    }
    if typ in ("IPv4", "IPv6"):
        cc = upstream.COUNTRIES[h % len(upstream.COUNTRIES)]
        out.update({
            "whois": "http://whois.domaintools.com/%s" % value,
            "reputation": 0,
            "asn": "AS%d %s" % (64496 + (h >> 12) % 15, upstream.AS_OWNERS[
                (h >> 4) % len(upstream.AS_OWNERS)]),
            "city_data": True, "city": None, "region": None,
            "continent_code": "EU", "country_code3": None,
            "country_code2": cc, "subdivision": None, "latitude": 0.0,
            "postal_code": None, "longitude": 0.0,
            "accuracy_radius": 1000, "country_code": cc,
            "country_name": upstream.COUNTRY_NAMES[cc], "dma_code": 0,
            "charset": 0, "area_code": 0,
            "flag_url": "/assets/images/flags/%s.png" % cc.lower(),
            "flag_title": upstream.COUNTRY_NAMES[cc]})
    elif typ in ("domain", "hostname"):
        out.update({"whois": "http://whois.domaintools.com/%s" % value,
                    "alexa": "http://www.alexa.com/siteinfo/%s" % value})
        if typ == "hostname":
            out["domain"] = ".".join(value.split(".")[-2:])
    elif typ == "url":
        host = urlsplit(value).hostname or ""
        out.update({"alexa": "", "whois": "",
                    "domain": ".".join(host.split(".")[-2:]),
                    "hostname": host})
    return out


def reputation(value, score, h):
    if score < 5:
        return {"reputation": None}
    first = upstream.BASE_DATE - 86400 * (h % 700)
    return {"reputation": {
        "threat_score": score, "type_of_activities": ["Malicious Host"],
        "last_seen": stamp(first + 86400 * 30),
        "first_seen": stamp(first), "up_to_date": 1, "status": 1,
        "address": value, "id": value, "matched_bl": [], "matched_wl": [],
        "domains": [], "counts": {"Malicious Host": score},
        "activities": [{"name": "Malicious Host", "first_date":
                        stamp(first), "last_date": stamp(first + 86400 *
                                                         30),
                        "source": "mock", "data_key": "mock-%d" % (h %
                                                                 1000),
                        "status": 1}]}}


def valid(typ, value):
    if typ in ("IPv4", "IPv6"):
        ip = upstream.parse_ip(value)
        return ip is not None and ("IPv%d" % ip.version) == typ
    if typ in ("domain", "hostname"):
        return bool(upstream.DOMAIN_RE.match(value)) and "." in value
    if typ == "url":
        p = urlsplit(value)
        return p.scheme in ("http", "https", "ftp") and bool(p.hostname)
    if typ == "file":
        return file_type(value) is not None and \
            bool(upstream.HEX_RE.match(value))
    return False


def handle(req, rest):
    segs = rest.split("/")
    key = req.headers.get("X-OTX-API-KEY")
    value = unquote(segs[2]) if len(segs) == 4 else ""
    word = upstream.ip_word(value)
    done, _ = req.behave(API, [value] + ([word] if word else []), [key])
    if done:
        return
    if key == "bad":
        return req.send_json(403, API.e403())
    if req.command not in ("GET", "HEAD"):
        return req.send_json(405, {"detail": "Method \"%s\" not allowed."
                                   % req.command})
    if len(segs) != 4 or segs[0] != "indicators" or segs[1] not in TYPES \
            or segs[3] not in SECTIONS[segs[1]]:
        return req.send_json(404, API.e404())
    typ, section = segs[1], segs[3]
    if not valid(typ, value):
        return req.send_json(400, {"detail": "Invalid %s" % typ})
    if upstream.is_notfound(value):
        return req.send_json(404, API.e404())
    ip = upstream.parse_ip(value) if typ in ("IPv4", "IPv6") else None
    ident = str(ip) if ip else value.lower() if typ != "url" else value
    score, h = upstream.verdict(ident, ip)
    if section == "general":
        return req.send_json(200, general(typ, ident, score, h, ip))
    if section == "reputation":
        return req.send_json(200, reputation(ident, score, h))
    req.send_json(200, {"sections": SECTIONS[typ], "count": 0, "data": []})
