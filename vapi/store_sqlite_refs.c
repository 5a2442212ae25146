/*
 * store_sqlite_refs.c: references (leases) and reservations on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "timefmt.h"

int
sq_ref_put(void *impl, const char *volume_uuid, const char *vm_uuid,
    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err)
{
	return sq_run(impl,
		   "INSERT INTO refs (volume_uuid, vm_uuid, owner_uuid,"
		   " created_ms, renewed_ms) VALUES (?1, ?2, ?3, ?4, ?4)"
		   " ON CONFLICT (volume_uuid, vm_uuid) DO UPDATE SET"
		   " renewed_ms = excluded.renewed_ms",
		   ARGS(TEXT(volume_uuid), TEXT(vm_uuid), TEXT(owner_uuid),
		       INT(now_ms)),
		   "add reference", err) < 0
	    ? -1
	    : 0;
}

int
sq_ref_remove(void *impl, const char *volume_uuid, const char *vm_uuid,
    struct tnfs_err *err)
{
	return sq_run(impl,
		   "DELETE FROM refs WHERE volume_uuid = ? AND vm_uuid = ?",
		   ARGS(TEXT(volume_uuid), TEXT(vm_uuid)), "remove reference",
		   err) < 0
	    ? -1
	    : 0;
}

int
sq_refs_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	int r = sq_run(impl, "DELETE FROM refs WHERE renewed_ms < ?",
	    ARGS(INT(before_ms)), "reap references", err);

	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

int
sq_resv_delete_for(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, struct tnfs_err *err)
{
	return sq_run(impl,
		   "DELETE FROM reservations WHERE owner_uuid = ?1 AND"
		   " volume_name = ?2 AND (?3 IS NULL OR vm_uuid = ?3)",
		   ARGS(TEXT(owner_uuid), TEXT(volume_name), TEXT(vm_uuid)),
		   "delete reservations", err) < 0
	    ? -1
	    : 0;
}

int
sq_resv_insert(void *impl, const struct reservation *r, struct tnfs_err *err)
{
	if (sq_tx_begin(impl, err) == -1)
		return -1;
	if (sq_resv_delete_for(
		impl, r->owner_uuid, r->volume_name, r->vm_uuid, err) == -1 ||
	    sq_run(impl,
		"INSERT INTO reservations (uuid, volume_name, job_uuid,"
		" owner_uuid, vm_uuid, create_ms) VALUES (?,?,?,?,?,?)",
		ARGS(TEXT(r->uuid), TEXT(r->volume_name), TEXT(r->job_uuid),
		    TEXT(r->owner_uuid), TEXT(r->vm_uuid), INT(r->create_ms)),
		"insert reservation", err) < 0) {
		sq_tx_rollback(impl);
		return -1;
	}
	return sq_tx_commit(impl, err);
}

int
sq_resv_list(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, const char *job_uuid, struct reservation **out,
    size_t *n, struct tnfs_err *err)
{
	struct sq *st = impl;
	struct reservation *rs = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT uuid, volume_name, job_uuid, owner_uuid, vm_uuid,"
		 " create_ms FROM reservations WHERE"
		 " (?1 IS NULL OR owner_uuid = ?1) AND"
		 " (?2 IS NULL OR volume_name = ?2) AND"
		 " (?3 IS NULL OR vm_uuid = ?3) AND (?4 IS NULL OR job_uuid = "
		 "?4)"
		 " ORDER BY create_ms, uuid",
		 err)) == NULL)
		goto out;
	sq_bind_args(s,
	    ARGS(TEXT(owner_uuid), TEXT(volume_name), TEXT(vm_uuid),
		TEXT(job_uuid)));
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct reservation *nr =
			    realloc(rs, ncap * sizeof(*nr));

			if (nr == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			rs = nr;
			cap = ncap;
		}
		memset(&rs[cnt], 0, sizeof(rs[cnt]));
		sq_col_copy(s, 0, rs[cnt].uuid, TNFS_UUID_BUFSZ);
		rs[cnt].volume_name = sq_col_dup(s, 1);
		sq_col_copy(s, 2, rs[cnt].job_uuid, TNFS_UUID_BUFSZ);
		sq_col_copy(s, 3, rs[cnt].owner_uuid, TNFS_UUID_BUFSZ);
		sq_col_copy(s, 4, rs[cnt].vm_uuid, TNFS_UUID_BUFSZ);
		rs[cnt].create_ms = sqlite3_column_int64(s, 5);
		cnt++;
		if (rs[cnt - 1].volume_name == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list reservations");
		goto out;
	}
	*out = rs;
	*n = cnt;
	rs = NULL;
	rc = 0;
out:
	reservation_list_free(rs, cnt);
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_resv_delete(
    void *impl, const char *uuid, const char *owner_uuid, struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "DELETE FROM reservations WHERE uuid = ? AND owner_uuid = ?",
	    ARGS(TEXT(uuid), TEXT(owner_uuid)), "delete reservation", err);

	if (r == 0)
		tnfs_err_set(err, TNFS_E_RESERVATION_NOT_FOUND,
		    "Volume reservation with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

int
sq_resv_reap(void *impl, int64_t before_ms, struct tnfs_err *err)
{
	return sq_run(impl, "DELETE FROM reservations WHERE create_ms < ?",
		   ARGS(INT(before_ms)), "reap reservations", err) < 0
	    ? -1
	    : 0;
}
