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
 * head after a restart.  The exporter is healthy while the first head
 * serves.
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
#include "exports_impl.h"
#include "fsutil.h"
#include "log.h"
#include "parse.h"
#include "placement.h"

#define GCEPH_MAX_HEADS	   8
#define GCEPH_NAME_MAX	   128
#define GCEPH_GRACE_NS	   "tritonnfs"
#define GCEPH_GRACE_TMO_MS 30000

/* A head named by head=ADDRESS:NFS_PORT:MOUNT_PORT. */
struct gceph_head_spec {
	char address[INET_ADDRSTRLEN];
	int nfs_port, mount_port;
};

/* What follows CONF: heads and the RADOS recovery settings. */
struct gceph_opts {
	struct gceph_head_spec hs[GCEPH_MAX_HEADS];
	size_t nh;
	char client[GCEPH_NAME_MAX], pool[GCEPH_NAME_MAX],
	    node[GCEPH_NAME_MAX];
};

struct ganesha_ceph {
	/* exporter_ganesha_ops instances; heads[0] is on the networks. */
	void *heads[GCEPH_MAX_HEADS];
	size_t nheads;
	char conf[4096];
	struct gceph_opts o;
	char nodeid[GCEPH_MAX_HEADS][GCEPH_NAME_MAX + 16];
	struct placement *pl; /* which head serves which volume */
};

static int
parse_port(const char *text, const char *what, const char *spec, int *port,
    struct tnfs_err *err)
{
	uint64_t v;

	if (tnfs_parse_u64(text, 65535, &v, what, err) == -1 || v == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: %s must be a port, 1 to "
		    "65535",
		    spec, what);
		return -1;
	}
	*port = (int)v;
	return 0;
}

/* head=ADDRESS:NFS_PORT:MOUNT_PORT, an IPv4 address as ganesha binds. */
static int
parse_head(const char *spec, struct gceph_head_spec *h, struct tnfs_err *err)
{
	char buf[64], *nfs, *mount;
	struct in_addr a;

	if (strlen(spec) >= sizeof(buf)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%.64s...: too long", spec);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	if ((nfs = strchr(buf, ':')) == NULL ||
	    (mount = strchr(nfs + 1, ':')) == NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: expected "
		    "head=ADDRESS:NFS_PORT:MOUNT_PORT",
		    spec);
		return -1;
	}
	*nfs++ = '\0';
	*mount++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: %s is not an IPv4 address",
		    spec, buf);
		return -1;
	}
	/* The canonical form: inet_pton accepted it, so it fits. */
	if (inet_ntop(AF_INET, &a, h->address, sizeof(h->address)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "inet_ntop failed");
		return -1;
	}
	if (parse_port(nfs, "the NFS port", spec, &h->nfs_port, err) == -1 ||
	    parse_port(mount, "the MOUNT port", spec, &h->mount_port, err) ==
		-1)
		return -1;
	if (h->nfs_port == h->mount_port) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: the NFS and MOUNT ports "
		    "must differ",
		    spec);
		return -1;
	}
	return 0;
}

/*
 * Whether port p is taken by a head before it.  The heads of one VAPI run
 * on its host, and the first may bind every address (networks on several
 * addresses): ports differ across heads whatever the addresses.
 */
static int
port_taken(const struct exporter_config *cfg, const struct gceph_head_spec *hs,
    size_t n, int p)
{
	size_t i;

	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].nfs_port == p ||
		    cfg->listen[i].mount_port == p)
			return 1;
	for (i = 0; i < n; i++)
		if (hs[i].nfs_port == p || hs[i].mount_port == p)
			return 1;
	return 0;
}

/* NAME=VALUE into buf, a Ceph name (letters, digits, "-_."). */
static int
set_name(const char *one, size_t skip, char *buf, size_t len,
    struct tnfs_err *err)
{
	const char *v = one + skip, *p;

	if (*v == '\0' || strlen(v) >= len)
		goto bad;
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
			*p == '.'))
			goto bad;
	snprintf(buf, len, "%s", v);
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "exports ganesha-ceph: %s: expected 1 to %zu letters, digits, "
	    "\"-\", \"_\" or \".\"",
	    one, len - 1);
	return -1;
}

/* One option of arg: head=, client=, pool= or node=. */
static int
parse_opt(const struct exporter_config *cfg, const char *one,
    struct gceph_opts *o, struct tnfs_err *err)
{
	if (strncmp(one, "client=", 7) == 0)
		return set_name(one, 7, o->client, sizeof(o->client), err);
	if (strncmp(one, "pool=", 5) == 0)
		return set_name(one, 5, o->pool, sizeof(o->pool), err);
	if (strncmp(one, "node=", 5) == 0)
		return set_name(one, 5, o->node, sizeof(o->node), err);
	if (strncmp(one, "head=", 5) != 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: unknown option \"%s\" (expected "
		    "head=ADDRESS:NFS_PORT:MOUNT_PORT, client=ID, pool=NAME "
		    "or node=NAME)",
		    one);
		return -1;
	}
	if (o->nh + 1 >= GCEPH_MAX_HEADS) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: at most %d heads", GCEPH_MAX_HEADS);
		return -1;
	}
	if (parse_head(one + 5, &o->hs[o->nh], err) == -1)
		return -1;
	if (port_taken(cfg, o->hs, o->nh, o->hs[o->nh].nfs_port) ||
	    port_taken(cfg, o->hs, o->nh, o->hs[o->nh].mount_port)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: %s: a port another head uses", one);
		return -1;
	}
	o->nh++;
	return 0;
}

/*
 * Split arg, CONF[,OPTION]..., into conf (a copy of CONF) and o.  A
 * ceph.conf path with a comma in it is not supported.
 */
static int
parse_arg(const struct exporter_config *cfg, char *conf, size_t conflen,
    struct gceph_opts *o, struct tnfs_err *err)
{
	const char *arg = cfg->arg, *opt, *end;
	char one[128];
	size_t len;

	memset(o, 0, sizeof(*o));
	snprintf(o->client, sizeof(o->client), "admin");
	/* ganesha's own default pool for its grace db. */
	snprintf(o->pool, sizeof(o->pool), "nfs-ganesha");
	if (arg == NULL || arg[0] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: expected ganesha-ceph:CONF with "
		    "CONF the absolute path of the cluster's ceph.conf");
		return -1;
	}
	len = strcspn(arg, ",");
	if (len >= conflen) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: the ceph.conf path is too long");
		return -1;
	}
	memcpy(conf, arg, len);
	conf[len] = '\0';
	for (opt = arg + len; *opt == ','; opt = end) {
		opt++;
		end = opt + strcspn(opt, ",");
		len = (size_t)(end - opt);
		if (len >= sizeof(one)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "exports ganesha-ceph: option %.32s...: too long",
			    opt);
			return -1;
		}
		memcpy(one, opt, len);
		one[len] = '\0';
		if (parse_opt(cfg, one, o, err) == -1)
			return -1;
	}
	if (o->node[0] == '\0') {
		char host[256] = "";

		if (gethostname(host, sizeof(host) - 1) == -1 ||
		    set_name(host, 0, o->node, sizeof(o->node), NULL) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "exports ganesha-ceph: the host name \"%.64s\" is "
			    "no node id: give one with node=NAME",
			    host);
			return -1;
		}
	}
	return 0;
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
	if (parse_arg(cfg, gc->conf, sizeof(gc->conf), &gc->o, err) == -1)
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
	}
	if ((gc->pl = placement_new(gc->nheads)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
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
	}
	return i;
}

/*
 * Each head serves its own volumes only.  The first head's answer is the
 * one that counts: a sync that fails on an extra head (down, being
 * restarted) is logged and caught up by its supervisor, which reloads a
 * head that comes back with the exports file written meanwhile.
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
	for (h = 0; h < gc->nheads; h++) {
		struct tnfs_err e2 = {0};

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

static int
gceph_healthy(void *impl)
{
	struct ganesha_ceph *gc = impl;

	return exporter_ganesha_ops.healthy(gc->heads[0]);
}

static unsigned long
gceph_outages(void *impl)
{
	struct ganesha_ceph *gc = impl;

	return exporter_ganesha_ops.outages(gc->heads[0]);
}

static void
gceph_close(void *impl)
{
	struct ganesha_ceph *gc = impl;

	size_t i;

	if (gc == NULL)
		return;
	for (i = 0; i < gc->nheads; i++)
		exporter_ganesha_ops.close(gc->heads[i]);
	placement_free(gc->pl);
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
    .close = gceph_close,
};
