/*
 * cli_args.c: affinity rules, tags and list filters as triton-volume takes
 * them (cli_args.h), following node-triton (reference/triton-volumes.md §6).
 */
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "jsonx.h"
#include "parse.h"
#include "uuid.h"

int
cli_tag_add(json_object *labels, const char *kv, struct tnfs_err *err)
{
	const char *eq = strchr(kv, '=');
	char key[CLI_TAG_KEY_MAX + 1];
	size_t klen;

	if (eq == NULL || eq == kv ||
	    (klen = (size_t)(eq - kv)) > CLI_TAG_KEY_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "tag \"%.200s\" must be KEY=VALUE with a key of 1-%d bytes",
		    kv, CLI_TAG_KEY_MAX);
		return -1;
	}
	memcpy(key, kv, klen);
	key[klen] = '\0';
	if (tnfs_has_control(kv)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "tag \"%.200s\" holds a control character", kv);
		return -1;
	}
	if (jsonx_add_str(labels, key, eq + 1) == -1) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

static int
is_field(const char *arg, size_t klen, const char *field)
{
	return strlen(field) == klen && strncmp(arg, field, klen) == 0;
}

/* {"eq":[field, value]} with a number for size. */
static json_object *
eq_pred(const char *field, size_t flen, const char *val, struct tnfs_err *err)
{
	json_object *p, *pair;
	uint64_t mib;

	if ((p = json_object_new_object()) == NULL ||
	    (pair = json_object_new_array()) == NULL) {
		json_object_put(p);
		goto nomem;
	}
	json_object_object_add(p, "eq", pair);
	json_object_array_add(
	    pair, json_object_new_string_len(field, (int)flen));
	if (is_field(field, flen, "size")) {
		if (tnfs_size_parse(val, &mib, err) == -1) {
			tnfs_err_prefix(err, "size filter");
			json_object_put(p);
			return NULL;
		}
		json_object_array_add(
		    pair, json_object_new_int64((int64_t)mib));
	} else {
		json_object_array_add(pair, json_object_new_string(val));
	}
	return p;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return NULL;
}

int
cli_list_filter(int nargs, const char *const *args, struct vapi_list_filter *f,
    char **predicate, struct tnfs_err *err)
{
	json_object *preds = NULL, *pred = NULL, *p;
	const char *eq, *val;
	size_t klen;
	int i, rc = -1;

	*predicate = NULL;
	if ((preds = json_object_new_array()) == NULL)
		goto nomem;
	for (i = 0; i < nargs; i++) {
		if ((eq = strchr(args[i], '=')) == NULL || eq == args[i]) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "filter \"%.200s\" is not FIELD=VALUE", args[i]);
			goto out;
		}
		klen = (size_t)(eq - args[i]);
		val = eq + 1;
		if (*val == '\0' || tnfs_has_control(val)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "filter \"%.200s\" needs a printable value",
			    args[i]);
			goto out;
		}
		if (is_field(args[i], klen, "name")) {
			f->name = val;
			continue;
		}
		if (is_field(args[i], klen, "owner")) {
			if (!tnfs_uuid_valid(val)) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "owner \"%.200s\" is not a uuid", val);
				goto out;
			}
			f->owner_uuid = val;
			continue;
		}
		if (!is_field(args[i], klen, "size") &&
		    !is_field(args[i], klen, "state") &&
		    !is_field(args[i], klen, "type")) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "unknown filter field \"%.*s\" (name, size, state, "
			    "owner, type)",
			    (int)(klen > 64 ? 64 : klen), args[i]);
			goto out;
		}
		if ((p = eq_pred(args[i], klen, val, err)) == NULL)
			goto out;
		json_object_array_add(preds, p);
	}
	/* node-triton hides failed volumes unless a filter is given. */
	if (nargs == 0)
		pred = json_tokener_parse("{\"ne\":[\"state\",\"failed\"]}");
	else if (json_object_array_length(preds) == 1)
		pred = json_object_get(json_object_array_get_idx(preds, 0));
	else if (json_object_array_length(preds) > 1) {
		/* krill's "and" wants at least two members: it has them. */
		if ((pred = json_object_new_object()) != NULL)
			json_object_object_add(
			    pred, "and", json_object_get(preds));
	} else {
		rc = 0; /* name/owner only */
		goto out;
	}
	if (pred == NULL || (*predicate = jsonx_to_string(pred)) == NULL)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	json_object_put(pred);
	json_object_put(preds);
	return rc;
}
