/*
 * test_cloudapi_accounts.c: the accounts file (good, and each way it can
 * be wrong) and auth_request over it end to end: a request signed here by
 * each fixture key, named by MD5, SHA256 or key name, and each refusal
 * with its own code and message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "accounts.h"
#include "auth.h"
#include "b64.h"
#include "check_tap.h"
#include "test_cloudapi_keys.h"

#define ALICE "11111111-1111-4111-8111-111111111111"
#define BOB   "22222222-2222-4222-8222-222222222222"
#define NOW   1796186114 /* Wed, 02 Dec 2026 04:35:14 GMT */
#define DATE  "Wed, 02 Dec 2026 04:35:14 GMT"

/* alice holds keys 0-2 (rsa, p256, p384), bob keys 3-4 (p521, ed25519). */
static char *
accounts_text(void)
{
	static char buf[16384];

	snprintf(buf, sizeof(buf),
	    "{\"accounts\": ["
	    "{\"login\": \"alice\", \"uuid\": \"" ALICE "\", \"keys\": ["
	    "{\"name\": \"rsa\", \"key\": \"%s\"},"
	    "{\"name\": \"p256\", \"key\": \"%s\"},"
	    "{\"name\": \"p384\", \"key\": \"%s\"}]},"
	    "{\"login\": \"bob\", \"uuid\": \"" BOB "\", \"keys\": ["
	    "{\"name\": \"p521\", \"key\": \"%s\"},"
	    "{\"name\": \"laptop\", \"key\": \"%s\"}]}]}",
	    TEST_KEYS[0].public_line, TEST_KEYS[1].public_line,
	    TEST_KEYS[2].public_line, TEST_KEYS[3].public_line,
	    TEST_KEYS[4].public_line);
	return buf;
}

START_TEST(test_good_file_loads)
{
	struct tnfs_err err;
	struct accounts *as;
	const struct account *a;
	const char *text = accounts_text();

	tnfs_err_clear(&err);
	as = accounts_parse(text, strlen(text), &err);
	ck_assert_msg(as != NULL, "%s", err.msg);
	ck_assert_uint_eq(accounts_count(as), 2);
	a = accounts_find(as, "bob");
	ck_assert(a != NULL);
	ck_assert_str_eq(a->uuid, BOB);
	ck_assert(account_key_find(a, "laptop") != NULL);
	ck_assert(account_key_find(a, TEST_KEYS[4].md5) != NULL);
	ck_assert(account_key_find(a, TEST_KEYS[3].sha256) != NULL);
	ck_assert(account_key_find(a, TEST_KEYS[0].md5) == NULL);
	ck_assert(accounts_find(as, "carol") == NULL);
	ck_assert(accounts_find(as, "Alice") == NULL);
	/* A held set outlives the owner's put. */
	ck_assert(accounts_hold(as) == as);
	accounts_put(as);
	ck_assert(accounts_find(as, "alice") != NULL);
	accounts_put(as);
}
END_TEST

static const struct {
	const char *text;
	const char *msg_part;
} BAD_FILES[] = {
    {"", "JSON"},
    {"[]", "must be an object"},
    {"{}", "must be an object with an \"accounts\" array"},
    {"{\"accounts\": {}}", "\"accounts\" array"},
    {"{\"accounts\": [], \"extra\": 1}", "unknown member \"extra\""},
    {"{\"accounts\": [1]}", "account 1: must be an object"},
    {"{\"accounts\": [{\"login\": \"a1\", \"uuid\": \"" ALICE "\", "
     "\"keys\": [], \"admin\": true}]}",
	"unknown member \"admin\""},
    {"{\"accounts\": [{\"uuid\": \"" ALICE "\", \"keys\": []}]}",
	"\"login\" is missing"},
    {"{\"accounts\": [{\"login\": 7, \"uuid\": \"" ALICE "\", \"keys\": []}]}",
	"\"login\" is missing or not a string"},
    {"{\"accounts\": [{\"login\": \"1abc\", \"uuid\": \"" ALICE "\", "
     "\"keys\": []}]}",
	"must match"},
    {"{\"accounts\": [{\"login\": \"a/b\", \"uuid\": \"" ALICE "\", "
     "\"keys\": []}]}",
	"must match"},
    {"{\"accounts\": [{\"login\": \"\", \"uuid\": \"" ALICE "\", "
     "\"keys\": []}]}",
	"must match"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"nope\", "
     "\"keys\": []}]}",
	"is not a UUID"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\"}]}",
	"\"keys\" is missing"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": {}}]}",
	"\"keys\" must be an array"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": [{\"name\": \"k\"}]}]}",
	"\"key\" is missing"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": [{\"name\": \"k\", \"key\": \"ssh-rsa AAAA\", \"x\": 1}]}]}",
	"unknown member \"x\""},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": [{\"name\": \"a/b\", \"key\": \"ssh-rsa AAAA\"}]}]}",
	"without '/'"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": [{\"name\": \"k\", \"key\": \"ssh-rsa AAAA\"}]}]}",
	"account alice key k"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": []}, {\"login\": \"alice\", \"uuid\": \"" BOB "\", "
     "\"keys\": []}]}",
	"login or uuid of account alice again"},
    {"{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
     "\"keys\": []}, {\"login\": \"bob\", \"uuid\": \"" ALICE "\", "
     "\"keys\": []}]}",
	"login or uuid of account alice again"},
};

START_TEST(test_bad_files_are_refused)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert(accounts_parse(BAD_FILES[_i].text, strlen(BAD_FILES[_i].text),
		      &err) == NULL);
	ck_assert_msg(strstr(err.msg, BAD_FILES[_i].msg_part) != NULL,
	    "%s: \"%s\" lacks \"%s\"", BAD_FILES[_i].text, err.msg,
	    BAD_FILES[_i].msg_part);
}
END_TEST

START_TEST(test_duplicate_key_is_refused)
{
	char buf[8192];
	struct tnfs_err err;

	snprintf(buf, sizeof(buf),
	    "{\"accounts\": [{\"login\": \"alice\", \"uuid\": \"" ALICE "\", "
	    "\"keys\": [{\"name\": \"a\", \"key\": \"%s\"}, {\"name\": \"b\", "
	    "\"key\": \"%s\"}]}]}",
	    TEST_KEYS[4].public_line, TEST_KEYS[4].public_line);
	tnfs_err_clear(&err);
	ck_assert(accounts_parse(buf, strlen(buf), &err) == NULL);
	ck_assert(strstr(err.msg, "the same name or key") != NULL);
}
END_TEST

/* A request as auth_request sees it. */
struct req {
	const char *authz;
	const char *date;
};

static const char *
hdr(void *cls, const char *name)
{
	const struct req *r = cls;

	if (strcasecmp(name, "authorization") == 0)
		return r->authz;
	if (strcasecmp(name, "date") == 0)
		return r->date;
	return NULL;
}

static void
sign_request(size_t key, const char *alg, const char *md, const char *key_id,
    const char *method, const char *uri, const char *date, char *out,
    size_t outsz)
{
	BIO *bio = BIO_new_mem_buf(TEST_KEYS[key].private_pem, -1);
	EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	char text[1024], b64[2048], lower[16];
	size_t siglen = sizeof(sig), i;

	for (i = 0; method[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(method[i] | 0x20);
	lower[i] = '\0';
	snprintf(text, sizeof(text), "(request-target): %s %s\ndate: %s", lower,
	    uri, date);
	ck_assert(EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pk, NULL) ==
	    1);
	ck_assert(EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)text,
		      strlen(text)) == 1);
	b64_encode(sig, siglen, 1, b64, sizeof(b64));
	snprintf(out, outsz,
	    "Signature keyId=\"%s\",algorithm=\"%s\",headers=\"(request-target) "
	    "date\",signature=\"%s\"",
	    key_id, alg, b64);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BIO_free(bio);
}

static struct accounts *
load(void)
{
	struct tnfs_err err;
	const char *text = accounts_text();
	struct accounts *as = accounts_parse(text, strlen(text), &err);

	ck_assert(as != NULL);
	return as;
}

START_TEST(test_signed_requests_authenticate)
{
	struct accounts *as = load();
	const struct account *a;
	struct tnfs_err err;
	char authz[4096], kid[256];
	struct req r = {authz, DATE};

	tnfs_err_clear(&err);
	snprintf(kid, sizeof(kid), "/alice/keys/%s", TEST_KEYS[1].md5);
	sign_request(1, "ecdsa-sha256", "SHA256", kid, "GET",
	    "/alice/volumes?x=%7B", DATE, authz, sizeof(authz));
	a = auth_request(as, "GET", "/alice/volumes?x=%7B", "alice", hdr, &r,
	    NOW, &err);
	ck_assert_msg(a != NULL, "%s", err.msg);
	ck_assert_str_eq(a->login, "alice");
	/* By SHA256 fingerprint and by key name. */
	snprintf(kid, sizeof(kid), "/bob/keys/%s", TEST_KEYS[4].sha256);
	sign_request(4, "ed25519-sha512", NULL, kid, "DELETE", "/bob/volumes/x",
	    DATE, authz, sizeof(authz));
	ck_assert(auth_request(as, "DELETE", "/bob/volumes/x", "bob", hdr, &r,
		      NOW, &err) != NULL);
	sign_request(4, "ed25519-sha512", NULL, "/bob/keys/laptop", "GET",
	    "/bob/networks", DATE, authz, sizeof(authz));
	ck_assert(auth_request(as, "GET", "/bob/networks", "bob", hdr, &r, NOW,
		      &err) != NULL);
	/* The same request under another method or path does not verify. */
	ck_assert(auth_request(as, "DELETE", "/bob/networks", "bob", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert_str_eq(err.code, "InvalidSignature");
	ck_assert(auth_request(as, "GET", "/bob/networks?a=1", "bob", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert(strstr(err.msg, "does not verify") != NULL);
	accounts_put(as);
}
END_TEST

START_TEST(test_each_refusal_says_why)
{
	struct accounts *as = load();
	struct tnfs_err err;
	char authz[4096], kid[256];
	struct req r = {NULL, DATE};

	tnfs_err_clear(&err);
	/* Unsigned. */
	ck_assert(auth_request(as, "GET", "/alice/volumes", "alice", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert_int_eq(err.http_status, 401);
	ck_assert_str_eq(err.code, "InvalidCredentials");
	ck_assert(strstr(err.msg, "no Authorization header") != NULL);
	r.authz = "Bearer xyz";
	ck_assert(auth_request(as, "GET", "/alice/volumes", "alice", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert(strstr(err.msg, "scheme must be Signature") != NULL);
	r.authz = authz;
	/* A key of another account, presented as bob's. */
	snprintf(kid, sizeof(kid), "/bob/keys/%s", TEST_KEYS[0].md5);
	sign_request(0, "rsa-sha256", "SHA256", kid, "GET", "/bob/volumes",
	    DATE, authz, sizeof(authz));
	ck_assert(auth_request(as, "GET", "/bob/volumes", "bob", hdr, &r, NOW,
		      &err) == NULL);
	ck_assert_str_eq(err.code, "InvalidCredentials");
	ck_assert(strstr(err.msg, "is not known") != NULL);
	/* An unknown login reads the same as an unknown key. */
	snprintf(kid, sizeof(kid), "/carol/keys/%s", TEST_KEYS[0].md5);
	sign_request(0, "rsa-sha256", "SHA256", kid, "GET", "/carol/volumes",
	    DATE, authz, sizeof(authz));
	ck_assert(auth_request(as, "GET", "/carol/volumes", "carol", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert(strstr(err.msg, "is not known") != NULL);
	/* alice's valid signature on bob's path. */
	snprintf(kid, sizeof(kid), "/alice/keys/%s", TEST_KEYS[0].md5);
	sign_request(0, "rsa-sha256", "SHA256", kid, "GET", "/bob/volumes",
	    DATE, authz, sizeof(authz));
	ck_assert(auth_request(as, "GET", "/bob/volumes", "bob", hdr, &r, NOW,
		      &err) == NULL);
	ck_assert_int_eq(err.http_status, 403);
	ck_assert_str_eq(err.code, "NotAuthorized");
	/* A stale Date, correctly signed. */
	r.date = "Wed, 02 Dec 2026 04:25:14 GMT";
	sign_request(0, "rsa-sha256", "SHA256", kid, "GET", "/alice/volumes",
	    r.date, authz, sizeof(authz));
	ck_assert(auth_request(as, "GET", "/alice/volumes", "alice", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert_str_eq(err.msg, "clock skew of 600s was greater than 300s");
	/* No Date at all. */
	r.date = NULL;
	ck_assert(auth_request(as, "GET", "/alice/volumes", "alice", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert_str_eq(err.msg, "date was not in the request");
	/* keyIds of the wrong shape. */
	r.date = DATE;
	{
		static const char *const shapes[] = {"alice/keys/k", "/alice",
		    "/alice/keys/", "/alice/key/k", "/alice/keys/a/b",
		    "//keys/k", "/alice/sub/keys/k"};
		size_t i;

		for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
			sign_request(0, "rsa-sha256", "SHA256", shapes[i], "GET",
			    "/alice/volumes", DATE, authz, sizeof(authz));
			ck_assert(auth_request(as, "GET", "/alice/volumes",
				      "alice", hdr, &r, NOW, &err) == NULL);
			ck_assert_msg(strstr(err.msg, "Invalid KeyId") != NULL,
			    "%s: %s", shapes[i], err.msg);
		}
	}
	/* Date not among the signed headers. */
	r.authz = "Signature keyId=\"/alice/keys/rsa\",algorithm=\"rsa-sha256\","
		  "headers=\"(request-target)\",signature=\"YQ==\"";
	ck_assert(auth_request(as, "GET", "/alice/volumes", "alice", hdr, &r,
		      NOW, &err) == NULL);
	ck_assert_str_eq(err.msg, "date was not a signed header");
	accounts_put(as);
}
END_TEST

START_TEST(test_old_form_without_headers_verifies)
{
	struct accounts *as = load();
	struct tnfs_err err;
	BIO *bio = BIO_new_mem_buf(TEST_KEYS[0].private_pem, -1);
	EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[512];
	size_t siglen = sizeof(sig);
	char text[] = "date: " DATE, b64[1024], authz[2048];
	struct req r = {authz, DATE};

	tnfs_err_clear(&err);
	ck_assert(EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, pk,
		      NULL) == 1);
	ck_assert(EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)text,
		      strlen(text)) == 1);
	b64_encode(sig, siglen, 1, b64, sizeof(b64));
	snprintf(authz, sizeof(authz),
	    "Signature keyId=\"/alice/keys/%s\",algorithm=\"rsa-sha256\" %s",
	    TEST_KEYS[0].md5, b64);
	ck_assert_msg(auth_request(as, "GET", "/alice/volumes", "alice", hdr,
			  &r, NOW, &err) != NULL,
	    "%s", err.msg);
	snprintf(authz, sizeof(authz),
	    "Signature keyId=\"/alice/keys/%s\",algorithm=\"rsa-sha256\","
	    "signature=\"%s\"",
	    TEST_KEYS[0].md5, b64);
	ck_assert(auth_request(as, "POST", "/alice/volumes", "alice", hdr, &r,
		      NOW, &err) != NULL);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	accounts_put(as);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cloudapi_accounts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_good_file_loads);
	tcase_add_loop_test(tc, test_bad_files_are_refused, 0,
	    sizeof(BAD_FILES) / sizeof(BAD_FILES[0]));
	tcase_add_test(tc, test_duplicate_key_is_refused);
	tcase_add_test(tc, test_signed_requests_authenticate);
	tcase_add_test(tc, test_each_refusal_says_why);
	tcase_add_test(tc, test_old_form_without_headers_verifies);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
