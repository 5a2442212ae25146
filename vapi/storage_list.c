/*
 * storage_list.c: the uuid arrays backends build for storage_list(), kept
 * apart from the dispatcher so a backend links without it.
 */
#include <stdlib.h>
#include <string.h>

#include "storage_impl.h"

int
storage_list_append(char ***v, size_t *n, size_t *cap, const char *name)
{
	char **nv;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap != 0 ? *cap * 2 : 16;
		if ((nv = realloc(*v, ncap * sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	if (((*v)[*n] = strdup(name)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

void
storage_list_free(char **uuids, size_t n)
{
	size_t i;

	if (uuids == NULL)
		return;
	for (i = 0; i < n; i++)
		free(uuids[i]);
	free(uuids);
}
