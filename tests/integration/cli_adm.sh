#!/bin/bash
# cli_adm.sh: tritonnfs-adm against a real tritonnfs-vapi: every owner's
# volumes listed with their holders, restart/update/rm by owner or volume
# leaving volumes in use alone (and naming the hosts using them), and the
# per-owner report, as text and as JSON.
. "$TNFS_SRCDIR/tests/integration/cli_lib.sh"
t_require_cmd script

cli_vapi_start --host-ttl 86400

run "$TV" create -n uploads -j -w
A=$(printf '%s\n' "$OUT" | jq -r .id)
remember "$A"
run "$TV" create -n cache -s 20G -j -w
B=$(printf '%s\n' "$OUT" | jq -r .id)
remember "$B"
run "$TV" --account "$OWNER2" create -n uploads -s 30G -j -w
C=$(printf '%s\n' "$OUT" | jq -r .id)
remember "$C"
remember "$(curl -s "$URL/volumes/$A" | jq -r .vm_uuid)" # the storage host
t_ok "three volumes of two owners" test -n "$A" -a -n "$B" -a -n "$C"
t_ok "host web-1 registers" t_host_up "$URL" "$HOST1" "$OWNER" web-1
curl -s -X POST -H 'Content-Type: application/json' "$URL/volumes/$A/addreference" \
	-d "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$HOST1\"}" >/dev/null

# ---- list ----
run "$ADM" shared-volumes list
t_is "list: exit 0" "$RC" 0
golden "list: every owner, with holders" cli_adm_list.txt "$(normalize "$OUT")"
run "$ADM" shared-volumes list --owner "$OWNER2" -H -o name,size
t_is "list --owner" "$OUT" "uploads  30G"
run "$ADM" shared-volumes list "$OWNER2" -H -o name
t_is "list OWNER (sdcadm's positional form)" "$OUT" "uploads"
run "$ADM" shared-volumes list -j
t_is "list -j: every volume, refs as JSON" \
	"$(printf '%s\n' "$OUT" | jq -s -c "map(select(.uuid == \"$A\") | .refs) | .[0]")" "[\"$HOST1\"]"
t_is "list -j: three objects" "$(printf '%s\n' "$OUT" | jq -s length)" 3

# ---- restart and update ----
run "$ADM" shared-volumes restart --owner "$OWNER"
t_is "restart with a volume in use: exit 1" "$RC" 1
golden "restart: the volume in use is left and its holder named" cli_adm_restart.txt "$(normalize "$OUT")"
run "$ADM" shared-volumes restart --volume "$B"
t_is "restart --volume: exit 0" "$RC" 0
t_is "restart --volume: message" "$OUT" "Restarted volume cache ($B) of $OWNER"
run "$ADM" shared-volumes restart --owner "$OWNER2" --volume "$A"
t_is "restart: owner and volume that do not match: exit 1" "$RC" 1
t_like "restart: owner and volume that do not match: not found" "$ERR" "$A could not be found for owner $OWNER2"
run "$ADM" shared-volumes update --all
t_is "update --all with a volume in use: exit 1" "$RC" 1
t_like "update --all: the others are updated" "$OUT" "Updated volume uploads \($C\) of $OWNER2"
t_like "update --all: the volume in use is named" "$OUT" "Volume uploads \($A\) of $OWNER is in use, not updating it"

# ---- report ----
run "$ADM" report --owner "$OWNER"
t_is "report: exit 0" "$RC" 0
golden "report of one owner" cli_adm_report.txt "$(normalize "$OUT")"
run "$ADM" report -j
t_is "report -j: volumes, their references and the total" \
	"$(printf '%s\n' "$OUT" | jq -c '[(.volumes | length), .size_total, ([.volumes[].refs // [] | length] | add)]')" \
	'[3,61440,1]'

# ---- rm ----
out=$(on_tty 'n
' "$ADM" shared-volumes rm --owner "$OWNER")
t_like "rm prompts on a terminal" "$out" 'Delete 2 volumes\? \[y/N\] '
t_like "rm: no means Aborting" "$out" 'Aborting'
run "$ADM" shared-volumes rm -y --owner "$OWNER"
t_is "rm with a volume in use: exit 1" "$RC" 1
golden "rm: the volume in use is left, the other deleted" cli_adm_rm.txt "$(normalize "$OUT")"
gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/volumes/$1")" = 404 ]; }
t_ok "rm: the unused volume goes away" t_wait_for 30 gone "$B"
run "$ADM" shared-volumes list -H -o owner,name -s owner
t_is "rm: the volume in use and the other owner's remain" "$OUT" \
	"$(printf '%s  uploads\n%s  uploads' "$OWNER" "$OWNER2")"

# ---- a holder whose lease ran out no longer pins the volume ----
cli_vapi_start --ref-lease 1 --host-ttl 86400
run "$TV" create -n leased -j -w
L=$(printf '%s\n' "$OUT" | jq -r .id)
t_ok "host web-1 registers again" t_host_up "$URL" "$HOST1" "$OWNER" web-1
curl -s -X POST -H 'Content-Type: application/json' "$URL/volumes/$L/addreference" \
	-d "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$HOST1\"}" >/dev/null
lease_over() { curl -s "$URL/admin/volumes" | jq -e '.[0].refs_detail | map(select(.live)) | length == 0'; }
t_ok "the lease runs out" t_wait_for 30 lease_over
run "$ADM" shared-volumes restart --volume "$L"
t_is "restart of a volume whose holder's lease ran out: exit 0" "$RC" 0
t_like "restart of a volume whose holder's lease ran out: restarted" "$OUT" "^Restarted volume leased"

t_done
