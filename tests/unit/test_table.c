/*
 * test_table.c: the text tables of the command lines (client/table.c):
 * layout (two-space gaps, right alignment, no trailing blanks, -H), -o
 * column choice and -s sorting, with the bad column lists users type.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "table.h"

static struct table *
sample(void)
{
	static const struct {
		const char *name, *size;
		int64_t mib;
		const char *state;
	} rows[] = {
	    {"wp-uploads", "100G", 102400, "ready"},
	    {"db", "10G", 10240, "creating"},
	    {"logs", "20G", 20480, ""},
	};
	struct tnfs_err err;
	struct table *t = table_new();
	size_t i;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(table_add_column(t, "name", TABLE_LEFT, &err), 0);
	ck_assert_int_eq(table_add_column(t, "size", TABLE_RIGHT, &err), 0);
	ck_assert_int_eq(table_add_column(t, "state", TABLE_LEFT, &err), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_int_eq(table_add_row(t, &err), 0);
		ck_assert_int_eq(table_set(t, "name", rows[i].name, &err), 0);
		ck_assert_int_eq(
		    table_set_num(t, "size", rows[i].size, rows[i].mib, &err),
		    0);
		ck_assert_int_eq(table_set(t, "state", rows[i].state, &err), 0);
	}
	return t;
}

/* The table printed, in a string the caller frees. */
static char *
render(const struct table *t, int no_header)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(table_print(t, f, no_header), 0);
	fclose(f);
	return buf;
}

START_TEST(test_layout_default)
{
	struct table *t = sample();
	char *out = render(t, 0);

	ck_assert_str_eq(out,
	    "NAME        SIZE  STATE\n"
	    "wp-uploads  100G  ready\n"
	    "db           10G  creating\n"
	    "logs         20G\n");
	free(out);
	table_free(t);
}
END_TEST

START_TEST(test_no_header_narrows)
{
	struct table *t = sample();
	char *out = render(t, 1);

	ck_assert_str_eq(out,
	    "wp-uploads  100G  ready\n"
	    "db           10G  creating\n"
	    "logs         20G\n");
	free(out);
	table_free(t);
}
END_TEST

START_TEST(test_select_and_sort_numeric)
{
	struct tnfs_err err;
	struct table *t = sample();
	char *out;

	ck_assert_int_eq(table_select(t, "size,name", &err), 0);
	ck_assert_int_eq(table_sort(t, "size", &err), 0);
	out = render(t, 0);
	/* 10G < 20G < 100G by MiB, not by letters. */
	ck_assert_str_eq(out,
	    "SIZE  NAME\n"
	    " 10G  db\n"
	    " 20G  logs\n"
	    "100G  wp-uploads\n");
	free(out);
	table_free(t);
}
END_TEST

START_TEST(test_sort_descending_text_and_hidden_column)
{
	struct tnfs_err err;
	struct table *t = sample();
	char *out;

	ck_assert_int_eq(table_select(t, "name", &err), 0);
	ck_assert_int_eq(table_sort(t, "-state,name", &err), 0);
	out = render(t, 1);
	ck_assert_str_eq(out, "wp-uploads\ndb\nlogs\n");
	free(out);
	table_free(t);
}
END_TEST

START_TEST(test_sort_is_stable)
{
	struct tnfs_err err;
	struct table *t = table_new();
	char *out;
	const char *names[] = {"c", "a", "b"};
	size_t i;

	ck_assert_int_eq(table_add_column(t, "name", TABLE_LEFT, &err), 0);
	ck_assert_int_eq(table_add_column(t, "type", TABLE_LEFT, &err), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(table_add_row(t, &err), 0);
		ck_assert_int_eq(table_set(t, "name", names[i], &err), 0);
		ck_assert_int_eq(table_set(t, "type", "tritonnfs", &err), 0);
	}
	ck_assert_int_eq(table_sort(t, "type", &err), 0);
	out = render(t, 1);
	ck_assert_str_eq(out, "c  tritonnfs\na  tritonnfs\nb  tritonnfs\n");
	free(out);
	table_free(t);
}
END_TEST

START_TEST(test_utf8_width)
{
	struct tnfs_err err;
	struct table *t = table_new();
	char *out;

	ck_assert_int_eq(table_add_column(t, "k", TABLE_LEFT, &err), 0);
	ck_assert_int_eq(table_add_column(t, "v", TABLE_LEFT, &err), 0);
	ck_assert_int_eq(table_add_row(t, &err), 0);
	ck_assert_int_eq(table_set(t, "k", "\xc3\xa9t\xc3\xa9", &err), 0);
	ck_assert_int_eq(table_set(t, "v", "x", &err), 0);
	ck_assert_int_eq(table_add_row(t, &err), 0);
	ck_assert_int_eq(table_set(t, "k", "abcd", &err), 0);
	ck_assert_int_eq(table_set(t, "v", "y", &err), 0);
	out = render(t, 1);
	ck_assert_str_eq(out, "\xc3\xa9t\xc3\xa9   x\nabcd  y\n");
	free(out);
	table_free(t);
}
END_TEST

/* Column lists users may type, good and bad. */
static const struct {
	const char *list;
	int sort; /* 1: as -s, 0: as -o */
	int ok;
} col_cases[] = {
    {"name", 0, 1}, {"name,size,state", 0, 1}, {"name,name", 0, 1},
    {"-size", 1, 1}, {"state,-name", 1, 1}, {"", 0, 0}, {"", 1, 0}, {",", 0, 0},
    {"name,", 0, 0}, {",name", 0, 0}, {"NAME", 0, 0}, {"bogus", 0, 0},
    {"-name", 0, 0}, /* no '-' in -o */
    {"-", 1, 0}, {"--name", 1, 0}, {"name size", 0, 0}, {"na\nme", 0, 0},
    {"name,size,state,name,size,state,name,size,state,name,size,state,"
     "name,size,state,name,size",
	1, 0}, /* more than 16 sort keys */
};

START_TEST(test_column_lists)
{
	struct tnfs_err err;
	struct table *t = sample();
	int rc;

	tnfs_err_clear(&err);
	if (col_cases[_i].sort)
		rc = table_sort(t, col_cases[_i].list, &err);
	else
		rc = table_select(t, col_cases[_i].list, &err);
	ck_assert_msg(rc == (col_cases[_i].ok ? 0 : -1), "case \"%s\"",
	    col_cases[_i].list);
	if (!col_cases[_i].ok) {
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_ptr_nonnull(strstr(err.msg, "column"));
	}
	table_free(t);
}
END_TEST

START_TEST(test_bad_cells)
{
	struct tnfs_err err;
	struct table *t = table_new();

	ck_assert_int_eq(table_add_column(t, "name", TABLE_LEFT, &err), 0);
	ck_assert_int_eq(table_add_column(t, "name", TABLE_LEFT, &err), -1);
	ck_assert_int_eq(table_set(t, "name", "x", &err), -1); /* no row */
	ck_assert_int_eq(table_add_row(t, &err), 0);
	ck_assert_int_eq(table_set(t, "size", "x", &err), -1);
	ck_assert_int_eq(table_add_column(t, "late", TABLE_LEFT, &err), -1);
	ck_assert_uint_eq(table_nrows(t), 1);
	table_free(t);
	table_free(NULL);
}
END_TEST

START_TEST(test_many_rows)
{
	struct tnfs_err err;
	struct table *t = table_new();
	char name[32], *out;
	int i;

	ck_assert_int_eq(table_add_column(t, "n", TABLE_RIGHT, &err), 0);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "%d", i);
		ck_assert_int_eq(table_add_row(t, &err), 0);
		ck_assert_int_eq(table_set_num(t, "n", name, i, &err), 0);
	}
	ck_assert_int_eq(table_sort(t, "-n", &err), 0);
	out = render(t, 1);
	ck_assert_int_eq(strncmp(out, "499\n498\n", 8), 0);
	free(out);
	table_free(t);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_layout_default);
	tcase_add_test(tc, test_no_header_narrows);
	tcase_add_test(tc, test_select_and_sort_numeric);
	tcase_add_test(tc, test_sort_descending_text_and_hidden_column);
	tcase_add_test(tc, test_sort_is_stable);
	tcase_add_test(tc, test_utf8_width);
	tcase_add_loop_test(
	    tc, test_column_lists, 0, sizeof(col_cases) / sizeof(col_cases[0]));
	tcase_add_test(tc, test_bad_cells);
	tcase_add_test(tc, test_many_rows);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
