/*
 * api_reply.c: building the Volume API's replies.  Every json-c
 * allocation is checked: a builder returns NULL when any part failed, and
 * api_reply turns that into a 500 (issue: an empty 2xx body would tell a
 * client that a volume has no fields).
 */
#include <string.h>

#include "api.h"
#include "jsonx.h"
#include "timefmt.h"
#include "volumes.h"

const char *
api_owner(const struct caller *who, json_object *params)
{
	const char *o = jsonx_get_str(params, "owner_uuid");

	if (o != NULL)
		return o;
	return who->operator? NULL : who->owner_uuid;
}

int
api_oom(struct tnfs_err *err)
{
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return -1;
}

int
api_array_add(json_object *arr, json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_array_add(arr, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
api_object_add(json_object *obj, const char *key, json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
api_reply(json_object *body, int status, json_object **out, int *rstatus,
    struct tnfs_err *err)
{
	if (body == NULL)
		return api_oom(err);
	*out = body;
	*rstatus = status;
	return 0;
}

static json_object *
networks_json(const struct volume *v)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a != NULL && i < v->nnetworks; i++)
		if (api_array_add(a, json_object_new_string(v->networks[i])) ==
		    -1) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

static json_object *
labels_json(const struct volume *v)
{
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; o != NULL && i < v->nlabels; i++)
		if (jsonx_add_str(o, v->labels[i].key, v->labels[i].value) ==
		    -1) {
			json_object_put(o);
			return NULL;
		}
	return o;
}

/* The live references' vm uuids; VOLAPI leaves the member out when none. */
static int
add_refs(json_object *o, const struct vapi *va, const struct volume *v)
{
	json_object *refs = json_object_new_array();
	struct ref_clock clk;
	size_t i;

	if (refs == NULL)
		return -1;
	volumes_clock(va, &clk);
	for (i = 0; i < v->nrefs; i++)
		if (volume_ref_live(&v->refs[i], &clk) &&
		    api_array_add(refs,
			json_object_new_string(v->refs[i].vm_uuid)) == -1) {
			json_object_put(refs);
			return -1;
		}
	if (json_object_array_length(refs) == 0) {
		json_object_put(refs);
		return 0;
	}
	return api_object_add(o, "refs", refs);
}

/* Where a ready volume is served, and why a failed one failed. */
static int
add_state_details(json_object *o, const struct volume *v)
{
	if (v->filesystem_path != NULL && strcmp(v->state, "ready") == 0 &&
	    (jsonx_add_str(o, "filesystem_path", v->filesystem_path) == -1 ||
		jsonx_add_int64(o, "nfs_port", v->nfs_port) == -1 ||
		jsonx_add_int64(o, "mount_port", v->mount_port) == -1))
		return -1;
	if (v->error != NULL && strcmp(v->state, "failed") == 0 &&
	    jsonx_add_str(o, "error", v->error) == -1)
		return -1;
	return 0;
}

json_object *
api_volume_json(const struct vapi *va, const struct volume *v)
{
	char ts[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	tnfs_time_format(v->create_ms, ts);
	if (jsonx_add_str(o, "uuid", v->uuid) == -1 ||
	    jsonx_add_str(o, "owner_uuid", v->owner_uuid) == -1 ||
	    jsonx_add_str(o, "name", v->name) == -1 ||
	    jsonx_add_str(o, "type", v->type) == -1 ||
	    jsonx_add_int64(o, "size", (int64_t)v->size) == -1 ||
	    jsonx_add_str(o, "state", v->state) == -1 ||
	    jsonx_add_str(o, "create_timestamp", ts) == -1 ||
	    api_object_add(o, "networks", networks_json(v)) == -1 ||
	    api_object_add(o, "labels", labels_json(v)) == -1)
		goto fail;
	/* Kept as the creator gave it (always JSON): NULL means no memory. */
	if (v->affinity != NULL &&
	    api_object_add(o, "affinity", json_tokener_parse(v->affinity)) ==
		-1)
		goto fail;
	if ((v->vm_uuid[0] != '\0' &&
		jsonx_add_str(o, "vm_uuid", v->vm_uuid) == -1) ||
	    add_state_details(o, v) == -1 || add_refs(o, va, v) == -1 ||
	    jsonx_add_int64(o, "snapshots", (int64_t)v->nsnapshots) == -1)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}
