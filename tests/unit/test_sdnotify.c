/*
 * test_sdnotify.c: $NOTIFY_SOCKET and $WATCHDOG_* parsing (good and hostile
 * values), datagrams delivered to path and abstract addresses, the send's
 * deadline against a receiver that stopped reading, and the self-probe's
 * verdict on listeners that answer, answer garbage or never answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check_tap.h"
#include "liveness.h"
#include "sdnotify.h"

static const struct {
	const char *value;
	int ok;
} addr_cases[] = {
    {"/run/systemd/notify", 1},
    {"@/org/freedesktop/systemd1/notify/123", 1},
    {"@x", 1},
    {"", 0},
    {"@", 0},
    {"relative/path", 0},
    {"notify", 0},
    {"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	0},
    {"vsock:2:1234", 0},
};

START_TEST(test_parse_addr_table)
{
	struct sockaddr_un sa;
	socklen_t len = 0;
	struct tnfs_err err;
	int r;

	tnfs_err_clear(&err);
	r = sdnotify_parse_addr(addr_cases[_i].value, &sa, &len, &err);
	ck_assert_msg(r == (addr_cases[_i].ok ? 0 : -1), "%s: %d",
	    addr_cases[_i].value, r);
	if (!addr_cases[_i].ok)
		ck_assert_str_eq(err.code, "ValidationError");
}
END_TEST

START_TEST(test_parse_addr_abstract_has_leading_nul)
{
	struct sockaddr_un sa;
	socklen_t len;

	ck_assert_int_eq(sdnotify_parse_addr("@abc", &sa, &len, NULL), 0);
	ck_assert_int_eq(sa.sun_path[0], '\0');
	ck_assert_int_eq(memcmp(sa.sun_path + 1, "abc", 3), 0);
	/* No terminating NUL counts: "@abc" is four bytes of name. */
	ck_assert_int_eq(len, offsetof(struct sockaddr_un, sun_path) + 4);
}
END_TEST

static const struct {
	const char *usec, *pid;
	int64_t want; /* -1: refused */
} wd_cases[] = {
    {NULL, NULL, 0},
    {"30000000", NULL, 30000},
    {"30000000", "4242", 30000}, /* our pid in the test */
    {"30000000", "4243", 0},     /* another process's watchdog */
    {"500", NULL, 1},
    {"0", NULL, -1},
    {"", NULL, -1},
    {"-5", NULL, -1},
    {"12abc", NULL, -1},
    {" 100", NULL, -1},
    {"99999999999999999999999999", NULL, -1},
    {"30000000", "x", -1},
    {"30000000", "0", -1},
    {"30000000", "99999999999", -1},
};

START_TEST(test_parse_watchdog_table)
{
	struct tnfs_err err;
	int64_t got;

	tnfs_err_clear(&err);
	got = sdnotify_parse_watchdog(
	    wd_cases[_i].usec, wd_cases[_i].pid, 4242, &err);
	ck_assert_msg(got == wd_cases[_i].want, "%s/%s: %lld",
	    wd_cases[_i].usec ? wd_cases[_i].usec : "(null)",
	    wd_cases[_i].pid ? wd_cases[_i].pid : "(null)", (long long)got);
	if (wd_cases[_i].want == -1)
		ck_assert_str_eq(err.code, "ValidationError");
}
END_TEST

/* A datagram socket bound at name ("@..." abstract); fd. */
static int
bind_dgram(const char *name)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(sdnotify_parse_addr(name, &sa, &len, NULL), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

START_TEST(test_send_reaches_path_and_abstract)
{
	const char *names[2];
	char path[64], abstract[64], buf[256];
	struct tnfs_err err;
	int i;

	snprintf(
	    path, sizeof(path), "/tmp/tnfs-test-notify.%ld", (long)getpid());
	snprintf(abstract, sizeof(abstract), "@tnfs-test-notify.%ld",
	    (long)getpid());
	names[0] = path;
	names[1] = abstract;
	for (i = 0; i < 2; i++) {
		int fd = bind_dgram(names[i]);
		ssize_t n;

		setenv("NOTIFY_SOCKET", names[i], 1);
		tnfs_err_clear(&err);
		ck_assert_int_eq(
		    sdnotify_printf(1000, &err, "READY=1\nSTATUS=%s", "up"), 0);
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		ck_assert_int_eq(n, (ssize_t)strlen("READY=1\nSTATUS=up"));
		buf[n] = '\0';
		ck_assert_str_eq(buf, "READY=1\nSTATUS=up");
		close(fd);
	}
	unlink(path);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(test_send_without_socket_is_a_noop)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdnotify_send("READY=1", 100, NULL), 0);
}
END_TEST

START_TEST(test_send_to_nobody_fails_named)
{
	struct tnfs_err err;

	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	tnfs_err_clear(&err);
	ck_assert_int_eq(sdnotify_send("READY=1", 100, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/notify"));
	setenv("NOTIFY_SOCKET", "relative", 1);
	ck_assert_int_eq(sdnotify_send("READY=1", 100, &err), -1);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(test_send_oversized_refused)
{
	char *big = malloc(SDNOTIFY_MSG_MAX + 2);
	struct tnfs_err err;
	int fd;
	char name[64];

	snprintf(name, sizeof(name), "@tnfs-test-big.%ld", (long)getpid());
	fd = bind_dgram(name);
	setenv("NOTIFY_SOCKET", name, 1);
	memset(big, 'x', SDNOTIFY_MSG_MAX + 1);
	big[SDNOTIFY_MSG_MAX + 1] = '\0';
	tnfs_err_clear(&err);
	ck_assert_int_eq(sdnotify_send(big, 100, &err), -1);
	ck_assert_str_eq(err.code, "ValidationError");
	/* Nothing was sent. */
	ck_assert_int_eq(recv(fd, big, 16, MSG_DONTWAIT), -1);
	free(big);
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(test_send_to_full_queue_meets_its_deadline)
{
	struct tnfs_err err;
	char name[64];
	int fd, i, r = 0;

	snprintf(name, sizeof(name), "@tnfs-test-full.%ld", (long)getpid());
	fd = bind_dgram(name);
	setenv("NOTIFY_SOCKET", name, 1);
	/* The receiver never reads: its queue fills, then the send gives up. */
	for (i = 0; i < 100000 && r == 0; i++) {
		tnfs_err_clear(&err);
		r = sdnotify_send("WATCHDOG=1", 20, &err);
	}
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err.code, "Timeout");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

/* A one-connection server: accepts, sends reply (NULL: nothing), waits. */
struct fake {
	int lfd;
	const char *reply;
	char path[108];
};

static void *
serve_one(void *arg)
{
	struct fake *f = arg;
	char buf[512];
	int c = accept(f->lfd, NULL, NULL);

	if (c == -1)
		return NULL;
	if (recv(c, buf, sizeof(buf), 0) > 0 && f->reply != NULL)
		(void)!write(c, f->reply, strlen(f->reply));
	/* Held open until the client gives up or reads the reply. */
	(void)!read(c, buf, sizeof(buf));
	close(c);
	return NULL;
}

static int
probe_fake(const char *reply, struct tnfs_err *err)
{
	struct fake f;
	struct sockaddr_un sa;
	struct liveness_probe p = {NULL, "GET", "/ping", 200, 0};
	char spec[128];
	pthread_t t;
	int r;

	memset(&f, 0, sizeof(f));
	f.reply = reply;
	snprintf(
	    f.path, sizeof(f.path), "/tmp/tnfs-test-probe.%ld", (long)getpid());
	unlink(f.path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f.path);
	f.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(f.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f.lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, serve_one, &f), 0);
	snprintf(spec, sizeof(spec), "unix:%s", f.path);
	p.listen = spec;
	r = liveness_probe_once(&p, 300, err);
	shutdown(f.lfd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(f.lfd);
	unlink(f.path);
	return r;
}

START_TEST(test_probe_reads_the_status)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_int_eq(
	    probe_fake("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &err),
	    200);
	ck_assert_int_eq(probe_fake("HTTP/1.0 503 Busy\r\n\r\n", &err), 503);
}
END_TEST

START_TEST(test_probe_refuses_garbage_and_silence)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_int_eq(probe_fake("SSH-2.0-OpenSSH\r\n", &err), -1);
	ck_assert_int_eq(probe_fake("HTTP/1.1 99999 x\r\n", &err), -1);
	tnfs_err_clear(&err);
	ck_assert_int_eq(probe_fake(NULL, &err), -1);
	ck_assert_str_eq(err.code, "Timeout");
}
END_TEST

START_TEST(test_probe_hostile_specs)
{
	static const char *const specs[] = {"", "unix:", "tcp:nocolon",
	    "http://x", "tcp:127.0.0.1:notaport", "unix:/nonexistent/sock"};
	struct liveness_probe p = {NULL, "GET", "/ping", 200, 0};
	struct tnfs_err err;
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		p.listen = specs[i];
		tnfs_err_clear(&err);
		ck_assert_msg(
		    liveness_probe_once(&p, 200, &err) == -1, "%s", specs[i]);
		ck_assert(tnfs_err_isset(&err));
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sdnotify");
	TCase *tc = tcase_create("sdnotify");

	tcase_add_loop_test(tc, test_parse_addr_table, 0,
	    sizeof(addr_cases) / sizeof(addr_cases[0]));
	tcase_add_test(tc, test_parse_addr_abstract_has_leading_nul);
	tcase_add_loop_test(tc, test_parse_watchdog_table, 0,
	    sizeof(wd_cases) / sizeof(wd_cases[0]));
	tcase_add_test(tc, test_send_reaches_path_and_abstract);
	tcase_add_test(tc, test_send_without_socket_is_a_noop);
	tcase_add_test(tc, test_send_to_nobody_fails_named);
	tcase_add_test(tc, test_send_oversized_refused);
	tcase_add_test(tc, test_send_to_full_queue_meets_its_deadline);
	tcase_add_test(tc, test_probe_reads_the_status);
	tcase_add_test(tc, test_probe_refuses_garbage_and_silence);
	tcase_add_test(tc, test_probe_hostile_specs);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
