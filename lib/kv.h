/*
 * lib/kv.h -- the optional Redis handle (hiredis 0.14 API).  When
 * redis_url is empty, kv_open() returns NULL and callers fall back to
 * PostgreSQL: losing Redis never loses data, only speed.
 */
#ifndef IOCAGG_KV_H
#define IOCAGG_KV_H

#include <stddef.h>

struct kv;
struct redisReply;

/* NULL when Redis is not configured; connects lazily otherwise. */
struct kv	*kv_open(void);
struct kv	*kv_open_url(const char *url);
void		 kv_close(struct kv *);
int		 kv_configured(void);
/* PING with one reconnect; 0 when Redis answers PONG. */
int		 kv_ping(struct kv *);
/*
 * Run one command given as argv; returns the reply (free it with
 * freeReplyObject) or NULL when Redis is unreachable or answered an
 * error (logged once here).
 */
struct redisReply *kv_cmd(struct kv *, int argc, const char **argv,
		    const size_t *argvlen);

/* Parse a redis_url into a unix path or host and port (for tests). */
int		 kv_parse_url(const char *url, char **path, char **host,
		    int *port);

#endif
