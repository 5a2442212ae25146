/*
 * vapi-scale-client: the request loop of bench/vapi-scale.  One keep-alive
 * HTTP/1.1 connection to a tritonnfs-vapi, requests one after the other,
 * latencies from CLOCK_MONOTONIC; and a loader that fills a store and a
 * dir storage pool with ready volumes through the server's own store and
 * storage modules (faster than 100,000 POSTs, and the rows are exactly
 * what the server writes).
 *
 *   vapi-scale-client load STORE STORAGE STATE_DIR N OWNER NET PREFIX
 *   vapi-scale-client get HOST:PORT PATH COUNT
 *   vapi-scale-client create HOST:PORT OWNER NET PREFIX COUNT
 *   vapi-scale-client ready HOST:PORT OWNER NET PREFIX COUNT
 *   vapi-scale-client mountable HOST:PORT OWNER NET PREFIX COUNT NFS MOUNT
 *
 * get prints "n=.. p50_ms=.. p99_ms=.. max_ms=.. rps=.. bytes=..";
 * create POSTs COUNT volumes and prints the POST rate, then waits until
 * none is creating and prints the rate to ready; ready creates COUNT
 * volumes one at a time and polls each one's GetVolume until it is ready
 * (create -> ready); mountable creates COUNT volumes one at a time and
 * tries an NFSv3 MOUNT of each one's export (libnfs, in this process: no
 * process started per try) on 127.0.0.1's ports NFS and MOUNT every
 * millisecond until it succeeds (create -> mountable), and prints what one
 * MOUNT of a served export costs; NFS and MOUNT given as "-" are each
 * volume's own, from its record (several heads, bench/cephfs-scale).
 * Exit status 1 on any unexpected answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef TNFS_BENCH_NFS
#include <nfsc/libnfs.h>
#endif

#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "uuid.h"

#define IO_TIMEOUT_MS 120000
#define READY_WAIT_MS 600000

struct conn {
	char host[256];
	char port[16];
	int fd;
	char *buf; /* the last response's body, NUL-terminated */
	size_t len, cap;
	int status;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
conn_open(struct conn *c)
{
	struct addrinfo hints = {0}, *ai = NULL;
	int one = 1;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(c->host, c->port, &hints, &ai) != 0)
		return -1;
	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || connect(c->fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		freeaddrinfo(ai);
		if (c->fd != -1)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	freeaddrinfo(ai);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

static int
conn_init(struct conn *c, const char *hostport)
{
	const char *colon = strrchr(hostport, ':');

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (colon == NULL || (size_t)(colon - hostport) >= sizeof(c->host)) {
		fprintf(
		    stderr, "vapi-scale-client: bad HOST:PORT %s\n", hostport);
		return -1;
	}
	snprintf(c->host, sizeof(c->host), "%.*s", (int)(colon - hostport),
	    hostport);
	snprintf(c->port, sizeof(c->port), "%s", colon + 1);
	return conn_open(c);
}

/* Read until the buffer holds want bytes past start; 0, or -1. */
static int
fill(struct conn *c, char **raw, size_t *have, size_t *cap, size_t want)
{
	struct pollfd pfd = {c->fd, POLLIN, 0};
	ssize_t n;

	while (*have < want) {
		if (*cap < want + 1) {
			size_t ncap = *cap ? *cap : 65536;
			char *nb;

			while (ncap < want + 1)
				ncap *= 2;
			if ((nb = realloc(*raw, ncap)) == NULL)
				return -1;
			*raw = nb;
			*cap = ncap;
		}
		if (poll(&pfd, 1, IO_TIMEOUT_MS) != 1)
			return -1;
		n = read(c->fd, *raw + *have, *cap - *have - 1);
		if (n <= 0)
			return -1;
		*have += (size_t)n;
	}
	return 0;
}

/*
 * One request, its response's status and body into c.  Content-Length and
 * chunked bodies; the connection is kept.
 */
static int
request(struct conn *c, const char *method, const char *path, const char *body)
{
	char head[8192], *raw = c->buf, *eoh = NULL, *p;
	size_t have = 0, cap = c->cap, hlen, blen = body ? strlen(body) : 0;
	size_t clen = 0, out = 0;
	int chunked = 0, n;

	n = snprintf(head, sizeof(head),
	    "%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %zu\r\n\r\n",
	    method, path, c->host,
	    body ? "Content-Type: application/json\r\n" : "", blen);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (write(c->fd, head, (size_t)n) != n ||
	    (blen > 0 && write(c->fd, body, blen) != (ssize_t)blen))
		return -1;
	/* Headers. */
	while (eoh == NULL) {
		if (fill(c, &raw, &have, &cap, have + 1) == -1)
			goto fail;
		raw[have] = '\0';
		eoh = strstr(raw, "\r\n\r\n");
	}
	hlen = (size_t)(eoh - raw) + 4;
	*eoh = '\0';
	if (sscanf(raw, "HTTP/1.%*d %d", &c->status) != 1)
		goto fail;
	for (p = raw; (p = strchr(p, '\n')) != NULL;) {
		p++;
		if (strncasecmp(p, "content-length:", 15) == 0)
			clen = strtoul(p + 15, NULL, 10);
		else if (strncasecmp(p, "transfer-encoding:", 18) == 0 &&
		    strstr(p, "chunked") != NULL)
			chunked = 1;
	}
	/* The body, decoded in place at the front of raw. */
	memmove(raw, raw + hlen, have - hlen);
	have -= hlen;
	if (!chunked) {
		if (fill(c, &raw, &have, &cap, clen) == -1)
			goto fail;
		out = clen;
	} else {
		size_t pos = 0;

		for (;;) {
			char *crlf;
			size_t sz;

			raw[have] = '\0';
			while ((crlf = strstr(raw + pos, "\r\n")) == NULL) {
				if (fill(c, &raw, &have, &cap, have + 1) == -1)
					goto fail;
				raw[have] = '\0';
			}
			sz = strtoul(raw + pos, NULL, 16);
			hlen = (size_t)(crlf - (raw + pos)) + 2;
			if (fill(c, &raw, &have, &cap, pos + hlen + sz + 2) ==
			    -1)
				goto fail;
			memmove(raw + out, raw + pos + hlen, sz);
			pos += hlen + sz + 2;
			out += sz;
			if (sz == 0)
				break;
		}
	}
	raw[out] = '\0';
	c->buf = raw;
	c->cap = cap;
	c->len = out;
	return 0;
fail:
	c->buf = raw;
	c->cap = cap;
	return -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
print_latencies(const char *what, double *ms, size_t n, double wall)
{
	size_t i, over = 0;

	qsort(ms, n, sizeof(*ms), cmp_double);
	for (i = 0; i < n; i++)
		over += ms[i] > 2.0;
	printf("%s n=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f rps=%.1f "
	       "over_2ms=%zu\n",
	    what, n, ms[n / 2], ms[n * 99 / 100 < n ? n * 99 / 100 : n - 1],
	    ms[n - 1], wall > 0 ? (double)n / wall : 0.0, over);
}

/* count GETs of path, one every pace_ms (0: back to back). */
static int
cmd_get(const char *hostport, const char *path, long count, long pace_ms)
{
	struct conn c;
	double *ms = NULL, t0, t;
	long i;
	int rc = 1;

	if (count < 1 || (ms = calloc((size_t)count, sizeof(*ms))) == NULL ||
	    conn_init(&c, hostport) == -1) {
		free(ms);
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < count; i++) {
		t = now_s();
		if (request(&c, "GET", path, NULL) == -1 || c.status != 200) {
			fprintf(stderr, "GET %s: status %d: %.300s\n", path,
			    c.status, c.buf ? c.buf : "");
			goto out;
		}
		ms[i] = (now_s() - t) * 1000;
		if (pace_ms > 0 && ms[i] < (double)pace_ms)
			usleep((useconds_t)(((double)pace_ms - ms[i]) * 1000));
	}
	print_latencies("get", ms, (size_t)count, now_s() - t0);
	printf("get bytes=%zu\n", c.len);
	rc = 0;
out:
	conn_close(&c);
	free(ms);
	return rc;
}

static int
post_volume(struct conn *c, const char *owner, const char *net,
    const char *prefix, long i, char *uuid, size_t len)
{
	char body[512];
	const char *u;

	snprintf(body, sizeof(body),
	    "{\"owner_uuid\":\"%s\",\"type\":\"tritonnfs\",\"name\":\"%s-%"
	    "08ld\",\"networks\":"
	    "[\"%s\"]}",
	    owner, prefix, i, net);
	if (request(c, "POST", "/volumes", body) == -1 || c->status != 201) {
		fprintf(stderr, "POST /volumes: status %d: %.300s\n", c->status,
		    c->buf ? c->buf : "");
		return -1;
	}
	if ((u = strstr(c->buf, "\"uuid\":\"")) == NULL)
		return -1;
	snprintf(uuid, len, "%.36s", u + 8);
	return 0;
}

/* Poll until no volume of owner is creating; -1 past the deadline. */
static int
wait_none_creating(struct conn *c, const char *owner)
{
	char path[256];
	double end = now_s() + READY_WAIT_MS / 1000.0;

	snprintf(
	    path, sizeof(path), "/volumes?owner_uuid=%s&state=creating", owner);
	while (now_s() < end) {
		if (request(c, "GET", path, NULL) == -1 || c->status != 200)
			return -1;
		if (strcmp(c->buf, "[]") == 0)
			return 0;
		poll(NULL, 0, 20);
	}
	return -1;
}

static int
cmd_create(const char *hostport, const char *owner, const char *net,
    const char *prefix, long count)
{
	struct conn c;
	char uuid[64];
	double t0, t1, *ms = NULL;
	long i;
	int rc = 1;

	if (count < 1 || (ms = calloc((size_t)count, sizeof(*ms))) == NULL ||
	    conn_init(&c, hostport) == -1) {
		free(ms);
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < count; i++) {
		t1 = now_s();
		if (post_volume(
			&c, owner, net, prefix, i, uuid, sizeof(uuid)) == -1)
			goto out;
		ms[i] = (now_s() - t1) * 1000;
	}
	t1 = now_s();
	print_latencies("create-post", ms, (size_t)count, t1 - t0);
	if (wait_none_creating(&c, owner) == -1) {
		fprintf(stderr, "volumes still creating after %d s\n",
		    READY_WAIT_MS / 1000);
		goto out;
	}
	printf("create-all-ready n=%ld seconds=%.3f creates_per_s=%.1f\n",
	    count, now_s() - t0, (double)count / (now_s() - t0));
	rc = 0;
out:
	conn_close(&c);
	free(ms);
	return rc;
}

static int
cmd_ready(const char *hostport, const char *owner, const char *net,
    const char *prefix, long count)
{
	struct conn c;
	char uuid[64], path[128];
	double t0, t1, *ms = NULL, end;
	long i;
	int rc = 1;

	if (count < 1 || (ms = calloc((size_t)count, sizeof(*ms))) == NULL ||
	    conn_init(&c, hostport) == -1) {
		free(ms);
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < count; i++) {
		t1 = now_s();
		if (post_volume(
			&c, owner, net, prefix, i, uuid, sizeof(uuid)) == -1)
			goto out;
		snprintf(path, sizeof(path), "/volumes/%s", uuid);
		for (end = t1 + READY_WAIT_MS / 1000.0;; poll(NULL, 0, 1)) {
			if (request(&c, "GET", path, NULL) == -1 ||
			    c.status != 200 || now_s() > end)
				goto out;
			if (strstr(c.buf, "\"state\":\"ready\"") != NULL)
				break;
			if (strstr(c.buf, "\"state\":\"failed\"") != NULL) {
				fprintf(stderr, "%s failed: %s\n", uuid, c.buf);
				goto out;
			}
		}
		ms[i] = (now_s() - t1) * 1000;
	}
	print_latencies("create-to-ready", ms, (size_t)count, now_s() - t0);
	rc = 0;
out:
	conn_close(&c);
	free(ms);
	return rc;
}

#ifdef TNFS_BENCH_NFS
/* One NFSv3 MOUNT of /volumes/UUID: 0 when it is served. */
static int
try_mount(const char *uuid, const char *nfsport, const char *mountport)
{
	struct nfs_context *nfs = nfs_init_context();
	struct nfs_url *url = NULL;
	char u[256];
	int rc = -1;

	if (nfs == NULL)
		return -1;
	nfs_set_timeout(nfs, 5000);
	snprintf(u, sizeof(u),
	    "nfs://127.0.0.1/volumes/%s?nfsport=%s&mountport=%s&version=3",
	    uuid, nfsport, mountport);
	if ((url = nfs_parse_url_dir(nfs, u)) != NULL &&
	    nfs_mount(nfs, url->server, url->path) == 0)
		rc = 0;
	if (url != NULL)
		nfs_destroy_url(url);
	nfs_destroy_context(nfs);
	return rc;
}

/*
 * The value of the numeric member name in the JSON object text body, as
 * a port; -1 when absent.  The VAPI writes its records flat and compact.
 */
static int
port_of(const char *body, const char *name, char *port, size_t len)
{
	char key[64];
	const char *p;
	long v;

	snprintf(key, sizeof(key), "\"%s\":", name);
	if (body == NULL || (p = strstr(body, key)) == NULL)
		return -1;
	v = strtol(p + strlen(key), NULL, 10);
	if (v < 1 || v > 65535)
		return -1;
	snprintf(port, len, "%ld", v);
	return 0;
}

/*
 * The ports to MOUNT volume uuid on: nfsport and mountport, or where "-"
 * the volume's own, from the POST's answer in c->buf or else its record,
 * read every millisecond until it names them (a head is chosen as the
 * volume is provisioned) or end passes.
 */
static int
volume_ports(struct conn *c, const char *uuid, const char *nfsport,
    const char *mountport, char np[8], char mp[8], double end)
{
	char path[128];
	int own_np = strcmp(nfsport, "-") == 0,
	    own_mp = strcmp(mountport, "-") == 0;

	snprintf(np, 8, "%s", nfsport);
	snprintf(mp, 8, "%s", mountport);
	snprintf(path, sizeof(path), "/volumes/%s", uuid);
	while ((own_np && port_of(c->buf, "nfs_port", np, 8) == -1) ||
	    (own_mp && port_of(c->buf, "mount_port", mp, 8) == -1)) {
		if (now_s() > end) {
			fprintf(stderr, "%s: no ports in its record: %.300s\n",
			    uuid, c->buf ? c->buf : "");
			return -1;
		}
		poll(NULL, 0, 1);
		if (request(c, "GET", path, NULL) == -1 || c->status != 200) {
			fprintf(stderr, "GET %s: status %d\n", path, c->status);
			return -1;
		}
	}
	return 0;
}

static int
cmd_mountable(const char *hostport, const char *owner, const char *net,
    const char *prefix, long count, const char *nfsport,
    const char *mountport)
{
	struct conn c;
	char uuid[64], np[8], mp[8];
	double t0, t1, *ms = NULL, *probe = NULL, end;
	long i;
	int rc = 1;

	if (count < 1 || (ms = calloc((size_t)count, sizeof(*ms))) == NULL ||
	    (probe = calloc((size_t)count, sizeof(*probe))) == NULL ||
	    conn_init(&c, hostport) == -1) {
		free(ms);
		free(probe);
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < count; i++) {
		t1 = now_s();
		if (post_volume(
			&c, owner, net, prefix, i, uuid, sizeof(uuid)) == -1)
			goto out;
		end = t1 + READY_WAIT_MS / 1000.0;
		if (volume_ports(&c, uuid, nfsport, mountport, np, mp, end) ==
		    -1)
			goto out;
		for (; try_mount(uuid, np, mp) == -1; poll(NULL, 0, 1)) {
			if (now_s() > end) {
				fprintf(stderr, "%s never mountable\n", uuid);
				goto out;
			}
		}
		ms[i] = (now_s() - t1) * 1000;
		t1 = now_s();
		if (try_mount(uuid, np, mp) == -1)
			goto out;
		probe[i] = (now_s() - t1) * 1000;
	}
	print_latencies("create-to-mountable", ms, (size_t)count, now_s() - t0);
	print_latencies("mount-of-a-served-export", probe, (size_t)count,
	    now_s() - t0);
	rc = 0;
out:
	conn_close(&c);
	free(ms);
	free(probe);
	return rc;
}
#endif

/* N ready, exported volumes named PREFIX-%08d, one transaction. */
static int
cmd_load(const char *store_spec, const char *storage_spec,
    const char *state_dir, long count, const char *owner, const char *net,
    const char *prefix)
{
	struct tnfs_err err;
	struct store *st = NULL;
	struct storage *sto = NULL;
	struct volume *v = NULL;
	const char *nets[1] = {net};
	char name[256];
	double t0 = now_s();
	long i;
	int rc = 1;

	tnfs_err_clear(&err);
	if ((st = store_open(store_spec, &err)) == NULL ||
	    (sto = storage_open(storage_spec, state_dir, &err)) == NULL ||
	    store_tx_begin(st, &err) == -1)
		goto out;
	for (i = 0; i < count; i++) {
		if ((v = volume_new()) == NULL ||
		    volume_set_networks(v, nets, 1) == -1)
			goto out;
		if (tnfs_uuid_generate(v->uuid, &err) == -1)
			goto out;
		snprintf(v->owner_uuid, sizeof(v->owner_uuid), "%s", owner);
		snprintf(name, sizeof(name), "%s-%08ld", prefix, i);
		if ((v->name = strdup(name)) == NULL)
			goto out;
		snprintf(v->type, sizeof(v->type), "tritonnfs");
		v->size = 10240;
		snprintf(v->state, sizeof(v->state), "ready");
		v->create_ms = tnfs_now_ms();
		v->exported = 1;
		v->nfs_port = 2049;
		v->mount_port = 2049;
		if (storage_volume_create(sto, v->uuid, v->size, &err) == -1 ||
		    store_volume_insert(st, v, &err) == -1)
			goto out;
		volume_free(v);
		v = NULL;
	}
	if (store_tx_commit(st, &err) == -1)
		goto out;
	printf("load n=%ld seconds=%.3f\n", count, now_s() - t0);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "vapi-scale-client load: %s\n",
		    err.msg[0] ? err.msg : "out of memory");
	volume_free(v);
	storage_close(sto);
	store_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 9 && strcmp(argv[1], "load") == 0)
		return cmd_load(argv[2], argv[3], argv[4],
		    strtol(argv[5], NULL, 10), argv[6], argv[7], argv[8]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "get") == 0)
		return cmd_get(argv[2], argv[3], strtol(argv[4], NULL, 10),
		    argc == 6 ? strtol(argv[5], NULL, 10) : 0);
	if (argc == 7 && strcmp(argv[1], "create") == 0)
		return cmd_create(argv[2], argv[3], argv[4], argv[5],
		    strtol(argv[6], NULL, 10));
	if (argc == 7 && strcmp(argv[1], "ready") == 0)
		return cmd_ready(argv[2], argv[3], argv[4], argv[5],
		    strtol(argv[6], NULL, 10));
#ifdef TNFS_BENCH_NFS
	if (argc == 9 && strcmp(argv[1], "mountable") == 0)
		return cmd_mountable(argv[2], argv[3], argv[4], argv[5],
		    strtol(argv[6], NULL, 10), argv[7], argv[8]);
#endif
	fprintf(stderr,
	    "usage: vapi-scale-client load STORE STORAGE STATE_DIR N OWNER "
	    "NET PREFIX\n"
	    "       vapi-scale-client get HOST:PORT PATH COUNT [PACE_MS]\n"
	    "       vapi-scale-client create|ready HOST:PORT OWNER NET "
	    "PREFIX COUNT\n"
	    "       vapi-scale-client mountable HOST:PORT OWNER NET PREFIX "
	    "COUNT NFS_PORT MOUNT_PORT\n");
	return 2;
}
