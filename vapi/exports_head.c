/*
 * exports_head.c: the NFS head the instances on one storage host share
 * (exports_head.h).
 *
 * One thread per instance, with a store connection of its own (a storm of
 * requests on the shared connection must not delay a lease renewal nor a
 * waiter's wake-up), polls every HEAD_POLL_MS, or at once when a waiter
 * bumped the generation:
 *
 *   1. take or renew the lease (only while this instance's heartbeat is
 *      fresh: an instance cut off from the store gives the head up long
 *      before the others may take it);
 *   2. taken just now: start the server (exporter_start stops a ganesha
 *      the pidfile names only when it is alive and its command line names
 *      our configuration); lost: stop ours;
 *   3. read the generation and the head's served record;
 *   4. holder, and the generation moved (or this is the first sync after a
 *      takeover, or a failed sync's retry is due): sync the exported set,
 *      reading again the volumes the bumps since its last sync named (the
 *      whole set after a takeover or a retry, or when they cannot be
 *      told), then record the generation read in 3 as served.  The
 *      generation is read before the set, and every instance bumps after
 *      its change committed, so a record of generation g covers every
 *      change whose bump returned at most g;
 *   5. wake the waiters whose generation is served.
 *
 * Kill points (kill -9 of the holder):
 *   - before a sync's record: the waiters see no record and wait; the next
 *     holder takes the lease once the dead one's heartbeat is older than
 *     the TTL, syncs the whole set and records the generation it read,
 *     which wakes them (their deadline is EXPORT_WAIT_MS, far beyond);
 *   - mid-sync: ganesha-exports.conf is replaced atomically, so it is the
 *     old or the new set; the dead holder's ganesha serves on until the
 *     next holder stops it and starts its own on the whole set;
 *   - between stopping a stale ganesha and starting one: nothing serves;
 *     the next holder starts one;
 *   - a holder that hangs but still beats keeps the lease LEASE_HOLD_MS.
 * A follower killed -9 leaves at worst a bump nobody waits for, which
 * costs the holder one sync.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exports.h"
#include "exports_head.h"
#include "instances.h"
#include "log.h"
#include "periodic.h"
#include "store.h"
#include "timefmt.h"
#include "uuid.h"

#define HEAD_POLL_MS  200
#define HEAD_RETRY_MS 5000
/* More changes than this since the last sync: read the whole set. */
#define HEAD_CHANGES_MAX 4096
/* A holder whose heartbeat is this late stops its server (TTL: 10 s). */
#define HEAD_GIVE_UP_MS (INSTANCES_TTL_MS * 3 / 4)
/* A holder that hangs but still beats keeps the head this long. */
#define LEASE_HOLD_MS (4 * 60 * 1000)

struct exports_head {
	/* Set at start, then read-only. */
	struct vapi *va;
	struct store *own; /* the thread's connection */
	char lease[512];
	char id[TNFS_UUID_BUFSZ];
	exports_head_sync_fn sync;
	void *arg;

	pthread_mutex_t mu; /* guards the fields below */
	pthread_cond_t cv;  /* served moved, a kick, stopping */
	pthread_t thread;
	struct tnfs_periodic poller; /* the thread's loop: poll_once */
	int started, stopping, kicked;
	int serving;     /* this instance runs the server */
	int other_holds; /* the last poll found a live holder that is not us */
	int64_t served;  /* the head's record as last read */
	char failure[256];

	/* The thread's own. */
	int64_t synced;     /* generation of the last sync, -1: none yet */
	int adopt;          /* the next sync is the first after a takeover */
	int64_t retry_mono; /* a failed sync is retried from here; 0: none */
	int lease_failing;  /* its failure was logged */
};

static void
set_serving(struct exports_head *h, int serving)
{
	pthread_mutex_lock(&h->mu);
	h->serving = serving;
	pthread_mutex_unlock(&h->mu);
}

/*
 * The lease is ours: start the server.  On failure the lease is given up
 * at once, so another instance may try.
 */
static int
take_over(struct exports_head *h, int at_start, struct tnfs_err *err)
{
	if (!at_start)
		log_warn("NFS head %s: this instance takes it over", h->lease);
	if (exporter_start(h->va->exporter, err) == -1) {
		store_lease_release(h->own, h->lease, h->id, NULL);
		return -1;
	}
	h->synced = -1;
	/* At start the provisioner's recovery activated every volume. */
	h->adopt = !at_start;
	h->retry_mono = 0;
	set_serving(h, 1);
	return 0;
}

static void
give_up(struct exports_head *h)
{
	log_warn("NFS head %s: the lease is no longer this instance's (its "
		 "heartbeat is %lld ms old, or another took it): stopping "
		 "its server",
	    h->lease, (long long)instances_beat_age_ms(h->va->inst));
	set_serving(h, 0);
	exporter_stop(h->va->exporter);
}

/*
 * Steps 1 and 2: -1 when the store did not answer (nothing changes).  An
 * instance whose heartbeat is late takes nothing new, but stops a server
 * it runs only once its heartbeat is old enough for another instance to
 * take the lease soon (HEAD_GIVE_UP_MS): a heartbeat delayed by a loaded
 * host must not cost the clients an outage.
 */
static int
follow_lease(struct exports_head *h)
{
	struct tnfs_err err;
	int fresh = instances_fresh(h->va->inst), r = 0;

	tnfs_err_clear(&err);
	if (fresh)
		r = store_lease_take(h->own, h->lease, h->id, tnfs_now_ms(),
		    tnfs_now_ms() + LEASE_HOLD_MS, instances_live_after(), &err);
	else if (h->serving &&
	    instances_beat_age_ms(h->va->inst) < HEAD_GIVE_UP_MS)
		return 0;
	if (r == -1) {
		if (!h->lease_failing)
			log_err(TNFS_LOG_ERROR, &err, "NFS head %s: lease",
			    h->lease);
		h->lease_failing = 1;
		return -1;
	}
	h->lease_failing = 0;
	if (r == 1 && !h->serving && take_over(h, 0, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err,
		    "NFS head %s: cannot start its server", h->lease);
	else if (r == 0 && h->serving)
		give_up(h);
	pthread_mutex_lock(&h->mu);
	h->other_holds = r == 0 && fresh;
	pthread_mutex_unlock(&h->mu);
	return 0;
}

static void
poll_once(void *arg)
{
	struct exports_head *h = arg;
	struct tnfs_err err;
	int64_t gen, served;
	char failure[256];
	int rc;

	if (follow_lease(h) == -1)
		return;
	tnfs_err_clear(&err);
	if (store_exports_state(h->own, h->lease, &gen, &served, failure,
		sizeof(failure), &err) == -1) {
		log_err(
		    TNFS_LOG_ERROR, &err, "NFS head %s: generation", h->lease);
		return;
	}
	if (h->serving &&
	    (gen != h->synced || h->adopt ||
		(h->retry_mono != 0 && tnfs_mono_ms() >= h->retry_mono))) {
		char(*changed)[TNFS_UUID_BUFSZ] = NULL;
		size_t n = 0;
		int all = 1;

		/* A read that fails leaves all at 1: read everything. */
		if (!h->adopt && h->retry_mono == 0 && h->synced >= 0 &&
		    store_exports_changes(h->own, h->synced, gen,
			HEAD_CHANGES_MAX, &changed, &n, &all, &err) == -1)
			log_err(TNFS_LOG_WARN, &err,
			    "NFS head %s: reading every export", h->lease);
		tnfs_err_clear(&err);
		rc = h->sync(h->arg, h->adopt, changed, n, all, &err);
		free(changed);
		if (rc == -1)
			log_err(TNFS_LOG_ERROR, &err, "exports sync failed");
		h->synced = gen;
		h->adopt = 0;
		h->retry_mono = rc == 0 ? 0 : tnfs_mono_ms() + HEAD_RETRY_MS;
		/* Waiters learn the failure: their change was not served. */
		if (store_exports_served(h->own, h->lease, gen,
			rc == 0 ? NULL : err.msg, &err) == -1) {
			log_err(TNFS_LOG_ERROR, &err,
			    "NFS head %s: recording the served generation",
			    h->lease);
			return;
		}
		if (gen >= served) {
			served = gen;
			snprintf(failure, sizeof(failure), "%.*s",
			    (int)sizeof(failure) - 1, rc == 0 ? "" : err.msg);
		}
	}
	pthread_mutex_lock(&h->mu);
	if (served >= h->served) {
		h->served = served;
		snprintf(h->failure, sizeof(h->failure), "%s", failure);
	}
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

struct exports_head *
exports_head_start(struct vapi *va, const char *lease, const char *id,
    exports_head_sync_fn sync, void *arg, struct tnfs_err *err)
{
	struct exports_head *h;
	int r;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	h->va = va;
	h->sync = sync;
	h->arg = arg;
	h->synced = -1;
	snprintf(h->lease, sizeof(h->lease), "%s", lease);
	snprintf(h->id, sizeof(h->id), "%s", id);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if ((h->own = store_open(va->cfg->store, err)) == NULL) {
		tnfs_err_prefix(err, "the NFS head's store connection");
		goto fail;
	}
	r = store_lease_take(h->own, h->lease, h->id, tnfs_now_ms(),
	    tnfs_now_ms() + LEASE_HOLD_MS, instances_live_after(), err);
	if (r == -1)
		goto fail;
	if (r == 1 && take_over(h, 1, err) == -1)
		goto fail;
	if (r == 0)
		log_info("NFS head %s: served by another instance; this one "
			 "follows it",
		    h->lease);
	h->other_holds = r == 0;
	h->poller = (struct tnfs_periodic){&h->mu, &h->cv, &h->kicked,
	    &h->stopping, HEAD_POLL_MS, poll_once, h};
	if (pthread_create(&h->thread, NULL, tnfs_periodic_main, &h->poller) !=
	    0) {
		tnfs_err_set(
		    err, TNFS_E_INTERNAL, "cannot start the NFS head's thread");
		goto fail;
	}
	h->started = 1;
	return h;
fail:
	if (h->serving) {
		exporter_stop(va->exporter);
		store_lease_release(h->own, h->lease, h->id, NULL);
	}
	store_close(h->own);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
	return NULL;
}

void
exports_head_stop(struct exports_head *h)
{
	struct tnfs_err err;

	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stopping = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->started)
		pthread_join(h->thread, NULL);
	if (h->serving) {
		/* Stopped before released: the next holder starts afresh. */
		exporter_stop(h->va->exporter);
		if (store_lease_release(h->own, h->lease, h->id, &err) == -1)
			log_err(TNFS_LOG_WARN, &err,
			    "NFS head %s: lease left; it frees when this "
			    "instance's record goes",
			    h->lease);
	}
	store_close(h->own);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

static void
kick(struct exports_head *h)
{
	pthread_mutex_lock(&h->mu);
	h->kicked = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

int
exports_head_wait(struct exports_head *h, const char *uuid, int wait_ms,
    struct tnfs_err *err)
{
	struct timespec ts;
	int64_t gen;
	int rc = -1;

	if (store_exports_bump(h->va->store, uuid, &gen, err) == -1)
		return -1;
	tnfs_deadline_ts(&ts, wait_ms);
	pthread_mutex_lock(&h->mu);
	h->kicked = 1;
	pthread_cond_broadcast(&h->cv);
	while (h->served < gen)
		if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) == ETIMEDOUT &&
		    h->served < gen) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "the NFS head %s did not serve the exports "
			    "within %d s (%s)",
			    h->lease, wait_ms / 1000,
			    h->serving ? "this instance runs it"
				       : "another instance runs it, or "
					 "nobody took it over yet");
			goto out;
		}
	if (h->failure[0] != '\0') {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE, "NFS head %s: %s",
		    h->lease, h->failure);
		goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&h->mu);
	return rc;
}

void
exports_head_ask(struct exports_head *h, const char *uuid)
{
	struct tnfs_err err;
	int64_t gen;

	if (h == NULL)
		return;
	if (store_exports_bump(h->va->store, uuid, &gen, &err) == -1)
		log_err(
		    TNFS_LOG_ERROR, &err, "NFS head %s: generation", h->lease);
	kick(h);
}

int
exports_head_serving(struct exports_head *h)
{
	int s;

	pthread_mutex_lock(&h->mu);
	s = h->serving;
	pthread_mutex_unlock(&h->mu);
	return s;
}

int
exports_head_healthy(struct exports_head *h)
{
	int serving, other;

	pthread_mutex_lock(&h->mu);
	serving = h->serving;
	other = h->other_holds;
	pthread_mutex_unlock(&h->mu);
	return serving ? exporter_healthy(h->va->exporter) : other;
}
