/*
 * test_export_cache.c: the provisioner's export set between syncs: kept
 * in uuid order whatever order volumes come in (one at a time, or a whole
 * set appended and sorted once), one entry per volume, every string its
 * own copy (the caller's buffers are gone by the next sync), client lists
 * taken over, a put that fails changes nothing, and an entry is unchanged
 * only from the sync that took it until it is put again.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "export_cache.h"

/* A client list as fence_export_clients makes one: a single block. */
static const char **
clients_block(const char *a, const char *b)
{
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;
	const char **blk = malloc(3 * sizeof(*blk) + la + lb);
	char *p = (char *)(blk + 3);

	ck_assert_ptr_nonnull(blk);
	memcpy(p, a, la);
	blk[0] = p;
	memcpy(p + la, b, lb);
	blk[1] = p + la;
	blk[2] = NULL;
	return blk;
}

static void
put(struct export_cache *c, const char *uuid, const char *path, int port)
{
	char u[64], pa[256], ps[80];
	struct export_spec sp = {0};
	struct tnfs_err err;
	const char **cl = clients_block("10.0.0.0/24", "192.0.2.7");

	/* Buffers of ours, overwritten after the put. */
	snprintf(u, sizeof(u), "%s", uuid);
	snprintf(pa, sizeof(pa), "%s", path);
	snprintf(ps, sizeof(ps), "/tritonnfs/%s", uuid);
	sp.volume_uuid = u;
	sp.path = pa;
	sp.pseudo = ps;
	sp.clients = cl;
	sp.nclients = 2;
	sp.nfs_port = port;
	ck_assert_int_eq(export_cache_put(c, &sp, cl, &err), 0);
	memset(u, 'X', sizeof(u) - 1);
	memset(pa, 'Y', sizeof(pa) - 1);
	memset(ps, 'Z', sizeof(ps) - 1);
}

START_TEST(test_order_and_replace)
{
	struct export_cache *c = export_cache_new();
	const struct export_spec *s;
	size_t n;

	ck_assert_ptr_nonnull(c);
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 0);
	put(c, "c", "/pool/c", 1);
	put(c, "a", "/pool/a", 2);
	put(c, "b", "/pool/b", 3);
	put(c, "a", "/pool/a2", 4); /* the same volume again: replaced */
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(s[0].volume_uuid, "a");
	ck_assert_str_eq(s[0].path, "/pool/a2");
	ck_assert_int_eq(s[0].nfs_port, 4);
	ck_assert_str_eq(s[0].pseudo, "/tritonnfs/a");
	ck_assert_str_eq(s[1].volume_uuid, "b");
	ck_assert_str_eq(s[2].volume_uuid, "c");
	ck_assert_uint_eq(s[2].nclients, 2);
	ck_assert_str_eq(s[2].clients[1], "192.0.2.7");
	ck_assert_ptr_null(s[2].ceph_user);
	export_cache_remove(c, "b");
	export_cache_remove(c, "absent");
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(s[0].volume_uuid, "a");
	ck_assert_str_eq(s[1].volume_uuid, "c");
	export_cache_clear(c);
	export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 0);
	put(c, "d", "/pool/d", 5); /* usable after a clear */
	export_cache_free(c);
	export_cache_free(NULL);
}
END_TEST

/* Only what the exporter already took is unchanged: a put is news. */
START_TEST(test_unchanged_after_sync_only)
{
	struct export_cache *c = export_cache_new();
	const struct export_spec *s;
	struct export_spec sp = {0};
	struct tnfs_err err;
	size_t n;

	ck_assert_ptr_nonnull(c);
	put(c, "a", "/pool/a", 1);
	put(c, "b", "/pool/b", 2);
	s = export_cache_specs(c, &n);
	ck_assert_int_eq(s[0].unchanged, 0);
	ck_assert_int_eq(s[1].unchanged, 0);
	export_cache_synced(c);
	s = export_cache_specs(c, &n);
	ck_assert_int_eq(s[0].unchanged, 1);
	ck_assert_int_eq(s[1].unchanged, 1);
	put(c, "b", "/pool/b", 3); /* read again: a rollback may have swapped it */
	put(c, "c", "/pool/c", 4);
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(s[0].unchanged, 1);
	ck_assert_int_eq(s[1].unchanged, 0);
	ck_assert_int_eq(s[2].unchanged, 0);
	/* A caller's own flag is not taken: the cache alone says. */
	sp.volume_uuid = "d";
	sp.path = "/pool/d";
	sp.pseudo = "/tritonnfs/d";
	sp.unchanged = 1;
	ck_assert_int_eq(export_cache_put(c, &sp, NULL, &err), 0);
	s = export_cache_specs(c, &n);
	ck_assert_int_eq(s[3].unchanged, 0);
	export_cache_free(c);
}
END_TEST

START_TEST(test_many_in_any_order)
{
	struct export_cache *c = export_cache_new();
	const struct export_spec *s;
	char uuid[40], path[64];
	size_t n, i, k;

	/* 2,000 volumes in a scrambled order, every third removed. */
	for (i = 0; i < 2000; i++) {
		k = (i * 7919) % 2000;
		snprintf(uuid, sizeof(uuid), "%08zu", k);
		snprintf(path, sizeof(path), "/pool/%zu", k);
		put(c, uuid, path, (int)k);
	}
	for (k = 0; k < 2000; k += 3) {
		snprintf(uuid, sizeof(uuid), "%08zu", k);
		export_cache_remove(c, uuid);
	}
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 2000 - 667);
	for (i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(s[i - 1].volume_uuid, s[i].volume_uuid), 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_ne(s[i].nfs_port % 3, 0);
		snprintf(path, sizeof(path), "/pool/%d", s[i].nfs_port);
		ck_assert_str_eq(s[i].path, path);
	}
	export_cache_free(c);
}
END_TEST

/* A whole set appended in any order, sorted once, then put as usual. */
START_TEST(test_append_then_sort)
{
	struct export_cache *c = export_cache_new();
	const struct export_spec *s;
	struct export_spec sp = {0};
	struct tnfs_err err;
	char uuid[40], path[64];
	size_t n, i, k;

	ck_assert_int_eq(export_cache_sort(c, &err), 0); /* empty */
	for (i = 0; i < 20000; i++) {
		k = (i * 7919) % 20000;
		snprintf(uuid, sizeof(uuid), "%08zu", k);
		snprintf(path, sizeof(path), "/pool/%zu", k);
		sp.volume_uuid = uuid;
		sp.path = path;
		sp.nfs_port = (int)k;
		ck_assert_int_eq(export_cache_append(c, &sp,
				     clients_block("10.0.0.0/8", "192.0.2.1"),
				     &err),
		    0);
	}
	ck_assert_int_eq(export_cache_sort(c, &err), 0);
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 20000);
	for (i = 0; i < n; i++) {
		snprintf(uuid, sizeof(uuid), "%08zu", i);
		snprintf(path, sizeof(path), "/pool/%zu", i);
		ck_assert_str_eq(s[i].volume_uuid, uuid);
		ck_assert_str_eq(s[i].path, path);
		ck_assert_int_eq(s[i].nfs_port, (int)i);
		ck_assert_str_eq(s[i].clients[1], "192.0.2.1");
	}
	/* Sorted: put and remove find their place again. */
	put(c, "00000005", "/pool/five", 5);
	export_cache_remove(c, "00000006");
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 19999);
	ck_assert_str_eq(s[5].path, "/pool/five");
	ck_assert_str_eq(s[6].volume_uuid, "00000007");
	/* An append without a volume is refused, its client list freed. */
	sp.volume_uuid = NULL;
	ck_assert_int_eq(
	    export_cache_append(c, &sp, clients_block("a", "b"), &err), -1);
	export_cache_free(c);
}
END_TEST

START_TEST(test_ceph_strings_and_hostile)
{
	struct export_cache *c = export_cache_new();
	struct export_spec sp = {0};
	const struct export_spec *s;
	struct tnfs_err err;
	size_t n, len = 1 << 20;
	char *huge = malloc(len + 1);

	ck_assert_ptr_nonnull(huge);
	memset(huge, 'p', len);
	huge[len] = '\0';
	/* No volume: refused, nothing added, the client list freed. */
	sp.path = "/x";
	ck_assert_int_eq(export_cache_put(c, &sp, clients_block("a", "b"), &err),
	    -1);
	ck_assert_str_eq(err.code, "InternalError");
	export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 0);
	/* A 1 MiB path and cephx strings: copied whole. */
	sp.volume_uuid = "v";
	sp.path = huge;
	sp.pseudo = "/tritonnfs/v";
	sp.ceph_fs = "cephfs";
	sp.ceph_user = "client.tnfs-v";
	sp.ceph_secret = "AQ==";
	ck_assert_int_eq(export_cache_put(c, &sp, NULL, &err), 0);
	huge[0] = 'q';
	s = export_cache_specs(c, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(strlen(s[0].path), len);
	ck_assert_int_eq(s[0].path[0], 'p');
	ck_assert_str_eq(s[0].ceph_fs, "cephfs");
	ck_assert_str_eq(s[0].ceph_user, "client.tnfs-v");
	ck_assert_str_eq(s[0].ceph_secret, "AQ==");
	ck_assert_ptr_null(s[0].clients);
	free(huge);
	export_cache_free(c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("export_cache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order_and_replace);
	tcase_add_test(tc, test_unchanged_after_sync_only);
	tcase_add_test(tc, test_many_in_any_order);
	tcase_add_test(tc, test_append_then_sort);
	tcase_add_test(tc, test_ceph_strings_and_hostile);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
