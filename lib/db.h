/*
 * lib/db.h -- the PostgreSQL handle.  Statements are always sent with
 * parameters (PQexecParams); nothing in the tree builds SQL text from
 * data.  A broken connection is re-established on the next call, so a
 * server restart costs the requests made while it was down, nothing
 * more.
 */
#ifndef IOCAGG_DB_H
#define IOCAGG_DB_H

#include <libpq-fe.h>

enum dbres {
	DB_OK,			/* statement succeeded */
	DB_NOTFOUND,		/* no row where one was expected */
	DB_CONFLICT,		/* unique violation (23505) */
	DB_INVALID,		/* check/foreign-key/data violation */
	DB_UNAVAILABLE,		/* no connection to the server */
	DB_FAIL,		/* anything else; logged */
};

struct db;

/* A handle with the configured connection string; connects lazily. */
struct db	*db_open(void);
/* A handle for an explicit connection string (tools). */
struct db	*db_open_conninfo(const char *);
/* A pool of "n" connections shared by threads. */
struct db	*db_open_pool(const char *, size_t n);
void		 db_close(struct db *);
/* Connect if needed; 0 when the connection is usable, -1 otherwise. */
int		 db_ensure(struct db *);
/* SELECT 1 with one reconnect-and-retry: health checks. */
int		 db_ping(struct db *);
/* The connection pinned by db_begin() in this thread (NULL outside a
 * transaction): for PQexec of trusted multi-statement SQL. */
PGconn		*db_conn(struct db *);

/*
 * Run "sql" with "n" text parameters (NULL entries are SQL NULL).
 * Returns the result, to be PQclear()ed, or NULL when there is no
 * connection.  "*res" is DB_OK for a command or tuples result, or the
 * mapped failure (logged once here, parameter values never logged).
 * db_query() may reconnect and retry once: read-only statements only.
 */
PGresult	*db_exec(struct db *, const char *sql, int n,
		    const char *const *params, enum dbres *res);
PGresult	*db_query(struct db *, const char *sql, int n,
		    const char *const *params, enum dbres *res);
/* Run a statement that returns no rows; returns the mapped result. */
enum dbres	 db_cmd(struct db *, const char *sql, int n,
		    const char *const *params);
/* A transaction pins one connection to the calling thread until
 * db_commit() or db_rollback(). */
enum dbres	 db_begin(struct db *);
enum dbres	 db_commit(struct db *);
void		 db_rollback(struct db *);
/*
 * Row "row" of "pr" as a JSON object: column names turned to camelCase
 * (created_at -> createdAt), booleans, integers and json/jsonb typed,
 * timestamps as "YYYY-MM-DDTHH:MM:SS.fff" (UTC, no zone), SQL NULL as
 * null.  Arrays must be selected through array_to_json().  Returns NULL
 * on allocation failure.
 */
struct json_object *db_row_json(const PGresult *pr, int row);
/* Every row as a JSON array of db_row_json() objects. */
struct json_object *db_rows_json(const PGresult *pr);
/* The value of a column by name, or NULL for SQL NULL/absent. */
const char	*db_val(const PGresult *, int row, const char *col);

#endif
