# fuse/: tritonnfs-fuse, the user-space NFS client (libnfs + libfuse3).
sbin_PROGRAMS += fuse/tritonnfs-fuse
fuse_tritonnfs_fuse_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(NFS_CFLAGS) $(FUSE_CFLAGS)
fuse_tritonnfs_fuse_SOURCES = fuse/main.c \
	fuse/opts.c fuse/opts.h \
	fuse/nfs_conn.c fuse/nfs_conn.h \
	fuse/nfs_fs.c fuse/nfs_fs.h \
	fuse/nfs_fs_dir.c fuse/nfs_fs_open.c fuse/nfs_fs_impl.h \
	fuse/nfs_file.c fuse/nfs_file.h fuse/nfs_write.c fuse/nfs_write.h \
	fuse/nfs4_readdir.c fuse/nfs4_readdir.h \
	fuse/fhcache.c fuse/fhcache.h \
	fuse/nfs3_raw.c fuse/nfs3_raw.h
fuse_tritonnfs_fuse_LDADD = $(LIBTNFS) $(NFS_LIBS) $(FUSE_LIBS) -lpthread
dist_man_MANS += fuse/tritonnfs-fuse.8

check_PROGRAMS += tests/unit/test_fuse_opts tests/unit/test_fuse_conn \
	tests/unit/test_fuse_nfs4_readdir tests/unit/test_fuse_fhcache \
	tests/fsx_tnfs
TESTS += tests/unit/test_fuse_opts tests/unit/test_fuse_conn \
	tests/unit/test_fuse_nfs4_readdir tests/unit/test_fuse_fhcache \
	tests/integration/fuse_ops.sh \
	tests/integration/fuse_fsx.sh \
	tests/integration/fuse_restart.sh \
	tests/integration/fuse_check.sh \
	tests/integration/fuse_docker.sh \
	tests/integration/fuse_quota.sh \
	tests/integration/fuse_stale.sh \
	tests/integration/fuse_bigdir.sh \
	tests/integration/fuse_dircache.sh \
	tests/integration/fuse_bench.sh
dist_check_SCRIPTS += tests/integration/nfs_fixture.sh \
	tests/integration/fuse_ops.sh \
	tests/integration/fuse_fsx.sh \
	tests/integration/fuse_restart.sh \
	tests/integration/fuse_check.sh \
	tests/integration/fuse_docker.sh \
	tests/integration/fuse_quota.sh \
	tests/integration/fuse_stale.sh \
	tests/integration/fuse_bigdir.sh \
	tests/integration/fuse_dircache.sh \
	tests/integration/fuse_bench.sh
tests_unit_test_fuse_opts_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_fuse_opts_SOURCES = tests/unit/test_fuse_opts.c \
	fuse/opts.c fuse/opts.h
tests_unit_test_fuse_opts_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_fsx_tnfs_SOURCES = tests/fsx_tnfs.c
tests_unit_test_fuse_conn_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) $(NFS_CFLAGS) $(FUSE_CFLAGS)
tests_unit_test_fuse_conn_SOURCES = tests/unit/test_fuse_conn.c \
	fuse/nfs_conn.c fuse/nfs_conn.h fuse/nfs_fs.c fuse/nfs_fs.h \
	fuse/nfs_fs_dir.c fuse/nfs_fs_open.c fuse/nfs_fs_impl.h \
	fuse/nfs_file.c fuse/nfs_file.h fuse/nfs_write.c fuse/nfs_write.h \
	fuse/nfs4_readdir.c fuse/nfs4_readdir.h fuse/fhcache.c fuse/fhcache.h \
	fuse/nfs3_raw.c fuse/nfs3_raw.h
tests_unit_test_fuse_conn_LDADD = $(LIBTNFS) $(NFS_LIBS) $(FUSE_LIBS) $(UNIT_LDADD) -lpthread
tests_unit_test_fuse_nfs4_readdir_CFLAGS = $(UNIT_CFLAGS) $(NFS_CFLAGS)
tests_unit_test_fuse_nfs4_readdir_SOURCES = tests/unit/test_fuse_nfs4_readdir.c \
	fuse/nfs4_readdir.c fuse/nfs4_readdir.h
tests_unit_test_fuse_nfs4_readdir_LDADD = $(NFS_LIBS) $(UNIT_LDADD)
tests_unit_test_fuse_fhcache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fuse_fhcache_SOURCES = tests/unit/test_fuse_fhcache.c \
	fuse/fhcache.c fuse/fhcache.h
tests_unit_test_fuse_fhcache_LDADD = $(UNIT_LDADD) -lpthread
