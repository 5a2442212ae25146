/*
 * snapshots.c: the core of volume snapshots (snapshots.h).
 *
 * The record is written first (state "creating"), in the same transaction
 * that checks the per-volume limit, so two concurrent requests cannot both
 * pass the limit or take the same name; the storage call follows in a
 * provisioning worker, and a failure removes the record again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "provision.h"
#include "snapshots.h"
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

/* Insert s unless the name is taken or the volume is at its limit. */
static int
insert_record(struct vapi *va, const char *uuid, const struct snapshot *s,
    struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot old;
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (store_volume_get(va->store, uuid, &v, err) == -1)
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
	if (rc == 0)
		return store_tx_commit(va->store, err);
	store_tx_rollback(va->store);
	return -1;
}

int
snapshots_create(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct snapshot *out, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s;
	struct tnfs_err e2;
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
	if (provision_call(va->prov, PROVISION_SNAP_CREATE, v->uuid, 0, s.name,
		NULL, err) == -1) {
		if (store_snap_delete(va->store, v->uuid, s.name, &e2) == -1)
			log_err(TNFS_LOG_ERROR, &e2, "snapshot %s of %s",
			    s.name, v->uuid);
		goto out;
	}
	snprintf(s.state, sizeof(s.state), "created");
	if (store_snap_set_state(va->store, v->uuid, s.name, s.state, err) ==
	    -1)
		goto out;
	*out = s;
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

int
snapshots_delete(struct vapi *va, const char *uuid, const char *owner,
    const char *name, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s;
	int rc = -1;

	if (load(va, uuid, owner, name, &v, err) == -1 ||
	    store_snap_get(va->store, v->uuid, name, &s, err) == -1)
		goto out;
	if (provision_call(va->prov, PROVISION_SNAP_DELETE, v->uuid, 0, name,
		NULL, err) == -1 ||
	    store_snap_delete(va->store, v->uuid, name, err) == -1)
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
	/* What came after the snapshot no longer has a past to return to. */
	if (store_snap_list(va->store, v->uuid, &ss, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (ss[i].seq <= s.seq)
			continue;
		if (provision_call(va->prov, PROVISION_SNAP_DELETE, v->uuid, 0,
			ss[i].name, NULL, err) == -1 ||
		    store_snap_delete(va->store, v->uuid, ss[i].name, err) ==
			-1)
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
