/*
 * probe.c: whether a peer listens, and rpcbind started when none does
 * (ganesha's NFSv3 registers with it at start).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "probe.h"
#include "timefmt.h"

static uint64_t
now_ms(void)
{
	return (uint64_t)tnfs_mono_ms();
}

int
probe_tcp(const char *addr, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, rc = 0, soerr = 0;

	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		rc = 1;
	} else if (errno == EINPROGRESS) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 1000) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
		    soerr == 0)
			rc = 1;
	}
	close(fd);
	return rc;
}

/*
 * rpcbind's local socket: ganesha (libtirpc) registers through it first,
 * and it is reachable from a private network namespace, where port 111 of
 * the loopback is not.
 */
static int
rpcbind_socket_answers(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, rc;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/run/rpcbind.sock");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return rc;
}

static int
rpcbind_answers(void)
{
	return rpcbind_socket_answers() || probe_tcp("127.0.0.1", 111);
}

int
probe_rpcbind(struct tnfs_err *err)
{
	const char *argv[] = {"rpcbind", "-w", NULL};
	struct child_opts opts = {.timeout_ms = 10000};
	uint64_t end;

	if (rpcbind_answers())
		return 0;
	/* rpcbind daemonizes; it stays after we go (host-global). */
	if (child_run(argv, &opts, NULL, err) == -1) {
		tnfs_err_prefix(err,
		    "ganesha needs rpcbind for NFSv3 and it is not running");
		return -1;
	}
	for (end = now_ms() + 5000; now_ms() < end;) {
		if (rpcbind_answers()) {
			log_info("started rpcbind -w for ganesha's NFSv3 "
				 "(it is left running)");
			return 0;
		}
		poll(NULL, 0, 50);
	}
	tnfs_err_set(err, TNFS_E_UNAVAILABLE,
	    "rpcbind started but does not answer on port 111");
	return -1;
}
