#!/usr/bin/env bash
# vapi_snapshots: the snapshot endpoints exist and answer with the exact
# errors; the dir backend cannot snapshot (NotSupported), and the
# per-volume limit is answered before storage is touched.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"

vapi_start
V=$(create snappy)
t_ok "ready" wait_state "$V" ready

expect_msg "dir backend: NotSupported" 409 NotSupported '^snapshots are not supported by the dir storage backend$' POST "/volumes/$V/snapshot" '{"name":"before-upgrade"}'
req GET "/volumes/$V/snapshots"
t_is "list: 200" "$STATUS" 200
t_is "list: none" "$BODY" "[]"
req GET "/volumes/$V/snapshots?owner_uuid=$OWNER"
t_is "list with owner: 200" "$STATUS" 200
expect_msg "get: SnapshotNotFound" 404 SnapshotNotFound 'Snapshot with name before-upgrade could not be found' GET "/volumes/$V/snapshots/before-upgrade"
expect "delete: SnapshotNotFound" 404 SnapshotNotFound DELETE "/volumes/$V/snapshots/before-upgrade"
expect "rollback: SnapshotNotFound" 404 SnapshotNotFound POST "/volumes/$V/rollbacktosnapshot" '{"name":"before-upgrade"}'
expect "other owner: VolumeNotFound" 404 VolumeNotFound GET "/volumes/$V/snapshots?owner_uuid=$OWNER2"
req GET "/volumes/$V"
t_is "volume shows 0 snapshots" "$(jbody .snapshots)" 0

# A limit of 0: refused before the backend is asked.
t_kill "$VPID"
vapi_run --snapshot-limit 0
expect_msg "limit reached" 409 SnapshotLimitExceeded 'the limit is 0' POST "/volumes/$V/snapshot" '{"name":"one"}'

# A volume that is not ready cannot be snapshotted.
req DELETE "/volumes/$V"
t_ok "gone" t_wait_for 30 gone "$V"
expect "snapshot of a deleted volume" 404 VolumeNotFound POST "/volumes/$V/snapshot" '{"name":"one"}'

t_done
