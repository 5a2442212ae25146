/*
 * provision_impl.h: what the provisioner's parts share (provision.c: the
 * queue, the workers, the scanner and start-up; provision_jobs.c: what
 * each job does to storage and records; provision_export.c: the exports
 * and the NFS head's health).  Not for use outside them.
 */
#ifndef TNFS_PROVISION_IMPL_H
#define TNFS_PROVISION_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "periodic.h"
#include "provision.h"
#include "storage.h"
#include "uuid.h"

struct export_cache;
struct exports_head;
struct volume;

#define SCAN_INTERVAL_MS 1000
#define EXPORT_WAIT_MS   120000
/* How long a waiting caller's job waits for another instance's claim. */
#define CLAIM_WAIT_MS 30000
#define CLAIM_POLL_MS 100
/*
 * Exports syncs read only the volumes marked since the last one, and all
 * of them at least this often; more marks than EXPORT_DIRTY_MAX at once
 * read all of them too.
 */
#define EXPORT_FULL_MS    30000
#define EXPORT_DIRTY_MAX  4096
#define EXPORT_WRITER_KEY "exports-writer:"

enum job_kind {
	JOB_CLAIMED = 100, /* a creating or deleting volume: do what it needs */
};

struct job {
	int op; /* enum provision_op or enum job_kind */
	char uuid[TNFS_UUID_BUFSZ];
	uint64_t size;
	char snap[128];
	struct storage_usage usage; /* copied out: the caller may give up */
	int sync;                   /* a caller waits for it */
	int done;
	int abandoned; /* the caller gave up waiting: worker frees it */
	int rc;
	struct tnfs_err err;
	struct job *next;
	struct job *hnext; /* queued asynchronous jobs by uuid (p->queued) */
};

/* Buckets of the queued asynchronous jobs, so a scan dedups in O(1). */
#define QUEUED_BUCKETS 1024

struct provision {
	struct vapi *va;
	pthread_mutex_t mu;
	pthread_cond_t cv;    /* queue changes, jobs done, kicks */
	pthread_cond_t ex_cv; /* export requests and completions */
	struct job *queue;    /* FIFO */
	struct job *queued[QUEUED_BUCKETS];
	char (*busy)[TNFS_UUID_BUFSZ];
	int nworkers;
	int kicked;
	/*
	 * The last scan claimed all it could: more may be waiting, and the
	 * workers kick the next scan as their queue runs low rather than
	 * wait out SCAN_INTERVAL_MS (a burst of creates is not held to
	 * 2 * nworkers per interval).
	 */
	int more_claims;
	int64_t reaped_ms; /* when the scanner last reaped (its own) */
	int stopping;
	uint64_t ex_want, ex_done;
	int ex_rc;
	struct tnfs_err ex_err;
	/* Volumes whose export changed since the exporter last looked. */
	char (*ex_dirty)[TNFS_UUID_BUFSZ];
	size_t ex_ndirty, ex_capdirty;
	int ex_all; /* any may have: read all */
	/* The exporter thread's (or the shared head's), not under mu. */
	struct export_cache *ex_cache;
	int ex_cache_valid;
	int64_t ex_full_ms;     /* when the cache was last read whole */
	char ex_mark[80];       /* this writer's last mark (EXPORT_WRITER_KEY) */
	unsigned long long ex_marks;
	pthread_t *workers;
	pthread_t scanner, exporter;
	struct tnfs_periodic scan_loop; /* the scanner's: scan() */
	int nstarted;
	int workers_running; /* the exporter thread outlives them */
	int scanner_started, exporter_started;
	int last_healthy; /* exporter health seen by the scanner; -1 unknown */
	unsigned long last_outages;
	unsigned long last_moves; /* exporter_moves the records follow */
	uint64_t live_digest; /* of the live hosts, as the scanner last saw */
	char id[TNFS_UUID_BUFSZ];  /* the instance claims are taken for */
	char export_lease[512];    /* "exports:<NFS head>" */
	struct exports_head *head; /* a shared head, or NULL */
};

/* provision.c */
int prov_may_claim(struct provision *p);
void prov_sleep_ms(int ms);

/* provision_export.c */
void prov_track_exporter_health(struct provision *p);
void prov_export_head(struct provision *p);
int prov_head_sync(void *arg, int adopt, char (*changed)[TNFS_UUID_BUFSZ],
    size_t n, int all, struct tnfs_err *err);
void *prov_exporter_main(void *arg);
/* uuid: the volume whose export changed, NULL for any (provision.h). */
int prov_export_sync_wait(
    struct provision *p, const char *uuid, struct tnfs_err *err);
/*
 * uuid's record changed where its export names its head (ports, path):
 * the next sync reads it again.  A shared head is one server, which
 * those do not concern: nothing to do there.
 */
void prov_export_mark(struct provision *p, const char *uuid);
int prov_served_at(struct provision *p, const struct volume *v, char *path,
    size_t len, int *nfs_port, int *mount_port, struct tnfs_err *err);

/* provision_jobs.c */
void prov_run_op(struct provision *p, struct job *j);
/*
 * A grow whose intent is recorded (volumes.h, VOLUMES_GROW_KEY): the
 * storage, then the size and the end of the intent in one transaction.
 * Refused by the storage: the intent ends, the record stays as it was.
 */
int prov_grow(
    struct provision *p, const char *uuid, uint64_t size, struct tnfs_err *err);
void prov_fail_volume(struct provision *p, const char *uuid, const char *from,
    const struct tnfs_err *why);

#endif
