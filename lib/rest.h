/*
 * lib/rest.h -- what every management route shares: field-by-field
 * validation of JSON bodies, ids in paths, paging, and the mapping of
 * database results to HTTP answers.  Each helper that fails has already
 * answered (400/404/409/422/503) and returns -1 or NULL.
 */
#ifndef IOCAGG_REST_H
#define IOCAGG_REST_H

#include <stddef.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "db.h"

struct req;

enum ftype {
	F_STR,		/* string, length in [min, max] */
	F_BOOL,		/* true/false */
	F_INT,		/* integer in [min, max] */
	F_URL,		/* http(s) URL, length <= max */
	F_ID,		/* a 12-character id */
	F_ENUM,		/* one of "choices" ("A|B|C") */
	F_STRS,		/* array of strings, each [min, max] long; at most
			 * 256 of them */
	F_KINDS,	/* array of indicator kind names */
	F_IDS,		/* array of ids */
	F_ROLES,	/* array of role names */
	F_TIME,		/* "YYYY-MM-DDTHH:MM:SS[.fff]" (UTC, no zone) */
	F_JSON,		/* any JSON value */
};

struct field {
	const char	*name;		/* camelCase, as in the body */
	enum ftype	 type;
	int		 required;	/* must be present (POST) */
	int		 nullable;	/* JSON null accepted (clears) */
	long long	 min, max;	/* length or value bounds */
	const char	*choices;	/* F_ENUM */
};

/*
 * The validated value of a field.  "text" is the SQL parameter: NULL
 * when absent or null; arrays as a PostgreSQL array literal; JSON as
 * text; booleans "true"/"false".
 */
struct fval {
	int		 present;	/* the key was in the body */
	int		 null;		/* its value was JSON null */
	char		*text;		/* SQL parameter, or NULL */
	long long	 i;		/* F_INT, F_BOOL */
	json_object	*j;		/* the raw value (borrowed) */
};

/*
 * Validate object "body" against "fields": unknown keys, wrong types,
 * out-of-range values and missing required fields are 422 naming the
 * field; "partial" (PATCH) makes nothing required.  0 or -1.
 */
int		 rest_fields(struct req *, json_object *body,
		    const struct field *, size_t n, struct fval *vals,
		    int partial);
void		 rest_fields_free(struct fval *, size_t n);
/* The body as a JSON object (400/413/415/422 answered otherwise). */
json_object	*rest_object(struct req *);
/* The body as a JSON array of ids (for the PUT-replace routes). */
char		*rest_id_array(struct req *, size_t max);
/* Path capture "i" as an id: 404 if it cannot be one. */
const char	*rest_id(struct req *, size_t i, const char *what);
/* limit (1..1000, default "def") and offset (0..) as text. */
int		 rest_paging(struct req *, long long def, char *limit,
		    char *offset);
/*
 * Answer a failed statement: DB_CONFLICT 409, DB_INVALID 422,
 * DB_NOTFOUND 404, otherwise 503.  "what" names the resource.
 */
void		 rest_db_error(struct req *, enum dbres, const char *what);
/* rest_db_error(), with "msg" as the message of a 409. */
void		 rest_write_error(struct req *, enum dbres, const char *what,
		    const char *msg);
/* Run a query and send its rows as a JSON array (200). */
void		 rest_rows(struct req *, const char *sql, int n,
		    const char *const *params);
/* Send the rows of "pr" as a JSON array (200). */
void		 rest_send(struct req *, PGresult *);
/* Run a query and send its one row (200) or 404 "what". */
void		 rest_row(struct req *, const char *sql, int n,
		    const char *const *params, const char *what);
/*
 * Run one write statement in its own transaction.  Returns its result
 * (to be cleared) or NULL; "*res" is DB_NOTFOUND when the statement
 * touched no row (RETURNING nothing), which is then rolled back.
 */
PGresult	*rest_write1(struct req *, const char *sql, int n,
		    const char *const *params, enum dbres *res);
/* Run a query and send its first column as text/plain (200), or 404
 * "no <what> has this slug". */
void		 rest_text(struct req *, const char *sql, int n,
		    const char *const *params, const char *what);
/* Send {"id": ..., "slug": ...} or another one-row result as JSON. */
void		 rest_created(struct req *, int status, PGresult *);
/* A PostgreSQL text[] literal of "n" strings (xmalloc'd). */
char		*rest_text_array(char *const *, size_t n);

#endif
