/*
 * fsutil.h: files written so that a crash never leaves half of them, and
 * the paths to them.
 */
#ifndef TNFS_FSUTIL_H
#define TNFS_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * Replace path with data: write a temporary file beside it, fsync it, rename
 * it over path, fsync the directory.  After 0 the new content survives a
 * crash; after -1 the old content is intact.
 */
int fsutil_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct tnfs_err *err);

/*
 * Read a whole file of at most max bytes into a NUL-terminated buffer the
 * caller frees.  A larger file fails with a clear error rather than being
 * cut.
 */
int fsutil_read_file(const char *path, size_t max, char **out, size_t *len,
    struct tnfs_err *err);

/*
 * A path built with printf's format into buf, which holds PATH_MAX bytes:
 * 0, or -1 with an InternalError when it does not fit.
 */
int fsutil_path(char *buf, struct tnfs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* mkdir -p with mode for the directories it creates. */
int fsutil_mkdir_p(const char *path, mode_t mode, struct tnfs_err *err);

#endif
