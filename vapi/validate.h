/*
 * validate.h: VOLAPI's parameter checking.  Every failed check adds a cause;
 * the request fails once with all of them, as VOLAPI does:
 *   409 ValidationError "Validation error, causes: Error: <c1>, Error: <c2>"
 */
#ifndef TNFS_VAPI_VALIDATE_H
#define TNFS_VAPI_VALIDATE_H

#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

struct causes {
	char text[900];
	int n;
};

void causes_init(struct causes *c);
void causes_add(struct causes *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* -1 and the ValidationError when any cause was added, else 0. */
int causes_finish(const struct causes *c, struct tnfs_err *err);

/* Set err to a ValidationError with one cause. */
void validation_error(struct tnfs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Unknown members of params ("invalid parameter: x") and missing required
 * ones ("missing mandatory parameter: x").  Both lists end with NULL.
 */
void validate_params(json_object *params, const char *const *allowed,
    const char *const *required, struct causes *c);

/* The string member key, or NULL; a non-string adds a cause. */
const char *param_str(json_object *params, const char *key, struct causes *c);

/*
 * A UUID member: "<v> is not a valid <what> UUID" when malformed.  NULL
 * when absent or bad.
 */
const char *param_uuid(
    json_object *params, const char *key, const char *what, struct causes *c);

/* Volume name rules (2-256 chars, /^[a-zA-Z0-9][a-zA-Z0-9_\.\-]+$/). */
int valid_volume_name(const char *name, struct causes *c);
/* Snapshot names: the same characters, 1-64 long. */
int valid_snapshot_name(const char *name, struct causes *c);

/* One of creating, ready, failed, deleting. */
int valid_state(const char *s);

/* A "true"/"false" string (or JSON boolean): 0/1, or -1 with a cause. */
int param_bool(
    json_object *params, const char *key, int dflt, struct causes *c);

#endif
