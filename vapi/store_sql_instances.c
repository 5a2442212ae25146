/*
 * store_sql_instances.c: instance records, volume claims and leases, on
 * either record store (contracts: store.h).  A SQLite store has one
 * instance, but it keeps the same records as a PostgreSQL one, so
 * tritonnfs-adm shows the same thing and the provisioner runs the same
 * code on both.
 *
 * Each decision is one statement, so it holds whatever another instance
 * does at the same moment and whichever instruction an instance is killed
 * at: a statement either commits whole or not at all, and what a dead
 * instance held (a claim, a lease) stays recorded under its id until its
 * heartbeat is older than the TTL, when the next instance that asks takes
 * it over.
 *
 * - A claim (volumes.claim) is taken by an UPDATE whose WHERE says it is
 *   free.  Two instances updating one row at once queue on its row lock;
 *   the second re-reads the row after the first commits (PostgreSQL's
 *   READ COMMITTED re-checks the WHERE on the newest version) and finds it
 *   taken.  SQLite runs one writer at a time.
 * - Where instances share the store, the scan that hands out jobs locks
 *   its candidate rows with FOR UPDATE SKIP LOCKED: a row another instance
 *   is claiming in that moment is left to it instead of being waited for,
 *   so two scanners share the work instead of queueing behind each other.
 * - A lease is an INSERT ... ON CONFLICT DO UPDATE ... WHERE: the row is
 *   created by one of two racing inserts, the other takes the update path
 *   and its WHERE decides.
 */
#include <stdlib.h>

#include "store_sql.h"

/* Whether the claim in column col is free for $1 with $2 as live_after. */
#define CLAIM_FREE(col)                                                        \
	"(" col " IS NULL OR " col " = $1 OR NOT EXISTS (SELECT 1 FROM"        \
	" instances i WHERE i.id = " col " AND i.heartbeat_ms >= $2))"

int
sql_instance_put(void *impl, const struct instance *in, struct tnfs_err *err)
{
	return sql_run(impl,
		   "INSERT INTO instances (id, hostname, address, started_ms,"
		   " heartbeat_ms) VALUES ($1, $2, $3, $4, $5)"
		   " ON CONFLICT (id) DO UPDATE SET hostname ="
		   " excluded.hostname, address = excluded.address,"
		   " heartbeat_ms = excluded.heartbeat_ms",
		   ARGS(TEXT(in->id), TEXT(in->hostname), TEXT(in->address),
		       INT(in->started_ms), INT(in->heartbeat_ms)),
		   "instance heartbeat", err) < 0
	    ? -1
	    : 0;
}

int
sql_instance_delete(void *impl, const char *id, struct tnfs_err *err)
{
	return sql_run(impl, "DELETE FROM instances WHERE id = $1",
		   ARGS(TEXT(id)), "delete instance", err) < 0
	    ? -1
	    : 0;
}

static void
instance_row(void *db, struct sql_rows *rows, void *elem)
{
	struct instance *in = elem;

	sql_copy(db, rows, 0, in->id, sizeof(in->id));
	sql_copy(db, rows, 1, in->hostname, sizeof(in->hostname));
	sql_copy(db, rows, 2, in->address, sizeof(in->address));
	in->started_ms = sql_int(db, rows, 3);
	in->heartbeat_ms = sql_int(db, rows, 4);
	in->jobs = sql_int(db, rows, 5);
}

int
sql_instance_list(
    void *impl, struct instance **out, size_t *n, struct tnfs_err *err)
{
	return sql_list(impl,
	    "SELECT id, hostname, address, started_ms, heartbeat_ms,"
	    " (SELECT count(*) FROM volumes v WHERE v.claim = i.id)"
	    " FROM instances i ORDER BY started_ms, id",
	    NULL, 0, "list instances", sizeof(**out), instance_row, out, n,
	    err);
}

int
sql_instances_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	return sql_reaped(sql_run(impl,
			      "DELETE FROM instances WHERE heartbeat_ms < $1"
			      " AND NOT EXISTS (SELECT 1 FROM volumes v WHERE"
			      " v.claim = instances.id)",
			      ARGS(INT(before_ms)), "reap instances", err),
	    n);
}

static void
uuid_row(void *db, struct sql_rows *rows, void *elem)
{
	sql_copy(db, rows, 0, elem, TNFS_UUID_BUFSZ);
}

/* clang-format off */
#define JOBS_CLAIM(lock)                                                       \
	"UPDATE volumes SET claim = $1 WHERE uuid IN (SELECT uuid FROM"        \
	" volumes WHERE state IN ('creating', 'deleting') AND "               \
	CLAIM_FREE("claim") " ORDER BY create_ms, uuid LIMIT $3" lock ")"      \
	" RETURNING uuid"
/* clang-format on */

int
sql_jobs_claim(void *impl, const char *id, int64_t live_after_ms, size_t max,
    char (**out)[TNFS_UUID_BUFSZ], size_t *n, struct tnfs_err *err)
{
	if (sql_list(impl,
		sql_dialect_of(impl) == SQL_POSTGRESQL
		    ? JOBS_CLAIM(" FOR UPDATE SKIP LOCKED")
		    : JOBS_CLAIM(""),
		ARGS(TEXT(id), INT(live_after_ms), INT(max)), "claim jobs",
		sizeof(**out), uuid_row, out, n, err) == -1)
		return -1;
	if (*n > max)
		*n = max;
	return 0;
}

int
sql_volume_claim(void *impl, const char *uuid, const char *id,
    int64_t live_after_ms, struct tnfs_err *err)
{
	return sql_moved(sql_run(impl,
	    "UPDATE volumes SET claim = $1 WHERE uuid = $3 AND "
	    CLAIM_FREE("claim"),
	    ARGS(TEXT(id), INT(live_after_ms), TEXT(uuid)), "claim volume",
	    err));
}

int
sql_volume_release(
    void *impl, const char *uuid, const char *id, struct tnfs_err *err)
{
	return sql_run(impl,
		   "UPDATE volumes SET claim = NULL WHERE uuid = $1 AND"
		   " claim = $2",
		   ARGS(TEXT(uuid), TEXT(id)), "release volume", err) < 0
	    ? -1
	    : 0;
}

int
sql_lease_take(void *impl, const char *name, const char *holder, int64_t now_ms,
    int64_t until_ms, int64_t live_after_ms, struct tnfs_err *err)
{
	return sql_moved(sql_run(impl,
	    "INSERT INTO leases (name, holder, expires_ms) VALUES ($3, $1, $4)"
	    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
	    " expires_ms = excluded.expires_ms WHERE leases.expires_ms < $5"
	    " OR " CLAIM_FREE("leases.holder"),
	    ARGS(TEXT(holder), INT(live_after_ms), TEXT(name), INT(until_ms),
		INT(now_ms)),
	    "take lease", err));
}

int
sql_lease_release(
    void *impl, const char *name, const char *holder, struct tnfs_err *err)
{
	return sql_run(impl,
		   "DELETE FROM leases WHERE name = $1 AND holder = $2",
		   ARGS(TEXT(name), TEXT(holder)), "release lease", err) < 0
	    ? -1
	    : 0;
}
