/*
 * protocol.h: the Docker VolumeDriver protocol's bodies, parsed and built.
 *
 * Pure functions with no I/O, so every hostile body can be unit-tested:
 * dockerd's requests (docker-volume-plugins.md §1.4) are parsed
 * tolerantly (unknown fields, "Opts": null, arbitrary UTF-8 values) and
 * strictly where it matters (a volume name used in a path, a mount ID, the
 * Create options).  Replies use the documented field casing and are built
 * from plain structs the volume layer fills, never under its lock.
 */
#ifndef TNFS_PLUGIN_PROTOCOL_H
#define TNFS_PLUGIN_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"
#include "state.h"

#define PROTO_BODY_MAX (1u << 20) /* 1 MiB, §5.1 item 2 */

/* What a request needs: bit flags for proto_parse. */
#define PROTO_NEED_NAME 1
#define PROTO_NEED_ID   2

struct proto_req {
	char name[TNFS_NAME_MAX + 1];
	char id[STATE_ID_MAX + 1];
	json_object *opts; /* borrowed from root; NULL when absent/null */
	json_object *root; /* owned; free with proto_req_clear */
};

/*
 * Parse a request body.  An empty body is accepted only when need is 0
 * (Activate, List, Capabilities).  -1 with a BadRequest (400) for a body
 * that is not a JSON object, a ValidationError for a missing or invalid
 * Name or ID.
 */
int proto_parse(const char *body, size_t len, int need, struct proto_req *rq,
    struct tnfs_err *err);
void proto_req_clear(struct proto_req *rq);

#define PROTO_AFFINITY_MAX 2048

/* Create options after validation (§5.1 items 13-14, §5.2 item 8). */
struct create_opts {
	int has_size;
	uint64_t size_mib;               /* as asked, before rounding */
	char network[TNFS_NAME_MAX + 1]; /* "" for the default network */
	/* from=VOLUME@SNAPSHOT: a clone of that snapshot; "" when not. */
	char from_volume[TNFS_NAME_MAX + 1];
	char from_snapshot[TNFS_SNAPSHOT_NAME_MAX + 1];
	/* affinity=RULE[,RULE...] (lib/affinity.h), checked; "" when none. */
	char affinity[PROTO_AFFINITY_MAX + 1];
	struct volume_opts vol;
};

/* The option names Create accepts, for the error message. */
extern const char *const proto_create_opt_names;

/*
 * Validate Opts (NULL or an object of string values).  Unknown keys are
 * refused with the list of known ones.
 */
int proto_parse_create_opts(
    json_object *opts, struct create_opts *out, struct tnfs_err *err);

/* Labels that carry the options to other hosts, and back. */
json_object *proto_opts_to_labels(const struct volume_opts *o);
void proto_opts_from_labels(json_object *labels, struct volume_opts *o);

/*
 * A volume as Get shows it (§1.3, and our Status keys): a copy taken by
 * volumes_get, owned by the caller, rendered by proto_get_reply.
 */
struct proto_volume {
	char name[TNFS_NAME_MAX + 1];
	char mountpoint[4096]; /* "" unless mounted (§5.1 item 4) */
	int64_t created_ms;    /* 0: unknown */
	char state[24];        /* mounted, unmounted, or the VAPI's word */
	char vapi_state[24];   /* "" when the VAPI was never asked */
	char uuid[40];
	char server[256], export[1024]; /* "" when the address is unknown */
	uint64_t size_mib;              /* 0: unknown */
	int mounted;
	size_t nids;
	char nfsvers[8];
	int ro;
	const char *backend; /* static string */
	char mount[1024];    /* mountinfo's "FSTYPE SOURCE OPTIONS", or "" */
	char hosts[1024];    /* holders as the VAPI last listed them */
	int64_t mounted_since_ms;
	char last_error[TNFS_ERR_MSG_MAX];
	int64_t last_check_ms;
};

/* One volume of List: Name, and Mountpoint only while mounted. */
struct proto_volume_entry {
	char *name;
	char *mountpoint; /* NULL unless mounted */
};

struct proto_volume_list {
	struct proto_volume_entry *items;
	size_t n;
};

/* Free the entries of l (not l itself) and zero it. */
void proto_volume_list_clear(struct proto_volume_list *l);

/*
 * The replies with a body: {"Volume":{...}}, {"Volumes":[...]} and
 * {"Mountpoint":"..."}.  New objects the caller puts; NULL and err when
 * out of memory.
 */
json_object *proto_get_reply(
    const struct proto_volume *v, struct tnfs_err *err);
json_object *proto_list_reply(
    const struct proto_volume_list *l, struct tnfs_err *err);
json_object *proto_mountpoint_reply(
    const char *mountpoint, struct tnfs_err *err);

/*
 * List's reply as text, the same text proto_list_reply gives, written
 * straight into one buffer: at 10,000 volumes a JSON tree costs tens of
 * thousands of allocations per reply.  NULL when out of memory; the
 * caller frees.
 */
char *proto_list_text(const struct proto_volume_list *l, size_t *len);

/* {"Err":"tritonnfs: <msg>"} as text; caller frees. */
char *proto_err_body(const struct tnfs_err *err);

/* The constant replies. */
#define PROTO_ACTIVATE_REPLY     "{\"Implements\":[\"VolumeDriver\"]}"
#define PROTO_CAPABILITIES_REPLY "{\"Capabilities\":{\"Scope\":\"global\"}}"

#endif
