#!/usr/bin/env bash
# cephfs_heads: two nfs-ganesha heads with FSAL_CEPH (--exports
# ganesha-ceph:CONF,head=...) against a real single-node Ceph.  Each new
# volume goes to the head with the fewest volumes and only that head
# exports it; the heads have node ids of their own and keep each other's
# CephFS sessions; a head killed with -9 leaves the other serving and is
# restarted by the VAPI with its volumes and their data; a head that stops
# answering gives its volumes to the other after failover= seconds; a
# deleted volume leaves no export on either head.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
. "$TNFS_SRCDIR/tests/integration/ceph_lib.sh"
ceph_require
ceph_require_ganesha
t_require_cmd rpcbind rpcinfo fusermount3 mountpoint
t_require_file /dev/fuse

ceph_up
P=$(t_tmpdir)
t_cleanup_push "t__rmdir_safe '$P'"
# Heads the VAPI left behind (they are killed -9 only on a failed start).
for pidf in "$P/state/exports/ganesha.pid" "$P/state/exports/head-1/ganesha.pid"; do
	t_cleanup_push "[ -s '$pidf' ] && kill -9 \$(cat '$pidf')"
done
NETU=5e5e5e5e-0000-4000-8000-0000000ceff6
ganesha_network_config "$NETU"
jq '. + {sizes: [64]}' "$P/vapi.json" >"$P/vapi.json.new" &&
	mv "$P/vapi.json.new" "$P/vapi.json"
NP2=$(t_free_port)
MP2=$(t_free_port)
while [ "$NP2" = "$NP" ] || [ "$NP2" = "$MP" ]; do NP2=$(t_free_port); done
while [ "$MP2" = "$NP" ] || [ "$MP2" = "$MP" ] || [ "$MP2" = "$NP2" ]; do MP2=$(t_free_port); done
if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
	rpcbind -w
	t_wait_for 10 rpcinfo -p 127.0.0.1 >/dev/null
fi

VDIR=$(t_tmpdir)
VPORT=$(t_free_port)
URL=http://127.0.0.1:$VPORT
started() { ! kill -0 "$VPID" 2>/dev/null || vapi_healthy; }
tcp_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1"; }
# start_vapi FAILOVER LOG: the VAPI with both heads, a head's volumes
# moving after FAILOVER seconds down (0: never).
start_vapi() {
	t_spawn vapi "$2" "$VAPI_BIN" --config "$P/vapi.json" \
		--listen "tcp:127.0.0.1:$VPORT" --store "sqlite:$VDIR/vapi.db" \
		--storage "cephfs:$CEPH_CONF,group=tnfs" --state-dir "$P/state" \
		--exports "ganesha-ceph:$CEPH_CONF,head=127.0.0.1:$NP2:$MP2,failover=$1"
	VPID=$T_PID_vapi
	if ! t_wait_for 180 started || ! kill -0 "$VPID" 2>/dev/null ||
		! t_wait_for 120 tcp_answers "$NP2"; then
		echo "tritonnfs-vapi or its heads did not start; the logs:" >&2
		tail -n 40 "$2" "$P/state/exports/ganesha.log" \
			"$P/state/exports/head-1/ganesha.log" >&2
		exit 1
	fi
}
start_vapi 0 "$VDIR/vapi.log"
t_pass "the VAPI serves with two FSAL_CEPH heads"
NET=$NETU
HEADA=$P/state/exports
HEADB=$P/state/exports/head-1

# Placement: each new volume goes to the head with the fewest volumes
# (the first on a tie), its filesystem_path and ports name that head, and
# each head exports its own volumes only.  create_ready runs in this shell
# (not under t_ok, a subshell) so that CREATED reaches the caller.
create_ready() {
	req POST /volumes "$(create_body "$1" '"size":64')"
	[ "$STATUS" = 201 ] || return 1
	CREATED=$(jbody .uuid)
	wait_state "$CREATED" ready 180
}
create_ready cephvola
t_is "volume A is created and ready" "$?" 0
V=$CREATED
create_ready cephvolb
t_is "volume B is created and ready" "$?" 0
V2=$CREATED
req GET "/volumes/$V"
FSPATH=$(jbody .filesystem_path)
t_is "volume A is on the first head" "$FSPATH $(jbody .nfs_port) $(jbody .mount_port)" "127.0.0.1:/volumes/$V $NP $MP"
req GET "/volumes/$V2"
FSPATH2=$(jbody .filesystem_path)
t_is "volume B is on the second head (fewest volumes)" "$FSPATH2 $(jbody .nfs_port) $(jbody .mount_port)" "127.0.0.1:/volumes/$V2 $NP2 $MP2"
t_like "the first head exports volume A" "$(cat "$HEADA/ganesha-exports.conf")" "Pseudo = \"/volumes/$V\""
t_like "the second head exports volume B" "$(cat "$HEADB/ganesha-exports.conf")" "Pseudo = \"/volumes/$V2\""
grep -q "$V2" "$HEADA/ganesha-exports.conf"
t_is "the first head does not export volume B" "$?" 1
grep -q "$V" "$HEADB/ganesha-exports.conf"
t_is "the second head does not export volume A" "$?" 1
create_ready cephvolc
t_is "a third volume is created and ready" "$?" 0
V3=$CREATED
req GET "/volumes/$V3"
t_is "on a tie it goes to the first head" "$(jbody .nfs_port)" "$NP"
req DELETE "/volumes/$V3"
t_ok "the third volume is deleted" t_wait_for 120 gone "$V3"
t_is "the second head's directory is private to root" "$(stat -c %a "$HEADB")" 700
# FSAL_CEPH names each export's CephFS session after the recovery node id:
# the heads need distinct ones or the second resets the first's sessions.
nodeid() { sed -n 's/^[[:space:]]*nodeid = "\(.*\)";$/\1/p' "$1/ganesha.conf"; }
t_like "head A: its own node id, rados_cluster recovery" "$(nodeid "$HEADA")" -head0
t_like "head B: its own node id" "$(nodeid "$HEADB")" -head1
t_ok "both heads are members of the grace db" timeout 60 ganesha-rados-grace \
	--cephconf "$CEPH_CONF" --pool nfs-ganesha --ns tritonnfs member "$(nodeid "$HEADA")" "$(nodeid "$HEADB")"

# fuse_mount MNT FSPATH NFS_PORT MOUNT_PORT OPTS: tritonnfs-fuse, stopped at exit.
fuse_mount() {
	mkdir -p "$1"
	t_umount_at_exit "$1"
	t_spawn fuse "$1.log" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" \
		"$2" "$1" -f -o "port=$3,mountport=$4,$5"
	t_wait_for 60 mountpoint -q "$1"
}
unmount() { fusermount3 -u "$1"; }

head -c $((8 * 1048576)) /dev/urandom >"$P/data"
ma=$P/ma
mb=$P/mb
t_ok "head A, NFSv3: volume A mounted" fuse_mount "$ma" "$FSPATH" "$NP" "$MP" nfsvers=3
t_ok "head A: write 8 MiB" cp "$P/data" "$ma/data"
t_ok "head B, NFSv3: volume B mounted" fuse_mount "$mb" "$FSPATH2" "$NP2" "$MP2" nfsvers=3
t_ok "head B: write 8 MiB" cp "$P/data" "$mb/data"
# Heads with one node id each keep their CephFS sessions: head A's client
# still writes once head B has mounted its volume.
echo from-a >"$P/small"
t_ok "head A: a write after head B mounted" cp "$P/small" "$ma/small"
t_ok "head A reads back what it wrote" cmp "$P/data" "$ma/data"
t_ok "head A: unmount" unmount "$ma"
rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$(cat "$1/ganesha.pid")/status"; }
t_diag "measured: head RSS with one export in use: A $(rss "$HEADA") MiB, B $(rss "$HEADB") MiB"

# kill -9 head A while head B's client writes.
pida=$(cat "$HEADA/ganesha.pid")
dd if=/dev/zero of="$mb/during" bs=1M count=16 conv=fsync status=none &
ddpid=$!
tk=$(date +%s%N)
kill -9 "$pida"
wait "$ddpid"
t_is "head B: a write across head A's death completes" "$?" 0
t_ok "head B: the data written before the kill is intact" cmp "$P/data" "$mb/data"
t_is "head B: the write is whole" "$(stat -c %s "$mb/during")" $((16 * 1048576))
restarted() {
	[ -s "$HEADA/ganesha.pid" ] && [ "$(cat "$HEADA/ganesha.pid")" != "$pida" ] &&
		rpcinfo -n "$NP" -t 127.0.0.1 nfs 3 >/dev/null 2>&1
}
t_ok "the VAPI restarts head A" t_wait_for 120 restarted
# The watcher may fail volume A for a moment after the restart: the wait
# is for ready at its place.
a_back() {
	req GET "/volumes/$V"
	[ "$(jbody .state) $(jbody .filesystem_path)" = "ready $FSPATH" ]
}
# Ready three times in a row, a second apart: settled.
a_settled() { a_back && sleep 1 && a_back && sleep 1 && a_back; }
t_ok "volume A is ready again" t_wait_for 120 a_settled
t_diag "measured: head A killed -9 to restarted and its volume ready: $(( ($(date +%s%N) - tk) / 1000000 )) ms"
req GET "/volumes/$V"
t_is "volume A stays on the first head" "$STATUS $(jbody .filesystem_path) $(jbody .nfs_port)" "200 $FSPATH $NP"
[ "$STATUS" = 200 ] || t_diag "GET volume A: $BODY"
t_ok "head A, NFSv3: mounted again" fuse_mount "$ma" "$FSPATH" "$NP" "$MP" nfsvers=3
t_ok "head A: the data written before its death is intact" cmp "$P/data" "$ma/data"
t_ok "head A: and the small file" cmp "$P/small" "$ma/small"
t_ok "head A: unmount" unmount "$ma"
t_ok "head B: unmount" unmount "$mb"

# Failover: the VAPI again, with failover=4.  Head B stops answering
# (SIGSTOP: its process lives on, its NULL calls go unanswered, so its
# supervisor does not restart it).  Four seconds later its volume moves to
# head A: exported there, its record names head A, and head A's client
# reads what was written through head B.  Head A's own volume never fails.
kill -TERM "$VPID"
wait "$VPID"
t_is "the VAPI stops for a restart" "$?" 0
start_vapi 4 "$VDIR/vapi2.log"
t_pass "the VAPI serves again, failover=4"
t_ok "volume A is ready" wait_state "$V" ready 120
t_ok "volume B is ready" wait_state "$V2" ready 120
req GET "/volumes/$V2"
t_is "volume B is on head B again" "$(jbody .nfs_port)" "$NP2"
# A create waits for its exports sync, and so for the restart's own.
create_ready cephvolf
t_is "a volume created before head B stops: ready" "$?" 0
V6=$CREATED
pidb=$(cat "$HEADB/ganesha.pid")
t_diag "CephFS sessions: $(timeout 30 ceph tell mds.cephfs:0 client ls 2>/dev/null | jq -c '[.[] | [.id, .client_metadata.entity_id, .num_caps]]')"
tk=$(date +%s%N)
kill -STOP "$pidb"
t_cleanup_push "kill -CONT $pidb"
a_failed=0
moved_to_a() {
	req GET "/volumes/$V"
	[ "$(jbody .state)" = ready ] || a_failed=1
	req GET "/volumes/$V2"
	[ "$(jbody .nfs_port) $(jbody .state)" = "$NP ready" ]
}
t_ok "volume B's record names head A" t_wait_for 90 moved_to_a
t_diag "measured: head B stopped to volume B served by head A: $(( ($(date +%s%N) - tk) / 1000000 )) ms (failover=4)"
grep -E 'head 1|served at|fenc|evict|sync' "$VDIR/vapi2.log" | jq -c 'del(.name, .hostname, .pid, .v)' 2>/dev/null |
	while read -r l; do t_diag "$l"; done
t_is "volume A never failed meanwhile" "$a_failed" 0
req GET "/volumes/$V2"
t_is "volume B: its path names head A" "$(jbody .filesystem_path) $(jbody .mount_port) $(jbody .state)" \
	"127.0.0.1:/volumes/$V2 $MP ready"
t_like "head A exports volume B" "$(cat "$HEADA/ganesha-exports.conf")" "Pseudo = \"/volumes/$V2\""
t_like "the VAPI says why" "$(cat "$VDIR/vapi2.log")" "head 1 down for 4 s"
mb2=$P/mb2
t_ok "head A, NFSv4: volume B mounted" fuse_mount "$mb2" "127.0.0.1:/volumes/$V2" "$NP" "$MP" nfsvers=4
t_ok "head A: the data written through head B is intact" cmp "$P/data" "$mb2/data"
t_is "head A: and the write made across head A's death" "$(stat -c %s "$mb2/during")" $((16 * 1048576))
t_ok "head A: volume B takes new writes" cp "$P/small" "$mb2/after-failover"
create_ready cephvold
t_is "a new volume while head B is down: ready" "$?" 0
V4=$CREATED
req GET "/volumes/$V4"
t_is "it goes to head A" "$(jbody .nfs_port)" "$NP"
t_diag "CephFS sessions after the failover: $(timeout 30 ceph tell mds.cephfs:0 client ls 2>/dev/null | jq -c '[.[] | [.id, .client_metadata.entity_id, .num_caps]]')"
kill -CONT "$pidb"
back() { grep -q "head 1 answers again" "$VDIR/vapi2.log"; }
t_ok "head B answers again" t_wait_for 60 back
not_on_b() { ! grep -q "$V2" "$HEADB/ganesha-exports.conf"; }
t_ok "head B no longer exports volume B" t_wait_for 60 not_on_b
req GET "/volumes/$V2"
t_is "volume B stays on head A" "$(jbody .nfs_port)" "$NP"
create_ready cephvole
t_is "a new volume once head B is back: ready" "$?" 0
V5=$CREATED
req GET "/volumes/$V5"
t_is "head B takes new volumes again (fewest)" "$(jbody .nfs_port)" "$NP2"
t_ok "head A: unmount volume B" unmount "$mb2"
req GET "/volumes/$V6"
t_is "the volume created before the stop stayed ready on head A" "$(jbody .state) $(jbody .nfs_port)" "ready $NP"
for u in "$V4" "$V5" "$V6"; do
	req DELETE "/volumes/$u"
	t_ok "delete $u" t_wait_for 120 gone "$u"
done

req DELETE "/volumes/$V"
t_is "delete A: 204" "$STATUS" 204
req DELETE "/volumes/$V2"
t_is "delete B: 204" "$STATUS" 204
t_ok "A gone" t_wait_for 120 gone "$V"
t_ok "B gone" t_wait_for 120 gone "$V2"
no_export() { ! grep -q "$V\|$V2\|$V3\|$V4\|$V5\|$V6" "$1/ganesha-exports.conf"; }
t_ok "no export left on head A" no_export "$HEADA"
t_ok "no export left on head B" no_export "$HEADB"
t_is "no subvolume left" "$(timeout 60 ceph fs subvolume ls cephfs --group_name tnfs | jq length)" 0

pidb=$(cat "$HEADB/ganesha.pid")
kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_fails "head B is stopped with the VAPI" kill -0 "$pidb"
t_done
