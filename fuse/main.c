/*
 * main.c: tritonnfs-fuse, a user-space NFS client for hosts without a
 * kernel NFS client.  It parses the command line (opts.c), mounts the
 * export with libnfs (nfs_conn.c) and serves it through FUSE (nfs_fs.c)
 * until unmounted or told to stop (SIGTERM, SIGINT, SIGHUP: libfuse's
 * handlers end the loop and we unmount).
 *
 * Exit status: 0 done, 1 the FUSE loop failed, 2 bad usage or options,
 * 3 server unreachable or too slow, 4 export missing or refused, 5 the
 * local mount failed.  Errors are one line on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nfsc/libnfs.h>

#include "log.h"
#include "nfs_conn.h"
#include "nfs_fs.h"
#include "nfs_write.h"
#include "opts.h"
#include "version.h"

enum {
	EXIT_LOOP = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_EXPORT = 4,
	EXIT_MOUNT = 5,
};

/*
 * libnfs 4.0's nfs4_set_client_name drops the default name it allocated in
 * nfs_init_context (28 bytes per context, fixed in later releases).  We
 * must set our own name (the default repeats within a second), so tell
 * LeakSanitizer, when built with it, that this one is known.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:nfs4_set_client_name\n";
}

const char *__lsan_default_options(void);

const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* For the SIGALRM watchdog: written before the alarm is armed. */
static char watchdog_msg[1536];

static void
watchdog(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, watchdog_msg, strlen(watchdog_msg));
	(void)n;
	_exit(EXIT_UNREACHABLE);
}

/*
 * Connect with a hard deadline: TCP retries and RPC timeouts bound most
 * waits, the alarm bounds the sum of them.
 */
static struct nfs_pool *
connect_pool(const struct fuse_nfs_opts *o, const char *url, int *status)
{
	struct nfs_pool_cfg cfg;
	struct nfs_pool *pool;
	struct tnfs_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.url = url;
	cfg.nfsvers = o->nfsvers;
	cfg.uid = o->uid;
	cfg.gid = o->gid;
	cfg.timeo = o->timeo;
	cfg.size = o->conns;
	cfg.debug = o->debug;
	tnfs_err_clear(&err);
	snprintf(watchdog_msg, sizeof(watchdog_msg),
	    "tritonnfs-fuse: %s:%s: no answer from the server within %d s\n",
	    o->server, o->export, o->timeo);
	signal(SIGALRM, watchdog);
	alarm((unsigned)o->timeo + 1);
	/*
	 * libnfs says only "nfs_service failed" when it cannot connect: try
	 * the ports it will use first, to name the reason.
	 */
	if (nfs_conn_probe(o->server,
		o->port > 0 ? o->port : (o->nfsvers == 4 ? 2049 : 111),
		o->port > 0 || o->nfsvers == 4 ? "NFS" : "portmapper", o->timeo,
		&err) != 0 ||
	    (o->nfsvers == 3 && o->mountport > 0 &&
		nfs_conn_probe(
		    o->server, o->mountport, "MOUNT", o->timeo, &err) != 0))
		pool = NULL;
	else
		pool = nfs_pool_new(&cfg, &err);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	if (pool == NULL) {
		fprintf(stderr, "tritonnfs-fuse: %s\n", err.msg);
		*status = tnfs_err_is(&err, TNFS_E_NOT_FOUND) ||
			tnfs_err_is(&err, TNFS_E_FORBIDDEN)
		    ? EXIT_EXPORT
		    : EXIT_UNREACHABLE;
	}
	return pool;
}

/* --check: the export root answers GETATTR. */
static int
check_root(const struct fuse_nfs_opts *o, struct nfs_pool *pool)
{
	struct nfs_stat_64 st;
	struct nfs_conn *c;
	int rc;

	if ((c = nfs_pool_acquire(pool, &rc)) != NULL) {
		rc = nfs_stat64(nfs_conn_ctx(c), "/", &st);
		nfs_conn_release(c);
	}
	if (rc != 0) {
		fprintf(stderr,
		    "tritonnfs-fuse: %s:%s: cannot stat the export "
		    "root: %s\n",
		    o->server, o->export, strerror(nfs_conn_errno(rc)));
		return EXIT_EXPORT;
	}
	printf("tritonnfs-fuse: %s:%s: ok (NFSv%d, read %llu, write %llu "
	       "bytes per call)\n",
	    o->server, o->export, o->nfsvers,
	    (unsigned long long)nfs_pool_readmax(pool),
	    (unsigned long long)nfs_write_chunk(
		nfs_pool_writemax(pool), o->nfsvers));
	return 0;
}

/* libfuse's arguments: our fixed options, then the ones passed through. */
static int
fuse_argv(const struct fuse_nfs_opts *o, struct fuse_args *args)
{
	char opts[FUSE_OPTS_PASS_MAX + 1024];
	int n;

	n = snprintf(opts, sizeof(opts),
	    "fsname=%s:%s,subtype=tritonnfs,default_permissions%s%s%s%s",
	    o->server, o->export, o->allow_other ? ",allow_other" : "",
	    o->ro ? ",ro" : "", o->debug ? ",debug" : "",
	    o->fuse_opts[0] != '\0' ? "," : "");
	if (n < 0 || (size_t)n >= sizeof(opts) - strlen(o->fuse_opts))
		return -1;
	memcpy(opts + n, o->fuse_opts, strlen(o->fuse_opts) + 1);
	if (fuse_opt_add_arg(args, "tritonnfs-fuse") != 0 ||
	    fuse_opt_add_arg(args, "-o") != 0 ||
	    fuse_opt_add_arg(args, opts) != 0)
		return -1;
	return 0;
}

static int
serve(const struct fuse_nfs_opts *o, struct nfs_pool *pool)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *loop = NULL;
	struct nfs_fs_cfg fscfg;
	struct fuse *fuse = NULL;
	int status = EXIT_USAGE, mounted = 0, handlers = 0;

	fscfg.pool = pool;
	fscfg.ro = o->ro;
	fscfg.size = o->size;
	fscfg.export = o->export;
	if (fuse_argv(o, &args) != 0) {
		fprintf(stderr, "tritonnfs-fuse: options too long\n");
		goto out;
	}
	fuse = fuse_new(
	    &args, nfs_fs_operations(), sizeof(struct fuse_operations), &fscfg);
	if (fuse == NULL) {
		/* libfuse named the option it rejected. */
		fprintf(stderr, "tritonnfs-fuse: bad FUSE options\n");
		goto out;
	}
	if (fuse_mount(fuse, o->mountpoint) != 0) {
		fprintf(stderr, "tritonnfs-fuse: cannot mount on %s\n",
		    o->mountpoint);
		status = EXIT_MOUNT;
		goto out;
	}
	mounted = 1;
	if (fuse_daemonize(o->foreground) != 0) {
		status = EXIT_MOUNT;
		goto out;
	}
	if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0) {
		status = EXIT_LOOP;
		goto out;
	}
	handlers = 1;
	if ((loop = fuse_loop_cfg_create()) == NULL) {
		status = EXIT_LOOP;
		goto out;
	}
	fuse_loop_cfg_set_idle_threads(loop, 10);
	status = fuse_loop_mt(fuse, loop) == 0 ? 0 : EXIT_LOOP;
out:
	if (handlers)
		fuse_remove_signal_handlers(fuse_get_session(fuse));
	if (mounted)
		fuse_unmount(fuse);
	if (fuse != NULL)
		fuse_destroy(fuse);
	if (loop != NULL)
		fuse_loop_cfg_destroy(loop);
	fuse_opt_free_args(&args);
	return status;
}

int
main(int argc, char **argv)
{
	struct fuse_nfs_opts o;
	struct nfs_pool *pool = NULL;
	struct tnfs_err err;
	struct stat st;
	char url[2048];
	int status = EXIT_USAGE;

	tnfs_err_clear(&err);
	log_init("tritonnfs-fuse");
	if (fuse_opts_parse(argc, argv, &o, &err) != 0) {
		fprintf(stderr, "tritonnfs-fuse: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (o.action == FUSE_OPTS_HELP) {
		fputs(fuse_opts_usage(), stdout);
		return 0;
	}
	if (o.debug)
		log_set_level(TNFS_LOG_DEBUG);
	if (o.action == FUSE_OPTS_VERSION) {
		printf("tritonnfs-fuse %s (libfuse %d)\n", TNFS_VERSION,
		    fuse_version());
		return 0;
	}
	if (o.action == FUSE_OPTS_MOUNT &&
	    (stat(o.mountpoint, &st) != 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "tritonnfs-fuse: mount point %s: %s\n",
		    o.mountpoint,
		    errno != 0 && !S_ISDIR(st.st_mode) ? strerror(errno)
						       : "not a directory");
		return EXIT_MOUNT;
	}
	if (fuse_opts_nfs_url(&o, url, sizeof(url)) != 0) {
		fprintf(stderr, "tritonnfs-fuse: server and export too long\n");
		return EXIT_USAGE;
	}
	/* A server that goes away must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if ((pool = connect_pool(&o, url, &status)) == NULL)
		goto out;
	if (o.action == FUSE_OPTS_CHECK)
		status = check_root(&o, pool);
	else
		status = serve(&o, pool);
out:
	nfs_pool_free(pool);
	return status;
}
