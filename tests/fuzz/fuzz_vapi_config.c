/*
 * fuzz_vapi_config.c: tritonnfs-vapi's configuration as it reads it at
 * start (vapi/config.c): the input is a --config file, or, when it starts
 * with '-', the command line (one argument a line).  Properties: a
 * configuration that loads and passes config_finish is whole (sizes
 * ascending, each network's subnet and addresses set, tokens well
 * formed); a refusal says why.
 */
#include <json-c/json.h>

#include "fuzz.h"
#include "uuid.h"
#include "vapi_config.h"

static char dir[4096], path[4200];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	fuzz_tmpdir(dir, sizeof(dir), "config");
	snprintf(path, sizeof(path), "%s/vapi.json", dir);
	return 0;
}

static void
check_whole(const struct vapi_config *cfg)
{
	char buf[4096];
	size_t i;

	FUZZ_CHECK(cfg->nsizes >= 1 && cfg->nsizes <= VAPI_MAX_SIZES);
	for (i = 1; i < cfg->nsizes; i++)
		FUZZ_CHECK(cfg->sizes[i - 1] < cfg->sizes[i]);
	FUZZ_CHECK(cfg->nnetworks >= 1 && cfg->nnetworks <= VAPI_MAX_NETWORKS);
	for (i = 0; i < cfg->nnetworks; i++) {
		const struct vapi_network *n = &cfg->networks[i];

		FUZZ_CHECK(n->nowners <= VAPI_MAX_OWNERS);
		FUZZ_CHECK(config_network(cfg, n->uuid) != NULL ||
			   n->uuid[0] == '\0');
		config_network_allows(n, "0a0a0a0a-0000-4000-8000-000000000002");
	}
	FUZZ_CHECK(cfg->ntokens <= VAPI_MAX_TOKENS);
	for (i = 0; i < cfg->ntokens; i++)
		FUZZ_CHECK(strlen(cfg->tokens[i].sha256) == 64);
	config_sizes_string(cfg, buf, sizeof(buf));
	config_listen_is_local(cfg->listen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vapi_config cfg; /* 30 KB: not on the stack */
	struct tnfs_err err;
	int rc;

	vapi_config_defaults(&cfg);
	tnfs_err_clear(&err);
	if (size > 0 && data[0] == '-') {
		char *argv[64];
		int argc = 0, i;

		argv[argc++] = fuzz_strndup((const uint8_t *)"tritonnfs-vapi", 14);
		while (size > 0 && argc < 63)
			argv[argc++] = fuzz_field(&data, &size, '\n');
		argv[argc] = NULL;
		/* --help and --version print to stdout: keep it quiet. */
		rc = 1;
		for (i = 1; i < argc; i++)
			if (strncmp(argv[i], "--he", 4) == 0 ||
			    strncmp(argv[i], "--v", 3) == 0)
				break;
		if (i == argc)
			rc = vapi_config_parse_args(&cfg, argc, argv, &err);
		for (i = 0; i < argc; i++)
			free(argv[i]);
	} else {
		FILE *f = fopen(path, "w");

		FUZZ_CHECK(f != NULL);
		FUZZ_CHECK(size == 0 || fwrite(data, size, 1, f) == 1);
		FUZZ_CHECK(fclose(f) == 0);
		rc = config_load_file(&cfg, path, &err);
	}
	if (rc == -1) {
		FUZZ_CHECK(tnfs_err_isset(&err));
		return 0;
	}
	if (rc == 1)
		return 0;
	tnfs_err_clear(&err);
	if (config_finish(&cfg, &err) == 0)
		check_whole(&cfg);
	else
		FUZZ_CHECK(tnfs_err_isset(&err));
	return 0;
}
