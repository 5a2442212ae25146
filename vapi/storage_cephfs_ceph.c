/*
 * storage_cephfs_ceph.c: the `ceph` commands of the cephfs storage backend,
 * one function each (storage_cephfs.h).  Every command runs through
 * child_run with a deadline, as our cephx client, with JSON output.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "jsonx.h"
#include "storage_cephfs.h"
#include "storage_impl.h"
#include "timefmt.h"

void
cephfs_auth_id(
    const struct cephfs_backend *b, const char *uuid, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", b->group, uuid);
}

/*
 * Run `ceph ARGS... --format json` as our client with a deadline.  *out
 * (when not NULL) receives stdout, which the caller frees.  what names the
 * operation in the error ("creating the subvolume of volume X").
 */
int
cephfs_run(struct cephfs_backend *b, const char *const *args, int timeout_ms,
    char **out, const char *what, struct tnfs_err *err)
{
	const char *argv[40];
	char tmo[16];
	struct child_opts opts = {.timeout_ms = timeout_ms};
	struct child_result res = {0};
	size_t n = 0, i;
	int rc = -1;

	/* The CLI's own connect timeout ends a call before the kill does. */
	snprintf(tmo, sizeof(tmo), "%d",
	    timeout_ms / 1000 > 1 ? timeout_ms / 1000 - 1 : 1);
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
		if (res.timed_out ||
		    (res.errout != NULL &&
			(strstr(res.errout, "timed out") != NULL ||
			    strstr(res.errout, "TimedOut") != NULL))) {
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "Ceph did not answer within %d s (cluster of %s)",
			    timeout_ms / 1000, b->conf);
			pthread_mutex_lock(&b->mu);
			b->quiet_until = tnfs_mono_ms() + QUIET_MS;
			pthread_mutex_unlock(&b->mu);
		}
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
int
cephfs_is_enoent(const struct tnfs_err *err)
{
	return strstr(err->msg, "ENOENT") != NULL ||
	    strstr(err->msg, "does not exist") != NULL;
}

json_object *
cephfs_parse_json(const char *text, const char *what, struct tnfs_err *err)
{
	json_object *j = jsonx_parse(text, strlen(text), 16, err);

	if (j == NULL)
		tnfs_err_prefix(
		    err, "%s: Ceph answered with unreadable JSON", what);
	return j;
}

int
cephfs_getpath(struct cephfs_backend *b, const char *sv, char *buf, size_t len,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "getpath", b->fs, sv,
	    "--group_name", b->group, NULL};
	char *out = NULL, *p, *start;
	int rc = -1;

	if (cephfs_run(b, args, CEPHFS_CALL_MS, &out,
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
int
cephfs_authorize(struct cephfs_backend *b, const char *uuid, const char *sv,
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

	cephfs_auth_id(b, uuid, id, sizeof(id));
	snprintf(entity, sizeof(entity), "client.%s", id);
	if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
		"authorizing the volume's cephx user", err) == -1 ||
	    cephfs_run(b, get, CEPHFS_CALL_MS, &out,
		"reading the volume's cephx key", err) == -1 ||
	    (j = cephfs_parse_json(out, "auth get-key", err)) == NULL)
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

int
cephfs_deauthorize(struct cephfs_backend *b, const char *uuid, const char *sv,
    struct tnfs_err *err)
{
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 2];
	const char *args[] = {"fs", "subvolume", "deauthorize", b->fs, sv, id,
	    "--group_name", b->group, NULL};

	cephfs_auth_id(b, uuid, id, sizeof(id));
	if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
		"revoking the volume's cephx user", err) == -1) {
		if (cephfs_is_enoent(err)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	return 0;
}

int
cephfs_set_quota(struct cephfs_backend *b, const char *sv, uint64_t size_mib,
    struct tnfs_err *err)
{
	char bytes[32];
	const char *args[] = {"fs", "subvolume", "resize", b->fs, sv, bytes,
	    "--group_name", b->group, "--no_shrink", NULL};

	snprintf(bytes, sizeof(bytes), "%llu",
	    (unsigned long long)(size_mib * CEPHFS_MIB));
	return cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
	    "setting the subvolume's quota", err);
}

/* The snapshot names of subvolume sv; *names freed by storage_list_free. */
int
cephfs_snap_list(struct cephfs_backend *b, const char *sv, char ***names,
    size_t *n, struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "snapshot", "ls", b->fs, sv,
	    "--group_name", b->group, NULL};
	json_object *j = NULL;
	char *out = NULL;
	size_t cap = 0, i, len;
	int rc = -1;

	*names = NULL;
	*n = 0;
	if (cephfs_run(
		b, args, CEPHFS_CALL_MS, &out, "listing snapshots", err) == -1)
		return -1;
	if ((j = cephfs_parse_json(out, "listing snapshots", err)) == NULL)
		goto out;
	len = json_object_is_type(j, json_type_array)
	    ? json_object_array_length(j)
	    : 0;
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

int
cephfs_snap_rm(struct cephfs_backend *b, const char *sv, const char *snap,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "snapshot", "rm", b->fs, sv,
	    snap, "--group_name", b->group, "--force", NULL};

	return cephfs_run(
	    b, args, CEPHFS_CALL_MS, NULL, "deleting a snapshot", err);
}

/*
 * deauthorize leaves the cephx user in place once it has no subvolume
 * left on some releases: remove it so that nothing of the volume stays.
 */
int
cephfs_user_rm(struct cephfs_backend *b, const char *uuid, struct tnfs_err *err)
{
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 10];
	const char *args[] = {"auth", "rm", id, NULL};

	snprintf(id, sizeof(id), "client.");
	cephfs_auth_id(b, uuid, id + 7, sizeof(id) - 7);
	/* auth rm of an absent user succeeds. */
	return cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
	    "removing the volume's cephx user", err);
}

/* Wait for the clone into sv to complete; -1 when it failed or timed out. */
int
cephfs_clone_wait(
    struct cephfs_backend *b, const char *sv, struct tnfs_err *err)
{
	const char *args[] = {
	    "fs", "clone", "status", b->fs, sv, "--group_name", b->group, NULL};
	struct timespec t0, t;
	json_object *j, *st;
	const char *state;
	char *out;
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		out = NULL;
		if (cephfs_run(b, args, CEPHFS_CALL_MS, &out,
			"reading the clone's status", err) == -1)
			return -1;
		j = cephfs_parse_json(out, "clone status", err);
		free(out);
		if (j == NULL)
			return -1;
		state = json_object_object_get_ex(j, "status", &st)
		    ? jsonx_get_str(st, "state")
		    : NULL;
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

int
cephfs_quota_mib(struct cephfs_backend *b, const char *sv, uint64_t *mib,
    struct tnfs_err *err)
{
	const char *args[] = {"fs", "subvolume", "info", b->fs, sv,
	    "--group_name", b->group, NULL};
	json_object *j = NULL;
	char *text = NULL;
	int64_t q;
	int rc = -1;

	if (cephfs_run(b, args, CEPHFS_CALL_MS, &text,
		"reading the subvolume's quota", err) == -1 ||
	    (j = cephfs_parse_json(text, "subvolume info", err)) == NULL)
		goto out;
	if (jsonx_get_int64(j, "bytes_quota", &q) == -1 || q <= 0) {
		tnfs_err_set(
		    err, TNFS_E_INTERNAL, "subvolume %s has no quota", sv);
		goto out;
	}
	*mib = (uint64_t)q / CEPHFS_MIB;
	rc = 0;
out:
	json_object_put(j);
	free(text);
	return rc;
}

int
cephfs_user_list(
    struct cephfs_backend *b, char ***uuids, size_t *n, struct tnfs_err *err)
{
	const char *args[] = {"auth", "ls", NULL};
	char prefix[NAME_MAX_LEN + 16], u[TNFS_UUID_BUFSZ];
	json_object *j = NULL, *dump;
	char *out = NULL;
	size_t cap = 0, i, len, plen;
	int rc = -1;

	*uuids = NULL;
	*n = 0;
	plen = (size_t)snprintf(prefix, sizeof(prefix), "client.%s-", b->group);
	if (cephfs_run(b, args, CEPHFS_CALL_MS, &out, "listing cephx users",
		err) == -1 ||
	    (j = cephfs_parse_json(out, "auth ls", err)) == NULL)
		goto out;
	if (!json_object_object_get_ex(j, "auth_dump", &dump) ||
	    !json_object_is_type(dump, json_type_array)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "auth ls: Ceph answered with no auth_dump");
		goto out;
	}
	len = json_object_array_length(dump);
	for (i = 0; i < len; i++) {
		const char *e =
		    jsonx_get_str(json_object_array_get_idx(dump, i), "entity");

		if (e == NULL || strncmp(e, prefix, plen) != 0 ||
		    strlen(e + plen) != TNFS_UUID_BUFSZ - 1)
			continue;
		memcpy(u, e + plen, TNFS_UUID_BUFSZ);
		if (!tnfs_uuid_valid(u))
			continue;
		if (storage_list_append(uuids, n, &cap, u) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1) {
		storage_list_free(*uuids, *n);
		*uuids = NULL;
		*n = 0;
	}
	json_object_put(j);
	free(out);
	return rc;
}
