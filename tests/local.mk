# tests/: the shared shell library of the integration suites.  Each part's
# local.mk adds its own unit tests and integration scripts to TESTS.
dist_check_SCRIPTS += tests/integration/lib.sh
# bench/docker-volumes in a short version (the script itself is in bench/,
# distributed whole).
TESTS += tests/integration/bench_docker.sh
dist_check_SCRIPTS += tests/integration/bench_docker.sh
# Every program's --help shows its defaults; the packaged units start the
# programs as they are built.
TESTS += tests/integration/help_defaults.sh tests/integration/packaging_units.sh
dist_check_SCRIPTS += tests/integration/help_defaults.sh \
	tests/integration/packaging_units.sh
# bench/vapi-scale in a short version (its client is built in bench/local.mk).
TESTS += tests/integration/bench_vapi.sh
dist_check_SCRIPTS += tests/integration/bench_vapi.sh
# Listed one by one: the directory itself would carry the .log and .trs
# files of an in-tree test run into the tarball.
EXTRA_DIST += tests/unit/check_tap.h tests/integration/golden \
	tests/integration/adm_update.sh \
	tests/integration/bench_docker.sh \
	tests/integration/bench_vapi.sh \
	tests/integration/cli_adm.sh \
	tests/integration/cli_auth.sh \
	tests/integration/cli_errors.sh \
	tests/integration/cli_lib.sh \
	tests/integration/cli_triton_volume.sh \
	tests/integration/docker_harness.sh \
	tests/integration/docker_lib.sh \
	tests/integration/fuse_bench.sh \
	tests/integration/fuse_check.sh \
	tests/integration/fuse_docker.sh \
	tests/integration/fuse_fsx.sh \
	tests/integration/fuse_ops.sh \
	tests/integration/fuse_quota.sh \
	tests/integration/fuse_restart.sh \
	tests/integration/fuse_stale.sh \
	tests/integration/help_defaults.sh \
	tests/integration/lib.sh \
	tests/integration/nfs_fixture.sh \
	tests/integration/packaging_units.sh \
	tests/integration/plugin_docker.sh \
	tests/integration/plugin_faults.sh \
	tests/integration/plugin_protocol.sh \
	tests/integration/quickstart.sh \
	tests/integration/slow_clients.py \
	tests/integration/storage_btrfs.sh \
	tests/integration/storage_ganesha.sh \
	tests/integration/storage_lib.sh \
	tests/integration/vapi_auth.sh \
	tests/integration/vapi_basic.sh \
	tests/integration/vapi_btrfs.sh \
	tests/integration/vapi_concurrency.sh \
	tests/integration/vapi_crash.sh \
	tests/integration/vapi_crash_btrfs.sh \
	tests/integration/vapi_errors.sh \
	tests/integration/vapi_fence.sh \
	tests/integration/vapi_ganesha.sh \
	tests/integration/vapi_hosts.sh \
	tests/integration/vapi_lib.sh \
	tests/integration/vapi_hostile_urls.sh \
	tests/integration/vapi_refs.sh \
	tests/integration/vapi_slow_clients.sh \
	tests/integration/vapi_snapshots.sh \
	tests/integration/vapi_spec.sh
# CephFS storage served by nfs-ganesha FSAL_CEPH heads, on a single-node
# Ceph the suites start themselves (ceph_lib.sh, docs/cephfs.md).
CEPH_INTEGRATION_TESTS = tests/integration/ceph_cluster.sh \
	tests/integration/storage_cephfs.sh tests/integration/vapi_cephfs.sh
TESTS += $(CEPH_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(CEPH_INTEGRATION_TESTS) tests/integration/ceph_lib.sh
