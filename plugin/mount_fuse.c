/*
 * mount_fuse.c: mounts through tritonnfs-fuse, the user-space NFS client
 * (mounts.h), for hosts whose kernel has no NFS client.
 *
 * The program is started with an argv (lib/child.h, never a shell) and
 * keeps running as the FUSE server of the mount; success is the mount
 * showing up in /proc/self/mountinfo before the deadline.  Its output goes
 * to a log file whose last line becomes the error when it exits early.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "fsutil.h"
#include "mountinfo.h"
#include "mounts.h"
#include "timefmt.h"

/* The last non-empty line of the log, for the error message. */
static void
log_tail(const char *path, char *buf, size_t len)
{
	char *text = NULL, *end, *start;
	size_t n = 0;

	buf[0] = '\0';
	if (fsutil_read_file(path, 1u << 20, &text, &n, NULL) == -1)
		return;
	end = text + n;
	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	*end = '\0';
	start = strrchr(text, '\n');
	snprintf(buf, len, "%s", start != NULL ? start + 1 : text);
	free(text);
}

int
mount_fuse_mount(const char *binary, const char *log_path,
    const struct mount_spec *spec, int timeout_ms, pid_t *pid_out,
    struct tnfs_err *err)
{
	char source[2048], options[256], tail[512];
	const char *argv[6];
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	int status, exited = 0, n;
	long pause_us = 2000;
	pid_t pid;

	*pid_out = -1;
	if (snprintf(source, sizeof(source), "%s:%s", spec->host,
		spec->export) >= (int)sizeof(source)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "export path too long");
		return -1;
	}
	/* libnfs picks the NFSv4 minor version itself. */
	n = snprintf(options, sizeof(options), "nfsvers=%s",
	    strcmp(spec->nfsvers, "3") == 0 ? "3" : "4");
	if (spec->nfs_port > 0)
		n += snprintf(options + n, sizeof(options) - (size_t)n,
		    ",port=%d", spec->nfs_port);
	if (spec->mount_port > 0)
		n += snprintf(options + n, sizeof(options) - (size_t)n,
		    ",mountport=%d", spec->mount_port);
	/* btrfs reports its whole pool, not the qgroup: tell df the size. */
	if (spec->size_mib > 0)
		n += snprintf(options + n, sizeof(options) - (size_t)n,
		    ",size=%lluM", (unsigned long long)spec->size_mib);
	if (spec->ro)
		snprintf(options + n, sizeof(options) - (size_t)n, ",ro");
	argv[0] = binary;
	argv[1] = source;
	argv[2] = spec->target;
	argv[3] = "-o";
	argv[4] = options;
	argv[5] = NULL;
	if ((pid = child_spawn(argv, log_path, err)) == -1) {
		tnfs_err_prefix(err, "starting %s", binary);
		return -1;
	}
	for (;;) {
		if (mountinfo_is_mountpoint(spec->target) == 1) {
			*pid_out = exited ? -1 : pid;
			return 0;
		}
		if (!exited && child_wait(pid, 0, &status) == 1) {
			exited = 1;
			/* A client that daemonizes exits 0 once mounted. */
			if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
				break;
		}
		if (tnfs_mono_ms() >= deadline)
			break;
		/* A FUSE mount usually appears within tens of ms: look
		 * again after 2 ms, then twice as long each time up to 20. */
		usleep((useconds_t)pause_us);
		pause_us = pause_us * 2 > 20000 ? 20000 : pause_us * 2;
	}
	if (!exited)
		child_stop(pid, 1000);
	log_tail(log_path, tail, sizeof(tail));
	if (!exited)
		tnfs_err_set(err, TNFS_E_TIMEOUT,
		    "%s %s %s -o %s: no mount within %d ms%s%s", binary, source,
		    spec->target, options, timeout_ms, tail[0] ? ": " : "",
		    tail);
	else
		tnfs_err_set(err, TNFS_E_INTERNAL, "%s %s %s -o %s failed%s%s",
		    binary, source, spec->target, options, tail[0] ? ": " : "",
		    tail[0] ? tail : " (no output)");
	return -1;
}
