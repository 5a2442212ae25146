/*
 * jsonx.c: json-c helpers: a strict parser for untrusted bodies and member
 * accessors that never take a reference.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

json_object *
jsonx_parse(const char *buf, size_t len, int max_depth, struct tnfs_err *err)
{
	json_tokener *tok = NULL;
	json_object *obj = NULL, *result = NULL;
	enum json_tokener_error jerr;
	size_t end;

	if (buf == NULL || len == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "empty JSON body");
		goto out;
	}
	if (len > (size_t)INT32_MAX) {
		tnfs_err_set(err, TNFS_E_TOO_LARGE, "JSON body too large");
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "invalid JSON: NUL byte in body");
		goto out;
	}
	if ((tok = json_tokener_new_ex(max_depth)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* Numbers and literals at the very end need a nudge. */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	if (jerr != json_tokener_success) {
		if (jerr == json_tokener_error_depth)
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "invalid JSON: nested deeper than %d levels",
			    max_depth);
		else
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "invalid JSON at offset %zu: %s",
			    json_tokener_get_parse_end(tok),
			    json_tokener_error_desc(jerr));
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++) {
		if (strchr(" \t\r\n", buf[end]) == NULL) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "invalid JSON: unexpected data after the value "
			    "at offset %zu",
			    end);
			goto out;
		}
	}
	result = obj;
	obj = NULL;
out:
	json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	return result;
}

const char *
jsonx_get_str(json_object *obj, const char *key)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
jsonx_get_int64(json_object *obj, const char *key, int64_t *out)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

int
jsonx_get_bool(json_object *obj, const char *key, int *out)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

static int
add(json_object *obj, const char *key, json_object *val)
{
	if (val == NULL)
		return -1;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

int
jsonx_add_str(json_object *obj, const char *key, const char *val)
{
	if (val == NULL)
		return 0;
	return add(obj, key, json_object_new_string(val));
}

int
jsonx_add_int64(json_object *obj, const char *key, int64_t val)
{
	return add(obj, key, json_object_new_int64(val));
}

int
jsonx_add_bool(json_object *obj, const char *key, int val)
{
	return add(obj, key, json_object_new_boolean(val ? 1 : 0));
}

char *
jsonx_to_string(json_object *obj)
{
	const char *s;

	s = json_object_to_json_string_ext(
	    obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return s != NULL ? strdup(s) : NULL;
}
