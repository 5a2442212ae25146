/*
 * store_pg_exports.c: the exported set's generation, the change rows each
 * bump leaves and each NFS head's served record, on PostgreSQL (a SQLite
 * store has one instance and no shared heads).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/*
 * The generation and each head's served record are rows of meta:
 * "exports-gen" holds the counter, "exports-served:<head>" holds
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

/* clang-format off */
static const char bump_sql[] =
    "WITH g AS (INSERT INTO meta (key, value) VALUES ('exports-gen', '1')"
    " ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text"
    " RETURNING value::bigint AS gen),"
    " d AS (DELETE FROM meta USING g WHERE meta.key = "
	CHANGE_KEY("g.gen - " STR(STORE_EXPORTS_CHANGES_KEPT)) ")"
    " INSERT INTO meta (key, value) SELECT " CHANGE_KEY("g.gen") ", $1"
    " FROM g ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    " RETURNING substr(key, 16)::bigint";
/* clang-format on */

int
pg_exports_bump(
    void *impl, const char *uuid, int64_t *gen, struct tnfs_err *err)
{
	return sql_int_of(impl, bump_sql, ARGS(TEXT(uuid != NULL ? uuid : "")),
	    "bump the exported set's generation", gen, err);
}

int
pg_exports_changes(void *impl, int64_t after, int64_t upto,
    char (**uuids)[TNFS_UUID_BUFSZ], size_t *n, int *all, struct tnfs_err *err)
{
	struct pg *st = impl;
	char(*out)[TNFS_UUID_BUFSZ] = NULL;
	PGresult *res;
	int rows, i, rc = -1;

	*all = 1;
	pg_lock(st);
	/* clang-format off */
	res = pg_query(st,
	    "SELECT value FROM meta WHERE key > " CHANGE_KEY("$1::bigint")
	    " AND key <= " CHANGE_KEY("$2::bigint") " ORDER BY key",
	    ARGS(INT(after), INT(upto)), "read the exports' changes", NULL,
	    err);
	/* clang-format on */
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
