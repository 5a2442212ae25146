/*
 * test_cloudapi_sshkey.c: OpenSSH public keys as tritonnfs-cloudapi reads
 * them: each type, the fingerprints ssh-keygen prints, and blobs that are
 * truncated, padded, mislabelled or built to mislead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "check_tap.h"
#include "sshkey.h"
#include "test_cloudapi_keys.h"

START_TEST(test_each_type_parses_with_ssh_keygen_fingerprints)
{
	const struct test_key *t = &TEST_KEYS[_i];
	struct tnfs_err err;
	struct sshkey *k;
	char upper[64], prefixed[64];
	size_t i;

	tnfs_err_clear(&err);
	k = sshkey_parse(t->public_line, &err);
	ck_assert_msg(k != NULL, "%s: %s", t->type, err.msg);
	ck_assert_str_eq(sshkey_type_name(k), t->type);
	ck_assert_int_eq(sshkey_bits(k), t->bits);
	ck_assert_str_eq(sshkey_md5_fp(k), t->md5);
	ck_assert_str_eq(sshkey_sha256_fp(k), t->sha256);
	ck_assert(sshkey_fp_matches(k, t->md5));
	ck_assert(sshkey_fp_matches(k, t->sha256));
	for (i = 0; t->md5[i] != '\0'; i++)
		upper[i] = (char)(t->md5[i] >= 'a' && t->md5[i] <= 'f'
			? t->md5[i] - 32 : t->md5[i]);
	upper[i] = '\0';
	ck_assert(sshkey_fp_matches(k, upper));
	snprintf(prefixed, sizeof(prefixed), "MD5:%s", t->md5);
	ck_assert(sshkey_fp_matches(k, prefixed));
	ck_assert(!sshkey_fp_matches(k, "SHA256:"));
	ck_assert(!sshkey_fp_matches(k, ""));
	ck_assert(!sshkey_fp_matches(k, TEST_KEYS[(_i + 1) % NTEST_KEYS].md5));
	ck_assert(
	    !sshkey_fp_matches(k, TEST_KEYS[(_i + 1) % NTEST_KEYS].sha256));
	sshkey_free(k);
}
END_TEST

/* The decoded blob of a fixture. */
static unsigned char *
blob_of(const struct test_key *t, size_t *len)
{
	const char *sp = strchr(t->public_line, ' ') + 1;
	const char *end = strchr(sp, ' ');
	unsigned char *blob = NULL;

	ck_assert_int_eq(b64_decode(sp, (size_t)(end - sp), &blob, len), 0);
	return blob;
}

START_TEST(test_every_truncation_is_refused)
{
	const struct test_key *t = &TEST_KEYS[_i];
	struct tnfs_err err;
	unsigned char *blob;
	size_t len, n;

	blob = blob_of(t, &len);
	for (n = 0; n < len; n++) {
		unsigned char *cut = malloc(n + 1);

		memcpy(cut, blob, n);
		tnfs_err_clear(&err);
		ck_assert_msg(sshkey_from_blob(cut, n, &err) == NULL,
		    "%s cut to %zu bytes was accepted", t->type, n);
		ck_assert_str_eq(err.code, "ValidationError");
		free(cut);
	}
	free(blob);
}
END_TEST

START_TEST(test_trailing_bytes_are_refused)
{
	const struct test_key *t = &TEST_KEYS[_i];
	struct tnfs_err err;
	unsigned char *blob, *longer;
	size_t len;

	blob = blob_of(t, &len);
	longer = calloc(1, len + 1);
	memcpy(longer, blob, len);
	tnfs_err_clear(&err);
	ck_assert(sshkey_from_blob(longer, len + 1, &err) == NULL);
	ck_assert(strstr(err.msg, "unexpected bytes") != NULL);
	free(longer);
	free(blob);
}
END_TEST

/* A blob builder for the hostile cases. */
struct buf {
	unsigned char b[2048];
	size_t n;
};

static void
put_u32(struct buf *b, uint32_t v)
{
	b->b[b->n++] = (unsigned char)(v >> 24);
	b->b[b->n++] = (unsigned char)(v >> 16);
	b->b[b->n++] = (unsigned char)(v >> 8);
	b->b[b->n++] = (unsigned char)v;
}

static void
put_str(struct buf *b, const void *s, size_t len)
{
	put_u32(b, (uint32_t)len);
	memcpy(b->b + b->n, s, len);
	b->n += len;
}

static void
put_cstr(struct buf *b, const char *s)
{
	put_str(b, s, strlen(s));
}

static void
expect_refused(const struct buf *b, const char *what, const char *msg_part)
{
	struct tnfs_err err;
	struct sshkey *k;

	tnfs_err_clear(&err);
	k = sshkey_from_blob(b->b, b->n, &err);
	ck_assert_msg(k == NULL, "%s was accepted", what);
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_msg(strstr(err.msg, msg_part) != NULL, "%s: \"%s\" lacks \"%s\"",
	    what, err.msg, msg_part);
}

START_TEST(test_hostile_blobs_are_refused)
{
	unsigned char point[133] = {0}, big[600] = {0};
	struct buf b;

	memset(&b, 0, sizeof(b));
	put_u32(&b, 0xffffffffu);
	expect_refused(&b, "a type length past the end", "too short");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-dss");
	put_cstr(&b, "x");
	expect_refused(&b, "a DSA key", "unsupported key type");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-ed25519");
	put_str(&b, point, 31);
	expect_refused(&b, "a 31-byte Ed25519 key", "not 32 bytes");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-ed25519");
	put_u32(&b, 0x7fffffffu);
	expect_refused(&b, "an Ed25519 length past the end", "not 32 bytes");

	/* ECDSA: the curve inside must be the type's. */
	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ecdsa-sha2-nistp256");
	put_cstr(&b, "nistp384");
	memset(point, 0, sizeof(point));
	point[0] = 4;
	put_str(&b, point, 65);
	expect_refused(&b, "a P-256 key naming P-384", "not nistp256");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ecdsa-sha2-nistp256");
	put_cstr(&b, "nistp256");
	point[0] = 2;
	put_str(&b, point, 33);
	expect_refused(&b, "a compressed point", "uncompressed point");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ecdsa-sha2-nistp256");
	put_cstr(&b, "nistp256");
	memset(point, 0x5a, sizeof(point));
	point[0] = 4;
	put_str(&b, point, 65);
	expect_refused(&b, "a point off the curve", "not on the curve");

	/* RSA: positive, minimal, large enough, odd exponent. */
	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-rsa");
	put_str(&b, "\x01\x00\x01", 3);
	memset(big, 0xc3, 64);
	big[0] = 0x00;
	big[1] = 0xc3;
	put_str(&b, big, 65);
	expect_refused(&b, "a 512-bit modulus", "bits");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-rsa");
	put_str(&b, "\x01\x00\x01", 3);
	memset(big, 0xc3, sizeof(big));
	put_str(&b, big, 257);
	expect_refused(&b, "a negative modulus", "positive integer");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-rsa");
	put_str(&b, "\x00\x01\x00\x01", 4);
	big[0] = 0;
	put_str(&b, big, 257);
	expect_refused(&b, "a needless leading zero", "positive integer");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-rsa");
	put_str(&b, "\x01\x00\x00", 3);
	big[0] = 0;
	put_str(&b, big, 257);
	expect_refused(&b, "an even exponent", "invalid exponent");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-rsa");
	put_str(&b, "", 0);
	expect_refused(&b, "an empty exponent", "positive integer");

	memset(&b, 0, sizeof(b));
	put_cstr(&b, "ssh-rsa");
	put_str(&b, "\x01\x00\x01", 3);
	put_u32(&b, 0x80000000u);
	expect_refused(&b, "a modulus length past the end", "truncated");
}
END_TEST

static const struct {
	const char *line;
	const char *msg_part;
} BAD_LINES[] = {
    {"", "expected"},
    {"   ", "expected"},
    {"ssh-ed25519", "expected"},
    {"ssh-ed25519 ", "expected"},
    {"ssh-dss AAAAB3NzaC1kc3M=", "unsupported key type"},
    {"ssh-ed25519 !!!!", "not valid base64"},
    {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "not 32 bytes"},
    {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "not 32 bytes"},
    {"ssh-ed25519 ====", "not valid base64"},
    {"ssh-ed25519 AAAA====", "not valid base64"},
    {"ssh-ed25519 QQ==", "too short"},
    {"ssh-ed25519 QR==", "not valid base64"}, /* non-zero pad bits */
    {"ssh-rsa-cert-v01@openssh.com AAAA", "unsupported key type"},
    {"sk-ssh-ed25519@openssh.com AAAA", "unsupported key type"},
};

START_TEST(test_bad_lines_are_refused)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert(sshkey_parse(BAD_LINES[_i].line, &err) == NULL);
	ck_assert_str_eq(err.code, "ValidationError");
	ck_assert_msg(strstr(err.msg, BAD_LINES[_i].msg_part) != NULL,
	    "\"%s\": \"%s\" lacks \"%s\"", BAD_LINES[_i].line, err.msg,
	    BAD_LINES[_i].msg_part);
}
END_TEST

START_TEST(test_type_word_must_match_the_blob)
{
	char line[4096];
	struct tnfs_err err;
	const char *data = strchr(TEST_KEYS[4].public_line, ' ') + 1;

	snprintf(line, sizeof(line), "ssh-rsa %s", data);
	tnfs_err_clear(&err);
	ck_assert(sshkey_parse(line, &err) == NULL);
	ck_assert(strstr(err.msg, "says ssh-rsa") != NULL);
}
END_TEST

START_TEST(test_overlong_line_is_refused)
{
	char *line = malloc(SSHKEY_LINE_MAX + 16);
	struct tnfs_err err;

	memset(line, 'A', SSHKEY_LINE_MAX + 15);
	memcpy(line, "ssh-rsa ", 8);
	line[SSHKEY_LINE_MAX + 15] = '\0';
	tnfs_err_clear(&err);
	ck_assert(sshkey_parse(line, &err) == NULL);
	ck_assert(strstr(err.msg, "longer than") != NULL);
	free(line);
}
END_TEST

START_TEST(test_base64_round_trip_and_strictness)
{
	static const char *const bad[] = {"A", "AA", "AAA", "A===", "AB=A",
	    "AB*=", "AB\n=", "QR==", "QUJ=", "=AAA"};
	unsigned char in[64] = {0}, *out = NULL;
	char text[128];
	size_t n, len, i;

	for (n = 0; n < sizeof(in); n++) {
		for (i = 0; i < n; i++)
			in[i] = (unsigned char)(i * 37 + n);
		ck_assert_int_eq(b64_encode(in, n, 1, text, sizeof(text)), 0);
		if (n == 0)
			continue;
		ck_assert_int_eq(b64_decode(text, strlen(text), &out, &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert(memcmp(out, in, n) == 0);
		free(out);
	}
	ck_assert_int_eq(b64_encode(in, 3, 1, text, 4), -1);
	ck_assert_int_eq(b64_encode(in, 2, 0, text, sizeof(text)), 0);
	ck_assert_uint_eq(strlen(text), 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(b64_decode(bad[i], strlen(bad[i]), &out, &len) == -1,
		    "\"%s\" decoded", bad[i]);
		ck_assert(out == NULL);
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cloudapi_sshkey");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc,
	    test_each_type_parses_with_ssh_keygen_fingerprints, 0, NTEST_KEYS);
	tcase_add_loop_test(tc, test_every_truncation_is_refused, 0, NTEST_KEYS);
	tcase_add_loop_test(tc, test_trailing_bytes_are_refused, 0, NTEST_KEYS);
	tcase_add_test(tc, test_hostile_blobs_are_refused);
	tcase_add_loop_test(tc, test_bad_lines_are_refused, 0,
	    sizeof(BAD_LINES) / sizeof(BAD_LINES[0]));
	tcase_add_test(tc, test_type_word_must_match_the_blob);
	tcase_add_test(tc, test_overlong_line_is_refused);
	tcase_add_test(tc, test_base64_round_trip_and_strictness);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
