/*
 * plugin_load.c: a load generator for tritonnfs-plugin's Unix socket.
 *
 * C connections, each with one request in flight, over HTTP/1.1
 * keep-alive, driven by one epoll loop: POST the same VolumeDriver call
 * again as soon as its answer is complete.  Volume names are
 * PREFIX00000 .. PREFIX(N-1), taken in turn.  Prints requests/s and the
 * latency percentiles of answers with status 200; anything else is
 * counted as an error.  bench/plugin-load drives it.
 *
 * usage: plugin-load SOCKET OP CONNECTIONS SECONDS [PREFIX COUNT]
 *   OP: get, list, path or capabilities
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	char req[1024];
	size_t req_len, req_off;
	char *buf; /* the answer so far */
	size_t len, cap;
	int64_t sent_ns;
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *op_path, *prefix;
static long count, next_name;

static void
make_request(struct conn *c)
{
	char body[256];
	int n;

	if (prefix != NULL && count > 0)
		n = snprintf(body, sizeof(body), "{\"Name\":\"%s%05ld\"}",
		    prefix, next_name++ % count);
	else
		n = snprintf(body, sizeof(body), "{}");
	c->req_len = (size_t)snprintf(c->req, sizeof(c->req),
	    "POST %s HTTP/1.1\r\nHost: plugin\r\n"
	    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
	    op_path, n, body);
	c->req_off = 0;
	c->len = 0;
	c->sent_ns = now_ns();
}

/* The size of a complete answer in c->buf, or 0 when more is needed. */
static size_t
complete(const struct conn *c, int *status)
{
	const char *end, *cl;
	size_t head;
	long body;

	if (c->len == 0)
		return 0;
	if ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
		return 0;
	head = (size_t)(end - c->buf) + 4;
	cl = memmem(c->buf, head, "Content-Length:", 15);
	if (cl == NULL)
		cl = memmem(c->buf, head, "content-length:", 15);
	body = cl != NULL ? strtol(cl + 15, NULL, 10) : 0;
	if (c->len < head + (size_t)body)
		return 0;
	*status = (int)strtol(c->buf + 9, NULL, 10);
	return head + (size_t)body;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Write what is left of the request; wait for whatever comes next. */
static int
send_more(int ep, struct conn *c)
{
	struct epoll_event ev = {0};
	ssize_t r;

	while (c->req_off < c->req_len) {
		r = write(c->fd, c->req + c->req_off, c->req_len - c->req_off);
		if (r == -1 && errno == EAGAIN)
			break;
		if (r <= 0)
			return -1;
		c->req_off += (size_t)r;
	}
	ev.events = c->req_off < c->req_len ? EPOLLOUT : EPOLLIN;
	ev.data.ptr = c;
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char *op, *path;
	} ops[] = {{"get", "/VolumeDriver.Get"}, {"list", "/VolumeDriver.List"},
	    {"path", "/VolumeDriver.Path"},
	    {"capabilities", "/VolumeDriver.Capabilities"}};
	struct epoll_event ev, evs[64];
	struct conn *conns;
	int64_t *lat = NULL, start, stop;
	size_t nlat = 0, caplat = 0, i;
	long errors = 0;
	int ep, nconn, secs, k;

	if (argc != 5 && argc != 7) {
		fprintf(stderr,
		    "usage: plugin-load SOCKET OP CONNECTIONS "
		    "SECONDS [PREFIX COUNT]\n");
		return 2;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[2], ops[i].op) == 0)
			op_path = ops[i].path;
	nconn = atoi(argv[3]);
	secs = atoi(argv[4]);
	if (argc == 7) {
		prefix = argv[5];
		count = atol(argv[6]);
	}
	if (op_path == NULL || nconn < 1 || nconn > 4096 || secs < 1) {
		fprintf(stderr, "plugin-load: bad arguments\n");
		return 2;
	}
	if ((conns = calloc((size_t)nconn, sizeof(*conns))) == NULL ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return 1;
	start = now_ns();
	stop = start + (int64_t)secs * 1000000000;
	for (k = 0; k < nconn; k++) {
		struct conn *c = &conns[k];

		if ((c->fd = connect_to(argv[1])) == -1) {
			fprintf(stderr, "plugin-load: connect %s: %s\n",
			    argv[1], strerror(errno));
			return 1;
		}
		make_request(c);
		ev.events = EPOLLOUT;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
			return 1;
	}
	while (now_ns() < stop) {
		int n = epoll_wait(ep, evs, 64, 100);

		for (k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			size_t done;
			ssize_t r;
			int status = 0;

			if (c->req_off < c->req_len) {
				if (send_more(ep, c) == -1)
					return 1;
				continue;
			}
			if (c->cap - c->len < 65536) {
				c->cap = c->cap ? c->cap * 2 : 131072;
				if ((c->buf = realloc(c->buf, c->cap)) == NULL)
					return 1;
			}
			r = read(c->fd, c->buf + c->len, c->cap - c->len);
			if (r <= 0) {
				if (r == -1 && errno == EAGAIN)
					continue;
				fprintf(stderr,
				    "plugin-load: the plugin "
				    "closed a connection\n");
				return 1;
			}
			c->len += (size_t)r;
			if ((done = complete(c, &status)) == 0)
				continue;
			if (status == 200) {
				if (nlat == caplat) {
					caplat = caplat ? caplat * 2 : 65536;
					lat =
					    realloc(lat, caplat * sizeof(*lat));
					if (lat == NULL)
						return 1;
				}
				lat[nlat++] = now_ns() - c->sent_ns;
			} else
				errors++;
			make_request(c);
			if (send_more(ep, c) == -1)
				return 1;
		}
	}
	stop = now_ns();
	if (nlat == 0) {
		printf("%s conns=%d requests=0 errors=%ld\n", argv[2], nconn,
		    errors);
		return 1;
	}
	qsort(lat, nlat, sizeof(*lat), cmp64);
	printf("%s conns=%d requests=%zu errors=%ld req/s=%.0f p50_ms=%.3f "
	       "p99_ms=%.3f max_ms=%.3f\n",
	    argv[2], nconn, nlat, errors,
	    (double)nlat * 1e9 / (double)(stop - start),
	    (double)lat[nlat / 2] / 1e6, (double)lat[nlat * 99 / 100] / 1e6,
	    (double)lat[nlat - 1] / 1e6);
	for (k = 0; k < nconn; k++) {
		close(conns[k].fd);
		free(conns[k].buf);
	}
	free(conns);
	free(lat);
	return errors > 0 ? 1 : 0;
}
