/*
 * vapi_client.h: libvapi, the C client of the Volume API.
 *
 * Every program that talks to tritonnfs-vapi (the plugin, triton-volume,
 * tritonnfs-adm) goes through this interface; nothing else in the tree
 * speaks HTTP to the VAPI.  The wire format is Triton's VOLAPI
 * (reference/triton-volumes.md §1-3) plus the endpoints Triton designed and
 * never built (sizes in MiB, growth, snapshots, networks, admin).
 *
 * Transport: libcurl over TCP (http://, https:// with the TLS options
 * below) or over a Unix socket (unix:///path/to/vapi.sock).  Bodies are
 * JSON (json-c).  Every call has a connect timeout and a total timeout;
 * every request carries an x-request-id (a fresh UUID unless one was set
 * with vapi_client_set_request_id) which is logged at debug level together
 * with the method, path, status and duration.
 *
 * Errors: a VAPI error body {"code","message"} becomes a struct tnfs_err
 * with that code, status and message unchanged ("VolumeInUse", 409,
 * "Volume with name v is used by vms: ...").  Transport failures become
 * ServiceUnavailable (503) "cannot reach the VAPI at <url>: <cause>" (with
 * several URLs and none reachable: "cannot reach any of N VAPI URLs:
 * <url>: <cause>; ...") and deadline expiry Timeout (504) "... no answer
 * within N ms".
 *
 * Thread safety: a struct vapi_client holds one curl handle and its
 * connection cache, so a handle must be used by one thread at a time.  Use
 * one handle per thread (they are cheap) or guard a shared one with a
 * mutex.  Call vapi_client_global_init() once from main() before starting
 * threads.  Result structs are plain data owned by the caller.
 *
 * Ownership: every *_free(NULL) is a no-op; results filled through an out
 * pointer belong to the caller, who frees them with the matching *_free.
 */
#ifndef TNFS_VAPI_CLIENT_H
#define TNFS_VAPI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

#define VAPI_UUID_BUFSZ  37
#define VAPI_NAME_BUFSZ  257 /* 256 bytes + NUL (VAPI's name limit) */
#define VAPI_STATE_BUFSZ 16
#define VAPI_TYPE_BUFSZ  16
#define VAPI_PATH_BUFSZ  1024

/* The most URLs one client takes (vapi_client_opts.url). */
#define VAPI_CLIENT_MAX_URLS 16

/*
 * Connection options; strings are copied by vapi_client_new.  url may list
 * several VAPIs sharing one store, separated by commas
 * ("http://a:8080,http://b:8080"): a request goes to the one that answered
 * last and moves to the next only when it cannot connect to it (the
 * request never left); an HTTP answer, an error answer included, a
 * timeout or a reset once connected is returned as it is, never retried
 * elsewhere.
 */
struct vapi_client_opts {
	const char *url;       /* http://host:port, https://..., unix:///path */
	const char *token;     /* bearer token, NULL or "" for none */
	const char *ca_file;   /* https: CA bundle, NULL: system default */
	const char *cert_file; /* https: client certificate, optional */
	const char *key_file;  /* https: its key, optional */
	int insecure;          /* https: skip certificate verification */
	int connect_timeout_ms; /* 0: 5000 */
	int timeout_ms;         /* whole request, 0: 30000 */
	const char *user_agent; /* NULL: "libvapi/<version>" */
};

struct vapi_client;

/* curl_global_init; once, from main(), before any thread starts. */
int vapi_client_global_init(struct tnfs_err *err);
void vapi_client_global_cleanup(void);

/*
 * A client for opts->url.  Validates the URL (scheme, a socket path that
 * fits sun_path) without connecting.  Free with vapi_client_free.
 */
struct vapi_client *vapi_client_new(
    const struct vapi_client_opts *opts, struct tnfs_err *err);
void vapi_client_free(struct vapi_client *c);

/*
 * Use id as the x-request-id of the following calls (copied; NULL goes
 * back to a fresh UUID per request), e.g. to carry a caller's id.
 */
void vapi_client_set_request_id(struct vapi_client *c, const char *id);

/* The x-request-id of the last request sent ("" before the first). */
const char *vapi_client_last_request_id(const struct vapi_client *c);

/* Change the total timeout of the following calls (ms, > 0). */
void vapi_client_set_timeout(struct vapi_client *c, int timeout_ms);

/* ---- objects ---- */

/* A volume as GET /volumes/:uuid renders it (triton-volumes.md §2.1). */
struct vapi_volume {
	char uuid[VAPI_UUID_BUFSZ];
	char owner_uuid[VAPI_UUID_BUFSZ];
	char name[VAPI_NAME_BUFSZ];
	char type[VAPI_TYPE_BUFSZ]; /* "tritonnfs" */
	uint64_t size_mib;
	char state[VAPI_STATE_BUFSZ];  /* creating|ready|failed|deleting */
	int64_t create_timestamp_ms;   /* 0 when absent */
	char vm_uuid[VAPI_UUID_BUFSZ]; /* "" when absent */
	char filesystem_path
	    [VAPI_PATH_BUFSZ]; /* "<ip>:<path>", "" until ready */
	int nfs_port;          /* 0 when absent */
	int mount_port;        /* 0 when absent */
	char **networks;       /* network uuids */
	size_t nnetworks;
	char **refs; /* referencing vm/host uuids */
	size_t nrefs;
	json_object *labels; /* object, or NULL; owned */
	json_object *raw;    /* the whole object as received */
};

/* Free what v holds (not v itself); safe on a zeroed struct. */
void vapi_volume_clear(struct vapi_volume *v);
/* Deep copy src into dst (dst is overwritten, not cleared first). */
int vapi_volume_copy(struct vapi_volume *dst, const struct vapi_volume *src,
    struct tnfs_err *err);
/* Fill v from a volume object; -1 and a ValidationError when malformed. */
int vapi_volume_from_json(
    struct vapi_volume *v, json_object *obj, struct tnfs_err *err);

struct vapi_volume_list {
	struct vapi_volume *items;
	size_t n;
};
void vapi_volume_list_clear(struct vapi_volume_list *l);

/* One entry of GET /volumesizes. */
struct vapi_size {
	uint64_t size_mib;
	char type[VAPI_TYPE_BUFSZ];
};

/* One entry of GET /networks. */
struct vapi_network {
	char uuid[VAPI_UUID_BUFSZ];
	char name[VAPI_NAME_BUFSZ];
	char subnet[64]; /* "10.0.0.0/24" */
	int fabric;
	int is_default; /* "default": true */
	char **owner_uuids;
	size_t nowner_uuids;
	json_object *raw;
};
struct vapi_network_list {
	struct vapi_network *items;
	size_t n;
};
void vapi_network_list_clear(struct vapi_network_list *l);

/* A snapshot (RFD 26 snapshot milestone). */
struct vapi_snapshot {
	char name[VAPI_NAME_BUFSZ];
	char state[VAPI_STATE_BUFSZ]; /* creating|created|failed */
	int64_t create_timestamp_ms;
	json_object *raw;
};
void vapi_snapshot_clear(struct vapi_snapshot *s);
struct vapi_snapshot_list {
	struct vapi_snapshot *items;
	size_t n;
};
void vapi_snapshot_list_clear(struct vapi_snapshot_list *l);

struct vapi_ping {
	int64_t pid;
	char status[32];
	int healthy;
};

/* ---- requests ---- */

/* GET /ping */
int vapi_client_ping(
    struct vapi_client *c, struct vapi_ping *out, struct tnfs_err *err);

/* Query parameters of GET /volumes; NULL / 0 fields are not sent. */
struct vapi_list_filter {
	const char *owner_uuid;
	const char *name; /* exact, or with a leading/trailing '*' */
	const char *state;
	const char *type;
	const char *refs;      /* volumes referenced by this uuid */
	const char *predicate; /* JSON text, sent URL-encoded */
	uint64_t size_mib;
	/*
	 * A page (limit 0: the whole list, in creation order): at most
	 * limit volumes in uuid order, after marker's uuid (NULL: from the
	 * first).  A page shorter than limit is the last.
	 */
	size_t limit;
	const char *marker;
};

/* GET /volumes.  filter may be NULL. */
int vapi_client_list_volumes(struct vapi_client *c,
    const struct vapi_list_filter *filter, struct vapi_volume_list *out,
    struct tnfs_err *err);

/* GET /volumes/:uuid[?owner_uuid=].  404 VolumeNotFound when absent. */
int vapi_client_get_volume(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, struct vapi_volume *out, struct tnfs_err *err);

/*
 * The volume of owner_uuid named name in state creating or ready (names
 * are unique among those), through GET /volumes?name=&owner_uuid=.
 * 404 VolumeNotFound when there is none.
 */
int vapi_client_find_volume(struct vapi_client *c, const char *owner_uuid,
    const char *name, struct vapi_volume *out, struct tnfs_err *err);

struct vapi_create_req {
	const char *owner_uuid;      /* required */
	const char *name;            /* NULL: the VAPI generates one */
	const char *type;            /* NULL: "tritonnfs" */
	uint64_t size_mib;           /* 0: not sent (VAPI default) */
	const char *const *networks; /* required, nnetworks >= 1 */
	size_t nnetworks;
	json_object *labels; /* borrowed; NULL: not sent */
	const char *uuid;    /* NULL: VAPI picks */
	/* A clone of a snapshot (uuid or name, snapshot name); NULL: not. */
	const char *source_volume;
	const char *source_snapshot;
	json_object *affinity; /* borrowed: an array of rules; NULL: none */
};

/* POST /volumes: 201 with the volume, usually in state creating. */
int vapi_client_create_volume(struct vapi_client *c,
    const struct vapi_create_req *rq, struct vapi_volume *out,
    struct tnfs_err *err);

/* POST /volumes/:uuid: rename (name != NULL) and/or grow (size_mib > 0). */
struct vapi_update_req {
	const char *owner_uuid; /* NULL: not sent */
	const char *name;
	uint64_t size_mib;
};
int vapi_client_update_volume(struct vapi_client *c, const char *uuid,
    const struct vapi_update_req *rq, struct vapi_volume *out,
    struct tnfs_err *err);

/*
 * DELETE /volumes/:uuid[?owner_uuid=&force=true].  Asynchronous (204):
 * poll get_volume until 404.  409 VolumeInUse names the holders.
 */
int vapi_client_delete_volume(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, int force, struct tnfs_err *err);

/* GET /volumesizes: ascending; caller frees *out with free(3). */
int vapi_client_list_sizes(struct vapi_client *c, struct vapi_size **out,
    size_t *n, struct tnfs_err *err);

/* GET /networks */
int vapi_client_list_networks(
    struct vapi_client *c, struct vapi_network_list *out, struct tnfs_err *err);

/*
 * The one rule for what a user names as a network, for every front end
 * (plugin's network= option, triton-volume -N): among the networks
 * visible to owner_uuid (NULL: all; a network without owners is
 * everyone's), NULL or "" is the one marked default; otherwise an exact
 * uuid, then an exact name, then a uuid prefix (hex digits and dashes)
 * that only one network has.  0 with *hit (borrowed from l); otherwise -1
 * with 404 NetworkNotFound naming the known networks, or ValidationError
 * for a prefix that several networks share.  Makes no call.
 */
int vapi_network_pick(const struct vapi_network_list *l,
    const char *owner_uuid, const char *arg, const struct vapi_network **hit,
    struct tnfs_err *err);

/*
 * GET /networks and vapi_network_pick: the uuid into uuid_out and, when
 * name_out is not NULL, the name.
 */
int vapi_client_resolve_network(struct vapi_client *c, const char *owner_uuid,
    const char *arg, char uuid_out[VAPI_UUID_BUFSZ],
    char name_out[VAPI_NAME_BUFSZ], struct tnfs_err *err);

/*
 * References (leases): POST /volumes/:uuid/addreference and
 * /removereference with {owner_uuid, vm_uuid}; both idempotent (204).
 * Adding again renews the lease.
 */
int vapi_client_add_reference(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err);
int vapi_client_remove_reference(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err);
/* GET /volumes/:uuid/references: an array of uuids; free with
 * vapi_strv_free(*refs, *n). */
int vapi_client_list_references(struct vapi_client *c, const char *uuid,
    char ***refs, size_t *n, struct tnfs_err *err);
void vapi_strv_free(char **v, size_t n);

/*
 * Snapshots: POST /volumes/:uuid/snapshot {name[,owner_uuid]},
 * GET /volumes/:uuid/snapshots, GET|DELETE /volumes/:uuid/snapshots/:name,
 * POST /volumes/:uuid/rollbacktosnapshot {name[,owner_uuid]}.
 */
int vapi_client_create_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct vapi_snapshot *out,
    struct tnfs_err *err);
int vapi_client_list_snapshots(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, struct vapi_snapshot_list *out,
    struct tnfs_err *err);
int vapi_client_get_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct vapi_snapshot *out,
    struct tnfs_err *err);
int vapi_client_delete_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct tnfs_err *err);
int vapi_client_rollback_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct tnfs_err *err);

/*
 * Operator endpoints (tritonnfs-adm): GET /admin/volumes lists every
 * volume of every owner with the storage details in each raw object;
 * POST /admin/volumes/:uuid/restart restarts its export.
 */
int vapi_client_admin_list(struct vapi_client *c,
    const struct vapi_list_filter *filter, struct vapi_volume_list *out,
    struct tnfs_err *err);
int vapi_client_admin_restart(
    struct vapi_client *c, const char *uuid, struct tnfs_err *err);

/* ---- hosts and granted addresses (tritonnfs's own routes) ---- */

/* A Docker host as the VAPI records it. */
struct vapi_host {
	char uuid[40];
	char owner_uuid[40];
	char hostname[254];
	char address[64]; /* "" when none is known */
	char version[65];
	int alive;
};

/*
 * Register this host, or renew its heartbeat (PUT /hosts/:uuid).  address
 * NULL: the VAPI records the address it sees the request come from.
 */
int vapi_client_put_host(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *hostname, const char *address,
    const char *version, struct tnfs_err *err);
/* GET /hosts (owner_uuid NULL: the token's).  Caller frees *out. */
int vapi_client_list_hosts(struct vapi_client *c, const char *owner_uuid,
    struct vapi_host **out, size_t *n, struct tnfs_err *err);

/*
 * When err is VolumeInUse ("... is used by vms: U1, U2", Triton's words),
 * rewrite its message to name each holder by hostname and uuid: "volume
 * NAME is in use on host web-2 (uuid U1), host U2 (not registered)".
 * Best effort: any other error, or a failed lookup, leaves err as it was.
 */
void vapi_client_name_holders(
    struct vapi_client *c, const char *owner_uuid, struct tnfs_err *err);

/* Admit address to the volume's export, or stop admitting it. */
int vapi_client_grant_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *address, struct tnfs_err *err);
int vapi_client_revoke_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *address, struct tnfs_err *err);
/* The granted addresses.  Caller frees with vapi_strv_free. */
int vapi_client_list_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, char ***out, size_t *n, struct tnfs_err *err);

/*
 * Any other request: method and path (with query, already encoded), body
 * borrowed (NULL: none).  *status gets the HTTP status, *reply the parsed
 * body or NULL when empty (caller puts).  Returns 0 on 2xx, -1 with the
 * VAPI's error otherwise (*status and *reply still set).
 */
int vapi_client_request(struct vapi_client *c, const char *method,
    const char *path, json_object *body, int *status, json_object **reply,
    struct tnfs_err *err);

#endif
