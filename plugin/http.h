/*
 * http.h: the VolumeDriver HTTP server on a Unix socket (libmicrohttpd).
 *
 * Served by lib/httpd.c: each request on its own thread, so a Mount that
 * waits on a dead NFS server never delays List, Get or Path (§1.1: dockerd
 * sends requests in parallel), and slow or stuck clients cost no thread,
 * are cut at a request deadline and capped per connecting process.  Every
 * reply is JSON with a Content-Length; errors are {"Err":"tritonnfs: ..."}.
 */
#ifndef TNFS_PLUGIN_HTTP_H
#define TNFS_PLUGIN_HTTP_H

#include "err.h"
#include "volumes.h"

struct plugin_http;

/*
 * Listen on socket_path (stale socket replaced; mode 0600 set between bind
 * and listen) or on the socket systemd passed (LISTEN_FDS), and serve.
 */
struct plugin_http *plugin_http_start(
    const char *socket_path, struct volumes *vs, struct tnfs_err *err);

/* Stop accepting, wait for requests in flight, close the socket. */
void plugin_http_stop(struct plugin_http *srv);

#endif
