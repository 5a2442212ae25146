/*
 * children.c: child processes run with a deadline and reaped once
 * (children.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "child.h"
#include "children.h"
#include "log.h"

/* How long a killed child gets to die before it is left to children_reap:
 * enough for one that was not stuck in the kernel, short for the reply. */
#define KILL_GRACE_MS 200

struct children {
	pthread_mutex_t mu; /* guards pids */
	pid_t *pids;
	size_t n, cap;
};

struct children *
children_new(struct tnfs_err *err)
{
	struct children *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void
children_free(struct children *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c->pids);
	free(c);
}

int
children_watch(struct children *c, pid_t pid, struct tnfs_err *err)
{
	int rc = -1;

	pthread_mutex_lock(&c->mu);
	if (c->n == c->cap) {
		size_t cap = c->cap == 0 ? 16 : c->cap * 2;
		pid_t *p = realloc(c->pids, cap * sizeof(*p));

		if (p == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "out of memory watching child %ld", (long)pid);
			goto out;
		}
		c->pids = p;
		c->cap = cap;
	}
	c->pids[c->n++] = pid;
	rc = 0;
out:
	pthread_mutex_unlock(&c->mu);
	return rc;
}

size_t
children_reap(struct children *c)
{
	size_t i, left;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n;) {
		/* 1: exited and reaped; -1: not ours any more.  Either way
		 * there is nothing left to wait for. */
		if (child_wait(c->pids[i], 0, NULL) != 0)
			c->pids[i] = c->pids[--c->n];
		else
			i++;
	}
	left = c->n;
	pthread_mutex_unlock(&c->mu);
	return left;
}

/* SIGKILL, a short wait, and the watch list for one that outlives it. */
static void
abandon(struct children *c, pid_t pid)
{
	struct tnfs_err err;

	kill(pid, SIGKILL);
	if (child_wait(pid, KILL_GRACE_MS, NULL) != 0)
		return;
	tnfs_err_clear(&err);
	if (children_watch(c, pid, &err) == 0)
		return;
	/* Out of memory: waiting here is better than a zombie for ever. */
	log_err(TNFS_LOG_WARN, &err, "waiting for it now");
	child_wait(pid, 60000, NULL);
}

int
children_call(struct children *c, int (*fn)(void *arg), void *arg,
    int timeout_ms, int *status, struct tnfs_err *err)
{
	pid_t pid;
	int r;

	if ((pid = fork()) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "fork");
		return -1;
	}
	if (pid == 0)
		_exit(fn(arg) & 0xff);
	r = child_wait(pid, timeout_ms > 0 ? timeout_ms : 0, status);
	if (r == 1)
		return 0;
	if (r == -1) {
		/* Reaped behind our back: never signal a pid that may have
		 * been reused. */
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "waiting for child %ld", (long)pid);
		return -1;
	}
	abandon(c, pid);
	return 1;
}
