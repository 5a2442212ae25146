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
	void *items = NULL;
	int rc;

	rc = vapi_get_list(c, "/networks", "GET /networks", &vapi_kind_network,
	    &items, &out->n, err);
	out->items = items;
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

/* "a, b, c" of the networks owner sees, cut to fit, for error messages. */
static void
known_names(const struct vapi_network_list *l, const char *owner_uuid,
    char *buf, size_t len)
{
	size_t i, at = 0;
	int n;

	snprintf(buf, len, "none");
	for (i = 0; i < l->n && at < len; i++) {
		if (!network_visible(&l->items[i], owner_uuid))
			continue;
		n = snprintf(buf + at, len - at, "%s%s", at ? ", " : "",
		    l->items[i].name);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

int
vapi_network_pick(const struct vapi_network_list *l, const char *owner_uuid,
    const char *arg, const struct vapi_network **hit, struct tnfs_err *err)
{
	/* The order of the rules: default or uuid, then name, then prefix. */
	enum { BY_ID, BY_NAME, BY_PREFIX, NRULES } rule;
	const struct vapi_network *found = NULL;
	char known[512];
	size_t i, nfound;

	*hit = NULL;
	if (arg != NULL && *arg == '\0')
		arg = NULL;
	for (rule = BY_ID; rule < NRULES && found == NULL; rule++) {
		if (rule == BY_PREFIX && (arg == NULL || !tnfs_uuid_prefix_valid(arg)))
			break;
		nfound = 0;
		for (i = 0; i < l->n; i++) {
			const struct vapi_network *nw = &l->items[i];
			int match;

			if (!network_visible(nw, owner_uuid))
				continue;
			if (rule == BY_ID)
				match = arg == NULL
				    ? nw->is_default
				    : strcmp(nw->uuid, arg) == 0;
			else if (rule == BY_NAME)
				match =
				    arg != NULL && strcmp(nw->name, arg) == 0;
			else
				match =
				    strncmp(nw->uuid, arg, strlen(arg)) == 0;
			if (match && nfound++ == 0)
				found = nw;
		}
		if (rule == BY_PREFIX && nfound > 1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "network short id \"%s\" is ambiguous", arg);
			return -1;
		}
	}
	if (found == NULL) {
		known_names(l, owner_uuid, known, sizeof(known));
		if (arg == NULL)
			tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
			    "no default network is configured; name one "
			    "(known: %s)",
			    known);
		else
			tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
			    "no network with id, name or short id \"%.300s\" "
			    "(known: %.200s)",
			    arg, known);
		return -1;
	}
	*hit = found;
	return 0;
}

int
vapi_client_resolve_network(struct vapi_client *c, const char *owner_uuid,
    const char *arg, char uuid_out[VAPI_UUID_BUFSZ],
    char name_out[VAPI_NAME_BUFSZ], struct tnfs_err *err)
{
	struct vapi_network_list l = {0};
	const struct vapi_network *nw;
	int rc = -1;

	uuid_out[0] = '\0';
	if (vapi_client_list_networks(c, &l, err) == -1 ||
	    vapi_network_pick(&l, owner_uuid, arg, &nw, err) == -1)
		goto out;
	snprintf(uuid_out, VAPI_UUID_BUFSZ, "%s", nw->uuid);
	if (name_out != NULL)
		snprintf(name_out, VAPI_NAME_BUFSZ, "%s", nw->name);
	rc = 0;
out:
	vapi_network_list_clear(&l);
	return rc;
}
