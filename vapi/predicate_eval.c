/*
 * predicate_eval.c: what a parsed predicate says about volumes: the fields
 * it mentions, whether a volume matches it (volume_filter.c asks, for the
 * stores that leave a filter to C), and the name search's '*' wildcards.
 */
#include <stdlib.h>
#include <string.h>

#include "predicate_impl.h"

static void
fields_walk(const struct predicate *p, const char **out, size_t *n, size_t max)
{
	size_t i;

	if (p->op == P_AND || p->op == P_OR) {
		for (i = 0; i < p->nkids; i++)
			fields_walk(p->kids[i], out, n, max);
		return;
	}
	if (p->op == P_TRUE)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(out[i], p->field) == 0)
			return;
	if (*n < max)
		out[(*n)++] = p->field;
}

size_t
predicate_fields(const struct predicate *p, const char **out, size_t max)
{
	size_t n = 0;

	fields_walk(p, out, &n, max);
	return n;
}

int
predicate_uses(const struct predicate *p, const char *field)
{
	size_t i;

	if (p == NULL)
		return 0;
	if (p->op == P_AND || p->op == P_OR) {
		for (i = 0; i < p->nkids; i++)
			if (predicate_uses(p->kids[i], field))
				return 1;
		return 0;
	}
	return p->op != P_TRUE && strcmp(p->field, field) == 0;
}

static int
live_refs(const struct volume *v, const struct ref_clock *clk)
{
	size_t i;
	int n = 0;

	for (i = 0; i < v->nrefs; i++)
		n += volume_ref_live(&v->refs[i], clk);
	return n;
}

int
predicate_match(const struct predicate *p, const struct volume *v,
    const struct ref_clock *clk)
{
	const char *s = NULL;
	size_t i;
	int eq;

	switch (p->op) {
	case P_TRUE:
		return 1;
	case P_AND:
		for (i = 0; i < p->nkids; i++)
			if (!predicate_match(p->kids[i], v, clk))
				return 0;
		return 1;
	case P_OR:
		for (i = 0; i < p->nkids; i++)
			if (predicate_match(p->kids[i], v, clk))
				return 1;
		return 0;
	default:
		break;
	}
	if (p->type == F_NUMBER) {
		int64_t x = (int64_t)v->size;

		switch (p->op) {
		case P_EQ:
			return x == p->num;
		case P_NE:
			return x != p->num;
		case P_LT:
			return x < p->num;
		case P_LE:
			return x <= p->num;
		case P_GT:
			return x > p->num;
		case P_GE:
			return x >= p->num;
		default:
			return 0;
		}
	}
	if (p->type == F_BOOLEAN) /* dangling: no live reference */
		eq = (live_refs(v, clk) == 0) == p->boolean;
	else if (strcmp(p->field, "network") == 0)
		eq = volume_has_network(v, p->str);
	else {
		if (strcmp(p->field, "name") == 0)
			s = v->name;
		else if (strcmp(p->field, "state") == 0)
			s = v->state;
		else if (strcmp(p->field, "type") == 0)
			s = v->type;
		else
			s = v->uuid;
		eq = strcmp(s, p->str) == 0;
	}
	return p->op == P_EQ ? eq : !eq;
}

int
name_pattern_check(const char *pattern, struct causes *c)
{
	size_t len = strlen(pattern), i, start = 0, end = len;

	if (len > 0 && pattern[0] == '*')
		start = 1;
	if (end > start && pattern[end - 1] == '*')
		end--;
	if (end <= start || len > 258)
		goto bad;
	for (i = start; i < end; i++) {
		char ch = pattern[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
			ch == '-'))
			goto bad;
	}
	return 0;
bad:
	causes_add(c, "invalid value for name search parameter");
	return -1;
}

int
name_pattern_match(const char *pattern, const char *name)
{
	size_t plen = strlen(pattern), nlen = strlen(name), clen;
	int lead = plen > 0 && pattern[0] == '*';
	int trail = plen > (size_t)lead && pattern[plen - 1] == '*';
	const char *core = pattern + lead;

	clen = plen - (size_t)lead - (size_t)trail;
	if (lead && trail) {
		/* substring: memmem on a bounded core */
		size_t i;

		for (i = 0; i + clen <= nlen; i++)
			if (strncmp(name + i, core, clen) == 0)
				return 1;
		return 0;
	}
	if (lead)
		return nlen >= clen &&
		    strncmp(name + nlen - clen, core, clen) == 0;
	if (trail)
		return nlen >= clen && strncmp(name, core, clen) == 0;
	return strcmp(name, pattern) == 0;
}
