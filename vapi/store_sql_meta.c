/*
 * store_sql_meta.c: a store's settings, the meta table of keys and values
 * (store_impl.h), on either record store.
 */
#include <stdlib.h>

#include "store_sql.h"

static void
value_row(void *db, struct sql_rows *rows, void *elem)
{
	*(char **)elem = sql_dup(db, rows, 0);
}

int
sql_meta_get(void *impl, const char *key, char **val, struct tnfs_err *err)
{
	int r;

	*val = NULL;
	r = sql_one(impl, "SELECT value FROM meta WHERE key = $1",
	    ARGS(TEXT(key)), "meta", value_row, val, err);
	if (r == 1 && *val == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	return r == -1 ? -1 : 0;
}

int
sql_meta_set(void *impl, const char *key, const char *val, struct tnfs_err *err)
{
	return sql_run(impl,
		   "INSERT INTO meta (key, value) VALUES ($1, $2)"
		   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		   ARGS(TEXT(key), TEXT(val)), "meta", err) < 0
	    ? -1
	    : 0;
}

int
sql_meta_add(void *impl, const char *key, const char *val, struct tnfs_err *err)
{
	return sql_run(impl,
		   "INSERT INTO meta (key, value) VALUES ($1, $2)"
		   " ON CONFLICT (key) DO NOTHING",
		   ARGS(TEXT(key), TEXT(val)), "meta", err) < 0
	    ? -1
	    : 0;
}

int
sql_meta_delete(void *impl, const char *key, struct tnfs_err *err)
{
	return sql_run(impl, "DELETE FROM meta WHERE key = $1", ARGS(TEXT(key)),
		   "meta", err) < 0
	    ? -1
	    : 0;
}

int
sql_meta_prune_creating(void *impl, const char *prefix, struct tnfs_err *err)
{
	/* prefix is ours (a constant), not a pattern from a request. */
	return sql_run(impl,
		   "DELETE FROM meta WHERE substr(key, 1, length($1::text))"
		   " = $1::text AND substr(key, length($1::text) + 1) NOT IN"
		   " (SELECT uuid FROM volumes WHERE state = 'creating')",
		   ARGS(TEXT(prefix)), "meta", err) < 0
	    ? -1
	    : 0;
}

static void
entry_row(void *db, struct sql_rows *rows, void *elem)
{
	struct meta_entry *e = elem;

	e->key = sql_dup(db, rows, 0);
	e->value = sql_dup(db, rows, 1);
}

int
sql_meta_list(void *impl, const char *prefix, struct meta_entry **out,
    size_t *n, struct tnfs_err *err)
{
	size_t i;

	if (sql_list(impl,
		"SELECT key, value FROM meta WHERE"
		" substr(key, 1, length($1::text)) = $1::text ORDER BY key",
		ARGS(TEXT(prefix)), "meta", sizeof(**out), entry_row, out, n,
		err) == -1)
		return -1;
	for (i = 0; i < *n; i++) {
		if ((*out)[i].key == NULL || (*out)[i].value == NULL) {
			meta_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			return -1;
		}
	}
	return 0;
}
