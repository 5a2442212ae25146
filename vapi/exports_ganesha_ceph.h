/*
 * exports_ganesha_ceph.h: what the files of the ganesha-ceph exporter
 * share: its limits and its parsed argument (exports_ganesha_ceph_opts.c
 * parses it; exports_ganesha_ceph.c runs the heads).
 */
#ifndef TNFS_EXPORTS_GANESHA_CEPH_H
#define TNFS_EXPORTS_GANESHA_CEPH_H

#include <arpa/inet.h>
#include <stddef.h>

#include "err.h"
#include "exports.h"

#define GCEPH_MAX_HEADS	   8
#define GCEPH_NAME_MAX	   128
#define GCEPH_GRACE_NS	   "tritonnfs"
#define GCEPH_GRACE_TMO_MS 30000
#define GCEPH_WATCH_MS	   1000  /* how often each head is called */
#define GCEPH_PING_MS	   2000  /* its NULL call's deadline */
#define GCEPH_FAILOVER_S   30    /* failover=SECONDS unless given */
#define GCEPH_FENCE_TMO_MS 30000 /* each ceph call of a fencing */
#define GCEPH_SYNC_PING_MS 1000  /* a head's NULL call before its sync */

/* A head named by head=ADDRESS:NFS_PORT:MOUNT_PORT. */
struct gceph_head_spec {
	char address[INET_ADDRSTRLEN];
	int nfs_port, mount_port;
};

/* What follows CONF: heads and the RADOS recovery settings. */
struct gceph_opts {
	struct gceph_head_spec hs[GCEPH_MAX_HEADS];
	size_t nh;
	char client[GCEPH_NAME_MAX], pool[GCEPH_NAME_MAX],
	    node[GCEPH_NAME_MAX];
	int failover_s; /* down this long: its volumes move; 0: never */
};

/*
 * Split cfg->arg, CONF[,OPTION]..., into conf (a copy of CONF) and o, with
 * the defaults for what it leaves out.  A ceph.conf path with a comma in
 * it is not supported.
 */
int gceph_parse_arg(const struct exporter_config *cfg, char *conf,
    size_t conflen, struct gceph_opts *o, struct tnfs_err *err);

#endif
