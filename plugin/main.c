/*
 * main.c: tritonnfs-plugin, the Docker volume plugin daemon.
 *
 * Start-up order follows docker-volume-plugins.md §5.1 item 7: load the
 * state and reconcile it with the mounts (no network), open the socket
 * (well within dockerd's 2 s expectation), then start the background
 * thread that talks to the VAPI.  SIGTERM stops accepting, lets requests
 * in flight finish, and exits without unmounting (§5.1 item 18).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "plugin_config.h"
#include "hostreg.h"
#include "http.h"
#include "liveness.h"
#include "log.h"
#include "mounts.h"
#include "vapi_client.h"
#include "version.h"
#include "volumes.h"

/* Start-up ends when Plugin.Activate answers on the socket. */
#define READY_DEADLINE_MS 30000

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

/*
 * Answer --help, --version, a bad command line and --check-config: the
 * exit status, or -1 to run.
 */
static int
answer_early(struct plugin_config *cfg, int argc, char *argv[])
{
	struct tnfs_err err;
	enum mount_backend backend;
	struct mounts *m;
	int r;

	tnfs_err_clear(&err);
	r = plugin_config_parse_args(cfg, argc, argv, &err);
	if (r == CONFIG_HELP) {
		fputs(config_usage, stdout);
		return 0;
	}
	if (r == CONFIG_VERSION) {
		printf("tritonnfs-plugin %s\n", TNFS_VERSION);
		return 0;
	}
	if (r == -1) {
		fprintf(stderr, "tritonnfs-plugin: %s\n", err.msg);
		return 2;
	}
	if (r == CONFIG_CHECK) {
		/* A mount backend the host cannot run is a start failure too. */
		mounts_parse_backend(cfg->mount_backend, &backend, NULL);
		if ((m = mounts_new(backend, cfg->fuse_binary, cfg->state_dir,
			 &err)) == NULL) {
			fprintf(stderr, "tritonnfs-plugin: %s\n", err.msg);
			return 2;
		}
		mounts_free(m);
		printf("tritonnfs-plugin: configuration OK (vapi %s, owner %s, "
		       "host %s, socket %s, token %s)\n",
		    cfg->vapi, cfg->owner, cfg->host_uuid, cfg->socket,
		    cfg->token[0] != '\0' ? "set" : "none");
		return 0;
	}
	if (getenv("TNFS_LOG_LEVEL") == NULL &&
	    log_set_level_str(cfg->log_level, &err) == -1) {
		fprintf(stderr, "tritonnfs-plugin: %s\n", err.msg);
		return 2;
	}
	return -1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* The volume layer's settings; strings are borrowed from cfg. */
static void
volumes_config_of(const struct plugin_config *cfg, struct mounts *m,
    struct volumes_config *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->vapi_url = cfg->vapi;
	vc->token = cfg->token[0] ? cfg->token : NULL;
	vc->owner_uuid = cfg->owner;
	vc->host_uuid = cfg->host_uuid;
	vc->state_dir = cfg->state_dir;
	vc->mount_root = cfg->mount_root;
	vc->mounts = m;
	vc->linger_ms = cfg->linger_s * 1000;
	vc->refresh_ms = cfg->refresh_s * 1000;
	vc->list_page = cfg->list_page;
	vc->docker_socket = cfg->docker_socket[0] ? cfg->docker_socket : NULL;
	vc->docker_sync_ms = cfg->docker_sync_s * 1000;
	vc->lease_ms = cfg->lease_s * 1000;
	vc->mount_timeout_ms = cfg->mount_timeout_s * 1000;
	vc->unmount_timeout_ms = cfg->unmount_timeout_s * 1000;
	vc->vapi_timeout_ms = 20000;
	vc->preflight_ms = 3000;
	vc->nfs_timeo_ds = cfg->nfs_timeo_ds;
	vc->nfs_retrans = cfg->nfs_retrans;
}

/* The host registration's settings; strings are borrowed from cfg. */
static void
hostreg_config_of(const struct plugin_config *cfg, struct hostreg_config *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->vapi_url = cfg->vapi;
	hc->token = cfg->token;
	hc->owner_uuid = cfg->owner;
	hc->host_uuid = cfg->host_uuid;
	hc->hostname = cfg->hostname;
	hc->address = cfg->client_address;
	hc->version = TNFS_VERSION;
	hc->heartbeat_ms = cfg->heartbeat_s * 1000;
	/* Short: SIGTERM waits for a heartbeat in flight. */
	hc->timeout_ms = 5000;
}

/*
 * Tell the service manager we are ready once Plugin.Activate answers on
 * the socket, then ping its watchdog until a signal comes.  The mounts
 * were reconciled in volumes_new: READY=1 means dockerd can use the
 * socket now.  Under socket activation the socket systemd passed is the
 * one at cfg->socket (the units say the same path).
 */
static int
serve_until_signal(const struct plugin_config *cfg, struct liveness **lvp,
    struct tnfs_err *err)
{
	struct liveness_probe probe = {
	    NULL, "POST", "/Plugin.Activate", 200, 0};
	char probe_listen[CONFIG_STR_MAX + 8];
	struct liveness *lv;

	snprintf(probe_listen, sizeof(probe_listen), "unix:%s", cfg->socket);
	probe.listen = probe_listen;
	if ((lv = *lvp = liveness_new(&probe)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	if (liveness_ready(lv, READY_DEADLINE_MS, "serving", err) == -1)
		return -1;
	/* The watchdog is pinged from here only: a hung loop stops it. */
	while (!stop_signal) {
		int ms = liveness_wait_ms(lv);
		struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

		if (ms < 0)
			pause();
		else
			nanosleep(&ts, NULL); /* a signal cuts it short */
		if (!stop_signal)
			liveness_tick(lv);
	}
	log_info("signal %d: finishing requests; mounts stay in place",
	    (int)stop_signal);
	liveness_stopping(lv, "stopping: finishing requests; mounts stay");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct plugin_config cfg;
	struct volumes_config vc;
	struct hostreg_config hc;
	struct tnfs_err err;
	struct mounts *m = NULL;
	struct volumes *vs = NULL;
	struct plugin_http *srv = NULL;
	struct hostreg *hr = NULL;
	struct liveness *lv = NULL;
	enum mount_backend backend;
	char fuse_log_dir[CONFIG_STR_MAX + 16];
	sigset_t set, old;
	int rc = 1;

	log_init("tritonnfs-plugin");
	tnfs_err_clear(&err);
	plugin_config_defaults(&cfg);
	if ((rc = answer_early(&cfg, argc, argv)) != -1)
		return rc;
	rc = 1;
#ifdef __GLIBC__
	/*
	 * List's reply is hundreds of KB at 10,000 volumes, made on whichever
	 * server thread answers.  glibc raises its mmap threshold after each
	 * such free, after which the replies come from per-thread arenas that
	 * keep the memory: a fixed threshold hands them back to the kernel,
	 * and few arenas keep small allocations from spreading over many.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 2);
#endif
	install_signals();
	if (vapi_client_global_init(&err) == -1)
		goto fail;
	mounts_parse_backend(cfg.mount_backend, &backend, NULL);
	snprintf(fuse_log_dir, sizeof(fuse_log_dir), "%s", cfg.state_dir);
	if ((m = mounts_new(backend, cfg.fuse_binary, fuse_log_dir, &err)) ==
	    NULL)
		goto fail;
	volumes_config_of(&cfg, m, &vc);
	/* The signal mask of every thread started below blocks TERM/INT. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if ((vs = volumes_new(&vc, &err)) == NULL)
		goto fail;
	hostreg_config_of(&cfg, &hc);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	srv = plugin_http_start(cfg.socket, vs, &err);
	if (srv != NULL && ((hr = hostreg_start(&hc, &err)) == NULL ||
			       volumes_start(vs, &err) == -1)) {
		plugin_http_stop(srv);
		srv = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (srv == NULL)
		goto fail;
	log_msg(TNFS_LOG_INFO, NULL,
	    "tritonnfs-plugin %s serving %s (vapi %s, owner %s, host %s, "
	    "backend %s, mount root %s, linger %ds)",
	    TNFS_VERSION, cfg.socket, cfg.vapi, cfg.owner, cfg.host_uuid,
	    mounts_backend_name(m), cfg.mount_root, cfg.linger_s);
	if (serve_until_signal(&cfg, &lv, &err) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	log_err(TNFS_LOG_FATAL, &err, "cannot start");
	fprintf(stderr, "tritonnfs-plugin: %s\n", err.msg);
out:
	plugin_http_stop(srv);
	hostreg_stop(hr);
	volumes_stop(vs);
	volumes_free(vs);
	mounts_free(m);
	vapi_client_global_cleanup();
	liveness_free(lv);
	return rc;
}
