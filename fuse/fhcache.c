/*
 * fhcache.c: directory path -> NFS file handle (see fhcache.h).
 *
 * A few hundred entries at most, searched linearly: a strcmp per entry is
 * far cheaper than the round trip it saves.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fhcache.h"

struct fh_entry {
	char *path; /* NULL: free slot */
	size_t len;
	uint64_t at; /* when looked up, ms */
	unsigned char fh[FHCACHE_FH_MAX];
};

struct fhcache {
	pthread_mutex_t lock;
	uint64_t ttl, gen;
	size_t cap;
	struct fh_entry *e;
};

struct fhcache *
fhcache_new(size_t cap, uint64_t ttl_ms)
{
	struct fhcache *c;

	if (cap == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->e = calloc(cap, sizeof(*c->e))) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->cap = cap;
	c->ttl = ttl_ms;
	return c;
}

void
fhcache_free(struct fhcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		free(c->e[i].path);
	free(c->e);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int
fresh(const struct fhcache *c, const struct fh_entry *e, uint64_t now)
{
	/* A clock before the entry's time is not trusted either. */
	return now >= e->at && now - e->at < c->ttl;
}

static void
drop(struct fh_entry *e)
{
	free(e->path);
	e->path = NULL;
}

size_t
fhcache_get(
    struct fhcache *c, const char *path, uint64_t now_ms, unsigned char *fh)
{
	size_t i, len = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->cap; i++) {
		struct fh_entry *e = &c->e[i];

		if (e->path == NULL || strcmp(e->path, path) != 0)
			continue;
		if (fresh(c, e, now_ms)) {
			memcpy(fh, e->fh, e->len);
			len = e->len;
		} else {
			drop(e);
		}
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return len;
}

uint64_t
fhcache_gen(struct fhcache *c)
{
	uint64_t gen;

	pthread_mutex_lock(&c->lock);
	gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	return gen;
}

/* An absolute path without empty, "." or ".." components. */
static int
normal_path(const char *path)
{
	const char *p = path, *end;
	size_t n;

	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return 0;
	if (path[1] == '\0')
		return 1;
	while (*p == '/') {
		p++;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
	}
	return 1;
}

int
fhcache_put(struct fhcache *c, const char *path, const unsigned char *fh,
    size_t len, uint64_t now_ms, uint64_t gen)
{
	struct fh_entry *slot = NULL, *oldest;
	char *copy;
	size_t i;

	if (len == 0 || len > FHCACHE_FH_MAX || !normal_path(path))
		return -EINVAL;
	if ((copy = strdup(path)) == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&c->lock);
	if (gen != c->gen) {
		/* Something was forgotten since the lookup began. */
		pthread_mutex_unlock(&c->lock);
		free(copy);
		return 0;
	}
	oldest = &c->e[0]; /* cap >= 1 */
	for (i = 0; i < c->cap; i++) {
		struct fh_entry *e = &c->e[i];

		if (e->path != NULL && strcmp(e->path, path) == 0) {
			slot = e;
			break;
		}
		if (slot == NULL && (e->path == NULL || !fresh(c, e, now_ms)))
			slot = e;
		if (e->path != NULL && e->at < oldest->at)
			oldest = e;
	}
	if (slot == NULL)
		slot = oldest;
	drop(slot);
	slot->path = copy;
	slot->len = len;
	slot->at = now_ms;
	memcpy(slot->fh, fh, len);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void
fhcache_forget(struct fhcache *c, const char *path)
{
	size_t i, n = strlen(path);

	/* "/" is the root: everything is below it. */
	if (n == 1 && path[0] == '/')
		n = 0;
	pthread_mutex_lock(&c->lock);
	c->gen++;
	for (i = 0; i < c->cap; i++) {
		const char *p = c->e[i].path;

		if (p != NULL && strncmp(p, path, n) == 0 &&
		    (p[n] == '\0' || p[n] == '/'))
			drop(&c->e[i]);
	}
	pthread_mutex_unlock(&c->lock);
}

size_t
fhcache_count(struct fhcache *c)
{
	size_t i, n = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->cap; i++)
		n += c->e[i].path != NULL;
	pthread_mutex_unlock(&c->lock);
	return n;
}
