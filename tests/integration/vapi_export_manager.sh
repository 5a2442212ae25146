#!/usr/bin/env bash
# vapi_export_manager: exports change through ganesha's export manager on
# the VAPI's private D-Bus, not by re-reading the whole file: a create is
# an AddExport, a delete a RemoveExport, a rollback a RemoveExport then an
# AddExport, and ganesha re-reads nothing.  When the bus is gone or
# ganesha restarted, a sync re-reads the whole file, and the next one is
# incremental again.  Each step is checked through a real NFSv3 client.
# The VAPI's own side is incremental too: a create's sync reads that one
# volume from the store, not every exported one.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind dbus-daemon nfs-ls nfs-cp nfs-cat

pool_setup
NETU=5e5e5e5e-0000-4000-8000-0000000000db
ganesha_network_config "$NETU"
vapi_pool_run 2G --log-level debug
NET=$NETU
EXP=$P/state/exports
q="?version=3&nfsport=$NP&mountport=$MP"

rereads() { grep -c 'Reread exports complete' "$EXP/ganesha.log" || true; }
bus_log() { grep -c "$1 by ganesha's export manager" "$VDIR/vapi.log" || true; }
# bus_since LINE PATTERN: as bus_log, in the VAPI's log past line LINE.
bus_since() { tail -n +"$(($1 + 1))" "$VDIR/vapi.log" | grep -c "$2 by ganesha's export manager" || true; }
log_lines() { wc -l <"$VDIR/vapi.log"; }
served() { timeout 60 nfs-ls "nfs://127.0.0.1/volumes/$1$q" >/dev/null 2>&1; }
gone() { ! served "$1"; }

t_ok "ganesha's bus is ours, in the state directory" test -S "$EXP/ganesha-bus"
t_is "the bus socket is root's alone" "$(stat -c %a "$EXP")" 700
BUSPID=$(pgrep -f -- "--config-file $EXP/ganesha-bus.conf")
t_like "our dbus-daemon runs" "$BUSPID" '^[0-9]+$'

R0=$(rereads)
V1=$(create em-one)
V2=$(create em-two)
t_ok "two volumes ready" wait_state "$V1" ready 90
t_ok "the second ready" wait_state "$V2" ready 90
t_ok "the first is served" t_wait_for 60 served "$V1"
t_ok "the second is served" t_wait_for 60 served "$V2"
t_ok "they were added by AddExport" test "$(bus_log '[1-9][0-9]* added, 0 updated, 0 removed')" -ge 1
t_is "ganesha re-read nothing for them" "$(rereads)" "$R0"
t_ok "the start read every exported volume once" grep -q 'exports: read all 0 exported volumes (first sync' "$VDIR/vapi.log"
# (or every one, when the periodic read fell due on a slow machine)
t_ok "the creates' syncs read only the volumes created" grep -Eq 'exports: read [12] changed volumes, [12] exported|\(periodic\)' "$VDIR/vapi.log"

head -c 200000 /dev/urandom >"$P/data"
t_ok "write through the export" timeout 60 nfs-cp "$P/data" "nfs://127.0.0.1/volumes/$V1/data$q"

# A rollback unexports the volume, swaps the filesystem under the path and
# exports it again: a RemoveExport, then an AddExport.
req POST "/volumes/$V1/snapshot" '{"name":"s1"}'
t_is "snapshot: 201" "$STATUS" 201
t_ok "a write after the snapshot" timeout 60 nfs-cp "$P/data" "nfs://127.0.0.1/volumes/$V1/later$q"
L=$(log_lines)
req POST "/volumes/$V1/rollbacktosnapshot" '{"name":"s1"}'
t_is "rollback: 200" "$STATUS" 200
t_ok "served at once after the rollback" served "$V1"
t_ok "fresh mounts see the rolled-back filesystem" sh -c "! timeout 60 nfs-ls 'nfs://127.0.0.1/volumes/$V1$q' | grep -q later"
t_is "the rollback's unexport went through the export manager" "$(bus_since "$L" '0 added, 0 updated, 1 removed')" 1
t_is "and so did its export again" "$(bus_since "$L" '1 added, 0 updated, 0 removed')" 1
t_is "still no re-read" "$(rereads)" "$R0"

L=$(log_lines)
req DELETE "/volumes/$V2"
t_is "delete: 204" "$STATUS" 204
t_ok "deleted" t_wait_for 60 gone "$V2"
t_is "removed by RemoveExport" "$(bus_since "$L" '0 added, 0 updated, 1 removed')" 1
t_is "no re-read for a delete" "$(rereads)" "$R0"
t_ok "the delete's sync read that volume only" sh -c "tail -n +$((L + 1)) '$VDIR/vapi.log' | grep -Eq 'exports: read 1 changed volumes, 1 exported|\(periodic\)'"

# The bus gone: syncs re-read the whole file (or a ganesha that went with
# its bus reads it at its restart, on a new bus), and exports still change.
kill -9 "$BUSPID"
V3=$(create em-three)
t_ok "without the bus: ready" wait_state "$V3" ready 90
t_ok "without the bus: served" t_wait_for 60 served "$V3"
t_ok "the VAPI says it re-read the whole file" grep -q 're-reading the whole file' "$VDIR/vapi.log"
t_ok "the first is still served" served "$V1"

kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_ok "its dbus-daemon is gone with it" sh -c "! pgrep -f -- '[-]-config-file $EXP/ganesha-bus.conf' >/dev/null"
t_done
