/*
 * fuzz_parsers.c: the parsers of what users and clients type, each fed
 * the whole input: names, sizes, numbers, booleans, uuids and times
 * (lib/), the VOLAPI validators, ListVolumes predicates and name patterns
 * (vapi/validate.c, vapi/predicate.c), the export CIDRs and paths
 * (vapi/ganesha_conf.c) and Accept-Version (vapi/http.c).  Properties:
 * what a parser accepts, its formatter writes back the same way; a refusal
 * always says why; a predicate that parses matches without crashing.
 */
#include <json-c/json.h>

#include "fuzz.h"
#include "ganesha_conf.h"
#include "http.h"
#include "httpd.h"
#include "parse.h"
#include "predicate.h"
#include "timefmt.h"
#include "uuid.h"
#include "validate.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void
lib_parsers(const char *s)
{
	struct tnfs_err err;
	char buf[64];
	uint64_t mib, again, n;
	int64_t ms, ms2;
	int b;

	tnfs_err_clear(&err);
	if (tnfs_name_check(s, &err) == 0)
		FUZZ_CHECK(strlen(s) >= TNFS_NAME_MIN &&
			   strlen(s) <= TNFS_NAME_MAX && !strstr(s, ".."));
	else
		FUZZ_CHECK(tnfs_err_isset(&err));
	tnfs_err_clear(&err);
	if (tnfs_size_parse(s, &mib, &err) == 0) {
		FUZZ_CHECK(mib >= 1 && mib <= TNFS_SIZE_MAX_MIB);
		/* What triton shows parses back to the same size. */
		tnfs_size_format(mib, buf, sizeof(buf));
		FUZZ_CHECK(tnfs_size_parse(buf, &again, NULL) == 0);
		FUZZ_CHECK(again == mib);
	} else
		FUZZ_CHECK(tnfs_err_isset(&err));
	if (tnfs_parse_u64(s, UINT64_MAX, &n, "value", NULL) == 0) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
		FUZZ_CHECK(strcmp(buf, s) == 0);
	}
	if (tnfs_parse_bool(s, &b, "value", NULL) == 0)
		FUZZ_CHECK(b == 0 || b == 1);
	if (tnfs_uuid_valid(s))
		FUZZ_CHECK(strlen(s) == TNFS_UUID_LEN);
	tnfs_err_clear(&err);
	if (tnfs_time_parse(s, &ms, &err) == 0) {
		char t[TNFS_TIME_BUFSZ];

		/* A time renders and reads back to the millisecond. */
		tnfs_time_format(ms, t);
		if (strcmp(t, "invalid-time") != 0) {
			FUZZ_CHECK(tnfs_time_parse(t, &ms2, NULL) == 0);
			FUZZ_CHECK(ms2 == ms);
		}
	} else
		FUZZ_CHECK(tnfs_err_isset(&err));
}

static void
vapi_parsers(const char *s, size_t len)
{
	struct causes c;
	struct predicate *p;
	struct volume v;
	struct ref_clock clk = {0, 0};
	char esc[128];

	causes_init(&c);
	valid_uuid(s, "volume", &c);
	valid_volume_name(s, &c);
	valid_snapshot_name(s, &c);
	valid_volume_type(s, &c);
	valid_label(s, s, 3, &c);
	valid_state(s);
	FUZZ_CHECK(strlen(c.text) < sizeof(c.text));
	causes_init(&c);
	if (name_pattern_check(s, &c) == 0) {
		name_pattern_match(s, s);
		name_pattern_match(s, "data");
	} else
		FUZZ_CHECK(c.n > 0);
	causes_init(&c);
	if ((p = predicate_parse(s, &c)) != NULL) {
		memset(&v, 0, sizeof(v));
		v.name = "data";
		snprintf(v.type, sizeof(v.type), "tritonnfs");
		snprintf(v.state, sizeof(v.state), "ready");
		v.size = 10240;
		predicate_uses(p, "name");
		predicate_match(p, &v, &clk);
		predicate_free(p);
	} else
		FUZZ_CHECK(c.n > 0);
	ganesha_check_cidr(s, NULL);
	ganesha_check_path(s, "export path", NULL);
	http_version_ok(s);
	/* What is echoed into logs and replies is escaped and bounded. */
	httpd_escape(s, esc, sizeof(esc));
	FUZZ_CHECK(strlen(esc) < sizeof(esc));
	if (httpd_utf8_valid(s, len)) {
		json_object *o = json_object_new_string_len(s, (int)len);

		json_object_put(o);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	lib_parsers(s);
	vapi_parsers(s, strlen(s));
	free(s);
	return 0;
}
