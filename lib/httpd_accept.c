/*
 * httpd_accept.c: the HTTP server's admission (see httpd.h): our own
 * accept loop with the connection and per-peer limits and a canned 503
 * past them, and the sweeper that enforces the request deadline and
 * closes refused connections after a moment's linger.
 *
 * A connection is tracked from accept to MHD's CLOSED notification, which
 * MHD sends before it closes the socket: so the sweeper, holding the mutex,
 * only ever shuts a socket that is still the connection's own.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "httpd_impl.h"
#include "log.h"
#include "timefmt.h"

/* ---- peers and connections (called with h->mu held) ---- */

static struct peer *
peer_find(struct httpd *h, const unsigned char *key, size_t keylen)
{
	size_t i;

	for (i = 0; i < h->npeers; i++)
		if (h->peers[i].keylen == keylen &&
		    memcmp(h->peers[i].key, key, keylen) == 0)
			return &h->peers[i];
	return NULL;
}

static unsigned
peer_count(struct httpd *h, const unsigned char *key, size_t keylen)
{
	struct peer *p = peer_find(h, key, keylen);

	return p != NULL ? p->n : 0;
}

static int
peer_add(struct httpd *h, const unsigned char *key, size_t keylen)
{
	struct peer *p = peer_find(h, key, keylen);

	if (p == NULL) {
		if (h->npeers == h->peers_cap) {
			size_t cap = h->peers_cap ? h->peers_cap * 2 : 64;
			struct peer *np =
			    realloc(h->peers, cap * sizeof(*np));

			if (np == NULL)
				return -1;
			h->peers = np;
			h->peers_cap = cap;
		}
		p = &h->peers[h->npeers++];
		memcpy(p->key, key, keylen);
		p->keylen = keylen;
		p->n = 0;
	}
	p->n++;
	return 0;
}

static void
peer_del(struct httpd *h, const unsigned char *key, size_t keylen)
{
	struct peer *p = peer_find(h, key, keylen);

	if (p == NULL || --p->n > 0)
		return;
	*p = h->peers[--h->npeers];
}

void
httpd_conn_unlink(struct httpd *h, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	peer_del(h, c->key, c->keylen);
	h->nconns--;
	free(c);
}

void
httpd_cond_wait_ms(struct httpd *h, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&h->cv, &h->mu, &ts);
}

/* Read and drop what a refused client sent (bounded, never waiting). */
static void
drain(int fd)
{
	char scratch[4096];
	size_t drained = 0;
	ssize_t n;

	while (drained < REFUSE_DRAIN &&
	    (n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT)) > 0)
		drained += (size_t)n;
}

/* ---- the sweeper: the request deadline, lingering closes ---- */

void *
httpd_sweeper_main(void *arg)
{
	struct httpd *h = arg;
	struct conn *c;
	unsigned shut;

	pthread_mutex_lock(&h->mu);
	while (!h->sweeper_stop) {
		int64_t now = tnfs_mono_ms();

		shut = 0;
		for (c = h->conns; c != NULL; c = c->next) {
			if (!c->started || !c->receiving || c->shut ||
			    now < c->deadline_ms)
				continue;
			/* MHD sees the end of the stream and closes it. */
			shutdown(c->fd, SHUT_RDWR);
			c->shut = 1;
			shut++;
		}
		for (size_t i = 0; i < h->nlinger;) {
			if (now < h->linger[i].close_ms) {
				i++;
				continue;
			}
			drain(h->linger[i].fd);
			close(h->linger[i].fd);
			h->linger[i] = h->linger[--h->nlinger];
		}
		if (shut > 0)
			log_msg(TNFS_LOG_INFO, NULL,
			    "%s: closed %u connection(s) that did not send a "
			    "whole request within %u s",
			    h->o.name, shut, h->o.header_deadline_s);
		httpd_cond_wait_ms(h, SWEEP_MS);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* ---- the acceptor: limits and 503 ---- */

/* Who the peer is for the per-peer limit: its IP, or its process. */
static size_t
peer_key(int fd, const struct sockaddr_storage *ss, unsigned char *key)
{
	key[0] = (unsigned char)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return 5;
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(
		    key + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return 17;
	}
	if (ss->ss_family == AF_UNIX) {
		struct ucred cr;
		socklen_t len = sizeof(cr);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0) {
			memcpy(key + 1, &cr.pid, sizeof(cr.pid));
			return 1 + sizeof(cr.pid);
		}
	}
	return 1;
}

/*
 * The 503 goes out without waiting.  Closing a socket that holds unread
 * bytes resets it, and a reset makes the client drop the answer unread:
 * so the close is put off a moment (the sweeper drains, then closes), the
 * way httpd's lingering close works.  Past LINGER_MAX it closes at once.
 */
static void
refuse(struct httpd *h, int fd)
{
	char head[256];
	size_t blen = strlen(h->o.busy_body);
	int len, now = 0;

	len = snprintf(head, sizeof(head),
	    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
	    h->o.content_type, blen);
	drain(fd);
	if (len > 0 && (size_t)len < sizeof(head) &&
	    send(fd, head, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) == len)
		send(fd, h->o.busy_body, blen, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	pthread_mutex_lock(&h->mu);
	if (h->nlinger < LINGER_MAX && !h->sweeper_stop) {
		h->linger[h->nlinger].fd = fd;
		h->linger[h->nlinger].close_ms = tnfs_mono_ms() + LINGER_MS;
		h->nlinger++;
	} else
		now = 1;
	pthread_mutex_unlock(&h->mu);
	if (now) {
		drain(fd);
		close(fd);
	}
}

static void
accept_one(struct httpd *h)
{
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	unsigned char key[PEER_KEY_MAX];
	size_t keylen;
	struct conn *c, *next;
	int fd, over;

	fd = accept4(h->listen_fd, (struct sockaddr *)&ss, &slen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			struct timespec ts = {0, 50 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
		return;
	}
	keylen = peer_key(fd, &ss, key);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		refuse(h, fd);
		return;
	}
	pthread_mutex_lock(&h->mu);
	/*
	 * A connection MHD dropped before reporting it left its entry: its
	 * fd was closed, so one with this number now is stale.
	 */
	for (struct conn *o = h->conns; o != NULL; o = next) {
		next = o->next;
		if (!o->started && o->fd == fd)
			httpd_conn_unlink(h, o);
	}
	over = h->stopping || h->nconns >= h->o.conn_limit ||
	    (h->o.per_peer_limit > 0 &&
		peer_count(h, key, keylen) >= h->o.per_peer_limit);
	if (!over && peer_add(h, key, keylen) == -1)
		over = 1;
	if (!over) {
		c->fd = fd;
		c->receiving = 1;
		c->deadline_ms =
		    tnfs_mono_ms() + (int64_t)h->o.header_deadline_s * 1000;
		memcpy(c->key, key, keylen);
		c->keylen = keylen;
		c->next = h->conns;
		if (h->conns != NULL)
			h->conns->prev = c;
		h->conns = c;
		h->nconns++;
	}
	pthread_mutex_unlock(&h->mu);
	if (over) {
		free(c);
		refuse(h, fd);
		return;
	}
	if (MHD_add_connection(h->mhd, fd, (struct sockaddr *)&ss, slen) !=
	    MHD_YES) {
		/* MHD closed fd; unless it already reported and dropped it. */
		pthread_mutex_lock(&h->mu);
		for (struct conn *o = h->conns; o != NULL; o = o->next)
			if (o == c && !o->started) {
				httpd_conn_unlink(h, o);
				break;
			}
		pthread_mutex_unlock(&h->mu);
	}
}

void *
httpd_acceptor_main(void *arg)
{
	struct httpd *h = arg;

	for (;;) {
		struct pollfd p[2] = {
		    {h->listen_fd, POLLIN, 0}, {h->wake[0], POLLIN, 0}};

		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_msg(TNFS_LOG_ERROR, NULL, "%s: poll: %s",
			    h->o.name, strerror(errno));
			return NULL;
		}
		if (p[1].revents != 0)
			return NULL;
		if (p[0].revents != 0)
			accept_one(h);
	}
}
