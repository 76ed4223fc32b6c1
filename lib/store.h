/*
 * lib/store.h -- the lookup engine's shared, expiring state: the result
 * cache, single-flight claims and results, rate-limit counters and
 * upstream pauses.  Redis when configured (kv != NULL), PostgreSQL
 * tables otherwise; either way shared by every process and host.
 * Every function fails open: a store that is down costs caching and
 * coordination, never a lookup.
 */
#ifndef IOCAGG_STORE_H
#define IOCAGG_STORE_H

#include <stddef.h>

struct db;
struct kv;

/* The JSON text stored under "key" if not expired (caller frees). */
char	*store_get(struct db *, struct kv *, const char *key);
/* store_get() of "n" keys at once (one MGET with Redis): "out[i]" is
 * the text under "keys[i]" or NULL (caller frees each). */
void	 store_get_many(struct db *, struct kv *, const char *const *keys,
	    size_t n, char **out);
/* Store "json" under "key" for "ttl_ms"; 0 or -1. */
int	 store_put(struct db *, struct kv *, const char *key,
	    const char *json, long long ttl_ms);
/* Claim "key" for "ttl_ms": 1 if this caller holds it now, 0 if another
 * does.  An unreachable store counts as claimed. */
int	 store_claim(struct db *, struct kv *, const char *key,
	    long long ttl_ms);
void	 store_release(struct db *, struct kv *, const char *key);
/*
 * Count one call of source "id" in its current window of "interval"
 * seconds.  Returns 0 when within "limit", else the seconds until the
 * window ends.
 */
long long store_rate_hit(struct db *, struct kv *, const char *id,
	    long long limit, long long interval);
/* Seconds source "id" is still paused for (0: not paused). */
long long store_paused(struct db *, struct kv *, const char *id);
void	 store_pause(struct db *, struct kv *, const char *id,
	    long long seconds);

#endif
