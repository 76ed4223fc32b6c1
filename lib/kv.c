/*
 * lib/kv.c -- see kv.h.
 */
#include "config.h"

#include <sys/time.h>

#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "compat.h"
#include "conf.h"
#include "kv.h"
#include "log.h"
#include "xmalloc.h"

struct kv {
	char		*path;		/* unix socket, or NULL */
	char		*host;		/* TCP host, or NULL */
	int		 port;
	struct timeval	 tv;		/* connect and command timeout */
	redisContext	*c;		/* NULL until connected */
	int		 down_logged;
};

int
kv_parse_url(const char *url, char **path, char **host, int *port)
{
	const char	*p, *colon, *errstr;
	char		*h;
	long long	 n;

	*path = *host = NULL;
	*port = 6379;
	if (url == NULL || *url == '\0')
		return -1;
	if (strncmp(url, "unix:", 5) == 0) {
		p = url + 5;
		while (p[0] == '/' && p[1] == '/')
			p++;
		if (*p != '/')
			return -1;
		*path = xstrdup(p);
		return 0;
	}
	if (url[0] == '/') {
		*path = xstrdup(url);
		return 0;
	}
	p = url;
	if (strncmp(p, "redis://", 8) == 0)
		p += 8;
	h = xstrdup(p);
	h[strcspn(h, "/")] = '\0';
	if ((colon = strrchr(h, ':')) != NULL) {
		n = strtonum(colon + 1, 1, 65535, &errstr);
		if (errstr != NULL) {
			free(h);
			return -1;
		}
		*port = (int)n;
		h[colon - h] = '\0';
	}
	if (*h == '\0') {
		free(h);
		return -1;
	}
	*host = h;
	return 0;
}

struct kv *
kv_open_url(const char *url)
{
	struct kv	*kv;
	long long	 ms = conf_int("redis_timeout");

	kv = xcalloc(1, sizeof(*kv));
	if (kv_parse_url(url, &kv->path, &kv->host, &kv->port) == -1) {
		/* The URL may hold a password: never print it. */
		log_warnx("redis_url is not unix:/path, redis://host:port "
		    "or host:port; Redis disabled");
		free(kv);
		return NULL;
	}
	kv->tv.tv_sec = ms / 1000;
	kv->tv.tv_usec = (ms % 1000) * 1000;
	return kv;
}

struct kv *
kv_open(void)
{
	if (!kv_configured())
		return NULL;
	return kv_open_url(conf_str("redis_url"));
}

int
kv_configured(void)
{
	const char	*u = conf_str("redis_url");

	return u != NULL && *u != '\0';
}

void
kv_close(struct kv *kv)
{
	if (kv == NULL)
		return;
	if (kv->c != NULL)
		redisFree(kv->c);
	free(kv->path);
	free(kv->host);
	free(kv);
}

static int
kv_connect(struct kv *kv)
{
	if (kv->c != NULL && kv->c->err == 0)
		return 0;
	if (kv->c != NULL)
		redisFree(kv->c);
	if (kv->path != NULL)
		kv->c = redisConnectUnixWithTimeout(kv->path, kv->tv);
	else
		kv->c = redisConnectWithTimeout(kv->host, kv->port, kv->tv);
	if (kv->c == NULL || kv->c->err != 0) {
		if (!kv->down_logged)
			log_warnx("redis unavailable: %s", kv->c != NULL ?
			    kv->c->errstr : "out of memory");
		kv->down_logged = 1;
		if (kv->c != NULL)
			redisFree(kv->c);
		kv->c = NULL;
		return -1;
	}
	(void)redisSetTimeout(kv->c, kv->tv);
	if (kv->down_logged)
		log_info("redis connection restored");
	kv->down_logged = 0;
	return 0;
}

struct redisReply *
kv_cmd(struct kv *kv, int argc, const char **argv, const size_t *argvlen)
{
	redisReply	*rep;
	int		 attempt;

	if (kv == NULL)
		return NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if (kv_connect(kv) == -1)
			return NULL;
		rep = redisCommandArgv(kv->c, argc, argv, argvlen);
		if (rep != NULL) {
			if (rep->type == REDIS_REPLY_ERROR) {
				log_warnx("redis %s: %s", argv[0], rep->str);
				freeReplyObject(rep);
				return NULL;
			}
			return rep;
		}
		/* The connection broke: drop it, try once more. */
		redisFree(kv->c);
		kv->c = NULL;
	}
	return NULL;
}

int
kv_ping(struct kv *kv)
{
	const char	*argv[1] = { "PING" };
	redisReply	*rep;
	int		 ok;

	if ((rep = kv_cmd(kv, 1, argv, NULL)) == NULL)
		return -1;
	ok = rep->type == REDIS_REPLY_STATUS && rep->str != NULL &&
	    strcmp(rep->str, "PONG") == 0;
	freeReplyObject(rep);
	return ok ? 0 : -1;
}
