/*
 * config_file.c: the VAPI's JSON configuration file (--config), laid over
 * the defaults.  Every key is checked here, alone; config_finish checks
 * the whole once the command line is laid over it too.  Unknown keys are
 * errors, so a misspelt setting never runs silently with its default.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"
#include "fsutil.h"
#include "jsonx.h"
#include "parse.h"

#define CONFIG_FILE_MAX (1024 * 1024)

/* An integer setting: its key, its bounds, where it goes. */
struct int_key {
	const char *key;
	int min, max;
	size_t off;
};

/* A boolean setting of a network. */
struct bool_key {
	const char *key;
	size_t off;
};

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
valid_cidr(const char *s)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	uint64_t bits;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return 0;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (!config_valid_ipv4(buf))
		return 0;
	return tnfs_parse_u64(slash + 1, 32, &bits, "prefix", NULL) == 0;
}

/* "unknown key CTXKEY" for the first key of o that keys does not list. */
static int
check_keys(json_object *o, const char *const *keys, const char *ctx,
    struct tnfs_err *err)
{
	size_t i;

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
	return 0;
}

/* The optional integer and boolean keys of a network. */
static int
load_network_numbers(struct vapi_network *net, json_object *o,
    const char *ctx, struct tnfs_err *err)
{
	static const struct int_key ports[] = {
	    {"nfs_port", 1, 65535, offsetof(struct vapi_network, nfs_port)},
	    {"mount_port", 1, 65535, offsetof(struct vapi_network, mount_port)},
	    {"advertise_nfs_port", 1, 65535,
		offsetof(struct vapi_network, advertise_nfs_port)},
	    {"advertise_mount_port", 1, 65535,
		offsetof(struct vapi_network, advertise_mount_port)},
	};
	static const struct bool_key flags[] = {
	    {"fabric", offsetof(struct vapi_network, fabric)},
	    {"default", offsetof(struct vapi_network, is_default)},
	};
	size_t i;
	int b;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (json_object_object_get_ex(o, ports[i].key, NULL) &&
		    get_int(o, ports[i].key, ports[i].min, ports[i].max,
			(int *)((char *)net + ports[i].off), ctx, err) == -1)
			return -1;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!json_object_object_get_ex(o, flags[i].key, NULL))
			continue;
		if (jsonx_get_bool(o, flags[i].key, &b) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s%s must be a boolean", ctx, flags[i].key);
			return -1;
		}
		*(int *)((char *)net + flags[i].off) = b;
	}
	return 0;
}

/* A network's owner_uuids, when it has them (none: any owner). */
static int
load_network_owners(struct vapi_network *net, json_object *o,
    const char *ctx, struct tnfs_err *err)
{
	json_object *owners, *e;
	size_t i, n;

	if (!json_object_object_get_ex(o, "owner_uuids", &owners))
		return 0;
	if (!json_object_is_type(owners, json_type_array) ||
	    (n = json_object_array_length(owners)) > VAPI_MAX_OWNERS) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%sowner_uuids must be an array of at most %d UUIDs", ctx,
		    VAPI_MAX_OWNERS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(owners, i);
		if (!json_object_is_type(e, json_type_string) ||
		    !tnfs_uuid_valid(json_object_get_string(e))) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%sowner_uuids[%zu] is not a UUID", ctx, i);
			return -1;
		}
		memcpy(net->owner_uuids[i], json_object_get_string(e),
		    TNFS_UUID_BUFSZ);
	}
	net->nowners = n;
	return 0;
}

/* A string key of a network into dst[len]: "networks[].KEY" in errors. */
static int
net_str(json_object *o, const char *key, char *dst, size_t len,
    struct tnfs_err *err)
{
	char what[64];

	snprintf(what, sizeof(what), "networks[].%s", key);
	return config_copy_str(dst, len, jsonx_get_str(o, key), what, err);
}

static int
load_network(struct vapi_network *net, json_object *o, size_t idx,
    const struct vapi_config *cfg, struct tnfs_err *err)
{
	static const char *const keys[] = {"uuid", "name", "subnet",
	    "nfs_address", "nfs_port", "mount_port", "advertise_address",
	    "advertise_nfs_port", "advertise_mount_port", "fabric",
	    "owner_uuids", "default", NULL};
	char ctx[64];

	snprintf(ctx, sizeof(ctx), "networks[%zu].", idx);
	if (!json_object_is_type(o, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "networks[%zu] must be an object", idx);
		return -1;
	}
	if (check_keys(o, keys, ctx, err) == -1)
		return -1;
	memset(net, 0, sizeof(*net));
	net->fabric = 1;
	net->nfs_port = cfg->default_nfs_port;
	net->mount_port = cfg->default_mount_port;
	if (net_str(o, "uuid", net->uuid, sizeof(net->uuid), err) == -1)
		return -1;
	if (!tnfs_uuid_valid(net->uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%suuid: %s is not a lowercase UUID", ctx, net->uuid);
		return -1;
	}
	if (net_str(o, "name", net->name, sizeof(net->name), err) == -1 ||
	    net_str(o, "subnet", net->subnet, sizeof(net->subnet), err) == -1)
		return -1;
	if (!valid_cidr(net->subnet)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%ssubnet: %s is not an IPv4 CIDR such as 10.0.0.0/24", ctx,
		    net->subnet);
		return -1;
	}
	if (net_str(o, "nfs_address", net->nfs_address,
		sizeof(net->nfs_address), err) == -1)
		return -1;
	if (!config_valid_ipv4(net->nfs_address)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%snfs_address: %s is not an IPv4 address", ctx,
		    net->nfs_address);
		return -1;
	}
	if (json_object_object_get_ex(o, "advertise_address", NULL) &&
	    net_str(o, "advertise_address", net->advertise_address,
		sizeof(net->advertise_address), err) == -1)
		return -1;
	if (load_network_numbers(net, o, ctx, err) == -1)
		return -1;
	return load_network_owners(net, o, ctx, err);
}

static int
load_networks(struct vapi_config *cfg, json_object *v, struct tnfs_err *err)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > VAPI_MAX_NETWORKS) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "networks must be an array of at most %d networks",
		    VAPI_MAX_NETWORKS);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (load_network(&cfg->networks[i],
			json_object_array_get_idx(v, i), i, cfg, err) == -1)
			return -1;
	cfg->nnetworks = n;
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

/* A string of val, or NULL when val is something else. */
static const char *
str_or_null(json_object *val)
{
	return json_object_is_type(val, json_type_string)
	    ? json_object_get_string(val)
	    : NULL;
}

/* The keys that are neither strings nor integers; 1 when key is none. */
static int
load_other(struct vapi_config *cfg, json_object *root, const char *key,
    json_object *val, struct tnfs_err *err)
{
	const char *m;
	int b;

	if (strcmp(key, "sizes") == 0)
		return load_sizes(cfg, val, err);
	if (strcmp(key, "tokens") == 0)
		return load_tokens(cfg, val, err);
	if (strcmp(key, "auth") == 0)
		return config_set_auth(cfg, str_or_null(val), "auth", err);
	if (strcmp(key, "host_address") == 0) {
		m = str_or_null(val) != NULL ? str_or_null(val) : "";
		if (strcmp(m, "peer") != 0 && strcmp(m, "declared") != 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "host_address must be \"peer\" or \"declared\"");
			return -1;
		}
		cfg->host_address_declared = m[0] == 'd';
		return 0;
	}
	if (strcmp(key, "root_squash") == 0) {
		if (jsonx_get_bool(root, key, &b) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "root_squash must be a boolean");
			return -1;
		}
		cfg->root_squash = b;
		return 0;
	}
	return 1;
}

static int
load_json(struct vapi_config *cfg, json_object *root, struct tnfs_err *err)
{
	static const struct {
		const char *key;
		size_t off, len;
	} strs[] = {
#define STR_KEY(k, f)                                                        \
	{k, offsetof(struct vapi_config, f), sizeof(((struct vapi_config *)0)->f)}
	    STR_KEY("listen", listen),
	    STR_KEY("store", store),
	    STR_KEY("storage", storage),
	    STR_KEY("exports", exports),
	    STR_KEY("state_dir", state_dir),
	    STR_KEY("log_level", log_level),
	    STR_KEY("host_uuid", host_uuid),
	    STR_KEY("default_network_uuid", default_network_uuid),
#undef STR_KEY
	};
	static const struct int_key ints[] = {
	    {"ref_lease_seconds", 1, 86400 * 365,
		offsetof(struct vapi_config, ref_lease_s)},
	    {"host_ttl_seconds", 1, 86400,
		offsetof(struct vapi_config, host_ttl_s)},
	    {"snapshot_limit", 0, 100000,
		offsetof(struct vapi_config, snapshot_limit)},
	    {"workers", 1, 64, offsetof(struct vapi_config, workers)},
	    {"storage_timeout_seconds", 1, 86400,
		offsetof(struct vapi_config, storage_timeout_s)},
	    {"nfs_port", 1, 65535,
		offsetof(struct vapi_config, default_nfs_port)},
	    {"mount_port", 1, 65535,
		offsetof(struct vapi_config, default_mount_port)},
	};
	json_object *v;
	size_t i;
	int r;

	if (!json_object_is_type(root, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the configuration must be a JSON object");
		return -1;
	}
	json_object_object_foreach(root, key, val)
	{
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (strcmp(strs[i].key, key) == 0)
				break;
		if (i < sizeof(strs) / sizeof(strs[0])) {
			if (config_copy_str((char *)cfg + strs[i].off,
				strs[i].len, str_or_null(val), key, err) == -1)
				return -1;
			continue;
		}
		for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
			if (strcmp(ints[i].key, key) == 0)
				break;
		if (i < sizeof(ints) / sizeof(ints[0])) {
			if (get_int(root, key, ints[i].min, ints[i].max,
				(int *)((char *)cfg + ints[i].off), "",
				err) == -1)
				return -1;
			continue;
		}
		if ((r = load_other(cfg, root, key, val, err)) == -1)
			return -1;
		if (r == 1 && strcmp(key, "networks") != 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown configuration key %s", key);
			return -1;
		}
	}
	/* Networks last: their port defaults come from the top level. */
	if (json_object_object_get_ex(root, "networks", &v) &&
	    load_networks(cfg, v, err) == -1)
		return -1;
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
