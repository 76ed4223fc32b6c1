#!/usr/bin/python3
"""tests/mock/dns.py -- a mock DNS server for the DNS and ASN Cymru
sources: deterministic answers over UDP and TCP on 127.0.0.1.  Python 3
standard library only.

    dns.py --port N [--pidfile FILE]      ("--port 0": pick one; the first
                                           stdout line is "port=N")

Names (case-insensitive):
  *notfound* / *nxdomain*        NXDOMAIN
  *servfail*                     SERVFAIL
  *slowdns*                      answers after 3 s
  www.<name>                     CNAME <name>, then <name>'s A/AAAA
  any other name                 A (2, in 198.18.0.0/15), AAAA (2001:db8::/32),
                                 MX 10 mail.<name>, NS ns1./ns2.<name>,
                                 TXT (one short, one of 300 bytes in two
                                 strings), SOA, CAA 0 issue "letsencrypt.org",
                                 SRV for _sip._tcp.<name> only
  <reversed IPv4>.in-addr.arpa   PTR host-a-b-c-d.example.net, except
                                 198.51.100.0/24: NXDOMAIN
  nibbles.ip6.arpa               PTR host6-<hash>.example.net
  <rev>.origin.asn.cymru.com     TXT "AS | prefix/24 | CC | registry | date";
  <nibbles>.origin6.asn.cymru.com 203.0.113.0/24 is AS64511 (two origins:
                                 "64511 64512"), 198.51.100.0/24 has none
  AS<n>.asn.cymru.com            TXT "n | CC | registry | date | NAME, CC"
"""

import argparse
import hashlib
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SRV, T_OPT, \
    T_CAA = 1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 257
COUNTRIES = ["US", "DE", "NL", "FR", "GB", "SG", "JP", "BR"]
REGISTRIES = ["arin", "ripencc", "apnic", "lacnic", "afrinic"]


def h64(value):
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big")


def enc_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            b = label.encode("idna") if not label.isascii() else \
                label.encode()
            out += bytes([len(b)]) + b
    return out + b"\0"


def dec_name(buf, off):
    labels = []
    while True:
        n = buf[off]
        if n == 0:
            return ".".join(labels), off + 1
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(buf[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def rr(name, rtype, rdata, ttl=300):
    return enc_name(name) + struct.pack(">HHIH", rtype, 1, ttl,
                                        len(rdata)) + rdata


def txt_rdata(*strings):
    out = b""
    for s in strings:
        b = s.encode()
        out += bytes([len(b)]) + b
    return out


def ip4_of(name, i):
    h = h64(name + str(i))
    return "198.%d.%d.%d" % (18 + (h >> 16) % 2, (h >> 8) % 256, 1 + h % 254)


def ip6_of(name, i):
    h = h64(name + "6" + str(i))
    return "2001:db8:%x:%x::%x" % ((h >> 32) & 0xffff, (h >> 16) & 0xffff,
                                    1 + (h & 0xfff))


def rev4(labels):
    """in-addr.arpa labels -> dotted IPv4, or None."""
    if len(labels) != 4 or not all(x.isdigit() for x in labels):
        return None
    return ".".join(reversed(labels))


def cymru_origin(ip):
    if ip.startswith("198.51.100."):
        return None
    if ip.startswith("203.0.113."):
        return "64511 64512 | 203.0.113.0/24 | NL | ripencc | 2015-01-01"
    h = h64(ip)
    asn = 64512 + h % 1000 if ":" in ip else 13000 + h % 50000
    if ":" in ip:
        prefix = "2001:db8::/32"
    else:
        prefix = ".".join(ip.split(".")[:3]) + ".0/24"
    return "%d | %s | %s | %s | 20%02d-0%d-1%d" % (
        asn, prefix, COUNTRIES[h % len(COUNTRIES)],
        REGISTRIES[h % len(REGISTRIES)], 5 + h % 18, 1 + h % 9, h % 10)


def answer(qname, qtype):
    """(rcode, [answer rrs], delay)"""
    low = qname.lower().rstrip(".")
    labels = low.split(".")
    if "notfound" in low or "nxdomain" in low:
        return 3, [], 0
    if "servfail" in low:
        return 2, [], 0
    delay = 3.0 if "slowdns" in low else 0
    if low.endswith(".origin.asn.cymru.com"):
        ip = rev4(labels[:-4])
        o = cymru_origin(ip) if ip else None
        if o is None:
            return 3, [], delay
        return 0, ([rr(qname, T_TXT, txt_rdata(o))] if qtype == T_TXT
                   else []), delay
    if low.endswith(".origin6.asn.cymru.com"):
        nib = labels[:-4]
        if len(nib) != 32:
            return 3, [], delay
        hexs = "".join(reversed(nib))
        ip = ":".join(hexs[i:i + 4] for i in range(0, 32, 4))
        o = cymru_origin(ip)
        return 0, ([rr(qname, T_TXT, txt_rdata(o))] if qtype == T_TXT
                   else []), delay
    if low.endswith(".asn.cymru.com") and labels[0].startswith("as"):
        n = labels[0][2:]
        if not n.isdigit():
            return 3, [], delay
        h = h64(n)
        c = COUNTRIES[h % len(COUNTRIES)]
        s = "%s | %s | %s | 2001-0%d-1%d | EXAMPLE-AS%s - Example Networks" \
            " %s, %s" % (n, c, REGISTRIES[h % len(REGISTRIES)], 1 + h % 9,
                         h % 10, n, n, c)
        return 0, ([rr(qname, T_TXT, txt_rdata(s))] if qtype == T_TXT
                   else []), delay
    if low.endswith(".in-addr.arpa"):
        ip = rev4(labels[:-2])
        if ip is None or ip.startswith("198.51.100."):
            return 3, [], delay
        if qtype != T_PTR:
            return 0, [], delay
        return 0, [rr(qname, T_PTR, enc_name(
            "host-%s.example.net" % ip.replace(".", "-")))], delay
    if low.endswith(".ip6.arpa"):
        if qtype != T_PTR:
            return 0, [], delay
        return 0, [rr(qname, T_PTR, enc_name(
            "host6-%x.example.net" % (h64(low) % 65536)))], delay

    out = []
    target = qname
    if labels[0] == "www" and len(labels) > 2:
        target = ".".join(qname.split(".")[1:])
        out.append(rr(qname, T_CNAME, enc_name(target)))
        if qtype == T_CNAME:
            return 0, out, delay
        if qtype not in (T_A, T_AAAA):
            return 0, out, delay
    if labels[0].startswith("_"):
        if qtype == T_SRV and labels[:2] == ["_sip", "_tcp"]:
            base = ".".join(qname.split(".")[2:])
            out.append(rr(qname, T_SRV, struct.pack(">HHH", 10, 60, 5060) +
                          enc_name("sip." + base)))
        return (0 if out else 3), out, delay
    if qtype == T_A:
        for i in range(2):
            out.append(rr(target, T_A, socket.inet_pton(
                socket.AF_INET, ip4_of(target, i))))
    elif qtype == T_AAAA:
        for i in range(2):
            out.append(rr(target, T_AAAA, socket.inet_pton(
                socket.AF_INET6, ip6_of(target, i))))
    elif qtype == T_MX:
        out.append(rr(qname, T_MX, struct.pack(">H", 10) +
                      enc_name("mail." + qname)))
    elif qtype == T_NS:
        for n in ("ns1.", "ns2."):
            out.append(rr(qname, T_NS, enc_name(n + qname)))
    elif qtype == T_TXT:
        out.append(rr(qname, T_TXT, txt_rdata("v=spf1 -all")))
        out.append(rr(qname, T_TXT, txt_rdata("a" * 200, "b" * 100)))
    elif qtype == T_SOA:
        out.append(rr(qname, T_SOA, enc_name("ns1." + qname) +
                      enc_name("hostmaster." + qname) +
                      struct.pack(">IIIII", 2024010101, 7200, 3600,
                                  1209600, 300)))
    elif qtype == T_CAA:
        out.append(rr(qname, T_CAA, bytes([0, 5]) + b"issue" +
                      b"letsencrypt.org"))
    return 0, out, delay


def respond(query):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if qd != 1 or flags & 0x8000:
        return None
    try:
        qname, off = dec_name(query, 12)
    except (ValueError, IndexError):
        return None
    qtype, qclass = struct.unpack(">HH", query[off:off + 4])
    question = query[12:off + 4]
    rcode, rrs, delay = answer(qname, qtype)
    if delay:
        time.sleep(delay)
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    return struct.pack(">HHHHHH", qid, rflags, 1, len(rrs), 0, 0) + \
        question + b"".join(rrs)


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        r = respond(data)
        if r is not None:
            sock.sendto(r, self.client_address)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while True:
                hdr = self.request.recv(2)
                if len(hdr) < 2:
                    return
                n = struct.unpack(">H", hdr)[0]
                data = b""
                while len(data) < n:
                    chunk = self.request.recv(n - len(data))
                    if not chunk:
                        return
                    data += chunk
                r = respond(data)
                if r is None:
                    return
                self.request.sendall(struct.pack(">H", len(r)) + r)
        except OSError:
            return


class UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    # One port for both: bind UDP first, then TCP on the same number.
    for _ in range(50):
        udp = UDPServer(("127.0.0.1", a.port), UDPHandler)
        port = udp.server_address[1]
        try:
            tcp = TCPServer(("127.0.0.1", port), TCPHandler)
            break
        except OSError:
            udp.server_close()
            if a.port:
                raise
    else:
        sys.exit("no free port")
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(*_):
        if a.pidfile:
            try:
                os.unlink(a.pidfile)
            except OSError:
                pass
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("port=%d" % port, flush=True)
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    udp.serve_forever()


if __name__ == "__main__":
    main()
