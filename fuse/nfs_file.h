/*
 * nfs_file.h: an open file of tritonnfs-fuse (fi->fh holds a pointer to
 * one), and the calls made on it.
 *
 * Over NFSv3 every call on the file goes by its handle (nfs3_raw.h); over
 * NFSv4 through libnfs, on the context that opened it (nfs_conn.h).  Shared
 * by the FUSE operations (nfs_fs.c) and the write pipeline (nfs_write.c);
 * the caller holds the context it passes.
 */
#ifndef TNFS_FUSE_NFS_FILE_H
#define TNFS_FUSE_NFS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <nfsc/libnfs.h>

#include "nfs3_raw.h"

struct nfs4_open;

/* An open file: fi->fh holds a pointer to it. */
struct nfs_file {
	struct nfsfh *fh;       /* NFSv3: what libnfs opened, or NULL */
	struct nfs4_open *open; /* NFSv4: the file's state on its context */
	int conn;        /* index of the owning context (NFSv4) */
	unsigned gen;    /* that context's generation when it was opened */
	int flags;       /* open flags, for reopening */
	int dirty;       /* written UNSTABLE since the last COMMIT */
	int wrote;       /* any WRITE went out on this open */
	int cut_pending; /* cut the file to cut (see repair_refusal) */
	uint64_t cut;
	char *path;
	/*
	 * NFSv3: every call on the file goes by its handle (nfs3_raw.h); fh
	 * is libnfs's, when libnfs opened it, freed at release.
	 */
	int raw;
	struct nfs3_fh rfh;
	int have_st; /* st: attributes CREATE returned, for the next getattr */
	struct nfs_stat_64 st;
};

/* A new file for path, opened with flags: 0, or -ENOMEM. */
int nfs_file_new(const char *path, int flags, struct nfs_file **out);

/* Frees f (not its libnfs handle: the caller closes it); NULL is a no-op. */
void nfs_file_free(struct nfs_file *f);

/* libnfs's handle for calls on f; NULL: by handle only (NFSv3). */
struct nfsfh *nfs_file_libnfs(const struct nfs_file *f);

/* Calls on an open file: 0 (or a byte count for pread), or -errno. */
int nfs_file_fstat(
    struct nfs_context *ctx, struct nfs_file *f, struct nfs_stat_64 *ns);
int nfs_file_setsize(
    struct nfs_context *ctx, struct nfs_file *f, uint64_t size);
int nfs_file_pread(struct nfs_context *ctx, struct nfs_file *f, uint64_t off,
    size_t n, char *buf);
int nfs_file_fsync(struct nfs_context *ctx, struct nfs_file *f);

#endif
