/*
 * provision_jobs.c: what each provisioning job does to the storage and the
 * records (create, clone, delete, restart, rollback, and a claimed volume
 * taken over from a dead instance).  Every step is driven by the state in
 * the store and may run twice: a job cut short by a crash is run again
 * from that state.
 */
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "exports.h"
#include "exports_head.h"
#include "fence.h"
#include "instances.h"
#include "log.h"
#include "provision.h"
#include "snapshots.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "uuid.h"
#include "volumes.h"
#include "provision_impl.h"

void
prov_fail_volume(struct provision *p, const char *uuid, const char *from,
    const struct tnfs_err *why)
{
	struct tnfs_err err;

	log_err(TNFS_LOG_ERROR, why, "volume %s failed", uuid);
	if (store_volume_set_state(
		p->va->store, uuid, from, "failed", why->msg, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err,
		    "volume %s: cannot record failure", uuid);
	/*
	 * A failed volume leaves the exported set: at the next sync here, at
	 * once on a shared head (its holder reads only what bumps name).
	 */
	if (p->head != NULL)
		exports_head_ask(p->head, uuid);
	else
		prov_export_mark(p, uuid);
}

/*
 * The volume's storage: empty, or a clone of the source its record was
 * stored with (volumes.h, VOLUMES_CLONE_KEY).  A restart finds the same
 * source again, and both storage calls finish what a crash cut short.
 */
static int
make_storage(struct provision *p, const struct volume *v, struct tnfs_err *err)
{
	char key[sizeof(VOLUMES_CLONE_KEY) + TNFS_UUID_BUFSZ], *src = NULL, *at;
	int rc = -1;

	snprintf(key, sizeof(key), VOLUMES_CLONE_KEY "%s", v->uuid);
	if (store_meta_get(p->va->store, key, &src, err) == -1)
		return -1;
	if (src == NULL)
		return storage_volume_create(
		    p->va->storage, v->uuid, v->size, err);
	if ((at = strchr(src, '@')) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "volume %s: clone source \"%.100s\" is not UUID@SNAPSHOT",
		    v->uuid, src);
		goto out;
	}
	*at = '\0';
	rc = storage_volume_clone(
	    p->va->storage, v->uuid, src, at + 1, v->size, err);
out:
	free(src);
	return rc;
}

/* The clone's source is needed no more once it is ready, failed or gone. */
static void
forget_source(struct provision *p, const char *uuid)
{
	char key[sizeof(VOLUMES_CLONE_KEY) + TNFS_UUID_BUFSZ];
	struct tnfs_err err;

	snprintf(key, sizeof(key), VOLUMES_CLONE_KEY "%s", uuid);
	if (store_meta_delete(p->va->store, key, &err) == -1)
		log_err(
		    TNFS_LOG_WARN, &err, "volume %s: clone source kept", uuid);
}

static void
do_create(struct provision *p, const char *uuid)
{
	struct vapi *va = p->va;
	struct volume *v = NULL;
	struct tnfs_err err;
	char fspath[512];
	int nfs_port, mount_port, r;

	tnfs_err_clear(&err);
	if (store_volume_get(va->store, uuid, &v, &err) == -1 ||
	    strcmp(v->state, "creating") != 0)
		goto out;
	if (prov_served_at(p, v, fspath, sizeof(fspath), &nfs_port, &mount_port,
		&err) == -1 ||
	    make_storage(p, v, &err) == -1 ||
	    store_volume_set_exported(va->store, uuid, 1, &err) == -1 ||
	    prov_export_sync_wait(p, uuid, &err) == -1) {
		store_volume_set_exported(va->store, uuid, 0, NULL);
		prov_fail_volume(p, uuid, "creating", &err);
		forget_source(p, uuid);
		goto out;
	}
	r = store_volume_set_ready(
	    va->store, uuid, fspath, nfs_port, mount_port, &err);
	/* Its export now names the head it is on: the next sync reads it. */
	prov_export_mark(p, uuid);
	if (r == -1)
		log_err(
		    TNFS_LOG_ERROR, &err, "volume %s: cannot mark ready", uuid);
	else if (r == 1)
		log_info("volume %s ready at %s", uuid, fspath);
	if (r == 1)
		forget_source(p, uuid);
out:
	volume_free(v);
}

static void
do_delete(struct provision *p, const char *uuid)
{
	struct vapi *va = p->va;
	struct volume *v = NULL;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (store_volume_get(va->store, uuid, &v, &err) == -1 ||
	    strcmp(v->state, "deleting") != 0)
		goto out;
	/*
	 * Stop serving first, so no client writes into what goes away.  The
	 * move to deleting already took it out of the exported set, but the
	 * NFS server still serves it until a sync says otherwise.
	 */
	if ((v->exported &&
		store_volume_set_exported(va->store, uuid, 0, &err) == -1) ||
	    prov_export_sync_wait(p, uuid, &err) == -1) {
		prov_fail_volume(p, uuid, "deleting", &err);
		goto out;
	}
	if (storage_volume_destroy(va->storage, uuid, &err) == -1) {
		prov_fail_volume(p, uuid, "deleting", &err);
		goto out;
	}
	if (store_volume_delete(va->store, uuid, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "volume %s: cannot remove record",
		    uuid);
		goto out;
	}
	forget_source(p, uuid); /* deleted while it was being cloned */
	log_info("volume %s deleted", uuid);
out:
	volume_free(v);
}

static int
do_restart(struct provision *p, const char *uuid, struct tnfs_err *err)
{
	struct vapi *va = p->va;
	struct volume *v = NULL;
	int rc = -1;

	if (store_volume_get(va->store, uuid, &v, err) == -1)
		goto out;
	if (strcmp(v->state, "ready") != 0 && strcmp(v->state, "failed") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "Volume with uuid %s is %s: only ready or failed volumes "
		    "can be restarted",
		    uuid, v->state);
		goto out;
	}
	if (storage_volume_activate(va->storage, uuid, err) == -1)
		goto out;
	if (strcmp(v->state, "failed") == 0) {
		/* Storage is back: serve it again, as ready. */
		if (store_volume_set_state(
			va->store, uuid, "failed", "creating", NULL, err) != 1)
			goto out;
		if (store_volume_set_exported(va->store, uuid, 1, err) == -1)
			goto out;
		if (prov_export_sync_wait(p, uuid, err) == -1) {
			store_volume_set_exported(va->store, uuid, 0, NULL);
			prov_fail_volume(p, uuid, "creating", err);
			goto out;
		}
		{
			char fspath[512];
			int np, mp;

			if (prov_served_at(p, v, fspath, sizeof(fspath), &np,
				&mp, err) == -1 ||
			    store_volume_set_ready(
				va->store, uuid, fspath, np, mp, err) == -1)
				goto out;
			prov_export_mark(p, uuid);
		}
	} else if (prov_export_sync_wait(p, uuid, err) == -1) {
		goto out;
	}
	rc = 0;
out:
	volume_free(v);
	return rc;
}

/*
 * A rollback swaps the filesystem behind the export.  While the old one is
 * still served, a client's write lands in a filesystem about to be set
 * aside and is lost without a word, and ganesha keeps serving an unchanged
 * EXPORT's old filesystem until it is dropped and added again.  So the
 * export goes first, the storage rolls back, the export comes back, and
 * only then does the caller hear "rolled back": from that moment every
 * client reaches the rolled-back filesystem (a mount made before it fails,
 * with ESTALE or ENOENT, and never reads the old data).  A crash in between leaves a ready volume
 * unexported, which recover() serves again at the next start.
 */
static int
do_rollback(struct provision *p, const char *uuid, const char *snap,
    struct tnfs_err *err)
{
	struct vapi *va = p->va;
	struct tnfs_err e2;
	int rc = -1;

	if (store_volume_set_exported(va->store, uuid, 0, err) == -1)
		return -1;
	if (prov_export_sync_wait(p, uuid, err) == 0)
		rc = storage_snapshot_rollback(va->storage, uuid, snap, err);
	/* Serve again whatever is there: rolled back, or as it was. */
	tnfs_err_clear(&e2);
	if (store_volume_set_exported(va->store, uuid, 1, &e2) == -1 ||
	    prov_export_sync_wait(p, uuid, &e2) == -1) {
		tnfs_err_prefix(&e2, "volume %s is not served again", uuid);
		prov_fail_volume(p, uuid, "ready", &e2);
		if (rc == 0)
			*err = e2;
		return -1;
	}
	return rc;
}

/* A claimed volume: create or delete it, as its state says. */
static void
do_claimed(struct provision *p, const char *uuid)
{
	struct volume *v = NULL;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (store_volume_get(p->va->store, uuid, &v, &err) == -1) {
		if (strcmp(err.code, "VolumeNotFound") != 0)
			log_err(TNFS_LOG_ERROR, &err, "volume %s", uuid);
		return;
	}
	if (strcmp(v->state, "creating") == 0)
		do_create(p, uuid);
	else if (strcmp(v->state, "deleting") == 0)
		do_delete(p, uuid);
	volume_free(v);
}

int
prov_grow(
    struct provision *p, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	struct store *st = p->va->store;
	char key[sizeof(VOLUMES_GROW_KEY) + TNFS_UUID_BUFSZ];
	struct tnfs_err derr;

	snprintf(key, sizeof(key), VOLUMES_GROW_KEY "%s", uuid);
	if (storage_volume_resize(p->va->storage, uuid, size, err) == -1) {
		if (store_meta_delete(st, key, &derr) == -1)
			log_err(TNFS_LOG_WARN, &derr,
			    "volume %s: the next start retries a refused grow",
			    uuid);
		return -1;
	}
	/* A failure here leaves the key: the next start finishes it. */
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_volume_set_size(st, uuid, size, err) == -1 ||
	    store_meta_delete(st, key, err) == -1) {
		store_tx_rollback(st);
		return -1;
	}
	return store_tx_commit(st, err);
}

void
prov_run_op(struct provision *p, struct job *j)
{
	struct storage *st = p->va->storage;

	switch (j->op) {
	case JOB_CLAIMED:
		do_claimed(p, j->uuid);
		j->rc = 0;
		break;
	case PROVISION_RESIZE:
		j->rc = prov_grow(p, j->uuid, j->size, &j->err);
		break;
	case PROVISION_SNAP_CREATE:
		j->rc = snapshots_job_create(p->va, j->uuid, j->snap, &j->err);
		break;
	case PROVISION_SNAP_DELETE:
		j->rc = snapshots_job_delete(p->va, j->uuid, j->snap, &j->err);
		break;
	case PROVISION_SNAP_ROLLBACK:
		j->rc = do_rollback(p, j->uuid, j->snap, &j->err);
		break;
	case PROVISION_RESTART:
		j->rc = do_restart(p, j->uuid, &j->err);
		break;
	case PROVISION_USAGE:
		j->rc = storage_volume_usage(st, j->uuid, &j->usage, &j->err);
		break;
	default:
		j->rc = -1;
		tnfs_err_set(&j->err, TNFS_E_INTERNAL, "unknown job %d", j->op);
	}
}
