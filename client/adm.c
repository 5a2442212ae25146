/*
 * adm.c: tritonnfs-adm, the operator command line: the seed's `sdcadm
 * shared-volumes` list/restart/update/rm (RFD 26 "sdcadm changes") and a
 * per-owner report.
 *
 * It needs an operator token: it lists every owner's volumes through
 * GET /admin/volumes, restarts exports through POST
 * /admin/volumes/:uuid/restart and updates them through POST
 * /admin/volumes[/:uuid]/update, which the VAPI runs one volume at a time.
 * A volume still referenced by a host is never restarted, updated or
 * removed: its holders are printed instead, as the seed asks, and the exit
 * status says something was left alone.
 *
 * `token create` needs no VAPI: it makes a token and the entry that the
 * VAPI's configuration lists for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adm_instances.h"
#include "cli_common.h"
#include "cli_opts.h"
#include "jsonx.h"
#include "parse.h"
#include "sha256.h"
#include "table.h"
#include "timefmt.h"
#include "token.h"
#include "uuid.h"
#include "version.h"

#define PROG "tritonnfs-adm"

enum adm_action {
	ADM_LIST,
	ADM_RESTART,
	ADM_UPDATE,
	ADM_RM,
	ADM_REPORT,
	ADM_TOKEN_CREATE,
	ADM_INSTANCES,
};

/* An update of everything runs volume after volume in one request. */
#define UPDATE_TIMEOUT_S 3600

struct adm_opts {
	const char *owner;
	const char *volume;
	const char *volume_arg; /* positional VOLUME: uuid, name or prefix */
	const char *save;       /* token create --save FILE */
	const char *cols;
	const char *sort;
	int all;
	int operator;
	int yes;
	int json;
	int no_header;
};

static const char usage_text[] =
    "usage: " PROG " [connection options] COMMAND\n"
    "\n"
    "  shared-volumes list [--owner UUID] [-H] [-o COLS] [-s SORT] [-j]\n"
    "      columns: uuid shortid owner name size usage state host export\n"
    "               holders created\n"
    "  shared-volumes restart [--owner UUID] [--volume UUID] [--all] "
    "[VOLUME]\n"
    "  shared-volumes update [--owner UUID] [--volume UUID] [--all] "
    "[VOLUME]\n"
    "  shared-volumes rm [--owner UUID] [--volume UUID] [-y]\n"
    "  report [--owner UUID] [-j]\n"
    "  instances [-H] [-j]  the VAPI instances sharing the store\n"
    "  token create --owner UUID | --operator [--save FILE]\n"
    "\n"
    "  -o, --output COLS    list columns (default: "
    "shortid,owner,name,size,usage,\n"
    "                       state,host,export,holders)\n"
    "  -s, --sort-by COLS   list order (default: owner,created)\n"
    "  --save FILE          token create: write the token to a new 0600 "
    "FILE\n"
    "                       (no default: printed on stdout)\n"
    "\n"
    "A volume still used by a host is left alone and its holders are "
    "printed.\n"
    "Updates run one volume at a time, each back to ready before the "
    "next.\n"
    "\n"
    CLI_CONN_USAGE
    "  (shared-volumes update: --timeout default 3600)\n";

/* ---- what the admin objects carry beyond a user's volume ---- */

static json_object *
member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* The storage host serving the volume: VAPI renders it as vm_uuid. */
static const char *
storage_host(const struct vapi_volume *v)
{
	return v->vm_uuid[0] != '\0' ? v->vm_uuid : "-";
}

static const char *
export_path(const struct vapi_volume *v)
{
	return v->filesystem_path[0] != '\0' ? v->filesystem_path : "-";
}

/*
 * Space in use, from GetVolume's "usage" {"used", "available"} (MiB), which
 * the VAPI reports for ready volumes only; "-" where it is not known.
 * *key orders the column (-1 when unknown).
 */
static void
format_usage(struct cli *c, const struct vapi_volume *v, char *buf, size_t len,
    int64_t *key)
{
	struct vapi_volume full;
	int64_t used;
	json_object *u;

	*key = -1;
	snprintf(buf, len, "-");
	if (strcmp(v->state, "ready") != 0)
		return;
	memset(&full, 0, sizeof(full));
	if (vapi_client_get_volume(c->vapi, v->uuid, NULL, &full, NULL) == -1)
		goto out;
	if (!json_object_object_get_ex(full.raw, "usage", &u) ||
	    jsonx_get_int64(u, "used", &used) == -1 || used < 0)
		goto out;
	*key = used;
	if (used >= 1024)
		snprintf(buf, len, "%.1fG", (double)used / 1024.0);
	else
		snprintf(buf, len, "%lldM", (long long)used);
out:
	vapi_volume_clear(&full);
}

/* "h1,h2" of the volume's references, "-" when none. */
static void
format_holders(const struct vapi_volume *v, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	snprintf(buf, len, "-");
	for (i = 0; i < v->nrefs && off < len; i++) {
		n = snprintf(
		    buf + off, len - off, "%s%s", i > 0 ? "," : "", v->refs[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * The volumes the options select: --volume alone, --owner's, or all.
 * Prefers GET /admin/volumes; a VAPI without it (ResourceNotFound) is
 * asked GET /volumes, which an operator token sees whole.
 */
static int
select_volumes(struct cli *c, const struct adm_opts *o,
    struct vapi_volume_list *out, struct tnfs_err *err)
{
	struct vapi_list_filter f;
	struct vapi_volume_list l = {NULL, 0};
	size_t i, n = 0;

	memset(&f, 0, sizeof(f));
	f.owner_uuid = o->owner;
	if (vapi_client_admin_list(c->vapi, &f, &l, err) == -1) {
		if (!tnfs_err_is(err, TNFS_E_RESOURCE_NOT_FOUND))
			return -1;
		tnfs_err_clear(err);
		if (vapi_client_list_volumes(c->vapi, &f, &l, err) == -1)
			return -1;
	}
	for (i = 0; i < l.n; i++) {
		if (o->volume != NULL &&
		    strcmp(l.items[i].uuid, o->volume) != 0) {
			vapi_volume_clear(&l.items[i]);
			memset(&l.items[i], 0, sizeof(l.items[i]));
			continue;
		}
		if (n != i) {
			l.items[n] = l.items[i];
			memset(&l.items[i], 0, sizeof(l.items[i]));
		}
		n++;
	}
	for (i = n; i < l.n; i++)
		vapi_volume_clear(&l.items[i]);
	l.n = n;
	if (o->volume != NULL && n == 0) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found%s%s", o->volume,
		    o->owner != NULL ? " for owner " : "",
		    o->owner != NULL ? o->owner : "");
		vapi_volume_list_clear(&l);
		return -1;
	}
	*out = l;
	return 0;
}

/* ---- shared-volumes list ---- */

static int
cmd_list(struct cli *c, const struct adm_opts *o)
{
	static const char *const cols[] = {"uuid", "shortid", "owner", "name",
	    "size", "usage", "state", "host", "export", "holders", "created"};
	struct vapi_volume_list l = {NULL, 0};
	struct tnfs_err err;
	struct table *t = NULL;
	char sid[CLI_SHORTID_BUFSZ], size[32], usage[32], holders[2048];
	char ts[TNFS_TIME_BUFSZ];
	int64_t ukey;
	size_t i;
	int rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if ((t = table_new()) == NULL)
		goto nomem;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (table_add_column(t, cols[i],
			strcmp(cols[i], "size") == 0 ||
				strcmp(cols[i], "usage") == 0
			    ? TABLE_RIGHT
			    : TABLE_LEFT,
			&err) == -1)
			goto fail;
	if (table_select(t,
		o->cols != NULL ? o->cols
				: "shortid,owner,name,size,usage,state,host,"
				  "export,holders",
		&err) == -1) {
		rc = cli_usage(c, "%s", err.msg);
		goto out;
	}
	if (select_volumes(c, o, &l, &err) == -1)
		goto fail;
	for (i = 0; i < l.n; i++) {
		const struct vapi_volume *v = &l.items[i];

		if (o->json) {
			if (v->raw != NULL)
				cli_print_json_line(stdout, v->raw);
			continue;
		}
		cli_shortid(v->uuid, sid);
		tnfs_size_format(v->size_mib, size, sizeof(size));
		format_usage(c, v, usage, sizeof(usage), &ukey);
		format_holders(v, holders, sizeof(holders));
		tnfs_time_format(v->create_timestamp_ms, ts);
		if (table_add_row(t, &err) == -1 ||
		    table_set(t, "uuid", v->uuid, &err) == -1 ||
		    table_set(t, "shortid", sid, &err) == -1 ||
		    table_set(t, "owner", v->owner_uuid, &err) == -1 ||
		    table_set(t, "name", v->name, &err) == -1 ||
		    table_set_num(
			t, "size", size, (int64_t)v->size_mib, &err) == -1 ||
		    table_set_num(t, "usage", usage, ukey, &err) == -1 ||
		    table_set(t, "state", v->state, &err) == -1 ||
		    table_set(t, "host", storage_host(v), &err) == -1 ||
		    table_set(t, "export", export_path(v), &err) == -1 ||
		    table_set(t, "holders", holders, &err) == -1 ||
		    table_set_num(
			t, "created", ts, v->create_timestamp_ms, &err) == -1)
			goto fail;
	}
	if (!o->json) {
		if (table_sort(t, o->sort != NULL ? o->sort : "owner,created",
			&err) == -1) {
			rc = cli_usage(c, "%s", err.msg);
			goto out;
		}
		table_print(t, stdout, o->no_header);
	}
	rc = CLI_EXIT_OK;
	goto out;
nomem:
	tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
fail:
	cli_error_err(c, &err);
out:
	table_free(t);
	vapi_volume_list_clear(&l);
	return rc;
}

/* ---- shared-volumes restart | update | rm ---- */

/*
 * The reference detail GET /admin/volumes gives for holder uuid (its lease
 * renewal and expiry), or NULL.
 */
static json_object *
ref_detail(const struct vapi_volume *v, const char *uuid)
{
	json_object *arr = member(v->raw, "refs_detail"), *d;
	const char *id;
	size_t i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(arr, i);
		if ((id = jsonx_get_str(d, "vm_uuid")) != NULL &&
		    strcmp(id, uuid) == 0)
			return d;
	}
	return NULL;
}

/*
 * In use: referenced by a host whose lease is live.  A VAPI that gives
 * no detail is taken at its word (any reference counts).
 */
static int
in_use(const struct vapi_volume *v)
{
	json_object *d;
	size_t i;
	int live;

	for (i = 0; i < v->nrefs; i++) {
		d = ref_detail(v, v->refs[i]);
		if (d == NULL || jsonx_get_bool(d, "live", &live) == -1 || live)
			return 1;
	}
	return 0;
}

static void
print_in_use(const struct vapi_volume *v, const char *verb)
{
	json_object *d;
	const char *renewed, *expires;
	size_t i;

	printf("Volume %s (%s) of %s is in use, not %s it; used by:\n", v->name,
	    v->uuid, v->owner_uuid, verb);
	for (i = 0; i < v->nrefs; i++) {
		d = ref_detail(v, v->refs[i]);
		renewed = jsonx_get_str(d, "renewed");
		expires = jsonx_get_str(d, "expires");
		if (renewed != NULL && expires != NULL)
			printf("    %s (lease renewed %s, expires %s)\n",
			    v->refs[i], renewed, expires);
		else
			printf("    %s\n", v->refs[i]);
	}
}

/* ---- shared-volumes update ---- */

/* Print one entry of the update reply; 1 when it was updated. */
static int
print_update_result(struct cli *c, json_object *o)
{
	const char *uuid = jsonx_get_str(o, "uuid");
	const char *name = jsonx_get_str(o, "name");
	const char *owner = jsonx_get_str(o, "owner_uuid");
	const char *result = jsonx_get_str(o, "result");
	const char *state = jsonx_get_str(o, "state");
	const char *msg = jsonx_get_str(o, "message");
	json_object *holders = member(o, "holders");
	size_t i, n;

	if (uuid == NULL || name == NULL || owner == NULL || result == NULL) {
		cli_error(c, "the VAPI's update reply lacks uuid, name, "
			     "owner_uuid or result");
		return 0;
	}
	if (strcmp(result, "updated") == 0) {
		printf("Updated volume %s (%s) of %s: %s\n", name, uuid, owner,
		    state != NULL ? state : "?");
		return 1;
	}
	if (strcmp(result, "in_use") == 0) {
		printf("Volume %s (%s) of %s is in use, not updating it; used "
		       "by:\n",
		    name, uuid, owner);
		n = holders != NULL && json_object_is_type(
					   holders, json_type_array)
			? json_object_array_length(holders)
			: 0;
		for (i = 0; i < n; i++)
			printf("    %s\n",
			    json_object_get_string(
				json_object_array_get_idx(holders, i)));
		return 0;
	}
	if (strcmp(result, "skipped") == 0) {
		printf("Skipped volume %s (%s) of %s: %s\n", name, uuid, owner,
		    msg != NULL ? msg : "not ready");
		return 0;
	}
	cli_error(c, "updating volume %s (%s) of %s: %s", name, uuid, owner,
	    msg != NULL ? msg : result);
	return 0;
}

/*
 * POST /admin/volumes/:uuid/update for one volume, POST
 * /admin/volumes/update for all or one owner's.  The VAPI leaves in-use
 * volumes alone and answers with a result per volume.
 */
static int
cmd_update(struct cli *c, const struct adm_opts *o)
{
	struct tnfs_err err;
	json_object *body = NULL, *reply = NULL, *vols;
	const char *uuid = o->volume;
	char path[128];
	size_t i, n, ok = 0;
	int status = 0, rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if ((body = json_object_new_object()) == NULL ||
	    (o->owner != NULL &&
		jsonx_add_str(body, "owner_uuid", o->owner) == -1)) {
		cli_error(c, "out of memory");
		goto out;
	}
	if (uuid != NULL)
		snprintf(path, sizeof(path), "/admin/volumes/%s/update", uuid);
	else
		snprintf(path, sizeof(path), "/admin/volumes/update");
	if (vapi_client_request(
		c->vapi, "POST", path, body, &status, &reply, &err) == -1) {
		if (tnfs_err_is(&err, TNFS_E_IN_USE)) {
			printf("Volume %s is in use, not updating it: %s\n",
			    uuid, err.msg);
		} else if (tnfs_err_is(&err, TNFS_E_RESOURCE_NOT_FOUND)) {
			cli_error(c,
			    "this VAPI has no update endpoint (%s): upgrade it, "
			    "or use shared-volumes restart",
			    err.msg);
		} else {
			cli_error_err(c, &err);
		}
		goto out;
	}
	vols = member(reply, "volumes");
	if (vols == NULL || !json_object_is_type(vols, json_type_array)) {
		cli_error(c, "the VAPI's update reply has no volumes");
		goto out;
	}
	n = json_object_array_length(vols);
	for (i = 0; i < n; i++)
		ok += (size_t)print_update_result(
		    c, json_object_array_get_idx(vols, i));
	if (n == 0)
		printf("No volumes selected\n");
	else if (uuid == NULL)
		printf("%zu updated, %zu not\n", ok, n - ok);
	rc = ok == n ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out:
	json_object_put(body);
	json_object_put(reply);
	return rc;
}

/* ---- token create ---- */

/* Write token to a new file only root reads; never over an existing one. */
static int
save_token(struct cli *c, const char *path, const char *token)
{
	size_t len = strlen(token), off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		 0600)) == -1) {
		cli_error(c, "cannot create %s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (remove it first: a token file is "
				      "never overwritten)"
				    : "");
		return -1;
	}
	while (off <= len) {
		const char *p = off < len ? token + off : "\n";
		size_t want = off < len ? len - off : 1;

		if ((n = write(fd, p, want)) == -1) {
			if (errno == EINTR)
				continue;
			cli_error(c, "cannot write %s: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		cli_error(c, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/*
 * A new random token and the entry for "tokens" in the VAPI's
 * configuration (its SHA-256, and the owner or the operator role).
 */
static int
cmd_token_create(struct cli *c, const struct adm_opts *o)
{
	char token[2 * TNFS_TOKEN_RANDOM_BYTES + 1];
	char hex[TNFS_SHA256_HEX_BUFSZ];
	struct tnfs_err err;
	json_object *entry = NULL;
	int rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if (tnfs_token_generate(token, &err) == -1) {
		cli_error_err(c, &err);
		return CLI_EXIT_FAIL;
	}
	tnfs_sha256_hex(token, strlen(token), hex);
	if ((entry = json_object_new_object()) == NULL ||
	    jsonx_add_str(entry, "sha256", hex) == -1 ||
	    (o->operator
		    ? jsonx_add_str(entry, "role", "operator")
		    : jsonx_add_str(entry, "owner_uuid", o->owner)) == -1) {
		cli_error(c, "out of memory");
		goto out;
	}
	if (o->save != NULL) {
		if (save_token(c, o->save, token) == -1)
			goto out;
	} else {
		printf("%s\n", token);
	}
	cli_print_json_line(stdout, entry);
	rc = CLI_EXIT_OK;
out:
	explicit_bzero(token, sizeof(token));
	json_object_put(entry);
	return rc;
}

static int
cmd_act(struct cli *c, enum adm_action act, const struct adm_opts *o)
{
	static const char *const verbs[] = {"", "restarting", "", "removing"};
	static const char *const done[] = {"", "Restarted", "", "Deleting"};
	struct vapi_volume_list l = {NULL, 0};
	struct tnfs_err err;
	char q[256];
	size_t i;
	int rc = CLI_EXIT_FAIL, left = 0, r;

	tnfs_err_clear(&err);
	if (select_volumes(c, o, &l, &err) == -1) {
		cli_error_err(c, &err);
		goto out;
	}
	if (l.n == 0) {
		printf("No volumes selected\n");
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (act == ADM_RM && !o->yes) {
		snprintf(q, sizeof(q), "Delete %zu volume%s?", l.n,
		    l.n == 1 ? "" : "s");
		if (!cli_confirm(q)) {
			printf("Aborting\n");
			rc = CLI_EXIT_OK;
			goto out;
		}
	}
	for (i = 0; i < l.n; i++) {
		const struct vapi_volume *v = &l.items[i];

		if (in_use(v)) {
			print_in_use(v, verbs[act]);
			left++;
			continue;
		}
		tnfs_err_clear(&err);
		if (act == ADM_RESTART)
			r = vapi_client_admin_restart(c->vapi, v->uuid, &err);
		else
			r = vapi_client_delete_volume(
			    c->vapi, v->uuid, v->owner_uuid, 0, &err);
		if (r == -1) {
			if (tnfs_err_is(&err, TNFS_E_IN_USE)) {
				/* Referenced since we listed it. */
				printf("Volume %s (%s) is in use, not %s it: "
				       "%s\n",
				    v->name, v->uuid, verbs[act], err.msg);
			} else {
				cli_error(c, "%s volume %s (%s): %s (%s)",
				    verbs[act], v->name, v->uuid, err.msg,
				    err.code);
			}
			left++;
			continue;
		}
		printf("%s volume %s (%s) of %s\n", done[act], v->name, v->uuid,
		    v->owner_uuid);
	}
	rc = left > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	vapi_volume_list_clear(&l);
	return rc;
}

/* ---- report ---- */

static int
report_volume(struct cli *c, const struct vapi_volume *v, json_object *arr,
    int json, size_t *nsnaps)
{
	struct vapi_snapshot_list sl = {NULL, 0};
	struct tnfs_err err;
	json_object *obj = NULL, *snaps = NULL;
	char size[32], usage[32], holders[2048], ts[TNFS_TIME_BUFSZ];
	int64_t ukey;
	size_t i;
	int rc = -1;

	tnfs_err_clear(&err);
	/* A backend without snapshots is no reason to stop the report. */
	if (vapi_client_list_snapshots(c->vapi, v->uuid, NULL, &sl, &err) == -1)
		vapi_snapshot_list_clear(&sl);
	*nsnaps += sl.n;
	if (json) {
		if ((obj = json_object_get(v->raw)) == NULL ||
		    (snaps = json_object_new_array()) == NULL)
			goto out;
		for (i = 0; i < sl.n; i++)
			if (sl.items[i].raw != NULL)
				json_object_array_add(
				    snaps, json_object_get(sl.items[i].raw));
		json_object_object_add(obj, "snapshots", snaps);
		snaps = NULL;
		json_object_array_add(arr, obj);
		obj = NULL;
		rc = 0;
		goto out;
	}
	tnfs_size_format(v->size_mib, size, sizeof(size));
	format_usage(c, v, usage, sizeof(usage), &ukey);
	format_holders(v, holders, sizeof(holders));
	tnfs_time_format(v->create_timestamp_ms, ts);
	printf("  volume %s (%s)\n", v->name, v->uuid);
	printf("    state %s, size %s, used %s, created %s\n", v->state, size,
	    usage, ts);
	printf("    storage host %s, export %s\n", storage_host(v),
	    export_path(v));
	printf("    networks");
	for (i = 0; i < v->nnetworks; i++)
		printf("%s %s", i > 0 ? "," : "", v->networks[i]);
	printf("%s\n", v->nnetworks == 0 ? " -" : "");
	printf("    used by %s\n", holders);
	printf("    snapshots");
	for (i = 0; i < sl.n; i++)
		printf("%s %s (%s)", i > 0 ? "," : "", sl.items[i].name,
		    sl.items[i].state);
	printf("%s\n", sl.n == 0 ? " -" : "");
	rc = 0;
out:
	json_object_put(obj);
	json_object_put(snaps);
	vapi_snapshot_list_clear(&sl);
	return rc;
}

static int
cmd_report(struct cli *c, const struct adm_opts *o)
{
	struct vapi_volume_list l = {NULL, 0};
	struct tnfs_err err;
	json_object *top = NULL, *arr = NULL;
	const char *owner = "";
	uint64_t total = 0;
	size_t i, nsnaps = 0, nowners = 0;
	char size[32];
	int rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if (select_volumes(c, o, &l, &err) == -1) {
		cli_error_err(c, &err);
		goto out;
	}
	if ((top = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL)
		goto nomem;
	/* Grouped by owner: sort the list by owner first. */
	for (i = 1; i < l.n; i++) {
		size_t j = i;
		struct vapi_volume tmp = l.items[i];

		while (j > 0 &&
		    strcmp(l.items[j - 1].owner_uuid, tmp.owner_uuid) > 0) {
			l.items[j] = l.items[j - 1];
			j--;
		}
		l.items[j] = tmp;
	}
	for (i = 0; i < l.n; i++) {
		if (!o->json && strcmp(owner, l.items[i].owner_uuid) != 0) {
			owner = l.items[i].owner_uuid;
			printf("owner %s\n", owner);
			nowners++;
		}
		total += l.items[i].size_mib;
		if (report_volume(c, &l.items[i], arr, o->json, &nsnaps) == -1)
			goto nomem;
	}
	if (o->json) {
		if (jsonx_add_str(top, "owner_uuid", o->owner) == -1 ||
		    jsonx_add_int64(top, "size_total", (int64_t)total) == -1)
			goto nomem;
		json_object_object_add(top, "volumes", arr);
		arr = NULL;
		cli_print_json_pretty(stdout, top);
	} else {
		tnfs_size_format(total, size, sizeof(size));
		printf("total: %zu volume%s of %zu owner%s, %s provisioned, "
		       "%zu snapshot%s\n",
		    l.n, l.n == 1 ? "" : "s", nowners, nowners == 1 ? "" : "s",
		    total > 0 ? size : "0G", nsnaps, nsnaps == 1 ? "" : "s");
	}
	rc = CLI_EXIT_OK;
	goto out;
nomem:
	cli_error(c, "out of memory");
out:
	json_object_put(top);
	json_object_put(arr);
	vapi_volume_list_clear(&l);
	return rc;
}

/* ---- main ---- */

static int
opt_uuid(struct cli *c, const char *what, const char *arg, const char **out)
{
	if (!tnfs_uuid_valid(arg))
		return cli_usage(c, "%s \"%s\" is not a uuid", what, arg);
	*out = arg;
	return 0;
}

/* --owner/--account select the volumes' owner here, not the caller. */
static int
opt_owner(struct cli *c, const char *arg, struct cli_opts *o)
{
	return opt_uuid(c, "owner", arg, &o->owner);
}

static int
opt_volume(struct cli *c, const char *arg, struct cli_opts *o)
{
	return opt_uuid(c, "volume", arg, &o->volume);
}

/* --operator and --save: token create's; o->ctx is the action. */
static int
opt_token_only(struct cli *c, const char *opt, const struct cli_opts *o)
{
	if (*(const enum adm_action *)o->ctx != ADM_TOKEN_CREATE)
		return cli_usage(c, "%s is for token create", opt);
	return 0;
}

static int
opt_operator(struct cli *c, const char *arg, struct cli_opts *o)
{
	(void)arg;
	if (opt_token_only(c, "--operator", o) != 0)
		return CLI_EXIT_USAGE;
	o->operator= 1;
	return 0;
}

static int
opt_save(struct cli *c, const char *arg, struct cli_opts *o)
{
	if (opt_token_only(c, "--save", o) != 0)
		return CLI_EXIT_USAGE;
	o->save = arg;
	return 0;
}

static int
adm_help(struct cli *c, struct cli_opts *o)
{
	(void)c;
	(void)o;
	fputs(usage_text, stdout);
	return CLI_EXIT_OK;
}

static const struct cli_opt action_opts[] = {
    CLI_OPT_CALL("owner", 0, 1, opt_owner),
    CLI_OPT_CALL("account", 0, 1, opt_owner),
    CLI_OPT_CALL("volume", 0, 1, opt_volume),
    CLI_OPT_FLAG("all", 0, all),
    CLI_OPT_CALL("operator", 0, 0, opt_operator),
    CLI_OPT_CALL("save", 0, 1, opt_save),
    CLI_OPT_FLAG("yes", 'y', yes),
    CLI_OPT_JSON,
    CLI_OPT_NO_HEADER,
    CLI_OPT_OUTPUT,
    CLI_OPT_SORT,
    CLI_OPT_HELP,
    CLI_OPT_END,
};

static int
parse_action(struct cli *c, int argc, char **argv, enum adm_action act,
    struct adm_opts *o)
{
	struct cli_opts co = {.ctx = &act};
	int rc;

	if ((rc = cli_opts_parse(c, argc, argv, action_opts, &co, adm_help)) !=
	    CLI_OPTS_GO)
		return rc;
	o->owner = co.owner;
	o->volume = co.volume;
	o->all = co.all;
	o->operator= co.operator;
	o->save = co.save;
	o->yes = co.yes;
	o->json = co.json;
	o->no_header = co.no_header;
	o->cols = co.cols;
	o->sort = co.sort;
	/* sdcadm's positional form: "list OWNER", "restart shared-volumes@U" */
	if (optind < argc && act == ADM_LIST && o->owner == NULL &&
	    tnfs_uuid_valid(argv[optind]))
		o->owner = argv[optind++];
	/* "update VOLUME", "restart shared-volumes@UUID" */
	if (optind < argc && (act == ADM_RESTART || act == ADM_UPDATE) &&
	    o->volume == NULL && !o->all) {
		const char *a = argv[optind++];

		if (strncmp(a, "shared-volumes@", 15) == 0)
			a += 15;
		o->volume_arg = a;
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
	if (act == ADM_TOKEN_CREATE) {
		if ((o->owner != NULL) == (o->operator != 0))
			return cli_usage(c, "give --owner UUID or --operator");
		return -1;
	}
	if ((act == ADM_RESTART || act == ADM_UPDATE || act == ADM_RM) &&
	    o->owner == NULL && o->volume == NULL && o->volume_arg == NULL &&
	    !(o->all && act != ADM_RM))
		return cli_usage(c, "%s",
		    act == ADM_RM ? "name the volumes: --owner and/or --volume"
				  : "name the volumes: --owner, --volume or "
				    "--all");
	if (act == ADM_RM && !o->yes && !cli_interactive())
		return cli_usage(c,
		    "not asking for confirmation on a "
		    "non-terminal: pass -y to remove");
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    CLI_CONN_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	static const struct {
		const char *group, *name;
		enum adm_action act;
		const char *cmd;
	} cmds[] = {
	    {"shared-volumes", "list", ADM_LIST, "shared-volumes list"},
	    {"shared-volumes", "ls", ADM_LIST, "shared-volumes list"},
	    {"shared-volumes", "restart", ADM_RESTART,
		"shared-volumes restart"},
	    {"shared-volumes", "update", ADM_UPDATE, "shared-volumes update"},
	    {"shared-volumes", "rm", ADM_RM, "shared-volumes rm"},
	    {"report", NULL, ADM_REPORT, "report"},
	    {"instances", NULL, ADM_INSTANCES, "instances"},
	    {"token", "create", ADM_TOKEN_CREATE, "token create"},
	};
	char resolved[VAPI_UUID_BUFSZ];
	struct adm_opts o;
	struct tnfs_err err;
	struct cli c;
	size_t i, used;
	int opt, r, rc = CLI_EXIT_USAGE, found = -1;

	cli_init(&c, PROG);
	memset(&o, 0, sizeof(o));
	tnfs_err_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			rc = CLI_EXIT_OK;
			goto out;
		}
		if (opt == 'V') {
			printf("%s %s\n", PROG, TNFS_VERSION);
			rc = CLI_EXIT_OK;
			goto out;
		}
		if ((r = cli_conn_option(&c, opt, optarg)) == 1)
			continue;
		if (r == 0)
			cli_usage(&c, "bad option \"%s\"", argv[optind - 1]);
		goto out;
	}
	if (optind == argc) {
		cli_error(&c, "no command given");
		fputs(usage_text, stderr);
		goto out;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && found < 0; i++) {
		if (strcmp(argv[optind], cmds[i].group) != 0)
			continue;
		if (cmds[i].name == NULL ||
		    (optind + 1 < argc &&
			strcmp(argv[optind + 1], cmds[i].name) == 0))
			found = (int)i;
	}
	if (found < 0) {
		cli_usage(&c, "unknown command \"%s%s%s\"", argv[optind],
		    optind + 1 < argc ? " " : "",
		    optind + 1 < argc ? argv[optind + 1] : "");
		goto out;
	}
	c.cmd = cmds[found].cmd;
	used = cmds[found].name == NULL ? 0 : 1;
	/* The owner of --owner here selects volumes, not the account. */
	if (c.owner != NULL) {
		o.owner = c.owner;
		if (!tnfs_uuid_valid(o.owner)) {
			cli_usage(&c, "owner \"%s\" is not a uuid", o.owner);
			goto out;
		}
	}
	optind += (int)used;
	argc -= optind;
	argv += optind;
	optind = 0;
	if ((rc = parse_action(&c, argc, argv, cmds[found].act, &o)) != -1)
		goto out;
	if (cmds[found].act == ADM_TOKEN_CREATE) {
		rc = cmd_token_create(&c, &o);
		goto out;
	}
	/* The VAPI updates volume after volume within this one request. */
	if (cmds[found].act == ADM_UPDATE && c.timeout_ms == 0 &&
	    getenv("TRITONNFS_TIMEOUT") == NULL)
		c.timeout_ms = UPDATE_TIMEOUT_S * 1000;
	if (vapi_client_global_init(&err) == -1) {
		cli_error_err(&c, &err);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_connect(&c, 0) == 0 && o.volume_arg != NULL) {
		struct vapi_volume v;

		memset(&v, 0, sizeof(v));
		if (cli_resolve_volume(c.vapi, o.owner, o.volume_arg, &v,
			&err) == -1) {
			cli_error_err(&c, &err);
			vapi_client_free(c.vapi);
			c.vapi = NULL;
		} else {
			memcpy(resolved, v.uuid, sizeof(resolved));
			o.volume = resolved;
		}
		vapi_volume_clear(&v);
	}
	if (c.vapi != NULL) {
		switch (cmds[found].act) {
		case ADM_LIST:
			rc = cmd_list(&c, &o);
			break;
		case ADM_REPORT:
			rc = cmd_report(&c, &o);
			break;
		case ADM_INSTANCES:
			rc = adm_instances(&c, o.json, o.no_header);
			break;
		case ADM_UPDATE:
			rc = cmd_update(&c, &o);
			break;
		default:
			rc = cmd_act(&c, cmds[found].act, &o);
			break;
		}
	}
	vapi_client_global_cleanup();
out:
	cli_fini(&c);
	return rc;
}
