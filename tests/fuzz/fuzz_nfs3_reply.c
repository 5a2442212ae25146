/*
 * fuzz_nfs3_reply.c: tritonnfs-fuse's NFSv3 calls on explicit handles
 * (fuse/nfs3_raw.c) answered by a hostile server.  The harness is the
 * server: a TCP connection on 127.0.0.1 to a libnfs context, as
 * tritonnfs-fuse has to its NFS server.  Input: byte 0 picks the call
 * (LOOKUP, GETATTR, CREATE, READ, SETATTR size, COMMIT), the rest is the
 * procedure's result in XDR after an accepted RPC reply header carrying
 * the call's xid; libnfs decodes it as off the wire and nfs3_raw.c takes
 * it.  Properties: a handle taken fits NFS3_RAW_FH_MAX, a READ never
 * returns more than asked nor writes past the buffer, an error is -errno.
 *
 * libnfs 4.0's XDR decoder does not check a reply against the bytes it
 * holds (a length past the end reads past its buffer): a reply that is
 * not whole is libnfs's to refuse, and its crash would hide ours.  So
 * the harness sends only results whose structure is whole (shape() walks
 * it, bounded); every value in them stays the fuzzer's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "fuzz.h"
#include "nfs3_raw.h"


static int lfd = -1, sfd = -1; /* listener, server side of the link */
static int port;
static struct nfs_context *nfs;
static uint32_t next_xid;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	(void)argc;
	(void)argv;
	fuzz_quiet();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lfd, 4) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) == -1)
		abort();
	port = ntohs(sa.sin_port);
	return 0;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Send an accepted reply to xid with body. */
static void
reply(uint32_t xid, const uint8_t *body, size_t n)
{
	size_t len = 28 + n, off = 0;
	uint8_t *rec = calloc(1, len);
	ssize_t w;

	FUZZ_CHECK(rec != NULL);
	put32(rec, 0x80000000u | (uint32_t)(len - 4)); /* last fragment */
	put32(rec + 4, xid);
	put32(rec + 8, 1); /* REPLY; then MSG_ACCEPTED, AUTH_NONE, SUCCESS */
	if (n > 0)
		memcpy(rec + 28, body, n);
	while (off < len) {
		if ((w = write(sfd, rec + off, len - off)) <= 0)
			break;
		off += (size_t)w;
	}
	free(rec);
}

/* The xid of the last call the server side has received; 0 if none. */
static uint32_t
drain_calls(void)
{
	static uint8_t buf[1 << 16];
	struct pollfd p = {sfd, POLLIN, 0};
	uint32_t xid = 0;
	ssize_t n;

	while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		if ((n = read(sfd, buf, sizeof(buf))) <= 0)
			break;
		/* One call a read: a record marker, then the xid. */
		if (n >= 8)
			xid = get32(buf + 4);
	}
	return xid;
}

/*
 * The length of the whole result of procedure op at the start of d, 0
 * when it is cut short or a length in it runs past the end.
 */
struct walk {
	const uint8_t *d;
	size_t n, at;
	int bad;
};

static uint32_t
w32(struct walk *w)
{
	uint32_t v = 0;

	if (w->bad || w->n - w->at < 4)
		w->bad = 1;
	else {
		v = get32(w->d + w->at);
		w->at += 4;
	}
	return v;
}

static void
wskip(struct walk *w, size_t k)
{
	if (w->bad || w->n - w->at < k)
		w->bad = 1;
	else
		w->at += k;
}

static void
wopaque(struct walk *w, uint32_t max)
{
	uint32_t len = w32(w);

	if (len > max)
		w->bad = 1;
	wskip(w, ((size_t)len + 3) & ~(size_t)3);
}

#define FATTR3 84 /* 5 words, size, used, rdev, fsid, fileid, 3 times */

static void
walk_post_op_attr(struct walk *w)
{
	if (w32(w))
		wskip(w, FATTR3);
}

static void
walk_wcc_data(struct walk *w)
{
	if (w32(w))
		wskip(w, 24); /* size, mtime, ctime */
	walk_post_op_attr(w);
}

static size_t
shape(int op, const uint8_t *d, size_t n)
{
	struct walk w = {d, n, 0, 0};
	int ok = w32(&w) == 0;

	switch (op) {
	case 0: /* LOOKUP */
		if (ok)
			wopaque(&w, NFS3_RAW_FH_MAX * 2);
		walk_post_op_attr(&w);
		if (ok)
			walk_post_op_attr(&w);
		break;
	case 1: /* GETATTR */
		if (ok)
			wskip(&w, FATTR3);
		break;
	case 2: /* CREATE */
		if (ok && w32(&w))
			wopaque(&w, NFS3_RAW_FH_MAX * 2);
		if (ok)
			walk_post_op_attr(&w);
		walk_wcc_data(&w);
		break;
	case 3: /* READ */
		walk_post_op_attr(&w);
		if (ok) {
			w32(&w); /* count */
			w32(&w); /* eof */
			wopaque(&w, 1u << 20);
		}
		break;
	case 4: /* SETATTR */
		walk_wcc_data(&w);
		break;
	case 5: /* COMMIT */
		walk_wcc_data(&w);
		if (ok)
			wskip(&w, 8); /* verifier */
		break;
	}
	return w.bad ? 0 : w.at;
}

static int null_done;

static void
null_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	(void)rpc;
	(void)status;
	(void)data;
	(void)arg;
	null_done = 1;
}

static void
service_until(int *flag)
{
	struct pollfd p;
	int i;

	for (i = 0; i < 200 && !*flag; i++) {
		p.fd = nfs_get_fd(nfs);
		p.events = (short)nfs_which_events(nfs);
		p.revents = 0;
		if (poll(&p, 1, 10) < 0 || nfs_service(nfs, p.revents) < 0)
			break;
	}
}

static int connected;

static void
connect_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	(void)rpc;
	(void)data;
	(void)arg;
	connected = status == RPC_STATUS_SUCCESS ? 1 : -1;
}

/* A fresh link, and the xid its next call will carry. */
static void
link_up(void)
{
	struct pollfd p;
	uint32_t xid = 0;
	int i;

	if (nfs != NULL)
		nfs_destroy_context(nfs);
	if (sfd != -1)
		close(sfd);
	FUZZ_CHECK((nfs = nfs_init_context()) != NULL);
	nfs_set_timeout(nfs, 2000);
	connected = 0;
	FUZZ_CHECK(rpc_connect_async(nfs_get_rpc_context(nfs), "127.0.0.1",
		       port, connect_cb, NULL) == 0);
	service_until(&connected);
	FUZZ_CHECK(connected == 1);
	FUZZ_CHECK((sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1);
	/* A NULL call tells the xid; libnfs counts up from there. */
	null_done = 0;
	FUZZ_CHECK(rpc_nfs3_null_async(nfs_get_rpc_context(nfs), null_cb,
		       NULL) == 0);
	for (i = 0; i < 200 && xid == 0; i++) {
		p.fd = nfs_get_fd(nfs);
		p.events = (short)nfs_which_events(nfs);
		p.revents = 0;
		FUZZ_CHECK(poll(&p, 1, 10) >= 0);
		FUZZ_CHECK(nfs_service(nfs, p.revents) == 0);
		xid = drain_calls();
	}
	FUZZ_CHECK(xid != 0);
	reply(xid, NULL, 0);
	service_until(&null_done);
	FUZZ_CHECK(null_done);
	next_xid = xid + 1;
}

static int
link_error(int rc)
{
	return rc == -EIO || rc == -EFAULT || rc == -EINTR || rc == -ENOMEM;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfs3_fh dir = {4, {1, 2, 3, 4}}, fh;
	struct nfs_stat_64 st;
	char buf[512 + 16];
	size_t count = 512, n;
	int rc = 0, have_st;
	uint32_t xid;

	if (size < 1 || (n = shape(data[0] % 6, data + 1, size - 1)) == 0)
		return 0;
	if (nfs == NULL)
		link_up();
	memset(&fh, 0xaa, sizeof(fh));
	memset(buf + count, 0x5a, 16);
	/* The reply is there before the call: libnfs matches it by xid. */
	reply(next_xid, data + 1, n);
	switch (data[0] % 6) {
	case 0:
		rc = nfs3_raw_lookup(nfs, &dir, "name", &fh, &st);
		if (rc == 0)
			FUZZ_CHECK(fh.len >= 1 && fh.len <= NFS3_RAW_FH_MAX);
		break;
	case 1:
		rc = nfs3_raw_getattr(nfs, &dir, &st);
		break;
	case 2:
		rc = nfs3_raw_create(nfs, &dir, "new", 0644, &fh, &st, &have_st);
		if (rc == 0)
			FUZZ_CHECK(fh.len >= 1 && fh.len <= NFS3_RAW_FH_MAX);
		break;
	case 3:
		rc = nfs3_raw_read(nfs, &dir, 0, count, buf);
		FUZZ_CHECK(rc <= (int)count);
		FUZZ_CHECK(buf[count] == 0x5a && buf[count + 15] == 0x5a);
		break;
	case 4:
		rc = nfs3_raw_setsize(nfs, &dir, 4096);
		break;
	case 5:
		rc = nfs3_raw_commit(nfs, &dir);
		break;
	}
	FUZZ_CHECK(rc >= 0 || rc > -4096);
	xid = drain_calls();
	if (link_error(rc) || xid != next_xid)
		link_up(); /* what tritonnfs-fuse's remount does */
	else
		next_xid = xid + 1;
	return 0;
}
