/*
 * test_fuse_opts.c: the command line of tritonnfs-fuse (fuse/opts.c),
 * good forms and hostile ones side by side.
 */
#include <check.h>
#include <string.h>

#include "../../fuse/opts.h"
#include "check_tap.h"

#define MAXARGS 8

struct parse_case {
	const char *argv[MAXARGS]; /* after argv[0], NULL-terminated */
	int ok;
	const char *msg_part; /* for failures: part of the message */
};

static const struct parse_case cases[] = {
    /* good */
    {{"h:/e", "/mnt", NULL}, 1, NULL},
    {{"127.0.0.1:/export", "/mnt", "-o", "port=2049,mountport=20048", NULL}, 1,
	NULL},
    {{"h:/e", "/mnt", "-onfsvers=4,ro", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "uid=1000,gid=1000,timeo=5,debug", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "defaults,_netdev,nofail,rw", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "noatime,max_read=65536", "-f", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "a,,b", NULL}, 1, NULL},
    {{"h:/e", "--check", NULL}, 1, NULL},
    {{"my-host.example_1:/a/b.c/d-e", "/m", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "conns=32", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "size=67108864", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "size=64M,size=1T", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "size=1048576K", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "size=1073741824G", NULL}, 1, NULL},
    {{"h:/e", "/mnt", "-o", "size=1152921504606846976", NULL}, 1, NULL},
    {{"--help", NULL}, 1, NULL},
    {{"h:/e", "--version", NULL}, 1, NULL},
    /* hostile or malformed */
    {{NULL}, 0, "missing SERVER"},
    {{"h:/e", NULL}, 0, "missing MOUNTPOINT"},
    {{"h:/e", "/m", "/x", NULL}, 0, "too many"},
    {{"h:/e", "--check", "/m", NULL}, 0, "--check takes no"},
    {{"h", "/m", NULL}, 0, "not SERVER:/EXPORT"},
    {{"h:e", "/m", NULL}, 0, "not SERVER:/EXPORT"},
    {{":/e", "/m", NULL}, 0, "server name"},
    {{"h h:/e", "/m", NULL}, 0, "server name"},
    {{"h/x:/e", "/m", NULL}, 0, "server name"},
    {{"[::1]:/e", "/m", NULL}, 0, "not SERVER:/EXPORT"},
    {{"h:/e?version=4", "/m", NULL}, 0, "export path"},
    {{"h:/e&nfsport=1", "/m", NULL}, 0, "export path"},
    {{"h:/e%00", "/m", NULL}, 0, "export path"},
    {{"h:/e#x", "/m", NULL}, 0, "export path"},
    {{"h:/e x", "/m", NULL}, 0, "export path"},
    {{"h:/a/../b", "/m", NULL}, 0, ".."},
    {{"h:/a/..", "/m", NULL}, 0, ".."},
    {{"h:/e", "/m", "-o", NULL}, 0, "-o needs"},
    {{"h:/e", "/m", "-x", NULL}, 0, "unknown argument"},
    {{"h:/e", "/m", "-o", "nfsvers=2", NULL}, 0, "3 or 4"},
    {{"h:/e", "/m", "-o", "nfsvers", NULL}, 0, "3 or 4"},
    {{"h:/e", "/m", "-o", "nfsvers=33", NULL}, 0, "3 or 4"},
    {{"h:/e", "/m", "-o", "port=0", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port=65536", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port=-1", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port=+1", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port= 1", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port=1x", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port=", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "port", NULL}, 0, "port"},
    {{"h:/e", "/m", "-o", "mountport=99999999999999999999", NULL}, 0,
	"mountport"},
    {{"h:/e", "/m", "-o", "size", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=0", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=064M", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=-1", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=+1", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size= 1", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1.5G", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1GiB", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1MM", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1P", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=0x10", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1e9", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=G", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1152921504606846977", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1073741825G", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=1048577T", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=18446744073709551616", NULL}, 0, "size="},
    {{"h:/e", "/m", "-o", "size=99999999999999999999999999T", NULL}, 0,
	"size="},
    {{"h:/e", "/m", "-o", "uid=-1", NULL}, 0, "uid"},
    {{"h:/e", "/m", "-o", "uid=2147483647", NULL}, 0, "uid"},
    {{"h:/e", "/m", "-o", "gid=abc", NULL}, 0, "gid"},
    {{"h:/e", "/m", "-o", "timeo=0", NULL}, 0, "timeo"},
    {{"h:/e", "/m", "-o", "timeo=3601", NULL}, 0, "timeo"},
    {{"h:/e", "/m", "-o", "conns=0", NULL}, 0, "conns"},
    {{"h:/e", "/m", "-o", "conns=33", NULL}, 0, "conns"},
    {{"h:/e", "/m", "-o", "ro=1", NULL}, 0, "takes no value"},
    {{"h:/e", "/m", "-o", "allow_other=0", NULL}, 0, "takes no value"},
    {{"h:/e", "/m", "-o", "fsname=x", NULL}, 0, "set by tritonnfs-fuse"},
    {{"h:/e", "/m", "-o", "subtype=x", NULL}, 0, "set by tritonnfs-fuse"},
    {{"h:/e", "/m", "-o", "x\"y", NULL}, 0, "not allowed"},
    {{"h:/e", "/m", "-o", "x y", NULL}, 0, "not allowed"},
    {{"h:/e", "/m", "-o", "x\\y", NULL}, 0, "not allowed"},
    {{"h:/e", "/m", "-o", "x\ty", NULL}, 0, "not allowed"},
};

static int
run_parse(
    const char *const *args, struct fuse_nfs_opts *o, struct tnfs_err *err)
{
	char *argv[MAXARGS + 1];
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t) "tritonnfs-fuse";
	while (args[argc - 1] != NULL && argc < MAXARGS) {
		argv[argc] = (char *)(uintptr_t)args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	tnfs_err_clear(err);
	return fuse_opts_parse(argc, argv, o, err);
}

START_TEST(test_parse_table)
{
	const struct parse_case *c = &cases[_i];
	struct fuse_nfs_opts o;
	struct tnfs_err err;
	int rc = run_parse(c->argv, &o, &err);

	if (c->ok) {
		ck_assert_msg(rc == 0, "case %d (%s): %s", _i,
		    c->argv[0] ? c->argv[0] : "-", err.msg);
	} else {
		ck_assert_msg(rc == -1, "case %d (%s) was accepted", _i,
		    c->argv[0] ? c->argv[0] : "-");
		ck_assert_msg(strstr(err.msg, c->msg_part) != NULL,
		    "case %d: message '%s' lacks '%s'", _i, err.msg,
		    c->msg_part);
		ck_assert_msg(strchr(err.msg, '\n') == NULL,
		    "case %d: message is more than one line", _i);
	}
}
END_TEST

START_TEST(test_defaults)
{
	const char *args[] = {"srv:/vol", "/mnt", NULL};
	struct fuse_nfs_opts o;
	struct tnfs_err err;

	ck_assert_int_eq(run_parse(args, &o, &err), 0);
	ck_assert_int_eq(o.action, FUSE_OPTS_MOUNT);
	ck_assert_str_eq(o.server, "srv");
	ck_assert_str_eq(o.export, "/vol");
	ck_assert_str_eq(o.mountpoint, "/mnt");
	ck_assert_int_eq(o.nfsvers, 3);
	ck_assert_int_eq(o.allow_other, 1);
	ck_assert_int_eq(o.ro, 0);
	ck_assert_int_eq(o.uid, -1);
	ck_assert_int_eq(o.gid, -1);
	ck_assert_int_eq(o.timeo, FUSE_OPTS_TIMEO_DEFAULT);
	ck_assert_int_eq(o.conns, FUSE_OPTS_CONNS_DEFAULT);
	ck_assert_int_eq(o.foreground, 0);
	ck_assert_uint_eq(o.size, 0);
	ck_assert_str_eq(o.fuse_opts, "");
}
END_TEST

START_TEST(test_values_and_passthrough)
{
	const char *args[] = {"h:/e", "/m", "-o",
	    "nfsvers=4,port=2049,uid=7,gid=8,ro,noallow_other,noatime", "-o",
	    "_netdev,timeo=3,max_read=4096", "-d", NULL};
	struct fuse_nfs_opts o;
	struct tnfs_err err;

	ck_assert_int_eq(run_parse(args, &o, &err), 0);
	ck_assert_int_eq(o.nfsvers, 4);
	ck_assert_int_eq(o.port, 2049);
	ck_assert_int_eq(o.mountport, 0);
	ck_assert_int_eq(o.uid, 7);
	ck_assert_int_eq(o.gid, 8);
	ck_assert_int_eq(o.ro, 1);
	ck_assert_int_eq(o.allow_other, 0);
	ck_assert_int_eq(o.timeo, 3);
	ck_assert_int_eq(o.debug, 1);
	ck_assert_int_eq(o.foreground, 1);
	ck_assert_str_eq(o.fuse_opts, "noatime,max_read=4096");
}
END_TEST

static const struct {
	const char *opt;
	uint64_t bytes;
} sizes[] = {
    {"size=1", 1}, {"size=67108864", UINT64_C(67108864)},
    {"size=64M", UINT64_C(64) << 20}, {"size=64m", UINT64_C(64) << 20},
    {"size=3k", 3072}, {"size=10G", UINT64_C(10) << 30},
    {"size=2T", UINT64_C(2) << 40}, {"size=1048576T", UINT64_C(1) << 60},
    {"size=1G,size=5M", UINT64_C(5) << 20}, /* the last one wins */
};

START_TEST(test_size_values)
{
	const char *args[] = {"h:/e", "/m", "-o", sizes[_i].opt, NULL};
	struct fuse_nfs_opts o;
	struct tnfs_err err;

	ck_assert_msg(
	    run_parse(args, &o, &err) == 0, "%s: %s", sizes[_i].opt, err.msg);
	ck_assert_uint_eq(o.size, sizes[_i].bytes);
	ck_assert_str_eq(o.fuse_opts, "");
}
END_TEST

START_TEST(test_passthrough_overflow)
{
	static char big[FUSE_OPTS_PASS_MAX + 64];
	const char *args[] = {"h:/e", "/m", "-o", big, NULL};
	struct fuse_nfs_opts o;
	struct tnfs_err err;
	size_t i;

	/* Many short options that together overflow the buffer. */
	for (i = 0; i + 2 < sizeof(big); i += 2) {
		big[i] = 'a';
		big[i + 1] = ',';
	}
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(run_parse(args, &o, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too many options"));
}
END_TEST

START_TEST(test_url)
{
	const char *a3[] = {
	    "10.0.0.5:/vols/x", "/m", "-o", "port=2049,mountport=20048", NULL};
	const char *a4[] = {"h:/e", "/m", "-o", "nfsvers=4", NULL};
	struct fuse_nfs_opts o;
	struct tnfs_err err;
	char url[256], tiny[16];

	ck_assert_int_eq(run_parse(a3, &o, &err), 0);
	ck_assert_int_eq(fuse_opts_nfs_url(&o, url, sizeof(url)), 0);
	ck_assert_str_eq(url,
	    "nfs://10.0.0.5/vols/x?version=3&nfsport=2049&mountport=20048");
	ck_assert_int_eq(fuse_opts_nfs_url(&o, tiny, sizeof(tiny)), -1);
	ck_assert_int_eq(run_parse(a4, &o, &err), 0);
	ck_assert_int_eq(fuse_opts_nfs_url(&o, url, sizeof(url)), 0);
	ck_assert_str_eq(url, "nfs://h/e?version=4");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("fuse_opts");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(
	    tc, test_parse_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values_and_passthrough);
	tcase_add_loop_test(
	    tc, test_size_values, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, test_passthrough_overflow);
	tcase_add_test(tc, test_url);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
