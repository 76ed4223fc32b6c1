#!/usr/bin/python3
"""tests/mock/selftest.py -- TAP self-test of tests/mock/upstream.py.

Starts the mock on a free port, checks every endpoint and behaviour word
with urllib / http.client, then stops it.  Standard library only.

    /usr/bin/python3 tests/mock/selftest.py
"""

import base64
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = os.path.join(HERE, "upstream.py")

_n = 0
_failed = 0
BASE = None
VTKEY = {"x-apikey": "test-vt-key"}
ABKEY = {"Key": "test-abuse-key", "Accept": "application/json"}
UHKEY = {"Auth-Key": "test-urlhaus-key"}


def ok(cond, name, diag=None):
    global _n, _failed
    _n += 1
    if cond:
        print("ok %d - %s" % (_n, name))
    else:
        _failed += 1
        print("not ok %d - %s" % (_n, name))
        if diag is not None:
            for line in str(diag).splitlines()[:20]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def check(name, fn):
    """Run fn() -> (cond, diag); an exception is a failure."""
    try:
        r = fn()
        cond, diag = r if isinstance(r, tuple) else (r, None)
    except Exception:
        cond, diag = False, traceback.format_exc()
    return ok(cond, name, diag)


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self):
        return "<%d %r %r>" % (self.status, dict(self.headers),
                               self.body[:300])


def req(path, headers=None, form=None, method=None, timeout=10):
    data = urllib.parse.urlencode(form).encode() if form is not None \
        else None
    r = urllib.request.Request(BASE + path, data=data, method=method,
                               headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(r, timeout=timeout) as f:
            return Resp(f.status, f.headers, f.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())


def vt_url_id(url):
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


# ---- the API probes used for every behaviour word --------------------------

def vt(word):
    return req("/virustotal/api/v3/domains/%s.example.com" % word, VTKEY)


def vt_url(word):
    return req("/virustotal/api/v3/urls/" +
               vt_url_id("http://example.com/%s/x" % word), VTKEY)


def abuse(word):
    return req("/abuseipdb/api/v2/check?ipAddress=%s&maxAgeInDays=90"
               % word, ABKEY)


def urlhaus(word):
    return req("/urlhaus/v1/url/", UHKEY,
               form={"url": "http://%s.example.com/a" % word})


def generic(word):
    return req("/generic/x-%s-y" % word)


PROBES = [("virustotal", vt), ("virustotal url id", vt_url),
          ("abuseipdb", abuse), ("urlhaus", urlhaus), ("generic", generic)]

ERR401 = {
    "virustotal": lambda j: j["error"]["code"] == "WrongCredentialsError",
    "virustotal url id":
    lambda j: j["error"]["code"] == "WrongCredentialsError",
    "abuseipdb": lambda j: j["errors"][0]["status"] == 401 and
    j["errors"][0]["detail"].startswith("Authentication failed."),
    "urlhaus": lambda j: j["query_status"] == "unknown_auth_key",
    "generic": lambda j: "error" in j,
}
ERR404 = {
    "virustotal": lambda j: j["error"]["code"] == "NotFoundError",
    "virustotal url id": lambda j: j["error"]["code"] == "NotFoundError",
    "abuseipdb": lambda j: j["errors"][0]["status"] == 404,
    "urlhaus": lambda j: j["query_status"] == "no_results",
    "generic": lambda j: "error" in j,
}
ERR429 = {
    "virustotal": lambda j: j["error"]["code"] == "QuotaExceededError",
    "virustotal url id": lambda j: j["error"]["code"] == "QuotaExceededError",
    "abuseipdb": lambda j: j["errors"][0]["status"] == 429,
    "urlhaus": lambda j: "query_status" in j,
    "generic": lambda j: "error" in j,
}


def main():
    global BASE
    tmp = tempfile.mkdtemp(prefix="iocagg-mock-")
    pidfile = os.path.join(tmp, "mock.pid")
    logfile = os.path.join(tmp, "mock.log")
    t_start = time.monotonic()
    proc = subprocess.Popen([sys.executable, UPSTREAM, "--port", "0",
                             "--pidfile", pidfile, "--log", logfile],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        ok(line.startswith("port="), "first stdout line is port=N", line)
        port = int(line.split("=", 1)[1])
        BASE = "http://127.0.0.1:%d" % port
        run(proc, pidfile, logfile)
    except Exception:
        ok(False, "selftest crashed", traceback.format_exc())
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    ok(proc.returncode == 0, "server exits cleanly on SIGTERM",
       proc.returncode)
    ok(not os.path.exists(pidfile), "pidfile removed on exit")
    for f in (pidfile, logfile):
        try:
            os.unlink(f)
        except OSError:
            pass
    os.rmdir(tmp)
    print("# total %.1f s" % (time.monotonic() - t_start))
    print("1..%d" % _n)
    return 1 if _failed else 0


def run(proc, pidfile, logfile):
    # ---- control ----------------------------------------------------------
    check("pidfile holds the server pid", lambda: (
        open(pidfile).read().strip() == str(proc.pid),
        open(pidfile).read()))
    r = req("/_health")
    ok(r.status == 200 and r.body == b"ok", "GET /_health -> 200 ok", r)
    r = req("/_reset", method="POST")
    ok(r.status == 200, "POST /_reset -> 200", r)
    r = req("/_stats")
    ok(r.status == 200 and r.json()["total"] == 0 and r.json()["paths"] == {},
       "/_stats is empty after reset", r)
    r = req("/nowhere")
    ok(r.status == 404 and r.json() is not None, "unknown path -> 404 JSON",
       r)

    # ---- VirusTotal -------------------------------------------------------
    def attrs_ok(j, typ, ident):
        d = j["data"]
        a = d["attributes"]
        s = a["last_analysis_stats"]
        return (d["type"] == typ and d["id"] == ident and
                d["links"]["self"].endswith(ident) and
                all(k in s for k in ("harmless", "malicious", "suspicious",
                                     "undetected", "timeout")) and
                s["timeout"] == 0 and 0 <= s["malicious"] <= 9 and
                "reputation" in a and isinstance(a["last_analysis_date"],
                                                 int))

    r = req("/virustotal/api/v3/ip_addresses/8.8.8.8", VTKEY)
    ok(r.status == 200 and attrs_ok(r.json(), "ip_address", "8.8.8.8") and
       "country" in r.json()["data"]["attributes"] and
       "as_owner" in r.json()["data"]["attributes"],
       "VT ip_addresses/8.8.8.8 -> ip_address object", r)
    ok(r.headers["Content-Type"] == "application/json" and
       int(r.headers["Content-Length"]) == len(r.body),
       "VT answer has Content-Type and Content-Length", r)
    r2 = req("/virustotal/api/v3/ip_addresses/8.8.8.8", VTKEY)
    ok(r2.body == r.body, "VT answers are deterministic")
    r = req("/virustotal/api/v3/ip_addresses/2001:db8::1", VTKEY)
    ok(r.status == 200 and r.json()["data"]["id"] == "2001:db8::1",
       "VT ip_addresses with IPv6", r)
    r = req("/virustotal/api/v3/ip_addresses/203.0.113.9", VTKEY)
    ok(r.status == 200 and r.json()["data"]["attributes"]
       ["last_analysis_stats"]["malicious"] >= 5,
       "VT 203.0.113.0/24 is malicious", r)
    r = req("/virustotal/api/v3/ip_addresses/999.1.1.1", VTKEY)
    ok(r.status == 400 and r.json()["error"]["code"] ==
       "InvalidArgumentError", "VT invalid IP -> 400 InvalidArgumentError",
       r)
    r = req("/virustotal/api/v3/ip_addresses/8.8.8.8")
    ok(r.status == 401 and r.json() == {"error": {
        "code": "WrongCredentialsError", "message": "Wrong API key"}},
        "VT without x-apikey -> 401 WrongCredentialsError", r)
    r = req("/virustotal/api/v3/ip_addresses/8.8.8.8", {"x-apikey": "bad"})
    ok(r.status == 401 and r.json()["error"]["code"] ==
       "WrongCredentialsError", "VT x-apikey: bad -> 401", r)

    r = req("/virustotal/api/v3/domains/Example.COM", VTKEY)
    ok(r.status == 200 and attrs_ok(r.json(), "domain", "example.com") and
       "registrar" in r.json()["data"]["attributes"],
       "VT domains/example.com -> domain object with registrar", r)
    r = req("/virustotal/api/v3/domains/very-malicious.example", VTKEY)
    ok(r.status == 200 and r.json()["data"]["attributes"]
       ["last_analysis_stats"]["malicious"] >= 5,
       "VT domain containing 'malicious' has malicious >= 5", r)
    r = req("/virustotal/api/v3/domains/clean.example", VTKEY)
    ok(r.status == 200 and r.json()["data"]["attributes"]
       ["last_analysis_stats"]["malicious"] == 0,
       "VT domain containing 'clean' has malicious == 0", r)
    r = req("/virustotal/api/v3/domains/notfound.example", VTKEY)
    ok(r.status == 404 and r.json()["error"]["code"] == "NotFoundError" and
       "not found" in r.json()["error"]["message"],
       "VT domain containing 'notfound' -> 404 NotFoundError", r)

    url = "https://www.example.com/path?q=1&x=%20y"
    uid = vt_url_id(url)
    r = req("/virustotal/api/v3/urls/" + uid, VTKEY)
    a = r.json()["data"]["attributes"] if r.status == 200 else {}
    ok(r.status == 200 and a.get("url") == url and
       a.get("last_final_url") == url and
       attrs_ok(r.json(), "url", hashlib.sha256(url.encode()).hexdigest()),
       "VT urls/{base64 id} -> url object with the decoded url", r)
    r = req("/virustotal/api/v3/urls/" +
            hashlib.sha256(url.encode()).hexdigest(), VTKEY)
    ok(r.status == 200 and r.json()["data"]["attributes"]["url"] == url,
       "VT urls/{sha256 of a known url}", r)
    r = req("/virustotal/api/v3/urls/" +
            vt_url_id("http://malicious.example/x"), VTKEY)
    ok(r.status == 200 and r.json()["data"]["attributes"]
       ["last_analysis_stats"]["malicious"] >= 5,
       "VT url containing 'malicious' has malicious >= 5", r)
    r = req("/virustotal/api/v3/urls/%21%21notbase64", VTKEY)
    ok(r.status == 400 and r.json()["error"]["code"] ==
       "InvalidArgumentError", "VT urls/{bad id} -> 400 InvalidArgumentError",
       r)
    r = req("/virustotal/api/v3/urls/A", VTKEY)
    ok(r.status == 400, "VT urls/A (impossible base64 length) -> 400", r)

    for h in ("d41d8cd98f00b204e9800998ecf8427e",
              "da39a3ee5e6b4b0d3255bfef95601890afd80709",
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"):
        r = req("/virustotal/api/v3/files/" + h.upper(), VTKEY)
        a = r.json()["data"]["attributes"] if r.status == 200 else {}
        ok(r.status == 200 and r.json()["data"]["type"] == "file" and
           r.json()["data"]["id"] == a.get("sha256") and
           h in (a.get("md5"), a.get("sha1"), a.get("sha256")) and
           all(k in a for k in ("meaningful_name", "size")) and
           "malicious" in a["last_analysis_stats"],
           "VT files/{%d-hex hash} -> file object" % len(h), r)
    r = req("/virustotal/api/v3/files/nothex", VTKEY)
    ok(r.status == 404 and r.json()["error"]["code"] == "NotFoundError",
       "VT files/{not a hash} -> 404 NotFoundError", r)
    r = req("/virustotal/api/v3/comments/x", VTKEY)
    ok(r.status == 404, "VT unknown collection -> 404", r)

    # ---- AbuseIPDB --------------------------------------------------------
    r = req("/abuseipdb/api/v2/check?ipAddress=8.8.8.8&maxAgeInDays=90",
            ABKEY)
    d = r.json()["data"] if r.status == 200 else {}
    keys = ("ipAddress", "isPublic", "ipVersion", "isWhitelisted",
            "abuseConfidenceScore", "countryCode", "usageType", "isp",
            "domain", "hostnames", "isTor", "totalReports",
            "numDistinctUsers", "lastReportedAt")
    ok(r.status == 200 and all(k in d for k in keys) and
       d["ipAddress"] == "8.8.8.8" and d["ipVersion"] == 4 and
       d["isPublic"] is True and isinstance(d["hostnames"], list) and
       0 <= d["abuseConfidenceScore"] <= 100,
       "AbuseIPDB check -> data with every field", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=203.0.113.7&verbose", ABKEY)
    d = r.json()["data"] if r.status == 200 else {}
    ok(r.status == 200 and d["abuseConfidenceScore"] >= 50 and
       d["totalReports"] > 0 and isinstance(d.get("reports"), list) and
       "countryName" in d,
       "AbuseIPDB verbose, malicious test net -> reports", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=2001:4860:4860::8888", ABKEY)
    ok(r.status == 200 and r.json()["data"]["ipVersion"] == 6,
       "AbuseIPDB IPv6", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=not-an-ip", ABKEY)
    ok(r.status == 422 and r.json() == {"errors": [{
        "detail": "The ip address must be a valid IPv4 or IPv6 address "
        "(e.g. 8.8.8.8 or 2001:4860:4860::8888).", "status": 422,
        "source": {"parameter": "ipAddress"}}]},
        "AbuseIPDB invalid ip -> 422 with the real body", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=8.8.8.8&maxAgeInDays=999",
            ABKEY)
    ok(r.status == 422 and r.json()["errors"][0]["source"]["parameter"] ==
       "maxAgeInDays", "AbuseIPDB maxAgeInDays=999 -> 422", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=8.8.8.8")
    ok(r.status == 401 and r.json()["errors"][0]["status"] == 401 and
       r.json()["errors"][0]["detail"].startswith("Authentication failed."),
       "AbuseIPDB without Key -> 401", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=8.8.8.8", {"Key": "bad"})
    ok(r.status == 401, "AbuseIPDB Key: bad -> 401", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=8.8.8.8",
            {"Key": "status429"})
    ok(r.status == 429 and r.headers.get("Retry-After") == "7",
       "AbuseIPDB Key: status429 (behaviour word as API key) -> 429", r)
    r = req("/abuseipdb/api/v2/check?ipAddress=8.8.8.8",
            {"Key": "changeme-reset"})
    ok(r.status == 200, "an ordinary API key is not a behaviour word", r)

    # ---- URLhaus ----------------------------------------------------------
    r = req("/urlhaus/v1/url/", UHKEY,
            form={"url": "http://malicious.example.com/bins/x.arm"})
    j = r.json() or {}
    ok(r.status == 200 and j.get("query_status") == "ok" and
       j["url"] == "http://malicious.example.com/bins/x.arm" and
       j["host"] == "malicious.example.com" and
       j["urlhaus_reference"] == "https://urlhaus.abuse.ch/url/%s/" % j["id"]
       and j["url_status"] in ("online", "offline") and
       j["date_added"].endswith(" UTC") and
       j["blacklists"] == {"spamhaus_dbl": "not listed",
                           "surbl": "not listed"} and
       j["threat"] == "malware_download" and j["tags"] == ["elf", "mirai"]
       and isinstance(j["payloads"], list) and "larted" in j and
       "takedown_time_seconds" in j and "reporter" in j,
       "URLhaus url/ -> ok with every field", r)
    r = req("/urlhaus/v1/url/", UHKEY,
            form={"url": "http://clean.example.com/"})
    ok(r.status == 200 and r.json() == {"query_status": "no_results"},
       "URLhaus url/ unknown -> 200 no_results", r)
    r = req("/urlhaus/v1/url/", UHKEY, form={"url": "not a url"})
    ok(r.status == 200 and r.json() == {"query_status": "invalid_url"},
       "URLhaus url/ invalid -> 200 invalid_url", r)
    r = req("/urlhaus/v1/host/", UHKEY, form={"host": "malicious.example.org"})
    j = r.json() or {}
    ok(r.status == 200 and j.get("query_status") == "ok" and
       j["host"] == "malicious.example.org" and j["url_count"] == "2" and
       len(j["urls"]) == 2 and "firstseen" in j and "blacklists" in j and
       j["urlhaus_reference"].startswith("https://urlhaus.abuse.ch/host/"),
       "URLhaus host/ -> ok with urls", r)
    r = req("/urlhaus/v1/host/", UHKEY, form={"host": "203.0.113.5"})
    ok(r.status == 200 and r.json()["query_status"] == "ok",
       "URLhaus host/ with a malicious-test-net IP -> ok", r)
    r = req("/urlhaus/v1/host/", UHKEY, form={"host": "clean.example.org"})
    ok(r.status == 200 and r.json() == {"query_status": "no_results"},
       "URLhaus host/ unknown -> no_results", r)
    r = req("/urlhaus/v1/host/", UHKEY, form={"host": "bad host/x"})
    ok(r.status == 200 and r.json() == {"query_status": "invalid_host"},
       "URLhaus host/ invalid -> invalid_host", r)
    # find a listed and an unlisted hash (the verdict is a hash mod 10)
    listed = unlisted = None
    for i in range(60):
        md5 = hashlib.md5(str(i).encode()).hexdigest()
        j = req("/urlhaus/v1/payload/", UHKEY, form={"md5_hash": md5}).json()
        if j["query_status"] == "ok" and listed is None:
            listed = (md5, j)
        elif j["query_status"] == "no_results" and unlisted is None:
            unlisted = md5
        if listed and unlisted:
            break
    j = listed[1] if listed else {}
    ok(listed and j["md5_hash"] == listed[0] and len(j["sha256_hash"]) == 64
       and all(k in j for k in ("file_type", "file_size", "signature",
                                "firstseen", "lastseen", "url_count",
                                "urls")) and j["url_count"] == "1",
       "URLhaus payload/ md5_hash -> ok with every field", j)
    ok(unlisted is not None, "URLhaus payload/ unknown hash -> no_results")
    r = req("/urlhaus/v1/payload/", UHKEY,
            form={"sha256_hash": listed[1]["sha256_hash"]})
    ok(r.status == 200 and r.json()["query_status"] in ("ok", "no_results"),
       "URLhaus payload/ sha256_hash", r)
    r = req("/urlhaus/v1/payload/", UHKEY, form={"md5_hash": "xyz"})
    ok(r.json() == {"query_status": "invalid_md5_hash"},
       "URLhaus payload/ bad md5 -> invalid_md5_hash", r)
    r = req("/urlhaus/v1/payload/", UHKEY, form={"sha256_hash": "abc"})
    ok(r.json() == {"query_status": "invalid_sha256_hash"},
       "URLhaus payload/ bad sha256 -> invalid_sha256_hash", r)
    r = req("/urlhaus/v1/url/", form={"url": "http://x.example/"})
    ok(r.status == 401 and r.json() == {"query_status": "unknown_auth_key"},
       "URLhaus without Auth-Key -> 401 unknown_auth_key", r)
    r = req("/urlhaus/v1/url/", {"Auth-Key": "bad"},
            form={"url": "http://x.example/"})
    ok(r.status == 401, "URLhaus Auth-Key: bad -> 401", r)
    r = req("/urlhaus/v1/url/", UHKEY)
    ok(r.status == 405 and r.json()["query_status"] == "http_post_expected",
       "URLhaus GET -> 405 http_post_expected", r)

    # ---- generic ----------------------------------------------------------
    r = req("/generic/hello.example")
    ok(r.status == 200 and r.json() == {"indicator": "hello.example",
                                        "source": "generic", "delayMs": 0},
       "generic echo", r)
    t = time.monotonic()
    r = req("/generic/abc?delay_ms=200")
    dt = time.monotonic() - t
    ok(r.status == 200 and r.json()["delayMs"] == 200 and 0.19 <= dt < 1.0,
       "generic ?delay_ms=200 sleeps 200 ms (%.2f s)" % dt, r)

    # ---- behaviour words, on every API ------------------------------------
    for name, probe in PROBES:
        r = probe("status401")
        ok(r.status == 401 and ERR401[name](r.json()),
           "%s: status401 -> 401 with the API's body" % name, r)
        r = probe("status403")
        ok(r.status == 403 and r.json() is not None,
           "%s: status403 -> 403" % name, r)
        r = probe("status404")
        ok(r.status == 404 and ERR404[name](r.json()),
           "%s: status404 -> 404 with the API's not-found body" % name, r)
        r = probe("status500")
        ok(r.status == 500 and r.json() == {"error": "internal"},
           "%s: status500 -> 500 {\"error\":\"internal\"}" % name, r)
        r = probe("status503")
        ok(r.status == 503, "%s: status503 -> 503" % name, r)
        r = probe("status429")
        ok(r.status == 429 and r.headers.get("Retry-After") == "7" and
           ERR429[name](r.json()),
           "%s: status429 -> 429, Retry-After: 7, JSON body" % name, r)
        r = probe("STATUS429S")
        ok(r.status == 429 and r.headers.get("Retry-After") is None and
           r.json() is not None,
           "%s: status429s (any case) -> 429 without Retry-After" % name, r)
        t = time.monotonic()
        r = probe("slow250")
        dt = time.monotonic() - t
        ok(r.status in (200, 422) and r.json() is not None and
           0.24 <= dt < 1.5,
           "%s: slow250 -> normal answer after 250 ms (%.2f s)" % (name, dt),
           r)
        r = probe("garbage")
        ok(r.status == 200 and
           r.headers["Content-Type"] == "application/json" and
           r.body and r.json() is None,
           "%s: garbage -> 200 application/json, not JSON" % name, r)
        r = probe("empty")
        ok(r.status == 200 and r.body == b"" and
           r.headers["Content-Length"] == "0",
           "%s: empty -> 200 with an empty body" % name, r)
    r = vt("slow250-status503")
    ok(r.status == 503, "slow250 combines with status503", r)
    r = req("/urlhaus/v1/payload/", UHKEY, form={"md5_hash": "status500"})
    ok(r.status == 500, "behaviour word in a URLhaus form field", r)
    r = req("/virustotal/api/v3/urls/" +
            vt_url_id("http://example.com/?a=Status404"), VTKEY)
    ok(r.status == 404 and r.json()["error"]["code"] == "NotFoundError",
       "behaviour word inside a decoded VT url id", r)

    def expect_timeout(probe):
        t = time.monotonic()
        try:
            r = probe()
            return False, "answered: %r" % (r,)
        except (socket.timeout, TimeoutError) as e:
            return 0.9 <= time.monotonic() - t < 3, repr(e)
        except urllib.error.URLError as e:
            return isinstance(e.reason, (socket.timeout, TimeoutError)), \
                repr(e)

    check("hang: a client with a 1 s timeout times out (generic)",
          lambda: expect_timeout(lambda: req("/generic/hang", timeout=1)))
    check("hang: VT domain times out",
          lambda: expect_timeout(lambda: req(
              "/virustotal/api/v3/domains/hang.example", VTKEY, timeout=1)))

    def expect_reset(probe):
        try:
            r = probe()
            return False, "answered: %r" % (r,)
        except (ConnectionError, http.client.RemoteDisconnected) as e:
            return True, repr(e)
        except urllib.error.URLError as e:
            return isinstance(e.reason, (ConnectionError, OSError)), repr(e)

    for name, probe in PROBES:
        check("%s: reset -> connection error" % name,
              lambda: expect_reset(lambda: probe("reset")))

    def raw_reset():
        # The RST must arrive: a raw socket sees ECONNRESET, not EOF.
        s = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])),
                                     timeout=5)
        s.sendall(b"GET /generic/reset HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(100)
            return False, "got %r instead of an RST" % data
        except ConnectionResetError as e:
            return True, repr(e)
        finally:
            s.close()
    check("reset sends an RST (SO_LINGER 0)", raw_reset)

    def expect_incomplete(probe):
        r = urllib.request.Request(BASE + probe[0], data=probe[2],
                                   headers=probe[1])
        with urllib.request.urlopen(r, timeout=5) as f:
            if f.headers["Content-Length"] != "1000":
                return False, dict(f.headers)
            try:
                body = f.read()
                return False, "read %d bytes" % len(body)
            except http.client.IncompleteRead as e:
                return len(e.partial) == 100, repr(e)

    for name, p in [
            ("virustotal", ("/virustotal/api/v3/domains/truncated.example",
                            VTKEY, None)),
            ("abuseipdb", ("/abuseipdb/api/v2/check?ipAddress=truncated",
                           ABKEY, None)),
            ("urlhaus", ("/urlhaus/v1/host/", UHKEY,
                         b"host=truncated.example")),
            ("generic", ("/generic/truncated", {}, None))]:
        check("%s: truncated -> IncompleteRead after 100 of 1000 bytes"
              % name, lambda: expect_incomplete(p))

    def huge(path, headers):
        t = time.monotonic()
        r = urllib.request.Request(BASE + path, headers=headers)
        f = urllib.request.urlopen(r, timeout=10)
        try:
            ok_ = (f.status == 200 and
                   f.headers["Content-Type"] == "application/json" and
                   f.headers["Content-Length"] == str(50 * 1024 * 1024))
            data = f.read(1024 * 1024)
            ok_ = ok_ and len(data) == 1024 * 1024 and data[:1] == b'"'
        finally:
            f.close()
        return ok_, "%.2f s" % (time.monotonic() - t)
    check("generic: huge -> 50 MB JSON string, read 1 MB and close",
          lambda: huge("/generic/huge", {}))
    check("virustotal: huge -> read 1 MB and close",
          lambda: huge("/virustotal/api/v3/domains/huge.example", VTKEY))

    def huge_whole():
        f = urllib.request.urlopen(BASE + "/generic/huge", timeout=20)
        n = 0
        first = last = b""
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            if not n:
                first = b[:1]
            last = b[-1:]
            n += len(b)
        f.close()
        return n == 50 * 1024 * 1024 and first == last == b'"', n
    check("huge: the whole 50 MB body arrives, a valid JSON string",
          huge_whole)
    r = req("/_health")
    ok(r.status == 200, "server still healthy after abused connections", r)

    # ---- keep-alive -------------------------------------------------------
    def keepalive():
        c = http.client.HTTPConnection("127.0.0.1",
                                       int(BASE.rsplit(":", 1)[1]),
                                       timeout=5)
        c.request("GET", "/generic/one")
        r1 = c.getresponse()
        r1.read()
        sock1 = c.sock
        c.request("GET", "/virustotal/api/v3/domains/two.example",
                  headers=VTKEY)
        r2 = c.getresponse()
        b2 = r2.read()
        same = c.sock is sock1 and sock1 is not None
        c.close()
        return (r1.version == 11 and same and r2.status == 200 and
                json.loads(b2)["data"]["id"] == "two.example",
                "same socket: %s" % same)
    check("HTTP/1.1 keep-alive: two requests on one connection", keepalive)

    # ---- concurrency ------------------------------------------------------
    def concurrent(n=300, word="slow1000"):
        results = [None] * n
        barrier = threading.Barrier(n + 1)

        def one(i):
            barrier.wait()
            try:
                r = req("/generic/%s-%d" % (word, i), timeout=10)
                results[i] = r.status == 200 and r.json()["delayMs"] == 1000
            except Exception as e:
                results[i] = e
        ts = [threading.Thread(target=one, args=(i,), daemon=True)
              for i in range(n)]
        for th in ts:
            th.start()
        barrier.wait()
        t = time.monotonic()
        for th in ts:
            th.join(15)
        dt = time.monotonic() - t
        bad = [x for x in results if x is not True]
        return (not bad and dt < 3.0,
                "%.2f s, %d failures, e.g. %r" % (dt, len(bad), bad[:3]))
    t0 = time.monotonic()
    check("300 concurrent slow1000 requests finish in under 3 s",
          concurrent)
    print("# 300 x slow1000 took %.2f s" % (time.monotonic() - t0))

    # ---- stats ------------------------------------------------------------
    req("/_reset", method="POST")
    for _ in range(3):
        req("/virustotal/api/v3/domains/x.example", VTKEY)
    req("/abuseipdb/api/v2/check?ipAddress=1.1.1.1", ABKEY)
    req("/urlhaus/v1/url/", UHKEY, form={"url": "http://x.example/"})
    req("/generic/a", {})
    try:
        req("/generic/hang-stats", timeout=0.3)
    except Exception:
        pass
    j = req("/_stats").json()
    ok(j["total"] == 7 and j["paths"] == {
        "/virustotal/api/v3/domains/x.example": 3,
        "/abuseipdb/api/v2/check": 1, "/urlhaus/v1/url/": 1,
        "/generic/a": 1, "/generic/hang-stats": 1},
        "/_stats counts every request by path (hung ones too)", j)
    req("/_reset", method="POST")
    j = req("/_stats").json()
    ok(j["total"] == 0 and j["paths"] == {}, "/_reset clears counters", j)
    check("log file was written", lambda: os.path.getsize(logfile) > 0)
    ok(proc.poll() is None, "server still running at the end")


if __name__ == "__main__":
    sys.exit(main())
