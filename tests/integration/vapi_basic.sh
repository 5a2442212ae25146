#!/usr/bin/env bash
# vapi_basic: every Volume API endpoint's successful path against a real
# tritonnfs-vapi with the dir storage backend and no exports.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"

vapi_start

# Ping and the common headers.
req GET /ping
t_is "ping: 200" "$STATUS" 200
t_is "ping: status OK" "$(jbody .status)" OK
t_is "ping: healthy" "$(jbody .healthy)" true
t_like "ping: pid" "$(jbody .pid)" '^[0-9]+$'
t_is "Server header" "$(hdr Server)" tritonnfs-vapi
t_like "x-request-id generated" "$(hdr x-request-id)" '^[0-9a-f-]{36}$'
t_like "x-response-time" "$(hdr x-response-time)" '^[0-9]+$'
req GET /ping "" -H 'x-request-id: my-request-42'
t_is "x-request-id echoed" "$(hdr x-request-id)" my-request-42
req GET /ping "" -H 'Accept-Version: ~1'
t_is "Accept-Version ~1 accepted" "$STATUS" 200
req GET /ping "" -H 'Accept-Version: 1.x'
t_is "Accept-Version 1.x accepted" "$STATUS" 200

# Networks.
req GET /networks
t_is "networks: 200" "$STATUS" 200
t_is "networks: one built-in" "$(jbody length)" 1
t_is "default network name" "$(jbody '.[0].name')" default
t_is "default network subnet" "$(jbody '.[0].subnet')" 127.0.0.0/8
t_is "default network fabric" "$(jbody '.[0].fabric')" true
t_is "default network is default" "$(jbody '.[0].default')" true
t_is "default network any owner" "$(jbody '.[0].owner_uuids|length')" 0
t_is "default network nfs_port" "$(jbody '.[0].nfs_port')" 2049
req GET "/networks/$NET"
t_is "get network: 200" "$STATUS" 200
t_is "get network: uuid" "$(jbody .uuid)" "$NET"
req GET "/networks?name=default"
t_is "networks by name" "$(jbody length)" 1
req GET "/networks?name=other"
t_is "networks by other name" "$(jbody length)" 0

# Sizes.
req GET /volumesizes
t_is "sizes: 200" "$STATUS" 200
t_is "sizes: 19 of them" "$(jbody length)" 19
t_is "sizes: smallest 10 GiB" "$(jbody '.[0].size')" 10240
t_is "sizes: largest 1000 GiB" "$(jbody '.[-1].size')" 1024000
t_is "sizes: type" "$(jbody '.[0].type')" tritonnfs
t_is "sizes: ascending" "$(jbody '[.[].size] == ([.[].size]|sort)')" true
req GET "/volumesizes?type=tritonnfs"
t_is "sizes with type: 200" "$STATUS" 200

# Create, and the provisioner takes it to ready.
req POST /volumes "$(create_body wp-uploads '"labels":{"app":"wp"}')"
t_is "create: 201" "$STATUS" 201
t_is "create: state creating" "$(jbody .state)" creating
t_is "create: default size" "$(jbody .size)" 10240
t_is "create: type" "$(jbody .type)" tritonnfs
t_is "create: name" "$(jbody .name)" wp-uploads
t_is "create: owner" "$(jbody .owner_uuid)" "$OWNER"
t_is "create: labels" "$(jbody .labels.app)" wp
t_is "create: networks" "$(jbody '.networks[0]')" "$NET"
t_like "create: ISO timestamp" "$(jbody .create_timestamp)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'
t_like "create: vm_uuid" "$(jbody .vm_uuid)" '^[0-9a-f-]{36}$'
t_is "create: no refs" "$(jbody 'has("refs")')" false
V1=$(jbody .uuid)
HOST=$(jbody .vm_uuid)
t_ok "volume becomes ready" wait_state "$V1" ready
req GET "/volumes/$V1"
t_is "get: 200" "$STATUS" 200
t_is "get: ready" "$(jbody .state)" ready
t_is "get: filesystem_path" "$(jbody .filesystem_path)" "127.0.0.1:/volumes/$V1"
t_is "get: nfs_port" "$(jbody .nfs_port)" 2049
t_is "get: mount_port" "$(jbody .mount_port)" 20048
t_ok "storage directory exists" test -d "$VDIR/storage/volumes/$V1"
t_like "get: usage.available known" "$(jbody .usage.available)" '^[0-9]+$'
t_is "get: usage.used (dir backend: 0)" "$(jbody .usage.used)" 0
req GET "/volumes/$V1?owner_uuid=$OWNER"
t_is "get with owner: 200" "$STATUS" 200

# Create with a size, a preset uuid, and without a name.
req POST /volumes "$(create_body big '"size":102400,"uuid":"0a0a0a0a-0000-4000-8000-000000000001"')"
t_is "create sized: 201" "$STATUS" 201
t_is "create sized: size" "$(jbody .size)" 102400
t_is "create: preset uuid kept" "$(jbody .uuid)" 0a0a0a0a-0000-4000-8000-000000000001
V2=$(jbody .uuid)
req POST /volumes "{\"owner_uuid\":\"$OWNER\",\"type\":\"tritonnfs\",\"networks\":[\"$NET\"]}"
t_is "create unnamed: 201" "$STATUS" 201
V3=$(jbody .uuid)
t_like "unnamed: 64 hex digits" "$(jbody .name)" '^[0-9a-f]{64}$'
t_is "unnamed: starts with its uuid" "$(jbody .name | cut -c1-32)" "$(printf %s "$V3" | tr -d -)"
req POST /volumes "$(create_body other-owner | sed "s/$OWNER/$OWNER2/")"
t_is "create for another owner: 201" "$STATUS" 201
V4=$(jbody .uuid)
for v in "$V2" "$V3" "$V4"; do t_ok "ready: $v" wait_state "$v" ready; done

# List and its filters.
req GET /volumes
t_is "list: 200" "$STATUS" 200
t_is "list: all 4" "$(jbody length)" 4
req GET "/volumes?owner_uuid=$OWNER"
t_is "list by owner" "$(jbody length)" 3
req GET "/volumes?name=wp-uploads"
t_is "list by exact name" "$(jbody '.[0].uuid')" "$V1"
req GET "/volumes?name=wp*"
t_is "list by prefix" "$(jbody length)" 1
req GET "/volumes?name=*uploads"
t_is "list by suffix" "$(jbody length)" 1
req GET "/volumes?name=*-up*"
t_is "list by substring" "$(jbody length)" 1
req GET "/volumes?name=*zzz*"
t_is "list by substring, no match" "$(jbody length)" 0
req GET "/volumes?size=102400"
t_is "list by size" "$(jbody '.[0].uuid')" "$V2"
req GET "/volumes?state=ready"
t_is "list by state" "$(jbody length)" 4
req GET "/volumes?state=failed"
t_is "list by state failed" "$(jbody length)" 0
req GET "/volumes?type=tritonnfs"
t_is "list by type" "$(jbody length)" 4
req GET /volumes "" --get --data-urlencode 'predicate={"eq":["name","big"]}'
t_is "predicate eq name" "$(jbody '.[0].uuid')" "$V2"
req GET /volumes "" --get --data-urlencode 'predicate={"gt":["size",20000]}'
t_is "predicate gt size" "$(jbody length)" 1
req GET /volumes "" --get --data-urlencode 'predicate={"or":[{"eq":["name","big"]},{"eq":["name","wp-uploads"]}]}'
t_is "predicate or" "$(jbody length)" 2
req GET /volumes "" --get --data-urlencode 'predicate={"and":[{"ne":["state","failed"]},{"le":["size",10240]}]}'
t_is "predicate and/ne/le" "$(jbody length)" 3
req GET /volumes "" --get --data-urlencode "predicate={\"eq\":[\"network\",\"$NET\"]}"
t_is "predicate network" "$(jbody length)" 4
req GET /volumes "" --get --data-urlencode 'predicate={"eq":["dangling",true]}'
t_is "predicate dangling" "$(jbody length)" 4
req GET /volumes "" --get --data-urlencode 'predicate={}'
t_is "predicate {}" "$(jbody length)" 4

# Update: rename, grow, no-op.
req POST "/volumes/$V1" '{"name":"wp-files"}'
t_is "rename: 200" "$STATUS" 200
t_is "rename: new name" "$(jbody .name)" wp-files
req POST "/volumes/$V1" '{"size":20480}'
t_is "grow: 200" "$STATUS" 200
t_is "grow: new size" "$(jbody .size)" 20480
req GET "/volumes/$V1"
t_is "grow: stored" "$(jbody .size)" 20480
req POST "/volumes/$V1" '{"size":20480}'
t_is "same size: 200" "$STATUS" 200
req POST "/volumes/$V1" "{\"owner_uuid\":\"$OWNER\"}"
t_is "update with nothing to change: 200" "$STATUS" 200
req POST "/volumes/$V1" '{"name":"wp-files"}'
t_is "rename to its own name: 200" "$STATUS" 200
# The old name is free again.
req POST /volumes "$(create_body wp-uploads)"
t_is "old name reusable: 201" "$STATUS" 201
V5=$(jbody .uuid)
t_ok "ready: $V5" wait_state "$V5" ready

# A volume whose storage cannot be made ends failed, with the reason,
# frees its name, and can still be deleted.
BAD=0b0b0b0b-0000-4000-8000-000000000001
printf 'in the way\n' >"$VDIR/storage/volumes/$BAD"
req POST /volumes "$(create_body doomed "\"uuid\":\"$BAD\"")"
t_is "doomed create: 201" "$STATUS" 201
t_ok "it fails" wait_state "$BAD" failed
req GET "/volumes/$BAD"
t_like "failed: error says why" "$(jbody .error)" 'not a directory'
t_is "failed: no filesystem_path" "$(jbody 'has("filesystem_path")')" false
req POST /volumes "$(create_body doomed)"
t_is "a failed volume's name is free" "$STATUS" 201
D2=$(jbody .uuid)
t_ok "ready: $D2" wait_state "$D2" ready
req GET "/volumes?state=failed"
t_is "list failed" "$(jbody '.[0].uuid')" "$BAD"
req DELETE "/volumes/$BAD"
t_is "delete failed: 204" "$STATUS" 204
t_ok "failed volume disappears" t_wait_for 30 gone "$BAD"
req DELETE "/volumes/$D2"
t_ok "and the other" t_wait_for 30 gone "$D2"

# Operator endpoints.
req GET /admin/volumes
t_is "admin list: 200" "$STATUS" 200
t_is "admin list: all volumes" "$(jbody length)" 5
t_is "admin list: refs_detail" "$(jbody '.[0].refs_detail|type')" array
req GET "/admin/volumes?owner_uuid=$OWNER2"
t_is "admin list by owner" "$(jbody length)" 1
req POST "/admin/volumes/$V1/restart"
t_is "admin restart: 200" "$STATUS" 200
t_is "admin restart: still ready" "$(jbody .state)" ready

# Delete: 204, then gone, storage removed.
req DELETE "/volumes/$V5"
t_is "delete: 204" "$STATUS" 204
t_is "delete: empty body" "$BODY" ""
t_ok "deleted volume disappears" t_wait_for 30 gone "$V5"
t_fails "storage directory removed" test -e "$VDIR/storage/volumes/$V5"
req DELETE "/volumes/$V3?owner_uuid=$OWNER&force=false"
t_is "delete with owner and force=false: 204" "$STATUS" 204
t_ok "second deleted volume disappears" t_wait_for 30 gone "$V3"

# A restart keeps every record and the host identity.
before=$(curl -s "$URL/volumes" | jq -S -c 'sort_by(.uuid)')
t_kill "$VPID"
vapi_run
after=$(curl -s "$URL/volumes" | jq -S -c 'sort_by(.uuid)')
t_is "restart keeps volumes" "$after" "$before"
req GET "/volumes/$V1"
t_is "restart keeps the host id" "$(jbody .vm_uuid)" "$HOST"
t_is "restart keeps the default network" "$(jbody '.networks[0]')" "$NET"

# SIGTERM: exit 0.
kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit status 0" "$rc" 0

t_done
