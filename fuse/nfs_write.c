/*
 * nfs_write.c: the write pipeline of tritonnfs-fuse (see nfs_write.h).
 *
 * WRITEs go out through libnfs's async calls, up to NFS_WRITE_DEPTH in
 * flight on the context (which the caller holds): small NFSv4 WRITEs one at
 * a time would cost a round trip per 3 KiB.  The async callback also keeps
 * the server's status: libnfs 4.0's synchronous nfs_pwrite reports every
 * refused NFSv3 WRITE as -EFAULT (which looks like a broken link) and
 * overwrites the message that named the status (NFS3ERR_DQUOT, ...).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "log.h"
#include "nfs_conn.h"
#include "nfs_file.h"
#include "nfs_fs.h"
#include "nfs_write.h"

uint64_t
nfs_write_chunk(uint64_t wmax, int nfsvers)
{
	if (wmax == 0 || wmax > NFS_FS_MAX_IO)
		wmax = NFS_FS_MAX_IO;
#ifndef HAVE_LIBNFS_V4_LARGE_WRITES
	if (nfsvers == 4 && wmax > NFS_WRITE_V4_SMALL)
		wmax = NFS_WRITE_V4_SMALL;
#else
	(void)nfsvers;
#endif
	return wmax;
}

int
nfs_write_sync(int nfsvers, int wrote, int o_sync, size_t size, uint64_t chunk)
{
	if (nfsvers != 3)
		return 0;
	if (o_sync)
		return 1;
	return !wrote && size <= chunk && size <= NFS_WRITE_SYNC_MAX;
}

/* WRITEs in flight at once on one context. */
#define NFS_WRITE_DEPTH 32

struct pipeline {
	struct nfs_context *ctx;
	uint64_t start;    /* offset of the first byte */
	int v3;            /* WRITE3 calls of our own (see send_write) */
	int sync;          /* NFSv3: ask for FILE_SYNC */
	int unstable;      /* NFSv3: some data is not on stable storage yet */
	int inflight;      /* calls not answered yet */
	int err;           /* first failure: -errno, 0 none */
	int refused;       /* errno of a status the server answered with */
	uint64_t fail_off; /* lowest offset of a chunk not (fully) written */
	uint64_t ok_end;   /* highest end of a chunk written */
};

struct pipeline_call {
	struct pipeline *pl;
	uint64_t off;
	size_t len;
};

/*
 * A call ended with status (bytes written, or -errno) and refused (the
 * errno of a status the server answered with, 0 for a link failure).
 */
static void
pipeline_end(struct pipeline_call *call, int status, int refused)
{
	struct pipeline *pl = call->pl;

	pl->inflight--;
	if (status < 0 || (size_t)status < call->len) {
		if (status >= 0) {
			status = -EIO; /* a short WRITE: redo it in order */
			refused = 0;
		}
		if (call->off < pl->fail_off)
			pl->fail_off = call->off;
		if (pl->err == 0 || call->off <= pl->fail_off) {
			pl->err = status;
			pl->refused = refused;
		}
	} else if (call->off + call->len > pl->ok_end) {
		pl->ok_end = call->off + call->len;
	}
	free(call);
}

static void
pipeline_done(int status, struct nfs_context *ctx, void *data, void *arg)
{
	int refused = 0;

	(void)data;
	/*
	 * A status the server answered with (named in the message this call
	 * just set) rather than a link that broke: no reconnect will change
	 * it.
	 */
	if (status < 0 && status != -EINTR && ctx != NULL)
		refused = nfs_conn_status_errno(nfs_get_error(ctx));
	pipeline_end(arg, status, refused);
}

/* The reply to one of our own WRITE3 calls. */
static void
pipeline_done3(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct pipeline_call *call = arg;
	WRITE3res *res = data;
	char why[64];
	int refused;

	(void)rpc;
	/* The codes libnfs's own calls give for these (link errors). */
	if (status != RPC_STATUS_SUCCESS || res == NULL) {
		pipeline_end(
		    call, status == RPC_STATUS_ERROR ? -EFAULT : -EINTR, 0);
		return;
	}
	if (res->status != NFS3_OK) {
		snprintf(why, sizeof(why), "%s(", nfsstat3_to_str(res->status));
		if ((refused = nfs_conn_status_errno(why)) == 0)
			refused = EIO;
		pipeline_end(call, -refused, refused);
		return;
	}
	if (res->WRITE3res_u.resok.committed != FILE_SYNC)
		call->pl->unstable = 1;
	pipeline_end(call, (int)res->WRITE3res_u.resok.count, 0);
}

/*
 * Send one WRITE.  Over NFSv3 the call is our own rather than libnfs's
 * nfs_pwrite_async: it can ask for FILE_SYNC per call, and libnfs marks a
 * handle it wrote through as dirty and COMMITs it again in nfs_close, a
 * second server fsync per file after the one at flush.
 */
static int
send_write(struct pipeline *pl, struct nfs_file *f, uint64_t off, size_t n,
    const char *buf, struct pipeline_call *call)
{
	struct WRITE3args args;

	if (!pl->v3)
		return nfs_pwrite_async(
		    pl->ctx, nfs_file_libnfs(f), off, n, buf, pipeline_done,
		    call);
	memset(&args, 0, sizeof(args));
	args.file.data.data_len = (u_int)f->rfh.len;
	args.file.data.data_val = (char *)f->rfh.val;
	args.offset = off;
	args.count = (count3)n;
	args.stable = pl->sync ? FILE_SYNC : UNSTABLE;
	args.data.data_len = (u_int)n;
	/* Only read: the arguments are encoded before this returns. */
	args.data.data_val = (char *)(uintptr_t)buf;
	if (!pl->sync)
		pl->unstable = 1;
	return rpc_nfs3_write_async(
	    nfs_get_rpc_context(pl->ctx), pipeline_done3, &args, call);
}

/*
 * Write size bytes at off in chunks.  0 when all were written; otherwise
 * the first error, with pl->fail_off the lowest offset not written and
 * pl->refused the errno when the server refused it (quota, space, stale
 * handle), 0 when the link failed.  Chunks below fail_off were written;
 * chunks above it may have been too, up to pl->ok_end.
 */
static int
pwrite_chunks(struct nfs_context *ctx, struct nfs_file *f, uint64_t off,
    const char *buf, size_t size, size_t chunk, int sync, struct pipeline **out)
{
	struct pipeline *pl;
	struct pipeline_call *call;
	struct pollfd pfd;
	size_t next = 0;

	*out = NULL;
	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return -ENOMEM;
	pl->ctx = ctx;
	pl->start = off;
	pl->v3 = f->raw;
	pl->sync = sync;
	pl->fail_off = off + size;
	while (next < size || pl->inflight > 0) {
		while (next < size && pl->inflight < NFS_WRITE_DEPTH &&
		    pl->err == 0) {
			size_t n = size - next < chunk ? size - next : chunk;

			if ((call = calloc(1, sizeof(*call))) == NULL) {
				pl->err = -ENOMEM;
				pl->fail_off = off + next;
				break;
			}
			call->pl = pl;
			call->off = off + next;
			call->len = n;
			if (send_write(
				pl, f, off + next, n, buf + next, call) != 0) {
				free(call);
				pl->err = -EIO;
				pl->fail_off = off + next;
				break;
			}
			pl->inflight++;
			next += n;
		}
		if (pl->inflight == 0)
			break;
		pfd.fd = nfs_get_fd(ctx);
		pfd.events = (short)nfs_which_events(ctx);
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			pl->err = -EIO;
			break;
		}
		/* Timeouts and a lost socket end the calls in flight too. */
		if (nfs_service(ctx, pfd.revents) < 0) {
			if (pl->err == 0 || pl->refused != 0) {
				pl->err = -EIO;
				pl->refused = 0;
			}
			break;
		}
	}
	if (pl->err == 0 && next < size) {
		pl->err = -EIO;
		pl->fail_off = off + next;
	}
	*out = pl;
	return pl->err;
}

/*
 * Free pl unless libnfs may still call back into it (calls in flight on a
 * context that failed; such a context is never destroyed, nfs_conn.c).
 */
static void
pipeline_free(struct pipeline *pl)
{
	if (pl != NULL && pl->inflight == 0)
		free(pl);
}

/*
 * Cut f back to f->cut when a refused write left junk past it; 0 when done
 * or nothing was pending.
 */
int
nfs_write_cut_pending(struct nfs_context *ctx, struct nfs_file *f)
{
	int rc;

	if (!f->cut_pending)
		return 0;
	if ((rc = nfs_file_setsize(ctx, f, f->cut)) == 0)
		f->cut_pending = 0;
	return rc;
}

/*
 * The server refused a chunk of a write that went out in several at once:
 * the bytes before pl->fail_off are written, and chunks after it may have
 * been too, up to pl->ok_end, past a hole.  First fill the hole in order
 * (space may have come back: the later chunks got it); what cannot be
 * filled is cut off, back to the size before the write (pre, -1 unknown)
 * or the written prefix, whichever is longer, so the file never shows a
 * hole the caller did not make.  btrfs may refuse the cut too while over
 * its quota: then it is retried before the next write and at flush.
 * Returns the end of the bytes written in order.
 */
static uint64_t
repair_refusal(struct nfs_context *ctx, struct nfs_file *f, const char *buf,
    uint64_t off, size_t chunk, int64_t pre, const struct pipeline *pl)
{
	struct pipeline *one = NULL;
	uint64_t good = pl->fail_off;

	while (good < pl->ok_end) {
		size_t n =
		    pl->ok_end - good < chunk ? pl->ok_end - good : chunk;
		int rc = pwrite_chunks(
		    ctx, f, good, buf + (good - off), n, n, 0, &one);

		pipeline_free(one);
		if (rc != 0)
			break;
		good += n;
	}
	if (good >= pl->ok_end || pre < 0)
		return good;
	f->cut = (uint64_t)pre > good ? (uint64_t)pre : good;
	f->cut_pending = 1;
	if (nfs_write_cut_pending(ctx, f) != 0)
		log_warn("%s: a refused write left bytes past offset %llu that "
			 "cannot be cut yet (%s); retrying at the next write",
		    f->path, (unsigned long long)f->cut, nfs_get_error(ctx));
	return good;
}

int
nfs_write_pipelined(struct nfs_context *ctx, struct nfs_file *f, uint64_t off,
    const char *buf, size_t size, size_t chunk, int sync, int64_t pre,
    int *written)
{
	struct pipeline *pl = NULL;
	size_t done;
	int rc;

	rc = pwrite_chunks(ctx, f, off, buf, size, chunk, sync, &pl);
	if (rc == 0) {
		/* NFSv4 WRITEs (libnfs's) are always UNSTABLE. */
		if (pl->unstable || !pl->v3)
			f->dirty = 1;
		pipeline_free(pl);
		/* The caller's own bytes now stand past the cut point. */
		if (f->cut_pending && off + size > f->cut)
			f->cut_pending = 0;
		*written = (int)size;
		return 0;
	}
	if (pl != NULL && pl->refused != 0) {
		uint64_t end = pl->fail_off;

		if (size > chunk)
			end = repair_refusal(ctx, f, buf, off, chunk, pre, pl);
		done = (size_t)(end - off);
		rc = -pl->refused;
		pipeline_free(pl);
		if (done > 0)
			f->dirty = 1;
		*written = done > 0 ? (int)done : rc;
		return 0;
	}
	pipeline_free(pl);
	return rc;
}

int
nfs_write_ordered(struct nfs_context *ctx, struct nfs_file *f, uint64_t off,
    const char *buf, size_t n, int *refused)
{
	struct pipeline *pl = NULL;
	int rc;

	*refused = 0;
	rc = pwrite_chunks(ctx, f, off, buf, n, n, 0, &pl);
	if (rc < 0 && pl != NULL && pl->refused != 0) {
		*refused = 1;
		rc = -pl->refused;
	}
	pipeline_free(pl);
	if (rc == 0)
		f->dirty = 1;
	return rc;
}
