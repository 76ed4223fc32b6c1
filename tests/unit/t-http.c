/*
 * tests/unit/t-http.c -- lib/http.c: percent-decoding, query parsing,
 * route matching, and route_dispatch() end to end in CGI mode (the
 * answers that come before any handler: 404, 405, 414, 400, 413, 401).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conf.h"
#include "http.h"
#include "tap.h"

static int	handled;

static void
h_ok(struct req *r)
{
	handled++;
	http_text(r, 200, "text/plain", req_arg(r, 0) ? req_arg(r, 0) : "-");
}

static void
h_silent(struct req *r)
{
	(void)r;
	handled++;
}

static const struct route routes[] = {
	{ METHOD_GET | METHOD_POST, "/api/v1/things", h_ok, NULL,
	    ROUTE_PUBLIC },
	{ METHOD_GET, "/api/v1/things/:id", h_ok, NULL, ROUTE_PUBLIC },
	{ METHOD_DELETE, "/api/v1/things/:id", h_ok, "admin", 0 },
	{ METHOD_GET, "/api/v1/silent", h_silent, NULL, ROUTE_PUBLIC },
};

static const struct fcgi_prog prog = { "t-http", routes, nitems(routes), 0, 1 };

/*
 * Dispatch one CGI request and return what it printed.
 */
static char *
dispatch(const char *method, const char *path, const char *qs,
    const char *clen)
{
	static char	 out[8192];
	struct req	 r;
	FILE		*tmp;
	int		 saved;
	size_t		 n;

	setenv("REQUEST_METHOD", method, 1);
	setenv("DOCUMENT_URI", path, 1);
	if (qs != NULL)
		setenv("QUERY_STRING", qs, 1);
	else
		unsetenv("QUERY_STRING");
	if (clen != NULL)
		setenv("CONTENT_LENGTH", clen, 1);
	else
		unsetenv("CONTENT_LENGTH");
	unsetenv("HTTP_AUTHORIZATION");

	fflush(stdout);
	tmp = tmpfile();
	saved = dup(1);
	dup2(fileno(tmp), 1);
	memset(&r, 0, sizeof(r));
	route_dispatch(&r, &prog);
	fflush(stdout);
	req_clear(&r);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static int
has(const char *out, const char *needle)
{
	return strstr(out, needle) != NULL;
}

int
main(void)
{
	char		 s[64], err[256], *args[ROUTE_ARGS_MAX], *o;
	size_t		 nargs;
	struct req	 r;

	(void)conf_load("/dev/null", err, sizeof(err));

	strcpy(s, "a%20b+c%2Fd");
	ok(http_urldecode(s, 1) == 0 && strcmp(s, "a b c/d") == 0,
	    "percent and plus decode");
	strcpy(s, "a+b");
	ok(http_urldecode(s, 0) == 0 && strcmp(s, "a+b") == 0,
	    "plus is kept outside queries");
	strcpy(s, "%zz");
	ok(http_urldecode(s, 1) == -1, "a bad escape is refused");
	strcpy(s, "%4");
	ok(http_urldecode(s, 1) == -1, "a short escape is refused");
	strcpy(s, "a%00b");
	ok(http_urldecode(s, 1) == -1, "an encoded NUL is refused");

	memset(&r, 0, sizeof(r));
	ok(http_parse_query(&r, "a=1&b=&c&a=2&&d=x%3Dy", err,
	    sizeof(err)) == 0, "a query parses");
	is_int((long long)r.nquery, 5, "five parameters");
	is_str(req_query(&r, "a"), "1", "first a");
	is_str(req_query_nth(&r, "a", 1), "2", "second a");
	is_int((long long)req_query_count(&r, "a"), 2, "a counted twice");
	is_str(req_query(&r, "b"), "", "empty value");
	is_str(req_query(&r, "c"), "", "bare key");
	is_str(req_query(&r, "d"), "x=y", "decoded value");
	ok(req_query(&r, "zz") == NULL, "absent key is NULL");
	req_clear(&r);
	ok(http_parse_query(&r, "=1", err, sizeof(err)) == -1,
	    "an empty name is refused");
	req_clear(&r);

	ok(route_match("/api/v1/x/:id", "/api/v1/x/abc", args, &nargs) &&
	    nargs == 1 && strcmp(args[0], "abc") == 0, "a capture matches");
	free(args[0]);
	ok(!route_match("/api/v1/x/:id", "/api/v1/x/", args, &nargs),
	    "an empty capture does not match");
	ok(!route_match("/api/v1/x/:id", "/api/v1/x/a/b", args, &nargs),
	    "extra segments do not match");
	ok(!route_match("/api/v1/x", "/api/v1/xy", args, &nargs),
	    "a longer segment does not match");
	ok(route_match("/api/v1/x", "/api/v1/x/", args, &nargs),
	    "one trailing slash matches");
	ok(!route_match("/api/v1/x", "/api/v1/x//", args, &nargs),
	    "two trailing slashes do not");

	o = dispatch("GET", "/api/v1/things/42", NULL, NULL);
	ok(has(o, "Status: 200") && has(o, "\r\n\r\n42"),
	    "a matched route runs its handler with the capture");
	o = dispatch("GET", "/api/v1/nothing", NULL, NULL);
	ok(has(o, "Status: 404") && has(o, "\"code\":\"not_found\""),
	    "an unknown path is 404 JSON");
	o = dispatch("PUT", "/api/v1/things/42", NULL, NULL);
	ok(has(o, "Status: 405") && has(o, "Allow: GET, HEAD, DELETE") &&
	    has(o, "\"code\":\"method_not_allowed\""),
	    "a wrong method is 405 with Allow");
	o = dispatch("BREW", "/api/v1/things", NULL, NULL);
	ok(has(o, "Status: 405"), "an unknown method is 405");
	o = dispatch("HEAD", "/api/v1/things/7", NULL, NULL);
	ok(has(o, "Status: 200") && !has(o, "\r\n\r\n7"),
	    "HEAD runs GET without a body");
	o = dispatch("DELETE", "/api/v1/things/42", NULL, NULL);
	ok(has(o, "Status: 401") && has(o, "\"code\":\"unauthorized\"") &&
	    has(o, "WWW-Authenticate: Token"),
	    "a protected route without credentials is 401");
	o = dispatch("GET", "/api/v1/things", "a=%zz", NULL);
	ok(has(o, "Status: 400"), "a malformed query is 400");
	memset(s, 0, sizeof(s));
	{
		char	 big[9000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		big[1] = '=';
		o = dispatch("GET", "/api/v1/things", big, NULL);
		ok(has(o, "Status: 414"), "an oversized query is 414");
	}
	handled = 0;
	o = dispatch("POST", "/api/v1/things", NULL, "999999999");
	ok(has(o, "Status: 413") && has(o, "payload_too_large") &&
	    handled == 0, "an oversized body is 413 before the handler");
	o = dispatch("POST", "/api/v1/things", NULL, "12x");
	ok(has(o, "Status: 400"), "a bad Content-Length is 400");
	o = dispatch("GET", "/api/v1/silent", NULL, NULL);
	ok(has(o, "Status: 500") && has(o, "\"code\":\"internal\""),
	    "a handler that answers nothing gives 500, not silence");
	o = dispatch("GET", "/api/v1/things", NULL, NULL);
	ok(has(o, "X-Request-Id: ") && has(o, "Cache-Control: no-store"),
	    "every answer has a request id and no-store");
	return tap_done();
}
