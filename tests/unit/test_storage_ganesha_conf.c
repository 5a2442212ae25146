/*
 * test_storage_ganesha_conf.c: configuration text, validators, Export_Id
 * table and log reading of the ganesha exporter (vapi/ganesha_conf.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "ganesha_conf.h"

#define UA "11111111-2222-4333-8444-555555555555"
#define UB "21111111-2222-4333-8444-555555555555"
#define UC "31111111-2222-4333-8444-555555555555"

START_TEST(test_cidr)
{
	static const char *const good[] = {"10.0.0.0/24", "127.0.0.0/8",
	    "0.0.0.0/0", "192.168.1.7", "10.1.2.3/32", "1.2.3.4/9"};
	static const char *const bad[] = {"", "/", "10.0.0.0/", "10.0.0.0/33",
	    "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/1a", "10.0.0/24",
	    "010.0.0.0/8", "256.0.0.0/8", "::1", "10.0.0.0/24;", "10.0.0.0/24 ",
	    " 10.0.0.0/24", "a.b.c.d", "10.0.0.0/24\n",
	    "127.0.0.1;Access_Type=RW", "10.0.0.0/100", "1.2.3.4.5",
	    "123456789012345678901234567890"};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(ganesha_check_cidr(good[i], NULL) == 0,
		    "refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ganesha_check_cidr(bad[i], NULL) == -1,
		    "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_path)
{
	static const char *const good[] = {
	    "/", "/srv/exports/" UA, "/a b", "/x/..y"};
	static const char *const bad[] = {"", "relative", "/a\"b", "/a\\b",
	    "/a\nb", "/a/../b", "/a/..", "//a", "/a\x7f"};
	char longpath[1100];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(ganesha_check_path(good[i], "p", NULL) == 0,
		    "refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ganesha_check_path(bad[i], "p", NULL) == -1,
		    "accepted \"%s\"", bad[i]);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(ganesha_check_path(longpath, "p", NULL), -1);
}
END_TEST

START_TEST(test_exports_render)
{
	const char *clients[] = {"10.0.0.0/24", "127.0.0.0/8"};
	struct export_spec s[2] = {
	    {UA, "/srv/e/a", "/vol/a", clients, 2, 0, NULL, NULL, NULL, 0, 0, 0},
	    {UB, "/srv/e/b", "/vol/b", clients, 1, 1, NULL, NULL, NULL, 0, 0, 0},
	};
	unsigned ids[2] = {7, 8};
	char *out = NULL;

	ck_assert_int_eq(ganesha_conf_exports(s, ids, 2, 0, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "Export_Id = 7;"));
	ck_assert_ptr_nonnull(strstr(out, "Path = \"/srv/e/a\";"));
	ck_assert_ptr_nonnull(strstr(out, "Pseudo = \"/vol/a\";"));
	ck_assert_ptr_nonnull(
	    strstr(out, "Clients = 10.0.0.0/24, 127.0.0.0/8;"));
	ck_assert_ptr_nonnull(strstr(out, "Access_Type = None;"));
	ck_assert_ptr_nonnull(strstr(out, "Access_Type = RO;"));
	ck_assert_ptr_nonnull(strstr(out, "Squash = No_Root_Squash;"));
	ck_assert_ptr_nonnull(strstr(out, "Name = VFS;"));
	free(out);
	ck_assert_int_eq(ganesha_conf_exports(s, ids, 2, 1, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "Squash = Root_Squash;"));
	free(out);
	ck_assert_int_eq(ganesha_conf_exports(NULL, NULL, 0, 0, &out, NULL), 0);
	ck_assert_ptr_null(strstr(out, "EXPORT {"));
	free(out);
}
END_TEST

START_TEST(test_exports_refuse_hostile_specs)
{
	const char *ok[] = {"10.0.0.0/24"};
	const char *evil[] = {"10.0.0.0/24; } EXPORT { Path = \"/\""};
	struct export_spec cases[] = {
	    {UA, "/a\"; Path = \"/etc", "/v", ok, 1, 0, NULL, NULL, NULL, 0, 0, 0},
	    {UA, "/a", "v", ok, 1, 0, NULL, NULL, NULL, 0, 0, 0},
	    {UA, "/a", "/", ok, 1, 0, NULL, NULL, NULL, 0, 0, 0},
	    {UA, "/a", "/v", evil, 1, 0, NULL, NULL, NULL, 0, 0, 0},
	    {UA, "/a", "/v\n}", ok, 1, 0, NULL, NULL, NULL, 0, 0, 0},
	};
	unsigned id = 1, zero = 0;
	size_t i;
	char *out = NULL;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tnfs_err err = {0};

		ck_assert_msg(ganesha_conf_exports(
				  &cases[i], &id, 1, 0, &out, &err) == -1,
		    "case %zu accepted", i);
		ck_assert_ptr_null(out);
		ck_assert(tnfs_err_is(&err, TNFS_E_VALIDATION));
		ck_assert_ptr_nonnull(strstr(err.msg, UA));
	}
	ck_assert_int_eq(
	    ganesha_conf_exports(&cases[1], &zero, 0, 0, &out, NULL), 0);
	free(out);
}
END_TEST

/* A fenced volume that nobody holds is exported to nobody. */
START_TEST(test_exports_without_clients_admit_nobody)
{
	const char *ok[] = {"10.0.0.0/24"};
	struct export_spec s = {UA, "/a", "/v", ok, 0, 0, NULL, NULL, NULL, 0, 0, 0};
	unsigned id = 7;
	char *out = NULL;

	ck_assert_int_eq(ganesha_conf_exports(&s, &id, 1, 0, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "Access_Type = None;"));
	ck_assert_ptr_null(strstr(out, "CLIENT"));
	ck_assert_ptr_null(strstr(out, "10.0.0.0/24"));
	free(out);
}
END_TEST

START_TEST(test_main_conf)
{
	struct ganesha_main gm = {"127.0.0.1", 2049, 20048, "/var/lib/x/rec",
	    "/var/lib/x/exports.conf", NULL, NULL};
	char *out = NULL;

	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "NFS_Port = 2049;"));
	ck_assert_ptr_nonnull(strstr(out, "MNT_Port = 20048;"));
	ck_assert_ptr_nonnull(strstr(out, "Bind_addr = 127.0.0.1;"));
	ck_assert_ptr_nonnull(strstr(out, "mount_path_pseudo = true;"));
	ck_assert_ptr_nonnull(strstr(out, "Graceless = true;"));
	ck_assert_ptr_nonnull(
	    strstr(out, "RecoveryRoot = \"/var/lib/x/rec\";"));
	ck_assert_ptr_nonnull(
	    strstr(out, "%include \"/var/lib/x/exports.conf\""));
	free(out);
	gm.mount_port = 2049;
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
	gm.mount_port = 70000;
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
	gm.mount_port = 20048;
	gm.bind_addr = "10.0.0.0/8";
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
	gm.bind_addr = "0.0.0.0";
	gm.exports_file = "x\"y";
	ck_assert_int_eq(ganesha_conf_main(&gm, &out, NULL), -1);
}
END_TEST

START_TEST(test_ids_stable_and_not_reused_at_once)
{
	struct ganesha_ids *ids = ganesha_ids_parse(NULL, NULL);
	const char *keep[] = {UB};
	unsigned a, b, c;
	char *text = NULL;

	ck_assert_ptr_nonnull(ids);
	ck_assert_int_eq(ganesha_ids_unsaved(ids), 0);
	a = ganesha_ids_get(ids, UA, NULL);
	ck_assert_int_eq(ganesha_ids_unsaved(ids), 1); /* an id given */
	b = ganesha_ids_get(ids, UB, NULL);
	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 2);
	ganesha_ids_saved(ids);
	ck_assert_uint_eq(ganesha_ids_get(ids, UA, NULL), a);
	ck_assert_int_eq(ganesha_ids_unsaved(ids), 0); /* one it had */
	ganesha_ids_retain(ids, keep, 1);
	ck_assert_int_eq(ganesha_ids_unsaved(ids), 1); /* UA forgotten */
	ganesha_ids_saved(ids);
	ganesha_ids_retain(ids, keep, 1);
	ck_assert_int_eq(ganesha_ids_unsaved(ids), 0); /* nothing forgotten */
	c = ganesha_ids_get(ids, UC, NULL);
	ck_assert_uint_eq(c, 3); /* not UA's freed 1 */
	ck_assert_uint_eq(ganesha_ids_get(ids, "not-a-uuid", NULL), 0);
	ck_assert_int_eq(ganesha_ids_format(ids, &text, NULL), 0);
	ganesha_ids_free(ids);
	ids = ganesha_ids_parse(text, NULL);
	ck_assert_ptr_nonnull(ids);
	ck_assert_int_eq(ganesha_ids_unsaved(ids), 0); /* as on disk */
	ck_assert_uint_eq(ganesha_ids_get(ids, UB, NULL), b);
	ck_assert_uint_eq(ganesha_ids_get(ids, UC, NULL), c);
	ck_assert_uint_eq(ganesha_ids_get(ids, UA, NULL), 4);
	ganesha_ids_free(ids);
	free(text);
	/* Wraps past 65535 to the smallest free id. */
	ids = ganesha_ids_parse("next 65535\n" UB " 1\n", NULL);
	ck_assert_uint_eq(ganesha_ids_get(ids, UA, NULL), 65535);
	ck_assert_uint_eq(ganesha_ids_get(ids, UC, NULL), 2);
	ganesha_ids_free(ids);
}
END_TEST

START_TEST(test_ids_parse_hostile)
{
	static const char *const bad[] = {
	    "nope 1\n",
	    "next\n",
	    "next 0\n",
	    "next 65536\n",
	    "next -1\n",
	    "next 1\nnot-a-uuid 3\n",
	    "next 1\n" UA " 0\n",
	    "next 1\n" UA " 70000\n",
	    "next 1\n" UA " 3\n" UA " 4\n",
	    "next 1\n" UA " 3\n" UB " 3\n",
	    "next 1\n" UA " 3 extra\n",
	    "next 1\n" UA " 03\n",
	    "next 1\n" UA " 3x\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tnfs_err err = {0};

		ck_assert_msg(ganesha_ids_parse(bad[i], &err) == NULL,
		    "accepted case %zu", i);
		ck_assert(tnfs_err_isset(&err));
	}
}
END_TEST

START_TEST(test_log_scan)
{
	static const char ok[] =
	    "d : e : vm : nfs-ganesha-1[sigmgr] sigmgr_thread :MAIN :EVENT "
	    ":SIGHUP_HANDLER: Received SIGHUP.... initiating export list "
	    "reload\n"
	    "d : e : vm : nfs-ganesha-1[sigmgr] posix_create_fs_btrfs_subvols "
	    ":FSAL :WARN :btfs filesystem /x may have unsupported subvols\n"
	    "d : e : vm : nfs-ganesha-1[sigmgr] reread_exports :CONFIG :EVENT "
	    ":Reread exports complete\n";
	static const char bad[] =
	    "d : e : vm : nfs-ganesha-1[sigmgr] vfs_create_export :FSAL :CRIT "
	    ":resolve_posix_filesystem(/nonexistent) returned No such file "
	    "or directory (2)\n"
	    "d : e : vm : nfs-ganesha-1[sigmgr] reread_exports :CONFIG :EVENT "
	    ":Reread exports complete\n";
	static const char syntax[] =
	    "d : e : vm : nfs-ganesha-1[sigmgr] reread_exports :CONFIG :EVENT "
	    ":Reread exports complete\n"
	    "d : e : vm : nfs-ganesha-1[sigmgr] config_errs_to_log :CONFIG "
	    ":WARN :Config File (g1.conf:0): Configuration syntax errors "
	    "found\n";
	static const char dbus[] =
	    "d : e : vm : nfs-ganesha-1[main] gsh_dbus_pkginit :DBUS :CRIT "
	    ":dbus_bus_get failed\n";
	char complaint[256] = "";
	int failed = 0;

	ck_assert_int_eq(ganesha_log_scan(ok, &failed, complaint, 256), 1);
	ck_assert_int_eq(failed, 0);
	ck_assert_int_eq(ganesha_log_scan(bad, &failed, complaint, 256), 1);
	ck_assert_int_eq(failed, 1);
	ck_assert_str_eq(complaint,
	    "vfs_create_export :FSAL :CRIT :resolve_posix_filesystem("
	    "/nonexistent) returned No such file or directory (2)");
	failed = 0;
	ck_assert_int_eq(ganesha_log_scan(syntax, &failed, complaint, 256), 1);
	ck_assert_int_eq(failed, 1);
	failed = 0;
	ck_assert_int_eq(ganesha_log_scan(dbus, &failed, complaint, 256), 0);
	ck_assert_int_eq(failed, 0);
	/* A line still being written counts for nothing yet. */
	ck_assert_int_eq(ganesha_log_scan("x :CONFIG :EVENT :Reread exports "
					  "complete",
			     &failed, complaint, 256),
	    0);
	ck_assert_int_eq(ganesha_log_scan("", &failed, complaint, 256), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("storage_ganesha_conf");
	TCase *tc = tcase_create("conf");

	tcase_add_test(tc, test_cidr);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_exports_render);
	tcase_add_test(tc, test_exports_refuse_hostile_specs);
	tcase_add_test(tc, test_exports_without_clients_admit_nobody);
	tcase_add_test(tc, test_main_conf);
	tcase_add_test(tc, test_ids_stable_and_not_reused_at_once);
	tcase_add_test(tc, test_ids_parse_hostile);
	tcase_add_test(tc, test_log_scan);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
