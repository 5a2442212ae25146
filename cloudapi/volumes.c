/*
 * volumes.c: CloudAPI's volume endpoints (RFD 26; sdc-cloudapi
 * lib/endpoints/volumes.js and lib/validation/volumes.js), served by the
 * Volume API through libvapi, always with the caller's uuid as owner_uuid,
 * so an account reaches only its own volumes: another account's volume is
 * 404 VolumeNotFound, as one that does not exist.
 *
 * CloudAPI validates before it calls VOLAPI and answers 409
 * InvalidArgument with its causes joined as JavaScript joins Errors
 * ("Error: <cause>, Error: <cause>"); the texts below are CloudAPI's, word
 * for word.  What the VAPI refuses passes through capi_wrap_vapi_err.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudapi.h"
#include "jsonx.h"
#include "log.h"

#define UUID_RE_TEXT                                                       \
	"/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/"
#define NAME_RE_TEXT "/^[a-z0-9][\\w.-]+$/i"
#define NAME_MAX_LEN 256

/* CloudAPI's validation causes, joined as Array.prototype.join does. */
struct causes {
	char msg[TNFS_ERR_MSG_MAX];
	size_t len;
	int n;
};

static void causes_add(struct causes *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
causes_add(struct causes *c, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (c->len + 1 >= sizeof(c->msg))
		return;
	w = snprintf(c->msg + c->len, sizeof(c->msg) - c->len, "%sError: ",
	    c->n > 0 ? ", " : "");
	if (w > 0)
		c->len += (size_t)w;
	if (c->len + 1 < sizeof(c->msg)) {
		va_start(ap, fmt);
		w = vsnprintf(c->msg + c->len, sizeof(c->msg) - c->len, fmt, ap);
		va_end(ap);
		if (w > 0)
			c->len += (size_t)w;
	}
	if (c->len >= sizeof(c->msg))
		c->len = sizeof(c->msg) - 1;
	c->n++;
}

static int
causes_finish(const struct causes *c, struct tnfs_err *err)
{
	if (c->n == 0)
		return 0;
	capi_err(err, "InvalidArgument", 409, "%s", c->msg);
	return -1;
}

/* JavaScript's String(v) for the values a message quotes. */
static const char *
js_string(json_object *v)
{
	if (v == NULL)
		return "undefined";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static int
lower_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == '-' ? s[i] != '-'
				    : !(isdigit((unsigned char)s[i]) ||
					  (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static void
check_id(const char *id, struct causes *c)
{
	if (!lower_uuid(id))
		causes_add(c,
		    "Invalid volume ID: %.64s. Volume ID should match " UUID_RE_TEXT,
		    id);
}

static int
name_chars_ok(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]) || s[1] == '\0')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

static void
check_name(json_object *v, struct causes *c)
{
	const char *s = js_string(v);

	if (!json_object_is_type(v, json_type_string))
		causes_add(c, "Invalid volume name: volume name must be a string");
	if (!name_chars_ok(s))
		causes_add(c,
		    "Invalid volume name: %.300s. Volume name should match " NAME_RE_TEXT,
		    s);
	if (json_object_is_type(v, json_type_string) && strlen(s) > NAME_MAX_LEN)
		causes_add(c,
		    "Invalid volume name length: volume name must be at most "
		    "%d long",
		    NAME_MAX_LEN);
}

static void
check_type(json_object *v, struct causes *c)
{
	if (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "tritonnfs") != 0)
		causes_add(c,
		    "Invalid volume type: %.100s. Volume type should be one of: "
		    "tritonnfs",
		    js_string(v));
}

static void
check_state(const char *s, struct causes *c)
{
	static const char *const states[] = {"creating", "ready", "failed",
	    "deleting", NULL};
	size_t i;

	for (i = 0; states[i] != NULL; i++)
		if (strcmp(s, states[i]) == 0)
			return;
	causes_add(c, "Volume state: %.100s is invalid", s);
}

static int
digits_only(const char *s)
{
	size_t i;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return i <= 15; /* MiB well past any pool; keeps strtoull exact */
}

static int
name_search_ok(const char *s)
{
	size_t n = strlen(s), i, b = 0, e = n;

	if (n > 0 && s[0] == '*')
		b = 1;
	if (e > b && s[e - 1] == '*')
		e--;
	if (e <= b)
		return 0;
	for (i = b; i < e; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/*
 * The VAPI's error as it is, but never the VAPI's address: a transport
 * failure is logged and answered without it.
 */
static void
pass_vapi_err(struct tnfs_err *err, const char *context)
{
	if (err == NULL)
		return;
	if (strcmp(err->code, "ServiceUnavailable") == 0 ||
	    strcmp(err->code, "Timeout") == 0) {
		char code[TNFS_ERR_CODE_MAX];
		int status = err->http_status;

		log_err(TNFS_LOG_ERROR, err, "%s", context);
		snprintf(code, sizeof(code), "%s", err->code);
		capi_err(err, code, status,
		    "%s: the volume service is not answering", context);
	}
}

json_object *
capi_volume_json(json_object *vv)
{
	json_object *o = NULL, *v;

	if (json_object_deep_copy(vv, &o, NULL) != 0 || o == NULL)
		return NULL;
	if (json_object_object_get_ex(o, "uuid", &v)) {
		json_object_object_add(o, "id", json_object_get(v));
		json_object_object_del(o, "uuid");
	}
	/* JavaScript truthiness: an object, even empty, is kept. */
	if (json_object_object_get_ex(o, "labels", &v) && v != NULL &&
	    json_object_get_type(v) != json_type_boolean)
		json_object_object_add(o, "tags", json_object_get(v));
	json_object_object_del(o, "labels");
	if (json_object_object_get_ex(o, "create_timestamp", &v)) {
		json_object_object_add(o, "created", json_object_get(v));
		json_object_object_del(o, "create_timestamp");
	}
	/* The storage behind a volume is not the user's business. */
	json_object_object_del(o, "vm_uuid");
	return o;
}

/* Query members outside allowed are CloudAPI's "invalid parameter". */
static void
check_params(json_object *q, const char *const *allowed, struct causes *c)
{
	json_object_object_foreach(q, key, val)
	{
		size_t i;

		(void)val;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			causes_add(c, "invalid parameter: %.64s", key);
	}
}

/*
 * The fields a krill predicate names ({"op": [field, value]}, "and" and
 * "or" over lists of predicates), with "id" renamed "uuid" as CloudAPI
 * does before it asks VOLAPI.  Returns -1 when pred is not of that shape
 * (the VAPI then explains).
 */
static int
predicate_fields(json_object *pred, json_object *query, int depth,
    struct causes *c)
{
	if (depth > 8 || !json_object_is_type(pred, json_type_object))
		return -1;
	json_object_object_foreach(pred, op, args)
	{
		size_t i, n;

		if (!json_object_is_type(args, json_type_array))
			return -1;
		n = json_object_array_length(args);
		if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
			for (i = 0; i < n; i++)
				if (predicate_fields(
					json_object_array_get_idx(args, i),
					query, depth + 1, c) == -1)
					return -1;
		} else if (n >= 1) {
			json_object *f = json_object_array_get_idx(args, 0);
			const char *field;

			if (!json_object_is_type(f, json_type_string))
				return -1;
			field = json_object_get_string(f);
			if (json_object_object_get_ex(query, field, NULL))
				causes_add(c,
				    "predicate has \"%.64s\" which conflicts "
				    "with parameter with same name",
				    field);
			if (strcmp(field, "id") == 0)
				json_object_array_put_idx(
				    args, 0, json_object_new_string("uuid"));
		}
	}
	return 0;
}

int
capi_list_volumes(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	static const char *const allowed[] = {"name", "predicate", "size",
	    "state", "type", NULL};
	struct vapi_list_filter f;
	struct vapi_volume_list vl = {NULL, 0};
	struct vapi_client *vc = NULL;
	json_object *pred = NULL, *arr = NULL, *tv;
	const char *name, *state, *size, *ptext;
	char *pjson = NULL;
	struct causes c;
	size_t i;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	check_params(call->query, allowed, &c);
	name = jsonx_get_str(call->query, "name");
	state = jsonx_get_str(call->query, "state");
	size = jsonx_get_str(call->query, "size");
	ptext = jsonx_get_str(call->query, "predicate");
	if (name != NULL && !name_search_ok(name))
		causes_add(&c, "invalid value for name search parameter");
	if (json_object_object_get_ex(call->query, "type", &tv))
		check_type(tv, &c);
	if (size != NULL && !digits_only(size))
		causes_add(&c, "invalid value for size search parameter, must "
			       "match /^[1-9][0-9]*$/");
	if (state != NULL)
		check_state(state, &c);
	if (ptext != NULL) {
		struct tnfs_err perr;

		tnfs_err_clear(&perr);
		if ((pred = jsonx_parse(ptext, strlen(ptext), 16, &perr)) ==
		    NULL)
			causes_add(&c, "Could not parse JSON predicate %.300s: %s",
			    ptext, perr.msg);
		else
			predicate_fields(pred, call->query, 0, &c);
	}
	if (causes_finish(&c, err) == -1)
		goto out;
	if (pred != NULL) {
		if ((pjson = jsonx_to_string(pred)) == NULL)
			goto oom;
	} else if (state == NULL) {
		/* PUBAPI-1371: failed volumes only when asked for. */
		if ((pjson = strdup("{\"ne\":[\"state\",\"failed\"]}")) == NULL)
			goto oom;
	}
	f.owner_uuid = call->account->uuid;
	f.name = name;
	f.state = state;
	f.type = jsonx_get_str(call->query, "type");
	f.predicate = pjson;
	f.size_mib = size != NULL ? strtoull(size, NULL, 10) : 0;
	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		goto out;
	if (vapi_client_list_volumes(vc, &f, &vl, err) == -1) {
		pass_vapi_err(err, "Error when listing volumes");
		goto out;
	}
	if ((arr = json_object_new_array()) == NULL)
		goto oom;
	for (i = 0; i < vl.n; i++) {
		json_object *o = capi_volume_json(vl.items[i].raw);

		if (o == NULL || json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			goto oom;
		}
	}
	*count = (long)vl.n;
	*out = arr;
	arr = NULL;
	*status = 200;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	json_object_put(arr);
	json_object_put(pred);
	free(pjson);
	vapi_volume_list_clear(&vl);
	vapi_client_free(vc);
	return rc;
}

static void
check_create(json_object *b, struct causes *c)
{
	json_object *v;
	size_t i, n;

	if (json_object_object_get_ex(b, "name", &v))
		check_name(v, c);
	check_type(json_object_object_get_ex(b, "type", &v) ? v : NULL, c);
	if (json_object_object_get_ex(b, "size", &v) &&
	    (!(json_object_is_type(v, json_type_int) ||
		 json_object_is_type(v, json_type_double)) ||
		json_object_get_double(v) <= 0))
		causes_add(c, "Invalid volume size: %.64s", js_string(v));
	if (json_object_object_get_ex(b, "networks", &v)) {
		if (!json_object_is_type(v, json_type_array)) {
			causes_add(c,
			    "Invalid networks: networks must be an array");
		} else {
			char list[512] = "";
			size_t len = 0;
			int bad = 0;

			n = json_object_array_length(v);
			for (i = 0; i < n; i++) {
				json_object *e = json_object_array_get_idx(v, i);
				int w;

				if (!json_object_is_type(e, json_type_string) ||
				    !lower_uuid(json_object_get_string(e)))
					bad = 1;
				w = snprintf(list + len, sizeof(list) - len,
				    "%s%s", i > 0 ? "," : "", js_string(e));
				if (w > 0 && len + (size_t)w < sizeof(list))
					len += (size_t)w;
			}
			if (bad)
				causes_add(c, "Invalid networks: %s", list);
		}
	}
	if (json_object_object_get_ex(b, "affinity", &v) && v != NULL) {
		int ok = json_object_is_type(v, json_type_array);

		n = ok ? json_object_array_length(v) : 0;
		for (i = 0; i < n; i++)
			if (!json_object_is_type(
				json_object_array_get_idx(v, i),
				json_type_string))
				ok = 0;
		if (!ok)
			causes_add(c, "Invalid affinity: affinity must be an "
				      "array of strings");
	}
	if (json_object_object_get_ex(b, "tags", &v) && v != NULL) {
		int ok = json_object_is_type(v, json_type_object);

		if (ok) {
			json_object_object_foreach(v, tk, tv)
			{
				(void)tk;
				if (!json_object_is_type(tv, json_type_string))
					ok = 0;
			}
		}
		if (!ok)
			causes_add(c, "Invalid tags: tags must be an object of "
				      "key/value strings");
	}
}

/*
 * The account's default network when it may use it: CloudAPI's default
 * fabric network.  A default that is not a fabric is still sent, so the
 * VAPI's own 409 InvalidNetworks says why it cannot serve volumes.
 */
static int
default_network(struct vapi_client *vc, const struct account *a,
    char uuid[VAPI_UUID_BUFSZ], struct tnfs_err *err)
{
	struct vapi_network_list nl = {NULL, 0};
	size_t i, j;
	int rc = -1;

	if (vapi_client_list_networks(vc, &nl, err) == -1) {
		capi_wrap_vapi_err(err, "Error when creating volume");
		return -1;
	}
	for (i = 0; i < nl.n; i++) {
		const struct vapi_network *n = &nl.items[i];

		if (!n->is_default)
			continue;
		for (j = 0; j < n->nowner_uuids; j++)
			if (strcmp(n->owner_uuids[j], a->uuid) == 0)
				break;
		if (n->nowner_uuids == 0 || j < n->nowner_uuids) {
			memcpy(uuid, n->uuid, VAPI_UUID_BUFSZ);
			rc = 0;
		}
		break;
	}
	if (rc == -1)
		capi_err(err, "DefaultFabricNetworkNotConfiguredError", 409,
		    "default_network is not configured for account");
	vapi_network_list_clear(&nl);
	return rc;
}

int
capi_create_volume(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	static const char *const copied[] = {"name", "type", "size",
	    "affinity", NULL};
	json_object *b = call->body, *rq = NULL, *reply = NULL, *v;
	struct vapi_client *vc = NULL;
	char net[VAPI_UUID_BUFSZ];
	struct causes c;
	size_t i;
	int st = 0, rc = -1;

	(void)count;
	memset(&c, 0, sizeof(c));
	if (b == NULL)
		b = call->query; /* restify merges either into params */
	check_create(b, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		return -1;
	if ((rq = json_object_new_object()) == NULL)
		goto oom;
	jsonx_add_str(rq, "owner_uuid", call->account->uuid);
	for (i = 0; copied[i] != NULL; i++)
		if (json_object_object_get_ex(b, copied[i], &v) && v != NULL)
			json_object_object_add(rq, copied[i], json_object_get(v));
	if (json_object_object_get_ex(b, "tags", &v) && v != NULL)
		json_object_object_add(rq, "labels", json_object_get(v));
	if (json_object_object_get_ex(b, "networks", &v)) {
		json_object_object_add(rq, "networks", json_object_get(v));
	} else {
		json_object *arr;

		if (default_network(vc, call->account, net, err) == -1)
			goto out;
		if ((arr = json_object_new_array()) == NULL)
			goto oom;
		json_object_array_add(arr, json_object_new_string(net));
		json_object_object_add(rq, "networks", arr);
	}
	if (vapi_client_request(vc, "POST", "/volumes", rq, &st, &reply, err) ==
	    -1) {
		capi_wrap_vapi_err(err, "Error when creating volume");
		goto out;
	}
	if (reply == NULL || (*out = capi_volume_json(reply)) == NULL)
		goto oom;
	*status = 201;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	json_object_put(reply);
	json_object_put(rq);
	vapi_client_free(vc);
	return rc;
}

/*
 * The answer to a VAPI call (called: its 0 or -1) that filled v: v as
 * CloudAPI renders a volume, status 200; or the VAPI's error, wrapped
 * with what.  Clears v and frees vc either way.
 */
static int
volume_reply(struct vapi_client *vc, int called, struct vapi_volume *v,
    const char *what, json_object **out, int *status, struct tnfs_err *err)
{
	int rc = -1;

	if (called == -1)
		capi_wrap_vapi_err(err, what);
	else if ((*out = capi_volume_json(v->raw)) == NULL)
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	else {
		*status = 200;
		rc = 0;
	}
	vapi_volume_clear(v);
	vapi_client_free(vc);
	return rc;
}

int
capi_get_volume(const struct capi_call *call, json_object **out, int *status,
    long *count, struct tnfs_err *err)
{
	struct vapi_volume v;
	struct vapi_client *vc;
	struct causes c;

	(void)count;
	memset(&c, 0, sizeof(c));
	memset(&v, 0, sizeof(v));
	check_id(call->id, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		return -1;
	return volume_reply(vc,
	    vapi_client_get_volume(vc, call->id, call->account->uuid, &v, err),
	    &v, "Error when getting volume", out, status, err);
}

int
capi_update_volume(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	struct vapi_update_req u;
	struct vapi_volume v;
	struct vapi_client *vc;
	json_object *name = NULL;
	struct causes c;

	(void)count;
	memset(&c, 0, sizeof(c));
	memset(&v, 0, sizeof(v));
	memset(&u, 0, sizeof(u));
	if (call->body != NULL &&
	    json_object_object_get_ex(call->body, "name", &name))
		check_name(name, &c);
	check_id(call->id, &c);
	json_object_object_foreach(call->query, qk, qv)
	{
		(void)qv;
		if (strcmp(qk, "name") != 0)
			causes_add(&c, "%.64s is an invalid parameter", qk);
	}
	if (call->body != NULL) {
		json_object_object_foreach(call->body, bk, bv)
		{
			(void)bv;
			if (strcmp(bk, "name") != 0)
				causes_add(&c, "%.64s is an invalid parameter", bk);
		}
	}
	if (name == NULL &&
	    json_object_object_get_ex(call->query, "name", &name))
		check_name(name, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	u.owner_uuid = call->account->uuid;
	u.name = name != NULL ? json_object_get_string(name) : NULL;
	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		return -1;
	return volume_reply(vc,
	    vapi_client_update_volume(vc, call->id, &u, &v, err), &v,
	    "Error when updating volume", out, status, err);
}

int
capi_delete_volume(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	struct vapi_client *vc;
	struct causes c;
	int rc = -1;

	(void)count;
	(void)out;
	memset(&c, 0, sizeof(c));
	check_id(call->id, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		return -1;
	/* CloudAPI never forces: a volume in use stays (VolumeInUse). */
	if (vapi_client_delete_volume(vc, call->id, call->account->uuid, 0,
		err) == -1)
		capi_wrap_vapi_err(err, "Error when deleting volume");
	else {
		*status = 204;
		rc = 0;
	}
	vapi_client_free(vc);
	return rc;
}

int
capi_list_volume_sizes(const struct capi_call *call, json_object **out,
    int *status, long *count, struct tnfs_err *err)
{
	struct vapi_client *vc;
	json_object *reply = NULL, *tv = NULL;
	struct causes c;
	int st = 0, rc = -1;

	memset(&c, 0, sizeof(c));
	if (!json_object_object_get_ex(call->query, "type", &tv))
		tv = NULL;
	else
		check_type(tv, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	if ((vc = cloudapi_vapi(call->ca, call->request_id, err)) == NULL)
		return -1;
	/* The type is checked above: nothing to escape. */
	if (vapi_client_request(vc, "GET",
		tv != NULL ? "/volumesizes?type=tritonnfs" : "/volumesizes",
		NULL, &st, &reply, err) == -1) {
		pass_vapi_err(err, "Error when listing volume sizes");
	} else if (!json_object_is_type(reply, json_type_array)) {
		capi_err(err, "CloudApiError", 500,
		    "Error when listing volume sizes");
	} else {
		*count = (long)json_object_array_length(reply);
		*out = reply;
		reply = NULL;
		*status = 200;
		rc = 0;
	}
	json_object_put(reply);
	vapi_client_free(vc);
	return rc;
}
