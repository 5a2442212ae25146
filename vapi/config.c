/*
 * config.c: the VAPI's configuration: the defaults, the checks of the
 * whole once the file (config_file.c) and the command line
 * (config_args.c) are laid over them, and the lookups the server makes
 * while it runs.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"
#include "parse.h"

void
vapi_config_defaults(struct vapi_config *cfg)
{
	uint64_t g;

	memset(cfg, 0, sizeof(*cfg));
	/* Where tritonnfs-plugin looks by default: a one-host setup needs
	 * neither side told where the other is. */
	snprintf(cfg->listen, sizeof(cfg->listen), "%s", VAPI_DEFAULT_LISTEN);
	snprintf(cfg->exports, sizeof(cfg->exports), "none");
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
	for (g = 10; g <= 100; g += 10)
		cfg->sizes[cfg->nsizes++] = g * 1024;
	for (g = 200; g <= 1000; g += 100)
		cfg->sizes[cfg->nsizes++] = g * 1024;
	cfg->ref_lease_s = 600;
	cfg->host_ttl_s = 90;
	cfg->snapshot_limit = 16;
	cfg->workers = 4;
	cfg->storage_timeout_s = 120;
	cfg->default_nfs_port = 2049;
	cfg->default_mount_port = 20048;
}

int
config_set_auth(struct vapi_config *cfg, const char *mode, const char *what,
    struct tnfs_err *err)
{
	if (mode != NULL && strcmp(mode, "tokens") == 0)
		cfg->auth = VAPI_AUTH_TOKENS;
	else if (mode != NULL && strcmp(mode, "none") == 0)
		cfg->auth = VAPI_AUTH_NONE;
	else {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s must be \"tokens\" or \"none\"", what);
		return -1;
	}
	return 0;
}

int
config_copy_str(char *dst, size_t len, const char *src, const char *what,
    struct tnfs_err *err)
{
	if (src == NULL) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "%s must be a string", what);
		return -1;
	}
	if (strlen(src) >= len) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s is too long (at most %zu bytes)", what, len - 1);
		return -1;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int
config_valid_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

int
config_listen_is_local(const char *listen)
{
	const char *host, *colon;
	char buf[256];

	if (strncmp(listen, "unix:", 5) == 0)
		return 1;
	if (strncmp(listen, "tcp:", 4) != 0)
		return 0;
	host = listen + 4;
	if ((colon = strrchr(host, ':')) == NULL ||
	    (size_t)(colon - host) >= sizeof(buf))
		return 0;
	memcpy(buf, host, (size_t)(colon - host));
	buf[colon - host] = '\0';
	/* Numeric only: "127.0.0.1.example" is somebody else's name. */
	if (strcmp(buf, "localhost") == 0 || strcmp(buf, "[::1]") == 0 ||
	    strcmp(buf, "::1") == 0)
		return 1;
	return config_valid_ipv4(buf) && strncmp(buf, "127.", 4) == 0;
}

/* The settings without which the server cannot start; listen's form. */
static int
check_required(const struct vapi_config *cfg, struct tnfs_err *err)
{
	if (cfg->listen[0] == '\0' || cfg->store[0] == '\0' ||
	    cfg->storage[0] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "--store and --storage are required (on the "
		    "command line or in the --config file)");
		return -1;
	}
	if (strncmp(cfg->listen, "tcp:", 4) != 0 &&
	    strncmp(cfg->listen, "unix:", 5) != 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "listen %s: expected tcp:HOST:PORT or unix:PATH",
		    cfg->listen);
		return -1;
	}
	return 0;
}

/* The store's spec, and a state_dir where the store has no directory. */
static int
check_store(const struct vapi_config *cfg, struct tnfs_err *err)
{
	int is_sqlite = strncmp(cfg->store, "sqlite:", 7) == 0;

	if ((!is_sqlite || cfg->store[7] == '\0') &&
	    (strncmp(cfg->store, "postgresql:", 11) != 0 ||
		cfg->store[11] == '\0')) {
		/* Not repeated: a connection string may hold a password. */
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "store %.*s: expected sqlite:PATH or postgresql:CONNINFO",
		    (int)strcspn(cfg->store, ":"), cfg->store);
		return -1;
	}
	if (!is_sqlite && cfg->state_dir[0] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "--state-dir (\"state_dir\") is required with a "
		    "postgresql store: it has no directory of its own");
		return -1;
	}
	return 0;
}

/* Tokens and auth agree, and only a local listener runs without tokens. */
static int
check_auth(const struct vapi_config *cfg, struct tnfs_err *err)
{
	if (cfg->auth == VAPI_AUTH_TOKENS && cfg->ntokens == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "authentication is required (\"auth\": \"tokens\") but no "
		    "tokens are configured: add \"tokens\", or set \"auth\": "
		    "\"none\" (--allow-unauthenticated) to make every caller "
		    "the operator");
		return -1;
	}
	if (cfg->auth == VAPI_AUTH_NONE && cfg->ntokens > 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "\"auth\": \"none\" (--allow-unauthenticated) with tokens "
		    "configured: remove one or the other");
		return -1;
	}
	if (!config_listen_is_local(cfg->listen) && cfg->ntokens == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "refusing to listen on %s without tokens: a TCP listener "
		    "on a non-loopback address needs \"tokens\" in the "
		    "configuration",
		    cfg->listen);
		return -1;
	}
	return 0;
}

/* Networks: unique uuids and names, at most one default. */
static int
check_networks(const struct vapi_config *cfg, struct tnfs_err *err)
{
	size_t i, j, ndefault = 0;

	for (i = 0; i < cfg->nnetworks; i++) {
		ndefault += cfg->networks[i].is_default != 0;
		for (j = 0; j < i; j++) {
			if (strcmp(cfg->networks[i].uuid,
				cfg->networks[j].uuid) == 0 ||
			    strcmp(cfg->networks[i].name,
				cfg->networks[j].name) == 0) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "networks[%zu] repeats the uuid or name of "
				    "networks[%zu]",
				    i, j);
				return -1;
			}
		}
	}
	if (ndefault > 1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "at most one network may be the default");
		return -1;
	}
	return 0;
}

/* The built-in network when none is configured: loopback, any owner. */
static void
add_builtin_network(struct vapi_config *cfg)
{
	struct vapi_network *net = &cfg->networks[0];

	memset(net, 0, sizeof(*net));
	memcpy(net->uuid, cfg->default_network_uuid, TNFS_UUID_BUFSZ);
	snprintf(net->name, sizeof(net->name), "default");
	snprintf(net->subnet, sizeof(net->subnet), "127.0.0.0/8");
	snprintf(net->nfs_address, sizeof(net->nfs_address), "127.0.0.1");
	net->nfs_port = cfg->default_nfs_port;
	net->mount_port = cfg->default_mount_port;
	net->fabric = 1;
	net->is_default = 1;
	cfg->nnetworks = 1;
	cfg->networks_builtin = 1;
}

/* The directory of an sqlite store's file, the default state_dir. */
static void
default_state_dir(struct vapi_config *cfg)
{
	const char *path = cfg->store + 7;
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), ".");
	else if (slash == path)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "/");
	else
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%.*s",
		    (int)(slash - path), path);
}

int
config_finish(struct vapi_config *cfg, struct tnfs_err *err)
{
	if (check_required(cfg, err) == -1 || check_auth(cfg, err) == -1 ||
	    check_store(cfg, err) == -1)
		return -1;
	if (cfg->host_uuid[0] != '\0' && !tnfs_uuid_valid(cfg->host_uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "host_uuid %s is not a lowercase UUID", cfg->host_uuid);
		return -1;
	}
	if (cfg->default_network_uuid[0] != '\0' &&
	    !tnfs_uuid_valid(cfg->default_network_uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "default_network_uuid %s is not a lowercase UUID",
		    cfg->default_network_uuid);
		return -1;
	}
	if (cfg->state_dir[0] == '\0')
		default_state_dir(cfg);
	if (check_networks(cfg, err) == -1)
		return -1;
	if (cfg->nnetworks == 0)
		add_builtin_network(cfg);
	return 0;
}

const struct vapi_network *
config_network(const struct vapi_config *cfg, const char *uuid)
{
	size_t i;

	for (i = 0; i < cfg->nnetworks; i++)
		if (strcmp(cfg->networks[i].uuid, uuid) == 0)
			return &cfg->networks[i];
	return NULL;
}

int
config_network_allows(const struct vapi_network *net, const char *owner)
{
	size_t i;

	if (net->nowners == 0)
		return 1;
	for (i = 0; i < net->nowners; i++)
		if (strcmp(net->owner_uuids[i], owner) == 0)
			return 1;
	return 0;
}

void
config_sizes_string(const struct vapi_config *cfg, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < cfg->nsizes && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%llu", i ? ", " : "",
		    (unsigned long long)cfg->sizes[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}
