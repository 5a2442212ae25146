/*
 * test_plugin_state.c: the mount ID-set rules (docker-volume-plugins.md
 * §1.6) and the state file round trip, including hostile files, the
 * longest valid names and the file names of earlier versions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_tap.h"
#include "fsutil.h"
#include "parse.h"
#include "sha256.h"
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

static struct volume_state loaded[8];
static int nloaded;

static void
collect(void *arg, struct volume_state *st)
{
	(void)arg;
	if (nloaded < 8)
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
	ck_assert_int_eq(state_fspath_set(&st, "10.0.0.5:/exports/data"), 0);
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

/* The file name the state of volume name has: _<SHA-256>.json[suffix]. */
static void
state_file(char *buf, size_t len, const char *dir, const char *name,
    const char *suffix)
{
	char hex[TNFS_SHA256_HEX_BUFSZ];

	tnfs_sha256_hex(name, strlen(name), hex);
	snprintf(buf, len, "%s%s_%s.json%s", dir ? dir : "", dir ? "/" : "",
	    hex, suffix);
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
	state_file(path, sizeof(path), NULL, "bad1", "");
	put_file(dir, path, "{not json");
	state_file(path, sizeof(path), NULL, "bad2", "");
	put_file(dir, path, "{\"name\":\"other\"}"); /* wrong file */
	state_file(path, sizeof(path), NULL, "bad3", "");
	put_file(dir, path, "{\"name\":\"bad3\",\"ids\":[\"a/b\"]}");
	state_file(path, sizeof(path), NULL, "bad4", "");
	put_file(dir, path, "{\"name\":\"bad4\",\"nfs_port\":70000}");
	put_file(dir, "ignored.txt", "x");
	nloaded = 0;
	ck_assert_int_eq(state_load_all(dir, collect, NULL, &err), 0);
	ck_assert_int_eq(nloaded, 1);
	ck_assert_str_eq(loaded[0].name, "good1");
	ck_assert_int_eq(loaded[0].opts.ro, 1);
	ck_assert_int_eq(state_id_has(&loaded[0], "id1"), 1);
	volume_state_clear(&loaded[0]);
	for (i = 1; i <= 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "bad%d", i);
		state_file(path, sizeof(path), dir, name, ".bad");
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

/* A valid name of n bytes. */
static void
long_name(char *buf, size_t n, char first)
{
	memset(buf, 'a', n);
	buf[0] = first;
	buf[n - 1] = 'z';
	buf[n] = '\0';
}

/*
 * The longest valid names: "<name>.json" and its temporary name exceed a
 * file name's 255 bytes, so the file is named by the name's digest.
 */
START_TEST(test_longest_names_round_trip)
{
	static const size_t lens[] = {240, 250, 251, 255, TNFS_NAME_MAX};
	char dir[] = "/tmp/test_plugin_state.XXXXXX", path[512];
	struct volume_state st = {0};
	struct tnfs_err err;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		long_name(st.name, lens[i], (char)('a' + i));
		ck_assert_int_eq(tnfs_name_check(st.name, NULL), 0);
		volume_opts_default(&st.opts);
		ck_assert_int_eq(state_id_add(&st, "id1", &err), 1);
		ck_assert_msg(state_save(dir, &st, &err) == 0, "%zu: %s",
		    lens[i], err.msg);
		volume_state_clear(&st);
	}
	nloaded = 0;
	ck_assert_int_eq(state_load_all(dir, collect, NULL, &err), 0);
	ck_assert_int_eq(nloaded, (int)(sizeof(lens) / sizeof(lens[0])));
	for (i = 0; i < (size_t)nloaded; i++) {
		ck_assert_uint_eq(loaded[i].nids, 1);
		ck_assert_int_eq(state_delete(dir, loaded[i].name, &err), 0);
		state_file(path, sizeof(path), dir, loaded[i].name, "");
		ck_assert_int_eq(access(path, F_OK), -1);
		volume_state_clear(&loaded[i]);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * Files named <name>.json by earlier versions are renamed to their digest
 * name at start and loaded once; when both exist (an older plugin ran
 * again), the digest file wins and the other is set aside.
 */
START_TEST(test_old_file_names_migrated)
{
	char dir[] = "/tmp/test_plugin_state.XXXXXX", path[512];
	struct tnfs_err err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file(dir, "old1.json", "{\"name\":\"old1\",\"ids\":[\"a\"]}");
	put_file(dir, "both.json", "{\"name\":\"both\",\"ids\":[\"old\"]}");
	state_file(path, sizeof(path), NULL, "both", "");
	put_file(dir, path, "{\"name\":\"both\",\"ids\":[\"new\"]}");
	put_file(dir, "x.y.json", "{\"name\":\"other\"}"); /* wrong file */
	nloaded = 0;
	ck_assert_int_eq(state_load_all(dir, collect, NULL, &err), 0);
	ck_assert_int_eq(nloaded, 2);
	for (int i = 0; i < nloaded; i++) {
		if (strcmp(loaded[i].name, "old1") == 0)
			ck_assert_int_eq(state_id_has(&loaded[i], "a"), 1);
		else {
			ck_assert_str_eq(loaded[i].name, "both");
			ck_assert_int_eq(state_id_has(&loaded[i], "new"), 1);
			ck_assert_uint_eq(loaded[i].nids, 1);
		}
		ck_assert_int_eq(state_delete(dir, loaded[i].name, &err), 0);
		volume_state_clear(&loaded[i]);
	}
	snprintf(path, sizeof(path), "%s/old1.json", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/both.json.bad", dir);
	ck_assert_int_eq(unlink(path), 0);
	state_file(path, sizeof(path), dir, "x.y", ".bad");
	ck_assert_int_eq(unlink(path), 0);
	/* A second start finds nothing left to rename. */
	nloaded = 0;
	ck_assert_int_eq(state_load_all(dir, collect, NULL, &err), 0);
	ck_assert_int_eq(nloaded, 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The set keeps the order of last Mounts (state.h): a repeated Mount
 * moves its ID to the end and a removal keeps the others in order. */
START_TEST(test_ids_ordered_by_last_mount)
{
	struct volume_state st = {.name = "v1"};
	struct tnfs_err err;

	ck_assert_int_eq(state_id_add(&st, "A", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "B", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "C", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "D", &err), 1);
	ck_assert_int_eq(state_id_add(&st, "A", &err), 0); /* restarted */
	ck_assert_str_eq(st.ids[0], "B");
	ck_assert_str_eq(st.ids[3], "A");
	ck_assert_int_eq(state_id_remove(&st, "C"), 1);
	ck_assert_uint_eq(st.nids, 3);
	ck_assert_str_eq(st.ids[0], "B");
	ck_assert_str_eq(st.ids[1], "D");
	ck_assert_str_eq(st.ids[2], "A");
	ck_assert_int_eq(state_id_add(&st, "A", &err), 0); /* already last */
	ck_assert_str_eq(st.ids[2], "A");
	ck_assert_int_eq(state_id_remove(&st, st.ids[0]), 1);
	ck_assert_str_eq(st.ids[0], "D");
	volume_state_clear(&st);
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
	tcase_add_test(tc, test_ids_ordered_by_last_mount);
	tcase_add_test(tc, test_id_validation);
	tcase_add_test(tc, test_file_round_trip);
	tcase_add_test(tc, test_load_all_keeps_good_and_renames_bad);
	tcase_add_test(tc, test_longest_names_round_trip);
	tcase_add_test(tc, test_old_file_names_migrated);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
