/*
 * config_args.c: the VAPI's command line.  Flags are laid over the
 * configuration file (--config, read first wherever it stands), which is
 * laid over TRITONNFS_VAPI_AUTH and the defaults.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"
#include "parse.h"
#include "version.h"

static const char usage[] =
    "usage: tritonnfs-vapi [options]\n"
    "\n"
    "The tritonnfs Volume API server (Triton VOLAPI compatible).\n"
    "Flags override the configuration file; see tritonnfs-vapi(8).\n"
    "\n"
    "  --config FILE          JSON configuration (no default)\n"
    "  --check-config         check the configuration, then exit\n"
    "  --listen tcp:HOST:PORT|unix:PATH\n"
    "                         where the API listens\n"
    "                         (default: unix:" VAPI_DEFAULT_LISTEN_PATH ")\n"
    "  --store sqlite:PATH|postgresql:CONNINFO\n"
    "                         the record store (no default: required)\n"
    "  --storage dir:PATH|btrfs:PATH|btrfs-image:FILE,SIZE|\n"
    "            cephfs:CONF[,fs=NAME][,group=GROUP][,client=ID]"
    "[,keyring=FILE]\n"
    "                         where volumes live (no default: required)\n"
    "  --exports none|ganesha|ganesha-ceph:CONF\n"
    "                         NFS exports; none serves nothing over NFS\n"
    "                         (default: none)\n"
    "  --state-dir DIR        exports, images, logs "
    "(default: the store's directory)\n"
    "  --log-level LEVEL      trace, debug, info, warn, error "
    "(default: info)\n"
    "  --ref-lease SECONDS    an unrenewed reference stops counting "
    "(default: 600)\n"
    "  --host-ttl SECONDS     a host without a heartbeat this long is "
    "dead\n"
    "                         (default: 90)\n"
    "  --snapshot-limit N     snapshots per volume (default: 16)\n"
    "  --workers N            provisioning threads (default: 4)\n"
    "  --allow-unauthenticated  no tokens, on purpose: every caller is the\n"
    "                         operator (loopback or Unix socket only)\n"
    "  --help, --version\n";

/* A flag that sets one setting: a string, or an integer from min to max. */
enum flag_kind { FLAG_STR, FLAG_INT };

static const struct flag {
	int val; /* getopt_long's */
	const char *name;
	enum flag_kind kind;
	size_t off;
	size_t size; /* FLAG_STR: the buffer's */
	uint64_t max; /* FLAG_INT */
	int min;      /* FLAG_INT: 0 or 1 */
} flags[] = {
#define FLAG_STR(v, n, f)                                                    \
	{v, n, FLAG_STR, offsetof(struct vapi_config, f),                    \
	    sizeof(((struct vapi_config *)0)->f), 0, 0}
#define FLAG_INT(v, n, f, mn, mx)                                            \
	{v, n, FLAG_INT, offsetof(struct vapi_config, f), 0, mx, mn}
    FLAG_STR('l', "--listen", listen),
    FLAG_STR('s', "--store", store),
    FLAG_STR('S', "--storage", storage),
    FLAG_STR('e', "--exports", exports),
    FLAG_STR('d', "--state-dir", state_dir),
    FLAG_STR('L', "--log-level", log_level),
    FLAG_INT('r', "--ref-lease", ref_lease_s, 0, 86400 * 365),
    FLAG_INT('t', "--host-ttl", host_ttl_s, 1, 86400),
    FLAG_INT('n', "--snapshot-limit", snapshot_limit, 0, 100000),
    FLAG_INT('w', "--workers", workers, 0, 64),
#undef FLAG_STR
#undef FLAG_INT
};

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"listen", required_argument, NULL, 'l'},
    {"store", required_argument, NULL, 's'},
    {"storage", required_argument, NULL, 'S'},
    {"exports", required_argument, NULL, 'e'},
    {"state-dir", required_argument, NULL, 'd'},
    {"log-level", required_argument, NULL, 'L'},
    {"ref-lease", required_argument, NULL, 'r'},
    {"host-ttl", required_argument, NULL, 't'},
    {"snapshot-limit", required_argument, NULL, 'n'},
    {"workers", required_argument, NULL, 'w'},
    {"check-config", no_argument, NULL, 'C'},
    {"allow-unauthenticated", no_argument, NULL, 'A'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Lay the flag that getopt_long returned as val over cfg. */
static int
set_flag(struct vapi_config *cfg, int val, const char *arg,
    struct tnfs_err *err)
{
	const struct flag *f = NULL;
	uint64_t u;
	size_t i;

	if (val == 'A') {
		cfg->auth = VAPI_AUTH_NONE;
		return 0;
	}
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]) && f == NULL; i++)
		if (flags[i].val == val)
			f = &flags[i];
	if (f == NULL)
		return 0;
	if (f->kind == FLAG_STR)
		return config_copy_str(
		    (char *)cfg + f->off, f->size, arg, f->name, err);
	if (tnfs_parse_u64(arg, f->max, &u, f->name, err) == -1)
		return -1;
	if (u < (uint64_t)f->min) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "%s must be at least %d",
		    f->name, f->min);
		return -1;
	}
	*(int *)((char *)cfg + f->off) = (int)u;
	return 0;
}

/*
 * One pass over argv.  The first (pass 0) answers --help and --version
 * (returning 1) and finds --config and --check-config; the second lays
 * the other flags over cfg.  0 to go on, -1 with err.
 */
static int
scan_args(struct vapi_config *cfg, int argc, char **argv, int pass,
    const char **file, int *check, struct tnfs_err *err)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown flag or missing value: %s (try --help)",
			    argv[optind - 1]);
			return -1;
		}
		if (pass == 1) {
			if (set_flag(cfg, c, optarg, err) == -1)
				return -1;
			continue;
		}
		if (c == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (c == 'V') {
			printf("tritonnfs-vapi %s\n", TNFS_VERSION);
			return 1;
		}
		if (c == 'c')
			*file = optarg;
		if (c == 'C')
			*check = 1;
	}
	if (optind < argc) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "unexpected argument: %s (try --help)", argv[optind]);
		return -1;
	}
	return 0;
}

int
vapi_config_parse_args(
    struct vapi_config *cfg, int argc, char **argv, struct tnfs_err *err)
{
	const char *file = NULL, *env;
	int r, check = 0;

	/* The environment is the lowest layer, under the file and flags. */
	if ((env = getenv("TRITONNFS_VAPI_AUTH")) != NULL && env[0] != '\0' &&
	    config_set_auth(cfg, env, "TRITONNFS_VAPI_AUTH", err) == -1)
		return -1;
	/*
	 * Two passes: the file first, so every flag overrides it wherever
	 * the flag stands on the line.
	 */
	if ((r = scan_args(cfg, argc, argv, 0, &file, &check, err)) != 0)
		return r;
	if (file != NULL && config_load_file(cfg, file, err) == -1)
		return -1;
	if (scan_args(cfg, argc, argv, 1, &file, &check, err) == -1)
		return -1;
	return check ? 2 : 0;
}
