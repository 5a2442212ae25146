/*
 * sql.c: the calls of sql.h, over the ops of the store's connection, and
 * the reading of PostgreSQL's parameters in SQLite's words.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

static const struct sql_ops *
ops(void *db)
{
	return ((struct sql *)db)->ops;
}

int
sql_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err)
{
	return ops(db)->run(db, sql, a, n, what, err);
}

void
sql_lock(void *db)
{
	ops(db)->lock(db);
}

void
sql_unlock(void *db)
{
	ops(db)->unlock(db);
}

int
sql_query(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct sql_rows *rows, struct tnfs_err *err)
{
	return ops(db)->query(db, sql, a, n, what, rows, err);
}

int
sql_next(
    void *db, struct sql_rows *rows, const char *what, struct tnfs_err *err)
{
	return ops(db)->next(db, rows, what, err);
}

void
sql_close(void *db, struct sql_rows *rows)
{
	ops(db)->close(db, rows);
}

int
sql_moved(int r)
{
	return r < 0 ? -1 : r > 0;
}

int
sql_reaped(int r, int *n)
{
	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

enum sql_dialect
sql_dialect_of(void *db)
{
	return ops(db)->dialect;
}

int
sql_in_tx(void *db)
{
	return ops(db)->in_tx(db);
}

int
sql_tx_begin(void *db, struct tnfs_err *err)
{
	return ops(db)->tx_begin(db, err);
}

int
sql_tx_commit(void *db, struct tnfs_err *err)
{
	return ops(db)->tx_commit(db, err);
}

void
sql_tx_rollback(void *db)
{
	ops(db)->tx_rollback(db);
}

int
sql_turn(void *db, enum sql_turn what, const char *key, struct tnfs_err *err)
{
	return ops(db)->turn(db, what, key, err);
}

const char *
sql_text(void *db, struct sql_rows *rows, int c)
{
	return ops(db)->text(rows, c);
}

void
sql_copy(void *db, struct sql_rows *rows, int c, char *dst, size_t len)
{
	const char *t = ops(db)->text(rows, c);

	snprintf(dst, len, "%s", t == NULL ? "" : t);
}

char *
sql_dup(void *db, struct sql_rows *rows, int c)
{
	const char *t = ops(db)->text(rows, c);

	return t == NULL ? NULL : strdup(t);
}

int64_t
sql_int(void *db, struct sql_rows *rows, int c)
{
	return ops(db)->num(rows, c);
}

int
sql_list(void *db, const char *sql, const struct arg *a, size_t na,
    const char *what, size_t elem, sql_row_fn *row, void *out, size_t *n,
    struct tnfs_err *err)
{
	const struct sql_ops *o = ops(db);
	struct sql_rows rows;
	char *arr = NULL, *grown;
	size_t cnt = 0, cap = 0;
	int rc = -1, r;

	/* out is a pointer to the caller's typed array pointer */
	memcpy(out, &arr, sizeof(arr));
	*n = 0;
	o->lock(db);
	if (o->query(db, sql, a, na, what, &rows, err) == -1) {
		o->unlock(db);
		return -1;
	}
	while ((r = o->next(db, &rows, what, err)) == 1) {
		if (cnt == cap) {
			cap = cap != 0       ? cap * 2
			    : rows.count > 0 ? (size_t)rows.count
					     : 8;
			if ((grown = realloc(arr, cap * elem)) == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			arr = grown;
		}
		memset(arr + cnt * elem, 0, elem);
		row(db, &rows, arr + cnt * elem);
		cnt++;
	}
	if (r == -1)
		goto out;
	memcpy(out, &arr, sizeof(arr));
	*n = cnt;
	arr = NULL;
	rc = 0;
out:
	free(arr);
	o->close(db, &rows);
	o->unlock(db);
	return rc;
}

int
sql_one(void *db, const char *sql, const struct arg *a, size_t na,
    const char *what, sql_row_fn *row, void *elem, struct tnfs_err *err)
{
	const struct sql_ops *o = ops(db);
	struct sql_rows rows;
	int r;

	o->lock(db);
	if (o->query(db, sql, a, na, what, &rows, err) == -1) {
		o->unlock(db);
		return -1;
	}
	if ((r = o->next(db, &rows, what, err)) == 1)
		row(db, &rows, elem);
	o->close(db, &rows);
	o->unlock(db);
	return r;
}

static void
first_int(void *db, struct sql_rows *rows, void *elem)
{
	*(int64_t *)elem = sql_int(db, rows, 0);
}

int
sql_int_of(void *db, const char *sql, const struct arg *a, size_t na,
    const char *what, int64_t *out, struct tnfs_err *err)
{
	*out = 0;
	return sql_one(db, sql, a, na, what, first_int, out, err) == -1 ? -1
									: 0;
}

char *
sql_sqlite_text(const char *sql)
{
	size_t len = strlen(sql);
	char *out = malloc(len + 1), *o = out;
	int quoted = 0;

	if (out == NULL)
		return NULL;
	while (*sql != '\0') {
		if (*sql == '\'')
			quoted = !quoted;
		if (!quoted && sql[0] == '$' &&
		    isdigit((unsigned char)sql[1])) {
			*o++ = '?';
			sql++;
			continue;
		}
		if (!quoted && sql[0] == ':' && sql[1] == ':') {
			sql += 2;
			while (isalnum((unsigned char)*sql) || *sql == '_')
				sql++;
			continue;
		}
		*o++ = *sql++;
	}
	*o = '\0';
	return out;
}
