/*
 * store_sql_refs.c: references (leases) and reservations, on either
 * record store.
 */
#include <stdlib.h>

#include "store_sql.h"

int
sql_ref_put(void *impl, const char *volume_uuid, const char *vm_uuid,
    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err)
{
	return sql_run(impl,
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
sql_ref_remove(void *impl, const char *volume_uuid, const char *vm_uuid,
    struct tnfs_err *err)
{
	return sql_run(impl,
		   "DELETE FROM refs WHERE volume_uuid = $1 AND vm_uuid = $2",
		   ARGS(TEXT(volume_uuid), TEXT(vm_uuid)), "remove reference",
		   err) < 0
	    ? -1
	    : 0;
}

int
sql_refs_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	return sql_reaped(sql_run(impl, "DELETE FROM refs WHERE renewed_ms < $1",
			  ARGS(INT(before_ms)), "reap references", err),
	    n);
}

int
sql_refs_reap_orphans(
    void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	return sql_reaped(sql_run(impl,
			  "DELETE FROM refs WHERE created_ms < $1 AND NOT"
			  " EXISTS (SELECT 1 FROM hosts h WHERE h.owner_uuid"
			  " = refs.owner_uuid AND h.uuid = refs.vm_uuid)",
			  ARGS(INT(before_ms)), "reap orphan references", err),
	    n);
}

int
sql_resv_delete_for(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, struct tnfs_err *err)
{
	return sql_run(impl,
		   "DELETE FROM reservations WHERE owner_uuid = $1 AND"
		   " volume_name = $2 AND ($3::text IS NULL OR vm_uuid = $3)",
		   ARGS(TEXT(owner_uuid), TEXT(volume_name), TEXT(vm_uuid)),
		   "delete reservations", err) < 0
	    ? -1
	    : 0;
}

int
sql_resv_insert(void *impl, const struct reservation *r, struct tnfs_err *err)
{
	if (sql_tx_begin(impl, err) == -1)
		return -1;
	if (sql_resv_delete_for(
		impl, r->owner_uuid, r->volume_name, r->vm_uuid, err) == -1 ||
	    sql_run(impl,
		"INSERT INTO reservations (uuid, volume_name, job_uuid,"
		" owner_uuid, vm_uuid, create_ms) VALUES ($1,$2,$3,$4,$5,$6)",
		ARGS(TEXT(r->uuid), TEXT(r->volume_name), TEXT(r->job_uuid),
		    TEXT(r->owner_uuid), TEXT(r->vm_uuid), INT(r->create_ms)),
		"insert reservation", err) < 0) {
		sql_tx_rollback(impl);
		return -1;
	}
	return sql_tx_commit(impl, err);
}

static void
resv_row(void *db, struct sql_rows *rows, void *elem)
{
	struct reservation *r = elem;

	sql_copy(db, rows, 0, r->uuid, sizeof(r->uuid));
	r->volume_name = sql_dup(db, rows, 1);
	sql_copy(db, rows, 2, r->job_uuid, sizeof(r->job_uuid));
	sql_copy(db, rows, 3, r->owner_uuid, sizeof(r->owner_uuid));
	sql_copy(db, rows, 4, r->vm_uuid, sizeof(r->vm_uuid));
	r->create_ms = sql_int(db, rows, 5);
}

int
sql_resv_list(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, const char *job_uuid, struct reservation **out,
    size_t *n, struct tnfs_err *err)
{
	size_t i;

	if (sql_list(impl,
		"SELECT uuid, volume_name, job_uuid, owner_uuid, vm_uuid,"
		" create_ms FROM reservations WHERE"
		" ($1::text IS NULL OR owner_uuid = $1) AND"
		" ($2::text IS NULL OR volume_name = $2) AND"
		" ($3::text IS NULL OR vm_uuid = $3) AND"
		" ($4::text IS NULL OR job_uuid = $4)"
		" ORDER BY create_ms, uuid",
		ARGS(TEXT(owner_uuid), TEXT(volume_name), TEXT(vm_uuid),
		    TEXT(job_uuid)),
		"list reservations", sizeof(**out), resv_row, out, n,
		err) == -1)
		return -1;
	/* volume_name is the one field a row copies into memory of its own */
	for (i = 0; i < *n; i++) {
		if ((*out)[i].volume_name == NULL) {
			reservation_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			return -1;
		}
	}
	return 0;
}

int
sql_resv_delete(
    void *impl, const char *uuid, const char *owner_uuid, struct tnfs_err *err)
{
	int r = sql_run(impl,
	    "DELETE FROM reservations WHERE uuid = $1 AND owner_uuid = $2",
	    ARGS(TEXT(uuid), TEXT(owner_uuid)), "delete reservation", err);

	if (r == 0)
		tnfs_err_set(err, TNFS_E_RESERVATION_NOT_FOUND,
		    "Volume reservation with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

int
sql_resv_reap(void *impl, int64_t before_ms, struct tnfs_err *err)
{
	return sql_run(impl, "DELETE FROM reservations WHERE create_ms < $1",
		   ARGS(INT(before_ms)), "reap reservations", err) < 0
	    ? -1
	    : 0;
}
