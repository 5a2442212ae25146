/* Unit tests for fuse/fhcache.c: the directory handle cache. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuse/fhcache.h"
#include "check_tap.h"

static const unsigned char FH_A[] = {1, 2, 3, 4};
static const unsigned char FH_B[] = {9, 8, 7, 6, 5};

static int
has(struct fhcache *c, const char *path, uint64_t now)
{
	unsigned char fh[FHCACHE_FH_MAX];

	return fhcache_get(c, path, now, fh) > 0;
}

START_TEST(test_put_get)
{
	struct fhcache *c = fhcache_new(4, 1000);
	unsigned char fh[FHCACHE_FH_MAX];

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(fhcache_get(c, "/a", 0, fh), 0);
	ck_assert_int_eq(fhcache_put(c, "/a", FH_A, sizeof(FH_A), 0, 0), 0);
	ck_assert_uint_eq(fhcache_get(c, "/a", 10, fh), sizeof(FH_A));
	ck_assert_mem_eq(fh, FH_A, sizeof(FH_A));
	/* Replacing keeps one entry with the new handle. */
	ck_assert_int_eq(fhcache_put(c, "/a", FH_B, sizeof(FH_B), 5, 0), 0);
	ck_assert_uint_eq(fhcache_count(c), 1);
	ck_assert_uint_eq(fhcache_get(c, "/a", 10, fh), sizeof(FH_B));
	ck_assert_mem_eq(fh, FH_B, sizeof(FH_B));
	ck_assert(!has(c, "/ab", 10));
	ck_assert(!has(c, "/a/", 10));
	fhcache_free(c);
	fhcache_free(NULL);
	ck_assert_ptr_null(fhcache_new(0, 1000));
}
END_TEST

START_TEST(test_ttl)
{
	struct fhcache *c = fhcache_new(4, 1000);

	ck_assert_int_eq(fhcache_put(c, "/d", FH_A, sizeof(FH_A), 5000, 0), 0);
	ck_assert(has(c, "/d", 5000));
	ck_assert(has(c, "/d", 5999));
	/* Expired at exactly the TTL, and dropped when asked. */
	ck_assert(!has(c, "/d", 6000));
	ck_assert_uint_eq(fhcache_count(c), 0);
	/* A clock that went backwards does not keep an entry alive. */
	ck_assert_int_eq(fhcache_put(c, "/d", FH_A, sizeof(FH_A), 5000, 0), 0);
	ck_assert(!has(c, "/d", 4999));
	fhcache_free(c);
	/* A TTL of 0 caches nothing. */
	c = fhcache_new(4, 0);
	ck_assert_int_eq(fhcache_put(c, "/d", FH_A, sizeof(FH_A), 1, 0), 0);
	ck_assert(!has(c, "/d", 1));
	fhcache_free(c);
}
END_TEST

START_TEST(test_eviction)
{
	struct fhcache *c = fhcache_new(3, 1000);

	ck_assert_int_eq(fhcache_put(c, "/1", FH_A, 4, 10, 0), 0);
	ck_assert_int_eq(fhcache_put(c, "/2", FH_A, 4, 20, 0), 0);
	ck_assert_int_eq(fhcache_put(c, "/3", FH_A, 4, 30, 0), 0);
	/* Full: the oldest goes. */
	ck_assert_int_eq(fhcache_put(c, "/4", FH_A, 4, 40, 0), 0);
	ck_assert_uint_eq(fhcache_count(c), 3);
	ck_assert(!has(c, "/1", 50));
	ck_assert(has(c, "/2", 50) && has(c, "/3", 50) && has(c, "/4", 50));
	/* An expired entry is replaced before a fresh one. */
	ck_assert_int_eq(fhcache_put(c, "/2", FH_A, 4, 0, 0), 0);
	ck_assert_int_eq(fhcache_put(c, "/5", FH_A, 4, 1005, 0), 0);
	ck_assert(has(c, "/5", 1005) && !has(c, "/2", 1005));
	fhcache_free(c);
}
END_TEST

START_TEST(test_forget_prefix)
{
	struct fhcache *c = fhcache_new(8, 1000);
	const char *paths[] = {"/a", "/a/b", "/a/b/c", "/ab", "/b", "/b/a"};
	size_t i;

	for (i = 0; i < 6; i++)
		ck_assert_int_eq(fhcache_put(c, paths[i], FH_A, 4, 0, 0), 0);
	/* Renaming /a (on this mount) forgets it and all below, not /ab. */
	fhcache_forget(c, "/a");
	ck_assert(
	    !has(c, "/a", 1) && !has(c, "/a/b", 1) && !has(c, "/a/b/c", 1));
	ck_assert(has(c, "/ab", 1) && has(c, "/b", 1) && has(c, "/b/a", 1));
	fhcache_forget(c, "/b/a/x"); /* not cached: nothing else goes */
	ck_assert(has(c, "/b/a", 1));
	fhcache_forget(c, "/");
	ck_assert_uint_eq(fhcache_count(c), 0);
	fhcache_free(c);
}
END_TEST

START_TEST(test_gen_race)
{
	struct fhcache *c = fhcache_new(4, 1000);
	uint64_t gen = fhcache_gen(c);

	/* A lookup began, then the directory was renamed here. */
	fhcache_forget(c, "/d");
	ck_assert_uint_ne(fhcache_gen(c), gen);
	ck_assert_int_eq(fhcache_put(c, "/d", FH_A, 4, 0, gen), 0);
	ck_assert(!has(c, "/d", 1));
	ck_assert_int_eq(fhcache_put(c, "/d", FH_A, 4, 0, fhcache_gen(c)), 0);
	ck_assert(has(c, "/d", 1));
	fhcache_free(c);
}
END_TEST

static const char *bad_paths[] = {"", "a", "a/b", "//", "/a//b", "/a/", "/.",
    "/./a", "/a/.", "/..", "/a/../b", "/a/.."};

START_TEST(test_put_hostile)
{
	struct fhcache *c = fhcache_new(4, 1000);
	unsigned char big[FHCACHE_FH_MAX + 1];

	ck_assert_int_eq(fhcache_put(c, bad_paths[_i], FH_A, 4, 0, 0), -EINVAL);
	memset(big, 7, sizeof(big));
	ck_assert_int_eq(fhcache_put(c, "/a", big, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(fhcache_put(c, "/a", big, sizeof(big), 0, 0), -EINVAL);
	ck_assert_int_eq(fhcache_put(c, "/a", big, FHCACHE_FH_MAX, 0, 0), 0);
	/* Names that only look like dots are names. */
	ck_assert_int_eq(fhcache_put(c, "/...", FH_A, 4, 0, 0), 0);
	ck_assert_int_eq(fhcache_put(c, "/.a/..b", FH_A, 4, 0, 0), 0);
	ck_assert_uint_eq(fhcache_count(c), 3);
	fhcache_free(c);
}
END_TEST

START_TEST(test_path_max)
{
	struct fhcache *c = fhcache_new(4, 1000);
	char *p = malloc(PATH_MAX + 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	/* "/aaa.../aaa..." of PATH_MAX - 1 bytes: the longest accepted. */
	for (i = 0; i < PATH_MAX - 1; i++)
		p[i] = (i % 200 == 0) ? '/' : 'a';
	p[PATH_MAX - 1] = '\0';
	ck_assert_int_eq(fhcache_put(c, p, FH_A, 4, 0, 0), 0);
	ck_assert(has(c, p, 1));
	fhcache_forget(c, "/aaaa");
	ck_assert(has(c, p, 1));
	p[PATH_MAX - 1] = 'a';
	p[PATH_MAX] = '\0';
	ck_assert_int_eq(fhcache_put(c, p, FH_A, 4, 0, 0), -EINVAL);
	ck_assert(!has(c, p, 1));
	fhcache_forget(c, "/");
	ck_assert_uint_eq(fhcache_count(c), 0);
	free(p);
	fhcache_free(c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("fuse_fhcache");
	TCase *tc = tcase_create("cache");

	tcase_add_test(tc, test_put_get);
	tcase_add_test(tc, test_ttl);
	tcase_add_test(tc, test_eviction);
	tcase_add_test(tc, test_forget_prefix);
	tcase_add_test(tc, test_gen_race);
	tcase_add_loop_test(tc, test_put_hostile, 0,
	    (int)(sizeof(bad_paths) / sizeof(bad_paths[0])));
	tcase_add_test(tc, test_path_max);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
