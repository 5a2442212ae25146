/*
 * store_pg_hosts.c: host records, granted addresses and the reaping of
 * references whose holder never registered, on PostgreSQL.  The limits
 * (hosts per owner, grants per volume) hold across instances: the count
 * and the insert run under a lock on what is counted (an advisory lock
 * per owner, the volume's row), released when the transaction ends,
 * also when its instance dies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

int
pg_refs_reap_orphans(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	int r = pg_run(impl,
	    "DELETE FROM refs WHERE created_ms < $1 AND NOT EXISTS"
	    " (SELECT 1 FROM hosts h WHERE h.owner_uuid = refs.owner_uuid"
	    " AND h.uuid = refs.vm_uuid)",
	    ARGS(INT(before_ms)), "reap orphan references", err);

	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

/* One integer the query answers, into *n. */
static int
query_int(struct pg *st, const char *sql, const struct arg *a, size_t na,
    const char *what, int64_t *n, struct tnfs_err *err)
{
	PGresult *res = pg_query(st, sql, a, na, what, NULL, err);

	if (res == NULL)
		return -1;
	*n = PQntuples(res) > 0 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return 0;
}

int
pg_host_put(void *impl, const struct host *h, int max_per_owner, int *created,
    struct tnfs_err *err)
{
	struct pg *st = impl;
	int64_t n = 0;
	int r;

	if (pg_tx_begin(st, err) == -1)
		return -1;
	r = pg_run(st,
	    "UPDATE hosts SET hostname = $3, address = $4, version = $5,"
	    " heartbeat_ms = $6 WHERE owner_uuid = $1 AND uuid = $2",
	    ARGS(TEXT(h->owner_uuid), TEXT(h->uuid), TEXT(h->hostname),
		TEXT(h->address), TEXT(h->version), INT(h->heartbeat_ms)),
	    "update host", err);
	if (r < 0)
		goto fail;
	if (created != NULL)
		*created = r == 0;
	if (r > 0)
		return pg_tx_commit(st, err);
	/* Instances adding hosts of one owner count one at a time. */
	if (query_int(st, "SELECT 0 FROM pg_advisory_xact_lock(hashtext($1))",
		ARGS(TEXT(h->owner_uuid)), "lock owner's hosts", &n,
		err) == -1 ||
	    query_int(st, "SELECT count(*) FROM hosts WHERE owner_uuid = $1",
		ARGS(TEXT(h->owner_uuid)), "count hosts", &n, err) == -1)
		goto fail;
	if (n >= max_per_owner) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "owner %s already has %d hosts: remove one first "
		    "(DELETE /hosts/UUID)",
		    h->owner_uuid, max_per_owner);
		goto fail;
	}
	/* Another instance may have registered this very host meanwhile. */
	if (pg_run(st,
		"INSERT INTO hosts (owner_uuid, uuid, hostname, address,"
		" version, created_ms, heartbeat_ms) VALUES"
		" ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (owner_uuid, uuid) DO"
		" UPDATE SET hostname = excluded.hostname, address ="
		" excluded.address, version = excluded.version,"
		" heartbeat_ms = excluded.heartbeat_ms",
		ARGS(TEXT(h->owner_uuid), TEXT(h->uuid), TEXT(h->hostname),
		    TEXT(h->address), TEXT(h->version), INT(h->created_ms),
		    INT(h->heartbeat_ms)),
		"insert host", err) < 0)
		goto fail;
	return pg_tx_commit(st, err);
fail:
	pg_tx_rollback(st);
	return -1;
}

static void
host_row(const PGresult *res, int r, struct host *h)
{
	memset(h, 0, sizeof(*h));
	pg_copy(res, r, 0, h->owner_uuid, sizeof(h->owner_uuid));
	pg_copy(res, r, 1, h->uuid, sizeof(h->uuid));
	pg_copy(res, r, 2, h->hostname, sizeof(h->hostname));
	pg_copy(res, r, 3, h->address, sizeof(h->address));
	pg_copy(res, r, 4, h->version, sizeof(h->version));
	h->created_ms = pg_int(res, r, 5);
	h->heartbeat_ms = pg_int(res, r, 6);
}

#define HOST_COLUMNS                                                           \
	"owner_uuid, uuid, hostname, address, version, created_ms,"            \
	" heartbeat_ms"

int
pg_host_get(void *impl, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err)
{
	struct pg *st = impl;
	PGresult *res;
	int rc = -1;

	pg_lock(st);
	res = pg_query(st,
	    "SELECT " HOST_COLUMNS " FROM hosts WHERE uuid = $2 AND"
	    " ($1::text IS NULL OR owner_uuid = $1)"
	    " ORDER BY heartbeat_ms DESC LIMIT 1",
	    ARGS(TEXT(owner_uuid), TEXT(uuid)), "get host", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		tnfs_err_set(err, TNFS_E_HOST_NOT_FOUND,
		    "Host with uuid %s could not be found", uuid);
		goto out;
	}
	host_row(res, 0, out);
	rc = 0;
out:
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_host_list(void *impl, const char *owner_uuid, struct host **out, size_t *n,
    struct tnfs_err *err)
{
	struct pg *st = impl;
	struct host *hs = NULL;
	PGresult *res;
	int rc = -1, i;

	*out = NULL;
	*n = 0;
	pg_lock(st);
	res = pg_query(st,
	    "SELECT " HOST_COLUMNS " FROM hosts WHERE"
	    " ($1::text IS NULL OR owner_uuid = $1)"
	    " ORDER BY hostname, owner_uuid, uuid",
	    ARGS(TEXT(owner_uuid)), "list hosts", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 &&
	    (hs = calloc((size_t)PQntuples(res), sizeof(*hs))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++)
		host_row(res, i, &hs[i]);
	*out = hs;
	*n = (size_t)PQntuples(res);
	hs = NULL;
	rc = 0;
out:
	free(hs);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_host_delete(void *impl, const char *owner_uuid, const char *uuid,
    struct tnfs_err *err)
{
	int r = pg_run(impl,
	    "DELETE FROM hosts WHERE uuid = $2 AND"
	    " ($1::text IS NULL OR owner_uuid = $1)",
	    ARGS(TEXT(owner_uuid), TEXT(uuid)), "delete host", err);

	if (r == 0)
		tnfs_err_set(err, TNFS_E_HOST_NOT_FOUND,
		    "Host with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

int
pg_grant_put(void *impl, const char *volume_uuid, const char *address,
    int64_t now_ms, int max, struct tnfs_err *err)
{
	struct pg *st = impl;
	PGresult *res = NULL;
	int64_t n, have;

	if (pg_tx_begin(st, err) == -1)
		return -1;
	/* The volume's row serializes instances granting on it. */
	if (query_int(st, "SELECT 0 FROM volumes WHERE uuid = $1 FOR UPDATE",
		ARGS(TEXT(volume_uuid)), "lock volume", &n, err) == -1)
		goto fail;
	res = pg_query(st,
	    "SELECT count(*), count(*) FILTER (WHERE address = $2)"
	    " FROM grants WHERE volume_uuid = $1",
	    ARGS(TEXT(volume_uuid), TEXT(address)), "count grants", NULL, err);
	if (res == NULL)
		goto fail;
	n = pg_int(res, 0, 0);
	have = pg_int(res, 0, 1);
	PQclear(res);
	if (have > 0)
		return pg_tx_commit(st, err);
	if (n >= max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "volume %s already admits %d granted addresses: revoke "
		    "one first",
		    volume_uuid, max);
		goto fail;
	}
	if (pg_run(st,
		"INSERT INTO grants (volume_uuid, address, created_ms)"
		" VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		ARGS(TEXT(volume_uuid), TEXT(address), INT(now_ms)),
		"grant access", err) < 0)
		goto fail;
	return pg_tx_commit(st, err);
fail:
	pg_tx_rollback(st);
	return -1;
}

int
pg_grant_remove(void *impl, const char *volume_uuid, const char *address,
    struct tnfs_err *err)
{
	return pg_run(impl,
		   "DELETE FROM grants WHERE volume_uuid = $1 AND address = $2",
		   ARGS(TEXT(volume_uuid), TEXT(address)), "revoke access",
		   err) < 0
	    ? -1
	    : 0;
}

int
pg_grant_list(void *impl, const char *volume_uuid, struct grant **out,
    size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct grant *gs = NULL;
	PGresult *res;
	int rc = -1, i;

	*out = NULL;
	*n = 0;
	pg_lock(st);
	if (volume_uuid != NULL)
		res = pg_query(st,
		    "SELECT address, created_ms, volume_uuid FROM grants"
		    " WHERE volume_uuid = $1 ORDER BY address",
		    ARGS(TEXT(volume_uuid)), "list grants", NULL, err);
	else
		res = pg_query(st,
		    "SELECT address, created_ms, volume_uuid FROM grants"
		    " ORDER BY volume_uuid, address",
		    NULL, 0, "list grants", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 &&
	    (gs = calloc((size_t)PQntuples(res), sizeof(*gs))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		pg_copy(res, i, 0, gs[i].address, sizeof(gs[i].address));
		gs[i].created_ms = pg_int(res, i, 1);
		pg_copy(res, i, 2, gs[i].volume_uuid,
		    sizeof(gs[i].volume_uuid));
	}
	*out = gs;
	*n = (size_t)PQntuples(res);
	gs = NULL;
	rc = 0;
out:
	free(gs);
	PQclear(res);
	pg_unlock(st);
	return rc;
}
