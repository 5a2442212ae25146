/*
 * snapshots.c: volume snapshots as RFD 26 designed them (Triton never
 * built them): create, list, get, delete, roll back.
 *
 * The record is written first (state "creating"), in the same transaction
 * that checks the per-volume limit, so two concurrent requests cannot both
 * pass the limit or take the same name; the storage call follows in a
 * provisioning worker, and a failure removes the record again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "log.h"
#include "provision.h"
#include "timefmt.h"
#include "validate.h"
#include "volumes.h"

static json_object *
snapshot_json(const struct snapshot *s)
{
	char ts[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object();

	tnfs_time_format(s->create_ms, ts);
	jsonx_add_str(o, "name", s->name);
	jsonx_add_str(o, "create_timestamp", ts);
	jsonx_add_str(o, "state", s->state);
	return o;
}

/* uuid, owner_uuid and (when want_name) name, validated; loads the volume. */
static int
load(struct vapi *va, json_object *params, int want_name, struct volume **v,
    const char **name, struct tnfs_err *err)
{
	const char *uuid, *owner;
	struct causes c;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (want_name) {
		*name = param_str(params, "name", &c);
		if (*name != NULL && !valid_snapshot_name(*name, &c))
			*name = NULL;
	}
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

int
h_create_snapshot(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s, old;
	const char *name = NULL;
	struct tnfs_err e2;
	int rc = -1, in_tx = 0;

	(void)who;
	if (load(va, params, 1, &v, &name, err) == -1 ||
	    must_be_ready(v, err) == -1)
		goto out;
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.create_ms = tnfs_now_ms();
	snprintf(s.state, sizeof(s.state), "creating");
	if (store_tx_begin(va->store, err) == -1)
		goto out;
	in_tx = 1;
	volume_free(v);
	v = NULL;
	if (store_volume_get(
		va->store, jsonx_get_str(params, "uuid"), &v, err) == -1)
		goto out;
	if (store_snap_get(va->store, v->uuid, s.name, &old, NULL) == 0) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_EXISTS,
		    "Snapshot with name %s already exists", s.name);
		goto out;
	}
	/* RFD 26 "Limits": refuse before reaching the storage. */
	if (v->nsnapshots >= (size_t)va->cfg->snapshot_limit) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_LIMIT,
		    "Volume with uuid %s has %zu snapshots: the limit is %d",
		    v->uuid, v->nsnapshots, va->cfg->snapshot_limit);
		goto out;
	}
	if (store_snap_insert(va->store, v->uuid, &s, err) == -1)
		goto out;
	in_tx = 0;
	if (store_tx_commit(va->store, err) == -1)
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
	*out = snapshot_json(&s);
	*status = 201;
	rc = 0;
out:
	if (in_tx)
		store_tx_rollback(va->store);
	volume_free(v);
	return rc;
}

int
h_list_snapshots(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot *ss = NULL;
	json_object *arr = NULL;
	size_t n = 0, i;
	int rc = -1;

	(void)who;
	if (load(va, params, 0, &v, NULL, err) == -1)
		goto out;
	if (store_snap_list(va->store, v->uuid, &ss, &n, err) == -1)
		goto out;
	if ((arr = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		json_object_array_add(arr, snapshot_json(&ss[i]));
	*out = arr;
	*status = 200;
	rc = 0;
out:
	free(ss);
	volume_free(v);
	return rc;
}

int
h_get_snapshot(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s;
	const char *name = NULL;
	int rc = -1;

	(void)who;
	if (load(va, params, 1, &v, &name, err) == -1 ||
	    store_snap_get(va->store, v->uuid, name, &s, err) == -1)
		goto out;
	*out = snapshot_json(&s);
	*status = 200;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

int
h_delete_snapshot(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct snapshot s;
	const char *name = NULL;
	int rc = -1;

	(void)who;
	if (load(va, params, 1, &v, &name, err) == -1 ||
	    store_snap_get(va->store, v->uuid, name, &s, err) == -1)
		goto out;
	if (provision_call(va->prov, PROVISION_SNAP_DELETE, v->uuid, 0, name,
		NULL, err) == -1 ||
	    store_snap_delete(va->store, v->uuid, name, err) == -1)
		goto out;
	*out = NULL;
	*status = 204;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

int
h_rollback_snapshot(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL, *now = NULL;
	struct snapshot s, *ss = NULL;
	const char *name = NULL;
	size_t n = 0, i;
	int rc = -1;

	(void)who;
	if (load(va, params, 1, &v, &name, err) == -1 ||
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
	if (store_volume_get(va->store, v->uuid, &now, err) == -1)
		goto out;
	*out = volumes_to_json(va, now);
	*status = 200;
	rc = 0;
out:
	free(ss);
	volume_free(v);
	volume_free(now);
	return rc;
}
