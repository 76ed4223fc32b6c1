#!/usr/bin/python3
"""tests/integ/t0910-feeds.py -- the feed tasks (lib/feed.c) run by
iocagg-schedulerd -1 against the mock feed server
(tests/mock/apis/feeds.py), and the feed sources answering lookups from
the tables they fill:

  * a fresh load, then a refresh that adds and removes rows;
  * a corrupt zip, a corrupt gzip, a truncated file, an HTML page, an
    empty feed and an HTTP error: each fails, the error is recorded in
    task_runs and the previous rows stay;
  * a scheduler killed with kill -9 in the middle of a slow download:
    the previous rows stay, no *_new table is left, the next run loads;
    one stopped with SIGTERM gives up at once and changes nothing;
  * plain, gzipped and zipped variants of every feed, ThreatFox as JSON
    and CSV;
  * lookups of URLhaus, PhishTank, OpenPhish and ThreatFox answered from
    the local tables, with a verdict; a miss is NOT_FOUND;
  * ThreatFox's API after a local miss: a hit, no_result, a bad key, a
    429, a body that is not JSON, a 500, a slow answer, and no call at
    all without a key.
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iocaggtest import (MOCK, by_source, ctl, done, error_kinds,  # noqa
                        letters, lookup, make_source, mock_count, need_stack,
                        ok, psql)

need_stack()
if not MOCK:
    print("1..0 # SKIP no mock upstream")
    sys.exit(0)

TOP = os.environ.get("top_builddir", ".")
CONF = os.path.join(os.environ["IOCAGG_TEST_STATE"], "iocagg.conf")
SCHED = os.path.join(TOP, "daemons", "iocagg-schedulerd")
FEEDS = {"urlhaus": "url_haus", "phishtank": "phishtank",
         "openphish": "openphish", "threatfox": "threatfox"}
ID = {b: psql("SELECT id FROM sources WHERE builtin = '%s'" % b)
      for b in FEEDS}
TAG = letters(6)


def mock(path, spec=None):
    data = None
    if spec is not None:
        data = urllib.parse.urlencode({"spec": json.dumps(spec)}).encode()
    with urllib.request.urlopen(MOCK + path, data=data, timeout=10) as r:
        return json.loads(r.read())


def feed_url(feed, enc):
    return "%s/feeds/%s/%s" % (MOCK, feed, enc)


def sched_env(feed, enc):
    env = dict(os.environ, IOCAGG_CONF=CONF)
    if enc is not None:
        env["IOCAGG_FEED_URL_" + feed.upper()] = feed_url(feed, enc)
    return env


def run(feed, enc=None):
    """iocagg-schedulerd -1 on the feed's source: (rc, output).  The
    stack's own scheduler may hold the task for a moment: retried."""
    for _ in range(60):
        p = subprocess.run([SCHED, "-f", CONF, "-1", ID[feed]],
                           env=sched_env(feed, enc), capture_output=True,
                           text=True, timeout=120)
        if "running elsewhere" not in p.stderr:
            break
        time.sleep(0.5)
    return p.returncode, p.stdout + p.stderr


def count(table, where="TRUE"):
    return int(psql("SELECT count(*) FROM %s WHERE %s" % (table, where)))


def has(table, col, value):
    return count(table, "%s = '%s'" % (col, value.replace("'", "''"))) > 0


def last_run(feed):
    row = psql("SELECT status || '|' || coalesce(error, '') || '|' || "
               "coalesce(rows_loaded, -1) || '|' || coalesce(bytes, -1) "
               "FROM task_runs WHERE source_id = '%s' "
               "ORDER BY started_at DESC, id DESC LIMIT 1" % ID[feed])
    st, err, rows, nbytes = row.split("|", 3)
    return st, err, int(rows), int(nbytes)


def leftovers():
    return psql("SELECT count(*) FROM pg_tables WHERE tablename ~ "
                "'^(url_haus|phishtank|openphish|threatfox)_new_'")


def copying(table):
    """Sessions loading "table" (the *_new table of a running load is
    invisible to other sessions until it commits: its COPY is not)."""
    return int(psql("SELECT count(*) FROM pg_stat_activity WHERE query ~ "
                    "'^COPY \"?%s_new_'" % table))


def start_load(feed, enc):
    """iocagg-schedulerd -1 in the background, once it is loading (its
    run RUNNING under its pid, COPY under way, the download streaming):
    the process, or None.  The stack's scheduler may hold the task for
    a moment ("running elsewhere"): started again."""
    for _ in range(30):
        p = subprocess.Popen([SCHED, "-f", CONF, "-1", ID[feed]],
                             env=sched_env(feed, enc),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        for _ in range(150):
            if p.poll() is not None:
                break
            st = mock("/feeds/_state")[feed]
            if st["active"] > 0 and copying(FEEDS[feed]) and \
                    psql("SELECT count(*) FROM task_runs WHERE source_id = "
                         "'%s' AND status = 'RUNNING' AND pid = %d"
                         % (ID[feed], p.pid)) == "1":
                return p
            time.sleep(0.1)
        if p.poll() is None:
            p.kill()
        p.wait()
        time.sleep(0.5)
    return None


def local_hit(data, kind, feed, key="url"):
    """The source's answer for "data" came from its feed table."""
    r = by_source(lookup(data, kind=kind, ids=[ID[feed]])).get(ID[feed], {})
    d = r.get("data")
    v = r.get("verdict") or {}
    return (not error_kinds(r) and isinstance(d, list) and len(d) > 0 and
            any(data.lower() in str(x.get(key, "")).lower() for x in d),
            v, r)


def miss(data, kind, feed):
    r = by_source(lookup(data, kind=kind, ids=[ID[feed]])).get(ID[feed], {})
    return error_kinds(r) == ["NOT_FOUND"], r


# The acceptance check: the stack's own scheduler loaded the mock's
# URLhaus feed (within one interval of "tools/devstack up --mock") and a
# lookup finds an indicator of it.
LISTED = "http://urlhaus-listed.example/bins/mozi.m"
loaded = False
for _ in range(90):
    if psql("SELECT count(*) FROM url_haus_refreshes") != "0" and \
            has("url_haus", "url", LISTED):
        loaded = True
        break
    time.sleep(1)
ok(loaded, "the stack's scheduler has loaded the URLhaus feed")
hit, v, r = local_hit(LISTED, "URL", "urlhaus")
ok(hit and v.get("verdict") == "malicious",
   "a lookup finds an indicator of the feed, with a verdict", r)

# The stack's scheduler must not run these tasks meanwhile.
saved = psql("SELECT string_agg(builtin || '=' || coalesce(task_interval, 0)"
             " || '=' || task_enabled, ',') FROM sources WHERE builtin IN "
             "('urlhaus', 'phishtank', 'openphish', 'threatfox')")
# Switched off for it (it would also retry a stopped run at once);
# "-1" runs a task whatever its switches say.
psql("UPDATE sources SET task_enabled = false WHERE builtin IN "
     "('urlhaus', 'phishtank', 'openphish', 'threatfox')")
time.sleep(0.5)

made_sources, made_secrets = [], []
try:
    mock("/feeds/_reset", {})
    # The mock's fixed entries stay in every dump (other tests look them
    # up meanwhile); counts add them.
    FIXED = {f: v["fixed"] for f, v in mock("/feeds/_state").items()}

    # ---- URLhaus: a fresh load -------------------------------------------
    U1 = "http://first-%s.feedtest.example/bins/a.sh" % TAG
    U2 = "http://second-%s.feedtest.example/x/y.exe" % TAG
    psql("TRUNCATE url_haus")
    mock("/feeds/_set/urlhaus", {"rows": 30, "seed": 11, "urls": [U1]})
    rc, out = run("urlhaus")
    ok(rc == 0, "URLhaus (zip): a fresh load succeeds", out)
    N1 = 31 + FIXED["urlhaus"]
    ok(count("url_haus") == N1, "all %d rows are loaded" % N1,
       count("url_haus"))
    ok(has("url_haus", "url", U1), "the test URL is in url_haus")
    st, err, rows, nbytes = last_run("urlhaus")
    ok(st == "OK" and rows == N1 and nbytes > 0,
       "task_runs records OK, the rows and the bytes", (st, err, rows, nbytes))
    ok(psql("SELECT rows FROM url_haus_refreshes ORDER BY id DESC LIMIT 1")
       == str(N1), "url_haus_refreshes records the refresh")
    ok(psql("SELECT response_headers ~ 'Content-Type: application/zip' FROM "
            "url_haus_refreshes ORDER BY id DESC LIMIT 1") == "t",
       "with the response headers")
    ok(count("url_haus", "last_online IS NULL") > 0 and
       count("url_haus", "tags = 'elf,mips,Mozi'") > 0,
       "empty last_online is NULL, tags keep their commas")

    hit, v, r = local_hit(U1, "URL", "urlhaus")
    ok(hit, "a URLhaus URL lookup answers from the feed", r)
    ok(v.get("verdict") == "malicious" and "Mozi" in v.get("tags", []) and
       v.get("firstSeen"), "with a malicious verdict, tags and firstSeen", v)
    host = "first-%s.feedtest.example" % TAG
    hit, v, r = local_hit(host, "DOMAIN", "urlhaus")
    ok(hit, "a domain matches the host of a listed URL", r)
    ok({"kind": "URL", "data": U1} in v.get("related", []),
       "the verdict relates the listed URL", v)
    hit, v, r = local_hit("feedtest.example", "DOMAIN", "urlhaus")
    ok(hit, "a parent domain matches its subdomains", r)
    hit, v, r = local_hit("edtest.example", "DOMAIN", "urlhaus")
    ok(not hit, "a mere suffix does not match", r)

    # ---- a refresh that adds and removes rows ---------------------------
    mock("/feeds/_set/urlhaus", {"rows": 20, "seed": 12, "urls": [U2]})
    rc, out = run("urlhaus")
    ok(rc == 0, "URLhaus: a refresh succeeds", out)
    ok(count("url_haus") == 21 + FIXED["urlhaus"],
       "the table now holds the new dump's rows", count("url_haus"))
    ok(has("url_haus", "url", U2) and not has("url_haus", "url", U1),
       "the new URL is in, the dropped one is gone")
    ok(count("url_haus", "id BETWEEN 3100000 AND 3199999") == 0,
       "no row of the previous dump is left")
    hit, v, r = local_hit(U1, "URL", "urlhaus")
    ok(not hit, "the removed URL no longer answers from the feed", r)
    hit, v, r = local_hit(U2, "URL", "urlhaus")
    ok(hit, "the added URL answers from the feed", r)
    idx = psql("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM "
               "pg_indexes WHERE tablename = 'url_haus'")
    ok(set(idx.split(",")) >= {"url_haus_pkey", "url_haus_url_hash_idx",
                               "url_haus_rhost_idx"},
       "the swapped table has the live table's indexes and names", idx)

    # ---- failures leave the previous feed -------------------------------
    before = count("url_haus")
    for name, enc, spec, words in [
            ("a corrupt zip", "zip", {"corrupt": "badzip"}, ""),
            ("a corrupt gzip", "gz", {"corrupt": "badgzip"}, ""),
            ("a truncated zip", "zip", {"corrupt": "truncated",
                                        "rows": 400}, ""),
            ("an HTML error page", "plain", {"corrupt": "garbage"}, ""),
            ("an empty feed", "plain", {"rows": 0, "fixed": False,
                                        "urls": []}, "no valid record"),
            ("HTTP 503", "plain", {"status": 503}, "HTTP 503")]:
        spec = dict({"seed": 13, "urls": ["http://bad-%s.example/" % TAG]},
                    **spec)
        mock("/feeds/_set/urlhaus", spec)
        rc, out = run("urlhaus", enc)
        st, err, rows, _ = last_run("urlhaus")
        ok(rc != 0 and st == "ERROR" and err.startswith("URLhaus: ") and
           words in err, "%s fails, the error is in task_runs" % name,
           (rc, st, err, out))
        ok(count("url_haus") == before and has("url_haus", "url", U2) and
           not has("url_haus", "url", "http://bad-%s.example/" % TAG),
           "... and the previous feed is intact")
    ok(leftovers() == "0", "failed loads leave no *_new table")
    hit, v, r = local_hit(U2, "URL", "urlhaus")
    ok(hit, "lookups still answer from the previous feed", r)

    # ---- kill -9 mid-load -----------------------------------------------
    U3 = "http://third-%s.feedtest.example/z" % TAG
    mock("/feeds/_set/urlhaus", {"rows": 4000, "seed": 14, "urls": [U3],
                                 "chunk": 8192, "delay_ms": 150})
    t_kill = psql("SELECT (now() AT TIME ZONE 'utc')::text")
    p = start_load("urlhaus", "plain")
    ok(p is not None,
       "the load is under way: COPY into a *_new table mid-download")
    if p is not None:
        p.kill()
        p.wait()
    ok(count("url_haus") == before and has("url_haus", "url", U2) and
       not has("url_haus", "url", U3),
       "after kill -9 the previous feed is intact")
    gone = False
    for _ in range(100):
        if leftovers() == "0" and copying("url_haus") == 0:
            gone = True
            break
        time.sleep(0.1)
    ok(gone, "the killed load's *_new table went with its transaction")
    mock("/feeds/_set/urlhaus", {"rows": 4000, "seed": 14, "urls": [U3]})
    rc, out = run("urlhaus", "plain")
    ok(rc == 0 and count("url_haus") == 4001 + FIXED["urlhaus"] and
       has("url_haus", "url", U3),
       "the next run loads the feed", (rc, out, count("url_haus")))
    ok(leftovers() == "0", "no *_new table is left after the next run")
    ok(psql("SELECT count(*) FROM task_runs WHERE source_id = '%s' AND "
            "status = 'ABANDONED' AND started_at >= '%s'"
            % (ID["urlhaus"], t_kill)) == "1",
       "the killed run is recorded as ABANDONED")

    # ---- SIGTERM mid-load: the task stops at once, nothing changes ------
    mock("/feeds/_set/urlhaus", {"rows": 4000, "seed": 16, "urls": [U1],
                                 "chunk": 8192, "delay_ms": 150})
    p = start_load("urlhaus", "plain")
    t0 = time.monotonic()
    if p is not None:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    ok(p is not None and time.monotonic() - t0 < 3,
       "SIGTERM stops a load within seconds", time.monotonic() - t0)
    st, err, rows, _ = last_run("urlhaus")
    ok(st != "OK" and err == "stopped" and rows == 0,
       "the stopped run is recorded as stopped", (st, err, rows))
    ok(has("url_haus", "url", U3) and not has("url_haus", "url", U1) and
       leftovers() == "0" and copying("url_haus") == 0,
       "the previous feed is intact, nothing is left over")

    # ---- variants and the other feeds -----------------------------------
    U4 = "http://plain-%s.feedtest.example/p" % TAG
    for enc in ("plain", "gz", "zip"):
        u = U4 + enc
        mock("/feeds/_set/urlhaus", {"rows": 10, "seed": 15, "urls": [u]})
        rc, out = run("urlhaus", enc)
        ok(rc == 0 and has("url_haus", "url", u),
           "URLhaus %s CSV loads" % enc, out)

    P1 = "https://pt-%s.feedtest.example/login.php?x=1&y=\"2\"" % TAG
    for enc in ("gz", "plain", "zip"):
        mock("/feeds/_set/phishtank", {"rows": 25, "seed": 21,
                                       "urls": [P1 + enc]})
        rc, out = run("phishtank", enc)
        ok(rc == 0 and has("phishtank", "url", P1 + enc) and
           count("phishtank") == 26 + FIXED["phishtank"],
           "PhishTank %s JSON loads" % enc,
           (out, count("phishtank")))
    hit, v, r = local_hit(P1 + "zip", "URL", "phishtank")
    ok(hit and v.get("verdict") == "malicious" and
       "phishing" in v.get("tags", []) and v.get("firstSeen"),
       "PhishTank answers a URL from its table with a verdict", r)
    hit, v, r = local_hit("pt-%s.feedtest.example" % TAG, "DOMAIN",
                          "phishtank")
    ok(hit and v.get("verdict") in ("malicious", "suspicious"),
       "PhishTank answers the URL's host", r)
    good, r = miss("https://not-listed-%s.example/" % TAG, "URL",
                   "phishtank")
    ok(good, "a PhishTank miss is NOT_FOUND", r)

    O1 = "https://op-%s.feedtest.example/signin" % TAG
    for enc in ("plain", "gz", "zip"):
        mock("/feeds/_set/openphish", {"rows": 15, "seed": 31,
                                       "urls": [O1 + enc, O1 + enc]})
        rc, out = run("openphish", enc)
        ok(rc == 0 and has("openphish", "url", O1 + enc) and
           count("openphish") == 16 + FIXED["openphish"],
           "OpenPhish %s list loads (a duplicate line kept once)" % enc,
           (out, count("openphish")))
    hit, v, r = local_hit(O1 + "zip", "URL", "openphish")
    ok(hit and v.get("verdict") == "malicious" and
       "phishing" in v.get("tags", []),
       "OpenPhish answers a URL from its table with a verdict", r)
    hit, v, r = local_hit("feedtest.example", "DOMAIN", "openphish")
    ok(hit, "OpenPhish answers a parent domain", r)
    good, r = miss("not-listed-%s.example" % TAG, "DOMAIN", "openphish")
    ok(good, "an OpenPhish miss is NOT_FOUND", r)

    TD = "tf-%s.feedtest.example" % TAG
    TI = "198.18.7.%d" % (len(TAG) + 40)
    TH = "%032x" % (int.from_bytes(TAG.encode(), "big") * 7919)
    iocs = [[TD, "domain"], [TI + ":8443", "ip:port"], [TH, "md5_hash"]]
    for fmt, enc in (("json", "plain"), ("csv", "zip"), ("json", "gz")):
        mock("/feeds/_set/threatfox", {"rows": 12, "seed": 41,
                                       "format": fmt, "iocs": iocs})
        rc, out = run("threatfox", enc)
        ok(rc == 0 and has("threatfox", "ioc", TD) and
           count("threatfox") == 15 + FIXED["threatfox"],
           "ThreatFox %s export (%s) loads" % (fmt, enc),
           (out, count("threatfox")))
    for data, kind in ((TD, "DOMAIN"), (TI, "IPV4"), (TH, "MD5")):
        hit, v, r = local_hit(data, kind, "threatfox", key="ioc")
        ok(hit and v.get("verdict") in ("malicious", "suspicious") and
           "Cobalt Strike" in v.get("tags", []) and
           isinstance(v.get("score"), int),
           "ThreatFox answers a %s from its export with a verdict" % kind, r)

    # ---- the ThreatFox API after a local miss ---------------------------
    system = psql("SELECT id FROM users WHERE email = 'system@iocagg.invalid'")

    def tf_source(key=None, **cols):
        sid = make_source(kinds=("DOMAIN", "IPV4", "URL", "MD5", "SHA256"),
                          builtin="threatfox", **cols)
        made_sources.append(sid)
        if key is not None:
            name = "T0910_%s_%s" % (TAG.upper(), letters(6).upper())
            r = ctl("secret", "set", name, stdin=key + "\n")
            sec = r.stdout.split()[-1] if r.returncode == 0 else None
            made_secrets.append(sec)
            psql("INSERT INTO source_secrets (name, required, secret_id, "
                 "source_id, created_user_id) VALUES ('THREATFOX_KEY', "
                 "false, '%s', '%s', '%s')" % (sec, sid, system))
        return sid

    def one(data, kind, sid):
        t0 = time.monotonic()
        r = lookup(data, kind, ids=[sid], force=True)
        res = by_source(r).get(sid, {"errors": [{"kind": "HTTP %d" %
                                                 r.status}]})
        res["_took"] = time.monotonic() - t0
        return res

    keyed = tf_source("good-key")
    d = "malicious-tfapi-%s.example" % TAG
    res = one(d, "DOMAIN", keyed)
    v = res.get("verdict") or {}
    ok(not error_kinds(res) and isinstance(res.get("data"), dict) and
       res["data"].get("query_status") == "ok" and
       res["data"]["data"][0]["ioc"] == d and v.get("verdict") ==
       "malicious" and "Cobalt Strike" in v.get("tags", []) and
       v.get("firstSeen"),
       "ThreatFox: a local miss asks the API, a hit has data and a verdict",
       res)
    res = one("clean-tfapi-%s.example" % TAG, "DOMAIN", keyed)
    ok(error_kinds(res) == ["NOT_FOUND"], "ThreatFox API: no_result is "
       "NOT_FOUND", res)
    res = one("5f4dcc3b5aa765d61d8327deb882cf99", "MD5", keyed)
    ok(error_kinds(res) in ([], ["NOT_FOUND"]),
       "ThreatFox API: a hash goes to search_hash", res)
    for key, kinds, name in (
            ("bad", ["UNAUTHORIZED"], "a bad Auth-Key is UNAUTHORIZED"),
            ("status429", ["RATE_LIMITED"], "a 429 is RATE_LIMITED"),
            ("garbage", ["RESPONSE_ERROR", "REQUEST_ERROR"],
             "a body that is not JSON is an error"),
            ("status500", ["RESPONSE_ERROR"], "a 500 is RESPONSE_ERROR")):
        res = one("x-%s-%s.example" % (letters(5), TAG), "DOMAIN",
                  tf_source(key))
        ok(len(error_kinds(res)) == 1 and error_kinds(res)[0] in kinds and
           res.get("data") is None, "ThreatFox API: " + name, res)
    res = one("x-%s.example" % TAG, "DOMAIN", tf_source("slow3000",
                                                        timeout=1))
    ok(error_kinds(res) == ["TIMEOUT"] and res["_took"] < 3,
       "ThreatFox API: a slow answer is TIMEOUT (%.1fs)" % res["_took"], res)
    before = mock_count("/feeds/threatfox-api/")
    res = one("malicious-nokey-%s.example" % TAG, "DOMAIN", tf_source())
    ok(error_kinds(res) == ["NOT_FOUND"] and
       mock_count("/feeds/threatfox-api/") == before,
       "ThreatFox without a key: a local miss is NOT_FOUND, no API call",
       res)
    hit, v, r = local_hit(TD, "DOMAIN", "threatfox", key="ioc")
    ok(hit, "... while the local export still answers", r)
finally:
    if made_sources:
        psql("DELETE FROM sources WHERE id IN (%s)" %
             ",".join("'%s'" % x for x in made_sources))
    if made_secrets:
        psql("DELETE FROM secrets WHERE id IN (%s)" %
             ",".join("'%s'" % x for x in made_secrets if x))
    # The stack as the other tests expect it: default feeds, intervals.
    try:
        mock("/feeds/_reset", {})
        for b in FEEDS:
            run(b)
    finally:
        for item in saved.split(","):
            b, ivl, en = item.split("=")
            psql("UPDATE sources SET task_interval = %s, task_enabled = %s "
                 "WHERE builtin = '%s'" % ("NULL" if ivl == "0" else ivl,
                                           "true" if en in ("t", "true") else "false",
                                           b))
done()
