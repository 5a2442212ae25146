/*
 * store_sqlite_volumes.c: volume records on SQLite: insert, get and list
 * (with their references and snapshot count), and the guarded updates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "timefmt.h"

int
sq_volume_insert(void *impl, const struct volume *v, struct tnfs_err *err)
{
	char *nets = volume_networks_text(v), *labels = volume_labels_text(v);
	struct tnfs_err e;
	int r = -1;

	tnfs_err_clear(&e);
	if (nets == NULL || labels == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	r = sq_run(impl,
	    "INSERT INTO volumes (uuid, owner_uuid, name, type, size,"
	    " state, create_ms, networks, labels, affinity, vm_uuid,"
	    " filesystem_path, nfs_port, mount_port, error, exported,"
	    " updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    ARGS(TEXT(v->uuid), TEXT(v->owner_uuid), TEXT(v->name),
		TEXT(v->type), INT(v->size), TEXT(v->state), INT(v->create_ms),
		TEXT(nets), TEXT(labels), TEXT(v->affinity),
		TEXT(v->vm_uuid[0] != '\0' ? v->vm_uuid : NULL),
		TEXT(v->filesystem_path), INT(v->nfs_port), INT(v->mount_port),
		TEXT(v->error), INT(v->exported), INT(tnfs_now_ms())),
	    "insert volume", &e);
	if (r == CONFLICT) {
		/* The uuid or the (owner, name) index said no. */
		if (strstr(e.msg, "volumes.uuid") != NULL)
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

/*
 * The volume of the current row; NULL with err when it cannot be read.
 * brief: labels are left empty.
 */
static struct volume *
row_volume(sqlite3_stmt *s, int brief, struct tnfs_err *err)
{
	const char *nets = (const char *)sqlite3_column_text(s, 7);
	const char *labels = (const char *)sqlite3_column_text(s, 8);
	struct volume *v;

	if ((v = volume_new()) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	sq_col_copy(s, 0, v->uuid, sizeof(v->uuid));
	sq_col_copy(s, 1, v->owner_uuid, sizeof(v->owner_uuid));
	v->name = sq_col_dup(s, 2);
	sq_col_copy(s, 3, v->type, sizeof(v->type));
	v->size = (uint64_t)sqlite3_column_int64(s, 4);
	sq_col_copy(s, 5, v->state, sizeof(v->state));
	v->create_ms = sqlite3_column_int64(s, 6);
	v->affinity = sq_col_dup(s, 9);
	sq_col_copy(s, 10, v->vm_uuid, sizeof(v->vm_uuid));
	v->filesystem_path = sq_col_dup(s, 11);
	v->nfs_port = sqlite3_column_int(s, 12);
	v->mount_port = sqlite3_column_int(s, 13);
	v->error = sq_col_dup(s, 14);
	v->exported = sqlite3_column_int(s, 15);
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

/* Fill refs (with their holder's host record) and the snapshot count. */
static int
load_extras(struct sq *st, struct volume *v, struct tnfs_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = -1, r;

	if ((s = sq_prep(st,
		 "SELECT r.vm_uuid, r.owner_uuid, r.created_ms, r.renewed_ms,"
		 " h.heartbeat_ms, h.address FROM refs r LEFT JOIN hosts h"
		 " ON h.owner_uuid = r.owner_uuid AND h.uuid = r.vm_uuid"
		 " WHERE r.volume_uuid = ? ORDER BY r.created_ms, r.vm_uuid",
		 err)) == NULL)
		goto out;
	sq_bind_text(s, 1, v->uuid);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (v->nrefs == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct volume_ref *nr =
			    realloc(v->refs, ncap * sizeof(*nr));

			if (nr == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			v->refs = nr;
			cap = ncap;
		}
		sq_col_copy(s, 0, v->refs[v->nrefs].vm_uuid, TNFS_UUID_BUFSZ);
		sq_col_copy(
		    s, 1, v->refs[v->nrefs].owner_uuid, TNFS_UUID_BUFSZ);
		v->refs[v->nrefs].created_ms = sqlite3_column_int64(s, 2);
		v->refs[v->nrefs].renewed_ms = sqlite3_column_int64(s, 3);
		v->refs[v->nrefs].holder_seen_ms = sqlite3_column_int64(s, 4);
		sq_col_copy(s, 5, v->refs[v->nrefs].holder_address,
		    sizeof(v->refs[0].holder_address));
		v->nrefs++;
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "refs");
		goto out;
	}
	sq_done(st, s);
	if ((s = sq_prep(st,
		 "SELECT count(*) FROM snapshots WHERE volume_uuid = ?",
		 err)) == NULL)
		goto out;
	sq_bind_text(s, 1, v->uuid);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sq_db_err(st, err, "snapshots");
		goto out;
	}
	v->nsnapshots = (size_t)sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sq_done(st, s);
	return rc;
}

int
sq_volume_get(
    void *impl, const char *uuid, struct volume **out, struct tnfs_err *err)
{
	struct sq *st = impl;
	struct volume *v = NULL;
	sqlite3_stmt *s;
	int rc = -1, r;

	*out = NULL;
	sq_lock(st);
	if ((s = sq_prep(st,
		 "SELECT " VOLUME_COLS " FROM volumes WHERE uuid = ?", err)) ==
	    NULL)
		goto out;
	sq_bind_text(s, 1, uuid);
	if ((r = sqlite3_step(s)) == SQLITE_DONE) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found", uuid);
		goto out;
	}
	if (r != SQLITE_ROW) {
		sq_db_err(st, err, "get volume");
		goto out;
	}
	if ((v = row_volume(s, 0, err)) == NULL)
		goto out;
	if (load_extras(st, v, err) == -1)
		goto out;
	*out = v;
	v = NULL;
	rc = 0;
out:
	volume_free(v);
	sq_done(st, s);
	sq_unlock(st);
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

static int
add_ref(struct volume *v, size_t *cap, sqlite3_stmt *s)
{
	struct volume_ref *r;

	if (v->nrefs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct volume_ref *nr = realloc(v->refs, ncap * sizeof(*nr));

		if (nr == NULL)
			return -1;
		v->refs = nr;
		*cap = ncap;
	}
	r = &v->refs[v->nrefs++];
	sq_col_copy(s, 1, r->vm_uuid, sizeof(r->vm_uuid));
	sq_col_copy(s, 2, r->owner_uuid, sizeof(r->owner_uuid));
	r->created_ms = sqlite3_column_int64(s, 3);
	r->renewed_ms = sqlite3_column_int64(s, 4);
	r->holder_seen_ms = sqlite3_column_int64(s, 5);
	sq_col_copy(s, 6, r->holder_address, sizeof(r->holder_address));
	return 0;
}

/*
 * The references of every volume the list found, in one query over the
 * same WHERE clause, attached by uuid (vs[0..n) sorted by uuid).
 */
static int
load_list_refs(struct sq *st, const struct sq_where *w, struct volume **vs,
    size_t n, struct tnfs_err *err)
{
	static const char head[] =
	    "SELECT r.volume_uuid, r.vm_uuid, r.owner_uuid, r.created_ms,"
	    " r.renewed_ms, h.heartbeat_ms, h.address FROM refs r"
	    " LEFT JOIN hosts h ON h.owner_uuid = r.owner_uuid AND"
	    " h.uuid = r.vm_uuid WHERE r.volume_uuid IN"
	    " (SELECT uuid FROM volumes WHERE ";
	static const char tail[] =
	    ") ORDER BY r.volume_uuid, r.created_ms, r.vm_uuid";
	struct volume **hit = NULL;
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	char *sql;
	int rc = -1, r;

	if ((sql = malloc(sizeof(head) + w->len + sizeof(tail))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	snprintf(sql, sizeof(head) + w->len + sizeof(tail), "%s%s%s", head,
	    w->sql, tail);
	if ((s = sq_prep(st, sql, err)) == NULL)
		goto out;
	sq_bind_args(s, w->args, w->nargs);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *vu = (const char *)sqlite3_column_text(s, 0);

		if (vu == NULL)
			continue;
		if (hit == NULL || strcmp((*hit)->uuid, vu) != 0) {
			hit = bsearch(vu, vs, n, sizeof(*vs), cmp_key_volume);
			cap = hit != NULL ? (*hit)->nrefs : 0;
		}
		if (hit != NULL && add_ref(*hit, &cap, s) == -1) {
			tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list references");
		goto out;
	}
	rc = 0;
out:
	sq_done(st, s);
	free(sql);
	return rc;
}

/*
 * One query for the volumes (their counts in it), one more for their
 * references when any has some: never a statement per row.  "+create_ms"
 * keeps the planner from walking an owner's whole creation-order index to
 * save a sort when the name index finds the one row asked for.
 */
int
sq_volume_list(void *impl, const struct volume_filter *f, struct volume ***out,
    size_t *n, struct tnfs_err *err)
{
	static const char head[] =
	    "SELECT " VOLUME_COLS LIST_COUNTS " FROM volumes WHERE ";
	static const char brief_head[] =
	    "SELECT " VOLUME_COLS ", 0, 0 FROM volumes WHERE ";
	static const char tail[] = " ORDER BY +create_ms, uuid";
	struct sq *st = impl;
	struct sq_where w;
	struct volume **vs = NULL, **byuuid = NULL, *v;
	size_t cnt = 0, cap = 0, withrefs = 0, len, i;
	sqlite3_stmt *s = NULL;
	char *sql = NULL;
	int rc = -1, r, brief;

	*out = NULL;
	*n = 0;
	if (sq_where_build(f, &w, err) == -1)
		return -1;
	/* A filter C finishes needs the references a brief list leaves out. */
	brief = f != NULL && f->brief && w.exact;
	len = sizeof(head) + w.len + sizeof(tail);
	if ((sql = malloc(len)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out_unlocked;
	}
	snprintf(sql, len, "%s%s%s", brief ? brief_head : head, w.sql, tail);
	sq_lock(st);
	if ((s = sq_prep(st, sql, err)) == NULL)
		goto out;
	sq_bind_args(s, w.args, w.nargs);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct volume **nv = realloc(vs, ncap * sizeof(*nv));

			if (nv == NULL) {
				tnfs_err_set(
				    err, TNFS_E_INTERNAL, "out of memory");
				goto out;
			}
			vs = nv;
			cap = ncap;
		}
		if ((v = row_volume(s, brief, err)) == NULL)
			goto out;
		vs[cnt++] = v;
		v->nsnapshots = (size_t)sqlite3_column_int64(s, 16);
		withrefs += sqlite3_column_int64(s, 17) > 0;
	}
	if (r != SQLITE_DONE) {
		sq_db_err(st, err, "list volumes");
		goto out;
	}
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
	sq_done(st, s);
	s = NULL;
	sq_unlock(st);
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
	sq_done(st, s);
	sq_unlock(st);
out_unlocked:
	volume_list_free(vs, cnt);
	free(byuuid);
	free(sql);
	sq_where_free(&w);
	return rc;
}

int
sq_volume_set_state(void *impl, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "UPDATE volumes SET state = ?1, error = ?2, updated_ms = ?3,"
	    " exported = CASE WHEN ?1 IN ('failed','deleting') THEN 0"
	    "  ELSE exported END"
	    " WHERE uuid = ?4 AND (?5 IS NULL OR state = ?5)",
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
sq_volume_set_served(void *impl, const char *uuid, int serving,
    const char *error, struct tnfs_err *err)
{
	return sql_moved(sq_run(impl,
	    "UPDATE volumes SET state = ?1, error = ?2, updated_ms = ?3"
	    " WHERE uuid = ?4 AND state = ?5 AND exported = 1",
	    ARGS(TEXT(serving ? "ready" : "failed"), TEXT(error),
		INT(tnfs_now_ms()), TEXT(uuid),
		TEXT(serving ? "failed" : "ready")),
	    "set served", err));
}

int
sq_volume_set_ready(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err)
{
	return sql_moved(sq_run(impl,
	    "UPDATE volumes SET state = 'ready', error = NULL,"
	    " filesystem_path = ?, nfs_port = ?, mount_port = ?,"
	    " updated_ms = ? WHERE uuid = ? AND state = 'creating'",
	    ARGS(TEXT(filesystem_path), INT(nfs_port), INT(mount_port),
		INT(tnfs_now_ms()), TEXT(uuid)),
	    "set ready", err));
}

int
sq_volume_move(void *impl, const char *uuid, const char *filesystem_path,
    int nfs_port, int mount_port, struct tnfs_err *err)
{
	return sql_moved(sq_run(impl,
	    "UPDATE volumes SET filesystem_path = ?, nfs_port = ?,"
	    " mount_port = ?, updated_ms = ? WHERE uuid = ? AND exported = 1"
	    " AND state IN ('ready', 'failed')",
	    ARGS(TEXT(filesystem_path), INT(nfs_port), INT(mount_port),
		INT(tnfs_now_ms()), TEXT(uuid)),
	    "move", err));
}

int
sq_volume_set_exported(
    void *impl, const char *uuid, int exported, struct tnfs_err *err)
{
	return sq_run(impl, "UPDATE volumes SET exported = ? WHERE uuid = ?",
		   ARGS(INT(exported), TEXT(uuid)), "set exported", err) < 0
	    ? -1
	    : 0;
}

int
sq_volume_rename(
    void *impl, const char *uuid, const char *name, struct tnfs_err *err)
{
	int r = sq_run(impl,
	    "UPDATE volumes SET name = ?, updated_ms = ? WHERE uuid = ?",
	    ARGS(TEXT(name), INT(tnfs_now_ms()), TEXT(uuid)), "rename", err);

	if (r == CONFLICT)
		tnfs_err_set(err, TNFS_E_ALREADY_EXISTS,
		    "Volume with name %s already exists", name);
	return r < 0 ? -1 : 0;
}

int
sq_volume_set_size(
    void *impl, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	return sq_run(impl,
		   "UPDATE volumes SET size = ?, updated_ms = ? WHERE uuid = ?",
		   ARGS(INT(size), INT(tnfs_now_ms()), TEXT(uuid)), "set size",
		   err) < 0
	    ? -1
	    : 0;
}

int
sq_volume_delete(void *impl, const char *uuid, struct tnfs_err *err)
{
	return sq_run(impl, "DELETE FROM volumes WHERE uuid = ?",
		   ARGS(TEXT(uuid)), "delete volume", err) < 0
	    ? -1
	    : 0;
}
