/*
 * tools/iocagg-api.c -- the configuration file of iocagg(1) and its
 * REST client: one libcurl easy handle per connection, JSON in and out,
 * and the mapping of failures to exit statuses (see iocagg-extern.h).
 *
 * The configuration file holds "key = value" lines: "url" and "token".
 * IOCAGG_URL and IOCAGG_TOKEN override it.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "compat.h"
#include "json.h"
#include "xmalloc.h"

#include "iocagg-extern.h"

#define CFG_LINE_MAX	8192		/* longest line of the file */
#define BODY_MAX	(256L << 20)	/* largest answer read, bytes */
#define JSON_DEPTH	256		/* deepest answer parsed */
#define CONNECT_SECS	10L		/* connection timeout */
#define CALL_SECS	120L		/* timeout of other calls */
#define SLUG_MAX	100		/* longest slug */
#define ID_LEN		12		/* length of an id */

/* The user agent of every call. */
static const char user_agent[] = "iocagg/" PACKAGE_VERSION;

/*
 * The path of the configuration file, $XDG_CONFIG_HOME/iocagg/config or
 * ~/.config/iocagg/config, in *ret (caller frees).  0, or -1 when there
 * is no home folder.
 */
int
cfg_path(char **ret)
{
	const char	*x, *home;
	struct passwd	*pw;

	if ((x = getenv("XDG_CONFIG_HOME")) != NULL && x[0] == '/') {
		xasprintf(ret, "%s/iocagg/config", x);
		return 0;
	}
	if ((home = getenv("HOME")) == NULL || home[0] != '/') {
		if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL)
			return -1;
		home = pw->pw_dir;
	}
	xasprintf(ret, "%s/.config/iocagg/config", home);
	return 0;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Read "url" and "token" from the configuration file "path" into *url
 * and *token (caller frees; NULL when absent, also for a missing file).
 * 0, or -1 after a message.
 */
int
cfg_read(const char *path, char **url, char **token)
{
	FILE		*f;
	struct stat	 st;
	char		 line[CFG_LINE_MAX], *k, *v, *eq;
	unsigned	 lineno = 0;
	int		 rc = -1;

	*url = *token = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		warnmsg("warning: %s is readable by others: chmod 600 it",
		    path);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			warnmsg("%s:%u: line too long", path, lineno);
			goto out;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			warnmsg("%s:%u: expected key = value", path, lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (strcmp(k, "url") == 0) {
			free(*url);
			*url = xstrdup(v);
		} else if (strcmp(k, "token") == 0) {
			freezero_str(*token);
			*token = xstrdup(v);
		}
		/* Other keys are left for later versions. */
	}
	rc = 0;
out:
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (rc == -1) {
		free(*url);
		freezero_str(*token);
		*url = *token = NULL;
	}
	return rc;
}

/* mkdir(2) "dir" with mode 0700 unless it exists. */
static int
mkdir_private(const char *dir)
{
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		warnmsg("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Store "url" and "token" in the configuration file, created with mode
 * 0600 in a folder of mode 0700 (and its parent, when missing), and
 * replaced atomically.
 */
enum ex
cfg_write(const char *url, const char *token)
{
	char		*path = NULL, *tmp = NULL, *slash, *parent;
	FILE		*f = NULL;
	int		 fd = -1;
	enum ex		 rc = EX_FAIL;

	if (cfg_path(&path) == -1) {
		warnmsg("cannot find the home folder");
		goto out;
	}
	/* .../.config, then .../iocagg. */
	slash = strrchr(path, '/');
	*slash = '\0';
	if ((parent = strrchr(path, '/')) != NULL && parent != path) {
		*parent = '\0';
		if (mkdir_private(path) == -1)
			goto out;
		*parent = '/';
	}
	if (mkdir_private(path) == -1)
		goto out;
	if (chmod(path, 0700) == -1) {
		warnmsg("%s: %s", path, strerror(errno));
		goto out;
	}
	*slash = '/';
	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		warnmsg("%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) == NULL) {
		warnmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	fprintf(f, "# iocagg(1): written by \"iocagg login\".\n"
	    "url = %s\ntoken = %s\n", url, token);
	if (fflush(f) == EOF || fsync(fileno(f)) == -1) {
		warnmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) == -1) {
		warnmsg("%s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = EX_OK;
out:
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		(void)unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

/*
 * Check that "in" is an http(s) URL and store in *ret (caller frees) its
 * normalized form, without trailing slashes nor API_PREFIX.  0, or -1.
 */
int
url_normalize(const char *in, char **ret)
{
	char	*s;
	size_t	 n, skip, plen = sizeof(API_PREFIX) - 1;

	if (strncasecmp(in, "http://", 7) == 0)
		skip = 7;
	else if (strncasecmp(in, "https://", 8) == 0)
		skip = 8;
	else
		return -1;
	if (in[strcspn(in, " \t\r\n")] != '\0' ||
	    in[strcspn(in, "?#")] != '\0')
		return -1;
	s = xstrdup(in);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	if (n > plen && strcmp(s + n - plen, API_PREFIX) == 0)
		s[n -= plen] = '\0';
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	if (n <= skip || s[skip] == '/') {
		free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

/* A token goes into a header: printable ASCII without blanks. */
static int
token_ok(const char *t)
{
	const char	*p;

	if (*t == '\0' || strlen(t) > 1024)
		return 0;
	for (p = t; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}

/*
 * Set up "a" for calls to "url" with "token"; NULL for either means
 * IOCAGG_URL or IOCAGG_TOKEN, else the configuration file, else (for
 * the URL) DEFAULT_URL.  EX_OK, EX_USAGE for a bad URL, EX_AUTH when no
 * token is known, EX_FAIL; a message says why.  Release with
 * api_close(), also after a failure.
 */
enum ex
api_open(struct api *a, const char *url, const char *token)
{
	char		*path = NULL, *furl = NULL, *ftoken = NULL;
	const char	*u, *t;
	enum ex		 rc = EX_FAIL;

	memset(a, 0, sizeof(*a));
	if ((url == NULL && getenv("IOCAGG_URL") == NULL) ||
	    (token == NULL && getenv("IOCAGG_TOKEN") == NULL)) {
		if (cfg_path(&path) == 0 &&
		    cfg_read(path, &furl, &ftoken) == -1)
			goto out;
	}
	u = url != NULL ? url : getenv("IOCAGG_URL") != NULL ?
	    getenv("IOCAGG_URL") : furl != NULL ? furl : DEFAULT_URL;
	t = token != NULL ? token : getenv("IOCAGG_TOKEN") != NULL ?
	    getenv("IOCAGG_TOKEN") : ftoken;
	if (url_normalize(u, &a->url) == -1) {
		warnmsg("'%s' is not an http:// or https:// URL", u);
		rc = EX_USAGE;
		goto out;
	}
	if (t == NULL || *t == '\0') {
		warnmsg("no API token: run 'iocagg login', or set "
		    "IOCAGG_TOKEN");
		rc = EX_AUTH;
		goto out;
	}
	if (!token_ok(t)) {
		warnmsg("the API token has blanks or control characters");
		rc = EX_AUTH;
		goto out;
	}
	a->token = xstrdup(t);
	a->timeout = CALL_SECS;
	if ((a->curl = curl_easy_init()) == NULL) {
		warnmsg("cannot initialize libcurl");
		goto out;
	}
	rc = EX_OK;
out:
	free(path);
	free(furl);
	freezero_str(ftoken);
	return rc;
}

/* Release what api_open() set up; "a" may be half set up. */
void
api_close(struct api *a)
{
	if (a->curl != NULL)
		curl_easy_cleanup(a->curl);
	free(a->url);
	freezero_str(a->token);
	memset(a, 0, sizeof(*a));
}

/* Percent-encode "s" for one path segment; caller frees. */
char *
path_escape(const char *s)
{
	char	*e, *r;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		abort();
	r = xstrdup(e);
	curl_free(e);
	return r;
}

/* The write callback of api_do(): append, up to BODY_MAX. */
static size_t
collect(char *p, size_t sz, size_t n, void *arg)
{
	struct sb	*b = arg;

	(void)sz;
	if (b->len + n > (size_t)BODY_MAX)
		return 0;
	sb_addn(b, p, n);
	return n;
}

/*
 * Options that every call shares: URL, method, credentials, timeouts,
 * protocols.  The header list is the caller's to free after the call;
 * "body", when not NULL, is copied as a JSON body.
 */
static int
setup(struct api *a, CURL *c, const char *method, const char *path,
    const char *body, struct curl_slist **hdrs, char *errbuf)
{
	struct curl_slist	*h = NULL, *n;
	char			*s, *url;
	const char		*lines[3];
	size_t			 i, nl = 0;

	xasprintf(&url, "%s%s%s", a->url, API_PREFIX, path);
	xasprintf(&s, "Authorization: Token %s", a->token);
	lines[nl++] = s;
	lines[nl++] = "Accept: application/json, text/event-stream";
	if (body != NULL)
		lines[nl++] = "Content-Type: application/json";
	for (i = 0; i < nl; i++) {
		if ((n = curl_slist_append(h, lines[i])) == NULL) {
			curl_slist_free_all(h);
			freezero_str(s);
			free(url);
			return -1;
		}
		h = n;
	}
	freezero_str(s);
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_SECS);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(body));
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, body);
	}
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "POST") != 0 || body == NULL)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	*hdrs = h;
	return 0;
}

/*
 * A new easy handle for one call of "method" to "path" with the JSON
 * text "body" (or NULL), for the multi interface; the caller sets the
 * write callback, frees *hdrs after the call and keeps "errbuf"
 * (CURL_ERROR_SIZE bytes) alive until then.  NULL on failure.
 */
CURL *
api_easy(struct api *a, const char *method, const char *path,
    const char *body, struct curl_slist **hdrs, char *errbuf)
{
	CURL	*c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	if (setup(a, c, method, path, body, hdrs, errbuf) == -1) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

/*
 * Report a failed transfer to "a"'s server.  Returns EX_CONN when the
 * server could not be reached or stopped answering, else EX_FAIL.
 */
enum ex
api_curl_error(const struct api *a, CURLcode cc, const char *errbuf)
{
	const char	*why = errbuf != NULL && errbuf[0] != '\0' ? errbuf :
	    curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_WRITE_ERROR:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_ABORTED_BY_CALLBACK:
		warnmsg("%s: the answer is too large or malformed", a->url);
		return EX_FAIL;
	default:
		warnmsg("cannot reach %s: %s", a->url, why);
		return EX_CONN;
	}
}

/*
 * Report an HTTP error answer, with the server's message when the body
 * is the API's error object.  EX_AUTH for 401 and 403, else EX_FAIL.
 */
enum ex
api_status_error(long status, const char *body, size_t len)
{
	json_object	*o, *e;
	const char	*err, *code = NULL, *msg = NULL;

	o = body != NULL && len > 0 ? json_parse_capped(body, len, 16, &err) :
	    NULL;
	if ((e = jpath(o, "error")) != NULL) {
		code = jstr(e, "code");
		msg = jstr(e, "message");
	}
	if (msg != NULL)
		warnmsg("%s (%ld %s)", msg, status, code ? code : "error");
	else
		warnmsg("the server answered HTTP %ld", status);
	if (status == 401)
		warnmsg("check the API token, or run 'iocagg login'");
	json_object_put(o);
	return status == 401 || status == 403 ? EX_AUTH : EX_FAIL;
}

/*
 * One call: "method" to API_PREFIX "path" with the JSON "body" (or
 * NULL).  On EX_OK, *r holds the status and body (caller frees r->body),
 * whatever the status; a failed transfer is reported and gives EX_CONN
 * or EX_FAIL.
 */
enum ex
api_do(struct api *a, const char *method, const char *path,
    json_object *body, struct resp *r)
{
	struct curl_slist	*h = NULL;
	struct sb		 b = { NULL, 0, 0 };
	char			 errbuf[CURL_ERROR_SIZE];
	CURLcode		 cc;
	enum ex			 rc;

	memset(r, 0, sizeof(*r));
	curl_easy_reset(a->curl);
	if (setup(a, a->curl, method, path, body == NULL ? NULL :
	    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN),
	    &h, errbuf) == -1) {
		warnmsg("cannot set up the request");
		return EX_FAIL;
	}
	curl_easy_setopt(a->curl, CURLOPT_TIMEOUT, a->timeout);
	curl_easy_setopt(a->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &b);
	if ((cc = curl_easy_perform(a->curl)) != CURLE_OK) {
		rc = api_curl_error(a, cc, errbuf);
		sb_free(&b);
		curl_slist_free_all(h);
		return rc;
	}
	curl_slist_free_all(h);
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &r->status);
	sb_add(&b, "");
	r->body = b.s;
	r->len = b.len;
	return EX_OK;
}

/*
 * One call that must succeed with 2xx: like api_do(), but an HTTP error
 * is reported (api_status_error()), and a JSON body is parsed into *ret
 * (caller puts; NULL for an empty body) when "ret" is not NULL.
 */
enum ex
api_call(struct api *a, const char *method, const char *path,
    json_object *body, json_object **ret)
{
	struct resp	 r;
	json_object	*o = NULL;
	const char	*err;
	enum ex		 rc;

	if ((rc = api_do(a, method, path, body, &r)) != EX_OK)
		return rc;
	if (r.status < 200 || r.status > 299) {
		rc = api_status_error(r.status, r.body, r.len);
		goto out;
	}
	if (ret != NULL && r.len > 0 &&
	    (o = json_parse_capped(r.body, r.len, JSON_DEPTH, &err)) ==
	    NULL && err != NULL) {
		warnmsg("the server's answer is not JSON: %s", err);
		rc = EX_FAIL;
		goto out;
	}
	if (ret != NULL)
		*ret = o;
	else
		json_object_put(o);
	rc = EX_OK;
out:
	free(r.body);
	return rc;
}

static int
is_id(const char *s)
{
	return strlen(s) == ID_LEN && strspn(s,
	    "0123456789abcdefghijklmnopqrstuvwxyz") == ID_LEN;
}

static int
is_slug(const char *s)
{
	const char	*p;

	if (strlen(s) > SLUG_MAX || !islower((unsigned char)*s))
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!(islower((unsigned char)*p) || (*p == '-' &&
		    islower((unsigned char)p[1]) && p[-1] != '-')))
			return 0;
	return 1;
}

/*
 * The id of the object of "group" ("sources", "ignoreLists") named by
 * "ref", an id or a slug, in *ret (caller frees).  A slug is asked of
 * GET /group/slugs/:slug; a word that could be both is an id when no
 * slug matches.  EX_OK, EX_USAGE for a word that is neither, EX_FAIL
 * for no such object, or the call's failure.
 */
enum ex
api_resolve(struct api *a, const char *group, const char *ref,
    char **ret)
{
	struct resp	 r;
	char		*path, *e;
	size_t		 n;
	enum ex		 rc;
	const char	*what = strcmp(group, "sources") == 0 ? "source" :
	    "ignore list";

	if (!is_slug(ref)) {
		if (!is_id(ref)) {
			warnmsg("'%s' is neither a%s %s id nor a slug", ref,
			    what[0] == 'i' ? "n" : "", what);
			return EX_USAGE;
		}
		*ret = xstrdup(ref);
		return EX_OK;
	}
	e = path_escape(ref);
	xasprintf(&path, "/%s/slugs/%s", group, e);
	free(e);
	rc = api_do(a, "GET", path, NULL, &r);
	free(path);
	if (rc != EX_OK)
		return rc;
	if (r.status == 404 && is_id(ref)) {
		*ret = xstrdup(ref);
	} else if (r.status == 404) {
		warnmsg("no %s has the slug '%s'", what, ref);
		rc = EX_FAIL;
	} else if (r.status != 200) {
		rc = api_status_error(r.status, r.body, r.len);
	} else {
		n = r.len;
		while (n > 0 && isspace((unsigned char)r.body[n - 1]))
			n--;
		r.body[n] = '\0';
		if (!is_id(r.body)) {
			warnmsg("the server answered no id for '%s'", ref);
			rc = EX_FAIL;
		} else
			*ret = xstrdup(r.body);
	}
	free(r.body);
	return rc;
}
