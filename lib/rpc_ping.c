/*
 * rpc_ping.c: one ONC RPC NULL call over a TCP connection (rpc_ping.h).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "be32.h"
#include "rpc_ping.h"
#include "timefmt.h"

#define RPC_CALL          0u
#define RPC_REPLY         1u
#define RPC_VERSION       2u
#define RPC_LAST_FRAGMENT 0x80000000u
/* A NULL reply is a few dozen bytes; a big record is not one. */
#define RPC_MAX_REPLY_RECORD 65536u
/* Record mark, xid, message type, reply status. */
#define RPC_REPLY_HEADER 16u

size_t
rpc_ping_encode(
    uint8_t *buf, size_t len, uint32_t xid, uint32_t prog, uint32_t vers)
{
	/* xid, CALL, rpcvers, prog, vers, proc 0, AUTH_NONE x2 (flavor, len). */
	const uint32_t words[] = {
	    xid, RPC_CALL, RPC_VERSION, prog, vers, 0, 0, 0, 0, 0};
	size_t n = sizeof(words) / sizeof(words[0]), i;

	if (len < 4 + 4 * n)
		return 0;
	be32_put(buf, RPC_LAST_FRAGMENT | (uint32_t)(4 * n));
	for (i = 0; i < n; i++)
		be32_put(buf + 4 + 4 * i, words[i]);
	return 4 + 4 * n;
}

int
rpc_ping_check_reply(const uint8_t *buf, size_t len, uint32_t xid)
{
	uint32_t mark, flen, stat;

	if (len < 4)
		return 1;
	mark = be32_get(buf);
	flen = mark & ~RPC_LAST_FRAGMENT;
	if (flen < RPC_REPLY_HEADER - 4 || flen > RPC_MAX_REPLY_RECORD)
		return -1;
	if (len < RPC_REPLY_HEADER)
		return 1;
	if (be32_get(buf + 4) != xid || be32_get(buf + 8) != RPC_REPLY)
		return -1;
	stat = be32_get(buf + 12);
	/* Accepted or denied: either way an RPC server is answering. */
	return stat <= 1 ? 0 : -1;
}

enum rpc_ping_result
rpc_ping_fd(
    int fd, uint32_t prog, uint32_t vers, int timeout_ms, int *sys_errno)
{
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	uint8_t call[64], reply[RPC_REPLY_HEADER];
	uint32_t xid = (uint32_t)tnfs_mono_ms() ^ (uint32_t)fd << 20;
	size_t clen = rpc_ping_encode(call, sizeof(call), xid, prog, vers);
	size_t sent = 0, got = 0;
	int r;

	*sys_errno = 0;
	while (sent < clen || got < sizeof(reply)) {
		struct pollfd pfd = {
		    .fd = fd, .events = sent < clen ? POLLOUT : POLLIN};
		int64_t left = deadline - tnfs_mono_ms();
		ssize_t n;

		if (left <= 0)
			return RPC_PING_TIMEOUT;
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*sys_errno = errno;
			return RPC_PING_IO;
		}
		if (r == 0)
			return RPC_PING_TIMEOUT;
		if (sent < clen) {
			n = send(fd, call + sent, clen - sent,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		} else {
			n = recv(
			    fd, reply + got, sizeof(reply) - got, MSG_DONTWAIT);
			if (n == 0)
				return RPC_PING_CLOSED;
		}
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*sys_errno = errno;
			return errno == ECONNRESET || errno == EPIPE
			    ? RPC_PING_CLOSED
			    : RPC_PING_IO;
		}
		if (sent < clen)
			sent += (size_t)n;
		else
			got += (size_t)n;
		if (sent == clen && got > 0 &&
		    rpc_ping_check_reply(reply, got, xid) == -1)
			return RPC_PING_GARBAGE;
	}
	return rpc_ping_check_reply(reply, got, xid) == 0 ? RPC_PING_OK
							  : RPC_PING_GARBAGE;
}

const char *
rpc_ping_describe(enum rpc_ping_result r)
{
	switch (r) {
	case RPC_PING_OK:
		return "answered";
	case RPC_PING_CLOSED:
		return "accepted the connection and closed it without an "
		       "answer (the server behind a forward or NAT is down?)";
	case RPC_PING_TIMEOUT:
		return "accepted the connection but gave no answer to an RPC "
		       "NULL call in time (server hung or overloaded?)";
	case RPC_PING_GARBAGE:
		return "answered, but not with ONC RPC (not an NFS server?)";
	case RPC_PING_IO:
		return "failed while sending or receiving";
	}
	return "?";
}

int
rpc_ping_server(const char *host, int port, uint32_t prog, uint32_t vers,
    int timeout_ms, struct tnfs_err *err)
{
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	struct addrinfo hints = {0}, *res = NULL, *ai;
	enum rpc_ping_result pr;
	char portstr[16];
	int fd = -1, rc = -1, gai, last_errno = 0, timed_out = 0, left;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((gai = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "NFS server %s: cannot resolve: %s", host,
		    gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(last_errno);
		int r;

		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			rc = 0;
			break;
		}
		if (errno != EINPROGRESS) {
			last_errno = errno;
			close(fd);
			fd = -1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, timeout_ms);
		if (r == 0) {
			timed_out = 1;
		} else if (r > 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &last_errno, &sl) ==
			0 &&
		    last_errno == 0) {
			rc = 0;
			break;
		} else if (r < 0)
			last_errno = errno;
		close(fd);
		fd = -1;
	}
	if (rc == -1) {
		if (timed_out)
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "NFS server %s:%d unreachable (connect timed out "
			    "after %d ms)",
			    host, port, timeout_ms);
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "NFS server %s:%d unreachable (%s)", host, port,
			    strerror(last_errno ? last_errno : ECONNREFUSED));
	} else {
		left = (int)(deadline - tnfs_mono_ms());
		pr = rpc_ping_fd(
		    fd, prog, vers, left > 0 ? left : 1, &last_errno);
		if (pr != RPC_PING_OK) {
			rc = -1;
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "NFS server %s:%d (%s v%u) %s%s%s", host, port,
			    prog == RPC_PROG_MOUNT ? "MOUNT" : "NFS", vers,
			    rpc_ping_describe(pr), last_errno ? ": " : "",
			    last_errno ? strerror(last_errno) : "");
		}
	}
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return rc;
}
