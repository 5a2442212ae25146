/*
 * store_sql_snaps.c: snapshot records, in creation order, on either
 * record store.
 */
#include <string.h>

#include "store_sql.h"

int
sql_snap_insert(void *impl, const char *volume_uuid, const struct snapshot *sn,
    struct tnfs_err *err)
{
	int r = sql_run(impl,
	    "INSERT INTO snapshots (volume_uuid, name, seq, create_ms,"
	    " state) VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1"
	    " FROM snapshots WHERE volume_uuid = $1), $3, $4)",
	    ARGS(TEXT(volume_uuid), TEXT(sn->name), INT(sn->create_ms),
		TEXT(sn->state)),
	    "insert snapshot", err);

	if (r == CONFLICT)
		tnfs_err_set(err, TNFS_E_SNAPSHOT_EXISTS,
		    "Snapshot with name %s already exists", sn->name);
	return r < 0 ? -1 : 0;
}

#define SNAPSHOT_COLUMNS "name, seq, create_ms, state"

static void
snapshot_row(void *db, struct sql_rows *rows, void *elem)
{
	struct snapshot *sn = elem;

	sql_copy(db, rows, 0, sn->name, sizeof(sn->name));
	sn->seq = sql_int(db, rows, 1);
	sn->create_ms = sql_int(db, rows, 2);
	sql_copy(db, rows, 3, sn->state, sizeof(sn->state));
}

int
sql_snap_list(void *impl, const char *volume_uuid, struct snapshot **out,
    size_t *n, struct tnfs_err *err)
{
	return sql_list(impl,
	    "SELECT " SNAPSHOT_COLUMNS " FROM snapshots WHERE volume_uuid = $1"
	    " ORDER BY seq",
	    ARGS(TEXT(volume_uuid)), "list snapshots", sizeof(**out),
	    snapshot_row, out, n, err);
}

static void
uuid_row(void *db, struct sql_rows *rows, void *elem)
{
	sql_copy(db, rows, 0, elem, TNFS_UUID_BUFSZ);
}

/*
 * By the snapshots' own rows, so that a start does not read every volume
 * to find the few a stop cut short.
 */
int
sql_snap_unsettled(void *impl, char (**uuids)[TNFS_UUID_BUFSZ], size_t *n,
    struct tnfs_err *err)
{
	return sql_list(impl,
	    "SELECT DISTINCT volume_uuid FROM snapshots"
	    " WHERE state IN ('creating', 'deleting') ORDER BY volume_uuid",
	    NULL, 0, "unsettled snapshots", TNFS_UUID_BUFSZ, uuid_row, uuids,
	    n, err);
}

int
sql_snap_get(void *impl, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = sql_one(impl,
	    "SELECT " SNAPSHOT_COLUMNS " FROM snapshots WHERE volume_uuid = $1"
	    " AND name = $2",
	    ARGS(TEXT(volume_uuid), TEXT(name)), "get snapshot", snapshot_row,
	    out, err);
	if (r == 0)
		tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
		    "Snapshot with name %s could not be found", name);
	return r == 1 ? 0 : -1;
}

int
sql_snap_set_state(void *impl, const char *volume_uuid, const char *name,
    const char *state, struct tnfs_err *err)
{
	return sql_run(impl,
		   "UPDATE snapshots SET state = $1 WHERE volume_uuid = $2"
		   " AND name = $3",
		   ARGS(TEXT(state), TEXT(volume_uuid), TEXT(name)),
		   "set snapshot state", err) < 0
	    ? -1
	    : 0;
}

int
sql_snap_delete(
    void *impl, const char *volume_uuid, const char *name, struct tnfs_err *err)
{
	return sql_run(impl,
		   "DELETE FROM snapshots WHERE volume_uuid = $1 AND name = $2",
		   ARGS(TEXT(volume_uuid), TEXT(name)), "delete snapshot",
		   err) < 0
	    ? -1
	    : 0;
}
