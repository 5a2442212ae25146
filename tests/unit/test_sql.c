/*
 * test_sql.c: the connection both record stores share their records
 * through (sql.h), on a real SQLite store in memory: statements in
 * PostgreSQL's words read by SQLite ($N, casts, quoted text left alone),
 * rows collected whatever their number, no row and a broken statement
 * told apart, and nothing left held after a failure.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "sql.h"
#include "store_impl.h"

static void
text_is(const char *in, const char *want)
{
	char *got = sql_sqlite_text(in);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_postgresql_words_as_sqlite_reads_them)
{
	text_is("SELECT 1", "SELECT 1");
	text_is("", "");
	text_is("WHERE a = $1 AND ($2::text IS NULL OR b = $2)",
	    "WHERE a = ?1 AND (?2 IS NULL OR b = ?2)");
	text_is("VALUES ($10, $2)", "VALUES (?10, ?2)");
	/* quoted text is data: never rewritten */
	text_is("SELECT '$1', 'a::text', $1", "SELECT '$1', 'a::text', ?1");
	text_is("SELECT 'it''s $2', $2", "SELECT 'it''s $2', ?2");
	/* what is not a parameter or a cast stays */
	text_is("SELECT $ , $x, ?3, :name", "SELECT $ , $x, ?3, :name");
	text_is("SELECT $1::", "SELECT ?1");
	text_is("$", "$");
	text_is("a::b_c::d", "a");
	/* an unterminated quote keeps the rest as it is */
	text_is("SELECT 'open $1", "SELECT 'open $1");
}
END_TEST

struct pair {
	char name[16];
	int64_t n;
};

static void
pair_row(void *db, struct sql_rows *rows, void *elem)
{
	struct pair *p = elem;

	sql_copy(db, rows, 0, p->name, sizeof(p->name));
	p->n = sql_int(db, rows, 1);
}

static void *
open_db(void)
{
	struct tnfs_err err;
	void *db = store_sqlite_ops.open(":memory:", &err);

	ck_assert_msg(db != NULL, "%s", err.msg);
	ck_assert_int_eq(
	    sql_run(db, "CREATE TABLE t (name TEXT UNIQUE, n INTEGER)", NULL, 0,
		"create", &err),
	    0);
	return db;
}

START_TEST(test_rows_listed_whatever_their_number)
{
	struct tnfs_err err;
	void *db = open_db();
	struct pair *ps = (void *)1;
	char name[16];
	size_t n = 99;
	int i;

	ck_assert_int_eq(sql_list(db, "SELECT name, n FROM t ORDER BY n", NULL,
			     0, "list", sizeof(*ps), pair_row, &ps, &n, &err),
	    0);
	ck_assert_ptr_null(ps);
	ck_assert_uint_eq(n, 0);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%04d", i);
		ck_assert_int_eq(
		    sql_run(db, "INSERT INTO t (name, n) VALUES ($1, $2)",
			ARGS(TEXT(name), INT(i)), "insert", &err),
		    1);
	}
	ck_assert_int_eq(sql_list(db,
			     "SELECT name, n FROM t WHERE n >= $1 AND"
			     " ($2::text IS NULL OR name <> $2) ORDER BY n",
			     ARGS(INT(10), TEXT(NULL)), "list", sizeof(*ps),
			     pair_row, &ps, &n, &err),
	    0);
	ck_assert_uint_eq(n, 990);
	ck_assert_str_eq(ps[0].name, "n0010");
	ck_assert_int_eq(ps[989].n, 999);
	free(ps);
	/* a second name in the same statement: $2 stands twice */
	ck_assert_int_eq(sql_list(db,
			     "SELECT name, n FROM t WHERE name = $1 OR"
			     " name = $2 OR n = length($2)",
			     ARGS(TEXT("n0001"), TEXT("n0002")), "list",
			     sizeof(*ps), pair_row, &ps, &n, &err),
	    0);
	ck_assert_uint_eq(n, 3); /* n0001, n0002 and n = 5 */
	free(ps);
	store_sqlite_ops.close(db);
}
END_TEST

START_TEST(test_one_none_and_errors_told_apart)
{
	struct tnfs_err err;
	void *db = open_db();
	struct pair p = {{0}, 0};
	struct pair *ps = (void *)1;
	int64_t v = -1;
	size_t n = 7;

	ck_assert_int_eq(sql_run(db, "INSERT INTO t VALUES ('a', 1)", NULL, 0,
			     "insert", &err),
	    1);
	ck_assert_int_eq(sql_run(db, "INSERT INTO t VALUES ('a', 2)", NULL, 0,
			     "insert", &err),
	    CONFLICT);
	ck_assert_int_eq(sql_one(db, "SELECT name, n FROM t WHERE n = $1",
			     ARGS(INT(1)), "get", pair_row, &p, &err),
	    1);
	ck_assert_str_eq(p.name, "a");
	ck_assert_int_eq(sql_one(db, "SELECT name, n FROM t WHERE n = $1",
			     ARGS(INT(5)), "get", pair_row, &p, &err),
	    0);
	ck_assert_int_eq(sql_int_of(db, "SELECT count(*) FROM t", NULL, 0,
			     "count", &v, &err),
	    0);
	ck_assert_int_eq(v, 1);
	/* a statement the database refuses: -1, its words, nothing out */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(
	    sql_list(db, "SELECT nope FROM t", NULL, 0, "list things",
		sizeof(*ps), pair_row, &ps, &n, &err),
	    -1);
	ck_assert_ptr_null(ps);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(err.code, "InternalError");
	ck_assert_ptr_nonnull(strstr(err.msg, "nope"));
	ck_assert_int_eq(
	    sql_one(db, "SELECT FROM", NULL, 0, "get", pair_row, &p, &err), -1);
	ck_assert_int_eq(sql_int_of(db, "SELECT count(*) FROM none", NULL, 0,
			     "count", &v, &err),
	    -1);
	ck_assert_int_eq(v, 0);
	/* the lock was let go each time: a transaction still begins */
	ck_assert_int_eq(sql_tx_begin(db, &err), 0);
	ck_assert_int_eq(sql_turn(db, SQL_TURN_VOLUME, "x", &err), 0);
	ck_assert_int_eq(sql_moved(sql_run(db, "DELETE FROM t WHERE n = $1",
			     ARGS(INT(1)), "delete", &err)),
	    1);
	sql_tx_rollback(db);
	ck_assert_int_eq(sql_int_of(db, "SELECT count(*) FROM t", NULL, 0,
			     "count", &v, &err),
	    0);
	ck_assert_int_eq(v, 1);
	store_sqlite_ops.close(db);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sql");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_postgresql_words_as_sqlite_reads_them);
	tcase_add_test(tc, test_rows_listed_whatever_their_number);
	tcase_add_test(tc, test_one_none_and_errors_told_apart);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
