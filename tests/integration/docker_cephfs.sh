#!/bin/bash
# docker_cephfs.sh: the Docker end-to-end suite (plugin_docker.sh: create,
# run, a second container, :ro, rm refused while another host uses the
# volume, rollback under a holder, a clone with --opt from=) once more, on
# CephFS storage served by two nfs-ganesha FSAL_CEPH heads, against a real
# single-node Ceph started by the suite (ceph_lib.sh); and affinity
# (--opt affinity=) choosing between the heads.
export TNFS_E2E_STORAGE=cephfs
exec "$BASH" "$TNFS_SRCDIR/tests/integration/plugin_docker.sh" "$@"
