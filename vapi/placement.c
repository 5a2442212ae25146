/*
 * placement.c: the volume-to-head table of placement.h.  A flat array:
 * a head serves at most a few thousand volumes and every lookup is at an
 * export sync, which already costs a configuration rewrite.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"
#include "uuid.h"

struct placed {
	char uuid[TNFS_UUID_BUFSZ];
	int head;
	int pending; /* placed, not yet in a synced set */
};

struct placement {
	pthread_mutex_t mu; /* guards everything below */
	size_t nheads;
	unsigned char *down; /* per head: takes no volume */
	struct placed *v;
	size_t n, cap;
};

struct placement *
placement_new(size_t nheads)
{
	struct placement *pl;

	if (nheads == 0 || (pl = calloc(1, sizeof(*pl))) == NULL)
		return NULL;
	if ((pl->down = calloc(nheads, 1)) == NULL) {
		free(pl);
		return NULL;
	}
	pthread_mutex_init(&pl->mu, NULL);
	pl->nheads = nheads;
	return pl;
}

void
placement_free(struct placement *pl)
{
	if (pl == NULL)
		return;
	pthread_mutex_destroy(&pl->mu);
	free(pl->v);
	free(pl->down);
	free(pl);
}

static size_t
count_locked(const struct placement *pl, int head)
{
	size_t i, c = 0;

	for (i = 0; i < pl->n; i++)
		if (pl->v[i].head == head)
			c++;
	return c;
}

/* The head with the fewest volumes but those down; -1 when all are. */
static int
fewest_up_locked(const struct placement *pl)
{
	size_t h, c, best = (size_t)-1;
	int head = -1;

	for (h = 0; h < pl->nheads; h++)
		if (!pl->down[h] && (c = count_locked(pl, (int)h)) < best) {
			best = c;
			head = (int)h;
		}
	return head;
}

static int
fewest_locked(const struct placement *pl)
{
	size_t h, c, best = (size_t)-1;
	int head = fewest_up_locked(pl);

	if (head >= 0)
		return head;
	head = 0;
	for (h = 0; h < pl->nheads; h++)
		if ((c = count_locked(pl, (int)h)) < best) {
			best = c;
			head = (int)h;
		}
	return head;
}

int
placement_get(
    struct placement *pl, const char *uuid, int hint, struct tnfs_err *err)
{
	struct placed *p;
	size_t i;
	int head = -1;

	pthread_mutex_lock(&pl->mu);
	for (i = 0; i < pl->n; i++)
		if (strcmp(pl->v[i].uuid, uuid) == 0) {
			head = pl->v[i].head;
			goto out;
		}
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 16;

		if ((p = realloc(pl->v, cap * sizeof(*p))) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		pl->v = p;
		pl->cap = cap;
	}
	if (hint >= 0 && (size_t)hint < pl->nheads && !pl->down[hint])
		head = hint;
	else
		head = fewest_locked(pl);
	p = &pl->v[pl->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->uuid, sizeof(p->uuid), "%s", uuid);
	p->head = head;
	p->pending = 1;
out:
	pthread_mutex_unlock(&pl->mu);
	return head;
}

void
placement_synced(struct placement *pl, const char *const *uuids, size_t n)
{
	size_t i, j, k = 0;

	pthread_mutex_lock(&pl->mu);
	for (i = 0; i < pl->n; i++) {
		int listed = 0;

		for (j = 0; j < n && !listed; j++)
			listed = strcmp(pl->v[i].uuid, uuids[j]) == 0;
		if (listed)
			pl->v[i].pending = 0;
		else if (!pl->v[i].pending)
			continue; /* served before, gone now: deleted */
		pl->v[k++] = pl->v[i];
	}
	pl->n = k;
	pthread_mutex_unlock(&pl->mu);
}

size_t
placement_count(struct placement *pl, int head)
{
	size_t c;

	pthread_mutex_lock(&pl->mu);
	c = count_locked(pl, head);
	pthread_mutex_unlock(&pl->mu);
	return c;
}

int
placement_head_of(struct placement *pl, const char *uuid)
{
	size_t i;
	int head = -1;

	pthread_mutex_lock(&pl->mu);
	for (i = 0; i < pl->n && head < 0; i++)
		if (strcmp(pl->v[i].uuid, uuid) == 0)
			head = pl->v[i].head;
	pthread_mutex_unlock(&pl->mu);
	return head;
}

void
placement_set_down(struct placement *pl, int head, int down)
{
	pthread_mutex_lock(&pl->mu);
	if (head >= 0 && (size_t)head < pl->nheads)
		pl->down[head] = down != 0;
	pthread_mutex_unlock(&pl->mu);
}

size_t
placement_evacuate(struct placement *pl, int head)
{
	size_t i, moved = 0;
	int to;

	pthread_mutex_lock(&pl->mu);
	for (i = 0; i < pl->n; i++) {
		if (pl->v[i].head != head)
			continue;
		/* Counted as it goes, so the survivors share the load. */
		pl->v[i].head = -1;
		if ((to = fewest_up_locked(pl)) < 0 || to == head) {
			pl->v[i].head = head;
			break;
		}
		pl->v[i].head = to;
		moved++;
	}
	pthread_mutex_unlock(&pl->mu);
	return moved;
}
