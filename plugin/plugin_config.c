/*
 * plugin_config.c: flags and configuration file (plugin_config.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_config.h"
#include "fsutil.h"
#include "log.h"
#include "mounts.h"
#include "parse.h"
#include "uuid.h"

const char config_usage[] =
    "usage: tritonnfs-plugin [options]\n"
    "\n"
    "Docker volume plugin for tritonnfs shared volumes.\n"
    "\n"
    "  --socket PATH        plugin socket "
    "(/run/docker/plugins/tritonnfs.sock)\n"
    "  --vapi URL           Volume API: http://host:port or unix:///path\n"
    "  --token TOKEN        VAPI bearer token\n"
    "  --owner UUID         owner of the volumes (required)\n"
    "  --host-uuid UUID     this host in VAPI references (from "
    "/etc/machine-id)\n"
    "  --state-dir DIR      one state file per volume "
    "(/var/lib/tritonnfs/plugin)\n"
    "  --mount-root DIR     volumes are mounted at DIR/<name> "
    "(/var/lib/tritonnfs/mounts)\n"
    "  --mount-backend B    auto, kernel or fuse (auto)\n"
    "  --fuse-binary PATH   the FUSE NFS client (tritonnfs-fuse)\n"
    "  --linger SECONDS     keep an unused mount this long (30)\n"
    "  --refresh SECONDS    VAPI refresh period (10)\n"
    "  --lease SECONDS      reference renewal period (180)\n"
    "  --mount-timeout S    Mount deadline, below Docker's 120 (90)\n"
    "  --unmount-timeout S  Unmount deadline, below Docker's 60 (40)\n"
    "  --nfs-timeo DS       kernel mounts: RPC timeout in tenths of a "
    "second (600)\n"
    "  --nfs-retrans N      kernel mounts: retries before \"server not "
    "responding\" (2)\n"
    "  --log-level LEVEL    trace, debug, info, warn, error (info)\n"
    "  --config FILE        key = value lines with the names above\n"
    "  --help, --version\n";

void
config_defaults(struct plugin_config *c)
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
	c->lease_s = 180;
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
	if (strcmp(key, "token") == 0)
		return set_str(c->token, sizeof(c->token), key, val, err);
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

		if (set_int(dst, key, val, (uint64_t)max, err) == -1)
			return -1;
		if (*dst < 1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: at least 1 second", key);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "nfs-timeo") == 0) {
		if (set_int(&c->nfs_timeo_ds, key, val, 6000, err) == -1)
			return -1;
		if (c->nfs_timeo_ds < 1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "nfs-timeo: at least 1 (a tenth of a second)");
			return -1;
		}
		return 0;
	}
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

int
config_apply_text(struct plugin_config *c, const char *text, const char *path,
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

int
config_parse_args(
    struct plugin_config *c, int argc, char *argv[], struct tnfs_err *err)
{
	int i;

	/* The file first, so that flags win whatever their order. */
	for (i = 1; i < argc; i++) {
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
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return CONFIG_HELP;
		if (strcmp(a, "--version") == 0)
			return CONFIG_VERSION;
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
		if (config_set(c, a + 2, argv[i + 1], err) == -1)
			return -1;
		i++;
	}
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
	return CONFIG_RUN;
}
