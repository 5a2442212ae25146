/*
 * placement.h: which head serves which volume, for an exporter with
 * several NFS heads (exports_ganesha_ceph.c).
 *
 * A volume keeps its head once placed; a new one goes to the head with the
 * fewest volumes (the lowest index on a tie) among those up, and the
 * volumes of a head that stays down are moved to the others.  The table
 * lives in memory: what persists is the volume record's nfs_port and
 * mount_port, which name the head and come back as a hint after a restart
 * (unless that head is down).  Thread-safe.
 */
#ifndef TNFS_PLACEMENT_H
#define TNFS_PLACEMENT_H

#include <stddef.h>

#include "err.h"

struct placement;

/* A table for nheads heads (1...); NULL when out of memory. */
struct placement *placement_new(size_t nheads);
void placement_free(struct placement *pl);

/*
 * The head of uuid.  A volume not in the table is placed on hint when
 * 0 <= hint < nheads and that head is up, else on the head with the fewest
 * volumes, and is
 * "pending" until a placement_synced that lists it.  -1 and err when out of
 * memory.
 */
int placement_get(
    struct placement *pl, const char *uuid, int hint, struct tnfs_err *err);

/*
 * The served set is now uuids[0..n): forget volumes placed earlier that
 * are neither in it nor pending (deleted ones), so they count no more.
 */
void placement_synced(
    struct placement *pl, const char *const *uuids, size_t n);

/* How many volumes head has (placed and not forgotten). */
size_t placement_count(struct placement *pl, int head);

/* The head of uuid when it is placed, else -1 (placing nothing). */
int placement_head_of(struct placement *pl, const char *uuid);

/*
 * Whether head is down: a head that is down gets no new volume (unless
 * every head is down).  A head that comes back takes new volumes again.
 */
void placement_set_down(struct placement *pl, int head, int down);

/*
 * Move every volume of head to the heads that are up, each to the one with
 * the fewest volumes then: how many moved (0 when no head is up).
 */
size_t placement_evacuate(struct placement *pl, int head);

#endif
