/*
 * lib/lookup.h -- the lookup engine: one indicator against every
 * candidate source at once.
 *
 *	lookup_run()	load the candidates in one query (the part that
 *			does not depend on the indicator is kept per
 *			process until it changes), record the request,
 *			pre-check each source, then answer from the cache
 *			(one MGET for all sources) or call every remaining
 *			source at the same time (one libcurl multi
 *			handle), each with its own timeout, all under the
 *			lookup deadline;
 *			"on_result" runs the moment a source is done.
 *	lookup_save()	write the source_requests rows: queued, and
 *			written together with those of the lookups that
 *			end at the same time (one statement); it returns
 *			once they are in.
 */
#ifndef IOCAGG_LOOKUP_H
#define IOCAGG_LOOKUP_H

#include <stddef.h>

#include <json-c/json.h>

#include "indicator.h"

struct db;
struct kv;
struct lookup;

struct lk_opts {
	const char	 *data;		/* normalized indicator */
	enum ind_kind	  kind;
	char		**source_ids;	/* validated ids, or none: all */
	size_t		  nsource_ids;
	int		  force;	/* bypass and refresh the cache */
	const char	 *user_id;
	const char	 *trace_id;	/* the HTTP request id */
	int		  watch_fd;	/* client connection, or -1 */
	/* Called once the request row exists and the candidates are known;
	 * return -1 to abort (client gone). */
	int		(*on_start)(struct lookup *, void *);
	/* Called for each source the moment its result is final. */
	int		(*on_result)(struct lookup *, size_t, void *);
	/* Called when nothing was sent for sse_keepalive seconds. */
	int		(*on_idle)(struct lookup *, void *);
	void		 *arg;
};

enum lk_status {
	LK_OK,			/* every source has a result */
	LK_UNKNOWN_SOURCE,	/* a source id does not exist: 400 */
	LK_UNAVAILABLE,		/* the database is down: 503 */
	LK_ABORTED,		/* the client went away */
};

enum lk_status	 lookup_run(struct db *, struct kv *, const struct lk_opts *,
		    struct lookup **, char *err, size_t errsz);
/* Write the history rows (batched with concurrent lookups); call after
 * answering.  Returns when they are written, or failed and were logged. */
void		 lookup_save(struct db *, struct lookup *);
void		 lookup_free(struct lookup *);

const char	*lookup_id(const struct lookup *);
size_t		 lookup_count(const struct lookup *);
/* Does source "i" have errors? */
int		 lookup_failed(const struct lookup *, size_t);
/* {source, cache?, timing, errors, data, verdict?} of source "i" (new
 * object); "verdict" only for a success whose source gave one. */
json_object	*lookup_result_json(const struct lookup *, size_t);
/* The errors array of source "i" (new reference). */
json_object	*lookup_errors_json(const struct lookup *, size_t);
/* [{source, hasSourceCode}] for every candidate (new object). */
json_object	*lookup_start_json(const struct lookup *);
/* The source id of "i". */
const char	*lookup_source_id(const struct lookup *, size_t);
/*
 * The lookup's verdict summary (new object): {"verdict": the worst of
 * malicious > suspicious > benign > unknown ("unknown" when no source
 * gave one), "score": the highest score (null when none), "sources":
 * {"malicious": [{"id", "name"}], "suspicious", "benign", "unknown"}}.
 */
json_object	*lookup_summary_json(const struct lookup *);
/* The same from history rows: objects with sourceId, sourceName,
 * errors and verdict (source_requests through db_rows_json()). */
json_object	*lookup_summary_rows(json_object *rows);

/* Exposed for tests: hosts and suffixes an indicator is matched on. */
int		 lookup_match_keys(const char *data, enum ind_kind,
		    char ***hosts, size_t *nhosts, char **ip);

#endif
