/*
 * lib/source.h -- the built-in source framework.
 *
 * A built-in source is one file in lib/sources/ defining a struct
 * src_def: the kinds it answers, the secret slots it reads, how it
 * builds its HTTP request, and how it reads a 2xx answer.  Everything
 * else is shared and lives in lib/lookup.c and lib/sources/framework.c:
 * status mapping (404 NOT_FOUND, 401/403 UNAUTHORIZED, 429 RATE_LIMITED
 * with Retry-After, other non-2xx RESPONSE_ERROR), timeouts, the
 * response size cap, the proxy, the user agent, JSON parsing, caching,
 * rate limits, redaction of secrets from messages, config values and
 * the normalized verdict (docs/verdicts.md).
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
struct db;

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
	json_object		*config;	/* sources.config_values: an
						 * array of {"name","value"},
						 * or NULL (borrowed) */
	long long		 deadline;	/* monotonic ms (CLOCK_MONOTONIC)
						 * by which run() must be done */
	struct db		*db;		/* run(): local tables (feeds) */
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
	long long	 retry_after;	/* RATE_LIMITED: seconds to pause */
};

/*
 * A background task run (the scheduler calls src_def.task every
 * sources.task_interval seconds on one host at a time).
 */
struct src_task {
	const char		*source_id;
	const char		*base;		/* base URL (override or default) */
	const char		*source_url;
	const struct src_secret	*secrets;
	size_t			 nsecrets;
	json_object		*config;	/* config_values, or NULL */
	struct db		*db;		/* own connection, no transaction */
	long long		 deadline;	/* monotonic ms */
	volatile int		*stop;		/* non-zero: give up now (SIGTERM) */
};

struct src_task_out {
	long long	 rows;		/* rows loaded */
	long long	 bytes;		/* bytes downloaded */
	char		*error;		/* NULL on success, else xmalloc'd */
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
	/*
	 * Instead of build/parse: a source that is not one HTTP request
	 * (DNS, whois, local feed tables, several calls).  Runs on a
	 * thread of its own and may block until in->deadline; fills
	 * "out".  src_http() gives it the shared HTTP behaviour.  "in"
	 * and everything it points to stay valid until run() returns;
	 * in->db is the process's shared pool (thread-safe).  out->error
	 * must be a string constant.  A run() still going when the lookup
	 * ends is abandoned: its answer is dropped and the thread frees
	 * its own state, so it must not touch anything but "in" and
	 * "out".  Success with out->data == NULL reads as JSON null.
	 */
	void	(*run)(const struct src_in *, struct src_out *out);
	/*
	 * The normalized verdict of a successful answer ("data" borrowed,
	 * never NULL): an object made with src_verdict_new(), or NULL
	 * when the source has nothing to say.  Optional.
	 */
	json_object *(*verdict)(const struct src_in *, json_object *data);
	/* The background task (feed download...), or NULL.  Returns 0 or
	 * -1 with out->error set; must leave old data intact on failure. */
	int	(*task)(const struct src_task *, struct src_task_out *out);
};

/*
 * The normalized verdict: {"verdict": "malicious" | "suspicious" |
 * "benign" | "unknown", "score": 0..100, "tags": [...], "firstSeen",
 * "lastSeen" (ISO 8601 UTC, when known), "related": [{"kind", "data"}]}.
 */
#define SRC_MALICIOUS	"malicious"
#define SRC_SUSPICIOUS	"suspicious"
#define SRC_BENIGN	"benign"
#define SRC_UNKNOWN	"unknown"

json_object		*src_verdict_new(const char *verdict, int score);
void			 src_verdict_tag(json_object *v, const char *tag);
/* Each string of array "key" of object "o" (either may be missing) as a
 * tag. */
void			 src_verdict_tags(json_object *v, json_object *o,
			    const char *key);
/* Either may be NULL; values are normalized to ISO 8601 UTC when
 * they parse as a date, else kept as given. */
void			 src_verdict_seen(json_object *v, const char *first,
			    const char *last);
void			 src_verdict_related(json_object *v,
			    const char *kind, const char *data);

/*
 * One blocking HTTP exchange for run() and task(), with the shared
 * behaviour of build/parse sources: the deadline, the user agent, the
 * configured proxy, no redirects, the response size cap, and the status
 * mapping (404 NOT_FOUND, 401/403 UNAUTHORIZED, 429 RATE_LIMITED with
 * out->retry_after, other non-2xx RESPONSE_ERROR, transport errors
 * REQUEST_ERROR, TIMEOUT).  "rq" is consumed.  Returns 0 on a 2xx
 * answer, with the body in "*body" and "*len" (xmalloc'd, NUL-terminated) and
 * *json parsed when "want_json" (a body that is not JSON is a
 * RESPONSE_ERROR); -1 with out->error (and out->message) set.  Any of
 * body, len and json may be NULL.  The timeout runs to in->deadline (0:
 * 30 s from now); messages have the secrets of "in" redacted.
 */
int			 src_http(const struct src_in *, struct src_req *rq,
			    int want_json, char **body, size_t *len,
			    json_object **json, struct src_out *out);
/* A per-source config value (sources.config_values) as a string or
 * integer, "def" when unset or of the wrong type (an integer may be
 * given as a JSON number or a decimal string; outside [min, max] it is
 * "def").  config_values is the API's array of {"name" (or "key"),
 * "value"} objects; a plain {"key": value} object is read too. */
const char		*src_config_str(const struct src_in *, const char *key,
			    const char *def);
long long		 src_config_int(const struct src_in *, const char *key,
			    long long def, long long min, long long max);

/*
 * "text" with every secret value of "in" (as given and percent-encoded)
 * replaced by "***" (xmalloc'd; NULL for NULL).  The framework applies
 * it to every error message and log line it makes for a source, and to
 * the messages sources return, so a source need not.
 */
char			*src_redact(const struct src_in *, const char *text);
/*
 * The verdict a source's answer carries itself: when "data" is an
 * object with a "verdict" object whose "verdict" is one of the four
 * words (and "score", if any, a number 0..100), a new verdict object
 * made from its valid parts; else NULL.  Used for http_json and the
 * runner (Python, JavaScript) sources; see docs/verdicts.md.
 */
json_object		*src_verdict_lift(json_object *data);
/* malicious 3, suspicious 2, benign 1, unknown 0, anything else -1. */
int			 src_verdict_rank(const char *verdict);
/* A date (epoch seconds or milliseconds, ISO 8601 with or without
 * zone) as "YYYY-MM-DDTHH:MM:SSZ"; -1 when it does not parse. */
int			 src_date_iso(const char *in, char *buf, size_t sz);
/* Monotonic milliseconds, the clock of src_in.deadline. */
long long		 src_now_ms(void);
/*
 * The error of an abuse.ch answer whose "query_status" ("qs", NULL when
 * missing) is not a usable "ok": NOT_FOUND when it is one of the
 * space-separated words of "notfound", UNAUTHORIZED when one of
 * "refused" (either may be NULL), else RESPONSE_ERROR "query_status qs".
 */
void			 src_abusech_error(const char *qs, const char *notfound,
			    const char *refused, struct src_out *out);
/* The src_in of task "t"'s own requests (src_http, src_config_*, the
 * secrets): kind "kind", empty data. */
void			 src_task_in(const struct src_task *t,
			    enum ind_kind kind, struct src_in *in);

/*
 * For lib/lookup.c: the curl options and status mapping shared by its
 * transfers and src_http().  "easy" is a CURL *.
 */
struct src_body {
	char		*buf;		/* NUL-terminated once written */
	size_t		 len, cap;
	int		 too_big;	/* over upstream_response_max */
};
size_t			 src_body_write(char *, size_t, size_t, void *);
void			 src_body_free(struct src_body *);
/* URL, protocols, no redirects, timeout, UA, proxy, encodings, size
 * cap, headers, body sink, POST body. */
void			 src_curl_setup(void *easy, const struct src_req *,
			    long long timeout_ms, struct src_body *sink);
/* The transfer's outcome ("cc" a CURLcode): 0 on 2xx (with "*json"
 * parsed when "want_json"; NULL is a JSON null body), else -1 with
 * out->error, out->message and out->retry_after set. */
int			 src_http_map(void *easy, int cc,
			    const struct src_body *, int want_json,
			    json_object **json, struct src_out *out);

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
/*
 * A copy of "s" (upstream text, e.g. an error message to quote) cut to
 * at most "max" bytes, never inside a UTF-8 character, so that the
 * result stays as valid as "s" (xmalloc'd; NULL for NULL).
 */
char			*src_utf8_trunc(const char *s, size_t max);

/* --- Shared by some built-in sources (defined in the file named) ------- */

/*
 * lib/sources/shodan.c, for InternetDB too: the verdict of a Shodan host
 * record's "tags" and "vulns": a harmful tag (malware, c2, compromised,
 * doublepulsar) is malicious; known CVEs or a scanner/tor/proxy tag
 * suspicious; else unknown.  The tags and the first CVEs are its tags.
 */
json_object		*shodan_tags_verdict(json_object *host);

/* lib/sources/google_safe_browsing_update.c, for the Lookup API too. */
#define GSB_THREAT_TYPES \
	"MALWARE,SOCIAL_ENGINEERING,UNWANTED_SOFTWARE," \
	"POTENTIALLY_HARMFUL_APPLICATION"
/* {"clientId" (config value "client_id", default "iocagg"),
 * "clientVersion"}. */
json_object		*gsb_client(const struct src_in *);
/* Append the items of comma-separated "csv", trimmed, to array "a". */
void			 gsb_csv_append(json_object *a, const char *csv);
/* Malicious (100) with the threat types as tags when data's "matches"
 * has any, else unknown (0): not listed does not make a URL safe. */
json_object		*gsb_verdict(const struct src_in *, json_object *data);
/* A POST of JSON "body" (consumed) to <base>/<method>?key=<GSB_API_KEY>
 * (the key in the URL, as Google wants; the framework never logs it). */
void			 gsb_request(const struct src_in *, struct src_req *rq,
			    const char *method, json_object *body);

#endif
