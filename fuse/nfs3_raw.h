/*
 * nfs3_raw.h: NFSv3 calls on explicit file handles.
 *
 * libnfs 4.0's file API resolves every path from the export root and
 * gives no way to use a handle it did not open itself.  These calls go out
 * on a context's RPC layer with the handles we hold (a directory's from
 * fhcache.h, a file's from CREATE), and wait for the answer as libnfs's
 * synchronous calls do (its timeout applies).  The caller holds the
 * context.  Results: 0 (or a byte count), -errno for a status the server
 * answered with (libnfs's mapping, with DQUOT as EDQUOT), or a link error
 * as libnfs gives it (-EFAULT, -EINTR, -EIO), which nfs_conn_recover
 * repairs.
 */
#ifndef TNFS_FUSE_NFS3_RAW_H
#define TNFS_FUSE_NFS3_RAW_H

#include <stddef.h>
#include <stdint.h>

struct nfs_context;
struct nfs_stat_64;

#define NFS3_RAW_FH_MAX 64 /* NFS3_FHSIZE */

struct nfs3_fh {
	size_t len;
	unsigned char val[NFS3_RAW_FH_MAX];
};

/*
 * LOOKUP name in dir: its handle and attributes (is_dir set for a
 * directory); -ENOTSUP when the server sent no attributes.
 */
int nfs3_raw_lookup(struct nfs_context *ctx, const struct nfs3_fh *dir,
    const char *name, struct nfs3_fh *fh, struct nfs_stat_64 *st);

int nfs3_raw_getattr(
    struct nfs_context *ctx, const struct nfs3_fh *fh, struct nfs_stat_64 *st);

/*
 * CREATE name in dir with mode, GUARDED (-EEXIST when it exists): the new
 * file's handle, and its attributes when the server sent them (*have_st).
 * -ENOTSUP when the server sent no handle.
 */
int nfs3_raw_create(struct nfs_context *ctx, const struct nfs3_fh *dir,
    const char *name, int mode, struct nfs3_fh *fh, struct nfs_stat_64 *st,
    int *have_st);

/* READ up to count bytes at off into buf: the bytes read (0 at the end). */
int nfs3_raw_read(struct nfs_context *ctx, const struct nfs3_fh *fh,
    uint64_t off, size_t count, char *buf);

int nfs3_raw_setsize(
    struct nfs_context *ctx, const struct nfs3_fh *fh, uint64_t size);
int nfs3_raw_commit(struct nfs_context *ctx, const struct nfs3_fh *fh);

/* The errno (negative) for an nfsstat3 the server answered with. */
int nfs3_raw_status_errno(int status);

#endif
