/*
 * plugin_config.c: flags and configuration file (plugin_config.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_config.h"
#include "fsutil.h"
#include "log.h"
#include "mounts.h"
#include "jsonx.h"
#include "parse.h"
#include "token.h"
#include "uuid.h"

const char config_usage[] =
    "usage: tritonnfs-plugin [options]\n"
    "\n"
    "Docker volume plugin for tritonnfs shared volumes.\n"
    "\n"
    "  --config FILE        JSON settings, keys named as these options with\n"
    "                       _ for - (no default; see tritonnfs-plugin(8))\n"
    "  --check-config       check the settings and the token, then exit\n"
    "  --socket PATH        plugin socket "
    "(default: /run/docker/plugins/tritonnfs.sock)\n"
    "  --vapi URL[,URL...]  Volume API: http://host:port or unix:///path\n"
    "                       (default: unix:///run/tritonnfs/vapi.sock);\n"
    "                       several: tried in turn when one cannot be\n"
    "                       reached\n"
    "  --token-file FILE    VAPI bearer token, mode 0600 (no default; or\n"
    "                       TRITONNFS_TOKEN_FILE)\n"
    "  --token TOKEN        the token itself: every local user can read it\n"
    "                       in /proc (no default; or TRITONNFS_TOKEN)\n"
    "  --owner UUID         owner of the volumes (no default: required)\n"
    "  --host-uuid UUID     this host in VAPI references "
    "(default: from /etc/machine-id)\n"
    "  --hostname NAME      this host's name in the VAPI "
    "(default: gethostname)\n"
    "  --client-address IP  the address NFS servers see this host come "
    "from\n"
    "                       (default: the address the VAPI sees)\n"
    "  --heartbeat SECONDS  host heartbeat period (default: 30)\n"
    "  --state-dir DIR      one state file per volume "
    "(default: /var/lib/tritonnfs/plugin)\n"
    "  --mount-root DIR     volumes are mounted at DIR/<name> "
    "(default: /var/lib/tritonnfs/mounts)\n"
    "  --mount-backend B    auto, kernel or fuse (default: auto)\n"
    "  --fuse-binary PATH   the FUSE NFS client "
    "(default: tritonnfs-fuse, from PATH)\n"
    "  --linger SECONDS     keep an unused mount this long (default: 30)\n"
    "  --refresh SECONDS    VAPI refresh period (default: 10)\n"
    "  --list-page N        volumes per VAPI list request in a refresh\n"
    "                       (default: 500, max 10000)\n"
    "  --docker-socket PATH ask the dockerd there which volumes its running\n"
    "                       containers use, to release the mount IDs a\n"
    "                       killed dockerd never unmounts (default: none)\n"
    "  --docker-sync SECONDS how often to ask it (default: 30)\n"
    "  --lease SECONDS      reference renewal period (default: 180)\n"
    "  --mount-timeout S    Mount deadline, below Docker's 120 "
    "(default: 90)\n"
    "  --unmount-timeout S  Unmount deadline, below Docker's 60 "
    "(default: 40)\n"
    "  --nfs-timeo DS       kernel mounts: RPC timeout in tenths of a "
    "second\n"
    "                       (default: 600)\n"
    "  --nfs-retrans N      kernel mounts: retries before \"server not "
    "responding\"\n"
    "                       (default: 2)\n"
    "  --log-level LEVEL    trace, debug, info, warn, error "
    "(default: info)\n"
    "  --help, --version\n"
    "\n"
    "Flags override TRITONNFS_TOKEN/TRITONNFS_TOKEN_FILE, which override "
    "the file.\n";

void
plugin_config_defaults(struct plugin_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(
	    c->socket, sizeof(c->socket), "/run/docker/plugins/tritonnfs.sock");
	snprintf(c->vapi, sizeof(c->vapi), "unix:///run/tritonnfs/vapi.sock");
	snprintf(
	    c->state_dir, sizeof(c->state_dir), "/var/lib/tritonnfs/plugin");
	snprintf(
	    c->mount_root, sizeof(c->mount_root), "/var/lib/tritonnfs/mounts");
	snprintf(c->mount_backend, sizeof(c->mount_backend), "auto");
	snprintf(c->fuse_binary, sizeof(c->fuse_binary), "tritonnfs-fuse");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	c->linger_s = 30;
	c->refresh_s = 10;
	c->list_page = 500;
	c->docker_sync_s = 30;
	c->lease_s = 180;
	c->heartbeat_s = 30;
	c->mount_timeout_s = 90;
	c->unmount_timeout_s = 40;
	/* The kernel's own defaults for TCP (nfs(5)). */
	c->nfs_timeo_ds = 600;
	c->nfs_retrans = 2;
}

static int
set_str(char *dst, size_t len, const char *key, const char *val,
    struct tnfs_err *err)
{
	size_t i;

	if (strlen(val) >= len) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: value longer than %zu bytes", key, len - 1);
		return -1;
	}
	for (i = 0; val[i] != '\0'; i++)
		if ((unsigned char)val[i] < 0x20) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: value contains a control character", key);
			return -1;
		}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int
set_path(char *dst, size_t len, const char *key, const char *val,
    struct tnfs_err *err)
{
	if (val[0] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: expected an absolute path, got \"%.100s\"", key, val);
		return -1;
	}
	return set_str(dst, len, key, val, err);
}

static int
set_int(int *dst, const char *key, const char *val, uint64_t max,
    struct tnfs_err *err)
{
	uint64_t v;

	if (tnfs_parse_u64(val, max, &v, key, err) == -1)
		return -1;
	*dst = (int)v;
	return 0;
}

/* set_int, and at least 1 ("key: at least 1<unit>" below it). */
static int
set_positive(int *dst, const char *key, const char *val, uint64_t max,
    const char *unit, struct tnfs_err *err)
{
	if (set_int(dst, key, val, max, err) == -1)
		return -1;
	if (*dst < 1) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "%s: at least 1%s", key, unit);
		return -1;
	}
	return 0;
}

int
config_set(struct plugin_config *c, const char *key, const char *val,
    struct tnfs_err *err)
{
	if (strcmp(key, "socket") == 0) {
		if (set_path(c->socket, sizeof(c->socket), key, val, err) == -1)
			return -1;
		if (strlen(val) >= 108) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "socket: path longer than 107 bytes (sun_path)");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "vapi") == 0)
		return set_str(c->vapi, sizeof(c->vapi), key, val, err);
	if (strcmp(key, "token") == 0) {
		if (set_str(c->token, sizeof(c->token), key, val, err) == -1)
			return -1;
		c->token_file[0] = '\0'; /* the later source wins */
		return 0;
	}
	if (strcmp(key, "token-file") == 0) {
		if (set_path(c->token_file, sizeof(c->token_file), key, val,
			err) == -1)
			return -1;
		c->token[0] = '\0';
		return 0;
	}
	if (strcmp(key, "owner") == 0 || strcmp(key, "host-uuid") == 0) {
		if (!tnfs_uuid_valid(val)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: \"%.64s\" is not a lowercase uuid", key, val);
			return -1;
		}
		return set_str(key[0] == 'o' ? c->owner : c->host_uuid,
		    sizeof(c->owner), key, val, err);
	}
	if (strcmp(key, "state-dir") == 0)
		return set_path(
		    c->state_dir, sizeof(c->state_dir), key, val, err);
	if (strcmp(key, "mount-root") == 0)
		return set_path(
		    c->mount_root, sizeof(c->mount_root), key, val, err);
	if (strcmp(key, "mount-backend") == 0) {
		enum mount_backend b;

		if (mounts_parse_backend(val, &b, err) == -1)
			return -1;
		return set_str(
		    c->mount_backend, sizeof(c->mount_backend), key, val, err);
	}
	if (strcmp(key, "fuse-binary") == 0)
		return set_str(
		    c->fuse_binary, sizeof(c->fuse_binary), key, val, err);
	if (strcmp(key, "log-level") == 0) {
		static const char *const levels[] = {
		    "trace", "debug", "info", "warn", "error", "fatal"};
		size_t i;

		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (strcmp(val, levels[i]) == 0)
				return set_str(c->log_level,
				    sizeof(c->log_level), key, val, err);
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "log-level: expected trace, debug, info, warn, error or "
		    "fatal");
		return -1;
	}
	if (strcmp(key, "linger") == 0)
		return set_int(&c->linger_s, key, val, 86400, err);
	if (strcmp(key, "refresh") == 0) {
		if (set_int(&c->refresh_s, key, val, 3600, err) == -1)
			return -1;
		if (c->refresh_s == 0)
			c->refresh_s = 1;
		return 0;
	}
	if (strcmp(key, "list-page") == 0)
		return set_positive(
		    &c->list_page, key, val, 10000, " volume", err);
	if (strcmp(key, "docker-socket") == 0) {
		if (strcmp(val, "none") == 0) {
			c->docker_socket[0] = '\0';
			return 0;
		}
		if (set_path(c->docker_socket, sizeof(c->docker_socket), key,
			val, err) == -1)
			return -1;
		if (strlen(val) >= 108) {
			c->docker_socket[0] = '\0';
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "docker-socket: path longer than 107 bytes "
			    "(sun_path)");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "docker-sync") == 0) {
		if (set_int(&c->docker_sync_s, key, val, 3600, err) == -1)
			return -1;
		if (c->docker_sync_s == 0)
			c->docker_sync_s = 1;
		return 0;
	}
	if (strcmp(key, "heartbeat") == 0) {
		if (set_int(&c->heartbeat_s, key, val, 3600, err) == -1)
			return -1;
		if (c->heartbeat_s == 0)
			c->heartbeat_s = 1;
		return 0;
	}
	if (strcmp(key, "hostname") == 0)
		return set_str(c->hostname, sizeof(c->hostname), key, val, err);
	if (strcmp(key, "client-address") == 0) {
		struct in_addr in;

		/* The VAPI checks it too; refuse a typo before starting. */
		if (inet_pton(AF_INET, val, &in) != 1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "client-address: expected an IPv4 address, got "
			    "\"%.64s\"",
			    val);
			return -1;
		}
		return set_str(c->client_address, sizeof(c->client_address),
		    key, val, err);
	}
	if (strcmp(key, "lease") == 0) {
		if (set_int(&c->lease_s, key, val, 86400, err) == -1)
			return -1;
		if (c->lease_s == 0)
			c->lease_s = 1;
		return 0;
	}
	if (strcmp(key, "mount-timeout") == 0 ||
	    strcmp(key, "unmount-timeout") == 0) {
		int *dst =
		    key[0] == 'm' ? &c->mount_timeout_s : &c->unmount_timeout_s;
		int max = key[0] == 'm' ? 100 : 50;

		return set_positive(
		    dst, key, val, (uint64_t)max, " second", err);
	}
	if (strcmp(key, "nfs-timeo") == 0)
		return set_positive(&c->nfs_timeo_ds, key, val, 6000,
		    " (a tenth of a second)", err);
	if (strcmp(key, "nfs-retrans") == 0)
		return set_int(&c->nfs_retrans, key, val, 10, err);
	tnfs_err_set(err, TNFS_E_VALIDATION, "unknown setting %.64s", key);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* The old "key = value" lines, read for configurations written before JSON. */
static int
apply_lines(struct plugin_config *c, const char *text, const char *path,
    struct tnfs_err *err)
{
	char *copy = strdup(text), *line, *save = NULL, *eq;
	int lineno = 0, rc = -1;

	if (copy == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *k, *v;

		lineno++;
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s:%d: expected key = value", path, lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (strcmp(k, "config") == 0 ||
		    config_set(c, k, v, err) == -1) {
			if (strcmp(k, "config") == 0)
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "config files do not nest");
			tnfs_err_prefix(err, "%s:%d", path, lineno);
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

/*
 * The JSON file's keys: the long option names with '_' for '-', each with
 * the JSON type it must have.
 */
static const struct {
	const char *key;
	json_type type;
} json_keys[] = {
    {"socket", json_type_string},
    {"vapi", json_type_string},
    {"token", json_type_string},
    {"token_file", json_type_string},
    {"owner", json_type_string},
    {"host_uuid", json_type_string},
    {"state_dir", json_type_string},
    {"mount_root", json_type_string},
    {"mount_backend", json_type_string},
    {"fuse_binary", json_type_string},
    {"log_level", json_type_string},
    {"linger", json_type_int},
    {"refresh", json_type_int},
    {"list_page", json_type_int},
    {"docker_socket", json_type_string},
    {"docker_sync", json_type_int},
    {"lease", json_type_int},
    {"mount_timeout", json_type_int},
    {"unmount_timeout", json_type_int},
    {"nfs_timeo", json_type_int},
    {"nfs_retrans", json_type_int},
    {"hostname", json_type_string},
    {"client_address", json_type_string},
    {"heartbeat", json_type_int},
};

static int
apply_json(struct plugin_config *c, const char *text, size_t len,
    const char *path, struct tnfs_err *err)
{
	json_object *root;
	char flag[32], num[32];
	size_t i, k;
	int rc = -1;

	if ((root = jsonx_parse(text, len, 4, err)) == NULL) {
		tnfs_err_prefix(err, "%s", path);
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: the configuration must be a JSON object", path);
		goto out;
	}
	json_object_object_foreach(root, key, val)
	{
		const char *v;

		for (i = 0; i < sizeof(json_keys) / sizeof(json_keys[0]); i++)
			if (strcmp(json_keys[i].key, key) == 0)
				break;
		if (i == sizeof(json_keys) / sizeof(json_keys[0])) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: unknown configuration key %.64s (see "
			    "tritonnfs-plugin(8))",
			    path, key);
			goto out;
		}
		if (!json_object_is_type(val, json_keys[i].type)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: %s must be %s", path, key,
			    json_keys[i].type == json_type_int
				? "a whole number"
				: "a string");
			goto out;
		}
		if (json_keys[i].type == json_type_int) {
			int64_t n = json_object_get_int64(val);

			/* config_set's parser says which range applies. */
			snprintf(num, sizeof(num), "%lld", (long long)n);
			v = num;
		} else {
			v = json_object_get_string(val);
			if (strlen(v) != (size_t)json_object_get_string_len(val)) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "%s: %s contains a NUL byte", path, key);
				goto out;
			}
		}
		for (k = 0; key[k] != '\0' && k + 1 < sizeof(flag); k++)
			flag[k] = key[k] == '_' ? '-' : key[k];
		flag[k] = '\0';
		if (config_set(c, flag, v, err) == -1) {
			tnfs_err_prefix(err, "%s", path);
			goto out;
		}
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

int
config_apply_text(struct plugin_config *c, const char *text, const char *path,
    struct tnfs_err *err)
{
	const char *p = text;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '{')
		return apply_json(c, text, strlen(text), path, err);
	if (apply_lines(c, text, path, err) == -1)
		return -1;
	log_warn("%s: \"key = value\" configuration files are deprecated; "
		 "write it as a JSON object (tritonnfs-plugin(8))",
	    path);
	return 0;
}

int
config_machine_id_to_uuid(const char *mid, char out[37])
{
	char hex[33];
	size_t i, n = 0;

	for (i = 0; mid[i] != '\0' && mid[i] != '\n'; i++) {
		if (!isxdigit((unsigned char)mid[i]) || n >= 32)
			return -1;
		hex[n++] = (char)tolower((unsigned char)mid[i]);
	}
	if (n != 32)
		return -1;
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
	return 0;
}

/*
 * TRITONNFS_TOKEN and TRITONNFS_TOKEN_FILE: above the file, below flags.
 * Both set is an error, as it would be on the command line.
 * TRITONNFS_VAPI, TRITONNFS_OWNER and TRITONNFS_HOST_UUID likewise: a managed plugin's
 * settable env (packaging/docker-plugin/config.json) has no flags.
 */
static int
apply_env(struct plugin_config *c, struct tnfs_err *err)
{
	static const char *const plain[][2] = {{"TRITONNFS_VAPI", "vapi"},
	    {"TRITONNFS_OWNER", "owner"}, {"TRITONNFS_HOST_UUID", "host-uuid"}};
	const char *t = getenv("TRITONNFS_TOKEN");
	const char *f = getenv("TRITONNFS_TOKEN_FILE");
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const char *v = getenv(plain[i][0]);

		if (v != NULL && *v != '\0' &&
		    config_set(c, plain[i][1], v, err) == -1) {
			tnfs_err_prefix(err, "%s", plain[i][0]);
			return -1;
		}
	}

	if (t != NULL && *t == '\0')
		t = NULL;
	if (f != NULL && *f == '\0')
		f = NULL;
	if (t != NULL && f != NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "TRITONNFS_TOKEN and TRITONNFS_TOKEN_FILE are both set; "
		    "keep one");
		return -1;
	}
	if (t != NULL && config_set(c, "token", t, err) == -1) {
		tnfs_err_prefix(err, "TRITONNFS_TOKEN");
		return -1;
	}
	if (f != NULL && config_set(c, "token-file", f, err) == -1) {
		tnfs_err_prefix(err, "TRITONNFS_TOKEN_FILE");
		return -1;
	}
	return 0;
}

/* Replace a token file's name by its content (the token). */
static int
read_token_file(struct plugin_config *c, struct tnfs_err *err)
{
	int group_readable = 0;

	if (c->token_file[0] == '\0')
		return 0;
	if (tnfs_token_read_file(c->token_file, c->token, &group_readable,
		err) == -1)
		return -1;
	if (group_readable)
		log_warn("token file %s is readable by its group; mode 0600 "
			 "keeps it to root",
		    c->token_file);
	return 0;
}

int
plugin_config_parse_args(
    struct plugin_config *c, int argc, char *argv[], struct tnfs_err *err)
{
	int i, check = 0, token_flags = 0;

	/* The file first, so that flags win whatever their order. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return CONFIG_HELP;
		if (strcmp(argv[i], "--version") == 0)
			return CONFIG_VERSION;
		if (strcmp(argv[i], "--config") == 0) {
			char *text = NULL;
			size_t len;
			int rc;

			if (i + 1 >= argc) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "--config needs a value");
				return -1;
			}
			if (fsutil_read_file(
				argv[i + 1], 1u << 20, &text, &len, err) == -1)
				return -1;
			rc = config_apply_text(c, text, argv[i + 1], err);
			free(text);
			if (rc == -1)
				return -1;
		}
	}
	if (apply_env(c, err) == -1)
		return -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--check-config") == 0) {
			check = 1;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unexpected argument \"%.64s\" (see --help)", a);
			return -1;
		}
		if (i + 1 >= argc) {
			tnfs_err_set(
			    err, TNFS_E_VALIDATION, "%.64s needs a value", a);
			return -1;
		}
		if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		}
		if (strcmp(a, "--token") == 0 ||
		    strcmp(a, "--token-file") == 0)
			token_flags++;
		if (config_set(c, a + 2, argv[i + 1], err) == -1)
			return -1;
		i++;
	}
	if (token_flags > 1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "give one of --token and --token-file, once");
		return -1;
	}
	if (read_token_file(c, err) == -1)
		return -1;
	if (c->host_uuid[0] == '\0') {
		char *mid = NULL;
		size_t len;

		if (fsutil_read_file(
			"/etc/machine-id", 256, &mid, &len, NULL) == 0 &&
		    config_machine_id_to_uuid(mid, c->host_uuid) == 0) {
			free(mid);
		} else {
			free(mid);
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "no --host-uuid and /etc/machine-id is unusable");
			return -1;
		}
	}
	if (c->owner[0] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "--owner UUID is required (the account whose volumes "
		    "this host uses)");
		return -1;
	}
	return check ? CONFIG_CHECK : CONFIG_RUN;
}
