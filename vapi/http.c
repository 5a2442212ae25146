/*
 * http.c: the Volume API's HTTP layer on lib/httpd.c (see http.h).
 *
 * A handler may wait on the store or on a provisioning call (bounded by
 * the storage deadline).  httpd runs each complete request on its own
 * thread while the I/O threads keep serving, so a few slow requests never
 * delay /ping or another caller; HTTP_MAX_RUNNING bounds how many run at
 * once (past it: 503), and idle or trickling clients cost no thread at
 * all (HTTP_REQUEST_DEADLINE_S, HTTP_PER_PEER_LIMIT, HTTP_CONN_LIMIT).
 * The request body is collected up to HTTP_BODY_MAX; past it the rest is
 * read and dropped and the answer is 413.  Parameters are merged as
 * restify's mapParams does: path first, then query, then body, an earlier
 * source winning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "httpd.h"
#include "jsonx.h"
#include "listener.h"
#include "log.h"
#include "routes.h"
#include "sha256.h"
#include "timefmt.h"
#include "validate.h"

struct vapi_http {
	struct vapi *va;
	struct httpd *httpd;
	int listen_fd;
	char unix_path[108];
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

/* The JSON reply text, or NULL on out of memory. */
static char *
reply_text(json_object *body)
{
	if (body == NULL)
		return NULL;
	return strdup(json_object_to_json_string_ext(
	    body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
send_json(struct httpd_req *hr, int status, json_object *body,
    const char *request_id, const char *allow)
{
	const char *hdrs[] = {"Server", "tritonnfs-vapi", "x-server-name",
	    "tritonnfs-vapi", "x-request-id", request_id, "x-response-time",
	    NULL, NULL, NULL, NULL};
	char rt[32], *text = NULL;

	snprintf(rt, sizeof(rt), "%lld",
	    (long long)(tnfs_mono_ms() - httpd_req_start_ms(hr)));
	hdrs[7] = rt;
	if (allow != NULL && allow[0] != '\0') {
		hdrs[8] = "Allow";
		hdrs[9] = allow;
	}
	if (body != NULL && (text = reply_text(body)) == NULL)
		status = 500;
	httpd_req_reply(hr, (unsigned)status, text, hdrs);
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

static void
collect_query(struct httpd_req *hr, struct query_ctx *q)
{
	const char *key, *value;
	size_t klen, vlen, i;

	for (i = 0; httpd_req_arg(hr, i, &key, &klen, &value, &vlen) == 0;
	     i++) {
		q->total += klen + vlen + 2;
		if (q->total > HTTP_QUERY_MAX)
			return;
		if (json_object_object_get_ex(q->params, key, NULL)) {
			/* restify would make an array; VOLAPI then fails. */
			q->dup = 1;
			httpd_escape(key, q->dupname, sizeof(q->dupname));
			continue;
		}
		json_object_object_add(
		    q->params, key, json_object_new_string_len(value, (int)vlen));
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The request target as sent, percent-decoded: a NUL would cut the path
 * or a value short further on ("/volumes/<uuid>%00x" acting on <uuid>),
 * and bytes that are not UTF-8 would be echoed into JSON replies and log
 * lines.  Both are a malformed request.
 */
static int
check_target(const char *raw, struct tnfs_err *err)
{
	size_t n = strlen(raw), i, o = 0;
	unsigned char *dec;
	int rc = -1;

	if ((dec = malloc(n + 1)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (raw[i] == '%' && i + 2 < n && (hi = hexval(raw[i + 1])) >= 0 &&
		    (lo = hexval(raw[i + 2])) >= 0) {
			dec[o++] = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else
			dec[o++] = (unsigned char)raw[i];
	}
	if (memchr(dec, '\0', o) != NULL)
		tnfs_err_set(err, TNFS_E_BAD_REQUEST,
		    "the request URL contains a NUL character (%%00)");
	else if (!httpd_utf8_valid((const char *)dec, o))
		tnfs_err_set(err, TNFS_E_BAD_REQUEST,
		    "the request URL is not valid UTF-8 once percent-decoded");
	else
		rc = 0;
	free(dec);
	return rc;
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
authenticate(const struct vapi *va, const struct httpd_req *hr,
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
	auth = httpd_req_header(hr, "Authorization");
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
merge_body(
    json_object *params, const struct httpd_req *hr, struct tnfs_err *err)
{
	json_object *body;
	const char *text;
	size_t len;

	text = httpd_req_body(hr, &len);
	if (len == 0)
		return 0;
	if ((body = jsonx_parse(text, len, HTTP_JSON_DEPTH, err)) ==
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

/*
 * What can be refused before the route is known: the request target, the
 * URI's length, Accept-Version and the body's size.
 */
static int
check_request(struct httpd_req *hr, const struct query_ctx *q,
    struct tnfs_err *err)
{
	const char *ver, *url = httpd_req_url(hr), *method = httpd_req_method(hr);
	char verbuf[80];

	if (strlen(url) > HTTP_PATH_MAX || q->total > HTTP_QUERY_MAX) {
		tnfs_err_set(err, TNFS_E_URI_TOO_LONG,
		    "the request URI is too long (path at most %d bytes, query "
		    "at most %d)",
		    HTTP_PATH_MAX, HTTP_QUERY_MAX);
		return -1;
	}
	ver = httpd_req_header(hr, "accept-version");
	if (ver != NULL && !http_version_ok(ver)) {
		httpd_escape(ver, verbuf, 65);
		tnfs_err_set(err, TNFS_E_INVALID_VERSION,
		    "%s is not supported by %s %.200s", verbuf, method, url);
		return -1;
	}
	if (httpd_req_body_too_large(hr)) {
		tnfs_err_set(err, TNFS_E_TOO_LARGE,
		    "the request body is larger than %d bytes", HTTP_BODY_MAX);
		return -1;
	}
	return 0;
}

/* Who calls (Ping stays open, so health checks need no secret). */
static int
identify(const struct vapi *va, struct httpd_req *hr,
    const struct route *route, struct caller *who, struct tnfs_err *err)
{
	if (strcmp(route->name, "Ping") != 0) {
		if (authenticate(va, hr, who, err) == -1)
			return -1;
	} else {
		memset(who, 0, sizeof(*who));
		who->operator= 1;
	}
	/* Where a TCP request came from (hosts.c checks addresses). */
	httpd_req_peer(hr, who->peer, sizeof(who->peer));
	if (route->operator_only && !who->operator) {
		tnfs_err_set(err, TNFS_E_FORBIDDEN,
		    "%s is for the operator only", route->name);
		return -1;
	}
	return 0;
}

/*
 * The route's parameters from path (already in params), query and body,
 * scoped to the caller's owner and checked against the route's lists:
 * every problem at once, as VOLAPI's ValidationError gives them.
 */
static int
gather_params(struct httpd_req *hr, const struct route *route,
    const struct caller *who, const struct query_ctx *q, json_object *params,
    struct tnfs_err *err)
{
	const char *owner;
	struct causes c;

	json_object_object_foreach(q->params, qk, qv)
	{
		if (!json_object_object_get_ex(params, qk, NULL))
			json_object_object_add(params, qk, json_object_get(qv));
	}
	if (merge_body(params, hr, err) == -1)
		return -1;
	/* An owner's token acts for that owner only. */
	if (!who->operator&& routes_accepts(route, "owner_uuid")) {
		owner = jsonx_get_str(params, "owner_uuid");
		if (!json_object_object_get_ex(params, "owner_uuid", NULL))
			jsonx_add_str(params, "owner_uuid", who->owner_uuid);
		else if (owner == NULL || strcmp(owner, who->owner_uuid) != 0) {
			tnfs_err_set(err, TNFS_E_FORBIDDEN,
			    "this token acts for owner %s only",
			    who->owner_uuid);
			return -1;
		}
	}
	causes_init(&c);
	/*
	 * Uuids are global: a uuid an owner picks that another owner's volume
	 * already has would fail differently from a free one, telling the
	 * caller that volume exists.  Only the operator (sdc-docker and
	 * CloudAPI in Triton, which pass it on behalf of a user) may pick.
	 */
	if (!who->operator&& strcmp(route->name, "CreateVolume") == 0 &&
	    json_object_object_get_ex(params, "uuid", NULL))
		causes_add(&c, "uuid may be chosen by the operator only");
	json_object_object_foreach(params, pk, pv)
	{
		if (has_nul(pv, 0))
			causes_add(&c, "%.64s contains a NUL character", pk);
	}
	if (q->dup)
		causes_add(
		    &c, "parameter %s is given more than once", q->dupname);
	validate_params(params, route->allowed, route->required, &c);
	return causes_finish(&c, err);
}

/* Answer err (and log it: a 5xx as an error, the rest for debugging). */
static void
reply_error(struct vapi *va, struct httpd_req *hr, struct tnfs_err *err,
    const char *logmethod, const char *logurl, const char *rid,
    const char *allow)
{
	json_object *ebody;
	int status;

	if (!tnfs_err_isset(err))
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "the request failed without saying why");
	/*
	 * A message may quote the method as sent, or a path cut to fit in
	 * the middle of a character: what the reply and the log carry is
	 * valid UTF-8.
	 */
	if (!httpd_utf8_valid(err->msg, strlen(err->msg))) {
		char msg[TNFS_ERR_MSG_MAX];

		httpd_escape(err->msg, msg, sizeof(msg));
		memcpy(err->msg, msg, sizeof(msg));
	}
	status = err->http_status;
	ebody = error_body(va, err);
	log_msg(status >= 500 ? TNFS_LOG_ERROR : TNFS_LOG_DEBUG, NULL,
	    "%s %s -> %d %s: %s (req_id %s)", logmethod, logurl, status,
	    err->code, err->msg, rid);
	send_json(hr, status, ebody, rid, allow);
	json_object_put(ebody);
}

/* Runs on the request's own thread (httpd.h). */
static void
serve(void *cls, struct httpd_req *hr)
{
	struct vapi_http *srv = cls;
	struct vapi *va = srv->va;
	const struct route *route = NULL;
	json_object *params = NULL, *out = NULL;
	struct query_ctx q;
	struct tnfs_err err;
	struct caller who;
	char rid[TNFS_UUID_BUFSZ + 128], allow[64] = "", logurl[512],
	    logmethod[64];
	int status = 500, rc = -1;

	tnfs_err_clear(&err);
	tnfs_request_id(httpd_req_header(hr, "x-request-id"), rid, sizeof(rid));
	/* What the client sent is escaped before it reaches a log line. */
	httpd_escape(httpd_req_raw_url(hr), logurl, sizeof(logurl));
	httpd_escape(httpd_req_method(hr), logmethod, sizeof(logmethod));
	memset(&q, 0, sizeof(q));
	if ((params = json_object_new_object()) == NULL ||
	    (q.params = json_object_new_object()) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto reply;
	}
	if (check_target(httpd_req_raw_url(hr), &err) == -1)
		goto reply;
	collect_query(hr, &q);
	if (check_request(hr, &q, &err) == -1 ||
	    (route = routes_match(httpd_req_method(hr), httpd_req_url(hr),
		 params, allow, sizeof(allow), &err)) == NULL ||
	    identify(va, hr, route, &who, &err) == -1 ||
	    gather_params(hr, route, &who, &q, params, &err) == -1)
		goto reply;
	rc = route->handler(va, &who, params, &out, &status, &err);
reply:
	if (rc == -1) {
		reply_error(va, hr, &err, logmethod, logurl, rid, allow);
	} else {
		log_debug("%s %s -> %d (req_id %s)", logmethod, logurl, status,
		    rid);
		send_json(hr, status, out, rid, NULL);
	}
	json_object_put(out);
	json_object_put(params);
	json_object_put(q.params);
}

struct vapi_http *
vapi_http_start(struct vapi *va, struct tnfs_err *err)
{
	struct httpd_opts o = {
	    .name = "vapi",
	    .conn_limit = HTTP_CONN_LIMIT,
	    .per_peer_limit = HTTP_PER_PEER_LIMIT,
	    .header_deadline_s = HTTP_REQUEST_DEADLINE_S,
	    .pool_threads = HTTP_IO_THREADS,
	    .max_running = HTTP_MAX_RUNNING,
	    .body_max = HTTP_BODY_MAX,
	    .handler = serve,
	    .busy_body = "{\"code\":\"ServiceUnavailable\",\"message\":\"the "
			 "Volume API is at its connection or request limit; "
			 "retry\"}",
	    .content_type = "application/json",
	};
	struct vapi_http *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	srv->va = va;
	srv->listen_fd = listener_open(va->cfg->listen, "listen", 0660,
	    srv->unix_path, sizeof(srv->unix_path), err);
	if (srv->listen_fd == -1) {
		free(srv);
		return NULL;
	}
	o.cls = srv;
	/* httpd owns the listener from here, closing it on failure too. */
	if ((srv->httpd = httpd_start(srv->listen_fd, &o, err)) == NULL) {
		tnfs_err_prefix(err, "listen %s", va->cfg->listen);
		if (srv->unix_path[0] != '\0')
			unlink(srv->unix_path);
		free(srv);
		return NULL;
	}
	return srv;
}

void
vapi_http_stop(struct vapi_http *srv, int grace_ms)
{
	if (srv == NULL)
		return;
	httpd_stop(srv->httpd, grace_ms);
	if (srv->unix_path[0] != '\0')
		unlink(srv->unix_path);
	free(srv);
}
