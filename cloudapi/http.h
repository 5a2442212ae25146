/*
 * http.h: tritonnfs-cloudapi's HTTP layer (libmicrohttpd, optionally TLS
 * through its GnuTLS support): listener, limits, CloudAPI's routes, the
 * signature check of every request, and CloudAPI's error bodies.  It
 * parses and answers; the endpoints (volumes.c, networks.c) decide.
 */
#ifndef TNFS_CLOUDAPI_HTTP_H
#define TNFS_CLOUDAPI_HTTP_H

#include "cloudapi.h"
#include "err.h"

#define CAPI_BODY_MAX  (64 * 1024)
#define CAPI_URI_MAX   4096
#define CAPI_JSON_DEPTH 16

struct capi_http;

/* Listen on ca->cfg.listen (tcp:HOST:PORT or unix:PATH) and serve. */
struct capi_http *capi_http_start(struct cloudapi *ca, struct tnfs_err *err);

/* Stop accepting, give requests under way grace_ms, free srv. */
void capi_http_stop(struct capi_http *srv, int grace_ms);

#endif
