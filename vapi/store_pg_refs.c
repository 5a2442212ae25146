/*
 * store_pg_refs.c: references (leases) and reservations on PostgreSQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

int
pg_ref_put(void *impl, const char *volume_uuid, const char *vm_uuid,
    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err)
{
	return pg_run(impl,
		   "INSERT INTO refs (volume_uuid, vm_uuid, owner_uuid,"
		   " created_ms, renewed_ms) VALUES ($1, $2, $3, $4, $4)"
		   " ON CONFLICT (volume_uuid, vm_uuid) DO UPDATE SET"
		   " renewed_ms = excluded.renewed_ms",
		   ARGS(TEXT(volume_uuid), TEXT(vm_uuid), TEXT(owner_uuid),
		       INT(now_ms)),
		   "add reference", err) < 0
	    ? -1
	    : 0;
}

int
pg_ref_remove(void *impl, const char *volume_uuid, const char *vm_uuid,
    struct tnfs_err *err)
{
	return pg_run(impl,
		   "DELETE FROM refs WHERE volume_uuid = $1 AND vm_uuid = $2",
		   ARGS(TEXT(volume_uuid), TEXT(vm_uuid)), "remove reference",
		   err) < 0
	    ? -1
	    : 0;
}

int
pg_refs_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	int r = pg_run(impl, "DELETE FROM refs WHERE renewed_ms < $1",
	    ARGS(INT(before_ms)), "reap references", err);

	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

int
pg_resv_delete_for(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, struct tnfs_err *err)
{
	return pg_run(impl,
		   "DELETE FROM reservations WHERE owner_uuid = $1 AND"
		   " volume_name = $2 AND ($3::text IS NULL OR vm_uuid = $3)",
		   ARGS(TEXT(owner_uuid), TEXT(volume_name), TEXT(vm_uuid)),
		   "delete reservations", err) < 0
	    ? -1
	    : 0;
}

int
pg_resv_insert(void *impl, const struct reservation *r, struct tnfs_err *err)
{
	if (pg_tx_begin(impl, err) == -1)
		return -1;
	if (pg_resv_delete_for(
		impl, r->owner_uuid, r->volume_name, r->vm_uuid, err) == -1 ||
	    pg_run(impl,
		"INSERT INTO reservations (uuid, volume_name, job_uuid,"
		" owner_uuid, vm_uuid, create_ms) VALUES ($1,$2,$3,$4,$5,$6)",
		ARGS(TEXT(r->uuid), TEXT(r->volume_name), TEXT(r->job_uuid),
		    TEXT(r->owner_uuid), TEXT(r->vm_uuid), INT(r->create_ms)),
		"insert reservation", err) < 0) {
		pg_tx_rollback(impl);
		return -1;
	}
	return pg_tx_commit(impl, err);
}

int
pg_resv_list(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, const char *job_uuid, struct reservation **out,
    size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct reservation *rs = NULL;
	PGresult *res;
	size_t cnt = 0;
	int rc = -1, i;

	*out = NULL;
	*n = 0;
	pg_lock(st);
	res = pg_query(st,
	    "SELECT uuid, volume_name, job_uuid, owner_uuid, vm_uuid,"
	    " create_ms FROM reservations WHERE"
	    " ($1::text IS NULL OR owner_uuid = $1) AND"
	    " ($2::text IS NULL OR volume_name = $2) AND"
	    " ($3::text IS NULL OR vm_uuid = $3) AND"
	    " ($4::text IS NULL OR job_uuid = $4)"
	    " ORDER BY create_ms, uuid",
	    ARGS(TEXT(owner_uuid), TEXT(volume_name), TEXT(vm_uuid),
		TEXT(job_uuid)),
	    "list reservations", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 &&
	    (rs = calloc((size_t)PQntuples(res), sizeof(*rs))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		pg_copy(res, i, 0, rs[cnt].uuid, TNFS_UUID_BUFSZ);
		rs[cnt].volume_name = pg_dup(res, i, 1);
		pg_copy(res, i, 2, rs[cnt].job_uuid, TNFS_UUID_BUFSZ);
		pg_copy(res, i, 3, rs[cnt].owner_uuid, TNFS_UUID_BUFSZ);
		pg_copy(res, i, 4, rs[cnt].vm_uuid, TNFS_UUID_BUFSZ);
		rs[cnt].create_ms = pg_int(res, i, 5);
		cnt++;
		if (rs[cnt - 1].volume_name == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	*out = rs;
	*n = cnt;
	rs = NULL;
	rc = 0;
out:
	reservation_list_free(rs, cnt);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_resv_delete(
    void *impl, const char *uuid, const char *owner_uuid, struct tnfs_err *err)
{
	int r = pg_run(impl,
	    "DELETE FROM reservations WHERE uuid = $1 AND owner_uuid = $2",
	    ARGS(TEXT(uuid), TEXT(owner_uuid)), "delete reservation", err);

	if (r == 0)
		tnfs_err_set(err, TNFS_E_RESERVATION_NOT_FOUND,
		    "Volume reservation with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

int
pg_resv_reap(void *impl, int64_t before_ms, struct tnfs_err *err)
{
	return pg_run(impl, "DELETE FROM reservations WHERE create_ms < $1",
		   ARGS(INT(before_ms)), "reap reservations", err) < 0
	    ? -1
	    : 0;
}
