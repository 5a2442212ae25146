/*
 * store_sqlite_instances.c: instance records, volume claims and leases on
 * SQLite (contracts: store.h).  A SQLite store has one instance, but it
 * keeps the same records as the PostgreSQL store, so tritonnfs-adm shows
 * the same thing and the provisioner runs the same code on both.  Each
 * decision is one statement: SQLite runs one writer at a time, so a
 * statement that reads and changes a row cannot interleave with another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"

/* Whether the claim in column col is free for ?1 with ?2 as live_after. */
#define CLAIM_FREE(col)                                                        \
	"(" col " IS NULL OR " col " = ?1 OR NOT EXISTS (SELECT 1 FROM"        \
	" instances i WHERE i.id = " col " AND i.heartbeat_ms >= ?2))"

int
sq_instance_put(void *impl, const struct instance *in, struct tnfs_err *err)
{
	return sq_run(impl,
		   "INSERT INTO instances (id, hostname, address, started_ms,"
		   " heartbeat_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
		   " ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname,"
		   " address = excluded.address,"
		   " heartbeat_ms = excluded.heartbeat_ms",
		   ARGS(TEXT(in->id), TEXT(in->hostname), TEXT(in->address),
		       INT(in->started_ms), INT(in->heartbeat_ms)),
		   "instance heartbeat", err) < 0
	    ? -1
	    : 0;
}

int
sq_instance_delete(void *impl, const char *id, struct tnfs_err *err)
{
	return sq_run(impl, "DELETE FROM instances WHERE id = ?1",
		   ARGS(TEXT(id)), "delete instance", err) < 0
	    ? -1
	    : 0;
}

int
sq_instance_list(
    void *impl, struct instance **out, size_t *n, struct tnfs_err *err)
{
	struct sq *st = impl;
	struct instance *is = NULL, *ni;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT id, hostname, address, started_ms, heartbeat_ms,"
		 " (SELECT count(*) FROM volumes v WHERE v.claim = i.id)"
		 " FROM instances i ORDER BY started_ms, id",
		 err)) == NULL)
		goto out;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 4;
			if ((ni = realloc(is, cap * sizeof(*ni))) == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			is = ni;
		}
		memset(&is[cnt], 0, sizeof(is[cnt]));
		sq_col_copy(s, 0, is[cnt].id, sizeof(is[cnt].id));
		sq_col_copy(s, 1, is[cnt].hostname, sizeof(is[cnt].hostname));
		sq_col_copy(s, 2, is[cnt].address, sizeof(is[cnt].address));
		is[cnt].started_ms = sqlite3_column_int64(s, 3);
		is[cnt].heartbeat_ms = sqlite3_column_int64(s, 4);
		is[cnt].jobs = sqlite3_column_int64(s, 5);
		cnt++;
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list instances");
		goto out;
	}
	*out = is;
	*n = cnt;
	is = NULL;
	rc = 0;
out:
	free(is);
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_instances_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "DELETE FROM instances WHERE heartbeat_ms < ?1 AND NOT EXISTS"
	    " (SELECT 1 FROM volumes v WHERE v.claim = instances.id)",
	    ARGS(INT(before_ms)), "reap instances", err);

	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

int
sq_jobs_claim(void *impl, const char *id, int64_t live_after_ms, size_t max,
    char (**out)[TNFS_UUID_BUFSZ], size_t *n, struct tnfs_err *err)
{
	struct sq *st = impl;
	char(*us)[TNFS_UUID_BUFSZ] = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	if ((us = calloc(max + 1, sizeof(*us))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	sq_lock(st);
	if ((s = sq_prep(st,
		 "UPDATE volumes SET claim = ?1 WHERE uuid IN (SELECT uuid"
		 " FROM volumes WHERE state IN ('creating', 'deleting') AND "
		 CLAIM_FREE("claim") " ORDER BY create_ms, uuid LIMIT ?3)"
		 " RETURNING uuid",
		 err)) == NULL)
		goto out;
	sq_bind_args(s, ARGS(TEXT(id), INT(live_after_ms), INT(max)));
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		if (cnt < max)
			sq_col_copy(s, 0, us[cnt++], sizeof(us[0]));
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "claim jobs");
		goto out;
	}
	*out = us;
	*n = cnt;
	us = NULL;
	rc = 0;
out:
	free(us);
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_volume_claim(void *impl, const char *uuid, const char *id,
    int64_t live_after_ms, struct tnfs_err *err)
{
	return sql_moved(sq_run(impl,
	    "UPDATE volumes SET claim = ?1 WHERE uuid = ?3 AND "
	    CLAIM_FREE("claim"),
	    ARGS(TEXT(id), INT(live_after_ms), TEXT(uuid)), "claim volume",
	    err));
}

int
sq_volume_release(
    void *impl, const char *uuid, const char *id, struct tnfs_err *err)
{
	return sq_run(impl,
		   "UPDATE volumes SET claim = NULL WHERE uuid = ?1 AND"
		   " claim = ?2",
		   ARGS(TEXT(uuid), TEXT(id)), "release volume", err) < 0
	    ? -1
	    : 0;
}

int
sq_lease_take(void *impl, const char *name, const char *holder,
    int64_t now_ms, int64_t until_ms, int64_t live_after_ms,
    struct tnfs_err *err)
{
	return sql_moved(sq_run(impl,
	    "INSERT INTO leases (name, holder, expires_ms) VALUES (?3, ?1, ?4)"
	    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
	    " expires_ms = excluded.expires_ms WHERE leases.expires_ms < ?5"
	    " OR " CLAIM_FREE("leases.holder"),
	    ARGS(TEXT(holder), INT(live_after_ms), TEXT(name), INT(until_ms),
		INT(now_ms)),
	    "take lease", err));
}

int
sq_lease_release(
    void *impl, const char *name, const char *holder, struct tnfs_err *err)
{
	return sq_run(impl, "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
		   ARGS(TEXT(name), TEXT(holder)), "release lease", err) < 0
	    ? -1
	    : 0;
}
