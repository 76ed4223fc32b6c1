#!/usr/bin/python3
"""tests/mock/oidc.py -- a mock OpenID Connect provider for the tests of
iocagg-auth(8): discovery, a JWKS, an authorization endpoint that
consents at once, and a token endpoint that returns an RS256 id_token.
Python 3 standard library only; /usr/bin/openssl makes the RSA keys,
the signatures are computed here (PKCS #1 v1.5 with pow()).

    oidc.py --port N [--host 127.0.0.1] [--pidfile FILE]
            [--client-id ID] [--client-secret SECRET]

"--port 0" picks a free port; the first line on stdout is always
"port=N".  The issuer is "http://HOST:N".

Endpoints:
  GET  /.well-known/openid-configuration
  GET  /jwks                 {"keys": [the RSA key, kid "k1"]}
  GET  /authorize            checks response_type=code, client_id,
                             redirect_uri, scope "openid", state and
                             nonce, then 302 to redirect_uri?code&state.
                             Extra query parameters pick the identity
                             and the faults of the id_token:
                               login_hint=EMAIL   the e-mail (default
                                                  user@example.org)
                               sub=SUBJECT        default: from the e-mail
                               name=NAME, email_verified=false
                               bad=WORD[,WORD]    signature (another
                                 key, same kid), kid (unknown kid),
                                 nonce, no_nonce, aud, azp, iss,
                                 expired, nbf, alg_none, hs256,
                                 no_email
                               error=WORD         redirect back with
                                                  ?error=WORD&state
  POST /token                form: grant_type=authorization_code, code
                             (one use), redirect_uri (as at /authorize),
                             client_id, client_secret (or HTTP Basic).
                             400 invalid_grant / 401 invalid_client.
  GET  /_calls               {"discovery": n, "jwks": n, "token": n}
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(i):
    return i.to_bytes((i.bit_length() + 7) // 8, "big")


class RSAKey:
    """A 2048-bit RSA key made by openssl; n, e, d parsed from its text."""

    def __init__(self, tmpdir, label):
        path = os.path.join(tmpdir, label + ".pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA",
                        "-pkeyopt", "rsa_keygen_bits:2048", "-out", path],
                       check=True, capture_output=True)
        text = subprocess.run(["openssl", "pkey", "-in", path, "-noout",
                               "-text"], check=True, capture_output=True,
                              text=True).stdout
        os.unlink(path)
        self.n = self._field(text, "modulus")
        self.d = self._field(text, "privateExponent")
        m = re.search(r"publicExponent: (\d+)", text)
        self.e = int(m.group(1))
        self.k = (self.n.bit_length() + 7) // 8

    @staticmethod
    def _field(text, name):
        m = re.search(r"^%s:\n((?:[ \t]+[0-9a-f:]+\n)+)" % name, text,
                      re.M)
        return int(re.sub(r"[^0-9a-f]", "", m.group(1)), 16)

    def sign(self, msg):
        t = SHA256_PREFIX + hashlib.sha256(msg).digest()
        em = b"\x00\x01" + b"\xff" * (self.k - len(t) - 3) + b"\x00" + t
        s = pow(int.from_bytes(em, "big"), self.d, self.n)
        return s.to_bytes(self.k, "big")

    def jwk(self, kid):
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": b64u(int_bytes(self.n)), "e": b64u(int_bytes(self.e))}


def make_jwt(header, claims, signer):
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    c = b64u(json.dumps(claims, separators=(",", ":")).encode())
    msg = ("%s.%s" % (h, c)).encode()
    return "%s.%s.%s" % (h, c, b64u(signer(msg)) if signer else "")


class Provider:
    def __init__(self, issuer, client_id, client_secret):
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        with tempfile.TemporaryDirectory() as tmp:
            self.key = RSAKey(tmp, "key")
            self.rogue = RSAKey(tmp, "rogue")
        self.codes = {}
        self.calls = {"discovery": 0, "jwks": 0, "token": 0, "authorize": 0}
        self.lock = threading.Lock()

    def id_token(self, grant):
        q = grant["q"]
        bad = set(q.get("bad", "").split(",")) - {""}
        now = int(time.time())
        email = q.get("login_hint") or "user@example.org"
        claims = {
            "iss": self.issuer,
            "sub": q.get("sub") or "mock-" + hashlib.sha256(
                email.encode()).hexdigest()[:20],
            "aud": self.client_id,
            "iat": now, "nbf": now, "exp": now + 300,
            "nonce": grant["nonce"],
            "email": email,
            "email_verified": q.get("email_verified", "true") != "false",
            "name": q.get("name") or email.split("@")[0].title(),
            "given_name": "Given", "family_name": "Family",
            "locale": "en",
        }
        header = {"alg": "RS256", "typ": "JWT", "kid": "k1"}
        signer = self.key.sign
        if "nonce" in bad:
            n = grant["nonce"]
            # another nonce, always: change its first character
            claims["nonce"] = ("y" if n[:1] == "x" else "x") + n[1:]
        if "no_nonce" in bad:
            del claims["nonce"]
        if "aud" in bad:
            claims["aud"] = "another-client"
        if "azp" in bad:
            claims["aud"] = [self.client_id, "another-client"]
            claims["azp"] = "another-client"
        if "iss" in bad:
            claims["iss"] = "https://evil.example"
        if "expired" in bad:
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        if "nbf" in bad:
            claims["nbf"] = now + 3600
        if "no_email" in bad:
            del claims["email"]
        if "signature" in bad:
            signer = self.rogue.sign
        if "kid" in bad:
            header["kid"] = "k-unknown"
            signer = self.rogue.sign
        if "alg_none" in bad:
            header = {"alg": "none", "typ": "JWT"}
            signer = None
        if "hs256" in bad:
            header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
            pub = int_bytes(self.key.n)
            signer = lambda m: hmac.new(pub, m, hashlib.sha256).digest()
        return make_jwt(header, claims, signer)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-oidc/1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def query(self):
        return {k: v[0] for k, v in
                parse_qs(urlsplit(self.path).query,
                         keep_blank_values=True).items()}

    def do_GET(self):
        p = self.server.provider
        path = urlsplit(self.path).path
        if path == "/.well-known/openid-configuration":
            with p.lock:
                p.calls["discovery"] += 1
            return self.send(200, {
                "issuer": p.issuer,
                "authorization_endpoint": p.issuer + "/authorize",
                "token_endpoint": p.issuer + "/token",
                "jwks_uri": p.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"]})
        if path == "/jwks":
            with p.lock:
                p.calls["jwks"] += 1
            return self.send(200, {"keys": [p.key.jwk("k1")]},
                             {"Cache-Control": "max-age=3600"})
        if path == "/authorize":
            return self.authorize()
        if path == "/_calls":
            with p.lock:
                return self.send(200, dict(p.calls))
        return self.send(404, {"error": "not_found"})

    def authorize(self):
        p = self.server.provider
        q = self.query()
        with p.lock:
            p.calls["authorize"] += 1
        for k in ("client_id", "redirect_uri", "state", "nonce", "scope"):
            if not q.get(k):
                return self.send(400, {"error": "invalid_request",
                                       "error_description": "no " + k})
        if q.get("response_type") != "code":
            return self.send(400, {"error": "unsupported_response_type"})
        if q["client_id"] != p.client_id:
            return self.send(400, {"error": "unauthorized_client"})
        if "openid" not in q["scope"].split():
            return self.send(400, {"error": "invalid_scope"})
        sep = "&" if "?" in q["redirect_uri"] else "?"
        if q.get("error"):
            loc = q["redirect_uri"] + sep + urlencode(
                {"error": q["error"], "state": q["state"]})
            return self.send(302, None, {"Location": loc})
        code = secrets.token_urlsafe(24)
        with p.lock:
            p.codes[code] = {"q": q, "nonce": q["nonce"],
                             "redirect_uri": q["redirect_uri"],
                             "at": time.time()}
        loc = q["redirect_uri"] + sep + urlencode(
            {"code": code, "state": q["state"]})
        return self.send(302, None, {"Location": loc})

    def do_POST(self):
        p = self.server.provider
        if urlsplit(self.path).path != "/token":
            return self.send(404, {"error": "not_found"})
        n = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(
            self.rfile.read(n).decode(), keep_blank_values=True).items()}
        with p.lock:
            p.calls["token"] += 1
        cid, csec = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            cid, _, csec = base64.b64decode(auth[6:]).decode().partition(":")
        if cid != p.client_id or csec != p.client_secret:
            return self.send(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return self.send(400, {"error": "unsupported_grant_type"})
        with p.lock:
            grant = p.codes.pop(form.get("code", ""), None)
        if (grant is None or time.time() - grant["at"] > 600
                or form.get("redirect_uri") != grant["redirect_uri"]):
            return self.send(400, {"error": "invalid_grant"})
        return self.send(200, {"access_token": secrets.token_urlsafe(24),
                               "token_type": "Bearer", "expires_in": 3600,
                               "id_token": p.id_token(grant)},
                         {"Cache-Control": "no-store"})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--pidfile")
    ap.add_argument("--client-id", default="iocagg-test")
    ap.add_argument("--client-secret", default="mock-secret")
    args = ap.parse_args(argv)

    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    srv.provider = Provider("http://%s:%d" % (args.host, port),
                            args.client_id, args.client_secret)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(args.pidfile + ".tmp", args.pidfile)
    sys.stdout.write("port=%d\n" % port)
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        srv.server_close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass


if __name__ == "__main__":
    main()
