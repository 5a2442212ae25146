/*
 * provision.h: the provisioner, which turns volume records into storage and
 * exports outside of any HTTP request.
 *
 * Worker threads drive creating -> ready|failed and deleting -> gone.  They
 * find their work in the store (volumes in those states), so a restart
 * picks up whatever a crash interrupted.  One exporter thread owns
 * exporter_sync: workers ask for a sync and wait for one that covers their
 * change, so a storm of creates costs a few reloads, not one each.
 * Operations on one volume never run concurrently.
 */
#ifndef TNFS_VAPI_PROVISION_H
#define TNFS_VAPI_PROVISION_H

#include <stdint.h>

#include "err.h"
#include "vapi.h"

enum provision_op {
	PROVISION_RESIZE,        /* storage_volume_resize to size */
	PROVISION_SNAP_CREATE,   /* snapshots_job_create of snap */
	PROVISION_SNAP_DELETE,   /* snapshots_job_delete of snap */
	PROVISION_SNAP_ROLLBACK, /* storage_snapshot_rollback to snap */
	PROVISION_RESTART,       /* activate the storage, re-sync exports */
	PROVISION_USAGE,         /* storage_volume_usage into *usage */
};

struct storage_usage;

/*
 * Recover (activate ready volumes, set orphans aside), start the exporter
 * and nworkers threads.  Caller stops with provision_stop.
 */
struct provision *provision_start(
    struct vapi *va, int nworkers, struct tnfs_err *err);

/* Something changed in the store: look for work now. */
void provision_kick(struct provision *p);

/*
 * Run one storage operation on volume uuid in a worker and wait for it, up
 * to the configured storage deadline (then 504 Timeout; the operation
 * still finishes in the background).
 */
int provision_call(struct provision *p, enum provision_op op, const char *uuid,
    uint64_t size, const char *snap, struct storage_usage *usage,
    struct tnfs_err *err);

/*
 * Make the NFS server serve what the store says now (who each export
 * admits changed: fence.h) and wait for it, up to the export deadline.
 * uuid names the one volume whose export changed, or is NULL when any
 * may have (a host came or went): the sync then reads every exported
 * volume again.  0 at once when p is NULL (no provisioner: tests of the
 * core).
 */
int provision_export_sync(
    struct provision *p, const char *uuid, struct tnfs_err *err);
/* The same without waiting. */
void provision_export_ask(struct provision *p, const char *uuid);

/* Finish the operations under way, stop the threads, free p. */
void provision_stop(struct provision *p);

/* The export path of a volume into buf. */
void provision_export_path(const char *uuid, char *buf, size_t len);

/*
 * Whether volumes are served: the exporter is healthy, or, for an NFS head
 * another instance runs (exports_head.h), that instance is alive.
 */
int provision_exports_healthy(struct provision *p);

#endif
