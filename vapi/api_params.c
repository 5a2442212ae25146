/*
 * api_params.c: reading a request's parameters (one JSON object merged
 * from path, query and body) into typed values, with VOLAPI's causes for
 * what is missing, unknown or of the wrong type.
 */
#include <stdio.h>
#include <string.h>

#include "api_params.h"
#include "uuid.h"

static int
in_list(const char *const *list, const char *key)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], key) == 0)
			return 1;
	return 0;
}

void
validate_params(json_object *params, const char *const *allowed,
    const char *const *required, struct causes *c)
{
	size_t i;

	json_object_object_foreach(params, key, val)
	{
		(void)val;
		if (!in_list(allowed, key) && !in_list(required, key))
			causes_add(c, "invalid parameter: %.100s", key);
	}
	for (i = 0; required != NULL && required[i] != NULL; i++)
		if (!json_object_object_get_ex(params, required[i], NULL))
			causes_add(
			    c, "missing mandatory parameter: %s", required[i]);
}

const char *
param_str(json_object *params, const char *key, struct causes *c)
{
	json_object *v;

	if (!json_object_object_get_ex(params, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		causes_add(c, "%s must be a string", key);
		return NULL;
	}
	return json_object_get_string(v);
}

const char *
param_uuid(
    json_object *params, const char *key, const char *what, struct causes *c)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(params, key, &v))
		return NULL;
	s = json_object_get_string(v);
	/* A number or a boolean is quoted as its text, as VOLAPI does. */
	if (!json_object_is_type(v, json_type_string)) {
		causes_add(c, "%.100s is not a valid %s UUID",
		    s != NULL ? s : "null", what);
		return NULL;
	}
	return valid_uuid(s, what, c) ? s : NULL;
}

int
param_bool(json_object *params, const char *key, int dflt, struct causes *c)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(params, key, &v))
		return dflt;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	s = json_object_get_string(v);
	if (json_object_is_type(v, json_type_string)) {
		if (strcmp(s, "true") == 0)
			return 1;
		if (strcmp(s, "false") == 0)
			return 0;
	}
	causes_add(c, "%.100s is not a valid boolean string value for %s.",
	    s != NULL ? s : "null", key);
	return -1;
}
