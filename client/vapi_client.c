/*
 * vapi_client.c: libvapi, the Volume API client on libcurl and json-c:
 * the client handle and the transport (requests, replies, URLs).
 *
 * One struct vapi_client wraps one curl easy handle, so connections are
 * reused between calls (keep-alive) and the handle must not be shared
 * between threads without a lock (vapi_client.h).  Each call builds a
 * request, runs it with the handle's timeouts, and turns the reply into a
 * typed struct or a struct tnfs_err carrying the VAPI's own code and message.
 * URLs are built and calls made in vapi_calls.c, the replies decoded in
 * vapi_decode.c; the endpoints, one file per kind of resource, are
 * vapi_volumes.c, vapi_networks.c, vapi_hosts.c and vapi_snapshots.c (all
 * through vapi_impl.h).
 *
 * A client may have several URLs (several VAPI instances sharing one
 * store): a request goes to the one that last answered, and moves on to
 * the next only when it could not reach that one at all (no connection
 * was made, so the VAPI never saw the request).  An HTTP answer, error or
 * not, and any failure after the request may have left are the caller's:
 * resending a create the first instance may have run is not ours to do.
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
#include "vapi_impl.h"
#include "version.h"

#define REPLY_MAX    (64u * 1024 * 1024) /* no VAPI answer is this large */
#define REQID_BUFSZ  64
#define VAPI_URL_MAX 8192

/* One VAPI the client may talk to. */
struct vapi_endpoint {
	char *base;        /* "http://host:port" (no trailing '/') */
	char *unix_path;   /* socket path for unix://, else NULL */
	char *display_url; /* what error messages name */
};

struct vapi_client {
	CURL *curl;
	struct vapi_endpoint ep[VAPI_CLIENT_MAX_URLS];
	size_t nep;
	size_t cur; /* the endpoint that answered last */
	char *token;
	char *ca_file;
	char *cert_file;
	char *key_file;
	char *user_agent;
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

/*
 * Check one URL and fill e from it: 0, or -1 with err (a ValidationError
 * naming the URL, or out of memory).
 */
static int
endpoint_parse(struct vapi_endpoint *e, const char *url, struct tnfs_err *err)
{
	size_t len;

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
		e->unix_path = strdup(path);
		e->base = strdup("http://localhost");
		if (e->unix_path == NULL || e->base == NULL)
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
		if ((e->base = strdup(url)) == NULL)
			goto nomem;
		len = strlen(e->base);
		while (len > 0 && e->base[len - 1] == '/')
			e->base[--len] = '\0';
	} else {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "VAPI URL %s: unsupported scheme (use http://, https:// "
		    "or unix://)",
		    url);
		goto out;
	}
	if ((e->display_url = strdup(url)) == NULL)
		goto nomem;
	return 0;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	return -1;
}

static void
endpoint_clear(struct vapi_endpoint *e)
{
	free(e->base);
	free(e->unix_path);
	free(e->display_url);
	memset(e, 0, sizeof(*e));
}

/* The comma-separated URLs of list into c's endpoints. */
static int
endpoints_parse(struct vapi_client *c, const char *list, struct tnfs_err *err)
{
	char url[VAPI_URL_MAX];
	const char *p = list;
	size_t n;

	for (;;) {
		n = strcspn(p, ",");
		if (n == 0) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "VAPI URLs \"%.200s\": an empty URL in the list "
			    "(URLs are separated by single commas)",
			    list);
			return -1;
		}
		if (n >= sizeof(url)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "VAPI URL longer than %zu bytes", sizeof(url) - 1);
			return -1;
		}
		if (c->nep == VAPI_CLIENT_MAX_URLS) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "VAPI URLs: more than %d in the list",
			    VAPI_CLIENT_MAX_URLS);
			return -1;
		}
		memcpy(url, p, n);
		url[n] = '\0';
		if (endpoint_parse(&c->ep[c->nep], url, err) == -1) {
			endpoint_clear(&c->ep[c->nep]);
			return -1;
		}
		c->nep++;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

struct vapi_client *
vapi_client_new(const struct vapi_client_opts *opts, struct tnfs_err *err)
{
	struct vapi_client *c = NULL, *ret = NULL;
	const char *url = opts != NULL ? opts->url : NULL;
	int oom = 0;

	if (url == NULL || *url == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "no VAPI URL given (http://host:port or unix:///path)");
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	if (endpoints_parse(c, url, err) == -1)
		goto out;
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
	size_t i;

	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	for (i = 0; i < c->nep; i++)
		endpoint_clear(&c->ep[i]);
	free(c->token);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->user_agent);
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

/*
 * Whether a failed transfer never reached the VAPI: nothing was connected,
 * so nothing was sent and another URL may be tried.  A connect timeout
 * counts (no connection was made); a timeout or a reset once connected
 * does not: the request may have been received.
 */
static int
unreached(CURL *h, CURLcode cc)
{
	long sent = -1;

	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		/* Not a byte of the request sent: it timed out connecting. */
		return curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent) ==
			   CURLE_OK &&
		    sent == 0;
	default:
		return 0;
	}
}

/* The handle for one request: URL, headers, deadlines, TLS, the body. */
static void
setup_handle(struct vapi_client *c, const struct vapi_endpoint *e,
    const char *method, const char *url, struct curl_slist *hdrs,
    struct reply_buf *rb, const char *body_text)
{
	CURL *h = c->curl;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
	    h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, rb);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (e->unix_path != NULL)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, e->unix_path);
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
}

/* The debug line every request leaves, whatever its outcome. */
static void
log_request(struct vapi_client *c, const struct vapi_endpoint *e,
    const char *method, const char *path, long code, int64_t t0)
{
	json_object *f = json_object_new_object();

	if (f != NULL) {
		jsonx_add_str(f, "req_id", c->last_reqid);
		jsonx_add_str(f, "method", method);
		jsonx_add_str(f, "path", path);
		jsonx_add_str(f, "url", e->display_url);
		jsonx_add_int64(f, "status", code);
		jsonx_add_int64(f, "ms", tnfs_mono_ms() - t0);
	}
	log_msg(TNFS_LOG_DEBUG, f, "vapi request");
}

/*
 * One attempt at endpoint e.  *skip is set when it failed without reaching
 * the VAPI (unreached), so the caller may try the next endpoint.
 */
static int
request_at(struct vapi_client *c, const struct vapi_endpoint *e,
    const char *method, const char *path, json_object *body, int *status,
    json_object **reply, int *skip, struct tnfs_err *err)
{
	struct curl_slist *hdrs = NULL;
	struct reply_buf rb = {0};
	char url[VAPI_URL_MAX];
	const char *body_text = NULL;
	char auth[1024 + 8];
	long code = 0;
	int64_t t0 = tnfs_mono_ms();
	int oom = 0, rc = -1, n;
	CURLcode cc;
	CURL *h = c->curl;

	*status = 0;
	*reply = NULL;
	*skip = 0;
	n = snprintf(url, sizeof(url), "%s%s", e->base, path);
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
	setup_handle(c, e, method, url, hdrs, &rb, body_text);

	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		if (rb.overflow)
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "VAPI at %s: reply to %s %s larger than %u bytes",
			    e->display_url, method, path, REPLY_MAX);
		else if (cc == CURLE_OPERATION_TIMEDOUT && !unreached(h, cc))
			tnfs_err_set(err, TNFS_E_TIMEOUT,
			    "VAPI at %s: no answer to %s %s within %d ms",
			    e->display_url, method, path, c->timeout_ms);
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "cannot reach the VAPI at %s: %s", e->display_url,
			    curl_easy_strerror(cc));
		*skip = !rb.overflow && unreached(h, cc);
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
			    e->display_url, method, path, code, perr.msg);
			goto out;
		}
	}
	if (code < 200 || code >= 300) {
		tnfs_err_from_vapi_body(
		    err, (int)code, rb.data, rb.data != NULL ? rb.len : 0);
		goto out;
	}
	rc = 0;
out:
	log_request(c, e, method, path, code, t0);
	curl_slist_free_all(hdrs);
	free(rb.data);
	return rc;
}

int
vapi_client_request(struct vapi_client *c, const char *method, const char *path,
    json_object *body, int *status, json_object **reply, struct tnfs_err *err)
{
	char tried[TNFS_ERR_MSG_MAX] = "";
	struct tnfs_err e1;
	size_t i, k, off = 0;
	int rc, skip;

	for (i = 0; i < c->nep; i++) {
		k = (c->cur + i) % c->nep;
		tnfs_err_clear(&e1);
		rc = request_at(c, &c->ep[k], method, path, body, status,
		    reply, &skip, &e1);
		if (!skip) {
			/* Answered (or may have been): the next call starts here. */
			c->cur = k;
			if (rc == -1 && err != NULL)
				*err = e1;
			return rc;
		}
		if (off < sizeof(tried))
			off += (size_t)snprintf(tried + off, sizeof(tried) - off,
			    "%s%s", off > 0 ? "; " : "",
			    strncmp(e1.msg, "cannot reach the VAPI at ", 25) == 0
				? e1.msg + 25
				: e1.msg);
	}
	if (c->nep == 1) {
		if (err != NULL)
			*err = e1;
	} else {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "cannot reach any of %zu VAPI URLs: %s", c->nep, tried);
	}
	return -1;
}

/* ---- URL building (the rest is in vapi_calls.c) ---- */

char *
vapi_escape(struct vapi_client *c, const char *s)
{
	return curl_easy_escape(c->curl, s, 0);
}
