/*
 * test_cli_args.c: triton-volume's own argument syntax (client/cli_args.c):
 * affinity rules, tags and list filters, each with the malformed, oversized
 * and hostile values users and scripts can pass.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "affinity.h"
#include "cli_args.h"
#include "jsonx.h"

static const struct {
	const char *rule;
	const char *want; /* compact JSON, NULL: refused */
} affinity_cases[] = {
    {"instance!=wp-server",
	"{\"key\":\"instance\",\"operator\":\"!=\",\"value\":\"wp-server\","
	"\"isSoft\":false,\"valueType\":\"exact\"}"},
    {"instance==db",
	"{\"key\":\"instance\",\"operator\":\"==\",\"value\":\"db\","
	"\"isSoft\":false,\"valueType\":\"exact\"}"},
    {"role==~web*",
	"{\"key\":\"role\",\"operator\":\"==\",\"value\":\"web*\","
	"\"isSoft\":true,\"valueType\":\"glob\"}"},
    {"container!=~/^db[0-9]+$/",
	"{\"key\":\"container\",\"operator\":\"!=\",\"value\":"
	"\"/^db[0-9]+$/\",\"isSoft\":true,\"valueType\":\"re\"}"},
    {"docker:label:app==x=y",
	"{\"key\":\"docker:label:app\",\"operator\":\"==\",\"value\":"
	"\"x=y\",\"isSoft\":false,\"valueType\":\"exact\"}"},
    {"a==//", /* too short to be a regular expression */
	"{\"key\":\"a\",\"operator\":\"==\",\"value\":\"//\","
	"\"isSoft\":false,\"valueType\":\"exact\"}"},
    {"", NULL},
    {"instance", NULL},
    {"instance=db", NULL},
    {"==db", NULL},
    {"!=db", NULL},
    {"instance==", NULL},
    {"instance==~", NULL},
    {"in stance==db", NULL},
    {"in\tstance==db", NULL},
    {"instance==d\nb", NULL},
    {"instance==d\x1b[2Jb", NULL},
    {"k\xc3\xa9y==x", NULL},
    {"$(reboot)==x", NULL},
};

START_TEST(test_affinity)
{
	struct tnfs_err err;
	json_object *o;
	char *text;

	tnfs_err_clear(&err);
	o = tnfs_affinity_rule_parse(affinity_cases[_i].rule, &err);
	if (affinity_cases[_i].want == NULL) {
		ck_assert_msg(
		    o == NULL, "accepted \"%s\"", affinity_cases[_i].rule);
		ck_assert_str_eq(err.code, "ValidationError");
		return;
	}
	ck_assert_msg(
	    o != NULL, "refused \"%s\": %s", affinity_cases[_i].rule, err.msg);
	text = jsonx_to_string(o);
	ck_assert_str_eq(text, affinity_cases[_i].want);
	free(text);
	json_object_put(o);
}
END_TEST

START_TEST(test_affinity_lengths)
{
	char rule[2048];
	struct tnfs_err err;
	json_object *o;

	/* A key of 127 bytes is the most. */
	memset(rule, 'k', 127);
	strcpy(rule + 127, "==v");
	o = tnfs_affinity_rule_parse(rule, &err);
	ck_assert_ptr_nonnull(o);
	json_object_put(o);
	memset(rule, 'k', 128);
	strcpy(rule + 128, "==v");
	ck_assert_ptr_null(tnfs_affinity_rule_parse(rule, &err));
	/* A value of 512 bytes is the most. */
	strcpy(rule, "k==");
	memset(rule + 3, 'v', 512);
	rule[515] = '\0';
	o = tnfs_affinity_rule_parse(rule, &err);
	ck_assert_ptr_nonnull(o);
	json_object_put(o);
	memset(rule + 3, 'v', 513);
	rule[516] = '\0';
	ck_assert_ptr_null(tnfs_affinity_rule_parse(rule, &err));
}
END_TEST

static const struct {
	const char *kv;
	const char *key, *value; /* NULL key: refused */
} tag_cases[] = {
    {"env=prod", "env", "prod"},
    {"env=", "env", ""},
    {"a=b=c", "a", "b=c"},
    {"k=\xc3\xa9t\xc3\xa9", "k", "\xc3\xa9t\xc3\xa9"},
    {"k=$(rm -rf /)", "k", "$(rm -rf /)"},
    {"", NULL, NULL},
    {"env", NULL, NULL},
    {"=prod", NULL, NULL},
    {"e\nv=x", NULL, NULL},
    {"env=a\rb", NULL, NULL},
};

START_TEST(test_tags)
{
	struct tnfs_err err;
	json_object *labels = json_object_new_object();
	int rc;

	tnfs_err_clear(&err);
	rc = cli_tag_add(labels, tag_cases[_i].kv, &err);
	if (tag_cases[_i].key == NULL) {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_int_eq(json_object_object_length(labels), 0);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(jsonx_get_str(labels, tag_cases[_i].key),
		    tag_cases[_i].value);
	}
	json_object_put(labels);
}
END_TEST

START_TEST(test_tag_key_length)
{
	char kv[600];
	struct tnfs_err err;
	json_object *labels = json_object_new_object();

	memset(kv, 'k', 256);
	strcpy(kv + 256, "=v");
	ck_assert_int_eq(cli_tag_add(labels, kv, &err), 0);
	memset(kv, 'k', 257);
	strcpy(kv + 257, "=v");
	ck_assert_int_eq(cli_tag_add(labels, kv, &err), -1);
	json_object_put(labels);
}
END_TEST

static const struct {
	const char *args[4];
	const char *name, *owner; /* query parameters expected */
	const char *predicate;    /* NULL: none; "!": refused */
} filter_cases[] = {
    {{NULL}, NULL, NULL, "{\"ne\":[\"state\",\"failed\"]}"},
    {{"name=db", NULL}, "db", NULL, NULL},
    {{"name=*db*", NULL}, "*db*", NULL, NULL},
    {{"owner=11111111-1111-4111-8111-111111111111", NULL}, NULL,
	"11111111-1111-4111-8111-111111111111", NULL},
    {{"state=failed", NULL}, NULL, NULL, "{\"eq\":[\"state\",\"failed\"]}"},
    {{"size=10G", NULL}, NULL, NULL, "{\"eq\":[\"size\",10240]}"},
    {{"size=512", NULL}, NULL, NULL, "{\"eq\":[\"size\",512]}"},
    {{"size=1T", "type=tritonnfs", "name=x", NULL}, "x", NULL,
	"{\"and\":[{\"eq\":[\"size\",1048576]},"
	"{\"eq\":[\"type\",\"tritonnfs\"]}]}"},
    {{"state=ready", "state=creating", NULL}, NULL, NULL,
	"{\"and\":[{\"eq\":[\"state\",\"ready\"]},"
	"{\"eq\":[\"state\",\"creating\"]}]}"},
    {{"state=\"quoted\"", NULL}, NULL, NULL,
	"{\"eq\":[\"state\",\"\\\"quoted\\\"\"]}"},
    {{"name", NULL}, NULL, NULL, "!"},
    {{"=x", NULL}, NULL, NULL, "!"},
    {{"name=", NULL}, NULL, NULL, "!"},
    {{"color=red", NULL}, NULL, NULL, "!"},
    {{"Name=db", NULL}, NULL, NULL, "!"},
    {{"names=db", NULL}, NULL, NULL, "!"},
    {{"owner=bob", NULL}, NULL, NULL, "!"},
    {{"size=big", NULL}, NULL, NULL, "!"},
    {{"size=0", NULL}, NULL, NULL, "!"},
    {{"size=-1G", NULL}, NULL, NULL, "!"},
    {{"state=re\nady", NULL}, NULL, NULL, "!"},
    {{"state=ready", "bogus", NULL}, NULL, NULL, "!"},
};

START_TEST(test_filters)
{
	struct vapi_list_filter f;
	struct tnfs_err err;
	char *pred = NULL;
	int n = 0, rc;

	memset(&f, 0, sizeof(f));
	tnfs_err_clear(&err);
	while (n < 4 && filter_cases[_i].args[n] != NULL)
		n++;
	rc = cli_list_filter(n, filter_cases[_i].args, &f, &pred, &err);
	if (filter_cases[_i].predicate != NULL &&
	    strcmp(filter_cases[_i].predicate, "!") == 0) {
		ck_assert_msg(rc == -1, "case %d accepted", _i);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_ptr_null(pred);
		return;
	}
	ck_assert_msg(rc == 0, "case %d refused: %s", _i, err.msg);
	if (filter_cases[_i].predicate == NULL)
		ck_assert_ptr_null(pred);
	else
		ck_assert_str_eq(pred, filter_cases[_i].predicate);
	if (filter_cases[_i].name == NULL)
		ck_assert_ptr_null(f.name);
	else
		ck_assert_str_eq(f.name, filter_cases[_i].name);
	if (filter_cases[_i].owner == NULL)
		ck_assert_ptr_null(f.owner_uuid);
	else
		ck_assert_str_eq(f.owner_uuid, filter_cases[_i].owner);
	free(pred);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cli_args");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_affinity, 0,
	    sizeof(affinity_cases) / sizeof(affinity_cases[0]));
	tcase_add_test(tc, test_affinity_lengths);
	tcase_add_loop_test(
	    tc, test_tags, 0, sizeof(tag_cases) / sizeof(tag_cases[0]));
	tcase_add_test(tc, test_tag_key_length);
	tcase_add_loop_test(tc, test_filters, 0,
	    sizeof(filter_cases) / sizeof(filter_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
