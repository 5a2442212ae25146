/*
 * sdnotify.h: the service manager's notification protocol (sd_notify(3))
 * without libsystemd: one datagram of "KEY=value" lines to the AF_UNIX
 * socket named by $NOTIFY_SOCKET ("/path", or "@name" for an abstract
 * address), and the watchdog interval from $WATCHDOG_USEC/$WATCHDOG_PID.
 * Every call is a no-op returning 0 when the variable is unset, so a
 * daemon run by hand or by a test behaves as before.
 */
#ifndef TNFS_SDNOTIFY_H
#define TNFS_SDNOTIFY_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "err.h"

/* Whether $NOTIFY_SOCKET is set: a service manager listens. */
int sdnotify_enabled(void);

/* The longest message sent; longer ones are refused, not cut. */
#define SDNOTIFY_MSG_MAX 2048

/*
 * Send msg ("READY=1\nSTATUS=serving") to $NOTIFY_SOCKET.  The send has a
 * deadline of deadline_ms: a manager that stopped reading never blocks the
 * daemon's main loop.  0 (also when $NOTIFY_SOCKET is unset), or -1 and err.
 */
int sdnotify_send(const char *msg, int deadline_ms, struct tnfs_err *err);

/* As sdnotify_send with a printf format, cut to SDNOTIFY_MSG_MAX. */
int sdnotify_printf(int deadline_ms, struct tnfs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The address a $NOTIFY_SOCKET value names into *sa and *len: an absolute
 * path, or '@' for the abstract namespace.  -1 and err for an empty,
 * relative or over-long value.
 */
int sdnotify_parse_addr(const char *value, struct sockaddr_un *sa,
    socklen_t *len, struct tnfs_err *err);

/*
 * The watchdog interval in ms from the values of WATCHDOG_USEC and
 * WATCHDOG_PID (either may be NULL) for process self: 0 when there is no
 * watchdog for it (unset, or WATCHDOG_PID names another process), -1 and
 * err for a malformed value.
 */
int64_t sdnotify_parse_watchdog(
    const char *usec, const char *pid, pid_t self, struct tnfs_err *err);

/* The same from the environment; a malformed value counts as none. */
int64_t sdnotify_watchdog_ms(void);

#endif
