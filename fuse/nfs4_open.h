/*
 * nfs4_open.h: the NFSv4 open state of a context's open files.
 *
 * An NFSv4 server keeps one open state per open-owner and file, and libnfs
 * speaks for one open-owner per context.  A second OPEN of a file on the
 * same context upgrades the first state and bumps its stateid's sequence:
 * the first handle's READs and WRITEs then fail with NFS4ERR_OLD_STATEID,
 * and its CLOSE, refused the same way, leaves libnfs's open-owner sequence
 * one ahead of the server's, so every later OPEN fails with
 * NFS4ERR_BAD_SEQID.  So the open files of a context share one handle per
 * file, the one the newest OPEN returned, and the state is closed once,
 * when the last of them is released.
 *
 * A table belongs to one context and is used only by the thread holding
 * that context (nfs_conn.h).
 */
#ifndef TNFS_FUSE_NFS4_OPEN_H
#define TNFS_FUSE_NFS4_OPEN_H

#include <nfsc/libnfs.h>

/* The open files of one context, by file handle. */
struct nfs4_opens;
/* One file's open state on a context. */
struct nfs4_open;

/* A new, empty table, or NULL when out of memory. */
struct nfs4_opens *nfs4_opens_new(void);

/*
 * The context got a new client id (a remount): the server no longer knows
 * any state in t.  Each stays with the files holding it until they reopen
 * and drop it, and is then freed without a CLOSE.
 */
void nfs4_opens_forget(struct nfs4_opens *t);

/* Forgets every state (see nfs4_opens_forget) and frees t; NULL: no-op. */
void nfs4_opens_free(struct nfs4_opens *t);

/*
 * fh was just opened on t's context by path with access acc (O_RDONLY,
 * O_WRONLY or O_RDWR): returns its file's open state, with one more
 * reference, and owns fh.  When the file was open already, fh carries the
 * newest stateid and replaces the older handle, which is freed without a
 * CLOSE.  NULL, fh untouched, when out of memory (the file was not open).
 */
struct nfs4_open *nfs4_opens_add(
    struct nfs4_opens *t, struct nfsfh *fh, int acc, const char *path);

/* Whether t holds no open state. */
int nfs4_opens_empty(const struct nfs4_opens *t);

/*
 * Calls fn on each open state in t.  fn may add to t (nfs4_opens_add) and
 * drop what it added, not the reference it was called for.
 */
void nfs4_opens_each(struct nfs4_opens *t,
    void (*fn)(struct nfs4_open *o, void *arg), void *arg);

/* The handle for calls on the file. */
struct nfsfh *nfs4_open_fh(const struct nfs4_open *o);

/* The path of the newest OPEN, to reopen by. */
const char *nfs4_open_path(const struct nfs4_open *o);

/* The access to reopen with: what every holder opened for, together. */
int nfs4_open_access(const struct nfs4_open *o);

/*
 * Drops one reference.  When it was the last, returns the handle to CLOSE
 * (the caller closes it on the context, which frees it), or NULL when the
 * state was forgotten and has been freed; otherwise NULL.
 */
struct nfsfh *nfs4_open_put(struct nfs4_open *o);

#endif
