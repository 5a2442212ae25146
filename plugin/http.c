/*
 * http.c: routes and replies of the plugin's HTTP server (http.h).
 *
 * The layer only parses and answers: each route parses its body with
 * protocol.c and calls one volumes.c operation.  Status codes follow
 * docker-volume-plugins.md §1.1 and §5.1: 200 with a JSON body on success,
 * 500 with {"Err"} for an operation that failed, 400 for a body that is
 * not JSON, 413 above 1 MiB, 404 for an unknown path, 405 for a method
 * other than POST, 503 past the limits below.
 *
 * The server is lib/httpd.c: a Mount that waits on a dead NFS server runs
 * on its own thread and never delays List, Get or Path (§1.1: dockerd
 * sends requests in parallel), and a client that connects and sends
 * slowly costs no thread and is cut at the request deadline, so dockerd's
 * calls never wait on it.  The socket is root's alone; the per-peer limit
 * (per connecting process) keeps one stuck local tool from taking every
 * connection.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "http.h"
#include "httpd.h"
#include "jsonx.h"
#include "log.h"
#include "protocol.h"
#include "timefmt.h"

#define CONN_LIMIT          256
#define PER_PEER_LIMIT      64
#define REQUEST_DEADLINE_S  10
#define IO_THREADS          2
#define MAX_RUNNING         128
#define CONTENT_TYPE        "application/vnd.docker.plugins.v1.2+json"

struct plugin_http {
	struct httpd *httpd;
	struct volumes *vs;
	char *path; /* unlinked at stop when we created it */
};

typedef json_object *(*route_fn)(
    struct volumes *vs, struct proto_req *rq, struct tnfs_err *err);
typedef struct volumes_text *(*text_fn)(
    struct volumes *vs, struct tnfs_err *err);

static json_object *
empty_reply(void)
{
	return json_object_new_object();
}

static json_object *
r_activate(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	(void)vs;
	(void)rq;
	(void)err;
	return json_tokener_parse(PROTO_ACTIVATE_REPLY);
}

static json_object *
r_capabilities(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	(void)vs;
	(void)rq;
	(void)err;
	return json_tokener_parse(PROTO_CAPABILITIES_REPLY);
}

static json_object *
r_create(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	if (volumes_create(vs, rq->name, rq->opts, err) == -1)
		return NULL;
	return empty_reply();
}

static json_object *
r_remove(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	if (volumes_remove(vs, rq->name, err) == -1)
		return NULL;
	return empty_reply();
}

static json_object *
r_get(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	struct proto_volume v;

	if (volumes_get(vs, rq->name, &v, err) == -1)
		return NULL;
	return proto_get_reply(&v, err);
}

/* List answers text the volume layer keeps rendered (volumes.h). */
static struct volumes_text *
t_list(struct volumes *vs, struct tnfs_err *err)
{
	return volumes_list_text(vs, err);
}

/* httpd's release of a shared body: the List text's reference. */
static void
put_text(void *cls)
{
	volumes_text_put(cls);
}

static json_object *
r_path(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	char mp[4096];

	if (volumes_path(vs, rq->name, mp, sizeof(mp), err) == -1)
		return NULL;
	return proto_mountpoint_reply(mp, err);
}

static json_object *
r_mount(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	char mp[4096];

	if (volumes_mount(vs, rq->name, rq->id, mp, sizeof(mp), err) == -1)
		return NULL;
	return proto_mountpoint_reply(mp, err);
}

static json_object *
r_unmount(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	if (volumes_unmount(vs, rq->name, rq->id, err) == -1)
		return NULL;
	return empty_reply();
}

static const struct route {
	const char *path;
	int need;
	int quick;     /* answered from memory (httpd.h), or */
	route_fn fn;   /* a JSON reply, or */
	text_fn text;  /* a reply already rendered */
} routes[] = {
    {"/Plugin.Activate", 0, 1, r_activate, NULL},
    {"/VolumeDriver.Capabilities", 0, 1, r_capabilities, NULL},
    {"/VolumeDriver.Create", PROTO_NEED_NAME, 0, r_create, NULL},
    {"/VolumeDriver.Remove", PROTO_NEED_NAME, 0, r_remove, NULL},
    {"/VolumeDriver.Get", PROTO_NEED_NAME, 1, r_get, NULL},
    {"/VolumeDriver.List", 0, 0, NULL, t_list},
    {"/VolumeDriver.Path", PROTO_NEED_NAME, 1, r_path, NULL},
    {"/VolumeDriver.Mount", PROTO_NEED_NAME | PROTO_NEED_ID, 0, r_mount,
	NULL},
    {"/VolumeDriver.Unmount", PROTO_NEED_NAME | PROTO_NEED_ID, 0, r_unmount,
	NULL},
};

static const struct route *
route_of(const char *url)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(url, routes[i].path) == 0)
			return &routes[i];
	return NULL;
}

/*
 * httpd's quick(): Get, Path, Capabilities and Activate read the
 * registry in memory, and so does a List whose text is kept; errors
 * (a wrong method or endpoint) are answered at once too.  Create, Remove,
 * Mount and Unmount talk to the VAPI and mount: a handler thread's.
 */
static int
answered_from_memory(void *cls, const struct httpd_req *hr)
{
	struct plugin_http *srv = cls;
	const struct route *rt = route_of(httpd_req_url(hr));

	if (strcmp(httpd_req_method(hr), "POST") != 0 || rt == NULL)
		return 1;
	if (rt->text != NULL)
		return volumes_list_text_current(srv->vs);
	return rt->quick;
}

static void
send_text(struct httpd_req *hr, unsigned status, const char *text)
{
	char *copy = strdup(text);

	httpd_req_reply(hr, copy != NULL ? status : 500, copy, NULL);
}

static void
send_err(struct httpd_req *hr, unsigned status, const struct tnfs_err *err)
{
	char *body = proto_err_body(err);

	if (body == NULL) {
		send_text(hr, 500, "{\"Err\":\"tritonnfs: out of memory\"}");
		return;
	}
	httpd_req_reply(hr, status, body, NULL);
}

/* One log line per request (§5.1 item 19). */
static void
log_request(const char *path, const struct proto_req *rq, unsigned status,
    int64_t start, const struct tnfs_err *err)
{
	json_object *f = json_object_new_object();

	if (f != NULL) {
		jsonx_add_str(f, "route", path);
		if (rq->name[0] != '\0')
			jsonx_add_str(f, "volume", rq->name);
		if (rq->id[0] != '\0') {
			char shortid[13];

			snprintf(shortid, sizeof(shortid), "%.12s", rq->id);
			jsonx_add_str(f, "id", shortid);
		}
		jsonx_add_int64(f, "status", status);
		jsonx_add_int64(f, "ms", tnfs_mono_ms() - start);
		if (err != NULL && tnfs_err_isset(err))
			jsonx_add_str(f, "err", err->msg);
	}
	/*
	 * dockerd sends Get before every Create (§1.4): "not found" there is
	 * the normal path, not a warning.
	 */
	if (status == 200 ||
	    (err != NULL && tnfs_err_is(err, TNFS_E_NOT_FOUND) &&
		strcmp(path, "/VolumeDriver.Get") == 0))
		log_msg(TNFS_LOG_INFO, f, "%s %s", path,
		    status == 200 ? "ok" : "not found");
	else
		log_msg(TNFS_LOG_WARN, f, "%s failed", path);
}

/* Runs on a handler thread, or an I/O thread when quick (httpd.h). */
static void
dispatch(void *cls, struct httpd_req *hr)
{
	struct plugin_http *srv = cls;
	const char *url = httpd_req_url(hr), *body;
	struct proto_req rq;
	struct tnfs_err err;
	const struct route *rt = NULL;
	json_object *reply = NULL;
	struct volumes_text *shared = NULL;
	char *text = NULL;
	unsigned status = 200;
	char logurl[256], method[24];
	size_t len;

	memset(&rq, 0, sizeof(rq));
	tnfs_err_clear(&err);
	httpd_escape(url, logurl, sizeof(logurl));
	if (strcmp(httpd_req_method(hr), "POST") != 0) {
		httpd_escape(httpd_req_method(hr), method, sizeof(method));
		tnfs_err_set(&err, TNFS_E_METHOD_NOT_ALLOWED,
		    "%s not allowed; the plugin protocol uses POST", method);
		send_err(hr, 405, &err);
		return;
	}
	if ((rt = route_of(url)) == NULL) {
		tnfs_err_set(&err, TNFS_E_RESOURCE_NOT_FOUND,
		    "unknown endpoint %.100s", logurl);
		status = 404;
		goto reply;
	}
	if (httpd_req_body_too_large(hr)) {
		tnfs_err_set(&err, TNFS_E_TOO_LARGE,
		    "request body larger than %u bytes", PROTO_BODY_MAX);
		status = 413;
		goto reply;
	}
	body = httpd_req_body(hr, &len);
	if (proto_parse(len > 0 ? body : NULL, len, rt->need, &rq, &err) ==
	    -1) {
		status = tnfs_err_is(&err, TNFS_E_BAD_REQUEST) ? 400 : 500;
		goto reply;
	}
	if (rt->text != NULL ? (shared = rt->text(srv->vs, &err)) == NULL
			     : (reply = rt->fn(srv->vs, &rq, &err)) == NULL) {
		if (!tnfs_err_isset(&err))
			tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		status = 500;
	}
reply:
	log_request(logurl, &rq, status, httpd_req_start_ms(hr), &err);
	if (reply != NULL) {
		text = jsonx_to_string(reply);
		json_object_put(reply);
		if (text == NULL)
			tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
	}
	if (shared != NULL) {
		const char *s = volumes_text_str(shared, &len);

		/* Sent without a copy; httpd gives the reference back. */
		httpd_req_reply_shared(hr, 200, s, len, put_text, shared, NULL);
	} else if (text != NULL)
		httpd_req_reply(hr, 200, text, NULL);
	else
		send_err(hr, status == 200 ? 500 : status, &err);
	proto_req_clear(&rq);
}

/* The fd systemd passed, or -1 (sd_listen_fds without libsystemd). */
static int
inherited_fd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char buf[32];

	if (pid == NULL || fds == NULL)
		return -1;
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	if (strcmp(pid, buf) != 0 || strcmp(fds, "0") == 0)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 3; /* SD_LISTEN_FDS_START */
}

static int
listen_unix(const char *path, struct tnfs_err *err)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "socket path %s longer than %zu bytes", path,
		    sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s exists and is not a socket; not replacing it",
			    path);
			return -1;
		}
		/* Replace a stale socket, never a live one. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe != -1 &&
		    connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "another process is serving %s", path);
			return -1;
		}
		if (probe != -1)
			close(probe);
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    /* Root only, set before anyone can connect (§1.2). */
	    chmod(path, 0600) == -1 || listen(fd, 64) == -1) {
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, errno, "cannot listen on %s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

struct plugin_http *
plugin_http_start(
    const char *socket_path, struct volumes *vs, struct tnfs_err *err)
{
	struct plugin_http *srv = calloc(1, sizeof(*srv));
	struct httpd_opts o = {
	    .name = "plugin",
	    .conn_limit = CONN_LIMIT,
	    .per_peer_limit = PER_PEER_LIMIT,
	    .header_deadline_s = REQUEST_DEADLINE_S,
	    .pool_threads = IO_THREADS,
	    .max_running = MAX_RUNNING,
	    .body_max = PROTO_BODY_MAX,
	    .handler = dispatch,
	    .quick = answered_from_memory,
	    .busy_body = "{\"Err\":\"tritonnfs: the plugin is at its connection "
			 "or request limit; retry\"}",
	    .content_type = CONTENT_TYPE,
	};
	int fd;

	if (srv == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	srv->vs = vs;
	if ((fd = inherited_fd()) != -1) {
		log_info("serving the socket passed by systemd (fd %d)", fd);
	} else {
		if ((fd = listen_unix(socket_path, err)) == -1)
			goto fail;
		if ((srv->path = strdup(socket_path)) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			close(fd);
			goto fail;
		}
	}
	o.cls = srv;
	/* httpd owns fd from here, closing it on failure too. */
	if ((srv->httpd = httpd_start(fd, &o, err)) == NULL) {
		tnfs_err_prefix(err, "%s", socket_path);
		if (srv->path != NULL)
			unlink(srv->path);
		goto fail;
	}
	return srv;
fail:
	free(srv->path);
	free(srv);
	return NULL;
}

void
plugin_http_stop(struct plugin_http *srv)
{
	if (srv == NULL)
		return;
	/* Requests in flight finish first (their own deadlines bound them). */
	httpd_stop(srv->httpd, 0);
	if (srv->path != NULL) {
		unlink(srv->path);
		free(srv->path);
	}
	free(srv);
}
