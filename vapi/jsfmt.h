/*
 * jsfmt.h: values as node v6 renders them.  Triton's VOLAPI (node
 * v6.17.1, krill 1.0.1, extsprintf) builds its predicate messages from
 * these renderings; the VAPI reproduces them so that its messages read
 * as Triton's, word for word.
 */
#ifndef TNFS_VAPI_JSFMT_H
#define TNFS_VAPI_JSFMT_H

#include <stddef.h>

#include <json-c/json.h>

/* Number#toString: "10240", "1.5", "1e+21", "-0" prints "0". */
void jsfmt_number(double d, char *buf, size_t len);

/* The value of a JSON number as JavaScript holds it (a double). */
double jsfmt_value(json_object *o);

/*
 * util.inspect(v, false, 10), the form of extsprintf's %j: { eq:
 * [ 'name', 'x' ] }, broken over lines past 60 columns.  NULL when out of
 * memory; the caller frees.
 */
char *jsfmt_inspect(json_object *v);

/*
 * What JSON.parse(text) throws for the first syntax error in text[0..len)
 * ("Unexpected token x in JSON at position 3", "Unexpected end of JSON
 * input", ...), written to buf; 0 when text is well-formed JSON.  Nesting
 * deeper than 256 levels is not checked past that level.
 */
int jsfmt_json_error(const char *text, size_t len, char *buf, size_t buflen);

/* The length of UTF-8 text in UTF-16 code units, as String#length counts. */
size_t jsfmt_length(const char *s, size_t n);

#endif
