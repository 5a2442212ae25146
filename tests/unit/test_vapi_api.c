/*
 * test_vapi_api.c: the Volume API's core called with its typed requests
 * (no JSON), and every reply build under allocation failure: the json-c
 * constructors the handlers call are interposed so that the Nth one in
 * the test's thread fails; each handler must then answer the 500
 * InternalError, or succeed with the whole body, never a 2xx with a
 * missing or partial body.  Real store, dir storage and provisioner.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "check_tap.h"
#include "child.h"
#include "exports.h"
#include "instances.h"
#include "instances_api.h"
#include "jsonx.h"
#include "provision.h"
#include "refs.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "vapi_fixture.h"
#include "volumes.h"

#define OWNER "11111111-1111-4111-8111-111111111111"
#define VM1   "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define NET   VAPI_FIXTURE_NET

/* Allocation failure injection, in this thread only. */
static _Thread_local long fail_at = -1, calls;

static int
inject(void)
{
	return fail_at >= 0 && calls++ == fail_at;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

json_object *
json_object_new_object(void)
{
	return inject() ? NULL : REAL(json_object_new_object)();
}

json_object *
json_object_new_array(void)
{
	return inject() ? NULL : REAL(json_object_new_array)();
}

json_object *
json_object_new_string(const char *s)
{
	return inject() ? NULL : REAL(json_object_new_string)(s);
}

json_object *
json_object_new_int64(int64_t i)
{
	return inject() ? NULL : REAL(json_object_new_int64)(i);
}

json_object *
json_object_new_boolean(json_bool b)
{
	return inject() ? NULL : REAL(json_object_new_boolean)(b);
}

json_object *
json_tokener_parse(const char *s)
{
	return inject() ? NULL : REAL(json_tokener_parse)(s);
}

int
json_object_object_add(json_object *o, const char *k, json_object *v)
{
	return inject() ? -1 : REAL(json_object_object_add)(o, k, v);
}

int
json_object_array_add(json_object *a, json_object *v)
{
	return inject() ? -1 : REAL(json_object_array_add)(a, v);
}

static struct caller op = {1, "", ""};

/* A ready volume made through the core's typed request. */
static struct volume *
make_volume(const char *name)
{
	static const char *const nets[] = {NET, NET};
	static const struct label labels[] = {{"role", "db"}, {"tier", "gold"}};
	struct create_req rq = {
	    .owner_uuid = OWNER,
	    .name = name,
	    .networks = nets,
	    .nnetworks = 2,
	    .labels = labels,
	    .nlabels = 2,
	    .affinity = "[\"instance!=db0\"]",
	};
	struct volume *v = NULL;
	struct tnfs_err err;

	ck_assert_msg(volumes_create(&fx.va, &rq, &v, &err) == 0, "%s", err.msg);
	ck_assert(vapi_fixture_wait_state(v->uuid, "ready"));
	return v;
}

START_TEST(test_core_create_is_typed)
{
	static const char *const bad_nets[] = {"not-a-uuid"};
	struct label long_key = {"", "x"};
	struct create_req rq = {.owner_uuid = OWNER, .name = "bad"};
	struct volume *v = make_volume("typed"), *got = NULL;
	struct tnfs_err err;

	/* Duplicate networks dropped; labels kept in order. */
	ck_assert_uint_eq(v->nnetworks, 1);
	ck_assert_str_eq(v->networks[0], NET);
	ck_assert_uint_eq(v->nlabels, 2);
	ck_assert_str_eq(v->labels[1].key, "tier");
	ck_assert_str_eq(v->labels[1].value, "gold");
	/* What the store gives back is what went in. */
	ck_assert_int_eq(store_volume_get(fx.va.store, v->uuid, &got, &err), 0);
	ck_assert_uint_eq(got->nnetworks, 1);
	ck_assert_uint_eq(got->nlabels, 2);
	ck_assert_str_eq(got->labels[0].value, "db");
	ck_assert_str_eq(got->affinity, "[\"instance!=db0\"]");
	volume_free(got);
	volume_free(v);

	/* The core refuses what a front end failed to check. */
	ck_assert_int_eq(volumes_create(&fx.va, &rq, &v, &err), -1);
	ck_assert_str_eq(err.msg,
	    "Validation error, causes: Error: networks "
	    "must be a non-empty array");
	rq.networks = bad_nets;
	rq.nnetworks = 1;
	ck_assert_int_eq(volumes_create(&fx.va, &rq, &v, &err), -1);
	ck_assert_str_eq(err.msg,
	    "Validation error, causes: Error: "
	    "not-a-uuid is not a valid network UUID");
	rq.networks = (const char *const[]){NET};
	rq.labels = &long_key;
	rq.nlabels = 1;
	rq.name = "-x";
	ck_assert_int_eq(volumes_create(&fx.va, &rq, &v, &err), -1);
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_ptr_nonnull(strstr(err.msg, "volume name must match"));
	ck_assert_ptr_nonnull(strstr(err.msg, "keys are 1-128 bytes"));
}
END_TEST

/* A record of instance id whose heartbeat (and start) is at beat. */
static void
put_instance(const char *id, int64_t beat)
{
	struct instance in = {.started_ms = beat, .heartbeat_ms = beat};
	struct tnfs_err err;

	snprintf(in.id, sizeof(in.id), "%s", id);
	snprintf(in.hostname, sizeof(in.hostname), "h");
	snprintf(in.address, sizeof(in.address), "tcp:127.0.0.1:1");
	ck_assert_msg(
	    store_instance_put(fx.va.store, &in, &err) == 0, "%s", err.msg);
}

/* Call h with params; the reply body as text (caller frees), or NULL. */
static char *
call(vapi_handler *h, const char *params, long inject_at, int *rc, int *status,
    struct tnfs_err *err)
{
	json_object *p = json_tokener_parse(params), *out = NULL;
	char *text = NULL;

	ck_assert_ptr_nonnull(p);
	tnfs_err_clear(err);
	*status = 0;
	calls = 0;
	fail_at = inject_at;
	*rc = h(&fx.va, &op, p, &out, status, err);
	fail_at = -1;
	if (out != NULL)
		ck_assert_ptr_nonnull(text = jsonx_to_string(out));
	json_object_put(out);
	json_object_put(p);
	return text;
}

/*
 * Fail each json-c allocation of one call of h in turn: every outcome is
 * the 500, or the complete reply (same status, same body as without
 * failures).
 */
static void
check_replies(vapi_handler *h, const char *name, const char *params)
{
	struct tnfs_err err;
	char *want, *got;
	int rc, want_status, status;
	long n;

	want = call(h, params, -1, &rc, &want_status, &err);
	ck_assert_msg(rc == 0, "%s: %s", name, err.msg);
	ck_assert_msg(want != NULL || want_status == 204, "%s", name);
	for (n = 0;; n++) {
		got = call(h, params, n, &rc, &status, &err);
		if (calls <= n) { /* nothing left to fail: it ran whole */
			ck_assert_int_eq(rc, 0);
			free(got);
			break;
		}
		if (rc == -1) {
			ck_assert_msg(strcmp(err.code, "InternalError") == 0 &&
				err.http_status == 500,
			    "%s, allocation %ld: %s %s", name, n, err.code,
			    err.msg);
			ck_assert_ptr_null(got);
		} else {
			ck_assert_int_eq(status, want_status);
			ck_assert_msg(want != NULL && got != NULL &&
				strcmp(want, got) == 0,
			    "%s, allocation %ld: 2xx with %s, want %s", name, n,
			    got ? got : "no body", want);
		}
		free(got);
	}
	free(want);
}

START_TEST(test_reply_builds_are_checked)
{
	struct volume *v = make_volume("oom");
	struct reservation r;
	struct resv_req rq = {"oom", VM1, OWNER, VM1};
	struct tnfs_err err;
	char p[256];

	ck_assert_int_eq(refs_add(&fx.va, v->uuid, OWNER, VM1, &err), 0);
	ck_assert_int_eq(resv_add(&fx.va, &rq, &r, &err), 0);
	check_replies(h_ping, "ping", "{}");
	snprintf(p, sizeof(p), "{\"uuid\":\"%s\"}", v->uuid);
	check_replies(h_get_volume, "GetVolume", p);
	check_replies(h_get_references, "GetVolumeReferences", p);
	check_replies(h_admin_restart_volume, "AdminRestartVolume", p);
	check_replies(h_list_snapshots, "ListVolumeSnapshots", p);
	snprintf(p, sizeof(p), "{\"uuid\":\"%s\",\"name\":\"oom\"}", v->uuid);
	check_replies(h_update_volume, "UpdateVolume", p);
	check_replies(h_list_volumes, "ListVolumes", "{}");
	check_replies(h_admin_list_volumes, "AdminListVolumes", "{}");
	check_replies(h_list_reservations, "ListVolumeReservations", "{}");
	check_replies(h_list_sizes, "ListVolumeSizes", "{}");
	check_replies(h_list_networks, "ListNetworks", "{}");
	snprintf(p, sizeof(p), "{\"uuid\":\"%s\"}", NET);
	check_replies(h_get_network, "GetNetwork", p);
	put_instance("1a1a1a1a-0000-4000-8000-00000000000a", tnfs_now_ms());
	check_replies(h_list_instances, "ListInstances", "{}");
	volume_free(v);
}
END_TEST

/* ListInstances: each record, whether alive, and the jobs it holds. */
START_TEST(test_list_instances_renders)
{
	static const char live[] = "1a1a1a1a-0000-4000-8000-00000000000a";
	static const char dead[] = "1b1b1b1b-0000-4000-8000-00000000000b";
	struct volume *v = make_volume("held");
	json_object *arr, *o;
	struct tnfs_err err;
	char *text;
	int rc, status, b;
	int64_t jobs;

	put_instance(live, tnfs_now_ms());
	put_instance(dead, tnfs_now_ms() - INSTANCES_TTL_MS - 1000);
	ck_assert_int_eq(store_volume_claim(fx.va.store, v->uuid, dead, 0, &err), 1);
	text = call(h_list_instances, "{}", -1, &rc, &status, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(status, 200);
	ck_assert_ptr_nonnull(arr = json_tokener_parse(text));
	ck_assert_uint_eq(json_object_array_length(arr), 2);
	/* Oldest start first: the dead one started first. */
	o = json_object_array_get_idx(arr, 0);
	ck_assert_str_eq(jsonx_get_str(o, "id"), dead);
	ck_assert_int_eq(jsonx_get_bool(o, "alive", &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(jsonx_get_int64(o, "jobs", &jobs), 0);
	ck_assert_int_eq(jobs, 1);
	ck_assert_str_eq(jsonx_get_str(o, "address"), "tcp:127.0.0.1:1");
	o = json_object_array_get_idx(arr, 1);
	ck_assert_str_eq(jsonx_get_str(o, "id"), live);
	ck_assert_int_eq(jsonx_get_bool(o, "alive", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(jsonx_get_int64(o, "jobs", &jobs), 0);
	ck_assert_int_eq(jobs, 0);
	/* No instance of this process is registered in this test. */
	ck_assert_int_eq(jsonx_get_bool(o, "self", &b), 0);
	ck_assert_int_eq(b, 0);
	json_object_put(arr);
	free(text);
	volume_free(v);
}
END_TEST

START_TEST(test_create_reply_is_checked)
{
	struct tnfs_err err;
	char p[512], *got;
	int rc, status;
	long n;

	/* Each try creates a volume: a failure is the 500, never a 201 with
	 * less than the whole record. */
	for (n = 0;; n++) {
		snprintf(p, sizeof(p),
		    "{\"owner_uuid\":\"" OWNER "\",\"type\":\"tritonnfs\","
		    "\"name\":\"c%ld\",\"networks\":[\"" NET "\"],"
		    "\"labels\":{\"a\":\"b\"},\"affinity\":[\"x!=~y\"]}",
		    n);
		got = call(h_create_volume, p, n, &rc, &status, &err);
		if (rc == -1) {
			ck_assert_str_eq(err.code, "InternalError");
			ck_assert_ptr_null(got);
		} else {
			json_object *o = json_tokener_parse(got);

			ck_assert_int_eq(status, 201);
			ck_assert_ptr_nonnull(o);
			ck_assert_int_eq(json_object_object_length(o), 12);
			ck_assert_str_eq(
			    jsonx_get_str(
				json_object_object_get(o, "labels"), "a"),
			    "b");
			json_object_put(o);
		}
		free(got);
		if (calls <= n)
			break;
	}
	ck_assert_int_eq(rc, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_api");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(
	    tc, vapi_fixture_setup, vapi_fixture_teardown);
	tcase_add_test(tc, test_core_create_is_typed);
	tcase_add_test(tc, test_reply_builds_are_checked);
	tcase_add_test(tc, test_create_reply_is_checked);
	tcase_add_test(tc, test_list_instances_renders);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
