/*
 * validate.c: the cause list and the checks every VOLAPI endpoint shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonx.h"
#include "uuid.h"
#include "validate.h"

void
causes_init(struct causes *c)
{
	c->text[0] = '\0';
	c->n = 0;
}

void
causes_add(struct causes *c, const char *fmt, ...)
{
	size_t off = strlen(c->text);
	va_list ap;
	int n;

	if (off + 16 >= sizeof(c->text)) {
		c->n++;
		return;
	}
	n = snprintf(c->text + off, sizeof(c->text) - off,
	    "%sError: ", c->n > 0 ? ", " : "");
	if (n > 0 && (size_t)n < sizeof(c->text) - off) {
		off += (size_t)n;
		va_start(ap, fmt);
		vsnprintf(c->text + off, sizeof(c->text) - off, fmt, ap);
		va_end(ap);
	}
	c->n++;
}

int
causes_finish(const struct causes *c, struct tnfs_err *err)
{
	if (c->n == 0)
		return 0;
	tnfs_err_set(
	    err, TNFS_E_VALIDATION, "Validation error, causes: %s", c->text);
	return -1;
}

void
validation_error(struct tnfs_err *err, const char *fmt, ...)
{
	char buf[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tnfs_err_set(
	    err, TNFS_E_VALIDATION, "Validation error, causes: Error: %s", buf);
}

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
	if (!json_object_is_type(v, json_type_string) || !tnfs_uuid_valid(s)) {
		causes_add(c, "%.100s is not a valid %s UUID",
		    s != NULL ? s : "null", what);
		return NULL;
	}
	return s;
}

static int
name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

static int
name_ok(const char *s, size_t min)
{
	size_t i;

	if (strlen(s) < min)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
		(s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
}

int
valid_volume_name(const char *name, struct causes *c)
{
	if (strlen(name) > 256) {
		causes_add(c, "volume name is too long, max length is 256");
		return 0;
	}
	if (!name_ok(name, 2)) {
		causes_add(c,
		    "volume name must match "
		    "/^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]+$/");
		return 0;
	}
	return 1;
}

int
valid_snapshot_name(const char *name, struct causes *c)
{
	if (strlen(name) > 64) {
		causes_add(c, "snapshot name is too long, max length is 64");
		return 0;
	}
	if (!name_ok(name, 1)) {
		causes_add(c,
		    "snapshot name must match "
		    "/^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]*$/");
		return 0;
	}
	return 1;
}

int
valid_state(const char *s)
{
	return strcmp(s, "creating") == 0 || strcmp(s, "ready") == 0 ||
	    strcmp(s, "failed") == 0 || strcmp(s, "deleting") == 0;
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
