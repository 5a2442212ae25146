/*
 * networks.c: ListNetworks and GetNetwork, CloudAPI's view of the
 * networks the Volume API serves volumes on (sdc-cloudapi
 * lib/endpoints/networks.js translateNetwork).
 *
 * Mapping, VAPI -> CloudAPI: uuid -> id; name as is; fabric networks
 * carry "fabric": true, "public": false and their subnet, as CloudAPI
 * shows a fabric network's own fields; others are "public": true.  An
 * account sees the networks open to every owner and those naming it in
 * owner_uuids; any other network is 404 ResourceNotFound, as one that
 * does not exist.
 */
#include <string.h>

#include "cloudapi.h"
#include "jsonx.h"

static int
visible(const struct vapi_network *n, const char *owner)
{
	size_t i;

	if (n->nowner_uuids == 0)
		return 1;
	for (i = 0; i < n->nowner_uuids; i++)
		if (strcmp(n->owner_uuids[i], owner) == 0)
			return 1;
	return 0;
}

static json_object *
network_json(const struct vapi_network *n)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	jsonx_add_str(o, "id", n->uuid);
	jsonx_add_str(o, "name", n->name);
	jsonx_add_bool(o, "public", !n->fabric);
	if (n->fabric) {
		jsonx_add_bool(o, "fabric", 1);
		if (n->subnet[0] != '\0')
			jsonx_add_str(o, "subnet", n->subnet);
	}
	return o;
}

static int
list(const struct capi_call *call, struct vapi_network_list *nl,
    struct tnfs_err *err)
{
	struct vapi_client *vc;
	int rc;

	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		return -1;
	rc = vapi_client_list_networks(vc, nl, err);
	vapi_client_free(vc);
	if (rc == -1)
		capi_wrap_vapi_err(err, "Error when listing networks");
	return rc;
}

int
capi_list_networks(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	struct vapi_network_list nl = {NULL, 0};
	json_object *arr = NULL;
	size_t i;

	if (list(call, &nl, err) == -1)
		return -1;
	if ((arr = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		vapi_network_list_clear(&nl);
		return -1;
	}
	for (i = 0; i < nl.n; i++)
		if (visible(&nl.items[i], call->account->uuid))
			json_object_array_add(arr, network_json(&nl.items[i]));
	vapi_network_list_clear(&nl);
	*count = (long)json_object_array_length(arr);
	*out = arr;
	*status = 200;
	return 0;
}

int
capi_get_network(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	struct vapi_network_list nl = {NULL, 0};
	size_t i;
	int rc = -1;

	(void)count;
	if (list(call, &nl, err) == -1)
		return -1;
	for (i = 0; i < nl.n; i++)
		if (strcmp(nl.items[i].uuid, call->id) == 0 &&
		    visible(&nl.items[i], call->account->uuid))
			break;
	if (i == nl.n) {
		capi_err(err, "ResourceNotFound", 404, "%.64s not found",
		    call->id);
	} else if ((*out = network_json(&nl.items[i])) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	} else {
		*status = 200;
		rc = 0;
	}
	vapi_network_list_clear(&nl);
	return rc;
}
