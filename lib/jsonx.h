/*
 * jsonx.h: json-c helpers with the ownership spelled out.
 *
 * Rules used across the tree: a function returning json_object * hands the
 * caller one reference (put it with json_object_put); json_object_object_add
 * steals the reference it is given; jsonx_get_* borrow and never put.
 */
#ifndef TNFS_JSONX_H
#define TNFS_JSONX_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

/*
 * Parse exactly one JSON value from buf (len bytes, no NUL needed).
 * Rejects trailing garbage, NUL bytes, nesting deeper than max_depth and
 * invalid UTF-8, with a ValidationError naming the problem.  The caller
 * owns the result.
 */
json_object *jsonx_parse(
    const char *buf, size_t len, int max_depth, struct tnfs_err *err);

/* Borrowed string member, or NULL when absent or not a string. */
const char *jsonx_get_str(json_object *obj, const char *key);

#define JSONX_REQUIRED    0x1 /* a missing member is an error */
#define JSONX_NULL_ABSENT 0x2 /* a JSON null counts as a missing member */

/*
 * Copy obj's string member key into buf (len bytes; "" when absent):
 * 0, or -1 with err (code, and a message that starts with where) when the
 * member is not a string, is missing but JSONX_REQUIRED, or does not fit.
 */
int jsonx_copy_str(json_object *obj, const char *key, char *buf, size_t len,
    unsigned flags, enum tnfs_ecode code, const char *where,
    struct tnfs_err *err);

/*
 * Integer member: 0 when present and an integer (not a double, not a
 * string), -1 otherwise.
 */
int jsonx_get_int64(json_object *obj, const char *key, int64_t *out);

/* Boolean member: 0 when present and a JSON boolean, -1 otherwise. */
int jsonx_get_bool(json_object *obj, const char *key, int *out);

/*
 * Add members, copying the value; 0 or -1 when out of memory.  A NULL
 * string value adds nothing and succeeds.
 */
int jsonx_add_str(json_object *obj, const char *key, const char *val);
int jsonx_add_int64(json_object *obj, const char *key, int64_t val);
int jsonx_add_bool(json_object *obj, const char *key, int val);

/*
 * Add val under key; the object takes val's reference even when this
 * fails (out of memory: -1, val put), so the caller never frees it.  A
 * NULL val (a constructor that failed) is -1.
 */
int jsonx_add_obj(json_object *obj, const char *key, json_object *val);

/*
 * Compact text of obj in a string the caller frees with free(3), or NULL
 * when out of memory.
 */
char *jsonx_to_string(json_object *obj);

#endif
