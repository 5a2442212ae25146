/*
 * sshkey.h: OpenSSH public keys ("ssh-ed25519 AAAA... comment") as
 * accounts list them, turned into OpenSSL keys that verify HTTP
 * signatures, with the fingerprints that name them in a keyId.
 *
 * Types: ssh-rsa (1024 to 16384 bits), ecdsa-sha2-nistp256/384/521 and
 * ssh-ed25519.  The blob is parsed field by field (RFC 4253 §6.6, RFC 5656
 * §3.1, RFC 8709 §4) and must be consumed exactly: a truncated blob, a
 * length past its end, trailing bytes, a curve that does not match the
 * type or a point not on the curve are refused.
 */
#ifndef TNFS_CLOUDAPI_SSHKEY_H
#define TNFS_CLOUDAPI_SSHKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "err.h"

/* "aa:bb:...:ff" (16 bytes) and "SHA256:" + 43 base64 characters. */
#define SSHKEY_MD5_FP_BUFSZ    48
#define SSHKEY_SHA256_FP_BUFSZ 56
#define SSHKEY_LINE_MAX        16384

enum sshkey_type {
	SSHKEY_RSA,
	SSHKEY_ECDSA_P256,
	SSHKEY_ECDSA_P384,
	SSHKEY_ECDSA_P521,
	SSHKEY_ED25519,
};

struct sshkey;

/*
 * Parse an authorized_keys style line: TYPE BASE64 [COMMENT].  The type
 * word must name the type inside the blob.  Returns a key the caller frees
 * with sshkey_free, or NULL with a ValidationError saying what is wrong.
 */
struct sshkey *sshkey_parse(const char *line, struct tnfs_err *err);

/* The same from a decoded blob. */
struct sshkey *sshkey_from_blob(
    const unsigned char *blob, size_t len, struct tnfs_err *err);

void sshkey_free(struct sshkey *k);

enum sshkey_type sshkey_type(const struct sshkey *k);
/* "ssh-rsa", "ecdsa-sha2-nistp256", ..., "ssh-ed25519". */
const char *sshkey_type_name(const struct sshkey *k);
int sshkey_bits(const struct sshkey *k);
/* Borrowed; valid while k lives. */
const char *sshkey_md5_fp(const struct sshkey *k);
const char *sshkey_sha256_fp(const struct sshkey *k);
EVP_PKEY *sshkey_pkey(const struct sshkey *k);

/*
 * Whether id names k by fingerprint: "aa:bb:..." (case-insensitive, with
 * or without a leading "MD5:") or "SHA256:...".
 */
int sshkey_fp_matches(const struct sshkey *k, const char *id);

#endif
