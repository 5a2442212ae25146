/*
 * auth.h: who signed a CloudAPI request.  HTTP Signature (httpsig.h)
 * checked against the accounts file (accounts.h), as CloudAPI's
 * signatureAuth does against UFDS.
 */
#ifndef TNFS_CLOUDAPI_AUTH_H
#define TNFS_CLOUDAPI_AUTH_H

#include <stdint.h>

#include "accounts.h"
#include "err.h"
#include "httpsig.h"

/*
 * The account that signed the request (method, uri exactly as sent, its
 * headers through hdr), checked at now (seconds since the epoch), borrowed
 * from as.  Then it must be path_login's: another account's path is 403
 * NotAuthorized.  NULL and a 401 saying which check failed otherwise:
 * InvalidCredentials (no signature, a keyId of the wrong shape, a key not
 * known for that login) or InvalidSignature (the header, a missing or
 * stale Date, a signature that does not verify).
 */
const struct account *auth_request(const struct accounts *as,
    const char *method, const char *uri, const char *path_login,
    httpsig_header_fn *hdr, void *cls, int64_t now, struct tnfs_err *err);

/*
 * Whether an Accept-Version range admits this API (CloudAPI 9, and 8 whose
 * volume endpoints are the same): "~9", "~8.0", "~9||~8", "^9.1", "9.x",
 * ">=8", "*".  NULL (no header) is admitted.
 */
int auth_version_ok(const char *accept_version);

#endif
