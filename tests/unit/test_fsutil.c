/* test_fsutil.c: atomic writes, bounded reads, mkdir -p. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_tap.h"
#include "fsutil.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tnfs-test-fsutil.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[PATH_MAX * 2];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

static int
count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

START_TEST(test_write_then_read)
{
	char path[PATH_MAX + 16], *buf;
	struct stat st;
	size_t len;
	struct tnfs_err err;

	snprintf(path, sizeof(path), "%s/state.json", dir);
	ck_assert_int_eq(
	    fsutil_write_atomic(path, "{\"a\":1}", 7, 0600, &err), 0);
	ck_assert_int_eq(fsutil_write_atomic(path, "{}", 2, 0600, &err), 0);
	ck_assert_int_eq(fsutil_read_file(path, 100, &buf, &len, &err), 0);
	ck_assert_str_eq(buf, "{}");
	ck_assert_uint_eq(len, 2);
	free(buf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* No temporary file is left beside it. */
	ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(test_failed_write_keeps_old_content)
{
	char path[PATH_MAX + 16], *buf;
	struct tnfs_err err;

	snprintf(path, sizeof(path), "%s/nodir/state.json", dir);
	ck_assert_int_eq(fsutil_write_atomic(path, "x", 1, 0600, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "temporary file"));
	/* Renaming over a directory fails; the directory stays. */
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(fsutil_write_atomic(path, "x", 1, 0600, &err), -1);
	ck_assert_int_eq(fsutil_read_file(path, 10, &buf, NULL, &err), -1);
	rmdir(path);
	ck_assert_int_eq(count_entries(), 0);
}
END_TEST

START_TEST(test_read_limits)
{
	char path[PATH_MAX + 16], *buf = NULL;
	char big[10000];
	size_t len;
	struct tnfs_err err;

	memset(big, 'z', sizeof(big));
	snprintf(path, sizeof(path), "%s/big", dir);
	ck_assert_int_eq(
	    fsutil_write_atomic(path, big, sizeof(big), 0644, &err), 0);
	ck_assert_int_eq(fsutil_read_file(path, 9999, &buf, &len, &err), -1);
	ck_assert_str_eq(err.code, "RequestTooLarge");
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(fsutil_read_file(path, 10000, &buf, &len, &err), 0);
	ck_assert_uint_eq(len, 10000);
	free(buf);
	snprintf(path, sizeof(path), "%s/missing", dir);
	ck_assert_int_eq(fsutil_read_file(path, 10, &buf, &len, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotFound");
	ck_assert_int_eq(fsutil_write_atomic(path, "", 0, 0644, &err), 0);
	ck_assert_int_eq(fsutil_read_file(path, 10, &buf, &len, &err), 0);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

START_TEST(test_mkdir_p)
{
	char path[PATH_MAX + 16];
	struct stat st;
	struct tnfs_err err;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ck_assert_int_eq(fsutil_mkdir_p(path, 0755, &err), 0);
	ck_assert_int_eq(fsutil_mkdir_p(path, 0755, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	ck_assert_int_eq(fsutil_mkdir_p("", 0755, &err), -1);
}
END_TEST

START_TEST(test_path_fits_or_fails)
{
	struct tnfs_err err;
	char buf[PATH_MAX], *big;

	tnfs_err_clear(&err);
	ck_assert_int_eq(fsutil_path(buf, &err, "%s/%s", "/a", "b"), 0);
	ck_assert_str_eq(buf, "/a/b");
	big = malloc(PATH_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'p', PATH_MAX - 1);
	big[PATH_MAX - 1] = '\0'; /* PATH_MAX - 1 bytes: fits exactly */
	ck_assert_int_eq(fsutil_path(buf, &err, "%s", big), 0);
	ck_assert_uint_eq(strlen(buf), PATH_MAX - 1);
	ck_assert_int_eq(fsutil_path(buf, &err, "/%s", big), -1);
	ck_assert_str_eq(err.code, "InternalError");
	ck_assert_int_eq(fsutil_path(buf, NULL, "%s/x", big), -1);
	free(big);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("fsutil");
	TCase *tc = tcase_create("fsutil");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_then_read);
	tcase_add_test(tc, test_failed_write_keeps_old_content);
	tcase_add_test(tc, test_read_limits);
	tcase_add_test(tc, test_mkdir_p);
	tcase_add_test(tc, test_path_fits_or_fails);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
