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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exports_impl.h"
#include "fsutil.h"

struct ganesha_ceph {
	void *head; /* an exporter_ganesha_ops instance */
};

static void *
gceph_open(const struct exporter_config *cfg, struct tnfs_err *err)
{
	struct exporter_config c = *cfg;
	struct ganesha_ceph *gc;

	if (cfg->arg == NULL || cfg->arg[0] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: expected ganesha-ceph:CONF with "
		    "CONF the absolute path of the cluster's ceph.conf");
		return NULL;
	}
	if (access(cfg->arg, R_OK) != 0) {
		tnfs_err_errno(err, TNFS_E_VALIDATION, errno,
		    "exports ganesha-ceph: cannot read %s", cfg->arg);
		return NULL;
	}
	if (cfg->state_dir == NULL ||
	    fsutil_mkdir_p(cfg->state_dir, 0700, err) == -1)
		return NULL;
	/* It may have been made by an older run with a wider mode. */
	if (chmod(cfg->state_dir, 0700) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot make %s private", cfg->state_dir);
		return NULL;
	}
	if ((gc = calloc(1, sizeof(*gc))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	c.arg = NULL;
	c.ceph_conf = cfg->arg;
	if ((gc->head = exporter_ganesha_ops.open(&c, err)) == NULL) {
		free(gc);
		return NULL;
	}
	return gc;
}

static int
gceph_start(void *impl, struct tnfs_err *err)
{
	struct ganesha_ceph *gc = impl;

	return exporter_ganesha_ops.start(gc->head, err);
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
	return exporter_ganesha_ops.sync(gc->head, specs, n, err);
}

static int
gceph_healthy(void *impl)
{
	struct ganesha_ceph *gc = impl;

	return exporter_ganesha_ops.healthy(gc->head);
}

static unsigned long
gceph_outages(void *impl)
{
	struct ganesha_ceph *gc = impl;

	return exporter_ganesha_ops.outages(gc->head);
}

static void
gceph_close(void *impl)
{
	struct ganesha_ceph *gc = impl;

	if (gc == NULL)
		return;
	exporter_ganesha_ops.close(gc->head);
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
    .close = gceph_close,
};
