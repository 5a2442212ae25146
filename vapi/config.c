/*
 * config.c: defaults, the JSON configuration file and the command line.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vapi_config.h"
#include "fsutil.h"
#include "jsonx.h"
#include "log.h"
#include "parse.h"
#include "version.h"

#define CONFIG_FILE_MAX (1024 * 1024)

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

static int
set_auth(struct vapi_config *cfg, const char *mode, const char *what,
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

static int
copy_str(char *dst, size_t len, const char *src, const char *what,
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

static int
get_int(json_object *obj, const char *key, int min, int max, int *out,
    const char *ctx, struct tnfs_err *err)
{
	int64_t v;

	if (jsonx_get_int64(obj, key, &v) == -1 || v < min || v > max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s%s must be an integer from %d to %d", ctx, key, min,
		    max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
valid_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static int
valid_cidr(const char *s)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	uint64_t bits;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return 0;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (!valid_ipv4(buf))
		return 0;
	return tnfs_parse_u64(slash + 1, 32, &bits, "prefix", NULL) == 0;
}

static int
load_network(struct vapi_network *net, json_object *o, size_t idx,
    const struct vapi_config *cfg, struct tnfs_err *err)
{
	static const char *const keys[] = {"uuid", "name", "subnet",
	    "nfs_address", "nfs_port", "mount_port", "advertise_address",
	    "advertise_nfs_port", "advertise_mount_port", "fabric",
	    "owner_uuids", "default", NULL};
	json_object *owners;
	char ctx[64];
	size_t i;
	int b;

	snprintf(ctx, sizeof(ctx), "networks[%zu].", idx);
	if (!json_object_is_type(o, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "networks[%zu] must be an object", idx);
		return -1;
	}
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL) {
			tnfs_err_set(err, TNFS_E_VALIDATION, "unknown key %s%s",
			    ctx, key);
			return -1;
		}
	}
	memset(net, 0, sizeof(*net));
	net->fabric = 1;
	net->nfs_port = cfg->default_nfs_port;
	net->mount_port = cfg->default_mount_port;
	if (copy_str(net->uuid, sizeof(net->uuid), jsonx_get_str(o, "uuid"),
		"networks[].uuid", err) == -1)
		return -1;
	if (!tnfs_uuid_valid(net->uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%suuid: %s is not a lowercase UUID", ctx, net->uuid);
		return -1;
	}
	if (copy_str(net->name, sizeof(net->name), jsonx_get_str(o, "name"),
		"networks[].name", err) == -1)
		return -1;
	if (copy_str(net->subnet, sizeof(net->subnet),
		jsonx_get_str(o, "subnet"), "networks[].subnet", err) == -1)
		return -1;
	if (!valid_cidr(net->subnet)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%ssubnet: %s is not an IPv4 CIDR such as 10.0.0.0/24", ctx,
		    net->subnet);
		return -1;
	}
	if (copy_str(net->nfs_address, sizeof(net->nfs_address),
		jsonx_get_str(o, "nfs_address"), "networks[].nfs_address",
		err) == -1)
		return -1;
	if (!valid_ipv4(net->nfs_address)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%snfs_address: %s is not an IPv4 address", ctx,
		    net->nfs_address);
		return -1;
	}
	if (json_object_object_get_ex(o, "advertise_address", NULL)) {
		if (copy_str(net->advertise_address,
			sizeof(net->advertise_address),
			jsonx_get_str(o, "advertise_address"),
			"networks[].advertise_address", err) == -1)
			return -1;
	}
	if (json_object_object_get_ex(o, "nfs_port", NULL) &&
	    get_int(o, "nfs_port", 1, 65535, &net->nfs_port, ctx, err) == -1)
		return -1;
	if (json_object_object_get_ex(o, "mount_port", NULL) &&
	    get_int(o, "mount_port", 1, 65535, &net->mount_port, ctx, err) ==
		-1)
		return -1;
	if (json_object_object_get_ex(o, "advertise_nfs_port", NULL) &&
	    get_int(o, "advertise_nfs_port", 1, 65535, &net->advertise_nfs_port,
		ctx, err) == -1)
		return -1;
	if (json_object_object_get_ex(o, "advertise_mount_port", NULL) &&
	    get_int(o, "advertise_mount_port", 1, 65535,
		&net->advertise_mount_port, ctx, err) == -1)
		return -1;
	if (json_object_object_get_ex(o, "fabric", NULL)) {
		if (jsonx_get_bool(o, "fabric", &b) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%sfabric must be a boolean", ctx);
			return -1;
		}
		net->fabric = b;
	}
	if (json_object_object_get_ex(o, "default", NULL)) {
		if (jsonx_get_bool(o, "default", &b) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%sdefault must be a boolean", ctx);
			return -1;
		}
		net->is_default = b;
	}
	if (json_object_object_get_ex(o, "owner_uuids", &owners)) {
		size_t n;

		if (!json_object_is_type(owners, json_type_array) ||
		    (n = json_object_array_length(owners)) > VAPI_MAX_OWNERS) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%sowner_uuids must be an array of at most %d "
			    "UUIDs",
			    ctx, VAPI_MAX_OWNERS);
			return -1;
		}
		for (i = 0; i < n; i++) {
			const char *s = json_object_get_string(
			    json_object_array_get_idx(owners, i));

			if (!json_object_is_type(
				json_object_array_get_idx(owners, i),
				json_type_string) ||
			    !tnfs_uuid_valid(s)) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "%sowner_uuids[%zu] is not a UUID", ctx, i);
				return -1;
			}
			memcpy(net->owner_uuids[i], s, TNFS_UUID_BUFSZ);
		}
		net->nowners = n;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
load_sizes(struct vapi_config *cfg, json_object *arr, struct tnfs_err *err)
{
	size_t i, n;

	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 || n > VAPI_MAX_SIZES) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "sizes must be a non-empty array of at most %d sizes in "
		    "MiB",
		    VAPI_MAX_SIZES);
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		int64_t v;

		if (!json_object_is_type(e, json_type_int) ||
		    (v = json_object_get_int64(e)) <= 0 ||
		    (uint64_t)v > TNFS_SIZE_MAX_MIB) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "sizes[%zu] must be a positive integer (MiB)", i);
			return -1;
		}
		cfg->sizes[i] = (uint64_t)v;
	}
	cfg->nsizes = n;
	qsort(cfg->sizes, n, sizeof(cfg->sizes[0]), cmp_u64);
	for (i = 1; i < n; i++) {
		if (cfg->sizes[i] == cfg->sizes[i - 1]) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "sizes lists %llu twice",
			    (unsigned long long)cfg->sizes[i]);
			return -1;
		}
	}
	return 0;
}

static int
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static int
load_tokens(struct vapi_config *cfg, json_object *arr, struct tnfs_err *err)
{
	size_t i, n;

	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > VAPI_MAX_TOKENS) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "tokens must be an array of at most %d entries",
		    VAPI_MAX_TOKENS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct vapi_token *t = &cfg->tokens[i];
		const char *h = jsonx_get_str(e, "sha256");
		const char *role = jsonx_get_str(e, "role");
		const char *owner = jsonx_get_str(e, "owner_uuid");

		memset(t, 0, sizeof(*t));
		if (h == NULL || !is_hex64(h)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "tokens[%zu].sha256 must be 64 lowercase hex "
			    "digits "
			    "(sha256sum of the token)",
			    i);
			return -1;
		}
		memcpy(t->sha256, h, 65);
		if (role != NULL && strcmp(role, "operator") == 0 &&
		    owner == NULL) {
			t->operator= 1;
		} else if ((role == NULL || strcmp(role, "owner") == 0) &&
		    owner != NULL && tnfs_uuid_valid(owner)) {
			memcpy(t->owner_uuid, owner, TNFS_UUID_BUFSZ);
		} else {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "tokens[%zu] needs either \"role\":\"operator\" or "
			    "an \"owner_uuid\"",
			    i);
			return -1;
		}
	}
	cfg->ntokens = n;
	return 0;
}

static int
load_json(struct vapi_config *cfg, json_object *root, struct tnfs_err *err)
{
	static const char *const strs[] = {"listen", "store", "storage",
	    "exports", "state_dir", "log_level", "host_uuid",
	    "default_network_uuid", NULL};
	char *dsts[] = {cfg->listen, cfg->store, cfg->storage, cfg->exports,
	    cfg->state_dir, cfg->log_level, cfg->host_uuid,
	    cfg->default_network_uuid};
	size_t lens[] = {sizeof(cfg->listen), sizeof(cfg->store),
	    sizeof(cfg->storage), sizeof(cfg->exports), sizeof(cfg->state_dir),
	    sizeof(cfg->log_level), sizeof(cfg->host_uuid),
	    sizeof(cfg->default_network_uuid)};
	json_object *v;
	size_t i;
	int b;

	if (!json_object_is_type(root, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the configuration must be a JSON object");
		return -1;
	}
	json_object_object_foreach(root, key, val)
	{
		for (i = 0; strs[i] != NULL; i++)
			if (strcmp(strs[i], key) == 0)
				break;
		if (strs[i] != NULL) {
			if (copy_str(dsts[i], lens[i],
				json_object_is_type(val, json_type_string)
				    ? json_object_get_string(val)
				    : NULL,
				key, err) == -1)
				return -1;
			continue;
		}
		if (strcmp(key, "sizes") == 0) {
			if (load_sizes(cfg, val, err) == -1)
				return -1;
		} else if (strcmp(key, "tokens") == 0) {
			if (load_tokens(cfg, val, err) == -1)
				return -1;
		} else if (strcmp(key, "auth") == 0) {
			if (set_auth(cfg,
				json_object_is_type(val, json_type_string)
				    ? json_object_get_string(val)
				    : NULL,
				"auth", err) == -1)
				return -1;
		} else if (strcmp(key, "ref_lease_seconds") == 0) {
			if (get_int(root, key, 1, 86400 * 365,
				&cfg->ref_lease_s, "", err) == -1)
				return -1;
		} else if (strcmp(key, "host_ttl_seconds") == 0) {
			if (get_int(root, key, 1, 86400, &cfg->host_ttl_s, "",
				err) == -1)
				return -1;
		} else if (strcmp(key, "host_address") == 0) {
			const char *m = json_object_is_type(val, json_type_string)
			    ? json_object_get_string(val)
			    : "";

			if (strcmp(m, "peer") != 0 && strcmp(m, "declared") != 0) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "host_address must be \"peer\" or "
				    "\"declared\"");
				return -1;
			}
			cfg->host_address_declared = m[0] == 'd';
		} else if (strcmp(key, "snapshot_limit") == 0) {
			if (get_int(root, key, 0, 100000, &cfg->snapshot_limit,
				"", err) == -1)
				return -1;
		} else if (strcmp(key, "workers") == 0) {
			if (get_int(root, key, 1, 64, &cfg->workers, "", err) ==
			    -1)
				return -1;
		} else if (strcmp(key, "storage_timeout_seconds") == 0) {
			if (get_int(root, key, 1, 86400,
				&cfg->storage_timeout_s, "", err) == -1)
				return -1;
		} else if (strcmp(key, "nfs_port") == 0) {
			if (get_int(root, key, 1, 65535, &cfg->default_nfs_port,
				"", err) == -1)
				return -1;
		} else if (strcmp(key, "mount_port") == 0) {
			if (get_int(root, key, 1, 65535,
				&cfg->default_mount_port, "", err) == -1)
				return -1;
		} else if (strcmp(key, "root_squash") == 0) {
			if (jsonx_get_bool(root, key, &b) == -1) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "root_squash must be a boolean");
				return -1;
			}
			cfg->root_squash = b;
		} else if (strcmp(key, "networks") != 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown configuration key %s", key);
			return -1;
		}
	}
	/* Networks last: their port defaults come from the top level. */
	if (json_object_object_get_ex(root, "networks", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array) ||
		    (n = json_object_array_length(v)) > VAPI_MAX_NETWORKS) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "networks must be an array of at most %d networks",
			    VAPI_MAX_NETWORKS);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (load_network(&cfg->networks[i],
				json_object_array_get_idx(v, i), i, cfg,
				err) == -1)
				return -1;
		cfg->nnetworks = n;
	}
	return 0;
}

int
config_load_file(
    struct vapi_config *cfg, const char *path, struct tnfs_err *err)
{
	json_object *root = NULL;
	char *text = NULL;
	size_t len;
	int rc = -1;

	if (fsutil_read_file(path, CONFIG_FILE_MAX, &text, &len, err) == -1)
		goto out;
	if ((root = jsonx_parse(text, len, 16, err)) == NULL) {
		/* The JSON value null parses to NULL without an error. */
		if (!tnfs_err_isset(err))
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "the configuration must be a JSON object");
		goto out;
	}
	if (load_json(cfg, root, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		tnfs_err_prefix(err, "%s", path);
	json_object_put(root);
	free(text);
	return rc;
}

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

static int
flag_int(const char *text, uint64_t max, int *out, const char *what,
    struct tnfs_err *err)
{
	uint64_t u;

	if (tnfs_parse_u64(text, max, &u, what, err) == -1)
		return -1;
	*out = (int)u;
	return 0;
}

int
vapi_config_parse_args(
    struct vapi_config *cfg, int argc, char **argv, struct tnfs_err *err)
{
	static const struct option opts[] = {
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
	const char *file = NULL, *env;
	int c, pass, check = 0;

	/* The environment is the lowest layer, under the file and flags. */
	if ((env = getenv("TRITONNFS_VAPI_AUTH")) != NULL && env[0] != '\0' &&
	    set_auth(cfg, env, "TRITONNFS_VAPI_AUTH", err) == -1)
		return -1;

	/*
	 * Two passes: the file first, so every flag overrides it wherever
	 * the flag stands on the line.
	 */
	for (pass = 0; pass < 2; pass++) {
		optind = 1;
		opterr = 0;
		while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
			int r = 0;

			if (c == '?' || c == ':') {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "unknown flag or missing value: %s "
				    "(try --help)",
				    argv[optind - 1]);
				return -1;
			}
			if (pass == 0) {
				if (c == 'h') {
					fputs(usage, stdout);
					return 1;
				}
				if (c == 'V') {
					printf("tritonnfs-vapi %s\n",
					    TNFS_VERSION);
					return 1;
				}
				if (c == 'c')
					file = optarg;
				if (c == 'C')
					check = 1;
				continue;
			}
			switch (c) {
			case 'l':
				r = copy_str(cfg->listen, sizeof(cfg->listen),
				    optarg, "--listen", err);
				break;
			case 's':
				r = copy_str(cfg->store, sizeof(cfg->store),
				    optarg, "--store", err);
				break;
			case 'S':
				r = copy_str(cfg->storage, sizeof(cfg->storage),
				    optarg, "--storage", err);
				break;
			case 'e':
				r = copy_str(cfg->exports, sizeof(cfg->exports),
				    optarg, "--exports", err);
				break;
			case 'd':
				r = copy_str(cfg->state_dir,
				    sizeof(cfg->state_dir), optarg,
				    "--state-dir", err);
				break;
			case 'L':
				r = copy_str(cfg->log_level,
				    sizeof(cfg->log_level), optarg,
				    "--log-level", err);
				break;
			case 'r':
				r = flag_int(optarg, 86400 * 365,
				    &cfg->ref_lease_s, "--ref-lease", err);
				break;
			case 't':
				r = flag_int(optarg, 86400, &cfg->host_ttl_s,
				    "--host-ttl", err);
				if (r == 0 && cfg->host_ttl_s == 0) {
					tnfs_err_set(err, TNFS_E_VALIDATION,
					    "--host-ttl must be at least 1");
					r = -1;
				}
				break;
			case 'n':
				r = flag_int(optarg, 100000,
				    &cfg->snapshot_limit, "--snapshot-limit",
				    err);
				break;
			case 'w':
				r = flag_int(optarg, 64, &cfg->workers,
				    "--workers", err);
				break;
			case 'A':
				cfg->auth = VAPI_AUTH_NONE;
				break;
			default:
				break;
			}
			if (r == -1)
				return -1;
		}
		if (optind < argc) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unexpected argument: %s (try --help)",
			    argv[optind]);
			return -1;
		}
		if (pass == 0 && file != NULL &&
		    config_load_file(cfg, file, err) == -1)
			return -1;
	}
	return check ? 2 : 0;
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
	return valid_ipv4(buf) && strncmp(buf, "127.", 4) == 0;
}

int
config_finish(struct vapi_config *cfg, struct tnfs_err *err)
{
	size_t i, ndefault = 0;
	int is_sqlite;

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
	is_sqlite = strncmp(cfg->store, "sqlite:", 7) == 0;
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
	if (cfg->state_dir[0] == '\0') {
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
	for (i = 0; i < cfg->nnetworks; i++) {
		size_t j;

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
	if (cfg->nnetworks == 0) {
		/* The built-in network: the loopback net, any owner. */
		struct vapi_network *net = &cfg->networks[0];

		memset(net, 0, sizeof(*net));
		memcpy(net->uuid, cfg->default_network_uuid, TNFS_UUID_BUFSZ);
		snprintf(net->name, sizeof(net->name), "default");
		snprintf(net->subnet, sizeof(net->subnet), "127.0.0.0/8");
		snprintf(
		    net->nfs_address, sizeof(net->nfs_address), "127.0.0.1");
		net->nfs_port = cfg->default_nfs_port;
		net->mount_port = cfg->default_mount_port;
		net->fabric = 1;
		net->is_default = 1;
		cfg->nnetworks = 1;
		cfg->networks_builtin = 1;
	}
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
