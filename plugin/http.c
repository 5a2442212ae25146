/*
 * http.c: routes and replies of the plugin's HTTP server (http.h).
 *
 * The layer only parses and answers: each route parses its body with
 * protocol.c and calls one volumes.c operation.  Status codes follow
 * docker-volume-plugins.md §1.1 and §5.1: 200 with a JSON body on success,
 * 500 with {"Err"} for an operation that failed, 400 for a body that is
 * not JSON, 413 above 1 MiB, 404 for an unknown path, 405 for a method
 * other than POST.
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

#include <microhttpd.h>

#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "protocol.h"
#include "timefmt.h"

struct http_server {
	struct MHD_Daemon *d;
	struct volumes *vs;
	int fd;
	char *path; /* unlinked at stop when we created it */
};

/* One request in progress. */
struct req_ctx {
	char *body;
	size_t len, cap;
	int too_large;
	int64_t start_ms;
};

typedef json_object *(*route_fn)(
    struct volumes *vs, struct proto_req *rq, struct tnfs_err *err);

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

static json_object *
r_list(struct volumes *vs, struct proto_req *rq, struct tnfs_err *err)
{
	struct proto_volume_list l;
	json_object *reply;

	(void)rq;
	if (volumes_list(vs, &l, err) == -1)
		return NULL;
	reply = proto_list_reply(&l, err);
	proto_volume_list_clear(&l);
	return reply;
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
	route_fn fn;
} routes[] = {
    {"/Plugin.Activate", 0, r_activate},
    {"/VolumeDriver.Capabilities", 0, r_capabilities},
    {"/VolumeDriver.Create", PROTO_NEED_NAME, r_create},
    {"/VolumeDriver.Remove", PROTO_NEED_NAME, r_remove},
    {"/VolumeDriver.Get", PROTO_NEED_NAME, r_get},
    {"/VolumeDriver.List", 0, r_list},
    {"/VolumeDriver.Path", PROTO_NEED_NAME, r_path},
    {"/VolumeDriver.Mount", PROTO_NEED_NAME | PROTO_NEED_ID, r_mount},
    {"/VolumeDriver.Unmount", PROTO_NEED_NAME | PROTO_NEED_ID, r_unmount},
};

static enum MHD_Result
send_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(
	    strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(
	    r, "Content-Type", "application/vnd.docker.plugins.v1.2+json");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
send_err(
    struct MHD_Connection *conn, unsigned status, const struct tnfs_err *err)
{
	char *body = proto_err_body(err);
	enum MHD_Result ret;

	if (body == NULL)
		return send_text(
		    conn, 500, "{\"Err\":\"tritonnfs: out of memory\"}");
	ret = send_text(conn, status, body);
	free(body);
	return ret;
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

static enum MHD_Result
dispatch(struct http_server *srv, struct MHD_Connection *conn, const char *url,
    struct req_ctx *ctx)
{
	struct proto_req rq;
	struct tnfs_err err;
	const struct route *rt = NULL;
	json_object *reply = NULL;
	enum MHD_Result ret;
	unsigned status = 200;
	size_t i;

	memset(&rq, 0, sizeof(rq));
	tnfs_err_clear(&err);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(url, routes[i].path) == 0)
			rt = &routes[i];
	if (rt == NULL) {
		tnfs_err_set(&err, TNFS_E_RESOURCE_NOT_FOUND,
		    "unknown endpoint %.100s", url);
		status = 404;
		goto reply;
	}
	if (ctx->too_large) {
		tnfs_err_set(&err, TNFS_E_TOO_LARGE,
		    "request body larger than %u bytes", PROTO_BODY_MAX);
		status = 413;
		goto reply;
	}
	if (proto_parse(ctx->body, ctx->len, rt->need, &rq, &err) == -1) {
		status = tnfs_err_is(&err, TNFS_E_BAD_REQUEST) ? 400 : 500;
		goto reply;
	}
	if ((reply = rt->fn(srv->vs, &rq, &err)) == NULL) {
		if (!tnfs_err_isset(&err))
			tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		status = 500;
	}
reply:
	log_request(url, &rq, status, ctx->start_ms, &err);
	if (reply != NULL) {
		char *text = jsonx_to_string(reply);

		ret = text != NULL ? send_text(conn, 200, text)
				   : send_err(conn, 500, &err);
		free(text);
		json_object_put(reply);
	} else
		ret = send_err(conn, status, &err);
	proto_req_clear(&rq);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct req_ctx *ctx = *con_cls;

	(void)version;
	if (ctx == NULL) {
		if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
			return MHD_NO;
		ctx->start_ms = tnfs_mono_ms();
		*con_cls = ctx;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (ctx->too_large || ctx->len + n > PROTO_BODY_MAX) {
			/* Keep reading, drop the bytes, answer 413 at the end. */
			ctx->too_large = 1;
			return MHD_YES;
		}
		if (ctx->len + n + 1 > ctx->cap) {
			size_t cap = ctx->cap ? ctx->cap : 1024;
			char *p;

			while (cap < ctx->len + n + 1)
				cap *= 2;
			if ((p = realloc(ctx->body, cap)) == NULL)
				return MHD_NO;
			ctx->body = p;
			ctx->cap = cap;
		}
		memcpy(ctx->body + ctx->len, upload, n);
		ctx->len += n;
		ctx->body[ctx->len] = '\0';
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0) {
		struct tnfs_err err;

		tnfs_err_set(&err, TNFS_E_METHOD_NOT_ALLOWED,
		    "%.16s not allowed; the plugin protocol uses POST", method);
		return send_err(conn, 405, &err);
	}
	return dispatch(srv, conn, url, ctx);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (ctx != NULL) {
		free(ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
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

struct http_server *
http_start(const char *socket_path, struct volumes *vs, struct tnfs_err *err)
{
	struct http_server *srv = calloc(1, sizeof(*srv));

	if (srv == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	srv->vs = vs;
	if ((srv->fd = inherited_fd()) != -1) {
		log_info(
		    "serving the socket passed by systemd (fd %d)", srv->fd);
	} else {
		if ((srv->fd = listen_unix(socket_path, err)) == -1)
			goto fail;
		if ((srv->path = strdup(socket_path)) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto fail;
		}
	}
	srv->d = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
	    NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, srv->fd,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
	if (srv->d == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "libmicrohttpd could not start on %s", socket_path);
		goto fail;
	}
	return srv;
fail:
	if (srv->fd != -1)
		close(srv->fd);
	free(srv->path);
	free(srv);
	return NULL;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	/* Thread-per-connection: this waits for requests in flight. */
	MHD_stop_daemon(srv->d);
	close(srv->fd);
	if (srv->path != NULL) {
		unlink(srv->path);
		free(srv->path);
	}
	free(srv);
}
