/*
 * test_plugin_mounts.c: the mount layer's own parts: mountinfo parsing,
 * children run with a deadline and reaped once, FUSE servers tracked
 * without a cap, the kernel backend's mount(2) arguments prepared
 * before its fork, and what makes a mount stale.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_tap.h"
#include "children.h"
#include "mountinfo.h"
#include "mounts.h"
#include "timefmt.h"

/*
 * 1 once this process has no child at all, neither running nor a zombie,
 * within timeout_ms; reap (when not NULL) runs between looks.  WNOWAIT:
 * looking must not reap what the code under test should.
 */
static int
no_children_within(int timeout_ms, void (*reap)(void *), void *arg)
{
	int64_t deadline = tnfs_mono_ms() + timeout_ms;
	siginfo_t si;

	for (;;) {
		if (reap != NULL)
			reap(arg);
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1 &&
		    errno == ECHILD)
			return 1;
		if (tnfs_mono_ms() >= deadline)
			return 0;
		usleep(10000);
	}
}

static void
reap_children(void *arg)
{
	children_reap(arg);
}

static void
reap_mounts(void *arg)
{
	mounts_reap(arg);
}

static const struct {
	const char *line;
	const char *mountpoint; /* NULL: malformed */
} mountinfo_cases[] = {
    {"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n",
	"/mnt2"},
    {"40 1 0:35 / /var/lib/tritonnfs/mounts/v1 rw - nfs4 10.0.0.5:/e rw\n",
	"/var/lib/tritonnfs/mounts/v1"},
    /* Spaces, tabs, newlines and backslashes come escaped. */
    {"41 1 0:36 / /a\\040b\\011c\\012d\\134e rw - tmpfs none rw\n",
	"/a b\tc\nd\\e"},
    /* An escape cut short stays as it is. */
    {"42 1 0:37 / /x\\04 rw - tmpfs none rw\n", "/x\\04"},
    {"", NULL},
    {"1 2 3:4", NULL},
    {"1 2 3:4 / ", NULL},
    {"1 2 3:4 / /no-trailing-field", NULL},
};

START_TEST(test_mountinfo_line_table)
{
	char buf[256];
	int rc =
	    mountinfo_parse_line(mountinfo_cases[_i].line, buf, sizeof(buf));

	if (mountinfo_cases[_i].mountpoint == NULL) {
		ck_assert_int_eq(rc, -1);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(buf, mountinfo_cases[_i].mountpoint);
}
END_TEST

START_TEST(test_mountinfo_oversized_mountpoint_truncated_not_overflowed)
{
	char line[600], buf[16];

	memset(line, 0, sizeof(line));
	snprintf(
	    line, sizeof(line), "1 2 3:4 / /%0500d rw - tmpfs none rw\n", 7);
	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(mountinfo_parse_line(line, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
}
END_TEST

START_TEST(test_mountinfo_knows_proc_and_not_a_plain_dir)
{
	char dir[] = "/tmp/test_plugin_mounts.XXXXXX", desc[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mountinfo_is_mountpoint(dir), 0);
	ck_assert_int_eq(mountinfo_describe("/proc", desc, sizeof(desc)), 1);
	ck_assert_msg(strncmp(desc, "proc ", 5) == 0, "%s", desc);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static int
exit_with(void *arg)
{
	return *(int *)arg;
}

static int
sleep_for_ever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

START_TEST(test_call_returns_the_exit_status)
{
	struct children *c = children_new(NULL);
	int code = 13, status = -1;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(
	    children_call(c, exit_with, &code, 5000, &status, NULL), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 13);
	ck_assert_int_eq(no_children_within(0, NULL, NULL), 1);
	children_free(c);
}
END_TEST

/*
 * A child that outlives its deadline is killed and reaped: no zombie may
 * stay behind (a SIGKILL does not take effect at once, so a single
 * waitpid(WNOHANG) right after it usually finds the child still there).
 */
START_TEST(test_call_past_deadline_leaves_no_zombie)
{
	struct children *c = children_new(NULL);
	int64_t start;
	int i, status;

	ck_assert_ptr_nonnull(c);
	for (i = 0; i < 20; i++) {
		start = tnfs_mono_ms();
		ck_assert_int_eq(
		    children_call(c, sleep_for_ever, NULL, 50, &status, NULL),
		    1);
		/* Bounded: the reply must not wait for a stuck child. */
		ck_assert_int_lt(tnfs_mono_ms() - start, 5000);
	}
	ck_assert_msg(no_children_within(5000, reap_children, c),
	    "a timed-out child was never reaped");
	ck_assert_uint_eq(children_reap(c), 0);
	children_free(c);
}
END_TEST

/* A mount point that certainly exists, so the fake FUSE server "mounts". */
static const char *
some_mountpoint(void)
{
	if (mountinfo_is_mountpoint("/proc") == 1)
		return "/proc";
	if (mountinfo_is_mountpoint("/") == 1)
		return "/";
	return NULL;
}

/*
 * Every FUSE server is reaped when it exits, however many there were:
 * 1,100 servers (the table used to stop at 1,024 and leave the rest as
 * zombies).  /bin/true stands in for tritonnfs-fuse at a mount point that
 * already exists.
 */
START_TEST(test_fuse_servers_past_1024_all_reaped)
{
	char dir[] = "/tmp/test_plugin_mounts.XXXXXX", log[600];
	struct mount_spec spec = {0};
	struct tnfs_err err;
	struct mounts *m;
	const char *target = some_mountpoint();
	int i;

	if (target == NULL || access("/bin/true", X_OK) != 0) {
		printf("SKIP: no mount point in mountinfo or no /bin/true\n");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	m = mounts_new(MOUNT_BACKEND_FUSE, "/bin/true", dir, &err);
	ck_assert_ptr_nonnull(m);
	spec.host = "127.0.0.1";
	spec.export = "/exports/x";
	spec.nfsvers = "3";
	spec.target = target;
	spec.volume = "v1";
	for (i = 0; i < 1100; i++)
		ck_assert_msg(mounts_mount(m, &spec, 5000, &err) == 0,
		    "mount %d: %s", i, err.msg);
	ck_assert_msg(no_children_within(20000, reap_mounts, m),
	    "FUSE servers left as zombies");
	mounts_free(m);
	/* The log is named by the volume's digest, whatever its length. */
	snprintf(log, sizeof(log),
	    "%s/fuse-"
	    "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe"
	    ".log",
	    dir);
	ck_assert_msg(unlink(log) == 0, "%s: %s", log, strerror(errno));
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static const struct {
	const char *host, *vers;
	int ro, nfs_port, mount_port;
	const char *fstype, *data;
	unsigned long flags;
	int direct;
} plan_cases[] = {
    {"10.0.0.5", "3", 0, 0, 0, "nfs",
	"vers=3,proto=tcp,timeo=600,retrans=2,sec=sys,nolock,addr=10.0.0.5", 0,
	1},
    {"10.0.0.5", "3", 1, 2049, 20048, "nfs",
	"vers=3,proto=tcp,timeo=600,retrans=2,sec=sys,nolock,port=2049,"
	"mountport=20048,mountproto=tcp,addr=10.0.0.5",
	MS_RDONLY, 1},
    {"fd00::5", "4.1", 0, 0, 0, "nfs4",
	"vers=4.1,proto=tcp,timeo=600,retrans=2,sec=sys,addr=fd00::5", 0, 1},
    {"nfs.example.com", "4.2", 1, 0, 0, "nfs4",
	"vers=4.2,proto=tcp,timeo=600,retrans=2,sec=sys,retry=0", MS_RDONLY, 0},
};

/*
 * mount(2)'s arguments, all computed before the fork: the child of a
 * threaded process makes no call but mount(2).
 */
START_TEST(test_kernel_plan_table)
{
	struct mount_spec spec = {0};
	struct mount_kernel_plan plan;
	struct tnfs_err err;

	spec.host = plan_cases[_i].host;
	spec.export = "/exports/v1";
	spec.nfsvers = plan_cases[_i].vers;
	spec.ro = plan_cases[_i].ro;
	spec.nfs_port = plan_cases[_i].nfs_port;
	spec.mount_port = plan_cases[_i].mount_port;
	spec.target = "/mnt/v1";
	spec.timeo_ds = 0;
	spec.retrans = -1;
	ck_assert_int_eq(
	    mount_kernel_prepare(&spec, plan_cases[_i].vers, &plan, &err), 0);
	ck_assert_str_eq(plan.fstype, plan_cases[_i].fstype);
	ck_assert_str_eq(plan.data, plan_cases[_i].data);
	ck_assert_uint_eq(plan.flags, plan_cases[_i].flags);
	ck_assert_int_eq(plan.direct, plan_cases[_i].direct);
	ck_assert_str_eq(plan.target, "/mnt/v1");
	ck_assert(strstr(plan.source, ":/exports/v1") != NULL);
	/* ro and rw are mount(2) flags, not the file system's data. */
	ck_assert(
	    strstr(plan.options, plan_cases[_i].ro ? ",ro" : ",rw") != NULL);
}
END_TEST

START_TEST(test_kernel_plan_refuses_oversized)
{
	struct mount_spec spec = {0};
	struct mount_kernel_plan plan;
	struct tnfs_err err;
	static char exp[3000];

	memset(exp, 'e', sizeof(exp) - 1);
	exp[0] = '/';
	spec.host = "10.0.0.5";
	spec.export = exp;
	spec.nfsvers = "3";
	spec.target = "/mnt/v1";
	spec.retrans = -1;
	tnfs_err_clear(&err);
	ck_assert_int_eq(mount_kernel_prepare(&spec, "3", &plan, &err), -1);
	ck_assert(strstr(err.msg, "too long") != NULL);
}
END_TEST

/*
 * The whole kernel path on a kernel without an NFS client: the child's
 * mount(2) fails with ENODEV, which the message explains.
 */
START_TEST(test_kernel_mount_without_nfs_client_says_so)
{
	char dir[] = "/tmp/test_plugin_mounts.XXXXXX";
	struct mount_spec spec = {0};
	struct children *c;
	struct tnfs_err err;

	if (mount_kernel_available()) {
		printf("SKIP: this kernel has an NFS client\n");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(c = children_new(NULL));
	spec.host = "127.0.0.1";
	spec.export = "/exports/v1";
	spec.nfsvers = "4";
	spec.target = dir;
	spec.retrans = -1;
	tnfs_err_clear(&err);
	ck_assert_int_eq(mount_kernel_mount(c, &spec, 10000, &err), -1);
	ck_assert_msg(strstr(err.msg, "no NFS client") != NULL ||
		strstr(err.msg, "Operation not permitted") != NULL,
	    "%s", err.msg);
	ck_assert_int_eq(mountinfo_is_mountpoint(dir), 0);
	ck_assert_int_eq(no_children_within(0, NULL, NULL), 1);
	children_free(c);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * Only ESTALE from the server makes a mount stale (1): a live file system
 * and a path that is not a directory answer 0, a path that is gone fails
 * (-1, the cue to ask the VAPI whether the volume moved), and no child is
 * left behind.  (The ESTALE case needs a server that rolled an
 * export back: tests/integration/plugin_rollback.sh.)
 */
START_TEST(test_stale_only_for_estale)
{
	char dir[] = "/tmp/test_plugin_mounts.XXXXXX", gone[64], file[64];
	struct tnfs_err err;
	struct mounts *m;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(
	    m = mounts_new(MOUNT_BACKEND_FUSE, "/bin/true", dir, &err));
	snprintf(gone, sizeof(gone), "%s/gone", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fclose(f);
	/* Answers: 0.  Fails otherwise (ENOENT here): -1, never stale. */
	ck_assert_int_eq(mounts_stale(m, dir, 10000), 0);
	ck_assert_int_eq(mounts_stale(m, "/proc", 10000), 0);
	ck_assert_int_eq(mounts_stale(m, gone, 10000), -1);
	ck_assert_int_eq(mounts_stale(m, file, 10000), 0);
	ck_assert_int_eq(mounts_stale(m, "", 10000), -1);
	mounts_free(m);
	ck_assert_int_eq(no_children_within(10000, NULL, NULL), 1);
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("plugin_mounts");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_mountinfo_line_table, 0,
	    sizeof(mountinfo_cases) / sizeof(mountinfo_cases[0]));
	tcase_add_test(
	    tc, test_mountinfo_oversized_mountpoint_truncated_not_overflowed);
	tcase_add_test(tc, test_mountinfo_knows_proc_and_not_a_plain_dir);
	tcase_add_test(tc, test_call_returns_the_exit_status);
	tcase_add_test(tc, test_call_past_deadline_leaves_no_zombie);
	tcase_add_test(tc, test_fuse_servers_past_1024_all_reaped);
	tcase_add_loop_test(tc, test_kernel_plan_table, 0,
	    sizeof(plan_cases) / sizeof(plan_cases[0]));
	tcase_add_test(tc, test_kernel_plan_refuses_oversized);
	tcase_add_test(tc, test_kernel_mount_without_nfs_client_says_so);
	tcase_add_test(tc, test_stale_only_for_estale);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
