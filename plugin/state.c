/*
 * state.c: per-volume state files and the mount ID set (state.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "jsonx.h"
#include "log.h"
#include "parse.h"
#include "sha256.h"
#include "state.h"

void
volume_opts_default(struct volume_opts *o)
{
	memset(o, 0, sizeof(*o));
	/* The backend's choice: NFSv4 for the kernel, NFSv3 for FUSE. */
	snprintf(o->nfsvers, sizeof(o->nfsvers), "auto");
}

void
volume_state_clear(struct volume_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nids; i++)
		free(st->ids[i]);
	free(st->ids);
	free(st->filesystem_path);
	memset(st, 0, sizeof(*st));
}

int
state_fspath_set(struct volume_state *st, const char *fspath)
{
	char *copy = NULL;

	if (fspath != NULL && fspath[0] != '\0') {
		/* Unchanged, as at almost every refresh: nothing to do. */
		if (st->filesystem_path != NULL &&
		    strncmp(st->filesystem_path, fspath, STATE_FSPATH_MAX) == 0)
			return 0;
		if ((copy = strndup(fspath, STATE_FSPATH_MAX)) == NULL)
			return -1;
	}
	free(st->filesystem_path);
	st->filesystem_path = copy;
	return 0;
}

int
state_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || id[0] == '\0')
		return 0;
	for (i = 0; id[i] != '\0'; i++) {
		char ch = id[i];

		if (i >= STATE_ID_MAX)
			return 0;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
			ch == '-'))
			return 0;
	}
	return 1;
}

int
state_id_has(const struct volume_state *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->nids; i++)
		if (strcmp(st->ids[i], id) == 0)
			return 1;
	return 0;
}

int
state_id_add(struct volume_state *st, const char *id, struct tnfs_err *err)
{
	char **v, *dup;
	size_t i;

	if (!state_id_valid(id)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "mount ID must be 1-%d characters of [A-Za-z0-9_.-]",
		    STATE_ID_MAX);
		return -1;
	}
	for (i = 0; i < st->nids; i++) {
		if (strcmp(st->ids[i], id) != 0)
			continue;
		/* The set stays ordered by last Mount: see state.h. */
		dup = st->ids[i];
		memmove(&st->ids[i], &st->ids[i + 1],
		    (st->nids - i - 1) * sizeof(*st->ids));
		st->ids[st->nids - 1] = dup;
		return 0;
	}
	if (st->nids >= STATE_IDS_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "volume %s already holds %d mount IDs", st->name,
		    STATE_IDS_MAX);
		return -1;
	}
	if ((dup = strdup(id)) == NULL ||
	    (v = realloc(st->ids, (st->nids + 1) * sizeof(*v))) == NULL) {
		free(dup);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	v[st->nids++] = dup;
	st->ids = v;
	return 1;
}

int
state_id_remove(struct volume_state *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->nids; i++) {
		if (strcmp(st->ids[i], id) != 0)
			continue;
		free(st->ids[i]);
		memmove(&st->ids[i], &st->ids[i + 1],
		    (st->nids - i - 1) * sizeof(*st->ids));
		if (--st->nids == 0) {
			free(st->ids);
			st->ids = NULL;
		}
		return 1;
	}
	return 0;
}

json_object *
state_to_json(const struct volume_state *st)
{
	json_object *o = json_object_new_object(), *ids = NULL;
	size_t i;

	if (o == NULL || (ids = json_object_new_array()) == NULL)
		goto fail;
	for (i = 0; i < st->nids; i++) {
		json_object *s = json_object_new_string(st->ids[i]);

		if (s == NULL || json_object_array_add(ids, s) != 0) {
			json_object_put(s);
			goto fail;
		}
	}
	if (jsonx_add_int64(o, "version", 1) == -1 ||
	    jsonx_add_str(o, "name", st->name) == -1 ||
	    jsonx_add_str(o, "uuid", st->uuid) == -1 ||
	    jsonx_add_str(o, "filesystem_path",
		st->filesystem_path != NULL ? st->filesystem_path : "") == -1 ||
	    jsonx_add_int64(o, "nfs_port", st->nfs_port) == -1 ||
	    jsonx_add_int64(o, "mount_port", st->mount_port) == -1 ||
	    jsonx_add_int64(o, "size_mib", (int64_t)st->size_mib) == -1 ||
	    jsonx_add_int64(o, "created_ms", st->created_ms) == -1 ||
	    jsonx_add_bool(o, "ro", st->opts.ro) == -1 ||
	    jsonx_add_str(o, "nfsvers", st->opts.nfsvers) == -1 ||
	    jsonx_add_bool(o, "perms_applied", st->perms_applied) == -1)
		goto fail;
	if ((st->opts.has_uid &&
		jsonx_add_int64(o, "uid", st->opts.uid) == -1) ||
	    (st->opts.has_gid &&
		jsonx_add_int64(o, "gid", st->opts.gid) == -1) ||
	    (st->opts.has_mode &&
		jsonx_add_int64(o, "mode", st->opts.mode) == -1))
		goto fail;
	json_object_object_add(o, "ids", ids);
	return o;
fail:
	if (ids != NULL)
		json_object_put(ids);
	if (o != NULL)
		json_object_put(o);
	return NULL;
}

static int
get_bounded(json_object *obj, const char *key, int64_t min, int64_t max,
    int64_t *out, int *present, struct tnfs_err *err)
{
	json_object *v;

	*present = 0;
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (jsonx_get_int64(obj, key, out) == -1 || *out < min || *out > max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "state: %s must be an integer in %lld..%lld", key,
		    (long long)min, (long long)max);
		return -1;
	}
	*present = 1;
	return 0;
}

static int
get_str(json_object *obj, const char *key, char *buf, size_t len, int required,
    struct tnfs_err *err)
{
	return jsonx_copy_str(obj, key, buf, len, required ? JSONX_REQUIRED : 0,
	    TNFS_E_VALIDATION, "state", err);
}

int
state_from_json(struct volume_state *st, json_object *obj, struct tnfs_err *err)
{
	json_object *ids;
	char fspath[STATE_FSPATH_MAX + 1] = "";
	int64_t n;
	int present, b, rc = -1;
	size_t i;

	memset(st, 0, sizeof(*st));
	volume_opts_default(&st->opts);
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "state: not an object");
		goto out;
	}
	if (get_str(obj, "name", st->name, sizeof(st->name), 1, err) == -1 ||
	    tnfs_name_check(st->name, err) == -1 ||
	    get_str(obj, "uuid", st->uuid, sizeof(st->uuid), 0, err) == -1 ||
	    get_str(obj, "filesystem_path", fspath, sizeof(fspath), 0, err) ==
		-1 ||
	    get_str(obj, "nfsvers", st->opts.nfsvers, sizeof(st->opts.nfsvers),
		0, err) == -1)
		goto out;
	if (state_fspath_set(st, fspath) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (st->opts.nfsvers[0] == '\0')
		snprintf(st->opts.nfsvers, sizeof(st->opts.nfsvers), "auto");
	if (get_bounded(obj, "nfs_port", 0, 65535, &n, &present, err) == -1)
		goto out;
	st->nfs_port = present ? (int)n : 0;
	if (get_bounded(obj, "mount_port", 0, 65535, &n, &present, err) == -1)
		goto out;
	st->mount_port = present ? (int)n : 0;
	if (get_bounded(obj, "size_mib", 0, INT64_MAX, &n, &present, err) == -1)
		goto out;
	st->size_mib = present ? (uint64_t)n : 0;
	if (get_bounded(obj, "created_ms", 0, INT64_MAX, &n, &present, err) ==
	    -1)
		goto out;
	st->created_ms = present ? n : 0;
	if (get_bounded(obj, "uid", 0, UINT32_MAX - 1, &n, &present, err) == -1)
		goto out;
	st->opts.has_uid = present;
	st->opts.uid = present ? (uint32_t)n : 0;
	if (get_bounded(obj, "gid", 0, UINT32_MAX - 1, &n, &present, err) == -1)
		goto out;
	st->opts.has_gid = present;
	st->opts.gid = present ? (uint32_t)n : 0;
	if (get_bounded(obj, "mode", 0, 07777, &n, &present, err) == -1)
		goto out;
	st->opts.has_mode = present;
	st->opts.mode = present ? (uint32_t)n : 0;
	if (jsonx_get_bool(obj, "ro", &b) == 0)
		st->opts.ro = b;
	if (jsonx_get_bool(obj, "perms_applied", &b) == 0)
		st->perms_applied = b;
	if (json_object_object_get_ex(obj, "ids", &ids)) {
		if (!json_object_is_type(ids, json_type_array)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "state: ids is not an array");
			goto out;
		}
		for (i = 0; i < json_object_array_length(ids); i++) {
			json_object *e = json_object_array_get_idx(ids, i);

			if (!json_object_is_type(e, json_type_string) ||
			    state_id_add(st, json_object_get_string(e), err) ==
				-1) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "state: ids[%zu] is not a valid mount ID",
				    i);
				goto out;
			}
		}
	}
	rc = 0;
out:
	if (rc == -1)
		volume_state_clear(st);
	return rc;
}

/*
 * <dir>/_<SHA-256 of the name>.json: a fixed length whatever the name (a
 * 256-byte name plus ".json" and the temporary file's suffix do not fit
 * in a file name), and the '_' keeps it apart from the files named
 * <name>.json by earlier versions (a name starts with a letter or digit).
 */
static int
state_path(char *buf, size_t len, const char *dir, const char *name,
    struct tnfs_err *err)
{
	char hex[TNFS_SHA256_HEX_BUFSZ];
	int n;

	if (tnfs_name_check(name, err) == -1)
		return -1;
	tnfs_sha256_hex(name, strlen(name), hex);
	n = snprintf(buf, len, "%s/_%s.json", dir, hex);
	if (n < 0 || (size_t)n >= len) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "state path too long");
		return -1;
	}
	return 0;
}

int
state_save(const char *dir, const struct volume_state *st, struct tnfs_err *err)
{
	char path[4096];
	json_object *o = NULL;
	const char *text;
	int rc = -1;

	if (state_path(path, sizeof(path), dir, st->name, err) == -1)
		goto out;
	if ((o = state_to_json(st)) == NULL ||
	    (text = json_object_to_json_string_ext(
		 o, JSON_C_TO_STRING_PLAIN)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (fsutil_write_atomic(path, text, strlen(text), 0600, err) == -1) {
		tnfs_err_prefix(err, "saving the state of volume %s", st->name);
		goto out;
	}
	rc = 0;
out:
	if (o != NULL)
		json_object_put(o);
	return rc;
}

int
state_delete(const char *dir, const char *name, struct tnfs_err *err)
{
	char path[4096];

	if (state_path(path, sizeof(path), dir, name, err) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "unlink %s", path);
		return -1;
	}
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Set a file aside as <path>.bad, with the reason in the log. */
static void
set_aside(const char *path, const struct tnfs_err *e)
{
	char bad[4200];

	log_err(TNFS_LOG_WARN, e, "state file %s is unusable; renamed to .bad",
	    path);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	rename(path, bad);
}

/*
 * Move one <name>.json of an earlier version to its digest name.  link,
 * then unlink: never replaces a file, and a crash in between leaves two
 * copies of the same record, which the next start resolves like this one.
 */
static void
migrate_one(const char *dir, const char *file)
{
	char name[TNFS_NAME_MAX + 1], from[4096], to[4096];
	struct tnfs_err e;
	size_t n = strlen(file) - strlen(".json");

	tnfs_err_clear(&e);
	if (snprintf(from, sizeof(from), "%s/%s", dir, file) >=
	    (int)sizeof(from))
		return;
	if (n > TNFS_NAME_MAX) {
		tnfs_err_set(&e, TNFS_E_VALIDATION, "not a volume name");
		set_aside(from, &e);
		return;
	}
	memcpy(name, file, n);
	name[n] = '\0';
	if (state_path(to, sizeof(to), dir, name, &e) == -1) {
		set_aside(from, &e);
		return;
	}
	if (link(from, to) == -1) {
		if (errno == EEXIST) {
			/* The digest file is the newer record. */
			tnfs_err_set(
			    &e, TNFS_E_VALIDATION, "superseded by %s", to);
			set_aside(from, &e);
		} else
			log_warn("state file %s: cannot rename to %s: %s", from,
			    to, strerror(errno));
		return;
	}
	if (unlink(from) == -1)
		log_warn("unlink %s: %s", from, strerror(errno));
	else
		log_info("state file %s renamed to %s", from, to);
}

/* Earlier versions named state files <name>.json: rename them all first,
 * so the loading pass sees each record once. */
static int
migrate(const char *dir, struct tnfs_err *err)
{
	char **files = NULL, **grown;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int rc = -1, fd;

	if ((d = opendir(dir)) == NULL) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "opendir %s", dir);
		return -1;
	}
	/* Names first, renames after: a directory changed while it is read
	 * may show an entry twice. */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_name[0] == '_' ||
		    !ends_with(de->d_name, ".json"))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((grown = realloc(files, cap * sizeof(*files))) ==
			    NULL)
				goto nomem;
			files = grown;
		}
		if ((files[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	for (i = 0; i < n; i++)
		migrate_one(dir, files[i]);
	if (n > 0 &&
	    (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	rc = 0;
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	closedir(d);
	return rc;
}

int
state_load_all(const char *dir, void (*fn)(void *arg, struct volume_state *st),
    void *arg, struct tnfs_err *err)
{
	DIR *d = NULL;
	struct dirent *de;
	int rc = -1;

	if (fsutil_mkdir_p(dir, 0700, err) == -1 || migrate(dir, err) == -1)
		goto out;
	if ((d = opendir(dir)) == NULL) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "opendir %s", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct volume_state st;
		struct tnfs_err e;
		char path[4096], want[4096];
		json_object *obj = NULL;
		char *text = NULL;
		size_t len;

		if (de->d_name[0] != '_' || !ends_with(de->d_name, ".json"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		tnfs_err_clear(&e);
		if (fsutil_read_file(path, STATE_FILE_MAX, &text, &len, &e) ==
			0 &&
		    (obj = jsonx_parse(text, len, 16, &e)) != NULL &&
		    state_from_json(&st, obj, &e) == 0) {
			/* The file name must match the record it holds. */
			if (state_path(want, sizeof(want), dir, st.name, &e) ==
				0 &&
			    strcmp(want, path) == 0)
				fn(arg, &st);
			else {
				tnfs_err_set(&e, TNFS_E_VALIDATION,
				    "holds volume %s", st.name);
				volume_state_clear(&st);
			}
		}
		if (tnfs_err_isset(&e))
			set_aside(path, &e);
		if (obj != NULL)
			json_object_put(obj);
		free(text);
	}
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	return rc;
}
