/*
 * exports_ganesha_ceph_opts.c: the ganesha-ceph exporter's argument,
 * CONF[,head=ADDRESS:NFS_PORT:MOUNT_PORT]...[,client=ID][,pool=NAME]
 * [,node=NAME][,failover=SECONDS] (see exports_ganesha_ceph.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exports_ganesha_ceph.h"
#include "parse.h"

static int
parse_port(const char *text, const char *what, const char *spec, int *port,
    struct tnfs_err *err)
{
	uint64_t v;

	if (tnfs_parse_u64(text, 65535, &v, what, err) == -1 || v == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: %s must be a port, 1 to "
		    "65535",
		    spec, what);
		return -1;
	}
	*port = (int)v;
	return 0;
}

/* head=ADDRESS:NFS_PORT:MOUNT_PORT, an IPv4 address as ganesha binds. */
static int
parse_head(const char *spec, struct gceph_head_spec *h, struct tnfs_err *err)
{
	char buf[64], *nfs, *mount;
	struct in_addr a;

	if (strlen(spec) >= sizeof(buf)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%.64s...: too long", spec);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	if ((nfs = strchr(buf, ':')) == NULL ||
	    (mount = strchr(nfs + 1, ':')) == NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: expected "
		    "head=ADDRESS:NFS_PORT:MOUNT_PORT",
		    spec);
		return -1;
	}
	*nfs++ = '\0';
	*mount++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: %s is not an IPv4 address",
		    spec, buf);
		return -1;
	}
	/* The canonical form: inet_pton accepted it, so it fits. */
	if (inet_ntop(AF_INET, &a, h->address, sizeof(h->address)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "inet_ntop failed");
		return -1;
	}
	if (parse_port(nfs, "the NFS port", spec, &h->nfs_port, err) == -1 ||
	    parse_port(mount, "the MOUNT port", spec, &h->mount_port, err) ==
		-1)
		return -1;
	if (h->nfs_port == h->mount_port) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: head=%s: the NFS and MOUNT ports "
		    "must differ",
		    spec);
		return -1;
	}
	return 0;
}

/*
 * Whether port p is taken by a head before it.  The heads of one VAPI run
 * on its host, and the first may bind every address (networks on several
 * addresses): ports differ across heads whatever the addresses.
 */
static int
port_taken(const struct exporter_config *cfg, const struct gceph_head_spec *hs,
    size_t n, int p)
{
	size_t i;

	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].nfs_port == p ||
		    cfg->listen[i].mount_port == p)
			return 1;
	for (i = 0; i < n; i++)
		if (hs[i].nfs_port == p || hs[i].mount_port == p)
			return 1;
	return 0;
}

/* NAME=VALUE into buf, a Ceph name (letters, digits, "-_."). */
static int
set_name(const char *one, size_t skip, char *buf, size_t len,
    struct tnfs_err *err)
{
	const char *v = one + skip, *p;

	if (*v == '\0' || strlen(v) >= len)
		goto bad;
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
			*p == '.'))
			goto bad;
	snprintf(buf, len, "%s", v);
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "exports ganesha-ceph: %s: expected 1 to %zu letters, digits, "
	    "\"-\", \"_\" or \".\"",
	    one, len - 1);
	return -1;
}

/* One option of arg: head=, client=, pool=, node= or failover=. */
static int
parse_opt(const struct exporter_config *cfg, const char *one,
    struct gceph_opts *o, struct tnfs_err *err)
{
	if (strncmp(one, "client=", 7) == 0)
		return set_name(one, 7, o->client, sizeof(o->client), err);
	if (strncmp(one, "pool=", 5) == 0)
		return set_name(one, 5, o->pool, sizeof(o->pool), err);
	if (strncmp(one, "node=", 5) == 0)
		return set_name(one, 5, o->node, sizeof(o->node), err);
	if (strncmp(one, "failover=", 9) == 0) {
		uint64_t v;

		if (tnfs_parse_u64(one + 9, 86400, &v,
			"exports ganesha-ceph: failover (seconds)", err) == -1)
			return -1;
		o->failover_s = (int)v;
		return 0;
	}
	if (strncmp(one, "head=", 5) != 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: unknown option \"%s\" (expected "
		    "head=ADDRESS:NFS_PORT:MOUNT_PORT, client=ID, pool=NAME, "
		    "node=NAME or failover=SECONDS)",
		    one);
		return -1;
	}
	if (o->nh + 1 >= GCEPH_MAX_HEADS) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: at most %d heads", GCEPH_MAX_HEADS);
		return -1;
	}
	if (parse_head(one + 5, &o->hs[o->nh], err) == -1)
		return -1;
	if (port_taken(cfg, o->hs, o->nh, o->hs[o->nh].nfs_port) ||
	    port_taken(cfg, o->hs, o->nh, o->hs[o->nh].mount_port)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: %s: a port another head uses", one);
		return -1;
	}
	o->nh++;
	return 0;
}

int
gceph_parse_arg(const struct exporter_config *cfg, char *conf, size_t conflen,
    struct gceph_opts *o, struct tnfs_err *err)
{
	const char *arg = cfg->arg, *opt, *end;
	char one[128];
	size_t len;

	memset(o, 0, sizeof(*o));
	snprintf(o->client, sizeof(o->client), "admin");
	o->failover_s = GCEPH_FAILOVER_S;
	/* ganesha's own default pool for its grace db. */
	snprintf(o->pool, sizeof(o->pool), "nfs-ganesha");
	if (arg == NULL || arg[0] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: expected ganesha-ceph:CONF with "
		    "CONF the absolute path of the cluster's ceph.conf");
		return -1;
	}
	len = strcspn(arg, ",");
	if (len >= conflen) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports ganesha-ceph: the ceph.conf path is too long");
		return -1;
	}
	memcpy(conf, arg, len);
	conf[len] = '\0';
	for (opt = arg + len; *opt == ','; opt = end) {
		opt++;
		end = opt + strcspn(opt, ",");
		len = (size_t)(end - opt);
		if (len >= sizeof(one)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "exports ganesha-ceph: option %.32s...: too long",
			    opt);
			return -1;
		}
		memcpy(one, opt, len);
		one[len] = '\0';
		if (parse_opt(cfg, one, o, err) == -1)
			return -1;
	}
	if (o->node[0] == '\0') {
		char host[256] = "";

		if (gethostname(host, sizeof(host) - 1) == -1 ||
		    set_name(host, 0, o->node, sizeof(o->node), NULL) == -1) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "exports ganesha-ceph: the host name \"%.64s\" is "
			    "no node id: give one with node=NAME",
			    host);
			return -1;
		}
	}
	return 0;
}
