/*
 * uuid.h: UUIDs as Triton writes them: lowercase canonical 8-4-4-4-12.
 */
#ifndef TNFS_UUID_H
#define TNFS_UUID_H

#include <stddef.h>

#include "err.h"

#define TNFS_UUID_LEN   36
#define TNFS_UUID_BUFSZ (TNFS_UUID_LEN + 1)

/* 1 when s is a lowercase canonical UUID (VAPI's regex), else 0. */
int tnfs_uuid_valid(const char *s);

/*
 * 1 when s could begin a uuid as we write them (non-empty; lowercase hex
 * digits and dashes only): what a "short id" may be.
 */
int tnfs_uuid_prefix_valid(const char *s);

/*
 * A random (version 4, RFC 4122 variant) UUID from /dev/urandom into out,
 * lowercase.  0, or -1 and an InternalError when /dev/urandom fails.
 */
int tnfs_uuid_generate(char out[TNFS_UUID_BUFSZ], struct tnfs_err *err);

/*
 * The id a request is logged and answered with: the client's own
 * (x-request-id, sent; may be NULL) when it is 1 to 128 printable ASCII
 * characters without spaces that fit in buf, else a new uuid ("-" if
 * none can be made).  len is at least TNFS_UUID_BUFSZ.
 */
void tnfs_request_id(const char *sent, char *buf, size_t len);

#endif
