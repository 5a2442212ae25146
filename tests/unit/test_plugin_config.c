/*
 * test_plugin_config.c: flags, configuration files and machine-id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_tap.h"
#include "mounts.h"
#include "plugin_config.h"

#define OWNER "aaaaaaaa-2222-3333-4444-555555555555"
#define HOST  "bbbbbbbb-2222-3333-4444-555555555555"

static int
parse(
    struct plugin_config *c, int argc, const char **argv, struct tnfs_err *err)
{
	plugin_config_defaults(c);
	return plugin_config_parse_args(c, argc, (char **)(uintptr_t)argv, err);
}

START_TEST(test_flags_set_everything)
{
	const char *argv[] = {"p", "--socket", "/tmp/p.sock", "--vapi",
	    "http://127.0.0.1:8080", "--token", "t0k", "--owner", OWNER,
	    "--host-uuid", HOST, "--state-dir", "/tmp/st", "--mount-root",
	    "/tmp/mnt", "--mount-backend", "fuse", "--fuse-binary",
	    "/usr/bin/tritonnfs-fuse", "--linger", "0", "--log-level", "debug",
	    "--mount-timeout", "25", "--nfs-timeo", "100", "--nfs-retrans",
	    "0"};
	struct plugin_config c;
	struct tnfs_err err;

	ck_assert_int_eq(parse(&c, 29, argv, &err), CONFIG_RUN);
	ck_assert_int_eq(c.nfs_timeo_ds, 100);
	ck_assert_int_eq(c.nfs_retrans, 0);
	ck_assert_str_eq(c.socket, "/tmp/p.sock");
	ck_assert_str_eq(c.vapi, "http://127.0.0.1:8080");
	ck_assert_str_eq(c.owner, OWNER);
	ck_assert_str_eq(c.host_uuid, HOST);
	ck_assert_str_eq(c.mount_backend, "fuse");
	ck_assert_int_eq(c.linger_s, 0);
	ck_assert_int_eq(c.mount_timeout_s, 25);
	ck_assert_str_eq(c.log_level, "debug");
}
END_TEST

static const struct {
	const char *flag, *value, *msg_has;
} bad_flags[] = {
    {"--owner", "AAAAAAAA-2222-3333-4444-555555555555", "uuid"},
    {"--owner", "x", "uuid"},
    {"--host-uuid", "", "uuid"},
    {"--socket", "relative.sock", "absolute"},
    {"--socket",
	"/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock",
	"107"},
    {"--state-dir", "state", "absolute"},
    {"--mount-backend", "nfs", "auto, kernel or fuse"},
    {"--linger", "-1", "linger"},
    {"--linger", "1e3", "linger"},
    {"--mount-timeout", "120", "mount-timeout"},
    {"--mount-timeout", "0", "at least"},
    {"--unmount-timeout", "60", "unmount-timeout"},
    {"--log-level", "loud", "log-level"},
    {"--token", "a\nb", "control"},
    {"--bogus", "1", "unknown setting"},
    {"--nfs-timeo", "0", "at least 1"},
    {"--nfs-timeo", "6001", "nfs-timeo"},
    {"--nfs-timeo", "60s", "nfs-timeo"},
    {"--nfs-timeo", "-5", "nfs-timeo"},
    {"--nfs-retrans", "11", "nfs-retrans"},
    {"--nfs-retrans", "99999999999999999999", "nfs-retrans"},
    {"--nfs-retrans", "", "nfs-retrans"},
    {"--list-page", "0", "list-page: at least 1 volume"},
    {"--list-page", "10001", "list-page"},
    {"--list-page", "-1", "list-page"},
    {"--list-page", "5 00", "list-page"},
};

START_TEST(test_bad_flags_table)
{
	const char *argv[] = {"p", "--owner", OWNER, "--host-uuid", HOST,
	    bad_flags[_i].flag, bad_flags[_i].value};
	struct plugin_config c;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_int_eq(parse(&c, 7, argv, &err), -1);
	ck_assert_msg(strstr(err.msg, bad_flags[_i].msg_has) != NULL,
	    "%s %s: \"%s\" lacks \"%s\"", bad_flags[_i].flag,
	    bad_flags[_i].value, err.msg, bad_flags[_i].msg_has);
}
END_TEST

START_TEST(test_help_version_missing_owner)
{
	const char *h[] = {"p", "--help"}, *v[] = {"p", "--version"},
		   *none[] = {"p", "--host-uuid", HOST},
		   *dangling[] = {"p", "--owner"}, *pos[] = {"p", "extra"};
	struct plugin_config c;
	struct tnfs_err err;

	ck_assert_int_eq(parse(&c, 2, h, &err), CONFIG_HELP);
	ck_assert_int_eq(parse(&c, 2, v, &err), CONFIG_VERSION);
	ck_assert_int_eq(parse(&c, 3, none, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "--owner"));
	ck_assert_int_eq(parse(&c, 2, dangling, &err), -1);
	ck_assert_int_eq(parse(&c, 2, pos, &err), -1);
}
END_TEST

START_TEST(test_config_text)
{
	struct plugin_config c;
	struct tnfs_err err;

	plugin_config_defaults(&c);
	ck_assert_int_eq(config_apply_text(&c,
			     "# comment\n\n  vapi = unix:///run/v.sock  \n"
			     "owner=" OWNER "\r\nlinger = 5\n",
			     "f", &err),
	    0);
	ck_assert_str_eq(c.vapi, "unix:///run/v.sock");
	ck_assert_int_eq(c.linger_s, 5);
	ck_assert_int_eq(config_apply_text(&c, "linger\n", "f", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "f:1"));
	ck_assert_int_eq(config_apply_text(&c, "a=1\n", "f", &err), -1);
	ck_assert_int_eq(config_apply_text(&c, "config = /x\n", "f", &err), -1);
}
END_TEST

START_TEST(test_config_json)
{
	struct plugin_config c;
	struct tnfs_err err;

	plugin_config_defaults(&c);
	ck_assert_int_eq(config_apply_text(&c,
			     "\n {\"vapi\": \"http://10.0.0.5:8080\", \"owner\": \"" OWNER
			     "\", \"linger\": 5, \"mount_backend\": \"fuse\", "
			     "\"state_dir\": \"/srv/st\", \"nfs_retrans\": 3, "
			     "\"list_page\": 50}",
			     "p.json", &err),
	    0);
	ck_assert_str_eq(c.vapi, "http://10.0.0.5:8080");
	ck_assert_str_eq(c.owner, OWNER);
	ck_assert_str_eq(c.mount_backend, "fuse");
	ck_assert_str_eq(c.state_dir, "/srv/st");
	ck_assert_int_eq(c.linger_s, 5);
	ck_assert_int_eq(c.list_page, 50);
	/* What a host reaching the VAPI over a Unix socket must declare. */
	ck_assert_int_eq(config_apply_text(&c,
			     "{\"client_address\": \"127.0.0.1\", "
			     "\"hostname\": \"h1\", \"heartbeat\": 10}",
			     "p.json", &err),
	    0);
	ck_assert_str_eq(c.client_address, "127.0.0.1");
	ck_assert_str_eq(c.hostname, "h1");
	ck_assert_int_eq(c.heartbeat_s, 10);
	ck_assert_int_eq(c.nfs_retrans, 3);
}
END_TEST

/* Hostile and malformed JSON files: each refused with a message naming it. */
static const struct {
	const char *text, *msg_has;
} bad_json[] = {
    {"{\"vapi\": 5}", "vapi must be a string"},
    {"{\"linger\": \"5\"}", "linger must be a whole number"},
    {"{\"linger\": 5.5}", "whole number"},
    {"{\"linger\": -1}", "linger"},
    {"{\"linger\": 99999999999999999999}", "linger"},
    {"{\"mount_timeout\": 120}", "mount-timeout"},
    {"{\"list_page\": 0}", "list-page"},
    {"{\"list_page\": \"500\"}", "list_page must be a whole number"},
    {"{\"bogus\": 1}", "unknown configuration key bogus"},
    {"{\"state-dir\": \"/x\"}", "unknown configuration key state-dir"},
    {"{\"config\": \"/etc/x\"}", "unknown configuration key config"},
    {"{\"owner\": \"ABC\"}", "uuid"},
    {"{\"state_dir\": \"relative\"}", "absolute"},
    {"{\"token_file\": \"relative\"}", "absolute"},
    {"{\"token\": \"a\\u0000b\"}", "NUL"},
    {"{\"token\": \"a\\nb\"}", "control"},
    {"{\"vapi\": \"x\"", "p.json"},
    {"[1, 2]", "p.json"},
    {"{\"socket\": {\"a\": {\"b\": {\"c\": {\"d\": 1}}}}}", "p.json"},
    {"{\"owner\": null}", "owner must be a string"},
    {"{\"client_address\": \"::1\"}", "IPv4"},
    {"{\"client_address\": 127}", "client_address must be a string"},
};

START_TEST(test_config_json_bad_table)
{
	struct plugin_config c;
	struct tnfs_err err;

	plugin_config_defaults(&c);
	tnfs_err_clear(&err);
	ck_assert_int_eq(
	    config_apply_text(&c, bad_json[_i].text, "p.json", &err), -1);
	ck_assert_msg(strstr(err.msg, bad_json[_i].msg_has) != NULL,
	    "%s: \"%s\" lacks \"%s\"", bad_json[_i].text, err.msg,
	    bad_json[_i].msg_has);
	ck_assert_ptr_nonnull(strstr(err.msg, "p.json"));
}
END_TEST

static char tdir[64];

static void
write_file(const char *name, const char *text, mode_t mode, char *path,
    size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(test_token_sources)
{
	char cfgp[128], tokp[128], tok2p[128], worldp[128], json[512];
	struct plugin_config c;
	struct tnfs_err err;

	snprintf(tdir, sizeof(tdir), "/tmp/tnfs-test-pcfg.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	write_file("tok", "from-file\n", 0600, tokp, sizeof(tokp));
	write_file("tok2", "from-env-file\n", 0640, tok2p, sizeof(tok2p));
	write_file("world", "exposed\n", 0644, worldp, sizeof(worldp));
	snprintf(json, sizeof(json),
	    "{\"owner\": \"%s\", \"host_uuid\": \"%s\", \"token_file\": "
	    "\"%s\"}",
	    OWNER, HOST, tokp);
	write_file("p.json", json, 0600, cfgp, sizeof(cfgp));
	unsetenv("TRITONNFS_TOKEN");
	unsetenv("TRITONNFS_TOKEN_FILE");
	{
		const char *argv[] = {"p", "--config", cfgp};

		ck_assert_int_eq(parse(&c, 3, argv, &err), CONFIG_RUN);
		ck_assert_str_eq(c.token, "from-file");
	}
	/* The environment beats the file. */
	setenv("TRITONNFS_TOKEN", "from-env", 1);
	{
		const char *argv[] = {"p", "--config", cfgp};

		ck_assert_int_eq(parse(&c, 3, argv, &err), CONFIG_RUN);
		ck_assert_str_eq(c.token, "from-env");
	}
	unsetenv("TRITONNFS_TOKEN");
	setenv("TRITONNFS_TOKEN_FILE", tok2p, 1);
	{
		const char *argv[] = {"p", "--config", cfgp};

		ck_assert_int_eq(parse(&c, 3, argv, &err), CONFIG_RUN);
		ck_assert_str_eq(c.token, "from-env-file");
	}
	/* Flags beat the environment. */
	{
		const char *argv[] = {"p", "--config", cfgp, "--token", "flag"};

		ck_assert_int_eq(parse(&c, 5, argv, &err), CONFIG_RUN);
		ck_assert_str_eq(c.token, "flag");
	}
	setenv("TRITONNFS_TOKEN", "x", 1);
	{
		const char *argv[] = {"p", "--config", cfgp};

		ck_assert_int_eq(parse(&c, 3, argv, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "both set"));
	}
	unsetenv("TRITONNFS_TOKEN");
	unsetenv("TRITONNFS_TOKEN_FILE");
	{
		const char *argv[] = {"p", "--config", cfgp, "--token", "a",
		    "--token-file", tokp};

		ck_assert_int_eq(parse(&c, 7, argv, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "one of --token"));
	}
	{
		const char *argv[] = {
		    "p", "--config", cfgp, "--token-file", worldp};

		ck_assert_int_eq(parse(&c, 5, argv, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "chmod 600"));
	}
	{
		const char *argv[] = {"p", "--config", cfgp, "--check-config"};

		ck_assert_int_eq(parse(&c, 4, argv, &err), CONFIG_CHECK);
	}
	unlink(cfgp);
	unlink(tokp);
	unlink(tok2p);
	unlink(worldp);
	rmdir(tdir);
}
END_TEST

START_TEST(test_machine_id)
{
	char out[37];

	ck_assert_int_eq(config_machine_id_to_uuid(
			     "0123456789ABCDEF0123456789abcdef\n", out),
	    0);
	ck_assert_str_eq(out, "01234567-89ab-cdef-0123-456789abcdef");
	ck_assert_int_eq(config_machine_id_to_uuid("0123", out), -1);
	{
		struct plugin_config c;

		plugin_config_defaults(&c);
		ck_assert_int_eq(c.nfs_timeo_ds, 600);
		ck_assert_int_eq(c.nfs_retrans, 2);
	}
	ck_assert_int_eq(config_machine_id_to_uuid(
			     "0123456789abcdef0123456789abcdefff", out),
	    -1);
	ck_assert_int_eq(
	    config_machine_id_to_uuid("0123456789abcdef0123456789abcdeg", out),
	    -1);
}
END_TEST

START_TEST(test_kernel_options)
{
	struct mount_spec s = {.host = "10.0.2.100",
	    .export = "/volumes/x",
	    .nfs_port = 2049,
	    .mount_port = 20048,
	    .nfsvers = "3",
	    .target = "/m",
	    .timeo_ds = 600,
	    .retrans = 2};
	char buf[512], tiny[16], longhost[400];

	ck_assert_int_eq(mount_kernel_options(&s, "3", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf,
	    "vers=3,proto=tcp,timeo=600,retrans=2,sec=sys,nolock,rw,port=2049,"
	    "mountport=20048,mountproto=tcp,addr=10.0.2.100");
	s.ro = 1;
	s.timeo_ds = 100;
	s.retrans = 0;
	ck_assert_int_eq(mount_kernel_options(&s, "4.1", buf, sizeof(buf)), 0);
	/* No nolock nor MOUNT port for v4; hard is the kernel's default. */
	ck_assert_str_eq(buf,
	    "vers=4.1,proto=tcp,timeo=100,retrans=0,sec=sys,"
	    "ro,port=2049,addr=10.0.2.100");
	s.host = "fd00::5";
	ck_assert_int_eq(mount_kernel_options(&s, "4.2", buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, ",addr=fd00::5"));
	/* A name goes to mount.nfs, which resolves it: retry=0, no addr=. */
	s.host = "nfs.example.com";
	ck_assert_int_eq(mount_kernel_options(&s, "4.2", buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strstr(buf, "addr="));
	ck_assert_ptr_nonnull(strstr(buf, ",retry=0"));
	/* Too long for the buffer: refused, never cut. */
	ck_assert_int_eq(
	    mount_kernel_options(&s, "4.2", tiny, sizeof(tiny)), -1);
	/* Exactly full is too long too (room for the terminating NUL). */
	s.host = "10.0.2.100";
	ck_assert_int_eq(mount_kernel_options(&s, "4.2", buf, sizeof(buf)), 0);
	ck_assert_int_eq(
	    mount_kernel_options(&s, "4.2", longhost, strlen(buf)), -1);
	ck_assert_int_eq(
	    mount_kernel_options(&s, "4.2", longhost, strlen(buf) + 1), 0);
	ck_assert_str_eq(longhost, buf);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("plugin_config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_flags_set_everything);
	tcase_add_loop_test(tc, test_bad_flags_table, 0,
	    (int)(sizeof(bad_flags) / sizeof(bad_flags[0])));
	tcase_add_test(tc, test_help_version_missing_owner);
	tcase_add_test(tc, test_config_text);
	tcase_add_test(tc, test_config_json);
	tcase_add_loop_test(tc, test_config_json_bad_table, 0,
	    (int)(sizeof(bad_json) / sizeof(bad_json[0])));
	tcase_add_test(tc, test_token_sources);
	tcase_add_test(tc, test_machine_id);
	tcase_add_test(tc, test_kernel_options);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
