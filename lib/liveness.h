/*
 * liveness.h: a daemon tells its service manager that it answers, and
 * keeps telling it while it does.  READY=1 is sent only once a request to
 * the daemon's own listener gets the expected reply; WATCHDOG=1 only when a
 * fresh request, made from the main loop, gets any HTTP reply.  A main
 * loop that hangs, or a server whose I/O threads do, stops the pings and
 * the manager restarts the service (WatchdogSec= in its unit).
 *
 * Without $NOTIFY_SOCKET nothing is sent; without a watchdog for this
 * process the main loop waits as before (liveness_wait_ms is -1).
 */
#ifndef TNFS_LIVENESS_H
#define TNFS_LIVENESS_H

#include <signal.h>

#include "err.h"

struct liveness;

struct liveness_probe {
	const char *listen;    /* "unix:PATH" or "tcp:HOST:PORT" */
	const char *method;    /* "GET" */
	const char *path;      /* "/ping" */
	unsigned ready_status; /* the status READY waits for; 0: any */
	int tls;               /* the listener speaks TLS: a handshake reply
				 counts as an answer */
};

/*
 * One exchange with the listener within timeout_ms: the HTTP status (for
 * tls, 200 when a TLS record came back), or -1 and err.
 */
int liveness_probe_once(
    const struct liveness_probe *p, int timeout_ms, struct tnfs_err *err);

/* The strings are copied.  NULL when out of memory. */
struct liveness *liveness_new(const struct liveness_probe *p);
void liveness_free(struct liveness *lv);

/*
 * Probe until the listener gives ready_status, for at most deadline_ms,
 * then send READY=1 with STATUS=status.  -1 and err when it never does
 * (the caller stops: a daemon that cannot answer itself is not ready).
 * Without $NOTIFY_SOCKET it returns 0 at once: nobody waits for READY.
 */
int liveness_ready(struct liveness *lv, int deadline_ms, const char *status,
    struct tnfs_err *err);

/*
 * How long the main loop may wait before calling liveness_tick: half the
 * watchdog interval, or -1 (wait for ever) without a watchdog.
 */
int liveness_wait_ms(const struct liveness *lv);

/*
 * Called by the main loop at least every liveness_wait_ms: when the
 * interval is due, probe, and send WATCHDOG=1 if the listener answered
 * (STATUS= says so when it did not, once per change).
 */
void liveness_tick(struct liveness *lv);

/*
 * Block TERM, INT and HUP in the calling thread (and so in every thread it
 * starts from then on), fill set with them for liveness_wait_signal, and
 * ignore SIGPIPE (a closed connection is an error return, not a signal).
 */
void liveness_block_signals(sigset_t *set);

/*
 * The main loop of a daemon that waits for signals: wait for one of set
 * (blocked in every thread, so only this call takes them) while calling
 * liveness_tick as often as it must, and return it.
 */
int liveness_wait_signal(struct liveness *lv, const sigset_t *set);

/* STOPPING=1 and STATUS=status (the main loop leaves). */
void liveness_stopping(struct liveness *lv, const char *status);

#endif
