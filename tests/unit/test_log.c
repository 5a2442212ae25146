/* test_log.c: records are one bunyan JSON line each. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_tap.h"
#include "jsonx.h"
#include "log.h"

/* Log into a pipe and return the first line's record (caller puts). */
static json_object *
capture(void (*emit_fn)(void))
{
	static char buf[8192];
	int p[2];
	ssize_t n;
	char *nl;

	ck_assert_int_eq(pipe(p), 0);
	log_set_fd(p[1]);
	emit_fn();
	log_set_fd(2);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_ptr_null(strchr(nl + 1, '\n'));
	return jsonx_parse(buf, (size_t)(nl - buf), 8, NULL);
}

static void
emit_info(void)
{
	json_object *f = json_object_new_object();

	jsonx_add_str(f, "volume", "wp-uploads");
	jsonx_add_str(f, "level", "must not override");
	log_msg(TNFS_LOG_INFO, f, "created %s in %d ms", "v", 12);
}

static void
emit_debug(void)
{
	log_debug("hidden");
}

static void
emit_err(void)
{
	struct tnfs_err err;

	tnfs_err_set(&err, TNFS_E_IN_USE, "used by h1");
	log_err(TNFS_LOG_WARN, &err, "delete refused");
}

START_TEST(test_record_has_bunyan_fields)
{
	json_object *r;
	int64_t v;

	log_init("tritonnfs-test");
	log_set_level(TNFS_LOG_INFO);
	r = capture(emit_info);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(jsonx_get_str(r, "name"), "tritonnfs-test");
	ck_assert_ptr_nonnull(jsonx_get_str(r, "hostname"));
	ck_assert_int_eq(jsonx_get_int64(r, "pid", &v), 0);
	ck_assert_int_eq(v, getpid());
	ck_assert_int_eq(jsonx_get_int64(r, "level", &v), 0);
	ck_assert_int_eq(v, 30);
	ck_assert_int_eq(jsonx_get_int64(r, "v", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_str_eq(jsonx_get_str(r, "msg"), "created v in 12 ms");
	ck_assert_str_eq(jsonx_get_str(r, "volume"), "wp-uploads");
	ck_assert_uint_eq(strlen(jsonx_get_str(r, "time")), 24);
	json_object_put(r);
}
END_TEST

START_TEST(test_below_level_is_dropped)
{
	log_set_level(TNFS_LOG_INFO);
	ck_assert_ptr_null(capture(emit_debug));
	log_set_level(TNFS_LOG_TRACE);
	json_object *r = capture(emit_debug);
	ck_assert_ptr_nonnull(r);
	json_object_put(r);
}
END_TEST

START_TEST(test_err_fields)
{
	json_object *r;

	log_set_level(TNFS_LOG_INFO);
	r = capture(emit_err);
	ck_assert_str_eq(jsonx_get_str(r, "err_code"), "VolumeInUse");
	ck_assert_str_eq(jsonx_get_str(r, "err"), "used by h1");
	json_object_put(r);
}
END_TEST

START_TEST(test_level_names)
{
	static const struct {
		const char *in;
		int level;
	} good[] = {{"trace", 10}, {"DEBUG", 20}, {"info", 30}, {"warn", 40},
	    {"error", 50}, {"fatal", 60}, {"35", 35}};
	static const char *bad[] = {
	    "", "verbose", "5", "61", "30x", "-30", " info"};
	struct tnfs_err err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(log_set_level_str(good[i].in, &err), 0);
		ck_assert_int_eq(log_get_level(), good[i].level);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(log_set_level_str(bad[i], &err), -1);
		ck_assert_str_eq(err.code, "ValidationError");
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc, test_record_has_bunyan_fields);
	tcase_add_test(tc, test_below_level_is_dropped);
	tcase_add_test(tc, test_err_fields);
	tcase_add_test(tc, test_level_names);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
