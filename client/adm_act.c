/*
 * adm_act.c: the tritonnfs-adm commands that change volumes: `shared-volumes
 * restart` and `rm` volume by volume from the client, `update` in one
 * request that the VAPI runs volume after volume.  A volume still
 * referenced by a live host is left alone and its holders are printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "jsonx.h"

/* ---- what the admin objects carry beyond a user's volume ---- */

static json_object *
member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* ---- shared-volumes restart | rm ---- */


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
int
adm_update(struct cli *c, const struct adm_opts *o)
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

int
adm_act(struct cli *c, enum adm_action act, const struct adm_opts *o)
{
	static const char *const verbs[] = {"", "restarting", "", "removing"};
	static const char *const done[] = {"", "Restarted", "", "Deleting"};
	struct vapi_volume_list l = {NULL, 0};
	struct tnfs_err err;
	char q[256];
	size_t i;
	int rc = CLI_EXIT_FAIL, left = 0, r;

	tnfs_err_clear(&err);
	if (adm_select_volumes(c, o, &l, &err) == -1) {
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
