#!/usr/bin/env bash
# vapi_cephfs: the Volume API on CephFS storage, served by an nfs-ganesha
# head with FSAL_CEPH, against a real single-node Ceph.  A volume created
# over HTTP is a subvolume with its size as quota and its own cephx user;
# it is written and read through tritonnfs-fuse over NFSv3 and NFSv4; the
# quota stops writes (EDQUOT); growing it shows in df; a snapshot and a
# rollback bring the old data back; a clone of the snapshot is a volume of
# its own with that data; delete leaves no subvolume, cephx user or export
# behind.  It also measures the same I/O through a ganesha-vfs head on
# btrfs in the same run, for the ratios of the two paths.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
. "$TNFS_SRCDIR/tests/integration/ceph_lib.sh"
ceph_require
ceph_require_ganesha
t_require_cmd rpcbind rpcinfo fusermount3 mountpoint mkfs.btrfs btrfs losetup
t_require_file /dev/fuse

t0=$(date +%s%N)
ceph_up
t_diag "measured: single-node Ceph up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
P=$(t_tmpdir)
t_cleanup_push "t__rmdir_safe '$P'"
# A head the VAPI left behind (it is killed -9 only on a failed start).
t_cleanup_push "[ -s '$P/state/exports/ganesha.pid' ] && kill -9 \$(cat '$P/state/exports/ganesha.pid')"
NETU=5e5e5e5e-0000-4000-8000-0000000ceff5
ganesha_network_config "$NETU"
jq '. + {sizes: [64, 128]}' "$P/vapi.json" >"$P/vapi.json.new" &&
	mv "$P/vapi.json.new" "$P/vapi.json"
if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
	rpcbind -w
	t_wait_for 10 rpcinfo -p 127.0.0.1 >/dev/null
fi

VDIR=$(t_tmpdir)
VPORT=$(t_free_port)
URL=http://127.0.0.1:$VPORT
t_spawn vapi "$VDIR/vapi.log" "$VAPI_BIN" --config "$P/vapi.json" \
	--listen "tcp:127.0.0.1:$VPORT" --store "sqlite:$VDIR/vapi.db" \
	--storage "cephfs:$CEPH_CONF,group=tnfs" --state-dir "$P/state" \
	--exports "ganesha-ceph:$CEPH_CONF"
VPID=$T_PID_vapi
# Healthy, or gone: a VAPI that refused its arguments is not waited for.
started() { ! kill -0 "$VPID" 2>/dev/null || vapi_healthy; }
t0=$(date +%s%N)
if ! t_wait_for 180 started || ! kill -0 "$VPID" 2>/dev/null; then
	echo "tritonnfs-vapi did not start; its log:" >&2
	tail -n 40 "$VDIR/vapi.log" "$P/state/exports/ganesha.log" >&2
	exit 1
fi
t_pass "the VAPI serves with a healthy FSAL_CEPH head"
t_diag "measured: VAPI start to a healthy head $(( ($(date +%s%N) - t0) / 1000000 )) ms"
NET=$NETU
c() { timeout 60 ceph "$@"; }

rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$(cat "$P/state/exports/ganesha.pid")/status"; }
rss0=$(rss)
t0=$(date +%s%N)
V=$(create cephvol '"size":64')
t_ok "a 64 MiB volume is ready" wait_state "$V" ready 180
req GET "/volumes/$V"
t_is "filesystem_path" "$(jbody .filesystem_path)" "127.0.0.1:/volumes/$V"
FSPATH=$(jbody .filesystem_path)
t_like "a subvolume with the size as quota" \
	"$(c fs subvolume info cephfs "$V" --group_name tnfs)" '"bytes_quota": 67108864'
t_like "its own cephx user, for its subvolume only" \
	"$(c auth get "client.tnfs-$V" 2>/dev/null)" "path=/volumes/tnfs/$V/"
t_like "its export uses that user" \
	"$(cat "$P/state/exports/ganesha-exports.conf")" "User_Id = \"tnfs-$V\""
t_is "the exports file is private to root" "$(stat -c %a "$P/state/exports")" 700

# fuse_mount MNT OPTS: tritonnfs-fuse in the foreground, stopped at exit.
fuse_mount() {
	mkdir -p "$1"
	t_umount_at_exit "$1"
	t_spawn fuse "$1.log" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" \
		"$FSPATH" "$1" -f -o "port=$NP,mountport=$MP,$2"
	t_wait_for 60 mountpoint -q "$1"
}
unmount() { fusermount3 -u "$1"; }

head -c $((8 * 1048576)) /dev/urandom >"$P/data"
m3=$P/m3
t_ok "NFSv3: mounted" fuse_mount "$m3" nfsvers=3
t_diag "measured: create to mounted $(( ($(date +%s%N) - t0) / 1000000 )) ms"
t_ok "NFSv3: write 8 MiB" cp "$P/data" "$m3/data"
t_ok "NFSv3: read back the same bytes" cmp "$P/data" "$m3/data"
# libnfs 4.0 writes only small NFSv4 WRITEs (ARCHITECTURE.md).
echo small-v4 >"$P/small"
m4=$P/m4
t_ok "NFSv4: mounted" fuse_mount "$m4" nfsvers=4
t_ok "NFSv4: reads what NFSv3 wrote" cmp "$P/data" "$m4/data"
t_ok "NFSv4: a small write" cp "$P/small" "$m4/small"
t_ok "NFSv3 reads what NFSv4 wrote" cmp "$P/small" "$m3/small"
t_ok "NFSv4: unmount" unmount "$m4"
t_diag "measured: head RSS $rss0 MiB idle, $(rss) MiB with one export in use"

read -r size _ < <(df -B1 --output=size,used "$m3" | tail -n 1)
t_is "df shows the quota as the size" "$size" $((64 * 1048576))
err=$(dd if=/dev/zero of="$m3/big" bs=1M count=100 conv=fsync 2>&1 >/dev/null)
t_is "writing beyond the quota fails" "$?" 1
t_like "with EDQUOT" "$err" 'Disk quota exceeded|No space left on device'
t_ok "the earlier file is intact" cmp "$P/data" "$m3/data"
rm -f "$m3/big"

req POST "/volumes/$V" '{"size":128}'
t_is "grow: 200" "$STATUS" 200
t_is "grown" "$(jbody .size)" 128
t_like "the quota grew" "$(c fs subvolume info cephfs "$V" --group_name tnfs)" '"bytes_quota": 134217728'
t_ok "NFSv3: unmount" unmount "$m3"
t_ok "NFSv3: mounted again" fuse_mount "$m3" nfsvers=3
grown() { [ "$(df -B1 --output=size "$m3" | tail -n 1 | tr -d ' ')" = $((128 * 1048576)) ]; }
t_ok "df shows the new size" t_wait_for 60 grown
t1=$(date +%s%N)
t_ok "a 100 MiB write now fits" dd if=/dev/zero of="$m3/big" bs=1M count=100 conv=fsync status=none
t2=$(date +%s%N)
t_diag "measured: NFSv3 write through the head, fsync'd: $((100 * 1000000000 / (t2 - t1))) MiB/s"
rm -f "$m3/big"
# The same write to the local disk, in the same run, for the ratio.
t1=$(date +%s%N)
dd if=/dev/zero of="$P/big" bs=1M count=100 conv=fsync status=none
t2=$(date +%s%N)
t_diag "measured: the same write to local disk ($(df --output=fstype "$P" | tail -n 1)): $((100 * 1000000000 / (t2 - t1))) MiB/s"
rm -f "$P/big"

echo one >"$m3/file"
req POST "/volumes/$V/snapshot" '{"name":"s1"}'
t_is "snapshot: 201" "$STATUS" 201
echo two >"$m3/file"
echo later >"$m3/later"
t_ok "NFSv3: unmount before the rollback" unmount "$m3"
req POST "/volumes/$V/rollbacktosnapshot" '{"name":"s1"}'
t_is "rollback: 200" "$STATUS" 200
t_is "rollback: ready" "$(jbody .state)" ready
t_ok "NFSv3: mount the rolled-back volume" fuse_mount "$m3" nfsvers=3
t_is "the snapshot's content is back" "$(cat "$m3/file")" one
t_fails "what came after is gone" test -e "$m3/later"
t_ok "the data written before is intact" cmp "$P/data" "$m3/data"
t_like "the export serves the clone" \
	"$(cat "$P/state/exports/ganesha-exports.conf")" "/volumes/tnfs/$V\\.r1/"
t_ok "NFSv3: unmount" unmount "$m3"

# A clone of snapshot s1 (held by the generation the rollback replaced):
# a full copy into a subvolume of its own, with the source's size as
# quota and its own cephx user; what it writes stays its own.
req POST /volumes "$(create_body cephclone '"source_volume":"cephvol","source_snapshot":"s1"')"
t_is "clone: 201" "$STATUS" 201
CL=$(jbody .uuid)
t_is "clone: the source's size" "$(jbody .size)" 128
t_ok "the clone is ready" wait_state "$CL" ready 300
t_like "the clone is a subvolume with the source's size as quota" \
	"$(c fs subvolume info cephfs "$CL" --group_name tnfs)" '"bytes_quota": 134217728'
t_like "with its own cephx user" \
	"$(c auth get "client.tnfs-$CL" 2>/dev/null)" "path=/volumes/tnfs/$CL/"
req GET "/volumes/$CL"
SRC_FSPATH=$FSPATH
FSPATH=$(jbody .filesystem_path)
mc=$P/mc
t_ok "NFSv3: the clone mounted" fuse_mount "$mc" nfsvers=3
t_is "the clone holds the snapshot's content" "$(cat "$mc/file")" one
t_fails "and nothing written after the snapshot" test -e "$mc/later"
t_ok "and the data written before it" cmp "$P/data" "$mc/data"
echo clone-only >"$mc/mine"
t_ok "NFSv3: unmount the clone" unmount "$mc"
FSPATH=$SRC_FSPATH
t_ok "NFSv3: the source mounted" fuse_mount "$m3" nfsvers=3
t_fails "the clone's write is not in the source" test -e "$m3/mine"
t_ok "NFSv3: unmount the source" unmount "$m3"
req DELETE "/volumes/$CL"
t_is "delete the clone: 204" "$STATUS" 204
t_ok "the clone is gone" t_wait_for 120 gone "$CL"

req DELETE "/volumes/$V"
t_is "delete: 204" "$STATUS" 204
t_ok "gone" t_wait_for 120 gone "$V"
t_is "no subvolume left" "$(c fs subvolume ls cephfs --group_name tnfs | jq length)" 0
t_fails "no cephx user left" c auth get "client.tnfs-$V"
grep -q "$V" "$P/state/exports/ganesha-exports.conf"
t_is "no export left" "$?" 1

# ---- The same I/O through this FSAL_CEPH head and through a ganesha-vfs
# head on btrfs (the embedded default), in one run: the ratios of the two
# paths (docs/benchmarks.md).  Both are tritonnfs-fuse over NFSv3 on this
# host; only the server side differs.
# io_bench MNT: "write MiB/s, read MiB/s, files created/s" on MNT (the
# read through a fresh mount: no client cache), as three numbers.
io_bench() {
	local t1 t2 w r f i
	t1=$(date +%s%N)
	dd if=/dev/zero of="$1/big" bs=1M count=100 conv=fsync status=none || return 1
	t2=$(date +%s%N)
	w=$((100 * 1000000000 / (t2 - t1)))
	unmount "$1" && fuse_mount "$1" nfsvers=3 || return 1
	t1=$(date +%s%N)
	cat "$1/big" >/dev/null || return 1
	t2=$(date +%s%N)
	r=$((100 * 1000000000 / (t2 - t1)))
	mkdir "$1/files" || return 1
	t1=$(date +%s%N)
	for ((i = 0; i < 300; i++)); do printf '%4096s' x >"$1/files/f$i" || return 1; done
	t2=$(date +%s%N)
	f=$((300 * 1000000000 / (t2 - t1)))
	echo "$w $r $f"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

B=$(t_tmpdir)
BP=$(t_free_port) && BN=$(t_free_port) && BM=$(t_free_port)
printf '{"nfs_port": %d, "mount_port": %d}\n' "$BN" "$BM" >"$B/vapi.json"
# After the btrfs VAPI is stopped: its mounts, its loop device, its ganesha.
t_cleanup_push "P='$B' img='$B/pool.img' pool_cleanup"
t_spawn vapib "$B/vapi.log" "$VAPI_BIN" --config "$B/vapi.json" \
	--listen "tcp:127.0.0.1:$BP" --store "sqlite:$B/vapi.db" \
	--storage "btrfs-image:$B/pool.img,2G" --state-dir "$B/state" --exports ganesha
CURL=$URL
URL=http://127.0.0.1:$BP
t_ok "a btrfs VAPI with a ganesha-vfs head, beside" t_wait_for 120 vapi_healthy
NET=$(curl -s "$URL/networks" | jq -r '.[0].uuid')
BV=$(create vfsvol '"size":10240')
t_ok "its volume is ready" wait_state "$BV" ready 120
req POST "/volumes/$BV/grantaccess" '{"address":"127.0.0.1"}'
req GET "/volumes/$BV"
CFS=$FSPATH CNP=$NP CMP=$MP
FSPATH=$(jbody .filesystem_path) NP=$BN MP=$BM
mb=$P/mb
t_ok "NFSv3 through the vfs head: mounted" fuse_mount "$mb" nfsvers=3
vfs=$(io_bench "$mb")
t_like "I/O through the vfs head" "$vfs" '^[0-9]+ [0-9]+ [0-9]+$'
t_ok "NFSv3 through the vfs head: unmount" unmount "$mb"
URL=$CURL NET=$NETU FSPATH=$CFS NP=$CNP MP=$CMP

V=$(create cephio '"size":128')
t_ok "a CephFS volume for the same I/O" wait_state "$V" ready 180
req GET "/volumes/$V"
FSPATH=$(jbody .filesystem_path)
mc=$P/mcio
t_ok "NFSv3 through the ceph head: mounted" fuse_mount "$mc" nfsvers=3
cio=$(io_bench "$mc")
t_like "I/O through the ceph head" "$cio" '^[0-9]+ [0-9]+ [0-9]+$'
t_ok "NFSv3 through the ceph head: unmount" unmount "$mc"
read -r cw cr cf <<<"$cio"
read -r vw vr vf <<<"$vfs"
t_diag "measured: ganesha-ceph / ganesha-vfs on btrfs, NFSv3 through tritonnfs-fuse, one run:" \
	"write $cw / $vw MiB/s ($(ratio "$cw" "$vw")), read $cr / $vr MiB/s ($(ratio "$cr" "$vr"))," \
	"4 KiB files created $cf / $vf per s ($(ratio "$cf" "$vf"))"
req DELETE "/volumes/$V"
t_ok "its volume deleted" t_wait_for 120 gone "$V"

kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_done
