/*
 * api_networks.c: the routes that read the configuration only:
 * ListVolumeSizes, ListNetworks and GetNetwork (reference §1.6-1.7).
 */
#include <string.h>

#include "api.h"
#include "api_params.h"
#include "jsonx.h"

static json_object *
size_json(uint64_t size)
{
	json_object *o = json_object_new_object();

	if (o != NULL &&
	    (jsonx_add_int64(o, "size", (int64_t)size) == -1 ||
		jsonx_add_str(o, "type", "tritonnfs") == -1)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
h_list_sizes(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	json_object *arr;
	const char *type;
	struct causes c;
	size_t i;

	(void)who;
	causes_init(&c);
	if ((type = param_str(params, "type", &c)) != NULL)
		valid_volume_type(type, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < va->cfg->nsizes; i++)
		if (api_array_add(arr, size_json(va->cfg->sizes[i])) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	return api_reply(arr, 200, out, status, err);
}

static json_object *
owners_json(const struct vapi_network *net)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a != NULL && i < net->nowners; i++)
		if (api_array_add(
			a, json_object_new_string(net->owner_uuids[i])) == -1) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

static json_object *
network_json(const struct vapi_network *net)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	if (jsonx_add_str(o, "uuid", net->uuid) == -1 ||
	    jsonx_add_str(o, "name", net->name) == -1 ||
	    jsonx_add_str(o, "subnet", net->subnet) == -1 ||
	    jsonx_add_bool(o, "fabric", net->fabric) == -1 ||
	    api_object_add(o, "owner_uuids", owners_json(net)) == -1 ||
	    jsonx_add_bool(o, "default", net->is_default) == -1 ||
	    jsonx_add_str(o, "nfs_address",
		net->advertise_address[0] ? net->advertise_address
					  : net->nfs_address) == -1 ||
	    jsonx_add_int64(o, "nfs_port",
		net->advertise_nfs_port ? net->advertise_nfs_port
					: net->nfs_port) == -1 ||
	    jsonx_add_int64(o, "mount_port",
		net->advertise_mount_port ? net->advertise_mount_port
					  : net->mount_port) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
h_list_networks(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const char *owner, *name;
	json_object *arr;
	struct causes c;
	size_t i;

	causes_init(&c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	name = param_str(params, "name", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	owner = api_owner(who, params);
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < va->cfg->nnetworks; i++) {
		const struct vapi_network *net = &va->cfg->networks[i];

		if (owner != NULL && !config_network_allows(net, owner))
			continue;
		if (name != NULL && strcmp(name, net->name) != 0)
			continue;
		if (api_array_add(arr, network_json(net)) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	}
	return api_reply(arr, 200, out, status, err);
}

int
h_get_network(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const struct vapi_network *net;
	const char *uuid, *owner;
	struct causes c;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	owner = api_owner(who, params);
	net = config_network(va->cfg, uuid);
	if (net == NULL ||
	    (owner != NULL && !config_network_allows(net, owner))) {
		tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
		    "Network with uuid %s could not be found", uuid);
		return -1;
	}
	return api_reply(network_json(net), 200, out, status, err);
}
