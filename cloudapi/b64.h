/*
 * b64.h: strict base64 (RFC 4648 §4) for SSH key blobs and HTTP
 * signatures.  Decoding refuses what a lenient decoder would guess at
 * (bad characters, misplaced or missing padding, non-zero padding bits), so
 * a blob has exactly one text form and a hostile one fails early.
 */
#ifndef TNFS_CLOUDAPI_B64_H
#define TNFS_CLOUDAPI_B64_H

#include <stddef.h>

/*
 * Decode len characters of in into a new buffer (*out, caller frees; *outlen
 * bytes).  Returns -1 on any malformed input, leaving *out NULL.
 */
int b64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen);

/*
 * Encode len bytes into out (outsz bytes including the NUL), with '='
 * padding when pad is set.  Returns -1 when out is too small.
 */
int b64_encode(const unsigned char *in, size_t len, int pad, char *out,
    size_t outsz);

#endif
