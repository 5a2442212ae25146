/*
 * volumes.h: the VOLAPI domain: one handler per route (volumes.c,
 * refs.c, snapshots.c), and the helpers they share.
 *
 * A handler gets the request's parameters merged into one object (path,
 * query and body, as restify's mapParams does; routes.c has already
 * rejected unknown and missing ones), the caller, and returns 0 with *out
 * (a new reference, NULL for an empty body) and *status, or -1 and err.
 * Handlers block only on the store and on provision_call, never on storage
 * directly.
 */
#ifndef TNFS_VAPI_VOLUMES_H
#define TNFS_VAPI_VOLUMES_H

#include <stdint.h>

#include <json-c/json.h>

#include "err.h"
#include "store.h"
#include "vapi.h"

typedef int vapi_handler(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err);

vapi_handler h_ping, h_list_volumes, h_get_volume, h_create_volume,
    h_update_volume, h_delete_volume, h_list_sizes, h_list_networks,
    h_get_network, h_admin_list_volumes, h_admin_restart_volume;
vapi_handler h_get_references, h_add_reference, h_remove_reference,
    h_add_reservation, h_remove_reservation, h_list_reservations;
vapi_handler h_create_snapshot, h_list_snapshots, h_get_snapshot,
    h_delete_snapshot, h_rollback_snapshot;

/* References renewed before this instant no longer count. */
int64_t volumes_live_after(const struct vapi *va);

/* The number of live references of v, and "a, b" of their vm uuids. */
size_t volumes_live_refs(
    const struct vapi *va, const struct volume *v, char *buf, size_t len);

/*
 * Load a volume, scoped to owner (NULL: any).  404 VolumeNotFound when
 * absent or owned by someone else.  Caller frees with volume_free.
 */
int volumes_load(struct vapi *va, const char *uuid, const char *owner,
    struct volume **out, struct tnfs_err *err);

/* The VOLAPI rendering of v (new reference; NULL when out of memory). */
json_object *volumes_to_json(const struct vapi *va, const struct volume *v);

/* The owner a request acts for: its owner_uuid parameter, else NULL. */
const char *volumes_owner_param(json_object *params);

#endif
