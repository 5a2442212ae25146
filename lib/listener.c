/*
 * listener.c: see listener.h.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listener.h"

#define BACKLOG 512

static int
open_unix(const char *spec, const char *label, mode_t mode, char *unix_path,
    size_t unix_path_len, struct tnfs_err *err)
{
	struct sockaddr_un sun;
	const char *path = spec + 5;
	struct stat sb;
	int fd;

	if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path) ||
	    strlen(path) >= unix_path_len) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s %s: socket path empty or too long", label, spec);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	/* A stale socket from a previous run; never anything else. */
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    (mode != 0 && chmod(path, mode) == -1) ||
	    listen(fd, BACKLOG) == -1) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "%s %s", label, spec);
		if (fd != -1)
			close(fd);
		return -1;
	}
	snprintf(unix_path, unix_path_len, "%s", path);
	return fd;
}

static int
open_tcp(const char *spec, const char *label, struct tnfs_err *err)
{
	struct addrinfo hints, *res = NULL;
	const char *hp = spec + 4, *colon = strrchr(hp, ':');
	char host[256];
	int fd, r, one = 1;

	if (colon == NULL || (size_t)(colon - hp) >= sizeof(host) ||
	    colon[1] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s %s: expected tcp:HOST:PORT", label, spec);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hp), hp);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "%s %s: %s", label, spec,
		    gai_strerror(r));
		return -1;
	}
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		-1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, BACKLOG) == -1) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "%s %s", label, spec);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
listener_open(const char *spec, const char *label, mode_t unix_mode,
    char *unix_path, size_t unix_path_len, struct tnfs_err *err)
{
	if (unix_path_len > 0)
		unix_path[0] = '\0';
	if (strncmp(spec, "unix:", 5) == 0)
		return open_unix(
		    spec, label, unix_mode, unix_path, unix_path_len, err);
	if (strncmp(spec, "tcp:", 4) == 0)
		return open_tcp(spec, label, err);
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "%s %s: expected tcp:HOST:PORT or unix:PATH", label, spec);
	return -1;
}
