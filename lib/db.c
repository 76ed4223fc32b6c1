/*
 * lib/db.c -- see db.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "xmalloc.h"

#define PREP_MAX	96	/* prepared statements kept per connection */

struct dbconn {
	PGconn		*conn;		/* NULL until first used */
	int		 busy;		/* lent to a thread */
	char		*prep[PREP_MAX]; /* statements prepared on conn */
	size_t		 nprep;
};

/* The connection is new: nothing is prepared on it. */
static void
prep_reset(struct dbconn *dc)
{
	size_t	 i;

	for (i = 0; i < dc->nprep; i++)
		free(dc->prep[i]);
	dc->nprep = 0;
}

/*
 * Run "sql" as a prepared statement on "dc": parsed and planned once
 * per connection, which matters for the large lookup query.  The text
 * is kept and compared, so the same SQL always finds its statement;
 * beyond PREP_MAX statements, plain PQexecParams.
 */
static PGresult *
exec_prepared(struct dbconn *dc, const char *sql, int n,
    const char *const *params)
{
	char		 name[16];
	size_t		 i;
	PGresult	*pr;

	for (i = 0; i < dc->nprep; i++)
		if (strcmp(dc->prep[i], sql) == 0)
			break;
	(void)snprintf(name, sizeof(name), "iocagg_%zu", i);
	if (i == dc->nprep) {
		if (dc->nprep == PREP_MAX ||
		    PQtransactionStatus(dc->conn) == PQTRANS_INERROR)
			return PQexecParams(dc->conn, sql, n, NULL, params,
			    NULL, NULL, 0);
		pr = PQprepare(dc->conn, name, sql, n, NULL);
		if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
			/* Let the plain path report the error. */
			PQclear(pr);
			return PQexecParams(dc->conn, sql, n, NULL, params,
			    NULL, NULL, 0);
		}
		PQclear(pr);
		dc->prep[dc->nprep++] = xstrdup(sql);
	}
	return PQexecPrepared(dc->conn, name, n, params, NULL, NULL, 0);
}

/*
 * A small pool: threads borrow a connection for one statement, or pin
 * one from db_begin() to db_commit()/db_rollback().  Single-threaded
 * programs get a pool of one and never wait.
 */
struct db {
	char		*conninfo;	/* libpq connection string */
	struct dbconn	*c;
	size_t		 n;
	int		 down_logged;	/* "unavailable" logged once */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
};

/* The connection this thread pinned with db_begin(), if any. */
static __thread struct dbconn	*pinned;

struct db *
db_open_pool(const char *conninfo, size_t n)
{
	struct db	*db;

	db = xcalloc(1, sizeof(*db));
	db->conninfo = xstrdup(conninfo);
	db->n = n == 0 ? 1 : n;
	db->c = xcalloc(db->n, sizeof(*db->c));
	(void)pthread_mutex_init(&db->mu, NULL);
	(void)pthread_cond_init(&db->cv, NULL);
	return db;
}

struct db *
db_open_conninfo(const char *conninfo)
{
	return db_open_pool(conninfo, 1);
}

struct db *
db_open(void)
{
	return db_open_pool(conf_str("database_url"),
	    (size_t)conf_int("database_pool"));
}

void
db_close(struct db *db)
{
	size_t	 i, j;

	if (db == NULL)
		return;
	for (i = 0; i < db->n; i++) {
		PQfinish(db->c[i].conn);
		for (j = 0; j < db->c[i].nprep; j++)
			free(db->c[i].prep[j]);
	}
	free(db->c);
	freezero_str(db->conninfo);
	(void)pthread_mutex_destroy(&db->mu);
	(void)pthread_cond_destroy(&db->cv);
	free(db);
}

/* Notices (e.g. "relation exists, skipping") go to the debug log. */
static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgres: %s", msg);
}

/*
 * Make "dc" usable: connect if it has no healthy connection.
 */
static int
conn_ensure(struct db *db, struct dbconn *dc)
{
	const char	*kw[4], *vals[4];
	char		 timeout[16], setup[128];
	PGresult	*res;

	if (dc->conn != NULL && PQstatus(dc->conn) == CONNECTION_OK)
		return 0;
	PQfinish(dc->conn);
	dc->conn = NULL;
	prep_reset(dc);

	/* The connection string may override connect_timeout: it comes
	 * after our default and libpq lets later keywords win. */
	(void)snprintf(timeout, sizeof(timeout), "%lld",
	    conf_int("database_connect_timeout"));
	kw[0] = "connect_timeout";
	vals[0] = timeout;
	kw[1] = "dbname";
	vals[1] = db->conninfo;
	kw[2] = "application_name";
	vals[2] = "iocagg";
	kw[3] = NULL;
	vals[3] = NULL;
	dc->conn = PQconnectdbParams(kw, vals, 1);
	if (dc->conn == NULL || PQstatus(dc->conn) != CONNECTION_OK) {
		if (!db->down_logged)
			log_warnx("database unavailable: %s", dc->conn ?
			    PQerrorMessage(dc->conn) : "out of memory");
		db->down_logged = 1;
		PQfinish(dc->conn);
		dc->conn = NULL;
		return -1;
	}
	(void)PQsetNoticeProcessor(dc->conn, db_notice, NULL);
	(void)snprintf(setup, sizeof(setup), "SET statement_timeout = %lld; "
	    "SET TIME ZONE 'UTC'", conf_int("database_statement_timeout"));
	res = PQexec(dc->conn, setup);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_warnx("database session setup: %s",
		    PQerrorMessage(dc->conn));
		PQclear(res);
		PQfinish(dc->conn);
		dc->conn = NULL;
		return -1;
	}
	PQclear(res);
	if (db->down_logged)
		log_info("database connection restored");
	db->down_logged = 0;
	return 0;
}

/*
 * Borrow a connection, waiting up to the connect timeout when every
 * one is lent out.  NULL when none frees up in time.
 */
static struct dbconn *
conn_get(struct db *db)
{
	struct dbconn	*dc = NULL;
	struct timespec	 until;
	size_t		 i;

	if (pinned != NULL)
		return pinned;
	(void)clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += conf_int("database_connect_timeout") + 10;
	(void)pthread_mutex_lock(&db->mu);
	for (;;) {
		for (i = 0; i < db->n; i++)
			if (!db->c[i].busy) {
				dc = &db->c[i];
				dc->busy = 1;
				break;
			}
		if (dc != NULL)
			break;
		if (pthread_cond_timedwait(&db->cv, &db->mu, &until) != 0)
			break;
	}
	(void)pthread_mutex_unlock(&db->mu);
	if (dc == NULL)
		log_warnx("no database connection free in the pool");
	return dc;
}

static void
conn_put(struct db *db, struct dbconn *dc)
{
	if (dc == NULL || dc == pinned)
		return;
	(void)pthread_mutex_lock(&db->mu);
	dc->busy = 0;
	(void)pthread_cond_signal(&db->cv);
	(void)pthread_mutex_unlock(&db->mu);
}

int
db_ensure(struct db *db)
{
	struct dbconn	*dc;
	int		 rc;

	if ((dc = conn_get(db)) == NULL)
		return -1;
	rc = conn_ensure(db, dc);
	conn_put(db, dc);
	return rc;
}

PGconn *
db_conn(struct db *db)
{
	(void)db;
	return pinned != NULL ? pinned->conn : NULL;
}

static enum dbres
db_map(PGconn *conn, const char *sql, PGresult *pr)
{
	const char	*state;

	switch (PQresultStatus(pr)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
		return DB_OK;
	default:
		break;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		log_warnx("database connection lost: %s",
		    PQerrorMessage(conn));
		return DB_UNAVAILABLE;
	}
	state = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
	if (state != NULL) {
		if (strcmp(state, "23505") == 0)
			return DB_CONFLICT;
		/* Class 23 (integrity) and 22 (data exception). */
		if (strncmp(state, "23", 2) == 0 ||
		    strncmp(state, "22", 2) == 0) {
			log_debug("statement rejected: %s",
			    PQresultErrorMessage(pr));
			return DB_INVALID;
		}
		/* Class 08 (connection) and 57P (shutdown). */
		if (strncmp(state, "08", 2) == 0 ||
		    strncmp(state, "57P", 3) == 0)
			return DB_UNAVAILABLE;
	}
	log_warnx("statement failed (%.60s...): %s", sql, pr == NULL ?
	    "out of memory" : PQresultErrorMessage(pr));
	return DB_FAIL;
}

PGresult *
db_exec(struct db *db, const char *sql, int n, const char *const *params,
    enum dbres *res)
{
	struct dbconn	*dc;
	PGresult	*pr;

	if (db == NULL || (dc = conn_get(db)) == NULL) {
		*res = DB_UNAVAILABLE;
		return NULL;
	}
	if (conn_ensure(db, dc) == -1) {
		conn_put(db, dc);
		*res = DB_UNAVAILABLE;
		return NULL;
	}
	pr = exec_prepared(dc, sql, n, params);
	*res = db_map(dc->conn, sql, pr);
	if (*res == DB_UNAVAILABLE && dc != pinned) {
		PQfinish(dc->conn);
		dc->conn = NULL;
	}
	conn_put(db, dc);
	return pr;
}

PGresult *
db_query(struct db *db, const char *sql, int n, const char *const *params,
    enum dbres *res)
{
	PGresult	*pr;

	pr = db_exec(db, sql, n, params, res);
	if (*res == DB_UNAVAILABLE && db != NULL && pinned == NULL) {
		/* The server may have restarted since our last call. */
		PQclear(pr);
		pr = db_exec(db, sql, n, params, res);
	}
	return pr;
}

enum dbres
db_cmd(struct db *db, const char *sql, int n, const char *const *params)
{
	enum dbres	 res;

	PQclear(db_exec(db, sql, n, params, &res));
	return res;
}

enum dbres
db_begin(struct db *db)
{
	struct dbconn	*dc;
	enum dbres	 res;

	if (pinned != NULL) {
		log_warnx("nested transaction refused");
		return DB_FAIL;
	}
	if ((dc = conn_get(db)) == NULL)
		return DB_UNAVAILABLE;
	pinned = dc;
	/* BEGIN is safe to retry: nothing happened yet. */
	PQclear(db_query(db, "BEGIN", 0, NULL, &res));
	if (res != DB_OK) {
		pinned = NULL;
		if (res == DB_UNAVAILABLE) {
			PQfinish(dc->conn);
			dc->conn = NULL;
		}
		conn_put(db, dc);
	}
	return res;
}

static void
unpin(struct db *db)
{
	struct dbconn	*dc = pinned;

	pinned = NULL;
	if (dc != NULL && PQstatus(dc->conn) != CONNECTION_OK) {
		PQfinish(dc->conn);
		dc->conn = NULL;
	}
	conn_put(db, dc);
}

enum dbres
db_commit(struct db *db)
{
	enum dbres	 res;

	res = db_cmd(db, "COMMIT", 0, NULL);
	unpin(db);
	return res;
}

void
db_rollback(struct db *db)
{
	if (pinned == NULL)
		return;
	if (pinned->conn != NULL && PQtransactionStatus(pinned->conn) !=
	    PQTRANS_IDLE)
		(void)db_cmd(db, "ROLLBACK", 0, NULL);
	unpin(db);
}

int
db_ping(struct db *db)
{
	enum dbres	 res;

	PQclear(db_query(db, "SELECT 1", 0, NULL, &res));
	return res == DB_OK ? 0 : -1;
}

const char *
db_val(const PGresult *pr, int row, const char *col)
{
	int	 c;

	if ((c = PQfnumber(pr, col)) == -1 || row >= PQntuples(pr) ||
	    PQgetisnull(pr, row, c))
		return NULL;
	return PQgetvalue(pr, row, c);
}

/* PostgreSQL type OIDs (pg_type.h), for db_row_json(). */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_JSON	114
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_TIMESTAMP	1114
#define OID_TIMESTAMPTZ	1184
#define OID_NUMERIC	1700
#define OID_JSONB	3802

static char *
camel(const char *s)
{
	char	*o, *p;
	int	 up = 0;

	o = p = xmalloc(strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (*s == '_') {
			up = 1;
			continue;
		}
		*p++ = up && *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		up = 0;
	}
	*p = '\0';
	return o;
}

json_object *
db_row_json(const PGresult *pr, int row)
{
	json_object	*o, *v;
	const char	*s, *err;
	char		*name, *t;
	int		 c, nf = PQnfields(pr);
	long long	 ll;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (c = 0; c < nf; c++) {
		name = camel(PQfname(pr, c));
		v = NULL;
		if (!PQgetisnull(pr, row, c)) {
			s = PQgetvalue(pr, row, c);
			switch (PQftype(pr, c)) {
			case OID_BOOL:
				v = json_object_new_boolean(*s == 't');
				break;
			case OID_INT2:
			case OID_INT4:
			case OID_INT8:
				ll = strtoll(s, NULL, 10);
				v = json_object_new_int64(ll);
				break;
			case OID_FLOAT4:
			case OID_FLOAT8:
			case OID_NUMERIC:
				v = json_object_new_double(strtod(s, NULL));
				break;
			case OID_JSON:
			case OID_JSONB:
				v = json_parse_capped(s, strlen(s), 64, &err);
				break;
			case OID_TIMESTAMP:
			case OID_TIMESTAMPTZ:
				t = xstrdup(s);
				if (strlen(t) > 10 && t[10] == ' ')
					t[10] = 'T';
				v = json_object_new_string(t);
				free(t);
				break;
			default:
				v = json_object_new_string(s);
				break;
			}
		}
		if (jadd_nullable(o, name, v) == -1) {
			free(name);
			json_object_put(o);
			return NULL;
		}
		free(name);
	}
	return o;
}

json_object *
db_rows_json(const PGresult *pr)
{
	json_object	*a, *o;
	int		 i, n = PQntuples(pr);

	if ((a = json_object_new_array_ext(n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = db_row_json(pr, i)) == NULL ||
		    jappend(a, o) == -1) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}
