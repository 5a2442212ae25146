/*
 * vapi_client.c: libvapi, the Volume API client on libcurl and json-c.
 *
 * One struct vapi_client wraps one curl easy handle, so connections are
 * reused between calls (keep-alive) and the handle must not be shared
 * between threads without a lock (vapi_client.h).  Each call builds a
 * request, runs it with the handle's timeouts, and turns the reply into a
 * typed struct or a struct tnfs_err carrying the VAPI's own code and message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <curl/curl.h>

#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "timefmt.h"
#include "uuid.h"
#include "vapi_client.h"
#include "version.h"

#define REPLY_MAX   (64u * 1024 * 1024) /* no VAPI answer is this large */
#define REQID_BUFSZ 64
#define URL_MAX     8192

struct vapi_client {
	CURL *curl;
	char *base;      /* "http://host:port" (no trailing '/') */
	char *unix_path; /* socket path for unix://, else NULL */
	char *token;
	char *ca_file;
	char *cert_file;
	char *key_file;
	char *user_agent;
	char *display_url; /* what error messages name */
	int insecure;
	int connect_timeout_ms;
	int timeout_ms;
	char fixed_reqid[REQID_BUFSZ];
	char last_reqid[REQID_BUFSZ];
};

struct reply_buf {
	char *data;
	size_t len;
	size_t cap;
	int overflow;
};

int
vapi_client_global_init(struct tnfs_err *err)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "curl_global_init: %s",
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
vapi_client_global_cleanup(void)
{
	curl_global_cleanup();
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d;

	if (s == NULL || *s == '\0')
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

static int
header_safe(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || i >= max)
			return 0;
	return 1;
}

struct vapi_client *
vapi_client_new(const struct vapi_client_opts *opts, struct tnfs_err *err)
{
	struct vapi_client *c = NULL, *ret = NULL;
	const char *url = opts != NULL ? opts->url : NULL;
	size_t len;
	int oom = 0;

	if (url == NULL || *url == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "no VAPI URL given (http://host:port or unix:///path)");
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	if (strncmp(url, "unix://", 7) == 0) {
		const char *path = url + 7;

		if (path[0] != '/') {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "VAPI URL %s: a unix socket URL needs an absolute "
			    "path (unix:///run/tritonnfs/vapi.sock)",
			    url);
			goto out;
		}
		if (strlen(path) >=
		    sizeof(((struct sockaddr_un *)0)->sun_path)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "VAPI URL %s: socket path longer than %zu bytes",
			    url,
			    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
			goto out;
		}
		c->unix_path = strdup(path);
		c->base = strdup("http://localhost");
		if (c->unix_path == NULL || c->base == NULL)
			goto nomem;
	} else if (strncmp(url, "http://", 7) == 0 ||
	    strncmp(url, "https://", 8) == 0) {
		const char *host = strstr(url, "://") + 3;

		if (*host == '\0' || *host == '/' ||
		    strpbrk(url, " \t\r\n?#") != NULL) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "VAPI URL %s: expected http(s)://host[:port]", url);
			goto out;
		}
		if ((c->base = strdup(url)) == NULL)
			goto nomem;
		len = strlen(c->base);
		while (len > 0 && c->base[len - 1] == '/')
			c->base[--len] = '\0';
	} else {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "VAPI URL %s: unsupported scheme (use http://, https:// "
		    "or unix://)",
		    url);
		goto out;
	}
	if ((c->display_url = strdup(url)) == NULL)
		goto nomem;
	/* Header values: a CR or LF would let a token inject headers. */
	if (opts->token != NULL && !header_safe(opts->token, 1000)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "VAPI token: control characters or longer than 1000 "
		    "bytes");
		goto out;
	}
	c->token = dup_or_null(opts->token, &oom);
	c->ca_file = dup_or_null(opts->ca_file, &oom);
	c->cert_file = dup_or_null(opts->cert_file, &oom);
	c->key_file = dup_or_null(opts->key_file, &oom);
	c->user_agent =
	    dup_or_null(opts->user_agent != NULL ? opts->user_agent
						 : "libvapi/" TNFS_VERSION,
		&oom);
	if (oom)
		goto nomem;
	c->insecure = opts->insecure;
	c->connect_timeout_ms =
	    opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
	if ((c->curl = curl_easy_init()) == NULL)
		goto nomem;
	ret = c;
	c = NULL;
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	vapi_client_free(c);
	return ret;
}

void
vapi_client_free(struct vapi_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->base);
	free(c->unix_path);
	free(c->token);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->user_agent);
	free(c->display_url);
	free(c);
}

void
vapi_client_set_request_id(struct vapi_client *c, const char *id)
{
	if (id == NULL || !header_safe(id, REQID_BUFSZ - 1)) {
		c->fixed_reqid[0] = '\0';
		return;
	}
	snprintf(c->fixed_reqid, sizeof(c->fixed_reqid), "%s", id);
}

const char *
vapi_client_last_request_id(const struct vapi_client *c)
{
	return c->last_reqid;
}

void
vapi_client_set_timeout(struct vapi_client *c, int timeout_ms)
{
	if (timeout_ms > 0)
		c->timeout_ms = timeout_ms;
}

/* ---- transport ---- */

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct reply_buf *rb = arg;
	size_t n = size * nmemb;

	if (rb->len + n + 1 > REPLY_MAX) {
		rb->overflow = 1;
		return 0; /* makes curl fail the transfer */
	}
	if (rb->len + n + 1 > rb->cap) {
		size_t cap = rb->cap ? rb->cap : 4096;
		char *p;

		while (cap < rb->len + n + 1)
			cap *= 2;
		if ((p = realloc(rb->data, cap)) == NULL)
			return 0;
		rb->data = p;
		rb->cap = cap;
	}
	memcpy(rb->data + rb->len, ptr, n);
	rb->len += n;
	rb->data[rb->len] = '\0';
	return n;
}

static void
next_request_id(struct vapi_client *c)
{
	char id[TNFS_UUID_BUFSZ];

	if (c->fixed_reqid[0] != '\0') {
		memcpy(c->last_reqid, c->fixed_reqid, sizeof(c->last_reqid));
		return;
	}
	if (tnfs_uuid_generate(id, NULL) == -1)
		snprintf(id, sizeof(id), "%lld", (long long)tnfs_now_ms());
	snprintf(c->last_reqid, sizeof(c->last_reqid), "%s", id);
}

static struct curl_slist *
append_header(struct curl_slist *h, const char *name, const char *val, int *oom)
{
	struct curl_slist *n;
	char *line = NULL;

	if (*oom)
		return h;
	if (asprintf(&line, "%s: %s", name, val) == -1) {
		*oom = 1;
		return h;
	}
	n = curl_slist_append(h, line);
	free(line);
	if (n == NULL) {
		*oom = 1;
		return h;
	}
	return n;
}

int
vapi_client_request(struct vapi_client *c, const char *method, const char *path,
    json_object *body, int *status, json_object **reply, struct tnfs_err *err)
{
	struct curl_slist *hdrs = NULL;
	struct reply_buf rb = {0};
	char url[URL_MAX];
	const char *body_text = NULL;
	char auth[1024 + 8];
	long code = 0;
	int64_t t0 = tnfs_mono_ms();
	int oom = 0, rc = -1, n;
	CURLcode cc;
	CURL *h = c->curl;

	*status = 0;
	*reply = NULL;
	n = snprintf(url, sizeof(url), "%s%s", c->base, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request URL too long");
		goto out;
	}
	next_request_id(c);
	curl_easy_reset(h);
	hdrs = append_header(hdrs, "Accept", "application/json", &oom);
	hdrs = append_header(hdrs, "Accept-Version", "~1", &oom);
	hdrs = append_header(hdrs, "x-request-id", c->last_reqid, &oom);
	/* curl adds "Expect: 100-continue" to large POSTs: a wasted RTT. */
	hdrs = append_header(hdrs, "Expect", "", &oom);
	if (c->token != NULL) {
		snprintf(auth, sizeof(auth), "Bearer %s", c->token);
		hdrs = append_header(hdrs, "Authorization", auth, &oom);
	}
	if (body != NULL) {
		body_text = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		hdrs = append_header(
		    hdrs, "Content-Type", "application/json", &oom);
	}
	if (oom || (body != NULL && body_text == NULL)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
	    h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &rb);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->unix_path != NULL)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->unix_path);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->cert_file != NULL)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_file != NULL)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (body_text != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body_text);
		curl_easy_setopt(
		    h, CURLOPT_POSTFIELDSIZE, (long)strlen(body_text));
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}

	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		if (rb.overflow)
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI at %s: reply to %s %s larger than %u bytes",
			    c->display_url, method, path, REPLY_MAX);
		else if (cc == CURLE_OPERATION_TIMEDOUT)
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "VAPI at %s: no answer to %s %s within %d ms",
			    c->display_url, method, path, c->timeout_ms);
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "cannot reach the VAPI at %s: %s", c->display_url,
			    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;
	if (rb.len > 0) {
		struct tnfs_err perr;

		tnfs_err_clear(&perr);
		*reply = jsonx_parse(rb.data, rb.len, 64, &perr);
		if (*reply == NULL && code >= 200 && code < 300) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI at %s: %s %s answered %ld with a body that "
			    "is not JSON: %s",
			    c->display_url, method, path, code, perr.msg);
			goto out;
		}
	}
	if (code < 200 || code >= 300) {
		tnfs_err_from_vapi_body(
		    err, (int)code, rb.data, rb.data != NULL ? rb.len : 0);
		goto out;
	}
	rc = 0;
out : {
	json_object *f = json_object_new_object();

	if (f != NULL) {
		jsonx_add_str(f, "req_id", c->last_reqid);
		jsonx_add_str(f, "method", method);
		jsonx_add_str(f, "path", path);
		jsonx_add_int64(f, "status", code);
		jsonx_add_int64(f, "ms", tnfs_mono_ms() - t0);
	}
	log_msg(TNFS_LOG_DEBUG, f, "vapi request");
}
	curl_slist_free_all(hdrs);
	free(rb.data);
	return rc;
}

/* ---- objects ---- */

static void
strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
vapi_strv_free(char **v, size_t n)
{
	strv_free(v, n);
}

/* An array of strings into a fresh vector; non-strings fail. */
static int
strv_from_json(json_object *arr, char ***out, size_t *n, const char *what,
    struct tnfs_err *err)
{
	char **v = NULL;
	size_t i, len;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: %s is not an array", what);
		return -1;
	}
	len = json_object_array_length(arr);
	if (len > 0 && (v = calloc(len, sizeof(*v))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string)) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI answer: %s[%zu] is not a string", what, i);
			goto out;
		}
		if ((v[i] = strdup(json_object_get_string(e))) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	*out = v;
	*n = len;
	v = NULL;
	rc = 0;
out:
	strv_free(v, len);
	return rc;
}

static int
strv_copy(char **src, size_t n, char ***dst)
{
	char **v;
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(src[i])) == NULL) {
			strv_free(v, n);
			return -1;
		}
	*dst = v;
	return 0;
}

/* Copy a string member into a fixed buffer; too long or not a string: -1. */
static int
copy_str(json_object *obj, const char *key, char *buf, size_t len, int required,
    struct tnfs_err *err)
{
	const char *s = jsonx_get_str(obj, key);

	buf[0] = '\0';
	if (s == NULL) {
		if (!required && !json_object_object_get_ex(obj, key, NULL))
			return 0;
		if (!required &&
		    json_object_is_type(
			json_object_object_get(obj, key), json_type_null))
			return 0;
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: %s is missing or not a string", key);
		return -1;
	}
	if (strlen(s) >= len) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: %s is longer than %zu bytes", key, len - 1);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* A timestamp as ISO text (VOLAPI's rendering) or epoch ms. */
static void
get_timestamp(json_object *obj, const char *key, int64_t *out)
{
	const char *s = jsonx_get_str(obj, key);
	int64_t ms = 0;

	*out = 0;
	if (s != NULL) {
		if (tnfs_time_parse(s, &ms, NULL) == 0)
			*out = ms;
	} else if (jsonx_get_int64(obj, key, &ms) == 0) {
		*out = ms;
	}
}

void
vapi_volume_clear(struct vapi_volume *v)
{
	if (v == NULL)
		return;
	strv_free(v->networks, v->nnetworks);
	strv_free(v->refs, v->nrefs);
	if (v->labels != NULL)
		json_object_put(v->labels);
	if (v->raw != NULL)
		json_object_put(v->raw);
	memset(v, 0, sizeof(*v));
}

int
vapi_volume_from_json(
    struct vapi_volume *v, json_object *obj, struct tnfs_err *err)
{
	json_object *labels = NULL, *a = NULL;
	int64_t n;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: a volume is not a JSON object");
		goto out;
	}
	if (copy_str(obj, "uuid", v->uuid, sizeof(v->uuid), 1, err) == -1 ||
	    copy_str(obj, "owner_uuid", v->owner_uuid, sizeof(v->owner_uuid), 0,
		err) == -1 ||
	    copy_str(obj, "name", v->name, sizeof(v->name), 0, err) == -1 ||
	    copy_str(obj, "type", v->type, sizeof(v->type), 0, err) == -1 ||
	    copy_str(obj, "state", v->state, sizeof(v->state), 1, err) == -1 ||
	    copy_str(obj, "vm_uuid", v->vm_uuid, sizeof(v->vm_uuid), 0, err) ==
		-1 ||
	    copy_str(obj, "filesystem_path", v->filesystem_path,
		sizeof(v->filesystem_path), 0, err) == -1)
		goto out;
	if (jsonx_get_int64(obj, "size", &n) == 0 && n > 0)
		v->size_mib = (uint64_t)n;
	if (jsonx_get_int64(obj, "nfs_port", &n) == 0 && n > 0 && n < 65536)
		v->nfs_port = (int)n;
	if (jsonx_get_int64(obj, "mount_port", &n) == 0 && n > 0 && n < 65536)
		v->mount_port = (int)n;
	get_timestamp(obj, "create_timestamp", &v->create_timestamp_ms);
	json_object_object_get_ex(obj, "networks", &a);
	if (strv_from_json(a, &v->networks, &v->nnetworks, "networks", err) ==
	    -1)
		goto out;
	a = NULL;
	json_object_object_get_ex(obj, "refs", &a);
	if (strv_from_json(a, &v->refs, &v->nrefs, "refs", err) == -1)
		goto out;
	if (json_object_object_get_ex(obj, "labels", &labels) &&
	    json_object_is_type(labels, json_type_object))
		v->labels = json_object_get(labels);
	v->raw = json_object_get(obj);
	rc = 0;
out:
	if (rc == -1)
		vapi_volume_clear(v);
	return rc;
}

int
vapi_volume_copy(struct vapi_volume *dst, const struct vapi_volume *src,
    struct tnfs_err *err)
{
	*dst = *src;
	dst->networks = NULL;
	dst->refs = NULL;
	dst->nnetworks = dst->nrefs = 0;
	dst->labels = dst->raw = NULL;
	if (strv_copy(src->networks, src->nnetworks, &dst->networks) == -1 ||
	    strv_copy(src->refs, src->nrefs, &dst->refs) == -1) {
		strv_free(dst->networks, src->nnetworks);
		dst->networks = NULL;
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	dst->nnetworks = src->nnetworks;
	dst->nrefs = src->nrefs;
	if (src->labels != NULL)
		dst->labels = json_object_get(src->labels);
	if (src->raw != NULL)
		dst->raw = json_object_get(src->raw);
	return 0;
}

void
vapi_volume_list_clear(struct vapi_volume_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		vapi_volume_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void
vapi_network_list_clear(struct vapi_network_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		strv_free(l->items[i].owner_uuids, l->items[i].nowner_uuids);
		if (l->items[i].raw != NULL)
			json_object_put(l->items[i].raw);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void
vapi_snapshot_clear(struct vapi_snapshot *s)
{
	if (s == NULL)
		return;
	if (s->raw != NULL)
		json_object_put(s->raw);
	memset(s, 0, sizeof(*s));
}

void
vapi_snapshot_list_clear(struct vapi_snapshot_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		vapi_snapshot_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
snapshot_from_json(
    struct vapi_snapshot *s, json_object *obj, struct tnfs_err *err)
{
	memset(s, 0, sizeof(*s));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: a snapshot is not a JSON object");
		return -1;
	}
	if (copy_str(obj, "name", s->name, sizeof(s->name), 1, err) == -1 ||
	    copy_str(obj, "state", s->state, sizeof(s->state), 0, err) == -1)
		return -1;
	get_timestamp(obj, "create_timestamp", &s->create_timestamp_ms);
	s->raw = json_object_get(obj);
	return 0;
}

static int
network_from_json(
    struct vapi_network *nw, json_object *obj, struct tnfs_err *err)
{
	json_object *a = NULL;
	int b;

	memset(nw, 0, sizeof(*nw));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer: a network is not a JSON object");
		return -1;
	}
	if (copy_str(obj, "uuid", nw->uuid, sizeof(nw->uuid), 1, err) == -1 ||
	    copy_str(obj, "name", nw->name, sizeof(nw->name), 0, err) == -1 ||
	    copy_str(obj, "subnet", nw->subnet, sizeof(nw->subnet), 0, err) ==
		-1)
		return -1;
	if (jsonx_get_bool(obj, "fabric", &b) == 0)
		nw->fabric = b;
	if (jsonx_get_bool(obj, "default", &b) == 0)
		nw->is_default = b;
	json_object_object_get_ex(obj, "owner_uuids", &a);
	if (strv_from_json(a, &nw->owner_uuids, &nw->nowner_uuids,
		"owner_uuids", err) == -1)
		return -1;
	nw->raw = json_object_get(obj);
	return 0;
}

/* ---- URL building ---- */

struct query {
	char buf[URL_MAX];
	size_t len;
	int overflow;
};

static void
q_add(struct vapi_client *c, struct query *q, const char *key, const char *val)
{
	char *esc;
	int n;

	if (val == NULL)
		return;
	if ((esc = curl_easy_escape(c->curl, val, 0)) == NULL) {
		q->overflow = 1;
		return;
	}
	n = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%c%s=%s",
	    q->len == 0 ? '?' : '&', key, esc);
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(q->buf) - q->len) {
		q->overflow = 1;
		return;
	}
	q->len += (size_t)n;
}

/* "/volumes/<escaped uuid><suffix>" into buf. */
static int
vol_path(struct vapi_client *c, char *buf, size_t len, const char *uuid,
    const char *suffix, struct tnfs_err *err)
{
	char *esc;
	int n;

	if (uuid == NULL || *uuid == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no volume uuid given");
		return -1;
	}
	if ((esc = curl_easy_escape(c->curl, uuid, 0)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	n = snprintf(buf, len, "/volumes/%s%s", esc, suffix);
	curl_free(esc);
	if (n < 0 || (size_t)n >= len) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		return -1;
	}
	return 0;
}

static int
expect_type(
    json_object *reply, json_type t, const char *what, struct tnfs_err *err)
{
	if (reply == NULL || !json_object_is_type(reply, t)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "VAPI answer to %s: expected a JSON %s", what,
		    t == json_type_array ? "array" : "object");
		return -1;
	}
	return 0;
}

/* ---- endpoints ---- */

int
vapi_client_ping(
    struct vapi_client *c, struct vapi_ping *out, struct tnfs_err *err)
{
	json_object *reply = NULL;
	int status, rc = -1, b;
	int64_t pid;

	memset(out, 0, sizeof(*out));
	if (vapi_client_request(
		c, "GET", "/ping", NULL, &status, &reply, err) == -1 ||
	    expect_type(reply, json_type_object, "GET /ping", err) == -1)
		goto out;
	if (jsonx_get_int64(reply, "pid", &pid) == 0)
		out->pid = pid;
	if (jsonx_get_str(reply, "status") != NULL)
		snprintf(out->status, sizeof(out->status), "%s",
		    jsonx_get_str(reply, "status"));
	if (jsonx_get_bool(reply, "healthy", &b) == 0)
		out->healthy = b;
	rc = 0;
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

static int
volume_list_from_json(json_object *reply, struct vapi_volume_list *out,
    const char *what, struct tnfs_err *err)
{
	size_t i, len;

	out->items = NULL;
	out->n = 0;
	if (expect_type(reply, json_type_array, what, err) == -1)
		return -1;
	len = json_object_array_length(reply);
	if (len == 0)
		return 0;
	if ((out->items = calloc(len, sizeof(*out->items))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (vapi_volume_from_json(&out->items[i],
			json_object_array_get_idx(reply, i), err) == -1) {
			vapi_volume_list_clear(out);
			return -1;
		}
		out->n = i + 1;
	}
	return 0;
}

static int
list_volumes_at(struct vapi_client *c, const char *base,
    const struct vapi_list_filter *f, struct vapi_volume_list *out,
    struct tnfs_err *err)
{
	struct query q = {.len = 0};
	char path[URL_MAX + 64], size[32];
	json_object *reply = NULL;
	int status, rc = -1;

	out->items = NULL;
	out->n = 0;
	if (f != NULL) {
		q_add(c, &q, "owner_uuid", f->owner_uuid);
		q_add(c, &q, "name", f->name);
		q_add(c, &q, "state", f->state);
		q_add(c, &q, "type", f->type);
		q_add(c, &q, "refs", f->refs);
		q_add(c, &q, "predicate", f->predicate);
		if (f->size_mib > 0) {
			snprintf(size, sizeof(size), "%llu",
			    (unsigned long long)f->size_mib);
			q_add(c, &q, "size", size);
		}
	}
	if (q.overflow) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "list filter too long");
		goto out;
	}
	snprintf(path, sizeof(path), "%s%s", base, q.buf);
	if (vapi_client_request(c, "GET", path, NULL, &status, &reply, err) ==
	    -1)
		goto out;
	rc = volume_list_from_json(reply, out, base, err);
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

int
vapi_client_list_volumes(struct vapi_client *c,
    const struct vapi_list_filter *filter, struct vapi_volume_list *out,
    struct tnfs_err *err)
{
	return list_volumes_at(c, "/volumes", filter, out, err);
}

int
vapi_client_admin_list(struct vapi_client *c,
    const struct vapi_list_filter *filter, struct vapi_volume_list *out,
    struct tnfs_err *err)
{
	return list_volumes_at(c, "/admin/volumes", filter, out, err);
}

/* Run a request whose answer is one volume object. */
static int
volume_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct vapi_volume *out, struct tnfs_err *err)
{
	json_object *reply = NULL;
	int status, rc = -1;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (vapi_client_request(c, method, path, body, &status, &reply, err) ==
	    -1)
		goto out;
	if (out == NULL) {
		rc = 0;
		goto out;
	}
	if (expect_type(reply, json_type_object, path, err) == -1)
		goto out;
	rc = vapi_volume_from_json(out, reply, err);
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

int
vapi_client_get_volume(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, struct vapi_volume *out, struct tnfs_err *err)
{
	struct query q = {.len = 0};
	char path[URL_MAX];

	q_add(c, &q, "owner_uuid", owner_uuid);
	if (vol_path(c, path, sizeof(path), uuid, q.buf, err) == -1)
		return -1;
	return volume_call(c, "GET", path, NULL, out, err);
}

int
vapi_client_find_volume(struct vapi_client *c, const char *owner_uuid,
    const char *name, struct vapi_volume *out, struct tnfs_err *err)
{
	struct vapi_list_filter f = {.owner_uuid = owner_uuid, .name = name};
	struct vapi_volume_list l = {0};
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* A '*' would turn the exact lookup into a pattern match. */
	if (name == NULL || *name == '\0' || strchr(name, '*') != NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "invalid volume name");
		return -1;
	}
	if (vapi_client_list_volumes(c, &f, &l, err) == -1)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.items[i].name, name) != 0)
			continue;
		if (strcmp(l.items[i].state, "ready") != 0 &&
		    strcmp(l.items[i].state, "creating") != 0)
			continue;
		*out = l.items[i];
		memset(&l.items[i], 0, sizeof(l.items[i]));
		rc = 0;
		goto out;
	}
	tnfs_err_set(err, TNFS_E_NOT_FOUND,
	    "Volume with name %s could not be found", name);
out:
	vapi_volume_list_clear(&l);
	return rc;
}

int
vapi_client_create_volume(struct vapi_client *c,
    const struct vapi_create_req *rq, struct vapi_volume *out,
    struct tnfs_err *err)
{
	json_object *body = NULL, *nets = NULL;
	size_t i;
	int rc = -1;

	if ((body = json_object_new_object()) == NULL ||
	    (nets = json_object_new_array()) == NULL)
		goto nomem;
	if (jsonx_add_str(body, "owner_uuid", rq->owner_uuid) == -1 ||
	    jsonx_add_str(body, "name", rq->name) == -1 ||
	    jsonx_add_str(body, "type",
		rq->type != NULL ? rq->type : "tritonnfs") == -1 ||
	    jsonx_add_str(body, "uuid", rq->uuid) == -1)
		goto nomem;
	if (rq->size_mib > 0 &&
	    jsonx_add_int64(body, "size", (int64_t)rq->size_mib) == -1)
		goto nomem;
	for (i = 0; i < rq->nnetworks; i++) {
		json_object *s = json_object_new_string(rq->networks[i]);

		if (s == NULL || json_object_array_add(nets, s) != 0) {
			json_object_put(s);
			goto nomem;
		}
	}
	json_object_object_add(body, "networks", nets);
	nets = NULL;
	if (rq->labels != NULL)
		json_object_object_add(
		    body, "labels", json_object_get(rq->labels));
	rc = volume_call(c, "POST", "/volumes", body, out, err);
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	if (nets != NULL)
		json_object_put(nets);
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_update_volume(struct vapi_client *c, const char *uuid,
    const struct vapi_update_req *rq, struct vapi_volume *out,
    struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[URL_MAX];
	int rc = -1;

	if (vol_path(c, path, sizeof(path), uuid, "", err) == -1)
		goto out;
	if ((body = json_object_new_object()) == NULL ||
	    jsonx_add_str(body, "owner_uuid", rq->owner_uuid) == -1 ||
	    jsonx_add_str(body, "name", rq->name) == -1 ||
	    (rq->size_mib > 0 &&
		jsonx_add_int64(body, "size", (int64_t)rq->size_mib) == -1)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = volume_call(c, "POST", path, body, out, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

/* A request answered with no body we need. */
static int
plain_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct tnfs_err *err)
{
	json_object *reply = NULL;
	int status, rc;

	rc = vapi_client_request(c, method, path, body, &status, &reply, err);
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

int
vapi_client_delete_volume(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, int force, struct tnfs_err *err)
{
	struct query q = {.len = 0};
	char path[URL_MAX];

	q_add(c, &q, "owner_uuid", owner_uuid);
	if (force)
		q_add(c, &q, "force", "true");
	if (vol_path(c, path, sizeof(path), uuid, q.buf, err) == -1)
		return -1;
	return plain_call(c, "DELETE", path, NULL, err);
}

int
vapi_client_list_sizes(struct vapi_client *c, struct vapi_size **out, size_t *n,
    struct tnfs_err *err)
{
	json_object *reply = NULL;
	struct vapi_size *sz = NULL;
	size_t i, len = 0;
	int status, rc = -1;

	*out = NULL;
	*n = 0;
	if (vapi_client_request(
		c, "GET", "/volumesizes", NULL, &status, &reply, err) == -1 ||
	    expect_type(reply, json_type_array, "GET /volumesizes", err) == -1)
		goto out;
	len = json_object_array_length(reply);
	if (len > 0 && (sz = calloc(len, sizeof(*sz))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(reply, i);
		int64_t mib;

		if (jsonx_get_int64(e, "size", &mib) == -1 || mib <= 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI answer to GET /volumesizes: entry %zu has no "
			    "positive integer size",
			    i);
			goto out;
		}
		sz[i].size_mib = (uint64_t)mib;
		if (copy_str(e, "type", sz[i].type, sizeof(sz[i].type), 0,
			err) == -1)
			goto out;
	}
	*out = sz;
	*n = len;
	sz = NULL;
	rc = 0;
out:
	free(sz);
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

int
vapi_client_list_networks(
    struct vapi_client *c, struct vapi_network_list *out, struct tnfs_err *err)
{
	json_object *reply = NULL;
	size_t i, len;
	int status, rc = -1;

	out->items = NULL;
	out->n = 0;
	if (vapi_client_request(
		c, "GET", "/networks", NULL, &status, &reply, err) == -1 ||
	    expect_type(reply, json_type_array, "GET /networks", err) == -1)
		goto out;
	len = json_object_array_length(reply);
	if (len > 0 &&
	    (out->items = calloc(len, sizeof(*out->items))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (network_from_json(&out->items[i],
			json_object_array_get_idx(reply, i), err) == -1) {
			out->n = i + 1;
			vapi_network_list_clear(out);
			goto out;
		}
		out->n = i + 1;
	}
	rc = 0;
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

static int
network_visible(const struct vapi_network *nw, const char *owner_uuid)
{
	size_t i;

	/* No owner list means a network every owner may use. */
	if (owner_uuid == NULL || nw->nowner_uuids == 0)
		return 1;
	for (i = 0; i < nw->nowner_uuids; i++)
		if (strcmp(nw->owner_uuids[i], owner_uuid) == 0)
			return 1;
	return 0;
}

int
vapi_client_resolve_network(struct vapi_client *c, const char *owner_uuid,
    const char *name_or_uuid, char uuid_out[VAPI_UUID_BUFSZ],
    struct tnfs_err *err)
{
	struct vapi_network_list l = {0};
	char known[512];
	size_t i, klen = 0;
	int rc = -1;

	uuid_out[0] = '\0';
	if (vapi_client_list_networks(c, &l, err) == -1)
		goto out;
	known[0] = '\0';
	for (i = 0; i < l.n; i++) {
		const struct vapi_network *nw = &l.items[i];
		int match;

		if (!network_visible(nw, owner_uuid))
			continue;
		if (name_or_uuid == NULL || *name_or_uuid == '\0')
			match = nw->is_default;
		else
			match = strcmp(nw->uuid, name_or_uuid) == 0 ||
			    strcmp(nw->name, name_or_uuid) == 0;
		if (match) {
			memcpy(uuid_out, nw->uuid, VAPI_UUID_BUFSZ);
			rc = 0;
			goto out;
		}
		if (klen < sizeof(known)) {
			int n = snprintf(known + klen, sizeof(known) - klen,
			    "%s%s", klen ? ", " : "", nw->name);
			if (n > 0)
				klen += (size_t)n;
		}
	}
	if (name_or_uuid == NULL || *name_or_uuid == '\0')
		tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
		    "no default network is configured in the VAPI; pass "
		    "network=<name> (known: %s)",
		    klen ? known : "none");
	else
		tnfs_err_set(err, TNFS_E_NETWORK_NOT_FOUND,
		    "network %s not found (known: %s)", name_or_uuid,
		    klen ? known : "none");
out:
	vapi_network_list_clear(&l);
	return rc;
}

static int
reference_call(struct vapi_client *c, const char *uuid, const char *what,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[URL_MAX];
	int rc = -1;

	if (vol_path(c, path, sizeof(path), uuid, what, err) == -1)
		goto out;
	if ((body = json_object_new_object()) == NULL ||
	    jsonx_add_str(body, "owner_uuid", owner_uuid) == -1 ||
	    jsonx_add_str(body, "vm_uuid", vm_uuid) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = plain_call(c, "POST", path, body, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_add_reference(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err)
{
	return reference_call(
	    c, uuid, "/addreference", owner_uuid, vm_uuid, err);
}

int
vapi_client_remove_reference(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *vm_uuid, struct tnfs_err *err)
{
	return reference_call(
	    c, uuid, "/removereference", owner_uuid, vm_uuid, err);
}

int
vapi_client_list_references(struct vapi_client *c, const char *uuid,
    char ***refs, size_t *n, struct tnfs_err *err)
{
	json_object *reply = NULL;
	char path[URL_MAX];
	int status, rc = -1;

	*refs = NULL;
	*n = 0;
	if (vol_path(c, path, sizeof(path), uuid, "/references", err) == -1 ||
	    vapi_client_request(c, "GET", path, NULL, &status, &reply, err) ==
		-1 ||
	    expect_type(reply, json_type_array, path, err) == -1)
		goto out;
	rc = strv_from_json(reply, refs, n, "references", err);
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

/* ---- hosts and granted addresses ---- */

int
vapi_client_put_host(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *hostname, const char *address,
    const char *version, struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[URL_MAX];
	char *esc = NULL;
	int n, rc = -1;

	if (uuid == NULL || (esc = curl_easy_escape(c->curl, uuid, 0)) == NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no host uuid given");
		goto out;
	}
	n = snprintf(path, sizeof(path), "/hosts/%s", esc);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		goto out;
	}
	if ((body = json_object_new_object()) == NULL ||
	    (owner_uuid != NULL &&
		jsonx_add_str(body, "owner_uuid", owner_uuid) == -1) ||
	    jsonx_add_str(body, "hostname", hostname) == -1 ||
	    (address != NULL && jsonx_add_str(body, "address", address) == -1) ||
	    jsonx_add_str(body, "version", version) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = plain_call(c, "PUT", path, body, err);
out:
	curl_free(esc);
	if (body != NULL)
		json_object_put(body);
	return rc;
}

static void
host_str(json_object *o, const char *key, char *dst, size_t len)
{
	const char *v = jsonx_get_str(o, key);

	snprintf(dst, len, "%s", v != NULL ? v : "");
}

int
vapi_client_list_hosts(struct vapi_client *c, const char *owner_uuid,
    struct vapi_host **out, size_t *n, struct tnfs_err *err)
{
	struct query q = {.len = 0};
	json_object *reply = NULL, *o, *alive;
	char path[URL_MAX + 16];
	size_t i, len;
	int status, rc = -1;

	*out = NULL;
	*n = 0;
	q_add(c, &q, "owner_uuid", owner_uuid);
	snprintf(path, sizeof(path), "/hosts%s", q.buf);
	if (vapi_client_request(c, "GET", path, NULL, &status, &reply, err) ==
		-1 ||
	    expect_type(reply, json_type_array, "GET /hosts", err) == -1)
		goto out;
	len = json_object_array_length(reply);
	if ((*out = calloc(len + 1, sizeof(**out))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		struct vapi_host *h = &(*out)[i];

		o = json_object_array_get_idx(reply, i);
		host_str(o, "uuid", h->uuid, sizeof(h->uuid));
		host_str(o, "owner_uuid", h->owner_uuid, sizeof(h->owner_uuid));
		host_str(o, "hostname", h->hostname, sizeof(h->hostname));
		host_str(o, "address", h->address, sizeof(h->address));
		host_str(o, "version", h->version, sizeof(h->version));
		h->alive = json_object_object_get_ex(o, "alive", &alive) &&
		    json_object_get_boolean(alive);
	}
	*n = len;
	rc = 0;
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

void
vapi_client_name_holders(
    struct vapi_client *c, const char *owner_uuid, struct tnfs_err *err)
{
	static const char used[] = " is used by vms: ";
	static const char head[] = "Volume with name ";
	struct vapi_host *hs = NULL;
	char msg[TNFS_ERR_MSG_MAX], name[512], uuids[TNFS_ERR_MSG_MAX];
	const char *at, *p;
	char *save = NULL;
	size_t nh = 0, off, i, k;
	int w;

	if (err == NULL || strcmp(err->code, "VolumeInUse") != 0 ||
	    strncmp(err->msg, head, sizeof(head) - 1) != 0 ||
	    (at = strstr(err->msg, used)) == NULL ||
	    (size_t)(at - err->msg) - (sizeof(head) - 1) >= sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s",
	    (int)((size_t)(at - err->msg) - (sizeof(head) - 1)),
	    err->msg + sizeof(head) - 1);
	snprintf(uuids, sizeof(uuids), "%s", at + sizeof(used) - 1);
	if (vapi_client_list_hosts(c, owner_uuid, &hs, &nh, NULL) == -1)
		return;
	w = snprintf(msg, sizeof(msg), "volume %s is in use on ", name);
	off = w > 0 ? (size_t)w : 0;
	for (p = strtok_r(uuids, ", ", &save), k = 0;
	     p != NULL && off < sizeof(msg); p = strtok_r(NULL, ", ", &save), k++) {
		const char *hostname = NULL;

		for (i = 0; i < nh; i++)
			if (strcmp(hs[i].uuid, p) == 0)
				hostname = hs[i].hostname;
		if (hostname != NULL)
			w = snprintf(msg + off, sizeof(msg) - off,
			    "%shost %s (uuid %s)", k > 0 ? ", " : "", hostname,
			    p);
		else
			w = snprintf(msg + off, sizeof(msg) - off,
			    "%shost %s (not registered)", k > 0 ? ", " : "", p);
		if (w > 0)
			off += (size_t)w;
	}
	free(hs);
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

static int
access_call(struct vapi_client *c, const char *uuid, const char *what,
    const char *owner_uuid, const char *address, struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[URL_MAX];
	int rc = -1;

	if (vol_path(c, path, sizeof(path), uuid, what, err) == -1)
		goto out;
	if ((body = json_object_new_object()) == NULL ||
	    (owner_uuid != NULL &&
		jsonx_add_str(body, "owner_uuid", owner_uuid) == -1) ||
	    jsonx_add_str(body, "address", address) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = plain_call(c, "POST", path, body, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_grant_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *address, struct tnfs_err *err)
{
	return access_call(c, uuid, "/grantaccess", owner_uuid, address, err);
}

int
vapi_client_revoke_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *address, struct tnfs_err *err)
{
	return access_call(c, uuid, "/revokeaccess", owner_uuid, address, err);
}

int
vapi_client_list_access(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, char ***out, size_t *n, struct tnfs_err *err)
{
	struct query q = {.len = 0};
	json_object *reply = NULL, *addrs = NULL;
	char path[URL_MAX], suffix[URL_MAX + 16];
	size_t i, len;
	int status, rc = -1;

	*out = NULL;
	*n = 0;
	q_add(c, &q, "owner_uuid", owner_uuid);
	snprintf(suffix, sizeof(suffix), "/access%s", q.buf);
	if (vol_path(c, path, sizeof(path), uuid, suffix, err) == -1 ||
	    vapi_client_request(c, "GET", path, NULL, &status, &reply, err) ==
		-1 ||
	    expect_type(reply, json_type_array, path, err) == -1)
		goto out;
	/* [{address, create_timestamp}] -> the addresses. */
	if ((addrs = json_object_new_array()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	len = json_object_array_length(reply);
	for (i = 0; i < len; i++) {
		const char *a =
		    jsonx_get_str(json_object_array_get_idx(reply, i), "address");

		if (a != NULL &&
		    json_object_array_add(addrs, json_object_new_string(a)) != 0) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = strv_from_json(addrs, out, n, "access", err);
out:
	if (addrs != NULL)
		json_object_put(addrs);
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

/* "/volumes/<uuid>/snapshots/<escaped name>" */
static int
snap_path(struct vapi_client *c, char *buf, size_t len, const char *uuid,
    const char *name, const char *owner_uuid, struct tnfs_err *err)
{
	struct query q = {.len = 0};
	char suffix[URL_MAX];
	char *esc;
	int n;

	if (name == NULL || *name == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no snapshot name given");
		return -1;
	}
	if ((esc = curl_easy_escape(c->curl, name, 0)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	q_add(c, &q, "owner_uuid", owner_uuid);
	n = snprintf(suffix, sizeof(suffix), "/snapshots/%s%s", esc, q.buf);
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(suffix)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "snapshot name too long");
		return -1;
	}
	return vol_path(c, buf, len, uuid, suffix, err);
}

static json_object *
name_body(const char *owner_uuid, const char *name)
{
	json_object *body = json_object_new_object();

	if (body == NULL)
		return NULL;
	if (jsonx_add_str(body, "name", name) == -1 ||
	    jsonx_add_str(body, "owner_uuid", owner_uuid) == -1) {
		json_object_put(body);
		return NULL;
	}
	return body;
}

static int
snapshot_call(struct vapi_client *c, const char *method, const char *path,
    json_object *body, struct vapi_snapshot *out, struct tnfs_err *err)
{
	json_object *reply = NULL;
	int status, rc = -1;

	memset(out, 0, sizeof(*out));
	if (vapi_client_request(c, method, path, body, &status, &reply, err) ==
		-1 ||
	    expect_type(reply, json_type_object, path, err) == -1)
		goto out;
	rc = snapshot_from_json(out, reply, err);
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

int
vapi_client_create_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct vapi_snapshot *out,
    struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[URL_MAX];
	int rc = -1;

	if (vol_path(c, path, sizeof(path), uuid, "/snapshot", err) == -1)
		goto out;
	if ((body = name_body(owner_uuid, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = snapshot_call(c, "POST", path, body, out, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_list_snapshots(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, struct vapi_snapshot_list *out,
    struct tnfs_err *err)
{
	struct query q = {.len = 0};
	json_object *reply = NULL;
	char path[URL_MAX], suffix[URL_MAX + 16];
	size_t i, len;
	int status, rc = -1;

	out->items = NULL;
	out->n = 0;
	q_add(c, &q, "owner_uuid", owner_uuid);
	if (snprintf(suffix, sizeof(suffix), "/snapshots%s", q.buf) >=
	    (int)sizeof(suffix)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		goto out;
	}
	if (vol_path(c, path, sizeof(path), uuid, suffix, err) == -1 ||
	    vapi_client_request(c, "GET", path, NULL, &status, &reply, err) ==
		-1 ||
	    expect_type(reply, json_type_array, path, err) == -1)
		goto out;
	len = json_object_array_length(reply);
	if (len > 0 &&
	    (out->items = calloc(len, sizeof(*out->items))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (snapshot_from_json(&out->items[i],
			json_object_array_get_idx(reply, i), err) == -1) {
			vapi_snapshot_list_clear(out);
			goto out;
		}
		out->n = i + 1;
	}
	rc = 0;
out:
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}

int
vapi_client_get_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct vapi_snapshot *out,
    struct tnfs_err *err)
{
	char path[URL_MAX];

	memset(out, 0, sizeof(*out));
	if (snap_path(c, path, sizeof(path), uuid, name, owner_uuid, err) == -1)
		return -1;
	return snapshot_call(c, "GET", path, NULL, out, err);
}

int
vapi_client_delete_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct tnfs_err *err)
{
	char path[URL_MAX];

	if (snap_path(c, path, sizeof(path), uuid, name, owner_uuid, err) == -1)
		return -1;
	return plain_call(c, "DELETE", path, NULL, err);
}

int
vapi_client_rollback_snapshot(struct vapi_client *c, const char *uuid,
    const char *owner_uuid, const char *name, struct tnfs_err *err)
{
	json_object *body = NULL;
	char path[URL_MAX];
	int rc = -1;

	if (vol_path(c, path, sizeof(path), uuid, "/rollbacktosnapshot", err) ==
	    -1)
		goto out;
	if ((body = name_body(owner_uuid, name)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	rc = plain_call(c, "POST", path, body, err);
out:
	if (body != NULL)
		json_object_put(body);
	return rc;
}

int
vapi_client_admin_restart(
    struct vapi_client *c, const char *uuid, struct tnfs_err *err)
{
	char path[URL_MAX];
	char *esc;
	int n;

	if (uuid == NULL || *uuid == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION, "no volume uuid given");
		return -1;
	}
	if ((esc = curl_easy_escape(c->curl, uuid, 0)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	n = snprintf(path, sizeof(path), "/admin/volumes/%s/restart", esc);
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "request path too long");
		return -1;
	}
	return plain_call(c, "POST", path, NULL, err);
}
