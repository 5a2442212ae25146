/*
 * main.c: tritonnfs-vapi, the Volume API server.
 *
 * Start-up: configuration (file, then flags), the record store, the host's
 * identity and the built-in network's uuid (kept in the store so they never
 * change), storage, exporter, provisioner (which recovers what a crash
 * interrupted), and last the HTTP listener.  Signals are blocked in every
 * thread and taken here with sigwait: SIGTERM/SIGINT stop accepting, let
 * requests and provisioning steps under way finish, and exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exports.h"
#include "fsutil.h"
#include "http.h"
#include "instances.h"
#include "liveness.h"
#include "log.h"
#include "provision.h"
#include "storage.h"
#include "store.h"
#include "vapi.h"

#define STOP_GRACE_MS 30000
/* Start-up ends when /ping answers; the listener is already bound. */
#define READY_DEADLINE_MS 30000

/* A uuid fixed in the configuration, else the one kept in the store. */
static int
stable_uuid(struct store *st, const char *key, const char *configured,
    char out[TNFS_UUID_BUFSZ], struct tnfs_err *err)
{
	char *val = NULL;
	int rc = -1;

	if (configured[0] != '\0') {
		memcpy(out, configured, TNFS_UUID_BUFSZ);
		return store_meta_set(st, key, configured, err);
	}
	if (store_meta_get(st, key, &val, err) == -1)
		return -1;
	if (val == NULL) {
		/* Another VAPI starting on the same store may add its own
		 * first: whichever is there after the add stands. */
		if (tnfs_uuid_generate(out, err) == -1 ||
		    store_meta_add(st, key, out, err) == -1 ||
		    store_meta_get(st, key, &val, err) == -1)
			return -1;
	}
	if (val != NULL && tnfs_uuid_valid(val)) {
		memcpy(out, val, TNFS_UUID_BUFSZ);
		rc = 0;
	} else if (tnfs_uuid_generate(out, err) == 0) {
		/* Not a uuid (edited by hand): replaced, and said so. */
		log_warn("the stored %s was not a uuid; a new one replaces it",
		    key);
		rc = store_meta_set(st, key, out, err);
	}
	free(val);
	return rc;
}

/* The directory of the Unix socket (/run/tritonnfs is gone after a boot). */
static int
make_socket_dir(const char *path, struct tnfs_err *err)
{
	char dir[512];
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path ||
	    (size_t)(slash - path) >= sizeof(dir))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return fsutil_mkdir_p(dir, 0755, err);
}

static struct exporter *
open_exporter(struct vapi_config *cfg, struct tnfs_err *err)
{
	struct exporter_listen listen[VAPI_MAX_NETWORKS];
	struct exporter_config ec;
	char dir[1100];
	size_t i, j, n = 0;

	/* One listener per distinct address and port pair. */
	for (i = 0; i < cfg->nnetworks; i++) {
		const struct vapi_network *net = &cfg->networks[i];

		for (j = 0; j < n; j++)
			if (strcmp(listen[j].address, net->nfs_address) == 0 &&
			    listen[j].nfs_port == net->nfs_port)
				break;
		if (j < n)
			continue;
		listen[n].address = net->nfs_address;
		listen[n].nfs_port = net->nfs_port;
		listen[n].mount_port = net->mount_port;
		n++;
	}
	snprintf(dir, sizeof(dir), "%s/exports", cfg->state_dir);
	memset(&ec, 0, sizeof(ec));
	ec.state_dir = dir;
	ec.listen = listen;
	ec.nlisten = n;
	ec.root_squash = cfg->root_squash;
	return exporter_open(cfg->exports, &ec, err);
}

/*
 * Without tokens every caller that reaches the listener is the operator.
 * That is the quick start's choice (loopback or a Unix socket only, see
 * config_finish), never a silent one: the log and stderr say it at start.
 */
static void
warn_unauthenticated(const struct vapi_config *cfg)
{
	const char *why = cfg->auth == VAPI_AUTH_NONE
	    ? "authentication is off (\"auth\": \"none\")"
	    : "no tokens are configured";

	if (cfg->ntokens > 0)
		return;
	log_warn("UNAUTHENTICATED: %s: every caller that can connect to %s "
		 "acts as the operator; configure \"tokens\" (see "
		 "tritonnfs-vapi(8))",
	    why, cfg->listen);
	fprintf(stderr,
	    "tritonnfs-vapi: WARNING: %s: every caller that can connect to %s "
	    "acts as the operator\n",
	    why, cfg->listen);
}

/* --check-config's answer; store_shown is the store without a password. */
static void
print_config_ok(const struct vapi_config *cfg, const char *store_shown)
{
	printf("tritonnfs-vapi: configuration OK (listen %s, store %s, "
	       "storage %s, exports %s, %zu network%s, %zu token%s)\n",
	    cfg->listen, store_shown, cfg->storage, cfg->exports,
	    cfg->nnetworks, cfg->nnetworks == 1 ? "" : "s", cfg->ntokens,
	    cfg->ntokens == 1 ? "" : "s");
}

int
main(int argc, char **argv)
{
	static struct vapi_config cfg; /* large; read-only once running */
	struct vapi va;
	struct vapi_http *srv = NULL;
	char store_shown[sizeof(cfg.store)];
	struct liveness *lv = NULL;
	struct liveness_probe probe = {NULL, "GET", "/ping", 200, 0};
	struct tnfs_err err;
	sigset_t set;
	int r, check, sig = 0, status = 1;

	memset(&va, 0, sizeof(va));
	tnfs_err_clear(&err);
	log_init("tritonnfs-vapi");
	vapi_config_defaults(&cfg);
	if ((r = vapi_config_parse_args(&cfg, argc, argv, &err)) == 1)
		return 0;
	check = r == 2;
	if (r == -1 || config_finish(&cfg, &err) == -1) {
		fprintf(stderr, "tritonnfs-vapi: %s\n", err.msg);
		return 2;
	}
	if (log_set_level_str(cfg.log_level, &err) == -1) {
		fprintf(stderr, "tritonnfs-vapi: --log-level: %s\n", err.msg);
		return 2;
	}
	/* What the logs may show of the store: never its password. */
	store_spec_redact(cfg.store, store_shown, sizeof(store_shown));
	if (check) {
		print_config_ok(&cfg, store_shown);
		return 0;
	}
	if (strcmp(cfg.exports, "none") == 0)
		log_warn("exports is none: volumes are not served over NFS; "
			 "set \"exports\": \"ganesha\" to serve them");
	if (strncmp(cfg.listen, "unix:", 5) == 0 &&
	    make_socket_dir(cfg.listen + 5, &err) == -1)
		goto fail;
	/* Every thread started from here on inherits the blocked set. */
	liveness_block_signals(&set);

	va.cfg = &cfg;
	if ((va.store = store_open(cfg.store, &err)) == NULL)
		goto fail;
	if (stable_uuid(
		va.store, "host_uuid", cfg.host_uuid, va.host_uuid, &err) == -1)
		goto fail;
	if (cfg.networks_builtin &&
	    stable_uuid(va.store, "default_network_uuid",
		cfg.default_network_uuid, cfg.networks[0].uuid, &err) == -1)
		goto fail;
	if ((va.inst = instances_start(&va, &err)) == NULL)
		goto fail;
	if ((va.storage = storage_open(cfg.storage, cfg.state_dir, &err)) ==
	    NULL)
		goto fail;
	if ((va.exporter = open_exporter(&cfg, &err)) == NULL)
		goto fail;
	if ((va.prov = provision_start(&va, cfg.workers, &err)) == NULL)
		goto fail;
	if ((srv = vapi_http_start(&va, &err)) == NULL)
		goto fail;
	log_info("listening on %s (store %s, storage %s, exports %s)",
	    cfg.listen, store_shown, cfg.storage, cfg.exports);
	warn_unauthenticated(&cfg);
	probe.listen = cfg.listen;
	if ((lv = liveness_new(&probe)) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	if (liveness_ready(lv, READY_DEADLINE_MS, "serving", &err) == -1)
		goto fail;
	/* The watchdog is pinged from here only: a hung loop stops it. */
	while ((sig = liveness_wait_signal(lv, &set)) == SIGHUP)
		log_info("SIGHUP: the configuration is read at start only; "
			 "restart to change it");
	log_info("signal %d: stopping", sig);
	liveness_stopping(lv, "stopping: finishing requests");
	status = 0;
	goto out;
fail:
	log_err(TNFS_LOG_FATAL, &err, "cannot start");
	fprintf(stderr, "tritonnfs-vapi: %s\n", err.msg);
out:
	vapi_http_stop(srv, STOP_GRACE_MS);
	provision_stop(va.prov);
	instances_stop(va.inst);
	exporter_close(va.exporter);
	storage_close(va.storage);
	store_close(va.store);
	liveness_free(lv);
	if (status == 0)
		log_info("stopped");
	return status;
}
