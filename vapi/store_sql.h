/*
 * store_sql.h: the record ops both record stores share, written once
 * against a connection of sql.h (impl is the store's state, which begins
 * with a struct sql).  Their contracts are those of store.h:
 * store_sql_volumes.c holds volumes (store_sql_where.c their filters),
 * store_sql_refs.c holds references and reservations, store_sql_snaps.c
 * snapshots, store_sql_hosts.c hosts and granted addresses,
 * store_sql_instances.c instances, claims and leases, store_sql_meta.c
 * the settings.
 */
#ifndef TNFS_VAPI_STORE_SQL_H
#define TNFS_VAPI_STORE_SQL_H

#include "sql.h"
#include "store.h"

int sql_volume_insert(void *impl, const struct volume *v, struct tnfs_err *err);
int sql_volume_get(
    void *impl, const char *uuid, struct volume **out, struct tnfs_err *err);
int sql_volume_list(void *impl, const struct volume_filter *f,
    struct volume ***out, size_t *n, struct tnfs_err *err);
int sql_volume_set_state(void *impl, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err);
int sql_volume_set_served(void *impl, const char *uuid, int serving,
    const char *error, struct tnfs_err *err);
int sql_volume_set_ready(void *impl, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err);
int sql_volume_move(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err);
int sql_volume_set_exported(
    void *impl, const char *uuid, int exported, struct tnfs_err *err);
int sql_volume_rename(
    void *impl, const char *uuid, const char *name, struct tnfs_err *err);
int sql_volume_set_size(
    void *impl, const char *uuid, uint64_t size, struct tnfs_err *err);
int sql_volume_delete(void *impl, const char *uuid, struct tnfs_err *err);

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
int sql_snap_unsettled(void *impl, char (**uuids)[TNFS_UUID_BUFSZ],
    size_t *n, struct tnfs_err *err);
int sql_snap_get(void *impl, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err);
int sql_snap_set_state(void *impl, const char *volume_uuid, const char *name,
    const char *state, struct tnfs_err *err);
int sql_snap_delete(void *impl, const char *volume_uuid, const char *name,
    struct tnfs_err *err);

int sql_host_put(void *impl, const struct host *h, int max_per_owner,
    int *created, struct tnfs_err *err);
int sql_host_get(void *impl, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err);
int sql_host_list(void *impl, const char *owner_uuid, struct host **out,
    size_t *n, struct tnfs_err *err);
int sql_host_delete(
    void *impl, const char *owner_uuid, const char *uuid, struct tnfs_err *err);
int sql_grant_put(void *impl, const char *volume_uuid, const char *address,
    int64_t now_ms, int max, struct tnfs_err *err);
int sql_grant_remove(void *impl, const char *volume_uuid, const char *address,
    struct tnfs_err *err);
int sql_grant_list(void *impl, const char *volume_uuid, struct grant **out,
    size_t *n, struct tnfs_err *err);

int sql_instance_put(
    void *impl, const struct instance *in, struct tnfs_err *err);
int sql_instance_delete(void *impl, const char *id, struct tnfs_err *err);
int sql_instance_list(
    void *impl, struct instance **out, size_t *n, struct tnfs_err *err);
int sql_instances_reap(
    void *impl, int64_t before_ms, int *n, struct tnfs_err *err);
int sql_jobs_claim(void *impl, const char *id, int64_t live_after_ms,
    size_t max, char (**out)[TNFS_UUID_BUFSZ], size_t *n, struct tnfs_err *err);
int sql_volume_claim(void *impl, const char *uuid, const char *id,
    int64_t live_after_ms, struct tnfs_err *err);
int sql_volume_release(
    void *impl, const char *uuid, const char *id, struct tnfs_err *err);
int sql_lease_take(void *impl, const char *name, const char *holder,
    int64_t now_ms, int64_t until_ms, int64_t live_after_ms,
    struct tnfs_err *err);
int sql_lease_release(
    void *impl, const char *name, const char *holder, struct tnfs_err *err);

int sql_meta_get(void *impl, const char *key, char **val, struct tnfs_err *err);
int sql_meta_set(
    void *impl, const char *key, const char *val, struct tnfs_err *err);
int sql_meta_add(
    void *impl, const char *key, const char *val, struct tnfs_err *err);
int sql_meta_delete(void *impl, const char *key, struct tnfs_err *err);
int sql_meta_prune_creating(
    void *impl, const char *prefix, struct tnfs_err *err);
int sql_meta_list(void *impl, const char *prefix, struct meta_entry **out,
    size_t *n, struct tnfs_err *err);

/*
 * A volume filter as a WHERE clause (store_sql_where.c): sql is an
 * expression over the columns of volumes ("true" for no filter), args its
 * parameters, $1 up, in order.  exact is 0 when part of the filter could
 * not be said in SQL: each row must then pass volume_filter_match too.
 */
struct sql_where {
	enum sql_dialect dialect;
	char *sql;
	size_t len, cap;
	struct arg *args;
	size_t nargs, acap;
	char **owned; /* strings made for args (LIKE patterns) */
	size_t nowned;
	int exact;
	int oom;
};

int sql_where_build(enum sql_dialect dialect, const struct volume_filter *f,
    struct sql_where *w, struct tnfs_err *err);
void sql_where_free(struct sql_where *w);

/* The store_ops entries of the records above, for both stores' tables. */
#define STORE_SQL_OPS                                                          \
	.volume_insert = sql_volume_insert, .volume_get = sql_volume_get,      \
	.volume_list = sql_volume_list,                                        \
	.volume_set_state = sql_volume_set_state,                              \
	.volume_set_served = sql_volume_set_served,                            \
	.volume_set_ready = sql_volume_set_ready,                              \
	.volume_move = sql_volume_move,                                        \
	.volume_set_exported = sql_volume_set_exported,                        \
	.volume_rename = sql_volume_rename,                                    \
	.volume_set_size = sql_volume_set_size,                                \
	.volume_delete = sql_volume_delete, .meta_get = sql_meta_get,          \
	.meta_set = sql_meta_set, .meta_add = sql_meta_add,                    \
	.meta_delete = sql_meta_delete,                                        \
	.meta_prune_creating = sql_meta_prune_creating,                        \
	.meta_list = sql_meta_list, .ref_put = sql_ref_put,                    \
	.ref_remove = sql_ref_remove, .refs_reap = sql_refs_reap,              \
	.refs_reap_orphans = sql_refs_reap_orphans, .host_put = sql_host_put,  \
	.host_get = sql_host_get, .host_list = sql_host_list,                  \
	.host_delete = sql_host_delete, .grant_put = sql_grant_put,            \
	.grant_remove = sql_grant_remove, .grant_list = sql_grant_list,        \
	.resv_insert = sql_resv_insert, .resv_list = sql_resv_list,            \
	.resv_delete = sql_resv_delete,                                        \
	.resv_delete_for = sql_resv_delete_for, .resv_reap = sql_resv_reap,    \
	.snap_insert = sql_snap_insert, .snap_list = sql_snap_list,            \
	.snap_unsettled = sql_snap_unsettled,                                  \
	.snap_get = sql_snap_get, .snap_set_state = sql_snap_set_state,        \
	.snap_delete = sql_snap_delete, .instance_put = sql_instance_put,      \
	.instance_delete = sql_instance_delete,                                \
	.instance_list = sql_instance_list,                                    \
	.instances_reap = sql_instances_reap, .jobs_claim = sql_jobs_claim,    \
	.volume_claim = sql_volume_claim,                                      \
	.volume_release = sql_volume_release, .lease_take = sql_lease_take,    \
	.lease_release = sql_lease_release

#endif
