"""tests/mock/apis/hibp.py -- Have I Been Pwned API v3
(https://haveibeenpwned.com/api/v3): GET
/breachedaccount/{account}[?truncateResponse=false][&includeUnverified=
false][&domain=...].

Mock base URL: http://127.0.0.1:N/hibp/api/v3

* The key is the hibp-api-key header: missing is 401 "Access denied due
  to missing hibp-api-key.", "bad" is 401 "... invalid hibp-api-key."
  (HIBP's {"statusCode", "message"} body).  No User-Agent is 403, as on
  HIBP.  429 carries Retry-After.
* A "clean"/"benign" account, or one holding "notfound", is in
  no breach: 404 with an empty body.  Otherwise 1 to 4 breaches from a
  fixed catalogue; truncateResponse (default true) keeps only "Name".
"""

from urllib.parse import unquote

import upstream

PREFIX = "/hibp/api/v3/"


class HibpApi(upstream.Api):
    name = "hibp"

    def e401(self):
        return {"statusCode": 401, "message": "Access denied due to "
                "invalid hibp-api-key."}

    def e403(self):
        return {"statusCode": 403, "message": "Forbidden"}

    def e404(self, what=""):
        return {"statusCode": 404, "message": "Not found"}

    def e429(self):
        return {"statusCode": 429, "message": "Rate limit is exceeded. "
                "Try again in 7 seconds."}

    def e503(self):
        return {"statusCode": 503, "message": "Service unavailable"}


API = HibpApi()

BREACHES = [
    {"Name": "ExampleShop", "Title": "Example Shop", "Domain":
     "exampleshop.example", "BreachDate": "2019-03-14",
     "AddedDate": "2019-05-02T08:11:23Z",
     "ModifiedDate": "2019-05-02T08:11:23Z", "PwnCount": 2318450,
     "Description": "In March 2019, the mock online store Example Shop "
     "suffered a data breach.",
     "LogoPath": "https://haveibeenpwned.com/Content/Images/PwnedLogos/"
     "List.png",
     "DataClasses": ["Email addresses", "Names", "Passwords",
                     "Phone numbers"],
     "IsVerified": True, "IsFabricated": False, "IsSensitive": False,
     "IsRetired": False, "IsSpamList": False, "IsMalware": False,
     "IsSubscriptionFree": False, "IsStealerLog": False},
    {"Name": "MockForum", "Title": "Mock Forum", "Domain":
     "mockforum.example", "BreachDate": "2016-07-01",
     "AddedDate": "2017-01-20T10:00:00Z",
     "ModifiedDate": "2017-01-20T10:00:00Z", "PwnCount": 540112,
     "Description": "A mock vBulletin forum was breached in 2016.",
     "LogoPath": "https://haveibeenpwned.com/Content/Images/PwnedLogos/"
     "List.png",
     "DataClasses": ["Email addresses", "IP addresses", "Usernames"],
     "IsVerified": True, "IsFabricated": False, "IsSensitive": False,
     "IsRetired": False, "IsSpamList": False, "IsMalware": False,
     "IsSubscriptionFree": False, "IsStealerLog": False},
    {"Name": "SampleSpamList", "Title": "Sample Spam List", "Domain": "",
     "BreachDate": "2021-11-30", "AddedDate": "2022-02-11T03:40:00Z",
     "ModifiedDate": "2022-02-11T03:40:00Z", "PwnCount": 98000000,
     "Description": "A mock spam list of e-mail addresses.",
     "LogoPath": "https://haveibeenpwned.com/Content/Images/PwnedLogos/"
     "List.png",
     "DataClasses": ["Email addresses"],
     "IsVerified": False, "IsFabricated": False, "IsSensitive": False,
     "IsRetired": False, "IsSpamList": True, "IsMalware": False,
     "IsSubscriptionFree": False, "IsStealerLog": False},
    {"Name": "DemoStealerLogs", "Title": "Demo Stealer Logs",
     "Domain": "", "BreachDate": "2024-01-15",
     "AddedDate": "2024-02-01T00:00:00Z",
     "ModifiedDate": "2024-02-01T00:00:00Z", "PwnCount": 26000000,
     "Description": "Mock credentials taken by info-stealer malware.",
     "LogoPath": "https://haveibeenpwned.com/Content/Images/PwnedLogos/"
     "List.png",
     "DataClasses": ["Email addresses", "Passwords", "Website URLs"],
     "IsVerified": True, "IsFabricated": False, "IsSensitive": False,
     "IsRetired": False, "IsSpamList": False, "IsMalware": True,
     "IsSubscriptionFree": False, "IsStealerLog": True},
]


def handle(req, rest):
    segs = rest.split("/")
    account = unquote(segs[1]) if len(segs) == 2 else ""
    key = req.headers.get("hibp-api-key")
    done, _ = req.behave(API, [account], [key])
    if done:
        return
    if not key:
        return req.send_json(401, {"statusCode": 401, "message":
                                   "Access denied due to missing "
                                   "hibp-api-key."})
    if key == "bad":
        return req.send_json(401, API.e401())
    if not req.headers.get("User-Agent"):
        return req.send_json(403, {"statusCode": 403, "message":
                                   "No user agent has been specified in "
                                   "the request."})
    if len(segs) != 2 or segs[0] != "breachedaccount":
        return req.send_json(404, API.e404())
    if not account or len(account) > 256 or any(c.isspace()
                                                for c in account):
        return req.send_json(400, {"statusCode": 400, "message":
                                   "Bad request - the account does not "
                                   "comply with an acceptable format."})
    score, h = upstream.verdict(account.lower())
    if upstream.is_clean(account) or upstream.is_notfound(account):
        return req.send_raw(404, b"")
    n = 1 + score // 3
    picked = [BREACHES[(h + i) % len(BREACHES)] for i in range(n)]
    if req.first(req.query, "includeUnverified", "true") == "false":
        picked = [b for b in picked if b["IsVerified"]]
        if not picked:
            return req.send_raw(404, b"")
    dom = req.first(req.query, "domain")
    if dom:
        picked = [b for b in picked if b["Domain"] == dom]
        if not picked:
            return req.send_raw(404, b"")
    if req.first(req.query, "truncateResponse", "true") != "false":
        picked = [{"Name": b["Name"]} for b in picked]
    req.send_json(200, picked)
