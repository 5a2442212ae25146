/*
 * accounts.h: the accounts file of tritonnfs-cloudapi, the one thing it
 * owns: who may call it (login), whose volumes they are (uuid, the VAPI's
 * owner_uuid), and the SSH public keys that sign their requests.
 *
 *   {"accounts": [{"login": "alice", "uuid": "<uuid>",
 *       "keys": [{"name": "laptop", "key": "ssh-ed25519 AAAA... c"}]}]}
 *
 * A set is loaded whole and is then read-only; a reload builds a new set
 * and swaps it in (see cloudapi.h), so a request keeps the set it started
 * with.  A set is reference-counted for that: accounts_hold/accounts_put.
 */
#ifndef TNFS_CLOUDAPI_ACCOUNTS_H
#define TNFS_CLOUDAPI_ACCOUNTS_H

#include <stddef.h>

#include "err.h"
#include "sshkey.h"
#include "uuid.h"

#define ACCOUNT_LOGIN_MAX   64
#define ACCOUNT_KEYNAME_MAX 128
#define ACCOUNTS_FILE_MAX   (4 * 1024 * 1024)
#define ACCOUNTS_MAX        10000
#define ACCOUNT_KEYS_MAX    100

struct account_key {
	char name[ACCOUNT_KEYNAME_MAX + 1];
	struct sshkey *key;
};

struct account {
	char login[ACCOUNT_LOGIN_MAX + 1];
	char uuid[TNFS_UUID_BUFSZ];
	struct account_key *keys;
	size_t nkeys;
};

struct accounts;

/*
 * Read and check path: valid JSON, no unknown members, logins
 * ([A-Za-z][A-Za-z0-9._-]*, at most 64), uuids and key names unique, every
 * key parses.  Returns a set with one reference (accounts_put), or NULL
 * with a ValidationError naming the account and key at fault.
 */
struct accounts *accounts_load(const char *path, struct tnfs_err *err);

/* The same from text already in memory (tests, error messages). */
struct accounts *accounts_parse(
    const char *text, size_t len, struct tnfs_err *err);

struct accounts *accounts_hold(struct accounts *as);
void accounts_put(struct accounts *as);

size_t accounts_count(const struct accounts *as);

/* The account with that login, NULL when none. */
const struct account *accounts_find(
    const struct accounts *as, const char *login);

/*
 * The key of a that id names: its MD5 fingerprint (colon hex, optionally
 * "MD5:"), its SHA256 fingerprint ("SHA256:...") or its name in the file.
 * NULL when none.
 */
const struct sshkey *account_key_find(const struct account *a, const char *id);

/* Whether login is well formed (see accounts_load). */
int accounts_login_valid(const char *login);

#endif
