/*
 * exports_ceph_fence.c: evicting a cephx user's CephFS sessions (see
 * exports_ceph_fence.h), with `ceph tell mds.FS:0 client ls` and
 * `client evict id=N`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "child.h"
#include "exports_ceph_fence.h"
#include "jsonx.h"

/* Names we put on a command line: what set_name in the exporter allows. */
static int
name_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
			s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

/* `ceph ... tell mds.FS:0 WORDS...`, its stdout into res. */
static int
mds_tell(const char *conf, const char *client, const char *fs,
    const char *const *words, int timeout_ms, struct child_result *res,
    struct tnfs_err *err)
{
	const char *argv[16];
	struct child_opts opts = {.timeout_ms = timeout_ms};
	char mds[96];
	size_t n = 0, i;

	snprintf(mds, sizeof(mds), "mds.%s:0", fs);
	argv[n++] = "ceph";
	argv[n++] = "--conf";
	argv[n++] = conf;
	argv[n++] = "--id";
	argv[n++] = client;
	argv[n++] = "--format";
	argv[n++] = "json";
	argv[n++] = "tell";
	argv[n++] = mds;
	for (i = 0; words[i] != NULL && n < 15; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	return child_run(argv, &opts, res, err);
}

/* The session ids of user in a `client ls` answer, into ids[0..max). */
static int
sessions_of(const char *text, const char *user, int64_t *ids, size_t max,
    size_t *n, struct tnfs_err *err)
{
	json_object *j = json_tokener_parse(text), *s, *md;
	size_t i, len;
	int64_t id;
	const char *who;

	*n = 0;
	if (j == NULL || !json_object_is_type(j, json_type_array)) {
		json_object_put(j);
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "the MDS's client list is not a JSON array");
		return -1;
	}
	len = json_object_array_length(j);
	for (i = 0; i < len && *n < max; i++) {
		s = json_object_array_get_idx(j, i);
		if (!json_object_object_get_ex(s, "client_metadata", &md) ||
		    (who = jsonx_get_str(md, "entity_id")) == NULL ||
		    strcmp(who, user) != 0 ||
		    jsonx_get_int64(s, "id", &id) == -1)
			continue;
		ids[(*n)++] = id;
	}
	json_object_put(j);
	return 0;
}

int
ceph_fence_user(const char *conf, const char *client, const char *fs,
    const char *user, int timeout_ms, struct tnfs_err *err)
{
	static const char *const ls[] = {"client", "ls", NULL};
	struct child_result res = {0};
	int64_t ids[16];
	size_t n = 0, i;
	char arg[64];
	int evicted = 0;

	if (!name_ok(fs, 48) || !name_ok(user, 120) || !name_ok(client, 120)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "cannot fence \"%.64s\" on \"%.64s\": not a Ceph name",
		    user, fs);
		return -1;
	}
	if (mds_tell(conf, client, fs, ls, timeout_ms, &res, err) == -1 ||
	    sessions_of(res.out != NULL ? res.out : "", user, ids,
		sizeof(ids) / sizeof(ids[0]), &n, err) == -1) {
		child_result_free(&res);
		tnfs_err_prefix(err, "listing the CephFS sessions of %s", user);
		return -1;
	}
	child_result_free(&res);
	for (i = 0; i < n; i++) {
		const char *const evict[] = {"client", "evict", arg, NULL};

		snprintf(arg, sizeof(arg), "id=%" PRId64, ids[i]);
		if (mds_tell(conf, client, fs, evict, timeout_ms, NULL, err) ==
		    -1) {
			tnfs_err_prefix(err, "evicting CephFS session %" PRId64
					     " of %s",
			    ids[i], user);
			return -1;
		}
		evicted++;
	}
	return evicted;
}
