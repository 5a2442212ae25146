/*
 * opts.c: parse and check the command line of tritonnfs-fuse (see opts.h).
 *
 * Everything here ends up either in a libnfs URL or in libfuse's option
 * string, so the checks are strict: a server name or export path with
 * characters that mean something in a URL, or an option value with a comma
 * or quote, is refused rather than escaped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

/* mount(8) options that have no meaning for a FUSE NFS client. */
static const char *const ignored_opts[] = {
    "defaults",
    "_netdev",
    "nofail",
    "auto",
    "noauto",
    "user",
    "nouser",
    "users",
    "owner",
    "group",
    "bg",
    "fg",
    "hard",
    "soft",
    "tcp",
    "rw",
    NULL,
};

static const char usage_text[] =
    "usage: tritonnfs-fuse SERVER:/EXPORT MOUNTPOINT [-o opt[,opt...]] [-f] "
    "[-d]\n"
    "       tritonnfs-fuse SERVER:/EXPORT --check [-o opt[,opt...]]\n"
    "       tritonnfs-fuse --help | --version\n"
    "\n"
    "  -o nfsvers=3|4         NFS version (default: 3)\n"
    "  -o port=N              NFS port (default: 2049; NFSv3 asks the "
    "portmapper)\n"
    "  -o mountport=N         MOUNT port (default: asks the portmapper)\n"
    "  -o ro                  read-only (default: read-write)\n"
    "  -o uid=N               AUTH_SYS uid (default: this process's)\n"
    "  -o gid=N               AUTH_SYS gid (default: this process's)\n"
    "  -o allow_other         (the default) or -o noallow_other\n"
    "  -o timeo=SECONDS       per connect and call (default: 10)\n"
    "  -o conns=N             connections in the pool (default: 4)\n"
    "  -o size=BYTES[K|M|G|T] the size df shows, the volume's quota\n"
    "                         (default: what the server reports)\n"
    "  -o debug, -d           log each call; -f stays in the foreground\n"
    "  and libfuse's own -o options\n";

const char *
fuse_opts_usage(void)
{
	return usage_text;
}

/* A decimal number in [min, max]: no sign, no spaces, no trailing bytes. */
static int
parse_num(const char *key, const char *val, long min, long max, long *out,
    struct tnfs_err *err)
{
	char *end;
	long v;

	if (val == NULL || *val < '0' || *val > '9') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "option %s needs a number from %ld to %ld", key, min, max);
		return -1;
	}
	errno = 0;
	v = strtol(val, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "option %s=%.64s: not a number from %ld to %ld", key, val,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * size=: a byte count, or a whole number of binary units (K, M, G, T, in
 * either case: 1K = 1024).  Like parse_num, no sign, spaces, leading zeros or fractions; at
 * least 1 and at most FUSE_OPTS_SIZE_MAX bytes.
 */
static int
parse_size(const char *val, uint64_t *out, struct tnfs_err *err)
{
	static const char units[] = "KMGTkmgt";
	uint64_t v = 0, mult = 1;
	const char *p = val, *u;
	int shift;

	if (val == NULL || *val < '1' || *val > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (FUSE_OPTS_SIZE_MAX - (uint64_t)(*p - '0')) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0') {
		if (p[1] != '\0' || (u = strchr(units, *p)) == NULL)
			goto bad;
		shift = 10 * ((int)(u - units) % 4 + 1);
		mult = UINT64_C(1) << shift;
		if (v > FUSE_OPTS_SIZE_MAX / mult)
			goto bad;
	}
	*out = v * mult;
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "option size=%.64s: not a size from 1 byte to 1 EiB (bytes, or a "
	    "whole number of K, M, G or T)",
	    val != NULL ? val : "");
	return -1;
}

static int
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* Bytes allowed in an export path: no URL syntax, no spaces, no controls. */
static int
is_path_char(char c)
{
	return is_host_char(c) || c == '/' || c == '+' || c == '=' ||
	    c == ',' || c == '@' || c == '~';
}

/* SERVER:/EXPORT */
static int
parse_source(const char *src, struct fuse_nfs_opts *o, struct tnfs_err *err)
{
	const char *colon = strchr(src, ':');
	size_t hlen, i;

	if (colon == NULL || colon[1] != '/') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "source '%.128s' is not SERVER:/EXPORT", src);
		return -1;
	}
	hlen = (size_t)(colon - src);
	if (hlen == 0 || hlen >= sizeof(o->server)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "source '%.128s': the server name must be 1 to %zu bytes",
		    src, sizeof(o->server) - 1);
		return -1;
	}
	for (i = 0; i < hlen; i++) {
		if (!is_host_char(src[i])) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "source '%.128s': the server name may hold only "
			    "letters, digits, '.', '-' and '_'",
			    src);
			return -1;
		}
	}
	memcpy(o->server, src, hlen);
	o->server[hlen] = '\0';
	if (strlen(colon + 1) >= sizeof(o->export)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "source: the export path is longer than %zu bytes",
		    sizeof(o->export) - 1);
		return -1;
	}
	for (i = 1; colon[i] != '\0'; i++) {
		if (!is_path_char(colon[i])) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "source '%.128s': the export path may hold only "
			    "letters, digits and / . - _ + = , @ ~",
			    src);
			return -1;
		}
	}
	if (strstr(colon + 1, "/../") != NULL ||
	    (strlen(colon + 1) >= 3 &&
		strcmp(colon + 1 + strlen(colon + 1) - 3, "/..") == 0)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "source '%.128s': the export path may not contain '..'",
		    src);
		return -1;
	}
	memcpy(o->export, colon + 1, strlen(colon + 1) + 1);
	return 0;
}

/* Append one option to the string handed to libfuse. */
static int
pass_opt(struct fuse_nfs_opts *o, const char *opt, struct tnfs_err *err)
{
	size_t have = strlen(o->fuse_opts), add = strlen(opt);
	size_t i;

	for (i = 0; i < add; i++) {
		unsigned char c = (unsigned char)opt[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == '\'' ||
		    c == '\\') {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option '%.64s' holds a character that is not "
			    "allowed",
			    opt);
			return -1;
		}
	}
	if (have + add + 2 > sizeof(o->fuse_opts)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "too many options (more than %zu bytes)",
		    sizeof(o->fuse_opts) - 1);
		return -1;
	}
	if (have > 0)
		o->fuse_opts[have++] = ',';
	memcpy(o->fuse_opts + have, opt, add + 1);
	return 0;
}

/* One option of a -o list; opt is modified (split at '='). */
static int
parse_one(char *opt, struct fuse_nfs_opts *o, struct tnfs_err *err)
{
	char *eq = strchr(opt, '=');
	const char *val = NULL;
	char whole[256];
	long n;
	size_t i;

	if (*opt == '\0')
		return 0; /* "a,,b" */
	if (strlen(opt) >= sizeof(whole)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "option '%.64s...' is too long", opt);
		return -1;
	}
	memcpy(whole, opt, strlen(opt) + 1);
	if (eq != NULL) {
		*eq = '\0';
		val = eq + 1;
	}
	for (i = 0; ignored_opts[i] != NULL; i++)
		if (val == NULL && strcmp(opt, ignored_opts[i]) == 0)
			return 0;

	if (strcmp(opt, "nfsvers") == 0 || strcmp(opt, "vers") == 0) {
		if (val == NULL ||
		    (strcmp(val, "3") != 0 && strcmp(val, "4") != 0)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option %s must be 3 or 4", opt);
			return -1;
		}
		o->nfsvers = val[0] - '0';
	} else if (strcmp(opt, "port") == 0) {
		if (parse_num(opt, val, 1, 65535, &n, err) == -1)
			return -1;
		o->port = (int)n;
	} else if (strcmp(opt, "mountport") == 0) {
		if (parse_num(opt, val, 1, 65535, &n, err) == -1)
			return -1;
		o->mountport = (int)n;
	} else if (strcmp(opt, "uid") == 0) {
		if (parse_num(opt, val, 0, INT_MAX - 1, &o->uid, err) == -1)
			return -1;
	} else if (strcmp(opt, "gid") == 0) {
		if (parse_num(opt, val, 0, INT_MAX - 1, &o->gid, err) == -1)
			return -1;
	} else if (strcmp(opt, "timeo") == 0) {
		if (parse_num(opt, val, 1, FUSE_OPTS_TIMEO_MAX, &n, err) == -1)
			return -1;
		o->timeo = (int)n;
	} else if (strcmp(opt, "conns") == 0) {
		if (parse_num(opt, val, 1, FUSE_OPTS_CONNS_MAX, &n, err) == -1)
			return -1;
		o->conns = (int)n;
	} else if (strcmp(opt, "size") == 0) {
		if (parse_size(val, &o->size, err) == -1)
			return -1;
	} else if (strcmp(opt, "ro") == 0 && val == NULL) {
		o->ro = 1;
	} else if (strcmp(opt, "allow_other") == 0 && val == NULL) {
		o->allow_other = 1;
	} else if (strcmp(opt, "noallow_other") == 0 && val == NULL) {
		o->allow_other = 0;
	} else if (strcmp(opt, "debug") == 0 && val == NULL) {
		o->debug = 1;
	} else if (strcmp(opt, "ro") == 0 || strcmp(opt, "allow_other") == 0 ||
	    strcmp(opt, "noallow_other") == 0 || strcmp(opt, "debug") == 0) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "option %s takes no value", opt);
		return -1;
	} else if (strcmp(opt, "fsname") == 0 || strcmp(opt, "subtype") == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "option %s is set by tritonnfs-fuse itself", opt);
		return -1;
	} else {
		return pass_opt(o, whole, err);
	}
	return 0;
}

static int
parse_optlist(const char *list, struct fuse_nfs_opts *o, struct tnfs_err *err)
{
	char *copy, *p, *next;
	int rc = -1;

	if ((copy = strdup(list)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (p = copy; p != NULL; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		if (parse_one(p, o, err) == -1)
			goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static void
set_defaults(struct fuse_nfs_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->action = FUSE_OPTS_MOUNT;
	o->nfsvers = 3;
	o->uid = -1;
	o->gid = -1;
	o->allow_other = 1;
	o->timeo = FUSE_OPTS_TIMEO_DEFAULT;
	o->conns = FUSE_OPTS_CONNS_DEFAULT;
}

int
fuse_opts_parse(
    int argc, char *const argv[], struct fuse_nfs_opts *o, struct tnfs_err *err)
{
	const char *pos[2] = {NULL, NULL};
	int npos = 0, i;

	set_defaults(o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->action = FUSE_OPTS_HELP;
			return 0;
		} else if (strcmp(a, "--version") == 0 ||
		    strcmp(a, "-V") == 0) {
			o->action = FUSE_OPTS_VERSION;
			return 0;
		} else if (strcmp(a, "--check") == 0) {
			o->action = FUSE_OPTS_CHECK;
		} else if (strcmp(a, "-f") == 0) {
			o->foreground = 1;
		} else if (strcmp(a, "-d") == 0) {
			o->foreground = 1;
			o->debug = 1;
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 >= argc) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "-o needs a list of options");
				return -1;
			}
			if (parse_optlist(argv[++i], o, err) == -1)
				return -1;
		} else if (strncmp(a, "-o", 2) == 0) {
			if (parse_optlist(a + 2, o, err) == -1)
				return -1;
		} else if (a[0] == '-') {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown argument '%.64s'", a);
			return -1;
		} else {
			if (npos == 2) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "too many arguments at '%.64s'", a);
				return -1;
			}
			pos[npos++] = a;
		}
	}
	if (npos == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "missing SERVER:/EXPORT (see --help)");
		return -1;
	}
	if (parse_source(pos[0], o, err) == -1)
		return -1;
	if (o->action == FUSE_OPTS_MOUNT) {
		if (npos < 2) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "missing MOUNTPOINT (see --help)");
			return -1;
		}
		if (strlen(pos[1]) >= sizeof(o->mountpoint)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "mount point path too long");
			return -1;
		}
		memcpy(o->mountpoint, pos[1], strlen(pos[1]) + 1);
	} else if (npos == 2) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "--check takes no MOUNTPOINT");
		return -1;
	}
	return 0;
}

int
fuse_opts_nfs_url(const struct fuse_nfs_opts *o, char *buf, size_t len)
{
	char ports[64] = "";
	int n;

	if (o->port > 0 && o->mountport > 0)
		snprintf(ports, sizeof(ports), "&nfsport=%d&mountport=%d",
		    o->port, o->mountport);
	else if (o->port > 0)
		snprintf(ports, sizeof(ports), "&nfsport=%d", o->port);
	else if (o->mountport > 0)
		snprintf(ports, sizeof(ports), "&mountport=%d", o->mountport);
	n = snprintf(buf, len, "nfs://%s%s?version=%d%s", o->server, o->export,
	    o->nfsvers, ports);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}
