/*
 * volumes_sync.c: the background thread (volumes.h, volumes_impl.h).
 *
 * Every refresh period it lists the owner's volumes in the VAPI and merges
 * them into the registry (volumes made or removed on other hosts); every
 * 200 ms it unmounts volumes whose linger period ran out, renews this
 * host's references before their lease expires, and reaps the mount
 * layer's children.  A volume busy in an operation is skipped, never
 * waited for.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "parse.h"
#include "state.h"
#include "timefmt.h"
#include "vapi_client.h"
#include "volumes.h"
#include "volumes_impl.h"

int
volumes_refresh(struct volumes *vs, struct tnfs_err *err)
{
	struct vapi_list_filter f = {.owner_uuid = vs->owner};
	struct vapi_volume_list l = {0};
	struct vapi_client *c = NULL;
	struct pvol *p;
	int64_t now = tnfs_now_ms();
	char **gone = NULL;
	size_t ngone = 0, i;
	int rc = -1;

	if ((c = vol_vapi_open(vs, err)) == NULL ||
	    vapi_client_list_volumes(c, &f, &l, err) == -1) {
		pthread_mutex_lock(&vs->mu);
		snprintf(vs->refresh_error, sizeof(vs->refresh_error), "%s",
		    err != NULL ? err->msg : "VAPI list failed");
		pthread_mutex_unlock(&vs->mu);
		goto out;
	}
	pthread_mutex_lock(&vs->mu);
	for (i = 0; i < l.n; i++) {
		const struct vapi_volume *v = &l.items[i];

		if (!vol_visible_state(v->state) ||
		    tnfs_name_check(v->name, NULL) == -1)
			continue;
		if ((p = vol_find_locked(vs, v->name)) == NULL &&
		    (p = vol_add_locked(vs, v->name)) == NULL)
			continue;
		vol_absorb_locked(p, v, now);
	}
	/* Volumes the VAPI no longer lists disappear unless mounted here. */
	for (p = vs->head; p != NULL; p = p->next) {
		int listed = 0;

		if (p->removed)
			continue;
		for (i = 0; i < l.n && !listed; i++)
			listed = vol_visible_state(l.items[i].state) &&
			    strcmp(l.items[i].name, p->st.name) == 0;
		if (listed)
			continue;
		if (p->st.nids > 0 || p->mounted) {
			snprintf(
			    p->vapi_state, sizeof(p->vapi_state), "missing");
			continue;
		}
		p->removed = 1;
		if (p->persisted) {
			char **g = realloc(gone, (ngone + 1) * sizeof(*g));

			if (g != NULL) {
				gone = g;
				if ((gone[ngone] = strdup(p->st.name)) != NULL)
					ngone++;
			}
			p->persisted = 0;
		}
	}
	vs->last_refresh_ms = now;
	vs->refresh_error[0] = '\0';
	pthread_mutex_unlock(&vs->mu);
	for (i = 0; i < ngone; i++) {
		log_info(
		    "volume %s is gone from the VAPI; forgetting it", gone[i]);
		state_delete(vs->state_dir, gone[i], NULL);
		free(gone[i]);
	}
	rc = 0;
out:
	free(gone);
	vapi_volume_list_clear(&l);
	vapi_client_free(c);
	return rc;
}

/* Lingering unmounts and lease renewals; one pass. */
static void
housekeeping(struct volumes *vs)
{
	struct pvol *p;
	int64_t mono = tnfs_mono_ms();

	pthread_mutex_lock(&vs->mu);
	p = vs->head;
	pthread_mutex_unlock(&vs->mu);
	for (; p != NULL; p = p->next) {
		int unmount = 0, renew = 0;
		char uuid[40];

		/* trylock: a volume busy in an operation is left for later. */
		if (pthread_mutex_trylock(&p->op_mu) != 0)
			continue;
		pthread_mutex_lock(&vs->mu);
		unmount = p->mounted && p->st.nids == 0 &&
		    p->empty_since_ms > 0 &&
		    mono - p->empty_since_ms >= vs->cfg.linger_ms;
		renew = p->mounted && p->st.nids > 0 && p->st.uuid[0] != '\0' &&
		    mono - p->lease_ms >= vs->cfg.lease_ms;
		snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
		pthread_mutex_unlock(&vs->mu);
		if (unmount)
			vol_detach(vs, p);
		if (renew) {
			struct tnfs_err err;
			struct vapi_client *c;

			tnfs_err_clear(&err);
			if ((c = vol_vapi_open(vs, &err)) == NULL ||
			    vapi_client_add_reference(
				c, uuid, vs->owner, vs->host, &err) == -1) {
				log_err(TNFS_LOG_WARN, &err,
				    "renewing the reference of %s", p->st.name);
				vol_set_error(vs, p, &err);
			} else {
				pthread_mutex_lock(&vs->mu);
				p->lease_ms = mono;
				pthread_mutex_unlock(&vs->mu);
			}
			vapi_client_free(c);
		}
		pthread_mutex_unlock(&p->op_mu);
	}
	mounts_reap(vs->cfg.mounts);
}

static void *
background(void *arg)
{
	struct volumes *vs = arg;
	int64_t next_refresh = 0;

	pthread_mutex_lock(&vs->mu);
	while (!vs->stopping) {
		struct timespec ts;
		int64_t now = tnfs_mono_ms();

		pthread_mutex_unlock(&vs->mu);
		if (now >= next_refresh) {
			struct tnfs_err err;

			tnfs_err_clear(&err);
			if (volumes_refresh(vs, &err) == -1)
				log_err(TNFS_LOG_WARN, &err,
				    "refreshing volumes from the VAPI");
			next_refresh = tnfs_mono_ms() + vs->cfg.refresh_ms;
		}
		housekeeping(vs);
		pthread_mutex_lock(&vs->mu);
		if (vs->stopping)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&vs->cv, &vs->mu, &ts);
	}
	pthread_mutex_unlock(&vs->mu);
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
	pthread_mutex_lock(&vs->mu);
	vs->stopping = 1;
	pthread_cond_broadcast(&vs->cv);
	pthread_mutex_unlock(&vs->mu);
	pthread_join(vs->thread, NULL);
	vs->running = 0;
}
