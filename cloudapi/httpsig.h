/*
 * httpsig.h: HTTP Signature authentication as CloudAPI accepts it
 * (draft-cavage-http-signatures, the form node-triton and smartdc-auth
 * send, and the older form without headers= that signs only Date).
 *
 *   Authorization: Signature keyId="/alice/keys/aa:bb:...",
 *       algorithm="rsa-sha256",headers="(request-target) date",
 *       signature="BASE64"
 *
 * The three steps are separate so each can be tested alone: parse the
 * header, build the string the client signed, verify it with a key.
 * Every failure is a 401 InvalidSignature (the header or the signature)
 * whose message says which check failed; the key's owner is never named.
 */
#ifndef TNFS_CLOUDAPI_HTTPSIG_H
#define TNFS_CLOUDAPI_HTTPSIG_H

#include <stdint.h>

#include "err.h"
#include "sshkey.h"

#define HTTPSIG_HEADER_MAX  8192
#define HTTPSIG_KEYID_MAX   512
#define HTTPSIG_ALG_MAX     32
#define HTTPSIG_HEADERS_MAX 512
#define HTTPSIG_SIG_MAX     4096 /* base64 of a 16384-bit RSA signature */
#define HTTPSIG_SKEW_S      300

struct httpsig {
	char key_id[HTTPSIG_KEYID_MAX];
	char algorithm[HTTPSIG_ALG_MAX]; /* lower case: "rsa-sha256" */
	char headers[HTTPSIG_HEADERS_MAX]; /* as sent, "" when absent */
	char signature[HTTPSIG_SIG_MAX];   /* base64 */
};

/* The value of a request header (any case), NULL when absent. */
typedef const char *httpsig_header_fn(void *cls, const char *name);

/*
 * Parse an Authorization header value.  The scheme must be "Signature";
 * keyId, algorithm and a signature (signature="..." or, in the old form, a
 * token after the parameters) are required; a parameter given twice, an
 * unterminated quote, a control character or an unsupported algorithm is
 * refused.  -1 with a 401 InvalidSignature naming the problem.
 */
int httpsig_parse(const char *value, struct httpsig *out, struct tnfs_err *err);

/*
 * The string the client signed: each header named in sig->headers (or
 * "date", "x-date" when present, without headers=) as "name: value",
 * joined by '\n'; "(request-target)" is "<method in lower case> <uri as
 * sent>".  *out is the caller's (free(3)).  -1 and "<h> was not in the
 * request" when a named header is absent.
 */
int httpsig_signing_string(const struct httpsig *sig, const char *method,
    const char *uri, httpsig_header_fn *hdr, void *cls, char **out,
    struct tnfs_err *err);

/* Whether the signed headers include date (or x-date). */
int httpsig_signs_date(const struct httpsig *sig);

/*
 * Check a Date (RFC 7231 IMF-fixdate, "Wed, 02 Dec 2026 04:35:14 GMT")
 * against now (seconds since the epoch): at most HTTPSIG_SKEW_S apart.
 */
int httpsig_check_date(const char *date, int64_t now, struct tnfs_err *err);

/*
 * Verify sig over signing_string with key.  The algorithm must suit the
 * key (rsa-sha1/256/512 for RSA, ecdsa-sha256/384/512 for ECDSA with a DER
 * signature, ed25519-sha512 for Ed25519).
 */
int httpsig_verify(const struct httpsig *sig, const struct sshkey *key,
    const char *signing_string, struct tnfs_err *err);

/* The 401s this module and its callers answer with. */
void httpsig_err(struct tnfs_err *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
