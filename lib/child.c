/*
 * child.c: run programs with an argv, a deadline and captured output.
 *
 * Never a shell.  The program path is resolved before fork() so the child
 * only calls async-signal-safe functions (the daemons that use this are
 * multi-threaded).  Each child leads its own process group, so a deadline
 * kills whatever it started too.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "timefmt.h"

extern char **environ;

#define DEFAULT_MAX_OUTPUT (1024 * 1024)

/* argv[0] as a path to execute: as given when it has a '/', else PATH. */
static int
resolve(const char *prog, char *buf, size_t len, struct tnfs_err *err)
{
	const char *path, *p, *colon;
	size_t dlen;

	if (strchr(prog, '/') != NULL) {
		if ((size_t)snprintf(buf, len, "%s", prog) >= len)
			goto toolong;
		return 0;
	}
	if ((path = getenv("PATH")) == NULL || *path == '\0')
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		       "/sbin:/bin";
	for (p = path; *p != '\0'; p = *colon != '\0' ? colon + 1 : colon) {
		if ((colon = strchr(p, ':')) == NULL)
			colon = p + strlen(p);
		dlen = (size_t)(colon - p);
		if (dlen == 0)
			continue;
		if ((size_t)snprintf(buf, len, "%.*s/%s", (int)dlen, p, prog) >=
		    len)
			continue;
		if (access(buf, X_OK) == 0)
			return 0;
	}
	tnfs_err_set(err, TNFS_E_INTERNAL,
	    "cannot run %s: not found in PATH (is its package installed?)",
	    prog);
	return -1;
toolong:
	tnfs_err_set(
	    err, TNFS_E_INTERNAL, "cannot run %.64s: path too long", prog);
	return -1;
}

/* In the child after fork(): only async-signal-safe calls from here. */
static void __attribute__((noreturn))
exec_child(const char *path, const char *const argv[], const char *const *envp,
    int in_fd, int out_fd, int err_fd, int report_fd)
{
	char *const *av, *const *ev;
	sigset_t none;
	int e;

	/* execve's prototype predates const; it does not modify them. */
	memcpy(&av, &argv, sizeof(av));
	if (envp != NULL)
		memcpy(&ev, &envp, sizeof(ev));
	else
		ev = environ;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) == -1 || dup2(out_fd, 1) == -1 ||
	    dup2(err_fd, 2) == -1)
		goto fail;
	/* The exec report pipe moves to fd 3 (close-on-exec, so the parent
	 * sees EOF on success); everything else is closed here. */
	if (report_fd != 3 && dup3(report_fd, 3, O_CLOEXEC) == -1)
		goto fail;
	closefrom(4);
	execve(path, av, ev);
	e = errno;
	(void)!write(3, &e, sizeof(e));
	_exit(127);
fail:
	e = errno;
	(void)!write(report_fd, &e, sizeof(e));
	_exit(127);
}

static int
append(char **buf, size_t *len, size_t *cap, size_t max, const char *data,
    size_t n)
{
	char *nb;
	size_t want;

	if (*len >= max)
		return 0;
	if (n > max - *len)
		n = max - *len;
	if (*len + n + 1 > *cap) {
		want = *cap == 0 ? 4096 : *cap;
		while (want < *len + n + 1)
			want *= 2;
		if ((nb = realloc(*buf, want)) == NULL)
			return -1;
		*buf = nb;
		*cap = want;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Last non-empty line of text, for error messages. */
static void
last_line(const char *text, char *out, size_t outlen)
{
	const char *end, *start;

	out[0] = '\0';
	if (text == NULL)
		return;
	end = text + strlen(text);
	while (end > text &&
	    (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(out, outlen, "%.*s", (int)(end - start), start);
}

/* One child_run under way: its pipes (-1 once closed) and its state. */
struct run {
	int in[2], out[2], errp[2], report[2];
	pid_t pid;
	int64_t deadline;
	size_t out_cap, err_cap, max, in_off;
	int killed;
};

static void
run_kill(struct run *u)
{
	kill(-u->pid, SIGKILL);
	u->killed = 1;
}

static void
run_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Feed stdin once poll says it can take more; close it when all is in. */
static void
run_feed(struct run *u, const struct child_opts *opts)
{
	ssize_t n;

	n = write(u->in[1], opts->stdin_data + u->in_off,
	    opts->stdin_len - u->in_off);
	if (n > 0)
		u->in_off += (size_t)n;
	if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
	    u->in_off == opts->stdin_len)
		run_close(&u->in[1]);
}

/* Read what fd (stdout or stderr) has into r; close it at its end. */
static void
run_drain(struct run *u, int fd, struct child_result *r)
{
	char buf[8192];
	ssize_t n;
	int full;

	n = read(fd, buf, sizeof(buf));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		run_close(fd == u->out[0] ? &u->out[0] : &u->errp[0]);
		return;
	}
	full = fd == u->out[0] ? append(&r->out, &r->out_len, &u->out_cap,
				     u->max, buf, (size_t)n)
			       : append(&r->errout, &r->errout_len,
				     &u->err_cap, u->max, buf, (size_t)n);
	if (full)
		run_kill(u);
}

/* Feed stdin and collect stdout and stderr until all close or time is up. */
static void
run_io(struct run *u, const struct child_opts *opts, struct child_result *r)
{
	while (u->out[0] != -1 || u->errp[0] != -1 || u->in[1] != -1) {
		struct pollfd pfd[3];
		int np = 0, i;
		int64_t now = tnfs_mono_ms();

		if (now >= u->deadline) {
			run_kill(u);
			return;
		}
		if (u->out[0] != -1)
			pfd[np++] = (struct pollfd){u->out[0], POLLIN, 0};
		if (u->errp[0] != -1)
			pfd[np++] = (struct pollfd){u->errp[0], POLLIN, 0};
		if (u->in[1] != -1)
			pfd[np++] = (struct pollfd){u->in[1], POLLOUT, 0};
		if (poll(pfd, (nfds_t)np, (int)(u->deadline - now)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (i = 0; i < np; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == u->in[1])
				run_feed(u, opts);
			else
				run_drain(u, pfd[i].fd, r);
		}
	}
}

/*
 * Reap the child, still bounded by the deadline (the pipes may close
 * before it exits).  0, or the errno that kept its status unknown.
 */
static int
run_reap(struct run *u, int *status)
{
	for (;;) {
		pid_t w = waitpid(u->pid, status, u->killed ? 0 : WNOHANG);

		if (w == u->pid)
			break;
		if (w == -1 && errno != EINTR) {
			/*
			 * ECHILD (SIGCHLD ignored, or someone else reaped it):
			 * the exit status is unknown, so this is no success.
			 */
			u->pid = -1;
			return errno;
		}
		if (w == 0) {
			if (tnfs_mono_ms() >= u->deadline) {
				run_kill(u);
				continue;
			}
			usleep(2000);
		}
	}
	u->pid = -1;
	return 0;
}

/* The child's end in r, and in err unless it ran and exited 0. */
static int
run_verdict(const char *prog, const struct child_opts *opts,
    const struct run *u, int status, int exec_errno, int wait_errno,
    struct child_result *r, struct tnfs_err *err)
{
	char line[512];
	const char *sep;

	if (wait_errno != 0) {
		r->exit_status = -1;
	} else if (WIFEXITED(status)) {
		r->exit_status = WEXITSTATUS(status);
	} else {
		r->exit_status = -1;
		r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	r->timed_out = u->killed;
	if ((r->out == NULL && (r->out = calloc(1, 1)) == NULL) ||
	    (r->errout == NULL && (r->errout = calloc(1, 1)) == NULL)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	last_line(r->errout, line, sizeof(line));
	sep = line[0] != '\0' ? ": " : "";
	if (exec_errno != 0)
		tnfs_err_errno(
		    err, TNFS_E_INTERNAL, exec_errno, "cannot run %s", prog);
	else if (wait_errno != 0)
		tnfs_err_errno(err, TNFS_E_INTERNAL, wait_errno,
		    "%s: cannot learn its exit status (waitpid)", prog);
	else if (u->killed)
		tnfs_err_set(err, TNFS_E_TIMEOUT,
		    "%s did not finish within %d ms%s%s", prog,
		    opts->timeout_ms, sep, line);
	else if (r->exit_status == -1)
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "%s was killed by signal %d%s%s", prog, r->term_signal,
		    sep, line);
	else if (r->exit_status != 0)
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "%s exited with status %d%s%s", prog, r->exit_status, sep,
		    line);
	else
		return 0;
	return -1;
}

int
child_run(const char *const argv[], const struct child_opts *opts,
    struct child_result *res, struct tnfs_err *err)
{
	struct child_result local = {0};
	struct child_result *r = res != NULL ? res : &local;
	struct run u = {.in = {-1, -1}, .out = {-1, -1}, .errp = {-1, -1},
	    .report = {-1, -1}, .pid = -1};
	char path[PATH_MAX];
	int status = 0, rc = -1, exec_errno = 0, wait_errno;

	memset(r, 0, sizeof(*r));
	if (argv == NULL || argv[0] == NULL || opts == NULL ||
	    opts->timeout_ms <= 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "child_run: argv and a positive timeout are required");
		return -1;
	}
	u.max = opts->max_output != 0 ? opts->max_output : DEFAULT_MAX_OUTPUT;
	if (resolve(argv[0], path, sizeof(path), err) == -1)
		return -1;
	if (pipe2(u.in, O_CLOEXEC) == -1 || pipe2(u.out, O_CLOEXEC) == -1 ||
	    pipe2(u.errp, O_CLOEXEC) == -1 ||
	    pipe2(u.report, O_CLOEXEC) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot run %s: pipe", argv[0]);
		goto out;
	}
	u.deadline = tnfs_mono_ms() + opts->timeout_ms;
	if ((u.pid = fork()) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot run %s: fork", argv[0]);
		goto out;
	}
	if (u.pid == 0)
		exec_child(path, argv, opts->envp, u.in[0], u.out[1], u.errp[1],
		    u.report[1]);
	/* Also set here so a kill right after fork() reaches the group. */
	setpgid(u.pid, u.pid);
	run_close(&u.in[0]);
	run_close(&u.out[1]);
	run_close(&u.errp[1]);
	run_close(&u.report[1]);
	if (opts->stdin_data == NULL || opts->stdin_len == 0)
		run_close(&u.in[1]);
	else
		fcntl(u.in[1], F_SETFL, O_NONBLOCK);
	run_io(&u, opts, r);
	wait_errno = run_reap(&u, &status);
	if (read(u.report[0], &exec_errno, sizeof(exec_errno)) !=
	    (ssize_t)sizeof(exec_errno))
		exec_errno = 0;
	rc = run_verdict(
	    argv[0], opts, &u, status, exec_errno, wait_errno, r, err);
out:
	if (u.pid > 0) {
		kill(-u.pid, SIGKILL);
		while (waitpid(u.pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		run_close(&u.in[i]);
		run_close(&u.out[i]);
		run_close(&u.errp[i]);
		run_close(&u.report[i]);
	}
	if (res == NULL)
		child_result_free(&local);
	return rc;
}

void
child_result_free(struct child_result *res)
{
	if (res == NULL)
		return;
	free(res->out);
	free(res->errout);
	res->out = res->errout = NULL;
	res->out_len = res->errout_len = 0;
}

pid_t
child_spawn(
    const char *const argv[], const char *log_path, struct tnfs_err *err)
{
	char path[PATH_MAX];
	int in = -1, logfd = -1, report[2] = {-1, -1}, exec_errno = 0;
	pid_t pid = -1, rc = -1;

	if (argv == NULL || argv[0] == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "child_spawn: empty argv");
		return -1;
	}
	if (resolve(argv[0], path, sizeof(path), err) == -1)
		return -1;
	if ((in = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "open /dev/null");
		goto out;
	}
	logfd = open(log_path != NULL ? log_path : "/dev/null",
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (logfd == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot open log file %s for %s", log_path, argv[0]);
		goto out;
	}
	if (pipe2(report, O_CLOEXEC) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno, "pipe");
		goto out;
	}
	if ((pid = fork()) == -1) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot start %s: fork", argv[0]);
		goto out;
	}
	if (pid == 0)
		exec_child(path, argv, NULL, in, logfd, logfd, report[1]);
	setpgid(pid, pid);
	close(report[1]);
	report[1] = -1;
	/* EOF without data means the exec succeeded (CLOEXEC closed it). */
	if (read(report[0], &exec_errno, sizeof(exec_errno)) ==
	    (ssize_t)sizeof(exec_errno)) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		tnfs_err_errno(err, TNFS_E_INTERNAL, exec_errno,
		    "cannot start %s", argv[0]);
		goto out;
	}
	rc = pid;
out:
	if (in != -1)
		close(in);
	if (logfd != -1)
		close(logfd);
	if (report[0] != -1)
		close(report[0]);
	if (report[1] != -1)
		close(report[1]);
	return rc;
}

int
child_wait(pid_t pid, int timeout_ms, int *status)
{
	int64_t deadline = tnfs_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int st;
	pid_t w;

	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			if (status != NULL)
				*status = st;
			return 1;
		}
		if (w == -1 && errno != EINTR)
			return -1;
		if (tnfs_mono_ms() >= deadline)
			return 0;
		usleep(5000);
	}
}

int
child_stop(pid_t pid, int grace_ms)
{
	int r;

	if (pid <= 0)
		return 0;
	if (kill(pid, SIGTERM) == -1 && errno == ESRCH)
		return child_wait(pid, 0, NULL) == -1 ? 0 : 0;
	if ((r = child_wait(pid, grace_ms, NULL)) != 0)
		return 0;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	r = child_wait(pid, 5000, NULL);
	return r == 0 ? -1 : 0;
}
