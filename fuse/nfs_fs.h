/*
 * nfs_fs.h: the FUSE file system of tritonnfs-fuse, over a pool of libnfs
 * contexts (nfs_conn.h).
 *
 * The operations are libfuse's high-level, path-based ones: every path FUSE
 * hands us is a path below the export root, which is what libnfs's path
 * calls take.  Attributes and entries are cached by the kernel for about a
 * second only, so changes made on other hosts show quickly.
 */
#ifndef TNFS_FUSE_NFS_FS_H
#define TNFS_FUSE_NFS_FS_H

#include <stddef.h>
#include <stdint.h>

#define FUSE_USE_VERSION 312
#include <fuse.h>

struct nfs_pool;
struct fhcache;

/* Largest READ/WRITE FUSE sends us, and kernel cache lifetimes. */
#define NFS_FS_MAX_IO        (1024 * 1024)
#define NFS_FS_CACHE_SECONDS 1.0

/* Directory handles kept (fhcache.h): a web site's busy directories. */
#define NFS_FS_DIR_CACHE 256

struct nfs_fs_cfg {
	struct nfs_pool *pool; /* borrowed; outlives the FUSE session */
	int ro;
	uint64_t size;        /* size= in bytes: statfs reports it; 0: off */
	const char *export;   /* on the server, for NFSv4 listings; borrowed */
	struct fhcache *dirs; /* NFSv3 directory handles; made by fs_init */
};

/*
 * The operations table; pass a struct nfs_fs_cfg as fuse_new's
 * private_data.  The table is static and never freed.
 */
const struct fuse_operations *nfs_fs_operations(void);

/*
 * Make sv (the server's numbers) report a file system of size bytes: the
 * server exports a btrfs subvolume whose limit is a qgroup, and btrfs's
 * statfs (so ganesha's FSSTAT) ignores qgroups and reports the whole pool.
 * Used space is the server's (total - free): exact when the volume is the
 * pool's only one, more than the volume's own when it shares the pool, so
 * free space is never overstated.  f_bfree is size - used (so df's "used",
 * blocks - bfree, is that used space) and f_bavail (df's "available") is
 * min(server's available, size - used).  A size above the server's total
 * (volumes overcommitting their pool) is still the size shown; available
 * then says how much the pool has left.
 * sv is left alone when size is 0 or the server gave no block size.
 */
struct statvfs;
void nfs_fs_apply_size(struct statvfs *sv, uint64_t size);

/*
 * The d_ino of a listed entry ("not known": libfuse's FUSE_UNKNOWN_INO,
 * what every libfuse file system without use_ino reports; stat(2) still
 * gives the real number).
 */
#define NFS_FS_INO_UNKNOWN UINT64_C(0xffffffff)

/*
 * The d_ino to list for an entry libnfs gave with inode number inode over
 * NFS version nfsvers.  libnfs before 5.0 never sets the inode of an NFSv4
 * READDIR entry (the field is uninitialised heap memory), and readdir(3)
 * skips entries whose d_ino is 0: listings lost every entry whose memory
 * happened to be zero, so most of a large directory.  Such an inode, and
 * a 0 from any version, is reported as NFS_FS_INO_UNKNOWN.
 */
uint64_t nfs_fs_dirent_ino(uint64_t inode, int nfsvers);

#endif
