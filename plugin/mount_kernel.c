/*
 * mount_kernel.c: the kernel NFS client through libmount (mounts.h).
 *
 * The mount runs in a forked child with a deadline: a kernel NFS mount
 * against an unreachable server can block for minutes, longer than
 * dockerd waits (docker-volume-plugins.md §2.1), and only a child process
 * can be given up on.  The plugin is threaded, so the child makes one
 * call, mount(2); libmount splits the options in the parent beforehand
 * (mount_kernel_prepare).  A server given by name goes through mount.nfs,
 * which resolves it.  Options follow triton-volumes.md §5: vers, tcp,
 * explicit timeo/retrans (the plugin's configuration), hard, nolock for
 * v3 (the server runs no lock manager), ro; docs/kernel-mounts.md says
 * why for each.
 *
 * This path needs a kernel with an NFS client; it is exercised in a VM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <libmount/libmount.h>

#include "child.h"
#include "children.h"
#include "mounts.h"
#include "timefmt.h"

int
mount_kernel_available(void)
{
	FILE *f = fopen("/proc/filesystems", "re");
	char line[256];
	int found = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *name = strrchr(line, '\t');

		name = name != NULL ? name + 1 : line;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, "nfs") == 0 || strcmp(name, "nfs4") == 0)
			found = 1;
	}
	fclose(f);
	return found;
}

static int
is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

/*
 * The NFS versions to try for a volume's nfsvers: "4" means the newest the
 * server offers, as mount.nfs does it (mount(2) itself would take 4.0).
 */
static int
versions_for(const char *nfsvers, const char *out[3])
{
	if (strcmp(nfsvers, "4") == 0) {
		out[0] = "4.2";
		out[1] = "4.1";
		out[2] = "4.0";
		return 3;
	}
	out[0] = nfsvers;
	return 1;
}

/*
 * Options for one version.  hard (the default, not spelled out): a hard
 * mount retries for ever, so an application never sees a write fail half
 * way because the server restarted (docs/kernel-mounts.md).
 */
int
mount_kernel_options(
    const struct mount_spec *spec, const char *vers, char *buf, size_t len)
{
	int v3 = strcmp(vers, "3") == 0, direct = is_ip_literal(spec->host);
	int n;

	n = snprintf(buf, len,
	    "vers=%s,proto=tcp,timeo=%d,retrans=%d,sec=sys%s%s", vers,
	    spec->timeo_ds > 0 ? spec->timeo_ds : 600,
	    spec->retrans >= 0 ? spec->retrans : 2, v3 ? ",nolock" : "",
	    spec->ro ? ",ro" : ",rw");
	if (n > 0 && (size_t)n < len && spec->nfs_port > 0)
		n += snprintf(
		    buf + n, len - (size_t)n, ",port=%d", spec->nfs_port);
	if (n > 0 && (size_t)n < len && v3 && spec->mount_port > 0)
		n += snprintf(buf + n, len - (size_t)n,
		    ",mountport=%d,mountproto=tcp", spec->mount_port);
	/*
	 * An address: mount(2) directly (mount_child), which wants it as addr=
	 * (EINVAL otherwise; docs/vm-tests.md).  A name: mount.nfs resolves
	 * it, and retry=0 stops its 2-minute foreground retry.
	 */
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n,
		    direct ? ",addr=%s" : "%s",
		    direct ? spec->host : ",retry=0");
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int
mount_kernel_prepare(const struct mount_spec *spec, const char *vers,
    struct mount_kernel_plan *plan, struct tnfs_err *err)
{
	char *user = NULL, *vfs = NULL, *fs = NULL;
	int rc = -1;

	memset(plan, 0, sizeof(*plan));
	plan->target = spec->target;
	plan->direct = is_ip_literal(spec->host);
	snprintf(plan->fstype, sizeof(plan->fstype), "%s",
	    strcmp(vers, "3") == 0 ? "nfs" : "nfs4");
	if ((size_t)snprintf(plan->source, sizeof(plan->source), "%s:%s",
		spec->host, spec->export) >= sizeof(plan->source)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "export path too long");
		return -1;
	}
	if (mount_kernel_options(
		spec, vers, plan->options, sizeof(plan->options)) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "mount options too long");
		return -1;
	}
	/* libmount's own split into mount(2) flags and the file system's
	 * data, as it would do in mnt_context_mount, but here, before the
	 * fork. */
	if (mnt_split_optstr(plan->options, &user, &vfs, &fs, 0, 0) != 0 ||
	    mnt_optstr_get_flags(vfs != NULL ? vfs : "", &plan->flags,
		mnt_get_builtin_optmap(MNT_LINUX_MAP)) != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "cannot split mount options %s", plan->options);
		goto out;
	}
	if ((size_t)snprintf(plan->data, sizeof(plan->data), "%s",
		fs != NULL ? fs : "") >= sizeof(plan->data)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "mount options too long");
		goto out;
	}
	rc = 0;
out:
	free(user);
	free(vfs);
	free(fs);
	return rc;
}

/* In the child: mount(2) alone (children.h: nothing but async-signal-safe
 * calls after the fork), its errno as the exit status. */
static int
mount_child(void *arg)
{
	const struct mount_kernel_plan *plan = arg;

	if (mount(plan->source, plan->target, plan->fstype, plan->flags,
		plan->data) == 0)
		return 0;
	return errno > 0 && errno < 255 ? errno : 255;
}

/* A word on what the kernel's errno means for an NFS mount. */
static const char *
errno_hint(int e, int v3)
{
	switch (e) {
	case ENOENT:
		return "the server does not export this path";
	case EACCES:
	case EPERM:
		return v3 ? "the server refused the export to this host, or "
			    "does not export it"
			  : "the server refused the export to this host";
	case ETIMEDOUT:
		return "the server did not answer in time";
	case ECONNREFUSED:
		return "nothing listens on the NFS port";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "no route to the server";
	case EPROTONOSUPPORT:
		return "the server does not offer this NFS version";
	case EINVAL:
		return "the kernel rejected the mount options";
	case ENODEV:
		return "this kernel has no NFS client";
	case EIO:
		return "the server broke the connection";
	default:
		return NULL;
	}
}

/*
 * A server given by name: mount.nfs resolves it (lib/child.h runs it with
 * an argv and a deadline, its stderr in the message).
 */
static int
mount_by_helper(
    const struct mount_kernel_plan *plan, int timeout_ms, struct tnfs_err *err)
{
	const char *argv[] = {
	    strcmp(plan->fstype, "nfs") == 0 ? "mount.nfs" : "mount.nfs4",
	    plan->source, plan->target, "-n", "-o", plan->options, NULL};
	struct child_opts o = {0};

	o.timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	if (child_run(argv, &o, NULL, err) == 0)
		return 0;
	tnfs_err_prefix(err, "mounting %s on %s (%s) failed", plan->source,
	    plan->target, plan->options);
	return -1;
}

static int64_t
left_ms(int64_t deadline)
{
	int64_t l = deadline - tnfs_mono_ms();

	return l > 0 ? l : 0;
}

int
mount_kernel_mount(struct children *children, const struct mount_spec *spec,
    int timeout_ms, struct tnfs_err *err)
{
	struct mount_kernel_plan plan;
	const char *vers[3], *hint;
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	int i, r, status = 0, nvers, sys_errno = 0;

	nvers = versions_for(spec->nfsvers, vers);
	for (i = 0; i < nvers; i++) {
		if (mount_kernel_prepare(spec, vers[i], &plan, err) == -1)
			return -1;
		if (!plan.direct)
			return mount_by_helper(
			    &plan, (int)left_ms(deadline), err);
		r = children_call(children, mount_child, &plan,
		    (int)left_ms(deadline), &status, err);
		if (r == -1)
			return -1;
		if (r == 1) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "mounting %s on %s (%s) did not finish within %d "
			    "ms: the NFS server does not answer",
			    plan.source, spec->target, plan.options,
			    timeout_ms);
			return -1;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 0;
		sys_errno = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
		/* Only "not this version" moves on to an older one. */
		if (sys_errno != EPROTONOSUPPORT)
			break;
	}
	hint = errno_hint(sys_errno, strcmp(spec->nfsvers, "3") == 0);
	tnfs_err_set(err,
	    sys_errno == ETIMEDOUT ? TNFS_E_TIMEOUT : TNFS_E_UNAVAILABLE,
	    "mounting %s on %s (%s) failed: %s%s%s%s", plan.source,
	    spec->target, plan.options, strerror(sys_errno), hint ? " (" : "",
	    hint ? hint : "", hint ? ")" : "");
	err->sys_errno = sys_errno;
	return -1;
}
