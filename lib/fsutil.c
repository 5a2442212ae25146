/*
 * fsutil.c: atomic file replacement, bounded reads, mkdir -p.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc;

	snprintf(copy, sizeof(copy), "%s", path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
fsutil_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    struct tnfs_err *err)
{
	char tmp[PATH_MAX];
	int fd = -1, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    sizeof(tmp)) {
		tnfs_err_set(
		    err, TNFS_E_INTERNAL, "path too long: %.64s...", path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot create a temporary file beside %s", path);
		return -1;
	}
	if (fchmod(fd, mode) == -1 || write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1) {
		tnfs_err_errno(err,
		    errno == ENOSPC || errno == EDQUOT ? TNFS_E_NO_SPACE
						       : TNFS_E_INTERNAL,
		    errno, "cannot write %s", tmp);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "cannot write %s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot rename %s to %s", tmp, path);
		goto out;
	}
	tmp[0] = '\0';
	if (fsync_dir_of(path) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot sync the directory of %s", path);
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	return rc;
}

int
fsutil_read_file(
    const char *path, size_t max, char **out, size_t *len, struct tnfs_err *err)
{
	char *buf = NULL;
	size_t cap = 0, used = 0;
	ssize_t n;
	int fd, rc = -1;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err,
		    errno == ENOENT ? TNFS_E_NOT_FOUND : TNFS_E_INTERNAL, errno,
		    "cannot open %s", path);
		return -1;
	}
	for (;;) {
		if (used + 1 >= cap) {
			size_t ncap = cap == 0 ? 4096 : cap * 2;
			char *nb;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= cap) {
				tnfs_err_set(err, TNFS_E_TOO_LARGE,
				    "%s is larger than %zu bytes", path, max);
				goto out;
			}
			if ((nb = realloc(buf, ncap)) == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "cannot read %s", path);
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			tnfs_err_set(err, TNFS_E_TOO_LARGE,
			    "%s is larger than %zu bytes", path, max);
			goto out;
		}
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	buf[used] = '\0';
	*out = buf;
	buf = NULL;
	if (len != NULL)
		*len = used;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int
fsutil_mkdir_p(const char *path, mode_t mode, struct tnfs_err *err)
{
	char buf[PATH_MAX];
	char *p;
	size_t len;

	len = (size_t)snprintf(buf, sizeof(buf), "%s", path);
	if (len == 0 || len >= sizeof(buf)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "bad directory path");
		return -1;
	}
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "cannot create directory %s", buf);
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

int
fsutil_path(char *buf, struct tnfs_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "path too long");
		return -1;
	}
	return 0;
}
