#!/usr/bin/env bash
# ceph_cluster: the harness of the cephfs suites.  A single-node Ceph comes
# up under a private directory on loopback ports, serves the subvolume
# operations the cephfs storage backend relies on, and leaves no process,
# port or file behind once stopped.
. "$TNFS_SRCDIR/tests/integration/ceph_lib.sh"
ceph_require

t0=$(date +%s)
ceph_up
t_pass "cluster up: an active MDS and every PG active+clean"
t_diag "measured: up in $(($(date +%s) - t0)) s; RSS mon $(ceph_rss_mib mon) MiB, mgr $(ceph_rss_mib mgr), osd $(ceph_rss_mib osd), mds $(ceph_rss_mib mds)"
t_like "monitor on loopback only" "$(ceph mon dump 2>/dev/null)" '127\.0\.0\.1:'

c() { timeout 60 ceph "$@"; }
t_ok "subvolume group create" c fs subvolumegroup create cephfs probe
t_ok "subvolume create with a quota" c fs subvolume create cephfs sv --group_name probe --size 104857600 --namespace-isolated
t_like "info: the quota" "$(c fs subvolume info cephfs sv --group_name probe)" '"bytes_quota": 104857600'
t_ok "resize grows the quota" c fs subvolume resize cephfs sv 209715200 --group_name probe --no_shrink
t_like "info: the new quota" "$(c fs subvolume info cephfs sv --group_name probe)" '"bytes_quota": 209715200'
t_ok "snapshot create" c fs subvolume snapshot create cephfs sv s1 --group_name probe
t_like "snapshot listed" "$(c fs subvolume snapshot ls cephfs sv --group_name probe)" '"s1"'
t_ok "authorize a cephx user for the subvolume" \
	c fs subvolume authorize cephfs sv probe-user --group_name probe --access_level=rw
t_like "it has a key" "$(c auth get-key client.probe-user)" '^AQ'
t_like "the user's caps name the subvolume's path only" \
	"$(c auth get client.probe-user 2>/dev/null)" "mds = \"allow rw path=/volumes/probe/sv/[^\"]*\""
t_like "and the subvolume's own RADOS namespace only" \
	"$(c auth get client.probe-user 2>/dev/null)" "osd = \"allow rw pool=[^ ]* namespace=fsvolumens_sv\""
t_ok "deauthorize" c fs subvolume deauthorize cephfs sv probe-user --group_name probe
t_ok "snapshot rm" c fs subvolume snapshot rm cephfs sv s1 --group_name probe
t_ok "subvolume rm" c fs subvolume rm cephfs sv --group_name probe

# Stop the cluster the way the EXIT trap does, then look for leftovers.
pids="$T_PID_mds $T_PID_osd $T_PID_mgr $T_PID_mon"
for p in $pids; do t_kill "$p"; done
left=0
for p in $pids; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
t_is "every daemon stopped by its PID" "$left" 0
# Daemons and clients find the cluster through CEPH_CONF in their
# environment: no process may still carry ours.
users() {
	local e n=0
	for e in /proc/[0-9]*/environ; do
		[ "$e" = "/proc/$$/environ" ] && continue
		{ tr '\0' '\n' <"$e"; } 2>/dev/null | grep -qx "CEPH_CONF=$CEPH_CONF" && n=$((n + 1))
	done
	echo "$n"
}
t_is "no process still uses the cluster's configuration" "$(users)" 0
t_done
