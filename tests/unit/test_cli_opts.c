/*
 * test_cli_opts.c: the one option parser of both command lines
 * (client/cli_opts.c): each row type, the connection options, a
 * subcommand's own --owner winning over the connection one, and bad,
 * missing and oversized values.
 */
#include <check.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check_tap.h"
#include "cli_common.h"
#include "cli_opts.h"

static int helped;

static int
help(struct cli *c, struct cli_opts *o)
{
	(void)c;
	(void)o;
	helped++;
	return CLI_EXIT_OK;
}

static int
no_x(struct cli *c, const char *arg, struct cli_opts *o)
{
	(void)o;
	if (strchr(arg, 'x') != NULL)
		return cli_usage(c, "no x in \"%s\"", arg);
	o->name = arg;
	return 0;
}

static int
owner_here(struct cli *c, const char *arg, struct cli_opts *o)
{
	(void)c;
	o->owner = arg;
	return 0;
}

static const struct cli_opt spec[] = {
    CLI_OPT_JSON,
    CLI_OPT_OUTPUT,
    CLI_OPT_FLAG("wait", 'w', wait),
    CLI_OPT_SECONDS("wait-timeout", 0, wait_timeout),
    CLI_OPT_CALL("name", 'n', 1, no_x),
    CLI_OPT_HELP,
    CLI_OPT_END,
};

static const struct cli_opt spec_owner[] = {
    CLI_OPT_CALL("owner", 0, 1, owner_here),
    CLI_OPT_END,
};

/* Run the parser over a NULL-terminated argv. */
static int
run(struct cli *c, const struct cli_opt *sp, struct cli_opts *o,
    const char *const *args)
{
	char *argv[16];
	int argc = 0;

	for (; args[argc] != NULL; argc++)
		argv[argc] = (char *)(uintptr_t)args[argc];
	argv[argc] = NULL;
	optind = 0; /* glibc: full reset, for the next argv */
	return cli_opts_parse(c, argc, argv, sp, o, help);
}

START_TEST(test_rows_fill_their_fields)
{
	const char *args[] = {"create", "-j", "--output", "a,b", "-w",
	    "--wait-timeout", "7", "-n", "vol", "rest", NULL};
	struct cli_opts o = {.wait_timeout = 99};
	struct cli c;

	cli_init(&c, "test");
	ck_assert_int_eq(run(&c, spec, &o, args), CLI_OPTS_GO);
	ck_assert_int_eq(o.json, 1);
	ck_assert_str_eq(o.cols, "a,b");
	ck_assert_int_eq(o.wait, 1);
	ck_assert_int_eq(o.wait_timeout, 7);
	ck_assert_str_eq(o.name, "vol");
	ck_assert_int_eq(o.yes, 0); /* not in the table: untouched */
	ck_assert_str_eq(args[optind], "rest");
	cli_fini(&c);
}
END_TEST

START_TEST(test_connection_options_everywhere)
{
	const char *args[] = {"get", "--url", "http://127.0.0.1:1", "--owner",
	    "11111111-2222-3333-4444-555555555555", NULL};
	struct cli_opts o = {0};
	struct cli c;

	cli_init(&c, "test");
	ck_assert_int_eq(run(&c, spec, &o, args), CLI_OPTS_GO);
	ck_assert_str_eq(c.url, "http://127.0.0.1:1");
	ck_assert_str_eq(c.owner, "11111111-2222-3333-4444-555555555555");
	ck_assert_ptr_null(o.owner);
	cli_fini(&c);
}
END_TEST

START_TEST(test_own_owner_wins)
{
	const char *args[] = {"list", "--owner", "someone", NULL};
	struct cli_opts o = {0};
	struct cli c;

	cli_init(&c, "test");
	ck_assert_int_eq(run(&c, spec_owner, &o, args), CLI_OPTS_GO);
	ck_assert_str_eq(o.owner, "someone");
	ck_assert_ptr_null(c.owner);
	cli_fini(&c);
}
END_TEST

START_TEST(test_help_stops)
{
	const char *args[] = {"create", "-j", "--help", "-w", NULL};
	struct cli_opts o = {0};
	struct cli c;

	helped = 0;
	cli_init(&c, "test");
	ck_assert_int_eq(run(&c, spec, &o, args), CLI_EXIT_OK);
	ck_assert_int_eq(helped, 1);
	ck_assert_int_eq(o.wait, 0);
	cli_fini(&c);
}
END_TEST

/* Each is a usage error, and the parse stops there. */
static const char *const bad_cases[][6] = {
    {"create", "--bogus", NULL},
    {"create", "-y", NULL},             /* another command's row */
    {"create", "-o", NULL},             /* missing value */
    {"create", "--wait-timeout", NULL}, /* missing value */
    {"create", "--wait-timeout", "-1", NULL},
    {"create", "--wait-timeout", "ten", NULL},
    {"create", "--wait-timeout", "99999999999999999999", NULL},
    {"create", "-n", "xx", NULL}, /* refused by its check */
    {"create", "-n", NULL},       /* missing value of a checked row */
    {"create", "--timeout", "0", NULL},
    {"create", "--json=yes", NULL}, /* a flag takes no value */
};

START_TEST(test_bad_values)
{
	struct cli_opts o = {0};
	struct cli c;
	FILE *saved = stderr;

	cli_init(&c, "test");
	stderr = fopen("/dev/null", "w");
	ck_assert_int_eq(run(&c, spec, &o, bad_cases[_i]), CLI_EXIT_USAGE);
	fclose(stderr);
	stderr = saved;
	cli_fini(&c);
}
END_TEST

START_TEST(test_small_subcommands)
{
	const char *ok[] = {"networks", "-l", "-H", "-s", "name", NULL};
	const char *bad[] = {"networks", "-y", NULL};
	struct cli_opts o;
	struct cli c;
	char *argv[8];
	int argc;
	FILE *saved = stderr;

	cli_init(&c, "test");
	for (argc = 0; ok[argc] != NULL; argc++)
		argv[argc] = (char *)(uintptr_t)ok[argc];
	optind = 0;
	ck_assert_int_eq(
	    cli_opts_parse_small(&c, argc, argv, "lHjo:s:h", "networks", &o),
	    CLI_OPTS_GO);
	ck_assert_int_eq(o.lng, 1);
	ck_assert_int_eq(o.no_header, 1);
	ck_assert_str_eq(o.sort, "name");
	for (argc = 0; bad[argc] != NULL; argc++)
		argv[argc] = (char *)(uintptr_t)bad[argc];
	optind = 0;
	stderr = fopen("/dev/null", "w");
	ck_assert_int_eq(
	    cli_opts_parse_small(&c, argc, argv, "lHjo:s:h", "networks", &o),
	    CLI_EXIT_USAGE);
	fclose(stderr);
	stderr = saved;
	cli_fini(&c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cli_opts");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_rows_fill_their_fields);
	tcase_add_test(tc, test_connection_options_everywhere);
	tcase_add_test(tc, test_own_owner_wins);
	tcase_add_test(tc, test_help_stops);
	tcase_add_loop_test(
	    tc, test_bad_values, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_small_subcommands);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
