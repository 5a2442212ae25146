/*
 * cli_common.c: configuration, messages, resolution and waiting shared by
 * triton-volume and tritonnfs-adm (cli_common.h).
 *
 * Everything here talks to the VAPI through libvapi only.  Messages go to
 * stderr in node-triton's "<prog> <cmd>: error: ..." form; results go to
 * stdout so that scripts can parse them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "table.h"
#include "jsonx.h"
#include "parse.h"
#include "timefmt.h"
#include "token.h"
#include "uuid.h"

#define PROFILE_MAX     (64 * 1024)
#define POLL_MS_DEFAULT 1000
#define CONNECT_MS      5000
#define TIMEOUT_MS      30000

void
cli_init(struct cli *c, const char *prog)
{
	const char *p;
	uint64_t ms;

	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->cmd = "";
	c->poll_ms = POLL_MS_DEFAULT;
	/* Tests shorten the wait loop's period; people never need to. */
	if ((p = getenv("TRITONNFS_POLL_MS")) != NULL &&
	    tnfs_parse_u64(p, 60000, &ms, "TRITONNFS_POLL_MS", NULL) == 0 &&
	    ms >= 10)
		c->poll_ms = (int)ms;
}

void
cli_fini(struct cli *c)
{
	vapi_client_free(c->vapi);
	c->vapi = NULL;
	free(c->url);
	if (c->token != NULL)
		explicit_bzero(c->token, strlen(c->token));
	free(c->token);
	free(c->token_file);
	free(c->owner);
	c->url = c->token = c->token_file = c->owner = NULL;
}

static void
verror(const struct cli *c, const char *fmt, va_list ap)
{
	if (c->cmd != NULL && *c->cmd != '\0')
		fprintf(stderr, "%s %s: error: ", c->prog, c->cmd);
	else
		fprintf(stderr, "%s: error: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, fmt, ap);
	va_end(ap);
}

void
cli_error_err(const struct cli *c, const struct tnfs_err *err)
{
	if (err->code[0] != '\0')
		cli_error(c, "%s (%s)", err->msg, err->code);
	else
		cli_error(c, "%s", err->msg);
}

int
cli_usage(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, fmt, ap);
	va_end(ap);
	if (c->cmd != NULL && *c->cmd != '\0')
		fprintf(stderr, "Try '%s %s --help'.\n", c->prog, c->cmd);
	else
		fprintf(stderr, "Try '%s --help'.\n", c->prog);
	return CLI_EXIT_USAGE;
}

static int
replace_str(char **dst, const char *src)
{
	char *d;

	if ((d = strdup(src)) == NULL)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

int
cli_parse_seconds(const struct cli *c, const char *arg, int *out)
{
	struct tnfs_err err;
	uint64_t v;

	tnfs_err_clear(&err);
	if (tnfs_parse_u64(arg, 86400, &v, "seconds", &err) == -1 || v == 0) {
		cli_usage(
		    c, "invalid number of seconds \"%s\" (1 to 86400)", arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
cli_conn_option(struct cli *c, int opt, const char *arg)
{
	char **dst;
	int s;

	switch (opt) {
	case CLI_OPT_URL:
		dst = &c->url;
		break;
	case CLI_OPT_TOKEN:
		dst = &c->token;
		break;
	case CLI_OPT_TOKEN_FILE:
		dst = &c->token_file;
		break;
	case CLI_OPT_OWNER:
		dst = &c->owner;
		break;
	case CLI_OPT_TIMEOUT:
		if (cli_parse_seconds(c, arg, &s) == -1)
			return -1;
		c->timeout_ms = s * 1000;
		return 1;
	default:
		return 0;
	}
	if (replace_str(dst, arg) == -1) {
		cli_error(c, "out of memory");
		return -1;
	}
	return 1;
}

/* The profile's path: $TRITONNFS_PROFILE, else the XDG config directory. */
static int
profile_path(char *buf, size_t len)
{
	const char *p;
	int n;

	if ((p = getenv("TRITONNFS_PROFILE")) != NULL && *p != '\0')
		n = snprintf(buf, len, "%s", p);
	else if ((p = getenv("XDG_CONFIG_HOME")) != NULL && *p == '/')
		n = snprintf(buf, len, "%s/tritonnfs/profile.json", p);
	else if ((p = getenv("HOME")) != NULL && *p == '/')
		n = snprintf(buf, len, "%s/.config/tritonnfs/profile.json", p);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Read the profile ({"url","token"|"token_file","owner"|"account"}) into
 * the fields still unset.  A missing file is no error; a malformed one is.
 */
static int
load_profile(struct cli *c)
{
	static const char *const keys[] = {
	    "url", "token", "owner", "account", "token_file"};
	json_object *obj = NULL, *val;
	struct tnfs_err err;
	char path[4096], *buf = NULL, **dst;
	struct stat st;
	ssize_t n;
	size_t i, off = 0;
	int fd = -1, rc = -1;

	tnfs_err_clear(&err);
	if (profile_path(path, sizeof(path)) == -1)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		cli_error(
		    c, "cannot open profile %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > PROFILE_MAX) {
		cli_error(c,
		    "profile %s: not a regular file of at most %d "
		    "bytes",
		    path, PROFILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		cli_error(c, "out of memory");
		goto out;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error(c, "cannot read profile %s: %s", path,
			    n == 0 ? "short read" : strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if ((obj = jsonx_parse(buf, off, 8, &err)) == NULL ||
	    !json_object_is_type(obj, json_type_object)) {
		cli_error(c, "profile %s: %s", path,
		    obj == NULL ? err.msg : "not a JSON object");
		goto out;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_object_get_ex(obj, keys[i], &val))
			continue;
		if (!json_object_is_type(val, json_type_string)) {
			cli_error(c, "profile %s: \"%s\" must be a string",
			    path, keys[i]);
			goto out;
		}
		dst = i == 0 ? &c->url
		    : i == 1 ? &c->token
		    : i == 4 ? &c->token_file
			     : &c->owner;
		if (*dst == NULL &&
		    replace_str(dst, json_object_get_string(val)) == -1) {
			cli_error(c, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_object_put(obj);
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}

static int
from_env(struct cli *c, char **dst, const char *name)
{
	const char *v;

	if (*dst != NULL || (v = getenv(name)) == NULL || *v == '\0')
		return 0;
	if (replace_str(dst, v) == -1) {
		cli_error(c, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The token from the file named by --token-file, TRITONNFS_TOKEN_FILE or
 * the profile, when no token was given itself at the same level or above.
 */
static int
token_from_file(struct cli *c)
{
	char tok[TNFS_TOKEN_BUFSZ];
	struct tnfs_err err;
	int rc;

	tnfs_err_clear(&err);
	if (c->token != NULL || c->token_file == NULL)
		return 0;
	if (tnfs_token_read_file(c->token_file, tok, NULL, &err) == -1) {
		cli_error(c, "%s", err.msg);
		return -1;
	}
	rc = replace_str(&c->token, tok);
	explicit_bzero(tok, sizeof(tok));
	if (rc == -1)
		cli_error(c, "out of memory");
	return rc;
}

int
cli_connect(struct cli *c, int need_owner)
{
	struct vapi_client_opts opts;
	struct tnfs_err err;
	const char *t;
	int secs;

	tnfs_err_clear(&err);
	if (c->token != NULL && c->token_file != NULL) {
		cli_error(c, "give --token or --token-file, not both");
		return -1;
	}
	if (token_from_file(c) == -1 ||
	    from_env(c, &c->url, "TRITONNFS_URL") == -1 ||
	    from_env(c, &c->token, "TRITONNFS_TOKEN") == -1 ||
	    from_env(c, &c->token_file, "TRITONNFS_TOKEN_FILE") == -1 ||
	    token_from_file(c) == -1 ||
	    from_env(c, &c->owner, "TRITONNFS_OWNER") == -1 ||
	    load_profile(c) == -1 || token_from_file(c) == -1)
		return -1;
	if (c->timeout_ms == 0 && (t = getenv("TRITONNFS_TIMEOUT")) != NULL) {
		if (cli_parse_seconds(c, t, &secs) == -1)
			return -1;
		c->timeout_ms = secs * 1000;
	}
	if (c->url == NULL) {
		cli_error(c,
		    "no VAPI URL: use --url, TRITONNFS_URL or "
		    "\"url\" in the profile "
		    "(~/.config/tritonnfs/profile.json)");
		return -1;
	}
	if (c->owner != NULL && !tnfs_uuid_valid(c->owner)) {
		cli_error(c, "owner \"%s\" is not a lowercase uuid", c->owner);
		return -1;
	}
	/* A token bound to an account lets the VAPI fill owner_uuid in. */
	if (need_owner && c->owner == NULL && c->token == NULL) {
		cli_error(c,
		    "no account: use --account (--owner), TRITONNFS_OWNER, "
		    "\"owner\" in the profile, or a token bound to the "
		    "account");
		return -1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.url = c->url;
	opts.token = c->token;
	opts.connect_timeout_ms =
	    c->timeout_ms > 0 && c->timeout_ms < CONNECT_MS ? c->timeout_ms
							    : CONNECT_MS;
	opts.timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : TIMEOUT_MS;
	if ((c->vapi = vapi_client_new(&opts, &err)) == NULL) {
		cli_error_err(c, &err);
		return -1;
	}
	return 0;
}

int64_t
cli_now_ms(void)
{
	const char *p = getenv("TRITONNFS_NOW");
	int64_t ms;

	if (p != NULL && *p != '\0' && tnfs_time_parse(p, &ms, NULL) == 0)
		return ms;
	return tnfs_now_ms();
}

void
cli_format_age(int64_t now_ms, int64_t then_ms, char buf[CLI_AGE_BUFSZ])
{
	static const struct {
		int64_t secs;
		char unit;
	} units[] = {
	    {365LL * 86400, 'y'},
	    {7LL * 86400, 'w'},
	    {86400, 'd'},
	    {3600, 'h'},
	    {60, 'm'},
	    {1, 's'},
	};
	int64_t secs;
	size_t i;

	/* node-triton rounds the difference to the second, then floors. */
	secs = now_ms > then_ms ? (now_ms - then_ms + 500) / 1000 : 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (secs >= units[i].secs) {
			snprintf(buf, CLI_AGE_BUFSZ, "%lld%c",
			    (long long)(secs / units[i].secs), units[i].unit);
			return;
		}
	}
	snprintf(buf, CLI_AGE_BUFSZ, "0s");
}

void
cli_shortid(const char *uuid, char buf[CLI_SHORTID_BUFSZ])
{
	snprintf(buf, CLI_SHORTID_BUFSZ, "%.8s", uuid != NULL ? uuid : "");
}

/* "a (uuid), b (uuid)" of up to 5 volumes, for ambiguity messages. */
static void
list_matches(
    const struct vapi_volume_list *l, const int *match, char *buf, size_t len)
{
	size_t i, off = 0, shown = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < l->n && off < len; i++) {
		if (!match[i])
			continue;
		if (shown++ == 5) {
			snprintf(buf + off, len - off, ", ...");
			break;
		}
		n = snprintf(buf + off, len - off, "%s%s (%s)",
		    off > 0 ? ", " : "", l->items[i].name, l->items[i].uuid);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Move item i of l into out (l keeps a cleared slot). */
static void
take_item(struct vapi_volume_list *l, size_t i, struct vapi_volume *out)
{
	*out = l->items[i];
	memset(&l->items[i], 0, sizeof(l->items[i]));
}

int
cli_resolve_volume(struct vapi_client *vapi, const char *owner, const char *arg,
    struct vapi_volume *out, struct tnfs_err *err)
{
	struct vapi_list_filter f;
	struct vapi_volume_list l = {NULL, 0};
	char names[1024];
	int *match = NULL, rc = -1;
	size_t i, nlive = 0, nfailed = 0, pick = 0, nprefix = 0;

	memset(&f, 0, sizeof(f));
	f.owner_uuid = owner;
	if (tnfs_uuid_valid(arg))
		return vapi_client_get_volume(vapi, arg, owner, out, err);

	/* An exact name: a live volume first, a failed one otherwise. */
	if (strchr(arg, '*') == NULL && tnfs_name_check(arg, NULL) == 0) {
		f.name = arg;
		if (vapi_client_list_volumes(vapi, &f, &l, err) == -1)
			goto out;
		f.name = NULL;
		if ((match = calloc(l.n + 1, sizeof(int))) == NULL)
			goto nomem;
		for (i = 0; i < l.n; i++) {
			if (strcmp(l.items[i].name, arg) != 0)
				continue;
			if (strcmp(l.items[i].state, "failed") != 0) {
				match[i] = 1;
				nlive++;
				pick = i;
			} else {
				nfailed++;
			}
		}
		if (nlive > 1) {
			list_matches(&l, match, names, sizeof(names));
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "volume name \"%s\" is ambiguous: %s; use the id",
			    arg, names);
			goto out;
		}
		if (nlive == 0 && nfailed == 1) {
			for (i = 0; i < l.n; i++)
				if (strcmp(l.items[i].name, arg) == 0)
					pick = i;
			nlive = 1;
		}
		if (nlive == 1) {
			take_item(&l, pick, out);
			rc = 0;
			goto out;
		}
		free(match);
		match = NULL;
		vapi_volume_list_clear(&l);
	}

	/* A prefix of the id ("shortid"). */
	if (tnfs_uuid_prefix_valid(arg)) {
		if (vapi_client_list_volumes(vapi, &f, &l, err) == -1)
			goto out;
		if ((match = calloc(l.n + 1, sizeof(int))) == NULL)
			goto nomem;
		for (i = 0; i < l.n; i++) {
			if (strncmp(l.items[i].uuid, arg, strlen(arg)) == 0) {
				match[i] = 1;
				nprefix++;
				pick = i;
			}
		}
		if (nprefix > 1) {
			list_matches(&l, match, names, sizeof(names));
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "volume short id \"%s\" is ambiguous: %s; use more "
			    "of the id",
			    arg, names);
			goto out;
		}
		if (nprefix == 1) {
			take_item(&l, pick, out);
			rc = 0;
			goto out;
		}
	}
	tnfs_err_set(err, TNFS_E_NOT_FOUND,
	    "no volume with name or short id \"%.300s\"", arg);
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	free(match);
	vapi_volume_list_clear(&l);
	return rc;
}

int
cli_interactive(void)
{
	return isatty(STDIN_FILENO);
}

int
cli_confirm(const char *question)
{
	char line[64];

	fprintf(stdout, "%s [y/N] ", question);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		fputc('\n', stdout);
		return 0;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 ||
	    strcmp(line, "yes") == 0 || strcmp(line, "YES") == 0 ||
	    strcmp(line, "Yes") == 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
cli_wait(struct cli *c, const char *uuid, const char *name,
    enum cli_wait_goal goal, int timeout_s, struct vapi_volume *last,
    struct tnfs_err *err)
{
	static const char spin[] = "|/-\\";
	struct vapi_volume v;
	struct tnfs_err gerr;
	char prev[VAPI_STATE_BUFSZ] = "";
	int64_t start = tnfs_mono_ms(), now;
	int tty = isatty(STDERR_FILENO), tick = 0, rc = -1;

	memset(&v, 0, sizeof(v));
	for (;;) {
		tnfs_err_clear(&gerr);
		vapi_volume_clear(&v);
		memset(&v, 0, sizeof(v));
		now = tnfs_mono_ms();
		if (vapi_client_get_volume(
			c->vapi, uuid, c->owner, &v, &gerr) == -1) {
			if (goal == CLI_WAIT_DELETED &&
			    tnfs_err_is(&gerr, TNFS_E_NOT_FOUND)) {
				rc = 0;
				break;
			}
			*err = gerr;
			break;
		}
		if (goal == CLI_WAIT_READY && strcmp(v.state, "ready") == 0) {
			rc = 0;
			break;
		}
		if (strcmp(v.state, "failed") == 0) {
			tnfs_err_set(err, TNFS_E_BAD_STATE,
			    "volume %s (%s) is in state failed", name, uuid);
			break;
		}
		if (tty) {
			fprintf(stderr,
			    "\r%c waiting for volume %s: %s (%llds)",
			    spin[tick++ % 4], name, v.state,
			    (long long)((now - start) / 1000));
		} else if (strcmp(prev, v.state) != 0) {
			fprintf(stderr, "waiting for volume %s: state %s\n",
			    name, v.state);
		}
		fflush(stderr);
		snprintf(prev, sizeof(prev), "%s", v.state);
		if (now - start >= (int64_t)timeout_s * 1000) {
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "volume %s (%s) still %s after %d seconds", name,
			    uuid, v.state, timeout_s);
			break;
		}
		sleep_ms(c->poll_ms);
	}
	if (tty && tick > 0)
		fputs("\r\033[K", stderr);
	if (rc == 0 && last != NULL && goal == CLI_WAIT_READY) {
		*last = v;
		memset(&v, 0, sizeof(v));
	}
	vapi_volume_clear(&v);
	return rc;
}

json_object *
cli_volume_json(const struct vapi_volume *v)
{
	json_object *out, *val;
	char ts[TNFS_TIME_BUFSZ];
	const char *key;

	if ((out = json_object_new_object()) == NULL)
		return NULL;
	if (v->raw != NULL && json_object_is_type(v->raw, json_type_object)) {
		json_object_object_foreach(v->raw, k, vv)
		{
			key = k;
			if (strcmp(k, "vm_uuid") == 0)
				continue;
			if (strcmp(k, "uuid") == 0)
				key = "id";
			else if (strcmp(k, "create_timestamp") == 0)
				key = "created";
			else if (strcmp(k, "labels") == 0)
				key = "tags";
			val = json_object_get(vv);
			if (json_object_object_add(out, key, val) != 0) {
				json_object_put(val);
				goto fail;
			}
		}
		return out;
	}
	tnfs_time_format(v->create_timestamp_ms, ts);
	if (jsonx_add_str(out, "id", v->uuid) == -1 ||
	    jsonx_add_str(out, "owner_uuid", v->owner_uuid) == -1 ||
	    jsonx_add_str(out, "name", v->name) == -1 ||
	    jsonx_add_str(out, "type", v->type) == -1 ||
	    jsonx_add_int64(out, "size", (int64_t)v->size_mib) == -1 ||
	    jsonx_add_str(out, "state", v->state) == -1 ||
	    jsonx_add_str(out, "created", ts) == -1)
		goto fail;
	return out;
fail:
	json_object_put(out);
	return NULL;
}

void
cli_print_json_line(FILE *out, json_object *obj)
{
	fputs(json_object_to_json_string_ext(
		  obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    out);
	fputc('\n', out);
}

static void
indent(FILE *out, int depth)
{
	int i;

	for (i = 0; i < depth * 4; i++)
		fputc(' ', out);
}

/* JSON.stringify(obj, null, 4): json-c only indents by 2 or tabs. */
static void
print_pretty(FILE *out, json_object *obj, int depth)
{
	const int flags =
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	size_t i, n;
	int first = 1;

	switch (json_object_get_type(obj)) {
	case json_type_object:
		if (json_object_object_length(obj) == 0) {
			fputs("{}", out);
			break;
		}
		fputs("{\n", out);
		json_object_object_foreach(obj, k, v)
		{
			if (!first)
				fputs(",\n", out);
			first = 0;
			indent(out, depth + 1);
			/* Keys are escaped as strings are. */
			json_object *ks = json_object_new_string(k);
			fputs(ks != NULL
				? json_object_to_json_string_ext(ks, flags)
				: "\"\"",
			    out);
			json_object_put(ks);
			fputs(": ", out);
			print_pretty(out, v, depth + 1);
		}
		fputc('\n', out);
		indent(out, depth);
		fputc('}', out);
		break;
	case json_type_array:
		n = json_object_array_length(obj);
		if (n == 0) {
			fputs("[]", out);
			break;
		}
		fputs("[\n", out);
		for (i = 0; i < n; i++) {
			indent(out, depth + 1);
			print_pretty(
			    out, json_object_array_get_idx(obj, i), depth + 1);
			fputs(i + 1 < n ? ",\n" : "\n", out);
		}
		indent(out, depth);
		fputc(']', out);
		break;
	default:
		fputs(json_object_to_json_string_ext(obj, flags), out);
		break;
	}
}

void
cli_print_json_pretty(FILE *out, json_object *obj)
{
	print_pretty(out, obj, 0);
	fputc('\n', out);
}

int
cli_table_print(
    const struct cli *c, struct table *t, const char *sort, int no_header)
{
	struct tnfs_err err;

	tnfs_err_clear(&err);
	if (table_sort(t, sort, &err) == -1)
		return cli_usage(c, "%s", err.msg);
	table_print(t, stdout, no_header);
	return CLI_EXIT_OK;
}
