/*
 * snapshots.h: the core of volume snapshots as RFD 26 designed them
 * (Triton never built them): create, list, get, delete, roll back.
 * api_snapshots.c is their HTTP side.
 *
 * Every function takes the volume's uuid and the owner it is scoped to
 * (NULL: any; another owner's volume is VolumeNotFound), and returns 0, or
 * -1 with err.  They block on the store and on provision_call.
 */
#ifndef TNFS_VAPI_SNAPSHOTS_H
#define TNFS_VAPI_SNAPSHOTS_H

#include <stddef.h>

#include "err.h"
#include "store.h"
#include "vapi.h"

/*
 * The volume must be ready; *out is the snapshot as created.  After a
 * timeout (504) the snapshot stays "creating" until the storage answers.
 */
int snapshots_create(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct snapshot *out, struct tnfs_err *err);
/* In creation order; caller frees *out with free(3). */
int snapshots_list(struct vapi *va, const char *uuid, const char *owner,
    struct snapshot **out, size_t *n, struct tnfs_err *err);
int snapshots_get(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct snapshot *out, struct tnfs_err *err);
/* One still "creating" cannot be deleted yet (409 VolumeNotReady). */
int snapshots_delete(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct tnfs_err *err);
/*
 * Return the volume to the snapshot; the snapshots taken after it are
 * deleted.  *out is the volume as it is now (caller volume_free()s).
 */
int snapshots_rollback(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct volume **out, struct tnfs_err *err);

/*
 * The storage half of a create or a delete, run by a provisioning worker
 * (provision.c) on the volume's turn; each moves the record on itself, so
 * a caller that stopped waiting still leaves a true record: created once
 * the snapshot is on storage, gone once it is not, or left creating /
 * deleting (for snapshots_recover) when the storage cannot tell.
 */
int snapshots_job_create(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err);
int snapshots_job_delete(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err);

/*
 * At start, before any worker runs: remove from storage and then from the
 * store every snapshot a crash left creating or deleting.  Logs what it
 * cannot settle (it stays as it is, for the next start).  Does nothing on
 * a store several instances share (store_shared): another may be taking
 * or deleting the snapshot at that moment.
 */
void snapshots_recover(struct vapi *va);

#endif
