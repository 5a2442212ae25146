/*
 * vapi_config.h (config.c, config_file.c, config_args.c): the VAPI's
 * configuration: a JSON file (--config) with command line flags laid over
 * it.  Read once at start, then only read.
 */
#ifndef TNFS_VAPI_VAPI_CONFIG_H
#define TNFS_VAPI_VAPI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "uuid.h"

#define VAPI_MAX_NETWORKS 64
#define VAPI_MAX_OWNERS   64
#define VAPI_MAX_SIZES    256
#define VAPI_MAX_TOKENS   256

/* The default listener, which is tritonnfs-plugin's default --vapi. */
#define VAPI_DEFAULT_LISTEN_PATH "/run/tritonnfs/vapi.sock"
#define VAPI_DEFAULT_LISTEN      "unix:" VAPI_DEFAULT_LISTEN_PATH

struct vapi_network {
	char uuid[TNFS_UUID_BUFSZ];
	char name[128];
	char subnet[64];      /* CIDR the export admits, "10.0.0.0/24" */
	char nfs_address[64]; /* where the NFS server binds */
	int nfs_port;         /* where it listens (default 2049) */
	int mount_port;       /* MOUNT protocol port (default 20048) */
	char advertise_address
	    [64]; /* what clients are told (NAT); "" = nfs_address */
	int advertise_nfs_port;   /* 0 = nfs_port */
	int advertise_mount_port; /* 0 = mount_port */
	int fabric;
	int is_default;
	char owner_uuids[VAPI_MAX_OWNERS]
			[TNFS_UUID_BUFSZ]; /* none: any owner */
	size_t nowners;
};

struct vapi_token {
	char sha256[65];                  /* lowercase hex of the token */
	int operator;                     /* 1: sees and may do everything */
	char owner_uuid[TNFS_UUID_BUFSZ]; /* when not operator */
};

/*
 * Whether callers must present a token.  UNSET with no tokens runs open
 * with a loud warning (the quick start); TOKENS with no tokens refuses to
 * start; NONE is the explicit choice to run open (loopback or a Unix
 * socket only).  Set by "auth", --allow-unauthenticated, or (lowest)
 * TRITONNFS_VAPI_AUTH, which packaged units set to "tokens" so that an
 * installation never runs open without saying so.
 */
enum vapi_auth { VAPI_AUTH_UNSET, VAPI_AUTH_TOKENS, VAPI_AUTH_NONE };

struct vapi_config {
	char listen[512];     /* tcp:HOST:PORT or unix:PATH */
	char store[1024];     /* sqlite:PATH */
	char storage[1024];   /* dir:PATH, btrfs:PATH, btrfs-image:FILE,SIZE */
	char exports[1024];   /* none, ganesha, ganesha-ceph:CONF */
	char state_dir[1024]; /* default: beside the store */
	char log_level[16];
	char host_uuid[TNFS_UUID_BUFSZ]; /* "" = generated, kept in the store */
	char default_network_uuid
	    [TNFS_UUID_BUFSZ]; /* for the built-in network */
	int default_mount_port;
	int default_nfs_port;
	uint64_t sizes[VAPI_MAX_SIZES]; /* MiB, ascending */
	size_t nsizes;
	struct vapi_network networks[VAPI_MAX_NETWORKS];
	size_t nnetworks;
	int networks_builtin; /* 1 when networks[0] is the built-in default */
	struct vapi_token tokens[VAPI_MAX_TOKENS];
	size_t ntokens;
	enum vapi_auth auth;
	int ref_lease_s;    /* a reference not renewed for this long is stale */
	int host_ttl_s;     /* a host without a heartbeat this long is dead */
	int host_address_declared; /* 1: trust a declared address (hosts.h) */
	int snapshot_limit; /* per volume */
	int workers;        /* provisioning threads */
	int storage_timeout_s; /* deadline of a synchronous storage call */
	int root_squash;
};

/*
 * Defaults: listen on VAPI_DEFAULT_LISTEN, exports none, sizes 10..100 GiB
 * by 10 then 200..1000 by 100, lease 600 s, hosts alive for 90 s after a
 * heartbeat (three of the plugin's 30 s).
 */
void vapi_config_defaults(struct vapi_config *cfg);

/* Lay a JSON configuration file over cfg.  Unknown keys are errors. */
int config_load_file(
    struct vapi_config *cfg, const char *path, struct tnfs_err *err);

/*
 * Parse argv over cfg (a --config FILE is loaded first, wherever it
 * appears).  Returns 0 to run, 1 when --help or --version was answered, 2
 * for --check-config (check, do not run), -1 with err on a bad flag.
 */
int vapi_config_parse_args(
    struct vapi_config *cfg, int argc, char **argv, struct tnfs_err *err);

/*
 * Check the whole: required settings, and no TCP listener on a non-loopback
 * address without tokens.  Adds the built-in default network when none is
 * configured (its uuid is filled in later, see config_set_default_network).
 */
int config_finish(struct vapi_config *cfg, struct tnfs_err *err);

/* Whether listen names a loopback TCP address or a Unix socket. */
int config_listen_is_local(const char *listen);

const struct vapi_network *config_network(
    const struct vapi_config *cfg, const char *uuid);

/* 1 when owner may use net (owner_uuids empty means everyone). */
int config_network_allows(const struct vapi_network *net, const char *owner);

/* The size list as "10240, 20480" into buf. */
void config_sizes_string(const struct vapi_config *cfg, char *buf, size_t len);

#endif
