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
 * (prov_exporter_main), and reaping runs only in the instance holding the
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
#include "export_cache.h"
#include "exports.h"
#include "exports_head.h"
#include "fence.h"
#include "instances.h"
#include "log.h"
#include "periodic.h"
#include "provision.h"
#include "snapshots.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "uuid.h"
#include "volumes.h"
#include "provision_impl.h"

/* Whether this instance may take work nobody else may do at once. */
int
prov_may_claim(struct provision *p)
{
	return p->va->inst == NULL || !store_shared(p->va->store) ||
	    instances_fresh(p->va->inst);
}

void
prov_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
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
		if (prov_may_claim(p)) {
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
		if (prov_may_claim(p) && !volume_exists(p, j->uuid))
			return 0;
		if (tnfs_mono_ms() >= deadline) {
			tnfs_err_set(&j->err, TNFS_E_UNAVAILABLE,
			    prov_may_claim(p)
				? "volume %s is being changed by another "
				  "instance; try again"
				: "volume %s: this instance's heartbeat does "
				  "not reach the store; try another instance",
			    j->uuid);
			return -1;
		}
		prov_sleep_ms(CLAIM_POLL_MS);
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
		prov_run_op(p, j); /* reads only */
		return;
	}
	if (claim_job(p, j) == -1) {
		j->rc = -1;
		return;
	}
	prov_run_op(p, j);
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

/* Fewer than n jobs wait in the queue (caller holds mu). */
static int
queue_shorter_than(const struct provision *p, int n)
{
	const struct job *j;

	for (j = p->queue; j != NULL && n > 0; j = j->next)
		n--;
	return n > 0;
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
		if (j->op == JOB_CLAIMED && p->more_claims &&
		    queue_shorter_than(p, p->nworkers)) {
			p->more_claims = 0;
			p->kicked = 1;
		}
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

static void
scan(void *arg)
{
	struct provision *p = arg;
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
	if (prov_may_claim(p)) {
		if (store_jobs_claim(p->va->store, p->id,
			instances_live_after(), (size_t)p->nworkers * 2,
			&claimed, &n, &err) == -1) {
			log_err(TNFS_LOG_ERROR, &err, "provisioner scan");
			return;
		}
		for (i = 0; i < n; i++)
			queue_async(p, JOB_CLAIMED, claimed[i]);
		free(claimed);
		pthread_mutex_lock(&p->mu);
		p->more_claims = n == (size_t)p->nworkers * 2;
		pthread_mutex_unlock(&p->mu);
	}
	prov_track_exporter_health(p);
	/*
	 * Reaping runs in one instance at a time: the holder of the "reaper"
	 * lease, renewed at each scan.  Killed at any instruction, its holder
	 * leaves a lease that frees when its heartbeat expires; every reaping
	 * statement is whole or not at all, and safe to run again.
	 */
	if (!prov_may_claim(p))
		return;
	/* A scan kicked for more claims comes sooner: reap once a period. */
	if (tnfs_mono_ms() - p->reaped_ms < SCAN_INTERVAL_MS)
		goto digest;
	p->reaped_ms = tnfs_mono_ms();
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
		provision_export_ask(p, NULL);
	}
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
	tnfs_deadline_ts(&ts, (int64_t)p->va->cfg->storage_timeout_s * 1000);
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
 * Finish the grows a crash cut short (volumes.h, VOLUMES_GROW_KEY): the
 * storage's limit again (setting it twice is harmless), then the record.
 * A volume gone or no longer ready needs nothing.
 */
static void
finish_grows(struct provision *p)
{
	struct vapi *va = p->va;
	struct meta_entry *es = NULL;
	struct volume *v;
	const char *uuid;
	unsigned long long size;
	char *end;
	size_t n = 0, i;
	struct tnfs_err err;

	if (store_meta_list(va->store, VOLUMES_GROW_KEY, &es, &n, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "recovery: grows in flight");
		return;
	}
	for (i = 0; i < n; i++) {
		uuid = es[i].key + strlen(VOLUMES_GROW_KEY);
		errno = 0;
		size = strtoull(es[i].value, &end, 10);
		v = NULL;
		if (errno != 0 || *end != '\0' || size == 0) {
			log_warn("recovery: grow of %s to \"%.40s\" is no size: "
				 "dropped",
			    uuid, es[i].value);
		} else if (store_volume_get(va->store, uuid, &v, &err) == -1 &&
		    strcmp(err.code, "VolumeNotFound") != 0) {
			log_err(TNFS_LOG_WARN, &err, "recovery: grow of %s", uuid);
			continue;
		} else if (v != NULL && strcmp(v->state, "ready") == 0 &&
		    size > v->size) {
			if (prov_grow(p, uuid, size, &err) == -1)
				log_err(TNFS_LOG_WARN, &err,
				    "recovery: grow of %s to %llu MiB", uuid,
				    size);
			else
				log_info("recovery: volume %s grown to %llu MiB",
				    uuid, size);
			volume_free(v);
			continue;
		}
		volume_free(v);
		if (store_meta_delete(va->store, es[i].key, &err) == -1)
			log_err(TNFS_LOG_WARN, &err, "recovery: %s", es[i].key);
	}
	meta_list_free(es, n);
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
	/* A clone made ready just before a crash left its source's key. */
	if (store_meta_prune_creating(va->store, VOLUMES_CLONE_KEY, &err) == -1)
		log_err(TNFS_LOG_WARN, &err, "recovery: clone sources");
	finish_grows(p);
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
			prov_fail_volume(p, vs[i]->uuid, "ready", &err);
		/* A ready volume is served: a rollback was cut short. */
		else if (!vs[i]->exported &&
		    store_volume_set_exported(
			va->store, vs[i]->uuid, 1, &err) == -1)
			prov_fail_volume(p, vs[i]->uuid, "ready", &err);
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

struct provision *
provision_start(struct vapi *va, int nworkers, struct tnfs_err *err)
{
	struct provision *p;
	int i;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->busy = calloc((size_t)nworkers, sizeof(*p->busy))) == NULL ||
	    (p->workers = calloc((size_t)nworkers, sizeof(pthread_t))) ==
		NULL ||
	    (p->ex_cache = export_cache_new()) == NULL) {
		if (p != NULL) {
			free(p->busy);
			free(p->workers);
		}
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
		export_cache_free(p->ex_cache);
		free(p->busy);
		free(p->workers);
		free(p);
		return NULL;
	}
	prov_export_head(p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->ex_cv, NULL);
	recover(p);
	if (store_shared(va->store) && exporter_shared(va->exporter)) {
		if ((p->head = exports_head_start(va, p->export_lease, p->id,
			 prov_head_sync, p, err)) == NULL)
			goto fail;
	} else {
		if (exporter_start(va->exporter, err) == -1)
			goto fail;
		/* The first sync serves what was ready before the restart. */
		p->ex_want = 1;
		if (pthread_create(&p->exporter, NULL, prov_exporter_main, p) !=
		    0)
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
	p->scan_loop = (struct tnfs_periodic){&p->mu, &p->cv, &p->kicked,
	    &p->stopping, SCAN_INTERVAL_MS, scan, p};
	if (pthread_create(
		&p->scanner, NULL, tnfs_periodic_main, &p->scan_loop) != 0)
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
	export_cache_free(p->ex_cache);
	free(p->ex_dirty);
	free(p->busy);
	free(p->workers);
	free(p);
}
