/*
 * provision_export.c: the provisioner's side of the NFS exports: which
 * volumes are served and where (the export cache, served_at), the exporter
 * thread that alone calls exporter_sync (or a shared head's sync), the
 * lease that makes one instance per NFS head write its exports, and the
 * head's health as the scanner tracks it.
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
#include "provision.h"
#include "snapshots.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "uuid.h"
#include "volumes.h"
#include "provision_impl.h"

void
provision_export_path(const char *uuid, char *buf, size_t len)
{
	snprintf(buf, len, VAPI_EXPORT_PREFIX "%s", uuid);
}

/*
 * Note under p->mu that uuid's export changed (NULL: any may have), for
 * the exporter thread's next sync.  Too many at once, or no memory for
 * one more: the next sync reads every exported volume, which is as right.
 */
static void
mark_locked(struct provision *p, const char *uuid)
{
	if (uuid == NULL || p->ex_all) {
		p->ex_all = 1;
		return;
	}
	if (p->ex_ndirty == p->ex_capdirty) {
		size_t cap = p->ex_capdirty == 0 ? 16 : 2 * p->ex_capdirty;
		char(*d)[TNFS_UUID_BUFSZ];

		if (cap > EXPORT_DIRTY_MAX ||
		    (d = realloc(p->ex_dirty, cap * sizeof(*d))) == NULL) {
			p->ex_all = 1;
			return;
		}
		p->ex_dirty = d;
		p->ex_capdirty = cap;
	}
	snprintf(p->ex_dirty[p->ex_ndirty++], TNFS_UUID_BUFSZ, "%s", uuid);
}

void
prov_export_mark(struct provision *p, const char *uuid)
{
	if (p->head != NULL)
		return;
	pthread_mutex_lock(&p->mu);
	mark_locked(p, uuid);
	pthread_mutex_unlock(&p->mu);
}

/* Ask the exporter thread for a sync and wait for one that covers it. */
int
prov_export_sync_wait(
    struct provision *p, const char *uuid, struct tnfs_err *err)
{
	struct timespec ts;
	uint64_t mine;
	int rc = -1;

	if (p->head != NULL)
		return exports_head_wait(p->head, uuid, EXPORT_WAIT_MS, err);
	tnfs_deadline_ts(&ts, EXPORT_WAIT_MS);
	pthread_mutex_lock(&p->mu);
	mark_locked(p, uuid);
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
provision_export_sync(
    struct provision *p, const char *uuid, struct tnfs_err *err)
{
	return p == NULL ? 0 : prov_export_sync_wait(p, uuid, err);
}

void
provision_export_ask(struct provision *p, const char *uuid)
{
	if (p == NULL)
		return;
	if (p->head != NULL) {
		exports_head_ask(p->head, uuid);
		return;
	}
	pthread_mutex_lock(&p->mu);
	mark_locked(p, uuid);
	p->ex_want++;
	pthread_cond_broadcast(&p->ex_cv);
	pthread_mutex_unlock(&p->mu);
}

/*
 * Every volume's grants, as a full read fetched them at once: a volume's
 * are a run of the array (by volume uuid).
 */
struct all_grants {
	struct grant *gs;
	size_t n;
};

static int
cmp_grant_volume(const void *a, const void *b)
{
	const struct grant *x = a, *y = b;
	int d = strcmp(x->volume_uuid, y->volume_uuid);

	return d != 0 ? d : strcmp(x->address, y->address);
}

static const struct grant *
grants_of(const struct all_grants *ag, const char *uuid, size_t *n)
{
	size_t lo = 0, hi = ag->n, end;

	if (ag->n == 0) { /* gs is NULL: NULL + 0 is undefined */
		*n = 0;
		return NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ag->gs[mid].volume_uuid, uuid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ag->n && strcmp(ag->gs[end].volume_uuid, uuid) == 0;
	    end++)
		;
	*n = end - lo;
	return ag->gs + lo;
}

/*
 * Put v's export in the cache as the store and storage say now, v read
 * whole (its references loaded).  ag: every volume's grants, in a full
 * read (v is appended), or NULL to read v's.  With activate, v is
 * activated first (a shared head taken over: its mounts may be gone with
 * the instance that made them); 1 when it cannot be, logged, and it is
 * left out.
 */
static int
cache_volume(struct provision *p, const struct volume *v,
    const struct all_grants *ag, int activate, struct tnfs_err *err)
{
	int bulk = ag != NULL; /* a full read: appended, sorted at its end */
	struct vapi *va = p->va;
	struct export_spec sp = {0};
	struct storage_access access;
	struct tnfs_err aerr;
	char path[4096], pseudo[64];
	const char **cl = NULL;
	size_t nc = 0;

	if (activate &&
	    storage_volume_activate(va->storage, v->uuid, &aerr) == -1) {
		log_err(TNFS_LOG_ERROR, &aerr,
		    "volume %s: not served until it can be activated", v->uuid);
		return 1; /* a full read's: the cache holds no entry of it */
	}
	if (storage_volume_path(va->storage, v->uuid, path, sizeof(path),
		err) == -1 ||
	    storage_volume_access(va->storage, v->uuid, &access, err) == -1)
		return -1;
	if (access.user[0] != '\0') {
		sp.ceph_fs = access.fs;
		sp.ceph_user = access.user;
		sp.ceph_secret = access.secret;
	}
	provision_export_path(v->uuid, pseudo, sizeof(pseudo));
	if (ag != NULL) {
		struct ref_clock clk;
		const struct grant *gs;
		size_t ng;

		gs = grants_of(ag, v->uuid, &ng);
		volumes_clock(va, &clk);
		if (fence_compute(va->cfg, v, gs, ng, &clk, &cl, &nc, err) ==
		    -1)
			return -1;
	} else if (fence_export_clients(va, v, 1, &cl, &nc, err) == -1) {
		return -1;
	}
	sp.volume_uuid = v->uuid;
	sp.path = path;
	sp.pseudo = pseudo;
	sp.clients = cl;
	sp.nclients = nc;
	sp.nfs_port = v->nfs_port;
	sp.mount_port = v->mount_port;
	return bulk ? export_cache_append(p->ex_cache, &sp, cl, err)
		    : export_cache_put(p->ex_cache, &sp, cl, err);
}

/* 1 when a configured network is shared by several owners (fence.h). */
static int
any_shared_network(const struct vapi_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nnetworks; i++)
		if (cfg->networks[i].nowners != 1)
			return 1;
	return 0;
}

/*
 * The cache from every volume the store marks exported: one list, with
 * their references when a network is shared (who its exports admit
 * depends on them), and one of every grant: not two queries per volume.
 */
static int
cache_all(struct provision *p, int activate, struct tnfs_err *err)
{
	struct volume_filter f = {0};
	struct all_grants ag = {NULL, 0};
	struct volume **vs = NULL;
	size_t nv = 0, i;
	int rc = 0;

	p->ex_cache_valid = 0;
	export_cache_clear(p->ex_cache);
	f.exported_only = 1;
	f.brief = 1;
	f.brief_refs = any_shared_network(p->va->cfg);
	if (store_volume_list(p->va->store, &f, &vs, &nv, err) == -1)
		return -1;
	if (store_grant_list(p->va->store, NULL, &ag.gs, &ag.n, err) == -1) {
		volume_list_free(vs, nv);
		return -1;
	}
	/* In strcmp's order: a store's collation may be another. */
	if (ag.n > 1)
		qsort(ag.gs, ag.n, sizeof(*ag.gs), cmp_grant_volume);
	for (i = 0; i < nv && rc == 0; i++)
		if (vs[i]->exported &&
		    cache_volume(p, vs[i], &ag, activate, err) == -1)
			rc = -1;
	if (rc == 0)
		rc = export_cache_sort(p->ex_cache, err);
	free(ag.gs);
	volume_list_free(vs, nv);
	if (rc == 0) {
		p->ex_cache_valid = 1;
		p->ex_full_ms = tnfs_mono_ms();
	}
	return rc;
}

/* The cache with the volumes named in dirty read again. */
static int
cache_update(struct provision *p, char (*dirty)[TNFS_UUID_BUFSZ], size_t n,
    struct tnfs_err *err)
{
	struct volume *v;
	struct tnfs_err gerr;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		v = NULL;
		tnfs_err_clear(&gerr);
		if (store_volume_get(p->va->store, dirty[i], &v, &gerr) == -1) {
			if (!tnfs_err_is(&gerr, TNFS_E_NOT_FOUND)) {
				*err = gerr;
				return -1;
			}
			export_cache_remove(p->ex_cache, dirty[i]);
			continue;
		}
		if (!v->exported) {
			export_cache_remove(p->ex_cache, dirty[i]);
			rc = 0;
		} else {
			rc = cache_volume(p, v, NULL, 0, err);
		}
		volume_free(v);
		if (rc == -1)
			return -1;
	}
	return 0;
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
		if (prov_may_claim(p) &&
		    (r = store_lease_take(p->va->store, p->export_lease, p->id,
			 tnfs_now_ms(), tnfs_now_ms() + 2 * EXPORT_WAIT_MS,
			 instances_live_after(), err)) != 0)
			return r == 1 ? 0 : -1;
		if (tnfs_mono_ms() >= deadline) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    prov_may_claim(p)
				? "another instance held the lease %s for %d s"
				: "lease %s: this instance's heartbeat did not "
				  "reach the store for %d s",
			    p->export_lease, EXPORT_WAIT_MS / 1000);
			return -1;
		}
		prov_sleep_ms(CLAIM_POLL_MS);
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

/*
 * Several instances on one store may each sync this head (one at a time,
 * under its lease), and a change made by another is in this one's cache
 * only if it was marked here.  So each sync leaves its writer's mark in
 * the store (EXPORT_WRITER_KEY + the lease name = this instance's id and
 * a count of its syncs), and a sync that does not find its own last mark
 * there reads every exported volume again.  An instance killed between
 * its sync and its mark leaves an older mark: the next writer reads
 * everything, which is always right.
 */
static int
writer_was_me(struct provision *p)
{
	char key[sizeof(EXPORT_WRITER_KEY) + sizeof(p->export_lease)];
	char *val = NULL;
	int same;

	if (!store_shared(p->va->store))
		return 1; /* one instance by construction */
	snprintf(key, sizeof(key), EXPORT_WRITER_KEY "%s", p->export_lease);
	if (store_meta_get(p->va->store, key, &val, NULL) == -1)
		return 0;
	same = val != NULL && strcmp(val, p->ex_mark) == 0;
	free(val);
	return same;
}

static int
writer_mark(struct provision *p, struct tnfs_err *err)
{
	char key[sizeof(EXPORT_WRITER_KEY) + sizeof(p->export_lease)];

	if (!store_shared(p->va->store))
		return 0;
	snprintf(key, sizeof(key), EXPORT_WRITER_KEY "%s", p->export_lease);
	snprintf(p->ex_mark, sizeof(p->ex_mark), "%s %llu", p->id,
	    (unsigned long long)++p->ex_marks);
	return store_meta_set(p->va->store, key, p->ex_mark, err);
}

/*
 * The cache brought up to date and handed to the exporter: the volumes in
 * dirty read again, or every exported one when why says why (activated
 * first with activate).  A failure leaves the cache untrusted.
 */
static int
cache_sync(struct provision *p, const char *why, int activate,
    char (*dirty)[TNFS_UUID_BUFSZ], size_t n, struct tnfs_err *err)
{
	const struct export_spec *specs;
	size_t ns;
	int rc;

	if (why == NULL && !p->ex_cache_valid)
		why = "first sync, or the last one failed";
	else if (why == NULL &&
	    tnfs_mono_ms() - p->ex_full_ms >= EXPORT_FULL_MS)
		why = "periodic";
	rc = why != NULL ? cache_all(p, activate, err)
			 : cache_update(p, dirty, n, err);
	if (rc == 0) {
		specs = export_cache_specs(p->ex_cache, &ns);
		if (why != NULL)
			log_info("exports: read all %zu exported volumes (%s)",
			    ns, why);
		else
			log_debug("exports: read %zu changed volumes, %zu "
				  "exported",
			    n, ns);
		rc = exporter_sync(p->va->exporter, specs, ns, err);
	}
	if (rc == -1)
		p->ex_cache_valid = 0;
	else
		export_cache_synced(p->ex_cache);
	return rc;
}

/*
 * One sync under the lease: the volumes marked since the last one read
 * again, or all of them when the cache cannot be trusted (none yet, a
 * failed sync, another writer since, a mark lost) and once every
 * EXPORT_FULL_MS whatever happened, so a change no caller marked is
 * served within that time.
 */
static int
sync_locked(struct provision *p, char (*dirty)[TNFS_UUID_BUFSZ], size_t n,
    int all, struct tnfs_err *err)
{
	const char *why = NULL;

	if (all)
		why = "any export may have changed";
	else if (p->ex_cache_valid && !writer_was_me(p))
		why = "another instance synced since";
	if (cache_sync(p, why, 0, dirty, n, err) == -1 ||
	    writer_mark(p, err) == -1) {
		p->ex_cache_valid = 0;
		return -1;
	}
	return 0;
}

void *
prov_exporter_main(void *arg)
{
	struct provision *p = arg;
	char(*dirty)[TNFS_UUID_BUFSZ];
	struct tnfs_err err;
	size_t ndirty;
	uint64_t gen;
	int rc, all;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		/* Serve until the last worker that could ask is gone. */
		while (p->ex_want == p->ex_done &&
		    !(p->stopping && p->workers_running == 0))
			pthread_cond_wait(&p->ex_cv, &p->mu);
		if (p->ex_want == p->ex_done)
			break;
		gen = p->ex_want;
		/* What was marked up to here; later marks wait for the next. */
		dirty = p->ex_dirty;
		ndirty = p->ex_ndirty;
		all = p->ex_all;
		p->ex_dirty = NULL;
		p->ex_ndirty = p->ex_capdirty = 0;
		p->ex_all = 0;
		pthread_mutex_unlock(&p->mu);

		tnfs_err_clear(&err);
		rc = export_lease_take(p, &err);
		if (rc == 0) {
			rc = sync_locked(p, dirty, ndirty, all, &err);
			export_lease_release(p);
		} else {
			p->ex_cache_valid = 0; /* the marks taken are lost */
		}
		if (rc == -1)
			log_err(TNFS_LOG_ERROR, &err, "exports sync failed");
		free(dirty);

		pthread_mutex_lock(&p->mu);
		p->ex_done = gen;
		p->ex_rc = rc;
		p->ex_err = err;
		pthread_cond_broadcast(&p->ex_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * A shared head's sync (exports_head_sync_fn), in the head's thread: the
 * volumes the instances' bumps named since its last sync read again.
 */
int
prov_head_sync(void *arg, int adopt, char (*changed)[TNFS_UUID_BUFSZ],
    size_t n, int all, struct tnfs_err *err)
{
	struct provision *p = arg;
	const char *why = NULL;

	if (adopt)
		why = "this instance took the NFS head over";
	else if (all)
		why = "any export may have changed";
	return cache_sync(p, why, adopt, changed, n, err);
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
int
prov_served_at(struct provision *p, const struct volume *v, char *path,
    size_t len, int *nfs_port, int *mount_port, struct tnfs_err *err)
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
		/* With several heads, one whose own head is down stays so. */
		if (serving &&
		    exporter_volume_up(p->va->exporter, vs[i]->uuid,
			vs[i]->nfs_port, vs[i]->mount_port) == 0)
			continue;
		if (store_volume_set_served(p->va->store, vs[i]->uuid, serving,
			serving ? NULL : EXPORTER_DOWN_ERROR, &err) == -1)
			log_err(TNFS_LOG_ERROR, &err, "volume %s", vs[i]->uuid);
	}
	volume_list_free(vs, n);
}

/* v's state follows its own head's health (several heads). */
static void
follow_head(struct provision *p, const struct volume *v, int nfs_port,
    int mount_port)
{
	struct tnfs_err err;
	int up, ready = strcmp(v->state, "ready") == 0;

	up = exporter_volume_up(p->va->exporter, v->uuid, nfs_port, mount_port);
	if (up == -1 || up == ready)
		return;
	/* A volume failed for another reason stays failed. */
	if (up && (v->error == NULL ||
		      strcmp(v->error, EXPORTER_DOWN_ERROR) != 0))
		return;
	if (store_volume_set_served(p->va->store, v->uuid, up,
		up ? NULL : EXPORTER_DOWN_ERROR, &err) == -1)
		log_err(TNFS_LOG_ERROR, &err, "volume %s", v->uuid);
}

/*
 * A head went down, came back, or gave its volumes away (exporter_moves):
 * export the volumes where they are now, then rewrite the records that
 * still name their old head, so a plugin reading a record finds its
 * volume served there, and fail the volumes of a head that does not
 * answer (ready again when it does).  0, or -1 to try again at the next
 * scan.
 */
static int
follow_moves(struct provision *p)
{
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	struct tnfs_err err;
	char path[256];
	size_t n = 0, i;
	int nfs_port, mount_port, rc;

	if (prov_export_sync_wait(p, NULL, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "exports after heads moved");
		return -1;
	}
	f.exported_only = 1;
	if (store_volume_list(p->va->store, &f, &vs, &n, &err) == -1) {
		log_err(TNFS_LOG_ERROR, &err, "volumes after heads moved");
		return -1;
	}
	for (i = 0, rc = 0; i < n; i++) {
		struct volume *v = vs[i];

		if (!v->exported ||
		    prov_served_at(p, v, path, sizeof(path), &nfs_port,
			&mount_port, &err) == -1)
			continue;
		if (v->filesystem_path == NULL ||
		    strcmp(v->filesystem_path, path) != 0 ||
		    v->nfs_port != nfs_port || v->mount_port != mount_port) {
			if (store_volume_move(p->va->store, v->uuid, path,
				nfs_port, mount_port, &err) == -1) {
				log_err(TNFS_LOG_ERROR, &err, "volume %s",
				    v->uuid);
				rc = -1;
				continue;
			}
			/* Its export names the head: the next sync reads it. */
			prov_export_mark(p, v->uuid);
			log_info("volume %s is served at %s (NFS port %d) now",
			    v->uuid, path, nfs_port);
		}
		follow_head(p, v, nfs_port, mount_port);
	}
	volume_list_free(vs, n);
	return rc;
}

void
prov_track_exporter_health(struct provision *p)
{
	unsigned long outages = exporter_outages(p->va->exporter);
	unsigned long moves = exporter_moves(p->va->exporter);
	int healthy = exporter_healthy(p->va->exporter);
	int down = !healthy || outages != p->last_outages;

	/* A shared head's health is its holder's to track. */
	if (p->head != NULL && !exports_head_serving(p->head)) {
		p->last_outages = outages;
		p->last_healthy = -1;
		return;
	}
	if (moves != p->last_moves && follow_moves(p) == 0)
		p->last_moves = moves;

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

/*
 * The lease name of this instance's NFS head: the host and the first
 * address and port it serves, which no two NFS servers share.
 */
void
prov_export_head(struct provision *p)
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
