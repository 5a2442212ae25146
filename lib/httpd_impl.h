/*
 * httpd_impl.h: what httpd.c (requests, MHD's callbacks, start and stop),
 * httpd_req.c (the request's accessors) and httpd_accept.c (our accept
 * loop, the per-peer limit, the request deadline and lingering closes)
 * share.  Nothing outside lib/httpd*.c
 * includes it.
 *
 * One mutex (mu) guards the connection list, the peer counts, the
 * lingering closes and the handler count; nothing blocking runs under it.
 */
#ifndef TNFS_HTTPD_IMPL_H
#define TNFS_HTTPD_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "httpd.h"

#define PEER_KEY_MAX   17 /* family + an IPv6 address */
#define SWEEP_MS       250
#define REFUSE_DRAIN   65536
#define LINGER_MS      500  /* a refused connection's close is put off */
#define LINGER_MAX     1024 /* past this many, refused ones close at once */

/* One request, from its first line to its reply (httpd.c). */
struct header {
	char *name, *value;
};

struct arg {
	char *key, *value;
	size_t klen, vlen;
};

enum rq_state { RQ_HEADERS, RQ_BODY, RQ_RUNNING, RQ_DONE };

struct httpd_req {
	struct httpd *h;
	struct MHD_Connection *conn;
	enum rq_state state;
	char *raw_url, *method, *url;
	char *body;
	size_t len, cap;
	int too_large;
	struct header *hdrs;
	size_t nhdrs;
	struct arg *args;
	size_t nargs;
	int64_t start_ms;
	/* the answer, set by the handler's thread before the resume */
	int replied;
	unsigned status;
	char *reply_body;
	char **reply_hdrs; /* name, value, ..., NULL */
	/* or a body the handler shares (httpd_req_reply_shared) */
	const char *shared_body;
	size_t shared_len;
	void (*shared_release)(void *);
	void *shared_cls;
	struct httpd_req *next_job; /* in h's queue */
};

struct conn {
	struct conn *prev, *next;
	int fd;
	int started;   /* MHD reported it (socket_context points here) */
	int receiving; /* a request is being read */
	int shut;      /* the sweeper shut it */
	int64_t deadline_ms;
	unsigned char key[PEER_KEY_MAX];
	size_t keylen;
};

struct peer {
	unsigned char key[PEER_KEY_MAX];
	size_t keylen;
	unsigned n;
};

/* A refused connection, answered and half-closed, closed at close_ms. */
struct lingering {
	int fd;
	int64_t close_ms;
};

struct httpd {
	struct httpd_opts o;
	struct MHD_Daemon *mhd;
	int listen_fd;
	int wake[2]; /* stops the acceptor */
	pthread_t acceptor, sweeper;
	int acceptor_up, sweeper_up;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* sweeper tick, handler count changes */
	struct conn *conns;
	unsigned nconns;
	struct peer *peers;
	size_t npeers, peers_cap;
	unsigned running;
	/*
	 * Handler threads: busy ones and those waiting (idle) for the next
	 * request in queue; idle counts the waiting ones not yet handed a
	 * request.  A thread waits WORKER_IDLE_MS before it exits.
	 */
	pthread_cond_t work_cv;
	struct httpd_req *queue_head, *queue_tail;
	unsigned idle, workers;
	int stopping;
	int sweeper_stop;
	struct lingering linger[LINGER_MAX];
	size_t nlinger;
};

/* Unlink and free c, and count its peer down.  Called with h->mu held. */
void httpd_conn_unlink(struct httpd *h, struct conn *c);

/* Wait on h->cv for at most ms.  Called with h->mu held. */
void httpd_cond_wait_ms(struct httpd *h, long ms);

/* The threads of httpd_accept.c; arg is the struct httpd. */
void *httpd_acceptor_main(void *arg);
void *httpd_sweeper_main(void *arg);

#endif
