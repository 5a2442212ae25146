/*
 * store_pg_meta.c: the PostgreSQL store's settings, the meta table of
 * keys and values (store_impl.h).
 */
#include <stdlib.h>

#include <libpq-fe.h>

#include "store_pg.h"

int
pg_meta_get(void *impl, const char *key, char **val, struct tnfs_err *err)
{
	struct pg *st = impl;
	PGresult *res;
	int rc = -1;

	*val = NULL;
	pg_lock(st);
	res = pg_query(st, "SELECT value FROM meta WHERE key = $1",
	    ARGS(TEXT(key)), "meta", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 && (*val = pg_dup(res, 0, 0)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_meta_set(void *impl, const char *key, const char *val, struct tnfs_err *err)
{
	return pg_run(impl,
		   "INSERT INTO meta (key, value) VALUES ($1, $2)"
		   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		   ARGS(TEXT(key), TEXT(val)), "meta", err) < 0
	    ? -1
	    : 0;
}

int
pg_meta_add(void *impl, const char *key, const char *val, struct tnfs_err *err)
{
	return pg_run(impl,
		   "INSERT INTO meta (key, value) VALUES ($1, $2)"
		   " ON CONFLICT (key) DO NOTHING",
		   ARGS(TEXT(key), TEXT(val)), "meta", err) < 0
	    ? -1
	    : 0;
}

int
pg_meta_delete(void *impl, const char *key, struct tnfs_err *err)
{
	return pg_run(impl, "DELETE FROM meta WHERE key = $1", ARGS(TEXT(key)),
		   "meta", err) < 0
	    ? -1
	    : 0;
}

int
pg_meta_prune_creating(void *impl, const char *prefix, struct tnfs_err *err)
{
	/* prefix is ours (a constant), not a pattern from a request. */
	return pg_run(impl,
		   "DELETE FROM meta WHERE substr(key, 1, length($1::text)) = "
		   "$1::text"
		   " AND substr(key, length($1::text) + 1) NOT IN"
		   " (SELECT uuid FROM volumes WHERE state = 'creating')",
		   ARGS(TEXT(prefix)), "meta", err) < 0
	    ? -1
	    : 0;
}

int
pg_meta_list(void *impl, const char *prefix, struct meta_entry **out,
    size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct meta_entry *es = NULL;
	PGresult *res;
	size_t cnt = 0;
	int rc = -1, i;

	pg_lock(st);
	res = pg_query(st,
	    "SELECT key, value FROM meta"
	    " WHERE substr(key, 1, length($1::text)) = $1::text ORDER BY key",
	    ARGS(TEXT(prefix)), "meta", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 &&
	    (es = calloc((size_t)PQntuples(res), sizeof(*es))) == NULL)
		goto oom;
	for (i = 0; i < PQntuples(res); i++) {
		es[cnt].key = pg_dup(res, i, 0);
		es[cnt].value = pg_dup(res, i, 1);
		cnt++;
		if (es[cnt - 1].key == NULL || es[cnt - 1].value == NULL)
			goto oom;
	}
	*out = es;
	*n = cnt;
	es = NULL;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	meta_list_free(es, cnt);
	PQclear(res);
	pg_unlock(st);
	return rc;
}
