/*
 * test_httpd.c: what lib/httpd.c decides about text from the wire: which
 * byte strings are UTF-8, and how anything else is escaped for log lines
 * and messages; and a real server on a Unix socket answering with a shared
 * body, whose release must come exactly once however the reply ends,
 * and answering a quick request while every handler thread is taken.
 * (The rest of the server is exercised by vapi_slow_clients.sh and
 * plugin_protocol.sh.)
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check_tap.h"
#include "httpd.h"

static const struct {
	const char *in;
	size_t len;
	int valid;
} utf8_cases[] = {
    {"", 0, 1},
    {"plain ascii", 11, 1},
    {"\xc3\xa9t\xc3\xa9", 6, 1},           /* été */
    {"\xe2\x82\xac", 3, 1},                 /* € */
    {"\xf0\x9f\x98\x80", 4, 1},             /* U+1F600 */
    {"\xf4\x8f\xbf\xbf", 4, 1},             /* U+10FFFF */
    {"\xff", 1, 0},                         /* never in UTF-8 */
    {"\xfe\xff", 2, 0},
    {"\xc3\x28", 2, 0},                     /* bad continuation */
    {"\xc3", 1, 0},                         /* cut short */
    {"\xe2\x82", 2, 0},
    {"\xc0\xaf", 2, 0},                     /* overlong '/' */
    {"\xe0\x80\xaf", 3, 0},                 /* overlong '/' */
    {"\xf0\x80\x80\xaf", 4, 0},             /* overlong '/' */
    {"\xed\xa0\x80", 3, 0},                 /* UTF-16 surrogate */
    {"\xf4\x90\x80\x80", 4, 0},             /* past U+10FFFF */
    {"\x80", 1, 0},                         /* lone continuation */
    {"ok\xffok", 5, 0},
};

START_TEST(test_utf8_valid)
{
	size_t i;

	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++)
		ck_assert_msg(httpd_utf8_valid(utf8_cases[i].in,
				  utf8_cases[i].len) == utf8_cases[i].valid,
		    "case %zu", i);
}
END_TEST

static const struct {
	const char *in;
	const char *out;
} escape_cases[] = {
    {"/volumes/abc", "/volumes/abc"},
    {"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},
    {"a\xff" "b", "a\\xffb"},
    {"\xc3\x28", "\\xc3("},
    {"line\nbreak", "line\\x0abreak"},
    {"tab\there", "tab\\x09here"},
    {"back\\slash", "back\\x5cslash"},
    {"del\x7f", "del\\x7f"},
    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},
};

START_TEST(test_escape)
{
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		httpd_escape(escape_cases[i].in, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, escape_cases[i].out) == 0,
		    "case %zu: got %s", i, buf);
		ck_assert(httpd_utf8_valid(buf, strlen(buf)));
	}
}
END_TEST

/* Cut to fit, never in the middle of a sequence or an escape. */
START_TEST(test_escape_truncates_whole)
{
	char buf[6];

	httpd_escape("abc\xff", buf, sizeof(buf));
	ck_assert_str_eq(buf, "abc");
	httpd_escape("ab\xc3\xa9\xc3\xa9", buf, sizeof(buf));
	ck_assert_str_eq(buf, "ab\xc3\xa9");
	httpd_escape("x", buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* ---- a shared body, on a real server ---- */

#define SHARED_LEN (1u << 20) /* far above a socket's buffer */

static char *shared_text;
static atomic_int releases;
static int reply_twice; /* the handler replaces its shared reply */

static void
release(void *cls)
{
	ck_assert_ptr_eq(cls, shared_text);
	atomic_fetch_add(&releases, 1);
}

static void
shared_handler(void *cls, struct httpd_req *rq)
{
	(void)cls;
	ck_assert_int_eq(httpd_req_reply_shared(rq, 200, shared_text,
			     SHARED_LEN, release, shared_text, NULL),
	    0);
	if (reply_twice) {
		/* The replaced body goes back at once. */
		ck_assert_int_eq(atomic_load(&releases), 0);
		ck_assert_int_eq(
		    httpd_req_reply(rq, 200, strdup("{}"), NULL), 0);
		ck_assert_int_eq(atomic_load(&releases), 1);
	}
}

static struct httpd *
start_server_with(char *path, size_t len, httpd_handler_fn handler,
    int (*quick)(void *, const struct httpd_req *), unsigned max_running)
{
	struct httpd_opts o = {
	    .name = "test",
	    .conn_limit = 8,
	    .per_peer_limit = 8,
	    .header_deadline_s = 10,
	    .pool_threads = 1,
	    .max_running = max_running,
	    .body_max = 1024,
	    .handler = handler,
	    .quick = quick,
	    .busy_body = "{\"busy\":1}",
	    .content_type = "application/json",
	};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tnfs_err err;
	struct httpd *h;
	int fd;

	snprintf(path, len, "/tmp/test_httpd.%ld.sock", (long)getpid());
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	tnfs_err_clear(&err);
	h = httpd_start(fd, &o, &err);
	ck_assert_msg(h != NULL, "httpd_start: %s", err.msg);
	return h;
}

static struct httpd *
start_server(char *path, size_t len)
{
	return start_server_with(path, len, shared_handler, NULL, 4);
}

/* A connected client that has sent one POST of url. */
static int
ask_url(const char *path, const char *url)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char req[256];
	int n;

	n = snprintf(req, sizeof(req),
	    "POST %s HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
	    url);
	ck_assert(n > 0 && (size_t)n < sizeof(req));
	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(write(fd, req, (size_t)n), n);
	return fd;
}

static int
ask(const char *path)
{
	return ask_url(path, "/x");
}

/* The body of the one reply on fd (headers skipped), into *len. */
static char *
read_reply(int fd, size_t *len)
{
	size_t cap = SHARED_LEN + 4096, n = 0;
	char *buf = malloc(cap + 1), *body;
	size_t want = 0;
	ssize_t r;

	ck_assert_ptr_nonnull(buf);
	for (;;) {
		ck_assert_uint_lt(n, cap);
		r = read(fd, buf + n, cap - n);
		ck_assert_int_gt(r, 0); /* no EOF or timeout before the end */
		n += (size_t)r;
		buf[n] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		body += 4;
		if (want == 0) {
			const char *cl = strcasestr(buf, "Content-Length:");

			ck_assert_ptr_nonnull(cl);
			want = strtoul(cl + 15, NULL, 10);
		}
		if ((size_t)(buf + n - body) >= want)
			break;
	}
	*len = want;
	memmove(buf, body, want);
	return buf;
}

/* Wait (10 s at most) for the release count to reach n. */
static int
releases_reach(int n)
{
	for (int i = 0; i < 1000 && atomic_load(&releases) < n; i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	return atomic_load(&releases);
}

static void
shared_setup(void)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN); /* a client that left is not our death */
	shared_text = malloc(SHARED_LEN);
	ck_assert_ptr_nonnull(shared_text);
	for (i = 0; i < SHARED_LEN; i++)
		shared_text[i] = (char)('a' + i % 26);
	atomic_store(&releases, 0);
	reply_twice = 0;
}

/* Sent whole, without a copy; released once after the reply. */
START_TEST(test_shared_sent_and_released_once)
{
	char path[108], *body;
	struct httpd *h;
	size_t len;
	int fd;

	shared_setup();
	h = start_server(path, sizeof(path));
	for (int round = 1; round <= 2; round++) {
		fd = ask(path);
		body = read_reply(fd, &len);
		ck_assert_uint_eq(len, SHARED_LEN);
		ck_assert(memcmp(body, shared_text, SHARED_LEN) == 0);
		free(body);
		ck_assert_int_eq(releases_reach(round), round);
		close(fd);
	}
	httpd_stop(h, 1000);
	ck_assert_int_eq(atomic_load(&releases), 2);
	unlink(path);
	free(shared_text);
}
END_TEST

/* A client that leaves mid-body: the body still comes back, once. */
START_TEST(test_shared_released_when_client_leaves)
{
	char path[108], buf[4096];
	struct httpd *h;
	int fd;

	shared_setup();
	h = start_server(path, sizeof(path));
	fd = ask(path);
	ck_assert_int_gt(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	ck_assert_int_eq(releases_reach(1), 1);
	httpd_stop(h, 1000);
	ck_assert_int_eq(atomic_load(&releases), 1);
	unlink(path);
	free(shared_text);
}
END_TEST

/* A later reply replaces the shared one: released at once, and the
 * client gets the later reply. */
START_TEST(test_shared_replaced)
{
	char path[108], *body;
	struct httpd *h;
	size_t len;
	int fd;

	shared_setup();
	reply_twice = 1;
	h = start_server(path, sizeof(path));
	fd = ask(path);
	body = read_reply(fd, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert(memcmp(body, "{}", 2) == 0);
	free(body);
	close(fd);
	httpd_stop(h, 1000);
	ck_assert_int_eq(atomic_load(&releases), 1);
	unlink(path);
	free(shared_text);
}
END_TEST

/* ---- quick requests, on the I/O thread ---- */

static atomic_int slow_started, slow_release;

/* "/slow" holds its handler thread until told; anything else answers. */
static void
quick_handler(void *cls, struct httpd_req *rq)
{
	const char *url = httpd_req_url(rq);

	(void)cls;
	if (strcmp(url, "/slow") == 0) {
		atomic_store(&slow_started, 1);
		for (int i = 0; i < 1000 && !atomic_load(&slow_release); i++)
			nanosleep(&(struct timespec){.tv_nsec = 10000000},
			    NULL);
	}
	ck_assert_int_eq(httpd_req_reply(rq, 200, strdup(url), NULL), 0);
}

static int
quick_fast(void *cls, const struct httpd_req *rq)
{
	(void)cls;
	return strcmp(httpd_req_url(rq), "/fast") == 0;
}

static void
expect_body(int fd, const char *want)
{
	size_t len;
	char *body = read_reply(fd, &len);

	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(body, want, len) == 0);
	free(body);
	close(fd);
}

/*
 * The one handler thread is held by /slow: a quick /fast is answered
 * anyway, again and again, while a request that is not quick is told
 * the server is busy, so /fast cannot have had a handler thread.
 */
START_TEST(test_quick_without_a_handler_thread)
{
	char path[108];
	struct httpd *h;
	int slow;

	atomic_store(&slow_started, 0);
	atomic_store(&slow_release, 0);
	h = start_server_with(path, sizeof(path), quick_handler, quick_fast, 1);
	slow = ask_url(path, "/slow");
	for (int i = 0; i < 1000 && !atomic_load(&slow_started); i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	ck_assert_int_eq(atomic_load(&slow_started), 1);
	for (int i = 0; i < 3; i++)
		expect_body(ask_url(path, "/fast"), "/fast");
	expect_body(ask_url(path, "/other"), "{\"busy\":1}");
	atomic_store(&slow_release, 1);
	expect_body(slow, "/slow");
	expect_body(ask_url(path, "/other"), "/other");
	httpd_stop(h, 1000);
	unlink(path);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("httpd");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_escape_truncates_whole);
	suite_add_tcase(s, tc);
	tc = tcase_create("shared");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shared_sent_and_released_once);
	tcase_add_test(tc, test_shared_released_when_client_leaves);
	tcase_add_test(tc, test_shared_replaced);
	suite_add_tcase(s, tc);
	tc = tcase_create("quick");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_quick_without_a_handler_thread);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
