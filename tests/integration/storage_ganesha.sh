#!/bin/bash
# storage_ganesha.sh: btrfs volumes served by a supervised nfs-ganesha on
# private ports, with a real NFS client (libnfs-utils): several MiB written
# over NFSv3 and read back over NFSv3 and NFSv4, the quota stopping writes
# and growth letting them continue, rollback seen by clients, a client
# outside the export's subnet refused (from a network namespace), a failed
# reload reported, and ganesha restarted after kill -9 with data intact.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind nfs-cp nfs-cat nfs-ls ip

dir=$(t_tmpdir)
# t_tmpdir registers its removal inside the $(...) subshell, where it is
# lost: register it here.
t_cleanup_push "t__rmdir_safe '$dir'"
img=$dir/pool.img
gstate=$dir/ganesha
mkdir -p "$gstate"
U1=3c9e1a52-0b7d-4f1e-a3c4-5d6e7f809112
NP=$(t_free_port)
MP=$(t_free_port)
while [ "$MP" = "$NP" ]; do MP=$(t_free_port); done

. "$TNFS_SRCDIR/tests/integration/storage_lib.sh"
t_cleanup_push storage_pool_cleanup
# Stop a ganesha the probe could not stop (it died first): by our pid file.
t_cleanup_push 'test -s "$gstate/ganesha.pid" && kill -9 "$(cat "$gstate/ganesha.pid")" 2>/dev/null'

# A network namespace as a client outside the exported subnet.
net=$((RANDOM % 250 + 1))
ns=tnfs-st-$$
veth=tst$$
ip netns add "$ns"
t_cleanup_push "ip netns del $ns"
ip link add "$veth" type veth peer name "${veth}p"
t_cleanup_push "ip link del $veth"
ip link set "${veth}p" netns "$ns"
ip addr add "10.99.$net.1/30" dev "$veth"
ip link set "$veth" up
ip netns exec "$ns" ip addr add "10.99.$net.2/30" dev "${veth}p"
ip netns exec "$ns" ip link set "${veth}p" up
ip netns exec "$ns" ip link set lo up

probe_start "$dir"

t_is "pool" "$(p open btrfs-image "$img,1G" "$dir/state")" ok
t_is "volume of 64 MiB" "$(p create $U1 64)" ok
path=$(p path $U1 | cut -d' ' -f2)

# Two listen addresses with the same ports: ganesha binds them all.
t_is "exporter opens" "$(p ex-open "$gstate" 127.0.0.1,10.99.$net.1 "$NP" "$MP" 0)" ok
t_is "ganesha starts" "$(p ex-start)" ok
t_is "healthy" "$(p ex-healthy)" "ok 1"
t_like "rpcbind runs (started if it was not)" "$(rpcinfo -p 127.0.0.1 2>&1 | head -1)" program

spec="$U1|$path|/vol1|0|127.0.0.0/8"
t_is "export synced" "$(p ex-sync "$spec")" ok
t_like "exports file has the block" "$(cat "$gstate/ganesha-exports.conf")" 'Clients = 127.0.0.0/8;'

# Every NFS client call has a deadline: a hung client must fail the check.
nfs-cp() { timeout 300 nfs-cp "$@"; }
nfs-cat() { timeout 120 nfs-cat "$@"; }
v3="?version=3&nfsport=$NP&mountport=$MP"
v4="?version=4&nfsport=$NP"
url=nfs://127.0.0.1/vol1
head -c 8M /dev/urandom >"$dir/f8"
t_ok "8 MiB written over NFSv3" nfs-cp "$dir/f8" "$url/f8$v3"
t_ok "read back over NFSv3" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"
t_ok "read back over NFSv4" cmp <(nfs-cat "$url/f8$v4") "$dir/f8"
t_ok "it is in the volume" cmp "$path/f8" "$dir/f8"

# The quota stops writes at the volume size; growing lets them continue.
head -c 80M /dev/zero >"$dir/f80"
t_refused "80 MiB more refused by the 64 MiB quota" 300 'Failed to write to dest file' nfs-cp "$dir/f80" "$url/big$v3"
t_is "grow to 256 MiB" "$(p resize $U1 256)" ok
t_ok "80 MiB fit after growing, same export" nfs-cp "$dir/f80" "$url/big2$v3"
t_like "usage over 80 MiB" "$(p usage $U1)" '^ok (8[0-9]|9[0-9]|1[0-9][0-9]) '

# Snapshot, change over NFS, roll back: clients see the old content.
t_is "snapshot" "$(p snap $U1 s1)" ok
head -c 2M /dev/urandom >"$dir/f2"
t_ok "new file over NFS" nfs-cp "$dir/f2" "$url/late$v3"
# nfs-cp never overwrites: change f8 on the server side (not read back over
# NFS before the rollback: ganesha caches its attributes, and a client that
# trusts a stale size waits for bytes that never come).
cp "$dir/f2" "$path/f8"
t_is "rollback" "$(p rollback $U1 s1)" ok
t_is "re-sync after rollback" "$(p ex-sync "$spec")" ok
t_ok "old content served over NFSv3" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"
t_ok "and over NFSv4" cmp <(nfs-cat "$url/f8$v4") "$dir/f8"
t_refused "the later file is gone" 120 'NOENT|No such file' nfs-cat "$url/late$v3"
t_ok "rolled-back volume writable over NFS" nfs-cp "$dir/f2" "$url/after$v3"

# A client outside the export's subnet is refused; inside it is admitted.
nsurl="nfs://10.99.$net.1/vol1/f8?version=3&nfsport=$NP&mountport=$MP"
t_refused "client 10.99.$net.2 refused by a 127.0.0.0/8 export" 120 'ACCES|Permission denied' ip netns exec "$ns" nfs-cat "$nsurl"
t_is "export admits the namespace's subnet" "$(p ex-sync "$U1|$path|/vol1|0|127.0.0.0/8,10.99.$net.0/30")" ok
t_ok "then that client reads it" cmp <(ip netns exec "$ns" timeout 120 nfs-cat "$nsurl") "$dir/f8"

# A reload ganesha rejects is reported, and a good one recovers.
out=$(p ex-sync "$spec" "$U1|/nonexistent/x|/vol2|0|127.0.0.0/8")
t_like "failed reload reported" "$out" '^err .*ganesha rejected the exports'
t_is "good set again" "$(p ex-sync "$spec")" ok
t_ok "served after the failed reload" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"
t_like "hostile client string refused" "$(p ex-sync "$U1|$path|/vol1|0|127.0.0.1;Access_Type=RW")" '^err ValidationError'

# A second exporter (another VAPI's ganesha) on its own ports beside the
# first, both registered with the one rpcbind: each serves its clients,
# which name the ports and never ask the portmapper.  This one exports the
# same volume read-only.
NP2=$(t_free_port)
MP2=$(t_free_port)
mkdir "$dir/ganesha2"
mkfifo "$dir/p2.in" "$dir/p2.out"
"$TNFS_BUILDDIR/tests/storage_probe" <"$dir/p2.in" >"$dir/p2.out" 2>>"$dir/probe2.log" &
P2=$!
exec 5>"$dir/p2.in" 6<"$dir/p2.out"
t_cleanup_push "exec 5>&-; wait $P2"
t_cleanup_push 'test -s "$dir/ganesha2/ganesha.pid" && kill -9 "$(cat "$dir/ganesha2/ganesha.pid")" 2>/dev/null'
p2() {
	local line
	echo "$*" >&5
	read -r -t 300 line <&6 || line="err no answer"
	printf '%s\n' "$line"
}
t_is "second exporter opens" "$(p2 ex-open "$dir/ganesha2" 127.0.0.1 "$NP2" "$MP2" 0)" ok
t_is "second ganesha starts" "$(p2 ex-start)" ok
t_is "second exports the volume read-only" "$(p2 ex-sync "$U1|$path|/ro1|1|127.0.0.0/8")" ok
url2=nfs://127.0.0.1/ro1
v3b="?version=3&nfsport=$NP2&mountport=$MP2"
t_ok "second serves it" cmp <(nfs-cat "$url2/f8$v3b") "$dir/f8"
t_refused "read-only export refuses writes" 300 'ROFS|Read-only|ACCES|Permission denied' nfs-cp "$dir/f2" "$url2/ro-write$v3b"
t_ok "first still serves beside it" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"
t_is "second exporter closes" "$(p2 ex-close)" ok
t_ok "first serves after the second stopped (it unregistered from rpcbind)" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"
exec 5>&-
wait "$P2" && rc=0 || rc=$?
t_is "second probe exits cleanly" "$rc" 0

# kill -9: the supervisor restarts it; health goes 0, then 1; data intact.
healthy_is() { [ "$(p ex-healthy)" = "ok $1" ]; }
pid=$(cat "$gstate/ganesha.pid")
kill -9 "$pid"
t_ok "unhealthy after kill -9" t_wait_for 10 healthy_is 0
t_ok "healthy again" t_wait_for 60 healthy_is 1
t_ok "restarted with a new pid" test "$(cat "$gstate/ganesha.pid")" != "$pid"
t_ok "data intact after restart (NFSv3)" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"
t_ok "writes work after restart" nfs-cp "$dir/f2" "$url/after2$v3"

# kill -9 of the process that manages it (the VAPI): ganesha and the mounts
# stay; the next run takes over its own stale ganesha and serves again.
old=$(cat "$gstate/ganesha.pid")
kill -9 "$T_PROBE_PID"
wait "$T_PROBE_PID" 2>/dev/null
t_ok "ganesha outlives its manager" kill -0 "$old"
probe_start "$dir"
t_is "pool reused while still mounted" "$(p open btrfs-image "$img,1G" "$dir/state")" ok
t_is "volume activated" "$(p activate $U1)" ok
t_is "exporter reopens" "$(p ex-open "$gstate" 127.0.0.1 "$NP" "$MP" 0)" ok
t_is "starts over the stale ganesha" "$(p ex-start)" ok
t_ok "stale ganesha stopped" t_pid_gone "$old"
t_is "exports synced again" "$(p ex-sync "$spec")" ok
t_ok "data served by the new ganesha" cmp <(nfs-cat "$url/f8$v3") "$dir/f8"

pid=$(cat "$gstate/ganesha.pid")
t_is "exporter closes" "$(p ex-close)" ok
t_fails "ganesha stopped" kill -0 "$pid"
t_is "storage closes" "$(p close)" ok
probe_stop "$dir"
t_done
