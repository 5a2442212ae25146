/*
 * children.h: the plugin's own child processes, each reaped exactly once.
 *
 * Two kinds: a system call run in a forked child so that it can be given
 * up on (a mount(2) or umount2(2) against a dead NFS server sleeps in the
 * kernel for minutes), and long-running programs started elsewhere (the
 * tritonnfs-fuse servers) that exit on their own some day.  A child that
 * cannot be reaped at once, because it is still running or because a
 * SIGKILL has not taken effect yet, is watched until children_reap finds
 * it gone, so no zombie is left behind; the watch list grows as needed.
 * Waiting always goes through lib/child.h's child_wait, with a deadline.
 */
#ifndef TNFS_PLUGIN_CHILDREN_H
#define TNFS_PLUGIN_CHILDREN_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct children;

struct children *children_new(struct tnfs_err *err);

/* Forget the watch list (the children are not waited for). */
void children_free(struct children *c);

/* Watch pid until it exits.  -1 only when out of memory. */
int children_watch(struct children *c, pid_t pid, struct tnfs_err *err);

/* Reap every watched child that has exited; never blocks.  Returns how
 * many are still watched.  Thread-safe. */
size_t children_reap(struct children *c);

/*
 * Run fn(arg) in a forked child, whose exit status is fn's return value
 * (0-255), within timeout_ms.  fn runs after a fork of a threaded
 * process: it may only make async-signal-safe calls, so everything it
 * needs must be prepared before.  0 when the child exited (its wait
 * status in *status), 1 when the deadline passed (the child is killed,
 * and reaped now or later by children_reap), -1 when fork failed.
 */
int children_call(struct children *c, int (*fn)(void *arg), void *arg,
    int timeout_ms, int *status, struct tnfs_err *err);

#endif
