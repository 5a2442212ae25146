/*
 * volume_filter.c: a ListVolumes filter (store.h) evaluated in C, for
 * what a store's query language cannot say.  The SQLite store compiles
 * every filter of today to SQL (store_sqlite_where.c) and keeps this as
 * its fallback; a new store can start here and move filters into its
 * queries one by one.
 */
#include <string.h>

#include "predicate.h"
#include "store.h"

static int
has_live_ref(
    const struct volume *v, const char *vm, const struct ref_clock *clk)
{
	size_t i;

	for (i = 0; i < v->nrefs; i++)
		if (strcmp(v->refs[i].vm_uuid, vm) == 0 &&
		    volume_ref_live(&v->refs[i], clk))
			return 1;
	return 0;
}

int
volume_filter_match(const struct volume_filter *f, const struct volume *v)
{
	struct ref_clock clk;

	if (f == NULL)
		return 1;
	clk.lease_after_ms = f->live_after_ms;
	clk.host_after_ms = f->host_after_ms;
	if (f->owner_uuid != NULL && strcmp(f->owner_uuid, v->owner_uuid) != 0)
		return 0;
	if (f->after_uuid != NULL && strcmp(v->uuid, f->after_uuid) <= 0)
		return 0;
	if (f->state != NULL && strcmp(f->state, v->state) != 0)
		return 0;
	if (f->name != NULL && !name_pattern_match(f->name, v->name))
		return 0;
	if (f->type != NULL && strcmp(f->type, v->type) != 0)
		return 0;
	if (f->size != 0 && v->size != f->size)
		return 0;
	if (f->exported_only && !v->exported)
		return 0;
	if (f->ref_vm != NULL && !has_live_ref(v, f->ref_vm, &clk))
		return 0;
	if (f->pred != NULL && !predicate_match(f->pred, v, &clk))
		return 0;
	return 1;
}
