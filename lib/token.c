/*
 * token.c: reading token files and making tokens (token.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "token.h"

int
tnfs_token_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return i > 0 && i <= TNFS_TOKEN_MAX;
}

int
tnfs_token_read_file(const char *path, char out[TNFS_TOKEN_BUFSZ],
    int *group_readable, struct tnfs_err *err)
{
	char buf[TNFS_TOKEN_BUFSZ + 2];
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd, rc = -1;

	/* O_NOFOLLOW-free on purpose: /run/secrets/x is often a link. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		tnfs_err_errno(err, TNFS_E_VALIDATION, errno,
		    "token file %.256s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		tnfs_err_errno(err, TNFS_E_VALIDATION, errno,
		    "token file %.256s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "token file %.256s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "token file %.256s: mode %04o lets every user read or "
		    "change the token; chmod 600 it",
		    path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	for (;;) {
		n = read(fd, buf + off, sizeof(buf) - 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			tnfs_err_errno(err, TNFS_E_VALIDATION, errno,
			    "token file %.256s", path);
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (off == sizeof(buf) - 1)
			break;
	}
	buf[off] = '\0';
	if (off > 0 && buf[off - 1] == '\n')
		buf[--off] = '\0';
	if (off > 0 && buf[off - 1] == '\r')
		buf[--off] = '\0';
	if (off == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "token file %.256s is empty", path);
		goto out;
	}
	if (off > TNFS_TOKEN_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "token file %.256s: longer than %d bytes", path,
		    TNFS_TOKEN_MAX);
		goto out;
	}
	if (strlen(buf) != off || !tnfs_token_valid(buf)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "token file %.256s: the token must be one line of "
		    "printable characters without spaces",
		    path);
		goto out;
	}
	memcpy(out, buf, off + 1);
	if (group_readable != NULL)
		*group_readable = (st.st_mode & S_IRGRP) != 0;
	rc = 0;
out:
	/* The token must not linger in freed stack memory longer than needed. */
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int
tnfs_token_generate(
    char out[2 * TNFS_TOKEN_RANDOM_BYTES + 1], struct tnfs_err *err)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[TNFS_TOKEN_RANDOM_BYTES];
	size_t off = 0, i;
	ssize_t n;

	while (off < sizeof(raw)) {
		/* Blocks only until the pool is initialised at boot. */
		n = getrandom(raw + off, sizeof(raw) - off, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "getrandom");
			return -1;
		}
		off += (size_t)n;
	}
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * sizeof(raw)] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 0;
}
