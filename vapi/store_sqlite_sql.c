/*
 * store_sqlite_sql.c: the SQLite store's connection as sql.h's ops, for
 * the records both stores share (store_sql_*.c).
 */
#include <sqlite3.h>

#include "store_sqlite.h"

static int
query(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct sql_rows *rows, struct tnfs_err *err)
{
	sqlite3_stmt *s;

	(void)what;
	if ((s = sq_prep(db, sql, err)) == NULL)
		return -1;
	sq_bind_args(s, a, n);
	rows->h = s;
	rows->row = -1;
	rows->count = -1; /* known once stepped past the last */
	return 0;
}

static int
next(void *db, struct sql_rows *rows, const char *what, struct tnfs_err *err)
{
	int r = sqlite3_step(rows->h);

	if (r == SQLITE_ROW) {
		rows->row++;
		return 1;
	}
	if (r == SQLITE_DONE)
		return 0;
	sq_db_err(db, err, what);
	return -1;
}

static const char *
text(struct sql_rows *rows, int c)
{
	return (const char *)sqlite3_column_text(rows->h, c);
}

static int64_t
num(struct sql_rows *rows, int c)
{
	return sqlite3_column_int64(rows->h, c);
}

static void
close_rows(void *db, struct sql_rows *rows)
{
	sq_done(db, rows->h);
	rows->h = NULL;
}

/*
 * One VAPI owns a SQLite store, and its transactions hold the one
 * connection's lock from begin to end: every turn is already held.
 */
static int
turn(void *db, enum sql_turn what, const char *key, struct tnfs_err *err)
{
	(void)db;
	(void)what;
	(void)key;
	(void)err;
	return 0;
}

static int
in_tx(void *db)
{
	return ((struct sq *)db)->depth > 0;
}

const struct sql_ops sq_sql_ops = {
    .dialect = SQL_SQLITE,
    .lock = sq_lock,
    .unlock = sq_unlock,
    .run = sq_run,
    .query = query,
    .next = next,
    .text = text,
    .num = num,
    .close = close_rows,
    .in_tx = in_tx,
    .tx_begin = sq_tx_begin,
    .tx_commit = sq_tx_commit,
    .tx_rollback = sq_tx_rollback,
    .turn = turn,
};
