#!/usr/bin/env bash
# vapi_hosts: Docker hosts as records.  PUT /hosts/:uuid registers and
# heartbeats (the address is the one the VAPI sees); owner tokens see and
# register only their own hosts; hostile values are refused and change
# nothing; a reference holds a volume only while its holder is alive: an
# unknown holder's reference does not block DeleteVolume and is reaped, a
# live holder's does, an expired heartbeat lets go.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd sha256sum

h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
D=$(t_tmpdir)
cat >"$D/vapi.json" <<JSON
{"tokens": [
  {"sha256": "$(h owner-one-secret)", "owner_uuid": "$OWNER"},
  {"sha256": "$(h owner-two-secret)", "owner_uuid": "$OWNER2"},
  {"sha256": "$(h operator-secret)", "role": "operator"}]}
JSON
VAPI_TOKEN=operator-secret
vapi_start --config "$D/vapi.json" --host-ttl 3
A1=(-H 'Authorization: Bearer owner-one-secret')
A2=(-H 'Authorization: Bearer owner-two-secret')
AO=(-H 'Authorization: Bearer operator-secret')
hb() { printf '{"hostname":"%s","version":"0.9"%s}' "$1" "${2:+,$2}"; }
hosts_world() { curl -s "${AO[@]}" "$URL/hosts" | jq -S -c 'map(del(.heartbeat_timestamp, .alive))'; }

# ---- register, heartbeat, read ----
req PUT "/hosts/$VM1" "$(hb web-1)" "${A1[@]}" --interface 127.0.0.2
t_is "register: 201" "$STATUS" 201
t_is "register: owner from the token" "$(jbody .owner_uuid)" "$OWNER"
t_is "register: the address the VAPI saw" "$(jbody .address)" 127.0.0.2
t_is "register: alive" "$(jbody .alive)" true
CREATED=$(jbody .create_timestamp)
req PUT "/hosts/$VM1" "$(hb web-1 '"address":"127.0.0.2"')" "${A1[@]}" --interface 127.0.0.2
t_is "heartbeat with the address it comes from: 200" "$STATUS" 200
t_is "heartbeat keeps the creation time" "$(jbody .create_timestamp)" "$CREATED"
expect_msg "a declared address it does not come from" 409 ValidationError \
	"address: 10.9.9.9 is not the address this request came from \(127.0.0.3\)" \
	PUT "/hosts/$VM1" "$(hb web-1 '"address":"10.9.9.9"')" "${A1[@]}" --interface 127.0.0.3
req GET "/hosts/$VM1" "" "${A1[@]}"
t_is "get: hostname" "$(jbody .hostname)" web-1
t_is "get: version" "$(jbody .version)" 0.9
t_is "get: address unchanged by the refused call" "$(jbody .address)" 127.0.0.2

# ---- owners ----
req GET /hosts "" "${A2[@]}"
t_is "another owner sees none of them" "$BODY" "[]"
req GET "/hosts/$VM1" "" "${A2[@]}"
t_is "another owner's host: 404" "$STATUS" 404
t_is "another owner's host: code" "$(jbody .code)" HostNotFound
expect "register for another owner" 403 Forbidden PUT "/hosts/$VM2" \
	"$(hb web-x "\"owner_uuid\":\"$OWNER\"")" "${A2[@]}"
# The same uuid under another owner is another host: nothing leaks.
req PUT "/hosts/$VM1" "$(hb b-host)" "${A2[@]}" --interface 127.0.0.3
t_is "the same uuid for another owner: 201" "$STATUS" 201
req GET "/hosts/$VM1" "" "${A1[@]}"
t_is "the first owner's host is untouched" "$(jbody .hostname)" web-1
req GET /hosts "" "${AO[@]}"
t_is "the operator sees both" "$(jbody 'map(.hostname)|join(",")')" "b-host,web-1"
req DELETE "/hosts/$VM1" "" "${A2[@]}"
t_is "delete own host: 204" "$STATUS" 204
req GET "/hosts/$VM1" "" "${A1[@]}"
t_is "the other owner's host of that uuid stays" "$STATUS" 200

# ---- hostile values ----
LONG=$(printf 'a%.0s' $(seq 1 300))
expect_hosts() {
	local desc=$1 before
	shift
	before=$(hosts_world)
	req PUT "$@"
	t_is "$desc: 409" "$STATUS" 409
	t_is "$desc: code" "$(jbody .code)" ValidationError
	t_is "$desc: nothing changed" "$(hosts_world)" "$before"
}
expect_hosts "hostname with a space" "/hosts/$VM2" "$(hb 'web 2')" "${A1[@]}"
expect_hosts "hostname with a quote" "/hosts/$VM2" "$(hb 'web\"2')" "${A1[@]}"
expect_hosts "hostname with a newline" "/hosts/$VM2" "$(hb 'web\n2')" "${A1[@]}"
expect_hosts "hostname of 300 characters" "/hosts/$VM2" "$(hb "$LONG")" "${A1[@]}"
expect_hosts "empty hostname" "/hosts/$VM2" "$(hb '')" "${A1[@]}"
expect_hosts "address list" "/hosts/$VM2" "$(hb web-2 '"address":"127.0.0.2, 0.0.0.0/0"')" "${A1[@]}"
expect_hosts "address subnet" "/hosts/$VM2" "$(hb web-2 '"address":"0.0.0.0/0"')" "${A1[@]}"
expect_hosts "address as a number" "/hosts/$VM2" "$(hb web-2 '"address":2130706434')" "${A1[@]}"
expect_hosts "version with spaces" "/hosts/$VM2" '{"hostname":"web-2","version":"1 2"}' "${A1[@]}"
expect_hosts "no version" "/hosts/$VM2" '{"hostname":"web-2"}' "${A1[@]}"
expect_hosts "unknown parameter" "/hosts/$VM2" "$(hb web-2 '"x":1')" "${A1[@]}"
expect_hosts "bad uuid" "/hosts/not-a-uuid" "$(hb web-2)" "${A1[@]}"

# ---- references and liveness ----
V=$(curl -s "${A1[@]}" -X POST -H 'Content-Type: application/json' "$URL/volumes" \
	--data-binary "{\"type\":\"tritonnfs\",\"name\":\"held\",\"networks\":[\"$NET\"]}" | jq -r .uuid)
vstate() { [ "$(curl -s "${AO[@]}" "$URL/volumes/$V" | jq -r .state)" = "$1" ]; }
t_ok "held ready" t_wait_for 30 vstate ready
ref() { req POST "/volumes/$V/$1" "{\"vm_uuid\":\"$2\"}" "${A1[@]}"; }

ref addreference "$NOSUCH"
t_is "a reference of an unknown holder: 204" "$STATUS" 204
orphan_reaped() { [ "$(curl -s "${AO[@]}" "$URL/admin/volumes" | jq --arg v "$V" -r 'map(select(.uuid==$v))[0].refs_detail|length')" = 0 ]; }
t_ok "the unknown holder's reference is reaped" t_wait_for 30 orphan_reaped

t_ok "web-2 registers" t_host_up "$URL" "$VM2" "$OWNER" web-2 "${A1[@]}"
ref addreference "$VM2"
expect_msg "delete while a live holder holds it" 409 VolumeInUse \
	"^Volume with name held is used by vms: $VM2$" DELETE "/volumes/$V" "" "${A1[@]}"
req GET "/hosts/$VM2" "" "${A1[@]}"
t_is "the holder's hostname for the in-use message" "$(jbody .hostname)" web-2

# No heartbeat for longer than --host-ttl: the holder is dead.
dead() { [ "$(curl -s "${A1[@]}" "$URL/hosts/$VM2" | jq -r .alive)" = false ]; }
t_ok "web-2's heartbeat expires" t_wait_for 30 dead
req GET "/volumes/$V/references" "" "${A1[@]}"
t_is "a dead holder's reference is not listed" "$BODY" "[]"
t_ok "web-2 heartbeats again" t_host_up "$URL" "$VM2" "$OWNER" web-2 "${A1[@]}"
req GET "/volumes/$V/references" "" "${A1[@]}"
t_is "back alive: its reference holds again" "$BODY" "[\"$VM2\"]"
t_ok "web-2's heartbeat expires again" t_wait_for 30 dead
req DELETE "/volumes/$V" "" "${A1[@]}"
t_is "delete once the holder is dead: 204" "$STATUS" 204

# ---- a database of the previous schema is upgraded in place ----
t_kill "$VPID"
if [ "$TNFS_TEST_STORE" != sqlite ]; then
	t_diag "the postgresql store's upgrade is tested by store_pg.sh"
	t_done
fi
if ! command -v sqlite3 >/dev/null; then
	t_diag "SKIP: the schema upgrade check needs sqlite3"
	t_done
fi
# Version 2 is this database without what versions 3 (hosts, grants), 4
# (instances, leases, the volumes' claim) and 5 (the index of pages) added.
t_ok "the database made back into version 2" sqlite3 "$VDIR/vapi.db" \
	"DROP TABLE grants; DROP TABLE hosts; DROP TABLE instances; DROP TABLE leases;
	 DROP INDEX volumes_claim; ALTER TABLE volumes DROP COLUMN claim;
	 DROP INDEX volumes_owner_uuid; PRAGMA user_version = 2;"
vapi_run --config "$D/vapi.json"
t_is "a version-2 database (no hosts) migrates to the newest (5)" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA user_version')" 5
t_ok "and serves hosts" t_host_up "$URL" "$VM2" "$OWNER" web-2 "${A1[@]}"
t_is "and has the index of pages" "$(sqlite3 "$VDIR/vapi.db" "SELECT count(*) FROM sqlite_master WHERE name = 'volumes_owner_uuid'")" 1

t_done
