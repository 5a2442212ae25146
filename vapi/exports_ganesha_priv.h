/*
 * exports_ganesha_priv.h: the "ganesha" exporter's state, shared by its
 * modules: exports_ganesha.c (the process, its supervision, the sync) and
 * exports_ganesha_bus.c (what ganesha serves, changed through its export
 * manager).  Private to those two files.
 */
#ifndef TNFS_EXPORTS_GANESHA_PRIV_H
#define TNFS_EXPORTS_GANESHA_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "exports_impl.h"
#include "uuid.h"

struct export_dev {
	char uuid[TNFS_UUID_BUFSZ];
	dev_t dev;
};

struct ganesha {
	/* Set at open, then read-only. */
	char *state_dir;
	char conf[4096], exports[4096], ids_file[4096], log[4096],
	    pidfile[4096], out[4096], recovery[4096];
	char addr[64];       /* Bind_addr */
	char probe_addr[64]; /* where health checks connect */
	char ceph_conf[4096]; /* FSAL_CEPH's cluster, "" for none */
	/* RADOS recovery (rados.nodeid non-NULL) or the fs backend. */
	struct exporter_rados rados;
	char rados_buf[4][256];
	int nfs_port, mount_port, root_squash;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t cond;
	pthread_t thread;
	int thread_running;
	int stopping;
	pid_t pid; /* 0 while down */
	int healthy;
	unsigned long outages; /* healthy -> down transitions */
	unsigned gen;          /* bumped at every exports file write */
	unsigned spawn_gen;    /* gen the running process read at its start */

	pthread_mutex_t sync_lock; /* one sync at a time; guards below */
	struct ganesha_ids *ids;
	struct export_dev *devs; /* st_dev of each exported path, last sync */
	size_t ndevs;
	struct gbus *bus; /* NULL: exports change by SIGHUP only */
	struct ganesha_gone gone; /* exporter_ganesha_set_gone */
	char one[4096];   /* ganesha-export-one.conf */
	/* What ganesha serves, by Export_Id, as of served_pid's last sync. */
	struct served *served;
	size_t nserved;
	pid_t served_pid;
};

struct served {
	unsigned id;
	char *block; /* the rendered EXPORT block */
	int swapped; /* (wanted only) its path's filesystem changed */
};
/*
 * Each spec's EXPORT block with ids[i] and swapped[i], sorted by
 * Export_Id; NULL (err set) when out of memory or a block cannot be
 * rendered.  Freed with gexp_served_free.
 */
struct served *gexp_render(const struct ganesha *g,
    const struct export_spec *specs, const unsigned *ids,
    const unsigned char *swapped, size_t n, struct tnfs_err *err);

void gexp_served_free(struct served *sv, size_t n);

/*
 * Write the exports file from blocks gexp_render made (no block rendered
 * twice) and bump g->gen.  The caller holds g->sync_lock.
 */
int gexp_write(struct ganesha *g, const struct served *sv, size_t n,
    struct tnfs_err *err);

/*
 * Take ganesha from what it serves (g->served) to want[0..n) through its
 * export manager.  -1 (err says why) when the bus cannot tell it: the
 * caller re-reads the whole file, which also repairs a half-applied
 * change.  The caller holds g->sync_lock.
 */
int gexp_bus_apply(struct ganesha *g, const struct served *want, size_t n,
    struct tnfs_err *err);

#endif
