/*
 * child.h: run other programs safely: an argv (never a shell), a deadline
 * after which the child gets SIGKILL, and its output captured so the error
 * message can say what the program said.
 */
#ifndef TNFS_CHILD_H
#define TNFS_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct child_opts {
	int timeout_ms;         /* > 0; SIGKILL to the group when it passes */
	const char *stdin_data; /* NULL: stdin is /dev/null */
	size_t stdin_len;
	size_t max_output;       /* cap per stream; 0 means 1 MiB */
	const char *const *envp; /* NULL: inherit the environment */
};

struct child_result {
	int exit_status; /* exit code, or -1 when killed by a signal or
			    when waitpid failed (status unknown) */
	int term_signal; /* signal that ended it, or 0 */
	int timed_out;   /* 1 when the deadline killed it */
	char *out;       /* NUL-terminated stdout (may be truncated) */
	size_t out_len;
	char *errout; /* NUL-terminated stderr (may be truncated) */
	size_t errout_len;
};

/*
 * Run argv[0] (looked up in PATH when it has no '/') and wait for it.
 * 0 when it exited with status 0.  -1 otherwise, with err saying why:
 * "<prog> exited with status N: <last stderr line>", "... killed by signal",
 * "... did not finish within N ms", "... cannot learn its exit status"
 * (waitpid failed, e.g. SIGCHLD ignored), or the exec failure.  res, when not
 * NULL, is filled in every case that ran the program; free it with
 * child_result_free.
 */
int child_run(const char *const argv[], const struct child_opts *opts,
    struct child_result *res, struct tnfs_err *err);

/* Free the buffers of res (not res itself); safe on a zeroed struct. */
void child_result_free(struct child_result *res);

/*
 * Start a long-running program in its own process group, stdin from
 * /dev/null and stdout/stderr appended to log_path (or /dev/null when
 * NULL).  Returns its pid, or -1 and err.
 */
pid_t child_spawn(
    const char *const argv[], const char *log_path, struct tnfs_err *err);

/*
 * Wait up to timeout_ms for pid to exit.  1 when it exited (status in
 * *status when not NULL), 0 when still running, -1 on error (not our child).
 */
int child_wait(pid_t pid, int timeout_ms, int *status);

/*
 * SIGTERM to pid, wait up to grace_ms, then SIGKILL and reap.  0 once it is
 * gone.
 */
int child_stop(pid_t pid, int grace_ms);

#endif
