/*
 * api_volumes.c: the HTTP side of the volume routes (ListVolumes,
 * GetVolume, CreateVolume, UpdateVolume, DeleteVolume, Ping and the
 * operator's endpoints): parameters into the core's typed requests
 * (volumes.h), with VOLAPI's causes in VOLAPI's order, and records into
 * VOLAPI's JSON (reference/triton-volumes.md §1-4).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api_params.h"
#include "exports.h"
#include "jsonx.h"
#include "predicate.h"
#include "provision.h"
#include "timefmt.h"
#include "volumes.h"

/* Whether NFS serves: this instance's exporter, or a shared head. */
static int
served(struct vapi *va)
{
	return va->prov != NULL ? provision_exports_healthy(va->prov)
				: exporter_healthy(va->exporter);
}

int
h_ping(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	json_object *o = json_object_new_object();

	(void)who, (void)params;
	/* The API answers either way; healthy says whether NFS serves. */
	if (o != NULL &&
	    (jsonx_add_int64(o, "pid", (int64_t)getpid()) == -1 ||
		jsonx_add_str(o, "status", "OK") == -1 ||
		jsonx_add_bool(o, "healthy", served(va)) == -1)) {
		json_object_put(o);
		o = NULL;
	}
	return api_reply(o, 200, out, status, err);
}

/* An array of VOLAPI renderings of vs; NULL when out of memory. */
static json_object *
volumes_json(const struct vapi *va, struct volume **vs, size_t n)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++)
		if (api_array_add(arr, api_volume_json(va, vs[i])) == -1) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

static int
digits_only(const char *s)
{
	size_t i;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 15)
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * A page of a list (tritonnfs's own parameters; VOLAPI has none): limit,
 * 1 to LIST_PAGE_MAX volumes, and marker, the uuid they come after.
 */
#define LIST_PAGE_MAX 10000

static void
page_params(json_object *params, struct list_req *rq, struct causes *c)
{
	const char *limit = param_str(params, "limit", c);

	if (limit != NULL) {
		if (!digits_only(limit) || strtoull(limit, NULL, 10) >
						  LIST_PAGE_MAX)
			causes_add(c,
			    "invalid value for limit search parameter, must "
			    "be an integer from 1 to %d",
			    LIST_PAGE_MAX);
		else
			rq->limit = (size_t)strtoull(limit, NULL, 10);
	}
	rq->after_uuid = param_uuid(params, "marker", "marker", c);
	if (rq->after_uuid != NULL && limit == NULL)
		causes_add(c, "marker needs limit");
}

/*
 * ListVolumes' parameters; *pred is the caller's to predicate_free.  The
 * causes come in VOLAPI's order: the predicate (or its conflicts with
 * query parameters), then name, size, state, owner_uuid, refs.  An empty
 * predicate is no predicate, as VOLAPI treats it.
 */
static int
list_params(json_object *params, struct list_req *rq, struct predicate **pred,
    struct tnfs_err *err)
{
	const char *size, *ptext, *used[8];
	struct causes c;
	size_t i, n;

	causes_init(&c);
	rq->name = param_str(params, "name", &c);
	size = param_str(params, "size", &c);
	rq->state = param_str(params, "state", &c);
	rq->type = param_str(params, "type", &c);
	ptext = param_str(params, "predicate", &c);
	if (ptext != NULL && ptext[0] != '\0' &&
	    (*pred = predicate_parse(ptext, &c)) != NULL) {
		n = predicate_fields(*pred, used, sizeof(used) / sizeof(used[0]));
		for (i = 0; i < n; i++)
			if (json_object_object_get_ex(params, used[i], NULL))
				causes_add(&c,
				    "predicate has \"%s\" which conflicts with "
				    "query parameter with same name",
				    used[i]);
	}
	if (rq->name != NULL)
		name_pattern_check(rq->name, &c);
	if (size != NULL) {
		if (!digits_only(size))
			causes_add(&c,
			    "invalid value for size search "
			    "parameter, must match /^[1-9][0-9]*$/");
		else
			rq->size = strtoull(size, NULL, 10);
	}
	if (rq->state != NULL && !valid_state(rq->state))
		causes_add(&c, "Volume state: %.100s is invalid", rq->state);
	rq->owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq->refs = param_uuid(params, "refs", "refs", &c);
	page_params(params, rq, &c);
	rq->pred = *pred;
	return causes_finish(&c, err);
}

int
h_list_volumes(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct list_req rq;
	struct predicate *pred = NULL;
	struct volume **vs = NULL;
	size_t n = 0;
	int rc = -1;

	(void)who;
	memset(&rq, 0, sizeof(rq));
	if (list_params(params, &rq, &pred, err) == -1 ||
	    volumes_list(va, &rq, &vs, &n, err) == -1)
		goto out;
	rc = api_reply(volumes_json(va, vs, n), 200, out, status, err);
out:
	volume_list_free(vs, n);
	predicate_free(pred);
	return rc;
}

int
h_get_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct storage_usage usage;
	struct volume *v = NULL;
	json_object *o = NULL, *u;
	const char *uuid;
	struct causes c;
	int rc = -1;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (causes_finish(&c, err) == -1 ||
	    volumes_load(va, uuid, api_owner(who, params), &v, err) == -1)
		goto out;
	if ((o = api_volume_json(va, v)) == NULL) {
		api_oom(err);
		goto out;
	}
	/* Usage where the backend knows it; a failure only leaves it out. */
	if (volumes_usage(va, v, &usage) == 0) {
		u = json_object_new_object();
		if (u == NULL ||
		    jsonx_add_int64(u, "used", (int64_t)usage.used_mib) == -1 ||
		    jsonx_add_int64(u, "available", (int64_t)usage.avail_mib) ==
			-1) {
			json_object_put(u);
			u = NULL;
		}
		if (api_object_add(o, "usage", u) == -1) {
			json_object_put(o);
			o = NULL;
		}
	}
	rc = api_reply(o, 200, out, status, err);
out:
	volume_free(v);
	return rc;
}

/* The size member: a JSON integer > 0, else VOLAPI's message. */
static int
param_size(json_object *params, uint64_t *out, struct causes *c)
{
	json_object *v;

	if (!json_object_object_get_ex(params, "size", &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) <= 0 ||
	    (uint64_t)json_object_get_int64(v) > VALIDATE_MAX_VOLUME_SIZE) {
		const char *s = json_object_is_type(v, json_type_string)
		    ? json_object_get_string(v)
		    : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

		causes_add(c,
		    "Volume size: \"%.100s\" is not a valid volume size. Size "
		    "must be a number > 0",
		    s != NULL ? s : "null");
		return -1;
	}
	*out = (uint64_t)json_object_get_int64(v);
	return 1;
}

/* The name member: a string that is a valid volume name, or NULL. */
static const char *
param_name(json_object *params, struct causes *c)
{
	json_object *jv;

	if (!json_object_object_get_ex(params, "name", &jv))
		return NULL;
	if (!json_object_is_type(jv, json_type_string)) {
		causes_add(c, "volume name must be a string");
		return NULL;
	}
	return valid_volume_name(json_object_get_string(jv), c)
	    ? json_object_get_string(jv)
	    : NULL;
}

static const char *
plain(json_object *v)
{
	const char *s =
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	return s != NULL ? s : "null";
}

/* networks: up to the maximum uuids, borrowed from params, into nets. */
static size_t
param_networks(json_object *params, const char **nets, struct causes *c)
{
	json_object *a;
	size_t i, n;

	if (!json_object_object_get_ex(params, "networks", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array)) {
		causes_add(c, "networks must be a non-empty array");
		return 0;
	}
	if (!valid_network_count(n = json_object_array_length(a), c))
		return 0;
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		/* Quoted as JSON text when it is not a string, as VOLAPI does. */
		if (!json_object_is_type(e, json_type_string)) {
			causes_add(
			    c, "%.100s is not a valid network UUID", plain(e));
			return 0;
		}
		if (!valid_uuid(json_object_get_string(e), "network", c))
			return 0;
		nets[i] = json_object_get_string(e);
	}
	return n;
}

/* labels: string values, up to the maximum, borrowed from params. */
static size_t
param_labels(json_object *params, struct label *labels, struct causes *c)
{
	json_object *l;
	size_t n = 0;

	if (!json_object_object_get_ex(params, "labels", &l))
		return 0;
	if (!json_object_is_type(l, json_type_object)) {
		causes_add(
		    c, "Volume labels must be an object: got %s", plain(l));
		return 0;
	}
	json_object_object_foreach(l, key, val)
	{
		if (!json_object_is_type(val, json_type_string)) {
			causes_add(c,
			    "Volume labels must be an object: value of %.64s "
			    "is not a string",
			    key);
			return 0;
		}
		if (!valid_label(key, json_object_get_string(val), n, c))
			return 0;
		labels[n].key = key;
		labels[n].value =
		    (char *)(uintptr_t)json_object_get_string(val);
		n++;
	}
	return n;
}

int
h_create_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const char *nets[VALIDATE_MAX_VOLUME_NETWORKS];
	struct label labels[VALIDATE_MAX_LABELS];
	struct create_req rq;
	struct volume *v = NULL;
	json_object *jv;
	struct causes c;
	int rc = -1;

	(void)who;
	memset(&rq, 0, sizeof(rq));
	causes_init(&c);
	rq.uuid = param_uuid(params, "uuid", "uuid", &c);
	rq.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq.name = param_name(params, &c);
	if ((rq.type = param_str(params, "type", &c)) != NULL)
		valid_volume_type(rq.type, &c);
	param_size(params, &rq.size, &c);
	/* tritonnfs's own, after VOLAPI's: a clone (volumes.h). */
	rq.source_volume = param_str(params, "source_volume", &c);
	rq.source_snapshot = param_str(params, "source_snapshot", &c);
	rq.networks = nets;
	rq.nnetworks = param_networks(params, nets, &c);
	rq.labels = labels;
	rq.nlabels = param_labels(params, labels, &c);
	if (json_object_object_get_ex(params, "affinity", &jv)) {
		if (!json_object_is_type(jv, json_type_array))
			causes_add(&c, "affinity must be an array of rules");
		else if ((rq.affinity = json_object_to_json_string_ext(
			      jv, JSON_C_TO_STRING_PLAIN)) == NULL)
			return api_oom(err);
	}
	if (causes_finish(&c, err) == -1 ||
	    volumes_create(va, &rq, &v, err) == -1)
		goto out;
	rc = api_reply(api_volume_json(va, v), 201, out, status, err);
out:
	volume_free(v);
	return rc;
}

int
h_update_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct update_req rq;
	struct volume *v = NULL;
	struct causes c;
	int rc = -1;

	memset(&rq, 0, sizeof(rq));
	causes_init(&c);
	rq.uuid = param_uuid(params, "uuid", "uuid", &c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq.name = param_name(params, &c);
	param_size(params, &rq.size, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	rq.owner_uuid = api_owner(who, params);
	if (volumes_update(va, &rq, &v, err) == -1)
		goto out;
	rc = api_reply(api_volume_json(va, v), 200, out, status, err);
out:
	volume_free(v);
	return rc;
}

int
h_delete_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const char *uuid;
	struct causes c;
	int force;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	force = param_bool(params, "force", 0, &c);
	if (causes_finish(&c, err) == -1 ||
	    volumes_delete(va, uuid, api_owner(who, params), force, err) == -1)
		return -1;
	*out = NULL;
	*status = 204;
	return 0;
}

/* One reference as the operator sees it, with its lease. */
static json_object *
ref_detail_json(const struct vapi *va, const struct volume_ref *r)
{
	json_object *d = json_object_new_object();
	char created[TNFS_TIME_BUFSZ], renewed[TNFS_TIME_BUFSZ];
	char expires[TNFS_TIME_BUFSZ];
	struct ref_clock clk;

	if (d == NULL)
		return NULL;
	volumes_clock(va, &clk);
	tnfs_time_format(r->created_ms, created);
	tnfs_time_format(r->renewed_ms, renewed);
	tnfs_time_format(
	    r->renewed_ms + (int64_t)va->cfg->ref_lease_s * 1000, expires);
	if (jsonx_add_str(d, "vm_uuid", r->vm_uuid) == -1 ||
	    jsonx_add_str(d, "owner_uuid", r->owner_uuid) == -1 ||
	    jsonx_add_str(d, "created", created) == -1 ||
	    jsonx_add_str(d, "renewed", renewed) == -1 ||
	    jsonx_add_str(d, "expires", expires) == -1 ||
	    jsonx_add_bool(d, "holder_alive",
		r->holder_seen_ms > 0 &&
		    r->holder_seen_ms >= clk.host_after_ms) == -1 ||
	    jsonx_add_bool(d, "live", volume_ref_live(r, &clk)) == -1) {
		json_object_put(d);
		return NULL;
	}
	return d;
}

/* The operator's view: every reference, live or not, and any error. */
static json_object *
admin_volume_json(const struct vapi *va, const struct volume *v)
{
	json_object *o = api_volume_json(va, v), *details;
	size_t k;

	if (o == NULL)
		return NULL;
	details = json_object_new_array();
	for (k = 0; details != NULL && k < v->nrefs; k++)
		if (api_array_add(details, ref_detail_json(va, &v->refs[k])) ==
		    -1) {
			json_object_put(details);
			details = NULL;
		}
	if (api_object_add(o, "refs_detail", details) == -1 ||
	    (v->error != NULL && jsonx_add_str(o, "error", v->error) == -1)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
h_admin_list_volumes(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct list_req rq;
	struct volume **vs = NULL;
	json_object *arr = NULL;
	struct causes c;
	size_t n = 0, i;
	int rc = -1;

	(void)who;
	memset(&rq, 0, sizeof(rq));
	causes_init(&c);
	rq.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	rq.state = param_str(params, "state", &c);
	if (rq.state != NULL && !valid_state(rq.state))
		causes_add(&c, "Volume state: %.100s is invalid", rq.state);
	page_params(params, &rq, &c);
	if (causes_finish(&c, err) == -1 ||
	    volumes_list(va, &rq, &vs, &n, err) == -1)
		goto out;
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < n; i++)
		if (api_array_add(arr, admin_volume_json(va, vs[i])) == -1) {
			json_object_put(arr);
			arr = NULL;
		}
	rc = api_reply(arr, 200, out, status, err);
out:
	volume_list_free(vs, n);
	return rc;
}

int
h_admin_restart_volume(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	const char *uuid;
	struct causes c;
	int rc = -1;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	if (causes_finish(&c, err) == -1 ||
	    volumes_restart(va, uuid, &v, err) == -1)
		goto out;
	rc = api_reply(api_volume_json(va, v), 200, out, status, err);
out:
	volume_free(v);
	return rc;
}
