#!/usr/bin/python3
"""POST /api/v1/sources/test: code that is not saved runs on the runner
of its kind as a lookup would run it (data, config values, timeout),
its failures come back as the lookup's errors, nothing is written, bad
bodies and indicators are 422, and only sources_edit may run it."""
import re
import time
from iocaggtest import need_stack, request, ok, is_error, psql, done, role_user

need_stack()
T = "/api/v1/sources/test"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")


EDIT_EMAIL, EDIT = role_user(["sources_edit"], "t0625")
_, VIEW = role_user(["sources_view"], "t0625")


def run(body, token=None, timeout=40):
    return request("POST", T, body=body, token=EDIT if token is None else token,
                   timeout=timeout)


def invalid(resp, field, name):
    j = resp.json() or {}
    msg = (j.get("error") or {}).get("message", "")
    return ok(resp.status == 422 and
              (j.get("error") or {}).get("code") == "invalid_field" and
              ("'%s'" % field) in msg, name, resp)


PY = ("import iocagg\n"
      "def fetch_data(data, kind):\n"
      "    return {'data': data, 'kind': kind, 'colour': iocagg.config('colour'),\n"
      "            'n': len(data)}\n")

# --- Success ----------------------------------------------------------------
r = run({"kind": "PYTHON", "code": PY, "data": "198.51.100.7",
         "indicatorKind": "IPV4",
         "configValues": [{"name": "colour", "value": "green"},
                          {"name": "ignored"}, "not an object"]})
j = r.json() or {}
ok(r.status == 200 and j.get("errors") == [] and
   j.get("data") == {"data": "198.51.100.7", "kind": "IPV4",
                     "colour": "green", "n": 12},
   "a PYTHON test answers the code's data, with its config values", r)
tm = j.get("timing") or {}
ok(set(j) == {"data", "errors", "timing", "elapsedMs"} and
   TS.match(str(tm.get("startedAt"))) and TS.match(str(tm.get("endedAt"))) and
   tm["startedAt"] <= tm["endedAt"] and isinstance(j.get("elapsedMs"), int) and
   j["elapsedMs"] >= 0, "the answer's shape: data, errors, timing, elapsedMs", j)

r = run({"kind": "PYTHON", "code": PY, "data": "  Example.COM ",
         "indicatorKind": "DOMAIN"})
d = (r.json() or {}).get("data") or {}
ok(r.status == 200 and d.get("data") == "example.com" and
   d.get("colour") is None,
   "the indicator reaches the code normalized, as in a lookup", r)

r = run({"kind": "PYTHON", "code": "def fetch_data(d, k):\n    return 'plain ' + d\n",
         "data": "a.example", "indicatorKind": "DOMAIN"})
ok(r.status == 200 and (r.json() or {}).get("data") == "plain a.example",
   "a str result is the data as a JSON string", r)

JS = ("function fetch_data(data, kind) {\n"
      "\treturn { seen: data, kind: kind, upper: data.toUpperCase() };\n}\n")
r = run({"kind": "JAVA_SCRIPT", "code": JS, "data": "b.example",
         "indicatorKind": "DOMAIN"})
ok(r.status == 200 and (r.json() or {}).get("errors") == [] and
   (r.json() or {}).get("data") == {"seen": "b.example", "kind": "DOMAIN",
                                    "upper": "B.EXAMPLE"},
   "a JAVA_SCRIPT test runs on the JavaScript runner", r)

# Two tests at once with different code do not see each other's code.
import threading
res = {}


def par(i):
    res[i] = run({"kind": "PYTHON", "indicatorKind": "DOMAIN",
                  "data": "p%d.example" % i,
                  "code": "def fetch_data(d, k):\n    return 'code %d'\n" % i})


ths = [threading.Thread(target=par, args=(i,)) for i in range(4)]
for th in ths:
    th.start()
for th in ths:
    th.join()
ok(all(res[i].status == 200 and (res[i].json() or {}).get("data") == "code %d" % i
       for i in range(4)), "concurrent tests each run their own code",
   {i: res[i] for i in res})

# --- The code's failures are the lookup's errors -------------------------------
r = run({"kind": "PYTHON", "indicatorKind": "DOMAIN", "data": "c.example",
         "code": "def fetch_data(d, k):\n    raise ValueError('boom ' + d)\n"})
j = r.json() or {}
e = (j.get("errors") or [{}])[0]
ok(r.status == 200 and j.get("data") is None and len(j.get("errors", [])) == 1 and
   e.get("kind") == "INTERNAL_SERVER_ERROR" and "boom c.example" in str(e.get("content")),
   "an exception is an INTERNAL_SERVER_ERROR with its message", r)

r = run({"kind": "PYTHON", "indicatorKind": "DOMAIN", "data": "c.example",
         "code": "def fetch_data(d, k)\n    return 1\n"})
j = r.json() or {}
e = (j.get("errors") or [{}])[0]
ok(r.status == 200 and e.get("kind") == "INTERNAL_SERVER_ERROR" and
   "refused the code" in str(e.get("content")),
   "code that does not compile is refused by the runner", r)

r = run({"kind": "JAVA_SCRIPT", "indicatorKind": "DOMAIN", "data": "c.example",
         "code": "function fetch_data(d, k) { throw new Error('js ' + k); }\n"})
e = ((r.json() or {}).get("errors") or [{}])[0]
ok(r.status == 200 and e.get("kind") == "INTERNAL_SERVER_ERROR" and
   "js DOMAIN" in str(e.get("content")), "a thrown JavaScript error", r)

t0 = time.monotonic()
r = run({"kind": "PYTHON", "indicatorKind": "DOMAIN", "data": "d.example",
         "timeout": 1,
         "code": "def fetch_data(d, k):\n    while True:\n        pass\n"})
took = time.monotonic() - t0
e = ((r.json() or {}).get("errors") or [{}])[0]
ok(r.status == 200 and e.get("kind") == "TIMEOUT" and took < 8,
   "code that never returns ends at the timeout (%.1f s)" % took, r)

r = run({"kind": "PYTHON", "code": PY, "data": "198.51.100.7",
         "indicatorKind": "IPV4"})
ok(r.status == 200 and (r.json() or {}).get("errors") == [],
   "the runner still answers after a timed-out test", r)

# --- Nothing is written -----------------------------------------------------------
ok(psql("SELECT count(*) FROM requests r JOIN users u ON u.id = r.user_id "
        "WHERE u.email = '%s'" % EDIT_EMAIL) == "0",
   "no request row for the tests")
ok(psql("SELECT count(*) FROM sources WHERE id LIKE 'test-%'") == "0",
   "no source row for the throwaway ids")

# --- Bad bodies --------------------------------------------------------------------
good = {"kind": "PYTHON", "code": PY, "data": "1.1.1.1", "indicatorKind": "IPV4"}


def but(**over):
    b = dict(good)
    for k, v in over.items():
        if v is Ellipsis:
            b.pop(k, None)
        else:
            b[k] = v
    return b


invalid(run(but(code=Ellipsis)), "code", "no code is 422")
invalid(run(but(code="")), "code", "empty code is 422")
invalid(run(but(kind="SYSTEM")), "kind", "a SYSTEM test is 422")
invalid(run(but(kind=Ellipsis)), "kind", "no kind is 422")
invalid(run(but(data=Ellipsis)), "data", "no indicator is 422")
invalid(run(but(data="192.168.1")), "data",
        "an indicator that is not of its kind is 422")
invalid(run(but(indicatorKind="HOSTNAME")), "indicatorKind",
        "an unknown indicator kind is 422")
invalid(run(but(configValues={"colour": "red"})), "configValues",
        "configValues that are not an array are 422")
invalid(run(but(timeout=0)), "timeout", "a timeout below 1 s is 422")
invalid(run(but(timeout=601)), "timeout", "a timeout above 600 s is 422")
invalid(run(but(sourceId="abc")), "sourceId", "an unknown field is 422")
is_error(request("POST", T, token=EDIT, body=b"{not json",
                 headers={"Content-Type": "application/json"}),
         400, "malformed_json", "a body that is not JSON is 400")
r = request("POST", T, token=EDIT, body=[good])
ok(r.status in (400, 422) and (r.json() or {}).get("error"),
   "a body that is not an object is refused", r)

# --- Roles -----------------------------------------------------------------------
is_error(run(good, token=VIEW), 403, "forbidden",
         "sources_view alone may not run code")
is_error(request("POST", T, body=good, auth=False), 401, "unauthorized",
         "no credentials is 401")
r = request("GET", T)
ok(r.status in (404, 405), "GET of the test route runs nothing", r)
done()
