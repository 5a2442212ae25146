/*
 * nfs_file.c: an open file and the calls made on it (see nfs_file.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nfsc/libnfs.h>

#include "nfs3_raw.h"
#include "nfs4_open.h"
#include "nfs_file.h"

int
nfs_file_new(const char *path, int flags, struct nfs_file **out)
{
	struct nfs_file *f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(path)) == NULL) {
		free(f);
		return -ENOMEM;
	}
	f->flags = flags;
	*out = f;
	return 0;
}

void
nfs_file_free(struct nfs_file *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f);
}

struct nfsfh *
nfs_file_libnfs(const struct nfs_file *f)
{
	return f->open != NULL ? nfs4_open_fh(f->open) : f->fh;
}

/* Calls on an open file, by handle over NFSv3, through libnfs over v4. */
int
nfs_file_fstat(
    struct nfs_context *ctx, struct nfs_file *f, struct nfs_stat_64 *ns)
{
	return f->raw ? nfs3_raw_getattr(ctx, &f->rfh, ns)
		      : nfs_fstat64(ctx, nfs_file_libnfs(f), ns);
}

int
nfs_file_setsize(struct nfs_context *ctx, struct nfs_file *f, uint64_t size)
{
	return f->raw ? nfs3_raw_setsize(ctx, &f->rfh, size)
		      : nfs_ftruncate(ctx, nfs_file_libnfs(f), size);
}

int
nfs_file_pread(struct nfs_context *ctx, struct nfs_file *f, uint64_t off,
    size_t n, char *buf)
{
	/* libnfs's READs for the handles it opened (sequential reads). */
	struct nfsfh *fh = nfs_file_libnfs(f);

	return fh == NULL ? nfs3_raw_read(ctx, &f->rfh, off, n, buf)
			  : nfs_pread(ctx, fh, off, n, buf);
}

int
nfs_file_fsync(struct nfs_context *ctx, struct nfs_file *f)
{
	return f->raw ? nfs3_raw_commit(ctx, &f->rfh)
		      : nfs_fsync(ctx, nfs_file_libnfs(f));
}
