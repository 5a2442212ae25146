/*
 * triton_volume.c: triton-volume, the user command line for shared volumes.
 *
 * The subcommands, flags, columns and messages are node-triton's `triton
 * volume` (reference/triton-volumes.md §6) so that its users feel at home;
 * the difference is that this talks to the VAPI through libvapi rather than
 * to CloudAPI, and that it adds what Triton never built (rename, resize,
 * snapshots, access: triton_volume_update.c, triton_volume_snapshot.c,
 * triton_volume_access.c).  This file holds node-triton's five
 * subcommands; triton_volume_main.c dispatches to them.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "affinity.h"
#include "cli_args.h"
#include "cli_common.h"
#include "cli_opts.h"
#include "jsonx.h"
#include "parse.h"
#include "table.h"
#include "timefmt.h"
#include "triton_volume.h"

#define TV_PROG              "triton-volume"
#define WAIT_TIMEOUT_DEFAULT 120
#define MAX_TAGS             64
#define MAX_AFFINITY         TNFS_AFFINITY_RULES_MAX

/* -h/--help of every subcommand: its section of the help text. */
static int
tv_opts_help(struct cli *c, struct cli_opts *o)
{
	(void)o;
	return tv_help(c->cmd);
}

/* ---- create ---- */

/* node-triton's rewording of VolumeSizeNotAvailable, with the sizes. */
static void
print_size_error(const struct cli *c, const struct tnfs_err *err)
{
	if (tnfs_err_is(err, TNFS_E_SIZE_NOT_AVAILABLE))
		cli_error(c,
		    "volume size not available, use \"%s sizes\" for "
		    "available sizes (%s)",
		    TV_PROG, err->msg);
	else
		cli_error_err(c, err);
}

int
tv_pick_size(struct cli *c, const char *text, uint64_t *mib)
{
	struct vapi_size *sizes = NULL;
	struct tnfs_err err;
	uint64_t want, got, *mibs = NULL;
	char a[32], b[32];
	size_t n = 0, i;
	int rc = -1;

	tnfs_err_clear(&err);
	if (tnfs_size_parse(text, &want, &err) == -1)
		goto fail;
	if (vapi_client_list_sizes(c->vapi, &sizes, &n, &err) == -1)
		goto fail;
	if ((mibs = calloc(n + 1, sizeof(*mibs))) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		mibs[i] = sizes[i].size_mib;
	if (tnfs_size_round_up(want, mibs, n, &got, &err) == -1)
		goto fail;
	if (got != want) {
		tnfs_size_format(want, a, sizeof(a));
		tnfs_size_format(got, b, sizeof(b));
		fprintf(stderr,
		    "%s %s: size %s is not available, using %s (the next "
		    "larger size)\n",
		    c->prog, c->cmd, a, b);
	}
	*mib = got;
	rc = 0;
	goto out;
fail:
	print_size_error(c, &err);
out:
	free(mibs);
	free(sizes);
	return rc;
}

/* POST /volumes by hand: libvapi's create request has no affinity field. */
static int
create_with_affinity(struct cli *c, const struct vapi_create_req *rq,
    json_object *affinity, struct vapi_volume *out, struct tnfs_err *err)
{
	json_object *body, *nets, *reply = NULL;
	int status = 0, rc = -1;

	if ((body = json_object_new_object()) == NULL ||
	    (nets = json_object_new_array()) == NULL) {
		json_object_put(body);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	json_object_object_add(body, "networks", nets);
	if (jsonx_add_str(body, "owner_uuid", rq->owner_uuid) == -1 ||
	    jsonx_add_str(body, "type", "tritonnfs") == -1 ||
	    jsonx_add_str(body, "name", rq->name) == -1 ||
	    json_object_array_add(
		nets, json_object_new_string(rq->networks[0])) != 0 ||
	    jsonx_add_str(body, "source_volume", rq->source_volume) == -1 ||
	    jsonx_add_str(body, "source_snapshot", rq->source_snapshot) ==
		-1 ||
	    (rq->size_mib > 0 &&
		jsonx_add_int64(body, "size", (int64_t)rq->size_mib) == -1) ||
	    (rq->labels != NULL &&
		json_object_object_add(
		    body, "labels", json_object_get(rq->labels)) != 0) ||
	    json_object_object_add(
		body, "affinity", json_object_get(affinity)) != 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (vapi_client_request(
		c->vapi, "POST", "/volumes", body, &status, &reply, err) == -1)
		goto out;
	if (reply == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "the VAPI answered the create with an empty body");
		goto out;
	}
	rc = vapi_volume_from_json(out, reply, err);
out:
	json_object_put(reply);
	json_object_put(body);
	return rc;
}

/* What create's --tag, -a, -t and --from collect, with the first bad value. */
struct create_ctx {
	json_object *labels;
	json_object *affinity;
	char from_volume[TNFS_NAME_MAX + 1]; /* "" without --from */
	char from_snapshot[TNFS_SNAPSHOT_NAME_MAX + 1];
	struct tnfs_err err;
};

static int
create_opt_type(struct cli *c, const char *arg, struct cli_opts *o)
{
	(void)o;
	if (strcmp(arg, "tritonnfs") != 0)
		return cli_usage(c,
		    "volume type \"%s\" is not supported (only tritonnfs)",
		    arg);
	return 0;
}

static int
create_opt_tag(struct cli *c, const char *arg, struct cli_opts *o)
{
	struct create_ctx *cx = o->ctx;

	if (json_object_object_length(cx->labels) >= MAX_TAGS)
		return cli_usage(c, "at most %d tags", MAX_TAGS);
	if (cli_tag_add(cx->labels, arg, &cx->err) == -1)
		return cli_usage(c, "%s", cx->err.msg);
	return 0;
}

static int
create_opt_affinity(struct cli *c, const char *arg, struct cli_opts *o)
{
	struct create_ctx *cx = o->ctx;
	json_object *rule;

	if (json_object_array_length(cx->affinity) >= MAX_AFFINITY)
		return cli_usage(c, "at most %d affinity rules", MAX_AFFINITY);
	if ((rule = tnfs_affinity_rule_parse(arg, &cx->err)) == NULL)
		return cli_usage(c, "%s", cx->err.msg);
	json_object_array_add(cx->affinity, rule);
	return 0;
}

static int
create_opt_from(struct cli *c, const char *arg, struct cli_opts *o)
{
	struct create_ctx *cx = o->ctx;

	if (tnfs_clone_source_parse(
		arg, cx->from_volume, cx->from_snapshot, &cx->err) == -1)
		return cli_usage(c, "--from: %s", cx->err.msg);
	return 0;
}

static const struct cli_opt create_opts[] = {
    CLI_OPT_STR("name", 'n', name),
    CLI_OPT_STR("size", 's', size),
    CLI_OPT_CALL("type", 't', 1, create_opt_type),
    CLI_OPT_STR("network", 'N', network),
    CLI_OPT_CALL("tag", 0, 1, create_opt_tag),
    CLI_OPT_CALL("affinity", 'a', 1, create_opt_affinity),
    CLI_OPT_CALL("from", 0, 1, create_opt_from),
    CLI_OPT_JSON,
    CLI_OPT_FLAG("wait", 'w', wait),
    CLI_OPT_SECONDS("wait-timeout", 0, wait_timeout),
    CLI_OPT_HELP,
    CLI_OPT_END,
};

/*
 * After CreateVolume: say so, wait for ready when asked (-w), and print
 * the volume as JSON (-j), the waited-for one when there is one (kept in
 * *done for the caller to clear).  An exit status, errors printed.
 */
static int
create_report(struct cli *c, const struct vapi_volume *v,
    const struct cli_opts *o, struct vapi_volume *done)
{
	struct tnfs_err err;
	json_object *js;

	tnfs_err_clear(&err);
	if (!o->json)
		printf("Creating volume %s (%s)\n", v->name, v->uuid);
	fflush(stdout);
	if (o->wait) {
		if (cli_wait(c, v->uuid, v->name, CLI_WAIT_READY,
			o->wait_timeout, done, &err) == -1) {
			cli_error(c, "failed to create volume %s (%s): %s",
			    v->name, v->uuid, err.msg);
			return CLI_EXIT_FAIL;
		}
		if (!o->json)
			printf("Created volume %s (%s)\n", v->name, v->uuid);
	}
	if (o->json) {
		if ((js = cli_volume_json(o->wait ? done : v)) == NULL) {
			cli_error(c, "out of memory");
			return CLI_EXIT_FAIL;
		}
		cli_print_json_line(stdout, js);
		json_object_put(js);
	}
	return CLI_EXIT_OK;
}

int
tv_create(struct cli *c, int argc, char **argv)
{
	struct cli_opts o = {.wait_timeout = WAIT_TIMEOUT_DEFAULT};
	struct create_ctx cx;
	struct vapi_create_req rq;
	struct vapi_volume v, done;
	struct tnfs_err err;
	json_object *labels = NULL, *affinity = NULL;
	const char *name, *size, *network;
	const char *nets[1];
	char net_uuid[VAPI_UUID_BUFSZ];
	uint64_t mib = 0;
	int rc = CLI_EXIT_USAGE;

	memset(&v, 0, sizeof(v));
	memset(&done, 0, sizeof(done));
	memset(&cx, 0, sizeof(cx));
	tnfs_err_clear(&err);
	if ((labels = json_object_new_object()) == NULL ||
	    (affinity = json_object_new_array()) == NULL) {
		cli_error(c, "out of memory");
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	cx.labels = labels;
	cx.affinity = affinity;
	o.ctx = &cx;
	if ((rc = cli_opts_parse(c, argc, argv, create_opts, &o,
		 tv_opts_help)) != CLI_OPTS_GO)
		goto out;
	rc = CLI_EXIT_USAGE;
	name = o.name;
	size = o.size;
	network = o.network;
	if (optind < argc) {
		cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (name != NULL && tnfs_name_check(name, &err) == -1) {
		cli_usage(c, "%s", err.msg);
		goto out;
	}
	if (size != NULL && tnfs_size_parse(size, &mib, &err) == -1) {
		cli_usage(c, "size \"%s\" is not a valid volume size: %s", size,
		    err.msg);
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 1) == -1)
		goto out;
	if (size != NULL && tv_pick_size(c, size, &mib) == -1)
		goto out;
	if (vapi_client_resolve_network(
		c->vapi, c->owner, network, net_uuid, NULL, &err) == -1)
		goto fail;
	memset(&rq, 0, sizeof(rq));
	nets[0] = net_uuid;
	rq.owner_uuid = c->owner;
	rq.name = name;
	rq.size_mib = mib;
	rq.networks = nets;
	rq.nnetworks = 1;
	rq.labels = json_object_object_length(labels) > 0 ? labels : NULL;
	if (cx.from_volume[0] != '\0') {
		rq.source_volume = cx.from_volume;
		rq.source_snapshot = cx.from_snapshot;
	}
	if (json_object_array_length(affinity) > 0) {
		if (create_with_affinity(c, &rq, affinity, &v, &err) == -1)
			goto fail;
	} else if (vapi_client_create_volume(c->vapi, &rq, &v, &err) == -1) {
		goto fail;
	}
	rc = create_report(c, &v, &o, &done);
	goto out;
fail:
	print_size_error(c, &err);
out:
	vapi_volume_clear(&v);
	vapi_volume_clear(&done);
	json_object_put(labels);
	json_object_put(affinity);
	return rc;
}

/* ---- list ---- */

static int
add_volume_row(struct table *t, const struct vapi_volume *v, int64_t now,
    struct tnfs_err *err)
{
	char shortid[CLI_SHORTID_BUFSZ], size[32], ts[TNFS_TIME_BUFSZ];
	char age[CLI_AGE_BUFSZ];

	cli_shortid(v->uuid, shortid);
	tnfs_size_format(v->size_mib, size, sizeof(size));
	tnfs_time_format(v->create_timestamp_ms, ts);
	cli_format_age(now, v->create_timestamp_ms, age);
	if (table_add_row(t, err) == -1 ||
	    table_set(t, "shortid", shortid, err) == -1 ||
	    table_set(t, "id", v->uuid, err) == -1 ||
	    table_set(t, "name", v->name, err) == -1 ||
	    table_set_num(t, "size", size, (int64_t)v->size_mib, err) == -1 ||
	    table_set(t, "type", v->type, err) == -1 ||
	    table_set(t, "resource", v->filesystem_path, err) == -1 ||
	    table_set(t, "state", v->state, err) == -1 ||
	    table_set_num(t, "created", ts, v->create_timestamp_ms, err) ==
		-1 ||
	    /* Sorting by age puts the youngest first, as by -created. */
	    table_set_num(t, "age", age, -v->create_timestamp_ms, err) == -1)
		return -1;
	return 0;
}

static struct table *
volume_table(struct tnfs_err *err)
{
	static const char *const cols[] = {"shortid", "id", "name", "size",
	    "type", "resource", "state", "created", "age"};
	struct table *t;
	size_t i;

	if ((t = table_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		if (table_add_column(t, cols[i], TABLE_LEFT, err) == -1) {
			table_free(t);
			return NULL;
		}
	}
	return t;
}

static const struct cli_opt list_opts[] = {
    CLI_OPT_FLAG("long", 'l', lng),
    CLI_OPT_NO_HEADER,
    CLI_OPT_OUTPUT,
    CLI_OPT_SORT,
    CLI_OPT_JSON,
    CLI_OPT_HELP,
    CLI_OPT_END,
};

int
tv_list(struct cli *c, int argc, char **argv)
{
	struct cli_opts o = {.sort = "created"};
	struct vapi_list_filter f;
	struct vapi_volume_list l = {NULL, 0};
	struct tnfs_err err;
	struct table *t = NULL;
	json_object *js;
	const char *cols, *sort;
	char *pred_text = NULL;
	int lng, no_header, json, rc;
	size_t i;

	tnfs_err_clear(&err);
	memset(&f, 0, sizeof(f));
	if ((rc = cli_opts_parse(c, argc, argv, list_opts, &o, tv_opts_help)) !=
	    CLI_OPTS_GO)
		goto out;
	rc = CLI_EXIT_USAGE;
	cols = o.cols;
	sort = o.sort;
	lng = o.lng;
	no_header = o.no_header;
	json = o.json;
	if ((t = volume_table(&err)) == NULL) {
		cli_error(c, "out of memory");
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (cols == NULL)
		cols = lng ? "id,name,size,type,resource,state,created"
			   : "shortid,name,size,type,state,age";
	if (table_select(t, cols, &err) == -1) {
		cli_usage(c, "%s", err.msg);
		goto out;
	}
	if (cli_list_filter(argc - optind, (const char *const *)(argv + optind),
		&f, &pred_text, &err) == -1) {
		cli_usage(c, "%s", err.msg);
		goto out;
	}
	f.predicate = pred_text;
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (f.owner_uuid == NULL)
		f.owner_uuid = c->owner;
	if (vapi_client_list_volumes(c->vapi, &f, &l, &err) == -1) {
		cli_error_err(c, &err);
		goto out;
	}
	if (json) {
		for (i = 0; i < l.n; i++) {
			if ((js = cli_volume_json(&l.items[i])) == NULL) {
				cli_error(c, "out of memory");
				goto out;
			}
			cli_print_json_line(stdout, js);
			json_object_put(js);
		}
		rc = CLI_EXIT_OK;
		goto out;
	}
	for (i = 0; i < l.n; i++)
		if (add_volume_row(t, &l.items[i], cli_now_ms(), &err) == -1)
			goto err;
	rc = cli_table_print(c, t, sort, no_header);
	goto out;
err:
	cli_error_err(c, &err);
out:
	free(pred_text);
	table_free(t);
	vapi_volume_list_clear(&l);
	return rc;
}

/* ---- get ---- */

static const struct cli_opt get_opts[] = {
    CLI_OPT_JSON,
    CLI_OPT_HELP,
    CLI_OPT_END,
};

int
tv_get(struct cli *c, int argc, char **argv)
{
	struct cli_opts o = {0};
	struct vapi_volume v;
	struct tnfs_err err;
	json_object *js = NULL;
	int json, rc;

	memset(&v, 0, sizeof(v));
	tnfs_err_clear(&err);
	if ((rc = cli_opts_parse(c, argc, argv, get_opts, &o, tv_opts_help)) !=
	    CLI_OPTS_GO)
		goto out;
	rc = CLI_EXIT_USAGE;
	json = o.json;
	if (argc - optind != 1) {
		cli_usage(c, "expected one VOLUME argument");
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (cli_resolve_volume(c->vapi, c->owner, argv[optind], &v, &err) ==
	    -1) {
		cli_error_err(c, &err);
		goto out;
	}
	if ((js = cli_volume_json(&v)) == NULL) {
		cli_error(c, "out of memory");
		goto out;
	}
	if (json)
		cli_print_json_line(stdout, js);
	else
		cli_print_json_pretty(stdout, js);
	rc = CLI_EXIT_OK;
out:
	json_object_put(js);
	vapi_volume_clear(&v);
	return rc;
}

/* ---- delete ---- */

static int
confirm_delete(const struct vapi_volume *vols, size_t n)
{
	char q[512];

	if (n == 1)
		snprintf(q, sizeof(q), "Delete volume %s?", vols[0].name);
	else
		snprintf(q, sizeof(q), "Delete %zu volumes?", n);
	return cli_confirm(q);
}

static const struct cli_opt delete_opts[] = {
    /* node-triton: -f skips the prompt, nothing more */
    CLI_OPT_FLAG("force", 'f', yes),
    CLI_OPT_FLAG("yes", 'y', yes),
    CLI_OPT_FLAG("wait", 'w', wait),
    CLI_OPT_SECONDS("wait-timeout", 0, wait_timeout),
    CLI_OPT_HELP,
    CLI_OPT_END,
};

int
tv_delete(struct cli *c, int argc, char **argv)
{
	struct cli_opts o = {.wait_timeout = WAIT_TIMEOUT_DEFAULT};
	struct vapi_volume *vols = NULL;
	struct tnfs_err err;
	size_t n = 0, i;
	int yes, wait, wait_timeout;
	int rc, failed = 0;

	tnfs_err_clear(&err);
	if ((rc = cli_opts_parse(c, argc, argv, delete_opts, &o,
		 tv_opts_help)) != CLI_OPTS_GO)
		goto out;
	rc = CLI_EXIT_USAGE;
	yes = o.yes;
	wait = o.wait;
	wait_timeout = o.wait_timeout;
	if (optind == argc) {
		cli_usage(c, "expected at least one VOLUME argument");
		goto out;
	}
	if (!yes && !cli_interactive()) {
		cli_usage(c,
		    "not asking for confirmation on a non-terminal: "
		    "pass -y to delete");
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if ((vols = calloc((size_t)(argc - optind), sizeof(*vols))) == NULL) {
		cli_error(c, "out of memory");
		goto out;
	}
	for (; optind < argc; optind++, n++) {
		if (cli_resolve_volume(c->vapi, c->owner, argv[optind],
			&vols[n], &err) == -1) {
			cli_error_err(c, &err);
			goto out;
		}
	}
	if (!yes && !confirm_delete(vols, n)) {
		printf("Aborting\n");
		rc = CLI_EXIT_OK;
		goto out;
	}
	for (i = 0; i < n; i++) {
		tnfs_err_clear(&err);
		if (vapi_client_delete_volume(
			c->vapi, vols[i].uuid, c->owner, 0, &err) == -1) {
			vapi_client_name_holders(c->vapi, c->owner, &err);
			cli_error(c, "cannot delete volume %s (%s): %s (%s)",
			    vols[i].name, vols[i].uuid, err.msg, err.code);
			failed++;
			continue;
		}
		printf("Deleting volume %s (%s)\n", vols[i].name, vols[i].uuid);
		fflush(stdout);
	}
	for (i = 0; wait && i < n; i++) {
		tnfs_err_clear(&err);
		if (cli_wait(c, vols[i].uuid, vols[i].name, CLI_WAIT_DELETED,
			wait_timeout, NULL, &err) == -1) {
			cli_error(c, "volume %s (%s) was not deleted: %s",
			    vols[i].name, vols[i].uuid, err.msg);
			failed++;
			continue;
		}
		printf("Deleted volume %s (%s)\n", vols[i].name, vols[i].uuid);
	}
	rc = failed > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	for (i = 0; vols != NULL && i < n; i++)
		vapi_volume_clear(&vols[i]);
	free(vols);
	return rc;
}

/* ---- sizes ---- */

static const struct cli_opt sizes_opts[] = {
    CLI_OPT_NO_HEADER,
    CLI_OPT_SORT,
    CLI_OPT_JSON,
    CLI_OPT_HELP,
    CLI_OPT_END,
};

int
tv_sizes(struct cli *c, int argc, char **argv)
{
	struct cli_opts o = {.sort = "size"};
	struct vapi_size *sizes = NULL;
	struct tnfs_err err;
	struct table *t = NULL;
	json_object *js;
	const char *sort;
	char text[32];
	size_t n = 0, i;
	int no_header, json, rc;

	tnfs_err_clear(&err);
	if ((rc = cli_opts_parse(c, argc, argv, sizes_opts, &o, tv_opts_help)) !=
	    CLI_OPTS_GO)
		goto out;
	rc = CLI_EXIT_USAGE;
	sort = o.sort;
	no_header = o.no_header;
	json = o.json;
	if (optind < argc) {
		cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if ((t = table_new()) == NULL ||
	    table_add_column(t, "type", TABLE_LEFT, &err) == -1 ||
	    table_add_column(t, "size", TABLE_RIGHT, &err) == -1) {
		cli_error(c, "out of memory");
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_connect(c, 0) == -1)
		goto out;
	if (vapi_client_list_sizes(c->vapi, &sizes, &n, &err) == -1) {
		cli_error_err(c, &err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (json) {
			if ((js = json_object_new_object()) == NULL ||
			    jsonx_add_int64(
				js, "size", (int64_t)sizes[i].size_mib) == -1 ||
			    jsonx_add_str(js, "type", sizes[i].type) == -1) {
				json_object_put(js);
				cli_error(c, "out of memory");
				goto out;
			}
			cli_print_json_line(stdout, js);
			json_object_put(js);
			continue;
		}
		tnfs_size_format(sizes[i].size_mib, text, sizeof(text));
		if (table_add_row(t, &err) == -1 ||
		    table_set(t, "type", sizes[i].type, &err) == -1 ||
		    table_set_num(t, "size", text, (int64_t)sizes[i].size_mib,
			&err) == -1) {
			cli_error_err(c, &err);
			goto out;
		}
	}
	rc = json ? CLI_EXIT_OK : cli_table_print(c, t, sort, no_header);
out:
	free(sizes);
	table_free(t);
	return rc;
}
