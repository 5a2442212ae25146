/*
 * parse.h: the parsers for what users type: volume names, sizes, numbers
 * and booleans.  Every parser is strict: it accepts the documented forms and
 * fails on anything else with a message that shows what is accepted.
 */
#ifndef TNFS_PARSE_H
#define TNFS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TNFS_NAME_MIN 2
#define TNFS_NAME_MAX 256

/* Largest size accepted anywhere: 1 EiB in MiB, far below UINT64_MAX. */
#define TNFS_SIZE_MAX_MIB (UINT64_C(1) << 40)

/*
 * A volume name: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$, 2-256 bytes.  The message
 * is VAPI's ("volume name must match /^[a-zA-Z0-9][a-zA-Z0-9_\.\-]+$/",
 * "volume name is too long, max length is 256") with the offending
 * character named.  0 when valid, -1 and a ValidationError otherwise.
 * Stricter than VOLAPI in one way: a name containing ".." anywhere
 * ("a..b") is refused, since names become directories and export paths.
 * NULL gets VOLAPI's "volume name must be a string".
 */
int tnfs_name_check(const char *name, struct tnfs_err *err);

#define TNFS_SNAPSHOT_NAME_MAX 64

/*
 * A snapshot name: ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$, 1-64 bytes, the VAPI's
 * rule (its message, with the offending character named).  0 when valid,
 * -1 and a ValidationError otherwise.
 */
int tnfs_snapshot_name_check(const char *name, struct tnfs_err *err);

/*
 * The source of a clone as users write it, VOLUME@SNAPSHOT: a volume name
 * or uuid (tnfs_name_check) and a snapshot name, split at the one '@'.
 * vol receives at most TNFS_NAME_MAX bytes and snap at most
 * TNFS_SNAPSHOT_NAME_MAX, each NUL-terminated.  Nothing but those two
 * parts is accepted: no second '@', no empty part, no space or control
 * character; the message names the part that is wrong.
 */
int tnfs_clone_source_parse(const char *text, char vol[TNFS_NAME_MAX + 1],
    char snap[TNFS_SNAPSHOT_NAME_MAX + 1], struct tnfs_err *err);

/*
 * A size as users write it: 10G, 10g, 10GiB, 10GB (= GiB), 512M, 512MiB,
 * 1T, 1TiB, or a plain integer in MiB.  Result in MiB.  Zero, negatives,
 * fractions, spaces, empty strings and overflow fail with a message listing
 * the accepted forms.  Units are matched without case (m, mib, mb, g, gib,
 * gb, t, tib, tb) and are all binary: 1G = 1024 MiB.  Leading zeros ("010G",
 * "00") are refused, as VOLAPI's /^[1-9][0-9]*$/ refuses them, and so are a
 * sign, hex, exponents and any other unit ("10K", "1P").  The result is at
 * most TNFS_SIZE_MAX_MIB.
 */
int tnfs_size_parse(const char *text, uint64_t *mib, struct tnfs_err *err);

/*
 * The smallest entry of sizes (any order, MiB) that is >= mib.  When none is
 * large enough, -1 and a VolumeSizeNotAvailable error naming the available
 * sizes in "10G, 20G" form.
 */
int tnfs_size_round_up(uint64_t mib, const uint64_t *sizes, size_t nsizes,
    uint64_t *out, struct tnfs_err *err);

/*
 * Human form of a MiB size, as triton shows it: "10G" when a whole number of
 * GiB, "1T" never (node-triton prints GiB), "512M" otherwise.
 */
void tnfs_size_format(uint64_t mib, char *buf, size_t len);

/*
 * A decimal integer with no sign, spaces or leading zeros, at most max.
 * what names the value in the error message.
 */
int tnfs_parse_u64(const char *text, uint64_t max, uint64_t *out,
    const char *what, struct tnfs_err *err);

/* "true"/"false" (also "1"/"0", "yes"/"no"), exact case-insensitive words. */
int tnfs_parse_bool(
    const char *text, int *out, const char *what, struct tnfs_err *err);

/* 1 when s holds a control character (below 0x20, or DEL). */
int tnfs_has_control(const char *s);

#endif
