/*
 * vapi_store_pg_cases.h: the "postgresql" case of test_vapi_store.c (only
 * included there): the common tests on a fresh schema of the database
 * TNFS_TEST_PG_CONNINFO names, and what only this store has: versioned
 * migrations (an upgrade from the previous schema, a newer schema
 * refused, stores opening at once on an empty database), two stores
 * sharing one database, deadlines, lost connections, and no password in
 * any message.
 */
#ifdef TNFS_HAVE_POSTGRESQL

#include <netinet/in.h>
#include <sys/socket.h>

#include <libpq-fe.h>

#include "store_impl.h"
#include "store_pg.h"

static const char *pg_conninfo;

/* Run sql on a connection of the test's own; its first value or "". */
static char *
pg_value(const char *sql)
{
	PGconn *c = PQconnectdb(pg_conninfo);
	PGresult *r;
	char *v;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK ||
		PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", sql, PQresultErrorMessage(r));
	v = strdup(PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
	return v;
}

static void
pg_is(const char *sql, const char *want)
{
	char *got = pg_value(sql);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", sql, got,
	    want);
	free(got);
}

static void
pg_setup(void)
{
	free(pg_value("DROP SCHEMA IF EXISTS public CASCADE;"
		      " CREATE SCHEMA public"));
	snprintf(spec, sizeof(spec), "postgresql:%s", pg_conninfo);
}

static void
pg_teardown(void)
{
}

/* A database the previous program made, with records, is upgraded. */
START_TEST(test_pg_upgrade_from_previous_schema)
{
	struct tnfs_err err;
	struct volume *v = mkvol(U(1), OWNER, "old"), *got = NULL;
	struct host h = {.created_ms = 1, .heartbeat_ms = 2};
	struct store *st;
	void *impl;
	char want[16];

	impl = pg_open_version(pg_conninfo, store_pg_schema_version - 1, &err);
	ck_assert_msg(impl != NULL, "%s", err.msg);
	ck_assert_int_eq(store_pg_ops.volume_insert(impl, v, &err), 0);
	ck_assert_int_eq(
	    store_pg_ops.ref_put(impl, U(1), VM1, OWNER, 5000, &err), 0);
	store_pg_ops.close(impl);
	volume_free(v);
	snprintf(want, sizeof(want), "%d", store_pg_schema_version - 1);
	pg_is("SELECT version FROM tnfs_schema", want);
	/* Schema 5 adds the index of paged lists. */
	pg_is("SELECT coalesce(to_regclass('volumes_owner_uuid')::text, "
	      "'none')",
	    "none");

	st = store_open(spec, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	snprintf(want, sizeof(want), "%d", store_pg_schema_version);
	pg_is("SELECT version FROM tnfs_schema", want);
	pg_is("SELECT coalesce(to_regclass('volumes_owner_uuid')::text, "
	      "'none')",
	    "volumes_owner_uuid");
	ck_assert_int_eq(store_check(st, &err), 0);
	ck_assert_int_eq(store_volume_get(st, U(1), &got, &err), 0);
	ck_assert_str_eq(got->name, "old");
	ck_assert_uint_eq(got->nrefs, 1);
	volume_free(got);
	snprintf(h.uuid, sizeof(h.uuid), VM1);
	snprintf(h.owner_uuid, sizeof(h.owner_uuid), OWNER);
	ck_assert_int_eq(store_host_put(st, &h, 10, NULL, &err), 0);
	/* The old volume takes a claim: the new column is there. */
	put_instance(st, INST_A, 5000);
	ck_assert_int_eq(store_volume_claim(st, U(1), INST_A, 0, &err), 1);
	store_close(st);
}
END_TEST

/* A schema newer than the program is left alone. */
START_TEST(test_pg_newer_schema_refused)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);

	ck_assert_msg(st != NULL, "%s", err.msg);
	store_close(st);
	free(pg_value("UPDATE tnfs_schema SET version = 99"));
	ck_assert_ptr_null(store_open(spec, &err));
	ck_assert_msg(strstr(err.msg, "newer than this program") != NULL, "%s",
	    err.msg);
	pg_is("SELECT version FROM tnfs_schema", "99");
}
END_TEST

#define NOPENERS 6
static pthread_barrier_t open_barrier;

static void *
open_at_once(void *arg)
{
	struct tnfs_err *err = arg;
	struct store *st;

	pthread_barrier_wait(&open_barrier);
	if ((st = store_open(spec, err)) == NULL)
		return NULL;
	if (store_meta_set(st, "opened", "yes", err) == -1) {
		store_close(st);
		return NULL;
	}
	store_close(st);
	return arg;
}

/* Stores opening at once on an empty database: each migration once. */
START_TEST(test_pg_concurrent_open)
{
	pthread_t t[NOPENERS];
	struct tnfs_err errs[NOPENERS];
	void *r;
	char want[16];
	int i;

	pthread_barrier_init(&open_barrier, NULL, NOPENERS);
	for (i = 0; i < NOPENERS; i++)
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, open_at_once, &errs[i]), 0);
	for (i = 0; i < NOPENERS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &r), 0);
		ck_assert_msg(r != NULL, "opener %d: %s", i, errs[i].msg);
	}
	pthread_barrier_destroy(&open_barrier);
	snprintf(want, sizeof(want), "%d", store_pg_schema_version);
	pg_is("SELECT version FROM tnfs_schema", want);
	pg_is("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
	    "10");
	pg_is("SELECT count(*) FROM pg_indexes WHERE indexname ="
	      " 'volumes_owner_name'",
	    "1");
}
END_TEST

/* Two stores on one database: the database decides, for both. */
START_TEST(test_pg_two_stores_share_rules)
{
	struct tnfs_err err;
	struct store *a = store_open(spec, &err), *b;
	struct volume **vs = NULL;
	size_t n = 0;

	ck_assert_msg(a != NULL, "%s", err.msg);
	b = store_open(spec, &err);
	ck_assert_msg(b != NULL, "%s", err.msg);
	ck_assert_int_eq(insert(a, U(1), OWNER, "wp", &err), 0);
	ck_assert_int_eq(insert(b, U(2), OWNER, "wp", &err), -1);
	ck_assert_str_eq(err.code, "VolumeAlreadyExists");
	ck_assert_int_eq(store_volume_list(b, NULL, &vs, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	volume_list_free(vs, n);
	/* A transaction b rolls back leaves nothing a can see. */
	ck_assert_int_eq(store_tx_begin(b, &err), 0);
	ck_assert_int_eq(insert(b, U(3), OWNER, "tmp", &err), 0);
	store_tx_rollback(b);
	ck_assert_int_eq(store_volume_list(a, NULL, &vs, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	volume_list_free(vs, n);
	store_close(a);
	store_close(b);
}
END_TEST

/*
 * The exported-set generation: two stores bumping get distinct values;
 * a head's served record, with or without a failure, never moves back.
 */
START_TEST(test_pg_exports_generation)
{
	struct tnfs_err err;
	struct store *a = store_open(spec, &err), *b;
	int64_t g1, g2, gen, served;
	char why[64];

	ck_assert_msg(a != NULL, "%s", err.msg);
	b = store_open(spec, &err);
	ck_assert_msg(b != NULL, "%s", err.msg);
	ck_assert_int_eq(store_exports_state(a, "exports:h:a:1", &gen, &served,
			     why, sizeof(why), &err),
	    0);
	ck_assert_int_eq(gen, 0);
	ck_assert_int_eq(served, 0);
	ck_assert_int_eq(store_exports_bump(a, NULL, &g1, &err), 0);
	ck_assert_int_eq(store_exports_bump(b, NULL, &g2, &err), 0);
	ck_assert_int_eq(g1, 1);
	ck_assert_int_eq(g2, 2);
	ck_assert_int_eq(
	    store_exports_served(b, "exports:h:a:1", 2, "reload refused", &err),
	    0);
	ck_assert_int_eq(store_exports_state(a, "exports:h:a:1", &gen, &served,
			     why, sizeof(why), &err),
	    0);
	ck_assert_int_eq(gen, 2);
	ck_assert_int_eq(served, 2);
	ck_assert_str_eq(why, "reload refused");
	/* A late writer of an older generation changes nothing. */
	ck_assert_int_eq(
	    store_exports_served(a, "exports:h:a:1", 1, NULL, &err), 0);
	ck_assert_int_eq(store_exports_state(b, "exports:h:a:1", &gen, &served,
			     why, sizeof(why), &err),
	    0);
	ck_assert_int_eq(served, 2);
	ck_assert_str_eq(why, "reload refused");
	ck_assert_int_eq(
	    store_exports_served(a, "exports:h:a:1", 2, NULL, &err), 0);
	ck_assert_int_eq(store_exports_state(b, "exports:h:a:1", &gen, &served,
			     why, sizeof(why), &err),
	    0);
	ck_assert_int_eq(served, 2);
	ck_assert_str_eq(why, "");
	/* Another head has a record of its own. */
	ck_assert_int_eq(store_exports_state(b, "exports:h:b:1", &gen, &served,
			     why, sizeof(why), &err),
	    0);
	ck_assert_int_eq(served, 0);
	store_close(a);
	store_close(b);
}
END_TEST

/*
 * Each bump names its volume, and a head reads the names of the bumps
 * after its last sync: in order, from every instance; "all" when a bump
 * named none, when rows are missing, or when there are more than asked.
 */
START_TEST(test_pg_exports_changes)
{
	static const char *const u1 = "11111111-0000-4000-8000-000000000001";
	static const char *const u2 = "11111111-0000-4000-8000-000000000002";
	char(*uu)[TNFS_UUID_BUFSZ] = NULL;
	struct tnfs_err err;
	struct store *a = store_open(spec, &err), *b;
	int64_t g0, g1, g2, g3, g;
	size_t n, i;
	int all;

	ck_assert_msg(a != NULL, "%s", err.msg);
	b = store_open(spec, &err);
	ck_assert_msg(b != NULL, "%s", err.msg);
	ck_assert_int_eq(store_exports_bump(a, NULL, &g0, &err), 0);
	ck_assert_int_eq(store_exports_bump(a, u1, &g1, &err), 0);
	ck_assert_int_eq(store_exports_bump(b, u2, &g2, &err), 0);
	ck_assert_int_eq(store_exports_bump(a, u1, &g3, &err), 0);
	ck_assert_int_eq(g1, g0 + 1);
	ck_assert_int_eq(g3, g0 + 3);
	ck_assert_int_eq(
	    store_exports_changes(b, g0, g3, 100, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(uu[0], u1);
	ck_assert_str_eq(uu[1], u2);
	ck_assert_str_eq(uu[2], u1);
	free(uu);
	/* Only those after: g1 excluded. */
	ck_assert_int_eq(
	    store_exports_changes(a, g1, g2, 100, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(uu[0], u2);
	free(uu);
	/* A bump for any volume among them. */
	ck_assert_int_eq(
	    store_exports_changes(a, g0 - 1, g3, 100, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 1);
	ck_assert_ptr_null(uu);
	/* More than the caller takes; none at all; backwards. */
	ck_assert_int_eq(
	    store_exports_changes(a, g0, g3, 2, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 1);
	ck_assert_int_eq(
	    store_exports_changes(a, g3, g3, 100, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 1);
	ck_assert_int_eq(
	    store_exports_changes(a, g3, g0, 100, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 1);
	/* Rows gone (another version bumped, or they were dropped). */
	ck_assert_int_eq(store_meta_delete(a,
			     "exports-change:00000000000000000000", &err),
	    0);
	{
		char key[64];

		snprintf(key, sizeof(key), "exports-change:%020lld",
		    (long long)g2);
		ck_assert_int_eq(store_meta_delete(a, key, &err), 0);
	}
	ck_assert_int_eq(
	    store_exports_changes(a, g0, g3, 100, &uu, &n, &all, &err), 0);
	ck_assert_int_eq(all, 1);
	ck_assert_ptr_null(uu);
	/* The store keeps the last STORE_EXPORTS_CHANGES_KEPT rows only. */
	for (i = 0; i < STORE_EXPORTS_CHANGES_KEPT + 10; i++)
		ck_assert_int_eq(store_exports_bump(a, u2, &g, &err), 0);
	ck_assert_int_eq(store_exports_changes(a,
			     g - STORE_EXPORTS_CHANGES_KEPT, g, 100000, &uu,
			     &n, &all, &err),
	    0);
	ck_assert_int_eq(all, 0);
	ck_assert_uint_eq(n, STORE_EXPORTS_CHANGES_KEPT);
	free(uu);
	{
		struct meta_entry *es = NULL;
		size_t ne = 0;

		ck_assert_int_eq(
		    store_meta_list(a, "exports-change:", &es, &ne, &err), 0);
		ck_assert_uint_eq(ne, STORE_EXPORTS_CHANGES_KEPT);
		meta_list_free(es, ne);
	}
	store_close(a);
	store_close(b);
}
END_TEST

static struct store *lock_b;
static volatile int lock_committed;

static void *
get_in_tx(void *arg)
{
	struct tnfs_err *err = arg;
	struct volume *v = NULL;
	int seen;

	if (store_tx_begin(lock_b, err) == -1)
		return NULL;
	if (store_volume_get(lock_b, U(1), &v, err) == -1) {
		store_tx_rollback(lock_b);
		return NULL;
	}
	seen = lock_committed;
	volume_free(v);
	store_tx_rollback(lock_b);
	return seen ? arg : NULL;
}

/*
 * A volume read in a transaction stays as read until it commits: another
 * store's transaction reading it waits (the decision "no reference, so
 * delete" and "not deleting, so reference" never interleave).
 */
START_TEST(test_pg_tx_locks_the_volume)
{
	struct tnfs_err err, terr;
	struct store *a = store_open(spec, &err);
	struct volume *v = NULL;
	pthread_t t;
	void *r;

	ck_assert_msg(a != NULL, "%s", err.msg);
	lock_b = store_open(spec, &err);
	ck_assert_msg(lock_b != NULL, "%s", err.msg);
	ck_assert_int_eq(insert(a, U(1), OWNER, "wp", &err), 0);
	lock_committed = 0;
	ck_assert_int_eq(store_tx_begin(a, &err), 0);
	ck_assert_int_eq(store_volume_get(a, U(1), &v, &err), 0);
	volume_free(v);
	ck_assert_int_eq(pthread_create(&t, NULL, get_in_tx, &terr), 0);
	/* Give b the chance to read too early: it must wait instead. */
	usleep(300000);
	ck_assert_int_eq(
	    store_volume_set_state(a, U(1), NULL, "deleting", NULL, &err), 1);
	lock_committed = 1;
	ck_assert_int_eq(store_tx_commit(a, &err), 0);
	ck_assert_int_eq(pthread_join(t, &r), 0);
	ck_assert_msg(r != NULL, "b read the volume before a committed: %s",
	    terr.msg);
	store_close(lock_b);
	store_close(a);
}
END_TEST

/* The server ends our session: the next call connects again. */
START_TEST(test_pg_reconnects)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct volume *v = NULL;
	int rc;

	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	free(pg_value("SELECT pg_terminate_backend(pid) FROM"
		      " pg_stat_activity WHERE application_name ="
		      " 'tritonnfs-vapi'"));
	rc = store_volume_get(st, U(1), &v, &err);
	if (rc == -1) {
		/* The call that found the connection gone says so... */
		ck_assert_str_eq(err.code, "ServiceUnavailable");
		ck_assert_msg(strstr(err.msg, "password") == NULL, "%s",
		    err.msg);
		/* ...and the next one works. */
		ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	}
	volume_free(v);
	/* A transaction does not survive its connection. */
	ck_assert_int_eq(store_tx_begin(st, &err), 0);
	ck_assert_int_eq(insert(st, U(2), OWNER, "lost", &err), 0);
	free(pg_value("SELECT pg_terminate_backend(pid) FROM"
		      " pg_stat_activity WHERE application_name ="
		      " 'tritonnfs-vapi'"));
	ck_assert_int_eq(insert(st, U(3), OWNER, "lost2", &err), -1);
	ck_assert_str_eq(err.code, "ServiceUnavailable");
	store_tx_rollback(st);
	ck_assert_int_eq(store_volume_get(st, U(2), &v, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotFound");
	ck_assert_int_eq(insert(st, U(2), OWNER, "again", &err), 0);
	store_close(st);
}
END_TEST

/*
 * Statements run prepared on their connection (store_pg_stmts.h).  A
 * schema change by another instance that alters what a prepared statement
 * returns makes the server refuse it ("cached plan must not change result
 * type"): outside a transaction the store runs it again on a new
 * connection, and the caller sees nothing.
 */
START_TEST(test_pg_prepared_outlive_schema_change)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct volume *v = NULL;
	int i;

	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(store_volume_get(st, U(1), &v, &err) == 0, "%s",
		    err.msg);
		ck_assert_str_eq(v->name, "wp");
		volume_free(v);
		v = NULL;
	}
	free(pg_value("ALTER TABLE volumes ALTER COLUMN nfs_port TYPE bigint"));
	ck_assert_msg(store_volume_get(st, U(1), &v, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(v->name, "wp");
	volume_free(v);
	v = NULL;
	/* And again, on the new connection. */
	ck_assert_msg(store_volume_get(st, U(1), &v, &err) == 0, "%s", err.msg);
	volume_free(v);
	store_close(st);
}
END_TEST

/*
 * A server that accepts the connection and never answers: the open fails
 * by itself at connect_timeout instead of hanging (the case's timeout
 * would fail the test).
 */
START_TEST(test_pg_connect_deadline)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct tnfs_err err;
	socklen_t len = sizeof(sa);
	char s[256];
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(s, sizeof(s),
	    "postgresql:host=127.0.0.1 port=%d dbname=x user=u"
	    " password=BlackHoleSecret connect_timeout=2",
	    ntohs(sa.sin_port));
	ck_assert_ptr_null(store_open(s, &err));
	ck_assert_str_eq(err.code, "ServiceUnavailable");
	ck_assert_msg(strstr(err.msg, "within 2 s") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "BlackHoleSecret") == NULL, "%s",
	    err.msg);
	close(fd);
}
END_TEST

/* Neither a refused password nor a malformed string shows the secret. */
START_TEST(test_pg_password_never_shown)
{
	static const char *const shown[][2] = {
	    {"postgresql:host=/x password=S3cr3t dbname=d", "S3cr3t"},
	    {"postgresql:host=/x password = 'S3 cr\\'et' dbname=d", "cr"},
	    {"postgresql:postgresql://u:S3cr3t@db.example/vapi", "S3cr3t"},
	    {"postgresql:postgresql://u@h/v?password=S3cr3t&x=1", "S3cr3t"},
	    {"sqlite:/var/db/password=1/v.db", "password=1/"},
	};
	struct tnfs_err err;
	char s[2300], out[512];
	const char *pw;
	size_t i;

	/* The right server, the wrong password. */
	pw = strstr(pg_conninfo, "password=");
	ck_assert_ptr_nonnull(pw);
	snprintf(s, sizeof(s), "postgresql:%.*spassword=WrongPw0rd%s",
	    (int)(pw - pg_conninfo), pg_conninfo,
	    pw + strcspn(pw, " "));
	ck_assert_ptr_null(store_open(s, &err));
	ck_assert_str_eq(err.code, "ServiceUnavailable");
	ck_assert_msg(strstr(err.msg, "WrongPw0rd") == NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "password authentication failed") !=
		NULL,
	    "%s", err.msg);
	/* A malformed string: libpq would quote it; we do not. */
	ck_assert_ptr_null(
	    store_open("postgresql:password=Hidden42 host", &err));
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_msg(strstr(err.msg, "Hidden42") == NULL, "%s", err.msg);
	ck_assert_ptr_null(store_open("postgresql:host=/x sslmode=sometimes "
				      "password=Hidden42",
	    &err));
	ck_assert_msg(strstr(err.msg, "Hidden42") == NULL, "%s", err.msg);
	/* What the logs show of a spec. */
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		store_spec_redact(shown[i][0], out, sizeof(out));
		if (i < 4)
			ck_assert_msg(strstr(out, shown[i][1]) == NULL &&
				strstr(out, "********") != NULL,
			    "%s -> %s", shown[i][0], out);
		else
			ck_assert_str_eq(out, shown[i][0]);
	}
}
END_TEST

static void
add_pg_case(Suite *s)
{
	TCase *tc;

	pg_conninfo = getenv("TNFS_TEST_PG_CONNINFO");
	if (pg_conninfo == NULL || pg_conninfo[0] == '\0') {
		fprintf(stderr, "SKIP: vapi_store: the postgresql case needs "
				"TNFS_TEST_PG_CONNINFO (tests/integration/"
				"store_pg.sh starts a PostgreSQL and sets it)\n");
		return;
	}
	tc = tcase_create("postgresql");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, pg_setup, pg_teardown);
	add_common(tc);
	tcase_add_test(tc, test_pg_upgrade_from_previous_schema);
	tcase_add_test(tc, test_pg_newer_schema_refused);
	tcase_add_test(tc, test_pg_concurrent_open);
	tcase_add_test(tc, test_pg_two_stores_share_rules);
	tcase_add_test(tc, test_pg_exports_generation);
	tcase_add_test(tc, test_pg_exports_changes);
	tcase_add_test(tc, test_pg_tx_locks_the_volume);
	tcase_add_test(tc, test_pg_reconnects);
	tcase_add_test(tc, test_pg_prepared_outlive_schema_change);
	tcase_add_test(tc, test_pg_connect_deadline);
	tcase_add_test(tc, test_pg_password_never_shown);
	suite_add_tcase(s, tc);
}

#else /* !TNFS_HAVE_POSTGRESQL */

static void
add_pg_case(Suite *s)
{
	(void)s;
	if (getenv("TNFS_TEST_PG_CONNINFO") != NULL &&
	    strcmp(getenv("CI") != NULL ? getenv("CI") : "", "true") == 0) {
		fprintf(stderr, "FAIL: vapi_store: built without libpq, "
				"and CI must test the postgresql store\n");
		exit(EXIT_FAILURE);
	}
	fprintf(stderr, "SKIP: vapi_store: the postgresql case: this build "
			"has no PostgreSQL store (libpq-dev was missing)\n");
}

#endif
