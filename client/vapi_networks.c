/*
 * vapi_networks.c: libvapi's network endpoints: the networks an owner
 * may use, and the one resolver of a network name or uuid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "err.h"
#include "jsonx.h"
#include "timefmt.h"
#include "uuid.h"
#include "vapi_client.h"
#include "vapi_impl.h"

int
vapi_client_list_networks(
    struct vapi_client *c, struct vapi_network_list *out, struct tnfs_err *err)
{
	json_object *reply = NULL;
	size_t i, len;
	int status, rc = -1;

	out->items = NULL;
	out->n = 0;
	if (vapi_client_request(
		c, "GET", "/networks", NULL, &status, &reply, err) == -1 ||
	    vapi_expect_type(reply, json_type_array, "GET /networks", err) == -1)
		goto out;
	len = json_object_array_length(reply);
	if (len > 0 &&
	    (out->items = calloc(len, sizeof(*out->items))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (vapi_network_from_json(&out->items[i],
			json_object_array_get_idx(reply, i), err) == -1) {
			out->n = i + 1;
			vapi_network_list_clear(out);
			goto out;
		}
		out->n = i + 1;
	}
	rc = 0;
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

static int
network_visible(const struct vapi_network *nw, const char *owner_uuid)
{
	size_t i;

	/* No owner list means a network every owner may use. */
	if (owner_uuid == NULL || nw->nowner_uuids == 0)
		return 1;
	for (i = 0; i < nw->nowner_uuids; i++)
		if (strcmp(nw->owner_uuids[i], owner_uuid) == 0)
			return 1;
	return 0;
}

int
vapi_client_resolve_network(struct vapi_client *c, const char *owner_uuid,
    const char *name_or_uuid, char uuid_out[VAPI_UUID_BUFSZ],
    struct tnfs_err *err)
{
	struct vapi_network_list l = {0};
	char known[512];
	size_t i, klen = 0;
	int rc = -1;

	uuid_out[0] = '\0';
	if (vapi_client_list_networks(c, &l, err) == -1)
		goto out;
	known[0] = '\0';
	for (i = 0; i < l.n; i++) {
		const struct vapi_network *nw = &l.items[i];
		int match;

		if (!network_visible(nw, owner_uuid))
			continue;
		if (name_or_uuid == NULL || *name_or_uuid == '\0')
			match = nw->is_default;
		else
			match = strcmp(nw->uuid, name_or_uuid) == 0 ||
			    strcmp(nw->name, name_or_uuid) == 0;
		if (match) {
			memcpy(uuid_out, nw->uuid, VAPI_UUID_BUFSZ);
			rc = 0;
			goto out;
		}
		if (klen < sizeof(known)) {
			int n = snprintf(known + klen, sizeof(known) - klen,
			    "%s%s", klen ? ", " : "", nw->name);
			if (n > 0)
				klen += (size_t)n;
		}
	}
	if (name_or_uuid == NULL || *name_or_uuid == '\0')
		tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
		    "no default network is configured in the VAPI; pass "
		    "network=<name> (known: %s)",
		    klen ? known : "none");
	else
		tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
		    "network %s not found (known: %s)", name_or_uuid,
		    klen ? known : "none");
out:
	vapi_network_list_clear(&l);
	return rc;
}
