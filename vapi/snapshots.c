/*
 * snapshots.c: the core of volume snapshots (snapshots.h).
 *
 * The record is the promise and the storage the fact, and the record never
 * claims more than the storage holds:
 *   - creating: written first, in the same transaction that checks the
 *     per-volume limit (two concurrent requests cannot both pass it or take
 *     one name); the snapshot may or may not be on storage yet.
 *   - created: written only once the storage holds the snapshot.
 *   - deleting: written before the storage is asked to delete it.
 * The provisioning worker that runs the storage call also moves the record
 * on (snapshots_job_create, snapshots_job_delete), so a caller who stops
 * waiting (504) still leaves a finished record behind.  What a crash cuts
 * short stays creating or deleting, and snapshots_recover settles it at the
 * next start by removing the snapshot from storage and then its record: a
 * request never answered did not happen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instances.h"
#include "log.h"
#include "provision.h"
#include "snapshots.h"
#include "storage.h"
#include "timefmt.h"
#include "validate.h"
#include "volumes.h"

/* Check the ids (and name, when given) and load the volume. */
static int
load(struct vapi *va, const char *uuid, const char *owner, const char *name,
    struct volume **v, struct tnfs_err *err)
{
	struct causes c;

	causes_init(&c);
	valid_uuid(uuid, "uuid", &c);
	if (owner != NULL)
		valid_uuid(owner, "owner_uuid", &c);
	if (name != NULL)
		valid_snapshot_name(name, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	return volumes_load(va, uuid, owner, v, err);
}

static int
must_be_ready(const struct volume *v, struct tnfs_err *err)
{
	if (strcmp(v->state, "ready") == 0)
		return 0;
	tnfs_err_set(err, TNFS_E_BAD_STATE,
	    "Volume with uuid %s is %s, not ready", v->uuid, v->state);
	return -1;
}

/*
 * Insert s unless the volume is no longer ready, the name is taken or the
 * volume is at its limit.  The state is checked again here because a
 * delete may have moved the volume on since load().
 */
static int
insert_record(struct vapi *va, const char *uuid, const struct snapshot *s,
    struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot old;
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (store_volume_get(va->store, uuid, &v, err) == -1 ||
	    must_be_ready(v, err) == -1)
		goto out;
	if (store_snap_get(va->store, v->uuid, s->name, &old, NULL) == 0) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_EXISTS,
		    "Snapshot with name %s already exists", s->name);
		goto out;
	}
	/* RFD 26 "Limits": refuse before reaching the storage. */
	if (v->nsnapshots >= (size_t)va->cfg->snapshot_limit) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_LIMIT,
		    "Volume with uuid %s has %zu snapshots: the limit is %d",
		    v->uuid, v->nsnapshots, va->cfg->snapshot_limit);
		goto out;
	}
	if (store_snap_insert(va->store, v->uuid, s, err) == -1)
		goto out;
	rc = 0;
out:
	volume_free(v);
	return store_tx_end(va->store, rc, err);
}

/*
 * Move the record of name from state from to state to, in one transaction
 * so that nobody moves it in between.  1 when moved, 0 when the record is
 * absent or in another state, -1 with err.
 */
static int
move_state(struct vapi *va, const char *uuid, const char *name,
    const char *from, const char *to, struct tnfs_err *err)
{
	struct snapshot s;
	struct tnfs_err nf;
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	tnfs_err_clear(&nf);
	if (store_snap_get(va->store, uuid, name, &s, &nf) == -1) {
		if (tnfs_err_is(&nf, TNFS_E_SNAPSHOT_NOT_FOUND))
			rc = 0;
		else if (err != NULL)
			*err = nf;
		goto out;
	}
	if (strcmp(s.state, from) != 0) {
		rc = 0;
		goto out;
	}
	if (store_snap_set_state(va->store, uuid, name, to, err) == -1)
		goto out;
	rc = 1;
out:
	if (rc == -1) {
		store_tx_rollback(va->store);
		return -1;
	}
	return store_tx_commit(va->store, err) == -1 ? -1 : rc;
}

/*
 * Make sure the storage holds no snapshot name of volume uuid (deleting an
 * absent one succeeds).  A backend without snapshots holds none.
 */
static int
storage_forget(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err)
{
	if (!storage_has_snapshots(va->storage))
		return 0;
	return storage_snapshot_delete(va->storage, uuid, name, err);
}

/*
 * The storage failed to take the snapshot, or took it when its record can
 * no longer say so: remove it from the storage, then the record.  When the
 * storage cannot say it holds none, the record stays "creating" (no lie)
 * for the next start to settle.
 */
static void
undo_create(struct vapi *va, const char *uuid, const char *name)
{
	struct tnfs_err e2;

	tnfs_err_clear(&e2);
	if (storage_forget(va, uuid, name, &e2) == -1 ||
	    store_snap_delete(va->store, uuid, name, &e2) == -1)
		log_err(TNFS_LOG_ERROR, &e2,
		    "snapshot %s of volume %s stays creating until the next "
		    "start",
		    name, uuid);
}

int
snapshots_job_create(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err)
{
	int r;

	if (storage_snapshot_create(va->storage, uuid, name, err) == -1) {
		undo_create(va, uuid, name);
		return -1;
	}
	r = move_state(va, uuid, name, "creating", "created", err);
	if (r == 1)
		return 0;
	if (r == 0)
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "snapshot %s of volume %s: its record went away while "
		    "the snapshot was taken",
		    name, uuid);
	undo_create(va, uuid, name);
	return -1;
}

int
snapshots_job_delete(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err)
{
	/* On failure the record stays "deleting": a retry or the next start. */
	if (storage_forget(va, uuid, name, err) == -1)
		return -1;
	return store_snap_delete(va->store, uuid, name, err);
}

int
snapshots_create(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct snapshot *out, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s;
	int rc = -1;

	if (name == NULL) {
		validation_error(err, "missing mandatory parameter: name");
		return -1;
	}
	if (load(va, uuid, owner, name, &v, err) == -1 ||
	    must_be_ready(v, err) == -1)
		goto out;
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.create_ms = tnfs_now_ms();
	snprintf(s.state, sizeof(s.state), "creating");
	if (insert_record(va, v->uuid, &s, err) == -1)
		goto out;
	/*
	 * The worker finishes the record either way (snapshots_job_create);
	 * after a timeout it goes on doing so without us.
	 */
	if (provision_call(va->prov, PROVISION_SNAP_CREATE, v->uuid, 0, s.name,
		NULL, err) == -1)
		goto out;
	if (store_snap_get(va->store, v->uuid, s.name, out, err) == -1)
		goto out;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

int
snapshots_list(struct vapi *va, const char *uuid, const char *owner,
    struct snapshot **out, size_t *n, struct tnfs_err *err)
{
	struct volume *v = NULL;
	int rc = -1;

	if (load(va, uuid, owner, NULL, &v, err) == 0)
		rc = store_snap_list(va->store, v->uuid, out, n, err);
	volume_free(v);
	return rc;
}

int
snapshots_get(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct snapshot *out, struct tnfs_err *err)
{
	struct volume *v = NULL;
	int rc = -1;

	if (load(va, uuid, owner, name, &v, err) == 0)
		rc = store_snap_get(va->store, v->uuid, name, out, err);
	volume_free(v);
	return rc;
}

/*
 * Mark the snapshot deleting, unless it is still being created: its worker
 * is about to write "created" over the mark.  One already deleting may be
 * deleted again (a retry after a storage failure).
 */
static int
mark_deleting(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err)
{
	struct snapshot s;
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (store_snap_get(va->store, uuid, name, &s, err) == -1)
		goto out;
	if (strcmp(s.state, "creating") == 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "Snapshot with name %s is creating, not created", name);
		goto out;
	}
	if (store_snap_set_state(va->store, uuid, name, "deleting", err) == -1)
		goto out;
	rc = 0;
out:
	return store_tx_end(va->store, rc, err);
}

int
snapshots_delete(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct tnfs_err *err)
{
	struct volume *v = NULL;
	int rc = -1;

	if (load(va, uuid, owner, name, &v, err) == -1 ||
	    mark_deleting(va, v->uuid, name, err) == -1)
		goto out;
	/* The worker removes the record once the storage let go of it. */
	if (provision_call(va->prov, PROVISION_SNAP_DELETE, v->uuid, 0, name,
		NULL, err) == -1)
		goto out;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

int
snapshots_rollback(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct volume **out, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s, *ss = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (load(va, uuid, owner, name, &v, err) == -1 ||
	    must_be_ready(v, err) == -1 ||
	    store_snap_get(va->store, v->uuid, name, &s, err) == -1)
		goto out;
	if (strcmp(s.state, "created") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "Snapshot with name %s is %s, not created", name, s.state);
		goto out;
	}
	if (provision_call(va->prov, PROVISION_SNAP_ROLLBACK, v->uuid, 0, name,
		NULL, err) == -1)
		goto out;
	/*
	 * What came after the snapshot no longer has a past to return to.  A
	 * crash in this loop leaves later snapshots that are still on storage
	 * and still recorded: true, if more than the caller asked for.
	 */
	if (store_snap_list(va->store, v->uuid, &ss, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		/* One still being created is taken of the rolled-back volume. */
		if (ss[i].seq <= s.seq || strcmp(ss[i].state, "creating") == 0)
			continue;
		if (mark_deleting(va, v->uuid, ss[i].name, err) == -1 ||
		    provision_call(va->prov, PROVISION_SNAP_DELETE, v->uuid, 0,
			ss[i].name, NULL, err) == -1)
			goto out;
	}
	if (store_volume_get(va->store, v->uuid, out, err) == -1)
		goto out;
	rc = 0;
out:
	free(ss);
	volume_free(v);
	return rc;
}

/* Settle one snapshot a crash left in flight: storage first, then record. */
static void
recover_one(struct vapi *va, const char *uuid, const struct snapshot *s)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (storage_forget(va, uuid, s->name, &err) == -1 ||
	    store_snap_delete(va->store, uuid, s->name, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err,
		    "recovery: snapshot %s of volume %s stays %s", s->name,
		    uuid, s->state);
		return;
	}
	log_warn("recovery: snapshot %s of volume %s was %s when the VAPI "
		 "stopped: removed",
	    s->name, uuid, s->state);
}

void
snapshots_recover(struct vapi *va)
{
	char(*vs)[TNFS_UUID_BUFSZ] = NULL;
	struct snapshot *ss = NULL;
	struct tnfs_err err;
	size_t nv = 0, n, i, k;
	int shared = store_shared(va->store) && va->inst != NULL, r;

	if (store_snap_unsettled(va->store, &vs, &nv, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "recovery: listing snapshots");
		return;
	}
	for (i = 0; i < nv; i++) {
		/*
		 * On a store several instances share, another live one may be
		 * taking or deleting a snapshot of this volume now: it holds
		 * the volume's claim for the job.  Settle only under our own
		 * claim, which a live job's holder never gives; a dead
		 * holder's is free.  A snapshot whose record is in but whose
		 * job has not claimed yet may be settled here: its job then
		 * finds the record gone, removes what it took and fails the
		 * request (nothing is left behind).
		 */
		r = 1;
		if (shared &&
		    (r = store_volume_claim(va->store, vs[i],
			 instances_id(va->inst), instances_live_after(),
			 &err)) == -1)
			log_err(TNFS_LOG_ERROR, &err,
			    "recovery: snapshots of volume %s", vs[i]);
		if (r != 1)
			continue;
		if (store_snap_list(va->store, vs[i], &ss, &n, &err) ==
		    -1) {
			log_err(TNFS_LOG_ERROR, &err,
			    "recovery: snapshots of volume %s", vs[i]);
		} else {
			for (k = 0; k < n; k++)
				if (strcmp(ss[k].state, "creating") == 0 ||
				    strcmp(ss[k].state, "deleting") == 0)
					recover_one(va, vs[i], &ss[k]);
			free(ss);
			ss = NULL;
		}
		if (shared &&
		    store_volume_release(va->store, vs[i],
			instances_id(va->inst), &err) == -1)
			log_err(TNFS_LOG_WARN, &err,
			    "volume %s: claim left; it frees when this "
			    "instance's heartbeat expires",
			    vs[i]);
	}
	free(vs);
}
