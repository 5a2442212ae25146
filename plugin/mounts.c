/*
 * mounts.c: backend choice, mountinfo, unmount and pre-flight (mounts.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "mounts.h"
#include "rpc_ping.h"
#include "timefmt.h"

#define FUSE_PIDS_MAX 1024

struct mounts {
	enum mount_backend kind;
	char *fuse_binary;
	char *log_dir;
	pthread_mutex_t mu; /* guards pids */
	pid_t pids[FUSE_PIDS_MAX];
	size_t npids;
};

int
mounts_parse_backend(
    const char *s, enum mount_backend *out, struct tnfs_err *err)
{
	if (strcmp(s, "auto") == 0)
		*out = MOUNT_BACKEND_AUTO;
	else if (strcmp(s, "kernel") == 0)
		*out = MOUNT_BACKEND_KERNEL;
	else if (strcmp(s, "fuse") == 0)
		*out = MOUNT_BACKEND_FUSE;
	else {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "mount backend %.32s: expected auto, kernel or fuse", s);
		return -1;
	}
	return 0;
}

struct mounts *
mounts_new(enum mount_backend kind, const char *fuse_binary,
    const char *log_dir, struct tnfs_err *err)
{
	struct mounts *m;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->fuse_binary = strdup(fuse_binary)) == NULL ||
	    (m->log_dir = strdup(log_dir)) == NULL) {
		mounts_free(m);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	if (kind == MOUNT_BACKEND_AUTO)
		kind = mount_kernel_available() ? MOUNT_BACKEND_KERNEL
						: MOUNT_BACKEND_FUSE;
	m->kind = kind;
	pthread_mutex_init(&m->mu, NULL);
	return m;
}

void
mounts_free(struct mounts *m)
{
	if (m == NULL)
		return;
	free(m->fuse_binary);
	free(m->log_dir);
	free(m);
}

const char *
mounts_backend_name(const struct mounts *m)
{
	return m->kind == MOUNT_BACKEND_KERNEL ? "kernel" : "fuse";
}

static void
sanitize_name(char *dst, size_t len, const char *target)
{
	const char *base = strrchr(target, '/');
	size_t i;

	snprintf(dst, len, "%s", base != NULL ? base + 1 : target);
	for (i = 0; dst[i] != '\0'; i++)
		if (dst[i] == '/' || dst[i] == '.')
			dst[i] = '_';
}

int
mounts_mount(struct mounts *m, const struct mount_spec *spec, int timeout_ms,
    struct tnfs_err *err)
{
	char log_path[4096], base[300];
	pid_t pid = -1;

	if (m->kind == MOUNT_BACKEND_KERNEL)
		return mount_kernel_mount(spec, timeout_ms, err);
	sanitize_name(base, sizeof(base), spec->target);
	snprintf(
	    log_path, sizeof(log_path), "%s/fuse-%s.log", m->log_dir, base);
	if (mount_fuse_mount(
		m->fuse_binary, log_path, spec, timeout_ms, &pid, err) == -1)
		return -1;
	if (pid > 0) {
		pthread_mutex_lock(&m->mu);
		if (m->npids < FUSE_PIDS_MAX)
			m->pids[m->npids++] = pid;
		pthread_mutex_unlock(&m->mu);
	}
	return 0;
}

void
mounts_reap(struct mounts *m)
{
	size_t i;

	pthread_mutex_lock(&m->mu);
	for (i = 0; i < m->npids;) {
		if (child_wait(m->pids[i], 0, NULL) != 0)
			m->pids[i] = m->pids[--m->npids];
		else
			i++;
	}
	pthread_mutex_unlock(&m->mu);
}

/* Decode mountinfo's \ooo escapes (space, tab, newline, backslash). */
static void
unescape(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' &&
		    s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			buf[o++] = (char)((s[i + 1] - '0') * 64 +
			    (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else
			buf[o++] = s[i];
	}
	buf[o] = '\0';
}

int
mounts_parse_mountinfo_line(const char *line, char *buf, size_t len)
{
	const char *p = line, *start;
	int field;

	/* id parent major:minor root mountpoint ... */
	for (field = 0; field < 4; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		p++;
	}
	start = p;
	while (*p != '\0' && *p != ' ' && *p != '\n')
		p++;
	if (p == start || *p != ' ')
		return -1;
	unescape(start, (size_t)(p - start), buf, len);
	return 0;
}

int
mounts_is_mountpoint(const char *path)
{
	return mounts_describe(path, NULL, 0);
}

int
mounts_describe(const char *path, char *buf, size_t len)
{
	FILE *f;
	char *line = NULL, mp[4096];
	size_t cap = 0;
	int found = 0;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (getline(&line, &cap, f) != -1) {
		char *sep, *fstype, *source, *opts, *save = NULL;

		if (mounts_parse_mountinfo_line(line, mp, sizeof(mp)) != 0 ||
		    strcmp(mp, path) != 0 ||
		    (sep = strstr(line, " - ")) == NULL)
			continue;
		/* The last mount at path is the one visible there. */
		fstype = strtok_r(sep + 3, " \n", &save);
		source = strtok_r(NULL, " \n", &save);
		opts = strtok_r(NULL, " \n", &save);
		if (buf != NULL)
			snprintf(buf, len, "%s %s %s", fstype ? fstype : "?",
			    source ? source : "?", opts ? opts : "");
		found = 1;
	}
	free(line);
	fclose(f);
	return found;
}

int
mounts_split_fspath(const char *fspath, char *host, size_t hlen, char *path,
    size_t plen, struct tnfs_err *err)
{
	const char *colon;
	size_t n;

	if (fspath == NULL || fspath[0] == '\0')
		goto bad;
	if (fspath[0] == '[') {
		const char *end = strchr(fspath, ']');

		if (end == NULL || end[1] != ':')
			goto bad;
		n = (size_t)(end - fspath - 1);
		colon = end + 1;
		fspath++;
	} else {
		if ((colon = strchr(fspath, ':')) == NULL)
			goto bad;
		n = (size_t)(colon - fspath);
	}
	if (n == 0 || n >= hlen || colon[1] != '/' || strlen(colon + 1) >= plen)
		goto bad;
	memcpy(host, fspath, n);
	host[n] = '\0';
	snprintf(path, plen, "%s", colon + 1);
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_INTERNAL,
	    "the VAPI gave filesystem_path \"%.200s\", expected <ip>:/<path>",
	    fspath ? fspath : "");
	return -1;
}

int
mounts_preflight(const char *host, int port, uint32_t prog, uint32_t vers,
    int timeout_ms, struct tnfs_err *err)
{
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	struct addrinfo hints = {0}, *res = NULL, *ai;
	enum rpc_ping_result pr;
	char portstr[16];
	int fd = -1, rc = -1, gai, last_errno = 0, timed_out = 0, left;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((gai = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "NFS server %s: cannot resolve: %s", host,
		    gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(last_errno);
		int r;

		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			rc = 0;
			break;
		}
		if (errno != EINPROGRESS) {
			last_errno = errno;
			close(fd);
			fd = -1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, timeout_ms);
		if (r == 0) {
			timed_out = 1;
		} else if (r > 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &last_errno, &sl) ==
			0 &&
		    last_errno == 0) {
			rc = 0;
			break;
		} else if (r < 0)
			last_errno = errno;
		close(fd);
		fd = -1;
	}
	if (rc == -1) {
		if (timed_out)
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "NFS server %s:%d unreachable (connect timed out "
			    "after %d ms)",
			    host, port, timeout_ms);
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "NFS server %s:%d unreachable (%s)", host, port,
			    strerror(last_errno ? last_errno : ECONNREFUSED));
	} else {
		left = (int)(deadline - tnfs_mono_ms());
		pr = rpc_ping_fd(
		    fd, prog, vers, left > 0 ? left : 1, &last_errno);
		if (pr != RPC_PING_OK) {
			rc = -1;
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "NFS server %s:%d (%s v%u) %s%s%s", host, port,
			    prog == RPC_PROG_MOUNT ? "MOUNT" : "NFS", vers,
			    rpc_ping_describe(pr), last_errno ? ": " : "",
			    last_errno ? strerror(last_errno) : "");
		}
	}
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return rc;
}

/*
 * umount2 in a child process: against a dead server a plain umount can
 * sleep in the kernel for minutes, and only a child can be abandoned.
 * Returns 0 done, 1 when the deadline passed, -1 with errno_out set.
 */
static int
umount_in_child(const char *target, int flags, int timeout_ms, int *errno_out)
{
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	int status;
	pid_t pid, w;

	*errno_out = 0;
	pid = fork();
	if (pid == -1) {
		*errno_out = errno;
		return -1;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls here: we are a threaded fork. */
		if (umount2(target, flags) == 0)
			_exit(0);
		_exit(errno > 0 && errno < 255 ? errno : 255);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (tnfs_mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			/* A child stuck in D state cannot be reaped now. */
			waitpid(pid, &status, WNOHANG);
			return 1;
		}
		usleep(20000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	*errno_out = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
	return -1;
}

int
mounts_unmount(
    struct mounts *m, const char *target, int timeout_ms, struct tnfs_err *err)
{
	int64_t start = tnfs_mono_ms();
	int e = 0, r, step_ms = timeout_ms / 3 > 0 ? timeout_ms / 3 : 1;

	(void)m;
	if (mounts_is_mountpoint(target) == 1) {
		r = umount_in_child(target, 0, step_ms, &e);
		if (r != 0 && mounts_is_mountpoint(target) == 1) {
			log_warn("umount %s: %s; forcing", target,
			    r == 1 ? "timed out" : strerror(e));
			r = umount_in_child(target, MNT_FORCE, step_ms, &e);
		}
		if (r != 0 && mounts_is_mountpoint(target) == 1) {
			log_warn("forced umount %s: %s; detaching lazily",
			    target, r == 1 ? "timed out" : strerror(e));
			/* MNT_DETACH never waits for the server. */
			if (umount2(target, MNT_DETACH) == -1 &&
			    errno != EINVAL && errno != ENOENT) {
				tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
				    "cannot unmount %s (plain, forced and lazy "
				    "all failed after %lld ms)",
				    target,
				    (long long)(tnfs_mono_ms() - start));
				return -1;
			}
		}
	}
	/* rmdir, never a recursive removal: data may still be beneath. */
	if (mounts_is_mountpoint(target) == 0 && rmdir(target) == -1 &&
	    errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
		log_warn("rmdir %s: %s", target, strerror(errno));
	return 0;
}
