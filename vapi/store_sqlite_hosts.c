/*
 * store_sqlite_hosts.c: host records, granted addresses and the reaping
 * of references whose holder never registered, on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"

int
sq_refs_reap_orphans(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "DELETE FROM refs WHERE created_ms < ?1 AND NOT EXISTS"
	    " (SELECT 1 FROM hosts h WHERE h.owner_uuid = refs.owner_uuid"
	    " AND h.uuid = refs.vm_uuid)",
	    ARGS(INT(before_ms)), "reap orphan references", err);

	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

/* The count of owner's hosts into *n. */
static int
count_hosts(struct sq *st, const char *owner, int64_t *n, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int rc = -1;

	sq_lock(st);
	if ((s = sq_prep(st, "SELECT count(*) FROM hosts WHERE owner_uuid = ?",
		 err)) == NULL)
		goto out;
	sq_bind_text(s, 1, owner);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sq_db_err(st, err, "count hosts");
		goto out;
	}
	*n = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_host_put(void *impl, const struct host *h, int max_per_owner, int *created,
    struct tnfs_err *err)
{
	struct sq *st = impl;
	int64_t n = 0;
	int r;

	if (sq_tx_begin(st, err) == -1)
		return -1;
	r = sq_run(st,
	    "UPDATE hosts SET hostname = ?3, address = ?4, version = ?5,"
	    " heartbeat_ms = ?6 WHERE owner_uuid = ?1 AND uuid = ?2",
	    ARGS(TEXT(h->owner_uuid), TEXT(h->uuid), TEXT(h->hostname),
		TEXT(h->address), TEXT(h->version), INT(h->heartbeat_ms)),
	    "update host", err);
	if (r < 0)
		goto fail;
	if (created != NULL)
		*created = r == 0;
	if (r > 0)
		return sq_tx_commit(st, err);
	if (count_hosts(st, h->owner_uuid, &n, err) == -1)
		goto fail;
	if (n >= max_per_owner) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "owner %s already has %d hosts: remove one first "
		    "(DELETE /hosts/UUID)",
		    h->owner_uuid, max_per_owner);
		goto fail;
	}
	if (sq_run(st,
		"INSERT INTO hosts (owner_uuid, uuid, hostname, address,"
		" version, created_ms, heartbeat_ms) VALUES (?,?,?,?,?,?,?)",
		ARGS(TEXT(h->owner_uuid), TEXT(h->uuid), TEXT(h->hostname),
		    TEXT(h->address), TEXT(h->version), INT(h->created_ms),
		    INT(h->heartbeat_ms)),
		"insert host", err) < 0)
		goto fail;
	return sq_tx_commit(st, err);
fail:
	sq_tx_rollback(st);
	return -1;
}

static void
host_row(sqlite3_stmt *s, struct host *h)
{
	memset(h, 0, sizeof(*h));
	sq_col_copy(s, 0, h->owner_uuid, sizeof(h->owner_uuid));
	sq_col_copy(s, 1, h->uuid, sizeof(h->uuid));
	sq_col_copy(s, 2, h->hostname, sizeof(h->hostname));
	sq_col_copy(s, 3, h->address, sizeof(h->address));
	sq_col_copy(s, 4, h->version, sizeof(h->version));
	h->created_ms = sqlite3_column_int64(s, 5);
	h->heartbeat_ms = sqlite3_column_int64(s, 6);
}

#define HOST_COLUMNS                                                           \
	"owner_uuid, uuid, hostname, address, version, created_ms,"            \
	" heartbeat_ms"

int
sq_host_get(void *impl, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err)
{
	struct sq *st = impl;
	sqlite3_stmt *s;
	int rc = -1, r;

	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT " HOST_COLUMNS " FROM hosts WHERE uuid = ?2 AND"
		 " (?1 IS NULL OR owner_uuid = ?1)"
		 " ORDER BY heartbeat_ms DESC LIMIT 1",
		 err)) == NULL)
		goto out;
	sq_bind_args(s, ARGS(TEXT(owner_uuid), TEXT(uuid)));
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		host_row(s, out);
		rc = 0;
	} else if (r == SQLITE_DONE) {
		tnfs_err_set(err, TNFS_E_HOST_NOT_FOUND,
		    "Host with uuid %s could not be found", uuid);
	} else {
		sq_db_err(st, err, "get host");
	}
out:
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_host_list(void *impl, const char *owner_uuid, struct host **out, size_t *n,
    struct tnfs_err *err)
{
	struct sq *st = impl;
	struct host *hs = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT " HOST_COLUMNS " FROM hosts WHERE"
		 " (?1 IS NULL OR owner_uuid = ?1)"
		 " ORDER BY hostname, owner_uuid, uuid",
		 err)) == NULL)
		goto out;
	sq_bind_args(s, ARGS(TEXT(owner_uuid)));
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct host *nh = realloc(hs, ncap * sizeof(*nh));

			if (nh == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			hs = nh;
			cap = ncap;
		}
		host_row(s, &hs[cnt++]);
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list hosts");
		goto out;
	}
	*out = hs;
	*n = cnt;
	hs = NULL;
	rc = 0;
out:
	free(hs);
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

int
sq_host_delete(void *impl, const char *owner_uuid, const char *uuid,
    struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "DELETE FROM hosts WHERE uuid = ?2 AND"
	    " (?1 IS NULL OR owner_uuid = ?1)",
	    ARGS(TEXT(owner_uuid), TEXT(uuid)), "delete host", err);

	if (r == 0)
		tnfs_err_set(err, TNFS_E_HOST_NOT_FOUND,
		    "Host with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

int
sq_grant_put(void *impl, const char *volume_uuid, const char *address,
    int64_t now_ms, int max, struct tnfs_err *err)
{
	struct sq *st = impl;
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int r;

	if (sq_tx_begin(st, err) == -1)
		return -1;
	if ((s = sq_prep(st,
		 "SELECT count(*), sum(address = ?2) FROM grants"
		 " WHERE volume_uuid = ?1",
		 err)) == NULL)
		goto fail;
	sq_bind_args(s, ARGS(TEXT(volume_uuid), TEXT(address)));
	if (sqlite3_step(s) != SQLITE_ROW) {
		sq_db_err(st, err, "count grants");
		goto fail;
	}
	n = sqlite3_column_int64(s, 0);
	r = sqlite3_column_int(s, 1);
	sq_done(st, s);
	s = NULL;
	if (r > 0)
		return sq_tx_commit(st, err);
	if (n >= max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "volume %s already admits %d granted addresses: revoke "
		    "one first",
		    volume_uuid, max);
		goto fail;
	}
	if (sq_run(st,
		"INSERT INTO grants (volume_uuid, address, created_ms)"
		" VALUES (?, ?, ?)",
		ARGS(TEXT(volume_uuid), TEXT(address), INT(now_ms)),
		"grant access", err) < 0)
		goto fail;
	return sq_tx_commit(st, err);
fail:
	sq_done(st, s);
	sq_tx_rollback(st);
	return -1;
}

int
sq_grant_remove(void *impl, const char *volume_uuid, const char *address,
    struct tnfs_err *err)
{
	return sq_run(impl,
		   "DELETE FROM grants WHERE volume_uuid = ? AND address = ?",
		   ARGS(TEXT(volume_uuid), TEXT(address)), "revoke access",
		   err) < 0
	    ? -1
	    : 0;
}

int
sq_grant_list(void *impl, const char *volume_uuid, struct grant **out,
    size_t *n, struct tnfs_err *err)
{
	struct sq *st = impl;
	struct grant *gs = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	sq_lock(st);
	if ((s = sq_prep(st,
		 volume_uuid != NULL
		     ? "SELECT address, created_ms, volume_uuid FROM grants"
		       " WHERE volume_uuid = ? ORDER BY address"
		     : "SELECT address, created_ms, volume_uuid FROM grants"
		       " ORDER BY volume_uuid, address",
		 err)) == NULL)
		goto out;
	if (volume_uuid != NULL)
		sq_bind_text(s, 1, volume_uuid);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct grant *ng = realloc(gs, ncap * sizeof(*ng));

			if (ng == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			gs = ng;
			cap = ncap;
		}
		sq_col_copy(s, 0, gs[cnt].address, sizeof(gs[cnt].address));
		gs[cnt].created_ms = sqlite3_column_int64(s, 1);
		sq_col_copy(
		    s, 2, gs[cnt].volume_uuid, sizeof(gs[cnt].volume_uuid));
		cnt++;
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list grants");
		goto out;
	}
	*out = gs;
	*n = cnt;
	gs = NULL;
	rc = 0;
out:
	free(gs);
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}
