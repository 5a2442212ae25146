/*
 * test_cli_common.c: what both command lines share (client/cli_common.c):
 * node-triton's age format, short ids, the fixed clock, the CloudAPI form
 * of a volume, the 4-space JSON printer, and where the configuration comes
 * from (flags over environment over profile), with hostile profiles.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_tap.h"
#include "cli_common.h"
#include "jsonx.h"

static const struct {
	int64_t diff_ms;
	const char *want;
} age_cases[] = {
    {0, "0s"},
    {-5000, "0s"}, /* created in the future: clock skew */
    {499, "0s"},
    {500, "1s"}, /* rounded to the second first */
    {59 * 1000, "59s"},
    {60 * 1000, "1m"},
    {5 * 60 * 1000 + 59 * 1000, "5m"},
    {3600 * 1000LL, "1h"},
    {23 * 3600 * 1000LL, "23h"},
    {86400 * 1000LL, "1d"},
    {6 * 86400 * 1000LL, "6d"},
    {7 * 86400 * 1000LL, "1w"},
    {364 * 86400 * 1000LL, "52w"},
    {365 * 86400 * 1000LL, "1y"},
    {3 * 365 * 86400 * 1000LL + 1, "3y"},
    {1000LL * 365 * 86400 * 1000LL, "1000y"},
};

START_TEST(test_age)
{
	char buf[CLI_AGE_BUFSZ];
	int64_t then = 1500000000000LL;

	cli_format_age(then + age_cases[_i].diff_ms, then, buf);
	ck_assert_str_eq(buf, age_cases[_i].want);
}
END_TEST

START_TEST(test_shortid)
{
	char buf[CLI_SHORTID_BUFSZ];

	cli_shortid("8c800121-8806-42d5-9229-62aeec1c76a7", buf);
	ck_assert_str_eq(buf, "8c800121");
	cli_shortid("abc", buf);
	ck_assert_str_eq(buf, "abc");
	cli_shortid(NULL, buf);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_fixed_clock)
{
	setenv("TRITONNFS_NOW", "2017-11-16T17:31:56.763Z", 1);
	ck_assert_int_eq(cli_now_ms(), 1510853516763LL);
	/* A malformed value falls back to the real clock. */
	setenv("TRITONNFS_NOW", "yesterday", 1);
	ck_assert_int_gt(cli_now_ms(), 1510853516763LL);
	unsetenv("TRITONNFS_NOW");
}
END_TEST

static const char vol_json[] =
    "{\"uuid\":\"8c800121-8806-42d5-9229-62aeec1c76a7\","
    "\"owner_uuid\":\"11111111-1111-4111-8111-111111111111\","
    "\"name\":\"wp\",\"type\":\"tritonnfs\",\"size\":10240,"
    "\"state\":\"ready\",\"create_timestamp\":\"2017-11-16T17:31:56.763Z\","
    "\"networks\":[\"5a36a07d-cb46-4fff-897e-9521b2a2d1fe\"],"
    "\"labels\":{},\"vm_uuid\":\"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\","
    "\"filesystem_path\":\"10.0.0.5:/exports/data\",\"refs\":[]}";

START_TEST(test_volume_json_is_cloudapi_form)
{
	struct vapi_volume v;
	struct tnfs_err err;
	json_object *raw, *js;
	char *text;

	memset(&v, 0, sizeof(v));
	raw = jsonx_parse(vol_json, strlen(vol_json), 8, &err);
	ck_assert_ptr_nonnull(raw);
	ck_assert_int_eq(vapi_volume_from_json(&v, raw, &err), 0);
	js = cli_volume_json(&v);
	ck_assert_ptr_nonnull(js);
	text = jsonx_to_string(js);
	ck_assert_str_eq(text,
	    "{\"id\":\"8c800121-8806-42d5-9229-62aeec1c76a7\","
	    "\"owner_uuid\":\"11111111-1111-4111-8111-111111111111\","
	    "\"name\":\"wp\",\"type\":\"tritonnfs\",\"size\":10240,"
	    "\"state\":\"ready\","
	    "\"created\":\"2017-11-16T17:31:56.763Z\","
	    "\"networks\":[\"5a36a07d-cb46-4fff-897e-9521b2a2d1fe\"],"
	    "\"tags\":{},\"filesystem_path\":\"10.0.0.5:/exports/data\","
	    "\"refs\":[]}");
	free(text);
	json_object_put(js);
	json_object_put(raw);
	vapi_volume_clear(&v);
}
END_TEST

static char *
capture_pretty(const char *json)
{
	struct tnfs_err err;
	json_object *o = jsonx_parse(json, strlen(json), 16, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(o);
	f = open_memstream(&buf, &len);
	cli_print_json_pretty(f, o);
	fclose(f);
	json_object_put(o);
	return buf;
}

START_TEST(test_pretty_is_json_stringify_4)
{
	char *out;

	out = capture_pretty("{\"a\":1,\"b\":[],\"c\":{},\"d\":[true,null,"
			     "\"x/y\\\"\"],\"e\":{\"f\":1.5}}");
	ck_assert_str_eq(out,
	    "{\n"
	    "    \"a\": 1,\n"
	    "    \"b\": [],\n"
	    "    \"c\": {},\n"
	    "    \"d\": [\n"
	    "        true,\n"
	    "        null,\n"
	    "        \"x/y\\\"\"\n"
	    "    ],\n"
	    "    \"e\": {\n"
	    "        \"f\": 1.5\n"
	    "    }\n"
	    "}\n");
	free(out);
	out = capture_pretty("{\"we\\nird\":\"\\u0001\"}");
	ck_assert_str_eq(out, "{\n    \"we\\nird\": \"\\u0001\"\n}\n");
	free(out);
	out = capture_pretty("[]");
	ck_assert_str_eq(out, "[]\n");
	free(out);
}
END_TEST

/* ---- configuration ---- */

static char profile_dir[] = "/tmp/tnfs-test-cli-XXXXXX";
static char profile_path[64];

static void
setup_env(void)
{
	ck_assert_ptr_nonnull(mkdtemp(profile_dir));
	snprintf(
	    profile_path, sizeof(profile_path), "%s/profile.json", profile_dir);
	setenv("TRITONNFS_PROFILE", profile_path, 1);
	unsetenv("TRITONNFS_URL");
	unsetenv("TRITONNFS_TOKEN");
	unsetenv("TRITONNFS_OWNER");
	unsetenv("TRITONNFS_TIMEOUT");
}

static void
teardown_env(void)
{
	unlink(profile_path);
	rmdir(profile_dir);
	memcpy(profile_dir + strlen(profile_dir) - 6, "XXXXXX", 6);
}

static void
write_profile(const char *text, size_t len)
{
	FILE *f = fopen(profile_path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int
connect_with(struct cli *c, int need_owner)
{
	cli_init(c, "test");
	return cli_connect(c, need_owner);
}

START_TEST(test_config_none_is_clear_error)
{
	struct cli c;

	ck_assert_int_eq(connect_with(&c, 0), -1);
	ck_assert_ptr_null(c.vapi);
	cli_fini(&c);
}
END_TEST

START_TEST(test_config_precedence)
{
	static const char p[] =
	    "{\"url\":\"http://profile:1\",\"token\":\"pt\","
	    "\"owner\":\"11111111-1111-4111-8111-111111111111\"}";
	struct cli c;

	write_profile(p, strlen(p));
	ck_assert_int_eq(connect_with(&c, 1), 0);
	ck_assert_str_eq(c.url, "http://profile:1");
	ck_assert_str_eq(c.token, "pt");
	cli_fini(&c);

	setenv("TRITONNFS_URL", "http://env:2", 1);
	ck_assert_int_eq(connect_with(&c, 1), 0);
	ck_assert_str_eq(c.url, "http://env:2");
	ck_assert_str_eq(c.token, "pt");
	cli_fini(&c);

	cli_init(&c, "test");
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_URL, "http://flag:3"), 1);
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_TOKEN, "ft"), 1);
	ck_assert_int_eq(cli_conn_option(&c, 'x', NULL), 0);
	ck_assert_int_eq(cli_connect(&c, 1), 0);
	ck_assert_str_eq(c.url, "http://flag:3");
	ck_assert_str_eq(c.token, "ft");
	ck_assert_str_eq(c.owner, "11111111-1111-4111-8111-111111111111");
	cli_fini(&c);
}
END_TEST

START_TEST(test_config_owner_checks)
{
	struct cli c;

	setenv("TRITONNFS_URL", "http://env:2", 1);
	ck_assert_int_eq(connect_with(&c, 1), -1); /* no owner */
	cli_fini(&c);
	ck_assert_int_eq(connect_with(&c, 0), 0);
	cli_fini(&c);
	setenv("TRITONNFS_OWNER", "11111111-1111-4111-8111-11111111111X", 1);
	ck_assert_int_eq(connect_with(&c, 0), -1);
	cli_fini(&c);
	setenv("TRITONNFS_OWNER", "11111111-1111-4111-8111-111111111111", 1);
	ck_assert_int_eq(connect_with(&c, 1), 0);
	cli_fini(&c);
}
END_TEST

START_TEST(test_config_timeout_values)
{
	struct cli c;

	setenv("TRITONNFS_URL", "http://env:2", 1);
	cli_init(&c, "test");
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_TIMEOUT, "0"), -1);
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_TIMEOUT, "-1"), -1);
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_TIMEOUT, "1e3"), -1);
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_TIMEOUT, "86401"), -1);
	ck_assert_int_eq(cli_conn_option(&c, CLI_OPT_TIMEOUT, "7"), 1);
	ck_assert_int_eq(c.timeout_ms, 7000);
	cli_fini(&c);
	setenv("TRITONNFS_TIMEOUT", "nope", 1);
	ck_assert_int_eq(connect_with(&c, 0), -1);
	cli_fini(&c);
}
END_TEST

/* Profiles that must be refused with a message, never half-used. */
static const struct {
	const char *text;
	size_t len; /* 0: strlen */
} bad_profiles[] = {
    {"", 0}, {"not json", 0}, {"[\"url\"]", 0}, {"{\"url\":5}", 0},
    {"{\"url\":null}", 0}, {"{\"token\":[\"x\"]}", 0},
    {"{\"url\":\"http://a:1\"} trailing", 0}, {"{\"url\":\"http://a:1\",}", 0},
    {"{\"url\":\"a\0b\"}", 14}, {"{\"url\":\"\xff\xfe\"}", 0},
    {"{'url':'http://a:1'}", 0},
    {"{\"owner\":\"nobody\",\"url\":\"http://a:1\"}", 0},
    {"{\"url\":\"ftp://a\"}", 0},
    {"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}"
     "}}}}}",
	0}, /* deeper than 8 */
};

START_TEST(test_config_bad_profiles)
{
	struct cli c;

	write_profile(bad_profiles[_i].text,
	    bad_profiles[_i].len != 0 ? bad_profiles[_i].len
				      : strlen(bad_profiles[_i].text));
	ck_assert_msg(connect_with(&c, 0) == -1, "profile %d accepted", _i);
	ck_assert_ptr_null(c.vapi);
	cli_fini(&c);
}
END_TEST

START_TEST(test_config_huge_profile)
{
	size_t len = 70 * 1024;
	char *big = malloc(len);
	struct cli c;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	write_profile(big, len);
	free(big);
	ck_assert_int_eq(connect_with(&c, 0), -1);
	cli_fini(&c);
}
END_TEST

START_TEST(test_config_profile_directory_and_missing)
{
	struct cli c;

	/* A profile that is a directory is an error ... */
	setenv("TRITONNFS_PROFILE", profile_dir, 1);
	setenv("TRITONNFS_URL", "http://env:2", 1);
	ck_assert_int_eq(connect_with(&c, 0), -1);
	cli_fini(&c);
	/* ... a missing one is not. */
	setenv("TRITONNFS_PROFILE", "/nonexistent/tnfs/profile.json", 1);
	ck_assert_int_eq(connect_with(&c, 0), 0);
	cli_fini(&c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cli_common");
	TCase *tc = tcase_create("format");
	TCase *cfg = tcase_create("config");

	tcase_add_loop_test(
	    tc, test_age, 0, sizeof(age_cases) / sizeof(age_cases[0]));
	tcase_add_test(tc, test_shortid);
	tcase_add_test(tc, test_fixed_clock);
	tcase_add_test(tc, test_volume_json_is_cloudapi_form);
	tcase_add_test(tc, test_pretty_is_json_stringify_4);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(cfg, setup_env, teardown_env);
	tcase_add_test(cfg, test_config_none_is_clear_error);
	tcase_add_test(cfg, test_config_precedence);
	tcase_add_test(cfg, test_config_owner_checks);
	tcase_add_test(cfg, test_config_timeout_values);
	tcase_add_loop_test(cfg, test_config_bad_profiles, 0,
	    sizeof(bad_profiles) / sizeof(bad_profiles[0]));
	tcase_add_test(cfg, test_config_huge_profile);
	tcase_add_test(cfg, test_config_profile_directory_and_missing);
	suite_add_tcase(s, cfg);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
