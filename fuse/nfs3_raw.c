/*
 * nfs3_raw.c: NFSv3 calls on explicit file handles (see nfs3_raw.h).
 *
 * Each call's record is on the heap: when we stop waiting (the link
 * failed), the call stays queued on the context and its callback may
 * still run later (when the context is destroyed, as cancelled); it then
 * frees the record and touches nothing else.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "nfs3_raw.h"
#include "nfs_conn.h"

struct raw_call {
	int done, abandoned;
	int err;    /* -errno: the link failed */
	int status; /* nfsstat3 */
	struct nfs3_fh *fh;
	int have_fh, have_attr;
	fattr3 attr;
	char *buf; /* READ: the caller's, written only while it waits */
	size_t count;
};

int
nfs3_raw_status_errno(int status)
{
	char why[64];

	/* libnfs's table, except what it turns into ERANGE (DQUOT, ...). */
	snprintf(why, sizeof(why), "NFS: %s(", nfsstat3_to_str(status));
	return -nfs_conn_errno_why(nfsstat3_to_errno(status), why);
}

/* The start of every callback: 1 when res is there to read. */
static int
cb_begin(struct raw_call *call, int status, const void *res)
{
	if (call->abandoned) {
		free(call);
		return 0;
	}
	call->done = 1;
	if (status != RPC_STATUS_SUCCESS || res == NULL) {
		/* The codes libnfs's own calls give (nfs_conn.h). */
		call->err = status == RPC_STATUS_ERROR ? -EFAULT : -EINTR;
		return 0;
	}
	return 1;
}

static void
take_fh(struct raw_call *call, const nfs_fh3 *fh)
{
	if (fh->data.data_len == 0 || fh->data.data_len > NFS3_RAW_FH_MAX)
		return;
	call->fh->len = fh->data.data_len;
	memcpy(call->fh->val, fh->data.data_val, fh->data.data_len);
	call->have_fh = 1;
}

static void
take_attr(struct raw_call *call, const post_op_attr *a)
{
	if (a->attributes_follow) {
		call->attr = a->post_op_attr_u.attributes;
		call->have_attr = 1;
	}
}

/*
 * Send (sent: the rpc_nfs3_*_async result) and wait.  0 when answered
 * (call->err/status say how), -EIO when we gave up (the callback now owns
 * call), -ENOMEM when it was not sent (call freed).
 */
static int
run(struct nfs_context *ctx, struct raw_call *call, int sent)
{
	struct pollfd pfd;

	if (sent != 0) {
		free(call);
		return -ENOMEM;
	}
	while (!call->done) {
		pfd.fd = nfs_get_fd(ctx);
		pfd.events = (short)nfs_which_events(ctx);
		pfd.revents = 0;
		if ((poll(&pfd, 1, 100) < 0 && errno != EINTR) ||
		    nfs_service(ctx, pfd.revents) < 0) {
			if (call->done)
				break;
			call->abandoned = 1;
			return -EIO;
		}
	}
	return 0;
}

/* The call's result as nfs3_raw.h says; frees call. */
static int
finish(struct raw_call *call)
{
	int rc = 0;

	if (call->err != 0)
		rc = call->err;
	else if (call->status != NFS3_OK)
		rc = nfs3_raw_status_errno(call->status);
	free(call);
	return rc;
}

static void
to_stat(const fattr3 *a, struct nfs_stat_64 *st)
{
	/* As libnfs 4.0's nfs_stat64 fills it. */
	static const mode_t type[] = {
	    0, S_IFREG, S_IFDIR, S_IFBLK, S_IFCHR, S_IFLNK, S_IFSOCK, S_IFIFO};

	memset(st, 0, sizeof(*st));
	st->nfs_dev = a->fsid;
	st->nfs_ino = a->fileid;
	st->nfs_mode = a->mode;
	if ((unsigned)a->type < sizeof(type) / sizeof(type[0]))
		st->nfs_mode |= type[a->type];
	st->nfs_nlink = a->nlink;
	st->nfs_uid = a->uid;
	st->nfs_gid = a->gid;
	st->nfs_rdev = makedev(a->rdev.specdata1, a->rdev.specdata2);
	st->nfs_size = a->size;
	st->nfs_blksize = 4096; /* libnfs's NFS_BLKSIZE */
	st->nfs_blocks = (a->used + 511) / 512;
	st->nfs_atime = a->atime.seconds;
	st->nfs_mtime = a->mtime.seconds;
	st->nfs_ctime = a->ctime.seconds;
	st->nfs_atime_nsec = a->atime.nseconds;
	st->nfs_mtime_nsec = a->mtime.nseconds;
	st->nfs_ctime_nsec = a->ctime.nseconds;
}

static void
set_fh3(nfs_fh3 *out, const struct nfs3_fh *fh)
{
	out->data.data_len = (u_int)fh->len;
	/* Only read: arguments are encoded before the call returns. */
	out->data.data_val = (char *)(uintptr_t)fh->val;
}

static void
lookup_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct raw_call *call = arg;
	LOOKUP3res *res = data;

	(void)rpc;
	if (!cb_begin(call, status, res))
		return;
	if ((call->status = (int)res->status) != NFS3_OK)
		return;
	take_fh(call, &res->LOOKUP3res_u.resok.object);
	take_attr(call, &res->LOOKUP3res_u.resok.obj_attributes);
}

int
nfs3_raw_lookup(struct nfs_context *ctx, const struct nfs3_fh *dir,
    const char *name, struct nfs3_fh *fh, struct nfs_stat_64 *st)
{
	struct raw_call *call;
	LOOKUP3args args;
	int rc;

	if ((call = calloc(1, sizeof(*call))) == NULL)
		return -ENOMEM;
	call->fh = fh;
	memset(&args, 0, sizeof(args));
	set_fh3(&args.what.dir, dir);
	args.what.name = (char *)(uintptr_t)name;
	if ((rc = run(ctx, call,
		 rpc_nfs3_lookup_async(
		     nfs_get_rpc_context(ctx), lookup_cb, &args, call))) != 0)
		return rc;
	if (call->err == 0 && call->status == NFS3_OK) {
		if (!call->have_fh || !call->have_attr) {
			free(call);
			return -ENOTSUP;
		}
		to_stat(&call->attr, st);
	}
	return finish(call);
}

static void
getattr_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct raw_call *call = arg;
	GETATTR3res *res = data;

	(void)rpc;
	if (!cb_begin(call, status, res))
		return;
	if ((call->status = (int)res->status) != NFS3_OK)
		return;
	call->attr = res->GETATTR3res_u.resok.obj_attributes;
	call->have_attr = 1;
}

int
nfs3_raw_getattr(
    struct nfs_context *ctx, const struct nfs3_fh *fh, struct nfs_stat_64 *st)
{
	struct raw_call *call;
	GETATTR3args args;
	int rc;

	if ((call = calloc(1, sizeof(*call))) == NULL)
		return -ENOMEM;
	memset(&args, 0, sizeof(args));
	set_fh3(&args.object, fh);
	if ((rc = run(ctx, call,
		 rpc_nfs3_getattr_async(
		     nfs_get_rpc_context(ctx), getattr_cb, &args, call))) != 0)
		return rc;
	if (call->have_attr)
		to_stat(&call->attr, st);
	return finish(call);
}

static void
create_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct raw_call *call = arg;
	CREATE3res *res = data;

	(void)rpc;
	if (!cb_begin(call, status, res))
		return;
	if ((call->status = (int)res->status) != NFS3_OK)
		return;
	if (res->CREATE3res_u.resok.obj.handle_follows)
		take_fh(
		    call, &res->CREATE3res_u.resok.obj.post_op_fh3_u.handle);
	take_attr(call, &res->CREATE3res_u.resok.obj_attributes);
}

int
nfs3_raw_create(struct nfs_context *ctx, const struct nfs3_fh *dir,
    const char *name, int mode, struct nfs3_fh *fh, struct nfs_stat_64 *st,
    int *have_st)
{
	struct raw_call *call;
	CREATE3args args;
	int rc;

	*have_st = 0;
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return -ENOMEM;
	call->fh = fh;
	memset(&args, 0, sizeof(args));
	set_fh3(&args.where.dir, dir);
	args.where.name = (char *)(uintptr_t)name;
	args.how.mode = GUARDED;
	args.how.createhow3_u.g_obj_attributes.mode.set_it = 1;
	args.how.createhow3_u.g_obj_attributes.mode.set_mode3_u.mode =
	    (mode3)(mode & 07777);
	if ((rc = run(ctx, call,
		 rpc_nfs3_create_async(
		     nfs_get_rpc_context(ctx), create_cb, &args, call))) != 0)
		return rc;
	if (call->err == 0 && call->status == NFS3_OK) {
		if (!call->have_fh) {
			free(call);
			return -ENOTSUP;
		}
		if (call->have_attr) {
			to_stat(&call->attr, st);
			*have_st = 1;
		}
	}
	return finish(call);
}

static void
read_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct raw_call *call = arg;
	READ3res *res = data;
	size_t n;

	(void)rpc;
	if (!cb_begin(call, status, res))
		return;
	if ((call->status = (int)res->status) != NFS3_OK)
		return;
	n = res->READ3res_u.resok.count;
	if (n > res->READ3res_u.resok.data.data_len)
		n = res->READ3res_u.resok.data.data_len;
	if (n > call->count) {
		call->err = -EIO; /* more than asked: a broken reply */
		return;
	}
	memcpy(call->buf, res->READ3res_u.resok.data.data_val, n);
	call->count = n;
}

int
nfs3_raw_read(struct nfs_context *ctx, const struct nfs3_fh *fh, uint64_t off,
    size_t count, char *buf)
{
	struct raw_call *call;
	READ3args args;
	int rc;

	if (count > INT32_MAX)
		count = INT32_MAX;
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return -ENOMEM;
	call->buf = buf;
	call->count = count;
	memset(&args, 0, sizeof(args));
	set_fh3(&args.file, fh);
	args.offset = off;
	args.count = (count3)count;
	if ((rc = run(ctx, call,
		 rpc_nfs3_read_async(
		     nfs_get_rpc_context(ctx), read_cb, &args, call))) != 0)
		return rc;
	if (call->err == 0 && call->status == NFS3_OK) {
		rc = (int)call->count;
		free(call);
		return rc;
	}
	return finish(call);
}

static void
status_cb(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct raw_call *call = arg;

	(void)rpc;
	/* SETATTR3res and COMMIT3res both start with their nfsstat3. */
	if (!cb_begin(call, status, data))
		return;
	call->status = (int)*(const nfsstat3 *)data;
}

int
nfs3_raw_setsize(
    struct nfs_context *ctx, const struct nfs3_fh *fh, uint64_t size)
{
	struct raw_call *call;
	SETATTR3args args;
	int rc;

	if ((call = calloc(1, sizeof(*call))) == NULL)
		return -ENOMEM;
	memset(&args, 0, sizeof(args));
	set_fh3(&args.object, fh);
	args.new_attributes.size.set_it = 1;
	args.new_attributes.size.set_size3_u.size = size;
	if ((rc = run(ctx, call,
		 rpc_nfs3_setattr_async(
		     nfs_get_rpc_context(ctx), status_cb, &args, call))) != 0)
		return rc;
	return finish(call);
}

int
nfs3_raw_commit(struct nfs_context *ctx, const struct nfs3_fh *fh)
{
	struct raw_call *call;
	COMMIT3args args;
	int rc;

	if ((call = calloc(1, sizeof(*call))) == NULL)
		return -ENOMEM;
	memset(&args, 0, sizeof(args));
	set_fh3(&args.file, fh);
	if ((rc = run(ctx, call,
		 rpc_nfs3_commit_async(
		     nfs_get_rpc_context(ctx), status_cb, &args, call))) != 0)
		return rc;
	return finish(call);
}
