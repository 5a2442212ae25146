/*
 * cli_common.h: what triton-volume and tritonnfs-adm share.
 *
 * Configuration (flags, then TRITONNFS_* environment variables, then the
 * profile file), the libvapi handle, error and usage messages in
 * node-triton's "<prog> <cmd>: error: ..." form, the clock (TRITONNFS_NOW
 * fixes it for golden tests), volume resolution (networks: libvapi's
 * vapi_client_resolve_network), confirmation
 * prompts, the wait loop behind -w, and the JSON printers.
 *
 * Exit codes: CLI_EXIT_OK, CLI_EXIT_FAIL (an API or runtime error),
 * CLI_EXIT_USAGE (a bad command line).
 */
#ifndef TNFS_CLI_COMMON_H
#define TNFS_CLI_COMMON_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "err.h"
#include "vapi_client.h"

#define CLI_EXIT_OK    0
#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

#define CLI_SHORTID_BUFSZ 9
#define CLI_AGE_BUFSZ     24

/* getopt_long codes of the connection options every subcommand accepts. */
enum {
	CLI_OPT_URL = 0x1000,
	CLI_OPT_TOKEN,
	CLI_OPT_OWNER,
	CLI_OPT_TIMEOUT,
	CLI_OPT_TOKEN_FILE,
};

/* The connection options, for splicing into each subcommand's table. */
#define CLI_CONN_LONGOPTS                                                      \
	{"url", required_argument, NULL, CLI_OPT_URL},                         \
	    {"token", required_argument, NULL, CLI_OPT_TOKEN},                 \
	    {"token-file", required_argument, NULL, CLI_OPT_TOKEN_FILE},       \
	    {"owner", required_argument, NULL, CLI_OPT_OWNER},                 \
	    {"account", required_argument, NULL, CLI_OPT_OWNER},               \
	{                                                                      \
		"timeout", required_argument, NULL, CLI_OPT_TIMEOUT            \
	}

/* The connection options in --help, with where each value comes from. */
#define CLI_CONN_USAGE                                                         \
	"connection options (or TRITONNFS_URL, TRITONNFS_TOKEN_FILE,\n"        \
	"TRITONNFS_TOKEN, TRITONNFS_OWNER, TRITONNFS_TIMEOUT, or\n"             \
	"~/.config/tritonnfs/profile.json):\n"                                 \
	"  --url URL[,URL...]   the VAPI: http://host:port or unix:///path;\n" \
	"                       several: tried in turn when one cannot be\n"   \
	"                       reached (no default)\n"                        \
	"  --token-file FILE    a file holding the bearer token, mode 0600\n"  \
	"                       (no default)\n"                                \
	"  --token TOKEN        the token itself: every local user can read\n" \
	"                       it in /proc (no default)\n"                    \
	"  --account, --owner UUID\n"                                          \
	"                       the account acted for (default: the token's)\n" \
	"  --timeout SECS       per request (default: 30)\n"

/* One run of a command line: the one context struct of the program. */
struct cli {
	const char *prog; /* "triton-volume" */
	const char *cmd;  /* "delete", "" before a subcommand is chosen */
	char *url;        /* from --url (owned), NULL until given */
	char *token;
	char *token_file; /* from --token-file (owned), read at connect */
	char *owner;
	int timeout_ms;           /* 0: default */
	struct vapi_client *vapi; /* after cli_connect */
	int poll_ms;              /* wait-loop period */
};

/* Set up c for prog; never fails. */
void cli_init(struct cli *c, const char *prog);
/* Free what c holds. */
void cli_fini(struct cli *c);

/*
 * Handle one of CLI_OPT_* from getopt_long.  1 when handled, 0 when opt is
 * not a connection option, -1 on a bad value (message printed).
 */
int cli_conn_option(struct cli *c, int opt, const char *arg);

/*
 * Fill url/token/owner from the environment and the profile where flags
 * left them unset (a token: --token, --token-file, TRITONNFS_TOKEN,
 * TRITONNFS_TOKEN_FILE, the profile's "token" or "token_file", in that
 * order), check the owner is a uuid, and make the VAPI client.
 * need_owner: fail when neither an owner nor a token is configured.  Prints its error.
 */
int cli_connect(struct cli *c, int need_owner);

/* "<prog> <cmd>: error: <fmt...>" on stderr. */
void cli_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same for a struct tnfs_err: message, and the VAPI code in brackets. */
void cli_error_err(const struct cli *c, const struct tnfs_err *err);
/* A usage error: the message and a pointer to --help; returns CLI_EXIT_USAGE. */
int cli_usage(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Wall clock in ms, or TRITONNFS_NOW (RFC 3339) when set. */
int64_t cli_now_ms(void);

/*
 * node-triton's age: the largest whole unit of y(365d), w, d, h, m, s
 * ("5m", "3d", "0s"); a future time shows "0s".
 */
void cli_format_age(int64_t now_ms, int64_t then_ms, char buf[CLI_AGE_BUFSZ]);

/* The first 8 characters of a uuid. */
void cli_shortid(const char *uuid, char buf[CLI_SHORTID_BUFSZ]);

/*
 * Resolve what a user typed as VOLUME: a full uuid, then an exact name
 * (a volume that is not failed first), then a prefix of the uuid.
 * Ambiguous names and prefixes fail with a ValidationError naming the
 * matches; nothing matching with VolumeNotFound.  owner may be NULL
 * (operator).  out is filled; clear it with vapi_volume_clear.
 */
int cli_resolve_volume(struct vapi_client *vapi, const char *owner,
    const char *arg, struct vapi_volume *out, struct tnfs_err *err);

/*
 * Ask "<question> [y/N] " on the terminal; 1 for y/yes, 0 otherwise (also
 * on end of input).
 */
int cli_confirm(const char *question);

/* 1 when stdin is a terminal (prompts are possible). */
int cli_interactive(void);

enum cli_wait_goal {
	CLI_WAIT_READY,   /* state ready; failed is an error */
	CLI_WAIT_DELETED, /* GET answers 404 */
};

/*
 * Poll the volume until goal, timeout_s seconds (monotonic), or an error.
 * Progress goes to stderr: a spinner with the elapsed time on a terminal,
 * a line per state change otherwise.  last (may be NULL) gets the final
 * volume for CLI_WAIT_READY.  0 on success; -1 with a Timeout, the VAPI's
 * error, or a "failed" message.
 */
int cli_wait(struct cli *c, const char *uuid, const char *name,
    enum cli_wait_goal goal, int timeout_s, struct vapi_volume *last,
    struct tnfs_err *err);

/*
 * A volume in the form triton prints (CloudAPI's): uuid -> id,
 * create_timestamp -> created, labels -> tags, no vm_uuid.  New reference.
 */
json_object *cli_volume_json(const struct vapi_volume *v);

/* obj as one compact line (JSON.stringify(obj)) followed by a newline. */
void cli_print_json_line(FILE *out, json_object *obj);
/* obj indented by 4 spaces (JSON.stringify(obj, null, 4)) and a newline. */
void cli_print_json_pretty(FILE *out, json_object *obj);

struct table;

/*
 * Sort t by sort (the user's -s, or the command's default) and print it,
 * with no header line when no_header (-H).  CLI_EXIT_OK, or CLI_EXIT_USAGE
 * with the message printed when sort names a column t does not have.
 */
int cli_table_print(
    const struct cli *c, struct table *t, const char *sort, int no_header);

/* Parse --wait-timeout: whole seconds 1..86400.  -1 prints a usage error. */
int cli_parse_seconds(const struct cli *c, const char *arg, int *out);

#endif
