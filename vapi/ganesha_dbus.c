/*
 * ganesha_dbus.c: a private bus for one ganesha, and the three export
 * manager calls the exporter makes on it (see ganesha_dbus.h).
 *
 * Files in the state directory: ganesha-bus.conf (the bus's policy: only
 * org.ganesha.nfsd may be owned, and the directory's 0700 keeps every
 * other user off the socket), ganesha-bus (the socket), ganesha-bus.out,
 * ganesha-bus.pid (the daemon's pid: a VAPI killed with -9 leaves its bus
 * running, and whoever starts the bus next stops that one first).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <dbus/dbus.h>

#include "child.h"
#include "fsutil.h"
#include "ganesha_dbus.h"
#include "log.h"
#include "timefmt.h"

#define BUS_START_TIMEOUT_MS 10000
#define CALL_TIMEOUT_MS      10000
#define STOP_GRACE_MS        2000

#define GANESHA_NAME  "org.ganesha.nfsd"
#define EXPORTMGR     "/org/ganesha/nfsd/ExportMgr"
#define EXPORTMGR_IFC "org.ganesha.nfsd.exportmgr"

struct gbus {
	char conf[4096], sock[4096], out[4096], pidfile[4096];
	char env[4200]; /* DBUS_SYSTEM_BUS_ADDRESS=unix:path=<sock> */
	pid_t pid;      /* our dbus-daemon, 0 while not started */
	DBusConnection *conn;
	struct ganesha_gone gone;
};

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;

static void
threads_init(void)
{
	/* libdbus locks only once told to; the VAPI's threads share it. */
	dbus_threads_init_default();
}

struct gbus *
gbus_new(const char *dir, struct tnfs_err *err)
{
	struct gbus *b = calloc(1, sizeof(*b));
	struct sockaddr_un sun;

	if (b == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	if (fsutil_path(b->conf, err, "%s/ganesha-bus.conf", dir) == -1 ||
	    fsutil_path(b->sock, err, "%s/ganesha-bus", dir) == -1 ||
	    fsutil_path(b->out, err, "%s/ganesha-bus.out", dir) == -1 ||
	    fsutil_path(b->pidfile, err, "%s/ganesha-bus.pid", dir) == -1)
		goto fail;
	if (strlen(b->sock) >= sizeof(sun.sun_path)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the state directory's path is too long for the ganesha "
		    "bus socket (%zu bytes at most): %s",
		    sizeof(sun.sun_path) - sizeof("/ganesha-bus"), dir);
		goto fail;
	}
	snprintf(b->env, sizeof(b->env),
	    "DBUS_SYSTEM_BUS_ADDRESS=unix:path=%s", b->sock);
	pthread_once(&threads_once, threads_init);
	return b;
fail:
	free(b);
	return NULL;
}

static void
disconnect(struct gbus *b)
{
	if (b->conn != NULL) {
		dbus_connection_close(b->conn);
		dbus_connection_unref(b->conn);
		b->conn = NULL;
	}
}

void
gbus_stop(struct gbus *b)
{
	if (b == NULL)
		return;
	disconnect(b);
	if (b->pid > 0) {
		child_stop(b->pid, STOP_GRACE_MS);
		unlink(b->pidfile);
	}
	b->pid = 0;
}

void
gbus_set_gone(struct gbus *b, const struct ganesha_gone *gone)
{
	b->gone.fn = gone != NULL ? gone->fn : NULL;
	b->gone.cls = gone != NULL ? gone->cls : NULL;
}

void
gbus_free(struct gbus *b)
{
	gbus_stop(b);
	free(b);
}

static uint64_t now_ms(void);

/*
 * Whether pid is gone: no such process, or a zombie with no thread left
 * (a parent that is not us has yet to reap it).  ganesha's main thread
 * ends before its others finish shutting down (and remove the pidfile):
 * an empty cmdline or a zombie leader alone does not mean gone.
 */
static int
gone(pid_t pid)
{
	char path[64], *st = NULL, *z, *t;
	size_t len;
	int dead;

	if (kill(pid, 0) == -1)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (fsutil_read_file(path, 64 * 1024, &st, &len, NULL) == -1)
		return 1;
	z = strstr(st, "\nState:\tZ");
	t = strstr(st, "\nThreads:\t");
	dead = z != NULL && (t == NULL || strtol(t + 10, NULL, 10) <= 1);
	free(st);
	return dead;
}

int
ganesha_stop_stale(
    const char *pidfile, const char *prog, const char *arg, int grace_ms)
{
	char *text = NULL, *cmd = NULL, proc[64];
	size_t len, i, pl = strlen(prog), al;
	int has_prog = 0, has_arg = 0, rc = 0, sig;
	uint64_t end;
	long pid;

	if (fsutil_read_file(pidfile, 64, &text, &len, NULL) == -1)
		return 0;
	pid = strtol(text, NULL, 10);
	free(text);
	text = NULL;
	if (pid <= 1 || pid > INT32_MAX || pid == (long)getpid())
		goto out;
	snprintf(proc, sizeof(proc), "/proc/%ld/cmdline", pid);
	if (fsutil_read_file(proc, 64 * 1024, &cmd, &len, NULL) == -1)
		goto out;
	for (i = 0; i < len; i += strlen(cmd + i) + 1) {
		al = strlen(cmd + i);
		if (al >= pl && strcmp(cmd + i + al - pl, prog) == 0)
			has_prog = 1;
		if (strcmp(cmd + i, arg) == 0)
			has_arg = 1;
	}
	if (!has_prog || !has_arg)
		goto out;
	log_warn(
	    "stopping %s pid %ld left by an earlier or dead VAPI", prog, pid);
	for (sig = SIGTERM;; sig = SIGKILL) {
		kill((pid_t)pid, sig);
		for (end = now_ms() + (uint64_t)grace_ms; now_ms() < end;) {
			if (gone((pid_t)pid)) {
				rc = 1;
				goto out;
			}
			poll(NULL, 0, 50);
		}
		if (sig == SIGKILL)
			break;
	}
out:
	free(text);
	free(cmd);
	return rc;
}

const char *
gbus_env(const struct gbus *b)
{
	return b->env;
}

static int
socket_accepts(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	int fd, ok;

	if (len >= sizeof(sun.sun_path))
		return 0; /* gbus_new refused such paths */
	memcpy(sun.sun_path, path, len + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

static uint64_t
now_ms(void)
{
	return (uint64_t)tnfs_mono_ms();
}

int
gbus_start(struct gbus *b, struct tnfs_err *err)
{
	char conf[4096 + 1024], pidtext[32];
	const char *argv[] = {"dbus-daemon", "--nofork", "--nopidfile",
	    "--nosyslog", "--config-file", b->conf, NULL};
	uint64_t end;
	int n;

	if (b->pid > 0 && child_wait(b->pid, 0, NULL) == 0)
		return 0; /* still running */
	b->pid = 0;
	disconnect(b);
	ganesha_stop_stale(b->pidfile, "dbus-daemon", b->conf, STOP_GRACE_MS);
	n = snprintf(conf, sizeof(conf),
	    "<!DOCTYPE busconfig PUBLIC "
	    "\"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/"
	    "busconfig.dtd\">\n"
	    "<!-- tritonnfs-vapi: the private bus of one nfs-ganesha -->\n"
	    "<busconfig>\n"
	    "  <type>system</type>\n"
	    "  <listen>unix:path=%s</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    "  <policy context=\"default\">\n"
	    "    <allow user=\"root\"/>\n"
	    "    <deny own=\"*\"/>\n"
	    "    <allow own=\"" GANESHA_NAME "\"/>\n"
	    "    <deny send_type=\"method_call\"/>\n"
	    "    <allow send_destination=\"org.freedesktop.DBus\"/>\n"
	    "    <allow send_destination=\"" GANESHA_NAME "\"/>\n"
	    "    <allow send_type=\"signal\"/>\n"
	    "    <allow send_requested_reply=\"true\" "
	    "send_type=\"method_return\"/>\n"
	    "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
	    "    <allow receive_type=\"method_call\"/>\n"
	    "    <allow receive_type=\"method_return\"/>\n"
	    "    <allow receive_type=\"error\"/>\n"
	    "    <allow receive_type=\"signal\"/>\n"
	    "  </policy>\n"
	    "</busconfig>\n",
	    b->sock);
	if (n < 0 || (size_t)n >= sizeof(conf)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "bus configuration too long");
		return -1;
	}
	if (fsutil_write_atomic(b->conf, conf, (size_t)n, 0600, err) == -1)
		return -1;
	if (unlink(b->sock) == -1 && errno != ENOENT) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "cannot remove the old bus socket %s", b->sock);
		return -1;
	}
	if ((b->pid = child_spawn(argv, b->out, err)) == -1) {
		b->pid = 0;
		return -1;
	}
	snprintf(pidtext, sizeof(pidtext), "%d\n", (int)b->pid);
	if (fsutil_write_atomic(
		b->pidfile, pidtext, strlen(pidtext), 0600, err) == -1) {
		child_stop(b->pid, STOP_GRACE_MS);
		b->pid = 0;
		return -1;
	}
	for (end = now_ms() + BUS_START_TIMEOUT_MS; now_ms() < end;) {
		if (socket_accepts(b->sock))
			return 0;
		if (child_wait(b->pid, 0, NULL) == 1) {
			b->pid = 0;
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "dbus-daemon exited at start; see %s", b->out);
			return -1;
		}
		poll(NULL, 0, 20);
	}
	child_stop(b->pid, STOP_GRACE_MS);
	b->pid = 0;
	tnfs_err_set(err, TNFS_E_TIMEOUT,
	    "dbus-daemon did not open %s within %d s; see %s", b->sock,
	    BUS_START_TIMEOUT_MS / 1000, b->out);
	return -1;
}

static int
connect_bus(struct gbus *b, struct tnfs_err *err)
{
	DBusError derr;

	if (b->conn != NULL && dbus_connection_get_is_connected(b->conn))
		return 0;
	disconnect(b);
	dbus_error_init(&derr);
	b->conn = dbus_connection_open_private(b->env + strlen(
	    "DBUS_SYSTEM_BUS_ADDRESS="), &derr);
	if (b->conn != NULL) {
		dbus_connection_set_exit_on_disconnect(b->conn, FALSE);
		if (dbus_bus_register(b->conn, &derr))
			return 0;
	}
	tnfs_err_set(err, TNFS_E_UNAVAILABLE,
	    "cannot reach ganesha's bus %s: %s", b->sock,
	    dbus_error_is_set(&derr) ? derr.message : "out of memory");
	dbus_error_free(&derr);
	disconnect(b);
	return -1;
}

/*
 * The reply to pc, waited for in steps so that the caller's gone test
 * can end the wait (libdbus's own blocking call cannot be cut short).
 * libdbus turns its deadline into a NoReply error reply; ours is a
 * second guard.  NULL and err when the wait ends without a reply.
 */
static DBusMessage *
await_reply(struct gbus *b, DBusPendingCall *pc, struct tnfs_err *err)
{
	uint64_t end = now_ms() + CALL_TIMEOUT_MS + 1000;
	DBusMessage *r = NULL;

	while (!dbus_pending_call_get_completed(pc)) {
		if (b->gone.fn != NULL && b->gone.fn(b->gone.cls)) {
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "ganesha's export manager: gave up waiting, "
			    "ganesha no longer answers its NFS calls");
			goto out;
		}
		if (now_ms() >= end) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "ganesha's export manager: no reply within %d s",
			    CALL_TIMEOUT_MS / 1000);
			goto out;
		}
		if (!dbus_connection_read_write_dispatch(
			b->conn, GANESHA_WAIT_STEP_MS)) {
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "ganesha's export manager: the bus closed the "
			    "connection");
			goto out;
		}
	}
	if ((r = dbus_pending_call_steal_reply(pc)) == NULL)
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "ganesha's export manager: no reply");
out:
	if (r == NULL)
		dbus_pending_call_cancel(pc);
	dbus_pending_call_unref(pc);
	return r;
}

/*
 * One method call with a deadline; ganesha's reply text (when it sends
 * one) in reply.  -1 with its error's name and words when it refuses.
 */
static int
call(struct gbus *b, DBusMessage *m, char *reply, size_t len,
    struct tnfs_err *err)
{
	DBusPendingCall *pc = NULL;
	DBusMessage *r;
	DBusMessageIter it;
	DBusError derr;
	const char *text;

	reply[0] = '\0';
	if (connect_bus(b, err) == -1)
		return -1;
	if (!dbus_connection_send_with_reply(
		b->conn, m, &pc, CALL_TIMEOUT_MS) ||
	    pc == NULL) {
		/* NULL pc: the connection is closed. */
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "ganesha's export manager: cannot send (%s)",
		    pc == NULL ? "the bus is gone" : "out of memory");
		disconnect(b);
		return -1;
	}
	if ((r = await_reply(b, pc, err)) == NULL) {
		if (!dbus_connection_get_is_connected(b->conn))
			disconnect(b);
		return -1;
	}
	dbus_error_init(&derr);
	if (dbus_set_error_from_message(&derr, r)) {
		tnfs_err_set(err,
		    dbus_error_has_name(&derr, DBUS_ERROR_NO_REPLY)
			? TNFS_E_TIMEOUT
			: TNFS_E_UNAVAILABLE,
		    "ganesha's export manager: %s (%s)",
		    derr.message != NULL ? derr.message : "no reply",
		    derr.name != NULL ? derr.name : "");
		dbus_error_free(&derr);
		dbus_message_unref(r);
		return -1;
	}
	if (dbus_message_iter_init(r, &it) &&
	    dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_STRING) {
		dbus_message_iter_get_basic(&it, &text);
		snprintf(reply, len, "%s", text);
	}
	dbus_message_unref(r);
	return 0;
}

static int
add_or_update(struct gbus *b, const char *method, const char *file,
    unsigned id, struct tnfs_err *err)
{
	char expr[64], reply[256];
	const char *pf = file, *pe = expr;
	DBusMessage *m;
	int rc;

	snprintf(expr, sizeof(expr), "EXPORT(Export_Id=%u)", id);
	m = dbus_message_new_method_call(
	    GANESHA_NAME, EXPORTMGR, EXPORTMGR_IFC, method);
	if (m == NULL || !dbus_message_append_args(m, DBUS_TYPE_STRING, &pf,
			     DBUS_TYPE_STRING, &pe, DBUS_TYPE_INVALID)) {
		if (m != NULL)
			dbus_message_unref(m);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	rc = call(b, m, reply, sizeof(reply), err);
	dbus_message_unref(m);
	/* "1 exports added" / "1 exports updated": anything else took none. */
	if (rc == 0 && strncmp(reply, "1 ", 2) != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "ganesha's %s of export %u: %s", method, id,
		    reply[0] ? reply : "no answer");
		rc = -1;
	}
	return rc;
}

int
gbus_add_export(
    struct gbus *b, const char *file, unsigned id, struct tnfs_err *err)
{
	return add_or_update(b, "AddExport", file, id, err);
}

int
gbus_update_export(
    struct gbus *b, const char *file, unsigned id, struct tnfs_err *err)
{
	return add_or_update(b, "UpdateExport", file, id, err);
}

int
gbus_remove_export(struct gbus *b, unsigned id, struct tnfs_err *err)
{
	char reply[256];
	dbus_uint16_t id16 = (dbus_uint16_t)id;
	DBusMessage *m;
	int rc;

	if (id > 0xFFFF) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "export id %u does not fit ganesha's RemoveExport", id);
		return -1;
	}
	m = dbus_message_new_method_call(
	    GANESHA_NAME, EXPORTMGR, EXPORTMGR_IFC, "RemoveExport");
	if (m == NULL || !dbus_message_append_args(m, DBUS_TYPE_UINT16, &id16,
			     DBUS_TYPE_INVALID)) {
		if (m != NULL)
			dbus_message_unref(m);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	rc = call(b, m, reply, sizeof(reply), err);
	dbus_message_unref(m);
	return rc;
}
