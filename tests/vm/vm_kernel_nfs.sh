#!/usr/bin/env bash
# vm_kernel_nfs.sh: the kernel NFS client, in a QEMU guest, against a
# private nfs-ganesha on this host.
#
# This machine's kernel has no NFS client, so the mounts run in a guest
# booting Debian's kernel (tests/vm/run-in-vm).  One boot runs
# kernel_nfs_guest.sh: NFSv4.0, 4.1, 4.2 and v3 mounts with data both ways,
# a read-only mount, a server that is down, an export that does not exist.
# The checks are made here, from the guest's results and the export's files.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/vm/vm-lib.sh"

vm_require
dir=$(t_tmpdir)
vm_ganesha "$dir"
nfsport=$VM_NFS_PORT mntport=$VM_MNT_PORT
deadport=$(t_free_port)
mib=4

head -c $((mib * 1048576)) /dev/urandom >"$dir/export/from-host.bin"
host_sha=$(sha256sum <"$dir/export/from-host.bin" | cut -d' ' -f1)

# Passed to the guest literally, never evaluated by a shell on the way.
hostile='$(touch /tmp/pwned) `id` "q'"'"'x" ; * \ $HOME %s'
t0=$(date +%s%N)
vrc=0
"$VM_DIR/run-in-vm" --timeout 240 --workdir "$dir/vm" \
	--fwd 2049:"$nfsport" --fwd 20048:"$mntport" --fwd 2050:"$deadport" \
	--env NFS_GPORT=2049 --env MNT_GPORT=20048 --env DEAD_GPORT=2050 \
	--env EXPORT=/export --env MIB=$mib --env "HOSTILE=$hostile" \
	"$VM_DIR/kernel_nfs_guest.sh" >"$dir/vm.out" 2>&1 || vrc=$?
t_diag "the VM run took $((($(date +%s%N) - t0) / 1000000)) ms"
t_is "the guest script ran to its end" "$vrc" 0
[ $vrc -eq 0 ] || t_diag "$(tail -40 "$dir/vm.out")"

res=$dir/vm/ctl/out/results
r() { vm_result "$res" "$1"; }
t_is "a hostile --env value reaches the guest literally" "$(r hostile)" "$hostile"
t_diag "guest kernel $(r kernel), script started at $(r boot.uptime) s of uptime"

for v in 4.0 4.1 4.2 3; do
	k=v$v
	t_is "vers=$v: the kernel mounts the export" "$(r "$k.mount.rc")" 0 ||
		t_diag "mount: $(r "$k.mount.msg")"
	t_diag "vers=$v: mount took $(r "$k.mount.ms") ms, writing $mib MiB $(r "$k.write.ms") ms"
	t_like "vers=$v: the mount is NFS version $v" "$(r "$k.opts")" "vers=$v(,|\$)"
	t_is "vers=$v: the guest reads what the host wrote" "$(r "$k.read_sha")" "$host_sha"
	t_is "vers=$v: the guest's write succeeds" "$(r "$k.write.rc")" 0
	f=$dir/export/to-host-$k.bin
	got=$( [ -f "$f" ] && sha256sum <"$f" | cut -d' ' -f1)
	t_is "vers=$v: the host reads the $mib MiB the guest wrote" "${got:-missing}" "$(r "$k.write_sha")"
	t_is "vers=$v: the guest unmounts" "$(r "$k.umount.rc")" 0
done

t_is "ro: the kernel mounts the export read-only" "$(r ro.mount.rc)" 0
t_like "ro: the mount is read-only" "$(r ro.opts)" "^ro(,|$)"
t_is "ro: the guest reads what the host wrote" "$(r ro.read_sha)" "$host_sha"
t_like "ro: creating a file fails with EROFS" "$(r ro.write.rc) $(r ro.write.msg)" "^[1-9][0-9]* .*Read-only file system"
t_like "ro: removing a file fails with EROFS" "$(r ro.rm.rc) $(r ro.rm.msg)" "^[1-9][0-9]* .*Read-only file system"
t_ok "ro: nothing was written on the host" test ! -e "$dir/export/ro-write" -a -e "$dir/export/from-host.bin"

# The failure cases are single mount(2) calls (sysmount.py --batch): the
# errno is what the plugin's kernel backend gets.  soft, timeo and retrans must end
# the mount, not the guest's deadline around it (that would be rc 137).
t_is "the failure cases ran to their end" "$(r failures.rc)" 0
for p in 4 3; do
	t_is "server down, v$p: mount(2) fails on its own" "$(r "down$p.mount.rc")" 1
	t_like "server down, v$p: the errno says why" "$(r "down$p.mount.msg")" "^(ETIMEDOUT|ECONNREFUSED|EIO|ECONNRESET) "
	t_diag "server down, v$p: failed after $(r "down$p.mount.ms") ms: $(r "down$p.mount.msg")"
done
t_like "missing export, v4: mount(2) fails with ENOENT" "$(r missing4.mount.rc) $(r missing4.mount.msg)" "^1 ENOENT "
t_like "missing export, v3: mount(2) fails with EACCES or ENOENT" "$(r missing3.mount.rc) $(r missing3.mount.msg)" "^1 (EACCES|ENOENT) "
t_diag "missing export: v4 $(r missing4.mount.msg); v3 $(r missing3.mount.msg)"

if [ -n "$(r helper.mount.rc)" ]; then
	t_is "mount.nfs helper, vers=4.1: the guest reads what the host wrote" "$(r helper.read_sha)" "$host_sha" ||
		t_diag "mount: $(r helper.mount.msg)"
fi

t_diag "guest uptime at each step: $(sed -n 's/^step\.//p' "$res" | tr '\n' ' ')"
t_is "no NFS mount is left in the guest" "$(r leftover)" ""
t_is "the guest reported everything" "$(r done)" 1
t_ok "ganesha is still running" kill -0 "$T_PID_ganesha"
t_done
