/* test_token.c: token files (good, hostile, badly protected) and new tokens. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_tap.h"
#include "token.h"

static char dir[256];
static char path[512];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tnfs-test-token.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void
put(const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static const struct {
	const char *data;
	size_t len; /* 0: strlen(data) */
	const char *want; /* NULL: refused */
} cases[] = {
    {"abc123", 0, "abc123"},
    {"abc123\n", 0, "abc123"},
    {"abc123\r\n", 0, "abc123"},
    {"a-b_c.d~e/f+g=", 0, "a-b_c.d~e/f+g="},
    {"", 0, NULL},
    {"\n", 0, NULL},
    {"abc 123\n", 0, NULL},
    {"abc\n123\n", 0, NULL},
    {"abc\n\n", 0, NULL},
    {"abc\t", 0, NULL},
    {"ab\0cd", 5, NULL},
    {"t\xc3\xa9st", 0, NULL},
    {"\x1b[2J", 0, NULL},
};

START_TEST(test_read_table)
{
	char out[TNFS_TOKEN_BUFSZ];
	struct tnfs_err err;
	size_t len = cases[_i].len ? cases[_i].len : strlen(cases[_i].data);
	int r;

	put(cases[_i].data, len, 0600);
	tnfs_err_clear(&err);
	r = tnfs_token_read_file(path, out, NULL, &err);
	if (cases[_i].want != NULL) {
		ck_assert_msg(r == 0, "case %d: %s", _i, err.msg);
		ck_assert_str_eq(out, cases[_i].want);
	} else {
		ck_assert_msg(r == -1, "case %d accepted", _i);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_ptr_nonnull(strstr(err.msg, path));
	}
}
END_TEST

START_TEST(test_longest_and_too_long)
{
	char big[TNFS_TOKEN_MAX + 2], out[TNFS_TOKEN_BUFSZ];
	struct tnfs_err err;

	memset(big, 'x', sizeof(big));
	put(big, TNFS_TOKEN_MAX, 0600);
	ck_assert_int_eq(tnfs_token_read_file(path, out, NULL, &err), 0);
	ck_assert_uint_eq(strlen(out), TNFS_TOKEN_MAX);
	put(big, TNFS_TOKEN_MAX + 1, 0600);
	ck_assert_int_eq(tnfs_token_read_file(path, out, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than"));
	/* A long file is refused without being read whole. */
	put(big, sizeof(big), 0600);
	ck_assert_int_eq(tnfs_token_read_file(path, out, NULL, &err), -1);
}
END_TEST

START_TEST(test_modes)
{
	char out[TNFS_TOKEN_BUFSZ];
	struct tnfs_err err;
	int grp = -1;

	put("secret\n", 7, 0600);
	ck_assert_int_eq(tnfs_token_read_file(path, out, &grp, &err), 0);
	ck_assert_int_eq(grp, 0);
	put("secret\n", 7, 0640);
	ck_assert_int_eq(tnfs_token_read_file(path, out, &grp, &err), 0);
	ck_assert_int_eq(grp, 1);
	put("secret\n", 7, 0644);
	ck_assert_int_eq(tnfs_token_read_file(path, out, &grp, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "chmod 600"));
	ck_assert_ptr_nonnull(strstr(err.msg, "0644"));
	put("secret\n", 7, 0602);
	ck_assert_int_eq(tnfs_token_read_file(path, out, &grp, &err), -1);
}
END_TEST

START_TEST(test_not_a_file)
{
	char out[TNFS_TOKEN_BUFSZ];
	struct tnfs_err err;

	ck_assert_int_eq(tnfs_token_read_file(dir, out, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	ck_assert_int_eq(
	    tnfs_token_read_file("/nonexistent/token", out, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
	ck_assert_int_eq(tnfs_token_read_file("/dev/null", out, NULL, &err), -1);
}
END_TEST

START_TEST(test_generate)
{
	char a[2 * TNFS_TOKEN_RANDOM_BYTES + 1], b[sizeof(a)];
	struct tnfs_err err;
	size_t i;

	ck_assert_int_eq(tnfs_token_generate(a, &err), 0);
	ck_assert_int_eq(tnfs_token_generate(b, &err), 0);
	ck_assert_uint_eq(strlen(a), 64);
	for (i = 0; i < 64; i++)
		ck_assert(strchr("0123456789abcdef", a[i]) != NULL);
	ck_assert_str_ne(a, b);
	ck_assert(tnfs_token_valid(a));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(
	    tc, test_read_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_longest_and_too_long);
	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_not_a_file);
	tcase_add_test(tc, test_generate);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
