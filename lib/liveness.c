/*
 * liveness.c: readiness and watchdog pings earned by answering (see
 * liveness.h).  The probe is a plain HTTP/1.0 request over a fresh
 * connection, every step under one deadline; for a TLS listener a fixed
 * ClientHello whose reply (a handshake or an alert record) shows that the
 * server's I/O threads run.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "liveness.h"
#include "log.h"
#include "sdnotify.h"
#include "timefmt.h"

#define NOTIFY_DEADLINE_MS 1000
#define PROBE_MAX_MS       5000

struct liveness {
	char *listen, *method, *path;
	unsigned ready_status;
	int tls;
	int64_t watchdog_ms;
	int64_t next_ms; /* when the next ping is due */
	int failing;     /* the last probe got no answer */
};

/*
 * TLS 1.2 ClientHello: two AES-GCM suites, no extensions.  Whether the
 * server accepts it does not matter: its reply is the answer.
 */
static const unsigned char client_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0x2f,       /* record: handshake */
    0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, /* ClientHello, TLS 1.2 */
    0x74, 0x6e, 0x66, 0x73, 0x74, 0x6e, 0x66, 0x73, 0x74, 0x6e, 0x66, 0x73,
    0x74, 0x6e, 0x66, 0x73, 0x74, 0x6e, 0x66, 0x73, 0x74, 0x6e, 0x66, 0x73,
    0x74, 0x6e, 0x66, 0x73, 0x74, 0x6e, 0x66, 0x73, /* random */
    0x00,                                           /* no session id */
    0x00, 0x04, 0xc0, 0x2f, 0xc0, 0x2b,             /* cipher suites */
    0x01, 0x00,                                     /* null compression */
};

static int
remaining(int64_t end)
{
	int64_t left = end - tnfs_mono_ms();

	return left > 0 ? (int)left : 0;
}

static int
wait_fd(int fd, short events, int64_t end, struct tnfs_err *err)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do
		r = poll(&pfd, 1, remaining(end));
	while (r == -1 && errno == EINTR);
	if (r == 0) {
		tnfs_err_set(err, TNFS_E_TIMEOUT, "no answer in time");
		return -1;
	}
	if (r == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "poll");
		return -1;
	}
	return 0;
}

/* A non-blocking socket connected to the listener, or -1 and err. */
static int
connect_listener(const char *spec, int64_t end, struct tnfs_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int fd, soerr = 0;
	socklen_t elen = sizeof(soerr);

	memset(&ss, 0, sizeof(ss));
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
		size_t n = strlen(spec + 5);

		if (n == 0 || n >= sizeof(sun->sun_path)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: socket path empty or too long", spec);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, spec + 5, n);
		sslen = sizeof(*sun);
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		const char *hp = spec + 4, *colon = strrchr(hp, ':');
		struct addrinfo hints, *res = NULL;
		char host[256];
		size_t hl;

		if (colon == NULL || (size_t)(colon - hp) >= sizeof(host)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: not tcp:HOST:PORT", spec);
			return -1;
		}
		hl = (size_t)(colon - hp);
		if (hl >= 2 && hp[0] == '[' && hp[hl - 1] == ']')
			snprintf(
			    host, sizeof(host), "%.*s", (int)hl - 2, hp + 1);
		else
			snprintf(host, sizeof(host), "%.*s", (int)hl, hp);
		/* A wildcard listener answers on the loopback address. */
		if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0 ||
		    strcmp(host, "*") == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		else if (strcmp(host, "::") == 0)
			snprintf(host, sizeof(host), "::1");
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		if (getaddrinfo(host, colon + 1, &hints, &res) != 0 ||
		    res == NULL || res->ai_addrlen > sizeof(ss)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: cannot resolve %s", spec, host);
			if (res != NULL)
				freeaddrinfo(res);
			return -1;
		}
		memcpy(&ss, res->ai_addr, res->ai_addrlen);
		sslen = res->ai_addrlen;
		freeaddrinfo(res);
	} else {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%.100s: not unix:PATH or tcp:HOST:PORT", spec);
		return -1;
	}
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "%s: socket", spec);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sslen) == -1) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			tnfs_err_errno(err, TNFS_E_UNAVAILABLE, errno,
			    "%s: connect", spec);
			goto fail;
		}
		if (wait_fd(fd, POLLOUT, end, err) == -1)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1 ||
		    soerr != 0) {
			tnfs_err_errno(err, TNFS_E_UNAVAILABLE,
			    soerr != 0 ? soerr : errno, "%s: connect", spec);
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int
send_all(int fd, const void *buf, size_t len, int64_t end, struct tnfs_err *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EINTR) {
			continue;
		} else if (n == -1 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, end, err) == -1)
				return -1;
		} else {
			tnfs_err_errno(err, TNFS_E_UNAVAILABLE, errno, "send");
			return -1;
		}
	}
	return 0;
}

/* Read until need bytes, or a line end when need is 0; length read. */
static ssize_t
recv_some(int fd, char *buf, size_t size, size_t need, int64_t end,
    struct tnfs_err *err)
{
	size_t got = 0;

	while (got < size - 1) {
		ssize_t n = recv(fd, buf + got, size - 1 - got, 0);

		if (n > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (need > 0 ? got >= need : strchr(buf, '\n') != NULL)
				break;
		} else if (n == 0) {
			break;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, end, err) == -1)
				return -1;
		} else {
			tnfs_err_errno(err, TNFS_E_UNAVAILABLE, errno, "recv");
			return -1;
		}
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

int
liveness_probe_once(
    const struct liveness_probe *p, int timeout_ms, struct tnfs_err *err)
{
	int64_t end = tnfs_mono_ms() + timeout_ms;
	char req[512], line[256];
	ssize_t n;
	int fd, status = -1, len;

	if ((fd = connect_listener(p->listen, end, err)) == -1)
		return -1;
	if (p->tls) {
		if (send_all(fd, client_hello, sizeof(client_hello), end,
			err) == -1 ||
		    (n = recv_some(fd, line, sizeof(line), 5, end, err)) == -1)
			goto out;
		/* A handshake (22) or alert (21) record of TLS 1.x. */
		if (n >= 5 && (line[0] == 0x16 || line[0] == 0x15) &&
		    line[1] == 0x03)
			status = 200;
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "%s: no TLS record in the reply", p->listen);
		goto out;
	}
	len = snprintf(req, sizeof(req),
	    "%s %s HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n",
	    p->method, p->path);
	if (len < 0 || (size_t)len >= sizeof(req)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "probe path too long");
		goto out;
	}
	if (send_all(fd, req, (size_t)len, end, err) == -1 ||
	    (n = recv_some(fd, line, sizeof(line), 0, end, err)) == -1)
		goto out;
	if (n < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
	    sscanf(line + 9, "%3d", &status) != 1 || status < 100 ||
	    status > 599) {
		status = -1;
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "%s: no HTTP status line in the reply", p->listen);
	}
out:
	close(fd);
	return status;
}

struct liveness *
liveness_new(const struct liveness_probe *p)
{
	struct liveness *lv = calloc(1, sizeof(*lv));

	if (lv == NULL)
		return NULL;
	lv->listen = strdup(p->listen);
	lv->method = strdup(p->method);
	lv->path = strdup(p->path);
	if (lv->listen == NULL || lv->method == NULL || lv->path == NULL) {
		liveness_free(lv);
		return NULL;
	}
	lv->ready_status = p->ready_status;
	lv->tls = p->tls;
	lv->watchdog_ms = sdnotify_enabled() ? sdnotify_watchdog_ms() : 0;
	return lv;
}

void
liveness_free(struct liveness *lv)
{
	if (lv == NULL)
		return;
	free(lv->listen);
	free(lv->method);
	free(lv->path);
	free(lv);
}

static void
as_probe(const struct liveness *lv, struct liveness_probe *p)
{
	p->listen = lv->listen;
	p->method = lv->method;
	p->path = lv->path;
	p->ready_status = lv->ready_status;
	p->tls = lv->tls;
}

/* A probe's deadline: a quarter of the watchdog interval, at most 5 s. */
static int
probe_ms(const struct liveness *lv)
{
	int64_t ms = lv->watchdog_ms > 0 ? lv->watchdog_ms / 4 : PROBE_MAX_MS;

	if (ms > PROBE_MAX_MS)
		ms = PROBE_MAX_MS;
	return ms < 10 ? 10 : (int)ms;
}

static void
notify(const char *what, const char *msg)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (sdnotify_send(msg, NOTIFY_DEADLINE_MS, &err) == -1)
		log_err(TNFS_LOG_WARN, &err, "service manager: %s", what);
}

int
liveness_ready(struct liveness *lv, int deadline_ms, const char *status,
    struct tnfs_err *err)
{
	struct liveness_probe p;
	int64_t end = tnfs_mono_ms() + deadline_ms;
	char msg[SDNOTIFY_MSG_MAX + 1];
	int got;

	/* Nobody to tell: start as without a service manager. */
	if (!sdnotify_enabled())
		return 0;
	as_probe(lv, &p);
	for (;;) {
		int left = remaining(end);

		tnfs_err_clear(err);
		got = liveness_probe_once(
		    &p, left < probe_ms(lv) ? left : probe_ms(lv), err);
		if (got != -1 &&
		    (lv->ready_status == 0 ||
			(unsigned)got == lv->ready_status))
			break;
		if (got != -1)
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "%s %s on %s answered %d", lv->method, lv->path,
			    lv->listen, got);
		if (remaining(end) == 0) {
			tnfs_err_prefix(
			    err, "not ready within %d ms", deadline_ms);
			return -1;
		}
		usleep(50 * 1000);
	}
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	notify("READY", msg);
	lv->next_ms = tnfs_mono_ms() + liveness_wait_ms(lv);
	return 0;
}

int
liveness_wait_ms(const struct liveness *lv)
{
	if (lv == NULL || lv->watchdog_ms <= 0)
		return -1;
	if (lv->watchdog_ms / 2 > INT_MAX)
		return INT_MAX;
	return lv->watchdog_ms >= 2 ? (int)(lv->watchdog_ms / 2) : 1;
}

void
liveness_tick(struct liveness *lv)
{
	struct liveness_probe p;
	struct tnfs_err err;
	char msg[SDNOTIFY_MSG_MAX + 1];

	if (lv == NULL || lv->watchdog_ms <= 0 || tnfs_mono_ms() < lv->next_ms)
		return;
	lv->next_ms = tnfs_mono_ms() + liveness_wait_ms(lv);
	as_probe(lv, &p);
	tnfs_err_clear(&err);
	if (liveness_probe_once(&p, probe_ms(lv), &err) == -1) {
		/* No ping: the manager's watchdog decides what follows. */
		if (!lv->failing) {
			log_err(TNFS_LOG_WARN, &err,
			    "watchdog: the listener does not answer");
			snprintf(msg, sizeof(msg),
			    "STATUS=not answering on %s: %s", lv->listen,
			    err.msg);
			notify("STATUS", msg);
		}
		lv->failing = 1;
		return;
	}
	if (lv->failing) {
		log_info("watchdog: the listener answers again");
		snprintf(msg, sizeof(msg),
		    "WATCHDOG=1\nSTATUS=answering again on %s", lv->listen);
		notify("WATCHDOG", msg);
	} else {
		notify("WATCHDOG", "WATCHDOG=1");
	}
	lv->failing = 0;
}

void
liveness_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
liveness_wait_signal(struct liveness *lv, const sigset_t *set)
{
	struct timespec wait;
	int ms, sig;

	do {
		ms = liveness_wait_ms(lv);
		wait.tv_sec = ms / 1000;
		wait.tv_nsec = (long)(ms % 1000) * 1000000L;
		sig = ms < 0 ? sigwaitinfo(set, NULL)
			     : sigtimedwait(set, NULL, &wait);
		liveness_tick(lv);
	} while (sig == -1);
	return sig;
}

void
liveness_stopping(struct liveness *lv, const char *status)
{
	char msg[SDNOTIFY_MSG_MAX + 1];

	(void)lv;
	snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=%s", status);
	notify("STOPPING", msg);
}
