/*
 * opts.h: the command line of tritonnfs-fuse.
 *
 *   tritonnfs-fuse SERVER:/EXPORT MOUNTPOINT [-o opt[,opt...]] [-f] [-d] [--check]
 *
 * This is also the form mount.fuse3 uses, so /etc/fstab entries of type
 * fuse.tritonnfs-fuse work.  Options we know (nfsvers, port, mountport, ro,
 * uid, gid, allow_other, timeo, conns, size, debug) are consumed and checked
 * strictly; options of mount(8) that mean nothing here (defaults, _netdev,
 * nofail, ...) are dropped; everything else is handed to libfuse, which
 * rejects what it does not know.
 */
#ifndef TNFS_FUSE_OPTS_H
#define TNFS_FUSE_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define FUSE_OPTS_TIMEO_DEFAULT 10 /* seconds */
#define FUSE_OPTS_TIMEO_MAX     3600
#define FUSE_OPTS_CONNS_DEFAULT 4
#define FUSE_OPTS_CONNS_MAX     32
#define FUSE_OPTS_PASS_MAX      4096 /* bytes of options for libfuse */
/* Largest size=: 1 EiB, as lib/parse.h's TNFS_SIZE_MAX_MIB. */
#define FUSE_OPTS_SIZE_MAX (UINT64_C(1) << 60)

enum fuse_opts_action {
	FUSE_OPTS_MOUNT = 0,
	FUSE_OPTS_CHECK, /* --check: connect, stat the root, exit */
	FUSE_OPTS_HELP,
	FUSE_OPTS_VERSION,
};

struct fuse_nfs_opts {
	enum fuse_opts_action action;
	char server[256];  /* host name or IPv4 address */
	char export[1024]; /* absolute path on the server */
	char mountpoint[4096];
	int nfsvers;   /* 3 or 4 */
	int port;      /* 0: ask the portmapper (NFSv3) or 2049 */
	int mountport; /* 0: ask the portmapper */
	int ro;
	long uid; /* AUTH_SYS identity; -1: our own */
	long gid;
	int allow_other;
	int timeo; /* seconds, for connects and each call */
	int conns; /* libnfs contexts in the pool */
	/*
	 * size=: the volume's quota in bytes, reported by statfs as the file
	 * system's size (the server reports its whole pool); 0: the server's
	 * numbers as they are.
	 */
	uint64_t size;
	int debug;
	int foreground;
	char fuse_opts[FUSE_OPTS_PASS_MAX]; /* comma-joined, for libfuse */
};

/*
 * Parse argv into o (all fields are set, defaults included).  0 on success;
 * -1 with a one-line message in err (a ValidationError) otherwise.  For
 * --help and --version, o->action says so and the positional arguments are
 * not required.
 */
int fuse_opts_parse(int argc, char *const argv[], struct fuse_nfs_opts *o,
    struct tnfs_err *err);

/*
 * The libnfs URL for o: nfs://SERVER/EXPORT?version=V[&nfsport=P][&mountport=M]
 * 0 on success, -1 when buf is too small.
 */
int fuse_opts_nfs_url(const struct fuse_nfs_opts *o, char *buf, size_t len);

/* The usage text (several lines, ending with a newline). */
const char *fuse_opts_usage(void);

#endif
