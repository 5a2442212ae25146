/*
 * store_sql_hosts.c: host records and granted addresses, on either record
 * store.  The limits (hosts per owner, grants per volume) hold across
 * instances sharing a store: the count and the insert run in one
 * transaction that holds its turn (sql_turn) on what is counted.
 */
#include <string.h>

#include "store_sql.h"

int
sql_host_put(void *impl, const struct host *h, int max_per_owner, int *created,
    struct tnfs_err *err)
{
	int64_t n = 0;
	int r;

	if (sql_tx_begin(impl, err) == -1)
		return -1;
	r = sql_run(impl,
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
		return sql_tx_commit(impl, err);
	if (sql_turn(impl, SQL_TURN_OWNER_HOSTS, h->owner_uuid, err) == -1 ||
	    sql_int_of(impl, "SELECT count(*) FROM hosts WHERE owner_uuid = $1",
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
	if (sql_run(impl,
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
	return sql_tx_commit(impl, err);
fail:
	sql_tx_rollback(impl);
	return -1;
}

#define HOST_COLUMNS                                                           \
	"owner_uuid, uuid, hostname, address, version, created_ms,"            \
	" heartbeat_ms"

static void
host_row(void *db, struct sql_rows *rows, void *elem)
{
	struct host *h = elem;

	sql_copy(db, rows, 0, h->owner_uuid, sizeof(h->owner_uuid));
	sql_copy(db, rows, 1, h->uuid, sizeof(h->uuid));
	sql_copy(db, rows, 2, h->hostname, sizeof(h->hostname));
	sql_copy(db, rows, 3, h->address, sizeof(h->address));
	sql_copy(db, rows, 4, h->version, sizeof(h->version));
	h->created_ms = sql_int(db, rows, 5);
	h->heartbeat_ms = sql_int(db, rows, 6);
}

int
sql_host_get(void *impl, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = sql_one(impl,
	    "SELECT " HOST_COLUMNS " FROM hosts WHERE uuid = $2 AND"
	    " ($1::text IS NULL OR owner_uuid = $1)"
	    " ORDER BY heartbeat_ms DESC LIMIT 1",
	    ARGS(TEXT(owner_uuid), TEXT(uuid)), "get host", host_row, out, err);
	if (r == 0)
		tnfs_err_set(err, TNFS_E_HOST_NOT_FOUND,
		    "Host with uuid %s could not be found", uuid);
	return r == 1 ? 0 : -1;
}

int
sql_host_list(void *impl, const char *owner_uuid, struct host **out, size_t *n,
    struct tnfs_err *err)
{
	return sql_list(impl,
	    "SELECT " HOST_COLUMNS " FROM hosts WHERE"
	    " ($1::text IS NULL OR owner_uuid = $1)"
	    " ORDER BY hostname, owner_uuid, uuid",
	    ARGS(TEXT(owner_uuid)), "list hosts", sizeof(**out), host_row, out,
	    n, err);
}

int
sql_host_delete(
    void *impl, const char *owner_uuid, const char *uuid, struct tnfs_err *err)
{
	int r = sql_run(impl,
	    "DELETE FROM hosts WHERE uuid = $2 AND"
	    " ($1::text IS NULL OR owner_uuid = $1)",
	    ARGS(TEXT(owner_uuid), TEXT(uuid)), "delete host", err);

	if (r == 0)
		tnfs_err_set(err, TNFS_E_HOST_NOT_FOUND,
		    "Host with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

struct grant_count {
	int64_t all, this; /* the volume's grants; of them, this address */
};

static void
grant_count_row(void *db, struct sql_rows *rows, void *elem)
{
	struct grant_count *c = elem;

	c->all = sql_int(db, rows, 0);
	c->this = sql_int(db, rows, 1);
}

int
sql_grant_put(void *impl, const char *volume_uuid, const char *address,
    int64_t now_ms, int max, struct tnfs_err *err)
{
	struct grant_count c = {0};

	if (sql_tx_begin(impl, err) == -1)
		return -1;
	if (sql_turn(impl, SQL_TURN_VOLUME, volume_uuid, err) == -1 ||
	    sql_one(impl,
		"SELECT count(*), coalesce(sum(CASE WHEN address = $2"
		" THEN 1 ELSE 0 END), 0) FROM grants WHERE volume_uuid = $1",
		ARGS(TEXT(volume_uuid), TEXT(address)), "count grants",
		grant_count_row, &c, err) == -1)
		goto fail;
	if (c.this > 0)
		return sql_tx_commit(impl, err);
	if (c.all >= max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "volume %s already admits %d granted addresses: revoke "
		    "one first",
		    volume_uuid, max);
		goto fail;
	}
	if (sql_run(impl,
		"INSERT INTO grants (volume_uuid, address, created_ms)"
		" VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		ARGS(TEXT(volume_uuid), TEXT(address), INT(now_ms)),
		"grant access", err) < 0)
		goto fail;
	return sql_tx_commit(impl, err);
fail:
	sql_tx_rollback(impl);
	return -1;
}

int
sql_grant_remove(void *impl, const char *volume_uuid, const char *address,
    struct tnfs_err *err)
{
	return sql_run(impl,
		   "DELETE FROM grants WHERE volume_uuid = $1 AND address = $2",
		   ARGS(TEXT(volume_uuid), TEXT(address)), "revoke access",
		   err) < 0
	    ? -1
	    : 0;
}

static void
grant_row(void *db, struct sql_rows *rows, void *elem)
{
	struct grant *g = elem;

	sql_copy(db, rows, 0, g->address, sizeof(g->address));
	g->created_ms = sql_int(db, rows, 1);
	sql_copy(db, rows, 2, g->volume_uuid, sizeof(g->volume_uuid));
}

/* volume_uuid NULL: every volume's, by volume (a full exports sync). */
int
sql_grant_list(void *impl, const char *volume_uuid, struct grant **out,
    size_t *n, struct tnfs_err *err)
{
	if (volume_uuid == NULL)
		return sql_list(impl,
		    "SELECT address, created_ms, volume_uuid FROM grants"
		    " ORDER BY volume_uuid, address",
		    NULL, 0, "list grants", sizeof(**out), grant_row, out, n,
		    err);
	return sql_list(impl,
	    "SELECT address, created_ms, volume_uuid FROM grants"
	    " WHERE volume_uuid = $1 ORDER BY address",
	    ARGS(TEXT(volume_uuid)), "list grants", sizeof(**out), grant_row,
	    out, n, err);
}
