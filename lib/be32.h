/*
 * be32.h: 32-bit big-endian (network order, XDR) integers in byte
 * buffers, for the hand-built wire formats (RPC records, NFSv4
 * attributes) and SHA-256.
 */
#ifndef TNFS_LIB_BE32_H
#define TNFS_LIB_BE32_H

#include <stdint.h>

static inline uint32_t
be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void
be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
