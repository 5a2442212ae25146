# vapi/: tritonnfs-vapi, the Volume API server.  The server's modules are a
# library so the unit tests link the same code.
noinst_LIBRARIES += vapi/libvapi_server.a
vapi_libvapi_server_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS) \
	$(SQLITE_CFLAGS) $(PQ_CFLAGS) $(DBUS_CFLAGS) $(STORE_PG_CPPFLAGS)
vapi_libvapi_server_a_SOURCES = \
	vapi/vapi.h \
	vapi/config.c vapi/vapi_config.h vapi/config_impl.h vapi/config_file.c \
	vapi/config_args.c \
	vapi/validate.c vapi/validate.h \
	vapi/predicate.c vapi/predicate.h vapi/predicate_impl.h \
	vapi/predicate_eval.c \
	vapi/jsfmt.c vapi/jsfmt.h \
	vapi/records.c vapi/store.h vapi/store.c vapi/store_impl.h \
	vapi/sql.c vapi/sql.h vapi/store_sql.h vapi/store_sql_volumes.c \
	vapi/store_sql_where.c vapi/store_sql_refs.c vapi/store_sql_snaps.c \
	vapi/store_sql_hosts.c vapi/store_sql_instances.c vapi/store_sql_meta.c \
	vapi/store_sqlite.c vapi/store_sqlite.h vapi/store_sqlite_sql.c \
	vapi/volume_filter.c \
	vapi/instances.c vapi/instances.h vapi/instances_api.c \
	vapi/instances_api.h \
	vapi/storage.c vapi/storage.h vapi/storage_impl.h vapi/storage_dir.c \
	vapi/exports.c vapi/exports.h vapi/exports_head.c vapi/exports_head.h vapi/exports_impl.h \
	vapi/provision.c vapi/provision.h vapi/provision_impl.h \
	vapi/provision_export.c vapi/provision_jobs.c \
	vapi/export_cache.c vapi/export_cache.h \
	vapi/volumes.c vapi/volumes.h vapi/volumes_place.c vapi/volumes_place.h \
	vapi/refs.c vapi/refs.h \
	vapi/hosts.c vapi/hosts.h vapi/fence.c vapi/fence.h \
	vapi/snapshots.c vapi/snapshots.h \
	vapi/api.h vapi/api_reply.c vapi/api_params.c vapi/api_params.h \
	vapi/api_volumes.c vapi/api_networks.c vapi/api_refs.c \
	vapi/api_snapshots.c vapi/api_hosts.c \
	vapi/routes.c vapi/routes.h vapi/api_admin.c vapi/api_admin.h \
	vapi/http.c vapi/http.h \
	$(STORAGE_BACKEND_SOURCES)
# The postgresql record store, when configure found libpq.
if HAVE_LIBPQ
vapi_libvapi_server_a_SOURCES += vapi/store_pg.c vapi/store_pg.h \
	vapi/store_pg_sql.c vapi/store_pg_exports.c \
	vapi/store_pg_stmts.c vapi/store_pg_stmts.h vapi/store_pg_conninfo.c \
	vapi/store_pg_schema.c
STORE_PG_CPPFLAGS = -DTNFS_HAVE_POSTGRESQL
endif
# The btrfs storage and ganesha export backends.
STORAGE_BACKEND_SOURCES = vapi/storage_list.c \
	vapi/btrfs.c vapi/btrfs.h vapi/btrfs_pool.c vapi/btrfs_usage.c \
	vapi/btrfs_usage.h vapi/storage_btrfs.c vapi/storage_btrfs_impl.h vapi/storage_btrfs_root.c \
	vapi/ganesha_conf.c vapi/ganesha_conf.h vapi/exports_ganesha.c \
	vapi/exports_ganesha_bus.c vapi/exports_ganesha_priv.h \
	vapi/storage_cephfs.c vapi/storage_cephfs.h vapi/storage_cephfs_ceph.c \
	vapi/storage_cephfs_snap.c vapi/storage_cephfs_list.c \
	vapi/exports_ganesha_ceph.c vapi/placement.c vapi/placement.h \
	vapi/exports_ceph_fence.c vapi/exports_ceph_fence.h \
	vapi/exports_ganesha_ceph.h vapi/exports_ganesha_ceph_opts.c \
	vapi/ganesha_dbus.c vapi/ganesha_dbus.h vapi/probe.c vapi/probe.h \
	vapi/ganesha_reread.c vapi/ganesha_reread.h
VAPI_LIBS = vapi/libvapi_server.a $(LIBTNFS) $(MHD_LIBS) $(SQLITE_LIBS) \
	$(PQ_LIBS) $(JSONC_LIBS) $(DBUS_LIBS)

sbin_PROGRAMS += vapi/tritonnfs-vapi
vapi_tritonnfs_vapi_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
vapi_tritonnfs_vapi_SOURCES = vapi/main.c
vapi_tritonnfs_vapi_LDADD = $(VAPI_LIBS)
dist_man_MANS += vapi/tritonnfs-vapi.8
EXTRA_DIST += spec/vapi.yaml tests/integration/krill_table.txt

VAPI_UNIT_TESTS = tests/unit/test_vapi_validate tests/unit/test_vapi_predicate \
	tests/unit/test_vapi_jsfmt \
	tests/unit/test_vapi_store tests/unit/test_vapi_volumes \
	tests/unit/test_vapi_api tests/unit/test_vapi_hosts \
	tests/unit/test_vapi_snapshots \
	tests/unit/test_vapi_config tests/unit/test_vapi_sha256 \
	tests/unit/test_store_pg_stmts tests/unit/test_export_cache \
	tests/unit/test_sql
check_PROGRAMS += $(VAPI_UNIT_TESTS)
TESTS += $(VAPI_UNIT_TESTS)
tests_unit_test_vapi_validate_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_validate_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_predicate_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_predicate_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
# The prepared statements' set needs no libpq: tested everywhere.
tests_unit_test_store_pg_stmts_SOURCES = tests/unit/test_store_pg_stmts.c \
	vapi/store_pg_stmts.c vapi/store_pg_stmts.h
tests_unit_test_store_pg_stmts_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_store_pg_stmts_LDADD = $(UNIT_LDADD)
tests_unit_test_export_cache_SOURCES = tests/unit/test_export_cache.c
tests_unit_test_export_cache_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_export_cache_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_sql_SOURCES = tests/unit/test_sql.c
tests_unit_test_sql_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_sql_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_jsfmt_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_jsfmt_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_store_SOURCES = tests/unit/test_vapi_store.c \
	tests/unit/vapi_store_pg_cases.h
tests_unit_test_vapi_store_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi \
	$(PQ_CFLAGS) $(STORE_PG_CPPFLAGS)
tests_unit_test_vapi_store_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
# The core's fixture (tests/unit/vapi_fixture.h) those three suites share.
VAPI_FIXTURE_SOURCES = tests/unit/vapi_fixture.c tests/unit/vapi_fixture.h
tests_unit_test_vapi_volumes_SOURCES = tests/unit/test_vapi_volumes.c \
	$(VAPI_FIXTURE_SOURCES)
tests_unit_test_vapi_snapshots_SOURCES = tests/unit/test_vapi_snapshots.c \
	$(VAPI_FIXTURE_SOURCES)
tests_unit_test_vapi_api_SOURCES = tests/unit/test_vapi_api.c \
	$(VAPI_FIXTURE_SOURCES)
tests_unit_test_vapi_volumes_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_volumes_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_snapshots_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_snapshots_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_api_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_api_LDADD = $(VAPI_LIBS) $(UNIT_LDADD) -ldl
tests_unit_test_vapi_hosts_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_hosts_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_config_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_vapi_config_LDADD = $(VAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_vapi_sha256_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_vapi_sha256_LDADD = $(LIBTNFS) $(UNIT_LDADD)

# The backends driven without the HTTP server by tests/storage_probe (see
# its header) and tested at unit level.
check_PROGRAMS += tests/storage_probe tests/unit/test_storage_btrfs \
	tests/unit/test_storage_ganesha_conf tests/unit/test_storage_cephfs \
	tests/unit/test_ganesha_dbus
TESTS += tests/unit/test_storage_btrfs tests/unit/test_storage_ganesha_conf \
	tests/unit/test_storage_cephfs tests/unit/test_ganesha_dbus
tests_storage_probe_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(DBUS_CFLAGS)
tests_storage_probe_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_storage_probe_SOURCES = tests/storage_probe.c $(STORAGE_BACKEND_SOURCES)
tests_storage_probe_LDADD = $(LIBTNFS) $(DBUS_LIBS)
tests_unit_test_storage_btrfs_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_storage_btrfs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_storage_btrfs_SOURCES = tests/unit/test_storage_btrfs.c \
	vapi/btrfs.c vapi/btrfs.h vapi/btrfs_usage.c vapi/btrfs_usage.h
tests_unit_test_storage_btrfs_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_storage_ganesha_conf_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_storage_ganesha_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_storage_ganesha_conf_SOURCES = \
	tests/unit/test_storage_ganesha_conf.c vapi/ganesha_conf.c vapi/ganesha_conf.h
tests_unit_test_storage_ganesha_conf_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_storage_cephfs_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) $(DBUS_CFLAGS)
tests_unit_test_storage_cephfs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_storage_cephfs_SOURCES = tests/unit/test_storage_cephfs.c \
	vapi/storage_cephfs.c vapi/storage_cephfs.h vapi/storage_cephfs_ceph.c \
	vapi/storage_cephfs_snap.c vapi/storage_cephfs_list.c \
	vapi/storage_list.c vapi/ganesha_conf.c \
	vapi/ganesha_conf.h vapi/exports.c vapi/exports_ganesha.c \
	vapi/exports_ganesha_bus.c vapi/exports_ganesha_priv.h \
	vapi/ganesha_dbus.c vapi/probe.c vapi/ganesha_reread.c \
	vapi/exports_ganesha_ceph.c vapi/placement.c vapi/placement.h \
	vapi/exports_ceph_fence.c vapi/exports_ceph_fence.h \
	vapi/exports_ganesha_ceph.h vapi/exports_ganesha_ceph_opts.c
tests_unit_test_storage_cephfs_LDADD = $(LIBTNFS) $(DBUS_LIBS) $(UNIT_LDADD)
tests_unit_test_ganesha_dbus_CFLAGS = $(UNIT_CFLAGS) $(DBUS_CFLAGS)
tests_unit_test_ganesha_dbus_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
tests_unit_test_ganesha_dbus_SOURCES = tests/unit/test_ganesha_dbus.c \
	vapi/ganesha_dbus.c vapi/ganesha_dbus.h vapi/ganesha_reread.c \
	vapi/ganesha_reread.h vapi/ganesha_conf.c vapi/ganesha_conf.h
tests_unit_test_ganesha_dbus_LDADD = $(LIBTNFS) $(DBUS_LIBS) $(UNIT_LDADD)
