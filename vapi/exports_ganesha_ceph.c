/*
 * exports_ganesha_ceph.c: the "ganesha-ceph" exporter: an nfs-ganesha head
 * with FSAL_CEPH serving volumes of the cephfs storage backend.
 *
 *   --exports ganesha-ceph:CONF     CONF is the cluster's ceph.conf
 *
 * The head is the ganesha exporter's supervised process (restarted with
 * backoff when it dies, exports rewritten atomically and reloaded with
 * SIGHUP, the same configuration writer in ganesha_conf.c) with a CEPH
 * block naming CONF; each volume's EXPORT carries its own cephx user, which
 * Ceph authorizes for that volume's subvolume only, so a head holds no key
 * that reaches every volume.  Its keys are in its exports file: the state
 * directory is made private.
 *
 * The head runs on the VAPI's host, as the btrfs exporter's ganesha does:
 * a head needs nothing local (the data is in Ceph), so a deployment runs a
 * VAPI beside each head, all sharing one PostgreSQL store, rather than
 * pushing configuration to remote heads through an agent of its own
 * (docs/cephfs.md).
 *
 *   --exports ganesha-ceph:CONF,head=ADDRESS:NFS_PORT:MOUNT_PORT...
 *
 * Each head= adds one more supervised head, a ganesha process of its own
 * on that address and those ports with its own state directory
 * (STATE_DIR/head-N).  The first head is on the networks' addresses and
 * ports.  Each volume is served by one head (placement.h): a new one goes
 * to the head with the fewest volumes, and its filesystem_path and ports
 * name that head (exporter_place); the record's ports bring it back to its
 * head after a restart.
 *
 * Failover.  A watcher thread makes a NULL call to every head each second.
 * A head that does not answer takes no new volume; one that stays down
 * failover=SECONDS (default 30, 0: never) gives its volumes to the heads
 * that answer, the fewest first; the provisioner then exports them there
 * and rewrites their records (exporter_moves), and a plugin mounting one
 * finds its new head.  A head that answers again takes new volumes; the
 * ones it gave away stay where they went.  With several heads a volume is
 * failed while its own head does not answer (gceph_volume_up), and the
 * exporter is healthy while one head serves.
 *
 * Each head has a node id of its own, NODE-headN (NODE the host name, or
 * node=NODE), and keeps its NFSv4 recovery records in RADOS with ganesha's
 * rados_cluster backend (pool=POOL, default "nfs-ganesha", namespace
 * "tritonnfs", as cephx id client=ID, default admin).  The node id matters
 * beyond recovery: FSAL_CEPH (src/FSAL/FSAL_CEPH/main.c, reclaim_reset)
 * names each export's libcephfs session "ganesha-NODEID-EXPORTID" and at
 * mount asks Ceph to reset any earlier session of that name, so that a
 * restarted head takes over its dead predecessor's session.  The fs
 * recovery backend has no node id and ganesha falls back to the host name
 * (nfs_recovery_get_nodeid): two heads on one host then reset each other's
 * sessions, their clients getting EIO.  rados_cluster reads RADOS_KV's
 * nodeid, and a head must be a member of the grace db before it starts:
 * gceph_start adds every head (ganesha-rados-grace add, idempotent, which
 * also creates the pool).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "exports_ceph_fence.h"
#include "exports_ganesha_ceph.h"
#include "exports_impl.h"
#include "fsutil.h"
#include "log.h"
#include "parse.h"
#include "periodic.h"
#include "placement.h"
#include "rpc_ping.h"
#include "timefmt.h"
#include "uuid.h"

/* Who a served volume's export speaks as: what a failover fences. */
struct gceph_user {
	char uuid[TNFS_UUID_BUFSZ];
	char fs[64];
	char user[128];
};

struct ganesha_ceph {
	/* exporter_ganesha_ops instances; heads[0] is on the networks. */
	void *heads[GCEPH_MAX_HEADS];
	size_t nheads;
	char conf[4096];
	struct gceph_opts o;
	char nodeid[GCEPH_MAX_HEADS][GCEPH_NAME_MAX + 16];
	struct placement *pl; /* which head serves which volume */
	/* Where the watcher calls each head (the first: the networks'). */
	char ping_addr[GCEPH_MAX_HEADS][INET_ADDRSTRLEN];
	int ping_port[GCEPH_MAX_HEADS];
	/* The watcher (several heads only); mu guards what follows. */
	pthread_t watcher;
	int watching;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int kicked, stopping;
	struct tnfs_periodic loop;
	int64_t down_since[GCEPH_MAX_HEADS]; /* 0: answers */
	unsigned char moved[GCEPH_MAX_HEADS]; /* its volumes went elsewhere */
	unsigned long moves;
	struct gceph_user *users; /* the served volumes, at the last sync */
	size_t nusers;
	/* Each head's own ganesha_gone argument (head_down). */
	struct gceph_head_ref {
		struct ganesha_ceph *gc;
		size_t h;
	} refs[GCEPH_MAX_HEADS];
};

/*
 * Whether the watcher counts head ref->h down: a sync waiting on that
 * head's export manager gives up then (exporter_ganesha_set_gone), so a
 * head that hangs in the middle of a sync does not hold the sync, and
 * with it the failover that the sync carries out, for its deadlines.
 */
static int
head_down(void *cls)
{
	const struct gceph_head_ref *ref = cls;
	int down;

	pthread_mutex_lock(&ref->gc->mu);
	down = ref->gc->down_since[ref->h] != 0;
	pthread_mutex_unlock(&ref->gc->mu);
	return down;
}

static void gceph_close(void *impl);

/*
 * Open head i (0 on the networks, 1... in STATE_DIR/head-i, private as
 * the first) with RADOS recovery as gc->nodeid[i].
 */
static void *
open_head(const struct exporter_config *cfg, struct ganesha_ceph *gc,
    size_t i, struct tnfs_err *err)
{
	struct exporter_rados r = {gc->o.client, gc->o.pool, GCEPH_GRACE_NS,
	    gc->nodeid[i]};
	struct exporter_listen l;
	struct exporter_config c = *cfg;
	char dir[4096];
	int n;

	snprintf(gc->nodeid[i], sizeof(gc->nodeid[i]), "%s-head%zu",
	    gc->o.node, i);
	c.arg = NULL;
	c.ceph_conf = gc->conf;
	c.rados = &r;
	if (i == 0)
		return exporter_ganesha_ops.open(&c, err);
	n = snprintf(dir, sizeof(dir), "%s/head-%zu", cfg->state_dir, i);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: state directory path too long");
		return NULL;
	}
	if (fsutil_mkdir_p(dir, 0700, err) == -1)
		return NULL;
	l.address = gc->o.hs[i - 1].address;
	l.nfs_port = gc->o.hs[i - 1].nfs_port;
	l.mount_port = gc->o.hs[i - 1].mount_port;
	c.state_dir = dir;
	c.listen = &l;
	c.nlisten = 1;
	return exporter_ganesha_ops.open(&c, err);
}

static void *
gceph_open(const struct exporter_config *cfg, struct tnfs_err *err)
{
	struct ganesha_ceph *gc = NULL;
	size_t i;

	if ((gc = calloc(1, sizeof(*gc))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&gc->mu, NULL);
	pthread_cond_init(&gc->cv, NULL);
	if (gceph_parse_arg(cfg, gc->conf, sizeof(gc->conf), &gc->o, err) == -1)
		goto fail;
	if (access(gc->conf, R_OK) != 0) {
		tnfs_err_errno(err, TNFS_E_VALIDATION, errno,
		    "exports ganesha-ceph: cannot read %s", gc->conf);
		goto fail;
	}
	if (cfg->state_dir == NULL ||
	    fsutil_mkdir_p(cfg->state_dir, 0700, err) == -1)
		goto fail;
	/* It may have been made by an older run with a wider mode. */
	if (chmod(cfg->state_dir, 0700) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot make %s private", cfg->state_dir);
		goto fail;
	}
	for (i = 0; i <= gc->o.nh; i++) {
		if ((gc->heads[i] = open_head(cfg, gc, i, err)) == NULL)
			goto fail;
		gc->nheads++;
		if (i > 0) {
			snprintf(gc->ping_addr[i], sizeof(gc->ping_addr[i]),
			    "%s", gc->o.hs[i - 1].address);
			gc->ping_port[i] = gc->o.hs[i - 1].nfs_port;
		} else if (cfg->nlisten > 0) {
			snprintf(gc->ping_addr[0], sizeof(gc->ping_addr[0]),
			    "%s", cfg->listen[0].address);
			gc->ping_port[0] = cfg->listen[0].nfs_port;
		}
	}
	if ((gc->pl = placement_new(gc->nheads)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	/* Only the watcher of several heads counts a head down. */
	for (i = 0; gc->nheads > 1 && i < gc->nheads; i++) {
		struct ganesha_gone gone = {head_down, &gc->refs[i]};

		gc->refs[i].gc = gc;
		gc->refs[i].h = i;
		exporter_ganesha_set_gone(gc->heads[i], &gone);
	}
	return gc;
fail:
	gceph_close(gc);
	return NULL;
}

/*
 * Make every head a member of the grace db (rados_cluster refuses to start
 * a head that is not).  Adding a member is idempotent; the first add also
 * creates the pool and the db.
 */
static int
grace_add(struct ganesha_ceph *gc, struct tnfs_err *err)
{
	const char *argv[16 + GCEPH_MAX_HEADS];
	struct child_opts opts = {.timeout_ms = GCEPH_GRACE_TMO_MS};
	size_t n = 0, i;

	argv[n++] = "ganesha-rados-grace";
	argv[n++] = "--cephconf";
	argv[n++] = gc->conf;
	argv[n++] = "--userid";
	argv[n++] = gc->o.client;
	argv[n++] = "--pool";
	argv[n++] = gc->o.pool;
	argv[n++] = "--ns";
	argv[n++] = GCEPH_GRACE_NS;
	argv[n++] = "add";
	for (i = 0; i < gc->nheads; i++)
		argv[n++] = gc->nodeid[i];
	argv[n] = NULL;
	if (child_run(argv, &opts, NULL, err) == -1) {
		tnfs_err_prefix(err,
		    "exports ganesha-ceph: adding the heads to the grace db "
		    "(pool %s, package nfs-ganesha-rados-grace)",
		    gc->o.pool);
		return -1;
	}
	return 0;
}

/*
 * Head h stayed down: fence it (exports_ceph_fence.h), then give its
 * volumes to the heads that answer.  A fencing that fails is logged and
 * the volumes move all the same: CephFS keeps the data coherent between
 * heads, fencing only keeps a head that wakes up from writing on.
 */
static void
failover(struct ganesha_ceph *gc, size_t h)
{
	struct gceph_user *mine;
	struct tnfs_err err;
	size_t n = 0, i, moved, served;
	int fenced = 0, e;

	pthread_mutex_lock(&gc->mu);
	served = gc->nusers;
	mine = calloc(served + 1, sizeof(*mine));
	for (i = 0; mine != NULL && i < served; i++)
		if (placement_head_of(gc->pl, gc->users[i].uuid) == (int)h)
			mine[n++] = gc->users[i];
	pthread_mutex_unlock(&gc->mu);
	log_info("ganesha-ceph head %zu: fencing %zu volumes (of %zu served)",
	    h, n, served);
	for (i = 0; i < n; i++) {
		tnfs_err_clear(&err);
		e = ceph_fence_user(gc->conf, gc->o.client, mine[i].fs,
		    mine[i].user, GCEPH_FENCE_TMO_MS, &err);
		if (e < 0)
			log_err(TNFS_LOG_WARN, &err,
			    "ganesha-ceph head %zu: fencing volume %s", h,
			    mine[i].uuid);
		else
			fenced += e;
	}
	free(mine);
	pthread_mutex_lock(&gc->mu);
	moved = placement_evacuate(gc->pl, (int)h);
	gc->moved[h] = 1;
	gc->moves++;
	pthread_mutex_unlock(&gc->mu);
	log_error("ganesha-ceph head %zu down for %d s: %d of its CephFS "
		  "sessions evicted, %zu volumes move to the other heads",
	    h, gc->o.failover_s, fenced, moved);
}

/*
 * A NULL call to head h's NFS service within ms.  A first head that
 * listens on no address of ours (no `listen` configured) cannot be
 * called: its running process is all there is to go by.
 */
static int
ping_head(const struct ganesha_ceph *gc, size_t h, int ms, struct tnfs_err *err)
{
	if (gc->ping_addr[h][0] == '\0')
		return 0;
	return rpc_ping_server(gc->ping_addr[h], gc->ping_port[h],
	    RPC_PROG_NFS, 3, ms, err);
}

/*
 * One look at head h: healthy (its process runs) and answering a NULL
 * call.  A head that stops answering takes no new volume; one that stays
 * down failover_s gives its volumes to the others (placement_evacuate),
 * and takes new ones again once it answers.  Each move bumps moves, which
 * the provisioner follows (exporter_moves).
 */
static void
watch_head(struct ganesha_ceph *gc, size_t h)
{
	struct tnfs_err err = {0};
	int64_t now = tnfs_mono_ms();
	int up, fail;

	up = exporter_ganesha_ops.healthy(gc->heads[h]) &&
	    ping_head(gc, h, GCEPH_PING_MS, &err) == 0;
	if (!up && err.msg[0] == '\0')
		tnfs_err_set(&err, TNFS_E_UNAVAILABLE, "its ganesha is down");
	pthread_mutex_lock(&gc->mu);
	if (up && gc->down_since[h] != 0) {
		gc->down_since[h] = 0;
		gc->moved[h] = 0;
		placement_set_down(gc->pl, (int)h, 0);
		/* A sync now brings its exports up to date (sync_heads). */
		gc->moves++;
		log_info("ganesha-ceph head %zu answers again; it takes new "
			 "volumes",
		    h);
	} else if (!up && gc->down_since[h] == 0) {
		gc->down_since[h] = now;
		gc->moves++; /* its volumes are failed meanwhile */
		placement_set_down(gc->pl, (int)h, 1);
		log_err(TNFS_LOG_WARN, &err,
		    "ganesha-ceph head %zu does not answer (its volumes move "
		    "in %d s unless it does)",
		    h, gc->o.failover_s);
	}
	fail = !up && !gc->moved[h] && gc->o.failover_s > 0 &&
	    now - gc->down_since[h] >= (int64_t)gc->o.failover_s * 1000;
	pthread_mutex_unlock(&gc->mu);
	if (fail)
		failover(gc, h);
}

static void
watch_round(void *arg)
{
	struct ganesha_ceph *gc = arg;
	size_t h;

	for (h = 0; h < gc->nheads; h++)
		watch_head(gc, h);
}

static int
gceph_start(void *impl, struct tnfs_err *err)
{
	struct ganesha_ceph *gc = impl;
	size_t i;

	if (grace_add(gc, err) == -1)
		return -1;
	for (i = 0; i < gc->nheads; i++)
		if (exporter_ganesha_ops.start(gc->heads[i], err) == -1) {
			if (i > 0)
				tnfs_err_prefix(err, "head %zu", i);
			return -1;
		}
	if (gc->nheads > 1 && !gc->watching) {
		gc->loop = (struct tnfs_periodic){&gc->mu, &gc->cv, &gc->kicked,
		    &gc->stopping, GCEPH_WATCH_MS, watch_round, gc};
		if (pthread_create(&gc->watcher, NULL, tnfs_periodic_main,
			&gc->loop) != 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "cannot start the heads' watcher");
			return -1;
		}
		gc->watching = 1;
	}
	return 0;
}

/*
 * The head a volume's record names: an extra head by its ports, else the
 * first (whose record ports may be the networks' advertised ones); -1 for
 * a volume not served yet (ports 0).
 */
static int
head_of_ports(const struct ganesha_ceph *gc, int nfs_port, int mount_port)
{
	size_t i;

	if (nfs_port == 0 && mount_port == 0)
		return -1;
	for (i = 0; i < gc->o.nh; i++)
		if (gc->o.hs[i].nfs_port == nfs_port &&
		    gc->o.hs[i].mount_port == mount_port)
			return (int)i + 1;
	return 0;
}

static int
gceph_place(void *impl, const char *uuid, int nfs_port, int mount_port,
    struct exporter_listen *out)
{
	struct ganesha_ceph *gc = impl;
	int h;

	/* One head: every volume is on the networks, as with one server. */
	if (gc->nheads == 1)
		return -1;
	h = placement_get(
	    gc->pl, uuid, head_of_ports(gc, nfs_port, mount_port), NULL);
	if (h <= 0)
		return 0; /* out of memory: the first head */
	out->address = gc->o.hs[h - 1].address;
	out->nfs_port = gc->o.hs[h - 1].nfs_port;
	out->mount_port = gc->o.hs[h - 1].mount_port;
	return h;
}

static size_t
gceph_heads(void *impl, struct exporter_head *out, size_t max)
{
	struct ganesha_ceph *gc = impl;
	size_t i;

	for (i = 0; i < gc->nheads && i < max; i++) {
		out[i].nfs_port = i > 0 ? gc->o.hs[i - 1].nfs_port : 0;
		out[i].mount_port = i > 0 ? gc->o.hs[i - 1].mount_port : 0;
		out[i].volumes = gc->nheads > 1 ? placement_count(gc->pl, (int)i)
						: 0;
		pthread_mutex_lock(&gc->mu);
		out[i].down = gc->down_since[i] != 0;
		pthread_mutex_unlock(&gc->mu);
	}
	return i;
}

/*
 * Whether head h answers a NULL call within GCEPH_SYNC_PING_MS; one that
 * does not is marked down as the watcher would (watch_head).
 */
static int
answers(struct ganesha_ceph *gc, size_t h)
{
	struct tnfs_err err = {0};

	if (ping_head(gc, h, GCEPH_SYNC_PING_MS, &err) == 0)
		return 1;
	pthread_mutex_lock(&gc->mu);
	if (gc->down_since[h] == 0) {
		gc->down_since[h] = tnfs_mono_ms();
		gc->moves++;
		placement_set_down(gc->pl, (int)h, 1);
		log_err(TNFS_LOG_WARN, &err,
		    "ganesha-ceph head %zu does not answer: its exports wait "
		    "until it does",
		    h);
	}
	pthread_mutex_unlock(&gc->mu);
	return 0;
}

/* The cephx user of each volume of the synced set (for failover). */
static void
remember_users(
    struct ganesha_ceph *gc, const struct export_spec *specs, size_t n)
{
	struct gceph_user *us = calloc(n + 1, sizeof(*us));
	size_t i, k = 0;

	if (us == NULL)
		return; /* the older list stays: a fencing may miss a volume */
	for (i = 0; i < n; i++) {
		if (specs[i].ceph_user == NULL || specs[i].ceph_fs == NULL)
			continue;
		snprintf(us[k].uuid, sizeof(us[k].uuid), "%s",
		    specs[i].volume_uuid);
		snprintf(us[k].fs, sizeof(us[k].fs), "%s", specs[i].ceph_fs);
		snprintf(us[k].user, sizeof(us[k].user), "%s",
		    specs[i].ceph_user);
		k++;
	}
	pthread_mutex_lock(&gc->mu);
	free(gc->users);
	gc->users = us;
	gc->nusers = k;
	pthread_mutex_unlock(&gc->mu);
}

/*
 * Each head serves its own volumes only.  The first head's answer is the
 * one that counts: a sync that fails on an extra head (down, being
 * restarted) is logged and caught up by its supervisor, which reloads a
 * head that comes back with the exports file written meanwhile.  An extra
 * head that does not answer is left alone (each call to a hung ganesha
 * would wait out its deadline) and counted down; the sync that follows
 * its return (exporter_moves) catches it up.
 */
static int
sync_heads(struct ganesha_ceph *gc, const struct export_spec *specs,
    size_t n, struct tnfs_err *err)
{
	struct export_spec *mine = NULL;
	const char **uuids = NULL;
	int *head = NULL, rc = -1;
	size_t i, h, k;

	mine = calloc(n + 1, sizeof(*mine));
	uuids = calloc(n + 1, sizeof(*uuids));
	head = calloc(n + 1, sizeof(*head));
	if (mine == NULL || uuids == NULL || head == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct exporter_listen l;

		head[i] = gceph_place(gc, specs[i].volume_uuid,
		    specs[i].nfs_port, specs[i].mount_port, &l);
		uuids[i] = specs[i].volume_uuid;
	}
	/* Before any head: a head may hang in the middle of this sync. */
	remember_users(gc, specs, n);
	for (h = 0; h < gc->nheads; h++) {
		struct tnfs_err e2 = {0};
		int down;

		pthread_mutex_lock(&gc->mu);
		down = gc->down_since[h] != 0;
		pthread_mutex_unlock(&gc->mu);
		if (h > 0 && (down || !answers(gc, h)))
			continue;
		for (i = k = 0; i < n; i++)
			if (head[i] == (int)h)
				mine[k++] = specs[i];
		if (exporter_ganesha_ops.sync(gc->heads[h], mine, k,
			h == 0 ? err : &e2) == -1) {
			if (h == 0)
				goto out;
			log_err(TNFS_LOG_WARN, &e2, "ganesha-ceph head %zu", h);
		}
	}
	placement_synced(gc->pl, uuids, n);
	rc = 0;
out:
	free(mine);
	free(uuids);
	free(head);
	return rc;
}

static int
gceph_sync(
    void *impl, const struct export_spec *specs, size_t n, struct tnfs_err *err)
{
	struct ganesha_ceph *gc = impl;
	size_t i;

	/* FSAL_CEPH cannot serve a local directory. */
	for (i = 0; i < n; i++)
		if (specs[i].ceph_user == NULL) {
			tnfs_err_set(err, TNFS_E_NOT_SUPPORTED,
			    "volume %s is not on CephFS: the ganesha-ceph "
			    "exporter serves the cephfs storage backend only",
			    specs[i].volume_uuid);
			return -1;
		}
	if (gc->nheads == 1)
		return exporter_ganesha_ops.sync(gc->heads[0], specs, n, err);
	return sync_heads(gc, specs, n, err);
}

/*
 * One head: it serves.  Several: one of them does; each volume's health
 * is its own head's (gceph_volume_up).
 */
static int
gceph_healthy(void *impl)
{
	struct ganesha_ceph *gc = impl;
	size_t i;

	for (i = 0; i < gc->nheads; i++)
		if (exporter_ganesha_ops.healthy(gc->heads[i]))
			return 1;
	return 0;
}

static int
gceph_volume_up(void *impl, const char *uuid, int nfs_port, int mount_port)
{
	struct ganesha_ceph *gc = impl;
	int h, up;

	if (gc->nheads == 1)
		return -1;
	if ((h = placement_head_of(gc->pl, uuid)) < 0 &&
	    (h = head_of_ports(gc, nfs_port, mount_port)) < 0)
		return 1; /* not served yet */
	pthread_mutex_lock(&gc->mu);
	up = gc->down_since[h] == 0;
	pthread_mutex_unlock(&gc->mu);
	return up;
}

static unsigned long
gceph_moves(void *impl)
{
	struct ganesha_ceph *gc = impl;
	unsigned long n;

	pthread_mutex_lock(&gc->mu);
	n = gc->moves;
	pthread_mutex_unlock(&gc->mu);
	return n;
}

static unsigned long
gceph_outages(void *impl)
{
	struct ganesha_ceph *gc = impl;

	/* Several heads: the watcher's transitions (gceph_moves) instead. */
	if (gc->nheads > 1)
		return 0;
	return exporter_ganesha_ops.outages(gc->heads[0]);
}

static void
gceph_close(void *impl)
{
	struct ganesha_ceph *gc = impl;

	size_t i;

	if (gc == NULL)
		return;
	if (gc->watching) {
		pthread_mutex_lock(&gc->mu);
		gc->stopping = 1;
		pthread_cond_broadcast(&gc->cv);
		pthread_mutex_unlock(&gc->mu);
		pthread_join(gc->watcher, NULL);
	}
	for (i = 0; i < gc->nheads; i++)
		exporter_ganesha_ops.close(gc->heads[i]);
	placement_free(gc->pl);
	free(gc->users);
	pthread_mutex_destroy(&gc->mu);
	pthread_cond_destroy(&gc->cv);
	free(gc);
}

const struct exporter_ops exporter_ganesha_ceph_ops = {
    .kind = "ganesha-ceph",
    .takes_arg = 1,
    .open = gceph_open,
    .start = gceph_start,
    .sync = gceph_sync,
    .healthy = gceph_healthy,
    .outages = gceph_outages,
    .place = gceph_place,
    .heads = gceph_heads,
    .moves = gceph_moves,
    .volume_up = gceph_volume_up,
    .close = gceph_close,
};
