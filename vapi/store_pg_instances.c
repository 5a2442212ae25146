/*
 * store_pg_instances.c: instance records, volume claims and leases on
 * PostgreSQL (contracts: store.h), what lets several tritonnfs-vapi
 * instances share the provisioning.
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
 *   the second re-reads the row after the first commits (READ COMMITTED
 *   re-checks the WHERE on the newest version) and finds it taken.
 * - The scan that hands out jobs locks its candidate rows with FOR UPDATE
 *   SKIP LOCKED: a row another instance is claiming in that moment is
 *   left to it instead of being waited for, so two scanners share the
 *   work instead of queueing behind each other.
 * - A lease is an INSERT ... ON CONFLICT DO UPDATE ... WHERE: the row is
 *   created by one of two racing inserts, the other takes the update path
 *   and its WHERE decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* Whether the claim in column col is free for $1 with $2 as live_after. */
#define CLAIM_FREE(col)                                                        \
	"(" col " IS NULL OR " col " = $1 OR NOT EXISTS (SELECT 1 FROM"        \
	" instances i WHERE i.id = " col " AND i.heartbeat_ms >= $2))"

int
pg_instance_put(void *impl, const struct instance *in, struct tnfs_err *err)
{
	return pg_run(impl,
		   "INSERT INTO instances (id, hostname, address, started_ms,"
		   " heartbeat_ms) VALUES ($1, $2, $3, $4, $5)"
		   " ON CONFLICT (id) DO UPDATE SET hostname = "
		   "excluded.hostname,"
		   " address = excluded.address,"
		   " heartbeat_ms = excluded.heartbeat_ms",
		   ARGS(TEXT(in->id), TEXT(in->hostname), TEXT(in->address),
		       INT(in->started_ms), INT(in->heartbeat_ms)),
		   "instance heartbeat", err) < 0
	    ? -1
	    : 0;
}

int
pg_instance_delete(void *impl, const char *id, struct tnfs_err *err)
{
	return pg_run(impl, "DELETE FROM instances WHERE id = $1",
		   ARGS(TEXT(id)), "delete instance", err) < 0
	    ? -1
	    : 0;
}

int
pg_instance_list(
    void *impl, struct instance **out, size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct instance *is = NULL;
	PGresult *res;
	int rc = -1, i;

	*out = NULL;
	*n = 0;
	pg_lock(st);
	res = pg_query(st,
	    "SELECT id, hostname, address, started_ms, heartbeat_ms,"
	    " (SELECT count(*) FROM volumes v WHERE v.claim = i.id)"
	    " FROM instances i ORDER BY started_ms, id",
	    NULL, 0, "list instances", NULL, err);
	if (res == NULL)
		goto out;
	if ((is = calloc((size_t)PQntuples(res) + 1, sizeof(*is))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		pg_copy(res, i, 0, is[i].id, sizeof(is[i].id));
		pg_copy(res, i, 1, is[i].hostname, sizeof(is[i].hostname));
		pg_copy(res, i, 2, is[i].address, sizeof(is[i].address));
		is[i].started_ms = pg_int(res, i, 3);
		is[i].heartbeat_ms = pg_int(res, i, 4);
		is[i].jobs = pg_int(res, i, 5);
	}
	*out = is;
	*n = (size_t)PQntuples(res);
	is = NULL;
	rc = 0;
out:
	free(is);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_instances_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err)
{
	int r = pg_run(impl,
	    "DELETE FROM instances WHERE heartbeat_ms < $1 AND NOT EXISTS"
	    " (SELECT 1 FROM volumes v WHERE v.claim = instances.id)",
	    ARGS(INT(before_ms)), "reap instances", err);

	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

int
pg_jobs_claim(void *impl, const char *id, int64_t live_after_ms, size_t max,
    char (**out)[TNFS_UUID_BUFSZ], size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	char(*us)[TNFS_UUID_BUFSZ] = NULL;
	PGresult *res;
	int rc = -1, i;

	*out = NULL;
	*n = 0;
	pg_lock(st);
	res = pg_query(st,
	    "UPDATE volumes SET claim = $1 WHERE uuid IN (SELECT uuid FROM"
	    " volumes WHERE state IN ('creating', 'deleting') AND "
	    CLAIM_FREE("claim") " ORDER BY create_ms, uuid LIMIT $3"
	    " FOR UPDATE SKIP LOCKED) RETURNING uuid",
	    ARGS(TEXT(id), INT(live_after_ms), INT(max)), "claim jobs", NULL,
	    err);
	if (res == NULL)
		goto out;
	if ((us = calloc((size_t)PQntuples(res) + 1, sizeof(*us))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < PQntuples(res) && (size_t)i < max; i++)
		pg_copy(res, i, 0, us[i], sizeof(us[0]));
	*out = us;
	*n = (size_t)i;
	us = NULL;
	rc = 0;
out:
	free(us);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_volume_claim(void *impl, const char *uuid, const char *id,
    int64_t live_after_ms, struct tnfs_err *err)
{
	return sql_moved(pg_run(impl,
	    "UPDATE volumes SET claim = $1 WHERE uuid = $3 AND "
	    CLAIM_FREE("claim"),
	    ARGS(TEXT(id), INT(live_after_ms), TEXT(uuid)), "claim volume",
	    err));
}

int
pg_volume_release(
    void *impl, const char *uuid, const char *id, struct tnfs_err *err)
{
	return pg_run(impl,
		   "UPDATE volumes SET claim = NULL WHERE uuid = $1 AND"
		   " claim = $2",
		   ARGS(TEXT(uuid), TEXT(id)), "release volume", err) < 0
	    ? -1
	    : 0;
}

int
pg_lease_take(void *impl, const char *name, const char *holder,
    int64_t now_ms, int64_t until_ms, int64_t live_after_ms,
    struct tnfs_err *err)
{
	return sql_moved(pg_run(impl,
	    "INSERT INTO leases (name, holder, expires_ms) VALUES ($3, $1, $4)"
	    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
	    " expires_ms = excluded.expires_ms WHERE leases.expires_ms < $5"
	    " OR " CLAIM_FREE("leases.holder"),
	    ARGS(TEXT(holder), INT(live_after_ms), TEXT(name), INT(until_ms),
		INT(now_ms)),
	    "take lease", err));
}

int
pg_lease_release(
    void *impl, const char *name, const char *holder, struct tnfs_err *err)
{
	return pg_run(impl, "DELETE FROM leases WHERE name = $1 AND holder = $2",
		   ARGS(TEXT(name), TEXT(holder)), "release lease", err) < 0
	    ? -1
	    : 0;
}

/*
 * The exported-set generation and each head's served record are rows of
 * meta: "exports-gen" holds the counter, "exports-served:<head>" holds
 * "<generation>" or "<generation> <why the sync failed>".  The bump is
 * one upsert, so two instances bumping at once get two values; a served
 * record never moves back (a head that lost its lease and wakes late
 * cannot hide the new holder's newer record).
 *
 * Each bump also records the volume it was for, as the row
 * "exports-change:<generation, 20 digits>" (the value is the uuid, ""
 * for any volume), and drops the row STORE_EXPORTS_CHANGES_KEPT older,
 * all in the one statement.  The counter's row lock orders the bumps, so
 * when generation g is visible every bump up to g has committed, its row
 * with it: a head that read g reads the rows after its last sync up to g
 * and finds each one, unless it was dropped, which the count shows.
 */
#define STR_(x)       #x
#define STR(x)        STR_(x)
#define CHANGE_KEY(g) "'exports-change:' || lpad((" g ")::text, 20, '0')"

static const char bump_sql[] =
    "WITH g AS (INSERT INTO meta (key, value) VALUES ('exports-gen', '1')"
    " ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text"
    " RETURNING value::bigint AS gen),"
    " d AS (DELETE FROM meta USING g WHERE meta.key = " CHANGE_KEY(
	"g.gen - " STR(STORE_EXPORTS_CHANGES_KEPT)) ")"
    " INSERT INTO meta (key, value) SELECT " CHANGE_KEY("g.gen") ", $1"
    " FROM g ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    " RETURNING substr(key, 16)::bigint";

int
pg_exports_bump(
    void *impl, const char *uuid, int64_t *gen, struct tnfs_err *err)
{
	struct pg *st = impl;
	PGresult *res;
	int rc = -1;

	pg_lock(st);
	res = pg_query(st, bump_sql, ARGS(TEXT(uuid != NULL ? uuid : "")),
	    "bump the exported set's generation", NULL, err);
	if (res == NULL)
		goto out;
	*gen = PQntuples(res) > 0 ? pg_int(res, 0, 0) : 0;
	rc = 0;
out:
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_exports_changes(void *impl, int64_t after, int64_t upto,
    char (**uuids)[TNFS_UUID_BUFSZ], size_t *n, int *all,
    struct tnfs_err *err)
{
	struct pg *st = impl;
	char(*out)[TNFS_UUID_BUFSZ] = NULL;
	PGresult *res;
	int rows, i, rc = -1;

	*all = 1;
	pg_lock(st);
	res = pg_query(st,
	    "SELECT value FROM meta WHERE key > " CHANGE_KEY("$1::bigint")
	    " AND key <= " CHANGE_KEY("$2::bigint") " ORDER BY key",
	    ARGS(INT(after), INT(upto)), "read the exports' changes", NULL,
	    err);
	if (res == NULL)
		goto out;
	rc = 0;
	rows = PQntuples(res);
	/* A row missing: dropped, or bumped by an older version. */
	if (rows != upto - after)
		goto out;
	if ((out = calloc((size_t)rows + 1, sizeof(*out))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		rc = -1;
		goto out;
	}
	for (i = 0; i < rows; i++) {
		const char *u = PQgetvalue(res, i, 0);

		if (strlen(u) >= TNFS_UUID_BUFSZ || u[0] == '\0')
			goto out; /* any volume */
		snprintf(out[i], TNFS_UUID_BUFSZ, "%s", u);
	}
	*all = 0;
	*uuids = out;
	*n = (size_t)rows;
	out = NULL;
out:
	free(out);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

int
pg_exports_served(void *impl, const char *head, int64_t gen,
    const char *failure, struct tnfs_err *err)
{
	char key[600], val[512];

	snprintf(key, sizeof(key), "exports-served:%s", head);
	snprintf(val, sizeof(val), "%lld%s%.400s", (long long)gen,
	    failure != NULL ? " " : "", failure != NULL ? failure : "");
	return pg_run(impl,
		   "INSERT INTO meta (key, value) VALUES ($1, $2)"
		   " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
		   " WHERE split_part(meta.value, ' ', 1)::bigint <= $3",
		   ARGS(TEXT(key), TEXT(val), INT(gen)),
		   "record the served exports", err) < 0
	    ? -1
	    : 0;
}

int
pg_exports_state(void *impl, const char *head, int64_t *gen, int64_t *served,
    char *failure, size_t len, struct tnfs_err *err)
{
	struct pg *st = impl;
	char key[600], *val = NULL, *sp;
	PGresult *res;
	int rc = -1;

	*gen = *served = 0;
	if (len > 0)
		failure[0] = '\0';
	snprintf(key, sizeof(key), "exports-served:%s", head);
	pg_lock(st);
	res = pg_query(st,
	    "SELECT (SELECT value FROM meta WHERE key = 'exports-gen'),"
	    " (SELECT value FROM meta WHERE key = $1)",
	    ARGS(TEXT(key)), "read the exported set's generation", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		*gen = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 1)) {
		val = PQgetvalue(res, 0, 1);
		*served = strtoll(val, NULL, 10);
		if ((sp = strchr(val, ' ')) != NULL && len > 0)
			snprintf(failure, len, "%.*s", (int)len - 1, sp + 1);
	}
	rc = 0;
out:
	PQclear(res);
	pg_unlock(st);
	return rc;
}
