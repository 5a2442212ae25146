/*
 * adm_instances.c: tritonnfs-adm instances (adm_instances.h).  Every
 * instance the VAPI's store knows, alive or not: a dead one (no heartbeat
 * within the TTL) still holding jobs is one whose work another instance
 * is about to take over.
 */
#include <stdio.h>
#include <string.h>

#include "adm_instances.h"
#include "jsonx.h"
#include "table.h"

static const char *
str(json_object *o, const char *key)
{
	const char *v = jsonx_get_str(o, key);

	return v != NULL ? v : "";
}

int
adm_instances(struct cli *c, int json, int no_header)
{
	static const char *const cols[] = {"id", "address", "hostname",
	    "started", "heartbeat", "alive", "jobs"};
	json_object *reply = NULL, *o, *v;
	struct tnfs_err err;
	struct table *t = NULL;
	char jobs[32];
	size_t i, n;
	int status, rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if (vapi_client_request(c->vapi, "GET", "/instances", NULL, &status,
		&reply, &err) == -1)
		goto fail;
	if (reply == NULL || !json_object_is_type(reply, json_type_array)) {
		tnfs_err_set(&err, TNFS_E_INTERNAL,
		    "GET /instances: the answer is not an array");
		goto fail;
	}
	n = json_object_array_length(reply);
	if (json) {
		for (i = 0; i < n; i++)
			cli_print_json_line(
			    stdout, json_object_array_get_idx(reply, i));
		rc = CLI_EXIT_OK;
		goto out;
	}
	if ((t = table_new()) == NULL) {
		tnfs_err_set(&err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (table_add_column(t, cols[i],
			strcmp(cols[i], "jobs") == 0 ? TABLE_RIGHT : TABLE_LEFT,
			&err) == -1)
			goto fail;
	for (i = 0; i < n; i++) {
		int64_t nj = 0;
		int alive = 0;

		o = json_object_array_get_idx(reply, i);
		if (json_object_object_get_ex(o, "jobs", &v))
			nj = json_object_get_int64(v);
		if (json_object_object_get_ex(o, "alive", &v))
			alive = json_object_get_boolean(v);
		snprintf(jobs, sizeof(jobs), "%lld", (long long)nj);
		if (table_add_row(t, &err) == -1 ||
		    table_set(t, "id", str(o, "id"), &err) == -1 ||
		    table_set(t, "address", str(o, "address"), &err) == -1 ||
		    table_set(t, "hostname", str(o, "hostname"), &err) == -1 ||
		    table_set(t, "started", str(o, "start_timestamp"), &err) ==
			-1 ||
		    table_set(t, "heartbeat", str(o, "heartbeat_timestamp"),
			&err) == -1 ||
		    table_set(t, "alive", alive ? "yes" : "no", &err) == -1 ||
		    table_set_num(t, "jobs", jobs, nj, &err) == -1)
			goto fail;
	}
	table_print(t, stdout, no_header);
	rc = CLI_EXIT_OK;
	goto out;
fail:
	cli_error_err(c, &err);
out:
	table_free(t);
	if (reply != NULL)
		json_object_put(reply);
	return rc;
}
