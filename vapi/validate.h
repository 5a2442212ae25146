/*
 * validate.h: VOLAPI's checks of typed values.  Every failed check adds a
 * cause; the request fails once with all of them, as VOLAPI does:
 *   409 ValidationError "Validation error, causes: Error: <c1>, Error: <c2>"
 * The core (volumes.c, refs.c, snapshots.c) checks what it is given with
 * these; api_params.h reads HTTP parameters into the typed values.
 */
#ifndef TNFS_VAPI_VALIDATE_H
#define TNFS_VAPI_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define VALIDATE_MAX_VOLUME_NETWORKS 16
#define VALIDATE_MAX_LABELS          64
#define VALIDATE_MAX_VOLUME_SIZE     (UINT64_C(1) << 40) /* MiB */

struct causes {
	char text[900];
	int n;
	const char *sep; /* between causes: ", " unless causes_init_sep */
};

void causes_init(struct causes *c);
/*
 * Causes joined by sep instead of ", ": VOLAPI puts an array of Errors
 * into one message with Array#toString, which joins with ",".  sep is
 * borrowed (a literal).
 */
void causes_init_sep(struct causes *c, const char *sep);
void causes_add(struct causes *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A cause of another class than Error, as VOLAPI prints it: "VError: ...". */
void causes_add_as(struct causes *c, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* -1 and the ValidationError when any cause was added, else 0. */
int causes_finish(const struct causes *c, struct tnfs_err *err);

/* Set err to a ValidationError with one cause. */
void validation_error(struct tnfs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Each returns 1 when the value passes, else 0 with a cause added.
 */
/* "<s> is not a valid <what> UUID" (s may be NULL). */
int valid_uuid(const char *s, const char *what, struct causes *c);
/* Volume name rules (2-256 chars, /^[a-zA-Z0-9][a-zA-Z0-9_\.\-]+$/). */
int valid_volume_name(const char *name, struct causes *c);
/* Snapshot names: the same characters, 1-64 long. */
int valid_snapshot_name(const char *name, struct causes *c);
/* "tritonnfs", the one type this VAPI serves. */
int valid_volume_type(const char *type, struct causes *c);
/* 1 to VALIDATE_MAX_VOLUME_SIZE MiB. */
int valid_volume_size(uint64_t size, struct causes *c);
/* 1 to VALIDATE_MAX_VOLUME_NETWORKS networks on a volume. */
int valid_network_count(size_t n, struct causes *c);
/* The label at index (0-based) of a volume's labels. */
int valid_label(
    const char *key, const char *value, size_t index, struct causes *c);

/* One of creating, ready, failed, deleting (no cause added). */
int valid_state(const char *s);

#endif
