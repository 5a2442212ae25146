/*
 * fuzz_ganesha_exports.c: the ganesha exports file tritonnfs-vapi writes
 * (vapi/ganesha_conf.c), round trip.  Input: the Export_Id table's text
 * (as kept in the state directory), a line "%%", then one export a line:
 * "path|pseudo|cidr,cidr,...|ro".  Properties: the table reads back to the
 * same text it writes and hands out distinct ids; an exports file that is
 * written parses back, with ganesha's grammar, into exactly the EXPORT
 * blocks asked for (same Export_Id, Path, Pseudo, Clients, Access_Type):
 * nothing in a path or client can add or change a setting.
 */
#include <ctype.h>

#include "exports.h"
#include "fuzz.h"
#include "ganesha_conf.h"
#include "uuid.h"

#define MAX_EXPORTS 16
#define MAX_CLIENTS 8

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/*
 * ganesha's configuration grammar, as much as the exports file uses:
 * blocks "NAME { ... }", statements "NAME = value[, value]... ;",
 * values bare or in double quotes (no escapes: ganesha_check_path refuses
 * quotes and backslashes), '#' comments to the end of the line.
 */
struct lexer {
	const char *p;
	char tok[2048];
	int quoted;
};

/* The next token into lx->tok: 1, or 0 at the end; a lexical error aborts. */
static int
next(struct lexer *lx)
{
	size_t n = 0;

	for (;;) {
		while (isspace((unsigned char)*lx->p))
			lx->p++;
		if (*lx->p != '#')
			break;
		while (*lx->p != '\0' && *lx->p != '\n')
			lx->p++;
	}
	lx->quoted = 0;
	if (*lx->p == '\0')
		return 0;
	if (strchr("{}=;,", *lx->p) != NULL) {
		lx->tok[0] = *lx->p++;
		lx->tok[1] = '\0';
		return 1;
	}
	if (*lx->p == '"') {
		lx->p++;
		while (*lx->p != '"') {
			FUZZ_CHECK(*lx->p != '\0' && *lx->p != '\n');
			FUZZ_CHECK(n < sizeof(lx->tok) - 1);
			lx->tok[n++] = *lx->p++;
		}
		lx->p++;
		lx->tok[n] = '\0';
		lx->quoted = 1;
		return 1;
	}
	while (*lx->p != '\0' && !isspace((unsigned char)*lx->p) &&
	       strchr("{}=;,\"#", *lx->p) == NULL) {
		FUZZ_CHECK(isalnum((unsigned char)*lx->p) ||
			   strchr("_./:-", *lx->p) != NULL);
		FUZZ_CHECK(n < sizeof(lx->tok) - 1);
		lx->tok[n++] = *lx->p++;
	}
	lx->tok[n] = '\0';
	FUZZ_CHECK(n > 0);
	return 1;
}

static void
expect(struct lexer *lx, const char *tok)
{
	FUZZ_CHECK(next(lx) && !lx->quoted && strcmp(lx->tok, tok) == 0);
}

/* "NAME = value;" with one value, which must be want. */
static void
setting(struct lexer *lx, const char *name, const char *want, int quoted)
{
	expect(lx, name);
	expect(lx, "=");
	FUZZ_CHECK(next(lx) && lx->quoted == quoted);
	FUZZ_CHECK(strcmp(lx->tok, want) == 0);
	expect(lx, ";");
}

static void
check_export(struct lexer *lx, const struct export_spec *s, unsigned id,
    int root_squash)
{
	char num[16];
	size_t j;

	expect(lx, "EXPORT");
	expect(lx, "{");
	snprintf(num, sizeof(num), "%u", id);
	setting(lx, "Export_Id", num, 0);
	setting(lx, "Path", s->path, 1);
	setting(lx, "Pseudo", s->pseudo, 1);
	expect(lx, "Protocols");
	expect(lx, "=");
	expect(lx, "3");
	expect(lx, ",");
	expect(lx, "4");
	expect(lx, ";");
	setting(lx, "Transports", "TCP", 0);
	setting(lx, "Access_Type", "None", 0);
	setting(lx, "Squash", root_squash ? "Root_Squash" : "No_Root_Squash",
	    0);
	setting(lx, "SecType", "sys", 0);
	if (s->nclients > 0) {
		expect(lx, "CLIENT");
		expect(lx, "{");
		expect(lx, "Clients");
		expect(lx, "=");
		for (j = 0; j < s->nclients; j++) {
			FUZZ_CHECK(next(lx) && !lx->quoted);
			FUZZ_CHECK(strcmp(lx->tok, s->clients[j]) == 0);
			expect(lx, j + 1 < s->nclients ? "," : ";");
		}
		setting(lx, "Access_Type", s->read_only ? "RO" : "RW", 0);
		expect(lx, "}");
	}
	expect(lx, "FSAL");
	expect(lx, "{");
	setting(lx, "Name", "VFS", 0);
	expect(lx, "}");
	expect(lx, "}");
}

/* The Export_Id table: text -> table -> text -> table -> the same text. */
static struct ganesha_ids *
ids_round_trip(const char *text)
{
	struct ganesha_ids *ids, *again;
	struct tnfs_err err;
	char *t1 = NULL, *t2 = NULL;

	tnfs_err_clear(&err);
	if ((ids = ganesha_ids_parse(text, &err)) == NULL) {
		FUZZ_CHECK(tnfs_err_isset(&err));
		return ganesha_ids_parse(NULL, NULL);
	}
	FUZZ_CHECK(ganesha_ids_format(ids, &t1, NULL) == 0);
	FUZZ_CHECK((again = ganesha_ids_parse(t1, NULL)) != NULL);
	FUZZ_CHECK(ganesha_ids_format(again, &t2, NULL) == 0);
	FUZZ_CHECK(strcmp(t1, t2) == 0);
	ganesha_ids_free(again);
	free(t1);
	free(t2);
	return ids;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct export_spec specs[MAX_EXPORTS];
	char *fields[MAX_EXPORTS][4], *clients[MAX_EXPORTS][MAX_CLIENTS];
	char uuid[MAX_EXPORTS][TNFS_UUID_BUFSZ];
	const char *keep[MAX_EXPORTS];
	unsigned ids[MAX_EXPORTS];
	struct ganesha_ids *table;
	struct tnfs_err err;
	struct lexer lx;
	char *tabtext, *out = NULL;
	const uint8_t *sep = NULL;
	size_t n = 0, i, j, tablen = 0;
	int root_squash = size > 0 && (data[size - 1] & 1);

	for (i = 0; i + 4 <= size; i++)
		if (memcmp(data + i, "%%\n", 3) == 0 &&
		    (i == 0 || data[i - 1] == '\n')) {
			sep = data + i;
			break;
		}
	if (sep != NULL) {
		tablen = (size_t)(sep - data);
		tabtext = fuzz_strndup(data, tablen);
		data += tablen + 3;
		size -= tablen + 3;
	} else
		tabtext = fuzz_strndup(data, 0);
	table = ids_round_trip(tabtext);
	FUZZ_CHECK(table != NULL);
	while (size > 0 && n < MAX_EXPORTS) {
		char *line = fuzz_field(&data, &size, '\n');
		const uint8_t *p = (const uint8_t *)line;
		size_t left = strlen(line);

		for (j = 0; j < 4; j++)
			fields[n][j] = fuzz_field(&p, &left, '|');
		free(line);
		memset(&specs[n], 0, sizeof(specs[n]));
		snprintf(uuid[n], sizeof(uuid[n]),
		    "0a0a0a0a-0000-4000-8000-%012zx", n);
		specs[n].volume_uuid = uuid[n];
		specs[n].path = fields[n][0];
		specs[n].pseudo = fields[n][1];
		p = (const uint8_t *)fields[n][2];
		left = strlen(fields[n][2]);
		while (left > 0 && specs[n].nclients < MAX_CLIENTS)
			clients[n][specs[n].nclients++] =
			    fuzz_field(&p, &left, ',');
		specs[n].clients = (const char *const *)clients[n];
		specs[n].read_only = strcmp(fields[n][3], "ro") == 0;
		keep[n] = uuid[n];
		n++;
	}
	for (i = 0; i < n; i++) {
		ids[i] = ganesha_ids_get(table, uuid[i], NULL);
		if (ids[i] == 0)
			break; /* all taken: the table text said so */
		for (j = 0; j < i; j++)
			FUZZ_CHECK(ids[j] != ids[i]);
	}
	ganesha_ids_retain(table, keep, n);
	tnfs_err_clear(&err);
	if (i == n) {
		if (ganesha_conf_exports(specs, ids, n, root_squash, &out,
			&err) == 0) {
			lx.p = out;
			for (i = 0; i < n; i++)
				check_export(&lx, &specs[i], ids[i], root_squash);
			FUZZ_CHECK(!next(&lx));
			free(out);
		} else
			FUZZ_CHECK(tnfs_err_isset(&err));
	}
	/* The log reader sees hostile text too (paths end up in it). */
	{
		char complaint[256];
		int failed = 0;

		ganesha_log_scan(tabtext, &failed, complaint, sizeof(complaint));
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < 4; j++)
			free(fields[i][j]);
		for (j = 0; j < specs[i].nclients; j++)
			free(clients[i][j]);
	}
	ganesha_ids_free(table);
	free(tabtext);
	return 0;
}
