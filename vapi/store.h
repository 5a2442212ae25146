/*
 * store.h: the VAPI's records (volumes, references, reservations,
 * snapshots, a few settings) behind a backend-neutral interface.  store.c
 * forwards each call to the store the spec names, through the ops table of
 * store_impl.h; SQLite (store_sqlite*.c) is the first; PostgreSQL plugs in
 * the same way.  No caller sees SQL, and every decision that must hold
 * across processes (name uniqueness, state transitions) is made by the
 * database.
 *
 * Thread safety: any thread may call any function.  store_tx_begin starts a
 * transaction owned by the calling thread; until store_tx_commit or
 * store_tx_rollback, other threads' calls wait.  Calls outside a
 * transaction are each atomic on their own.
 */
#ifndef TNFS_VAPI_STORE_H
#define TNFS_VAPI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "uuid.h"

struct store;

struct volume_ref {
	char vm_uuid[TNFS_UUID_BUFSZ];
	char owner_uuid[TNFS_UUID_BUFSZ];
	int64_t created_ms;
	int64_t renewed_ms; /* the lease runs from here */
	/*
	 * The holder as a host record of the same owner (hosts.h): its last
	 * heartbeat (0: no such host) and its NFS client address ("" when
	 * none is known).  Filled by get and list; stores ignore them on put.
	 */
	int64_t holder_seen_ms;
	char holder_address[64];
};

/*
 * A Docker host (the holder of references), keyed by (owner_uuid, uuid):
 * two owners' hosts never collide, so a uuid reveals nothing across
 * owners.  Fixed-size: no allocations.
 */
#define HOST_NAME_MAX_LEN    253
#define HOST_VERSION_MAX_LEN 64
struct host {
	char uuid[TNFS_UUID_BUFSZ];
	char owner_uuid[TNFS_UUID_BUFSZ];
	char hostname[HOST_NAME_MAX_LEN + 1];
	char address[64]; /* IPv4 the NFS server sees; "" unknown */
	char version[HOST_VERSION_MAX_LEN + 1];
	int64_t created_ms;
	int64_t heartbeat_ms;
};

/* An address an owner admitted to one volume's export by hand. */
struct grant {
	char address[64];
	int64_t created_ms;
	char volume_uuid[TNFS_UUID_BUFSZ];
};

/*
 * When references hold: a lease renewed at or after lease_after_ms, by a
 * holder whose heartbeat is at or after host_after_ms (volumes_clock).
 */
struct ref_clock {
	int64_t lease_after_ms;
	int64_t host_after_ms;
};

/* 1 when r holds its volume at clk. */
int volume_ref_live(const struct volume_ref *r, const struct ref_clock *clk);

/* A volume label: both strings owned by the record. */
struct label {
	char *key;
	char *value;
};

/*
 * One volume record.  Strings and arrays are owned by the record
 * (volume_free).  networks holds no duplicates, in the order the creator
 * gave them; the first one says where the volume is served.
 */
struct volume {
	char uuid[TNFS_UUID_BUFSZ];
	char owner_uuid[TNFS_UUID_BUFSZ];
	char *name;
	char type[16];
	uint64_t size;  /* MiB */
	char state[16]; /* creating, ready, failed, deleting */
	int64_t create_ms;
	char (*networks)[TNFS_UUID_BUFSZ];
	size_t nnetworks;
	struct label *labels; /* in the order given, keys unique */
	size_t nlabels;
	/*
	 * Opaque to the VAPI: kept and returned unchanged, as VOLAPI passes it
	 * to the storage VM (reference §1.3).  JSON text, or NULL.
	 */
	char *affinity;
	char vm_uuid[TNFS_UUID_BUFSZ];
	char *filesystem_path; /* NULL until ready */
	int nfs_port;
	int mount_port;
	char *error; /* why it failed, or NULL */
	int exported;
	struct volume_ref *refs; /* filled by get and list */
	size_t nrefs;
	size_t nsnapshots;
};

struct reservation {
	char uuid[TNFS_UUID_BUFSZ];
	char *volume_name;
	char job_uuid[TNFS_UUID_BUFSZ];
	char owner_uuid[TNFS_UUID_BUFSZ];
	char vm_uuid[TNFS_UUID_BUFSZ];
	int64_t create_ms;
};

/* A meta key and its value, as store_meta_list answers them. */
struct meta_entry {
	char *key;
	char *value;
};

struct snapshot {
	char name[128];
	int64_t create_ms;
	int64_t seq;    /* creation order, for rollback */
	char state[16]; /* creating, created, failed */
};

struct predicate;

/*
 * Filters of store_volume_list; NULL (0) members match everything.  A
 * store answers with exactly the volumes that match all of them: it
 * decides in the database what its query language can say and calls
 * volume_filter_match for the rest.
 */
struct volume_filter {
	const char *owner_uuid;
	const char *state;
	const char *name; /* a name pattern: "foo", "foo*", "*foo", "*foo*" */
	const char *type;
	uint64_t size;
	const char *ref_vm; /* a vm holding a live reference */
	const struct predicate *pred;
	/*
	 * A page: volumes in uuid order after after_uuid (NULL: from the
	 * first), at most limit of them (0: all, in creation order instead).
	 */
	const char *after_uuid;
	size_t limit;
	int64_t live_after_ms; /* references renewed before it are dead */
	int64_t host_after_ms; /* so are those whose holder's heartbeat is */
	int exported_only;
	/*
	 * The provisioner's lists: refs, snapshot count and labels are left
	 * empty (ref_vm and a pred on "dangling" still filter right).
	 */
	int brief;
	/*
	 * With brief: the references still (one more query for the whole
	 * list), for a full read of the exports, which needs them and no
	 * snapshot count.
	 */
	int brief_refs;
};

struct volume *volume_new(void);
void volume_free(struct volume *v);
/*
 * Replace v's networks with a copy of uuids[0..n), duplicates dropped, and
 * its labels with a copy of labels[0..n).  -1 when out of memory (v keeps
 * what it had).
 */
int volume_set_networks(struct volume *v, const char *const *uuids, size_t n);
int volume_set_labels(struct volume *v, const struct label *labels, size_t n);
/* Whether net is one of v's networks. */
int volume_has_network(const struct volume *v, const char *net);

/*
 * The text form a store keeps networks and labels in (JSON: ["u1","u2"]
 * and {"k":"v"}), shared by every store so their databases read alike.
 * _text returns a string the caller frees, NULL when out of memory;
 * _parse fills v and returns -1 (err set) when text is not that form.
 */
char *volume_networks_text(const struct volume *v);
char *volume_labels_text(const struct volume *v);
int volume_networks_parse(
    struct volume *v, const char *text, struct tnfs_err *err);
int volume_labels_parse(
    struct volume *v, const char *text, struct tnfs_err *err);
void volume_list_free(struct volume **vs, size_t n);
void reservation_list_free(struct reservation *rs, size_t n);
void meta_list_free(struct meta_entry *es, size_t n);

/*
 * "KIND:ARGUMENT" ("sqlite:PATH", "postgresql:CONNINFO").  Creates or
 * migrates the schema.
 * Caller store_close()s.
 */
struct store *store_open(const char *spec, struct tnfs_err *err);
void store_close(struct store *st);
/*
 * spec as it may be shown (logs, --check): a password in it, as
 * "password=..." or in a URI's user part, becomes "********".
 */
void store_spec_redact(const char *spec, char *out, size_t len);

int store_tx_begin(struct store *st, struct tnfs_err *err);
int store_tx_commit(struct store *st, struct tnfs_err *err);
void store_tx_rollback(struct store *st);
/*
 * End the transaction as the work in it went: commit when rc is 0 (the
 * commit's result), roll back and return -1 otherwise.
 */
int store_tx_end(struct store *st, int rc, struct tnfs_err *err);

/* Settings: *val is NULL when key is absent; caller frees it. */
int store_meta_get(
    struct store *st, const char *key, char **val, struct tnfs_err *err);
int store_meta_set(
    struct store *st, const char *key, const char *val, struct tnfs_err *err);
/*
 * Set key to val unless it has a value already: of VAPIs sharing a store
 * and starting at once, the first one's value stands for all.
 */
int store_meta_add(
    struct store *st, const char *key, const char *val, struct tnfs_err *err);
/* Absent key: success. */
int store_meta_delete(struct store *st, const char *key, struct tnfs_err *err);
/*
 * Delete the meta keys that start with prefix and end with the uuid of a
 * volume that is not being created (or of none): what a create keeps
 * until its volume is made (a clone's source), left behind by a crash
 * between the volume's last step and the key's removal.  One statement.
 */
int store_meta_prune_creating(
    struct store *st, const char *prefix, struct tnfs_err *err);
/*
 * The meta keys that start with prefix (ours, a constant: never a pattern
 * from a request), in key order.  Caller frees with meta_list_free.
 */
int store_meta_list(struct store *st, const char *prefix,
    struct meta_entry **out, size_t *n, struct tnfs_err *err);

/* VolumeAlreadyExists when (owner, name) is taken by a live volume. */
int store_volume_insert(
    struct store *st, const struct volume *v, struct tnfs_err *err);

/* VolumeNotFound when absent.  Caller frees *out with volume_free. */
int store_volume_get(struct store *st, const char *uuid, struct volume **out,
    struct tnfs_err *err);

/*
 * The volumes matching f (NULL: all), in creation order.  Caller frees
 * with volume_list_free.
 */
int store_volume_list(struct store *st, const struct volume_filter *f,
    struct volume ***out, size_t *n, struct tnfs_err *err);
/* Whether v matches f, evaluated in C (v must carry its refs). */
int volume_filter_match(const struct volume_filter *f, const struct volume *v);

/*
 * Move uuid to state to, only when it is now in state from (any state when
 * from is NULL); error (may be NULL) becomes its error field.  Returns 1
 * when it moved, 0 when it was not in from (or is gone), -1 on error.
 */
int store_volume_set_state(struct store *st, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err);

/*
 * ready <-> failed while the NFS server is down, keeping the volume in the
 * exported set (the server serves it again when it returns).  Same return
 * values as store_volume_set_state.
 */
int store_volume_set_served(struct store *st, const char *uuid, int serving,
    const char *error, struct tnfs_err *err);

/*
 * An exported volume (ready or failed) is served elsewhere now (another
 * NFS head): 1 changed, 0 not exported.
 */
int store_volume_move(struct store *st, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err);

/* creating -> ready with where it is served; 1 moved, 0 not creating. */
int store_volume_set_ready(struct store *st, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err);

int store_volume_set_exported(
    struct store *st, const char *uuid, int exported, struct tnfs_err *err);
/* VolumeAlreadyExists when the new name is taken. */
int store_volume_rename(
    struct store *st, const char *uuid, const char *name, struct tnfs_err *err);
int store_volume_set_size(
    struct store *st, const char *uuid, uint64_t size, struct tnfs_err *err);
int store_volume_delete(
    struct store *st, const char *uuid, struct tnfs_err *err);

/* Add or renew a reference. */
int store_ref_put(struct store *st, const char *volume_uuid,
    const char *vm_uuid, const char *owner_uuid, int64_t now_ms,
    struct tnfs_err *err);
int store_ref_remove(struct store *st, const char *volume_uuid,
    const char *vm_uuid, struct tnfs_err *err);
/* Drop references last renewed before before_ms; *n says how many. */
int store_refs_reap(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err);

/*
 * Drop references created before before_ms whose holder is no registered
 * host of the reference's owner; *n says how many.
 */
int store_refs_reap_orphans(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err);

/*
 * Insert or update h (by owner and uuid), keeping created_ms of an existing
 * record.  A new record beyond max_per_owner hosts of its owner is refused
 * (ValidationError).  *created (may be NULL) says whether it was new.
 */
int store_host_put(struct store *st, const struct host *h, int max_per_owner,
    int *created, struct tnfs_err *err);
/* HostNotFound when absent; owner NULL: any owner (the latest heartbeat). */
int store_host_get(struct store *st, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err);
/* Hosts of owner (NULL: all), by hostname.  Caller frees *out (free(3)). */
int store_host_list(struct store *st, const char *owner_uuid,
    struct host **out, size_t *n, struct tnfs_err *err);
/* HostNotFound when absent. */
int store_host_delete(struct store *st, const char *owner_uuid,
    const char *uuid, struct tnfs_err *err);

/* Add address to volume_uuid's grants (idempotent), at most max of them. */
int store_grant_put(struct store *st, const char *volume_uuid,
    const char *address, int64_t now_ms, int max, struct tnfs_err *err);
/* Absent is not an error. */
int store_grant_remove(struct store *st, const char *volume_uuid,
    const char *address, struct tnfs_err *err);
/*
 * By address; volume_uuid NULL: every volume's, by volume then address.
 * Caller frees *out (free(3)).
 */
int store_grant_list(struct store *st, const char *volume_uuid,
    struct grant **out, size_t *n, struct tnfs_err *err);

/* Replaces reservations of the same (volume_name, vm, owner). */
int store_resv_insert(
    struct store *st, const struct reservation *r, struct tnfs_err *err);
/* Any filter member may be NULL.  Caller frees with reservation_list_free. */
int store_resv_list(struct store *st, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, const char *job_uuid,
    struct reservation **out, size_t *n, struct tnfs_err *err);
/* VolumeReservationNotFound when no such (uuid, owner). */
int store_resv_delete(struct store *st, const char *uuid,
    const char *owner_uuid, struct tnfs_err *err);
/* Delete every reservation of (owner, volume_name[, vm]). */
int store_resv_delete_for(struct store *st, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, struct tnfs_err *err);
int store_resv_reap(struct store *st, int64_t before_ms, struct tnfs_err *err);

/* SnapshotAlreadyExists when the name is taken on this volume. */
int store_snap_insert(struct store *st, const char *volume_uuid,
    const struct snapshot *s, struct tnfs_err *err);
/* In creation order.  Caller frees *out with free(3). */
int store_snap_list(struct store *st, const char *volume_uuid,
    struct snapshot **out, size_t *n, struct tnfs_err *err);
/*
 * The volumes with a snapshot still creating or deleting (what a stop cut
 * short), in uuid order, in *uuids (caller frees).
 */
int store_snap_unsettled(struct store *st, char (**uuids)[TNFS_UUID_BUFSZ],
    size_t *n, struct tnfs_err *err);
/* SnapshotNotFound when absent. */
int store_snap_get(struct store *st, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err);
int store_snap_set_state(struct store *st, const char *volume_uuid,
    const char *name, const char *state, struct tnfs_err *err);
int store_snap_delete(struct store *st, const char *volume_uuid,
    const char *name, struct tnfs_err *err);

/*
 * Several tritonnfs-vapi processes may share one store (PostgreSQL).  Each
 * keeps an instance record and renews its heartbeat (instances.h); an
 * instance whose heartbeat is older than live_after_ms is dead, and what
 * it held (claims, leases) may be taken.  Times are each instance's wall
 * clock: the instances' clocks must agree (NTP) to well within the TTL.
 */
#define INSTANCE_HOSTNAME_MAX_LEN 253
struct instance {
	char id[TNFS_UUID_BUFSZ];
	char hostname[INSTANCE_HOSTNAME_MAX_LEN + 1];
	char address[256]; /* where it listens, as configured */
	int64_t started_ms;
	int64_t heartbeat_ms;
	int64_t jobs; /* volumes it holds a claim on (filled by list) */
};

/*
 * 1 when several instances may share this store (PostgreSQL); 0 when it
 * has one by construction (SQLite: one file beside one server).
 */
int store_shared(const struct store *st);

/* Insert or update in (by id): its address and heartbeat. */
int store_instance_put(
    struct store *st, const struct instance *in, struct tnfs_err *err);
/* Absent is not an error. */
int store_instance_delete(struct store *st, const char *id, struct tnfs_err *err);
/* Every instance, oldest start first.  Caller frees *out (free(3)). */
int store_instance_list(struct store *st, struct instance **out, size_t *n,
    struct tnfs_err *err);
/*
 * Delete the records of instances whose heartbeat is older than before_ms
 * and that hold no claim; *n says how many.
 */
int store_instances_reap(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err);

/*
 * Claims: a volume's provisioning (create, delete, grow, snapshots,
 * rollback) runs in the one instance that holds its claim.  A claim is
 * free when nobody holds it, or its holder's heartbeat is older than
 * live_after_ms.
 *
 * store_jobs_claim claims up to max volumes that are creating or deleting
 * and whose claim is free or already id's, oldest first, skipping rows
 * another instance is claiming at that moment; their uuids go to *out in
 * no particular order (caller frees with free(3)).
 */
int store_jobs_claim(struct store *st, const char *id, int64_t live_after_ms,
    size_t max, char (**out)[TNFS_UUID_BUFSZ], size_t *n,
    struct tnfs_err *err);
/*
 * Claim uuid for id: 1 when id holds it now, 0 when another live instance
 * does (or the volume is gone), -1 on error.
 */
int store_volume_claim(struct store *st, const char *uuid, const char *id,
    int64_t live_after_ms, struct tnfs_err *err);
/* Give the claim up when id holds it. */
int store_volume_release(
    struct store *st, const char *uuid, const char *id, struct tnfs_err *err);

/*
 * Leases on a name ("exports:<NFS head>", "reaper"): held by one instance
 * at a time.  Taking sets the holder and until_ms when the lease is free
 * (never taken, expired before now_ms, or its holder is dead: heartbeat
 * older than live_after_ms) or already the holder's.  1 when holder holds
 * it now, 0 when another does, -1 on error.
 */
int store_lease_take(struct store *st, const char *name, const char *holder,
    int64_t now_ms, int64_t until_ms, int64_t live_after_ms,
    struct tnfs_err *err);
/* Give the lease up when holder holds it. */
int store_lease_release(struct store *st, const char *name, const char *holder,
    struct tnfs_err *err);

/*
 * The exported-set generation of the NFS heads several instances share
 * (exports_head.h).  An instance that changed what is exported bumps the
 * generation (store_exports_bump: *gen is the new value, and uuid the
 * volume whose export changed, or NULL for any) after its change
 * committed, then waits for the head to record a generation at least as
 * new (store_exports_state: *served, and failure "" or why that sync
 * failed).  The head reads the generation before the exported set and
 * records it once the NFS server took that set (store_exports_served:
 * failure NULL on success); a record never moves back.  A store with one
 * instance by construction (SQLite) answers NotSupported: its one
 * instance syncs its own head.
 */
int store_exports_bump(
    struct store *st, const char *uuid, int64_t *gen, struct tnfs_err *err);
int store_exports_served(struct store *st, const char *head, int64_t gen,
    const char *failure, struct tnfs_err *err);
int store_exports_state(struct store *st, const char *head, int64_t *gen,
    int64_t *served, char *failure, size_t len, struct tnfs_err *err);
/*
 * The volumes named by the bumps that returned after..upto (after <
 * upto), at most max of them, in *uuids (caller frees).  *all is 1 when
 * one of those bumps named no volume, when the store no longer keeps
 * some of them (it keeps the last STORE_EXPORTS_CHANGES_KEPT), or when
 * there are more than max: the caller must then read every exported
 * volume.
 */
#define STORE_EXPORTS_CHANGES_KEPT 4096
int store_exports_changes(struct store *st, int64_t after, int64_t upto,
    size_t max, char (**uuids)[TNFS_UUID_BUFSZ], size_t *n, int *all,
    struct tnfs_err *err);

/* PRAGMA integrity_check or its equivalent: 0 when sound. */
int store_check(struct store *st, struct tnfs_err *err);

#endif
