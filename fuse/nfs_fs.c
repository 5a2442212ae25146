/*
 * nfs_fs.c: FUSE operations over libnfs (see nfs_fs.h).
 *
 * Each operation takes a context from the pool, makes its libnfs calls
 * with the caller's identity, and gives the context back.  A call that
 * fails because the link broke is retried once after the context was
 * remounted (nfs_conn_recover).  NFSv3 file handles are plain server
 * handles that survive a remount, so an open file may use any context;
 * an NFSv4 open belongs to the client id of the context that made it, so
 * an open file stays with that context and is reopened by path after a
 * remount.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "fhcache.h"
#include "log.h"
#include "nfs3_raw.h"
#include "nfs4_readdir.h"
#include "nfs_conn.h"
#include "nfs_fs.h"

/*
 * libnfs 4.0 declares struct nfs_fh (what nfs_get_fh returns) but keeps
 * its definition private; this is it (libnfs-private.h), unchanged since
 * libnfs 1.x.
 */
struct nfs_fh {
	int len;
	char *val;
};

/* The export root's handle: exported by libnfs 4.0, declared privately. */
const struct nfs_fh *nfs_get_rootfh(struct nfs_context *nfs);

/* An open file: fi->fh holds a pointer to it. */
struct nfs_file {
	struct nfsfh *fh;
	int conn;        /* index of the owning context (NFSv4) */
	unsigned gen;    /* that context's generation when fh was opened */
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

static struct nfs_fs_cfg *
fs_cfg(void)
{
	return fuse_get_context()->private_data;
}

static void
set_caller(struct nfs_conn *c)
{
	struct fuse_context *fc = fuse_get_context();

	nfs_conn_set_cred(c, (long)fc->uid, (long)fc->gid);
}

/* A free context, speaking as the caller. */
static struct nfs_conn *
take(int *rc)
{
	struct nfs_conn *c = nfs_pool_acquire(fs_cfg()->pool, rc);

	if (c != NULL)
		set_caller(c);
	return c;
}

/*
 * Whether to retry a call that returned rc: once, and only after a link
 * error that a remount repaired.
 */
/*
 * Errors a program expects (ENOENT, EEXIST, EACCES, ...) are its business;
 * the others say something about the server or the link, so they are
 * logged with libnfs's description.
 */
static void
log_failure(struct nfs_conn *c, int rc)
{
	switch (-rc) {
	case EIO:
	case EINVAL:
	case ERANGE:
	case EFAULT:
	case EINTR:
	case ESTALE:
		log_warn("NFS call failed: %s (%s)", strerror(-rc),
		    nfs_get_error(nfs_conn_ctx(c)));
		break;
	default:
		break;
	}
}

static int
again(struct nfs_conn *c, int rc, int *tries)
{
	if (rc < 0 && nfs_conn_ctx(c) != NULL)
		log_failure(c, rc);
	if (rc >= 0 || (*tries)++ > 0 || !nfs_conn_recover(c, rc))
		return 0;
	set_caller(c);
	return 1;
}

static int
result(struct nfs_conn *c, int rc)
{
	int errnum = nfs_conn_errno_of(c, rc);

	if (c != NULL)
		nfs_conn_release(c);
	return -errnum;
}

static struct nfs_file *
file_of(const struct fuse_file_info *fi)
{
	return (struct nfs_file *)(uintptr_t)fi->fh;
}

/* Reopen f on its context after a remount: its NFSv4 state died. */
static int
file_reopen(struct nfs_conn *c, struct nfs_file *f)
{
	struct nfsfh *fh;
	int rc;

	rc = nfs_open(nfs_conn_ctx(c), f->path,
	    f->flags & ~(O_CREAT | O_EXCL | O_TRUNC), &fh);
	if (rc < 0)
		return rc;
	/* Frees the old handle; the server no longer knows its state. */
	nfs_close(nfs_conn_ctx(c), f->fh);
	f->fh = fh;
	f->gen = nfs_conn_gen(c);
	return 0;
}

/* The context for calls on f, speaking as the caller. */
static struct nfs_conn *
file_take(struct nfs_file *f, int *rc)
{
	struct nfs_fs_cfg *cfg = fs_cfg();
	struct nfs_conn *c;

	if (nfs_pool_version(cfg->pool) == 3)
		return take(rc);
	if ((c = nfs_pool_lock(cfg->pool, f->conn, rc)) == NULL)
		return NULL;
	set_caller(c);
	if (nfs_conn_gen(c) != f->gen && (*rc = file_reopen(c, f)) < 0) {
		nfs_conn_release(c);
		return NULL;
	}
	return c;
}

/* again() for calls on an open file. */
static int
file_again(struct nfs_conn *c, struct nfs_file *f, int rc, int *tries)
{
	if (!again(c, rc, tries))
		return 0;
	if (nfs_pool_version(fs_cfg()->pool) == 4 && file_reopen(c, f) < 0)
		return 0;
	return 1;
}

/* Calls on an open file, by handle over NFSv3, through libnfs over v4. */
static int
file_fstat(struct nfs_context *ctx, struct nfs_file *f, struct nfs_stat_64 *ns)
{
	return f->raw ? nfs3_raw_getattr(ctx, &f->rfh, ns)
		      : nfs_fstat64(ctx, f->fh, ns);
}

static int
file_setsize(struct nfs_context *ctx, struct nfs_file *f, uint64_t size)
{
	return f->raw ? nfs3_raw_setsize(ctx, &f->rfh, size)
		      : nfs_ftruncate(ctx, f->fh, size);
}

static int
file_pread(struct nfs_context *ctx, struct nfs_file *f, uint64_t off, size_t n,
    char *buf)
{
	/* libnfs's READs for the handles it opened (sequential reads). */
	return f->fh == NULL ? nfs3_raw_read(ctx, &f->rfh, off, n, buf)
			     : nfs_pread(ctx, f->fh, off, n, buf);
}

static int
file_fsync(struct nfs_context *ctx, struct nfs_file *f)
{
	return f->raw ? nfs3_raw_commit(ctx, &f->rfh) : nfs_fsync(ctx, f->fh);
}

static void
to_stat(const struct nfs_stat_64 *ns, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = (dev_t)ns->nfs_dev;
	st->st_ino = (ino_t)ns->nfs_ino;
	st->st_mode = (mode_t)ns->nfs_mode;
	st->st_nlink = (nlink_t)ns->nfs_nlink;
	st->st_uid = (uid_t)ns->nfs_uid;
	st->st_gid = (gid_t)ns->nfs_gid;
	st->st_rdev = (dev_t)ns->nfs_rdev;
	st->st_size = (off_t)ns->nfs_size;
	st->st_blksize = (blksize_t)ns->nfs_blksize;
	st->st_blocks = (blkcnt_t)ns->nfs_blocks;
	st->st_atim.tv_sec = (time_t)ns->nfs_atime;
	st->st_atim.tv_nsec = (long)ns->nfs_atime_nsec;
	st->st_mtim.tv_sec = (time_t)ns->nfs_mtime;
	st->st_mtim.tv_nsec = (long)ns->nfs_mtime_nsec;
	st->st_ctim.tv_sec = (time_t)ns->nfs_ctime;
	st->st_ctim.tv_nsec = (long)ns->nfs_ctime_nsec;
}

static void *
fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->attr_timeout = NFS_FS_CACHE_SECONDS;
	cfg->entry_timeout = NFS_FS_CACHE_SECONDS;
	/* A name another host creates must show at once. */
	cfg->negative_timeout = 0;
	cfg->use_ino = 1;
	if (conn->max_write < NFS_FS_MAX_IO)
		conn->max_write = NFS_FS_MAX_IO;
	if (conn->max_readahead < NFS_FS_MAX_IO)
		conn->max_readahead = NFS_FS_MAX_IO;
	/* Without it every stat walks from the root, as before. */
	fs_cfg()->dirs = fhcache_new(
	    NFS_FS_DIR_CACHE, (uint64_t)(NFS_FS_CACHE_SECONDS * 1000));
	return fuse_get_context()->private_data;
}

static void
fs_destroy(void *private_data)
{
	struct nfs_fs_cfg *cfg = private_data;

	fhcache_free(cfg->dirs);
	cfg->dirs = NULL;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A path changed through this mount: its cached handles are wrong now. */
static void
forget_dir(const char *path)
{
	if (fs_cfg()->dirs != NULL)
		fhcache_forget(fs_cfg()->dirs, path);
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
	struct fhcache *cache = fs_cfg()->dirs;
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
static int
parent_handle(struct nfs_context *ctx, const char *path, struct nfs3_fh *fh,
    const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t n;
	int rc;

	if (fs_cfg()->dirs == NULL || slash == NULL || slash[1] == '\0' ||
	    path[0] != '/')
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
static int
name_answer(const char *path, int rc)
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
		forget_dir(dir[0] != '\0' ? dir : "/");
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

	if ((rc = parent_handle(ctx, path, &dir, &name)) <= 0)
		return rc == 0 ? -ENOTSUP : rc;
	rc = nfs3_raw_lookup(ctx, &dir, name, &fh, ns);
	if (rc == 0 || name_answer(path, rc))
		return rc;
	return -ENOTSUP;
}

static int
fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct nfs_stat_64 ns;
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fi != NULL && fi->fh != 0) {
		struct nfs_file *f = file_of(fi);

		if (f->have_st) {
			/* libfuse asks right after the CREATE that sent them. */
			f->have_st = 0;
			to_stat(&f->st, st);
			return 0;
		}
		if ((c = file_take(f, &rc)) == NULL)
			return result(NULL, rc);
		do
			rc = file_fstat(nfs_conn_ctx(c), f, &ns);
		while (file_again(c, f, rc, &tries));
	} else {
		if ((c = take(&rc)) == NULL)
			return result(NULL, rc);
		do {
			rc = -ENOTSUP;
			if (nfs_pool_version(fs_cfg()->pool) == 3)
				rc = lstat_v3(nfs_conn_ctx(c), path, &ns);
			if (rc == -ENOTSUP)
				rc = nfs_lstat64(nfs_conn_ctx(c), path, &ns);
		} while (again(c, rc, &tries));
	}
	if (rc == 0)
		to_stat(&ns, st);
	return result(c, rc);
}

static int
fs_readlink(const char *path, char *buf, size_t size)
{
	struct nfs_conn *c;
	char *target = NULL;
	int rc, tries = 0;
	size_t len;

	if (size == 0)
		return -EINVAL;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do {
		free(target);
		target = NULL;
		rc = nfs_readlink2(nfs_conn_ctx(c), path, &target);
	} while (again(c, rc, &tries));
	if (rc == 0 && target != NULL) {
		/* FUSE wants it NUL-terminated, truncated to fit. */
		len = strlen(target);
		if (len >= size)
			len = size - 1;
		memcpy(buf, target, len);
		buf[len] = '\0';
	}
	free(target);
	return result(c, rc);
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
	const char *export = fs_cfg()->export;
	struct nfs4_dir *dir = NULL;
	struct stat st;
	uint64_t ino;
	size_t i;
	int rc, tries = 0;

	if (export == NULL)
		return -ENOTSUP;
	do
		rc = nfs4_readdir_list(nfs_conn_ctx(c), export, path, &dir);
	while (again(c, rc, &tries));
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

static int
fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct nfsdir *dir = NULL;
	struct nfsdirent *de;
	struct nfs_conn *c;
	struct stat st;
	int rc, tries = 0, vers = nfs_pool_version(fs_cfg()->pool);

	(void)off;
	(void)fi;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	if (vers == 4 && (rc = readdir_v4(c, path, buf, filler)) != -ENOTSUP)
		return result(c, rc);
	do
		rc = nfs_opendir(nfs_conn_ctx(c), path, &dir);
	while (again(c, rc, &tries));
	if (rc != 0)
		return result(c, rc);
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
	return result(c, 0);
}

static int
fs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_mknod(nfs_conn_ctx(c), path, (int)mode, (int)rdev);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_mkdir(const char *path, mode_t mode)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_mkdir2(nfs_conn_ctx(c), path, (int)(mode & 07777));
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_unlink(const char *path)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	forget_dir(path);
	do
		rc = nfs_unlink(nfs_conn_ctx(c), path);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_rmdir(const char *path)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	forget_dir(path);
	do
		rc = nfs_rmdir(nfs_conn_ctx(c), path);
	while (again(c, rc, &tries));
	/* A lookup that raced with the removal may have cached it. */
	forget_dir(path);
	/* Some servers say EEXIST for a directory that is not empty. */
	if (rc == -EEXIST)
		rc = -ENOTEMPTY;
	return result(c, rc);
}

static int
fs_symlink(const char *target, const char *path)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_symlink(nfs_conn_ctx(c), target, path);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_rename(const char *from, const char *to, unsigned int flags)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	/* NFS has no RENAME_NOREPLACE or RENAME_EXCHANGE. */
	if (flags != 0)
		return -EINVAL;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	forget_dir(from);
	forget_dir(to);
	do
		rc = nfs_rename(nfs_conn_ctx(c), from, to);
	while (again(c, rc, &tries));
	/* A lookup that raced with the rename may have cached either. */
	forget_dir(from);
	forget_dir(to);
	if (rc == -EEXIST)
		rc = -ENOTEMPTY;
	return result(c, rc);
}

static int
fs_link(const char *from, const char *to)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_link(nfs_conn_ctx(c), from, to);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	(void)fi;
	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_lchmod(nfs_conn_ctx(c), path, (int)(mode & 07777));
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	(void)fi;
	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	/* (uid_t)-1 means "leave it", for libnfs as for chown(2). */
	do
		rc = nfs_lchown(nfs_conn_ctx(c), path, (int)uid, (int)gid);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if (fs_cfg()->ro)
		return -EROFS;
	if (size < 0)
		return -EINVAL;
	if (fi != NULL && fi->fh != 0) {
		struct nfs_file *f = file_of(fi);

		f->have_st = 0;
		if ((c = file_take(f, &rc)) == NULL)
			return result(NULL, rc);
		do
			rc = file_setsize(nfs_conn_ctx(c), f, (uint64_t)size);
		while (file_again(c, f, rc, &tries));
		return result(c, rc);
	}
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_truncate(nfs_conn_ctx(c), path, (uint64_t)size);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static int
file_new(const char *path, int flags, struct nfs_file **out)
{
	struct nfs_file *f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(path)) == NULL) {
		free(f);
		return -ENOMEM;
	}
	f->flags = flags;
	*out = f;
	return 0;
}

static void
file_free(struct nfs_file *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f);
}

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

	if ((rc = parent_handle(ctx, path, &dir, &name)) < 0)
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
		else if (name_answer(path, rc))
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
	int v4 = nfs_pool_version(fs_cfg()->pool) == 4;
	int rc, tries = 0;

	if (fs_cfg()->ro &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) || create))
		return -EROFS;
	if (create)
		flags |= O_CREAT;
	if ((rc = file_new(path, flags, &f)) != 0)
		return rc;
	if ((c = take(&rc)) == NULL) {
		rc = -nfs_conn_errno(rc);
		goto out;
	}
	do {
		int oflags = v4 ? flags & ~O_TRUNC : flags;

		ctx = nfs_conn_ctx(c);
		if (create && !v4)
			rc = create_v3(
			    ctx, path, oflags, (int)(mode & 07777), f);
		else if (create)
			rc = nfs_create(
			    ctx, path, oflags, (int)(mode & 07777), &f->fh);
		else
			rc = nfs_open(ctx, path, oflags, &f->fh);
		/* libnfs 4.0 creates NFSv4 files 0600, whatever was asked. */
		if (rc == 0 && v4 && create &&
		    (rc = nfs_fchmod(ctx, f->fh, (int)(mode & 07777))) != 0) {
			nfs_close(ctx, f->fh);
			f->fh = NULL;
		}
		if (rc == 0 && v4 && (flags & O_TRUNC) &&
		    (rc = nfs_ftruncate(ctx, f->fh, 0)) != 0) {
			nfs_close(ctx, f->fh);
			f->fh = NULL;
		}
	} while (again(c, rc, &tries));
	if (rc == 0 && !v4 && !f->raw)
		file_by_handle(f);
	if (rc == 0) {
		f->conn = nfs_conn_index(c);
		f->gen = nfs_conn_gen(c);
		fi->fh = (uint64_t)(uintptr_t)f;
		/* Other hosts may have changed it: drop cached pages. */
		fi->keep_cache = 0;
		f = NULL;
	}
	rc = result(c, rc);
out:
	file_free(f);
	return rc;
}

static int
fs_open(const char *path, struct fuse_file_info *fi)
{
	return open_common(path, 0, 0, fi);
}

static int
fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	return open_common(path, 1, mode, fi);
}

static int
fs_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct nfs_file *f = file_of(fi);
	uint64_t chunk = nfs_pool_readmax(fs_cfg()->pool);
	size_t done = 0;
	struct nfs_conn *c;
	int rc = 0, tries = 0;

	(void)path;
	if (off < 0)
		return -EINVAL;
	if (chunk == 0 || chunk > NFS_FS_MAX_IO)
		chunk = NFS_FS_MAX_IO;
	if ((c = file_take(f, &rc)) == NULL)
		return result(NULL, rc);
	while (done < size) {
		size_t want = size - done < chunk ? size - done : chunk;

		rc = file_pread(
		    nfs_conn_ctx(c), f, (uint64_t)off + done, want, buf + done);
		if (rc < 0) {
			if (file_again(c, f, rc, &tries))
				continue;
			break;
		}
		done += (size_t)rc;
		if ((size_t)rc < want)
			break; /* end of file */
	}
	if (rc < 0 && done == 0)
		return result(c, rc);
	nfs_conn_release(c);
	return (int)done;
}

uint64_t
nfs_fs_write_chunk(uint64_t wmax, int nfsvers)
{
	if (wmax == 0 || wmax > NFS_FS_MAX_IO)
		wmax = NFS_FS_MAX_IO;
#ifndef HAVE_LIBNFS_V4_LARGE_WRITES
	if (nfsvers == 4 && wmax > NFS_FS_V4_SMALL_WRITE)
		wmax = NFS_FS_V4_SMALL_WRITE;
#else
	(void)nfsvers;
#endif
	return wmax;
}

int
nfs_fs_write_sync(
    int nfsvers, int wrote, int o_sync, size_t size, uint64_t chunk)
{
	if (nfsvers != 3)
		return 0;
	if (o_sync)
		return 1;
	return !wrote && size <= chunk && size <= NFS_FS_SYNC_WRITE_MAX;
}

/*
 * WRITEs go out through libnfs's async calls, up to NFS_FS_WRITE_DEPTH in
 * flight on the context (which the caller holds): small NFSv4 WRITEs one at
 * a time would cost a round trip per 3 KiB.  The async callback also keeps
 * the server's status: libnfs 4.0's synchronous nfs_pwrite reports every
 * refused NFSv3 WRITE as -EFAULT (which looks like a broken link) and
 * overwrites the message that named the status (NFS3ERR_DQUOT, ...).
 */
#define NFS_FS_WRITE_DEPTH 32

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
		    pl->ctx, f->fh, off, n, buf, pipeline_done, call);
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
		while (next < size && pl->inflight < NFS_FS_WRITE_DEPTH &&
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
static int
cut_pending(struct nfs_context *ctx, struct nfs_file *f)
{
	int rc;

	if (!f->cut_pending)
		return 0;
	if ((rc = file_setsize(ctx, f, f->cut)) == 0)
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
	if (cut_pending(ctx, f) != 0)
		log_warn("%s: a refused write left bytes past offset %llu that "
			 "cannot be cut yet (%s); retrying at the next write",
		    f->path, (unsigned long long)f->cut, nfs_get_error(ctx));
	return good;
}

static int
fs_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct nfs_fs_cfg *cfg = fs_cfg();
	struct nfs_file *f = file_of(fi);
	uint64_t chunk = nfs_fs_write_chunk(
	    nfs_pool_writemax(cfg->pool), nfs_pool_version(cfg->pool));
	struct pipeline *pl = NULL;
	struct nfs_stat_64 st;
	int64_t pre = -1;
	size_t done = 0;
	struct nfs_conn *c;
	int rc = 0, tries = 0, sync;

	(void)path;
	if (cfg->ro)
		return -EROFS;
	if (off < 0)
		return -EINVAL;
	f->have_st = 0; /* the attributes CREATE sent are old now */
	if ((c = file_take(f, &rc)) == NULL)
		return result(NULL, rc);
	(void)cut_pending(nfs_conn_ctx(c), f);
	/* Several chunks at once can leave a hole when one is refused. */
	if (size > chunk && file_fstat(nfs_conn_ctx(c), f, &st) == 0)
		pre = (int64_t)st.nfs_size;
	sync = nfs_fs_write_sync(nfs_pool_version(cfg->pool), f->wrote,
	    (f->flags & O_SYNC) != 0, size, chunk);
	f->wrote = 1;
	rc = pwrite_chunks(
	    nfs_conn_ctx(c), f, (uint64_t)off, buf, size, chunk, sync, &pl);
	if (rc == 0) {
		/* NFSv4 WRITEs (libnfs's) are always UNSTABLE. */
		if (pl->unstable || !pl->v3)
			f->dirty = 1;
		pipeline_free(pl);
		/* The caller's own bytes now stand past the cut point. */
		if (f->cut_pending && (uint64_t)off + size > f->cut)
			f->cut_pending = 0;
		nfs_conn_release(c);
		return (int)size;
	}
	if (pl != NULL && pl->refused != 0) {
		uint64_t end = pl->fail_off;

		if (size > chunk)
			end = repair_refusal(nfs_conn_ctx(c), f, buf,
			    (uint64_t)off, chunk, pre, pl);
		done = (size_t)(end - (uint64_t)off);
		rc = -pl->refused;
		pipeline_free(pl);
		if (done > 0)
			f->dirty = 1;
		nfs_conn_release(c);
		return done > 0 ? (int)done : rc;
	}
	pipeline_free(pl);
	/*
	 * The link failed (or a WRITE was short): redo the range in order, one
	 * chunk at a time, remounting once if need be.  WRITE is idempotent.
	 */
	while (done < size) {
		size_t want = size - done < chunk ? size - done : chunk;

		rc = pwrite_chunks(nfs_conn_ctx(c), f, (uint64_t)off + done,
		    buf + done, want, want, 0, &pl);
		if (rc < 0 && pl != NULL && pl->refused != 0) {
			rc = -pl->refused;
			pipeline_free(pl);
			break;
		}
		pipeline_free(pl);
		if (rc < 0) {
			if (file_again(c, f, rc, &tries))
				continue;
			break;
		}
		done += want;
		f->dirty = 1;
	}
	if (rc < 0 && done == 0)
		return result(c, rc);
	nfs_conn_release(c);
	return (int)done;
}

static int
fs_statfs(const char *path, struct statvfs *sv)
{
	struct nfs_statvfs_64 ns;
	struct nfs_conn *c;
	int rc, tries = 0;

	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	do
		rc = nfs_statvfs64(nfs_conn_ctx(c), path, &ns);
	while (again(c, rc, &tries));
	if (rc == 0) {
		memset(sv, 0, sizeof(*sv));
		sv->f_bsize = ns.f_bsize;
		sv->f_frsize = ns.f_frsize;
		sv->f_blocks = ns.f_blocks;
		sv->f_bfree = ns.f_bfree;
		sv->f_bavail = ns.f_bavail;
		sv->f_files = ns.f_files;
		sv->f_ffree = ns.f_ffree;
		sv->f_favail = ns.f_favail;
		sv->f_fsid = ns.f_fsid;
		sv->f_namemax = ns.f_namemax > 0 ? ns.f_namemax : 255;
		nfs_fs_apply_size(sv, fs_cfg()->size);
	}
	return result(c, rc);
}

void
nfs_fs_apply_size(struct statvfs *sv, uint64_t size)
{
	uint64_t unit = sv->f_frsize > 0 ? sv->f_frsize : sv->f_bsize;
	uint64_t blocks, used, left;

	if (size == 0 || unit == 0)
		return;
	/*
	 * Also when the size is above the pool's: df then shows the size the
	 * volume was promised and, as free, what the pool can still hold.
	 */
	blocks = size / unit;
	used = sv->f_blocks > sv->f_bfree ? sv->f_blocks - sv->f_bfree : 0;
	if (used > blocks)
		used = blocks;
	left = blocks - used;
	if (sv->f_frsize == 0)
		sv->f_frsize = (unsigned long)unit;
	sv->f_blocks = blocks;
	/*
	 * df shows blocks - bfree as used and bavail as available: the pool's
	 * limit goes in bavail only (as a local file system's root reserve
	 * does), so an overcommitted volume does not look full of data.
	 */
	sv->f_bfree = left;
	if (sv->f_bavail > left)
		sv->f_bavail = left;
}

/* COMMIT what was written, so errors (EDQUOT, ENOSPC) reach close(2). */
static int
file_commit(struct nfs_file *f)
{
	struct nfs_conn *c;
	int rc, tries = 0;

	if ((c = file_take(f, &rc)) == NULL)
		return result(NULL, rc);
	(void)cut_pending(nfs_conn_ctx(c), f);
	do
		rc = file_fsync(nfs_conn_ctx(c), f);
	while (file_again(c, f, rc, &tries));
	if (rc == 0)
		f->dirty = 0;
	return result(c, rc);
}

static int
fs_flush(const char *path, struct fuse_file_info *fi)
{
	struct nfs_file *f = file_of(fi);

	(void)path;
	return f->dirty || f->cut_pending ? file_commit(f) : 0;
}

static int
fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	return file_commit(file_of(fi));
}

static int
fs_release(const char *path, struct fuse_file_info *fi)
{
	struct nfs_file *f = file_of(fi);
	struct nfs_conn *c;
	int rc;

	(void)path;
	if ((c = file_take(f, &rc)) != NULL) {
		/*
		 * Written after the last flush (mmap): COMMIT, as libnfs's
		 * nfs_close did for writes that went through it.
		 */
		if (f->dirty && f->raw && file_fsync(nfs_conn_ctx(c), f) != 0)
			log_warn("%s: COMMIT at close failed (%s)", f->path,
			    nfs_get_error(nfs_conn_ctx(c)));
		if (cut_pending(nfs_conn_ctx(c), f) != 0)
			log_warn("%s: closed with bytes past offset %llu left "
				 "by a refused write (%s)",
			    f->path, (unsigned long long)f->cut,
			    nfs_get_error(nfs_conn_ctx(c)));
		if (f->fh != NULL)
			nfs_close(nfs_conn_ctx(c), f->fh);
		nfs_conn_release(c);
	}
	file_free(f);
	return 0;
}

/* A time for libnfs: "now", "leave it" (the current value), or as given. */
static void
pick_time(const struct timespec *want, struct timeval *tv, time_t cur_sec,
    long cur_nsec, const struct timeval *now)
{
	if (want->tv_nsec == UTIME_NOW) {
		*tv = *now;
	} else if (want->tv_nsec == UTIME_OMIT) {
		tv->tv_sec = cur_sec;
		tv->tv_usec = cur_nsec / 1000;
	} else {
		tv->tv_sec = want->tv_sec;
		tv->tv_usec = want->tv_nsec / 1000;
	}
}

static int
fs_utimens(
    const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct nfs_stat_64 ns;
	struct timeval times[2], now;
	struct nfs_conn *c;
	int rc, tries = 0;

	(void)fi;
	if (fs_cfg()->ro)
		return -EROFS;
	if ((c = take(&rc)) == NULL)
		return result(NULL, rc);
	memset(&ns, 0, sizeof(ns));
	if (tv != NULL &&
	    (tv[0].tv_nsec == UTIME_OMIT || tv[1].tv_nsec == UTIME_OMIT)) {
		/* libnfs 4.0 sets both times: keep the one left alone. */
		do
			rc = nfs_lstat64(nfs_conn_ctx(c), path, &ns);
		while (again(c, rc, &tries));
		if (rc != 0)
			return result(c, rc);
	}
	gettimeofday(&now, NULL);
	if (tv == NULL) {
		times[0] = now;
		times[1] = now;
	} else {
		pick_time(&tv[0], &times[0], (time_t)ns.nfs_atime,
		    (long)ns.nfs_atime_nsec, &now);
		pick_time(&tv[1], &times[1], (time_t)ns.nfs_mtime,
		    (long)ns.nfs_mtime_nsec, &now);
	}
	tries = 0;
	do
		rc = nfs_lutimes(nfs_conn_ctx(c), path, times);
	while (again(c, rc, &tries));
	return result(c, rc);
}

static const struct fuse_operations nfs_fs_ops = {
    .init = fs_init,
    .destroy = fs_destroy,
    .getattr = fs_getattr,
    .readlink = fs_readlink,
    .mknod = fs_mknod,
    .mkdir = fs_mkdir,
    .unlink = fs_unlink,
    .rmdir = fs_rmdir,
    .symlink = fs_symlink,
    .rename = fs_rename,
    .link = fs_link,
    .chmod = fs_chmod,
    .chown = fs_chown,
    .truncate = fs_truncate,
    .open = fs_open,
    .read = fs_read,
    .write = fs_write,
    .statfs = fs_statfs,
    .flush = fs_flush,
    .release = fs_release,
    .fsync = fs_fsync,
    .readdir = fs_readdir,
    .create = fs_create,
    .utimens = fs_utimens,
};

const struct fuse_operations *
nfs_fs_operations(void)
{
	return &nfs_fs_ops;
}
