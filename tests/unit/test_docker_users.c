/*
 * test_docker_users.c: counting the volume mount points of running
 * containers in dockerd's /containers/json answer (docker_users.h), with
 * malformed, oversized and hostile answers, and asking a real HTTP server
 * on a Unix socket.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check_tap.h"
#include "docker_users.h"
#include "parse.h"

static struct docker_users *
parse_ok(const char *body)
{
	struct docker_users *u = NULL;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_msg(docker_users_parse(body, strlen(body), &u, &err) == 0,
	    "%s: %s", body, err.msg);
	return u;
}

static void
parse_bad(const char *body, size_t len, const char *want)
{
	struct docker_users *u = NULL;
	struct tnfs_err err;

	tnfs_err_clear(&err);
	ck_assert_int_eq(docker_users_parse(body, len, &u, &err), -1);
	ck_assert_ptr_null(u);
	ck_assert_msg(
	    strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg, want);
}

/* A literal answer, NUL bytes included. */
#define BAD(lit, want) parse_bad(lit, sizeof(lit) - 1, want)

START_TEST(test_counts_mount_points_of_running_containers)
{
	struct docker_users *u = parse_ok(
	    "[{\"Id\":\"a\",\"State\":\"running\",\"Mounts\":["
	    "{\"Type\":\"volume\",\"Name\":\"s1\",\"Driver\":\"tritonnfs\"},"
	    "{\"Type\":\"bind\",\"Source\":\"/etc\"},"
	    "{\"Type\":\"volume\",\"Name\":\"s2\"}]},"
	    "{\"Id\":\"b\",\"State\":\"paused\",\"Mounts\":["
	    "{\"Type\":\"volume\",\"Name\":\"s1\"}]},"
	    /* Two mount points of one container: two IDs. */
	    "{\"Id\":\"c\",\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"s3\"},"
	    "{\"Type\":\"volume\",\"Name\":\"s3\"}]},"
	    "{\"Id\":\"d\",\"State\":\"exited\",\"Mounts\":["
	    "{\"Type\":\"volume\",\"Name\":\"s4\"}]},"
	    "{\"Id\":\"e\",\"State\":\"running\",\"Mounts\":null},"
	    "{\"Id\":\"f\",\"State\":\"running\"},"
	    "{\"Id\":\"g\",\"Mounts\":[{\"Type\":\"tmpfs\"},"
	    "{\"Type\":\"volume\",\"Name\":\"\"},{\"Name\":\"s5\"}]}]");

	ck_assert_uint_eq(docker_users_count(u, "s1"), 2);
	ck_assert_uint_eq(docker_users_count(u, "s2"), 1);
	ck_assert_uint_eq(docker_users_count(u, "s3"), 2);
	ck_assert_uint_eq(docker_users_count(u, "s4"), 0);
	ck_assert_uint_eq(docker_users_count(u, "s5"), 0);
	ck_assert_uint_eq(docker_users_count(u, "s0"), 0);
	ck_assert_uint_eq(docker_users_count(u, "zz"), 0);
	ck_assert_uint_eq(docker_users_volumes(u), 3);
	docker_users_free(u);
	u = parse_ok("[]");
	ck_assert_uint_eq(docker_users_volumes(u), 0);
	ck_assert_uint_eq(docker_users_count(u, "s1"), 0);
	docker_users_free(u);
}
END_TEST

START_TEST(test_many_containers)
{
	size_t cap = 5000 * 80 + 16, len = 0, i;
	char *body = malloc(cap);
	struct docker_users *u;

	ck_assert_ptr_nonnull(body);
	body[len++] = '[';
	for (i = 0; i < 5000; i++)
		len += (size_t)snprintf(body + len, cap - len,
		    "%s{\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"v%zu\"}]}",
		    i ? "," : "", i % 1000);
	body[len++] = ']';
	body[len] = '\0';
	u = parse_ok(body);
	ck_assert_uint_eq(docker_users_volumes(u), 1000);
	ck_assert_uint_eq(docker_users_count(u, "v0"), 5);
	ck_assert_uint_eq(docker_users_count(u, "v999"), 5);
	docker_users_free(u);
	free(body);
}
END_TEST

START_TEST(test_hostile_answers)
{
	char deep[200], longname[TNFS_NAME_MAX + 64];
	struct docker_users *u;
	size_t i;

	BAD("", "container list");
	BAD("{}", "not a JSON array");
	BAD("[1]", "entry 0 is not an object");
	BAD("[{},\"x\"]", "entry 1 is not an object");
	BAD("[{\"State\":7}]", "State is not a string");
	BAD("[{\"Mounts\":{}}]", "Mounts is not an array");
	BAD("[{\"Mounts\":[3]}]", "mount 0 is not an object");
	BAD("[{\"Mounts\":[{\"Type\":1,\"Name\":\"a\"}]}]", "not a string");
	BAD("[{\"Mounts\":[{\"Type\":\"volume\",\"Name\":[]}]}]",
	    "not a string");
	BAD("[{}] trailing", "container list");
	BAD("[{\"Id\":\"a\0b\"}]", "container list");
	BAD("[{\"Id\":\"\xff\"}]", "container list");
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	for (i = 100; i < 200; i++)
		deep[i] = ']';
	parse_bad(deep, sizeof(deep), "container list");
	/* A name longer than any volume name is not ours: ignored. */
	memset(longname, 'a', sizeof(longname));
	snprintf(longname, sizeof(longname),
	    "[{\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"%0*d\"}]}]",
	    TNFS_NAME_MAX + 1, 7);
	u = parse_ok(longname);
	ck_assert_uint_eq(docker_users_volumes(u), 0);
	docker_users_free(u);
}
END_TEST

/* ---- a real HTTP server on a Unix socket ---- */

struct server {
	int fd;
	const char *reply; /* the whole HTTP answer, or NULL: close */
	char path[108];
};

static void *
serve_once(void *arg)
{
	struct server *s = arg;
	char req[4096];
	int c;

	if ((c = accept(s->fd, NULL, NULL)) == -1)
		return NULL;
	(void)!read(c, req, sizeof(req));
	if (s->reply != NULL)
		(void)!write(c, s->reply, strlen(s->reply));
	close(c);
	return NULL;
}

static void
serve(struct server *s, const char *reply, pthread_t *t)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	snprintf(
	    s->path, sizeof(s->path), "/tmp/tnfs-du-%d.sock", (int)getpid());
	unlink(s->path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->path);
	ck_assert_int_ne(s->fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->fd, 4), 0);
	s->reply = reply;
	ck_assert_int_eq(pthread_create(t, NULL, serve_once, s), 0);
}

static void
unserve(struct server *s, pthread_t t)
{
	pthread_join(t, NULL);
	close(s->fd);
	unlink(s->path);
}

START_TEST(test_fetch_from_a_server)
{
	static const char ok[] =
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 62\r\nConnection: close\r\n\r\n"
	    "[{\"State\":\"running\",\"Mounts\":[{\"Type\":\"volume\",\"Name\""
	    ":\"s1\"}]}]";
	static const char err500[] =
	    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\n{}";
	static const char junk[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
				   "Connection: close\r\n\r\nxyz";
	struct docker_users *u = NULL;
	struct server s;
	struct tnfs_err err;
	pthread_t t;

	serve(&s, ok, &t);
	tnfs_err_clear(&err);
	ck_assert_msg(
	    docker_users_fetch(s.path, 5000, &u, &err) == 0, "%s", err.msg);
	unserve(&s, t);
	ck_assert_uint_eq(docker_users_count(u, "s1"), 1);
	docker_users_free(u);
	u = NULL;

	serve(&s, err500, &t);
	ck_assert_int_eq(docker_users_fetch(s.path, 5000, &u, &err), -1);
	unserve(&s, t);
	ck_assert_int_eq(err.http_status, 503);
	ck_assert_ptr_nonnull(strstr(err.msg, "answered 500"));

	serve(&s, junk, &t);
	ck_assert_int_eq(docker_users_fetch(s.path, 5000, &u, &err), -1);
	unserve(&s, t);
	ck_assert_ptr_nonnull(strstr(err.msg, "container list"));

	serve(&s, NULL, &t); /* closes without answering */
	ck_assert_int_eq(docker_users_fetch(s.path, 5000, &u, &err), -1);
	unserve(&s, t);
	ck_assert_int_eq(err.http_status, 503);

	ck_assert_int_eq(
	    docker_users_fetch("/nonexistent/docker.sock", 5000, &u, &err), -1);
	ck_assert_int_eq(err.http_status, 503);
	ck_assert_ptr_null(u);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docker_users");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_counts_mount_points_of_running_containers);
	tcase_add_test(tc, test_many_containers);
	tcase_add_test(tc, test_hostile_answers);
	tcase_add_test(tc, test_fetch_from_a_server);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
