/*
 * volumes_attach.c: Mount and Unmount (volumes.h, volumes_impl.h).
 *
 * A Mount waits (bounded) until the VAPI says the volume is ready with an
 * address, checks that the NFS server answers, mounts, applies the
 * ownership asked at Create once, records the mount ID and claims the
 * volume in the VAPI with this host's reference.  An Unmount drops the
 * ID; the last one unmounts at once or after the linger period
 * (volumes_sync.c).  All of it under the volume's op_mu, never under the
 * registry's lock.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mountinfo.h"
#include "rpc_ping.h"
#include "sha256.h"
#include "state.h"
#include "timefmt.h"
#include "vapi_client.h"
#include "volumes.h"
#include "volumes_impl.h"

/* ---- reconciliation at start ---- */

/*
 * Caller holds vs->lock.  The volume whose mount point is the mount root's
 * entry d_name: by name, or by digest for the names too long to be one.
 */
static struct pvol *
owner_of_entry_locked(struct volumes *vs, const char *d_name)
{
	char hex[TNFS_SHA256_HEX_BUFSZ];
	struct pvol *p;

	if (d_name[0] != '_')
		return vol_find_locked(vs, d_name);
	/* Only names over NAME_MAX have such a mount point: a few. */
	for (p = vs->head; p != NULL; p = p->next) {
		if (strlen(p->st.name) <= NAME_MAX)
			continue;
		tnfs_sha256_hex(p->st.name, strlen(p->st.name), hex);
		if (strcmp(hex, d_name + 1) == 0)
			return p;
	}
	return NULL;
}

void
vol_reconcile_mounts(struct volumes *vs)
{
	struct pvol *p;
	char target[4096];
	DIR *d;
	struct dirent *de;
	struct tnfs_err err;

	for (p = vs->head; p != NULL; p = p->next) {
		vol_target_path(vs, p->st.name, target, sizeof(target));
		if (mountinfo_is_mountpoint(target) == 1) {
			p->mounted = 1;
			p->mounted_since_ms = tnfs_now_ms();
			/* Saved with the mount (vol_persist after it). */
			vol_mount_addr_set_locked(p);
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
		p = owner_of_entry_locked(vs, de->d_name);
		if (p != NULL && p->mounted)
			continue;
		snprintf(target, sizeof(target), "%s/%s", vs->mount_root,
		    de->d_name);
		if (mountinfo_is_mountpoint(target) != 1)
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

/*
 * What a plugin killed in the middle of a Mount or an Unmount leaves
 * behind, found while it runs rather than only at start: the reference is
 * added before the mount and removed after the unmount, and a FUSE client
 * started before the kill may mount after the restart.  Both belong to a
 * volume no id holds.  A stray mount is marked mounted and empty, so the
 * lingering unmount (volumes_sync.c) releases it and its reference; a
 * stray reference alone is removed here.  A volume busy in an operation
 * is left for the next refresh.
 */
static int
stray_ref_locked(const struct volumes *vs, const struct pvol *p)
{
	return !p->mounted && p->st.nids == 0 && p->st.uuid[0] != '\0' &&
	    p->refs != NULL && strstr(p->refs, vs->host) != NULL;
}

static void
drop_stray_ref(struct volumes *vs, struct pvol *p)
{
	struct tnfs_err err;
	struct vapi_client *c;
	char target[4096], uuid[40];
	int stray;

	vol_target_path(vs, p->st.name, target, sizeof(target));
	vol_rdlock(vs);
	stray = stray_ref_locked(vs, p);
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	vol_unlock(vs);
	if (!stray || mountinfo_is_mountpoint(target) != 0)
		return;
	log_warn("volume %s: this host holds no mount of it but still a "
		 "reference (left by a plugin stopped mid-Mount or "
		 "mid-Unmount); removing it",
	    p->st.name);
	tnfs_err_clear(&err);
	if ((c = vol_vapi_open(vs, &err)) == NULL ||
	    vapi_client_remove_reference(c, uuid, vs->owner, vs->host, &err) ==
		-1)
		log_err(TNFS_LOG_WARN, &err, "removing the reference of %s",
		    p->st.name);
	else {
		vol_wrlock(vs);
		vol_set_str_locked(&p->refs, NULL);
		vol_unlock(vs);
	}
	vapi_client_free(c);
}

void
vol_release_strays(struct volumes *vs)
{
	struct pvol *p;
	char target[4096];
	DIR *d;
	struct dirent *de;
	int adopt;

	if ((d = opendir(vs->mount_root)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			vol_rdlock(vs);
			p = owner_of_entry_locked(vs, de->d_name);
			vol_unlock(vs);
			if (p == NULL || pthread_mutex_trylock(&p->op_mu) != 0)
				continue;
			snprintf(target, sizeof(target), "%s/%s",
			    vs->mount_root, de->d_name);
			vol_rdlock(vs);
			adopt = !p->mounted && p->st.nids == 0;
			vol_unlock(vs);
			if (adopt && mountinfo_is_mountpoint(target) == 1) {
				log_warn("volume %s: mounted at %s but no id "
					 "holds it (left by a plugin stopped "
					 "mid-Mount); unmounting it",
				    p->st.name, target);
				vol_wrlock(vs);
				p->mounted = 1;
				p->mounted_since_ms = tnfs_now_ms();
				p->empty_since_ms = tnfs_mono_ms();
				vol_mount_addr_set_locked(p);
				vol_unlock(vs);
			}
			pthread_mutex_unlock(&p->op_mu);
		}
		closedir(d);
	}
	/* Entries are never freed before volumes_free and new ones go to
	 * the head: the list walks safely from a head read under the lock. */
	vol_rdlock(vs);
	p = vs->head;
	vol_unlock(vs);
	for (; p != NULL; p = p->next) {
		vol_rdlock(vs);
		adopt = stray_ref_locked(vs, p);
		vol_unlock(vs);
		if (!adopt || pthread_mutex_trylock(&p->op_mu) != 0)
			continue;
		drop_stray_ref(vs, p);
		pthread_mutex_unlock(&p->op_mu);
	}
}

/* ---- Unmount ---- */

void
vol_detach(struct volumes *vs, struct pvol *p)
{
	struct tnfs_err err;
	struct vapi_client *c;
	char target[4096], uuid[40];

	vol_target_path(vs, p->st.name, target, sizeof(target));
	tnfs_err_clear(&err);
	if (mounts_unmount(vs->cfg.mounts, target, vs->cfg.unmount_timeout_ms,
		&err) == -1) {
		log_err(TNFS_LOG_WARN, &err, "unmounting %s", p->st.name);
		vol_set_error(vs, p, &err);
		return;
	}
	vol_wrlock(vs);
	p->mounted = 0;
	p->empty_since_ms = 0;
	p->mounted_since_ms = 0;
	vol_mount_addr_put_locked(p, NULL);
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	vol_unlock(vs);
	log_info("unmounted %s from %s", p->st.name, target);
	if (uuid[0] == '\0')
		return;
	if ((c = vol_vapi_open(vs, &err)) == NULL ||
	    vapi_client_remove_reference(c, uuid, vs->owner, vs->host, &err) ==
		-1) {
		/* The lease expires on its own if this never gets through. */
		log_err(TNFS_LOG_WARN, &err, "removing the reference of %s",
		    p->st.name);
		vol_set_error(vs, p, &err);
	}
	vapi_client_free(c);
}

int
volumes_unmount(
    struct volumes *vs, const char *name, const char *id, struct tnfs_err *err)
{
	struct pvol *p;
	int removed, empty, mounted, rc = -1;

	vol_rdlock(vs);
	p = vol_find_locked(vs, name);
	vol_unlock(vs);
	if (p == NULL) {
		log_info("unmount %s: unknown volume; nothing to do", name);
		return 0;
	}
	pthread_mutex_lock(&p->op_mu);
	vol_wrlock(vs);
	removed = state_id_remove(&p->st, id);
	p->id_ops++;
	empty = p->st.nids == 0;
	mounted = p->mounted;
	if (removed && empty && mounted)
		p->empty_since_ms = tnfs_mono_ms();
	vol_unlock(vs);
	if (!removed) {
		/* An unknown id is success (§1.6): a second cp Unmount. */
		log_info(
		    "unmount %s: id %.12s not held; nothing to do", name, id);
		rc = 0;
		goto out;
	}
	if (vol_persist(vs, p, err) == -1) {
		tnfs_err_prefix(err, "cannot unmount volume %s", name);
		goto out;
	}
	if (empty && mounted && vs->cfg.linger_ms == 0)
		vol_detach(vs, p);
	rc = 0;
out:
	pthread_mutex_unlock(&p->op_mu);
	return rc;
}

/* ---- Mount ---- */

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

	vol_rdlock(vs);
	o = p->st.opts;
	if (p->st.perms_applied || !(o.has_uid || o.has_gid || o.has_mode)) {
		vol_unlock(vs);
		return;
	}
	vol_unlock(vs);
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
	vol_wrlock(vs);
	p->st.perms_applied = 1;
	vol_unlock(vs);
}

/*
 * Wait (bounded) for the volume to be ready with an address.  The VAPI is
 * asked again after 10 ms, then twice as long each time up to 250 ms: a
 * volume created just before its first Mount (docker run right after
 * docker volume create) is usually ready within a few hundred ms.
 */
static int
wait_ready(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    int64_t deadline, struct tnfs_err *err)
{
	int64_t pause_ms = 10;

	for (;;) {
		int ok, found;
		char state[VAPI_STATE_BUFSZ];

		vol_rdlock(vs);
		ok = p->st.filesystem_path != NULL &&
		    (p->vapi_state[0] == '\0' ||
			strcmp(p->vapi_state, "ready") == 0 ||
			strcmp(p->vapi_state, "missing") == 0);
		snprintf(state, sizeof(state), "%s", p->vapi_state);
		vol_unlock(vs);
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
		if ((found = vol_fetch(vs, c, p, err)) == -1)
			return -1;
		if (found == 0) {
			tnfs_err_set(err, TNFS_E_NOT_FOUND,
			    "volume %s no longer exists in the VAPI",
			    p->st.name);
			return -1;
		}
		vol_rdlock(vs);
		ok = strcmp(p->vapi_state, "ready") == 0 &&
		    p->st.filesystem_path != NULL;
		vol_unlock(vs);
		if (ok)
			continue;
		if (pause_ms > left_ms(deadline) - 1000)
			pause_ms = left_ms(deadline) - 1000;
		if (pause_ms > 0)
			usleep((useconds_t)pause_ms * 1000);
		pause_ms = pause_ms * 2 > 250 ? 250 : pause_ms * 2;
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

/*
 * Whether the NFS server at spec answers (NULL calls to NFS and, for v3,
 * MOUNT) within the preflight deadline.
 */
static int
preflight(struct volumes *vs, const struct mount_spec *spec, int v3,
    int64_t deadline, struct tnfs_err *err)
{
	int64_t pre = left_ms(deadline) < vs->cfg.preflight_ms
			  ? left_ms(deadline)
			  : vs->cfg.preflight_ms;

	if (mounts_preflight(spec->host,
		spec->nfs_port > 0 ? spec->nfs_port : 2049, RPC_PROG_NFS,
		v3 ? 3 : 4, (int)pre, err) == -1)
		return -1;
	if (v3 && spec->mount_port > 0 &&
	    mounts_preflight(spec->host, spec->mount_port, RPC_PROG_MOUNT, 3,
		vs->cfg.preflight_ms, err) == -1)
		return -1;
	return 0;
}

/*
 * A server that does not answer may be one the volume has left: the
 * record names another NFS head after a failover the last refresh has
 * not seen.  1 when the VAPI now names another address than addr.
 */
static int
moved_since(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    const char *addr)
{
	char now[VOL_ADDR_MAX];

	if (vol_fetch(vs, c, p, NULL) != 1)
		return 0;
	vol_rdlock(vs);
	vol_addr_locked(p, now, sizeof(now));
	vol_unlock(vs);
	if (strcmp(now, addr) == 0)
		return 0;
	log_warn("volume %s: its server at %s does not answer and the VAPI "
		 "now places it at %s (its NFS head failed over); mounting "
		 "it there",
	    p->st.name, addr, now);
	return 1;
}

/*
 * The mount itself, for a volume not mounted yet: the address, a check
 * that the NFS server answers (asking the VAPI again once when it does
 * not), the mount point, the mount, ownership.  Caller holds p->op_mu.
 */
static int
attach(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    const char *target, int64_t deadline, struct tnfs_err *err)
{
	struct mount_spec spec = {0};
	struct volume_state snap;
	char host[256], exp[1024], fspath[STATE_FSPATH_MAX + 1];
	char addr[VOL_ADDR_MAX];
	int v3, asked = 0;

	if (wait_ready(vs, c, p, deadline, err) == -1)
		return -1;
again:
	vol_rdlock(vs);
	snap = p->st;
	/* The path is the registry's: copied here, under the lock. */
	snprintf(fspath, sizeof(fspath), "%s",
	    p->st.filesystem_path != NULL ? p->st.filesystem_path : "");
	vol_addr_locked(p, addr, sizeof(addr));
	snap.filesystem_path = NULL;
	snap.ids = NULL;
	snap.nids = 0;
	vol_unlock(vs);
	if (mounts_split_fspath(
		fspath, host, sizeof(host), exp, sizeof(exp), err) == -1)
		return -1;
	spec.host = host;
	spec.export = exp;
	spec.nfs_port = snap.nfs_port;
	spec.mount_port = snap.mount_port;
	spec.nfsvers = effective_nfsvers(vs, snap.name, snap.opts.nfsvers);
	spec.ro = snap.opts.ro;
	spec.target = target;
	spec.timeo_ds = vs->cfg.nfs_timeo_ds;
	spec.retrans = vs->cfg.nfs_retrans;
	spec.size_mib = snap.size_mib;
	spec.volume = snap.name;
	v3 = strcmp(spec.nfsvers, "3") == 0;
	if (preflight(vs, &spec, v3, deadline, err) == -1) {
		if (asked++ == 0 && moved_since(vs, c, p, addr)) {
			tnfs_err_clear(err);
			goto again;
		}
		return -1;
	}
	/* A fenced export admits holders only: claim it first. */
	if (vapi_client_add_reference(
		c, snap.uuid, vs->owner, vs->host, err) == -1)
		return -1;
	vol_wrlock(vs);
	p->lease_ms = tnfs_mono_ms();
	vol_unlock(vs);
	if (mkdir(target, 0755) == -1 && errno != EEXIST) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "mkdir %s", target);
		return -1;
	}
	/* Re-check: never mount on top of a mount (§5.1 item 8). */
	if (mountinfo_is_mountpoint(target) != 1 &&
	    mounts_mount(vs->cfg.mounts, &spec, (int)left_ms(deadline), err) ==
		-1)
		return -1;
	vol_wrlock(vs);
	vol_mount_addr_put_locked(p, addr);
	vol_unlock(vs);
	log_info("mounted %s (%s) on %s with %s", snap.name, fspath, target,
	    mounts_backend_name(vs->cfg.mounts));
	apply_perms(vs, p, target);
	return 0;
}

/*
 * This host now uses the volume: claim it in the VAPI (decision 3).  A
 * failure is remembered, not returned: the lease renewal retries.  A
 * claim younger than the renewal period is still held (the VAPI keeps a
 * reference longer than that period, as the renewal relies on): the
 * mount just made, or one kept after its last container (--linger), is
 * not claimed twice.
 */
static void
claim(struct volumes *vs, struct vapi_client *c, struct pvol *p)
{
	struct tnfs_err e;
	char uuid[40];
	int held;

	vol_rdlock(vs);
	snprintf(uuid, sizeof(uuid), "%s", p->st.uuid);
	held = p->lease_ms != 0 && p->last_error == NULL &&
	    tnfs_mono_ms() - p->lease_ms < vs->cfg.lease_ms;
	vol_unlock(vs);
	if (uuid[0] == '\0' || held)
		return;
	tnfs_err_clear(&e);
	if (vapi_client_add_reference(c, uuid, vs->owner, vs->host, &e) == -1) {
		log_err(TNFS_LOG_WARN, &e, "adding the reference of %s",
		    p->st.name);
		vol_set_error(vs, p, &e);
		return;
	}
	vol_wrlock(vs);
	p->lease_ms = tnfs_mono_ms();
	vol_set_str_locked(&p->last_error, NULL);
	vol_unlock(vs);
}

/*
 * A mount this host already holds that cannot serve the next container:
 *  - stale: its server now serves another filesystem under the export (a
 *    snapshot rollback), every access gives ESTALE;
 *  - moved: the record names another NFS head (a head's failover).  A
 *    mount that does not answer is the cue to ask the VAPI, whose move
 *    the registry's refresh may not have seen yet.
 * The containers that hold it keep it; the next container gets a fresh
 * mount in its place, from what the VAPI names now.
 */
static int
moved(struct volumes *vs, const struct pvol *p)
{
	int m;

	vol_rdlock(vs);
	m = vol_moved_locked(p);
	vol_unlock(vs);
	return m;
}

/*
 * A mount that gives no answer, of a volume the VAPI does not list as
 * ready (failed while its NFS head is down, before any move): a container
 * would get EIO from it, so the Mount is refused with the reason instead.
 */
static int
refuse_unserved(const struct pvol *p, struct tnfs_err *err)
{
	tnfs_err_set(err, TNFS_E_UNAVAILABLE,
	    "volume %s: its NFS server does not answer and the VAPI does not "
	    "count the volume ready (failed while its NFS server is down; "
	    "with several NFS heads a failover moves it to another head once "
	    "its head stays down past the failover period); try again later",
	    p->st.name);
	return -1;
}

static int
replace_unusable(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    const char *target, struct tnfs_err *err)
{
	int stale, found;

	if (mountinfo_is_mountpoint(target) != 1)
		return 0;
	if (!moved(vs, p)) {
		stale = mounts_stale(
		    vs->cfg.mounts, target, vs->cfg.preflight_ms);
		if (stale == 1) {
			log_warn("the mount of %s on %s is stale (the server "
				 "replaced the volume's filesystem, as a "
				 "snapshot rollback does): mounting it afresh; "
				 "containers started before keep the stale "
				 "mount",
			    p->st.name, target);
			return mounts_detach(target, err);
		}
		if (stale == 0)
			return 0;
		/* No answer: a VAPI that cannot be asked leaves it as is;
		 * one that lists no ready volume of that name refuses it. */
		if ((found = vol_fetch(vs, c, p, NULL)) != 1)
			return found == 0 ? refuse_unserved(p, err) : 0;
		if (!moved(vs, p))
			return 0;
	}
	log_warn("volume %s moved to another NFS head (a failover): mounting "
		 "it afresh there; containers started before keep the old "
		 "mount",
	    p->st.name);
	return mounts_detach(target, err);
}

int
volumes_mount(struct volumes *vs, const char *name, const char *id,
    char *mountpoint, size_t len, struct tnfs_err *err)
{
	int64_t deadline = tnfs_mono_ms() + vs->cfg.mount_timeout_ms;
	struct vapi_client *c = NULL;
	struct pvol *p;
	char target[4096];
	int known, added, rc = -1;

	if ((p = vol_get_or_add(vs, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	vol_target_path(vs, name, target, sizeof(target));
	pthread_mutex_lock(&p->op_mu);
	vol_rdlock(vs);
	known = !p->removed || p->st.nids > 0 || p->mounted;
	vol_unlock(vs);
	if ((c = vol_vapi_open(vs, err)) == NULL)
		goto out;
	if (!known) {
		int found = vol_fetch(vs, c, p, err);

		if (found == 0)
			tnfs_err_set(
			    err, TNFS_E_NOT_FOUND, "volume %s not found", name);
		if (found != 1)
			goto fail;
	}
	if (replace_unusable(vs, c, p, target, err) == -1 ||
	    (mountinfo_is_mountpoint(target) != 1 &&
		attach(vs, c, p, target, deadline, err) == -1))
		goto fail;
	vol_wrlock(vs);
	if (!p->mounted)
		p->mounted_since_ms = tnfs_now_ms();
	p->mounted = 1;
	p->empty_since_ms = 0;
	p->removed = 0;
	added = state_id_add(&p->st, id, err);
	p->id_ops++;
	vol_unlock(vs);
	if (added == -1)
		goto fail;
	if (added == 0)
		log_info("mount %s: id %.12s already held (docker cp or "
			 "replay after a crash)",
		    name, id);
	claim(vs, c, p);
	if (vol_persist(vs, p, err) == -1)
		goto fail;
	snprintf(mountpoint, len, "%s", target);
	rc = 0;
	goto out;
fail:
	vol_set_error(vs, p, err);
	tnfs_err_prefix(err, "cannot mount volume %s", name);
out:
	pthread_mutex_unlock(&p->op_mu);
	vapi_client_free(c);
	return rc;
}
