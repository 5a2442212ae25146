/*
 * store_pg.c: the record store on PostgreSQL (store_impl.h), for several
 * VAPI instances sharing their records: the connection, deadlines,
 * retries and errors, migrating the schema (store_pg_schema.c has it),
 * transactions and the ops table.  The connection string is read in
 * store_pg_conninfo.c; settings and the records of each kind are in
 * store_pg_*.c.
 *
 * One connection per store, guarded by a recursive mutex as the SQLite
 * store's is: a transaction holds the mutex from store_tx_begin to its
 * end.  Transactions run at READ COMMITTED; what one must keep true
 * across instances is kept by the database: name uniqueness by a partial
 * unique index, and a volume a transaction reads is locked (FOR UPDATE)
 * until it ends, so a delete that saw no reference and a reference added
 * by another instance cannot both commit (store_pg_volumes.c).
 *
 * Nothing here waits forever: the connection is made asynchronously
 * under connect_timeout (10 s unless the connection string says less),
 * every statement is sent without blocking and its answer awaited with
 * poll() until a deadline a little beyond the server's statement_timeout;
 * past it the connection is dropped (the server rolls back what was open)
 * and the next call connects again.  A serialization failure or deadlock
 * outside a transaction is retried a bounded number of times; inside one
 * it dooms the transaction and the caller gets ServiceUnavailable, to
 * retry the whole request.
 *
 * The password of the connection string is never written anywhere: the
 * description used in messages leaves it out, and libpq's own words are
 * scrubbed of it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "store_pg_stmts.h"
#include "store_sql.h"
#include "timefmt.h"

#define STATEMENT_TIMEOUT_MS 30000
#define LOCK_TIMEOUT_MS      10000
/* The client's own deadline past the server's statement_timeout. */
#define DEADLINE_SLACK_MS 5000
#define MAX_RETRIES       5

/* pg_advisory_xact_lock key of the migrations: "tnfs" and 1. */
#define MIGRATION_LOCK 0x746e667300000001LL

#define NMIGRATIONS store_pg_schema_version

void
pg_lock(void *db)
{
	struct pg *st = db;

	pthread_mutex_lock(&st->mu);
}

void
pg_unlock(void *db)
{
	struct pg *st = db;

	pthread_mutex_unlock(&st->mu);
}

/* libpq's words without the password and the trailing newline. */
static void
scrubbed(const struct pg *st, const char *msg, char *out, size_t len)
{
	const char *p;
	size_t off = 0, plen;

	out[0] = '\0';
	if (msg == NULL)
		return;
	plen = st->password != NULL ? strlen(st->password) : 0;
	while (*msg != '\0' && off + 1 < len) {
		if (plen > 0 && (p = strstr(msg, st->password)) == msg) {
			off += (size_t)snprintf(out + off, len - off, "********");
			msg += plen;
			continue;
		}
		out[off++] = *msg++;
	}
	out[off < len ? off : len - 1] = '\0';
	while (off > 0 && (out[off - 1] == '\n' || out[off - 1] == ' '))
		out[--off] = '\0';
}

/* Why the connection failed, as UNAVAILABLE (or TIMEOUT). */
static void
conn_err(struct pg *st, PGconn *c, enum tnfs_ecode code, const char *what,
    struct tnfs_err *err)
{
	char msg[512];

	scrubbed(st, c != NULL ? PQerrorMessage(c) : "out of memory", msg,
	    sizeof(msg));
	tnfs_err_set(err, code, "store: postgresql (%s): %s: %s", st->where,
	    what, msg[0] != '\0' ? msg : "connection lost");
}

static void
drop_conn(struct pg *st)
{
	PQfinish(st->conn);
	st->conn = NULL;
	/* The server forgot them with the session. */
	pg_stmts_reset(st->stmts);
}

/* 1 when fd is ready for events, 0 at the deadline, -1 on error. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	int64_t left;
	int r;

	for (;;) {
		if ((left = deadline - tnfs_mono_ms()) <= 0)
			return 0;
		r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			continue; /* re-check the deadline */
		if (errno != EINTR)
			return -1;
	}
}

/*
 * Collect the answer of what was just sent before deadline.  NULL: the
 * connection failed (err set, connection dropped); else the first error
 * result, or the last result when none failed.
 */
static PGresult *
await_until(struct pg *st, int64_t deadline, struct tnfs_err *err)
{
	PGconn *c = st->conn;
	PGresult *keep = NULL, *res;
	int r, w;

	while ((r = PQflush(c)) == 1) {
		if ((w = wait_fd(PQsocket(c), POLLIN | POLLOUT, deadline)) <= 0)
			goto timeout;
		if (!PQconsumeInput(c))
			goto lost;
	}
	if (r == -1)
		goto lost;
	for (;;) {
		while (PQisBusy(c)) {
			if ((w = wait_fd(PQsocket(c), POLLIN, deadline)) <= 0)
				goto timeout;
			if (!PQconsumeInput(c))
				goto lost;
		}
		if ((res = PQgetResult(c)) == NULL)
			break;
		if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(res);
			continue;
		}
		PQclear(keep);
		keep = res;
	}
	if (keep == NULL)
		goto lost;
	return keep;
timeout:
	PQclear(keep);
	tnfs_err_set(err, TNFS_E_TIMEOUT,
	    "store: postgresql (%s): no answer within %d ms: connection "
	    "dropped",
	    st->where, st->statement_timeout_ms + DEADLINE_SLACK_MS);
	drop_conn(st);
	return NULL;
lost:
	PQclear(keep);
	conn_err(st, c, TNFS_E_UNAVAILABLE, "connection lost", err);
	drop_conn(st);
	return NULL;
}

static PGresult *
lost_at_send(struct pg *st, struct tnfs_err *err)
{
	conn_err(st, st->conn, TNFS_E_UNAVAILABLE, "connection lost", err);
	drop_conn(st);
	return NULL;
}

/*
 * Send sql and collect its answer before deadline (await_until).  A
 * statement with arguments runs prepared (store_pg_stmts.h): prepared
 * first on this connection, a round trip paid once, then executed by
 * name.  A prepared statement whose result type a schema change altered
 * (another instance migrated) makes the server refuse it: the connection
 * is dropped with its statements and st->replanned set, so that the
 * caller may run it again on a new one.
 */
static PGresult *
exec_until(struct pg *st, const char *sql, int n, const Oid *types,
    const char *const *values, int64_t deadline, struct tnfs_err *err)
{
	PGconn *c = st->conn;
	PGresult *res;
	const char *name = NULL;
	int fresh = 0, ok;

	if (n > 0)
		name = pg_stmts_name(st->stmts, sql, &fresh);
	if (name != NULL && fresh) {
		if (!PQsendPrepare(c, name, sql, n, types))
			return lost_at_send(st, err);
		if ((res = await_until(st, deadline, err)) == NULL)
			return NULL;
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		pg_stmts_prepared(st->stmts, name, ok);
		if (!ok)
			return res; /* the statement itself would fail so */
		PQclear(res);
	}
	if (!(name != NULL
		    ? PQsendQueryPrepared(c, name, n, values, NULL, NULL, 0)
		    : n > 0 ? PQsendQueryParams(
				  c, sql, n, types, values, NULL, NULL, 0)
			    : PQsendQuery(c, sql)))
		return lost_at_send(st, err);
	res = await_until(st, deadline, err);
	/* "cached plan must not change result type" */
	if (res != NULL && name != NULL &&
	    PQresultStatus(res) == PGRES_FATAL_ERROR) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (state != NULL && strcmp(state, "0A000") == 0) {
			st->replanned = 1;
			drop_conn(st);
		}
	}
	return res;
}

/* Connect with the deadline, then set the session's own deadlines. */
static int
connect_db(struct pg *st, struct tnfs_err *err)
{
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
	int64_t deadline = tnfs_mono_ms() + (int64_t)st->connect_timeout_s * 1000;
	char set[256];
	PGresult *res;
	PGconn *c;
	int w;

	drop_conn(st);
	/*
	 * Asynchronous, so the deadline holds whatever the server does; the
	 * host name is still resolved synchronously by libpq (give hostaddr
	 * to avoid even that).
	 */
	c = PQconnectStartParams((const char *const *)st->keys,
	    (const char *const *)st->vals, 0);
	if (c == NULL || PQstatus(c) == CONNECTION_BAD) {
		conn_err(st, c, TNFS_E_UNAVAILABLE, "cannot connect", err);
		PQfinish(c);
		return -1;
	}
	while (ps != PGRES_POLLING_OK) {
		if (ps == PGRES_POLLING_FAILED) {
			conn_err(st, c, TNFS_E_UNAVAILABLE, "cannot connect",
			    err);
			PQfinish(c);
			return -1;
		}
		w = wait_fd(PQsocket(c),
		    ps == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
		if (w <= 0) {
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "store: postgresql (%s): cannot connect within "
			    "%d s",
			    st->where, st->connect_timeout_s);
			PQfinish(c);
			return -1;
		}
		ps = PQconnectPoll(c);
	}
	if (PQsetnonblocking(c, 1) == -1) {
		conn_err(st, c, TNFS_E_UNAVAILABLE, "cannot connect", err);
		PQfinish(c);
		return -1;
	}
	st->conn = c;
	snprintf(set, sizeof(set),
	    "SET statement_timeout = %d; SET lock_timeout = %d;"
	    " SET idle_in_transaction_session_timeout = %d;"
	    " SET client_min_messages = warning",
	    st->statement_timeout_ms, LOCK_TIMEOUT_MS,
	    2 * st->statement_timeout_ms);
	res = exec_until(st, set, 0, NULL, NULL, deadline, err);
	if (res == NULL)
		return -1;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char msg[512];

		scrubbed(st, PQresultErrorMessage(res), msg, sizeof(msg));
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "store: postgresql (%s): session settings: %s", st->where,
		    msg);
		PQclear(res);
		drop_conn(st);
		return -1;
	}
	PQclear(res);
	return 0;
}

static int
sqlstate_is(const PGresult *res, const char *state)
{
	const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return s != NULL && strcmp(s, state) == 0;
}

/* A failed statement's result as an error of its kind. */
static void
result_err(struct pg *st, const PGresult *res, const char *what,
    struct tnfs_err *err)
{
	enum tnfs_ecode code = TNFS_E_INTERNAL;
	char msg[512];

	scrubbed(st, PQresultErrorMessage(res), msg, sizeof(msg));
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		memmove(msg, msg + 8, strlen(msg + 8) + 1);
	if (sqlstate_is(res, "40001") || sqlstate_is(res, "40P01"))
		code = TNFS_E_UNAVAILABLE; /* the request may be retried */
	else if (sqlstate_is(res, "57014") || sqlstate_is(res, "55P03"))
		code = TNFS_E_TIMEOUT; /* statement or lock timeout */
	else if (st->replanned)
		code = TNFS_E_UNAVAILABLE; /* exec_until: run it anew */
	else if (sqlstate_is(res, "57P01") || sqlstate_is(res, "57P02") ||
		 sqlstate_is(res, "57P03") || sqlstate_is(res, "25006"))
		code = TNFS_E_UNAVAILABLE; /* shutting down, read-only */
	tnfs_err_set(err, code, "store: %s: %s", what, msg);
	st->replanned = 0;
}

static PGresult *
query(struct pg *st, const char *sql, const struct arg *a, size_t n,
    const char *what, int *conflict, int retry, struct tnfs_err *err)
{
	char numbuf[32][24], **nums = NULL;
	const char *vals_small[32], **vals = vals_small;
	Oid types_small[32], *types = types_small;
	PGresult *res = NULL;
	int attempt;
	size_t i;

	if (conflict != NULL)
		*conflict = 0;
	if (n > 32) {
		vals = calloc(n, sizeof(*vals));
		types = calloc(n, sizeof(*types));
		nums = calloc(n, sizeof(*nums));
		for (i = 0; nums != NULL && i < n; i++)
			if ((nums[i] = malloc(24)) == NULL)
				break;
		if (vals == NULL || types == NULL || nums == NULL || i < n) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (a[i].is_int) {
			char *buf = nums != NULL ? nums[i] : numbuf[i];

			snprintf(buf, 24, "%lld", (long long)a[i].num);
			vals[i] = buf;
			types[i] = 20; /* int8 */
		} else {
			vals[i] = a[i].text;
			types[i] = 25; /* text */
		}
	}
	for (attempt = 0;; attempt++) {
		if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
			/* A transaction does not survive its connection. */
			if (st->depth > 0) {
				tnfs_err_set(err, TNFS_E_UNAVAILABLE,
				    "store: postgresql (%s): %s: the "
				    "connection was lost in a transaction",
				    st->where, what);
				goto out;
			}
			if (connect_db(st, err) == -1)
				goto out;
		}
		res = exec_until(st, sql, (int)n, types, vals,
		    tnfs_mono_ms() + st->statement_timeout_ms + DEADLINE_SLACK_MS,
		    err);
		if (res == NULL) {
			tnfs_err_prefix(err, "%s", what);
			goto out;
		}
		if (PQresultStatus(res) == PGRES_TUPLES_OK ||
		    PQresultStatus(res) == PGRES_COMMAND_OK)
			goto out;
		/*
		 * Outside a transaction the statement was its own
		 * transaction: rolled back whole, it can run again.
		 */
		if (retry && st->depth == 0 && attempt < MAX_RETRIES &&
		    (sqlstate_is(res, "40001") || sqlstate_is(res, "40P01") ||
			st->replanned)) {
			struct timespec ts = {0, (long)(5 + rand() % 20) *
						     (1L << attempt) * 1000000L};

			st->replanned = 0;
			PQclear(res);
			res = NULL;
			nanosleep(&ts, NULL);
			continue;
		}
		if (conflict != NULL && sqlstate_is(res, "23505"))
			*conflict = 1;
		result_err(st, res, what, err);
		PQclear(res);
		res = NULL;
		goto out;
	}
out:
	if (res == NULL && st->depth > 0)
		st->tx_failed = 1;
	if (vals != vals_small) {
		for (i = 0; nums != NULL && i < n; i++)
			free(nums[i]);
		free(nums);
		free(vals);
		free(types);
	}
	return res;
}

PGresult *
pg_query(struct pg *st, const char *sql, const struct arg *a, size_t n,
    const char *what, int *conflict, struct tnfs_err *err)
{
	return query(st, sql, a, n, what, conflict, 1, err);
}

int
pg_run(void *db, const char *sql, const struct arg *a, size_t n,
    const char *what, struct tnfs_err *err)
{
	struct pg *st = db;
	PGresult *res;
	int conflict = 0, r = -1;

	pg_lock(st);
	if ((res = pg_query(st, sql, a, n, what, &conflict, err)) != NULL)
		r = atoi(PQcmdTuples(res));
	else if (conflict)
		r = CONFLICT;
	PQclear(res);
	pg_unlock(st);
	return r;
}

int64_t
pg_int(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? 0 : strtoll(PQgetvalue(res, r, c), NULL, 10);
}

/* Run sql (no rows wanted) with the lock held; -1 with err. */
static int
exec_sql(struct pg *st, const char *sql, const char *what, int retry,
    struct tnfs_err *err)
{
	PGresult *res = query(st, sql, NULL, 0, what, NULL, retry, err);

	PQclear(res);
	return res == NULL ? -1 : 0;
}

/*
 * Migrate to version, one migration per transaction, each under a
 * transaction-scoped advisory lock: instances starting at once take
 * turns, and each re-reads the version under the lock, so every
 * migration runs once.  A crash mid-migration rolls it back whole (DDL
 * is transactional here) and releases the lock with the session.
 */
static int
migrate(struct pg *st, int version, struct tnfs_err *err)
{
	char sql[128];
	PGresult *res;
	int have;

	for (;;) {
		if (exec_sql(st, "BEGIN", "migrate", 1, err) == -1)
			return -1;
		st->depth++; /* a lost connection must not retry inside */
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)",
		    (long long)MIGRATION_LOCK);
		if (exec_sql(st, sql, "migration lock", 0, err) == -1 ||
		    exec_sql(st,
			"CREATE TABLE IF NOT EXISTS tnfs_schema (id integer"
			" PRIMARY KEY CHECK (id = 1), version integer NOT "
			"NULL);"
			"INSERT INTO tnfs_schema VALUES (1, 0)"
			" ON CONFLICT (id) DO NOTHING",
			"schema version", 0, err) == -1)
			goto fail;
		res = query(st, "SELECT version FROM tnfs_schema", NULL, 0,
		    "schema version", NULL, 0, err);
		if (res == NULL)
			goto fail;
		have = (int)pg_int(res, 0, 0);
		PQclear(res);
		if (have > NMIGRATIONS) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "store: schema version %d is newer than this "
			    "program (%d): refusing to touch it",
			    have, NMIGRATIONS);
			goto fail;
		}
		if (have >= version) {
			st->depth--;
			return exec_sql(st, "COMMIT", "migrate", 0, err);
		}
		snprintf(sql, sizeof(sql),
		    "UPDATE tnfs_schema SET version = %d", have + 1);
		if (exec_sql(st, store_pg_migrations[have], "migrate", 0, err) == -1 ||
		    exec_sql(st, sql, "migrate", 0, err) == -1) {
			tnfs_err_prefix(err, "migration to schema %d", have + 1);
			goto fail;
		}
		st->depth--;
		if (exec_sql(st, "COMMIT", "migrate", 0, err) == -1)
			return -1;
	}
fail:
	st->depth--;
	if (st->conn != NULL)
		exec_sql(st, "ROLLBACK", "migrate", 0, NULL);
	return -1;
}

static void pg_close(void *impl);

void *
pg_open_version(const char *conninfo, int version, struct tnfs_err *err)
{
	struct pg *st;
	pthread_mutexattr_t ma;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	st->base.ops = &pg_sql_ops;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&st->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	st->statement_timeout_ms = STATEMENT_TIMEOUT_MS;
	if ((st->stmts = pg_stmts_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	if (pg_conninfo_parse(st, conninfo, err) == -1)
		goto fail;
	pg_lock(st);
	if (connect_db(st, err) == -1 || migrate(st, version, err) == -1) {
		pg_unlock(st);
		goto fail;
	}
	pg_unlock(st);
	return st;
fail:
	pg_close(st);
	return NULL;
}

static void *
pg_open(const char *conninfo, struct tnfs_err *err)
{
	return pg_open_version(conninfo, NMIGRATIONS, err);
}

static void
pg_close(void *impl)
{
	struct pg *st = impl;
	size_t i;

	if (st == NULL)
		return;
	drop_conn(st);
	pg_stmts_free(st->stmts);
	for (i = 0; st->keys != NULL && st->keys[i] != NULL; i++) {
		free(st->keys[i]);
		free(st->vals[i]);
	}
	free(st->keys);
	free(st->vals);
	if (st->password != NULL) {
		memset(st->password, 0, strlen(st->password));
		free(st->password);
	}
	pthread_mutex_destroy(&st->mu);
	free(st);
}

int
pg_tx_begin(void *impl, struct tnfs_err *err)
{
	struct pg *st = impl;

	pg_lock(st);
	if (st->depth == 0) {
		if (exec_sql(st, "BEGIN", "begin", 1, err) == -1) {
			pg_unlock(st);
			return -1;
		}
		st->tx_failed = 0;
	}
	st->depth++;
	return 0;
}

int
pg_tx_commit(void *impl, struct tnfs_err *err)
{
	struct pg *st = impl;
	int rc = 0;

	if (--st->depth == 0) {
		if (st->tx_failed) {
			if (st->conn != NULL)
				exec_sql(st, "ROLLBACK", "rollback", 0, NULL);
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "store: transaction rolled back");
			rc = -1;
		} else if (exec_sql(st, "COMMIT", "commit", 0, err) == -1) {
			/* Never retried: it may have committed. */
			if (st->conn != NULL)
				exec_sql(st, "ROLLBACK", "rollback", 0, NULL);
			rc = -1;
		}
	}
	pg_unlock(st);
	return rc;
}

void
pg_tx_rollback(void *impl)
{
	struct pg *st = impl;

	if (--st->depth == 0) {
		if (st->conn != NULL)
			exec_sql(st, "ROLLBACK", "rollback", 0, NULL);
	} else {
		st->tx_failed = 1;
	}
	pg_unlock(st);
}

/* The database answers, and its schema is the one this program knows. */
static int
pg_check(void *impl, struct tnfs_err *err)
{
	int64_t v;

	if (sql_int_of(impl, "SELECT version FROM tnfs_schema", NULL, 0, "check",
		&v, err) == -1)
		return -1;
	if (v != NMIGRATIONS) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "store: schema version %lld, this program knows %d",
		    (long long)v, NMIGRATIONS);
		return -1;
	}
	return 0;
}

const struct store_ops store_pg_ops = {
    .kind = "postgresql",
    .arg_name = "CONNINFO",
    .open = pg_open,
    .close = pg_close,
    .tx_begin = pg_tx_begin,
    .tx_commit = pg_tx_commit,
    .tx_rollback = pg_tx_rollback,
    STORE_SQL_OPS,
    .check = pg_check,
    .shared = 1,
    .exports_bump = pg_exports_bump,
    .exports_changes = pg_exports_changes,
    .exports_served = pg_exports_served,
    .exports_state = pg_exports_state,
};
