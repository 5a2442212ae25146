/*
 * sql.h: a connection of either record store (SQLite, PostgreSQL) as the
 * record code both share sees it.  The records are written once against
 * this (store_sql_*.c); what only one store has (SQLite's file and
 * schema, PostgreSQL's connection, migrations and the shared NFS heads'
 * generations) stays in store_sqlite*.c and store_pg*.c.
 *
 * Statements are written in PostgreSQL's words: parameters $1, $2, ...
 * (each may stand more than once), casts "$1::text" where PostgreSQL must
 * be told a NULL parameter's type.  The SQLite store reads $N as ?N and
 * drops the casts (sql_sqlite_text).
 *
 * Every store's state begins with a struct sql, so the store's impl
 * pointer is a struct sql * too.
 */
#ifndef TNFS_VAPI_SQL_H
#define TNFS_VAPI_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* One argument of a statement, bound to $1, $2, ... in order. */
struct arg {
	int is_int;
	const char *text; /* NULL binds SQL NULL */
	int64_t num;
};

#define TEXT(s)                                                                \
	{                                                                      \
		0, (s), 0                                                      \
	}
#define INT(n)                                                                 \
	{                                                                      \
		1, NULL, (int64_t)(n)                                          \
	}
/* An array of args and its length. */
#define ARGS(...)                                                              \
	(const struct arg[]){__VA_ARGS__},                                     \
	    sizeof((const struct arg[]){__VA_ARGS__}) / sizeof(struct arg)

/* What a run returns when a uniqueness constraint refused it. */
#define CONFLICT (-2)

/* The rows of one query, read in order; owned by the query's caller. */
struct sql_rows {
	void *h;   /* the dialect's handle: a statement or a result */
	int row;   /* the current row, from 0 (-1 before the first) */
	int count; /* the rows a result holds, where the dialect knows */
};

/*
 * What a transaction must hold so that instances sharing the store take
 * turns (a store one instance owns holds its whole connection already).
 */
enum sql_turn {
	SQL_TURN_OWNER_HOSTS, /* key: an owner uuid; adding its hosts */
	SQL_TURN_VOLUME,      /* key: a volume uuid; its row, locked */
};

/*
 * Where the two say a thing differently, the shared code picks between two
 * constant statements by the dialect (so each stays one prepared
 * statement): row locks (FOR UPDATE), pattern and substring matching.
 */
enum sql_dialect {
	SQL_SQLITE,
	SQL_POSTGRESQL, /* instances may share it: reads that decide lock */
};

struct sql_ops {
	enum sql_dialect dialect;
	/* The connection's lock (recursive: a transaction holds it too). */
	void (*lock)(void *db);
	void (*unlock)(void *db);
	/*
	 * A statement that returns no rows, under the lock: the number of
	 * rows it changed; CONFLICT when a uniqueness constraint refused it
	 * (err holds the database's words); -1 with err otherwise.
	 */
	int (*run)(void *db, const char *sql, const struct arg *a, size_t n,
	    const char *what, struct tnfs_err *err);
	/* A query with the lock held: rows to read, or -1 with err. */
	int (*query)(void *db, const char *sql, const struct arg *a, size_t n,
	    const char *what, struct sql_rows *rows, struct tnfs_err *err);
	/* The next row: 1, 0 at the end, -1 with err. */
	int (*next)(void *db, struct sql_rows *rows, const char *what,
	    struct tnfs_err *err);
	/* Column c of the current row: NULL when SQL NULL. */
	const char *(*text)(struct sql_rows *rows, int c);
	int64_t (*num)(struct sql_rows *rows, int c);
	void (*close)(void *db, struct sql_rows *rows);
	/* 1 inside store_tx_begin .. commit or rollback. */
	int (*in_tx)(void *db);
	int (*tx_begin)(void *db, struct tnfs_err *err);
	int (*tx_commit)(void *db, struct tnfs_err *err);
	void (*tx_rollback)(void *db);
	/* Inside a transaction: wait for the turn named (key) until it ends. */
	int (*turn)(void *db, enum sql_turn what, const char *key,
	    struct tnfs_err *err);
};

struct sql {
	const struct sql_ops *ops;
};

int sql_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err);

/*
 * A query read row by row, with the lock held from before sql_query until
 * after sql_close (sql_list and sql_one below do all of it).
 */
void sql_lock(void *db);
void sql_unlock(void *db);
int sql_query(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct sql_rows *rows, struct tnfs_err *err);
int sql_next(
    void *db, struct sql_rows *rows, const char *what, struct tnfs_err *err);
void sql_close(void *db, struct sql_rows *rows);
/* A run that must change no or one row: 1 when it changed one, 0, -1. */
int sql_moved(int r);
/* A run that reaps: the rows it took into *n (when n is not NULL), 0 or -1. */
int sql_reaped(int r, int *n);

enum sql_dialect sql_dialect_of(void *db);
int sql_in_tx(void *db);
int sql_tx_begin(void *db, struct tnfs_err *err);
int sql_tx_commit(void *db, struct tnfs_err *err);
void sql_tx_rollback(void *db);
int sql_turn(
    void *db, enum sql_turn what, const char *key, struct tnfs_err *err);

/* Column c of a row being read (row_fn below): as text, copied, a number. */
const char *sql_text(void *db, struct sql_rows *rows, int c);
void sql_copy(void *db, struct sql_rows *rows, int c, char *dst, size_t len);
char *sql_dup(void *db, struct sql_rows *rows, int c);
int64_t sql_int(void *db, struct sql_rows *rows, int c);

/* Fill the record at elem from the current row. */
typedef void sql_row_fn(void *db, struct sql_rows *rows, void *elem);

/*
 * Every row of a query, each filled by row into an array of records of
 * size elem the caller frees (*out NULL when none); -1 with err, *out
 * NULL and *n 0.
 */
int sql_list(void *db, const char *sql, const struct arg *a, size_t na,
    const char *what, size_t elem, sql_row_fn *row, void *out, size_t *n,
    struct tnfs_err *err);
/* The first row of a query into *elem: 1, 0 when there is none, -1. */
int sql_one(void *db, const char *sql, const struct arg *a, size_t na,
    const char *what, sql_row_fn *row, void *elem, struct tnfs_err *err);
/* The first column of the first row as a number (0 with no row). */
int sql_int_of(void *db, const char *sql, const struct arg *a, size_t na,
    const char *what, int64_t *out, struct tnfs_err *err);

/*
 * SQL in PostgreSQL's words as SQLite reads it ($N -> ?N, "::type"
 * dropped; quoted text kept as it is): a string the caller frees, or NULL
 * when out of memory.
 */
char *sql_sqlite_text(const char *sql);

#endif
