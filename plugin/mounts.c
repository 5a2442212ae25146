/*
 * mounts.c: backend choice, unmount and pre-flight (mounts.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "log.h"
#include "mountinfo.h"
#include "mounts.h"
#include "rpc_ping.h"
#include "sha256.h"
#include "timefmt.h"

struct mounts {
	enum mount_backend kind;
	char *fuse_binary;
	char *log_dir;
	struct children *children; /* FUSE servers and abandoned children */
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
	if ((m->children = children_new(err)) == NULL) {
		mounts_free(m);
		return NULL;
	}
	if (kind == MOUNT_BACKEND_AUTO)
		kind = mount_kernel_available() ? MOUNT_BACKEND_KERNEL
						: MOUNT_BACKEND_FUSE;
	m->kind = kind;
	return m;
}

void
mounts_free(struct mounts *m)
{
	if (m == NULL)
		return;
	children_free(m->children);
	free(m->fuse_binary);
	free(m->log_dir);
	free(m);
}

const char *
mounts_backend_name(const struct mounts *m)
{
	return m->kind == MOUNT_BACKEND_KERNEL ? "kernel" : "fuse";
}

/*
 * The FUSE log of a mount: named by a digest of what is mounted, so that
 * the name has a fixed length whatever the volume's (a 256-byte volume
 * name does not fit in a file name).
 */
static int
fuse_log_path(const struct mounts *m, const struct mount_spec *spec, char *buf,
    size_t len, struct tnfs_err *err)
{
	const char *key = spec->volume != NULL ? spec->volume : spec->target;
	char hex[TNFS_SHA256_HEX_BUFSZ];

	tnfs_sha256_hex(key, strlen(key), hex);
	if ((size_t)snprintf(buf, len, "%s/fuse-%s.log", m->log_dir, hex) >=
	    len) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "log directory %.64s...: "
		    "path too long",
		    m->log_dir);
		return -1;
	}
	return 0;
}

int
mounts_mount(struct mounts *m, const struct mount_spec *spec, int timeout_ms,
    struct tnfs_err *err)
{
	char log_path[4096];
	pid_t pid = -1;

	if (m->kind == MOUNT_BACKEND_KERNEL)
		return mount_kernel_mount(m->children, spec, timeout_ms, err);
	if (fuse_log_path(m, spec, log_path, sizeof(log_path), err) == -1 ||
	    mount_fuse_mount(
		m->fuse_binary, log_path, spec, timeout_ms, &pid, err) == -1)
		return -1;
	/* The FUSE server runs as long as the mount: reap it when it ends.
	 * Out of memory here costs one zombie, not the mount. */
	if (pid > 0 && children_watch(m->children, pid, err) == -1)
		tnfs_err_clear(err);
	return 0;
}

void
mounts_reap(struct mounts *m)
{
	children_reap(m->children);
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
	return rpc_ping_server(host, port, prog, vers, timeout_ms, err);
}

struct umount_call {
	const char *target;
	int flags;
};

/* In the child: umount2 and its errno as the exit status. */
static int
umount_child(void *arg)
{
	const struct umount_call *u = arg;

	if (umount2(u->target, u->flags) == 0)
		return 0;
	return errno > 0 && errno < 255 ? errno : 255;
}

/*
 * umount2 in a child process: against a dead server a plain umount can
 * sleep in the kernel for minutes, and only a child can be abandoned.
 * Returns 0 done, 1 when the deadline passed, -1 with errno_out set.
 */
static int
umount_in_child(struct mounts *m, const char *target, int flags, int timeout_ms,
    int *errno_out)
{
	struct umount_call u = {target, flags};
	int status = 0, r;

	*errno_out = 0;
	r = children_call(
	    m->children, umount_child, &u, timeout_ms, &status, NULL);
	if (r == -1) {
		*errno_out = errno;
		return -1;
	}
	if (r == 1)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	*errno_out = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
	return -1;
}

/*
 * In the child: statfs of the mount's root, its errno as the exit status.
 * Not stat: both clients answer stat from their attribute cache
 * (tritonnfs-fuse for its 1 s attr_timeout, the kernel NFS client for up
 * to acdirmax), so a mount whose export was rolled back a moment ago still
 * looks alive.  Neither caches statfs: FUSE sends every STATFS to
 * tritonnfs-fuse, which asks the server (FSSTAT), and the kernel client
 * sends FSSTAT (v3) or GETATTR (v4) for the root's file handle each time,
 * so the server's ESTALE for that handle comes back at once.
 */
static int
statfs_child(void *arg)
{
	const struct umount_call *u = arg;
	struct statfs sf;

	if (statfs(u->target, &sf) == 0)
		return 0;
	return errno > 0 && errno < 255 ? errno : 255;
}

int
mounts_stale(struct mounts *m, const char *target, int timeout_ms)
{
	struct umount_call u = {target, 0};
	int status = 0;

	/* In a child: a statfs against a hung server sleeps in the kernel. */
	if (children_call(m->children, statfs_child, &u, timeout_ms, &status,
		NULL) != 0 ||
	    !WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) == ESTALE)
		return 1;
	return WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
mounts_detach(const char *target, struct tnfs_err *err)
{
	if (umount2(target, MNT_DETACH) == -1 && errno != EINVAL &&
	    errno != ENOENT) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "cannot detach %s", target);
		return -1;
	}
	return 0;
}

int
mounts_unmount(
    struct mounts *m, const char *target, int timeout_ms, struct tnfs_err *err)
{
	int64_t start = tnfs_mono_ms();
	int e = 0, r, step_ms = timeout_ms / 3 > 0 ? timeout_ms / 3 : 1;

	if (mountinfo_is_mountpoint(target) == 1) {
		r = umount_in_child(m, target, 0, step_ms, &e);
		if (r != 0 && mountinfo_is_mountpoint(target) == 1) {
			log_warn("umount %s: %s; forcing", target,
			    r == 1 ? "timed out" : strerror(e));
			r = umount_in_child(m, target, MNT_FORCE, step_ms, &e);
		}
		if (r != 0 && mountinfo_is_mountpoint(target) == 1) {
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
	if (mountinfo_is_mountpoint(target) == 0 && rmdir(target) == -1 &&
	    errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
		log_warn("rmdir %s: %s", target, strerror(errno));
	return 0;
}
