/*
 * storage_cephfs_snap.c: snapshots of the cephfs storage backend: taken on
 * the volume's current generation, deleted from whichever generation holds
 * them, and rollback by clone and swap (storage_cephfs.c explains the
 * generations), and clones: a new volume made from a snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "storage_cephfs.h"
#include "storage_impl.h"

int
cephfs_snapshot_create(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "snapshot", "create", b->fs,
	    sv, snap, "--group_name", b->group, NULL};
	unsigned gen;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    cephfs_current_gen(b, uuid, &gen, err) == -1)
		return -1;
	cephfs_subvol_name(uuid, gen, sv);
	if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL, "taking the snapshot",
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

	if (cephfs_subvol_list(b, &names, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (cephfs_parse_subvol(names[i], u, &g) == -1 ||
		    strcmp(u, uuid) != 0)
			continue;
		if (!any || g > *current)
			*current = g;
		any = 1;
		if (found)
			continue;
		if (cephfs_snap_list(b, names[i], &snaps, &ns, err) == -1)
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

int
cephfs_snapshot_delete(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char sv[SUBVOL_BUFSZ];
	unsigned gen = 0, current = 0;
	size_t nleft = 0;

	if (cephfs_check_uuid(uuid, err) == -1)
		return -1;
	if (find_snap(b, uuid, snap, &gen, &current, &nleft, err) == -1) {
		/* Absent: deleted already. */
		if (tnfs_err_is(err, TNFS_E_SNAPSHOT_NOT_FOUND)) {
			tnfs_err_clear(err);
			return 0;
		}
		return -1;
	}
	cephfs_subvol_name(uuid, gen, sv);
	if (cephfs_snap_rm(b, sv, snap, err) == -1)
		goto fail;
	/* A generation replaced by a rollback lives for its snapshots only. */
	if (gen != current && nleft == 0 &&
	    cephfs_subvol_rm(b, uuid, sv, 0, err) == -1)
		goto fail;
	return 0;
fail:
	tnfs_err_prefix(err, "volume %s, snapshot %s", uuid, snap);
	return -1;
}

/*
 * Clone and swap (see the top of the file).  The caller has unexported
 * the volume; the next exports sync serves the new generation's path.
 */
int
cephfs_snapshot_rollback(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char from[SUBVOL_BUFSZ], cur[SUBVOL_BUFSZ], to[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "snapshot", "clone", b->fs,
	    from, snap, to, "--group_name", b->group, "--target_group_name",
	    b->group, NULL};
	const char *rm[] = {"fs", "subvolume", "rm", b->fs, to, "--group_name",
	    b->group, "--force", NULL};
	char **snaps = NULL;
	unsigned gen = 0, current = 0;
	size_t nleft, ns = 0;
	uint64_t mib;
	int rc = -1;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    find_snap(b, uuid, snap, &gen, &current, &nleft, err) == -1)
		goto out;
	cephfs_subvol_name(uuid, gen, from);
	cephfs_subvol_name(uuid, current, cur);
	cephfs_subvol_name(uuid, current + 1, to);
	if (cephfs_quota_mib(b, cur, &mib, err) == -1)
		goto out;
	if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL, "cloning the snapshot",
		err) == -1)
		goto out;
	/*
	 * The user leaves the old generation before it joins the new one:
	 * deauthorize rewrites all its caps and drops its monitor access
	 * when it is authorized elsewhere too (Ceph 16).  Its key may change;
	 * refresh reads it again for the export.
	 */
	if (cephfs_clone_wait(b, to, err) == -1 ||
	    cephfs_set_quota(b, to, mib, err) == -1 ||
	    cephfs_deauthorize(b, uuid, cur, err) == -1 ||
	    cephfs_refresh(b, uuid, current + 1, err) == -1) {
		struct tnfs_err e2;

		/* Nothing swapped yet: the volume stays as it was. */
		tnfs_err_clear(&e2);
		if (cephfs_refresh(b, uuid, current, &e2) == -1)
			log_err(TNFS_LOG_ERROR, &e2, "volume %s", uuid);
		tnfs_err_clear(&e2);
		if (cephfs_run(b, rm, CEPHFS_CALL_MS, NULL,
			"removing the failed clone", &e2) == -1)
			log_err(TNFS_LOG_WARN, &e2, "volume %s", uuid);
		goto out;
	}
	log_info(
	    "volume %s rolled back to %s: now subvolume %s", uuid, snap, to);
	/* The generation it replaced stays only for its snapshots. */
	if (cephfs_snap_list(b, cur, &snaps, &ns, err) == -1)
		goto out;
	if (ns == 0 && cephfs_subvol_rm(b, uuid, cur, 0, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "volume %s, rollback to %s", uuid, snap);
	storage_list_free(snaps, ns);
	return rc;
}

/* Stop and remove a clone into sv that will not be finished. */
static void
clone_drop(struct cephfs_backend *b, const char *uuid, const char *sv)
{
	const char *cancel[] = {
	    "fs", "clone", "cancel", b->fs, sv, "--group_name", b->group, NULL};
	const char *rm[] = {"fs", "subvolume", "rm", b->fs, sv, "--group_name",
	    b->group, "--force", NULL};
	struct tnfs_err e2;

	/* Cancel answers an error for a clone already over: that is fine. */
	tnfs_err_clear(&e2);
	cephfs_run(b, cancel, CEPHFS_CALL_MS, NULL, "cancelling the clone", &e2);
	tnfs_err_clear(&e2);
	if (cephfs_run(b, rm, CEPHFS_CALL_MS, NULL,
		"removing the failed clone", &e2) == -1 ||
	    cephfs_user_rm(b, uuid, &e2) == -1)
		log_err(TNFS_LOG_WARN, &e2, "volume %s: failed clone left", uuid);
}

/*
 * `ceph fs subvolume snapshot clone` into the new volume's subvolume (the
 * generation of src that holds snap, into GROUP/<uuid>), a wait of up to
 * CLONE_TIMEOUT_MS for the manager's copy, then the quota and the cephx
 * user.  The copy is a full one, in the background of the manager: it
 * costs time and space in proportion to the snapshot's data
 * (docs/cephfs.md).  A subvolume uuid already has is a clone a crash
 * interrupted: it is waited for, not started again.  A failed or timed-out
 * clone is cancelled and removed.
 */
int
cephfs_volume_clone(void *impl, const char *uuid, const char *src,
    const char *snap, uint64_t size_mib, struct tnfs_err *err)
{
	struct cephfs_backend *b = impl;
	char from[SUBVOL_BUFSZ], to[SUBVOL_BUFSZ];
	const char *args[] = {"fs", "subvolume", "snapshot", "clone", b->fs,
	    from, snap, to, "--group_name", b->group, "--target_group_name",
	    b->group, NULL};
	unsigned gen = 0, current = 0;
	size_t nleft;
	struct tnfs_err nf;
	int rc = -1;

	if (cephfs_check_uuid(uuid, err) == -1 ||
	    cephfs_check_uuid(src, err) == -1)
		goto out;
	cephfs_subvol_name(uuid, 0, to);
	tnfs_err_clear(&nf);
	if (cephfs_current_gen(b, uuid, &gen, &nf) == -1) {
		if (!tnfs_err_is(&nf, TNFS_E_NOT_FOUND)) {
			if (err != NULL)
				*err = nf;
			goto out;
		}
		if (find_snap(b, src, snap, &gen, &current, &nleft, err) == -1)
			goto out;
		cephfs_subvol_name(src, gen, from);
		if (cephfs_run(b, args, CEPHFS_CALL_MS, NULL,
			"cloning the snapshot", err) == -1)
			goto out;
		gen = 0;
	}
	if (gen != 0) {
		/* Rolled back since: the clone is long over. */
		cephfs_subvol_name(uuid, gen, to);
	} else if (cephfs_clone_wait(b, to, err) == -1) {
		clone_drop(b, uuid, to);
		goto out;
	}
	if (cephfs_set_quota(b, to, size_mib, err) == -1 ||
	    cephfs_refresh(b, uuid, gen, err) == -1) {
		clone_drop(b, uuid, to);
		goto out;
	}
	log_info("volume %s cloned from %s@%s", uuid, src, snap);
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "volume %s, clone of %s@%s", uuid, src, snap);
	return rc;
}
