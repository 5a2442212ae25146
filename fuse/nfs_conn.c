/*
 * nfs_conn.c: the pool of mounted libnfs contexts (see nfs_conn.h).
 *
 * libnfs's own auto-reconnect is switched off: with it, a call made while
 * the server is down waits forever (or times out with the context in an
 * unknown state).  We remount a fresh context instead, which also redoes
 * the NFSv4 client id and the MOUNT call, and then retry the call once.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>

#include "log.h"
#include "nfs4_open.h"
#include "nfs_conn.h"

struct nfs_conn {
	struct nfs_pool *pool;
	struct nfs_context *ctx; /* NULL while not mounted */
	int idx;
	unsigned gen;  /* bumped by every remount */
	int busy;      /* guarded by pool->lock */
	long uid, gid; /* identity of ctx, -1: default */
	struct nfs4_opens *opens; /* NFSv4: open state of ctx's files */
};

struct nfs_pool {
	struct nfs_pool_cfg cfg;
	char *url;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	uint64_t readmax, writemax;
	struct nfs_conn *conns;
};

/* Seconds of TCP SYN retries (1+2+4+...): keep connects near the timeout. */
static int
syncnt_for(int timeo)
{
	int n = 1, total = 1;

	while (n < 6 && total * 2 + 1 <= timeo) {
		total = total * 2 + 1;
		n++;
	}
	return n;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * libnfs's synchronous calls keep their completion record on the caller's
 * stack.  A call that gave up on a broken socket can leave requests queued
 * that point there, and nfs_destroy_context runs their callbacks (as
 * "cancelled") into that dead stack frame.  So a context with requests in
 * flight is never destroyed: its socket is closed and the context is kept
 * here, reachable until the process exits (about a kilobyte per outage).
 * This is the one piece of process-wide state, for that reason only.
 */
#define ABANDONED_MAX 1024

static struct {
	pthread_mutex_t lock;
	int n;
	struct nfs_context *ctx[ABANDONED_MAX];
} abandoned = {PTHREAD_MUTEX_INITIALIZER, 0, {NULL}};

static void
conn_unmount(struct nfs_conn *c)
{
	int fd;

	if (c->ctx == NULL)
		return;
	nfs4_opens_forget(c->opens); /* the server lets them expire */
	if (nfs_queue_length(c->ctx) == 0) {
		nfs_destroy_context(c->ctx);
	} else {
		if ((fd = nfs_get_fd(c->ctx)) >= 0)
			close(fd);
		pthread_mutex_lock(&abandoned.lock);
		if (abandoned.n < ABANDONED_MAX)
			abandoned.ctx[abandoned.n++] = c->ctx;
		pthread_mutex_unlock(&abandoned.lock);
		log_info("connection %d: left a context with calls in flight",
		    c->idx);
	}
	c->ctx = NULL;
}

/* Mount c->ctx from scratch: -errno on failure, with err filled. */
static int
conn_mount(struct nfs_conn *c, struct tnfs_err *err)
{
	const struct nfs_pool_cfg *cfg = &c->pool->cfg;
	struct nfs_context *ctx;
	struct nfs_url *url = NULL;
	char client[128], host[64] = "host";
	int rc = -ENOMEM;

	conn_unmount(c);
	if ((ctx = nfs_init_context()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	nfs_set_timeout(ctx, cfg->timeo * 1000);
	nfs_set_tcp_syncnt(ctx, syncnt_for(cfg->timeo));
	nfs_set_autoreconnect(ctx, 0);
	/* Another host's changes must show: no directory cache here. */
	nfs_set_dircache(ctx, 0);
	if (cfg->debug)
		nfs_set_debug(ctx, 2);
	if (cfg->uid >= 0)
		nfs_set_uid(ctx, (int)cfg->uid);
	if (cfg->gid >= 0)
		nfs_set_gid(ctx, (int)cfg->gid);
	if ((url = nfs_parse_url_dir(ctx, c->pool->url)) == NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "bad NFS URL %s: %s",
		    c->pool->url, nfs_get_error(ctx));
		rc = -EINVAL;
		goto out;
	}
	if (cfg->nfsvers == 4) {
		/*
		 * Each context is its own NFSv4 client: a shared name would
		 * let one context's SETCLIENTID wipe another's open state.
		 */
		gethostname(host, sizeof(host) - 1);
		snprintf(client, sizeof(client), "tritonnfs-fuse.%s.%ld.%d.%u",
		    host, (long)getpid(), c->idx, c->gen);
		nfs4_set_client_name(ctx, client);
	}
	if ((rc = nfs_mount(ctx, url->server, url->path)) != 0) {
		const char *why = nfs_get_error(ctx);

		if (rc == -ENOENT)
			tnfs_err_set(err, TNFS_E_NOT_FOUND,
			    "export %s not found on %s: %s", url->path,
			    url->server, why);
		else if (rc == -EACCES || rc == -EPERM)
			tnfs_err_set(err, TNFS_E_FORBIDDEN,
			    "%s does not export %s to us (no such export, or "
			    "access denied): %s",
			    url->server, url->path, why);
		else if (rc == -EINTR) /* libnfs 4.0's "timed out" */
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "cannot mount %s:%s: no answer within %d s (%s)",
			    url->server, url->path, cfg->timeo, why);
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "cannot mount %s:%s: %s", url->server, url->path,
			    why);
		if (rc >= 0)
			rc = -EIO;
		goto out;
	}
	c->ctx = ctx;
	ctx = NULL;
	c->uid = cfg->uid;
	c->gid = cfg->gid;
	c->gen++; /* handles opened before belong to the old context */
	nfs4_opens_forget(c->opens);
	rc = 0;
out:
	nfs_destroy_url(url);
	if (ctx != NULL)
		nfs_destroy_context(ctx);
	return rc;
}

/* One address of the probe: 0 connected, -errno otherwise. */
static int
probe_addr(const struct addrinfo *ai, int timeo)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, rc, soerr = 0;

	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		rc = 0;
		goto out;
	}
	if (errno != EINPROGRESS) {
		rc = -errno;
		goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	rc = poll(&pfd, 1, timeo * 1000);
	if (rc == 0) {
		rc = -ETIMEDOUT;
		goto out;
	}
	if (rc < 0) {
		rc = -errno;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	rc = -soerr;
out:
	close(fd);
	return rc;
}

int
nfs_conn_probe(const char *host, int port, const char *what, int timeo,
    struct tnfs_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[16];
	int rc = -1, gai, last = -EHOSTUNREACH;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if ((gai = getaddrinfo(host, service, &hints, &res)) != 0) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "cannot resolve server %s: %s", host, gai_strerror(gai));
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if ((last = probe_addr(ai, timeo)) == 0)
			break;
	if (last == -ETIMEDOUT) {
		tnfs_err_set(err, TNFS_E_TIMEOUT,
		    "no answer from %s port %d (%s) within %d s", host, port,
		    what, timeo);
		goto out;
	}
	if (last != 0) {
		tnfs_err_errno(err, TNFS_E_UNAVAILABLE, -last,
		    "cannot reach %s port %d (%s)", host, port, what);
		goto out;
	}
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

struct nfs_pool *
nfs_pool_new(const struct nfs_pool_cfg *cfg, struct tnfs_err *err)
{
	struct nfs_pool *pool = NULL, *ret = NULL;
	int i;

	if ((pool = calloc(1, sizeof(*pool))) == NULL ||
	    (pool->conns = calloc((size_t)cfg->size, sizeof(*pool->conns))) ==
		NULL ||
	    (pool->url = strdup(cfg->url)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	pool->cfg = *cfg;
	pool->cfg.url = pool->url;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	for (i = 0; i < cfg->size; i++) {
		pool->conns[i].pool = pool;
		pool->conns[i].idx = i;
		if ((pool->conns[i].opens = nfs4_opens_new()) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (conn_mount(&pool->conns[0], err) != 0)
		goto out;
	pool->readmax = nfs_get_readmax(pool->conns[0].ctx);
	pool->writemax = nfs_get_writemax(pool->conns[0].ctx);
	/* libnfs 4.0 learns no limits over NFSv4 (no FSINFO): assume 1 MiB. */
	if (pool->readmax == 0)
		pool->readmax = 1024 * 1024;
	if (pool->writemax == 0)
		pool->writemax = 1024 * 1024;
	ret = pool;
	pool = NULL;
out:
	nfs_pool_free(pool);
	return ret;
}

void
nfs_pool_free(struct nfs_pool *pool)
{
	int i;

	if (pool == NULL)
		return;
	if (pool->conns != NULL) {
		for (i = 0; i < pool->cfg.size; i++) {
			if (pool->conns[i].ctx != NULL &&
			    pool->cfg.nfsvers == 3)
				nfs_umount(pool->conns[i].ctx);
			conn_unmount(&pool->conns[i]);
			nfs4_opens_free(pool->conns[i].opens);
		}
		pthread_mutex_destroy(&pool->lock);
		pthread_cond_destroy(&pool->freed);
	}
	free(pool->conns);
	free(pool->url);
	free(pool);
}

uint64_t
nfs_pool_readmax(const struct nfs_pool *pool)
{
	return pool->readmax;
}

uint64_t
nfs_pool_writemax(const struct nfs_pool *pool)
{
	return pool->writemax;
}

int
nfs_pool_version(const struct nfs_pool *pool)
{
	return pool->cfg.nfsvers;
}

/* Mount a context taken from the pool when it is not mounted. */
static struct nfs_conn *
conn_ready(struct nfs_conn *c, int *rc)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (c->ctx == NULL && (*rc = conn_mount(c, &err)) != 0) {
		nfs_conn_release(c);
		return NULL;
	}
	*rc = 0;
	return c;
}

/* A free context: mounted before not, then one without open files. */
static struct nfs_conn *
pick_free(struct nfs_pool *pool, int stateless)
{
	struct nfs_conn *c, *best = NULL;
	int i, score, best_score = -1;

	for (i = 0; i < pool->cfg.size; i++) {
		c = &pool->conns[i];
		if (c->busy)
			continue;
		/* Not busy: its holder's changes to c->opens are visible. */
		score = (c->ctx != NULL) * 2 +
		    (stateless && nfs4_opens_empty(c->opens));
		if (score > best_score) { /* lowest index first */
			best = c;
			best_score = score;
		}
	}
	return best;
}

static struct nfs_conn *
acquire(struct nfs_pool *pool, int stateless, int *rc)
{
	struct nfs_conn *c;

	pthread_mutex_lock(&pool->lock);
	while ((c = pick_free(pool, stateless)) == NULL)
		pthread_cond_wait(&pool->freed, &pool->lock);
	c->busy = 1;
	pthread_mutex_unlock(&pool->lock);
	return conn_ready(c, rc);
}

struct nfs_conn *
nfs_pool_acquire(struct nfs_pool *pool, int *rc)
{
	return acquire(pool, 0, rc);
}

struct nfs_conn *
nfs_pool_acquire_stateless(struct nfs_pool *pool, int *rc)
{
	return acquire(pool, 1, rc);
}

struct nfs_conn *
nfs_pool_lock(struct nfs_pool *pool, int idx, int *rc)
{
	return conn_ready(nfs_pool_hold(pool, idx), rc);
}

struct nfs_conn *
nfs_pool_hold(struct nfs_pool *pool, int idx)
{
	struct nfs_conn *c = &pool->conns[idx];

	pthread_mutex_lock(&pool->lock);
	while (c->busy)
		pthread_cond_wait(&pool->freed, &pool->lock);
	c->busy = 1;
	pthread_mutex_unlock(&pool->lock);
	return c;
}

void
nfs_conn_release(struct nfs_conn *c)
{
	struct nfs_pool *pool = c->pool;

	pthread_mutex_lock(&pool->lock);
	c->busy = 0;
	pthread_cond_broadcast(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
}

struct nfs_context *
nfs_conn_ctx(struct nfs_conn *c)
{
	return c->ctx;
}

void
nfs_conn_set_cred(struct nfs_conn *c, long uid, long gid)
{
	if (c->ctx == NULL || c->pool->cfg.uid >= 0 || c->pool->cfg.gid >= 0)
		return;
	if (uid != c->uid) {
		nfs_set_uid(c->ctx, (int)uid);
		c->uid = uid;
	}
	if (gid != c->gid) {
		nfs_set_gid(c->ctx, (int)gid);
		c->gid = gid;
	}
}

int
nfs_conn_index(const struct nfs_conn *c)
{
	return c->idx;
}

unsigned
nfs_conn_gen(const struct nfs_conn *c)
{
	return c->gen;
}

struct nfs4_opens *
nfs_conn_opens(struct nfs_conn *c)
{
	return c->opens;
}

/*
 * libnfs 4.0 reports a timed-out call as -EINTR, an RPC-level failure
 * (connection reset, reconnect refused) as -EFAULT, and a dead socket
 * during a synchronous wait as -EIO.
 */
int
nfs_conn_is_link_error(int rc)
{
	switch (-rc) {
	case EINTR:
	case EFAULT:
	case EIO:
	case ENOTCONN:
	case ECONNRESET:
	case ECONNREFUSED:
	case ECONNABORTED:
	case EPIPE:
	case ETIMEDOUT:
		return 1;
	default:
		return 0;
	}
}

/*
 * NFSv4 state the server no longer accepts.  libnfs 4.0 sometimes loses
 * step with the server's open-owner sequence (NFS4ERR_BAD_SEQID, seen
 * under load, reported as -ERANGE or -EINVAL) and then fails every OPEN
 * that follows; a new client id starts the sequence afresh.
 */
static int
is_state_error(struct nfs_conn *c)
{
	static const char *const states[] = {"NFS4ERR_BAD_SEQID",
	    "NFS4ERR_STALE_CLIENTID", "NFS4ERR_EXPIRED",
	    "NFS4ERR_STALE_STATEID", "NFS4ERR_BAD_STATEID", NULL};
	const char *why;
	int i;

	if (c->pool->cfg.nfsvers != 4 || c->ctx == NULL ||
	    (why = nfs_get_error(c->ctx)) == NULL)
		return 0;
	for (i = 0; states[i] != NULL; i++)
		if (strstr(why, states[i]) != NULL)
			return 1;
	return 0;
}

int
nfs_conn_recover(struct nfs_conn *c, int rc)
{
	struct tnfs_err err;
	double deadline;

	if (!nfs_conn_is_link_error(rc) && !is_state_error(c))
		return 0;
	log_warn("connection %d to the NFS server failed (%s), reconnecting",
	    c->idx, strerror(-rc));
	deadline = now_sec() + c->pool->cfg.timeo;
	for (;;) {
		tnfs_err_clear(&err);
		if (conn_mount(c, &err) == 0) {
			log_info(
			    "connection %d to the NFS server is back", c->idx);
			return 1;
		}
		if (now_sec() >= deadline) {
			log_error("connection %d: gave up after %d s: %s",
			    c->idx, c->pool->cfg.timeo, err.msg);
			return 0;
		}
		usleep(250 * 1000);
	}
}

int
nfs_conn_errno(int rc)
{
	if (rc >= 0)
		return 0;
	if (rc < -4095 || nfs_conn_is_link_error(rc))
		return EIO;
	return -rc;
}

/* NFS statuses by the name libnfs gives them in its messages. */
static const struct {
	const char *name; /* after "NFS3ERR_" or "NFS4ERR_" */
	int errnum;
} nfs_statuses[] = {
    {"DQUOT", EDQUOT},
    {"NOSPC", ENOSPC},
    {"STALE", ESTALE},
    {"FHEXPIRED", ESTALE},
    {"BADHANDLE", ESTALE},
    {"NOENT", ENOENT},
    {"ACCES", EACCES},
    {"ACCESS", EACCES},
    {"PERM", EPERM},
    {"ROFS", EROFS},
    {"FBIG", EFBIG},
    {"ISDIR", EISDIR},
    {"INVAL", EINVAL},
    {"IO", EIO},
    {"DELAY", EAGAIN},
    {"GRACE", EAGAIN},
    {"JUKEBOX", EAGAIN},
};

int
nfs_conn_status_errno(const char *why)
{
	const char *p;
	size_t i, n;

	for (p = why; p != NULL && (p = strstr(p, "ERR_")) != NULL; p += 4) {
		if (p < why + 4 ||
		    (strncmp(p - 4, "NFS3", 4) != 0 &&
			strncmp(p - 4, "NFS4", 4) != 0))
			continue;
		for (i = 0; i < sizeof(nfs_statuses) / sizeof(nfs_statuses[0]);
		     i++) {
			n = strlen(nfs_statuses[i].name);
			if (strncmp(p + 4, nfs_statuses[i].name, n) == 0 &&
			    p[4 + n] == '(')
				return nfs_statuses[i].errnum;
		}
		return EIO; /* a status we have no better errno for */
	}
	return 0;
}

int
nfs_conn_errno_why(int rc, const char *why)
{
	int errnum;

	if (rc != -ERANGE)
		return nfs_conn_errno(rc);
	errnum = nfs_conn_status_errno(why);
	return errnum != 0 ? errnum : EIO;
}

int
nfs_conn_errno_of(struct nfs_conn *c, int rc)
{
	if (rc != -ERANGE || c == NULL || c->ctx == NULL)
		return nfs_conn_errno_why(rc, NULL);
	return nfs_conn_errno_why(rc, nfs_get_error(c->ctx));
}
