/*
 * vapi_impl.h: what the files of libvapi share and nothing else includes:
 * the transport's URL helpers (vapi_client.c) and the decoders
 * (vapi_decode.c) the endpoint files call.
 */
#ifndef TNFS_CLIENT_VAPI_IMPL_H
#define TNFS_CLIENT_VAPI_IMPL_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"
#include "vapi_client.h"

#define VAPI_URL_MAX 8192

/* A query string being built: "?k=v&k2=v2", each value escaped. */
struct vapi_query {
	char buf[VAPI_URL_MAX];
	size_t len;
	int overflow; /* a value did not fit or could not be escaped */
};

/* s escaped for a URL; caller frees with curl_free.  NULL: out of memory. */
char *vapi_escape(struct vapi_client *c, const char *s);

/* Add key=val to q (nothing when val is NULL). */
void vapi_query_add(struct vapi_client *c, struct vapi_query *q,
    const char *key, const char *val);

/* "/volumes/<escaped uuid><suffix>" into buf: 0, or -1 with err. */
int vapi_volume_path(struct vapi_client *c, char *buf, size_t len,
    const char *uuid, const char *suffix, struct tnfs_err *err);
/* The same under "/admin/volumes/", the operator's routes. */
int vapi_admin_volume_path(struct vapi_client *c, char *buf, size_t len,
    const char *uuid, const char *suffix, struct tnfs_err *err);

/* 0 when reply is a JSON value of type t, else -1 with err naming what. */
int vapi_expect_type(
    json_object *reply, json_type t, const char *what, struct tnfs_err *err);

/* A call whose answer carries nothing the caller needs: 0 or -1. */
int vapi_plain_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct tnfs_err *err);

/*
 * The array of strings arr into *out (*n of them); caller frees with
 * vapi_strv_free.  what names the field in the error.
 */
int vapi_strv_from_json(json_object *arr, char ***out, size_t *n,
    const char *what, struct tnfs_err *err);

/* obj's string key into buf (len bytes): -1 with err when too long, or
 * missing and required. */
int vapi_copy_str(json_object *obj, const char *key, char *buf, size_t len,
    int required, struct tnfs_err *err);

/* One string member of a request body; a NULL val is left out. */
struct vapi_field {
	const char *key;
	const char *val;
};

/* The body {key: val, ...} of n fields, or NULL when out of memory;
 * caller puts it. */
json_object *vapi_body(const struct vapi_field *f, size_t n);

/* method path with the body of n fields, answered with nothing the caller
 * needs: 0, or -1 with err. */
int vapi_fields_call(struct vapi_client *c, const char *method,
    const char *path, const struct vapi_field *f, size_t n,
    struct tnfs_err *err);

/* POST /volumes/<uuid><action> with the body of n fields: 0 or -1. */
int vapi_volume_action(struct vapi_client *c, const char *uuid,
    const char *action, const struct vapi_field *f, size_t n,
    struct tnfs_err *err);

/* Decodes the JSON value src into the item at dst; on failure dst holds
 * nothing to free. */
typedef int vapi_decode_fn(void *dst, json_object *src, struct tnfs_err *err);

/* A kind of record the VAPI answers with: its size, its decoder, and the
 * function that frees what one decoded item holds (not the item). */
struct vapi_kind {
	size_t size;
	vapi_decode_fn *decode;
	void (*clear)(void *item);
};
extern const struct vapi_kind vapi_kind_volume, vapi_kind_network,
    vapi_kind_snapshot;

/*
 * The one request-and-decode of every endpoint: method path body, the
 * answer checked to be a JSON value of type t (what names the call in
 * the error; NULL: the path), then decode(dst, answer).  0, or -1 with err.
 */
int vapi_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, json_type t, const char *what, vapi_decode_fn *decode,
    void *dst, struct tnfs_err *err);

/*
 * GET path, whose answer is an array of records of kind k, into a fresh
 * array: *items (NULL when empty) and *n; caller frees each item with
 * k->clear, then the array.  On failure nothing is left allocated.
 */
int vapi_get_list(struct vapi_client *c, const char *path, const char *what,
    const struct vapi_kind *k, void **items, size_t *n, struct tnfs_err *err);

/* Where vapi_strv_decode puts an array of strings; what names the field. */
struct vapi_strv_out {
	char ***v;
	size_t *n;
	const char *what;
};
/* A vapi_decode_fn: the array of strings src into a struct vapi_strv_out. */
int vapi_strv_decode(void *dst, json_object *src, struct tnfs_err *err);

#endif
