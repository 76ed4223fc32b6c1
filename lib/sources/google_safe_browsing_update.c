/*
 * lib/sources/google_safe_browsing_update.c -- Google Safe Browsing
 * Update API v4: a local store of hash prefixes, refreshed by the
 * background task, that answers lookups without sending the URL out.
 *
 * Task: threatListUpdates:fetch for every configured list (threat type
 * x platform type, entry type URL) with the list's client state, RAW
 * compression only.  A FULL_UPDATE replaces the list; a PARTIAL_UPDATE
 * first drops the "rawIndices" of the sorted local list, then adds the
 * "rawHashes".  The SHA-256 of the sorted result must equal the
 * answer's checksum before anything is written (one transaction per
 * list); on a mismatch the list keeps its prefixes, loses its state,
 * and the next run asks a full update.  minimumWaitDuration is
 * honoured: a run before it is over asks nothing.
 *
 * Lookup: the URL is canonicalized and its host-suffix / path-prefix
 * expressions hashed (lib/sources/gsb_url.c); local prefixes matching a
 * hash are confirmed with fullHashes:find, and only a full hash Google
 * sends back is a match.  The URL itself never leaves; a hash prefix
 * does, and only on a local hit.
 *
 * Config values (task and lookup alike): "threat_types",
 * "platform_types" (comma-separated; defaults below), "client_id"
 * (default "iocagg"), "max_update_entries" (0: no limit, else a power
 * of two 1024..1048576; default 0).  Secret slot GSB_API_KEY, sent as
 * the key parameter.
 *
 * data: {"url": canonical URL, "expressions": n, "prefixMatches": n,
 * "matches": [{"threatType", "platformType", "threatEntryType",
 * "expression", "hash" (hex), "cacheDuration"}]}.  Verdict: malicious
 * (100) with the threat types as tags on a confirmed match, else
 * unknown (0).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "db.h"
#include "json.h"
#include "source.h"
#include "sources/gsb_url.h"
#include "xmalloc.h"

#define GSB_LISTS_MAX	64
#define HASH_LEN	32

struct pfx {
	unsigned char	 b[HASH_LEN];
	unsigned char	 len;
	unsigned char	 gone;		/* removed by this update */
};

struct gsb_list {
	char		*tt, *pt;
	char		*state;		/* NULL: none yet */
};

static const char *const sql_ensure =
    "INSERT INTO gsb_lists (threat_type, platform_type, threat_entry_type)"
    " VALUES ($1, $2, 'URL') ON CONFLICT DO NOTHING";
static const char *const sql_state =
    "SELECT state, wait_until > (now() AT TIME ZONE 'utc') AS waiting"
    " FROM gsb_lists WHERE threat_type = $1 AND platform_type = $2"
    " AND threat_entry_type = 'URL'";
static const char *const sql_lock =
    "SELECT state FROM gsb_lists WHERE threat_type = $1 AND"
    " platform_type = $2 AND threat_entry_type = 'URL' FOR UPDATE";
static const char *const sql_prefixes =
    "SELECT encode(prefix, 'hex') FROM gsb_prefixes WHERE threat_type = $1"
    " AND platform_type = $2 AND threat_entry_type = 'URL' ORDER BY prefix";
static const char *const sql_clear =
    "DELETE FROM gsb_prefixes WHERE threat_type = $1 AND platform_type = $2"
    " AND threat_entry_type = 'URL'";
static const char *const sql_remove =
    "DELETE FROM gsb_prefixes WHERE threat_type = $1 AND platform_type = $2"
    " AND threat_entry_type = 'URL' AND prefix = ANY (SELECT decode(x,"
    " 'hex') FROM unnest(string_to_array($3, ',')) AS x)";
static const char *const sql_add =
    "INSERT INTO gsb_prefixes (threat_type, platform_type,"
    " threat_entry_type, prefix) SELECT $1, $2, 'URL', decode(x, 'hex')"
    " FROM unnest(string_to_array($3, ',')) AS x ON CONFLICT DO NOTHING";
static const char *const sql_done =
    "UPDATE gsb_lists SET state = $3, prefixes = $4::int, updated_at ="
    " (now() AT TIME ZONE 'utc') WHERE threat_type = $1 AND"
    " platform_type = $2 AND threat_entry_type = 'URL'";
static const char *const sql_reset =
    "UPDATE gsb_lists SET state = NULL WHERE threat_type = $1 AND"
    " platform_type = $2 AND threat_entry_type = 'URL'";
static const char *const sql_wait =
    "UPDATE gsb_lists SET wait_until = (now() AT TIME ZONE 'utc') +"
    " make_interval(secs => $3::float8) WHERE threat_type = $1 AND"
    " platform_type = $2 AND threat_entry_type = 'URL'";
/* Loaded once a list was stored; a list whose checksum failed keeps its
 * prefixes but has no state until its next full update. */
static const char *const sql_loaded =
    "SELECT count(*) FILTER (WHERE updated_at IS NOT NULL) AS loaded,"
    " coalesce(array_to_json(array_agg(state) FILTER (WHERE state IS NOT"
    " NULL)), '[]') AS states FROM gsb_lists";
static const char *const sql_match =
    "WITH h AS (SELECT decode(x, 'hex') AS full FROM unnest($1::text[])"
    " AS x) SELECT DISTINCT encode(h.full, 'hex') AS full,"
    " encode(p.prefix, 'hex') AS prefix, p.threat_type, p.platform_type"
    " FROM h JOIN gsb_prefixes p ON substring(p.prefix FROM 1 FOR 4) ="
    " substring(h.full FROM 1 FOR 4) AND p.prefix = substring(h.full"
    " FROM 1 FOR octet_length(p.prefix))";

/* --- Helpers -------------------------------------------------------------- */

static char *
b64(const unsigned char *b, size_t n)
{
	size_t	 cap = sodium_base64_encoded_len(n,
	    sodium_base64_VARIANT_ORIGINAL);
	char	*o = xmalloc(cap);

	(void)sodium_bin2base64(o, cap, b, n, sodium_base64_VARIANT_ORIGINAL);
	return o;
}

/* Standard base64, padded or not; returns the length or -1. */
static long
unb64(const char *s, unsigned char **out)
{
	size_t	 cap = strlen(s) / 4 * 3 + 3, n;

	*out = xmalloc(cap + 1);
	if (sodium_base642bin(*out, cap, s, strlen(s), "\n", &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 ||
	    sodium_base642bin(*out, cap, s, strlen(s), "\n", &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0)
		return (long)n;
	free(*out);
	*out = NULL;
	return -1;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	(void)sodium_bin2hex(out, 2 * n + 1, b, n);
}

void
gsb_csv_append(json_object *a, const char *csv)
{
	const char	*p = csv, *e;
	size_t		 n;

	while (*p != '\0') {
		e = p + strcspn(p, ",");
		while (p < e && *p == ' ')
			p++;
		n = (size_t)(e - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0)
			(void)jappend(a, json_object_new_string_len(p, (int)n));
		p = *e == ',' ? e + 1 : e;
	}
}

json_object *
gsb_client(const struct src_in *in)
{
	json_object	*c = json_object_new_object();

	(void)jadd(c, "clientId", json_object_new_string(src_config_str(in,
	    "client_id", "iocagg")));
	(void)jadd(c, "clientVersion", json_object_new_string(
	    PACKAGE_VERSION));
	return c;
}

void
gsb_request(const struct src_in *in, struct src_req *rq, const char *method,
    json_object *body)
{
	const char	*key;
	char		*k;

	memset(rq, 0, sizeof(*rq));
	if ((key = src_secret(in, "GSB_API_KEY")) != NULL) {
		k = src_escape(key);
		rq->url = src_url(in->base, "/%s?key=%s", method, k);
		freezero_str(k);
	} else
		rq->url = src_url(in->base, "/%s", method);
	rq->post = 1;
	rq->body = xstrdup(json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(body);
	rq->headers = curl_slist_append(rq->headers,
	    "Content-Type: application/json");
	src_headers(in, rq, NULL, NULL, NULL);
}

static int
pfx_cmp(const void *a, const void *b)
{
	const struct pfx	*x = a, *y = b;
	size_t			 n = x->len < y->len ? x->len : y->len;
	int			 c;

	if ((c = memcmp(x->b, y->b, n)) != 0)
		return c;
	return (int)x->len - (int)y->len;
}

/* A Safe Browsing enum name: upper-case letters and '_'. */
static int
enum_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
	    n;
}

/* The configured lists (threat type x platform type); names that are
 * not enum names are skipped. */
static size_t
gsb_lists(const struct src_in *in, struct gsb_list *l)
{
	json_object	*tt, *pt;
	size_t		 i, j, n = 0;

	tt = json_object_new_array();
	pt = json_object_new_array();
	gsb_csv_append(tt, src_config_str(in, "threat_types",
	    GSB_THREAT_TYPES));
	gsb_csv_append(pt, src_config_str(in, "platform_types",
	    "ANY_PLATFORM"));
	for (i = 0; i < json_object_array_length(tt); i++)
		for (j = 0; j < json_object_array_length(pt) &&
		    n < GSB_LISTS_MAX; j++) {
			if (!enum_ok(json_object_get_string(
			    json_object_array_get_idx(tt, i))) ||
			    !enum_ok(json_object_get_string(
			    json_object_array_get_idx(pt, j))))
				continue;
			l[n].tt = xstrdup(json_object_get_string(
			    json_object_array_get_idx(tt, i)));
			l[n].pt = xstrdup(json_object_get_string(
			    json_object_array_get_idx(pt, j)));
			l[n].state = NULL;
			n++;
		}
	json_object_put(tt);
	json_object_put(pt);
	return n;
}

static void
lists_free(struct gsb_list *l, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(l[i].tt);
		free(l[i].pt);
		free(l[i].state);
	}
}

/* --- Task ---------------------------------------------------------------- */

/* The comma-joined hex of the prefixes of "v" picked by "want". */
static char *
join_hex(const struct pfx *v, size_t n, int (*want)(const struct pfx *))
{
	char	*o, *p;
	size_t	 i;

	o = p = xmalloc(n * (2 * HASH_LEN + 1) + 1);
	*p = '\0';
	for (i = 0; i < n; i++) {
		if (want != NULL && !want(&v[i]))
			continue;
		if (p != o)
			*p++ = ',';
		hex(v[i].b, v[i].len, p);
		p += 2 * v[i].len;
	}
	*p = '\0';
	return o;
}

static int
is_gone(const struct pfx *p)
{
	return p->gone;
}

static int
hexpair(const char *s)
{
	unsigned char	 b;

	return sodium_hex2bin(&b, 1, s, 2, NULL, NULL, NULL) == 0 ? b : -1;
}

/* The list's prefixes, sorted as the server sorts them. */
static int
load_prefixes(struct db *db, const struct gsb_list *l, struct pfx **v,
    size_t *n)
{
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[2] = { l->tt, l->pt }, *h;
	size_t		 i, k, len;
	int		 rows, c;

	*v = NULL;
	*n = 0;
	pr = db_query(db, sql_prefixes, 2, p, &res);
	if (res != DB_OK) {
		PQclear(pr);
		return -1;
	}
	rows = PQntuples(pr);
	*v = xcalloc((size_t)rows + 1, sizeof(**v));
	for (i = 0; i < (size_t)rows; i++) {
		h = PQgetvalue(pr, (int)i, 0);
		len = strlen(h) / 2;
		if (len < 4 || len > HASH_LEN)
			continue;
		for (k = 0; k < len; k++) {
			if ((c = hexpair(h + 2 * k)) < 0)
				break;
			(*v)[*n].b[k] = (unsigned char)c;
		}
		(*v)[*n].len = (unsigned char)len;
		(*n)++;
	}
	PQclear(pr);
	return 0;
}

/*
 * Apply one listUpdateResponse to list "l" (its state as sent).
 * Returns the number of changes, or -1 with "err" set.
 */
static long long
apply_update(struct db *db, const struct gsb_list *l, json_object *u,
    char *err, size_t errsz)
{
	struct pfx	*v = NULL, *nv;
	json_object	*a, *e, *x, *idx;
	const char	*rt, *p[4], *ns, *st, *sum;
	unsigned char	*raw = NULL, *want = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		*gone = NULL, *added = NULL, count[32];
	size_t		 n = 0, nn, i, j, k, m, adds = 0, dels = 0;
	long		 rawlen;
	long long	 size;
	int		 full, rc = -1;
	PGresult	*pr;
	enum dbres	 res;
	EVP_MD_CTX	*ctx;

	rt = jget_str(u, "responseType");
	full = rt != NULL && strcmp(rt, "FULL_UPDATE") == 0;
	if (!full && (rt == NULL || strcmp(rt, "PARTIAL_UPDATE") != 0)) {
		(void)snprintf(err, errsz, "responseType %s",
		    rt != NULL ? rt : "missing");
		return -1;
	}
	if (!full && load_prefixes(db, l, &v, &n) == -1) {
		(void)snprintf(err, errsz, "cannot read the local list");
		return -1;
	}
	if (full)
		v = xcalloc(1, sizeof(*v));

	/* Removals: indices into the sorted local list. */
	if (json_object_object_get_ex(u, "removals", &a) &&
	    json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a); i++) {
			e = json_object_array_get_idx(a, i);
			st = jget_str(e, "compressionType");
			if (st != NULL && strcmp(st, "RAW") != 0) {
				(void)snprintf(err, errsz, "removal "
				    "compression %s is not supported", st);
				goto out;
			}
			if (!json_object_object_get_ex(e, "rawIndices", &x) ||
			    !json_object_object_get_ex(x, "indices", &idx) ||
			    !json_object_is_type(idx, json_type_array))
				continue;
			for (j = 0; j < json_object_array_length(idx); j++) {
				size = json_object_get_int64(
				    json_object_array_get_idx(idx, j));
				if (size < 0 || (size_t)size >= n) {
					(void)snprintf(err, errsz, "removal "
					    "index %lld out of range", size);
					goto out;
				}
				if (!v[size].gone)
					dels++;
				v[size].gone = 1;
			}
		}
	}
	/* Additions: runs of prefixes of one size. */
	nv = NULL;
	nn = 0;
	if (json_object_object_get_ex(u, "additions", &a) &&
	    json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a); i++) {
			e = json_object_array_get_idx(a, i);
			st = jget_str(e, "compressionType");
			if (st != NULL && strcmp(st, "RAW") != 0) {
				(void)snprintf(err, errsz, "addition "
				    "compression %s is not supported", st);
				free(nv);
				goto out;
			}
			if (!json_object_object_get_ex(e, "rawHashes", &x))
				continue;
			size = json_object_object_get_ex(x, "prefixSize",
			    &idx) ? json_object_get_int64(idx) : 0;
			st = jget_str(x, "rawHashes");
			if (size < 4 || size > HASH_LEN || st == NULL ||
			    (rawlen = unb64(st, &raw)) < 0 ||
			    rawlen % size != 0) {
				(void)snprintf(err, errsz, "malformed "
				    "rawHashes");
				free(raw);
				free(nv);
				goto out;
			}
			m = (size_t)(rawlen / size);
			nv = xreallocarray(nv, nn + m + 1, sizeof(*nv));
			for (k = 0; k < m; k++) {
				memset(&nv[nn], 0, sizeof(nv[nn]));
				memcpy(nv[nn].b, raw + k * (size_t)size,
				    (size_t)size);
				nv[nn].len = (unsigned char)size;
				nn++;
			}
			adds += m;
			free(raw);
			raw = NULL;
		}
	}
	/* What the database drops, before "v" becomes the new list. */
	if (!full)
		gone = join_hex(v, n, is_gone);
	/* The new list: what stays, plus the additions, sorted. */
	v = xreallocarray(v, n + nn + 1, sizeof(*v));
	for (i = 0, j = 0; i < n; i++)
		if (!v[i].gone)
			v[j++] = v[i];
	m = j;
	if (nn > 0)
		memcpy(v + m, nv, nn * sizeof(*nv));
	m += nn;
	qsort(v, m, sizeof(*v), pfx_cmp);
	for (i = 0, j = 0; i < m; i++)
		if (j == 0 || pfx_cmp(&v[j - 1], &v[i]) != 0)
			v[j++] = v[i];
	m = j;

	/* The checksum: SHA-256 of the sorted prefixes, concatenated. */
	if (json_object_object_get_ex(u, "checksum", &x) &&
	    (sum = jget_str(x, "sha256")) != NULL) {
		if ((ctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(ctx);
			(void)snprintf(err, errsz, "SHA-256 unavailable");
			free(nv);
			goto out;
		}
		for (i = 0; i < m; i++)
			(void)EVP_DigestUpdate(ctx, v[i].b, v[i].len);
		(void)EVP_DigestFinal_ex(ctx, md, &mdlen);
		EVP_MD_CTX_free(ctx);
		if (unb64(sum, &want) != HASH_LEN || mdlen != HASH_LEN ||
		    memcmp(want, md, HASH_LEN) != 0) {
			p[0] = l->tt;
			p[1] = l->pt;
			(void)db_cmd(db, sql_reset, 2, p);
			(void)snprintf(err, errsz, "checksum mismatch: the "
			    "next update is a full one");
			free(nv);
			goto out;
		}
	}

	/* Write it: prefixes and state together, if nobody else did. */
	if ((ns = jget_str(u, "newClientState")) == NULL) {
		(void)snprintf(err, errsz, "no newClientState");
		free(nv);
		goto out;
	}
	added = full ? join_hex(v, m, NULL) : join_hex(nv, nn, NULL);
	free(nv);
	if (db_begin(db) != DB_OK) {
		(void)snprintf(err, errsz, "the database is unavailable");
		goto out;
	}
	p[0] = l->tt;
	p[1] = l->pt;
	pr = db_exec(db, sql_lock, 2, p, &res);
	if (res != DB_OK || PQntuples(pr) != 1 ||
	    (PQgetisnull(pr, 0, 0) ? l->state != NULL : (l->state == NULL ||
	    strcmp(PQgetvalue(pr, 0, 0), l->state) != 0))) {
		PQclear(pr);
		db_rollback(db);
		(void)snprintf(err, errsz, "the list changed meanwhile");
		goto out;
	}
	PQclear(pr);
	res = full ? db_cmd(db, sql_clear, 2, p) : DB_OK;
	if (res == DB_OK && gone != NULL && *gone != '\0') {
		p[2] = gone;
		res = db_cmd(db, sql_remove, 3, p);
	}
	if (res == DB_OK) {
		p[2] = added;
		res = db_cmd(db, sql_add, 3, p);
	}
	if (res == DB_OK) {
		(void)snprintf(count, sizeof(count), "%zu", m);
		p[2] = ns;
		p[3] = count;
		res = db_cmd(db, sql_done, 4, p);
	}
	if (res != DB_OK || db_commit(db) != DB_OK) {
		db_rollback(db);
		(void)snprintf(err, errsz, "the list could not be stored");
		goto out;
	}
	rc = 0;
out:
	free(v);
	free(want);
	free(gone);
	free(added);
	return rc == 0 ? (long long)(adds + dels) : -1;
}

static int
gsbu_task(const struct src_task *t, struct src_task_out *out)
{
	struct src_in	 in;
	struct src_out	 o;
	struct src_req	 rq;
	struct gsb_list	 l[GSB_LISTS_MAX];
	json_object	*b, *reqs, *r, *c, *comp, *body = NULL, *resp, *u;
	PGresult	*pr;
	enum dbres	 res;
	const char	*p[3], *tt, *pt, *w;
	char		 err[256], *errs = NULL, *tmp, secs[32];
	size_t		 n, i, j, len = 0;
	long long	 maxu, ch;
	int		 waiting = 0, rc = 0;

	memset(&o, 0, sizeof(o));
	src_task_in(t, IND_URL, &in);

	if ((n = gsb_lists(&in, l)) == 0) {
		out->error = xstrdup("no valid list in threat_types and "
		    "platform_types");
		return -1;
	}
	for (i = 0; i < n; i++) {
		p[0] = l[i].tt;
		p[1] = l[i].pt;
		if (db_cmd(t->db, sql_ensure, 2, p) != DB_OK) {
			out->error = xstrdup("the database is unavailable");
			lists_free(l, n);
			return -1;
		}
		pr = db_query(t->db, sql_state, 2, p, &res);
		if (res == DB_OK && PQntuples(pr) == 1) {
			if (!PQgetisnull(pr, 0, 0))
				l[i].state = xstrdup(PQgetvalue(pr, 0, 0));
			if ((w = db_val(pr, 0, "waiting")) != NULL &&
			    *w == 't')
				waiting = 1;
		}
		PQclear(pr);
	}
	if (waiting) {
		/* Google's minimumWaitDuration is not over: ask nothing. */
		lists_free(l, n);
		return 0;
	}

	b = json_object_new_object();
	(void)jadd(b, "client", gsb_client(&in));
	reqs = json_object_new_array();
	maxu = src_config_int(&in, "max_update_entries", 0, 0, 1048576);
	for (i = 0; i < n; i++) {
		r = json_object_new_object();
		(void)jadd(r, "threatType", json_object_new_string(l[i].tt));
		(void)jadd(r, "platformType", json_object_new_string(l[i].pt));
		(void)jadd(r, "threatEntryType", json_object_new_string("URL"));
		if (l[i].state != NULL)
			(void)jadd(r, "state", json_object_new_string(
			    l[i].state));
		c = json_object_new_object();
		if (maxu > 0)
			(void)jadd(c, "maxUpdateEntries",
			    json_object_new_int64(maxu));
		comp = json_object_new_array();
		(void)jappend(comp, json_object_new_string("RAW"));
		(void)jadd(c, "supportedCompressions", comp);
		(void)jadd(r, "constraints", c);
		(void)jappend(reqs, r);
	}
	(void)jadd(b, "listUpdateRequests", reqs);
	gsb_request(&in, &rq, "threatListUpdates:fetch", b);
	tmp = NULL;
	if (src_http(&in, &rq, 1, &tmp, &len, &body, &o) == -1) {
		xasprintf(&out->error, "threatListUpdates:fetch: %s%s%s",
		    o.error, o.message != NULL ? ": " : "",
		    o.message != NULL ? o.message : "");
		free(o.message);
		lists_free(l, n);
		return -1;
	}
	free(tmp);
	out->bytes = (long long)len;
	if (!json_object_object_get_ex(body, "listUpdateResponses", &resp) ||
	    !json_object_is_type(resp, json_type_array)) {
		out->error = xstrdup("threatListUpdates:fetch: no "
		    "listUpdateResponses");
		json_object_put(body);
		lists_free(l, n);
		return -1;
	}
	for (j = 0; j < json_object_array_length(resp); j++) {
		if (t->stop != NULL && *t->stop) {
			errs = xstrdup("stopped");
			break;
		}
		u = json_object_array_get_idx(resp, j);
		tt = jget_str(u, "threatType");
		pt = jget_str(u, "platformType");
		for (i = 0; i < n; i++)
			if (tt != NULL && pt != NULL &&
			    strcmp(l[i].tt, tt) == 0 &&
			    strcmp(l[i].pt, pt) == 0)
				break;
		if (i == n)
			continue;
		if ((ch = apply_update(t->db, &l[i], u, err,
		    sizeof(err))) < 0) {
			tmp = errs;
			xasprintf(&errs, "%s%s%s/%s: %s", tmp ? tmp : "",
			    tmp ? "; " : "", tt, pt, err);
			free(tmp);
		} else
			out->rows += ch;
	}
	/* "593.440s": no new request before that. */
	if ((w = jget_str(body, "minimumWaitDuration")) != NULL) {
		(void)snprintf(secs, sizeof(secs), "%.3f", strtod(w, NULL));
		for (i = 0; i < n; i++) {
			p[0] = l[i].tt;
			p[1] = l[i].pt;
			p[2] = secs;
			(void)db_cmd(t->db, sql_wait, 3, p);
		}
	}
	json_object_put(body);
	lists_free(l, n);
	if (errs != NULL) {
		out->error = errs;
		rc = -1;
	}
	return rc;
}

/* --- Lookup -------------------------------------------------------------- */

struct expr {
	char		*text;
	char		 hex[2 * HASH_LEN + 1];
};

static json_object *
result(const char *canon, size_t nexpr, size_t nprefix, json_object *m)
{
	json_object	*o = json_object_new_object();

	(void)jadd(o, "url", json_object_new_string(canon));
	(void)jadd(o, "expressions", json_object_new_int64((int64_t)nexpr));
	(void)jadd(o, "prefixMatches", json_object_new_int64(
	    (int64_t)nprefix));
	(void)jadd(o, "matches", m != NULL ? m : json_object_new_array());
	return o;
}

/* Add "s" to string array "a" unless it is there. */
static void
add_unique(json_object *a, const char *s)
{
	size_t	 i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(a, i)), s) == 0)
			return;
	(void)jappend(a, json_object_new_string(s));
}

static void
gsbu_run(const struct src_in *in, struct src_out *out)
{
	struct expr	 ex[GSB_MAX_EXPR];
	char		*texts[GSB_MAX_EXPR], *canon, *arr, *ap, *h;
	unsigned char	 md[EVP_MAX_MD_SIZE], pb[HASH_LEN], *full;
	unsigned int	 mdlen;
	size_t		 n, i, k, plen;
	long		 fl;
	const char	*p[1], *states, *err, *pref, *fh;
	PGresult	*pr;
	enum dbres	 res;
	json_object	*st = NULL, *b, *ti, *tts, *pts, *ets, *ents, *e,
			*body = NULL, *m, *x, *matches;
	struct src_req	 rq;
	int		 rows;

	if (in->kind != IND_URL || (canon = gsb_canonicalize(in->data)) ==
	    NULL) {
		out->error = "UNSUPPORTED_INDICATOR";
		return;
	}
	n = gsb_expressions(in->data, texts);
	arr = ap = xmalloc(n * (2 * HASH_LEN + 1) + 3);
	*ap++ = '{';
	for (i = 0; i < n; i++) {
		ex[i].text = texts[i];
		mdlen = 0;
		(void)EVP_Digest(texts[i], strlen(texts[i]), md, &mdlen,
		    EVP_sha256(), NULL);
		hex(md, HASH_LEN, ex[i].hex);
		if (i > 0)
			*ap++ = ',';
		memcpy(ap, ex[i].hex, 2 * HASH_LEN);
		ap += 2 * HASH_LEN;
	}
	*ap++ = '}';
	*ap = '\0';

	pr = db_query(in->db, sql_loaded, 0, NULL, &res);
	states = res == DB_OK && PQntuples(pr) == 1 &&
	    strcmp(db_val(pr, 0, "loaded"), "0") != 0 ? db_val(pr, 0,
	    "states") : NULL;
	if (res != DB_OK)
		out->error = "DATABASE_ERROR";
	else if (states == NULL) {
		out->error = "NOT_FOUND";
		out->message = xstrdup("the local Safe Browsing store is "
		    "empty: its update task has not run yet");
	} else
		st = json_parse_capped(states, strlen(states), 4, &err);
	PQclear(pr);
	if (out->error != NULL)
		goto done;

	p[0] = arr;
	pr = db_query(in->db, sql_match, 1, p, &res);
	if (res != DB_OK) {
		PQclear(pr);
		out->error = "DATABASE_ERROR";
		goto done;
	}
	rows = PQntuples(pr);
	if (rows == 0) {
		PQclear(pr);
		out->data = result(canon, n, 0, NULL);
		goto done;
	}

	/* Local hits: ask Google for the full hashes of those prefixes. */
	b = json_object_new_object();
	(void)jadd(b, "client", gsb_client(in));
	(void)jadd(b, "clientStates", st != NULL ? json_object_get(st) :
	    json_object_new_array());
	ti = json_object_new_object();
	tts = json_object_new_array();
	pts = json_object_new_array();
	ets = json_object_new_array();
	ents = json_object_new_array();
	(void)jappend(ets, json_object_new_string("URL"));
	for (k = 0, i = 0; i < (size_t)rows; i++) {
		add_unique(tts, db_val(pr, (int)i, "threat_type"));
		add_unique(pts, db_val(pr, (int)i, "platform_type"));
		pref = db_val(pr, (int)i, "prefix");
		plen = strlen(pref) / 2;
		if (plen > HASH_LEN || sodium_hex2bin(pb, sizeof(pb), pref,
		    strlen(pref), NULL, NULL, NULL) != 0)
			continue;
		h = b64(pb, plen);
		for (x = NULL, k = 0; k < json_object_array_length(ents); k++)
			if (strcmp(jget_str(json_object_array_get_idx(ents, k),
			    "hash"), h) == 0)
				x = ents;
		if (x == NULL) {
			e = json_object_new_object();
			(void)jadd(e, "hash", json_object_new_string(h));
			(void)jappend(ents, e);
		}
		free(h);
	}
	PQclear(pr);
	(void)jadd(ti, "threatTypes", tts);
	(void)jadd(ti, "platformTypes", pts);
	(void)jadd(ti, "threatEntryTypes", ets);
	k = json_object_array_length(ents);
	(void)jadd(ti, "threatEntries", ents);
	(void)jadd(b, "threatInfo", ti);
	gsb_request(in, &rq, "fullHashes:find", b);
	if (src_http(in, &rq, 1, NULL, NULL, &body, out) == -1)
		goto done;
	if (!json_object_is_type(body, json_type_object)) {
		out->error = "RESPONSE_ERROR";
		out->message = xstrdup("not a fullHashes answer");
		goto done;
	}
	matches = json_object_new_array();
	if (json_object_object_get_ex(body, "matches", &m) &&
	    json_object_is_type(m, json_type_array))
		for (i = 0; i < json_object_array_length(m); i++) {
			e = json_object_array_get_idx(m, i);
			if (!json_object_object_get_ex(e, "threat", &x) ||
			    (fh = jget_str(x, "hash")) == NULL ||
			    (fl = unb64(fh, &full)) < 0)
				continue;
			if (fl == HASH_LEN) {
				char	 fx[2 * HASH_LEN + 1];
				size_t	 q;

				hex(full, HASH_LEN, fx);
				for (q = 0; q < n; q++)
					if (strcmp(ex[q].hex, fx) == 0)
						break;
				if (q < n) {
					x = json_object_new_object();
					(void)jadd_nullable(x, "threatType",
					    jstr_or_null(jget_str(e,
					    "threatType")));
					(void)jadd_nullable(x, "platformType",
					    jstr_or_null(jget_str(e,
					    "platformType")));
					(void)jadd_nullable(x,
					    "threatEntryType", jstr_or_null(
					    jget_str(e, "threatEntryType")));
					(void)jadd(x, "expression",
					    json_object_new_string(
					    ex[q].text));
					(void)jadd(x, "hash",
					    json_object_new_string(fx));
					(void)jadd_nullable(x, "cacheDuration",
					    jstr_or_null(jget_str(e,
					    "cacheDuration")));
					(void)jappend(matches, x);
				}
			}
			free(full);
		}
	out->data = result(canon, n, k, matches);
done:
	json_object_put(body);
	json_object_put(st);
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(arr);
	free(canon);
}

json_object *
gsb_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *m;
	const char	*t;
	size_t		 i, n;

	(void)in;
	if (!json_object_object_get_ex(data, "matches", &m) ||
	    (n = json_object_array_length(m)) == 0)
		return src_verdict_new(SRC_UNKNOWN, 0);
	v = src_verdict_new(SRC_MALICIOUS, 100);
	for (i = 0; i < n; i++)
		if ((t = jget_str(json_object_array_get_idx(m, i),
		    "threatType")) != NULL)
			src_verdict_tag(v, t);
	return v;
}

const struct src_def src_google_safe_browsing_update = {
	.builtin = "google_safe_browsing_update",
	.base = "https://safebrowsing.googleapis.com/v4",
	.kinds = KIND_BIT(IND_URL),
	.run = gsbu_run,
	.verdict = gsb_verdict,
	.task = gsbu_task,
};
