/*
 * exports_ganesha.c: the "ganesha" exporter: one nfs-ganesha process,
 * started with a configuration we write into state_dir, supervised by a
 * thread that restarts it with backoff when it dies.
 *
 * Files under state_dir:
 *   ganesha.conf            main configuration (%include's the exports)
 *   ganesha-exports.conf    EXPORT blocks, rewritten atomically by sync
 *   ganesha-export-ids      Export_Id of each volume (stable)
 *   ganesha.log, ganesha.pid, ganesha.out (its stdout/stderr)
 *   ganesha-recovery/       NFSv4 recovery root (fs backend), private
 *
 *   ganesha-export-one.conf the one EXPORT block of an export manager call
 *   ganesha-bus*            ganesha's private D-Bus (ganesha_dbus.c)
 *
 * sync rewrites the exports file (what a restarted ganesha reads), then
 * tells the running ganesha what changed through its export manager on
 * the private bus (exports_ganesha_bus.c).  A path whose filesystem
 * changed since the last sync (a rollback swapped the subvolume mounted
 * there) is removed and added again: ganesha keeps serving the old
 * filesystem for an unchanged EXPORT.
 *
 * When the bus cannot be used (no dbus-daemon, ganesha restarted since the
 * last sync, a call refused) sync falls back to SIGHUP: ganesha re-reads
 * the whole file, and we read its log for the end of the reload and any
 * complaint; the swapped paths are unexported in a first reload and
 * exported again in a second.
 *
 * NFSv3 needs rpcbind at ganesha's start.  When nothing answers on port 111
 * we start `rpcbind -w` once and leave it running: it is host-global and
 * other services may come to rely on it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "exports_ganesha_priv.h"
#include "exports_impl.h"
#include "fsutil.h"
#include "ganesha_conf.h"
#include "ganesha_dbus.h"
#include "ganesha_reread.h"
#include "log.h"
#include "probe.h"
#include "timefmt.h"
#include "uuid.h"

#define START_TIMEOUT_MS  30000
#define STOP_GRACE_MS     5000
#define BACKOFF_MIN_MS    500
#define BACKOFF_MAX_MS    30000
#define STABLE_MS         60000 /* up this long: the next death backs off from 0 */

static uint64_t
now_ms(void)
{
	return (uint64_t)tnfs_mono_ms();
}

static void
ganesha_free(struct ganesha *g)
{
	if (g == NULL)
		return;
	ganesha_ids_free(g->ids);
	free(g->devs);
	gexp_served_free(g->served, g->nserved);
	gbus_free(g->bus);
	free(g->state_dir);
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->sync_lock);
	pthread_cond_destroy(&g->cond);
	free(g);
}

static void *
ganesha_open(const struct exporter_config *cfg, struct tnfs_err *err)
{
	struct ganesha *g = NULL;
	struct tnfs_err berr = {0};
	const char *d = cfg->state_dir;
	char *idtext = NULL;
	size_t i, len;

	if (cfg->state_dir == NULL || cfg->nlisten == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the ganesha exporter needs a state directory and at least "
		    "one listen address");
		goto fail;
	}
	/*
	 * One ganesha listens on one NFS port and one MOUNT port: networks
	 * may have different addresses (then it binds all of them) but
	 * not different ports.
	 */
	for (i = 1; i < cfg->nlisten; i++)
		if (cfg->listen[i].nfs_port != cfg->listen[0].nfs_port ||
		    cfg->listen[i].mount_port != cfg->listen[0].mount_port) {
			tnfs_err_set(err, TNFS_E_NOT_SUPPORTED,
			    "one ganesha serves one NFS and one MOUNT port; "
			    "networks ask for %d/%d and %d/%d",
			    cfg->listen[0].nfs_port, cfg->listen[0].mount_port,
			    cfg->listen[i].nfs_port, cfg->listen[i].mount_port);
			goto fail;
		}
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->state_dir = strdup(cfg->state_dir)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->sync_lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->nfs_port = cfg->listen[0].nfs_port;
	g->mount_port = cfg->listen[0].mount_port;
	g->root_squash = cfg->root_squash;
	if (cfg->ceph_conf != NULL)
		snprintf(g->ceph_conf, sizeof(g->ceph_conf), "%s",
		    cfg->ceph_conf);
	if (cfg->rados != NULL) {
		/* Too long a name fails ganesha_conf_main's check. */
		snprintf(g->rados_buf[0], 256, "%s", cfg->rados->userid);
		snprintf(g->rados_buf[1], 256, "%s", cfg->rados->pool);
		snprintf(g->rados_buf[2], 256, "%s", cfg->rados->ns);
		snprintf(g->rados_buf[3], 256, "%s", cfg->rados->nodeid);
		g->rados.userid = g->rados_buf[0];
		g->rados.pool = g->rados_buf[1];
		g->rados.ns = g->rados_buf[2];
		g->rados.nodeid = g->rados_buf[3];
	}
	snprintf(g->addr, sizeof(g->addr), "%s", cfg->listen[0].address);
	for (i = 1; i < cfg->nlisten; i++)
		if (strcmp(cfg->listen[i].address, g->addr) != 0)
			snprintf(g->addr, sizeof(g->addr), "0.0.0.0");
	snprintf(g->probe_addr, sizeof(g->probe_addr), "%s",
	    strcmp(g->addr, "0.0.0.0") == 0 ? "127.0.0.1" : g->addr);
	if (fsutil_path(g->conf, err, "%s/ganesha.conf", d) == -1 ||
	    fsutil_path(g->exports, err, "%s/ganesha-exports.conf", d) == -1 ||
	    fsutil_path(g->ids_file, err, "%s/ganesha-export-ids", d) == -1 ||
	    fsutil_path(g->log, err, "%s/ganesha.log", d) == -1 ||
	    fsutil_path(g->pidfile, err, "%s/ganesha.pid", d) == -1 ||
	    fsutil_path(g->out, err, "%s/ganesha.out", d) == -1 ||
	    fsutil_path(g->recovery, err, "%s/ganesha-recovery", d) == -1 ||
	    fsutil_path(g->one, err, "%s/ganesha-export-one.conf", d) == -1)
		goto fail;
	if ((g->bus = gbus_new(g->state_dir, &berr)) == NULL)
		log_err(TNFS_LOG_WARN, &berr,
		    "exports will change by re-reading the whole file "
		    "(SIGHUP)");
	if (fsutil_mkdir_p(g->recovery, 0700, err) == -1)
		goto fail;
	if (access(g->ids_file, F_OK) == 0 &&
	    fsutil_read_file(g->ids_file, 16u << 20, &idtext, &len, err) == -1)
		goto fail;
	if ((g->ids = ganesha_ids_parse(idtext, err)) == NULL)
		goto fail;
	free(idtext);
	return g;
fail:
	free(idtext);
	ganesha_free(g);
	return NULL;
}

static pid_t
spawn(struct ganesha *g, struct tnfs_err *err)
{
	char port_note[32];
	/* env(1) execs ganesha in place: the pid stays ganesha's. */
	const char *argv[] = {"env", g->bus ? gbus_env(g->bus) : "TNFS_BUS=",
	    "ganesha.nfsd", "-F", "-f", g->conf, "-L", g->log, "-p",
	    g->pidfile, "-N", "NIV_EVENT", NULL};

	snprintf(port_note, sizeof(port_note), "%d", g->nfs_port);
	log_info("starting ganesha on %s port %s", g->addr, port_note);
	return child_spawn(argv, g->out, err);
}

/* Sleep up to ms unless stopping; the caller holds g->lock. */
static void
wait_locked(struct ganesha *g, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	if (!g->stopping)
		pthread_cond_timedwait(&g->cond, &g->lock, &ts);
}

/*
 * A ganesha (re)started after its bus died registers on a new one.  Under
 * sync_lock: a sync may be using the bus's connection.
 */
static void
respawn_bus(struct ganesha *g)
{
	struct tnfs_err err = {0};

	if (g->bus == NULL)
		return;
	pthread_mutex_lock(&g->sync_lock);
	if (gbus_start(g->bus, &err) == -1)
		log_err(TNFS_LOG_WARN, &err,
		    "ganesha's bus did not start again; exports change by "
		    "re-reading the whole file");
	pthread_mutex_unlock(&g->sync_lock);
}

/*
 * The supervisor: (re)start ganesha, mark it healthy once its NFS port
 * answers, notice its death, back off, start it again.
 */
static void *
supervise(void *arg)
{
	struct ganesha *g = arg;
	uint64_t backoff = 0, started = 0;
	struct tnfs_err err = {0};
	pid_t pid;
	int status;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		if (g->pid == 0) {
			unsigned gen = g->gen;

			pthread_mutex_unlock(&g->lock);
			respawn_bus(g);
			pid = spawn(g, &err);
			pthread_mutex_lock(&g->lock);
			if (pid == -1) {
				log_err(TNFS_LOG_ERROR, &err,
				    "cannot start ganesha");
			} else {
				g->pid = pid;
				g->spawn_gen = gen;
				started = now_ms();
				continue;
			}
		} else {
			pid = g->pid;
			pthread_mutex_unlock(&g->lock);
			if (child_wait(pid, 250, &status) == 0) {
				int up =
				    probe_tcp(g->probe_addr, g->nfs_port);

				pthread_mutex_lock(&g->lock);
				if (up && !g->healthy) {
					g->healthy = 1;
					log_info("ganesha (pid %d) serves on "
						 "port %d",
					    (int)pid, g->nfs_port);
					/* It may have read an older exports file. */
					if (g->spawn_gen != g->gen) {
						kill(pid, SIGHUP);
						g->spawn_gen = g->gen;
					}
					pthread_cond_broadcast(&g->cond);
				}
				if (up && now_ms() - started > STABLE_MS)
					backoff = 0;
				continue;
			}
			pthread_mutex_lock(&g->lock);
			if (g->healthy)
				g->outages++;
			g->pid = 0;
			g->healthy = 0;
			pthread_cond_broadcast(&g->cond);
			if (g->stopping)
				break;
			log_warn("ganesha (pid %d) exited (status 0x%x); "
				 "restarting; its log is %s",
			    (int)pid, (unsigned)status, g->log);
		}
		backoff = backoff == 0 ? BACKOFF_MIN_MS : backoff * 2;
		if (backoff > BACKOFF_MAX_MS)
			backoff = BACKOFF_MAX_MS;
		wait_locked(g, backoff);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static int
write_exports(struct ganesha *g, const struct export_spec *specs,
    const unsigned *ids, size_t n, struct tnfs_err *err)
{
	char *text = NULL;
	int rc = -1;

	if (ganesha_conf_exports(specs, ids, n, g->root_squash, &text, err) ==
	    -1)
		goto out;
	if (fsutil_write_atomic(g->exports, text, strlen(text), 0644, err) ==
	    -1)
		goto out;
	pthread_mutex_lock(&g->lock);
	g->gen++;
	pthread_mutex_unlock(&g->lock);
	rc = 0;
out:
	free(text);
	return rc;
}

/*
 * A ganesha left running by a previous VAPI that died (kill -9), or by the
 * instance that held a shared head's lease before this one: it holds our
 * ports, so a new one could never bind.  Ours when its command line names
 * our configuration file (ganesha_stop_stale checks before any kill).
 */
static void
stop_stale(const struct ganesha *g)
{
	ganesha_stop_stale(g->pidfile, "ganesha.nfsd", g->conf, STOP_GRACE_MS);
}

/*
 * The Export_Ids as the file says now: another instance sharing this
 * state directory may have served (and numbered) volumes since our open.
 * What a previous run served is forgotten: the first sync re-reads the
 * whole file.  Under sync_lock.
 */
static int
reload_ids(struct ganesha *g, struct tnfs_err *err)
{
	struct ganesha_ids *ids;
	char *idtext = NULL;
	size_t len;

	if (access(g->ids_file, F_OK) == 0 &&
	    fsutil_read_file(g->ids_file, 16u << 20, &idtext, &len, err) == -1)
		return -1;
	ids = ganesha_ids_parse(idtext, err);
	free(idtext);
	if (ids == NULL)
		return -1;
	ganesha_ids_free(g->ids);
	g->ids = ids;
	gexp_served_free(g->served, g->nserved);
	g->served = NULL;
	g->nserved = 0;
	g->served_pid = 0;
	free(g->devs);
	g->devs = NULL;
	g->ndevs = 0;
	return 0;
}

static int
ganesha_start(void *impl, struct tnfs_err *err)
{
	struct ganesha *g = impl;
	struct ganesha_main gm = {.bind_addr = g->addr,
	    .nfs_port = g->nfs_port,
	    .mount_port = g->mount_port,
	    .recovery_root = g->recovery,
	    .exports_file = g->exports,
	    .ceph_conf = g->ceph_conf[0] ? g->ceph_conf : NULL,
	    .rados = g->rados.nodeid != NULL ? &g->rados : NULL};
	struct tnfs_err berr = {0};
	char *text = NULL;
	uint64_t end;
	int rc = -1, r;

	if (g->thread_running) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "ganesha already started");
		goto out;
	}
	if (probe_rpcbind(err) == -1)
		goto out;
	pthread_mutex_lock(&g->sync_lock);
	r = reload_ids(g, err);
	pthread_mutex_unlock(&g->sync_lock);
	if (r == -1)
		goto out;
	stop_stale(g);
	if (g->bus != NULL && gbus_start(g->bus, &berr) == -1) {
		log_err(TNFS_LOG_WARN, &berr,
		    "exports will change by re-reading the whole file "
		    "(SIGHUP): ganesha's bus did not start");
		gbus_free(g->bus);
		g->bus = NULL;
	}
	if (ganesha_conf_main(&gm, &text, err) == -1 ||
	    fsutil_write_atomic(g->conf, text, strlen(text), 0644, err) == -1 ||
	    write_exports(g, NULL, NULL, 0, err) == -1)
		goto out;
	g->stopping = 0;
	if (pthread_create(&g->thread, NULL, supervise, g) != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "cannot start the ganesha supervisor thread");
		goto out;
	}
	g->thread_running = 1;
	pthread_mutex_lock(&g->lock);
	for (end = now_ms() + START_TIMEOUT_MS; !g->healthy && now_ms() < end;)
		wait_locked(g, 200);
	rc = g->healthy ? 0 : -1;
	pthread_mutex_unlock(&g->lock);
	if (rc == -1)
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "ganesha did not serve on %s port %d within %d s; see %s "
		    "and %s",
		    g->addr, g->nfs_port, START_TIMEOUT_MS / 1000, g->log,
		    g->out);
out:
	free(text);
	return rc;
}

/*
 * SIGHUP and ganesha's verdict (ganesha_reread) on a file of n exports;
 * 0 when it is down.
 */
static int
reload(struct ganesha *g, size_t n, struct tnfs_err *err)
{
	pid_t pid;

	pthread_mutex_lock(&g->lock);
	pid = g->healthy ? g->pid : 0;
	if (pid != 0)
		g->spawn_gen = g->gen;
	pthread_mutex_unlock(&g->lock);
	/* Down or starting: it reads the file when it (re)starts. */
	return pid == 0 ? 0
			: ganesha_reread(pid, g->log,
			      ganesha_reread_deadline_ms(n), &g->gone, err);
}

void
exporter_ganesha_set_gone(void *impl, const struct ganesha_gone *gone)
{
	struct ganesha *g = impl;

	pthread_mutex_lock(&g->sync_lock);
	g->gone = *gone;
	if (g->bus != NULL)
		gbus_set_gone(g->bus, gone);
	pthread_mutex_unlock(&g->sync_lock);
}

static int
cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct export_dev *)a)->uuid,
	    ((const struct export_dev *)b)->uuid);
}

/* Re-read the whole file by SIGHUP, the swapped paths dropped first. */
static int
reload_all(struct ganesha *g, const struct export_spec *specs,
    const unsigned *ids, const unsigned char *swapped, size_t n,
    struct tnfs_err *err)
{
	struct export_spec *kept = NULL;
	unsigned *kids = NULL;
	size_t i, nkept = 0;
	int rc = -1;

	for (i = 0; i < n && !swapped[i]; i++)
		;
	if (i < n) {
		if ((kept = calloc(n, sizeof(*kept))) == NULL ||
		    (kids = calloc(n, sizeof(*kids))) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (!swapped[i]) {
				kept[nkept] = specs[i];
				kids[nkept++] = ids[i];
			}
		if (write_exports(g, kept, kids, nkept, err) == -1 ||
		    reload(g, nkept, err) == -1)
			goto out;
	}
	rc = write_exports(g, specs, ids, n, err) == -1 ||
		reload(g, n, err) == -1
	    ? -1
	    : 0;
out:
	free(kept);
	free(kids);
	return rc;
}

static int
ganesha_sync(
    void *impl, const struct export_spec *specs, size_t n, struct tnfs_err *err)
{
	struct ganesha *g = impl;
	unsigned *ids = NULL;
	unsigned char *swapped = NULL;
	struct export_dev *devs = NULL;
	struct served *want = NULL;
	const char **uuids = NULL;
	const struct export_dev *was;
	struct tnfs_err berr = {0};
	char *idtext = NULL;
	size_t i;
	int rc = -1;
	struct stat sb;

	pthread_mutex_lock(&g->sync_lock);
	if ((ids = calloc(n + 1, sizeof(*ids))) == NULL ||
	    (swapped = calloc(n + 1, 1)) == NULL ||
	    (devs = calloc(n + 1, sizeof(*devs))) == NULL ||
	    (uuids = calloc(n + 1, sizeof(*uuids))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((ids[i] = ganesha_ids_get(
			 g->ids, specs[i].volume_uuid, err)) == 0)
			goto out;
		uuids[i] = specs[i].volume_uuid;
		memcpy(devs[i].uuid, specs[i].volume_uuid, TNFS_UUID_BUFSZ);
		was = g->ndevs == 0 ? NULL
				    : bsearch(&devs[i], g->devs, g->ndevs,
					  sizeof(*g->devs), cmp_dev);
		/* What was served as it is keeps its filesystem. */
		if (was != NULL && specs[i].unchanged) {
			devs[i].dev = was->dev;
			continue;
		}
		devs[i].dev = stat(specs[i].path, &sb) == 0 ? sb.st_dev : 0;
		swapped[i] = was != NULL && was->dev != devs[i].dev;
	}
	/* Sorted for the next sync's lookups. */
	qsort(devs, n, sizeof(*devs), cmp_dev);
	ganesha_ids_retain(g->ids, uuids, n);
	/* The ids go to disk before an exports file that uses them. */
	if (ganesha_ids_unsaved(g->ids)) {
		if (ganesha_ids_format(g->ids, &idtext, err) == -1 ||
		    fsutil_write_atomic(g->ids_file, idtext, strlen(idtext),
			0600, err) == -1)
			goto out;
		ganesha_ids_saved(g->ids);
	}
	/* The whole file first: it is what a restarted ganesha reads. */
	if ((want = gexp_render(g, specs, ids, swapped, n, err)) == NULL ||
	    gexp_write(g, want, n, err) == -1)
		goto out;
	if (gexp_bus_apply(g, want, n, &berr) == -1) {
		if (g->bus != NULL && g->served_pid != 0)
			log_info("exports: re-reading the whole file: %s",
			    berr.msg);
		if (reload_all(g, specs, ids, swapped, n, err) == -1)
			goto out;
	}
	gexp_served_free(g->served, g->nserved);
	g->served = want;
	g->nserved = n;
	want = NULL;
	pthread_mutex_lock(&g->lock);
	g->served_pid = g->healthy ? g->pid : 0;
	pthread_mutex_unlock(&g->lock);
	free(g->devs);
	g->devs = devs;
	g->ndevs = n;
	devs = NULL;
	rc = 0;
out:
	pthread_mutex_unlock(&g->sync_lock);
	gexp_served_free(want, want != NULL ? n : 0);
	free(ids);
	free(swapped);
	free(devs);
	free(uuids);
	free(idtext);
	return rc;
}

static unsigned long
ganesha_outages(void *impl)
{
	struct ganesha *g = impl;
	unsigned long n;

	pthread_mutex_lock(&g->lock);
	n = g->outages;
	pthread_mutex_unlock(&g->lock);
	return n;
}

static int
ganesha_healthy(void *impl)
{
	struct ganesha *g = impl;
	int h;

	pthread_mutex_lock(&g->lock);
	h = g->healthy;
	pthread_mutex_unlock(&g->lock);
	return h;
}

static void
ganesha_stop(void *impl)
{
	struct ganesha *g = impl;
	pid_t pid;

	if (!g->thread_running)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	g->thread_running = 0;
	pid = g->pid;
	if (pid != 0)
		child_stop(pid, STOP_GRACE_MS);
	pthread_mutex_lock(&g->lock);
	g->pid = 0;
	if (g->healthy)
		g->outages++;
	g->healthy = 0;
	pthread_mutex_unlock(&g->lock);
	pthread_mutex_lock(&g->sync_lock);
	gbus_stop(g->bus);
	pthread_mutex_unlock(&g->sync_lock);
}

static void
ganesha_close(void *impl)
{
	struct ganesha *g = impl;

	if (g == NULL)
		return;
	ganesha_stop(g);
	ganesha_free(g);
}

const struct exporter_ops exporter_ganesha_ops = {
    .kind = "ganesha",
    .shared = 1,
    .open = ganesha_open,
    .start = ganesha_start,
    .sync = ganesha_sync,
    .healthy = ganesha_healthy,
    .outages = ganesha_outages,
    .stop = ganesha_stop,
    .close = ganesha_close,
};
