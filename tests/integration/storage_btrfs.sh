#!/bin/bash
# storage_btrfs.sh: the btrfs-image storage backend on a real loop-mounted
# btrfs, driven through tests/storage_probe: volumes with a size limit that
# stops writes and grows in place, snapshots and rollback, orphans set aside,
# the pool reused after a restart, and nothing left mounted or attached.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup mount umount

dir=$(t_tmpdir)
# t_tmpdir registers its removal inside the $(...) subshell, where it is
# lost: register it here.
t_cleanup_push "t__rmdir_safe '$dir'"
state=$dir/state
img=$dir/pool.img
probe=$TNFS_BUILDDIR/tests/storage_probe
U1=6a0f6c2e-6d4b-4c55-9d0a-0a1b2c3d4e5f
U2=7b1f6c2e-6d4b-4c55-9d0a-0a1b2c3d4e5f

. "$TNFS_SRCDIR/tests/integration/storage_lib.sh"
t_cleanup_push storage_pool_cleanup
probe_start "$dir"

t_is "bad image spec refused" "$(p open btrfs-image relative.img,1G "$state" | cut -d' ' -f1-2)" "err ValidationError"
t_is "pool image created and mounted" "$(p open btrfs-image "$img,1G" "$state")" ok
t_like "image is sparse" "$(du -k "$img" | cut -f1)" '^[0-9]{1,6}$'
t_is "create volume" "$(p create $U1 64)" ok
t_is "create is idempotent" "$(p create $U1 64)" ok
t_is "volume exists" "$(p exists $U1)" "ok 1"
t_is "other volume does not" "$(p exists $U2)" "ok 0"
t_is "hostile uuid refused" "$(p create ../../etc 10 | cut -d' ' -f1-2)" "err ValidationError"
mp=$(p path $U1 | cut -d' ' -f2)
t_is "export path is its own mount" "$mp" "$state/exports/$U1"
t_is "subvolume mounted there" "$(findmnt -n -o FSTYPE,FSROOT --mountpoint "$mp")" "btrfs  /volumes/$U1"
t_like "list names the volume" "$(p list)" "^ok $U1\$"

# A local user cannot reach a volume's data through its export mount
# (issue 15 item 3): the state directory is open, exports/ is not.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 0755 "$T_ROOT" "$dir" "$state"
echo secret >"$mp/secret"
chmod 0644 "$mp/secret"
t_is "exports/ is root's alone" "$(stat -c %a "$state/exports")" 700
t_ok "nobody traverses the state directory" as_nobody ls "$state"
t_fails "nobody cannot read a volume's file" as_nobody cat "$mp/secret"
t_fails "nobody cannot list a volume" as_nobody ls "$mp"
rm -f "$mp/secret"
t_is "close to reopen" "$(p close)" ok
chmod 0755 "$state/exports"
t_is "reopen" "$(p open btrfs-image "$img,1G" "$state")" ok
t_is "an older 0755 exports/ is made private" "$(stat -c %a "$state/exports")" 700
t_is "activate after reopen" "$(p activate $U1)" ok

# The qgroup limit stops writes at the volume size.
out=$(dd if=/dev/urandom of="$mp/big" bs=1M count=100 conv=fsync 2>&1) && rc=0 || rc=$?
t_is "write past 64 MiB refused" "$rc" 1
t_like "with a quota error" "$out" "Disk quota exceeded|No space left"
rm -f "$mp/big"
sync
t_ok "40 MiB fit" dd if=/dev/urandom of="$mp/a" bs=1M count=40 conv=fsync status=none
t_like "usage counts them" "$(p usage $U1)" '^ok (4[0-9]) (1[0-9]|2[0-9])$'
t_is "grow to 128 MiB in place" "$(p resize $U1 128)" ok
t_ok "60 more MiB fit after growing, same mount" dd if=/dev/urandom of="$mp/b" bs=1M count=60 conv=fsync status=none
t_is "resize of a missing volume" "$(p resize $U2 128 | cut -d' ' -f1-2)" "err VolumeNotFound"

# Snapshot, change, roll back.
sum_a=$(sha256sum <"$mp/a")
t_is "snapshot" "$(p snap $U1 before)" ok
t_is "same name again" "$(p snap $U1 before | cut -d' ' -f1-2)" "err SnapshotAlreadyExists"
t_is "hostile snapshot name" "$(p snap $U1 ../x | cut -d' ' -f1-2)" "err ValidationError"
t_ok "snapshot is read-only" test "$(btrfs property get -ts "$state/pool/snapshots/$U1/before" ro)" = "ro=true"
echo changed >"$mp/a"
rm -f "$mp/b"
echo new >"$mp/c"
t_is "rollback" "$(p rollback $U1 before)" ok
t_is "old content back" "$(sha256sum <"$mp/a")" "$sum_a"
t_ok "deleted file back" test -f "$mp/b"
t_fails "later file gone" test -e "$mp/c"
t_ok "rolled-back volume is writable" touch "$mp/d"
t_like "limit kept across rollback" "$(btrfs qgroup show --raw -re "$state/pool" | awk -v id="0/$(btrfs inspect-internal rootid "$mp")" '$1 == id { print $4 }')" '^134217728$'
t_is "rollback to a missing snapshot" "$(p rollback $U1 nosuch | cut -d' ' -f1-2)" "err SnapshotNotFound"
t_is "snapshot delete" "$(p snapdel $U1 before)" ok
t_is "snapshot delete again is fine" "$(p snapdel $U1 before)" ok

# Restart: the pool is reused and activate re-creates the volume mount.
t_is "close" "$(p close)" ok
t_fails "nothing of ours mounted after close" grep -q " $dir/" /proc/self/mountinfo
t_ok "loop device detached" loop_released "$img"
t_is "reopen reuses the image" "$(p open btrfs-image "$img,1G" "$state")" ok
t_is "volume still listed" "$(p list)" "ok $U1"
t_is "activate" "$(p activate $U1)" ok
t_is "activate twice does not stack mounts" "$(p activate $U1)" ok
t_is "one mount at the export path" "$(awk -v m="$mp" '$5 == m' /proc/self/mountinfo | wc -l)" 1
t_is "data survived" "$(sha256sum <"$mp/a")" "$sum_a"
t_is "activate a volume with no storage" "$(p activate $U2 | cut -d' ' -f1-2)" "err VolumeNotFound"

# Orphans are moved aside, never deleted.
t_is "create second" "$(p create $U2 32)" ok
echo keep >"$state/exports/$U2/f"
t_is "orphan set aside" "$(p orphan $U2)" ok
t_is "orphan no longer listed" "$(p list)" "ok $U1"
t_is "orphan data kept" "$(cat "$state/pool/orphans/$U2/f")" keep

# Destroy removes the subvolume, its snapshots and its mount.
t_is "snapshot before destroy" "$(p snap $U1 s2)" ok
t_is "destroy" "$(p destroy $U1)" ok
t_is "destroy again succeeds" "$(p destroy $U1)" ok
t_is "gone" "$(p exists $U1)" "ok 0"
t_fails "snapshots gone" test -e "$state/pool/snapshots/$U1"
t_fails "mount gone" grep -q " $mp " /proc/self/mountinfo
t_is "final close" "$(p close)" ok
t_ok "loop device detached at the end" loop_released "$img"

# btrfs:ROOT on a btrfs the operator mounted (here: the same image).
mkdir "$dir/root"
mount -o loop "$img" "$dir/root"
t_umount_at_exit "$dir/root"
t_is "btrfs:ROOT opens" "$(p open btrfs "$dir/root" "$dir/state2")" ok
t_is "create on btrfs:ROOT" "$(p create $U1 32)" ok
mp2=$(p path $U1 | cut -d' ' -f2)
t_is "its own subvolume mount" "$(findmnt -n -o FSROOT --mountpoint "$mp2")" "/volumes/$U1"
t_ok "writable" dd if=/dev/zero of="$mp2/x" bs=1M count=8 status=none
t_fails "quota enforced" dd if=/dev/zero of="$mp2/y" bs=1M count=40 conv=fsync status=none
t_is "close btrfs:ROOT" "$(p close)" ok
t_fails "volume mount gone" grep -q " $mp2 " /proc/self/mountinfo
t_ok "operator's mount left alone" grep -q " $dir/root " /proc/self/mountinfo
t_is "reopen" "$(p open btrfs "$dir/root" "$dir/state2")" ok
t_is "destroy on btrfs:ROOT" "$(p destroy $U1)" ok
t_is "close again" "$(p close)" ok
t_is "a non-btrfs root refused" "$(p open btrfs "$dir/state" "$dir/state3" | cut -d' ' -f1-2)" "err InternalError"
probe_stop "$dir"
t_done
