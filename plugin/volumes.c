/*
 * volumes.c: the volume registry and the operations that need no mount
 * (volumes.h, volumes_impl.h): Create and Remove through the VAPI, the
 * state files.  Get, List and Path answer from memory (volumes_read.c).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "affinity.h"
#include "fsutil.h"
#include "log.h"
#include "mountinfo.h"
#include "parse.h"
#include "protocol.h"
#include "sha256.h"
#include "state.h"
#include "timefmt.h"
#include "vapi_client.h"
#include "volumes.h"
#include "volumes_impl.h"

/* ---- the registry ---- */

struct vapi_client *
vol_vapi_open(struct volumes *vs, struct tnfs_err *err)
{
	struct vapi_client_opts o = {0};

	o.url = vs->vapi_url;
	o.token = vs->token;
	o.timeout_ms = vs->cfg.vapi_timeout_ms;
	o.connect_timeout_ms = 3000;
	o.user_agent = "tritonnfs-plugin";
	return vapi_client_new(&o, err);
}

void
vol_target_path(
    const struct volumes *vs, const char *name, char *buf, size_t len)
{
	char hex[TNFS_SHA256_HEX_BUFSZ];

	/*
	 * A valid name has up to 256 bytes, a file name at most 255.  The
	 * leading '_' keeps the digest apart from every volume name (they
	 * start with a letter or digit).
	 */
	if (strlen(name) <= NAME_MAX) {
		snprintf(buf, len, "%s/%s", vs->mount_root, name);
		return;
	}
	tnfs_sha256_hex(name, strlen(name), hex);
	snprintf(buf, len, "%s/_%s", vs->mount_root, hex);
}

void
vol_rdlock(struct volumes *vs)
{
	pthread_rwlock_rdlock(&vs->lock);
}

void
vol_wrlock(struct volumes *vs)
{
	pthread_rwlock_wrlock(&vs->lock);
	vs->writing = 1;
}

/*
 * Every write may change what List shows, so each release of the write
 * lock makes List's rendered reply old.  While a writer holds the lock no
 * reader does, so a reader's release sees writing at 0.
 */
void
vol_unlock(struct volumes *vs)
{
	if (vs->writing) {
		vs->writing = 0;
		vs->list_gen++;
	}
	pthread_rwlock_unlock(&vs->lock);
}

void
vol_unlock_list_kept(struct volumes *vs)
{
	vs->writing = 0;
	pthread_rwlock_unlock(&vs->lock);
}

/* FNV-1a: names are short, and chains stay at about one entry. */
static size_t
name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return (size_t)h;
}

struct pvol *
vol_find_locked(struct volumes *vs, const char *name)
{
	struct pvol *p;

	if (vs->nbuckets == 0)
		return NULL;
	p = vs->buckets[name_hash(name) & (vs->nbuckets - 1)];
	for (; p != NULL; p = p->hnext)
		if (strcmp(p->st.name, name) == 0)
			return p;
	return NULL;
}

/* Twice the buckets once there are as many volumes as buckets.  -1 when
 * out of memory (the table still works, with longer chains). */
static int
grow_locked(struct volumes *vs)
{
	size_t n = vs->nbuckets == 0 ? 64 : 2 * vs->nbuckets;
	struct pvol **b = calloc(n, sizeof(*b)), *p;

	if (b == NULL)
		return -1;
	for (p = vs->head; p != NULL; p = p->next) {
		size_t i = name_hash(p->st.name) & (n - 1);

		p->hnext = b[i];
		b[i] = p;
	}
	free(vs->buckets);
	vs->buckets = b;
	vs->nbuckets = n;
	return 0;
}

struct pvol *
vol_add_locked(struct volumes *vs, const char *name)
{
	struct pvol *p;
	size_t i;

	if (vs->count >= vs->nbuckets && grow_locked(vs) == -1 &&
	    vs->nbuckets == 0)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	pthread_mutex_init(&p->op_mu, NULL);
	snprintf(p->st.name, sizeof(p->st.name), "%s", name);
	volume_opts_default(&p->st.opts);
	p->removed = 1;
	p->next = vs->head;
	vs->head = p;
	i = name_hash(name) & (vs->nbuckets - 1);
	p->hnext = vs->buckets[i];
	vs->buckets[i] = p;
	vs->count++;
	return p;
}

struct pvol *
vol_get_or_add(struct volumes *vs, const char *name)
{
	struct pvol *p;

	vol_rdlock(vs);
	p = vol_find_locked(vs, name);
	vol_unlock(vs);
	if (p != NULL)
		return p;
	vol_wrlock(vs);
	if ((p = vol_find_locked(vs, name)) == NULL)
		p = vol_add_locked(vs, name);
	vol_unlock(vs);
	return p;
}

int
vol_persist(struct volumes *vs, struct pvol *p, struct tnfs_err *err)
{
	struct volume_state copy;
	int rc;

	memset(&copy, 0, sizeof(copy));
	vol_rdlock(vs);
	copy = p->st;
	copy.ids = NULL;
	copy.nids = 0;
	copy.filesystem_path = NULL;
	if (state_fspath_set(&copy, p->st.filesystem_path) == -1) {
		vol_unlock(vs);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->st.nids; i++)
		if (state_id_add(&copy, p->st.ids[i], err) == -1) {
			vol_unlock(vs);
			volume_state_clear(&copy);
			return -1;
		}
	vol_unlock(vs);
	rc = state_save(vs->state_dir, &copy, err);
	volume_state_clear(&copy);
	if (rc == 0) {
		vol_wrlock(vs);
		p->persisted = 1;
		vol_unlock(vs);
	}
	return rc;
}

void
vol_set_str_locked(char **dst, const char *s)
{
	if (s == NULL || s[0] == '\0') {
		free(*dst);
		*dst = NULL;
	} else if (*dst == NULL || strcmp(*dst, s) != 0) {
		free(*dst);
		*dst = strdup(s);
	}
}

void
vol_set_error(struct volumes *vs, struct pvol *p, const struct tnfs_err *err)
{
	vol_wrlock(vs);
	vol_set_str_locked(&p->last_error, err != NULL ? err->msg : NULL);
	vol_unlock(vs);
}

void
vol_absorb_locked(struct volumes *vs, struct pvol *p,
    const struct vapi_volume *v, int64_t now)
{
	char refs[1024];
	size_t i, o = 0;

	if (!p->mounted || p->st.uuid[0] == '\0' ||
	    strcmp(p->st.uuid, v->uuid) == 0) {
		/* Never change the address of a mounted volume under it. */
		snprintf(p->st.uuid, sizeof(p->st.uuid), "%s", v->uuid);
		/* Out of memory keeps the old path: the next refresh retries. */
		if (v->filesystem_path[0] != '\0')
			(void)state_fspath_set(&p->st, v->filesystem_path);
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
	refs[0] = '\0';
	for (i = 0; i < v->nrefs && o + 40 < sizeof(refs); i++)
		o += (size_t)snprintf(refs + o, sizeof(refs) - o, "%s%s",
		    i ? "," : "", v->refs[i]);
	vol_set_str_locked(&p->refs, refs);
	p->last_check_ms = now;
	p->seen_gen = vs->gen;
	p->removed = 0;
}

void
vol_addr_locked(const struct pvol *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s %d %d",
	    p->st.filesystem_path != NULL ? p->st.filesystem_path : "",
	    p->st.nfs_port, p->st.mount_port);
}

void
vol_mount_addr_set_locked(struct pvol *p)
{
	char addr[VOL_ADDR_MAX];

	vol_addr_locked(p, addr, sizeof(addr));
	vol_mount_addr_put_locked(p, addr);
}

void
vol_mount_addr_put_locked(struct pvol *p, const char *addr)
{
	vol_set_str_locked(&p->mount_addr, addr);
	vol_set_str_locked(&p->mount_desc, NULL);
	p->mount_gen++;
}

int
vol_moved_locked(const struct pvol *p)
{
	char addr[VOL_ADDR_MAX];

	if (!p->mounted || p->mount_addr == NULL ||
	    p->st.filesystem_path == NULL)
		return 0;
	vol_addr_locked(p, addr, sizeof(addr));
	return strcmp(addr, p->mount_addr) != 0;
}

int
vol_visible_state(const char *s)
{
	return strcmp(s, "ready") == 0 || strcmp(s, "creating") == 0;
}

int
vol_fetch(struct volumes *vs, struct vapi_client *c, struct pvol *p,
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
	vol_wrlock(vs);
	vol_absorb_locked(vs, p, &v, tnfs_now_ms());
	vol_unlock(vs);
	vapi_volume_clear(&v);
	return 1;
}

/* ---- start-up ---- */

static void
on_loaded(void *arg, struct volume_state *st)
{
	struct volumes *vs = arg;
	struct pvol *p;

	vol_wrlock(vs);
	if ((p = vol_add_locked(vs, st->name)) != NULL) {
		p->st = *st;
		p->removed = 0;
		p->persisted = 1;
		memset(st, 0, sizeof(*st));
	}
	vol_unlock(vs);
	volume_state_clear(st);
}

static void
init_locks(struct volumes *vs)
{
	pthread_rwlockattr_t a;

	/* Writers first: Get under load must not starve a Mount. */
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(
	    &a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&vs->lock, &a);
	pthread_rwlockattr_destroy(&a);
	pthread_mutex_init(&vs->bg_mu, NULL);
	pthread_cond_init(&vs->cv, NULL);
	pthread_mutex_init(&vs->list_mu, NULL);
}

struct volumes *
volumes_new(const struct volumes_config *cfg, struct tnfs_err *err)
{
	struct volumes *vs = calloc(1, sizeof(*vs)), *ret = NULL;

	if (vs == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	init_locks(vs);
	vs->cfg = *cfg;
	vs->vapi_url = strdup(cfg->vapi_url);
	vs->token = cfg->token != NULL ? strdup(cfg->token) : NULL;
	vs->owner = strdup(cfg->owner_uuid);
	vs->host = strdup(cfg->host_uuid);
	vs->state_dir = strdup(cfg->state_dir);
	vs->mount_root = strdup(cfg->mount_root);
	if (cfg->docker_socket != NULL &&
	    (vs->docker_socket = strdup(cfg->docker_socket)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (vs->vapi_url == NULL || vs->owner == NULL || vs->host == NULL ||
	    vs->state_dir == NULL || vs->mount_root == NULL ||
	    (cfg->token != NULL && vs->token == NULL)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (fsutil_mkdir_p(vs->mount_root, 0755, err) == -1 ||
	    state_load_all(vs->state_dir, on_loaded, vs, err) == -1)
		goto out;
	vol_reconcile_mounts(vs);
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
		free(p->refs);
		free(p->last_error);
		free(p->mount_addr);
		free(p->mount_desc);
		pthread_mutex_destroy(&p->op_mu);
		free(p);
	}
	free(vs->vapi_url);
	free(vs->token);
	free(vs->owner);
	free(vs->host);
	free(vs->state_dir);
	free(vs->mount_root);
	free(vs->docker_socket);
	volumes_text_put(vs->list_text);
	pthread_mutex_destroy(&vs->list_mu);
	free(vs->buckets);
	pthread_rwlock_destroy(&vs->lock);
	pthread_mutex_destroy(&vs->bg_mu);
	pthread_cond_destroy(&vs->cv);
	free(vs);
}

/* ---- Create and Remove ---- */

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

/* The size a create asks the VAPI for, size_mib rounded up; logged. */
static int
choose_size(struct vapi_client *c, const char *name, uint64_t size_mib,
    uint64_t *size, struct tnfs_err *err)
{
	char human[32];

	if (pick_size(c, size_mib, size, err) == -1)
		return -1;
	tnfs_size_format(*size, human, sizeof(human));
	log_info("create %s: size %llu MiB asked, %s (%llu MiB) chosen", name,
	    (unsigned long long)size_mib, human, (unsigned long long)*size);
	return 0;
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
	char net[VAPI_UUID_BUFSZ];
	const char *nets[1] = {net};
	json_object *labels = NULL, *affinity = NULL;
	uint64_t size = 0;
	int rc = -1, known, found;

	if (proto_parse_create_opts(opts, &co, err) == -1)
		return -1;
	if ((p = vol_get_or_add(vs, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&p->op_mu);
	vol_rdlock(vs);
	known = !p->removed && vol_visible_state(p->vapi_state);
	vol_unlock(vs);
	if (known) {
		/* Idempotent (§5.1 item 5): dockerd repeats Create. */
		log_info(
		    "create %s: already exists; options not changed", name);
		rc = 0;
		goto out;
	}
	if ((c = vol_vapi_open(vs, err)) == NULL)
		goto out;
	if ((found = vol_fetch(vs, c, p, err)) == -1)
		goto fail;
	if (found == 1) {
		log_info("create %s: found in the VAPI; using it", name);
		rc = 0;
		goto save;
	}
	if (vapi_client_resolve_network(
		c, vs->owner, co.network, net, NULL, err) == -1)
		goto fail;
	if (co.has_size && choose_size(c, name, co.size_mib, &size, err) == -1)
		goto fail;
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
	/* Checked by proto_parse_create_opts: only memory can fail here. */
	if (co.affinity[0] != '\0' &&
	    (affinity = tnfs_affinity_list_parse(co.affinity, err)) == NULL)
		goto fail;
	rq.affinity = affinity;
	/* A clone: the VAPI finds the source among this owner's volumes. */
	if (co.from_volume[0] != '\0') {
		rq.source_volume = co.from_volume;
		rq.source_snapshot = co.from_snapshot;
	}
	if (vapi_client_create_volume(c, &rq, &v, err) == -1) {
		/* Another host won the race: the volume exists, so succeed. */
		if (tnfs_err_is(err, TNFS_E_ALREADY_EXISTS) &&
		    vol_fetch(vs, c, p, NULL) == 1) {
			tnfs_err_clear(err);
			rc = 0;
			goto save;
		}
		goto fail;
	}
	vol_wrlock(vs);
	vol_absorb_locked(vs, p, &v, tnfs_now_ms());
	p->st.opts = co.vol;
	vol_unlock(vs);
	log_info(
	    "created volume %s (uuid %s, state %s)", name, v.uuid, v.state);
	rc = 0;
save:
	if (vol_persist(vs, p, err) == -1)
		rc = -1;
	goto out;
fail:
	tnfs_err_prefix(err, "cannot create volume %s", name);
out:
	pthread_mutex_unlock(&p->op_mu);
	if (labels != NULL)
		json_object_put(labels);
	if (affinity != NULL)
		json_object_put(affinity);
	vapi_volume_clear(&v);
	vapi_client_free(c);
	return rc;
}

int
volumes_remove(struct volumes *vs, const char *name, struct tnfs_err *err)
{
	struct vapi_client *c = NULL;
	struct pvol *p;
	char uuid[40];
	int rc = -1, found, nids, mounted;

	if ((p = vol_get_or_add(vs, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&p->op_mu);
	if ((c = vol_vapi_open(vs, err)) == NULL)
		goto out;
	if ((found = vol_fetch(vs, c, p, err)) == -1) {
		tnfs_err_prefix(err, "cannot remove volume %s", name);
		goto out;
	}
	if (found == 0) {
		/* Unknown is success (§5.1 item 5). */
		vol_rdlock(vs);
		nids = (int)p->st.nids;
		vol_unlock(vs);
		if (nids == 0) {
			vol_wrlock(vs);
			p->removed = 1;
			p->persisted = 0;
			vol_unlock(vs);
			state_delete(vs->state_dir, name, NULL);
		}
		rc = 0;
		goto out;
	}
	vol_rdlock(vs);
	nids = (int)p->st.nids;
	mounted = p->mounted;
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	vol_unlock(vs);
	/* No container here holds it: drop this host's own claim first. */
	if (nids == 0) {
		if (mounted)
			vol_detach(vs, p);
		else
			vapi_client_remove_reference(
			    c, uuid, vs->owner, vs->host, NULL);
	}
	if (vapi_client_delete_volume(c, uuid, vs->owner, 0, err) == -1) {
		if (tnfs_err_is(err, TNFS_E_NOT_FOUND)) {
			tnfs_err_clear(err);
		} else {
			if (tnfs_err_is(err, TNFS_E_IN_USE)) {
				/* "in use on host web-2 (uuid ...)" */
				vapi_client_name_holders(c, vs->owner, err);
				tnfs_err_prefix(err,
				    "cannot remove volume %s: it is in use "
				    "on another host",
				    name);
			} else {
				tnfs_err_prefix(
				    err, "cannot remove volume %s", name);
			}
			goto out;
		}
	}
	log_info("removed volume %s (uuid %s)", name, uuid);
	vol_wrlock(vs);
	p->removed = 1;
	p->persisted = 0;
	snprintf(p->vapi_state, sizeof(p->vapi_state), "deleting");
	vol_unlock(vs);
	if (state_delete(vs->state_dir, name, err) == -1)
		goto out;
	rc = 0;
out:
	pthread_mutex_unlock(&p->op_mu);
	vapi_client_free(c);
	return rc;
}
