/*
 * volumes.h: the plugin's domain: the volume cache, Create/Remove through
 * the VAPI, Mount/Unmount with persisted ID sets, and the background work
 * (refresh from the VAPI, lease renewal, lingering unmounts).
 *
 * Concurrency (docker-volume-plugins.md §5.1 item 9, ARCHITECTURE.md
 * decision 4): one short-held mutex guards the cache; each volume has its
 * own operation mutex held across its mount, unmount, create or remove, so
 * a hung mount of one volume blocks nothing but later operations on that
 * same volume.  Get, List and Path only take the short mutex and never
 * touch the network.  Lock order: volume op mutex, then cache mutex.
 */
#ifndef TNFS_PLUGIN_VOLUMES_H
#define TNFS_PLUGIN_VOLUMES_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"
#include "mounts.h"
#include "protocol.h"

struct volumes_config {
	const char *vapi_url;
	const char *token;
	const char *owner_uuid;
	const char *host_uuid;
	const char *state_dir;
	const char *mount_root;
	struct mounts *mounts;  /* borrowed */
	int linger_ms;          /* keep an unused mount this long */
	int refresh_ms;         /* VAPI list period */
	int list_page;          /* volumes per list request (0: all at once) */
	int lease_ms;           /* reference renewal period */
	int mount_timeout_ms;   /* whole Mount, below Docker's 2 min */
	int unmount_timeout_ms; /* whole Unmount/Remove, below 1 min */
	int vapi_timeout_ms;    /* one VAPI request */
	int preflight_ms;       /* TCP pre-flight to the NFS server */
	int nfs_timeo_ds;       /* kernel mounts: timeo= */
	int nfs_retrans;        /* kernel mounts: retrans= */
	const char *docker_socket; /* NULL: never ask dockerd */
	int docker_sync_ms;        /* how often to ask it */
};

struct volumes;

/*
 * Load the state directory (no network) and reconcile it with
 * /proc/self/mountinfo.  Strings in cfg are copied.
 */
struct volumes *volumes_new(
    const struct volumes_config *cfg, struct tnfs_err *err);

/* Start the background thread (first VAPI refresh happens there). */
int volumes_start(struct volumes *vs, struct tnfs_err *err);

/* Stop the background thread; state is already on disk.  Mounts stay. */
void volumes_stop(struct volumes *vs);
void volumes_free(struct volumes *vs);

/* Run one refresh from the VAPI now (tests, and the background thread). */
int volumes_refresh(struct volumes *vs, struct tnfs_err *err);

/*
 * The VolumeDriver operations.  They fill plain structs (protocol.h
 * renders them for Docker); mountpoint buffers get "" when the volume is
 * not mounted.  -1 with err, NotFound for an unknown volume.
 */
int volumes_create(struct volumes *vs, const char *name, json_object *opts,
    struct tnfs_err *err);
int volumes_remove(struct volumes *vs, const char *name, struct tnfs_err *err);
int volumes_get(struct volumes *vs, const char *name, struct proto_volume *out,
    struct tnfs_err *err);
/* The volumes Docker sees; free with proto_volume_list_clear. */
int volumes_list(
    struct volumes *vs, struct proto_volume_list *out, struct tnfs_err *err);
/*
 * List's whole reply as text, rendered once per change of the registry
 * and shared by every List of that change: a reference the caller gives
 * back with volumes_text_put (from any thread; the text outlives the
 * registry's next change until its last reference goes).  NULL with err.
 */
struct volumes_text;
struct volumes_text *volumes_list_text(struct volumes *vs, struct tnfs_err *err);
/* The text (NUL-terminated) and its length; valid while t is held. */
const char *volumes_text_str(const struct volumes_text *t, size_t *len);
/* Drop one reference; the last frees t.  NULL is a no-op. */
void volumes_text_put(struct volumes_text *t);
/*
 * Whether volumes_list_text would answer without rendering: the kept
 * text is current and no render is under way.  A hint, for choosing
 * where to run a List (httpd's quick requests); it may be stale by the
 * time the List runs, which then renders.
 */
int volumes_list_text_current(struct volumes *vs);
int volumes_path(struct volumes *vs, const char *name, char *mountpoint,
    size_t len, struct tnfs_err *err);
int volumes_mount(struct volumes *vs, const char *name, const char *id,
    char *mountpoint, size_t len, struct tnfs_err *err);
int volumes_unmount(
    struct volumes *vs, const char *name, const char *id, struct tnfs_err *err);

#endif
