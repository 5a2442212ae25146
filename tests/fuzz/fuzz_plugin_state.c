/*
 * fuzz_plugin_state.c: the plugin's state files as it reads them back at
 * start (plugin/state.c, state_load_all): the input is the content of one
 * file, put where the plugin would look for the record it names.
 * Properties: a record the loader hands over is valid (name, IDs,
 * options) and writes back to the same JSON; anything else is set aside
 * as .bad, never loaded, never a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "jsonx.h"
#include "parse.h"
#include "state.h"

static char dir[4096];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	fuzz_tmpdir(dir, sizeof(dir), "state");
	return 0;
}

static void
empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	FUZZ_CHECK(d != NULL);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			FUZZ_CHECK(unlinkat(dirfd(d), de->d_name, 0) == 0);
	closedir(d);
}

/* The one state file in dir, as state_save named it. */
static int
only_file(char *path, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	FUZZ_CHECK(d != NULL);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '_') {
			snprintf(path, len, "%s/%s", dir, de->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

static int loaded;

static void
take(void *arg, struct volume_state *st)
{
	json_object *obj, *again;
	struct volume_state back;
	char *t1, *t2;
	size_t i;

	(void)arg;
	loaded++;
	FUZZ_CHECK(tnfs_name_check(st->name, NULL) == 0);
	FUZZ_CHECK(st->nids <= STATE_IDS_MAX);
	for (i = 0; i < st->nids; i++)
		FUZZ_CHECK(state_id_valid(st->ids[i]));
	FUZZ_CHECK(st->opts.mode <= 07777);
	/* What was loaded is saved the same way again. */
	obj = state_to_json(st);
	FUZZ_CHECK(obj != NULL);
	t1 = jsonx_to_string(obj);
	FUZZ_CHECK(t1 != NULL);
	again = jsonx_parse(t1, strlen(t1), 16, NULL);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(state_from_json(&back, again, NULL) == 0);
	json_object_put(again);
	json_object_put(obj);
	obj = state_to_json(&back);
	t2 = jsonx_to_string(obj);
	FUZZ_CHECK(t2 != NULL && strcmp(t1, t2) == 0);
	free(t1);
	free(t2);
	json_object_put(obj);
	volume_state_clear(&back);
	volume_state_clear(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct volume_state st;
	json_object *obj;
	const char *name = NULL;
	char path[4400];
	FILE *f;

	empty_dir();
	/* Named as the record it holds, so the loader reads it through. */
	snprintf(path, sizeof(path), "%s/_fuzz.json", dir);
	obj = jsonx_parse((const char *)data, size, 16, NULL);
	if (obj != NULL)
		name = jsonx_get_str(obj, "name");
	if (name != NULL && tnfs_name_check(name, NULL) == 0) {
		memset(&st, 0, sizeof(st));
		snprintf(st.name, sizeof(st.name), "%s", name);
		volume_opts_default(&st.opts);
		if (state_save(dir, &st, NULL) == 0)
			FUZZ_CHECK(only_file(path, sizeof(path)));
	}
	json_object_put(obj);
	FUZZ_CHECK((f = fopen(path, "w")) != NULL);
	FUZZ_CHECK(size == 0 || fwrite(data, size, 1, f) == 1);
	FUZZ_CHECK(fclose(f) == 0);
	loaded = 0;
	FUZZ_CHECK(state_load_all(dir, take, NULL, NULL) == 0);
	FUZZ_CHECK(loaded <= 1);
	return 0;
}
