/*
 * test_ganesha_dbus.c: the export manager's calls (vapi/ganesha_dbus.c)
 * on a real private bus: gbus_start runs its dbus-daemon, and the test
 * plays ganesha, owning org.ganesha.nfsd on a connection of its own.  A
 * reply is read, a refusal keeps ganesha's words, and a ganesha that
 * never answers (a stopped head) holds a call only until the caller's
 * gone test says so; a re-read by SIGHUP gives up the same way.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dbus/dbus.h>

#include "check_tap.h"
#include "ganesha_dbus.h"
#include "ganesha_reread.h"
#include "timefmt.h"

#define NAME "org.ganesha.nfsd"
#define IFC  "org.ganesha.nfsd.exportmgr"

enum answer { ANSWER_ADDED, ANSWER_REFUSED };

struct ganesha_double {
	DBusConnection *conn;
	enum answer answer;
	atomic_int stop;
	pthread_t thread;
	int running;
};

static char dir[64];
static struct gbus *bus;
static struct ganesha_double ganesha;

/* The bus address gbus_env names, after its "DBUS_SYSTEM_BUS_ADDRESS=". */
static const char *
address(void)
{
	return strchr(gbus_env(bus), '=') + 1;
}

static void
setup(void)
{
	struct tnfs_err err = {0};
	DBusError derr;

	snprintf(dir, sizeof(dir), "/tmp/test_ganesha_dbus.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	bus = gbus_new(dir, &err);
	ck_assert_msg(bus != NULL, "gbus_new: %s", err.msg);
	ck_assert_msg(gbus_start(bus, &err) == 0, "gbus_start: %s", err.msg);
	memset(&ganesha, 0, sizeof(ganesha));
	dbus_error_init(&derr);
	ganesha.conn = dbus_connection_open_private(address(), &derr);
	ck_assert_msg(ganesha.conn != NULL, "connect: %s", derr.message);
	ck_assert(dbus_bus_register(ganesha.conn, &derr));
	ck_assert_int_eq(dbus_bus_request_name(ganesha.conn, NAME,
			     DBUS_NAME_FLAG_DO_NOT_QUEUE, &derr),
	    DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
}

static void
teardown(void)
{
	char path[128];

	if (ganesha.running) {
		atomic_store(&ganesha.stop, 1);
		pthread_join(ganesha.thread, NULL);
	}
	dbus_connection_close(ganesha.conn);
	dbus_connection_unref(ganesha.conn);
	gbus_free(bus);
	/* The files gbus wrote; dir holds nothing else. */
	for (const char *const *f = (const char *const[]){"ganesha-bus.conf",
		 "ganesha-bus.out", "ganesha-bus.pid", "ganesha-bus",
		 "one.conf", "reread.log", NULL};
	    *f != NULL; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		unlink(path);
	}
	rmdir(dir);
}

/* The test's ganesha: answers each AddExport as told, until stopped. */
static void *
serve(void *arg)
{
	struct ganesha_double *g = arg;
	const char *added = "1 exports added";
	DBusMessage *m, *r;

	while (!atomic_load(&g->stop)) {
		dbus_connection_read_write(g->conn, 50);
		while ((m = dbus_connection_pop_message(g->conn)) != NULL) {
			if (dbus_message_is_method_call(m, IFC, "AddExport")) {
				if (g->answer == ANSWER_REFUSED)
					r = dbus_message_new_error(m,
					    DBUS_ERROR_INVALID_ARGS,
					    "Error while parsing /x: bad "
					    "block");
				else {
					r = dbus_message_new_method_return(m);
					dbus_message_append_args(r,
					    DBUS_TYPE_STRING, &added,
					    DBUS_TYPE_INVALID);
				}
				dbus_connection_send(g->conn, r, NULL);
				dbus_connection_flush(g->conn);
				dbus_message_unref(r);
			}
			dbus_message_unref(m);
		}
	}
	return NULL;
}

static void
answer(enum answer a)
{
	ganesha.answer = a;
	ck_assert_int_eq(
	    pthread_create(&ganesha.thread, NULL, serve, &ganesha), 0);
	ganesha.running = 1;
}

/* gone(): true once the time it points at has passed. */
static int
past(void *cls)
{
	return tnfs_mono_ms() >= *(const int64_t *)cls;
}

static int
never(void *cls)
{
	(void)cls;
	return 0;
}

static char *
export_file(void)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/one.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("EXPORT { Export_Id = 7; }\n", f);
	fclose(f);
	return path;
}

/* Waited for in steps, the reply is read as from the blocking call. */
START_TEST(test_reply_read)
{
	struct ganesha_gone gone = {never, NULL};
	struct tnfs_err err = {0};

	answer(ANSWER_ADDED);
	gbus_set_gone(bus, &gone);
	ck_assert_msg(gbus_add_export(bus, export_file(), 7, &err) == 0,
	    "add: %s", err.msg);
	gbus_set_gone(bus, NULL);
	ck_assert_msg(gbus_add_export(bus, export_file(), 7, &err) == 0,
	    "add without a gone test: %s", err.msg);
}
END_TEST

/* A refusal keeps ganesha's own words. */
START_TEST(test_refusal_words)
{
	struct tnfs_err err = {0};

	answer(ANSWER_REFUSED);
	ck_assert_int_eq(gbus_add_export(bus, export_file(), 7, &err), -1);
	ck_assert_msg(strstr(err.msg, "bad block") != NULL &&
			  strstr(err.msg, DBUS_ERROR_INVALID_ARGS) != NULL,
	    "got: %s", err.msg);
}
END_TEST

/*
 * A ganesha that owns its name but never answers: the call ends when the
 * gone test says so (the error says it gave up, not that the 10 s
 * deadline passed), and the next call on the same bus works.
 */
START_TEST(test_gone_ends_the_wait)
{
	int64_t at = tnfs_mono_ms() + 300;
	struct ganesha_gone gone = {past, &at};
	struct tnfs_err err = {0};

	gbus_set_gone(bus, &gone);
	ck_assert_int_eq(gbus_add_export(bus, export_file(), 7, &err), -1);
	ck_assert_msg(strstr(err.msg, "gave up waiting") != NULL, "got: %s",
	    err.msg);
	ck_assert_int_eq(gbus_remove_export(bus, 7, &err), -1);
	ck_assert_msg(strstr(err.msg, "gave up waiting") != NULL, "got: %s",
	    err.msg);
	/* It answers again: the unanswered calls' replies are dropped. */
	answer(ANSWER_ADDED);
	gbus_set_gone(bus, NULL);
	ck_assert_msg(gbus_add_export(bus, export_file(), 7, &err) == 0,
	    "add after: %s", err.msg);
}
END_TEST

/* A re-read whose ganesha never logs its end gives up the same way. */
START_TEST(test_gone_ends_a_reread)
{
	int64_t at = tnfs_mono_ms() + 300;
	struct ganesha_gone gone = {past, &at};
	struct tnfs_err err = {0};
	char log[128];
	pid_t pid;
	FILE *f;

	snprintf(log, sizeof(log), "%s/reread.log", dir);
	ck_assert_ptr_nonnull(f = fopen(log, "w"));
	fclose(f);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGHUP, SIG_IGN);
		for (;;)
			pause();
	}
	ck_assert_int_eq(ganesha_reread(pid, log, ganesha_reread_deadline_ms(0),
			     &gone, &err),
	    -1);
	ck_assert_msg(strstr(err.msg, "gave up waiting") != NULL, "got: %s",
	    err.msg);
	/* Without gone, its deadline ends it. */
	ck_assert_int_eq(ganesha_reread(pid, log, 300, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "within 0.3 s") != NULL, "got: %s",
	    err.msg);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/*
 * A re-read's deadline grows as ganesha's load of its exports does
 * (with their square), from 30 s, to at most an hour.
 */
START_TEST(test_reread_deadline_grows_with_exports)
{
	ck_assert_int_eq(ganesha_reread_deadline_ms(0), 30000);
	ck_assert_int_eq(ganesha_reread_deadline_ms(999), 30000);
	ck_assert_int_eq(ganesha_reread_deadline_ms(5000), 55000);
	ck_assert_int_eq(ganesha_reread_deadline_ms(10000), 130000);
	ck_assert_int_eq(ganesha_reread_deadline_ms(65535), 3600000);
	ck_assert_int_eq(ganesha_reread_deadline_ms((size_t)-1), 3600000);
}
END_TEST

/* The bus's policy admits root only, and gbus_start runs dbus-daemon. */
static void
skip_unless_runnable(void)
{
	const char *why = NULL;

	if (getuid() != 0)
		why = "the private bus admits root only";
	else if (system("command -v dbus-daemon >/dev/null 2>&1") != 0)
		why = "no dbus-daemon (package dbus)";
	if (why == NULL)
		return;
	printf("1..0 # SKIP: %s\n", why);
	fprintf(stderr, "SKIP: test_ganesha_dbus: %s\n", why);
	exit(EXIT_SUCCESS);
}

static Suite *
make_suite(void)
{
	Suite *s = suite_create("ganesha_dbus");
	TCase *tc = tcase_create("bus");

	skip_unless_runnable();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reply_read);
	tcase_add_test(tc, test_refusal_words);
	tcase_add_test(tc, test_gone_ends_the_wait);
	tcase_add_test(tc, test_gone_ends_a_reread);
	tcase_add_test(tc, test_reread_deadline_grows_with_exports);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
