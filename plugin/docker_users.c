/*
 * docker_users.c: volume users from dockerd's API (docker_users.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "docker_users.h"
#include "jsonx.h"
#include "parse.h"

struct docker_users {
	char **names; /* sorted, distinct */
	unsigned *counts;
	size_t n;
};

void
docker_users_free(struct docker_users *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		free(u->names[i]);
	free(u->names);
	free(u->counts);
	free(u);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
str_field(json_object *o, const char *key, int *bad)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = 1;
		return NULL;
	}
	return json_object_get_string(v);
}

/* Append every volume name a container's "Mounts" holds to names. */
static int
collect(json_object *ctr, size_t idx, char ***names, size_t *n, size_t *cap,
    struct tnfs_err *err)
{
	json_object *mounts;
	const char *state;
	size_t i, len;
	int bad = 0;

	if (!json_object_is_type(ctr, json_type_object)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "dockerd's container list: entry %zu is not an object",
		    idx);
		return -1;
	}
	state = str_field(ctr, "State", &bad);
	if (bad) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "dockerd's container list: entry %zu: State is not a "
		    "string",
		    idx);
		return -1;
	}
	if (state != NULL && strcmp(state, "running") != 0 &&
	    strcmp(state, "paused") != 0)
		return 0;
	if (!json_object_object_get_ex(ctr, "Mounts", &mounts) ||
	    mounts == NULL)
		return 0;
	if (!json_object_is_type(mounts, json_type_array)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "dockerd's container list: entry %zu: Mounts is not an "
		    "array",
		    idx);
		return -1;
	}
	len = json_object_array_length(mounts);
	for (i = 0; i < len; i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *type, *name;
		char **v;

		if (!json_object_is_type(m, json_type_object)) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "dockerd's container list: entry %zu: mount %zu "
			    "is not an object",
			    idx, i);
			return -1;
		}
		type = str_field(m, "Type", &bad);
		name = str_field(m, "Name", &bad);
		if (bad) {
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "dockerd's container list: entry %zu: mount %zu: "
			    "Type or Name is not a string",
			    idx, i);
			return -1;
		}
		/* Bind mounts and tmpfs have no volume name; a name longer
		 * than a volume name cannot be one of ours. */
		if (type == NULL || strcmp(type, "volume") != 0 ||
		    name == NULL || name[0] == '\0' ||
		    strlen(name) > TNFS_NAME_MAX)
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;

			if ((v = realloc(*names, ncap * sizeof(*v))) == NULL)
				goto oom;
			*names = v;
			*cap = ncap;
		}
		if (((*names)[*n] = strdup(name)) == NULL)
			goto oom;
		(*n)++;
	}
	return 0;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return -1;
}

int
docker_users_parse(const char *body, size_t len, struct docker_users **out,
    struct tnfs_err *err)
{
	struct docker_users *u = NULL;
	json_object *root;
	char **names = NULL;
	size_t i, n = 0, cap = 0, k;
	int rc = -1;

	/* Containers nest labels and network settings a few levels deep. */
	if ((root = jsonx_parse(body, len, 32, err)) == NULL) {
		tnfs_err_prefix(err, "dockerd's container list");
		return -1;
	}
	if (!json_object_is_type(root, json_type_array)) {
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    "dockerd's container list is not a JSON array");
		goto out;
	}
	for (i = 0; i < json_object_array_length(root); i++)
		if (collect(json_object_array_get_idx(root, i), i, &names, &n,
			&cap, err) == -1)
			goto out;
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (n > 0 &&
		((u->names = calloc(n, sizeof(*u->names))) == NULL ||
		    (u->counts = calloc(n, sizeof(*u->counts))) == NULL))) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && strcmp(names[k], names[i]) == 0; k++)
			;
		u->names[u->n] = names[i];
		names[i] = NULL;
		u->counts[u->n++] = (unsigned)(k - i);
	}
	*out = u;
	u = NULL;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	docker_users_free(u);
	json_object_put(root);
	return rc;
}

unsigned
docker_users_count(const struct docker_users *u, const char *volume)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(volume, u->names[mid]);

		if (c == 0)
			return u->counts[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

size_t
docker_users_volumes(const struct docker_users *u)
{
	return u->n;
}

struct body {
	char *data;
	size_t len;
	int overflow;
};

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	char *v;

	if (b->len + n > DOCKER_USERS_REPLY_MAX) {
		b->overflow = 1;
		return 0;
	}
	if ((v = realloc(b->data, b->len + n + 1)) == NULL)
		return 0;
	memcpy(v + b->len, p, n);
	b->len += n;
	v[b->len] = '\0';
	b->data = v;
	return n;
}

int
docker_users_fetch(const char *socket_path, int timeout_ms,
    struct docker_users **out, struct tnfs_err *err)
{
	struct body b = {0};
	long code = 0;
	CURLcode cc;
	CURL *h;
	int rc = -1;

	if ((h = curl_easy_init()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	/* No API version in the path: every dockerd answers its own. */
	curl_easy_setopt(h, CURLOPT_URL, "http://docker/containers/json");
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		if (b.overflow)
			tnfs_err_set(err, TNFS_E_INTERNAL,
			    "dockerd at %s: container list larger than %u "
			    "bytes",
			    socket_path, DOCKER_USERS_REPLY_MAX);
		else
			tnfs_err_set(err, TNFS_E_UNAVAILABLE,
			    "cannot ask dockerd at %s: %s", socket_path,
			    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "dockerd at %s answered %ld to GET /containers/json",
		    socket_path, code);
		goto out;
	}
	rc = docker_users_parse(b.data != NULL ? b.data : "", b.len, out, err);
out:
	free(b.data);
	curl_easy_cleanup(h);
	return rc;
}
