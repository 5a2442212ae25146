/*
 * btrfs.h: the small pieces the btrfs storage backend is built from, kept
 * apart so they can be tested without a btrfs filesystem: the parser of
 * /proc/self/mountinfo, the validators of names that become paths, the
 * subvolume calls made straight to the kernel, and the thin wrappers that
 * run btrfs, mount and losetup through child_run (argv and a deadline,
 * never a shell).  Private to storage_btrfs.c and its tests.
 */
#ifndef TNFS_BTRFS_H
#define TNFS_BTRFS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Deadlines of the programs we run: btrfs commands commit transactions. */
#define BTRFS_CMD_TIMEOUT_MS  120000
#define BTRFS_MKFS_TIMEOUT_MS 300000

/*
 * One line of /proc/self/mountinfo, with the octal escapes (\040 for a
 * space) decoded.  The strings point into the caller's buffer.
 */
struct btrfs_mount {
	const char *root; /* path of the mount's root inside its fs */
	const char *mountpoint;
	const char *fstype;
	const char *source;
};

/*
 * Find the mount whose mount point is exactly path (want_prefix 0), or the
 * deepest mount point containing path (want_prefix 1), in mountinfo text.
 * The text is modified (escapes decoded in place); m points into it.  When
 * several mounts are stacked on one point the last (the visible one) wins.
 * 1 when found, 0 when not.
 */
int btrfs_mountinfo_find(
    char *text, const char *path, int want_prefix, struct btrfs_mount *m);

/* Read /proc/self/mountinfo into a buffer the caller frees. */
char *btrfs_mountinfo_read(struct tnfs_err *err);

/* 1 when path is a mount point now (statx, or /proc/self/mountinfo). */
int btrfs_is_mountpoint(const char *path);

/*
 * Split the btrfs-image spec "FILE,SIZE" (SIZE as tnfs_size_parse takes it,
 * at least 256M so mkfs.btrfs has room).  *file is a new string the caller
 * frees.  FILE must be an absolute path without control characters.
 */
int btrfs_image_spec_parse(
    const char *arg, char **file, uint64_t *size_mib, struct tnfs_err *err);

/*
 * A snapshot name that is safe as one path component: 1-255 bytes, no '/',
 * no control characters, not "." or "..", and not starting with '.' (so
 * no hidden or temporary names).  0 when valid, -1 and a ValidationError.
 */
int btrfs_snapshot_name_check(const char *name, struct tnfs_err *err);

/* The id of the subvolume whose root (or any file) is at path. */
int btrfs_subvol_id(const char *path, uint64_t *id, struct tnfs_err *err);

/* 1 when path is the root directory of a btrfs subvolume, else 0. */
int btrfs_is_subvol(const char *path);

/*
 * Run argv with the btrfs deadline.  On failure err says what was tried
 * ("what: <program>: <stderr>"); a lack of space (ENOSPC, EDQUOT) becomes
 * TNFS_E_NO_SPACE.  out, when not NULL, receives stdout (caller frees).
 */
int btrfs_run(const char *const argv[], const char *what, char **out,
    struct tnfs_err *err);

/*
 * The subvolume calls, made straight to the kernel (a child process for
 * each cost tens of ms per volume): create and delete the subvolume at
 * path (an absolute path; its parent must exist), set the referenced
 * limit of its own qgroup, mount subvolume subvol_id of device on mp.  A
 * lack of space is TNFS_E_NO_SPACE.
 */
int btrfs_subvol_create(const char *path, struct tnfs_err *err);
int btrfs_subvol_delete(const char *path, struct tnfs_err *err);
int btrfs_qgroup_limit(const char *path, uint64_t bytes, struct tnfs_err *err);
int btrfs_mount_subvol(const char *device, uint64_t subvol_id, const char *mp,
    struct tnfs_err *err);

/*
 * umount(2) path; when busy, detach it lazily so a new mount can take its
 * place.
 */
int btrfs_umount(const char *path, struct tnfs_err *err);

/*
 * btrfs-image: make the pool of spec arg ("FILE,SIZE") ready under
 * state_dir: create and format FILE on first use, attach it to a loop
 * device (or reuse the one recorded or still mounted), mount it on
 * state_dir/pool and enable quotas.  pool and loopdev (PATH_MAX each)
 * receive the mount point and the device; *attached says whether this call
 * mounted it (then btrfs_pool_detach undoes it).
 */
int btrfs_pool_attach(const char *arg, const char *state_dir, char *pool,
    char *loopdev, int *attached, struct tnfs_err *err);

/* Unmount the pool and detach its loop device (lazily when busy). */
void btrfs_pool_detach(const char *pool, const char *loopdev);

#endif
