/*
 * storage_impl.h: what a storage backend implements.  storage.c holds the
 * table of backends and forwards each storage_* call of storage.h to the
 * ops of the backend the spec named; a backend never sees another.
 */
#ifndef TNFS_STORAGE_IMPL_H
#define TNFS_STORAGE_IMPL_H

#include "storage.h"

struct storage_ops {
	const char *kind; /* the spec prefix: "dir", "btrfs", "btrfs-image" */
	int has_quota;
	int has_snapshots;
	/* arg is the spec after "kind:"; returns the backend's own state. */
	void *(*open)(
	    const char *arg, const char *state_dir, struct tnfs_err *err);
	void (*close)(void *impl);
	void (*keep_mounts)(void *impl, int keep); /* NULL: no mounts */
	int (*volume_create)(void *impl, const char *uuid, uint64_t size_mib,
	    struct tnfs_err *err);
	int (*volume_resize)(void *impl, const char *uuid, uint64_t size_mib,
	    struct tnfs_err *err);
	int (*volume_destroy)(
	    void *impl, const char *uuid, struct tnfs_err *err);
	int (*volume_activate)(
	    void *impl, const char *uuid, struct tnfs_err *err);
	int (*volume_exists)(void *impl, const char *uuid);
	int (*volume_path)(void *impl, const char *uuid, char *buf, size_t len,
	    struct tnfs_err *err);
	/* NULL: a local directory, nothing beyond the path. */
	int (*volume_access)(void *impl, const char *uuid,
	    struct storage_access *out, struct tnfs_err *err);
	int (*volume_usage)(void *impl, const char *uuid,
	    struct storage_usage *out, struct tnfs_err *err);
	/* NULL when has_snapshots is 0: storage.c answers NotSupported. */
	int (*snapshot_create)(void *impl, const char *uuid, const char *snap,
	    struct tnfs_err *err);
	int (*snapshot_delete)(void *impl, const char *uuid, const char *snap,
	    struct tnfs_err *err);
	int (*snapshot_rollback)(void *impl, const char *uuid, const char *snap,
	    struct tnfs_err *err);
	/* storage_volume_clone; NULL: NotSupported, as snapshots are. */
	int (*volume_clone)(void *impl, const char *uuid, const char *src,
	    const char *snap, uint64_t size_mib, struct tnfs_err *err);
	int (*list)(void *impl, char ***uuids, size_t *n, struct tnfs_err *err);
	int (*orphan_set_aside)(
	    void *impl, const char *uuid, struct tnfs_err *err);
};

/*
 * 0 when uuid is a lowercase uuid, else -1 and a ValidationError: a
 * backend checks every uuid it is given before it becomes a path
 * component, so nothing else ever does.
 */
int storage_uuid_check(const char *uuid, struct tnfs_err *err);

/*
 * Append a copy of name to the array a backend's list() builds (*n used,
 * *cap allocated).  -1 when out of memory; the array stays valid for
 * storage_list_free(*v, *n) either way.
 */
int storage_list_append(char ***v, size_t *n, size_t *cap, const char *name);

extern const struct storage_ops storage_dir_ops;         /* storage_dir.c */
extern const struct storage_ops storage_btrfs_ops;       /* storage_btrfs.c */
extern const struct storage_ops storage_btrfs_image_ops; /* storage_btrfs.c */
extern const struct storage_ops storage_cephfs_ops;      /* storage_cephfs.c */

#endif
