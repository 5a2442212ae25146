/*
 * test_store_pg_stmts.c: the PostgreSQL store's prepared statements of
 * one connection: one stable name per statement text, prepared once and
 * again only when the server refused it, forgotten with the connection,
 * and at most PG_STMTS_MAX of them, however many shapes come.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "store_pg_stmts.h"

START_TEST(test_one_name_per_text)
{
	struct pg_stmts *s = pg_stmts_new();
	const char *a, *b, *a2;
	char na[16];
	int fresh;

	ck_assert_ptr_nonnull(s);
	a = pg_stmts_name(s, "SELECT $1::int", &fresh);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(fresh, 1);
	snprintf(na, sizeof(na), "%s", a);
	pg_stmts_prepared(s, a, 1);
	b = pg_stmts_name(s, "SELECT $1::text", &fresh);
	ck_assert_int_eq(fresh, 1);
	ck_assert_str_ne(na, b);
	pg_stmts_prepared(s, b, 1);
	a2 = pg_stmts_name(s, "SELECT $1::int", &fresh);
	ck_assert_str_eq(a2, na);
	ck_assert_int_eq(fresh, 0);
	/* The same text in another buffer is the same statement. */
	{
		char copy[] = "SELECT $1::int";

		ck_assert_str_eq(pg_stmts_name(s, copy, &fresh), na);
		ck_assert_int_eq(fresh, 0);
	}
	pg_stmts_free(s);
}
END_TEST

START_TEST(test_refused_then_again)
{
	struct pg_stmts *s = pg_stmts_new();
	const char *a;
	int fresh;

	a = pg_stmts_name(s, "UPDATE t SET x = $1", &fresh);
	ck_assert_int_eq(fresh, 1);
	/* Refused (a failing transaction): prepared again next time. */
	pg_stmts_prepared(s, a, 0);
	ck_assert_str_eq(pg_stmts_name(s, "UPDATE t SET x = $1", &fresh), a);
	ck_assert_int_eq(fresh, 1);
	pg_stmts_prepared(s, a, 1);
	pg_stmts_name(s, "UPDATE t SET x = $1", &fresh);
	ck_assert_int_eq(fresh, 0);
	/* Names that are not the set's change nothing. */
	pg_stmts_prepared(s, "tnfs_99999", 0);
	pg_stmts_prepared(s, "other", 0);
	pg_stmts_prepared(s, "tnfs_", 0);
	pg_stmts_prepared(s, NULL, 0);
	pg_stmts_name(s, "UPDATE t SET x = $1", &fresh);
	ck_assert_int_eq(fresh, 0);
	pg_stmts_free(s);
}
END_TEST

START_TEST(test_reset_forgets)
{
	struct pg_stmts *s = pg_stmts_new();
	const char *a;
	int fresh;

	a = pg_stmts_name(s, "SELECT 1 WHERE $1", &fresh);
	pg_stmts_prepared(s, a, 1);
	pg_stmts_reset(s);
	pg_stmts_name(s, "SELECT 1 WHERE $1", &fresh);
	ck_assert_int_eq(fresh, 1);
	pg_stmts_free(s);
	/* A store out of memory has none: everything runs unprepared. */
	ck_assert_ptr_null(pg_stmts_name(NULL, "SELECT $1", &fresh));
	ck_assert_int_eq(fresh, 0);
	pg_stmts_reset(NULL);
	pg_stmts_free(NULL);
}
END_TEST

START_TEST(test_bounded)
{
	struct pg_stmts *s = pg_stmts_new();
	char sql[64], seen[PG_STMTS_MAX][16];
	const char *n;
	int fresh, i, j;

	for (i = 0; i < PG_STMTS_MAX; i++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM v WHERE c%d = $1", i);
		n = pg_stmts_name(s, sql, &fresh);
		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(fresh, 1);
		snprintf(seen[i], sizeof(seen[i]), "%s", n);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(seen[j], seen[i]);
		pg_stmts_prepared(s, n, 1);
	}
	/* Full: new shapes run unprepared, the known ones stay prepared. */
	for (i = 0; i < 1000; i++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM w WHERE d%d = $1", i);
		ck_assert_ptr_null(pg_stmts_name(s, sql, &fresh));
		ck_assert_int_eq(fresh, 0);
	}
	for (i = 0; i < PG_STMTS_MAX; i++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM v WHERE c%d = $1", i);
		ck_assert_str_eq(pg_stmts_name(s, sql, &fresh), seen[i]);
		ck_assert_int_eq(fresh, 0);
	}
	pg_stmts_free(s);
}
END_TEST

START_TEST(test_huge_text)
{
	struct pg_stmts *s = pg_stmts_new();
	size_t len = 1 << 20;
	char *sql = malloc(len + 1);
	const char *n;
	int fresh;

	ck_assert_ptr_nonnull(sql);
	memset(sql, 'x', len);
	sql[len] = '\0';
	n = pg_stmts_name(s, sql, &fresh);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(fresh, 1);
	sql[len - 1] = 'y'; /* differs in the last byte only */
	ck_assert_str_ne(pg_stmts_name(s, sql, &fresh), n);
	ck_assert_int_eq(fresh, 1);
	free(sql);
	pg_stmts_free(s);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("store_pg_stmts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_name_per_text);
	tcase_add_test(tc, test_refused_then_again);
	tcase_add_test(tc, test_reset_forgets);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_huge_text);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
