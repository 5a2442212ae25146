/*
 * btrfs_pool.c: the pool of the btrfs-image backend: a sparse file,
 * formatted once, attached to a loop device recorded in state_dir/pool.loop
 * (so a restart reuses it rather than attaching the file twice), mounted on
 * state_dir/pool with quotas enabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btrfs.h"
#include "fsutil.h"
#include "log.h"

#define MIB (UINT64_C(1) << 20)

/* The loop device recorded last time, if it still backs file. */
static int
recorded_loop(const char *record, const char *file, char *dev)
{
	char *text = NULL, *back = NULL, sys[PATH_MAX];
	size_t len;
	int rc = 0;

	if (fsutil_read_file(record, 4096, &text, &len, NULL) == -1)
		return 0;
	text[strcspn(text, "\n")] = '\0';
	if (strncmp(text, "/dev/loop", 9) != 0 || strchr(text + 9, '/') ||
	    fsutil_path(sys, NULL, "/sys/block/%s/loop/backing_file", text + 5) ==
		-1)
		goto out;
	if (fsutil_read_file(sys, PATH_MAX, &back, &len, NULL) == -1)
		goto out;
	back[strcspn(back, "\n")] = '\0';
	if (strcmp(back, file) == 0 && fsutil_path(dev, NULL, "%s", text) == 0)
		rc = 1;
out:
	free(text);
	free(back);
	return rc;
}

static int
create_image(const char *file, uint64_t size_mib, struct tnfs_err *err)
{
	const char *argv[] = {"mkfs.btrfs", "-q", file, NULL};
	int fd;

	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot create the pool image %s", file);
		return -1;
	}
	if (ftruncate(fd, (off_t)(size_mib * MIB)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot size the pool image %s", file);
		close(fd);
		unlink(file);
		return -1;
	}
	close(fd);
	if (btrfs_run(argv, "cannot format the pool image", NULL, err) == -1) {
		unlink(file);
		return -1;
	}
	return 0;
}

static int
attach_pool(char *loopdev, const char *file, const char *pool,
    const char *state_dir, struct tnfs_err *err)
{
	char record[PATH_MAX], *out = NULL;
	const char *attach[] = {"losetup", "--find", "--show", file, NULL};
	const char *mnt[] = {"mount", "-t", "btrfs", loopdev, pool, NULL};
	const char *detach[] = {"losetup", "-d", loopdev, NULL};
	int fresh = 0, rc = -1;

	if (fsutil_path(record, err, "%s/pool.loop", state_dir) == -1)
		goto out;
	if (!recorded_loop(record, file, loopdev)) {
		if (btrfs_run(attach, "cannot attach the pool image", &out,
			err) == -1)
			goto out;
		out[strcspn(out, "\n")] = '\0';
		if (fsutil_path(loopdev, err, "%s", out) == -1)
			goto out;
		fresh = 1;
		if (fsutil_write_atomic(
			record, loopdev, strlen(loopdev), 0600, err) == -1)
			goto out;
	}
	if (btrfs_run(mnt, "cannot mount the pool image", NULL, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1 && fresh)
		btrfs_run(detach, "detach", NULL, NULL);
	free(out);
	return rc;
}

int
btrfs_pool_attach(const char *arg, const char *state_dir, char *pool,
    char *loopdev, int *attached, struct tnfs_err *err)
{
	char file[PATH_MAX], *spec_file = NULL, *mi = NULL;
	const char *quota[] = {"btrfs", "quota", "enable", pool, NULL};
	struct btrfs_mount m;
	uint64_t size_mib;
	int rc = -1;

	*attached = 0;
	loopdev[0] = '\0';
	if (btrfs_image_spec_parse(arg, &spec_file, &size_mib, err) == -1)
		goto out;
	if (fsutil_path(pool, err, "%s/pool", state_dir) == -1 ||
	    fsutil_mkdir_p(pool, 0700, err) == -1)
		goto out;
	if (access(spec_file, F_OK) == -1 &&
	    create_image(spec_file, size_mib, err) == -1)
		goto out;
	if (realpath(spec_file, file) == NULL) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "%s", spec_file);
		goto out;
	}
	if ((mi = btrfs_mountinfo_read(err)) == NULL)
		goto out;
	if (btrfs_mountinfo_find(mi, pool, 0, &m)) {
		/* Still mounted by a run that did not close: reuse it. */
		if (strncmp(m.source, "/dev/loop", 9) == 0 &&
		    fsutil_path(loopdev, err, "%s", m.source) == -1)
			goto out;
	} else {
		if (attach_pool(loopdev, file, pool, state_dir, err) == -1)
			goto out;
		*attached = 1;
	}
	if (btrfs_run(quota, "cannot enable quotas on the pool", NULL, err) ==
	    -1)
		goto out;
	rc = 0;
out:
	if (rc == -1 && *attached) {
		btrfs_pool_detach(pool, loopdev);
		*attached = 0;
	}
	free(mi);
	free(spec_file);
	return rc;
}

void
btrfs_pool_detach(const char *pool, const char *loopdev)
{
	const char *detach[] = {"losetup", "-d", loopdev, NULL};
	struct tnfs_err err = {0};

	if (btrfs_umount(pool, &err) == -1)
		log_err(TNFS_LOG_WARN, &err, "pool %s", pool);
	/* A still-busy device is detached by the kernel once free. */
	if (loopdev[0] != '\0' &&
	    btrfs_run(detach, "cannot detach the pool's loop device", NULL,
		&err) == -1)
		log_err(TNFS_LOG_WARN, &err, "pool %s", pool);
}
