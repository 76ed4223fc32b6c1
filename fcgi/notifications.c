/*
 * fcgi/notifications.c -- iocagg-notifications: the /api/v1/notifications route group.
 * XXX placeholder: every route answers 404 until the group lands.
 */
#include "config.h"

#include "compat.h"
#include "http.h"

static void	nothing(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/notifications/-", nothing, NULL, ROUTE_PUBLIC },
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
		"iocagg-notifications", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
