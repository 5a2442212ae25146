/*
 * cli_opts.h: the options of every subcommand of triton-volume and
 * tritonnfs-adm, declared as a table and parsed by one function.
 *
 * A subcommand lists the options it accepts (struct cli_opt rows, most
 * made with the CLI_OPT_* macros below) and where each value goes in one
 * struct cli_opts; the connection options (--url, --token, ...) are
 * accepted everywhere unless the table names them itself.  A value that
 * needs checking beyond its type is a CLI_CALL row.
 */
#ifndef TNFS_CLIENT_CLI_OPTS_H
#define TNFS_CLIENT_CLI_OPTS_H

#include <stddef.h>

#include "cli_common.h"

/* What the options set; each subcommand reads the fields its table names. */
struct cli_opts {
	int json;
	int yes;
	int no_header;
	int lng;
	int wait;
	int wait_timeout; /* seconds; the caller sets the default */
	int all;
	int operator;
	const char *cols;
	const char *sort;
	const char *name;
	const char *size;
	const char *network;
	const char *owner;
	const char *volume;
	const char *save;
	const char *usage; /* for the subcommand's help function */
	void *ctx; /* the subcommand's own state, for its CLI_CALL rows */
};

enum cli_opt_type {
	CLI_FLAG,    /* int field set to 1 */
	CLI_STR,     /* const char * field: the argument (borrowed from argv) */
	CLI_SECONDS, /* int field: cli_parse_seconds */
	CLI_CALL,    /* call(c, arg, opts): 0, or the exit code (printed) */
	CLI_HELP,    /* help(c, opts): print help, return the exit code */
};

struct cli_opt {
	const char *name; /* long name; NULL ends the table */
	int letter;       /* short name; 0: long only */
	enum cli_opt_type type;
	size_t off;  /* offsetof(struct cli_opts, field) for FLAG/STR/SECONDS */
	int has_arg; /* CLI_CALL: whether it takes an argument */
	int (*call)(struct cli *c, const char *arg, struct cli_opts *o);
};

#define CLI_OPT_FLAG(name, letter, field)                                      \
	{                                                                      \
		name, letter, CLI_FLAG, offsetof(struct cli_opts, field), 0,   \
		    NULL                                                       \
	}
#define CLI_OPT_STR(name, letter, field)                                       \
	{                                                                      \
		name, letter, CLI_STR, offsetof(struct cli_opts, field), 1,    \
		    NULL                                                       \
	}
#define CLI_OPT_SECONDS(name, letter, field)                                   \
	{                                                                      \
		name, letter, CLI_SECONDS, offsetof(struct cli_opts, field),   \
		    1, NULL                                                    \
	}
#define CLI_OPT_CALL(name, letter, has_arg, fn)                                \
	{                                                                      \
		name, letter, CLI_CALL, 0, has_arg, fn                         \
	}
#define CLI_OPT_HELP                                                           \
	{                                                                      \
		"help", 'h', CLI_HELP, 0, 0, NULL                              \
	}
#define CLI_OPT_END                                                            \
	{                                                                      \
		NULL, 0, CLI_FLAG, 0, 0, NULL                                  \
	}

/* The rows most listings share. */
#define CLI_OPT_JSON      CLI_OPT_FLAG("json", 'j', json)
#define CLI_OPT_NO_HEADER CLI_OPT_FLAG("no-header", 'H', no_header)
#define CLI_OPT_OUTPUT    CLI_OPT_STR("output", 'o', cols)
#define CLI_OPT_SORT      CLI_OPT_STR("sort-by", 's', sort)

/* cli_opts_parse's "go on": the options were read, optind is at the
 * first operand. */
#define CLI_OPTS_GO (-1)

/*
 * getopt_long over argv with spec and the connection options.  Returns
 * CLI_OPTS_GO, or an exit code: CLI_EXIT_USAGE after printing a usage
 * error (an unknown option, a missing or bad value), or what help
 * returned for -h/--help.  Fields of o not named by spec are untouched.
 */
int cli_opts_parse(struct cli *c, int argc, char **argv,
    const struct cli_opt *spec, struct cli_opts *o,
    int (*help)(struct cli *c, struct cli_opts *o));

/*
 * The options of a small subcommand, whose only options are some of -j
 * (--json), -y (--yes), -H (--no-header), -l (--long), -o (--output),
 * -s (--sort-by) and -h (--help, printing "usage: PROG usage"): those whose
 * letters are in letters.  o is cleared first.  Returns as cli_opts_parse.
 */
int cli_opts_parse_small(struct cli *c, int argc, char **argv,
    const char *letters, const char *usage, struct cli_opts *o);

#endif
