/*
 * fuzz.h: what every libFuzzer target shares: splitting an input into
 * NUL-terminated fields, a check that crashes (so libFuzzer keeps the
 * input) when a property the code promises does not hold, and keeping the
 * project's log lines off the fuzzer's output.
 *
 * A target is one file, tests/fuzz/fuzz_<name>.c, defining
 * LLVMFuzzerTestOneInput; its seeds are tests/fuzz/corpus/<name>/ and the
 * inputs that once crashed it tests/fuzz/regress/<name>/ (scripts/fuzz).
 */
#ifndef TNFS_FUZZ_H
#define TNFS_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise: report it and crash, so the input is saved. */
#define FUZZ_CHECK(cond)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n",      \
			    __FILE__, __LINE__, #cond);                   \
			abort();                                          \
		}                                                         \
	} while (0)

/* A NUL-terminated copy of n bytes (NULs inside stay); never NULL. */
static inline char *
fuzz_strndup(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

/*
 * The next field: the bytes up to sep (not included) or to the end, as a
 * new string; *d and *n move past it.  Seeds stay readable with '\n'.
 */
static inline char *
fuzz_field(const uint8_t **d, size_t *n, int sep)
{
	const uint8_t *end = *n > 0 ? memchr(*d, sep, *n) : NULL;
	size_t len = end != NULL ? (size_t)(end - *d) : *n;
	char *s = fuzz_strndup(*d, len);

	*d += len;
	*n -= len;
	if (end != NULL) {
		(*d)++;
		(*n)--;
	}
	return s;
}

/*
 * A new private directory for a target's files, under $TNFS_FUZZ_TMP
 * (scripts/fuzz makes one on tmpfs and removes it), else /dev/shm or /tmp.
 */
static inline void
fuzz_tmpdir(char *buf, size_t len, const char *name)
{
	const char *base = getenv("TNFS_FUZZ_TMP");

	if (base == NULL || base[0] == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(buf, len, "%s/tnfs-fuzz-%s.XXXXXX", base, name);
	if (mkdtemp(buf) == NULL) {
		perror(buf);
		abort();
	}
}

/* The project logs JSON lines on stderr; the fuzzer's output is its own. */
static inline void
fuzz_quiet(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0)
		log_set_fd(fd);
	log_set_level(TNFS_LOG_DEBUG); /* hostile text through the log code too */
}

#endif
