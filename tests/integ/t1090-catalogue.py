#!/usr/bin/python3
"""tests/integ/t1090-catalogue.py -- the acceptance check of the built-in
source catalogue: after `tools/devstack up --mock`, a lookup of an IPv4
address, a domain, a URL, an e-mail address and a SHA-256 each returns
data with a verdict from every enabled built-in source that supports the
kind, and no source answers null without an error.

A seeded source whose builtin the server does not know (fetching_start
says hasSourceCode false) is skipped (TAP SKIP): its file has not landed
yet.  Every registered one is checked."""

import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iocaggtest import (done, need_stack, ok, psql,  # noqa: E402
                        sse_events)

need_stack()
WORDS = ("malicious", "suspicious", "benign", "unknown")
# Errors that mean "this source does not take part for this indicator".
NOT_TAKING_PART = {"UNSUPPORTED_INDICATOR", "SOURCE_DISABLED",
                   "DISABLED_INDICATOR", "PROVIDER_DISABLED",
                   "RUNNER_DISABLED", "WITHIN_IGNORE_LIST"}
INDICATORS = (
    ("IPV4", "203.0.113.66"),
    ("DOMAIN", "malicious-catalogue.example.com"),
    ("URL", "http://malicious-catalogue.example.com/login.php"),
    ("EMAIL", "malicious-catalogue@example.com"),
    ("SHA256", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
)

# The seeded built-in sources (the tests' own rows have other slugs).
rows = psql("SELECT id || '|' || builtin FROM sources WHERE kind = 'system' "
            "AND builtin IS NOT NULL AND replace(slug, '-', '_') = builtin "
            "ORDER BY builtin").splitlines()
seeded = dict(r.split("|", 1) for r in rows if "|" in r)
ok(len(seeded) > 0, "the seeded catalogue (%d built-in sources)" % len(seeded))


def valid_verdict(v):
    return (isinstance(v, dict) and v.get("verdict") in WORDS and
            isinstance(v.get("score"), int) and 0 <= v["score"] <= 100 and
            isinstance(v.get("tags"), list) and
            isinstance(v.get("related"), list))


def sse(kind, data):
    return sse_events(urllib.parse.urlencode({
        "data": data, "kind": kind, "sourceIds": ",".join(seeded),
        "force": "true"}), timeout=120)


for kind, data in INDICATORS:
    evs = sse(kind, data)
    if not evs or evs[0][0] != "fetching_start":
        ok(False, "%s: the lookup streams" % kind, evs[:2])
        continue
    code = {x["source"]["id"]: x["hasSourceCode"] for x in evs[0][2]}
    res = {}
    for ev, sid, d in evs:
        if ev == "fetching_data":
            res[sid] = {"errors": [], **d}
        elif ev == "fetching_error":
            res[sid] = {"errors": d, "data": None}
    nulls = [seeded.get(s) for s, r in res.items()
             if r["errors"] == [] and r.get("data") is None]
    ok(nulls == [], "%s: no source answers null without an error" % kind,
       nulls)
    for sid, builtin in sorted(seeded.items(), key=lambda x: x[1]):
        name = "%s %s: data with a verdict" % (kind, builtin)
        if not code.get(sid, False):
            ok(True, "%s # SKIP builtin %s is not registered yet" %
               (name, builtin))
            continue
        r = res.get(sid)
        if r is None:
            ok(False, name + " (no event)")
            continue
        kinds = {e.get("kind") for e in r["errors"]}
        if kinds & NOT_TAKING_PART:
            continue
        ok(r["errors"] == [] and r.get("data") is not None and
           valid_verdict(r.get("verdict")), name, r)

done()
