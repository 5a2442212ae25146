/*
 * store_sql_volumes.c: volume records on either record store: insert, get
 * and list (with their references and snapshot count), and the guarded
 * updates.
 *
 * On PostgreSQL, a volume read inside a transaction is locked FOR UPDATE
 * until the transaction ends: every transaction of the VAPI that decides
 * on a volume (add a reference, delete, rename, snapshot) reads it first,
 * so two instances deciding on one volume take turns, as two threads of
 * one SQLite store do on its connection's lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sql.h"
#include "timefmt.h"

int
sql_volume_insert(void *impl, const struct volume *v, struct tnfs_err *err)
{
	char *nets = volume_networks_text(v), *labels = volume_labels_text(v);
	struct tnfs_err e;
	int r = -1;

	tnfs_err_clear(&e);
	if (nets == NULL || labels == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	r = sql_run(impl,
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
		/* The uuid (SQLite's words, then PostgreSQL's) or the name. */
		if (strstr(e.msg, "volumes.uuid") != NULL ||
		    strstr(e.msg, "volumes_pkey") != NULL)
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

/* The volume of the current row; NULL with err.  brief: no labels. */
static struct volume *
row_volume(void *db, struct sql_rows *rows, int brief, struct tnfs_err *err)
{
	const char *nets = sql_text(db, rows, 7);
	const char *labels = sql_text(db, rows, 8);
	struct volume *v;

	if ((v = volume_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	sql_copy(db, rows, 0, v->uuid, sizeof(v->uuid));
	sql_copy(db, rows, 1, v->owner_uuid, sizeof(v->owner_uuid));
	v->name = sql_dup(db, rows, 2);
	sql_copy(db, rows, 3, v->type, sizeof(v->type));
	v->size = (uint64_t)sql_int(db, rows, 4);
	sql_copy(db, rows, 5, v->state, sizeof(v->state));
	v->create_ms = sql_int(db, rows, 6);
	v->affinity = sql_dup(db, rows, 9);
	sql_copy(db, rows, 10, v->vm_uuid, sizeof(v->vm_uuid));
	v->filesystem_path = sql_dup(db, rows, 11);
	v->nfs_port = (int)sql_int(db, rows, 12);
	v->mount_port = (int)sql_int(db, rows, 13);
	v->error = sql_dup(db, rows, 14);
	v->exported = (int)sql_int(db, rows, 15);
	if (v->name == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		volume_free(v);
		return NULL;
	}
	if (volume_networks_parse(v, nets != NULL ? nets : "[]", err) == -1 ||
	    (!brief &&
		volume_labels_parse(v, labels != NULL ? labels : "{}", err) ==
		    -1)) {
		volume_free(v);
		return NULL;
	}
	return v;
}

/*
 * Append the current row's reference to v (columns from c: vm, owner,
 * created, renewed, holder seen, holder address); -1 out of memory.
 */
static int
add_ref(void *db, struct sql_rows *rows, int c, struct volume *v, size_t *cap)
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
	sql_copy(db, rows, c, ref->vm_uuid, sizeof(ref->vm_uuid));
	sql_copy(db, rows, c + 1, ref->owner_uuid, sizeof(ref->owner_uuid));
	ref->created_ms = sql_int(db, rows, c + 2);
	ref->renewed_ms = sql_int(db, rows, c + 3);
	ref->holder_seen_ms = sql_int(db, rows, c + 4);
	sql_copy(
	    db, rows, c + 5, ref->holder_address, sizeof(ref->holder_address));
	return 0;
}

/*
 * Fill refs (with their holder's host record) and the snapshot count.
 * PostgreSQL answers both in one query (a round trip saved; a volume
 * without references gives one row of NULLs); SQLite, in process, runs
 * two simpler ones faster.
 */
#define REFS_COLS                                                              \
	"SELECT r.vm_uuid, r.owner_uuid, r.created_ms, r.renewed_ms,"          \
	" h.heartbeat_ms, h.address"
#define REFS_ORDER " ORDER BY r.created_ms, r.vm_uuid"

static int
load_extras(void *db, struct volume *v, struct tnfs_err *err)
{
	int pg = sql_dialect_of(db) == SQL_POSTGRESQL;
	struct sql_rows rows;
	size_t cap = 0;
	int64_t nsnap;
	int r;

	if (sql_query(db,
		pg ? REFS_COLS ", (SELECT count(*) FROM snapshots WHERE"
			       " volume_uuid = $1) FROM (SELECT 1) one LEFT JOIN"
			       " refs r ON r.volume_uuid = $1 LEFT JOIN hosts h"
			       " ON h.owner_uuid = r.owner_uuid AND"
			       " h.uuid = r.vm_uuid" REFS_ORDER
		   : REFS_COLS " FROM refs r LEFT JOIN hosts h ON h.owner_uuid"
			       " = r.owner_uuid AND h.uuid = r.vm_uuid WHERE"
			       " r.volume_uuid = $1" REFS_ORDER,
		ARGS(TEXT(v->uuid)), "refs", &rows, err) == -1)
		return -1;
	while ((r = sql_next(db, &rows, "refs", err)) == 1) {
		if (pg)
			v->nsnapshots = (size_t)sql_int(db, &rows, 6);
		if (sql_text(db, &rows, 0) == NULL)
			continue; /* no references: the one empty row */
		if (add_ref(db, &rows, 0, v, &cap) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			r = -1;
			break;
		}
	}
	sql_close(db, &rows);
	if (r == -1 || pg)
		return r == -1 ? -1 : 0;
	if (sql_int_of(db, "SELECT count(*) FROM snapshots WHERE volume_uuid = $1",
		ARGS(TEXT(v->uuid)), "snapshots", &nsnap, err) == -1)
		return -1;
	v->nsnapshots = (size_t)nsnap;
	return 0;
}

#define GET_VOLUME "SELECT " VOLUME_COLS " FROM volumes WHERE uuid = $1"

int
sql_volume_get(
    void *impl, const char *uuid, struct volume **out, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct sql_rows rows;
	int rc = -1, r;

	*out = NULL;
	sql_lock(impl);
	if (sql_query(impl,
		sql_dialect_of(impl) == SQL_POSTGRESQL && sql_in_tx(impl)
		    ? GET_VOLUME " FOR UPDATE"
		    : GET_VOLUME,
		ARGS(TEXT(uuid)), "get volume", &rows, err) == -1)
		goto out;
	if ((r = sql_next(impl, &rows, "get volume", err)) == 0)
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found", uuid);
	else if (r == 1)
		v = row_volume(impl, &rows, 0, err);
	sql_close(impl, &rows);
	if (v == NULL || load_extras(impl, v, err) == -1)
		goto out;
	*out = v;
	v = NULL;
	rc = 0;
out:
	volume_free(v);
	sql_unlock(impl);
	return rc;
}

/* The list's counts: snapshots and references, by the primary keys. */
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

/* The four strings end to end in one allocation, or NULL. */
static char *
join4(const char *a, const char *b, const char *c, const char *d)
{
	size_t len = strlen(a) + strlen(b) + strlen(c) + strlen(d) + 1;
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, "%s%s%s%s", a, b, c, d);
	return s;
}

/*
 * The references of every volume the list found, in one query over the
 * same WHERE clause (and page: the list's ORDER BY and LIMIT, or ""),
 * attached by uuid (vs[0..n) sorted by uuid).
 */
static int
load_list_refs(void *db, const struct sql_where *w, const char *page,
    struct volume **vs, size_t n, struct tnfs_err *err)
{
	struct volume **hit = NULL;
	struct sql_rows rows;
	size_t cap = 0;
	char *sql;
	int r;

	sql = join4("SELECT r.volume_uuid, r.vm_uuid, r.owner_uuid,"
		    " r.created_ms, r.renewed_ms, h.heartbeat_ms, h.address"
		    " FROM refs r LEFT JOIN hosts h ON h.owner_uuid ="
		    " r.owner_uuid AND h.uuid = r.vm_uuid WHERE r.volume_uuid"
		    " IN (SELECT uuid FROM volumes WHERE ",
	    w->sql, page, ") ORDER BY r.volume_uuid, r.created_ms, r.vm_uuid");
	if (sql == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	if (sql_query(db, sql, w->args, w->nargs, "list references", &rows,
		err) == -1) {
		free(sql);
		return -1;
	}
	while ((r = sql_next(db, &rows, "list references", err)) == 1) {
		const char *vu = sql_text(db, &rows, 0);

		if (vu == NULL)
			continue;
		if (hit == NULL || strcmp((*hit)->uuid, vu) != 0) {
			hit = bsearch(vu, vs, n, sizeof(*vs), cmp_key_volume);
			cap = hit != NULL ? (*hit)->nrefs : 0;
		}
		if (hit != NULL && add_ref(db, &rows, 1, *hit, &cap) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			r = -1;
			break;
		}
	}
	sql_close(db, &rows);
	free(sql);
	return r == -1 ? -1 : 0;
}

/* Append v to (*vs)[*cnt], growing the array; -1 out of memory. */
static int
push_volume(struct volume ***vs, size_t *cnt, size_t *cap, struct volume *v)
{
	if (*cnt == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct volume **nv = realloc(*vs, ncap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		*vs = nv;
		*cap = ncap;
	}
	(*vs)[(*cnt)++] = v;
	return 0;
}

/*
 * The volumes a filter's WHERE finds, in the order order says, with their
 * counts (*withrefs: how many have references), under the lock.
 */
static int
list_rows(void *db, const struct sql_where *w, const char *order, int brief,
    int brief_refs, struct volume ***vs, size_t *cnt, size_t *withrefs,
    struct tnfs_err *err)
{
	struct sql_rows rows;
	struct volume *v;
	size_t cap = 0;
	const char *head;
	char *sql;
	int r;

	/*
	 * A brief list with references counts every row as having some, so
	 * that one query loads them all: cheaper than a count per row.
	 */
	if (!brief)
		head = "SELECT " VOLUME_COLS LIST_COUNTS " FROM volumes WHERE ";
	else if (brief_refs)
		head = "SELECT " VOLUME_COLS ", 0, 1 FROM volumes WHERE ";
	else
		head = "SELECT " VOLUME_COLS ", 0, 0 FROM volumes WHERE ";
	sql = join4(head, w->sql, order, "");
	if (sql == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	if (sql_query(db, sql, w->args, w->nargs, "list volumes", &rows, err) ==
	    -1) {
		free(sql);
		return -1;
	}
	while ((r = sql_next(db, &rows, "list volumes", err)) == 1) {
		if ((v = row_volume(db, &rows, brief, err)) == NULL) {
			r = -1;
			break;
		}
		if (push_volume(vs, cnt, &cap, v) == -1) {
			volume_free(v);
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			r = -1;
			break;
		}
		v->nsnapshots = (size_t)sql_int(db, &rows, 16);
		*withrefs += sql_int(db, &rows, 17) > 0;
	}
	sql_close(db, &rows);
	free(sql);
	return r == -1 ? -1 : 0;
}

/*
 * A whole list comes in creation order.  SQLite's planner would walk an
 * owner's whole creation-order index to save a sort when the name index
 * finds the one row asked for: "+create_ms" hides that index from it.  A
 * page comes in uuid order, so that the next one starts after a uuid
 * whether or not that volume still exists; its LIMIT goes to SQL only
 * when SQL decides the whole filter (page: that LIMIT, or "").
 */
static void
list_order(void *db, const struct volume_filter *f, const struct sql_where *w,
    char *order, size_t olen, char *page, size_t plen)
{
	size_t limit = f != NULL ? f->limit : 0;

	page[0] = '\0';
	if (limit == 0) {
		snprintf(order, olen, "%s",
		    sql_dialect_of(db) == SQL_SQLITE
			? " ORDER BY +create_ms, uuid"
			: " ORDER BY create_ms, uuid");
		return;
	}
	if (w->exact)
		snprintf(page, plen, " ORDER BY uuid LIMIT %zu", limit);
	snprintf(order, olen, "%s", w->exact ? page : " ORDER BY uuid");
}

/*
 * One query for the volumes (their counts in it), one more for their
 * references when any has some: never a statement per row.
 */
int
sql_volume_list(void *impl, const struct volume_filter *f, struct volume ***out,
    size_t *n, struct tnfs_err *err)
{
	struct sql_where w;
	struct volume **vs = NULL, **byuuid = NULL;
	size_t cnt = 0, withrefs = 0, i, k;
	char order[64], page[64];
	int rc = -1, brief;

	*out = NULL;
	*n = 0;
	if (sql_where_build(sql_dialect_of(impl), f, &w, err) == -1)
		return -1;
	/* A filter C finishes needs the references a brief list leaves out. */
	brief = f != NULL && f->brief && w.exact;
	list_order(impl, f, &w, order, sizeof(order), page, sizeof(page));
	sql_lock(impl);
	if (list_rows(impl, &w, order, brief, brief && f->brief_refs, &vs,
		&cnt, &withrefs, err) == -1)
		goto out;
	if (withrefs > 0) {
		if ((byuuid = malloc(cnt * sizeof(*byuuid))) == NULL) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
		memcpy(byuuid, vs, cnt * sizeof(*byuuid));
		qsort(byuuid, cnt, sizeof(*byuuid), cmp_volume_uuid);
		if (load_list_refs(impl, &w, page, byuuid, cnt, err) == -1)
			goto out;
	}
	if (!w.exact) {
		/*
		 * Keep the matches in place, in their order, up to a page's
		 * limit; free the rest.
		 */
		for (i = k = 0; i < cnt; i++) {
			if ((f->limit == 0 || k < f->limit) &&
			    volume_filter_match(f, vs[i]))
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
out:
	sql_unlock(impl);
	volume_list_free(vs, cnt);
	free(byuuid);
	sql_where_free(&w);
	return rc;
}

int
sql_volume_set_state(void *impl, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err)
{
	int r = sql_run(impl,
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
sql_volume_set_served(void *impl, const char *uuid, int serving,
    const char *error, struct tnfs_err *err)
{
	return sql_moved(sql_run(impl,
	    "UPDATE volumes SET state = $1, error = $2, updated_ms = $3"
	    " WHERE uuid = $4 AND state = $5 AND exported = 1",
	    ARGS(TEXT(serving ? "ready" : "failed"), TEXT(error),
		INT(tnfs_now_ms()), TEXT(uuid),
		TEXT(serving ? "failed" : "ready")),
	    "set served", err));
}

int
sql_volume_set_ready(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err)
{
	return sql_moved(sql_run(impl,
	    "UPDATE volumes SET state = 'ready', error = NULL,"
	    " filesystem_path = $1, nfs_port = $2, mount_port = $3,"
	    " updated_ms = $4 WHERE uuid = $5 AND state = 'creating'",
	    ARGS(TEXT(filesystem_path), INT(nfs_port), INT(mount_port),
		INT(tnfs_now_ms()), TEXT(uuid)),
	    "set ready", err));
}

int
sql_volume_move(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err)
{
	return sql_moved(sql_run(impl,
	    "UPDATE volumes SET filesystem_path = $1, nfs_port = $2,"
	    " mount_port = $3, updated_ms = $4 WHERE uuid = $5 AND exported = 1"
	    " AND state IN ('ready', 'failed')",
	    ARGS(TEXT(filesystem_path), INT(nfs_port), INT(mount_port),
		INT(tnfs_now_ms()), TEXT(uuid)),
	    "move", err));
}

int
sql_volume_set_exported(
    void *impl, const char *uuid, int exported, struct tnfs_err *err)
{
	return sql_run(impl, "UPDATE volumes SET exported = $1 WHERE uuid = $2",
		   ARGS(INT(exported), TEXT(uuid)), "set exported", err) < 0
	    ? -1
	    : 0;
}

int
sql_volume_rename(
    void *impl, const char *uuid, const char *name, struct tnfs_err *err)
{
	int r = sql_run(impl,
	    "UPDATE volumes SET name = $1, updated_ms = $2 WHERE uuid = $3",
	    ARGS(TEXT(name), INT(tnfs_now_ms()), TEXT(uuid)), "rename", err);

	if (r == CONFLICT)
		tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
		    "Volume with name %s already exists", name);
	return r < 0 ? -1 : 0;
}

int
sql_volume_set_size(
    void *impl, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	return sql_run(impl,
		   "UPDATE volumes SET size = $1, updated_ms = $2 WHERE uuid = "
		   "$3",
		   ARGS(INT(size), INT(tnfs_now_ms()), TEXT(uuid)), "set size",
		   err) < 0
	    ? -1
	    : 0;
}

int
sql_volume_delete(void *impl, const char *uuid, struct tnfs_err *err)
{
	return sql_run(impl, "DELETE FROM volumes WHERE uuid = $1",
		   ARGS(TEXT(uuid)), "delete volume", err) < 0
	    ? -1
	    : 0;
}
