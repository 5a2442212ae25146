/*
 * cli_opts.c: one getopt_long loop for every subcommand (see cli_opts.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "cli_opts.h"

/* getopt_long's code for spec row i (above the connection options'). */
#define ROW_BASE 0x2000
#define ROWS_MAX 32

static const struct option conn_longopts[] = {
    CLI_CONN_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static int
spec_names(const struct cli_opt *spec, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(spec[i].name, name) == 0)
			return 1;
	return 0;
}

/* The getopt tables for spec; -1 when spec is larger than they hold. */
static int
build(const struct cli_opt *spec, struct option *longopts, size_t nlong,
    char *shortopts, size_t nshort)
{
	size_t n, i, l = 0, s = 0;

	for (n = 0; spec[n].name != NULL; n++)
		;
	if (n > ROWS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		int arg = spec[i].type == CLI_STR ||
		    spec[i].type == CLI_SECONDS ||
		    (spec[i].type == CLI_CALL && spec[i].has_arg);

		longopts[l].name = spec[i].name;
		longopts[l].has_arg = arg ? required_argument : no_argument;
		longopts[l].flag = NULL;
		longopts[l].val = ROW_BASE + (int)i;
		l++;
		if (spec[i].letter != 0 && s + 3 < nshort) {
			shortopts[s++] = (char)spec[i].letter;
			if (arg)
				shortopts[s++] = ':';
		}
	}
	/* A subcommand's own --owner (tritonnfs-adm's) wins. */
	for (i = 0; conn_longopts[i].name != NULL && l + 1 < nlong; i++)
		if (!spec_names(spec, n, conn_longopts[i].name))
			longopts[l++] = conn_longopts[i];
	memset(&longopts[l], 0, sizeof(longopts[l]));
	shortopts[s] = '\0';
	return 0;
}

/* The row getopt_long's opt stands for, or NULL. */
static const struct cli_opt *
row_of(const struct cli_opt *spec, int opt)
{
	size_t i;

	for (i = 0; spec[i].name != NULL; i++)
		if (opt == ROW_BASE + (int)i ||
		    (spec[i].letter != 0 && opt == spec[i].letter))
			return &spec[i];
	return NULL;
}

static int
apply(struct cli *c, const struct cli_opt *row, const char *arg,
    struct cli_opts *o)
{
	char *field = (char *)o + row->off;

	switch (row->type) {
	case CLI_FLAG:
		*(int *)(void *)field = 1;
		return 0;
	case CLI_STR:
		*(const char **)(void *)field = arg;
		return 0;
	case CLI_SECONDS:
		return cli_parse_seconds(c, arg, (int *)(void *)field) == -1
		    ? CLI_EXIT_USAGE
		    : 0;
	case CLI_CALL:
		return row->call(c, arg, o);
	case CLI_HELP:
		break; /* the caller's */
	}
	return CLI_EXIT_USAGE;
}

int
cli_opts_parse(struct cli *c, int argc, char **argv, const struct cli_opt *spec,
    struct cli_opts *o, int (*help)(struct cli *c, struct cli_opts *o))
{
	struct option longopts[ROWS_MAX + 8];
	char shortopts[2 * ROWS_MAX + 2];
	const struct cli_opt *row;
	int opt, r;

	if (build(spec, longopts, sizeof(longopts) / sizeof(longopts[0]),
		shortopts, sizeof(shortopts)) == -1)
		return cli_usage(c, "too many options for one command");
	opterr = 0;
	while (
	    (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if ((row = row_of(spec, opt)) != NULL) {
			if (row->type == CLI_HELP)
				return help(c, o);
			if ((r = apply(c, row, optarg, o)) != 0)
				return r;
			continue;
		}
		if (opt != '?' && opt != ':' &&
		    (r = cli_conn_option(c, opt, optarg)) != 0) {
			if (r == -1)
				return CLI_EXIT_USAGE;
			continue;
		}
		return cli_usage(c, "bad option \"%s\"",
		    optind > 0 && optind <= argc ? argv[optind - 1] : "?");
	}
	return CLI_OPTS_GO;
}
/* Options of the small subcommands: only -h, -j, -y and table flags. */
static const struct cli_opt small_rows[] = {
    CLI_OPT_JSON,
    CLI_OPT_FLAG("yes", 'y', yes),
    CLI_OPT_NO_HEADER,
    CLI_OPT_FLAG("long", 'l', lng),
    CLI_OPT_OUTPUT,
    CLI_OPT_SORT,
    CLI_OPT_HELP,
};

static int
small_help(struct cli *c, struct cli_opts *o)
{
	printf("usage: %s %s\n", c->prog, o->usage);
	return CLI_EXIT_OK;
}

int
cli_opts_parse_small(struct cli *c, int argc, char **argv, const char *letters,
    const char *usage, struct cli_opts *o)
{
	struct cli_opt spec[sizeof(small_rows) / sizeof(small_rows[0]) + 1];
	size_t i, n = 0;

	for (i = 0; i < sizeof(small_rows) / sizeof(small_rows[0]); i++)
		if (strchr(letters, small_rows[i].letter) != NULL)
			spec[n++] = small_rows[i];
	memset(&spec[n], 0, sizeof(spec[n]));
	memset(o, 0, sizeof(*o));
	o->usage = usage;
	return cli_opts_parse(c, argc, argv, spec, o, small_help);
}
