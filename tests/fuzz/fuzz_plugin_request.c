/*
 * fuzz_plugin_request.c: a Docker VolumeDriver request as plugin/http.c
 * hands it to plugin/protocol.c: the endpoint (first line: it decides
 * what the body must hold, as http.c's route table does) and the body
 * (the rest).  Properties: a body that parses gives a valid name and ID
 * where they are needed; Create options survive their round trip through
 * the VAPI labels; every reply and error body is a JSON object.
 */
#include <json-c/json.h>

#include "fuzz.h"
#include "jsonx.h"
#include "parse.h"
#include "protocol.h"
#include "state.h"

static const struct {
	const char *path;
	int need;
} routes[] = {
    {"/Plugin.Activate", 0},
    {"/VolumeDriver.Capabilities", 0},
    {"/VolumeDriver.Create", PROTO_NEED_NAME},
    {"/VolumeDriver.Remove", PROTO_NEED_NAME},
    {"/VolumeDriver.Get", PROTO_NEED_NAME},
    {"/VolumeDriver.List", 0},
    {"/VolumeDriver.Path", PROTO_NEED_NAME},
    {"/VolumeDriver.Mount", PROTO_NEED_NAME | PROTO_NEED_ID},
    {"/VolumeDriver.Unmount", PROTO_NEED_NAME | PROTO_NEED_ID},
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* A reply as the plugin sends it must read back as a JSON object. */
static void
check_object_text(const char *text)
{
	json_object *o;

	FUZZ_CHECK(text != NULL);
	o = jsonx_parse(text, strlen(text), 32, NULL);
	FUZZ_CHECK(o != NULL && json_object_is_type(o, json_type_object));
	json_object_put(o);
}

static void
check_reply(json_object *reply)
{
	char *text;

	FUZZ_CHECK(reply != NULL);
	text = jsonx_to_string(reply);
	check_object_text(text);
	free(text);
	json_object_put(reply);
}

static void
create_opts(struct proto_req *rq)
{
	struct create_opts co;
	struct volume_opts from;
	struct tnfs_err err;
	json_object *labels;

	tnfs_err_clear(&err);
	if (proto_parse_create_opts(rq->opts, &co, &err) == -1) {
		char *body = proto_err_body(&err);

		FUZZ_CHECK(tnfs_err_isset(&err));
		check_object_text(body);
		free(body);
		return;
	}
	FUZZ_CHECK(!co.has_size || co.size_mib > 0);
	/* Other hosts read the options back from the labels. */
	labels = proto_opts_to_labels(&co.vol);
	FUZZ_CHECK(labels != NULL);
	proto_opts_from_labels(labels, &from);
	json_object_put(labels);
	FUZZ_CHECK(memcmp(&from, &co.vol, sizeof(from)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_req rq;
	struct proto_volume v;
	struct tnfs_err err;
	char *path = fuzz_field(&data, &size, '\n');
	int need = PROTO_NEED_NAME | PROTO_NEED_ID;
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(path, routes[i].path) == 0)
			need = routes[i].need;
	tnfs_err_clear(&err);
	if (proto_parse(size > 0 ? (const char *)data : NULL, size, need, &rq,
		&err) == -1) {
		char *body = proto_err_body(&err);

		FUZZ_CHECK(tnfs_err_isset(&err));
		check_object_text(body);
		free(body);
		free(path);
		return 0;
	}
	if (need & PROTO_NEED_NAME)
		FUZZ_CHECK(tnfs_name_check(rq.name, NULL) == 0);
	if (need & PROTO_NEED_ID)
		FUZZ_CHECK(state_id_valid(rq.id));
	if (strcmp(path, "/VolumeDriver.Create") == 0)
		create_opts(&rq);
	/* The replies that carry what the request named. */
	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "%s", rq.name);
	snprintf(v.mountpoint, sizeof(v.mountpoint), "/mnt/%s", rq.name);
	snprintf(v.state, sizeof(v.state), "unmounted");
	v.backend = "kernel";
	check_reply(proto_get_reply(&v, NULL));
	check_reply(proto_mountpoint_reply(v.mountpoint, NULL));
	proto_req_clear(&rq);
	free(path);
	return 0;
}
