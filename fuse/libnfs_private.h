/*
 * libnfs_private.h: what libnfs exports but declares only in its private
 * header (libnfs-private.h), unchanged from 4.0 to 5.0.  configure checks
 * that the functions link.
 */
#ifndef TNFS_FUSE_LIBNFS_PRIVATE_H
#define TNFS_FUSE_LIBNFS_PRIVATE_H

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>

/* What nfs_get_fh returns: libnfs declares it, defines it privately. */
struct nfs_fh {
	int len;
	char *val;
};

/* The export root's handle. */
const struct nfs_fh *nfs_get_rootfh(struct nfs_context *nfs);

/* Frees a handle without a CLOSE. */
void nfs_free_nfsfh(struct nfsfh *nfsfh);

#endif
