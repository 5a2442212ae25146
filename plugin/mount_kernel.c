/*
 * mount_kernel.c: the kernel NFS client through libmount (mounts.h).
 *
 * The mount runs in a forked child with a deadline: a kernel NFS mount
 * against an unreachable server can block for minutes, longer than
 * dockerd waits (docker-volume-plugins.md §2.1), and only a child process
 * can be given up on.  Options follow triton-volumes.md §5: vers, tcp,
 * explicit timeo/retrans, retry=0 so mount(8)'s 2-minute foreground retry
 * never applies, nolock for v3 (the server runs no lock manager), ro.
 *
 * This path needs a kernel with an NFS client; it is exercised in a VM.
 */
#include <arpa/inet.h>
#include <errno.h>
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

/* Child: run the libmount context and exit with its status. */
static void
child_mount(const char *source, const char *target, const char *fstype,
    const char *options, int errfd)
{
	struct libmnt_context *cxt;
	char buf[512];
	int rc;

	if ((cxt = mnt_new_context()) == NULL)
		_exit(70);
	mnt_context_set_source(cxt, source);
	mnt_context_set_target(cxt, target);
	mnt_context_set_fstype(cxt, fstype);
	mnt_context_set_options(cxt, options);
	/* Mount exactly what we ask: no fstab, no mtab update. */
	mnt_context_disable_mtab(cxt, 1);
	rc = mnt_context_mount(cxt);
	if (rc != 0 || mnt_context_get_status(cxt) != 1) {
		buf[0] = '\0';
		mnt_context_get_excode(cxt, rc, buf, sizeof(buf));
		if (buf[0] == '\0')
			snprintf(buf, sizeof(buf), "libmount error %d", rc);
		if (write(errfd, buf, strlen(buf)) < 0)
			_exit(71);
		_exit(32);
	}
	_exit(0);
}

int
mount_kernel_mount(
    const struct mount_spec *spec, int timeout_ms, struct tnfs_err *err)
{
	char source[2048], options[512], msg[512];
	const char *fstype;
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	int pfd[2], status, n, v3 = strcmp(spec->nfsvers, "3") == 0;
	ssize_t got = 0;
	pid_t pid, w;

	if (snprintf(source, sizeof(source), "%s:%s", spec->host,
		spec->export) >= (int)sizeof(source)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "export path too long");
		return -1;
	}
	fstype = v3 ? "nfs" : "nfs4";
	n = snprintf(options, sizeof(options),
	    "vers=%s,proto=tcp,timeo=100,retrans=2,retry=0,sec=sys%s%s",
	    spec->nfsvers, v3 ? ",nolock" : "", spec->ro ? ",ro" : ",rw");
	if (spec->nfs_port > 0)
		n += snprintf(options + n, sizeof(options) - (size_t)n,
		    ",port=%d", spec->nfs_port);
	if (v3 && spec->mount_port > 0)
		n += snprintf(options + n, sizeof(options) - (size_t)n,
		    ",mountport=%d,mountproto=tcp", spec->mount_port);
	/*
	 * Without mount.nfs installed, libmount calls mount(2) itself, and the
	 * kernel wants the server's address as addr= (EINVAL otherwise; seen
	 * in docs/vm-tests.md).  The VAPI gives an address, not a name.
	 */
	if (is_ip_literal(spec->host) && (size_t)n < sizeof(options))
		snprintf(options + n, sizeof(options) - (size_t)n, ",addr=%s",
		    spec->host);
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
		child_mount(source, spec->target, fstype, options, pfd[1]);
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
			    "ms",
			    source, spec->target, options, timeout_ms);
			return -1;
		}
		usleep(20000);
	}
	msg[0] = '\0';
	got = read(pfd[0], msg, sizeof(msg) - 1);
	msg[got > 0 ? got : 0] = '\0';
	close(pfd[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tnfs_err_set(err, TNFS_E_INTERNAL, "mounting %s on %s (%s) failed: %s",
	    source, spec->target, options,
	    msg[0] ? msg : "the mount child failed");
	return -1;
}
