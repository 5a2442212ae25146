/*
 * store_sqlite.c: the record store on SQLite.
 *
 * One connection, guarded by a recursive mutex: a transaction holds the
 * mutex from store_tx_begin to its end, so what a transaction reads stays
 * true until it commits.  WAL with synchronous=FULL: a committed answer
 * survives a crash.  The schema carries its version in user_version and
 * migrates forward at open.  A partial UNIQUE index on (owner_uuid, name)
 * over creating/ready volumes makes name uniqueness the database's job.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "timefmt.h"

#define BUSY_TIMEOUT_MS 10000

struct store {
	sqlite3 *db;
	pthread_mutex_t mu;
	int depth;     /* nesting of store_tx_begin */
	int tx_failed; /* an inner rollback dooms the outer transaction */
};

static const char *const migrations[] = {
    /* 1: the first schema. */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE volumes ("
    " uuid TEXT PRIMARY KEY, owner_uuid TEXT NOT NULL, name TEXT NOT NULL,"
    " type TEXT NOT NULL, size INTEGER NOT NULL CHECK (size > 0),"
    " state TEXT NOT NULL CHECK (state IN"
    "  ('creating','ready','failed','deleting')),"
    " create_ms INTEGER NOT NULL, networks TEXT NOT NULL,"
    " labels TEXT NOT NULL, affinity TEXT, vm_uuid TEXT,"
    " filesystem_path TEXT, nfs_port INTEGER, mount_port INTEGER,"
    " error TEXT, exported INTEGER NOT NULL DEFAULT 0,"
    " updated_ms INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX volumes_owner_name ON volumes (owner_uuid, name)"
    " WHERE state IN ('creating','ready');"
    "CREATE INDEX volumes_state ON volumes (state);"
    "CREATE TABLE refs ("
    " volume_uuid TEXT NOT NULL REFERENCES volumes (uuid) ON DELETE CASCADE,"
    " vm_uuid TEXT NOT NULL, owner_uuid TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL, renewed_ms INTEGER NOT NULL,"
    " extra TEXT, PRIMARY KEY (volume_uuid, vm_uuid));"
    "CREATE INDEX refs_renewed ON refs (renewed_ms);"
    "CREATE TABLE reservations ("
    " uuid TEXT PRIMARY KEY, volume_name TEXT NOT NULL,"
    " job_uuid TEXT NOT NULL, owner_uuid TEXT NOT NULL,"
    " vm_uuid TEXT NOT NULL, create_ms INTEGER NOT NULL);"
    "CREATE INDEX reservations_owner_name ON reservations"
    " (owner_uuid, volume_name);"
    "CREATE TABLE snapshots ("
    " volume_uuid TEXT NOT NULL REFERENCES volumes (uuid) ON DELETE CASCADE,"
    " name TEXT NOT NULL, seq INTEGER NOT NULL,"
    " create_ms INTEGER NOT NULL, state TEXT NOT NULL,"
    " PRIMARY KEY (volume_uuid, name));",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static void
db_err(struct store *st, struct tnfs_err *err, const char *what)
{
	tnfs_err_set(err, TNFS_E_INTERNAL, "store: %s: %s", what,
	    sqlite3_errmsg(st->db));
}

static void
lock(struct store *st)
{
	pthread_mutex_lock(&st->mu);
}

static void
unlock(struct store *st)
{
	pthread_mutex_unlock(&st->mu);
}

static int
exec_sql(struct store *st, const char *sql, struct tnfs_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "store: %s",
		    msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *
prep(struct store *st, const char *sql, struct tnfs_err *err)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_err(st, err, "prepare");
		return NULL;
	}
	return s;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t == NULL ? NULL : strdup((const char *)t);
}

static void
col_copy(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(dst, len, "%s", t == NULL ? "" : (const char *)t);
}

static int
migrate(struct store *st, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int version, i;

	if ((s = prep(st, "PRAGMA user_version", err)) == NULL)
		return -1;
	version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (version > NMIGRATIONS) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "store: schema version %d is newer than this program "
		    "(%d): refusing to touch it",
		    version, NMIGRATIONS);
		return -1;
	}
	for (i = version; i < NMIGRATIONS; i++) {
		char sql[64];

		if (exec_sql(st, "BEGIN IMMEDIATE", err) == -1)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (exec_sql(st, migrations[i], err) == -1 ||
		    exec_sql(st, sql, err) == -1) {
			exec_sql(st, "ROLLBACK", NULL);
			tnfs_err_prefix(err, "migration to schema %d", i + 1);
			return -1;
		}
		if (exec_sql(st, "COMMIT", err) == -1)
			return -1;
	}
	return 0;
}

struct store *
store_open(const char *spec, struct tnfs_err *err)
{
	struct store *st = NULL;
	pthread_mutexattr_t ma;
	const char *path;

	if (strncmp(spec, "sqlite:", 7) != 0 || spec[7] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "store %s: expected sqlite:PATH", spec);
		return NULL;
	}
	path = spec + 7;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&st->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (sqlite3_open_v2(path, &st->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_FULLMUTEX,
		NULL) != SQLITE_OK) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "store: cannot open %s: %s",
		    path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (exec_sql(st, "PRAGMA journal_mode = WAL", err) == -1 ||
	    exec_sql(st, "PRAGMA synchronous = FULL", err) == -1 ||
	    exec_sql(st, "PRAGMA foreign_keys = ON", err) == -1 ||
	    migrate(st, err) == -1) {
		tnfs_err_prefix(err, "%s", path);
		goto fail;
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

int
store_tx_begin(struct store *st, struct tnfs_err *err)
{
	lock(st);
	if (st->depth == 0) {
		if (exec_sql(st, "BEGIN IMMEDIATE", err) == -1) {
			unlock(st);
			return -1;
		}
		st->tx_failed = 0;
	}
	st->depth++;
	return 0;
}

int
store_tx_commit(struct store *st, struct tnfs_err *err)
{
	int rc = 0;

	if (--st->depth == 0) {
		if (st->tx_failed) {
			exec_sql(st, "ROLLBACK", NULL);
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "store: transaction rolled back");
			rc = -1;
		} else if (exec_sql(st, "COMMIT", err) == -1) {
			exec_sql(st, "ROLLBACK", NULL);
			rc = -1;
		}
	}
	unlock(st);
	return rc;
}

void
store_tx_rollback(struct store *st)
{
	if (--st->depth == 0)
		exec_sql(st, "ROLLBACK", NULL);
	else
		st->tx_failed = 1;
	unlock(st);
}

int
store_meta_get(
    struct store *st, const char *key, char **val, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int rc = -1, r;

	*val = NULL;
	lock(st);
	if ((s = prep(st, "SELECT value FROM meta WHERE key = ?", err)) == NULL)
		goto out;
	bind_text(s, 1, key);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((*val = col_dup(s, 0)) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	} else if (r != SQLITE_DONE) {
		db_err(st, err, "meta");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

/* Run a statement that returns no rows; the number of changed rows or -1. */
static int
step_done(
    struct store *st, sqlite3_stmt *s, const char *what, struct tnfs_err *err)
{
	int r = sqlite3_step(s);

	if (r != SQLITE_DONE) {
		int x = sqlite3_extended_errcode(st->db);

		/* Only a uniqueness conflict is the caller's to explain. */
		if (x == SQLITE_CONSTRAINT_UNIQUE ||
		    x == SQLITE_CONSTRAINT_PRIMARYKEY)
			return -2;
		db_err(st, err, what);
		return -1;
	}
	return sqlite3_changes(st->db);
}

int
store_meta_set(
    struct store *st, const char *key, const char *val, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int rc = -1;

	lock(st);
	if ((s = prep(st,
		 "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
		 " DO UPDATE SET value = excluded.value",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, key);
	bind_text(s, 2, val);
	if (step_done(st, s, "meta", err) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

int
store_volume_insert(
    struct store *st, const struct volume *v, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int rc = -1, r;

	lock(st);
	if ((s = prep(st,
		 "INSERT INTO volumes (uuid, owner_uuid, name, type, size,"
		 " state, create_ms, networks, labels, affinity, vm_uuid,"
		 " filesystem_path, nfs_port, mount_port, error, exported,"
		 " updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, v->uuid);
	bind_text(s, 2, v->owner_uuid);
	bind_text(s, 3, v->name);
	bind_text(s, 4, v->type);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)v->size);
	bind_text(s, 6, v->state);
	sqlite3_bind_int64(s, 7, v->create_ms);
	bind_text(s, 8, v->networks != NULL ? v->networks : "[]");
	bind_text(s, 9, v->labels != NULL ? v->labels : "{}");
	bind_text(s, 10, v->affinity);
	bind_text(s, 11, v->vm_uuid[0] != '\0' ? v->vm_uuid : NULL);
	bind_text(s, 12, v->filesystem_path);
	sqlite3_bind_int(s, 13, v->nfs_port);
	sqlite3_bind_int(s, 14, v->mount_port);
	bind_text(s, 15, v->error);
	sqlite3_bind_int(s, 16, v->exported);
	sqlite3_bind_int64(s, 17, tnfs_now_ms());
	if ((r = step_done(st, s, "insert volume", err)) == -2) {
		/* The uuid or the (owner, name) index said no. */
		if (strstr(sqlite3_errmsg(st->db), "volumes.uuid") != NULL)
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "Validation error, causes: Error: a volume with "
			    "uuid %s already exists",
			    v->uuid);
		else
			tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
			    "Volume with name %s already exists", v->name);
		goto out;
	}
	if (r < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

#define VOLUME_COLS                                                            \
	"uuid, owner_uuid, name, type, size, state, create_ms, networks,"      \
	" labels, affinity, vm_uuid, filesystem_path, nfs_port, mount_port,"   \
	" error, exported"

static struct volume *
row_volume(sqlite3_stmt *s)
{
	struct volume *v;

	if ((v = volume_new()) == NULL)
		return NULL;
	col_copy(s, 0, v->uuid, sizeof(v->uuid));
	col_copy(s, 1, v->owner_uuid, sizeof(v->owner_uuid));
	v->name = col_dup(s, 2);
	col_copy(s, 3, v->type, sizeof(v->type));
	v->size = (uint64_t)sqlite3_column_int64(s, 4);
	col_copy(s, 5, v->state, sizeof(v->state));
	v->create_ms = sqlite3_column_int64(s, 6);
	v->networks = col_dup(s, 7);
	v->labels = col_dup(s, 8);
	v->affinity = col_dup(s, 9);
	col_copy(s, 10, v->vm_uuid, sizeof(v->vm_uuid));
	v->filesystem_path = col_dup(s, 11);
	v->nfs_port = sqlite3_column_int(s, 12);
	v->mount_port = sqlite3_column_int(s, 13);
	v->error = col_dup(s, 14);
	v->exported = sqlite3_column_int(s, 15);
	if (v->name == NULL || v->networks == NULL || v->labels == NULL) {
		volume_free(v);
		return NULL;
	}
	return v;
}

/* Fill refs and the snapshot count of v. */
static int
load_extras(struct store *st, struct volume *v, struct tnfs_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = -1, r;

	if ((s = prep(st,
		 "SELECT vm_uuid, owner_uuid, created_ms, renewed_ms FROM refs"
		 " WHERE volume_uuid = ? ORDER BY created_ms, vm_uuid",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, v->uuid);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (v->nrefs == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct volume_ref *nr =
			    realloc(v->refs, ncap * sizeof(*nr));

			if (nr == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			v->refs = nr;
			cap = ncap;
		}
		col_copy(s, 0, v->refs[v->nrefs].vm_uuid, TNFS_UUID_BUFSZ);
		col_copy(s, 1, v->refs[v->nrefs].owner_uuid, TNFS_UUID_BUFSZ);
		v->refs[v->nrefs].created_ms = sqlite3_column_int64(s, 2);
		v->refs[v->nrefs].renewed_ms = sqlite3_column_int64(s, 3);
		v->nrefs++;
	}
	if (r != SQLITE_DONE) {
		db_err(st, err, "refs");
		goto out;
	}
	sqlite3_finalize(s);
	if ((s = prep(st,
		 "SELECT count(*) FROM snapshots WHERE volume_uuid = ?",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, v->uuid);
	if (sqlite3_step(s) != SQLITE_ROW) {
		db_err(st, err, "snapshots");
		goto out;
	}
	v->nsnapshots = (size_t)sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_volume_get(struct store *st, const char *uuid, struct volume **out,
    struct tnfs_err *err)
{
	struct volume *v = NULL;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	lock(st);
	if ((s = prep(st, "SELECT " VOLUME_COLS " FROM volumes WHERE uuid = ?",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, uuid);
	if ((r = sqlite3_step(s)) == SQLITE_DONE) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found", uuid);
		goto out;
	}
	if (r != SQLITE_ROW) {
		db_err(st, err, "get volume");
		goto out;
	}
	if ((v = row_volume(s)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (load_extras(st, v, err) == -1)
		goto out;
	*out = v;
	v = NULL;
	rc = 0;
out:
	volume_free(v);
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

int
store_volume_list(struct store *st, const struct volume_filter *f,
    struct volume ***out, size_t *n, struct tnfs_err *err)
{
	struct volume **vs = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	lock(st);
	if ((s = prep(st,
		 "SELECT " VOLUME_COLS " FROM volumes WHERE"
		 " (?1 IS NULL OR owner_uuid = ?1) AND (?2 IS NULL OR state = "
		 "?2)"
		 " ORDER BY create_ms, uuid",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, f != NULL ? f->owner_uuid : NULL);
	bind_text(s, 2, f != NULL ? f->state : NULL);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct volume **nv = realloc(vs, ncap * sizeof(*nv));

			if (nv == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			vs = nv;
			cap = ncap;
		}
		if ((vs[cnt] = row_volume(s)) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		cnt++;
		if (load_extras(st, vs[cnt - 1], err) == -1)
			goto out;
	}
	if (r != SQLITE_DONE) {
		db_err(st, err, "list volumes");
		goto out;
	}
	*out = vs;
	*n = cnt;
	vs = NULL;
	rc = 0;
out:
	volume_list_free(vs, cnt);
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

/* Run one UPDATE/DELETE built by the caller: changed rows, or -1. */
static int
run_change(
    struct store *st, sqlite3_stmt *s, const char *what, struct tnfs_err *err)
{
	int r = step_done(st, s, what, err);

	if (r == -2) {
		db_err(st, err, what);
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}

int
store_volume_set_state(struct store *st, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "UPDATE volumes SET state = ?1, error = ?2, updated_ms = ?3,"
		 " exported = CASE WHEN ?1 IN ('failed','deleting') THEN 0"
		 "  ELSE exported END"
		 " WHERE uuid = ?4 AND (?5 IS NULL OR state = ?5)",
		 err)) != NULL) {
		bind_text(s, 1, to);
		bind_text(s, 2, error);
		sqlite3_bind_int64(s, 3, tnfs_now_ms());
		bind_text(s, 4, uuid);
		bind_text(s, 5, from);
		if ((r = step_done(st, s, "set state", err)) == -2) {
			/* Leaving failed for creating may collide on the name. */
			tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
			    "Volume with uuid %s: its name is taken", uuid);
			r = -1;
		}
		sqlite3_finalize(s);
	}
	unlock(st);
	return r < 0 ? -1 : r > 0;
}

int
store_volume_set_served(struct store *st, const char *uuid, int serving,
    const char *error, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "UPDATE volumes SET state = ?1, error = ?2, updated_ms = ?3"
		 " WHERE uuid = ?4 AND state = ?5 AND exported = 1",
		 err)) != NULL) {
		bind_text(s, 1, serving ? "ready" : "failed");
		bind_text(s, 2, error);
		sqlite3_bind_int64(s, 3, tnfs_now_ms());
		bind_text(s, 4, uuid);
		bind_text(s, 5, serving ? "failed" : "ready");
		r = step_done(st, s, "set served", err);
		sqlite3_finalize(s);
	}
	unlock(st);
	return r < 0 ? -1 : r > 0;
}

int
store_volume_set_ready(struct store *st, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "UPDATE volumes SET state = 'ready', error = NULL,"
		 " filesystem_path = ?, nfs_port = ?, mount_port = ?,"
		 " updated_ms = ? WHERE uuid = ? AND state = 'creating'",
		 err)) != NULL) {
		bind_text(s, 1, filesystem_path);
		sqlite3_bind_int(s, 2, nfs_port);
		sqlite3_bind_int(s, 3, mount_port);
		sqlite3_bind_int64(s, 4, tnfs_now_ms());
		bind_text(s, 5, uuid);
		r = run_change(st, s, "set ready", err);
	}
	unlock(st);
	return r < 0 ? -1 : r > 0;
}

int
store_volume_set_exported(
    struct store *st, const char *uuid, int exported, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st, "UPDATE volumes SET exported = ? WHERE uuid = ?",
		 err)) != NULL) {
		sqlite3_bind_int(s, 1, exported);
		bind_text(s, 2, uuid);
		r = run_change(st, s, "set exported", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_volume_rename(
    struct store *st, const char *uuid, const char *name, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "UPDATE volumes SET name = ?, updated_ms = ? WHERE uuid = ?",
		 err)) != NULL) {
		bind_text(s, 1, name);
		sqlite3_bind_int64(s, 2, tnfs_now_ms());
		bind_text(s, 3, uuid);
		if ((r = step_done(st, s, "rename", err)) == -2) {
			tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
			    "Volume with name %s already exists", name);
			r = -1;
		}
		sqlite3_finalize(s);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_volume_set_size(
    struct store *st, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "UPDATE volumes SET size = ?, updated_ms = ? WHERE uuid = ?",
		 err)) != NULL) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
		sqlite3_bind_int64(s, 2, tnfs_now_ms());
		bind_text(s, 3, uuid);
		r = run_change(st, s, "set size", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_volume_delete(struct store *st, const char *uuid, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st, "DELETE FROM volumes WHERE uuid = ?", err)) != NULL) {
		bind_text(s, 1, uuid);
		r = run_change(st, s, "delete volume", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_ref_put(struct store *st, const char *volume_uuid, const char *vm_uuid,
    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "INSERT INTO refs (volume_uuid, vm_uuid, owner_uuid,"
		 " created_ms, renewed_ms) VALUES (?1, ?2, ?3, ?4, ?4)"
		 " ON CONFLICT (volume_uuid, vm_uuid) DO UPDATE SET"
		 " renewed_ms = excluded.renewed_ms",
		 err)) != NULL) {
		bind_text(s, 1, volume_uuid);
		bind_text(s, 2, vm_uuid);
		bind_text(s, 3, owner_uuid);
		sqlite3_bind_int64(s, 4, now_ms);
		r = run_change(st, s, "add reference", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_ref_remove(struct store *st, const char *volume_uuid, const char *vm_uuid,
    struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "DELETE FROM refs WHERE volume_uuid = ? AND vm_uuid = ?",
		 err)) != NULL) {
		bind_text(s, 1, volume_uuid);
		bind_text(s, 2, vm_uuid);
		r = run_change(st, s, "remove reference", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_refs_reap(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st, "DELETE FROM refs WHERE renewed_ms < ?", err)) !=
	    NULL) {
		sqlite3_bind_int64(s, 1, before_ms);
		r = run_change(st, s, "reap references", err);
	}
	unlock(st);
	if (n != NULL)
		*n = r < 0 ? 0 : r;
	return r < 0 ? -1 : 0;
}

int
store_resv_insert(
    struct store *st, const struct reservation *r, struct tnfs_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_resv_delete_for(
		st, r->owner_uuid, r->volume_name, r->vm_uuid, err) == -1)
		goto out;
	if ((s = prep(st,
		 "INSERT INTO reservations (uuid, volume_name, job_uuid,"
		 " owner_uuid, vm_uuid, create_ms) VALUES (?,?,?,?,?,?)",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, r->uuid);
	bind_text(s, 2, r->volume_name);
	bind_text(s, 3, r->job_uuid);
	bind_text(s, 4, r->owner_uuid);
	bind_text(s, 5, r->vm_uuid);
	sqlite3_bind_int64(s, 6, r->create_ms);
	if (run_change(st, s, "insert reservation", err) < 0) {
		s = NULL;
		goto out;
	}
	s = NULL;
	rc = 0;
out:
	sqlite3_finalize(s);
	if (rc == 0)
		rc = store_tx_commit(st, err);
	else
		store_tx_rollback(st);
	return rc;
}

int
store_resv_list(struct store *st, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, const char *job_uuid,
    struct reservation **out, size_t *n, struct tnfs_err *err)
{
	struct reservation *rs = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	lock(st);
	if ((s = prep(st,
		 "SELECT uuid, volume_name, job_uuid, owner_uuid, vm_uuid,"
		 " create_ms FROM reservations WHERE"
		 " (?1 IS NULL OR owner_uuid = ?1) AND"
		 " (?2 IS NULL OR volume_name = ?2) AND"
		 " (?3 IS NULL OR vm_uuid = ?3) AND (?4 IS NULL OR job_uuid = "
		 "?4)"
		 " ORDER BY create_ms, uuid",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, owner_uuid);
	bind_text(s, 2, volume_name);
	bind_text(s, 3, vm_uuid);
	bind_text(s, 4, job_uuid);
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
		col_copy(s, 0, rs[cnt].uuid, TNFS_UUID_BUFSZ);
		rs[cnt].volume_name = col_dup(s, 1);
		col_copy(s, 2, rs[cnt].job_uuid, TNFS_UUID_BUFSZ);
		col_copy(s, 3, rs[cnt].owner_uuid, TNFS_UUID_BUFSZ);
		col_copy(s, 4, rs[cnt].vm_uuid, TNFS_UUID_BUFSZ);
		rs[cnt].create_ms = sqlite3_column_int64(s, 5);
		cnt++;
		if (rs[cnt - 1].volume_name == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (r != SQLITE_DONE) {
		db_err(st, err, "list reservations");
		goto out;
	}
	*out = rs;
	*n = cnt;
	rs = NULL;
	rc = 0;
out:
	reservation_list_free(rs, cnt);
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

int
store_resv_delete(struct store *st, const char *uuid, const char *owner_uuid,
    struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "DELETE FROM reservations WHERE uuid = ? AND owner_uuid = ?",
		 err)) != NULL) {
		bind_text(s, 1, uuid);
		bind_text(s, 2, owner_uuid);
		r = run_change(st, s, "delete reservation", err);
	}
	unlock(st);
	if (r == 0)
		tnfs_err_set(err, TNFS_E_RESERVATION_NOT_FOUND,
		    "Volume reservation with uuid %s could not be found", uuid);
	return r <= 0 ? -1 : 0;
}

int
store_resv_delete_for(struct store *st, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "DELETE FROM reservations WHERE owner_uuid = ?1 AND"
		 " volume_name = ?2 AND (?3 IS NULL OR vm_uuid = ?3)",
		 err)) != NULL) {
		bind_text(s, 1, owner_uuid);
		bind_text(s, 2, volume_name);
		bind_text(s, 3, vm_uuid);
		r = run_change(st, s, "delete reservations", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_resv_reap(struct store *st, int64_t before_ms, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st, "DELETE FROM reservations WHERE create_ms < ?",
		 err)) != NULL) {
		sqlite3_bind_int64(s, 1, before_ms);
		r = run_change(st, s, "reap reservations", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_snap_insert(struct store *st, const char *volume_uuid,
    const struct snapshot *sn, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "INSERT INTO snapshots (volume_uuid, name, seq, create_ms,"
		 " state) VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1"
		 " FROM snapshots WHERE volume_uuid = ?1), ?3, ?4)",
		 err)) != NULL) {
		bind_text(s, 1, volume_uuid);
		bind_text(s, 2, sn->name);
		sqlite3_bind_int64(s, 3, sn->create_ms);
		bind_text(s, 4, sn->state);
		if ((r = step_done(st, s, "insert snapshot", err)) == -2) {
			tnfs_err_set(err, TNFS_E_SNAPSHOT_EXISTS,
			    "Snapshot with name %s already exists", sn->name);
			r = -1;
		}
		sqlite3_finalize(s);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

static void
row_snapshot(sqlite3_stmt *s, struct snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	col_copy(s, 0, sn->name, sizeof(sn->name));
	sn->seq = sqlite3_column_int64(s, 1);
	sn->create_ms = sqlite3_column_int64(s, 2);
	col_copy(s, 3, sn->state, sizeof(sn->state));
}

int
store_snap_list(struct store *st, const char *volume_uuid,
    struct snapshot **out, size_t *n, struct tnfs_err *err)
{
	struct snapshot *ss = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	*n = 0;
	lock(st);
	if ((s = prep(st,
		 "SELECT name, seq, create_ms, state FROM snapshots"
		 " WHERE volume_uuid = ? ORDER BY seq",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, volume_uuid);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct snapshot *ns = realloc(ss, ncap * sizeof(*ns));

			if (ns == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			ss = ns;
			cap = ncap;
		}
		row_snapshot(s, &ss[cnt++]);
	}
	if (r != SQLITE_DONE) {
		db_err(st, err, "list snapshots");
		goto out;
	}
	*out = ss;
	*n = cnt;
	ss = NULL;
	rc = 0;
out:
	free(ss);
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

int
store_snap_get(struct store *st, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int rc = -1, r;

	lock(st);
	if ((s = prep(st,
		 "SELECT name, seq, create_ms, state FROM snapshots"
		 " WHERE volume_uuid = ? AND name = ?",
		 err)) == NULL)
		goto out;
	bind_text(s, 1, volume_uuid);
	bind_text(s, 2, name);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		row_snapshot(s, out);
		rc = 0;
	} else if (r == SQLITE_DONE) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
		    "Snapshot with name %s could not be found", name);
	} else {
		db_err(st, err, "get snapshot");
	}
out:
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}

int
store_snap_set_state(struct store *st, const char *volume_uuid,
    const char *name, const char *state, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "UPDATE snapshots SET state = ? WHERE volume_uuid = ?"
		 " AND name = ?",
		 err)) != NULL) {
		bind_text(s, 1, state);
		bind_text(s, 2, volume_uuid);
		bind_text(s, 3, name);
		r = run_change(st, s, "set snapshot state", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_snap_delete(struct store *st, const char *volume_uuid, const char *name,
    struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	lock(st);
	if ((s = prep(st,
		 "DELETE FROM snapshots WHERE volume_uuid = ? AND name = ?",
		 err)) != NULL) {
		bind_text(s, 1, volume_uuid);
		bind_text(s, 2, name);
		r = run_change(st, s, "delete snapshot", err);
	}
	unlock(st);
	return r < 0 ? -1 : 0;
}

int
store_check(struct store *st, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int rc = -1;

	lock(st);
	if ((s = prep(st, "PRAGMA integrity_check", err)) == NULL)
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		db_err(st, err, "integrity_check");
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "store: integrity: %s",
		    sqlite3_column_text(s, 0));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	unlock(st);
	return rc;
}
