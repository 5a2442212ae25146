/*
 * refs.h: the core of references and reservations (§1.8-1.9 of the
 * reference), over typed values; api_refs.c is their HTTP side.
 *
 * A reference says "this Docker host uses the volume".  It holds the
 * volume only while its holder is alive: a host record of the same owner
 * with a fresh heartbeat (hosts.h), as Triton's VOLAPI counts only
 * references of VMs that VMAPI knows as active.  A reference of a holder
 * that never registered is ignored and reaped; one of a holder whose
 * heartbeat expired is ignored until it returns.  References are also
 * leases: refs_add renews one, and one not renewed within the configured
 * lease no longer holds and is reaped by the provisioner.  On a network
 * shared by several owners, adding a reference admits the holder's
 * address to the export before refs_add returns (fence.h).  A
 * reservation stands for a volume that a job is about to use; creating
 * that volume turns it into a reference.
 *
 * Every function returns 0, or -1 with err.
 */
#ifndef TNFS_VAPI_REFS_H
#define TNFS_VAPI_REFS_H

#include <stddef.h>

#include "err.h"
#include "store.h"
#include "vapi.h"

/* Add or renew vm's reference on the volume (refused while deleting). */
int refs_add(struct vapi *va, const char *uuid, const char *owner,
    const char *vm, struct tnfs_err *err);
/* Drop vm's reference; absent is not an error. */
int refs_remove(struct vapi *va, const char *uuid, const char *owner,
    const char *vm, struct tnfs_err *err);

struct resv_req {
	const char *volume_name;
	const char *job_uuid;
	const char *owner_uuid;
	const char *vm_uuid;
};

/*
 * Record a reservation, replacing one of the same (name, vm, owner); a
 * ready volume of that name is referenced at once.  *out receives the
 * record; its volume_name is borrowed from rq (do not free it).
 */
int resv_add(struct vapi *va, const struct resv_req *rq,
    struct reservation *out, struct tnfs_err *err);
/* 404 VolumeReservationNotFound when no such (uuid, owner). */
int resv_remove(
    struct vapi *va, const char *uuid, const char *owner, struct tnfs_err *err);
/*
 * The reservations matching rq (NULL members match everything).  Caller
 * frees with reservation_list_free.
 */
int resv_list(struct vapi *va, const struct resv_req *rq,
    struct reservation **out, size_t *n, struct tnfs_err *err);

#endif
