/*
 * test_fuse_conn.c: how tritonnfs-fuse classifies libnfs results
 * (fuse/nfs_conn.c) and sizes its NFSv4 writes (fuse/nfs_fs.c).
 */
#include "config.h"

#include <check.h>
#include <errno.h>

#include "../../fuse/nfs_conn.h"
#include "../../fuse/nfs_fs.h"
#include "check_tap.h"

static const struct {
	int rc;     /* what a libnfs call returned */
	int link;   /* a broken or timed-out link, worth a remount */
	int errnum; /* what FUSE is told */
} results[] = {
    {0, 0, 0},
    {5, 0, 0},
    {-ENOENT, 0, ENOENT},
    {-EEXIST, 0, EEXIST},
    {-ENOTEMPTY, 0, ENOTEMPTY},
    {-EACCES, 0, EACCES},
    {-EROFS, 0, EROFS},
    {-EDQUOT, 0, EDQUOT},
    {-ENOSPC, 0, ENOSPC},
    {-ESTALE, 0, ESTALE},
    {-EPERM, 0, EPERM},
    /* libnfs 4.0: timeout is -EINTR, RPC failure -EFAULT, dead socket -EIO */
    {-EINTR, 1, EIO},
    {-EFAULT, 1, EIO},
    {-EIO, 1, EIO},
    {-ENOTCONN, 1, EIO},
    {-ECONNRESET, 1, EIO},
    {-ECONNREFUSED, 1, EIO},
    {-EPIPE, 1, EIO},
    {-ETIMEDOUT, 1, EIO},
    /* out of range: never handed to the kernel as is */
    {-4096, 0, EIO},
    {-100000, 0, EIO},
    {-2147483647, 0, EIO},
};

START_TEST(test_result_table)
{
	ck_assert_int_eq(
	    nfs_conn_is_link_error(results[_i].rc), results[_i].link);
	ck_assert_int_eq(nfs_conn_errno(results[_i].rc), results[_i].errnum);
}
END_TEST

START_TEST(test_write_chunk)
{
	ck_assert_uint_eq(nfs_fs_write_chunk(65536, 3), 65536);
	ck_assert_uint_eq(nfs_fs_write_chunk(0, 3), NFS_FS_MAX_IO);
	ck_assert_uint_eq(
	    nfs_fs_write_chunk(UINT64_C(1) << 40, 3), NFS_FS_MAX_IO);
#ifdef HAVE_LIBNFS_V4_LARGE_WRITES
	ck_assert_uint_eq(nfs_fs_write_chunk(65536, 4), 65536);
#else
	ck_assert_uint_eq(nfs_fs_write_chunk(65536, 4), NFS_FS_V4_SMALL_WRITE);
	ck_assert_uint_eq(nfs_fs_write_chunk(1024, 4), 1024);
#endif
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("fuse_conn");
	TCase *tc = tcase_create("classify");

	tcase_add_loop_test(tc, test_result_table, 0,
	    (int)(sizeof(results) / sizeof(results[0])));
	tcase_add_test(tc, test_write_chunk);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
