/*
 * vapi_calls.c: what the endpoints of libvapi share (vapi_impl.h): query
 * strings and resource paths, and the calls by shape: plain, with fields,
 * an action on a volume, a typed reply, a list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "err.h"
#include "jsonx.h"
#include "uuid.h"
#include "vapi_client.h"
#include "vapi_impl.h"

void
vapi_query_add(struct vapi_client *c, struct vapi_query *q, const char *key,
    const char *val)
{
	char *esc;
	int n;

	if (val == NULL)
		return;
	if ((esc = vapi_escape(c, val)) == NULL) {
		q->overflow = 1;
		return;
	}
	n = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%c%s=%s",
	    q->len == 0 ? '?' : '&', key, esc);
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(q->buf) - q->len) {
		q->overflow = 1;
		return;
	}
	q->len += (size_t)n;
}

/* "<prefix><escaped uuid><suffix>" into buf. */
static int
uuid_path(struct vapi_client *c, char *buf, size_t len, const char *prefix,
    const char *uuid, const char *suffix, struct tnfs_err *err)
{
	char *esc;
	int n;

	if (uuid == NULL || *uuid == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no volume uuid given");
		return -1;
	}
	if ((esc = vapi_escape(c, uuid)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	n = snprintf(buf, len, "%s%s%s", prefix, esc, suffix);
	curl_free(esc);
	if (n < 0 || (size_t)n >= len) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		return -1;
	}
	return 0;
}

int
vapi_volume_path(struct vapi_client *c, char *buf, size_t len, const char *uuid,
    const char *suffix, struct tnfs_err *err)
{
	return uuid_path(c, buf, len, "/volumes/", uuid, suffix, err);
}

int
vapi_admin_volume_path(struct vapi_client *c, char *buf, size_t len,
    const char *uuid, const char *suffix, struct tnfs_err *err)
{
	return uuid_path(c, buf, len, "/admin/volumes/", uuid, suffix, err);
}

int
vapi_expect_type(
    json_object *reply, json_type t, const char *what, struct tnfs_err *err)
{
	if (reply == NULL || !json_object_is_type(reply, t)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer to %s: expected a JSON %s", what,
		    t == json_type_array ? "array" : "object");
		return -1;
	}
	return 0;
}

/* A request answered with no body we need. */
int
vapi_plain_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct tnfs_err *err)
{
	json_object *reply = NULL;
	int status, rc;

	rc = vapi_client_request(c, method, path, body, &status, &reply, err);
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

json_object *
vapi_body(const struct vapi_field *f, size_t n)
{
	json_object *body = json_object_new_object();
	size_t i;

	for (i = 0; body != NULL && i < n; i++)
		if (jsonx_add_str(body, f[i].key, f[i].val) == -1) {
			json_object_put(body);
			body = NULL;
		}
	return body;
}

int
vapi_fields_call(struct vapi_client *c, const char *method, const char *path,
    const struct vapi_field *f, size_t n, struct tnfs_err *err)
{
	json_object *body;
	int rc;

	if ((body = vapi_body(f, n)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	rc = vapi_plain_call(c, method, path, body, err);
	json_object_put(body);
	return rc;
}

int
vapi_volume_action(struct vapi_client *c, const char *uuid,
    const char *action, const struct vapi_field *f, size_t n,
    struct tnfs_err *err)
{
	char path[VAPI_URL_MAX];

	if (vapi_volume_path(c, path, sizeof(path), uuid, action, err) == -1)
		return -1;
	return vapi_fields_call(c, "POST", path, f, n, err);
}

int
vapi_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, json_type t, const char *what, vapi_decode_fn *decode,
    void *dst, struct tnfs_err *err)
{
	json_object *reply = NULL;
	int status, rc = -1;

	if (vapi_client_request(c, method, path, body, &status, &reply, err) ==
		-1 ||
	    vapi_expect_type(reply, t, what != NULL ? what : path, err) == -1)
		goto out;
	rc = decode(dst, reply, err);
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

/* What vapi_get_list hands vapi_call's decoder. */
struct list_out {
	const struct vapi_kind *k;
	void **items;
	size_t *n;
};

/* Each element of the array through the kind's decoder. */
static int
list_decode(void *dst, json_object *arr, struct tnfs_err *err)
{
	struct list_out *lo = dst;
	const struct vapi_kind *k = lo->k;
	unsigned char *v;
	size_t i, len = json_object_array_length(arr);

	if (len == 0)
		return 0;
	if ((v = calloc(len, k->size)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (k->decode(v + i * k->size, json_object_array_get_idx(arr, i),
			err) == -1) {
			/* The item that failed holds nothing. */
			while (i-- > 0)
				k->clear(v + i * k->size);
			free(v);
			return -1;
		}
	}
	*lo->items = v;
	*lo->n = len;
	return 0;
}

int
vapi_get_list(struct vapi_client *c, const char *path, const char *what,
    const struct vapi_kind *k, void **items, size_t *n, struct tnfs_err *err)
{
	struct list_out lo = {k, items, n};

	*items = NULL;
	*n = 0;
	return vapi_call(
	    c, "GET", path, NULL, json_type_array, what, list_decode, &lo, err);
}
