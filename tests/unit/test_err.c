/* test_err.c: the error type and its JSON forms. */
#include <string.h>

#include "check_tap.h"
#include "err.h"

START_TEST(test_set_fills_code_status_message)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert(!tnfs_err_isset(&err));
	tnfs_err_set(&err, TNFS_E_IN_USE, "Volume with name %s is used", "v1");
	ck_assert_str_eq(err.code, "VolumeInUse");
	ck_assert_int_eq(err.http_status, 409);
	ck_assert_str_eq(err.msg, "Volume with name v1 is used");
	ck_assert(tnfs_err_is(&err, TNFS_E_IN_USE));
	ck_assert(!tnfs_err_is(&err, TNFS_E_NOT_FOUND));
}
END_TEST

START_TEST(test_every_code_has_a_name_and_status)
{
	for (int i = 1; i < TNFS_E__COUNT; i++) {
		ck_assert_ptr_nonnull(tnfs_ecode_name(i));
		ck_assert(strlen(tnfs_ecode_name(i)) > 0);
		ck_assert(tnfs_ecode_status(i) >= 400);
	}
	ck_assert_int_eq(tnfs_ecode_status(TNFS_E_VALIDATION), 409);
	ck_assert_int_eq(tnfs_ecode_status(TNFS_E_NOT_FOUND), 404);
	ck_assert_str_eq(tnfs_ecode_name(TNFS_E_SIZE_NOT_AVAILABLE),
	    "VolumeSizeNotAvailable");
	ck_assert_str_eq(tnfs_ecode_name(TNFS_E__COUNT + 5), "InternalError");
}
END_TEST

START_TEST(test_null_err_is_accepted)
{
	tnfs_err_set(NULL, TNFS_E_INTERNAL, "x");
	tnfs_err_errno(NULL, TNFS_E_INTERNAL, 2, "x");
	tnfs_err_prefix(NULL, "x");
	tnfs_err_clear(NULL);
	ck_assert(!tnfs_err_isset(NULL));
}
END_TEST

START_TEST(test_errno_appends_strerror)
{
	struct tnfs_err err;

	tnfs_err_errno(&err, TNFS_E_INTERNAL, 2, "cannot open %s", "/x");
	ck_assert_str_eq(err.msg, "cannot open /x: No such file or directory");
	ck_assert_int_eq(err.sys_errno, 2);
}
END_TEST

START_TEST(test_prefix_keeps_code)
{
	struct tnfs_err err;

	tnfs_err_set(&err, TNFS_E_TIMEOUT, "no answer");
	tnfs_err_prefix(&err, "mount of %s", "v");
	ck_assert_str_eq(err.msg, "mount of v: no answer");
	ck_assert_str_eq(err.code, "Timeout");
}
END_TEST

START_TEST(test_long_message_is_truncated_not_overflowed)
{
	struct tnfs_err err;
	char big[5000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tnfs_err_set(&err, TNFS_E_INTERNAL, "%s", big);
	ck_assert_uint_eq(strlen(err.msg), TNFS_ERR_MSG_MAX - 1);
	tnfs_err_prefix(&err, "%s", big);
	ck_assert_uint_eq(strlen(err.msg), TNFS_ERR_MSG_MAX - 1);
	tnfs_err_set_raw(&err, big, 500, big);
	ck_assert_uint_eq(strlen(err.code), TNFS_ERR_CODE_MAX - 1);
}
END_TEST

START_TEST(test_vapi_json_round_trip)
{
	struct tnfs_err err, back;
	json_object *o;
	const char *text;

	tnfs_err_set(&err, TNFS_E_VALIDATION,
	    "Validation error, causes: Error: invalid parameter: bogus");
	o = tnfs_err_to_vapi_json(&err);
	ck_assert_ptr_nonnull(o);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	tnfs_err_from_vapi_body(&back, 409, text, strlen(text));
	ck_assert_str_eq(back.code, "ValidationError");
	ck_assert_str_eq(back.msg, err.msg);
	ck_assert_int_eq(back.http_status, 409);
	json_object_put(o);
}
END_TEST

START_TEST(test_from_hostile_bodies)
{
	static const char *bodies[] = {
	    "",
	    "not json",
	    "{",
	    "[]",
	    "{\"code\":5}",
	    "null",
	    "{\"message\":\"no code\"}",
	    "\"str\"",
	    "{\"code\":null}",
	};
	struct tnfs_err err;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		tnfs_err_from_vapi_body(
		    &err, 502, bodies[i], strlen(bodies[i]));
		ck_assert(tnfs_err_isset(&err));
		ck_assert_str_eq(err.code, "InternalError");
		ck_assert_int_eq(err.http_status, 502);
		ck_assert_ptr_nonnull(strstr(err.msg, "502"));
	}
	tnfs_err_from_vapi_body(&err, 404, NULL, 0);
	ck_assert_str_eq(err.code, "ResourceNotFound");
}
END_TEST

START_TEST(test_docker_err_has_prefix)
{
	struct tnfs_err err;
	json_object *o, *e;

	tnfs_err_set(&err, TNFS_E_IN_USE, "used by host h1");
	o = tnfs_err_to_docker_json(&err);
	ck_assert(json_object_object_get_ex(o, "Err", &e));
	ck_assert_str_eq(
	    json_object_get_string(e), "tritonnfs: used by host h1");
	json_object_put(o);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("err");

	tcase_add_test(tc, test_set_fills_code_status_message);
	tcase_add_test(tc, test_every_code_has_a_name_and_status);
	tcase_add_test(tc, test_null_err_is_accepted);
	tcase_add_test(tc, test_errno_appends_strerror);
	tcase_add_test(tc, test_prefix_keeps_code);
	tcase_add_test(tc, test_long_message_is_truncated_not_overflowed);
	tcase_add_test(tc, test_vapi_json_round_trip);
	tcase_add_test(tc, test_from_hostile_bodies);
	tcase_add_test(tc, test_docker_err_has_prefix);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
