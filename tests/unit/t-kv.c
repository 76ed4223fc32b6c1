/*
 * tests/unit/t-kv.c -- lib/kv.c: redis_url parsing and the
 * "not configured" path.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "kv.h"
#include "tap.h"

int
main(void)
{
	char	*path, *host, err[256];
	int	 port;

	ok(kv_parse_url("unix:/run/redis.sock", &path, &host, &port) == 0 &&
	    path != NULL && strcmp(path, "/run/redis.sock") == 0 &&
	    host == NULL, "unix:/path");
	free(path);
	ok(kv_parse_url("unix:///run/r.sock", &path, &host, &port) == 0 &&
	    strcmp(path, "/run/r.sock") == 0, "unix:///path");
	free(path);
	ok(kv_parse_url("redis://cache.example:6380", &path, &host,
	    &port) == 0 && strcmp(host, "cache.example") == 0 &&
	    port == 6380, "redis://host:port");
	free(host);
	ok(kv_parse_url("10.0.0.1", &path, &host, &port) == 0 &&
	    strcmp(host, "10.0.0.1") == 0 && port == 6379,
	    "a bare host gets port 6379");
	free(host);
	ok(kv_parse_url("h:0", &path, &host, &port) == -1, "port 0 refused");
	ok(kv_parse_url("h:99999", &path, &host, &port) == -1,
	    "port 99999 refused");
	ok(kv_parse_url("unix:relative", &path, &host, &port) == -1,
	    "a relative socket path is refused");
	ok(kv_parse_url("", &path, &host, &port) == -1, "empty is refused");
	ok(kv_parse_url(":6379", &path, &host, &port) == -1,
	    "an empty host is refused");

	unsetenv("IOCAGG_REDIS_URL");
	(void)conf_load("/dev/null", err, sizeof(err));
	ok(!kv_configured() && kv_open() == NULL,
	    "no redis_url: Redis is not used");
	ok(kv_ping(NULL) == -1, "pinging no Redis fails cleanly");
	(void)conf_set("redis_url", "unix:/nonexistent/redis.sock", err,
	    sizeof(err));
	{
		struct kv	*kv = kv_open();

		ok(kv != NULL && kv_ping(kv) == -1,
		    "an unreachable Redis fails the ping, no crash");
		kv_close(kv);
	}
	return tap_done();
}
