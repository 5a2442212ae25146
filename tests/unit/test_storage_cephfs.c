/*
 * test_storage_cephfs.c: what the cephfs storage backend and the
 * ganesha-ceph exporter accept before they talk to Ceph: the storage spec
 * (vapi/storage_cephfs.c) and the FSAL_CEPH text of the shared ganesha
 * configuration writer (vapi/ganesha_conf.c).  The cluster itself is
 * exercised by tests/integration/ceph_*.sh and vapi_cephfs.sh.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "check_tap.h"
#include "exports.h"
#include "ganesha_conf.h"
#include "placement.h"
#include "storage_impl.h"

#define UA  "11111111-2222-4333-8444-555555555555"
#define KEY "AQBbZ2Vm7vq8JxAAcYx1cT0b6d5Qe9Yw2mF+Qw=="

static char conf[64], state[64];

static void
setup(void)
{
	int fd;

	snprintf(conf, sizeof(conf), "/tmp/tnfs-cephconf.XXXXXX");
	fd = mkstemp(conf);
	ck_assert_int_ne(fd, -1);
	close(fd);
	snprintf(state, sizeof(state), "/tmp/tnfs-cephstate.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state));
}

static void
teardown(void)
{
	char f[128];

	snprintf(f, sizeof(f), "%s/cephfs-orphans", state);
	unlink(f);
	rmdir(state);
	unlink(conf);
}

START_TEST(test_spec_good)
{
	static const char *const tails[] = {"", ",fs=cephfs",
	    ",fs=a,group=tnfs_1,client=vapi.a,keyring=/etc/ceph/k",
	    ",group=g-2", ",client=admin"};
	char spec[256];
	struct tnfs_err err = {0};
	size_t i;
	void *b;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(spec, sizeof(spec), "%s%s", conf, tails[i]);
		b = storage_cephfs_ops.open(spec, state, &err);
		ck_assert_msg(b != NULL, "refused %s: %s", spec, err.msg);
		storage_cephfs_ops.close(b);
	}
}
END_TEST

START_TEST(test_spec_hostile)
{
	static const char *const tails[] = {",fs=", ",fs=a b", ",fs=-x",
	    ",fs=a;b", ",group=\"x\"", ",group=a/b",
	    ",group=aaaaaaaaaaaaaaaaaaaaaaaaa", ",client=..", ",client=.x",
	    ",keyring=relative", ",bogus=1", ",fs", ",", ",fs=a\nb",
	    ",fs="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	char spec[256];
	struct tnfs_err err = {0};
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(spec, sizeof(spec), "%s%s", conf, tails[i]);
		tnfs_err_clear(&err);
		ck_assert_msg(
		    storage_cephfs_ops.open(spec, state, &err) == NULL,
		    "accepted \"%s\"", spec);
		ck_assert_str_eq(err.code, "ValidationError");
	}
	ck_assert_ptr_null(
	    storage_cephfs_ops.open("relative.conf", state, &err));
	ck_assert_ptr_null(
	    storage_cephfs_ops.open("/nonexistent/ceph.conf", state, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/ceph.conf"));
}
END_TEST

START_TEST(test_exports_fsal_ceph)
{
	const char *cl[] = {"10.0.0.0/24"};
	struct export_spec s = {.volume_uuid = UA,
	    .path = "/volumes/tritonnfs/" UA "/0f0e",
	    .pseudo = "/volumes/" UA,
	    .clients = cl,
	    .nclients = 1,
	    .ceph_fs = "cephfs",
	    .ceph_user = "tritonnfs-" UA,
	    .ceph_secret = KEY};
	unsigned id = 7;
	char *out = NULL;

	ck_assert_int_eq(ganesha_conf_exports(&s, &id, 1, 0, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "Name = CEPH;"));
	ck_assert_ptr_nonnull(strstr(out, "Filesystem = \"cephfs\";"));
	ck_assert_ptr_nonnull(strstr(out, "User_Id = \"tritonnfs-" UA "\";"));
	ck_assert_ptr_nonnull(strstr(out, "Secret_Access_Key = \"" KEY "\";"));
	ck_assert_ptr_null(strstr(out, "Name = VFS"));
	free(out);
}
END_TEST

START_TEST(test_exports_fsal_ceph_hostile)
{
	static const char *const bad[] = {"", "a\"b", "a;b", "a b", "a\nb",
	    "a}b", "a\\b",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	struct export_spec s = {.volume_uuid = UA,
	    .path = "/volumes/x",
	    .pseudo = "/volumes/" UA,
	    .ceph_fs = "cephfs",
	    .ceph_user = "u",
	    .ceph_secret = KEY};
	struct tnfs_err err = {0};
	unsigned id = 7;
	char *out = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct export_spec t = s;

		t.ceph_user = bad[i];
		ck_assert_int_eq(
		    ganesha_conf_exports(&t, &id, 1, 0, &out, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, UA));
		t = s;
		t.ceph_secret = bad[i];
		ck_assert_int_eq(
		    ganesha_conf_exports(&t, &id, 1, 0, &out, NULL), -1);
		t = s;
		t.ceph_fs = bad[i];
		ck_assert_int_eq(
		    ganesha_conf_exports(&t, &id, 1, 0, &out, NULL), -1);
	}
	s.ceph_secret = NULL;
	ck_assert_int_eq(ganesha_conf_exports(&s, &id, 1, 0, &out, NULL), -1);
}
END_TEST

START_TEST(test_main_conf_ceph_block)
{
	struct ganesha_main gm = {"127.0.0.1", 2049, 20048, "/var/lib/x/rec",
	    "/var/lib/x/exports.conf", "/etc/ceph/ceph.conf", NULL};
	char *out = NULL;

	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), 0);
	ck_assert_ptr_nonnull(
	    strstr(out, "CEPH {\n\tCeph_Conf = \"/etc/ceph/ceph.conf\";\n}"));
	free(out);
	gm.ceph_conf = "/etc/ceph/x\";\nEXPORT{";
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
	gm.ceph_conf = NULL;
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), 0);
	ck_assert_ptr_null(strstr(out, "CEPH"));
	free(out);
}
END_TEST

/* A head with RADOS recovery names its node id; hostile names refused. */
START_TEST(test_main_conf_rados_nodeid)
{
	struct exporter_rados r = {"admin", "nfs-ganesha", "tritonnfs",
	    "host1-head1"};
	struct ganesha_main gm = {"127.0.0.1", 2049, 20048, "/var/lib/x/rec",
	    "/var/lib/x/exports.conf", "/etc/ceph/ceph.conf", &r};
	char *out = NULL;

	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), 0);
	ck_assert_ptr_nonnull(
	    strstr(out, "RecoveryBackend = rados_cluster;"));
	ck_assert_ptr_nonnull(strstr(out, "\tnodeid = \"host1-head1\";\n"));
	ck_assert_ptr_null(strstr(out, "RecoveryBackend = fs"));
	ck_assert_ptr_null(strstr(out, "Graceless = true"));
	free(out);
	r.nodeid = "h\";\nEXPORT{";
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
	r.nodeid = "host1-head1";
	gm.ceph_conf = NULL;
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
}
END_TEST

START_TEST(test_exporter_specs)
{
	static const char *const bad[] = {"ganesha:x", "none:", "none:x",
	    "ganesha-ceph", "ganesha-ceph:", "ganesha-ceph:relative.conf",
	    "ganesha-ceph:/nonexistent/ceph.conf", "ganesha-cephx:/etc",
	    "ganesha-"};
	struct exporter_listen l = {"127.0.0.1", 2049, 20048};
	struct exporter_config cfg = {0};
	struct tnfs_err err = {0};
	struct exporter *ex;
	char dir[128], spec[256];
	struct stat sb;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/exports", state);
	cfg.state_dir = dir;
	cfg.listen = &l;
	cfg.nlisten = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tnfs_err_clear(&err);
		ck_assert_msg(exporter_open(bad[i], &cfg, &err) == NULL,
		    "accepted %s", bad[i]);
		ck_assert_str_eq(err.code, "ValidationError");
	}
	snprintf(spec, sizeof(spec), "ganesha-ceph:%s", conf);
	ex = exporter_open(spec, &cfg, &err);
	ck_assert_msg(ex != NULL, "refused %s: %s", spec, err.msg);
	/* The head's configuration holds the volumes' keys. */
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	exporter_close(ex);
	snprintf(spec, sizeof(spec), "%s/ganesha-recovery", dir);
	rmdir(spec);
	rmdir(dir);
}
END_TEST

/*
 * head=ADDRESS:NFS_PORT:MOUNT_PORT: extra heads, each in head-N;
 * failover=SECONDS, 0 to 86400.
 */
START_TEST(test_exporter_heads)
{
	static const char *const bad[] = {",head=", ",head=127.0.0.1",
	    ",head=127.0.0.1:2050", ",head=127.0.0.1:2050:", ",head=:2050:2051",
	    ",head=localhost:2050:2051", ",head=127.0.0.1:0:2051",
	    ",head=127.0.0.1:65536:2051", ",head=127.0.0.1:-1:2051",
	    ",head=127.0.0.1:2050:2050", ",head=127.0.0.1:2050:2051:9",
	    ",head=127.0.0.1:02050:2051", ",head=127.0.0.1: 2050:2051",
	    ",head=::1:2050:2051", ",head=127.0.0.1:2049:2051",
	    ",head=127.0.0.1:2050:20048",
	    ",head=127.0.0.1:2050:2051,head=127.0.0.1:2051:2052",
	    ",heads=2", ",", ",,head=127.0.0.1:2050:2051", ",fs=cephfs",
	    ",failover=", ",failover=-1", ",failover=x", ",failover=86401",
	    ",failover=1e3", ",failover= 5", ",failover=18446744073709551616",
	    ",head=127.0.0.1:2050:2051,head=127.0.0.1:2052:2053,"
	    "head=127.0.0.1:2054:2055,head=127.0.0.1:2056:2057,"
	    "head=127.0.0.1:2058:2059,head=127.0.0.1:2060:2061,"
	    "head=127.0.0.1:2062:2063,head=127.0.0.1:2064:2065",
	    ",head=127.0.0.1:2050:2051xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
	struct exporter_listen l = {"127.0.0.1", 2049, 20048};
	struct exporter_config cfg = {0};
	struct tnfs_err err = {0};
	struct exporter *ex;
	char dir[128], spec[1024], sub[256];
	struct stat sb;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/exports", state);
	cfg.state_dir = dir;
	cfg.listen = &l;
	cfg.nlisten = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tnfs_err_clear(&err);
		snprintf(spec, sizeof(spec), "ganesha-ceph:%s%s", conf, bad[i]);
		ck_assert_msg(exporter_open(spec, &cfg, &err) == NULL,
		    "accepted %s", spec);
		ck_assert_str_eq(err.code, "ValidationError");
	}
	snprintf(spec, sizeof(spec),
	    "ganesha-ceph:%s,head=127.0.0.1:2050:2051,head=10.0.0.2:2052:2053,"
	    "failover=0",
	    conf);
	ex = exporter_open(spec, &cfg, &err);
	ck_assert_msg(ex != NULL, "refused %s: %s", spec, err.msg);
	for (i = 1; i <= 2; i++) {
		snprintf(sub, sizeof(sub), "%s/head-%zu", dir, i);
		ck_assert_int_eq(stat(sub, &sb), 0);
		ck_assert_int_eq(sb.st_mode & 0777, 0700);
	}
	exporter_close(ex);
	for (i = 1; i <= 2; i++) {
		snprintf(sub, sizeof(sub), "%s/head-%zu/ganesha-recovery", dir, i);
		rmdir(sub);
		snprintf(sub, sizeof(sub), "%s/head-%zu", dir, i);
		rmdir(sub);
	}
	snprintf(sub, sizeof(sub), "%s/ganesha-recovery", dir);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

#define U(n) "00000000-0000-4000-8000-00000000000" #n

/* New volumes go to the head with the fewest; placed ones stay put. */
START_TEST(test_placement_fewest_volumes)
{
	static const struct {
		const char *uuid;
		int hint, want;
	} steps[] = {
	    {U(1), -1, 0}, /* tie: the lowest index */
	    {U(2), -1, 1},
	    {U(3), -1, 2},
	    {U(4), 0, 0}, /* a record naming its head goes back to it */
	    {U(5), -1, 1},
	    {U(1), 2, 0}, /* placed: the hint does not move it */
	    {U(6), 7, 2}, /* a hint past the heads: fewest */
	};
	struct placement *pl = placement_new(3);
	size_t i;

	ck_assert_ptr_nonnull(pl);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		ck_assert_int_eq(
		    placement_get(pl, steps[i].uuid, steps[i].hint, NULL),
		    steps[i].want);
	ck_assert_uint_eq(placement_count(pl, 0), 2);
	placement_free(pl);
	ck_assert_ptr_null(placement_new(0));
	placement_free(NULL);
}
END_TEST

/*
 * A head that stays down: its volumes move to the heads up, the fewest
 * first; it takes no new volume nor a record's hint; back up, it does.
 */
START_TEST(test_placement_evacuate)
{
	struct placement *pl = placement_new(3);
	size_t i;

	ck_assert_ptr_nonnull(pl);
	for (i = 0; i < 6; i++) {
		char u[40];

		snprintf(u, sizeof(u), "00000000-0000-4000-8000-0000000000%02zu",
		    i);
		ck_assert_int_eq(placement_get(pl, u, 2, NULL), 2);
	}
	ck_assert_int_eq(placement_get(pl, U(7), 1, NULL), 1);
	placement_set_down(pl, 2, 1);
	ck_assert_uint_eq(placement_evacuate(pl, 2), 6);
	ck_assert_uint_eq(placement_count(pl, 2), 0);
	/* Shared by load: head 1 had one already. */
	ck_assert_uint_eq(placement_count(pl, 0), 4);
	ck_assert_uint_eq(placement_count(pl, 1), 3);
	ck_assert_int_eq(placement_get(pl, U(8), 2, NULL), 1);
	ck_assert_int_eq(placement_get(pl, U(9), -1, NULL), 0);
	placement_set_down(pl, 2, 0);
	ck_assert_int_eq(placement_get(pl, U(6), -1, NULL), 2);
	/* Every head down: nothing to move to. */
	placement_set_down(pl, 0, 1);
	placement_set_down(pl, 1, 1);
	placement_set_down(pl, 2, 1);
	ck_assert_uint_eq(placement_evacuate(pl, 0), 0);
	ck_assert_uint_eq(placement_count(pl, 0), 5);
	placement_free(pl);
}
END_TEST

/* A sync forgets deleted volumes but not ones placed and not yet served. */
START_TEST(test_placement_synced_forgets_deleted)
{
	const char *const served[] = {U(1), U(2)};
	const char *const after[] = {U(2)};
	struct placement *pl = placement_new(2);

	ck_assert_int_eq(placement_get(pl, U(1), -1, NULL), 0);
	ck_assert_int_eq(placement_get(pl, U(2), -1, NULL), 1);
	placement_synced(pl, served, 2);
	ck_assert_int_eq(placement_get(pl, U(3), -1, NULL), 0); /* pending */
	placement_synced(pl, after, 1); /* U(1) deleted, U(3) in flight */
	ck_assert_uint_eq(placement_count(pl, 0), 1);
	ck_assert_uint_eq(placement_count(pl, 1), 1);
	ck_assert_int_eq(placement_get(pl, U(4), -1, NULL), 0);
	placement_free(pl);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("storage_cephfs");
	TCase *tc = tcase_create("spec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spec_good);
	tcase_add_test(tc, test_spec_hostile);
	tcase_add_test(tc, test_exports_fsal_ceph);
	tcase_add_test(tc, test_exports_fsal_ceph_hostile);
	tcase_add_test(tc, test_main_conf_ceph_block);
	tcase_add_test(tc, test_main_conf_rados_nodeid);
	tcase_add_test(tc, test_exporter_specs);
	tcase_add_test(tc, test_exporter_heads);
	tcase_add_test(tc, test_placement_fewest_volumes);
	tcase_add_test(tc, test_placement_evacuate);
	tcase_add_test(tc, test_placement_synced_forgets_deleted);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
