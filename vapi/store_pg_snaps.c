/*
 * store_pg_snaps.c: snapshot records on PostgreSQL, in creation order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

int
pg_snap_insert(void *impl, const char *volume_uuid, const struct snapshot *sn,
    struct tnfs_err *err)
{
	int r = pg_run(impl,
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

static void
row_snapshot(const PGresult *res, int r, struct snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	pg_copy(res, r, 0, sn->name, sizeof(sn->name));
	sn->seq = pg_int(res, r, 1);
	sn->create_ms = pg_int(res, r, 2);
	pg_copy(res, r, 3, sn->state, sizeof(sn->state));
}

int
pg_snap_list(void *impl, const char *volume_uuid, struct snapshot **out,
    size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct snapshot *ss = NULL;
	PGresult *res;
	int rc = -1, i;

	*out = NULL;
	*n = 0;
	pg_lock(st);
	res = pg_query(st,
	    "SELECT name, seq, create_ms, state FROM snapshots"
	    " WHERE volume_uuid = $1 ORDER BY seq",
	    ARGS(TEXT(volume_uuid)), "list snapshots", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 &&
	    (ss = calloc((size_t)PQntuples(res), sizeof(*ss))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++)
		row_snapshot(res, i, &ss[i]);
	*out = ss;
	*n = (size_t)PQntuples(res);
	ss = NULL;
	rc = 0;
out:
	free(ss);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_snap_get(void *impl, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err)
{
	struct pg *st = impl;
	PGresult *res;
	int rc = -1;

	pg_lock(st);
	res = pg_query(st,
	    "SELECT name, seq, create_ms, state FROM snapshots"
	    " WHERE volume_uuid = $1 AND name = $2",
	    ARGS(TEXT(volume_uuid), TEXT(name)), "get snapshot", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
		    "Snapshot with name %s could not be found", name);
		goto out;
	}
	row_snapshot(res, 0, out);
	rc = 0;
out:
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_snap_set_state(void *impl, const char *volume_uuid, const char *name,
    const char *state, struct tnfs_err *err)
{
	return pg_run(impl,
		   "UPDATE snapshots SET state = $1 WHERE volume_uuid = $2"
		   " AND name = $3",
		   ARGS(TEXT(state), TEXT(volume_uuid), TEXT(name)),
		   "set snapshot state", err) < 0
	    ? -1
	    : 0;
}

int
pg_snap_delete(
    void *impl, const char *volume_uuid, const char *name, struct tnfs_err *err)
{
	return pg_run(impl,
		   "DELETE FROM snapshots WHERE volume_uuid = $1 AND name = $2",
		   ARGS(TEXT(volume_uuid), TEXT(name)), "delete snapshot",
		   err) < 0
	    ? -1
	    : 0;
}
