/*
 * fcgi/favicon.c -- iocagg-favicon: the /api/v1/favicon route group,
 * the icons the web interface shows next to sources and providers.
 * See iocagg-favicon(8).
 *
 * The reference asked Google's favicon service; this program asks the
 * site itself for <scheme>://<host>[:port]/favicon.ico, with a short
 * timeout, few redirects, a size cap, and the configured proxy and
 * User-Agent, and keeps what it got for a day in the shared store
 * (Redis or PostgreSQL), so one icon costs one upstream call per day
 * whatever the number of processes and hosts.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <json-c/json.h>
#include <sodium.h>

#include "compat.h"
#include "conf.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define URL_MAX		2048		/* longest "url" accepted */
#define ICON_MAX	(256 * 1024)	/* largest icon read, bytes */
#define FETCH_MS	5000		/* whole transfer, redirects included */
#define REDIRECTS_MAX	3L
#define HIT_TTL_MS	(24LL * 3600 * 1000)	/* an icon is kept a day */
#define MISS_TTL_MS	(3600LL * 1000)		/* "no icon" an hour */
#define TYPE_MAX	64		/* longest media type kept */
#define OCTETS		"application/octet-stream"
#define CC_HIT		"public, max-age=86400, immutable"
#define CC_MISS		"public, max-age=3600"
/* An icon is never a document: whatever it holds, nothing runs. */
#define ICON_CSP	"default-src 'none'; style-src 'unsafe-inline'; sandbox"

static void	favicon_get(struct req *);

static curl_socket_t	open_public(void *, curlsocktype, struct curl_sockaddr *);
static int	icon_path(CURL *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/favicon", favicon_get, NULL, 0 },
};

/* The body of the upstream answer. */
struct body {
	unsigned char	*buf;
	size_t		 len, cap;
	int		 too_big;	/* more than ICON_MAX bytes came */
};

/*
 * libcurl write callback: keep at most ICON_MAX bytes; one more aborts
 * the transfer (CURLE_WRITE_ERROR).
 */
static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct body	*b = arg;
	size_t		 n = size * nmemb;

	if (n > ICON_MAX - b->len) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n > b->cap) {
		b->cap = b->len + n > b->cap * 2 ? b->len + n : b->cap * 2;
		if (b->cap > ICON_MAX)
			b->cap = ICON_MAX;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, ptr, n);
	b->len += n;
	return n;
}

/*
 * The media type to answer for upstream Content-Type "ct": an
 * "image/..." type, lowercased and without parameters, or
 * application/octet-stream.
 */
static void
media_type(const char *ct, char *out, size_t outsz)
{
	size_t	 i, n;

	(void)strlcpy(out, OCTETS, outsz);
	if (ct == NULL || strncasecmp(ct, "image/", 6) != 0)
		return;
	n = strcspn(ct, "; \t");
	if (n <= 6 || n >= outsz || n > TYPE_MAX)
		return;
	for (i = 6; i < n; i++)
		if (!isalnum((unsigned char)ct[i]) && ct[i] != '.' &&
		    ct[i] != '+' && ct[i] != '-')
			return;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)ct[i]);
	out[n] = '\0';
}

/*
 * Where the icon of "url" is: "*target" is <scheme>://<host>[:port]
 * /favicon.ico and "*key" its store key, favicon:<host>[:port] (both
 * caller frees).  -1 when "url" is not an http(s) URL with a host.
 */
static int
target_of(const char *url, char **target, char **key)
{
	CURLU	*u, *t = NULL;
	char	*scheme = NULL, *host = NULL, *port = NULL, *s = NULL, *p;
	int	 rc = -1;

	*target = *key = NULL;
	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0')
		goto out;
	/* No port given is CURLUE_NO_PORT: the scheme's default. */
	(void)curl_url_get(u, CURLUPART_PORT, &port, 0);
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((t = curl_url()) == NULL ||
	    curl_url_set(t, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_set(t, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    (port != NULL &&
	    curl_url_set(t, CURLUPART_PORT, port, 0) != CURLUE_OK) ||
	    curl_url_set(t, CURLUPART_PATH, "/favicon.ico", 0) != CURLUE_OK ||
	    curl_url_get(t, CURLUPART_URL, &s, 0) != CURLUE_OK)
		goto out;
	*target = xstrdup(s);
	xasprintf(key, "favicon:%s%s%s", host, port != NULL ? ":" : "",
	    port != NULL ? port : "");
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(s);
	curl_url_cleanup(u);
	curl_url_cleanup(t);
	return rc;
}

static void
raw_write(struct req *r, const void *buf, size_t len)
{
	if (r->broken || len == 0)
		return;
	if (r->fcgi != NULL) {
		if (len > INT_MAX ||
		    FCGX_PutStr(buf, (int)len, r->fcgi->out) != (int)len)
			r->broken = 1;
	} else if (fwrite(buf, 1, len, stdout) != len)
		r->broken = 1;
}

/*
 * Answer 200 with the icon, or 204 when "buf" is NULL, with a
 * Cache-Control that lets browsers keep it.
 *
 * XXX lib/http.c always sends "Cache-Control: no-store" and has no
 * binary answer (http_text() stops at a NUL): this writes the answer
 * itself, in the same form as send_head(), until lib/http.c has an
 * http_bytes() that takes the Cache-Control value.
 */
static void
send_icon(struct req *r, const char *ctype, const unsigned char *buf,
    size_t len)
{
	char	 head[2048];
	int	 n;

	if (r->status != 0)
		return;
	if (buf != NULL)
		n = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
		    "X-Request-Id: %s\r\nCache-Control: " CC_HIT "\r\n"
		    "Content-Type: %s\r\nContent-Length: %zu\r\n"
		    "Content-Security-Policy: " ICON_CSP "\r\n%.*s\r\n",
		    r->id, ctype, len, (int)r->xhdrlen, r->xhdr);
	else
		n = snprintf(head, sizeof(head), "Status: 204 No Content\r\n"
		    "X-Request-Id: %s\r\nCache-Control: " CC_MISS "\r\n"
		    "%.*s\r\n", r->id, (int)r->xhdrlen, r->xhdr);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		http_error(r, 500, "internal", "answer header too long");
		return;
	}
	r->status = buf != NULL ? 200 : 204;
	raw_write(r, head, (size_t)n);
	if (buf != NULL && !r->head)
		raw_write(r, buf, len);
}

/*
 * Answer from the store document {"type": ..., "data": <base64>} (an
 * icon) or {"type": null} (none).  -1 when "doc" is unusable.
 */
static int
send_stored(struct req *r, const char *doc)
{
	json_object	*o, *t, *d;
	const char	*err, *b64;
	unsigned char	*bin = NULL;
	size_t		 binlen, b64len;
	char		 ctype[TYPE_MAX + 1];
	int		 rc = -1;

	if ((o = json_parse_capped(doc, strlen(doc), 4, &err)) == NULL ||
	    !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "type", &t))
		goto out;
	if (t == NULL) {
		send_icon(r, NULL, NULL, 0);
		rc = 0;
		goto out;
	}
	if (!json_object_is_type(t, json_type_string) ||
	    !json_object_object_get_ex(o, "data", &d) ||
	    !json_object_is_type(d, json_type_string))
		goto out;
	b64 = json_object_get_string(d);
	b64len = strlen(b64);
	bin = xmalloc(b64len / 4 * 3 + 3);
	if (sodium_base642bin(bin, b64len / 4 * 3 + 3, b64, b64len, NULL,
	    &binlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    binlen == 0 || binlen > ICON_MAX)
		goto out;
	media_type(json_object_get_string(t), ctype, sizeof(ctype));
	send_icon(r, ctype, bin, binlen);
	rc = 0;
out:
	free(bin);
	json_object_put(o);
	return rc;
}

/* Keep the icon "b" of type "ctype" (NULL: no icon) under "key". */
static void
store_icon(struct req *r, const char *key, const char *ctype,
    const struct body *b)
{
	json_object	*o;
	char		*b64;
	size_t		 n;

	o = json_object_new_object();
	if (ctype == NULL) {
		(void)jadd_nullable(o, "type", NULL);
		(void)store_put(r->db, r->kv, key, json_object_to_json_string_ext(
		    o, JSON_C_TO_STRING_PLAIN), MISS_TTL_MS);
		json_object_put(o);
		return;
	}
	n = sodium_base64_ENCODED_LEN(b->len, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(n);
	(void)sodium_bin2base64(b64, n, b->buf, b->len,
	    sodium_base64_VARIANT_ORIGINAL);
	(void)jadd(o, "type", json_object_new_string(ctype));
	(void)jadd(o, "data", json_object_new_string(b64));
	free(b64);
	if (store_put(r->db, r->kv, key, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), HIT_TTL_MS) == -1)
		log_info("favicon %s not cached", log_quote(key));
	json_object_put(o);
}

/*
 * GET /api/v1/favicon?url=<http(s) URL> -- the icon of the URL's site:
 * GET <scheme>://<host>[:port]/favicon.ico.  Any authenticated user.
 * 200 with the bytes (the upstream "image/..." type, else
 * application/octet-stream); 204 when the site answers non-2xx or an
 * empty body; 400 missing or non-http(s) URL; 502 the site failed or
 * sent more than 256 KiB or 3 redirects; 504 no answer in 5 s.
 */
static void
favicon_get(struct req *r)
{
	const char	*url, *ct = NULL;
	char		*target = NULL, *key = NULL, *doc;
	char		 ctype[TYPE_MAX + 1];
	struct body	 b;
	CURL		*c = NULL;
	CURLcode	 cc;
	long		 status = 0;

	memset(&b, 0, sizeof(b));
	url = req_query(r, "url");
	if (url == NULL || *url == '\0') {
		http_error(r, 400, "bad_request", "'url' is required");
		return;
	}
	if (strlen(url) > URL_MAX || target_of(url, &target, &key) == -1) {
		http_error(r, 400, "bad_request", "'url' must be an http or "
		    "https URL with a host, of at most %d characters",
		    URL_MAX);
		return;
	}
	if ((doc = store_get(r->db, r->kv, key)) != NULL) {
		if (send_stored(r, doc) == 0) {
			free(doc);
			goto out;
		}
		free(doc);
	}

	if ((c = curl_easy_init()) == NULL) {
		http_error(r, 500, "internal", "out of memory");
		goto out;
	}
	(void)curl_easy_setopt(c, CURLOPT_URL, target);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	(void)curl_easy_setopt(c, CURLOPT_MAXREDIRS, REDIRECTS_MAX);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)FETCH_MS);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)FETCH_MS);
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, conf_str("user_agent"));
	/* Only the configured proxy ("": none), never the environment's. */
	(void)curl_easy_setopt(c, CURLOPT_PROXY, conf_str("upstream_proxy"));
	(void)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)ICON_MAX);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	(void)curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_public);
	cc = curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);

	if (b.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		http_error(r, 502, "bad_gateway", "the icon of %s is larger "
		    "than %d bytes", key + 8, ICON_MAX);
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		http_error(r, 504, "gateway_timeout", "%s did not answer "
		    "within %d ms", key + 8, FETCH_MS);
		goto out;
	}
	if (cc == CURLE_TOO_MANY_REDIRECTS) {
		http_error(r, 502, "bad_gateway", "%s redirected more than "
		    "%ld times", key + 8, REDIRECTS_MAX);
		goto out;
	}
	if (cc != CURLE_OK) {
		http_error(r, 502, "bad_gateway", "cannot fetch the icon of "
		    "%s: %s", key + 8, curl_easy_strerror(cc));
		goto out;
	}
	/* A redirect elsewhere than a /favicon.ico never returns its body:
	 * this route must not read arbitrary URLs for its caller. */
	if (status < 200 || status > 299 || b.len == 0 ||
	    !icon_path(c)) {
		store_icon(r, key, NULL, NULL);
		send_icon(r, NULL, NULL, 0);
		goto out;
	}
	(void)curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	media_type(ct, ctype, sizeof(ctype));
	store_icon(r, key, ctype, &b);
	send_icon(r, ctype, b.buf, b.len);
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	free(b.buf);
	free(target);
	free(key);
}

/*
 * Connect only to public addresses: never link-local (cloud metadata),
 * private, shared or unspecified ones, also after a redirect.  Loopback
 * stays allowed: it only ever reaches /favicon.ico of the host itself.
 */
static curl_socket_t
open_public(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const unsigned char	*b;

	(void)arg;
	(void)purpose;
	if (a->family == AF_INET) {
		b = (const unsigned char *)&((struct sockaddr_in *)
		    (void *)&a->addr)->sin_addr;
		if (b[0] == 10 || b[0] == 0 || (b[0] == 169 && b[1] == 254) ||
		    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		    (b[0] == 192 && b[1] == 168) ||
		    (b[0] == 100 && (b[1] & 0xc0) == 64))
			return CURL_SOCKET_BAD;
	} else if (a->family == AF_INET6) {
		b = ((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr.s6_addr;
		if ((b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
		    (b[0] & 0xfe) == 0xfc)
			return CURL_SOCKET_BAD;
		/* IPv4-mapped: the same rules. */
		if (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
		    (b[12] == 10 || b[12] == 0 || (b[12] == 169 &&
		    b[13] == 254) || (b[12] == 172 && (b[13] & 0xf0) == 16) ||
		    (b[12] == 192 && b[13] == 168)))
			return CURL_SOCKET_BAD;
	} else
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

/* Did the transfer end on a /favicon.ico (after any redirects)? */
static int
icon_path(CURL *c)
{
	char		*eff = NULL, *path = NULL;
	CURLU		*u;
	int		 ok = 0;

	if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) != CURLE_OK ||
	    eff == NULL || (u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, eff, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK)
		ok = strcmp(path, "/favicon.ico") == 0;
	curl_free(path);
	curl_url_cleanup(u);
	return ok;
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-favicon", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
