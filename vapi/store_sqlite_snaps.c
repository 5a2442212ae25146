/*
 * store_sqlite_snaps.c: snapshot records on SQLite, in creation order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "timefmt.h"

int
sq_snap_insert(void *impl, const char *volume_uuid, const struct snapshot *sn,
    struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "INSERT INTO snapshots (volume_uuid, name, seq, create_ms,"
	    " state) VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1"
	    " FROM snapshots WHERE volume_uuid = ?1), ?3, ?4)",
	    ARGS(TEXT(volume_uuid), TEXT(sn->name), INT(sn->create_ms),
		TEXT(sn->state)),
	    "insert snapshot", err);

	if (r == CONFLICT)
		tnfs_err_set(err, TNFS_E_SNAPSHOT_EXISTS,
		    "Snapshot with name %s already exists", sn->name);
	return r < 0 ? -1 : 0;
}

static void
row_snapshot(sqlite3_stmt *s, struct snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	sq_col_copy(s, 0, sn->name, sizeof(sn->name));
	sn->seq = sqlite3_column_int64(s, 1);
	sn->create_ms = sqlite3_column_int64(s, 2);
	sq_col_copy(s, 3, sn->state, sizeof(sn->state));
}

int
sq_snap_list(void *impl, const char *volume_uuid, struct snapshot **out,
    size_t *n, struct tnfs_err *err)
{
	struct sq *st = impl;
	struct snapshot *ss = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT name, seq, create_ms, state FROM snapshots"
		 " WHERE volume_uuid = ? ORDER BY seq",
		 err)) == NULL)
		goto out;
	sq_bind_text(s, 1, volume_uuid);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct snapshot *ns = realloc(ss, ncap * sizeof(*ns));

			if (ns == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			ss = ns;
			cap = ncap;
		}
		row_snapshot(s, &ss[cnt++]);
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list snapshots");
		goto out;
	}
	*out = ss;
	*n = cnt;
	ss = NULL;
	rc = 0;
out:
	free(ss);
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_snap_get(void *impl, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err)
{
	struct sq *st = impl;
	sqlite3_stmt *s;
	int rc = -1, r;

	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT name, seq, create_ms, state FROM snapshots"
		 " WHERE volume_uuid = ? AND name = ?",
		 err)) == NULL)
		goto out;
	sq_bind_args(s, ARGS(TEXT(volume_uuid), TEXT(name)));
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		row_snapshot(s, out);
		rc = 0;
	} else if (r == SQLITE_DONE) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
		    "Snapshot with name %s could not be found", name);
	} else {
		sq_db_err(st, err, "get snapshot");
	}
out:
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_snap_set_state(void *impl, const char *volume_uuid, const char *name,
    const char *state, struct tnfs_err *err)
{
	return sq_run(impl,
		   "UPDATE snapshots SET state = ? WHERE volume_uuid = ?"
		   " AND name = ?",
		   ARGS(TEXT(state), TEXT(volume_uuid), TEXT(name)),
		   "set snapshot state", err) < 0
	    ? -1
	    : 0;
}

int
sq_snap_delete(
    void *impl, const char *volume_uuid, const char *name, struct tnfs_err *err)
{
	return sq_run(impl,
		   "DELETE FROM snapshots WHERE volume_uuid = ? AND name = ?",
		   ARGS(TEXT(volume_uuid), TEXT(name)), "delete snapshot",
		   err) < 0
	    ? -1
	    : 0;
}
