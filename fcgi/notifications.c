/*
 * fcgi/notifications.c -- iocagg-notifications: the
 * /api/v1/notifications route group, what needs an operator's
 * attention.  See iocagg-notifications(8).
 *
 * Notifications are computed, never stored: one query over the sources'
 * secret slots and the secrets.  Besides the reference's
 * MISSING_REQUIRED_SOURCE_SECRET, EXPIRED_SECRET (a TODO there) reports
 * secrets past their expiry that a source still uses.
 */
#include "config.h"

#include "compat.h"
#include "db.h"
#include "http.h"
#include "rest.h"

static void	notifications_list(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/notifications", notifications_list, NULL, 0 },
};

enum stmt {
	STMT_LIST,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_LIST: [{kind, content}], missing secrets first, each kind
	 * by name. */
	"SELECT n.kind, n.content FROM ("
	" SELECT 'MISSING_REQUIRED_SOURCE_SECRET' AS kind, 0 AS rank,"
	" s.name AS sort, json_build_object('id', s.id, 'name', s.name,"
	" 'slug', s.slug, 'numMissingSecrets', count(*)) AS content"
	" FROM sources s JOIN source_secrets ss ON ss.source_id = s.id"
	" WHERE ss.required AND ss.secret_id IS NULL"
	" GROUP BY s.id, s.name, s.slug"
	" UNION ALL"
	" SELECT 'EXPIRED_SECRET', 1, sec.name, json_build_object('id',"
	" sec.id, 'name', sec.name, 'expiresAt', sec.expires_at)"
	" FROM secrets sec WHERE sec.expires_at <="
	" (now() AT TIME ZONE 'utc') AND EXISTS (SELECT 1 FROM"
	" source_secrets ss WHERE ss.secret_id = sec.id)"
	") n ORDER BY n.rank, n.sort",
};

_Static_assert(nitems(stmts) == STMT__MAX, "one statement per enum stmt");

/*
 * GET /api/v1/notifications -- [{kind: "MISSING_REQUIRED_SOURCE_SECRET",
 * content: {id, name, slug, numMissingSecrets}}, ..., {kind:
 * "EXPIRED_SECRET", content: {id, name, expiresAt}}, ...].  Any
 * authenticated user.  200; 503.
 */
static void
notifications_list(struct req *r)
{
	rest_rows(r, stmts[STMT_LIST], 0, NULL);
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-notifications", routes, nitems(routes), 1, 1
	};

	return fcgi_main(argc, argv, &prog);
}
