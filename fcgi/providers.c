/*
 * fcgi/providers.c -- iocagg-providers: the /api/v1/providers route group.
 * XXX placeholder: every route answers 404 until the group lands.
 */
#include "config.h"

#include "compat.h"
#include "http.h"

static void	nothing(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/providers/-", nothing, NULL, ROUTE_PUBLIC },
};

static void
nothing(struct req *r)
{
	http_error(r, 404, "not_found", "not implemented yet");
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-providers", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
