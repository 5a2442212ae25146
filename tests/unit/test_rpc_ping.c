/*
 * test_rpc_ping.c: the RPC NULL call, hostile replies, and real sockets
 * whose peer answers, closes, stays silent or speaks something else.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_tap.h"
#include "rpc_ping.h"

static void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* A reply: mark, xid, REPLY, stat, verifier (AUTH_NONE), accept stat. */
static size_t
reply(uint8_t *b, uint32_t mark, uint32_t xid, uint32_t type, uint32_t stat)
{
	be32(b, mark);
	be32(b + 4, xid);
	be32(b + 8, type);
	be32(b + 12, stat);
	be32(b + 16, 0);
	be32(b + 20, 0);
	be32(b + 24, 0);
	return 28;
}

START_TEST(test_encode)
{
	uint8_t b[64];
	size_t n = rpc_ping_encode(b, sizeof(b), 0x01020304, RPC_PROG_NFS, 3);

	ck_assert_uint_eq(n, 44);
	ck_assert_uint_eq(rd32(b), 0x80000000u | 40);
	ck_assert_uint_eq(rd32(b + 4), 0x01020304);
	ck_assert_uint_eq(rd32(b + 8), 0);       /* CALL */
	ck_assert_uint_eq(rd32(b + 12), 2);      /* RPC version */
	ck_assert_uint_eq(rd32(b + 16), 100003); /* NFS */
	ck_assert_uint_eq(rd32(b + 20), 3);
	ck_assert_uint_eq(rd32(b + 24), 0); /* NULL */
	ck_assert_uint_eq(rpc_ping_encode(b, 43, 1, RPC_PROG_NFS, 3), 0);
}
END_TEST

START_TEST(test_check_reply)
{
	uint8_t b[64];

	reply(b, 0x80000018u, 7, 1, 0);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), 0);
	ck_assert_int_eq(rpc_ping_check_reply(b, 16, 7), 0);
	/* Short: more bytes needed, whatever they will be. */
	ck_assert_int_eq(rpc_ping_check_reply(b, 0, 7), 1);
	ck_assert_int_eq(rpc_ping_check_reply(b, 3, 7), 1);
	ck_assert_int_eq(rpc_ping_check_reply(b, 15, 7), 1);
	/* Denied is an answer too (an RPC server is there). */
	reply(b, 0x80000018u, 7, 1, 1);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), 0);
	/* Another xid, a CALL, an unknown reply status. */
	reply(b, 0x80000018u, 8, 1, 0);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), -1);
	reply(b, 0x80000018u, 7, 0, 0);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), -1);
	reply(b, 0x80000018u, 7, 1, 2);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), -1);
	reply(b, 0x80000018u, 7, 1, 0xffffffffu);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), -1);
	/* Record marks: too short for a reply, absurdly long, an HTTP
	 * server's "HTTP" read as a mark. */
	reply(b, 0x80000004u, 7, 1, 0);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), -1);
	reply(b, 0xffffffffu, 7, 1, 0);
	ck_assert_int_eq(rpc_ping_check_reply(b, 28, 7), -1);
	memcpy(b, "HTTP/1.1 400 Bad Request\r\n", 26);
	ck_assert_int_eq(rpc_ping_check_reply(b, 26, 7), -1);
	ck_assert_int_eq(rpc_ping_check_reply(b, 4, 7), -1);
}
END_TEST

/* The peer's behaviours, on the other end of a socketpair. */
enum peer_kind {
	PEER_ANSWER,
	PEER_DENY,
	PEER_CLOSE,
	PEER_SILENT,
	PEER_GARBAGE,
	PEER_WRONG_XID,
	PEER_SLOW_BYTES
};

struct peer {
	int fd;
	enum peer_kind kind;
};

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	uint8_t call[44], b[64];
	size_t got = 0, n, i;
	ssize_t r;

	if (p->kind == PEER_CLOSE) {
		close(p->fd);
		return NULL;
	}
	while (got < sizeof(call) &&
	    (r = read(p->fd, call + got, sizeof(call) - got)) > 0)
		got += (size_t)r;
	switch (p->kind) {
	case PEER_ANSWER:
	case PEER_DENY:
	case PEER_SLOW_BYTES:
		n = reply(b, 0x80000018u, rd32(call + 4), 1,
		    p->kind == PEER_DENY ? 1 : 0);
		if (p->kind == PEER_SLOW_BYTES)
			for (i = 0; i < n; i++) {
				if (send(p->fd, b + i, 1, MSG_NOSIGNAL) != 1)
					break;
				usleep(2000);
			}
		else if (send(p->fd, b, n, MSG_NOSIGNAL) != (ssize_t)n)
			break;
		break;
	case PEER_GARBAGE:
		if (send(p->fd, "SSH-2.0-OpenSSH_9.2\r\n", 21, MSG_NOSIGNAL) !=
		    21)
			break;
		break;
	case PEER_WRONG_XID:
		n = reply(b, 0x80000018u, rd32(call + 4) + 1, 1, 0);
		if (send(p->fd, b, n, MSG_NOSIGNAL) != (ssize_t)n)
			break;
		break;
	default:
		break;
	}
	/* Hold the connection until the client is done. */
	while (read(p->fd, b, sizeof(b)) > 0)
		;
	close(p->fd);
	return NULL;
}

static enum rpc_ping_result
ping_against(enum peer_kind kind, int timeout_ms)
{
	int sv[2], e;
	struct peer p;
	pthread_t t;
	enum rpc_ping_result r;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p.fd = sv[1];
	p.kind = kind;
	ck_assert_int_eq(pthread_create(&t, NULL, peer_main, &p), 0);
	r = rpc_ping_fd(sv[0], RPC_PROG_NFS, 4, timeout_ms, &e);
	shutdown(sv[0], SHUT_RDWR);
	close(sv[0]);
	pthread_join(t, NULL);
	return r;
}

START_TEST(test_peers)
{
	ck_assert_int_eq(ping_against(PEER_ANSWER, 5000), RPC_PING_OK);
	ck_assert_int_eq(ping_against(PEER_DENY, 5000), RPC_PING_OK);
	ck_assert_int_eq(ping_against(PEER_SLOW_BYTES, 5000), RPC_PING_OK);
	ck_assert_int_eq(ping_against(PEER_CLOSE, 5000), RPC_PING_CLOSED);
	ck_assert_int_eq(ping_against(PEER_SILENT, 200), RPC_PING_TIMEOUT);
	ck_assert_int_eq(ping_against(PEER_GARBAGE, 5000), RPC_PING_GARBAGE);
	ck_assert_int_eq(ping_against(PEER_WRONG_XID, 5000), RPC_PING_GARBAGE);
}
END_TEST

START_TEST(test_describe)
{
	ck_assert_ptr_nonnull(
	    strstr(rpc_ping_describe(RPC_PING_CLOSED), "closed"));
	ck_assert_ptr_nonnull(
	    strstr(rpc_ping_describe(RPC_PING_TIMEOUT), "no answer"));
	ck_assert_ptr_nonnull(
	    strstr(rpc_ping_describe(RPC_PING_GARBAGE), "not with ONC RPC"));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("rpc_ping");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_check_reply);
	tcase_add_test(tc, test_peers);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
