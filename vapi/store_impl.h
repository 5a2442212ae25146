/*
 * store_impl.h: what a record store implements.  store.c holds the table
 * of stores and forwards each store_* call of store.h to the ops of the
 * store the spec named ("sqlite:PATH" -> store_sqlite_ops,
 * "postgresql:CONNINFO" -> store_pg_ops).  A store sees records and
 * filters only: nothing of HTTP, nothing of another store.
 *
 * Each op has the contract of the store_* function of the same name in
 * store.h, with impl the store's own state as open returned it.  A new
 * store adds its ops here and to the table in store.c; it must make the
 * same decisions in the database that store.h promises (name uniqueness,
 * conditional state moves, nested
 * transactions where an inner rollback dooms the outer one).
 */
#ifndef TNFS_VAPI_STORE_IMPL_H
#define TNFS_VAPI_STORE_IMPL_H

#include "store.h"

struct store_ops {
	const char *kind;     /* the spec prefix: "sqlite" */
	const char *arg_name; /* what follows it, for messages: "PATH" */
	/* Several VAPI instances may share it (claims and leases matter). */
	int shared;
	/* arg is the spec after "kind:" (never empty). */
	void *(*open)(const char *arg, struct tnfs_err *err);
	void (*close)(void *impl);

	int (*tx_begin)(void *impl, struct tnfs_err *err);
	int (*tx_commit)(void *impl, struct tnfs_err *err);
	void (*tx_rollback)(void *impl);

	int (*meta_get)(
	    void *impl, const char *key, char **val, struct tnfs_err *err);
	int (*meta_set)(
	    void *impl, const char *key, const char *val, struct tnfs_err *err);
	/* meta_set unless key has a value (one statement: no race). */
	int (*meta_add)(
	    void *impl, const char *key, const char *val, struct tnfs_err *err);
	/* Absent key: success. */
	int (*meta_delete)(void *impl, const char *key, struct tnfs_err *err);
	int (*meta_prune_creating)(
	    void *impl, const char *prefix, struct tnfs_err *err);
	int (*meta_list)(void *impl, const char *prefix,
	    struct meta_entry **out, size_t *n, struct tnfs_err *err);

	int (*volume_insert)(
	    void *impl, const struct volume *v, struct tnfs_err *err);
	int (*volume_get)(void *impl, const char *uuid, struct volume **out,
	    struct tnfs_err *err);
	int (*volume_list)(void *impl, const struct volume_filter *f,
	    struct volume ***out, size_t *n, struct tnfs_err *err);
	int (*volume_set_state)(void *impl, const char *uuid, const char *from,
	    const char *to, const char *error, struct tnfs_err *err);
	int (*volume_set_served)(void *impl, const char *uuid, int serving,
	    const char *error, struct tnfs_err *err);
	int (*volume_set_ready)(void *impl, const char *uuid,
	    const char *filesystem_path, int nfs_port, int mount_port,
	    struct tnfs_err *err);
	int (*volume_move)(void *impl, const char *uuid,
	    const char *filesystem_path, int nfs_port, int mount_port,
	    struct tnfs_err *err);
	int (*volume_set_exported)(
	    void *impl, const char *uuid, int exported, struct tnfs_err *err);
	int (*volume_rename)(void *impl, const char *uuid, const char *name,
	    struct tnfs_err *err);
	int (*volume_set_size)(
	    void *impl, const char *uuid, uint64_t size, struct tnfs_err *err);
	int (*volume_delete)(
	    void *impl, const char *uuid, struct tnfs_err *err);

	int (*ref_put)(void *impl, const char *volume_uuid, const char *vm_uuid,
	    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err);
	int (*ref_remove)(void *impl, const char *volume_uuid,
	    const char *vm_uuid, struct tnfs_err *err);
	int (*refs_reap)(
	    void *impl, int64_t before_ms, int *n, struct tnfs_err *err);

	int (*refs_reap_orphans)(
	    void *impl, int64_t before_ms, int *n, struct tnfs_err *err);

	int (*host_put)(void *impl, const struct host *h, int max_per_owner,
	    int *created, struct tnfs_err *err);
	int (*host_get)(void *impl, const char *owner_uuid, const char *uuid,
	    struct host *out, struct tnfs_err *err);
	int (*host_list)(void *impl, const char *owner_uuid, struct host **out,
	    size_t *n, struct tnfs_err *err);
	int (*host_delete)(void *impl, const char *owner_uuid, const char *uuid,
	    struct tnfs_err *err);
	int (*grant_put)(void *impl, const char *volume_uuid,
	    const char *address, int64_t now_ms, int max, struct tnfs_err *err);
	int (*grant_remove)(void *impl, const char *volume_uuid,
	    const char *address, struct tnfs_err *err);
	int (*grant_list)(void *impl, const char *volume_uuid,
	    struct grant **out, size_t *n, struct tnfs_err *err);

	int (*resv_insert)(
	    void *impl, const struct reservation *r, struct tnfs_err *err);
	int (*resv_list)(void *impl, const char *owner_uuid,
	    const char *volume_name, const char *vm_uuid, const char *job_uuid,
	    struct reservation **out, size_t *n, struct tnfs_err *err);
	int (*resv_delete)(void *impl, const char *uuid, const char *owner_uuid,
	    struct tnfs_err *err);
	int (*resv_delete_for)(void *impl, const char *owner_uuid,
	    const char *volume_name, const char *vm_uuid, struct tnfs_err *err);
	int (*resv_reap)(void *impl, int64_t before_ms, struct tnfs_err *err);

	int (*snap_insert)(void *impl, const char *volume_uuid,
	    const struct snapshot *s, struct tnfs_err *err);
	int (*snap_list)(void *impl, const char *volume_uuid,
	    struct snapshot **out, size_t *n, struct tnfs_err *err);
	int (*snap_unsettled)(void *impl, char (**uuids)[TNFS_UUID_BUFSZ],
	    size_t *n, struct tnfs_err *err);
	int (*snap_get)(void *impl, const char *volume_uuid, const char *name,
	    struct snapshot *out, struct tnfs_err *err);
	int (*snap_set_state)(void *impl, const char *volume_uuid,
	    const char *name, const char *state, struct tnfs_err *err);
	int (*snap_delete)(void *impl, const char *volume_uuid,
	    const char *name, struct tnfs_err *err);

	int (*instance_put)(
	    void *impl, const struct instance *in, struct tnfs_err *err);
	int (*instance_delete)(void *impl, const char *id, struct tnfs_err *err);
	int (*instance_list)(void *impl, struct instance **out, size_t *n,
	    struct tnfs_err *err);
	int (*instances_reap)(
	    void *impl, int64_t before_ms, int *n, struct tnfs_err *err);
	int (*jobs_claim)(void *impl, const char *id, int64_t live_after_ms,
	    size_t max, char (**out)[TNFS_UUID_BUFSZ], size_t *n,
	    struct tnfs_err *err);
	int (*volume_claim)(void *impl, const char *uuid, const char *id,
	    int64_t live_after_ms, struct tnfs_err *err);
	int (*volume_release)(void *impl, const char *uuid, const char *id,
	    struct tnfs_err *err);
	int (*lease_take)(void *impl, const char *name, const char *holder,
	    int64_t now_ms, int64_t until_ms, int64_t live_after_ms,
	    struct tnfs_err *err);
	int (*lease_release)(void *impl, const char *name, const char *holder,
	    struct tnfs_err *err);
	/* NULL where one instance has the store (SQLite): NotSupported. */
	int (*exports_bump)(void *impl, const char *uuid, int64_t *gen,
	    struct tnfs_err *err);
	/* Called with 0 <= after < upto, upto - after <= the caller's max. */
	int (*exports_changes)(void *impl, int64_t after, int64_t upto,
	    char (**uuids)[TNFS_UUID_BUFSZ], size_t *n, int *all,
	    struct tnfs_err *err);
	int (*exports_served)(void *impl, const char *head, int64_t gen,
	    const char *failure, struct tnfs_err *err);
	int (*exports_state)(void *impl, const char *head, int64_t *gen,
	    int64_t *served, char *failure, size_t len, struct tnfs_err *err);

	int (*check)(void *impl, struct tnfs_err *err);
};

extern const struct store_ops store_sqlite_ops; /* store_sqlite.c */
#ifdef TNFS_HAVE_POSTGRESQL
extern const struct store_ops store_pg_ops; /* store_pg.c */
#endif

#endif
