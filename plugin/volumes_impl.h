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
 *                    lingering unmounts and lease renewals;
 *   volumes_docker.c releasing the mount IDs a dead dockerd left behind.
 *
 * A struct pvol is never freed before volumes_free: a removed volume is
 * only flagged, so a thread holding a pointer to it stays safe without
 * reference counting.  The registry is a list (new entries at its head,
 * so a walk without the lock stays valid) and a hash table by name.
 *
 * Locking: volumes.lock is a read-write lock over the registry and every
 * pvol's fields below op_mu, held for memory work only (never across I/O);
 * Get, List and Path take it for reading, and a refresh takes it for
 * writing one volume at a time, so readers never wait for a whole
 * refresh.  It prefers writers, so a stream of readers cannot starve
 * them.  Lock order: pvol.op_mu, then volumes.lock.
 */
#ifndef TNFS_PLUGIN_VOLUMES_IMPL_H
#define TNFS_PLUGIN_VOLUMES_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "state.h"
#include "vapi_client.h"
#include "volumes.h"

struct pvol {
	struct pvol *next;     /* the registry's list */
	struct pvol *hnext;    /* its hash chain */
	pthread_mutex_t op_mu; /* held across this volume's I/O */
	/* Everything below is guarded by volumes.lock. */
	uint64_t seen_gen; /* volumes.gen when the VAPI last listed it */
	struct volume_state st;
	char vapi_state[VAPI_STATE_BUFSZ]; /* "" until the VAPI was asked */
	char *refs; /* holders as the VAPI last listed them, NULL: none */
	int removed;     /* hidden: deleted or gone from the VAPI */
	int mounted;
	int persisted;          /* has a state file */
	int64_t empty_since_ms; /* ID set became empty while mounted */
	int64_t lease_ms;       /* last reference add/renewal */
	int64_t mounted_since_ms;
	int64_t last_check_ms; /* last time the VAPI confirmed it */
	/* Reconciling with dockerd (volumes_docker.c). */
	uint64_t id_ops;         /* Mounts and Unmounts so far */
	uint64_t excess_ops;     /* id_ops when excess IDs were first seen */
	int64_t excess_since_ms; /* then (monotonic); 0 while none are */
	char *last_error; /* NULL: none (few volumes have one) */
	/*
	 * The address the mount was made from (vol_addr_locked), NULL when
	 * not mounted.  A record naming another one means the volume moved
	 * to another NFS head (a head's failover, docs/cephfs.md): the next
	 * container gets a mount made afresh.
	 */
	char *mount_addr;
	/*
	 * mountinfo's "FSTYPE SOURCE OPTIONS" of that mount, read by the
	 * first Get after it was made (NULL until then): the mount table has
	 * a line per mount on the host, thousands where the VAPI serves from
	 * the same host, too many to read for every Get.  mount_gen counts
	 * the changes of mount_addr, so a read that raced one is dropped.
	 */
	char *mount_desc;
	uint64_t mount_gen;
};

struct volumes {
	char *vapi_url, *token, *owner, *host, *state_dir, *mount_root;
	char *docker_socket; /* NULL: dockerd is never asked */
	int docker_failing;  /* the last ask failed (logged once) */
	struct volumes_config cfg;
	pthread_rwlock_t lock; /* the registry: see above */
	struct pvol *head;
	struct pvol **buckets; /* by name; as many as volumes, or more */
	size_t nbuckets, count;
	uint64_t gen; /* refresh generation */
	/* List's reply, rendered once per change (volumes_list_text). */
	int writing;       /* the lock is held for writing */
	uint64_t list_gen; /* bumped at each release of the write lock */
	pthread_mutex_t list_mu;
	struct volumes_text *list_text; /* NULL until rendered */
	uint64_t list_text_gen; /* list_gen it was rendered at (or later) */
	int64_t last_refresh_ms;
	char refresh_error[TNFS_ERR_MSG_MAX];
	/* The background thread. */
	pthread_t thread;
	int running;
	pthread_mutex_t bg_mu; /* guards stopping, for cv */
	int stopping;
	pthread_cond_t cv;
};

/* volumes.lock, for reading or for writing, and its release. */
void vol_rdlock(struct volumes *vs);
void vol_wrlock(struct volumes *vs);
void vol_unlock(struct volumes *vs);
/*
 * Release a write lock whose changes List does not show: no volume added,
 * shown, hidden, mounted or unmounted (names and mount points are all
 * List answers).  List's rendered reply stays current, so a refresh that
 * changes nothing does not make every List render 10,000 entries again.
 */
void vol_unlock_list_kept(struct volumes *vs);

/* volumes.c */

/* A client for one operation; caller frees with vapi_client_free. */
struct vapi_client *vol_vapi_open(struct volumes *vs, struct tnfs_err *err);

/*
 * The mount point of a volume: <mount-root>/<name>, or
 * <mount-root>/_<SHA-256 of the name> for a name too long to be a file name.
 */
void vol_target_path(
    const struct volumes *vs, const char *name, char *buf, size_t len);

/* Caller holds vs->lock.  NULL when name is not known. */
struct pvol *vol_find_locked(struct volumes *vs, const char *name);

/* Caller holds vs->lock for writing.  A new, removed-flagged entry for
 * name; NULL when out of memory. */
struct pvol *vol_add_locked(struct volumes *vs, const char *name);

/* Find or add; NULL when out of memory. */
struct pvol *vol_get_or_add(struct volumes *vs, const char *name);

/* Save p's state file.  Caller holds p->op_mu; takes vs->lock for the
 * copy. */
int vol_persist(struct volumes *vs, struct pvol *p, struct tnfs_err *err);

/* Replace *dst by a copy of s ("" or NULL: none).  Caller holds vs->lock
 * for writing; on out of memory the old value goes. */
void vol_set_str_locked(char **dst, const char *s);

/* Remember err (or clear) as p's last error. */
void vol_set_error(
    struct volumes *vs, struct pvol *p, const struct tnfs_err *err);

/* Copy what the VAPI says into p (caller holds vs->lock for writing). */
void vol_absorb_locked(struct volumes *vs, struct pvol *p,
    const struct vapi_volume *v, int64_t now);

/* p's address as its record names it: "HOST:/EXPORT NFS_PORT MOUNT_PORT".
 * Caller holds vs->lock. */
#define VOL_ADDR_MAX (STATE_FSPATH_MAX + 32)
void vol_addr_locked(const struct pvol *p, char *buf, size_t len);

/* Remember the current address as the mount's (caller holds vs->lock for
 * writing); out of memory leaves none, which is never seen as moved. */
void vol_mount_addr_set_locked(struct pvol *p);
/* The mount's address becomes addr (NULL: not mounted); its description
 * is read again. */
void vol_mount_addr_put_locked(struct pvol *p, const char *addr);

/* 1 when p is mounted from an address its record no longer names.
 * Caller holds vs->lock. */
int vol_moved_locked(const struct pvol *p);

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

/*
 * After each refresh: release what no id holds yet this host still has,
 * a mount under the mount root or a reference in the VAPI (a plugin
 * killed mid-Mount or mid-Unmount leaves them).  Skips busy volumes.
 */
void vol_release_strays(struct volumes *vs);

/* volumes_docker.c */

/*
 * Ask dockerd which volumes its running containers use and release the
 * mount IDs it will never unmount (docker_users.h).  Skips busy volumes.
 */
void vol_docker_sync(struct volumes *vs);

#endif
