/* test_jsonx.c: the strict JSON parser and the member helpers. */
#include <string.h>

#include "check_tap.h"
#include "jsonx.h"

static const struct {
	const char *text;
	size_t len; /* 0: strlen */
	int ok;
} cases[] = {
    {"{}", 0, 1},
    {"{\"a\":1}", 0, 1},
    {"  {\"a\":[1,2,{\"b\":null}]}  \n", 0, 1},
    {"[1,2,3]", 0, 1},
    {"42", 0, 1},
    {"\"caf\xc3\xa9\"", 0, 1},
    {"", 0, 0},
    {"{", 0, 0},
    {"}", 0, 0},
    {"{\"a\":1}x", 0, 0},
    {"{\"a\":1}{}", 0, 0},
    {"{'a':1}", 0, 0},
    {"{\"a\":1,}", 0, 0},
    {"[1,2,]", 0, 0},
    {"{\"a\":01}", 0, 0},
    {"{\"a\":NaN}", 0, 0},
    {"{\"a\":\"\xff\xfe\"}", 0, 0},
    {"{\"a\":\"x\0y\"}", 11, 0},
    {"/* c */ {}", 0, 0},
    {"tru", 0, 0},
    {"{\"a\":Infinity}", 0, 0},
    {"{\"a\":-Infinity}", 0, 0},
    {"[\"it's\", \"a \\\" quote\"]", 0, 1},
    {"{\"a\":'x'}", 0, 0},
    {"{\"a\":True}", 0, 0},
    {"{\"a\":nulls}", 0, 0},
    {"[1] // c", 0, 0},
};

START_TEST(test_parse_table)
{
	struct tnfs_err err;
	json_object *o;
	size_t len = cases[_i].len ? cases[_i].len : strlen(cases[_i].text);

	tnfs_err_clear(&err);
	o = jsonx_parse(cases[_i].text, len, 16, &err);
	if (cases[_i].ok) {
		ck_assert_msg(o != NULL || strcmp(cases[_i].text, "null") == 0,
		    "case %d rejected: %s", _i, err.msg);
	} else {
		ck_assert_msg(o == NULL, "case %d accepted", _i);
		ck_assert_str_eq(err.code, "ValidationError");
	}
	json_object_put(o);
}
END_TEST

START_TEST(test_depth_limit)
{
	char deep[512];
	struct tnfs_err err;
	json_object *o;
	int i, n = 0;

	for (i = 0; i < 40; i++)
		deep[n++] = '[';
	for (i = 0; i < 40; i++)
		deep[n++] = ']';
	o = jsonx_parse(deep, (size_t)n, 16, &err);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(err.msg, "nested deeper"));
	o = jsonx_parse(deep, (size_t)n, 64, &err);
	ck_assert_ptr_nonnull(o);
	json_object_put(o);
}
END_TEST

START_TEST(test_accessors_check_types)
{
	const char *t = "{\"s\":\"x\",\"i\":5,\"d\":5.5,\"b\":true,\"n\":null,"
			"\"si\":\"5\"}";
	json_object *o = jsonx_parse(t, strlen(t), 8, NULL);
	int64_t v;
	int b;

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(jsonx_get_str(o, "s"), "x");
	ck_assert_ptr_null(jsonx_get_str(o, "i"));
	ck_assert_ptr_null(jsonx_get_str(o, "missing"));
	ck_assert_int_eq(jsonx_get_int64(o, "i", &v), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(jsonx_get_int64(o, "d", &v), -1);
	ck_assert_int_eq(jsonx_get_int64(o, "si", &v), -1);
	ck_assert_int_eq(jsonx_get_bool(o, "b", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(jsonx_get_bool(o, "n", &b), -1);
	ck_assert_ptr_null(jsonx_get_str(NULL, "s"));
	json_object_put(o);
}
END_TEST

START_TEST(test_add_and_serialize)
{
	json_object *o = json_object_new_object();
	char *s;

	ck_assert_int_eq(jsonx_add_str(o, "path", "/a/b"), 0);
	ck_assert_int_eq(jsonx_add_str(o, "skip", NULL), 0);
	ck_assert_int_eq(jsonx_add_int64(o, "n", -3), 0);
	ck_assert_int_eq(jsonx_add_bool(o, "t", 7), 0);
	s = jsonx_to_string(o);
	ck_assert_str_eq(s, "{\"path\":\"/a/b\",\"n\":-3,\"t\":true}");
	free(s);
	json_object_put(o);
}
END_TEST

/* jsonx_copy_str: the one copy of a string member into a fixed buffer. */
static const struct {
	const char *json;
	unsigned flags;
	int rc;
	const char *want; /* the copy, or the message's part */
} copy_cases[] = {
    {"{\"k\":\"abc\"}", 0, 0, "abc"},
    {"{\"k\":\"abcdefg\"}", 0, 0, "abcdefg"},      /* 7 bytes fit in 8 */
    {"{\"k\":\"abcdefgh\"}", 0, -1, "longer than 7"}, /* 8 do not */
    {"{}", 0, 0, ""},
    {"{}", JSONX_REQUIRED, -1, "w: k is missing"},
    {"{\"k\":null}", 0, -1, "not a string"},
    {"{\"k\":null}", JSONX_NULL_ABSENT, 0, ""},
    {"{\"k\":null}", JSONX_NULL_ABSENT | JSONX_REQUIRED, -1, "missing"},
    {"{\"k\":5}", JSONX_NULL_ABSENT, -1, "not a string"},
    {"{\"k\":[\"a\"]}", 0, -1, "not a string"},
    {"{\"k\":\"\"}", JSONX_REQUIRED, 0, ""},
};

START_TEST(test_copy_str)
{
	struct tnfs_err err;
	json_object *o;
	char buf[8];

	tnfs_err_clear(&err);
	o = jsonx_parse(copy_cases[_i].json, strlen(copy_cases[_i].json), 8,
	    &err);
	ck_assert_ptr_nonnull(o);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(jsonx_copy_str(o, "k", buf, sizeof(buf),
			     copy_cases[_i].flags, TNFS_E_VALIDATION, "w", &err),
	    copy_cases[_i].rc);
	if (copy_cases[_i].rc == 0) {
		ck_assert_str_eq(buf, copy_cases[_i].want);
	} else {
		ck_assert_str_eq(buf, ""); /* never half a value */
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_ptr_nonnull(strstr(err.msg, copy_cases[_i].want));
	}
	json_object_put(o);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("jsonx");
	TCase *tc = tcase_create("jsonx");

	tcase_add_loop_test(
	    tc, test_parse_table, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_accessors_check_types);
	tcase_add_test(tc, test_add_and_serialize);
	tcase_add_loop_test(tc, test_copy_str, 0,
	    (int)(sizeof(copy_cases) / sizeof(copy_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
