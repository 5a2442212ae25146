/*
 * test_storage_btrfs.c: the parsers and validators of the btrfs storage
 * backend (vapi/btrfs.c, vapi/btrfs_usage.c), with hostile input next to
 * the good.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "btrfs.h"
#include "btrfs_usage.h"
#include "check_tap.h"

static const char mountinfo[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "42 22 0:38 / /srv/pool rw,relatime - btrfs /dev/loop3 rw,subvolid=5\n"
    "43 22 0:38 /volumes/a /srv/my\\040exports/a rw shared:7 master:2 - "
    "btrfs /dev/loop3 rw,subvolid=257\n"
    "44 22 0:39 / /srv/pool rw - tmpfs tmpfs rw\n"
    "garbage line without fields\n"
    "45 22 0:40 / /x rw\n"
    "46 22 0:41 / /srv/poolother rw - btrfs /dev/loop9 rw\n";

START_TEST(test_mountinfo_exact_takes_last_stacked_mount)
{
	char *t = strdup(mountinfo);
	struct btrfs_mount m;

	ck_assert(btrfs_mountinfo_find(t, "/srv/pool", 0, &m));
	ck_assert_str_eq(m.fstype, "tmpfs");
	free(t);
}
END_TEST

START_TEST(test_mountinfo_decodes_escapes_and_optional_fields)
{
	char *t = strdup(mountinfo);
	struct btrfs_mount m;

	ck_assert(btrfs_mountinfo_find(t, "/srv/my exports/a", 0, &m));
	ck_assert_str_eq(m.root, "/volumes/a");
	ck_assert_str_eq(m.fstype, "btrfs");
	ck_assert_str_eq(m.source, "/dev/loop3");
	free(t);
}
END_TEST

START_TEST(test_mountinfo_prefix_is_path_component_aware)
{
	char *t = strdup(mountinfo);
	struct btrfs_mount m;

	ck_assert(btrfs_mountinfo_find(t, "/srv/pool/volumes/x", 1, &m));
	ck_assert_str_eq(m.mountpoint, "/srv/pool");
	free(t);
	t = strdup(mountinfo);
	ck_assert(btrfs_mountinfo_find(t, "/srv/poolother/v", 1, &m));
	ck_assert_str_eq(m.source, "/dev/loop9");
	free(t);
	t = strdup(mountinfo);
	ck_assert(btrfs_mountinfo_find(t, "/srv/po", 1, &m));
	ck_assert_str_eq(m.mountpoint, "/");
	free(t);
	t = strdup(mountinfo);
	ck_assert(!btrfs_mountinfo_find(t, "/x", 0, &m));
	ck_assert(!btrfs_mountinfo_find(t, "/nope", 0, &m));
	free(t);
}
END_TEST

START_TEST(test_usage_counter_parse)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t v;
	} cases[] = {
	    {"8404992\n", 0, 8404992},
	    {"0\n", 0, 0},
	    {"104857600", 0, 104857600},
	    {"18446744073709551615\n", 0, UINT64_MAX},
	    {"18446744073709551616\n", -1, 0}, /* 2^64 */
	    {"99999999999999999999999\n", -1, 0},
	    {"", -1, 0},
	    {"\n", -1, 0},
	    {"-12\n", -1, 0},
	    {"+12\n", -1, 0},
	    {" 12\n", -1, 0},
	    {"12 \n", -1, 0},
	    {"1x2\n", -1, 0},
	    {"12\n\n", -1, 0},
	    {"12\n13\n", -1, 0},
	    {"none\n", -1, 0},
	    {"0x10\n", -1, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 7;
		struct tnfs_err err = {0};
		int rc = btrfs_usage_counter_parse(
		    cases[i].text, "referenced", &v, &err);

		ck_assert_msg(rc == cases[i].rc, "case %zu", i);
		if (rc == 0) {
			ck_assert_uint_eq(v, cases[i].v);
		} else {
			ck_assert_uint_eq(v, 7);
			ck_assert(tnfs_err_isset(&err));
			ck_assert_ptr_nonnull(strstr(err.msg, "referenced"));
		}
	}
}
END_TEST

START_TEST(test_image_spec_parse)
{
	static const struct {
		const char *spec;
		const char *file;
		uint64_t mib;
	} good[] = {
	    {"/var/lib/tnfs/pool.img,20G", "/var/lib/tnfs/pool.img", 20480},
	    {"/a,b/pool.img,512M", "/a,b/pool.img", 512},
	    {"/p,256M", "/p", 256},
	};
	static const char *const bad[] = {
	    "",
	    ",",
	    "pool.img,20G",
	    "relative/p,20G",
	    "/p",
	    "/p,",
	    ",20G",
	    "/p,0",
	    "/p,-1G",
	    "/p,20 G",
	    "/p,255M",
	    "/p,10M",
	    "/dir/,20G",
	    "/p\n,20G",
	    "/p,99999999999999999999999G",
	    "/p,20Q",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *file = NULL;
		uint64_t mib = 0;

		ck_assert_int_eq(
		    btrfs_image_spec_parse(good[i].spec, &file, &mib, NULL), 0);
		ck_assert_str_eq(file, good[i].file);
		ck_assert_uint_eq(mib, good[i].mib);
		free(file);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *file = NULL;
		uint64_t mib = 0;
		struct tnfs_err err = {0};

		ck_assert_msg(
		    btrfs_image_spec_parse(bad[i], &file, &mib, &err) == -1,
		    "accepted \"%s\"", bad[i]);
		ck_assert_ptr_null(file);
		ck_assert(tnfs_err_isset(&err));
	}
}
END_TEST

START_TEST(test_snapshot_name_check)
{
	static const char *const good[] = {
	    "a", "before-upgrade", "snap.1", "x y", "ünïcode"};
	static const char *const bad[] = {"", ".", "..", ".hidden", "a/b", "/",
	    "../x", "a\nb", "tab\tname", "del\x7f"};
	char longname[300];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_int_eq(btrfs_snapshot_name_check(good[i], NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(btrfs_snapshot_name_check(bad[i], NULL) == -1,
		    "accepted \"%s\"", bad[i]);
	memset(longname, 'a', 255);
	longname[255] = '\0';
	ck_assert_int_eq(btrfs_snapshot_name_check(longname, NULL), 0);
	longname[255] = 'a';
	longname[256] = '\0';
	ck_assert_int_eq(btrfs_snapshot_name_check(longname, NULL), -1);
}
END_TEST

START_TEST(test_not_a_subvolume)
{
	uint64_t id;

	ck_assert_int_eq(btrfs_is_subvol("/nonexistent/path"), 0);
	ck_assert_int_eq(btrfs_is_subvol("/proc"), 0);
	ck_assert_int_eq(btrfs_subvol_id("/nonexistent/path", &id, NULL), -1);
}
END_TEST

/* The direct calls refuse what names no subvolume, and change nothing. */
START_TEST(test_subvol_calls_refuse_bad_paths)
{
	static const char *const bad[] = {
	    "relative", "/", "/tmp/", "", "/nonexistent/parent/child"};
	char longname[5000];
	struct tnfs_err err = {0};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tnfs_err_clear(&err);
		ck_assert_int_eq(btrfs_subvol_create(bad[i], &err), -1);
		ck_assert(tnfs_err_isset(&err));
		tnfs_err_clear(&err);
		ck_assert_int_eq(btrfs_subvol_delete(bad[i], &err), -1);
		ck_assert(tnfs_err_isset(&err));
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	tnfs_err_clear(&err);
	ck_assert_int_eq(btrfs_subvol_create(longname, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not an absolute path"));
	/* Not a btrfs: the kernel refuses, nothing is made. */
	tnfs_err_clear(&err);
	ck_assert_int_eq(btrfs_subvol_create("/proc/tnfs-test-subvol", &err), -1);
	ck_assert_int_eq(btrfs_is_subvol("/proc/tnfs-test-subvol"), 0);
	tnfs_err_clear(&err);
	ck_assert_int_eq(btrfs_qgroup_limit("/nonexistent/path", 1, &err), -1);
	ck_assert(tnfs_err_isset(&err));
	tnfs_err_clear(&err);
	ck_assert_int_eq(btrfs_qgroup_limit("/proc", 1, &err), -1);
	ck_assert(tnfs_err_isset(&err));
	tnfs_err_clear(&err);
	ck_assert_int_eq(
	    btrfs_mount_subvol("/nonexistent/dev", 256, "/nonexistent/mp", &err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot mount subvolume 256"));
	ck_assert_int_eq(btrfs_is_mountpoint("/nonexistent/mp"), 0);
	ck_assert_int_eq(btrfs_is_mountpoint("/proc"), 1);
	ck_assert_int_eq(btrfs_umount("/nonexistent/mp", &err), 0);
}
END_TEST

START_TEST(test_run_maps_no_space)
{
	/* A real ENOSPC from a real program: dd onto /dev/full. */
	const char *full[] = {
	    "dd", "if=/dev/zero", "of=/dev/full", "bs=1", "count=1", NULL};
	const char *fail[] = {"false", NULL};
	const char *ok[] = {"echo", "hello", NULL};
	struct tnfs_err err = {0};
	char *out = NULL;

	ck_assert_int_eq(
	    btrfs_run(full, "cannot take the snapshot", NULL, &err), -1);
	ck_assert(tnfs_err_is(&err, TNFS_E_NO_SPACE));
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot take the snapshot"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no space left"));
	tnfs_err_clear(&err);
	ck_assert_int_eq(btrfs_run(fail, "x", NULL, &err), -1);
	ck_assert(tnfs_err_is(&err, TNFS_E_INTERNAL));
	ck_assert_int_eq(btrfs_run(ok, "x", &out, NULL), 0);
	ck_assert_str_eq(out, "hello\n");
	free(out);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("storage_btrfs");
	TCase *tc = tcase_create("parsers");

	tcase_add_test(tc, test_mountinfo_exact_takes_last_stacked_mount);
	tcase_add_test(tc, test_mountinfo_decodes_escapes_and_optional_fields);
	tcase_add_test(tc, test_mountinfo_prefix_is_path_component_aware);
	tcase_add_test(tc, test_usage_counter_parse);
	tcase_add_test(tc, test_image_spec_parse);
	tcase_add_test(tc, test_snapshot_name_check);
	tcase_add_test(tc, test_not_a_subvolume);
	tcase_add_test(tc, test_subvol_calls_refuse_bad_paths);
	tcase_add_test(tc, test_run_maps_no_space);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
