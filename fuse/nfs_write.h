/*
 * nfs_write.h: the write pipeline of tritonnfs-fuse.
 *
 * A FUSE write goes out as many WRITEs in flight at once on the context
 * the caller holds.  When the server refuses one (quota, space), what was
 * written is made contiguous again (the hole filled, or the file cut back)
 * and the caller learns how much stands in order; when the link fails,
 * the caller remounts and redoes the range in order with
 * nfs_write_ordered (WRITE is idempotent).
 */
#ifndef TNFS_FUSE_NFS_WRITE_H
#define TNFS_FUSE_NFS_WRITE_H

#include <stddef.h>
#include <stdint.h>

struct nfs_context;
struct nfs_file;

/*
 * NFSv4 WRITEs are limited by libnfs < 5: the whole COMPOUND must fit in its
 * 4096-byte encode buffer, and 3072 bytes of data was measured to fit with
 * room for the RPC header, AUTH_SYS credentials and a 128-byte handle.
 */
#define NFS_WRITE_V4_SMALL 3072

/* The WRITE size used for a server limit wmax and NFS version. */
uint64_t nfs_write_chunk(uint64_t wmax, int nfsvers);

/*
 * Whether a WRITE of size bytes (chunk: the WRITE size) goes out FILE_SYNC:
 * over NFSv3, the first write of an open when it fits one WRITE of at most
 * NFS_WRITE_SYNC_MAX (a small file written at once, the common case for
 * uploads and cache files), and every write of an O_SYNC open.  Such a
 * file needs no COMMIT at close: the server wrote it to stable storage
 * before answering, and a refusal (EDQUOT, ENOSPC) reaches write(2).  Later
 * writes go UNSTABLE and are COMMITted at close as before, so a file
 * written in many small pieces costs at most one extra server sync.
 */
#define NFS_WRITE_SYNC_MAX (64 * 1024)
int nfs_write_sync(
    int nfsvers, int wrote, int o_sync, size_t size, uint64_t chunk);

/*
 * Write size bytes of buf at off into f, in WRITEs of chunk bytes, all in
 * flight at once (sync: ask for FILE_SYNC over NFSv3).  pre is f's size
 * before the write (-1 unknown), what a refused write is cut back to.
 * 0 with *written the write(2) result (size; or, after a refusal, the
 * bytes written in order, or -errno when none were): the caller returns
 * it.  Otherwise -errno: the link failed (or a WRITE was short), and the
 * caller redoes the range with nfs_write_ordered.
 */
int nfs_write_pipelined(struct nfs_context *ctx, struct nfs_file *f,
    uint64_t off, const char *buf, size_t size, size_t chunk, int sync,
    int64_t pre, int *written);

/*
 * Write n bytes (one WRITE, UNSTABLE) at off: 0, or -errno with *refused
 * set when the server answered with that status (no remount changes it).
 */
int nfs_write_ordered(struct nfs_context *ctx, struct nfs_file *f, uint64_t off,
    const char *buf, size_t n, int *refused);

/*
 * Cut f back to where a refused write left junk past it (f->cut): 0 when
 * done or nothing was pending, else -errno (retried before the next write
 * and at flush).
 */
int nfs_write_cut_pending(struct nfs_context *ctx, struct nfs_file *f);

#endif
