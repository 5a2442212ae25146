/*
 * store_sql.h: the record ops both record stores share, written once
 * against a connection of sql.h (impl is the store's state, which begins
 * with a struct sql).  Their contracts are those of store.h:
 * store_sql_refs.c holds references and reservations, store_sql_snaps.c
 * snapshots, store_sql_hosts.c hosts and granted addresses.
 */
#ifndef TNFS_VAPI_STORE_SQL_H
#define TNFS_VAPI_STORE_SQL_H

#include "sql.h"
#include "store.h"

int sql_ref_put(void *impl, const char *volume_uuid, const char *vm_uuid,
    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err);
int sql_ref_remove(void *impl, const char *volume_uuid, const char *vm_uuid,
    struct tnfs_err *err);
int sql_refs_reap(void *impl, int64_t before_ms, int *n, struct tnfs_err *err);
int sql_refs_reap_orphans(
    void *impl, int64_t before_ms, int *n, struct tnfs_err *err);
int sql_resv_delete_for(void *impl, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, struct tnfs_err *err);
int sql_resv_insert(
    void *impl, const struct reservation *r, struct tnfs_err *err);
int sql_resv_list(void *impl, const char *owner_uuid, const char *volume_name,
    const char *vm_uuid, const char *job_uuid, struct reservation **out,
    size_t *n, struct tnfs_err *err);
int sql_resv_delete(
    void *impl, const char *uuid, const char *owner_uuid, struct tnfs_err *err);
int sql_resv_reap(void *impl, int64_t before_ms, struct tnfs_err *err);

int sql_snap_insert(void *impl, const char *volume_uuid,
    const struct snapshot *sn, struct tnfs_err *err);
int sql_snap_list(void *impl, const char *volume_uuid, struct snapshot **out,
    size_t *n, struct tnfs_err *err);
int sql_snap_get(void *impl, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err);
int sql_snap_set_state(void *impl, const char *volume_uuid, const char *name,
    const char *state, struct tnfs_err *err);
int sql_snap_delete(
    void *impl, const char *volume_uuid, const char *name, struct tnfs_err *err);

int sql_host_put(void *impl, const struct host *h, int max_per_owner,
    int *created, struct tnfs_err *err);
int sql_host_get(void *impl, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err);
int sql_host_list(void *impl, const char *owner_uuid, struct host **out,
    size_t *n, struct tnfs_err *err);
int sql_host_delete(void *impl, const char *owner_uuid, const char *uuid,
    struct tnfs_err *err);
int sql_grant_put(void *impl, const char *volume_uuid, const char *address,
    int64_t now_ms, int max, struct tnfs_err *err);
int sql_grant_remove(void *impl, const char *volume_uuid, const char *address,
    struct tnfs_err *err);
int sql_grant_list(void *impl, const char *volume_uuid, struct grant **out,
    size_t *n, struct tnfs_err *err);

#endif
