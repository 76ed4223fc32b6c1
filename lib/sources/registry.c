/*
 * lib/sources/registry.c -- the table of built-in sources, and helpers
 * the source files share.  Adding a source: write lib/sources/<name>.c
 * defining "const struct src_def src_<name>", list it here and in
 * lib/local.mk.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "compat.h"
#include "source.h"
#include "xmalloc.h"

extern const struct src_def	src_virustotal;
extern const struct src_def	src_abuseipdb;
extern const struct src_def	src_urlhaus;
extern const struct src_def	src_http_json;
/* The catalogue, one list per group of sources. */
#define SRC(n)	extern const struct src_def src_##n;
#include "sources/list-web.h"
#include "sources/list-abusech.h"
#include "sources/list-net.h"
#include "sources/list-feeds.h"
#undef SRC

static const struct src_def *const registry[] = {
	&src_virustotal,
	&src_abuseipdb,
	&src_urlhaus,
	&src_http_json,
#define SRC(n)	&src_##n,
#include "sources/list-web.h"
#include "sources/list-abusech.h"
#include "sources/list-net.h"
#include "sources/list-feeds.h"
#undef SRC
};

const struct src_def *
src_find(const char *builtin)
{
	size_t	 i;

	if (builtin == NULL)
		return NULL;
	for (i = 0; i < nitems(registry); i++)
		if (strcmp(registry[i]->builtin, builtin) == 0)
			return registry[i];
	return NULL;
}

const struct src_def *const *
src_registry(size_t *n)
{
	*n = nitems(registry);
	return registry;
}

const char *
src_secret(const struct src_in *in, const char *name)
{
	size_t	 i;

	for (i = 0; i < in->nsecrets; i++)
		if (strcmp(in->secrets[i].name, name) == 0 &&
		    in->secrets[i].value != NULL)
			return in->secrets[i].value;
	return NULL;
}

void
src_headers(const struct src_in *in, struct src_req *rq, const char *slot,
    const char *header, const char *prefix)
{
	const char	*key;
	char		*h;

	if (slot != NULL && (key = src_secret(in, slot)) != NULL) {
		xasprintf(&h, "%s: %s%s", header, prefix != NULL ? prefix : "",
		    key);
		rq->headers = curl_slist_append(rq->headers, h);
		freezero_str(h);
	}
	rq->headers = curl_slist_append(rq->headers,
	    "Accept: application/json");
}

char *
src_escape(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*o, *p;
	unsigned char		 c;

	o = p = xmalloc(strlen(s) * 3 + 1);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			*p++ = (char)c;
		else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return o;
}

char *
src_url(const char *base, const char *fmt, ...)
{
	char	*tail, *url;
	size_t	 blen = strlen(base);
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&tail, fmt, ap) == -1)
		tail = NULL;
	va_end(ap);
	if (tail == NULL)
		return xstrdup(base);
	/* Exactly one slash between base and tail. */
	if (blen > 0 && base[blen - 1] == '/' && tail[0] == '/')
		blen--;
	xasprintf(&url, "%.*s%s%s", (int)blen, base,
	    (blen > 0 && base[blen - 1] != '/' && tail[0] != '/') ? "/" : "",
	    tail);
	free(tail);
	return url;
}

char *
src_b64url(const char *s)
{
	size_t	 len = strlen(s), cap;
	char	*out;

	cap = sodium_base64_encoded_len(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = xmalloc(cap);
	(void)sodium_bin2base64(out, cap, (const unsigned char *)s, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}
