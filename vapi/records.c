/*
 * records.c: constructors and destructors of the store's records, and the
 * text form every store keeps a volume's networks and labels in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonx.h"
#include "store.h"

/* Networks read without json-c; more go through it. */
#define VAPI_FAST_NETWORKS 8

struct volume *
volume_new(void)
{
	return calloc(1, sizeof(struct volume));
}

static void
labels_free(struct label *l, size_t n)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
}

void
volume_free(struct volume *v)
{
	if (v == NULL)
		return;
	free(v->name);
	free(v->networks);
	labels_free(v->labels, v->nlabels);
	free(v->affinity);
	free(v->filesystem_path);
	free(v->error);
	free(v->refs);
	free(v);
}

void
volume_list_free(struct volume **vs, size_t n)
{
	size_t i;

	if (vs == NULL)
		return;
	for (i = 0; i < n; i++)
		volume_free(vs[i]);
	free(vs);
}

void
reservation_list_free(struct reservation *rs, size_t n)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < n; i++)
		free(rs[i].volume_name);
	free(rs);
}

void
meta_list_free(struct meta_entry *es, size_t n)
{
	size_t i;

	if (es == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(es[i].key);
		free(es[i].value);
	}
	free(es);
}

int
volume_has_network(const struct volume *v, const char *net)
{
	size_t i;

	for (i = 0; i < v->nnetworks; i++)
		if (strcmp(v->networks[i], net) == 0)
			return 1;
	return 0;
}

int
volume_set_networks(struct volume *v, const char *const *uuids, size_t n)
{
	char(*nets)[TNFS_UUID_BUFSZ] = calloc(n > 0 ? n : 1, sizeof(*nets));
	size_t i, j, k = 0;

	if (nets == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < k; j++)
			if (strcmp(nets[j], uuids[i]) == 0)
				break;
		if (j == k)
			snprintf(nets[k++], TNFS_UUID_BUFSZ, "%s", uuids[i]);
	}
	free(v->networks);
	v->networks = nets;
	v->nnetworks = k;
	return 0;
}

int
volume_set_labels(struct volume *v, const struct label *labels, size_t n)
{
	struct label *l = calloc(n > 0 ? n : 1, sizeof(*l));
	size_t i;

	if (l == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		l[i].key = strdup(labels[i].key);
		l[i].value = strdup(labels[i].value);
		if (l[i].key == NULL || l[i].value == NULL) {
			labels_free(l, i + 1);
			return -1;
		}
	}
	labels_free(v->labels, v->nlabels);
	v->labels = l;
	v->nlabels = n;
	return 0;
}

char *
volume_networks_text(const struct volume *v)
{
	json_object *a = json_object_new_array();
	char *text = NULL;
	size_t i;

	for (i = 0; a != NULL && i < v->nnetworks; i++) {
		json_object *s = json_object_new_string(v->networks[i]);

		if (s == NULL || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			goto out;
		}
	}
	if (a != NULL)
		text = jsonx_to_string(a);
out:
	json_object_put(a);
	return text;
}

char *
volume_labels_text(const struct volume *v)
{
	json_object *o = json_object_new_object();
	char *text = NULL;
	size_t i;

	for (i = 0; o != NULL && i < v->nlabels; i++)
		if (jsonx_add_str(o, v->labels[i].key, v->labels[i].value) ==
		    -1)
			goto out;
	if (o != NULL)
		text = jsonx_to_string(o);
out:
	json_object_put(o);
	return text;
}

static void
bad_text(struct tnfs_err *err, const char *uuid, const char *what)
{
	tnfs_err_set(err, TNFS_E_INTERNAL,
	    "store: volume %s: its %s are not in the stored form", uuid, what);
}

/*
 * The form volume_networks_text writes, ["<36>","<36>"], read without
 * json-c: a list of 100,000 volumes spent most of its time allocating a
 * tokener per row.  0 when text is in that form; -1 sends it to json-c.
 */
static int
networks_fast(struct volume *v, const char *text)
{
	const char *uuids[VAPI_FAST_NETWORKS];
	char buf[VAPI_FAST_NETWORKS][TNFS_UUID_BUFSZ];
	const char *p = text;
	size_t n = 0, i;

	if (*p++ != '[')
		return -1;
	while (*p != ']') {
		if (n == VAPI_FAST_NETWORKS || (n > 0 && *p++ != ',') ||
		    *p++ != '"')
			return -1;
		for (i = 0; i < TNFS_UUID_BUFSZ - 1; i++) {
			char c = p[i];

			if (!((c >= '0' && c <= '9') ||
				(c >= 'a' && c <= 'f') ||
				(c >= 'A' && c <= 'F') || c == '-'))
				return -1;
			buf[n][i] = c;
		}
		buf[n][i] = '\0';
		p += i;
		if (*p++ != '"')
			return -1;
		uuids[n] = buf[n];
		n++;
	}
	if (p[1] != '\0')
		return -1;
	return volume_set_networks(v, uuids, n) == -1 ? -2 : 0;
}

int
volume_networks_parse(struct volume *v, const char *text, struct tnfs_err *err)
{
	json_object *a;
	const char **uuids = NULL;
	size_t i, n;
	int rc = -1;

	switch (networks_fast(v, text)) {
	case 0:
		return 0;
	case -2:
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	a = json_tokener_parse(text);
	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		bad_text(err, v->uuid, "networks");
		goto out;
	}
	n = json_object_array_length(a);
	if ((uuids = calloc(n > 0 ? n : 1, sizeof(*uuids))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (!json_object_is_type(e, json_type_string) ||
		    json_object_get_string_len(e) >= TNFS_UUID_BUFSZ) {
			bad_text(err, v->uuid, "networks");
			goto out;
		}
		uuids[i] = json_object_get_string(e);
	}
	if (volume_set_networks(v, uuids, n) == -1)
		goto oom;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	free(uuids);
	json_object_put(a);
	return rc;
}

int
volume_labels_parse(struct volume *v, const char *text, struct tnfs_err *err)
{
	json_object *o = json_tokener_parse(text);
	struct label *l = NULL;
	size_t n = 0;
	int rc = -1;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		bad_text(err, v->uuid, "labels");
		goto out;
	}
	l = calloc((size_t)json_object_object_length(o) + 1, sizeof(*l));
	if (l == NULL)
		goto oom;
	json_object_object_foreach(o, key, val)
	{
		if (!json_object_is_type(val, json_type_string)) {
			bad_text(err, v->uuid, "labels");
			goto out;
		}
		/* Borrowed from o: volume_set_labels copies them. */
		l[n].key = key;
		l[n].value = (char *)(uintptr_t)json_object_get_string(val);
		n++;
	}
	if (volume_set_labels(v, l, n) == -1)
		goto oom;
	rc = 0;
	goto out;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	free(l);
	json_object_put(o);
	return rc;
}

int
volume_ref_live(const struct volume_ref *r, const struct ref_clock *clk)
{
	/* A holder that never registered has holder_seen_ms 0. */
	return r->renewed_ms >= clk->lease_after_ms &&
	    r->holder_seen_ms > 0 && r->holder_seen_ms >= clk->host_after_ms;
}
