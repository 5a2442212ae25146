/*
 * affinity.c: placement rules, from their text and from their parsed
 * form (affinity.h).
 */
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affinity.h"
#include "jsonx.h"
#include "parse.h"

static int
key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' ||
	    ch == ':';
}

json_object *
tnfs_affinity_rule_parse(const char *rule, struct tnfs_err *err)
{
	/* Longest first: "==~" must not be read as "==" and a "~" value. */
	static const char *const ops[] = {"==~", "!=~", "==", "!="};
	json_object *o = NULL;
	const char *op = NULL, *val, *type;
	char key[TNFS_AFFINITY_KEY_MAX + 1];
	size_t i, j, klen = 0, vlen;

	for (i = 0; rule[i] != '\0' && op == NULL; i++) {
		for (j = 0; j < sizeof(ops) / sizeof(ops[0]); j++) {
			if (strncmp(rule + i, ops[j], strlen(ops[j])) == 0) {
				op = ops[j];
				klen = i;
				break;
			}
		}
	}
	if (op == NULL || klen == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "affinity \"%.200s\" must be KEY==VALUE, KEY!=VALUE, "
		    "KEY==~VALUE or KEY!=~VALUE",
		    rule);
		return NULL;
	}
	if (klen > TNFS_AFFINITY_KEY_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "affinity key is longer than %d bytes",
		    TNFS_AFFINITY_KEY_MAX);
		return NULL;
	}
	for (i = 0; i < klen; i++) {
		if (!key_char(rule[i])) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "affinity \"%.200s\": the key may hold letters, "
			    "digits and _ - . : only",
			    rule);
			return NULL;
		}
	}
	memcpy(key, rule, klen);
	key[klen] = '\0';
	val = rule + klen + strlen(op);
	vlen = strlen(val);
	if (vlen == 0 || vlen > TNFS_AFFINITY_VALUE_MAX || tnfs_has_control(val)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "affinity \"%.200s\": the value must be 1-%d printable "
		    "bytes",
		    rule, TNFS_AFFINITY_VALUE_MAX);
		return NULL;
	}
	if (vlen > 2 && val[0] == '/' && val[vlen - 1] == '/')
		type = "re";
	else if (strchr(val, '*') != NULL || strchr(val, '?') != NULL)
		type = "glob";
	else
		type = "exact";
	if ((o = json_object_new_object()) == NULL ||
	    jsonx_add_str(o, "key", key) == -1 ||
	    jsonx_add_str(o, "operator", op[0] == '=' ? "==" : "!=") == -1 ||
	    jsonx_add_str(o, "value", val) == -1 ||
	    jsonx_add_bool(o, "isSoft", strlen(op) == 3) == -1 ||
	    jsonx_add_str(o, "valueType", type) == -1) {
		json_object_put(o);
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	return o;
}

json_object *
tnfs_affinity_list_parse(const char *text, struct tnfs_err *err)
{
	json_object *arr = json_object_new_array(), *o;
	char rule[TNFS_AFFINITY_KEY_MAX + TNFS_AFFINITY_VALUE_MAX + 8];
	const char *p = text, *comma;
	size_t len;

	if (arr == NULL)
		goto oom;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (json_object_array_length(arr) == TNFS_AFFINITY_RULES_MAX) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "affinity: at most %d rules",
			    TNFS_AFFINITY_RULES_MAX);
			goto fail;
		}
		if (len >= sizeof(rule)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "affinity \"%.40s...\" is longer than %zu bytes", p,
			    sizeof(rule) - 1);
			goto fail;
		}
		memcpy(rule, p, len);
		rule[len] = '\0';
		if ((o = tnfs_affinity_rule_parse(rule, err)) == NULL)
			goto fail;
		if (json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			goto oom;
		}
		if (comma == NULL)
			return arr;
		p = comma + 1;
	}
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
fail:
	json_object_put(arr);
	return NULL;
}

struct compiled {
	struct tnfs_affinity_rule r;
	char *value;
	int type; /* 'e'xact, 'g'lob, 'r'egex */
	regex_t re;
};

struct tnfs_affinity {
	struct compiled rules[TNFS_AFFINITY_RULES_MAX];
	size_t n;
};

static int
bad_rule(struct tnfs_err *err, size_t i, const char *why)
{
	tnfs_err_set(err, TNFS_E_VALIDATION, "affinity rule %zu: %s", i, why);
	return -1;
}

/* A member that must be a string of 1..max bytes, printable. */
static const char *
rule_str(json_object *o, const char *name, size_t max)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (s[0] == '\0' || strlen(s) > max ||
	    (size_t)json_object_get_string_len(v) != strlen(s) ||
	    tnfs_has_control(s))
		return NULL;
	return s;
}

static int
compile_one(json_object *o, size_t i, struct compiled *c, struct tnfs_err *err)
{
	const char *key, *op, *val, *type = NULL;
	json_object *v;
	size_t k, vlen;
	char *pat;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad_rule(err, i, "must be a string or an object");
	if ((key = rule_str(o, "key", TNFS_AFFINITY_KEY_MAX)) == NULL)
		return bad_rule(err, i,
		    "key must be a string of 1-127 printable bytes");
	for (k = 0; key[k] != '\0'; k++)
		if (!key_char(key[k]))
			return bad_rule(err, i,
			    "key may hold letters, digits and _ - . : only");
	if ((op = rule_str(o, "operator", 2)) == NULL ||
	    (strcmp(op, "==") != 0 && strcmp(op, "!=") != 0))
		return bad_rule(err, i, "operator must be \"==\" or \"!=\"");
	if ((val = rule_str(o, "value", TNFS_AFFINITY_VALUE_MAX)) == NULL)
		return bad_rule(err, i,
		    "value must be a string of 1-512 printable bytes");
	if (json_object_object_get_ex(o, "isSoft", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return bad_rule(err, i, "isSoft must be true or false");
		c->r.soft = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "valueType", &v) &&
	    (type = rule_str(o, "valueType", 5)) == NULL)
		return bad_rule(err, i, "valueType must be exact, glob or re");
	vlen = strlen(val);
	if (type == NULL && vlen > 2 && val[0] == '/' && val[vlen - 1] == '/')
		type = "re";
	else if (type == NULL && strpbrk(val, "*?") != NULL)
		type = "glob";
	else if (type == NULL)
		type = "exact";
	if (strcmp(type, "exact") != 0 && strcmp(type, "glob") != 0 &&
	    strcmp(type, "re") != 0)
		return bad_rule(err, i, "valueType must be exact, glob or re");
	c->r.equal = op[0] == '=';
	snprintf(c->r.text, sizeof(c->r.text), "%s%s%s%s", key, op,
	    c->r.soft ? "~" : "", val);
	if (strcmp(key, "volume") == 0)
		c->r.kind = TNFS_AFFINITY_VOLUME;
	else if (strcmp(key, "instance") == 0 || strcmp(key, "container") == 0)
		c->r.kind = TNFS_AFFINITY_INSTANCE;
	else
		c->r.kind = TNFS_AFFINITY_LABEL;
	if ((c->value = strdup(val)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	snprintf(c->r.label, sizeof(c->r.label), "%s",
	    strncmp(key, "label:", 6) == 0 ? key + 6 : key);
	if (c->r.label[0] == '\0')
		return bad_rule(err, i, "label: names no label");
	if (type[0] != 'r') {
		c->type = type[0];
		return 0;
	}
	/* The pattern between the slashes, when the value has them. */
	pat = c->value;
	if (vlen > 2 && pat[0] == '/' && pat[vlen - 1] == '/') {
		pat[vlen - 1] = '\0';
		pat++;
	}
	if ((rc = regcomp(&c->re, pat, REG_EXTENDED | REG_NOSUB)) != 0) {
		char why[128];

		regerror(rc, &c->re, why, sizeof(why));
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "affinity rule %zu (%.200s): bad regular expression: %s", i,
		    c->r.text, why);
		return -1;
	}
	c->type = 'r';
	return 0;
}

int
tnfs_affinity_compile(
    json_object *json, struct tnfs_affinity **out, struct tnfs_err *err)
{
	struct tnfs_affinity *a;
	size_t i, n;

	*out = NULL;
	if (!json_object_is_type(json, json_type_array)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "affinity must be an array of rules");
		return -1;
	}
	if ((n = json_object_array_length(json)) > TNFS_AFFINITY_RULES_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "affinity: at most %d rules", TNFS_AFFINITY_RULES_MAX);
		return -1;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(json, i), *parsed;
		int rc;

		a->n = i + 1;
		a->rules[i].type = 'e';
		/* CloudAPI's form: the rule's text, as users write it. */
		if (json_object_is_type(o, json_type_string)) {
			if ((parsed = tnfs_affinity_rule_parse(
				 json_object_get_string(o), err)) == NULL) {
				tnfs_err_prefix(err, "affinity rule %zu", i);
				tnfs_affinity_free(a);
				return -1;
			}
			rc = compile_one(parsed, i, &a->rules[i], err);
			json_object_put(parsed);
		} else {
			rc = compile_one(o, i, &a->rules[i], err);
		}
		if (rc == -1) {
			tnfs_affinity_free(a);
			return -1;
		}
	}
	*out = a;
	return 0;
}

void
tnfs_affinity_free(struct tnfs_affinity *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		if (a->rules[i].type == 'r')
			regfree(&a->rules[i].re);
		free(a->rules[i].value);
	}
	free(a);
}

size_t
tnfs_affinity_count(const struct tnfs_affinity *a)
{
	return a != NULL ? a->n : 0;
}

const struct tnfs_affinity_rule *
tnfs_affinity_rule(const struct tnfs_affinity *a, size_t i)
{
	return &a->rules[i].r;
}

int
tnfs_affinity_value_matches(
    const struct tnfs_affinity *a, size_t i, const char *s)
{
	const struct compiled *c = &a->rules[i];

	if (s == NULL)
		return 0;
	switch (c->type) {
	case 'g':
		return fnmatch(c->value, s, 0) == 0;
	case 'r':
		return regexec(&c->re, s, 0, NULL, 0) == 0;
	default:
		return strcmp(c->value, s) == 0;
	}
}
