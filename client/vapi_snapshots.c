/*
 * vapi_snapshots.c: libvapi's snapshot endpoints: create, list, get,
 * delete and roll back.
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

/* "/volumes/<uuid>/snapshots/<escaped name>" */
static int
snap_path(struct vapi_client *c, char *buf, size_t len, const char *uuid,
    const char *name, const char *owner_uuid, struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	char suffix[VAPI_URL_MAX];
	char *esc;
	int n;

	if (name == NULL || *name == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no snapshot name given");
		return -1;
	}
	if ((esc = vapi_escape(c, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	vapi_query_add(c, &q, "owner_uuid", owner_uuid);
	n = snprintf(suffix, sizeof(suffix), "/snapshots/%s%s", esc, q.buf);
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(suffix)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "snapshot name too long");
		return -1;
	}
	return vapi_volume_path(c, buf, len, uuid, suffix, err);
}

static int
snapshot_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct vapi_snapshot *out, struct tnfs_err *err)
{
	memset(out, 0, sizeof(*out));
	return vapi_call(c, method, path, body, json_type_object, NULL,
	    vapi_kind_snapshot.decode, out, err);
}

int
vapi_client_create_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct vapi_snapshot *out,
    struct tnfs_err *err)
{
	const struct vapi_field f[] = {{"name", name}, {"owner_uuid", owner_uuid}};
	json_object *body = NULL;
	char path[VAPI_URL_MAX];
	int rc = -1;

	if (vapi_volume_path(c, path, sizeof(path), uuid, "/snapshot", err) ==
	    -1)
		goto out;
	if ((body = vapi_body(f, 2)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = snapshot_call(c, "POST", path, body, out, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_list_snapshots(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, struct vapi_snapshot_list *out,
    struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	char path[VAPI_URL_MAX], suffix[VAPI_URL_MAX + 16];
	void *items = NULL;
	int rc;

	out->items = NULL;
	out->n = 0;
	vapi_query_add(c, &q, "owner_uuid", owner_uuid);
	if (snprintf(suffix, sizeof(suffix), "/snapshots%s", q.buf) >=
	    (int)sizeof(suffix)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		return -1;
	}
	if (vapi_volume_path(c, path, sizeof(path), uuid, suffix, err) == -1)
		return -1;
	rc = vapi_get_list(
	    c, path, NULL, &vapi_kind_snapshot, &items, &out->n, err);
	out->items = items;
	return rc;
}

int
vapi_client_get_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct vapi_snapshot *out,
    struct tnfs_err *err)
{
	char path[VAPI_URL_MAX];

	memset(out, 0, sizeof(*out));
	if (snap_path(c, path, sizeof(path), uuid, name, owner_uuid, err) == -1)
		return -1;
	return snapshot_call(c, "GET", path, NULL, out, err);
}

int
vapi_client_delete_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct tnfs_err *err)
{
	char path[VAPI_URL_MAX];

	if (snap_path(c, path, sizeof(path), uuid, name, owner_uuid, err) == -1)
		return -1;
	return vapi_plain_call(c, "DELETE", path, NULL, err);
}

int
vapi_client_rollback_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct tnfs_err *err)
{
	const struct vapi_field f[] = {{"name", name}, {"owner_uuid", owner_uuid}};

	return vapi_volume_action(c, uuid, "/rollbacktosnapshot", f, 2, err);
}
