/* test_uuid.c: the UUID checker against VOLAPI's regex, and the generator. */
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "uuid.h"

static const struct {
	const char *text;
	int ok;
} uuids[] = {
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789ab", 1},
    {"00000000-0000-0000-0000-000000000000", 1},
    {"ffffffff-ffff-ffff-ffff-ffffffffffff", 1},
    {"5f1a0f5c-6d5e-11e7-8c1b-3b0e4a5f7d21", 1}, /* v1 is fine too */
    /* hostile */
    {NULL, 0},
    {"", 0},
    {"a", 0},
    {"A8E5C0F4-3B2F-4C7E-9D1A-0123456789AB", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789aB", 0},
    {"A8e5c0f4-3b2f-4c7e-9d1a-0123456789ab", 0},
    {"{a8e5c0f4-3b2f-4c7e-9d1a-0123456789ab}", 0},
    {"a8e5c0f43b2f4c7e9d1a0123456789ab", 0},
    {"a8e5c0f43b2f-4c7e-9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789a", 0},   /* 35 */
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789abc", 0}, /* 37 */
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789ab-", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789ab\n", 0},
    {" a8e5c0f4-3b2f-4c7e-9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789a ", 0},
    {"g8e5c0f4-3b2f-4c7e-9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789ag", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-01234567z9ab", 0},
    {"a8e5c0f-43b2f-4c7e-9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2-f4c7e-9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7-e9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1-a0123456789ab", 0},
    {"a8e5c0f4_3b2f_4c7e_9d1a_0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a_0123456789ab", 0},
    {"------------------------------------", 0},
    {"a8e5c0f4--3b2f-4c7e-9d1a-123456789ab", 0},
    {"urn:uuid:a8e5c0f4-3b2f-4c7e-9d1a-0123456789ab", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789\xc3\xa9", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-01234567\xc3\xa9"
     "ab",
	0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-%30123456789a", 0},
    {"../../../../../../../../../etc/passw", 0},
    {"a8e5c0f4-3b2f-4c7e-9d1a-0123456789a\x01", 0},
    {"0x8e5c0f-3b2f-4c7e-9d1a-0123456789ab", 0},
    {"+8e5c0f4-3b2f-4c7e-9d1a-0123456789ab", 0},
};

START_TEST(test_uuid_table)
{
	ck_assert_msg(tnfs_uuid_valid(uuids[_i].text) == uuids[_i].ok,
	    "uuid case %d: expected %s", _i,
	    uuids[_i].ok ? "valid" : "invalid");
}
END_TEST

static int
cmp_uuid(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(test_generate_1000_valid_v4_and_distinct)
{
	static char ids[1000][TNFS_UUID_BUFSZ];
	struct tnfs_err err;
	size_t i;

	for (i = 0; i < 1000; i++) {
		memset(ids[i], 'X', sizeof(ids[i]));
		ck_assert_int_eq(tnfs_uuid_generate(ids[i], &err), 0);
		ck_assert_uint_eq(strlen(ids[i]), TNFS_UUID_LEN);
		ck_assert_msg(tnfs_uuid_valid(ids[i]), "bad uuid %s", ids[i]);
		/* Version 4, RFC 4122 variant (8, 9, a or b). */
		ck_assert_int_eq(ids[i][14], '4');
		ck_assert_ptr_nonnull(strchr("89ab", ids[i][19]));
	}
	qsort(ids, 1000, sizeof(ids[0]), cmp_uuid);
	for (i = 1; i < 1000; i++)
		ck_assert_str_ne(ids[i - 1], ids[i]);
}
END_TEST

START_TEST(test_generate_varies_every_random_digit)
{
	/*
	 * Each random hex position should take more than one value over 200
	 * draws (a stuck nibble would mean a wrong mask or copy).
	 */
	char id[TNFS_UUID_BUFSZ], first[TNFS_UUID_BUFSZ];
	int differs[TNFS_UUID_LEN] = {0};
	size_t i, k;

	ck_assert_int_eq(tnfs_uuid_generate(first, NULL), 0);
	for (k = 0; k < 200; k++) {
		ck_assert_int_eq(tnfs_uuid_generate(id, NULL), 0);
		for (i = 0; i < TNFS_UUID_LEN; i++)
			differs[i] |= id[i] != first[i];
	}
	for (i = 0; i < TNFS_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23 || i == 14)
			ck_assert_int_eq(differs[i], 0);
		else
			ck_assert_msg(
			    differs[i], "position %zu never changed", i);
	}
}
END_TEST

static const struct {
	const char *s;
	int want;
} prefix_cases[] = {
    {"1", 1},
    {"1111aaaa", 1},
    {"1111aaaa-0000-0000-0000-000000000001", 1},
    {"-", 1}, /* a prefix of nothing, but well formed */
    {"", 0},
    {"1111AAAA", 0}, /* we write uuids in lowercase */
    {"g", 0},
    {"11 11", 0},
    {"11/..", 0},
    {"%00", 0},
};

START_TEST(test_prefix_valid)
{
	ck_assert_int_eq(tnfs_uuid_prefix_valid(prefix_cases[_i].s),
	    prefix_cases[_i].want);
}
END_TEST

/* {sent, echoed}: what is not echoed is replaced by a new uuid. */
static const struct {
	const char *sent;
	int echoed;
} request_ids[] = {
    {"abc-123", 1},
    {"0a0a0a0a-0000-4000-8000-000000000001", 1},
    {"~!@#$%^&*()_+{}|:<>?", 1},
    {NULL, 0},
    {"", 0},
    {"has space", 0},
    {"tab\there", 0},
    {"new\nline", 0},
    {"caf\xc3\xa9", 0},
    {"del\x7f", 0},
};

START_TEST(test_request_id_table)
{
	char buf[TNFS_UUID_BUFSZ + 128];

	tnfs_request_id(request_ids[_i].sent, buf, sizeof(buf));
	if (request_ids[_i].echoed)
		ck_assert_str_eq(buf, request_ids[_i].sent);
	else
		ck_assert_msg(tnfs_uuid_valid(buf), "%s: got %s",
		    request_ids[_i].sent ? request_ids[_i].sent : "(null)", buf);
}
END_TEST

START_TEST(test_request_id_over_128_is_replaced)
{
	char sent[130], buf[TNFS_UUID_BUFSZ + 256];

	memset(sent, 'a', 128);
	sent[128] = '\0';
	tnfs_request_id(sent, buf, sizeof(buf));
	ck_assert_str_eq(buf, sent);
	sent[128] = 'a';
	sent[129] = '\0';
	tnfs_request_id(sent, buf, sizeof(buf));
	ck_assert(tnfs_uuid_valid(buf));
}
END_TEST

START_TEST(test_request_id_too_long_for_buf_is_replaced)
{
	char buf[TNFS_UUID_BUFSZ];
	const char *sent = "0123456789012345678901234567890123456789";

	tnfs_request_id(sent, buf, sizeof(buf));
	ck_assert(tnfs_uuid_valid(buf));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("uuid");
	TCase *tc = tcase_create("uuid");

	tcase_add_loop_test(
	    tc, test_uuid_table, 0, (int)(sizeof(uuids) / sizeof(uuids[0])));
	tcase_add_test(tc, test_generate_1000_valid_v4_and_distinct);
	tcase_add_test(tc, test_generate_varies_every_random_digit);
	tcase_add_loop_test(tc, test_prefix_valid, 0,
	    (int)(sizeof(prefix_cases) / sizeof(prefix_cases[0])));
	tcase_add_loop_test(tc, test_request_id_table, 0,
	    (int)(sizeof(request_ids) / sizeof(request_ids[0])));
	tcase_add_test(tc, test_request_id_over_128_is_replaced);
	tcase_add_test(tc, test_request_id_too_long_for_buf_is_replaced);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
