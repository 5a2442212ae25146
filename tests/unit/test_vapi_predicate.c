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
    {"[]", NULL}, /* krill: an empty array is a trivial predicate */
    {"null", "VError: predicate null: must be an object"},
    {"{\"and\":[{},{}]}", NULL},
    {"{\"eq\":[\"size\",1.5]}", NULL},
    {"{\"lt\":[\"size\",1e300]}", NULL},
    /* hostile: each with VOLAPI's message, word for word */
    {"", "VError: Could not parse JSON predicate : Unexpected end of JSON "
	 "input"},
    {"{", "VError: Could not parse JSON predicate {: Unexpected end of JSON "
	  "input"},
    {"invalid", "Unexpected token i in JSON at position 0"},
    {"{\"eq\":[1,]}", "Unexpected token ] in JSON at position 9"},
    {"01", "Unexpected number in JSON at position 1"},
    {"{\"a\" \"b\"}", "Unexpected string in JSON at position 5"},
    {"\"eq\"", "VError: predicate 'eq': must be an object"},
    {"[1,2]", "VError: predicate \"[ 1, 2 ]\": expected one key, but found 2"},
    {"{\"eq\":[\"owner_uuid\",\"x\"]}",
	"VError: predicate { eq: [ 'owner_uuid', 'x' ] }: field "
	"\"owner_uuid\" is not defined"},
    {"{\"eq\":[\"size\",\"10240\"]}",
	"VError: predicate { eq: [ 'size', '10240' ] }: field \"size\" value "
	"(\"'10240'\") expected \"number\", but got \"string\""},
    {"{\"eq\":[\"name\",5]}", "field \"name\" value (\"5\") expected "
			      "\"string\", but got \"number\""},
    {"{\"eq\":[\"dangling\",\"true\"]}",
	"expected \"boolean\", but got \"string\""},
    {"{\"lt\":[\"name\",\"ab\"]}",
	"VError: predicate { lt: [ 'name', 'ab' ] }: operator \"lt\" cannot "
	"be applied to fields of type \"string\""},
    {"{\"gt\":[\"size\",\"1\"]}",
	"operator \"gt\" cannot be applied to fields of type \"string\""},
    {"{\"eq\":[\"invalid-pred\",null]}",
	"VError: predicate { eq: [ 'invalid-pred', null ] }: field "
	"\"invalid-pred\" is not a string, number, or boolean"},
    {"{\"and\":[{\"eq\":[\"name\",\"ab\"]}]}",
	"VError: predicate { and: [ { eq: [ 'name', 'ab' ] } ] }: operator "
	"\"and\": expected at least 2 elements in array"},
    {"{\"or\":[]}", "VError: predicate { or: [] }: operator \"or\": "
		    "expected at least 2 elements in array"},
    {"{\"or\":null}", "VError: predicate { or: null }: expected \"or\" in "
			"logical expression"},
    {"{\"and\":{}}",
	"VError: predicate { and: {} }: operator \"and\": expected array"},
    {"{\"like\":[\"name\",\"ab\"]}", "unknown operator \"like\""},
    {"{\"eq\":[\"name\",\"ab\"],\"ne\":[\"name\",\"cd\"]}",
	"expected one key, but found 2"},
    {"{\"eq\":[\"name\"]}", "\"eq\" array must have 2 elements"},
    {"{\"eq\":[5,\"ab\"]}", "field \"eq\" is not a string"},
    {"{\"eq\":0}", "VError: predicate { eq: 0 }: missing key \"eq\""},
    {"{\"toString\":[1,2]}",
	"TypeError: krillOps[key].validate is not a function"},
    {"{\"eq\":[\"toString\",1]}",
	"field \"toString\" value (\"1\") expected \"function toString() { "
	"[native code] }\", but got \"number\""},
    {"{\"eq\":[\"name\",\"a*\"]}",
	"Error: Invalid values in predicate: Error: volume name must match "
	"/^[a-zA-Z0-9][a-zA-Z0-9_\\.\\-]+$/"},
    {"{\"eq\":[\"state\",\"deleted\"]}",
	"Invalid values in predicate: Error: Volume state: deleted is "
	"invalid"},
    {"{\"eq\":[\"type\",\"nfs\"]}", "Error: Volume type: nfs is not supported"},
    {"{\"eq\":[\"uuid\",\"x\"]}", "Error: x is not a valid uuid UUID"},
    {"{\"eq\":[\"network\",\"x\"]}",
	"Error: x is not a valid volume network UUID"},
    {"{\"eq\":[\"size\",0]}", "Error: Volume size: \"0\" is not a valid "
			      "volume size. Size must be a number > 0"},
    {"{\"and\":[{\"eq\":[\"type\",\"a\"]},{\"eq\":[\"uuid\",\"b\"]},{\"eq\":"
     "[\"type\",\"c\"]}]}",
	"Error: Invalid values in predicate: Error: Volume type: a is not "
	"supported,Error: Volume type: c is not supported,Error: b is not a "
	"valid uuid UUID"},
    /* a value that reads like the separator stays as it was given */
    {"{\"or\":[{\"eq\":[\"network\",\"a, Error: b\"]},{\"eq\":[\"network\","
     "\"c\"]}]}",
	"Error: Invalid values in predicate: Error: a, Error: b is not a "
	"valid volume network UUID,Error: c is not a valid volume network "
	"UUID"},
    {"{\"eq\":[\"state\",\"x, Error: y\"]}",
	"Error: Invalid values in predicate: Error: Volume state: x, Error: "
	"y is invalid"},
    /* deeper than the VAPI parses (JSON.parse would take it) */
    {"{\"and\":[{\"and\":[{\"and\":[{\"and\":[{\"and\":[{\"and\":[{\"and\":[{"
     "\"and\":[{\"and\":[{}]}]}]}]}]}]}]}]}]}",
	"nested deeper than 16 levels"},
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
	/* a fractional bound selects what JavaScript's comparison does */
	ck_assert(!matches("{\"eq\":[\"size\",20480.5]}", v, 0));
	ck_assert(matches("{\"ne\":[\"size\",20480.5]}", v, 0));
	ck_assert(matches("{\"lt\":[\"size\",20480.5]}", v, 0));
	ck_assert(matches("{\"le\":[\"size\",20480.5]}", v, 0));
	ck_assert(!matches("{\"gt\":[\"size\",20480.5]}", v, 0));
	ck_assert(!matches("{\"ge\":[\"size\",20480.5]}", v, 0));
	ck_assert(matches("{\"gt\":[\"size\",20479.5]}", v, 0));
	ck_assert(matches("{\"ge\":[\"size\",20479.5]}", v, 0));
	ck_assert(!matches("{\"le\":[\"size\",20479.5]}", v, 0));
	ck_assert(matches("{\"lt\":[\"size\",1e300]}", v, 0));
	ck_assert(!matches("{\"gt\":[\"size\",1e300]}", v, 0));
	ck_assert(!matches("{\"eq\":[\"size\",1e300]}", v, 0));
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
