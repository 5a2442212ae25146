#!/usr/bin/env bash
# vapi_refs: references hold a volume against delete and rename while
# their holder is a live host (a fresh heartbeat) and their lease runs;
# a reference of a holder that never registered is ignored and reaped;
# reservations turn into references.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"

vapi_start --host-ttl 86400

V=$(create shared)
t_ok "ready" wait_state "$V" ready
ref_body() { printf '{"owner_uuid":"%s","vm_uuid":"%s"}' "$OWNER" "$1"; }

req GET "/volumes/$V/references"
t_is "no references: []" "$BODY" "[]"

# A holder the VAPI does not know holds nothing (Triton ignores references
# to VMs that VMAPI does not know): delete and rename go through.
U=$(create unknownref)
t_ok "unknownref ready" wait_state "$U" ready
req POST "/volumes/$U/addreference" "$(ref_body "$NOSUCH")"
t_is "addreference of an unknown holder: 204" "$STATUS" 204
req GET "/volumes/$U/references"
t_is "an unknown holder's reference is not listed" "$BODY" "[]"
req POST "/volumes/$U" '{"name":"unknownref2"}'
t_is "rename despite an unknown holder: 200" "$STATUS" 200
req DELETE "/volumes/$U"
t_is "delete despite an unknown holder: 204" "$STATUS" 204
t_ok "the delete finishes" t_wait_for 30 gone "$U"

t_ok "host VM1 registers" t_host_up "$URL" "$VM1" "$OWNER" web-1
t_ok "host VM2 registers" t_host_up "$URL" "$VM2" "$OWNER" web-2
req POST "/volumes/$V/addreference" "$(ref_body "$VM1")"
t_is "addreference: 204" "$STATUS" 204
t_is "addreference: empty body" "$BODY" ""
req POST "/volumes/$V/addreference" "$(ref_body "$VM1")"
t_is "addreference again (renew): 204" "$STATUS" 204
req POST "/volumes/$V/addreference" "$(ref_body "$VM2")"
req GET "/volumes/$V/references"
t_is "references: both hosts" "$(jbody 'sort|join(",")')" "$VM1,$VM2"
req GET "/volumes/$V"
t_is "volume refs field" "$(jbody '.refs|sort|join(",")')" "$VM1,$VM2"
req GET "/volumes?refs=$VM1"
t_is "list by refs" "$(jbody '.[0].uuid')" "$V"
req GET /volumes "" --get --data-urlencode 'predicate={"eq":["dangling",false]}'
t_is "not dangling" "$(jbody length)" 1

expect_msg "delete while referenced" 409 VolumeInUse "^Volume with name shared is used by vms: ($VM1, $VM2|$VM2, $VM1)$" DELETE "/volumes/$V"
expect_msg "rename while referenced" 409 VolumeInUse "is used by vms" POST "/volumes/$V" '{"name":"other"}'

req POST "/volumes/$V/removereference" "$(ref_body "$VM1")"
t_is "removereference: 204" "$STATUS" 204
req POST "/volumes/$V/removereference" "$(ref_body "$VM1")"
t_is "removereference twice: 204" "$STATUS" 204
req GET "/volumes/$V/references"
t_is "one reference left" "$BODY" "[\"$VM2\"]"

# The lease: a reference nobody renews stops holding the volume, even
# while its holder is alive.  A restart with a short lease makes expiry
# observable (polled, not slept).
t_kill "$VPID"
vapi_run --ref-lease 2 --host-ttl 86400
refs_empty() { [ "$(curl -s "$URL/volumes/$V/references")" = "[]" ]; }
t_ok "an unrenewed reference expires" t_wait_for 30 refs_empty
req GET "/volumes/$V"
t_is "expired: refs property gone" "$(jbody 'has("refs")')" false
req POST "/volumes/$V" '{"name":"renamed"}'
t_is "rename once the lease ran out: 200" "$STATUS" 200
t_is "renamed" "$(jbody .name)" renamed

# force=true deletes a referenced volume.
req POST "/volumes/$V/addreference" "$(ref_body "$VM1")"
req DELETE "/volumes/$V?force=true"
t_is "forced delete: 204" "$STATUS" 204
t_ok "forced delete finishes" t_wait_for 30 gone "$V"

# Reservations, with the default lease again.
t_kill "$VPID"
vapi_run --host-ttl 86400
resv() { printf '{"volume_name":"%s","job_uuid":"%s","owner_uuid":"%s","vm_uuid":"%s"}' "$1" "$NOSUCH" "$OWNER" "$2"; }
req POST /volumereservations "$(resv planned "$VM1")"
t_is "reservation: 201" "$STATUS" 201
R1=$(jbody .uuid)
t_is "reservation: volume_name" "$(jbody .volume_name)" planned
t_is "reservation: vm" "$(jbody .vm_uuid)" "$VM1"
t_like "reservation: timestamp" "$(jbody .create_timestamp)" 'Z$'
req POST /volumereservations "$(resv planned "$VM1")"
t_is "same reservation again: 201" "$STATUS" 201
R2=$(jbody .uuid)
req GET /volumereservations
t_is "it replaced the first" "$(jbody 'map(.uuid)|join(",")')" "$R2"
req GET "/volumereservations?owner_uuid=$OWNER&volume_name=planned&vm_uuid=$VM1&job_uuid=$NOSUCH"
t_is "list with every filter" "$(jbody length)" 1
req GET "/volumereservations?vm_uuid=$VM2"
t_is "list filtered out" "$(jbody length)" 0
P=$(create planned)
req GET "/volumes/$P"
t_is "the reservation became a reference" "$(jbody '.refs|join(",")')" "$VM1"
t_ok "planned ready" wait_state "$P" ready
req POST "/volumes/$P/addreference" "$(ref_body "$VM1")"
req GET "/volumereservations?volume_name=planned&vm_uuid=$VM1"
t_is "addreference consumed the reservation" "$(jbody length)" 0
req POST /volumereservations "$(resv planned "$VM2")"
R3=$(jbody .uuid)
req GET "/volumes/$P/references"
t_is "reserving a ready volume references it" "$(jbody 'sort|join(",")')" "$VM1,$VM2"
req DELETE "/volumereservations/$R3?owner_uuid=$OWNER"
t_is "delete reservation: 204" "$STATUS" 204
expect "delete it again" 404 VolumeReservationNotFound DELETE "/volumereservations/$R3?owner_uuid=$OWNER"
req GET /admin/volumes
t_is "admin: refs_detail lists holders" "$(jbody "map(select(.uuid==\"$P\"))[0].refs_detail|length")" 2
t_is "admin: refs_detail live" "$(jbody "map(select(.uuid==\"$P\"))[0].refs_detail[0].live")" true

t_done
