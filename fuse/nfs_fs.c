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
#include "nfs4_open.h"
#include "nfs4_readdir.h"
#include "nfs_conn.h"
#include "nfs_file.h"
#include "nfs_fs.h"
#include "nfs_fs_impl.h"
#include "nfs_write.h"

struct nfs_fs_cfg *
nfs_fs_config(void)
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
struct nfs_conn *
nfs_fs_take(int *rc)
{
	struct nfs_conn *c = nfs_pool_acquire(nfs_fs_config()->pool, rc);

	if (c != NULL)
		set_caller(c);
	return c;
}

/*
 * A free context for libnfs's path SETATTRs, which OPEN the file over
 * NFSv4: one without open files spares their refresh (refresh_opens).
 */
static struct nfs_conn *
take_stateless(int *rc)
{
	struct nfs_conn *c;

	c = nfs_pool_acquire_stateless(nfs_fs_config()->pool, rc);
	if (c != NULL)
		set_caller(c);
	return c;
}

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

int
nfs_fs_again(struct nfs_conn *c, int rc, int *tries)
{
	if (rc < 0 && nfs_conn_ctx(c) != NULL)
		log_failure(c, rc);
	if (rc >= 0 || (*tries)++ > 0 || !nfs_conn_recover(c, rc))
		return 0;
	set_caller(c);
	return 1;
}

int
nfs_fs_result(struct nfs_conn *c, int rc)
{
	int errnum = nfs_conn_errno_of(c, rc);

	if (c != NULL)
		nfs_conn_release(c);
	return -errnum;
}

struct nfs_file *
nfs_fs_file_of(const struct fuse_file_info *fi)
{
	return (struct nfs_file *)(uintptr_t)fi->fh;
}

/*
 * What libnfs is asked for over NFSv4.  Its handle keeps O_SYNC (stable
 * WRITEs) and O_APPEND, but the handle of a file open several times on a
 * context is shared: O_SYNC is ours (a COMMIT after each write), and our
 * writes carry their offsets.
 */
#define OPEN4_FLAGS (O_ACCMODE | O_CREAT | O_EXCL)

int
nfs_fs_open4(struct nfs_conn *c, struct nfs_file *f, const char *path,
    int flags, int mode)
{
	struct nfs_context *ctx = nfs_conn_ctx(c);
	struct nfs4_open *o;
	struct nfsfh *fh;
	int rc;

	flags &= OPEN4_FLAGS;
	rc = mode >= 0 ? nfs_create(ctx, path, flags, mode, &fh)
		       : nfs_open(ctx, path, flags, &fh);
	if (rc < 0)
		return rc;
	if ((o = nfs4_opens_add(nfs_conn_opens(c), fh, flags, path)) == NULL) {
		nfs_close(ctx, fh); /* the file was not open here before */
		return -ENOMEM;
	}
	nfs_fs_close4(c, f);
	f->open = o;
	f->conn = nfs_conn_index(c);
	f->gen = nfs_conn_gen(c);
	return 0;
}

void
nfs_fs_close4(struct nfs_conn *c, struct nfs_file *f)
{
	struct nfs_context *ctx = nfs_conn_ctx(c);
	struct nfsfh *fh;

	if (f->open == NULL)
		return;
	fh = nfs4_open_put(f->open);
	f->open = NULL;
	/* A context that is not mounted has forgotten its states. */
	if (fh != NULL && ctx != NULL && nfs_close(ctx, fh) != 0)
		log_warn("%s: CLOSE failed (%s)", f->path, nfs_get_error(ctx));
}

/*
 * Reopen f on c: after a remount (its state died with the old client id),
 * or when the server no longer takes its stateid.  With the access every
 * holder of the state opened for, or else f's own.
 */
static int
file_reopen(struct nfs_conn *c, struct nfs_file *f)
{
	int own = f->flags & O_ACCMODE, acc = own, rc;

	if (f->open != NULL)
		acc = nfs4_open_access(f->open);
	rc = nfs_fs_open4(c, f, f->path, acc, -1);
	if (rc == -EACCES && acc != own)
		rc = nfs_fs_open4(c, f, f->path, own, -1);
	return rc;
}

/*
 * The server refused an open file's stateid as old (another OPEN of the
 * file on this context moved it on) or unknown (a CLOSE of it, such as the
 * one libnfs's path SETATTRs end with): a fresh OPEN repairs it.
 */
static int
stateid_refused(struct nfs_conn *c)
{
	const char *why;

	if (nfs_conn_ctx(c) == NULL ||
	    (why = nfs_get_error(nfs_conn_ctx(c))) == NULL)
		return 0;
	return strstr(why, "NFS4ERR_OLD_STATEID") != NULL ||
	    strstr(why, "NFS4ERR_BAD_STATEID") != NULL;
}

/* Reopen one state of a context after a path SETATTR (see refresh_opens). */
static void
refresh_one(struct nfs4_open *o, void *arg)
{
	struct nfs_conn *c = arg;
	struct nfs_context *ctx = nfs_conn_ctx(c);
	int acc = nfs4_open_access(o);
	struct nfs4_open *again;
	struct nfsfh *fh;

	if (nfs_open(ctx, nfs4_open_path(o), acc, &fh) != 0)
		return; /* renamed or removed: its next call says so */
	again = nfs4_opens_add(nfs_conn_opens(c), fh, acc, nfs4_open_path(o));
	if (again == NULL)
		nfs_close(ctx, fh);
	else if ((fh = nfs4_open_put(again)) != NULL)
		nfs_close(ctx, fh); /* the path names another file now */
}

/*
 * libnfs 4.0 sets attributes by path with an OPEN, a SETATTR and a CLOSE:
 * on a file open on the same context, the CLOSE ends the shared state, and
 * its last holder's CLOSE would then leave the open-owner's sequence out
 * of step.  So the states of that context are opened afresh.
 */
static void
refresh_opens(struct nfs_conn *c)
{
	if (nfs_pool_version(nfs_fs_config()->pool) == 4 &&
	    nfs_conn_ctx(c) != NULL && !nfs4_opens_empty(nfs_conn_opens(c)))
		nfs4_opens_each(nfs_conn_opens(c), refresh_one, c);
}

/* The context for calls on f, speaking as the caller. */
struct nfs_conn *
nfs_fs_file_take(struct nfs_file *f, int *rc)
{
	struct nfs_fs_cfg *cfg = nfs_fs_config();
	struct nfs_conn *c;

	if (nfs_pool_version(cfg->pool) == 3)
		return nfs_fs_take(rc);
	if ((c = nfs_pool_lock(cfg->pool, f->conn, rc)) == NULL)
		return NULL;
	set_caller(c);
	if (nfs_conn_gen(c) != f->gen && (*rc = file_reopen(c, f)) < 0) {
		nfs_conn_release(c);
		return NULL;
	}
	return c;
}

/* nfs_fs_again() for calls on an open file. */
int
nfs_fs_file_again(struct nfs_conn *c, struct nfs_file *f, int rc, int *tries)
{
	int v4 = nfs_pool_version(nfs_fs_config()->pool) == 4;

	if (v4 && rc < 0 && *tries == 0 && stateid_refused(c)) {
		(*tries)++;
		log_info("%s: reopened: %s", f->path,
		    nfs_get_error(nfs_conn_ctx(c)));
		if ((rc = file_reopen(c, f)) == 0)
			return 1;
		/* The OPEN failed too: a remount, as for any state error. */
		if (!nfs_conn_recover(c, rc))
			return 0;
		set_caller(c);
		return file_reopen(c, f) == 0;
	}
	if (!nfs_fs_again(c, rc, tries))
		return 0;
	if (v4 && file_reopen(c, f) < 0)
		return 0;
	return 1;
}

void
nfs_fs_to_stat(const struct nfs_stat_64 *ns, struct stat *st)
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
	nfs_fs_config()->dirs = fhcache_new(
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

/* A path changed through this mount: its cached handles are wrong now. */
void
nfs_fs_forget_dir(const char *path)
{
	if (nfs_fs_config()->dirs != NULL)
		fhcache_forget(nfs_fs_config()->dirs, path);
}

/*
 * The path operations that change the tree share one shape: refused on a
 * read-only mount, a context speaking as the caller, the call retried once
 * after a remount, the result as -errno.  Each is a row of path_ops; what
 * differs (the call, the directory handles to forget, how the server's
 * answer reads) is in its row.
 */
struct path_args {
	const char *path;
	const char *to; /* rename's and link's target; symlink's contents */
	int mode;
	int rdev;
	int uid, gid;
	uint64_t size;
};

enum path_op {
	PATH_MKNOD,
	PATH_MKDIR,
	PATH_UNLINK,
	PATH_RMDIR,
	PATH_SYMLINK,
	PATH_RENAME,
	PATH_LINK,
	PATH_CHMOD,
	PATH_CHOWN,
	PATH_TRUNCATE,
};

/* Cached directory handles the call makes wrong: path's, and to's too. */
#define PATH_FORGET    0x1
#define PATH_FORGET_TO 0x2
/* A lookup that raced with the call may have cached them again. */
#define PATH_FORGET_AFTER 0x4
/* Some servers say EEXIST for a directory that is not empty. */
#define PATH_NOTEMPTY 0x8
/* libnfs OPENs and CLOSEs the file over NFSv4 (see refresh_opens). */
#define PATH_OPENS 0x10

struct path_call {
	int (*call)(struct nfs_context *ctx, const struct path_args *a);
	unsigned flags;
};

static int
call_mknod(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_mknod(ctx, a->path, a->mode, a->rdev);
}

static int
call_mkdir(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_mkdir2(ctx, a->path, a->mode);
}

static int
call_unlink(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_unlink(ctx, a->path);
}

static int
call_rmdir(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_rmdir(ctx, a->path);
}

static int
call_symlink(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_symlink(ctx, a->to, a->path);
}

static int
call_rename(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_rename(ctx, a->path, a->to);
}

static int
call_link(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_link(ctx, a->path, a->to);
}

static int
call_chmod(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_lchmod(ctx, a->path, a->mode);
}

static int
call_chown(struct nfs_context *ctx, const struct path_args *a)
{
	/* (uid_t)-1 means "leave it", for libnfs as for chown(2). */
	return nfs_lchown(ctx, a->path, a->uid, a->gid);
}

static int
call_truncate(struct nfs_context *ctx, const struct path_args *a)
{
	return nfs_truncate(ctx, a->path, a->size);
}

static const struct path_call path_ops[] = {
    [PATH_MKNOD] = {call_mknod, 0},
    [PATH_MKDIR] = {call_mkdir, 0},
    [PATH_UNLINK] = {call_unlink, PATH_FORGET},
    [PATH_RMDIR] = {call_rmdir,
	PATH_FORGET | PATH_FORGET_AFTER | PATH_NOTEMPTY},
    [PATH_SYMLINK] = {call_symlink, 0},
    [PATH_RENAME] = {call_rename,
	PATH_FORGET | PATH_FORGET_TO | PATH_FORGET_AFTER | PATH_NOTEMPTY},
    [PATH_LINK] = {call_link, 0},
    [PATH_CHMOD] = {call_chmod, PATH_OPENS},
    [PATH_CHOWN] = {call_chown, PATH_OPENS},
    [PATH_TRUNCATE] = {call_truncate, PATH_OPENS},
};

static void
path_forget(const struct path_args *a, unsigned flags)
{
	nfs_fs_forget_dir(a->path);
	if (flags & PATH_FORGET_TO)
		nfs_fs_forget_dir(a->to);
}

/* Run operation op on a's paths: 0 or -errno, for FUSE. */
static int
path_run(enum path_op op, const struct path_args *a)
{
	const struct path_call *pc = &path_ops[op];
	struct nfs_conn *c;
	int rc, tries = 0;

	if (nfs_fs_config()->ro)
		return -EROFS;
	c = pc->flags & PATH_OPENS ? take_stateless(&rc) : nfs_fs_take(&rc);
	if (c == NULL)
		return nfs_fs_result(NULL, rc);
	if (pc->flags & PATH_FORGET)
		path_forget(a, pc->flags);
	do
		rc = pc->call(nfs_conn_ctx(c), a);
	while (nfs_fs_again(c, rc, &tries));
	if (pc->flags & PATH_OPENS)
		refresh_opens(c);
	if (pc->flags & PATH_FORGET_AFTER)
		path_forget(a, pc->flags);
	if ((pc->flags & PATH_NOTEMPTY) && rc == -EEXIST)
		rc = -ENOTEMPTY;
	return nfs_fs_result(c, rc);
}

static int
fs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct path_args a = {
	    .path = path, .mode = (int)mode, .rdev = (int)rdev};

	return path_run(PATH_MKNOD, &a);
}

static int
fs_mkdir(const char *path, mode_t mode)
{
	struct path_args a = {.path = path, .mode = (int)(mode & 07777)};

	return path_run(PATH_MKDIR, &a);
}

static int
fs_unlink(const char *path)
{
	struct path_args a = {.path = path};

	return path_run(PATH_UNLINK, &a);
}

static int
fs_rmdir(const char *path)
{
	struct path_args a = {.path = path};

	return path_run(PATH_RMDIR, &a);
}

static int
fs_symlink(const char *target, const char *path)
{
	struct path_args a = {.path = path, .to = target};

	return path_run(PATH_SYMLINK, &a);
}

static int
fs_rename(const char *from, const char *to, unsigned int flags)
{
	struct path_args a = {.path = from, .to = to};

	/* NFS has no RENAME_NOREPLACE or RENAME_EXCHANGE. */
	if (flags != 0)
		return nfs_fs_config()->ro ? -EROFS : -EINVAL;
	return path_run(PATH_RENAME, &a);
}

static int
fs_link(const char *from, const char *to)
{
	struct path_args a = {.path = from, .to = to};

	return path_run(PATH_LINK, &a);
}

static int
fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct path_args a = {.path = path, .mode = (int)(mode & 07777)};

	(void)fi;
	return path_run(PATH_CHMOD, &a);
}

static int
fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct path_args a = {.path = path, .uid = (int)uid, .gid = (int)gid};

	(void)fi;
	return path_run(PATH_CHOWN, &a);
}

static int
fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct path_args a = {.path = path};
	struct nfs_conn *c;
	int rc, tries = 0;

	if (nfs_fs_config()->ro)
		return -EROFS;
	if (size < 0)
		return -EINVAL;
	if (fi != NULL && fi->fh != 0) {
		struct nfs_file *f = nfs_fs_file_of(fi);

		f->have_st = 0;
		if ((c = nfs_fs_file_take(f, &rc)) == NULL)
			return nfs_fs_result(NULL, rc);
		do
			rc = nfs_file_setsize(
			    nfs_conn_ctx(c), f, (uint64_t)size);
		while (nfs_fs_file_again(c, f, rc, &tries));
		return nfs_fs_result(c, rc);
	}
	a.size = (uint64_t)size;
	return path_run(PATH_TRUNCATE, &a);
}

static int
fs_statfs(const char *path, struct statvfs *sv)
{
	struct nfs_statvfs_64 ns;
	struct nfs_conn *c;
	int rc, tries = 0;

	if ((c = nfs_fs_take(&rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	do
		rc = nfs_statvfs64(nfs_conn_ctx(c), path, &ns);
	while (nfs_fs_again(c, rc, &tries));
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
		nfs_fs_apply_size(sv, nfs_fs_config()->size);
	}
	return nfs_fs_result(c, rc);
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
	if (nfs_fs_config()->ro)
		return -EROFS;
	if ((c = take_stateless(&rc)) == NULL)
		return nfs_fs_result(NULL, rc);
	memset(&ns, 0, sizeof(ns));
	if (tv != NULL &&
	    (tv[0].tv_nsec == UTIME_OMIT || tv[1].tv_nsec == UTIME_OMIT)) {
		/* libnfs 4.0 sets both times: keep the one left alone. */
		do
			rc = nfs_lstat64(nfs_conn_ctx(c), path, &ns);
		while (nfs_fs_again(c, rc, &tries));
		if (rc != 0)
			return nfs_fs_result(c, rc);
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
	while (nfs_fs_again(c, rc, &tries));
	refresh_opens(c); /* libnfs OPENed the file over NFSv4 */
	return nfs_fs_result(c, rc);
}

static const struct fuse_operations nfs_fs_ops = {
    .init = fs_init,
    .destroy = fs_destroy,
    .getattr = nfs_fs_getattr,
    .readlink = nfs_fs_readlink,
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
    .open = nfs_fs_open,
    .read = nfs_fs_read,
    .write = nfs_fs_write,
    .statfs = fs_statfs,
    .flush = nfs_fs_flush,
    .release = nfs_fs_release,
    .fsync = nfs_fs_fsync,
    .readdir = nfs_fs_readdir,
    .create = nfs_fs_create,
    .utimens = fs_utimens,
};

const struct fuse_operations *
nfs_fs_operations(void)
{
	return &nfs_fs_ops;
}
