/*
 * cloudapi.h: tritonnfs-cloudapi's one context: its configuration, the
 * current accounts set (swapped whole on SIGHUP), and how to reach the
 * Volume API.  Created by main(), read by the HTTP threads.
 *
 * As in Triton, CloudAPI is a public front end that is a client of the
 * Volume API: it owns accounts and their keys and nothing else; volumes,
 * sizes and networks are the VAPI's, reached through libvapi.
 */
#ifndef TNFS_CLOUDAPI_H
#define TNFS_CLOUDAPI_H

#include <pthread.h>

#include <json-c/json.h>

#include "accounts.h"
#include "err.h"
#include "vapi_client.h"

/* The API version this front end speaks, as CloudAPI 9 does. */
#define CLOUDAPI_VERSION "9.0.0"

struct cloudapi_config {
	const char *listen;   /* tcp:HOST:PORT or unix:PATH */
	const char *vapi_url; /* http://..., unix:///... */
	const char *vapi_token;
	const char *accounts_path;
	const char *tls_cert; /* PEM files; both or neither */
	const char *tls_key;
	const char *log_level;
	int vapi_timeout_ms;
};

struct cloudapi {
	struct cloudapi_config cfg;
	pthread_mutex_t lock; /* guards accounts, the pointer only */
	struct accounts *accounts;
};

/* The accounts set now in force, held for the caller (accounts_put). */
struct accounts *cloudapi_accounts(struct cloudapi *ca);

/*
 * Read cfg.accounts_path again and swap it in.  On any error the set in
 * force stays and err says why.
 */
int cloudapi_reload(struct cloudapi *ca, struct tnfs_err *err);

/* A libvapi handle for one request (vapi_client_free). */
struct vapi_client *cloudapi_vapi(
    struct cloudapi *ca, const char *request_id, struct tnfs_err *err);

/*
 * One call of an endpoint: who (the authenticated account, owner of
 * everything the call touches), the :id of the path, the query (string
 * members) and the body (an object, or NULL).
 */
struct capi_call {
	struct cloudapi *ca;
	const struct account *account;
	const char *id;
	json_object *query;
	json_object *body;
	const char *request_id;
};

/*
 * An endpoint: fills *out (a new reference, NULL for no body) and
 * *status, or returns -1 with err in CloudAPI's terms.  *count, when an
 * endpoint lists, is the x-resource-count header (-1: none).
 */
typedef int capi_handler(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err);

/* volumes.c */
capi_handler capi_list_volumes, capi_create_volume, capi_get_volume,
    capi_update_volume, capi_delete_volume, capi_list_volume_sizes;

/* networks.c */
capi_handler capi_list_networks, capi_get_network;

/*
 * CloudAPI's form of a VAPI volume object (sdc-cloudapi
 * translateVolumeFromVolApi): uuid -> id, labels -> tags,
 * create_timestamp -> created, vm_uuid dropped, the rest as the VAPI
 * renders it.  Returns a new object, NULL when out of memory.
 */
json_object *capi_volume_json(json_object *vapi_volume);

/* Set err to CloudAPI's error code, status and message. */
void capi_err(struct tnfs_err *err, const char *code, int status,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * What CloudAPI shows of a VAPI error (sdc-cloudapi errors.js
 * volapiErrorWrap): the codes a user can act on pass through with
 * "<context>: <VAPI message>", the others become CloudApiError with the
 * same status and only the context, and the cause is logged.
 */
void capi_wrap_vapi_err(struct tnfs_err *err, const char *context);

#endif
