/*
 * accounts.c: load and look up the accounts file (see accounts.h).
 */
#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "fsutil.h"
#include "jsonx.h"

struct accounts {
	atomic_int refs;
	struct account *items;
	size_t n;
};

int
accounts_login_valid(const char *login)
{
	size_t i, n = strlen(login);

	if (n == 0 || n > ACCOUNT_LOGIN_MAX || !isalpha((unsigned char)login[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)login[i]) && login[i] != '.' &&
		    login[i] != '_' && login[i] != '-')
			return 0;
	return 1;
}

static int
key_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > ACCOUNT_KEYNAME_MAX)
		return 0;
	/* A name travels in a keyId path segment: no '/' nor spaces. */
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= 0x20 ||
		    (unsigned char)name[i] > 0x7e || name[i] == '/' ||
		    name[i] == '"')
			return 0;
	return 1;
}

/* Refuse members of obj not in allowed (a NULL-terminated list). */
static int
only_members(json_object *obj, const char *const *allowed, const char *where,
    struct tnfs_err *err)
{
	json_object_object_foreach(obj, key, val)
	{
		size_t i;

		(void)val;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: unknown member \"%.64s\"", where, key);
			return -1;
		}
	}
	return 0;
}

static const char *
str_member(json_object *obj, const char *key, const char *where,
    struct tnfs_err *err)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: \"%s\" is missing or not a string", where, key);
		return NULL;
	}
	return json_object_get_string(v);
}

static void
account_clear(struct account *a)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		sshkey_free(a->keys[i].key);
	free(a->keys);
	a->keys = NULL;
	a->nkeys = 0;
}

static int
parse_keys(struct account *a, json_object *keys, const char *where,
    struct tnfs_err *err)
{
	static const char *const allowed[] = {"name", "key", NULL};
	size_t i, j, n;
	char kw[256];

	if (!json_object_is_type(keys, json_type_array)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: \"keys\" must be an array", where);
		return -1;
	}
	n = json_object_array_length(keys);
	if (n > ACCOUNT_KEYS_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: more than %d keys", where, ACCOUNT_KEYS_MAX);
		return -1;
	}
	if (n > 0 && (a->keys = calloc(n, sizeof(*a->keys))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(keys, i);
		const char *name, *line;

		snprintf(kw, sizeof(kw), "%s key %zu", where, i + 1);
		if (!json_object_is_type(k, json_type_object)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: must be an object", kw);
			return -1;
		}
		if (only_members(k, allowed, kw, err) == -1 ||
		    (name = str_member(k, "name", kw, err)) == NULL ||
		    (line = str_member(k, "key", kw, err)) == NULL)
			return -1;
		if (!key_name_valid(name)) {
			tnfs_err_set(err, TNFS_E_VALIDATION,
			    "%s: the name must be 1 to %d printable characters "
			    "without '/', '\"' or spaces",
			    kw, ACCOUNT_KEYNAME_MAX);
			return -1;
		}
		snprintf(kw, sizeof(kw), "%s key %.64s", where, name);
		if ((a->keys[i].key = sshkey_parse(line, err)) == NULL) {
			tnfs_err_prefix(err, "%s", kw);
			return -1;
		}
		snprintf(a->keys[i].name, sizeof(a->keys[i].name), "%s", name);
		a->nkeys = i + 1;
		for (j = 0; j < i; j++) {
			if (strcmp(a->keys[j].name, name) == 0 ||
			    strcmp(sshkey_md5_fp(a->keys[j].key),
				sshkey_md5_fp(a->keys[i].key)) == 0) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "%s: the same name or key as key %.64s", kw,
				    a->keys[j].name);
				return -1;
			}
		}
	}
	return 0;
}

static int
parse_account(struct account *a, json_object *o, size_t idx,
    struct tnfs_err *err)
{
	static const char *const allowed[] = {"login", "uuid", "keys", NULL};
	const char *login, *uuid;
	json_object *keys;
	char where[128];

	snprintf(where, sizeof(where), "account %zu", idx + 1);
	if (!json_object_is_type(o, json_type_object)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "%s: must be an object",
		    where);
		return -1;
	}
	if (only_members(o, allowed, where, err) == -1 ||
	    (login = str_member(o, "login", where, err)) == NULL ||
	    (uuid = str_member(o, "uuid", where, err)) == NULL)
		return -1;
	if (!accounts_login_valid(login)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: login \"%.64s\" must match [A-Za-z][A-Za-z0-9._-]* and "
		    "be at most %d characters",
		    where, login, ACCOUNT_LOGIN_MAX);
		return -1;
	}
	snprintf(where, sizeof(where), "account %s", login);
	if (!tnfs_uuid_valid(uuid)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "%s: uuid \"%.64s\" is not a UUID", where, uuid);
		return -1;
	}
	snprintf(a->login, sizeof(a->login), "%s", login);
	snprintf(a->uuid, sizeof(a->uuid), "%s", uuid);
	if (!json_object_object_get_ex(o, "keys", &keys)) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "%s: \"keys\" is missing",
		    where);
		return -1;
	}
	return parse_keys(a, keys, where, err);
}

struct accounts *
accounts_parse(const char *text, size_t len, struct tnfs_err *err)
{
	static const char *const allowed[] = {"accounts", NULL};
	json_object *root = NULL, *list;
	struct accounts *as = NULL;
	size_t i, j, n;

	if ((root = jsonx_parse(text, len, 8, err)) == NULL)
		return NULL;
	if (json_object_is_type(root, json_type_object) &&
	    only_members(root, allowed, "the accounts file", err) == -1)
		goto fail;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "accounts", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "the accounts file must be an object with an \"accounts\" "
		    "array");
		goto fail;
	}
	n = json_object_array_length(list);
	if (n > ACCOUNTS_MAX) {
		tnfs_err_set(err, TNFS_E_VALIDATION, "more than %d accounts",
		    ACCOUNTS_MAX);
		goto fail;
	}
	if ((as = calloc(1, sizeof(*as))) == NULL ||
	    (n > 0 && (as->items = calloc(n, sizeof(*as->items))) == NULL)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	atomic_init(&as->refs, 1);
	for (i = 0; i < n; i++) {
		struct account *a = &as->items[i];

		as->n = i + 1;
		if (parse_account(a, json_object_array_get_idx(list, i), i,
			err) == -1)
			goto fail;
		for (j = 0; j < i; j++) {
			if (strcmp(as->items[j].login, a->login) == 0 ||
			    strcmp(as->items[j].uuid, a->uuid) == 0) {
				tnfs_err_set(err, TNFS_E_VALIDATION,
				    "account %s: the login or uuid of account "
				    "%s again",
				    a->login, as->items[j].login);
				goto fail;
			}
		}
	}
	json_object_put(root);
	return as;
fail:
	json_object_put(root);
	accounts_put(as);
	return NULL;
}

struct accounts *
accounts_load(const char *path, struct tnfs_err *err)
{
	struct accounts *as;
	char *text = NULL;
	size_t len = 0;

	if (fsutil_read_file(path, ACCOUNTS_FILE_MAX, &text, &len, err) == -1)
		return NULL;
	if ((as = accounts_parse(text, len, err)) == NULL)
		tnfs_err_prefix(err, "%s", path);
	free(text);
	return as;
}

struct accounts *
accounts_hold(struct accounts *as)
{
	if (as != NULL)
		atomic_fetch_add(&as->refs, 1);
	return as;
}

void
accounts_put(struct accounts *as)
{
	size_t i;

	if (as == NULL || atomic_fetch_sub(&as->refs, 1) != 1)
		return;
	for (i = 0; i < as->n; i++)
		account_clear(&as->items[i]);
	free(as->items);
	free(as);
}

size_t
accounts_count(const struct accounts *as)
{
	return as->n;
}

const struct account *
accounts_find(const struct accounts *as, const char *login)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		if (strcmp(as->items[i].login, login) == 0)
			return &as->items[i];
	return NULL;
}

const struct sshkey *
account_key_find(const struct account *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		if (sshkey_fp_matches(a->keys[i].key, id))
			return a->keys[i].key;
	for (i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i].name, id) == 0)
			return a->keys[i].key;
	return NULL;
}
