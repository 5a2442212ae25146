/*
 * test_parse.c: volume names, sizes, numbers, booleans and clone sources,
 * good and hostile.
 */
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "parse.h"

#define RE_MSG   "volume name must match /^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]+$/"
#define LONG_MSG "volume name is too long, max length is 256"

/*
 * Names.  text NULL with fill > 0 stands for fill 'a' characters, built at
 * run time; text NULL with fill 0 is a NULL pointer.
 */
static const struct {
	const char *text;
	size_t fill;
	int ok;
	const char *msg; /* start of the message when rejected */
} names[] = {
    {"ab", 0, 1, NULL},
    {"a1", 0, 1, NULL},
    {"0x", 0, 1, NULL},
    {"A-b_c.d", 0, 1, NULL},
    {"my-volume.v2", 0, 1, NULL},
    {"a-", 0, 1, NULL},
    {"a_", 0, 1, NULL},
    {"a.", 0, 1, NULL},
    {"a.b.c", 0, 1, NULL},
    {"9", 0, 0, RE_MSG},
    {NULL, 2, 1, NULL},
    {NULL, 256, 1, NULL},
    /* hostile */
    {NULL, 0, 0, "volume name must be a string"},
    {"", 0, 0, RE_MSG},
    {"a", 0, 0, RE_MSG},
    {NULL, 1, 0, RE_MSG},
    {NULL, 257, 0, LONG_MSG},
    {NULL, 4096, 0, LONG_MSG},
    {"-a", 0, 0, RE_MSG},
    {"_a", 0, 0, RE_MSG},
    {".a", 0, 0, RE_MSG},
    {".", 0, 0, RE_MSG},
    {"..", 0, 0, RE_MSG},
    {"...", 0, 0, RE_MSG},
    {"a..b", 0, 0, RE_MSG},
    {"ab..", 0, 0, RE_MSG},
    {"../etc", 0, 0, RE_MSG},
    {"a/b", 0, 0, RE_MSG},
    {"a/", 0, 0, RE_MSG},
    {"/a", 0, 0, RE_MSG},
    {"a\\b", 0, 0, RE_MSG},
    {"a\x01"
     "b",
	0, 0, RE_MSG},
    {"a\x7f", 0, 0, RE_MSG},
    {"a\x1b[31m", 0, 0, RE_MSG},
    {"caf\xc3\xa9", 0, 0, RE_MSG},
    {"\xc3\xa9t\xc3\xa9", 0, 0, RE_MSG},
    {"a\xff\xfe", 0, 0, RE_MSG},
    {"a b", 0, 0, RE_MSG},
    {" ab", 0, 0, RE_MSG},
    {"ab ", 0, 0, RE_MSG},
    {"a\tb", 0, 0, RE_MSG},
    {"ab\n", 0, 0, RE_MSG},
    {"a\rb", 0, 0, RE_MSG},
    {"%2e%2e", 0, 0, RE_MSG},
    {"a%2fb", 0, 0, RE_MSG},
    {"a:b", 0, 0, RE_MSG},
    {"a*", 0, 0, RE_MSG},
    {"a?", 0, 0, RE_MSG},
    {"a$b", 0, 0, RE_MSG},
    {"a;b", 0, 0, RE_MSG},
    {"a'b", 0, 0, RE_MSG},
    {"a\"b", 0, 0, RE_MSG},
    {"a@b", 0, 0, RE_MSG},
    {"a+b", 0, 0, RE_MSG},
    {"a,b", 0, 0, RE_MSG},
    {"a=b", 0, 0, RE_MSG},
    {"a~", 0, 0, RE_MSG},
    {"$(id)", 0, 0, RE_MSG},
};

START_TEST(test_name_table)
{
	struct tnfs_err err;
	char *buf = NULL;
	const char *text = names[_i].text;
	int rc;

	if (text == NULL && names[_i].fill > 0) {
		buf = malloc(names[_i].fill + 1);
		ck_assert_ptr_nonnull(buf);
		memset(buf, 'a', names[_i].fill);
		buf[names[_i].fill] = '\0';
		text = buf;
	}
	tnfs_err_clear(&err);
	rc = tnfs_name_check(text, &err);
	if (names[_i].ok) {
		ck_assert_msg(
		    rc == 0, "name case %d rejected: %s", _i, err.msg);
		ck_assert(!tnfs_err_isset(&err));
	} else {
		ck_assert_msg(rc == -1, "name case %d accepted", _i);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_int_eq(err.http_status, 409);
		ck_assert_msg(
		    strncmp(err.msg, names[_i].msg, strlen(names[_i].msg)) == 0,
		    "name case %d: message \"%s\"", _i, err.msg);
	}
	free(buf);
}
END_TEST

START_TEST(test_name_message_names_the_character)
{
	struct tnfs_err err;

	ck_assert_int_eq(tnfs_name_check("ab/c", &err), -1);
	ck_assert_str_eq(err.msg, RE_MSG " (bad character 0x2f at offset 2)");
	ck_assert_int_eq(tnfs_name_check("a..b", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"..\" is not allowed"));
	ck_assert_int_eq(tnfs_name_check("a\n", NULL), -1);
}
END_TEST

#define MAXSZ TNFS_SIZE_MAX_MIB

static const struct {
	const char *text;
	uint64_t mib;    /* 0: rejected */
	const char *msg; /* a part of the message when rejected */
} sizes[] = {
    {"10G", 10240, NULL},
    {"10g", 10240, NULL},
    {"10GiB", 10240, NULL},
    {"10gib", 10240, NULL},
    {"10GIB", 10240, NULL},
    {"10GB", 10240, NULL},
    {"10gb", 10240, NULL},
    {"512M", 512, NULL},
    {"512m", 512, NULL},
    {"512MiB", 512, NULL},
    {"512MB", 512, NULL},
    {"1T", 1048576, NULL},
    {"1t", 1048576, NULL},
    {"1TiB", 1048576, NULL},
    {"1TB", 1048576, NULL},
    {"10240", 10240, NULL},
    {"1", 1, NULL},
    {"1000G", 1024000, NULL},
    {"1048576T", MAXSZ, NULL},
    {"1073741824G", MAXSZ, NULL},
    {"1099511627776", MAXSZ, NULL},
    {"1099511627776M", MAXSZ, NULL},
    /* hostile */
    {NULL, 0, "invalid size \"\""},
    {"", 0, "invalid size \"\""},
    {"abc", 0, "invalid size \"abc\": use a whole number"},
    {"0", 0, "greater than zero"},
    {"0G", 0, "greater than zero"},
    {"0T", 0, "greater than zero"},
    {"0M", 0, "greater than zero"},
    {"00", 0, "use a whole number"},
    {"010G", 0, "use a whole number"},
    {"010", 0, "use a whole number"},
    {"-1", 0, "use a whole number"},
    {"-10G", 0, "use a whole number"},
    {"+10G", 0, "use a whole number"},
    {"1.5G", 0, "use a whole number"},
    {"1.0G", 0, "use a whole number"},
    {".5G", 0, "use a whole number"},
    {" 10G", 0, "use a whole number"},
    {"10G ", 0, "use a whole number"},
    {"10 G", 0, "use a whole number"},
    {"\t10G", 0, "use a whole number"},
    {"10G\n", 0, "invalid size \"10G\\x0a\""},
    {"1e3", 0, "use a whole number"},
    {"0x10", 0, "use a whole number"},
    {"0x10G", 0, "use a whole number"},
    {"10K", 0, "use a whole number"},
    {"10KB", 0, "use a whole number"},
    {"10P", 0, "use a whole number"},
    {"10E", 0, "use a whole number"},
    {"10B", 0, "use a whole number"},
    {"10Gx", 0, "use a whole number"},
    {"10GiBs", 0, "use a whole number"},
    {"10Gi", 0, "use a whole number"},
    {"10GG", 0, "use a whole number"},
    {"10MiBG", 0, "use a whole number"},
    {"10G10", 0, "use a whole number"},
    {"G", 0, "use a whole number"},
    {"GiB", 0, "use a whole number"},
    {"1_000", 0, "use a whole number"},
    {"1,000", 0, "use a whole number"},
    {"\xef\xbc\x91\xef\xbc\x90G", 0, "\\xef\\xbc\\x91"},
    {"10\xc3\xa9", 0, "use a whole number"},
    {"18446744073709551616", 0, "use a whole number"},
    {"184467440737095516160000G", 0, "use a whole number"},
    {"18446744073709551615", 0, "largest size accepted is 1048576T"},
    {"99999999999999T", 0, "largest size accepted"},
    {"1048577T", 0, "largest size accepted"},
    {"1073741825G", 0, "largest size accepted"},
    {"1099511627777", 0, "largest size accepted"},
    {"17592186044416T", 0, "largest size accepted"},
};

START_TEST(test_size_table)
{
	struct tnfs_err err;
	uint64_t mib = 7;
	int rc;

	tnfs_err_clear(&err);
	rc = tnfs_size_parse(sizes[_i].text, &mib, &err);
	if (sizes[_i].mib != 0) {
		ck_assert_msg(rc == 0, "size case %d (%s) rejected: %s", _i,
		    sizes[_i].text, err.msg);
		ck_assert_uint_eq(mib, sizes[_i].mib);
	} else {
		ck_assert_msg(rc == -1, "size case %d accepted", _i);
		ck_assert_uint_eq(mib, 7);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_msg(strstr(err.msg, sizes[_i].msg) != NULL,
		    "size case %d: message \"%s\"", _i, err.msg);
	}
}
END_TEST

START_TEST(test_size_message_lists_forms_and_escapes)
{
	struct tnfs_err err;
	uint64_t mib;
	char big[4096];

	ck_assert_int_eq(tnfs_size_parse("abc", &mib, &err), -1);
	ck_assert_str_eq(err.msg,
	    "invalid size \"abc\": use a whole number with an optional unit, "
	    "as in 10G, 10GiB, 512M or 1T (plain numbers are MiB)");
	ck_assert_int_eq(tnfs_size_parse("a\"b\x01", &mib, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"a\\x22b\\x01\""));
	/* A huge value is cut short in the message. */
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(tnfs_size_parse(big, &mib, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "...\""));
	ck_assert_uint_lt(strlen(err.msg), 300);
	ck_assert_int_eq(tnfs_size_parse("x", &mib, NULL), -1);
}
END_TEST

START_TEST(test_size_round_up)
{
	/* Unsorted, with a duplicate, as packages may come. */
	static const uint64_t avail[] = {
	    20480, 10240, 102400, 30720, 10240, 1024000};
	struct tnfs_err err;
	uint64_t out;

	ck_assert_int_eq(tnfs_size_round_up(1, avail, 6, &out, &err), 0);
	ck_assert_uint_eq(out, 10240);
	ck_assert_int_eq(tnfs_size_round_up(10240, avail, 6, &out, &err), 0);
	ck_assert_uint_eq(out, 10240);
	ck_assert_int_eq(tnfs_size_round_up(10241, avail, 6, &out, &err), 0);
	ck_assert_uint_eq(out, 20480);
	ck_assert_int_eq(tnfs_size_round_up(40000, avail, 6, &out, &err), 0);
	ck_assert_uint_eq(out, 102400);
	ck_assert_int_eq(tnfs_size_round_up(1024000, avail, 6, &out, &err), 0);
	ck_assert_uint_eq(out, 1024000);

	out = 5;
	ck_assert_int_eq(tnfs_size_round_up(2097152, avail, 6, &out, &err), -1);
	ck_assert_uint_eq(out, 5);
	ck_assert_str_eq(err.code, "VolumeSizeNotAvailable");
	ck_assert_int_eq(err.http_status, 409);
	ck_assert_str_eq(err.msg,
	    "Volume size 2048G is not available. Available sizes: 10G, 20G, "
	    "30G, 100G, 1000G");
	ck_assert_int_eq(
	    tnfs_size_round_up(UINT64_MAX, avail, 6, &out, &err), -1);
	ck_assert_int_eq(tnfs_size_round_up(1, NULL, 0, &out, &err), -1);
	ck_assert_str_eq(err.code, "VolumeSizeNotAvailable");
	ck_assert_ptr_nonnull(strstr(err.msg, "No sizes are available"));
}
END_TEST

START_TEST(test_size_round_up_many_sizes_fits_message)
{
	uint64_t avail[500], out;
	struct tnfs_err err;
	size_t i;

	for (i = 0; i < 500; i++)
		avail[i] = (500 - i) * 1024;
	ck_assert_int_eq(
	    tnfs_size_round_up(600 * 1024, avail, 500, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "Available sizes: 1G, 2G, 3G"));
	ck_assert_uint_lt(strlen(err.msg), sizeof(err.msg));
}
END_TEST

START_TEST(test_size_format)
{
	static const struct {
		uint64_t mib;
		const char *text;
	} fmt[] = {
	    {10240, "10G"},
	    {1024, "1G"},
	    {512, "512M"},
	    {1536, "1536M"},
	    {1048576, "1024G"},
	    {1, "1M"},
	    {0, "0M"},
	    {TNFS_SIZE_MAX_MIB, "1073741824G"},
	};
	char buf[32], tiny[3];
	size_t i;
	uint64_t back;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		tnfs_size_format(fmt[i].mib, buf, sizeof(buf));
		ck_assert_str_eq(buf, fmt[i].text);
		/* What we print, we parse back. */
		if (fmt[i].mib != 0) {
			ck_assert_int_eq(tnfs_size_parse(buf, &back, NULL), 0);
			ck_assert_uint_eq(back, fmt[i].mib);
		}
	}
	tnfs_size_format(10240, tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "10");
}
END_TEST

static const struct {
	const char *text;
	uint64_t max;
	int ok;
	uint64_t value;
} u64s[] = {
    {"0", 10, 1, 0},
    {"10", 10, 1, 10},
    {"7", 10, 1, 7},
    {"18446744073709551615", UINT64_MAX, 1, UINT64_MAX},
    {"11", 10, 0, 0},
    {NULL, 10, 0, 0},
    {"", 10, 0, 0},
    {"-1", 10, 0, 0},
    {"+1", 10, 0, 0},
    {"01", 10, 0, 0},
    {"00", 10, 0, 0},
    {" 1", 10, 0, 0},
    {"1 ", 10, 0, 0},
    {"1x", 10, 0, 0},
    {"0x1", 10, 0, 0},
    {"1.0", 10, 0, 0},
    {"1e1", 100, 0, 0},
    {"18446744073709551616", UINT64_MAX, 0, 0},
    {"99999999999999999999999", UINT64_MAX, 0, 0},
};

START_TEST(test_u64_table)
{
	struct tnfs_err err;
	uint64_t v = 42;
	int rc;

	tnfs_err_clear(&err);
	rc = tnfs_parse_u64(u64s[_i].text, u64s[_i].max, &v, "limit", &err);
	if (u64s[_i].ok) {
		ck_assert_msg(rc == 0, "u64 case %d rejected: %s", _i, err.msg);
		ck_assert_uint_eq(v, u64s[_i].value);
	} else {
		ck_assert_msg(rc == -1, "u64 case %d accepted", _i);
		ck_assert_uint_eq(v, 42);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_msg(strncmp(err.msg, "invalid limit \"", 15) == 0,
		    "u64 case %d: %s", _i, err.msg);
	}
}
END_TEST

static const struct {
	const char *text;
	int value; /* -1: rejected */
} bools[] = {
    {"true", 1},
    {"TRUE", 1},
    {"True", 1},
    {"false", 0},
    {"FALSE", 0},
    {"1", 1},
    {"0", 0},
    {"yes", 1},
    {"YES", 1},
    {"no", 0},
    {"No", 0},
    {NULL, -1},
    {"", -1},
    {"t", -1},
    {"f", -1},
    {"y", -1},
    {"n", -1},
    {"on", -1},
    {"off", -1},
    {"2", -1},
    {"01", -1},
    {" true", -1},
    {"true ", -1},
    {"truee", -1},
    {"tru", -1},
    {"true\n", -1},
    {"yes\x00no", 1},
};

START_TEST(test_bool_table)
{
	struct tnfs_err err;
	int v = 9, rc;

	tnfs_err_clear(&err);
	rc = tnfs_parse_bool(bools[_i].text, &v, "readonly", &err);
	if (bools[_i].value != -1) {
		ck_assert_msg(
		    rc == 0, "bool case %d rejected: %s", _i, err.msg);
		ck_assert_int_eq(v, bools[_i].value);
	} else {
		ck_assert_msg(rc == -1, "bool case %d accepted", _i);
		ck_assert_int_eq(v, 9);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_ptr_nonnull(strstr(err.msg, "invalid readonly"));
		ck_assert_ptr_nonnull(
		    strstr(err.msg, "expected true or false"));
	}
}
END_TEST

static const struct {
	const char *text;
	int control;
} controls[] = {
    {"", 0},
    {"plain text, with spaces: ~!", 0},
    {"caf\xc3\xa9", 0}, /* UTF-8 is no control */
    {"tab\there", 1},
    {"new\nline", 1},
    {"\x01", 1},
    {"del\x7f", 1},
    {"escape \x1b[31m", 1},
};

START_TEST(test_has_control_table)
{
	ck_assert_int_eq(
	    tnfs_has_control(controls[_i].text), controls[_i].control);
}
END_TEST

/*
 * Clone sources, VOLUME@SNAPSHOT.  fill > 0 builds the text at run time:
 * fill_vol 'v' characters, "@", fill_snap 's' characters.
 */
static const struct {
	const char *text;
	size_t fill_vol, fill_snap;
	int ok;
	const char *vol, *snap; /* when ok */
	const char *msg;        /* start of the message when rejected */
} froms[] = {
    {"data@before", 0, 0, 1, "data", "before", NULL},
    {"my-vol.v2@s1", 0, 0, 1, "my-vol.v2", "s1", NULL},
    {"a1@b", 0, 0, 1, "a1", "b", NULL},
    {"6a1c3f9e-6f2b-4a49-9a4f-0d7e0c2b6a11@nightly_2", 0, 0, 1,
	"6a1c3f9e-6f2b-4a49-9a4f-0d7e0c2b6a11", "nightly_2", NULL},
    {NULL, 256, 64, 1, NULL, NULL, NULL},
    /* hostile */
    {"", 0, 0, 0, NULL, NULL, "clone source is empty: expected"},
    {"@", 0, 0, 0, NULL, NULL, "clone source: the volume before @"},
    {"a@", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"ab@", 0, 0, 0, NULL, NULL, "clone source: snapshot name is empty"},
    {"@snap", 0, 0, 0, NULL, NULL, "clone source: the volume before @"},
    {"data", 0, 0, 0, NULL, NULL, "clone source data: expected"},
    {"a@b@c", 0, 0, 0, NULL, NULL, "clone source a@b@c: expected"},
    {"ab@@c", 0, 0, 0, NULL, NULL, "clone source ab@@c: expected"},
    {"a@b", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"../x@s", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"a..b@s", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"ab@../x", 0, 0, 0, NULL, NULL,
	"clone source: snapshot name must match"},
    {"ab@.hidden", 0, 0, 0, NULL, NULL,
	"clone source: snapshot name must match"},
    {"ab@s/x", 0, 0, 0, NULL, NULL, "clone source: snapshot name must match"},
    {"ab@s x", 0, 0, 0, NULL, NULL, "clone source: snapshot name must match"},
    {"a b@s", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"ab@s;rm", 0, 0, 0, NULL, NULL,
	"clone source: snapshot name must match"},
    {"ab@$(id)", 0, 0, 0, NULL, NULL,
	"clone source: snapshot name must match"},
    {"ab@s\n", 0, 0, 0, NULL, NULL, "clone source: snapshot name must match"},
    {"a\tb@s", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"a\tb", 0, 0, 0, NULL, NULL,
	"clone source (with control characters): expected"},
    {"ab@s\xc3\xa9", 0, 0, 0, NULL, NULL,
	"clone source: snapshot name must match"},
    {"-ab@s", 0, 0, 0, NULL, NULL, "clone source: volume name must match"},
    {"ab@-s", 0, 0, 0, NULL, NULL, "clone source: snapshot name must match"},
    {NULL, 257, 1, 0, NULL, NULL, "clone source: volume name is too long"},
    {NULL, 2, 65, 0, NULL, NULL, "clone source: snapshot name is too long"},
    {NULL, 256, 65, 0, NULL, NULL, "clone source is too long"},
    {NULL, 100000, 1, 0, NULL, NULL, "clone source is too long"},
};

START_TEST(test_clone_source_table)
{
	char vol[TNFS_NAME_MAX + 1], snap[TNFS_SNAPSHOT_NAME_MAX + 1];
	const char *text = froms[_i].text;
	struct tnfs_err err;
	char *buf = NULL;
	int rc;

	if (text == NULL) {
		size_t nv = froms[_i].fill_vol, ns = froms[_i].fill_snap;

		buf = malloc(nv + ns + 2);
		ck_assert_ptr_nonnull(buf);
		memset(buf, 'v', nv);
		buf[nv] = '@';
		memset(buf + nv + 1, 's', ns);
		buf[nv + 1 + ns] = '\0';
		text = buf;
	}
	memset(vol, 'X', sizeof(vol));
	memset(snap, 'X', sizeof(snap));
	tnfs_err_clear(&err);
	rc = tnfs_clone_source_parse(text, vol, snap, &err);
	if (froms[_i].ok) {
		ck_assert_msg(rc == 0, "from case %d rejected: %s", _i, err.msg);
		if (froms[_i].vol != NULL) {
			ck_assert_str_eq(vol, froms[_i].vol);
			ck_assert_str_eq(snap, froms[_i].snap);
		} else {
			ck_assert_uint_eq(strlen(vol), froms[_i].fill_vol);
			ck_assert_uint_eq(strlen(snap), froms[_i].fill_snap);
		}
	} else {
		ck_assert_msg(rc == -1, "from case %d accepted", _i);
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_msg(strncmp(err.msg, froms[_i].msg,
				  strlen(froms[_i].msg)) == 0,
		    "from case %d: message \"%s\", expected \"%s...\"", _i,
		    err.msg, froms[_i].msg);
	}
	free(buf);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(
	    tc, test_name_table, 0, (int)(sizeof(names) / sizeof(names[0])));
	tcase_add_test(tc, test_name_message_names_the_character);
	tcase_add_loop_test(
	    tc, test_size_table, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, test_size_message_lists_forms_and_escapes);
	tcase_add_test(tc, test_size_round_up);
	tcase_add_test(tc, test_size_round_up_many_sizes_fits_message);
	tcase_add_test(tc, test_size_format);
	tcase_add_loop_test(
	    tc, test_u64_table, 0, (int)(sizeof(u64s) / sizeof(u64s[0])));
	tcase_add_loop_test(
	    tc, test_bool_table, 0, (int)(sizeof(bools) / sizeof(bools[0])));
	tcase_add_loop_test(tc, test_has_control_table, 0,
	    (int)(sizeof(controls) / sizeof(controls[0])));
	tcase_add_loop_test(tc, test_clone_source_table, 0,
	    (int)(sizeof(froms) / sizeof(froms[0])));
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
