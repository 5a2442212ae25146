/*
 * adm.c: tritonnfs-adm, the operator command line: the seed's `sdcadm
 * shared-volumes` list/restart/update/rm (RFD 26 "sdcadm changes") and a
 * per-owner report.
 *
 * It needs an operator token: it lists every owner's volumes through
 * GET /admin/volumes, restarts exports through POST
 * /admin/volumes/:uuid/restart and updates them through POST
 * /admin/volumes[/:uuid]/update, which the VAPI runs one volume at a time.
 * A volume still referenced by a host is never restarted, updated or
 * removed: its holders are printed instead, as the seed asks, and the exit
 * status says something was left alone.
 *
 * `token create` needs no VAPI: it makes a token and the entry that the
 * VAPI's configuration lists for it.
 *
 * This file parses the command line and dispatches to the commands of
 * adm_list.c, adm_act.c and adm_token.c (adm.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adm.h"
#include "adm_instances.h"
#include "cli_common.h"
#include "cli_opts.h"
#include "uuid.h"
#include "version.h"

#define PROG "tritonnfs-adm"

/* An update of everything runs volume after volume in one request. */
#define UPDATE_TIMEOUT_S 3600

static const char usage_text[] =
    "usage: " PROG " [connection options] COMMAND\n"
    "\n"
    "  shared-volumes list [--owner UUID] [-H] [-o COLS] [-s SORT] [-j]\n"
    "      columns: uuid shortid owner name size usage state host export\n"
    "               holders created\n"
    "  shared-volumes restart [--owner UUID] [--volume UUID] [--all] "
    "[VOLUME]\n"
    "  shared-volumes update [--owner UUID] [--volume UUID] [--all] "
    "[VOLUME]\n"
    "  shared-volumes rm [--owner UUID] [--volume UUID] [-y]\n"
    "  report [--owner UUID] [-j]\n"
    "  instances [-H] [-j]  the VAPI instances sharing the store\n"
    "  token create --owner UUID | --operator [--save FILE]\n"
    "\n"
    "  -o, --output COLS    list columns (default: "
    "shortid,owner,name,size,usage,\n"
    "                       state,host,export,holders)\n"
    "  -s, --sort-by COLS   list order (default: owner,created)\n"
    "  --save FILE          token create: write the token to a new 0600 "
    "FILE\n"
    "                       (no default: printed on stdout)\n"
    "\n"
    "A volume still used by a host is left alone and its holders are "
    "printed.\n"
    "Updates run one volume at a time, each back to ready before the "
    "next.\n"
    "\n"
    CLI_CONN_USAGE
    "  (shared-volumes update: --timeout default 3600)\n";

/* ---- main ---- */

static int
opt_uuid(struct cli *c, const char *what, const char *arg, const char **out)
{
	if (!tnfs_uuid_valid(arg))
		return cli_usage(c, "%s \"%s\" is not a uuid", what, arg);
	*out = arg;
	return 0;
}

/* --owner/--account select the volumes' owner here, not the caller. */
static int
opt_owner(struct cli *c, const char *arg, struct cli_opts *o)
{
	return opt_uuid(c, "owner", arg, &o->owner);
}

static int
opt_volume(struct cli *c, const char *arg, struct cli_opts *o)
{
	return opt_uuid(c, "volume", arg, &o->volume);
}

/* --operator and --save: token create's; o->ctx is the action. */
static int
opt_token_only(struct cli *c, const char *opt, const struct cli_opts *o)
{
	if (*(const enum adm_action *)o->ctx != ADM_TOKEN_CREATE)
		return cli_usage(c, "%s is for token create", opt);
	return 0;
}

static int
opt_operator(struct cli *c, const char *arg, struct cli_opts *o)
{
	(void)arg;
	if (opt_token_only(c, "--operator", o) != 0)
		return CLI_EXIT_USAGE;
	o->operator= 1;
	return 0;
}

static int
opt_save(struct cli *c, const char *arg, struct cli_opts *o)
{
	if (opt_token_only(c, "--save", o) != 0)
		return CLI_EXIT_USAGE;
	o->save = arg;
	return 0;
}

static int
adm_help(struct cli *c, struct cli_opts *o)
{
	(void)c;
	(void)o;
	fputs(usage_text, stdout);
	return CLI_EXIT_OK;
}

static const struct cli_opt action_opts[] = {
    CLI_OPT_CALL("owner", 0, 1, opt_owner),
    CLI_OPT_CALL("account", 0, 1, opt_owner),
    CLI_OPT_CALL("volume", 0, 1, opt_volume),
    CLI_OPT_FLAG("all", 0, all),
    CLI_OPT_CALL("operator", 0, 0, opt_operator),
    CLI_OPT_CALL("save", 0, 1, opt_save),
    CLI_OPT_FLAG("yes", 'y', yes),
    CLI_OPT_JSON,
    CLI_OPT_NO_HEADER,
    CLI_OPT_OUTPUT,
    CLI_OPT_SORT,
    CLI_OPT_HELP,
    CLI_OPT_END,
};

static int
parse_action(struct cli *c, int argc, char **argv, enum adm_action act,
    struct adm_opts *o)
{
	struct cli_opts co = {.ctx = &act};
	int rc;

	if ((rc = cli_opts_parse(c, argc, argv, action_opts, &co, adm_help)) !=
	    CLI_OPTS_GO)
		return rc;
	o->owner = co.owner;
	o->volume = co.volume;
	o->all = co.all;
	o->operator= co.operator;
	o->save = co.save;
	o->yes = co.yes;
	o->json = co.json;
	o->no_header = co.no_header;
	o->cols = co.cols;
	o->sort = co.sort;
	/* sdcadm's positional form: "list OWNER", "restart shared-volumes@U" */
	if (optind < argc && act == ADM_LIST && o->owner == NULL &&
	    tnfs_uuid_valid(argv[optind]))
		o->owner = argv[optind++];
	/* "update VOLUME", "restart shared-volumes@UUID" */
	if (optind < argc && (act == ADM_RESTART || act == ADM_UPDATE) &&
	    o->volume == NULL && !o->all) {
		const char *a = argv[optind++];

		if (strncmp(a, "shared-volumes@", 15) == 0)
			a += 15;
		o->volume_arg = a;
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
	if (act == ADM_TOKEN_CREATE) {
		if ((o->owner != NULL) == (o->operator != 0))
			return cli_usage(c, "give --owner UUID or --operator");
		return -1;
	}
	if ((act == ADM_RESTART || act == ADM_UPDATE || act == ADM_RM) &&
	    o->owner == NULL && o->volume == NULL && o->volume_arg == NULL &&
	    !(o->all && act != ADM_RM))
		return cli_usage(c, "%s",
		    act == ADM_RM ? "name the volumes: --owner and/or --volume"
				  : "name the volumes: --owner, --volume or "
				    "--all");
	if (act == ADM_RM && !o->yes && !cli_interactive())
		return cli_usage(c,
		    "not asking for confirmation on a "
		    "non-terminal: pass -y to remove");
	return -1;
}

/* The commands: "GROUP NAME" on the command line, or GROUP alone. */
static const struct adm_command {
	const char *group, *name;
	enum adm_action act;
	const char *cmd;
} commands[] = {
    {"shared-volumes", "list", ADM_LIST, "shared-volumes list"},
    {"shared-volumes", "ls", ADM_LIST, "shared-volumes list"},
    {"shared-volumes", "restart", ADM_RESTART, "shared-volumes restart"},
    {"shared-volumes", "update", ADM_UPDATE, "shared-volumes update"},
    {"shared-volumes", "rm", ADM_RM, "shared-volumes rm"},
    {"report", NULL, ADM_REPORT, "report"},
    {"instances", NULL, ADM_INSTANCES, "instances"},
    {"token", "create", ADM_TOKEN_CREATE, "token create"},
};

/*
 * The options before the command (help, version, connection): -1 to go
 * on to the command, else the exit status.
 */
static int
parse_global(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    CLI_CONN_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int opt, r;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		}
		if (opt == 'V') {
			printf("%s %s\n", PROG, TNFS_VERSION);
			return CLI_EXIT_OK;
		}
		if ((r = cli_conn_option(c, opt, optarg)) == 1)
			continue;
		if (r == 0)
			cli_usage(c, "bad option \"%s\"", argv[optind - 1]);
		return CLI_EXIT_USAGE;
	}
	if (optind == argc) {
		cli_error(c, "no command given");
		fputs(usage_text, stderr);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* The command at argv[optind], or NULL (and a usage error). */
static const struct adm_command *
find_command(struct cli *c, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].group) != 0)
			continue;
		if (commands[i].name == NULL ||
		    (optind + 1 < argc &&
			strcmp(argv[optind + 1], commands[i].name) == 0))
			return &commands[i];
	}
	cli_usage(c, "unknown command \"%s%s%s\"", argv[optind],
	    optind + 1 < argc ? " " : "",
	    optind + 1 < argc ? argv[optind + 1] : "");
	return NULL;
}

/*
 * Connect, turn a positional VOLUME into its uuid (resolved, which
 * o->volume then points into) and run a command that talks to the VAPI.
 */
static int
run_command(struct cli *c, enum adm_action act, struct adm_opts *o,
    char resolved[VAPI_UUID_BUFSZ])
{
	struct vapi_volume v;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (cli_connect(c, 0) == -1)
		return CLI_EXIT_FAIL;
	if (o->volume_arg != NULL) {
		memset(&v, 0, sizeof(v));
		if (cli_resolve_volume(c->vapi, o->owner, o->volume_arg, &v,
			&err) == -1) {
			cli_error_err(c, &err);
			vapi_volume_clear(&v);
			vapi_client_free(c->vapi);
			c->vapi = NULL;
			return CLI_EXIT_FAIL;
		}
		memcpy(resolved, v.uuid, VAPI_UUID_BUFSZ);
		o->volume = resolved;
		vapi_volume_clear(&v);
	}
	switch (act) {
	case ADM_LIST:
		return adm_list(c, o);
	case ADM_REPORT:
		return adm_report(c, o);
	case ADM_INSTANCES:
		return adm_instances(c, o->json, o->no_header);
	case ADM_UPDATE:
		return adm_update(c, o);
	default:
		return adm_act(c, act, o);
	}
}

int
main(int argc, char **argv)
{
	const struct adm_command *cmd;
	char resolved[VAPI_UUID_BUFSZ];
	struct adm_opts o;
	struct tnfs_err err;
	struct cli c;
	int rc;

	cli_init(&c, PROG);
	memset(&o, 0, sizeof(o));
	tnfs_err_clear(&err);
	if ((rc = parse_global(&c, argc, argv)) != -1)
		goto out;
	rc = CLI_EXIT_USAGE;
	if ((cmd = find_command(&c, argc, argv)) == NULL)
		goto out;
	c.cmd = cmd->cmd;
	/* The owner of --owner here selects volumes, not the account. */
	if (c.owner != NULL) {
		o.owner = c.owner;
		if (!tnfs_uuid_valid(o.owner)) {
			cli_usage(&c, "owner \"%s\" is not a uuid", o.owner);
			goto out;
		}
	}
	/* The command's last word becomes parse_action's argv[0]. */
	optind += cmd->name == NULL ? 0 : 1;
	argc -= optind;
	argv += optind;
	optind = 0;
	if ((rc = parse_action(&c, argc, argv, cmd->act, &o)) != -1)
		goto out;
	if (cmd->act == ADM_TOKEN_CREATE) {
		rc = adm_token_create(&c, &o);
		goto out;
	}
	/* The VAPI updates volume after volume within this one request. */
	if (cmd->act == ADM_UPDATE && c.timeout_ms == 0 &&
	    getenv("TRITONNFS_TIMEOUT") == NULL)
		c.timeout_ms = UPDATE_TIMEOUT_S * 1000;
	if (vapi_client_global_init(&err) == -1) {
		cli_error_err(&c, &err);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	rc = run_command(&c, cmd->act, &o, resolved);
	vapi_client_global_cleanup();
out:
	cli_fini(&c);
	return rc;
}
