/*
 * ganesha_reread.c: ganesha's whole exports file re-read by SIGHUP, and
 * its verdict read from its log: ganesha 4.3 says nowhere else whether a
 * re-read export was taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ganesha_conf.h"
#include "ganesha_reread.h"
#include "timefmt.h"

#define RELOAD_BASE_MS 30000
#define RELOAD_MAX_MS  (3600 * 1000)
#define LOG_TAIL_MAX   (4u << 20)

static uint64_t
now_ms(void)
{
	return (uint64_t)tnfs_mono_ms();
}

static off_t
log_size(const char *log)
{
	struct stat sb;

	return stat(log, &sb) == 0 ? sb.st_size : 0;
}

/*
 * The log written since offset (at most LOG_TAIL_MAX bytes of it),
 * NUL-terminated; NULL when unreadable.  Reads only the tail: the log of a
 * long-running ganesha grows without bound.
 */
static char *
log_since(const char *log, off_t offset)
{
	struct stat sb;
	char *buf = NULL;
	size_t want, got = 0;
	ssize_t n;
	int fd;

	if ((fd = open(log, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1)
		goto out;
	if (sb.st_size < offset)
		offset = 0; /* the log was replaced */
	want = (size_t)(sb.st_size - offset);
	if (want > LOG_TAIL_MAX)
		want = LOG_TAIL_MAX;
	if ((buf = malloc(want + 1)) == NULL)
		goto out;
	while (got < want &&
	    (n = pread(fd, buf + got, want - got, offset + (off_t)got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
out:
	close(fd);
	return buf;
}

int
ganesha_reread_deadline_ms(size_t nexports)
{
	uint64_t k = nexports / 1000, ms;

	if (k >= 60) /* k * k cannot overflow below it */
		return RELOAD_MAX_MS;
	ms = RELOAD_BASE_MS + k * k * 1000;
	return ms > RELOAD_MAX_MS ? RELOAD_MAX_MS : (int)ms;
}

/*
 * SIGHUP and wait for ganesha to say the reload is complete; -1 with its
 * first complaint when it logged one.  The complaints about a block come
 * right after "Reread exports complete", so the log is read once more
 * after a short pause.
 */
int
ganesha_reread(pid_t pid, const char *log, int timeout_ms,
    const struct ganesha_gone *gone, struct tnfs_err *err)
{
	char complaint[512] = "", *tail;
	off_t offset = log_size(log);
	int done = 0, failed = 0, settled = 0;
	uint64_t end = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	if (kill(pid, SIGHUP) == -1) {
		tnfs_err_errno(
		    err, TNFS_E_UNAVAILABLE, errno, "cannot signal ganesha");
		return -1;
	}
	while (now_ms() < end) {
		if (!done && gone != NULL && gone->fn != NULL &&
		    gone->fn(gone->cls)) {
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "gave up waiting for ganesha to reload its "
			    "exports: it no longer answers its NFS calls");
			return -1;
		}
		poll(NULL, 0, done ? 200 : 50);
		if ((tail = log_since(log, offset)) == NULL)
			continue;
		failed = 0;
		complaint[0] = '\0';
		done = ganesha_log_scan(
		    tail, &failed, complaint, sizeof(complaint));
		free(tail);
		if (done && settled++ > 0)
			break;
	}
	if (!done) {
		tnfs_err_set(err, TNFS_E_TIMEOUT,
		    "ganesha did not finish reloading its exports within %.1f "
		    "s (see %s)",
		    timeout_ms / 1000.0, log);
		return -1;
	}
	if (failed) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "ganesha rejected the exports: %s (see %s)", complaint,
		    log);
		return -1;
	}
	return 0;
}
