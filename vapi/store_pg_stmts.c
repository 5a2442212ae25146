/*
 * store_pg_stmts.c: the prepared statements of one PostgreSQL connection
 * (store_pg_stmts.h).  An open-addressed table of statement texts keyed
 * by their FNV-1a hash; a statement's name is "tnfs_" and its slot, so
 * names are unique on the connection and need no storage of their own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_stmts.h"

/* Twice the cap: probes stay short. */
#define NSLOTS (2 * PG_STMTS_MAX)

struct slot {
	char *sql;    /* NULL: free */
	uint64_t hash;
	int prepared; /* 1 once the server took it */
	char name[16];
};

struct pg_stmts {
	struct slot slots[NSLOTS];
	size_t used;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct pg_stmts *
pg_stmts_new(void)
{
	return calloc(1, sizeof(struct pg_stmts));
}

void
pg_stmts_reset(struct pg_stmts *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < NSLOTS; i++) {
		free(s->slots[i].sql);
		s->slots[i].sql = NULL;
		s->slots[i].prepared = 0;
	}
	s->used = 0;
}

void
pg_stmts_free(struct pg_stmts *s)
{
	pg_stmts_reset(s);
	free(s);
}

const char *
pg_stmts_name(struct pg_stmts *s, const char *sql, int *fresh)
{
	uint64_t h = fnv1a(sql);
	size_t i = (size_t)(h % NSLOTS), n;
	struct slot *sl;

	*fresh = 0;
	if (s == NULL)
		return NULL;
	for (n = 0; n < NSLOTS; n++, i = (i + 1) % NSLOTS) {
		sl = &s->slots[i];
		if (sl->sql == NULL)
			break;
		if (sl->hash == h && strcmp(sl->sql, sql) == 0) {
			/* Refused before (a transaction was failing): again. */
			*fresh = !sl->prepared;
			return sl->name;
		}
	}
	if (n == NSLOTS || s->used >= PG_STMTS_MAX)
		return NULL;
	if ((sl->sql = strdup(sql)) == NULL)
		return NULL;
	sl->hash = h;
	sl->prepared = 0;
	snprintf(sl->name, sizeof(sl->name), "tnfs_%zu", i);
	s->used++;
	*fresh = 1;
	return sl->name;
}

void
pg_stmts_prepared(struct pg_stmts *s, const char *name, int ok)
{
	unsigned long i;
	char *end;

	if (s == NULL || name == NULL || strncmp(name, "tnfs_", 5) != 0 ||
	    name[5] < '0' || name[5] > '9')
		return;
	i = strtoul(name + 5, &end, 10);
	if (*end == '\0' && i < NSLOTS && s->slots[i].sql != NULL)
		s->slots[i].prepared = ok;
}
