/*
 * exports_head.h: one NFS head (an nfs-ganesha) shared by the instances
 * on one storage host that share its state directory and one store
 * (PostgreSQL).
 *
 * The instance holding the head's lease (exports:<host>:<address>:<port>)
 * runs the server and its supervision; the others never start nor stop
 * it.  Every instance follows the exported-set generation of store.h: an
 * instance that changed what is exported bumps it and waits until the
 * head records a generation at least as new, so a volume answered ready
 * by any instance is served by the head at that moment.  When the holder
 * dies (its heartbeat older than the TTL) another instance takes the
 * lease, stops the dead one's ganesha (found by its pidfile and command
 * line), mounts every exported volume, starts its own ganesha and syncs
 * the whole set.
 */
#ifndef TNFS_VAPI_EXPORTS_HEAD_H
#define TNFS_VAPI_EXPORTS_HEAD_H

#include "err.h"
#include "uuid.h"
#include "vapi.h"

struct exports_head;

/*
 * Make the served set the store's exported set: the provisioner's build
 * and exporter_sync.  adopt is 1 on the first sync after this instance
 * took the head over from another: every exported volume is activated
 * (mounted) first.  changed[0..n) are the volumes whose exports changed
 * since this instance's last sync, as the instances' bumps named them;
 * all is 1 when that is not known (adopt, a bump for any volume, too many
 * changes, the first sync or a retry): the whole set must be read.
 * Called from the head's thread only.
 */
typedef int (*exports_head_sync_fn)(void *arg, int adopt,
    char (*changed)[TNFS_UUID_BUFSZ], size_t n, int all,
    struct tnfs_err *err);

/*
 * Follow the head named lease as instance id (va->inst's), with a store
 * connection of its own.  When the lease is free now the server is
 * started before this returns (its failure is the caller's, as for one
 * instance alone); otherwise another instance serves it and this one
 * follows.  Caller stops with exports_head_stop.
 */
struct exports_head *exports_head_start(struct vapi *va, const char *lease,
    const char *id, exports_head_sync_fn sync, void *arg, struct tnfs_err *err);

/*
 * Stop following.  When this instance runs the server: stop it, then
 * give the lease up, so the next holder never meets a ganesha that is
 * still stopping.  NULL is a no-op.
 */
void exports_head_stop(struct exports_head *h);

/*
 * After a change to the export of volume uuid (NULL: of any) committed:
 * bump the generation and wait (up to wait_ms) until the head served it.
 * 0, or -1 with the head's sync failure or a timeout.  Blocks; takes no
 * lock of the caller's.
 */
int exports_head_wait(struct exports_head *h, const char *uuid, int wait_ms,
    struct tnfs_err *err);

/* Bump the generation without waiting (who the exports admit changed). */
void exports_head_ask(struct exports_head *h, const char *uuid);

/* 1 while this instance runs the server. */
int exports_head_serving(struct exports_head *h);

/*
 * 1 when the head serves as far as this instance knows: its own server
 * is healthy, or another live instance holds the lease.
 */
int exports_head_healthy(struct exports_head *h);

#endif
