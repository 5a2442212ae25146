/*
 * http.c: libmicrohttpd glue for the Volume API (see http.h).
 *
 * One thread per connection: a handler may wait on the store or on a
 * provisioning call (bounded by the storage deadline), and a slow one must
 * not hold up the others.  The request body is collected up to
 * HTTP_BODY_MAX; past it the rest is read and dropped and the answer is
 * 413.  Parameters are merged as restify's mapParams does: path first,
 * then query, then body, an earlier source winning.
 */
#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "routes.h"
#include "sha256.h"
#include "timefmt.h"
#include "validate.h"

struct http_server {
	struct vapi *va;
	struct MHD_Daemon *mhd;
	int listen_fd;
	char unix_path[108];
	atomic_int inflight;
};

struct request {
	char *body;
	size_t len;
	int too_large;
	int64_t start_ms;
};

int
http_version_ok(const char *v)
{
	const char *p = v;
	int part = 0;

	while (*p == ' ')
		p++;
	if (strcmp(p, "*") == 0 || strcmp(p, "x") == 0)
		return 1;
	if (strncmp(p, ">=", 2) == 0)
		p += 2;
	else if (*p == '~' || *p == '^' || *p == '=' || *p == 'v')
		p++;
	/* major must be 1; minor and patch 0, x or * when given */
	if (*p != '1')
		return 0;
	p++;
	while (*p == '.' && part < 2) {
		p++;
		if (*p == 'x' || *p == 'X' || *p == '*' || *p == '0')
			p++;
		else
			return 0;
		part++;
	}
	return *p == '\0';
}

/* Bind the listener ourselves so unix: and tcp: take the same path. */
static int
open_listener(
    struct http_server *srv, const char *listen_spec, struct tnfs_err *err)
{
	int fd = -1, one = 1;

	if (strncmp(listen_spec, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = listen_spec + 5;
		struct stat sb;

		if (strlen(path) == 0 || strlen(path) >= sizeof(sun.sun_path)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "listen %s: socket path empty or too long",
			    listen_spec);
			return -1;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path));
		/* A stale socket from a previous run; never anything else. */
		if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
			unlink(path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
			-1 ||
		    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
		    chmod(path, 0660) == -1 || listen(fd, 512) == -1) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "listen %s",
			    listen_spec);
			if (fd != -1)
				close(fd);
			return -1;
		}
		snprintf(srv->unix_path, sizeof(srv->unix_path), "%s", path);
	} else {
		struct addrinfo hints, *res = NULL;
		char host[256];
		const char *hp = listen_spec + 4, *colon = strrchr(hp, ':');
		int r;

		if (colon == NULL || (size_t)(colon - hp) >= sizeof(host) ||
		    colon[1] == '\0') {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "listen %s: expected tcp:HOST:PORT", listen_spec);
			return -1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hp), hp);
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((r = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION, "listen %s: %s",
			    listen_spec, gai_strerror(r));
			return -1;
		}
		if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC,
			 0)) == -1 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			sizeof(one)) == -1 ||
		    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
		    listen(fd, 512) == -1) {
			tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "listen %s",
			    listen_spec);
			if (fd != -1)
				close(fd);
			freeaddrinfo(res);
			return -1;
		}
		freeaddrinfo(res);
	}
	srv->listen_fd = fd;
	return 0;
}

static int
add_header(struct MHD_Response *resp, const char *k, const char *v)
{
	return MHD_add_response_header(resp, k, v) == MHD_YES ? 0 : -1;
}

static enum MHD_Result
send_json(struct MHD_Connection *conn, struct request *rq, int status,
    json_object *body, const char *request_id, const char *allow)
{
	struct MHD_Response *resp;
	const char *text = "";
	char rt[32], *copy;
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
	snprintf(
	    rt, sizeof(rt), "%lld", (long long)(tnfs_mono_ms() - rq->start_ms));
	if (body != NULL)
		add_header(resp, "Content-Type", "application/json");
	add_header(resp, "Server", "tritonnfs-vapi");
	add_header(resp, "x-server-name", "tritonnfs-vapi");
	add_header(resp, "x-request-id", request_id);
	add_header(resp, "x-response-time", rt);
	if (allow != NULL && allow[0] != '\0')
		add_header(resp, "Allow", allow);
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static json_object *
error_body(const struct vapi *va, const struct tnfs_err *err)
{
	json_object *o = tnfs_err_to_vapi_json(err);
	size_t i;

	/* VOLAPI adds the list a client needs to pick a size. */
	if (o != NULL && strcmp(err->code, "VolumeSizeNotAvailable") == 0) {
		json_object *sizes = json_object_new_array();

		for (i = 0; i < va->cfg->nsizes; i++)
			json_object_array_add(sizes,
			    json_object_new_int64((int64_t)va->cfg->sizes[i]));
		json_object_object_add(o, "availableSizes", sizes);
	}
	return o;
}

struct query_ctx {
	json_object *params;
	size_t total;
	int dup;
	char dupname[64];
};

static enum MHD_Result
collect_query(
    void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_ctx *q = cls;

	(void)kind;
	q->total += strlen(key) + (value != NULL ? strlen(value) : 0) + 2;
	if (q->total > HTTP_QUERY_MAX)
		return MHD_YES;
	if (json_object_object_get_ex(q->params, key, NULL)) {
		/* restify would make an array; VOLAPI then fails on it. */
		q->dup = 1;
		snprintf(q->dupname, sizeof(q->dupname), "%s", key);
		return MHD_YES;
	}
	json_object_object_add(
	    q->params, key, json_object_new_string(value != NULL ? value : ""));
	return MHD_YES;
}

/* Constant time: a token's hash must not leak by timing. */
static int
same_hash(const char *a, const char *b)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < 64; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int
authenticate(const struct vapi *va, struct MHD_Connection *conn,
    struct caller *who, struct tnfs_err *err)
{
	const char *auth;
	char hex[TNFS_SHA256_HEX_BUFSZ];
	size_t i;

	memset(who, 0, sizeof(*who));
	if (va->cfg->ntokens == 0) {
		/* Loopback or Unix socket without tokens: Triton's model. */
		who->operator= 1;
		return 0;
	}
	auth = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 ||
	    strlen(auth + 7) == 0 || strlen(auth + 7) > 4096) {
		tnfs_err_set(err, TNFS_E_UNAUTHORIZED,
		    "a bearer token is required (Authorization: Bearer TOKEN)");
		return -1;
	}
	tnfs_sha256_hex(auth + 7, strlen(auth + 7), hex);
	for (i = 0; i < va->cfg->ntokens; i++) {
		const struct vapi_token *t = &va->cfg->tokens[i];

		if (!same_hash(hex, t->sha256))
			continue;
		who->operator= t->operator;
		memcpy(who->owner_uuid, t->owner_uuid, TNFS_UUID_BUFSZ);
		return 0;
	}
	tnfs_err_set(err, TNFS_E_UNAUTHORIZED, "the bearer token is not valid");
	return -1;
}

static int
merge_body(json_object *params, const struct request *rq, struct tnfs_err *err)
{
	json_object *body;

	if (rq->len == 0)
		return 0;
	if ((body = jsonx_parse(rq->body, rq->len, HTTP_JSON_DEPTH, err)) ==
	    NULL) {
		char msg[TNFS_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		tnfs_err_set(
		    err, TNFS_E_BAD_REQUEST, "invalid JSON body: %s", msg);
		return -1;
	}
	if (!json_object_is_type(body, json_type_object)) {
		json_object_put(body);
		tnfs_err_set(err, TNFS_E_BAD_REQUEST,
		    "the request body must be a JSON object");
		return -1;
	}
	json_object_object_foreach(body, key, val)
	{
		if (!json_object_object_get_ex(params, key, NULL))
			json_object_object_add(
			    params, key, json_object_get(val));
	}
	json_object_put(body);
	return 0;
}

/*
 * A string with a NUL inside would be cut short by every C consumer after
 * this point, turning "ab\u0000../x" into "ab": refuse it outright.
 */
static int
has_nul(json_object *o, int depth)
{
	size_t i;

	if (depth > HTTP_JSON_DEPTH)
		return 0;
	switch (json_object_get_type(o)) {
	case json_type_string:
		return strlen(json_object_get_string(o)) !=
		    (size_t)json_object_get_string_len(o);
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if (has_nul(json_object_array_get_idx(o, i), depth + 1))
				return 1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			if (has_nul(val, depth + 1))
				return 1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* A client's request id is echoed when it is short and printable. */
static void
request_id(struct MHD_Connection *conn, char *buf, size_t len)
{
	const char *id =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "x-request-id");
	size_t i;

	if (id != NULL && strlen(id) > 0 && strlen(id) < len &&
	    strlen(id) <= 128) {
		for (i = 0; id[i] != '\0'; i++)
			if (id[i] < 0x21 || id[i] > 0x7e)
				break;
		if (id[i] == '\0') {
			snprintf(buf, len, "%s", id);
			return;
		}
	}
	if (tnfs_uuid_generate(buf, NULL) == -1)
		snprintf(buf, len, "-");
}

static enum MHD_Result
serve(struct http_server *srv, struct MHD_Connection *conn, struct request *rq,
    const char *url, const char *method)
{
	struct vapi *va = srv->va;
	const struct route *route = NULL;
	json_object *params = NULL, *out = NULL, *ebody;
	struct query_ctx q;
	struct tnfs_err err;
	struct caller who;
	struct causes c;
	const char *ver, *owner;
	char rid[TNFS_UUID_BUFSZ + 128], allow[64] = "";
	int status = 500, rc = -1;
	enum MHD_Result ret;

	tnfs_err_clear(&err);
	request_id(conn, rid, sizeof(rid));
	memset(&q, 0, sizeof(q));
	if ((params = json_object_new_object()) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto reply;
	}
	q.params = json_object_new_object();
	if (q.params == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto reply;
	}
	MHD_get_connection_values(
	    conn, MHD_GET_ARGUMENT_KIND, collect_query, &q);
	if (strlen(url) > HTTP_PATH_MAX || q.total > HTTP_QUERY_MAX) {
		tnfs_err_set(&err, TNFS_E_URI_TOO_LONG,
		    "the request URI is too long (path at most %d bytes, query "
		    "at most %d)",
		    HTTP_PATH_MAX, HTTP_QUERY_MAX);
		goto reply;
	}
	ver = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, "accept-version");
	if (ver != NULL && !http_version_ok(ver)) {
		tnfs_err_set(&err, TNFS_E_INVALID_VERSION,
		    "%.64s is not supported by %s %.200s", ver, method, url);
		goto reply;
	}
	if (rq->too_large) {
		tnfs_err_set(&err, TNFS_E_TOO_LARGE,
		    "the request body is larger than %d bytes", HTTP_BODY_MAX);
		goto reply;
	}
	if ((route = routes_match(
		 method, url, params, allow, sizeof(allow), &err)) == NULL)
		goto reply;
	/* Ping stays open, so health checks need no secret. */
	if (strcmp(route->name, "Ping") != 0) {
		if (authenticate(va, conn, &who, &err) == -1)
			goto reply;
	} else {
		memset(&who, 0, sizeof(who));
		who.operator= 1;
	}
	if (route->operator_only && !who.operator) {
		tnfs_err_set(&err, TNFS_E_FORBIDDEN,
		    "%s is for the operator only", route->name);
		goto reply;
	}
	json_object_object_foreach(q.params, qk, qv)
	{
		if (!json_object_object_get_ex(params, qk, NULL))
			json_object_object_add(params, qk, json_object_get(qv));
	}
	if (merge_body(params, rq, &err) == -1)
		goto reply;
	/* An owner's token acts for that owner only. */
	if (!who.operator&& routes_accepts(route, "owner_uuid")) {
		owner = jsonx_get_str(params, "owner_uuid");
		if (!json_object_object_get_ex(params, "owner_uuid", NULL))
			jsonx_add_str(params, "owner_uuid", who.owner_uuid);
		else if (owner == NULL || strcmp(owner, who.owner_uuid) != 0) {
			tnfs_err_set(&err, TNFS_E_FORBIDDEN,
			    "this token acts for owner %s only",
			    who.owner_uuid);
			goto reply;
		}
	}
	causes_init(&c);
	json_object_object_foreach(params, pk, pv)
	{
		if (has_nul(pv, 0))
			causes_add(&c, "%.64s contains a NUL character", pk);
	}
	if (q.dup)
		causes_add(
		    &c, "parameter %s is given more than once", q.dupname);
	validate_params(params, route->allowed, route->required, &c);
	if (causes_finish(&c, &err) == -1)
		goto reply;
	rc = route->handler(va, &who, params, &out, &status, &err);
reply:
	if (rc == -1) {
		if (!tnfs_err_isset(&err))
			tnfs_err_set(&err, TNFS_E_INTERNAL,
			    "the request failed without saying why");
		status = err.http_status;
		ebody = error_body(va, &err);
		log_msg(status >= 500 ? TNFS_LOG_ERROR : TNFS_LOG_DEBUG, NULL,
		    "%s %s -> %d %s: %s (req_id %s)", method, url, status,
		    err.code, err.msg, rid);
		ret = send_json(conn, rq, status, ebody, rid, allow);
		json_object_put(ebody);
	} else {
		log_debug("%s %s -> %d (req_id %s)", method, url, status, rid);
		ret = send_json(conn, rq, status, out, rid, NULL);
	}
	json_object_put(out);
	json_object_put(params);
	json_object_put(q.params);
	return ret;
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		rq->start_ms = tnfs_mono_ms();
		atomic_fetch_add(&srv->inflight, 1);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		if (!rq->too_large && rq->len + n <= HTTP_BODY_MAX) {
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
	struct http_server *srv = cls;
	struct request *rq = *con_cls;

	(void)conn, (void)toe;
	if (rq == NULL)
		return;
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

struct http_server *
http_start(struct vapi *va, struct tnfs_err *err)
{
	struct http_server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	srv->va = va;
	srv->listen_fd = -1;
	atomic_init(&srv->inflight, 0);
	if (open_listener(srv, va->cfg->listen, err) == -1) {
		free(srv);
		return NULL;
	}
	srv->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, access_handler, srv, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_logger, NULL, MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024, MHD_OPTION_END);
	if (srv->mhd == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "cannot start the HTTP server on %s", va->cfg->listen);
		close(srv->listen_fd);
		if (srv->unix_path[0] != '\0')
			unlink(srv->unix_path);
		free(srv);
		return NULL;
	}
	return srv;
}

void
http_stop(struct http_server *srv, int grace_ms)
{
	int64_t end = tnfs_mono_ms() + grace_ms;
	MHD_socket fd;

	if (srv == NULL)
		return;
	/* Stop accepting; requests under way get grace_ms to finish. */
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
	free(srv);
}
