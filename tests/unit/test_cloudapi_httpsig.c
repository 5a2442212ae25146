/*
 * test_cloudapi_httpsig.c: HTTP Signature as tritonnfs-cloudapi checks
 * it: Authorization values good and malformed, the signing string, Date
 * skew, Accept-Version ranges, and signatures made here with OpenSSL by
 * each key type, verified, tampered with and misattributed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "auth.h"
#include "b64.h"
#include "check_tap.h"
#include "httpsig.h"
#include "test_cloudapi_keys.h"

#define NODE_TRITON_AUTHZ                                                   \
	"Signature keyId=\"/alice/keys/b2:61:a3:a2:e3:fb:80:57:57:3c:86:9a:"  \
	"8e:f7:02:c6\",algorithm=\"ed25519-sha512\",headers=\"(request-"     \
	"target) date\",signature=\"f3hfcOWBK4H67sbAq20f\""

START_TEST(test_parse_node_triton_form)
{
	struct httpsig s;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_int_eq(httpsig_parse(NODE_TRITON_AUTHZ, &s, &err), 0);
	ck_assert_str_eq(s.key_id,
	    "/alice/keys/b2:61:a3:a2:e3:fb:80:57:57:3c:86:9a:8e:f7:02:c6");
	ck_assert_str_eq(s.algorithm, "ed25519-sha512");
	ck_assert_str_eq(s.headers, "(request-target) date");
	ck_assert_str_eq(s.signature, "f3hfcOWBK4H67sbAq20f");
}
END_TEST

START_TEST(test_parse_other_good_forms)
{
	struct httpsig s;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	/* The old form: no headers=, the signature after the params. */
	ck_assert_int_eq(httpsig_parse("Signature keyId=\"/a/keys/k\","
				       "algorithm=\"RSA-SHA256\" c2lnbmF0dXJl",
			     &s, &err),
	    0);
	ck_assert_str_eq(s.algorithm, "rsa-sha256");
	ck_assert_str_eq(s.headers, "");
	ck_assert_str_eq(s.signature, "c2lnbmF0dXJl");
	ck_assert(httpsig_signs_date(&s));
	/* Spaces after commas, parameters in any order, extensions ignored. */
	ck_assert_int_eq(httpsig_parse("Signature signature=\"YQ==\", "
				       "ext=\"x\", algorithm=\"ecdsa-sha256\", "
				       "keyId=\"/a/keys/k\", headers=\"date\"",
			     &s, &err),
	    0);
	ck_assert_str_eq(s.headers, "date");
	ck_assert(httpsig_signs_date(&s));
	ck_assert_int_eq(httpsig_parse("Signature keyId=\"/a/keys/k\","
				       "algorithm=\"rsa-sha256\",headers=\"(request-target) host\","
				       "signature=\"YQ==\"",
			     &s, &err),
	    0);
	ck_assert(!httpsig_signs_date(&s));
}
END_TEST

/* Authorization values that must be refused, with what the error says. */
static const struct {
	const char *value;
	const char *msg_part;
} MALFORMED[] = {
    {"", "scheme"},
    {"Signature", "scheme"},
    {"Bearer abc", "scheme"},
    {"Basic YWxpY2U6cHc=", "scheme"},
    {"Signatures keyId=\"/a/keys/k\"", "scheme"},
    {"Signature ", "keyId was not specified"},
    {"Signature   ", "keyId was not specified"},
    {"Signature keyId=\"/a/keys/k\"", "algorithm was not specified"},
    {"Signature algorithm=\"rsa-sha256\",signature=\"YQ==\"",
	"keyId was not specified"},
    {"Signature keyId=\"/a/keys/k\",signature=\"YQ==\"",
	"algorithm was not specified"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\"",
	"signature was empty"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",signature=\"\"",
	"signature is empty"},
    {"Signature keyId=\"\",algorithm=\"rsa-sha256\",signature=\"YQ==\"",
	"keyId is empty"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"\",signature=\"YQ==\"",
	"algorithm is empty"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",headers=\"\","
     "signature=\"YQ==\"",
	"headers is empty"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"hmac-sha256\",signature=\"YQ==\"",
	"not a supported signing algorithm"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"dsa-sha1\",signature=\"YQ==\"",
	"not a supported signing algorithm"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-md5\",signature=\"YQ==\"",
	"not a supported signing algorithm"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256 \",signature=\"YQ==\"",
	"not a supported signing algorithm"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"none\",signature=\"YQ==\"",
	"not a supported signing algorithm"},
    {"Signature keyId=\"/a/keys/k\",keyId=\"/b/keys/k\",algorithm=\"rsa-sha256\","
     "signature=\"YQ==\"",
	"keyId is given twice"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",algorithm=\"rsa-sha1\","
     "signature=\"YQ==\"",
	"algorithm is given twice"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",signature=\"YQ==\","
     "signature=\"Yg==\"",
	"signature is given twice"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",headers=\"date\","
     "headers=\"host\",signature=\"YQ==\"",
	"headers is given twice"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",signature=\"YQ==\" "
     "extra",
	"signature is given twice"},
    {"Signature keyId=\"/a/keys/k,algorithm=\"rsa-sha256\"", "expected a comma"},
    {"Signature keyId=\"/a/keys/k", "not a quoted string"},
    {"Signature keyId=/a/keys/k,algorithm=\"rsa-sha256\"", "not a quoted string"},
    {"Signature keyId='/a/keys/k'", "not a quoted string"},
    {"Signature keyId=", "not a quoted string"},
    {"Signature =\"x\"", "expected name=\"value\""},
    {"Signature keyId\"/a/keys/k\"", "expected name=\"value\""},
    {"Signature ,keyId=\"/a/keys/k\"", "expected name=\"value\""},
    {"Signature keyId=\"/a/keys/k\",,algorithm=\"rsa-sha256\"",
	"expected name=\"value\""},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",signature=\"YQ==\",",
	"trailing comma"},
    {"Signature keyId=\"/a/keys/k\";algorithm=\"rsa-sha256\"", "expected a comma"},
    {"Signature keyId=\"/a/keys/k\"algorithm=\"rsa-sha256\"", "expected a comma"},
    {"Signature key Id=\"/a/keys/k\"", "expected name=\"value\""},
    {"Signature keyId=\"/a/keys/\tk\",algorithm=\"rsa-sha256\",signature=\"YQ==\"",
	"control"},
    {"Signature keyId=\"/a/keys/k\r\n\",algorithm=\"rsa-sha256\"", "control"},
    {"Signature keyId=\"/a/keys/\x7f\",algorithm=\"rsa-sha256\"", "control"},
    {"Signature keyId=\"/a/keys/\xc3\xa9\",algorithm=\"rsa-sha256\"", "control"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\" sig more",
	"expected name=\"value\""},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\" \"sig\"",
	"expected name=\"value\""},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\" a,b",
	"expected name=\"value\""},
    {"Signature a=\"1\",b=\"2\",c=\"3\",d=\"4\",e=\"5\",f=\"6\",g=\"7\",h=\"8\","
     "i=\"9\"",
	"more than 8 parameters"},
    {"Signature keyId=\"/a/keys/k\",alg@rithm=\"rsa-sha256\"",
	"expected name=\"value\""},
    {"Signature keyId=\"/a/keys/k\",algorithm=rsa-sha256,signature=\"YQ==\"",
	"not a quoted string"},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",signature=YQ==",
	"not a quoted string"},
    {"Signature \"keyId\"=\"/a/keys/k\"", "expected name=\"value\""},
    {"Signature keyId=\"/a/keys/k\",algorithm=\"rsa-sha256\",signature=\"YQ==\"\"",
	"expected a comma"},
    {"Signature keyId==\"/a/keys/k\"", "not a quoted string"},
    {" Signature keyId=\"/a/keys/k\"", "scheme"},
    {"SignatureKeyId=\"/a/keys/k\"", "scheme"},
    {"Signature\tkeyId=\"/a/keys/k\"", "control"},
};
#define NMALFORMED (sizeof(MALFORMED) / sizeof(MALFORMED[0]))

START_TEST(test_malformed_authorization_is_refused)
{
	struct httpsig s;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_msg(httpsig_parse(MALFORMED[_i].value, &s, &err) == -1,
	    "accepted: %s", MALFORMED[_i].value);
	ck_assert_int_eq(err.http_status, 401);
	ck_assert_str_eq(err.code, "InvalidSignature");
	ck_assert_msg(strstr(err.msg, MALFORMED[_i].msg_part) != NULL,
	    "%s: \"%s\" lacks \"%s\"", MALFORMED[_i].value, err.msg,
	    MALFORMED[_i].msg_part);
}
END_TEST

START_TEST(test_overlong_values_are_refused)
{
	char *v = malloc(HTTPSIG_HEADER_MAX + 64), *p;
	struct httpsig s;
	struct tnfs_err err;

	memset(v, 'a', HTTPSIG_HEADER_MAX + 63);
	memcpy(v, "Signature keyId=\"", 17);
	v[HTTPSIG_HEADER_MAX + 63] = '\0';
	tnfs_err_clear(&err);
	ck_assert_int_eq(httpsig_parse(v, &s, &err), -1);
	ck_assert(strstr(err.msg, "longer than") != NULL);
	/* A keyId past its slot, in a header short enough overall. */
	p = v + 17;
	memset(p, 'k', HTTPSIG_KEYID_MAX);
	strcpy(p + HTTPSIG_KEYID_MAX, "\",algorithm=\"rsa-sha256\",signature=\"YQ==\"");
	ck_assert_int_eq(httpsig_parse(v, &s, &err), -1);
	ck_assert(strstr(err.msg, "keyId is empty or longer") != NULL);
	free(v);
}
END_TEST

/* A request's headers for the signing string. */
struct headers {
	const char *names[4];
	const char *values[4];
};

static const char *
lookup(void *cls, const char *name)
{
	const struct headers *h = cls;
	size_t i;

	for (i = 0; i < 4 && h->names[i] != NULL; i++)
		if (strcasecmp(h->names[i], name) == 0)
			return h->values[i];
	return NULL;
}

START_TEST(test_signing_string)
{
	struct headers h = {{"date", "host", NULL},
	    {"Wed, 02 Dec 2026 04:35:14 GMT", "127.0.0.1:8443", NULL}};
	struct headers xd = {{"date", "x-date", NULL},
	    {"Wed, 02 Dec 2026 04:35:14 GMT", "Thu, 03 Dec 2026 00:00:00 GMT"}};
	struct httpsig s;
	struct tnfs_err err;
	char *ss = NULL;

	tnfs_err_clear(&err);
	memset(&s, 0, sizeof(s));
	snprintf(s.headers, sizeof(s.headers), "(request-target) date");
	ck_assert_int_eq(httpsig_signing_string(&s, "GET",
			     "/alice/volumes?predicate=%7B%22ne%22%7D", lookup,
			     &h, &ss, &err),
	    0);
	ck_assert_str_eq(ss, "(request-target): get "
			     "/alice/volumes?predicate=%7B%22ne%22%7D\n"
			     "date: Wed, 02 Dec 2026 04:35:14 GMT");
	free(ss);
	/* Header names in any case and with extra spaces. */
	snprintf(s.headers, sizeof(s.headers), "Date  HOST (Request-Target)");
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "DELETE", "/a/volumes/x", lookup, &h,
		&ss, &err),
	    0);
	ck_assert_str_eq(ss, "date: Wed, 02 Dec 2026 04:35:14 GMT\n"
			     "host: 127.0.0.1:8443\n"
			     "(request-target): delete /a/volumes/x");
	free(ss);
	/* The old form signs Date only, x-date when the request has one. */
	s.headers[0] = '\0';
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "GET", "/", lookup, &h, &ss, &err), 0);
	ck_assert_str_eq(ss, "date: Wed, 02 Dec 2026 04:35:14 GMT");
	free(ss);
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "GET", "/", lookup, &xd, &ss, &err), 0);
	ck_assert_str_eq(ss, "x-date: Thu, 03 Dec 2026 00:00:00 GMT");
	free(ss);
	/* A named header the request lacks. */
	snprintf(s.headers, sizeof(s.headers), "date content-md5");
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "GET", "/", lookup, &h, &ss, &err), -1);
	ck_assert(ss == NULL);
	ck_assert_str_eq(err.msg, "content-md5 was not in the request");
	snprintf(s.headers, sizeof(s.headers), "(created) date");
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "GET", "/", lookup, &h, &ss, &err), -1);
	ck_assert_str_eq(err.msg, "(created) was not in the request");
	snprintf(s.headers, sizeof(s.headers), "   ");
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "GET", "/", lookup, &h, &ss, &err), -1);
	snprintf(s.headers, sizeof(s.headers),
	    "date date date date date date date date date date date date date "
	    "date date date date");
	ck_assert_int_eq(
	    httpsig_signing_string(&s, "GET", "/", lookup, &h, &ss, &err), -1);
	ck_assert(strstr(err.msg, "more than 16") != NULL);
}
END_TEST

START_TEST(test_date_skew)
{
	/* Wed, 02 Dec 2026 04:35:14 GMT */
	const int64_t t = 1796186114;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_int_eq(
	    httpsig_check_date("Wed, 02 Dec 2026 04:35:14 GMT", t, &err), 0);
	ck_assert_int_eq(
	    httpsig_check_date("Wed, 02 Dec 2026 04:40:14 GMT", t, &err), 0);
	ck_assert_int_eq(
	    httpsig_check_date("Wed, 02 Dec 2026 04:30:14 GMT", t, &err), 0);
	ck_assert_int_eq(
	    httpsig_check_date("Wed, 02 Dec 2026 04:40:15 GMT", t, &err), -1);
	ck_assert_str_eq(err.msg, "clock skew of 301s was greater than 300s");
	ck_assert_str_eq(err.code, "InvalidSignature");
	ck_assert_int_eq(
	    httpsig_check_date("Wed, 02 Dec 2026 03:35:14 GMT", t, &err), -1);
	ck_assert_str_eq(err.msg, "clock skew of 3600s was greater than 300s");
	ck_assert_int_eq(httpsig_check_date("2026-12-02T04:35:14Z", t, &err), -1);
	ck_assert(strstr(err.msg, "not an HTTP date") != NULL);
	ck_assert_int_eq(
	    httpsig_check_date("Wed, 02 Dec 2026 04:35:14 GMT junk", t, &err),
	    -1);
	ck_assert_int_eq(httpsig_check_date("", t, &err), -1);
}
END_TEST

static const struct {
	const char *v;
	int ok;
} VERSIONS[] = {
    {NULL, 1}, {"~9||~8", 1}, {"~8.0", 1}, {"~9", 1}, {"9", 1}, {"9.x", 1},
    {"^9.1", 1}, {"8.0.0", 1}, {"*", 1}, {">=8", 1}, {"~7||~9", 1},
    {" ~9 || ~8 ", 1}, {"~7", 0}, {"10", 0}, {">=10", 0}, {"", 0}, {"~", 0},
    {"9.", 0}, {"9.x.x.x", 0}, {"~9|~8", 0}, {"abc", 0}, {"99999", 0},
    {"~9||", 1},
};

START_TEST(test_accept_version)
{
	ck_assert_msg(auth_version_ok(VERSIONS[_i].v) == VERSIONS[_i].ok,
	    "\"%s\"", VERSIONS[_i].v ? VERSIONS[_i].v : "(null)");
}
END_TEST

/* Sign text with a fixture's private key as a client would. */
static void
sign(const struct test_key *t, const char *md, const char *text, char *out,
    size_t outsz)
{
	BIO *bio = BIO_new_mem_buf(t->private_pem, -1);
	EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);

	ck_assert(pk != NULL);
	ck_assert_int_eq(
	    EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pk, NULL), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, sig, &siglen,
			     (const unsigned char *)text, strlen(text)),
	    1);
	ck_assert_int_eq(b64_encode(sig, siglen, 1, out, outsz), 0);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BIO_free(bio);
}

static const struct {
	size_t key;
	const char *alg;
	const char *md;
} SIGNERS[] = {
    {0, "rsa-sha256", "SHA256"}, {0, "rsa-sha1", "SHA1"},
    {0, "rsa-sha512", "SHA512"}, {1, "ecdsa-sha256", "SHA256"},
    {2, "ecdsa-sha384", "SHA384"}, {3, "ecdsa-sha512", "SHA512"},
    {2, "ecdsa-sha256", "SHA256"}, {4, "ed25519-sha512", NULL},
};

START_TEST(test_each_key_type_verifies)
{
	const struct test_key *t = &TEST_KEYS[SIGNERS[_i].key];
	const char *text = "(request-target): get /alice/volumes\n"
			   "date: Wed, 02 Dec 2026 04:35:14 GMT";
	struct tnfs_err err;
	struct httpsig s;
	struct sshkey *k, *other;
	size_t n;

	tnfs_err_clear(&err);
	memset(&s, 0, sizeof(s));
	snprintf(s.key_id, sizeof(s.key_id), "/alice/keys/%s", t->md5);
	snprintf(s.algorithm, sizeof(s.algorithm), "%s", SIGNERS[_i].alg);
	sign(t, SIGNERS[_i].md, text, s.signature, sizeof(s.signature));
	k = sshkey_parse(t->public_line, &err);
	ck_assert(k != NULL);
	ck_assert_msg(httpsig_verify(&s, k, text, &err) == 0, "%s: %s",
	    SIGNERS[_i].alg, err.msg);
	/* Another text, the same signature. */
	ck_assert_int_eq(httpsig_verify(&s, k, "date: now", &err), -1);
	ck_assert_str_eq(err.code, "InvalidSignature");
	ck_assert(strstr(err.msg, "does not verify") != NULL);
	/* One bit of the signature flipped (in its middle). */
	n = strlen(s.signature) / 2;
	s.signature[n] = s.signature[n] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(httpsig_verify(&s, k, text, &err), -1);
	ck_assert(strstr(err.msg, "does not verify") != NULL ||
	    strstr(err.msg, "base64") != NULL);
	sign(t, SIGNERS[_i].md, text, s.signature, sizeof(s.signature));
	/* Not base64. */
	s.signature[0] = '*';
	ck_assert_int_eq(httpsig_verify(&s, k, text, &err), -1);
	ck_assert(strstr(err.msg, "not valid base64") != NULL);
	/* The right signature checked with another key of the same family. */
	sign(t, SIGNERS[_i].md, text, s.signature, sizeof(s.signature));
	if (SIGNERS[_i].key == 1 || SIGNERS[_i].key == 2) {
		other = sshkey_parse(
		    TEST_KEYS[SIGNERS[_i].key == 1 ? 2 : 1].public_line, &err);
		ck_assert_int_eq(httpsig_verify(&s, other, text, &err), -1);
		sshkey_free(other);
	}
	/* And with a key of another family: the algorithm does not suit. */
	other = sshkey_parse(
	    TEST_KEYS[SIGNERS[_i].key == 4 ? 0 : 4].public_line, &err);
	ck_assert_int_eq(httpsig_verify(&s, other, text, &err), -1);
	ck_assert(strstr(err.msg, "does not suit") != NULL);
	sshkey_free(other);
	sshkey_free(k);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cloudapi_httpsig");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_node_triton_form);
	tcase_add_test(tc, test_parse_other_good_forms);
	tcase_add_loop_test(
	    tc, test_malformed_authorization_is_refused, 0, NMALFORMED);
	tcase_add_test(tc, test_overlong_values_are_refused);
	tcase_add_test(tc, test_signing_string);
	tcase_add_test(tc, test_date_skew);
	tcase_add_loop_test(tc, test_accept_version, 0,
	    sizeof(VERSIONS) / sizeof(VERSIONS[0]));
	tcase_add_loop_test(tc, test_each_key_type_verifies, 0,
	    sizeof(SIGNERS) / sizeof(SIGNERS[0]));
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
