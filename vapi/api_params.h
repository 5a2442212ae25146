/*
 * api_params.h: a request's parameters (path, query and body merged into
 * one JSON object, as restify's mapParams does) read into typed values,
 * each failure a VOLAPI cause (validate.h).
 */
#ifndef TNFS_VAPI_API_PARAMS_H
#define TNFS_VAPI_API_PARAMS_H

#include <json-c/json.h>

#include "validate.h"

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
 * when absent or bad.  The string is borrowed from params.
 */
const char *param_uuid(
    json_object *params, const char *key, const char *what, struct causes *c);

/* A "true"/"false" string (or JSON boolean): 0/1, or -1 with a cause. */
int param_bool(
    json_object *params, const char *key, int dflt, struct causes *c);

#endif
