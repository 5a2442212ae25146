/*
 * store_pg.h: what the files of the PostgreSQL store share (not a public
 * header: the rest of the daemon sees store.h only).  store_pg.c holds
 * the connection, the deadlines, retries and errors, migrations,
 * transactions and the ops table; store_pg_schema.c the schema;
 * store_pg_exports.c the exports' generations, whose SQL is PostgreSQL's
 * own (the records are store_sql_*.c's, through store_pg_sql.c).
 */
#ifndef TNFS_VAPI_STORE_PG_H
#define TNFS_VAPI_STORE_PG_H

#include <pthread.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "sql.h"
#include "store_impl.h"

/*
 * The schema as its migrations, the first from nothing, each in one
 * transaction, and how many this program knows (store_pg_schema.c).
 */
extern const char *const store_pg_migrations[];
extern const int store_pg_schema_version;

struct pg {
	struct sql base; /* first: impl is a struct sql * too */
	PGconn *conn; /* NULL or broken: reconnected before the next call */
	pthread_mutex_t mu;
	int depth;     /* nesting of store_tx_begin */
	int tx_failed; /* an inner rollback or a failed statement dooms it */
	/* The parsed connection options, for reconnecting. */
	char **keys, **vals;
	char *password; /* only to scrub it from libpq's words; or NULL */
	char where[256]; /* "host=... port=... dbname=...": no password */
	int connect_timeout_s;
	int statement_timeout_ms;
	struct pg_stmts *stmts; /* the connection's prepared statements */
	int replanned; /* a prepared statement outlived a schema change */
};


/* The connection string into st's options and where (store_pg_conninfo.c). */
int pg_conninfo_parse(struct pg *st, const char *conninfo, struct tnfs_err *err);

void pg_lock(void *db);
void pg_unlock(void *db);

/*
 * The one path of every statement: (re)connect when needed, send it with
 * its arguments, wait for the answer no longer than the statement's
 * deadline, retry a serialization failure or deadlock outside a
 * transaction a bounded number of times.  The caller holds the lock.
 * Returns the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK; the caller
 * PQclear()s it), or NULL with err ("store: <what>: <why>") and, when
 * conflict is not NULL, *conflict set when a uniqueness constraint
 * refused it.  A failure inside a transaction dooms the transaction.
 */
PGresult *pg_query(struct pg *st, const char *sql, const struct arg *a,
    size_t n, const char *what, int *conflict, struct tnfs_err *err);

/*
 * A statement that returns no rows, under the lock: the number of rows it
 * changed; CONFLICT when a uniqueness constraint refused it (err holds the
 * database's words, which name the constraint); -1 with err otherwise.
 */
int pg_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err);

/* Column c of row r as a number (0 when NULL). */
int64_t pg_int(const PGresult *res, int r, int c);



/* The connection as sql.h sees it (store_pg_sql.c). */
extern const struct sql_ops pg_sql_ops;

int pg_tx_begin(void *impl, struct tnfs_err *err);
int pg_tx_commit(void *impl, struct tnfs_err *err);
void pg_tx_rollback(void *impl);

/*
 * Open conninfo and migrate its schema up to version (not beyond): for
 * the test that upgrades a database an older program made.
 */
void *pg_open_version(const char *conninfo, int version, struct tnfs_err *err);

/* The exports' generations (store_pg_exports.c; contracts: store.h). */
int pg_exports_bump(
    void *impl, const char *uuid, int64_t *gen, struct tnfs_err *err);
int pg_exports_changes(void *impl, int64_t after, int64_t upto,
    char (**uuids)[TNFS_UUID_BUFSZ], size_t *n, int *all,
    struct tnfs_err *err);
int pg_exports_served(void *impl, const char *head, int64_t gen,
    const char *failure, struct tnfs_err *err);
int pg_exports_state(void *impl, const char *head, int64_t *gen,
    int64_t *served, char *failure, size_t len, struct tnfs_err *err);

#endif
