/*
 * test_vapi_validate.c: VOLAPI parameter checks: cause lists and their
 * message, unknown/missing parameters, names, booleans, Accept-Version.
 */
#include <string.h>

#include "api_params.h"
#include "check_tap.h"
#include "http.h"
#include "jsonx.h"
#include "validate.h"

static const struct {
	const char *name;
	int ok;
	const char *cause;
} vnames[] = {
    {"ab", 1, NULL},
    {"wp-uploads", 1, NULL},
    {"A.b_c-9", 1, NULL},
    {"0a", 1, NULL},
    /* hostile */
    {"a", 0, "volume name must match"},
    {"", 0, "volume name must match"},
    {"-ab", 0, "volume name must match"},
    {".ab", 0, "volume name must match"},
    {"_ab", 0, "volume name must match"},
    {"a b", 0, "volume name must match"},
    {"a/b", 0, "volume name must match"},
    {"../x", 0, "volume name must match"},
    {"a*", 0, "volume name must match"},
    {"a\n", 0, "volume name must match"},
    {"caf\xc3\xa9", 0, "volume name must match"},
    {"a;rm -rf /", 0, "volume name must match"},
};

START_TEST(test_volume_names)
{
	struct causes c;
	int ok;

	causes_init(&c);
	ok = valid_volume_name(vnames[_i].name, &c);
	ck_assert_int_eq(ok, vnames[_i].ok);
	if (!ok)
		ck_assert_ptr_nonnull(strstr(c.text, vnames[_i].cause));
}
END_TEST

START_TEST(test_volume_name_lengths)
{
	char buf[300];
	struct causes c;

	memset(buf, 'a', sizeof(buf));
	buf[256] = '\0';
	causes_init(&c);
	ck_assert_int_eq(valid_volume_name(buf, &c), 1);
	buf[256] = 'a';
	buf[257] = '\0';
	ck_assert_int_eq(valid_volume_name(buf, &c), 0);
	ck_assert_str_eq(
	    c.text, "Error: volume name is too long, max length is 256");
}
END_TEST

START_TEST(test_snapshot_names)
{
	char buf[80];
	struct causes c;

	causes_init(&c);
	ck_assert_int_eq(valid_snapshot_name("s", &c), 1);
	ck_assert_int_eq(valid_snapshot_name("before-upgrade.1", &c), 1);
	ck_assert_int_eq(valid_snapshot_name("", &c), 0);
	ck_assert_int_eq(valid_snapshot_name("a/b", &c), 0);
	ck_assert_int_eq(valid_snapshot_name("..", &c), 0);
	memset(buf, 'a', 65);
	buf[65] = '\0';
	ck_assert_int_eq(valid_snapshot_name(buf, &c), 0);
	buf[64] = '\0';
	ck_assert_int_eq(valid_snapshot_name(buf, &c), 1);
}
END_TEST

START_TEST(test_causes_message)
{
	struct tnfs_err err;
	struct causes c;

	causes_init(&c);
	ck_assert_int_eq(causes_finish(&c, &err), 0);
	causes_add(&c, "invalid parameter: %s", "bogus");
	causes_add(&c, "missing mandatory parameter: %s", "type");
	ck_assert_int_eq(causes_finish(&c, &err), -1);
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_int_eq(err.http_status, 409);
	ck_assert_str_eq(err.msg,
	    "Validation error, causes: Error: invalid parameter: bogus, "
	    "Error: missing mandatory parameter: type");
}
END_TEST

START_TEST(test_causes_overflow_is_bounded)
{
	struct tnfs_err err;
	struct causes c;
	int i;

	causes_init(&c);
	for (i = 0; i < 1000; i++)
		causes_add(&c, "invalid parameter: %0200d", i);
	ck_assert_int_eq(c.n, 1000);
	ck_assert_int_eq(causes_finish(&c, &err), -1);
	ck_assert_uint_lt(strlen(err.msg), sizeof(err.msg));
}
END_TEST

START_TEST(test_params_unknown_and_missing)
{
	static const char *const allowed[] = {"name", NULL};
	static const char *const required[] = {"owner_uuid", "type", NULL};
	struct tnfs_err err;
	struct causes c;
	json_object *p = json_tokener_parse("{\"name\":\"x\",\"bogus\":1,"
					    "\"type\":\"tritonnfs\"}");

	causes_init(&c);
	validate_params(p, allowed, required, &c);
	ck_assert_int_eq(causes_finish(&c, &err), -1);
	ck_assert_str_eq(err.msg,
	    "Validation error, causes: Error: invalid parameter: bogus, "
	    "Error: missing mandatory parameter: owner_uuid");
	json_object_put(p);
}
END_TEST

START_TEST(test_param_uuid)
{
	json_object *p = json_tokener_parse(
	    "{\"a\":\"peanutbutter\",\"b\":\"0A0A0A0A-0000-4000-8000-"
	    "000000000001\","
	    "\"c\":\"0a0a0a0a-0000-4000-8000-000000000001\",\"d\":7}");
	struct causes c;

	causes_init(&c);
	ck_assert_ptr_null(param_uuid(p, "a", "uuid", &c));
	ck_assert_str_eq(
	    c.text, "Error: peanutbutter is not a valid uuid UUID");
	ck_assert_ptr_null(param_uuid(p, "b", "uuid", &c));
	ck_assert_ptr_nonnull(param_uuid(p, "c", "uuid", &c));
	ck_assert_ptr_null(param_uuid(p, "d", "uuid", &c));
	ck_assert_ptr_null(param_uuid(p, "absent", "uuid", &c));
	ck_assert_int_eq(c.n, 3);
	json_object_put(p);
}
END_TEST

START_TEST(test_param_bool)
{
	json_object *p = json_tokener_parse(
	    "{\"t\":\"true\",\"f\":\"false\",\"y\":\"yes\",\"T\":\"TRUE\","
	    "\"b\":true,\"n\":1}");
	struct causes c;

	causes_init(&c);
	ck_assert_int_eq(param_bool(p, "t", 0, &c), 1);
	ck_assert_int_eq(param_bool(p, "f", 1, &c), 0);
	ck_assert_int_eq(param_bool(p, "b", 0, &c), 1);
	ck_assert_int_eq(param_bool(p, "absent", 0, &c), 0);
	ck_assert_int_eq(c.n, 0);
	ck_assert_int_eq(param_bool(p, "y", 0, &c), -1);
	ck_assert_str_eq(
	    c.text, "Error: yes is not a valid boolean string value for y.");
	ck_assert_int_eq(param_bool(p, "T", 0, &c), -1);
	ck_assert_int_eq(param_bool(p, "n", 0, &c), -1);
	json_object_put(p);
}
END_TEST

static const struct {
	const char *v;
	int ok;
} versions[] = {
    {"~1", 1},
    {"^1", 1},
    {"1", 1},
    {"1.x", 1},
    {"1.0", 1},
    {"1.0.0", 1},
    {"1.x.x", 1},
    {"*", 1},
    {">=1.0.0", 1},
    {"~1.0", 1},
    {"~2", 0},
    {"2", 0},
    {"1.1", 0},
    {"1.0.1", 0},
    {"0.9", 0},
    {"", 0},
    {"~", 0},
    {"1.0.0.0", 0},
    {"banana", 0},
    {"11", 0},
};

START_TEST(test_accept_version)
{
	ck_assert_msg(http_version_ok(versions[_i].v) == versions[_i].ok, "%s",
	    versions[_i].v);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_validate");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(
	    tc, test_volume_names, 0, sizeof(vnames) / sizeof(vnames[0]));
	tcase_add_test(tc, test_volume_name_lengths);
	tcase_add_test(tc, test_snapshot_names);
	tcase_add_test(tc, test_causes_message);
	tcase_add_test(tc, test_causes_overflow_is_bounded);
	tcase_add_test(tc, test_params_unknown_and_missing);
	tcase_add_test(tc, test_param_uuid);
	tcase_add_test(tc, test_param_bool);
	tcase_add_loop_test(
	    tc, test_accept_version, 0, sizeof(versions) / sizeof(versions[0]));
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
