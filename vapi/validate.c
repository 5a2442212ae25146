/*
 * validate.c: the cause list and the checks of typed values every VOLAPI
 * endpoint shares (names, uuids, states, networks, labels).  No JSON here:
 * api_params.c reads parameters and calls these.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsfmt.h"
#include "uuid.h"
#include "validate.h"

void
causes_init(struct causes *c)
{
	causes_init_sep(c, ", ");
}

void
causes_init_sep(struct causes *c, const char *sep)
{
	c->text[0] = '\0';
	c->n = 0;
	c->sep = sep;
}

/* Back off a truncated end to the last whole UTF-8 character. */
static void
trim_partial_utf8(char *s, size_t len)
{
	size_t i = len, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

static void
causes_vadd(struct causes *c, const char *cls, const char *fmt, va_list ap)
{
	size_t off = strlen(c->text);
	int n;

	if (off + 16 >= sizeof(c->text)) {
		c->n++;
		return;
	}
	n = snprintf(c->text + off, sizeof(c->text) - off, "%s%s: ",
	    c->n == 0 ? "" : c->sep != NULL ? c->sep : ", ", cls);
	if (n > 0 && (size_t)n < sizeof(c->text) - off) {
		off += (size_t)n;
		n = vsnprintf(c->text + off, sizeof(c->text) - off, fmt, ap);
		if (n > 0 && (size_t)n >= sizeof(c->text) - off)
			trim_partial_utf8(c->text, strlen(c->text));
	}
	c->n++;
}

void
causes_add(struct causes *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	causes_vadd(c, "Error", fmt, ap);
	va_end(ap);
}

void
causes_add_as(struct causes *c, const char *cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	causes_vadd(c, cls, fmt, ap);
	va_end(ap);
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
	int ok = 1;

	/* VOLAPI's order, both when both fail; String#length counts. */
	if (!name_ok(name, 2)) {
		causes_add(c,
		    "volume name must match "
		    "/^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]+$/");
		ok = 0;
	}
	if (jsfmt_length(name, strlen(name)) > 256) {
		causes_add(c, "volume name is too long, max length is 256");
		ok = 0;
	}
	return ok;
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
valid_uuid(const char *s, const char *what, struct causes *c)
{
	if (s != NULL && tnfs_uuid_valid(s))
		return 1;
	causes_add(
	    c, "%.100s is not a valid %s UUID", s != NULL ? s : "null", what);
	return 0;
}

int
valid_volume_type(const char *type, struct causes *c)
{
	if (strcmp(type, "tritonnfs") == 0)
		return 1;
	causes_add(c, "Volume type: %.100s is not supported", type);
	return 0;
}

int
valid_network_count(size_t n, struct causes *c)
{
	if (n == 0) {
		causes_add(c, "networks must be a non-empty array");
		return 0;
	}
	if (n > VALIDATE_MAX_VOLUME_NETWORKS) {
		causes_add(c, "networks must list at most %d networks",
		    VALIDATE_MAX_VOLUME_NETWORKS);
		return 0;
	}
	return 1;
}

int
valid_label(const char *key, const char *value, size_t index, struct causes *c)
{
	if (strlen(key) == 0 || strlen(key) > 128 || strlen(value) > 1024) {
		causes_add(c,
		    "Volume labels must be an object: keys "
		    "are 1-128 bytes, values at most 1024");
		return 0;
	}
	if (index >= VALIDATE_MAX_LABELS) {
		causes_add(c,
		    "Volume labels must be an object: at most "
		    "%d labels",
		    VALIDATE_MAX_LABELS);
		return 0;
	}
	return 1;
}

int
valid_volume_size(uint64_t size, struct causes *c)
{
	if (size > 0 && size <= VALIDATE_MAX_VOLUME_SIZE)
		return 1;
	causes_add(c,
	    "Volume size: \"%llu\" is not a valid volume size. Size "
	    "must be a number > 0",
	    (unsigned long long)size);
	return 0;
}
