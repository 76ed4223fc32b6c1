/*
 * tests/unit/t-duk.c -- runners/js/duk.c (engine_js) driven directly,
 * with a stub host: no runner, no gRPC.  Result types, errors, a
 * missing function, the deadline, the heap cap, the host API, fresh
 * heaps per call, load/unload.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "tap.h"
#include "xmalloc.h"

/* What the stub host saw and answers. */
static struct {
	char	 method[8];
	char	 url[256];
	char	 body[256];
	char	 headers[512];	/* "|"-joined */
	char	 log[512];	/* the last log() line */
	int	 nhttp;		/* HTTP calls made */
	int	 fail;		/* the next HTTP call fails */
} st;

static int
stub_http(void *ctx, const char *method, const char *url, const char *body,
    const char *const *headers, long *status, char **body_out, size_t *len,
    const char **err)
{
	const char	*resp = "{\"ok\":true,\"n\":\"\\u00e9\"}";
	size_t		 i;

	(void)ctx;
	st.nhttp++;
	snprintf(st.method, sizeof(st.method), "%s", method);
	snprintf(st.url, sizeof(st.url), "%s", url);
	snprintf(st.body, sizeof(st.body), "%s",
	    body != NULL ? body : "(null)");
	st.headers[0] = '\0';
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (i > 0)
			strncat(st.headers, "|",
			    sizeof(st.headers) - strlen(st.headers) - 1);
		strncat(st.headers, headers[i],
		    sizeof(st.headers) - strlen(st.headers) - 1);
	}
	if (st.fail) {
		st.fail = 0;
		*err = "connection refused";
		return -1;
	}
	*status = 201;
	*len = strlen(resp);
	*body_out = xstrdup(resp);
	return 0;
}

static const char *
stub_secret(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "api_key") == 0 ? "s3cret" : NULL;
}

static const char *
stub_config(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "base_url") == 0 ? "https://api.example" : NULL;
}

static void
stub_log(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(st.log, sizeof(st.log), "%s", msg);
}

static const struct eng_host host = {
	.source_id = "src1",
	.http = stub_http,
	.secret = stub_secret,
	.config = stub_config,
	.log = stub_log,
	.ctx = NULL,
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct engine	*E = &engine_js;

/* s on one line, for a TAP description: newlines become " | ". */
static const char *
line(const char *s)
{
	static char	 buf[1024];
	size_t		 i;

	if (s == NULL)
		return "(null)";
	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\n' ? '|' : s[i];
	buf[i] = '\0';
	return buf;
}

static int
load(const char *id, const char *code)
{
	char	*err = NULL;
	int	 rc;

	rc = E->load(id, code, &err);
	if (rc != 0)
		printf("# load %s: %s\n", id, line(err));
	free(err);
	return rc;
}

/* fetch_data(data, kind) of "id" with a deadline "ms" from now: the
 * result code; *out is the JSON or the error (free it), or NULL. */
static enum eng_res
fetch(const char *id, const char *data, const char *kind, long long ms,
    char **out)
{
	char		*json = NULL, *err = NULL;
	enum eng_res	 r;

	r = E->fetch(id, data, kind, &host, now_ms() + ms, &json, &err);
	if (r == ENG_OK) {
		*out = json;
		free(err);
	} else {
		*out = err;
		free(json);
	}
	return r;
}

/* The result of a call that must succeed, or "ERR <code>: <error>". */
static char	 resbuf[1024];

static const char *
res(const char *id, const char *kind)
{
	char		*out = NULL;
	enum eng_res	 r;

	r = fetch(id, "example.com", kind, 5000, &out);
	if (r == ENG_OK)
		snprintf(resbuf, sizeof(resbuf), "%s", out != NULL ? out : "");
	else
		snprintf(resbuf, sizeof(resbuf), "ERR %d: %s", (int)r,
		    out != NULL ? out : "(null)");
	free(out);
	return resbuf;
}

static const char types_js[] =
    "function fetch_data(data, kind) {\n"
    "  switch (kind) {\n"
    "  case 'STR': return 'a\"b\\n';\n"
    "  case 'ECHO': return data;\n"
    "  case 'OBJ': return { a: 1, b: [true, null], c: { d: 'x' } };\n"
    "  case 'ARR': return [1, 'two', 3.5];\n"
    "  case 'NUM': return 42.5;\n"
    "  case 'INT': return -7;\n"
    "  case 'TRUE': return true;\n"
    "  case 'FALSE': return false;\n"
    "  case 'NULL': return null;\n"
    "  case 'UNDEF': return;\n"
    "  case 'NAN': return NaN;\n"
    "  case 'UNI': return '\\u00e9\\ud83d\\ude00';\n"
    "  case 'LONE': return 'a\\ud800b';\n"
    "  case 'FUNC': return function () {};\n"
    "  case 'CYCLE': var o = {}; o.self = o; return o;\n"
    "  case 'DATE': return new Date(0);\n"
    "  }\n"
    "  throw new Error('unknown kind ' + kind);\n"
    "}\n";

static const char errors_js[] =
    "var early = 1;\n"
    "function helper(x) {\n"
    "  throw new TypeError('boom ' + x);\n"
    "}\n"
    "function fetch_data(data, kind) {\n"
    "  if (kind === 'STRING') throw 'plain string';\n"
    "  if (kind === 'OBJECT') throw { code: 7 };\n"
    "  if (kind === 'CAUGHT') {\n"
    "    try { helper(1); } catch (e) { return 'caught ' + e.message; }\n"
    "  }\n"
    "  helper(data);\n"
    "}\n";

static const char host_js[] =
    "function fetch_data(data, kind) {\n"
    "  if (kind === 'SECRET')\n"
    "    return [secret('api_key'), secret('nope'), config('base_url'),\n"
    "        config('nope')];\n"
    "  if (kind === 'LOG') { log('looked up', data, 42); return 'ok'; }\n"
    "  if (kind === 'GET') {\n"
    "    var r = http_get(config('base_url') + '/q?d=' + data,\n"
    "        { 'X-Api-Key': secret('api_key'), Accept: 'application/json' });\n"
    "    return { status: r.status, ok: JSON.parse(r.body).ok,\n"
    "        n: JSON.parse(r.body).n, type: typeof r.body };\n"
    "  }\n"
    "  if (kind === 'POST') {\n"
    "    var p = http_post('https://api.example/p', { q: data });\n"
    "    var s = http_post('https://api.example/s', 'raw', null);\n"
    "    return [p.status, s.status];\n"
    "  }\n"
    "  if (kind === 'FAIL') {\n"
    "    try { http_get('https://down.example/'); }\n"
    "    catch (e) { return 'failed: ' + e.message; }\n"
    "  }\n"
    "  if (kind === 'INJECT')\n"
    "    return http_get('https://api.example/', { 'X-A': '1\\r\\nX-B: 2' });\n"
    "  if (kind === 'ARRAY')\n"
    "    return http_get('https://api.example/',\n"
    "        ['X-A: 1', 'Accept:text/plain']).status;\n"
    "  if (kind === 'ARRAYBAD')\n"
    "    return http_get('https://api.example/', ['X-A 1']);\n"
    "  if (kind === 'ARRAYINJ')\n"
    "    return http_get('https://api.example/', ['X-A: 1\\nX-B: 2']);\n"
    "  if (kind === 'BADNAME')\n"
    "    return http_get('https://api.example/', { 'X A': '1' });\n"
    "  if (kind === 'NOURL')\n"
    "    return http_get(42);\n"
    "  if (kind === 'ENV')\n"
    "    return [typeof require, typeof print, typeof alert, typeof console,\n"
    "        typeof process, typeof module, typeof Duktape.fin,\n"
    "        typeof Duktape.act, typeof Duktape.enc];\n"
    "}\n";

#define OBJ_JSON	"{\"a\":1,\"b\":[true,null],\"c\":{\"d\":\"x\"}}"

static void
t_types(void)
{
	ok(load("types", types_js) == 0,
	    "load: a source with every result type");
	is_str(res("types", "STR"), "\"a\\\"b\\n\"",
	    "a string is a JSON string");
	is_str(res("types", "ECHO"), "\"example.com\"",
	    "data reaches fetch_data(data, kind)");
	is_str(res("types", "OBJ"), OBJ_JSON, "an object is JSON.stringify'd");
	is_str(res("types", "ARR"), "[1,\"two\",3.5]", "an array too");
	is_str(res("types", "NUM"), "42.5", "a number");
	is_str(res("types", "INT"), "-7", "a negative integer");
	is_str(res("types", "TRUE"), "true", "true");
	is_str(res("types", "FALSE"), "false", "false");
	is_str(res("types", "NULL"), "null", "null");
	is_str(res("types", "UNDEF"), "null", "undefined (return;) is null");
	is_str(res("types", "NAN"), "null",
	    "NaN is null, as in JSON.stringify");
	is_str(res("types", "UNI"), "\"\xc3\xa9\xf0\x9f\x98\x80\"",
	    "a surrogate pair comes out as 4-byte UTF-8");
	is_str(res("types", "LONE"), "\"a\xef\xbf\xbd" "b\"",
	    "a lone surrogate comes out as U+FFFD");
	is_str(res("types", "DATE"), "\"1970-01-01T00:00:00.000Z\"",
	    "a Date through toJSON");
	(void)res("types", "FUNC");
	ok(strncmp(resbuf, "ERR 2: ", 7) == 0,
	    "a function is ENG_BAD_RESULT (%s)", line(resbuf));
	(void)res("types", "CYCLE");
	ok(strncmp(resbuf, "ERR 2: ", 7) == 0 &&
	    strstr(resbuf, "cannot be encoded") != NULL,
	    "a cyclic object is ENG_BAD_RESULT (%s)", line(resbuf));
}

static void
t_errors(void)
{
	char		*out = NULL;
	enum eng_res	 r;

	ok(load("errors", errors_js) == 0, "load: a source that throws");
	r = fetch("errors", "x1", "DOMAIN", 5000, &out);
	is_int(r, ENG_USER_ERROR, "a thrown error is ENG_USER_ERROR");
	ok(out != NULL && strstr(out, "TypeError: boom x1") != NULL,
	    "the error has its name and message");
	ok(out != NULL && strstr(out, "helper (source.js:3)") != NULL &&
	    strstr(out, "fetch_data (source.js:11)") != NULL,
	    "and its stack, with function names and lines");
	ok(out != NULL && strstr(out, "internal") == NULL &&
	    strstr(out, "preventsyield") == NULL,
	    "without Duktape's own frames and notes");
	printf("# %s\n", line(out));
	free(out);
	r = fetch("errors", "x", "STRING", 5000, &out);
	is_int(r, ENG_USER_ERROR, "a thrown string is ENG_USER_ERROR");
	is_str(out, "plain string", "with the string as its message");
	free(out);
	r = fetch("errors", "x", "OBJECT", 5000, &out);
	is_int(r, ENG_USER_ERROR, "a thrown object is ENG_USER_ERROR");
	is_str(out, "{\"code\":7}", "described as JSON");
	free(out);
	is_str(res("errors", "CAUGHT"), "\"caught boom 1\"",
	    "an error caught by the script is its own business");

	ok(load("toplevel", "var x = 1;\nnull.foo;\n"
	    "function fetch_data() { return 1; }\n") == 0,
	    "load: code that fails when it runs still compiles");
	r = fetch("toplevel", "x", "DOMAIN", 5000, &out);
	ok(r == ENG_USER_ERROR && out != NULL &&
	    strstr(out, "TypeError") != NULL,
	    "an error of the top-level code is ENG_USER_ERROR (%s)", line(out));
	free(out);

	ok(load("nofn", "var fetch_dat = 1; function other() {}\n") == 0,
	    "load: a source without fetch_data");
	r = fetch("nofn", "x", "DOMAIN", 5000, &out);
	is_int(r, ENG_NO_FUNCTION, "no fetch_data is ENG_NO_FUNCTION");
	ok(out != NULL && strstr(out, "fetch_data") != NULL,
	    "the error names fetch_data");
	free(out);
	ok(load("notfn", "var fetch_data = 'x';\n") == 0,
	    "load: fetch_data that is not a function");
	r = fetch("notfn", "x", "DOMAIN", 5000, &out);
	is_int(r, ENG_NO_FUNCTION, "is ENG_NO_FUNCTION as well");
	free(out);
	ok(load("camel",
	    "function fetchData(d, k) { return k + ':' + d; }\n") == 0,
	    "load: the reference template's fetchData");
	is_str(res("camel", "IPV4"), "\"IPV4:example.com\"",
	    "fetchData is called");
	r = fetch("missing", "x", "DOMAIN", 5000, &out);
	ok(r == ENG_NO_FUNCTION && out != NULL && strstr(out, "not loaded"),
	    "a source never loaded is ENG_NO_FUNCTION");
	free(out);
}

static void
t_timeout(void)
{
	char		*out = NULL;
	enum eng_res	 r;
	long long	 t0, dt;

	ok(load("loop", "function fetch_data() { while (true) {} }\n") == 0,
	    "load: an endless loop");
	t0 = now_ms();
	r = fetch("loop", "x", "DOMAIN", 300, &out);
	dt = now_ms() - t0;
	is_int(r, ENG_TIMEOUT, "while (true) {} is ENG_TIMEOUT");
	ok(dt >= 300 && dt < 400, "stopped at the deadline: %lld ms for 300",
	    dt);
	ok(out != NULL && strstr(out, "timeout") != NULL, "error: %s",
	    line(out));
	free(out);

	ok(load("stubborn", "function fetch_data() {\n"
	    "  for (;;) { try { while (true) {} } catch (e) {}\n"
	    "    finally { for (var i = 0; i < 1e9; i++) {} } }\n"
	    "}\n") == 0, "load: a loop that catches the timeout error");
	t0 = now_ms();
	r = fetch("stubborn", "x", "DOMAIN", 200, &out);
	dt = now_ms() - t0;
	ok(r == ENG_TIMEOUT && dt < 300,
	    "catching the RangeError does not help: %lld ms for 200", dt);
	free(out);

	ok(load("toploop", "for (;;) {}\nfunction fetch_data() {}\n") == 0,
	    "load: an endless top-level loop");
	t0 = now_ms();
	r = fetch("toploop", "x", "DOMAIN", 150, &out);
	dt = now_ms() - t0;
	ok(r == ENG_TIMEOUT && dt < 250,
	    "the top-level code has the deadline too: %lld ms for 150", dt);
	free(out);
	is_str(res("types", "NUM"), "42.5", "the next call is fine");
}

static void
t_memory(void)
{
	char		*out = NULL;
	enum eng_res	 r;

	ok(load("bigarr", "function fetch_data() {\n"
	    "  var a = new Array(1e9);\n"
	    "  for (var i = 0; i < a.length; i++) a[i] = 1;\n"
	    "  return a.length;\n}\n") == 0,
	    "load: new Array(1e9) filled (Duktape has no Array.fill)");
	r = fetch("bigarr", "x", "DOMAIN", 10000, &out);
	is_int(r, ENG_NOMEM, "a huge array is ENG_NOMEM");
	ok(out != NULL && strstr(out, "heap") != NULL, "error: %s",
	    line(out));
	free(out);
	ok(load("bigbuf", "function fetch_data() {\n"
	    "  return new Uint8Array(1e9).length;\n}\n") == 0,
	    "load: new Uint8Array(1e9)");
	r = fetch("bigbuf", "x", "DOMAIN", 10000, &out);
	is_int(r, ENG_NOMEM, "a 1 GB buffer is ENG_NOMEM");
	free(out);
	ok(load("catchbuf", "function fetch_data() {\n"
	    "  try { return new Uint8Array(1e9).length; }\n"
	    "  catch (e) { return 'caught ' + (e instanceof Error) + ', ' +\n"
	    "      new Uint8Array(1e6).length; }\n}\n") == 0,
	    "load: code that catches a refused allocation");
	is_str(res("catchbuf", "x"), "\"caught true, 1000000\"",
	    "one refused allocation can be caught, and the heap goes on");
	ok(load("bigstr", "function fetch_data() {\n"
	    "  var s = 'x'; for (;;) s = s + s;\n}\n") == 0,
	    "load: string doubling");
	r = fetch("bigstr", "x", "DOMAIN", 10000, &out);
	is_int(r, ENG_NOMEM, "string doubling is ENG_NOMEM");
	free(out);
	ok(load("catchoom", "function fetch_data() {\n"
	    "  try { var s = 'x'; for (;;) s = s + s; }\n"
	    "  catch (e) { throw new Error('mine: ' + e.message); }\n}\n") == 0,
	    "load: code that catches the allocation failure");
	r = fetch("catchoom", "x", "DOMAIN", 10000, &out);
	is_int(r, ENG_NOMEM, "is still ENG_NOMEM");
	free(out);
	ok(load("objs", "function fetch_data() {\n"
	    "  var a = []; for (;;) a.push({ x: a.length, y: [1, 2, 3] });\n"
	    "}\n") == 0, "load: many small objects");
	r = fetch("objs", "x", "DOMAIN", 20000, &out);
	is_int(r, ENG_NOMEM, "many small objects are ENG_NOMEM");
	free(out);
	ok(load("str8m", "function fetch_data() {\n"
	    "  var s = 'x'; while (s.length < 8 * 1024 * 1024) s = s + s;\n"
	    "  return s.length;\n}\n") == 0, "load: an 8 MiB string");
	is_str(res("str8m", "x"), "8388608", "fits the default 64 MiB cap");
	is_str(res("types", "NUM"), "42.5", "and the process is fine");
}

static void
t_host(void)
{
	char		*out = NULL;
	enum eng_res	 r;

	ok(load("host", host_js) == 0, "load: a source using the host API");
	is_str(res("host", "SECRET"),
	    "[\"s3cret\",null,\"https://api.example\",null]",
	    "secret() and config(): values, null when unset");
	is_str(res("host", "LOG"), "\"ok\"", "log() returns");
	is_str(st.log, "looked up example.com 42", "log() joins its arguments");
	is_str(res("host", "GET"),
	    "{\"status\":201,\"ok\":true,\"n\":\"\xc3\xa9\","
	    "\"type\":\"string\"}",
	    "http_get() returns {status, body}");
	is_str(st.method, "GET", "http_get() is a GET");
	is_str(st.url, "https://api.example/q?d=example.com",
	    "of the URL given");
	is_str(st.headers, "X-Api-Key: s3cret|Accept: application/json",
	    "with the headers as \"Name: value\" lines");
	is_str(st.body, "(null)", "and no body");
	is_str(res("host", "POST"), "[201,201]", "http_post() works");
	is_str(st.body, "raw", "a string body is sent as it is");
	is_str(st.headers, "", "headers: null is none");
	st.fail = 1;
	is_str(res("host", "FAIL"), "\"failed: http_get: connection refused\"",
	    "a failed request throws the host's error");
	st.nhttp = 0;
	r = fetch("host", "x", "INJECT", 5000, &out);
	ok(r == ENG_USER_ERROR && out != NULL && strstr(out, "TypeError") &&
	    st.nhttp == 0, "a header value with CR LF is a TypeError");
	free(out);
	r = fetch("host", "x", "BADNAME", 5000, &out);
	ok(r == ENG_USER_ERROR && st.nhttp == 0, "so is a bad header name");
	free(out);
	is_str(res("host", "ARRAY"), "201",
	    "headers may be an array of \"Name: value\" strings");
	is_str(st.headers, "X-A: 1|Accept:text/plain", "sent as they are");
	st.nhttp = 0;
	r = fetch("host", "x", "ARRAYBAD", 5000, &out);
	ok(r == ENG_USER_ERROR && st.nhttp == 0, "one without a colon is a "
	    "TypeError");
	free(out);
	r = fetch("host", "x", "ARRAYINJ", 5000, &out);
	ok(r == ENG_USER_ERROR && st.nhttp == 0, "and one with a line break");
	free(out);
	r = fetch("host", "x", "NOURL", 5000, &out);
	ok(r == ENG_USER_ERROR && out != NULL && strstr(out, "url") &&
	    st.nhttp == 0, "and a URL that is not a string");
	free(out);
	is_str(res("host", "ENV"), "[\"undefined\",\"undefined\",\"undefined\","
	    "\"undefined\",\"undefined\",\"undefined\",\"undefined\","
	    "\"undefined\",\"function\"]",
	    "no require, print, alert, console, process, module, "
	    "Duktape.fin or Duktape.act");
}

static void
t_lifecycle(void)
{
	char		*out = NULL, *err = NULL;
	enum eng_res	 r;
	int		 i, good;

	err = NULL;
	is_int(E->load("bad", "function fetch_data( {", &err), -1,
	    "a syntax error fails load()");
	ok(err != NULL && strstr(err, "SyntaxError") != NULL, "with: %s",
	    line(err));
	free(err);
	r = fetch("bad", "x", "DOMAIN", 5000, &out);
	is_int(r, ENG_NO_FUNCTION, "and the source is not kept");
	free(out);
	err = NULL;
	i = E->load("bad2", "async function fetchData(d, k) {}", &err);
	ok(i == -1 && err != NULL, "async functions are not Duktape's: %s",
	    line(err));
	free(err);

	ok(load("state", "var n = 0;\n"
	    "Object.prototype.polluted =\n"
	    "    (Object.prototype.polluted || 0) + 1;\n"
	    "function fetch_data() { n++; return [n, ({}).polluted,\n"
	    "  typeof globalThis_left]; }\n"
	    "var globalThis_left = 'x';\n") == 0,
	    "load once: a source with global state");
	good = 1;
	for (i = 0; i < 50; i++)
		if (strcmp(res("state", "x"), "[1,1,\"string\"]") != 0)
			good = 0;
	ok(good, "50 calls of one load: each in a fresh heap (%s)",
	    line(resbuf));

	ok(load("state", "function fetch_data() { return 'v2'; }\n") == 0,
	    "load again: a new version");
	is_str(res("state", "x"), "\"v2\"", "replaces the old one");
	err = NULL;
	ok(E->load("state", "syntax error here", &err) == -1,
	    "a new version that does not compile is refused");
	free(err);
	is_str(res("state", "x"), "\"v2\"", "and the old one stays");
	E->unload("state");
	r = fetch("state", "x", "DOMAIN", 5000, &out);
	is_int(r, ENG_NO_FUNCTION, "unload() forgets the source");
	free(out);
	E->unload("state");
	E->unload("never");
	ok(1, "unload() of an unknown source is harmless");
	is_str(res("types", "TRUE"), "true", "the other sources stay");
}

static void
t_task(void)
{
	char		*err = NULL;
	enum eng_res	 r;

	ok(load("task", "function fetch_data() { return 1; }\n"
	    "function background_task() { log('task ran ' + secret('api_key'));"
	    " return 'ignored'; }\n") == 0, "load: a source with a task");
	st.log[0] = '\0';
	r = E->task("task", &host, now_ms() + 5000, &err);
	is_int(r, ENG_OK, "task() runs background_task()");
	is_str(st.log, "task ran s3cret", "with the host API");
	free(err);
	err = NULL;
	r = E->task("types", &host, now_ms() + 5000, &err);
	is_int(r, ENG_NO_FUNCTION, "no background_task is ENG_NO_FUNCTION");
	free(err);
	err = NULL;
	ok(load("task2",
	    "function background_task() { throw new Error('t'); }\n"
	    "function x() {}\n") == 0, "load: a task that throws");
	r = E->task("task2", &host, now_ms() + 5000, &err);
	ok(r == ENG_USER_ERROR && err != NULL && strstr(err, "Error: t"),
	    "is ENG_USER_ERROR");
	free(err);
	err = NULL;
	ok(load("task3", "function background_task() { for (;;) {} }\n") == 0,
	    "load: a task that never ends");
	r = E->task("task3", &host, now_ms() + 100, &err);
	is_int(r, ENG_TIMEOUT, "is ENG_TIMEOUT");
	free(err);
}

static void
t_heap_env(void)
{
	char		*out = NULL;
	enum eng_res	 r;

	setenv("IOCAGG_JS_HEAP_MAX", "12abc", 1);
	is_int(E->init(), -1, "init(): a bad IOCAGG_JS_HEAP_MAX is refused");
	setenv("IOCAGG_JS_HEAP_MAX", "1000", 1);
	is_int(E->init(), -1, "and so is one below 1 MiB");
	setenv("IOCAGG_JS_HEAP_MAX", "4194304", 1);
	is_int(E->init(), 0, "IOCAGG_JS_HEAP_MAX=4194304");
	r = fetch("str8m", "x", "DOMAIN", 5000, &out);
	is_int(r, ENG_NOMEM, "now an 8 MiB string is ENG_NOMEM");
	free(out);
	is_str(res("types", "OBJ"), OBJ_JSON, "small calls still work");
	unsetenv("IOCAGG_JS_HEAP_MAX");
	is_int(E->init(), 0, "unset: the default again");
	is_str(res("str8m", "x"), "8388608", "8 MiB fits again");
}

int
main(void)
{
	is_str(E->name, "javascript", "the engine is called javascript");
	unsetenv("IOCAGG_JS_HEAP_MAX");
	is_int(E->init(), 0, "init()");
	t_types();
	t_errors();
	t_timeout();
	t_memory();
	t_host();
	t_lifecycle();
	t_task();
	t_heap_env();
	return tap_done();
}
