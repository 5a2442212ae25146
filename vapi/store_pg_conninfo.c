/*
 * store_pg_conninfo.c: the PostgreSQL store's connection string, checked
 * and kept as options for each (re)connection (store_pg.h).
 *
 * The description for messages names where, never the password; libpq's
 * own parse error is not repeated: it may quote the password.  The
 * connection timeout is always set: 10 s unless the string gives another
 * below a minute (2 s at least); libpq's 0 would wait forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"

#define CONNECT_TIMEOUT_S 10

static int
add_opt(struct pg *st, size_t *n, const char *key, const char *val)
{
	if ((st->keys[*n] = strdup(key)) == NULL ||
	    (st->vals[*n] = strdup(val)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
pg_conninfo_parse(struct pg *st, const char *conninfo, struct tnfs_err *err)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	size_t n = 0, off = 0, cnt = 0;
	int have_app = 0;

	if ((opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		PQfreemem(msg);
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "store postgresql: the connection string cannot be "
		    "parsed (expected key=value pairs, as \"host=/run/"
		    "postgresql dbname=vapi\", or a postgresql:// URI)");
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		cnt++;
	st->keys = calloc(cnt + 3, sizeof(*st->keys));
	st->vals = calloc(cnt + 3, sizeof(*st->vals));
	if (st->keys == NULL || st->vals == NULL)
		goto oom;
	st->connect_timeout_s = CONNECT_TIMEOUT_S;
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "connect_timeout") == 0) {
			int t = atoi(o->val);

			/* 0 is "forever" to libpq: never here. */
			if (t > 0 && t < CONNECT_TIMEOUT_S * 6)
				st->connect_timeout_s = t < 2 ? 2 : t;
			continue;
		}
		have_app |= strcmp(o->keyword, "application_name") == 0;
		if (strcmp(o->keyword, "password") == 0 &&
		    (st->password = strdup(o->val)) == NULL)
			goto oom;
		if (add_opt(st, &n, o->keyword, o->val) == -1)
			goto oom;
		if (strcmp(o->keyword, "host") == 0 ||
		    strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0 ||
		    strcmp(o->keyword, "dbname") == 0 ||
		    strcmp(o->keyword, "user") == 0)
			off += (size_t)snprintf(st->where + off,
			    off < sizeof(st->where) ? sizeof(st->where) - off
						    : 0,
			    "%s%s=%s", off > 0 ? " " : "", o->keyword, o->val);
	}
	{
		char t[16];

		snprintf(t, sizeof(t), "%d", st->connect_timeout_s);
		if (add_opt(st, &n, "connect_timeout", t) == -1)
			goto oom;
	}
	if (!have_app && add_opt(st, &n, "application_name", "tritonnfs-vapi") == -1)
		goto oom;
	if (st->where[0] == '\0')
		snprintf(st->where, sizeof(st->where), "libpq defaults");
	PQconninfoFree(opts);
	return 0;
oom:
	PQconninfoFree(opts);
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return -1;
}
