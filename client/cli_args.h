/*
 * cli_args.h: the parsers behind triton-volume's own argument syntax:
 * tags (--tag K=V) and list filters (FIELD=VALUE).  Affinity rules (-a)
 * use lib/affinity.h, sizes and names lib/parse.h.  Every parser fails
 * with a ValidationError whose message the caller prints as a usage error.
 */
#ifndef TNFS_CLI_ARGS_H
#define TNFS_CLI_ARGS_H

#include <json-c/json.h>

#include "err.h"
#include "vapi_client.h"

#define CLI_TAG_KEY_MAX        256

/* Add --tag KEY=VALUE to the labels object (strings only, VOLAPI §1.4). */
int cli_tag_add(json_object *labels, const char *kv, struct tnfs_err *err);

/*
 * node-triton's list filters (name, size, state, owner, type; AND-ed):
 * name and owner become query parameters in f (pointing into args; name
 * keeps its wildcards there, owner is no predicate field); size (any unit,
 * sent in MiB), state and type become a predicate.  *predicate gets its
 * JSON text (free(3)), or NULL when there is none.  Without any filter the
 * predicate is node-triton's default {"ne":["state","failed"]}.
 */
int cli_list_filter(int nargs, const char *const *args,
    struct vapi_list_filter *f, char **predicate, struct tnfs_err *err);

#endif
