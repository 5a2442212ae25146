/*
 * test_plugin_protocol.c: request bodies and Create options (protocol.h),
 * table-driven with the hostile cases next to the good ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "jsonx.h"
#include "protocol.h"

static const struct {
	const char *body;
	int need;
	int ok;
	const char *code; /* expected error code when !ok */
} parse_cases[] = {
    {"", 0, 1, NULL},     /* Activate */
    {"{}\n", 0, 1, NULL}, /* List, Capabilities */
    {"  \n", 0, 1, NULL},
    {"", PROTO_NEED_NAME, 0, "BadRequest"}, /* drained retry */
    {"{\"Name\":\"v1\"}\n", PROTO_NEED_NAME, 1, NULL},
    {"{\"Name\":\"v1\",\"Opts\":null}", PROTO_NEED_NAME, 1, NULL},
    {"{\"Name\":\"v1\",\"Opts\":{}}", PROTO_NEED_NAME, 1, NULL},
    {"{\"Name\":\"v1\",\"Extra\":[1,2,{}]}", PROTO_NEED_NAME, 1, NULL},
    {"{\"Name\":\"v1\",\"ID\":\"0123abcdef\"}", PROTO_NEED_NAME | PROTO_NEED_ID,
	1, NULL},
    {"not json", PROTO_NEED_NAME, 0, "BadRequest"},
    {"[]", PROTO_NEED_NAME, 0, "BadRequest"},
    {"\"v1\"", PROTO_NEED_NAME, 0, "BadRequest"},
    {"null", PROTO_NEED_NAME, 0, "BadRequest"},
    {"{\"Name\":\"v1\"", PROTO_NEED_NAME, 0, "BadRequest"},
    {"{\"Name\":\"v1\"} {}", PROTO_NEED_NAME, 0, "BadRequest"},
    {"{'Name':'v1'}", PROTO_NEED_NAME, 0, "BadRequest"},
    {"{}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"name\":\"v1\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":1}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":null}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"a\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"../etc\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"a/b\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\".hidden\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"v\\u00001\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"v\\u00e9\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"v 1\"}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"v1\"}", PROTO_NEED_NAME | PROTO_NEED_ID, 0,
	"ValidationError"},
    {"{\"Name\":\"v1\",\"ID\":\"\"}", PROTO_NEED_NAME | PROTO_NEED_ID, 0,
	"ValidationError"},
    {"{\"Name\":\"v1\",\"ID\":\"a/b\"}", PROTO_NEED_NAME | PROTO_NEED_ID, 0,
	"ValidationError"},
    {"{\"Name\":\"v1\",\"ID\":5}", PROTO_NEED_NAME | PROTO_NEED_ID, 0,
	"ValidationError"},
    {"{\"Name\":\"v1\",\"Opts\":[]}", PROTO_NEED_NAME, 0, "ValidationError"},
    {"{\"Name\":\"v1\",\"Opts\":\"size=1\"}", PROTO_NEED_NAME, 0,
	"ValidationError"},
};

START_TEST(test_parse_table)
{
	struct proto_req rq;
	struct tnfs_err err;
	int rc;

	tnfs_err_clear(&err);
	rc = proto_parse(parse_cases[_i].body, strlen(parse_cases[_i].body),
	    parse_cases[_i].need, &rq, &err);
	ck_assert_msg((rc == 0) == parse_cases[_i].ok, "case %d (%s): %s", _i,
	    parse_cases[_i].body, err.msg);
	if (!parse_cases[_i].ok)
		ck_assert_str_eq(err.code, parse_cases[_i].code);
	proto_req_clear(&rq);
}
END_TEST

START_TEST(test_parse_oversized_body)
{
	size_t len = PROTO_BODY_MAX + 1;
	char *big = malloc(len);
	struct proto_req rq;
	struct tnfs_err err;

	memset(big, ' ', len);
	ck_assert_int_eq(proto_parse(big, len, PROTO_NEED_NAME, &rq, &err), -1);
	ck_assert_str_eq(err.code, "RequestTooLarge");
	free(big);
}
END_TEST

START_TEST(test_parse_name_echoed_and_id_kept)
{
	struct proto_req rq;
	struct tnfs_err err;
	const char *b = "{\"Name\":\"My.Vol-1_x\",\"ID\":\"ab12\"}";

	ck_assert_int_eq(proto_parse(b, strlen(b),
			     PROTO_NEED_NAME | PROTO_NEED_ID, &rq, &err),
	    0);
	ck_assert_str_eq(rq.name, "My.Vol-1_x");
	ck_assert_str_eq(rq.id, "ab12");
	proto_req_clear(&rq);
}
END_TEST

static const struct {
	const char *opts;
	int ok;
	const char *msg_has;
} opt_cases[] = {
    {"{}", 1, NULL},
    {"{\"size\":\"20G\"}", 1, NULL},
    {"{\"size\":\"512M\",\"network\":\"mynet\",\"ro\":\"true\","
     "\"nfsvers\":\"4.1\",\"uid\":\"1000\",\"gid\":\"0\",\"mode\":\"2775\"}",
	1, NULL},
    {"{\"bogus\":\"1\"}", 0, "known options: size, network"},
    {"{\"Size\":\"10G\"}", 0, "unknown option Size"},
    {"{\"size\":\"\"}", 0, "size"},
    {"{\"size\":\"-1G\"}", 0, "size"},
    {"{\"size\":\"10Q\"}", 0, "size"},
    {"{\"size\":\"99999999999999999999G\"}", 0, "size"},
    {"{\"size\":10}", 0, "must be a string"},
    {"{\"ro\":\"maybe\"}", 0, "ro"},
    {"{\"nfsvers\":\"2\"}", 0, "nfsvers"},
    {"{\"nfsvers\":\"4.3\"}", 0, "nfsvers"},
    {"{\"uid\":\"-1\"}", 0, "uid"},
    {"{\"uid\":\"4294967295\"}", 0, "uid"},
    {"{\"gid\":\"abc\"}", 0, "gid"},
    {"{\"mode\":\"0999\"}", 0, "mode"},
    {"{\"mode\":\"17777\"}", 0, "mode"},
    {"{\"mode\":\"\"}", 0, "mode"},
    {"{\"network\":\"\"}", 0, "network"},
    {"{\"ro\":null}", 0, "must be a string"},
    {"{\"from\":\"data@before\",\"size\":\"20G\"}", 1, NULL},
    {"{\"from\":\"@\"}", 0, "option from: clone source: the volume"},
    {"{\"from\":\"a@\"}", 0, "option from: clone source: volume name"},
    {"{\"from\":\"data@\"}", 0, "option from: clone source: snapshot"},
    {"{\"from\":\"data\"}", 0, "expected VOLUME@SNAPSHOT"},
    {"{\"from\":\"\"}", 0, "option from: clone source is empty"},
    {"{\"from\":\"d@t@s\"}", 0, "expected VOLUME@SNAPSHOT"},
    {"{\"from\":\"data@../../etc\"}", 0, "snapshot name must match"},
    {"{\"from\":\"../data@s\"}", 0, "volume name must match"},
    {"{\"from\":\"data@s;reboot\"}", 0, "snapshot name must match"},
    {"{\"from\":\"data@s\\u0000x\"}", 0, "NUL byte"},
    {"{\"from\":\"data@"
     "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss\"}",
	0, "snapshot name is too long"},
    {"{\"from\":[\"data@s\"]}", 0, "must be a string"},
    {"{\"affinity\":\"volume!=db*\"}", 1, NULL},
    {"{\"affinity\":\"volume!=db,label:tier==~/^gold/\"}", 1, NULL},
    {"{\"affinity\":\"\"}", 0, "option affinity: affinity"},
    {"{\"affinity\":\"volume=db\"}", 0, "must be KEY==VALUE"},
    {"{\"affinity\":\"volume!=db,\"}", 0, "option affinity"},
    {"{\"affinity\":\"vol ume!=db\"}", 0, "the key may hold"},
    {"{\"affinity\":\"volume==a\\u0001\"}", 0, "printable"},
    {"{\"affinity\":\"a==1,a==2,a==3,a==4,a==5,a==6,a==7,a==8,a==9,"
     "a==10,a==11,a==12,a==13,a==14,a==15,a==16,a==17\"}",
	0, "at most 16 rules"},
    {"{\"affinity\":[\"volume!=db\"]}", 0, "must be a string"},
};

START_TEST(test_create_opts_table)
{
	json_object *o = json_tokener_parse(opt_cases[_i].opts);
	struct create_opts co;
	struct tnfs_err err;
	int rc;

	ck_assert_ptr_nonnull(o);
	tnfs_err_clear(&err);
	rc = proto_parse_create_opts(o, &co, &err);
	ck_assert_msg((rc == 0) == opt_cases[_i].ok, "case %d (%s): %s", _i,
	    opt_cases[_i].opts, err.msg);
	if (!opt_cases[_i].ok)
		ck_assert_msg(strstr(err.msg, opt_cases[_i].msg_has) != NULL,
		    "case %d: message \"%s\" lacks \"%s\"", _i, err.msg,
		    opt_cases[_i].msg_has);
	json_object_put(o);
}
END_TEST

START_TEST(test_create_opts_values_and_labels_round_trip)
{
	json_object *o = json_tokener_parse(opt_cases[2].opts), *labels;
	struct create_opts co;
	struct volume_opts back;
	struct tnfs_err err;

	ck_assert_int_eq(proto_parse_create_opts(o, &co, &err), 0);
	ck_assert_int_eq(co.has_size, 1);
	ck_assert_uint_eq(co.size_mib, 512);
	ck_assert_str_eq(co.network, "mynet");
	ck_assert_int_eq(co.vol.ro, 1);
	ck_assert_str_eq(co.vol.nfsvers, "4.1");
	ck_assert_uint_eq(co.vol.uid, 1000);
	ck_assert_uint_eq(co.vol.mode, 02775);
	labels = proto_opts_to_labels(&co.vol);
	ck_assert_ptr_nonnull(labels);
	proto_opts_from_labels(labels, &back);
	ck_assert_int_eq(back.ro, 1);
	ck_assert_str_eq(back.nfsvers, "4.1");
	ck_assert_int_eq(back.has_gid, 1);
	ck_assert_uint_eq(back.gid, 0);
	ck_assert_uint_eq(back.mode, 02775);
	json_object_put(labels);
	json_object_put(o);
	o = json_tokener_parse(opt_cases[21].opts);
	ck_assert_int_eq(proto_parse_create_opts(o, &co, &err), 0);
	ck_assert_str_eq(co.from_volume, "data");
	ck_assert_str_eq(co.from_snapshot, "before");
	json_object_put(o);
	/* Hostile labels from another VAPI client fall back to defaults. */
	labels = json_tokener_parse("{\"tritonnfs.nfsvers\":\"9\"}");
	proto_opts_from_labels(labels, &back);
	ck_assert_str_eq(back.nfsvers, "auto");
	json_object_put(labels);
	proto_opts_from_labels(NULL, &back);
	ck_assert_int_eq(back.ro, 0);
}
END_TEST

START_TEST(test_err_body_is_docker_shape)
{
	struct tnfs_err err;
	char *body;

	tnfs_err_set(&err, TNFS_E_IN_USE, "volume v is in use");
	body = proto_err_body(&err);
	ck_assert_str_eq(body, "{\"Err\":\"tritonnfs: volume v is in use\"}");
	free(body);
	{
		json_object *a = json_tokener_parse(PROTO_ACTIVATE_REPLY);
		json_object *c = json_tokener_parse(PROTO_CAPABILITIES_REPLY);

		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(c);
		json_object_put(a);
		json_object_put(c);
	}
}
END_TEST

static char *
text_of(json_object *o)
{
	char *t;

	/* The text the server sends (http.c). */
	ck_assert_ptr_nonnull(o);
	t = jsonx_to_string(o);
	json_object_put(o);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Get's Volume: Mountpoint only while mounted, Status with our keys. */
START_TEST(test_get_reply_shape)
{
	struct proto_volume v;
	struct tnfs_err err;
	char *t;

	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "wp");
	snprintf(v.state, sizeof(v.state), "unmounted");
	snprintf(v.vapi_state, sizeof(v.vapi_state), "ready");
	snprintf(
	    v.uuid, sizeof(v.uuid), "11111111-2222-3333-4444-555555555555");
	snprintf(v.nfsvers, sizeof(v.nfsvers), "3");
	v.backend = "fuse";
	v.created_ms = 1510853516763LL;
	t = text_of(proto_get_reply(&v, &err));
	ck_assert_str_eq(t,
	    "{\"Volume\":{\"Name\":\"wp\",\"CreatedAt\":"
	    "\"2017-11-16T17:31:56.763Z\",\"Status\":{\"state\":"
	    "\"unmounted\",\"vapi_state\":\"ready\",\"uuid\":"
	    "\"11111111-2222-3333-4444-555555555555\",\"mounted\":false,"
	    "\"ids\":0,\"options\":\"nfsvers=3,rw\",\"backend\":\"fuse\","
	    "\"hosts\":\"\",\"last_error\":\"\"}}}");
	free(t);

	snprintf(v.mountpoint, sizeof(v.mountpoint), "/m/wp");
	snprintf(v.state, sizeof(v.state), "mounted");
	snprintf(v.server, sizeof(v.server), "10.0.0.5");
	snprintf(v.export, sizeof(v.export), "/e/wp");
	snprintf(v.mount, sizeof(v.mount), "fuse.tritonnfs 10.0.0.5:/e/wp rw");
	snprintf(v.last_error, sizeof(v.last_error), "a \"quoted\" error");
	v.vapi_state[0] = '\0';
	v.mounted = 1;
	v.nids = 2;
	v.ro = 1;
	v.size_mib = 10240;
	t = text_of(proto_get_reply(&v, &err));
	ck_assert_msg(strstr(t,
			  "\"Name\":\"wp\",\"Mountpoint\":\"/m/wp\","
			  "\"CreatedAt\"") != NULL,
	    "%s", t);
	ck_assert(strstr(t, "\"vapi_state\":\"unknown\"") != NULL);
	ck_assert(
	    strstr(t, "\"server\":\"10.0.0.5\",\"export\":\"/e/wp\"") != NULL);
	ck_assert(strstr(t, "\"size\":\"10G\"") != NULL);
	ck_assert(strstr(t, "\"mounted\":true,\"ids\":2") != NULL);
	ck_assert(strstr(t, "\"options\":\"nfsvers=3,ro\"") != NULL);
	ck_assert(strstr(t, "\"mount\":\"fuse.tritonnfs 10.0.0.5:/e/wp rw\"") !=
	    NULL);
	ck_assert(
	    strstr(t, "\"last_error\":\"a \\\"quoted\\\" error\"") != NULL);
	free(t);
}
END_TEST

/* List's text is json-c's text, whatever the names and paths hold. */
START_TEST(test_list_text_matches_the_tree)
{
	static const char *const names[] = {"plain", "with \"quotes\"",
	    "back\\slash", "ctl\x01\x1f\b\f\n\r\t", "slash/es",
	    "utf-8 \xc3\xa9\xe2\x82\xac", "\x7f", ""};
	size_t n = sizeof(names) / sizeof(names[0]), i, len;
	struct proto_volume_list l = {calloc(n, sizeof(*l.items)), n};
	struct tnfs_err err;
	char *tree, *text;

	ck_assert_ptr_nonnull(l.items);
	for (i = 0; i < n; i++) {
		l.items[i].name = strdup(names[i]);
		if (i % 2 == 0)
			l.items[i].mountpoint = strdup(names[n - 1 - i]);
	}
	tree = text_of(proto_list_reply(&l, &err));
	text = proto_list_text(&l, &len);
	ck_assert_str_eq(text, tree);
	ck_assert_uint_eq(len, strlen(tree));
	free(tree);
	free(text);
	proto_volume_list_clear(&l);
}
END_TEST

START_TEST(test_list_and_mountpoint_replies)
{
	struct proto_volume_entry e[2] = {
	    {strdup("a"), NULL}, {strdup("b"), strdup("/m/b")}};
	struct proto_volume_list l = {NULL, 0};
	struct tnfs_err err;
	char *t;
	size_t len;

	t = text_of(proto_list_reply(&l, &err));
	ck_assert_str_eq(t, "{\"Volumes\":[]}");
	free(t);
	l.items = malloc(sizeof(e));
	memcpy(l.items, e, sizeof(e));
	l.n = 2;
	t = text_of(proto_list_reply(&l, &err));
	ck_assert_str_eq(t,
	    "{\"Volumes\":[{\"Name\":\"a\"},{\"Name\":"
	    "\"b\",\"Mountpoint\":\"/m/b\"}]}");
	free(t);
	t = proto_list_text(&l, &len);
	ck_assert_str_eq(t,
	    "{\"Volumes\":[{\"Name\":\"a\"},{\"Name\":"
	    "\"b\",\"Mountpoint\":\"/m/b\"}]}");
	ck_assert_uint_eq(len, strlen(t));
	free(t);
	proto_volume_list_clear(&l);
	ck_assert_ptr_null(l.items);
	ck_assert_uint_eq(l.n, 0);
	proto_volume_list_clear(&l);
	t = text_of(proto_mountpoint_reply("", &err));
	ck_assert_str_eq(t, "{\"Mountpoint\":\"\"}");
	free(t);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("plugin_protocol");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_table, 0,
	    (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
	tcase_add_test(tc, test_parse_oversized_body);
	tcase_add_test(tc, test_parse_name_echoed_and_id_kept);
	tcase_add_loop_test(tc, test_create_opts_table, 0,
	    (int)(sizeof(opt_cases) / sizeof(opt_cases[0])));
	tcase_add_test(tc, test_create_opts_values_and_labels_round_trip);
	tcase_add_test(tc, test_err_body_is_docker_shape);
	tcase_add_test(tc, test_get_reply_shape);
	tcase_add_test(tc, test_list_and_mountpoint_replies);
	tcase_add_test(tc, test_list_text_matches_the_tree);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
