/*
 * storage_cephfs_list.c: the volumes the cephfs backend finds in its
 * group, and the orphans it sets aside (see storage_cephfs.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "jsonx.h"
#include "log.h"
#include "storage_cephfs.h"
#include "storage_impl.h"
#include "uuid.h"

int
cephfs_is_orphan_locked(const struct cephfs_backend *b, const char *name)
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
int
cephfs_subvol_list(
    struct cephfs_backend *b, char ***names, size_t *n, struct tnfs_err *err)
{
	const char *args[] = {
	    "fs", "subvolume", "ls", b->fs, "--group_name", b->group, NULL};
	json_object *j = NULL;
	char *out = NULL;
	size_t cap = 0, i, len;
	int rc = -1;

	*names = NULL;
	*n = 0;
	if (cephfs_run(b, args, CEPHFS_CALL_MS, &out,
		"listing the volumes' subvolumes", err) == -1) {
		/* No group yet: no volumes. */
		if (err != NULL && cephfs_is_enoent(err)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	if ((j = cephfs_parse_json(out, "listing subvolumes", err)) == NULL)
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
		aside = cephfs_is_orphan_locked(b, name);
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
append_unique(char ***v, size_t *n, size_t *cap, const char *u)
{
	size_t k;

	for (k = 0; k < *n; k++)
		if (strcmp((*v)[k], u) == 0)
			return 0;
	return storage_list_append(v, n, cap, u);
}

/*
 * Volumes with a subvolume, and volumes with only a cephx user left (a
 * destroy cut short): both are ours to account for at start.
 */
int
cephfs_list(void *impl, char ***uuids, size_t *n, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char **names = NULL, **users = NULL, u[TNFS_UUID_BUFSZ];
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 2];
	size_t nn = 0, nu = 0, i, cap = 0;
	unsigned g;
	int aside, rc = -1;

	*uuids = NULL;
	*n = 0;
	if (cephfs_subvol_list(b, &names, &nn, err) == -1 ||
	    cephfs_user_list(b, &users, &nu, err) == -1)
		goto out;
	for (i = 0; i < nn; i++) {
		if (cephfs_parse_subvol(names[i], u, &g) == -1) {
			log_warn("subvolume %s/%s is not a volume of ours: "
				 "left alone",
			    b->group, names[i]);
			continue;
		}
		if (append_unique(uuids, n, &cap, u) == -1)
			goto oom;
	}
	for (i = 0; i < nu; i++) {
		cephfs_auth_id(b, users[i], id, sizeof(id));
		pthread_mutex_lock(&b->mu);
		aside = cephfs_is_orphan_locked(b, id);
		pthread_mutex_unlock(&b->mu);
		if (!aside && append_unique(uuids, n, &cap, users[i]) == -1)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	storage_list_free(*uuids, *n);
	*uuids = NULL;
	*n = 0;
out:
	storage_list_free(names, nn);
	storage_list_free(users, nu);
	return rc;
}

/*
 * Subvolumes cannot be renamed: an orphan's subvolumes and cephx user are
 * recorded as set aside in state_dir and listed no more; they stay for the
 * operator (docs/cephfs.md).
 */
int
cephfs_orphan_set_aside(void *impl, const char *uuid, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char **names = NULL, u[TNFS_UUID_BUFSZ], *text = NULL;
	char id[NAME_MAX_LEN + TNFS_UUID_BUFSZ + 2];
	size_t nn = 0, i, cap, len;
	unsigned g;
	FILE *f;
	int rc = -1;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    cephfs_subvol_list(b, &names, &nn, err) == -1)
		return -1;
	cephfs_auth_id(b, uuid, id, sizeof(id));
	pthread_mutex_lock(&b->mu);
	cap = b->norphans;
	/* Its cephx user, whether or not it still exists. */
	if (!cephfs_is_orphan_locked(b, id) &&
	    storage_list_append(&b->orphans, &b->norphans, &cap, id) == -1) {
		pthread_mutex_unlock(&b->mu);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < nn; i++)
		if (cephfs_parse_subvol(names[i], u, &g) == 0 &&
		    strcmp(u, uuid) == 0 &&
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
