/*
 * http.h: the Volume API's HTTP layer (libmicrohttpd): listeners, limits,
 * headers, authentication, and turning a request into a route call and a
 * handler's result into a response.  It parses and answers; every decision
 * is the handler's.
 */
#ifndef TNFS_VAPI_HTTP_H
#define TNFS_VAPI_HTTP_H

#include "err.h"
#include "vapi.h"

#define HTTP_BODY_MAX   (64 * 1024)
#define HTTP_PATH_MAX   1024
#define HTTP_QUERY_MAX  4096
#define HTTP_JSON_DEPTH 16

/*
 * Limits against slow and numerous clients (lib/httpd.h): a whole request
 * within HTTP_REQUEST_DEADLINE_S however slowly it trickles in; at most
 * HTTP_PER_PEER_LIMIT connections from one address (a plugin host needs a
 * few); past the limits a 503.  A complete request runs on its own thread,
 * at most HTTP_MAX_RUNNING at once, so a few requests waiting on storage
 * never hold up /ping or other callers.
 */
#define HTTP_CONN_LIMIT          1024
#define HTTP_PER_PEER_LIMIT      64
#define HTTP_REQUEST_DEADLINE_S  10
#define HTTP_IO_THREADS          2
#define HTTP_MAX_RUNNING         128

struct vapi_http;

/* Listen on va->cfg->listen (tcp:HOST:PORT or unix:PATH) and serve. */
struct vapi_http *vapi_http_start(struct vapi *va, struct tnfs_err *err);

/*
 * Stop accepting, wait up to grace_ms for requests under way to finish,
 * then close everything and free srv.
 */
void vapi_http_stop(struct vapi_http *srv, int grace_ms);

/*
 * Whether an Accept-Version header value admits this API's version 1.0.0:
 * "~1", "^1", "1", "1.x", "1.0.0", "*" and the like.
 */
int http_version_ok(const char *accept_version);

#endif
