/*
 * uuid.c: checking and making UUIDs in the one form Triton uses, lowercase
 * 8-4-4-4-12 (VOLAPI's /^[a-f0-9]{8}-[a-f0-9]{4}-...-[a-f0-9]{12}$/).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "uuid.h"

static int
is_hyphen_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int
tnfs_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	/* Stops at the NUL, so a short string is never read past. */
	for (i = 0; i < TNFS_UUID_LEN; i++) {
		char c = s[i];

		if (is_hyphen_at(i)) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') ||
			       (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return s[TNFS_UUID_LEN] == '\0';
}

/* Fill buf from /dev/urandom, through short reads and signals. */
static int
read_random(unsigned char *buf, size_t len, struct tnfs_err *err)
{
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1;

	do
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "cannot open /dev/urandom");
		goto out;
	}
	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "cannot read /dev/urandom");
			goto out;
		}
		if (n == 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "cannot read /dev/urandom: unexpected end of file");
			goto out;
		}
		got += (size_t)n;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	return rc;
}

int
tnfs_uuid_generate(char out[TNFS_UUID_BUFSZ], struct tnfs_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, n = 0;

	if (read_random(b, sizeof(b), err) == -1)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
	for (i = 0; i < sizeof(b); i++) {
		if (is_hyphen_at(n))
			out[n++] = '-';
		out[n++] = hex[b[i] >> 4];
		out[n++] = hex[b[i] & 0x0f];
	}
	out[n] = '\0';
	return 0;
}

int
tnfs_uuid_prefix_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
			*s == '-'))
			return 0;
	return 1;
}

void
tnfs_request_id(const char *sent, char *buf, size_t len)
{
	size_t i;

	if (sent != NULL && sent[0] != '\0' && strlen(sent) < len &&
	    strlen(sent) <= 128) {
		for (i = 0; sent[i] != '\0'; i++)
			if (sent[i] < 0x21 || sent[i] > 0x7e)
				break;
		if (sent[i] == '\0') {
			snprintf(buf, len, "%s", sent);
			return;
		}
	}
	if (tnfs_uuid_generate(buf, NULL) == -1)
		snprintf(buf, len, "-");
}
