/*
 * instances.c: this instance's record in the store and its heartbeat
 * (instances.h).
 *
 * The heartbeat has a thread and a store connection of its own, not a
 * turn in the provisioner's scan nor a place in the queue for the shared
 * connection: a scan may wait on a long list, requests may hold the
 * shared connection in turn for seconds under a storm, and a late
 * heartbeat hands this instance's work to another one.  (A store that
 * has one instance by construction, SQLite, lends its one connection:
 * nobody takes over from a late heartbeat there.)  The time of the
 * last heartbeat the store took is kept on the monotonic clock, so
 * instances_fresh stays right when the wall clock jumps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "instances.h"
#include "log.h"
#include "store.h"
#include "timefmt.h"
#include "uuid.h"

struct instances {
	struct vapi *va;
	struct store *own; /* the heartbeat's own connection, or NULL */
	struct instance rec;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
	int started;
	int64_t beat_mono; /* the last heartbeat the store took */
	int failing;       /* the last heartbeat failed (logged once) */
	pthread_t thread;
};

/* Where heartbeats go. */
static struct store *
hb_store(struct instances *in)
{
	return in->own != NULL ? in->own : in->va->store;
}

int64_t
instances_live_after(void)
{
	return tnfs_now_ms() - INSTANCES_TTL_MS;
}

const char *
instances_id(const struct instances *in)
{
	return in->rec.id;
}

int64_t
instances_beat_age_ms(struct instances *in)
{
	int64_t at;

	pthread_mutex_lock(&in->mu);
	at = in->beat_mono;
	pthread_mutex_unlock(&in->mu);
	return tnfs_mono_ms() - at;
}

int
instances_others_on_host(struct instances *in)
{
	struct instance *is = NULL;
	struct tnfs_err err;
	size_t n = 0, i;
	int others = 0;

	if (store_instance_list(hb_store(in), &is, &n, &err) == -1)
		return 1;
	for (i = 0; i < n; i++)
		if (strcmp(is[i].id, in->rec.id) != 0 &&
		    strcmp(is[i].hostname, in->rec.hostname) == 0 &&
		    is[i].heartbeat_ms >= instances_live_after())
			others = 1;
	free(is);
	return others;
}

int
instances_fresh(struct instances *in)
{
	return instances_beat_age_ms(in) < INSTANCES_TTL_MS / 2;
}

/* Renew the heartbeat once; the time it is sent at is what counts. */
static void
beat(struct instances *in)
{
	int64_t sent = tnfs_mono_ms();
	struct tnfs_err err;

	in->rec.heartbeat_ms = tnfs_now_ms();
	if (store_instance_put(hb_store(in), &in->rec, &err) == -1) {
		if (!in->failing)
			log_err(TNFS_LOG_ERROR, &err,
			    "instance %s: heartbeat failed; no new work is "
			    "taken until it succeeds",
			    in->rec.id);
		in->failing = 1;
		return;
	}
	if (in->failing)
		log_info("instance %s: heartbeat renewed", in->rec.id);
	in->failing = 0;
	pthread_mutex_lock(&in->mu);
	in->beat_mono = sent;
	pthread_mutex_unlock(&in->mu);
}

static void *
heartbeat_main(void *arg)
{
	struct instances *in = arg;
	struct timespec ts;

	pthread_mutex_lock(&in->mu);
	while (!in->stopping) {
		pthread_mutex_unlock(&in->mu);
		beat(in);
		pthread_mutex_lock(&in->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += INSTANCES_HEARTBEAT_MS / 1000;
		ts.tv_nsec += (INSTANCES_HEARTBEAT_MS % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!in->stopping &&
		    pthread_cond_timedwait(&in->cv, &in->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&in->mu);
	return NULL;
}

/*
 * A record with our hostname and our listen address whose heartbeat
 * missed a beat is a previous life of this instance (killed, then
 * restarted): two processes cannot listen on one address of one host, and
 * a live one beats every INSTANCES_HEARTBEAT_MS (one started by mistake
 * beside a live one never gets here: its record is fresh).  Deleting it
 * frees its claims and leases now instead of after the TTL.  Port 0 (any)
 * proves nothing.
 */
static void
forget_previous_life(struct instances *in)
{
	struct instance *is = NULL;
	struct tnfs_err err;
	size_t n = 0, i;
	size_t alen = strlen(in->rec.address);

	if (alen >= 2 && strcmp(in->rec.address + alen - 2, ":0") == 0)
		return;
	if (store_instance_list(hb_store(in), &is, &n, &err) == -1)
		return;
	for (i = 0; i < n; i++)
		if (strcmp(is[i].hostname, in->rec.hostname) == 0 &&
		    strcmp(is[i].address, in->rec.address) == 0 &&
		    is[i].heartbeat_ms <
			tnfs_now_ms() - 2 * INSTANCES_HEARTBEAT_MS &&
		    store_instance_delete(hb_store(in), is[i].id, &err) == 0)
			log_warn("instance %s (same host and address) was this "
				 "one's previous run: its claims and leases are "
				 "free",
			    is[i].id);
	free(is);
}

struct instances *
instances_start(struct vapi *va, struct tnfs_err *err)
{
	struct instances *in;

	if ((in = calloc(1, sizeof(*in))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	in->va = va;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->cv, NULL);
	if (tnfs_uuid_generate(in->rec.id, err) == -1)
		goto fail;
	if (gethostname(in->rec.hostname, sizeof(in->rec.hostname) - 1) == -1)
		snprintf(in->rec.hostname, sizeof(in->rec.hostname), "unknown");
	snprintf(in->rec.address, sizeof(in->rec.address), "%.*s",
	    (int)sizeof(in->rec.address) - 1, va->cfg->listen);
	in->rec.started_ms = in->rec.heartbeat_ms = tnfs_now_ms();
	/* Registered before anything is claimed in its name. */
	in->beat_mono = tnfs_mono_ms();
	if (store_shared(va->store) &&
	    (in->own = store_open(va->cfg->store, err)) == NULL) {
		tnfs_err_prefix(err, "the heartbeat's store connection");
		goto fail;
	}
	if (store_shared(va->store))
		forget_previous_life(in);
	if (store_instance_put(hb_store(in), &in->rec, err) == -1) {
		tnfs_err_prefix(err, "registering this instance");
		goto fail;
	}
	if (pthread_create(&in->thread, NULL, heartbeat_main, in) != 0) {
		tnfs_err_set(
		    err, TNFS_E_INTERNAL, "cannot start the heartbeat thread");
		store_instance_delete(hb_store(in), in->rec.id, NULL);
		goto fail;
	}
	in->started = 1;
	log_info("instance %s registered (%s, %s)", in->rec.id,
	    in->rec.hostname, in->rec.address);
	return in;
fail:
	store_close(in->own);
	pthread_cond_destroy(&in->cv);
	pthread_mutex_destroy(&in->mu);
	free(in);
	return NULL;
}

void
instances_stop(struct instances *in)
{
	struct tnfs_err err;

	if (in == NULL)
		return;
	pthread_mutex_lock(&in->mu);
	in->stopping = 1;
	pthread_cond_broadcast(&in->cv);
	pthread_mutex_unlock(&in->mu);
	if (in->started)
		pthread_join(in->thread, NULL);
	/* What it held is free for the others now, not after the TTL. */
	if (store_instance_delete(hb_store(in), in->rec.id, &err) == -1)
		log_err(TNFS_LOG_WARN, &err,
		    "instance %s: record left; it expires in %d s", in->rec.id,
		    INSTANCES_TTL_MS / 1000);
	store_close(in->own);
	pthread_cond_destroy(&in->cv);
	pthread_mutex_destroy(&in->mu);
	free(in);
}
