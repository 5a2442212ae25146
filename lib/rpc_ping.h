/*
 * rpc_ping.h: is an ONC RPC server answering on this TCP connection?
 *
 * A TCP connect alone proves little: behind NAT, a port forward or a
 * user-mode network (QEMU's slirp) the connection is accepted by the
 * forwarder whether or not the NFS server behind it is up, and a kernel
 * mount against such a server retries until the plugin's deadline.  One
 * NULL procedure call (RFC 5531, record marking over TCP) tells "up",
 * "closed the connection" and "does not answer" apart in one round trip.
 */
#ifndef TNFS_RPC_PING_H
#define TNFS_RPC_PING_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define RPC_PROG_NFS   100003u
#define RPC_PROG_MOUNT 100005u

enum rpc_ping_result {
	RPC_PING_OK = 0,  /* an RPC reply (any accept status) came back */
	RPC_PING_CLOSED,  /* the peer closed or reset the connection */
	RPC_PING_TIMEOUT, /* no complete reply before the deadline */
	RPC_PING_GARBAGE, /* bytes came back, but not an RPC reply */
	RPC_PING_IO,      /* send or receive failed (errno saved) */
};

/* The NULL call for (prog, vers) with this xid, record mark included. */
size_t rpc_ping_encode(
    uint8_t *buf, size_t len, uint32_t xid, uint32_t prog, uint32_t vers);

/*
 * Check a reply: 0 when buf (record mark included) is a well-formed reply
 * to xid, 1 when more bytes are needed, -1 when it is not an RPC reply.
 */
int rpc_ping_check_reply(const uint8_t *buf, size_t len, uint32_t xid);

/*
 * Send the NULL call on a connected stream socket and wait for its reply
 * until timeout_ms.  *sys_errno is set for RPC_PING_IO and _CLOSED.
 */
enum rpc_ping_result rpc_ping_fd(
    int fd, uint32_t prog, uint32_t vers, int timeout_ms, int *sys_errno);

/*
 * Connect to host:port (numeric or a name) and make the NULL call for
 * (prog, vers), all within timeout_ms: 0 when an RPC server answers,
 * else -1 with err (Unavailable) saying what failed: resolving,
 * connecting, or the call ("does not answer", "closed the connection").
 */
int rpc_ping_server(const char *host, int port, uint32_t prog, uint32_t vers,
    int timeout_ms, struct tnfs_err *err);

/* What a result means, for messages: "closed the connection". */
const char *rpc_ping_describe(enum rpc_ping_result r);

#endif
