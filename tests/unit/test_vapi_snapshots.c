/*
 * test_vapi_snapshots.c: the snapshot records through the core
 * (snapshots.h), against a temporary SQLite store, the dir storage backend
 * (which holds no snapshots), no exports and the real provisioner: what a
 * crash leaves creating or deleting is removed at the next start, a
 * snapshot refused by the storage leaves no record, one still being
 * created cannot be deleted or rolled back to, a delete cut short can be
 * retried, and hostile names change nothing; and the checks of a clone
 * of a snapshot (CreateVolume with a source).  The same records against
 * btrfs under kill -9 are tests/faults/vapi_storm.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "check_tap.h"
#include "child.h"
#include "exports.h"
#include "jsonx.h"
#include "provision.h"
#include "snapshots.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "vapi_fixture.h"
#include "volumes.h"

#define OWNER "11111111-1111-4111-8111-111111111111"
#define NET   VAPI_FIXTURE_NET

static struct caller op = {1, "", ""};
static char vol[TNFS_UUID_BUFSZ];

/* A ready volume, through the create handler and the provisioner. */
static void
create_volume(void)
{
	json_object *p, *out = NULL;
	struct tnfs_err err;
	int status;

	p = json_tokener_parse("{\"owner_uuid\":\"" OWNER "\","
			       "\"type\":\"tritonnfs\",\"name\":\"snappy\","
			       "\"networks\":[\"" NET "\"]}");
	ck_assert_ptr_nonnull(p);
	tnfs_err_clear(&err);
	ck_assert_msg(h_create_volume(&fx.va, &op, p, &out, &status, &err) == 0,
	    "%s", err.msg);
	snprintf(vol, sizeof(vol), "%s", jsonx_get_str(out, "uuid"));
	json_object_put(out);
	json_object_put(p);
	ck_assert(vapi_fixture_wait_state(vol, "ready"));
}

static void
setup(void)
{
	vapi_fixture_setup();
	create_volume();
}

/* A record as a request (or a crash) left it, written to the store. */
static void
put_record(const char *name, const char *state)
{
	struct snapshot s;
	struct tnfs_err err;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.state, sizeof(s.state), "%s", state);
	s.create_ms = tnfs_now_ms();
	ck_assert_int_eq(store_snap_insert(fx.va.store, vol, &s, &err), 0);
}

/* "name:state name:state ..." in creation order. */
static const char *
records(void)
{
	static char buf[512];
	struct snapshot *ss = NULL;
	struct tnfs_err err;
	size_t n = 0, i, at = 0;

	ck_assert_int_eq(snapshots_list(&fx.va, vol, NULL, &ss, &n, &err), 0);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s:%s",
		    i > 0 ? " " : "", ss[i].name, ss[i].state);
	free(ss);
	return buf;
}

START_TEST(test_recovery_removes_snapshots_left_in_flight)
{
	struct tnfs_err err;

	provision_stop(fx.va.prov);
	fx.va.prov = NULL;
	put_record("before", "created");
	put_record("cut-short", "creating");
	put_record("half-gone", "deleting");
	put_record("after", "created");
	ck_assert_ptr_nonnull(fx.va.prov = provision_start(&fx.va, 2, &err));
	ck_assert_str_eq(records(), "before:created after:created");
	/* The names are free again: a retried create reaches the storage. */
	ck_assert_int_eq(snapshots_create(&fx.va, vol, NULL, "cut-short",
			     &(struct snapshot){0}, &err),
	    -1);
	ck_assert_str_eq(err.code, "NotSupported");
}
END_TEST

START_TEST(test_create_refused_by_storage_leaves_no_record)
{
	struct snapshot s;
	struct tnfs_err err;

	ck_assert_int_eq(
	    snapshots_create(&fx.va, vol, OWNER, "one", &s, &err), -1);
	ck_assert_str_eq(err.code, "NotSupported");
	ck_assert_str_eq(
	    err.msg, "snapshots are not supported by the dir storage backend");
	ck_assert_str_eq(records(), "");
}
END_TEST

START_TEST(test_snapshot_being_created_cannot_be_deleted_or_rolled_back_to)
{
	struct volume *v = NULL;
	struct tnfs_err err;

	put_record("busy", "creating");
	ck_assert_int_eq(snapshots_delete(&fx.va, vol, NULL, "busy", &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotReady");
	ck_assert_str_eq(
	    err.msg, "Snapshot with name busy is creating, not created");
	ck_assert_int_eq(
	    snapshots_rollback(&fx.va, vol, NULL, "busy", &v, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotReady");
	ck_assert_ptr_null(v);
	ck_assert_str_eq(records(), "busy:creating");
}
END_TEST

START_TEST(test_delete_cut_short_can_be_retried)
{
	struct volume *v = NULL;
	struct tnfs_err err;

	put_record("going", "deleting");
	ck_assert_int_eq(
	    snapshots_rollback(&fx.va, vol, NULL, "going", &v, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotReady");
	ck_assert_int_eq(snapshots_delete(&fx.va, vol, OWNER, "going", &err), 0);
	ck_assert_str_eq(records(), "");
	ck_assert_int_eq(snapshots_delete(&fx.va, vol, NULL, "going", &err), -1);
	ck_assert_str_eq(err.code, "SnapshotNotFound");
}
END_TEST

START_TEST(test_snapshot_of_volume_not_ready_is_refused)
{
	struct snapshot s;
	struct tnfs_err err;

	ck_assert_int_eq(store_volume_set_state(fx.va.store, vol, "ready",
			     "failed", "storage gone", &err),
	    1);
	ck_assert_int_eq(
	    snapshots_create(&fx.va, vol, NULL, "late", &s, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotReady");
	ck_assert_str_eq(records(), "");
}
END_TEST

/* Refused before the store or the storage is touched. */
static const struct {
	const char *name;
	const char *code;
} hostile[] = {
    {"", "ValidationError"},
    {"../../volumes/x", "ValidationError"},
    {"a/b", "ValidationError"},
    {".hidden", "ValidationError"},
    {"-rf", "ValidationError"},
    {"sp ace", "ValidationError"},
    {"x\n", "ValidationError"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"ValidationError"}, /* 65 */
    {"unknown", "SnapshotNotFound"},
};

START_TEST(test_hostile_names_change_nothing)
{
	struct volume *v = NULL;
	struct snapshot s;
	struct tnfs_err err;
	const char *name = hostile[_i].name;

	put_record("kept", "created");
	tnfs_err_clear(&err);
	ck_assert_int_eq(snapshots_delete(&fx.va, vol, NULL, name, &err), -1);
	ck_assert_str_eq(err.code, hostile[_i].code);
	ck_assert_int_eq(snapshots_get(&fx.va, vol, NULL, name, &s, &err), -1);
	ck_assert_str_eq(err.code, hostile[_i].code);
	ck_assert_int_eq(
	    snapshots_rollback(&fx.va, vol, NULL, name, &v, &err), -1);
	ck_assert_str_eq(err.code, hostile[_i].code);
	if (strcmp(hostile[_i].code, "ValidationError") == 0) {
		ck_assert_int_eq(
		    snapshots_create(&fx.va, vol, NULL, name, &s, &err), -1);
		ck_assert_str_eq(err.code, "ValidationError");
	}
	ck_assert_str_eq(records(), "kept:created");
}
END_TEST

/*
 * Clones (CreateVolume with source_volume and source_snapshot): what is
 * refused is refused before a record exists, with the cause; what passes
 * becomes a creating volume of the source's size that the dir backend
 * (no snapshots) fails with NotSupported, its source then forgotten.
 */
#define OTHER "22222222-2222-4222-8222-222222222222"

static const struct {
	const char *params; /* members after owner, type and networks */
	const char *owner;
	const char *code; /* NULL: created */
	const char *msg;  /* in the message */
} clones[] = {
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"before\"", OWNER,
	NULL, NULL},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"before\","
     "\"size\":20480",
	OWNER, NULL, NULL},
    {"\"source_volume\":\"snappy\"", OWNER, "ValidationError",
	"source_volume and source_snapshot go together"},
    {"\"source_snapshot\":\"before\"", OWNER, "ValidationError",
	"source_volume and source_snapshot go together"},
    {"\"source_volume\":\"nope\",\"source_snapshot\":\"before\"", OWNER,
	"VolumeNotFound", "source volume nope could not be found"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"before\"", OTHER,
	"VolumeNotFound", "source volume snappy could not be found"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"nope\"", OWNER,
	"SnapshotNotFound", "source volume snappy has no snapshot nope"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"busy\"", OWNER,
	"VolumeNotReady", "snapshot busy of volume snappy is creating"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"before\","
     "\"size\":10240",
	OWNER, "ValidationError",
	"Volume size: 10240 is smaller than the size 20480 of the source"},
    {"\"source_volume\":\"../x\",\"source_snapshot\":\"before\"", OWNER,
	"ValidationError", "volume name must match"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"a/b\"", OWNER,
	"ValidationError", "snapshot name must match"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":\"\"", OWNER,
	"ValidationError", "snapshot name must match"},
    {"\"source_volume\":5,\"source_snapshot\":\"before\"", OWNER,
	"ValidationError", "source_volume must be a string"},
    {"\"source_volume\":\"snappy\",\"source_snapshot\":[\"before\"]", OWNER,
	"ValidationError", "source_snapshot must be a string"},
};

/* The number of volumes in the store. */
static size_t
nvolumes(void)
{
	struct volume **vs = NULL;
	struct tnfs_err err;
	size_t n = 0;

	ck_assert_int_eq(store_volume_list(fx.va.store, NULL, &vs, &n, &err), 0);
	volume_list_free(vs, n);
	return n;
}

START_TEST(test_clone_params)
{
	char body[1024], key[64];
	json_object *p, *out = NULL;
	struct volume *v = NULL;
	struct tnfs_err err;
	char *src = NULL;
	int status, rc;
	int64_t end;

	/* The source is larger than the smallest size. */
	ck_assert_int_eq(store_volume_set_size(fx.va.store, vol, 20480, &err), 0);
	put_record("before", "created");
	put_record("busy", "creating");
	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"%s\",\"type\":\"tritonnfs\","
	    "\"networks\":[\"" NET "\"],%s}",
	    clones[_i].owner, clones[_i].params);
	ck_assert_ptr_nonnull(p = json_tokener_parse(body));
	tnfs_err_clear(&err);
	rc = h_create_volume(&fx.va, &op, p, &out, &status, &err);
	json_object_put(p);
	if (clones[_i].code != NULL) {
		ck_assert_msg(rc == -1, "clone case %d accepted", _i);
		ck_assert_str_eq(err.code, clones[_i].code);
		ck_assert_msg(strstr(err.msg, clones[_i].msg) != NULL,
		    "clone case %d: \"%s\"", _i, err.msg);
		ck_assert_uint_eq(nvolumes(), 1);
		return;
	}
	ck_assert_msg(rc == 0, "clone case %d: %s", _i, err.msg);
	ck_assert_int_eq(status, 201);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(out,
			     "size")),
	    20480);
	snprintf(key, sizeof(key), VOLUMES_CLONE_KEY "%s",
	    jsonx_get_str(out, "uuid"));
	/*
	 * The dir backend holds no snapshots: the clone fails, and then
	 * (never before: a restart in between would make it empty) its
	 * source is forgotten.
	 */
	end = tnfs_mono_ms() + 20000;
	for (;;) {
		ck_assert_int_eq(store_meta_get(fx.va.store, key, &src, &err), 0);
		if (src == NULL || tnfs_mono_ms() >= end)
			break;
		free(src);
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	ck_assert_int_eq(
	    store_volume_get(fx.va.store, jsonx_get_str(out, "uuid"), &v, &err),
	    0);
	ck_assert_str_eq(v->state, "failed");
	ck_assert_ptr_nonnull(strstr(v->error, "snapshots are not supported"));
	ck_assert_ptr_null(src);
	volume_free(v);
	json_object_put(out);
}
END_TEST

START_TEST(test_clone_of_volume_not_ready_is_refused)
{
	json_object *p, *out = NULL;
	struct tnfs_err err;
	int status;

	put_record("before", "created");
	ck_assert_int_eq(store_volume_set_state(fx.va.store, vol, "ready",
			     "failed", "storage gone", &err),
	    1);
	p = json_tokener_parse("{\"owner_uuid\":\"" OWNER "\","
			       "\"type\":\"tritonnfs\",\"networks\":[\"" NET
			       "\"],\"source_volume\":\"snappy\","
			       "\"source_snapshot\":\"before\"}");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(h_create_volume(&fx.va, &op, p, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotReady");
	ck_assert_str_eq(err.msg, "source volume snappy is failed: only a "
				  "ready volume can be cloned");
	ck_assert_uint_eq(nvolumes(), 1);
	json_object_put(p);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_snapshots");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, vapi_fixture_teardown);
	tcase_add_test(tc, test_recovery_removes_snapshots_left_in_flight);
	tcase_add_test(tc, test_create_refused_by_storage_leaves_no_record);
	tcase_add_test(tc,
	    test_snapshot_being_created_cannot_be_deleted_or_rolled_back_to);
	tcase_add_test(tc, test_delete_cut_short_can_be_retried);
	tcase_add_test(tc, test_snapshot_of_volume_not_ready_is_refused);
	tcase_add_loop_test(tc, test_hostile_names_change_nothing, 0,
	    (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_loop_test(tc, test_clone_params, 0,
	    (int)(sizeof(clones) / sizeof(clones[0])));
	tcase_add_test(tc, test_clone_of_volume_not_ready_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
