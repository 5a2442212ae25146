/*
 * storage_list.c: what every backend shares about volume uuids: the check
 * before a uuid becomes a path component, and the arrays backends build
 * for storage_list().  Kept apart from the dispatcher so a backend links
 * without it.
 */
#include <stdlib.h>
#include <string.h>

#include "storage_impl.h"
#include "uuid.h"

int
storage_uuid_check(const char *uuid, struct tnfs_err *err)
{
	if (!tnfs_uuid_valid(uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "\"%.64s\" is not a volume uuid", uuid);
		return -1;
	}
	return 0;
}

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
