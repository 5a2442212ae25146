/*
 * storage_btrfs_impl.h: what the two files of the btrfs storage backends
 * share: storage_btrfs_root.c finds the pool and sets its layout up (open,
 * close); storage_btrfs.c does the per-volume work and holds the ops
 * tables.  Nothing else includes it.
 */
#ifndef TNFS_VAPI_STORAGE_BTRFS_IMPL_H
#define TNFS_VAPI_STORAGE_BTRFS_IMPL_H

#include <limits.h>
#include <stdint.h>

#include "btrfs_usage.h"
#include "err.h"

#define MIB (UINT64_C(1) << 20)

struct btrfs_backend {
	char root[PATH_MAX];    /* the pool's directory (realpath) */
	char mnt_dir[PATH_MAX]; /* state_dir/exports */
	char device[PATH_MAX];  /* what the per-volume mounts mount */
	int image;              /* btrfs-image: we own the pool mount */
	char loopdev[PATH_MAX]; /* btrfs-image: our loop device */
	int keep_mounts;        /* close leaves the per-volume mounts */
	/*
	 * Usage from the kernel's qgroup counters, one volume's at a time:
	 * a `btrfs qgroup show --sync` per GetVolume cost tens of ms at a
	 * thousand volumes.
	 */
	struct btrfs_usage *usage;
};

/*
 * The storage_ops open and close of "btrfs" (arg: the mounted pool's
 * directory) and "btrfs-image" (arg: FILE,SIZE, attached and mounted
 * under state_dir).  Close unmounts the per-volume mounts; NULL is a
 * no-op.
 */
void *storage_btrfs_open(
    const char *arg, const char *state_dir, struct tnfs_err *err);
void *storage_btrfs_image_open(
    const char *arg, const char *state_dir, struct tnfs_err *err);
void storage_btrfs_close(void *impl);
void storage_btrfs_keep_mounts(void *impl, int keep);

/*
 * Delete what earlier rollbacks left in trash/ (a replaced subvolume the
 * export still held); what cannot go yet is logged and kept.
 */
void storage_btrfs_empty_trash(const struct btrfs_backend *b);

#endif
