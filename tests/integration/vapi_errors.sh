#!/usr/bin/env bash
# vapi_errors: every bad input we could think of, each answered with the
# exact status and error code VOLAPI uses, and none of them changing
# anything (volumes, references and reservations compared before/after).
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"

# A long lease: on a loaded machine this suite may outlast the default.
vapi_start --ref-lease 86400 --host-ttl 86400

V=$(create keep)
t_ok "fixture ready" wait_state "$V" ready
REF=$(create busy)
t_ok "fixture 2 ready" wait_state "$REF" ready
t_ok "fixture host" t_host_up "$URL" "$VM1" "$OWNER" web-1
req POST "/volumes/$REF/addreference" "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$VM1\"}"
t_is "fixture reference: 204" "$STATUS" 204

VE='Validation error, causes: Error: '
LONG=$(printf 'a%.0s' $(seq 1 257))
DEEP=$(printf '[%.0s' $(seq 1 40))1$(printf ']%.0s' $(seq 1 40))
cb() { create_body "$@"; }
nocb() { printf '{"owner_uuid":"%s","type":"tritonnfs","networks":["%s"]%s}' "$OWNER" "$NET" "${1:+,$1}"; }

# --- routing, methods, versions, limits ---
expect_msg "unknown route" 404 ResourceNotFound 'does not exist' GET /nothing
expect "unknown sub-route" 404 ResourceNotFound GET "/volumes/$V/nothing"
expect "trailing slash" 404 ResourceNotFound GET /volumes/
expect_msg "wrong method on /volumes" 405 MethodNotAllowed 'PUT is not allowed' PUT /volumes
expect "wrong method on /ping" 405 MethodNotAllowed POST /ping
t_like "405 names the allowed methods" "$(hdr Allow)" 'GET'
expect "PATCH a volume" 405 MethodNotAllowed PATCH "/volumes/$V"
expect "DELETE /volumesizes" 405 MethodNotAllowed DELETE /volumesizes
expect_msg "Accept-Version ~2" 400 InvalidVersion 'not supported' GET /ping "" -H 'Accept-Version: ~2'
expect "Accept-Version 1.1" 400 InvalidVersion GET /volumes "" -H 'Accept-Version: 1.1'
expect "Accept-Version garbage" 400 InvalidVersion GET /volumes "" -H 'Accept-Version: banana'
BIG=$(head -c 70000 /dev/zero | tr '\0' a)
expect "body over 64 KiB" 413 RequestTooLarge POST /volumes "{\"name\":\"$BIG\"}"
expect "URL path too long" 414 UriTooLong GET "/volumes/$(head -c 1500 /dev/zero | tr '\0' a)"
expect "query too long" 414 UriTooLong GET "/volumes?name=$(head -c 5000 /dev/zero | tr '\0' a)"
expect_msg "body not JSON" 400 BadRequest 'invalid JSON' POST /volumes '{"owner_uuid":'
expect "body JSON array" 400 BadRequest POST /volumes '[1,2]'
expect "body JSON string" 400 BadRequest POST /volumes '"x"'
expect "body trailing garbage" 400 BadRequest POST /volumes '{} x'
expect "body single quotes" 400 BadRequest POST /volumes "{'a':1}"
expect "body NaN" 400 BadRequest POST /volumes '{"size":NaN}'
expect "body too deep" 400 BadRequest POST /volumes "{\"labels\":$DEEP}"

# --- unknown parameters, everywhere (VOLAPI-19) ---
expect_msg "ping with a parameter" 409 ValidationError "^${VE}invalid parameter: bogus$" GET '/ping?bogus=true'
expect "list with billing_id" 409 ValidationError GET "/volumes?billing_id=$NOSUCH"
expect "list with vm_uuid" 409 ValidationError GET "/volumes?vm_uuid=$NOSUCH"
expect "get with a parameter" 409 ValidationError GET "/volumes/$V?foo=1"
expect "create with tags" 409 ValidationError POST /volumes "$(cb x1 '"tags":{}')"
expect "create with server_uuid" 409 ValidationError POST /volumes "$(cb x1 "\"server_uuid\":\"$NOSUCH\"")"
expect "update with labels" 409 ValidationError POST "/volumes/$V" '{"labels":{}}'
expect "delete with a parameter" 409 ValidationError DELETE "/volumes/$V?now=1"
expect "sizes with a parameter" 409 ValidationError GET '/volumesizes?size=1'
expect_msg "references with owner_uuid" 409 ValidationError "invalid parameter: owner_uuid" GET "/volumes/$V/references?owner_uuid=$OWNER"
expect "addreference with a parameter" 409 ValidationError POST "/volumes/$V/addreference" "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$VM2\",\"x\":1}"
expect "reservations with a parameter" 409 ValidationError GET '/volumereservations?x=1'
expect "networks with a parameter" 409 ValidationError GET '/networks?x=1'
expect "duplicate query parameter" 409 ValidationError GET "/volumes?state=ready&state=failed"

# --- CreateVolume ---
expect_msg "create: empty body" 409 ValidationError "missing mandatory parameter: owner_uuid" POST /volumes ''
expect_msg "create: no networks" 409 ValidationError "^${VE}missing mandatory parameter: networks$" POST /volumes "{\"owner_uuid\":\"$OWNER\",\"type\":\"tritonnfs\",\"name\":\"n1\"}"
expect_msg "create: no type" 409 ValidationError "missing mandatory parameter: type" POST /volumes "{\"owner_uuid\":\"$OWNER\",\"networks\":[\"$NET\"]}"
expect_msg "create: no owner" 409 ValidationError "missing mandatory parameter: owner_uuid" POST /volumes "{\"type\":\"tritonnfs\",\"networks\":[\"$NET\"]}"
expect_msg "create: bad owner" 409 ValidationError "peanutbutter is not a valid owner_uuid UUID" POST /volumes "$(cb n1 | sed "s/$OWNER/peanutbutter/")"
expect "create: uppercase owner" 409 ValidationError POST /volumes "$(cb n1 | sed "s/$OWNER/${VM1^^}/")"
expect_msg "create: bad type" 409 ValidationError "Volume type: nfs is not supported" POST /volumes "$(cb n1 | sed 's/tritonnfs/nfs/')"
expect "create: type number" 409 ValidationError POST /volumes "$(cb n1 | sed 's/"tritonnfs"/3/')"
expect_msg "create: 1-char name" 409 ValidationError 'volume name must match' POST /volumes "$(cb a)"
expect "create: empty name" 409 ValidationError POST /volumes "$(nocb '"name":""')"
expect_msg "create: name too long" 409 ValidationError 'volume name is too long, max length is 256' POST /volumes "$(cb "$LONG")"
expect "create: name with space" 409 ValidationError POST /volumes "$(cb 'a b')"
expect "create: name with slash" 409 ValidationError POST /volumes "$(cb 'a/b')"
expect "create: name with dot-dot" 409 ValidationError POST /volumes "$(cb '../etc')"
expect "create: name starting with dash" 409 ValidationError POST /volumes "$(cb '-ab')"
expect "create: name starting with dot" 409 ValidationError POST /volumes "$(cb '.ab')"
expect "create: name with star" 409 ValidationError POST /volumes "$(cb 'ab*')"
expect "create: name unicode" 409 ValidationError POST /volumes "$(cb 'caf\u00e9')"
expect "create: name with NUL escape" 409 ValidationError POST /volumes "$(cb 'ab\u0000cd')"
expect_msg "create: name not a string" 409 ValidationError 'volume name must be a string' POST /volumes "$(nocb '"name":12')"
expect_msg "create: size string" 409 ValidationError 'Volume size: "10240" is not a valid volume size. Size must be a number > 0' POST /volumes "$(cb n1 '"size":"10240"')"
expect "create: size zero" 409 ValidationError POST /volumes "$(cb n1 '"size":0')"
expect "create: size negative" 409 ValidationError POST /volumes "$(cb n1 '"size":-10240')"
expect "create: size fraction" 409 ValidationError POST /volumes "$(cb n1 '"size":10240.5')"
expect "create: size huge" 409 ValidationError POST /volumes "$(cb n1 '"size":99999999999999999999')"
expect "create: size null" 409 ValidationError POST /volumes "$(cb n1 '"size":null')"
expect "create: size 10G text" 409 ValidationError POST /volumes "$(cb n1 '"size":"10G"')"
expect_msg "create: size not in list" 409 VolumeSizeNotAvailable 'Volume size 10000 is not available. Available sizes: 10240, 20480' POST /volumes "$(cb n1 '"size":10000')"
t_is "availableSizes in the body" "$(jbody '.availableSizes[0]')" 10240
t_is "availableSizes has all" "$(jbody '.availableSizes|length')" 19
expect "create: size above the list" 409 VolumeSizeNotAvailable POST /volumes "$(cb n1 '"size":2048000')"
expect_msg "create: networks empty" 409 ValidationError 'networks must be a non-empty array' POST /volumes "$(cb n1 | sed "s/\"$NET\"//")"
expect "create: networks not array" 409 ValidationError POST /volumes "$(cb n1 | sed "s/\[\"$NET\"\]/\"$NET\"/")"
expect_msg "create: network not uuid" 409 ValidationError 'foo is not a valid network UUID' POST /volumes "$(cb n1 | sed "s/$NET/foo/")"
expect "create: network number" 409 ValidationError POST /volumes "$(cb n1 | sed "s/\"$NET\"/7/")"
expect_msg "create: unknown network" 409 InvalidNetworks "^Invalid networks: missing: $NOSUCH$" POST /volumes "$(cb n1 | sed "s/$NET/$NOSUCH/")"
expect_msg "create: labels not object" 409 ValidationError 'Volume labels must be an object' POST /volumes "$(cb n1 '"labels":[1]')"
expect "create: label value number" 409 ValidationError POST /volumes "$(cb n1 '"labels":{"a":1}')"
expect "create: label value object" 409 ValidationError POST /volumes "$(cb n1 '"labels":{"a":{}}')"
expect "create: affinity not array" 409 ValidationError POST /volumes "$(cb n1 '"affinity":"x"')"
expect_msg "create: bad preset uuid" 409 ValidationError 'nope is not a valid uuid UUID' POST /volumes "$(cb n1 '"uuid":"nope"')"
expect "create: preset uuid taken" 409 ValidationError POST /volumes "$(cb n1 "\"uuid\":\"$V\"")"
expect_msg "create: name taken" 409 VolumeAlreadyExists '^Volume with name keep already exists$' POST /volumes "$(cb keep)"
expect_msg "create: several causes at once" 409 ValidationError "^${VE}.*, Error: .*" POST /volumes '{"owner_uuid":"x","type":"y","networks":[]}'

# --- GetVolume / ListVolumes ---
expect_msg "get: bad uuid" 409 ValidationError 'peanutbutter is not a valid uuid UUID' GET /volumes/peanutbutter
expect "get: uppercase uuid" 409 ValidationError GET "/volumes/${V^^}"
expect_msg "get: missing" 404 VolumeNotFound "Volume with uuid $NOSUCH could not be found" GET "/volumes/$NOSUCH"
expect_msg "get: other owner" 404 VolumeNotFound 'could not be found' GET "/volumes/$V?owner_uuid=$OWNER2"
expect "get: bad owner" 409 ValidationError GET "/volumes/$V?owner_uuid=me"
expect_msg "list: bad name pattern" 409 ValidationError 'invalid value for name search parameter' GET '/volumes?name=a**b'
expect "list: name only stars" 409 ValidationError GET '/volumes?name=**'
expect "list: name with slash" 409 ValidationError GET '/volumes?name=a%2fb'
expect_msg "list: bad size" 409 ValidationError 'invalid value for size search parameter, must match' GET '/volumes?size=10G'
expect "list: size zero" 409 ValidationError GET '/volumes?size=0'
expect "list: size leading zero" 409 ValidationError GET '/volumes?size=010'
expect_msg "list: bad state" 409 ValidationError 'Volume state: deleted is invalid' GET '/volumes?state=deleted'
expect "list: bad owner" 409 ValidationError GET '/volumes?owner_uuid=x'
expect "list: bad refs" 409 ValidationError GET '/volumes?refs=x'
expect_msg "list: limit zero" 409 ValidationError 'invalid value for limit search parameter, must be an integer from 1 to 10000' GET '/volumes?limit=0'
expect "list: limit negative" 409 ValidationError GET '/volumes?limit=-1'
expect "list: limit over the most" 409 ValidationError GET '/volumes?limit=10001'
expect "list: limit past 2^64" 409 ValidationError GET '/volumes?limit=99999999999999999999999'
expect "list: limit leading zero" 409 ValidationError GET '/volumes?limit=010'
expect "list: limit with exponent" 409 ValidationError GET '/volumes?limit=1e3'
expect "list: limit with spaces" 409 ValidationError GET '/volumes?limit=%2010'
expect "list: limit empty" 409 ValidationError GET '/volumes?limit='
expect_msg "list: bad marker" 409 ValidationError 'x is not a valid marker UUID' GET '/volumes?limit=5&marker=x'
expect "list: marker with SQL" 409 ValidationError GET "/volumes?limit=5&marker=%27%20OR%201=1--"
expect_msg "list: marker without limit" 409 ValidationError 'marker needs limit' GET "/volumes?marker=$V"
expect "admin: limit zero" 409 ValidationError GET '/admin/volumes?limit=0'
expect "admin: bad marker" 409 ValidationError GET '/admin/volumes?limit=1&marker=x'
# Pages of one: the owner's two volumes in uuid order, then none.
FIRST=$(printf '%s\n%s\n' "$V" "$REF" | sort | head -1)
SECOND=$(printf '%s\n%s\n' "$V" "$REF" | sort | tail -1)
req GET "/volumes?owner_uuid=$OWNER&limit=1"
t_is "list: a page of one" "$STATUS $(jbody '[.[].uuid] | join(" ")')" "200 $FIRST"
req GET "/volumes?owner_uuid=$OWNER&limit=1&marker=$FIRST"
t_is "list: the page after it" "$STATUS $(jbody '[.[].uuid] | join(" ")')" "200 $SECOND"
req GET "/volumes?owner_uuid=$OWNER&limit=1&marker=$SECOND"
t_is "list: past the last, an empty page" "$STATUS $BODY" "200 []"
req GET "/volumes?owner_uuid=$OWNER&limit=10000"
t_is "list: a page of the most holds both" "$STATUS $(jbody 'length')" "200 2"
P() { expect "$1" 409 ValidationError GET /volumes "" --get --data-urlencode "predicate=$2"; }
P "predicate: not JSON" '{eq'
P "predicate: array" '[1]'
P "predicate: two operators" '{"eq":["name","a1"],"ne":["name","b1"]}'
P "predicate: unknown operator" '{"like":["name","a1"]}'
P "predicate: owner_uuid not searchable" "{\"eq\":[\"owner_uuid\",\"$OWNER\"]}"
P "predicate: size as string" '{"eq":["size","10240"]}'
P "predicate: lt on a string" '{"lt":["name","a1"]}'
P "predicate: and of one" '{"and":[{"eq":["name","a1"]}]}'
P "predicate: or not array" '{"or":{"eq":["name","a1"]}}'
P "predicate: wildcard name" '{"eq":["name","a*"]}'
P "predicate: bad state" '{"eq":["state","deleted"]}'
P "predicate: bad type" '{"eq":["type","nfs"]}'
P "predicate: bad uuid" '{"eq":["uuid","x"]}'
P "predicate: dangling as string" '{"eq":["dangling","true"]}'
P "predicate: size zero" '{"eq":["size",0]}'
P "predicate: three-element" '{"eq":["name","a1","b1"]}'
expect_msg "predicate: conflicts with query" 409 ValidationError 'predicate has "name" which conflicts with query parameter with same name' GET '/volumes?name=keep' "" --get --data-urlencode 'predicate={"eq":["name","keep"]}'
expect_msg "predicate: unknown field" 409 ValidationError 'field "billing_id" is not defined' GET /volumes "" --get --data-urlencode 'predicate={"eq":["billing_id","x"]}'
expect_msg "predicate: wrong type" 409 ValidationError 'operator "gt" cannot be applied to fields of type "string"' GET /volumes "" --get --data-urlencode 'predicate={"gt":["size","1"]}'
expect_msg "predicate: value type" 409 ValidationError 'field "size" value [(]"'"'"'1'"'"'"[)] expected "number", but got "string"' GET /volumes "" --get --data-urlencode 'predicate={"eq":["size","1"]}'

# --- UpdateVolume ---
expect "update: bad uuid" 409 ValidationError POST /volumes/nope '{"name":"x1"}'
expect "update: missing" 404 VolumeNotFound POST "/volumes/$NOSUCH" '{"name":"x1"}'
expect "update: other owner" 404 VolumeNotFound POST "/volumes/$V" "{\"name\":\"x1\",\"owner_uuid\":\"$OWNER2\"}"
expect "update: bad name" 409 ValidationError POST "/volumes/$V" '{"name":"x"}'
expect "update: name not string" 409 ValidationError POST "/volumes/$V" '{"name":["x1"]}'
expect_msg "update: rename to a taken name" 409 VolumeAlreadyExists 'Volume with name busy already exists' POST "/volumes/$V" '{"name":"busy"}'
expect_msg "update: rename while referenced" 409 VolumeInUse "^Volume with name busy is used by vms: $VM1$" POST "/volumes/$REF" '{"name":"renamed"}'
expect "update: size zero" 409 ValidationError POST "/volumes/$V" '{"size":0}'
req POST "/volumes/$V" '{"size":20480}'
t_is "fixture grown" "$STATUS" 200
expect_msg "update: shrink" 409 ValidationError 'smaller than the current size 20480: volumes can grow but never shrink' POST "/volumes/$V" '{"size":10240}'
expect "update: size not in list" 409 VolumeSizeNotAvailable POST "/volumes/$V" '{"size":30000}'
expect "update: size string" 409 ValidationError POST "/volumes/$V" '{"size":"30720"}'

# --- DeleteVolume ---
expect "delete: bad uuid" 409 ValidationError DELETE /volumes/nope
expect "delete: missing" 404 VolumeNotFound DELETE "/volumes/$NOSUCH"
expect "delete: other owner" 404 VolumeNotFound DELETE "/volumes/$V?owner_uuid=$OWNER2"
expect_msg "delete: bad force" 409 ValidationError 'yes is not a valid boolean string value for force.' DELETE "/volumes/$V?force=yes"
expect_msg "delete: in use" 409 VolumeInUse "^Volume with name busy is used by vms: $VM1$" DELETE "/volumes/$REF"

# --- references and reservations ---
expect "addreference: no vm" 409 ValidationError POST "/volumes/$V/addreference" "{\"owner_uuid\":\"$OWNER\"}"
expect "addreference: no owner" 409 ValidationError POST "/volumes/$V/addreference" "{\"vm_uuid\":\"$VM2\"}"
expect "addreference: bad vm" 409 ValidationError POST "/volumes/$V/addreference" "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"x\"}"
expect "addreference: other owner" 404 VolumeNotFound POST "/volumes/$V/addreference" "{\"owner_uuid\":\"$OWNER2\",\"vm_uuid\":\"$VM2\"}"
expect "addreference: missing volume" 404 VolumeNotFound POST "/volumes/$NOSUCH/addreference" "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$VM2\"}"
expect "removereference: bad vm" 409 ValidationError POST "/volumes/$V/removereference" "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"x\"}"
expect "references: missing volume" 404 VolumeNotFound GET "/volumes/$NOSUCH/references"
expect "references: bad uuid" 409 ValidationError GET "/volumes/x/references"
expect "reservation: missing fields" 409 ValidationError POST /volumereservations "{\"owner_uuid\":\"$OWNER\"}"
expect "reservation: bad name" 409 ValidationError POST /volumereservations "{\"volume_name\":\"x\",\"job_uuid\":\"$NOSUCH\",\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$VM2\"}"
expect "reservation: bad job" 409 ValidationError POST /volumereservations "{\"volume_name\":\"xy\",\"job_uuid\":\"j\",\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$VM2\"}"
expect_msg "reservation delete: missing" 404 VolumeReservationNotFound "Volume reservation with uuid $NOSUCH could not be found" DELETE "/volumereservations/$NOSUCH?owner_uuid=$OWNER"
expect "reservation delete: no owner" 409 ValidationError DELETE "/volumereservations/$NOSUCH"
expect "reservation list: bad vm" 409 ValidationError GET "/volumereservations?vm_uuid=x"

# --- sizes, networks, snapshots, admin ---
expect_msg "sizes: bad type" 409 ValidationError 'Volume type: nfs is not supported' GET '/volumesizes?type=nfs'
expect_msg "network: missing" 404 NetworkNotFound "Network with uuid $NOSUCH could not be found" GET "/networks/$NOSUCH"
expect "network: bad uuid" 409 ValidationError GET /networks/x
expect "snapshot: no name" 409 ValidationError POST "/volumes/$V/snapshot" '{}'
expect "snapshot: bad name" 409 ValidationError POST "/volumes/$V/snapshot" '{"name":"a b"}'
expect "snapshot: name too long" 409 ValidationError POST "/volumes/$V/snapshot" "{\"name\":\"$LONG\"}"
expect "snapshot: missing volume" 404 VolumeNotFound POST "/volumes/$NOSUCH/snapshot" '{"name":"s1"}'
expect "snapshot get: missing" 404 SnapshotNotFound GET "/volumes/$V/snapshots/s1"
expect "snapshot get: bad name" 409 ValidationError GET "/volumes/$V/snapshots/a%20b"
expect "rollback: no name" 409 ValidationError POST "/volumes/$V/rollbacktosnapshot" '{}'
expect "admin: bad state" 409 ValidationError GET '/admin/volumes?state=gone'
expect "admin restart: missing" 404 VolumeNotFound POST "/admin/volumes/$NOSUCH/restart"

t_done
