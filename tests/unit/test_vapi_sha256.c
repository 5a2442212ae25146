/* test_vapi_sha256.c: SHA-256 against the FIPS 180-4 / NIST vectors. */
#include <string.h>

#include "check_tap.h"
#include "sha256.h"

static const struct {
	const char *in;
	const char *hex;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    /* 55, 56, 63 and 64 bytes: the padding edges */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
};

START_TEST(test_sha256_vectors)
{
	char hex[TNFS_SHA256_HEX_BUFSZ];

	tnfs_sha256_hex(vectors[_i].in, strlen(vectors[_i].in), hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

START_TEST(test_sha256_million_a)
{
	static char buf[1000000];
	char hex[TNFS_SHA256_HEX_BUFSZ];

	memset(buf, 'a', sizeof(buf));
	tnfs_sha256_hex(buf, sizeof(buf), hex);
	ck_assert_str_eq(hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(
	    tc, test_sha256_vectors, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, test_sha256_million_a);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
