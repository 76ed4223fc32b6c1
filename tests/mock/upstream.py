#!/usr/bin/python3
"""tests/mock/upstream.py -- a mock of the threat-intelligence APIs iocagg
queries (VirusTotal v3, AbuseIPDB v2, URLhaus v1, plus a generic echo
endpoint), for integration tests and benchmarks on machines without
internet access.  Python 3 standard library only.

    upstream.py --port N [--host 127.0.0.1] [--pidfile FILE] [--log FILE]

"--port 0" picks a free port; the first line on stdout is always
"port=N".  See tests/mock/README.md for the endpoints and the behaviour
words (status500, slow250, hang, reset, ...) that make it misbehave.
"""

import argparse
import base64
import binascii
import hashlib
import ipaddress
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

# --------------------------------------------------------------------------
# Deterministic fake data

BASE_DATE = 1700000000          # 2023-11-14, for "last_analysis_date"
COUNTRIES = ["US", "DE", "NL", "FR", "GB", "RU", "CN", "BR", "SG", "JP"]
COUNTRY_NAMES = {
    "US": "United States of America", "DE": "Germany", "NL": "Netherlands",
    "FR": "France", "GB": "United Kingdom of Great Britain and Northern "
    "Ireland", "RU": "Russian Federation", "CN": "China", "BR": "Brazil",
    "SG": "Singapore", "JP": "Japan"}
AS_OWNERS = ["EXAMPLE-NET", "Hosting Example Ltd", "DigitalExample LLC",
             "Example Telecom", "CloudExample Inc", "Bulletproof Example"]
REGISTRARS = ["Example Registrar, Inc.", "NameExample LLC",
              "Registrar Example GmbH", "Cheap Names Example Ltd"]
USAGE_TYPES = ["Data Center/Web Hosting/Transit", "Fixed Line ISP",
               "Mobile ISP", "Commercial", "University/College/School"]
SIGNATURES = ["Mozi", "Mirai", "AgentTesla", "Emotet", "QakBot", None]
REPORTERS = ["abuse_ch", "geenensp", "lrz_urlhaus", "Cryptolaemus1"]

# Documentation networks with a fixed verdict, since an IP address cannot
# carry the "malicious" / "clean" words.
MALICIOUS_NETS = [ipaddress.ip_network("203.0.113.0/24"),
                  ipaddress.ip_network("2001:db8:bad::/48")]
CLEAN_NETS = [ipaddress.ip_network("192.0.2.0/24"),
              ipaddress.ip_network("2001:db8:c1ea::/48")]


def h64(value):
    """A stable 64-bit hash of a string."""
    return int.from_bytes(hashlib.sha256(value.encode("utf-8", "replace"))
                          .digest()[:8], "big")


def verdict(value, ip=None):
    """(score 0..9, hash) for an indicator: "malicious" >= 5, "clean" 0,
    otherwise hash mod 10."""
    h = h64(value)
    low = value.lower()
    if "malicious" in low or (ip is not None and
                              any(ip in n for n in MALICIOUS_NETS
                                  if n.version == ip.version)):
        return 5 + h % 5, h
    if "clean" in low or "benign" in low or (
            ip is not None and any(ip in n for n in CLEAN_NETS
                                   if n.version == ip.version)):
        return 0, h
    return h % 10, h


# IPv4 addresses cannot carry behaviour words: 198.18.0.N (RFC 2544
# benchmarking) stands for word N in the mocks that answer for IPs.
IP_WORDS = {1: "status429", 2: "status429s", 3: "garbage", 4: "slow3000",
            5: "status401", 6: "status500", 7: "hang", 8: "empty",
            9: "status404", 10: "status403", 11: "status503",
            12: "truncated"}


def ip_word(value):
    ip = parse_ip(value)
    if ip is None or ip.version != 4:
        return None
    o = str(ip).split(".")
    if o[:3] == ["198", "18", "0"]:
        return IP_WORDS.get(int(o[3]))
    return None


def is_notfound(value):
    return "notfound" in value.lower()


def is_clean(value, ip=None):
    """A deliberate miss: "clean"/"benign" in the value, or a clean
    test network.  Other values scoring 0 are known, without findings,
    so that any demo value answers something."""
    low = value.lower()
    return "clean" in low or "benign" in low or (
        ip is not None and any(ip in n for n in CLEAN_NETS
                               if n.version == ip.version))


def utc(ts):
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


def parse_ip(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


DOMAIN_RE = re.compile(
    r"^(?=.{1,253}\.?$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$", re.I)
HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
B64URL_RE = re.compile(r"^[A-Za-z0-9_-]+=*$")

# --------------------------------------------------------------------------
# Behaviour words

WORD_RE = re.compile(r"status(?:401|403|404|429s?|500|503)|slow(\d+)|hang|"
                     r"garbage|truncated|reset|huge|empty", re.I)
KEY_SPLIT_RE = re.compile(r"[\s,;+]+")
PRECEDENCE = ["hang", "reset", "truncated", "huge", "garbage", "empty",
              "status401", "status403", "status404", "status429s",
              "status429", "status500", "status503"]
HUGE_SIZE = 50 * 1024 * 1024


def find_words(values, keys=()):
    """The behaviour words in the indicator values (anywhere in them) and
    in API keys (only when the key is made of words, e.g. "status429")."""
    words, slow = set(), 0
    for v in values:
        if not v:
            continue
        for m in WORD_RE.finditer(v):
            w = m.group(0).lower()
            if m.group(1) is not None:
                slow = max(slow, int(m.group(1)))
            else:
                words.add(w)
    for k in keys:
        if not k:
            continue
        parts = [p for p in KEY_SPLIT_RE.split(k.strip()) if p]
        if parts and all(WORD_RE.fullmatch(p) for p in parts):
            for p in parts:
                m = WORD_RE.fullmatch(p)
                if m.group(1) is not None:
                    slow = max(slow, int(m.group(1)))
                else:
                    words.add(p.lower())
    return words, slow


# --------------------------------------------------------------------------
# Per-API error bodies

class Api:
    name = "generic"

    def e401(self):
        return {"error": "unauthorized"}

    def e403(self):
        return {"error": "forbidden"}

    def e404(self, what=""):
        return {"error": "not found"}

    def e429(self):
        return {"error": "rate limited"}

    def e503(self):
        return {"error": "service unavailable"}


class KeyedApi(Api):
    """An API whose error bodies are {key: message}: "messages" maps a
    status to its message; a status it lacks has the generic body."""

    def __init__(self, name, key, messages):
        self.name = name
        self.key = key
        self.messages = messages

    def error_body(self, status, generic):
        if status in self.messages:
            return {self.key: self.messages[status]}
        return generic

    def e401(self):
        return self.error_body(401, Api.e401(self))

    def e403(self):
        return self.error_body(403, Api.e403(self))

    def e404(self, what=""):
        return self.error_body(404, Api.e404(self, what))

    def e429(self):
        return self.error_body(429, Api.e429(self))

    def e503(self):
        return self.error_body(503, Api.e503(self))


def abusech_start(req, api, rest, need_key=True):
    """The common start of an abuse.ch API call (a POST form to the API
    root, the key in the Auth-Key header): behaviour words, then 401 for
    the key "bad" (or none, with "need_key"), 404 for another path and
    405 for another method.  True when that answered the call."""
    key = req.headers.get("Auth-Key")
    done, _ = req.behave(api, req.form_values() + req.query_values(), [key])
    if done:
        return True
    if key == "bad" or (need_key and not key):
        req.send_json(401, api.e401())
    elif rest.strip("/") != "":
        req.send_json(404, {"query_status": "unknown_endpoint"})
    elif req.command != "POST":
        req.send_json(405, {"query_status": "http_post_expected"},
                      headers=[("Allow", "POST")])
    else:
        return False
    return True


class VtApi(Api):
    name = "virustotal"

    def e401(self):
        return {"error": {"code": "WrongCredentialsError",
                          "message": "Wrong API key"}}

    def e403(self):
        return {"error": {"code": "ForbiddenError",
                          "message": "You are not allowed to perform the "
                          "requested operation"}}

    def e404(self, what="Resource"):
        return {"error": {"code": "NotFoundError",
                          "message": "%s not found" % what}}

    def e429(self):
        return {"error": {"code": "QuotaExceededError",
                          "message": "Quota exceeded"}}

    def e503(self):
        return {"error": {"code": "TransientError",
                          "message": "Service unavailable, try again"}}


def abuse_err(status, detail, parameter=None):
    e = {"detail": detail, "status": status}
    if parameter:
        e["source"] = {"parameter": parameter}
    return {"errors": [e]}


class AbuseApi(Api):
    name = "abuseipdb"

    def e401(self):
        return abuse_err(401, "Authentication failed. Your API key is either "
                         "missing, incorrect, or revoked. Note: The APIv2 "
                         "key differs from the APIv1 key.")

    def e403(self):
        return abuse_err(403, "Forbidden. Your account does not have access "
                         "to this endpoint.")

    def e404(self, what="Resource"):
        return abuse_err(404, "%s not found." % what)

    def e429(self):
        return abuse_err(429, "Daily rate limit of 1000 requests exceeded "
                         "for this endpoint. See headers for additional "
                         "details.")

    def e503(self):
        return abuse_err(503, "Service temporarily unavailable.")


class UrlhausApi(Api):
    name = "urlhaus"

    def e401(self):
        return {"query_status": "unknown_auth_key"}

    def e403(self):
        return {"query_status": "forbidden"}

    def e404(self, what=""):
        return {"query_status": "no_results"}

    def e429(self):
        return {"query_status": "rate_limited"}

    def e503(self):
        return {"query_status": "service_unavailable"}


GENERIC, VT, ABUSE, URLHAUS = Api(), VtApi(), AbuseApi(), UrlhausApi()

# --------------------------------------------------------------------------
# Server state

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.total = 0
            self.paths = {}
            self.inflight = getattr(self, "inflight", 0)
            self.max_inflight = self.inflight

    def hit(self, path):
        with self.lock:
            self.total += 1
            self.paths[path] = self.paths.get(path, 0) + 1

    def enter(self):
        with self.lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)

    def leave(self):
        with self.lock:
            self.inflight -= 1

    def snapshot(self):
        with self.lock:
            return {"total": self.total, "paths": dict(self.paths),
                    "inflight": self.inflight,
                    "maxInflight": self.max_inflight}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, addr, handler, logfile=None):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, handler)
        self.stats = Stats()
        self.logfile = logfile
        self.loglock = threading.Lock()
        self.url_ids = {}               # sha256(url) -> url, for VT urls/
        self.url_ids_lock = threading.Lock()

    def log(self, line):
        if self.logfile is None:
            return
        with self.loglock:
            try:
                self.logfile.write(line + "\n")
                self.logfile.flush()
            except (OSError, ValueError):
                pass

    def handle_error(self, request, client_address):
        # Quiet: clients hanging up early is part of the game.
        exc = sys.exc_info()[1]
        self.log("error from %s: %r" % (client_address, exc))


class Gone(Exception):
    """The client went away (or we hung up on it on purpose)."""


# --------------------------------------------------------------------------
# The handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle on
    # a kept-alive connection holds the body for the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "iocagg-mock/1.0"
    sys_version = ""
    timeout = 300                   # idle keep-alive connections

    # ---- plumbing -------------------------------------------------------

    def version_string(self):
        return self.server_version

    def handle(self):
        try:
            super().handle()
        except (Gone, ConnectionError, BrokenPipeError, socket.timeout,
                OSError, ValueError):
            self.close_connection = True

    def log_message(self, fmt, *args):
        self.server.log("%s - [%s] %s" % (self.address_string(),
                                          self.log_date_time_string(),
                                          fmt % args))

    def send_error(self, code, message=None, explain=None):
        # Used by BaseHTTPRequestHandler for malformed requests and
        # unsupported methods: answer in JSON too.
        try:
            self.close_connection = True
            self.send_json(code, {"error": message or "error"},
                           headers=[("Connection", "close")])
        except OSError:
            pass

    def send_raw(self, code, body, ctype="application/json",
                 headers=(), length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length",
                         str(len(body) if length is None else length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, code, obj, headers=()):
        self.send_raw(code, json.dumps(obj).encode(), headers=headers)

    def json_body(self):
        """The request's JSON body (dispatch() keeps it in self.body), or
        None when it is not JSON."""
        try:
            return json.loads((self.body or b"").decode("utf-8"))
        except ValueError:
            return None

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            out = bytearray()
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise Gone()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n",
                                                             b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline(65537)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def wait(self, seconds):
        """Sleep, but give up early (raise Gone) when the client hangs up,
        so that abandoned "hang"/"slow" requests free their thread."""
        end = time.monotonic() + seconds
        p = select.poll()
        mask = select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0)
        try:
            p.register(self.connection, mask)
        except (OSError, ValueError):
            raise Gone()
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            try:
                ev = p.poll(min(left, 60.0) * 1000)
            except InterruptedError:
                continue
            if not ev:
                continue
            flags = ev[0][1]
            if flags & (select.POLLERR | select.POLLHUP | select.POLLNVAL |
                        getattr(select, "POLLRDHUP", 0)):
                raise Gone()
            try:
                data = self.connection.recv(1, socket.MSG_PEEK |
                                            socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                raise Gone()
            if not data:
                raise Gone()
            # A pipelined request is waiting: just sleep the rest.
            time.sleep(max(0.0, end - time.monotonic()))
            return

    def hangup_rst(self):
        """Close the connection with an RST, without any response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except (OSError, ValueError):
                pass
        try:
            self.connection.close()
        except OSError:
            pass
        raise Gone()

    # ---- dispatch --------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        parts = urlsplit(self.path)
        path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        body = self.read_body()
        self.body = body
        self.form = {}
        if body:
            try:
                self.form = parse_qs(body.decode("utf-8", "replace"),
                                     keep_blank_values=True)
            except ValueError:
                self.form = {}

        if path == "/_health":
            return self.send_raw(200, b"ok", ctype="text/plain")
        if path == "/_stats":
            return self.send_json(200, self.server.stats.snapshot())
        if path == "/_reset":
            if self.command != "POST":
                return self.send_json(405, {"error": "use POST"},
                                      headers=[("Allow", "POST")])
            self.server.stats.reset()
            return self.send_json(200, {"reset": True})

        self.server.stats.hit(path)
        self.server.stats.enter()
        try:
            if path.startswith("/virustotal/api/v3/"):
                self.virustotal(path[len("/virustotal/api/v3/"):])
            elif path.startswith("/abuseipdb/api/v2/"):
                self.abuseipdb(path[len("/abuseipdb/api/v2/"):])
            elif path.startswith("/urlhaus/v1/"):
                self.urlhaus(path[len("/urlhaus/v1/"):])
            elif path.startswith("/generic/"):
                self.generic(path[len("/generic/"):])
            else:
                for prefix, mod in API_MODULES:
                    if path.startswith(prefix):
                        mod.handle(self, path[len(prefix):])
                        break
                else:
                    self.send_json(404, {"error": "no such endpoint: %s" %
                                         path})
        finally:
            self.server.stats.leave()

    def first(self, d, name, default=None):
        v = d.get(name)
        return v[0] if v else default

    def query_values(self):
        return [x for vs in self.query.values() for x in vs]

    def form_values(self):
        return [x for vs in self.form.values() for x in vs]

    # ---- behaviour words --------------------------------------------------

    def behave(self, api, values, keys=(), extra_delay_ms=0):
        """Apply the behaviour words found in values.  Returns (handled,
        delay_ms): handled is True when a response (or a deliberate
        non-response) has been produced already."""
        words, slow = find_words(values, keys)
        delay = slow + extra_delay_ms
        if delay > 0:
            self.wait(delay / 1000.0)
        for w in PRECEDENCE:
            if w in words:
                self.misbehave(api, w)
                return True, delay
        return False, delay

    def misbehave(self, api, w):
        if w == "hang":
            self.wait(3600)
            raise Gone()
        if w == "reset":
            self.hangup_rst()
        if w == "truncated":
            self.close_connection = True
            part = b'{"data":{"id":"truncated","attributes":{"padding":"'
            part += b"x" * (100 - len(part))
            self.send_raw(200, part, length=1000,
                          headers=[("Connection", "close")])
            self.wfile.flush()
            raise Gone()
        if w == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(HUGE_SIZE))
            self.end_headers()
            if self.command == "HEAD":
                return
            chunk = b"x" * 65536
            self.wfile.write(b'"')
            left = HUGE_SIZE - 2
            while left > 0:
                n = min(left, len(chunk))
                self.wfile.write(chunk[:n] if n < len(chunk) else chunk)
                left -= n
            self.wfile.write(b'"')
            return
        if w == "garbage":
            return self.send_raw(200, b"<html>oops, this is not JSON "
                                 b"{\"data\": </html>\n")
        if w == "empty":
            return self.send_raw(200, b"")
        if w == "status401":
            return self.send_json(401, api.e401())
        if w == "status403":
            return self.send_json(403, api.e403())
        if w == "status404":
            return self.send_json(404, api.e404())
        if w == "status429":
            return self.send_json(429, api.e429(),
                                  headers=[("Retry-After", "7")])
        if w == "status429s":
            return self.send_json(429, api.e429())
        if w == "status500":
            return self.send_json(500, {"error": "internal"})
        if w == "status503":
            return self.send_json(503, api.e503())
        raise AssertionError(w)

    # ---- VirusTotal v3 ------------------------------------------------------

    def virustotal(self, rest):
        segs = rest.split("/")
        kind = segs[0]
        value = unquote(segs[1]) if len(segs) > 1 else ""
        key = self.headers.get("x-apikey")
        values = [value] + self.query_values()
        decoded = None
        if kind == "urls" and len(segs) == 2:
            decoded = self.vt_decode_url(value)
            if decoded is not None:
                values.append(decoded)
        done, _ = self.behave(VT, values, [key])
        if done:
            return
        if not key or key == "bad":
            return self.send_json(401, VT.e401())
        if self.command not in ("GET", "HEAD"):
            return self.send_json(405, {"error": {
                "code": "MethodNotAllowedError",
                "message": "Method %s not allowed" % self.command}})
        if len(segs) != 2 or not value:
            return self.send_json(404, VT.e404("Resource"))
        if kind == "ip_addresses":
            self.vt_ip(value)
        elif kind == "domains":
            self.vt_domain(value)
        elif kind == "urls":
            self.vt_url(value, decoded)
        elif kind == "files":
            self.vt_file(value)
        else:
            self.send_json(404, VT.e404("Resource"))

    def vt_decode_url(self, ident):
        if len(ident) == 64 and HEX_RE.match(ident):
            with self.server.url_ids_lock:
                return self.server.url_ids.get(ident.lower())
        if not B64URL_RE.match(ident):
            return None
        raw = ident.rstrip("=")
        if len(raw) % 4 == 1:
            return None
        try:
            url = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            url = url.decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        if not url or any(c.isspace() or not c.isprintable() for c in url):
            return None
        with self.server.url_ids_lock:
            if len(self.server.url_ids) < 100000:
                self.server.url_ids[
                    hashlib.sha256(url.encode()).hexdigest()] = url
        return url

    @staticmethod
    def vt_stats(score, h, total=90, file=False):
        suspicious = 0 if score == 0 else (h >> 8) % 3
        harmless = 0 if file else 55 + (h >> 16) % 10 - score
        undetected = total - score - suspicious - harmless
        s = {"harmless": harmless, "malicious": score,
             "suspicious": suspicious, "undetected": undetected,
             "timeout": 0}
        if file:
            s.update({"confirmed-timeout": 0, "failure": 0,
                      "type-unsupported": 4})
            s["undetected"] -= 4
        return s

    @staticmethod
    def vt_common(score, h):
        return {"reputation": (4 - score) * 7,
                "last_analysis_date": BASE_DATE + h % 20000000,
                "last_modification_date": BASE_DATE + h % 20000000 + 3600,
                "total_votes": {"harmless": (h >> 24) % 5,
                                "malicious": score // 2},
                "tags": []}

    def vt_send(self, ident, typ, collection, attrs):
        self.send_json(200, {"data": {
            "id": ident, "type": typ,
            "links": {"self": "https://www.virustotal.com/api/v3/%s/%s"
                      % (collection, ident)},
            "attributes": attrs}})

    def vt_ip(self, value):
        ip = parse_ip(value)
        if ip is None:
            return self.send_json(400, {"error": {
                "code": "InvalidArgumentError",
                "message": "%s is not a valid IP address" % value}})
        ident = str(ip)
        score, h = verdict(ident, ip)
        attrs = self.vt_common(score, h)
        cc = COUNTRIES[h % len(COUNTRIES)]
        attrs.update({
            "last_analysis_stats": self.vt_stats(score, h),
            "country": cc, "continent": "EU" if cc in
            ("DE", "NL", "FR", "GB", "RU") else "NA",
            "as_owner": AS_OWNERS[(h >> 4) % len(AS_OWNERS)],
            "asn": 64496 + (h >> 12) % 15,
            "network": (str(ipaddress.ip_network("%s/%d" % (
                ident, 24 if ip.version == 4 else 48), strict=False))),
            "regional_internet_registry": "RIPE NCC",
        })
        self.vt_send(ident, "ip_address", "ip_addresses", attrs)

    def vt_domain(self, value):
        dom = value.lower().rstrip(".")
        if not DOMAIN_RE.match(dom):
            return self.send_json(400, {"error": {
                "code": "InvalidArgumentError",
                "message": "Domain \"%s\" is not a valid domain pattern"
                % value}})
        if is_notfound(dom):
            return self.send_json(404, VT.e404("Domain \"%s\"" % dom))
        score, h = verdict(dom)
        attrs = self.vt_common(score, h)
        attrs.update({
            "last_analysis_stats": self.vt_stats(score, h),
            "registrar": REGISTRARS[h % len(REGISTRARS)],
            "creation_date": BASE_DATE - 86400 * (h % 5000),
            "tld": dom.rsplit(".", 1)[-1],
            "categories": {"Forcepoint ThreatSeeker":
                           "malicious web sites" if score >= 5
                           else "information technology"},
            "last_dns_records": [{"type": "A", "ttl": 300, "value":
                                  "198.51.100.%d" % (h % 254 + 1)}],
        })
        self.vt_send(dom, "domain", "domains", attrs)

    def vt_url(self, ident, url):
        if url is None:
            if len(ident) == 64 and HEX_RE.match(ident):
                return self.send_json(404, VT.e404("URL \"%s\"" % ident))
            return self.send_json(400, {"error": {
                "code": "InvalidArgumentError",
                "message": "Unable to canonicalize url; \"%s\" is not a "
                "valid URL identifier" % ident}})
        if is_notfound(url):
            return self.send_json(404, VT.e404("URL \"%s\"" % ident))
        score, h = verdict(url)
        sha = hashlib.sha256(url.encode()).hexdigest()
        attrs = self.vt_common(score, h)
        attrs.update({
            "last_analysis_stats": self.vt_stats(score, h),
            "url": url, "last_final_url": url,
            "title": "Example page",
            "last_http_response_code": 200,
            "last_http_response_content_length": 1000 + h % 100000,
            "times_submitted": 1 + h % 50,
            "first_submission_date": BASE_DATE - 86400 * (h % 900),
        })
        self.vt_send(sha, "url", "urls", attrs)

    def vt_file(self, value):
        v = value.lower()
        if not (HEX_RE.match(v) and len(v) in (32, 40, 64)):
            return self.send_json(404, VT.e404("File \"%s\"" % value))
        score, h = verdict(v)
        md5 = v if len(v) == 32 else hashlib.md5(v.encode()).hexdigest()
        sha1 = v if len(v) == 40 else hashlib.sha1(v.encode()).hexdigest()
        sha256 = v if len(v) == 64 else hashlib.sha256(v.encode()).hexdigest()
        name = "sample_%s.exe" % sha256[:8]
        attrs = self.vt_common(score, h)
        attrs.update({
            "last_analysis_stats": self.vt_stats(score, h, total=76,
                                                 file=True),
            "md5": md5, "sha1": sha1, "sha256": sha256,
            "meaningful_name": name, "names": [name],
            "size": 1024 + h % 5000000,
            "type_description": "Win32 EXE", "type_tag": "peexe",
            "type_extension": "exe",
            "first_submission_date": BASE_DATE - 86400 * (h % 900),
        })
        self.vt_send(sha256, "file", "files", attrs)

    # ---- AbuseIPDB v2 -------------------------------------------------------

    def abuseipdb(self, rest):
        params = dict(self.query)
        for k, v in self.form.items():
            params.setdefault(k, v)
        key = self.headers.get("Key")
        values = [x for vs in params.values() for x in vs]
        done, _ = self.behave(ABUSE, values, [key])
        if done:
            return
        if not key or key == "bad":
            return self.send_json(401, ABUSE.e401())
        if rest.rstrip("/") != "check":
            return self.send_json(404, ABUSE.e404("Endpoint"))
        if self.command not in ("GET", "HEAD", "POST"):
            return self.send_json(405, abuse_err(405, "Method not allowed."))
        addr = self.first(params, "ipAddress")
        if addr is None or addr == "":
            return self.send_json(422, abuse_err(
                422, "The ip address field is required.", "ipAddress"))
        ip = parse_ip(addr)
        if ip is None:
            return self.send_json(422, abuse_err(
                422, "The ip address must be a valid IPv4 or IPv6 address "
                "(e.g. 8.8.8.8 or 2001:4860:4860::8888).", "ipAddress"))
        age = self.first(params, "maxAgeInDays", "30")
        try:
            age = int(age)
            if not 1 <= age <= 365:
                raise ValueError
        except ValueError:
            return self.send_json(422, abuse_err(
                422, "The max age in days must be between 1 and 365.",
                "maxAgeInDays"))
        verbose = "verbose" in params
        ident = str(ip)
        special = any(ip in n for n in MALICIOUS_NETS + CLEAN_NETS
                      if n.version == ip.version)
        public = ip.is_global or special
        score, h = verdict(ident, ip)
        if not public:
            score = 0
        confidence = 0 if score == 0 else min(100, score * 10 + (h >> 5) % 10
                                                if score < 9 else 100)
        reports = 0 if score == 0 else score * 7 + (h >> 7) % 40
        users = 0 if reports == 0 else 1 + reports // 3
        cc = COUNTRIES[h % len(COUNTRIES)] if public else None
        last = BASE_DATE + h % 20000000
        data = {
            "ipAddress": ident,
            "isPublic": public,
            "ipVersion": ip.version,
            "isWhitelisted": False if public else None,
            "abuseConfidenceScore": confidence,
            "countryCode": cc,
            "usageType": USAGE_TYPES[(h >> 3) % len(USAGE_TYPES)]
            if public else "Reserved",
            "isp": AS_OWNERS[(h >> 4) % len(AS_OWNERS)] if public else None,
            "domain": "example-isp-%d.net" % ((h >> 9) % 100)
            if public else None,
            "hostnames": [],
            "isTor": (h >> 11) % 23 == 0 and public,
            "totalReports": reports,
            "numDistinctUsers": users,
            "lastReportedAt": iso(last) if reports else None,
        }
        if verbose:
            data["countryName"] = COUNTRY_NAMES.get(cc) if cc else None
            data["reports"] = [{
                "reportedAt": iso(last - 3600 * i),
                "comment": "SSH brute force attempt (mock report %d)" % i,
                "categories": [18, 22],
                "reporterId": 1000 + i,
                "reporterCountryCode": "US",
                "reporterCountryName": COUNTRY_NAMES["US"],
            } for i in range(min(reports, 3))]
        self.send_json(200, {"data": data}, headers=[
            ("X-RateLimit-Limit", "1000"),
            ("X-RateLimit-Remaining", "999")])

    # ---- URLhaus v1 ---------------------------------------------------------

    def urlhaus(self, rest):
        endpoint = rest.strip("/")
        key = self.headers.get("Auth-Key")
        values = self.form_values() + self.query_values()
        done, _ = self.behave(URLHAUS, values, [key])
        if done:
            return
        if not key or key == "bad":
            return self.send_json(401, URLHAUS.e401())
        if endpoint not in ("url", "host", "payload"):
            return self.send_json(404, {"query_status": "unknown_endpoint"})
        if self.command != "POST":
            return self.send_json(405, {"query_status": "http_post_expected"},
                                  headers=[("Allow", "POST")])
        getattr(self, "urlhaus_" + endpoint)()

    @staticmethod
    def uh_url_entry(url, h, i=0):
        uid = str(2000000 + (h + i) % 1000000)
        return {"id": uid,
                "urlhaus_reference": "https://urlhaus.abuse.ch/url/%s/" % uid,
                "url": url,
                "url_status": "online" if (h >> i) % 3 else "offline",
                "date_added": utc(BASE_DATE + (h + i) % 20000000),
                "threat": "malware_download",
                "reporter": REPORTERS[(h + i) % len(REPORTERS)],
                "larted": "true" if (h >> 2) % 2 else "false",
                "takedown_time_seconds": None,
                "tags": ["elf", "mirai"]}

    @staticmethod
    def uh_payload_entry(h):
        md5 = hashlib.md5(str(h).encode()).hexdigest()
        sha = hashlib.sha256(str(h).encode()).hexdigest()
        return {"firstseen": time.strftime("%Y-%m-%d",
                                           time.gmtime(BASE_DATE + h % 10**7)),
                "filename": "mock_%s.bin" % md5[:6],
                "file_type": "elf",
                "response_size": str(10000 + h % 100000),
                "response_md5": md5, "response_sha256": sha,
                "urlhaus_download":
                "https://urlhaus-api.abuse.ch/v1/download/%s/" % sha,
                "signature": SIGNATURES[h % len(SIGNATURES)],
                "virustotal": None, "imphash": None, "ssdeep": None,
                "tlsh": None, "magika": "elf"}

    def urlhaus_url(self):
        url = self.first(self.form, "url", "")
        if not url:
            return self.send_json(200, {"query_status": "missing_url"})
        p = urlsplit(url)
        if p.scheme.lower() not in ("http", "https", "ftp") or not p.hostname \
                or any(c.isspace() for c in url):
            return self.send_json(200, {"query_status": "invalid_url"})
        score, h = verdict(url)
        if score < 5 or is_notfound(url):
            return self.send_json(200, {"query_status": "no_results"})
        e = self.uh_url_entry(url, h)
        e.update({"query_status": "ok", "host": p.hostname,
                  "blacklists": {"spamhaus_dbl": "not listed",
                                 "surbl": "not listed"},
                  "payloads": [self.uh_payload_entry(h)]})
        order = ["query_status", "id", "urlhaus_reference", "url",
                 "url_status", "host", "date_added", "threat", "blacklists",
                 "reporter", "larted", "takedown_time_seconds", "tags",
                 "payloads"]
        self.send_json(200, {k: e[k] for k in order})

    def urlhaus_host(self):
        host = self.first(self.form, "host", "")
        if not host:
            return self.send_json(200, {"query_status": "missing_host"})
        ip = parse_ip(host)
        if ip is None and not DOMAIN_RE.match(host):
            return self.send_json(200, {"query_status": "invalid_host"})
        host = str(ip) if ip else host.lower().rstrip(".")
        score, h = verdict(host, ip)
        if score < 5 or is_notfound(host):
            return self.send_json(200, {"query_status": "no_results"})
        urls = [self.uh_url_entry("http://%s/bins/mock%d.arm" % (host, i),
                                  h, i) for i in range(2)]
        self.send_json(200, {
            "query_status": "ok",
            "urlhaus_reference": "https://urlhaus.abuse.ch/host/%s/" % host,
            "host": host,
            "firstseen": utc(BASE_DATE + h % 20000000),
            "url_count": str(len(urls)),
            "blacklists": {"spamhaus_dbl": "not listed",
                           "surbl": "not listed"},
            "urls": urls})

    def urlhaus_payload(self):
        md5 = self.first(self.form, "md5_hash")
        sha = self.first(self.form, "sha256_hash")
        if md5 is not None:
            if not (len(md5) == 32 and HEX_RE.match(md5)):
                return self.send_json(200,
                                      {"query_status": "invalid_md5_hash"})
            v = md5.lower()
        elif sha is not None:
            if not (len(sha) == 64 and HEX_RE.match(sha)):
                return self.send_json(200,
                                      {"query_status": "invalid_sha256_hash"})
            v = sha.lower()
        else:
            return self.send_json(200, {"query_status": "missing_hash"})
        score, h = verdict(v)
        if score < 5:
            return self.send_json(200, {"query_status": "no_results"})
        md5 = v if len(v) == 32 else hashlib.md5(v.encode()).hexdigest()
        sha = v if len(v) == 64 else hashlib.sha256(v.encode()).hexdigest()
        url = "http://198.51.100.%d/bins/mock.exe" % (h % 254 + 1)
        uid = str(2000000 + h % 1000000)
        self.send_json(200, {
            "query_status": "ok", "md5_hash": md5, "sha256_hash": sha,
            "file_type": "exe", "file_size": str(12345 + h % 100000),
            "signature": SIGNATURES[h % (len(SIGNATURES) - 1)],
            "firstseen": utc(BASE_DATE + h % 10000000),
            "lastseen": utc(BASE_DATE + h % 10000000 + 86400),
            "url_count": "1",
            "urlhaus_download":
            "https://urlhaus-api.abuse.ch/v1/download/%s/" % sha,
            "virustotal": None, "imphash": None, "ssdeep": None,
            "tlsh": None,
            "urls": [{"url_id": uid, "url": url, "url_status": "online",
                      "urlhaus_reference":
                      "https://urlhaus.abuse.ch/url/%s/" % uid,
                      "filename": "mock.exe",
                      "firstseen": time.strftime(
                          "%Y-%m-%d", time.gmtime(BASE_DATE + h % 10**7)),
                      "lastseen": None}]})

    # ---- generic ------------------------------------------------------------

    def generic(self, rest):
        value = unquote(rest)
        extra = 0
        d = self.first(self.query, "delay_ms")
        if d is not None:
            try:
                extra = max(0, int(d))
            except ValueError:
                return self.send_json(400, {"error": "bad delay_ms"})
        done, delay = self.behave(GENERIC, [value] + self.query_values(),
                                  extra_delay_ms=extra)
        if done:
            return
        self.send_json(200, {"indicator": value, "source": "generic",
                             "delayMs": delay})


# --------------------------------------------------------------------------

# --------------------------------------------------------------------------
# More APIs, one module each in tests/mock/apis/: a module defines PREFIX
# (e.g. "/shodan/") and handle(req, rest), where req is the Handler of
# the request (send_json, send_raw, behave, query, form, ...) and rest
# the path after the prefix.  It may use this module's helpers
# (verdict, parse_ip, iso, ...) through "import upstream".

def load_api_modules():
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    apis = os.path.join(here, "apis")
    sys.modules.setdefault("upstream", sys.modules[__name__])
    mods = []
    if os.path.isdir(apis):
        for name in sorted(os.listdir(apis)):
            if not name.endswith(".py") or name.startswith("_"):
                continue
            spec = importlib.util.spec_from_file_location(
                "mockapi_" + name[:-3], os.path.join(apis, name))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            mods.append((mod.PREFIX, mod))
    # Longest prefix first, so "/a/b/" wins over "/a/".
    mods.sort(key=lambda m: -len(m[0]))
    return mods


API_MODULES = load_api_modules()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--pidfile")
    ap.add_argument("--log")
    args = ap.parse_args(argv)

    logfile = open(args.log, "a", buffering=1) if args.log else None
    srv = Server((args.host, args.port), Handler, logfile)
    port = srv.server_address[1]

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(args.pidfile + ".tmp", args.pidfile)
    srv.log("listening on %s port %d" % (args.host, port))
    try:
        sys.stdout.write("port=%d\n" % port)
        sys.stdout.flush()
    except OSError:
        pass
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        srv.log("stopping")
        try:
            srv.server_close()
        except OSError:
            pass
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass


if __name__ == "__main__":
    main()
