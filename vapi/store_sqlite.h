/*
 * store_sqlite.h: what the files of the SQLite store share (not a public
 * header: the rest of the daemon sees store.h only).  store_sqlite.c holds
 * the connection, the schema, transactions and the ops table;
 * store_sqlite_volumes.c the volume records, whose SQL is SQLite's own
 * (the other records are store_sql_*.c's, through store_sqlite_sql.c).
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
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
void sq_bind_args(sqlite3_stmt *s, const struct arg *a, size_t n);
/* A copy of column i the caller frees, NULL when NULL or out of memory. */
char *sq_col_dup(sqlite3_stmt *s, int i);
void sq_col_copy(sqlite3_stmt *s, int i, char *dst, size_t len);
/*
 * The one path of every statement that returns no rows: lock, prepare,
 * bind, run, finalize, unlock.  Returns the number of rows it changed;
 * CONFLICT when a uniqueness constraint refused it (err holds SQLite's
 * words, which name the constraint; the caller says what it means); -1
 * with err on any other failure.
 */
int sq_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err);

/*
 * A volume filter as a WHERE clause (store_sqlite_where.c): sql is an
 * expression over the columns of volumes ("1" for no filter), args its
 * parameters in order (borrowing the filter's strings).  exact is 0 when
 * part of the filter could not be said in SQL: each row must then pass
 * volume_filter_match too.
 */
struct sq_where {
	char *sql;
	size_t len, cap;
	struct arg *args;
	size_t nargs, acap;
	int exact;
	int oom;
};

int sq_where_build(
    const struct volume_filter *f, struct sq_where *w, struct tnfs_err *err);
void sq_where_free(struct sq_where *w);

/* The connection as sql.h sees it (store_sqlite_sql.c). */
extern const struct sql_ops sq_sql_ops;

int sq_tx_begin(void *impl, struct tnfs_err *err);
int sq_tx_commit(void *impl, struct tnfs_err *err);
void sq_tx_rollback(void *impl);

/* The ops of each record kind (contracts: store.h). */
int sq_volume_insert(void *impl, const struct volume *v, struct tnfs_err *err);
int sq_volume_get(
    void *impl, const char *uuid, struct volume **out, struct tnfs_err *err);
int sq_volume_list(void *impl, const struct volume_filter *f,
    struct volume ***out, size_t *n, struct tnfs_err *err);
int sq_volume_set_state(void *impl, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err);
int sq_volume_set_served(void *impl, const char *uuid, int serving,
    const char *error, struct tnfs_err *err);
int sq_volume_move(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err);
int sq_volume_set_ready(void *impl, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err);
int sq_volume_set_exported(
    void *impl, const char *uuid, int exported, struct tnfs_err *err);
int sq_volume_rename(
    void *impl, const char *uuid, const char *name, struct tnfs_err *err);
int sq_volume_set_size(
    void *impl, const char *uuid, uint64_t size, struct tnfs_err *err);
int sq_volume_delete(void *impl, const char *uuid, struct tnfs_err *err);

#endif
