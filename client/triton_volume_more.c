/*
 * triton_volume_more.c: the triton-volume subcommands node-triton lacks:
 * rename (node-triton#189), resize (grow only; the seed's requirement 2),
 * snapshots (the RFD's snapshot milestone), networks (so users can find
 * what -N takes) and access (addresses granted to a volume's export).
 * Same conventions as triton_volume.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "jsonx.h"
#include "parse.h"
#include "table.h"
#include "timefmt.h"
#include "triton_volume.h"

/* Options of the small subcommands: only -h, -j, -y and table flags. */
struct small_opts {
	int json;
	int yes;
	int no_header;
	int lng;
	const char *cols;
	const char *sort;
};

/*
 * Parse the options of a small subcommand.  Returns -1 to go on, or the
 * exit code when done (--help, usage error).
 */
static int
small_parse(struct cli *c, int argc, char **argv, const char *shortopts,
    const char *usage, struct small_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"yes", no_argument, NULL, 'y'},
	    {"no-header", no_argument, NULL, 'H'},
	    {"long", no_argument, NULL, 'l'},
	    {"output", required_argument, NULL, 'o'},
	    {"sort-by", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_CONN_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int opt, r;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while (
	    (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if ((r = cli_conn_option(c, opt, optarg)) == 1)
			continue;
		if (r == -1)
			return CLI_EXIT_USAGE;
		/* Long options stay valid only where the short one is. */
		if (opt != '?' && strchr(shortopts, opt) == NULL)
			opt = '?';
		switch (opt) {
		case 'j':
			o->json = 1;
			break;
		case 'y':
			o->yes = 1;
			break;
		case 'H':
			o->no_header = 1;
			break;
		case 'l':
			o->lng = 1;
			break;
		case 'o':
			o->cols = optarg;
			break;
		case 's':
			o->sort = optarg;
			break;
		case 'h':
			printf("usage: %s %s\n", c->prog, usage);
			return CLI_EXIT_OK;
		default:
			return cli_usage(c, "bad option \"%s\"",
			    optind > 0 && optind <= argc ? argv[optind - 1]
							 : "?");
		}
	}
	return -1;
}

int
tv_rename(struct cli *c, int argc, char **argv)
{
	struct vapi_update_req rq;
	struct vapi_volume v, after;
	struct small_opts o;
	struct tnfs_err err;
	const char *newname;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&after, 0, sizeof(after));
	tnfs_err_clear(&err);
	if ((rc = small_parse(
		 c, argc, argv, "h", "rename VOLUME NEWNAME", &o)) != -1)
		return rc;
	if (argc - optind != 2)
		return cli_usage(c, "expected VOLUME and NEWNAME");
	newname = argv[optind + 1];
	if (tnfs_name_check(newname, &err) == -1)
		return cli_usage(c, "%s", err.msg);
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(c->vapi, c->owner, argv[optind], &v, &err) == -1)
		goto fail;
	memset(&rq, 0, sizeof(rq));
	rq.owner_uuid = c->owner;
	rq.name = newname;
	if (vapi_client_update_volume(c->vapi, v.uuid, &rq, &after, &err) ==
	    -1) {
		vapi_client_name_holders(c->vapi, c->owner, &err);
		goto fail;
	}
	printf("Renamed volume %s (%s) to %s\n", v.name, v.uuid, newname);
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	vapi_volume_clear(&v);
	vapi_volume_clear(&after);
	return rc;
}

int
tv_resize(struct cli *c, int argc, char **argv)
{
	struct vapi_update_req rq;
	struct vapi_volume v, after;
	struct small_opts o;
	struct tnfs_err err;
	char from[32], to[32];
	uint64_t mib;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&after, 0, sizeof(after));
	tnfs_err_clear(&err);
	if ((rc = small_parse(c, argc, argv, "h", "resize VOLUME SIZE", &o)) !=
	    -1)
		return rc;
	if (argc - optind != 2)
		return cli_usage(c, "expected VOLUME and SIZE");
	if (tnfs_size_parse(argv[optind + 1], &mib, &err) == -1)
		return cli_usage(c,
		    "size \"%s\" is not a valid volume size: %s",
		    argv[optind + 1], err.msg);
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(c->vapi, c->owner, argv[optind], &v, &err) == -1)
		goto fail;
	if (tv_pick_size(c, argv[optind + 1], &mib) == -1)
		goto out;
	tnfs_size_format(v.size_mib, from, sizeof(from));
	tnfs_size_format(mib, to, sizeof(to));
	if (mib < v.size_mib) {
		cli_error(c,
		    "volume %s (%s) is %s: volumes grow but never shrink",
		    v.name, v.uuid, from);
		goto out;
	}
	if (mib == v.size_mib) {
		printf("Volume %s (%s) is already %s\n", v.name, v.uuid, to);
		rc = CLI_EXIT_OK;
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.owner_uuid = c->owner;
	rq.size_mib = mib;
	if (vapi_client_update_volume(c->vapi, v.uuid, &rq, &after, &err) == -1)
		goto fail;
	printf(
	    "Resized volume %s (%s) from %s to %s\n", v.name, v.uuid, from, to);
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	vapi_volume_clear(&v);
	vapi_volume_clear(&after);
	return rc;
}

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
    struct cli *c, const struct vapi_volume *v, const struct small_opts *o)
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
	if (!o->json) {
		if (table_sort(
			t, o->sort != NULL ? o->sort : "created", &err) == -1) {
			rc = cli_usage(c, "%s", err.msg);
			goto out;
		}
		table_print(t, stdout, o->no_header);
	}
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	table_free(t);
	vapi_snapshot_list_clear(&l);
	return rc;
}

int
tv_snapshot(struct cli *c, int argc, char **argv)
{
	static const char *const usage =
	    "snapshot create [-j] VOLUME NAME | snapshot list [-H] [-j] "
	    "[-o COLS] [-s SORT] VOLUME |\n"
	    "       snapshot delete VOLUME NAME | snapshot rollback [-y] "
	    "VOLUME NAME";
	struct vapi_snapshot snap;
	struct vapi_volume v;
	struct small_opts o;
	struct tnfs_err err;
	json_object *js;
	enum { SNAP_CREATE, SNAP_LIST, SNAP_DELETE, SNAP_ROLLBACK } act;
	const char *action, *shortopts, *name = NULL;
	char cmd[32], q[1024];
	int rc, nargs;

	memset(&snap, 0, sizeof(snap));
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
	action = argv[1];
	if (strcmp(action, "create") == 0) {
		act = SNAP_CREATE;
		shortopts = "jh";
	} else if (strcmp(action, "list") == 0 || strcmp(action, "ls") == 0) {
		act = SNAP_LIST;
		shortopts = "Hjo:s:h";
	} else if (strcmp(action, "delete") == 0 || strcmp(action, "rm") == 0) {
		act = SNAP_DELETE;
		shortopts = "h";
	} else if (strcmp(action, "rollback") == 0) {
		act = SNAP_ROLLBACK;
		shortopts = "yh";
	} else
		return cli_usage(c,
		    "unknown snapshot action \"%s\" (create, "
		    "list, delete, rollback)",
		    action);
	snprintf(cmd, sizeof(cmd), "snapshot %s", action);
	c->cmd = cmd;
	if ((rc = small_parse(c, argc - 1, argv + 1, shortopts, usage, &o)) !=
	    -1)
		goto out;
	/* optind counts within argv + 1. */
	nargs = argc - 1 - optind;
	if (act == SNAP_LIST ? nargs != 1 : nargs != 2) {
		rc = cli_usage(c,
		    act == SNAP_LIST ? "expected VOLUME"
				     : "expected VOLUME and a snapshot NAME");
		goto out;
	}
	if (nargs == 2) {
		name = argv[1 + optind + 1];
		if (tnfs_name_check(name, &err) == -1) {
			rc = cli_usage(c, "snapshot %s", err.msg);
			goto out;
		}
	}
	if (act == SNAP_ROLLBACK && !o.yes && !cli_interactive()) {
		rc = cli_usage(c,
		    "not asking for confirmation on a "
		    "non-terminal: pass -y to roll back");
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(c->vapi, c->owner, argv[1 + optind], &v, &err) ==
	    -1)
		goto fail;
	switch (act) {
	case SNAP_CREATE:
		if (vapi_client_create_snapshot(
			c->vapi, v.uuid, c->owner, name, &snap, &err) == -1)
			goto fail;
		if (o.json) {
			if ((js = snapshot_json(&snap)) == NULL) {
				cli_error(c, "out of memory");
				goto out;
			}
			cli_print_json_line(stdout, js);
			json_object_put(js);
		} else {
			printf("Created snapshot %s of volume %s (%s)\n", name,
			    v.name, v.uuid);
		}
		break;
	case SNAP_LIST:
		rc = snapshot_list(c, &v, &o);
		goto out;
	case SNAP_DELETE:
		if (vapi_client_delete_snapshot(
			c->vapi, v.uuid, c->owner, name, &err) == -1)
			goto fail;
		printf("Deleted snapshot %s of volume %s (%s)\n", name, v.name,
		    v.uuid);
		break;
	case SNAP_ROLLBACK:
		snprintf(q, sizeof(q),
		    "Roll back volume %s to snapshot %s? Changes made since "
		    "the snapshot will be lost.",
		    v.name, name);
		if (!o.yes && !cli_confirm(q)) {
			printf("Aborting\n");
			rc = CLI_EXIT_OK;
			goto out;
		}
		if (vapi_client_rollback_snapshot(
			c->vapi, v.uuid, c->owner, name, &err) == -1)
			goto fail;
		printf("Rolled back volume %s (%s) to snapshot %s\n", v.name,
		    v.uuid, name);
		break;
	}
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	c->cmd = "snapshot";
	vapi_snapshot_clear(&snap);
	vapi_volume_clear(&v);
	return rc;
}

/* ---- networks ---- */

int
tv_networks(struct cli *c, int argc, char **argv)
{
	struct vapi_network_list l = {NULL, 0};
	struct small_opts o;
	struct tnfs_err err;
	struct table *t = NULL;
	char shortid[CLI_SHORTID_BUFSZ];
	size_t i;
	int rc;

	tnfs_err_clear(&err);
	if ((rc = small_parse(c, argc, argv, "lHjo:s:h",
		 "networks [-l] [-H] [-o COLS] [-s SORT] [-j]", &o)) != -1)
		return rc;
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
	rc = CLI_EXIT_FAIL;
	if ((t = table_new()) == NULL ||
	    table_add_column(t, "shortid", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "id", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "name", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "subnet", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "fabric", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "default", TABLE_LEFT, &err) == -1)
		goto fail;
	if (table_select(t,
		o.cols != NULL ? o.cols
		    : o.lng    ? "id,name,subnet,fabric,default"
			       : "shortid,name,subnet,default",
		&err) == -1) {
		rc = cli_usage(c, "%s", err.msg);
		goto out;
	}
	if (cli_connect(c, 0) == -1)
		goto out;
	if (vapi_client_list_networks(c->vapi, &l, &err) == -1)
		goto fail;
	for (i = 0; i < l.n; i++) {
		if (o.json) {
			if (l.items[i].raw != NULL)
				cli_print_json_line(stdout, l.items[i].raw);
			continue;
		}
		cli_shortid(l.items[i].uuid, shortid);
		if (table_add_row(t, &err) == -1 ||
		    table_set(t, "shortid", shortid, &err) == -1 ||
		    table_set(t, "id", l.items[i].uuid, &err) == -1 ||
		    table_set(t, "name", l.items[i].name, &err) == -1 ||
		    table_set(t, "subnet", l.items[i].subnet, &err) == -1 ||
		    table_set(t, "fabric", l.items[i].fabric ? "true" : "false",
			&err) == -1 ||
		    table_set(t, "default",
			l.items[i].is_default ? "true" : "false", &err) == -1)
			goto fail;
	}
	if (!o.json) {
		if (table_sort(t, o.sort != NULL ? o.sort : "name", &err) ==
		    -1) {
			rc = cli_usage(c, "%s", err.msg);
			goto out;
		}
		table_print(t, stdout, o.no_header);
	}
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	table_free(t);
	vapi_network_list_clear(&l);
	return rc;
}

/*
 * access grant|revoke|list: the addresses a volume's export admits beside
 * the Docker hosts that hold it, for clients that are not Docker hosts
 * (docs/isolation.md).
 */
int
tv_access(struct cli *c, int argc, char **argv)
{
	static const char *const usage =
	    "access grant VOLUME ADDRESS | access revoke VOLUME ADDRESS |\n"
	    "       access list [-j] VOLUME";
	struct vapi_volume v;
	struct small_opts o;
	struct tnfs_err err;
	const char *action;
	char cmd[32], **addrs = NULL;
	size_t naddrs = 0, i;
	int rc, nargs, list;

	memset(&v, 0, sizeof(v));
	tnfs_err_clear(&err);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		if (argc < 2)
			return cli_usage(c, "expected grant, revoke or list");
		printf("usage: %s %s\n", c->prog, usage);
		return CLI_EXIT_OK;
	}
	action = argv[1];
	list = strcmp(action, "list") == 0 || strcmp(action, "ls") == 0;
	if (!list && strcmp(action, "grant") != 0 &&
	    strcmp(action, "revoke") != 0)
		return cli_usage(c,
		    "unknown access action \"%s\" (grant, revoke, list)",
		    action);
	snprintf(cmd, sizeof(cmd), "access %s", action);
	c->cmd = cmd;
	if ((rc = small_parse(c, argc - 1, argv + 1, list ? "jh" : "h", usage,
		 &o)) != -1)
		return rc;
	nargs = argc - 1 - optind;
	if (list ? nargs != 1 : nargs != 2)
		return cli_usage(c,
		    list ? "expected VOLUME" : "expected VOLUME and ADDRESS");
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(
		c->vapi, c->owner, argv[1 + optind], &v, &err) == -1)
		goto fail;
	if (list) {
		if (vapi_client_list_access(
			c->vapi, v.uuid, c->owner, &addrs, &naddrs, &err) == -1)
			goto fail;
		if (o.json) {
			json_object *a = json_object_new_array();

			for (i = 0; a != NULL && i < naddrs; i++)
				json_object_array_add(
				    a, json_object_new_string(addrs[i]));
			cli_print_json_line(stdout, a);
			json_object_put(a);
		} else {
			for (i = 0; i < naddrs; i++)
				printf("%s\n", addrs[i]);
		}
	} else if (action[0] == 'g') {
		if (vapi_client_grant_access(c->vapi, v.uuid, c->owner,
			argv[2 + optind], &err) == -1)
			goto fail;
		printf("Granted %s access to volume %s (%s)\n",
		    argv[2 + optind], v.name, v.uuid);
	} else {
		if (vapi_client_revoke_access(c->vapi, v.uuid, c->owner,
			argv[2 + optind], &err) == -1)
			goto fail;
		printf("Revoked %s's access to volume %s (%s)\n",
		    argv[2 + optind], v.name, v.uuid);
	}
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	vapi_strv_free(addrs, naddrs);
	vapi_volume_clear(&v);
	return rc;
}
