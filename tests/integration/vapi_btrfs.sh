#!/usr/bin/env bash
# vapi_btrfs: the Volume API on the btrfs-image storage backend, where
# snapshots and growth are real: create a volume, write, snapshot, change,
# roll back (later snapshots go), the per-volume limit, a grow finished
# at the next start after a crash cut it short, delete; nothing left
# mounted or attached.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup mount umount findmnt

pool_setup

VDIR=$(t_tmpdir)
VPORT=$(t_free_port)
vapi_btrfs_run --snapshot-limit 2

# qlimit UUID: the byte limit of the volume's qgroup.
qlimit() {
	local id
	id=$(btrfs subvolume show "$P/state/pool/volumes/$1" | awk '$1 == "Subvolume" && $2 == "ID:" { print $3 }')
	btrfs qgroup show --raw -re "$P/state/pool" | awk -v q="0/$id" '$1 == q { print $4 }'
}

V=$(create snapvol)
t_ok "ready on btrfs" wait_state "$V" ready 60
mp=$P/state/exports/$V
t_ok "the volume is mounted at its export path" findmnt -n --mountpoint "$mp"
req GET "/volumes/$V"
t_like "usage known" "$(jbody .usage.available)" '^[0-9]+$'

echo one >"$mp/file"
req POST "/volumes/$V/snapshot" '{"name":"s1"}'
t_is "snapshot: 201" "$STATUS" 201
t_is "snapshot: name" "$(jbody .name)" s1
t_is "snapshot: state" "$(jbody .state)" created
t_like "snapshot: timestamp" "$(jbody .create_timestamp)" 'Z$'
echo two >"$mp/file"
req POST "/volumes/$V/snapshot" '{"name":"s2"}'
t_is "second snapshot: 201" "$STATUS" 201
expect "same name again" 409 SnapshotAlreadyExists POST "/volumes/$V/snapshot" '{"name":"s2"}'
expect_msg "limit of 2" 409 SnapshotLimitExceeded 'the limit is 2' POST "/volumes/$V/snapshot" '{"name":"s3"}'
req GET "/volumes/$V/snapshots"
t_is "list: both, oldest first" "$(jbody 'map(.name)|join(",")')" "s1,s2"
req GET "/volumes/$V/snapshots/s1"
t_is "get: 200" "$STATUS" 200
req GET "/volumes/$V"
t_is "volume counts 2 snapshots" "$(jbody .snapshots)" 2

echo three >"$mp/file"
req POST "/volumes/$V/rollbacktosnapshot" '{"name":"s1"}'
t_is "rollback: 200" "$STATUS" 200
t_is "rollback: volume ready" "$(jbody .state)" ready
t_is "content is the snapshot's" "$(cat "$mp/file")" one
req GET "/volumes/$V/snapshots"
t_is "later snapshots are gone" "$(jbody 'map(.name)|join(",")')" "s1"
req DELETE "/volumes/$V/snapshots/s1"
t_is "delete snapshot: 204" "$STATUS" 204
req GET "/volumes/$V/snapshots"
t_is "none left" "$BODY" "[]"

req POST "/volumes/$V" '{"size":20480}'
t_is "grow on btrfs: 200" "$STATUS" 200
t_is "grown" "$(jbody .size)" 20480
t_is "grown: the limit too" "$(qlimit "$V")" $((20480 * 1048576))

req DELETE "/volumes/$V"
t_ok "deleted" t_wait_for 60 gone "$V"
t_fails "its mount is gone" findmnt -n --mountpoint "$mp"

# A grow cut short by a crash is finished at the next start: G1's VAPI
# died after its storage grew and before its record did, G2's before its
# storage grew; a key of a volume gone and one of no size are dropped.
G1=$(create grow1)
G2=$(create grow2)
t_ok "two volumes to grow ready" wait_state "$G2" ready 60
t_ok "... and the first" wait_state "$G1" ready 60
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null || :
btrfs qgroup limit $((30720 * 1048576)) "$P/state/pool/volumes/$G1"
store_sql "INSERT INTO meta (key, value) VALUES
	('grow:$G1', '30720'), ('grow:$G2', '40960'),
	('grow:00000000-0000-4000-8000-00000000dead', '20480'),
	('grow:00000000-0000-4000-8000-0000000bad00', '12x')"
vapi_btrfs_run --snapshot-limit 2
req GET "/volumes/$G1"
t_is "grown after the storage: the record" "$(jbody .size)" 30720
t_is "grown after the storage: the limit" "$(qlimit "$G1")" $((30720 * 1048576))
req GET "/volumes/$G2"
t_is "grown before the storage: the record" "$(jbody .size)" 40960
t_is "grown before the storage: the limit" "$(qlimit "$G2")" $((40960 * 1048576))
t_is "every grow key is gone" "$(store_sql "SELECT count(*) FROM meta WHERE key LIKE 'grow:%'")" 0
t_like "the bad one is said" "$(cat "$VDIR/vapi.log")" '0000000bad00 to \\"12x\\" is no size'

vapi_term_clean
t_done
