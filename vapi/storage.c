/*
 * storage.c: the table of storage backends and the storage_* calls that
 * forward to the one a spec names ("dir:/srv/vols" -> storage_dir_ops).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage_impl.h"

static const struct storage_ops *const backends[] = {
    &storage_dir_ops,
    &storage_btrfs_ops,
    &storage_btrfs_image_ops,
    &storage_cephfs_ops,
    NULL,
};

struct storage {
	const struct storage_ops *ops;
	void *impl;
};

struct storage *
storage_open(const char *spec, const char *state_dir, struct tnfs_err *err)
{
	const struct storage_ops *ops = NULL;
	struct storage *st;
	const char *colon = strchr(spec, ':');
	size_t i, klen;

	if (colon == NULL || colon[1] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage %s: expected KIND:ARGUMENT such as "
		    "dir:/srv/volumes",
		    spec);
		return NULL;
	}
	klen = (size_t)(colon - spec);
	for (i = 0; backends[i] != NULL; i++) {
		if (strlen(backends[i]->kind) == klen &&
		    strncmp(backends[i]->kind, spec, klen) == 0) {
			ops = backends[i];
			break;
		}
	}
	if (ops == NULL) {
		char kinds[256];
		size_t at = 0;

		/* The table's own kinds, so a new backend names itself. */
		kinds[0] = '\0';
		for (i = 0; backends[i] != NULL && at < sizeof(kinds); i++) {
			int n = snprintf(kinds + at, sizeof(kinds) - at, "%s%s",
			    i > 0 ? ", " : "", backends[i]->kind);

			if (n < 0)
				break;
			at += (size_t)n;
		}
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage %s: unknown backend %.*s (this build has: %s)",
		    spec, (int)klen, spec, kinds);
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	st->ops = ops;
	if ((st->impl = ops->open(colon + 1, state_dir, err)) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
storage_close(struct storage *st)
{
	if (st == NULL)
		return;
	st->ops->close(st->impl);
	free(st);
}

void
storage_keep_mounts(struct storage *st, int keep)
{
	if (st->ops->keep_mounts != NULL)
		st->ops->keep_mounts(st->impl, keep);
}

const char *
storage_kind(const struct storage *st)
{
	return st->ops->kind;
}

int
storage_has_quota(const struct storage *st)
{
	return st->ops->has_quota;
}

int
storage_has_snapshots(const struct storage *st)
{
	return st->ops->has_snapshots;
}

int
storage_volume_create(struct storage *st, const char *uuid, uint64_t size_mib,
    struct tnfs_err *err)
{
	return st->ops->volume_create(st->impl, uuid, size_mib, err);
}

int
storage_volume_resize(struct storage *st, const char *uuid, uint64_t size_mib,
    struct tnfs_err *err)
{
	return st->ops->volume_resize(st->impl, uuid, size_mib, err);
}

int
storage_volume_destroy(
    struct storage *st, const char *uuid, struct tnfs_err *err)
{
	return st->ops->volume_destroy(st->impl, uuid, err);
}

int
storage_volume_activate(
    struct storage *st, const char *uuid, struct tnfs_err *err)
{
	return st->ops->volume_activate(st->impl, uuid, err);
}

int
storage_volume_exists(struct storage *st, const char *uuid)
{
	return st->ops->volume_exists(st->impl, uuid);
}

int
storage_volume_path(struct storage *st, const char *uuid, char *buf, size_t len,
    struct tnfs_err *err)
{
	return st->ops->volume_path(st->impl, uuid, buf, len, err);
}

int
storage_volume_access(struct storage *st, const char *uuid,
    struct storage_access *out, struct tnfs_err *err)
{
	if (st->ops->volume_access == NULL) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return st->ops->volume_access(st->impl, uuid, out, err);
}

int
storage_volume_usage(struct storage *st, const char *uuid,
    struct storage_usage *out, struct tnfs_err *err)
{
	return st->ops->volume_usage(st->impl, uuid, out, err);
}

static int
not_supported(const struct storage *st, struct tnfs_err *err)
{
	tnfs_err_set(err, TNFS_E_NOT_SUPPORTED,
	    "snapshots are not supported by the %s storage backend",
	    st->ops->kind);
	return -1;
}

int
storage_snapshot_create(struct storage *st, const char *uuid, const char *snap,
    struct tnfs_err *err)
{
	if (!st->ops->has_snapshots || st->ops->snapshot_create == NULL)
		return not_supported(st, err);
	return st->ops->snapshot_create(st->impl, uuid, snap, err);
}

int
storage_snapshot_delete(struct storage *st, const char *uuid, const char *snap,
    struct tnfs_err *err)
{
	if (!st->ops->has_snapshots || st->ops->snapshot_delete == NULL)
		return not_supported(st, err);
	return st->ops->snapshot_delete(st->impl, uuid, snap, err);
}

int
storage_snapshot_rollback(struct storage *st, const char *uuid,
    const char *snap, struct tnfs_err *err)
{
	if (!st->ops->has_snapshots || st->ops->snapshot_rollback == NULL)
		return not_supported(st, err);
	return st->ops->snapshot_rollback(st->impl, uuid, snap, err);
}

int
storage_volume_clone(struct storage *st, const char *uuid, const char *src,
    const char *snap, uint64_t size_mib, struct tnfs_err *err)
{
	/* A clone is made from a snapshot: none without them. */
	if (!st->ops->has_snapshots || st->ops->volume_clone == NULL)
		return not_supported(st, err);
	return st->ops->volume_clone(st->impl, uuid, src, snap, size_mib, err);
}

int
storage_list(struct storage *st, char ***uuids, size_t *n, struct tnfs_err *err)
{
	return st->ops->list(st->impl, uuids, n, err);
}

int
storage_orphan_set_aside(
    struct storage *st, const char *uuid, struct tnfs_err *err)
{
	return st->ops->orphan_set_aside(st->impl, uuid, err);
}
