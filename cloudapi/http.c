/*
 * http.c: libmicrohttpd glue for tritonnfs-cloudapi (see http.h).
 *
 * One thread per connection: an endpoint waits on the VAPI (bounded by
 * libvapi's timeout) and a slow one must not hold up the others.  The URI
 * is kept exactly as sent (MHD's URI log callback), because the HTTP
 * signature covers "(request-target)" byte for byte while MHD hands the
 * handler a decoded path.  Order, as restify runs CloudAPI: route (404
 * ResourceNotFound, 405), Accept-Version, authentication, body, endpoint.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "auth.h"
#include "fsutil.h"
#include "http.h"
#include "jsonx.h"
#include "listener.h"
#include "log.h"
#include "timefmt.h"
#include "uuid.h"

#define TLS_FILE_MAX (1024 * 1024)

struct capi_http {
	struct cloudapi *ca;
	struct MHD_Daemon *mhd;
	int listen_fd;
	char unix_path[108];
	char *tls_cert, *tls_key; /* PEM, kept while MHD runs */
	atomic_int inflight;
};

struct request {
	struct capi_http *srv;
	char *uri; /* as sent, query included */
	char *body;
	size_t len;
	int too_large;
	int started;
};

static const struct route {
	const char *name;
	const char *method;
	const char *collection; /* the segment after /:login */
	int with_id;            /* /:login/collection/:id */
	capi_handler *handler;
} ROUTES[] = {
    {"ListVolumes", "GET", "volumes", 0, capi_list_volumes},
    {"CreateVolume", "POST", "volumes", 0, capi_create_volume},
    {"GetVolume", "GET", "volumes", 1, capi_get_volume},
    {"UpdateVolume", "POST", "volumes", 1, capi_update_volume},
    {"DeleteVolume", "DELETE", "volumes", 1, capi_delete_volume},
    {"ListVolumeSizes", "GET", "volumesizes", 0, capi_list_volume_sizes},
    {"ListNetworks", "GET", "networks", 0, capi_list_networks},
    {"GetNetwork", "GET", "networks", 1, capi_get_network},
};
#define NROUTES (sizeof(ROUTES) / sizeof(ROUTES[0]))

/*
 * Split "/login/collection[/id]" and find its route.  NULL with 404
 * ResourceNotFound or 405 MethodNotAllowed (allow filled) otherwise.
 */
static const struct route *
match(const char *method, const char *url, char *login, size_t loginsz,
    char *id, size_t idsz, char *allow, size_t allowsz, struct tnfs_err *err)
{
	const char *seg[4];
	size_t len[4], n = 0, i;
	const char *p = url;
	const struct route *r = NULL;

	if (*p != '/')
		goto notfound;
	while (*p == '/' && n < 4) {
		seg[n] = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		len[n] = (size_t)(p - seg[n]);
		if (len[n] == 0)
			goto notfound;
		n++;
	}
	if (*p != '\0' || n < 2 || n > 3 || len[0] >= loginsz ||
	    (n == 3 && len[2] >= idsz))
		goto notfound;
	allow[0] = '\0';
	for (i = 0; i < NROUTES; i++) {
		if (strlen(ROUTES[i].collection) != len[1] ||
		    strncmp(ROUTES[i].collection, seg[1], len[1]) != 0 ||
		    ROUTES[i].with_id != (n == 3))
			continue;
		if (strcmp(ROUTES[i].method, method) == 0)
			r = &ROUTES[i];
		else if (strlen(allow) + strlen(ROUTES[i].method) + 3 < allowsz)
			snprintf(allow + strlen(allow), allowsz - strlen(allow),
			    "%s%s", allow[0] ? ", " : "", ROUTES[i].method);
	}
	if (r == NULL && allow[0] != '\0') {
		tnfs_err_set_raw(err, "MethodNotAllowed", 405, "");
		snprintf(err->msg, sizeof(err->msg), "%.16s is not allowed",
		    method);
		return NULL;
	}
	if (r == NULL)
		goto notfound;
	snprintf(login, loginsz, "%.*s", (int)len[0], seg[0]);
	snprintf(id, idsz, "%.*s", n == 3 ? (int)len[2] : 0, n == 3 ? seg[2]
								    : "");
	return r;
notfound:
	capi_err(err, "ResourceNotFound", 404, "%.512s does not exist", url);
	return NULL;
}

static enum MHD_Result
send_json(struct MHD_Connection *conn, int status, json_object *body,
    const char *rid, const char *allow, long count)
{
	struct MHD_Response *resp;
	const char *text = "";
	char *copy, num[32];
	enum MHD_Result ret;

	if (body != NULL)
		text = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if ((copy = strdup(text)) == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(
	    strlen(copy), copy, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(copy);
		return MHD_NO;
	}
	if (body != NULL)
		MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Server", "tritonnfs-cloudapi");
	MHD_add_response_header(resp, "Api-Version", CLOUDAPI_VERSION);
	MHD_add_response_header(resp, "x-request-id", rid);
	if (count >= 0) {
		snprintf(num, sizeof(num), "%ld", count);
		MHD_add_response_header(resp, "x-resource-count", num);
	}
	if (allow != NULL && allow[0] != '\0')
		MHD_add_response_header(resp, "Allow", allow);
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *
header(void *cls, const char *name)
{
	return MHD_lookup_connection_value(cls, MHD_HEADER_KIND, name);
}

static enum MHD_Result
collect_query(
    void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	/* The first of a repeated parameter wins. */
	if (!json_object_object_get_ex(cls, key, NULL))
		jsonx_add_str(cls, key, value != NULL ? value : "");
	return MHD_YES;
}

static int
parse_body(const struct request *rq, json_object **out, struct tnfs_err *err)
{
	json_object *b;

	*out = NULL;
	if (rq->len == 0)
		return 0;
	if ((b = jsonx_parse(rq->body, rq->len, CAPI_JSON_DEPTH, err)) == NULL) {
		char msg[TNFS_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		capi_err(err, "InvalidContent", 400, "Invalid JSON: %s", msg);
		return -1;
	}
	if (!json_object_is_type(b, json_type_object)) {
		json_object_put(b);
		capi_err(err, "InvalidContent", 400,
		    "the request body must be a JSON object");
		return -1;
	}
	*out = b;
	return 0;
}

static enum MHD_Result
serve(struct capi_http *srv, struct MHD_Connection *conn,
    struct request *rq, const char *url, const char *method)
{
	const struct route *route;
	const struct account *acct;
	struct accounts *as = NULL;
	json_object *query = NULL, *body = NULL, *out = NULL;
	struct capi_call call;
	struct tnfs_err err;
	char rid[160], login[ACCOUNT_LOGIN_MAX + 1], id[128], allow[64] = "";
	const char *ver;
	long count = -1;
	int status = 500, rc = -1;
	enum MHD_Result ret;

	tnfs_err_clear(&err);
	tnfs_request_id(header(conn, "x-request-id"), rid, sizeof(rid));
	if (rq->uri == NULL || strlen(rq->uri) > CAPI_URI_MAX) {
		capi_err(&err, "RequestURITooLong", 414,
		    "the request URI is longer than %d bytes", CAPI_URI_MAX);
		goto reply;
	}
	if ((route = match(method, url, login, sizeof(login), id, sizeof(id),
		 allow, sizeof(allow), &err)) == NULL)
		goto reply;
	ver = header(conn, "accept-version");
	if (!auth_version_ok(ver)) {
		capi_err(&err, "InvalidVersion", 400,
		    "%.64s is not supported by %s %.200s", ver, method, url);
		goto reply;
	}
	as = cloudapi_accounts(srv->ca);
	if ((acct = auth_request(as, method, rq->uri, login, header, conn,
		 tnfs_now_ms() / 1000, &err)) == NULL)
		goto reply;
	if (rq->too_large) {
		capi_err(&err, "RequestEntityTooLarge", 413,
		    "the request body is larger than %d bytes", CAPI_BODY_MAX);
		goto reply;
	}
	if ((query = json_object_new_object()) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto reply;
	}
	MHD_get_connection_values(
	    conn, MHD_GET_ARGUMENT_KIND, collect_query, query);
	if (parse_body(rq, &body, &err) == -1)
		goto reply;
	memset(&call, 0, sizeof(call));
	call.ca = srv->ca;
	call.account = acct;
	call.id = id;
	call.query = query;
	call.body = body;
	call.request_id = rid;
	rc = route->handler(&call, &out, &status, &count, &err);
reply:
	if (rc == -1) {
		json_object *eb = json_object_new_object();

		if (!tnfs_err_isset(&err))
			tnfs_err_set(&err, TNFS_E_INTERNAL,
			    "the request failed without saying why");
		status = err.http_status;
		jsonx_add_str(eb, "code", err.code);
		jsonx_add_str(eb, "message", err.msg);
		log_msg(status >= 500 ? TNFS_LOG_ERROR : TNFS_LOG_INFO, NULL,
		    "%s %.300s -> %d %s: %s (req_id %s)", method, url, status,
		    err.code, err.msg, rid);
		ret = send_json(conn, status, eb, rid, allow, -1);
		json_object_put(eb);
	} else {
		log_debug("%s %.300s -> %d (req_id %s)", method, url, status,
		    rid);
		ret = send_json(conn, status, out, rid, NULL, count);
	}
	json_object_put(out);
	json_object_put(body);
	json_object_put(query);
	accounts_put(as);
	return ret;
}

/* Called by MHD with the URI as sent, before anything else. */
static void *
uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct capi_http *srv = cls;
	struct request *rq;

	(void)conn;
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->srv = srv;
	if (strlen(uri) <= CAPI_URI_MAX)
		rq->uri = strdup(uri); /* NULL: answered 414 */
	atomic_fetch_add(&srv->inflight, 1);
	return rq;
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct capi_http *srv = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (rq == NULL)
		return MHD_NO; /* out of memory in uri_seen */
	if (!rq->started) {
		rq->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		if (!rq->too_large && rq->len + n <= CAPI_BODY_MAX) {
			char *nb = realloc(rq->body, rq->len + n + 1);

			if (nb == NULL)
				return MHD_NO;
			rq->body = nb;
			memcpy(rq->body + rq->len, upload_data, n);
			rq->len += n;
			rq->body[rq->len] = '\0';
		} else {
			/* Read the rest and drop it: the answer is 413. */
			rq->too_large = 1;
			free(rq->body);
			rq->body = NULL;
			rq->len = 0;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return serve(srv, conn, rq, url, method);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct capi_http *srv = cls;
	struct request *rq = *con_cls;

	(void)conn, (void)toe;
	if (rq == NULL)
		return;
	free(rq->uri);
	free(rq->body);
	free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_warn("libmicrohttpd: %s", buf);
}

static int
load_tls(struct capi_http *srv, const struct cloudapi_config *cfg,
    struct tnfs_err *err)
{
	size_t len;

	if (cfg->tls_cert == NULL)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "--tls-cert: this libmicrohttpd was built without TLS "
		    "(GnuTLS) support");
		return -1;
	}
	if (fsutil_read_file(cfg->tls_cert, TLS_FILE_MAX, &srv->tls_cert,
		&len, err) == -1 ||
	    fsutil_read_file(cfg->tls_key, TLS_FILE_MAX, &srv->tls_key, &len,
		err) == -1)
		return -1;
	return 0;
}

/* libmicrohttpd on srv's socket, serving TLS when srv has a certificate. */
static struct MHD_Daemon *
mhd_start(struct capi_http *srv, unsigned int flags)
{
	/* The certificate and key when serving TLS; an empty list otherwise. */
	struct MHD_OptionItem tls[] = {
	    {srv->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		0, srv->tls_cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
	    {MHD_OPTION_END, 0, NULL},
	};

	if (srv->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	return MHD_start_daemon(flags, 0, NULL, NULL, access_handler, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
	    MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_seen, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024, MHD_OPTION_ARRAY,
	    tls, MHD_OPTION_END);
}

struct capi_http *
capi_http_start(struct cloudapi *ca, struct tnfs_err *err)
{
	struct capi_http *srv;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC | MHD_USE_ERROR_LOG;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	srv->ca = ca;
	srv->listen_fd = -1;
	atomic_init(&srv->inflight, 0);
	if (load_tls(srv, &ca->cfg, err) == -1)
		goto fail;
	srv->listen_fd = listener_open(ca->cfg.listen, "--listen", 0,
	    srv->unix_path, sizeof(srv->unix_path), err);
	if (srv->listen_fd == -1)
		goto fail;
	srv->mhd = mhd_start(srv, flags);
	if (srv->mhd == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "cannot start the HTTP server on %s%s", ca->cfg.listen,
		    srv->tls_cert != NULL
			? " (is the TLS certificate and key pair valid?)"
			: "");
		goto fail;
	}
	return srv;
fail:
	if (srv->listen_fd != -1)
		close(srv->listen_fd);
	if (srv->unix_path[0] != '\0')
		unlink(srv->unix_path);
	free(srv->tls_cert);
	free(srv->tls_key);
	free(srv);
	return NULL;
}

void
capi_http_stop(struct capi_http *srv, int grace_ms)
{
	int64_t end;
	MHD_socket fd;

	if (srv == NULL)
		return;
	end = tnfs_mono_ms() + grace_ms;
	fd = MHD_quiesce_daemon(srv->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&srv->inflight) > 0 && tnfs_mono_ms() < end) {
		struct timespec ts = {0, 20 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(srv->mhd);
	if (srv->unix_path[0] != '\0')
		unlink(srv->unix_path);
	free(srv->tls_cert);
	free(srv->tls_key);
	free(srv);
}
