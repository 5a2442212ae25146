/*
 * predicate.c: krill predicates as VOLAPI validates them
 * (lib/validation/predicate.js), evaluated in memory against volume
 * records.  Messages follow krill's where the reference gives them:
 * field "X" is not defined; expected "number", but got "string".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "predicate.h"
#include "uuid.h"

#define PRED_MAX_DEPTH 16

enum pred_op { P_TRUE, P_AND, P_OR, P_EQ, P_NE, P_LT, P_LE, P_GT, P_GE };
enum field_type { F_STRING, F_NUMBER, F_BOOLEAN };

static const struct {
	const char *name;
	enum field_type type;
} fields[] = {
    {"dangling", F_BOOLEAN},
    {"name", F_STRING},
    {"network", F_STRING},
    {"size", F_NUMBER},
    {"state", F_STRING},
    {"type", F_STRING},
    {"uuid", F_STRING},
};

static const char *const opnames[] = {[P_AND] = "and",
    [P_OR] = "or",
    [P_EQ] = "eq",
    [P_NE] = "ne",
    [P_LT] = "lt",
    [P_LE] = "le",
    [P_GT] = "gt",
    [P_GE] = "ge"};

struct predicate {
	enum pred_op op;
	struct predicate **kids; /* and, or */
	size_t nkids;
	char field[16];
	enum field_type type;
	char *str;
	int64_t num;
	int boolean;
};

void
predicate_free(struct predicate *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nkids; i++)
		predicate_free(p->kids[i]);
	free(p->kids);
	free(p->str);
	free(p);
}

static const char *
type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return "string";
	case json_type_int:
	case json_type_double:
		return "number";
	case json_type_boolean:
		return "boolean";
	case json_type_array:
		return "array";
	case json_type_object:
		return "object";
	default:
		return "null";
	}
}

static int
check_value(struct predicate *p, json_object *v, struct causes *c)
{
	static const char *const tnames[] = {"string", "number", "boolean"};
	const char *s;

	if ((p->type == F_STRING &&
		!json_object_is_type(v, json_type_string)) ||
	    (p->type == F_NUMBER && !json_object_is_type(v, json_type_int)) ||
	    (p->type == F_BOOLEAN &&
		!json_object_is_type(v, json_type_boolean))) {
		causes_add(c, "expected \"%s\", but got \"%s\"",
		    tnames[p->type],
		    json_object_is_type(v, json_type_double) ? "float"
							     : type_name(v));
		return -1;
	}
	if (p->type == F_NUMBER) {
		p->num = json_object_get_int64(v);
		if (p->num <= 0) {
			causes_add(c,
			    "Volume size: \"%lld\" is not a valid volume size. "
			    "Size must be a number > 0",
			    (long long)p->num);
			return -1;
		}
		return 0;
	}
	if (p->type == F_BOOLEAN) {
		p->boolean = json_object_get_boolean(v);
		return 0;
	}
	s = json_object_get_string(v);
	if (strcmp(p->field, "name") == 0 && !valid_volume_name(s, c))
		return -1;
	if (strcmp(p->field, "state") == 0 && !valid_state(s)) {
		causes_add(c, "Volume state: %.100s is invalid", s);
		return -1;
	}
	if (strcmp(p->field, "type") == 0 && strcmp(s, "tritonnfs") != 0) {
		causes_add(c, "Volume type: %.100s is not supported", s);
		return -1;
	}
	if ((strcmp(p->field, "uuid") == 0 ||
		strcmp(p->field, "network") == 0) &&
	    !tnfs_uuid_valid(s)) {
		causes_add(c, "%.100s is not a valid %s UUID", s,
		    strcmp(p->field, "uuid") == 0 ? "uuid" : "network");
		return -1;
	}
	if ((p->str = strdup(s)) == NULL) {
		causes_add(c, "out of memory");
		return -1;
	}
	return 0;
}

static struct predicate *
build(json_object *o, struct causes *c)
{
	struct predicate *p;
	json_object *arg = NULL, *f;
	const char *opname = NULL;
	size_t i;
	int op;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		causes_add(c, "out of memory");
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		causes_add(
		    c, "predicate must be an object, not %s", type_name(o));
		goto fail;
	}
	if (json_object_object_length(o) == 0) {
		p->op = P_TRUE;
		return p;
	}
	if (json_object_object_length(o) != 1) {
		causes_add(c, "predicate must have exactly one operator");
		goto fail;
	}
	json_object_object_foreach(o, key, val)
	{
		opname = key;
		arg = val;
	}
	for (op = P_AND; op <= P_GE; op++)
		if (strcmp(opnames[op], opname) == 0)
			break;
	if (op > P_GE) {
		causes_add(c, "unknown predicate operator \"%.64s\"", opname);
		goto fail;
	}
	p->op = (enum pred_op)op;
	if (!json_object_is_type(arg, json_type_array)) {
		causes_add(c, "predicate \"%s\" needs an array", opname);
		goto fail;
	}
	if (op == P_AND || op == P_OR) {
		size_t n = json_object_array_length(arg);

		if (n < 2) {
			causes_add(c,
			    "predicate \"%s\" needs at least 2 sub-predicates",
			    opname);
			goto fail;
		}
		if ((p->kids = calloc(n, sizeof(*p->kids))) == NULL) {
			causes_add(c, "out of memory");
			goto fail;
		}
		for (i = 0; i < n; i++) {
			p->kids[i] =
			    build(json_object_array_get_idx(arg, i), c);
			if (p->kids[i] == NULL)
				goto fail;
			p->nkids++;
		}
		return p;
	}
	if (json_object_array_length(arg) != 2 ||
	    !json_object_is_type(
		(f = json_object_array_get_idx(arg, 0)), json_type_string)) {
		causes_add(c, "predicate \"%s\" needs [field, value]", opname);
		goto fail;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, json_object_get_string(f)) == 0)
			break;
	if (i == sizeof(fields) / sizeof(fields[0])) {
		causes_add(c, "field \"%.64s\" is not defined",
		    json_object_get_string(f));
		goto fail;
	}
	snprintf(p->field, sizeof(p->field), "%s", fields[i].name);
	p->type = fields[i].type;
	if (op >= P_LT && p->type != F_NUMBER) {
		causes_add(c,
		    "predicate \"%s\" applies to numbers only, and field "
		    "\"%s\" is not one",
		    opname, p->field);
		goto fail;
	}
	if (check_value(p, json_object_array_get_idx(arg, 1), c) == -1)
		goto fail;
	return p;
fail:
	predicate_free(p);
	return NULL;
}

struct predicate *
predicate_parse(const char *text, struct causes *c)
{
	struct tnfs_err err;
	json_object *o;
	struct predicate *p;

	if ((o = jsonx_parse(text, strlen(text), PRED_MAX_DEPTH, &err)) ==
	    NULL) {
		causes_add(c, "predicate is not valid JSON: %.200s", err.msg);
		return NULL;
	}
	p = build(o, c);
	json_object_put(o);
	return p;
}

int
predicate_uses(const struct predicate *p, const char *field)
{
	size_t i;

	if (p == NULL)
		return 0;
	if (p->op == P_AND || p->op == P_OR) {
		for (i = 0; i < p->nkids; i++)
			if (predicate_uses(p->kids[i], field))
				return 1;
		return 0;
	}
	return p->op != P_TRUE && strcmp(p->field, field) == 0;
}

static int
live_refs(const struct volume *v, const struct ref_clock *clk)
{
	size_t i;
	int n = 0;

	for (i = 0; i < v->nrefs; i++)
		n += volume_ref_live(&v->refs[i], clk);
	return n;
}

int
predicate_match(const struct predicate *p, const struct volume *v,
    const struct ref_clock *clk)
{
	const char *s = NULL;
	size_t i;
	int eq;

	switch (p->op) {
	case P_TRUE:
		return 1;
	case P_AND:
		for (i = 0; i < p->nkids; i++)
			if (!predicate_match(p->kids[i], v, clk))
				return 0;
		return 1;
	case P_OR:
		for (i = 0; i < p->nkids; i++)
			if (predicate_match(p->kids[i], v, clk))
				return 1;
		return 0;
	default:
		break;
	}
	if (p->type == F_NUMBER) {
		int64_t x = (int64_t)v->size;

		switch (p->op) {
		case P_EQ:
			return x == p->num;
		case P_NE:
			return x != p->num;
		case P_LT:
			return x < p->num;
		case P_LE:
			return x <= p->num;
		case P_GT:
			return x > p->num;
		case P_GE:
			return x >= p->num;
		default:
			return 0;
		}
	}
	if (p->type == F_BOOLEAN) /* dangling: no live reference */
		eq = (live_refs(v, clk) == 0) == p->boolean;
	else if (strcmp(p->field, "network") == 0)
		eq = volume_has_network(v, p->str);
	else {
		if (strcmp(p->field, "name") == 0)
			s = v->name;
		else if (strcmp(p->field, "state") == 0)
			s = v->state;
		else if (strcmp(p->field, "type") == 0)
			s = v->type;
		else
			s = v->uuid;
		eq = strcmp(s, p->str) == 0;
	}
	return p->op == P_EQ ? eq : !eq;
}

int
name_pattern_check(const char *pattern, struct causes *c)
{
	size_t len = strlen(pattern), i, start = 0, end = len;

	if (len > 0 && pattern[0] == '*')
		start = 1;
	if (end > start && pattern[end - 1] == '*')
		end--;
	if (end <= start || len > 258)
		goto bad;
	for (i = start; i < end; i++) {
		char ch = pattern[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
			ch == '-'))
			goto bad;
	}
	return 0;
bad:
	causes_add(c, "invalid value for name search parameter");
	return -1;
}

int
name_pattern_match(const char *pattern, const char *name)
{
	size_t plen = strlen(pattern), nlen = strlen(name), clen;
	int lead = plen > 0 && pattern[0] == '*';
	int trail = plen > (size_t)lead && pattern[plen - 1] == '*';
	const char *core = pattern + lead;

	clen = plen - (size_t)lead - (size_t)trail;
	if (lead && trail) {
		/* substring: memmem on a bounded core */
		size_t i;

		for (i = 0; i + clen <= nlen; i++)
			if (strncmp(name + i, core, clen) == 0)
				return 1;
		return 0;
	}
	if (lead)
		return nlen >= clen &&
		    strncmp(name + nlen - clen, core, clen) == 0;
	if (trail)
		return nlen >= clen && strncmp(name, core, clen) == 0;
	return strcmp(name, pattern) == 0;
}

const char *
predicate_op(const struct predicate *p)
{
	return p->op == P_TRUE ? "true" : opnames[p->op];
}

size_t
predicate_nkids(const struct predicate *p)
{
	return p->nkids;
}

const struct predicate *
predicate_kid(const struct predicate *p, size_t i)
{
	return i < p->nkids ? p->kids[i] : NULL;
}

const char *
predicate_field(const struct predicate *p)
{
	return p->op == P_TRUE || p->op == P_AND || p->op == P_OR ? NULL
								  : p->field;
}

const char *
predicate_text(const struct predicate *p)
{
	return p->str;
}

int64_t
predicate_number(const struct predicate *p)
{
	return p->num;
}

int
predicate_boolean(const struct predicate *p)
{
	return p->boolean;
}
