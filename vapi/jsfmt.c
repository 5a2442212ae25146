/*
 * jsfmt.c: node v6's renderings of JSON values (see jsfmt.h).  Each
 * follows the node v6 / V8 5.1 code it reproduces: formatValue,
 * formatPrimitive and reduceToSingleString in lib/util.js; JsonParser's
 * error reporting (the character at which parsing stopped decides the
 * message); Number::toString's shortest round-trip digits.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsfmt.h"

#define INSPECT_DEPTH   10  /* extsprintf's %j asks for depth 10 */
#define BREAK_LENGTH    60  /* node v6's default breakLength */
#define MAX_ARRAY_ITEMS 100 /* node v6's default maxArrayLength */
#define JSON_MAX_NEST   256

struct sb {
	char *p;
	size_t len, cap;
	int oom;
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* The built string (never NULL unless out of memory), now the caller's. */
static char *
sb_take(struct sb *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		sb_add(b, "", 0);
	return b->oom ? NULL : b->p;
}

size_t
jsfmt_length(const char *s, size_t n)
{
	size_t i, units = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch & 0xC0) == 0x80)
			continue; /* a continuation byte */
		units += ch >= 0xF0 ? 2 : 1;
	}
	return units;
}

void
jsfmt_number(double d, char *buf, size_t len)
{
	char digits[32], tmp[40];
	int prec, k, n, e, i;
	size_t o = 0;

	if (isnan(d)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, len, "%sInfinity", d < 0 ? "-" : "");
		return;
	}
	if (d == 0) {
		snprintf(buf, len, "0");
		return;
	}
	/* The fewest significant digits that read back as d. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp: [-]D[.DDD]e[+-]XX -> digits and exponent */
	k = 0;
	for (i = 0; tmp[i] != 'e'; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[k++] = tmp[i];
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	e = atoi(tmp + i + 1);
	n = e + 1; /* the decimal point sits after n digits */
	if (d < 0)
		tmp[o++] = '-';
	if (k <= n && n <= 21) {
		memcpy(tmp + o, digits, (size_t)k);
		o += (size_t)k;
		for (i = k; i < n; i++)
			tmp[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(tmp + o, digits, (size_t)n);
		o += (size_t)n;
		tmp[o++] = '.';
		memcpy(tmp + o, digits + n, (size_t)(k - n));
		o += (size_t)(k - n);
	} else if (-6 < n && n <= 0) {
		tmp[o++] = '0';
		tmp[o++] = '.';
		for (i = n; i < 0; i++)
			tmp[o++] = '0';
		memcpy(tmp + o, digits, (size_t)k);
		o += (size_t)k;
	} else {
		tmp[o++] = digits[0];
		if (k > 1) {
			tmp[o++] = '.';
			memcpy(tmp + o, digits + 1, (size_t)(k - 1));
			o += (size_t)(k - 1);
		}
		o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "e%c%d",
		    n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	tmp[o] = '\0';
	snprintf(buf, len, "%s", tmp);
}

double
jsfmt_value(json_object *o)
{
	/* json-c keeps integers as int64; JavaScript holds every number as
	 * a double, rounded the same way. */
	if (json_object_is_type(o, json_type_int))
		return (double)json_object_get_int64(o);
	return json_object_get_double(o);
}

/* JSON.stringify's escaping of a string, without the quotes. */
static void
json_escape(struct sb *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];

		switch (ch) {
		case '"':
			sb_str(b, "\\\"");
			break;
		case '\\':
			sb_str(b, "\\\\");
			break;
		case '\b':
			sb_str(b, "\\b");
			break;
		case '\f':
			sb_str(b, "\\f");
			break;
		case '\n':
			sb_str(b, "\\n");
			break;
		case '\r':
			sb_str(b, "\\r");
			break;
		case '\t':
			sb_str(b, "\\t");
			break;
		default:
			if (ch < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", ch);
				sb_str(b, esc);
			} else
				sb_add(b, (const char *)&s[i], 1);
		}
	}
}

/*
 * formatPrimitive's string:
 *   '\'' + JSON.stringify(v).replace(/^"|"$/g, '')
 *            .replace(/'/g, "\\'").replace(/\\"/g, '"') + '\''
 * and the same rewriting of a key that is not an identifier.
 */
static void
quote(struct sb *b, const char *s, size_t n)
{
	struct sb j = {0};
	size_t i;

	json_escape(&j, s, n);
	sb_add(b, "'", 1);
	for (i = 0; j.p != NULL && i < j.len; i++) {
		if (j.p[i] == '\'')
			sb_add(b, "\\'", 2);
		else if (j.p[i] == '\\' && j.p[i + 1] == '"') {
			sb_add(b, "\"", 1);
			i++;
		} else
			sb_add(b, &j.p[i], 1);
	}
	sb_add(b, "'", 1);
	if (j.oom)
		b->oom = 1;
	free(j.p);
}

static int
identifier(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
		s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* An array index as Object.keys puts it first: "0" or [1-9][0-9]*, < 2^32-1. */
static int
array_index(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT64_C(4294967295))
		return 0;
	*out = v;
	return 1;
}

static char *inspect(json_object *v, int recurse);

/* Append str with every line after the first indented by pad. */
static void
add_indented(struct sb *b, const char *str, const char *pad)
{
	const char *nl;

	while ((nl = strchr(str, '\n')) != NULL) {
		sb_add(b, str, (size_t)(nl - str) + 1);
		sb_str(b, pad);
		str = nl + 1;
	}
	sb_str(b, str);
}

/* formatProperty: the value's rendering, and for objects its key. */
static char *
property(const char *key, json_object *val, int recurse, int in_array)
{
	struct sb b = {0};
	char *str = inspect(val, recurse - 1);

	if (str == NULL)
		return NULL;
	if (!in_array) {
		if (identifier(key))
			sb_str(&b, key);
		else
			quote(&b, key, strlen(key));
		sb_str(&b, ": ");
		if (strchr(str, '\n') != NULL) {
			sb_str(&b, "\n   ");
			add_indented(&b, str, "   ");
		} else
			sb_str(&b, str);
	} else
		add_indented(&b, str, "  ");
	free(str);
	return sb_take(&b);
}

/* reduceToSingleString: one line, unless the entries pass 60 columns. */
static char *
reduce(char **out, size_t n, char open, char close)
{
	struct sb b = {0};
	size_t i, length = 0;
	char br[2] = {open, '\0'};

	for (i = 0; i < n; i++)
		length += jsfmt_length(out[i], strlen(out[i])) + 1;
	sb_str(&b, br);
	sb_str(&b, " ");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_str(&b, length > BREAK_LENGTH ? ",\n  " : ", ");
		sb_str(&b, out[i]);
	}
	sb_str(&b, " ");
	br[0] = close;
	sb_str(&b, br);
	return sb_take(&b);
}

struct key_order {
	const char *key;
	json_object *val;
	uint64_t index;
	int is_index;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key_order *x = a, *y = b;

	if (x->is_index != y->is_index)
		return x->is_index ? -1 : 1;
	if (x->is_index)
		return x->index < y->index ? -1 : x->index > y->index;
	return 0; /* insertion order: see entries() */
}

/* Object.keys' order: array indices ascending, then insertion order. */
static struct key_order *
entries(json_object *v, size_t *n)
{
	struct key_order *ks;
	size_t i = 0, cnt = (size_t)json_object_object_length(v);

	if ((ks = calloc(cnt ? cnt : 1, sizeof(*ks))) == NULL)
		return NULL;
	json_object_object_foreach(v, key, val)
	{
		ks[i].key = key;
		ks[i].val = val;
		ks[i].is_index = array_index(key, &ks[i].index);
		i++;
	}
	/* A stable sort keeps the insertion order among the other keys. */
	for (size_t a = 1; a < i; a++)
		for (size_t c = a; c > 0 && key_cmp(&ks[c - 1], &ks[c]) > 0;
		     c--) {
			struct key_order t = ks[c];

			ks[c] = ks[c - 1];
			ks[c - 1] = t;
		}
	*n = i;
	return ks;
}

static char *
inspect_container(json_object *v, int recurse)
{
	int array = json_object_is_type(v, json_type_array);
	size_t n = array ? json_object_array_length(v)
			 : (size_t)json_object_object_length(v);
	size_t shown = array && n > MAX_ARRAY_ITEMS ? MAX_ARRAY_ITEMS : n;
	struct key_order *ks = NULL;
	char **out, *res = NULL, more[64];
	size_t i, nout = 0;

	if (n == 0)
		return strdup(array ? "[]" : "{}");
	if (recurse < 0)
		return strdup("[Object]");
	if ((out = calloc(shown + 1, sizeof(*out))) == NULL)
		return NULL;
	if (!array && (ks = entries(v, &n)) == NULL)
		goto done;
	for (i = 0; i < shown; i++) {
		out[i] = array ? property(NULL, json_object_array_get_idx(v, i),
				     recurse, 1)
			       : property(ks[i].key, ks[i].val, recurse, 0);
		if (out[i] == NULL)
			goto done;
		nout++;
	}
	if (shown < n) {
		snprintf(more, sizeof(more), "... %zu more item%s", n - shown,
		    n - shown > 1 ? "s" : "");
		if ((out[nout] = strdup(more)) == NULL)
			goto done;
		nout++;
	}
	res = reduce(out, nout, array ? '[' : '{', array ? ']' : '}');
done:
	for (i = 0; i < nout; i++)
		free(out[i]);
	free(out);
	free(ks);
	return res;
}

static char *
inspect(json_object *v, int recurse)
{
	struct sb b = {0};
	char num[40];
	double d;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return strdup("null");
	case json_type_boolean:
		return strdup(json_object_get_boolean(v) ? "true" : "false");
	case json_type_int:
	case json_type_double:
		d = jsfmt_value(v);
		if (d == 0 && signbit(d))
			return strdup("-0");
		jsfmt_number(d, num, sizeof(num));
		return strdup(num);
	case json_type_string:
		quote(&b, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		return sb_take(&b);
	default:
		return inspect_container(v, recurse);
	}
}

char *
jsfmt_inspect(json_object *v)
{
	return inspect(v, INSPECT_DEPTH);
}

/* JSON.parse, as far as it decides which error to throw. */
struct jp {
	const char *s;
	size_t n, i;
	int depth;
};

static int
jp_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
				  p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
	return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static int
jp_c(const struct jp *p)
{
	return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static int
digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hex(int c)
{
	return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int jp_value(struct jp *p);

static int
jp_string(struct jp *p)
{
	int c, k;

	p->i++; /* the opening quote */
	for (;;) {
		c = jp_c(p);
		if (c < 0x20) /* a control character, or the end */
			return -1;
		if (c == '"') {
			p->i++;
			return 0;
		}
		if (c != '\\') {
			p->i++;
			continue;
		}
		p->i++;
		c = jp_c(p);
		if (c == 'u') {
			for (k = 0; k < 4; k++) {
				p->i++;
				if (!hex(jp_c(p)))
					return -1;
			}
			p->i++;
		} else if (c >= 0 && strchr("\"\\/bfnrt", c) != NULL)
			p->i++;
		else
			return -1;
	}
}

static int
jp_number(struct jp *p)
{
	if (jp_c(p) == '-')
		p->i++;
	if (jp_c(p) == '0') {
		p->i++;
		if (digit(jp_c(p)))
			return -1;
	} else {
		if (!digit(jp_c(p)) || jp_c(p) == '0')
			return -1;
		while (digit(jp_c(p)))
			p->i++;
	}
	if (jp_c(p) == '.') {
		p->i++;
		if (!digit(jp_c(p)))
			return -1;
		while (digit(jp_c(p)))
			p->i++;
	}
	if (jp_c(p) == 'e' || jp_c(p) == 'E') {
		p->i++;
		if (jp_c(p) == '-' || jp_c(p) == '+')
			p->i++;
		if (!digit(jp_c(p)))
			return -1;
		while (digit(jp_c(p)))
			p->i++;
	}
	return 0;
}

static int
jp_literal(struct jp *p, const char *word)
{
	size_t k;

	for (k = 0; word[k] != '\0'; k++, p->i++)
		if (jp_c(p) != word[k])
			return -1;
	return 0;
}

static int
jp_container(struct jp *p, int close)
{
	int rc = 0;

	if (++p->depth > JSON_MAX_NEST)
		return 1; /* deeper than we check: not an error here */
	p->i++;
	if (jp_ws(p) == close) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (jp_ws(p) != '"' || jp_string(p) != 0)
				return -1;
			if (jp_ws(p) != ':')
				return -1;
			p->i++;
			jp_ws(p);
		}
		if ((rc = jp_value(p)) != 0)
			return rc;
		if (jp_ws(p) != ',')
			break;
		p->i++;
		jp_ws(p);
	}
	if (jp_c(p) != close)
		return -1;
	p->i++;
	p->depth--;
	return 0;
}

static int
jp_value(struct jp *p)
{
	int c = jp_c(p);

	if (c == '"')
		return jp_string(p);
	if (c == '-' || digit(c))
		return jp_number(p);
	if (c == '{')
		return jp_container(p, '}');
	if (c == '[')
		return jp_container(p, ']');
	if (c == 't')
		return jp_literal(p, "true");
	if (c == 'f')
		return jp_literal(p, "false");
	if (c == 'n')
		return jp_literal(p, "null");
	return -1;
}

int
jsfmt_json_error(const char *text, size_t len, char *buf, size_t buflen)
{
	struct jp p = {text, len, 0, 0};
	size_t pos, clen = 1;
	int rc, c;

	jp_ws(&p);
	rc = jp_value(&p);
	if (rc > 0)
		return 0; /* too deep to check: the caller's parser decides */
	if (rc == 0 && jp_ws(&p) == -1)
		return 0;
	c = jp_c(&p);
	pos = jsfmt_length(text, p.i);
	if (c == -1)
		snprintf(buf, buflen, "Unexpected end of JSON input");
	else if (c == '-' || digit(c))
		snprintf(buf, buflen,
		    "Unexpected number in JSON at position %zu", pos);
	else if (c == '"')
		snprintf(buf, buflen,
		    "Unexpected string in JSON at position %zu", pos);
	else {
		if (c >= 0xF0)
			/* V8 names one UTF-16 unit: half of this pair */
			text = "\xEF\xBF\xBD", p.i = 0, clen = 3;
		else if (c >= 0xE0)
			clen = 3;
		else if (c >= 0xC0)
			clen = 2;
		if (p.i + clen > len)
			clen = len - p.i;
		snprintf(buf, buflen,
		    "Unexpected token %.*s in JSON at position %zu", (int)clen,
		    text + p.i, pos);
	}
	return -1;
}
