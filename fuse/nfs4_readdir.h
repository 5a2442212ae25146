/*
 * nfs4_readdir.h: listing a directory over NFSv4 with our own READDIR
 * COMPOUNDs (PUTROOTFH, LOOKUP per path component, READDIR) on a mounted
 * libnfs context.
 *
 * libnfs 4.0's nfs_opendir over NFSv4 leaves each entry's inode number
 * unset, sends a zero cookie verifier when it continues, copies names with
 * strdup() past their XDR length, and continues for as long as the server
 * says "not at the end", without a bound.  This module asks for the type,
 * mode and fileid of each entry, continues with the cookie and verifier the
 * server gave, and is bounded: a deadline per call and per listing, a
 * maximum number of entries, and a cookie that does not advance or a reply
 * without entries before the end fail the listing.  A directory changed
 * under the listing (NFS4ERR_BAD_COOKIE or NOT_SAME) is listed again from
 * the start, a few times at most.
 */
#ifndef TNFS_FUSE_NFS4_READDIR_H
#define TNFS_FUSE_NFS4_READDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct nfs_context;
struct nfs4_dir;

/* Bounds of one listing. */
#define NFS4_READDIR_MAX_ENTRIES  (1u << 22)
#define NFS4_READDIR_DEADLINE_S   600
#define NFS4_READDIR_MAX_RESTARTS 3
/* READDIR's dircount and maxcount, in bytes. */
#define NFS4_READDIR_DIRCOUNT 16384
#define NFS4_READDIR_MAXCOUNT 65536
/*
 * The largest COMPOUND we send: libnfs 4.0 encodes a call into a 4096-byte
 * buffer, which also holds the RPC header and the AUTH_SYS credentials.
 */
#define NFS4_READDIR_MAX_COMPOUND 3072

/*
 * List path (absolute, below the export) of the export export (absolute on
 * the server) on nfs, a mounted NFSv4.0 context whose calls the caller owns
 * (no other call may run on it meanwhile).  0 with *out set (caller frees
 * with nfs4_dir_free); -errno otherwise: -ENOENT, -ENOTDIR, -EACCES,
 * -ESTALE, ... as the server said; -EIO or -ETIMEDOUT when the link failed
 * (the context may have a call in flight then: do not destroy it);
 * -EPROTO for a reply we cannot use (a bad name or attribute, a cookie
 * that does not advance); -EFBIG past NFS4_READDIR_MAX_ENTRIES; -ETIME
 * past NFS4_READDIR_DEADLINE_S; -EAGAIN when the directory kept changing
 * (restarted NFS4_READDIR_MAX_RESTARTS times); -ENOTSUP when the path is
 * too long for one COMPOUND (list it with libnfs instead).  Only the first
 * two are link errors (nfs_conn.h): the others are not worth a remount.
 * "." and ".." are not listed.
 */
int nfs4_readdir_list(struct nfs_context *nfs, const char *export,
    const char *path, struct nfs4_dir **out);

/*
 * An empty listing, and taking one READDIR reply (asked from cookie) into
 * it: 0 with *next (the cookie to ask from next) and *eof set; -EPROTO for
 * a bad name or attribute, or entries that would repeat (none before the
 * end, or the last cookie is the one asked from); -EFBIG past
 * NFS4_READDIR_MAX_ENTRIES; -ENOMEM.  Entries taken before a failure stay.
 */
struct READDIR4resok;
struct nfs4_dir *nfs4_dir_new(void);
int nfs4_dir_take(struct nfs4_dir *dir, const struct READDIR4resok *ok,
    uint64_t cookie, uint64_t *next, int *eof);

size_t nfs4_dir_count(const struct nfs4_dir *dir);
const char *nfs4_dir_name(const struct nfs4_dir *dir, size_t i);
/* The entry's fileid; 0 when the server did not give it. */
uint64_t nfs4_dir_ino(const struct nfs4_dir *dir, size_t i);
/* S_IF* type and permission bits; 0 when the server gave neither. */
mode_t nfs4_dir_mode(const struct nfs4_dir *dir, size_t i);
void nfs4_dir_free(struct nfs4_dir *dir);

/*
 * The parsers behind nfs4_readdir_list, for the tests.
 *
 * nfs4_readdir_attrs: decode an entry's fattr4 (mask words, XDR values)
 * holding any of TYPE, FILEID and MODE (what we ask for).  0 with *ino and
 * *mode set (0 for what is absent); -EINVAL when another attribute is set
 * (its size is unknown), a value is cut short or bytes are left over, or
 * the type is not an NFSv4 file type.
 *
 * nfs4_readdir_name: whether a name of len bytes is one to list: 1 yes, 0
 * for "." and "..", -EINVAL for an empty name, one over 255 bytes, or one
 * holding '/' or a NUL byte.
 *
 * nfs4_readdir_status_errno: the errno for an nfsstat4 (EIO when none
 * fits; 0 for NFS4_OK).
 *
 * nfs4_readdir_compound_size: the encoded size in bytes of the COMPOUND
 * that lists path of export (-1 when it exceeds max).
 */
int nfs4_readdir_attrs(const uint32_t *mask, size_t mask_len,
    const unsigned char *vals, size_t vals_len, uint64_t *ino, mode_t *mode);
int nfs4_readdir_name(const char *name, size_t len);
int nfs4_readdir_status_errno(int status);
long nfs4_readdir_compound_size(const char *export, const char *path, long max);

#endif
