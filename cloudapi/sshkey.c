/*
 * sshkey.c: OpenSSH public key blobs into OpenSSL keys (see sshkey.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "b64.h"
#include "sshkey.h"

#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 16384

struct sshkey {
	enum sshkey_type type;
	EVP_PKEY *pkey;
	int bits;
	char md5_fp[SSHKEY_MD5_FP_BUFSZ];
	char sha256_fp[SSHKEY_SHA256_FP_BUFSZ];
};

static const struct {
	enum sshkey_type type;
	const char *name;
	const char *curve_ssh; /* the name inside the blob */
	const char *curve_ossl;
	size_t point_len; /* uncompressed: 04 || X || Y */
} TYPES[] = {
    {SSHKEY_RSA, "ssh-rsa", NULL, NULL, 0},
    {SSHKEY_ECDSA_P256, "ecdsa-sha2-nistp256", "nistp256", "prime256v1",
	65},
    {SSHKEY_ECDSA_P384, "ecdsa-sha2-nistp384", "nistp384", "secp384r1", 97},
    {SSHKEY_ECDSA_P521, "ecdsa-sha2-nistp521", "nistp521", "secp521r1",
	133},
    {SSHKEY_ED25519, "ssh-ed25519", NULL, NULL, 0},
};
#define NTYPES (sizeof(TYPES) / sizeof(TYPES[0]))

/* A reader over the blob: every read checks what is left. */
struct reader {
	const unsigned char *p;
	size_t left;
};

static int
read_string(struct reader *r, const unsigned char **s, size_t *len)
{
	uint32_t n;

	if (r->left < 4)
		return -1;
	n = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	if (n > r->left - 4)
		return -1;
	*s = r->p + 4;
	*len = n;
	r->p += 4 + n;
	r->left -= 4 + n;
	return 0;
}

static int
same(const unsigned char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

/*
 * An mpint (RFC 4251 §5) that must be positive and minimally encoded; the
 * leading zero byte a set top bit needs is dropped.
 */
static int
read_mpint_pos(struct reader *r, const unsigned char **s, size_t *len)
{
	if (read_string(r, s, len) == -1 || *len == 0)
		return -1;
	if ((*s)[0] & 0x80)
		return -1; /* negative */
	if ((*s)[0] == 0) {
		if (*len == 1 || !((*s)[1] & 0x80))
			return -1; /* zero, or a needless leading zero */
		(*s)++;
		(*len)--;
	}
	return 0;
}

static EVP_PKEY *
from_params(const char *alg, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *
rsa_key(struct reader *r, int *bits, struct tnfs_err *err)
{
	const unsigned char *e, *n;
	size_t elen, nlen;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *bn_e = NULL, *bn_n = NULL;
	EVP_PKEY *pkey = NULL;

	if (read_mpint_pos(r, &e, &elen) == -1 ||
	    read_mpint_pos(r, &n, &nlen) == -1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "ssh-rsa key: the exponent or modulus is truncated or "
		    "not a positive integer");
		return NULL;
	}
	if (elen > 8 || nlen * 8 > RSA_MAX_BITS) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "ssh-rsa key: exponent or modulus too large");
		return NULL;
	}
	bn_e = BN_bin2bn(e, (int)elen, NULL);
	bn_n = BN_bin2bn(n, (int)nlen, NULL);
	if (bn_e == NULL || bn_n == NULL)
		goto oom;
	*bits = BN_num_bits(bn_n);
	if (*bits < RSA_MIN_BITS || !BN_is_odd(bn_e) || BN_is_one(bn_e)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "ssh-rsa key: %d bits (at least %d) or an invalid exponent",
		    *bits, RSA_MIN_BITS);
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto oom;
	if ((pkey = from_params("RSA", bld)) == NULL)
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "ssh-rsa key: OpenSSL refuses it");
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_e);
	BN_free(bn_n);
	return pkey;
}

static EVP_PKEY *
ec_key(struct reader *r, size_t t, struct tnfs_err *err)
{
	const unsigned char *curve, *q;
	size_t clen, qlen;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *check = NULL;

	if (read_string(r, &curve, &clen) == -1 ||
	    !same(curve, clen, TYPES[t].curve_ssh)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s key: the curve is missing or not %s", TYPES[t].name,
		    TYPES[t].curve_ssh);
		return NULL;
	}
	if (read_string(r, &q, &qlen) == -1 || qlen != TYPES[t].point_len ||
	    q[0] != 0x04) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s key: the public point is truncated or not an "
		    "uncompressed point of %zu bytes",
		    TYPES[t].name, TYPES[t].point_len);
		return NULL;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
		TYPES[t].curve_ossl, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(
		bld, OSSL_PKEY_PARAM_PUB_KEY, q, qlen)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	pkey = from_params("EC", bld);
	/* fromdata may accept a point off the curve; check it. */
	if (pkey != NULL &&
	    ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
		EVP_PKEY_public_check(check) != 1)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	if (pkey == NULL)
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s key: the public point is not on the curve",
		    TYPES[t].name);
out:
	EVP_PKEY_CTX_free(check);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
ed25519_key(struct reader *r, struct tnfs_err *err)
{
	const unsigned char *pk;
	size_t len;
	EVP_PKEY *pkey;

	if (read_string(r, &pk, &len) == -1 || len != 32) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "ssh-ed25519 key: the public key is not 32 bytes");
		return NULL;
	}
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, len);
	if (pkey == NULL)
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "ssh-ed25519 key: OpenSSL refuses it");
	return pkey;
}

static int
fingerprints(struct sshkey *k, const unsigned char *blob, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char *p = k->md5_fp;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_md5(), NULL) != 1)
		return -1;
	for (i = 0; i < mdlen; i++) {
		static const char hex[] = "0123456789abcdef";

		if (i > 0)
			*p++ = ':';
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	*p = '\0';
	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	memcpy(k->sha256_fp, "SHA256:", 7);
	return b64_encode(
	    md, mdlen, 0, k->sha256_fp + 7, sizeof(k->sha256_fp) - 7);
}

struct sshkey *
sshkey_from_blob(const unsigned char *blob, size_t len, struct tnfs_err *err)
{
	struct reader r = {blob, len};
	const unsigned char *tname;
	size_t tlen, t;
	struct sshkey *k = NULL;
	EVP_PKEY *pkey = NULL;
	int bits = 0;

	if (read_string(&r, &tname, &tlen) == -1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the key blob is too short to name its type");
		return NULL;
	}
	for (t = 0; t < NTYPES; t++)
		if (same(tname, tlen, TYPES[t].name))
			break;
	if (t == NTYPES) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "unsupported key type \"%.*s\" (ssh-rsa, ecdsa-sha2-nistp256, "
		    "ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-ed25519)",
		    (int)(tlen > 40 ? 40 : tlen), (const char *)tname);
		return NULL;
	}
	switch (TYPES[t].type) {
	case SSHKEY_RSA:
		pkey = rsa_key(&r, &bits, err);
		break;
	case SSHKEY_ECDSA_P256:
	case SSHKEY_ECDSA_P384:
	case SSHKEY_ECDSA_P521:
		pkey = ec_key(&r, t, err);
		if (pkey != NULL)
			bits = EVP_PKEY_get_bits(pkey);
		break;
	case SSHKEY_ED25519:
		pkey = ed25519_key(&r, err);
		bits = 256;
		break;
	}
	/* A refused key leaves OpenSSL's reasons queued: drop them. */
	ERR_clear_error();
	if (pkey == NULL)
		return NULL;
	if (r.left != 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s key: %zu unexpected bytes after the key", TYPES[t].name,
		    r.left);
		goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	k->type = TYPES[t].type;
	k->pkey = pkey;
	k->bits = bits;
	if (fingerprints(k, blob, len) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "cannot compute fingerprints");
		sshkey_free(k);
		return NULL;
	}
	return k;
fail:
	EVP_PKEY_free(pkey);
	return NULL;
}

struct sshkey *
sshkey_parse(const char *line, struct tnfs_err *err)
{
	const char *p = line, *type, *data;
	size_t tlen, dlen, blen = 0, t;
	unsigned char *blob = NULL;
	struct sshkey *k = NULL;

	if (strlen(line) > SSHKEY_LINE_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the key is longer than %d characters", SSHKEY_LINE_MAX);
		return NULL;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	type = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	tlen = (size_t)(p - type);
	while (*p == ' ' || *p == '\t')
		p++;
	data = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	dlen = (size_t)(p - data);
	if (tlen == 0 || dlen == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "expected \"TYPE BASE64 [COMMENT]\" (an OpenSSH public key)");
		return NULL;
	}
	for (t = 0; t < NTYPES; t++)
		if (strlen(TYPES[t].name) == tlen &&
		    memcmp(TYPES[t].name, type, tlen) == 0)
			break;
	if (t == NTYPES) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "unsupported key type \"%.*s\" (ssh-rsa, ecdsa-sha2-nistp256, "
		    "ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-ed25519)",
		    (int)(tlen > 40 ? 40 : tlen), type);
		return NULL;
	}
	if (b64_decode(data, dlen, &blob, &blen) == -1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s key: the key data is not valid base64", TYPES[t].name);
		return NULL;
	}
	if ((k = sshkey_from_blob(blob, blen, err)) != NULL &&
	    k->type != TYPES[t].type) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the key says %s but its data holds a %s key", TYPES[t].name,
		    sshkey_type_name(k));
		sshkey_free(k);
		k = NULL;
	}
	free(blob);
	return k;
}

void
sshkey_free(struct sshkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

enum sshkey_type
sshkey_type(const struct sshkey *k)
{
	return k->type;
}

const char *
sshkey_type_name(const struct sshkey *k)
{
	size_t t;

	for (t = 0; t < NTYPES; t++)
		if (TYPES[t].type == k->type)
			return TYPES[t].name;
	return "?";
}

int
sshkey_bits(const struct sshkey *k)
{
	return k->bits;
}

const char *
sshkey_md5_fp(const struct sshkey *k)
{
	return k->md5_fp;
}

const char *
sshkey_sha256_fp(const struct sshkey *k)
{
	return k->sha256_fp;
}

EVP_PKEY *
sshkey_pkey(const struct sshkey *k)
{
	return k->pkey;
}

int
sshkey_fp_matches(const struct sshkey *k, const char *id)
{
	if (strncmp(id, "SHA256:", 7) == 0)
		return strcmp(id, k->sha256_fp) == 0;
	if (strncasecmp(id, "MD5:", 4) == 0)
		id += 4;
	return strcasecmp(id, k->md5_fp) == 0;
}
