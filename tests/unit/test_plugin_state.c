/*
 * test_plugin_state.c: the mount ID-set rules (docker-volume-plugins.md
 * §1.6) and the state file round trip, including hostile files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_tap.h"
#include "fsutil.h"
#include "state.h"

START_TEST(test_copy_up_mount_unmount_mount)
{
	struct volume_state st = {.name = "v1"};
	struct tnfs_err err;

	ck_assert_int_eq(state_id_add(&st, "A", &err), 1);
	ck_assert_int_eq(state_id_remove(&st, "A"), 1);
	ck_assert_uint_eq(st.nids, 0);
	ck_assert_int_eq(state_id_add(&st, "B", &err), 1);
	ck_assert_uint_eq(st.nids, 1);
	volume_state_clear(&st);
}
END_TEST

START_TEST(test_docker_cp_duplicate_id)
{
	struct volume_state st = {.name = "v1"};
	struct tnfs_err err;

	ck_assert_int_eq(state_id_add(&st, "B", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "B", &err), 0); /* cp: same id */
	ck_assert_int_eq(state_id_remove(&st, "B"), 1);    /* cp done */
	ck_assert_int_eq(state_id_remove(&st, "B"), 0);    /* stop: unknown */
	ck_assert_uint_eq(st.nids, 0);
	volume_state_clear(&st);
}
END_TEST

START_TEST(test_crash_replay_and_unknown_unmount)
{
	struct volume_state st = {.name = "v1"};
	struct tnfs_err err;

	ck_assert_int_eq(state_id_add(&st, "B", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "C", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "B", &err), 0); /* replay */
	ck_assert_int_eq(state_id_remove(&st, "nope"), 0);
	ck_assert_int_eq(state_id_remove(&st, "B"), 1);
	ck_assert_int_eq(state_id_has(&st, "C"), 1);
	ck_assert_uint_eq(st.nids, 1);
	volume_state_clear(&st);
}
END_TEST

START_TEST(test_id_validation)
{
	static const char *bad[] = {"", "a/b", "a b", "..\n", "\xc3\xa9",
	    "0123456789012345678901234567890123456789012345678901234567890"
	    "1234567890123456789012345678901234567890123456789012345678901"
	    "2345678"};
	struct volume_state st = {.name = "v1"};
	struct tnfs_err err;
	size_t i;

	ck_assert_int_eq(
	    state_id_valid("4f1c0123456789abcdef0123456789abcdef0123456789ab"
			   "cdef0123456789ab"),
	    1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!state_id_valid(bad[i]), "accepted %s", bad[i]);
		ck_assert_int_eq(state_id_add(&st, bad[i], &err), -1);
	}
	ck_assert_int_eq(state_id_valid(NULL), 0);
	volume_state_clear(&st);
}
END_TEST

static struct volume_state loaded[4];
static int nloaded;

static void
collect(void *arg, struct volume_state *st)
{
	(void)arg;
	if (nloaded < 4)
		loaded[nloaded++] = *st;
	else
		volume_state_clear(st);
}

START_TEST(test_file_round_trip)
{
	char dir[] = "/tmp/test_plugin_state.XXXXXX";
	struct volume_state st = {0}, *got;
	struct tnfs_err err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(st.name, sizeof(st.name), "wp-uploads");
	snprintf(
	    st.uuid, sizeof(st.uuid), "11111111-2222-3333-4444-555555555555");
	snprintf(st.filesystem_path, sizeof(st.filesystem_path),
	    "10.0.0.5:/exports/data");
	st.nfs_port = 2049;
	st.mount_port = 20048;
	st.size_mib = 20480;
	st.created_ms = 1510853516763LL;
	volume_opts_default(&st.opts);
	st.opts.ro = 1;
	st.opts.has_mode = 1;
	st.opts.mode = 0755;
	ck_assert_int_eq(state_id_add(&st, "A", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "B", &err), 1);
	ck_assert_int_eq(state_save(dir, &st, &err), 0);

	volume_state_clear(&st);
	nloaded = 0;
	ck_assert_int_eq(state_load_all(dir, collect, NULL, &err), 0);
	ck_assert_int_eq(nloaded, 1);
	got = &loaded[0];
	ck_assert_str_eq(got->name, "wp-uploads");
	ck_assert_str_eq(got->uuid, "11111111-2222-3333-4444-555555555555");
	ck_assert_str_eq(got->filesystem_path, "10.0.0.5:/exports/data");
	ck_assert_int_eq(got->nfs_port, 2049);
	ck_assert_int_eq(got->mount_port, 20048);
	ck_assert_uint_eq(got->size_mib, 20480);
	ck_assert(got->created_ms == 1510853516763LL);
	ck_assert_int_eq(got->opts.ro, 1);
	ck_assert_str_eq(got->opts.nfsvers, "auto");
	ck_assert_int_eq(got->opts.has_mode, 1);
	ck_assert_uint_eq(got->opts.mode, 0755);
	ck_assert_int_eq(got->opts.has_uid, 0);
	ck_assert_uint_eq(got->nids, 2);
	ck_assert_int_eq(state_id_has(got, "B"), 1);
	volume_state_clear(got);
	ck_assert_int_eq(state_delete(dir, "wp-uploads", &err), 0);
	ck_assert_int_eq(state_delete(dir, "wp-uploads", &err), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	struct tnfs_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(
	    fsutil_write_atomic(path, text, strlen(text), 0600, &err), 0);
}

START_TEST(test_load_all_keeps_good_and_renames_bad)
{
	char dir[] = "/tmp/test_plugin_state.XXXXXX", path[512];
	struct volume_state st = {0};
	struct tnfs_err err;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(st.name, sizeof(st.name), "good1");
	volume_opts_default(&st.opts);
	st.opts.ro = 1;
	ck_assert_int_eq(state_id_add(&st, "id1", &err), 1);
	ck_assert_int_eq(state_save(dir, &st, &err), 0);
	volume_state_clear(&st);
	put_file(dir, "bad1.json", "{not json");
	put_file(dir, "bad2.json", "{\"name\":\"other\"}"); /* wrong file */
	put_file(dir, "bad3.json", "{\"name\":\"bad3\",\"ids\":[\"a/b\"]}");
	put_file(dir, "bad4.json", "{\"name\":\"bad4\",\"nfs_port\":70000}");
	put_file(dir, "ignored.txt", "x");
	nloaded = 0;
	ck_assert_int_eq(state_load_all(dir, collect, NULL, &err), 0);
	ck_assert_int_eq(nloaded, 1);
	ck_assert_str_eq(loaded[0].name, "good1");
	ck_assert_int_eq(loaded[0].opts.ro, 1);
	ck_assert_int_eq(state_id_has(&loaded[0], "id1"), 1);
	volume_state_clear(&loaded[0]);
	for (i = 1; i <= 4; i++) {
		snprintf(path, sizeof(path), "%s/bad%d.json.bad", dir, i);
		ck_assert_int_eq(access(path, F_OK), 0);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/ignored.txt", dir);
	unlink(path);
	ck_assert_int_eq(state_delete(dir, "good1", &err), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	/* A hostile name never becomes a path. */
	ck_assert_int_eq(state_delete(dir, "../x", &err), -1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("plugin_state");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_copy_up_mount_unmount_mount);
	tcase_add_test(tc, test_docker_cp_duplicate_id);
	tcase_add_test(tc, test_crash_replay_and_unknown_unmount);
	tcase_add_test(tc, test_id_validation);
	tcase_add_test(tc, test_file_round_trip);
	tcase_add_test(tc, test_load_all_keeps_good_and_renames_bad);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
