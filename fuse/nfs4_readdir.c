/*
 * nfs4_readdir.c: NFSv4 directory listings with our own READDIR COMPOUNDs
 * (see nfs4_readdir.h).
 *
 * Each round is one COMPOUND: PUTROOTFH, a LOOKUP per component of the
 * export and the path, READDIR.  Walking from the root every round costs a
 * few LOOKUPs but needs no file handle from libnfs, whose 4.0 API gives
 * none for a directory.  The call goes out on the context's RPC layer and
 * we service the context until its callback ran, as libnfs's synchronous
 * calls do; the callback copies what it needs, since the reply is freed
 * when it returns.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#include "be32.h"
#include "nfs4_readdir.h"

struct dir_entry {
	char *name;
	uint64_t ino;
	mode_t mode;
};

struct nfs4_dir {
	struct dir_entry *entries;
	size_t n, cap;
};

/*
 * One READDIR round.  On the heap: when we give up waiting, the call
 * stays queued on the context and its callback may still run (when the
 * context is serviced again); it then frees the round itself.
 */
struct round {
	int queued;      /* sent: the callback will run */
	int done;        /* the callback ran */
	int abandoned;   /* we stopped waiting: the callback frees */
	int err;         /* -errno: link failure, bad reply */
	int status;      /* nfsstat4 of the failing operation */
	uint64_t cookie; /* asked to start after */
	uint64_t next;   /* the last entry's cookie */
	char verf[NFS4_VERIFIER_SIZE];
	int eof;
	struct nfs4_dir *dir;
};

/* The attributes we ask for: TYPE and FILEID (word 0), MODE (word 1). */
#define WORD0_WANT ((1u << FATTR4_TYPE) | (1u << FATTR4_FILEID))
#define WORD1_WANT (1u << (FATTR4_MODE - 32))

static mode_t
type_bits(uint32_t type)
{
	static const mode_t bits[] = {
	    0, S_IFREG, S_IFDIR, S_IFBLK, S_IFCHR, S_IFLNK, S_IFSOCK, S_IFIFO};

	return type < sizeof(bits) / sizeof(bits[0]) ? bits[type] : 0;
}

int
nfs4_readdir_attrs(const uint32_t *mask, size_t mask_len,
    const unsigned char *vals, size_t vals_len, uint64_t *ino, mode_t *mode)
{
	uint32_t w0 = mask_len > 0 ? mask[0] : 0;
	uint32_t w1 = mask_len > 1 ? mask[1] : 0;
	size_t i, off = 0;

	*ino = 0;
	*mode = 0;
	if ((w0 & ~WORD0_WANT) != 0 || (w1 & ~WORD1_WANT) != 0)
		return -EINVAL;
	for (i = 2; i < mask_len; i++)
		if (mask[i] != 0)
			return -EINVAL;
	/* Values come in the order of the attribute numbers. */
	if (w0 & (1u << FATTR4_TYPE)) {
		if (vals_len - off < 4)
			return -EINVAL;
		if ((*mode = type_bits(be32_get(vals + off))) == 0)
			return -EINVAL;
		off += 4;
	}
	if (w0 & (1u << FATTR4_FILEID)) {
		if (vals_len - off < 8)
			return -EINVAL;
		*ino = (uint64_t)be32_get(vals + off) << 32 |
		    be32_get(vals + off + 4);
		off += 8;
	}
	if (w1 & (1u << (FATTR4_MODE - 32))) {
		if (vals_len - off < 4)
			return -EINVAL;
		/* mode4 has no bits above 07777; others are ignored. */
		*mode |= (mode_t)(be32_get(vals + off) & 07777);
		off += 4;
	}
	return off == vals_len ? 0 : -EINVAL;
}

int
nfs4_readdir_name(const char *name, size_t len)
{
	if (len == 0 || len > 255 || memchr(name, '/', len) != NULL ||
	    memchr(name, '\0', len) != NULL)
		return -EINVAL;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	return 1;
}

int
nfs4_readdir_status_errno(int status)
{
	switch (status) {
	case NFS4_OK:
		return 0;
	case NFS4ERR_PERM:
		return EPERM;
	case NFS4ERR_NOENT:
		return ENOENT;
	case NFS4ERR_ACCESS:
	case NFS4ERR_WRONGSEC:
		return EACCES;
	case NFS4ERR_NOTDIR:
		return ENOTDIR;
	case NFS4ERR_NAMETOOLONG:
		return ENAMETOOLONG;
	case NFS4ERR_STALE:
	case NFS4ERR_FHEXPIRED:
		return ESTALE;
	case NFS4ERR_DELAY:
	case NFS4ERR_GRACE:
		return EAGAIN;
	case NFS4ERR_SERVERFAULT:
	case NFS4ERR_RESOURCE:
	default:
		return EIO;
	}
}

/* XDR size of a component4 of len bytes. */
static long
component_size(size_t len)
{
	return 4 + (long)((len + 3) & ~(size_t)3);
}

/*
 * Call fn(component, len, arg) for each component of path (separators
 * '/', empty components skipped); the size of their LOOKUPs, or -1 once
 * it passes max.
 */
static long
walk_components(const char *path, long max,
    void (*fn)(const char *, size_t, void *), void *arg)
{
	long size = 0;

	while (*path != '\0') {
		size_t len = strcspn(path, "/");

		if (len > 0) {
			size += 4 + component_size(len); /* op + name */
			if (size > max)
				return -1;
			if (fn != NULL)
				fn(path, len, arg);
		}
		path += len;
		if (*path == '/')
			path++;
	}
	return size;
}

long
nfs4_readdir_compound_size(const char *export, const char *path, long max)
{
	/* Tag, minor version, op count; PUTROOTFH; READDIR (2-word mask). */
	long size = 12 + 4 + (4 + 8 + NFS4_VERIFIER_SIZE + 4 + 4 + 4 + 8);
	long part;

	if (size > max)
		return -1;
	if ((part = walk_components(export, max - size, NULL, NULL)) < 0)
		return -1;
	size += part;
	if ((part = walk_components(path, max - size, NULL, NULL)) < 0)
		return -1;
	return size + part;
}

static int
dir_add(struct nfs4_dir *dir, const char *name, size_t len, uint64_t ino,
    mode_t mode)
{
	struct dir_entry *e;

	if (dir->n == dir->cap) {
		size_t cap = dir->cap == 0 ? 256 : dir->cap * 2;

		if ((e = realloc(dir->entries, cap * sizeof(*e))) == NULL)
			return -ENOMEM;
		dir->entries = e;
		dir->cap = cap;
	}
	e = &dir->entries[dir->n];
	if ((e->name = strndup(name, len)) == NULL)
		return -ENOMEM;
	e->ino = ino;
	e->mode = mode;
	dir->n++;
	return 0;
}

static void
dir_clear(struct nfs4_dir *dir)
{
	size_t i;

	for (i = 0; i < dir->n; i++)
		free(dir->entries[i].name);
	dir->n = 0;
}

struct nfs4_dir *
nfs4_dir_new(void)
{
	return calloc(1, sizeof(struct nfs4_dir));
}

/*
 * libnfs 4.0 decodes into an arena that aligns to 4 bytes only, so each
 * structure is copied out before its fields are read.
 */
int
nfs4_dir_take(struct nfs4_dir *dir, const struct READDIR4resok *ok,
    uint64_t cookie, uint64_t *next, int *eof)
{
	const entry4 *at;
	entry4 e;
	size_t added = 0;
	uint64_t ino;
	mode_t mode;
	int rc;

	*eof = ok->reply.eof != 0;
	*next = cookie;
	for (at = ok->reply.entries; at != NULL; at = e.nextentry) {
		memcpy(&e, at, sizeof(e));
		*next = e.cookie;
		added++;
		rc = nfs4_readdir_name(
		    e.name.utf8string_val, e.name.utf8string_len);
		if (rc < 0)
			return -EPROTO;
		if (rc == 0)
			continue;
		if (dir->n >= NFS4_READDIR_MAX_ENTRIES)
			return -EFBIG;
		if (nfs4_readdir_attrs(e.attrs.attrmask.bitmap4_val,
			e.attrs.attrmask.bitmap4_len,
			(const unsigned char *)e.attrs.attr_vals.attrlist4_val,
			e.attrs.attr_vals.attrlist4_len, &ino, &mode) < 0)
			return -EPROTO;
		if ((rc = dir_add(dir, e.name.utf8string_val,
			 e.name.utf8string_len, ino, mode)) < 0)
			return rc;
	}
	/* Entries whose last cookie is the one we asked from would repeat. */
	if (!*eof && (added == 0 || *next == cookie))
		return -EPROTO;
	return 0;
}

static void
round_done(struct rpc_context *rpc, int status, void *data, void *private)
{
	struct round *r = private;
	const unsigned char *ops;
	const READDIR4resok *ok;
	COMPOUND4res res;
	nfs_resop4 op;
	u_int i;

	(void)rpc;
	if (r->abandoned) {
		free(r);
		return;
	}
	r->done = 1;
	if (status != RPC_STATUS_SUCCESS || data == NULL) {
		r->err = status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
		return;
	}
	/* Copied out: see nfs4_dir_take. */
	memcpy(&res, data, sizeof(res));
	if (res.status != NFS4_OK) {
		r->status = res.status;
		return;
	}
	ops = (const unsigned char *)res.resarray.resarray_val;
	for (i = 0; i < res.resarray.resarray_len; i++) {
		memcpy(&op, ops + (size_t)i * sizeof(op), sizeof(op));
		if (op.resop != OP_READDIR)
			continue;
		if (op.nfs_resop4_u.opreaddir.status != NFS4_OK) {
			r->status = op.nfs_resop4_u.opreaddir.status;
			return;
		}
		ok = &op.nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(r->verf, ok->cookieverf, sizeof(r->verf));
		r->err =
		    nfs4_dir_take(r->dir, ok, r->cookie, &r->next, &r->eof);
		return;
	}
	r->err = -EPROTO; /* no READDIR result */
}

struct lookup_fill {
	nfs_argop4 *op;
	size_t i;
};

static void
add_lookup(const char *name, size_t len, void *arg)
{
	struct lookup_fill *f = arg;
	nfs_argop4 *op = &f->op[f->i++];

	op->argop = OP_LOOKUP;
	/* Only encoded: the buffer holds the whole path, name points in it. */
	op->nfs_argop4_u.oplookup.objname.utf8string_val =
	    (char *)(uintptr_t)name;
	op->nfs_argop4_u.oplookup.objname.utf8string_len = (u_int)len;
}

static void
count_one(const char *name, size_t len, void *arg)
{
	(void)name;
	(void)len;
	(*(size_t *)arg)++;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Send one round and wait for it (until timeout_s). */
static int
run_round(struct nfs_context *nfs, const char *export, const char *path,
    struct round *r, double timeout_s)
{
	uint32_t mask[2] = {WORD0_WANT, WORD1_WANT};
	struct lookup_fill fill;
	COMPOUND4args args;
	READDIR4args *rd;
	nfs_argop4 *ops = NULL;
	struct pollfd pfd;
	size_t nops;
	double deadline = now_s() + timeout_s;
	int rc = 0;

	nops = 0;
	walk_components(export, NFS4_READDIR_MAX_COMPOUND, count_one, &nops);
	walk_components(path, NFS4_READDIR_MAX_COMPOUND, count_one, &nops);
	nops += 2; /* PUTROOTFH, READDIR */
	if ((ops = calloc(nops, sizeof(*ops))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	ops[0].argop = OP_PUTROOTFH;
	fill.op = ops;
	fill.i = 1;
	walk_components(export, NFS4_READDIR_MAX_COMPOUND, add_lookup, &fill);
	walk_components(path, NFS4_READDIR_MAX_COMPOUND, add_lookup, &fill);
	ops[fill.i].argop = OP_READDIR;
	rd = &ops[fill.i].nfs_argop4_u.opreaddir;
	rd->cookie = r->cookie;
	memcpy(rd->cookieverf, r->verf, sizeof(rd->cookieverf));
	rd->dircount = NFS4_READDIR_DIRCOUNT;
	rd->maxcount = NFS4_READDIR_MAXCOUNT;
	rd->attr_request.bitmap4_len = 2;
	rd->attr_request.bitmap4_val = mask;
	memset(&args, 0, sizeof(args));
	args.argarray.argarray_len = (u_int)(fill.i + 1);
	args.argarray.argarray_val = ops;
	if (rpc_nfs4_compound_async(
		nfs_get_rpc_context(nfs), round_done, &args, r) != 0) {
		rc = -EIO;
		goto out;
	}
	r->queued = 1;
	while (!r->done) {
		if (now_s() >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		pfd.fd = nfs_get_fd(nfs);
		pfd.events = (short)nfs_which_events(nfs);
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			rc = -EIO;
			break;
		}
		if (nfs_service(nfs, pfd.revents) < 0) {
			if (!r->done)
				rc = -EIO;
			break;
		}
	}
out:
	free(ops);
	return rc;
}

int
nfs4_readdir_list(struct nfs_context *nfs, const char *export, const char *path,
    struct nfs4_dir **out)
{
	struct nfs4_dir *dir = NULL;
	struct round *r = NULL;
	double deadline = now_s() + NFS4_READDIR_DEADLINE_S;
	double call_s =
	    nfs_get_timeout(nfs) > 0 ? nfs_get_timeout(nfs) / 1e3 : 60.0;
	int restarts = 0, rc;

	*out = NULL;
	if (nfs4_readdir_compound_size(
		export, path, NFS4_READDIR_MAX_COMPOUND) < 0) {
		rc = -ENOTSUP;
		goto out;
	}
	if ((dir = nfs4_dir_new()) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	r->dir = dir;
	for (;;) {
		if (now_s() >= deadline) {
			rc = -ETIME;
			goto out;
		}
		r->queued = 0;
		r->done = 0;
		if ((rc = run_round(nfs, export, path, r, call_s)) < 0) {
			if (r->queued && !r->done) {
				/* Still queued: the callback frees it. */
				r->abandoned = 1;
				r = NULL;
			}
			goto out;
		}
		if (r->status == NFS4ERR_BAD_COOKIE ||
		    r->status == NFS4ERR_NOT_SAME) {
			/* The directory changed under us: from the start. */
			if (++restarts > NFS4_READDIR_MAX_RESTARTS) {
				rc = -EAGAIN;
				goto out;
			}
			dir_clear(dir);
			r->status = 0;
			r->cookie = 0;
			memset(r->verf, 0, sizeof(r->verf));
			continue;
		}
		if (r->status != 0) {
			rc = -nfs4_readdir_status_errno(r->status);
			goto out;
		}
		if ((rc = r->err) < 0)
			goto out;
		if (r->eof)
			break;
		r->cookie = r->next;
	}
	*out = dir;
	dir = NULL;
	rc = 0;
out:
	free(r);
	nfs4_dir_free(dir);
	return rc;
}

size_t
nfs4_dir_count(const struct nfs4_dir *dir)
{
	return dir->n;
}

const char *
nfs4_dir_name(const struct nfs4_dir *dir, size_t i)
{
	return dir->entries[i].name;
}

uint64_t
nfs4_dir_ino(const struct nfs4_dir *dir, size_t i)
{
	return dir->entries[i].ino;
}

mode_t
nfs4_dir_mode(const struct nfs4_dir *dir, size_t i)
{
	return dir->entries[i].mode;
}

void
nfs4_dir_free(struct nfs4_dir *dir)
{
	if (dir == NULL)
		return;
	dir_clear(dir);
	free(dir->entries);
	free(dir);
}
