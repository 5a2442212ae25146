/*
 * ganesha_conf.c: configuration text, validators, Export_Id table and log
 * scanning for the ganesha exporter (see ganesha_conf.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ganesha_conf.h"
#include "uuid.h"

#define PATH_MAXLEN 1024
#define ID_MAX      65535u

/* A memstream that turns an allocation failure into an error. */
static int
stream_done(FILE *f, char **buf, char **out, struct tnfs_err *err)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad || *buf == NULL) {
		free(*buf);
		*buf = NULL;
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	*out = *buf;
	*buf = NULL;
	return 0;
}

int
ganesha_conf_main(
    const struct ganesha_main *gm, char **out, struct tnfs_err *err)
{
	char *buf = NULL;
	size_t len;
	FILE *f;

	if (ganesha_check_cidr(gm->bind_addr, err) == -1 ||
	    strchr(gm->bind_addr, '/') != NULL ||
	    ganesha_check_path(gm->recovery_root, "recovery root", err) == -1 ||
	    ganesha_check_path(gm->exports_file, "exports file", err) == -1 ||
	    (gm->ceph_conf != NULL &&
		ganesha_check_path(gm->ceph_conf, "Ceph configuration", err) ==
		    -1))
		return -1;
	if (gm->rados != NULL &&
	    (gm->ceph_conf == NULL ||
		ganesha_check_ceph(gm->rados->userid, "cephx id", err) == -1 ||
		ganesha_check_ceph(gm->rados->pool, "RADOS pool", err) == -1 ||
		ganesha_check_ceph(gm->rados->ns, "RADOS namespace", err) ==
		    -1 ||
		ganesha_check_ceph(gm->rados->nodeid, "node id", err) == -1)) {
		if (gm->ceph_conf == NULL)
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "RADOS recovery needs a Ceph configuration");
		return -1;
	}
	if (gm->nfs_port < 1 || gm->nfs_port > 65535 || gm->mount_port < 1 ||
	    gm->mount_port > 65535 || gm->nfs_port == gm->mount_port) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "NFS port %d and MOUNT port %d must be distinct ports",
		    gm->nfs_port, gm->mount_port);
		return -1;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	fprintf(f,
	    "# Written by tritonnfs-vapi; rewritten at every start.\n"
	    "NFS_CORE_PARAM {\n"
	    "\tProtocols = 3, 4;\n"
	    "\tNFS_Port = %d;\n"
	    /* Fixed so clients never need the portmapper. */
	    "\tMNT_Port = %d;\n"
	    "\tBind_addr = %s;\n"
	    /* NFSv3 and NFSv4 mount the same (pseudo) path. */
	    "\tmount_path_pseudo = true;\n"
	    "\tEnable_NLM = false;\n"
	    "\tEnable_RQUOTA = false;\n"
	    "}\n"
	    "NFS_KRB5 {\n"
	    "\tActive_krb5 = false;\n"
	    "}\n",
	    gm->nfs_port, gm->mount_port, gm->bind_addr);
	if (gm->rados == NULL)
		fprintf(f,
		    "NFSV4 {\n"
		    /*
		     * No 90 s grace period after each (re)start: NLM is off
		     * and the volumes hold no lock state worth reclaiming.
		     */
		    "\tGraceless = true;\n"
		    "\tLease_Lifetime = 10;\n"
		    "\tRecoveryBackend = fs;\n"
		    "\tRecoveryRoot = \"%s\";\n"
		    "}\n",
		    gm->recovery_root);
	else
		/*
		 * A CephFS head: the node id is also the identity of its
		 * libcephfs sessions (FSAL_CEPH's reclaim uuid is "ganesha-"
		 * NODEID "-" Export_Id), so heads with distinct node ids never
		 * reset each other's sessions.  rados_cluster keeps the
		 * clients of a restarted head through a grace period shared
		 * by every head of the grace db; short, as leases are.
		 */
		fprintf(f,
		    "NFSV4 {\n"
		    "\tGraceless = false;\n"
		    "\tLease_Lifetime = 10;\n"
		    "\tGrace_Period = 20;\n"
		    "\tRecoveryBackend = rados_cluster;\n"
		    "}\n"
		    "RADOS_KV {\n"
		    "\tceph_conf = \"%s\";\n"
		    "\tuserid = \"%s\";\n"
		    "\tpool = \"%s\";\n"
		    "\tnamespace = \"%s\";\n"
		    "\tnodeid = \"%s\";\n"
		    "}\n",
		    gm->ceph_conf, gm->rados->userid, gm->rados->pool,
		    gm->rados->ns, gm->rados->nodeid);
	fprintf(f, "%%include \"%s\"\n", gm->exports_file);
	if (gm->ceph_conf != NULL)
		fprintf(f, "CEPH {\n\tCeph_Conf = \"%s\";\n}\n", gm->ceph_conf);
	return stream_done(f, &buf, out, err);
}

int
ganesha_check_path(const char *path, const char *what, struct tnfs_err *err)
{
	const char *p;

	if (path == NULL || path[0] != '/' || strlen(path) > PATH_MAXLEN)
		goto bad;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' ||
		    *p == '\\')
			goto bad;
	if (strstr(path, "/../") != NULL || strstr(path, "//") != NULL ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		goto bad;
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "%s must be an absolute path of at most %d characters without "
	    "quotes, backslashes, control characters or \"..\"",
	    what, PATH_MAXLEN);
	return -1;
}

int
ganesha_check_ceph(const char *s, const char *what, struct tnfs_err *err)
{
	const char *p;

	if (s == NULL || s[0] == '\0' || strlen(s) > 127)
		goto bad;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("-_.+/=", *p) != NULL))
			goto bad;
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "%s must be 1 to 127 letters, digits or \"-_.+/=\"", what);
	return -1;
}

int
ganesha_check_cidr(const char *cidr, struct tnfs_err *err)
{
	char addr[INET_ADDRSTRLEN], canon[INET_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	struct in_addr in;
	size_t alen = slash ? (size_t)(slash - cidr) : strlen(cidr);

	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, cidr, alen);
	addr[alen] = '\0';
	/* inet_pton takes only dotted quads; round-trip rejects "01.2.3.4". */
	if (inet_pton(AF_INET, addr, &in) != 1 ||
	    inet_ntop(AF_INET, &in, canon, sizeof(canon)) == NULL ||
	    strcmp(canon, addr) != 0)
		goto bad;
	if (slash != NULL) {
		const char *d = slash + 1;
		size_t dl = strlen(d);

		int prefix;

		if (dl < 1 || dl > 2 || d[0] < '0' || d[0] > '9' ||
		    (dl == 2 && (d[1] < '0' || d[1] > '9' || d[0] == '0')))
			goto bad;
		prefix = dl == 1 ? d[0] - '0' : (d[0] - '0') * 10 + d[1] - '0';
		if (prefix > 32)
			goto bad;
	}
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "\"%.64s\" is not an IPv4 address or subnet (a.b.c.d/n)", cidr);
	return -1;
}

int
ganesha_conf_exports(const struct export_spec *specs, const unsigned *ids,
    size_t n, int root_squash, char **out, struct tnfs_err *err)
{
	char *buf = NULL;
	size_t len, i, j;
	FILE *f;

	for (i = 0; i < n; i++) {
		const struct export_spec *s = &specs[i];

		if (ganesha_check_path(s->path, "export path", err) == -1 ||
		    ganesha_check_path(s->pseudo, "pseudo path", err) == -1)
			goto bad;
		if (strcmp(s->pseudo, "/") == 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "pseudo path \"/\" is the NFSv4 pseudo root");
			goto bad;
		}
		for (j = 0; j < s->nclients; j++)
			if (ganesha_check_cidr(s->clients[j], err) == -1)
				goto bad;
		if (s->ceph_user != NULL &&
		    (ganesha_check_ceph(s->ceph_fs, "CephFS name", err) == -1 ||
			ganesha_check_ceph(s->ceph_user, "cephx user", err) ==
			    -1 ||
			ganesha_check_ceph(s->ceph_secret, "cephx key", err) ==
			    -1))
			goto bad;
		if (ids[i] < 1 || ids[i] > ID_MAX) {
			tnfs_err_set(
			    err, TNFS_E_INTERNAL, "bad export id %u", ids[i]);
			goto bad;
		}
		continue;
	bad:
		tnfs_err_prefix(err, "export of volume %.64s",
		    s->volume_uuid ? s->volume_uuid : "?");
		return -1;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	fputs(GANESHA_CONF_EXPORTS_HEADER, f);
	for (i = 0; i < n; i++) {
		const struct export_spec *s = &specs[i];

		fprintf(f,
		    "EXPORT {\n"
		    "\tExport_Id = %u;\n"
		    "\tPath = \"%s\";\n"
		    "\tPseudo = \"%s\";\n"
		    "\tProtocols = 3, 4;\n"
		    "\tTransports = TCP;\n"
		    /* Nobody but the CLIENT blocks below. */
		    "\tAccess_Type = None;\n"
		    "\tSquash = %s;\n"
		    "\tSecType = sys;\n",
		    ids[i], s->path, s->pseudo,
		    root_squash ? "Root_Squash" : "No_Root_Squash");
		/*
		 * A fenced volume nobody holds admits nobody: no CLIENT
		 * block, and the export's own Access_Type None decides.
		 */
		if (s->nclients > 0) {
			fputs("\tCLIENT {\n\t\tClients = ", f);
			for (j = 0; j < s->nclients; j++)
				fprintf(f, "%s%s", j ? ", " : "",
				    s->clients[j]);
			fprintf(f,
			    ";\n\t\tAccess_Type = %s;\n\t}\n",
			    s->read_only ? "RO" : "RW");
		}
		if (s->ceph_user != NULL)
			fprintf(f,
			    "\tFSAL {\n\t\tName = CEPH;\n"
			    "\t\tFilesystem = \"%s\";\n"
			    "\t\tUser_Id = \"%s\";\n"
			    "\t\tSecret_Access_Key = \"%s\";\n\t}\n}\n",
			    s->ceph_fs, s->ceph_user, s->ceph_secret);
		else
			fputs("\tFSAL {\n\t\tName = VFS;\n\t}\n}\n", f);
	}
	return stream_done(f, &buf, out, err);
}

struct ganesha_id {
	char uuid[TNFS_UUID_BUFSZ];
	unsigned id;
};

/*
 * v is sorted by uuid and taken has a bit per id, so that a sync of N
 * exports costs N log N, not N squared.
 */
struct ganesha_ids {
	struct ganesha_id *v;
	size_t n, cap;
	unsigned next; /* where the search for a free id starts */
	unsigned char taken[(ID_MAX + 1) / 8];
	int unsaved; /* an id given or forgotten since parse or the last save */
};

void
ganesha_ids_free(struct ganesha_ids *ids)
{
	if (ids == NULL)
		return;
	free(ids->v);
	free(ids);
}

/* v's index of uuid, or where it would go (*found 0). */
static size_t
ids_search(const struct ganesha_ids *ids, const char *uuid, int *found)
{
	size_t lo = 0, hi = ids->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(ids->v[mid].uuid, uuid);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

static int
ids_find(const struct ganesha_ids *ids, const char *uuid)
{
	int found;
	size_t i = ids_search(ids, uuid, &found);

	return found ? (int)i : -1;
}

static int
ids_taken(const struct ganesha_ids *ids, unsigned id)
{
	return (ids->taken[id / 8] >> (id % 8)) & 1;
}

static void
ids_mark(struct ganesha_ids *ids, unsigned id, int taken)
{
	if (taken)
		ids->taken[id / 8] |= (unsigned char)(1u << (id % 8));
	else
		ids->taken[id / 8] &= (unsigned char)~(1u << (id % 8));
}

static int
ids_add(struct ganesha_ids *ids, const char *uuid, unsigned id)
{
	size_t at;
	int found;

	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 16;
		struct ganesha_id *v = realloc(ids->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		ids->v = v;
		ids->cap = cap;
	}
	at = ids_search(ids, uuid, &found);
	memmove(&ids->v[at + 1], &ids->v[at], (ids->n - at) * sizeof(*ids->v));
	memcpy(ids->v[at].uuid, uuid, TNFS_UUID_BUFSZ);
	ids->v[at].id = id;
	ids->n++;
	ids_mark(ids, id, 1);
	return 0;
}

static int
parse_id(const char *s, unsigned *out)
{
	unsigned long v = 0;
	const char *p;

	if (*s < '1' || *s > '9' || strlen(s) > 5)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > ID_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

struct ganesha_ids *
ganesha_ids_parse(const char *text, struct tnfs_err *err)
{
	struct ganesha_ids *ids;
	char *copy = NULL, *line, *next;
	int lineno = 0;

	if ((ids = calloc(1, sizeof(*ids))) == NULL)
		goto oom;
	ids->next = 1;
	if (text == NULL)
		return ids;
	if ((copy = strdup(text)) == NULL)
		goto oom;
	for (line = copy; line != NULL && *line != '\0'; line = next) {
		char *a, *b, *save = NULL;
		unsigned id;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		a = strtok_r(line, " ", &save);
		b = strtok_r(NULL, " ", &save);
		if (a == NULL || b == NULL || strtok_r(NULL, " ", &save) ||
		    parse_id(b, &id) == -1)
			goto bad;
		if (lineno == 1) {
			if (strcmp(a, "next") != 0)
				goto bad;
			ids->next = id;
			continue;
		}
		if (!tnfs_uuid_valid(a) || ids_find(ids, a) != -1 ||
		    ids_taken(ids, id))
			goto bad;
		if (ids_add(ids, a, id) == -1)
			goto oom;
	}
	free(copy);
	return ids;
bad:
	tnfs_err_set(
	    err, TNFS_E_INTERNAL, "export id table: bad line %d", lineno);
	goto fail;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
fail:
	free(copy);
	ganesha_ids_free(ids);
	return NULL;
}

unsigned
ganesha_ids_get(struct ganesha_ids *ids, const char *uuid, struct tnfs_err *err)
{
	unsigned id, tries;
	int i = ids_find(ids, uuid);

	if (i != -1)
		return ids->v[i].id;
	if (!tnfs_uuid_valid(uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "\"%.64s\" is not a volume uuid", uuid);
		return 0;
	}
	/* Ids move forward and wrap, so a freed id rests before reuse. */
	for (tries = 0, id = ids->next; tries < ID_MAX; tries++) {
		if (id < 1 || id > ID_MAX)
			id = 1;
		if (!ids_taken(ids, id)) {
			if (ids_add(ids, uuid, id) == -1) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				return 0;
			}
			ids->next = id == ID_MAX ? 1 : id + 1;
			ids->unsaved = 1;
			return id;
		}
		id++;
	}
	tnfs_err_set(
	    err, TNFS_E_INTERNAL, "all %u export ids are taken", ID_MAX);
	return 0;
}

static int
cmp_keep(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
ganesha_ids_retain(struct ganesha_ids *ids, const char *const *keep, size_t n)
{
	const char **sorted;
	size_t i, k = 0;

	/* Without memory to sort, keep everything: ids only rest longer. */
	if ((sorted = malloc((n + 1) * sizeof(*sorted))) == NULL)
		return;
	if (n > 0) {
		memcpy(sorted, keep, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_keep);
	}
	for (i = 0; i < ids->n; i++) {
		const char *key = ids->v[i].uuid;

		if (n > 0 &&
		    bsearch(&key, sorted, n, sizeof(*sorted), cmp_keep) != NULL)
			ids->v[k++] = ids->v[i];
		else
			ids_mark(ids, ids->v[i].id, 0);
	}
	if (k < ids->n)
		ids->unsaved = 1;
	ids->n = k;
	free(sorted);
}

int
ganesha_ids_unsaved(const struct ganesha_ids *ids)
{
	return ids->unsaved;
}

void
ganesha_ids_saved(struct ganesha_ids *ids)
{
	ids->unsaved = 0;
}

int
ganesha_ids_format(
    const struct ganesha_ids *ids, char **out, struct tnfs_err *err)
{
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	fprintf(f, "next %u\n", ids->next);
	for (i = 0; i < ids->n; i++)
		fprintf(f, "%s %u\n", ids->v[i].uuid, ids->v[i].id);
	return stream_done(f, &buf, out, err);
}

/* Log lines that are about the environment, not our configuration. */
static int
benign(const char *line)
{
	static const char *const ok[] = {
	    ":DBUS :", "krb5", "credentials", "keytab", "RADOS"};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strstr(line, ok[i]) != NULL)
			return 1;
	return 0;
}

int
ganesha_log_scan(const char *text, int *failed, char *complaint, size_t len)
{
	const char *line = text, *next;
	int done = 0;

	for (; line != NULL && *line != '\0'; line = next) {
		size_t ll;
		const char *nl = strchr(line, '\n');

		ll = nl ? (size_t)(nl - line) : strlen(line);
		next = nl ? nl + 1 : NULL;
		if (nl == NULL)
			break; /* a line still being written */
		if (memmem(line, ll, "Reread exports complete", 23) != NULL)
			done = 1;
		if ((memmem(line, ll, ":CRIT :", 7) != NULL ||
			memmem(line, ll, ":MAJ :", 6) != NULL ||
			memmem(line, ll, "syntax errors", 13) != NULL)) {
			char tmp[1024];
			size_t cl = ll < sizeof(tmp) - 1 ? ll : sizeof(tmp) - 1;

			memcpy(tmp, line, cl);
			tmp[cl] = '\0';
			if (benign(tmp))
				continue;
			if (!*failed && len > 0) {
				/* Drop ganesha's "date : epoch : host : prog[thr]" prefix. */
				const char *msg = strstr(tmp, "] ");

				snprintf(
				    complaint, len, "%s", msg ? msg + 2 : tmp);
			}
			*failed = 1;
		}
	}
	return done;
}
