/*
 * volumes.h: the Volume API's core for volumes: create, get, list,
 * update, delete and restart, over typed requests and records.  It knows
 * nothing of HTTP or JSON: a front end (api_volumes.c for VOLAPI's HTTP,
 * later CloudAPI's) reads its parameters into these structs, calls, and
 * renders the record it gets back.
 *
 * Every function returns 0, or -1 with err (the code and status VOLAPI
 * answers with).  They block only on the store and on provision_call,
 * never on storage directly.  Strings in requests are borrowed for the
 * call; records handed back are the caller's to volume_free.
 */
#ifndef TNFS_VAPI_VOLUMES_H
#define TNFS_VAPI_VOLUMES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "predicate.h"
#include "storage.h"
#include "store.h"
#include "vapi.h"

struct create_req {
	const char *uuid;            /* NULL: a new one */
	const char *owner_uuid;      /* required */
	const char *name;            /* NULL: VOLAPI's generated name */
	const char *type;            /* NULL: "tritonnfs" */
	uint64_t size;               /* MiB; 0: the smallest configured */
	const char *const *networks; /* required; duplicates are dropped */
	size_t nnetworks;
	const struct label *labels;
	size_t nlabels;
	const char *affinity; /* opaque, kept as given; NULL: none */
	/*
	 * A clone: the new volume starts as a writable copy of snapshot
	 * source_snapshot of source_volume (a uuid or a name of a volume of
	 * the same owner).  Both NULL: an empty volume.  size 0 then means
	 * the source's size, and a smaller one is refused.
	 */
	const char *source_volume;
	const char *source_snapshot;
};

struct update_req {
	const char *uuid;
	const char *owner_uuid; /* NULL: any owner (the operator) */
	const char *name;       /* NULL: unchanged */
	uint64_t size;          /* 0: unchanged */
};

/* ListVolumes' filters; NULL (0) members match everything. */
struct list_req {
	const char *owner_uuid;
	const char *name; /* a name pattern (predicate.h) */
	const char *state;
	const char *type;
	const char *refs; /* a vm uuid holding a live reference */
	uint64_t size;
	const struct predicate *pred;
	/* A page (0: every volume, in creation order): in uuid order, */
	size_t limit;           /* at most this many, */
	const char *after_uuid; /* after this uuid (the last one had) */
};

/*
 * When references count now: renewed within the lease, by a host whose
 * heartbeat is fresh (hosts.h).
 */
void volumes_clock(const struct vapi *va, struct ref_clock *clk);

/* The number of live references of v, and "a, b" of their vm uuids. */
size_t volumes_live_refs(
    const struct vapi *va, const struct volume *v, char *buf, size_t len);

/*
 * Load a volume, scoped to owner (NULL: any).  404 VolumeNotFound when
 * absent or owned by someone else.  Caller frees with volume_free.
 */
int volumes_load(struct vapi *va, const char *uuid, const char *owner,
    struct volume **out, struct tnfs_err *err);

/*
 * Validate rq, reserve the name, turn reservations of that name into
 * references and hand the new record (state creating) to the provisioner.
 * A clone's source must be a ready volume of the owner (another owner's
 * is VolumeNotFound, as absent) with that snapshot created; the source
 * is kept with the record (VOLUMES_CLONE_KEY) until the copy is made.
 */
int volumes_create(struct vapi *va, const struct create_req *rq,
    struct volume **out, struct tnfs_err *err);

/* Rename (refused while referenced) and/or grow (ready volumes only). */
int volumes_update(struct vapi *va, const struct update_req *rq,
    struct volume **out, struct tnfs_err *err);

/* Mark for deletion; refused while referenced unless force. */
int volumes_delete(struct vapi *va, const char *uuid, const char *owner,
    int force, struct tnfs_err *err);

/*
 * The volumes matching rq, in creation order.  Caller frees with
 * volume_list_free.
 */
int volumes_list(struct vapi *va, const struct list_req *rq,
    struct volume ***out, size_t *n, struct tnfs_err *err);

/* Space used and left, where the backend knows it: 0, or -1 (no err). */
int volumes_usage(
    struct vapi *va, const struct volume *v, struct storage_usage *out);

/* The operator's restart: serve it again, then the record as it is now. */
int volumes_restart(struct vapi *va, const char *uuid, struct volume **out,
    struct tnfs_err *err);

/*
 * The store's meta key prefix under which a volume being cloned keeps its
 * source, "SOURCE_UUID@SNAPSHOT", from the transaction that inserts its
 * record until the provisioner made it ready or failed: a restart finds
 * the clone to finish in the store, as it finds creates.
 */
#define VOLUMES_CLONE_KEY "clone:"

/*
 * The meta key prefix under which a grow keeps its new size (decimal MiB)
 * from before its storage changes until its record does: a crash between
 * the two is finished at the next start (provision's recovery), so the
 * storage's limit and the record never disagree past a restart.
 */
#define VOLUMES_GROW_KEY "grow:"

#endif
