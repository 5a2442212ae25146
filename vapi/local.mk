# vapi/: tritonnfs-vapi, the Volume API server.
sbin_PROGRAMS += vapi/tritonnfs-vapi
vapi_tritonnfs_vapi_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
vapi_tritonnfs_vapi_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTNFS_HAVE_BTRFS_BACKEND -DTNFS_HAVE_GANESHA_EXPORTER
vapi_tritonnfs_vapi_SOURCES = vapi/main.c \
	vapi/btrfs.c vapi/btrfs.h vapi/btrfs_pool.c vapi/storage_btrfs.c \
	vapi/ganesha_conf.c vapi/ganesha_conf.h vapi/exports_ganesha.c
vapi_tritonnfs_vapi_LDADD = $(LIBTNFS)

# The btrfs storage and ganesha export backends, driven without the HTTP
# server by tests/storage_probe (see its header) and tested at unit level.
STORAGE_BACKEND_SOURCES = \
	vapi/btrfs.c vapi/btrfs.h vapi/btrfs_pool.c vapi/storage_btrfs.c \
	vapi/ganesha_conf.c vapi/ganesha_conf.h vapi/exports_ganesha.c
check_PROGRAMS += tests/storage_probe tests/unit/test_storage_btrfs \
	tests/unit/test_storage_ganesha_conf
TESTS += tests/unit/test_storage_btrfs tests/unit/test_storage_ganesha_conf \
	tests/integration/storage_btrfs.sh tests/integration/storage_ganesha.sh
dist_check_SCRIPTS += tests/integration/storage_btrfs.sh tests/integration/storage_lib.sh \
	tests/integration/storage_ganesha.sh
tests_storage_probe_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_storage_probe_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_storage_probe_SOURCES = tests/storage_probe.c $(STORAGE_BACKEND_SOURCES)
tests_storage_probe_LDADD = $(LIBTNFS)
tests_unit_test_storage_btrfs_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_storage_btrfs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_storage_btrfs_SOURCES = tests/unit/test_storage_btrfs.c \
	vapi/btrfs.c vapi/btrfs.h
tests_unit_test_storage_btrfs_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_storage_ganesha_conf_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_storage_ganesha_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_storage_ganesha_conf_SOURCES = \
	tests/unit/test_storage_ganesha_conf.c vapi/ganesha_conf.c vapi/ganesha_conf.h
tests_unit_test_storage_ganesha_conf_LDADD = $(LIBTNFS) $(UNIT_LDADD)
