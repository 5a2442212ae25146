/*
 * probe.h: whether a peer listens, and rpcbind started when none does.
 */
#ifndef TNFS_VAPI_PROBE_H
#define TNFS_VAPI_PROBE_H

#include "err.h"

/* 1 when a TCP connection to addr:port (IPv4) opens within 1 s. */
int probe_tcp(const char *addr, int port);

/*
 * rpcbind answers (its local socket or port 111), or is started with
 * `rpcbind -w` and left running: it is host-global and other services may
 * come to rely on it.  0, or -1 and err.
 */
int probe_rpcbind(struct tnfs_err *err);

#endif
