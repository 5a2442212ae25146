/*
 * vapi_hosts.c: libvapi's host endpoints: a Docker host's registration
 * and heartbeat, the holders of names, and granted addresses.
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

/* ---- hosts and granted addresses ---- */

int
vapi_client_put_host(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *hostname, const char *address,
    const char *version, struct tnfs_err *err)
{
	const struct vapi_field f[] = {{"owner_uuid", owner_uuid},
	    {"hostname", hostname}, {"address", address}, {"version", version}};
	char path[VAPI_URL_MAX];
	char *esc = NULL;
	int n, rc = -1;

	if (uuid == NULL || (esc = vapi_escape(c, uuid)) == NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no host uuid given");
		goto out;
	}
	n = snprintf(path, sizeof(path), "/hosts/%s", esc);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		goto out;
	}
	rc = vapi_fields_call(c, "PUT", path, f, 4, err);
out:
	curl_free(esc);
	return rc;
}

static void
host_str(json_object *o, const char *key, char *dst, size_t len)
{
	const char *v = jsonx_get_str(o, key);

	snprintf(dst, len, "%s", v != NULL ? v : "");
}

/* Where hosts_decode puts GET /hosts. */
struct hosts_out {
	struct vapi_host **v;
	size_t *n;
};

static int
hosts_decode(void *dst, json_object *reply, struct tnfs_err *err)
{
	const struct hosts_out *o = dst;
	json_object *e, *alive;
	size_t i, len = json_object_array_length(reply);
	struct vapi_host *hs;

	if ((hs = calloc(len + 1, sizeof(*hs))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		struct vapi_host *h = &hs[i];

		e = json_object_array_get_idx(reply, i);
		host_str(e, "uuid", h->uuid, sizeof(h->uuid));
		host_str(e, "owner_uuid", h->owner_uuid, sizeof(h->owner_uuid));
		host_str(e, "hostname", h->hostname, sizeof(h->hostname));
		host_str(e, "address", h->address, sizeof(h->address));
		host_str(e, "version", h->version, sizeof(h->version));
		h->alive = json_object_object_get_ex(e, "alive", &alive) &&
		    json_object_get_boolean(alive);
	}
	*o->v = hs;
	*o->n = len;
	return 0;
}

int
vapi_client_list_hosts(struct vapi_client *c, const char *owner_uuid,
    struct vapi_host **out, size_t *n, struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	struct hosts_out o = {out, n};
	char path[VAPI_URL_MAX + 16];

	*out = NULL;
	*n = 0;
	vapi_query_add(c, &q, "owner_uuid", owner_uuid);
	snprintf(path, sizeof(path), "/hosts%s", q.buf);
	return vapi_call(c, "GET", path, NULL, json_type_array, "GET /hosts",
	    hosts_decode, &o, err);
}

void
vapi_client_name_holders(
    struct vapi_client *c, const char *owner_uuid, struct tnfs_err *err)
{
	static const char used[] = " is used by vms: ";
	static const char head[] = "Volume with name ";
	struct vapi_host *hs = NULL;
	char msg[TNFS_ERR_MSG_MAX], name[512], uuids[TNFS_ERR_MSG_MAX];
	const char *at, *p;
	char *save = NULL;
	size_t nh = 0, off, i, k;
	int w;

	if (err == NULL || strcmp(err->code, "VolumeInUse") != 0 ||
	    strncmp(err->msg, head, sizeof(head) - 1) != 0 ||
	    (at = strstr(err->msg, used)) == NULL ||
	    (size_t)(at - err->msg) - (sizeof(head) - 1) >= sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s",
	    (int)((size_t)(at - err->msg) - (sizeof(head) - 1)),
	    err->msg + sizeof(head) - 1);
	snprintf(uuids, sizeof(uuids), "%s", at + sizeof(used) - 1);
	if (vapi_client_list_hosts(c, owner_uuid, &hs, &nh, NULL) == -1)
		return;
	w = snprintf(msg, sizeof(msg), "volume %s is in use on ", name);
	off = w > 0 ? (size_t)w : 0;
	for (p = strtok_r(uuids, ", ", &save), k = 0;
	     p != NULL && off < sizeof(msg);
	     p = strtok_r(NULL, ", ", &save), k++) {
		const char *hostname = NULL;

		for (i = 0; i < nh; i++)
			if (strcmp(hs[i].uuid, p) == 0)
				hostname = hs[i].hostname;
		if (hostname != NULL)
			w = snprintf(msg + off, sizeof(msg) - off,
			    "%shost %s (uuid %s)", k > 0 ? ", " : "", hostname,
			    p);
		else
			w = snprintf(msg + off, sizeof(msg) - off,
			    "%shost %s (not registered)", k > 0 ? ", " : "", p);
		if (w > 0)
			off += (size_t)w;
	}
	free(hs);
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

int
vapi_client_grant_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *address, struct tnfs_err *err)
{
	const struct vapi_field f[] = {
	    {"owner_uuid", owner_uuid}, {"address", address}};

	return vapi_volume_action(c, uuid, "/grantaccess", f, 2, err);
}

int
vapi_client_revoke_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *address, struct tnfs_err *err)
{
	const struct vapi_field f[] = {
	    {"owner_uuid", owner_uuid}, {"address", address}};

	return vapi_volume_action(c, uuid, "/revokeaccess", f, 2, err);
}

/* [{address, create_timestamp}] -> the addresses, into a vapi_strv_out. */
static int
access_decode(void *dst, json_object *reply, struct tnfs_err *err)
{
	json_object *addrs;
	size_t i, len = json_object_array_length(reply);
	int rc = -1;

	if ((addrs = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		const char *a = jsonx_get_str(
		    json_object_array_get_idx(reply, i), "address");

		if (a != NULL &&
		    json_object_array_add(addrs, json_object_new_string(a)) !=
			0) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = vapi_strv_decode(dst, addrs, err);
out:
	json_object_put(addrs);
	return rc;
}

int
vapi_client_list_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, char ***out, size_t *n, struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	struct vapi_strv_out o = {out, n, "access"};
	char path[VAPI_URL_MAX], suffix[VAPI_URL_MAX + 16];

	*out = NULL;
	*n = 0;
	vapi_query_add(c, &q, "owner_uuid", owner_uuid);
	snprintf(suffix, sizeof(suffix), "/access%s", q.buf);
	if (vapi_volume_path(c, path, sizeof(path), uuid, suffix, err) == -1)
		return -1;
	return vapi_call(c, "GET", path, NULL, json_type_array, NULL,
	    access_decode, &o, err);
}
