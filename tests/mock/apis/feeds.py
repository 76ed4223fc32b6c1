"""tests/mock/apis/feeds.py -- downloadable threat feeds, in the real
formats, for the feed tasks (lib/feed.c):

    GET /feeds/urlhaus/{zip|plain|gz}      URLhaus CSV dump (the real
                                           https://urlhaus.abuse.ch/downloads/csv/
                                           is the zip: one member, csv.txt)
    GET /feeds/phishtank/{gz|plain|zip}    PhishTank online-valid.json(.gz)
    GET /feeds/openphish/{plain|gz|zip}    OpenPhish feed.txt
    GET /feeds/threatfox/{plain|gz|zip}    ThreatFox export (JSON by
                                           default, CSV with "format": "csv")

Mock base URL: http://127.0.0.1:N/feeds/<feed>/<encoding>

Content is deterministic: "rows" generated records from "seed" (default
50 rows, seed 1), plus the fixed entries below (also after a _set,
unless "fixed": false), plus those a test adds.  Fixed entries, for the
dev stack and the acceptance check:

    URLhaus    http://urlhaus-listed.example/bins/mozi.m (online),
               http://203.0.113.66/i (online)
    PhishTank  https://phishtank-listed.example/login (target PayPal)
    OpenPhish  https://openphish-listed.example/signin
    both       http://malicious.example.com/login.php,
               http://malicious-catalogue.example.com/login.php,
               http://203.0.113.66/login.php (the mock's convention:
               "malicious" names and 203.0.113.0/24 are listed; these
               local-only sources then answer the catalogue's checks)
    ThreatFox  threatfox-listed.example (domain), 203.0.113.77:4444
               (ip:port), 44d88612fea8a8f36de82e1278abb02f (md5_hash)

And the ThreatFox API (the real one is https://threatfox-api.abuse.ch/api/v1/):

    POST /feeds/threatfox-api/v1/   JSON {"query": "search_ioc",
        "search_term"} or {"query": "search_hash", "hash"}, header
        Auth-Key (missing or "bad": 401 {"query_status":
        "unknown_auth_key"}).  A term scoring 5 or more (upstream.verdict:
        "malicious" in it, 203.0.113.0/24...) is listed: {"query_status":
        "ok", "data": [IOC]}; otherwise {"query_status": "no_result"}.
        Behaviour words work as in ../README.md.

Controls (not feeds):

    POST /feeds/_set/<feed>   form field (or query parameter) "spec", a
        JSON object describing the next downloads of <feed>: {"rows": N,
        "seed": S, "fixed": true, "urls": ["http://...", ...] (URLhaus,
        PhishTank, OpenPhish: extra listed URLs), "iocs": [[value, type],
        ...] (ThreatFox), "format": "json"|"csv" (ThreatFox),
        "corrupt": "garbage"|"truncated"|"badzip"|"badgzip",
        "chunk": bytes per write (default 65536), "delay_ms": pause
        before each chunk after the first (a slow download), "stall_after":
        bytes after which the answer stops until the client hangs up,
        "status": an HTTP status to answer instead, "file": a path whose
        bytes are served as they are (the benchmark's generated dump)}
    POST /feeds/_reset        every feed back to its default
    GET  /feeds/_state        {"<feed>": {"spec": ..., "downloads": N,
                               "active": N, "sent": bytes, "fixed": the
                               number of fixed entries}}
"""

import gzip
import io
import json
import os
import random
import sys
import threading
import time
import zipfile

import upstream

PREFIX = "/feeds/"

FEEDS = ("urlhaus", "phishtank", "openphish", "threatfox")
BASE = 1706694000               # 2024-01-31 09:40:00 UTC
LOCK = threading.Lock()
SPECS = {}
STATE = {f: {"downloads": 0, "active": 0, "sent": 0} for f in FEEDS}
CACHE = {}

FIXED = {
    "urlhaus": ["http://urlhaus-listed.example/bins/mozi.m",
                "http://203.0.113.66/i"],
    "phishtank": ["https://phishtank-listed.example/login",
                  "http://malicious.example.com/login.php",
                  "http://malicious-catalogue.example.com/login.php",
                  "http://203.0.113.66/login.php"],
    "openphish": ["https://openphish-listed.example/signin",
                  "http://malicious.example.com/login.php",
                  "http://malicious-catalogue.example.com/login.php",
                  "http://203.0.113.66/login.php"],
    "threatfox": [["threatfox-listed.example", "domain"],
                  ["203.0.113.77:4444", "ip:port"],
                  ["44d88612fea8a8f36de82e1278abb02f", "md5_hash"]],
}


def ts(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def gen_urls(feed, spec):
    """The feed's URLs: fixed, generated, then the test's own."""
    rnd = random.Random("%s-%s" % (feed, spec.get("seed", 1)))
    out = list(FIXED[feed]) if spec.get("fixed", True) else []
    for i in range(int(spec.get("rows", 50))):
        if i % 3 == 0:
            host = "198.51.100.%d" % (rnd.randrange(1, 255))
        else:
            host = "h%d-%d.%s-gen.example" % (spec.get("seed", 1), i, feed)
        out.append("http://%s/%s/%d" % (host, rnd.choice(
            ["bins", "login", "wp-admin", "files"]), rnd.randrange(10 ** 6)))
    out.extend(spec.get("urls", []))
    return out


def csv_cell(v):
    return '"' + str(v).replace('"', '""') + '"'


def urlhaus_body(spec):
    seed = int(spec.get("seed", 1))
    lines = [
        "################################################################",
        "# abuse.ch URLhaus Database Dump (CSV)                         #",
        "# Last updated: %s (UTC)                      #" % ts(BASE),
        "#                                                              #",
        "# Terms Of Use: https://urlhaus.abuse.ch/api/                  #",
        "# For questions please contact urlhaus [at] abuse.ch           #",
        "################################################################",
        "#",
        "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,"
        "reporter"]
    for i, url in enumerate(gen_urls("urlhaus", spec)):
        uid = 2000000 + seed * 100000 + i
        online = i % 4 != 3
        lines.append(",".join(csv_cell(x) for x in [
            uid, ts(BASE - i * 60), url, "online" if online else "offline",
            ts(BASE - i * 30) if online else "", "malware_download",
            "elf,mips,Mozi" if i % 2 == 0 else "exe,AgentTesla",
            "https://urlhaus.abuse.ch/url/%d/" % uid,
            ["abuse_ch", "geenensp", "lrz_urlhaus"][i % 3]]))
    return ("\r\n".join(lines) + "\r\n").encode()


def phishtank_body(spec):
    seed = int(spec.get("seed", 1))
    out = []
    for i, url in enumerate(gen_urls("phishtank", spec)):
        pid = 8000000 + seed * 100000 + i
        out.append({
            "phish_id": str(pid), "url": url,
            "phish_detail_url":
                "http://www.phishtank.com/phish_detail.php?phish_id=%d" % pid,
            "submission_time": iso(BASE - i * 120), "verified": "yes",
            "verification_time": iso(BASE - i * 120 + 60), "online": "yes",
            "details": [{"ip_address": "192.0.2.%d" % (i % 250 + 1),
                         "cidr_block": "192.0.2.0/24",
                         "announcing_network": "64496", "rir": "arin",
                         "country": "US", "detail_time": iso(BASE)}],
            "target": "PayPal" if i == 0 else ["Other", "Microsoft",
                                                "Facebook"][i % 3]})
    return json.dumps(out).encode()


def openphish_body(spec):
    return ("\n".join(gen_urls("openphish", spec)) + "\n").encode()


def threatfox_iocs(spec):
    seed = int(spec.get("seed", 1))
    rnd = random.Random("threatfox-%s" % seed)
    out = [list(x) for x in FIXED["threatfox"]] \
        if spec.get("fixed", True) else []
    for i in range(int(spec.get("rows", 50))):
        k = i % 4
        if k == 0:
            out.append(["198.51.100.%d:%d" % (rnd.randrange(1, 255),
                                              rnd.randrange(1024, 65535)),
                        "ip:port"])
        elif k == 1:
            out.append(["c2-%d-%d.threatfox-gen.example" % (seed, i),
                        "domain"])
        elif k == 2:
            out.append(["http://dl-%d-%d.threatfox-gen.example/x.exe" %
                        (seed, i), "url"])
        else:
            out.append(["%064x" % rnd.getrandbits(256), "sha256_hash"])
    out.extend([list(x) for x in spec.get("iocs", [])])
    return out


def threatfox_body(spec):
    seed = int(spec.get("seed", 1))
    recs = []
    for i, (ioc, typ) in enumerate(threatfox_iocs(spec)):
        recs.append((str(1200000 + seed * 100000 + i), {
            "ioc_value": ioc, "ioc_type": typ,
            "threat_type": "botnet_cc" if typ == "ip:port" else
            "payload_delivery", "malware": "win.cobalt_strike",
            "malware_alias": None, "malware_printable": "Cobalt Strike",
            "first_seen_utc": ts(BASE - i * 300),
            "last_seen_utc": ts(BASE) if i % 2 == 0 else None,
            "confidence_level": [100, 75, 50, 25][i % 4],
            "reference": None if i % 2 else "https://example.org/r/%d" % i,
            "tags": "CobaltStrike,c2", "anonymous": "0",
            "reporter": "abuse_ch"}))
    if spec.get("format") == "csv":
        cols = ["first_seen_utc", "ioc_id", "ioc_value", "ioc_type",
                "threat_type", "fk_malware", "malware_alias",
                "malware_printable", "last_seen_utc", "confidence_level",
                "reference", "tags", "anonymous", "reporter"]
        lines = ["#" * 64, "# ThreatFox IOCs: CSV export" + " " * 35 + "#",
                 "# Last updated: %s UTC" % ts(BASE), "#" * 64, "#",
                 "# " + ",".join('"%s"' % c for c in cols)]
        for rid, r in recs:
            v = dict(r, ioc_id=rid, fk_malware=r["malware"])
            lines.append(", ".join(csv_cell("" if v.get(c) is None
                                            else v.get(c)) for c in cols))
        return ("\r\n".join(lines) + "\r\n").encode()
    return json.dumps({rid: [r] for rid, r in recs}, indent=1).encode()


BODY = {"urlhaus": urlhaus_body, "phishtank": phishtank_body,
        "openphish": openphish_body, "threatfox": threatfox_body}
MEMBER = {"urlhaus": "csv.txt", "phishtank": "online-valid.json",
          "openphish": "feed.txt", "threatfox": "full.json"}


def encode(feed, raw, enc):
    if enc == "gz":
        return gzip.compress(raw, 6, mtime=0)
    if enc == "zip":
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo(MEMBER[feed], (2024, 1, 31, 9, 40, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, raw)
        return b.getvalue()
    return raw


def corrupt(feed, raw, body, how):
    if how == "garbage":
        return b"<html><body><h1>502 Bad Gateway</h1></body></html>\n"
    if how == "truncated":
        return body[:max(1, len(body) * 2 // 3)]
    if how == "badzip":
        # A zip whose member's deflate data is damaged midway.
        z = bytearray(encode(feed, raw, "zip"))
        mid = len(z) // 2
        for i in range(mid, min(mid + 64, len(z))):
            z[i] ^= 0x5a
        return bytes(z)
    if how == "badgzip":
        g = bytearray(gzip.compress(raw, 6, mtime=0))
        mid = len(g) // 2
        for i in range(mid, min(mid + 64, len(g))):
            g[i] ^= 0x5a
        return bytes(g)
    return body


def body_for(feed, enc, spec):
    key = (feed, enc, json.dumps(spec, sort_keys=True))
    with LOCK:
        if key in CACHE:
            return CACHE[key]
    raw = BODY[feed](spec)
    body = encode(feed, raw, enc)
    if spec.get("corrupt"):
        body = corrupt(feed, raw, body, spec["corrupt"])
    with LOCK:
        if len(CACHE) > 16:
            CACHE.clear()
        CACHE[key] = body
    return body


CTYPE = {"plain": "text/plain; charset=utf-8", "gz": "application/gzip",
         "zip": "application/zip"}


def serve(req, feed, enc):
    with LOCK:
        spec = dict(SPECS.get(feed, {}))
        STATE[feed]["downloads"] += 1
    if spec.get("status"):
        return req.send_json(int(spec["status"]), {"error": "status"})
    path = spec.get("file")
    size = os.path.getsize(path) if path else None
    body = None if path else body_for(feed, enc, spec)
    chunk = int(spec.get("chunk", 65536))
    delay = int(spec.get("delay_ms", 0)) / 1000.0
    stall = spec.get("stall_after")
    req.send_response(200)
    req.send_header("Content-Type", CTYPE.get(enc, CTYPE["plain"]))
    req.send_header("Content-Length", str(size if path else len(body)))
    req.send_header("Last-Modified", time.strftime(
        "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(BASE)))
    req.end_headers()
    if req.command == "HEAD":
        return
    with LOCK:
        STATE[feed]["active"] += 1
    sent = 0
    f = open(path, "rb") if path else None
    try:
        while True:
            part = f.read(chunk) if f else body[sent:sent + chunk]
            if not part:
                break
            if sent > 0 and delay > 0:
                req.wait(delay)
            if stall is not None and sent >= int(stall):
                req.wait(3600)
            req.wfile.write(part)
            sent += len(part)
            with LOCK:
                STATE[feed]["sent"] = sent
    finally:
        if f:
            f.close()
        with LOCK:
            STATE[feed]["active"] -= 1


def json_body(req):
    """The request's JSON body: upstream.py reads the body before it
    calls us, into a local of its dispatch(); take it from that frame."""
    raw = getattr(req, "body", None)
    f = sys._getframe(1)
    while raw is None and f is not None:
        if f.f_locals.get("self") is req and "body" in f.f_locals:
            raw = f.f_locals["body"]
        f = f.f_back
    try:
        return json.loads((raw or b"").decode("utf-8"))
    except ValueError:
        return None


class TfApi(upstream.Api):
    name = "threatfox"

    def e401(self):
        return {"query_status": "unknown_auth_key"}

    def e403(self):
        return {"query_status": "forbidden"}

    def e404(self):
        return {"query_status": "no_result",
                "data": "Your search did not yield any results"}

    def e429(self):
        return {"query_status": "rate_limited"}

    def e503(self):
        return {"query_status": "service_unavailable"}


TF = TfApi()


def threatfox_api(req):
    body = json_body(req)
    key = req.headers.get("Auth-Key")
    term = None
    if isinstance(body, dict):
        term = body.get("search_term") if body.get("query") == \
            "search_ioc" else body.get("hash") if body.get("query") == \
            "search_hash" else None
    done, _ = req.behave(TF, [term if isinstance(term, str) else ""], [key])
    if done:
        return
    if not key or key == "bad":
        return req.send_json(401, TF.e401())
    if not isinstance(body, dict) or body.get("query") not in \
            ("search_ioc", "search_hash"):
        return req.send_json(200, {"query_status": "unknown_query"})
    if not isinstance(term, str) or not term.strip():
        return req.send_json(200, {"query_status": "illegal_search_term"})
    ip = upstream.parse_ip(term)
    score, h = upstream.verdict(term, ip)
    if score < 5:
        return req.send_json(200, TF.e404())
    typ = "md5_hash" if body["query"] == "search_hash" and len(term) == 32 \
        else "sha256_hash" if body["query"] == "search_hash" \
        else "ip:port" if ip else "url" if "://" in term else "domain"
    ioc = "%s:%d" % (term, 1024 + h % 60000) if ip else term
    first = BASE - (h % 86400) * 10
    return req.send_json(200, {"query_status": "ok", "data": [{
        "id": str(1000000 + h % 900000), "ioc": ioc,
        "threat_type": "botnet_cc" if ip else "payload_delivery",
        "threat_type_desc": "", "ioc_type": typ, "ioc_type_desc": "",
        "malware": "win.cobalt_strike", "malware_printable": "Cobalt Strike",
        "malware_alias": None,
        "malware_malpedia":
            "https://malpedia.caad.fkie.fraunhofer.de/details/win.cobalt_strike",
        "confidence_level": [50, 75, 90, 100, 100][score - 5],
        "first_seen": "%s UTC" % ts(first),
        "last_seen": "%s UTC" % ts(first + 3600) if score > 6 else None,
        "reference": None, "reporter": "abuse_ch",
        "tags": ["CobaltStrike", "c2"]}]})


def handle(req, rest):
    parts = [p for p in rest.split("/") if p]
    if parts[:2] == ["threatfox-api", "v1"]:
        return threatfox_api(req)
    if parts[:1] == ["_reset"]:
        with LOCK:
            SPECS.clear()
            CACHE.clear()
            for f in FEEDS:
                STATE[f].update(downloads=0, sent=0)
        return req.send_json(200, {"reset": True})
    if parts[:1] == ["_state"]:
        with LOCK:
            return req.send_json(200, {f: dict(STATE[f], spec=SPECS.get(f),
                                               fixed=len(FIXED[f]))
                                       for f in FEEDS})
    if parts[:1] == ["_set"] and len(parts) == 2 and parts[1] in FEEDS:
        if req.command != "POST":
            return req.send_json(405, {"error": "use POST"})
        try:
            spec = json.loads(req.first(req.form, "spec") or
                              req.first(req.query, "spec") or "{}")
            if not isinstance(spec, dict):
                raise ValueError("not an object")
        except ValueError as e:
            return req.send_json(400, {"error": str(e)})
        with LOCK:
            SPECS[parts[1]] = spec
        return req.send_json(200, {"set": parts[1], "spec": spec})
    if len(parts) == 2 and parts[0] in FEEDS and \
            parts[1] in ("plain", "gz", "zip"):
        return serve(req, parts[0], parts[1])
    return req.send_json(404, {"error": "no such feed: /feeds/%s" % rest})
