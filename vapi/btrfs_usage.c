/*
 * btrfs_usage.c: a subvolume's usage from the kernel's qgroup counters in
 * sysfs, kept fresh by a committer thread (see btrfs_usage.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "btrfs_usage.h"
#include "log.h"
#include "parse.h"
#include "timefmt.h"

/* A counter is at most 20 digits and a newline. */
#define COUNTER_MAX 32

struct btrfs_usage {
	char dir[PATH_MAX]; /* /sys/fs/btrfs/FSID/qgroups */
	int fd;             /* the pool's root: what a commit syncs */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a commit asked for, one done, or stop */
	uint64_t asked;    /* commits asked for ... */
	uint64_t done;     /* ... and finished: equal when idle */
	int64_t started_ms; /* when the last commit started, 0: none yet */
	int stop;
	pthread_t thread;
};

int
btrfs_usage_counter_parse(
    const char *text, const char *what, uint64_t *out, struct tnfs_err *err)
{
	char num[COUNTER_MAX];
	size_t len = strlen(text);

	/* sysfs ends the number with one newline. */
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len < sizeof(num)) {
		memcpy(num, text, len);
		num[len] = '\0';
		if (tnfs_parse_u64(num, UINT64_MAX, out, what, NULL) == 0)
			return 0;
	}
	tnfs_err_set(err, TNFS_E_INTERNAL,
	    "the kernel's %s counter is not a number: \"%.40s\"", what, text);
	return -1;
}

/* The counter in file name of qgroup 0/id's directory. */
static int
read_counter(const struct btrfs_usage *u, uint64_t id, const char *name,
    uint64_t *out, struct tnfs_err *err)
{
	char path[PATH_MAX], buf[COUNTER_MAX];
	ssize_t n;
	int fd, len;

	len = snprintf(path, sizeof(path), "%s/0_%llu/%s", u->dir,
	    (unsigned long long)id, name);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "qgroup path too long");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "btrfs reports no qgroup 0/%llu (are quotas "
			    "enabled?)",
			    (unsigned long long)id);
		else
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
			    "cannot read %s", path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "cannot read %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	buf[n] = '\0';
	/* A full buffer is a counter longer than any 64-bit number. */
	if ((size_t)n == sizeof(buf) - 1) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "the kernel's %s counter of qgroup 0/%llu is too long", name,
		    (unsigned long long)id);
		return -1;
	}
	return btrfs_usage_counter_parse(buf, name, out, err);
}

static void *
committer(void *arg)
{
	struct btrfs_usage *u = arg;

	pthread_mutex_lock(&u->mu);
	for (;;) {
		uint64_t gen;

		while (u->asked == u->done && !u->stop)
			pthread_cond_wait(&u->cv, &u->mu);
		if (u->stop)
			break;
		gen = u->asked;
		u->started_ms = tnfs_mono_ms();
		pthread_mutex_unlock(&u->mu);
		/* A commit of the pool's transaction: the kernel accounts
		 * the qgroups as it commits. */
		if (syncfs(u->fd) == -1)
			log_warn("btrfs usage: cannot commit the pool: %s",
			    strerror(errno));
		pthread_mutex_lock(&u->mu);
		u->done = gen;
		pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

/* The directory of the pool's qgroups in sysfs, named by its fsid. */
static int
qgroups_dir(struct btrfs_usage *u, const char *root, struct tnfs_err *err)
{
	struct btrfs_ioctl_fs_info_args fi;
	const unsigned char *f = fi.fsid;
	struct statfs sf;
	struct stat st;
	int len;

	if (fstatfs(u->fd, &sf) == -1 || sf.f_type != BTRFS_SUPER_MAGIC) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "%s is not a btrfs", root);
		return -1;
	}
	memset(&fi, 0, sizeof(fi));
	if (ioctl(u->fd, BTRFS_IOC_FS_INFO, &fi) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot read the filesystem id of %s", root);
		return -1;
	}
	len = snprintf(u->dir, sizeof(u->dir),
	    "/sys/fs/btrfs/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x/qgroups",
	    f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
	    f[10], f[11], f[12], f[13], f[14], f[15]);
	if (len < 0 || (size_t)len >= sizeof(u->dir)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "sysfs path too long");
		return -1;
	}
	if (stat(u->dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "the kernel shows no qgroups of %s in %s (quotas off, or "
		    "Linux older than 5.9)",
		    root, u->dir);
		return -1;
	}
	return 0;
}

struct btrfs_usage *
btrfs_usage_open(const char *root, struct tnfs_err *err)
{
	struct btrfs_usage *u;
	int rc;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	if ((u->fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "cannot open %s", root);
		free(u);
		return NULL;
	}
	if (qgroups_dir(u, root, err) == -1)
		goto fail;
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	if ((rc = pthread_create(&u->thread, NULL, committer, u)) != 0) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, rc,
		    "cannot start the btrfs usage committer");
		pthread_cond_destroy(&u->cv);
		pthread_mutex_destroy(&u->mu);
		goto fail;
	}
	return u;
fail:
	close(u->fd);
	free(u);
	return NULL;
}

void
btrfs_usage_close(struct btrfs_usage *u)
{
	if (u == NULL)
		return;
	pthread_mutex_lock(&u->mu);
	u->stop = 1;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	pthread_join(u->thread, NULL);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
	close(u->fd);
	free(u);
}

/* A commit when the last one is older than the TTL, awaited a little. */
static void
freshen(struct btrfs_usage *u)
{
	struct timespec ts;
	uint64_t gen;

	pthread_mutex_lock(&u->mu);
	if (u->started_ms != 0 &&
	    tnfs_mono_ms() - u->started_ms < BTRFS_USAGE_TTL_MS) {
		pthread_mutex_unlock(&u->mu);
		return;
	}
	/* One commit at a time: readers that come during it wait for it. */
	if (u->asked == u->done) {
		u->asked++;
		pthread_cond_broadcast(&u->cv);
	}
	gen = u->asked;
	tnfs_deadline_ts(&ts, BTRFS_USAGE_WAIT_MS);
	while (u->done < gen && !u->stop)
		if (pthread_cond_timedwait(&u->cv, &u->mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&u->mu);
}

int
btrfs_usage_read(struct btrfs_usage *u, uint64_t subvol_id,
    uint64_t *referenced, uint64_t *limit, struct tnfs_err *err)
{
	freshen(u);
	if (read_counter(u, subvol_id, "referenced", referenced, err) == -1)
		return -1;
	return btrfs_usage_limit(u, subvol_id, limit, err);
}

int
btrfs_usage_limit(struct btrfs_usage *u, uint64_t subvol_id, uint64_t *limit,
    struct tnfs_err *err)
{
	uint64_t flags;

	if (read_counter(u, subvol_id, "limit_flags", &flags, err) == -1 ||
	    read_counter(u, subvol_id, "max_referenced", limit, err) == -1)
		return -1;
	if (!(flags & BTRFS_QGROUP_LIMIT_MAX_RFER))
		*limit = 0;
	return 0;
}
