/*
 * mount_kernel.c: the kernel NFS client through libmount (mounts.h).
 *
 * The mount runs in a forked child with a deadline: a kernel NFS mount
 * against an unreachable server can block for minutes, longer than
 * dockerd waits (docker-volume-plugins.md §2.1), and only a child process
 * can be given up on.  Options follow triton-volumes.md §5: vers, tcp,
 * explicit timeo/retrans (the plugin's configuration), hard, nolock for
 * v3 (the server runs no lock manager), ro; docs/kernel-mounts.md says
 * why for each.
 *
 * This path needs a kernel with an NFS client; it is exercised in a VM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmount/libmount.h>

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
	 * An address: mount(2) directly (child_mount), which wants it as addr=
	 * (EINVAL otherwise; docs/vm-tests.md).  A name: mount.nfs resolves
	 * it, and retry=0 stops its 2-minute foreground retry.
	 */
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n,
		    direct ? ",addr=%s" : "%s",
		    direct ? spec->host : ",retry=0");
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* What the child reports through its pipe. */
struct child_report {
	int sys_errno;  /* mount(2)'s errno, 0 when libmount failed itself */
	int vers_index; /* the version tried last */
	char msg[256];  /* libmount's words */
};

/* Child: try each version in turn, report, exit 0 when one mounted. */
static void
child_mount(const struct mount_spec *spec, const char *source,
    const char *const *vers, int nvers, int fd)
{
	struct child_report rep;
	char options[512];
	int i;

	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < nvers; i++) {
		struct libmnt_context *cxt;
		int rc;

		rep.vers_index = i;
		if (mount_kernel_options(
			spec, vers[i], options, sizeof(options)) == -1)
			_exit(70);
		if ((cxt = mnt_new_context()) == NULL)
			_exit(70);
		mnt_context_set_source(cxt, source);
		mnt_context_set_target(cxt, spec->target);
		mnt_context_set_fstype(
		    cxt, strcmp(vers[i], "3") == 0 ? "nfs" : "nfs4");
		mnt_context_set_options(cxt, options);
		/* Mount exactly what we ask: no fstab, no mtab update, and
		 * for an address no helper, so the errno is the kernel's. */
		mnt_context_disable_mtab(cxt, 1);
		if (is_ip_literal(spec->host))
			mnt_context_disable_helpers(cxt, 1);
		rc = mnt_context_mount(cxt);
		if (rc == 0 && mnt_context_get_status(cxt) == 1)
			_exit(0);
		rep.sys_errno = mnt_context_syscall_called(cxt)
		    ? mnt_context_get_syscall_errno(cxt)
		    : 0;
		rep.msg[0] = '\0';
		mnt_context_get_excode(cxt, rc, rep.msg, sizeof(rep.msg));
		if (rep.msg[0] == '\0')
			snprintf(
			    rep.msg, sizeof(rep.msg), "libmount error %d", rc);
		mnt_free_context(cxt);
		/* Only "not this version" moves on to an older one. */
		if (rep.sys_errno != EPROTONOSUPPORT)
			break;
	}
	if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(71);
	_exit(32);
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

int
mount_kernel_mount(
    const struct mount_spec *spec, int timeout_ms, struct tnfs_err *err)
{
	char source[2048], options[512];
	const char *vers[3];
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	int pfd[2], status, nvers;
	struct child_report rep;
	const char *hint;
	ssize_t got = 0;
	pid_t pid, w;

	if (snprintf(source, sizeof(source), "%s:%s", spec->host,
		spec->export) >= (int)sizeof(source)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "export path too long");
		return -1;
	}
	nvers = versions_for(spec->nfsvers, vers);
	if (mount_kernel_options(spec, vers[0], options, sizeof(options)) ==
	    -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "mount options too long");
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "pipe");
		return -1;
	}
	if ((pid = fork()) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "fork");
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_mount(spec, source, vers, nvers, pfd[1]);
	}
	close(pfd[1]);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (tnfs_mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			/* Not waited for: a mount stuck in the kernel may not
			 * die at once, and the reply must not wait for it. */
			waitpid(pid, &status, WNOHANG);
			close(pfd[0]);
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "mounting %s on %s (%s) did not finish within %d "
			    "ms: the NFS server does not answer",
			    source, spec->target, options, timeout_ms);
			return -1;
		}
		usleep(20000);
	}
	memset(&rep, 0, sizeof(rep));
	got = read(pfd[0], &rep, sizeof(rep));
	close(pfd[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (got != (ssize_t)sizeof(rep)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "mounting %s on %s (%s) failed: the mount child exited "
		    "with status %d",
		    source, spec->target, options,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.vers_index > 0 && rep.vers_index < nvers)
		mount_kernel_options(
		    spec, vers[rep.vers_index], options, sizeof(options));
	hint = errno_hint(rep.sys_errno, strcmp(spec->nfsvers, "3") == 0);
	tnfs_err_set(err,
	    rep.sys_errno == ETIMEDOUT ? TNFS_E_TIMEOUT : TNFS_E_UNAVAILABLE,
	    "mounting %s on %s (%s) failed: %s%s%s%s", source, spec->target,
	    options, rep.sys_errno ? strerror(rep.sys_errno) : rep.msg,
	    hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	err->sys_errno = rep.sys_errno;
	return -1;
}
