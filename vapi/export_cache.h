/*
 * export_cache.h: the export set the provisioner last handed to its
 * exporter, kept between syncs so that a sync after one volume changed
 * reads that volume from the store, not every exported one.
 *
 * Entries are kept in volume uuid order; each owns copies of everything
 * its export_spec points at, so a caller's spec may be freed after a put.
 * Not thread-safe: the provisioner's exporter thread alone uses it.
 */
#ifndef TNFS_VAPI_EXPORT_CACHE_H
#define TNFS_VAPI_EXPORT_CACHE_H

#include <stddef.h>

#include "err.h"
#include "exports.h"

struct export_cache;

struct export_cache *export_cache_new(void);
void export_cache_free(struct export_cache *c);

/*
 * Add spec, or replace the entry of its volume_uuid.  clients, when not
 * NULL, is one allocation as fence_export_clients makes it: the cache
 * takes it over (also on failure, where it is freed) and spec->clients
 * must be it.
 */
int export_cache_put(struct export_cache *c, const struct export_spec *spec,
    const char **clients, struct tnfs_err *err);

/*
 * A whole set, faster: append each entry as put would take it (no two
 * with one volume_uuid), then sort once.  Until the sort, only append,
 * clear and free may be called.
 */
int export_cache_append(struct export_cache *c,
    const struct export_spec *spec, const char **clients,
    struct tnfs_err *err);
int export_cache_sort(struct export_cache *c, struct tnfs_err *err);

/* Drop uuid's entry; absent: nothing to do. */
void export_cache_remove(struct export_cache *c, const char *uuid);

/* Drop every entry. */
void export_cache_clear(struct export_cache *c);

/*
 * Every entry becomes unchanged (export_spec.unchanged) once the exporter
 * took the set; a put makes its entry changed again.
 */
void export_cache_synced(struct export_cache *c);

/*
 * The entries as one array in uuid order, valid until the next put,
 * remove, clear or free.
 */
const struct export_spec *export_cache_specs(
    const struct export_cache *c, size_t *n);

#endif
