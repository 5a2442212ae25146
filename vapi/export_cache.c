/*
 * export_cache.c: the provisioner's last export set (export_cache.h).
 *
 * Two parallel arrays in uuid order: the specs, contiguous because that
 * is what exporter_sync takes, and per entry the one block holding the
 * strings its spec points at (plus its client list, a block of its own).
 * An insert moves the tails of both arrays: at 100,000 entries that is
 * about 5 MB of memmove, far below the store read it replaces.  A whole
 * set is appended and sorted once: inserted one by one in any other
 * order it would move those megabytes for every entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export_cache.h"

struct entry_mem {
	char *strings;        /* uuid, path, pseudo, ceph fs, user, secret */
	const char **clients; /* fence_export_clients' block, or NULL */
};

struct export_cache {
	struct export_spec *specs;
	struct entry_mem *mem;
	size_t n, cap;
};

struct export_cache *
export_cache_new(void)
{
	return calloc(1, sizeof(struct export_cache));
}

static void
mem_free(struct entry_mem *m)
{
	free(m->strings);
	free((void *)(uintptr_t)m->clients);
}

void
export_cache_clear(struct export_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		mem_free(&c->mem[i]);
	c->n = 0;
}

void
export_cache_free(struct export_cache *c)
{
	if (c == NULL)
		return;
	export_cache_clear(c);
	free(c->specs);
	free(c->mem);
	free(c);
}

/* Index of uuid, or where it would go (*found says which). */
static size_t
find(const struct export_cache *c, const char *uuid, int *found)
{
	size_t lo = 0, hi = c->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->specs[mid].volume_uuid, uuid);

		if (d == 0) {
			*found = 1;
			return mid;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
grow(struct export_cache *c)
{
	size_t cap = c->cap == 0 ? 64 : c->cap * 2;
	struct export_spec *s;
	struct entry_mem *m;

	if ((s = realloc(c->specs, cap * sizeof(*s))) == NULL)
		return -1;
	c->specs = s;
	if ((m = realloc(c->mem, cap * sizeof(*m))) == NULL)
		return -1;
	c->mem = m;
	c->cap = cap;
	return 0;
}

/* Copy s (NULL stays NULL) to *at, advancing it. */
static const char *
put_str(char **at, const char *s)
{
	char *out = *at;
	size_t len;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	memcpy(out, s, len);
	*at += len;
	return out;
}

static size_t
len_or_0(const char *s)
{
	return s == NULL ? 0 : strlen(s) + 1;
}

/*
 * spec with its strings copied into one block of *mem's, and clients
 * (taken over) as its client list.  -1 when it cannot be: clients freed.
 */
static int
entry_make(const struct export_spec *spec, const char **clients,
    struct export_spec *copy, struct entry_mem *mem, struct tnfs_err *err)
{
	size_t bytes;
	char *p;

	*copy = *spec;
	copy->unchanged = 0;
	mem->strings = NULL;
	mem->clients = clients;
	bytes = len_or_0(spec->volume_uuid) + len_or_0(spec->path) +
	    len_or_0(spec->pseudo) + len_or_0(spec->ceph_fs) +
	    len_or_0(spec->ceph_user) + len_or_0(spec->ceph_secret);
	if (spec->volume_uuid == NULL ||
	    (mem->strings = p = malloc(bytes)) == NULL) {
		mem_free(mem);
		tnfs_err_set(err, TNFS_E_INTERNAL,
		    spec->volume_uuid == NULL ? "export without a volume"
					      : "out of memory");
		return -1;
	}
	copy->volume_uuid = put_str(&p, spec->volume_uuid);
	copy->path = put_str(&p, spec->path);
	copy->pseudo = put_str(&p, spec->pseudo);
	copy->ceph_fs = put_str(&p, spec->ceph_fs);
	copy->ceph_user = put_str(&p, spec->ceph_user);
	copy->ceph_secret = put_str(&p, spec->ceph_secret);
	copy->clients = clients;
	return 0;
}

int
export_cache_put(struct export_cache *c, const struct export_spec *spec,
    const char **clients, struct tnfs_err *err)
{
	struct export_spec copy;
	struct entry_mem mem;
	size_t at;
	int found;

	if (entry_make(spec, clients, &copy, &mem, err) == -1)
		return -1;
	at = find(c, spec->volume_uuid, &found);
	if (found) {
		mem_free(&c->mem[at]);
	} else {
		if (c->n == c->cap && grow(c) == -1)
			goto fail;
		memmove(&c->specs[at + 1], &c->specs[at],
		    (c->n - at) * sizeof(*c->specs));
		memmove(&c->mem[at + 1], &c->mem[at],
		    (c->n - at) * sizeof(*c->mem));
		c->n++;
	}
	c->specs[at] = copy;
	c->mem[at] = mem;
	return 0;
fail:
	mem_free(&mem);
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return -1;
}

int
export_cache_append(struct export_cache *c, const struct export_spec *spec,
    const char **clients, struct tnfs_err *err)
{
	struct export_spec copy;
	struct entry_mem mem;

	if (entry_make(spec, clients, &copy, &mem, err) == -1)
		return -1;
	if (c->n == c->cap && grow(c) == -1) {
		mem_free(&mem);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	c->specs[c->n] = copy;
	c->mem[c->n] = mem;
	c->n++;
	return 0;
}

static int
cmp_spec_ptr(const void *a, const void *b)
{
	const struct export_spec *const *x = a, *const *y = b;

	return strcmp((*x)->volume_uuid, (*y)->volume_uuid);
}

int
export_cache_sort(struct export_cache *c, struct tnfs_err *err)
{
	const struct export_spec **order = NULL;
	struct export_spec *specs = NULL;
	struct entry_mem *mem = NULL;
	size_t i, k;

	if (c->n < 2)
		return 0;
	if ((order = malloc(c->n * sizeof(*order))) == NULL ||
	    (specs = malloc(c->cap * sizeof(*specs))) == NULL ||
	    (mem = malloc(c->cap * sizeof(*mem))) == NULL) {
		free(order);
		free(specs);
		free(mem);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < c->n; i++)
		order[i] = &c->specs[i];
	qsort(order, c->n, sizeof(*order), cmp_spec_ptr);
	for (i = 0; i < c->n; i++) {
		k = (size_t)(order[i] - c->specs);
		specs[i] = c->specs[k];
		mem[i] = c->mem[k];
	}
	free(order);
	free(c->specs);
	free(c->mem);
	c->specs = specs;
	c->mem = mem;
	return 0;
}

void
export_cache_remove(struct export_cache *c, const char *uuid)
{
	size_t at;
	int found;

	at = find(c, uuid, &found);
	if (!found)
		return;
	mem_free(&c->mem[at]);
	memmove(&c->specs[at], &c->specs[at + 1],
	    (c->n - at - 1) * sizeof(*c->specs));
	memmove(&c->mem[at], &c->mem[at + 1], (c->n - at - 1) * sizeof(*c->mem));
	c->n--;
}

const struct export_spec *
export_cache_specs(const struct export_cache *c, size_t *n)
{
	*n = c->n;
	return c->specs;
}

void
export_cache_synced(struct export_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		c->specs[i].unchanged = 1;
}
