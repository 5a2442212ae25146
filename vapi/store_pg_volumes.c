/*
 * store_pg_volumes.c: volume records on PostgreSQL: insert, get and list
 * (with their references and snapshot count), and the guarded updates.
 *
 * Inside a transaction a volume read is locked FOR UPDATE until the
 * transaction ends: every transaction of the VAPI that decides on a
 * volume (add a reference, delete, rename, snapshot) reads it first, so
 * two instances deciding on one volume take turns, as two threads of one
 * SQLite store do on its mutex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"
#include "timefmt.h"

int
pg_volume_insert(void *impl, const struct volume *v, struct tnfs_err *err)
{
	char *nets = volume_networks_text(v), *labels = volume_labels_text(v);
	struct tnfs_err e;
	int r = -1;

	tnfs_err_clear(&e);
	if (nets == NULL || labels == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	r = pg_run(impl,
	    "INSERT INTO volumes (uuid, owner_uuid, name, type, size,"
	    " state, create_ms, networks, labels, affinity, vm_uuid,"
	    " filesystem_path, nfs_port, mount_port, error, exported,"
	    " updated_ms) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
	    "$13,$14,$15,$16,$17)",
	    ARGS(TEXT(v->uuid), TEXT(v->owner_uuid), TEXT(v->name),
		TEXT(v->type), INT(v->size), TEXT(v->state), INT(v->create_ms),
		TEXT(nets), TEXT(labels), TEXT(v->affinity),
		TEXT(v->vm_uuid[0] != '\0' ? v->vm_uuid : NULL),
		TEXT(v->filesystem_path), INT(v->nfs_port), INT(v->mount_port),
		TEXT(v->error), INT(v->exported), INT(tnfs_now_ms())),
	    "insert volume", &e);
	if (r == CONFLICT) {
		/* The primary key or the (owner, name) index said no. */
		if (strstr(e.msg, "volumes_pkey") != NULL)
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "Validation error, causes: Error: a volume with "
			    "uuid %s already exists",
			    v->uuid);
		else
			tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
			    "Volume with name %s already exists", v->name);
	} else if (r < 0 && err != NULL) {
		*err = e;
	}
out:
	free(nets);
	free(labels);
	return r < 0 ? -1 : 0;
}

#define VOLUME_COLS                                                            \
	"uuid, owner_uuid, name, type, size, state, create_ms, networks,"      \
	" labels, affinity, vm_uuid, filesystem_path, nfs_port, mount_port,"   \
	" error, exported"

/* The volume of row r; NULL with err.  brief: labels are left empty. */
static struct volume *
row_volume(const PGresult *res, int r, int brief, struct tnfs_err *err)
{
	struct volume *v;

	if ((v = volume_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pg_copy(res, r, 0, v->uuid, sizeof(v->uuid));
	pg_copy(res, r, 1, v->owner_uuid, sizeof(v->owner_uuid));
	v->name = pg_dup(res, r, 2);
	pg_copy(res, r, 3, v->type, sizeof(v->type));
	v->size = (uint64_t)pg_int(res, r, 4);
	pg_copy(res, r, 5, v->state, sizeof(v->state));
	v->create_ms = pg_int(res, r, 6);
	v->affinity = pg_dup(res, r, 9);
	pg_copy(res, r, 10, v->vm_uuid, sizeof(v->vm_uuid));
	v->filesystem_path = pg_dup(res, r, 11);
	v->nfs_port = (int)pg_int(res, r, 12);
	v->mount_port = (int)pg_int(res, r, 13);
	v->error = pg_dup(res, r, 14);
	v->exported = (int)pg_int(res, r, 15);
	if (v->name == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		volume_free(v);
		return NULL;
	}
	if (volume_networks_parse(v, PQgetvalue(res, r, 7), err) == -1 ||
	    (!brief &&
		volume_labels_parse(v, PQgetvalue(res, r, 8), err) == -1)) {
		volume_free(v);
		return NULL;
	}
	return v;
}

/* Append row r (columns from c: vm, owner, created, renewed, seen, address). */
static int
add_ref(struct volume *v, size_t *cap, const PGresult *res, int r, int c)
{
	struct volume_ref *ref;

	if (v->nrefs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct volume_ref *nr = realloc(v->refs, ncap * sizeof(*nr));

		if (nr == NULL)
			return -1;
		v->refs = nr;
		*cap = ncap;
	}
	ref = &v->refs[v->nrefs++];
	pg_copy(res, r, c, ref->vm_uuid, sizeof(ref->vm_uuid));
	pg_copy(res, r, c + 1, ref->owner_uuid, sizeof(ref->owner_uuid));
	ref->created_ms = pg_int(res, r, c + 2);
	ref->renewed_ms = pg_int(res, r, c + 3);
	ref->holder_seen_ms = pg_int(res, r, c + 4);
	pg_copy(res, r, c + 5, ref->holder_address,
	    sizeof(ref->holder_address));
	return 0;
}

/* Fill refs (with their holder's host record) and the snapshot count. */
static int
load_extras(struct pg *st, struct volume *v, struct tnfs_err *err)
{
	PGresult *res;
	size_t cap = 0;
	int i, rc = -1;

	res = pg_query(st,
	    "SELECT r.vm_uuid, r.owner_uuid, r.created_ms, r.renewed_ms,"
	    " h.heartbeat_ms, h.address,"
	    " (SELECT count(*) FROM snapshots WHERE volume_uuid = $1)"
	    " FROM (SELECT 1) one LEFT JOIN refs r ON r.volume_uuid = $1"
	    " LEFT JOIN hosts h ON h.owner_uuid = r.owner_uuid AND"
	    " h.uuid = r.vm_uuid ORDER BY r.created_ms, r.vm_uuid",
	    ARGS(TEXT(v->uuid)), "refs", NULL, err);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		v->nsnapshots = (size_t)pg_int(res, i, 6);
		if (PQgetisnull(res, i, 0))
			continue; /* no references: the one empty row */
		if (add_ref(v, &cap, res, i, 0) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
pg_volume_get(
    void *impl, const char *uuid, struct volume **out, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct volume *v = NULL;
	PGresult *res;
	int rc = -1;

	*out = NULL;
	pg_lock(st);
	res = pg_query(st,
	    st->depth > 0
		? "SELECT " VOLUME_COLS " FROM volumes WHERE uuid = $1"
		  " FOR UPDATE"
		: "SELECT " VOLUME_COLS " FROM volumes WHERE uuid = $1",
	    ARGS(TEXT(uuid)), "get volume", NULL, err);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found", uuid);
		goto out;
	}
	if ((v = row_volume(res, 0, 0, err)) == NULL)
		goto out;
	if (load_extras(st, v, err) == -1)
		goto out;
	*out = v;
	v = NULL;
	rc = 0;
out:
	volume_free(v);
	PQclear(res);
	pg_unlock(st);
	return rc;
}

#define LIST_COUNTS                                                            \
	", (SELECT count(*) FROM snapshots sn"                                 \
	" WHERE sn.volume_uuid = volumes.uuid),"                               \
	" (SELECT count(*) FROM refs rf WHERE rf.volume_uuid = volumes.uuid)"

static int
cmp_volume_uuid(const void *a, const void *b)
{
	return strcmp((*(struct volume *const *)a)->uuid,
	    (*(struct volume *const *)b)->uuid);
}

static int
cmp_key_volume(const void *key, const void *elt)
{
	return strcmp(key, (*(struct volume *const *)elt)->uuid);
}

/* "head where tail" in one allocation, or NULL. */
static char *
join3(const char *head, const char *mid, const char *tail)
{
	size_t len = strlen(head) + strlen(mid) + strlen(tail) + 1;
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, "%s%s%s", head, mid, tail);
	return s;
}

/*
 * The references of every volume the list found, in one query over the
 * same WHERE clause, attached by uuid (vs[0..n) sorted by uuid).
 */
static int
load_list_refs(struct pg *st, const struct pg_where *w, struct volume **vs,
    size_t n, struct tnfs_err *err)
{
	struct volume **hit = NULL;
	PGresult *res = NULL;
	size_t cap = 0;
	char *sql;
	int rc = -1, i;

	sql = join3("SELECT r.volume_uuid, r.vm_uuid, r.owner_uuid,"
		    " r.created_ms, r.renewed_ms, h.heartbeat_ms, h.address"
		    " FROM refs r LEFT JOIN hosts h ON h.owner_uuid ="
		    " r.owner_uuid AND h.uuid = r.vm_uuid WHERE r.volume_uuid"
		    " IN (SELECT uuid FROM volumes WHERE ",
	    w->sql, ") ORDER BY r.volume_uuid, r.created_ms, r.vm_uuid");
	if (sql == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	res = pg_query(st, sql, w->args, w->nargs, "list references", NULL, err);
	if (res == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		const char *vu = PQgetvalue(res, i, 0);

		if (hit == NULL || strcmp((*hit)->uuid, vu) != 0) {
			hit = bsearch(vu, vs, n, sizeof(*vs), cmp_key_volume);
			cap = hit != NULL ? (*hit)->nrefs : 0;
		}
		if (hit != NULL && add_ref(*hit, &cap, res, i, 1) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	free(sql);
	return rc;
}

/*
 * One query for the volumes (their counts in it), one more for their
 * references when any has some: never a statement per row.
 */
int
pg_volume_list(void *impl, const struct volume_filter *f, struct volume ***out,
    size_t *n, struct tnfs_err *err)
{
	struct pg *st = impl;
	struct pg_where w;
	struct volume **vs = NULL, **byuuid = NULL, *v;
	size_t cnt = 0, withrefs = 0, i;
	PGresult *res = NULL;
	char *sql = NULL;
	int rc = -1, brief, r, nrows;

	*out = NULL;
	*n = 0;
	if (pg_where_build(f, &w, err) == -1)
		return -1;
	/* A filter C finishes needs the references a brief list leaves out. */
	brief = f != NULL && f->brief && w.exact;
	sql = join3(brief ? "SELECT " VOLUME_COLS ", 0, 0 FROM volumes WHERE "
			  : "SELECT " VOLUME_COLS LIST_COUNTS
			    " FROM volumes WHERE ",
	    w.sql, " ORDER BY create_ms, uuid");
	if (sql == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out_unlocked;
	}
	pg_lock(st);
	if ((res = pg_query(st, sql, w.args, w.nargs, "list volumes", NULL,
		 err)) == NULL)
		goto out;
	nrows = PQntuples(res);
	if (nrows > 0 && (vs = calloc((size_t)nrows, sizeof(*vs))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	for (r = 0; r < nrows; r++) {
		if ((v = row_volume(res, r, brief, err)) == NULL)
			goto out;
		vs[cnt++] = v;
		v->nsnapshots = (size_t)pg_int(res, r, 16);
		withrefs += pg_int(res, r, 17) > 0;
	}
	PQclear(res);
	res = NULL;
	if (withrefs > 0) {
		if ((byuuid = malloc(cnt * sizeof(*byuuid))) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		memcpy(byuuid, vs, cnt * sizeof(*byuuid));
		qsort(byuuid, cnt, sizeof(*byuuid), cmp_volume_uuid);
		if (load_list_refs(st, &w, byuuid, cnt, err) == -1)
			goto out;
	}
	pg_unlock(st);
	if (!w.exact) {
		/* Keep the matches in place, in their order; free the rest. */
		size_t k = 0;

		for (i = 0; i < cnt; i++) {
			if (volume_filter_match(f, vs[i]))
				vs[k++] = vs[i];
			else
				volume_free(vs[i]);
		}
		cnt = k;
	}
	*out = vs;
	*n = cnt;
	vs = NULL;
	cnt = 0;
	rc = 0;
	goto out_unlocked;
out:
	PQclear(res);
	pg_unlock(st);
out_unlocked:
	volume_list_free(vs, cnt);
	free(byuuid);
	free(sql);
	pg_where_free(&w);
	return rc;
}

int
pg_volume_set_state(void *impl, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err)
{
	int r = pg_run(impl,
	    "UPDATE volumes SET state = $1, error = $2, updated_ms = $3,"
	    " exported = CASE WHEN $1 IN ('failed','deleting') THEN 0"
	    "  ELSE exported END"
	    " WHERE uuid = $4 AND ($5::text IS NULL OR state = $5)",
	    ARGS(TEXT(to), TEXT(error), INT(tnfs_now_ms()), TEXT(uuid),
		TEXT(from)),
	    "set state", err);

	if (r == CONFLICT) {
		/* Leaving failed for creating may collide on the name. */
		tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
		    "Volume with uuid %s: its name is taken", uuid);
		return -1;
	}
	return sql_moved(r);
}

int
pg_volume_set_served(void *impl, const char *uuid, int serving,
    const char *error, struct tnfs_err *err)
{
	return sql_moved(pg_run(impl,
	    "UPDATE volumes SET state = $1, error = $2, updated_ms = $3"
	    " WHERE uuid = $4 AND state = $5 AND exported = 1",
	    ARGS(TEXT(serving ? "ready" : "failed"), TEXT(error),
		INT(tnfs_now_ms()), TEXT(uuid),
		TEXT(serving ? "failed" : "ready")),
	    "set served", err));
}

int
pg_volume_set_ready(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err)
{
	return sql_moved(pg_run(impl,
	    "UPDATE volumes SET state = 'ready', error = NULL,"
	    " filesystem_path = $1, nfs_port = $2, mount_port = $3,"
	    " updated_ms = $4 WHERE uuid = $5 AND state = 'creating'",
	    ARGS(TEXT(filesystem_path), INT(nfs_port), INT(mount_port),
		INT(tnfs_now_ms()), TEXT(uuid)),
	    "set ready", err));
}

int
pg_volume_move(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err)
{
	return sql_moved(pg_run(impl,
	    "UPDATE volumes SET filesystem_path = $1, nfs_port = $2,"
	    " mount_port = $3, updated_ms = $4 WHERE uuid = $5 AND exported = 1"
	    " AND state IN ('ready', 'failed')",
	    ARGS(TEXT(filesystem_path), INT(nfs_port), INT(mount_port),
		INT(tnfs_now_ms()), TEXT(uuid)),
	    "move", err));
}

int
pg_volume_set_exported(
    void *impl, const char *uuid, int exported, struct tnfs_err *err)
{
	return pg_run(impl, "UPDATE volumes SET exported = $1 WHERE uuid = $2",
		   ARGS(INT(exported), TEXT(uuid)), "set exported", err) < 0
	    ? -1
	    : 0;
}

int
pg_volume_rename(
    void *impl, const char *uuid, const char *name, struct tnfs_err *err)
{
	int r = pg_run(impl,
	    "UPDATE volumes SET name = $1, updated_ms = $2 WHERE uuid = $3",
	    ARGS(TEXT(name), INT(tnfs_now_ms()), TEXT(uuid)), "rename", err);

	if (r == CONFLICT)
		tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
		    "Volume with name %s already exists", name);
	return r < 0 ? -1 : 0;
}

int
pg_volume_set_size(
    void *impl, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	return pg_run(impl,
		   "UPDATE volumes SET size = $1, updated_ms = $2 WHERE uuid = $3",
		   ARGS(INT(size), INT(tnfs_now_ms()), TEXT(uuid)), "set size",
		   err) < 0
	    ? -1
	    : 0;
}

int
pg_volume_delete(void *impl, const char *uuid, struct tnfs_err *err)
{
	return pg_run(impl, "DELETE FROM volumes WHERE uuid = $1",
		   ARGS(TEXT(uuid)), "delete volume", err) < 0
	    ? -1
	    : 0;
}
