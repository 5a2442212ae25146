/*
 * ganesha_reread.h: ganesha's exports file re-read by SIGHUP.
 */
#ifndef TNFS_VAPI_GANESHA_REREAD_H
#define TNFS_VAPI_GANESHA_REREAD_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "ganesha_dbus.h"

/*
 * How long a re-read of nexports exports may take.  ganesha 4.3 loads an
 * export in time that grows with the exports already loaded: on a 2-CPU
 * machine 2.5 s for 2,500, 13 s for 5,000 and 68 s for 10,000, at start
 * and at a re-read alike.  30 s, plus 1 s per (thousand exports)^2:
 * about twice what was measured, so that a slow re-read is waited for
 * instead of failed and sent again (which queues another whole re-read).
 */
int ganesha_reread_deadline_ms(size_t nexports);

/*
 * SIGHUP to ganesha pid, then wait for its log (log) to say the re-read
 * is complete.  -1 with its first complaint when it logged one, or when
 * it did not finish within timeout_ms, or at once when gone (may be NULL)
 * says it no longer answers.
 */
int ganesha_reread(pid_t pid, const char *log, int timeout_ms,
    const struct ganesha_gone *gone, struct tnfs_err *err);

#endif
