/*
 * table.c: column tables in node-triton's tabula layout (table.h).
 *
 * Rows are arrays of cells indexed like the declared columns; the shown
 * columns are a separate list of indexes so -o can reorder and repeat
 * without copying cells.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define TABLE_MAX_COLS 64
#define TABLE_MAX_SORT 16

struct cell {
	char *text;
	int has_key;
	int64_t key;
};

struct column {
	char *name;
	char *header;
	enum table_align align;
};

struct table {
	struct column cols[TABLE_MAX_COLS];
	size_t ncols;
	size_t shown[TABLE_MAX_COLS];
	size_t nshown;
	int selected; /* table_select was called */
	struct cell **rows;
	size_t nrows;
	size_t caprows;
};

struct sort_key {
	size_t col;
	int desc;
};

struct table *
table_new(void)
{
	return calloc(1, sizeof(struct table));
}

void
table_free(struct table *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++)
			free(t->rows[i][j].text);
		free(t->rows[i]);
	}
	free(t->rows);
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].header);
	}
	free(t);
}

static int
find_col(const struct table *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strlen(t->cols[i].name) == len &&
		    strncmp(t->cols[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* "name, size, state" for error messages. */
static void
known_cols(const struct table *t, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < t->ncols && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "",
		    t->cols[i].name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int
table_add_column(struct table *t, const char *name, enum table_align align,
    struct tnfs_err *err)
{
	struct column *c;
	size_t i;

	if (t->nrows > 0 || t->ncols >= TABLE_MAX_COLS ||
	    find_col(t, name, strlen(name)) >= 0) {
		tnfs_err_set(
		    err, TNFS_E_INTERNAL, "table: cannot add column %s", name);
		return -1;
	}
	c = &t->cols[t->ncols];
	if ((c->name = strdup(name)) == NULL ||
	    (c->header = strdup(name)) == NULL) {
		free(c->name);
		c->name = NULL;
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; c->header[i] != '\0'; i++)
		c->header[i] = (char)toupper((unsigned char)c->header[i]);
	c->align = align;
	if (!t->selected)
		t->shown[t->nshown++] = t->ncols;
	t->ncols++;
	return 0;
}

int
table_add_row(struct table *t, struct tnfs_err *err)
{
	struct cell **rows;
	size_t cap;

	if (t->nrows == t->caprows) {
		cap = t->caprows == 0 ? 16 : t->caprows * 2;
		if ((rows = realloc(t->rows, cap * sizeof(*rows))) == NULL)
			goto nomem;
		t->rows = rows;
		t->caprows = cap;
	}
	if ((t->rows[t->nrows] = calloc(TABLE_MAX_COLS, sizeof(struct cell))) ==
	    NULL)
		goto nomem;
	t->nrows++;
	return 0;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return -1;
}

static int
set_cell(struct table *t, const char *col, const char *text, int has_key,
    int64_t key, struct tnfs_err *err)
{
	struct cell *c;
	char *dup;
	int i;

	if (t->nrows == 0 || (i = find_col(t, col, strlen(col))) < 0) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "table: no column %s", col);
		return -1;
	}
	if ((dup = strdup(text != NULL ? text : "")) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	c = &t->rows[t->nrows - 1][i];
	free(c->text);
	c->text = dup;
	c->has_key = has_key;
	c->key = key;
	return 0;
}

int
table_set(
    struct table *t, const char *col, const char *text, struct tnfs_err *err)
{
	return set_cell(t, col, text, 0, 0, err);
}

int
table_set_num(struct table *t, const char *col, const char *text, int64_t key,
    struct tnfs_err *err)
{
	return set_cell(t, col, text, 1, key, err);
}

/*
 * Split a comma list into column indexes; with allow_desc a leading '-'
 * marks a descending key.  Returns the count or -1.
 */
static int
parse_cols(const struct table *t, const char *list, int allow_desc,
    struct sort_key *keys, size_t max, const char *what, struct tnfs_err *err)
{
	char known[512];
	const char *p = list, *end;
	size_t n = 0, len;
	int desc, i;

	if (list == NULL || *list == '\0')
		goto bad;
	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		desc = 0;
		if (allow_desc && len > 0 && p[0] == '-') {
			desc = 1;
			p++;
			len--;
		}
		if (len == 0)
			goto bad;
		if ((i = find_col(t, p, len)) < 0) {
			known_cols(t, known, sizeof(known));
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown %s column \"%.*s\" (known: %s)", what,
			    (int)(len > 64 ? 64 : len), p, known);
			return -1;
		}
		if (n == max) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "too many %s columns (at most %zu)", what, max);
			return -1;
		}
		keys[n].col = (size_t)i;
		keys[n].desc = desc;
		n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return (int)n;
bad:
	known_cols(t, known, sizeof(known));
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "empty %s column in \"%s\" (known: %s)", what,
	    list != NULL ? list : "", known);
	return -1;
}

int
table_select(struct table *t, const char *cols, struct tnfs_err *err)
{
	struct sort_key keys[TABLE_MAX_COLS];
	int n, i;

	if ((n = parse_cols(t, cols, 0, keys, TABLE_MAX_COLS, "output", err)) <
	    0)
		return -1;
	for (i = 0; i < n; i++)
		t->shown[i] = keys[i].col;
	t->nshown = (size_t)n;
	t->selected = 1;
	return 0;
}

static int
cell_cmp(const struct cell *a, const struct cell *b)
{
	const char *x = a->text != NULL ? a->text : "";
	const char *y = b->text != NULL ? b->text : "";

	if (a->has_key && b->has_key)
		return a->key < b->key ? -1 : a->key > b->key;
	if (a->has_key != b->has_key)
		return a->has_key ? -1 : 1;
	return strcmp(x, y);
}

int
table_sort(struct table *t, const char *spec, struct tnfs_err *err)
{
	struct sort_key keys[TABLE_MAX_SORT];
	struct cell *row;
	size_t i, j, k;
	int n, c;

	if ((n = parse_cols(t, spec, 1, keys, TABLE_MAX_SORT, "sort", err)) < 0)
		return -1;
	/* Insertion sort: stable, and tables are a few hundred rows. */
	for (i = 1; i < t->nrows; i++) {
		row = t->rows[i];
		for (j = i; j > 0; j--) {
			c = 0;
			for (k = 0; k < (size_t)n && c == 0; k++) {
				c = cell_cmp(&t->rows[j - 1][keys[k].col],
				    &row[keys[k].col]);
				if (keys[k].desc)
					c = -c;
			}
			if (c <= 0)
				break;
			t->rows[j] = t->rows[j - 1];
		}
		t->rows[j] = row;
	}
	return 0;
}

size_t
table_nrows(const struct table *t)
{
	return t->nrows;
}

/* Display width: UTF-8 code points, not bytes. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; s != NULL && *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void
pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void
print_line(const struct table *t, FILE *out, const char *const *texts,
    const size_t *widths)
{
	size_t i, w, pending = 0;
	const char *s;

	/*
	 * Blanks are written lazily, only before something visible, so a
	 * line never ends in spaces (tabula trims them too).
	 */
	for (i = 0; i < t->nshown; i++) {
		s = texts[i] != NULL ? texts[i] : "";
		w = text_width(s);
		if (i > 0)
			pending += 2;
		if (t->cols[t->shown[i]].align == TABLE_RIGHT) {
			pending += widths[i] - w;
			if (*s != '\0') {
				pad(out, pending);
				pending = 0;
				fputs(s, out);
			}
		} else {
			if (*s != '\0') {
				pad(out, pending);
				pending = 0;
				fputs(s, out);
			}
			pending += widths[i] - w;
		}
	}
	fputc('\n', out);
}

int
table_print(const struct table *t, FILE *out, int no_header)
{
	const char *texts[TABLE_MAX_COLS];
	size_t widths[TABLE_MAX_COLS];
	size_t i, r, w;

	for (i = 0; i < t->nshown; i++) {
		widths[i] =
		    no_header ? 0 : text_width(t->cols[t->shown[i]].header);
		for (r = 0; r < t->nrows; r++) {
			w = text_width(t->rows[r][t->shown[i]].text);
			if (w > widths[i])
				widths[i] = w;
		}
	}
	if (!no_header) {
		for (i = 0; i < t->nshown; i++)
			texts[i] = t->cols[t->shown[i]].header;
		print_line(t, out, texts, widths);
	}
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->nshown; i++)
			texts[i] = t->rows[r][t->shown[i]].text;
		print_line(t, out, texts, widths);
	}
	return ferror(out) ? -1 : 0;
}
