# fuse/: tritonnfs-fuse, the user-space NFS client (libnfs + libfuse3).
# Its modules are a library so the unit tests link the same objects.
noinst_LIBRARIES += fuse/libfuse_client.a
fuse_libfuse_client_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(NFS_CFLAGS) \
	$(FUSE_CFLAGS)
fuse_libfuse_client_a_SOURCES = fuse/opts.c fuse/opts.h \
	fuse/nfs_conn.c fuse/nfs_conn.h \
	fuse/nfs_fs.c fuse/nfs_fs.h \
	fuse/nfs_fs_dir.c fuse/nfs_fs_open.c fuse/nfs_fs_impl.h \
	fuse/nfs_file.c fuse/nfs_file.h fuse/nfs_write.c fuse/nfs_write.h \
	fuse/nfs4_readdir.c fuse/nfs4_readdir.h \
	fuse/nfs4_open.c fuse/nfs4_open.h fuse/libnfs_private.h \
	fuse/fhcache.c fuse/fhcache.h \
	fuse/nfs3_raw.c fuse/nfs3_raw.h
LIBFUSE_CLIENT = fuse/libfuse_client.a $(LIBTNFS) $(NFS_LIBS) $(FUSE_LIBS) \
	-lpthread

sbin_PROGRAMS += fuse/tritonnfs-fuse
fuse_tritonnfs_fuse_CFLAGS = $(fuse_libfuse_client_a_CFLAGS)
fuse_tritonnfs_fuse_SOURCES = fuse/main.c
fuse_tritonnfs_fuse_LDADD = $(LIBFUSE_CLIENT)
dist_man_MANS += fuse/tritonnfs-fuse.8

check_PROGRAMS += tests/unit/test_fuse_opts tests/unit/test_fuse_conn \
	tests/unit/test_fuse_nfs4_readdir tests/unit/test_fuse_fhcache \
	tests/fsx_tnfs
TESTS += tests/unit/test_fuse_opts tests/unit/test_fuse_conn \
	tests/unit/test_fuse_nfs4_readdir tests/unit/test_fuse_fhcache
tests_unit_test_fuse_opts_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_fuse_opts_SOURCES = tests/unit/test_fuse_opts.c
tests_unit_test_fuse_opts_LDADD = $(LIBFUSE_CLIENT) $(UNIT_LDADD)
tests_fsx_tnfs_SOURCES = tests/fsx_tnfs.c
tests_unit_test_fuse_conn_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) $(NFS_CFLAGS) $(FUSE_CFLAGS)
tests_unit_test_fuse_conn_SOURCES = tests/unit/test_fuse_conn.c
tests_unit_test_fuse_conn_LDADD = $(LIBFUSE_CLIENT) $(UNIT_LDADD)
tests_unit_test_fuse_nfs4_readdir_CFLAGS = $(UNIT_CFLAGS) $(NFS_CFLAGS)
tests_unit_test_fuse_nfs4_readdir_SOURCES = tests/unit/test_fuse_nfs4_readdir.c
tests_unit_test_fuse_nfs4_readdir_LDADD = $(LIBFUSE_CLIENT) $(UNIT_LDADD)
tests_unit_test_fuse_fhcache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fuse_fhcache_SOURCES = tests/unit/test_fuse_fhcache.c
tests_unit_test_fuse_fhcache_LDADD = $(LIBFUSE_CLIENT) $(UNIT_LDADD)
