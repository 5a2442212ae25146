#!/usr/bin/env bash
# vapi_fence: owners isolated at the NFS layer.  On a network shared by two
# owners, a volume's export admits only the live Docker hosts holding it
# and the addresses its owner granted.  Two clients with their own source
# addresses (network namespaces on veth pairs) read through nfs-ganesha:
# owner B's host can neither mount, list nor read A's volume; A's host
# can once it holds a reference; a granted address can until revoked; an
# expired heartbeat takes A's host out of the export.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind nfs-cat nfs-ls ip

# Two namespaces: A at 10.213.1.2, B at 10.213.2.2; the NFS server listens
# on 10.213.1.1 (the root side of A's pair), which B reaches through its
# own pair (a local address: no forwarding involved).
NSA=tnfsA$$ NSB=tnfsB$$
fence_net_down() {
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	ip link del "tnfa$$" 2>/dev/null
	ip link del "tnfb$$" 2>/dev/null
}
ip netns add "$NSA" 2>/dev/null || t_skip_all "cannot create network namespaces"
t_cleanup_push fence_net_down
ip netns add "$NSB"
ip link add "tnfa$$" type veth peer name "tnfa$$p"
ip link add "tnfb$$" type veth peer name "tnfb$$p"
ip link set "tnfa$$p" netns "$NSA"
ip link set "tnfb$$p" netns "$NSB"
ip addr add 10.213.1.1/24 dev "tnfa$$"
ip addr add 10.213.2.1/24 dev "tnfb$$"
ip link set "tnfa$$" up
ip link set "tnfb$$" up
ip -n "$NSA" addr add 10.213.1.2/24 dev "tnfa$$p"
ip -n "$NSB" addr add 10.213.2.2/24 dev "tnfb$$p"
ip -n "$NSA" link set "tnfa$$p" up
ip -n "$NSB" link set "tnfb$$p" up
ip -n "$NSA" link set lo up
ip -n "$NSB" link set lo up
ip -n "$NSA" route add default via 10.213.1.1
ip -n "$NSB" route add default via 10.213.2.1

pool_setup
NETU=5e5e5e5e-0000-4000-8000-0000000000f1
NP=$(t_free_port)
MP=$(t_free_port)
while [ "$MP" = "$NP" ]; do MP=$(t_free_port); done
# Shared by both owners; hosts declare their address (the VAPI listens on
# loopback here, where it cannot see the namespaces' addresses).
cat >"$P/vapi.json" <<JSON
{"networks": [{"uuid": "$NETU", "name": "shared", "subnet": "10.213.0.0/16",
  "nfs_address": "10.213.1.1", "nfs_port": $NP, "mount_port": $MP,
  "owner_uuids": ["$OWNER", "$OWNER2"], "default": true}],
 "host_address": "declared", "host_ttl_seconds": 15}
JSON
vapi_pool_run 2G
NET=$NETU
HA=$VM1 HB=$VM2
up() { # up HOST OWNER NAME ADDRESS
	local st
	st=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
		--data-binary "{\"owner_uuid\":\"$2\",\"hostname\":\"$3\",\"address\":\"$4\",\"version\":\"test\"}" \
		"$URL/hosts/$1")
	[ "$st" = 200 ] || [ "$st" = 201 ]
}
# A heartbeat every 2 s for host A while the test needs it alive.
heartbeat_a() { while up "$HA" "$OWNER" web-a 10.213.1.2; do sleep 2; done; }
heartbeat_a &
HBPID=$!
t_cleanup_push "kill $HBPID 2>/dev/null"
t_ok "host B registers for owner B" up "$HB" "$OWNER2" web-b 10.213.2.2

V=$(create secret)
t_ok "A's volume ready" wait_state "$V" ready 90
printf 'only for A\n' >"$P/state/exports/$V/note"
v3="version=3&nfsport=$NP&mountport=$MP"
v4="version=4&nfsport=$NP"
nfs() { local ns=$1; shift; timeout 30 ip netns exec "$ns" "$@" 2>/dev/null; }
readable() { [ "$(nfs "$1" nfs-cat "nfs://10.213.1.1/volumes/$V/note?$2")" = "only for A" ]; }
listed() { nfs "$1" nfs-ls "nfs://10.213.1.1/volumes?$v4" | grep -q "$V"; }
pseudo_root() { nfs "$1" nfs-ls "nfs://10.213.1.1/?$v4"; }

# Nobody holds it: nobody is admitted, and the pseudo fs hides it.
t_fails "nobody holds it: A cannot read (NFSv3)" readable "$NSA" "$v3"
t_fails "nobody holds it: A cannot read (NFSv4)" readable "$NSA" "$v4"
t_fails "nobody holds it: B does not see it in /volumes" listed "$NSB"
t_diag "what B sees at the NFSv4 pseudo root: $(pseudo_root "$NSB" | tr '\n' ' ')"

# A's host holds it: A reads, B still cannot mount, list or read it.
req POST "/volumes/$V/addreference" "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$HA\"}"
t_is "A's host adds its reference: 204" "$STATUS" 204
t_ok "A's host reads it (NFSv3) as soon as the reference is added" readable "$NSA" "$v3"
t_ok "A's host reads it (NFSv4)" readable "$NSA" "$v4"
t_ok "A's host sees it in /volumes" listed "$NSA"
t_fails "B's host cannot read it (NFSv3 mount)" readable "$NSB" "$v3"
t_fails "B's host cannot read it (NFSv4)" readable "$NSB" "$v4"
t_fails "B's host does not see it in /volumes" listed "$NSB"
t_diag "what B sees in /volumes: [$(nfs "$NSB" nfs-ls "nfs://10.213.1.1/volumes?$v4" | tr '\n' ' ')]"
t_diag "what A sees in /volumes: [$(nfs "$NSA" nfs-ls "nfs://10.213.1.1/volumes?$v4" | tr '\n' ' ')]"
t_fails "B's host cannot list it" nfs "$NSB" nfs-ls "nfs://10.213.1.1/volumes/$V?$v4"
req POST "/volumes/$V/addreference" "{\"owner_uuid\":\"$OWNER2\",\"vm_uuid\":\"$HB\"}"
t_is "B cannot reference A's volume: 404" "$STATUS" 404
grep -q 10.213.2.2 "$P/state/exports/ganesha-exports.conf"
t_is "B's address is in no export" "$?" 1

# A grant admits B's address until it is revoked.
req POST "/volumes/$V/grantaccess" '{"address":"10.213.2.2"}'
t_is "grant: 204" "$STATUS" 204
req GET "/volumes/$V/access"
t_is "access lists the grant" "$(jbody 'map(.address)|join(",")')" 10.213.2.2
t_ok "the granted address reads it" readable "$NSB" "$v4"
req POST "/volumes/$V/revokeaccess" '{"address":"10.213.2.2"}'
t_is "revoke: 204" "$STATUS" 204
t_fails "revoked: it can no longer read" readable "$NSB" "$v4"
t_fails "revoked: it can no longer mount (NFSv3)" readable "$NSB" "$v3"
expect "grant of a subnet" 409 ValidationError POST "/volumes/$V/grantaccess" '{"address":"10.213.0.0/16"}'
expect "grant by another owner" 404 VolumeNotFound POST "/volumes/$V/grantaccess" \
	"{\"owner_uuid\":\"$OWNER2\",\"address\":\"10.213.2.2\"}"

# A's host stops heartbeating: once it is dead, its address leaves the export.
kill "$HBPID"
wait "$HBPID" 2>/dev/null
dead() { [ "$(curl -s "$URL/hosts/$HA" | jq -r .alive)" = false ]; }
t_ok "A's heartbeat expires" t_wait_for 60 dead
not_readable() { ! readable "$NSA" "$v4"; }
t_ok "an expired heartbeat takes A's address out of the export" t_wait_for 60 not_readable
t_ok "A heartbeats again" up "$HA" "$OWNER" web-a 10.213.1.2
t_ok "back alive: A reads again" readable "$NSA" "$v4"

if [ "$T_FAILED" -gt 0 ]; then
	t_diag "---- ganesha's exports"
	sed 's/^/#   /' "$P/state/exports/ganesha-exports.conf"
	t_diag "---- hosts"
	curl -s "$URL/hosts" | sed 's/^/#   /'
	t_diag "---- last lines of the VAPI's log"
	tail -n 30 "$VDIR/vapi.log" | cut -c1-300 | sed 's/^/#   /'
fi
t_done
