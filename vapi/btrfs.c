/*
 * btrfs.c: parsers, validators and child-process wrappers for the btrfs
 * storage backend (see btrfs.h).  Nothing here keeps state.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "btrfs.h"

#include "child.h"
#include "fsutil.h"
#include "parse.h"

#define MOUNTINFO_MAX (16u << 20)

/* Decode mountinfo's \ooo escapes in place. */
static void
unescape(char *s)
{
	char *w = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* Whether mountpoint mp contains path (mp is a path prefix of it). */
static int
contains(const char *mp, const char *path)
{
	size_t n = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return path[0] == '/';
	return strncmp(mp, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int
btrfs_mountinfo_find(
    char *text, const char *path, int want_prefix, struct btrfs_mount *m)
{
	char *line, *next;
	size_t best = 0;
	int found = 0;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		char *f[12], *save = NULL, *tok;
		int nf = 0, dash = -1, i;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		for (tok = strtok_r(line, " ", &save); tok != NULL && nf < 12;
		     tok = strtok_r(NULL, " ", &save)) {
			if (strcmp(tok, "-") == 0 && dash == -1 && nf >= 6)
				dash = nf;
			f[nf++] = tok;
		}
		/* id parent maj:min root mountpoint opts [optional...] - type source */
		if (dash == -1 || dash + 2 >= nf)
			continue;
		for (i = 0; i < nf; i++)
			if (i == 3 || i == 4 || i == dash + 1 || i == dash + 2)
				unescape(f[i]);
		if (want_prefix) {
			size_t len = strlen(f[4]);

			if (!contains(f[4], path) || (found && len < best))
				continue;
			best = len;
		} else if (strcmp(f[4], path) != 0) {
			continue;
		}
		m->root = f[3];
		m->mountpoint = f[4];
		m->fstype = f[dash + 1];
		m->source = f[dash + 2];
		found = 1;
	}
	return found;
}

char *
btrfs_mountinfo_read(struct tnfs_err *err)
{
	char *text = NULL;
	size_t len;

	if (fsutil_read_file(
		"/proc/self/mountinfo", MOUNTINFO_MAX, &text, &len, err) == -1)
		return NULL;
	return text;
}

int
btrfs_is_mountpoint(const char *path)
{
	struct btrfs_mount m;
	struct statx stx;
	char *text;
	int rc;

	/* The kernel says so of one path: the mount table is read whole,
	 * a line per mount, thousands with a volume each. */
	if (statx(AT_FDCWD, path, AT_NO_AUTOMOUNT, STATX_TYPE, &stx) == -1)
		return 0;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	/* Linux before 5.8. */
	if ((text = btrfs_mountinfo_read(NULL)) == NULL)
		return 0;
	rc = btrfs_mountinfo_find(text, path, 0, &m);
	free(text);
	return rc;
}

int
btrfs_image_spec_parse(
    const char *arg, char **file, uint64_t *size_mib, struct tnfs_err *err)
{
	const char *comma = strrchr(arg, ',');
	char *path = NULL;
	uint64_t mib;
	int rc = -1;

	if (comma == NULL || comma == arg) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "btrfs-image storage wants FILE,SIZE (e.g. "
		    "/var/lib/tritonnfs/pool.img,20G), not \"%.200s\"",
		    arg);
		goto out;
	}
	if ((path = strndup(arg, (size_t)(comma - arg))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (path[0] != '/' || tnfs_has_control(path) || strlen(path) > 1024 ||
	    path[strlen(path) - 1] == '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "btrfs-image FILE must be an absolute file path, not "
		    "\"%.200s\"",
		    path);
		goto out;
	}
	if (tnfs_size_parse(comma + 1, &mib, err) == -1) {
		tnfs_err_prefix(err, "btrfs-image SIZE");
		goto out;
	}
	if (mib < 256) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "btrfs-image SIZE must be at least 256M, not %s",
		    comma + 1);
		goto out;
	}
	*file = path;
	path = NULL;
	*size_mib = mib;
	rc = 0;
out:
	free(path);
	return rc;
}

int
btrfs_snapshot_name_check(const char *name, struct tnfs_err *err)
{
	size_t len = strlen(name);

	if (len == 0 || len > 255 || strchr(name, '/') != NULL ||
	    tnfs_has_control(name) || name[0] == '.') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "snapshot name must be 1-255 characters without '/', "
		    "control characters or a leading '.'");
		return -1;
	}
	return 0;
}

int
btrfs_subvol_id(const char *path, uint64_t *id, struct tnfs_err *err)
{
	struct btrfs_ioctl_ino_lookup_args args;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", path);
		return -1;
	}
	memset(&args, 0, sizeof(args));
	/* treeid 0: "the tree this fd is in"; the answer names it. */
	args.objectid = BTRFS_FIRST_FREE_OBJECTID;
	if (ioctl(fd, BTRFS_IOC_INO_LOOKUP, &args) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot find the btrfs subvolume of %s", path);
		goto out;
	}
	*id = args.treeid;
	rc = 0;
out:
	close(fd);
	return rc;
}

int
btrfs_is_subvol(const char *path)
{
	struct statfs sfs;
	struct stat sb;

	/* A subvolume's root directory is always inode 256 (BTRFS_FIRST_FREE_OBJECTID). */
	if (lstat(path, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    sb.st_ino != BTRFS_FIRST_FREE_OBJECTID)
		return 0;
	if (statfs(path, &sfs) == -1 || sfs.f_type != BTRFS_SUPER_MAGIC)
		return 0;
	return 1;
}

static int
no_space(const char *s)
{
	return s != NULL &&
	    (strstr(s, "No space left") != NULL ||
		strstr(s, "Disk quota exceeded") != NULL);
}

int
btrfs_run(const char *const argv[], const char *what, char **out,
    struct tnfs_err *err)
{
	struct child_opts opts = {.timeout_ms = BTRFS_CMD_TIMEOUT_MS};
	struct child_result res = {0};
	struct tnfs_err cerr = {0};
	int rc = -1;

	if (strcmp(argv[0], "mkfs.btrfs") == 0)
		opts.timeout_ms = BTRFS_MKFS_TIMEOUT_MS;
	if (child_run(argv, &opts, &res, &cerr) == -1) {
		if (no_space(res.errout) || no_space(cerr.msg))
			tnfs_err_set(err, TNFS_E_NO_SPACE,
			    "%s: no space left in the btrfs pool (%s)", what,
			    cerr.msg);
		else
			tnfs_err_set(
			    err, TNFS_E_INTERNAL, "%s: %s", what, cerr.msg);
		goto out;
	}
	if (out != NULL) {
		*out = res.out;
		res.out = NULL;
	}
	rc = 0;
out:
	child_result_free(&res);
	return rc;
}

/* err for a failed btrfs call; a lack of space is TNFS_E_NO_SPACE. */
static void
call_failed(struct tnfs_err *err, int e, const char *what, const char *path)
{
	if (e == ENOSPC || e == EDQUOT)
		tnfs_err_errno(err, TNFS_E_NO_SPACE, e,
		    "%s %s: no space left in the btrfs pool", what, path);
	else
		tnfs_err_errno(err, TNFS_E_INTERNAL, e, "%s %s", what, path);
}

/* Open the parent directory of path and point *name at its last part. */
static int
open_parent(const char *path, const char **name, struct tnfs_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL || slash[1] == '\0' ||
	    strlen(slash + 1) > BTRFS_PATH_NAME_MAX ||
	    (size_t)(slash - path) >= sizeof(dir)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "not an absolute path to a subvolume: \"%.200s\"", path);
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash == path ? 1 : slash - path] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", dir);
		return -1;
	}
	*name = slash + 1;
	return fd;
}

/* An ioctl that names a subvolume in the directory that holds it. */
static int
parent_ioctl(const char *path, unsigned long request, const char *what,
    struct tnfs_err *err)
{
	struct btrfs_ioctl_vol_args args;
	const char *name;
	int fd, rc = 0;

	if ((fd = open_parent(path, &name, err)) == -1)
		return -1;
	memset(&args, 0, sizeof(args));
	memcpy(args.name, name, strlen(name));
	if (ioctl(fd, request, &args) == -1) {
		call_failed(err, errno, what, path);
		rc = -1;
	}
	close(fd);
	return rc;
}

int
btrfs_subvol_create(const char *path, struct tnfs_err *err)
{
	return parent_ioctl(
	    path, BTRFS_IOC_SUBVOL_CREATE, "cannot create the subvolume", err);
}

int
btrfs_subvol_delete(const char *path, struct tnfs_err *err)
{
	return parent_ioctl(
	    path, BTRFS_IOC_SNAP_DESTROY, "cannot delete the subvolume", err);
}

int
btrfs_qgroup_limit(const char *path, uint64_t bytes, struct tnfs_err *err)
{
	struct btrfs_ioctl_qgroup_limit_args args;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open %s", path);
		return -1;
	}
	memset(&args, 0, sizeof(args));
	/* qgroupid 0: the qgroup of the subvolume fd is in. */
	args.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
	args.lim.max_rfer = bytes;
	if (ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &args) == -1) {
		call_failed(err, errno, "cannot set the size limit of", path);
		rc = -1;
	}
	close(fd);
	return rc;
}

int
btrfs_mount_subvol(const char *device, uint64_t subvol_id, const char *mp,
    struct tnfs_err *err)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "subvolid=%llu",
	    (unsigned long long)subvol_id);
	if (mount(device, mp, "btrfs", 0, opt) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot mount subvolume %llu of %s on %s",
		    (unsigned long long)subvol_id, device, mp);
		return -1;
	}
	return 0;
}

int
btrfs_umount(const char *path, struct tnfs_err *err)
{
	if (!btrfs_is_mountpoint(path))
		return 0;
	if (umount2(path, UMOUNT_NOFOLLOW) == 0)
		return 0;
	/*
	 * Busy: ganesha holds files of the old export open until it
	 * re-exports.  Detach it so the new mount goes in its place; the
	 * exporter re-exports paths whose filesystem changed.
	 */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		return 0;
	tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "cannot unmount %s", path);
	return -1;
}
