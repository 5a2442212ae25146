/*
 * test_vapi_volumes.c: the volume lifecycle through the domain handlers,
 * against a temporary SQLite store, the dir storage backend, no exports
 * and the real provisioner: create -> ready, rename, grow, refuse shrink
 * and unlisted sizes, in-use refusals, delete -> gone.
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
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "vapi_fixture.h"
#include "volumes.h"

static const char *const NET1[] = {VAPI_FIXTURE_NET};

#define OWNER  "11111111-1111-4111-8111-111111111111"
#define OWNER2 "22222222-2222-4222-8222-222222222222"
#define VM1    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

static struct caller op = {1, "", ""};

/* Call a handler with params given as JSON text. */
static int
call(vapi_handler *h, const char *params, json_object **out, int *status,
    struct tnfs_err *err)
{
	json_object *p = json_tokener_parse(params);
	int rc;

	ck_assert_ptr_nonnull(p);
	*out = NULL;
	tnfs_err_clear(err);
	rc = h(&fx.va, &op, p, out, status, err);
	json_object_put(p);
	return rc;
}

static char *
create(const char *name, const char *extra)
{
	char body[1024];
	json_object *out;
	struct tnfs_err err;
	int status;
	char *uuid;

	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"" OWNER "\",\"type\":\"tritonnfs\","
	    "\"name\":\"%s\",\"networks\":[\"%s\"]%s}",
	    name, fx.cfg.networks[0].uuid, extra);
	ck_assert_msg(call(h_create_volume, body, &out, &status, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(status, 201);
	ck_assert_str_eq(jsonx_get_str(out, "state"), "creating");
	uuid = strdup(jsonx_get_str(out, "uuid"));
	json_object_put(out);
	return uuid;
}

START_TEST(test_lifecycle)
{
	char body[256], path[256];
	struct tnfs_err err;
	json_object *out;
	int status;
	char *u = create("wp", "");

	ck_assert(vapi_fixture_wait_state(u, "ready"));
	snprintf(path, sizeof(path), "%s/storage/volumes/%s", fx.dir, u);
	ck_assert_int_eq(access(path, F_OK), 0);

	snprintf(body, sizeof(body), "{\"uuid\":\"%s\"}", u);
	ck_assert_int_eq(call(h_get_volume, body, &out, &status, &err), 0);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(
	    json_object_get_int64(json_object_object_get(out, "size")), 10240);
	ck_assert_ptr_nonnull(strstr(jsonx_get_str(out, "filesystem_path"), u));
	ck_assert_str_eq(jsonx_get_str(out, "vm_uuid"), fx.va.host_uuid);
	json_object_put(out);

	/* rename, grow; shrink and unlisted sizes refused */
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"name\":\"wp2\"}", u);
	ck_assert_int_eq(call(h_update_volume, body, &out, &status, &err), 0);
	ck_assert_str_eq(jsonx_get_str(out, "name"), "wp2");
	json_object_put(out);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"size\":51200}", u);
	ck_assert_int_eq(call(h_update_volume, body, &out, &status, &err), 0);
	ck_assert_int_eq(
	    json_object_get_int64(json_object_object_get(out, "size")), 51200);
	json_object_put(out);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"size\":20480}", u);
	ck_assert_int_eq(call(h_update_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "ValidationError");
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"size\":60000}", u);
	ck_assert_int_eq(call(h_update_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeSizeNotAvailable");

	/* a reference of a holder that never registered holds nothing */
	ck_assert_int_eq(
	    store_ref_put(fx.va.store, u, VM1, OWNER, tnfs_now_ms(), &err), 0);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"name\":\"wp3\"}", u);
	ck_assert_int_eq(call(h_update_volume, body, &out, &status, &err), 0);
	json_object_put(out);

	/* its holder alive: delete and rename refused, force deletes */
	snprintf(body, sizeof(body),
	    "{\"uuid\":\"%s\",\"owner_uuid\":\"%s\",\"hostname\":\"web-2\","
	    "\"version\":\"1.0\",\"address\":\"10.0.0.9\"}",
	    VM1, OWNER);
	ck_assert_int_eq(call(h_put_host, body, &out, &status, &err), 0);
	ck_assert_int_eq(status, 201);
	json_object_put(out);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\"}", u);
	ck_assert_int_eq(call(h_delete_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeInUse");
	ck_assert_str_eq(err.msg, "Volume with name wp3 is used by vms: " VM1);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"name\":\"wp4\"}", u);
	ck_assert_int_eq(call(h_update_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeInUse");
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"force\":\"true\"}", u);
	ck_assert_int_eq(call(h_delete_volume, body, &out, &status, &err), 0);
	ck_assert_int_eq(status, 204);
	ck_assert_ptr_null(out);
	ck_assert(vapi_fixture_wait_state(u, "gone"));
	ck_assert_int_eq(access(path, F_OK), -1);
	free(u);
}
END_TEST

START_TEST(test_sizes_and_defaults)
{
	struct tnfs_err err;
	json_object *out;
	int status;
	char body[512];

	/* The default size is the smallest listed. */
	char *u = create("sized", "");
	struct volume *v = NULL;

	ck_assert_int_eq(store_volume_get(fx.va.store, u, &v, &err), 0);
	ck_assert_uint_eq(v->size, fx.cfg.sizes[0]);
	volume_free(v);
	free(u);
	u = create("big", ",\"size\":1024000");
	free(u);
	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"" OWNER "\",\"type\":\"tritonnfs\","
	    "\"networks\":[\"%s\"],\"size\":10241}",
	    fx.cfg.networks[0].uuid);
	ck_assert_int_eq(call(h_create_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeSizeNotAvailable");
	ck_assert_ptr_nonnull(strstr(err.msg,
	    "Volume size 10241 is not available. Available sizes: 10240, "));
	/* sizes endpoint */
	ck_assert_int_eq(call(h_list_sizes, "{}", &out, &status, &err), 0);
	ck_assert_uint_eq(json_object_array_length(out), 19);
	json_object_put(out);
}
END_TEST

START_TEST(test_duplicates_and_owners)
{
	struct tnfs_err err;
	json_object *out;
	int status;
	char body[512];
	char *u = create("dup", "");

	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"" OWNER "\",\"type\":\"tritonnfs\","
	    "\"name\":\"dup\",\"networks\":[\"%s\"]}",
	    fx.cfg.networks[0].uuid);
	ck_assert_int_eq(call(h_create_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeAlreadyExists");
	/* Another owner may use the name. */
	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"" OWNER2 "\",\"type\":\"tritonnfs\","
	    "\"name\":\"dup\",\"networks\":[\"%s\"]}",
	    fx.cfg.networks[0].uuid);
	ck_assert_int_eq(call(h_create_volume, body, &out, &status, &err), 0);
	json_object_put(out);
	/* Owner mismatch is 404. */
	snprintf(body, sizeof(body),
	    "{\"uuid\":\"%s\",\"owner_uuid\":\"" OWNER2 "\"}", u);
	ck_assert_int_eq(call(h_get_volume, body, &out, &status, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotFound");
	/* Unknown network */
	ck_assert_int_eq(call(h_create_volume,
			     "{\"owner_uuid\":\"" OWNER "\",\"type\":"
			     "\"tritonnfs\",\"networks\":[\"" OWNER "\"]}",
			     &out, &status, &err),
	    -1);
	ck_assert_str_eq(err.code, "InvalidNetworks");
	ck_assert_str_eq(err.msg, "Invalid networks: missing: " OWNER);
	free(u);
}
END_TEST

/* create with affinity AFF (JSON): the error code, "" when created. */
static const char *
create_with(const char *name, const char *aff, char *msg, size_t len)
{
	static char code[64];
	char body[2048];
	json_object *out = NULL;
	struct tnfs_err err;
	int status;

	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"" OWNER "\",\"type\":\"tritonnfs\","
	    "\"name\":\"%s\",\"networks\":[\"%s\"],\"affinity\":%s}",
	    name, fx.cfg.networks[0].uuid, aff);
	if (call(h_create_volume, body, &out, &status, &err) == 0) {
		json_object_put(out);
		return "";
	}
	snprintf(code, sizeof(code), "%s", err.code);
	snprintf(msg, len, "%s", err.msg);
	ck_assert_int_eq(err.http_status, 409);
	return code;
}

/*
 * One NFS head (no exporter here): a hard rule holds or is refused with
 * the rule named; soft rules and rules against instances never refuse;
 * a malformed rule is a ValidationError; a refused create stores nothing.
 */
START_TEST(test_affinity_one_head)
{
	char msg[1024] = "";
	char *db = create("db1", ",\"labels\":{\"tier\":\"gold\"}");

	ck_assert_str_eq(create_with("a1", "[\"volume==db1\"]", msg,
			     sizeof(msg)),
	    "");
	ck_assert_str_eq(create_with("a2", "[\"volume==~/^db[0-9]$/\"]", msg,
			     sizeof(msg)),
	    "");
	ck_assert_str_eq(
	    create_with("a3", "[\"label:tier==gold\"]", msg, sizeof(msg)),
	    "");
	ck_assert_str_eq(
	    create_with("a4", "[\"instance!=wp*\"]", msg, sizeof(msg)), "");
	ck_assert_str_eq(
	    create_with("a5", "[\"volume!=~db1\"]", msg, sizeof(msg)), "");
	ck_assert_str_eq(
	    create_with("a6", "[\"volume!=nosuch*\"]", msg, sizeof(msg)), "");

	ck_assert_str_eq(
	    create_with("b1", "[\"volume!=db*\"]", msg, sizeof(msg)),
	    "AffinityNotSatisfied");
	ck_assert_str_eq(msg,
	    "affinity volume!=db* cannot be met: one NFS head serves every "
	    "volume");
	ck_assert_str_eq(
	    create_with("b2", "[\"volume==nosuch\"]", msg, sizeof(msg)),
	    "AffinityNotSatisfied");
	ck_assert_str_eq(msg,
	    "affinity volume==nosuch cannot be met: no volume of yours "
	    "matches it");
	ck_assert_str_eq(
	    create_with("b3", "[\"label:tier==silver\"]", msg, sizeof(msg)),
	    "AffinityNotSatisfied");
	ck_assert_str_eq(
	    create_with("b4", "[\"instance==wp\"]", msg, sizeof(msg)),
	    "AffinityNotSatisfied");
	ck_assert(strstr(msg, "NFS heads run no instances") != NULL);
	ck_assert_str_eq(create_with("b5", "[\"volume=db1\"]", msg,
			     sizeof(msg)),
	    "ValidationError");
	ck_assert_str_eq(create_with("b6",
			     "[{\"key\":\"volume\",\"operator\":\"<>\","
			     "\"value\":\"db1\"}]",
			     msg, sizeof(msg)),
	    "ValidationError");
	ck_assert_str_eq(
	    create_with("b7", "[\"volume==/(/\"]", msg, sizeof(msg)),
	    "ValidationError");
	/* Another owner's db1 is not this owner's. */
	{
		json_object *out = NULL;
		struct tnfs_err err;
		int status;
		char body[512];

		snprintf(body, sizeof(body),
		    "{\"owner_uuid\":\"" OWNER2 "\",\"type\":\"tritonnfs\","
		    "\"name\":\"o2\",\"networks\":[\"%s\"],"
		    "\"affinity\":[\"volume==db1\"]}",
		    fx.cfg.networks[0].uuid);
		ck_assert_int_eq(
		    call(h_create_volume, body, &out, &status, &err), -1);
		ck_assert_str_eq(err.code, "AffinityNotSatisfied");
	}
	/* Nothing refused was stored. */
	{
		struct volume_filter f = {0};
		struct volume **vs = NULL;
		struct tnfs_err err;
		size_t n = 0;

		f.name = "b*";
		ck_assert_int_eq(
		    store_volume_list(fx.va.store, &f, &vs, &n, &err), 0);
		ck_assert_uint_eq(n, 0);
		volume_list_free(vs, n);
	}
	free(db);
}
END_TEST

START_TEST(test_unnamed_and_list)
{
	struct tnfs_err err;
	json_object *out;
	int status;
	char body[512];
	const char *name;

	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"" OWNER "\",\"type\":\"tritonnfs\","
	    "\"networks\":[\"%s\"]}",
	    fx.cfg.networks[0].uuid);
	ck_assert_int_eq(call(h_create_volume, body, &out, &status, &err), 0);
	name = jsonx_get_str(out, "name");
	ck_assert_uint_eq(strlen(name), 64);
	ck_assert_int_eq(strncmp(name, jsonx_get_str(out, "uuid"), 8), 0);
	json_object_put(out);
	free(create("alpha", ""));
	ck_assert_int_eq(
	    call(h_list_volumes, "{\"name\":\"al*\"}", &out, &status, &err), 0);
	ck_assert_uint_eq(json_object_array_length(out), 1);
	json_object_put(out);
	ck_assert_int_eq(call(h_list_volumes,
			     "{\"predicate\":\"{\\\"eq\\\":[\\\"name\\\","
			     "\\\"alpha\\\"]}\",\"name\":\"alpha\"}",
			     &out, &status, &err),
	    -1);
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "conflicts with query parameter"));
}
END_TEST

START_TEST(test_crash_recovery)
{
	struct tnfs_err err;
	struct volume *v;
	char *u;

	/* A creating record with no storage, left by a crash. */
	provision_stop(fx.va.prov);
	v = volume_new();
	snprintf(
	    v->uuid, sizeof(v->uuid), "0a0a0a0a-0000-4000-8000-000000000042");
	snprintf(v->owner_uuid, sizeof(v->owner_uuid), OWNER);
	v->name = strdup("orphaned");
	snprintf(v->type, sizeof(v->type), "tritonnfs");
	v->size = 10240;
	snprintf(v->state, sizeof(v->state), "creating");
	ck_assert_int_eq(volume_set_networks(v, NET1, 1), 0);
	ck_assert_int_eq(store_volume_insert(fx.va.store, v, &err), 0);
	u = strdup(v->uuid);
	volume_free(v);
	/* Storage without a record is set aside, not deleted. */
	ck_assert_int_eq(
	    storage_volume_create(fx.va.storage,
		"0a0a0a0a-0000-4000-8000-000000000043", 10240, &err),
	    0);
	ck_assert_ptr_nonnull(fx.va.prov = provision_start(&fx.va, 2, &err));
	ck_assert(vapi_fixture_wait_state(u, "ready"));
	ck_assert_int_eq(storage_volume_exists(fx.va.storage,
			     "0a0a0a0a-0000-4000-8000-000000000043"),
	    0);
	free(u);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_volumes");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(
	    tc, vapi_fixture_setup, vapi_fixture_teardown);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_sizes_and_defaults);
	tcase_add_test(tc, test_duplicates_and_owners);
	tcase_add_test(tc, test_unnamed_and_list);
	tcase_add_test(tc, test_affinity_one_head);
	tcase_add_test(tc, test_crash_recovery);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
