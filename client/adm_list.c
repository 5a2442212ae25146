/*
 * adm_list.c: tritonnfs-adm's views of volumes: the selection every
 * command shares (--volume, --owner or all), `shared-volumes list` as a
 * table and `report`, per owner with snapshots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "jsonx.h"
#include "parse.h"
#include "table.h"
#include "timefmt.h"

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

int
adm_select_volumes(struct cli *c, const struct adm_opts *o,
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

int
adm_list(struct cli *c, const struct adm_opts *o)
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
	if (adm_select_volumes(c, o, &l, &err) == -1)
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
	rc = o->json ? CLI_EXIT_OK
		     : cli_table_print(c, t,
			   o->sort != NULL ? o->sort : "owner,created",
			   o->no_header);
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

int
adm_report(struct cli *c, const struct adm_opts *o)
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
	if (adm_select_volumes(c, o, &l, &err) == -1) {
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
