/*
 * hosts.h: the core of host records (ARCHITECTURE decision 9): the Docker
 * hosts that hold references.  A host's plugin registers at start and
 * heartbeats with the same call; a host is alive while its last heartbeat
 * is younger than host_ttl_seconds.  References count against delete and
 * rename only while their holder is alive (volume_ref_live), and on a
 * network shared by several owners a volume's export admits the addresses
 * of its live holders (fence.h).
 *
 * The address is the NFS client address the storage side sees.  With
 * host_address "peer" (the default) a request over TCP is its own proof:
 * the address is the request's peer, and a declared address that differs
 * is refused.  Over a Unix socket (local, root-only) and with host_address
 * "declared", the declared address is taken as given.
 *
 * Every function returns 0, or -1 with err.
 */
#ifndef TNFS_VAPI_HOSTS_H
#define TNFS_VAPI_HOSTS_H

#include <stddef.h>

#include "err.h"
#include "store.h"
#include "validate.h"
#include "vapi.h"

#define HOSTS_MAX_PER_OWNER 1024

struct host_req {
	const char *uuid;       /* required */
	const char *owner_uuid; /* required */
	const char *hostname;   /* required */
	const char *address;    /* declared NFS client address, or NULL */
	const char *version;    /* the plugin's version; required */
	const char *peer;       /* the request's TCP peer, "" or NULL: none */
};

/*
 * Record a registration or heartbeat.  *out receives the record, *created
 * whether it is new.  When the host comes alive or its address changes,
 * the exports are synced before this returns, so its first mount finds
 * itself admitted.
 */
int hosts_register(struct vapi *va, const struct host_req *rq,
    struct host *out, int *created, struct tnfs_err *err);
/* owner NULL: any owner.  HostNotFound when absent. */
int hosts_get(struct vapi *va, const char *owner, const char *uuid,
    struct host *out, struct tnfs_err *err);
/* Caller frees *out with free(3). */
int hosts_list(struct vapi *va, const char *owner, struct host **out,
    size_t *n, struct tnfs_err *err);
int hosts_delete(
    struct vapi *va, const char *owner, const char *uuid, struct tnfs_err *err);

/* 1 while h's heartbeat is fresh. */
int hosts_alive(const struct vapi *va, const struct host *h);

/*
 * The validators of a host record's fields; each returns 1 when the
 * value passes, else 0 with a cause.  A hostname is 1-253 characters of
 * dot-separated labels of 1-63 letters, digits and hyphens (RFC 1123,
 * no hyphen at either end of a label); an address is one IPv4 address in
 * canonical dotted-quad form, neither 0.0.0.0 nor 255.255.255.255 nor
 * multicast; a version is 1-64 characters of [A-Za-z0-9.+_~-].
 */
int hosts_valid_hostname(const char *s, struct causes *c);
int hosts_valid_address(const char *s, const char *what, struct causes *c);
int hosts_valid_version(const char *s, struct causes *c);

#endif
