/*
 * records.c: constructors and destructors of the store's records, shared by
 * every store implementation.
 */
#include <stdlib.h>

#include "store.h"

struct volume *
volume_new(void)
{
	return calloc(1, sizeof(struct volume));
}

void
volume_free(struct volume *v)
{
	if (v == NULL)
		return;
	free(v->name);
	free(v->networks);
	free(v->labels);
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
