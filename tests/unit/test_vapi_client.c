/*
 * test_vapi_client.c: libvapi against a scripted HTTP server.
 *
 * A libmicrohttpd server on a private Unix socket (and on loopback TCP)
 * answers each request with the status and body the test queued, and
 * records the method, URL, headers and body it received, so each test
 * checks both what libvapi sends and how it reads the answer.  A list of
 * URLs fails over only when a URL cannot be reached at all.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check_tap.h"
#include "jsonx.h"
#include "vapi_client.h"

struct fake {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	int status;
	char reply[8192];
	char method[16];
	char url[4096];
	char body[8192];
	char auth[1200];
	char reqid[128];
	char sock[108];
	int port;
	size_t body_len;
};

static struct fake F;

static enum MHD_Result
on_req(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct MHD_Response *r;
	const char *h;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (*ctx == NULL) {
		*ctx = &F;
		F.body_len = 0;
		F.body[0] = '\0';
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		if (F.body_len + n >= sizeof(F.body))
			n = sizeof(F.body) - F.body_len - 1;
		memcpy(F.body + F.body_len, upload, n);
		F.body_len += n;
		F.body[F.body_len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	snprintf(F.method, sizeof(F.method), "%s", method);
	snprintf(F.url, sizeof(F.url), "%s", url);
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	snprintf(F.auth, sizeof(F.auth), "%s", h ? h : "");
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "x-request-id");
	snprintf(F.reqid, sizeof(F.reqid), "%s", h ? h : "");
	r = MHD_create_response_from_buffer(
	    strlen(F.reply), F.reply, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, (unsigned)F.status, r);
	MHD_destroy_response(r);
	return ret;
}

static char last_query[4096];

static void
query_cb(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)ctx;
	(void)toe;
}

static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	snprintf(last_query, sizeof(last_query), "%s", uri);
	return NULL;
}

static void
setup(void)
{
	struct sockaddr_un sa;
	int fd;

	memset(&F, 0, sizeof(F));
	snprintf(F.sock, sizeof(F.sock), "/tmp/test_vapi_client.%d.sock",
	    (int)getpid());
	unlink(F.sock);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", F.sock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	F.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    on_req, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, query_cb, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(F.d);
}

static void
teardown(void)
{
	MHD_stop_daemon(F.d);
	unlink(F.sock);
}

static struct vapi_client *
client(const char *token)
{
	char url[160];
	struct vapi_client_opts o = {0};
	struct tnfs_err err;
	struct vapi_client *c;

	snprintf(url, sizeof(url), "unix://%s", F.sock);
	o.url = url;
	o.token = token;
	o.timeout_ms = 5000;
	c = vapi_client_new(&o, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	return c;
}

static void
answer(int status, const char *body)
{
	F.status = status;
	snprintf(F.reply, sizeof(F.reply), "%s", body);
}

#define VOL1                                                                   \
	"{\"uuid\":\"11111111-2222-3333-4444-555555555555\","                  \
	"\"owner_uuid\":\"aaaaaaaa-2222-3333-4444-555555555555\","             \
	"\"name\":\"wp-uploads\",\"type\":\"tritonnfs\",\"size\":10240,"       \
	"\"state\":\"ready\",\"create_timestamp\":\"2017-11-16T17:31:56."      \
	"763Z\","                                                              \
	"\"networks\":[\"bbbbbbbb-2222-3333-4444-555555555555\"],"             \
	"\"labels\":{},\"vm_uuid\":\"cccccccc-2222-3333-4444-555555555555\","  \
	"\"filesystem_path\":\"192.168.128.5:/exports/data\","                 \
	"\"nfs_port\":2049,\"mount_port\":20048,"                              \
	"\"refs\":[\"dddddddd-2222-3333-4444-555555555555\"]}"

START_TEST(test_new_rejects_bad_urls)
{
	static const char *bad[] = {NULL, "", "ftp://x", "unix://relative",
	    "http://", "http:///x", "http://a b", "x",
	    "unix:///aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vapi_client_opts o = {.url = bad[i]};
		struct tnfs_err err;

		tnfs_err_clear(&err);
		ck_assert_msg(vapi_client_new(&o, &err) == NULL, "accepted %s",
		    bad[i] ? bad[i] : "(null)");
		ck_assert_str_eq(err.code, "ValidationError");
	}
}
END_TEST

START_TEST(test_new_rejects_token_with_newline)
{
	struct vapi_client_opts o = {
	    .url = "http://127.0.0.1:1", .token = "abc\r\nX-Evil: 1"};
	struct tnfs_err err;

	ck_assert_ptr_null(vapi_client_new(&o, &err));
}
END_TEST

START_TEST(test_get_volume_parses_every_field)
{
	struct vapi_client *c = client("sekrit");
	struct vapi_volume v;
	struct tnfs_err err;

	answer(200, VOL1);
	ck_assert_int_eq(
	    vapi_client_get_volume(
		c, "11111111-2222-3333-4444-555555555555", NULL, &v, &err),
	    0);
	ck_assert_str_eq(F.method, "GET");
	ck_assert_str_eq(
	    F.url, "/volumes/11111111-2222-3333-4444-555555555555");
	ck_assert_str_eq(F.auth, "Bearer sekrit");
	ck_assert_str_eq(F.reqid, vapi_client_last_request_id(c));
	ck_assert_int_eq(strlen(F.reqid), 36);
	ck_assert_str_eq(v.name, "wp-uploads");
	ck_assert_str_eq(v.state, "ready");
	ck_assert_uint_eq(v.size_mib, 10240);
	ck_assert_str_eq(v.filesystem_path, "192.168.128.5:/exports/data");
	ck_assert_int_eq(v.nfs_port, 2049);
	ck_assert_int_eq(v.mount_port, 20048);
	ck_assert_uint_eq(v.nnetworks, 1);
	ck_assert_uint_eq(v.nrefs, 1);
	ck_assert(v.create_timestamp_ms == 1510853516763LL);
	{
		struct vapi_volume copy;

		ck_assert_int_eq(vapi_volume_copy(&copy, &v, &err), 0);
		vapi_volume_clear(&v);
		ck_assert_str_eq(
		    copy.refs[0], "dddddddd-2222-3333-4444-555555555555");
		vapi_volume_clear(&copy);
	}
	vapi_client_free(c);
}
END_TEST

START_TEST(test_errors_keep_vapi_code_and_message)
{
	struct vapi_client *c = client(NULL);
	struct tnfs_err err;

	answer(409,
	    "{\"code\":\"VolumeInUse\",\"message\":\"Volume with name v is "
	    "used by vms: dddddddd-2222-3333-4444-555555555555\"}");
	tnfs_err_clear(&err);
	ck_assert_int_eq(
	    vapi_client_delete_volume(c, "11111111-2222-3333-4444-555555555555",
		"aaaaaaaa-2222-3333-4444-555555555555", 0, &err),
	    -1);
	ck_assert_str_eq(F.method, "DELETE");
	ck_assert_str_eq(err.code, "VolumeInUse");
	ck_assert_int_eq(err.http_status, 409);
	ck_assert_ptr_nonnull(strstr(err.msg, "used by vms: dddddddd"));
	ck_assert_str_eq(last_query,
	    "/volumes/11111111-2222-3333-4444-555555555555?owner_uuid="
	    "aaaaaaaa-2222-3333-4444-555555555555");
	ck_assert_str_eq(F.auth, "");
	vapi_client_free(c);
}
END_TEST

START_TEST(test_non_json_success_is_an_error)
{
	struct vapi_client *c = client(NULL);
	struct vapi_volume v;
	struct tnfs_err err;

	answer(200, "<html>oops</html>");
	ck_assert_int_eq(vapi_client_get_volume(c, "x", NULL, &v, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not JSON"));
	answer(200, "{\"uuid\":5,\"state\":\"ready\"}");
	ck_assert_int_eq(vapi_client_get_volume(c, "x", NULL, &v, &err), -1);
	answer(200, "[]");
	ck_assert_int_eq(vapi_client_get_volume(c, "x", NULL, &v, &err), -1);
	vapi_client_free(c);
}
END_TEST

START_TEST(test_unreachable_is_unavailable)
{
	struct vapi_client_opts o = {.url = "unix:///nonexistent/vapi.sock"};
	struct vapi_ping p;
	struct tnfs_err err;
	struct vapi_client *c = vapi_client_new(&o, &err);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(vapi_client_ping(c, &p, &err), -1);
	ck_assert_str_eq(err.code, "ServiceUnavailable");
	ck_assert_ptr_nonnull(strstr(err.msg, "unix:///nonexistent/vapi.sock"));
	vapi_client_free(c);
}
END_TEST

/* A client of the URL list urls (several, comma-separated). */
static struct vapi_client *
client_of(const char *urls, int timeout_ms)
{
	struct vapi_client_opts o = {0};
	struct tnfs_err err;
	struct vapi_client *c;

	o.url = urls;
	o.timeout_ms = timeout_ms;
	c = vapi_client_new(&o, &err);
	ck_assert_msg(c != NULL, "%s: %s", urls, err.msg);
	return c;
}

/* A dead first URL: the request goes to the next, and stays there. */
START_TEST(test_urls_fail_over_when_unreachable)
{
	char urls[512];
	struct vapi_client *c;
	struct vapi_ping p;
	struct tnfs_err err;

	snprintf(urls, sizeof(urls),
	    "unix:///nonexistent/a.sock,http://127.0.0.1:1,unix://%s", F.sock);
	c = client_of(urls, 5000);
	answer(200, "{\"status\":\"OK\",\"healthy\":true,\"pid\":7}");
	ck_assert_msg(vapi_client_ping(c, &p, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(F.method, "GET");
	ck_assert_int_eq(p.pid, 7);
	/* The next call starts at the one that answered. */
	F.method[0] = '\0';
	answer(200, "{\"status\":\"OK\",\"healthy\":true,\"pid\":8}");
	ck_assert_msg(vapi_client_ping(c, &p, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(p.pid, 8);
	vapi_client_free(c);
}
END_TEST

/* An HTTP error answer is the answer: never tried elsewhere. */
START_TEST(test_urls_error_answers_are_not_failed_over)
{
	static const int statuses[] = {400, 404, 409, 500, 503};
	char urls[512];
	struct vapi_client *c;
	struct vapi_ping p;
	struct tnfs_err err;
	size_t i;

	snprintf(urls, sizeof(urls), "unix://%s,unix:///nonexistent/b.sock",
	    F.sock);
	c = client_of(urls, 5000);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		answer(statuses[i], "{\"code\":\"InternalError\","
				    "\"message\":\"the first one said no\"}");
		tnfs_err_clear(&err);
		ck_assert_int_eq(vapi_client_ping(c, &p, &err), -1);
		ck_assert_int_eq(err.http_status, statuses[i]);
		ck_assert_str_eq(err.msg, "the first one said no");
	}
	vapi_client_free(c);
}
END_TEST

/*
 * A VAPI that took the connection and never answers may have run the
 * request: the timeout is returned, the next URL never sees the request.
 */
START_TEST(test_urls_timeout_once_connected_is_not_failed_over)
{
	struct sockaddr_un sa;
	char silent[108], urls[512];
	struct vapi_client *c;
	struct vapi_ping p;
	struct tnfs_err err;
	int fd;

	snprintf(silent, sizeof(silent), "/tmp/test_vapi_client.%d.silent",
	    (int)getpid());
	unlink(silent);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", silent);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0); /* connects, never accepted */
	snprintf(urls, sizeof(urls), "unix://%s,unix://%s", silent, F.sock);
	c = client_of(urls, 500);
	answer(200, "{\"status\":\"OK\"}");
	F.method[0] = '\0';
	tnfs_err_clear(&err);
	ck_assert_int_eq(vapi_client_ping(c, &p, &err), -1);
	ck_assert_str_eq(err.code, "Timeout");
	ck_assert_ptr_nonnull(strstr(err.msg, silent));
	ck_assert_str_eq(F.method, "");
	vapi_client_free(c);
	close(fd);
	unlink(silent);
}
END_TEST

/* None reachable: one error naming each URL and why. */
START_TEST(test_urls_none_reachable)
{
	struct vapi_client *c =
	    client_of("unix:///nonexistent/a.sock,unix:///nonexistent/b.sock",
		5000);
	struct vapi_ping p;
	struct tnfs_err err;

	ck_assert_int_eq(vapi_client_ping(c, &p, &err), -1);
	ck_assert_str_eq(err.code, "ServiceUnavailable");
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot reach any of 2 VAPI URLs"));
	ck_assert_ptr_nonnull(strstr(err.msg, "unix:///nonexistent/a.sock"));
	ck_assert_ptr_nonnull(strstr(err.msg, "unix:///nonexistent/b.sock"));
	vapi_client_free(c);
}
END_TEST

/* Malformed lists are refused whole. */
START_TEST(test_urls_bad_lists)
{
	static const char *bad[] = {",", "http://a:1,", ",http://a:1",
	    "http://a:1,,http://b:1", "http://a:1, http://b:1",
	    "http://a:1,ftp://b", "http://a:1,unix://relative"};
	char many[2048] = "";
	size_t i, off = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vapi_client_opts o = {.url = bad[i]};
		struct tnfs_err err;

		tnfs_err_clear(&err);
		ck_assert_msg(vapi_client_new(&o, &err) == NULL, "accepted %s",
		    bad[i]);
		ck_assert_str_eq(err.code, "ValidationError");
	}
	for (i = 0; i <= VAPI_CLIENT_MAX_URLS; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off,
		    "%shttp://h%zu:1", i > 0 ? "," : "", i);
	{
		struct vapi_client_opts o = {.url = many};
		struct tnfs_err err;

		ck_assert_ptr_null(vapi_client_new(&o, &err));
		ck_assert_ptr_nonnull(strstr(err.msg, "more than 16"));
	}
}
END_TEST

START_TEST(test_create_sends_the_vapi_body)
{
	struct vapi_client *c = client(NULL);
	const char *nets[] = {"bbbbbbbb-2222-3333-4444-555555555555"};
	struct vapi_create_req rq = {
	    .owner_uuid = "aaaaaaaa-2222-3333-4444-555555555555",
	    .name = "wp-uploads",
	    .size_mib = 20480,
	    .networks = nets,
	    .nnetworks = 1,
	};
	struct vapi_volume v;
	struct tnfs_err err;
	json_object *b;

	answer(201, VOL1);
	ck_assert_int_eq(vapi_client_create_volume(c, &rq, &v, &err), 0);
	ck_assert_str_eq(F.method, "POST");
	ck_assert_str_eq(F.url, "/volumes");
	b = json_tokener_parse(F.body);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(jsonx_get_str(b, "type"), "tritonnfs");
	ck_assert_str_eq(jsonx_get_str(b, "name"), "wp-uploads");
	{
		int64_t sz;
		ck_assert_int_eq(jsonx_get_int64(b, "size", &sz), 0);
		ck_assert(sz == 20480);
	}
	ck_assert_int_eq(
	    json_object_array_length(json_object_object_get(b, "networks")), 1);
	json_object_put(b);
	vapi_volume_clear(&v);
	vapi_client_free(c);
}
END_TEST

START_TEST(test_list_sizes_networks_refs)
{
	struct vapi_client *c = client(NULL);
	struct vapi_size *sz;
	struct vapi_network_list nl;
	char uuid[VAPI_UUID_BUFSZ];
	char **refs;
	size_t n;
	struct tnfs_err err;

	answer(200,
	    "[{\"size\":10240,\"type\":\"tritonnfs\"},"
	    "{\"size\":20480,\"type\":\"tritonnfs\"}]");
	ck_assert_int_eq(vapi_client_list_sizes(c, &sz, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(sz[1].size_mib, 20480);
	free(sz);
	answer(200, "[{\"size\":\"10\"}]");
	ck_assert_int_eq(vapi_client_list_sizes(c, &sz, &n, &err), -1);

	answer(200,
	    "[{\"uuid\":\"bbbbbbbb-2222-3333-4444-555555555555\","
	    "\"name\":\"mynet\",\"subnet\":\"10.0.0.0/24\",\"fabric\":true,"
	    "\"owner_uuids\":[],\"default\":false},"
	    "{\"uuid\":\"eeeeeeee-2222-3333-4444-555555555555\","
	    "\"name\":\"def\",\"subnet\":\"10.1.0.0/24\",\"fabric\":true,"
	    "\"owner_uuids\":[\"aaaaaaaa-2222-3333-4444-555555555555\"],"
	    "\"default\":true}]");
	ck_assert_int_eq(vapi_client_list_networks(c, &nl, &err), 0);
	ck_assert_uint_eq(nl.n, 2);
	ck_assert_int_eq(nl.items[1].is_default, 1);
	vapi_network_list_clear(&nl);
	ck_assert_int_eq(
	    vapi_client_resolve_network(c,
		"aaaaaaaa-2222-3333-4444-555555555555", NULL, uuid, NULL, &err),
	    0);
	ck_assert_str_eq(uuid, "eeeeeeee-2222-3333-4444-555555555555");
	ck_assert_int_eq(
	    vapi_client_resolve_network(c, NULL, "mynet", uuid, NULL, &err), 0);
	ck_assert_str_eq(uuid, "bbbbbbbb-2222-3333-4444-555555555555");
	ck_assert_int_eq(
	    vapi_client_resolve_network(c, NULL, "nope", uuid, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "mynet"));
	/* Not the owner's network: invisible. */
	ck_assert_int_eq(
	    vapi_client_resolve_network(c,
		"ffffffff-2222-3333-4444-555555555555", "def", uuid, NULL, &err),
	    -1);

	answer(204, "");
	ck_assert_int_eq(
	    vapi_client_add_reference(c, "11111111-2222-3333-4444-555555555555",
		"aaaaaaaa-2222-3333-4444-555555555555",
		"dddddddd-2222-3333-4444-555555555555", &err),
	    0);
	ck_assert_str_eq(F.url,
	    "/volumes/11111111-2222-3333-4444-555555555555/addreference");
	ck_assert_ptr_nonnull(strstr(F.body, "\"vm_uuid\""));
	answer(200, "[\"dddddddd-2222-3333-4444-555555555555\"]");
	ck_assert_int_eq(
	    vapi_client_list_references(c, "x", &refs, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	vapi_strv_free(refs, n);
	vapi_client_free(c);
}
END_TEST

/*
 * The one network resolver's rules (vapi_network_pick), over a fixed
 * list: default, uuid before name, name, a unique uuid prefix, visibility
 * to the owner; hostile and ambiguous arguments next to the good ones.
 */
#define OWNER_A "aaaaaaaa-0000-0000-0000-000000000001"
#define OWNER_B "bbbbbbbb-0000-0000-0000-000000000002"
#define NET_PUB "1111aaaa-0000-0000-0000-000000000001"
#define NET_DEF "1111bbbb-0000-0000-0000-000000000002"
#define NET_MINE "2222cccc-0000-0000-0000-000000000003"
/* Named like NET_PUB's uuid: the uuid wins. */
#define NET_TRICK "3333dddd-0000-0000-0000-000000000004"

static const struct {
	const char *owner;
	const char *arg;
	const char *want; /* uuid, or NULL for an error */
	const char *code; /* the error's code */
} pick_cases[] = {
    {NULL, NULL, NET_DEF, NULL},
    {NULL, "", NET_DEF, NULL},
    {OWNER_A, NULL, NET_DEF, NULL},
    {NULL, NET_PUB, NET_PUB, NULL},
    {NULL, "public", NET_PUB, NULL},
    {NULL, "1111a", NET_PUB, NULL},
    {NULL, "2222", NET_MINE, NULL},
    {OWNER_A, "mine", NET_MINE, NULL},
    {OWNER_A, "2222cccc", NET_MINE, NULL},
    /* Another owner's network is invisible, by name and by prefix. */
    {OWNER_B, "mine", NULL, "NetworkNotFound"},
    {OWNER_B, "2222", NULL, "NetworkNotFound"},
    {NULL, "1111", NULL, "ValidationError"},
    {NULL, "-", NULL, "NetworkNotFound"},
    {NULL, "nope", NULL, "NetworkNotFound"},
    {NULL, "PUBLIC", NULL, "NetworkNotFound"},
    {NULL, "1111aaaa-0000-0000-0000-0000000000011", NULL, "NetworkNotFound"},
    {NULL, "publi", NULL, "NetworkNotFound"},
    {NULL, "public ", NULL, "NetworkNotFound"},
};

static void
net_fill(struct vapi_network *nw, const char *uuid, const char *name,
    int is_default, char **owners, size_t nowners)
{
	memset(nw, 0, sizeof(*nw));
	snprintf(nw->uuid, sizeof(nw->uuid), "%s", uuid);
	snprintf(nw->name, sizeof(nw->name), "%s", name);
	nw->is_default = is_default;
	nw->owner_uuids = owners;
	nw->nowner_uuids = nowners;
}

START_TEST(test_network_pick_rules)
{
	static char owner_a[] = OWNER_A;
	char *owners[] = {owner_a};
	struct vapi_network items[4];
	struct vapi_network_list l = {items, 4};
	const struct vapi_network *hit = NULL;
	struct tnfs_err err;
	int rc;

	tnfs_err_clear(&err);
	net_fill(&items[0], NET_TRICK, NET_PUB, 0, NULL, 0);
	net_fill(&items[1], NET_PUB, "public", 0, NULL, 0);
	net_fill(&items[2], NET_DEF, "default", 1, NULL, 0);
	net_fill(&items[3], NET_MINE, "mine", 0, owners, 1);
	rc = vapi_network_pick(
	    &l, pick_cases[_i].owner, pick_cases[_i].arg, &hit, &err);
	if (pick_cases[_i].want != NULL) {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(hit->uuid, pick_cases[_i].want);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_null(hit);
		ck_assert_str_eq(err.code, pick_cases[_i].code);
	}
}
END_TEST

START_TEST(test_network_pick_names_the_known)
{
	struct vapi_network items[1];
	struct vapi_network_list l = {items, 1};
	struct vapi_network_list none = {NULL, 0};
	const struct vapi_network *hit;
	struct tnfs_err err;
	char huge[4096];

	tnfs_err_clear(&err);
	net_fill(&items[0], NET_PUB, "public", 0, NULL, 0);
	ck_assert_int_eq(vapi_network_pick(&l, NULL, NULL, &hit, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no default network"));
	ck_assert_ptr_nonnull(strstr(err.msg, "public"));
	ck_assert_int_eq(vapi_network_pick(&none, NULL, "x", &hit, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "known: none"));
	/* An oversized argument is cut in the message, never overflows it. */
	memset(huge, 'z', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	ck_assert_int_eq(vapi_network_pick(&l, NULL, huge, &hit, &err), -1);
	ck_assert_str_eq(err.code, "NetworkNotFound");
	ck_assert_uint_lt(strlen(err.msg), sizeof(err.msg));
}
END_TEST

START_TEST(test_find_volume_skips_failed_and_escapes)
{
	struct vapi_client *c = client(NULL);
	struct vapi_volume v;
	struct tnfs_err err;

	answer(200,
	    "[{\"uuid\":\"u1\",\"name\":\"v1\",\"state\":\"failed\"},"
	    "{\"uuid\":\"u2\",\"name\":\"v1\",\"state\":\"creating\"}]");
	ck_assert_int_eq(
	    vapi_client_find_volume(c, "o w&n", "v1", &v, &err), 0);
	ck_assert_str_eq(v.uuid, "u2");
	ck_assert_str_eq(last_query, "/volumes?owner_uuid=o%20w%26n&name=v1");
	vapi_volume_clear(&v);
	answer(200, "[]");
	ck_assert_int_eq(vapi_client_find_volume(c, NULL, "v1", &v, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotFound");
	ck_assert_int_eq(vapi_client_find_volume(c, NULL, "v*", &v, &err), -1);
	vapi_client_free(c);
}
END_TEST

START_TEST(test_snapshots)
{
	struct vapi_client *c = client(NULL);
	struct vapi_snapshot s;
	struct vapi_snapshot_list l;
	struct tnfs_err err;

	answer(201,
	    "{\"name\":\"s1\",\"state\":\"created\","
	    "\"create_timestamp\":\"2020-01-01T00:00:00Z\"}");
	ck_assert_int_eq(
	    vapi_client_create_snapshot(c, "u", NULL, "s1", &s, &err), 0);
	ck_assert_str_eq(F.url, "/volumes/u/snapshot");
	ck_assert_str_eq(s.state, "created");
	vapi_snapshot_clear(&s);
	answer(200, "[{\"name\":\"s1\"},{\"name\":\"s2\"}]");
	ck_assert_int_eq(vapi_client_list_snapshots(c, "u", NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 2);
	vapi_snapshot_list_clear(&l);
	answer(204, "");
	ck_assert_int_eq(
	    vapi_client_delete_snapshot(c, "u", NULL, "a/b", &err), 0);
	ck_assert_str_eq(last_query, "/volumes/u/snapshots/a%2Fb");
	ck_assert_int_eq(
	    vapi_client_rollback_snapshot(c, "u", NULL, "s1", &err), 0);
	ck_assert_str_eq(F.url, "/volumes/u/rollbacktosnapshot");
	vapi_client_free(c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_client");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_rejects_bad_urls);
	tcase_add_test(tc, test_new_rejects_token_with_newline);
	tcase_add_test(tc, test_get_volume_parses_every_field);
	tcase_add_test(tc, test_errors_keep_vapi_code_and_message);
	tcase_add_test(tc, test_non_json_success_is_an_error);
	tcase_add_test(tc, test_unreachable_is_unavailable);
	tcase_add_test(tc, test_urls_fail_over_when_unreachable);
	tcase_add_test(tc, test_urls_error_answers_are_not_failed_over);
	tcase_add_test(tc, test_urls_timeout_once_connected_is_not_failed_over);
	tcase_add_test(tc, test_urls_none_reachable);
	tcase_add_test(tc, test_urls_bad_lists);
	tcase_add_test(tc, test_create_sends_the_vapi_body);
	tcase_add_test(tc, test_list_sizes_networks_refs);
	tcase_add_test(tc, test_find_volume_skips_failed_and_escapes);
	tcase_add_test(tc, test_snapshots);
	tcase_add_loop_test(tc, test_network_pick_rules, 0,
	    (int)(sizeof(pick_cases) / sizeof(pick_cases[0])));
	tcase_add_test(tc, test_network_pick_names_the_known);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
