/* test_child.c: child processes with argv, deadlines and captured output. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_tap.h"
#include "child.h"
#include "timefmt.h"

START_TEST(test_captures_stdout_and_status)
{
	const char *argv[] = {"echo", "hello", NULL};
	struct child_opts o = {.timeout_ms = 5000};
	struct child_result r;
	struct tnfs_err err;

	ck_assert_int_eq(child_run(argv, &o, &r, &err), 0);
	ck_assert_str_eq(r.out, "hello\n");
	ck_assert_int_eq(r.exit_status, 0);
	child_result_free(&r);
}
END_TEST

START_TEST(test_nonzero_exit_names_stderr)
{
	const char *argv[] = {"ls", "/nonexistent-tnfs-path", NULL};
	struct child_opts o = {.timeout_ms = 5000};
	struct child_result r;
	struct tnfs_err err;

	ck_assert_int_eq(child_run(argv, &o, &r, &err), -1);
	ck_assert_int_ne(r.exit_status, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "ls exited with status"));
	ck_assert_ptr_nonnull(strstr(err.msg, "nonexistent-tnfs-path"));
	child_result_free(&r);
}
END_TEST

START_TEST(test_deadline_kills_the_group)
{
	/* The grandchild sleep must die with its parent's group. */
	const char *argv[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
	struct child_opts o = {.timeout_ms = 300};
	struct child_result r;
	struct tnfs_err err;
	int64_t t0 = tnfs_mono_ms();

	ck_assert_int_eq(child_run(argv, &o, &r, &err), -1);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert_str_eq(err.code, "Timeout");
	ck_assert(tnfs_mono_ms() - t0 < 10000);
	child_result_free(&r);
}
END_TEST

START_TEST(test_missing_program)
{
	const char *argv[] = {"tnfs-no-such-program", NULL};
	const char *argv2[] = {"/nonexistent/prog", NULL};
	struct child_opts o = {.timeout_ms = 1000};
	struct tnfs_err err;

	ck_assert_int_eq(child_run(argv, &o, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not found in PATH"));
	ck_assert_int_eq(child_run(argv2, &o, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot run /nonexistent/prog"));
}
END_TEST

START_TEST(test_stdin_is_fed)
{
	const char *argv[] = {"cat", NULL};
	static char big[300000];
	struct child_opts o = {.timeout_ms = 5000};
	struct child_result r;

	memset(big, 'x', sizeof(big));
	o.stdin_data = big;
	o.stdin_len = sizeof(big);
	ck_assert_int_eq(child_run(argv, &o, &r, NULL), 0);
	ck_assert_uint_eq(r.out_len, sizeof(big));
	child_result_free(&r);
}
END_TEST

START_TEST(test_output_is_capped)
{
	const char *argv[] = {"head", "-c", "100000", "/dev/zero", NULL};
	struct child_opts o = {.timeout_ms = 5000, .max_output = 1000};
	struct child_result r;

	ck_assert_int_eq(child_run(argv, &o, &r, NULL), 0);
	ck_assert_uint_eq(r.out_len, 1000);
	child_result_free(&r);
}
END_TEST

START_TEST(test_no_shell_interpretation)
{
	const char *argv[] = {"echo", "$(id)", ";", "rm", "-rf", "/", NULL};
	struct child_opts o = {.timeout_ms = 5000};
	struct child_result r;

	ck_assert_int_eq(child_run(argv, &o, &r, NULL), 0);
	ck_assert_str_eq(r.out, "$(id) ; rm -rf /\n");
	child_result_free(&r);
}
END_TEST

START_TEST(test_bad_arguments)
{
	const char *empty[] = {NULL};
	const char *argv[] = {"true", NULL};
	struct child_opts o = {.timeout_ms = 0};
	struct tnfs_err err;

	ck_assert_int_eq(child_run(empty, &o, NULL, &err), -1);
	ck_assert_int_eq(child_run(argv, &o, NULL, &err), -1);
	ck_assert_int_eq(child_run(argv, NULL, NULL, &err), -1);
}
END_TEST

START_TEST(test_spawn_wait_stop)
{
	const char *argv[] = {"sleep", "30", NULL};
	const char *quick[] = {"true", NULL};
	const char *bad[] = {"/nonexistent/prog", NULL};
	struct tnfs_err err;
	pid_t pid;
	int st;

	pid = child_spawn(argv, NULL, &err);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(child_wait(pid, 50, NULL), 0);
	ck_assert_int_eq(child_stop(pid, 2000), 0);
	ck_assert_int_eq(kill(pid, 0), -1);

	pid = child_spawn(quick, NULL, &err);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(child_wait(pid, 5000, &st), 1);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	ck_assert_int_eq(child_spawn(bad, NULL, &err), -1);
}
END_TEST

/*
 * With SIGCHLD ignored the kernel reaps the child itself and waitpid fails
 * with ECHILD: the status is unknown, and "false" must not pass as success.
 */
START_TEST(test_waitpid_failure_is_a_failure)
{
	const char *argv[] = {"false", NULL};
	struct child_opts o = {.timeout_ms = 5000};
	struct child_result r;
	struct tnfs_err err;
	void (*old)(int) = signal(SIGCHLD, SIG_IGN);

	ck_assert_int_eq(child_run(argv, &o, &r, &err), -1);
	ck_assert_int_ne(r.exit_status, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot learn its exit status"));
	child_result_free(&r);
	signal(SIGCHLD, old);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("child");
	TCase *tc = tcase_create("child");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_captures_stdout_and_status);
	tcase_add_test(tc, test_nonzero_exit_names_stderr);
	tcase_add_test(tc, test_deadline_kills_the_group);
	tcase_add_test(tc, test_missing_program);
	tcase_add_test(tc, test_stdin_is_fed);
	tcase_add_test(tc, test_output_is_capped);
	tcase_add_test(tc, test_no_shell_interpretation);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_spawn_wait_stop);
	tcase_add_test(tc, test_waitpid_failure_is_a_failure);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
