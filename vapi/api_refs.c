/*
 * api_refs.c: the HTTP side of references and reservations
 * (GetVolumeReferences, Add/RemoveVolumeReference, the reservation
 * routes; reference §1.8-1.9) over the core of refs.h.
 */
#include <stdint.h>
#include <string.h>

#include "api.h"
#include "api_params.h"
#include "jsonx.h"
#include "refs.h"
#include "timefmt.h"
#include "volumes.h"

int
h_get_references(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct ref_clock clk;
	json_object *arr;
	const char *uuid;
	struct causes c;
	size_t i;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	/* No owner_uuid here (VOLAPI refuses it); a token still scopes. */
	if (volumes_load(va, uuid, api_owner(who, params), &v, err) == -1)
		return -1;
	volumes_clock(va, &clk);
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < v->nrefs; i++)
		if (volume_ref_live(&v->refs[i], &clk) &&
		    api_array_add(arr,
			json_object_new_string(v->refs[i].vm_uuid)) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	volume_free(v);
	return api_reply(arr, 200, out, status, err);
}

static int
change_reference(struct vapi *va, json_object *params, int add,
    json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid, *owner, *vm;
	struct causes c;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	vm = param_uuid(params, "vm_uuid", "vm_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if ((add ? refs_add : refs_remove)(va, uuid, owner, vm, err) == -1)
		return -1;
	*out = NULL;
	*status = 204;
	return 0;
}

int
h_add_reference(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	(void)
	    who; /* owner_uuid is required: http.c checked it is the caller's */
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

	if (o == NULL)
		return NULL;
	tnfs_time_format(r->create_ms, ts);
	if (jsonx_add_str(o, "uuid", r->uuid) == -1 ||
	    jsonx_add_str(o, "volume_name", r->volume_name) == -1 ||
	    jsonx_add_str(o, "job_uuid", r->job_uuid) == -1 ||
	    jsonx_add_str(o, "owner_uuid", r->owner_uuid) == -1 ||
	    jsonx_add_str(o, "vm_uuid", r->vm_uuid) == -1 ||
	    jsonx_add_str(o, "create_timestamp", ts) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* volume_name: a valid name, or NULL. */
static const char *
param_volume_name(json_object *params, struct causes *c)
{
	const char *name = param_str(params, "volume_name", c);

	return name != NULL && valid_volume_name(name, c) ? name : NULL;
}

int
h_add_reservation(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct reservation r;
	struct resv_req rq;
	struct causes c;

	(void)who;
	causes_init(&c);
	rq.volume_name = param_volume_name(params, &c);
	rq.job_uuid = param_uuid(params, "job_uuid", "job_uuid", &c);
	rq.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq.vm_uuid = param_uuid(params, "vm_uuid", "vm_uuid", &c);
	if (causes_finish(&c, err) == -1 || resv_add(va, &rq, &r, err) == -1)
		return -1;
	return api_reply(reservation_json(&r), 201, out, status, err);
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
	if (causes_finish(&c, err) == -1 ||
	    resv_remove(va, uuid, owner, err) == -1)
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
	struct resv_req rq;
	json_object *arr;
	struct causes c;
	size_t n = 0, i;

	(void)who;
	causes_init(&c);
	rq.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq.volume_name = param_volume_name(params, &c);
	rq.vm_uuid = param_uuid(params, "vm_uuid", "vm_uuid", &c);
	rq.job_uuid = param_uuid(params, "job_uuid", "job_uuid", &c);
	if (causes_finish(&c, err) == -1 ||
	    resv_list(va, &rq, &rs, &n, err) == -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++)
		if (api_array_add(arr, reservation_json(&rs[i])) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	reservation_list_free(rs, n);
	return api_reply(arr, 200, out, status, err);
}
