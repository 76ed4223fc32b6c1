#!/usr/bin/python3
"""tests/fuzz/seeds/mkseeds.py -- rebuild the seed corpora of fuzz-sources,
fuzz-feed and fuzz-gsburl from the answers of the mock upstream.

    tests/fuzz/seeds/mkseeds.py [MOCK_URL]

Without MOCK_URL it starts tests/mock/upstream.py on a free port and stops
it at the end.  The seeds of fuzz-sources start with two selector bytes
(the source's index in the registry, the kind's index among the kinds it
answers), so they are computed from lib/sources/registry.c, its list-*.h
and the sources' .kinds: run it again when the registry changes.  Answers
are trimmed (arrays to 3 elements, strings to 200 bytes) to keep the
files small.
"""

import json
import os
import re
import subprocess
import sys
import urllib.request

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SEEDS = os.path.join(TOP, "tests", "fuzz", "seeds")
KINDS = ["DOMAIN", "IPV4", "IPV6", "URL", "EMAIL", "SHA1", "SHA256",
         "SHA512", "MD5", "TLSH", "SSDEEP"]
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def registry():
    """[(builtin, [kind names])] in src_registry() order."""
    src = open(os.path.join(TOP, "lib/sources/registry.c")).read()
    body = src[src.index("registry[] = {"):]
    body = body[:body.index("};")]
    names = []
    for line in body.splitlines():
        m = re.match(r"\s*&src_(\w+),", line)
        if m:
            names.append(m.group(1))
        m = re.match(r'#include "sources/(list-\w+\.h)"', line.strip())
        if m:
            lst = open(os.path.join(TOP, "lib/sources", m.group(1))).read()
            names += re.findall(r"^SRC\((\w+)\)", lst, re.M)
    out = []
    for n in names:
        c = open(os.path.join(TOP, "lib/sources", n + ".c")).read()
        m = re.search(r"const struct src_def src_%s = \{(.*?)\n\};" % n, c,
                      re.S)
        k = re.search(r"\.kinds\s*=(.*?),\n", m.group(1), re.S).group(1)
        if "IND__MAX" in k:
            kinds = list(KINDS)
        else:
            found = set(re.findall(r"IND_(\w+)", k))
            kinds = [x for x in KINDS if x in found]
        out.append((n, kinds))
    return out


def trim(v, keys=40):
    if isinstance(v, list):
        return [trim(x) for x in v[:3]]
    if isinstance(v, dict):
        return {k: trim(x) for k, x in list(v.items())[:keys]}
    if isinstance(v, str):
        return v[:200]
    return v


def fetch(base, path, data=None, headers=None, raw=False):
    h = {"X-OTX-API-KEY": "k", "Auth-Key": "k", "x-apikey": "k", "Key": "k",
         "hibp-api-key": "k", "API-Key": "k"}
    h.update(headers or {})
    if isinstance(data, (dict, list)):
        data = json.dumps(data).encode()
        h["Content-Type"] = "application/json"
    elif isinstance(data, str):
        data = data.encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    rq = urllib.request.Request(base + path, data=data, headers=h)
    try:
        with urllib.request.urlopen(rq, timeout=20) as r:
            body = r.read()
    except urllib.error.HTTPError as e:
        body = e.read()
    return body if raw else json.loads(body)


def write(target, name, blob):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def sources(m):
    """Upstream answers (build/parse sources) and run() results (run
    sources) per builtin and kind."""
    gsb = {"client": {"clientId": "iocagg", "clientVersion": "1"},
           "threatInfo": {"threatTypes": ["MALWARE", "SOCIAL_ENGINEERING"],
                          "platformTypes": ["ANY_PLATFORM"],
                          "threatEntryTypes": ["URL"],
                          "threatEntries": [{"url": "http://malicious.example/"}]}}
    mt = fetch(m, "/megatron/api/", "query=get_entries")
    tf = fetch(m, "/feeds/threatfox-api/v1",
               {"query": "search_ioc", "search_term": "malicious.example"})
    ph = {"phish_id": 123, "phish_detail_url": "http://www.phishtank.com/"
          "phish_detail.php?phish_id=123", "url": "http://malicious.example/"
          "login", "submission_time": "2024-01-31 09:40:00",
          "verified": "yes", "verification_time": "2024-01-31 10:00:00",
          "online": "yes", "target": "Example Bank",
          "details": [{"ip_address": "203.0.113.7", "cidr_block":
                       "203.0.113.0/24", "announcing_network": "64500",
                       "rir": "arin", "country": "US"}]}
    return {
        "virustotal": [
            ("IPV4", fetch(m, "/virustotal/api/v3/ip_addresses/203.0.113.5")),
            ("DOMAIN", fetch(m, "/virustotal/api/v3/domains/malicious.example")),
            ("SHA256", fetch(m, "/virustotal/api/v3/files/" + SHA256)),
            ("URL", fetch(m, "/virustotal/api/v3/urls/aHR0cDovL21hbGljaW91cy5leGFtcGxlLw")),
        ],
        "abuseipdb": [
            ("IPV4", fetch(m, "/abuseipdb/api/v2/check?ipAddress=203.0.113.5&maxAgeInDays=90&verbose")),
        ],
        "urlhaus": [
            ("URL", fetch(m, "/urlhaus/v1/url/", "url=http://malicious.example/x")),
            ("DOMAIN", fetch(m, "/urlhaus/v1/host/", "host=malicious.example")),
            ("SHA256", fetch(m, "/urlhaus/v1/payload/", "sha256_hash=" + SHA256)),
            ("DOMAIN", [{"id": 1, "dateadded": "2024-01-31 09:40:00",
                         "url": "http://example.com/x.exe",
                         "url_status": "online", "last_online": None,
                         "threat": "malware_download",
                         "tags": "exe,Mozi", "urlhaus_link":
                         "https://urlhaus.abuse.ch/url/1/",
                         "reporter": "abuse_ch"}]),
        ],
        "http_json": [
            ("DOMAIN", {"verdict": {"verdict": "malicious", "score": 90,
                                    "tags": ["x"], "firstSeen": 1700000000,
                                    "related": [{"kind": "IPV4",
                                                 "data": "192.0.2.1"}]}}),
            ("URL", fetch(m, "/generic/example.com")),
        ],
        "alienvault_otx": [
            ("IPV4", fetch(m, "/otx/api/v1/indicators/IPv4/203.0.113.5/general")),
            ("DOMAIN", fetch(m, "/otx/api/v1/indicators/domain/malicious.example/general")),
        ],
        "certificate_transparency": [
            ("DOMAIN", fetch(m, "/crtsh/?q=%25.malicious.example&output=json&deduplicate=Y")),
        ],
        "haveibeenpwned": [
            ("EMAIL", fetch(m, "/hibp/api/v3/breachedaccount/malicious%40example.com?truncateResponse=false")),
        ],
        "internet_archive": [
            ("URL", {"url": "http://example.com/", "first": {
                "time": "2015-11-15T22:13:20Z", "status": "200",
                "snapshot": "https://web.archive.org/web/20151115221320/"
                "http://example.com/"}, "last": {"time": "20240101000000"},
                "truncated": False, "captures": 2}),
        ],
        "internetdb": [
            ("IPV4", fetch(m, "/internetdb/203.0.113.5")),
        ],
        "shodan": [
            ("IPV4", fetch(m, "/shodan/shodan/host/203.0.113.5?key=k")),
            ("DOMAIN", fetch(m, "/shodan/dns/domain/malicious.example?key=k")),
        ],
        "malwarebazaar": [
            ("SHA256", fetch(m, "/mbazaar/api/v1/", "query=get_info&hash=" + SHA256)),
        ],
        "megatron": [
            ("IPV4", {"entries": mt.get("data", [])}),
        ],
        "google_safe_browsing_lookup": [
            ("URL", fetch(m, "/gsb/v4/threatMatches:find?key=k", gsb)),
        ],
        "google_safe_browsing_update": [
            ("URL", {"url": "http://malicious.example/", "expressions": 4,
                     "prefixMatches": 1, "matches": [
                         {"threatType": "MALWARE",
                          "platformType": "ANY_PLATFORM",
                          "threatEntryType": "URL"}]}),
        ],
        "urlscan_io_search": [
            ("DOMAIN", fetch(m, "/urlscan/api/v1/search/?q=domain:malicious.example&size=2")),
        ],
        "urlscan_io_submit": [
            ("URL", {"status": "done", "verdicts": {"overall": {
                "score": 80, "malicious": True, "hasVerdicts": True,
                "categories": ["phishing"]}}, "task": {
                "time": "2024-01-31T09:40:00.000Z"}, "page": {
                "ip": "203.0.113.9", "domain": "malicious.example"}}),
        ],
        "dns": [
            ("DOMAIN", {"records": {"A": ["192.0.2.1"], "AAAA": [
                "2001:db8::1"], "MX": [{"host": "mx.example.com",
                                        "priority": 10}],
                "SRV": [{"target": "sip.example.com", "port": 5060}]}}),
        ],
        "asn_cymru": [
            ("IPV4", {"asn": "64500", "prefix": "192.0.2.0/24",
                      "asn_country": "US", "asn_registry": "arin",
                      "allocated": "2000-01-01", "as_name": "EXAMPLE"}),
        ],
        "openphish": [
            ("DOMAIN", [{"url": "http://malicious.example/login"}]),
        ],
        "phishtank": [
            ("DOMAIN", [ph]), ("URL", [ph]),
        ],
        "threatfox": [
            ("DOMAIN", tf), ("DOMAIN", tf.get("data", [])),
        ],
    }


def feeds(m):
    for name in ("urlhaus", "phishtank", "openphish", "threatfox"):
        body = fetch(m, "/feeds/%s/plain" % name, raw=True)
        # The head of the feed: whole lines, about 3 KB, and for JSON
        # feeds a short valid document instead.
        if body.lstrip()[:1] in (b"[", b"{"):
            doc = trim(json.loads(body), 4)
            body = json.dumps(doc, indent=1).encode()
        else:
            body = body[:3000]
            body = body[:body.rfind(b"\n") + 1]
        # fuzz-feed: first byte picks the format, the second the chunking.
        idx = ("urlhaus", "phishtank", "openphish", "threatfox").index(name)
        write("feed", name, bytes([idx, 7]) + body)


def gsburl():
    for i, u in enumerate([
            "http://host/%25%32%35", "http://www.google.com/blah/..",
            "http://3279880203/blah", "http://www.GOOgle.com/",
            "http://www.google.com.../", "http://a.b.c/1/2.html?param=1",
            "http://a.b.c.d.e.f.g/1.html", "http://1.2.3.4/1/",
            "http://\x01\x80.com/", "www.google.com/q?r?s",
            "http://notrailingslash.com", "http://www.gotaport.com:1234/",
            "  http://www.google.com/  ", "http://[2001:db8::1]/x",
            "http://www.google.com/foo\tbar\rbaz\n2",
            "http://host.com/ab%23cd", "http://host.com//twoslashes?more//slashes",
            "http://evil.com/foo#bar#baz", "http://0x7f.1/"]):
        write("gsburl", "%02d" % i, u.encode("latin-1"))


def dictionary():
    """sources.dict: the member names the sources read, quoted as JSON
    keys (json-c finds members by hash, so the fuzzer's comparison
    tracing cannot guess them), and the words they compare values to."""
    words = set()
    for f in sorted(os.listdir(os.path.join(TOP, "lib/sources"))):
        if not f.endswith(".c"):
            continue
        c = open(os.path.join(TOP, "lib/sources", f)).read()
        words.update(re.findall(
            r'(?:get_ex\([\w>-]+,\s*|jget_\w+\([\w>-]+,\s*|'
            r'array_len\(\w+,\s*)"([\w:.-]+)"', c))
        words.update(re.findall(r'strcmp\([^,]+,\s*"([\w:. -]+)"\)', c))
    with open(os.path.join(SEEDS, "sources.dict"), "w") as f:
        f.write("# tests/fuzz/seeds/sources.dict -- made by mkseeds.py\n")
        for i, w in enumerate(sorted(words)):
            f.write('k%d="\\"%s\\""\n' % (i, w))
        for i, w in enumerate(["malicious", "suspicious", "benign",
                               "unknown", "1e300", "-1e300", "NaN",
                               "9223372036854775808", "[[[[", "null"]):
            f.write('v%d="%s"\n' % (i, w.replace('"', '\\"')))


def main():
    proc = None
    if len(sys.argv) > 1:
        m = sys.argv[1].rstrip("/")
    else:
        proc = subprocess.Popen(["/usr/bin/python3", os.path.join(
            TOP, "tests/mock/upstream.py"), "--port", "0"],
            stdout=subprocess.PIPE)
        m = "http://127.0.0.1:" + proc.stdout.readline().decode().strip(
            ).split("=")[1]
    try:
        reg = registry()
        idx = {n: (i, k) for i, (n, k) in enumerate(reg)}
        for name, seeds in sources(m).items():
            if name not in idx:
                continue
            i, kinds = idx[name]
            for j, (kind, body) in enumerate(seeds):
                blob = json.dumps(trim(body), separators=(",", ":")).encode()
                write("sources", "%s-%d" % (name, j),
                      bytes([i, kinds.index(kind)]) + blob)
        feeds(m)
        gsburl()
        dictionary()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
