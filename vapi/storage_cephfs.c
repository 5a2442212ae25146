/*
 * storage_cephfs.c: the "cephfs" storage backend: one CephFS subvolume per
 * volume, through the manager's volumes module and the `ceph` CLI.
 *
 *   cephfs:CONF[,fs=NAME][,group=GROUP][,client=ID][,keyring=FILE]
 *
 * Layout in the file system NAME (default "cephfs"):
 *   subvolume group GROUP (default "tritonnfs"), ours alone
 *   GROUP/<uuid>          the volume, quota = its size
 *   GROUP/<uuid>.r<N>     the volume after its N-th rollback (see below)
 *   client.GROUP-<uuid>   the cephx user of the volume's export, authorized
 *                         (rw) for the volume's subvolume and nothing else
 * and under state_dir:
 *   cephfs-orphans        subvolumes set aside at start (no record): listed
 *                         no more, never deleted
 *
 * Rollback.  CephFS has no in-place rollback of a subvolume to one of its
 * snapshots: a snapshot is read-only and can only be cloned (a full copy of
 * its data, made by the manager in the background).  So a rollback clones
 * the snapshot into the next generation <uuid>.r<N+1>, waits for the copy,
 * gives it the quota and the volume's cephx user, and from then on that is
 * the volume.  The generation it replaced keeps its snapshots (they belong
 * to it and cannot move) until the last of them is deleted, then goes too.
 * The copy costs time and space in proportion to the data.
 *
 * Why the CLI rather than librados: the volumes module lives in the
 * manager and is reached by `ceph fs subvolume ...` mgr commands either
 * way; the CLI gives each call a child process that child_run kills at its
 * deadline (a librados call on a dead cluster can block past any timeout
 * we set) and keeps librados out of the VAPI's address space.  Each call
 * costs about 0.3 s, which the provisioning workers absorb.
 *
 * The paths and keys exports need are cached in memory (filled by create
 * and activate) so that an exports sync asks Ceph nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "fsutil.h"
#include "jsonx.h"
#include "log.h"
#include "storage_cephfs.h"
#include "storage_impl.h"
#include "timefmt.h"
#include "uuid.h"

/* A Ceph name we put on a command line and in ganesha's configuration. */
static int
name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

int
cephfs_check_uuid(const char *uuid, struct tnfs_err *err)
{
	if (!tnfs_uuid_valid(uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "\"%.64s\" is not a volume uuid", uuid);
		return -1;
	}
	return 0;
}

void
cephfs_subvol_name(const char *uuid, unsigned gen, char *buf)
{
	if (gen == 0)
		snprintf(buf, SUBVOL_BUFSZ, "%s", uuid);
	else
		snprintf(buf, SUBVOL_BUFSZ, "%s.r%u", uuid, gen);
}

/*
 * The volume uuid and generation a subvolume name of ours stands for; -1
 * for a name that is not ours.
 */
int
cephfs_parse_subvol(const char *name, char *uuid, unsigned *gen)
{
	const char *p;
	char *end;
	unsigned long g;

	if (strlen(name) < TNFS_UUID_BUFSZ - 1)
		return -1;
	memcpy(uuid, name, TNFS_UUID_BUFSZ - 1);
	uuid[TNFS_UUID_BUFSZ - 1] = '\0';
	if (!tnfs_uuid_valid(uuid))
		return -1;
	p = name + TNFS_UUID_BUFSZ - 1;
	if (*p == '\0') {
		*gen = 0;
		return 0;
	}
	if (p[0] != '.' || p[1] != 'r' || !isdigit((unsigned char)p[2]) ||
	    p[2] == '0')
		return -1;
	errno = 0;
	g = strtoul(p + 2, &end, 10);
	if (errno != 0 || *end != '\0' || g > 1000000)
		return -1;
	*gen = (unsigned)g;
	return 0;
}

/* Cache entry of uuid, created when absent (NULL when out of memory). */
static struct cephfs_vol *
vol_entry(struct cephfs_backend *b, const char *uuid)
{
	struct cephfs_vol *v;
	size_t i;

	for (i = 0; i < b->nvols; i++)
		if (strcmp(b->vols[i].uuid, uuid) == 0)
			return &b->vols[i];
	if (b->nvols == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;

		if ((v = realloc(b->vols, cap * sizeof(*v))) == NULL)
			return NULL;
		b->vols = v;
		b->cap = cap;
	}
	v = &b->vols[b->nvols++];
	memset(v, 0, sizeof(*v));
	memcpy(v->uuid, uuid, TNFS_UUID_BUFSZ);
	return v;
}

static void
vol_forget(struct cephfs_backend *b, const char *uuid)
{
	size_t i;

	pthread_mutex_lock(&b->mu);
	for (i = 0; i < b->nvols; i++)
		if (strcmp(b->vols[i].uuid, uuid) == 0) {
			b->vols[i] = b->vols[--b->nvols];
			break;
		}
	pthread_mutex_unlock(&b->mu);
}

static int
vol_remember(struct cephfs_backend *b, const char *uuid, unsigned gen,
    const char *path, const char *secret, struct tnfs_err *err)
{
	struct cephfs_vol *v;

	pthread_mutex_lock(&b->mu);
	if ((v = vol_entry(b, uuid)) == NULL) {
		pthread_mutex_unlock(&b->mu);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	v->gen = gen;
	v->usage_ms = 0;
	if (path != NULL)
		snprintf(v->path, sizeof(v->path), "%s", path);
	if (secret != NULL)
		snprintf(v->secret, sizeof(v->secret), "%s", secret);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

static int
generations(struct cephfs_backend *b, const char *uuid, unsigned *current,
    size_t *count, struct tnfs_err *err)
{
	char **names;
	char u[TNFS_UUID_BUFSZ];
	size_t n, i;
	unsigned g;

	*current = 0;
	*count = 0;
	if (cephfs_subvol_list(b, &names, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (cephfs_parse_subvol(names[i], u, &g) == -1 ||
		    strcmp(u, uuid) != 0)
			continue;
		if (*count == 0 || g > *current)
			*current = g;
		(*count)++;
	}
	storage_list_free(names, n);
	return 0;
}

/* The current generation, or VolumeNotFound. */
int
cephfs_current_gen(struct cephfs_backend *b, const char *uuid, unsigned *gen,
    struct tnfs_err *err)
{
	size_t count;

	if (generations(b, uuid, gen, &count, err) == -1)
		return -1;
	if (count == 0) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "volume %s has no CephFS subvolume in %s/%s", uuid, b->fs,
		    b->group);
		return -1;
	}
	return 0;
}

static int
ensure_group(struct cephfs_backend *b, struct tnfs_err *err)
{
	const char *args[] = {
	    "fs", "subvolumegroup", "create", b->fs, b->group, NULL};
	int ready;

	pthread_mutex_lock(&b->mu);
	ready = b->group_ready;
	pthread_mutex_unlock(&b->mu);
	if (ready)
		return 0;
	/* Idempotent: an existing group is kept as it is. */
	if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
		"creating the subvolume group", err) == -1)
		return -1;
	pthread_mutex_lock(&b->mu);
	b->group_ready = 1;
	pthread_mutex_unlock(&b->mu);
	return 0;
}

/* Path and key of the current generation, into the cache. */
int
cephfs_refresh(struct cephfs_backend *b, const char *uuid, unsigned gen,
    struct tnfs_err *err)
{
	char sv[SUBVOL_BUFSZ], path[512], secret[128];

	cephfs_subvol_name(uuid, gen, sv);
	if (cephfs_getpath(b, sv, path, sizeof(path), err) == -1 ||
	    cephfs_authorize(b, uuid, sv, secret, sizeof(secret), err) == -1)
		return -1;
	return vol_remember(b, uuid, gen, path, secret, err);
}

static int
parse_opt(const char *opt, const char *key, char *dst, size_t len,
    struct tnfs_err *err)
{
	size_t klen = strlen(key);

	if (strncmp(opt, key, klen) != 0 || opt[klen] != '=')
		return 0;
	if (strlen(opt + klen + 1) >= len || opt[klen + 1] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage cephfs: %s= is empty or too long", key);
		return -1;
	}
	snprintf(dst, len, "%s", opt + klen + 1);
	return 1;
}

static int
load_orphans(struct cephfs_backend *b, struct tnfs_err *err)
{
	char *text = NULL, *line, *save = NULL;
	size_t len, cap = 0;
	int rc = -1;

	if (access(b->orphans_file, F_OK) != 0)
		return 0;
	if (fsutil_read_file(b->orphans_file, 4u << 20, &text, &len, err) == -1)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (name_ok(line) &&
		    storage_list_append(
			&b->orphans, &b->norphans, &cap, line) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	rc = 0;
out:
	free(text);
	return rc;
}

static void cephfs_close(void *impl);

static void *
cephfs_open(const char *arg, const char *state_dir, struct tnfs_err *err)
{
	struct cephfs_backend *b;
	char *copy = NULL, *opt, *rest;
	int r;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (copy = strdup(arg)) == NULL) {
		free(b);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&b->mu, NULL);
	snprintf(b->fs, sizeof(b->fs), "cephfs");
	snprintf(b->group, sizeof(b->group), "tritonnfs");
	snprintf(b->client, sizeof(b->client), "admin");
	rest = copy;
	opt = strsep(&rest, ",");
	if (opt == NULL || opt[0] != '/' || strlen(opt) >= sizeof(b->conf)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage cephfs:%.256s: expected cephfs:CONF[,fs=NAME]"
		    "[,group=GROUP][,client=ID][,keyring=FILE] with CONF an "
		    "absolute path",
		    arg);
		goto fail;
	}
	snprintf(b->conf, sizeof(b->conf), "%s", opt);
	while ((opt = strsep(&rest, ",")) != NULL) {
		if ((r = parse_opt(opt, "fs", b->fs, sizeof(b->fs), err)) ||
		    (r = parse_opt(
			 opt, "group", b->group, sizeof(b->group), err)) ||
		    (r = parse_opt(
			 opt, "client", b->client, sizeof(b->client), err)) ||
		    (r = parse_opt(opt, "keyring", b->keyring,
			 sizeof(b->keyring), err))) {
			if (r == -1)
				goto fail;
			continue;
		}
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage cephfs: unknown option \"%.64s\" (known: fs, "
		    "group, client, keyring)",
		    opt);
		goto fail;
	}
	if (!name_ok(b->fs) || !name_ok(b->group) || !name_ok(b->client) ||
	    strlen(b->group) > 24) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage cephfs: fs, client (at most %d characters) and "
		    "group (at most 24) take letters, digits, '-', '_' and "
		    "'.'",
		    NAME_MAX_LEN);
		goto fail;
	}
	if (b->keyring[0] != '\0' && b->keyring[0] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "storage cephfs: keyring= must be an absolute path");
		goto fail;
	}
	if (access(b->conf, R_OK) != 0) {
		tnfs_err_errno(err, TNFS_E_VALIDATION, errno,
		    "storage cephfs: cannot read %s", b->conf);
		goto fail;
	}
	if (snprintf(b->orphans_file, sizeof(b->orphans_file),
		"%s/cephfs-orphans",
		state_dir) >= (int)sizeof(b->orphans_file)) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "state directory too long");
		goto fail;
	}
	if (fsutil_mkdir_p(state_dir, 0700, err) == -1 ||
	    load_orphans(b, err) == -1)
		goto fail;
	free(copy);
	return b;
fail:
	free(copy);
	cephfs_close(b);
	return NULL;
}

static void
cephfs_close(void *impl)
{
	struct cephfs_backend *b = impl;

	if (b == NULL)
		return;
	storage_list_free(b->orphans, b->norphans);
	free(b->vols);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

static int
cephfs_volume_create(
    void *impl, const char *uuid, uint64_t size_mib, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char bytes[32];
	/*
	 * Its own RADOS namespace: the volume's cephx user then reaches the
	 * data objects of this subvolume only, not the whole data pool.
	 */
	const char *args[] = {"fs", "subvolume", "create", b->fs, uuid,
	    "--group_name", b->group, "--size", bytes, "--namespace-isolated",
	    NULL};
	unsigned gen;
	size_t count;

	if (cephfs_check_uuid(uuid, err) == -1 || ensure_group(b, err) == -1 ||
	    generations(b, uuid, &gen, &count, err) == -1)
		goto fail;
	snprintf(bytes, sizeof(bytes), "%llu",
	    (unsigned long long)(size_mib * CEPHFS_MIB));
	if (count == 0) {
		if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
			"creating the subvolume", err) == -1)
			goto fail;
		gen = 0;
	} else if (cephfs_set_quota(b, uuid, size_mib, err) == -1) {
		/* Idempotent: an existing one is kept, its limit set. */
		goto fail;
	}
	if (cephfs_refresh(b, uuid, gen, err) == -1)
		goto fail;
	return 0;
fail:
	tnfs_err_prefix(err, "volume %.64s", uuid);
	return -1;
}

static int
cephfs_volume_resize(
    void *impl, const char *uuid, uint64_t size_mib, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	unsigned gen;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    cephfs_current_gen(b, uuid, &gen, err) == -1)
		return -1;
	cephfs_subvol_name(uuid, gen, sv);
	if (cephfs_set_quota(b, sv, size_mib, err) == -1) {
		tnfs_err_prefix(err, "volume %s", uuid);
		return -1;
	}
	return 0;
}

/*
 * Remove subvolume sv with its snapshots; absent: success.  deauth: revoke
 * the volume's user on it first (not for a generation the user already
 * left: a deauthorize rewrites the user's caps).
 */
int
cephfs_subvol_rm(struct cephfs_backend *b, const char *uuid, const char *sv,
    int deauth, struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "rm", b->fs, sv,
	    "--group_name", b->group, "--force", NULL};
	char **snaps = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (cephfs_snap_list(b, sv, &snaps, &n, err) == -1) {
		if (cephfs_is_enoent(err)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	for (i = 0; i < n; i++)
		if (cephfs_snap_rm(b, sv, snaps[i], err) == -1)
			goto out;
	if ((deauth && cephfs_deauthorize(b, uuid, sv, err) == -1) ||
	    cephfs_run(b, args, CEPHFS_CALL_MS, NULL, "deleting the subvolume",
		err) == -1)
		goto out;
	rc = 0;
out:
	storage_list_free(snaps, n);
	return rc;
}

static int
cephfs_volume_destroy(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char **names = NULL, u[TNFS_UUID_BUFSZ];
	size_t n = 0, i;
	unsigned g;
	int rc = -1;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    cephfs_subvol_list(b, &names, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (cephfs_parse_subvol(names[i], u, &g) == 0 &&
		    strcmp(u, uuid) == 0 &&
		    cephfs_subvol_rm(b, uuid, names[i], 1, err) == -1)
			goto out;
	if (cephfs_user_rm(b, uuid, err) == -1)
		goto out;
	vol_forget(b, uuid);
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "volume %.64s", uuid);
	storage_list_free(names, n);
	return rc;
}

static int
cephfs_volume_activate(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	unsigned gen;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    cephfs_current_gen(b, uuid, &gen, err) == -1 ||
	    cephfs_refresh(b, uuid, gen, err) == -1) {
		tnfs_err_prefix(err, "volume %.64s", uuid);
		return -1;
	}
	return 0;
}

static int
cephfs_volume_exists(void *impl, const char *uuid)
{
	struct cephfs_backend *b = impl;
	unsigned gen;
	size_t count;

	if (!tnfs_uuid_valid(uuid) ||
	    generations(b, uuid, &gen, &count, NULL) == -1)
		return 0;
	return count > 0;
}

/* The cached entry of uuid, refreshed from Ceph when it has no path yet. */
static int
cached(struct cephfs_backend *b, const char *uuid, struct cephfs_vol *out,
    struct tnfs_err *err)
{
	struct cephfs_vol *v;
	int have = 0;

	if (cephfs_check_uuid(uuid, err) == -1)
		return -1;
	pthread_mutex_lock(&b->mu);
	if ((v = vol_entry(b, uuid)) != NULL && v->path[0] != '\0' &&
	    v->secret[0] != '\0') {
		*out = *v;
		have = 1;
	}
	pthread_mutex_unlock(&b->mu);
	if (have)
		return 0;
	if (cephfs_volume_activate(b, uuid, err) == -1)
		return -1;
	pthread_mutex_lock(&b->mu);
	v = vol_entry(b, uuid);
	if (v != NULL)
		*out = *v;
	pthread_mutex_unlock(&b->mu);
	if (v == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

static int
cephfs_volume_path(
    void *impl, const char *uuid, char *buf, size_t len, struct tnfs_err *err)
{
	struct cephfs_vol v;

	if (cached(impl, uuid, &v, err) == -1)
		return -1;
	if (strlen(v.path) >= len) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "path too long");
		return -1;
	}
	snprintf(buf, len, "%s", v.path);
	return 0;
}

static int
cephfs_volume_access(void *impl, const char *uuid, struct storage_access *out,
    struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	struct cephfs_vol v;

	if (cached(b, uuid, &v, err) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->fs, sizeof(out->fs), "%s", b->fs);
	cephfs_auth_id(b, uuid, out->user, sizeof(out->user));
	snprintf(out->secret, sizeof(out->secret), "%s", v.secret);
	return 0;
}

/*
 * Read by every GetVolume: from a cache younger than USAGE_TTL_MS, with a
 * short deadline, and not at all while Ceph is known not to answer.
 */
static int
cephfs_volume_usage(void *impl, const char *uuid, struct storage_usage *out,
    struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "info", b->fs, sv,
	    "--group_name", b->group, NULL};
	struct cephfs_vol *v;
	json_object *j = NULL;
	char *text = NULL;
	int64_t used, quota, now = tnfs_mono_ms();
	unsigned gen = 0;
	int rc = -1, known = 0, quiet;

	if (cephfs_check_uuid(uuid, err) == -1)
		return -1;
	pthread_mutex_lock(&b->mu);
	quiet = now < b->quiet_until;
	if ((v = vol_entry(b, uuid)) != NULL && v->path[0] != '\0') {
		known = 1;
		gen = v->gen;
		if (v->usage_ms != 0 && now - v->usage_ms < USAGE_TTL_MS) {
			*out = v->usage;
			pthread_mutex_unlock(&b->mu);
			return 0;
		}
	}
	pthread_mutex_unlock(&b->mu);
	if (quiet) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "volume %s: Ceph did not answer lately (cluster of %s)",
		    uuid, b->conf);
		return -1;
	}
	if (!known && cephfs_current_gen(b, uuid, &gen, err) == -1)
		return -1;
	cephfs_subvol_name(uuid, gen, sv);
	if (cephfs_run(b, args, USAGE_TIMEOUT_MS, &text,
		"reading the subvolume's usage", err) == -1 ||
	    (j = cephfs_parse_json(text, "subvolume info", err)) == NULL)
		goto out;
	/* bytes_quota is the string "infinite" when there is none. */
	if (jsonx_get_int64(j, "bytes_used", &used) == -1 || used < 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "subvolume info of %s has no bytes_used", sv);
		goto out;
	}
	if (jsonx_get_int64(j, "bytes_quota", &quota) == -1)
		quota = 0;
	out->used_mib = ((uint64_t)used + CEPHFS_MIB - 1) / CEPHFS_MIB;
	out->avail_mib = (uint64_t)quota > (uint64_t)used
	    ? ((uint64_t)quota - (uint64_t)used) / CEPHFS_MIB
	    : 0;
	pthread_mutex_lock(&b->mu);
	if ((v = vol_entry(b, uuid)) != NULL && v->gen == gen) {
		v->usage = *out;
		v->usage_ms = tnfs_mono_ms();
	}
	pthread_mutex_unlock(&b->mu);
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "volume %s", uuid);
	json_object_put(j);
	free(text);
	return rc;
}

const struct storage_ops storage_cephfs_ops = {
    .kind = "cephfs",
    .has_quota = 1,
    .has_snapshots = 1,
    .open = cephfs_open,
    .close = cephfs_close,
    .volume_create = cephfs_volume_create,
    .volume_resize = cephfs_volume_resize,
    .volume_destroy = cephfs_volume_destroy,
    .volume_activate = cephfs_volume_activate,
    .volume_exists = cephfs_volume_exists,
    .volume_path = cephfs_volume_path,
    .volume_access = cephfs_volume_access,
    .volume_usage = cephfs_volume_usage,
    .snapshot_create = cephfs_snapshot_create,
    .snapshot_delete = cephfs_snapshot_delete,
    .snapshot_rollback = cephfs_snapshot_rollback,
    .volume_clone = cephfs_volume_clone,
    .list = cephfs_list,
    .orphan_set_aside = cephfs_orphan_set_aside,
};
