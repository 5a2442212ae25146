/*
 * token.h: bearer tokens kept out of command lines.
 *
 * A token given as --token is readable by every local user in
 * /proc/PID/cmdline; a token file is not.  The plugin and both command
 * lines read a token from --token-file FILE or TRITONNFS_TOKEN_FILE, and
 * tritonnfs-adm makes new tokens with tnfs_token_generate.
 */
#ifndef TNFS_TOKEN_H
#define TNFS_TOKEN_H

#include <stddef.h>

#include "err.h"

/* A token: printable ASCII, no spaces; the VAPI compares its SHA-256. */
#define TNFS_TOKEN_MAX 1023
#define TNFS_TOKEN_BUFSZ (TNFS_TOKEN_MAX + 1)

/* The bytes of randomness in a generated token (64 hex digits). */
#define TNFS_TOKEN_RANDOM_BYTES 32

/*
 * Read the token in path into out: one line of printable ASCII without
 * spaces (a final newline is allowed), at most TNFS_TOKEN_MAX bytes.  A
 * file that other users may read or write is refused (0600 or 0640 is
 * what it should be), as is anything that is not a regular file.
 * *group_readable is set when the group may read it (a warning for the
 * caller to give; NULL when not wanted).
 */
int tnfs_token_read_file(const char *path, char out[TNFS_TOKEN_BUFSZ],
    int *group_readable, struct tnfs_err *err);

/* Whether s is a well-formed token (the rule tnfs_token_read_file uses). */
int tnfs_token_valid(const char *s);

/*
 * A fresh token from the kernel's random source (getrandom(2)): 64 lowercase
 * hex digits and a NUL in out.
 */
int tnfs_token_generate(
    char out[2 * TNFS_TOKEN_RANDOM_BYTES + 1], struct tnfs_err *err);

#endif
