/*
 * ganesha_reread.h: ganesha's exports file re-read by SIGHUP.
 */
#ifndef TNFS_VAPI_GANESHA_REREAD_H
#define TNFS_VAPI_GANESHA_REREAD_H

#include <sys/types.h>

#include "err.h"
#include "ganesha_dbus.h"

/*
 * SIGHUP to ganesha pid, then wait for its log (log) to say the re-read
 * is complete.  -1 with its first complaint when it logged one, or when
 * it did not finish within 30 s, or at once when gone (may be NULL) says
 * it no longer answers.
 */
int ganesha_reread(pid_t pid, const char *log,
    const struct ganesha_gone *gone, struct tnfs_err *err);

#endif
