/*
 * api_hosts.c: the HTTP side of host records (PUT/GET/DELETE /hosts/:uuid,
 * GET /hosts; hosts.h) and of the addresses granted to a volume's export
 * (/volumes/:uuid/access, grantaccess, revokeaccess; fence.h).  These
 * routes are tritonnfs's own: Triton's VOLAPI asks VMAPI instead.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_params.h"
#include "fence.h"
#include "hosts.h"
#include "jsonx.h"
#include "timefmt.h"

static json_object *
host_json(const struct vapi *va, const struct host *h)
{
	char created[TNFS_TIME_BUFSZ], seen[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	tnfs_time_format(h->created_ms, created);
	tnfs_time_format(h->heartbeat_ms, seen);
	if (jsonx_add_str(o, "uuid", h->uuid) == -1 ||
	    jsonx_add_str(o, "owner_uuid", h->owner_uuid) == -1 ||
	    jsonx_add_str(o, "hostname", h->hostname) == -1 ||
	    (h->address[0] != '\0' &&
		jsonx_add_str(o, "address", h->address) == -1) ||
	    jsonx_add_str(o, "version", h->version) == -1 ||
	    jsonx_add_str(o, "create_timestamp", created) == -1 ||
	    jsonx_add_str(o, "heartbeat_timestamp", seen) == -1 ||
	    jsonx_add_bool(o, "alive", hosts_alive(va, h)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
h_put_host(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct host_req rq;
	struct host h;
	struct causes c;
	int created = 0;

	causes_init(&c);
	rq.uuid = param_uuid(params, "uuid", "uuid", &c);
	rq.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq.hostname = param_str(params, "hostname", &c);
	rq.address = param_str(params, "address", &c);
	rq.version = param_str(params, "version", &c);
	rq.peer = who->peer;
	if (causes_finish(&c, err) == -1 ||
	    hosts_register(va, &rq, &h, &created, err) == -1)
		return -1;
	return api_reply(
	    host_json(va, &h), created ? 201 : 200, out, status, err);
}

int
h_get_host(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct host h;

	if (hosts_get(va, api_owner(who, params), jsonx_get_str(params, "uuid"),
		&h, err) == -1)
		return -1;
	return api_reply(host_json(va, &h), 200, out, status, err);
}

int
h_list_hosts(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct host *hs = NULL;
	const char *owner;
	json_object *arr;
	struct causes c;
	size_t n = 0, i;

	causes_init(&c);
	if (json_object_object_get_ex(params, "owner_uuid", NULL))
		param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	owner = api_owner(who, params);
	if (hosts_list(va, owner, &hs, &n, err) == -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++)
		if (api_array_add(arr, host_json(va, &hs[i])) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	free(hs);
	return api_reply(arr, 200, out, status, err);
}

int
h_delete_host(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	if (hosts_delete(va, api_owner(who, params),
		jsonx_get_str(params, "uuid"), err) == -1)
		return -1;
	*out = NULL;
	*status = 204;
	return 0;
}

static int
change_access(struct vapi *va, const struct caller *who, json_object *params,
    int grant, json_object **out, int *status, struct tnfs_err *err)
{
	const char *address;
	struct causes c;

	causes_init(&c);
	address = param_str(params, "address", &c);
	if (causes_finish(&c, err) == -1 ||
	    (grant ? fence_grant : fence_revoke)(va,
		jsonx_get_str(params, "uuid"), api_owner(who, params), address,
		err) == -1)
		return -1;
	*out = NULL;
	*status = 204;
	return 0;
}

int
h_grant_access(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	return change_access(va, who, params, 1, out, status, err);
}

int
h_revoke_access(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	return change_access(va, who, params, 0, out, status, err);
}

int
h_list_access(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct grant *gs = NULL;
	json_object *arr, *o;
	char ts[TNFS_TIME_BUFSZ];
	size_t n = 0, i;

	if (fence_grants(va, jsonx_get_str(params, "uuid"),
		api_owner(who, params), &gs, &n, err) == -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++) {
		tnfs_time_format(gs[i].created_ms, ts);
		if ((o = json_object_new_object()) == NULL ||
		    jsonx_add_str(o, "address", gs[i].address) == -1 ||
		    jsonx_add_str(o, "create_timestamp", ts) == -1) {
			json_object_put(o);
			json_object_put(arr);
			arr = NULL;
			break;
		}
		if (api_array_add(arr, o) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	}
	free(gs);
	return api_reply(arr, 200, out, status, err);
}
