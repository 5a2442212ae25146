/*
 * provision.c: worker threads between the volume records and the storage
 * backend and exporter (see provision.h).
 *
 * Threads: one scanner (finds creating/deleting volumes in the store,
 * reaps stale references, queues jobs), nworkers workers (run jobs, one
 * per volume at a time), one exporter thread (the only caller of
 * exporter_sync).  One mutex guards the queue and the counters; it is never
 * held across storage, exporter or store calls.
 *
 * Several instances on one store (instances.h) share the work through the
 * store: a job runs only in the worker whose instance holds the volume's
 * claim (run_job), an NFS head's exports are written only under its lease
 * (exporter_main), and reaping runs only in the instance holding the
 * "reaper" lease (scan).  An NFS head the instances on one host share
 * (exporter_shared, on a shared store) is run by its lease holder and
 * followed by the others (exports_head.c): then the head's thread, not
 * the exporter thread, syncs, and every export wait goes through the
 * store's exported-set generation.
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

#define SCAN_INTERVAL_MS 1000
#define EXPORT_WAIT_MS   120000
/* How long a waiting caller's job waits for another instance's claim. */
#define CLAIM_WAIT_MS 30000
#define CLAIM_POLL_MS 100

enum job_kind {
	JOB_CLAIMED = 100, /* a creating or deleting volume: do what it needs */
};

struct job {
	int op; /* enum provision_op or enum job_kind */
	char uuid[TNFS_UUID_BUFSZ];
	uint64_t size;
	char snap[128];
	struct storage_usage usage; /* copied out: the caller may give up */
	int sync;                   /* a caller waits for it */
	int done;
	int abandoned; /* the caller gave up waiting: worker frees it */
	int rc;
	struct tnfs_err err;
	struct job *next;
	struct job *hnext; /* queued asynchronous jobs by uuid (p->queued) */
};

/* Buckets of the queued asynchronous jobs, so a scan dedups in O(1). */
#define QUEUED_BUCKETS 1024

struct provision {
	struct vapi *va;
	pthread_mutex_t mu;
	pthread_cond_t cv;    /* queue changes, jobs done, kicks */
	pthread_cond_t ex_cv; /* export requests and completions */
	struct job *queue;    /* FIFO */
	struct job *queued[QUEUED_BUCKETS];
	char (*busy)[TNFS_UUID_BUFSZ];
	int nworkers;
	int kicked;
	int stopping;
	uint64_t ex_want, ex_done;
	int ex_rc;
	struct tnfs_err ex_err;
	pthread_t *workers;
	pthread_t scanner, exporter;
	int nstarted;
	int workers_running; /* the exporter thread outlives them */
	int scanner_started, exporter_started;
	int last_healthy; /* exporter health seen by the scanner; -1 unknown */
	unsigned long last_outages;
	uint64_t live_digest; /* of the live hosts, as the scanner last saw */
	char id[TNFS_UUID_BUFSZ];  /* the instance claims are taken for */
	char export_lease[512];    /* "exports:<NFS head>" */
	struct exports_head *head; /* a shared head, or NULL */
};

/* Whether this instance may take work nobody else may do at once. */
static int
may_claim(struct provision *p)
{
	return p->va->inst == NULL || !store_shared(p->va->store) ||
	    instances_fresh(p->va->inst);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void
deadline_ts(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

void
provision_export_path(const char *uuid, char *buf, size_t len)
{
	snprintf(buf, len, VAPI_EXPORT_PREFIX "%s", uuid);
}

/* Ask the exporter thread for a sync and wait for one that covers it. */
static int
export_sync_wait(struct provision *p, struct tnfs_err *err)
{
	struct timespec ts;
	uint64_t mine;
	int rc = -1;

	if (p->head != NULL)
		return exports_head_wait(p->head, EXPORT_WAIT_MS, err);
	deadline_ts(&ts, EXPORT_WAIT_MS);
	pthread_mutex_lock(&p->mu);
	mine = ++p->ex_want;
	pthread_cond_broadcast(&p->ex_cv);
	while (p->ex_done < mine) {
		if (pthread_cond_timedwait(&p->ex_cv, &p->mu, &ts) ==
		    ETIMEDOUT) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "exports were not synced within %d s",
			    EXPORT_WAIT_MS / 1000);
			goto out;
		}
	}
	if (p->ex_rc == 0)
		rc = 0;
	else if (err != NULL)
		*err = p->ex_err;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int
provision_export_sync(struct provision *p, struct tnfs_err *err)
{
	return p == NULL ? 0 : export_sync_wait(p, err);
}

void
provision_export_ask(struct provision *p)
{
	if (p == NULL)
		return;
	if (p->head != NULL) {
		exports_head_ask(p->head);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->ex_want++;
	pthread_cond_broadcast(&p->ex_cv);
	pthread_mutex_unlock(&p->mu);
}

struct spec_set {
	struct export_spec *specs;
	char **paths; /* each strdup'd: a 4 KiB slot per volume costs more */
	char (*pseudo)[64];
	struct storage_access *access; /* cephfs: the volume's cephx user */
	size_t n;
};

static void
spec_set_free(struct spec_set *s)
{
	size_t i;

	/* Each spec's client list is its own allocation (fence.h). */
	for (i = 0; s->specs != NULL && i < s->n; i++)
		free((void *)(uintptr_t)s->specs[i].clients);
	free(s->specs);
	for (i = 0; s->paths != NULL && i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->pseudo);
	free(s->access);
}

/*
 * What should be served now: every volume the store marks exported.  With
 * activate, each is activated first (a shared head taken over: its
 * mounts may be gone with the instance that made them); one that cannot
 * be is left out, and logged.
 */
static int
build_specs(struct provision *p, struct spec_set *set, int activate,
    struct tnfs_err *err)
{
	struct vapi *va = p->va;
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	struct tnfs_err aerr;
	size_t nv = 0, i;
	char path[4096];
	int rc = -1;

	memset(set, 0, sizeof(*set));
	f.exported_only = 1;
	f.brief = 1;
	if (store_volume_list(va->store, &f, &vs, &nv, err) == -1)
		return -1;
	set->specs = calloc(nv + 1, sizeof(*set->specs));
	set->paths = calloc(nv + 1, sizeof(*set->paths));
	set->pseudo = calloc(nv + 1, sizeof(*set->pseudo));
	set->access = calloc(nv + 1, sizeof(*set->access));
	if (set->specs == NULL || set->paths == NULL || set->pseudo == NULL ||
	    set->access == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < nv; i++) {
		struct export_spec *sp = &set->specs[set->n];
		const char **cl = NULL;
		size_t nc = 0;

		if (!vs[i]->exported)
			continue;
		if (activate &&
		    storage_volume_activate(va->storage, vs[i]->uuid, &aerr) ==
			-1) {
			log_err(TNFS_LOG_ERROR, &aerr,
			    "volume %s: not served until it can be activated",
			    vs[i]->uuid);
			continue;
		}
		if (storage_volume_path(va->storage, vs[i]->uuid, path,
			sizeof(path), err) == -1 ||
		    storage_volume_access(va->storage, vs[i]->uuid,
			&set->access[set->n], err) == -1)
			goto out;
		if (set->access[set->n].user[0] != '\0') {
			sp->ceph_fs = set->access[set->n].fs;
			sp->ceph_user = set->access[set->n].user;
			sp->ceph_secret = set->access[set->n].secret;
		}
		if ((set->paths[set->n] = strdup(path)) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		provision_export_path(
		    vs[i]->uuid, set->pseudo[set->n], sizeof(set->pseudo[0]));
		if (fence_export_clients(va, vs[i], &cl, &nc, err) == -1)
			goto out;
		sp->volume_uuid = NULL; /* set below, once vs is stable */
		sp->path = set->paths[set->n];
		sp->pseudo = set->pseudo[set->n];
		sp->clients = cl;
		sp->nclients = nc;
		sp->read_only = 0;
		sp->nfs_port = vs[i]->nfs_port;
		sp->mount_port = vs[i]->mount_port;
		set->n++;
	}
	/* volume_uuid must outlive vs: point at the pseudo path's tail. */
	for (i = 0; i < set->n; i++)
		set->specs[i].volume_uuid =
		    set->pseudo[i] + strlen(VAPI_EXPORT_PREFIX);
	rc = 0;
out:
	volume_list_free(vs, nv);
	if (rc == -1) {
		spec_set_free(set);
		memset(set, 0, sizeof(*set));
	}
	return rc;
}

/*
 * One instance at a time writes an NFS head's exports: the one holding its
 * lease in the store, taken here before the set to serve is read and given
 * up after the server took it.  Each sync writes the whole set the store
 * holds at that moment, so whichever instance syncs last serves every
 * change made before its read.  Killed at any instruction, an instance
 * leaves at worst a lease that frees itself when its heartbeat expires
 * (or, for one that hangs but still beats, at until_ms) and an export file
 * that is whole (written to a temporary file and renamed): the next sync
 * by anyone rewrites it from the store.
 */
static int
export_lease_take(struct provision *p, struct tnfs_err *err)
{
	int64_t deadline = tnfs_mono_ms() + EXPORT_WAIT_MS;
	int r;

	for (;;) {
		/* Cut off from the store: wait for a heartbeat to get through. */
		r = 0;
		if (may_claim(p) &&
		    (r = store_lease_take(p->va->store, p->export_lease, p->id,
			 tnfs_now_ms(), tnfs_now_ms() + 2 * EXPORT_WAIT_MS,
			 instances_live_after(), err)) != 0)
			return r == 1 ? 0 : -1;
		if (tnfs_mono_ms() >= deadline) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    may_claim(p)
				? "another instance held the lease %s for %d s"
				: "lease %s: this instance's heartbeat did not "
				  "reach the store for %d s",
			    p->export_lease, EXPORT_WAIT_MS / 1000);
			return -1;
		}
		sleep_ms(CLAIM_POLL_MS);
	}
}

static void
export_lease_release(struct provision *p)
{
	struct tnfs_err err;

	if (store_lease_release(p->va->store, p->export_lease, p->id, &err) ==
	    -1)
		log_err(TNFS_LOG_WARN, &err, "lease %s: left to expire",
		    p->export_lease);
}

static void *
exporter_main(void *arg)
{
	struct provision *p = arg;
	struct tnfs_err err;
	struct spec_set set;
	uint64_t gen;
	int rc;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		/* Serve until the last worker that could ask is gone. */
		while (p->ex_want == p->ex_done &&
		    !(p->stopping && p->workers_running == 0))
			pthread_cond_wait(&p->ex_cv, &p->mu);
		if (p->ex_want == p->ex_done)
			break;
		gen = p->ex_want;
		pthread_mutex_unlock(&p->mu);

		tnfs_err_clear(&err);
		rc = export_lease_take(p, &err);
		if (rc == 0) {
			rc = build_specs(p, &set, 0, &err);
			if (rc == 0) {
				rc = exporter_sync(
				    p->va->exporter, set.specs, set.n, &err);
				spec_set_free(&set);
			}
			export_lease_release(p);
		}
		if (rc == -1)
			log_err(TNFS_LOG_ERROR, &err, "exports sync failed");

		pthread_mutex_lock(&p->mu);
		p->ex_done = gen;
		p->ex_rc = rc;
		p->ex_err = err;
		pthread_cond_broadcast(&p->ex_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* A shared head's sync (exports_head_sync_fn), in the head's thread. */
static int
head_sync(void *arg, int adopt, struct tnfs_err *err)
{
	struct provision *p = arg;
	struct spec_set set;
	int rc;

	if (build_specs(p, &set, adopt, err) == -1)
		return -1;
	rc = exporter_sync(p->va->exporter, set.specs, set.n, err);
	spec_set_free(&set);
	return rc;
}

int
provision_exports_healthy(struct provision *p)
{
	if (p->head != NULL)
		return exports_head_healthy(p->head);
	return exporter_healthy(p->va->exporter);
}

/*
 * filesystem_path and ports from the volume's first network, or from the
 * head the exporter places it on when it has several (exporter_place).
 */
static int
served_at(struct provision *p, const struct volume *v, char *path, size_t len,
    int *nfs_port, int *mount_port, struct tnfs_err *err)
{
	const struct vapi_network *net = NULL;
	struct exporter_listen head;
	char pseudo[64];

	if (v->nnetworks > 0)
		net = config_network(p->va->cfg, v->networks[0]);
	if (net == NULL) {
		tnfs_err_set(err, TNFS_E_INVALID_NETWORKS,
		    "volume %s: its network is no longer configured", v->uuid);
		return -1;
	}
	provision_export_path(v->uuid, pseudo, sizeof(pseudo));
	snprintf(path, len, "%s:%s",
	    net->advertise_address[0] ? net->advertise_address
				      : net->nfs_address,
	    pseudo);
	*nfs_port =
	    net->advertise_nfs_port ? net->advertise_nfs_port : net->nfs_port;
	*mount_port = net->advertise_mount_port ? net->advertise_mount_port
						: net->mount_port;
	if (exporter_place(p->va->exporter, v->uuid, v->nfs_port, v->mount_port,
		&head) > 0) {
		snprintf(path, len, "%s:%s", head.address, pseudo);
		*nfs_port = head.nfs_port;
		*mount_port = head.mount_port;
	}
	return 0;
}

static void
fail_volume(struct provision *p, const char *uuid, const char *from,
    const struct tnfs_err *why)
{
	struct tnfs_err err;

	log_err(TNFS_LOG_ERROR, why, "volume %s failed", uuid);
	if (store_volume_set_state(
		p->va->store, uuid, from, "failed", why->msg, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err,
		    "volume %s: cannot record failure", uuid);
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
	if (served_at(p, v, fspath, sizeof(fspath), &nfs_port, &mount_port,
		&err) == -1 ||
	    make_storage(p, v, &err) == -1 ||
	    store_volume_set_exported(va->store, uuid, 1, &err) == -1 ||
	    export_sync_wait(p, &err) == -1) {
		store_volume_set_exported(va->store, uuid, 0, NULL);
		fail_volume(p, uuid, "creating", &err);
		forget_source(p, uuid);
		goto out;
	}
	r = store_volume_set_ready(
	    va->store, uuid, fspath, nfs_port, mount_port, &err);
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
	    export_sync_wait(p, &err) == -1) {
		fail_volume(p, uuid, "deleting", &err);
		goto out;
	}
	if (storage_volume_destroy(va->storage, uuid, &err) == -1) {
		fail_volume(p, uuid, "deleting", &err);
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
		if (export_sync_wait(p, err) == -1) {
			store_volume_set_exported(va->store, uuid, 0, NULL);
			fail_volume(p, uuid, "creating", err);
			goto out;
		}
		{
			char fspath[512];
			int np, mp;

			if (served_at(p, v, fspath, sizeof(fspath), &np, &mp,
				err) == -1 ||
			    store_volume_set_ready(
				va->store, uuid, fspath, np, mp, err) == -1)
				goto out;
		}
	} else if (export_sync_wait(p, err) == -1) {
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
	if (export_sync_wait(p, err) == 0)
		rc = storage_snapshot_rollback(va->storage, uuid, snap, err);
	/* Serve again whatever is there: rolled back, or as it was. */
	tnfs_err_clear(&e2);
	if (store_volume_set_exported(va->store, uuid, 1, &e2) == -1 ||
	    export_sync_wait(p, &e2) == -1) {
		tnfs_err_prefix(&e2, "volume %s is not served again", uuid);
		fail_volume(p, uuid, "ready", &e2);
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

static void
run_op(struct provision *p, struct job *j)
{
	struct storage *st = p->va->storage;

	switch (j->op) {
	case JOB_CLAIMED:
		do_claimed(p, j->uuid);
		j->rc = 0;
		break;
	case PROVISION_RESIZE:
		j->rc = storage_volume_resize(st, j->uuid, j->size, &j->err);
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

static int
volume_exists(struct provision *p, const char *uuid)
{
	struct volume *v = NULL;
	struct tnfs_err err;
	int r;

	tnfs_err_clear(&err);
	r = store_volume_get(p->va->store, uuid, &v, &err);
	volume_free(v);
	return r == 0 || strcmp(err.code, "VolumeNotFound") != 0;
}

/*
 * Claim j's volume in the store for this instance: 0 once held, -1 (with
 * j's error for a waiting caller) when another live instance holds it.
 * Background work is left to the holder at once; a waiting caller's
 * operation waits for the claim up to CLAIM_WAIT_MS.
 */
static int
claim_job(struct provision *p, struct job *j)
{
	int64_t deadline = tnfs_mono_ms() + CLAIM_WAIT_MS;
	int r;

	for (;;) {
		r = 0;
		if (may_claim(p)) {
			r = store_volume_claim(p->va->store, j->uuid, p->id,
			    instances_live_after(), &j->err);
			if (r == 1)
				return 0;
		}
		if (r == -1 || !j->sync) {
			/* Background work: the next scan tries again. */
			if (r == 0)
				tnfs_err_set(&j->err, TNFS_E_UNAVAILABLE,
				    "volume %s: claimed elsewhere", j->uuid);
			return -1;
		}
		/* Gone: nothing to keep apart; the operation says so itself. */
		if (may_claim(p) && !volume_exists(p, j->uuid))
			return 0;
		if (tnfs_mono_ms() >= deadline) {
			tnfs_err_set(&j->err, TNFS_E_UNAVAILABLE,
			    may_claim(p)
				? "volume %s is being changed by another "
				  "instance; try again"
				: "volume %s: this instance's heartbeat does "
				  "not reach the store; try another instance",
			    j->uuid);
			return -1;
		}
		sleep_ms(CLAIM_POLL_MS);
	}
}

/*
 * Every job that changes a volume's storage runs under its claim, taken
 * before the first step and given up after the last, so two instances
 * never work on one volume at once (and busy[] keeps two workers of this
 * one apart).  Killed at any instruction, an instance leaves at worst its
 * claim behind: once its heartbeat is older than the TTL, the next scan
 * of another instance claims the volume and does again what its state
 * says (creating and deleting are driven by the state in the store, and
 * their storage steps may run twice); a waiting caller's operation dies
 * with its request's connection and the caller retries it.
 */
static void
run_job(struct provision *p, struct job *j)
{
	struct tnfs_err e2;

	tnfs_err_clear(&j->err);
	if (j->op == PROVISION_USAGE) {
		run_op(p, j); /* reads only */
		return;
	}
	if (claim_job(p, j) == -1) {
		j->rc = -1;
		return;
	}
	run_op(p, j);
	if (store_volume_release(p->va->store, j->uuid, p->id, &e2) == -1)
		log_err(TNFS_LOG_WARN, &e2,
		    "volume %s: claim left; it frees when this instance's "
		    "heartbeat stops",
		    j->uuid);
}

static struct job **
queued_bucket(struct provision *p, const char *uuid)
{
	uint32_t h = 2166136261u;

	for (; *uuid != '\0'; uuid++)
		h = (h ^ (unsigned char)*uuid) * 16777619u;
	return &p->queued[h % QUEUED_BUCKETS];
}

/* The queued asynchronous job for uuid; NULL when none is. */
static struct job *
queued_find(struct provision *p, const char *uuid)
{
	struct job *j;

	for (j = *queued_bucket(p, uuid); j != NULL; j = j->hnext)
		if (strcmp(j->uuid, uuid) == 0)
			return j;
	return NULL;
}

/* Take an asynchronous job out of the index as it leaves the queue. */
static void
queued_remove(struct provision *p, struct job *j)
{
	struct job **jp;

	if (j->sync)
		return;
	for (jp = queued_bucket(p, j->uuid); *jp != NULL; jp = &(*jp)->hnext)
		if (*jp == j) {
			*jp = j->hnext;
			return;
		}
}

static int
is_busy(struct provision *p, const char *uuid)
{
	int i;

	for (i = 0; i < p->nworkers; i++)
		if (strcmp(p->busy[i], uuid) == 0)
			return 1;
	return 0;
}

static void *
worker_main(void *arg)
{
	struct provision *p = ((void **)arg)[0];
	int id = (int)(intptr_t)((void **)arg)[1];
	struct job **jp, *j;

	free(arg);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		j = NULL;
		for (jp = &p->queue; *jp != NULL; jp = &(*jp)->next) {
			if (!is_busy(p, (*jp)->uuid)) {
				j = *jp;
				*jp = j->next;
				queued_remove(p, j);
				break;
			}
		}
		if (j == NULL) {
			if (p->stopping)
				break;
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		memcpy(p->busy[id], j->uuid, TNFS_UUID_BUFSZ);
		pthread_mutex_unlock(&p->mu);

		run_job(p, j);

		pthread_mutex_lock(&p->mu);
		p->busy[id][0] = '\0';
		if (!j->sync || j->abandoned) {
			if (j->abandoned && j->rc == -1)
				log_err(TNFS_LOG_WARN, &j->err,
				    "volume %s: late storage failure", j->uuid);
			free(j);
		} else {
			j->done = 1;
		}
		pthread_cond_broadcast(&p->cv);
	}
	p->workers_running--;
	pthread_cond_broadcast(&p->ex_cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Queue an asynchronous job unless one for uuid is queued or running. */
static void
queue_async(struct provision *p, int op, const char *uuid)
{
	struct job *j, **jp, **bucket;

	pthread_mutex_lock(&p->mu);
	if (is_busy(p, uuid) || queued_find(p, uuid) != NULL)
		goto out;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		goto out; /* the next scan tries again */
	j->op = op;
	memcpy(j->uuid, uuid, TNFS_UUID_BUFSZ);
	for (jp = &p->queue; *jp != NULL; jp = &(*jp)->next)
		;
	*jp = j;
	bucket = queued_bucket(p, uuid);
	j->hnext = *bucket;
	*bucket = j;
	pthread_cond_broadcast(&p->cv);
out:
	pthread_mutex_unlock(&p->mu);
}

/*
 * A dead NFS server makes its ready volumes failed and its return makes
 * them ready again, as Triton's updater does with a stopped storage VM
 * (triton-volumes.md 2.3).  Only volumes failed for that reason come
 * back: the error text marks them.
 */
#define EXPORTER_DOWN_ERROR "the NFS server serving this volume is down"

/* Move the exported volumes in state from (ready or failed) to the other. */
static void
set_served(struct provision *p, int serving)
{
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	struct tnfs_err err;
	size_t n = 0, i;

	f.state = serving ? "failed" : "ready";
	f.exported_only = 1;
	f.brief = 1;
	if (store_volume_list(p->va->store, &f, &vs, &n, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "exporter health");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!vs[i]->exported)
			continue;
		if (serving &&
		    (vs[i]->error == NULL ||
			strcmp(vs[i]->error, EXPORTER_DOWN_ERROR) != 0))
			continue;
		if (store_volume_set_served(p->va->store, vs[i]->uuid, serving,
			serving ? NULL : EXPORTER_DOWN_ERROR, &err) == -1)
			log_err(TNFS_LOG_ERROR, &err, "volume %s", vs[i]->uuid);
	}
	volume_list_free(vs, n);
}

static void
track_exporter_health(struct provision *p)
{
	unsigned long outages = exporter_outages(p->va->exporter);
	int healthy = exporter_healthy(p->va->exporter);
	int down = !healthy || outages != p->last_outages;

	/* A shared head's health is its holder's to track. */
	if (p->head != NULL && !exports_head_serving(p->head)) {
		p->last_outages = outages;
		p->last_healthy = -1;
		return;
	}

	/* An outage between two scans still fails the volumes, briefly. */
	if (down) {
		if (p->last_healthy != 0)
			log_error("NFS server down: its ready volumes are "
				  "failed until it serves again");
		set_served(p, 0);
	}
	if (healthy && (down || p->last_healthy != 1)) {
		set_served(p, 1);
		log_info("NFS server serving: its volumes are ready");
	}
	p->last_outages = outages;
	p->last_healthy = healthy;
}

static void
scan(struct provision *p)
{
	char(*claimed)[TNFS_UUID_BUFSZ] = NULL;
	struct tnfs_err err;
	size_t n = 0, i;
	uint64_t digest;
	int reaped = 0, r;

	/*
	 * Claim a few creating or deleting volumes: as many as the workers
	 * can take on, so the other instances get the rest.  The store skips
	 * what another instance is claiming in the same moment.
	 */
	if (may_claim(p)) {
		if (store_jobs_claim(p->va->store, p->id,
			instances_live_after(), (size_t)p->nworkers * 2,
			&claimed, &n, &err) == -1) {
			log_err(TNFS_LOG_ERROR, &err, "provisioner scan");
			return;
		}
		for (i = 0; i < n; i++)
			queue_async(p, JOB_CLAIMED, claimed[i]);
		free(claimed);
	}
	track_exporter_health(p);
	/*
	 * Reaping runs in one instance at a time: the holder of the "reaper"
	 * lease, renewed at each scan.  Killed at any instruction, its holder
	 * leaves a lease that frees when its heartbeat expires; every reaping
	 * statement is whole or not at all, and safe to run again.
	 */
	if (!may_claim(p))
		return;
	r = store_lease_take(p->va->store, "reaper", p->id, tnfs_now_ms(),
	    tnfs_now_ms() + INSTANCES_TTL_MS, instances_live_after(), &err);
	if (r == -1)
		log_err(TNFS_LOG_ERROR, &err, "reaper lease");
	if (r != 1)
		goto digest;
	/* Leases: a reference not renewed in time no longer holds. */
	if (store_refs_reap(p->va->store,
		tnfs_now_ms() - (int64_t)p->va->cfg->ref_lease_s * 1000,
		&reaped, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err, "reaping references");
	else if (reaped > 0)
		log_info("reaped %d stale references", reaped);
	/*
	 * References whose holder never registered were ignored from the
	 * start; past the time a starting plugin takes to register, drop them.
	 */
	if (store_refs_reap_orphans(p->va->store,
		tnfs_now_ms() - (int64_t)p->va->cfg->host_ttl_s * 1000, &reaped,
		&err) == -1)
		log_err(TNFS_LOG_ERROR, &err, "reaping orphan references");
	else if (reaped > 0)
		log_info("reaped %d references of unknown hosts", reaped);
	/* Triton reaps reservations of jobs older than two hours. */
	if (store_resv_reap(
		p->va->store, tnfs_now_ms() - 2 * 3600 * 1000, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err, "reaping reservations");
	/* Records of instances dead for a day that hold nothing. */
	if (store_instances_reap(p->va->store, tnfs_now_ms() - 24 * 3600 * 1000,
		&reaped, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err, "reaping instance records");
digest:
	/*
	 * A holder died or came back: who the exports admit changed.  Every
	 * instance looks, as each serves its own NFS head.
	 */
	if (fence_live_digest(p->va, &digest, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err, "reading hosts");
	else if (digest != p->live_digest) {
		p->live_digest = digest;
		provision_export_ask(p);
	}
}

static void *
scanner_main(void *arg)
{
	struct provision *p = arg;
	struct timespec ts;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		p->kicked = 0;
		pthread_mutex_unlock(&p->mu);
		scan(p);
		pthread_mutex_lock(&p->mu);
		deadline_ts(&ts, SCAN_INTERVAL_MS);
		while (!p->kicked && !p->stopping)
			if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) ==
			    ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void
provision_kick(struct provision *p)
{
	pthread_mutex_lock(&p->mu);
	p->kicked = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int
provision_call(struct provision *p, enum provision_op op, const char *uuid,
    uint64_t size, const char *snap, struct storage_usage *usage,
    struct tnfs_err *err)
{
	struct timespec ts;
	struct job *j, **jp;
	int rc = -1;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	j->op = (int)op;
	j->sync = 1;
	j->size = size;
	snprintf(j->uuid, sizeof(j->uuid), "%s", uuid);
	if (snap != NULL)
		snprintf(j->snap, sizeof(j->snap), "%s", snap);
	deadline_ts(&ts, (int64_t)p->va->cfg->storage_timeout_s * 1000);
	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		free(j);
		tnfs_err_set(err, TNFS_E_UNAVAILABLE, "shutting down");
		return -1;
	}
	/*
	 * A caller waits: go ahead of the background work (a storm of
	 * creates must not hold up a resize), behind other waiting calls.
	 */
	for (jp = &p->queue; *jp != NULL && (*jp)->sync; jp = &(*jp)->next)
		;
	j->next = *jp;
	*jp = j;
	pthread_cond_broadcast(&p->cv);
	while (!j->done) {
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) == ETIMEDOUT &&
		    !j->done) {
			j->abandoned = 1;
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "storage operation on volume %s did not finish "
			    "within %d s; it goes on in the background",
			    uuid, p->va->cfg->storage_timeout_s);
			pthread_mutex_unlock(&p->mu);
			return -1;
		}
	}
	pthread_mutex_unlock(&p->mu);
	rc = j->rc;
	if (rc == -1 && err != NULL)
		*err = j->err;
	if (rc == 0 && usage != NULL)
		*usage = j->usage;
	free(j);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Settle the snapshots a crash left in flight (snapshots_recover), set
 * orphans aside and make ready volumes reachable again.  The work per
 * volume is what recovery needs: activate each ready one (a btrfs
 * volume's mount point), and find the storage without a record by one
 * sort and a binary search per stored volume, not a pass over the records.
 */
static void
recover(struct provision *p)
{
	struct vapi *va = p->va;
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	char **uuids = NULL, **known = NULL, *key;
	size_t nv = 0, nu = 0, i, k;
	struct tnfs_err err;

	/*
	 * Storage first, records second: another instance sharing the
	 * storage creates a record before its storage and destroys the
	 * storage before the record, so what is listed here without a record
	 * in the later list truly has none.
	 */
	if (storage_list(va->storage, &uuids, &nu, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "recovery: listing storage");
		return;
	}
	snapshots_recover(va);
	f.brief = 1;
	if (store_volume_list(va->store, &f, &vs, &nv, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "recovery: listing volumes");
		storage_list_free(uuids, nu);
		return;
	}
	for (i = 0; i < nv; i++) {
		if (strcmp(vs[i]->state, "ready") != 0)
			continue;
		if (storage_volume_activate(va->storage, vs[i]->uuid, &err) ==
		    -1)
			fail_volume(p, vs[i]->uuid, "ready", &err);
		/* A ready volume is served: a rollback was cut short. */
		else if (!vs[i]->exported &&
		    store_volume_set_exported(
			va->store, vs[i]->uuid, 1, &err) == -1)
			fail_volume(p, vs[i]->uuid, "ready", &err);
	}
	if ((known = malloc((nv + 1) * sizeof(*known))) == NULL) {
		log_error("recovery: out of memory: orphans stay until the "
			  "next start");
		goto out;
	}
	for (i = 0; i < nv; i++)
		known[i] = vs[i]->uuid;
	qsort(known, nv, sizeof(*known), cmp_str);
	for (k = 0; k < nu; k++) {
		key = uuids[k];
		if (bsearch(&key, known, nv, sizeof(*known), cmp_str) != NULL)
			continue;
		if (storage_orphan_set_aside(va->storage, uuids[k], &err) == -1)
			log_err(TNFS_LOG_WARN, &err, "orphan %s", uuids[k]);
		else
			log_warn("storage %s has no volume record: set aside",
			    uuids[k]);
	}
out:
	free(known);
	storage_list_free(uuids, nu);
	volume_list_free(vs, nv);
}

/*
 * The lease name of this instance's NFS head: the host and the first
 * address and port it serves, which no two NFS servers share.
 */
static void
export_head(struct provision *p)
{
	const struct vapi_config *cfg = p->va->cfg;
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	if (cfg->nnetworks > 0)
		snprintf(p->export_lease, sizeof(p->export_lease),
		    "exports:%s:%s:%d", host, cfg->networks[0].nfs_address,
		    cfg->networks[0].nfs_port);
	else
		snprintf(p->export_lease, sizeof(p->export_lease), "exports:%s",
		    host);
}

struct provision *
provision_start(struct vapi *va, int nworkers, struct tnfs_err *err)
{
	struct provision *p;
	int i;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->busy = calloc((size_t)nworkers, sizeof(*p->busy))) == NULL ||
	    (p->workers = calloc((size_t)nworkers, sizeof(pthread_t))) ==
		NULL) {
		if (p != NULL)
			free(p->busy);
		free(p);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	p->va = va;
	p->nworkers = nworkers;
	p->last_healthy = -1;
	if (va->inst != NULL)
		snprintf(p->id, sizeof(p->id), "%s", instances_id(va->inst));
	else if (tnfs_uuid_generate(p->id, err) == -1) {
		free(p->busy);
		free(p->workers);
		free(p);
		return NULL;
	}
	export_head(p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->ex_cv, NULL);
	recover(p);
	if (store_shared(va->store) && exporter_shared(va->exporter)) {
		if ((p->head = exports_head_start(va, p->export_lease, p->id,
			 head_sync, p, err)) == NULL)
			goto fail;
	} else {
		if (exporter_start(va->exporter, err) == -1)
			goto fail;
		/* The first sync serves what was ready before the restart. */
		p->ex_want = 1;
		if (pthread_create(&p->exporter, NULL, exporter_main, p) != 0)
			goto fail_thread;
		p->exporter_started = 1;
	}
	for (i = 0; i < nworkers; i++) {
		void **arg = malloc(2 * sizeof(void *));

		if (arg == NULL)
			goto fail_thread;
		arg[0] = p;
		arg[1] = (void *)(intptr_t)i;
		pthread_mutex_lock(&p->mu);
		p->workers_running++;
		pthread_mutex_unlock(&p->mu);
		if (pthread_create(&p->workers[i], NULL, worker_main, arg) !=
		    0) {
			free(arg);
			pthread_mutex_lock(&p->mu);
			p->workers_running--;
			pthread_mutex_unlock(&p->mu);
			goto fail_thread;
		}
		p->nstarted++;
	}
	if (pthread_create(&p->scanner, NULL, scanner_main, p) != 0)
		goto fail_thread;
	p->scanner_started = 1;
	return p;
fail_thread:
	tnfs_err_set(err, TNFS_E_INTERNAL, "cannot start provisioner threads");
fail:
	provision_stop(p);
	return NULL;
}

void
provision_stop(struct provision *p)
{
	struct job *j, **jp;
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	/* Queued asynchronous work stays in the store for the next start. */
	for (jp = &p->queue; (j = *jp) != NULL;) {
		if (j->sync) {
			jp = &j->next;
			continue;
		}
		*jp = j->next;
		queued_remove(p, j);
		free(j);
	}
	pthread_cond_broadcast(&p->cv);
	pthread_cond_broadcast(&p->ex_cv);
	pthread_mutex_unlock(&p->mu);
	if (p->scanner_started)
		pthread_join(p->scanner, NULL);
	for (i = 0; i < p->nstarted; i++)
		pthread_join(p->workers[i], NULL);
	/* Workers are gone: nobody waits on exports any more. */
	if (p->exporter_started)
		pthread_join(p->exporter, NULL);
	/*
	 * A shared head's per-volume mounts outlive this instance while
	 * another on this host may serve them; the last one unmounts.
	 */
	if (p->head != NULL)
		storage_keep_mounts(
		    p->va->storage, instances_others_on_host(p->va->inst));
	exports_head_stop(p->head);
	while ((j = p->queue) != NULL) {
		p->queue = j->next;
		free(j);
	}
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->ex_cv);
	pthread_mutex_destroy(&p->mu);
	free(p->busy);
	free(p->workers);
	free(p);
}
