/*
 * httpd.h: the HTTP server both daemons run (libmicrohttpd), built so that
 * slow or numerous clients cannot take it offline before authentication.
 *
 *  - Event-driven: MHD's internal epoll with a small pool of I/O threads;
 *    a connection that is idle or still sending costs no thread.
 *  - A request deadline that trickling cannot extend: the request line,
 *    headers and body must all arrive within header_deadline_s of the
 *    connection opening (or of the previous reply on a kept-alive one),
 *    else the connection is shut.  MHD's own timeout restarts at every
 *    byte, so a byte every 30 s would hold a connection for ever.
 *  - Our own accept loop: at most conn_limit connections, at most
 *    per_peer_limit per peer (the IP address; for a Unix socket, the
 *    connecting process), and past either a canned 503 instead of the
 *    silent close MHD does at its limits.
 *  - Handlers may block (provisioning, mounts): each complete request runs
 *    on a handler thread while MHD keeps the connection suspended, so slow
 *    handlers never stall the I/O threads and thus never delay /ping or
 *    another client's request.  At most max_running run at once; past
 *    that a request is answered busy (503) at once.  A request the
 *    daemon's quick() says is answered from memory runs on the I/O thread
 *    instead: the hand-off to a handler thread and back costs more than
 *    such an answer.
 */
#ifndef TNFS_HTTPD_H
#define TNFS_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct httpd;
struct httpd_req;

/*
 * Runs on a handler thread (or on an I/O thread when quick, below).
 * Reads the request through the
 * httpd_req_* accessors and answers with httpd_req_reply exactly once
 * (no reply becomes a 500).  rq is valid until the handler returns.
 */
typedef void (*httpd_handler_fn)(void *cls, struct httpd_req *rq);

struct httpd_opts {
	const char *name;          /* in log lines: "vapi", "plugin" */
	unsigned conn_limit;       /* connections at once */
	unsigned per_peer_limit;   /* per IP address or Unix peer process */
	unsigned header_deadline_s; /* whole request, see above */
	unsigned pool_threads;     /* I/O threads */
	unsigned max_running;      /* handler threads at once */
	size_t body_max;           /* larger bodies are read and dropped */
	httpd_handler_fn handler;
	/*
	 * Whether rq (its method, URL and body are in) can be answered
	 * without blocking: no network, no child process, no lock a blocking
	 * call may hold, and in well under a millisecond.  Such requests run
	 * the handler on the I/O thread that read them.  NULL: none is.
	 */
	int (*quick)(void *cls, const struct httpd_req *rq);
	void *cls;
	/*
	 * The 503 a refused connection or request gets: a JSON body in the
	 * daemon's own error shape, and its Content-Type.
	 */
	const char *busy_body;
	const char *content_type;
};

/*
 * Serve on listen_fd (bound and listening; httpd takes it over and closes
 * it at stop).  NULL and err when MHD or a thread cannot start.
 */
struct httpd *httpd_start(
    int listen_fd, const struct httpd_opts *opts, struct tnfs_err *err);

/*
 * Stop accepting, answer new requests on open connections 503, let the
 * handlers under way finish (a note is logged once grace_ms has passed;
 * handlers are bounded by their own deadlines), then close everything and
 * free h.  NULL is a no-op.
 */
void httpd_stop(struct httpd *h, int grace_ms);

/* The request, for the handler.  Strings are NUL-terminated and borrowed. */
const char *httpd_req_method(const struct httpd_req *rq);
/* The path as MHD decoded it ("%41" is "A"); cut at a decoded NUL. */
const char *httpd_req_url(const struct httpd_req *rq);
/* The request target exactly as sent, query included (for validation). */
const char *httpd_req_raw_url(const struct httpd_req *rq);
/* The body (NUL-terminated, len in *len), or "" when none. */
const char *httpd_req_body(const struct httpd_req *rq, size_t *len);
/* Whether the body was larger than body_max (and dropped). */
int httpd_req_body_too_large(const struct httpd_req *rq);
/* A request header by name (case-insensitive), or NULL. */
const char *httpd_req_header(const struct httpd_req *rq, const char *name);
/*
 * The i-th query argument (0-based) in the order sent: 0 and its decoded
 * key and value (value "" when absent; *vlen its length, which is larger
 * than strlen when it holds a decoded NUL), -1 past the last.
 */
int httpd_req_arg(const struct httpd_req *rq, size_t i, const char **key,
    size_t *klen, const char **value, size_t *vlen);
/*
 * The client's IPv4 address as text into buf; "" for a Unix socket or
 * another family.
 */
void httpd_req_peer(const struct httpd_req *rq, char *buf, size_t len);
/* When the request started (tnfs_mono_ms). */
int64_t httpd_req_start_ms(const struct httpd_req *rq);

/*
 * Answer: status, a body the reply takes over (malloc'd, may be NULL for
 * none), and extra headers as name, value pairs ending with NULL (may be
 * NULL).  Content-Type is opts->content_type when body is not NULL.
 * 0, or -1 on out of memory (the client then gets a 500).
 */
int httpd_req_reply(struct httpd_req *rq, unsigned status, char *body,
    const char *const *headers);

/*
 * Answer with a body the caller keeps and shares: body[0..len)
 * is sent as is, without a copy, and must stay unchanged until
 * release(cls) is called.  httpd calls release(cls) exactly once, from
 * any thread, when it no longer needs the body: after the reply is sent,
 * when the client went away, when a later reply replaces this one, or at
 * once when the reply cannot be made.  So one large text held under a
 * reference count goes to many clients at once with one copy in memory.
 * 0, or -1 on out of memory (release has then been called, and the client
 * gets a 500).
 */
int httpd_req_reply_shared(struct httpd_req *rq, unsigned status,
    const char *body, size_t len, void (*release)(void *cls), void *cls,
    const char *const *headers);

/*
 * Copy s into buf for a log line or a message, as valid UTF-8 with control
 * characters and invalid bytes written \xNN; cut to fit len.
 */
void httpd_escape(const char *s, char *buf, size_t len);

/* Whether s[0..len) is valid UTF-8 (no overlong forms, no surrogates). */
int httpd_utf8_valid(const char *s, size_t len);

#endif
