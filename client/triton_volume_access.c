/*
 * triton_volume_access.c: where a volume can be reached from: triton-volume
 * networks (so users can find what -N takes) and access (addresses granted
 * to a volume's export).  Same conventions as triton_volume.c.
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

/* ---- networks ---- */

int
tv_networks(struct cli *c, int argc, char **argv)
{
	struct vapi_network_list l = {NULL, 0};
	struct cli_opts o;
	struct tnfs_err err;
	struct table *t = NULL;
	char shortid[CLI_SHORTID_BUFSZ];
	size_t i;
	int rc;

	tnfs_err_clear(&err);
	if ((rc = cli_opts_parse_small(c, argc, argv, "lHjo:s:h",
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
	rc = o.json ? CLI_EXIT_OK
		    : cli_table_print(c, t, o.sort != NULL ? o.sort : "name",
			  o.no_header);
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
	struct cli_opts o;
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
	if ((rc = cli_opts_parse_small(
		 c, argc - 1, argv + 1, list ? "jh" : "h", usage, &o)) != -1)
		return rc;
	nargs = argc - 1 - optind;
	if (list ? nargs != 1 : nargs != 2)
		return cli_usage(c,
		    list ? "expected VOLUME" : "expected VOLUME and ADDRESS");
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(c->vapi, c->owner, argv[1 + optind], &v, &err) ==
	    -1)
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
