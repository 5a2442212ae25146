/*
 * plugin_config.h: the plugin's settings, from a configuration file, the
 * environment and flags.
 *
 * The file is a JSON object whose keys are the long flag names with '_'
 * for '-' ({"vapi": "http://10.0.0.5:8080", "linger": 30}); strings are
 * strings, seconds are numbers, and an unknown key or a wrong type is an
 * error, as in the VAPI's configuration.  The old "key = value" lines are
 * still read, with a deprecation warning.  Flags override
 * TRITONNFS_TOKEN / TRITONNFS_TOKEN_FILE, which override the file, which
 * overrides the defaults.  A token file's content replaces its name once
 * everything is read.
 */
#ifndef TNFS_PLUGIN_PLUGIN_CONFIG_H
#define TNFS_PLUGIN_PLUGIN_CONFIG_H

#include "err.h"

#define CONFIG_STR_MAX 1024

struct plugin_config {
	char socket[CONFIG_STR_MAX];
	char vapi[CONFIG_STR_MAX];
	char token[CONFIG_STR_MAX];
	char token_file[CONFIG_STR_MAX]; /* read into token by parse_args */
	char owner[64];
	char host_uuid[64];
	char hostname[256];       /* "" = gethostname(2) */
	char client_address[64];  /* "" = what the VAPI sees (hostreg.h) */
	char state_dir[CONFIG_STR_MAX];
	char mount_root[CONFIG_STR_MAX];
	char mount_backend[16];
	char fuse_binary[CONFIG_STR_MAX];
	char log_level[16];
	int linger_s;
	int refresh_s;
	int list_page; /* volumes per VAPI list request */
	char docker_socket[CONFIG_STR_MAX]; /* "" = never ask dockerd */
	int docker_sync_s;
	int lease_s;
	int heartbeat_s;
	int mount_timeout_s;
	int unmount_timeout_s;
	int nfs_timeo_ds; /* kernel mounts: timeo=, tenths of a second */
	int nfs_retrans;  /* kernel mounts: retrans= */
};

enum config_result {
	CONFIG_RUN = 0,
	CONFIG_HELP = 1,
	CONFIG_VERSION = 2,
	CONFIG_CHECK = 3, /* --check-config: everything is valid, exit 0 */
};

void plugin_config_defaults(struct plugin_config *cfg);

/* One setting by its long flag name; -1 with a message for bad values. */
int config_set(struct plugin_config *cfg, const char *key, const char *val,
    struct tnfs_err *err);

/*
 * Apply a configuration file's text (path names the file in errors): JSON
 * when it starts with '{', else the deprecated "key = value" lines.
 */
int config_apply_text(struct plugin_config *cfg, const char *text,
    const char *path, struct tnfs_err *err);

/*
 * Parse argv (reading --config first, then the environment).  Returns
 * CONFIG_RUN, CONFIG_CHECK, CONFIG_HELP or CONFIG_VERSION, or -1 with err.  Fills host_uuid from
 * /etc/machine-id when not given and checks what is required.
 */
int plugin_config_parse_args(
    struct plugin_config *cfg, int argc, char *argv[], struct tnfs_err *err);

/* A machine-id (32 hex) as a uuid; -1 when malformed. */
int config_machine_id_to_uuid(const char *mid, char out[37]);

extern const char config_usage[];

#endif
