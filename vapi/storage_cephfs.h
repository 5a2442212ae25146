/*
 * storage_cephfs.h: what the two halves of the cephfs storage backend
 * share: storage_cephfs.c (the storage_ops: volumes, generations, the cache
 * of paths and keys), storage_cephfs_list.c (listing, orphans),
 * storage_cephfs_snap.c (snapshots, rollback, clones) and
 * storage_cephfs_ceph.c (one function per `ceph` command it runs, each
 * with a deadline).  Private to them.
 */
#ifndef TNFS_STORAGE_CEPHFS_H
#define TNFS_STORAGE_CEPHFS_H

#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "storage.h"
#include "uuid.h"

#define CEPHFS_MIB       (UINT64_C(1) << 20)
#define CEPHFS_CALL_MS   30000  /* one ceph CLI call */
#define CLONE_TIMEOUT_MS 600000 /* a rollback's copy */
#define USAGE_TIMEOUT_MS 5000   /* usage is read by GetVolume: keep it short */
#define USAGE_TTL_MS     2000
#define QUIET_MS         15000 /* after a timeout, usage asks no more */
#define NAME_MAX_LEN     48
#define SUBVOL_BUFSZ     (TNFS_UUID_BUFSZ + 16)

struct cephfs_vol {
	char uuid[TNFS_UUID_BUFSZ];
	unsigned gen; /* current generation */
	struct storage_usage usage;
	int64_t usage_ms; /* when usage was read (monotonic), 0: never */
	char path[512];   /* getpath of the current generation */
	char secret[128]; /* the cephx user's key, "" until known */
};

struct cephfs_backend {
	char conf[PATH_MAX];
	char fs[NAME_MAX_LEN + 1];
	char group[NAME_MAX_LEN + 1];
	char client[NAME_MAX_LEN + 1];
	char keyring[PATH_MAX]; /* "" for the configuration's own */
	char orphans_file[PATH_MAX];

	pthread_mutex_t mu; /* guards vols, group_ready, orphans, quiet_until */
	struct cephfs_vol *vols;
	size_t nvols, cap;
	int group_ready;
	/*
	 * Until then, Ceph did not answer lately: usage reads (GetVolume)
	 * fail at once instead of waiting for it again.
	 */
	int64_t quiet_until;
	char **orphans; /* subvolume names set aside */
	size_t norphans;
};

/* The volume's cephx user name, GROUP-UUID (without "client."). */
void cephfs_auth_id(
    const struct cephfs_backend *b, const char *uuid, char *buf, size_t len);

/*
 * Run `ceph ARGS... --format json` as our client, killed after timeout_ms.
 * *out (when out is not NULL) receives stdout, which the caller frees.
 * what names the operation in the error.  A cluster that does not answer
 * gives ServiceUnavailable and sets b->quiet_until (takes b->mu).
 */
int cephfs_run(struct cephfs_backend *b, const char *const *args,
    int timeout_ms, char **out, const char *what, struct tnfs_err *err);

/* Whether err is Ceph's "does not exist". */
int cephfs_is_enoent(const struct tnfs_err *err);

/* Parse Ceph's JSON answer; the caller puts the result. */
json_object *cephfs_parse_json(
    const char *text, const char *what, struct tnfs_err *err);

/* Subvolume sv of our group (GROUP/sv). */
int cephfs_getpath(struct cephfs_backend *b, const char *sv, char *buf,
    size_t len, struct tnfs_err *err);
int cephfs_set_quota(struct cephfs_backend *b, const char *sv,
    uint64_t size_mib, struct tnfs_err *err);
int cephfs_quota_mib(struct cephfs_backend *b, const char *sv, uint64_t *mib,
    struct tnfs_err *err);
/* Its snapshot names; *names freed with storage_list_free. */
int cephfs_snap_list(struct cephfs_backend *b, const char *sv, char ***names,
    size_t *n, struct tnfs_err *err);
int cephfs_snap_rm(struct cephfs_backend *b, const char *sv, const char *snap,
    struct tnfs_err *err);
/* Wait (up to CLONE_TIMEOUT_MS) for the clone into sv to complete. */
int cephfs_clone_wait(
    struct cephfs_backend *b, const char *sv, struct tnfs_err *err);

/*
 * The volume's cephx user on subvolume sv: authorize (idempotent) and read
 * its key into secret; deauthorize (absent user: success); remove the user
 * altogether (absent: success).
 */
int cephfs_authorize(struct cephfs_backend *b, const char *uuid, const char *sv,
    char *secret, size_t len, struct tnfs_err *err);
int cephfs_deauthorize(struct cephfs_backend *b, const char *uuid,
    const char *sv, struct tnfs_err *err);
int cephfs_user_rm(
    struct cephfs_backend *b, const char *uuid, struct tnfs_err *err);

/* The uuids of the cephx users client.GROUP-UUID; storage_list_free. */
int cephfs_user_list(
    struct cephfs_backend *b, char ***uuids, size_t *n, struct tnfs_err *err);

/* storage_cephfs.c, for the other files. */
int cephfs_check_uuid(const char *uuid, struct tnfs_err *err);
/* GROUP's subvolume name of generation gen of volume uuid, into buf. */
void cephfs_subvol_name(const char *uuid, unsigned gen, char *buf);
/* The volume and generation a name of ours stands for; -1: not ours. */
int cephfs_parse_subvol(const char *name, char *uuid, unsigned *gen);
/* Our subvolumes but those set aside; freed with storage_list_free. */
int cephfs_subvol_list(
    struct cephfs_backend *b, char ***names, size_t *n, struct tnfs_err *err);
/* The volume's current generation, or VolumeNotFound. */
int cephfs_current_gen(struct cephfs_backend *b, const char *uuid,
    unsigned *gen, struct tnfs_err *err);
/* Remove a subvolume with its snapshots (deauth: revoke the user first). */
int cephfs_subvol_rm(struct cephfs_backend *b, const char *uuid, const char *sv,
    int deauth, struct tnfs_err *err);
/* Cache the path and key of generation gen (authorizing the user on it). */
int cephfs_refresh(struct cephfs_backend *b, const char *uuid, unsigned gen,
    struct tnfs_err *err);

/* storage_cephfs_list.c: listing, and orphans set aside. */
/* Whether name is set aside as an orphan's; the caller holds b->mu. */
int cephfs_is_orphan_locked(const struct cephfs_backend *b, const char *name);
int cephfs_list(void *impl, char ***uuids, size_t *n, struct tnfs_err *err);
int cephfs_orphan_set_aside(
    void *impl, const char *uuid, struct tnfs_err *err);

/* storage_cephfs_snap.c: the snapshot storage_ops. */
int cephfs_snapshot_create(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err);
int cephfs_snapshot_delete(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err);
int cephfs_snapshot_rollback(
    void *impl, const char *uuid, const char *snap, struct tnfs_err *err);
int cephfs_volume_clone(void *impl, const char *uuid, const char *src,
    const char *snap, uint64_t size_mib, struct tnfs_err *err);

#endif
