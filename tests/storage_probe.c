/*
 * storage_probe.c: drives the storage and exporter backends directly, so
 * the integration suites test btrfs and ganesha without the HTTP server.
 *
 * Reads one command per line on stdin and answers one line on stdout:
 * "ok[ values]" or "err CODE message".  A suite runs it as a coprocess.
 *
 *   open KIND ARG STATE_DIR          storage backend (btrfs, btrfs-image,
 *                                    cephfs)
 *   create UUID MIB | resize UUID MIB | destroy UUID | activate UUID
 *   exists UUID | path UUID | access UUID | usage UUID | list | orphan UUID
 *   snap UUID NAME | snapdel UUID NAME | rollback UUID NAME
 *   close
 *   ex-open STATE_DIR ADDR NFS_PORT MOUNT_PORT ROOT_SQUASH
 *   ex-start | ex-healthy | ex-close
 *   ex-sync [UUID|PATH|PSEUDO|RO|CIDR,CIDR ...]
 *   quit
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "exports_impl.h"
#include "log.h"
#include "parse.h"
#include "storage_impl.h"

#define MAXW 64

struct probe {
	const struct storage_ops *ops;
	void *st;
	void *ex;
};

static void
reply_err(const struct tnfs_err *err)
{
	printf("err %s %s\n", err->code[0] ? err->code : "?", err->msg);
}

static int
num(const char *s, uint64_t *v, struct tnfs_err *err)
{
	return tnfs_parse_u64(s, UINT64_MAX, v, "number", err);
}

static int
storage_cmd(struct probe *p, char **w, int nw, struct tnfs_err *err)
{
	const struct storage_ops *o = p->ops;
	uint64_t v;

	if (strcmp(w[0], "open") == 0 && nw == 4) {
		o = strcmp(w[1], "btrfs") == 0	  ? &storage_btrfs_ops
		    : strcmp(w[1], "cephfs") == 0 ? &storage_cephfs_ops
						  : &storage_btrfs_image_ops;
		if ((p->st = o->open(w[2], w[3], err)) == NULL)
			return -1;
		p->ops = o;
		printf("ok\n");
		return 0;
	}
	if (p->st == NULL) {
		tnfs_err_set(err, TNFS_E_BAD_REQUEST, "no storage open");
		return -1;
	}
	if (strcmp(w[0], "close") == 0) {
		o->close(p->st);
		p->st = NULL;
	} else if (strcmp(w[0], "create") == 0 && nw == 3) {
		if (num(w[2], &v, err) || o->volume_create(p->st, w[1], v, err))
			return -1;
	} else if (strcmp(w[0], "resize") == 0 && nw == 3) {
		if (num(w[2], &v, err) || o->volume_resize(p->st, w[1], v, err))
			return -1;
	} else if (strcmp(w[0], "destroy") == 0 && nw == 2) {
		if (o->volume_destroy(p->st, w[1], err))
			return -1;
	} else if (strcmp(w[0], "activate") == 0 && nw == 2) {
		if (o->volume_activate(p->st, w[1], err))
			return -1;
	} else if (strcmp(w[0], "exists") == 0 && nw == 2) {
		printf("ok %d\n", o->volume_exists(p->st, w[1]));
		return 0;
	} else if (strcmp(w[0], "path") == 0 && nw == 2) {
		char buf[4096];

		if (o->volume_path(p->st, w[1], buf, sizeof(buf), err))
			return -1;
		printf("ok %s\n", buf);
		return 0;
	} else if (strcmp(w[0], "access") == 0 && nw == 2) {
		struct storage_access a;

		memset(&a, 0, sizeof(a));
		if (o->volume_access != NULL &&
		    o->volume_access(p->st, w[1], &a, err))
			return -1;
		printf("ok %s %s %s\n", a.fs, a.user, a.secret);
		return 0;
	} else if (strcmp(w[0], "usage") == 0 && nw == 2) {
		struct storage_usage u;

		if (o->volume_usage(p->st, w[1], &u, err))
			return -1;
		printf("ok %llu %llu\n", (unsigned long long)u.used_mib,
		    (unsigned long long)u.avail_mib);
		return 0;
	} else if (strcmp(w[0], "list") == 0 && nw == 1) {
		char **u;
		size_t n, i;

		if (o->list(p->st, &u, &n, err))
			return -1;
		printf("ok");
		for (i = 0; i < n; i++) {
			printf(" %s", u[i]);
			free(u[i]);
		}
		free(u);
		printf("\n");
		return 0;
	} else if (strcmp(w[0], "orphan") == 0 && nw == 2) {
		if (o->orphan_set_aside(p->st, w[1], err))
			return -1;
	} else if (strcmp(w[0], "snap") == 0 && nw == 3) {
		if (o->snapshot_create(p->st, w[1], w[2], err))
			return -1;
	} else if (strcmp(w[0], "snapdel") == 0 && nw == 3) {
		if (o->snapshot_delete(p->st, w[1], w[2], err))
			return -1;
	} else if (strcmp(w[0], "rollback") == 0 && nw == 3) {
		if (o->snapshot_rollback(p->st, w[1], w[2], err))
			return -1;
	} else {
		tnfs_err_set(err, TNFS_E_BAD_REQUEST, "unknown command");
		return -1;
	}
	printf("ok\n");
	return 0;
}

/* "UUID|PATH|PSEUDO|RO|CIDR,CIDR" into spec; fields point into s. */
static int
parse_spec(char *s, struct export_spec *spec, const char **clients,
    struct tnfs_err *err)
{
	char *f[5], *save = NULL, *c;
	size_t n = 0;
	int i;

	for (i = 0; i < 5; i++)
		if ((f[i] = strtok_r(i ? NULL : s, "|", &save)) == NULL) {
			tnfs_err_set(err, TNFS_E_BAD_REQUEST, "bad spec");
			return -1;
		}
	spec->volume_uuid = f[0];
	spec->path = f[1];
	spec->pseudo = f[2];
	spec->read_only = strcmp(f[3], "1") == 0;
	for (c = strtok_r(f[4], ",", &save); c != NULL && n < 8;
	     c = strtok_r(NULL, ",", &save))
		clients[n++] = c;
	spec->clients = clients;
	spec->nclients = n;
	return 0;
}

static int
exporter_cmd(struct probe *p, char **w, int nw, struct tnfs_err *err)
{
	const struct exporter_ops *o = &exporter_ganesha_ops;

	if (strcmp(w[0], "ex-open") == 0 && nw == 6) {
		/* ADDR may list several addresses, comma-separated. */
		struct exporter_listen l[4];
		struct exporter_config cfg = {.state_dir = w[1], .listen = l};
		uint64_t np, mp, rs;
		char *a, *save = NULL;

		if (num(w[3], &np, err) || num(w[4], &mp, err) ||
		    num(w[5], &rs, err))
			return -1;
		for (a = strtok_r(w[2], ",", &save);
		     a != NULL && cfg.nlisten < 4;
		     a = strtok_r(NULL, ",", &save)) {
			l[cfg.nlisten].address = a;
			l[cfg.nlisten].nfs_port = (int)np;
			l[cfg.nlisten].mount_port = (int)mp;
			cfg.nlisten++;
		}
		cfg.root_squash = (int)rs;
		if ((p->ex = o->open(&cfg, err)) == NULL)
			return -1;
	} else if (p->ex == NULL) {
		tnfs_err_set(err, TNFS_E_BAD_REQUEST, "no exporter open");
		return -1;
	} else if (strcmp(w[0], "ex-start") == 0) {
		if (o->start(p->ex, err))
			return -1;
	} else if (strcmp(w[0], "ex-healthy") == 0) {
		printf("ok %d\n", o->healthy(p->ex));
		return 0;
	} else if (strcmp(w[0], "ex-close") == 0) {
		o->close(p->ex);
		p->ex = NULL;
	} else if (strcmp(w[0], "ex-sync") == 0) {
		struct export_spec specs[MAXW];
		const char *clients[MAXW][8];
		size_t n = 0;
		int i;

		for (i = 1; i < nw; i++, n++)
			if (parse_spec(w[i], &specs[n], clients[n], err))
				return -1;
		if (o->sync(p->ex, specs, n, err))
			return -1;
	} else {
		tnfs_err_set(err, TNFS_E_BAD_REQUEST, "unknown command");
		return -1;
	}
	printf("ok\n");
	return 0;
}

int
main(void)
{
	struct probe p = {0};
	char line[8192];

	log_init("storage_probe");
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *w[MAXW], *save = NULL, *t;
		struct tnfs_err err = {0};
		int nw = 0, rc;

		line[strcspn(line, "\n")] = '\0';
		for (t = strtok_r(line, " ", &save); t != NULL && nw < MAXW;
		     t = strtok_r(NULL, " ", &save))
			w[nw++] = t;
		if (nw == 0)
			continue;
		if (strcmp(w[0], "quit") == 0)
			break;
		if (strncmp(w[0], "ex-", 3) == 0)
			rc = exporter_cmd(&p, w, nw, &err);
		else
			rc = storage_cmd(&p, w, nw, &err);
		if (rc == -1)
			reply_err(&err);
	}
	if (p.ex != NULL)
		exporter_ganesha_ops.close(p.ex);
	if (p.st != NULL)
		p.ops->close(p.st);
	return 0;
}
