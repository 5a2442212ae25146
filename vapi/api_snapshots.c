/*
 * api_snapshots.c: the HTTP side of volume snapshots (RFD 26): create,
 * list, get, delete, roll back, over the core of snapshots.h.
 */
#include <stdlib.h>

#include "api.h"
#include "api_params.h"
#include "jsonx.h"
#include "snapshots.h"
#include "timefmt.h"

static json_object *
snapshot_json(const struct snapshot *s)
{
	char ts[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	tnfs_time_format(s->create_ms, ts);
	if (jsonx_add_str(o, "name", s->name) == -1 ||
	    jsonx_add_str(o, "create_timestamp", ts) == -1 ||
	    jsonx_add_str(o, "state", s->state) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* uuid, owner_uuid and (when name) name: -1 with the causes. */
static int
snap_params(json_object *params, const char **uuid, const char **name,
    struct tnfs_err *err)
{
	struct causes c;

	causes_init(&c);
	*uuid = param_uuid(params, "uuid", "uuid", &c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (name != NULL) {
		*name = param_str(params, "name", &c);
		if (*name != NULL && !valid_snapshot_name(*name, &c))
			*name = NULL;
	}
	return causes_finish(&c, err);
}

int
h_create_snapshot(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid, *name;
	struct snapshot s;

	if (snap_params(params, &uuid, &name, err) == -1 ||
	    snapshots_create(va, uuid, api_owner(who, params), name, &s, err) ==
		-1)
		return -1;
	return api_reply(snapshot_json(&s), 201, out, status, err);
}

int
h_list_snapshots(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct snapshot *ss = NULL;
	json_object *arr;
	const char *uuid;
	size_t n = 0, i;

	if (snap_params(params, &uuid, NULL, err) == -1 ||
	    snapshots_list(va, uuid, api_owner(who, params), &ss, &n, err) ==
		-1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++)
		if (api_array_add(arr, snapshot_json(&ss[i])) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	free(ss);
	return api_reply(arr, 200, out, status, err);
}

int
h_get_snapshot(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid, *name;
	struct snapshot s;

	if (snap_params(params, &uuid, &name, err) == -1 ||
	    snapshots_get(va, uuid, api_owner(who, params), name, &s, err) ==
		-1)
		return -1;
	return api_reply(snapshot_json(&s), 200, out, status, err);
}

int
h_delete_snapshot(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid, *name;

	if (snap_params(params, &uuid, &name, err) == -1 ||
	    snapshots_delete(va, uuid, api_owner(who, params), name, err) == -1)
		return -1;
	*out = NULL;
	*status = 204;
	return 0;
}

int
h_rollback_snapshot(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid, *name;
	struct volume *v = NULL;
	int rc;

	if (snap_params(params, &uuid, &name, err) == -1 ||
	    snapshots_rollback(
		va, uuid, api_owner(who, params), name, &v, err) == -1)
		return -1;
	rc = api_reply(api_volume_json(va, v), 200, out, status, err);
	volume_free(v);
	return rc;
}
