/*
 * store_pg_stmts.h: the PostgreSQL store's prepared statements, one set
 * per connection.  A statement with arguments is prepared on the
 * connection the first time it runs there and executed by name after
 * that, so the server parses and analyses it once per connection, not
 * once per request.
 *
 * The set belongs to one connection: it is emptied whenever the store
 * connects again (the server forgot the statements with the session).
 * It holds at most PG_STMTS_MAX texts; past that a statement runs
 * unprepared, so that list queries of many shapes (store_pg_where.c)
 * cannot grow it without bound.
 */
#ifndef TNFS_STORE_PG_STMTS_H
#define TNFS_STORE_PG_STMTS_H

#define PG_STMTS_MAX 128

struct pg_stmts;

/* NULL when out of memory. */
struct pg_stmts *pg_stmts_new(void);
void pg_stmts_free(struct pg_stmts *s);

/* Forget every statement: a new connection has none. */
void pg_stmts_reset(struct pg_stmts *s);

/*
 * The name sql is prepared under on this connection, or NULL when it
 * runs unprepared (the set is full, or out of memory).  *fresh is 1 when
 * the name is new: the caller prepares it, then reports with
 * pg_stmts_prepared whether the server took it.
 */
const char *pg_stmts_name(struct pg_stmts *s, const char *sql, int *fresh);

/* Whether the server prepared the statement named by pg_stmts_name. */
void pg_stmts_prepared(struct pg_stmts *s, const char *name, int ok);

#endif
