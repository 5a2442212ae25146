/*
 * volumes_docker.c: releasing the mount IDs a dead dockerd left behind
 * (volumes_impl.h, docker_users.h).
 *
 * Every mount point of a running container holds one ID, so a volume
 * whose set holds more IDs than dockerd's running containers have mount
 * points on it holds IDs that no Unmount will ever remove.  The counts
 * are compared at each ask; IDs are released only when the excess has
 * lasted a grace period (two asks, at least DOCKER_GRACE_MS) with no Mount
 * or Unmount of the volume in between, since a container being started
 * is mounted a moment before dockerd lists it as running.  The IDs
 * released are those mounted longest ago (state.h).  A set that becomes
 * empty is unmounted after the linger period, as after a last Unmount;
 * a volume still used keeps its mount whichever IDs are released.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker_users.h"
#include "log.h"
#include "state.h"
#include "timefmt.h"
#include "volumes.h"
#include "volumes_impl.h"

#define DOCKER_GRACE_MS 10000
#define DOCKER_ASK_MS   10000 /* one ask's deadline */

/* Caller holds p->op_mu.  Release the IDs beyond users, oldest first. */
static void
release_excess(struct volumes *vs, struct pvol *p, unsigned users)
{
	struct tnfs_err err;
	size_t drop, i;
	int empty, mounted;

	vol_wrlock(vs);
	if (p->excess_since_ms == 0 || p->id_ops != p->excess_ops ||
	    p->st.nids <= users) {
		/* Something moved since it was seen: look again next time. */
		p->excess_since_ms = 0;
		vol_unlock(vs);
		return;
	}
	drop = p->st.nids - users;
	log_warn("volume %s: %zu mount ID%s held but dockerd's running "
		 "containers have %u mount point%s on it (IDs of a dockerd "
		 "killed before it saved them); releasing the oldest",
	    p->st.name, p->st.nids, p->st.nids == 1 ? "" : "s", users,
	    users == 1 ? "" : "s");
	for (i = 0; i < drop; i++) {
		log_info("volume %s: releasing mount ID %.12s", p->st.name,
		    p->st.ids[0]);
		state_id_remove(&p->st, p->st.ids[0]);
	}
	p->id_ops++;
	p->excess_since_ms = 0;
	empty = p->st.nids == 0;
	mounted = p->mounted;
	if (empty && mounted)
		p->empty_since_ms = tnfs_mono_ms();
	vol_unlock(vs);
	tnfs_err_clear(&err);
	if (vol_persist(vs, p, &err) == -1)
		log_err(TNFS_LOG_WARN, &err, "saving the mount IDs of %s",
		    p->st.name);
	else if (empty && mounted && vs->cfg.linger_ms == 0)
		vol_detach(vs, p);
}

void
vol_docker_sync(struct volumes *vs)
{
	struct docker_users *u = NULL;
	struct tnfs_err err;
	struct pvol *p;
	int64_t mono;

	if (vs->docker_socket == NULL)
		return;
	tnfs_err_clear(&err);
	if (docker_users_fetch(vs->docker_socket, DOCKER_ASK_MS, &u, &err) ==
	    -1) {
		/* dockerd restarts, or is not there yet: say it once. */
		if (!vs->docker_failing)
			log_err(TNFS_LOG_INFO, &err,
			    "cannot tell which mount IDs dockerd still holds");
		vs->docker_failing = 1;
		vol_wrlock(vs);
		for (p = vs->head; p != NULL; p = p->next)
			p->excess_since_ms = 0;
		vol_unlock(vs);
		return;
	}
	if (vs->docker_failing)
		log_info("dockerd at %s answers again", vs->docker_socket);
	vs->docker_failing = 0;
	mono = tnfs_mono_ms();
	/* Entries are never freed before volumes_free and new ones go to
	 * the head: the list walks safely from a head read under the lock. */
	vol_rdlock(vs);
	p = vs->head;
	vol_unlock(vs);
	for (; p != NULL; p = p->next) {
		unsigned users = docker_users_count(u, p->st.name);
		int due = 0;

		vol_wrlock(vs);
		if (p->st.nids <= users)
			p->excess_since_ms = 0;
		else if (p->excess_since_ms == 0 ||
		    p->id_ops != p->excess_ops) {
			p->excess_since_ms = mono;
			p->excess_ops = p->id_ops;
		} else
			due = mono - p->excess_since_ms >= DOCKER_GRACE_MS &&
			    mono - p->excess_since_ms >=
				2 * (int64_t)vs->cfg.docker_sync_ms;
		vol_unlock(vs);
		if (!due || pthread_mutex_trylock(&p->op_mu) != 0)
			continue;
		release_excess(vs, p, users);
		pthread_mutex_unlock(&p->op_mu);
	}
	docker_users_free(u);
}
