#!/usr/bin/env bash
# vapi_crash_btrfs: kill -9 the Volume API in the middle of creates and
# deletes on real storage (btrfs-image) with real exports (nfs-ganesha).
# After a restart every volume ends ready or failed (or gone), and storage,
# exports and records agree: no subvolume without a record, no record of a
# ready volume without its subvolume, no export of a volume that is not
# served, and nothing set aside as an orphan.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind nfs-ls findmnt xargs

pool_setup
NET=5e5e5e5e-0000-4000-8000-000000000002
ganesha_network_config "$NET"
start_vapi() { vapi_pool_run 3G --workers 4; }
start_vapi

for i in $(seq 1 6); do
	create "old-$i" >>"$VDIR/old"
done
six_ready() { [ "$(curl -s "$URL/volumes?state=ready" | jq length)" = 6 ]; }
t_ok "6 volumes ready before the crash" t_wait_for 180 six_ready

vapi_kill_mid_storm 24 6 3 8 "creates and deletes under way"

# The ganesha of the killed VAPI may still run; the new VAPI replaces it.
start_vapi
settled() { [ "$(curl -s "$URL/admin/volumes" | jq '[.[] | select(.state=="creating" or .state=="deleting")] | length')" = 0 ]; }
t_ok "everything settles after the restart" t_wait_for 300 settled
req GET /admin/volumes
t_is "only ready or failed remain" "$(jbody '[.[].state] | unique - ["ready","failed"] | length')" 0
have=$(jbody '.[].uuid' | sort)
t_is "every acknowledged create survived" "$(comm -23 <(printf '%s\n' "$acked") <(printf '%s\n' "$have"))" ""
ready=$(jbody '[.[] | select(.state=="ready") | .uuid] | sort | .[]')
t_is "no volume failed" "$(jbody '[.[] | select(.state=="failed")] | length')" 0
subvols=$(ls "$P/state/pool/volumes" 2>/dev/null | sort)
t_is "a subvolume for every ready volume and no other" "$subvols" "$ready"
exported=$(grep -o 'Pseudo = "/volumes/[0-9a-f-]*"' "$P/state/exports/ganesha-exports.conf" |
	sed 's|.*/volumes/||; s|"||' | sort)
t_is "an export for every ready volume and no other" "$exported" "$ready"
t_is "nothing set aside as an orphan" "$(ls "$P/state/pool/orphans" 2>/dev/null | wc -l)" 0
first=$(printf '%s\n' "$ready" | head -1)
if [ -n "$first" ]; then
	t_ok "a ready volume is served after the crash" t_wait_for 60 \
		timeout 30 nfs-ls "nfs://127.0.0.1/volumes/$first?version=3&nfsport=$NP&mountport=$MP"
fi
t_is "integrity_check" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA integrity_check')" ok

kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_done
