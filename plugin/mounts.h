/*
 * mounts.h: mounting NFS exports on the host, whatever the client.
 *
 * Two backends sit behind this interface: the kernel NFS client through
 * libmount (mount_kernel.c) and tritonnfs-fuse, the user-space client
 * (mount_fuse.c).  Every call has a deadline and returns a message that
 * says what failed (server, export, what the client said), because dockerd
 * shows it to the user verbatim (docker-volume-plugins.md §5.1 items 9-11).
 *
 * Nothing here removes files: a mount point directory is rmdir'ed only once
 * it is no longer a mount point, never recursively (§4.7).
 */
#ifndef TNFS_PLUGIN_MOUNTS_H
#define TNFS_PLUGIN_MOUNTS_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum mount_backend {
	MOUNT_BACKEND_AUTO = 0,
	MOUNT_BACKEND_KERNEL,
	MOUNT_BACKEND_FUSE,
};

/* What to mount where. */
struct mount_spec {
	const char *host;    /* server address, "10.0.0.5" */
	const char *export;  /* "/exports/data" */
	int nfs_port;        /* 0: 2049 */
	int mount_port;      /* 0: ask the portmapper */
	const char *nfsvers; /* "3", "4", "4.0", "4.1", "4.2" (not "auto") */
	int ro;
	const char *target; /* the mount point, an existing directory */
	int timeo_ds;       /* kernel: RPC timeout, tenths of a second */
	int retrans;        /* kernel: retransmissions before a major timeout */
	uint64_t size_mib; /* the volume's quota (FUSE: df shows it), 0: none */
	const char
	    *volume; /* the volume's name (names the FUSE log), or NULL */
};

struct mounts;

/*
 * A mounter.  auto picks kernel when /proc/filesystems lists nfs, fuse
 * otherwise.  fuse_binary is the tritonnfs-fuse program; log_dir receives
 * one log file per FUSE mount, fuse-<SHA-256 of the volume name>.log.
 */
struct mounts *mounts_new(enum mount_backend kind, const char *fuse_binary,
    const char *log_dir, struct tnfs_err *err);
void mounts_free(struct mounts *m);
const char *mounts_backend_name(const struct mounts *m);
int mounts_parse_backend(
    const char *s, enum mount_backend *out, struct tnfs_err *err);

/* Mount spec->target within timeout_ms. */
int mounts_mount(struct mounts *m, const struct mount_spec *spec,
    int timeout_ms, struct tnfs_err *err);

/*
 * Unmount target: plain, then forced, then lazy detach, within timeout_ms.
 * Not mounted is success.  Then rmdir target when it is no longer a mount
 * point (ENOTEMPTY is left alone).
 */
int mounts_unmount(
    struct mounts *m, const char *target, int timeout_ms, struct tnfs_err *err);

/*
 * 1 when the mount at target answers ESTALE for its own root: the server
 * now serves another filesystem under the same export (a snapshot
 * rollback), so the mount can never read again.  The question goes to the
 * server every time (a statfs, which no client caches), never to an
 * attribute cache that still holds the old root.  0 when it answers;
 * -1 when it fails otherwise (EIO from a client that gave up), gives no
 * answer within timeout_ms, or the check cannot run: a slow or dead
 * server alone is not a reason to replace a mount, but one to ask
 * whether the volume moved.
 */
int mounts_stale(struct mounts *m, const char *target, int timeout_ms);

/*
 * Detach target at once (MNT_DETACH): the containers that bind-mounted it
 * keep what they have, and the path is free for a fresh mount.
 */
int mounts_detach(const char *target, struct tnfs_err *err);

/*
 * Reap exited FUSE servers and mount children abandoned at their deadline
 * (call now and then; never blocks).
 */
void mounts_reap(struct mounts *m);

/* Split "<host>:<path>" (host may be [v6]); -1 with a message. */
int mounts_split_fspath(const char *fspath, char *host, size_t hlen, char *path,
    size_t plen, struct tnfs_err *err);

/*
 * TCP connect to host:port and one RPC NULL call to (prog, vers), within
 * timeout_ms (rpc_ping.h says why a connect alone is not enough).  -1
 * with "NFS server 10.0.0.5:2049 unreachable (connect timed out after
 * 3000 ms)", "... accepted the connection and closed it ..." and friends.
 */
int mounts_preflight(const char *host, int port, uint32_t prog, uint32_t vers,
    int timeout_ms, struct tnfs_err *err);

/* Backends (mount_kernel.c, mount_fuse.c). */
struct children;
int mount_kernel_available(void);
int mount_kernel_mount(struct children *children, const struct mount_spec *spec,
    int timeout_ms, struct tnfs_err *err);
/* The kernel backend's options for one NFS version; -1 when they do not
 * fit in len. */
int mount_kernel_options(
    const struct mount_spec *spec, const char *vers, char *buf, size_t len);

/* What the kernel backend hands mount(2) for one NFS version, all of it
 * prepared before the fork. */
struct mount_kernel_plan {
	char source[2048]; /* "<host>:<export>" */
	const char *target;
	char fstype[8];      /* "nfs" (v3) or "nfs4" */
	unsigned long flags; /* MS_RDONLY and friends */
	char data[512];      /* the file system's options */
	char options[512];   /* all of them, for messages and mount.nfs */
	int direct;          /* host is an address: mount(2), not mount.nfs */
};
int mount_kernel_prepare(const struct mount_spec *spec, const char *vers,
    struct mount_kernel_plan *plan, struct tnfs_err *err);

int mount_fuse_mount(const char *binary, const char *log_path,
    const struct mount_spec *spec, int timeout_ms, pid_t *pid,
    struct tnfs_err *err);

#endif
