/*
 * api_admin.c: updating the NFS server of volumes (api_admin.h).
 *
 * RFD 26 lets an operator update the server of one volume or of many
 * (`sdcadm shared-volumes update`).  Here every volume of a storage host is
 * served by one nfs-ganesha, so an update is the core's restart
 * (volumes_restart, the provisioner's PROVISION_RESTART): activate the
 * volume's storage again (mount, quota), rewrite and reload its export,
 * and see it ready.  Volumes are updated one at a time, each
 * back to ready (or reported failed) before the next begins, so an update
 * of everything never has two volumes in flight.  A volume that a live
 * host references is left alone and its holders named, as RFD 26 asks,
 * unless the caller passes force=true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_admin.h"
#include "api_params.h"
#include "jsonx.h"
#include "log.h"
#include "volumes.h"

enum update_result {
	UPDATE_DONE,    /* back to ready */
	UPDATE_IN_USE,  /* referenced by a live host; not touched */
	UPDATE_SKIPPED, /* creating or deleting: not the operator's to touch */
	UPDATE_FAILED,  /* the restart failed, or the volume is not ready */
};

static const char *const result_names[] = {
    "updated", "in_use", "skipped", "failed"};
static const char *const count_names[] = {
    "updated", "in_use", "skipped", "failed"};

/*
 * Update one volume, given its record as listed.  Fills err with why it
 * was not updated; the result says how to count it.
 */
static enum update_result
update_one(struct vapi *va, const struct volume *v, int force,
    struct volume **after, struct tnfs_err *err)
{
	char holders[2048];

	*after = NULL;
	if (strcmp(v->state, "ready") != 0 && strcmp(v->state, "failed") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "Volume with uuid %s is %s: only ready or failed volumes "
		    "can be updated",
		    v->uuid, v->state);
		return UPDATE_SKIPPED;
	}
	if (!force && volumes_live_refs(va, v, holders, sizeof(holders)) > 0) {
		tnfs_err_set(err, TNFS_E_IN_USE,
		    "Volume with name %s is used by vms: %s", v->name, holders);
		return UPDATE_IN_USE;
	}
	log_info("volume %s (%s): updating its NFS server", v->uuid, v->name);
	if (volumes_restart(va, v->uuid, after, err) == -1) {
		log_err(TNFS_LOG_WARN, err, "volume %s: update failed", v->uuid);
		return UPDATE_FAILED;
	}
	if (strcmp((*after)->state, "ready") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "Volume with uuid %s is %s after the update%s%s", v->uuid,
		    (*after)->state, (*after)->error != NULL ? ": " : "",
		    (*after)->error != NULL ? (*after)->error : "");
		return UPDATE_FAILED;
	}
	log_info("volume %s updated, ready at %s", v->uuid,
	    (*after)->filesystem_path != NULL ? (*after)->filesystem_path
					      : "-");
	return UPDATE_DONE;
}

/* The per-volume entry of the reply; NULL when out of memory. */
static json_object *
result_json(const struct vapi *va, const struct volume *v,
    const struct volume *after, enum update_result r,
    const struct tnfs_err *why)
{
	json_object *o = json_object_new_object(), *arr;
	struct ref_clock clk;
	size_t i;

	volumes_clock(va, &clk);
	if (o == NULL || jsonx_add_str(o, "uuid", v->uuid) == -1 ||
	    jsonx_add_str(o, "name", v->name) == -1 ||
	    jsonx_add_str(o, "owner_uuid", v->owner_uuid) == -1 ||
	    jsonx_add_str(o, "result", result_names[r]) == -1 ||
	    jsonx_add_str(
		o, "state", after != NULL ? after->state : v->state) == -1)
		goto fail;
	if (r != UPDATE_DONE && jsonx_add_str(o, "message", why->msg) == -1)
		goto fail;
	if (r == UPDATE_IN_USE) {
		if ((arr = json_object_new_array()) == NULL)
			goto fail;
		json_object_object_add(o, "holders", arr);
		for (i = 0; i < v->nrefs; i++) {
			json_object *s;

			if (!volume_ref_live(&v->refs[i], &clk))
				continue;
			if ((s = json_object_new_string(v->refs[i].vm_uuid)) ==
				NULL ||
			    json_object_array_add(arr, s) == -1) {
				json_object_put(s);
				goto fail;
			}
		}
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/*
 * Update each of vs in turn and build the reply.  stop_on_error: the first
 * volume not updated fails the whole with its error (one volume asked for
 * by uuid).
 */
static int
update_list(struct vapi *va, struct volume **vs, size_t n, int force,
    int stop_on_error, json_object **out, struct tnfs_err *err)
{
	json_object *top = json_object_new_object(), *arr = NULL;
	size_t counts[4] = {0, 0, 0, 0}, i;
	int rc = -1;

	if (top == NULL || (arr = json_object_new_array()) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct volume *after = NULL;
		struct tnfs_err why;
		enum update_result r;
		json_object *o;

		tnfs_err_clear(&why);
		r = update_one(va, vs[i], force, &after, &why);
		if (r != UPDATE_DONE && stop_on_error) {
			volume_free(after);
			if (err != NULL)
				*err = why;
			goto out;
		}
		counts[r]++;
		o = result_json(va, vs[i], after, r, &why);
		volume_free(after);
		if (o == NULL || json_object_array_add(arr, o) == -1) {
			json_object_put(o);
			goto nomem;
		}
	}
	for (i = 0; i < 4; i++)
		if (jsonx_add_int64(top, count_names[i], (int64_t)counts[i]) ==
		    -1)
			goto nomem;
	json_object_object_add(top, "volumes", arr);
	arr = NULL;
	*out = top;
	top = NULL;
	rc = 0;
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	json_object_put(arr);
	json_object_put(top);
	return rc;
}

int
h_admin_update_volume(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	const char *uuid, *owner;
	struct causes c;
	int force, rc = -1;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	force = param_bool(params, "force", 0, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	/* With an owner, RFD 26 checks the volume is that owner's. */
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if (update_list(va, &v, 1, force, 1, out, err) == -1)
		goto out;
	*status = 200;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

int
h_admin_update_volumes(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct list_req rq;
	struct volume **vs = NULL;
	struct causes c;
	size_t n = 0;
	int force, rc = -1;

	(void)who;
	memset(&rq, 0, sizeof(rq));
	causes_init(&c);
	rq.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	force = param_bool(params, "force", 0, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (volumes_list(va, &rq, &vs, &n, err) == -1)
		goto out;
	if (update_list(va, vs, n, force, 0, out, err) == -1)
		goto out;
	*status = 200;
	rc = 0;
out:
	volume_list_free(vs, n);
	return rc;
}
