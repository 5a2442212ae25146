/*
 * store_sqlite.c: the record store on SQLite (store_impl.h): the
 * connection, the schema and its migrations, transactions, settings, and
 * the ops table.  The records of each kind are in store_sqlite_*.c.
 *
 * One connection, guarded by a recursive mutex: a transaction holds the
 * mutex from store_tx_begin to its end, so what a transaction reads stays
 * true until it commits.  WAL with synchronous=FULL: a committed answer
 * survives a crash.  The schema carries its version in user_version and
 * migrates forward at open.  A partial UNIQUE index on (owner_uuid, name)
 * over creating/ready volumes makes name uniqueness the database's job.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_sql.h"
#include "store_sqlite.h"

#define BUSY_TIMEOUT_MS 10000

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
    /*
     * 2: indexes for lists that filter by name or owner at any state, in
     * creation order, and the exported set.
     */
    "CREATE INDEX volumes_owner_name_all ON volumes (owner_uuid, name);"
    "CREATE INDEX volumes_owner_created ON volumes"
    " (owner_uuid, create_ms, uuid);"
    "CREATE INDEX volumes_created ON volumes (create_ms, uuid);"
    "CREATE INDEX volumes_exported ON volumes (exported) WHERE exported = 1;",
    /* 3: hosts (the holders of references) and granted addresses. */
    "CREATE TABLE hosts ("
    " owner_uuid TEXT NOT NULL, uuid TEXT NOT NULL,"
    " hostname TEXT NOT NULL, address TEXT NOT NULL,"
    " version TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " heartbeat_ms INTEGER NOT NULL, PRIMARY KEY (owner_uuid, uuid));"
    "CREATE INDEX hosts_uuid ON hosts (uuid);"
    "CREATE TABLE grants ("
    " volume_uuid TEXT NOT NULL REFERENCES volumes (uuid) ON DELETE CASCADE,"
    " address TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (volume_uuid, address));",
    /*
     * 4: several instances (store_sql_instances.c): their records,
     * each volume's claim, and leases.
     */
    "CREATE TABLE instances ("
    " id TEXT PRIMARY KEY, hostname TEXT NOT NULL, address TEXT NOT NULL,"
    " started_ms INTEGER NOT NULL, heartbeat_ms INTEGER NOT NULL);"
    "ALTER TABLE volumes ADD COLUMN claim TEXT;"
    "CREATE INDEX volumes_claim ON volumes (claim) WHERE claim IS NOT NULL;"
    "CREATE TABLE leases ("
    " name TEXT PRIMARY KEY, holder TEXT NOT NULL,"
    " expires_ms INTEGER NOT NULL);",
    /* 5: an owner's volumes a page at a time, in uuid order. */
    "CREATE INDEX volumes_owner_uuid ON volumes (owner_uuid, uuid);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

void
sq_db_err(struct sq *st, struct tnfs_err *err, const char *what)
{
	tnfs_err_set(err, TNFS_E_INTERNAL, "store: %s: %s", what,
	    sqlite3_errmsg(st->db));
}

void
sq_lock(void *db)
{
	struct sq *st = db;

	pthread_mutex_lock(&st->mu);
}

void
sq_unlock(void *db)
{
	struct sq *st = db;

	pthread_mutex_unlock(&st->mu);
}

static int
exec_sql(struct sq *st, const char *sql, struct tnfs_err *err)
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

sqlite3_stmt *
sq_prep(struct sq *st, const char *sql, struct tnfs_err *err)
{
	struct sq_cached *c, *slot = NULL;
	sqlite3_stmt *s = NULL;
	char *copy, *text;
	size_t i;

	for (i = 0; i < SQ_STMT_CACHE; i++) {
		c = &st->cache[i];
		if (c->sql == NULL || c->busy) {
			if (c->sql == NULL && slot == NULL)
				slot = c;
			continue;
		}
		if (c->sql == sql || strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			c->used = ++st->clock;
			return c->stmt;
		}
		if (slot == NULL || (slot->sql != NULL && c->used < slot->used))
			slot = c;
	}
	/* Statements shared with PostgreSQL's store say $N (sql.h). */
	if ((text = sql_sqlite_text(sql)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(st->db, text, -1, SQLITE_PREPARE_PERSISTENT, &s,
		NULL) != SQLITE_OK) {
		free(text);
		sq_db_err(st, err, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	free(text);
	/* Every slot busy, or no memory for the key: used once, then gone. */
	if (slot == NULL || (copy = strdup(sql)) == NULL)
		return s;
	if (slot->sql != NULL) {
		sqlite3_finalize(slot->stmt);
		free(slot->sql);
	}
	slot->sql = copy;
	slot->stmt = s;
	slot->busy = 1;
	slot->used = ++st->clock;
	return s;
}

void
sq_done(struct sq *st, sqlite3_stmt *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < SQ_STMT_CACHE; i++)
		if (st->cache[i].stmt == s && st->cache[i].sql != NULL) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			st->cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(s);
}

static void
sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void
sq_bind_args(sqlite3_stmt *s, const struct arg *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i].is_int)
			sqlite3_bind_int64(s, (int)i + 1, a[i].num);
		else
			sq_bind_text(s, (int)i + 1, a[i].text);
	}
}

/* The mutators' one path (contract in store_sqlite.h). */
int
sq_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err)
{
	struct sq *st = db;
	sqlite3_stmt *s;
	int r = -1, x;

	sq_lock(st);
	if ((s = sq_prep(st, sql, err)) == NULL)
		goto out;
	sq_bind_args(s, a, n);
	if (sqlite3_step(s) == SQLITE_DONE) {
		r = sqlite3_changes(st->db);
		goto out;
	}
	x = sqlite3_extended_errcode(st->db);
	sq_db_err(st, err, what);
	if (x == SQLITE_CONSTRAINT_UNIQUE || x == SQLITE_CONSTRAINT_PRIMARYKEY)
		r = CONFLICT;
out:
	sq_done(st, s);
	sq_unlock(st);
	return r;
}

static int
migrate(struct sq *st, struct tnfs_err *err)
{
	sqlite3_stmt *s;
	int version, i;

	if ((s = sq_prep(st, "PRAGMA user_version", err)) == NULL)
		return -1;
	version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sq_done(st, s);
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

/*
 * The records name every owner's volumes and hosts: the database and its
 * -wal/-shm are root's alone.  SQLite gives -wal and -shm the mode of the
 * database when it creates them, so creating the database 0600 here (not
 * under the process umask, which is shared by every thread) covers all
 * three; files left 0644 by an older version are tightened as well.
 */
static int
restrict_db_files(const char *path, struct tnfs_err *err)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	char p[4096];
	size_t i;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "store: cannot open %s", path);
		return -1;
	}
	if (fchmod(fd, 0600) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "store: cannot make %s private", path);
		close(fd);
		return -1;
	}
	close(fd);
	for (i = 1; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if (chmod(p, 0600) == -1 && errno != ENOENT) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "store: cannot make %s private", p);
			return -1;
		}
	}
	return 0;
}

static void sq_close(void *impl);

/* arg: the database path. */
static void *
sq_open(const char *path, struct tnfs_err *err)
{
	struct sq *st = NULL;
	pthread_mutexattr_t ma;

	if (strcmp(path, ":memory:") != 0 && restrict_db_files(path, err) == -1)
		return NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	st->base.ops = &sq_sql_ops;
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
	sq_close(st);
	return NULL;
}

static void
sq_close(void *impl)
{
	struct sq *st = impl;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < SQ_STMT_CACHE; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

int
sq_tx_begin(void *impl, struct tnfs_err *err)
{
	struct sq *st = impl;

	sq_lock(st);
	if (st->depth == 0) {
		if (exec_sql(st, "BEGIN IMMEDIATE", err) == -1) {
			sq_unlock(st);
			return -1;
		}
		st->tx_failed = 0;
	}
	st->depth++;
	return 0;
}

int
sq_tx_commit(void *impl, struct tnfs_err *err)
{
	struct sq *st = impl;
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
	sq_unlock(st);
	return rc;
}

void
sq_tx_rollback(void *impl)
{
	struct sq *st = impl;

	if (--st->depth == 0)
		exec_sql(st, "ROLLBACK", NULL);
	else
		st->tx_failed = 1;
	sq_unlock(st);
}

static int
sq_check(void *impl, struct tnfs_err *err)
{
	struct sq *st = impl;
	sqlite3_stmt *s;
	int rc = -1;

	sq_lock(st);
	if ((s = sq_prep(st, "PRAGMA integrity_check", err)) == NULL)
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sq_db_err(st, err, "integrity_check");
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "store: integrity: %s",
		    sqlite3_column_text(s, 0));
		goto out;
	}
	rc = 0;
out:
	sq_done(st, s);
	sq_unlock(st);
	return rc;
}

const struct store_ops store_sqlite_ops = {
    .kind = "sqlite",
    .arg_name = "PATH",
    .open = sq_open,
    .close = sq_close,
    .tx_begin = sq_tx_begin,
    .tx_commit = sq_tx_commit,
    .tx_rollback = sq_tx_rollback,
    STORE_SQL_OPS,
    .check = sq_check,
    .shared = 0,
};
