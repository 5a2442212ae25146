/*
 * sha256.h: SHA-256 (FIPS 180-4), for comparing bearer tokens with the
 * hashes kept in configuration files.  Not for anything needing speed.
 */
#ifndef TNFS_SHA256_H
#define TNFS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define TNFS_SHA256_LEN       32
#define TNFS_SHA256_HEX_BUFSZ (2 * TNFS_SHA256_LEN + 1)

/* The digest of data[0..len) into out. */
void tnfs_sha256(const void *data, size_t len, uint8_t out[TNFS_SHA256_LEN]);

/* The digest as 64 lowercase hex digits and a NUL. */
void tnfs_sha256_hex(
    const void *data, size_t len, char out[TNFS_SHA256_HEX_BUFSZ]);

#endif
