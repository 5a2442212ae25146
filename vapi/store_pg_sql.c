/*
 * store_pg_sql.c: the PostgreSQL store's connection as sql.h's ops, for
 * the records both stores share (store_sql_*.c).
 */
#include <stdlib.h>

#include "store_pg.h"

/* The whole result comes at once: rows are read from it in memory. */
static int
query(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct sql_rows *rows, struct tnfs_err *err)
{
	PGresult *res = pg_query(db, sql, a, n, what, NULL, err);

	if (res == NULL)
		return -1;
	rows->h = res;
	rows->row = -1;
	rows->count = PQntuples(res);
	return 0;
}

static int
next(void *db, struct sql_rows *rows, const char *what, struct tnfs_err *err)
{
	(void)db;
	(void)what;
	(void)err;
	if (rows->row + 1 >= rows->count)
		return 0;
	rows->row++;
	return 1;
}

static const char *
text(struct sql_rows *rows, int c)
{
	return PQgetisnull(rows->h, rows->row, c)
	    ? NULL
	    : PQgetvalue(rows->h, rows->row, c);
}

static int64_t
num(struct sql_rows *rows, int c)
{
	return pg_int(rows->h, rows->row, c);
}

static void
close_rows(void *db, struct sql_rows *rows)
{
	(void)db;
	PQclear(rows->h);
	rows->h = NULL;
}

/*
 * Instances sharing the store take turns where a transaction counts what
 * it then adds: an advisory lock per owner for its hosts, the volume's
 * row for its grants; both held until the transaction ends, also when
 * its instance dies.
 */
static int
turn(void *db, enum sql_turn what, const char *key, struct tnfs_err *err)
{
	static const char *const sql[] = {
	    [SQL_TURN_OWNER_HOSTS] =
		"SELECT 0 FROM pg_advisory_xact_lock(hashtext($1))",
	    [SQL_TURN_VOLUME] =
		"SELECT 0 FROM volumes WHERE uuid = $1 FOR UPDATE",
	};
	static const char *const why[] = {
	    [SQL_TURN_OWNER_HOSTS] = "lock owner's hosts",
	    [SQL_TURN_VOLUME] = "lock volume",
	};
	PGresult *res;
	int rc;

	pg_lock(db);
	res = pg_query(db, sql[what], ARGS(TEXT(key)), why[what], NULL, err);
	rc = res == NULL ? -1 : 0;
	PQclear(res);
	pg_unlock(db);
	return rc;
}

static int
in_tx(void *db)
{
	return ((struct pg *)db)->depth > 0;
}

const struct sql_ops pg_sql_ops = {
    .dialect = SQL_POSTGRESQL,
    .lock = pg_lock,
    .unlock = pg_unlock,
    .run = pg_run,
    .query = query,
    .next = next,
    .text = text,
    .num = num,
    .close = close_rows,
    .in_tx = in_tx,
    .tx_begin = pg_tx_begin,
    .tx_commit = pg_tx_commit,
    .tx_rollback = pg_tx_rollback,
    .turn = turn,
};
