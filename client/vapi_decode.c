/*
 * vapi_decode.c: libvapi's decoders, VAPI JSON -> the typed structs of
 * vapi_client.h, and the functions that copy and free those structs.
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

/* ---- objects ---- */

static void
strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
vapi_strv_free(char **v, size_t n)
{
	strv_free(v, n);
}

/* An array of strings into a fresh vector; non-strings fail. */
int
vapi_strv_from_json(json_object *arr, char ***out, size_t *n, const char *what,
    struct tnfs_err *err)
{
	char **v = NULL;
	size_t i, len;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: %s is not an array", what);
		return -1;
	}
	len = json_object_array_length(arr);
	if (len > 0 && (v = calloc(len, sizeof(*v))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string)) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI answer: %s[%zu] is not a string", what, i);
			goto out;
		}
		if ((v[i] = strdup(json_object_get_string(e))) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	*out = v;
	*n = len;
	v = NULL;
	rc = 0;
out:
	strv_free(v, len);
	return rc;
}

static int
strv_copy(char **src, size_t n, char ***dst)
{
	char **v;
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(src[i])) == NULL) {
			strv_free(v, n);
			return -1;
		}
	*dst = v;
	return 0;
}

/* A string member of a VAPI answer into a fixed buffer (jsonx_copy_str). */
int
vapi_copy_str(json_object *obj, const char *key, char *buf, size_t len,
    int required, struct tnfs_err *err)
{
	return jsonx_copy_str(obj, key, buf, len,
	    (required ? JSONX_REQUIRED : 0) | JSONX_NULL_ABSENT,
	    TNFS_E_INTERNAL, "VAPI answer", err);
}

/* A timestamp as ISO text (VOLAPI's rendering) or epoch ms. */
static void
get_timestamp(json_object *obj, const char *key, int64_t *out)
{
	const char *s = jsonx_get_str(obj, key);
	int64_t ms = 0;

	*out = 0;
	if (s != NULL) {
		if (tnfs_time_parse(s, &ms, NULL) == 0)
			*out = ms;
	} else if (jsonx_get_int64(obj, key, &ms) == 0) {
		*out = ms;
	}
}

void
vapi_volume_clear(struct vapi_volume *v)
{
	if (v == NULL)
		return;
	strv_free(v->networks, v->nnetworks);
	strv_free(v->refs, v->nrefs);
	if (v->labels != NULL)
		json_object_put(v->labels);
	if (v->raw != NULL)
		json_object_put(v->raw);
	memset(v, 0, sizeof(*v));
}

int
vapi_volume_from_json(
    struct vapi_volume *v, json_object *obj, struct tnfs_err *err)
{
	json_object *labels = NULL, *a = NULL;
	int64_t n;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: a volume is not a JSON object");
		goto out;
	}
	if (vapi_copy_str(obj, "uuid", v->uuid, sizeof(v->uuid), 1, err) ==
		-1 ||
	    vapi_copy_str(obj, "owner_uuid", v->owner_uuid,
		sizeof(v->owner_uuid), 0, err) == -1 ||
	    vapi_copy_str(obj, "name", v->name, sizeof(v->name), 0, err) ==
		-1 ||
	    vapi_copy_str(obj, "type", v->type, sizeof(v->type), 0, err) ==
		-1 ||
	    vapi_copy_str(obj, "state", v->state, sizeof(v->state), 1, err) ==
		-1 ||
	    vapi_copy_str(
		obj, "vm_uuid", v->vm_uuid, sizeof(v->vm_uuid), 0, err) == -1 ||
	    vapi_copy_str(obj, "filesystem_path", v->filesystem_path,
		sizeof(v->filesystem_path), 0, err) == -1)
		goto out;
	if (jsonx_get_int64(obj, "size", &n) == 0 && n > 0)
		v->size_mib = (uint64_t)n;
	if (jsonx_get_int64(obj, "nfs_port", &n) == 0 && n > 0 && n < 65536)
		v->nfs_port = (int)n;
	if (jsonx_get_int64(obj, "mount_port", &n) == 0 && n > 0 && n < 65536)
		v->mount_port = (int)n;
	get_timestamp(obj, "create_timestamp", &v->create_timestamp_ms);
	json_object_object_get_ex(obj, "networks", &a);
	if (vapi_strv_from_json(
		a, &v->networks, &v->nnetworks, "networks", err) == -1)
		goto out;
	a = NULL;
	json_object_object_get_ex(obj, "refs", &a);
	if (vapi_strv_from_json(a, &v->refs, &v->nrefs, "refs", err) == -1)
		goto out;
	if (json_object_object_get_ex(obj, "labels", &labels) &&
	    json_object_is_type(labels, json_type_object))
		v->labels = json_object_get(labels);
	v->raw = json_object_get(obj);
	rc = 0;
out:
	if (rc == -1)
		vapi_volume_clear(v);
	return rc;
}

int
vapi_volume_copy(struct vapi_volume *dst, const struct vapi_volume *src,
    struct tnfs_err *err)
{
	*dst = *src;
	dst->networks = NULL;
	dst->refs = NULL;
	dst->nnetworks = dst->nrefs = 0;
	dst->labels = dst->raw = NULL;
	if (strv_copy(src->networks, src->nnetworks, &dst->networks) == -1 ||
	    strv_copy(src->refs, src->nrefs, &dst->refs) == -1) {
		strv_free(dst->networks, src->nnetworks);
		dst->networks = NULL;
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	dst->nnetworks = src->nnetworks;
	dst->nrefs = src->nrefs;
	if (src->labels != NULL)
		dst->labels = json_object_get(src->labels);
	if (src->raw != NULL)
		dst->raw = json_object_get(src->raw);
	return 0;
}

/* Free what each of n items of kind k holds, then the array. */
static void
items_free(void *items, size_t n, const struct vapi_kind *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		k->clear((unsigned char *)items + i * k->size);
	free(items);
}

void
vapi_volume_list_clear(struct vapi_volume_list *l)
{
	if (l == NULL)
		return;
	items_free(l->items, l->n, &vapi_kind_volume);
	l->items = NULL;
	l->n = 0;
}

static void
network_clear(void *item)
{
	struct vapi_network *nw = item;

	strv_free(nw->owner_uuids, nw->nowner_uuids);
	if (nw->raw != NULL)
		json_object_put(nw->raw);
	memset(nw, 0, sizeof(*nw));
}

void
vapi_network_list_clear(struct vapi_network_list *l)
{
	if (l == NULL)
		return;
	items_free(l->items, l->n, &vapi_kind_network);
	l->items = NULL;
	l->n = 0;
}

void
vapi_snapshot_clear(struct vapi_snapshot *s)
{
	if (s == NULL)
		return;
	if (s->raw != NULL)
		json_object_put(s->raw);
	memset(s, 0, sizeof(*s));
}

void
vapi_snapshot_list_clear(struct vapi_snapshot_list *l)
{
	if (l == NULL)
		return;
	items_free(l->items, l->n, &vapi_kind_snapshot);
	l->items = NULL;
	l->n = 0;
}

static int
snapshot_decode(void *dst, json_object *obj, struct tnfs_err *err)
{
	struct vapi_snapshot *s = dst;

	memset(s, 0, sizeof(*s));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: a snapshot is not a JSON object");
		return -1;
	}
	if (vapi_copy_str(obj, "name", s->name, sizeof(s->name), 1, err) ==
		-1 ||
	    vapi_copy_str(obj, "state", s->state, sizeof(s->state), 0, err) ==
		-1)
		return -1;
	get_timestamp(obj, "create_timestamp", &s->create_timestamp_ms);
	s->raw = json_object_get(obj);
	return 0;
}

static int
network_decode(void *dst, json_object *obj, struct tnfs_err *err)
{
	struct vapi_network *nw = dst;
	json_object *a = NULL;
	int b;

	memset(nw, 0, sizeof(*nw));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: a network is not a JSON object");
		return -1;
	}
	if (vapi_copy_str(obj, "uuid", nw->uuid, sizeof(nw->uuid), 1, err) ==
		-1 ||
	    vapi_copy_str(obj, "name", nw->name, sizeof(nw->name), 0, err) ==
		-1 ||
	    vapi_copy_str(
		obj, "subnet", nw->subnet, sizeof(nw->subnet), 0, err) == -1)
		return -1;
	if (jsonx_get_bool(obj, "fabric", &b) == 0)
		nw->fabric = b;
	if (jsonx_get_bool(obj, "default", &b) == 0)
		nw->is_default = b;
	json_object_object_get_ex(obj, "owner_uuids", &a);
	if (vapi_strv_from_json(a, &nw->owner_uuids, &nw->nowner_uuids,
		"owner_uuids", err) == -1)
		return -1;
	nw->raw = json_object_get(obj);
	return 0;
}

static int
volume_decode(void *dst, json_object *obj, struct tnfs_err *err)
{
	return vapi_volume_from_json(dst, obj, err);
}

static void
volume_clear(void *item)
{
	vapi_volume_clear(item);
}

static void
snapshot_clear(void *item)
{
	vapi_snapshot_clear(item);
}

const struct vapi_kind vapi_kind_volume = {
    sizeof(struct vapi_volume), volume_decode, volume_clear};
const struct vapi_kind vapi_kind_network = {
    sizeof(struct vapi_network), network_decode, network_clear};
const struct vapi_kind vapi_kind_snapshot = {
    sizeof(struct vapi_snapshot), snapshot_decode, snapshot_clear};

int
vapi_strv_decode(void *dst, json_object *src, struct tnfs_err *err)
{
	const struct vapi_strv_out *o = dst;

	return vapi_strv_from_json(src, o->v, o->n, o->what, err);
}
