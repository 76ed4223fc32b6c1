"""The DNS and ASN Cymru sources (c-ares) against the stack's mock DNS
server (tests/mock/dns.py, started by tools/devstack.d/cat_net.sh and
named by dns_resolvers)."""
import re
import time
from iocaggtest import need_stack, ok, psql, lookup, error_kinds, done

need_stack()

DNS = psql("SELECT id FROM sources WHERE slug = 'dns'")
ASN = psql("SELECT id FROM sources WHERE slug = 'asn-cymru'")
ok(DNS and ASN, "the DNS and ASN Cymru sources are seeded")
# The cache would hide a second call: these tests want fresh answers.
psql("UPDATE sources SET cache_enabled = false, enabled = true "
     "WHERE id IN ('%s', '%s')" % (DNS, ASN))


def one(data, kind, sid, **kw):
    r = lookup(data, kind, ids=[sid], **kw)
    res = r.json() or []
    ok(r.status == 200 and len(res) == 1, "lookup %s %s answers" %
       (kind, data), r)
    return res[0] if res else {}


def related(v, kind):
    return sorted(x["data"] for x in (v or {}).get("related", [])
                  if x["kind"] == kind)


# --- DNS, forward ---------------------------------------------------------
x = one("example.org", "DOMAIN", DNS)
d = x.get("data") or {}
rec = d.get("records", {})
ok(x.get("errors") == [] and d.get("name") == "example.org",
   "a domain resolves", x)
ok(len(rec.get("A", [])) == 2 and all(re.match(r"^198\.1[89]\.", a)
                                       for a in rec["A"]),
   "A records", rec.get("A"))
ok(len(rec.get("AAAA", [])) == 2 and all(a.startswith("2001:db8:")
                                          for a in rec["AAAA"]),
   "AAAA records", rec.get("AAAA"))
ok(rec.get("MX") == [{"priority": 10, "host": "mail.example.org"}],
   "MX record with its priority", rec.get("MX"))
ok(sorted(rec.get("NS", [])) == ["ns1.example.org", "ns2.example.org"],
   "NS records", rec.get("NS"))
ok("v=spf1 -all" in rec.get("TXT", []) and "a" * 200 + "b" * 100 in
   rec.get("TXT", []), "TXT records, a record of two strings joined",
   rec.get("TXT"))
soa = rec.get("SOA") or {}
ok(soa.get("mname") == "ns1.example.org" and soa.get("serial") ==
   2024010101 and soa.get("minimum") == 300, "SOA record", soa)
ok(rec.get("CAA") == [{"critical": 0, "tag": "issue",
                       "value": "letsencrypt.org"}], "CAA record",
   rec.get("CAA"))
ok([s.get("name") for s in rec.get("SRV", [])] == ["_sip._tcp.example.org"]
   and rec["SRV"][0]["port"] == 5060 and rec["SRV"][0]["target"] ==
   "sip.example.org", "SRV of the services that have one", rec.get("SRV"))
ok("CNAME" not in rec and "PTR" not in rec, "no CNAME or PTR for a plain name")
v = x.get("verdict") or {}
ok(v.get("verdict") == "unknown", "the verdict is unknown: DNS says "
   "nothing of intent", v)
ok(related(v, "IPV4") == sorted(rec.get("A", [])) and
   "mail.example.org" in related(v, "DOMAIN"),
   "related lists the addresses and names found", v)

x = one("www.example.net", "DOMAIN", DNS)
rec = (x.get("data") or {}).get("records", {})
ok(rec.get("CNAME") == ["example.net"] and len(rec.get("A", [])) == 2,
   "a CNAME chain gives CNAME and the target's addresses", rec)

x = one("http://example.com:8080/a/b?q=1", "URL", DNS)
ok((x.get("data") or {}).get("name") == "example.com",
   "a URL is looked up by its host", x)

x = one("nothing.notfound.example", "DOMAIN", DNS)
ok(error_kinds(x) == ["NOT_FOUND"] and x.get("data") is None,
   "NXDOMAIN is NOT_FOUND", x)

x = one("broken.servfail.example", "DOMAIN", DNS)
ok(error_kinds(x) == ["REQUEST_ERROR"], "SERVFAIL is REQUEST_ERROR", x)

# --- DNS, reverse ---------------------------------------------------------
x = one("8.8.4.4", "IPV4", DNS)
ok((x.get("data") or {}).get("name") == "4.4.8.8.in-addr.arpa" and
   x["data"]["records"].get("PTR") == ["host-8-8-4-4.example.net"],
   "an IPv4 address gives its PTR", x)
ok(related(x.get("verdict"), "DOMAIN") == ["host-8-8-4-4.example.net"],
   "the PTR name is related", x.get("verdict"))
x = one("2001:db8::1", "IPV6", DNS)
name = (x.get("data") or {}).get("name", "")
ok(name.endswith(".ip6.arpa") and len(name.split(".")) == 34 and
   name.startswith("1.0.0.0.") and
   x["data"]["records"]["PTR"][0].startswith("host6-"),
   "an IPv6 address gives its PTR (nibble name)", x)
x = one("198.51.100.7", "IPV4", DNS)
ok(error_kinds(x) == ["NOT_FOUND"], "no PTR is NOT_FOUND", x)
x = one("http://198.51.100.9/x", "URL", DNS)
ok((x.get("data") is None and error_kinds(x) == ["NOT_FOUND"]),
   "a URL whose host is an address is looked up in reverse", x)

# --- the deadline ----------------------------------------------------------
psql("UPDATE sources SET timeout = 1 WHERE id = '%s'" % DNS)
t0 = time.time()
x = one("a.slowdns.example", "DOMAIN", DNS)
el = time.time() - t0
ok(error_kinds(x) == ["TIMEOUT"], "a server slower than the source's "
   "timeout is TIMEOUT", x)
ok(el < 2.5, "the lookup ends at the timeout, not the server's 3 s "
   "(%.2f s)" % el)
psql("UPDATE sources SET timeout = NULL WHERE id = '%s'" % DNS)

# --- ASN Cymru --------------------------------------------------------------
x = one("8.8.8.8", "IPV4", ASN)
d = x.get("data") or {}
ok(x.get("errors") == [] and re.match(r"^\d+$", d.get("asn", "")) and
   d.get("ip") == "8.8.8.8" and d.get("bgp_prefix") == "8.8.8.0/24",
   "an IPv4 address maps to its AS and prefix", x)
ok(all(d.get(k) for k in ("asn_country", "asn_registry", "allocated")),
   "country, registry and allocation date", d)
ok((d.get("asn_name") or "").startswith("EXAMPLE-AS" + d.get("asn", "?")),
   "the AS name from AS<n>.asn.cymru.com", d)
v = x.get("verdict") or {}
ok(v.get("verdict") == "unknown" and "AS" + d.get("asn", "?") in
   v.get("tags", []) and d.get("asn_country") in v.get("tags", []),
   "verdict unknown, tagged with AS and country", v)

x = one("203.0.113.5", "IPV4", ASN)
d = x.get("data") or {}
ok(d.get("asn") == "64511" and d.get("asns") == ["64511", "64512"],
   "a prefix with two origins lists both, the first is asn", d)
x = one("2001:db8::53", "IPV6", ASN)
d = x.get("data") or {}
ok(x.get("errors") == [] and d.get("bgp_prefix") == "2001:db8::/32",
   "IPv6 through origin6.asn.cymru.com", x)
x = one("198.51.100.1", "IPV4", ASN)
ok(error_kinds(x) == ["NOT_FOUND"], "an unrouted address is NOT_FOUND", x)
x = one("example.org", "DOMAIN", ASN)
ok(error_kinds(x) == ["UNSUPPORTED_INDICATOR"],
   "ASN Cymru refuses other kinds", x)
done()
