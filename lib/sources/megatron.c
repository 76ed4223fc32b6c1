/*
 * lib/sources/megatron.c -- Megatron (abuse.ch), IP addresses.
 *
 * Megatron has no public API documentation; the shapes below are the
 * assumptions written down in docs/sources-abusech.md, in the style of
 * the other abuse.ch APIs: POST <base>/ with a form, the Auth-Key header
 * (secret slot MEGATRON_KEY), and a JSON answer with "query_status".
 *
 *   task: query=get_entries -> {"query_status": "ok", "data": [entry]}
 *         with entry {"ip_address", "first_seen", "last_seen", ...};
 *         the entries are upserted into the "megatron" table (one row
 *         per address, the whole entry kept as JSON) in one transaction,
 *         rows (and megatron_refreshes rows) older than
 *         "retention_days" (config, default 30) are dropped, and a
 *         megatron_refreshes row is written.
 *   lookup: config "mode": "local" answers from the table only, "api"
 *         asks query=search_ip&ip_address=<ip> ("no_results" is
 *         NOT_FOUND), "auto" (the default) answers from the table once
 *         a download has succeeded and asks the API before that.
 *
 * data: {"origin": "local" | "api", "refreshedAt": time of the last
 * download or null, "entries": [entry, ...]}.  A listed address is
 * malicious with the entry's "confidence_level" (default 75) as score.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "db.h"
#include "json.h"
#include "source.h"
#include "xmalloc.h"

#define MEGATRON_DEFAULT_SCORE	75

static const char *const sql_lookup =
    "SELECT entry::text AS entry,"
    " (SELECT to_char(max(refreshed_at), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')"
    "  FROM megatron_refreshes) AS refreshed"
    " FROM megatron WHERE ip = $1::inet ORDER BY last_seen DESC NULLS LAST";
static const char *const sql_loaded =
    "SELECT to_char(max(refreshed_at), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')"
    " FROM megatron_refreshes";
/* $1: a JSON array of {ip, first_seen, last_seen, entry}, already
 * checked; the same address twice keeps its latest entry. */
static const char *const sql_upsert =
    "INSERT INTO megatron AS m (ip, first_seen, last_seen, entry)"
    " SELECT DISTINCT ON (r.ip) r.ip, r.first_seen, r.last_seen, r.entry"
    " FROM json_to_recordset($1::json) AS r(ip inet, first_seen timestamp,"
    " last_seen timestamp, entry jsonb)"
    " ORDER BY r.ip, r.last_seen DESC NULLS LAST"
    " ON CONFLICT (ip) DO UPDATE SET first_seen = LEAST(m.first_seen,"
    " EXCLUDED.first_seen), last_seen = EXCLUDED.last_seen,"
    " entry = EXCLUDED.entry,"
    " updated_at = (now() AT TIME ZONE 'utc')";
static const char *const sql_expire =
    "DELETE FROM megatron WHERE updated_at <"
    " (now() AT TIME ZONE 'utc') - make_interval(days => $1::int)";
static const char *const sql_expire_refreshes =
    "DELETE FROM megatron_refreshes WHERE refreshed_at <"
    " (now() AT TIME ZONE 'utc') - make_interval(days => $1::int)";
static const char *const sql_refresh =
    "INSERT INTO megatron_refreshes (entries, bytes) VALUES ($1, $2)";

static void
add_auth(const struct src_in *in, struct src_req *rq)
{
	rq->headers = curl_slist_append(rq->headers,
	    "Content-Type: application/x-www-form-urlencoded");
	src_headers(in, rq, "MEGATRON_KEY", "Auth-Key", NULL);
}

/* A 2xx abuse.ch answer: its "data" array, or -1 with "out" set. */
static int
query_ok(json_object *body, json_object **data, struct src_out *out)
{
	const char	*qs = jget_str(body, "query_status");

	if (qs != NULL && strcmp(qs, "ok") == 0 &&
	    json_object_object_get_ex(body, "data", data) &&
	    json_object_is_type(*data, json_type_array))
		return 0;
	src_abusech_error(qs, "no_results", "unknown_auth_key", out);
	return -1;
}

static json_object *
wrap(const char *origin, const char *refreshed, json_object *entries)
{
	json_object	*o = json_object_new_object();

	(void)jadd(o, "origin", json_object_new_string(origin));
	(void)jadd_nullable(o, "refreshedAt", jstr_or_null(refreshed));
	(void)jadd(o, "entries", entries);
	return o;
}

static void
ask_api(const struct src_in *in, struct src_out *out)
{
	struct src_req	 rq;
	json_object	*body = NULL, *data;
	char		*ip;

	memset(&rq, 0, sizeof(rq));
	rq.url = src_url(in->base, "/");
	rq.post = 1;
	ip = src_escape(in->data);
	xasprintf(&rq.body, "query=search_ip&ip_address=%s", ip);
	free(ip);
	add_auth(in, &rq);
	if (src_http(in, &rq, 1, NULL, NULL, &body, out) == -1)
		return;
	if (query_ok(body, &data, out) == 0)
		out->data = wrap("api", NULL, json_object_get(data));
	json_object_put(body);
}

static void
mt_run(const struct src_in *in, struct src_out *out)
{
	const char	*mode = src_config_str(in, "mode", "auto");
	const char	*p[1], *err, *v;
	PGresult	*pr;
	enum dbres	 res;
	json_object	*entries, *e;
	int		 i, n;

	if (strcmp(mode, "api") == 0) {
		ask_api(in, out);
		return;
	}
	p[0] = in->data;
	pr = db_query(in->db, sql_lookup, 1, p, &res);
	if (res != DB_OK) {
		PQclear(pr);
		out->error = "DATABASE_ERROR";
		return;
	}
	n = PQntuples(pr);
	if (n > 0) {
		entries = json_object_new_array();
		for (i = 0; i < n; i++) {
			v = db_val(pr, i, "entry");
			if ((e = json_parse_capped(v, strlen(v), 64, &err)) !=
			    NULL)
				(void)jappend(entries, e);
		}
		out->data = wrap("local", db_val(pr, 0, "refreshed"), entries);
		PQclear(pr);
		return;
	}
	PQclear(pr);
	if (strcmp(mode, "local") != 0) {
		/* Not in the table: final once a download succeeded. */
		pr = db_query(in->db, sql_loaded, 0, NULL, &res);
		v = res == DB_OK && PQntuples(pr) > 0 ? db_val(pr, 0, "to_char") :
		    NULL;
		if (res == DB_OK && v == NULL) {
			PQclear(pr);
			ask_api(in, out);
			return;
		}
		PQclear(pr);
	}
	out->error = "NOT_FOUND";
}

static json_object *
mt_verdict(const struct src_in *in, json_object *data)
{
	json_object	*v, *entries, *e, *x;
	const char	*first = NULL, *last = NULL, *s;
	int		 score = -1, c;
	size_t		 i, n;

	(void)in;
	if (!json_object_object_get_ex(data, "entries", &entries) ||
	    !json_object_is_type(entries, json_type_array) ||
	    (n = json_object_array_length(entries)) == 0)
		return NULL;
	v = src_verdict_new(SRC_MALICIOUS, 0);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(entries, i);
		if (json_object_object_get_ex(e, "confidence_level", &x) &&
		    (json_object_is_type(x, json_type_int) ||
		    json_object_is_type(x, json_type_string))) {
			c = json_object_get_int(x);
			if (c >= 0 && c <= 100 && c > score)
				score = c;
		}
		if ((s = jget_str(e, "malware")) != NULL && *s != '\0')
			src_verdict_tag(v, s);
		if ((s = jget_str(e, "threat")) != NULL && *s != '\0')
			src_verdict_tag(v, s);
		src_verdict_tags(v, e, "tags");
		/* The lookup's entries are ordered latest first. */
		if ((s = jget_str(e, "first_seen")) != NULL &&
		    (first == NULL || strcmp(s, first) < 0))
			first = s;
		if (last == NULL)
			last = jget_str(e, "last_seen");
	}
	(void)json_object_object_add(v, "score", json_object_new_int(
	    score < 0 ? MEGATRON_DEFAULT_SCORE : score));
	src_verdict_seen(v, first, last);
	return v;
}

/* "YYYY-MM-DD HH:MM:SS[ UTC]" and ISO 8601 as an ISO string, or NULL. */
static json_object *
date_or_null(json_object *e, const char *key)
{
	const char	*s = jget_str(e, key);
	char		 buf[40];

	if (s == NULL || src_date_iso(s, buf, sizeof(buf)) == -1)
		return NULL;
	return json_object_new_string(buf);
}

static int
mt_task(const struct src_task *t, struct src_task_out *out)
{
	struct src_in	 in;
	struct src_out	 o;
	struct src_req	 rq;
	json_object	*body = NULL, *data, *e, *rows, *r;
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*ip, *p[2];
	char		*txt, nrows[32], nbytes[32], days[32];
	size_t		 len = 0, i, n;
	char		*raw = NULL;
	enum dbres	 res;

	memset(&o, 0, sizeof(o));
	memset(&rq, 0, sizeof(rq));
	src_task_in(t, IND_IPV4, &in);
	rq.url = src_url(in.base, "/");
	rq.post = 1;
	rq.body = xstrdup("query=get_entries");
	add_auth(&in, &rq);
	if (src_http(&in, &rq, 1, &raw, &len, &body, &o) == -1 ||
	    query_ok(body, &data, &o) == -1) {
		xasprintf(&out->error, "get_entries: %s%s%s", o.error,
		    o.message != NULL ? ": " : "",
		    o.message != NULL ? o.message : "");
		free(o.message);
		free(raw);
		json_object_put(body);
		return -1;
	}
	free(raw);
	out->bytes = (long long)len;

	/* Only entries with a valid address go in; dates that do not
	 * parse are NULL. */
	rows = json_object_new_array();
	n = json_object_array_length(data);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(data, i);
		if ((ip = jget_str(e, "ip_address")) == NULL ||
		    (inet_pton(AF_INET, ip, &a4) != 1 &&
		    inet_pton(AF_INET6, ip, &a6) != 1))
			continue;
		r = json_object_new_object();
		(void)jadd(r, "ip", json_object_new_string(ip));
		(void)jadd_nullable(r, "first_seen", date_or_null(e,
		    "first_seen"));
		(void)jadd_nullable(r, "last_seen", date_or_null(e,
		    "last_seen"));
		(void)jadd(r, "entry", json_object_get(e));
		(void)jappend(rows, r);
	}
	json_object_put(body);
	out->rows = (long long)json_object_array_length(rows);

	if (t->stop != NULL && *t->stop) {
		json_object_put(rows);
		out->error = xstrdup("stopped");
		return -1;
	}
	if (db_begin(t->db) != DB_OK) {
		json_object_put(rows);
		out->error = xstrdup("the database is unavailable");
		return -1;
	}
	txt = xstrdup(json_object_to_json_string_ext(rows,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(rows);
	p[0] = txt;
	res = db_cmd(t->db, sql_upsert, 1, p);
	free(txt);
	if (res == DB_OK) {
		(void)snprintf(days, sizeof(days), "%lld", src_config_int(&in,
		    "retention_days", 30, 1, 3650));
		p[0] = days;
		res = db_cmd(t->db, sql_expire, 1, p);
		if (res == DB_OK)
			res = db_cmd(t->db, sql_expire_refreshes, 1, p);
	}
	if (res == DB_OK) {
		(void)snprintf(nrows, sizeof(nrows), "%lld", out->rows);
		(void)snprintf(nbytes, sizeof(nbytes), "%lld", out->bytes);
		p[0] = nrows;
		p[1] = nbytes;
		res = db_cmd(t->db, sql_refresh, 2, p);
	}
	if (res != DB_OK || db_commit(t->db) != DB_OK) {
		db_rollback(t->db);
		out->error = xstrdup("the entries could not be stored");
		return -1;
	}
	return 0;
}

const struct src_def src_megatron = {
	.builtin = "megatron",
	.base = "https://megatron.abuse.ch/api",
	.kinds = KIND_BIT(IND_IPV4) | KIND_BIT(IND_IPV6),
	.run = mt_run,
	.verdict = mt_verdict,
	.task = mt_task,
};
