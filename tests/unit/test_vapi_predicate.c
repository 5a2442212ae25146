/*
 * test_vapi_predicate.c: the krill subset of ListVolumes (parse, reject,
 * evaluate) and name wildcards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "predicate.h"

static const char *const NET1[] = {"0a0a0a0a-0000-4000-8000-0000000000ff"};

static const struct {
	const char *text;
	const char *cause; /* NULL: valid */
} parses[] = {
    {"{}", NULL},
    {"{\"eq\":[\"name\",\"wp\"]}", NULL},
    {"{\"ne\":[\"state\",\"failed\"]}", NULL},
    {"{\"gt\":[\"size\",10240]}", NULL},
    {"{\"eq\":[\"dangling\",true]}", NULL},
    {"{\"eq\":[\"type\",\"tritonnfs\"]}", NULL},
    {"{\"eq\":[\"network\",\"0a0a0a0a-0000-4000-8000-000000000001\"]}", NULL},
    {"{\"and\":[{\"eq\":[\"name\",\"ab\"]},{\"or\":[{\"lt\":[\"size\",5]},"
     "{\"ge\":[\"size\",9]}]}]}",
	NULL},
    /* hostile */
    {"", "predicate is not valid JSON"},
    {"{", "predicate is not valid JSON"},
    {"[]", "predicate must be an object"},
    {"\"eq\"", "predicate must be an object"},
    {"{\"eq\":[\"owner_uuid\",\"x\"]}", "field \"owner_uuid\" is not defined"},
    {"{\"eq\":[\"size\",\"10240\"]}",
	"expected \"number\", but got \"string\""},
    {"{\"eq\":[\"size\",1.5]}", "expected \"number\", but got \"float\""},
    {"{\"eq\":[\"name\",5]}", "expected \"string\", but got \"number\""},
    {"{\"eq\":[\"dangling\",\"true\"]}",
	"expected \"boolean\", but got \"string\""},
    {"{\"lt\":[\"name\",\"ab\"]}", "applies to numbers only"},
    {"{\"and\":[{\"eq\":[\"name\",\"ab\"]}]}", "at least 2"},
    {"{\"or\":[]}", "at least 2"},
    {"{\"and\":{}}", "needs an array"},
    {"{\"like\":[\"name\",\"ab\"]}", "unknown predicate operator"},
    {"{\"eq\":[\"name\",\"ab\"],\"ne\":[\"name\",\"cd\"]}",
	"exactly one operator"},
    {"{\"eq\":[\"name\"]}", "needs [field, value]"},
    {"{\"eq\":[5,\"ab\"]}", "needs [field, value]"},
    {"{\"eq\":[\"name\",\"a*\"]}", "volume name must match"},
    {"{\"eq\":[\"state\",\"deleted\"]}", "Volume state: deleted is invalid"},
    {"{\"eq\":[\"type\",\"nfs\"]}", "Volume type: nfs is not supported"},
    {"{\"eq\":[\"uuid\",\"x\"]}", "x is not a valid uuid UUID"},
    {"{\"eq\":[\"size\",0]}", "Size must be a number > 0"},
    {"{\"and\":[{\"and\":[{\"and\":[{\"and\":[{\"and\":[{\"and\":[{\"and\":[{"
     "\"and\":[{\"and\":[{}]}]}]}]}]}]}]}]}]}",
	"predicate is not valid JSON"},
};

START_TEST(test_parse)
{
	struct predicate *p;
	struct causes c;

	causes_init(&c);
	p = predicate_parse(parses[_i].text, &c);
	if (parses[_i].cause == NULL) {
		ck_assert_msg(p != NULL, "%s: %s", parses[_i].text, c.text);
		ck_assert_int_eq(c.n, 0);
	} else {
		ck_assert_msg(p == NULL, "%s parsed", parses[_i].text);
		ck_assert_msg(strstr(c.text, parses[_i].cause) != NULL,
		    "%s: got %s", parses[_i].text, c.text);
	}
	predicate_free(p);
}
END_TEST

static struct volume *
vol(const char *name, uint64_t size, const char *state, size_t nrefs)
{
	struct volume *v = volume_new();
	size_t i;

	snprintf(v->uuid, sizeof(v->uuid),
	    "0a0a0a0a-0000-4000-8000-00000000000%zu", nrefs);
	v->name = strdup(name);
	v->size = size;
	snprintf(v->state, sizeof(v->state), "%s", state);
	snprintf(v->type, sizeof(v->type), "tritonnfs");
	ck_assert_int_eq(volume_set_networks(v, NET1, 1), 0);
	v->refs = calloc(nrefs + 1, sizeof(*v->refs));
	for (i = 0; i < nrefs; i++) {
		v->refs[i].renewed_ms = 1000;     /* stale before 2000 */
		v->refs[i].holder_seen_ms = 1000; /* a registered holder */
	}
	v->nrefs = nrefs;
	return v;
}

static int
matches(const char *text, const struct volume *v, int64_t after)
{
	struct causes c;
	struct predicate *p;
	int m;

	causes_init(&c);
	p = predicate_parse(text, &c);
	ck_assert_msg(p != NULL, "%s: %s", text, c.text);
	{
		/* The lease decides here; the holder's host stays alive. */
		struct ref_clock clk = {after, 0};

		m = predicate_match(p, v, &clk);
	}
	predicate_free(p);
	return m;
}

START_TEST(test_match)
{
	struct volume *v = vol("wp", 20480, "ready", 1);

	ck_assert(matches("{}", v, 0));
	ck_assert(matches("{\"eq\":[\"name\",\"wp\"]}", v, 0));
	ck_assert(!matches("{\"eq\":[\"name\",\"wq\"]}", v, 0));
	ck_assert(matches("{\"ne\":[\"state\",\"failed\"]}", v, 0));
	ck_assert(matches("{\"gt\":[\"size\",10240]}", v, 0));
	ck_assert(!matches("{\"lt\":[\"size\",20480]}", v, 0));
	ck_assert(matches("{\"le\":[\"size\",20480]}", v, 0));
	ck_assert(matches("{\"ge\":[\"size\",20480]}", v, 0));
	ck_assert(matches(
	    "{\"eq\":[\"network\",\"0a0a0a0a-0000-4000-8000-0000000000ff\"]}",
	    v, 0));
	ck_assert(matches(
	    "{\"ne\":[\"network\",\"0a0a0a0a-0000-4000-8000-0000000000fe\"]}",
	    v, 0));
	/* one live reference: not dangling; stale: dangling */
	ck_assert(matches("{\"eq\":[\"dangling\",false]}", v, 0));
	ck_assert(matches("{\"eq\":[\"dangling\",true]}", v, 2000));
	ck_assert(matches("{\"or\":[{\"eq\":[\"name\",\"x1\"]},"
			  "{\"eq\":[\"type\",\"tritonnfs\"]}]}",
	    v, 0));
	ck_assert(!matches("{\"and\":[{\"eq\":[\"name\",\"wp\"]},"
			   "{\"eq\":[\"state\",\"failed\"]}]}",
	    v, 0));
	volume_free(v);
}
END_TEST

START_TEST(test_uses)
{
	struct causes c;
	struct predicate *p;

	causes_init(&c);
	p = predicate_parse("{\"or\":[{\"eq\":[\"name\",\"ab\"]},"
			    "{\"gt\":[\"size\",3]}]}",
	    &c);
	ck_assert(predicate_uses(p, "name"));
	ck_assert(predicate_uses(p, "size"));
	ck_assert(!predicate_uses(p, "state"));
	predicate_free(p);
}
END_TEST

static const struct {
	const char *pattern;
	const char *name;
	int valid;
	int match;
} names[] = {
    {"wp", "wp", 1, 1},
    {"wp", "wp2", 1, 0},
    {"wp*", "wp-uploads", 1, 1},
    {"wp*", "xwp", 1, 0},
    {"*uploads", "wp-uploads", 1, 1},
    {"*uploads", "uploads-x", 1, 0},
    {"*-up*", "wp-uploads", 1, 1},
    {"*zz*", "wp-uploads", 1, 0},
    {"*wp*", "wp", 1, 1},
    {"a.b*", "a.bc", 1, 1},
    /* hostile */
    {"", "", 0, 0},
    {"*", "x", 0, 0},
    {"**", "x", 0, 0},
    {"a**", "a", 0, 0},
    {"a*b", "ab", 0, 0},
    {"a b", "ab", 0, 0},
    {"a/b", "ab", 0, 0},
    {"%", "ab", 0, 0},
    {"(name=*)", "ab", 0, 0},
    {"a?", "ab", 0, 0},
};

START_TEST(test_name_patterns)
{
	struct causes c;

	causes_init(&c);
	ck_assert_int_eq(
	    name_pattern_check(names[_i].pattern, &c) == 0, names[_i].valid);
	if (!names[_i].valid)
		ck_assert_str_eq(
		    c.text, "Error: invalid value for name search parameter");
	else
		ck_assert_int_eq(
		    name_pattern_match(names[_i].pattern, names[_i].name),
		    names[_i].match);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_predicate");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(
	    tc, test_parse, 0, sizeof(parses) / sizeof(parses[0]));
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_uses);
	tcase_add_loop_test(
	    tc, test_name_patterns, 0, sizeof(names) / sizeof(names[0]));
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
