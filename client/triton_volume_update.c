/*
 * triton_volume_update.c: the triton-volume subcommands that change a
 * volume in place, which node-triton lacks: rename (node-triton#189) and
 * resize (grow only).  Same conventions as triton_volume.c.
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

int
tv_rename(struct cli *c, int argc, char **argv)
{
	struct vapi_update_req rq;
	struct vapi_volume v, after;
	struct cli_opts o;
	struct tnfs_err err;
	const char *newname;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&after, 0, sizeof(after));
	tnfs_err_clear(&err);
	if ((rc = cli_opts_parse_small(
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
	struct cli_opts o;
	struct tnfs_err err;
	char from[32], to[32];
	uint64_t mib;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&after, 0, sizeof(after));
	tnfs_err_clear(&err);
	if ((rc = cli_opts_parse_small(
		 c, argc, argv, "h", "resize VOLUME SIZE", &o)) != -1)
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
