#!/bin/bash
# cli_triton_volume.sh: every triton-volume subcommand against a real
# tritonnfs-vapi: golden tables (fixed clock), JSON parsed with jq,
# resolution by uuid, name and short id, prompts on a terminal, and the
# VAPI's errors passed on with exit status 1.
. "$TNFS_SRCDIR/tests/integration/cli_lib.sh"
t_require_cmd script

cli_vapi_start --host-ttl 86400

# ---- sizes and networks ----
run "$TV" sizes
t_is "sizes exits 0" "$RC" 0
golden "sizes table, SIZE right-aligned" cli_sizes.txt "$OUT"
run "$TV" sizes -H -s -size
t_is "sizes -H -s -size: largest first, no header" "$(printf '%s\n' "$OUT" | head -1)" "tritonnfs  1000G"
run "$TV" sizes -j
t_is "sizes -j: one JSON object per line, MiB" \
	"$(printf '%s\n' "$OUT" | jq -s -c '[.[0].size, .[0].type, length]')" '[10240,"tritonnfs",19]'
run "$TV" networks
golden "networks table" cli_networks.txt "$(normalize "$OUT")"

# ---- create ----
run "$TV" create -n wp-uploads -s 15G -w
t_is "create -w exits 0" "$RC" 0
WP=$(printf '%s\n' "$OUT" | sed -n 's/^Creating volume wp-uploads (\(.*\))$/\1/p')
remember "$WP"
golden "create -w messages" cli_create_wait.txt "$(normalize "$OUT")"
t_like "a size between sizes is rounded up, with a notice" "$ERR" \
	'^triton-volume create: size 15G is not available, using 20G'

run "$TV" create -n db -j -w
t_is "create -j -w exits 0" "$RC" 0
DB=$(printf '%s\n' "$OUT" | jq -r .id)
remember "$DB"
t_is "create -j -w prints the ready volume in CloudAPI form" \
	"$(printf '%s\n' "$OUT" | jq -c '[.name, .state, .size, .type, has("vm_uuid"), has("uuid"), .tags]')" \
	'["db","ready",10240,"tritonnfs",false,false,{}]'

run "$TV" create --name logs --size 100g --tag env=prod --tag team=ops \
	-a 'instance!=web*' -N default -j -w
t_is "create with tags, affinity, -N by name" "$RC" 0
LOGS=$(printf '%s\n' "$OUT" | jq -r .id)
remember "$LOGS"
t_is "tags and size (100g = 102400 MiB)" \
	"$(printf '%s\n' "$OUT" | jq -c '[.tags.env, .tags.team, .size]')" '["prod","ops",102400]'

run "$TV" create -n db
t_is "duplicate name: exit 1" "$RC" 1
t_like "duplicate name: the VAPI's error" "$ERR" \
	'^triton-volume create: error: .*db.* \(VolumeAlreadyExists\)$'
run "$TV" create -n big -s 2T
t_is "size above every available size: exit 1" "$RC" 1
t_like "size above every available size: node-triton's hint" "$ERR" \
	'volume size not available, use "triton-volume sizes"'
run "$TV" create -n nonet -N no-such-network
t_is "unknown network: exit 1" "$RC" 1
t_like "unknown network: named" "$ERR" 'no-such-network.*NetworkNotFound'
run "$TV" create -n cl --from 'db@'
t_is "--from without a snapshot: usage, exit 2" "$RC" 2
t_like "--from without a snapshot: the cause" "$ERR" 'from: clone source: snapshot name is empty'
run "$TV" create -n cl --from 'db@s;reboot'
t_is "--from with a hostile snapshot name: exit 2" "$RC" 2
run "$TV" create -n cl --from db@nope
t_is "--from an unknown snapshot: exit 1" "$RC" 1
t_like "--from an unknown snapshot: the VAPI's error" "$ERR" 'source volume db has no snapshot nope.*SnapshotNotFound'
run "$TV" get cl
t_is "--from refused: no volume made" "$RC" 1

# ---- list ----
export TRITONNFS_NOW
TRITONNFS_NOW=$(three_hours_later)
run "$TV" list
golden "list: default columns, sorted by created" cli_list.txt "$(normalize "$OUT")"
run "$TV" ls -l
golden "ls -l: long columns" cli_list_long.txt "$(normalize "$OUT")"
run "$TV" list -H -o name,size -s -size
golden "list -H -o name,size -s -size" cli_list_custom.txt "$OUT"
run "$TV" list -j
t_is "list -j: one object per volume" "$(printf '%s\n' "$OUT" | jq -s -c 'map(.name) | sort')" \
	'["db","logs","wp-uploads"]'
run "$TV" list -H -o name name=db
t_is "list name=db" "$OUT" "db"
run "$TV" list -H -o name -s name 'name=*s'
t_is "list with a name wildcard" "$OUT" "$(printf 'logs\nwp-uploads')"
run "$TV" list -H -o name size=20G state=ready
t_is "list size=20G state=ready" "$OUT" "wp-uploads"
run "$TV" list -H state=failed
t_is "list state=failed: none" "$OUT" ""
unset TRITONNFS_NOW

# ---- get and resolution ----
run "$TV" get wp-uploads
golden "get: 4-space JSON" cli_get.txt "$(normalize "$OUT")"
run "$TV" get -j "${WP:0:8}"
t_is "get by short id" "$(printf '%s\n' "$OUT" | jq -r .id)" "$WP"
run "$TV" get "$WP" -j
t_is "get by uuid (option after the argument)" "$(printf '%s\n' "$OUT" | jq -r .name)" "wp-uploads"
run "$TV" get no-such-volume
t_is "get unknown: exit 1" "$RC" 1
t_is "get unknown: message" "$ERR" \
	'triton-volume get: error: no volume with name or short id "no-such-volume" (VolumeNotFound)'
run "$TV" get 99999999-9999-4999-8999-999999999999
t_is "get unknown uuid: exit 1" "$RC" 1
for u in abcd0000-0000-4000-8000-000000000001 abcd0000-0000-4000-8000-000000000002; do
	curl -s -X POST -H 'Content-Type: application/json' "$URL/volumes" \
		-d "{\"uuid\":\"$u\",\"owner_uuid\":\"$OWNER\",\"type\":\"tritonnfs\",\"name\":\"amb-${u: -1}\",\"networks\":[\"$NET\"]}" >/dev/null
done
run "$TV" get abcd0000
t_is "ambiguous short id: exit 1" "$RC" 1
t_like "ambiguous short id: both named" "$ERR" 'ambiguous: amb-1 .*, amb-2 '
run "$TV" get -j amb-2
t_is "a name resolves where the short id is ambiguous" "$(printf '%s\n' "$OUT" | jq -r .id)" \
	abcd0000-0000-4000-8000-000000000002

# ---- rename and resize ----
run "$TV" rename db database
t_is "rename: exit 0" "$RC" 0
t_is "rename: message" "$OUT" "Renamed volume db ($DB) to database"
run "$TV" get -j database
t_is "renamed volume found by its new name" "$(printf '%s\n' "$OUT" | jq -r .id)" "$DB"
run "$TV" rename database logs
t_is "rename onto an existing name: exit 1" "$RC" 1
t_like "rename onto an existing name: VolumeAlreadyExists" "$ERR" 'VolumeAlreadyExists'
run "$TV" resize wp-uploads 25G
t_is "resize: exit 0" "$RC" 0
t_is "resize: message" "$OUT" "Resized volume wp-uploads ($WP) from 20G to 30G"
run "$TV" get -j wp-uploads
t_is "resize: new size" "$(printf '%s\n' "$OUT" | jq .size)" 30720
run "$TV" resize wp-uploads 10G
t_is "shrinking is refused: exit 1" "$RC" 1
t_like "shrinking is refused: message" "$ERR" 'grow but never shrink'
run "$TV" resize wp-uploads 30G
t_is "resize to the same size: nothing to do" "$OUT" "Volume wp-uploads ($WP) is already 30G"

# ---- snapshots (the dir backend has none: the VAPI's error comes through) ----
run "$TV" snapshot create wp-uploads before-upgrade
if [ "$RC" = 0 ]; then
	run "$TV" snapshot list -H -o name wp-uploads
	t_is "snapshot list" "$OUT" "before-upgrade"
else
	t_like "snapshot create on dir storage: NotSupported" "$ERR" \
		'^triton-volume snapshot create: error: .*\(NotSupported\)$'
fi
run "$TV" snapshot list wp-uploads
t_is "snapshot list: exit 0" "$RC" 0
run "$TV" snapshot rollback wp-uploads nope </dev/null
t_is "rollback on a non-terminal without -y: usage error" "$RC" 2
run "$TV" snapshot rollback -y wp-uploads nope
t_is "rollback of an unknown snapshot: exit 1" "$RC" 1
t_like "rollback of an unknown snapshot: SnapshotNotFound" "$ERR" 'SnapshotNotFound'
out=$(on_tty 'n
' "$TV" snapshot rollback wp-uploads nope)
t_like "rollback prompts on a terminal" "$out" \
	'Roll back volume wp-uploads to snapshot nope\? .*\[y/N\] '
t_like "rollback: no means Aborting" "$out" 'Aborting'

# ---- delete ----
out=$(on_tty 'n
' "$TV" delete wp-uploads)
t_like "delete prompts on a terminal" "$out" 'Delete volume wp-uploads\? \[y/N\] '
t_like "delete: no means Aborting" "$out" 'Aborting'
run "$TV" get -j wp-uploads
t_is "after Aborting the volume is still there" "$RC" 0
run "$TV" rm wp-uploads </dev/null
t_is "delete on a non-terminal without -y: exit 2" "$RC" 2

t_ok "host web-1 registers" t_host_up "$URL" "$HOST1" "$OWNER" web-1
curl -s -X POST -H 'Content-Type: application/json' "$URL/volumes/$WP/addreference" \
	-d "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$HOST1\"}" >/dev/null
run "$TV" rm -f wp-uploads
t_is "delete of a volume in use: exit 1" "$RC" 1
t_like "delete of a volume in use: the VAPI's message and code" "$ERR" \
	"^triton-volume delete: error: cannot delete volume wp-uploads \($WP\): volume wp-uploads is in use on host web-1 \(uuid $HOST1\) \(VolumeInUse\)$"
run "$TV" rename wp-uploads wp-other
t_like "rename of a volume in use names the host" "$ERR" "in use on host web-1 \(uuid $HOST1\)"
run "$TV" access grant wp-uploads 192.0.2.7
t_is "access grant: exit 0" "$RC" 0
t_like "access grant: says so" "$OUT" "^Granted 192.0.2.7 access to volume wp-uploads"
run "$TV" access list wp-uploads
t_is "access list" "$OUT" "192.0.2.7"
run "$TV" access grant wp-uploads 192.0.2.7/0
t_is "access grant of a subnet: exit 1" "$RC" 1
t_like "access grant of a subnet: the VAPI's cause" "$ERR" "not an IPv4 address of a host"
run "$TV" access revoke wp-uploads 192.0.2.7
t_is "access revoke: exit 0" "$RC" 0
run "$TV" access list -j wp-uploads
t_is "access list after revoke" "$OUT" "[]"
curl -s -X POST -H 'Content-Type: application/json' "$URL/volumes/$WP/removereference" \
	-d "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$HOST1\"}" >/dev/null

run "$TV" delete -y -w database "${LOGS:0:8}"
t_is "delete -y -w two volumes: exit 0" "$RC" 0
golden "delete -w messages" cli_delete_wait.txt "$(normalize "$OUT")"
run "$TV" get database
t_is "deleted volume is gone" "$RC" 1
on_tty 'y
' "$TV" rm -w wp-uploads >/dev/null
run "$TV" list -H -o name -s name
t_is "yes on the terminal deletes" "$OUT" "$(printf 'amb-1\namb-2')"

# -w on a terminal: the progress line is erased, the result stays.
out=$(on_tty '' "$TV" create -n on-a-tty -w)
t_like "create -w on a terminal" "$out" 'Created volume on-a-tty \('
erased() { [[ $1 != *waiting* || $1 == *$'\r\033[K'* ]]; }
t_ok "the progress line is erased from the terminal" erased "$out"

t_done
