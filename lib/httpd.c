/*
 * httpd.c: the hardened libmicrohttpd server (see httpd.h).
 *
 * Three kinds of threads of ours beside MHD's I/O pool: the acceptor
 * and the sweeper (httpd_accept.c) and the handler threads.  This file
 * holds the requests (what handlers read of them is in httpd_req.c):
 * MHD's callbacks read them, a handler thread runs
 * the handler while MHD keeps the connection suspended, the reply goes
 * out on the resume (or, for a quick request, the I/O thread runs it and
 * replies at once).  Then start and stop; the text helpers are in
 * httpd_text.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "httpd_impl.h"
#include "log.h"
#include "timefmt.h"

#define MHD_MARGIN     64 /* MHD's own limit sits above ours, never hit */
#define WORKER_IDLE_MS 2000 /* a handler thread waits this long for work */

/* Give a shared body back to its owner, once. */
static void
shared_drop(struct httpd_req *rq)
{
	void (*release)(void *) = rq->shared_release;

	rq->shared_release = NULL;
	rq->shared_body = NULL;
	rq->shared_len = 0;
	if (release != NULL)
		release(rq->shared_cls);
}

int
httpd_req_reply(struct httpd_req *rq, unsigned status, char *body,
    const char *const *headers)
{
	size_t n = 0, i;

	shared_drop(rq);
	free(rq->reply_body);
	rq->reply_body = body;
	rq->status = status;
	rq->replied = 1;
	if (rq->reply_hdrs != NULL) {
		for (i = 0; rq->reply_hdrs[i] != NULL; i++)
			free(rq->reply_hdrs[i]);
		free(rq->reply_hdrs);
		rq->reply_hdrs = NULL;
	}
	while (headers != NULL && headers[n] != NULL && headers[n + 1] != NULL)
		n += 2;
	if (n == 0)
		return 0;
	if ((rq->reply_hdrs = calloc(n + 1, sizeof(char *))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++)
		if ((rq->reply_hdrs[i] = strdup(headers[i])) == NULL)
			goto nomem;
	return 0;
nomem:
	rq->status = 500;
	return -1;
}

int
httpd_req_reply_shared(struct httpd_req *rq, unsigned status,
    const char *body, size_t len, void (*release)(void *cls), void *cls,
    const char *const *headers)
{
	int r = httpd_req_reply(rq, status, NULL, headers);

	if (r == -1) {
		release(cls);
		return -1;
	}
	rq->shared_body = body;
	rq->shared_len = len;
	rq->shared_release = release;
	rq->shared_cls = cls;
	return 0;
}

static void
req_free(struct httpd_req *rq)
{
	size_t i;

	if (rq == NULL)
		return;
	shared_drop(rq);
	free(rq->raw_url);
	free(rq->method);
	free(rq->url);
	free(rq->body);
	for (i = 0; i < rq->nhdrs; i++) {
		free(rq->hdrs[i].name);
		free(rq->hdrs[i].value);
	}
	free(rq->hdrs);
	for (i = 0; i < rq->nargs; i++) {
		free(rq->args[i].key);
		free(rq->args[i].value);
	}
	free(rq->args);
	free(rq->reply_body);
	if (rq->reply_hdrs != NULL) {
		for (i = 0; rq->reply_hdrs[i] != NULL; i++)
			free(rq->reply_hdrs[i]);
		free(rq->reply_hdrs);
	}
	free(rq);
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		if (n > 0)
			memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static enum MHD_Result
copy_header(
    void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct httpd_req *rq = cls;
	struct header *nh;

	(void)kind;
	if ((nh = realloc(rq->hdrs, (rq->nhdrs + 1) * sizeof(*nh))) == NULL)
		return MHD_NO;
	rq->hdrs = nh;
	nh[rq->nhdrs].name = strdup(key);
	nh[rq->nhdrs].value = strdup(value != NULL ? value : "");
	if (nh[rq->nhdrs].name == NULL || nh[rq->nhdrs].value == NULL) {
		free(nh[rq->nhdrs].name);
		free(nh[rq->nhdrs].value);
		return MHD_NO;
	}
	rq->nhdrs++;
	return MHD_YES;
}

static enum MHD_Result
copy_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t klen,
    const char *value, size_t vlen)
{
	struct httpd_req *rq = cls;
	struct arg *na;

	(void)kind;
	if ((na = realloc(rq->args, (rq->nargs + 1) * sizeof(*na))) == NULL)
		return MHD_NO;
	rq->args = na;
	na[rq->nargs].key = dup_n(key, klen);
	na[rq->nargs].klen = klen;
	na[rq->nargs].value = dup_n(value != NULL ? value : "", value ? vlen : 0);
	na[rq->nargs].vlen = value != NULL ? vlen : 0;
	if (na[rq->nargs].key == NULL || na[rq->nargs].value == NULL) {
		free(na[rq->nargs].key);
		free(na[rq->nargs].value);
		return MHD_NO;
	}
	rq->nargs++;
	return MHD_YES;
}

/* ---- answering ---- */

static enum MHD_Result
queue_reply(struct httpd *h, struct httpd_req *rq)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *body = rq->reply_body;
	size_t i;
	int has_body;

	if (!rq->replied || rq->status == 0) {
		free(body);
		body = NULL;
		shared_drop(rq);
		rq->status = 500;
	}
	rq->reply_body = NULL;
	if (rq->shared_release != NULL) {
		/*
		 * MHD calls the release when it destroys the response: after
		 * the last byte went out or the connection closed.  From here
		 * on the response owns the reference, not rq.
		 */
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
		    rq->shared_len, (void *)(uintptr_t)rq->shared_body,
		    rq->shared_release, rq->shared_cls);
		if (resp == NULL) {
			shared_drop(rq);
			return MHD_NO;
		}
		rq->shared_release = NULL;
		rq->shared_body = NULL;
		has_body = 1;
	} else {
		resp = MHD_create_response_from_buffer(
		    body != NULL ? strlen(body) : 0,
		    body != NULL ? body : (void *)"",
		    body != NULL ? MHD_RESPMEM_MUST_FREE
				 : MHD_RESPMEM_PERSISTENT);
		if (resp == NULL) {
			free(body);
			return MHD_NO;
		}
		has_body = body != NULL;
	}
	if (has_body)
		MHD_add_response_header(resp, "Content-Type", h->o.content_type);
	for (i = 0; rq->reply_hdrs != NULL && rq->reply_hdrs[i] != NULL; i += 2)
		MHD_add_response_header(
		    resp, rq->reply_hdrs[i], rq->reply_hdrs[i + 1]);
	ret = MHD_queue_response(rq->conn, rq->status, resp);
	MHD_destroy_response(resp);
	rq->state = RQ_DONE;
	return ret;
}

static enum MHD_Result
queue_busy(struct httpd *h, struct httpd_req *rq)
{
	static const char *const hdrs[] = {"Retry-After", "1", NULL};
	char *body = strdup(h->o.busy_body);

	if (body == NULL)
		return MHD_NO;
	httpd_req_reply(rq, 503, body, hdrs);
	return queue_reply(h, rq);
}

static void
run_handler(struct httpd *h, struct httpd_req *rq)
{
	h->o.handler(h->o.cls, rq);
	/*
	 * Resume before counting down: httpd_stop waits for the count, and
	 * MHD must not be stopped with a connection still suspended.  After
	 * the resume rq belongs to MHD's thread again.
	 */
	MHD_resume_connection(rq->conn);
	pthread_mutex_lock(&h->mu);
	h->running--;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/*
 * A handler thread: its first request, then the ones start_handler hands
 * it while it waits, until none comes for WORKER_IDLE_MS or the server
 * stops.  Threads are kept rather than made per request: creating one
 * cost about 6% of the plugin's CPU under load (docs/benchmarks.md).
 */
static void *
worker_main(void *arg)
{
	struct httpd_req *rq = arg;
	struct httpd *h = rq->h;
	struct timespec ts;
	int timed_out;

	for (;;) {
		run_handler(h, rq);
		rq = NULL;
		timed_out = 0;
		pthread_mutex_lock(&h->mu);
		h->idle++;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += WORKER_IDLE_MS / 1000;
		while (h->queue_head == NULL && !h->stopping && !timed_out)
			timed_out = pthread_cond_timedwait(
					&h->work_cv, &h->mu, &ts) == ETIMEDOUT;
		if ((rq = h->queue_head) != NULL) {
			/* start_handler counted this thread busy already. */
			h->queue_head = rq->next_job;
			if (h->queue_head == NULL)
				h->queue_tail = NULL;
			pthread_mutex_unlock(&h->mu);
			continue;
		}
		h->idle--;
		h->workers--;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		return NULL;
	}
}

static struct conn *
conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* The whole request is in: the deadline stops applying until the reply. */
static void
request_received(struct httpd *h, struct MHD_Connection *conn)
{
	struct conn *c = conn_of(conn);

	pthread_mutex_lock(&h->mu);
	if (c != NULL)
		c->receiving = 0;
	pthread_mutex_unlock(&h->mu);
}

/*
 * A request answered from memory, on this I/O thread: no suspend, no
 * thread, the reply queued at once.  It is not counted in running:
 * httpd_stop stops MHD, which waits for its I/O threads, so none can be
 * left under way.
 */
static enum MHD_Result
run_quick(struct httpd *h, struct httpd_req *rq)
{
	int stopping;

	pthread_mutex_lock(&h->mu);
	stopping = h->stopping;
	pthread_mutex_unlock(&h->mu);
	if (stopping)
		return queue_busy(h, rq);
	rq->state = RQ_RUNNING;
	h->o.handler(h->o.cls, rq);
	return queue_reply(h, rq);
}

static enum MHD_Result
start_handler(struct httpd *h, struct httpd_req *rq)
{
	pthread_attr_t attr;
	pthread_t t;
	int busy, r;

	if (MHD_get_connection_values(
		rq->conn, MHD_HEADER_KIND, copy_header, rq) < 0 ||
	    MHD_get_connection_values_n(
		rq->conn, MHD_GET_ARGUMENT_KIND, copy_arg, rq) < 0)
		return MHD_NO;
	if (h->o.quick != NULL && h->o.quick(h->o.cls, rq))
		return run_quick(h, rq);
	pthread_mutex_lock(&h->mu);
	busy = h->stopping || h->running >= h->o.max_running;
	if (!busy)
		h->running++;
	pthread_mutex_unlock(&h->mu);
	if (busy)
		return queue_busy(h, rq);
	rq->state = RQ_RUNNING;
	MHD_suspend_connection(rq->conn);
	pthread_mutex_lock(&h->mu);
	if (h->idle > 0) {
		/* A waiting thread takes it (worker_main). */
		h->idle--;
		rq->next_job = NULL;
		if (h->queue_tail != NULL)
			h->queue_tail->next_job = rq;
		else
			h->queue_head = rq;
		h->queue_tail = rq;
		pthread_cond_signal(&h->work_cv);
		pthread_mutex_unlock(&h->mu);
		return MHD_YES;
	}
	h->workers++;
	pthread_mutex_unlock(&h->mu);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, worker_main, rq);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		/* Answered busy when MHD calls us again after the resume. */
		char *body = strdup(h->o.busy_body);

		if (body != NULL)
			httpd_req_reply(rq, 503, body, NULL);
		MHD_resume_connection(rq->conn);
		pthread_mutex_lock(&h->mu);
		h->running--;
		h->workers--;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
	return MHD_YES;
}

/* MHD's URI log callback: the request line is in, the request begins. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct httpd_req *rq = calloc(1, sizeof(*rq));

	(void)conn;
	if (rq == NULL)
		return NULL;
	rq->h = cls;
	rq->start_ms = tnfs_mono_ms();
	if ((rq->raw_url = strdup(uri != NULL ? uri : "")) == NULL) {
		free(rq);
		return NULL;
	}
	return rq;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct httpd *h = cls;
	struct httpd_req *rq = *con_cls;

	(void)version;
	if (rq == NULL)
		return MHD_NO; /* out of memory in on_uri */
	switch (rq->state) {
	case RQ_HEADERS:
		rq->conn = conn;
		rq->method = strdup(method);
		rq->url = strdup(url);
		if (rq->method == NULL || rq->url == NULL)
			return MHD_NO;
		rq->state = RQ_BODY;
		return MHD_YES;
	case RQ_BODY:
		if (*upload_size > 0) {
			size_t n = *upload_size;

			*upload_size = 0;
			if (rq->too_large || rq->len + n > h->o.body_max) {
				/* Read the rest and drop it: the answer is 413. */
				rq->too_large = 1;
				free(rq->body);
				rq->body = NULL;
				rq->len = rq->cap = 0;
				return MHD_YES;
			}
			if (rq->len + n + 1 > rq->cap) {
				size_t cap = rq->cap ? rq->cap : 1024;
				char *p;

				while (cap < rq->len + n + 1)
					cap *= 2;
				if ((p = realloc(rq->body, cap)) == NULL)
					return MHD_NO;
				rq->body = p;
				rq->cap = cap;
			}
			memcpy(rq->body + rq->len, upload, n);
			rq->len += n;
			rq->body[rq->len] = '\0';
			return MHD_YES;
		}
		request_received(h, conn);
		return start_handler(h, rq);
	case RQ_RUNNING:
		return queue_reply(h, rq);
	case RQ_DONE:
	default:
		return MHD_NO;
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	struct conn *c = conn_of(conn);

	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
	/* A kept-alive connection owes the next request within the deadline. */
	pthread_mutex_lock(&h->mu);
	if (c != NULL) {
		c->receiving = 1;
		c->deadline_ms =
		    tnfs_mono_ms() + (int64_t)h->o.header_deadline_s * 1000;
	}
	pthread_mutex_unlock(&h->mu);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	pthread_mutex_lock(&h->mu);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(
		    conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		for (c = h->conns; c != NULL; c = c->next)
			if (!c->started && ci != NULL && c->fd == ci->connect_fd)
				break;
		if (c != NULL) {
			c->started = 1;
			*socket_context = c;
		}
	} else if ((c = *socket_context) != NULL) {
		/* Before MHD closes the socket: the fd is still this one. */
		httpd_conn_unlink(h, c);
		*socket_context = NULL;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
}

/* ---- start and stop ---- */

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	const struct httpd *h = cls;
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* Mostly what clients did wrong: one line each would let them flood
	 * the log. */
	log_debug("%s: libmicrohttpd: %s", h->o.name, buf);
}

/*
 * conn_limit connections need as many descriptors besides the process's
 * own: raise the soft limit (systemd's default is 1024) up to the hard one.
 */
static void
raise_fd_limit(const struct httpd_opts *o)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)o->conn_limit + MHD_MARGIN + 512;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("%s: cannot raise the descriptor limit to %llu: %s",
		    o->name, (unsigned long long)rl.rlim_cur, strerror(errno));
}

struct httpd *
httpd_start(int listen_fd, const struct httpd_opts *opts, struct tnfs_err *err)
{
	struct httpd *h;
	unsigned idle_s;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		close(listen_fd);
		return NULL;
	}
	h->o = *opts;
	h->listen_fd = listen_fd;
	raise_fd_limit(opts);
	h->wake[0] = h->wake[1] = -1;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&h->work_cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	/* A blocking accept after a spurious wake-up would hang the stop. */
	if (fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) ==
	    -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "%s: listening socket", opts->name);
		goto fail;
	}
	if (pipe2(h->wake, O_CLOEXEC) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "%s: pipe", opts->name);
		goto fail;
	}
	/*
	 * MHD's idle timeout still bounds a client that stops reading its
	 * answer; the request itself is bounded by our deadline.
	 */
	idle_s = opts->header_deadline_s * 3;
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
		MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_access, h, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_logger, h, MHD_OPTION_THREAD_POOL_SIZE, opts->pool_threads,
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(opts->conn_limit + MHD_MARGIN),
	    MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, h, MHD_OPTION_END);
	if (h->mhd == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "%s: libmicrohttpd could not start", opts->name);
		goto fail;
	}
	if (pthread_create(&h->sweeper, NULL, httpd_sweeper_main, h) != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "%s: cannot start a thread",
		    opts->name);
		goto fail;
	}
	h->sweeper_up = 1;
	if (pthread_create(&h->acceptor, NULL, httpd_acceptor_main, h) != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "%s: cannot start a thread",
		    opts->name);
		goto fail;
	}
	h->acceptor_up = 1;
	return h;
fail:
	httpd_stop(h, 0);
	return NULL;
}

void
httpd_stop(struct httpd *h, int grace_ms)
{
	int64_t end;
	int noted = 0;

	if (h == NULL)
		return;
	end = tnfs_mono_ms() + grace_ms;
	if (h->acceptor_up) {
		if (write(h->wake[1], "x", 1) != 1)
			log_warn("%s: cannot wake the acceptor", h->o.name);
		pthread_join(h->acceptor, NULL);
	}
	close(h->listen_fd);
	pthread_mutex_lock(&h->mu);
	h->stopping = 1;
	/* MHD must not stop while a handler keeps a connection suspended. */
	while (h->running > 0) {
		if (!noted && tnfs_mono_ms() >= end) {
			log_msg(TNFS_LOG_WARN, NULL,
			    "%s: %u request(s) still running after %d ms; "
			    "waiting for their deadlines",
			    h->o.name, h->running, grace_ms);
			noted = 1;
		}
		httpd_cond_wait_ms(h, 20);
	}
	/* Idle handler threads exit; h must outlive them. */
	pthread_cond_broadcast(&h->work_cv);
	while (h->workers > 0)
		httpd_cond_wait_ms(h, 20);
	h->sweeper_stop = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->sweeper_up)
		pthread_join(h->sweeper, NULL);
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd);
	while (h->conns != NULL)
		httpd_conn_unlink(h, h->conns);
	while (h->nlinger > 0)
		close(h->linger[--h->nlinger].fd);
	free(h->peers);
	if (h->wake[0] != -1)
		close(h->wake[0]);
	if (h->wake[1] != -1)
		close(h->wake[1]);
	pthread_cond_destroy(&h->work_cv);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
