/*
 * volumes.c: the volume handlers of the Volume API (ListVolumes,
 * GetVolume, CreateVolume, UpdateVolume, DeleteVolume, sizes, networks,
 * the operator's endpoints) and the rendering of a volume.  Behaviour and
 * messages follow sdc-volapi's code (reference/triton-volumes.md §1-4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exports.h"
#include "jsonx.h"
#include "predicate.h"
#include "provision.h"
#include "storage.h"
#include "timefmt.h"
#include "validate.h"
#include "volumes.h"

#define MAX_NETWORKS_PER_VOLUME 16
#define MAX_LABELS              64

int64_t
volumes_live_after(const struct vapi *va)
{
	return tnfs_now_ms() - (int64_t)va->cfg->ref_lease_s * 1000;
}

size_t
volumes_live_refs(
    const struct vapi *va, const struct volume *v, char *buf, size_t len)
{
	int64_t after = volumes_live_after(va);
	size_t i, n = 0, off = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < v->nrefs; i++) {
		if (v->refs[i].renewed_ms < after)
			continue;
		if (off < len) {
			int w = snprintf(buf + off, len - off, "%s%s",
			    n > 0 ? ", " : "", v->refs[i].vm_uuid);

			if (w > 0)
				off += (size_t)w;
		}
		n++;
	}
	return n;
}

const char *
volumes_owner_param(json_object *params)
{
	return jsonx_get_str(params, "owner_uuid");
}

int
volumes_load(struct vapi *va, const char *uuid, const char *owner,
    struct volume **out, struct tnfs_err *err)
{
	struct volume *v = NULL;

	if (store_volume_get(va->store, uuid, &v, err) == -1)
		return -1;
	/* Another owner's volume does not exist, for this caller (VOLAPI-87). */
	if (owner != NULL && strcmp(v->owner_uuid, owner) != 0) {
		volume_free(v);
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found", uuid);
		return -1;
	}
	*out = v;
	return 0;
}

static json_object *
parse_or(const char *text, json_object *dflt)
{
	json_object *o = text != NULL ? json_tokener_parse(text) : NULL;

	if (o == NULL)
		return dflt;
	json_object_put(dflt);
	return o;
}

json_object *
volumes_to_json(const struct vapi *va, const struct volume *v)
{
	char ts[TNFS_TIME_BUFSZ];
	json_object *o = json_object_new_object(), *refs;
	int64_t after = volumes_live_after(va);
	size_t i;

	if (o == NULL)
		return NULL;
	tnfs_time_format(v->create_ms, ts);
	jsonx_add_str(o, "uuid", v->uuid);
	jsonx_add_str(o, "owner_uuid", v->owner_uuid);
	jsonx_add_str(o, "name", v->name);
	jsonx_add_str(o, "type", v->type);
	jsonx_add_int64(o, "size", (int64_t)v->size);
	jsonx_add_str(o, "state", v->state);
	jsonx_add_str(o, "create_timestamp", ts);
	json_object_object_add(
	    o, "networks", parse_or(v->networks, json_object_new_array()));
	json_object_object_add(
	    o, "labels", parse_or(v->labels, json_object_new_object()));
	if (v->affinity != NULL)
		json_object_object_add(
		    o, "affinity", parse_or(v->affinity, NULL));
	if (v->vm_uuid[0] != '\0')
		jsonx_add_str(o, "vm_uuid", v->vm_uuid);
	if (v->filesystem_path != NULL && strcmp(v->state, "ready") == 0) {
		jsonx_add_str(o, "filesystem_path", v->filesystem_path);
		jsonx_add_int64(o, "nfs_port", v->nfs_port);
		jsonx_add_int64(o, "mount_port", v->mount_port);
	}
	if (v->error != NULL && strcmp(v->state, "failed") == 0)
		jsonx_add_str(o, "error", v->error);
	refs = json_object_new_array();
	for (i = 0; refs != NULL && i < v->nrefs; i++)
		if (v->refs[i].renewed_ms >= after)
			json_object_array_add(
			    refs, json_object_new_string(v->refs[i].vm_uuid));
	/* VOLAPI deletes the property when it becomes empty. */
	if (refs != NULL && json_object_array_length(refs) > 0)
		json_object_object_add(o, "refs", refs);
	else
		json_object_put(refs);
	jsonx_add_int64(o, "snapshots", (int64_t)v->nsnapshots);
	return o;
}

int
h_ping(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	json_object *o;

	(void)who, (void)params;
	if ((o = json_object_new_object()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	jsonx_add_int64(o, "pid", (int64_t)getpid());
	jsonx_add_str(o, "status", "OK");
	/* The API answers either way; healthy says whether NFS serves. */
	jsonx_add_bool(o, "healthy", exporter_healthy(va->exporter));
	*out = o;
	*status = 200;
	return 0;
}

static int
add_volume(json_object *arr, const struct vapi *va, const struct volume *v,
    struct tnfs_err *err)
{
	json_object *o = volumes_to_json(va, v);

	if (o == NULL || json_object_array_add(arr, o) != 0) {
		json_object_put(o);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

static int
has_ref(const struct volume *v, const char *vm, int64_t after)
{
	size_t i;

	for (i = 0; i < v->nrefs; i++)
		if (strcmp(v->refs[i].vm_uuid, vm) == 0 &&
		    v->refs[i].renewed_ms >= after)
			return 1;
	return 0;
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

int
h_list_volumes(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	static const char *const conflicting[] = {
	    "name", "size", "state", "type", NULL};
	struct volume_filter f = {NULL, NULL};
	struct predicate *pred = NULL;
	struct volume **vs = NULL;
	json_object *arr = NULL;
	const char *name, *size, *state, *type, *refs, *ptext;
	struct causes c;
	int64_t after = volumes_live_after(va);
	uint64_t sz = 0;
	size_t n = 0, i;
	int rc = -1;

	(void)who;
	causes_init(&c);
	name = param_str(params, "name", &c);
	size = param_str(params, "size", &c);
	state = param_str(params, "state", &c);
	type = param_str(params, "type", &c);
	ptext = param_str(params, "predicate", &c);
	f.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	refs = param_uuid(params, "refs", "refs", &c);
	if (name != NULL)
		name_pattern_check(name, &c);
	if (size != NULL) {
		if (!digits_only(size))
			causes_add(&c,
			    "invalid value for size search "
			    "parameter, must match /^[1-9][0-9]*$/");
		else
			sz = strtoull(size, NULL, 10);
	}
	if (state != NULL && !valid_state(state))
		causes_add(&c, "Volume state: %.100s is invalid", state);
	if (ptext != NULL && (pred = predicate_parse(ptext, &c)) != NULL) {
		for (i = 0; conflicting[i] != NULL; i++)
			if (predicate_uses(pred, conflicting[i]) &&
			    json_object_object_get_ex(
				params, conflicting[i], NULL))
				causes_add(&c,
				    "predicate has \"%s\" which conflicts with "
				    "query parameter with same name",
				    conflicting[i]);
	}
	if (causes_finish(&c, err) == -1)
		goto out;
	f.state = state;
	if (store_volume_list(va->store, &f, &vs, &n, err) == -1)
		goto out;
	if ((arr = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct volume *v = vs[i];

		if (name != NULL && !name_pattern_match(name, v->name))
			continue;
		if (size != NULL && v->size != sz)
			continue;
		if (type != NULL && strcmp(type, v->type) != 0)
			continue;
		if (refs != NULL && !has_ref(v, refs, after))
			continue;
		if (pred != NULL && !predicate_match(pred, v, after))
			continue;
		if (add_volume(arr, va, v, err) == -1)
			goto out;
	}
	*out = arr;
	arr = NULL;
	*status = 200;
	rc = 0;
out:
	json_object_put(arr);
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
	const char *uuid, *owner;
	struct causes c;
	int rc = -1;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if ((*out = volumes_to_json(va, v)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	/* Usage where the backend knows it; a failure only leaves it out. */
	if (strcmp(v->state, "ready") == 0 &&
	    provision_call(va->prov, PROVISION_USAGE, v->uuid, 0, NULL, &usage,
		NULL) == 0) {
		json_object *u = json_object_new_object();

		jsonx_add_int64(u, "used", (int64_t)usage.used_mib);
		jsonx_add_int64(u, "available", (int64_t)usage.avail_mib);
		json_object_object_add(*out, "usage", u);
	}
	*status = 200;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

static int
size_available(const struct vapi *va, uint64_t size)
{
	size_t i;

	for (i = 0; i < va->cfg->nsizes; i++)
		if (va->cfg->sizes[i] == size)
			return 1;
	return 0;
}

static void
size_not_available(const struct vapi *va, uint64_t size, struct tnfs_err *err)
{
	char list[800];

	config_sizes_string(va->cfg, list, sizeof(list));
	tnfs_err_set(err, TNFS_E_SIZE_NOT_AVAILABLE,
	    "Volume size %llu is not available. Available sizes: %s",
	    (unsigned long long)size, list);
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
	    (uint64_t)json_object_get_int64(v) > (UINT64_C(1) << 40)) {
		const char *s = json_object_is_type(v, json_type_string)
		    ? json_object_get_string(v)
		    : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

		causes_add(c,
		    "Volume size: \"%.100s\" is not a valid volume size. Size "
		    "must be a number > 0",
		    s);
		return -1;
	}
	*out = (uint64_t)json_object_get_int64(v);
	return 1;
}

static json_object *
check_networks(json_object *params, struct causes *c)
{
	json_object *nets, *copy = NULL;
	size_t i, n;

	if (!json_object_object_get_ex(params, "networks", &nets))
		return NULL;
	if (!json_object_is_type(nets, json_type_array) ||
	    (n = json_object_array_length(nets)) == 0) {
		causes_add(c, "networks must be a non-empty array");
		return NULL;
	}
	if (n > MAX_NETWORKS_PER_VOLUME) {
		causes_add(c, "networks must list at most %d networks",
		    MAX_NETWORKS_PER_VOLUME);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(nets, i);

		if (!json_object_is_type(e, json_type_string) ||
		    !tnfs_uuid_valid(json_object_get_string(e))) {
			causes_add(c, "%.100s is not a valid network UUID",
			    json_object_is_type(e, json_type_string)
				? json_object_get_string(e)
				: json_object_to_json_string_ext(
				      e, JSON_C_TO_STRING_PLAIN));
			return NULL;
		}
	}
	if ((copy = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *s =
		    json_object_get_string(json_object_array_get_idx(nets, i));
		size_t j;

		for (j = 0; j < i; j++)
			if (strcmp(s,
				json_object_get_string(
				    json_object_array_get_idx(nets, j))) == 0)
				break;
		if (j == i)
			json_object_array_add(copy, json_object_new_string(s));
	}
	return copy;
}

static int
check_labels(json_object *params, struct causes *c)
{
	json_object *l;
	int n = 0;

	if (!json_object_object_get_ex(params, "labels", &l))
		return 0;
	if (!json_object_is_type(l, json_type_object)) {
		causes_add(c, "Volume labels must be an object: got %s",
		    json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN));
		return -1;
	}
	json_object_object_foreach(l, key, val)
	{
		if (!json_object_is_type(val, json_type_string)) {
			causes_add(c,
			    "Volume labels must be an object: value of %.64s "
			    "is not a string",
			    key);
			return -1;
		}
		if (strlen(key) == 0 || strlen(key) > 128 ||
		    strlen(json_object_get_string(val)) > 1024) {
			causes_add(c,
			    "Volume labels must be an object: keys "
			    "are 1-128 bytes, values at most 1024");
			return -1;
		}
		if (++n > MAX_LABELS) {
			causes_add(c,
			    "Volume labels must be an object: at most "
			    "%d labels",
			    MAX_LABELS);
			return -1;
		}
	}
	return 0;
}

/* InvalidNetworks, worded as VOLAPI words it. */
static int
networks_usable(const struct vapi *va, json_object *nets, const char *owner,
    struct tnfs_err *err)
{
	char missing[400] = "", notowned[400] = "", nonfabric[400] = "";
	char msg[1000];
	size_t i, off;

	for (i = 0; i < json_object_array_length(nets); i++) {
		const char *u =
		    json_object_get_string(json_object_array_get_idx(nets, i));
		const struct vapi_network *net = config_network(va->cfg, u);
		char *dst = net == NULL                  ? missing
		    : !config_network_allows(net, owner) ? notowned
		    : !net->fabric                       ? nonfabric
							 : NULL;

		if (dst == NULL)
			continue;
		off = strlen(dst);
		snprintf(dst + off, 400 - off, "%s%s", off ? ", " : "", u);
	}
	if (!missing[0] && !notowned[0] && !nonfabric[0])
		return 0;
	snprintf(msg, sizeof(msg), "Invalid networks:");
	off = strlen(msg);
	if (missing[0])
		off += (size_t)snprintf(
		    msg + off, sizeof(msg) - off, " missing: %s,", missing);
	if (notowned[0] && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off,
		    " not owned by user: %s,", notowned);
	if (nonfabric[0] && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off,
		    " non-fabric: %s,", nonfabric);
	if (off < sizeof(msg))
		msg[off - 1] = '\0'; /* the last comma */
	tnfs_err_set(err, TNFS_E_INVALID_NETWORKS, "%s", msg);
	return -1;
}

static void
strip_dashes(const char *uuid, char *out)
{
	for (; *uuid != '\0'; uuid++)
		if (*uuid != '-')
			*out++ = *uuid;
	*out = '\0';
}

int
h_create_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct reservation *rs = NULL;
	struct volume *v = NULL, *got = NULL;
	json_object *nets = NULL, *jv;
	const char *uuid, *owner, *name = NULL, *type;
	uint64_t size = va->cfg->sizes[0];
	size_t nrs = 0, i;
	struct causes c;
	int rc = -1, in_tx = 0;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (json_object_object_get_ex(params, "name", &jv)) {
		if (!json_object_is_type(jv, json_type_string))
			causes_add(&c, "volume name must be a string");
		else if (valid_volume_name(json_object_get_string(jv), &c))
			name = json_object_get_string(jv);
	}
	type = param_str(params, "type", &c);
	if (type != NULL && strcmp(type, "tritonnfs") != 0)
		causes_add(&c, "Volume type: %.100s is not supported", type);
	param_size(params, &size, &c);
	nets = check_networks(params, &c);
	check_labels(params, &c);
	if (json_object_object_get_ex(params, "affinity", &jv) &&
	    !json_object_is_type(jv, json_type_array))
		causes_add(&c, "affinity must be an array of rules");
	if (causes_finish(&c, err) == -1)
		goto out;
	if (nets == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (networks_usable(va, nets, owner, err) == -1)
		goto out;
	if (!size_available(va, size)) {
		size_not_available(va, size, err);
		goto out;
	}
	if ((v = volume_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (uuid != NULL)
		memcpy(v->uuid, uuid, TNFS_UUID_BUFSZ);
	else if (tnfs_uuid_generate(v->uuid, err) == -1)
		goto out;
	memcpy(v->owner_uuid, owner, TNFS_UUID_BUFSZ);
	if (name != NULL) {
		v->name = strdup(name);
	} else {
		/* Triton: volume uuid + a random uuid, dashes removed. */
		char rnd[TNFS_UUID_BUFSZ], gen[65];

		if (tnfs_uuid_generate(rnd, err) == -1)
			goto out;
		strip_dashes(v->uuid, gen);
		strip_dashes(rnd, gen + 32);
		v->name = strdup(gen);
	}
	snprintf(v->type, sizeof(v->type), "tritonnfs");
	v->size = size;
	snprintf(v->state, sizeof(v->state), "creating");
	v->create_ms = tnfs_now_ms();
	v->networks = strdup(
	    json_object_to_json_string_ext(nets, JSON_C_TO_STRING_PLAIN));
	v->labels = strdup(json_object_object_get_ex(params, "labels", &jv)
		? json_object_to_json_string_ext(jv, JSON_C_TO_STRING_PLAIN)
		: "{}");
	if (json_object_object_get_ex(params, "affinity", &jv))
		v->affinity = strdup(
		    json_object_to_json_string_ext(jv, JSON_C_TO_STRING_PLAIN));
	memcpy(v->vm_uuid, va->host_uuid, TNFS_UUID_BUFSZ);
	if (v->name == NULL || v->networks == NULL || v->labels == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (store_tx_begin(va->store, err) == -1)
		goto out;
	in_tx = 1;
	if (store_volume_insert(va->store, v, err) == -1)
		goto out;
	/* Reservations made for this name become references (§1.9). */
	if (store_resv_list(
		va->store, owner, v->name, NULL, NULL, &rs, &nrs, err) == -1)
		goto out;
	for (i = 0; i < nrs; i++)
		if (store_ref_put(va->store, v->uuid, rs[i].vm_uuid, owner,
			tnfs_now_ms(), err) == -1)
			goto out;
	if (store_volume_get(va->store, v->uuid, &got, err) == -1)
		goto out;
	in_tx = 0;
	if (store_tx_commit(va->store, err) == -1)
		goto out;
	provision_kick(va->prov);
	if ((*out = volumes_to_json(va, got)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	*status = 201;
	rc = 0;
out:
	if (in_tx)
		store_tx_rollback(va->store);
	reservation_list_free(rs, nrs);
	json_object_put(nets);
	volume_free(v);
	volume_free(got);
	return rc;
}

static void
in_use(const struct volume *v, const char *holders, struct tnfs_err *err)
{
	tnfs_err_set(err, TNFS_E_IN_USE,
	    "Volume with name %s is used by vms: %s", v->name, holders);
}

int
h_update_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL, *now = NULL;
	const char *uuid, *owner, *name = NULL;
	char holders[800];
	uint64_t size = 0;
	json_object *jv;
	struct causes c;
	int rc = -1, has_size, in_tx = 0;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (json_object_object_get_ex(params, "name", &jv)) {
		if (!json_object_is_type(jv, json_type_string))
			causes_add(&c, "volume name must be a string");
		else if (valid_volume_name(json_object_get_string(jv), &c))
			name = json_object_get_string(jv);
	}
	has_size = param_size(params, &size, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if (has_size == 1) {
		if (!size_available(va, size)) {
			size_not_available(va, size, err);
			goto out;
		}
		if (size < v->size) {
			validation_error(err,
			    "Volume size: %llu is smaller than the current "
			    "size "
			    "%llu: volumes can grow but never shrink",
			    (unsigned long long)size,
			    (unsigned long long)v->size);
			goto out;
		}
		if (size > v->size && strcmp(v->state, "ready") != 0) {
			tnfs_err_set(err, TNFS_E_BAD_STATE,
			    "Volume with uuid %s is %s: only a ready volume "
			    "can "
			    "grow",
			    uuid, v->state);
			goto out;
		}
	}
	if (name != NULL && strcmp(name, v->name) != 0) {
		if (store_tx_begin(va->store, err) == -1)
			goto out;
		in_tx = 1;
		volume_free(v);
		v = NULL;
		if (store_volume_get(va->store, uuid, &v, err) == -1)
			goto out;
		/* Hosts mount by name: renaming under them breaks them. */
		if (volumes_live_refs(va, v, holders, sizeof(holders)) > 0) {
			in_use(v, holders, err);
			goto out;
		}
		if (store_volume_rename(va->store, uuid, name, err) == -1)
			goto out;
		in_tx = 0;
		if (store_tx_commit(va->store, err) == -1)
			goto out;
	}
	if (has_size == 1 && size > v->size) {
		if (provision_call(va->prov, PROVISION_RESIZE, uuid, size, NULL,
			NULL, err) == -1)
			goto out;
		if (store_volume_set_size(va->store, uuid, size, err) == -1)
			goto out;
	}
	if (store_volume_get(va->store, uuid, &now, err) == -1)
		goto out;
	if ((*out = volumes_to_json(va, now)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	*status = 200;
	rc = 0;
out:
	if (in_tx)
		store_tx_rollback(va->store);
	volume_free(v);
	volume_free(now);
	return rc;
}

int
h_delete_volume(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	struct volume *v = NULL;
	const char *uuid, *owner;
	char holders[800];
	struct causes c;
	int rc = -1, force, in_tx = 0;

	(void)who;
	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	owner = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	force = param_bool(params, "force", 0, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (store_tx_begin(va->store, err) == -1)
		goto out;
	in_tx = 1;
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if (!force && volumes_live_refs(va, v, holders, sizeof(holders)) > 0) {
		in_use(v, holders, err);
		goto out;
	}
	if (strcmp(v->state, "deleting") != 0 &&
	    store_volume_set_state(
		va->store, uuid, NULL, "deleting", NULL, err) == -1)
		goto out;
	in_tx = 0;
	if (store_tx_commit(va->store, err) == -1)
		goto out;
	provision_kick(va->prov);
	*out = NULL;
	*status = 204;
	rc = 0;
out:
	if (in_tx)
		store_tx_rollback(va->store);
	volume_free(v);
	return rc;
}

int
h_list_sizes(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	json_object *arr;
	const char *type;
	struct causes c;
	size_t i;

	(void)who;
	causes_init(&c);
	type = param_str(params, "type", &c);
	if (type != NULL && strcmp(type, "tritonnfs") != 0)
		causes_add(&c, "Volume type: %.100s is not supported", type);
	if (causes_finish(&c, err) == -1)
		return -1;
	if ((arr = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < va->cfg->nsizes; i++) {
		json_object *o = json_object_new_object();

		jsonx_add_int64(o, "size", (int64_t)va->cfg->sizes[i]);
		jsonx_add_str(o, "type", "tritonnfs");
		json_object_array_add(arr, o);
	}
	*out = arr;
	*status = 200;
	return 0;
}

static json_object *
network_json(const struct vapi_network *net)
{
	json_object *o = json_object_new_object(), *owners;
	size_t i;

	jsonx_add_str(o, "uuid", net->uuid);
	jsonx_add_str(o, "name", net->name);
	jsonx_add_str(o, "subnet", net->subnet);
	jsonx_add_bool(o, "fabric", net->fabric);
	owners = json_object_new_array();
	for (i = 0; i < net->nowners; i++)
		json_object_array_add(
		    owners, json_object_new_string(net->owner_uuids[i]));
	json_object_object_add(o, "owner_uuids", owners);
	jsonx_add_bool(o, "default", net->is_default);
	jsonx_add_str(o, "nfs_address",
	    net->advertise_address[0] ? net->advertise_address
				      : net->nfs_address);
	jsonx_add_int64(o, "nfs_port",
	    net->advertise_nfs_port ? net->advertise_nfs_port : net->nfs_port);
	jsonx_add_int64(o, "mount_port",
	    net->advertise_mount_port ? net->advertise_mount_port
				      : net->mount_port);
	return o;
}

static const char *
scope_owner(const struct caller *who, json_object *params)
{
	const char *o = volumes_owner_param(params);

	if (o != NULL)
		return o;
	return who->operator? NULL : who->owner_uuid;
}

int
h_list_networks(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const char *owner, *name;
	json_object *arr;
	struct causes c;
	size_t i;

	causes_init(&c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	name = param_str(params, "name", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	owner = scope_owner(who, params);
	if ((arr = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < va->cfg->nnetworks; i++) {
		const struct vapi_network *net = &va->cfg->networks[i];

		if (owner != NULL && !config_network_allows(net, owner))
			continue;
		if (name != NULL && strcmp(name, net->name) != 0)
			continue;
		json_object_array_add(arr, network_json(net));
	}
	*out = arr;
	*status = 200;
	return 0;
}

int
h_get_network(struct vapi *va, const struct caller *who, json_object *params,
    json_object **out, int *status, struct tnfs_err *err)
{
	const struct vapi_network *net;
	const char *uuid, *owner;
	struct causes c;

	causes_init(&c);
	uuid = param_uuid(params, "uuid", "uuid", &c);
	param_uuid(params, "owner_uuid", "owner_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	owner = scope_owner(who, params);
	net = config_network(va->cfg, uuid);
	if (net == NULL ||
	    (owner != NULL && !config_network_allows(net, owner))) {
		tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
		    "Network with uuid %s could not be found", uuid);
		return -1;
	}
	*out = network_json(net);
	*status = 200;
	return 0;
}

int
h_admin_list_volumes(struct vapi *va, const struct caller *who,
    json_object *params, json_object **out, int *status, struct tnfs_err *err)
{
	struct volume_filter f = {NULL, NULL};
	struct volume **vs = NULL;
	json_object *arr = NULL;
	int64_t after = volumes_live_after(va);
	struct causes c;
	size_t n = 0, i, k;
	int rc = -1;

	(void)who;
	causes_init(&c);
	f.owner_uuid = param_uuid(params, "owner_uuid", "owner_uuid", &c);
	f.state = param_str(params, "state", &c);
	if (f.state != NULL && !valid_state(f.state))
		causes_add(&c, "Volume state: %.100s is invalid", f.state);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (store_volume_list(va->store, &f, &vs, &n, err) == -1)
		goto out;
	if ((arr = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_object *o = volumes_to_json(va, vs[i]);
		json_object *details = json_object_new_array();

		for (k = 0; k < vs[i]->nrefs; k++) {
			const struct volume_ref *r = &vs[i]->refs[k];
			json_object *d = json_object_new_object();
			char ts[TNFS_TIME_BUFSZ];

			jsonx_add_str(d, "vm_uuid", r->vm_uuid);
			jsonx_add_str(d, "owner_uuid", r->owner_uuid);
			tnfs_time_format(r->created_ms, ts);
			jsonx_add_str(d, "created", ts);
			tnfs_time_format(r->renewed_ms, ts);
			jsonx_add_str(d, "renewed", ts);
			tnfs_time_format(r->renewed_ms +
				(int64_t)va->cfg->ref_lease_s * 1000,
			    ts);
			jsonx_add_str(d, "expires", ts);
			jsonx_add_bool(d, "live", r->renewed_ms >= after);
			json_object_array_add(details, d);
		}
		json_object_object_add(o, "refs_detail", details);
		if (vs[i]->error != NULL)
			jsonx_add_str(o, "error", vs[i]->error);
		json_object_array_add(arr, o);
	}
	*out = arr;
	arr = NULL;
	*status = 200;
	rc = 0;
out:
	json_object_put(arr);
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
	if (causes_finish(&c, err) == -1)
		goto out;
	if (volumes_load(va, uuid, NULL, &v, err) == -1)
		goto out;
	if (provision_call(
		va->prov, PROVISION_RESTART, uuid, 0, NULL, NULL, err) == -1)
		goto out;
	volume_free(v);
	v = NULL;
	if (volumes_load(va, uuid, NULL, &v, err) == -1)
		goto out;
	*out = volumes_to_json(va, v);
	*status = 200;
	rc = 0;
out:
	volume_free(v);
	return rc;
}
