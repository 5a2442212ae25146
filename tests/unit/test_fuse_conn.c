/*
 * test_fuse_conn.c: how tritonnfs-fuse classifies libnfs results
 * (fuse/nfs_conn.c) and sizes its NFSv4 writes (fuse/nfs_fs.c).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "../../fuse/nfs3_raw.h"
#include "../../fuse/nfs_conn.h"
#include "../../fuse/nfs_fs.h"
#include "../../fuse/nfs_write.h"
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

/* libnfs 4.0's -ERANGE, told apart by the status its message names. */
static const struct {
	int rc;
	const char *why;
	int errnum;
} whys[] = {
    {-ERANGE, "NFS: Write failed with NFS3ERR_DQUOT(-34)", EDQUOT},
    {-ERANGE, "NFS4: WRITE (path /f) failed with NFS4ERR_DQUOT(-34)", EDQUOT},
    {-ERANGE, "NFS4: COMMIT (path /f) failed with NFS4ERR_DQUOT(-34)", EDQUOT},
    {-ERANGE, "NFS4: GETATTR (path /f) failed with NFS4ERR_FHEXPIRED(-5)",
	ESTALE},
    {-ERANGE, "NFS4: OPEN (path /f) failed with NFS4ERR_GRACE(-5)", EAGAIN},
    {-ERANGE, "NFS4: OPEN (path /f) failed with NFS4ERR_DELAY(-5)", EAGAIN},
    {-ERANGE, "NFS4: OPEN (path /f) failed with NFS4ERR_BAD_SEQID(-22)", EIO},
    {-ERANGE, "unknown nfsv4 error", EIO},
    {-ERANGE, "", EIO},
    {-ERANGE, NULL, EIO},
    /* other results keep their meaning whatever the text says */
    {-ENOSPC, "NFS4: WRITE (path /f) failed with NFS4ERR_NOSPC(-28)", ENOSPC},
    {-ESTALE, "NFS3ERR_STALE", ESTALE},
    {-ENOENT, "NFS3ERR_DQUOT", ENOENT},
    {-EINTR, "ERR_DQUOT", EIO},
    {0, "NFS3ERR_DQUOT", 0},
};

/* The status a libnfs message names, however it is worded around it. */
static const struct {
	const char *why;
	int errnum;
} statuses[] = {
    {"NFS: Write failed with NFS3ERR_DQUOT(-34)", EDQUOT},
    {"NFS: Write failed with NFS3ERR_NOSPC(-28)", ENOSPC},
    {"NFS: Write failed with NFS3ERR_STALE(-116)", ESTALE},
    {"NFS: Write failed with NFS3ERR_ROFS(-30)", EROFS},
    {"NFS: Write failed with NFS3ERR_FBIG(-27)", EFBIG},
    {"NFS: Write failed with NFS3ERR_IO(-5)", EIO},
    {"NFS: Write failed with NFS3ERR_INVAL(-22)", EINVAL},
    {"NFS: Write failed with NFS3ERR_JUKEBOX(-11)", EAGAIN},
    {"NFS4: WRITE (path (null)) failed with NFS4ERR_DQUOT(-34)", EDQUOT},
    {"NFS4: WRITE (path /a) failed with NFS4ERR_NOSPC(-28)", ENOSPC},
    {"NFS4: READ (path /a) failed with NFS4ERR_STALE(-5)", ESTALE},
    {"NFS4: READ (path /a) failed with NFS4ERR_FHEXPIRED(-5)", ESTALE},
    {"NFS4: OPEN (path /a) failed with NFS4ERR_ACCESS(-13)", EACCES},
    {"NFS4: OPEN (path /a) failed with NFS4ERR_BAD_SEQID(-22)", EIO},
    {"NFS4: X failed with NFS4ERR_DQUOTX(-1)", EIO}, /* not DQUOT */
    /* no status named */
    {"NFS: Write failed. No bytes written!", 0},
    {"pwrite call failed with \"E\"", 0},
    {"ERR_DQUOT(", 0},
    {"XNFS5ERR_DQUOT(-34)", 0},
    {"Command timed out", 0},
    {"", 0},
    {NULL, 0},
};

START_TEST(test_status_errno)
{
	ck_assert_int_eq(
	    nfs_conn_status_errno(statuses[_i].why), statuses[_i].errnum);
}
END_TEST

START_TEST(test_errno_why)
{
	ck_assert_int_eq(
	    nfs_conn_errno_why(whys[_i].rc, whys[_i].why), whys[_i].errnum);
}
END_TEST

static void
server_fs(struct statvfs *sv, unsigned long frsize, fsblkcnt_t blocks,
    fsblkcnt_t bfree, fsblkcnt_t bavail)
{
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = frsize;
	sv->f_frsize = frsize;
	sv->f_blocks = blocks;
	sv->f_bfree = bfree;
	sv->f_bavail = bavail;
}

START_TEST(test_apply_size)
{
	struct statvfs sv;
	const uint64_t mib = 1024 * 1024;

	/* 1 GiB pool, 6 MiB used: a 64 MiB volume shows 58 MiB free. */
	server_fs(&sv, 4096, 262144, 262144 - 1536, 231584);
	nfs_fs_apply_size(&sv, 64 * mib);
	ck_assert_uint_eq(sv.f_blocks, 16384);
	ck_assert_uint_eq(sv.f_bfree, 16384 - 1536);
	ck_assert_uint_eq(sv.f_bavail, 16384 - 1536);

	/* The server has less left than the quota: its numbers win. */
	server_fs(&sv, 4096, 262144, 1000, 900);
	nfs_fs_apply_size(&sv, 64 * mib);
	ck_assert_uint_eq(sv.f_blocks, 16384);
	ck_assert_uint_eq(sv.f_bfree, 0);
	ck_assert_uint_eq(sv.f_bavail, 0);
	/* Free for root beyond what is available: used stays the pool's. */
	server_fs(&sv, 4096, 262144, 262144 - 100, 10);
	nfs_fs_apply_size(&sv, 64 * mib);
	ck_assert_uint_eq(sv.f_bfree, 16384 - 100);
	ck_assert_uint_eq(sv.f_bavail, 10);

	/* Used beyond the quota (a shared pool): full, never negative. */
	server_fs(&sv, 4096, 262144, 100000, 100000);
	nfs_fs_apply_size(&sv, 64 * mib);
	ck_assert_uint_eq(sv.f_blocks, 16384);
	ck_assert_uint_eq(sv.f_bfree, 0);
	ck_assert_uint_eq(sv.f_bavail, 0);

	/* Off: left alone. */
	server_fs(&sv, 4096, 262144, 5, 4);
	nfs_fs_apply_size(&sv, 0);
	ck_assert_uint_eq(sv.f_blocks, 262144);
	ck_assert_uint_eq(sv.f_bfree, 5);

	/*
	 * A 10 GiB volume on a 1 GiB pool (overcommitted): the volume's size
	 * and used space (blocks - bfree), with what the pool has left as
	 * available.
	 */
	server_fs(&sv, 4096, 262144, 262144 - 1536, 231584);
	nfs_fs_apply_size(&sv, 10240 * mib);
	ck_assert_uint_eq(sv.f_blocks, 2621440);
	ck_assert_uint_eq(sv.f_blocks - sv.f_bfree, 1536);
	ck_assert_uint_eq(sv.f_bavail, 231584);
	/* Equal to the pool: the pool's numbers. */
	server_fs(&sv, 4096, 262144, 5, 4);
	nfs_fs_apply_size(&sv, 262144 * 4096ULL);
	ck_assert_uint_eq(sv.f_blocks, 262144);
	ck_assert_uint_eq(sv.f_bfree, 5);
	ck_assert_uint_eq(sv.f_bavail, 4);

	/* No fragment size from the server: the block size counts. */
	server_fs(&sv, 0, 1000, 1000, 1000);
	sv.f_bsize = 1024;
	nfs_fs_apply_size(&sv, 100 * 1024);
	ck_assert_uint_eq(sv.f_blocks, 100);
	ck_assert_uint_eq(sv.f_frsize, 1024);
	/* Neither: nothing to scale by. */
	server_fs(&sv, 0, 1000, 1000, 1000);
	nfs_fs_apply_size(&sv, 100);
	ck_assert_uint_eq(sv.f_blocks, 1000);
}
END_TEST

START_TEST(test_write_chunk)
{
	ck_assert_uint_eq(nfs_write_chunk(65536, 3), 65536);
	ck_assert_uint_eq(nfs_write_chunk(0, 3), NFS_FS_MAX_IO);
	ck_assert_uint_eq(
	    nfs_write_chunk(UINT64_C(1) << 40, 3), NFS_FS_MAX_IO);
#ifdef HAVE_LIBNFS_V4_LARGE_WRITES
	ck_assert_uint_eq(nfs_write_chunk(65536, 4), 65536);
#else
	ck_assert_uint_eq(nfs_write_chunk(65536, 4), NFS_WRITE_V4_SMALL);
	ck_assert_uint_eq(nfs_write_chunk(1024, 4), 1024);
#endif
}
END_TEST

/* Which writes go out FILE_SYNC (so need no COMMIT at close). */
static const struct {
	int vers, wrote, o_sync;
	size_t size;
	uint64_t chunk;
	int sync;
} sync_cases[] = {
    {3, 0, 0, 4096, 1048576, 1},    /* a small file in one write */
    {3, 0, 0, 0, 1048576, 1},       /* an empty write */
    {3, 0, 0, 65536, 1048576, 1},   /* the largest */
    {3, 0, 0, 65537, 1048576, 0},   /* one byte more */
    {3, 0, 0, 1048576, 1048576, 0}, /* dd bs=1M */
    {3, 0, 0, 8192, 4096, 0},       /* more than one WRITE */
    {3, 1, 0, 4096, 1048576, 0},    /* not the first write */
    {3, 1, 1, 1048576, 1048576, 1}, /* O_SYNC: always */
    {4, 0, 0, 4096, 3072, 0},       /* NFSv4: libnfs's WRITEs */
    {4, 0, 1, 100, 3072, 0},
    {0, 0, 0, 100, 3072, 0},
};

START_TEST(test_write_sync)
{
	ck_assert_int_eq(nfs_write_sync(sync_cases[_i].vers,
			     sync_cases[_i].wrote, sync_cases[_i].o_sync,
			     sync_cases[_i].size, sync_cases[_i].chunk),
	    sync_cases[_i].sync);
}
END_TEST

/* NFSv3 statuses of our own calls, as the errno FUSE returns. */
START_TEST(test_raw_status)
{
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_NOENT), -ENOENT);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_EXIST), -EEXIST);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_STALE), -ESTALE);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_ACCES), -EACCES);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_NOTDIR), -ENOTDIR);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_DQUOT), -EDQUOT);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_NOSPC), -ENOSPC);
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_ROFS), -EROFS);
	/* Statuses libnfs does not know end as EIO, never 0 or ERANGE. */
	ck_assert_int_eq(nfs3_raw_status_errno(NFS3ERR_JUKEBOX), -EAGAIN);
	ck_assert_int_lt(nfs3_raw_status_errno(99999), 0);
	ck_assert_int_ne(nfs3_raw_status_errno(99999), -ERANGE);
}
END_TEST

START_TEST(test_dirent_ino)
{
	/* readdir(3) skips a d_ino of 0: never list one. */
	ck_assert_uint_eq(nfs_fs_dirent_ino(0, 3), NFS_FS_INO_UNKNOWN);
	ck_assert_uint_eq(nfs_fs_dirent_ino(0, 4), NFS_FS_INO_UNKNOWN);
	ck_assert_uint_eq(nfs_fs_dirent_ino(1, 3), 1);
	ck_assert_uint_eq(nfs_fs_dirent_ino(UINT64_MAX, 3), UINT64_MAX);
	ck_assert_uint_eq(nfs_fs_dirent_ino(UINT64_C(0x0123456789), 3),
	    UINT64_C(0x0123456789));
	/* Unknown versions are taken at their word, like NFSv3. */
	ck_assert_uint_eq(nfs_fs_dirent_ino(42, 0), 42);
	ck_assert_uint_eq(nfs_fs_dirent_ino(42, -1), 42);
#ifdef HAVE_LIBNFS_V4_READDIR_INO
	ck_assert_uint_eq(nfs_fs_dirent_ino(42, 4), 42);
#else
	/* libnfs < 5: the NFSv4 inode is heap garbage, whatever its value. */
	ck_assert_uint_eq(nfs_fs_dirent_ino(42, 4), NFS_FS_INO_UNKNOWN);
	ck_assert_uint_eq(nfs_fs_dirent_ino(UINT64_C(0xbebebebebebebebe), 4),
	    NFS_FS_INO_UNKNOWN);
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
	tcase_add_loop_test(
	    tc, test_errno_why, 0, (int)(sizeof(whys) / sizeof(whys[0])));
	tcase_add_loop_test(tc, test_status_errno, 0,
	    (int)(sizeof(statuses) / sizeof(statuses[0])));
	tcase_add_test(tc, test_apply_size);
	tcase_add_test(tc, test_write_chunk);
	tcase_add_loop_test(tc, test_write_sync, 0,
	    (int)(sizeof(sync_cases) / sizeof(sync_cases[0])));
	tcase_add_test(tc, test_raw_status);
	tcase_add_test(tc, test_dirent_ino);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
