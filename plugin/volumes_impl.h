/*
 * volumes_impl.h: what the three parts of the volume layer share, and
 * nothing else includes.
 *
 *   volumes.c        the registry (struct pvol by name), Create, Remove,
 *                    Get, List, Path, and the state files;
 *   volumes_attach.c Mount and Unmount: readiness, the mount itself,
 *                    permissions, references, and reconciling the state
 *                    with the mounts that exist at start;
 *   volumes_sync.c   the background thread: refresh from the VAPI,
 *                    lingering unmounts and lease renewals.
 *
 * A struct pvol is never freed before volumes_free: a removed volume is
 * only flagged, so a thread holding a pointer to it stays safe without
 * reference counting.  Lock order: pvol.op_mu, then volumes.mu.
 */
#ifndef TNFS_PLUGIN_VOLUMES_IMPL_H
#define TNFS_PLUGIN_VOLUMES_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "state.h"
#include "vapi_client.h"
#include "volumes.h"

struct pvol {
	struct pvol *next;
	pthread_mutex_t op_mu; /* held across this volume's I/O */
	/* Everything below is guarded by volumes.mu. */
	struct volume_state st;
	char vapi_state[VAPI_STATE_BUFSZ]; /* "" until the VAPI was asked */
	char refs[1024]; /* holders as the VAPI last listed them */
	int removed;     /* hidden: deleted or gone from the VAPI */
	int mounted;
	int persisted;          /* has a state file */
	int64_t empty_since_ms; /* ID set became empty while mounted */
	int64_t lease_ms;       /* last reference add/renewal */
	int64_t mounted_since_ms;
	int64_t last_check_ms; /* last time the VAPI confirmed it */
	char last_error[TNFS_ERR_MSG_MAX];
};

struct volumes {
	char *vapi_url, *token, *owner, *host, *state_dir, *mount_root;
	struct volumes_config cfg;
	pthread_mutex_t mu;
	struct pvol *head;
	pthread_t thread;
	int running;
	int stopping;
	pthread_cond_t cv;
	int64_t last_refresh_ms;
	char refresh_error[TNFS_ERR_MSG_MAX];
};

/* volumes.c */

/* A client for one operation; caller frees with vapi_client_free. */
struct vapi_client *vol_vapi_open(struct volumes *vs, struct tnfs_err *err);

/*
 * The mount point of a volume: <mount-root>/<name>, or
 * <mount-root>/_<SHA-256 of the name> for a name too long to be a file name.
 */
void vol_target_path(
    const struct volumes *vs, const char *name, char *buf, size_t len);

/* Caller holds vs->mu.  NULL when name is not known. */
struct pvol *vol_find_locked(struct volumes *vs, const char *name);

/* Caller holds vs->mu.  A new, removed-flagged entry for name. */
struct pvol *vol_add_locked(struct volumes *vs, const char *name);

/* find or add under vs->mu; NULL when out of memory. */
struct pvol *vol_get_or_add(struct volumes *vs, const char *name);

/* Save p's state file.  Caller holds p->op_mu; takes vs->mu for the copy. */
int vol_persist(struct volumes *vs, struct pvol *p, struct tnfs_err *err);

/* Remember err (or clear) as p's last error. */
void vol_set_error(struct volumes *vs, struct pvol *p, const struct tnfs_err *err);

/* Copy what the VAPI says into p (caller holds vs->mu). */
void vol_absorb_locked(struct pvol *p, const struct vapi_volume *v, int64_t now);

/* 1 for the VAPI states Docker sees (ready, creating). */
int vol_visible_state(const char *s);

/*
 * Look p up in the VAPI (a volume made on another host since the last
 * refresh).  Caller holds p->op_mu.  1 found, 0 not there, -1 error.
 */
int vol_fetch(struct volumes *vs, struct vapi_client *c, struct pvol *p,
    struct tnfs_err *err);

/* volumes_attach.c */

/* Unmount p and drop this host's reference.  Caller holds p->op_mu. */
void vol_detach(struct volumes *vs, struct pvol *p);

/*
 * At start (no other thread yet): adopt mounts at the expected paths, drop
 * the IDs of vanished mounts, unmount leftovers no ID holds (§5.1 item 8).
 */
void vol_reconcile_mounts(struct volumes *vs);

#endif
