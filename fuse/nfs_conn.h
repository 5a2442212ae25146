/*
 * nfs_conn.h: a pool of mounted libnfs contexts, and reconnecting them.
 *
 * A libnfs context is not thread-safe, and its synchronous calls block the
 * caller until the server answers (or the call times out).  The FUSE loop
 * is multi-threaded, so the pool holds N contexts, each behind its own
 * mutex: a worker takes a free one for a call and gives it back.  Files
 * opened through a context stay with it (the NFSv4 open state belongs to
 * the client id of that context), so calls on an open file lock that
 * context by index.
 *
 * When a call fails because the connection broke or timed out, the caller
 * asks nfs_conn_recover(): the context is destroyed and mounted again
 * (retrying until the timeout), its generation goes up, and the caller
 * retries the call once.  Handles opened under an older generation are
 * reopened by the file layer.
 */
#ifndef TNFS_FUSE_NFS_CONN_H
#define TNFS_FUSE_NFS_CONN_H

#include <stdint.h>

#include "err.h"

struct nfs_context;
struct nfs_pool;
struct nfs_conn;
struct nfs4_opens;

struct nfs_pool_cfg {
	const char *url; /* nfs://SERVER/EXPORT?version=..., see opts.h */
	int nfsvers;     /* 3 or 4 */
	long uid, gid;   /* AUTH_SYS identity, -1: our own */
	int timeo;       /* seconds: each call, and reconnecting */
	int size;        /* number of contexts */
	int debug;       /* libnfs debug level */
};

/*
 * Make a pool and mount its first context, so that a wrong server or
 * export fails here with a message naming it (the others are mounted when
 * first used).  Connecting to an address that never answers is bounded by
 * TCP's SYN retries only; callers that need a hard deadline set one around
 * this call.  Caller frees with nfs_pool_free.
 */
struct nfs_pool *nfs_pool_new(
    const struct nfs_pool_cfg *cfg, struct tnfs_err *err);
void nfs_pool_free(struct nfs_pool *pool);

/*
 * Open and close a TCP connection to host:port within timeo seconds, so
 * that an unreachable server fails with the reason (refused, no route, no
 * answer) that libnfs does not report.  0 when it connects, -1 with an
 * Unavailable or Timeout error naming host, port and what for.
 */
int nfs_conn_probe(const char *host, int port, const char *what, int timeo,
    struct tnfs_err *err);

/* The server's READ and WRITE size limits (from the first mount). */
uint64_t nfs_pool_readmax(const struct nfs_pool *pool);
uint64_t nfs_pool_writemax(const struct nfs_pool *pool);
int nfs_pool_version(const struct nfs_pool *pool);

/*
 * Take a free context (waiting for one when all are busy) or, with
 * nfs_pool_lock, the context at index idx.  NULL when the context is not
 * mounted and mounting it fails (errno-style code in *rc).  The caller owns
 * the lock until nfs_conn_release.
 */
struct nfs_conn *nfs_pool_acquire(struct nfs_pool *pool, int *rc);
/* nfs_pool_acquire, preferring a context without open files (NFSv4). */
struct nfs_conn *nfs_pool_acquire_stateless(struct nfs_pool *pool, int *rc);
struct nfs_conn *nfs_pool_lock(struct nfs_pool *pool, int idx, int *rc);
/* The context at idx, locked as it is: not mounted when it is not. */
struct nfs_conn *nfs_pool_hold(struct nfs_pool *pool, int idx);
void nfs_conn_release(struct nfs_conn *conn);

struct nfs_context *nfs_conn_ctx(struct nfs_conn *conn);
int nfs_conn_index(const struct nfs_conn *conn);
unsigned nfs_conn_gen(const struct nfs_conn *conn);

/* NFSv4: the open state of the files opened on conn (nfs4_open.h). */
struct nfs4_opens *nfs_conn_opens(struct nfs_conn *conn);

/*
 * Speak as uid/gid on conn's next calls (AUTH_SYS), so files a container
 * user creates are that user's, as with a kernel NFS client.  A no-op when
 * the pool has a fixed identity (uid=/gid= options).
 */
void nfs_conn_set_cred(struct nfs_conn *conn, long uid, long gid);

/*
 * Whether rc (a libnfs -errno result) says the connection is gone or timed
 * out, rather than the server answering with an error.
 */
int nfs_conn_is_link_error(int rc);

/*
 * After a call on conn returned rc: when rc is a link error (or, over
 * NFSv4, the server rejected the context's open state), remount the
 * context (retrying for up to the timeout) and return 1 so the caller
 * retries once; 0 otherwise (including when remounting failed).  Called
 * with the conn locked.
 */
int nfs_conn_recover(struct nfs_conn *conn, int rc);

/*
 * The errno FUSE should return for a libnfs result rc < 0: link errors and
 * timeouts become EIO, out-of-range values EIO too.
 */
int nfs_conn_errno(int rc);

/*
 * nfs_conn_errno, corrected by why (the context's nfs_get_error text after
 * the failed call; NULL when there is none).  libnfs 4.0 maps
 * NFS3ERR_DQUOT to -ERANGE, and over NFSv4 passes every status through its
 * NFSv3 table, so NFS4ERR_DQUOT is -ERANGE too and so is every NFSv4-only
 * status (10000 and up).  The text names the status
 * (nfs_conn_status_errno): DQUOT becomes EDQUOT, FHEXPIRED ESTALE, DELAY
 * and GRACE EAGAIN, an -ERANGE without a known status EIO (ERANGE means
 * nothing to a file program).
 */
int nfs_conn_errno_why(int rc, const char *why);

/*
 * The errno for the NFS status ("NFS3ERR_DQUOT(", "NFS4ERR_NOSPC(", ...)
 * that why names, as libnfs writes it; EIO for a status without a better
 * one; 0 when why names none (or is NULL).
 */
int nfs_conn_status_errno(const char *why);

/* nfs_conn_errno_why with conn's last error text. */
int nfs_conn_errno_of(struct nfs_conn *conn, int rc);

#endif
