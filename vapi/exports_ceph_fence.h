/*
 * exports_ceph_fence.h: fencing an NFS head on CephFS that stopped
 * answering, before another head exports its volumes.
 *
 * Only the head that exports a volume holds CephFS sessions as the
 * volume's cephx user.  Evicting those sessions blocklists them: a head
 * that wakes up can no longer write through them (its clients get
 * errors, never a write that lands after the volume moved), and the MDS
 * need not wait for the silent head to give back the capabilities the new
 * head asks for.
 */
#ifndef TNFS_EXPORTS_CEPH_FENCE_H
#define TNFS_EXPORTS_CEPH_FENCE_H

#include "err.h"

/*
 * Evict every session of cephx id user (e.g. "tnfs-<uuid>") from rank 0
 * of file system fs, through the ceph CLI with ceph.conf conf as cephx id
 * client, each call within timeout_ms: how many were evicted, or -1 with
 * err.
 */
int ceph_fence_user(const char *conf, const char *client, const char *fs,
    const char *user, int timeout_ms, struct tnfs_err *err);

#endif
