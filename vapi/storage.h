/*
 * storage.h: where a volume's bytes live (the provisioner's storage half).
 *
 * Backend-neutral on purpose (btrfs today, CephFS subvolumes later): each
 * volume is identified by its uuid, never by its user-supplied name.  Every
 * call may block on the filesystem or a child process; the VAPI calls them
 * only from its provisioning workers, never from the HTTP thread.  Calls on
 * different volumes may run concurrently; calls on one volume are
 * serialised by the caller.
 *
 * Backends:
 *   dir:ROOT                 plain directories, no limit, no snapshots
 *   btrfs:ROOT               subvolumes with qgroup limits under a mounted
 *                            btrfs with quotas enabled
 *   btrfs-image:FILE,SIZE    the embedded default: a loop-mounted btrfs in
 *                            a sparse file, created on first use
 *   cephfs:CONF[,...]        CephFS subvolumes with quotas, exported by
 *                            ganesha heads with FSAL_CEPH (docs/cephfs.md)
 */
#ifndef TNFS_STORAGE_H
#define TNFS_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct storage;

struct storage_usage {
	uint64_t used_mib;
	uint64_t avail_mib;
};

/*
 * Open the backend named by spec, under state_dir for anything it keeps
 * (mount points, the image's loop mount).  Caller frees with storage_close.
 */
struct storage *storage_open(
    const char *spec, const char *state_dir, struct tnfs_err *err);
void storage_close(struct storage *st);
/*
 * Whether storage_close leaves the per-volume mounts (btrfs) in place (by
 * default it unmounts them): on a host where several instances share one
 * NFS head, the mounts are the head's, which another instance may be
 * serving (exports_head.h).  The next activate of each volume finds its
 * mount there.  A no-op for backends without such mounts.
 */
void storage_keep_mounts(struct storage *st, int keep);

/* "dir", "btrfs", "btrfs-image". */
const char *storage_kind(const struct storage *st);

/* Whether the backend can limit sizes and take snapshots. */
int storage_has_quota(const struct storage *st);
int storage_has_snapshots(const struct storage *st);

/*
 * Create the volume's filesystem with a size limit of size_mib, and make it
 * reachable at its export path.  Idempotent: an existing volume of that
 * uuid is kept and its limit set.
 */
int storage_volume_create(struct storage *st, const char *uuid,
    uint64_t size_mib, struct tnfs_err *err);

/* Raise the limit in place; never shrinks (the VAPI refuses that first). */
int storage_volume_resize(struct storage *st, const char *uuid,
    uint64_t size_mib, struct tnfs_err *err);

/* Destroy the volume and all its snapshots.  Absent volume: success. */
int storage_volume_destroy(
    struct storage *st, const char *uuid, struct tnfs_err *err);

/*
 * Make an existing volume reachable again after a restart (re-create its
 * own mount point).  Fails with VolumeNotFound when it has no storage.
 */
int storage_volume_activate(
    struct storage *st, const char *uuid, struct tnfs_err *err);

/* 1 when the volume has storage, 0 when not. */
int storage_volume_exists(struct storage *st, const char *uuid);

/* The directory to export for this volume, into buf. */
int storage_volume_path(struct storage *st, const char *uuid, char *buf,
    size_t len, struct tnfs_err *err);

/*
 * What an NFS server needs beyond the path to reach a volume that is not a
 * local directory: for cephfs, the file system and the volume's own cephx
 * user and key.  All empty for a local backend.
 */
struct storage_access {
	char fs[64];
	char user[128];
	char secret[128];
};
int storage_volume_access(struct storage *st, const char *uuid,
    struct storage_access *out, struct tnfs_err *err);

int storage_volume_usage(struct storage *st, const char *uuid,
    struct storage_usage *out, struct tnfs_err *err);

/*
 * Snapshots are read-only point-in-time copies named by the user (the VAPI
 * validates the name).  Rollback replaces the live volume with a writable
 * copy of the snapshot; the VAPI deletes the later snapshots itself.  On a
 * backend without snapshots these fail with NotSupported ("... not supported
 * by the dir storage backend").
 */
int storage_snapshot_create(struct storage *st, const char *uuid,
    const char *snap, struct tnfs_err *err);
int storage_snapshot_delete(struct storage *st, const char *uuid,
    const char *snap, struct tnfs_err *err);
int storage_snapshot_rollback(struct storage *st, const char *uuid,
    const char *snap, struct tnfs_err *err);

/*
 * Create volume uuid as a writable copy of snapshot snap of volume src,
 * limited to size_mib, and make it reachable as create does.  The copy is
 * a volume of its own: writes to either side never reach the other, and
 * src (with its snapshots) may be destroyed while the copy lives.  The
 * caller gives a size no smaller than src's, so the copy has room for what
 * the snapshot holds.  Idempotent as create is: storage uuid already has
 * (a clone a crash interrupted) is finished, not copied again.  On
 * failure nothing of uuid is left.  SnapshotNotFound when src has no such
 * snapshot; NotSupported on a backend without snapshots.
 */
int storage_volume_clone(struct storage *st, const char *uuid,
    const char *src, const char *snap, uint64_t size_mib,
    struct tnfs_err *err);

/*
 * The uuids of every volume the backend holds, for start-up reconciliation.
 * *uuids is an array of strings the caller frees with storage_list_free.
 */
int storage_list(
    struct storage *st, char ***uuids, size_t *n, struct tnfs_err *err);
void storage_list_free(char **uuids, size_t n);

/*
 * Move an orphan (storage with no record) aside so it no longer counts as a
 * volume, without deleting a byte of it.
 */
int storage_orphan_set_aside(
    struct storage *st, const char *uuid, struct tnfs_err *err);

#endif
