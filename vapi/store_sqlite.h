/*
 * store_sqlite.h: what the files of the SQLite store share (not a public
 * header: the rest of the daemon sees store.h only).  store_sqlite.c holds
 * the connection, the schema, transactions and the ops table; the records
 * are store_sql_*.c's, through store_sqlite_sql.c.
 */
#ifndef TNFS_VAPI_STORE_SQLITE_H
#define TNFS_VAPI_STORE_SQLITE_H

#include <pthread.h>
#include <stdint.h>

#include <sqlite3.h>

#include "sql.h"
#include "store_impl.h"

/*
 * Prepared statements kept per connection: preparing costs more than
 * running most of ours.  Keyed by the SQL text; a statement in use (a
 * query running while another runs the same SQL) is not handed out twice.
 */
#define SQ_STMT_CACHE 64

struct sq_cached {
	char *sql; /* NULL: a free slot */
	sqlite3_stmt *stmt;
	int busy;
	uint64_t used; /* for eviction: the least recently used goes */
};

struct sq {
	struct sql base; /* first: impl is a struct sql * too */
	sqlite3 *db;
	pthread_mutex_t mu;
	int depth;     /* nesting of store_tx_begin */
	int tx_failed; /* an inner rollback dooms the outer transaction */
	struct sq_cached cache[SQ_STMT_CACHE];
	uint64_t clock;
};


/* A store error with SQLite's words: "store: <what>: <message>". */
void sq_db_err(struct sq *st, struct tnfs_err *err, const char *what);
/* The connection's mutex (recursive: a transaction holds it too). */
void sq_lock(void *db);
void sq_unlock(void *db);
/*
 * A prepared statement from the connection's cache (prepared on first
 * use), or NULL with err.  The caller holds the lock until it hands the
 * statement back with sq_done (NULL is a no-op), which resets it.
 */
sqlite3_stmt *sq_prep(struct sq *st, const char *sql, struct tnfs_err *err);
void sq_done(struct sq *st, sqlite3_stmt *s);
void sq_bind_args(sqlite3_stmt *s, const struct arg *a, size_t n);
/*
 * The one path of every statement that returns no rows: lock, prepare,
 * bind, run, finalize, unlock.  Returns the number of rows it changed;
 * CONFLICT when a uniqueness constraint refused it (err holds SQLite's
 * words, which name the constraint; the caller says what it means); -1
 * with err on any other failure.
 */
int sq_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err);

/* The connection as sql.h sees it (store_sqlite_sql.c). */
extern const struct sql_ops sq_sql_ops;

int sq_tx_begin(void *impl, struct tnfs_err *err);
int sq_tx_commit(void *impl, struct tnfs_err *err);
void sq_tx_rollback(void *impl);

#endif
