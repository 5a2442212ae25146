/*
 * test_affinity.c: placement rules compiled from both their forms (parsed
 * objects and CloudAPI's text), matched exactly, as globs and as regular
 * expressions; the plugin's comma-separated list; every malformed,
 * oversized and hostile rule refused with a message naming it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affinity.h"
#include "check_tap.h"

static struct tnfs_affinity *
compile_text(const char *json, struct tnfs_err *err)
{
	json_object *j = json_tokener_parse(json);
	struct tnfs_affinity *a = NULL;

	if (tnfs_affinity_compile(j, &a, err) == -1)
		a = NULL;
	json_object_put(j);
	return a;
}

START_TEST(test_both_forms)
{
	struct tnfs_err err;
	struct tnfs_affinity *a = compile_text(
	    "[\"volume!=db*\", \"label:tier==~/^gold[0-9]$/\","
	    " {\"key\":\"volume\",\"operator\":\"==\",\"value\":\"web\"},"
	    " \"instance!=wp\", \"role==x\"]",
	    &err);
	const struct tnfs_affinity_rule *r;

	ck_assert_msg(a != NULL, "%s", err.msg);
	ck_assert_uint_eq(tnfs_affinity_count(a), 5);
	r = tnfs_affinity_rule(a, 0);
	ck_assert_int_eq(r->kind, TNFS_AFFINITY_VOLUME);
	ck_assert(!r->equal && !r->soft);
	ck_assert_str_eq(r->text, "volume!=db*");
	ck_assert(tnfs_affinity_value_matches(a, 0, "db1"));
	ck_assert(!tnfs_affinity_value_matches(a, 0, "xdb1"));
	r = tnfs_affinity_rule(a, 1);
	ck_assert_int_eq(r->kind, TNFS_AFFINITY_LABEL);
	ck_assert_str_eq(r->label, "tier");
	ck_assert(r->equal && r->soft);
	ck_assert(tnfs_affinity_value_matches(a, 1, "gold7"));
	ck_assert(!tnfs_affinity_value_matches(a, 1, "gold77"));
	ck_assert(!tnfs_affinity_value_matches(a, 1, NULL));
	r = tnfs_affinity_rule(a, 2);
	ck_assert(r->equal && !r->soft);
	ck_assert(tnfs_affinity_value_matches(a, 2, "web"));
	ck_assert(!tnfs_affinity_value_matches(a, 2, "web1"));
	ck_assert_int_eq(
	    tnfs_affinity_rule(a, 3)->kind, TNFS_AFFINITY_INSTANCE);
	r = tnfs_affinity_rule(a, 4);
	ck_assert_int_eq(r->kind, TNFS_AFFINITY_LABEL);
	ck_assert_str_eq(r->label, "role");
	tnfs_affinity_free(a);
}
END_TEST

static const struct {
	const char *json;
	const char *msg; /* a part of the message */
} bad_cases[] = {
    {"{}", "must be an array"},
    {"\"volume==a\"", "must be an array"},
    {"[1]", "rule 0: must be a string or an object"},
    {"[\"volume\"]", "rule 0"},
    {"[\"volume==\"]", "rule 0"},
    {"[\"volume==a\", \"in stance==b\"]", "rule 1"},
    {"[{\"operator\":\"==\",\"value\":\"a\"}]", "key must be"},
    {"[{\"key\":\"\",\"operator\":\"==\",\"value\":\"a\"}]", "key must be"},
    {"[{\"key\":\"a b\",\"operator\":\"==\",\"value\":\"a\"}]",
	"key may hold"},
    {"[{\"key\":\"volume\",\"operator\":\"=~\",\"value\":\"a\"}]",
	"operator"},
    {"[{\"key\":\"volume\",\"operator\":\"==\"}]", "value must be"},
    {"[{\"key\":\"volume\",\"operator\":\"==\",\"value\":\"a\\u0001\"}]",
	"value must be"},
    {"[{\"key\":\"volume\",\"operator\":\"==\",\"value\":\"a\","
     "\"isSoft\":\"yes\"}]",
	"isSoft"},
    {"[{\"key\":\"volume\",\"operator\":\"==\",\"value\":\"a\","
     "\"valueType\":\"sql\"}]",
	"valueType"},
    {"[{\"key\":\"label:\",\"operator\":\"==\",\"value\":\"a\"}]",
	"names no label"},
    {"[\"volume==/a(/\"]", "bad regular expression"},
    {"[{\"key\":\"volume\",\"operator\":\"==\",\"value\":\"(\","
     "\"valueType\":\"re\"}]",
	"bad regular expression"},
};

START_TEST(test_bad)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_ptr_null(compile_text(bad_cases[_i].json, &err));
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_msg(strstr(err.msg, bad_cases[_i].msg) != NULL,
	    "%s: got \"%s\"", bad_cases[_i].json, err.msg);
}
END_TEST

START_TEST(test_too_many_or_too_long)
{
	char json[4096], value[TNFS_AFFINITY_VALUE_MAX + 2];
	struct tnfs_err err;
	size_t i, len = 0;

	len += (size_t)snprintf(json + len, sizeof(json) - len, "[");
	for (i = 0; i <= TNFS_AFFINITY_RULES_MAX; i++)
		len += (size_t)snprintf(json + len, sizeof(json) - len,
		    "%s\"volume!=v%zu\"", i ? "," : "", i);
	snprintf(json + len, sizeof(json) - len, "]");
	ck_assert_ptr_null(compile_text(json, &err));
	ck_assert_msg(strstr(err.msg, "at most 16") != NULL, "%s", err.msg);

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	snprintf(json, sizeof(json),
	    "[{\"key\":\"volume\",\"operator\":\"==\",\"value\":\"%s\"}]",
	    value);
	ck_assert_ptr_null(compile_text(json, &err));
	ck_assert_msg(strstr(err.msg, "value must be") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_list)
{
	struct tnfs_err err;
	json_object *a = tnfs_affinity_list_parse(
	    "volume!=db,label:tier==~gold", &err);
	char many[512] = "";
	size_t i;

	ck_assert_msg(a != NULL, "%s", err.msg);
	ck_assert_uint_eq(json_object_array_length(a), 2);
	ck_assert_str_eq(json_object_to_json_string_ext(
			     json_object_array_get_idx(a, 1),
			     JSON_C_TO_STRING_PLAIN),
	    "{\"key\":\"label:tier\",\"operator\":\"==\",\"value\":\"gold\","
	    "\"isSoft\":true,\"valueType\":\"exact\"}");
	json_object_put(a);

	ck_assert_ptr_null(tnfs_affinity_list_parse("volume!=db,", &err));
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_ptr_null(tnfs_affinity_list_parse("", &err));
	ck_assert_ptr_null(tnfs_affinity_list_parse("volume=db", &err));
	for (i = 0; i <= TNFS_AFFINITY_RULES_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%svolume!=v%zu", i ? "," : "", i);
	ck_assert_ptr_null(tnfs_affinity_list_parse(many, &err));
	ck_assert_msg(strstr(err.msg, "at most 16") != NULL, "%s", err.msg);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("affinity");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_both_forms);
	tcase_add_loop_test(
	    tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_too_many_or_too_long);
	tcase_add_test(tc, test_list);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
