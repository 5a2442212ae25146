/*
 * nfs_fs_impl.h: what the files of the FUSE file system share, and
 * nothing else includes (nfs_fs.c: the context helpers, the tree-changing
 * path operations, the operations table; nfs_fs_dir.c: directory
 * handles, attributes and listings; nfs_fs_open.c: open files, reads and
 * writes).
 *
 * Every operation has the same skeleton: nfs_fs_take (or
 * nfs_fs_file_take for an open file) a context speaking as the caller,
 * call libnfs in a loop while nfs_fs_again (nfs_fs_file_again) says a
 * remount repaired the link, and return nfs_fs_result, which gives the
 * context back and turns the result into -errno for FUSE.
 */
#ifndef TNFS_FUSE_NFS_FS_IMPL_H
#define TNFS_FUSE_NFS_FS_IMPL_H

#include <sys/stat.h>

#include <nfsc/libnfs.h>

#include "libnfs_private.h"
#include "nfs3_raw.h"
#include "nfs_fs.h"

struct nfs_conn;
struct nfs_file;

/* The mount's configuration (fuse_new's private_data). */
struct nfs_fs_cfg *nfs_fs_config(void);

/* A free context, speaking as the caller; NULL with *rc on failure. */
struct nfs_conn *nfs_fs_take(int *rc);

/*
 * Whether to retry a call that returned rc: once (*tries counts), and only
 * after a link error that a remount repaired.  Logs failures that say
 * something about the server or the link.
 */
int nfs_fs_again(struct nfs_conn *c, int rc, int *tries);

/* Give c back (NULL: none was taken) and return rc as -errno. */
int nfs_fs_result(struct nfs_conn *c, int rc);

struct nfs_file *nfs_fs_file_of(const struct fuse_file_info *fi);

/*
 * The context for calls on f, speaking as the caller: any over NFSv3, the
 * one that opened it over NFSv4 (reopened there after a remount).
 */
struct nfs_conn *nfs_fs_file_take(struct nfs_file *f, int *rc);

/*
 * NFSv4: open path on c for f (mode >= 0: create it with that mode), which
 * then shares the file's open state on c with its other open files
 * (nfs4_open.h) and drops the state it held.  0 or -errno.
 */
int nfs_fs_open4(struct nfs_conn *c, struct nfs_file *f, const char *path,
    int flags, int mode);

/* NFSv4: f drops its open state; the last holder CLOSEs it. */
void nfs_fs_close4(struct nfs_conn *c, struct nfs_file *f);

/* nfs_fs_again for calls on an open file (reopens it over NFSv4). */
int nfs_fs_file_again(
    struct nfs_conn *c, struct nfs_file *f, int rc, int *tries);

void nfs_fs_to_stat(const struct nfs_stat_64 *ns, struct stat *st);

/* A path changed through this mount: its cached handles are wrong now. */
void nfs_fs_forget_dir(const char *path);

/*
 * The handle of path's parent directory, and where its last name starts:
 * 1 when found, 0 when libnfs's path calls must do it (no cache, the
 * root, a long path, a symlink on the way), or a link error.  A stale
 * handle is forgotten (0).
 */
int nfs_fs_parent_handle(struct nfs_context *ctx, const char *path,
    struct nfs3_fh *fh, const char **name);

/*
 * After a handle call on a cached parent failed with rc: 1 when rc is the
 * server's answer about the name (the caller returns it), 0 when the
 * handle may be stale (forgotten; the caller lets libnfs walk).  Link
 * errors are the caller's to retry.
 */
int nfs_fs_name_answer(const char *path, int rc);

/* nfs_fs_dir.c */
int nfs_fs_getattr(
    const char *path, struct stat *st, struct fuse_file_info *fi);
int nfs_fs_readlink(const char *path, char *buf, size_t size);
int nfs_fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
    off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags);

/* nfs_fs_open.c */
int nfs_fs_open(const char *path, struct fuse_file_info *fi);
int nfs_fs_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int nfs_fs_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi);
int nfs_fs_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi);
int nfs_fs_flush(const char *path, struct fuse_file_info *fi);
int nfs_fs_fsync(const char *path, int datasync, struct fuse_file_info *fi);
int nfs_fs_release(const char *path, struct fuse_file_info *fi);

#endif
