/*
 * test_vapi_jsfmt.c: node v6's renderings the VAPI's predicate messages
 * quote: Number#toString, util.inspect(v, false, 10) and JSON.parse's
 * errors (V8 5.1).  Expected texts are node v6.17.1's.
 */
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "jsfmt.h"
#include "jsonx.h"

static const struct {
	double d;
	const char *text;
} numbers[] = {
    {0, "0"},
    {-0.0, "0"},
    {1, "1"},
    {-1, "-1"},
    {10240, "10240"},
    {1.5, "1.5"},
    {0.1, "0.1"},
    {-1.5e-7, "-1.5e-7"},
    {0.000001, "0.000001"},
    {1e21, "1e+21"},
    {1e20, "100000000000000000000"},
    {123456789012345678901234.0, "1.2345678901234569e+23"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {5e-324, "5e-324"},
    {9007199254740993.0, "9007199254740992"},
};

START_TEST(test_number)
{
	char buf[40];

	jsfmt_number(numbers[_i].d, buf, sizeof(buf));
	ck_assert_str_eq(buf, numbers[_i].text);
}
END_TEST

static const struct {
	const char *json;
	const char *text;
} inspects[] = {
    {"null", "null"},
    {"true", "true"},
    {"5", "5"},
    {"1e400", "Infinity"},
    {"\"eq\"", "'eq'"},
    {"\"a'b\"", "'a\\'b'"},
    {"\"a\\\"b\"", "'a\"b'"},
    {"\"a\\\\b\"", "'a\\\\b'"},
    {"\"t\\tn\\nc\\u0001\"", "'t\\tn\\nc\\u0001'"},
    {"\"caf\\u00e9\"", "'caf\xc3\xa9'"},
    {"[]", "[]"},
    {"{}", "{}"},
    {"[1,2]", "[ 1, 2 ]"},
    {"{\"eq\":[\"invalid-pred\",null]}", "{ eq: [ 'invalid-pred', null ] }"},
    {"{\"b\":1,\"1\":2,\"a-b\":3,\"_x\":4}", "{ '1': 2, b: 1, 'a-b': 3, _x: 4 }"},
    {"{\"x'y\":1,\"x\\\"y\":2}", "{ 'x\\'y': 1, 'x\"y': 2 }"},
    /* past 60 columns: one entry per line, nested lines indented */
    {"{\"and\":[{\"eq\":[\"name\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]},{\"eq\":"
     "[\"state\",\"ready\"]},{\"eq\":[\"network\",\"x\"]}]}",
	"{ and: \n   [ { eq: [ 'name', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' ] },\n"
	"     { eq: [ 'state', 'ready' ] },\n     { eq: [ 'network', 'x' ] } "
	"] }"},
    /* depth 10: the eleventh level is [Object], arrays included */
    {"[[[[[[[[[[[[1]]]]]]]]]]]]",
	"[ [ [ [ [ [ [ [ [ [ [ [Object] ] ] ] ] ] ] ] ] ] ] ]"},
};

START_TEST(test_inspect)
{
	struct tnfs_err err;
	json_object *o;
	char *s;

	tnfs_err_clear(&err);
	o = jsonx_parse(
	    inspects[_i].json, strlen(inspects[_i].json), 32, &err);
	ck_assert_msg(o != NULL || err.code[0] == '\0', "%s: %s",
	    inspects[_i].json, err.msg);
	s = jsfmt_inspect(o);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, inspects[_i].text);
	free(s);
	json_object_put(o);
}
END_TEST

START_TEST(test_inspect_negative_zero)
{
	json_object *z = json_object_new_double(-0.0);
	char *s = jsfmt_inspect(z);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "-0");
	free(s);
	json_object_put(z);
}
END_TEST

START_TEST(test_inspect_long_array)
{
	json_object *a = json_object_new_array();
	char *s;
	int i;

	for (i = 0; i < 103; i++)
		json_object_array_add(a, json_object_new_int(0));
	s = jsfmt_inspect(a);
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(strstr(s, "0,\n  0") != NULL, "%s", s);
	ck_assert_msg(strstr(s, ",\n  ... 3 more items ]") != NULL, "%s", s);
	free(s);
	json_object_put(a);
}
END_TEST

static const struct {
	const char *text;
	const char *msg; /* NULL: well-formed */
} parses[] = {
    {"{}", NULL},
    {" [1, -2.5e+3, \"x\\u00e9\\n\", true, false, null] ", NULL},
    {"", "Unexpected end of JSON input"},
    {"   ", "Unexpected end of JSON input"},
    {"{", "Unexpected end of JSON input"},
    {"\"abc", "Unexpected end of JSON input"},
    {"tru", "Unexpected end of JSON input"},
    {"invalid", "Unexpected token i in JSON at position 0"},
    {"{eq:1}", "Unexpected token e in JSON at position 1"},
    {"{'eq':1}", "Unexpected token ' in JSON at position 1"},
    {"{\"eq\":[1,]}", "Unexpected token ] in JSON at position 9"},
    {"{\"a\":1,}", "Unexpected token } in JSON at position 7"},
    {"{\"a\" 1}", "Unexpected number in JSON at position 5"},
    {"{\"a\" \"b\"}", "Unexpected string in JSON at position 5"},
    {"1 2", "Unexpected number in JSON at position 2"},
    {"01", "Unexpected number in JSON at position 1"},
    {"-", "Unexpected end of JSON input"},
    {"-a", "Unexpected token a in JSON at position 1"},
    {"1.e3", "Unexpected token e in JSON at position 2"},
    {"1e", "Unexpected end of JSON input"},
    {"fxlse", "Unexpected token x in JSON at position 1"},
    {"\"a\\x\"", "Unexpected token x in JSON at position 3"},
    {"\"\\u12G4\"", "Unexpected token G in JSON at position 5"},
    {"\"a\nb\"", "Unexpected token \n in JSON at position 2"},
    /* positions count UTF-16 units, as String#length does */
    {"[\"\xc3\xa9\xf0\x9f\x98\x80\",x]",
	"Unexpected token x in JSON at position 7"},
    {"\xc3\xa9", "Unexpected token \xc3\xa9 in JSON at position 0"},
};

START_TEST(test_json_error)
{
	char msg[200];
	int rc = jsfmt_json_error(
	    parses[_i].text, strlen(parses[_i].text), msg, sizeof(msg));

	if (parses[_i].msg == NULL) {
		ck_assert_int_eq(rc, 0);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(msg, parses[_i].msg);
	}
}
END_TEST

START_TEST(test_length)
{
	ck_assert_uint_eq(jsfmt_length("abc", 3), 3);
	ck_assert_uint_eq(jsfmt_length("\xc3\xa9", 2), 1);
	ck_assert_uint_eq(jsfmt_length("\xe2\x98\x83", 3), 1);
	ck_assert_uint_eq(jsfmt_length("\xf0\x9f\x98\x80", 4), 2);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_jsfmt");
	TCase *tc = tcase_create("node");

	tcase_add_loop_test(
	    tc, test_number, 0, sizeof(numbers) / sizeof(numbers[0]));
	tcase_add_loop_test(
	    tc, test_inspect, 0, sizeof(inspects) / sizeof(inspects[0]));
	tcase_add_test(tc, test_inspect_negative_zero);
	tcase_add_test(tc, test_inspect_long_array);
	tcase_add_loop_test(
	    tc, test_json_error, 0, sizeof(parses) / sizeof(parses[0]));
	tcase_add_test(tc, test_length);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
