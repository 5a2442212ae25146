/*
 * api.h: the Volume API's HTTP front end: one handler per route
 * (api_volumes.c, api_networks.c, api_refs.c, api_snapshots.c), and the
 * reply helpers they share (api_reply.c).
 *
 * A handler gets the request's parameters merged into one object (path,
 * query and body, as restify's mapParams does; routes.c has already
 * rejected unknown and missing ones) and the caller.  It reads them into
 * the core's typed request (volumes.h, refs.h, snapshots.h), calls the
 * core, and renders what comes back: 0 with *out (a new reference, NULL
 * for an empty body) and *status, or -1 and err.  A reply that cannot be
 * built is a 500, never a 2xx with a missing or partial body.
 */
#ifndef TNFS_VAPI_API_H
#define TNFS_VAPI_API_H

#include <json-c/json.h>

#include "err.h"
#include "store.h"
#include "vapi.h"

typedef int vapi_handler(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err);

vapi_handler h_ping, h_list_volumes, h_get_volume, h_create_volume,
    h_update_volume, h_delete_volume, h_admin_list_volumes,
    h_admin_restart_volume;
vapi_handler h_list_sizes, h_list_networks, h_get_network;
vapi_handler h_get_references, h_add_reference, h_remove_reference,
    h_add_reservation, h_remove_reservation, h_list_reservations;
vapi_handler h_put_host, h_get_host, h_list_hosts, h_delete_host,
    h_grant_access, h_revoke_access, h_list_access;
vapi_handler h_create_snapshot, h_list_snapshots, h_get_snapshot,
    h_delete_snapshot, h_rollback_snapshot;

/*
 * The owner a request acts for: its owner_uuid parameter; else the owner
 * of the caller's token; else NULL (the operator, acting for everyone).
 */
const char *api_owner(const struct caller *who, json_object *params);

/* Set err to the InternalError of a failed allocation; returns -1. */
int api_oom(struct tnfs_err *err);

/*
 * Add v to arr or as obj's member key, taking the reference.  -1, with v
 * put, when v is NULL (its own allocation failed) or the add fails.
 */
int api_array_add(json_object *arr, json_object *v);
int api_object_add(json_object *obj, const char *key, json_object *v);

/* VOLAPI's rendering of v: a new reference, NULL when out of memory. */
json_object *api_volume_json(const struct vapi *va, const struct volume *v);

/*
 * Hand body to the reply as *out with status: 0; or, when body is NULL
 * (it could not be built), -1 and the InternalError.
 */
int api_reply(json_object *body, int status, json_object **out, int *rstatus,
    struct tnfs_err *err);

#endif
