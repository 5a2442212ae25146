/*
 * storage_btrfs.c: the btrfs storage backends ("btrfs" and "btrfs-image").
 *
 * Layout under ROOT (a mounted btrfs with quotas enabled):
 *   ROOT/volumes/<uuid>            one subvolume per volume, qgroup limit =
 *                                  the volume size (referenced bytes)
 *   ROOT/snapshots/<uuid>/<name>   read-only snapshots of it
 *   ROOT/orphans/<uuid>[.N]        storage without a record, set aside
 *   ROOT/trash/<uuid>.<n>          live subvolumes replaced by a rollback,
 *                                  deleted as soon as nothing holds them
 *   ROOT/trash/<uuid>.rollback     a rollback's copy of the snapshot,
 *                                  until it takes the live one's place
 * and under state_dir:
 *   exports/<uuid>                 the volume's own mount (subvolid=), the
 *                                  path ganesha exports: ganesha 4.3 drops an
 *                                  export of a subvolume reached through the
 *                                  pool's top-level mount (own st_dev,
 *                                  resolve_posix_filesystem fails)
 *   pool/, pool.loop               btrfs-image only: the loop mount of FILE
 *                                  and the loop device it uses
 *
 * The backend keeps no mutable state after open: concurrent calls on
 * different volumes only touch their own paths.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "btrfs.h"
#include "btrfs_usage.h"
#include "fsutil.h"
#include "log.h"
#include "storage_btrfs_impl.h"
#include "storage_impl.h"
#include "timefmt.h"
#include "uuid.h"

static int
vol_path(const struct btrfs_backend *b, const char *uuid, char *buf,
    struct tnfs_err *err)
{
	if (storage_uuid_check(uuid, err) == -1)
		return -1;
	return fsutil_path(buf, err, "%s/volumes/%s", b->root, uuid);
}

/* vol_path of a volume that has its subvolume; NotFound otherwise. */
static int
stored_vol_path(const struct btrfs_backend *b, const char *uuid, char *buf,
    struct tnfs_err *err)
{
	if (vol_path(b, uuid, buf, err) == -1)
		return -1;
	if (!btrfs_is_subvol(buf)) {
		tnfs_err_set(
		    err, TNFS_E_NOT_FOUND, "volume %s has no storage", uuid);
		return -1;
	}
	return 0;
}

static int
mnt_path(const struct btrfs_backend *b, const char *uuid, char *buf,
    struct tnfs_err *err)
{
	return fsutil_path(buf, err, "%s/%s", b->mnt_dir, uuid);
}

/*
 * Volumes are thin: their sizes may add up to more than the pool.  But a
 * pool that is full (free space under 1% of it, at least 16 MiB and at
 * most 1 GiB) takes no new volume and no larger limit: the volume would be
 * ready, or grown, with no room to write a byte, and btrfs itself creates
 * a subvolume even then (from its reserve).
 */
static int
check_room(const struct btrfs_backend *b, const char *what,
    struct tnfs_err *err)
{
	struct statfs sfs;
	uint64_t total, avail, floor;

	if (statfs(b->root, &sfs) == -1)
		return 0; /* the filesystem itself says so, if it is full */
	total = (uint64_t)sfs.f_blocks * (uint64_t)sfs.f_bsize;
	avail = (uint64_t)sfs.f_bavail * (uint64_t)sfs.f_bsize;
	floor = total / 100;
	if (floor < 16 * MIB)
		floor = 16 * MIB;
	if (floor > 1024 * MIB)
		floor = 1024 * MIB;
	if (avail >= floor)
		return 0;
	tnfs_err_set(err, TNFS_E_NO_SPACE,
	    "cannot %s: the storage pool is full (%llu MiB free of %llu MiB)",
	    what, (unsigned long long)(avail / MIB),
	    (unsigned long long)(total / MIB));
	return -1;
}

/* The referenced limit of the subvolume at vol (0: none). */
static int
limit_of(const struct btrfs_backend *b, const char *vol, uint64_t *limit,
    struct tnfs_err *err)
{
	uint64_t id;

	if (btrfs_subvol_id(vol, &id, err) == -1)
		return -1;
	return btrfs_usage_limit(b->usage, id, limit, err);
}

static int
delete_subvol(const char *path, struct tnfs_err *err)
{
	if (!btrfs_is_subvol(path))
		return 0;
	return btrfs_subvol_delete(path, err);
}

void
storage_btrfs_empty_trash(const struct btrfs_backend *b)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct dirent *de;
	struct tnfs_err err = {0};
	DIR *d;

	if (fsutil_path(dir, NULL, "%s/trash", b->root) == -1 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    fsutil_path(p, NULL, "%s/%s", dir, de->d_name) == -1)
			continue;
		if (delete_subvol(p, &err) == -1)
			log_err(TNFS_LOG_WARN, &err,
			    "replaced subvolume %s kept for now", p);
	}
	closedir(d);
}

/* Mount vol on its own mount point unless the right subvolume is there. */
static int
mount_volume(const struct btrfs_backend *b, const char *uuid, const char *vol,
    struct tnfs_err *err)
{
	char mp[PATH_MAX];
	uint64_t id, have;

	if (mnt_path(b, uuid, mp, err) == -1 ||
	    btrfs_subvol_id(vol, &id, err) == -1)
		return -1;
	if (btrfs_is_mountpoint(mp)) {
		if (btrfs_subvol_id(mp, &have, NULL) == 0 && have == id)
			return 0;
		/* A rollback replaced the subvolume: swap the mount. */
		if (btrfs_umount(mp, err) == -1)
			return -1;
	}
	if (fsutil_mkdir_p(mp, 0700, err) == -1)
		return -1;
	return btrfs_mount_subvol(b->device, id, mp, err);
}

/*
 * Give the subvolume at vol its limit and its own mount.  created: this
 * call made vol, so a failure deletes it again (nothing of uuid is left).
 */
static int
finish_volume(const struct btrfs_backend *b, const char *uuid, const char *vol,
    uint64_t size_mib, int created, struct tnfs_err *err)
{
	char mp[PATH_MAX];

	if (btrfs_qgroup_limit(vol, size_mib * MIB, err) == 0 &&
	    mount_volume(b, uuid, vol, err) == 0)
		return 0;
	if (created) {
		if (mnt_path(b, uuid, mp, NULL) == 0) {
			btrfs_umount(mp, NULL);
			rmdir(mp);
		}
		delete_subvol(vol, NULL);
	}
	tnfs_err_prefix(err, "volume %s", uuid);
	return -1;
}

static int
btrfs_volume_create(
    void *impl, const char *uuid, uint64_t size_mib, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX];
	int created = 0;

	if (vol_path(b, uuid, vol, err) == -1)
		goto fail;
	if (!btrfs_is_subvol(vol)) {
		if (check_room(b, "create the volume", err) == -1 ||
		    btrfs_subvol_create(vol, err) == -1)
			goto fail;
		created = 1;
	}
	return finish_volume(b, uuid, vol, size_mib, created, err);
fail:
	tnfs_err_prefix(err, "volume %s", uuid);
	return -1;
}

static int
btrfs_volume_resize(
    void *impl, const char *uuid, uint64_t size_mib, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX];

	if (stored_vol_path(b, uuid, vol, err) == -1)
		return -1;
	if (check_room(b, "grow the volume", err) == -1 ||
	    btrfs_qgroup_limit(vol, size_mib * MIB, err) == -1) {
		tnfs_err_prefix(err, "volume %s", uuid);
		return -1;
	}
	return 0;
}

static int
delete_snapshots(
    const struct btrfs_backend *b, const char *uuid, struct tnfs_err *err)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = -1;

	if (fsutil_path(dir, err, "%s/snapshots/%s", b->root, uuid) == -1)
		return -1;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "%s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fsutil_path(p, err, "%s/%s", dir, de->d_name) == -1 ||
		    delete_subvol(p, err) == -1)
			goto out;
	}
	if (rmdir(dir) == -1 && errno != ENOENT) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "rmdir %s", dir);
		goto out;
	}
	rc = 0;
out:
	closedir(d);
	return rc;
}

static int
btrfs_volume_destroy(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX], mp[PATH_MAX];
	int rc = -1;

	if (vol_path(b, uuid, vol, err) == -1 ||
	    mnt_path(b, uuid, mp, err) == -1)
		goto out;
	if (btrfs_umount(mp, err) == -1)
		goto out;
	if (rmdir(mp) == -1 && errno != ENOENT) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "rmdir %s", mp);
		goto out;
	}
	if (delete_snapshots(b, uuid, err) == -1 ||
	    delete_subvol(vol, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "cannot destroy volume %s", uuid);
	return rc;
}

static int
btrfs_volume_activate(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX];

	if (stored_vol_path(b, uuid, vol, err) == -1)
		return -1;
	if (mount_volume(b, uuid, vol, err) == -1) {
		tnfs_err_prefix(err, "volume %s", uuid);
		return -1;
	}
	return 0;
}

static int
btrfs_volume_exists(void *impl, const char *uuid)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX];

	if (vol_path(b, uuid, vol, NULL) == -1)
		return 0;
	return btrfs_is_subvol(vol);
}

static int
btrfs_volume_path(
    void *impl, const char *uuid, char *buf, size_t len, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char mp[PATH_MAX];
	int n;

	if (storage_uuid_check(uuid, err) == -1 ||
	    mnt_path(b, uuid, mp, err) == -1)
		return -1;
	n = snprintf(buf, len, "%s", mp);
	if (n < 0 || (size_t)n >= len) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "path buffer too small");
		return -1;
	}
	return 0;
}

static int
btrfs_volume_usage(void *impl, const char *uuid, struct storage_usage *out,
    struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX];
	uint64_t id, used, limit;

	if (stored_vol_path(b, uuid, vol, err) == -1)
		return -1;
	if (btrfs_subvol_id(vol, &id, err) == -1 ||
	    btrfs_usage_read(b->usage, id, &used, &limit, err) == -1) {
		tnfs_err_prefix(err, "volume %s", uuid);
		return -1;
	}
	out->used_mib = (used + MIB - 1) / MIB;
	out->avail_mib = limit > used ? (limit - used) / MIB : 0;
	return 0;
}

static int
snap_path(const struct btrfs_backend *b, const char *uuid, const char *snap,
    char *buf, struct tnfs_err *err)
{
	if (storage_uuid_check(uuid, err) == -1 ||
	    btrfs_snapshot_name_check(snap, err) == -1)
		return -1;
	return fsutil_path(buf, err, "%s/snapshots/%s/%s", b->root, uuid, snap);
}

static int
btrfs_snapshot_create(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
	const char *argv[] = {
	    "btrfs", "subvolume", "snapshot", "-r", vol, dst, NULL};

	if (vol_path(b, uuid, vol, err) == -1 ||
	    snap_path(b, uuid, snap, dst, err) == -1 ||
	    fsutil_path(dir, err, "%s/snapshots/%s", b->root, uuid) == -1)
		return -1;
	if (!btrfs_is_subvol(vol)) {
		tnfs_err_set(
		    err, TNFS_E_NOT_FOUND, "volume %s has no storage", uuid);
		return -1;
	}
	if (access(dst, F_OK) == 0) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_EXISTS,
		    "snapshot %s of volume %s already exists", snap, uuid);
		return -1;
	}
	if (fsutil_mkdir_p(dir, 0700, err) == -1 ||
	    btrfs_run(argv, "cannot take the snapshot", NULL, err) == -1) {
		tnfs_err_prefix(err, "snapshot %s of volume %s", snap, uuid);
		return -1;
	}
	return 0;
}

/* Absent snapshot: success, so a retried delete converges. */
static int
btrfs_snapshot_delete(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char dst[PATH_MAX];

	if (snap_path(b, uuid, snap, dst, err) == -1)
		return -1;
	if (delete_subvol(dst, err) == -1) {
		tnfs_err_prefix(err, "snapshot %s of volume %s", snap, uuid);
		return -1;
	}
	return 0;
}

/*
 * rename src to dst, or dst.1, dst.2 ... when taken: never overwrite.  The
 * name used goes into chosen (PATH_MAX) when not NULL.
 */
static int
rename_aside(
    const char *src, const char *dst, char *chosen, struct tnfs_err *err)
{
	char p[PATH_MAX];
	int i;

	for (i = 0; i < 1000; i++) {
		if ((i == 0 ? fsutil_path(p, err, "%s", dst)
			    : fsutil_path(p, err, "%s.%d", dst, i)) == -1)
			return -1;
		if (renameat2(AT_FDCWD, src, AT_FDCWD, p, RENAME_NOREPLACE) ==
		    0) {
			if (chosen != NULL)
				memcpy(chosen, p, PATH_MAX);
			return 0;
		}
		if (errno != EEXIST) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "cannot move %s aside", src);
			return -1;
		}
	}
	tnfs_err_set(err, TNFS_E_INTERNAL, "too many orphans named %s", dst);
	return -1;
}

/*
 * Replace the live subvolume by a writable snapshot of snap, keeping its
 * size limit, so that a crash at any point (kill -9 of the VAPI) leaves
 * either the volume as it was or the volume rolled back, never neither:
 * the copy is made and limited under trash/ first, then swapped with the
 * live one in one renameat2(RENAME_EXCHANGE).  What trash/ holds at the
 * next start (the unfinished copy, or the replaced volume) is deleted
 * then; the replaced volume is deleted at once unless the export still
 * holds it.
 */
static int
btrfs_snapshot_rollback(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX], src[PATH_MAX], copy[PATH_MAX], trash[PATH_MAX],
	    old[PATH_MAX];
	const char *argv[] = {
	    "btrfs", "subvolume", "snapshot", src, copy, NULL};
	uint64_t limit;
	struct tnfs_err derr = {0};
	int swapped = 0, rc = -1;

	if (vol_path(b, uuid, vol, err) == -1 ||
	    snap_path(b, uuid, snap, src, err) == -1 ||
	    fsutil_path(copy, err, "%s/trash/%s.rollback", b->root, uuid) ==
		-1 ||
	    fsutil_path(trash, err, "%s/trash/%s.%lld", b->root, uuid,
		(long long)time(NULL)) == -1)
		goto out;
	if (!btrfs_is_subvol(vol)) {
		tnfs_err_set(
		    err, TNFS_E_NOT_FOUND, "volume %s has no storage", uuid);
		goto out;
	}
	if (!btrfs_is_subvol(src)) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
		    "volume %s has no snapshot %s", uuid, snap);
		goto out;
	}
	/* A copy an earlier rollback left behind is nobody's data. */
	if (limit_of(b, vol, &limit, err) == -1 ||
	    delete_subvol(copy, err) == -1 ||
	    btrfs_run(argv, "cannot copy the snapshot", NULL, err) == -1)
		goto out;
	if (limit != 0 && btrfs_qgroup_limit(copy, limit, err) == -1)
		goto out;
	if (renameat2(AT_FDCWD, copy, AT_FDCWD, vol, RENAME_EXCHANGE) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot put the copy of the snapshot in place of %s", vol);
		goto out;
	}
	swapped = 1;
	/* copy now names the replaced volume. */
	if (mount_volume(b, uuid, vol, err) == -1)
		goto out;
	swapped = 0;
	if (rename_aside(copy, trash, old, &derr) == -1 ||
	    delete_subvol(old, &derr) == -1)
		log_err(TNFS_LOG_WARN, &derr,
		    "rolled-back subvolume of %s kept until the next start",
		    uuid);
	rc = 0;
out:
	/* Not served rolled back: serve it as it was. */
	if (swapped &&
	    renameat2(AT_FDCWD, copy, AT_FDCWD, vol, RENAME_EXCHANGE) == 0) {
		mount_volume(b, uuid, vol, NULL);
		swapped = 0;
	}
	if (rc == -1) {
		/* Still swapped, copy names the volume's old data: keep it. */
		if (!swapped)
			delete_subvol(copy, NULL);
		tnfs_err_prefix(
		    err, "cannot roll volume %s back to %s", uuid, snap);
	}
	return rc;
}

/*
 * A writable snapshot of the read-only snapshot, in the new volume's place:
 * it shares the snapshot's extents (copy on write), so it costs no time
 * and no space until either side writes, and deleting src later leaves it
 * whole.  btrfs makes the snapshot in one transaction, so a subvolume at
 * vol after a crash is the whole copy: a retry only limits and mounts it.
 * Its qgroup (made by btrfs with the subvolume) counts the shared extents
 * as referenced, hence a limit no smaller than the source's.
 */
static int
btrfs_volume_clone(void *impl, const char *uuid, const char *src,
    const char *snap, uint64_t size_mib, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX], from[PATH_MAX];
	const char *argv[] = {"btrfs", "subvolume", "snapshot", from, vol, NULL};
	int created = 0;

	if (vol_path(b, uuid, vol, err) == -1 ||
	    snap_path(b, src, snap, from, err) == -1)
		goto fail;
	if (!btrfs_is_subvol(vol)) {
		if (!btrfs_is_subvol(from)) {
			tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
			    "volume %s has no snapshot %s", src, snap);
			goto fail;
		}
		if (check_room(b, "create the volume", err) == -1 ||
		    btrfs_run(argv, "cannot copy the snapshot", NULL, err) ==
			-1)
			goto fail;
		created = 1;
	}
	return finish_volume(b, uuid, vol, size_mib, created, err);
fail:
	tnfs_err_prefix(err, "volume %s, clone of %s@%s", uuid, src, snap);
	return -1;
}

static int
btrfs_list(void *impl, char ***uuids, size_t *n, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char dir[PATH_MAX], p[PATH_MAX];
	char **v = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	DIR *d = NULL;
	int rc = -1;

	if (fsutil_path(dir, err, "%s/volumes", b->root) == -1)
		goto out;
	if ((d = opendir(dir)) == NULL) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "%s", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!tnfs_uuid_valid(de->d_name) ||
		    fsutil_path(p, err, "%s/%s", dir, de->d_name) == -1 ||
		    !btrfs_is_subvol(p))
			continue;
		if (storage_list_append(&v, &count, &cap, de->d_name) == -1)
			goto oom;
	}
	*uuids = v;
	*n = count;
	v = NULL;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	while (v != NULL && count > 0)
		free(v[--count]);
	free(v);
	if (d != NULL)
		closedir(d);
	return rc;
}

static int
btrfs_orphan_set_aside(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct btrfs_backend *b = impl;
	char vol[PATH_MAX], mp[PATH_MAX], dst[PATH_MAX], snaps[PATH_MAX];
	int rc = -1;

	if (vol_path(b, uuid, vol, err) == -1 ||
	    mnt_path(b, uuid, mp, err) == -1 ||
	    fsutil_path(snaps, err, "%s/snapshots/%s", b->root, uuid) == -1)
		goto out;
	if (btrfs_umount(mp, err) == -1)
		goto out;
	rmdir(mp);
	if (btrfs_is_subvol(vol)) {
		if (fsutil_path(dst, err, "%s/orphans/%s", b->root, uuid) == -1 ||
		    rename_aside(vol, dst, NULL, err) == -1)
			goto out;
	}
	if (access(snaps, F_OK) == 0) {
		if (fsutil_path(dst, err, "%s/orphans/%s.snapshots", b->root,
			uuid) == -1 ||
		    rename_aside(snaps, dst, NULL, err) == -1)
			goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "orphan %s", uuid);
	return rc;
}

/* Both kinds differ only in how the pool is found (storage_btrfs_root.c). */
#define BTRFS_OPS_COMMON                                                     \
	.has_quota = 1, .has_snapshots = 1, .close = storage_btrfs_close,    \
	.keep_mounts = storage_btrfs_keep_mounts,                            \
	.volume_create = btrfs_volume_create,                                \
	.volume_resize = btrfs_volume_resize,                                \
	.volume_destroy = btrfs_volume_destroy,                              \
	.volume_activate = btrfs_volume_activate,                            \
	.volume_exists = btrfs_volume_exists,                                \
	.volume_path = btrfs_volume_path,                                    \
	.volume_usage = btrfs_volume_usage,                                  \
	.snapshot_create = btrfs_snapshot_create,                            \
	.snapshot_delete = btrfs_snapshot_delete,                            \
	.snapshot_rollback = btrfs_snapshot_rollback,                        \
	.volume_clone = btrfs_volume_clone, .list = btrfs_list,              \
	.orphan_set_aside = btrfs_orphan_set_aside

const struct storage_ops storage_btrfs_ops = {
    .kind = "btrfs",
    .open = storage_btrfs_open,
    BTRFS_OPS_COMMON,
};

const struct storage_ops storage_btrfs_image_ops = {
    .kind = "btrfs-image",
    .open = storage_btrfs_image_open,
    BTRFS_OPS_COMMON,
};
