/*
 * triton_volume_main.c: triton-volume's entry point: the global options
 * (--url, --token-file, --token, --account, --timeout, --help, --version),
 * the table of
 * subcommands with their usage lines, and the dispatch to triton_volume.c,
 * triton_volume_update.c, triton_volume_snapshot.c and
 * triton_volume_access.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "triton_volume.h"
#include "version.h"

struct subcommand {
	const char *name;
	const char *alias;
	int (*run)(struct cli *, int, char **);
	const char *usage;
};

static int cmd_help(struct cli *c, int argc, char **argv);

static const struct subcommand subcommands[] = {
    {"create", NULL, tv_create,
	"create [-n NAME] [-s SIZE] [-N NETWORK] [--tag K=V]... "
	"[-a AFFINITY]... [--from VOLUME@SNAPSHOT] [-j] [-w] "
	"[--wait-timeout SECS]\n"
	"    -n NAME              (default: one the VAPI makes up)\n"
	"    -s SIZE              10G, 10240M, ... (default: the VAPI's "
	"smallest size;\n"
	"                         with --from, the source volume's size)\n"
	"    -N NETWORK           (default: the network marked default)\n"
	"    --tag K=V            (no default)\n"
	"    -a AFFINITY          (no default)\n"
	"    --from VOL@SNAP      a copy of snapshot SNAP of volume VOL "
	"(no default)\n"
	"    --wait-timeout SECS  with -w (default: 120)"},
    {"list", "ls", tv_list,
	"list [-l] [-H] [-o COLS] [-s SORT] [-j] [FIELD=VALUE...]\n"
	"    columns: shortid id name size type resource state created age\n"
	"    filters: name size state owner type\n"
	"    -o COLS              (default: shortid,name,size,type,state,age;\n"
	"                         with -l id,name,size,type,resource,state,"
	"created)\n"
	"    -s SORT              (default: created)"},
    {"get", NULL, tv_get, "get [-j] VOLUME"},
    {"delete", "rm", tv_delete,
	"delete [-f] [-y] [-w] [--wait-timeout SECS] VOLUME...\n"
	"    --wait-timeout SECS  with -w (default: 120)"},
    {"sizes", NULL, tv_sizes,
	"sizes [-H] [-s SORT] [-j]\n"
	"    -s SORT              (default: size)"},
    {"rename", NULL, tv_rename, "rename VOLUME NEWNAME"},
    {"resize", NULL, tv_resize, "resize VOLUME SIZE"},
    {"snapshot", NULL, tv_snapshot,
	"snapshot create VOLUME NAME | snapshot list [-H] [-j] VOLUME |\n"
	"       snapshot delete VOLUME NAME | "
	"snapshot rollback [-y] VOLUME NAME"},
    {"networks", NULL, tv_networks,
	"networks [-l] [-H] [-o COLS] [-s SORT] [-j]\n"
	"    -o COLS              (default: shortid,name,subnet,default;\n"
	"                         with -l id,name,subnet,fabric,default)\n"
	"    -s SORT              (default: name)"},
    {"access", NULL, tv_access,
	"access grant VOLUME ADDRESS | access revoke VOLUME ADDRESS |\n"
	"       access list [-j] VOLUME"},
    {"help", NULL, cmd_help, "help [SUBCOMMAND]"},
};

static const struct subcommand *
find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(subcommands[i].name, name) == 0 ||
		    (subcommands[i].alias != NULL &&
			strcmp(subcommands[i].alias, name) == 0))
			return &subcommands[i];
	return NULL;
}

int
tv_help(const char *name)
{
	const struct subcommand *s = find_subcommand(name);

	if (s != NULL)
		printf("usage: %s %s\n", TV_PROG, s->usage);
	return CLI_EXIT_OK;
}

static void
usage_all(FILE *out)
{
	size_t i;

	fprintf(out,
	    "usage: %s [connection options] SUBCOMMAND [OPTIONS] [ARGS]\n"
	    "\nsubcommands:\n",
	    TV_PROG);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %s\n", subcommands[i].usage);
	fprintf(out, "\n%s", CLI_CONN_USAGE);
}

static int
cmd_help(struct cli *c, int argc, char **argv)
{
	const struct subcommand *s;

	if (argc < 2) {
		usage_all(stdout);
		return CLI_EXIT_OK;
	}
	if ((s = find_subcommand(argv[1])) == NULL)
		return cli_usage(c, "unknown subcommand \"%s\"", argv[1]);
	printf("usage: %s %s\n", TV_PROG, s->usage);
	return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    CLI_CONN_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	const struct subcommand *s;
	struct tnfs_err err;
	struct cli c;
	int opt, r, rc = CLI_EXIT_USAGE;

	cli_init(&c, TV_PROG);
	tnfs_err_clear(&err);
	/* '+': stop at the subcommand; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage_all(stdout);
			rc = CLI_EXIT_OK;
			goto out;
		}
		if (opt == 'V') {
			printf("%s %s\n", TV_PROG, TNFS_VERSION);
			rc = CLI_EXIT_OK;
			goto out;
		}
		if ((r = cli_conn_option(&c, opt, optarg)) == 1)
			continue;
		if (r == 0)
			cli_usage(&c, "bad option");
		goto out;
	}
	if (optind == argc) {
		cli_error(&c, "no subcommand given");
		usage_all(stderr);
		goto out;
	}
	if ((s = find_subcommand(argv[optind])) == NULL) {
		cli_usage(&c, "unknown subcommand \"%s\"", argv[optind]);
		goto out;
	}
	c.cmd = s->name;
	if (vapi_client_global_init(&err) == -1) {
		cli_error_err(&c, &err);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* GNU: restart the scan for the subcommand */
	opterr = 0; /* our own messages name the program, not argv[0] */
	rc = s->run(&c, argc, argv);
	vapi_client_global_cleanup();
out:
	cli_fini(&c);
	return rc;
}
