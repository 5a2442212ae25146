/*
 * predicate.h: ListVolumes filters: krill predicates (eq, ne, lt, le, gt,
 * ge, and, or) over the fields VOLAPI allows, refused with VOLAPI's
 * messages, and the name search with '*' wildcards.
 */
#ifndef TNFS_VAPI_PREDICATE_H
#define TNFS_VAPI_PREDICATE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "validate.h"

struct predicate;

/*
 * Parse and validate a predicate from its JSON text.  NULL with a cause
 * added to c when it is not acceptable (the one cause VOLAPI gives, in its
 * words).  "{}" and "[]" parse to a predicate that matches everything, as
 * krill's do.  Caller frees with predicate_free.
 */
struct predicate *predicate_parse(const char *text, struct causes *c);
void predicate_free(struct predicate *p);

/* 1 when the predicate mentions field anywhere. */
int predicate_uses(const struct predicate *p, const char *field);
/* The fields it mentions, each once, in the order they first appear. */
size_t predicate_fields(const struct predicate *p, const char **out, size_t max);

/*
 * 1 when v matches.  Only references live at clk count for "dangling".
 */
int predicate_match(const struct predicate *p, const struct volume *v,
    const struct ref_clock *clk);

/*
 * The tree as a compiler reads it (store_sqlite_where.c turns it into
 * SQL).  predicate_op is "true" (matches everything), "and", "or", "eq",
 * "ne", "lt", "le", "gt" or "ge"; and/or have kids, the others a field
 * ("name", "size", "dangling", ...) and one value: text for string fields,
 * a whole number for size (a fractional bound is rewritten to the whole
 * bounds that select the same volumes), a boolean for dangling.  Strings
 * are p's.
 */
const char *predicate_op(const struct predicate *p);
size_t predicate_nkids(const struct predicate *p);
const struct predicate *predicate_kid(const struct predicate *p, size_t i);
const char *predicate_field(const struct predicate *p);
const char *predicate_text(const struct predicate *p);
int64_t predicate_number(const struct predicate *p);
int predicate_boolean(const struct predicate *p);

/*
 * A name search value: "foo" (exact), "foo*", "*foo", "*foo*".  0 when
 * valid; -1 and a cause otherwise.
 */
int name_pattern_check(const char *pattern, struct causes *c);
int name_pattern_match(const char *pattern, const char *name);

#endif
