/*
 * httpsig.c: HTTP Signature parsing and verification (see httpsig.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>

#include "b64.h"
#include "httpsig.h"

#define MAX_PARAMS  8
#define MAX_HEADERS 16

static const struct {
	const char *name;
	enum sshkey_type family; /* SSHKEY_ECDSA_P256 stands for any ECDSA */
	const char *md;          /* NULL: Ed25519 hashes by itself */
} ALGS[] = {
    {"rsa-sha1", SSHKEY_RSA, "SHA1"},
    {"rsa-sha256", SSHKEY_RSA, "SHA256"},
    {"rsa-sha512", SSHKEY_RSA, "SHA512"},
    {"ecdsa-sha256", SSHKEY_ECDSA_P256, "SHA256"},
    {"ecdsa-sha384", SSHKEY_ECDSA_P256, "SHA384"},
    {"ecdsa-sha512", SSHKEY_ECDSA_P256, "SHA512"},
    {"ed25519-sha512", SSHKEY_ED25519, NULL},
};
#define NALGS (sizeof(ALGS) / sizeof(ALGS[0]))

void
httpsig_err(struct tnfs_err *err, const char *code, const char *fmt, ...)
{
	char msg[TNFS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tnfs_err_set_raw(err, code, 401, msg);
}

static int
find_alg(const char *name)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (strcmp(ALGS[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Copy a parameter's value into its slot, refusing repeats and overlong. */
static int
set_param(char *slot, size_t slotsz, const char *name, const char *v,
    size_t len, struct tnfs_err *err)
{
	if (slot[0] != '\0') {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: %s is given twice", name);
		return -1;
	}
	if (len == 0 || len >= slotsz) {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: %s is empty or longer than "
		    "%zu characters",
		    name, slotsz - 1);
		return -1;
	}
	memcpy(slot, v, len);
	slot[len] = '\0';
	return 0;
}

/* The header as a whole: its length, its characters, its scheme. */
static int
check_header(const char *value, struct tnfs_err *err)
{
	size_t i;

	if (strlen(value) > HTTPSIG_HEADER_MAX) {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: longer than %d characters",
		    HTTPSIG_HEADER_MAX);
		return -1;
	}
	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] < 0x20 ||
		    (unsigned char)value[i] > 0x7e) {
			httpsig_err(err, "InvalidSignature",
			    "Authorization header invalid: it holds a control "
			    "or non-ASCII character");
			return -1;
		}
	if (strncasecmp(value, "Signature ", 10) != 0) {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: scheme was not \"Signature\"");
		return -1;
	}
	return 0;
}

/* What every signature names: keyId, a supported algorithm, itself. */
static int
check_params(struct httpsig *out, struct tnfs_err *err)
{
	size_t i;

	if (out->key_id[0] == '\0') {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: keyId was not specified");
		return -1;
	}
	if (out->algorithm[0] == '\0') {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: algorithm was not specified");
		return -1;
	}
	if (out->signature[0] == '\0') {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: signature was empty");
		return -1;
	}
	for (i = 0; out->algorithm[i] != '\0'; i++)
		out->algorithm[i] = (char)tolower((unsigned char)out->algorithm[i]);
	if (find_alg(out->algorithm) < 0) {
		httpsig_err(err, "InvalidSignature",
		    "%s is not a supported signing algorithm", out->algorithm);
		return -1;
	}
	return 0;
}

int
httpsig_parse(const char *value, struct httpsig *out, struct tnfs_err *err)
{
	const char *p;
	size_t nparams = 0;
	int after_space = 0;

	memset(out, 0, sizeof(*out));
	if (check_header(value, err) == -1)
		return -1;
	p = value + 10; /* after "Signature " */
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		const char *name = p, *v;
		size_t nlen, vlen;
		char *slot = NULL;
		size_t slotsz = 0;

		/*
		 * The old form: after a space, a bare token is the signature
		 * (http-signature 0.9, which Triton still accepts).
		 */
		if (after_space && strpbrk(p, "\", ") == NULL) {
			if (set_param(out->signature, sizeof(out->signature),
				"signature", p, strlen(p), err) == -1)
				return -1;
			break;
		}
		while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0 || *p != '=') {
			httpsig_err(err, "InvalidSignature",
			    "Authorization header invalid: expected name=\"value\" "
			    "at offset %zu",
			    (size_t)(name - value));
			return -1;
		}
		if (p[1] != '"' || (v = strchr(p + 2, '"')) == NULL) {
			httpsig_err(err, "InvalidSignature",
			    "Authorization header invalid: the value of %.*s is "
			    "not a quoted string",
			    (int)(nlen > 32 ? 32 : nlen), name);
			return -1;
		}
		vlen = (size_t)(v - (p + 2));
		if (++nparams > MAX_PARAMS) {
			httpsig_err(err, "InvalidSignature",
			    "Authorization header invalid: more than %d parameters",
			    MAX_PARAMS);
			return -1;
		}
		if (nlen == 5 && strncmp(name, "keyId", 5) == 0)
			slot = out->key_id, slotsz = sizeof(out->key_id);
		else if (nlen == 9 && strncmp(name, "algorithm", 9) == 0)
			slot = out->algorithm, slotsz = sizeof(out->algorithm);
		else if (nlen == 7 && strncmp(name, "headers", 7) == 0)
			slot = out->headers, slotsz = sizeof(out->headers);
		else if (nlen == 9 && strncmp(name, "signature", 9) == 0)
			slot = out->signature, slotsz = sizeof(out->signature);
		/* Other parameters (extensions of the draft) are ignored. */
		if (slot != NULL && set_param(slot, slotsz, slot == out->key_id
			    ? "keyId" : slot == out->algorithm ? "algorithm"
			    : slot == out->headers ? "headers" : "signature",
			p + 2, vlen, err) == -1)
			return -1;
		p = v + 1;
		after_space = 0;
		if (*p == ',') {
			p++;
			while (*p == ' ')
				p++;
			if (*p == '\0') {
				httpsig_err(err, "InvalidSignature",
				    "Authorization header invalid: a trailing comma");
				return -1;
			}
		} else if (*p == ' ') {
			while (*p == ' ')
				p++;
			after_space = 1;
		} else if (*p != '\0') {
			httpsig_err(err, "InvalidSignature",
			    "Authorization header invalid: expected a comma at "
			    "offset %zu",
			    (size_t)(p - value));
			return -1;
		}
	}
	return check_params(out, err);
}

int
httpsig_signs_date(const struct httpsig *sig)
{
	const char *p = sig->headers;

	if (p[0] == '\0')
		return 1;
	while (*p != '\0') {
		const char *w = p;
		size_t n;

		while (*p != '\0' && *p != ' ')
			p++;
		n = (size_t)(p - w);
		if ((n == 4 && strncasecmp(w, "date", 4) == 0) ||
		    (n == 6 && strncasecmp(w, "x-date", 6) == 0))
			return 1;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Append to a growing buffer; -1 when out of memory. */
static int
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *nb = realloc(*buf, ncap);

		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

int
httpsig_signing_string(const struct httpsig *sig, const char *method,
    const char *uri, httpsig_header_fn *hdr, void *cls, char **out,
    struct tnfs_err *err)
{
	char names[HTTPSIG_HEADERS_MAX], *save = NULL, *w;
	char *buf = NULL;
	size_t len = 0, cap = 0, n = 0, i;
	int oom = 0;

	*out = NULL;
	if (sig->headers[0] != '\0')
		snprintf(names, sizeof(names), "%s", sig->headers);
	else
		snprintf(names, sizeof(names), "%s",
		    hdr(cls, "x-date") != NULL ? "x-date" : "date");
	for (w = strtok_r(names, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		const char *v;

		for (i = 0; w[i] != '\0'; i++)
			w[i] = (char)tolower((unsigned char)w[i]);
		if (++n > MAX_HEADERS) {
			httpsig_err(err, "InvalidSignature",
			    "Authorization header invalid: more than %d signed "
			    "headers",
			    MAX_HEADERS);
			goto fail;
		}
		if (n > 1)
			oom |= append(&buf, &len, &cap, "\n", 1);
		if (strcmp(w, "(request-target)") == 0) {
			oom |= append(&buf, &len, &cap, w, strlen(w));
			oom |= append(&buf, &len, &cap, ": ", 2);
			for (i = 0; method[i] != '\0'; i++) {
				char c = (char)tolower((unsigned char)method[i]);

				oom |= append(&buf, &len, &cap, &c, 1);
			}
			oom |= append(&buf, &len, &cap, " ", 1);
			oom |= append(&buf, &len, &cap, uri, strlen(uri));
			continue;
		}
		if (w[0] == '(' || (v = hdr(cls, w)) == NULL) {
			httpsig_err(err, "InvalidSignature", "%.64s was not in the request",
			    w);
			goto fail;
		}
		oom |= append(&buf, &len, &cap, w, strlen(w));
		oom |= append(&buf, &len, &cap, ": ", 2);
		oom |= append(&buf, &len, &cap, v, strlen(v));
	}
	if (n == 0) {
		httpsig_err(err, "InvalidSignature",
		    "Authorization header invalid: headers names no header");
		goto fail;
	}
	if (oom) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	*out = buf;
	return 0;
fail:
	free(buf);
	return -1;
}

int
httpsig_check_date(const char *date, int64_t now, struct tnfs_err *err)
{
	struct tm tm;
	const char *end;
	int64_t t, skew;

	memset(&tm, 0, sizeof(tm));
	end = strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0') {
		httpsig_err(err, "InvalidSignature",
		    "the Date header \"%.64s\" is not an HTTP date "
		    "(\"Wed, 02 Dec 2026 04:35:14 GMT\")",
		    date);
		return -1;
	}
	t = (int64_t)timegm(&tm);
	skew = t > now ? t - now : now - t;
	if (skew > HTTPSIG_SKEW_S) {
		httpsig_err(err, "InvalidSignature",
		    "clock skew of %llds was greater than %ds", (long long)skew,
		    HTTPSIG_SKEW_S);
		return -1;
	}
	return 0;
}

static int
key_suits(enum sshkey_type family, enum sshkey_type t)
{
	if (family == SSHKEY_ECDSA_P256)
		return t == SSHKEY_ECDSA_P256 || t == SSHKEY_ECDSA_P384 ||
		    t == SSHKEY_ECDSA_P521;
	return family == t;
}

int
httpsig_verify(const struct httpsig *sig, const struct sshkey *key,
    const char *signing_string, struct tnfs_err *err)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	EVP_MD_CTX *ctx = NULL;
	int a, rc = -1;

	if ((a = find_alg(sig->algorithm)) < 0) {
		httpsig_err(err, "InvalidSignature",
		    "%s is not a supported signing algorithm", sig->algorithm);
		return -1;
	}
	if (!key_suits(ALGS[a].family, sshkey_type(key))) {
		httpsig_err(err, "InvalidSignature",
		    "algorithm %s does not suit the %s key %s", sig->algorithm,
		    sshkey_type_name(key), sig->key_id);
		return -1;
	}
	if (b64_decode(sig->signature, strlen(sig->signature), &raw,
		&rawlen) == -1) {
		httpsig_err(err, "InvalidSignature",
		    "the signature is not valid base64");
		return -1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(ctx, NULL, ALGS[a].md, NULL, NULL,
		sshkey_pkey(key), NULL) != 1 ||
	    EVP_DigestVerify(ctx, raw, rawlen,
		(const unsigned char *)signing_string,
		strlen(signing_string)) != 1) {
		httpsig_err(err, "InvalidSignature",
		    "the signature does not verify with key %s", sig->key_id);
		goto out;
	}
	rc = 0;
out:
	/* A refused signature leaves OpenSSL's reasons queued: drop them. */
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(raw);
	return rc;
}
