/*
 * ganesha_dbus.h: one ganesha's export manager, reached over a private
 * D-Bus.  ganesha registers org.ganesha.nfsd on the "system" bus that
 * DBUS_SYSTEM_BUS_ADDRESS names; we run that bus ourselves (a
 * dbus-daemon on a socket in the state directory, root only), so nothing
 * host-global is touched and several ganeshas never meet.
 *
 * Every call has a deadline and fails with a clear error when the bus or
 * ganesha does not answer; the caller falls back to a full re-read.
 */
#ifndef TNFS_VAPI_GANESHA_DBUS_H
#define TNFS_VAPI_GANESHA_DBUS_H

#include <sys/types.h>

#include "err.h"

struct gbus;

/*
 * The caller's test of whether a ganesha stopped answering (a head whose
 * NULL calls go unanswered): while a call or a re-read waits, fn(cls) is
 * asked every GANESHA_WAIT_STEP_MS or so, and a true answer ends the wait
 * at once with an error.  A ganesha that hangs (stopped, or stuck) would
 * otherwise hold its sync for each call's whole deadline.  fn NULL: wait
 * out the deadlines.
 */
struct ganesha_gone {
	int (*fn)(void *cls);
	void *cls;
};
#define GANESHA_WAIT_STEP_MS 100

/* Give up waiting on b when gone says so (see above); NULL: never. */
void gbus_set_gone(struct gbus *b, const struct ganesha_gone *gone);

/* The bus of the ganesha whose state lives in dir (nothing started). */
struct gbus *gbus_new(const char *dir, struct tnfs_err *err);
/* Stop our dbus-daemon (by pid) and free. */
void gbus_free(struct gbus *b);
/* Stop our dbus-daemon (by pid); gbus_start may start it again. */
void gbus_stop(struct gbus *b);

/*
 * Start the dbus-daemon (again, when it died) and wait until its socket
 * accepts.  0, or -1 and err.
 */
int gbus_start(struct gbus *b, struct tnfs_err *err);
/* "DBUS_SYSTEM_BUS_ADDRESS=unix:path=...", for ganesha's environment. */
const char *gbus_env(const struct gbus *b);

/*
 * The export manager's calls.  add and update take the EXPORT block with
 * Export_Id id from file; remove drops export id.  0 once ganesha says it
 * did it, else -1 and err (with ganesha's own words when it refused).
 */
int gbus_add_export(
    struct gbus *b, const char *file, unsigned id, struct tnfs_err *err);
int gbus_update_export(
    struct gbus *b, const char *file, unsigned id, struct tnfs_err *err);
int gbus_remove_export(struct gbus *b, unsigned id, struct tnfs_err *err);

/*
 * Stop (TERM, then KILL after grace_ms) the process whose pid pidfile
 * holds, only when it is alive and its command line has an argument
 * prog ends with and an argument equal to arg: a dead VAPI's ganesha
 * or bus, never a process that reused the pid.  The pidfile of a
 * killed process may name anything by now.  1 when it stopped one.
 */
int ganesha_stop_stale(
    const char *pidfile, const char *prog, const char *arg, int grace_ms);

#endif
