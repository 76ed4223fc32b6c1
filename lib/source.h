/*
 * lib/source.h -- the built-in source framework.
 *
 * A built-in source is one file in lib/sources/ defining a struct
 * src_def: the kinds it answers, the secret slots it reads, how it
 * builds its HTTP request, and how it reads a 2xx answer.  Everything
 * else is shared and lives in lib/lookup.c: status mapping (404
 * NOT_FOUND, 401/403 UNAUTHORIZED, 429 RATE_LIMITED with Retry-After,
 * other non-2xx RESPONSE_ERROR), timeouts, the response size cap, the
 * proxy, the user agent, JSON parsing, caching and rate limits.
 *
 * Sources are registered in lib/sources/registry.c and linked to a
 * database row by sources.builtin.
 */
#ifndef IOCAGG_SOURCE_H
#define IOCAGG_SOURCE_H

#include <stddef.h>

#include <json-c/json.h>

#include "indicator.h"

struct curl_slist;

#define KIND_BIT(k)	(1u << (k))

struct src_secret {
	const char	*name;		/* slot name, e.g. "VIRUSTOTAL_KEY" */
	const char	*value;		/* decrypted value */
};

/* What a source's functions see of the lookup. */
struct src_in {
	const char		*data;		/* normalized indicator */
	enum ind_kind		 kind;
	const char		*base;		/* base URL (override or default) */
	const char		*source_url;	/* the source row's url */
	const struct src_secret	*secrets;
	size_t			 nsecrets;
};

/* The request a source wants made; the framework frees it. */
struct src_req {
	char			*url;		/* xmalloc'd */
	int			 post;		/* POST instead of GET */
	char			*body;		/* xmalloc'd, or NULL */
	struct curl_slist	*headers;	/* curl_slist_append()ed */
};

/* How a 2xx answer reads: data, or an error kind with content. */
struct src_out {
	json_object	*data;		/* owned; NULL is JSON null */
	const char	*error;		/* NULL, or an error kind */
	char		*message;	/* optional error detail, xmalloc'd */
};

struct src_def {
	const char		*builtin;	/* sources.builtin */
	const char		*base;		/* default base URL */
	unsigned		 kinds;		/* KIND_BIT() set it answers */
	/*
	 * Fill "rq" for this indicator; return -1 with "err" set when the
	 * source cannot look it up (reported as UNSUPPORTED_INDICATOR).
	 */
	int	(*build)(const struct src_in *, struct src_req *rq,
		    char *err, size_t errsz);
	/* Read a 2xx answer already parsed as JSON ("body" borrowed). */
	void	(*parse)(const struct src_in *, json_object *body,
		    struct src_out *out);
};

const struct src_def	*src_find(const char *builtin);
const struct src_def *const *src_registry(size_t *n);
/* The value of secret slot "name", or NULL. */
const char		*src_secret(const struct src_in *, const char *name);
/*
 * Add "<header>: <prefix><value of secret slot>" when the slot holds a
 * secret (the value is wiped from the temporary), and "Accept:
 * application/json".
 */
void			 src_headers(const struct src_in *, struct src_req *,
			    const char *slot, const char *header,
			    const char *prefix);
/* Percent-encode "s" for a URL path segment or form value (xmalloc'd). */
char			*src_escape(const char *s);
/* "base" + "fmt"... into an xmalloc'd URL. */
char			*src_url(const char *base, const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));
/* Unpadded URL-safe base64 (VirusTotal URL ids), xmalloc'd. */
char			*src_b64url(const char *s);

#endif
