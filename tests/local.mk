# tests/: every integration suite, listed once.  Each part's local.mk adds
# its own unit tests; the scripts are here so that one list says what runs
# (TESTS) and what the tarball carries (dist_check_SCRIPTS, with the
# libraries the suites source).
INTEGRATION_TESTS = \
	tests/integration/vapi_basic.sh \
	tests/integration/vapi_errors.sh \
	tests/integration/vapi_refs.sh \
	tests/integration/vapi_snapshots.sh \
	tests/integration/vapi_auth.sh \
	tests/integration/vapi_concurrency.sh \
	tests/integration/vapi_crash.sh \
	tests/integration/vapi_spec.sh \
	tests/integration/vapi_btrfs.sh \
	tests/integration/vapi_clone.sh \
	tests/integration/vapi_ganesha.sh \
	tests/integration/vapi_crash_btrfs.sh \
	tests/integration/vapi_served.sh \
	tests/integration/adm_update.sh \
	tests/integration/vapi_slow_clients.sh \
	tests/integration/vapi_hostile_urls.sh \
	tests/integration/vapi_hosts.sh \
	tests/integration/vapi_fence.sh \
	tests/integration/vapi_krill.sh \
	tests/integration/vapi_export_manager.sh \
	tests/integration/store_pg.sh \
	tests/integration/vapi_pg.sh \
	tests/integration/vapi_pg_instances.sh \
	tests/integration/vapi_pg_btrfs.sh \
	tests/integration/storage_btrfs.sh \
	tests/integration/storage_ganesha.sh \
	tests/integration/ceph_cluster.sh \
	tests/integration/storage_cephfs.sh \
	tests/integration/plugin_protocol.sh \
	tests/integration/docker_harness.sh \
	tests/integration/plugin_docker.sh \
	tests/integration/quickstart.sh \
	tests/integration/plugin_faults.sh \
	tests/integration/plugin_rollback.sh \
	tests/integration/cli_triton_volume.sh \
	tests/integration/cli_errors.sh \
	tests/integration/cli_adm.sh \
	tests/integration/cli_auth.sh \
	tests/integration/cloudapi_triton.sh \
	tests/integration/bench_docker.sh \
	tests/integration/help_defaults.sh \
	tests/integration/packaging_units.sh \
	tests/integration/packaging_notify.sh \
	tests/integration/packaging_docker_plugin.sh \
	tests/integration/packaging_debs.sh \
	tests/integration/quickstart_packages.sh \
	tests/integration/bench_vapi.sh \
	tests/integration/bench_plugin.sh
# tritonnfs-fuse's suites run only when it is built (--without-fuse).
FUSE_INTEGRATION_TESTS = \
	tests/integration/fuse_ops.sh \
	tests/integration/fuse_fsx.sh \
	tests/integration/fuse_restart.sh \
	tests/integration/fuse_check.sh \
	tests/integration/fuse_docker.sh \
	tests/integration/fuse_quota.sh \
	tests/integration/fuse_stale.sh \
	tests/integration/fuse_bigdir.sh \
	tests/integration/fuse_dircache.sh \
	tests/integration/fuse_bench.sh \
	tests/integration/multihost_docker.sh \
	tests/integration/vapi_cephfs.sh \
	tests/integration/cephfs_heads.sh \
	tests/integration/docker_cephfs.sh
# What the suites source.
INTEGRATION_LIBS = \
	tests/integration/lib.sh \
	tests/integration/vapi_lib.sh \
	tests/integration/pg_lib.sh \
	tests/integration/slow_clients.py \
	tests/integration/fuse_v4_state.py \
	tests/integration/notify_harness.py \
	tests/integration/krill_ref.js \
	tests/integration/storage_lib.sh \
	tests/integration/ceph_lib.sh \
	tests/integration/docker_lib.sh \
	tests/integration/multihost_lib.sh \
	tests/integration/cli_lib.sh \
	tests/integration/packaging_lib.sh \
	tests/integration/nfs_fixture.sh
# The fault storms (docs/testing.md): kill -9 of the VAPI, the plugin and
# dockerd at random points under load, and a full storage pool; each prints
# its seed (TNFS_STORM_SEED replays it).  Three mount with tritonnfs-fuse.
FAULT_TESTS = tests/faults/vapi_storm.sh
FUSE_FAULT_TESTS = \
	tests/faults/plugin_storm.sh \
	tests/faults/pool_full.sh \
	tests/faults/dockerd_storm.sh
TESTS += $(INTEGRATION_TESTS) $(FAULT_TESTS)
if WITH_FUSE
TESTS += $(FUSE_INTEGRATION_TESTS) $(FUSE_FAULT_TESTS)
endif
dist_check_SCRIPTS += $(INTEGRATION_TESTS) $(FUSE_INTEGRATION_TESTS) \
	$(INTEGRATION_LIBS) $(FAULT_TESTS) $(FUSE_FAULT_TESTS) \
	tests/faults/storm_lib.sh
# The libFuzzer targets, their seeds and regression inputs (scripts/fuzz
# builds them with clang, apart from this build).
EXTRA_DIST += tests/fuzz
# Listed one by one: the directory itself would carry the .log and .trs
# files of an in-tree test run into the tarball.
EXTRA_DIST += tests/unit/check_tap.h tests/integration/golden
