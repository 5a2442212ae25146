#!/usr/bin/env bash
# vapi_ganesha: the whole storage host: the Volume API on btrfs-image with
# nfs-ganesha exports on private ports.  A volume created over HTTP is
# served at the filesystem_path and ports it reports (written and read
# with a real NFSv3 client), and stops being served once deleted.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind nfs-cp nfs-cat nfs-ls findmnt

pool_setup
NETU=5e5e5e5e-0000-4000-8000-000000000001
ganesha_network_config "$NETU"

vapi_pool_run 2G
t_pass "ping: exporter healthy"
NET=$NETU

V=$(create served)
t_ok "ready" wait_state "$V" ready 90
req GET "/volumes/$V"
t_is "filesystem_path" "$(jbody .filesystem_path)" "127.0.0.1:/volumes/$V"
t_is "nfs_port" "$(jbody .nfs_port)" "$NP"
t_is "mount_port" "$(jbody .mount_port)" "$MP"

q="?version=3&nfsport=$NP&mountport=$MP"
head -c 3000000 /dev/urandom >"$P/data"
served() { timeout 60 nfs-ls "nfs://127.0.0.1/volumes/$V$q" >/dev/null 2>&1; }
t_ok "the export answers" t_wait_for 60 served
t_ok "write 3 MB over NFSv3" timeout 120 nfs-cp "$P/data" "nfs://127.0.0.1/volumes/$V/data$q"
timeout 120 nfs-cat "nfs://127.0.0.1/volumes/$V/data$q" >"$P/back" 2>/dev/null
t_ok "read back the same bytes" cmp "$P/data" "$P/back"
t_ok "the bytes are in the volume's storage" cmp "$P/data" "$P/state/exports/$V/data"

# kill -9 the NFS server: the supervisor restarts it; meanwhile its ready
# volumes are failed, and ready again once it serves.  A restart may be
# quicker than a poll of the volume, so the VAPI's log is the witness.
down_logged() { grep -q '"msg":"NFS server down' "$VDIR/vapi.log"; }
back_logged() { [ "$(grep -c '"msg":"NFS server serving' "$VDIR/vapi.log")" -ge 2 ]; }
gpid=$(cat "$P/state/exports/ganesha.pid")
kill -9 "$gpid"
t_ok "ganesha killed: the VAPI fails its volumes" t_wait_for 60 down_logged
t_ok "ganesha back: the VAPI makes them ready again" t_wait_for 120 back_logged
t_ok "the volume is ready" wait_state "$V" ready 60
req GET "/volumes/$V"
t_is "no error left on it" "$(jbody '.error // "none"')" none
t_ok "a new ganesha serves" t_wait_for 60 served
timeout 120 nfs-cat "nfs://127.0.0.1/volumes/$V/data$q" >"$P/back2" 2>/dev/null
t_ok "the data is intact after the restart" cmp "$P/data" "$P/back2"

req POST "/admin/volumes/$V/restart"
t_is "admin restart re-syncs: 200" "$STATUS" 200
t_ok "still served after the restart" served

req DELETE "/volumes/$V"
t_is "delete: 204" "$STATUS" 204
t_ok "gone" t_wait_for 60 gone "$V"
t_refused "no longer served" 60 'Mount failed with error MNT3ERR_(ACCES|NOENT)' nfs-ls "nfs://127.0.0.1/volumes/$V$q"

# Deleting unexported it: a volume created after it is served, not shadowed
# by a stale export of a filesystem that is gone.
grep -q "$V" "$P/state/exports/ganesha-exports.conf"
t_is "the deleted volume's export is gone from ganesha's exports" "$?" 1
V2=$(create served-again)
t_ok "a second volume: ready" wait_state "$V2" ready 90
served2() { timeout 60 nfs-ls "nfs://127.0.0.1/volumes/$V2$q" >/dev/null 2>&1; }
t_ok "a second volume created after the first's delete is served" t_wait_for 60 served2

kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_is "nothing of ours mounted" "$(awk -v d="$P" 'index($5, d "/") == 1' /proc/self/mountinfo | wc -l)" 0
t_done
