/*
 * adm_token.c: `tritonnfs-adm token create`: a new random token, printed
 * or saved to a new 0600 file, and the entry for "tokens" in the VAPI's
 * configuration (its SHA-256, and the owner or the operator role).  It
 * needs no VAPI.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adm.h"
#include "jsonx.h"
#include "sha256.h"
#include "token.h"

/* Write token to a new file only root reads; never over an existing one. */
static int
save_token(struct cli *c, const char *path, const char *token)
{
	size_t len = strlen(token), off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		 0600)) == -1) {
		cli_error(c, "cannot create %s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (remove it first: a token file is "
				      "never overwritten)"
				    : "");
		return -1;
	}
	while (off <= len) {
		const char *p = off < len ? token + off : "\n";
		size_t want = off < len ? len - off : 1;

		if ((n = write(fd, p, want)) == -1) {
			if (errno == EINTR)
				continue;
			cli_error(c, "cannot write %s: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		cli_error(c, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/*
 * A new random token and the entry for "tokens" in the VAPI's
 * configuration (its SHA-256, and the owner or the operator role).
 */
int
adm_token_create(struct cli *c, const struct adm_opts *o)
{
	char token[2 * TNFS_TOKEN_RANDOM_BYTES + 1];
	char hex[TNFS_SHA256_HEX_BUFSZ];
	struct tnfs_err err;
	json_object *entry = NULL;
	int rc = CLI_EXIT_FAIL;

	tnfs_err_clear(&err);
	if (tnfs_token_generate(token, &err) == -1) {
		cli_error_err(c, &err);
		return CLI_EXIT_FAIL;
	}
	tnfs_sha256_hex(token, strlen(token), hex);
	if ((entry = json_object_new_object()) == NULL ||
	    jsonx_add_str(entry, "sha256", hex) == -1 ||
	    (o->operator
		    ? jsonx_add_str(entry, "role", "operator")
		    : jsonx_add_str(entry, "owner_uuid", o->owner)) == -1) {
		cli_error(c, "out of memory");
		goto out;
	}
	if (o->save != NULL) {
		if (save_token(c, o->save, token) == -1)
			goto out;
	} else {
		printf("%s\n", token);
	}
	cli_print_json_line(stdout, entry);
	rc = CLI_EXIT_OK;
out:
	explicit_bzero(token, sizeof(token));
	json_object_put(entry);
	return rc;
}
