/*
 * storage_dir.c: the "dir" storage backend: one plain directory per volume
 * under ROOT/volumes, no size limit, no snapshots.  For development and
 * tests only: nothing stops a volume from filling the disk.
 *
 * Layout: ROOT/volumes/<uuid>/ is the volume, ROOT/orphans/<uuid>.<ms>/ is
 * storage set aside because no record names it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "storage_impl.h"
#include "timefmt.h"
#include "uuid.h"

struct dir_backend {
	char root[4096];
};

static int
vol_path(struct dir_backend *d, const char *uuid, char *buf, size_t len,
    struct tnfs_err *err)
{
	if (storage_uuid_check(uuid, err) == -1)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/volumes/%s", d->root, uuid) >= len) {
		tnfs_err_set(
		    err, TNFS_E_INTERNAL, "dir storage: path too long");
		return -1;
	}
	return 0;
}

static void *
dir_open(const char *arg, const char *state_dir, struct tnfs_err *err)
{
	struct dir_backend *d;
	char path[4200];

	(void)state_dir;
	if (arg[0] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "dir storage: %s must be an absolute path", arg);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	if (strlen(arg) >= sizeof(d->root) - 64) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "dir storage: path too long");
		goto fail;
	}
	snprintf(d->root, sizeof(d->root), "%s", arg);
	snprintf(path, sizeof(path), "%s/volumes", d->root);
	if (fsutil_mkdir_p(path, 0755, err) == -1)
		goto fail;
	snprintf(path, sizeof(path), "%s/orphans", d->root);
	if (fsutil_mkdir_p(path, 0700, err) == -1)
		goto fail;
	return d;
fail:
	free(d);
	return NULL;
}

static void
dir_close(void *impl)
{
	free(impl);
}

static int
dir_volume_create(
    void *impl, const char *uuid, uint64_t size_mib, struct tnfs_err *err)
{
	char path[4200];
	struct stat sb;

	(void)size_mib;
	if (vol_path(impl, uuid, path, sizeof(path), err) == -1)
		return -1;
	if (mkdir(path, 0777) == -1 && errno != EEXIST) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "dir storage: mkdir %s", path);
		return -1;
	}
	if (lstat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "dir storage: %s exists and is not a directory", path);
		return -1;
	}
	/* Containers write as any user: the directory is world-writable. */
	if (chmod(path, 0777) == -1) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "dir storage: chmod %s", path);
		return -1;
	}
	return 0;
}

static int
dir_volume_resize(
    void *impl, const char *uuid, uint64_t size_mib, struct tnfs_err *err)
{
	char path[4200];
	struct stat sb;

	(void)size_mib;
	if (vol_path(impl, uuid, path, sizeof(path), err) == -1)
		return -1;
	if (stat(path, &sb) == -1) {
		tnfs_err_errno(err, TNFS_E_NOT_FOUND, errno,
		    "dir storage: volume %s", uuid);
		return -1;
	}
	return 0; /* no limit to raise */
}

/* Remove a tree without following symlinks or crossing mount points. */
static int
remove_tree(int parent, const char *name, dev_t dev, struct tnfs_err *err)
{
	struct stat sb;
	DIR *dir;
	struct dirent *de;
	int fd, rc = 0;

	if (fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "stat %s", name);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		if (unlinkat(parent, name, 0) == -1 && errno != ENOENT) {
			tnfs_err_errno(
			    err, TNFS_E_INTERNAL, errno, "unlink %s", name);
			return -1;
		}
		return 0;
	}
	if (sb.st_dev != dev) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "dir storage: %s is a mount point; not removing it", name);
		return -1;
	}
	if ((fd = openat(parent, name,
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", name);
		return -1;
	}
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", name);
		return -1;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		rc = remove_tree(dirfd(dir), de->d_name, dev, err);
	}
	closedir(dir);
	if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "rmdir %s", name);
		rc = -1;
	}
	return rc;
}

static int
dir_volume_destroy(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct dir_backend *d = impl;
	char path[4200];
	struct stat sb;
	int fd, rc;

	if (storage_uuid_check(uuid, err) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/volumes", d->root);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", path);
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "stat %s", path);
		close(fd);
		return -1;
	}
	rc = remove_tree(fd, uuid, sb.st_dev, err);
	close(fd);
	if (rc == -1)
		tnfs_err_prefix(err, "dir storage: destroy %s", uuid);
	return rc;
}

static int
dir_volume_exists(void *impl, const char *uuid)
{
	char path[4200];
	struct stat sb;

	if (vol_path(impl, uuid, path, sizeof(path), NULL) == -1)
		return 0;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int
dir_volume_activate(void *impl, const char *uuid, struct tnfs_err *err)
{
	if (!dir_volume_exists(impl, uuid)) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "dir storage: volume %s has no directory", uuid);
		return -1;
	}
	return 0;
}

static int
dir_volume_path(
    void *impl, const char *uuid, char *buf, size_t len, struct tnfs_err *err)
{
	return vol_path(impl, uuid, buf, len, err);
}

static int
dir_volume_usage(void *impl, const char *uuid, struct storage_usage *out,
    struct tnfs_err *err)
{
	char path[4200];
	struct statvfs sv;

	if (vol_path(impl, uuid, path, sizeof(path), err) == -1)
		return -1;
	if (statvfs(path, &sv) == -1) {
		tnfs_err_errno(err, TNFS_E_NOT_FOUND, errno,
		    "dir storage: volume %s", uuid);
		return -1;
	}
	/* No limit: what is free is what the filesystem has left. */
	out->used_mib = 0;
	out->avail_mib =
	    (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize / (1024 * 1024);
	return 0;
}

static int
dir_list(void *impl, char ***uuids, size_t *n, struct tnfs_err *err)
{
	struct dir_backend *d = impl;
	char path[4200], **v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int rc = -1;

	*uuids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/volumes", d->root);
	if ((dir = opendir(path)) == NULL) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", path);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (!tnfs_uuid_valid(de->d_name))
			continue;
		if (storage_list_append(&v, &cnt, &cap, de->d_name) == -1)
			goto oom;
	}
	*uuids = v;
	*n = cnt;
	v = NULL;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	closedir(dir);
	storage_list_free(v, cnt);
	return rc;
}

static int
dir_orphan_set_aside(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct dir_backend *d = impl;
	char from[4200], to[4300];

	if (vol_path(impl, uuid, from, sizeof(from), err) == -1)
		return -1;
	snprintf(to, sizeof(to), "%s/orphans/%s.%lld", d->root, uuid,
	    (long long)tnfs_now_ms());
	if (rename(from, to) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "dir storage: set aside %s", uuid);
		return -1;
	}
	return 0;
}

const struct storage_ops storage_dir_ops = {
    .kind = "dir",
    .has_quota = 0,
    .has_snapshots = 0,
    .open = dir_open,
    .close = dir_close,
    .volume_create = dir_volume_create,
    .volume_resize = dir_volume_resize,
    .volume_destroy = dir_volume_destroy,
    .volume_activate = dir_volume_activate,
    .volume_exists = dir_volume_exists,
    .volume_path = dir_volume_path,
    .volume_usage = dir_volume_usage,
    .snapshot_create = NULL,
    .snapshot_delete = NULL,
    .snapshot_rollback = NULL,
    .list = dir_list,
    .orphan_set_aside = dir_orphan_set_aside,
};
