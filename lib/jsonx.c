/*
 * jsonx.c: json-c helpers: a strict parser for untrusted bodies and member
 * accessors that never take a reference.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

/*
 * json-c accepts more than JSON even in strict mode (single-quoted strings,
 * NaN, Infinity).  Outside strings, allow only JSON's punctuation, numbers
 * and the three literals.
 */
static int
lexically_json(const char *buf, size_t len, size_t *bad)
{
	size_t i = 0, j;
	int in_str = 0;

	while (i < len) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			i++;
			continue;
		}
		if (strchr("{}[]:,-+.0123456789eE \t\r\n", c) != NULL) {
			i++;
			continue;
		}
		for (j = i; j < len && buf[j] >= 'a' && buf[j] <= 'z'; j++)
			;
		if ((j - i == 4 &&
			(memcmp(buf + i, "true", 4) == 0 ||
			    memcmp(buf + i, "null", 4) == 0)) ||
		    (j - i == 5 && memcmp(buf + i, "false", 5) == 0)) {
			i = j;
			continue;
		}
		*bad = i;
		return 0;
	}
	return 1;
}

json_object *
jsonx_parse(const char *buf, size_t len, int max_depth, struct tnfs_err *err)
{
	json_tokener *tok = NULL;
	json_object *obj = NULL, *result = NULL;
	enum json_tokener_error jerr;
	size_t end, bad = 0;
	int nudged = 0;

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
	if (!lexically_json(buf, len, &bad)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "invalid JSON at offset %zu: unexpected character", bad);
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
		nudged = 1;
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
	end = nudged ? len : json_tokener_get_parse_end(tok);
	for (; end < len; end++) {
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

int
jsonx_add_obj(json_object *obj, const char *key, json_object *val)
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
	return jsonx_add_obj(obj, key, json_object_new_string(val));
}

int
jsonx_add_int64(json_object *obj, const char *key, int64_t val)
{
	return jsonx_add_obj(obj, key, json_object_new_int64(val));
}

int
jsonx_add_bool(json_object *obj, const char *key, int val)
{
	return jsonx_add_obj(obj, key, json_object_new_boolean(val ? 1 : 0));
}

char *
jsonx_to_string(json_object *obj)
{
	const char *s;

	s = json_object_to_json_string_ext(
	    obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return s != NULL ? strdup(s) : NULL;
}

int
jsonx_copy_str(json_object *obj, const char *key, char *buf, size_t len,
    unsigned flags, enum tnfs_ecode code, const char *where,
    struct tnfs_err *err)
{
	const char *s = jsonx_get_str(obj, key);
	json_object *v = NULL;

	buf[0] = '\0';
	if (s == NULL) {
		int absent = !json_object_object_get_ex(obj, key, &v) ||
		    ((flags & JSONX_NULL_ABSENT) && v == NULL);

		if (absent && !(flags & JSONX_REQUIRED))
			return 0;
		tnfs_err_set(err, code, "%s: %s is missing or not a string",
		    where, key);
		return -1;
	}
	if (strlen(s) >= len) {
		tnfs_err_set(err, code, "%s: %s is longer than %zu bytes", where,
		    key, len - 1);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}
