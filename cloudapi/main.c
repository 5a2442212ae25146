/*
 * main.c: tritonnfs-cloudapi, Triton's CloudAPI volume and network
 * endpoints in front of the Volume API, for Triton's own `triton` CLI.
 *
 * Start-up: flags, the accounts file, libvapi, the HTTP listener.  Signals
 * are blocked in every thread and taken here with sigwait: SIGHUP reads
 * the accounts file again (a bad file is refused and the accounts in force
 * stay), SIGTERM/SIGINT stop accepting, let requests under way finish and
 * exit 0.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloudapi.h"
#include "http.h"
#include "liveness.h"
#include "log.h"
#include "parse.h"
#include "version.h"

#define PROG          "tritonnfs-cloudapi"
#define STOP_GRACE_MS 30000
/* Start-up ends when the listener answers; it is already bound. */
#define READY_DEADLINE_MS 30000

static const char usage_text[] =
    "usage: " PROG " --listen SPEC --vapi URL --accounts FILE [options]\n"
    "  --listen SPEC          tcp:HOST:PORT or unix:PATH (no default)\n"
    "  --vapi URL             the Volume API: http://, https:// or\n"
    "                         unix:///path (no default)\n"
    "  --accounts FILE        the accounts file; SIGHUP reads it again\n"
    "                         (no default)\n"
    "  --vapi-token TOKEN     an operator token for the VAPI (default: none)\n"
    "  --vapi-timeout SECONDS deadline of each VAPI call (default: 30)\n"
    "  --tls-cert FILE        serve HTTPS with this PEM certificate\n"
    "                         (default: none, plain HTTP)\n"
    "  --tls-key FILE         its PEM key (default: none)\n"
    "  --log-level LEVEL      trace, debug, info, warn, error, fatal\n"
    "                         (default: info, or TNFS_LOG_LEVEL)\n"
    "  --help, --version\n";

/* 0: run; 1: exit 0 (help, version); -1: usage error in err. */
static int
parse_args(struct cloudapi_config *cfg, int argc, char **argv,
    struct tnfs_err *err)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"vapi", required_argument, NULL, 'u'},
	    {"vapi-token", required_argument, NULL, 't'},
	    {"vapi-timeout", required_argument, NULL, 'T'},
	    {"accounts", required_argument, NULL, 'a'},
	    {"tls-cert", required_argument, NULL, 'c'},
	    {"tls-key", required_argument, NULL, 'k'},
	    {"log-level", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	uint64_t secs;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			cfg->listen = optarg;
			break;
		case 'u':
			cfg->vapi_url = optarg;
			break;
		case 't':
			cfg->vapi_token = optarg;
			break;
		case 'T':
			if (tnfs_parse_u64(optarg, 3600, &secs, "--vapi-timeout", err) == -1 ||
			    secs == 0) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "--vapi-timeout: 1 to 3600 seconds");
				return -1;
			}
			cfg->vapi_timeout_ms = (int)secs * 1000;
			break;
		case 'a':
			cfg->accounts_path = optarg;
			break;
		case 'c':
			cfg->tls_cert = optarg;
			break;
		case 'k':
			cfg->tls_key = optarg;
			break;
		case 'L':
			cfg->log_level = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case 'V':
			printf(PROG " %s\n", TNFS_VERSION);
			return 1;
		default:
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown or incomplete option %s\n%s",
			    argv[optind - 1], usage_text);
			return -1;
		}
	}
	if (optind < argc) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "unexpected argument %s\n%s", argv[optind], usage_text);
		return -1;
	}
	if (cfg->listen == NULL || cfg->vapi_url == NULL ||
	    cfg->accounts_path == NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "--listen, --vapi and --accounts are required\n%s",
		    usage_text);
		return -1;
	}
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "--tls-cert and --tls-key go together");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cloudapi ca;
	struct capi_http *srv = NULL;
	struct liveness *lv = NULL;
	/* Any status: every route but the unknown one needs a signature. */
	struct liveness_probe probe = {NULL, "GET", "/--ping", 0, 0};
	struct tnfs_err err;
	sigset_t set;
	int r, sig = 0, status = 1;

	memset(&ca, 0, sizeof(ca));
	tnfs_err_clear(&err);
	log_init(PROG);
	ca.cfg.vapi_timeout_ms = 30000;
	if ((r = parse_args(&ca.cfg, argc, argv, &err)) == 1)
		return 0;
	if (r == -1) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		return 2;
	}
	if (ca.cfg.log_level != NULL &&
	    log_set_level_str(ca.cfg.log_level, &err) == -1) {
		fprintf(stderr, PROG ": --log-level: %s\n", err.msg);
		return 2;
	}
	pthread_mutex_init(&ca.lock, NULL);
	/* Every thread started from here on inherits the blocked set. */
	liveness_block_signals(&set);

	if (vapi_client_global_init(&err) == -1)
		goto fail;
	if ((ca.accounts = accounts_load(ca.cfg.accounts_path, &err)) == NULL)
		goto fail;
	if ((srv = capi_http_start(&ca, &err)) == NULL)
		goto fail;
	log_info("listening on %s%s (VAPI %s, %zu accounts)", ca.cfg.listen,
	    ca.cfg.tls_cert != NULL ? " with TLS" : "", ca.cfg.vapi_url,
	    accounts_count(ca.accounts));
	probe.listen = ca.cfg.listen;
	probe.tls = ca.cfg.tls_cert != NULL;
	if ((lv = liveness_new(&probe)) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	if (liveness_ready(lv, READY_DEADLINE_MS, "serving", &err) == -1)
		goto fail;
	/* The watchdog is pinged from here only: a hung loop stops it. */
	while ((sig = liveness_wait_signal(lv, &set)) == SIGHUP) {
		if (cloudapi_reload(&ca, &err) == -1) {
			log_err(TNFS_LOG_ERROR, &err,
			    "SIGHUP: the accounts file is refused, the accounts "
			    "in force stay: %s",
			    err.msg);
			tnfs_err_clear(&err);
		} else {
			struct accounts *as = cloudapi_accounts(&ca);

			log_info("SIGHUP: %zu accounts loaded from %s",
			    accounts_count(as), ca.cfg.accounts_path);
			accounts_put(as);
		}
	}
	log_info("signal %d: stopping", sig);
	liveness_stopping(lv, "stopping: finishing requests");
	status = 0;
	goto out;
fail:
	log_err(TNFS_LOG_FATAL, &err, "cannot start");
	fprintf(stderr, PROG ": %s\n", err.msg);
out:
	capi_http_stop(srv, STOP_GRACE_MS);
	accounts_put(ca.accounts);
	vapi_client_global_cleanup();
	pthread_mutex_destroy(&ca.lock);
	liveness_free(lv);
	if (status == 0)
		log_info("stopped");
	return status;
}
