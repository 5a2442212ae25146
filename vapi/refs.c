/*
 * refs.c: references and reservations (§1.8-1.9 of the reference).
 *
 * A reference says "this Docker host uses the volume".  Unlike Triton's,
 * ours are leases: AddVolumeReference renews one, and one not renewed
 * within the configured lease no longer holds the volume and is reaped by
 * the provisioner.  A reservation stands for a volume that a job is about
 * to use; creating that volume turns it into a reference.
 */
#include <stdint.h>
#include <string.h>

#include "jsonx.h"
#include "timefmt.h"
#include "validate.h"
#include "volumes.h"

int
h_get_references(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	int64_t after = volumes_live_after(va);
	json_object *arr;
	const char *uuid;
	struct causes c;
	size_t i;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	/* No owner_uuid here (VOLAPI refuses it); a token still scopes. */
	if (volumes_load(
		va, uuid, who->operator? NULL : who->owner_uuid, &v, err) == -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < v->nrefs; i++)
		if (v->refs[i].renewed_ms >= after)
			json_object_array_add(
			    arr, json_object_new_string(v->refs[i].vm_uuid));
	volume_free(v);
	if (arr == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	*out = arr;
	*status = 200;
	return 0;
}

static int
change_reference(struct vapi *va, json_object *params, int add,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	const char *uuid, *owner, *vm;
	struct causes c;
	int rc = -1, in_tx = 0;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	vm = param_uuid(params, "vm_uuid", "vm_uuid", &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (store_tx_begin(va->store, err) == -1)
		goto out;
	in_tx = 1;
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if (add) {
		if (strcmp(v->state, "deleting") == 0) {
			tnfs_err_set(err, TNFS_E_BAD_STATE,
			    "Volume with uuid %s is being deleted", uuid);
			goto out;
		}
		if (store_ref_put(
			va->store, uuid, vm, owner, tnfs_now_ms(), err) == -1 ||
		    store_resv_delete_for(va->store, owner, v->name, vm, err) ==
			-1)
			goto out;
	} else if (store_ref_remove(va->store, uuid, vm, err) == -1) {
		goto out;
	}
	in_tx = 0;
	if (store_tx_commit(va->store, err) == -1)
		goto out;
	*out = NULL;
	*status = 204;
	rc = 0;
out:
	if (in_tx)
		store_tx_rollback(va->store);
	volume_free(v);
	return rc;
}

int
h_add_reference(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	(void)who;
	return change_reference(va, params, 1, out, status, err);
}

int
h_remove_reference(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	(void)who;
	return change_reference(va, params, 0, out, status, err);
}

static json_object *
reservation_json(const struct reservation *r)
{
	char ts[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object();

	tnfs_time_format(r->create_ms, ts);
	jsonx_add_str(o, "uuid", r->uuid);
	jsonx_add_str(o, "volume_name", r->volume_name);
	jsonx_add_str(o, "job_uuid", r->job_uuid);
	jsonx_add_str(o, "owner_uuid", r->owner_uuid);
	jsonx_add_str(o, "vm_uuid", r->vm_uuid);
	jsonx_add_str(o, "create_timestamp", ts);
	return o;
}

int
h_add_reservation(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume_filter f = {NULL, "ready"};
	struct volume **vs = NULL;
	struct reservation r;
	const char *name, *job, *owner, *vm;
	struct causes c;
	size_t n = 0, i;
	int rc = -1, in_tx = 0;

	(void)who;
	memset(&r, 0, sizeof(r));
	causes_init(&c);
	name = param_str(params, "volume_name", &c);
	if (name != NULL && !valid_volume_name(name, &c))
		name = NULL;
	job = param_uuid(params, "job_uuid", "job_uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	vm = param_uuid(params, "vm_uuid", "vm_uuid", &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (tnfs_uuid_generate(r.uuid, err) == -1)
		goto out;
	r.volume_name = (char *)(uintptr_t)name; /* borrowed, not freed */
	memcpy(r.job_uuid, job, TNFS_UUID_BUFSZ);
	memcpy(r.owner_uuid, owner, TNFS_UUID_BUFSZ);
	memcpy(r.vm_uuid, vm, TNFS_UUID_BUFSZ);
	r.create_ms = tnfs_now_ms();
	if (store_tx_begin(va->store, err) == -1)
		goto out;
	in_tx = 1;
	if (store_resv_insert(va->store, &r, err) == -1)
		goto out;
	/* A ready volume of that name is referenced at once (§1.9). */
	f.owner_uuid = owner;
	if (store_volume_list(va->store, &f, &vs, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(vs[i]->name, name) == 0 &&
		    store_ref_put(va->store, vs[i]->uuid, vm, owner,
			tnfs_now_ms(), err) == -1)
			goto out;
	in_tx = 0;
	if (store_tx_commit(va->store, err) == -1)
		goto out;
	*out = reservation_json(&r);
	*status = 201;
	rc = 0;
out:
	if (in_tx)
		store_tx_rollback(va->store);
	volume_list_free(vs, n);
	return rc;
}

int
h_remove_reservation(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid, *owner;
	struct causes c;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if (store_resv_delete(va->store, uuid, owner, err) == -1)
		return -1;
	*out = NULL;
	*status = 204;
	return 0;
}

int
h_list_reservations(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct reservation *rs = NULL;
	const char *owner, *name, *vm, *job;
	json_object *arr;
	struct causes c;
	size_t n = 0, i;

	(void)who;
	causes_init(&c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	name = param_str(params, "volume_name", &c);
	if (name != NULL && !valid_volume_name(name, &c))
		name = NULL;
	vm = param_uuid(params, "vm_uuid", "vm_uuid", &c);
	job = param_uuid(params, "job_uuid", "job_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if (store_resv_list(va->store, owner, name, vm, job, &rs, &n, err) ==
	    -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_object_array_add(arr, reservation_json(&rs[i]));
	reservation_list_free(rs, n);
	if (arr == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	*out = arr;
	*status = 200;
	return 0;
}
