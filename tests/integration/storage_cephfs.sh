#!/usr/bin/env bash
# storage_cephfs: the cephfs storage backend on a real single-node Ceph,
# driven through tests/storage_probe: one subvolume per volume with the
# size as quota, grown in place; usage; a cephx user that reaches that
# subvolume only; snapshots; rollback by clone and swap (the data of the
# snapshot back, later writes gone, the older snapshots kept); orphans set
# aside and never deleted; delete leaves no subvolume, snapshot or cephx
# user; a Ceph that does not answer fails calls with a clear error in time.
. "$TNFS_SRCDIR/tests/integration/ceph_lib.sh"
ceph_require
t_require_cmd ceph-fuse

ceph_up
dir=$(t_tmpdir)
t_cleanup_push "t__rmdir_safe '$dir'"
state=$dir/state
U1=6a0f6c2e-6d4b-4c55-9d0a-0a1b2c3d4e5f
U2=7b1f6c2e-6d4b-4c55-9d0a-0a1b2c3d4e5f
U3=8c2f6c2e-6d4b-4c55-9d0a-0a1b2c3d4e5f
U4=9d3f6c2e-6d4b-4c55-9d0a-0a1b2c3d4e5f
c() { timeout 60 ceph "$@"; }

. "$TNFS_SRCDIR/tests/integration/storage_lib.sh"
probe_start "$dir"

t_is "unknown option refused" "$(p open cephfs "$CEPH_CONF,pool=x" "$state" | cut -d' ' -f1-2)" "err ValidationError"
t_is "open" "$(p open cephfs "$CEPH_CONF,group=tnfs" "$state")" ok
t_is "hostile uuid refused" "$(p create ../../etc 10 | cut -d' ' -f1-2)" "err ValidationError"
t_is "create a 64 MiB volume" "$(p create $U1 64)" ok
t_is "create is idempotent" "$(p create $U1 64)" ok
t_is "it exists" "$(p exists $U1)" "ok 1"
t_is "another does not" "$(p exists $U2)" "ok 0"
t_like "its subvolume's quota is its size" "$(c fs subvolume info cephfs $U1 --group_name tnfs)" '"bytes_quota": 67108864'
path=$(p path $U1 | cut -d' ' -f2)
t_like "path is the subvolume's" "$path" "^/volumes/tnfs/$U1/"
read -r _ fs user key <<<"$(p access $U1)"
t_is "export access: the file system" "$fs" cephfs
t_is "export access: the volume's own cephx user" "$user" "tnfs-$U1"
t_is "export access: its key" "$key" "$(c auth get-key "client.$user")"
caps=$(c auth get "client.$user" 2>/dev/null)
t_like "the user reaches the volume's path only" "$caps" "mds = \"allow rw path=$path\""
t_like "and its own RADOS namespace only" "$caps" "namespace=fsvolumens_$U1\""

# Write through the volume's own cephx user, as a ganesha head would.
mnt=$dir/mnt
mkdir -p "$mnt"
c auth get "client.$user" -o "$CEPH_DIR/keyring.client.$user" 2>/dev/null
fuse_mount() {
	if ! ceph-fuse -n "client.$user" -r "$path" "$mnt" >"$dir/fuse.out" 2>&1 ||
		! t_wait_for 60 mountpoint -q "$mnt"; then
		tail -5 "$dir/fuse.out"
		return 1
	fi
}
t_umount_at_exit "$mnt"
t_ok "ceph-fuse mounts it as the volume's user" fuse_mount
t_ok "write 20 MiB" dd if=/dev/urandom of="$mnt/a" bs=1M count=20 conv=fsync status=none
sum_a=$(md5sum <"$mnt/a")
quota_hit() { ! dd if=/dev/zero of="$mnt/big" bs=1M count=100 conv=fsync status=none 2>"$dir/dd.err"; }
t_ok "the quota stops a 100 MiB write" quota_hit
t_like "with EDQUOT" "$(cat "$dir/dd.err")" 'quota exceeded|Disk quota'
rm -f "$mnt/big"
t_is "resize to 256 MiB" "$(p resize $U1 256)" ok
t_like "the quota grew" "$(c fs subvolume info cephfs $U1 --group_name tnfs)" '"bytes_quota": 268435456'
used() { [ "$(p usage $U1 | cut -d' ' -f2)" -ge 20 ]; }
t_ok "usage counts the 20 MiB written" t_wait_for 60 used

t_is "snapshot s1" "$(p snap $U1 s1)" ok
echo after-s1 >"$mnt/b"
t_is "snapshot s2" "$(p snap $U1 s2)" ok
echo after-s2 >"$mnt/c"
sync
umount "$mnt"
t_is "rollback to s1" "$(p rollback $U1 s1)" ok
newpath=$(p path $U1 | cut -d' ' -f2)
t_like "the volume is now the clone" "$newpath" "^/volumes/tnfs/$U1\\.r1/"
t_like "the user now reaches the clone" "$(c auth get "client.$user" 2>/dev/null)" "path=$newpath\""
t_like "with the volume's quota" "$(c fs subvolume info cephfs $U1.r1 --group_name tnfs)" '"bytes_quota": 268435456'
path=$newpath
# The user left the old generation before joining the clone: Ceph may
# have given it a new key, which access (the export's key) must follow.
read -r _ _ _ key <<<"$(p access $U1)"
t_is "access gives the user's key after the rollback" "$key" "$(c auth get-key "client.$user")"
c auth get "client.$user" -o "$CEPH_DIR/keyring.client.$user" 2>/dev/null
t_ok "mount the rolled-back volume" fuse_mount
t_is "the snapshot's data is back" "$(md5sum <"$mnt/a")" "$sum_a"
t_fails "writes after the snapshot are gone" test -e "$mnt/b"
t_fails "all of them" test -e "$mnt/c"
umount "$mnt"
t_is "the old generation stays for its snapshots" "$(c fs subvolume snapshot ls cephfs $U1 --group_name tnfs | jq -r '.[].name' | sort | tr '\n' ' ')" "s1 s2 "
t_is "delete s2 (the VAPI drops later snapshots)" "$(p snapdel $U1 s2)" ok
t_is "deleting an absent snapshot succeeds" "$(p snapdel $U1 s2)" ok
t_is "a new snapshot goes to the live generation" "$(p snap $U1 s3)" ok
t_is "rollback to s1 again" "$(p rollback $U1 s1)" ok
t_like "the third generation" "$(p path $U1)" "/volumes/tnfs/$U1\\.r2/"
t_is "the replaced generation keeps s3" "$(c fs subvolume snapshot ls cephfs $U1.r1 --group_name tnfs | jq -r '.[].name')" s3
t_is "delete s1" "$(p snapdel $U1 s1)" ok
t_fails "the first generation went with its last snapshot" c fs subvolume info cephfs $U1 --group_name tnfs
t_is "delete s3" "$(p snapdel $U1 s3)" ok
t_fails "the second generation too" c fs subvolume info cephfs $U1.r1 --group_name tnfs
t_is "list: one volume" "$(p list)" "ok $U1"

# An orphan: storage with no record is set aside, never deleted.
t_is "create a second volume" "$(p create $U2 10)" ok
t_is "set it aside" "$(p orphan $U2)" ok
t_is "list no longer shows it" "$(p list)" "ok $U1"
t_ok "its subvolume is still there" c fs subvolume info cephfs $U2 --group_name tnfs
t_ok "its cephx user too" c auth get "client.tnfs-$U2"
t_ok "its subvolume recorded in the state directory" grep -qx "$U2" "$state/cephfs-orphans"
t_ok "its cephx user too" grep -qx "tnfs-$U2" "$state/cephfs-orphans"
# A cephx user of ours left without a subvolume (a delete cut short).
c auth get-or-create "client.tnfs-$U4" mon 'allow r' >/dev/null 2>&1
t_is "a user without a subvolume is listed" "$(p list)" "ok $U1 $U4"
t_is "and set aside" "$(p orphan $U4)" ok
t_is "listed no more" "$(p list)" "ok $U1"
t_ok "but not deleted" c auth get "client.tnfs-$U4"

t_is "destroy" "$(p destroy $U1)" ok
t_is "destroy is idempotent" "$(p destroy $U1)" ok
t_is "gone" "$(p exists $U1)" "ok 0"
t_is "no subvolume of it left" "$(c fs subvolume ls cephfs --group_name tnfs | jq -r '.[].name' | grep -c "^$U1")" 0
t_fails "no cephx user of it left" c auth get "client.tnfs-$U1"
t_is "close" "$(p close)" ok

# Reopened: the set-aside orphan stays out of the list.
t_is "reopen" "$(p open cephfs "$CEPH_CONF,group=tnfs" "$state")" ok
t_is "list after reopen" "$(p list)" "ok"
t_is "create a third volume" "$(p create $U3 10)" ok

# A Ceph that does not answer: calls fail with a clear error, in time.
kill -STOP "$T_PID_mon"
t_cleanup_push "kill -CONT $T_PID_mon"
start=$(date +%s)
ans=$(p resize $U3 20)
took=$(($(date +%s) - start))
t_like "a silent monitor: the call fails" "$ans" '^err ServiceUnavailable .*Ceph did not answer within 30 s'
t_ok "within its deadline ($took s)" test "$took" -le 45
# GetVolume reads usage: it must not wait for a Ceph known to be silent.
start=$(date +%s%N)
ans=$(p usage $U3)
took=$((($(date +%s%N) - start) / 1000000))
t_like "usage fails while Ceph is silent" "$ans" '^err ServiceUnavailable .*did not answer lately'
t_ok "at once ($took ms), without asking it again" test "$took" -le 3000
kill -CONT "$T_PID_mon"
t_is "once it answers again, calls work" "$(p resize $U3 20)" ok
t_is "destroy the third" "$(p destroy $U3)" ok
t_is "close" "$(p close)" ok
probe_stop "$dir"
t_done
