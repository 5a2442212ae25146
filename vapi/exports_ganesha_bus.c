/*
 * exports_ganesha_bus.c: what the "ganesha" exporter's process serves,
 * and the change from that to what a sync wants, made through ganesha's
 * export manager on its private bus (ganesha_dbus.h): AddExport for a
 * new volume, UpdateExport for changed clients, RemoveExport for one
 * gone, RemoveExport then AddExport for a path whose filesystem changed
 * (a rollback swapped the subvolume mounted there).  Each call's cost
 * does not grow with the number of exports, and its answer says whether
 * ganesha took the export.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "exports_ganesha_priv.h"
#include "fsutil.h"
#include "ganesha_conf.h"
#include "ganesha_dbus.h"
#include "log.h"

void
gexp_served_free(struct served *sv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sv[i].block);
	free(sv);
}

static int
cmp_served(const void *a, const void *b)
{
	unsigned x = ((const struct served *)a)->id,
		 y = ((const struct served *)b)->id;

	return x < y ? -1 : x > y;
}

static const struct served *
served_find(const struct served *sv, size_t n, unsigned id)
{
	struct served key = {.id = id};

	return n == 0 ? NULL : bsearch(&key, sv, n, sizeof(*sv), cmp_served);
}

struct served *
gexp_render(const struct ganesha *g, const struct export_spec *specs,
    const unsigned *ids, const unsigned char *swapped, size_t n,
    struct tnfs_err *err)
{
	struct served *sv = calloc(n + 1, sizeof(*sv));
	size_t i;

	if (sv == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct served *old =
		    specs[i].unchanged && !swapped[i]
			? served_find(g->served, g->nserved, ids[i])
			: NULL;

		sv[i].id = ids[i];
		sv[i].swapped = swapped[i];
		/* What ganesha took as it is renders as it did. */
		if (old != NULL) {
			if ((sv[i].block = strdup(old->block)) == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				gexp_served_free(sv, i);
				return NULL;
			}
			continue;
		}
		if (ganesha_conf_exports(&specs[i], &ids[i], 1, g->root_squash,
			&sv[i].block, err) == -1) {
			gexp_served_free(sv, i);
			return NULL;
		}
	}
	qsort(sv, n, sizeof(*sv), cmp_served);
	return sv;
}

static int
bus_put(struct ganesha *g, const struct served *w, int update,
    struct tnfs_err *err)
{
	if (fsutil_write_atomic(
		g->one, w->block, strlen(w->block), 0644, err) == -1)
		return -1;
	return update ? gbus_update_export(g->bus, g->one, w->id, err)
		      : gbus_add_export(g->bus, g->one, w->id, err);
}

int
gexp_bus_apply(struct ganesha *g, const struct served *want, size_t n,
    struct tnfs_err *err)
{
	size_t i, added = 0, updated = 0, removed = 0;
	const struct served *old;
	pid_t pid;

	pthread_mutex_lock(&g->lock);
	pid = g->healthy ? g->pid : 0;
	pthread_mutex_unlock(&g->lock);
	if (g->bus == NULL) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE, "no bus");
		return -1;
	}
	if (pid == 0 || pid != g->served_pid) {
		tnfs_err_set(err, TNFS_E_UNAVAILABLE,
		    "ganesha (re)started since the last sync");
		return -1;
	}
	for (i = 0; i < g->nserved; i++)
		if (served_find(want, n, g->served[i].id) == NULL) {
			if (gbus_remove_export(g->bus, g->served[i].id, err) ==
			    -1)
				return -1;
			removed++;
		}
	for (i = 0; i < n; i++) {
		old = served_find(g->served, g->nserved, want[i].id);
		if (old != NULL && want[i].swapped) {
			if (gbus_remove_export(g->bus, want[i].id, err) == -1 ||
			    bus_put(g, &want[i], 0, err) == -1)
				return -1;
			removed++, added++;
		} else if (old != NULL && strcmp(old->block, want[i].block) != 0) {
			if (bus_put(g, &want[i], 1, err) == -1)
				return -1;
			updated++;
		} else if (old == NULL) {
			if (bus_put(g, &want[i], 0, err) == -1)
				return -1;
			added++;
		}
	}
	pthread_mutex_lock(&g->lock);
	g->spawn_gen = g->gen;
	pthread_mutex_unlock(&g->lock);
	if (added + updated + removed > 0)
		log_info("exports: %zu added, %zu updated, %zu removed by "
			 "ganesha's export manager",
		    added, updated, removed);
	return 0;
}

int
gexp_write(struct ganesha *g, const struct served *sv, size_t n,
    struct tnfs_err *err)
{
	const size_t hlen = strlen(GANESHA_CONF_EXPORTS_HEADER);
	size_t len = hlen, off, i, blen;
	char *text;
	int rc;

	for (i = 0; i < n; i++)
		len += strlen(sv[i].block);
	if ((text = malloc(len + 1)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	memcpy(text, GANESHA_CONF_EXPORTS_HEADER, hlen);
	off = hlen;
	for (i = 0; i < n; i++) {
		const char *b = sv[i].block;

		/* Each block was rendered as a file of its own. */
		if (strncmp(b, GANESHA_CONF_EXPORTS_HEADER, hlen) == 0)
			b += hlen;
		blen = strlen(b);
		memcpy(text + off, b, blen);
		off += blen;
	}
	text[off] = '\0';
	rc = fsutil_write_atomic(g->exports, text, off, 0644, err);
	free(text);
	if (rc == -1)
		return -1;
	pthread_mutex_lock(&g->lock);
	g->gen++;
	pthread_mutex_unlock(&g->lock);
	return 0;
}
