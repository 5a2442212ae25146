/*
 * exports_impl.h: what an exporter implements.  exports.c holds the table
 * of exporters and forwards each exporter_* call of exports.h.
 */
#ifndef TNFS_EXPORTS_IMPL_H
#define TNFS_EXPORTS_IMPL_H

#include "exports.h"
#include "ganesha_dbus.h"

struct exporter_ops {
	const char *kind; /* "none", "ganesha", "ganesha-ceph" */
	int takes_arg;    /* spec KIND:ARGUMENT (cfg->arg) */
	int shared;       /* exporter_shared */
	void *(*open)(const struct exporter_config *cfg, struct tnfs_err *err);
	int (*start)(void *impl, struct tnfs_err *err);
	int (*sync)(void *impl, const struct export_spec *specs, size_t n,
	    struct tnfs_err *err);
	int (*healthy)(void *impl);
	unsigned long (*outages)(void *impl); /* NULL: never down */
	void (*stop)(void *impl);             /* NULL: nothing runs */
	/* NULL: one server (exporter_place answers -1). */
	int (*place)(void *impl, const char *uuid, int nfs_port, int mount_port,
	    struct exporter_listen *out);
	/* NULL: one server (exporter_heads answers one head). */
	size_t (*heads)(void *impl, struct exporter_head *out, size_t max);
	/* NULL: volumes never move between heads (exporter_moves). */
	unsigned long (*moves)(void *impl);
	/* NULL: health is the exporter's (exporter_volume_up). */
	int (*volume_up)(
	    void *impl, const char *uuid, int nfs_port, int mount_port);
	void (*close)(void *impl);
};

extern const struct exporter_ops exporter_none_ops;    /* exports.c */
extern const struct exporter_ops exporter_ganesha_ops; /* exports_ganesha.c */
/*
 * For whoever runs the ganesha exporter as one of several heads
 * (exports_ganesha_ceph.c): a sync that waits on this ganesha's export
 * manager or re-read gives up as soon as gone says the head no longer
 * answers (ganesha_dbus.h), instead of at each wait's deadline (10 s a
 * call, 30 s a re-read).  Set before the first sync.
 */
void exporter_ganesha_set_gone(void *impl, const struct ganesha_gone *gone);
extern const struct exporter_ops
    exporter_ganesha_ceph_ops; /* exports_ganesha_ceph.c */

#endif
