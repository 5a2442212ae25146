/*
 * volumes.c: the plugin's domain (volumes.h).
 *
 * A struct pvol is one volume this plugin knows: from its state file, from
 * the VAPI's list, or from a Create.  pvols are never freed before
 * volumes_free: a removed volume is only flagged, so a thread holding a
 * pointer to it stays safe without reference counting.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "jsonx.h"
#include "log.h"
#include "parse.h"
#include "protocol.h"
#include "rpc_ping.h"
#include "state.h"
#include "timefmt.h"
#include "vapi_client.h"
#include "volumes.h"

struct pvol {
	struct pvol *next;
	pthread_mutex_t op_mu; /* held across this volume's I/O */
	/* Everything below is guarded by volumes.mu. */
	struct volume_state st;
	char vapi_state[VAPI_STATE_BUFSZ]; /* "" until the VAPI was asked */
	char refs[1024]; /* holders as the VAPI last listed them */
	int removed;     /* hidden: deleted or gone from the VAPI */
	int mounted;
	int persisted;          /* has a state file */
	int64_t empty_since_ms; /* ID set became empty while mounted */
	int64_t lease_ms;       /* last reference add/renewal */
	int64_t mounted_since_ms;
	int64_t last_check_ms; /* last time the VAPI confirmed it */
	char last_error[TNFS_ERR_MSG_MAX];
};

struct volumes {
	char *vapi_url, *token, *owner, *host, *state_dir, *mount_root;
	struct volumes_config cfg;
	pthread_mutex_t mu;
	struct pvol *head;
	pthread_t thread;
	int running;
	int stopping;
	pthread_cond_t cv;
	int64_t last_refresh_ms;
	char refresh_error[TNFS_ERR_MSG_MAX];
};

/* ---- helpers ---- */

static struct vapi_client *
vapi_open(struct volumes *vs, struct tnfs_err *err)
{
	struct vapi_client_opts o = {0};

	o.url = vs->vapi_url;
	o.token = vs->token;
	o.timeout_ms = vs->cfg.vapi_timeout_ms;
	o.connect_timeout_ms = 3000;
	o.user_agent = "tritonnfs-plugin";
	return vapi_client_new(&o, err);
}

static void
target_path(struct volumes *vs, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", vs->mount_root, name);
}

/* Caller holds vs->mu. */
static struct pvol *
find_locked(struct volumes *vs, const char *name)
{
	struct pvol *p;

	for (p = vs->head; p != NULL; p = p->next)
		if (strcmp(p->st.name, name) == 0)
			return p;
	return NULL;
}

/* Caller holds vs->mu.  A new, removed-flagged entry for name. */
static struct pvol *
add_locked(struct volumes *vs, const char *name)
{
	struct pvol *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	pthread_mutex_init(&p->op_mu, NULL);
	snprintf(p->st.name, sizeof(p->st.name), "%s", name);
	volume_opts_default(&p->st.opts);
	p->removed = 1;
	p->next = vs->head;
	vs->head = p;
	return p;
}

static struct pvol *
get_or_add(struct volumes *vs, const char *name)
{
	struct pvol *p;

	pthread_mutex_lock(&vs->mu);
	if ((p = find_locked(vs, name)) == NULL)
		p = add_locked(vs, name);
	pthread_mutex_unlock(&vs->mu);
	return p;
}

/* Caller holds p->op_mu; takes vs->mu for the copy. */
static int
persist(struct volumes *vs, struct pvol *p, struct tnfs_err *err)
{
	struct volume_state copy;
	int rc;

	memset(&copy, 0, sizeof(copy));
	pthread_mutex_lock(&vs->mu);
	copy = p->st;
	copy.ids = NULL;
	copy.nids = 0;
	for (size_t i = 0; i < p->st.nids; i++)
		if (state_id_add(&copy, p->st.ids[i], err) == -1) {
			pthread_mutex_unlock(&vs->mu);
			volume_state_clear(&copy);
			return -1;
		}
	pthread_mutex_unlock(&vs->mu);
	rc = state_save(vs->state_dir, &copy, err);
	volume_state_clear(&copy);
	if (rc == 0) {
		pthread_mutex_lock(&vs->mu);
		p->persisted = 1;
		pthread_mutex_unlock(&vs->mu);
	}
	return rc;
}

static void
set_error(struct volumes *vs, struct pvol *p, const struct tnfs_err *err)
{
	pthread_mutex_lock(&vs->mu);
	snprintf(p->last_error, sizeof(p->last_error), "%s",
	    err != NULL ? err->msg : "");
	pthread_mutex_unlock(&vs->mu);
}

/* Copy what the VAPI says into p (caller holds vs->mu). */
static void
absorb_locked(struct pvol *p, const struct vapi_volume *v, int64_t now)
{
	size_t i, o = 0;

	if (!p->mounted || p->st.uuid[0] == '\0' ||
	    strcmp(p->st.uuid, v->uuid) == 0) {
		/* Never change the address of a mounted volume under it. */
		snprintf(p->st.uuid, sizeof(p->st.uuid), "%s", v->uuid);
		if (v->filesystem_path[0] != '\0')
			snprintf(p->st.filesystem_path,
			    sizeof(p->st.filesystem_path), "%s",
			    v->filesystem_path);
		if (v->nfs_port > 0)
			p->st.nfs_port = v->nfs_port;
		if (v->mount_port > 0)
			p->st.mount_port = v->mount_port;
	}
	p->st.size_mib = v->size_mib;
	if (v->create_timestamp_ms > 0)
		p->st.created_ms = v->create_timestamp_ms;
	if (!p->persisted)
		proto_opts_from_labels(v->labels, &p->st.opts);
	snprintf(p->vapi_state, sizeof(p->vapi_state), "%s", v->state);
	p->refs[0] = '\0';
	for (i = 0; i < v->nrefs && o + 40 < sizeof(p->refs); i++)
		o += (size_t)snprintf(p->refs + o, sizeof(p->refs) - o, "%s%s",
		    i ? "," : "", v->refs[i]);
	p->last_check_ms = now;
	p->removed = 0;
}

static int
visible_state(const char *s)
{
	return strcmp(s, "ready") == 0 || strcmp(s, "creating") == 0;
}

/* ---- start-up ---- */

static void
on_loaded(void *arg, struct volume_state *st)
{
	struct volumes *vs = arg;
	struct pvol *p;

	pthread_mutex_lock(&vs->mu);
	if ((p = add_locked(vs, st->name)) != NULL) {
		p->st = *st;
		p->removed = 0;
		p->persisted = 1;
		memset(st, 0, sizeof(*st));
	}
	pthread_mutex_unlock(&vs->mu);
	volume_state_clear(st);
}

/*
 * Match the state with the mounts that exist (§5.1 item 8): adopt mounts
 * at the expected paths, drop the IDs of vanished mounts, and unmount
 * leftovers under the mount root that no ID holds.
 */
static void
reconcile_mounts(struct volumes *vs)
{
	struct pvol *p;
	char target[4096];
	DIR *d;
	struct dirent *de;
	struct tnfs_err err;

	for (p = vs->head; p != NULL; p = p->next) {
		target_path(vs, p->st.name, target, sizeof(target));
		if (mounts_is_mountpoint(target) == 1) {
			p->mounted = 1;
			p->mounted_since_ms = tnfs_now_ms();
			if (p->st.nids == 0)
				p->empty_since_ms = tnfs_mono_ms();
			log_info("adopted the existing mount of %s at %s "
				 "(%zu ids)",
			    p->st.name, target, p->st.nids);
		} else if (p->st.nids > 0) {
			log_warn("volume %s: mount at %s vanished; dropping "
				 "%zu mount ids",
			    p->st.name, target, p->st.nids);
			while (p->st.nids > 0)
				state_id_remove(&p->st, p->st.ids[0]);
			tnfs_err_clear(&err);
			if (state_save(vs->state_dir, &p->st, &err) == -1)
				log_err(TNFS_LOG_WARN, &err, "reconcile");
		}
	}
	if ((d = opendir(vs->mount_root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = find_locked(vs, de->d_name);
		if (p != NULL && p->mounted)
			continue;
		target_path(vs, de->d_name, target, sizeof(target));
		if (mounts_is_mountpoint(target) != 1)
			continue;
		log_warn("unmounting %s: mounted under the mount root but no "
			 "state holds it",
		    target);
		tnfs_err_clear(&err);
		if (mounts_unmount(vs->cfg.mounts, target,
			vs->cfg.unmount_timeout_ms, &err) == -1)
			log_err(TNFS_LOG_WARN, &err, "unmount leftover");
	}
	closedir(d);
}

struct volumes *
volumes_new(const struct volumes_config *cfg, struct tnfs_err *err)
{
	struct volumes *vs = calloc(1, sizeof(*vs)), *ret = NULL;

	if (vs == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&vs->mu, NULL);
	pthread_cond_init(&vs->cv, NULL);
	vs->cfg = *cfg;
	vs->vapi_url = strdup(cfg->vapi_url);
	vs->token = cfg->token != NULL ? strdup(cfg->token) : NULL;
	vs->owner = strdup(cfg->owner_uuid);
	vs->host = strdup(cfg->host_uuid);
	vs->state_dir = strdup(cfg->state_dir);
	vs->mount_root = strdup(cfg->mount_root);
	if (vs->vapi_url == NULL || vs->owner == NULL || vs->host == NULL ||
	    vs->state_dir == NULL || vs->mount_root == NULL ||
	    (cfg->token != NULL && vs->token == NULL)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (fsutil_mkdir_p(vs->mount_root, 0755, err) == -1 ||
	    state_load_all(vs->state_dir, on_loaded, vs, err) == -1)
		goto out;
	reconcile_mounts(vs);
	ret = vs;
	vs = NULL;
out:
	volumes_free(vs);
	return ret;
}

void
volumes_free(struct volumes *vs)
{
	struct pvol *p, *n;

	if (vs == NULL)
		return;
	for (p = vs->head; p != NULL; p = n) {
		n = p->next;
		volume_state_clear(&p->st);
		pthread_mutex_destroy(&p->op_mu);
		free(p);
	}
	free(vs->vapi_url);
	free(vs->token);
	free(vs->owner);
	free(vs->host);
	free(vs->state_dir);
	free(vs->mount_root);
	free(vs);
}

/* ---- background work ---- */

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

	if ((c = vapi_open(vs, err)) == NULL ||
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

		if (!visible_state(v->state) ||
		    tnfs_name_check(v->name, NULL) == -1)
			continue;
		if ((p = find_locked(vs, v->name)) == NULL &&
		    (p = add_locked(vs, v->name)) == NULL)
			continue;
		absorb_locked(p, v, now);
	}
	/* Volumes the VAPI no longer lists disappear unless mounted here. */
	for (p = vs->head; p != NULL; p = p->next) {
		int listed = 0;

		if (p->removed)
			continue;
		for (i = 0; i < l.n && !listed; i++)
			listed = visible_state(l.items[i].state) &&
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

static void do_unmount_locked(struct volumes *vs, struct pvol *p);

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
			do_unmount_locked(vs, p);
		if (renew) {
			struct tnfs_err err;
			struct vapi_client *c;

			tnfs_err_clear(&err);
			if ((c = vapi_open(vs, &err)) == NULL ||
			    vapi_client_add_reference(
				c, uuid, vs->owner, vs->host, &err) == -1) {
				log_err(TNFS_LOG_WARN, &err,
				    "renewing the reference of %s", p->st.name);
				set_error(vs, p, &err);
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

/* ---- operations ---- */

/*
 * Look name up in the VAPI when the cache does not know it (a volume made
 * on another host since the last refresh).  Caller holds p->op_mu.
 * 1 found, 0 not there, -1 error.
 */
static int
fetch_into(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    struct tnfs_err *err)
{
	struct vapi_volume v;
	struct tnfs_err e;

	tnfs_err_clear(&e);
	if (vapi_client_find_volume(c, vs->owner, p->st.name, &v, &e) == -1) {
		if (tnfs_err_is(&e, TNFS_E_NOT_FOUND))
			return 0;
		if (err != NULL)
			*err = e;
		return -1;
	}
	pthread_mutex_lock(&vs->mu);
	absorb_locked(p, &v, tnfs_now_ms());
	pthread_mutex_unlock(&vs->mu);
	vapi_volume_clear(&v);
	return 1;
}

static int
pick_size(
    struct vapi_client *c, uint64_t want, uint64_t *out, struct tnfs_err *err)
{
	struct vapi_size *sz = NULL;
	uint64_t *mibs = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (vapi_client_list_sizes(c, &sz, &n, err) == -1)
		goto out;
	if (n > 0 && (mibs = calloc(n, sizeof(*mibs))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		mibs[i] = sz[i].size_mib;
	rc = tnfs_size_round_up(want, mibs, n, out, err);
out:
	free(mibs);
	free(sz);
	return rc;
}

int
volumes_create(struct volumes *vs, const char *name, json_object *opts,
    struct tnfs_err *err)
{
	struct create_opts co;
	struct vapi_create_req rq = {0};
	struct vapi_volume v = {0};
	struct vapi_client *c = NULL;
	struct pvol *p;
	char net[VAPI_UUID_BUFSZ], human[32];
	const char *nets[1] = {net};
	json_object *labels = NULL;
	uint64_t size = 0;
	int rc = -1, known, found;

	if (proto_parse_create_opts(opts, &co, err) == -1)
		return -1;
	if ((p = get_or_add(vs, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&p->op_mu);
	pthread_mutex_lock(&vs->mu);
	known = !p->removed && visible_state(p->vapi_state);
	pthread_mutex_unlock(&vs->mu);
	if (known) {
		/* Idempotent (§5.1 item 5): dockerd repeats Create. */
		log_info(
		    "create %s: already exists; options not changed", name);
		rc = 0;
		goto out;
	}
	if ((c = vapi_open(vs, err)) == NULL)
		goto out;
	if ((found = fetch_into(vs, c, p, err)) == -1)
		goto fail_vapi;
	if (found == 1) {
		log_info("create %s: found in the VAPI; using it", name);
		rc = 0;
		goto save;
	}
	if (vapi_client_resolve_network(c, vs->owner, co.network, net, err) ==
	    -1)
		goto fail;
	if (co.has_size) {
		if (pick_size(c, co.size_mib, &size, err) == -1)
			goto fail;
		tnfs_size_format(size, human, sizeof(human));
		log_info("create %s: size %llu MiB asked, %s (%llu MiB) chosen",
		    name, (unsigned long long)co.size_mib, human,
		    (unsigned long long)size);
	}
	if ((labels = proto_opts_to_labels(&co.vol)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rq.owner_uuid = vs->owner;
	rq.name = name;
	rq.size_mib = size;
	rq.networks = nets;
	rq.nnetworks = 1;
	rq.labels = labels;
	if (vapi_client_create_volume(c, &rq, &v, err) == -1) {
		/* Another host won the race: the volume exists, so succeed. */
		if (tnfs_err_is(err, TNFS_E_ALREADY_EXISTS) &&
		    fetch_into(vs, c, p, NULL) == 1) {
			tnfs_err_clear(err);
			rc = 0;
			goto save;
		}
		goto fail;
	}
	pthread_mutex_lock(&vs->mu);
	absorb_locked(p, &v, tnfs_now_ms());
	p->st.opts = co.vol;
	pthread_mutex_unlock(&vs->mu);
	log_info(
	    "created volume %s (uuid %s, state %s)", name, v.uuid, v.state);
	rc = 0;
save:
	if (persist(vs, p, err) == -1)
		rc = -1;
	goto out;
fail_vapi:
fail:
	tnfs_err_prefix(err, "cannot create volume %s", name);
out:
	pthread_mutex_unlock(&p->op_mu);
	if (labels != NULL)
		json_object_put(labels);
	vapi_volume_clear(&v);
	vapi_client_free(c);
	return rc;
}

/* Unmount p and drop this host's reference.  Caller holds p->op_mu. */
static void
do_unmount_locked(struct volumes *vs, struct pvol *p)
{
	struct tnfs_err err;
	struct vapi_client *c;
	char target[4096], uuid[40];

	target_path(vs, p->st.name, target, sizeof(target));
	tnfs_err_clear(&err);
	if (mounts_unmount(vs->cfg.mounts, target, vs->cfg.unmount_timeout_ms,
		&err) == -1) {
		log_err(TNFS_LOG_WARN, &err, "unmounting %s", p->st.name);
		set_error(vs, p, &err);
		return;
	}
	pthread_mutex_lock(&vs->mu);
	p->mounted = 0;
	p->empty_since_ms = 0;
	p->mounted_since_ms = 0;
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	pthread_mutex_unlock(&vs->mu);
	log_info("unmounted %s from %s", p->st.name, target);
	if (uuid[0] == '\0')
		return;
	if ((c = vapi_open(vs, &err)) == NULL ||
	    vapi_client_remove_reference(c, uuid, vs->owner, vs->host, &err) ==
		-1) {
		/* The lease expires on its own if this never gets through. */
		log_err(TNFS_LOG_WARN, &err, "removing the reference of %s",
		    p->st.name);
		set_error(vs, p, &err);
	}
	vapi_client_free(c);
}

int
volumes_remove(struct volumes *vs, const char *name, struct tnfs_err *err)
{
	struct vapi_client *c = NULL;
	struct pvol *p;
	char uuid[40];
	int rc = -1, found, nids, mounted;

	if ((p = get_or_add(vs, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&p->op_mu);
	if ((c = vapi_open(vs, err)) == NULL)
		goto out;
	if ((found = fetch_into(vs, c, p, err)) == -1) {
		tnfs_err_prefix(err, "cannot remove volume %s", name);
		goto out;
	}
	if (found == 0) {
		/* Unknown is success (§5.1 item 5). */
		pthread_mutex_lock(&vs->mu);
		nids = (int)p->st.nids;
		pthread_mutex_unlock(&vs->mu);
		if (nids == 0) {
			pthread_mutex_lock(&vs->mu);
			p->removed = 1;
			p->persisted = 0;
			pthread_mutex_unlock(&vs->mu);
			state_delete(vs->state_dir, name, NULL);
		}
		rc = 0;
		goto out;
	}
	pthread_mutex_lock(&vs->mu);
	nids = (int)p->st.nids;
	mounted = p->mounted;
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	pthread_mutex_unlock(&vs->mu);
	/* No container here holds it: drop this host's own claim first. */
	if (nids == 0) {
		if (mounted)
			do_unmount_locked(vs, p);
		else
			vapi_client_remove_reference(
			    c, uuid, vs->owner, vs->host, NULL);
	}
	if (vapi_client_delete_volume(c, uuid, vs->owner, 0, err) == -1) {
		if (tnfs_err_is(err, TNFS_E_NOT_FOUND)) {
			tnfs_err_clear(err);
		} else {
			if (tnfs_err_is(err, TNFS_E_IN_USE))
				tnfs_err_prefix(err,
				    "cannot remove volume %s: it is in use "
				    "on another host",
				    name);
			else
				tnfs_err_prefix(
				    err, "cannot remove volume %s", name);
			goto out;
		}
	}
	log_info("removed volume %s (uuid %s)", name, uuid);
	pthread_mutex_lock(&vs->mu);
	p->removed = 1;
	p->persisted = 0;
	snprintf(p->vapi_state, sizeof(p->vapi_state), "deleting");
	pthread_mutex_unlock(&vs->mu);
	if (state_delete(vs->state_dir, name, err) == -1)
		goto out;
	rc = 0;
out:
	pthread_mutex_unlock(&p->op_mu);
	vapi_client_free(c);
	return rc;
}

static void
add_time(json_object *o, const char *key, int64_t ms)
{
	char buf[TNFS_TIME_BUFSZ];

	if (ms <= 0)
		return;
	tnfs_time_format(ms, buf);
	jsonx_add_str(o, key, buf);
}

/* The Volume object of Get and List (caller holds vs->mu). */
static json_object *
volume_json_locked(struct volumes *vs, const struct pvol *p, int status)
{
	json_object *v = json_object_new_object(), *s = NULL;
	char target[4096], human[32], opts[64], mnt[1024];
	const char *state;

	if (v == NULL)
		return NULL;
	target_path(vs, p->st.name, target, sizeof(target));
	jsonx_add_str(v, "Name", p->st.name);
	/* Mountpoint only while mounted (§5.1 item 4). */
	if (p->mounted)
		jsonx_add_str(v, "Mountpoint", target);
	if (!status)
		return v;
	add_time(v, "CreatedAt", p->st.created_ms);
	if ((s = json_object_new_object()) == NULL)
		return v;
	if (p->mounted)
		state = "mounted";
	else if (p->vapi_state[0] != '\0' &&
	    strcmp(p->vapi_state, "ready") != 0)
		state = p->vapi_state;
	else
		state = "unmounted";
	jsonx_add_str(s, "state", state);
	jsonx_add_str(
	    s, "vapi_state", p->vapi_state[0] ? p->vapi_state : "unknown");
	jsonx_add_str(s, "uuid", p->st.uuid);
	if (p->st.filesystem_path[0] != '\0') {
		char host[256], exp[1024];

		if (mounts_split_fspath(p->st.filesystem_path, host,
			sizeof(host), exp, sizeof(exp), NULL) == 0) {
			jsonx_add_str(s, "server", host);
			jsonx_add_str(s, "export", exp);
		}
	}
	if (p->st.size_mib > 0) {
		tnfs_size_format(p->st.size_mib, human, sizeof(human));
		jsonx_add_str(s, "size", human);
	}
	jsonx_add_bool(s, "mounted", p->mounted);
	jsonx_add_int64(s, "ids", (int64_t)p->st.nids);
	snprintf(opts, sizeof(opts), "nfsvers=%s,%s", p->st.opts.nfsvers,
	    p->st.opts.ro ? "ro" : "rw");
	jsonx_add_str(s, "options", opts);
	jsonx_add_str(s, "backend", mounts_backend_name(vs->cfg.mounts));
	if (p->mounted && mounts_describe(target, mnt, sizeof(mnt)) == 1)
		jsonx_add_str(s, "mount", mnt);
	jsonx_add_str(s, "hosts", p->refs);
	add_time(s, "mounted_since", p->mounted_since_ms);
	jsonx_add_str(s, "last_error",
	    p->last_error[0] ? p->last_error : vs->refresh_error);
	add_time(s, "last_check", p->last_check_ms);
	json_object_object_add(v, "Status", s);
	return v;
}

json_object *
volumes_get(struct volumes *vs, const char *name, struct tnfs_err *err)
{
	json_object *reply = NULL, *v;
	struct pvol *p;

	pthread_mutex_lock(&vs->mu);
	p = find_locked(vs, name);
	if (p == NULL || (p->removed && p->st.nids == 0 && !p->mounted)) {
		tnfs_err_set(
		    err, TNFS_E_NOT_FOUND, "volume %s not found", name);
		goto out;
	}
	if ((reply = json_object_new_object()) == NULL ||
	    (v = volume_json_locked(vs, p, 1)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	json_object_object_add(reply, "Volume", v);
out:
	pthread_mutex_unlock(&vs->mu);
	return reply;
}

json_object *
volumes_list(struct volumes *vs)
{
	json_object *reply = json_object_new_object(), *arr;
	struct pvol *p;

	if (reply == NULL || (arr = json_object_new_array()) == NULL) {
		if (reply != NULL)
			json_object_put(reply);
		return NULL;
	}
	pthread_mutex_lock(&vs->mu);
	for (p = vs->head; p != NULL; p = p->next) {
		json_object *v;

		if (p->removed && p->st.nids == 0 && !p->mounted)
			continue;
		/* Hide failed and deleting volumes (§5.1 item 20). */
		if (strcmp(p->vapi_state, "failed") == 0 ||
		    strcmp(p->vapi_state, "deleting") == 0)
			continue;
		if ((v = volume_json_locked(vs, p, 0)) != NULL)
			json_object_array_add(arr, v);
	}
	pthread_mutex_unlock(&vs->mu);
	json_object_object_add(reply, "Volumes", arr);
	return reply;
}

json_object *
volumes_path(struct volumes *vs, const char *name, struct tnfs_err *err)
{
	json_object *reply = NULL;
	struct pvol *p;
	char target[4096];

	pthread_mutex_lock(&vs->mu);
	p = find_locked(vs, name);
	if (p == NULL || (p->removed && p->st.nids == 0 && !p->mounted)) {
		tnfs_err_set(
		    err, TNFS_E_NOT_FOUND, "volume %s not found", name);
		goto out;
	}
	target_path(vs, name, target, sizeof(target));
	if ((reply = json_object_new_object()) == NULL)
		goto out;
	jsonx_add_str(reply, "Mountpoint", p->mounted ? target : "");
out:
	pthread_mutex_unlock(&vs->mu);
	return reply;
}

static int64_t
left_ms(int64_t deadline)
{
	int64_t l = deadline - tnfs_mono_ms();

	return l > 0 ? l : 0;
}

/* Apply uid/gid/mode once, to an empty volume root (§5.2 item 8). */
static void
apply_perms(struct volumes *vs, struct pvol *p, const char *target)
{
	struct volume_opts o;
	DIR *d;
	struct dirent *de;
	int empty = 1;

	pthread_mutex_lock(&vs->mu);
	o = p->st.opts;
	if (p->st.perms_applied || !(o.has_uid || o.has_gid || o.has_mode)) {
		pthread_mutex_unlock(&vs->mu);
		return;
	}
	pthread_mutex_unlock(&vs->mu);
	if ((d = opendir(target)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (empty) {
		if ((o.has_uid || o.has_gid) &&
		    chown(target, o.has_uid ? o.uid : (uid_t)-1,
			o.has_gid ? o.gid : (gid_t)-1) == -1)
			log_warn("volume %s: chown: %s", p->st.name,
			    strerror(errno));
		if (o.has_mode && chmod(target, o.mode) == -1)
			log_warn("volume %s: chmod: %s", p->st.name,
			    strerror(errno));
	}
	pthread_mutex_lock(&vs->mu);
	p->st.perms_applied = 1;
	pthread_mutex_unlock(&vs->mu);
}

/* Wait (bounded) for the volume to be ready with an address. */
static int
wait_ready(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    int64_t deadline, struct tnfs_err *err)
{
	for (;;) {
		int ok, found;
		char state[VAPI_STATE_BUFSZ];

		pthread_mutex_lock(&vs->mu);
		ok = p->st.filesystem_path[0] != '\0' &&
		    (p->vapi_state[0] == '\0' ||
			strcmp(p->vapi_state, "ready") == 0 ||
			strcmp(p->vapi_state, "missing") == 0);
		snprintf(state, sizeof(state), "%s", p->vapi_state);
		pthread_mutex_unlock(&vs->mu);
		if (ok)
			return 0;
		if (strcmp(state, "failed") == 0) {
			tnfs_err_set(err, TNFS_E_BAD_STATE,
			    "volume %s failed in the VAPI", p->st.name);
			return -1;
		}
		if (left_ms(deadline) <= 1000) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "volume %s is not ready (state %s) after waiting "
			    "%d ms",
			    p->st.name, state[0] ? state : "unknown",
			    vs->cfg.mount_timeout_ms);
			return -1;
		}
		if ((found = fetch_into(vs, c, p, err)) == -1)
			return -1;
		if (found == 0) {
			tnfs_err_set(err, TNFS_E_NOT_FOUND,
			    "volume %s no longer exists in the VAPI",
			    p->st.name);
			return -1;
		}
		pthread_mutex_lock(&vs->mu);
		ok = strcmp(p->vapi_state, "ready") == 0 &&
		    p->st.filesystem_path[0] != '\0';
		pthread_mutex_unlock(&vs->mu);
		if (!ok)
			usleep(500000);
	}
}

/*
 * The version a backend mounts.  The kernel: what the volume asks, "auto"
 * being its newest NFSv4.  tritonnfs-fuse: always NFSv3, since libnfs
 * 4.0's NFSv4 is four times slower and weaker at the quota's edge
 * (tritonnfs-fuse(8), BUGS); the server exports both, so nothing is lost
 * but the version's own features.
 */
static const char *
effective_nfsvers(
    const struct volumes *vs, const char *name, const char *nfsvers)
{
	if (strcmp(mounts_backend_name(vs->cfg.mounts), "kernel") == 0)
		return strcmp(nfsvers, "auto") == 0 ? "4" : nfsvers;
	if (strcmp(nfsvers, "auto") != 0 && strcmp(nfsvers, "3") != 0)
		log_info("volume %s asks for NFS %s; the FUSE client mounts it "
			 "over NFSv3",
		    name, nfsvers);
	return "3";
}

json_object *
volumes_mount(
    struct volumes *vs, const char *name, const char *id, struct tnfs_err *err)
{
	int64_t deadline = tnfs_mono_ms() + vs->cfg.mount_timeout_ms;
	struct vapi_client *c = NULL;
	struct mount_spec spec = {0};
	struct pvol *p;
	json_object *reply = NULL;
	char target[4096], host[256], exp[1024], uuid[40];
	struct volume_state snap;
	int known, mounted, added, v3;

	if ((p = get_or_add(vs, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	target_path(vs, name, target, sizeof(target));
	pthread_mutex_lock(&p->op_mu);
	pthread_mutex_lock(&vs->mu);
	known = !p->removed || p->st.nids > 0 || p->mounted;
	pthread_mutex_unlock(&vs->mu);
	if ((c = vapi_open(vs, err)) == NULL)
		goto out;
	if (!known) {
		int found = fetch_into(vs, c, p, err);

		if (found == 0)
			tnfs_err_set(
			    err, TNFS_E_NOT_FOUND, "volume %s not found", name);
		if (found != 1)
			goto fail;
	}
	mounted = mounts_is_mountpoint(target) == 1;
	if (!mounted) {
		if (wait_ready(vs, c, p, deadline, err) == -1)
			goto fail;
		pthread_mutex_lock(&vs->mu);
		snap = p->st;
		pthread_mutex_unlock(&vs->mu);
		if (mounts_split_fspath(snap.filesystem_path, host,
			sizeof(host), exp, sizeof(exp), err) == -1)
			goto fail;
		spec.host = host;
		spec.export = exp;
		spec.nfs_port = snap.nfs_port;
		spec.mount_port = snap.mount_port;
		spec.nfsvers = effective_nfsvers(vs, name, snap.opts.nfsvers);
		spec.ro = snap.opts.ro;
		spec.target = target;
		spec.timeo_ds = vs->cfg.nfs_timeo_ds;
		spec.retrans = vs->cfg.nfs_retrans;
		v3 = strcmp(spec.nfsvers, "3") == 0;
		spec.size_mib = snap.size_mib;
		if (mounts_preflight(host,
			snap.nfs_port > 0 ? snap.nfs_port : 2049, RPC_PROG_NFS,
			v3 ? 3 : 4,
			(int)(left_ms(deadline) < vs->cfg.preflight_ms
				? left_ms(deadline)
				: vs->cfg.preflight_ms),
			err) == -1)
			goto fail;
		if (v3 && snap.mount_port > 0 &&
		    mounts_preflight(host, snap.mount_port, RPC_PROG_MOUNT, 3,
			vs->cfg.preflight_ms, err) == -1)
			goto fail;
		if (mkdir(target, 0755) == -1 && errno != EEXIST) {
			tnfs_err_errno(
			    err, TNFS_E_INTERNAL, errno, "mkdir %s", target);
			goto fail;
		}
		/* Re-check: never mount on top of a mount (§5.1 item 8). */
		if (mounts_is_mountpoint(target) != 1 &&
		    mounts_mount(vs->cfg.mounts, &spec, (int)left_ms(deadline),
			err) == -1)
			goto fail;
		log_info("mounted %s (%s) on %s with %s", name,
		    snap.filesystem_path, target,
		    mounts_backend_name(vs->cfg.mounts));
		apply_perms(vs, p, target);
	}
	pthread_mutex_lock(&vs->mu);
	if (!p->mounted)
		p->mounted_since_ms = tnfs_now_ms();
	p->mounted = 1;
	p->empty_since_ms = 0;
	p->removed = 0;
	added = state_id_add(&p->st, id, err);
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	pthread_mutex_unlock(&vs->mu);
	if (added == -1)
		goto fail;
	if (added == 0)
		log_info("mount %s: id %.12s already held (docker cp or "
			 "replay after a crash)",
		    name, id);
	/* This host now uses the volume: claim it in the VAPI (decision 3). */
	if (uuid[0] != '\0') {
		struct tnfs_err e;

		tnfs_err_clear(&e);
		if (vapi_client_add_reference(
			c, uuid, vs->owner, vs->host, &e) == -1) {
			log_err(TNFS_LOG_WARN, &e, "adding the reference of %s",
			    name);
			set_error(vs, p, &e);
		} else {
			pthread_mutex_lock(&vs->mu);
			p->lease_ms = tnfs_mono_ms();
			p->last_error[0] = '\0';
			pthread_mutex_unlock(&vs->mu);
		}
	}
	if (persist(vs, p, err) == -1)
		goto fail;
	if ((reply = json_object_new_object()) == NULL ||
	    jsonx_add_str(reply, "Mountpoint", target) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	goto out;
fail:
	set_error(vs, p, err);
	tnfs_err_prefix(err, "cannot mount volume %s", name);
out:
	pthread_mutex_unlock(&p->op_mu);
	vapi_client_free(c);
	return reply;
}

int
volumes_unmount(
    struct volumes *vs, const char *name, const char *id, struct tnfs_err *err)
{
	struct pvol *p;
	int removed, empty, mounted, rc = -1;

	pthread_mutex_lock(&vs->mu);
	p = find_locked(vs, name);
	pthread_mutex_unlock(&vs->mu);
	if (p == NULL) {
		log_info("unmount %s: unknown volume; nothing to do", name);
		return 0;
	}
	pthread_mutex_lock(&p->op_mu);
	pthread_mutex_lock(&vs->mu);
	removed = state_id_remove(&p->st, id);
	empty = p->st.nids == 0;
	mounted = p->mounted;
	if (removed && empty && mounted)
		p->empty_since_ms = tnfs_mono_ms();
	pthread_mutex_unlock(&vs->mu);
	if (!removed) {
		/* An unknown id is success (§1.6): a second cp Unmount. */
		log_info(
		    "unmount %s: id %.12s not held; nothing to do", name, id);
		rc = 0;
		goto out;
	}
	if (persist(vs, p, err) == -1) {
		tnfs_err_prefix(err, "cannot unmount volume %s", name);
		goto out;
	}
	if (empty && mounted && vs->cfg.linger_ms == 0)
		do_unmount_locked(vs, p);
	rc = 0;
out:
	pthread_mutex_unlock(&p->op_mu);
	return rc;
}
