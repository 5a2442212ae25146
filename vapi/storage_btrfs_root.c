/*
 * storage_btrfs_root.c: where the btrfs backends' pool is and its layout
 * (see storage_btrfs.c): "btrfs" takes a mounted, quota-enabled directory,
 * "btrfs-image" attaches and mounts a pool file first (btrfs_pool.c).
 * Open checks the filesystem, makes the directories, finds the device the
 * per-volume mounts mount and empties the trash; close unmounts them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "btrfs.h"
#include "btrfs_usage.h"
#include "fsutil.h"
#include "storage_btrfs_impl.h"

/* Set up the layout under an already-mounted, quota-enabled btrfs root. */
static int
init_root(struct btrfs_backend *b, const char *root, const char *state_dir,
    struct tnfs_err *err)
{
	static const char *const dirs[] = {
	    "volumes", "snapshots", "orphans", "trash"};
	struct btrfs_mount m;
	struct statfs sfs;
	char *mi = NULL, p[PATH_MAX];
	const char *qargv[] = {"btrfs", "qgroup", "show", root, NULL};
	size_t i;
	int rc = -1;

	if (realpath(root, b->root) == NULL) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "btrfs storage root %s", root);
		goto out;
	}
	if (statfs(b->root, &sfs) == -1 || sfs.f_type != BTRFS_SUPER_MAGIC) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "btrfs storage root %s is not on a btrfs filesystem",
		    b->root);
		goto out;
	}
	if (btrfs_run(qargv,
		"quotas must be enabled on the btrfs storage "
		"root (btrfs quota enable ROOT)",
		NULL, err) == -1)
		goto out;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (fsutil_path(p, err, "%s/%s", b->root, dirs[i]) == -1 ||
		    fsutil_mkdir_p(p, 0700, err) == -1)
			goto out;
	/*
	 * Each volume is mounted under exports/ with its root's own mode
	 * (0755 from btrfs), which would bypass volumes/ 0700: exports/ is
	 * root's alone (ganesha runs as root), and an exports/ an older
	 * version made 0755 is tightened.
	 */
	if (fsutil_path(b->mnt_dir, err, "%s/exports", state_dir) == -1 ||
	    fsutil_mkdir_p(b->mnt_dir, 0700, err) == -1)
		goto out;
	if (chmod(b->mnt_dir, 0700) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot make %s private", b->mnt_dir);
		goto out;
	}
	if ((mi = btrfs_mountinfo_read(err)) == NULL)
		goto out;
	if (!btrfs_mountinfo_find(mi, b->root, 1, &m) ||
	    strcmp(m.fstype, "btrfs") != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "cannot find the btrfs mount holding %s", b->root);
		goto out;
	}
	if (fsutil_path(b->device, err, "%s", m.source) == -1 ||
	    (b->usage = btrfs_usage_open(b->root, err)) == NULL)
		goto out;
	storage_btrfs_empty_trash(b);
	rc = 0;
out:
	free(mi);
	return rc;
}

void *
storage_btrfs_open(
    const char *arg, const char *state_dir, struct tnfs_err *err)
{
	struct btrfs_backend *b;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	if (init_root(b, arg, state_dir, err) == -1) {
		free(b);
		return NULL;
	}
	return b;
}

/* Unmount every per-volume mount of ours (on close: activate re-creates). */
static void
umount_all(const struct btrfs_backend *b)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(b->mnt_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    fsutil_path(p, NULL, "%s/%s", b->mnt_dir, de->d_name) == -1)
			continue;
		btrfs_umount(p, NULL);
	}
	closedir(d);
}

void
storage_btrfs_close(void *impl)
{
	struct btrfs_backend *b = impl;

	if (b == NULL)
		return;
	/* First: its open directory would keep the pool busy. */
	btrfs_usage_close(b->usage);
	if (!b->keep_mounts)
		umount_all(b);
	if (b->image)
		btrfs_pool_detach(b->root, b->loopdev);
	free(b);
}

void
storage_btrfs_keep_mounts(void *impl, int keep)
{
	((struct btrfs_backend *)impl)->keep_mounts = keep;
}

void *
storage_btrfs_image_open(
    const char *arg, const char *state_dir, struct tnfs_err *err)
{
	struct btrfs_backend *b;
	char pool[PATH_MAX];
	int attached = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	b->image = 1;
	if (btrfs_pool_attach(
		arg, state_dir, pool, b->loopdev, &attached, err) == -1 ||
	    init_root(b, pool, state_dir, err) == -1) {
		if (attached)
			btrfs_pool_detach(pool, b->loopdev);
		free(b);
		tnfs_err_prefix(err, "btrfs-image storage");
		return NULL;
	}
	return b;
}
