/*
 * fuzz_sshkey.c: the OpenSSH public key parser of tritonnfs-cloudapi
 * (cloudapi/sshkey.c), which reads every key of the accounts file.  An
 * input starting with a NUL byte is a raw key blob (sshkey_from_blob),
 * anything else an authorized_keys line (sshkey_parse).  Properties: a key
 * that parses has a known type and size and is named by both its
 * fingerprints; a refusal says why.
 */
#include "fuzz.h"
#include "sshkey.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey *k;
	struct tnfs_err err;
	char *line = NULL;

	tnfs_err_clear(&err);
	if (size > 0 && data[0] == '\0')
		k = sshkey_from_blob(data + 1, size - 1, &err);
	else {
		line = fuzz_strndup(data, size);
		k = sshkey_parse(line, &err);
	}
	if (k == NULL) {
		FUZZ_CHECK(tnfs_err_isset(&err));
		free(line);
		return 0;
	}
	FUZZ_CHECK(sshkey_type(k) <= SSHKEY_ED25519);
	FUZZ_CHECK(sshkey_type_name(k) != NULL);
	FUZZ_CHECK(sshkey_bits(k) >= 256 && sshkey_bits(k) <= 16384);
	FUZZ_CHECK(sshkey_pkey(k) != NULL);
	FUZZ_CHECK(sshkey_fp_matches(k, sshkey_md5_fp(k)));
	FUZZ_CHECK(sshkey_fp_matches(k, sshkey_sha256_fp(k)));
	if (line != NULL)
		sshkey_fp_matches(k, line);
	sshkey_free(k);
	free(line);
	return 0;
}
