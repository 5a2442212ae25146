/*
 * predicate.c: krill predicates as Triton's VOLAPI validates them
 * (lib/validation/predicate.js over krill 1.0.1), evaluated in memory
 * against volume records.
 *
 * Validation runs in VOLAPI's phases, each with its messages word for
 * word: JSON.parse ("Could not parse JSON predicate <text>: <V8's
 * message>"); krill's syntax check, then its type check, each stopping at
 * the first error ("predicate <util.inspect form>: ..."), krill's quirks
 * included; then VOLAPI's value checks, which report every bad value
 * ("Invalid values in predicate: Error: ...,Error: ...").
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsfmt.h"
#include "jsonx.h"
#include "predicate_impl.h"
#include "uuid.h"

#define PRED_MAX_DEPTH 16
/* Sizes are whole MiB far below this: a bound past it compares the same. */
#define SIZE_BOUND_MAX 4611686018427387904.0 /* 2^62 */

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
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const opnames[] = {[P_AND] = "and",
    [P_OR] = "or",
    [P_EQ] = "eq",
    [P_NE] = "ne",
    [P_LT] = "lt",
    [P_LE] = "le",
    [P_GT] = "gt",
    [P_GE] = "ge"};

static const char *const tnames[] = {"string", "number", "boolean"};

/*
 * Object.prototype's members, with String() of each: krill looks its
 * operators and VOLAPI's field types up with `in`, so these names pass
 * the lookups and fail later, in their own ways.
 */
static const struct {
	const char *name;
	const char *text;
} inherited[] = {
    {"__defineGetter__", "function __defineGetter__() { [native code] }"},
    {"__defineSetter__", "function __defineSetter__() { [native code] }"},
    {"__lookupGetter__", "function __lookupGetter__() { [native code] }"},
    {"__lookupSetter__", "function __lookupSetter__() { [native code] }"},
    {"__proto__", "[object Object]"},
    {"constructor", "function Object() { [native code] }"},
    {"hasOwnProperty", "function hasOwnProperty() { [native code] }"},
    {"isPrototypeOf", "function isPrototypeOf() { [native code] }"},
    {"propertyIsEnumerable",
	"function propertyIsEnumerable() { [native code] }"},
    {"toLocaleString", "function toLocaleString() { [native code] }"},
    {"toString", "function toString() { [native code] }"},
    {"valueOf", "function valueOf() { [native code] }"},
};

void
predicate_free(struct predicate *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nkids; i++)
		predicate_free(p->kids[i]);
	free(p->kids);
	free(p->str);
	free(p);
}

/* --- JavaScript's view of a JSON value --- */

static const char *
js_typeof(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return "string";
	case json_type_int:
	case json_type_double:
		return "number";
	case json_type_boolean:
		return "boolean";
	default:
		return "object"; /* null, arrays and objects */
	}
}

static int
js_object(json_object *v) /* v instanceof Object */
{
	return json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array);
}

static int
js_falsy(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_int:
	case json_type_double:
		return jsfmt_value(v) == 0;
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	default:
		return 0;
	}
}

/* The keys a for-in loop visits: object keys, or array indices. */
static size_t
js_nkeys(json_object *v)
{
	return json_object_is_type(v, json_type_array)
	    ? json_object_array_length(v)
	    : (size_t)json_object_object_length(v);
}

/* An object's one key (the caller checked there is exactly one). */
static const char *
js_key(json_object *v, json_object **val, char *idx, size_t idxlen)
{
	const char *k = NULL;

	if (json_object_is_type(v, json_type_array)) {
		snprintf(idx, idxlen, "0");
		*val = json_object_array_get_idx(v, 0);
		return idx;
	}
	json_object_object_foreach(v, key, value)
	{
		k = key;
		*val = value;
	}
	return k;
}

static const char *
inherited_text(const char *name)
{
	for (size_t i = 0; i < sizeof(inherited) / sizeof(inherited[0]); i++)
		if (strcmp(inherited[i].name, name) == 0)
			return inherited[i].text;
	return NULL;
}

static int
op_index(const char *name)
{
	for (int op = P_AND; op <= P_GE; op++)
		if (strcmp(opnames[op], name) == 0)
			return op;
	return -1;
}

static int
field_index(const char *name)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A krill error: "VError: predicate <inspect>: <what>". */
static int krill_fail(struct causes *c, json_object *pred, int quoted,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
krill_fail(
    struct causes *c, json_object *pred, int quoted, const char *fmt, ...)
{
	char what[600];
	char *shown = jsfmt_inspect(pred);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (shown == NULL)
		causes_add(c, "out of memory");
	else
		causes_add_as(c, "VError",
		    quoted ? "predicate \"%s\": %s" : "predicate %s: %s", shown,
		    what);
	free(shown);
	return -1;
}

/* --- krill's syntax check (krillPrimValidateSyntax) --- */

static int krill_syntax(json_object *pred, struct causes *c);

static int
krill_rel(json_object *pred, const char *key, json_object *arg,
    struct causes *c)
{
	json_object *field, *constant;
	const char *t;

	if (js_falsy(arg))
		return krill_fail(c, pred, 0, "missing key \"%s\"", key);
	if (!json_object_is_type(arg, json_type_array))
		return krill_fail(
		    c, pred, 0, "operator \"%s\": expected array", key);
	if (json_object_array_length(arg) != 2)
		return krill_fail(c, pred, 0,
		    "\"%s\" array must have 2 elements", key);
	field = json_object_array_get_idx(arg, 0);
	constant = json_object_array_get_idx(arg, 1);
	/* krill names the operator here, not the field */
	if (!json_object_is_type(field, json_type_string))
		return krill_fail(
		    c, pred, 0, "field \"%s\" is not a string", key);
	t = js_typeof(constant);
	if (strcmp(t, "object") == 0)
		return krill_fail(c, pred, 0,
		    "field \"%s\" is not a string, number, or boolean",
		    json_object_get_string(field));
	return 0;
}

static int
krill_log(
    json_object *pred, const char *key, json_object *arg, struct causes *c)
{
	size_t i;

	if (js_falsy(arg))
		return krill_fail(c, pred, 0,
		    "expected \"%s\" in logical expression", key);
	if (!json_object_is_type(arg, json_type_array))
		return krill_fail(
		    c, pred, 0, "operator \"%s\": expected array", key);
	if (json_object_array_length(arg) < 2)
		return krill_fail(c, pred, 0,
		    "operator \"%s\": expected at least 2 elements in array",
		    key);
	for (i = 0; i < json_object_array_length(arg); i++)
		if (krill_syntax(json_object_array_get_idx(arg, i), c) == -1)
			return -1;
	return 0;
}

static int
krill_syntax(json_object *pred, struct causes *c)
{
	json_object *arg = NULL;
	const char *key;
	char idx[4], count[24];
	size_t n;
	int op;

	if (!js_object(pred))
		return krill_fail(c, pred, 0, "must be an object");
	if ((n = js_nkeys(pred)) == 0)
		return 0; /* trivial: matches everything */
	if (n > 1) {
		snprintf(count, sizeof(count), "%zu", n);
		return krill_fail(c, pred, 1,
		    "expected one key, but found %s", count);
	}
	key = js_key(pred, &arg, idx, sizeof(idx));
	if (inherited_text(key) != NULL) {
		/* `key in krillOps` holds, krillOps[key].validate does not */
		causes_add_as(c, "TypeError",
		    "krillOps[key].validate is not a function");
		return -1;
	}
	if ((op = op_index(key)) == -1)
		return krill_fail(
		    c, pred, 0, "unknown operator \"%s\"", key);
	return op == P_AND || op == P_OR ? krill_log(pred, key, arg, c)
					 : krill_rel(pred, key, arg, c);
}

/* --- krill's type check (krillPrimValidateTypes), and the leaves --- */

struct leaf {
	int field;
	json_object *value;
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
};

static int
leaf_add(struct leaves *l, int field, json_object *value, struct causes *c)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		struct leaf *nv = realloc(l->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			causes_add(c, "out of memory");
			return -1;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n].field = field;
	l->v[l->n].value = value;
	l->n++;
	return 0;
}

/* Walks a predicate that passed krill_syntax, collecting its leaves. */
static int
krill_types(json_object *pred, struct leaves *l, struct causes *c)
{
	json_object *arg = NULL, *constant;
	const char *key, *field, *actual, *inh;
	char idx[4], *shown;
	size_t i;
	int op, f;

	if (js_nkeys(pred) == 0)
		return 0;
	key = js_key(pred, &arg, idx, sizeof(idx));
	op = op_index(key);
	if (op == P_AND || op == P_OR) {
		for (i = 0; i < json_object_array_length(arg); i++)
			if (krill_types(json_object_array_get_idx(arg, i), l,
				c) == -1)
				return -1;
		return 0;
	}
	field = json_object_get_string(json_object_array_get_idx(arg, 0));
	constant = json_object_array_get_idx(arg, 1);
	actual = js_typeof(constant);
	if (op >= P_LT && strcmp(actual, "number") != 0)
		return krill_fail(c, pred, 0,
		    "operator \"%s\" cannot be applied to fields of type "
		    "\"%s\"",
		    key, actual);
	f = field_index(field);
	inh = f == -1 ? inherited_text(field) : NULL;
	if (f == -1 && inh == NULL)
		return krill_fail(
		    c, pred, 0, "field \"%s\" is not defined", field);
	if (f == -1 || strcmp(tnames[fields[f].type], actual) != 0) {
		int rc;

		if ((shown = jsfmt_inspect(constant)) == NULL) {
			causes_add(c, "out of memory");
			return -1;
		}
		rc = krill_fail(c, pred, 0,
		    "field \"%s\" value (\"%.200s\") expected \"%s\", but "
		    "got \"%s\"",
		    field, shown, f == -1 ? inh : tnames[fields[f].type],
		    actual);
		free(shown);
		return rc;
	}
	return leaf_add(l, f, constant, c);
}

/* --- VOLAPI's value checks (validatePredicate) --- */

/* One value's errors, as VOLAPI's validate functions find them. */
static void
value_errors(int f, json_object *v, struct causes *one)
{
	const char *s = json_object_get_string(v);
	const char *name = fields[f].name;
	char num[40];

	if (strcmp(name, "name") == 0)
		valid_volume_name(s, one);
	else if (strcmp(name, "network") == 0 && !tnfs_uuid_valid(s))
		causes_add(one, "%.100s is not a valid volume network UUID", s);
	else if (strcmp(name, "uuid") == 0 && !tnfs_uuid_valid(s))
		causes_add(one, "%.100s is not a valid uuid UUID", s);
	else if (strcmp(name, "state") == 0 && !valid_state(s))
		causes_add(one, "Volume state: %.100s is invalid", s);
	else if (strcmp(name, "type") == 0 && strcmp(s, "tritonnfs") != 0)
		causes_add(one, "Volume type: %.100s is not supported", s);
	else if (strcmp(name, "size") == 0 && !(jsfmt_value(v) > 0)) {
		jsfmt_number(jsfmt_value(v), num, sizeof(num));
		causes_add(one,
		    "Volume size: \"%s\" is not a valid volume size. Size "
		    "must be a number > 0",
		    num);
	}
}

/*
 * Every bad value, field by field in the order fields first appear
 * (krill's fieldsAndValues), as one cause: VOLAPI concatenates the Error
 * array, which Array#toString joins with "," where causes use ", ".
 */
static int
check_values(const struct leaves *l, struct causes *c)
{
	struct causes one;
	size_t i, j;

	causes_init_sep(&one, ",");
	for (i = 0; i < l->n; i++) {
		for (j = 0; j < i && l->v[j].field != l->v[i].field; j++)
			;
		if (j < i)
			continue; /* this field's values are done */
		for (j = i; j < l->n; j++)
			if (l->v[j].field == l->v[i].field)
				value_errors(l->v[j].field, l->v[j].value, &one);
	}
	if (one.n == 0)
		return 0;
	causes_add(c, "Invalid values in predicate: %s", one.text);
	return -1;
}

/* --- the tree --- */

static struct predicate *
node(enum pred_op op, const char *field, struct causes *c)
{
	struct predicate *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		causes_add(c, "out of memory");
		return NULL;
	}
	p->op = op;
	if (field != NULL) {
		int f = field_index(field);

		snprintf(p->field, sizeof(p->field), "%s", field);
		p->type = fields[f].type;
	}
	return p;
}

static struct predicate *
pair(enum pred_op op, struct predicate *a, struct predicate *b,
    struct causes *c)
{
	struct predicate *p = a && b ? node(op, NULL, c) : NULL;

	if (p == NULL || (p->kids = calloc(2, sizeof(*p->kids))) == NULL) {
		if (p != NULL)
			causes_add(c, "out of memory");
		predicate_free(a);
		predicate_free(b);
		free(p);
		return NULL;
	}
	p->kids[0] = a;
	p->kids[1] = b;
	p->nkids = 2;
	return p;
}

static struct predicate *
size_node(enum pred_op op, double bound, struct causes *c)
{
	struct predicate *p = node(op, "size", c);

	if (p != NULL)
		p->num = (int64_t)bound;
	return p;
}

/*
 * A size compared with x.  Sizes are whole MiB, so a fractional x is
 * compared as the whole bounds around it: size == 10.5 is 10 < size < 11
 * (nothing), size < 10.5 is size < 11; every store compiles whole numbers.
 */
static struct predicate *
size_leaf(enum pred_op op, double x, struct causes *c)
{
	double lo, hi;

	if (x > SIZE_BOUND_MAX)
		x = SIZE_BOUND_MAX;
	lo = floor(x);
	hi = ceil(x);
	if (lo == hi)
		return size_node(op, x, c);
	switch (op) {
	case P_EQ:
		return pair(P_AND, size_node(P_GT, lo, c),
		    size_node(P_LT, hi, c), c);
	case P_NE:
		return pair(P_OR, size_node(P_LE, lo, c),
		    size_node(P_GE, hi, c), c);
	case P_LT:
	case P_GE:
		return size_node(op, hi, c);
	default: /* le, gt */
		return size_node(op, lo, c);
	}
}

/* Builds a predicate that passed every check above. */
static struct predicate *
build(json_object *pred, struct causes *c)
{
	json_object *arg = NULL, *value;
	struct predicate *p;
	const char *key, *field;
	char idx[4];
	size_t i, n;
	int op;

	if (js_nkeys(pred) == 0)
		return node(P_TRUE, NULL, c);
	key = js_key(pred, &arg, idx, sizeof(idx));
	op = op_index(key);
	if (op == P_AND || op == P_OR) {
		n = json_object_array_length(arg);
		if ((p = node((enum pred_op)op, NULL, c)) == NULL)
			return NULL;
		if ((p->kids = calloc(n, sizeof(*p->kids))) == NULL) {
			causes_add(c, "out of memory");
			free(p);
			return NULL;
		}
		for (i = 0; i < n; i++) {
			p->kids[i] = build(json_object_array_get_idx(arg, i), c);
			if (p->kids[i] == NULL) {
				predicate_free(p);
				return NULL;
			}
			p->nkids++;
		}
		return p;
	}
	field = json_object_get_string(json_object_array_get_idx(arg, 0));
	value = json_object_array_get_idx(arg, 1);
	if (strcmp(field, "size") == 0)
		return size_leaf((enum pred_op)op, jsfmt_value(value), c);
	if ((p = node((enum pred_op)op, field, c)) == NULL)
		return NULL;
	if (p->type == F_BOOLEAN)
		p->boolean = json_object_get_boolean(value);
	else if ((p->str = strdup(json_object_get_string(value))) == NULL) {
		causes_add(c, "out of memory");
		predicate_free(p);
		return NULL;
	}
	return p;
}

struct predicate *
predicate_parse(const char *text, struct causes *c)
{
	struct leaves l = {0};
	struct predicate *p = NULL;
	struct tnfs_err err;
	json_object *o;
	char why[200];

	if (jsfmt_json_error(text, strlen(text), why, sizeof(why)) == -1) {
		causes_add_as(c, "VError", "Could not parse JSON predicate %s: %s",
		    text, why);
		return NULL;
	}
	tnfs_err_clear(&err);
	o = jsonx_parse(text, strlen(text), PRED_MAX_DEPTH, &err);
	if (o == NULL && err.code[0] != '\0') { /* NULL alone is JSON null */
		causes_add_as(c, "VError", "Could not parse JSON predicate %s: %s",
		    text, err.msg);
		return NULL;
	}
	if (krill_syntax(o, c) == 0 && krill_types(o, &l, c) == 0 &&
	    check_values(&l, c) == 0)
		p = build(o, c);
	free(l.v);
	json_object_put(o);
	return p;
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
