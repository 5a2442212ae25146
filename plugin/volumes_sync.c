/*
 * volumes_sync.c: the background thread (volumes.h, volumes_impl.h).
 *
 * Every refresh period it lists the owner's volumes in the VAPI and merges
 * them into the registry (volumes made or removed on other hosts); every
 * 200 ms it unmounts volumes whose linger period ran out (or that moved
 * to another NFS head while no container used them), renews this
 * host's references before their lease expires, and reaps the mount
 * layer's children.  A volume busy in an operation is skipped, never
 * waited for.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "log.h"
#include "parse.h"
#include "state.h"
#include "timefmt.h"
#include "vapi_client.h"
#include "volumes.h"
#include "volumes_impl.h"

/*
 * Caller holds vs->lock for writing.  A volume the VAPI did not list in
 * generation gen (and no operation fetched since) disappears, unless it is
 * mounted here; its name goes to *gone when it had a state file.  1 when
 * a volume was hidden (List changes), else 0.
 */
static int
sweep_locked(struct volumes *vs, uint64_t gen, char ***gone, size_t *ngone)
{
	struct pvol *p;
	size_t cap = 0;
	int hidden = 0;

	for (p = vs->head; p != NULL; p = p->next) {
		if (p->removed || p->seen_gen >= gen)
			continue;
		if (p->st.nids > 0 || p->mounted) {
			snprintf(
			    p->vapi_state, sizeof(p->vapi_state), "missing");
			continue;
		}
		p->removed = 1;
		hidden = 1;
		if (!p->persisted)
			continue;
		p->persisted = 0;
		if (*ngone == cap) {
			char **g =
			    realloc(*gone, (cap ? 2 * cap : 16) * sizeof(*g));

			if (g == NULL)
				continue; /* the file is dropped next start */
			*gone = g;
			cap = cap ? 2 * cap : 16;
		}
		if (((*gone)[*ngone] = strdup(p->st.name)) != NULL)
			(*ngone)++;
	}
	return hidden;
}

/*
 * Merge one page of the list, each volume under a short write lock, so
 * Get and List never wait for a whole refresh; a hash lookup per volume.
 */
static void
merge_page(struct volumes *vs, const struct vapi_volume_list *l, int64_t now)
{
	struct pvol *p;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct vapi_volume *v = &l->items[i];
		int shown;

		if (!vol_visible_state(v->state) ||
		    tnfs_name_check(v->name, NULL) == -1)
			continue;
		vol_wrlock(vs);
		/* Absorbing shows the volume: List changes unless it was. */
		shown = (p = vol_find_locked(vs, v->name)) != NULL &&
		    !p->removed;
		if (p != NULL || (p = vol_add_locked(vs, v->name)) != NULL)
			vol_absorb_locked(vs, p, v, now);
		if (shown)
			vol_unlock_list_kept(vs);
		else
			vol_unlock(vs);
	}
}

/* A VAPI from before pages refuses "limit": it gets one whole list. */
static int
refuses_pages(const struct tnfs_err *err)
{
	return tnfs_err_is(err, TNFS_E_VALIDATION) &&
	    strstr(err->msg, "invalid parameter: limit") != NULL;
}

/*
 * The owner's volumes, a page at a time (vs->cfg.list_page each), so the
 * plugin never holds the whole decoded list: its memory stays flat at any
 * number of volumes.  Each page is merged before the next is asked for.
 */
static int
list_merge(struct volumes *vs, struct vapi_client *c, int64_t now,
    struct tnfs_err *err)
{
	struct vapi_list_filter f = {
	    .owner_uuid = vs->owner, .limit = (size_t)vs->cfg.list_page};
	struct vapi_volume_list l = {0};
	char marker[VAPI_UUID_BUFSZ] = "";
	int rc = -1;

	for (;;) {
		f.marker = marker[0] != '\0' ? marker : NULL;
		if (vapi_client_list_volumes(c, &f, &l, err) == -1) {
			if (f.limit == 0 || f.marker != NULL || !refuses_pages(err))
				goto out;
			f.limit = 0;
			continue;
		}
		merge_page(vs, &l, now);
		if (f.limit == 0 || l.n < f.limit)
			break;
		/* A server that does not move past the marker would loop. */
		if (strcmp(l.items[l.n - 1].uuid, marker) <= 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI list: the page after %s starts over", marker);
			goto out;
		}
		snprintf(marker, sizeof(marker), "%s", l.items[l.n - 1].uuid);
		vapi_volume_list_clear(&l);
	}
	rc = 0;
out:
	vapi_volume_list_clear(&l);
	return rc;
}

/*
 * One sweep after the whole list makes a refresh O(N).  The generation
 * tells the sweep which volumes were seen: this refresh's list, or an
 * operation's own fetch after it started (a Create that finished
 * meanwhile).  A failed refresh sweeps nothing.
 */
int
volumes_refresh(struct volumes *vs, struct tnfs_err *err)
{
	struct vapi_client *c = NULL;
	int64_t now = tnfs_now_ms();
	char **gone = NULL;
	size_t ngone = 0, i;
	uint64_t gen;
	int rc = -1, hidden;

	vol_wrlock(vs);
	gen = ++vs->gen;
	vol_unlock_list_kept(vs);
	if ((c = vol_vapi_open(vs, err)) == NULL ||
	    list_merge(vs, c, now, err) == -1) {
		vol_wrlock(vs);
		snprintf(vs->refresh_error, sizeof(vs->refresh_error), "%s",
		    err != NULL ? err->msg : "VAPI list failed");
		vol_unlock_list_kept(vs);
		goto out;
	}
	vol_wrlock(vs);
	hidden = sweep_locked(vs, gen, &gone, &ngone);
	vs->last_refresh_ms = now;
	vs->refresh_error[0] = '\0';
	if (hidden)
		vol_unlock(vs);
	else
		vol_unlock_list_kept(vs);
	for (i = 0; i < ngone; i++) {
		log_info(
		    "volume %s is gone from the VAPI; forgetting it", gone[i]);
		state_delete(vs->state_dir, gone[i], NULL);
		free(gone[i]);
	}
	rc = 0;
out:
	free(gone);
	vapi_client_free(c);
	return rc;
}

/* Caller holds vs->lock.  1 when p needs housekeeping now. */
static int
due_locked(const struct volumes *vs, const struct pvol *p, int64_t mono)
{
	if (!p->mounted)
		return 0;
	if (p->st.nids == 0)
		return vol_moved_locked(p) ||
		    (p->empty_since_ms > 0 &&
			mono - p->empty_since_ms >= vs->cfg.linger_ms);
	return p->st.uuid[0] != '\0' && mono - p->lease_ms >= vs->cfg.lease_ms;
}

/* The work for one volume; caller holds p->op_mu. */
static void
tend(struct volumes *vs, struct pvol *p, int64_t mono)
{
	struct tnfs_err err;
	struct vapi_client *c;
	char uuid[40];
	int due, unmount, moved;

	vol_rdlock(vs);
	due = due_locked(vs, p, mono);
	unmount = p->st.nids == 0;
	moved = vol_moved_locked(p);
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	vol_unlock(vs);
	if (!due)
		return;
	if (unmount) {
		/* No container uses it: the next one mounts the new head. */
		if (moved)
			log_info("volume %s moved to another NFS head (a "
				 "failover): releasing its unused mount",
			    p->st.name);
		vol_detach(vs, p);
		return;
	}
	tnfs_err_clear(&err);
	if ((c = vol_vapi_open(vs, &err)) == NULL ||
	    vapi_client_add_reference(c, uuid, vs->owner, vs->host, &err) ==
		-1) {
		log_err(TNFS_LOG_WARN, &err, "renewing the reference of %s",
		    p->st.name);
		vol_set_error(vs, p, &err);
	} else {
		vol_wrlock(vs);
		p->lease_ms = mono;
		vol_unlock(vs);
	}
	vapi_client_free(c);
}

/*
 * Lingering unmounts and lease renewals; one pass.  The volumes that are
 * due are picked under one read lock (only mounted ones can be), then
 * each is tended under its own op_mu; one busy in an operation is left
 * for the next pass.
 */
static void
housekeeping(struct volumes *vs)
{
	struct pvol *p, **due = NULL, **grown;
	int64_t mono = tnfs_mono_ms();
	size_t n = 0, cap = 0, i;

	vol_rdlock(vs);
	for (p = vs->head; p != NULL; p = p->next) {
		if (!due_locked(vs, p, mono))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((grown = realloc(due, cap * sizeof(*due))) == NULL)
				break; /* the rest waits for the next pass */
			due = grown;
		}
		due[n++] = p;
	}
	vol_unlock(vs);
	for (i = 0; i < n; i++) {
		if (pthread_mutex_trylock(&due[i]->op_mu) != 0)
			continue;
		tend(vs, due[i], mono);
		pthread_mutex_unlock(&due[i]->op_mu);
	}
	free(due);
	mounts_reap(vs->cfg.mounts);
}

static void *
background(void *arg)
{
	struct volumes *vs = arg;
	int64_t next_refresh = 0, next_docker = 0;

	pthread_mutex_lock(&vs->bg_mu);
	while (!vs->stopping) {
		struct timespec ts;
		int64_t now = tnfs_mono_ms();

		pthread_mutex_unlock(&vs->bg_mu);
		if (now >= next_refresh) {
			struct tnfs_err err;

			tnfs_err_clear(&err);
			if (volumes_refresh(vs, &err) == -1)
				log_err(TNFS_LOG_WARN, &err,
				    "refreshing volumes from the VAPI");
			else
				vol_release_strays(vs);
#ifdef __GLIBC__
			/* A refresh decodes its pages (about 5 KB a volume)
			 * and frees them: give that memory back, or the
			 * plugin keeps its peak size for good. */
			malloc_trim(0);
#endif
			next_refresh = tnfs_mono_ms() + vs->cfg.refresh_ms;
		}
		if (vs->docker_socket != NULL && tnfs_mono_ms() >= next_docker) {
			vol_docker_sync(vs);
			next_docker = tnfs_mono_ms() + vs->cfg.docker_sync_ms;
		}
		housekeeping(vs);
		pthread_mutex_lock(&vs->bg_mu);
		if (vs->stopping)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&vs->cv, &vs->bg_mu, &ts);
	}
	pthread_mutex_unlock(&vs->bg_mu);
	return NULL;
}

int
volumes_start(struct volumes *vs, struct tnfs_err *err)
{
	int e;

	if ((e = pthread_create(&vs->thread, NULL, background, vs)) != 0) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, e, "pthread_create");
		return -1;
	}
	vs->running = 1;
	return 0;
}

void
volumes_stop(struct volumes *vs)
{
	if (vs == NULL || !vs->running)
		return;
	pthread_mutex_lock(&vs->bg_mu);
	vs->stopping = 1;
	pthread_cond_broadcast(&vs->cv);
	pthread_mutex_unlock(&vs->bg_mu);
	pthread_join(vs->thread, NULL);
	vs->running = 0;
}
