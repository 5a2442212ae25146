/*
 * table.h: the text tables of triton-volume and tritonnfs-adm.
 *
 * Output follows node-triton's tabula: an upper-case header line, columns
 * left-aligned (or right-aligned when asked) and separated by two spaces,
 * no trailing blanks.  A table knows every column a command can show; the
 * user picks the shown ones with -o and the order with -s, which may name
 * any known column, shown or not (sorting by "created" while showing "age").
 *
 * A cell has a text and, optionally, a number used for sorting instead of
 * the text ("10G" < "100G" by size, not by letters).
 */
#ifndef TNFS_TABLE_H
#define TNFS_TABLE_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct table;

enum table_align { TABLE_LEFT = 0, TABLE_RIGHT = 1 };

/* An empty table; free with table_free. NULL when out of memory. */
struct table *table_new(void);
void table_free(struct table *t);

/*
 * Declare a column: name is the lower-case key users type in -o and -s; the
 * header is its upper-case form.  Columns are shown in declaration order
 * until table_select picks others.  0 or -1 (out of memory, duplicate).
 */
int table_add_column(struct table *t, const char *name, enum table_align align,
    struct tnfs_err *err);

/* Start a new row; cells not set print empty.  0 or -1 (out of memory). */
int table_add_row(struct table *t, struct tnfs_err *err);

/*
 * Set a cell of the last row (text copied).  table_set_num also gives the
 * cell a sort key.  -1 on an unknown column, no row, or out of memory.
 */
int table_set(
    struct table *t, const char *col, const char *text, struct tnfs_err *err);
int table_set_num(struct table *t, const char *col, const char *text,
    int64_t key, struct tnfs_err *err);

/*
 * -o: a comma-separated list of column names to show, in that order.
 * Unknown or empty names fail with a ValidationError listing the known
 * columns.
 */
int table_select(struct table *t, const char *cols, struct tnfs_err *err);

/*
 * -s: sort the rows by a comma-separated list of columns, each optionally
 * prefixed with '-' for descending.  Stable; numbers before text when a
 * column mixes them.  Same errors as table_select.
 */
int table_sort(struct table *t, const char *spec, struct tnfs_err *err);

/* Number of rows. */
size_t table_nrows(const struct table *t);

/* Print the shown columns, with the header line unless no_header. */
int table_print(const struct table *t, FILE *out, int no_header);

#endif
