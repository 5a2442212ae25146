/*
 * triton_volume_snapshot.c: triton-volume snapshot create, list, delete
 * and rollback (the RFD's snapshot milestone).  Same conventions as
 * triton_volume.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_opts.h"
#include "jsonx.h"
#include "parse.h"
#include "table.h"
#include "timefmt.h"
#include "triton_volume.h"

/* ---- snapshot ---- */

static json_object *
snapshot_json(const struct vapi_snapshot *s)
{
	json_object *o;
	char ts[TNFS_TIME_BUFSZ];

	if (s->raw != NULL)
		return json_object_get(s->raw);
	tnfs_time_format(s->create_timestamp_ms, ts);
	if ((o = json_object_new_object()) == NULL ||
	    jsonx_add_str(o, "name", s->name) == -1 ||
	    jsonx_add_str(o, "state", s->state) == -1 ||
	    jsonx_add_str(o, "created", ts) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int
snapshot_list(
    struct cli *c, const struct vapi_volume *v, const struct cli_opts *o)
{
	struct vapi_snapshot_list l = {NULL, 0};
	struct tnfs_err err;
	struct table *t = NULL;
	json_object *js;
	char ts[TNFS_TIME_BUFSZ], age[CLI_AGE_BUFSZ];
	int64_t now = cli_now_ms();
	size_t i;
	int rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if ((t = table_new()) == NULL ||
	    table_add_column(t, "name", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "state", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "created", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "age", TABLE_LEFT, &err) == -1)
		goto fail;
	if (table_select(
		t, o->cols != NULL ? o->cols : "name,state,age", &err) == -1) {
		rc = cli_usage(c, "%s", err.msg);
		goto out;
	}
	if (vapi_client_list_snapshots(c->vapi, v->uuid, c->owner, &l, &err) ==
	    -1)
		goto fail;
	for (i = 0; i < l.n; i++) {
		if (o->json) {
			if ((js = snapshot_json(&l.items[i])) == NULL) {
				tnfs_err_set(
				    &err, TNFS_E_INTERNAL, "out of memory");
				goto fail;
			}
			cli_print_json_line(stdout, js);
			json_object_put(js);
			continue;
		}
		tnfs_time_format(l.items[i].create_timestamp_ms, ts);
		cli_format_age(now, l.items[i].create_timestamp_ms, age);
		if (table_add_row(t, &err) == -1 ||
		    table_set(t, "name", l.items[i].name, &err) == -1 ||
		    table_set(t, "state", l.items[i].state, &err) == -1 ||
		    table_set_num(t, "created", ts,
			l.items[i].create_timestamp_ms, &err) == -1 ||
		    table_set_num(t, "age", age,
			-l.items[i].create_timestamp_ms, &err) == -1)
			goto fail;
	}
	rc = o->json ? CLI_EXIT_OK
		     : cli_table_print(c, t,
			   o->sort != NULL ? o->sort : "created", o->no_header);
	goto out;
fail:
	cli_error_err(c, &err);
out:
	table_free(t);
	vapi_snapshot_list_clear(&l);
	return rc;
}

enum snap_act { SNAP_CREATE, SNAP_LIST, SNAP_DELETE, SNAP_ROLLBACK };

/* The actions: their names, their short options, VOLUME NAME or VOLUME. */
static const struct snap_action {
	const char *name, *alias;
	enum snap_act act;
	const char *shortopts;
} snap_actions[] = {
    {"create", NULL, SNAP_CREATE, "jh"},
    {"list", "ls", SNAP_LIST, "Hjo:s:h"},
    {"delete", "rm", SNAP_DELETE, "h"},
    {"rollback", NULL, SNAP_ROLLBACK, "yh"},
};

static const struct snap_action *
snap_action(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(snap_actions) / sizeof(snap_actions[0]); i++)
		if (strcmp(name, snap_actions[i].name) == 0 ||
		    (snap_actions[i].alias != NULL &&
			strcmp(name, snap_actions[i].alias) == 0))
			return &snap_actions[i];
	return NULL;
}

static int
snapshot_create(struct cli *c, const struct vapi_volume *v, const char *name,
    const struct cli_opts *o, struct tnfs_err *err)
{
	struct vapi_snapshot snap;
	json_object *js;
	int rc = -1;

	memset(&snap, 0, sizeof(snap));
	if (vapi_client_create_snapshot(
		c->vapi, v->uuid, c->owner, name, &snap, err) == -1)
		goto out;
	if (o->json) {
		if ((js = snapshot_json(&snap)) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		cli_print_json_line(stdout, js);
		json_object_put(js);
	} else {
		printf("Created snapshot %s of volume %s (%s)\n", name, v->name,
		    v->uuid);
	}
	rc = 0;
out:
	vapi_snapshot_clear(&snap);
	return rc;
}

/* 1 when the user said no (nothing was done), else 0 or -1. */
static int
snapshot_rollback(struct cli *c, const struct vapi_volume *v,
    const char *name, const struct cli_opts *o, struct tnfs_err *err)
{
	char q[1024];

	snprintf(q, sizeof(q),
	    "Roll back volume %s to snapshot %s? Changes made since the "
	    "snapshot will be lost.",
	    v->name, name);
	if (!o->yes && !cli_confirm(q)) {
		printf("Aborting\n");
		return 1;
	}
	if (vapi_client_rollback_snapshot(
		c->vapi, v->uuid, c->owner, name, err) == -1)
		return -1;
	printf("Rolled back volume %s (%s) to snapshot %s\n", v->name, v->uuid,
	    name);
	return 0;
}

/*
 * The action's arguments after its options (argv + 1 and optind as
 * cli_opts_parse_small left them): VOLUME, and a snapshot NAME but for
 * list.  -1 to go on, else the exit status (a usage error printed).
 */
static int
snapshot_args(struct cli *c, const struct snap_action *a, int argc,
    char **argv, const struct cli_opts *o, const char **name)
{
	struct tnfs_err err;
	int nargs = argc - 1 - optind;

	tnfs_err_clear(&err);
	if (a->act == SNAP_LIST ? nargs != 1 : nargs != 2)
		return cli_usage(c,
		    a->act == SNAP_LIST ? "expected VOLUME"
					: "expected VOLUME and a snapshot NAME");
	if (nargs == 2) {
		*name = argv[1 + optind + 1];
		if (tnfs_name_check(*name, &err) == -1)
			return cli_usage(c, "snapshot %s", err.msg);
	}
	if (a->act == SNAP_ROLLBACK && !o->yes && !cli_interactive())
		return cli_usage(c,
		    "not asking for confirmation on a "
		    "non-terminal: pass -y to roll back");
	return -1;
}

int
tv_snapshot(struct cli *c, int argc, char **argv)
{
	static const char *const usage =
	    "snapshot create [-j] VOLUME NAME | snapshot list [-H] [-j] "
	    "[-o COLS] [-s SORT] VOLUME |\n"
	    "       snapshot delete VOLUME NAME | snapshot rollback [-y] "
	    "VOLUME NAME";
	const struct snap_action *a;
	struct vapi_volume v;
	struct cli_opts o;
	struct tnfs_err err;
	const char *name = NULL;
	char cmd[32];
	int rc, r = 0;

	memset(&v, 0, sizeof(v));
	tnfs_err_clear(&err);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		if (argc < 2)
			return cli_usage(c,
			    "expected create, list, delete or "
			    "rollback");
		printf("usage: %s %s\n", c->prog, usage);
		return CLI_EXIT_OK;
	}
	if ((a = snap_action(argv[1])) == NULL)
		return cli_usage(c,
		    "unknown snapshot action \"%s\" (create, "
		    "list, delete, rollback)",
		    argv[1]);
	snprintf(cmd, sizeof(cmd), "snapshot %s", argv[1]);
	c->cmd = cmd;
	if ((rc = cli_opts_parse_small(
		 c, argc - 1, argv + 1, a->shortopts, usage, &o)) != -1 ||
	    (rc = snapshot_args(c, a, argc, argv, &o, &name)) != -1)
		goto out;
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(c->vapi, c->owner, argv[1 + optind], &v, &err) ==
	    -1)
		goto fail;
	switch (a->act) {
	case SNAP_CREATE:
		r = snapshot_create(c, &v, name, &o, &err);
		break;
	case SNAP_LIST:
		rc = snapshot_list(c, &v, &o);
		goto out;
	case SNAP_DELETE:
		if ((r = vapi_client_delete_snapshot(
			 c->vapi, v.uuid, c->owner, name, &err)) == 0)
			printf("Deleted snapshot %s of volume %s (%s)\n", name,
			    v.name, v.uuid);
		break;
	case SNAP_ROLLBACK:
		r = snapshot_rollback(c, &v, name, &o, &err);
		break;
	}
	if (r == -1)
		goto fail;
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	c->cmd = "snapshot";
	vapi_volume_clear(&v);
	return rc;
}
