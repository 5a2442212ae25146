/*
 * parse.c: strict parsers for what users type (volume names, sizes, numbers,
 * booleans).  Each accepts exactly the forms parse.h documents and nothing
 * else; a rejection says what is accepted.  Input is echoed back escaped and
 * cut short, so a hostile value cannot put control characters or megabytes
 * into a log line or an HTTP reply.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

#define NAME_RE_MSG "volume name must match /^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]+$/"

#define SIZE_FORMS                                                             \
	"use a whole number with an optional unit, as in 10G, 10GiB, 512M "    \
	"or 1T (plain numbers are MiB)"

/* How much of a rejected value an error message repeats. */
#define ECHO_MAX 48

/*
 * Copy s into buf for an error message: printable ASCII as is, '"' and '\'
 * and every other byte as \xNN, cut at ECHO_MAX input bytes with "...".
 */
static const char *
echo(const char *s, char *buf, size_t len)
{
	size_t i, n = 0;
	unsigned char c;

	buf[0] = '\0';
	for (i = 0; s[i] != '\0' && n + 5 < len; i++) {
		if (i == ECHO_MAX) {
			snprintf(buf + n, len - n, "...");
			return buf;
		}
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			buf[n++] = (char)c;
			buf[n] = '\0';
		} else {
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		}
	}
	return buf;
}

static int
name_first_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
name_rest_ok(unsigned char c)
{
	return name_first_ok(c) || c == '_' || c == '.' || c == '-';
}

int
tnfs_name_check(const char *name, struct tnfs_err *err)
{
	size_t i, len;

	if (name == NULL) {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "volume name must be a string");
		return -1;
	}
	/* VOLAPI tests the regex first, then the length. */
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == 0 ? !name_first_ok(c) : !name_rest_ok(c)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    NAME_RE_MSG " (bad character 0x%02x at offset %zu)",
			    c, i);
			return -1;
		}
	}
	len = i;
	if (len < TNFS_NAME_MIN) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    NAME_RE_MSG " (at least %d characters)", TNFS_NAME_MIN);
		return -1;
	}
	if (len > TNFS_NAME_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "volume name is too long, max length is %d", TNFS_NAME_MAX);
		return -1;
	}
	/*
	 * Stricter than VOLAPI: the name becomes a directory and part of an
	 * export path, and ".." has no use in a name but makes every later
	 * path join something to audit.
	 */
	if (strstr(name, "..") != NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    NAME_RE_MSG " (\"..\" is not allowed, at offset %zu)",
		    (size_t)(strstr(name, "..") - name));
		return -1;
	}
	return 0;
}


int
tnfs_snapshot_name_check(const char *name, struct tnfs_err *err)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == 0 ? !name_first_ok(c) : !name_rest_ok(c)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "snapshot name must match "
			    "/^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]*$/ (bad "
			    "character 0x%02x at offset %zu)",
			    c, i);
			return -1;
		}
		if (i >= TNFS_SNAPSHOT_NAME_MAX) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "snapshot name is too long, max length is %d",
			    TNFS_SNAPSHOT_NAME_MAX);
			return -1;
		}
	}
	if (i == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "snapshot name is empty");
		return -1;
	}
	return 0;
}

int
tnfs_clone_source_parse(const char *text, char vol[TNFS_NAME_MAX + 1],
    char snap[TNFS_SNAPSHOT_NAME_MAX + 1], struct tnfs_err *err)
{
	const char *at = strchr(text, '@');
	size_t vlen;

	/* Bounded first, so a huge value is refused without a scan of it. */
	if (strnlen(text, TNFS_NAME_MAX + TNFS_SNAPSHOT_NAME_MAX + 2) >
	    TNFS_NAME_MAX + TNFS_SNAPSHOT_NAME_MAX + 1) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "clone source is too long: expected VOLUME@SNAPSHOT, at "
		    "most %d and %d characters",
		    TNFS_NAME_MAX, TNFS_SNAPSHOT_NAME_MAX);
		return -1;
	}
	if (text[0] == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "clone source is empty: expected VOLUME@SNAPSHOT");
		return -1;
	}
	if (at == NULL || strchr(at + 1, '@') != NULL) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "clone source %s: expected VOLUME@SNAPSHOT with one @",
		    tnfs_has_control(text) ? "(with control characters)"
					   : text);
		return -1;
	}
	vlen = (size_t)(at - text);
	if (vlen == 0 || vlen > TNFS_NAME_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    vlen == 0 ? "clone source: the volume before @ is missing"
			      : "clone source: volume name is too long, max "
				"length is %d",
		    TNFS_NAME_MAX);
		return -1;
	}
	memcpy(vol, text, vlen);
	vol[vlen] = '\0';
	if (tnfs_name_check(vol, err) == -1 ||
	    tnfs_snapshot_name_check(at + 1, err) == -1) {
		tnfs_err_prefix(err, "clone source");
		return -1;
	}
	snprintf(snap, TNFS_SNAPSHOT_NAME_MAX + 1, "%s", at + 1);
	return 0;
}

/*
 * Decimal digits at *p with no sign and no leading zero (a lone "0" is
 * fine), advanced past.  -1 when there is no digit, a leading zero, or the
 * value does not fit in a uint64_t.
 */
static int
scan_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

static const struct {
	const char *suffix; /* compared without case */
	uint64_t mib;
} size_units[] = {
    {"", 1},
    {"m", 1},
    {"mib", 1},
    {"mb", 1},
    {"g", 1024},
    {"gib", 1024},
    {"gb", 1024},
    {"t", 1024 * 1024},
    {"tib", 1024 * 1024},
    {"tb", 1024 * 1024},
};

int
tnfs_size_parse(const char *text, uint64_t *mib, struct tnfs_err *err)
{
	char shown[ECHO_MAX * 4 + 8];
	const char *p = text;
	uint64_t n, unit = 0;
	size_t i;

	if (text == NULL || *text == '\0') {
		tnfs_err_set(
		    err, TNFS_E_VALIDATION, "invalid size \"\": " SIZE_FORMS);
		return -1;
	}
	if (scan_u64(&p, &n) == -1)
		goto bad;
	for (i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++) {
		if (strcasecmp(p, size_units[i].suffix) == 0) {
			unit = size_units[i].mib;
			break;
		}
	}
	if (unit == 0)
		goto bad;
	if (n == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "invalid size \"%s\": a size must be greater than zero",
		    echo(text, shown, sizeof(shown)));
		return -1;
	}
	if (n > TNFS_SIZE_MAX_MIB / unit) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "invalid size \"%s\": the largest size accepted is %lluT",
		    echo(text, shown, sizeof(shown)),
		    (unsigned long long)(TNFS_SIZE_MAX_MIB / (1024 * 1024)));
		return -1;
	}
	*mib = n * unit;
	return 0;
bad:
	/* Includes a number too large for 64 bits: the same advice fits. */
	tnfs_err_set(err, TNFS_E_VALIDATION, "invalid size \"%s\": " SIZE_FORMS,
	    echo(text, shown, sizeof(shown)));
	return -1;
}

void
tnfs_size_format(uint64_t mib, char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return;
	if (mib != 0 && mib % 1024 == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(mib / 1024));
	else
		snprintf(buf, len, "%lluM", (unsigned long long)mib);
}

int
tnfs_size_round_up(uint64_t mib, const uint64_t *sizes, size_t nsizes,
    uint64_t *out, struct tnfs_err *err)
{
	char list[TNFS_ERR_MSG_MAX], one[32], want[32];
	uint64_t best = 0, prev = 0, next;
	size_t i, n = 0;
	int found = 0, have_prev = 0;

	for (i = 0; i < nsizes; i++) {
		if (sizes[i] >= mib && (!found || sizes[i] < best)) {
			best = sizes[i];
			found = 1;
		}
	}
	if (found) {
		*out = best;
		return 0;
	}
	/*
	 * List the sizes ascending without duplicates.  The list is short
	 * (tens of packages), so picking the next larger value in turn beats
	 * copying and sorting.
	 */
	list[0] = '\0';
	for (;;) {
		int more = 0;

		next = 0;
		for (i = 0; i < nsizes; i++) {
			if ((!have_prev || sizes[i] > prev) &&
			    (!more || sizes[i] < next)) {
				next = sizes[i];
				more = 1;
			}
		}
		if (!more)
			break;
		tnfs_size_format(next, one, sizeof(one));
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			    "%s%s", have_prev ? ", " : "", one);
		prev = next;
		have_prev = 1;
	}
	tnfs_size_format(mib, want, sizeof(want));
	if (nsizes == 0)
		tnfs_err_set(err, TNFS_E_SIZE_NOT_AVAILABLE,
		    "Volume size %s is not available. No sizes are available",
		    want);
	else
		tnfs_err_set(err, TNFS_E_SIZE_NOT_AVAILABLE,
		    "Volume size %s is not available. Available sizes: %s",
		    want, list);
	return -1;
}

int
tnfs_parse_u64(const char *text, uint64_t max, uint64_t *out, const char *what,
    struct tnfs_err *err)
{
	char shown[ECHO_MAX * 4 + 8];
	const char *p = text;
	uint64_t v;

	if (what == NULL)
		what = "number";
	if (text == NULL || scan_u64(&p, &v) == -1 || *p != '\0' || v > max) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "invalid %s \"%s\": expected a whole number from 0 to %llu",
		    what, text == NULL ? "" : echo(text, shown, sizeof(shown)),
		    (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int
tnfs_parse_bool(
    const char *text, int *out, const char *what, struct tnfs_err *err)
{
	static const struct {
		const char *word;
		int value;
	} words[] = {
	    {"true", 1},
	    {"false", 0},
	    {"1", 1},
	    {"0", 0},
	    {"yes", 1},
	    {"no", 0},
	};
	char shown[ECHO_MAX * 4 + 8];
	size_t i;

	if (what == NULL)
		what = "value";
	for (i = 0; text != NULL && i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(text, words[i].word) == 0) {
			*out = words[i].value;
			return 0;
		}
	}
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "invalid %s \"%s\": expected true or false (or yes/no, 1/0)", what,
	    text == NULL ? "" : echo(text, shown, sizeof(shown)));
	return -1;
}

int
tnfs_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}
