/*
 * btrfs_usage.h: the space a btrfs subvolume uses and its limit, from the
 * kernel's own qgroup counters in sysfs (/sys/fs/btrfs/FSID/qgroups/0_ID,
 * Linux 5.9 and later): one small read per volume, no child process and
 * nothing proportional to the pool's size.
 *
 * The kernel counts a qgroup's bytes when a transaction commits (every 30
 * seconds by default).  A read that finds the last commit older than
 * BTRFS_USAGE_TTL_MS asks a committer thread for a new one and waits for it
 * at most BTRFS_USAGE_WAIT_MS: on an idle pool a commit takes about a
 * millisecond, so the answer counts every write made before the request;
 * under heavy writes the read answers with the counters of the last commit
 * instead of waiting behind it.
 */
#ifndef TNFS_VAPI_BTRFS_USAGE_H
#define TNFS_VAPI_BTRFS_USAGE_H

#include <stdint.h>

#include "err.h"

#define BTRFS_USAGE_TTL_MS  2000
#define BTRFS_USAGE_WAIT_MS 100

struct btrfs_usage;

/*
 * The counters of the btrfs filesystem mounted at root.  NULL and err when
 * root is not a btrfs, or the kernel shows no qgroups for it (quotas off,
 * or a kernel older than 5.9).  Starts the committer thread; the open
 * directory keeps the pool busy until close.
 */
struct btrfs_usage *btrfs_usage_open(const char *root, struct tnfs_err *err);

/* Stops the committer (after the commit it runs, if any).  NULL: no-op. */
void btrfs_usage_close(struct btrfs_usage *u);

/*
 * The referenced bytes of qgroup 0/subvol_id and its referenced limit (0
 * when none), fresh as said above.  -1 and err when the kernel shows no
 * such qgroup or a counter is not a number.
 */
int btrfs_usage_read(struct btrfs_usage *u, uint64_t subvol_id,
    uint64_t *referenced, uint64_t *limit, struct tnfs_err *err);

/*
 * The limit alone, as it is now (a limit takes effect when set; it needs
 * no commit).
 */
int btrfs_usage_limit(struct btrfs_usage *u, uint64_t subvol_id,
    uint64_t *limit, struct tnfs_err *err);

/*
 * The decimal counter of a sysfs file's text ("1234\n"): 0, or -1 and err
 * naming what for anything else (empty, signs, spaces, other characters,
 * more than 64 bits).
 */
int btrfs_usage_counter_parse(
    const char *text, const char *what, uint64_t *out, struct tnfs_err *err);

#endif
