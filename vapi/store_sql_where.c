/*
 * store_sql_where.c: a ListVolumes filter (store.h) as a WHERE clause with
 * bound parameters ($1, $2, ...), so that the database answers from its
 * indexes instead of the VAPI reading every row of an owner.  Names,
 * states, types, sizes, owners and uuids become comparisons; networks are
 * searched in their JSON text by their quoted uuid; "dangling" and a vm's
 * reference become EXISTS over refs.  A name pattern becomes = or, by
 * dialect, GLOB (SQLite: its characters are letters, digits and "_.-",
 * none of them special to GLOB, and GLOB is case-sensitive like the match
 * in predicate.c) or LIKE with its literal part escaped (PostgreSQL: "_"
 * is a LIKE wildcard, hence the escaping; LIKE on COLLATE "C" columns is
 * case- and byte-exact).
 *
 * What cannot be said in SQL leaves w->exact at 0: the caller then also
 * runs volume_filter_match on each row.  Column names and operators come
 * from the tables below only; every value is a bound parameter.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predicate.h"
#include "store_sql.h"

static const struct {
	const char *field;
	const char *column;
} text_fields[] = {
    {"name", "name"},
    {"state", "state"},
    {"type", "type"},
    {"uuid", "uuid"},
};

static const struct {
	const char *op;
	const char *sql;
} cmp_ops[] = {
    {"eq", "="},
    {"ne", "<>"},
    {"lt", "<"},
    {"le", "<="},
    {"gt", ">"},
    {"ge", ">="},
};

static void
add_sql(struct sql_where *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_sql(struct sql_where *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (w->len + (size_t)n + 1 > w->cap) {
		size_t ncap = w->cap ? w->cap : 256;
		char *ns;

		while (ncap < w->len + (size_t)n + 1)
			ncap *= 2;
		if ((ns = realloc(w->sql, ncap)) == NULL) {
			w->oom = 1;
			return;
		}
		w->sql = ns;
		w->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(w->sql + w->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	w->len += (size_t)n;
}

/* A parameter: "$k" into the SQL, its value into args. */
static void
param(struct sql_where *w, int is_int, const char *text, int64_t num)
{
	if (w->oom)
		return;
	if (w->nargs == w->acap) {
		size_t ncap = w->acap ? w->acap * 2 : 8;
		struct arg *na = realloc(w->args, ncap * sizeof(*na));

		if (na == NULL) {
			w->oom = 1;
			return;
		}
		w->args = na;
		w->acap = ncap;
	}
	w->args[w->nargs].is_int = is_int;
	w->args[w->nargs].text = text;
	w->args[w->nargs].num = num;
	w->nargs++;
	add_sql(w, "$%zu", w->nargs);
}

static void
add_and(struct sql_where *w)
{
	if (w->len > 0)
		add_sql(w, " AND ");
}

static void
text_eq(struct sql_where *w, const char *column, const char *value)
{
	add_and(w);
	add_sql(w, "%s = ", column);
	param(w, 0, value, 0);
}

/* A string the clause owns (freed with it), or NULL when out of memory. */
static char *
own(struct sql_where *w, size_t len)
{
	char **no, *s;

	if (w->oom)
		return NULL;
	if ((no = realloc(w->owned, (w->nowned + 1) * sizeof(*no))) == NULL) {
		w->oom = 1;
		return NULL;
	}
	w->owned = no;
	if ((s = malloc(len)) == NULL) {
		w->oom = 1;
		return NULL;
	}
	w->owned[w->nowned++] = s;
	return s;
}

/* 0 when pattern became SQL, -1 when only C can match it. */
static int
name_pattern(struct sql_where *w, const char *pattern)
{
	size_t len = strlen(pattern), i, k = 0;
	size_t start = len > 0 && pattern[0] == '*';
	size_t end = len > start && pattern[len - 1] == '*' ? len - 1 : len;
	char *like;

	for (i = start; i < end; i++)
		if (strchr("*?[]", pattern[i]) != NULL)
			return -1;
	if (start == 0 && end == len) {
		text_eq(w, "name", pattern);
		return 0;
	}
	if (w->dialect == SQL_SQLITE) {
		add_and(w);
		add_sql(w, "name GLOB ");
		param(w, 0, pattern, 0);
		return 0;
	}
	if ((like = own(w, 2 * len + 3)) == NULL)
		return 0; /* oom is reported by the caller */
	if (start)
		like[k++] = '%';
	for (i = start; i < end; i++) {
		if (strchr("%_\\", pattern[i]) != NULL)
			like[k++] = '\\';
		like[k++] = pattern[i];
	}
	if (end < len)
		like[k++] = '%';
	like[k] = '\0';
	add_and(w);
	add_sql(w, "name LIKE ");
	param(w, 0, like, 0);
	return 0;
}

/* A live reference's condition on r (hosts.h), lease and heartbeat. */
static void
ref_holds(struct sql_where *w, const struct volume_filter *f)
{
	add_sql(w, " AND r.renewed_ms >= ");
	param(w, 1, NULL, f->live_after_ms);
	add_sql(w,
	    " AND EXISTS (SELECT 1 FROM hosts h WHERE"
	    " h.owner_uuid = r.owner_uuid AND h.uuid = r.vm_uuid AND"
	    " h.heartbeat_ms >= ");
	param(w, 1, NULL, f->host_after_ms);
	add_sql(w, "))");
}

/* The predicate p as one SQL expression; -1 when SQL cannot say it. */
static int
pred_sql(struct sql_where *w, const struct predicate *p,
    const struct volume_filter *f)
{
	const char *op = predicate_op(p), *field;
	size_t i, k;

	if (strcmp(op, "true") == 0) {
		add_sql(w, "true");
		return 0;
	}
	if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
		add_sql(w, "(");
		for (i = 0; i < predicate_nkids(p); i++) {
			if (i > 0)
				add_sql(w, " %s ", op[0] == 'a' ? "AND" : "OR");
			if (pred_sql(w, predicate_kid(p, i), f) == -1)
				return -1;
		}
		add_sql(w, ")");
		return 0;
	}
	field = predicate_field(p);
	for (i = 0; i < sizeof(cmp_ops) / sizeof(cmp_ops[0]); i++)
		if (strcmp(cmp_ops[i].op, op) == 0)
			break;
	if (field == NULL || i == sizeof(cmp_ops) / sizeof(cmp_ops[0]))
		return -1;
	if (strcmp(field, "size") == 0) {
		add_sql(w, "size %s ", cmp_ops[i].sql);
		param(w, 1, NULL, predicate_number(p));
		return 0;
	}
	if (i > 1) /* lt, le, gt, ge: numbers only */
		return -1;
	if (strcmp(field, "dangling") == 0) {
		/* dangling == no live reference */
		int dangling = (i == 0) == (predicate_boolean(p) != 0);

		add_sql(w,
		    "%sEXISTS (SELECT 1 FROM refs r WHERE"
		    " r.volume_uuid = volumes.uuid",
		    dangling ? "NOT " : "");
		ref_holds(w, f);
		return 0;
	}
	if (predicate_text(p) == NULL)
		return -1;
	if (strcmp(field, "network") == 0) {
		/* networks is ["u1","u2"]; a valid uuid quoted is unambiguous */
		add_sql(w, "%s(networks, '\"' || ",
		    w->dialect == SQL_SQLITE ? "instr" : "strpos");
		param(w, 0, predicate_text(p), 0);
		add_sql(w, " || '\"') %s 0", i == 0 ? ">" : "=");
		return 0;
	}
	for (k = 0; k < sizeof(text_fields) / sizeof(text_fields[0]); k++)
		if (strcmp(text_fields[k].field, field) == 0) {
			add_sql(
			    w, "%s %s ", text_fields[k].column, cmp_ops[i].sql);
			param(w, 0, predicate_text(p), 0);
			return 0;
		}
	return -1;
}

int
sql_where_build(enum sql_dialect dialect, const struct volume_filter *f,
    struct sql_where *w, struct tnfs_err *err)
{
	size_t mark, nmark;

	memset(w, 0, sizeof(*w));
	w->dialect = dialect;
	w->exact = 1;
	if (f != NULL) {
		if (f->owner_uuid != NULL)
			text_eq(w, "owner_uuid", f->owner_uuid);
		if (f->after_uuid != NULL) {
			add_and(w);
			add_sql(w, "uuid > ");
			param(w, 0, f->after_uuid, 0);
		}
		if (f->state != NULL)
			text_eq(w, "state", f->state);
		if (f->type != NULL)
			text_eq(w, "type", f->type);
		if (f->size != 0) {
			add_and(w);
			add_sql(w, "size = ");
			param(w, 1, NULL, (int64_t)f->size);
		}
		if (f->exported_only) {
			add_and(w);
			add_sql(w, "exported = 1");
		}
		if (f->name != NULL && name_pattern(w, f->name) == -1)
			w->exact = 0;
		if (f->ref_vm != NULL) {
			add_and(w);
			add_sql(w,
			    "EXISTS (SELECT 1 FROM refs r WHERE"
			    " r.volume_uuid = volumes.uuid AND"
			    " r.vm_uuid = ");
			param(w, 0, f->ref_vm, 0);
			ref_holds(w, f);
		}
		if (f->pred != NULL) {
			mark = w->len;
			nmark = w->nargs;
			add_and(w);
			if (pred_sql(w, f->pred, f) == -1) {
				/* Drop what was written of it; C decides. */
				w->len = mark;
				if (w->sql != NULL)
					w->sql[mark] = '\0';
				w->nargs = nmark;
				w->exact = 0;
			}
		}
	}
	if (w->len == 0)
		add_sql(w, "true");
	if (w->oom) {
		sql_where_free(w);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

void
sql_where_free(struct sql_where *w)
{
	size_t i;

	for (i = 0; i < w->nowned; i++)
		free(w->owned[i]);
	free(w->owned);
	free(w->sql);
	free(w->args);
	memset(w, 0, sizeof(*w));
}
