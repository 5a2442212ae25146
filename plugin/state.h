/*
 * state.h: what the plugin remembers about a volume across restarts.
 *
 * One JSON file per volume, <state-dir>/_<SHA-256 of the name>.json,
 * replaced atomically (lib/fsutil.h) before the plugin answers Create,
 * Mount, Unmount or Remove, so a crash never loses a mount ID dockerd was told about
 * (docker-volume-plugins.md §5.1 items 6-7).  The record also keeps the
 * export address and mount options, so Get and Mount keep working while
 * the VAPI is unreachable (§5.2 item 9).
 *
 * The ID set follows §1.6: Mount(v, id) adds id when absent, Unmount(v,
 * id) removes it and an unknown id is not an error; the share is mounted
 * while the set is non-empty.
 */
#ifndef TNFS_PLUGIN_STATE_H
#define TNFS_PLUGIN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"
#include "parse.h"

#define STATE_ID_MAX     128  /* longest mount ID accepted */
#define STATE_IDS_MAX    4096 /* IDs per volume, far above any real use */
#define STATE_FILE_MAX   (1u << 20)
#define STATE_FSPATH_MAX 1023 /* longest filesystem_path kept */

/* Per-volume options chosen at Create (also kept in the VAPI's labels). */
struct volume_opts {
	int ro;          /* mount read-only on the host */
	char nfsvers[8]; /* "3", "4", "4.1", "4.2" */
	int has_uid, has_gid, has_mode;
	uint32_t uid, gid;
	uint32_t mode; /* permission bits, <= 07777 */
};

struct volume_state {
	char name[TNFS_NAME_MAX + 1];
	char uuid[40];
	/*
	 * "<ip>:<export>" (at most STATE_FSPATH_MAX bytes), NULL when not
	 * known; allocated, since a fixed 1 KB buffer here was two thirds of
	 * the plugin's record of a volume (10 MB at 10,000 volumes).  Owned
	 * by st: a copy of a state duplicates it (state_fspath_set).
	 */
	char *filesystem_path;
	int nfs_port, mount_port;
	uint64_t size_mib;
	int64_t created_ms;
	struct volume_opts opts;
	int perms_applied; /* uid/gid/mode done once on the empty root */
	char **ids;        /* the mount ID set */
	size_t nids;
};

/* Default options: NFSv3, read-write, no ownership change. */
void volume_opts_default(struct volume_opts *o);

/* Free the ID set and the path, and zero st. */
void volume_state_clear(struct volume_state *st);

/*
 * Set st's filesystem_path to a copy of fspath (cut at STATE_FSPATH_MAX
 * bytes); NULL or "" makes it NULL.  0, or -1 on out of memory (the old
 * value is then kept).
 */
int state_fspath_set(struct volume_state *st, const char *fspath);

/*
 * ID-set rules.  state_id_add: 1 when added, 0 when already present, -1
 * when the id is malformed or the set is full.  state_id_remove: 1 when
 * removed, 0 when it was not there.  state_id_has: 1 or 0.
 *
 * The set is kept in the order of each ID's last Mount (a repeated Mount
 * moves its ID to the end): when dockerd is found to hold fewer IDs than
 * the set, those mounted longest ago are the ones a dead dockerd left
 * behind, since dockerd mounts again every volume of every container it
 * restarts (volumes_docker.c).
 */
int state_id_add(struct volume_state *st, const char *id, struct tnfs_err *err);
int state_id_remove(struct volume_state *st, const char *id);
int state_id_has(const struct volume_state *st, const char *id);

/* A mount ID as dockerd sends it: 1-128 of [A-Za-z0-9_.-]. */
int state_id_valid(const char *id);

/* To and from JSON; from_json validates everything it reads. */
json_object *state_to_json(const struct volume_state *st);
int state_from_json(
    struct volume_state *st, json_object *obj, struct tnfs_err *err);

/* Write the state file of st->name atomically. */
int state_save(
    const char *dir, const struct volume_state *st, struct tnfs_err *err);

/* Remove the state file of name; absent is success. */
int state_delete(const char *dir, const char *name, struct tnfs_err *err);

/*
 * Load every state file in dir (created if missing), after renaming the
 * <name>.json files of earlier versions to their digest names.  Calls fn
 * for each valid record, which takes over st (fn must clear it
 * eventually); files that do not parse are renamed to <file>.bad and
 * reported through warn.
 */
int state_load_all(const char *dir,
    void (*fn)(void *arg, struct volume_state *st), void *arg,
    struct tnfs_err *err);

#endif
