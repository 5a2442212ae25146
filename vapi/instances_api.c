/*
 * instances_api.c: the instances route (instances_api.h).
 */
#include <stdlib.h>
#include <string.h>

#include "instances.h"
#include "instances_api.h"
#include "jsonx.h"
#include "store.h"
#include "timefmt.h"

static json_object *
instance_json(
    const struct vapi *va, const struct instance *in, int64_t live_after)
{
	char started[TNFS_TIME_BUFSZ], seen[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	tnfs_time_format(in->started_ms, started);
	tnfs_time_format(in->heartbeat_ms, seen);
	if (jsonx_add_str(o, "id", in->id) == -1 ||
	    jsonx_add_str(o, "hostname", in->hostname) == -1 ||
	    jsonx_add_str(o, "address", in->address) == -1 ||
	    jsonx_add_str(o, "start_timestamp", started) == -1 ||
	    jsonx_add_str(o, "heartbeat_timestamp", seen) == -1 ||
	    jsonx_add_bool(o, "alive", in->heartbeat_ms >= live_after) == -1 ||
	    jsonx_add_int64(o, "jobs", in->jobs) == -1 ||
	    jsonx_add_bool(o, "self",
		va->inst != NULL &&
		    strcmp(instances_id(va->inst), in->id) == 0) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
h_list_instances(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct instance *is = NULL;
	int64_t live_after = instances_live_after();
	json_object *arr;
	size_t n = 0, i;

	(void)who, (void)params;
	if (store_instance_list(va->store, &is, &n, err) == -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++)
		if (api_array_add(arr, instance_json(va, &is[i], live_after)) ==
		    -1) {
			json_object_put(arr);
			arr = NULL;
		}
	free(is);
	return api_reply(arr, 200, out, status, err);
}
