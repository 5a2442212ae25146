/*
 * sdnotify.c: sd_notify(3) in a few lines: a datagram to $NOTIFY_SOCKET.
 * The socket is opened per message (as libsystemd does), non-blocking, and
 * a full receive queue is waited on with poll up to the caller's deadline.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdnotify.h"
#include "timefmt.h"

int
sdnotify_enabled(void)
{
	const char *env = getenv("NOTIFY_SOCKET");

	return env != NULL && env[0] != '\0';
}

int
sdnotify_parse_addr(const char *value, struct sockaddr_un *sa, socklen_t *len,
    struct tnfs_err *err)
{
	size_t n = value != NULL ? strlen(value) : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || (value[0] != '/' && value[0] != '@') ||
	    n >= sizeof(sa->sun_path) || (value[0] == '@' && n == 1)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "NOTIFY_SOCKET: \"%.100s\" is not an absolute path or "
		    "@abstract name shorter than %zu bytes",
		    value != NULL ? value : "", sizeof(sa->sun_path));
		return -1;
	}
	memcpy(sa->sun_path, value, n);
	/* An abstract address starts with a NUL and has no terminator. */
	if (value[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (value[0] == '@' ? 0 : 1));
	return 0;
}

/* A positive decimal number, nothing else. */
static int
parse_positive(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

int64_t
sdnotify_parse_watchdog(
    const char *usec, const char *pid, pid_t self, struct tnfs_err *err)
{
	uint64_t us, p;

	if (usec == NULL)
		return 0;
	/* The most systemd will set is years; a day in ms fits any int. */
	if (parse_positive(usec, UINT64_MAX / 2, &us) == -1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "WATCHDOG_USEC: \"%.40s\" is not a positive number", usec);
		return -1;
	}
	if (pid != NULL) {
		if (parse_positive(pid, INT32_MAX, &p) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "WATCHDOG_PID: \"%.40s\" is not a process id", pid);
			return -1;
		}
		if ((pid_t)p != self)
			return 0;
	}
	/* Under 1 ms would be a ping per loop turn; round up to 1. */
	return us < 1000 ? 1 : (int64_t)(us / 1000);
}

int64_t
sdnotify_watchdog_ms(void)
{
	int64_t ms = sdnotify_parse_watchdog(
	    getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid(), NULL);

	return ms < 0 ? 0 : ms;
}

int
sdnotify_send(const char *msg, int deadline_ms, struct tnfs_err *err)
{
	const char *env = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	int64_t end = tnfs_mono_ms() + (deadline_ms > 0 ? deadline_ms : 0);
	size_t n = strlen(msg);
	int fd, rc = -1;

	if (env == NULL)
		return 0;
	if (n > SDNOTIFY_MSG_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "notify message of %zu bytes is over %d", n,
		    SDNOTIFY_MSG_MAX);
		return -1;
	}
	if (sdnotify_parse_addr(env, &sa, &salen, err) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "NOTIFY_SOCKET");
		return -1;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		int64_t left;

		if (sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
			salen) == (ssize_t)n) {
			rc = 0;
			break;
		}
		if (errno == EINTR)
			continue;
		left = end - tnfs_mono_ms();
		if (errno != EAGAIN || left <= 0) {
			tnfs_err_errno(err,
			    errno == EAGAIN ? TNFS_E_TIMEOUT
					    : TNFS_E_UNAVAILABLE,
			    errno == EAGAIN ? ETIMEDOUT : errno,
			    "NOTIFY_SOCKET %s", env);
			break;
		}
		/* Unconnected AF_UNIX datagrams: POLLOUT is advisory. */
		poll(&pfd, 1, left < 50 ? (int)left : 50);
	}
	close(fd);
	return rc;
}

int
sdnotify_printf(int deadline_ms, struct tnfs_err *err, const char *fmt, ...)
{
	char buf[SDNOTIFY_MSG_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return sdnotify_send(buf, deadline_ms, err);
}
