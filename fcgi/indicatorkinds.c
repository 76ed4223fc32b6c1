/*
 * fcgi/indicatorkinds.c -- iocagg-indicatorkinds:
 * GET /api/v1/indicatorKinds.  Any authenticated user.
 */
#include "config.h"

#include <json-c/json.h>

#include "compat.h"
#include "http.h"
#include "indicator.h"
#include "json.h"

static void	kinds_get(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/indicatorKinds", kinds_get, NULL, 0 },
};

/*
 * GET /api/v1/indicatorKinds[?details=true] -- the 11 kinds in their
 * fixed order, as names, or with details as objects
 * {kind, description, example}.  200; 400 on a bad "details".
 */
static void
kinds_get(struct req *r)
{
	json_object	*a, *o;
	int		 details, k;

	if (req_query_bool(r, "details", 0, &details) == -1)
		return;
	a = json_object_new_array();
	for (k = 0; k < IND__MAX; k++) {
		if (!details) {
			if (jappend(a, json_object_new_string(
			    ind_kind_name(k))) == -1)
				goto oom;
			continue;
		}
		o = json_object_new_object();
		if (jadd(o, "kind", json_object_new_string(
		    ind_kind_name(k))) == -1 ||
		    jadd(o, "description", json_object_new_string(
		    ind_kind_description(k))) == -1 ||
		    jadd(o, "example", json_object_new_string(
		    ind_kind_example(k))) == -1) {
			json_object_put(o);
			goto oom;
		}
		if (jappend(a, o) == -1)	/* frees "o" */
			goto oom;
	}
	http_json(r, 200, a);
	json_object_put(a);
	return;
oom:
	json_object_put(a);
	http_error(r, 500, "internal", "out of memory");
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-indicatorkinds", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
