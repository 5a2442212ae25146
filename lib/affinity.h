/*
 * affinity.h: placement rules as Triton writes them (RFD 26, node-triton's
 * `-a`): "volume!=db", "volume==~web*", "label:tier==/^gold/".  The text
 * form is what users type (triton-volume -a, the plugin's --opt
 * affinity=); the parsed form is what VOLAPI keeps and CreateVolume takes:
 * {key, operator ("==" | "!="), value, isSoft, valueType ("exact" | "glob"
 * | "re")}.  A compiled set answers whether a rule's value matches a
 * string, for the VAPI's choice of an NFS head (vapi/volumes_place.c).
 */
#ifndef TNFS_AFFINITY_H
#define TNFS_AFFINITY_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

#define TNFS_AFFINITY_KEY_MAX   127
#define TNFS_AFFINITY_VALUE_MAX 512
#define TNFS_AFFINITY_RULES_MAX 16

/* One rule from its text: a new reference, or NULL and a ValidationError. */
json_object *tnfs_affinity_rule_parse(const char *rule, struct tnfs_err *err);

/*
 * Rules separated by commas ("volume!=db,label:tier==~gold"), as the
 * plugin's --opt affinity= takes them: a new array of parsed rules, or
 * NULL and a ValidationError naming the bad one.  A value with a comma
 * cannot be written this way.
 */
json_object *tnfs_affinity_list_parse(const char *text, struct tnfs_err *err);

/* What a rule's key names. */
enum tnfs_affinity_kind {
	TNFS_AFFINITY_VOLUME,   /* "volume": another volume's name or uuid */
	TNFS_AFFINITY_LABEL,    /* "label:KEY", or a bare KEY: a label */
	TNFS_AFFINITY_INSTANCE, /* "instance", "container": not ours */
};

struct tnfs_affinity_rule {
	enum tnfs_affinity_kind kind;
	char label[TNFS_AFFINITY_KEY_MAX + 1]; /* LABEL: the label's key */
	int equal;         /* "==" (else "!=") */
	int soft;          /* "==~" or "!=~": a preference only */
	char text[TNFS_AFFINITY_KEY_MAX + TNFS_AFFINITY_VALUE_MAX + 8];
};

/* Rules compiled from the parsed form (regular expressions included). */
struct tnfs_affinity;

/*
 * Compile json, an array of rules (at most TNFS_AFFINITY_RULES_MAX), each
 * in its parsed form or as its text (CloudAPI sends the text).
 * A malformed rule is a ValidationError naming it.  Caller frees *out.
 */
int tnfs_affinity_compile(
    json_object *json, struct tnfs_affinity **out, struct tnfs_err *err);
void tnfs_affinity_free(struct tnfs_affinity *a);

size_t tnfs_affinity_count(const struct tnfs_affinity *a);
const struct tnfs_affinity_rule *tnfs_affinity_rule(
    const struct tnfs_affinity *a, size_t i);
/* Whether rule i's value matches s (exactly, as a glob or a regex). */
int tnfs_affinity_value_matches(
    const struct tnfs_affinity *a, size_t i, const char *s);

#endif
