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
#include "storage_impl.h"
#include "uuid.h"

#define MIB             (UINT64_C(1) << 20)
#define CALL_TIMEOUT_MS 30000  /* one ceph CLI call */
#define CLONE_TIMEOUT_MS 600000 /* a rollback's copy */
#define NAME_MAX_LEN    48
#define SUBVOL_BUFSZ    (TNFS_UUID_BUFSZ + 16)

struct cephfs_vol {
	char uuid[TNFS_UUID_BUFSZ];
	unsigned gen;      /* current generation */
	char path[512];    /* getpath of the current generation */
	char secret[128];  /* the cephx user's key, "" until known */
};

struct cephfs_backend {
	char conf[PATH_MAX];
	char fs[NAME_MAX_LEN + 1];
	char group[NAME_MAX_LEN + 1];
	char client[NAME_MAX_LEN + 1];
	char keyring[PATH_MAX]; /* "" for the configuration's own */
	char orphans_file[PATH_MAX];

	pthread_mutex_t mu; /* guards vols, group_ready and orphans */
	struct cephfs_vol *vols;
	size_t nvols, cap;
	int group_ready;
	char **orphans; /* subvolume names set aside */
	size_t norphans;
};

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

static int
check_uuid(const char *uuid, struct tnfs_err *err)
{
	if (!tnfs_uuid_valid(uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "\"%.64s\" is not a volume uuid", uuid);
		return -1;
	}
	return 0;
}

static void
subvol_name(const char *uuid, unsigned gen, char *buf)
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
static int
parse_subvol(const char *name, char *uuid, unsigned *gen)
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

static void
auth_id(const struct cephfs_backend *b, const char *uuid, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", b->group, uuid);
}

/*
 * Run `ceph ARGS... --format json` as our client with a deadline.  *out
 * (when not NULL) receives stdout, which the caller frees.  what names the
 * operation in the error ("creating the subvolume of volume X").
 */
static int
ceph_run(const struct cephfs_backend *b, const char *const *args, int timeout_ms,
    char **out, const char *what, struct tnfs_err *err)
{
	const char *argv[40];
	char tmo[16];
	struct child_opts opts = {.timeout_ms = timeout_ms};
	struct child_result res = {0};
	size_t n = 0, i;
	int rc = -1;

	/* The CLI's own connect timeout ends a call before the kill does. */
	snprintf(tmo, sizeof(tmo), "%d", timeout_ms / 1000 > 1
	    ? timeout_ms / 1000 - 1 : 1);
	argv[n++] = "ceph";
	argv[n++] = "--conf";
	argv[n++] = b->conf;
	argv[n++] = "--id";
	argv[n++] = b->client;
	if (b->keyring[0] != '\0') {
		argv[n++] = "--keyring";
		argv[n++] = b->keyring;
	}
	argv[n++] = "--connect-timeout";
	argv[n++] = tmo;
	argv[n++] = "--format";
	argv[n++] = "json";
	for (i = 0; args[i] != NULL && n < 38; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (child_run(argv, &opts, &res, err) == -1) {
		if (res.timed_out || (res.errout != NULL &&
		    (strstr(res.errout, "timed out") != NULL ||
			strstr(res.errout, "TimedOut") != NULL)))
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "Ceph did not answer within %d s (cluster of %s)",
			    timeout_ms / 1000, b->conf);
		tnfs_err_prefix(err, "%s", what);
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

/* ENOENT from the volumes module: "Error ENOENT: subvolume 'x' does not exist" */
static int
is_enoent(const struct tnfs_err *err)
{
	return strstr(err->msg, "ENOENT") != NULL ||
	    strstr(err->msg, "does not exist") != NULL;
}

static json_object *
parse_json(const char *text, const char *what, struct tnfs_err *err)
{
	json_object *j = jsonx_parse(text, strlen(text), 16, err);

	if (j == NULL)
		tnfs_err_prefix(err, "%s: Ceph answered with unreadable JSON",
		    what);
	return j;
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
	if (path != NULL)
		snprintf(v->path, sizeof(v->path), "%s", path);
	if (secret != NULL)
		snprintf(v->secret, sizeof(v->secret), "%s", secret);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

static int
is_orphan_locked(const struct cephfs_backend *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->norphans; i++)
		if (strcmp(b->orphans[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The names of the subvolumes in our group, without those set aside.
 * *names is freed with storage_list_free.
 */
static int
list_subvols(struct cephfs_backend *b, char ***names, size_t *n,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "ls", b->fs, "--group_name",
	    b->group, NULL};
	json_object *j = NULL;
	char *out = NULL;
	size_t cap = 0, i, len;
	int rc = -1;

	*names = NULL;
	*n = 0;
	if (ceph_run(b, args, CALL_TIMEOUT_MS, &out,
		"listing the volumes' subvolumes", err) == -1) {
		/* No group yet: no volumes. */
		if (err != NULL && is_enoent(err)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	if ((j = parse_json(out, "listing subvolumes", err)) == NULL)
		goto out;
	if (!json_object_is_type(j, json_type_array)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "listing subvolumes: Ceph answered with no list");
		goto out;
	}
	len = json_object_array_length(j);
	for (i = 0; i < len; i++) {
		const char *name =
		    jsonx_get_str(json_object_array_get_idx(j, i), "name");
		int aside;

		if (name == NULL)
			continue;
		pthread_mutex_lock(&b->mu);
		aside = is_orphan_locked(b, name);
		pthread_mutex_unlock(&b->mu);
		if (aside)
			continue;
		if (storage_list_append(names, n, &cap, name) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1) {
		storage_list_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	json_object_put(j);
	free(out);
	return rc;
}

/*
 * The generations of uuid among its subvolumes: *current the highest,
 * *count how many.  count 0 when the volume has none.
 */
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
	if (list_subvols(b, &names, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_subvol(names[i], u, &g) == -1 || strcmp(u, uuid) != 0)
			continue;
		if (*count == 0 || g > *current)
			*current = g;
		(*count)++;
	}
	storage_list_free(names, n);
	return 0;
}

/* The current generation, or VolumeNotFound. */
static int
current_gen(struct cephfs_backend *b, const char *uuid, unsigned *gen,
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
	const char *args[] = {"fs", "subvolumegroup", "create", b->fs,
	    b->group, NULL};
	int ready;

	pthread_mutex_lock(&b->mu);
	ready = b->group_ready;
	pthread_mutex_unlock(&b->mu);
	if (ready)
		return 0;
	/* Idempotent: an existing group is kept as it is. */
	if (ceph_run(b, args, CALL_TIMEOUT_MS, NULL,
		"creating the subvolume group", err) == -1)
		return -1;
	pthread_mutex_lock(&b->mu);
	b->group_ready = 1;
	pthread_mutex_unlock(&b->mu);
	return 0;
}

static int
getpath(struct cephfs_backend *b, const char *sv, char *buf, size_t len,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "getpath", b->fs, sv,
	    "--group_name", b->group, NULL};
	char *out = NULL, *p, *start;
	int rc = -1;

	if (ceph_run(b, args, CALL_TIMEOUT_MS, &out,
		"finding the subvolume's path", err) == -1)
		return -1;
	/* A plain path, even with --format json, between blank lines. */
	for (p = out + strlen(out); p > out && isspace((unsigned char)p[-1]);)
		*--p = '\0';
	for (start = out; isspace((unsigned char)*start);)
		start++;
	if (start[0] != '/' || strlen(start) >= len) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "subvolume %s: Ceph gave no usable path", sv);
		goto out;
	}
	snprintf(buf, len, "%s", start);
	rc = 0;
out:
	free(out);
	return rc;
}

/*
 * Authorize the volume's cephx user on subvolume sv (idempotent); its key
 * into secret.
 */
static int
authorize(struct cephfs_backend *b, const char *uuid, const char *sv,
    char *secret, size_t len, struct tnfs_err *err)
{
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 2];
	char entity[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 10];
	const char *args[] = {"fs", "subvolume", "authorize", b->fs, sv, id,
	    "--group_name", b->group, "--access_level=rw", NULL};
	const char *get[] = {"auth", "get-key", entity, NULL};
	json_object *j = NULL;
	const char *key, *p;
	char *out = NULL;
	int rc = -1;

	auth_id(b, uuid, id, sizeof(id));
	snprintf(entity, sizeof(entity), "client.%s", id);
	if (ceph_run(b, args, CALL_TIMEOUT_MS, NULL,
		"authorizing the volume's cephx user", err) == -1 ||
	    ceph_run(b, get, CALL_TIMEOUT_MS, &out,
		"reading the volume's cephx key", err) == -1 ||
	    (j = parse_json(out, "auth get-key", err)) == NULL)
		goto out;
	key = jsonx_get_str(j, "key");
	/* A base64 key: it goes into ganesha's configuration. */
	for (p = key; p != NULL && *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '/' &&
		    *p != '=')
			break;
	if (key == NULL || key[0] == '\0' || *p != '\0' || strlen(key) >= len) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "%s: Ceph gave no usable key", entity);
		goto out;
	}
	snprintf(secret, len, "%s", key);
	rc = 0;
out:
	json_object_put(j);
	free(out);
	return rc;
}

static int
deauthorize(struct cephfs_backend *b, const char *uuid, const char *sv,
    struct tnfs_err *err)
{
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 2];
	const char *args[] = {"fs", "subvolume", "deauthorize", b->fs, sv, id,
	    "--group_name", b->group, NULL};

	auth_id(b, uuid, id, sizeof(id));
	if (ceph_run(b, args, CALL_TIMEOUT_MS, NULL,
		"revoking the volume's cephx user", err) == -1) {
		if (is_enoent(err)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	return 0;
}

static int
set_quota(struct cephfs_backend *b, const char *sv, uint64_t size_mib,
    struct tnfs_err *err)
{
	char bytes[32];
	const char *args[] = {"fs", "subvolume", "resize", b->fs, sv, bytes,
	    "--group_name", b->group, "--no_shrink", NULL};

	snprintf(bytes, sizeof(bytes), "%llu",
	    (unsigned long long)(size_mib * MIB));
	return ceph_run(b, args, CALL_TIMEOUT_MS, NULL,
	    "setting the subvolume's quota", err);
}

/* Path and key of the current generation, into the cache. */
static int
refresh(struct cephfs_backend *b, const char *uuid, unsigned gen,
    struct tnfs_err *err)
{
	char sv[SUBVOL_BUFSZ], path[512], secret[128];

	subvol_name(uuid, gen, sv);
	if (getpath(b, sv, path, sizeof(path), err) == -1 ||
	    authorize(b, uuid, sv, secret, sizeof(secret), err) == -1)
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
	if (fsutil_read_file(b->orphans_file, 4u << 20, &text, &len, err) ==
	    -1)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (name_ok(line) &&
		    storage_list_append(&b->orphans, &b->norphans, &cap,
			line) == -1) {
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
		"%s/cephfs-orphans", state_dir) >= (int)sizeof(b->orphans_file)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "state directory too long");
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

	if (check_uuid(uuid, err) == -1 || ensure_group(b, err) == -1 ||
	    generations(b, uuid, &gen, &count, err) == -1)
		goto fail;
	snprintf(bytes, sizeof(bytes), "%llu",
	    (unsigned long long)(size_mib * MIB));
	if (count == 0) {
		if (ceph_run(b, args, CALL_TIMEOUT_MS, NULL,
			"creating the subvolume", err) == -1)
			goto fail;
		gen = 0;
	} else if (set_quota(b, uuid, size_mib, err) == -1) {
		/* Idempotent: an existing one is kept, its limit set. */
		goto fail;
	}
	if (refresh(b, uuid, gen, err) == -1)
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

	if (check_uuid(uuid, err) == -1 || current_gen(b, uuid, &gen, err) == -1)
		return -1;
	subvol_name(uuid, gen, sv);
	if (set_quota(b, sv, size_mib, err) == -1) {
		tnfs_err_prefix(err, "volume %s", uuid);
		return -1;
	}
	return 0;
}

/* The snapshot names of subvolume sv; *names freed by storage_list_free. */
static int
list_snaps(struct cephfs_backend *b, const char *sv, char ***names, size_t *n,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "snapshot", "ls", b->fs, sv,
	    "--group_name", b->group, NULL};
	json_object *j = NULL;
	char *out = NULL;
	size_t cap = 0, i, len;
	int rc = -1;

	*names = NULL;
	*n = 0;
	if (ceph_run(b, args, CALL_TIMEOUT_MS, &out, "listing snapshots",
		err) == -1)
		return -1;
	if ((j = parse_json(out, "listing snapshots", err)) == NULL)
		goto out;
	len = json_object_is_type(j, json_type_array)
	    ? json_object_array_length(j) : 0;
	for (i = 0; i < len; i++) {
		const char *name =
		    jsonx_get_str(json_object_array_get_idx(j, i), "name");

		if (name != NULL &&
		    storage_list_append(names, n, &cap, name) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1) {
		storage_list_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	json_object_put(j);
	free(out);
	return rc;
}

static int
snap_rm(struct cephfs_backend *b, const char *sv, const char *snap,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "snapshot", "rm", b->fs, sv,
	    snap, "--group_name", b->group, "--force", NULL};

	return ceph_run(
	    b, args, CALL_TIMEOUT_MS, NULL, "deleting a snapshot", err);
}

/* Remove subvolume sv with its snapshots; absent: success. */
static int
remove_subvol(struct cephfs_backend *b, const char *uuid, const char *sv,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "rm", b->fs, sv,
	    "--group_name", b->group, "--force", NULL};
	char **snaps = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (list_snaps(b, sv, &snaps, &n, err) == -1) {
		if (is_enoent(err)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	for (i = 0; i < n; i++)
		if (snap_rm(b, sv, snaps[i], err) == -1)
			goto out;
	if (deauthorize(b, uuid, sv, err) == -1 ||
	    ceph_run(b, args, CALL_TIMEOUT_MS, NULL, "deleting the subvolume",
		err) == -1)
		goto out;
	rc = 0;
out:
	storage_list_free(snaps, n);
	return rc;
}

/*
 * deauthorize leaves the cephx user in place once it has no subvolume
 * left on some releases: remove it so that nothing of the volume stays.
 */
static int
remove_user(struct cephfs_backend *b, const char *uuid, struct tnfs_err *err)
{
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 10];
	const char *args[] = {"auth", "rm", id, NULL};

	snprintf(id, sizeof(id), "client.");
	auth_id(b, uuid, id + 7, sizeof(id) - 7);
	/* auth rm of an absent user succeeds. */
	return ceph_run(b, args, CALL_TIMEOUT_MS, NULL,
	    "removing the volume's cephx user", err);
}

static int
cephfs_volume_destroy(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char **names = NULL, u[TNFS_UUID_BUFSZ];
	size_t n = 0, i;
	unsigned g;
	int rc = -1;

	if (check_uuid(uuid, err) == -1 ||
	    list_subvols(b, &names, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (parse_subvol(names[i], u, &g) == 0 &&
		    strcmp(u, uuid) == 0 &&
		    remove_subvol(b, uuid, names[i], err) == -1)
			goto out;
	if (remove_user(b, uuid, err) == -1)
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

	if (check_uuid(uuid, err) == -1 ||
	    current_gen(b, uuid, &gen, err) == -1 ||
	    refresh(b, uuid, gen, err) == -1) {
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

	if (check_uuid(uuid, err) == -1)
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
cephfs_volume_path(void *impl, const char *uuid, char *buf, size_t len,
    struct tnfs_err *err)
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
cephfs_volume_access(void *impl, const char *uuid,
    struct storage_access *out, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	struct cephfs_vol v;

	if (cached(b, uuid, &v, err) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->fs, sizeof(out->fs), "%s", b->fs);
	auth_id(b, uuid, out->user, sizeof(out->user));
	snprintf(out->secret, sizeof(out->secret), "%s", v.secret);
	return 0;
}

static int
cephfs_volume_usage(void *impl, const char *uuid, struct storage_usage *out,
    struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "info", b->fs, sv,
	    "--group_name", b->group, NULL};
	json_object *j = NULL;
	char *text = NULL;
	int64_t used, quota;
	unsigned gen;
	int rc = -1;

	if (check_uuid(uuid, err) == -1 || current_gen(b, uuid, &gen, err) == -1)
		return -1;
	subvol_name(uuid, gen, sv);
	if (ceph_run(b, args, CALL_TIMEOUT_MS, &text,
		"reading the subvolume's usage", err) == -1 ||
	    (j = parse_json(text, "subvolume info", err)) == NULL)
		goto out;
	/* bytes_quota is the string "infinite" when there is none. */
	if (jsonx_get_int64(j, "bytes_used", &used) == -1 || used < 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "subvolume info of %s has no bytes_used", sv);
		goto out;
	}
	if (jsonx_get_int64(j, "bytes_quota", &quota) == -1)
		quota = 0;
	out->used_mib = ((uint64_t)used + MIB - 1) / MIB;
	out->avail_mib = (uint64_t)quota > (uint64_t)used
	    ? ((uint64_t)quota - (uint64_t)used) / MIB : 0;
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "volume %s", uuid);
	json_object_put(j);
	free(text);
	return rc;
}

static int
cephfs_snapshot_create(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "snapshot", "create", b->fs,
	    sv, snap, "--group_name", b->group, NULL};
	unsigned gen;

	if (check_uuid(uuid, err) == -1 || current_gen(b, uuid, &gen, err) == -1)
		return -1;
	subvol_name(uuid, gen, sv);
	if (ceph_run(b, args, CALL_TIMEOUT_MS, NULL, "taking the snapshot",
		err) == -1) {
		tnfs_err_prefix(err, "volume %s, snapshot %s", uuid, snap);
		return -1;
	}
	return 0;
}

/*
 * The generation of uuid holding snapshot snap (*gen), the current one
 * (*current), and the number of snapshots left in the one holding it
 * (*nleft).  SnapshotNotFound when none holds it.
 */
static int
find_snap(struct cephfs_backend *b, const char *uuid, const char *snap,
    unsigned *gen, unsigned *current, size_t *nleft, struct tnfs_err *err)
{
	char **names = NULL, **snaps, u[TNFS_UUID_BUFSZ];
	size_t n = 0, ns, i, k;
	unsigned g;
	int rc = -1, found = 0, any = 0;

	if (list_subvols(b, &names, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_subvol(names[i], u, &g) == -1 || strcmp(u, uuid) != 0)
			continue;
		if (!any || g > *current)
			*current = g;
		any = 1;
		if (found)
			continue;
		if (list_snaps(b, names[i], &snaps, &ns, err) == -1)
			goto out;
		for (k = 0; k < ns; k++)
			if (strcmp(snaps[k], snap) == 0) {
				found = 1;
				*gen = g;
				*nleft = ns - 1;
			}
		storage_list_free(snaps, ns);
	}
	if (!found) {
		tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
		    "volume %s has no snapshot %s in CephFS", uuid, snap);
		goto out;
	}
	rc = 0;
out:
	storage_list_free(names, n);
	return rc;
}

static int
cephfs_snapshot_delete(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	unsigned gen = 0, current = 0;
	size_t nleft = 0;

	if (check_uuid(uuid, err) == -1)
		return -1;
	if (find_snap(b, uuid, snap, &gen, &current, &nleft, err) == -1) {
		/* Absent: deleted already. */
		if (tnfs_err_is(err, TNFS_E_SNAPSHOT_NOT_FOUND)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	subvol_name(uuid, gen, sv);
	if (snap_rm(b, sv, snap, err) == -1)
		goto fail;
	/* A generation replaced by a rollback lives for its snapshots only. */
	if (gen != current && nleft == 0 &&
	    remove_subvol(b, uuid, sv, err) == -1)
		goto fail;
	return 0;
fail:
	tnfs_err_prefix(err, "volume %s, snapshot %s", uuid, snap);
	return -1;
}

/* Wait for the clone into sv to complete; -1 when it failed or timed out. */
static int
wait_clone(struct cephfs_backend *b, const char *sv, struct tnfs_err *err)
{
	const char *args[] = {"fs", "clone", "status", b->fs, sv,
	    "--group_name", b->group, NULL};
	struct timespec t0, t;
	json_object *j, *st;
	const char *state;
	char *out;
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		out = NULL;
		if (ceph_run(b, args, CALL_TIMEOUT_MS, &out,
			"reading the clone's status", err) == -1)
			return -1;
		j = parse_json(out, "clone status", err);
		free(out);
		if (j == NULL)
			return -1;
		state = json_object_object_get_ex(j, "status", &st)
		    ? jsonx_get_str(st, "state") : NULL;
		if (state != NULL && strcmp(state, "complete") == 0) {
			json_object_put(j);
			return 0;
		}
		if (state == NULL || strcmp(state, "failed") == 0 ||
		    strcmp(state, "canceled") == 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "the clone into %s %s", sv,
			    state ? state : "has no state");
			json_object_put(j);
			return -1;
		}
		json_object_put(j);
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (long)(t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited > CLONE_TIMEOUT_MS) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "the clone into %s did not complete within %d s",
			    sv, CLONE_TIMEOUT_MS / 1000);
			return -1;
		}
		usleep(250000);
	}
}

static int
quota_mib(struct cephfs_backend *b, const char *sv, uint64_t *mib,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "info", b->fs, sv,
	    "--group_name", b->group, NULL};
	json_object *j = NULL;
	char *text = NULL;
	int64_t q;
	int rc = -1;

	if (ceph_run(b, args, CALL_TIMEOUT_MS, &text,
		"reading the subvolume's quota", err) == -1 ||
	    (j = parse_json(text, "subvolume info", err)) == NULL)
		goto out;
	if (jsonx_get_int64(j, "bytes_quota", &q) == -1 || q <= 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "subvolume %s has no quota",
		    sv);
		goto out;
	}
	*mib = (uint64_t)q / MIB;
	rc = 0;
out:
	json_object_put(j);
	free(text);
	return rc;
}

/*
 * Clone and swap (see the top of the file).  The caller has unexported
 * the volume; the next exports sync serves the new generation's path.
 */
static int
cephfs_snapshot_rollback(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char from[SUBVOL_BUFSZ], cur[SUBVOL_BUFSZ], to[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "snapshot", "clone", b->fs,
	    from, snap, to, "--group_name", b->group, "--target_group_name",
	    b->group, NULL};
	const char *rm[] = {"fs", "subvolume", "rm", b->fs, to,
	    "--group_name", b->group, "--force", NULL};
	char **snaps = NULL;
	unsigned gen = 0, current = 0;
	size_t nleft, ns = 0;
	uint64_t mib;
	int rc = -1;

	if (check_uuid(uuid, err) == -1 ||
	    find_snap(b, uuid, snap, &gen, &current, &nleft, err) == -1)
		goto out;
	subvol_name(uuid, gen, from);
	subvol_name(uuid, current, cur);
	subvol_name(uuid, current + 1, to);
	if (quota_mib(b, cur, &mib, err) == -1)
		goto out;
	if (ceph_run(b, args, CALL_TIMEOUT_MS, NULL, "cloning the snapshot",
		err) == -1)
		goto out;
	if (wait_clone(b, to, err) == -1 || set_quota(b, to, mib, err) == -1 ||
	    refresh(b, uuid, current + 1, err) == -1) {
		struct tnfs_err e2;

		/* Nothing swapped yet: the volume stays as it was. */
		tnfs_err_clear(&e2);
		if (ceph_run(b, rm, CALL_TIMEOUT_MS, NULL,
			"removing the failed clone", &e2) == -1)
			log_err(TNFS_LOG_WARN, &e2, "volume %s", uuid);
		goto out;
	}
	log_info("volume %s rolled back to %s: now subvolume %s", uuid, snap,
	    to);
	/* The generation it replaced stays only for its snapshots. */
	if (list_snaps(b, cur, &snaps, &ns, err) == -1)
		goto out;
	if (ns == 0 && remove_subvol(b, uuid, cur, err) == -1)
		goto out;
	if (ns > 0 && deauthorize(b, uuid, cur, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "volume %s, rollback to %s", uuid, snap);
	storage_list_free(snaps, ns);
	return rc;
}

static int
cephfs_list(void *impl, char ***uuids, size_t *n, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char **names = NULL, u[TNFS_UUID_BUFSZ];
	size_t nn = 0, i, k, cap = 0;
	unsigned g;

	*uuids = NULL;
	*n = 0;
	if (list_subvols(b, &names, &nn, err) == -1)
		return -1;
	for (i = 0; i < nn; i++) {
		if (parse_subvol(names[i], u, &g) == -1) {
			log_warn("subvolume %s/%s is not a volume of ours: left "
				 "alone",
			    b->group, names[i]);
			continue;
		}
		for (k = 0; k < *n; k++)
			if (strcmp((*uuids)[k], u) == 0)
				break;
		if (k < *n)
			continue;
		if (storage_list_append(uuids, n, &cap, u) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			storage_list_free(names, nn);
			return -1;
		}
	}
	storage_list_free(names, nn);
	return 0;
}

/*
 * Subvolumes cannot be renamed: an orphan's subvolumes are recorded as
 * set aside in state_dir and listed no more; their data and cephx user
 * stay for the operator (docs/cephfs.md).
 */
static int
cephfs_orphan_set_aside(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char **names = NULL, u[TNFS_UUID_BUFSZ], *text = NULL;
	size_t nn = 0, i, cap, len;
	unsigned g;
	FILE *f;
	int rc = -1;

	if (check_uuid(uuid, err) == -1 ||
	    list_subvols(b, &names, &nn, err) == -1)
		return -1;
	pthread_mutex_lock(&b->mu);
	cap = b->norphans;
	for (i = 0; i < nn; i++)
		if (parse_subvol(names[i], u, &g) == 0 && strcmp(u, uuid) == 0 &&
		    storage_list_append(
			&b->orphans, &b->norphans, &cap, names[i]) == -1) {
			pthread_mutex_unlock(&b->mu);
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	if ((f = open_memstream(&text, &len)) == NULL) {
		pthread_mutex_unlock(&b->mu);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < b->norphans; i++)
		fprintf(f, "%s\n", b->orphans[i]);
	pthread_mutex_unlock(&b->mu);
	if (fclose(f) != 0 || text == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (fsutil_write_atomic(b->orphans_file, text, len, 0600, err) == -1)
		goto out;
	log_warn("CephFS subvolume(s) of %s set aside in %s (listed in %s); "
		 "its cephx user client.%s-%s is kept",
	    uuid, b->group, b->orphans_file, b->group, uuid);
	rc = 0;
out:
	free(text);
	storage_list_free(names, nn);
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
    .list = cephfs_list,
    .orphan_set_aside = cephfs_orphan_set_aside,
};
