/*
 * exports.h: how volumes are served over NFS (the provisioner's export
 * half).
 *
 * Declarative: the VAPI hands the exporter the whole set of exports it
 * wants (every volume that should be served) and the exporter makes the
 * server match it.  That one call serves create, delete, restart and
 * start-up reconciliation alike, and suits several NFS heads later.
 *
 * Exporters:
 *   none      API-only use: nothing is served, every sync succeeds
 *   ganesha   one nfs-ganesha process, supervised, NFSv4.x and NFSv3
 *   ganesha-ceph:CONF
 *             nfs-ganesha with FSAL_CEPH serving cephfs storage from the
 *             cluster of CONF (exports_ganesha_ceph.c, docs/cephfs.md)
 */
#ifndef TNFS_EXPORTS_H
#define TNFS_EXPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct exporter;

/* Where the NFS server listens: one entry per configured network. */
struct exporter_listen {
	const char *address; /* IPv4 address ganesha binds */
	int nfs_port;        /* default 2049 */
	int mount_port;      /* MOUNT protocol port beside it (NFSv3) */
};

struct exporter_config {
	const char *state_dir; /* config, pid, log and recovery files */
	const struct exporter_listen *listen;
	size_t nlisten;
	int root_squash;       /* 0: no_root_squash (the default) */
	const char *arg;       /* what followed "KIND:" in the spec, or NULL */
	const char *ceph_conf; /* ganesha's CEPH block; NULL: none */
	/*
	 * NFSv4 recovery in RADOS (ganesha's rados_cluster backend) as node
	 * id ceph_nodeid; NULL: the fs backend under state_dir.
	 */
	const struct exporter_rados *rados;
};

/* Where a head keeps its NFSv4 client records and grace state. */
struct exporter_rados {
	const char *userid; /* cephx id, "admin" for client.admin */
	const char *pool, *ns;
	const char *nodeid; /* unique among the heads of one grace db */
};

struct export_spec {
	const char *volume_uuid;
	const char *path;           /* directory on the storage host */
	const char *pseudo;         /* NFSv4 pseudo path == NFSv3 mount path */
	const char *const *clients; /* CIDRs admitted, e.g. "10.0.0.0/24" */
	size_t nclients;
	int read_only;
	/*
	 * A volume on CephFS (storage_volume_access): path is inside the
	 * file system ceph_fs, reached as cephx user ceph_user.  NULL for a
	 * local directory.
	 */
	const char *ceph_fs, *ceph_user, *ceph_secret;
	/*
	 * Where the volume's record says it is served (its nfs_port and
	 * mount_port), 0 when it has none yet: an exporter with several
	 * heads keeps a volume on the head these name (exporter_place).
	 */
	int nfs_port, mount_port;
	/*
	 * 1: the exporter had this very spec in its last successful sync (a
	 * hint the provisioner's cache gives, so a sync of thousands need
	 * not look at every volume's storage again); 0: look.
	 */
	int unchanged;
};

/* spec is KIND or KIND:ARGUMENT (the argument goes to cfg->arg). */
struct exporter *exporter_open(
    const char *spec, const struct exporter_config *cfg, struct tnfs_err *err);

/* Start the server (no exports yet) and its supervision. */
int exporter_start(struct exporter *ex, struct tnfs_err *err);

/*
 * Make the served set exactly specs[0..n): rewrite the configuration
 * atomically, reload, and verify the server took it.  -1 with the server's
 * own complaint when a reload fails.
 */
int exporter_sync(struct exporter *ex, const struct export_spec *specs,
    size_t n, struct tnfs_err *err);

/*
 * 1 while the server is up and serving; 0 while it is down or restarting.
 * Cheap: the VAPI polls it to move ready volumes to failed and back.
 */
int exporter_healthy(struct exporter *ex);

/*
 * How many times the server has gone down since it started: an outage too
 * short for a poll of exporter_healthy to see still counts.
 */
unsigned long exporter_outages(struct exporter *ex);

/*
 * 1 when the server is a process on this host that the instances sharing
 * its state directory share (ganesha): one instance at a time runs it, the
 * holder of its lease (exports_head.h).  0 for "none" and for heads each
 * instance runs for itself.
 */
int exporter_shared(struct exporter *ex);

/*
 * Stop the server and its supervision, keeping ex: exporter_start may
 * start it again (an instance that lost the lease of a shared head).
 * A no-op when not started.
 */
void exporter_stop(struct exporter *ex);

/*
 * The head that serves (or will serve) volume uuid, for an exporter with
 * several heads: a volume already placed keeps its head; one whose record
 * names a head (nfs_port, mount_port of an extra head) goes back to it;
 * a new one (ports 0) goes to the head with the fewest volumes.  Returns
 * the head's index: 0 is the first head, served on the networks'
 * addresses and ports as a single server is; for 1... *out is that head's
 * address and ports (address owned by ex).  -1 when the exporter has one
 * server only (every volume is on the networks).
 */
int exporter_place(struct exporter *ex, const char *uuid, int nfs_port,
    int mount_port, struct exporter_listen *out);

/* One NFS head as a choice by affinity sees it (exporter_heads). */
struct exporter_head {
	/* What a record names it by; 0, 0 for the first head. */
	int nfs_port, mount_port;
	size_t volumes; /* placed on it */
	int down;       /* does not answer: no new volume goes there */
};

/*
 * The heads, the first one first, in out[0..max): how many there are.  A
 * single server is one head.  A new volume whose record names head h's
 * ports (the first head: any other ports but 0, 0) is placed on h.
 */
size_t exporter_heads(
    struct exporter *ex, struct exporter_head *out, size_t max);

/*
 * How many times a head went down, came back, or gave its volumes to the
 * others (down past its grace).  When it changed, records whose
 * filesystem_path and ports differ from exporter_place's are rewritten
 * after an export sync, and each volume's health follows its head's.
 */
unsigned long exporter_moves(struct exporter *ex);

/*
 * Whether the head serving a volume answers: 1 or 0, or -1 when the
 * exporter's health is one for all its volumes (exporter_healthy).
 */
int exporter_volume_up(
    struct exporter *ex, const char *uuid, int nfs_port, int mount_port);

/*
 * Stop the server and free ex.  An rpcbind started for it keeps running:
 * other NFS servers on the host may have registered with it since.
 */
void exporter_close(struct exporter *ex);

#endif
