/*
 * nfs_fs_open.c: open files of the FUSE file system: open and create,
 * read, write (through the pipeline of nfs_write.h), flush, fsync and
 * release (see nfs_fs_impl.h).
 *
 * NFSv3 file handles are plain server handles that survive a remount, so
 * an open file may use any context; an NFSv4 open belongs to the client id
 * of the context that made it, so an open file stays with that context,
 * shares the file's open state there with its other opens (nfs4_open.h),
 * and is reopened by path after a remount.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "log.h"
#include "nfs3_raw.h"
#include "nfs_conn.h"
#include "nfs_file.h"
#include "nfs_fs.h"
#include "nfs_fs_impl.h"
#include "nfs_write.h"

/*
 * Create path over NFSv3 for f.  Most creates make a new file, so first a
 * GUARDED CREATE by the parent directory's cached handle: one round trip
 * that brings the new handle and attributes (libnfs's nfs_create walks to
 * the parent from the root, LOOKUPs the new name again, and turns O_TRUNC
 * into a SETATTR).  When the name exists (and O_EXCL was not asked), or the
 * handle is not usable, libnfs creates it as before.
 */
static int
create_v3(struct nfs_context *ctx, const char *path, int flags, int mode,
    struct nfs_file *f)
{
	struct nfs3_fh dir;
	const char *name;
	int rc, exists = 0;

	if ((rc = nfs_fs_parent_handle(ctx, path, &dir, &name)) < 0)
		return rc;
	if (rc == 1) {
		rc = nfs3_raw_create(
		    ctx, &dir, name, mode, &f->rfh, &f->st, &f->have_st);
		if (rc == 0) {
			f->raw = 1;
			return 0;
		}
		if (rc == -EEXIST && !(flags & O_EXCL))
			exists = 1;
		else if (nfs_fs_name_answer(path, rc))
			return rc;
	}
	if ((flags & O_EXCL) || exists)
		return nfs_create(ctx, path, flags, mode, &f->fh);
	rc = nfs_create(ctx, path, (flags | O_EXCL) & ~O_TRUNC, mode, &f->fh);
	if (rc == -EEXIST)
		rc = nfs_create(ctx, path, flags, mode, &f->fh);
	return rc;
}

/* f was opened by libnfs over NFSv3: make its calls go by handle. */
static void
file_by_handle(struct nfs_file *f)
{
	const struct nfs_fh *fh = nfs_get_fh(f->fh);

	if (fh == NULL || fh->len <= 0 || (size_t)fh->len > NFS3_RAW_FH_MAX)
		return; /* libnfs's calls then, as over NFSv4 */
	f->rfh.len = (size_t)fh->len;
	memcpy(f->rfh.val, fh->val, f->rfh.len);
	f->raw = 1;
}

/*
 * Open or create path.  libnfs 4.0 fails an NFSv4 OPEN with O_TRUNC of an
 * existing file (NFS4ERR_EXIST), so the truncation is a separate call.
 */
static int
open_common(
    const char *path, int create, mode_t mode, struct fuse_file_info *fi)
{
	struct nfs_file *f = NULL;
	struct nfs_conn *c;
	struct nfs_context *ctx;
	int flags = fi->flags &
	    (O_ACCMODE | O_APPEND | O_TRUNC | O_EXCL | O_SYNC | O_DSYNC);
	int v4 = nfs_pool_version(nfs_fs_config()->pool) == 4;
	int rc, tries = 0;

	if (nfs_fs_config()->ro &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) || create))
		return -EROFS;
	if (create)
		flags |= O_CREAT;
	if ((rc = nfs_file_new(path, flags, &f)) != 0)
		return rc;
	if ((c = nfs_fs_take(&rc)) == NULL) {
		rc = -nfs_conn_errno(rc);
		goto out;
	}
	do {
		int oflags = v4 ? flags & ~O_TRUNC : flags;

		ctx = nfs_conn_ctx(c);
		if (create && !v4)
			rc = create_v3(
			    ctx, path, oflags, (int)(mode & 07777), f);
		else if (v4)
			rc = nfs_fs_open4(c, f, path, oflags,
			    create ? (int)(mode & 07777) : -1);
		else
			rc = nfs_open(ctx, path, oflags, &f->fh);
		/* libnfs 4.0 creates NFSv4 files 0600, whatever was asked. */
		if (rc == 0 && v4 && create)
			rc = nfs_fchmod(ctx, nfs_file_libnfs(f),
			    (int)(mode & 07777));
		if (rc == 0 && v4 && (flags & O_TRUNC))
			rc = nfs_ftruncate(ctx, nfs_file_libnfs(f), 0);
		if (rc != 0 && v4)
			nfs_fs_close4(c, f);
	} while (nfs_fs_again(c, rc, &tries));
	if (rc == 0 && !v4 && !f->raw)
		file_by_handle(f);
	if (rc == 0) {
		fi->fh = (uint64_t)(uintptr_t)f;
		/* Other hosts may have changed it: drop cached pages. */
		fi->keep_cache = 0;
		f = NULL;
	}
	rc = nfs_fs_result(c, rc);
out:
	nfs_file_free(f);
	return rc;
}

int
nfs_fs_open(const char *path, struct fuse_file_info *fi)
{
	return open_common(path, 0, 0, fi);
}

int
nfs_fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	return open_common(path, 1, mode, fi);
}

int
nfs_fs_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct nfs_file *f = nfs_fs_file_of(fi);
	uint64_t chunk = nfs_pool_readmax(nfs_fs_config()->pool);
	size_t done = 0;
	struct nfs_conn *c;
	int rc = 0, tries = 0;

	(void)path;
	if (off < 0)
		return -EINVAL;
	if (chunk == 0 || chunk > NFS_FS_MAX_IO)
		chunk = NFS_FS_MAX_IO;
	if ((c = nfs_fs_file_take(f, &rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	while (done < size) {
		size_t want = size - done < chunk ? size - done : chunk;

		rc = nfs_file_pread(
		    nfs_conn_ctx(c), f, (uint64_t)off + done, want, buf + done);
		if (rc < 0) {
			if (nfs_fs_file_again(c, f, rc, &tries))
				continue;
			break;
		}
		done += (size_t)rc;
		if ((size_t)rc < want)
			break; /* end of file */
	}
	if (rc < 0 && done == 0)
		return nfs_fs_result(c, rc);
	nfs_conn_release(c);
	return (int)done;
}

/*
 * O_SYNC over NFSv4: the writes through a file's shared handle are
 * UNSTABLE, so a COMMIT puts them on stable storage before write(2)
 * returns.
 */
static int
commit_sync(struct nfs_conn *c, struct nfs_file *f)
{
	int rc;

	if (f->open == NULL || !(f->flags & (O_SYNC | O_DSYNC)))
		return 0;
	if ((rc = nfs_file_fsync(nfs_conn_ctx(c), f)) == 0)
		f->dirty = 0;
	return rc;
}

int
nfs_fs_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct nfs_fs_cfg *cfg = nfs_fs_config();
	struct nfs_file *f = nfs_fs_file_of(fi);
	uint64_t chunk = nfs_write_chunk(
	    nfs_pool_writemax(cfg->pool), nfs_pool_version(cfg->pool));
	struct nfs_stat_64 st;
	int64_t pre = -1;
	size_t done = 0;
	struct nfs_conn *c;
	int rc = 0, tries = 0, sync, written, refused;

	(void)path;
	if (cfg->ro)
		return -EROFS;
	if (off < 0)
		return -EINVAL;
	f->have_st = 0; /* the attributes CREATE sent are old now */
	if ((c = nfs_fs_file_take(f, &rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	(void)nfs_write_cut_pending(nfs_conn_ctx(c), f);
	/* Several chunks at once can leave a hole when one is refused. */
	if (size > chunk && nfs_file_fstat(nfs_conn_ctx(c), f, &st) == 0)
		pre = (int64_t)st.nfs_size;
	sync = nfs_write_sync(nfs_pool_version(cfg->pool), f->wrote,
	    (f->flags & O_SYNC) != 0, size, chunk);
	f->wrote = 1;
	if (nfs_write_pipelined(nfs_conn_ctx(c), f, (uint64_t)off, buf, size,
		chunk, sync, pre, &written) == 0) {
		if (written > 0 && (rc = commit_sync(c, f)) != 0)
			return nfs_fs_result(c, rc);
		nfs_conn_release(c);
		return written;
	}
	/*
	 * The link failed (or a WRITE was short): redo the range in order, one
	 * chunk at a time, remounting once if need be.  WRITE is idempotent.
	 */
	while (done < size) {
		size_t want = size - done < chunk ? size - done : chunk;

		rc = nfs_write_ordered(nfs_conn_ctx(c), f, (uint64_t)off + done,
		    buf + done, want, &refused);
		if (rc < 0 && refused)
			break;
		if (rc < 0) {
			if (nfs_fs_file_again(c, f, rc, &tries))
				continue;
			break;
		}
		done += want;
	}
	if (rc < 0 && done == 0)
		return nfs_fs_result(c, rc);
	if ((rc = commit_sync(c, f)) != 0)
		return nfs_fs_result(c, rc);
	nfs_conn_release(c);
	return (int)done;
}

/* COMMIT what was written, so errors (EDQUOT, ENOSPC) reach close(2). */
static int
file_commit(struct nfs_file *f)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if ((c = nfs_fs_file_take(f, &rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	(void)nfs_write_cut_pending(nfs_conn_ctx(c), f);
	do
		rc = nfs_file_fsync(nfs_conn_ctx(c), f);
	while (nfs_fs_file_again(c, f, rc, &tries));
	if (rc == 0)
		f->dirty = 0;
	return nfs_fs_result(c, rc);
}

int
nfs_fs_flush(const char *path, struct fuse_file_info *fi)
{
	struct nfs_file *f = nfs_fs_file_of(fi);

	(void)path;
	return f->dirty || f->cut_pending ? file_commit(f) : 0;
}

int
nfs_fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	return file_commit(nfs_fs_file_of(fi));
}

int
nfs_fs_release(const char *path, struct fuse_file_info *fi)
{
	struct nfs_file *f = nfs_fs_file_of(fi);
	struct nfs_conn *c;
	int rc;

	(void)path;
	if ((c = nfs_fs_file_take(f, &rc)) != NULL) {
		/*
		 * Written after the last flush (mmap): COMMIT, as libnfs's
		 * nfs_close did for writes that went through it.
		 */
		if (f->dirty && f->raw &&
		    nfs_file_fsync(nfs_conn_ctx(c), f) != 0)
			log_warn("%s: COMMIT at close failed (%s)", f->path,
			    nfs_get_error(nfs_conn_ctx(c)));
		if (nfs_write_cut_pending(nfs_conn_ctx(c), f) != 0)
			log_warn("%s: closed with bytes past offset %llu left "
				 "by a refused write (%s)",
			    f->path, (unsigned long long)f->cut,
			    nfs_get_error(nfs_conn_ctx(c)));
		if (f->fh != NULL)
			nfs_close(nfs_conn_ctx(c), f->fh);
		nfs_fs_close4(c, f);
		nfs_conn_release(c);
	} else if (f->open != NULL &&
		   (c = nfs_pool_hold(nfs_fs_config()->pool, f->conn)) !=
		       NULL) {
		/* Not remounted: the state died with its context. */
		nfs_fs_close4(c, f);
		nfs_conn_release(c);
	}
	nfs_file_free(f);
	return 0;
}
