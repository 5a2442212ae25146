/*
 * nfs_fs_dir.c: names, attributes and listings for the FUSE file system
 * (see nfs_fs_impl.h).
 *
 * Over NFSv3 a lookup goes by the parent directory's cached handle
 * (fhcache.h): one LOOKUP instead of libnfs's walk from the export root.
 * Over NFSv4 listings go through our own bounded READDIR (nfs4_readdir.h).
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

#include "fhcache.h"
#include "log.h"
#include "nfs3_raw.h"
#include "nfs4_readdir.h"
#include "nfs_conn.h"
#include "nfs_file.h"
#include "nfs_fs.h"
#include "nfs_fs_impl.h"
#include "timefmt.h"

static uint64_t
now_ms(void)
{
	return (uint64_t)tnfs_mono_ms();
}

/*
 * The handle of directory dir (an absolute path; "" is the root) into fh:
 * from the cache, or looked up from its parent's (recursively, so from the
 * deepest cached directory above it).  1 when found; 0 when libnfs's path
 * walk handles it better (a symlink on the way, no attributes); -errno.
 */
static int
dir_handle(struct nfs_context *ctx, const char *dir, struct nfs3_fh *fh)
{
	struct fhcache *cache = nfs_fs_config()->dirs;
	uint64_t gen = fhcache_gen(cache);
	const struct nfs_fh *root;
	struct nfs_stat_64 st;
	struct nfs3_fh parent;
	unsigned char buf[FHCACHE_FH_MAX];
	char part[PATH_MAX];
	size_t n, at;
	int rc;

	if (dir[0] == '\0') {
		root = nfs_get_rootfh(ctx);
		if (root == NULL || root->len <= 0 ||
		    (size_t)root->len > NFS3_RAW_FH_MAX)
			return 0;
		fh->len = (size_t)root->len;
		memcpy(fh->val, root->val, fh->len);
		return 1;
	}
	n = fhcache_get(cache, dir, now_ms(), buf);
	if (n > 0 && n <= NFS3_RAW_FH_MAX) {
		fh->len = n;
		memcpy(fh->val, buf, n);
		return 1;
	}
	if ((n = strlen(dir)) >= sizeof(part))
		return 0;
	memcpy(part, dir, n + 1);
	at = n;
	while (at > 0 && part[at] != '/')
		at--;
	part[at] = '\0';
	if ((rc = dir_handle(ctx, part, &parent)) <= 0)
		return rc;
	if ((rc = nfs3_raw_lookup(ctx, &parent, dir + at + 1, fh, &st)) != 0)
		return rc == -ENOTSUP ? 0 : rc;
	if (!S_ISDIR((mode_t)st.nfs_mode))
		return 0;
	(void)fhcache_put(cache, dir, fh->val, fh->len, now_ms(), gen);
	return 1;
}

/*
 * The handle of path's parent directory, and where its last name starts:
 * 1 when found, 0 when libnfs's path calls must do it (no cache, the
 * root, a long path, a symlink on the way), or a link error.  A stale
 * handle is forgotten (0).
 */
int
nfs_fs_parent_handle(struct nfs_context *ctx, const char *path,
    struct nfs3_fh *fh, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t n;
	int rc;

	if (nfs_fs_config()->dirs == NULL || slash == NULL ||
	    slash[1] == '\0' || path[0] != '/')
		return 0;
	if ((n = (size_t)(slash - path)) >= sizeof(dir))
		return 0;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if ((rc = dir_handle(ctx, dir, fh)) < 0 && !nfs_conn_is_link_error(rc))
		rc = 0;
	*name = slash + 1;
	return rc;
}

/*
 * After a handle call on a cached parent failed with rc: 1 when rc is the
 * server's answer about the name (the caller returns it), 0 when the
 * handle may be stale (forgotten; the caller lets libnfs walk).  Link
 * errors are the caller's to retry.
 */
int
nfs_fs_name_answer(const char *path, int rc)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (rc == -ENOENT || rc == -EACCES || rc == -ENAMETOOLONG ||
	    rc == -EEXIST || rc == -EDQUOT || rc == -ENOSPC || rc == -EROFS ||
	    nfs_conn_is_link_error(rc))
		return 1;
	if (slash != NULL && (n = (size_t)(slash - path)) < sizeof(dir)) {
		memcpy(dir, path, n);
		dir[n] = '\0';
		nfs_fs_forget_dir(dir[0] != '\0' ? dir : "/");
	}
	return 0;
}

/*
 * lstat path over NFSv3 with one LOOKUP in its parent's cached handle:
 * 0 with *ns, -errno, or -ENOTSUP when libnfs's path walk must answer.
 */
static int
lstat_v3(struct nfs_context *ctx, const char *path, struct nfs_stat_64 *ns)
{
	struct nfs3_fh dir, fh;
	const char *name;
	int rc;

	if ((rc = nfs_fs_parent_handle(ctx, path, &dir, &name)) <= 0)
		return rc == 0 ? -ENOTSUP : rc;
	rc = nfs3_raw_lookup(ctx, &dir, name, &fh, ns);
	if (rc == 0 || nfs_fs_name_answer(path, rc))
		return rc;
	return -ENOTSUP;
}

int
nfs_fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct nfs_stat_64 ns;
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fi != NULL && fi->fh != 0) {
		struct nfs_file *f = nfs_fs_file_of(fi);

		if (f->have_st) {
			/* libfuse asks right after the CREATE that sent them. */
			f->have_st = 0;
			nfs_fs_to_stat(&f->st, st);
			return 0;
		}
		if ((c = nfs_fs_file_take(f, &rc)) == NULL)
			return nfs_fs_result(NULL, rc);
		do
			rc = nfs_file_fstat(nfs_conn_ctx(c), f, &ns);
		while (nfs_fs_file_again(c, f, rc, &tries));
	} else {
		if ((c = nfs_fs_take(&rc)) == NULL)
			return nfs_fs_result(NULL, rc);
		do {
			rc = -ENOTSUP;
			if (nfs_pool_version(nfs_fs_config()->pool) == 3)
				rc = lstat_v3(nfs_conn_ctx(c), path, &ns);
			if (rc == -ENOTSUP)
				rc = nfs_lstat64(nfs_conn_ctx(c), path, &ns);
		} while (nfs_fs_again(c, rc, &tries));
	}
	if (rc == 0)
		nfs_fs_to_stat(&ns, st);
	return nfs_fs_result(c, rc);
}

int
nfs_fs_readlink(const char *path, char *buf, size_t size)
{
	struct nfs_conn *c;
	char *target = NULL;
	int rc, tries = 0;
	size_t len;

	if (size == 0)
		return -EINVAL;
	if ((c = nfs_fs_take(&rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	do {
		free(target);
		target = NULL;
		rc = nfs_readlink2(nfs_conn_ctx(c), path, &target);
	} while (nfs_fs_again(c, rc, &tries));
	if (rc == 0 && target != NULL) {
		/* FUSE wants it NUL-terminated, truncated to fit. */
		len = strlen(target);
		if (len >= size)
			len = size - 1;
		memcpy(buf, target, len);
		buf[len] = '\0';
	}
	free(target);
	return nfs_fs_result(c, rc);
}

static mode_t
type_bits(uint32_t nfs_type)
{
	/* NF3* and NF4* share these numbers. */
	static const mode_t bits[] = {
	    0, S_IFREG, S_IFDIR, S_IFBLK, S_IFCHR, S_IFLNK, S_IFSOCK, S_IFIFO};

	return nfs_type < sizeof(bits) / sizeof(bits[0]) ? bits[nfs_type] : 0;
}

uint64_t
nfs_fs_dirent_ino(uint64_t inode, int nfsvers)
{
#ifndef HAVE_LIBNFS_V4_READDIR_INO
	if (nfsvers == 4)
		return NFS_FS_INO_UNKNOWN;
#else
	(void)nfsvers;
#endif
	return inode != 0 ? inode : NFS_FS_INO_UNKNOWN;
}

/* "." and "..": their numbers are not ours to give, but never 0. */
static void
fill_dots(void *buf, fuse_fill_dir_t filler)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR;
	st.st_ino = 1;
	filler(buf, ".", &st, 0, 0);
	filler(buf, "..", &st, 0, 0);
}

/*
 * List path over NFSv4 with our own READDIR (nfs4_readdir.h), which gives
 * the entries' inode numbers and is bounded: 0 when listed, -ENOTSUP when
 * the listing must go through libnfs instead, or -errno.
 */
static int
readdir_v4(
    struct nfs_conn *c, const char *path, void *buf, fuse_fill_dir_t filler)
{
	const char *export = nfs_fs_config()->export;
	struct nfs4_dir *dir = NULL;
	struct stat st;
	uint64_t ino;
	size_t i;
	int rc, tries = 0;

	if (export == NULL)
		return -ENOTSUP;
	do
		rc = nfs4_readdir_list(nfs_conn_ctx(c), export, path, &dir);
	while (nfs_fs_again(c, rc, &tries));
	if (rc == -EPROTO || rc == -EFBIG || rc == -ETIME || rc == -EAGAIN)
		/* The listing's bounds (nfs4_readdir.h): the server's doing. */
		log_warn(
		    "listing %s over NFSv4 failed: %s", path, strerror(-rc));
	if (rc != 0)
		return rc;
	/* Offset 0 throughout: libfuse buffers the whole listing. */
	fill_dots(buf, filler);
	for (i = 0; i < nfs4_dir_count(dir); i++) {
		memset(&st, 0, sizeof(st));
		ino = nfs4_dir_ino(dir, i);
		st.st_ino = (ino_t)(ino != 0 ? ino : NFS_FS_INO_UNKNOWN);
		st.st_mode = nfs4_dir_mode(dir, i);
		if (filler(buf, nfs4_dir_name(dir, i), &st, 0, 0) != 0)
			break;
	}
	nfs4_dir_free(dir);
	return 0;
}

int
nfs_fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct nfsdir *dir = NULL;
	struct nfsdirent *de;
	struct nfs_conn *c;
	struct stat st;
	int rc, tries = 0, vers = nfs_pool_version(nfs_fs_config()->pool);

	(void)off;
	(void)fi;
	if ((c = nfs_fs_take(&rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	if (vers == 4 && (rc = readdir_v4(c, path, buf, filler)) != -ENOTSUP)
		return nfs_fs_result(c, rc);
	do
		rc = nfs_opendir(nfs_conn_ctx(c), path, &dir);
	while (nfs_fs_again(c, rc, &tries));
	if (rc != 0)
		return nfs_fs_result(c, rc);
	/* Offset 0 throughout: libfuse buffers the whole listing. */
	fill_dots(buf, filler);
	while ((de = nfs_readdir(nfs_conn_ctx(c), dir)) != NULL) {
		enum fuse_fill_dir_flags fill = 0;

		if (strcmp(de->name, ".") == 0 || strcmp(de->name, "..") == 0)
			continue;
		memset(&st, 0, sizeof(st));
		st.st_ino = (ino_t)nfs_fs_dirent_ino(de->inode, vers);
		st.st_mode = (mode_t)(de->mode & 07777) | type_bits(de->type);
		if ((flags & FUSE_READDIR_PLUS) && de->nlink > 0) {
			/*
			 * READDIRPLUS brought the attributes along; libfuse
			 * looks each entry up (GETATTR) for its inode.
			 */
			st.st_nlink = de->nlink;
			st.st_uid = de->uid;
			st.st_gid = de->gid;
			st.st_size = (off_t)de->size;
			st.st_blksize = (blksize_t)de->blksize;
			st.st_blocks = (blkcnt_t)de->blocks;
			st.st_rdev = (dev_t)de->rdev;
			st.st_atim.tv_sec = de->atime.tv_sec;
			st.st_atim.tv_nsec = (long)de->atime_nsec;
			st.st_mtim.tv_sec = de->mtime.tv_sec;
			st.st_mtim.tv_nsec = (long)de->mtime_nsec;
			st.st_ctim.tv_sec = de->ctime.tv_sec;
			st.st_ctim.tv_nsec = (long)de->ctime_nsec;
			fill = FUSE_FILL_DIR_PLUS;
		}
		if (filler(buf, de->name, &st, 0, fill) != 0)
			break;
	}
	nfs_closedir(nfs_conn_ctx(c), dir);
	return nfs_fs_result(c, 0);
}
