/*
 * test_vapi_config.c: the configuration file and flags, good and hostile:
 * unknown keys, bad networks and tokens, the refusal to listen in the open
 * without tokens, the built-in network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_tap.h"
#include "vapi_config.h"

static char path[64];

static int
load(const char *json, struct vapi_config *cfg, struct tnfs_err *err)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/tnfs-config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(json, f);
	fclose(f);
	vapi_config_defaults(cfg);
	fd = config_load_file(cfg, path, err);
	unlink(path);
	return fd;
}

#define NET "\"uuid\":\"0a0a0a0a-0000-4000-8000-000000000001\",\"name\":\"n\","
#define H64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct {
	const char *json;
	const char *msg; /* NULL: accepted */
} files[] = {
    {"{}", NULL},
    {"{\"listen\":\"tcp:127.0.0.1:8080\",\"sizes\":[20480,10240]}", NULL},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"owner_uuids\":[\"0a0a0a0a-0000-4000-8000-000000000002\"],"
     "\"fabric\":false,\"default\":true,\"mount_port\":3000}]}",
	NULL},
    {"{\"tokens\":[{\"sha256\":\"" H64 "\",\"role\":\"operator\"}]}", NULL},
    /* hostile */
    {"", "empty JSON"},
    {"[]", "must be a JSON object"},
    {"null", "must be a JSON object"},
    {"{\"bogus\":1}", "unknown configuration key bogus"},
    {"{\"listen\":5}", "listen must be a string"},
    {"{\"sizes\":[]}", "sizes must be a non-empty array"},
    {"{\"sizes\":[0]}", "sizes[0] must be a positive integer"},
    {"{\"sizes\":[\"10G\"]}", "sizes[0] must be a positive integer"},
    {"{\"sizes\":[10240,10240]}", "lists 10240 twice"},
    {"{\"ref_lease_seconds\":0}", "ref_lease_seconds must be an integer"},
    {"{\"workers\":1000}", "workers must be an integer"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/33\",\"nfs_address\":"
     "\"10.0.0.5\"}]}",
	"not an IPv4 CIDR"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"host.example\"}]}",
	"not an IPv4 address"},
    {"{\"networks\":[{\"uuid\":\"X\",\"name\":\"n\",\"subnet\":\"10.0.0.0/"
     "24\",\"nfs_address\":\"10.0.0.5\"}]}",
	"not a lowercase UUID"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"extra\":1}]}",
	"unknown key networks[0].extra"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"nfs_port\":70000}]}",
	"nfs_port must be an integer"},
    {"{\"tokens\":[{\"sha256\":\"abc\",\"role\":\"operator\"}]}",
	"64 lowercase hex"},
    {"{\"tokens\":[{\"sha256\":\"" H64 "\"}]}", "needs either"},
    {"{\"tokens\":[{\"sha256\":\"" H64 "\",\"role\":\"admin\"}]}",
	"needs either"},
    {"{\"tokens\":[{\"sha256\":\"" H64 "\",\"owner_uuid\":\"x\"}]}",
	"needs either"},
    {"{\"tokens\":{}}", "tokens must be an array of at most 256"},
    /* every kind of top-level key, each with a value of the wrong kind */
    {"{\"state_dir\":true}", "state_dir must be a string"},
    {"{\"store\":null}", "store must be a string"},
    {"{\"host_ttl_seconds\":0}",
	"host_ttl_seconds must be an integer from 1 to 86400"},
    {"{\"snapshot_limit\":-1}",
	"snapshot_limit must be an integer from 0 to 100000"},
    {"{\"storage_timeout_seconds\":1.5}",
	"storage_timeout_seconds must be an integer from 1 to 86400"},
    {"{\"mount_port\":\"20048\"}",
	"mount_port must be an integer from 1 to 65535"},
    {"{\"nfs_port\":65536}", "nfs_port must be an integer from 1 to 65535"},
    {"{\"auth\":\"open\"}", "auth must be \"tokens\" or \"none\""},
    {"{\"auth\":1}", "auth must be \"tokens\" or \"none\""},
    {"{\"host_address\":\"both\"}",
	"host_address must be \"peer\" or \"declared\""},
    {"{\"root_squash\":\"yes\"}", "root_squash must be a boolean"},
    {"{\"networks\":{}}", "networks must be an array of at most 64"},
    {"{\"networks\":[5]}", "networks[0] must be an object"},
    /* every key of a network, each wrong */
    {"{\"networks\":[{\"uuid\":\"0a0a0a0a-0000-4000-8000-000000000001\","
     "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":\"10.0.0.5\"}]}",
	"networks[].name must be a string"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"advertise_address\":5}]}",
	"networks[].advertise_address must be a string"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"advertise_mount_port\":0}]}",
	"networks[0].advertise_mount_port must be an integer from 1 to 65535"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"fabric\":\"yes\"}]}",
	"networks[0].fabric must be a boolean"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"default\":1}]}",
	"networks[0].default must be a boolean"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"owner_uuids\":\"x\"}]}",
	"networks[0].owner_uuids must be an array of at most 64 UUIDs"},
    {"{\"networks\":[{" NET "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":"
     "\"10.0.0.5\",\"owner_uuids\":[\"0a0a0a0a-0000-4000-8000-000000000002\","
     "7]}]}",
	"networks[0].owner_uuids[1] is not a UUID"},
    {"{\"networks\":[{\"uuid\":\"0a0a0a0a-0000-4000-8000-000000000001\","
     "\"name\":\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
     "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\","
     "\"subnet\":\"10.0.0.0/24\",\"nfs_address\":\"10.0.0.5\"}]}",
	"networks[].name is too long (at most 127 bytes)"},
};

START_TEST(test_files)
{
	static struct vapi_config cfg;
	struct tnfs_err err;
	int rc;

	tnfs_err_clear(&err);
	rc = load(files[_i].json, &cfg, &err);
	if (files[_i].msg == NULL)
		ck_assert_msg(rc == 0, "%s: %s", files[_i].json, err.msg);
	else {
		ck_assert_msg(rc == -1, "%s accepted", files[_i].json);
		ck_assert_msg(strstr(err.msg, files[_i].msg) != NULL,
		    "%s: got %s", files[_i].json, err.msg);
	}
}
END_TEST

START_TEST(test_sizes_sorted)
{
	static struct vapi_config cfg;
	struct tnfs_err err;

	ck_assert_int_eq(
	    load("{\"sizes\":[30720,10240,20480]}", &cfg, &err), 0);
	ck_assert_uint_eq(cfg.nsizes, 3);
	ck_assert_uint_eq(cfg.sizes[0], 10240);
	ck_assert_uint_eq(cfg.sizes[2], 30720);
}
END_TEST

START_TEST(test_defaults_and_builtin_network)
{
	static struct vapi_config cfg;
	struct tnfs_err err;
	char *argv[] = {"vapi", "--listen", "tcp:127.0.0.1:8080", "--store",
	    "sqlite:/tmp/x.db", "--storage", "dir:/tmp/v", "--exports", "none",
	    NULL};

	vapi_config_defaults(&cfg);
	ck_assert_uint_eq(cfg.nsizes, 19);
	ck_assert_uint_eq(cfg.sizes[0], 10240);
	ck_assert_uint_eq(cfg.sizes[18], 1024000);
	ck_assert_int_eq(cfg.ref_lease_s, 600);
	ck_assert_int_eq(cfg.snapshot_limit, 16);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 9, argv, &err), 0);
	ck_assert_int_eq(config_finish(&cfg, &err), 0);
	ck_assert_uint_eq(cfg.nnetworks, 1);
	ck_assert_int_eq(cfg.networks_builtin, 1);
	ck_assert_str_eq(cfg.networks[0].name, "default");
	ck_assert_str_eq(cfg.networks[0].subnet, "127.0.0.0/8");
	ck_assert_str_eq(cfg.networks[0].nfs_address, "127.0.0.1");
	ck_assert_int_eq(cfg.networks[0].nfs_port, 2049);
	ck_assert_str_eq(cfg.state_dir, "/tmp");
}
END_TEST

/* ganesha-ceph:CONF takes a path: as long as one, and refused beyond. */
START_TEST(test_exports_ceph_conf_path)
{
	static struct vapi_config cfg;
	struct tnfs_err err;
	char spec[2048], *argv[] = {"vapi", "--exports", spec, NULL};

	vapi_config_defaults(&cfg);
	snprintf(spec, sizeof(spec), "ganesha-ceph:/tmp/tnfs-vapi_cephfs."
	    "dmff2R/d.GPByl6/ceph/a-cluster-with-a-long-name/ceph.conf");
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 3, argv, &err), 0);
	ck_assert_str_eq(cfg.exports, spec);
	memset(spec, 'x', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 3, argv, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "--exports is too long"));
}
END_TEST

START_TEST(test_listen_rules)
{
	static struct vapi_config cfg;
	struct tnfs_err err;

	ck_assert(config_listen_is_local("tcp:127.0.0.1:80"));
	ck_assert(config_listen_is_local("tcp:localhost:80"));
	ck_assert(config_listen_is_local("tcp:[::1]:80"));
	ck_assert(config_listen_is_local("unix:/run/x.sock"));
	ck_assert(!config_listen_is_local("tcp:0.0.0.0:80"));
	ck_assert(!config_listen_is_local("tcp:10.0.0.5:80"));
	ck_assert(!config_listen_is_local("tcp:127.0.0.1.evil.example:80"));
	vapi_config_defaults(&cfg);
	snprintf(cfg.listen, sizeof(cfg.listen), "tcp:0.0.0.0:8080");
	snprintf(cfg.store, sizeof(cfg.store), "sqlite:/tmp/x.db");
	snprintf(cfg.storage, sizeof(cfg.storage), "dir:/tmp/v");
	ck_assert_int_eq(config_finish(&cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "without tokens"));
	snprintf(cfg.listen, sizeof(cfg.listen), "http://x");
	ck_assert_int_eq(config_finish(&cfg, &err), -1);
}
END_TEST

START_TEST(test_bad_flags)
{
	static struct vapi_config cfg;
	struct tnfs_err err;
	char *a1[] = {"vapi", "--bogus", NULL};
	char *a2[] = {"vapi", "--workers", "0x10", NULL};
	char *a3[] = {"vapi", "--listen", NULL};
	char *a4[] = {"vapi", "stray", NULL};
	char *a5[] = {"vapi", "--config", "/nonexistent/vapi.json", NULL};

	char *a6[] = {"vapi", "--host-ttl", "0", NULL};
	char *a7[] = {"vapi", "--snapshot-limit", "100001", NULL};

	vapi_config_defaults(&cfg);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 3, a6, &err), -1);
	ck_assert_str_eq(err.msg, "--host-ttl must be at least 1");
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 3, a7, &err), -1);
	ck_assert_msg(strstr(err.msg, "--snapshot-limit") != NULL, "%s", err.msg);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 2, a1, &err), -1);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 3, a2, &err), -1);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 2, a3, &err), -1);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 2, a4, &err), -1);
	ck_assert_int_eq(vapi_config_parse_args(&cfg, 3, a5, &err), -1);
}
END_TEST

START_TEST(test_flags_set_each_setting)
{
	static struct vapi_config cfg;
	struct tnfs_err err;
	char *a[] = {"vapi", "--listen", "tcp:127.0.0.1:1", "--store",
	    "sqlite:/x/s.db", "--storage", "dir:/x", "--exports", "ganesha",
	    "--state-dir", "/s", "--log-level", "debug", "--ref-lease", "5",
	    "--host-ttl", "6", "--snapshot-limit", "7", "--workers", "8",
	    "--allow-unauthenticated", NULL};

	tnfs_err_clear(&err);
	vapi_config_defaults(&cfg);
	ck_assert_int_eq(vapi_config_parse_args(&cfg,
			     (int)(sizeof(a) / sizeof(a[0])) - 1, a, &err),
	    0);
	ck_assert_str_eq(cfg.listen, "tcp:127.0.0.1:1");
	ck_assert_str_eq(cfg.store, "sqlite:/x/s.db");
	ck_assert_str_eq(cfg.storage, "dir:/x");
	ck_assert_str_eq(cfg.exports, "ganesha");
	ck_assert_str_eq(cfg.state_dir, "/s");
	ck_assert_str_eq(cfg.log_level, "debug");
	ck_assert_int_eq(cfg.ref_lease_s, 5);
	ck_assert_int_eq(cfg.host_ttl_s, 6);
	ck_assert_int_eq(cfg.snapshot_limit, 7);
	ck_assert_int_eq(cfg.workers, 8);
	ck_assert_int_eq(cfg.auth, VAPI_AUTH_NONE);
}
END_TEST

/* A postgresql store: accepted with a state directory; never echoed. */
START_TEST(test_store_specs)
{
	static struct vapi_config cfg;
	struct tnfs_err err;

	vapi_config_defaults(&cfg);
	snprintf(cfg.listen, sizeof(cfg.listen), "tcp:127.0.0.1:8080");
	snprintf(cfg.storage, sizeof(cfg.storage), "dir:/tmp/v");
	snprintf(cfg.store, sizeof(cfg.store),
	    "postgresql:host=/run/postgresql password=Sec4et dbname=v");
	ck_assert_int_eq(config_finish(&cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "--state-dir"));
	ck_assert_ptr_null(strstr(err.msg, "Sec4et"));
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "/var/lib/tnfs");
	ck_assert_int_eq(config_finish(&cfg, &err), 0);
	ck_assert_str_eq(cfg.state_dir, "/var/lib/tnfs");
	snprintf(cfg.store, sizeof(cfg.store), "postgresql:");
	ck_assert_int_eq(config_finish(&cfg, &err), -1);
	snprintf(cfg.store, sizeof(cfg.store), "mysql:password=Sec4et");
	ck_assert_int_eq(config_finish(&cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "postgresql:CONNINFO"));
	ck_assert_ptr_null(strstr(err.msg, "Sec4et"));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_config");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(
	    tc, test_files, 0, sizeof(files) / sizeof(files[0]));
	tcase_add_test(tc, test_sizes_sorted);
	tcase_add_test(tc, test_defaults_and_builtin_network);
	tcase_add_test(tc, test_exports_ceph_conf_path);
	tcase_add_test(tc, test_listen_rules);
	tcase_add_test(tc, test_bad_flags);
	tcase_add_test(tc, test_flags_set_each_setting);
	tcase_add_test(tc, test_store_specs);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
