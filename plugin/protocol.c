/*
 * protocol.c: request parsing, Create options and replies (protocol.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affinity.h"
#include "jsonx.h"
#include "parse.h"
#include "protocol.h"
#include "timefmt.h"

const char *const proto_create_opt_names =
    "size, network, from, affinity, ro, nfsvers, uid, gid, mode";

void
proto_req_clear(struct proto_req *rq)
{
	if (rq == NULL)
		return;
	if (rq->root != NULL)
		json_object_put(rq->root);
	memset(rq, 0, sizeof(*rq));
}

static int
only_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

int
proto_parse(const char *body, size_t len, int need, struct proto_req *rq,
    struct tnfs_err *err)
{
	json_object *v;
	struct tnfs_err perr;
	const char *s;
	int rc = -1;

	memset(rq, 0, sizeof(*rq));
	if (len > PROTO_BODY_MAX) {
		tnfs_err_set(err, TNFS_E_TOO_LARGE,
		    "request body of %zu bytes is larger than %u", len,
		    PROTO_BODY_MAX);
		goto out;
	}
	if (body == NULL || len == 0 || only_space(body, len)) {
		/* A drained retry arrives empty (§1.5); say what is missing. */
		if (need == 0) {
			rc = 0;
			goto out;
		}
		tnfs_err_set(err, TNFS_E_BAD_REQUEST,
		    "empty request body; expected {\"Name\":...%s}",
		    (need & PROTO_NEED_ID) ? ",\"ID\":..." : "");
		goto out;
	}
	tnfs_err_clear(&perr);
	if ((rq->root = jsonx_parse(body, len, 32, &perr)) == NULL) {
		tnfs_err_set(err, TNFS_E_BAD_REQUEST,
		    "request body is not valid JSON: %s", perr.msg);
		goto out;
	}
	if (!json_object_is_type(rq->root, json_type_object)) {
		tnfs_err_set(err, TNFS_E_BAD_REQUEST,
		    "request body must be a JSON object");
		goto out;
	}
	if (need & PROTO_NEED_NAME) {
		if (!json_object_object_get_ex(rq->root, "Name", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "request needs \"Name\" as a string");
			goto out;
		}
		s = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) != strlen(s)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "volume name contains a NUL byte");
			goto out;
		}
		if (tnfs_name_check(s, err) == -1)
			goto out;
		snprintf(rq->name, sizeof(rq->name), "%s", s);
	}
	if (need & PROTO_NEED_ID) {
		if (!json_object_object_get_ex(rq->root, "ID", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "request needs \"ID\" as a string");
			goto out;
		}
		s = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) != strlen(s) ||
		    !state_id_valid(s)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "mount ID must be 1-%d characters of "
			    "[A-Za-z0-9_.-]",
			    STATE_ID_MAX);
			goto out;
		}
		snprintf(rq->id, sizeof(rq->id), "%s", s);
	}
	if (json_object_object_get_ex(rq->root, "Opts", &v) && v != NULL &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_object)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "\"Opts\" must be an object of strings or null");
			goto out;
		}
		rq->opts = v;
	}
	rc = 0;
out:
	if (rc == -1)
		proto_req_clear(rq);
	return rc;
}

static int
parse_mode(const char *s, uint32_t *out, struct tnfs_err *err)
{
	uint32_t m = 0;
	size_t i, len = strlen(s);

	if (len < 1 || len > 5)
		goto bad;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7')
			goto bad;
		m = m * 8 + (uint32_t)(s[i] - '0');
	}
	if (m > 07777)
		goto bad;
	*out = m;
	return 0;
bad:
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "option mode=%.32s: expected octal permission bits such as 0755 "
	    "or 2775",
	    s);
	return -1;
}

/* One option of a create: k=v into out; -1 with err when it is bad. */
static int
create_opt(
    const char *k, const char *v, struct create_opts *out, struct tnfs_err *err)
{
	uint64_t u;

	if (strcmp(k, "size") == 0) {
		if (tnfs_size_parse(v, &out->size_mib, err) == -1) {
			tnfs_err_prefix(err, "option size");
			return -1;
		}
		out->has_size = 1;
	} else if (strcmp(k, "network") == 0) {
		if (v[0] == '\0' || strlen(v) > TNFS_NAME_MAX) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option network: expected a network name "
			    "or uuid of 1-%d bytes",
			    TNFS_NAME_MAX);
			return -1;
		}
		snprintf(out->network, sizeof(out->network), "%s", v);
	} else if (strcmp(k, "from") == 0) {
		if (tnfs_clone_source_parse(v, out->from_volume,
			out->from_snapshot, err) == -1) {
			tnfs_err_prefix(err, "option from");
			return -1;
		}
	} else if (strcmp(k, "affinity") == 0) {
		json_object *rules;

		if (strlen(v) > PROTO_AFFINITY_MAX) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option affinity: longer than %d bytes",
			    PROTO_AFFINITY_MAX);
			return -1;
		}
		if ((rules = tnfs_affinity_list_parse(v, err)) == NULL) {
			tnfs_err_prefix(err, "option affinity");
			return -1;
		}
		json_object_put(rules);
		snprintf(out->affinity, sizeof(out->affinity), "%s", v);
	} else if (strcmp(k, "ro") == 0) {
		if (tnfs_parse_bool(
			v, &out->vol.ro, "option ro", err) == -1)
			return -1;
	} else if (strcmp(k, "nfsvers") == 0) {
		if (strcmp(v, "auto") != 0 && strcmp(v, "3") != 0 &&
		    strcmp(v, "4") != 0 && strcmp(v, "4.0") != 0 &&
		    strcmp(v, "4.1") != 0 && strcmp(v, "4.2") != 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option nfsvers=%.16s: expected auto, 3, "
			    "4, "
			    "4.0, 4.1 or 4.2",
			    v);
			return -1;
		}
		snprintf(out->vol.nfsvers, sizeof(out->vol.nfsvers),
		    "%s", v);
	} else if (strcmp(k, "uid") == 0 || strcmp(k, "gid") == 0) {
		if (tnfs_parse_u64(v, UINT32_MAX - 1, &u, k, err) ==
		    -1) {
			tnfs_err_prefix(err, "option %s", k);
			return -1;
		}
		if (k[0] == 'u') {
			out->vol.has_uid = 1;
			out->vol.uid = (uint32_t)u;
		} else {
			out->vol.has_gid = 1;
			out->vol.gid = (uint32_t)u;
		}
	} else if (strcmp(k, "mode") == 0) {
		if (parse_mode(v, &out->vol.mode, err) == -1)
			return -1;
		out->vol.has_mode = 1;
	} else {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "unknown option %.64s%s (known options: %s)", k,
		    strlen(k) > 64 ? "..." : "",
		    proto_create_opt_names);
		return -1;
	}
	return 0;
}

int
proto_parse_create_opts(
    json_object *opts, struct create_opts *out, struct tnfs_err *err)
{
	struct json_object_iterator it, end;

	memset(out, 0, sizeof(*out));
	volume_opts_default(&out->vol);
	if (opts == NULL)
		return 0;
	if (!json_object_is_type(opts, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "\"Opts\" must be an object of strings");
		return -1;
	}
	it = json_object_iter_begin(opts);
	end = json_object_iter_end(opts);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);
		json_object *jv = json_object_iter_peek_value(&it);
		const char *v;

		if (!json_object_is_type(jv, json_type_string)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option %.64s: value must be a string", k);
			return -1;
		}
		v = json_object_get_string(jv);
		if ((size_t)json_object_get_string_len(jv) != strlen(v)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "option %.64s: value contains a NUL byte", k);
			return -1;
		}
		if (create_opt(k, v, out, err) == -1)
			return -1;
	}
	return 0;
}

json_object *
proto_opts_to_labels(const struct volume_opts *o)
{
	json_object *l = json_object_new_object();
	char num[32];

	if (l == NULL)
		return NULL;
	if (jsonx_add_str(l, "tritonnfs.ro", o->ro ? "true" : "false") == -1 ||
	    jsonx_add_str(l, "tritonnfs.nfsvers", o->nfsvers) == -1)
		goto fail;
	if (o->has_uid) {
		snprintf(num, sizeof(num), "%u", o->uid);
		if (jsonx_add_str(l, "tritonnfs.uid", num) == -1)
			goto fail;
	}
	if (o->has_gid) {
		snprintf(num, sizeof(num), "%u", o->gid);
		if (jsonx_add_str(l, "tritonnfs.gid", num) == -1)
			goto fail;
	}
	if (o->has_mode) {
		snprintf(num, sizeof(num), "%04o", o->mode);
		if (jsonx_add_str(l, "tritonnfs.mode", num) == -1)
			goto fail;
	}
	return l;
fail:
	json_object_put(l);
	return NULL;
}

void
proto_opts_from_labels(json_object *labels, struct volume_opts *o)
{
	struct create_opts co;
	json_object *opts;
	static const char *const keys[] = {
	    "ro", "nfsvers", "uid", "gid", "mode"};
	size_t i;

	volume_opts_default(o);
	if (labels == NULL || (opts = json_object_new_object()) == NULL)
		return;
	/* Labels come from any VAPI client: validate them as Create opts. */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char key[32];
		const char *v;

		snprintf(key, sizeof(key), "tritonnfs.%s", keys[i]);
		if ((v = jsonx_get_str(labels, key)) != NULL)
			jsonx_add_str(opts, keys[i], v);
	}
	if (proto_parse_create_opts(opts, &co, NULL) == 0)
		*o = co.vol;
	json_object_put(opts);
}

char *
proto_err_body(const struct tnfs_err *err)
{
	json_object *o = tnfs_err_to_docker_json(err);
	char *s;

	if (o == NULL)
		return NULL;
	s = jsonx_to_string(o);
	json_object_put(o);
	return s;
}

void
proto_volume_list_clear(struct proto_volume_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].mountpoint);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int
add_time(json_object *o, const char *key, int64_t ms)
{
	char buf[TNFS_TIME_BUFSZ];

	if (ms <= 0)
		return 0;
	tnfs_time_format(ms, buf);
	return jsonx_add_str(o, key, buf);
}

/* Status: what `docker volume inspect` shows of our own state. */
static json_object *
status_json(const struct proto_volume *v)
{
	json_object *s = json_object_new_object();
	char human[32], opts[64];
	int bad = 0;

	if (s == NULL)
		return NULL;
	bad |= jsonx_add_str(s, "state", v->state);
	bad |= jsonx_add_str(
	    s, "vapi_state", v->vapi_state[0] ? v->vapi_state : "unknown");
	bad |= jsonx_add_str(s, "uuid", v->uuid);
	if (v->server[0] != '\0') {
		bad |= jsonx_add_str(s, "server", v->server);
		bad |= jsonx_add_str(s, "export", v->export);
	}
	if (v->size_mib > 0) {
		tnfs_size_format(v->size_mib, human, sizeof(human));
		bad |= jsonx_add_str(s, "size", human);
	}
	bad |= jsonx_add_bool(s, "mounted", v->mounted);
	bad |= jsonx_add_int64(s, "ids", (int64_t)v->nids);
	snprintf(opts, sizeof(opts), "nfsvers=%s,%s", v->nfsvers,
	    v->ro ? "ro" : "rw");
	bad |= jsonx_add_str(s, "options", opts);
	bad |= jsonx_add_str(s, "backend", v->backend);
	if (v->mount[0] != '\0')
		bad |= jsonx_add_str(s, "mount", v->mount);
	bad |= jsonx_add_str(s, "hosts", v->hosts);
	bad |= add_time(s, "mounted_since", v->mounted_since_ms);
	bad |= jsonx_add_str(s, "last_error", v->last_error);
	bad |= add_time(s, "last_check", v->last_check_ms);
	if (bad) {
		json_object_put(s);
		return NULL;
	}
	return s;
}

json_object *
proto_get_reply(const struct proto_volume *v, struct tnfs_err *err)
{
	json_object *reply = json_object_new_object(), *o;

	if (reply == NULL ||
	    jsonx_add_obj(reply, "Volume", o = json_object_new_object()) ==
		-1 ||
	    jsonx_add_str(o, "Name", v->name) == -1 ||
	    (v->mountpoint[0] != '\0' &&
		jsonx_add_str(o, "Mountpoint", v->mountpoint) == -1) ||
	    add_time(o, "CreatedAt", v->created_ms) == -1 ||
	    jsonx_add_obj(o, "Status", status_json(v)) == -1) {
		if (reply != NULL)
			json_object_put(reply);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	return reply;
}

json_object *
proto_list_reply(const struct proto_volume_list *l, struct tnfs_err *err)
{
	json_object *reply = json_object_new_object(), *arr, *v;
	size_t i;

	if (reply == NULL ||
	    jsonx_add_obj(reply, "Volumes", arr = json_object_new_array()) ==
		-1)
		goto nomem;
	for (i = 0; i < l->n; i++) {
		if ((v = json_object_new_object()) == NULL)
			goto nomem;
		if (json_object_array_add(arr, v) != 0) {
			json_object_put(v);
			goto nomem;
		}
		if (jsonx_add_str(v, "Name", l->items[i].name) == -1 ||
		    (l->items[i].mountpoint != NULL &&
			jsonx_add_str(
			    v, "Mountpoint", l->items[i].mountpoint) == -1))
			goto nomem;
	}
	return reply;
nomem:
	if (reply != NULL)
		json_object_put(reply);
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return NULL;
}

struct text {
	char *buf;
	size_t len, cap;
	int oom;
};

static void
text_put(struct text *t, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		if ((grown = realloc(t->buf, cap)) == NULL) {
			t->oom = 1;
			return;
		}
		t->buf = grown;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* A JSON string, escaped as json-c writes it (JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE). */
static void
text_str(struct text *t, const char *s)
{
	const char *run = s;
	char esc[8];

	text_put(t, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		text_put(t, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			text_put(t, "\\\"", 2);
			break;
		case '\\':
			text_put(t, "\\\\", 2);
			break;
		case '\b':
			text_put(t, "\\b", 2);
			break;
		case '\f':
			text_put(t, "\\f", 2);
			break;
		case '\n':
			text_put(t, "\\n", 2);
			break;
		case '\r':
			text_put(t, "\\r", 2);
			break;
		case '\t':
			text_put(t, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			text_put(t, esc, 6);
		}
	}
	text_put(t, run, (size_t)(s - run));
	text_put(t, "\"", 1);
}

char *
proto_list_text(const struct proto_volume_list *l, size_t *len)
{
	struct text t = {0};
	size_t i;

	text_put(&t, "{\"Volumes\":[", 12);
	for (i = 0; i < l->n; i++) {
		text_put(
		    &t, i == 0 ? "{\"Name\":" : ",{\"Name\":", i == 0 ? 8 : 9);
		text_str(&t, l->items[i].name);
		if (l->items[i].mountpoint != NULL) {
			text_put(&t, ",\"Mountpoint\":", 14);
			text_str(&t, l->items[i].mountpoint);
		}
		text_put(&t, "}", 1);
	}
	text_put(&t, "]}", 2);
	if (t.oom) {
		free(t.buf);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}

json_object *
proto_mountpoint_reply(const char *mountpoint, struct tnfs_err *err)
{
	json_object *reply = json_object_new_object();

	if (reply == NULL ||
	    jsonx_add_str(reply, "Mountpoint", mountpoint) == -1) {
		if (reply != NULL)
			json_object_put(reply);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	return reply;
}
