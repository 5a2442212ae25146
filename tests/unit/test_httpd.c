/*
 * test_httpd.c: what lib/httpd.c decides about text from the wire: which
 * byte strings are UTF-8, and how anything else is escaped for log lines
 * and messages.  (The server itself is exercised by vapi_slow_clients.sh
 * and plugin_protocol.sh.)
 */
#include <string.h>

#include "check_tap.h"
#include "httpd.h"

static const struct {
	const char *in;
	size_t len;
	int valid;
} utf8_cases[] = {
    {"", 0, 1},
    {"plain ascii", 11, 1},
    {"\xc3\xa9t\xc3\xa9", 6, 1},           /* été */
    {"\xe2\x82\xac", 3, 1},                 /* € */
    {"\xf0\x9f\x98\x80", 4, 1},             /* U+1F600 */
    {"\xf4\x8f\xbf\xbf", 4, 1},             /* U+10FFFF */
    {"\xff", 1, 0},                         /* never in UTF-8 */
    {"\xfe\xff", 2, 0},
    {"\xc3\x28", 2, 0},                     /* bad continuation */
    {"\xc3", 1, 0},                         /* cut short */
    {"\xe2\x82", 2, 0},
    {"\xc0\xaf", 2, 0},                     /* overlong '/' */
    {"\xe0\x80\xaf", 3, 0},                 /* overlong '/' */
    {"\xf0\x80\x80\xaf", 4, 0},             /* overlong '/' */
    {"\xed\xa0\x80", 3, 0},                 /* UTF-16 surrogate */
    {"\xf4\x90\x80\x80", 4, 0},             /* past U+10FFFF */
    {"\x80", 1, 0},                         /* lone continuation */
    {"ok\xffok", 5, 0},
};

START_TEST(test_utf8_valid)
{
	size_t i;

	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++)
		ck_assert_msg(httpd_utf8_valid(utf8_cases[i].in,
				  utf8_cases[i].len) == utf8_cases[i].valid,
		    "case %zu", i);
}
END_TEST

static const struct {
	const char *in;
	const char *out;
} escape_cases[] = {
    {"/volumes/abc", "/volumes/abc"},
    {"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},
    {"a\xff" "b", "a\\xffb"},
    {"\xc3\x28", "\\xc3("},
    {"line\nbreak", "line\\x0abreak"},
    {"tab\there", "tab\\x09here"},
    {"back\\slash", "back\\x5cslash"},
    {"del\x7f", "del\\x7f"},
    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},
};

START_TEST(test_escape)
{
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		httpd_escape(escape_cases[i].in, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, escape_cases[i].out) == 0,
		    "case %zu: got %s", i, buf);
		ck_assert(httpd_utf8_valid(buf, strlen(buf)));
	}
}
END_TEST

/* Cut to fit, never in the middle of a sequence or an escape. */
START_TEST(test_escape_truncates_whole)
{
	char buf[6];

	httpd_escape("abc\xff", buf, sizeof(buf));
	ck_assert_str_eq(buf, "abc");
	httpd_escape("ab\xc3\xa9\xc3\xa9", buf, sizeof(buf));
	ck_assert_str_eq(buf, "ab\xc3\xa9");
	httpd_escape("x", buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("httpd");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_escape_truncates_whole);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
