/*
 * instances.h: this tritonnfs-vapi among the others that share its store.
 *
 * At start an instance registers a record in the store (a fresh id, its
 * hostname, the address it listens on, when it started), and a thread of
 * its own renews the record's heartbeat every INSTANCES_HEARTBEAT_MS.  An
 * instance whose heartbeat is older than INSTANCES_TTL_MS is dead: the
 * others take over what it held (the claims on volumes and the leases of
 * store.h).  A clean stop deletes the record, which frees at once what
 * the instance held.  tritonnfs-adm instances lists the records (GET
 * /instances, instances_api.c).
 */
#ifndef TNFS_VAPI_INSTANCES_H
#define TNFS_VAPI_INSTANCES_H

#include <stdint.h>

#include "err.h"
#include "vapi.h"

#define INSTANCES_HEARTBEAT_MS 2000
#define INSTANCES_TTL_MS       10000

struct instances;

/*
 * Register this instance in va->store and start its heartbeat.  Caller
 * stops with instances_stop.
 */
struct instances *instances_start(struct vapi *va, struct tnfs_err *err);
/* Stop the heartbeat and delete the record; NULL is a no-op. */
void instances_stop(struct instances *in);

/* This instance's id (a uuid), as long as in lives. */
const char *instances_id(const struct instances *in);

/* Heartbeats older than this (wall clock, ms) are dead instances'. */
int64_t instances_live_after(void);

/*
 * Whether this instance may start work that only one instance may do:
 * its own heartbeat reached the store within the last half TTL, so no
 * other instance can yet think it dead.  An instance cut off from the
 * store stops taking work long before the others take it over.
 */
int instances_fresh(struct instances *in);

/*
 * Whether another live instance runs on this host (same hostname): 1, or
 * 0; an error answers 1, the careful answer for a caller about to take
 * away what such an instance may use.
 */
int instances_others_on_host(struct instances *in);

/* How long ago (ms, monotonic) the store last took this one's heartbeat. */
int64_t instances_beat_age_ms(struct instances *in);

#endif
