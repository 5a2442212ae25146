/*
 * test_vapi_store.c: the record stores, each on a database of its own:
 * schema, name uniqueness enforced by the database, conditional state
 * moves, references as leases, reservations, snapshots, reopening;
 * instance records, claims on volumes and leases;
 * filters answered in SQL exactly as the same filter evaluated in C;
 * lists a page at a time.
 *
 * The case "sqlite" runs on a temporary file.  The case "postgresql" runs
 * the same tests, and its own (migrations, two stores opening at once,
 * deadlines, no password in any message), against the real PostgreSQL
 * named by TNFS_TEST_PG_CONNINFO (tests/integration/store_pg.sh starts
 * one and sets it); without it the case is skipped, loudly.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_tap.h"
#include "predicate.h"
#include "store.h"

#define OWNER  "11111111-1111-4111-8111-111111111111"
#define OWNER2 "22222222-2222-4222-8222-222222222222"
#define VM1    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

static char dir[64], spec[2048];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tnfs-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(spec, sizeof(spec), "sqlite:%s/vapi.db", dir);
}

static void
teardown(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/vapi.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vapi.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vapi.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static struct volume *
mkvol(const char *uuid, const char *owner, const char *name)
{
	struct volume *v = volume_new();

	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	snprintf(v->owner_uuid, sizeof(v->owner_uuid), "%s", owner);
	v->name = strdup(name);
	snprintf(v->type, sizeof(v->type), "tritonnfs");
	v->size = 10240;
	snprintf(v->state, sizeof(v->state), "creating");
	v->create_ms = 1000;
	return v;
}

static int
insert(struct store *st, const char *uuid, const char *owner, const char *name,
    struct tnfs_err *err)
{
	struct volume *v = mkvol(uuid, owner, name);
	int rc = store_volume_insert(st, v, err);

	volume_free(v);
	return rc;
}

#define U(n) "0a0a0a0a-0000-4000-8000-00000000000" #n

START_TEST(test_insert_get_list)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct volume *v = NULL, **vs = NULL;
	struct volume_filter f = {.owner_uuid = OWNER};
	size_t n = 0;

	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	ck_assert_int_eq(insert(st, U(2), OWNER2, "wp", &err), 0);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	ck_assert_str_eq(v->name, "wp");
	ck_assert_str_eq(v->state, "creating");
	ck_assert_uint_eq(v->size, 10240);
	ck_assert_uint_eq(v->nrefs, 0);
	volume_free(v);
	ck_assert_int_eq(store_volume_list(st, &f, &vs, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	volume_list_free(vs, n);
	ck_assert_int_eq(store_volume_list(st, NULL, &vs, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	volume_list_free(vs, n);
	ck_assert_int_eq(store_volume_get(st, U(9), &v, &err), -1);
	ck_assert_str_eq(err.code, "VolumeNotFound");
	ck_assert_int_eq(store_check(st, &err), 0);
	store_close(st);
}
END_TEST

START_TEST(test_name_unique_among_live)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);

	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	ck_assert_int_eq(insert(st, U(2), OWNER, "wp", &err), -1);
	ck_assert_str_eq(err.code, "VolumeAlreadyExists");
	ck_assert_str_eq(err.msg, "Volume with name wp already exists");
	/* A failed or deleting volume frees its name. */
	ck_assert_int_eq(
	    store_volume_set_state(st, U(1), "creating", "failed", "x", &err),
	    1);
	ck_assert_int_eq(insert(st, U(2), OWNER, "wp", &err), 0);
	/* ...and cannot come back to life while the name is taken. */
	ck_assert_int_eq(
	    store_volume_set_state(st, U(1), "failed", "creating", NULL, &err),
	    -1);
	ck_assert_str_eq(err.code, "VolumeAlreadyExists");
	ck_assert_int_eq(store_volume_rename(st, U(1), "other", &err), 0);
	ck_assert_int_eq(insert(st, U(3), OWNER, "other", &err), 0);
	ck_assert_int_eq(store_volume_rename(st, U(3), "wp", &err), -1);
	ck_assert_str_eq(err.code, "VolumeAlreadyExists");
	/* The same uuid twice. */
	ck_assert_int_eq(insert(st, U(3), OWNER, "third", &err), -1);
	store_close(st);
}
END_TEST

START_TEST(test_state_moves_are_conditional)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct volume *v = NULL;

	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	ck_assert_int_eq(
	    store_volume_set_state(st, U(1), "ready", "failed", NULL, &err), 0);
	ck_assert_int_eq(store_volume_set_exported(st, U(1), 1, &err), 0);
	ck_assert_int_eq(store_volume_set_ready(
			     st, U(1), "127.0.0.1:/v/x", 2049, 20048, &err),
	    1);
	ck_assert_int_eq(
	    store_volume_set_ready(st, U(1), "again", 1, 1, &err), 0);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	ck_assert_str_eq(v->state, "ready");
	ck_assert_str_eq(v->filesystem_path, "127.0.0.1:/v/x");
	ck_assert_int_eq(v->mount_port, 20048);
	ck_assert_int_eq(v->exported, 1);
	volume_free(v);
	/* Served by another head now. */
	ck_assert_int_eq(
	    store_volume_move(st, U(1), "10.0.0.2:/v/x", 2050, 20050, &err), 1);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	ck_assert_str_eq(v->state, "ready");
	ck_assert_str_eq(v->filesystem_path, "10.0.0.2:/v/x");
	ck_assert_int_eq(v->nfs_port, 2050);
	ck_assert_int_eq(v->mount_port, 20050);
	volume_free(v);
	/* deleting drops the export flag with the state. */
	ck_assert_int_eq(
	    store_volume_set_state(st, U(1), NULL, "deleting", NULL, &err), 1);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	ck_assert_int_eq(v->exported, 0);
	volume_free(v);
	/* A volume no longer exported is not moved. */
	ck_assert_int_eq(
	    store_volume_move(st, U(1), "10.0.0.3:/v/x", 1, 1, &err), 0);
	/* The schema refuses states that do not exist. */
	ck_assert_int_eq(
	    store_volume_set_state(st, U(1), NULL, "deleted", NULL, &err), -1);
	ck_assert_int_eq(store_volume_delete(st, U(1), &err), 0);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), -1);
	store_close(st);
}
END_TEST

START_TEST(test_refs_are_leases)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct volume *v = NULL;
	int n = -1;

	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	ck_assert_int_eq(store_ref_put(st, U(1), VM1, OWNER, 1000, &err), 0);
	ck_assert_int_eq(store_ref_put(st, U(1), VM1, OWNER, 5000, &err), 0);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	ck_assert_uint_eq(v->nrefs, 1);
	ck_assert_int_eq(v->refs[0].created_ms, 1000);
	ck_assert_int_eq(v->refs[0].renewed_ms, 5000);
	volume_free(v);
	ck_assert_int_eq(store_refs_reap(st, 5000, &n, &err), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(store_refs_reap(st, 5001, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_ref_put(st, U(1), VM1, OWNER, 6000, &err), 0);
	ck_assert_int_eq(store_ref_remove(st, U(1), VM1, &err), 0);
	ck_assert_int_eq(store_ref_remove(st, U(1), VM1, &err), 0);
	/* References go with their volume. */
	ck_assert_int_eq(store_ref_put(st, U(1), VM1, OWNER, 6000, &err), 0);
	ck_assert_int_eq(store_volume_delete(st, U(1), &err), 0);
	ck_assert_int_eq(store_refs_reap(st, 1 << 30, &n, &err), 0);
	ck_assert_int_eq(n, 0);
	store_close(st);
}
END_TEST

/*
 * Grants by volume (the fence's read of one volume) and all at once (the
 * provisioner's full read of the exports): each names its volume, in
 * volume then address order.
 */
START_TEST(test_grants_listed)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct grant *gs = NULL;
	size_t n = 9;

	ck_assert_int_eq(insert(st, U(2), OWNER, "b", &err), 0);
	ck_assert_int_eq(insert(st, U(1), OWNER, "a", &err), 0);
	ck_assert_int_eq(store_grant_list(st, NULL, &gs, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(gs);
	ck_assert_int_eq(
	    store_grant_put(st, U(2), "192.0.2.9", 10, 64, &err), 0);
	ck_assert_int_eq(
	    store_grant_put(st, U(1), "192.0.2.8", 20, 64, &err), 0);
	ck_assert_int_eq(
	    store_grant_put(st, U(2), "192.0.2.1", 30, 64, &err), 0);
	ck_assert_int_eq(store_grant_list(st, U(2), &gs, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(gs[0].address, "192.0.2.1");
	ck_assert_str_eq(gs[0].volume_uuid, U(2));
	ck_assert_str_eq(gs[1].address, "192.0.2.9");
	free(gs);
	ck_assert_int_eq(store_grant_list(st, NULL, &gs, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(gs[0].volume_uuid, U(1));
	ck_assert_str_eq(gs[0].address, "192.0.2.8");
	ck_assert_int_eq(gs[0].created_ms, 20);
	ck_assert_str_eq(gs[1].volume_uuid, U(2));
	ck_assert_str_eq(gs[1].address, "192.0.2.1");
	ck_assert_str_eq(gs[2].volume_uuid, U(2));
	ck_assert_str_eq(gs[2].address, "192.0.2.9");
	free(gs);
	/* Grants go with their volume. */
	ck_assert_int_eq(store_volume_delete(st, U(2), &err), 0);
	ck_assert_int_eq(store_grant_list(st, NULL, &gs, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(gs[0].volume_uuid, U(1));
	free(gs);
	store_close(st);
}
END_TEST

START_TEST(test_reservations)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct reservation r, *rs = NULL;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.uuid, sizeof(r.uuid), U(1));
	r.volume_name = (char *)(uintptr_t) "planned";
	snprintf(r.job_uuid, sizeof(r.job_uuid), U(2));
	snprintf(r.owner_uuid, sizeof(r.owner_uuid), OWNER);
	snprintf(r.vm_uuid, sizeof(r.vm_uuid), VM1);
	r.create_ms = 10;
	ck_assert_int_eq(store_resv_insert(st, &r, &err), 0);
	snprintf(r.uuid, sizeof(r.uuid), U(3));
	ck_assert_int_eq(store_resv_insert(st, &r, &err), 0);
	ck_assert_int_eq(
	    store_resv_list(st, OWNER, "planned", NULL, NULL, &rs, &n, &err),
	    0);
	ck_assert_uint_eq(n, 1); /* replaced */
	ck_assert_str_eq(rs[0].uuid, U(3));
	reservation_list_free(rs, n);
	ck_assert_int_eq(store_resv_delete(st, U(3), OWNER2, &err), -1);
	ck_assert_str_eq(err.code, "VolumeReservationNotFound");
	ck_assert_int_eq(store_resv_delete(st, U(3), OWNER, &err), 0);
	ck_assert_int_eq(store_resv_delete(st, U(3), OWNER, &err), -1);
	store_close(st);
}
END_TEST

START_TEST(test_snapshots)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct snapshot s, *ss = NULL;
	struct volume *v = NULL;
	size_t n = 0;

	ck_assert_int_eq(insert(st, U(1), OWNER, "wp", &err), 0);
	memset(&s, 0, sizeof(s));
	snprintf(s.state, sizeof(s.state), "created");
	snprintf(s.name, sizeof(s.name), "one");
	ck_assert_int_eq(store_snap_insert(st, U(1), &s, &err), 0);
	snprintf(s.name, sizeof(s.name), "two");
	ck_assert_int_eq(store_snap_insert(st, U(1), &s, &err), 0);
	ck_assert_int_eq(store_snap_insert(st, U(1), &s, &err), -1);
	ck_assert_str_eq(err.code, "SnapshotAlreadyExists");
	ck_assert_int_eq(store_snap_list(st, U(1), &ss, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ss[0].name, "one");
	ck_assert_int_lt(ss[0].seq, ss[1].seq);
	free(ss);
	ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), 0);
	ck_assert_uint_eq(v->nsnapshots, 2);
	volume_free(v);
	ck_assert_int_eq(store_snap_get(st, U(1), "three", &s, &err), -1);
	ck_assert_str_eq(err.code, "SnapshotNotFound");
	ck_assert_int_eq(store_snap_delete(st, U(1), "one", &err), 0);
	ck_assert_int_eq(store_snap_get(st, U(1), "two", &s, &err), 0);
	/*
	 * Unsettled: the volumes with a snapshot creating or deleting, each
	 * once, in uuid order; created ones do not count.
	 */
	{
		char(*us)[TNFS_UUID_BUFSZ] = NULL;

		ck_assert_int_eq(store_snap_unsettled(st, &us, &n, &err), 0);
		ck_assert_uint_eq(n, 0);
		free(us);
		ck_assert_int_eq(insert(st, U(2), OWNER, "db", &err), 0);
		ck_assert_int_eq(insert(st, U(3), OWNER, "cache", &err), 0);
		snprintf(s.state, sizeof(s.state), "creating");
		snprintf(s.name, sizeof(s.name), "a");
		ck_assert_int_eq(store_snap_insert(st, U(3), &s, &err), 0);
		snprintf(s.name, sizeof(s.name), "b");
		ck_assert_int_eq(store_snap_insert(st, U(3), &s, &err), 0);
		ck_assert_int_eq(store_snap_insert(st, U(2), &s, &err), 0);
		ck_assert_int_eq(
		    store_snap_set_state(st, U(1), "two", "deleting", &err), 0);
		ck_assert_int_eq(store_snap_unsettled(st, &us, &n, &err), 0);
		ck_assert_uint_eq(n, 3);
		ck_assert_str_eq(us[0], U(1));
		ck_assert_str_eq(us[1], U(2));
		ck_assert_str_eq(us[2], U(3));
		free(us);
	}
	store_close(st);
}
END_TEST

START_TEST(test_transactions_and_reopen)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	char *val = NULL;

	ck_assert_int_eq(store_tx_begin(st, &err), 0);
	ck_assert_int_eq(insert(st, U(1), OWNER, "gone", &err), 0);
	store_tx_rollback(st);
	ck_assert_int_eq(store_tx_begin(st, &err), 0);
	ck_assert_int_eq(store_tx_begin(st, &err), 0); /* nested */
	ck_assert_int_eq(insert(st, U(2), OWNER, "kept", &err), 0);
	ck_assert_int_eq(store_tx_commit(st, &err), 0);
	ck_assert_int_eq(store_tx_commit(st, &err), 0);
	ck_assert_int_eq(store_meta_set(st, "host_uuid", U(5), &err), 0);
	store_close(st);

	st = store_open(spec, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_meta_get(st, "host_uuid", &val, &err), 0);
	ck_assert_str_eq(val, U(5));
	free(val);
	ck_assert_int_eq(store_meta_get(st, "absent", &val, &err), 0);
	ck_assert_ptr_null(val);
	/* Deleting a key, then an absent one, both succeed. */
	ck_assert_int_eq(store_meta_delete(st, "host_uuid", &err), 0);
	ck_assert_int_eq(store_meta_delete(st, "host_uuid", &err), 0);
	ck_assert_int_eq(store_meta_get(st, "host_uuid", &val, &err), 0);
	ck_assert_ptr_null(val);
	{
		struct volume *v = NULL;

		ck_assert_int_eq(store_volume_get(st, U(1), &v, &err), -1);
		ck_assert_int_eq(store_volume_get(st, U(2), &v, &err), 0);
		volume_free(v);
	}
	/*
	 * Pruning keeps the key of a volume still being created, and of
	 * another prefix; it drops those of volumes gone or made.
	 */
	ck_assert_int_eq(store_meta_set(st, "clone:" U(2), "src", &err), 0);
	ck_assert_int_eq(store_meta_set(st, "clone:" U(7), "src", &err), 0);
	ck_assert_int_eq(store_meta_set(st, "other:" U(7), "x", &err), 0);
	ck_assert_int_eq(store_meta_prune_creating(st, "clone:", &err), 0);
	ck_assert_int_eq(store_meta_get(st, "clone:" U(2), &val, &err), 0);
	ck_assert_str_eq(val, "src");
	free(val);
	ck_assert_int_eq(store_meta_get(st, "clone:" U(7), &val, &err), 0);
	ck_assert_ptr_null(val);
	ck_assert_int_eq(store_meta_get(st, "other:" U(7), &val, &err), 0);
	ck_assert_str_eq(val, "x");
	free(val);
	ck_assert_int_eq(
	    store_volume_set_ready(st, U(2), "h:/p", 2049, 20048, &err), 1);
	ck_assert_int_eq(store_meta_prune_creating(st, "clone:", &err), 0);
	ck_assert_int_eq(store_meta_get(st, "clone:" U(2), &val, &err), 0);
	ck_assert_ptr_null(val);
	/*
	 * Listing by prefix: only that prefix, in key order; a prefix with
	 * LIKE's wildcards matches them literally.
	 */
	{
		struct meta_entry *es = NULL;
		size_t n = 7;

		ck_assert_int_eq(store_meta_set(st, "grow:" U(3), "30", &err), 0);
		ck_assert_int_eq(store_meta_set(st, "grow:" U(2), "20", &err), 0);
		ck_assert_int_eq(store_meta_set(st, "grow%" U(4), "40", &err), 0);
		ck_assert_int_eq(store_meta_list(st, "grow:", &es, &n, &err), 0);
		ck_assert_uint_eq(n, 2);
		ck_assert_str_eq(es[0].key, "grow:" U(2));
		ck_assert_str_eq(es[0].value, "20");
		ck_assert_str_eq(es[1].key, "grow:" U(3));
		ck_assert_str_eq(es[1].value, "30");
		meta_list_free(es, n);
		ck_assert_int_eq(store_meta_list(st, "gro_", &es, &n, &err), 0);
		ck_assert_uint_eq(n, 0);
		ck_assert_ptr_null(es);
		ck_assert_int_eq(store_meta_list(st, "none:", &es, &n, &err), 0);
		ck_assert_uint_eq(n, 0);
		meta_list_free(es, n);
	}
	store_close(st);
}
END_TEST

#define NET1 "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
#define NET2 "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
#define VM2  "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

/* A store of varied volumes: names, sizes, states, networks, refs. */
static struct store *
filter_fixture(struct tnfs_err *err)
{
	static const struct {
		const char *name, *owner, *state, *net;
		uint64_t size;
	} rows[] = {
	    {"web", OWNER, "ready", NET1, 10240},
	    {"web-2", OWNER, "ready", NET2, 20480},
	    {"db", OWNER, "creating", NET1, 10240},
	    {"webdb", OWNER, "failed", NET1, 102400},
	    {"my.web_1", OWNER, "deleting", NET2, 10240},
	    {"WEB", OWNER, "ready", NET1, 10240},
	    {"web", OWNER2, "ready", NET2, 20480},
	    {"x", OWNER2, "creating", NET1, 10240},
	};
	struct store *st = store_open(spec, err);
	char uuid[TNFS_UUID_BUFSZ];
	size_t i;

	ck_assert_msg(st != NULL, "%s", err->msg);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct volume *v;
		const char *nets[2] = {rows[i].net, NET1};

		snprintf(uuid, sizeof(uuid),
		    "0b0b0b0b-0000-4000-8000-%012zu", i);
		v = mkvol(uuid, rows[i].owner, rows[i].name);
		snprintf(v->state, sizeof(v->state), "%s", rows[i].state);
		v->size = rows[i].size;
		v->create_ms = 1000 + (int64_t)(i % 3);
		v->exported = i % 2;
		ck_assert_int_eq(
		    volume_set_networks(v, nets, i % 3 == 0 ? 2 : 1), 0);
		ck_assert_msg(store_volume_insert(st, v, err) == 0, "%s",
		    err->msg);
		volume_free(v);
		/* refs: live on 0 and 1, stale on 2, two on 3 */
		if (i < 4)
			ck_assert_int_eq(store_ref_put(st, uuid, VM1, OWNER,
					     i == 2 ? 10 : 5000, err),
			    0);
		if (i == 3)
			ck_assert_int_eq(
			    store_ref_put(st, uuid, VM2, OWNER, 4000, err), 0);
		if (i == 1) {
			struct snapshot sn = {.name = "s1", .seq = 1};

			snprintf(sn.state, sizeof(sn.state), "created");
			ck_assert_int_eq(store_snap_insert(st, uuid, &sn, err),
			    0);
		}
	}
	return st;
}

/* The uuids of list, in order, as one string. */
static void
uuids_of(struct volume **vs, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s/%zu/%zu ",
		    vs[i]->uuid, vs[i]->nrefs, vs[i]->nsnapshots);
}

START_TEST(test_filters_in_sql_match_c)
{
	static const struct {
		const char *name, *state, *type, *ref_vm, *pred;
		uint64_t size;
		int owner, exported;
	} cases[] = {
	    {.name = "web"},
	    {.name = "web*"},
	    {.name = "*web"},
	    {.name = "*web*"},
	    {.name = "*eb*", .owner = 1},
	    {.name = "WEB"},
	    {.name = "it's"},       /* a quote is a value, never SQL */
	    {.name = "*[a-z]*"},    /* GLOB syntax: C decides */
	    {.name = "w?b"},        /* likewise */
	    {.name = "%"},          /* LIKE syntax means nothing here */
	    {.name = "web_2"},      /* "_" is no wildcard */
	    {.name = "x' OR 1=1 --"},
	    {.state = "ready", .owner = 1},
	    {.type = "tritonnfs", .size = 20480},
	    {.ref_vm = VM1},
	    {.ref_vm = VM2, .owner = 1},
	    {.exported = 1},
	    {.pred = "{}"},
	    {.pred = "{\"eq\":[\"name\",\"web\"]}"},
	    {.pred = "{\"ne\":[\"name\",\"web\"]}"},
	    {.pred = "{\"eq\":[\"state\",\"ready\"]}"},
	    {.pred = "{\"ge\":[\"size\",20480]}"},
	    {.pred = "{\"lt\":[\"size\",20480]}"},
	    {.pred = "{\"eq\":[\"dangling\",true]}"},
	    {.pred = "{\"eq\":[\"dangling\",false]}"},
	    {.pred = "{\"ne\":[\"dangling\",true]}"},
	    {.pred = "{\"eq\":[\"network\",\"" NET2 "\"]}"},
	    {.pred = "{\"ne\":[\"network\",\"" NET1 "\"]}"},
	    {.pred = "{\"eq\":[\"uuid\",\"0b0b0b0b-0000-4000-8000-"
		     "000000000003\"]}"},
	    {.pred = "{\"or\":[{\"eq\":[\"name\",\"db\"]},{\"and\":[{\"eq\":"
		     "[\"state\",\"ready\"]},{\"gt\":[\"size\",10240]}]}]}"},
	    {.pred = "{\"and\":[{\"eq\":[\"dangling\",false]},{\"le\":"
		     "[\"size\",10240]}]}",
		.name = "*b*",
		.owner = 1},
	};
	struct tnfs_err err;
	struct store *st = filter_fixture(&err);
	struct volume **all = NULL, **vs = NULL;
	size_t nall = 0, n = 0, i, j, k;
	char got[2048], want[2048];

	ck_assert_int_eq(store_volume_list(st, NULL, &all, &nall, &err), 0);
	ck_assert_uint_eq(nall, 8);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct volume_filter f = {0};
		struct predicate *p = NULL;
		struct volume *match[16];

		if (cases[i].pred != NULL) {
			struct causes c;

			causes_init(&c);
			p = predicate_parse(cases[i].pred, &c);
			ck_assert_msg(p != NULL, "case %zu", i);
		}
		f.owner_uuid = cases[i].owner ? OWNER : NULL;
		f.name = cases[i].name;
		f.state = cases[i].state;
		f.type = cases[i].type;
		f.size = cases[i].size;
		f.ref_vm = cases[i].ref_vm;
		f.exported_only = cases[i].exported;
		f.pred = p;
		f.live_after_ms = 1000;
		for (j = k = 0; j < nall; j++)
			if (volume_filter_match(&f, all[j]))
				match[k++] = all[j];
		uuids_of(match, k, want, sizeof(want));
		ck_assert_int_eq(store_volume_list(st, &f, &vs, &n, &err), 0);
		uuids_of(vs, n, got, sizeof(got));
		ck_assert_msg(strcmp(got, want) == 0,
		    "case %zu: SQL %s, C %s", i, got, want);
		volume_list_free(vs, n);
		predicate_free(p);
	}
	volume_list_free(all, nall);
	store_close(st);
}
END_TEST

static int
cmp_uuid(const void *a, const void *b)
{
	return strcmp((*(struct volume *const *)a)->uuid,
	    (*(struct volume *const *)b)->uuid);
}

/*
 * Pages of 1, 2, 3 and 9 volumes, each after the last uuid of the one
 * before, give the whole list in uuid order, references and counts
 * included: for filters SQL answers and for one only C can (its LIMIT is
 * applied after C's match).  A marker that no volume has (a volume
 * deleted between pages) still starts the next page where it should.
 */
START_TEST(test_pages_walk_every_volume)
{
	static const struct {
		const char *name, *ref_vm;
		int owner;
	} cases[] = {
	    {0}, {.owner = 1}, {.name = "*web*"}, {.name = "*[a-z]*"},
	    {.ref_vm = VM1}, {.name = "*[e]*", .owner = 1},
	};
	static const size_t limits[] = {1, 2, 3, 9};
	struct tnfs_err err;
	struct store *st = filter_fixture(&err);
	struct volume **all = NULL, **vs = NULL;
	size_t nall = 0, n = 0, i, j;
	char got[2048], want[2048], marker[TNFS_UUID_BUFSZ];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct volume_filter f = {0};

		f.owner_uuid = cases[i].owner ? OWNER : NULL;
		f.name = cases[i].name;
		f.ref_vm = cases[i].ref_vm;
		f.live_after_ms = 1000;
		ck_assert_int_eq(store_volume_list(st, &f, &all, &nall, &err), 0);
		if (nall > 1)
			qsort(all, nall, sizeof(*all), cmp_uuid);
		uuids_of(all, nall, want, sizeof(want));
		for (j = 0; j < sizeof(limits) / sizeof(limits[0]); j++) {
			size_t off = 0, pages = 0;

			f.limit = limits[j];
			f.after_uuid = NULL;
			got[0] = '\0';
			do {
				ck_assert_int_eq(
				    store_volume_list(st, &f, &vs, &n, &err), 0);
				ck_assert_uint_le(n, limits[j]);
				uuids_of(vs, n, got + off, sizeof(got) - off);
				off = strlen(got);
				if (n > 0)
					snprintf(marker, sizeof(marker), "%s",
					    vs[n - 1]->uuid);
				f.after_uuid = marker;
				volume_list_free(vs, n);
				ck_assert_uint_le(++pages, nall + 1);
			} while (n == limits[j]);
			ck_assert_msg(strcmp(got, want) == 0,
			    "case %zu, pages of %zu: %s, whole: %s", i,
			    limits[j], got, want);
		}
		volume_list_free(all, nall);
	}
	/* After a uuid no volume has: from the next one that exists. */
	{
		struct volume_filter f = {
		    .limit = 2, .after_uuid = "0b0b0b0b-0000-4000-8000-000000000002a"};

		ck_assert_int_eq(store_volume_list(st, &f, &vs, &n, &err), 0);
		ck_assert_uint_eq(n, 2);
		ck_assert_str_eq(vs[0]->uuid, "0b0b0b0b-0000-4000-8000-000000000003");
		ck_assert_str_eq(vs[1]->uuid, "0b0b0b0b-0000-4000-8000-000000000004");
		volume_list_free(vs, n);
	}
	store_close(st);
}
END_TEST

/*
 * A brief list with references (the exporter's full read): every volume
 * with the references a full list gives it, in the same order, and no
 * snapshot count; a brief list alone has no references.
 */
START_TEST(test_brief_list_with_refs)
{
	struct tnfs_err err;
	struct store *st = filter_fixture(&err);
	struct volume **full = NULL, **br = NULL, **bare = NULL;
	struct volume_filter f = {.live_after_ms = 1000};
	size_t nf = 0, nb = 0, nbare = 0, i, k, refs = 0;

	ck_assert_int_eq(store_volume_list(st, &f, &full, &nf, &err), 0);
	f.brief = 1;
	ck_assert_int_eq(store_volume_list(st, &f, &bare, &nbare, &err), 0);
	f.brief_refs = 1;
	ck_assert_int_eq(store_volume_list(st, &f, &br, &nb, &err), 0);
	ck_assert_uint_eq(nb, nf);
	ck_assert_uint_eq(nbare, nf);
	for (i = 0; i < nf; i++) {
		ck_assert_str_eq(br[i]->uuid, full[i]->uuid);
		ck_assert_uint_eq(br[i]->nrefs, full[i]->nrefs);
		ck_assert_uint_eq(bare[i]->nrefs, 0);
		ck_assert_uint_eq(br[i]->nsnapshots, 0);
		for (k = 0; k < br[i]->nrefs; k++)
			ck_assert_str_eq(
			    br[i]->refs[k].vm_uuid, full[i]->refs[k].vm_uuid);
		refs += br[i]->nrefs;
	}
	ck_assert_uint_eq(refs, 5); /* the fixture's */
	volume_list_free(full, nf);
	volume_list_free(br, nb);
	volume_list_free(bare, nbare);
	store_close(st);
}
END_TEST

/* More distinct statements than the cache holds: evicted, still right. */
START_TEST(test_statement_cache_eviction)
{
	struct tnfs_err err;
	struct store *st = filter_fixture(&err);
	struct volume **vs = NULL;
	char text[8192];
	size_t n = 0, off, k, i;

	for (k = 2; k <= 90; k++) {
		struct volume_filter f = {0};
		struct predicate *p;
		struct causes c;

		off = (size_t)snprintf(text, sizeof(text), "{\"or\":[");
		for (i = 0; i < k; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off,
			    "%s{\"eq\":[\"name\",\"%s\"]}", i ? "," : "",
			    i == k - 1 ? "db" : "nosuch");
		snprintf(text + off, sizeof(text) - off, "]}");
		causes_init(&c);
		p = predicate_parse(text, &c);
		ck_assert_ptr_nonnull(p);
		f.pred = p;
		ck_assert_int_eq(store_volume_list(st, &f, &vs, &n, &err), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_str_eq(vs[0]->name, "db");
		volume_list_free(vs, n);
		predicate_free(p);
		/* A cached statement is reset: the next use starts afresh. */
		ck_assert_int_eq(store_volume_list(st, NULL, &vs, &n, &err), 0);
		ck_assert_uint_eq(n, 8);
		volume_list_free(vs, n);
	}
	store_close(st);
}
END_TEST

/* The stored networks text, read fast or by json-c, hostile forms refused. */
START_TEST(test_networks_text)
{
	static const struct {
		const char *text;
		int rc;
		size_t n;
	} cases[] = {
	    {"[]", 0, 0},
	    {"[\"" NET1 "\"]", 0, 1},
	    {"[\"" NET1 "\",\"" NET2 "\"]", 0, 2},
	    {"[\"" NET1 "\",\"" NET1 "\"]", 0, 1}, /* duplicates dropped */
	    {"[ \"" NET1 "\" ]", 0, 1},            /* json-c's way */
	    {"[\"" NET1 "\"", -1, 0},
	    {"[\"" NET1 "0\"]", -1, 0}, /* too long for a uuid */
	    {"[1]", -1, 0},
	    {"{}", -1, 0},
	    {"", -1, 0},
	    {"[\"a\\\"b\"]", 0, 1}, /* escaped: json-c reads it */
	};
	struct tnfs_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct volume *v = volume_new();
		char *back;

		tnfs_err_clear(&err);
		ck_assert_msg(volume_networks_parse(v, cases[i].text, &err) ==
			cases[i].rc,
		    "case %zu (%s): %s", i, cases[i].text, err.msg);
		if (cases[i].rc == 0) {
			ck_assert_uint_eq(v->nnetworks, cases[i].n);
			back = volume_networks_text(v);
			ck_assert_int_eq(volume_networks_parse(v, back, &err), 0);
			ck_assert_uint_eq(v->nnetworks, cases[i].n);
			free(back);
		}
		volume_free(v);
	}
}
END_TEST

START_TEST(test_bad_specs)
{
	struct tnfs_err err;

	static const char *const bad[] = {
	    "postgres:x", "sqlite:", "sqlite", "", ":x", "sqlitex:/tmp/x.db"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tnfs_err_clear(&err);
		ck_assert_ptr_null(store_open(bad[i], &err));
		ck_assert_str_eq(err.code, "ValidationError");
		ck_assert_msg(strstr(err.msg, "expected sqlite:PATH") != NULL,
		    "%s: %s", bad[i], err.msg);
	}
	tnfs_err_clear(&err);
	ck_assert_ptr_null(store_open("sqlite:/nonexistent/dir/x.db", &err));
	ck_assert_str_eq(err.code, "InternalError");
}
END_TEST

static int
file_mode(const char *name)
{
	char path[160];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &sb) == -1)
		return -1;
	return (int)(sb.st_mode & 07777);
}

/* Under the usual umask 022 the records must still be root's alone. */
START_TEST(test_database_files_are_private)
{
	struct tnfs_err err;
	struct store *st;
	char path[160];
	mode_t old = umask(022);

	st = store_open(spec, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(store_meta_set(st, "k", "v", &err), 0);
	ck_assert_int_eq(file_mode("vapi.db"), 0600);
	ck_assert_int_eq(file_mode("vapi.db-wal"), 0600);
	ck_assert_int_eq(file_mode("vapi.db-shm"), 0600);
	store_close(st);

	/* A database an older version left 0644 is tightened at open. */
	snprintf(path, sizeof(path), "%s/vapi.db", dir);
	ck_assert_int_eq(chmod(path, 0644), 0);
	st = store_open(spec, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(file_mode("vapi.db"), 0600);
	store_close(st);
	umask(old);
}
END_TEST

#define INST_A "1a1a1a1a-0000-4000-8000-00000000000a"
#define INST_B "1b1b1b1b-0000-4000-8000-00000000000b"

static void
put_instance(struct store *st, const char *id, int64_t beat)
{
	struct instance in = {.started_ms = 100, .heartbeat_ms = beat};
	struct tnfs_err err;

	snprintf(in.id, sizeof(in.id), "%s", id);
	snprintf(in.hostname, sizeof(in.hostname), "host-%c", id[1]);
	snprintf(in.address, sizeof(in.address), "tcp:127.0.0.1:%c", id[1]);
	ck_assert_msg(store_instance_put(st, &in, &err) == 0, "%s", err.msg);
}

/* Records, heartbeats, the jobs each holds, and reaping the dead. */
START_TEST(test_instances_records)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	struct instance *is = NULL;
	size_t n = 0;
	int reaped = -1;

	ck_assert_msg(st != NULL, "%s", err.msg);
	put_instance(st, INST_A, 1000);
	put_instance(st, INST_B, 1000);
	put_instance(st, INST_A, 5000); /* a heartbeat */
	ck_assert_int_eq(insert(st, U(1), OWNER, "a", &err), 0);
	ck_assert_int_eq(store_volume_claim(st, U(1), INST_B, 0, &err), 1);
	ck_assert_int_eq(store_instance_list(st, &is, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(is[0].id, INST_A);
	ck_assert_str_eq(is[0].hostname, "host-a");
	ck_assert_str_eq(is[0].address, "tcp:127.0.0.1:a");
	ck_assert_int_eq(is[0].started_ms, 100);
	ck_assert_int_eq(is[0].heartbeat_ms, 5000);
	ck_assert_int_eq(is[0].jobs, 0);
	ck_assert_int_eq(is[1].jobs, 1);
	free(is);
	/* B is dead but holds a claim: kept, so adm shows what it held. */
	ck_assert_int_eq(store_instances_reap(st, 2000, &reaped, &err), 0);
	ck_assert_int_eq(reaped, 0);
	ck_assert_int_eq(store_volume_release(st, U(1), INST_B, &err), 0);
	ck_assert_int_eq(store_instances_reap(st, 2000, &reaped, &err), 0);
	ck_assert_int_eq(reaped, 1);
	ck_assert_int_eq(store_instance_delete(st, INST_A, &err), 0);
	ck_assert_int_eq(store_instance_delete(st, INST_A, &err), 0);
	ck_assert_int_eq(store_instance_list(st, &is, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(is);
	store_close(st);
}
END_TEST

/*
 * Jobs (creating and deleting volumes) go to one instance each; a dead
 * instance's are taken over, a live one's never.
 */
START_TEST(test_claims_one_holder)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	char(*got)[TNFS_UUID_BUFSZ] = NULL;
	size_t n = 0;

	ck_assert_msg(st != NULL, "%s", err.msg);
	put_instance(st, INST_A, 10000);
	put_instance(st, INST_B, 10000);
	ck_assert_int_eq(insert(st, U(1), OWNER, "a", &err), 0);
	ck_assert_int_eq(insert(st, U(2), OWNER, "b", &err), 0);
	ck_assert_int_eq(insert(st, U(3), OWNER, "c", &err), 0);
	ck_assert_int_eq(
	    store_volume_set_state(st, U(3), NULL, "ready", NULL, &err), 1);
	/* Two of the creating ones at most; the ready one is no job. */
	ck_assert_int_eq(
	    store_jobs_claim(st, INST_A, 9000, 1, &got, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(got[0], U(1));
	free(got);
	ck_assert_int_eq(
	    store_jobs_claim(st, INST_B, 9000, 10, &got, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(got[0], U(2));
	free(got);
	/* A's own come back to A (a rescan); nothing is left for B. */
	ck_assert_int_eq(
	    store_jobs_claim(st, INST_A, 9000, 10, &got, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(got[0], U(1));
	free(got);
	ck_assert_int_eq(store_volume_claim(st, U(1), INST_B, 9000, &err), 0);
	ck_assert_int_eq(store_volume_claim(st, U(1), INST_A, 9000, &err), 1);
	/* A volume claimed for a synchronous job (a snapshot). */
	ck_assert_int_eq(store_volume_claim(st, U(3), INST_B, 9000, &err), 1);
	ck_assert_int_eq(store_volume_claim(st, U(3), INST_A, 9000, &err), 0);
	/* Releasing what one does not hold changes nothing. */
	ck_assert_int_eq(store_volume_release(st, U(3), INST_A, &err), 0);
	ck_assert_int_eq(store_volume_claim(st, U(3), INST_A, 9000, &err), 0);
	ck_assert_int_eq(store_volume_release(st, U(3), INST_B, &err), 0);
	ck_assert_int_eq(store_volume_claim(st, U(3), INST_A, 9000, &err), 1);
	/* B's heartbeat expires: A takes its job over (in any order). */
	put_instance(st, INST_A, 20000);
	ck_assert_int_eq(
	    store_jobs_claim(st, INST_A, 19000, 10, &got, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(strcmp(got[0], U(1)) == 0 ? strcmp(got[1], U(2))
						   : strcmp(got[0], U(2)),
	    0);
	ck_assert_int_ne(strcmp(got[0], got[1]), 0);
	free(got);
	/* An unknown instance's claim (its record deleted) is free. */
	ck_assert_int_eq(store_instance_delete(st, INST_A, &err), 0);
	ck_assert_int_eq(store_volume_claim(st, U(2), INST_B, 19000, &err), 1);
	/* A volume that is gone cannot be claimed. */
	ck_assert_int_eq(store_volume_claim(st, U(9), INST_B, 0, &err), 0);
	store_close(st);
}
END_TEST

/* A lease has one holder until it expires, is released or its holder dies. */
START_TEST(test_leases_one_holder)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);

	ck_assert_msg(st != NULL, "%s", err.msg);
	put_instance(st, INST_A, 10000);
	put_instance(st, INST_B, 10000);
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_A, 10000, 15000, 9000, &err),
	    1);
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_B, 10000, 15000, 9000, &err),
	    0);
	/* Another name is another lease. */
	ck_assert_int_eq(
	    store_lease_take(st, "reaper", INST_B, 10000, 15000, 9000, &err), 1);
	/* Renewed by its holder. */
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_A, 14000, 30000, 9000, &err),
	    1);
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_B, 20000, 35000, 9000, &err),
	    0);
	/* Released: free at once; a stranger's release changes nothing. */
	ck_assert_int_eq(store_lease_release(st, "exports:x", INST_B, &err), 0);
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_B, 20000, 35000, 9000, &err),
	    0);
	ck_assert_int_eq(store_lease_release(st, "exports:x", INST_A, &err), 0);
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_B, 20000, 35000, 9000, &err),
	    1);
	/* Expired: taken over even though its holder lives. */
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_A, 36000, 40000, 9000, &err),
	    1);
	/* Its holder dead: taken over before it expires. */
	ck_assert_int_eq(
	    store_lease_take(st, "exports:x", INST_B, 37000, 99000, 11000, &err),
	    1);
	store_close(st);
}
END_TEST

/* One instance by construction: nothing to follow, and it says so. */
START_TEST(test_sqlite_has_no_exports_generation)
{
	struct tnfs_err err;
	struct store *st = store_open(spec, &err);
	int64_t gen;

	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(store_exports_bump(st, NULL, &gen, &err), -1);
	ck_assert_str_eq(err.code, "NotSupported");
	store_close(st);
}
END_TEST

/* The tests every store passes. */
static void
add_common(TCase *tc)
{
	tcase_add_test(tc, test_insert_get_list);
	tcase_add_test(tc, test_name_unique_among_live);
	tcase_add_test(tc, test_state_moves_are_conditional);
	tcase_add_test(tc, test_refs_are_leases);
	tcase_add_test(tc, test_grants_listed);
	tcase_add_test(tc, test_reservations);
	tcase_add_test(tc, test_snapshots);
	tcase_add_test(tc, test_transactions_and_reopen);
	tcase_add_test(tc, test_filters_in_sql_match_c);
	tcase_add_test(tc, test_pages_walk_every_volume);
	tcase_add_test(tc, test_brief_list_with_refs);
	tcase_add_test(tc, test_statement_cache_eviction);
	tcase_add_test(tc, test_instances_records);
	tcase_add_test(tc, test_claims_one_holder);
	tcase_add_test(tc, test_leases_one_holder);
}

#include "vapi_store_pg_cases.h"

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_store");
	TCase *tc = tcase_create("sqlite");

	/* A shared build machine may run a test many times slower. */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	add_common(tc);
	tcase_add_test(tc, test_networks_text);
	tcase_add_test(tc, test_bad_specs);
	tcase_add_test(tc, test_database_files_are_private);
	tcase_add_test(tc, test_sqlite_has_no_exports_generation);
	suite_add_tcase(s, tc);
	add_pg_case(s);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
