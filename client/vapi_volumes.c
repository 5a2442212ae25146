/*
 * vapi_volumes.c: libvapi's volume endpoints: ping, list, get, find,
 * create, update, delete, sizes, references and the operator's restart.
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

/* ---- endpoints ---- */

static int
ping_decode(void *dst, json_object *reply, struct tnfs_err *err)
{
	struct vapi_ping *out = dst;
	int64_t pid;
	int b;

	(void)err;
	if (jsonx_get_int64(reply, "pid", &pid) == 0)
		out->pid = pid;
	if (jsonx_get_str(reply, "status") != NULL)
		snprintf(out->status, sizeof(out->status), "%s",
		    jsonx_get_str(reply, "status"));
	if (jsonx_get_bool(reply, "healthy", &b) == 0)
		out->healthy = b;
	return 0;
}

int
vapi_client_ping(
    struct vapi_client *c, struct vapi_ping *out, struct tnfs_err *err)
{
	memset(out, 0, sizeof(*out));
	return vapi_call(c, "GET", "/ping", NULL, json_type_object, "GET /ping",
	    ping_decode, out, err);
}

static int
list_volumes_at(struct vapi_client *c, const char *base,
    const struct vapi_list_filter *f, struct vapi_volume_list *out,
    struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	char path[VAPI_URL_MAX + 64], size[32], limit[32];
	void *items = NULL;
	int rc;

	out->items = NULL;
	out->n = 0;
	if (f != NULL) {
		vapi_query_add(c, &q, "owner_uuid", f->owner_uuid);
		vapi_query_add(c, &q, "name", f->name);
		vapi_query_add(c, &q, "state", f->state);
		vapi_query_add(c, &q, "type", f->type);
		vapi_query_add(c, &q, "refs", f->refs);
		vapi_query_add(c, &q, "predicate", f->predicate);
		if (f->size_mib > 0) {
			snprintf(size, sizeof(size), "%llu",
			    (unsigned long long)f->size_mib);
			vapi_query_add(c, &q, "size", size);
		}
		if (f->limit > 0) {
			snprintf(limit, sizeof(limit), "%zu", f->limit);
			vapi_query_add(c, &q, "limit", limit);
			vapi_query_add(c, &q, "marker", f->marker);
		}
	}
	if (q.overflow) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "list filter too long");
		return -1;
	}
	snprintf(path, sizeof(path), "%s%s", base, q.buf);
	rc = vapi_get_list(c, path, base, &vapi_kind_volume, &items, &out->n, err);
	out->items = items;
	return rc;
}

int
vapi_client_list_volumes(struct vapi_client *c,
    const struct vapi_list_filter *filter, struct vapi_volume_list *out,
    struct tnfs_err *err)
{
	return list_volumes_at(c, "/volumes", filter, out, err);
}

int
vapi_client_admin_list(struct vapi_client *c,
    const struct vapi_list_filter *filter, struct vapi_volume_list *out,
    struct tnfs_err *err)
{
	return list_volumes_at(c, "/admin/volumes", filter, out, err);
}

/* Run a request whose answer is one volume object (NULL out: ignored). */
static int
volume_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct vapi_volume *out, struct tnfs_err *err)
{
	if (out == NULL)
		return vapi_plain_call(c, method, path, body, err);
	memset(out, 0, sizeof(*out));
	return vapi_call(c, method, path, body, json_type_object, NULL,
	    vapi_kind_volume.decode, out, err);
}

int
vapi_client_get_volume(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, struct vapi_volume *out, struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	char path[VAPI_URL_MAX];

	vapi_query_add(c, &q, "owner_uuid", owner_uuid);
	if (vapi_volume_path(c, path, sizeof(path), uuid, q.buf, err) == -1)
		return -1;
	return volume_call(c, "GET", path, NULL, out, err);
}

int
vapi_client_find_volume(struct vapi_client *c, const char *owner_uuid,
    const char *name, struct vapi_volume *out, struct tnfs_err *err)
{
	struct vapi_list_filter f = {.owner_uuid = owner_uuid, .name = name};
	struct vapi_volume_list l = {0};
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* A '*' would turn the exact lookup into a pattern match. */
	if (name == NULL || *name == '\0' || strchr(name, '*') != NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "invalid volume name");
		return -1;
	}
	if (vapi_client_list_volumes(c, &f, &l, err) == -1)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.items[i].name, name) != 0)
			continue;
		if (strcmp(l.items[i].state, "ready") != 0 &&
		    strcmp(l.items[i].state, "creating") != 0)
			continue;
		*out = l.items[i];
		memset(&l.items[i], 0, sizeof(l.items[i]));
		rc = 0;
		goto out;
	}
	tnfs_err_set(err, TNFS_E_NOT_FOUND,
	    "Volume with name %s could not be found", name);
out:
	vapi_volume_list_clear(&l);
	return rc;
}

int
vapi_client_create_volume(struct vapi_client *c,
    const struct vapi_create_req *rq, struct vapi_volume *out,
    struct tnfs_err *err)
{
	json_object *body = NULL, *nets = NULL;
	size_t i;
	int rc = -1;

	if ((body = json_object_new_object()) == NULL ||
	    (nets = json_object_new_array()) == NULL)
		goto nomem;
	if (jsonx_add_str(body, "owner_uuid", rq->owner_uuid) == -1 ||
	    jsonx_add_str(body, "name", rq->name) == -1 ||
	    jsonx_add_str(body, "type",
		rq->type != NULL ? rq->type : "tritonnfs") == -1 ||
	    jsonx_add_str(body, "uuid", rq->uuid) == -1 ||
	    jsonx_add_str(body, "source_volume", rq->source_volume) == -1 ||
	    jsonx_add_str(body, "source_snapshot", rq->source_snapshot) == -1)
		goto nomem;
	if (rq->size_mib > 0 &&
	    jsonx_add_int64(body, "size", (int64_t)rq->size_mib) == -1)
		goto nomem;
	for (i = 0; i < rq->nnetworks; i++) {
		json_object *s = json_object_new_string(rq->networks[i]);

		if (s == NULL || json_object_array_add(nets, s) != 0) {
			json_object_put(s);
			goto nomem;
		}
	}
	json_object_object_add(body, "networks", nets);
	nets = NULL;
	if (rq->labels != NULL)
		json_object_object_add(
		    body, "labels", json_object_get(rq->labels));
	if (rq->affinity != NULL)
		json_object_object_add(
		    body, "affinity", json_object_get(rq->affinity));
	rc = volume_call(c, "POST", "/volumes", body, out, err);
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	if (nets != NULL)
		json_object_put(nets);
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_update_volume(struct vapi_client *c, const char *uuid,
    const struct vapi_update_req *rq, struct vapi_volume *out,
    struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[VAPI_URL_MAX];
	int rc = -1;

	if (vapi_volume_path(c, path, sizeof(path), uuid, "", err) == -1)
		goto out;
	if ((body = json_object_new_object()) == NULL ||
	    jsonx_add_str(body, "owner_uuid", rq->owner_uuid) == -1 ||
	    jsonx_add_str(body, "name", rq->name) == -1 ||
	    (rq->size_mib > 0 &&
		jsonx_add_int64(body, "size", (int64_t)rq->size_mib) == -1)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = volume_call(c, "POST", path, body, out, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_delete_volume(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, int force, struct tnfs_err *err)
{
	struct vapi_query q = {.len = 0};
	char path[VAPI_URL_MAX];

	vapi_query_add(c, &q, "owner_uuid", owner_uuid);
	if (force)
		vapi_query_add(c, &q, "force", "true");
	if (vapi_volume_path(c, path, sizeof(path), uuid, q.buf, err) == -1)
		return -1;
	return vapi_plain_call(c, "DELETE", path, NULL, err);
}

/* Where sizes_decode puts GET /volumesizes. */
struct sizes_out {
	struct vapi_size **v;
	size_t *n;
};

static int
sizes_decode(void *dst, json_object *reply, struct tnfs_err *err)
{
	const struct sizes_out *o = dst;
	struct vapi_size *sz = NULL;
	size_t i, len = json_object_array_length(reply);
	int rc = -1;

	if (len > 0 && (sz = calloc(len, sizeof(*sz))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(reply, i);
		int64_t mib;

		if (jsonx_get_int64(e, "size", &mib) == -1 || mib <= 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI answer to GET /volumesizes: entry %zu has no "
			    "positive integer size",
			    i);
			goto out;
		}
		sz[i].size_mib = (uint64_t)mib;
		if (vapi_copy_str(e, "type", sz[i].type, sizeof(sz[i].type), 0,
			err) == -1)
			goto out;
	}
	*o->v = sz;
	*o->n = len;
	sz = NULL;
	rc = 0;
out:
	free(sz);
	return rc;
}

int
vapi_client_list_sizes(struct vapi_client *c, struct vapi_size **out, size_t *n,
    struct tnfs_err *err)
{
	struct sizes_out o = {out, n};

	*out = NULL;
	*n = 0;
	return vapi_call(c, "GET", "/volumesizes", NULL, json_type_array,
	    "GET /volumesizes", sizes_decode, &o, err);
}

int
vapi_client_add_reference(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err)
{
	const struct vapi_field f[] = {
	    {"owner_uuid", owner_uuid}, {"vm_uuid", vm_uuid}};

	return vapi_volume_action(c, uuid, "/addreference", f, 2, err);
}

int
vapi_client_remove_reference(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err)
{
	const struct vapi_field f[] = {
	    {"owner_uuid", owner_uuid}, {"vm_uuid", vm_uuid}};

	return vapi_volume_action(c, uuid, "/removereference", f, 2, err);
}

int
vapi_client_list_references(struct vapi_client *c, const char *uuid,
    char ***refs, size_t *n, struct tnfs_err *err)
{
	struct vapi_strv_out o = {refs, n, "references"};
	char path[VAPI_URL_MAX];

	*refs = NULL;
	*n = 0;
	if (vapi_volume_path(c, path, sizeof(path), uuid, "/references", err) ==
	    -1)
		return -1;
	return vapi_call(c, "GET", path, NULL, json_type_array, NULL,
	    vapi_strv_decode, &o, err);
}

int
vapi_client_admin_restart(
    struct vapi_client *c, const char *uuid, struct tnfs_err *err)
{
	char path[VAPI_URL_MAX];

	if (vapi_admin_volume_path(
		c, path, sizeof(path), uuid, "/restart", err) == -1)
		return -1;
	return vapi_plain_call(c, "POST", path, NULL, err);
}
