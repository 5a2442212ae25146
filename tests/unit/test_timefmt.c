/* test_timefmt.c: clocks, and RFC 3339 formatting and parsing. */
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "timefmt.h"

static const struct {
	int64_t ms;
	const char *text;
} fmts[] = {
    {0, "1970-01-01T00:00:00.000Z"},
    {1510853516763, "2017-11-16T17:31:56.763Z"},
    {951782400000, "2000-02-29T00:00:00.000Z"},
    {-1, "1969-12-31T23:59:59.999Z"},
    {-1000, "1969-12-31T23:59:59.000Z"},
    {-1001, "1969-12-31T23:59:58.999Z"},
    {4102444799999, "2099-12-31T23:59:59.999Z"},
    {253402300799999, "9999-12-31T23:59:59.999Z"},
    {-62167219200000, "0000-01-01T00:00:00.000Z"},
    {-61851600000000, "0010-01-01T00:00:00.000Z"},
    {253402300800000, "invalid-time"},
    {-62167219200001, "invalid-time"},
    {INT64_MAX, "invalid-time"},
    {INT64_MIN, "invalid-time"},
};

START_TEST(test_format_round_trips)
{
	char buf[TNFS_TIME_BUFSZ];
	struct tnfs_err err;
	int64_t back = 0;

	tnfs_time_format(fmts[_i].ms, buf);
	ck_assert_str_eq(buf, fmts[_i].text);
	if (strcmp(buf, "invalid-time") == 0) {
		ck_assert_int_eq(tnfs_time_parse(buf, &back, &err), -1);
		return;
	}
	ck_assert_msg(
	    tnfs_time_parse(buf, &back, &err) == 0, "%s: %s", buf, err.msg);
	ck_assert_int_eq(back, fmts[_i].ms);
}
END_TEST

#define BASE 1510853516000 /* 2017-11-16T17:31:56Z */

static const struct {
	const char *text;
	int ok;
	int64_t ms;
} parses[] = {
    {"2017-11-16T17:31:56Z", 1, BASE},
    {"2017-11-16T17:31:56.763Z", 1, BASE + 763},
    {"2017-11-16t17:31:56.763z", 1, BASE + 763},
    {"2017-11-16 17:31:56.763Z", 1, BASE + 763},
    {"2017-11-16T17:31:56.7Z", 1, BASE + 700},
    {"2017-11-16T17:31:56.76Z", 1, BASE + 760},
    {"2017-11-16T17:31:56.7639Z", 1, BASE + 763},
    {"2017-11-16T17:31:56.763999999Z", 1, BASE + 763},
    {"2017-11-16T19:31:56.763+02:00", 1, BASE + 763},
    {"2017-11-16T12:01:56-05:30", 1, BASE},
    {"2017-11-16T17:31:56+00:00", 1, BASE},
    {"2017-11-16T17:31:56-00:00", 1, BASE},
    {"2017-11-17T01:31:56+08:00", 1, BASE},
    {"2017-11-15T23:31:56-18:00", 1, BASE},
    {"2017-11-17T17:30:56+23:59", 1, BASE},
    {"2000-02-29T00:00:00Z", 1, 951782400000},
    {"2016-02-29T00:00:00Z", 1, 1456704000000},
    {"2017-12-31T23:59:59.999Z", 1, 1514764799999},
    {"1970-01-01T00:00:00Z", 1, 0},
    {"1969-12-31T23:59:59.999Z", 1, -1},
    {"1970-01-01T00:00:00+01:00", 1, -3600000},
    /* hostile */
    {NULL, 0, 0},
    {"", 0, 0},
    {"2017-11-16", 0, 0},
    {"2017-11-16T", 0, 0},
    {"2017-11-16T17:31", 0, 0},
    {"2017-11-16T17:31:56", 0, 0},
    {"2017-11-16T17:31:56.763", 0, 0},
    {"2017-11-16T17:31:56.763Zjunk", 0, 0},
    {"2017-11-16T17:31:56.763Z ", 0, 0},
    {" 2017-11-16T17:31:56.763Z", 0, 0},
    {"2017-11-16T17:31:56.763Z\n", 0, 0},
    {"2017-11-16T17:31:56+02:00x", 0, 0},
    {"2017-11-16T17:31:56.Z", 0, 0},
    {"2017-11-16T17:31:56.1234567890Z", 0, 0},
    {"2017-11-16T17:31:56,763Z", 0, 0},
    {"2017-02-30T00:00:00Z", 0, 0},
    {"2017-02-29T00:00:00Z", 0, 0},
    {"1900-02-29T00:00:00Z", 0, 0},
    {"2017-04-31T00:00:00Z", 0, 0},
    {"2017-13-01T00:00:00Z", 0, 0},
    {"2017-00-01T00:00:00Z", 0, 0},
    {"2017-01-00T00:00:00Z", 0, 0},
    {"2017-01-32T00:00:00Z", 0, 0},
    {"2017-11-16T24:00:00Z", 0, 0},
    {"2017-11-16T23:60:00Z", 0, 0},
    {"2017-11-16T23:59:60Z", 0, 0},
    {"2017-11-16T23:59:99Z", 0, 0},
    {"2017-11-16T17:31:56+24:00", 0, 0},
    {"2017-11-16T17:31:56+02:60", 0, 0},
    {"2017-11-16T17:31:56+0200", 0, 0},
    {"2017-11-16T17:31:56+02", 0, 0},
    {"2017-11-16T17:31:56 +02:00", 0, 0},
    {"2017-11-16T17:31:56UTC", 0, 0},
    {"2017-11-16X17:31:56Z", 0, 0},
    {"17-11-16T17:31:56Z", 0, 0},
    {"+2017-11-16T17:31:56Z", 0, 0},
    {"20171116T173156Z", 0, 0},
    {"2017/11/16T17:31:56Z", 0, 0},
    {"2017-1-16T17:31:56Z", 0, 0},
    {"2017-11-16T7:31:56Z", 0, 0},
    {"2017-11-16T17:31:5Z", 0, 0},
    {"2017-11-16T-7:31:56Z", 0, 0},
    {"Thu, 16 Nov 2017 17:31:56 GMT", 0, 0},
    {"1510853516763", 0, 0},
    {"2017-11-16T17:31:56\xc3\xa9", 0, 0},
    {"\xef\xbc\x92"
     "017-11-16T17:31:56Z",
	0, 0},
};

START_TEST(test_parse_table)
{
	struct tnfs_err err;
	int64_t ms = 12345;
	int rc;

	tnfs_err_clear(&err);
	rc = tnfs_time_parse(parses[_i].text, &ms, &err);
	if (parses[_i].ok) {
		ck_assert_msg(rc == 0, "time case %d (%s) rejected: %s", _i,
		    parses[_i].text, err.msg);
		ck_assert_int_eq(ms, parses[_i].ms);
	} else {
		ck_assert_msg(rc == -1, "time case %d (%s) accepted", _i,
		    parses[_i].text);
		ck_assert_int_eq(ms, 12345);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_ptr_nonnull(strstr(err.msg, "expected RFC 3339"));
	}
}
END_TEST

START_TEST(test_parse_message_is_printable_and_short)
{
	struct tnfs_err err;
	int64_t ms;
	char big[2048];

	ck_assert_int_eq(
	    tnfs_time_parse("2017-02-30T00:00:00Z", &ms, &err), -1);
	ck_assert_str_eq(err.msg,
	    "invalid time \"2017-02-30T00:00:00Z\": no such day in that month; "
	    "expected RFC 3339 such as 2017-11-16T17:31:56.763Z");
	ck_assert_int_eq(tnfs_time_parse("2017\n\x1b[2J", &ms, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"2017...\""));
	memset(big, '2', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(tnfs_time_parse(big, &ms, &err), -1);
	ck_assert_uint_lt(strlen(err.msg), 200);
	ck_assert_int_eq(tnfs_time_parse("x", &ms, NULL), -1);
}
END_TEST

static void
round_trip_day(int64_t day)
{
	int64_t ms = day * 86400000 + 45296789, back = 0; /* 12:34:56.789 */
	char buf[TNFS_TIME_BUFSZ];

	tnfs_time_format(ms, buf);
	ck_assert_msg(tnfs_time_parse(buf, &back, NULL) == 0, "%s", buf);
	ck_assert_int_eq(back, ms);
}

START_TEST(test_days_round_trip)
{
	int64_t day;

	/* Every day of 1999-2000 (2000 is leap) and 2099-2100 (not). */
	for (day = 10592; day < 11323; day++)
		round_trip_day(day);
	for (day = 47117; day < 47847; day++)
		round_trip_day(day);
	/* A sample across the years 0000-9999. */
	for (day = -719528; day < 2932897; day += 997)
		round_trip_day(day);
}
END_TEST

START_TEST(test_clocks)
{
	char buf[TNFS_TIME_BUFSZ];
	int64_t now = tnfs_now_ms(), m1, m2, back;

	/* After 2020-01-01, before 2100: a sane wall clock in ms. */
	ck_assert_int_gt(now, INT64_C(1577836800000));
	ck_assert_int_lt(now, INT64_C(4102444800000));
	tnfs_time_format(now, buf);
	ck_assert_int_eq(tnfs_time_parse(buf, &back, NULL), 0);
	ck_assert_int_eq(back, now);
	m1 = tnfs_mono_ms();
	m2 = tnfs_mono_ms();
	ck_assert_int_ge(m1, 0);
	ck_assert_int_ge(m2, m1);
}
END_TEST

/* A deadline is ms ahead of the wall clock, its nanoseconds in range. */
START_TEST(test_deadline_ts_is_ahead_and_normalised)
{
	static const int64_t ms[] = {0, 1, 999, 1000, 1001, 1999, 60000};
	struct timespec ts;
	int64_t before, after, at;
	size_t i;

	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		before = tnfs_now_ms();
		tnfs_deadline_ts(&ts, ms[i]);
		after = tnfs_now_ms();
		ck_assert_int_ge(ts.tv_nsec, 0);
		ck_assert_int_lt(ts.tv_nsec, 1000000000);
		at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		ck_assert_int_ge(at, before + ms[i]);
		ck_assert_int_le(at, after + ms[i]);
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("timefmt");
	TCase *tc = tcase_create("timefmt");

	tcase_add_loop_test(tc, test_format_round_trips, 0,
	    (int)(sizeof(fmts) / sizeof(fmts[0])));
	tcase_add_loop_test(
	    tc, test_parse_table, 0, (int)(sizeof(parses) / sizeof(parses[0])));
	tcase_add_test(tc, test_parse_message_is_printable_and_short);
	tcase_add_test(tc, test_days_round_trip);
	tcase_add_test(tc, test_clocks);
	tcase_add_test(tc, test_deadline_ts_is_ahead_and_normalised);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
