/*
 * fence.h: who a volume's export admits (docs/isolation.md).
 *
 * On a network that one owner has to itself (owner_uuids lists exactly
 * one), the export admits that network's subnet: every host there is the
 * owner's.  On a network shared by several owners (owner_uuids empty or
 * several) a subnet would admit the other owners' hosts too, so the
 * export admits only the addresses of the live hosts holding a reference
 * on the volume (hosts.h).  Addresses the owner granted by hand (non-Docker
 * clients) are admitted in both cases.  An export may admit nobody.
 *
 * The provisioner's exports sync calls fence_export_clients for each volume
 * whose export changed, and fence_compute for every exported volume when
 * it reads them all (their references and grants read in bulk); the rest
 * is for the callers that must know when the answer changes (a
 * reference, a heartbeat that expired).
 */
#ifndef TNFS_VAPI_FENCE_H
#define TNFS_VAPI_FENCE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "vapi.h"

#define FENCE_MAX_GRANTS 64

/*
 * The client list of v's export now: *out is one allocation (the array
 * of *n pointers and the strings they point at) that the caller frees
 * with free(3).  Reads v's grants, and on a shared network its references
 * unless refs_loaded says v has them (not from a brief list), from the
 * store.
 */
int fence_export_clients(struct vapi *va, const struct volume *v,
    int refs_loaded, const char ***out, size_t *n, struct tnfs_err *err);

/*
 * The same from given parts, with no store: cfg's networks, v's refs
 * (with their holders' heartbeats and addresses), the grants, and the
 * instant clk.  Duplicates are dropped; the order is networks' subnets,
 * then holders, then grants.
 */
int fence_compute(const struct vapi_config *cfg, const struct volume *v,
    const struct grant *grants, size_t ngrants, const struct ref_clock *clk,
    const char ***out, size_t *n, struct tnfs_err *err);

/* 1 when one of v's networks is shared by several owners. */
int fence_is_shared(const struct vapi_config *cfg, const struct volume *v);

/*
 * A digest of the live hosts and their addresses: when it changes, a
 * holder died or came back, and the exports must be built again.
 */
int fence_live_digest(struct vapi *va, uint64_t *out, struct tnfs_err *err);

/*
 * Whether v's client list differs between before and after (whole
 * records, references loaded, as read before and after a change; either
 * may be NULL: gone).
 */
int fence_differs(struct vapi *va, const struct volume *before,
    const struct volume *after);

/*
 * Grants: addresses an owner admits to one volume by hand (non-Docker
 * clients), at most FENCE_MAX_GRANTS.  owner NULL: the operator.  Grant
 * and revoke return once the NFS server serves the new client list.
 * fence_grants' *out is the caller's to free(3).
 */
int fence_grant(struct vapi *va, const char *uuid, const char *owner,
    const char *address, struct tnfs_err *err);
int fence_revoke(struct vapi *va, const char *uuid, const char *owner,
    const char *address, struct tnfs_err *err);
int fence_grants(struct vapi *va, const char *uuid, const char *owner,
    struct grant **out, size_t *n, struct tnfs_err *err);

#endif
