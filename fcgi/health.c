/*
 * fcgi/health.c -- iocagg-health: GET /api/v1/health.
 * Public.  Reports whether PostgreSQL and Redis answer; 503 when the
 * database does not, so a load balancer takes this host out.
 */
#include "config.h"

#include <json-c/json.h>

#include "compat.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "kv.h"

static void	health_get(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/health", health_get, NULL, ROUTE_PUBLIC },
};

/*
 * GET /api/v1/health -- {"status","database","redis","version"}.
 * 200 when the database answers (Redis is optional: "disabled" when not
 * configured, "unavailable" when down, which degrades but does not fail
 * the check); 503 when the database does not answer.
 */
static void
health_get(struct req *r)
{
	json_object	*o;
	int		 dbok, kvok;
	const char	*redis;

	dbok = db_ping(r->db) == 0;
	if (!kv_configured()) {
		kvok = 1;
		redis = "disabled";
	} else {
		kvok = kv_ping(r->kv) == 0;	/* NULL: unusable URL */
		redis = kvok ? "ok" : "unavailable";
	}

	o = json_object_new_object();
	if (jadd(o, "status", json_object_new_string(!dbok ? "unavailable" :
	    !kvok ? "degraded" : "ok")) == -1 ||
	    jadd(o, "database", json_object_new_string(dbok ? "ok" :
	    "unavailable")) == -1 ||
	    jadd(o, "redis", json_object_new_string(redis)) == -1 ||
	    jadd(o, "version", json_object_new_string(PACKAGE_VERSION)) == -1) {
		json_object_put(o);
		http_error(r, 500, "internal", "out of memory");
		return;
	}
	if (!dbok)
		http_header(r, "Retry-After", "5");
	http_json(r, dbok ? 200 : 503, o);
	json_object_put(o);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-health", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
